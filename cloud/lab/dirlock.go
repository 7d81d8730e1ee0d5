package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFile is held (flock) by the lab serving from a dir. The kernel drops
// the lock when the process dies, however it dies, so a kill -9 never leaves
// a dir locked; lab.json alone could not tell a dead lab from a reused pid.
const lockFile = "lab.lock"

type dirLock struct{ f *os.File }

// acquireDirLock takes the dir's lock, or says which lab holds it. The
// flock alone decides: the kernel drops it when its holder dies, however
// it dies, while a pid in lab.json may be a zombie or reused.
func acquireDirLock(dir string) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lab lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := lockHolder(dir)
			return nil, fmt.Errorf("a lab is already running in %s (pid %d)", dir, pid)
		}
		return nil, fmt.Errorf("locking lab dir: %w", err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// runInfoPID is the pid named by <dir>/lab.json, or 0.
func runInfoPID(dir string) int {
	ri, err := ReadRunInfo(dir)
	if err != nil {
		return 0
	}
	return ri.PID
}

func lockHolder(dir string) int {
	if pid := runInfoPID(dir); pid != 0 {
		return pid
	}
	b, _ := os.ReadFile(filepath.Join(dir, lockFile))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func (d *dirLock) release() {
	if d == nil || d.f == nil {
		return
	}
	syscall.Flock(int(d.f.Fd()), syscall.LOCK_UN)
	d.f.Close()
	d.f = nil
}
