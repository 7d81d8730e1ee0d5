package gameday

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/failover"
)

// TestHTTPProbeClasses drives the HTTP probe against a real server that
// answers each way an application can fail, and a closed port.
func TestHTTPProbeClasses(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	for _, code := range []int{500, 502, 503, 504, 404} {
		mux.HandleFunc("/"+itoa(code), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
	}
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		c.(*net.TCPConn).SetLinger(0) // close with RST
		c.Close()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct{ url, want string }{
		{srv.URL + "/ok", ""},
		{srv.URL + "/502", Class502},
		{srv.URL + "/503", Class503},
		{srv.URL + "/504", Class504},
		{srv.URL + "/500", Class5xx},
		{srv.URL + "/404", ClassStatus},
		{srv.URL + "/hang", failover.ClassTimeout},
		{srv.URL + "/reset", ClassReset},
		{"http://" + closed + "/", failover.ClassRefused},
	} {
		spec := ProbeSpec{Kind: KindHTTP, Name: "app", URL: tc.url, ExpectStatus: 200, Timeout: 300 * time.Millisecond}
		ctx, cancel := context.WithTimeout(context.Background(), spec.Timeout)
		got, detail := httpAttempt(spec)(ctx)
		cancel()
		if got != tc.want {
			t.Errorf("%s: class %q (%s), want %q", tc.url, got, detail, tc.want)
		}
	}
}

func TestTCPAndCommandProbes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := ln.Addr().String()
	defer ln.Close()
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln2.Addr().String()
	ln2.Close()
	for _, tc := range []struct {
		spec ProbeSpec
		want string
	}{
		{ProbeSpec{Kind: KindTCP, Address: open}, ""},
		{ProbeSpec{Kind: KindTCP, Address: closed}, failover.ClassRefused},
		{ProbeSpec{Kind: KindCommand, Run: "exit 0"}, ""},
		{ProbeSpec{Kind: KindCommand, Run: "echo broken; exit 3"}, ClassExit},
		// The shell's child is killed with it: the attempt ends at the timeout.
		{ProbeSpec{Kind: KindCommand, Run: "sleep 30", Timeout: 300 * time.Millisecond}, failover.ClassTimeout},
	} {
		if tc.spec.Timeout == 0 {
			tc.spec.Timeout = 5 * time.Second // generous: a loaded machine starts shells slowly
		}
		p := newAppProbe(tc.spec)
		ctx, cancel := context.WithTimeout(context.Background(), tc.spec.Timeout)
		start := time.Now()
		got, detail := p.attempt(ctx)
		cancel()
		if got != tc.want {
			t.Errorf("%+v: class %q (%s), want %q", tc.spec, got, detail, tc.want)
		}
		if took := time.Since(start); took > 6*time.Second {
			t.Errorf("%+v took %s", tc.spec, took)
		}
		if tc.want == ClassExit && !strings.Contains(detail, "exit status 3: broken") {
			t.Errorf("detail %q", detail)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// obsSeq builds observations 100ms apart from a pattern: '.' ok, 'r'
// refused, '2' 502, '4' 504, 't' timeout.
func obsSeq(start time.Time, pattern string) []failover.Observation {
	classes := map[rune]string{'r': failover.ClassRefused, '2': Class502, '4': Class504, 't': failover.ClassTimeout}
	var out []failover.Observation
	for i, c := range pattern {
		o := failover.Observation{At: start.Add(time.Duration(i) * 100 * time.Millisecond), Latency: 10 * time.Millisecond, OK: c == '.'}
		if !o.OK {
			o.Class = classes[c]
		}
		out = append(out, o)
	}
	return out
}

func TestComputeFigures(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	//                     0123456789012345678901234
	db := computeFigures(DatabaseProbe, "database", obsSeq(t0, "...rrrrr........"), nil, nil)
	if db.DowntimeSeconds != 0.5 || !db.Recovered || db.Classes["refused"] != 5 || db.MaxConsecutiveFailures != 5 {
		t.Fatalf("db: %+v", db)
	}
	if db.RecoveredAfterDatabaseSeconds != nil {
		t.Errorf("the database is not measured against itself")
	}
	for _, tc := range []struct {
		name    string
		pattern string
		hooks   []hook
		after   *float64
		hook    string
		classes map[string]int
	}{
		{"back with the database", "...rrrrr........", nil, ptr(0.0), "", map[string]int{"refused": 5}},
		{"back 0.4s later", "....22224444.......", nil, ptr(0.4), "", map[string]int{"502": 4, "504": 4}},
		{"never failed", "..............", nil, ptr(0.0), "", map[string]int{}},
		{"never recovered", "....tttttttttttt", nil, nil, "", map[string]int{"timeout": 12}},
		{"needed the hook", "....tttttttttt......", []hook{{At: t0.Add(1200 * time.Millisecond), Name: "run restart"}}, nil, "run restart", map[string]int{"timeout": 10}},
		{"hook before the database was back", "....ttttttttt.......", []hook{{At: t0.Add(200 * time.Millisecond), Name: "run load"}}, ptr(0.5), "", map[string]int{"timeout": 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := computeFigures("app", KindHTTP, obsSeq(t0, tc.pattern), &db, tc.hooks)
			switch {
			case tc.after == nil && f.RecoveredAfterDatabaseSeconds != nil:
				t.Errorf("after = %v, want null", *f.RecoveredAfterDatabaseSeconds)
			case tc.after != nil && (f.RecoveredAfterDatabaseSeconds == nil || *f.RecoveredAfterDatabaseSeconds != *tc.after):
				t.Errorf("after = %v, want %v", f.RecoveredAfterDatabaseSeconds, *tc.after)
			}
			if f.RecoveredAfterHook != tc.hook {
				t.Errorf("hook = %q, want %q", f.RecoveredAfterHook, tc.hook)
			}
			if len(f.Classes) != len(tc.classes) {
				t.Errorf("classes %v, want %v", f.Classes, tc.classes)
			}
			for k, v := range tc.classes {
				if f.Classes[k] != v {
					t.Errorf("classes %v, want %v", f.Classes, tc.classes)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestJudge(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := computeFigures(DatabaseProbe, "database", obsSeq(t0, "...rrrrr........"), nil, nil)
	late := computeFigures("app", KindHTTP, obsSeq(t0, "....22224444......."), &db, nil)
	down := computeFigures("app", KindHTTP, obsSeq(t0, "....tttttttttttt"), &db, nil)
	for _, tc := range []struct {
		name    string
		a       Assertion
		f       Figures
		now     time.Time
		pass    bool
		settled bool
		msg     string
	}{
		{"within budget", Assertion{Probe: "app", RecoveredWithin: ptr(time.Second)}, late, t0, true, true, ""},
		{"over budget", Assertion{Probe: "app", RecoveredWithin: ptr(300 * time.Millisecond)}, late, t0, false, true, "app was back 0.400s after the database, over 300ms"},
		{"not back, budget left", Assertion{Probe: "app", RecoveredWithin: ptr(time.Minute)}, down, t0.Add(2 * time.Second), false, false, "did not recover within 1m0s"},
		{"not back, budget spent", Assertion{Probe: "app", RecoveredWithin: ptr(time.Second)}, down, t0.Add(3 * time.Second), false, true, "did not recover within 1s"},
		{"downtime ok", Assertion{Probe: "database", DowntimeMax: ptr(0.5)}, db, t0, true, true, ""},
		{"downtime over", Assertion{Probe: "database", DowntimeMax: ptr(0.4)}, db, t0, false, true, "database was down 0.500s, over the budget of 0.4s"},
		{"classes", Assertion{Probe: "app", ErrorClasses: map[string]int{"502": 4, "504": 3}}, late, t0, false, true, "app saw 504 ×4, over 3"},
		{"consecutive", Assertion{Probe: "app", MaxConsecutiveFailures: ptr(7)}, late, t0, false, true, "app failed 8 times in a row, over 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err, settled := judge(&tc.a, tc.f, db, tc.now)
			if (err == nil) != tc.pass {
				t.Fatalf("err = %v, want pass=%v", err, tc.pass)
			}
			if settled != tc.settled {
				t.Errorf("settled = %v, want %v", settled, tc.settled)
			}
			if err != nil && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want %q", err, tc.msg)
			}
		})
	}
}
