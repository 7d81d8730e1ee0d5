package main

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

func testFactory(t *testing.T, env map[string]string) *Factory {
	t.Helper()
	ios, _, _, _ := ui.Test()
	f := newFactory(ios)
	f.Getenv = func(k string) string { return env[k] }
	return f
}

// TestNewCmdLabUp is the parsing half of `lab up`: argv in, Options out.
func TestNewCmdLabUp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want LabUpOptions
	}{
		{"defaults", nil, LabUpOptions{Port: 4599, FailoverDelay: 2 * time.Second, FailoverMode: "refuse"}},
		{"all flags", []string{"--dir", "/tmp/l", "--port", "0", "--detach", "--failover-delay", "1m30s", "--failover-mode", "blackhole", "--no-engine"},
			LabUpOptions{Dir: "/tmp/l", Port: 0, Detach: true, FailoverDelay: 90 * time.Second, FailoverMode: "blackhole", NoEngine: true}},
		{"equals syntax", []string{"--port=5000", "--failover-delay=250ms"},
			LabUpOptions{Port: 5000, FailoverDelay: 250 * time.Millisecond, FailoverMode: "refuse"}},
		{"zero delay", []string{"--failover-delay", "0s"}, LabUpOptions{Port: 4599, FailoverMode: "refuse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFactory(t, nil)
			var got *LabUpOptions
			cmd := NewCmdLabUp(f, func(_ context.Context, o *LabUpOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.Dir != tt.want.Dir || got.Port != tt.want.Port || got.Detach != tt.want.Detach ||
				got.FailoverDelay != tt.want.FailoverDelay || got.FailoverMode != tt.want.FailoverMode || got.NoEngine != tt.want.NoEngine {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
			if got.IO != f.IOStreams || got.Getenv == nil || got.Executable == nil {
				t.Error("streams and process hooks not passed on")
			}
		})
	}
}

func TestNewCmdLabUpRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--port", "65536"},
		{"--port", "-1"},
		{"--failover-delay", "-5s"},
		{"--failover-delay", "5"},
		{"--failover-mode", "drop"},
		{"extra"},
		{"--throttle", "1.5"},
		{"--throttle", "-0.1"},
		{"--throttle", "NaN"},
		{"--unavailable", "2"},
		{"--internal-failures", "-1"},
		{"--latency", "-1s"},
		{"--latency", "2h"},
		{"--throttle", "0.3", "--fault-action", "NoSuchAction"},
		{"--fault-action", "DescribeEvents"},
		{"--fault-seed", "-1"},
	} {
		f := testFactory(t, nil)
		cmd := NewCmdLabUp(f, func(context.Context, *LabUpOptions) error {
			t.Errorf("%v: run called", args)
			return nil
		})
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestLabUpFaults: the fault flags become the lab's faults, and a
// detached lab gets the same flags back.
func TestLabUpFaults(t *testing.T) {
	args := []string{"--throttle", "0.3", "--internal-failures", "0.05", "--unavailable", "0.125",
		"--latency", "150ms", "--fault-action", "DescribeDBParameters", "--fault-seed", "42"}
	parse := func(args []string) *LabUpOptions {
		t.Helper()
		var got *LabUpOptions
		cmd := NewCmdLabUp(testFactory(t, nil), func(_ context.Context, o *LabUpOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	opts := parse(args)
	want := []lab.Fault{
		{Action: "DescribeDBParameters", Code: "Throttling", Rate: 0.3, Seed: 42},
		{Action: "DescribeDBParameters", Code: "InternalFailure", Rate: 0.05, Seed: 43},
		{Action: "DescribeDBParameters", Code: "ServiceUnavailable", Rate: 0.125, Seed: 44},
		{Action: "DescribeDBParameters", Latency: 150 * time.Millisecond, Rate: 1},
	}
	if got := opts.faults(); !reflect.DeepEqual(got, want) {
		t.Fatalf("faults = %+v\nwant %+v", got, want)
	}
	if got := parse(opts.faultArgs()).faults(); !reflect.DeepEqual(got, want) {
		t.Fatalf("detached child's faults = %+v\nwant %+v (args %q)", got, want, opts.faultArgs())
	}
	if f := parse(nil); len(f.faults()) != 0 || len(f.faultArgs()) != 0 {
		t.Fatalf("no fault flags: faults %+v, args %q", f.faults(), f.faultArgs())
	}
}

func TestNewCmdLabDirCommands(t *testing.T) {
	for _, newCmd := range []func(*Factory, func(context.Context, *LabDirOptions) error) *cobra.Command{
		NewCmdLabDown, NewCmdLabStatus, NewCmdLabEnv,
	} {
		for _, args := range [][]string{nil, {"--dir", "/x/y"}} {
			f := testFactory(t, nil)
			var got *LabDirOptions
			cmd := newCmd(f, func(_ context.Context, o *LabDirOptions) error { got = o; return nil })
			cmd.SetArgs(args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			want := ""
			if len(args) > 0 {
				want = args[1]
			}
			if got.Dir != want {
				t.Errorf("%s %v: Dir = %q, want %q", cmd.Name(), args, got.Dir, want)
			}
			if got.Format != ui.FormatTable {
				t.Errorf("%s: Format = %q", cmd.Name(), got.Format)
			}
		}
	}
}

func TestDefaultLabDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"RDSCTL_LAB_DIR": "/a/lab", "XDG_STATE_HOME": "/x", "HOME": "/h"}, "/a/lab"},
		{map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/rdsctl/lab"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/rdsctl/lab"},
	}
	for _, tt := range tests {
		got, err := defaultLabDir(func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("defaultLabDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	got, err := resolveLabDir("rel", func(string) string { return "" })
	if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "rel" {
		t.Errorf("resolveLabDir(rel) = %q, %v", got, err)
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"":                    "''",
		"us-east-1":           "'us-east-1'",
		"http://127.0.0.1:1":  "'http://127.0.0.1:1'",
		"it's":                `'it'\''s'`,
		"$HOME `x` \"y\" a b": "'$HOME `x` \"y\" a b'",
	}
	for in, want := range tests {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
		// Round trip through a real shell.
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read back %q (%v), want %q", out, err, in)
		}
	}
	if got := shellWord("/tmp/lab"); got != "/tmp/lab" {
		t.Errorf("shellWord kept quotes on a safe word: %q", got)
	}
	if got := shellWord("/tmp/my lab"); got != "'/tmp/my lab'" {
		t.Errorf("shellWord(/tmp/my lab) = %q", got)
	}
}

func TestLabCommandLine(t *testing.T) {
	env := map[string]string{"RDSCTL_LAB_DIR": "/state/lab"}
	getenv := func(k string) string { return env[k] }
	if got := labCommandLine("env", "/state/lab", getenv); got != "rdsctl lab env" {
		t.Errorf("default dir: %q", got)
	}
	if got := labCommandLine("down", "/other dir", getenv); got != "rdsctl lab down --dir '/other dir'" {
		t.Errorf("other dir: %q", got)
	}
}

var testStatus = lab.Status{
	PID:       4242,
	Endpoint:  "http://127.0.0.1:4599",
	Dir:       "/state/lab",
	Region:    "us-east-1",
	Account:   "000000000000",
	StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	Instances: []lab.InstanceStatus{
		{ID: "staging-db", Status: "available", EnginePID: 4300, Port: 33061, Region: "us-east-1", Account: "000000000000"},
		{ID: "far-db", Status: "available", EnginePID: 4400, Port: 33062, Region: "eu-west-1", Account: "111111111111"},
	},
	Outages: []lab.Outage{{
		Instance:   "staging-db",
		Cause:      "failover",
		CutAt:      time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC),
		RestoredAt: time.Date(2026, 1, 2, 3, 5, 2, 500_000_000, time.UTC),
		Region:     "us-east-1",
		Account:    "000000000000",
	}},
}

// TestPrintLabStatus is the behaviour half of `lab status`, with the TTY
// off (greppable lines) and on (blocks and aligned tables, no colour).
func TestPrintLabStatus(t *testing.T) {
	t.Run("piped", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		if err := printLabStatus(ios, testStatus); err != nil {
			t.Fatal(err)
		}
		want := "pid:\t4242\n" +
			"endpoint:\thttp://127.0.0.1:4599\n" +
			"dir:\t/state/lab\n" +
			"region:\tus-east-1\n" +
			"account:\t000000000000\n" +
			"started_at:\t2026-01-02T03:04:05Z\n" +
			"instance:\tstaging-db\tavailable\t4300\t33061\tus-east-1\t000000000000\n" +
			"instance:\tfar-db\tavailable\t4400\t33062\teu-west-1\t111111111111\n" +
			"outage:\tstaging-db\tfailover\t2026-01-02T03:05:00Z\t2026-01-02T03:05:02.5Z\tus-east-1\t000000000000\n"
		if out.String() != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
	})
	t.Run("tty", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		ios.DisableColor()
		if err := printLabStatus(ios, testStatus); err != nil {
			t.Fatal(err)
		}
		want := "pid:         4242\n" +
			"endpoint:    http://127.0.0.1:4599\n" +
			"dir:         /state/lab\n" +
			"region:      us-east-1\n" +
			"account:     000000000000\n" +
			"started_at:  2026-01-02T03:04:05Z\n" +
			"\nInstances\n" +
			"ID          STATUS     ENGINE PID  PORT   REGION     ACCOUNT\n" +
			"staging-db  available  4300        33061  us-east-1  000000000000\n" +
			"far-db      available  4400        33062  eu-west-1  111111111111\n" +
			"\nOutages\n" +
			"INSTANCE    CAUSE     CUT AT                RESTORED AT             DOWNTIME  REGION     ACCOUNT\n" +
			"staging-db  failover  2026-01-02T03:05:00Z  2026-01-02T03:05:02.5Z  2.5s      us-east-1  000000000000\n"
		if out.String() != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
	})
	t.Run("tty colour", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		if err := printLabStatus(ios, testStatus); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\x1b[") {
			t.Error("no colour on a colour TTY")
		}
	})
}

