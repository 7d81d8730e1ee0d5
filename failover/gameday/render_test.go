package gameday

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/* with the renderers' output")

// sampleReport is a drill as the runner would report it: the database
// down 2.1 s, the app 502 then 504 until a restart hook, one assertion
// failed, rollback verified.
func sampleReport() *Report {
	t0 := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	db := computeFigures(DatabaseProbe, "database", obsSeq(at(0), strings.Repeat(".", 30)+strings.Repeat("r", 21)+strings.Repeat(".", 400)), nil, nil)
	appObs := obsSeq(at(0), strings.Repeat(".", 31)+strings.Repeat("2", 20)+strings.Repeat("4", 300)+strings.Repeat(".", 100))
	hooks := []hook{{At: at(35000), Name: "run systemctl restart app"}}
	app := computeFigures("app", KindHTTP, appObs, &db, hooks)
	app.RecoveryBudgetSeconds = ptr(30.0)
	r := &Report{
		Name: "pool-drill", Target: "staging-db", StartedAt: at(0), EndedAt: at(45100),
		Steps: []StepResult{
			{Index: 1, Kind: StepSet, Name: "set wait_timeout=300", Line: 6, Passed: true, StartedAt: at(100), EndedAt: at(400), Detail: "group staging changed"},
			{Index: 2, Kind: StepFailover, Name: "failover (max downtime 1m0s)", Line: 7, Passed: true, StartedAt: at(2900), EndedAt: at(5500), Detail: "downtime 2.100s, us-east-1a -> us-east-1b"},
			{Index: 3, Kind: StepAssert, Name: "assert app: recovered within 30s", Line: 8, Passed: false, StartedAt: at(5500), EndedAt: at(34900), Detail: `app: not back (within 30s); app did not recover within 30s of the database`},
			{Index: 4, Kind: StepRun, Name: "run systemctl restart app", Line: 9, Passed: true, StartedAt: at(35000), EndedAt: at(35200), Detail: "exit 0"},
		},
		Probes: []Figures{db, app},
		Lanes:  []Lane{laneOf(DatabaseProbe, obsSeq(at(0), strings.Repeat(".", 30)+strings.Repeat("r", 21)+strings.Repeat(".", 400))), laneOf("app", appObs)},
		Markers: []Marker{
			{At: at(100), Kind: MarkStep, Text: "1. set wait_timeout=300"},
			{At: at(2900), Kind: MarkStep, Text: "2. failover (max downtime 1m0s)"},
			{At: at(2950), Kind: MarkAPI, Text: "RebootDBInstance ForceFailover=true accepted"},
			{At: at(3000), Kind: MarkEvent, Text: "staging-db: Multi-AZ instance failover started."},
			{At: at(5200), Kind: MarkAPI, Text: "status available"},
			{At: at(35000), Kind: MarkStep, Text: "4. run systemctl restart app"},
			{At: t0.Add(-time.Hour), Kind: MarkEvent, Text: "staging-db: DB instance created"},
		},
		Rollback: &RollbackResult{Passed: true, StartedAt: at(45100), EndedAt: at(45400),
			Restored: []Restored{{Group: "staging", Name: "wait_timeout", Default: true, ServerValue: "28800", ServerVerified: true}}, Errors: []string{}},
	}
	r.Sentence = Sentence(r)
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestSentence(t *testing.T) {
	r := sampleReport()
	want := `The database was back after 2.1 s; app did not recover on its own within 30s and needed "run systemctl restart app" (back 30.0 s after the database).`
	if r.Sentence != want {
		t.Errorf("got  %s\nwant %s", r.Sentence, want)
	}
	r.Probes[1].RecoveredAfterHook = "the restart hook"
	r.Probes[1].RecoveryBudgetSeconds = nil
	if got, want := Sentence(r), "The database was back after 2.1 s; app did not recover on its own and needed the restart hook (back 30.0 s after the database)."; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r.Probes[1].Recovered = false
	r.Probes[1].RecoveryBudgetSeconds = ptr(10.0)
	if got, want := Sentence(r), "The database was back after 2.1 s; app never recovered within 10s (down 32.0 s when the drill ended)."; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r.Probes[1].Recovered = true
	r.Probes[1].RecoveredAfterHook = ""
	r.Probes[1].RecoveredAfterDatabaseSeconds = ptr(31.4)
	if got := Sentence(r); got != "The database was back after 2.1 s; app took a further 31.4 s." {
		t.Errorf("got %s", got)
	}
	if got := Sentence(&Report{Error: "x is protected"}); got != "The drill did not start: x is protected." {
		t.Errorf("got %s", got)
	}
}

func TestRenderGolden(t *testing.T) {
	r := sampleReport()
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", js)
	golden(t, "report.md", []byte(Markdown(r)))
	golden(t, "report.html", []byte(HTML(r)))
}

// TestHTMLSelfContained: the page loads nothing from elsewhere, and text
// from the scenario cannot inject markup.
func TestHTMLSelfContained(t *testing.T) {
	r := sampleReport()
	r.Steps[0].Name = `<script>alert(1)</script>`
	r.Lanes[1].Probe = `a"b`
	h := HTML(r)
	for _, bad := range []string{"<script", "<link", " src=", "url(", "@import", `"a"b"`} {
		if strings.Contains(h, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	for _, want := range []string{`<svg id="timeline"`, `id="lane-database"`, `class="outage"`, `class="marker marker-step"`, `class="marker marker-api"`, `class="marker marker-event"`, `fill="#ff7f0e"`, `fill="#a0522d"`} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The event from before the drill is not drawn.
	if strings.Contains(h, "DB instance created") {
		t.Error("an event from before the drill is on the timeline")
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteDir(dir, sampleReport()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Passed bool `json:"passed"`
		Steps  []struct {
			Name      string    `json:"name"`
			Passed    bool      `json:"passed"`
			StartedAt time.Time `json:"started_at"`
			EndedAt   time.Time `json:"ended_at"`
			Detail    string    `json:"detail"`
		} `json:"steps"`
		Probes []struct {
			Name                          string         `json:"name"`
			Kind                          string         `json:"kind"`
			DowntimeSeconds               float64        `json:"downtime_seconds"`
			FirstFailureAt                *time.Time     `json:"first_failure_at"`
			RecoveredAt                   *time.Time     `json:"recovered_at"`
			RecoveredAfterDatabaseSeconds *float64       `json:"recovered_after_database_seconds"`
			MaxConsecutiveFailures        int            `json:"max_consecutive_failures"`
			Classes                       map[string]int `json:"classes"`
		} `json:"probes"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Steps) != 4 || got.Steps[2].Passed || got.Probes[0].Name != "database" || got.Probes[1].RecoveredAfterDatabaseSeconds != nil ||
		got.Probes[1].Classes["502"] != 20 || got.Probes[1].Classes["504"] != 300 || got.Probes[0].DowntimeSeconds != 2.1 {
		t.Errorf("report.json: %s", b)
	}
	for _, f := range []string{"report.md", "report.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
