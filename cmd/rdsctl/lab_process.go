package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

// labLogFile receives a detached lab's stdout and stderr.
const labLogFile = "lab.log"

// labUpDetached starts `rdsctl lab up` (foreground) again as a child in its
// own session, so that it survives this process and the terminal, and
// returns once that child's API answers. If the child dies first, the error
// carries the end of its log, which is where the reason is.
func labUpDetached(ctx context.Context, opts *LabUpOptions, dir string) error {
	ios := opts.IO
	if ri, err := lab.ReadRunInfo(dir); err == nil && proc.Alive(ri.PID) {
		return fmt.Errorf("a lab is already running in %s (pid %d, %s)", dir, ri.PID, ri.Endpoint)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating lab directory: %w", err)
	}
	exe, err := opts.Executable()
	if err != nil {
		return fmt.Errorf("finding the rdsctl executable: %w", err)
	}
	logPath := filepath.Join(dir, labLogFile)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening lab log: %w", err)
	}
	defer logf.Close()
	logStart, _ := logf.Seek(0, io.SeekEnd)
	fmt.Fprintf(logf, "--- rdsctl lab up --detach at %s\n", time.Now().UTC().Format(time.RFC3339))

	args := []string{"lab", "up", "--dir", dir,
		"--port", strconv.Itoa(opts.Port),
		"--failover-delay", opts.FailoverDelay.String(),
		"--failover-mode", opts.FailoverMode,
		"--no-color"}
	if opts.Region != "" {
		args = append(args, "--region", opts.Region)
	}
	if opts.NoEngine {
		args = append(args, "--no-engine")
	}
	args = append(args, opts.faultArgs()...)
	child := exec.Command(exe, args...)
	child.Stdin = nil // /dev/null
	child.Stdout, child.Stderr = logf, logf
	child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := child.Start(); err != nil {
		return fmt.Errorf("starting detached lab: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()

	ri, err := waitLabUp(ctx, dir, child.Process.Pid, exited)
	if err != nil {
		if !errors.Is(err, errLabExited) {
			_ = child.Process.Signal(syscall.SIGTERM)
		} else if reason := logReason(logPath, logStart); reason != "" {
			// The child's own error ("address already in use") says more
			// than its exit status.
			err = fmt.Errorf("%s (the detached %w)", reason, err)
		}
		return fmt.Errorf("%w\n%s", err, logTail(logPath, logStart, 20))
	}
	fmt.Fprintln(ios.Out, ri.Endpoint)
	ios.Successf("lab running in the background (pid %d, state in %s, log %s)", ri.PID, dir, logPath)
	ios.Infof("  %s", envHint(dir, opts.Getenv))
	ios.Infof("  stop it with %s", labCommandLine("down", dir, opts.Getenv))
	return nil
}

var errLabExited = errors.New("lab exited during startup")

// waitLabUp polls until the child has written lab.json and answers on its
// control API, the child exits, or labStartTimeout passes.
func waitLabUp(ctx context.Context, dir string, pid int, exited <-chan error) (lab.RunInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, labStartTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			if err == nil {
				return lab.RunInfo{}, errLabExited
			}
			return lab.RunInfo{}, fmt.Errorf("%w: %w", errLabExited, err)
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return lab.RunInfo{}, fmt.Errorf("lab did not answer within %s", labStartTimeout)
			}
			return lab.RunInfo{}, ctx.Err()
		case <-tick.C:
		}
		ri, err := lab.ReadRunInfo(dir)
		if err != nil || ri.PID != pid {
			continue
		}
		cctx, ccancel := context.WithTimeout(ctx, time.Second)
		_, err = lab.FetchStatus(cctx, ri.Endpoint)
		ccancel()
		if err == nil {
			return ri, nil
		}
	}
}

// logReason is the last error a detached lab wrote to its log after
// offset from (its "rdsctl: " line), without the prefix; "" if none.
func logReason(path string, from int64) string {
	b, err := os.ReadFile(path)
	if err != nil || from > int64(len(b)) {
		return ""
	}
	reason := ""
	for _, l := range strings.Split(string(b[max(from, 0):]), "\n") {
		if r, ok := strings.CutPrefix(l, "rdsctl: "); ok {
			reason = r
		}
	}
	return reason
}

// logTail returns the last n lines that the log gained after offset from.
func logTail(path string, from int64, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	if from > 0 && from <= int64(len(b)) {
		b = b[from:]
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "last lines of %s:", path)
	for _, l := range lines {
		out.WriteString("\n  " + l)
	}
	return out.String()
}

// waitProcessExit polls until pid has exited or ctx ends.
func waitProcessExit(ctx context.Context, pid int) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for proc.Alive(pid) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// faultArgs are the fault flags again, for the detached child.
func (o *LabUpOptions) faultArgs() []string {
	var args []string
	for _, f := range []struct {
		name string
		rate float64
	}{{"--throttle", o.Throttle}, {"--internal-failures", o.InternalFailures}, {"--unavailable", o.Unavailable}} {
		if f.rate != 0 {
			args = append(args, f.name, strconv.FormatFloat(f.rate, 'g', -1, 64))
		}
	}
	if o.Latency != 0 {
		args = append(args, "--latency", o.Latency.String())
	}
	if o.FaultAction != "" {
		args = append(args, "--fault-action", o.FaultAction)
	}
	if o.FaultSeed != 0 {
		args = append(args, "--fault-seed", strconv.FormatUint(o.FaultSeed, 10))
	}
	return args
}
