package mysqld

import (
	"os/exec"
	"runtime"
	"sync"
)

// Children are started with Pdeathsig=SIGKILL so that they die with the lab.
// Linux delivers the parent-death signal when the thread that forked the
// child exits, not when the process does, and Go does end threads: a
// goroutine that returns while it holds runtime.LockOSThread takes its thread
// with it. Forking from whatever thread the caller happens to run on would
// tie each engine's life to that thread. The spawner goroutine locks its own
// thread and never returns, so every child is forked from a thread that lives
// exactly as long as the process.

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

var (
	spawnOnce     sync.Once
	spawnRequests chan spawnRequest
)

// spawn starts cmd from the spawner's thread.
func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnRequests = make(chan spawnRequest)
		go spawner(spawnRequests)
	})
	req := spawnRequest{cmd: cmd, done: make(chan error, 1)}
	spawnRequests <- req
	return <-req.done
}

// spawner forks every child. It never returns: returning would end its
// locked thread and SIGKILL every engine it started.
func spawner(reqs <-chan spawnRequest) {
	runtime.LockOSThread()
	for req := range reqs {
		req.done <- req.cmd.Start()
	}
	select {} // unreachable: reqs is never closed
}
