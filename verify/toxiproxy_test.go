package verify

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	// Registers the toxic types, the timeout toxic among them.
	_ "github.com/Shopify/toxiproxy/v2/toxics"
)

// TestBlackHoledEndpoint puts toxiproxy in front of a real server and
// switches on its timeout toxic with timeout 0: the TCP connection stays up
// and no byte comes back, as when clients still reach a dead primary's
// address. Verify must end with a clear timeout, never hang.
func TestBlackHoledEndpoint(t *testing.T) {
	proxy, cfg := toxiproxied(t)

	db, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("through the proxy before the toxic: %v", err)
	}
	defer db.Close()
	if _, err := Check(context.Background(), db, ServerOptions{Conn: cfg}); err != nil {
		t.Fatalf("verify through the healthy proxy: %v", err)
	}

	const toxic = `{"name":"blackhole","type":"timeout","stream":"downstream","toxicity":1,"attributes":{"timeout":0}}`
	if _, err := proxy.Toxics.AddToxicJson(strings.NewReader(toxic)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Toxics.RemoveToxic(context.Background(), "blackhole") })

	for name, verify := range map[string]func() error{
		"open connection": func() error { _, err := Check(context.Background(), db, ServerOptions{Conn: cfg}); return err },
		"new connection":  func() error { _, err := Run(context.Background(), ServerOptions{Conn: cfg}); return err },
	} {
		start := time.Now()
		err := verify()
		took := time.Since(start)
		if !errors.Is(err, ErrTimeout) || took > 3*time.Second {
			t.Errorf("%s: %v after %s, want a timeout within the 1 s timeouts (3 s with slack for a loaded machine)", name, err, took)
		}
		if err != nil && strings.Contains(err.Error(), testPassword) {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
		t.Logf("%s: %v (%s)", name, err, took)
	}
}

// toxiproxied starts a real server behind toxiproxy and returns the proxy
// and a Config aimed at it, with 1 s connect, read and write
// timeouts.
func toxiproxied(t *testing.T) (*toxiproxy.Proxy, Config) {
	srv, cfg := startServer(t, nil)
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	proxy := toxiproxy.NewProxy(api, "mariadb", "127.0.0.1:0", srv.Addr())
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Stop)
	_, port, _ := net.SplitHostPort(proxy.Listen)
	cfg.Port, _ = strconv.Atoi(port)
	cfg.ConnectTimeout, cfg.ReadTimeout, cfg.WriteTimeout = time.Second, time.Second, time.Second
	return proxy, cfg
}

// TestClosedAndSlowEndpoint: a connection the network closes fails verify
// at once, with no wait for a timeout; 200 ms of latency on every packet,
// within the timeouts, still verifies, with the server's true values.
func TestClosedAndSlowEndpoint(t *testing.T) {
	proxy, cfg := toxiproxied(t)
	// Timeouts well above both the latency and what "at once" means, so
	// that neither result can come from a timeout, even on a loaded machine.
	cfg.ConnectTimeout, cfg.ReadTimeout, cfg.WriteTimeout = 3*time.Second, 3*time.Second, 3*time.Second
	add := func(js string) string {
		tx, err := proxy.Toxics.AddToxicJson(strings.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		return tx.Name
	}

	name := add(`{"name":"reset","type":"reset_peer","stream":"upstream","toxicity":1,"attributes":{"timeout":0}}`)
	start := time.Now()
	_, err := Run(context.Background(), ServerOptions{Conn: cfg})
	took := time.Since(start)
	if err == nil || errors.Is(err, ErrTimeout) || took > time.Second {
		t.Errorf("closed connection: %v after %s, want a failure other than a timeout, at once (well within the 3 s timeouts)", err, took)
	}
	if err != nil && strings.Contains(err.Error(), testPassword) {
		t.Errorf("error shows the password: %v", err)
	}
	if err := proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		t.Fatal(err)
	}

	add(`{"name":"slow","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":200,"jitter":0}}`)
	exp, err := ParseExpect([]string{"wait_timeout=28800"})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	rep, err := Run(context.Background(), ServerOptions{Conn: cfg, Instance: "slow", Expect: exp})
	took = time.Since(start)
	if err != nil {
		t.Fatalf("verify with 200 ms latency and 3 s timeouts: %v", err)
	}
	if took < 200*time.Millisecond {
		t.Errorf("verify took %s through 200 ms of latency", took)
	}
	if len(rep.Parameters) != 1 || rep.Parameters[0].Status != StatusOK || rep.Parameters[0].Actual != "28800" {
		t.Errorf("verify with latency: %+v", rep.Parameters)
	}
	t.Logf("slow: verified in %s", took)
}
