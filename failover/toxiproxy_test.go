package failover_test

import (
	"context"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	// Registers the toxic types.
	_ "github.com/Shopify/toxiproxy/v2/toxics"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/failover"
)

// TestProbeThroughToxiproxy puts toxiproxy between the failover probe and
// a real lab instance and checks what the probe makes of each database
// fault: a black hole is a timeout within the probe's own timeouts, a
// closed connection fails at once, and 200 ms of added latency is
// measured as such, and still lets a real Multi-AZ failover be measured
// within one probe interval (the spacing of attempts) of the lab's truth.
func TestProbeThroughToxiproxy(t *testing.T) {
	l, c, direct := labInstanceFor(t, time.Second, true)
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	px := toxiproxy.NewProxy(api, "gameday", "127.0.0.1:0", direct.Addr)
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Stop)
	const timeout = time.Second
	p := &failover.Probe{Addr: px.Listen, User: direct.User, Password: direct.Password,
		ConnectTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout}
	if _, _, err := net.SplitHostPort(p.Addr); err != nil {
		t.Fatal(err)
	}
	toxic := func(t *testing.T, js string) {
		t.Helper()
		tx, err := px.Toxics.AddToxicJson(strings.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = px.Toxics.RemoveToxic(context.Background(), tx.Name) })
	}
	if o := p.Attempt(context.Background()); !o.OK {
		t.Fatalf("through the healthy proxy: %+v", o)
	}

	t.Run("black hole", func(t *testing.T) {
		toxic(t, `{"name":"hole","type":"timeout","stream":"downstream","toxicity":1,"attributes":{"timeout":0}}`)
		start := time.Now()
		o := p.Attempt(context.Background())
		took := time.Since(start)
		if o.OK || o.Class != failover.ClassTimeout || took > 2*timeout+300*time.Millisecond {
			t.Errorf("black-holed attempt: %+v after %s, want a timeout within connect+read (%s)", o, took, 2*timeout)
		}
	})
	t.Run("closed", func(t *testing.T) {
		toxic(t, `{"name":"reset","type":"reset_peer","stream":"upstream","toxicity":1,"attributes":{"timeout":0}}`)
		start := time.Now()
		o := p.Attempt(context.Background())
		took := time.Since(start)
		// A timeout would take the whole second; a closed connection fails
		// in milliseconds (half the timeout leaves room for a loaded machine).
		if o.OK || o.Class == failover.ClassTimeout || took > timeout/2 {
			t.Errorf("closed connection: %+v after %s, want a fast failure (not a timeout)", o, took)
		}
		t.Logf("closed: class %s in %s", o.Class, took)
	})
	t.Run("latency", func(t *testing.T) {
		toxic(t, `{"name":"slow","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":200,"jitter":0}}`)
		// Timeouts that outlast the latency: only then can it be measured.
		slow := &failover.Probe{Addr: p.Addr, User: p.User, Password: p.Password,
			ConnectTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second}
		o := slow.Attempt(context.Background())
		if !o.OK || o.Latency < 200*time.Millisecond || o.Latency > 1500*time.Millisecond {
			t.Fatalf("attempt with 200 ms latency: %+v, want ok in 200 ms to 1.5 s", o)
		}
		slow.Interval = 100 * time.Millisecond
		res, err := failover.Run(context.Background(), c, failover.Options{Instance: "gameday", Failover: true, Probe: slow,
			PollInterval: 50 * time.Millisecond, Timeout: time.Minute, Progress: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		var truth *lab.Outage
		for _, o := range l.Status().Outages {
			if o.Cause == "failover" {
				truth = &o
			}
		}
		if truth == nil {
			t.Fatal("the lab recorded no failover outage")
		}
		want := truth.RestoredAt.Sub(truth.CutAt).Seconds()
		// Attempts start on every tick, overlapping when 200 ms round
		// trips outlast the interval: the probe's resolution at each edge of
		// the outage is the spacing of the attempt starts there (100 ms, or
		// more when a loaded machine delays a tick).
		obs := slow.Observations()
		interval := slow.Interval.Seconds()
		for i := 1; i < len(obs); i++ {
			if obs[i].OK != obs[i-1].OK {
				interval = math.Max(interval, obs[i].At.Sub(obs[i-1].At).Seconds())
			}
		}
		t.Logf("measured %.3fs, lab window %.3fs, probe interval %.3fs over %d attempts, classes %v",
			res.DowntimeSeconds, want, interval, len(obs), res.ErrorClasses)
		if d := math.Abs(res.DowntimeSeconds - want); d > interval {
			t.Errorf("measured downtime %.3fs is %.3fs off the lab's window %.3fs: more than one probe interval (%.3fs)", res.DowntimeSeconds, d, want, interval)
		}
	})
}
