// Package proxy is the lab's instance endpoint: a TCP proxy on a fixed port
// that routes every new connection to the instance's current primary engine.
//
// A Multi-AZ failover is modelled as Down followed, after the failover delay,
// by Up with the standby's address. Down either
//   - refuses: it cuts every proxied connection, the way clients lose theirs
//     when the primary's engine dies, and refuses new ones (nothing listens,
//     so clients see ECONNREFUSED, yet the port stays held so no other
//     process can take it); or
//   - black-holes: the primary's host is gone and its packets go nowhere.
//     Established connections freeze: nothing more arrives on them, no FIN,
//     no RST, and what the client sends is swallowed. New connections are
//     accepted and never answered, as when clients still resolve the dead
//     primary's address. Both stay silent after Up, since they lead to the
//     dead primary, until the client closes them or, as a Linux client's
//     TCP stops retransmitting to a dead peer after about 15 minutes, the
//     proxy resets them then. A client without timeouts hangs on them.
package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// Mode says what new connections meet while the endpoint is down.
type Mode string

const (
	// Refuse stops listening (the port stays held): connects fail at once
	// with ECONNREFUSED.
	Refuse Mode = "refuse"
	// Blackhole freezes established connections and accepts new ones
	// without ever answering: clients time out, or hang without timeouts.
	Blackhole Mode = "blackhole"
)

// silentFor is how long a black-holed connection stays silent before the
// proxy resets it: about when Linux (tcp_retries2=15) gives up
// retransmitting to a peer that never answers.
const silentFor = 15 * time.Minute

// ParseMode reads a mode name as the lab's flags spell it.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Refuse, Blackhole:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown failover mode %q (want refuse or blackhole)", s)
}

// dialTimeout bounds the connection to the backend engine, so a client never
// waits on a backend that is itself hanging longer than it would on AWS.
const dialTimeout = 2 * time.Second

// Proxy forwards TCP connections from its port to the current backend.
type Proxy struct {
	addr string
	port int

	mu   sync.Mutex
	ln   net.Listener
	held int // while a refusing outage lasts, the placeholder socket holding the port (else -1)
	// backends are the addresses new connections go to, in turn (round
	// robin: a reader endpoint spreads connections across readers); empty
	// while down.
	backends  []string
	next      int
	mode      Mode
	conns     map[net.Conn]bool     // live sockets; true for a proxied client's side
	silent    map[net.Conn]struct{} // black-holed client connections, see holdSilent
	silentFor time.Duration
	closed    bool
	wg        sync.WaitGroup
}

// Listen opens the endpoint on addr ("127.0.0.1:0" picks a free port). It
// starts with no backend: the port stays bound, so it is reserved for the
// instance, and each connection is closed at once until the first Up.
func Listen(addr string) (*Proxy, error) {
	ln, err := listen(addr)
	if err != nil {
		return nil, fmt.Errorf("listening for instance endpoint on %s: %w", addr, err)
	}
	p := &Proxy{addr: ln.Addr().String(), port: ln.Addr().(*net.TCPAddr).Port, mode: Refuse, held: -1,
		conns: map[net.Conn]bool{}, silent: map[net.Conn]struct{}{}, silentFor: silentFor}
	p.serve(ln)
	return p, nil
}

// Addr is the endpoint's host:port; it never changes, across outages too.
func (p *Proxy) Addr() string { return p.addr }

// Port is the endpoint's TCP port.
func (p *Proxy) Port() int { return p.port }

// Backend is the address new connections go to (the first, when they take
// turns), or "" while down.
func (p *Proxy) Backend() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.backends) == 0 {
		return ""
	}
	return p.backends[0]
}

// Up routes new connections to backend. Connections a black hole holds
// stay silent: they lead to the dead primary.
func (p *Proxy) Up(backend string) error { return p.UpAll([]string{backend}, true) }

// UpAll routes new connections to backends in turn, as a reader endpoint
// spreads them. With cut, every proxied connection is cut first (an outage
// ends); without, connections already made stay where they are (the set of
// readers changed). Either way black-holed connections stay silent.
func (p *Proxy) UpAll(backends []string, cut bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("proxy is closed")
	}
	if len(backends) == 0 {
		return errors.New("proxy: no backend")
	}
	p.backends = append([]string(nil), backends...)
	p.next = 0
	if cut {
		p.closeConnsLocked()
	}
	if p.ln == nil {
		// The listener is bound beside the placeholder before the
		// placeholder goes, so the port is never free.
		ln, err := relisten(p.addr)
		if err != nil {
			return err
		}
		release(p.held)
		p.held = -1
		p.serve(ln)
	}
	return nil
}

