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
	srv, cfg := startServer(t, nil)

	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	proxy := toxiproxy.NewProxy(api, "mariadb", "127.0.0.1:0", srv.Addr())
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Stop)
	_, port, _ := net.SplitHostPort(proxy.Listen)
	cfg.Port, _ = strconv.Atoi(port)
	cfg.ConnectTimeout, cfg.ReadTimeout, cfg.WriteTimeout = time.Second, 500*time.Millisecond, 500*time.Millisecond

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
		if !errors.Is(err, ErrTimeout) || took > 2*time.Second {
			t.Errorf("%s: %v after %s, want a timeout within about 1s", name, err, took)
		}
		if err != nil && strings.Contains(err.Error(), testPassword) {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
		t.Logf("%s: %v (%s)", name, err, took)
	}
}
