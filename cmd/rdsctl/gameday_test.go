package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// TestGamedayProgressPiped: off a terminal every step and every change of
// a probe's state is one timestamped line; repeated states print nothing.
func TestGamedayProgressPiped(t *testing.T) {
	var buf bytes.Buffer
	p := newGamedayProgress(&buf, false)
	ok := failover.Observation{OK: true}
	refused := failover.Observation{Class: "refused"}
	p.logf("step %d: %s", 1, "failover")
	p.observe("database", ok)
	p.observe("database", ok)
	p.observe("database", refused)
	p.observe("database", refused)
	p.observe("app", failover.Observation{Class: "502"})
	p.observe("app", ok)
	p.close()
	got := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3} `).ReplaceAllString(buf.String(), "T ")
	want := "T step 1: failover\nT probe database: ok -> refused\nT probe app: 502 -> ok\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestGamedayProgressTTY: on a terminal the probes' states live on one
// status line, rewritten in place, and step lines go above it.
func TestGamedayProgressTTY(t *testing.T) {
	var buf bytes.Buffer
	p := newGamedayProgress(&buf, true)
	p.observe("database", failover.Observation{OK: true})
	p.last = time.Time{}
	p.observe("app", failover.Observation{Class: "504"})
	p.logf("step 2: verify")
	p.close()
	out := buf.String()
	for _, want := range []string{"\r\x1b[K  database ok×1 │ app 504×1", "\r\x1b[Kstep 2: verify\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the status line is not cleared at the end: %q", out)
	}
}

// TestGamedayConfirmOnTTY: on a terminal, gameday run asks once it has
// checked the target and before any change; "n" cancels (exit 2) with
// nothing sent and no report, "y" runs the drill.
func TestGamedayConfirmOnTTY(t *testing.T) {
	e := newInstanceEnv(t, 0, false)
	e.createGroup("g")
	dir := t.TempDir()
	file := filepath.Join(dir, "drill.yaml")
	drill := "name: tty\ntarget: {instance: db}\nsteps:\n  - sleep: 10ms\nrollback: true\n"
	if err := os.WriteFile(file, []byte(drill), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		answer string
		ran    bool
	}{{"n\n", false}, {"", false}, {"y\n", true}} {
		mark := len(labtest.Requests(t, e.lab))
		c, ios, out, errOut := e.common(nil, false)
		ios.SetTTY(true)
		ios.DisableColor()
		ios.In = strings.NewReader(tt.answer)
		c.AWSConfig = func(context.Context) (aws.Config, error) {
			return aws.Config{Region: e.lab.Region(), BaseEndpoint: aws.String(e.lab.Endpoint()),
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}, nil
		}
		c.Getenv = func(k string) string { return map[string]string{verify.EnvPassword: scriptDBPassword}[k] }
		report := filepath.Join(dir, "report-"+fmt.Sprint(tt.ran, len(tt.answer)))
		err := gamedayRun(e.ctx, &GamedayOptions{CommonOptions: c, File: file, ReportDir: report,
			DB: dbConnFlags{TLS: "auto", ConnectTimeout: verify.DefaultConnectTimeout, ReadTimeout: verify.DefaultReadTimeout, WriteTimeout: verify.DefaultWriteTimeout}})
		if !strings.Contains(errOut.String(), `? Run game day "tty" on db (1 steps, rolled back after)? [y/N]`) {
			t.Errorf("answer %q: no prompt in %q", tt.answer, errOut)
		}
		_, statErr := os.Stat(filepath.Join(report, "report.json"))
		if tt.ran {
			if err != nil || statErr != nil || !strings.Contains(out.String(), "tty: passed") {
				t.Errorf("answer %q: err %v, report %v, stdout %q", tt.answer, err, statErr, out)
			}
			continue
		}
		if !errors.Is(err, cli.ErrCanceled) || cli.ExitCode(err) != cli.ExitUsage || statErr == nil || out.Len() != 0 {
			t.Errorf("answer %q: err %v, report %v, stdout %q", tt.answer, err, statErr, out)
		}
		for _, r := range labtest.Requests(t, e.lab)[mark:] {
			if !strings.HasPrefix(r.Action, "Describe") {
				t.Errorf("answer %q: %s sent", tt.answer, r.Action)
			}
		}
	}
}
