package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// TestNewCmdPolicyCheck is the parsing half of `policy check`: argv in,
// Options out, or a usage error.
func TestNewCmdPolicyCheck(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		output  string // the global -o
		format  string
		regions string
		roles   int
		err     string
	}{
		{"defaults", []string{"-f", "p.yaml"}, "", "table", "", 0, ""},
		{"global -o json", []string{"-f", "p.yaml"}, "json", "json", "", 0, ""},
		{"--format wins over -o", []string{"-f", "p.yaml", "--format", "junit"}, "json", "junit", "", 0, ""},
		{"github", []string{"--file", "p.yaml", "--format", "GitHub"}, "", "github", "", 0, ""},
		{"regions and roles", []string{"-f", "p.yaml", "--regions", "us-east-1, eu-west-1", "--role-arn", "arn:aws:iam::111122223333:role/a", "--role-arn", "arn:aws:iam::444455556666:role/b"}, "", "table", "us-east-1,eu-west-1", 2, ""},
		{"bad format", []string{"-f", "p.yaml", "--format", "xml"}, "", "", "", 0, `invalid --format "xml"`},
		{"bad role", []string{"-f", "p.yaml", "--role-arn", "audit"}, "", "", "", 0, `invalid --role-arn "audit"`},
		{"bad concurrency", []string{"-f", "p.yaml", "--concurrency", "0"}, "", "", "", 0, "invalid --concurrency 0"},
		{"effective checks the login flags", []string{"-f", "p.yaml", "--effective", "--tls", "maybe"}, "", "", "", 0, `invalid --tls "maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFactory(t, nil)
			f.Global.Output = tt.output
			if err := f.applyGlobals(); err != nil {
				t.Fatal(err)
			}
			var got *PolicyCheckOptions
			cmd := NewCmdPolicyCheck(f, func(_ context.Context, o *PolicyCheckOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || cli.ExitCode(err) != cli.ExitUsage {
					t.Fatalf("err = %v, want a usage error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.File != "p.yaml" || got.Format != tt.format || strings.Join(got.Regions, ",") != tt.regions || len(got.RoleARNs) != tt.roles {
				t.Errorf("options = %+v", got)
			}
		})
	}
}

// TestPolicyCheckBadFile is the behaviour half for a file that cannot be
// read: a usage error naming it, before any AWS call (no region is set).
func TestPolicyCheckBadFile(t *testing.T) {
	ios, _, out, _ := ui.Test()
	common := testFactory(t, nil).common()
	common.IO = ios
	err := policyCheckRun(context.Background(), &PolicyCheckOptions{CommonOptions: common, File: "testdata/none.yaml", Format: "table"})
	if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), "testdata/none.yaml: reading policy") || out.Len() != 0 {
		t.Fatalf("err = %v, out %q", err, out)
	}
}
