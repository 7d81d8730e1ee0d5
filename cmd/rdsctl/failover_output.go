package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/failover"
)

// printFailoverReport is the human report: the measurement as key/value
// lines, the timeline (offsets from the API call), then the verification.
func printFailoverReport(ios *ui.IOStreams, opts *FailoverOptions, res *failover.Result) error {
	cs := ios.ColorScheme()
	down := fmt.Sprintf("%.3fs (between %.3fs and %.3fs at a %s probe interval)",
		res.DowntimeSeconds, res.DowntimeMinSeconds, res.DowntimeMaxSeconds, opts.ProbeInterval)
	switch {
	case !res.Recovered:
		down = cs.Red(fmt.Sprintf("%.3fs and not recovered", res.DowntimeSeconds))
	case res.FirstFailureAt == nil && inFlight(res):
		down = "none seen before the run stopped"
	case res.FirstFailureAt == nil:
		down = "none seen (shorter than the probe interval)"
	case res.MaxDowntimeExceeded:
		down = cs.Red(down + fmt.Sprintf(", over --max-downtime %gs", *res.MaxDowntimeSeconds))
	}
	fields := []ui.Field{
		ui.F("instance", res.Instance),
		ui.F("operation", res.Operation),
		ui.F("downtime", down),
		ui.F("first failure at", fmtTimePtr(res.FirstFailureAt)),
		ui.F("recovered at", fmtTimePtr(res.RecoveredAt)),
		ui.F("clients saw", errorClasses(res.ErrorClasses)),
		ui.F("availability zone", azMove(res)),
		ui.F("primary server", serverMove(res)),
	}
	if res.APISeconds != nil {
		fields = append(fields, ui.F("API available after", fmt.Sprintf("%.3fs", *res.APISeconds)))
	}
	if res.Interrupted {
		fields = append(fields, ui.F("interrupted", "yes: the numbers cover what was seen until then"))
	}
	if err := ios.PrintFields(fields...); err != nil {
		return err
	}
	if err := ios.Heading("Timeline"); err != nil {
		return err
	}
	if err := failover.Render(ios.Out, res.Timeline, res.TriggeredAt); err != nil {
		return err
	}
	if res.Verify != nil {
		if err := ios.Heading("Verification of " + res.Instance + " afterwards"); err != nil {
			return err
		}
		return printVerifyReport(ios, res.Verify)
	}
	return nil
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// errorClasses lists the non-zero classes, most frequent first, e.g.
// "refused ×18, gone_away ×1", or "no errors".
func errorClasses(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var out []kv
	for k, v := range m {
		if v > 0 {
			out = append(out, kv{k, v})
		}
	}
	if len(out) == 0 {
		return "no errors"
	}
	sort.Slice(out, func(i, j int) bool { return out[i].v > out[j].v || out[i].v == out[j].v && out[i].k < out[j].k })
	parts := make([]string, len(out))
	for i, e := range out {
		parts[i] = fmt.Sprintf("%s ×%d", e.k, e.v)
	}
	return strings.Join(parts, ", ")
}

// inFlight reports whether the run stopped before the API said the
// instance was available again: then nothing is known yet of where the
// primary ends up, and "unchanged" would be a guess.
func inFlight(res *failover.Result) bool {
	return !res.TriggeredAt.IsZero() && res.AvailableAt == nil
}

func azMove(res *failover.Result) string {
	if inFlight(res) {
		return res.OldPrimaryAZ + " -> ? (still in flight when the run stopped; rdsctl status " + res.Instance + " shows where it ends)"
	}
	if res.NewPrimaryAZ == "" || res.NewPrimaryAZ == res.OldPrimaryAZ {
		return res.OldPrimaryAZ + " (unchanged)"
	}
	return res.OldPrimaryAZ + " -> " + res.NewPrimaryAZ
}

func serverMove(res *failover.Result) string {
	name := func(s *failover.Server) string {
		if s == nil {
			return "?"
		}
		return fmt.Sprintf("server_id %d (%s)", s.ServerID, s.Hostname)
	}
	if !res.PrimaryChanged && inFlight(res) && res.RecoveredAt == nil {
		return name(res.OldPrimary) + " -> ? (not seen back yet)"
	}
	if !res.PrimaryChanged {
		return name(res.OldPrimary) + " (same server)"
	}
	return name(res.OldPrimary) + " -> " + name(res.NewPrimary)
}