// Down cuts every proxied connection (Refuse) or freezes it (Blackhole)
// and, until Up, treats new ones as mode says.
func (p *Proxy) Down(mode Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backends = nil
	p.mode = mode
	if mode == Blackhole {
		for c, client := range p.conns {
			if client {
				// The forwarding goroutine sees it silent once its reads
				// end; the deadline ends the one blocked on the client.
				delete(p.conns, c)
				p.silent[c] = struct{}{}
				c.SetReadDeadline(time.Now())
			}
		}
	}
	p.closeConnsLocked()
	if mode == Refuse && p.ln != nil {
		// Hold the port first, then stop listening: connects are
		// refused, and no other process can take the port meanwhile.
		fd, err := hold(p.addr)
		if err != nil {
			return // keep listening; a refused hold must not lose the port
		}
		p.held = fd
		p.ln.Close()
		p.ln = nil
	}
}

// Close stops the endpoint and cuts every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.backends = nil
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	release(p.held)
	p.held = -1
	p.closeConnsLocked()
	for c := range p.silent {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

func (p *Proxy) closeConnsLocked() {
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// relisten reopens the endpoint's listener after a refusing outage, beside
// the placeholder that holds the port. Go sets
// SO_REUSEADDR, so sockets in TIME_WAIT do not block it; a short retry
// covers the moment the old listener takes to release the port.
func relisten(addr string) (net.Listener, error) {
	var err error
	for i := 0; i < 50; i++ {
		var ln net.Listener
		ln, err = listen(addr)
		if err == nil {
			return ln, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, fmt.Errorf("reopening instance endpoint %s: %w", addr, err)
}

func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.handle(c)
		}
	}()
}

// handle routes one accepted connection according to the current state.
func (p *Proxy) handle(c net.Conn) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.Close()
		return
	}
	backend := ""
	if n := len(p.backends); n > 0 {
		backend = p.backends[p.next%n]
		p.next = (p.next + 1) % n
	}
	if backend == "" && p.mode != Blackhole {
		p.mu.Unlock()
		c.Close()
		return
	}
	if backend == "" {
		p.silent[c] = struct{}{} // black hole: accepted, never answered
	} else {
		p.conns[c] = true
	}
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if backend == "" {
			p.holdSilent(c)
			return
		}
		p.forward(c, backend)
	}()
}

// holdSilent keeps a black-holed client connection open and silent,
// swallowing what the client sends, until the client closes it, Close, or
// silentFor, after which it is reset. It returns at once for a connection
// that is not black-holed.
func (p *Proxy) holdSilent(c net.Conn) {
	p.mu.Lock()
	_, silent := p.silent[c]
	giveUp := p.silentFor
	p.mu.Unlock()
	if !silent {
		return
	}
	c.SetReadDeadline(time.Now().Add(giveUp))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if tc, ok := c.(*net.TCPConn); ok && errors.As(err, &ne) && ne.Timeout() {
		tc.SetLinger(0) // the close sends a reset
	}
	p.mu.Lock()
	delete(p.silent, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) forward(c net.Conn, backend string) {
	defer p.drop(c)
	defer p.holdSilent(c) // a black hole may freeze c meanwhile
	s, err := net.DialTimeout("tcp", backend, dialTimeout)
	if err != nil {
		return
	}
	p.mu.Lock()
	if _, live := p.conns[c]; !live {
		p.mu.Unlock()
		s.Close()
		return
	}
	p.conns[s] = false
	p.mu.Unlock()
	defer p.drop(s)

	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		// Closing both ends on either side's EOF makes the other copy end;
		// a black-holed client stays open.
		p.cut(dst)
		p.cut(src)
		done <- struct{}{}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
	<-done
}

// cut closes c unless a black hole holds it.
func (p *Proxy) cut(c net.Conn) {
	p.mu.Lock()
	_, silent := p.silent[c]
	p.mu.Unlock()
	if !silent {
		c.Close()
	}
}

func (p *Proxy) drop(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
