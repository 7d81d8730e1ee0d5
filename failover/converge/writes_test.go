package converge

import (
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/failover"
)

// TestWriteOutages: runs of failed writes become outages, each from its
// first failure to the next success, attributed to the step that ran.
func TestWriteOutages(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ok := func(ms int) failover.Observation {
		return failover.Observation{At: at(ms), OK: true, Latency: time.Millisecond}
	}
	bad := func(ms int, class string) failover.Observation {
		return failover.Observation{At: at(ms), Class: class, Latency: 2 * time.Millisecond}
	}
	obs := []failover.Observation{ok(0), ok(100), bad(200, "refused"), bad(300, "read_only"), ok(400), ok(500), bad(600, "timeout")}
	got := writeOutages(obs)
	if len(got) != 2 {
		t.Fatalf("%d outages, want 2: %+v", len(got), got)
	}
	first, last := got[0], got[1]
	if !first.FirstFailureAt.Equal(at(200)) || first.RecoveredAt == nil || !first.RecoveredAt.Equal(at(400)) || first.Seconds != 0.2 {
		t.Errorf("first outage %+v, want 200ms..400ms, 0.2s", first)
	}
	if first.ErrorClasses["refused"] != 1 || first.ErrorClasses["read_only"] != 1 {
		t.Errorf("first outage classes %v", first.ErrorClasses)
	}
	// Never recovered: to the end of the last attempt.
	if last.RecoveredAt != nil || last.Seconds != 0.002 {
		t.Errorf("last outage %+v, want unrecovered, 0.002s", last)
	}
	w := &writeWatch{steps: []stepWindow{{"reboot r1", at(0), at(150)}, {"failover r1", at(150), at(450)}}}
	if d := w.during(first.FirstFailureAt); d != "failover r1" {
		t.Errorf("during = %q, want failover r1", d)
	}
	if d := w.during(last.FirstFailureAt); d != "between steps" {
		t.Errorf("during = %q, want between steps", d)
	}
	if s := secondsIn(got, at(0), at(150)); s != 0 {
		t.Errorf("reader step's write downtime %v, want 0", s)
	}
	if s := secondsIn(got, at(150), at(450)); s != 0.2 {
		t.Errorf("failover step's write downtime %v, want 0.2", s)
	}
}
