package verify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTrapExplain(t *testing.T) {
	tr := Trap{GlobalWaitTimeout: 300, GlobalInteractiveTimeout: 28800, SessionWaitTimeout: 300, InteractiveSessionWaitTimeout: 28800}
	want := "An interactive mysql client will show wait_timeout=28800 because the server copies interactive_timeout into interactive sessions; applications (non-interactive) get 300."
	if got := tr.Explain(); got != want {
		t.Errorf("Explain() = %q\nwant %q", got, want)
	}
	if got := (Trap{300, 300, 300, 300}).Explain(); got != "" {
		t.Errorf("nothing to explain, got %q", got)
	}
	got := (Trap{GlobalWaitTimeout: 300, GlobalInteractiveTimeout: 300, SessionWaitTimeout: 60, InteractiveSessionWaitTimeout: 300}).Explain()
	if !strings.Contains(got, "session wait_timeout is 60 although the global is 300") {
		t.Errorf("per-session override not explained: %q", got)
	}
}

func TestReportJSON(t *testing.T) {
	snap := testSnapshot()
	snap.Server = Server{Hostname: "ip-10-0-0-1", ServerID: 42, Version: "10.11.9-MariaDB"}
	snap.GlobalWaitTimeout, snap.GlobalInteractiveTimeout, snap.SessionWaitTimeout = 300, 28800, 300
	snap.Took = 1500 * time.Microsecond
	exp, _ := ParseExpect([]string{"wait_timeout=999"})
	r := NewReport("staging-db", "127.0.0.1:3306", snap, exp, CompareOptions{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Instance   string `json:"instance"`
		Endpoint   string `json:"endpoint"`
		Server     map[string]any
		Parameters []map[string]any `json:"parameters"`
		Trap       map[string]any   `json:"trap"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Instance != "staging-db" || got.Endpoint != "127.0.0.1:3306" || got.Server["hostname"] != "ip-10-0-0-1" || got.Server["server_id"] != 42.0 || got.Server["version"] != "10.11.9-MariaDB" {
		t.Errorf("report JSON = %s", b)
	}
	if len(got.Parameters) != 1 {
		t.Fatalf("parameters = %v", got.Parameters)
	}
	p := got.Parameters[0]
	if p["name"] != "wait_timeout" || p["expected"] != "999" || p["actual"] != "300" || p["status"] != "drift" {
		t.Errorf("parameter JSON = %v", p)
	}
	for k, want := range map[string]float64{"global_wait_timeout": 300, "global_interactive_timeout": 28800, "session_wait_timeout": 300, "interactive_session_wait_timeout": 28800} {
		if got.Trap[k] != want {
			t.Errorf("trap.%s = %v, want %v", k, got.Trap[k], want)
		}
	}
	if !strings.HasPrefix(got.Trap["explanation"].(string), "An interactive mysql client will show wait_timeout=28800") {
		t.Errorf("trap.explanation = %v", got.Trap["explanation"])
	}
	if r.Findings() != 1 || r.Err() == nil {
		t.Errorf("Findings = %d, Err = %v", r.Findings(), r.Err())
	}

	empty := NewReport("", "h:1", testSnapshot(), nil, CompareOptions{})
	b, _ = json.Marshal(empty)
	if !strings.Contains(string(b), `"parameters":[]`) {
		t.Errorf("no expectations should give parameters: [], got %s", b)
	}
}
