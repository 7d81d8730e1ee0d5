package failover

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// fakeClock moves only when a test moves it. In auto mode every wait ends
// at once, the clock jumping to its end; otherwise After registers a timer
// that fires when advance passes it, and armed says a timer was set, so a
// test can step the probe's schedule tick by tick.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	timers []fakeTimer
	armed  chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newManualClock(t0 time.Time) *fakeClock {
	return &fakeClock{now: t0, armed: make(chan struct{}, 64)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if c.auto {
		c.now = c.now.Add(d)
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	c.armed <- struct{}{}
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.now) {
			kept = append(kept, tm)
			continue
		}
		tm.ch <- c.now
	}
	c.timers = kept
}

// step waits until the probe's schedule has set its next timer, then moves
// the clock by d.
func (c *fakeClock) step(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(10 * time.Second):
		t.Fatal("the probe set no timer")
	}
	c.advance(d)
}

// runFor runs p until it has made n observations or d has passed, and
// returns every observation kept: attempts that finished before Run
// stopped are kept too, so there may be more than n.
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

// scripted is an attemptFunc for schedule tests: it records when each
// attempt started, and holds attempt i until release(i) (or the end of
// Run) when i is in hold.
type scripted struct {
	clk     *fakeClock
	mu      sync.Mutex
	starts  []time.Duration
	t0      time.Time
	hold    map[int]chan struct{}
	started chan int
}

func newScripted(clk *fakeClock, hold ...int) *scripted {
	s := &scripted{clk: clk, t0: clk.Now(), hold: map[int]chan struct{}{}, started: make(chan int, 1024)}
	for _, i := range hold {
		s.hold[i] = make(chan struct{})
	}
	return s
}

func (s *scripted) attempt(ctx context.Context) Observation {
	s.mu.Lock()
	i := len(s.starts)
	at := s.clk.Now()
	s.starts = append(s.starts, at.Sub(s.t0))
	ch := s.hold[i]
	s.mu.Unlock()
	s.started <- i
	if ch == nil {
		return Observation{At: at, OK: true, ServerID: uint32(i)}
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
	return Observation{At: at, Class: ClassTimeout, Err: "i/o timeout", ServerID: uint32(i)}
}

func (s *scripted) release(i int) { close(s.hold[i]) }

// waitStarted waits until n attempts have started.
func (s *scripted) waitStarted(t *testing.T, n int) {
	t.Helper()
	for {
		s.mu.Lock()
		got := len(s.starts)
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-s.started:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d attempts started, want %d", got, n)
		}
	}
}

func (s *scripted) startTimes() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.starts...)
}

// observed collects what Observe is given, safely for a test to read while
// Run runs.
type observed struct {
	mu  sync.Mutex
	obs []Observation
	ch  chan struct{}
}

func newObserved() *observed { return &observed{ch: make(chan struct{}, 1024)} }

func (o *observed) observe(x Observation) {
	o.mu.Lock()
	o.obs = append(o.obs, x)
	o.mu.Unlock()
	o.ch <- struct{}{}
}

func (o *observed) ids() []uint32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []uint32
	for _, x := range o.obs {
		ids = append(ids, x.ServerID)
	}
	return ids
}

func (o *observed) waitN(t *testing.T, n int) {
	t.Helper()
	for len(o.ids()) < n {
		select {
		case <-o.ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("Observe saw %v, want %d observations", o.ids(), n)
		}
	}
}

// runAsync starts p.Run and returns a stop that ends it and waits.
func runAsync(t *testing.T, p *Probe) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	}
}

// TestProbeHangingAttemptDoesNotHoldTheSchedule is the black hole: an
// attempt that hangs for its timeouts must not stop the next ticks'
// attempts, or the recovery is seen a timeout late; and the observations
// still come out in the order the attempts started.
func TestProbeHangingAttemptDoesNotHoldTheSchedule(t *testing.T) {
	clk := newManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	sc := newScripted(clk, 1)
	seen := newObserved()
	p := &Probe{Addr: "127.0.0.1:1", Interval: 100 * time.Millisecond, Clock: clk, attemptFunc: sc.attempt, Observe: seen.observe}
	stop := runAsync(t, p)
	sc.waitStarted(t, 1)
	for i := range 5 {
		clk.step(t, 100*time.Millisecond)
		sc.waitStarted(t, i+2)
	}
	seen.waitN(t, 1)
	if got := seen.ids(); len(got) != 1 {
		t.Fatalf("Observe saw %v while attempt 1 hung; want only attempt 0: later ones wait for it", got)
	}
	sc.release(1)
	seen.waitN(t, 6)
	stop()
	want := []time.Duration{0, 100, 200, 300, 400, 500}
	for i, at := range sc.startTimes()[:6] {
		if at != want[i]*time.Millisecond {
			t.Errorf("attempt %d started at +%v, want +%v", i, at, want[i]*time.Millisecond)
		}
	}
	if got := seen.ids(); !slices.Equal(got[:6], []uint32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("Observe order %v, want the order the attempts started", got)
	}
	obs := p.Observations()
	if len(obs) < 6 || obs[1].OK || !obs[2].OK {
		t.Fatalf("kept %+v", obs)
	}
	// What this is for: the recovery is dated by the first attempt after
	// it, one interval late at most, not by the end of the hung one.
	if s := Summarize(obs, obs[0].At); s.RecoveredAt == nil || !s.RecoveredAt.Equal(obs[2].At) {
		t.Errorf("recovered at %v, want %v", s.RecoveredAt, obs[2].At)
	}
}

