package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/verify"
)

// groupVerifyConcurrency bounds how many members of a group are verified
// at once: enough for a fleet, few enough not to look like a connection
// storm to a proxy in front of them.
const groupVerifyConcurrency = 8

// groupReport is `verify --group`'s JSON: one element per member.
type groupReport struct {
	ParameterGroup string         `json:"parameter_group"`
	Instances      []memberReport `json:"instances"`
}

// memberReport is one member's report, or why it has none.
type memberReport struct {
	Instance string `json:"instance"`
	*verify.Report
	Error string `json:"error,omitempty"`
}

// verifyGroupRun verifies every instance that uses opts.Group,
// concurrently, and prints the reports in instance order.
func verifyGroupRun(ctx context.Context, opts *VerifyOptions, api cloud.RDS) error {
	if _, err := cloud.FindParameterGroup(ctx, api, opts.Group); err != nil {
		return &rdsError{op: "finding parameter group " + opts.Group, err: err}
	}
	all, err := cloud.AllInstances(ctx, api)
	if err != nil {
		return &rdsError{op: "listing instances", err: err}
	}
	var ids []string
	for _, in := range all {
		for _, pg := range in.DBParameterGroups {
			if strings.EqualFold(aws.ToString(pg.DBParameterGroupName), opts.Group) {
				ids = append(ids, aws.ToString(in.DBInstanceIdentifier))
				break
			}
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("no DB instance uses parameter group %s", opts.Group)
	}
	sort.Strings(ids)
	opts.IO.Progressf("verifying %s using parameter group %s", plural(len(ids), "instance"), opts.Group)

	var mu sync.Mutex
	in := opts.Inputs
	in.Warnf = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		opts.IO.Warnf(format, args...)
	}
	out := groupReport{ParameterGroup: opts.Group, Instances: make([]memberReport, len(ids))}
	errs := make([]error, len(ids))
	sem := make(chan struct{}, groupVerifyConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rep, err := verifyInstance(ctx, opts.Factory, api, id, in)
			out.Instances[i] = memberReport{Instance: id, Report: rep}
			if err != nil {
				out.Instances[i].Error = err.Error()
				errs[i] = err
			}
		}()
	}
	wg.Wait()

	if err := opts.IO.Print(opts.Format, out, func() error { return printGroupReport(opts.IO, out) }); err != nil {
		return err
	}
	var reps []*verify.Report
	for _, m := range out.Instances {
		if m.Report != nil {
			reps = append(reps, m.Report)
		}
	}
	var failed []error
	for i, err := range errs {
		if err != nil {
			opts.IO.Failf("%s: %v", ids[i], err)
			failed = append(failed, err)
		}
	}
	findings := verifyOutcome(opts.IO, reps)
	if len(failed) > 0 {
		return errors.Join(findings, fmt.Errorf("%s of %d could not be verified", plural(len(failed), "instance"), len(ids)))
	}
	return findings
}
