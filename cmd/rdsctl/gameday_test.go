package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/failover"
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
