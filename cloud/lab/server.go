package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
)

// Lab is a local RDS control plane serving the RDS Query API from a
// directory. New loads (or creates) its state; Start serves it.
type Lab struct {
	opts   Options
	reqlog *requestLog
	lock   *dirLock
	// rt runs the DB instances' engines; nil with Options.NoEngine.
	rt *runtime
	// faults are the injected errors and delays (POST /_lab/faults).
	faults faults

	// mu guards st and saved. Every mutation is persisted while mu is
	// held and before the response is written.
	mu    sync.Mutex
	st    *state
	saved []byte // the last persisted state, restored if a save fails

	srv       *http.Server
	endpoint  string
	startedAt time.Time
	done      chan struct{}
	stopOnce  sync.Once
	stopErr   error

	// observe, when set (by tests), sees every API response body, so that
	// each one can be checked against botocore's model.
	observe atomic.Pointer[func(action string, status int, body []byte)]

	// acct is this namespace's account ("" for the lab's own, accountID);
	// root is the lab a namespace belongs to (nil for the lab itself).
	acct string
	root *Lab
	// ns are the lab's other (account, region) namespaces; sts the
	// sessions AssumeRole handed out. Both only on the root.
	ns  namespaces
	sts stsSessions
}

// New loads the state in opts.Dir, creating the directory and a fresh
// state (with a default parameter group per family) when there is none.
// It refuses a directory in which another live lab is serving, and takes
// over one left behind by a lab that died.
func New(opts Options) (*Lab, error) {
	if opts.Dir == "" {
		return nil, errors.New("lab: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("lab dir: %w", err)
	}
	opts.Dir = dir
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	for _, f := range opts.Faults {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("lab: bad fault: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating lab dir: %w", err)
	}
	lock, err := acquireDirLock(dir)
	if err != nil {
		return nil, err
	}
	l := &Lab{opts: opts, lock: lock, done: make(chan struct{})}
	fail := func(err error) (*Lab, error) {
		lock.release()
		return nil, err
	}
	// A lab.json that survived its process (kill -9) is stale: the lock
	// above proves nobody serves from dir any more.
	if err := os.Remove(filepath.Join(dir, runInfoFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(fmt.Errorf("removing stale %s: %w", runInfoFile, err))
	}
	st, raw, err := loadState(dir)
	if err != nil {
		return fail(err)
	}
	l.st, l.saved = st, raw
	if l.st.ensureDefaults(time.Now()) || raw == nil {
		if err := l.persistLocked(); err != nil {
			return fail(err)
		}
	}
	if l.reqlog, err = openRequestLog(dir); err != nil {
		return fail(err)
	}
	if !opts.NoEngine {
		if l.rt, err = newRuntime(dir, opts.TemplateDir, opts.Logf); err != nil {
			l.reqlog.close()
			return fail(err)
		}
	}
	if err := l.loadNamespaces(); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		l.stopChildren(ctx)
		if l.rt != nil {
			l.rt.stop(ctx)
		}
		l.reqlog.close()
		return fail(err)
	}
	for _, f := range opts.Faults {
		l.faults.add(f)
	}
	return l, nil
}

// Start listens on Options.Addr, serves in the background and writes
// lab.json so that other processes can find this lab.
func (l *Lab) Start(ctx context.Context) error {
	if l.srv != nil {
		return errors.New("lab: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", l.opts.Addr)
	if err != nil {
		return fmt.Errorf("lab listen: %w", err)
	}
	l.endpoint = "http://" + ln.Addr().String()
	l.startedAt = time.Now().UTC()
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	ri := RunInfo{PID: os.Getpid(), Endpoint: l.endpoint, Region: l.opts.Region}
	b, _ := json.MarshalIndent(ri, "", "  ")
	if err := atomicfile.Write(filepath.Join(l.opts.Dir, runInfoFile), append(b, '\n'), 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("writing %s: %w", runInfoFile, err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.opts.Logf("lab: serve: %v", err)
		}
	}()
	// A serve failure (not a Close) still has to release the dir.
	go func() {
		<-served
		l.stop(context.Background())
	}()
	if l.rt != nil {
		l.resumeClusters()
		l.resume()
		for _, c := range l.children() {
			c.resume()
		}
	}
	l.opts.Logf("lab: serving %s from %s", l.endpoint, l.opts.Dir)
	return nil
}

// Endpoint is the API's base URL, e.g. http://127.0.0.1:43567.
func (l *Lab) Endpoint() string { return l.endpoint }

// Done is closed once the lab has stopped serving and released its dir,
// whether through Close or POST /_lab/shutdown.
func (l *Lab) Done() <-chan struct{} { return l.done }

// Close stops serving, stops the engines and removes lab.json. It is safe
// to call more than once and after a /_lab/shutdown.
func (l *Lab) Close(ctx context.Context) error {
	l.stop(ctx)
	select {
	case <-l.done:
	case <-ctx.Done():
		return fmt.Errorf("closing lab: %w", ctx.Err())
	}
	return l.stopErr
}

func (l *Lab) stop(ctx context.Context) {
	l.stopOnce.Do(func() {
		var errs []error
		if l.srv != nil {
			if err := l.srv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stopping http server: %w", err))
				l.srv.Close()
			}
			if err := os.Remove(filepath.Join(l.opts.Dir, runInfoFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("removing %s: %w", runInfoFile, err))
			}
		}
		if l.rt != nil {
			if err := l.rt.stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stopping engines: %w", err))
			}
		}
		errs = append(errs, l.stopChildren(ctx)...)
		if err := l.reqlog.close(); err != nil {
			errs = append(errs, err)
		}
		l.lock.release()
		l.stopErr = errors.Join(errs...)
		close(l.done)
	})
}

// Status reports the lab's process, endpoint, and the instances and
// outages of every namespace (the lab's own first), each entry naming its
// account and region.
func (l *Lab) Status() Status {
	s := Status{
		PID:       os.Getpid(),
		Endpoint:  l.endpoint,
		Dir:       l.opts.Dir,
		Region:    l.opts.Region,
		Account:   l.account(),
		StartedAt: l.startedAt,
	}
	s.Instances, s.Outages = l.nsStatus()
	s.Clusters = l.clusterStatuses()
	for _, c := range l.children() {
		ins, outs := c.nsStatus()
		s.Instances = append(s.Instances, ins...)
		s.Outages = append(s.Outages, outs...)
		s.Clusters = append(s.Clusters, c.clusterStatuses()...)
	}
	return s
}

// Dir is the lab's state directory (absolute).
func (l *Lab) Dir() string { return l.opts.Dir }

// Region is the region the lab reports in ARNs.
func (l *Lab) Region() string { return l.opts.Region }

// instanceStatuses is Status's view of the instances; the caller holds l.mu.
func (l *Lab) instanceStatuses() []InstanceStatus {
	out := make([]InstanceStatus, 0, len(l.st.Instances))
	for _, in := range l.st.Instances {
		s := InstanceStatus{ID: in.ID, Status: in.Status, Port: in.Port}
		if l.rt != nil {
			if e := l.rt.engine(in.ID); e != nil {
				s.EnginePID = e.EnginePID()
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
