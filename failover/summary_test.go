package failover

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func concat(parts ...[]Observation) []Observation {
	var out []Observation
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func okRun(start, n int, id uint32) []Observation {
	return series(start, n, func(at int) Observation { return ok(at, id) })
}

func failRun(start, n int, class string) []Observation {
	return series(start, n, func(at int) Observation { return fail(at, class) })
}

func TestSummarize(t *testing.T) {
	type want struct {
		downtime, min, max float64
		first, recovered   int // ms from t0; -1 for nil
		isRecovered        bool
		classes            map[string]int
		oldID, newID       uint32 // 0 for nil
		changed            bool
	}
	cases := []struct {
		name    string
		obs     []Observation
		trigger time.Time
		want    want
	}{
		{
			name: "clean failover",
			obs:  concat(okRun(0, 5, 1), failRun(500, 10, ClassRefused), okRun(1500, 5, 2)),
			want: want{downtime: 1.0, min: 0.899, max: 1.102, first: 500, recovered: 1500, isRecovered: true,
				classes: map[string]int{ClassRefused: 10}, oldID: 1, newID: 2, changed: true},
		},
		{
			name: "flap before recovery counts as down",
			// refused, one lucky success on the old primary, refused again,
			// then the new primary for good.
			obs: concat(okRun(0, 2, 1), failRun(200, 3, ClassRefused), okRun(500, 1, 1),
				failRun(600, 2, ClassGoneAway), okRun(800, 5, 2)),
			want: want{downtime: 0.6, min: 0.499, max: 0.702, first: 200, recovered: 800, isRecovered: true,
				classes: map[string]int{ClassRefused: 3, ClassGoneAway: 2}, oldID: 1, newID: 2, changed: true},
		},
		{
			name: "success at the very end is a recovery",
			obs:  concat(okRun(0, 1, 1), failRun(100, 3, ClassTimeout), okRun(400, 2, 1)),
			want: want{downtime: 0.3, min: 0.199, max: 0.402, first: 100, recovered: 400, isRecovered: true,
				classes: map[string]int{ClassTimeout: 3}, oldID: 1, newID: 1},
		},
		{
			name: "never recovered",
			obs:  concat(okRun(0, 2, 1), failRun(200, 5, ClassRefused)),
			want: want{downtime: 0.401, min: 0.401, max: 0.401, first: 200, recovered: -1, isRecovered: false,
				classes: map[string]int{ClassRefused: 5}, oldID: 1},
		},
		{
			name: "no failure",
			obs:  okRun(0, 5, 1),
			want: want{first: -1, recovered: -1, isRecovered: true, classes: map[string]int{}, oldID: 1, newID: 1},
		},
		{
			name: "failures before the trigger are not this outage",
			obs: concat(failRun(0, 2, ClassAuth), okRun(200, 3, 1), failRun(500, 2, ClassReadOnly),
				failRun(700, 1, "weird"), okRun(800, 4, 2)),
			trigger: ms(150),
			want: want{downtime: 0.3, min: 0.199, max: 0.402, first: 500, recovered: 800, isRecovered: true,
				classes: map[string]int{ClassReadOnly: 2, ClassOther: 1}, oldID: 1, newID: 2, changed: true},
		},
		{
			name:    "first failure right at the start is bounded by the trigger",
			obs:     concat(failRun(100, 2, ClassRefused), okRun(300, 4, 2)),
			trigger: ms(50),
			want: want{downtime: 0.2, min: 0.099, max: 0.252, first: 100, recovered: 300, isRecovered: true,
				classes: map[string]int{ClassRefused: 2}, newID: 2},
		},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	at := func(p *time.Time) int {
		if p == nil {
			return -1
		}
		return int(p.Sub(t0) / time.Millisecond)
	}
	id := func(s *Server) uint32 {
		if s == nil {
			return 0
		}
		return s.ServerID
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize(c.obs, c.trigger)
			w := c.want
			if !near(s.DowntimeSeconds, w.downtime) || !near(s.DowntimeMinSeconds, w.min) || !near(s.DowntimeMaxSeconds, w.max) {
				t.Errorf("downtime %v in [%v, %v], want %v in [%v, %v]",
					s.DowntimeSeconds, s.DowntimeMinSeconds, s.DowntimeMaxSeconds, w.downtime, w.min, w.max)
			}
			if at(s.FirstFailureAt) != w.first || at(s.RecoveredAt) != w.recovered || s.Recovered != w.isRecovered {
				t.Errorf("first failure +%dms, recovered +%dms (%v); want +%dms, +%dms (%v)",
					at(s.FirstFailureAt), at(s.RecoveredAt), s.Recovered, w.first, w.recovered, w.isRecovered)
			}
			if len(s.ErrorClasses) != len(Classes) {
				t.Errorf("error classes %v: want all %d keys", s.ErrorClasses, len(Classes))
			}
			for _, k := range Classes {
				if s.ErrorClasses[k] != w.classes[k] {
					t.Errorf("error_classes[%s] = %d, want %d", k, s.ErrorClasses[k], w.classes[k])
				}
			}
			if id(s.OldPrimary) != w.oldID || id(s.NewPrimary) != w.newID || s.PrimaryChanged != w.changed {
				t.Errorf("old %d new %d changed %v, want %d %d %v",
					id(s.OldPrimary), id(s.NewPrimary), s.PrimaryChanged, w.oldID, w.newID, w.changed)
			}
		})
	}
}

