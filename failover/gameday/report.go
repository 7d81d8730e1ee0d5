package gameday

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
	"github.com/rdsctl/rdsctl/failover"
)

// Report is the outcome of a drill: report.json, and the data behind
// report.md and report.html.
type Report struct {
	Name       string       `json:"name"`
	Target     string       `json:"target"`
	Passed     bool         `json:"passed"`
	Sentence   string       `json:"sentence"`
	StartedAt  time.Time    `json:"started_at"`
	EndedAt    time.Time    `json:"ended_at"`
	TargetInfo *TargetInfo  `json:"target_info,omitempty"`
	Steps      []StepResult `json:"steps"`
	Probes     []Figures    `json:"probes"`
	// Lanes are each probe's results as runs of one class, for the timeline.
	Lanes       []Lane          `json:"lanes"`
	Markers     []Marker        `json:"markers"`
	Rollback    *RollbackResult `json:"rollback"`
	Interrupted bool            `json:"interrupted"`
	Error       string          `json:"error,omitempty"`
}

// StepResult is one step as it ran.
type StepResult struct {
	Index     int       `json:"index"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Line      int       `json:"line"`
	Passed    bool      `json:"passed"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	Detail    string    `json:"detail"`
}

// Marker kinds.
const (
	MarkStep  = "step"
	MarkAPI   = "api"
	MarkEvent = "event"
)

// Marker is a moment on the timeline: a step starting, an API status
// change, an RDS event.
type Marker struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

// Lane is one probe's results over time.
type Lane struct {
	Probe    string    `json:"probe"`
	Segments []Segment `json:"segments"`
}

// Segment is a run of consecutive attempts with one outcome: Class "ok" or
// a failure class, from the first attempt's start to the last one's end.
type Segment struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Class string    `json:"class"`
	Count int       `json:"count"`
}

// ClassOK is a successful attempt's class in lanes.
const ClassOK = "ok"

func laneOf(name string, obs []failover.Observation) Lane {
	l := Lane{Probe: name, Segments: []Segment{}}
	for _, o := range obs {
		c := o.Class
		if o.OK {
			c = ClassOK
		}
		end := o.At.Add(o.Latency)
		if n := len(l.Segments); n > 0 && l.Segments[n-1].Class == c {
			l.Segments[n-1].To = end
			l.Segments[n-1].Count++
			continue
		}
		// Each segment starts where the previous attempt ended, so the
		// lane has no gaps between attempts.
		from := o.At
		if n := len(l.Segments); n > 0 {
			if l.Segments[n-1].To.Before(o.At) {
				l.Segments[n-1].To = o.At
			}
		}
		l.Segments = append(l.Segments, Segment{From: from, To: end, Class: c, Count: 1})
	}
	return l
}

// RollbackResult is what rollback restored and whether the server agrees.
type RollbackResult struct {
	Passed    bool       `json:"passed"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   time.Time  `json:"ended_at"`
	Restored  []Restored `json:"restored"`
	Errors    []string   `json:"errors"`
}

// Restored is one parameter put back.
type Restored struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	// Value is the group's value before the drill; Default says the
	// parameter was not set in the group then, so it was reset.
	Value   string `json:"value"`
	Default bool   `json:"default"`
	// ServerValue is what the server ran before the drill, and
	// ServerVerified whether it runs it again.
	ServerValue    string `json:"server_value"`
	ServerVerified bool   `json:"server_verified"`
}

// Sentence is the report's first line in plain words: how long the
// database was down, and how much longer the application took, or that it
// never came back by itself.
func Sentence(r *Report) string {
	var db *Figures
	for i := range r.Probes {
		if r.Probes[i].Name == DatabaseProbe {
			db = &r.Probes[i]
		}
	}
	if db == nil {
		if r.Error != "" {
			return "The drill did not start: " + r.Error + "."
		}
		return "The drill did not run."
	}
	var b strings.Builder
	switch {
	case db.FirstFailureAt == nil:
		b.WriteString("The database never went down")
	case !db.Recovered:
		fmt.Fprintf(&b, "The database was still down after %s", secs(db.DowntimeSeconds))
	default:
		fmt.Fprintf(&b, "The database was back after %s", secs(db.DowntimeSeconds))
	}
	for _, p := range r.Probes {
		if p.Name == DatabaseProbe {
			continue
		}
		b.WriteString("; ")
		switch {
		case p.FirstFailureAt == nil:
			fmt.Fprintf(&b, "%s never failed", p.Name)
		case !p.Recovered:
			fmt.Fprintf(&b, "%s never recovered%s (down %s when the drill ended)", p.Name, within(p), secs(p.DowntimeSeconds))
		case p.RecoveredAfterHook != "":
			hook := p.RecoveredAfterHook
			if strings.HasPrefix(hook, StepRun+" ") {
				hook = strconv.Quote(hook)
			}
			fmt.Fprintf(&b, "%s did not recover on its own%s and needed %s (back %s after the database)", p.Name, within(p), hook, secs(further(p, db)))
		default:
			fmt.Fprintf(&b, "%s took a further %s", p.Name, secs(*p.RecoveredAfterDatabaseSeconds))
		}
	}
	b.WriteString(".")
	if r.Interrupted {
		b.WriteString(" The drill was interrupted.")
	}
	return b.String()
}

// within names a probe's recovery budget for the sentence, if it has one.
func within(p Figures) string {
	if p.RecoveryBudgetSeconds == nil {
		return ""
	}
	return " within " + (time.Duration(*p.RecoveryBudgetSeconds * float64(time.Second))).String()
}

func further(p Figures, db *Figures) float64 {
	if p.RecoveredAt == nil {
		return 0
	}
	base := p.FirstFailureAt
	if db.RecoveredAt != nil {
		base = db.RecoveredAt
	}
	return max(0, p.RecoveredAt.Sub(*base).Seconds())
}

func secs(s float64) string { return fmt.Sprintf("%.1f s", s) }

// WriteDir writes report.json, report.md and report.html into dir,
// creating it, each file atomically.
func WriteDir(dir string, r *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating report directory: %w", err)
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	for name, data := range map[string][]byte{
		"report.json": append(js, '\n'),
		"report.md":   []byte(Markdown(r)),
		"report.html": []byte(HTML(r)),
	} {
		if err := writeAtomic(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
