// Package engine runs one lab DB instance: its mariadbd server (the current
// primary), the TCP proxy that is its endpoint, and the operations that
// interrupt it — reboot and Multi-AZ failover — with the true outage window
// of each recorded so that measurements can be checked against it.
//
// The lab's API layer owns the RDS view (statuses, parameter groups, events)
// and calls into this package for everything that touches a process.
package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// Spec describes an instance's runtime. The lab persists it, so that a
// restarted lab brings the instance back on the same endpoint port.
type Spec struct {
	ID  string
	Dir string // the instance's directory: data/ and run/ live below it
	// EndpointAddr is the proxy's address; "127.0.0.1:0" picks a port once.
	EndpointAddr string
	// ServerID identifies the server that currently serves the instance,
	// so clients can see a failover happen (SELECT @@server_id).
	ServerID int
	// Binaries run the servers; zero means mysqld.Find().
	Binaries mysqld.Binaries
}

// Boot is what a server starts with: Options go in its option file, and
// Globals are applied with SET GLOBAL before the endpoint lets clients in,
// for variables mariadbd has no startup option for (time_zone,
// character_set_client).
type Boot struct {
	Options map[string]string
	Globals map[string]string
}

// Outage is the window in which the endpoint accepted no queries.
type Outage struct {
	Cause      string // "reboot" or "failover"
	CutAt      time.Time
	RestoredAt time.Time
}

// Instance is a running lab DB instance.
type Instance struct {
	spec  Spec
	proxy *proxy.Proxy

	mu     sync.Mutex
	server *mysqld.Server
	// pid mirrors server's process id (0 while down) outside mu, which a
	// reboot or failover holds for its whole length: status readers must
	// not wait on an outage.
	pid atomic.Int64
}

// setServer records the current primary; the caller holds mu.
func (in *Instance) setServer(s *mysqld.Server) {
	in.server = s
	if s == nil {
		in.pid.Store(0)
		return
	}
	in.pid.Store(int64(s.Pid()))
}

func (s Spec) dataDir() string { return filepath.Join(s.Dir, "data") }

// Create clones a fresh datadir from tmpl, starts the server with options,
// creates the master user and opens the endpoint.
func Create(ctx context.Context, tmpl *mysqld.Template, spec Spec, boot Boot, masterUser, masterPassword string) (*Instance, error) {
	return CreateWith(ctx, tmpl, spec, boot, func(ctx context.Context, s *mysqld.Server) error {
		if err := s.CreateUser(ctx, masterUser, masterPassword); err != nil {
			return fmt.Errorf("creating master user for %s: %w", spec.ID, err)
		}
		return nil
	})
}

