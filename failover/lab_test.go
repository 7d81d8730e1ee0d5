package failover

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

const (
	labUser     = "probe"
	labPassword = "probe-Secret-42"
)

// labInstance is a real mariadbd behind the lab's endpoint proxy: what a
// probe meets on RDS, minus the network.
type labInstance struct {
	t      *testing.T
	cfg    mysqld.Config // the shared storage: one datadir for primary and standby
	proxy  *proxy.Proxy
	server *mysqld.Server // the current primary
}

func newLabInstance(t *testing.T) *labInstance {
	t.Helper()
	in := &labInstance{t: t, cfg: mysqldtest.Config(t, nil)}
	in.start(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := in.srv().CreateUser(ctx, labUser, labPassword); err != nil {
		t.Fatal(err)
	}
	px, err := proxy.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	in.proxy = px
	if err := px.Up(in.srv().Addr()); err != nil {
		t.Fatal(err)
	}
	return in
}

func (in *labInstance) srv() *mysqld.Server { return in.server }

// start starts a server on the instance's datadir: the standby coming up
// on shared storage after a failover, under its own server id.
func (in *labInstance) start(serverID int) *mysqld.Server {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := in.cfg
	cfg.ServerID = serverID
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(func() { mysqldtest.Stop(in.t, srv) })
	in.server = srv
	return srv
}

func (in *labInstance) probe() *Probe {
	return &Probe{Addr: in.proxy.Addr(), User: labUser, Password: labPassword,
		ConnectTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}
}

// rootExec runs statements as the server's administrator, straight to the
// server (not through the endpoint).
func rootExec(t *testing.T, srv *mysqld.Server, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := srv.DB().ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestProbeAgainstMariaDB(t *testing.T) {
	in := newLabInstance(t)
	ctx := context.Background()
	p := in.probe()
	mustClass := func(t *testing.T, p *Probe, want string) Observation {
		t.Helper()
		o := p.Attempt(ctx)
		if want == "" && !o.OK {
			t.Fatalf("attempt failed: %s (%s)", o.Class, o.Err)
		}
		if want != "" && (o.OK || o.Class != want) {
			t.Fatalf("attempt: ok=%v class=%q err=%q; want %s", o.OK, o.Class, o.Err, want)
		}
		if p.Password != "" && strings.Contains(o.Err, p.Password) {
			t.Fatalf("password in error: %q", o.Err)
		}
		return o
	}

	t.Run("ok through the endpoint", func(t *testing.T) {
		o := mustClass(t, p, "")
		if o.ServerID != 1 || o.Hostname == "" || o.ConnectionID == 0 || o.ReadOnly {
			t.Fatalf("identity: %+v", o)
		}
		w := in.probe()
		w.Write = true
		mustClass(t, w, "")
		mustClass(t, w, "") // the table exists now: the plain upsert path
	})

	t.Run("wrong password is auth", func(t *testing.T) {
		bad := in.probe()
		bad.Password = "not-the-Password-9"
		mustClass(t, bad, ClassAuth)
	})

	t.Run("read only refuses the write", func(t *testing.T) {
		// A user without READ ONLY ADMIN, as the RDS master user is one
		// without SUPER: read_only binds it.
		rootExec(t, in.srv(),
			"CREATE USER IF NOT EXISTS app@'%' IDENTIFIED BY 'app-Pass-1'",
			"GRANT SELECT, INSERT, UPDATE, CREATE ON rdsctl_probe.* TO app@'%'")
		app := in.probe()
		app.User, app.Password, app.Write = "app", "app-Pass-1", true
		mustClass(t, app, "")
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := in.srv().SetGlobal(sctx, "read_only", "1"); err != nil {
			t.Fatal(err)
		}
		defer in.srv().SetGlobal(context.WithoutCancel(sctx), "read_only", "0")
		o := mustClass(t, app, ClassReadOnly)
		if o.ServerID != 1 || !o.ReadOnly {
			t.Errorf("a refused write should still name the read-only server: %+v", o)
		}
		app.Write = false
		if o := mustClass(t, app, ""); !o.ReadOnly {
			t.Errorf("read-only server not reported read_only: %+v", o)
		}
	})

	t.Run("endpoint refuses", func(t *testing.T) {
		in.proxy.Down(proxy.Refuse)
		defer in.proxy.Up(in.srv().Addr())
		mustClass(t, p, ClassRefused)
	})

	t.Run("endpoint black hole", func(t *testing.T) {
		in.proxy.Down(proxy.Blackhole)
		defer in.proxy.Up(in.srv().Addr())
		start := time.Now()
		mustClass(t, p, ClassTimeout)
		if took := time.Since(start); took > time.Second {
			t.Errorf("black-holed attempt took %v with 300 ms timeouts", took)
		}
	})

	t.Run("server killed under a live connection", func(t *testing.T) {
		mustClass(t, p, "")
		// A connection made exactly as the probe makes them, live when
		// the server dies.
		rec := &recordingConn{}
		conn, err := mysql.NewConnector(p.config(rec, &Observation{}))
		if err != nil {
			t.Fatal(err)
		}
		c, err := conn.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := in.srv().Kill(); err != nil {
			t.Fatal(err)
		}
		_, err = c.(driver.QueryerContext).QueryContext(ctx, identifyQuery, nil)
		if err == nil {
			t.Fatal("query on a killed server's connection succeeded")
		}
		if got := Classify(&attemptError{err: err, cause: rec.cause()}); got != ClassGoneAway {
			t.Errorf("live connection: %v (cause %v) classified %q, want gone_away", err, rec.cause(), got)
		}
		// New connections through the endpoint still routed to the dead
		// server: the proxy accepts and hangs up.
		mustClass(t, p, ClassGoneAway)
	})
}

// TestProbeBlackHoleSeenWithinOneInterval black-holes a real server's
// endpoint under a running probe whose timeouts are twenty intervals
// long, as `failover`'s are (1 s against 100 ms; here 1 s against 50 ms):
// attempts must keep starting on every tick while the earlier ones hang,
// so the outage's edges are each seen within about one interval, not one
// timeout.
func TestProbeBlackHoleSeenWithinOneInterval(t *testing.T) {
	in := newLabInstance(t)
	const interval = 50 * time.Millisecond
	const slack = 50 * time.Millisecond // a loaded -race machine's late ticks
	p := in.probe()
	p.Interval = interval
	p.ConnectTimeout, p.ReadTimeout, p.WriteTimeout = time.Second, time.Second, time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	waitFor := func(what string, ok func([]Observation) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok(p.Observations()) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 20 s: %d observations", what, len(p.Observations()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	okAfter := func(at time.Time, n int) func([]Observation) bool {
		return func(obs []Observation) bool { return okSince(obs, at) >= n }
	}
	waitFor("baseline", okAfter(time.Time{}, 3))

	cut := time.Now()
	in.proxy.Down(proxy.Blackhole)
	time.Sleep(700 * time.Millisecond)
	restored := time.Now()
	if err := in.proxy.Up(in.srv().Addr()); err != nil {
		t.Fatal(err)
	}
	// The successes after the restore come out once the attempts that
	// hang from before it time out (1 s).
	waitFor("recovery", okAfter(restored, StableProbes+1))

	obs := p.Observations()
	s := Summarize(obs, cut)
	if s.FirstFailureAt == nil || s.RecoveredAt == nil {
		t.Fatalf("summary %+v", s)
	}
	for i := 1; i < len(obs); i++ {
		if obs[i].At.After(cut) && obs[i].At.Before(restored) {
			if gap := obs[i].At.Sub(obs[i-1].At); gap > interval+slack {
				t.Errorf("attempts %d and %d started %v apart during the black hole: the schedule waited for a hung attempt", i-1, i, gap)
			}
		}
	}
	if late := s.FirstFailureAt.Sub(cut); late < -slack || late > interval+slack {
		t.Errorf("first failure seen %v after the cut, want within %v", late, interval)
	}
	if late := s.RecoveredAt.Sub(restored); late < -slack || late > interval+slack {
		t.Errorf("recovery seen %v after the restore, want within %v", late, interval)
	}
	if n := s.ErrorClasses[ClassTimeout]; n < 5 || n != s.Failures {
		t.Errorf("failures %v, want timeouts only, several", s.ErrorClasses)
	}
	t.Logf("downtime %.3fs measured against %.3fs; %d attempts, %d timeouts",
		s.DowntimeSeconds, restored.Sub(cut).Seconds(), s.Probes, s.Failures)
}
