package proc_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

func TestAlive(t *testing.T) {
	if !proc.Alive(os.Getpid()) {
		t.Fatal("this process is not alive")
	}
	if proc.Alive(0) || proc.Alive(-1) {
		t.Fatal("pid 0 or -1 is alive")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep:", err)
	}
	pid := cmd.Process.Pid
	if !proc.Alive(pid) {
		t.Fatal("a running child is not alive")
	}
	cmd.Process.Kill()
	// Unreaped, the child is a zombie: gone, though kill(pid, 0) succeeds.
	deadline := time.Now().Add(10 * time.Second)
	for proc.Alive(pid) {
		if time.Now().After(deadline) {
			t.Fatal("a killed, unreaped child still counts as alive")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Wait()
	if proc.Alive(pid) {
		t.Fatal("a reaped child is alive")
	}
}
