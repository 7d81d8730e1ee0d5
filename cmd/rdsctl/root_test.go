package main

import (
	"context"
	"strings"
	"testing"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// TestExecuteExitCodes drives the real command tree in-process: argv in,
// exit code and stderr out. The scripts test the same through the binary.
func TestExecuteExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string // substring; "" means stderr must be empty
		wantStdout string
	}{
		{"version", []string{"version"}, 0, "", "rdsctl version test"},
		{"help", []string{"--help"}, 0, "", "Exit codes:"},
		{"group help", []string{"lab"}, 0, "", "Available Commands"},
		{"unknown command", []string{"nope"}, 2, "rdsctl: unknown command \"nope\" for \"rdsctl\"\nRun 'rdsctl --help' for usage.\n", ""},
		{"unknown subcommand", []string{"lab", "nope"}, 2, "Run 'rdsctl lab --help' for usage.", ""},
		{"unknown flag", []string{"version", "--nope"}, 2, "rdsctl: unknown flag: --nope\nRun 'rdsctl version --help' for usage.\n", ""},
		{"unknown shorthand", []string{"-Z"}, 2, "unknown shorthand flag: 'Z'", ""},
		{"extra args", []string{"version", "x"}, 2, "unknown command \"x\" for \"rdsctl version\"", ""},
		{"bad output", []string{"-o", "csv", "version"}, 2, "invalid output format \"csv\"", ""},
		{"bad port", []string{"lab", "up", "--port", "-1"}, 2, "invalid --port -1", ""},
		{"bad duration", []string{"lab", "up", "--failover-delay", "soon"}, 2, "invalid argument \"soon\"", ""},
		{"no lab", []string{"lab", "down", "--dir", "/nonexistent/rdsctl-lab"}, 1, "rdsctl: no lab is running in /nonexistent/rdsctl-lab", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := ui.Test()
			f := newFactory(ios)
			f.Version = "test"
			got := execute(context.Background(), f, tt.args)
			if got != tt.want {
				t.Errorf("exit code = %d, want %d (stderr %q)", got, tt.want, errOut)
			}
			if tt.wantStderr == "" && errOut.Len() > 0 {
				t.Errorf("unexpected stderr %q", errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantStderr)
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantStdout)
			}
			if tt.want != 0 && strings.Count(errOut.String(), "rdsctl: ") != 1 {
				t.Errorf("error printed %d times: %q", strings.Count(errOut.String(), "rdsctl: "), errOut)
			}
		})
	}
}

// TestGlobalFlags checks argv -> GlobalOptions, and that the global flags
// are accepted before and after the subcommand.
func TestGlobalFlags(t *testing.T) {
	tests := []struct {
		args []string
		want GlobalOptions
	}{
		{[]string{"version"}, GlobalOptions{Output: "table"}},
		{[]string{"--region", "eu-west-1", "--profile", "staging", "version"},
			GlobalOptions{Region: "eu-west-1", Profile: "staging", Output: "table"}},
		{[]string{"version", "--endpoint-url", "http://127.0.0.1:4599", "-o", "json", "--no-color", "-y"},
			GlobalOptions{EndpointURL: "http://127.0.0.1:4599", Output: "json", NoColor: true, Yes: true}},
		{[]string{"-oyaml", "--yes", "version"}, GlobalOptions{Output: "yaml", Yes: true}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, errOut := ui.Test()
			ios.SetTTY(true)
			f := newFactory(ios)
			if code := execute(context.Background(), f, tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if f.Global != tt.want {
				t.Errorf("globals = %+v, want %+v", f.Global, tt.want)
			}
			if f.Format() != ui.Format(tt.want.Output) {
				t.Errorf("format = %q", f.Format())
			}
			if ios.ColorEnabled == tt.want.NoColor {
				t.Errorf("ColorEnabled = %v with --no-color=%v", ios.ColorEnabled, tt.want.NoColor)
			}
			if ios.AssumeYes != tt.want.Yes {
				t.Errorf("AssumeYes = %v", ios.AssumeYes)
			}
		})
	}
}

// TestEveryGroupIsStrict guards the rule that no command exits 0 on an
// unknown subcommand, including groups added later.
func TestEveryGroupIsStrict(t *testing.T) {
	ios, _, _, _ := ui.Test()
	root := NewCmdRoot(newFactory(ios))
	for _, c := range root.Commands() {
		if c.HasSubCommands() && !c.Runnable() {
			t.Errorf("group %q has no RunE: `rdsctl %s bogus` would exit 0", c.Name(), c.Name())
		}
	}
}

func TestVersionRun(t *testing.T) {
	for _, format := range []ui.Format{ui.FormatTable, ui.FormatJSON, ui.FormatYAML} {
		ios, _, out, _ := ui.Test()
		if err := versionRun(&VersionOptions{CommonOptions: CommonOptions{IO: ios, Format: format}, Version: "v1.2.3"}); err != nil {
			t.Fatal(err)
		}
		want := map[ui.Format]string{
			ui.FormatTable: "rdsctl version v1.2.3 (",
			ui.FormatJSON:  `"version": "v1.2.3"`,
			ui.FormatYAML:  "version: v1.2.3\n",
		}[format]
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: %q does not contain %q", format, out, want)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	version = "v9.9.9"
	if got := buildVersion(); got != "v9.9.9" {
		t.Errorf("buildVersion() = %q with ldflags version set", got)
	}
	version = ""
	if got := buildVersion(); got == "" {
		t.Error("buildVersion() is empty without ldflags")
	}
}
