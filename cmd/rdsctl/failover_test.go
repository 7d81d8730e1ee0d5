package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/failover"
)

func parseFailover(t *testing.T, command string, args ...string) (*FailoverOptions, error) {
	t.Helper()
	f := testFactory(t, nil)
	var got *FailoverOptions
	run := func(_ context.Context, o *FailoverOptions) error { got = o; return nil }
	cmd := NewCmdFailover(f, run)
	if command == "reboot" {
		cmd = NewCmdReboot(f, run)
	}
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		if got != nil {
			t.Errorf("%v: run called despite %v", args, err)
		}
		return nil, err
	}
	return got, nil
}

func TestFailoverParsing(t *testing.T) {
	o, err := parseFailover(t, "failover", "staging-db", "--max-downtime", "60s", "--probe-interval", "250ms",
		"--no-verify", "--probe-write", "--timeout", "5m", "--expect", "wait_timeout=300", "--db-user", "probe")
	if err != nil {
		t.Fatal(err)
	}
	if o.Command != "failover" || !o.Failover || o.Instance != "staging-db" || o.MaxDowntime != time.Minute ||
		o.ProbeInterval != 250*time.Millisecond || !o.NoVerify || !o.ProbeWrite || o.Timeout != 5*time.Minute ||
		len(o.Verify.Expect) != 1 || o.Verify.Login.User != "probe" {
		t.Errorf("options = %+v", o)
	}
	o, err = parseFailover(t, "reboot", "db")
	if err != nil {
		t.Fatal(err)
	}
	if o.Command != "reboot" || o.Failover || o.ProbeInterval != failover.DefaultInterval || o.Timeout != failover.DefaultTimeout {
		t.Errorf("reboot defaults = %+v", o)
	}
	if o, err = parseFailover(t, "reboot", "db", "--failover"); err != nil || !o.Failover {
		t.Errorf("reboot --failover: %+v, %v", o, err)
	}
	o, err = parseFailover(t, "failover", "--cluster", " Aur ", "--target", "Aur-2", "--max-downtime", "5s")
	if err != nil || o.Cluster != "aur" || o.Target != "aur-2" || o.Instance != "" || o.MaxDowntime != 5*time.Second {
		t.Errorf("failover --cluster: %+v, %v", o, err)
	}
}

func TestFailoverParsingRejects(t *testing.T) {
	for _, tc := range []struct {
		command string
		args    []string
		msg     string
	}{
		{"failover", nil, "name the DB instance to failover"},
		{"failover", []string{"a", "b"}, "accepts at most 1 arg"},
		{"failover", []string{"db", "--cluster", "c"}, "not both"},
		{"failover", []string{"--cluster", "c_1!"}, "invalid DB cluster identifier"},
		{"failover", []string{"--cluster", "c", "--target", "r_1!"}, "invalid --target"},
		{"failover", []string{"db", "--target", "r"}, "--target goes with --cluster"},
		{"failover", []string{"db", "--max-downtime", "-1s"}, "must not be negative"},
		{"failover", []string{"db", "--probe-interval", "1ms"}, "at least 10ms"},
		{"failover", []string{"db", "--timeout", "0s"}, "must be positive"},
		{"failover", []string{"db", "--expect", "novalue"}, "novalue"},
		{"failover", []string{"db", "--tls", "maybe"}, "invalid --tls"},
		{"reboot", []string{"db", "--cluster", "c"}, "unknown flag: --cluster"},
	} {
		_, err := parseFailover(t, tc.command, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %v: err = %v, want %q", tc.command, tc.args, err, tc.msg)
			continue
		}
		if !strings.Contains(tc.msg, "unknown flag") && !strings.Contains(tc.msg, "accepts at most") && cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%s %v: exit %d, want 2", tc.command, tc.args, cli.ExitCode(err))
		}
	}
}

