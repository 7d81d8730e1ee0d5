package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestWrapRedactsDriverError(t *testing.T) {
	c := Config{Host: "127.0.0.1", Port: 3306, User: "admin", Password: "Sup3r-Secret"}
	mc, err := c.DriverConfig()
	if err != nil {
		t.Fatal(err)
	}
	// A driver error that echoes the DSN, as some drivers and proxies do.
	leaky := fmt.Errorf("cannot connect with %s: %w", mc.FormatDSN(), &mysql.MySQLError{Number: 1045, Message: "Access denied"})
	err = c.wrap("connecting to", leaky, time.Millisecond)
	if strings.Contains(err.Error(), "Sup3r-Secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "Sup3r-Secret") {
			t.Fatalf("an unwrapped error leaks the password: %v", e)
		}
	}
	if errors.Is(err, ErrTimeout) {
		t.Error("an auth error is not a timeout")
	}

	// A harmless cause stays reachable for classification.
	err = c.wrap("connecting to", &mysql.MySQLError{Number: 1045, Message: "Access denied for user 'admin'"}, 0)
	if !IsAuthError(err) {
		t.Errorf("IsAuthError(%v) = false", err)
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1045 {
		t.Errorf("errors.As to *mysql.MySQLError failed for %v", err)
	}
}

func TestWrapClassifiesTimeouts(t *testing.T) {
	c := Config{Host: "127.0.0.1", User: "u", ConnectTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second}
	for name, tc := range map[string]struct {
		err     error
		elapsed time.Duration
		want    bool
	}{
		"deadline":              {context.DeadlineExceeded, time.Second, true},
		"net timeout":           {&net.OpError{Op: "read", Err: timeoutErr{}}, time.Second, true},
		"invalid conn at limit": {mysql.ErrInvalidConn, time.Second, true},
		"invalid conn quickly":  {mysql.ErrInvalidConn, time.Millisecond, false},
		"refused":               {&net.OpError{Op: "dial", Err: errors.New("connection refused")}, time.Millisecond, false},
	} {
		err := c.wrap("connecting to", tc.err, tc.elapsed)
		if got := errors.Is(err, ErrTimeout); got != tc.want {
			t.Errorf("%s: timeout = %v, want %v (%v)", name, got, tc.want, err)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// blackHole accepts TCP connections and never answers: a server that is
// frozen, or a dead primary whose address still routes somewhere.
func blackHole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestOpenBlackHoleTimesOut(t *testing.T) {
	host, port, _ := net.SplitHostPort(blackHole(t))
	var p int
	fmt.Sscan(port, &p)
	c := Config{Host: host, Port: p, User: "u", Password: "pw-in-black-hole",
		ConnectTimeout: 700 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond}
	start := time.Now()
	db, err := Open(context.Background(), c)
	took := time.Since(start)
	if err == nil {
		db.Close()
		t.Fatal("Open on a black hole succeeded")
	}
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want a timeout", err)
	}
	if took > 2*time.Second {
		t.Errorf("Open took %s, want about the 700ms connect timeout", took)
	}
	if !strings.Contains(err.Error(), "timed out") || strings.Contains(err.Error(), "pw-in-black-hole") {
		t.Errorf("unclear or leaky error: %v", err)
	}
	t.Logf("black hole: %v after %s", err, took)
}

func TestOpenRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	start := time.Now()
	_, err = Open(context.Background(), Config{Host: "127.0.0.1", Port: addr.Port, User: "u", ConnectTimeout: time.Second})
	if err == nil || errors.Is(err, ErrTimeout) || time.Since(start) > time.Second {
		t.Errorf("refused connection: err = %v after %s, want a quick non-timeout error", err, time.Since(start))
	}
}
