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
// alive forever. EPERM from kill(pid, 0) means alive but someone else's.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !dead(pid)
}

// dead reads the state letter from /proc/<pid>/stat (Linux; false
// elsewhere): Z (zombie) or X (dead). The command name before it may hold
// spaces and parentheses, so the state is found after the last ')'.
func dead(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	return b[i+2] == 'Z' || b[i+2] == 'X'
}
