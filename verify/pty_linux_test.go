//go:build linux

package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the Linux /dev/ptmx interface,
// which is all the test needs from a pty module.
func openPTY() (master, tty *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening /dev/ptmx: %w", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("unlocking pty: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("reading pty number: %w", e)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.FormatUint(uint64(n), 10), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("opening pty: %w", err)
	}
	return master, tty, nil
}

var wtRE = regexp.MustCompile(`WT=(\d+)`)

// interactiveSessionWaitTimeout runs the mariadb client as an engineer
// does: on a terminal, typing the query at its prompt. Only then does the
// client announce CLIENT_INTERACTIVE; with -e, --batch or a pipe for stdin
// it does not, and the trap cannot be seen. It returns the session
// wait_timeout the client saw, and the transcript.
func interactiveSessionWaitTimeout(t *testing.T, client, host string, port int, user, password string) (int64, string) {
	t.Helper()
	master, tty, err := openPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, client, "--no-defaults", "--skip-auto-rehash", "--protocol=TCP",
		"-h", host, "-P", strconv.Itoa(port), "-u", user)
	// MYSQL_PWD keeps the password off the command line.
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+password, "TERM=dumb", "HOME="+t.TempDir())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatalf("starting %s: %v", client, err)
	}
	tty.Close() // the child holds it now; its exit gives EIO on master

	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO once the client exits
		close(done)
	}()
	// Typed at the prompt, as a person would. The terminal buffers the
	// lines until the client reads them.
	fmt.Fprint(master, "SELECT CONCAT('WT=', @@SESSION.wait_timeout) AS x;\n")
	fmt.Fprint(master, "quit\n")
	werr := cmd.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		master.Close()
		<-done
	}
	transcript := out.String()
	if werr != nil {
		t.Fatalf("%s on a pty: %v\n%s", client, werr, transcript)
	}
	m := wtRE.FindStringSubmatch(transcript)
	if m == nil {
		t.Fatalf("no WT= line in the interactive transcript:\n%s", transcript)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n, transcript
}
