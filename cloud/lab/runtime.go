package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// runtime owns the lab's engines: one engine.Instance per DB instance, the
// template datadir they are cloned from, and the background work (create,
// reboot, failover, immediate applies) that the API starts and answers
// before it finishes, as RDS does.
//
// Lock order: Lab.mu may be held while taking runtime.mu, never the other
// way round. Engine operations (process starts and stops) run with neither
// held; they report back through Lab.mutate.
type runtime struct {
	bin  mysqld.Binaries
	dir  string // <lab dir>/instances
	logf func(string, ...any)

	tmplDone chan struct{}
	tmpl     *mysqld.Template
	tmplErr  error

	ctx    context.Context // canceled when the lab stops
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	engines map[string]*engine.Instance
	applies map[string]*applier
	// clusters are the Aurora clusters' endpoints.
	clusters map[string]*clusterEndpoints
}

// newRuntime finds mariadbd and starts building the template in the
// background, so that the first CreateDBInstance does not pay for
// mariadb-install-db.
func newRuntime(labDir, templateDir string, logf func(string, ...any)) (*runtime, error) {
	bin, err := mysqld.Find()
	if err != nil {
		return nil, fmt.Errorf("the lab's DB instances need MariaDB: %w (or run the lab with --no-engine for parameter groups only)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt := &runtime{bin: bin, dir: filepath.Join(labDir, "instances"), logf: logf,
		tmplDone: make(chan struct{}), ctx: ctx, cancel: cancel,
		engines: map[string]*engine.Instance{}, applies: map[string]*applier{},
		clusters: map[string]*clusterEndpoints{}}
	go func() {
		defer close(rt.tmplDone)
		tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if templateDir == "" {
			templateDir = filepath.Join(labDir, "template")
		}
		rt.tmpl, rt.tmplErr = mysqld.InitTemplate(tctx, bin, templateDir)
		if rt.tmplErr != nil {
			logf("lab: preparing the MariaDB template: %v", rt.tmplErr)
		}
	}()
	return rt, nil
}

func (rt *runtime) template(ctx context.Context) (*mysqld.Template, error) {
	select {
	case <-rt.tmplDone:
		return rt.tmpl, rt.tmplErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// goBackground runs fn on the runtime's context; stop waits for it.
func (rt *runtime) goBackground(fn func(ctx context.Context)) {
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		fn(rt.ctx)
	}()
}

func (rt *runtime) engine(id string) *engine.Instance {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.engines[id]
}

func (rt *runtime) setEngine(id string, in *engine.Instance) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if in == nil {
		delete(rt.engines, id)
		delete(rt.applies, id)
		return
	}
	rt.engines[id] = in
}

// stop cancels background work, waits for it, then shuts every engine down
// cleanly.
func (rt *runtime) stop(ctx context.Context) error {
	rt.cancel()
	rt.wg.Wait()
	<-rt.tmplDone
	rt.closeClusters()
	rt.mu.Lock()
	engines := rt.engines
	rt.engines = map[string]*engine.Instance{}
	rt.mu.Unlock()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for id, in := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := in.Stop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("stopping %s: %w", id, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (rt *runtime) spec(in *dbInstance) engine.Spec {
	addr := "127.0.0.1:0"
	if in.Port != 0 {
		addr = "127.0.0.1:" + strconv.Itoa(in.Port)
	}
	return engine.Spec{ID: in.ID, Dir: filepath.Join(rt.dir, in.ID), EndpointAddr: addr,
		ServerID: in.ServerID, Binaries: rt.bin}
}

// failoverMode is what clients meet while a failover keeps the endpoint
// down.
func (l *Lab) failoverMode() proxy.Mode {
	if l.opts.FailoverMode == "" {
		return proxy.Refuse
	}
	return l.opts.FailoverMode
}

// removeInstanceFiles deletes an instance's directory; a missing one is fine.
func (rt *runtime) removeInstanceFiles(id string) error {
	err := os.RemoveAll(filepath.Join(rt.dir, id))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
