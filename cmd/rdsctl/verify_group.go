package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/verify"
)

// verifyGroupRun verifies every instance that uses opts.Group through
// verify.Group (every member of opts.Cluster through verify.Cluster), prints the reports in instance order, and reports the
// members that could not be verified on stderr.
func verifyGroupRun(ctx context.Context, opts *VerifyOptions, api verify.API, awsCfg aws.Config, vo verify.Options) error {
	var g *verify.GroupReport
	var err error
	if opts.Cluster != "" {
		g, err = verify.Cluster(ctx, api, awsCfg, opts.Cluster, vo)
	} else {
		g, err = verify.Group(ctx, api, awsCfg, opts.Group, vo)
	}
	if err != nil {
		return usageIfConfig(err)
	}
	if err := opts.IO.Print(opts.Format, g, func() error { return printGroupReport(opts.IO, g) }); err != nil {
		return err
	}
	failed := g.Failed()
	for _, m := range failed {
		opts.IO.Failf("%s: %v", m.Instance, m.Err)
	}
	findings := verifyOutcome(opts.IO, g.Reports())
	if len(failed) > 0 {
		return errors.Join(findings, fmt.Errorf("%s of %d could not be verified", plural(len(failed), "instance"), len(g.Instances)))
	}
	return findings
}
