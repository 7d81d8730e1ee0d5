package failover

import (
	"testing"
	"time"
)

// TestEndpointFigures sums up a client stuck on the old writer's endpoint:
// ok before the trigger, cut once, then read-only for good.
func TestEndpointFigures(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 100 * time.Millisecond) }
	obs := []Observation{
		{At: at(0), OK: true, ServerID: 1},
		{At: at(1), OK: true, ServerID: 1},
		{At: at(2), Class: ClassGoneAway},
		{At: at(3), Class: ClassReadOnly, ServerID: 1, ReadOnly: true},
		{At: at(4), Class: ClassReadOnly, ServerID: 1, ReadOnly: true},
	}
	f := endpointFigures("w1", "127.0.0.1:1", obs, at(1))
	if f.Instance != "w1" || f.Probes != 4 || f.Failures != 3 {
		t.Errorf("figures = %+v", f)
	}
	if f.ErrorClasses[ClassReadOnly] != 2 || f.ErrorClasses[ClassGoneAway] != 1 || len(f.ErrorClasses) != len(Classes) {
		t.Errorf("classes = %v", f.ErrorClasses)
	}
	if f.FirstReadOnlyAt == nil || !f.FirstReadOnlyAt.Equal(at(3)) || !f.ReadOnlyAtEnd {
		t.Errorf("first read-only %v, at end %v", f.FirstReadOnlyAt, f.ReadOnlyAtEnd)
	}
	// A writer that stayed writable is not read-only at the end.
	if f := endpointFigures("w1", "a", obs[:2], at(0)); f.ReadOnlyAtEnd || f.FirstReadOnlyAt != nil {
		t.Errorf("a healthy endpoint: %+v", f)
	}
}
