package failover

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// closedAddr returns an address on which nothing listens.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serve accepts connections on a fresh port and hands each to handle.
func serve(t testing.TB, handle func(net.Conn)) string {
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
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// silent holds each connection open and never writes: a black hole.
func silent(c net.Conn) {
	defer c.Close()
	io.Copy(io.Discard, c)
}

// slam resets each connection at once (SO_LINGER 0 sends RST).
func slam(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

// slamAfterByte resets each connection once the client has sent a byte,
// so the reset reaches an established connection, not the connect.
func slamAfterByte(c net.Conn) {
	c.Read(make([]byte, 1))
	slam(c)
}

// hangUp closes each connection at once (FIN): the client reads EOF.
func hangUp(c net.Conn) { c.Close() }

func realDialErr(t *testing.T, addr string) error {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("dial %s succeeded", addr)
	}
	return err
}

func realReadErr(t *testing.T, addr string, deadline time.Duration) error {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{0})
	c.SetReadDeadline(time.Now().Add(deadline))
	_, err = c.Read(make([]byte, 1))
	if err == nil {
		t.Fatal("read succeeded")
	}
	return err
}

// driverErr is what go-sql-driver returns connecting to addr, joined with
// the socket cause the way the probe joins it.
func driverErr(t *testing.T, addr string) error {
	t.Helper()
	p := &Probe{Addr: addr, ConnectTimeout: time.Second, ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond}
	var o Observation
	err := p.attempt(context.Background(), &o)
	if err == nil {
		t.Fatalf("connecting to %s succeeded", addr)
	}
	return err
}

func TestClassify(t *testing.T) {
	ctxErr := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},

		{"dial closed port", realDialErr(t, closedAddr(t)), ClassRefused},
		{"driver dial closed port", driverErr(t, closedAddr(t)), ClassRefused},
		{"wrapped refused", fmt.Errorf("connecting: %w", realDialErr(t, closedAddr(t))), ClassRefused},

		{"read deadline", realReadErr(t, serve(t, silent), 20*time.Millisecond), ClassTimeout},
		{"driver handshake read deadline", driverErr(t, serve(t, silent)), ClassTimeout},
		{"attempt context deadline", ctxErr(), ClassTimeout},
		{"os deadline", os.ErrDeadlineExceeded, ClassTimeout},
		{"ETIMEDOUT", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ETIMEDOUT)}, ClassTimeout},
		// The driver's flattened error with a timeout cause is a timeout,
		// whichever order the branches come in.
		{"invalid conn joined with deadline", errors.Join(mysql.ErrInvalidConn, realReadErr(t, serve(t, silent), 10*time.Millisecond)), ClassTimeout},

		{"read EOF", realReadErr(t, serve(t, hangUp), time.Second), ClassGoneAway},
		{"read reset", realReadErr(t, serve(t, slamAfterByte), time.Second), ClassGoneAway},
		{"driver EOF in handshake", driverErr(t, serve(t, hangUp)), ClassGoneAway},
		{"driver reset in handshake", driverErr(t, serve(t, slam)), ClassGoneAway},
		{"invalid conn alone", mysql.ErrInvalidConn, ClassGoneAway},
		{"bad conn", driver.ErrBadConn, ClassGoneAway},
		{"wrapped bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), ClassGoneAway},
		{"unexpected EOF", io.ErrUnexpectedEOF, ClassGoneAway},
		{"closed", net.ErrClosed, ClassGoneAway},
		{"driver's unexported bad connection", errors.New("bad connection"), ClassGoneAway},
		{"server gone 2006", &mysql.MySQLError{Number: 2006}, ClassGoneAway},
		{"lost 2013", &mysql.MySQLError{Number: 2013}, ClassGoneAway},
		{"shutdown 1053", &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, ClassGoneAway},

		{"read only 1290", &mysql.MySQLError{Number: 1290, Message: "The MariaDB server is running with the --read-only option"}, ClassReadOnly},
		{"read only 1836", fmt.Errorf("writing: %w", &mysql.MySQLError{Number: 1836}), ClassReadOnly},

		{"access denied 1045", &mysql.MySQLError{Number: 1045}, ClassAuth},
		{"no password 1698", &mysql.MySQLError{Number: 1698}, ClassAuth},
		{"locked 4151", &mysql.MySQLError{Number: 4151}, ClassAuth},
		{"auth plugin", mysql.ErrNativePassword, ClassAuth},

		{"syntax 1064", &mysql.MySQLError{Number: 1064}, ClassOther},
		{"too many connections 1040", &mysql.MySQLError{Number: 1040}, ClassOther},
		{"canceled", context.Canceled, ClassOther},
		{"packet sync", mysql.ErrPktSync, ClassOther},
		{"plain", errors.New("something else"), ClassOther},
		// A server error wins over a socket error joined with it.
		{"server error first", errors.Join(io.EOF, &mysql.MySQLError{Number: 1045}), ClassAuth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
			}
		})
	}
}

func BenchmarkClassify(b *testing.B) {
	errs := []error{
		fmt.Errorf("connecting: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
		&attemptError{err: mysql.ErrInvalidConn, cause: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}},
		&attemptError{err: mysql.ErrInvalidConn, cause: io.EOF},
		fmt.Errorf("writing: %w", &mysql.MySQLError{Number: 1290}),
		errors.New("something else"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Classify(errs[i%len(errs)])
	}
}
