package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestEndlessInput is the worst input found so far: `params apply -f
// /dev/zero --yes` once grew past 12 GB and ignored SIGTERM. Endless input
// must end in an error naming the limit, and a read that never ends (a
// pipe nobody closes) must stop at SIGTERM, with no mutating call.
func TestEndlessInput(t *testing.T) {
	l := labtest.Start(t)
	env := cliEnv(t, l)
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close() // held open: the read never sees EOF

	for _, c := range []struct {
		name string
		run  cliRun
		exit int
		want string
	}{
		{"device path", cliRun{Args: []string{"params", "apply", "-f", "/dev/zero", "--yes"}}, 2, "/dev/zero: reading desired-state file: not a regular file (a device)"},
		{"endless stdin", cliRun{Args: []string{"params", "apply", "-f", "-", "--yes"}, StdinFile: zero}, 2, "<stdin>: file is larger than 1048576 bytes, the limit for a desired-state file"},
		{"SIGTERM mid-read", cliRun{Args: []string{"params", "apply", "-f", "-", "--yes"}, StdinFile: pr,
			Signal: syscall.SIGTERM, SignalAfter: 2 * time.Second}, 1, "interrupted"},
		// A pipe named by its path is refused before any read.
		{"pipe by path", cliRun{Args: []string{"policy", "check", "-f", "/dev/stdin"}, StdinFile: pr}, 2, "/dev/stdin: reading policy: not a regular file (a FIFO)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.run.Timeout = 10 * time.Second
			res := runRdsctl(t, env, c.run)
			if res.TimedOut || res.Exit != c.exit || !strings.Contains(res.Stderr, c.want) {
				t.Errorf("exit %d (timed out: %v) after %s, want %d with %q; stderr:\n%s", res.Exit, res.TimedOut, res.Took, c.exit, c.want, res.Stderr)
			}
			if c.run.Signal != 0 && res.Took > c.run.SignalAfter+2*time.Second {
				t.Errorf("took %s to stop after the signal at %s", res.Took, c.run.SignalAfter)
			}
		})
	}
	for _, r := range labtest.Requests(t, l) {
		if isMutating(r) {
			t.Errorf("mutating call %s %s", r.Action, r.Resource)
		}
	}
}