// TestSummaryJSONForCLI pins the keys `failover -o json` reads and shows
// the CLI embedding the summary beside its own fields.
func TestSummaryJSONForCLI(t *testing.T) {
	type cliResult struct {
		Summary
		OldPrimaryAZ string `json:"old_primary_az"`
		NewPrimaryAZ string `json:"new_primary_az"`
		Verify       any    `json:"verify"`
	}
	s := Summarize(concat(okRun(0, 2, 1), failRun(200, 3, ClassRefused), okRun(500, 4, 2)), time.Time{})
	b, err := json.Marshal(cliResult{Summary: s, OldPrimaryAZ: "us-east-1a", NewPrimaryAZ: "us-east-1b"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"downtime_seconds", "first_failure_at", "recovered_at", "old_primary_az", "new_primary_az", "error_classes", "verify"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
	classes, _ := got["error_classes"].(map[string]any)
	if len(classes) != 6 || classes["refused"] != 3.0 || classes["auth"] != 0.0 {
		t.Errorf("error_classes = %v", classes)
	}
	if got["first_failure_at"] != "2025-03-01T12:00:00.2Z" || got["downtime_seconds"] != 0.3 {
		t.Errorf("first_failure_at %v, downtime_seconds %v", got["first_failure_at"], got["downtime_seconds"])
	}

	none, _ := json.Marshal(Summarize(okRun(0, 3, 1), time.Time{}))
	var n map[string]any
	json.Unmarshal(none, &n)
	if v, ok := n["first_failure_at"]; !ok || v != nil {
		t.Errorf("no failure: first_failure_at = %v (present %v), want null", v, ok)
	}
}

// sixThousand is a 10-minute game day at 100 ms: a 30 s outage in the
// middle, with a flap.
func sixThousand() []Observation {
	return concat(okRun(0, 3000, 1), failRun(300000, 200, ClassRefused), okRun(320000, 1, 1),
		failRun(320100, 99, ClassTimeout), okRun(330000, 2700, 2))
}

func BenchmarkSummarize6000(b *testing.B) {
	obs := sixThousand()
	b.ReportAllocs()
	for b.Loop() {
		Summarize(obs, ms(299950))
	}
}

func BenchmarkMerge6000(b *testing.B) {
	obs := sixThousand()
	b.ReportAllocs()
	for b.Loop() {
		Merge([]Mark{{At: ms(299950), Text: "reboot accepted"}}, nil, obs)
	}
}
