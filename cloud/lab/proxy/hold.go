package proxy

import (
	"context"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// The endpoint's port must stay the instance's through an outage: if
// another process could bind it while a refusing endpoint is down, the
// instance would lose its endpoint for good. A refusing endpoint therefore
// swaps its listener for a socket that is bound but not listening: the
// kernel answers a SYN there with a reset, so clients still see
// ECONNREFUSED, while nobody else can bind the port. Both sockets set
// SO_REUSEPORT (and the placeholder not SO_REUSEADDR), so the new listener
// is bound before the placeholder goes, and the port is never free; only
// a process of the same user that also sets SO_REUSEPORT could join it.

// listen opens the endpoint's listener with SO_REUSEPORT, so that it can
// be bound beside a placeholder of this proxy's.
func listen(addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), "tcp", addr)
}

// hold binds addr (an IPv4 host:port) without listening: SYNs are reset
// (ECONNREFUSED) and the port stays taken. It returns the socket's fd for
// release.
func hold(addr string) (int, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return -1, err
	}
	ip4 := ta.IP.To4()
	if ip4 == nil {
		return -1, fmt.Errorf("holding %s: not an IPv4 address", addr)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("holding %s: %w", addr, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("holding %s: %w", addr, err)
	}
	sa := &syscall.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ip4)
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("holding %s: %w", addr, err)
	}
	return fd, nil
}

// release closes a placeholder from hold.
func release(fd int) {
	if fd >= 0 {
		syscall.Close(fd)
	}
}