func testFailoverReport() *failover.Result {
	at := func(s float64) time.Time {
		return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(s * float64(time.Second)))
	}
	first, rec, avail := at(0.1), at(2.2), at(2.5)
	api := 2.5
	res := &failover.Result{Instance: "staging-db", Operation: "failover", OldPrimaryAZ: "us-east-1a", NewPrimaryAZ: "us-east-1b",
		TriggeredAt: at(0), AvailableAt: &avail, APISeconds: &api,
		Summary: failover.Summary{DowntimeSeconds: 2.1, DowntimeMinSeconds: 2.0, DowntimeMaxSeconds: 2.2, FirstFailureAt: &first,
			RecoveredAt: &rec, Recovered: true, ErrorClasses: map[string]int{"refused": 20, "gone_away": 1, "timeout": 0},
			OldPrimary: &failover.Server{ServerID: 1, Hostname: "a"}, NewPrimary: &failover.Server{ServerID: 2, Hostname: "b"}, PrimaryChanged: true},
		Timeline: []failover.Entry{{At: at(0), Source: "api", Text: "RebootDBInstance ForceFailover=true accepted"},
			{At: at(0.1), Source: "probe", Text: "refused ×20"}}}
	max := 1.0
	res.MaxDowntimeSeconds, res.MaxDowntimeExceeded = &max, true
	return res
}

// TestPrintFailoverReport pins the human report, piped.
func TestPrintFailoverReport(t *testing.T) {
	ios, _, out, _ := ui.Test()
	rep := testFailoverReport()
	if err := printFailoverReport(ios, &FailoverOptions{ProbeInterval: 100 * time.Millisecond}, rep); err != nil {
		t.Fatal(err)
	}
	want := "instance:\tstaging-db\n" +
		"operation:\tfailover\n" +
		"downtime:\t2.100s (between 2.000s and 2.200s at a 100ms probe interval), over --max-downtime 1s\n" +
		"first failure at:\t2026-01-02T03:04:05.1Z\n" +
		"recovered at:\t2026-01-02T03:04:07.2Z\n" +
		"clients saw:\trefused ×20, gone_away ×1\n" +
		"availability zone:\tus-east-1a -> us-east-1b\n" +
		"primary server:\tserver_id 1 (a) -> server_id 2 (b)\n" +
		"API available after:\t2.500s\n" +
		"\nTimeline\n" +
		"+0.000s  api    RebootDBInstance ForceFailover=true accepted\n" +
		"+0.100s  probe  refused ×20\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if err := failoverOutcome(ios, rep); cli.ExitCode(err) != cli.ExitFindings || !strings.Contains(err.Error(), "exceeded --max-downtime 1s") {
		t.Errorf("outcome = %v", err)
	}
	rep.MaxDowntimeExceeded = false
	if err := failoverOutcome(ios, rep); err != nil {
		t.Errorf("outcome within the limit = %v", err)
	}
}

// TestPrintFailoverReportInFlight: a run stopped before the API said
// available does not know where the primary ends up, so it does not claim
// the zone or the server unchanged.
func TestPrintFailoverReportInFlight(t *testing.T) {
	ios, _, out, _ := ui.Test()
	rep := testFailoverReport()
	rep.AvailableAt, rep.APISeconds, rep.NewPrimaryAZ, rep.NewPrimary = nil, nil, "", nil
	rep.PrimaryChanged, rep.Recovered, rep.RecoveredAt, rep.Interrupted = false, false, nil, true
	if err := printFailoverReport(ios, &FailoverOptions{ProbeInterval: 100 * time.Millisecond}, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"availability zone:\tus-east-1a -> ? (still in flight when the run stopped; rdsctl status staging-db shows where it ends)\n",
		"primary server:\tserver_id 1 (a) -> ? (not seen back yet)\n",
		"interrupted:\tyes",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "unchanged") || strings.Contains(out.String(), "same server") {
		t.Errorf("an interrupted run claims nothing moved:\n%s", out)
	}
}
