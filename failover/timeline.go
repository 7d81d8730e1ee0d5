package failover

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// Timeline entry sources.
const (
	SourceAPI   = "api"
	SourceEvent = "event"
	SourceProbe = "probe"
)

// Entry is one line of a failover timeline. A probe entry stands for a run
// of identical consecutive results: Count of them, the first At, the last
// Until.
type Entry struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	Text   string    `json:"text"`
	Count  int       `json:"count,omitempty"`
	Until  time.Time `json:"until,omitzero"`
}

// Mark is a moment the caller saw on the API side — "reboot accepted",
// "status rebooting", "status available" — which RDS events, arriving late
// and with coarse timestamps, do not pin down.
type Mark struct {
	At   time.Time
	Text string
}

// Since keeps the events dated at or after t, the start of an operation's
// window: DescribeEvents' StartTime is coarse, and an instance's earlier
// events (its creation, a previous reboot) belong to other operations.
func Since(events []types.Event, t time.Time) []types.Event {
	var out []types.Event
	for _, e := range events {
		if e.Date != nil && !e.Date.Before(t) {
			out = append(out, e)
		}
	}
	return out
}

// Merge orders API marks, RDS events and probe observations into one
// timeline. Runs of identical probe results (same outcome, class and
// server) collapse into one entry, so a 10-minute game day reads as a dozen
// lines, not 6000. Entries at the same instant keep the order api, event,
// probe: the cause before what it caused. Events without a date are dropped.
func Merge(marks []Mark, events []types.Event, obs []Observation) []Entry {
	out := make([]Entry, 0, len(marks)+len(events)+16)
	for _, m := range marks {
		out = append(out, Entry{At: m.At, Source: SourceAPI, Text: m.Text})
	}
	for _, e := range events {
		if e.Date == nil {
			continue
		}
		text := aws.ToString(e.Message)
		if id := aws.ToString(e.SourceIdentifier); id != "" {
			text = id + ": " + text
		}
		out = append(out, Entry{At: *e.Date, Source: SourceEvent, Text: text})
	}
	out = append(out, probeRuns(obs)...)
	slices.SortStableFunc(out, func(a, b Entry) int { return a.At.Compare(b.At) })
	return out
}

// probeRuns collapses consecutive identical observations into entries.
func probeRuns(obs []Observation) []Entry {
	var out []Entry
	for i, o := range obs {
		if n := len(out); n > 0 && sameResult(obs[i-1], o) {
			out[n-1].Count++
			out[n-1].Until = o.At
			continue
		}
		out = append(out, Entry{At: o.At, Source: SourceProbe, Text: describe(o), Count: 1, Until: o.At})
	}
	for i := range out {
		if out[i].Count > 1 {
			out[i].Text += fmt.Sprintf(" ×%d", out[i].Count)
		}
	}
	return out
}

// sameResult reports whether two observations read the same in a
// timeline, so they belong to one run.
func sameResult(a, b Observation) bool {
	if a.OK != b.OK {
		return false
	}
	if !a.OK {
		return a.Class == b.Class
	}
	return a.Server() == b.Server() && a.ReadOnly == b.ReadOnly
}

// describe is an observation's text without its count.
func describe(o Observation) string {
	if !o.OK {
		return o.Class
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ok server_id=%d", o.ServerID)
	if o.Hostname != "" {
		fmt.Fprintf(&b, " hostname=%s", o.Hostname)
	}
	if o.ReadOnly {
		b.WriteString(" read_only")
	}
	return b.String()
}

// Render writes the timeline as plain text, one entry a line, with times in
// seconds from origin (the first entry's time when origin is zero):
//
//	+0.000s  api    reboot accepted
//	+0.031s  probe  refused ×12
//
// It adds no colour: the CLI's ui package styles what it needs.
func Render(w io.Writer, entries []Entry, origin time.Time) error {
	if len(entries) == 0 {
		return nil
	}
	if origin.IsZero() {
		origin = entries[0].At
	}
	for _, e := range entries {
		if _, err := fmt.Fprintf(w, "%+.3fs  %-5s  %s\n", e.At.Sub(origin).Seconds(), e.Source, e.Text); err != nil {
			return fmt.Errorf("writing timeline: %w", err)
		}
	}
	return nil
}