// CreateWith clones a fresh datadir from tmpl, starts the server with
// options, runs setup on it (nil for none: an Aurora reader gets its users
// from the writer) and opens the endpoint.
func CreateWith(ctx context.Context, tmpl *mysqld.Template, spec Spec, boot Boot, setup func(context.Context, *mysqld.Server) error) (*Instance, error) {
	if err := os.MkdirAll(spec.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating instance %s: %w", spec.ID, err)
	}
	if err := tmpl.Clone(spec.dataDir()); err != nil {
		return nil, fmt.Errorf("creating instance %s: %w", spec.ID, err)
	}
	in, err := Open(ctx, spec, boot)
	if err != nil {
		return nil, err
	}
	if setup != nil {
		if err := setup(ctx, in.Server()); err != nil {
			in.Stop(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	return in, nil
}

// Open starts an instance whose datadir already exists — a lab restart — and
// opens its endpoint.
func Open(ctx context.Context, spec Spec, boot Boot) (*Instance, error) {
	if spec.EndpointAddr == "" {
		spec.EndpointAddr = "127.0.0.1:0"
	}
	p, err := proxy.Listen(spec.EndpointAddr)
	if err != nil {
		return nil, err
	}
	spec.EndpointAddr = p.Addr()
	in := &Instance{spec: spec, proxy: p}
	srv, err := in.start(ctx, boot)
	if err != nil {
		p.Close()
		return nil, err
	}
	in.setServer(srv)
	if err := p.Up(srv.Addr()); err != nil {
		srv.Stop(context.WithoutCancel(ctx))
		p.Close()
		return nil, err
	}
	return in, nil
}

// start launches a server, waits until it accepts connections and applies
// boot.Globals, all before the endpoint routes to it.
func (in *Instance) start(ctx context.Context, boot Boot) (*mysqld.Server, error) {
	srv, err := mysqld.Start(ctx, mysqld.Config{
		Binaries: in.spec.Binaries,
		DataDir:  in.spec.dataDir(),
		RunDir:   filepath.Join(in.spec.Dir, "run"),
		ServerID: in.spec.ServerID,
		Options:  boot.Options,
		LogPath:  filepath.Join(in.spec.Dir, "mariadbd.log"),
	})
	if err != nil {
		return nil, fmt.Errorf("starting engine for %s: %w", in.spec.ID, err)
	}
	for name, v := range boot.Globals {
		if err := srv.SetGlobal(ctx, name, v); err != nil {
			srv.Stop(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("starting engine for %s: %w", in.spec.ID, err)
		}
	}
	return srv, nil
}

// Spec returns the instance's runtime description, with the endpoint port
// filled in.
func (in *Instance) Spec() Spec { return in.spec }

// EndpointPort is the port clients connect to.
func (in *Instance) EndpointPort() int { return in.proxy.Port() }

// Server is the current primary.
func (in *Instance) Server() *mysqld.Server {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.server
}

// EnginePID is the current primary's process id, or 0 while it is down.
// It never waits for a reboot or failover in progress.
func (in *Instance) EnginePID() int { return int(in.pid.Load()) }

// restartTimeout bounds bringing a server back after a reboot or failover.
const restartTimeout = 2 * time.Minute

// ErrNoEngine is returned for a change to an instance whose server is down
// (rebooting, failing over): the restart applies the group's values anyway.
var ErrNoEngine = errors.New("no running engine")

// SetGlobal applies a dynamic parameter to the running server.
func (in *Instance) SetGlobal(ctx context.Context, name, value string) error {
	s := in.Server()
	if s == nil {
		return fmt.Errorf("instance %s: %w", in.spec.ID, ErrNoEngine)
	}
	return s.SetGlobal(ctx, name, value)
}

// ResetGlobal sets a variable back to the server's compiled default.
func (in *Instance) ResetGlobal(ctx context.Context, name string) error {
	s := in.Server()
	if s == nil {
		return fmt.Errorf("instance %s: %w", in.spec.ID, ErrNoEngine)
	}
	return s.ResetGlobal(ctx, name)
}

// Reboot shuts the server down cleanly and starts it again with options;
// the endpoint refuses connections in between.
func (in *Instance) Reboot(ctx context.Context, boot Boot) (Outage, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	o := Outage{Cause: "reboot", CutAt: time.Now()}
	in.proxy.Down(proxy.Refuse)
	if in.server != nil {
		if err := in.server.Stop(ctx); err != nil {
			return o, fmt.Errorf("stopping engine for %s: %w", in.spec.ID, err)
		}
		in.setServer(nil)
	}
	// Once stopped, the server comes back even if the caller gives up
	// (a lab shutting down mid-reboot), so an instance never stays down.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restartTimeout)
	defer cancel()
	return in.restartLocked(rctx, o, boot)
}

// Failover crashes the primary (SIGKILL, so every connection is cut as a
// real host failure cuts it), keeps the endpoint down for delay as mode
// says, then brings the standby up on the same storage — crash recovery, no
// committed write lost — with options, under the standby's server id.
func (in *Instance) Failover(ctx context.Context, delay time.Duration, mode proxy.Mode, standbyServerID int, boot Boot) (Outage, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	o := Outage{Cause: "failover", CutAt: time.Now()}
	in.proxy.Down(mode)
	if in.server != nil {
		if err := in.server.Kill(); err != nil {
			return o, fmt.Errorf("crashing primary of %s: %w", in.spec.ID, err)
		}
		in.setServer(nil)
	}
	t := time.NewTimer(delay)
	select {
	case <-ctx.Done():
		t.Stop()
	case <-t.C:
	}
	// Even when the caller gives up, the instance must not stay down.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restartTimeout)
	defer cancel()
	in.spec.ServerID = standbyServerID
	return in.restartLocked(rctx, o, boot)
}

func (in *Instance) restartLocked(ctx context.Context, o Outage, boot Boot) (Outage, error) {
	srv, err := in.start(ctx, boot)
	if err != nil {
		return o, err
	}
	in.setServer(srv)
	if err := in.proxy.Up(srv.Addr()); err != nil {
		return o, err
	}
	o.RestoredAt = time.Now()
	return o, nil
}

// CutConnections closes every connection made through the endpoint, as a
// restart of the server would: an Aurora writer that becomes a reader
// loses its clients, which reconnect to a read-only server.
func (in *Instance) CutConnections() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.server == nil {
		return fmt.Errorf("instance %s: %w", in.spec.ID, ErrNoEngine)
	}
	return in.proxy.Up(in.server.Addr())
}

// EndpointAddr is the endpoint's host:port.
func (in *Instance) EndpointAddr() string { return in.proxy.Addr() }

// Stop shuts the server down cleanly and closes the endpoint.
func (in *Instance) Stop(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	var errs []error
	in.proxy.Close()
	if in.server != nil {
		errs = append(errs, in.server.Stop(ctx))
		in.setServer(nil)
	}
	return errors.Join(errs...)
}