// TestLabEnvAndStatusAgainstLab runs env and status against a lab served
// in-process.
func TestLabEnvAndStatusAgainstLab(t *testing.T) {
	l := labtest.Start(t)
	dir := l.Dir()
	ctx := context.Background()

	ios, _, out, _ := ui.Test()
	if err := labEnvRun(ctx, &LabDirOptions{CommonOptions: CommonOptions{IO: ios, Getenv: func(string) string { return "" }}, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"export AWS_ENDPOINT_URL_RDS='" + l.Endpoint() + "'\n",
		"export AWS_ENDPOINT_URL_STS='" + l.Endpoint() + "'\n",
		"export AWS_REGION='us-east-1'\n",
		"export AWS_ACCESS_KEY_ID='rdsctl-lab'\n",
		"export AWS_SECRET_ACCESS_KEY='rdsctl-lab'\n",
		"export RDSCTL_DB_PASSWORD='" + labDBPassword + "'\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab env output lacks %q:\n%s", want, out)
		}
	}
	// The output must survive eval.
	sh := exec.Command("sh", "-c", `eval "$(cat)"; printf %s "$AWS_ENDPOINT_URL_RDS"`)
	sh.Stdin = strings.NewReader(out.String())
	got, err := sh.Output()
	if err != nil || string(got) != l.Endpoint() {
		t.Errorf("eval gave %q, %v", got, err)
	}

	ios, _, out, _ = ui.Test()
	if err := labStatusRun(ctx, &LabDirOptions{CommonOptions: CommonOptions{IO: ios, Format: ui.FormatJSON}, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"pid": `, `"endpoint": "` + l.Endpoint() + `"`, `"dir": "` + dir + `"`, `"instances": []`, `"outages": []`} {
		if !strings.Contains(out.String(), key) {
			t.Errorf("status json lacks %s:\n%s", key, out)
		}
	}
}

// TestPrintLabStatusCluster: an Aurora cluster, and its failover's outage
// named by the cluster and the writers it moved between.
func TestPrintLabStatusCluster(t *testing.T) {
	st := lab.Status{PID: 1, Endpoint: "http://127.0.0.1:4599", Dir: "/state/lab", Region: "us-east-1",
		Clusters: []lab.ClusterStatus{{ID: "c1", Status: "available", Writer: "r1", Readers: []string{"w1", "r2"},
			WriterEndpoint: "127.0.0.1:40001", ReaderEndpoint: "127.0.0.2:40001", Region: "us-east-1", Account: "000000000000"}},
		Outages: []lab.Outage{{Cluster: "c1", OldWriter: "w1", NewWriter: "r1", Cause: "failover",
			CutAt:      time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC),
			RestoredAt: time.Date(2026, 1, 2, 3, 5, 0, 400_000_000, time.UTC), Region: "us-east-1", Account: "000000000000"}},
	}
	ios, _, out, _ := ui.Test()
	if err := printLabStatus(ios, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"cluster:\tc1\tavailable\tr1\tw1,r2\t127.0.0.1:40001\t127.0.0.2:40001\tus-east-1\t000000000000\n",
		"outage:\tcluster c1\tfailover w1->r1\t2026-01-02T03:05:00Z\t2026-01-02T03:05:00.4Z\tus-east-1\t000000000000\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("piped lab status lacks %q:\n%s", want, out)
		}
	}
	ios, _, out, _ = ui.Test()
	ios.SetTTY(true)
	ios.DisableColor()
	if err := printLabStatus(ios, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nClusters\n", "c1  available  r1      w1,r2    127.0.0.1:40001", "cluster c1  failover w1->r1", "400ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab status on a TTY lacks %q:\n%s", want, out)
		}
	}
}
