package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// CommonOptions is what a command's Options take from the Factory: the
// streams, the output format and the AWS dependencies. Every command
// follows one idiom (cli/cli's): NewCmdX(f, runF) binds flags into an
// Options struct that embeds CommonOptions, RunE fills CommonOptions from
// f and checks the arguments, then calls runF (tests) or xRun(ctx, opts).
// RDS and AWSConfig are functions, not clients, so that parsing tests
// never load AWS settings and behaviour tests can hand in a client for an
// in-process lab.
type CommonOptions struct {
	IO     *ui.IOStreams
	Format ui.Format
	RDS    func(context.Context) (cloud.RDS, error)
	// AWSConfig is the run's AWS configuration, for what needs more than
	// RDS (IAM tokens, Secrets Manager, STS).
	AWSConfig func(context.Context) (aws.Config, error)
	// Getenv is the process's environment (passwords from variables).
	Getenv func(string) string
}

// common is the Factory's share of every command's Options.
func (f *Factory) common() CommonOptions {
	return CommonOptions{IO: f.IOStreams, Format: f.Format(), RDS: f.RDS, AWSConfig: f.AWSConfig, Getenv: f.Getenv}
}

func (c *CommonOptions) groups(ctx context.Context, cluster bool) (cloud.Groups, error) {
	api, err := c.RDS(ctx)
	if err != nil {
		return cloud.Groups{}, err
	}
	return cloud.Groups{API: api, Cluster: cluster}, nil
}

// newCmd completes a command in the one idiom: RunE fills common from f,
// runs the command's own argument parsing (whose errors are usage errors),
// then calls runF (tests) or run.
func newCmd[O any](f *Factory, cmd *cobra.Command, opts *O, common *CommonOptions,
	parse func(args []string) error, runF, run func(context.Context, *O) error) *cobra.Command {
	cmd.RunE = func(c *cobra.Command, args []string) error {
		*common = f.common()
		if parse != nil {
			if err := parse(args); err != nil {
				return err
			}
		}
		if runF != nil {
			return runF(c.Context(), opts)
		}
		return run(c.Context(), opts)
	}
	return cmd
}
