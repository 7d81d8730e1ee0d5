package yamldoc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileRefusals(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#\n", 600)), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "none.yaml"), "none.yaml: reading policy: no such file or directory"},
		{"directory", dir, "reading policy: not a regular file (a directory)"},
		{"fifo", fifo, "reading policy: not a regular file (a FIFO)"},
		{"device", "/dev/zero", "/dev/zero: reading policy: not a regular file (a device)"},
		{"too big", big, "big.yaml: file is larger than 1000 bytes, the limit for a policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFile(context.Background(), tc.path, nil, "policy", 1000)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadFile(%s) = %v, want an *Error containing %q", tc.path, err, tc.want)
			}
		})
	}
}

func TestReadFileWithinLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(p, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(context.Background(), p, nil, "policy", 5)
	if err != nil || string(data) != "a: 1\n" {
		t.Fatalf("ReadFile = %q, %v; want the file at exactly the limit", data, err)
	}
	data, err = ReadFile(context.Background(), "-", strings.NewReader("b: 2\n"), "policy", 0)
	if err != nil || string(data) != "b: 2\n" {
		t.Fatalf("ReadFile(-) = %q, %v", data, err)
	}
	// Endless standard input stops at the limit instead of growing.
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer zero.Close()
	if _, err := ReadFile(context.Background(), "-", zero, "policy", 1<<16); err == nil || !strings.Contains(err.Error(), "<stdin>: file is larger than 65536 bytes") {
		t.Fatalf("ReadFile(- < /dev/zero) = %v", err)
	}
}

// A read from standard input that never ends (a terminal, a pipe nobody
// writes) gives way to ctx: Ctrl-C must stop a command that waits for input.
func TestReadFileInterrupted(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(ctx, "-", r, "policy", 0)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ReadFile after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile ignored ctx while its input was blocked")
	}
}

func TestBody(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"syntax", "a: [\n", "f.yaml:1:"},
		{"duplicate key", "a: 1\na: 2\n", `f.yaml:2:1: malformed YAML: mapping key "a" already defined`},
		{"two documents", "a: 1\n---\nb: 2\n", "f.yaml:2:1: one only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Body("f.yaml", []byte(tc.data), "one only")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Body = %v, want prefix %q", err, tc.want)
			}
		})
	}
	n, err := Body("f.yaml", []byte("# nothing\n"), "one only")
	if err != nil || n != nil {
		t.Fatalf("Body(comment only) = %v, %v; want nil, nil", n, err)
	}
	n, err = Body("f.yaml", []byte("x: &a 1\n"), "one only")
	if err != nil || n == nil {
		t.Fatalf("Body = %v, %v", n, err)
	}
	if line, col := Pos(n); line != 1 || col == 0 {
		t.Fatalf("Pos = %d:%d, want line 1", line, col)
	}
}
