package main

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// GlobalOptions are the flags every command accepts (the command contract
// in DESIGN.md). They are bound on the root command and read through the
// Factory, so a command group never declares them itself.
type GlobalOptions struct {
	Region      string
	Profile     string
	EndpointURL string
	Output      string
	NoColor     bool
	Yes         bool
}

// Factory is what every command constructor receives: the streams, the
// global options and lazily built AWS clients. Commands copy what they need
// into their Options struct, so tests can fill Options without a Factory.
type Factory struct {
	IOStreams *ui.IOStreams
	Version   string
	Global    GlobalOptions

	// Getenv and Executable are the process's, replaced in tests.
	Getenv     func(string) string
	Executable func() (string, error)

	format ui.Format
	// tuneMemory is set by Main only: the process's own command may
	// tune the runtime's memory use (tuneMemory in memory.go), a
	// command run in-process by tests or demo never does.
	tuneMemory bool

	cfgOnce sync.Once
	cfg     aws.Config
	cfgErr  error
}

func newFactory(ios *ui.IOStreams) *Factory {
	return &Factory{
		IOStreams:  ios,
		Version:    buildVersion(),
		Getenv:     os.Getenv,
		Executable: os.Executable,
	}
}

// applyGlobals validates the global flags and applies those that change
// the streams. It runs before any command's RunE, so its errors are usage
// errors.
func (f *Factory) applyGlobals() error {
	format, err := ui.ParseFormat(f.Global.Output)
	if err != nil {
		return cli.Usage(err)
	}
	f.format = format
	if f.Global.NoColor {
		f.IOStreams.DisableColor()
	}
	f.IOStreams.AssumeYes = f.Global.Yes
	return nil
}

// Format is the validated -o/--output value.
func (f *Factory) Format() ui.Format {
	if f.format == "" {
		return ui.FormatTable
	}
	return f.format
}

// AWSConfig loads the AWS configuration once per run from the global flags
// and the environment. A missing region is the user's to fix, so it is a
// usage error.
func (f *Factory) AWSConfig(ctx context.Context) (aws.Config, error) {
	f.cfgOnce.Do(func() {
		f.cfg, f.cfgErr = cloud.Load(ctx, cloud.Options{
			Region:      f.Global.Region,
			Profile:     f.Global.Profile,
			EndpointURL: f.Global.EndpointURL,
			Version:     f.Version,
		})
		if errors.Is(f.cfgErr, cloud.ErrNoRegion) {
			f.cfgErr = cli.Usage(f.cfgErr)
		}
	})
	return f.cfg, f.cfgErr
}

// RDS returns the RDS client for this run.
func (f *Factory) RDS(ctx context.Context) (cloud.RDS, error) {
	cfg, err := f.AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	return cloud.NewRDS(cfg), nil
}
