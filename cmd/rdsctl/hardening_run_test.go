package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// cliResult is one run of the real rdsctl binary.
type cliResult struct {
	Stdout, Stderr string
	Exit           int
	Took           time.Duration
	// TimedOut is set when the run outlived its deadline and was killed.
	TimedOut bool
}

// cliRun describes a run of the real binary (the test binary under the
// name rdsctl, which testscript.Main puts on $PATH).
type cliRun struct {
	Args  []string
	Env   []string // appended to the base environment; later entries win
	Stdin string
	// StdinFile, when set, is standard input instead of Stdin (a pipe the
	// test holds open, /dev/zero).
	StdinFile *os.File
	Timeout   time.Duration
	// Signal, when non-zero, is sent after SignalAfter, to check that the
	// command stops at once.
	Signal      syscall.Signal
	SignalAfter time.Duration
}

// runRdsctl runs the real binary with env as its whole environment plus
// r.Env, and kills it at r.Timeout so that a hang fails the test instead
// of stalling it.
func runRdsctl(t testing.TB, env []string, r cliRun) cliResult {
	t.Helper()
	path, err := exec.LookPath("rdsctl")
	if err != nil {
		t.Fatalf("rdsctl is not on $PATH (testscript.Main puts it there): %v", err)
	}
	if r.Timeout == 0 {
		r.Timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, r.Args...)
	cmd.Env = append(append([]string{}, env...), r.Env...)
	cmd.Stdin = strings.NewReader(r.Stdin)
	if r.StdinFile != nil {
		cmd.Stdin = r.StdinFile
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting rdsctl: %v", err)
	}
	if r.Signal != 0 {
		time.AfterFunc(r.SignalAfter, func() { _ = cmd.Process.Signal(r.Signal) })
	}
	err = cmd.Wait()
	res := cliResult{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.TimedOut, res.Exit = true, -1
	case errors.As(err, &ee):
		res.Exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("running rdsctl: %v", err)
	}
	return res
}

// cliEnv is the environment under which the binary talks to l and to
// nothing else: no profile, no default lab, the DB password set.
func cliEnv(t testing.TB, l *lab.Lab) []string {
	home := t.TempDir()
	return append(labtest.Env(l),
		"HOME="+home,
		"PATH="+os.Getenv("PATH"),
		"RDSCTL_LAB_DIR="+home+"/no-lab",
		"NO_COLOR=1",
		"RDSCTL_DB_PASSWORD=corpus-Pa55word",
	)
}

// isMutating reports whether a request-log record is an API call that
// could change something: anything but Describe*, List* and the lab's own
// /_lab/ endpoints.
func isMutating(r lab.RequestRecord) bool {
	return r.Action != "" && !strings.HasPrefix(r.Action, "/_lab/") &&
		!strings.HasPrefix(r.Action, "Describe") && !strings.HasPrefix(r.Action, "List")
}

// accepted counts the records of action that the lab accepted (2xx, not
// faulted).
func accepted(recs []lab.RequestRecord, action string) int {
	n := 0
	for _, r := range recs {
		if r.Action == action && r.Status/100 == 2 {
			n++
		}
	}
	return n
}
