package failover

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// TestProbeResolvesEveryAttempt drives a probe whose resolver hook flips
// the endpoint's name to another address mid-run, as RDS moves a cluster
// endpoint: every attempt must look the name up again, record the address
// it dialled, and DNSChange must date the flip.
func TestProbeResolvesEveryAttempt(t *testing.T) {
	_, port, _ := net.SplitHostPort(closedAddr(t))
	var mu sync.Mutex
	lookups := 0
	var flipAt time.Time
	p := &Probe{Addr: net.JoinHostPort("writer.cluster.test", port), Interval: 10 * time.Millisecond,
		ConnectTimeout: 200 * time.Millisecond,
		Resolve: func(_ context.Context, host string) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			if host != "writer.cluster.test" {
				t.Errorf("resolved %q, want the endpoint's name", host)
			}
			lookups++
			if lookups <= 5 {
				return []string{"127.0.0.1"}, nil
			}
			if lookups == 6 {
				flipAt = time.Now()
			}
			return []string{"127.0.0.2", "127.0.0.1"}, nil
		}}
	obs := runFor(t, p, 10, 10*time.Second)
	// An attempt cut short by the end of Run looked the name up but is not
	// kept: there may be a few more lookups than observations.
	if len(obs) < 10 || lookups < len(obs) || lookups > len(obs)+3 {
		t.Fatalf("%d observations, %d lookups: want one lookup per attempt", len(obs), lookups)
	}
	obs = obs[:10]
	for i, o := range obs {
		// Nothing listens: every address is tried, the last one recorded.
		want := net.JoinHostPort("127.0.0.1", port)
		if o.Address != want {
			t.Errorf("observation %d dialled %q, want %q", i, o.Address, want)
		}
		if o.OK || o.Class != ClassRefused {
			t.Errorf("observation %d: ok=%v class=%q, want refused", i, o.OK, o.Class)
		}
	}

	// The recorded addresses, as a probe that reached the first address
	// would have recorded them.
	for i := range obs {
		if i >= 5 {
			obs[i].Address = net.JoinHostPort("127.0.0.2", port)
		}
	}
	trigger := obs[2].At
	d := DNSChange(p.Addr, obs, trigger)
	if !d.Changed || d.ChangedAt == nil || !d.ChangedAt.Equal(obs[5].At) {
		t.Fatalf("DNSChange = %+v, want a change at observation 5", d)
	}
	if d.ChangedAt.Before(flipAt.Add(-50 * time.Millisecond)) {
		t.Errorf("change dated %v, before the resolver flipped (%v)", d.ChangedAt, flipAt)
	}
	if d.Name != "writer.cluster.test" || d.AddressBefore != net.JoinHostPort("127.0.0.1", port) ||
		d.AddressAfter != net.JoinHostPort("127.0.0.2", port) || len(d.Addresses) != 2 {
		t.Errorf("DNSChange = %+v", d)
	}
	if got, want := *d.ChangedAfterSeconds, obs[5].At.Sub(trigger).Seconds(); got != want {
		t.Errorf("changed_after_seconds = %v, want %v", got, want)
	}
}

func TestDNSChangeFixedAddress(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var obs []Observation
	for i := range 5 {
		obs = append(obs, Observation{At: t0.Add(time.Duration(i) * 100 * time.Millisecond), Address: "127.0.0.1:4000"})
	}
	obs[3].Address = "" // a failed lookup says nothing
	d := DNSChange("127.0.0.1:4000", obs, t0.Add(150*time.Millisecond))
	if d.Changed || d.ChangedAt != nil || d.AddressBefore != "127.0.0.1:4000" || d.AddressAfter != "127.0.0.1:4000" {
		t.Errorf("DNSChange = %+v, want no change", d)
	}
	// An IP literal is dialled as is: the probe never calls the resolver.
	p := &Probe{Addr: closedAddr(t), Resolve: func(context.Context, string) ([]string, error) {
		t.Error("an IP literal must not be looked up")
		return nil, nil
	}}
	if o := p.Attempt(context.Background()); o.Address != p.Addr {
		t.Errorf("address = %q, want %q", o.Address, p.Addr)
	}
}