// TestProbeScheduleSkipsMissedTicks: when Run itself is held up past
// several ticks, it starts one attempt and goes back on the grid; the
// missed ticks are not made up in a burst.
func TestProbeScheduleSkipsMissedTicks(t *testing.T) {
	clk := newManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	sc := newScripted(clk)
	p := &Probe{Addr: "127.0.0.1:1", Interval: 100 * time.Millisecond, Clock: clk, attemptFunc: sc.attempt}
	stop := runAsync(t, p)
	sc.waitStarted(t, 1)
	clk.step(t, 350*time.Millisecond) // the tick at +100 fires at +350
	sc.waitStarted(t, 2)
	clk.step(t, 50*time.Millisecond) // back on the grid: +400
	sc.waitStarted(t, 3)
	clk.step(t, 100*time.Millisecond)
	sc.waitStarted(t, 4)
	stop()
	want := []time.Duration{0, 350, 400, 500}
	if got := sc.startTimes(); !slices.Equal(got, scale(want, time.Millisecond)) {
		t.Errorf("attempts started at %v, want %v", got, scale(want, time.Millisecond))
	}
}

// TestProbeInFlightLimit: attempts that all hang stop at MaxInFlight, and
// Run still returns at once when its context ends, recording none of
// them.
func TestProbeInFlightLimit(t *testing.T) {
	clk := newManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	sc := newScripted(clk, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	p := &Probe{Addr: "127.0.0.1:1", Interval: 100 * time.Millisecond, Clock: clk, attemptFunc: sc.attempt, MaxInFlight: 3}
	stop := runAsync(t, p)
	for i := range 8 {
		sc.waitStarted(t, min(i+1, 3))
		clk.step(t, 100*time.Millisecond)
	}
	clk.step(t, 0) // the eighth tick has been handled
	if n := len(sc.startTimes()); n != 3 {
		t.Errorf("%d attempts open, want MaxInFlight (3)", n)
	}
	stop()
	if obs := p.Observations(); len(obs) != 0 {
		t.Errorf("attempts cut short by the end of Run were kept: %+v", obs)
	}
	// The default lets every attempt that can still be open overlap.
	if got := (&Probe{}).maxInFlight(DefaultInterval); got != 31 {
		t.Errorf("default MaxInFlight = %d, want 31 (3 s of timeouts over 100 ms, plus one)", got)
	}
}

func scale(ds []time.Duration, unit time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d * unit
	}
	return out
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
	clk := &fakeClock{now: time.Unix(0, 0), auto: true}
	var all []Observation
	p := &Probe{Addr: closedAddr(t), Clock: clk, MaxKept: 8, Observe: func(o Observation) { all = append(all, o) }}
	obs := runFor(t, p, 20, 5*time.Second)
	if len(all) < 20 {
		t.Fatalf("Observe saw %d, want 20", len(all))
	}
	if len(obs) > 8 || len(obs)+p.Dropped() != len(all) {
		t.Fatalf("kept %d, dropped %d: want at most 8 kept, %d in all", len(obs), p.Dropped(), len(all))
	}
	if !obs[len(obs)-1].At.Equal(all[len(all)-1].At) {
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

// TestOffTick: the trigger waits for the middle between two attempt
// starts, so that a lab's immediate cut is not phase-locked to the probe.
func TestOffTick(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now, want time.Duration // after the last attempt's start
	}{
		{5 * time.Millisecond, 50 * time.Millisecond},
		{49 * time.Millisecond, 50 * time.Millisecond},
		{50 * time.Millisecond, 150 * time.Millisecond},
		{230 * time.Millisecond, 250 * time.Millisecond},
	} {
		clk := newManualClock(t0.Add(tc.now))
		p := &Probe{Interval: 100 * time.Millisecond, Clock: clk}
		p.keep(Observation{At: t0, OK: true})
		done := make(chan error, 1)
		go func() { done <- offTick(context.Background(), p) }()
		<-clk.armed
		clk.mu.Lock()
		at := clk.timers[0].at
		clk.mu.Unlock()
		if got := at.Sub(t0); got != tc.want {
			t.Errorf("at +%v: trigger at +%v, want +%v", tc.now, got, tc.want)
		}
		clk.advance(time.Second)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// Without a baseline there is nothing to be off.
	if err := offTick(context.Background(), &Probe{Clock: newManualClock(t0)}); err != nil {
		t.Fatal(err)
	}
}
