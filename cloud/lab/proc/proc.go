// Package proc tells whether a process still runs, for the lab's callers
// that find a pid in a file: `rdsctl lab` with the lab's pid in lab.json,
// and the lab with a dead lab's mariadbd in its pid file.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Alive reports whether pid is a live process. A zombie counts as gone: it
// holds no files, locks or ports, and where nothing reaps it (a dead lab's
// orphans in a container whose pid 1 does not reap) it would otherwise look
// alive forever. But every task (thread) is asked, not only the leader: the
// leader of a SIGKILLed multi-threaded mariadbd turns zombie before its
// other threads have finished exiting, and until they have, the datadir's
// locks (ibdata1, aria_log_control) are still held, so a server started on
// it then fails to take them. EPERM from kill(pid, 0) means alive but
// someone else's.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		state, ok := stateOf(fmt.Sprintf("/proc/%d/stat", pid))
		return !ok || !gone(state)
	}
	for _, t := range tasks {
		state, ok := stateOf(fmt.Sprintf("/proc/%d/task/%s/stat", pid, t.Name()))
		if ok && !gone(state) { // a task that exited meanwhile is not ok
			return true
		}
	}
	return false
}

// gone reports whether a task in state Z (zombie) or X (dead) has finished.
func gone(state byte) bool { return state == 'Z' || state == 'X' }

// stateOf reads the state letter from a /proc stat file (Linux only; ok is
// false where there is none, or the task exited meanwhile). The command
// name before it may hold spaces and parentheses, so the state is found
// after the last ')'.
func stateOf(statFile string) (state byte, ok bool) {
	b, err := os.ReadFile(statFile)
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, false
	}
	return b[i+2], true
}
