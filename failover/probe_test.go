package failover

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// fakeClock moves only when the probe waits or a test advances it, so the
// schedule can be checked exactly.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// runFor runs p until it has made n observations or d has passed.
func runFor(t *testing.T, p *Probe, n int, d time.Duration) []Observation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	seen := 0
	observe := p.Observe
	p.Observe = func(o Observation) {
		if observe != nil {
			observe(o)
		}
		if seen++; seen == n {
			cancel()
		}
	}
	if err := p.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return p.Observations()
}

func TestProbeScheduleSkipsMissedTicks(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := &fakeClock{now: t0}
	calls := 0
	p := &Probe{Addr: closedAddr(t), Interval: 100 * time.Millisecond, Clock: clk,
		Observe: func(Observation) {
			// The second attempt "takes" 350 ms: ticks +200, +300 and +400
			// are missed and must not be made up in a burst.
			if calls++; calls == 2 {
				clk.advance(350 * time.Millisecond)
			}
		}}
	obs := runFor(t, p, 5, 5*time.Second)
	want := []time.Duration{0, 100, 500, 600, 700}
	if len(obs) != len(want) {
		t.Fatalf("got %d observations, want %d", len(obs), len(want))
	}
	for i, o := range obs {
		if got := o.At.Sub(t0); got != want[i]*time.Millisecond {
			t.Errorf("attempt %d at +%v, want +%v", i, got, want[i]*time.Millisecond)
		}
		if o.OK || o.Class != ClassRefused {
			t.Errorf("attempt %d: ok=%v class=%q, want refused", i, o.OK, o.Class)
		}
	}
}

// TestProbeNoHotLoop checks on the wall clock that instant failures wait
// for the next tick.
func TestProbeNoHotLoop(t *testing.T) {
	p := &Probe{Addr: closedAddr(t), Interval: 20 * time.Millisecond}
	obs := runFor(t, p, 0, 300*time.Millisecond)
	// 300 ms at 20 ms is 15 ticks (+1 for the start); a hot loop makes
	// thousands.
	if len(obs) < 5 || len(obs) > 17 {
		t.Fatalf("%d attempts in 300 ms at a 20 ms interval", len(obs))
	}
	// Gaps are not checked: attempts sit on a grid, so one that started
	// late (a busy -race machine) may be followed sooner by the next tick.
}

func TestProbeKeepsBoundedMemory(t *testing.T) {
	clk := &fakeClock{now: time.Unix(0, 0)}
	var all []Observation
	p := &Probe{Addr: closedAddr(t), Clock: clk, MaxKept: 8, Observe: func(o Observation) { all = append(all, o) }}
	obs := runFor(t, p, 20, 5*time.Second)
	if len(all) != 20 {
		t.Fatalf("Observe saw %d, want 20", len(all))
	}
	if len(obs) > 8 || len(obs)+p.Dropped() != 20 {
		t.Fatalf("kept %d, dropped %d: want at most 8 kept, 20 in all", len(obs), p.Dropped())
	}
	if !obs[len(obs)-1].At.Equal(all[19].At) {
		t.Fatal("newest observation was not kept")
	}
}

func TestProbeRejectsBadConfig(t *testing.T) {
	for _, p := range []*Probe{{}, {Addr: "nohostport"}, {Addr: "127.0.0.1:1", Write: true, Table: "x; DROP TABLE y"}} {
		if err := p.Run(context.Background()); err == nil {
			t.Errorf("Run(%+v) accepted", p)
		}
		// Attempt too: the driver would turn an empty Addr into
		// 127.0.0.1:3306, some other server.
		if o := p.Attempt(context.Background()); o.OK || o.Class != ClassOther {
			t.Errorf("Attempt(%+v) = %+v, want a failure of class other", p, o)
		}
	}
}

// TestProbeThroughLabProxyWithoutServer covers the classes the proxy alone
// produces: no mariadbd needed.
func TestProbeThroughLabProxyWithoutServer(t *testing.T) {
	px, err := proxy.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	p := &Probe{Addr: px.Addr(), User: "probe", Password: "hunter2-secret",
		ConnectTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond}

	// Up to a dead backend: the proxy accepts, fails to reach the engine
	// and hangs up, as an endpoint whose primary has just died does.
	var seen []Observation
	attempt := func() Observation {
		o := p.Attempt(context.Background())
		seen = append(seen, o)
		return o
	}
	px.Up(closedAddr(t))
	if o := attempt(); o.OK || o.Class != ClassGoneAway {
		t.Errorf("dead backend: %+v, want gone_away", o)
	}
	// Blackhole first: the proxy does not reopen a refusing port on a
	// second Down.
	px.Down(proxy.Blackhole)
	start := time.Now()
	o := attempt()
	if o.OK || o.Class != ClassTimeout {
		t.Errorf("Down(Blackhole): %+v, want timeout", o)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("black-holed attempt took %v with 200 ms timeouts", took)
	}
	px.Down(proxy.Refuse)
	if o := attempt(); o.OK || o.Class != ClassRefused {
		t.Errorf("Down(Refuse): %+v, want refused", o)
	}
	for _, o := range seen {
		if strings.Contains(o.Err, p.Password) {
			t.Errorf("password in observation: %q", o.Err)
		}
	}
}
