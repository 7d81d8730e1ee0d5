package failover

import (
	"slices"
	"time"
)

// StableProbes is how many consecutive successes must follow a success for
// it to count as the recovery. One success after a failover proves little:
// Multi-AZ endpoints flap while DNS settles, and a connection can land on
// the old primary once more before it dies. Three probes is 300 ms at the
// default interval, short against any real failover.
const StableProbes = 3

// Server identifies the server behind the endpoint at some moment.
type Server struct {
	ServerID uint32 `json:"server_id"`
	Hostname string `json:"hostname"`
}

// Summary is what a failover measurement comes to. Its JSON keys are those
// of `rdsctl failover -o json`; Result embeds it next to the fields that
// need the RDS API (old_primary_az, new_primary_az) and the verification
// of the server afterwards (verify).
//
// Timestamps are pointers so that "never failed" and "never recovered" are
// null, not year 1.
type Summary struct {
	// DowntimeSeconds is RecoveredAt − FirstFailureAt: the time between the
	// starts of the first failed attempt and of the recovering one. Each
	// edge is seen at most one interval late (plus an attempt's latency
	// early), so the estimate is within about ±Interval of the true window;
	// DowntimeMinSeconds and DowntimeMaxSeconds are the bounds the
	// observations actually prove (see Summarize). When the
	// endpoint never recovered, all three are the time from the first
	// failure to the end of the last attempt: a lower bound.
	DowntimeSeconds    float64 `json:"downtime_seconds"`
	DowntimeMinSeconds float64 `json:"downtime_min_seconds"`
	DowntimeMaxSeconds float64 `json:"downtime_max_seconds"`
	// FirstFailureAt is the start of the first failed attempt at or after
	// the trigger; nil when none failed.
	FirstFailureAt *time.Time `json:"first_failure_at"`
	// RecoveredAt is the start of the first successful attempt after the
	// first failure that is followed by StableProbes more successes, or by
	// successes until the observations end; nil when none is.
	RecoveredAt *time.Time `json:"recovered_at"`
	// Recovered is false only when a failure was seen and no recovery
	// followed it.
	Recovered bool `json:"recovered"`
	// ErrorClasses counts failed attempts at or after the trigger by class;
	// every class in Classes is present.
	ErrorClasses map[string]int `json:"error_classes"`
	// Probes and Failures count attempts at or after the trigger.
	Probes   int `json:"probes"`
	Failures int `json:"failures"`
	// OldPrimary answered the last success before the first failure;
	// NewPrimary answered the recovery (without a failure: the last
	// success). Either is nil when no attempt answered then.
	OldPrimary     *Server `json:"old_primary"`
	NewPrimary     *Server `json:"new_primary"`
	PrimaryChanged bool    `json:"primary_changed"`
}

// Summarize computes the Summary of observations (oldest first, as a Probe
// keeps them) for a failover triggered at trigger. Observations before the
// trigger only say who the old primary was and bound when the outage began;
// a zero trigger takes them all.
//
// The bounds: let f be the first failure and r the recovery, each attempt
// spanning [At, At+Latency]. The outage began after the previous attempt
// (a success) started and before f ended; it ended after the last failure
// (the attempt before r) started and before r ended. So the true downtime
// lies in [(r−1).At − f.End, r.End − (f−1).At], and the estimate r.At − f.At
// sits inside. That is about ±Interval: attempts start on every tick even
// while earlier ones hang (a black hole), so the spacing of attempt starts
// stays the interval, though a hung failure's End, and so the upper bound
// of the outage's start, is its timeout.
func Summarize(obs []Observation, trigger time.Time) Summary {
	s := Summary{ErrorClasses: make(map[string]int, len(Classes)), Recovered: true}
	for _, c := range Classes {
		s.ErrorClasses[c] = 0
	}
	w := 0
	for w < len(obs) && obs[w].At.Before(trigger) {
		w++
	}
	f := -1
	for i := w; i < len(obs); i++ {
		s.Probes++
		if obs[i].OK {
			continue
		}
		s.Failures++
		if slices.Contains(Classes, obs[i].Class) {
			s.ErrorClasses[obs[i].Class]++
		} else {
			s.ErrorClasses[ClassOther]++
		}
		if f < 0 {
			f = i
		}
	}

	if f < 0 {
		// No outage seen: old is who answered first from the trigger on
		// (or just before it), new who answered last.
		if i := lastOK(obs[:w]); i >= 0 {
			s.OldPrimary = server(obs[i])
		} else if i := slices.IndexFunc(obs, func(o Observation) bool { return o.OK }); i >= 0 {
			s.OldPrimary = server(obs[i])
		}
		if i := lastOK(obs); i >= 0 {
			s.NewPrimary = server(obs[i])
		}
		s.PrimaryChanged = changed(s.OldPrimary, s.NewPrimary)
		return s
	}

	first := obs[f]
	s.FirstFailureAt = ptr(first.At)
	if i := lastOK(obs[:f]); i >= 0 {
		s.OldPrimary = server(obs[i])
	}
	startLo := first.At
	if f > 0 {
		startLo = obs[f-1].At
	}
	// Without an earlier success the outage began no earlier than the
	// trigger; an earlier success from before the trigger is no tighter.
	if !trigger.IsZero() && (f == 0 || startLo.Before(trigger)) {
		startLo = trigger
	}
	startHi := end(first)

	r := -1
	for i := f + 1; i < len(obs); i++ {
		if stable(obs, i) {
			r = i
			break
		}
	}
	if r < 0 {
		s.Recovered = false
		d := end(obs[len(obs)-1]).Sub(first.At).Seconds()
		s.DowntimeSeconds, s.DowntimeMinSeconds, s.DowntimeMaxSeconds = d, d, d
		return s
	}
	rec := obs[r]
	s.RecoveredAt = ptr(rec.At)
	s.NewPrimary = server(rec)
	s.PrimaryChanged = changed(s.OldPrimary, s.NewPrimary)
	s.DowntimeSeconds = rec.At.Sub(first.At).Seconds()
	// obs[r-1] is a failure: were it a success it would be stable too.
	s.DowntimeMinSeconds = max(0, obs[r-1].At.Sub(startHi).Seconds())
	s.DowntimeMaxSeconds = end(rec).Sub(startLo).Seconds()
	return s
}

// stable reports whether obs[i] is a success followed by StableProbes more,
// or by successes until the end.
func stable(obs []Observation, i int) bool {
	for j := i; j <= i+StableProbes && j < len(obs); j++ {
		if !obs[j].OK {
			return false
		}
	}
	return true
}

func lastOK(obs []Observation) int {
	for i := len(obs) - 1; i >= 0; i-- {
		if obs[i].OK {
			return i
		}
	}
	return -1
}

func end(o Observation) time.Time { return o.At.Add(o.Latency) }

func server(o Observation) *Server {
	s := o.Server()
	return &s
}

func changed(a, b *Server) bool { return a != nil && b != nil && *a != *b }

func ptr[T any](v T) *T { return &v }
