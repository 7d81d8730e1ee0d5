package mysqld

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

// KillStale kills a mariadbd that a previous owner (a lab that died without
// cleaning up) left running in runDir, and returns its pid, or 0 if there
// was none. Launch does this itself; a restarted lab may call it for run
// directories it will not start again. The pid file is trusted only if that
// process is a mariadbd started with runDir's option file, so a recycled pid
// is never killed. It refuses a run directory that a Server of this process
// is using. Two labs must not share a directory (the lab locks it), because
// each would take the other's engines for stale ones.
func KillStale(runDir string) (int, error) {
	runDir, err := filepath.Abs(runDir)
	if err != nil {
		return 0, err
	}
	if v, ok := running.Load("run:" + runDir); ok {
		return 0, fmt.Errorf("run dir %s belongs to a running server (pid %d) of this process", runDir, v.(*Server).pid)
	}
	return killStale(runDir)
}

func killStale(runDir string) (int, error) {
	pidFile := filepath.Join(runDir, pidFileName)
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", pidFile, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		os.Remove(pidFile)
		return 0, nil
	}
	if !startedWith(pid, "--defaults-file="+filepath.Join(runDir, optionFileName)) {
		os.Remove(pidFile)
		return 0, nil
	}
	// Its own process group (Setpgid); the pid itself too, in case it was
	// started by something that did not make it a group leader.
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	deadline := time.Now().Add(killTimeout)
	for proc.Alive(pid) {
		if time.Now().After(deadline) {
			return pid, fmt.Errorf("stale mariadbd (pid %d) in %s survived SIGKILL for %v", pid, runDir, killTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	os.Remove(pidFile)
	return pid, nil
}

// startedWith reports whether pid is alive and has arg on its command line.
// Every task (thread) is asked, not only the leader: a SIGKILLed mariadbd's
// leader can be a zombie, with no command line left, while its other
// threads still exit and hold its files and locks.
func startedWith(pid int, arg string) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return false
	}
	for _, task := range tasks {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/cmdline", pid, task.Name()))
		if err != nil {
			continue
		}
		for _, a := range bytes.Split(cmdline, []byte{0}) {
			if string(a) == arg {
				return proc.Alive(pid)
			}
		}
	}
	return false
}
