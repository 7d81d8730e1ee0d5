package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// echoServer answers each line with its name and the line, so a test can
// tell which backend a connection reached.
func echoServer(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					io.WriteString(c, name+":"+line)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, msg string) (string, error) {
	t.Helper()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return line, err
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", p.Addr(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRoutesCutsAndReroutes(t *testing.T) {
	a, b := echoServer(t, "a"), echoServer(t, "b")
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Up(a); err != nil {
		t.Fatal(err)
	}
	c := dial(t, p)
	if got, err := roundTrip(t, c, "hello"); err != nil || got != "a:hello\n" {
		t.Fatalf("through proxy: %q, %v", got, err)
	}

	p.Down(Refuse)
	if _, err := roundTrip(t, c, "again"); err == nil {
		t.Fatal("connection survived Down")
	}
	_, err = net.DialTimeout("tcp", p.Addr(), time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while down (refuse) = %v, want ECONNREFUSED", err)
	}

	if err := p.Up(b); err != nil {
		t.Fatal(err)
	}
	c2 := dial(t, p)
	if got, err := roundTrip(t, c2, "x"); err != nil || got != "b:x\n" {
		t.Fatalf("after Up(b): %q, %v", got, err)
	}
	if p.Backend() != b {
		t.Fatalf("Backend() = %q, want %q", p.Backend(), b)
	}
}

// TestBlackholeFreezes: a black hole freezes established connections (no
// FIN, no RST, nothing more arrives) and accepts new ones without answering;
// both stay silent after Up, since they lead to the dead primary, while new
// connections reach the new backend.
func TestBlackholeFreezes(t *testing.T) {
	a, b := echoServer(t, "a"), echoServer(t, "b")
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Up(a); err != nil {
		t.Fatal(err)
	}
	est := dial(t, p)
	if got, err := roundTrip(t, est, "x"); err != nil || got != "a:x\n" {
		t.Fatalf("before Down: %q, %v", got, err)
	}
	p.Down(Blackhole)
	fresh := dial(t, p) // accepted: the port is open
	for name, c := range map[string]net.Conn{"established": est, "new": fresh} {
		if err := quiet(c, "y"); !isTimeout(err) {
			t.Fatalf("%s connection in the black hole: %v, want a timeout", name, err)
		}
	}
	if err := p.Up(b); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]net.Conn{"established": est, "new": fresh} {
		if err := quiet(c, "z"); !isTimeout(err) {
			t.Fatalf("%s connection after Up: %v, want it still silent", name, err)
		}
	}
	if got, err := roundTrip(t, dial(t, p), "w"); err != nil || got != "b:w\n" {
		t.Fatalf("new connection after Up: %q, %v", got, err)
	}
}

// TestBlackholeGivesUp: a silent connection is reset after silentFor, as a
// client's TCP gives up on a peer that never answers; Close ends the rest.
func TestBlackholeGivesUp(t *testing.T) {
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	setSilentFor(p, 300*time.Millisecond)
	p.Down(Blackhole)
	c := dial(t, p)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after silentFor = %v, want a reset", err)
	}
	setSilentFor(p, time.Hour)
	held := dial(t, p)
	time.Sleep(50 * time.Millisecond) // accepted and held
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close hung on a black-holed connection")
	}
	held.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := held.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read after Close = %v, want EOF", err)
	}
}

// quiet writes msg to c and reads for 300ms: a timeout means the
// connection is open and silent.
func quiet(c net.Conn, msg string) error {
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return err
	}
	_, err := c.Read(make([]byte, 1))
	return err
}

func setSilentFor(p *Proxy, d time.Duration) {
	p.mu.Lock()
	p.silentFor = d
	p.mu.Unlock()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestNoBackendClosesAtOnce(t *testing.T) {
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := dial(t, p)
	c.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read before first Up = %v, want EOF", err)
	}
}

func TestDeadBackendClosesClient(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Up(dead)
	if _, err := roundTrip(t, dial(t, p), "z"); err == nil {
		t.Fatal("round trip to a dead backend succeeded")
	}
}

func TestParseMode(t *testing.T) {
	if m, err := ParseMode("blackhole"); err != nil || m != Blackhole {
		t.Fatalf("ParseMode(blackhole) = %v, %v", m, err)
	}
	if _, err := ParseMode("drop"); err == nil {
		t.Fatal("ParseMode(drop) accepted")
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(c, c)
		}
	}()
	p, _ := Listen("127.0.0.1:0")
	defer p.Close()
	p.Up(ln.Addr().String())
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(buf)
		io.ReadFull(c, buf)
	}
}

// A refusing outage must never lose the instance's port: while it lasts,
// connects are refused, yet no other socket can bind the port, whether it
// asks for SO_REUSEADDR (as Go's listeners do) or not; and Up gets the
// same port back.
func TestRefusingOutageKeepsThePort(t *testing.T) {
	a, b := echoServer(t, "a"), echoServer(t, "b")
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Up(a); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		p.Down(Refuse)
		if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("round %d: dial while down (refuse) = %v, want ECONNREFUSED", round, err)
		}
		if ln, err := net.Listen("tcp", p.Addr()); err == nil {
			ln.Close()
			t.Fatalf("round %d: another listener bound the endpoint's port %s mid-outage", round, p.Addr())
		} else if !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("round %d: binding the port mid-outage = %v, want EADDRINUSE", round, err)
		}
		if err := p.Up(b); err != nil {
			t.Fatal(err)
		}
		c := dial(t, p)
		if got, err := roundTrip(t, c, "x"); err != nil || got != "b:x\n" {
			t.Fatalf("round %d: after Up: %q, %v", round, got, err)
		}
	}
	// Once closed, the port is free again.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", p.Addr())
	if err != nil {
		t.Fatalf("port still held after Close: %v", err)
	}
	ln.Close()
}

func TestUpAllTakesTurns(t *testing.T) {
	a, b := echoServer(t, "a"), echoServer(t, "b")
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.UpAll([]string{a, b}, true); err != nil {
		t.Fatal(err)
	}
	kept := dial(t, p)
	if got, err := roundTrip(t, kept, "1"); err != nil || got != "a:1\n" {
		t.Fatalf("first connection: %q, %v", got, err)
	}
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		got, err := roundTrip(t, dial(t, p), "x")
		if err != nil {
			t.Fatal(err)
		}
		seen[got]++
	}
	if seen["a:x\n"] != 2 || seen["b:x\n"] != 2 {
		t.Fatalf("4 connections went %v, want 2 to each backend", seen)
	}
	// A new set of backends without a cut leaves live connections alone.
	if err := p.UpAll([]string{b}, false); err != nil {
		t.Fatal(err)
	}
	if got, err := roundTrip(t, kept, "2"); err != nil || got != "a:2\n" {
		t.Fatalf("kept connection after UpAll without cut: %q, %v", got, err)
	}
	if got, err := roundTrip(t, dial(t, p), "y"); err != nil || got != "b:y\n" {
		t.Fatalf("after UpAll([b]): %q, %v", got, err)
	}
	if err := p.UpAll(nil, false); err == nil {
		t.Fatal("UpAll with no backend accepted")
	}
}
