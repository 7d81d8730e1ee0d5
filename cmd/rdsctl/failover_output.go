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
	var fields []ui.Field
	if res.Cluster != "" {
		fields = append(fields, ui.F("cluster", res.Cluster), ui.F("writer", orDash(res.OldWriter)+" -> "+orDash(res.NewWriter)))
	} else {
		fields = append(fields, ui.F("instance", res.Instance))
	}
	fields = append(fields,
		ui.F("operation", res.Operation),
		ui.F("downtime", down),
		ui.F("first failure at", fmtTimePtr(res.FirstFailureAt)),
		ui.F("recovered at", fmtTimePtr(res.RecoveredAt)),
		ui.F("clients saw", errorClasses(res.ErrorClasses)),
		ui.F("availability zone", azMove(res)),
		ui.F("primary server", serverMove(res)),
	)
	fields = append(fields, clusterFields(res)...)
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

// clusterFields are the cluster failover's own lines: whether the
// endpoint reached the new writer, the DNS flip, and what a client stuck
// on the old writer's instance endpoint met.
func clusterFields(res *failover.Result) []ui.Field {
	var fields []ui.Field
	if res.WriterConfirmed != nil {
		v := "no: the cluster endpoint's server is not the new writer's"
		if *res.WriterConfirmed {
			v = fmt.Sprintf("yes: the cluster endpoint answers as %s's server (server_id %d), read-write", res.NewWriter, res.NewWriterServer.ServerID)
		}
		fields = append(fields, ui.F("writer confirmed", v))
	}
	if d := res.DNS; d != nil {
		v := fmt.Sprintf("%s: address did not change (%s)", d.Name, orDash(d.AddressAfter))
		if d.Changed {
			v = fmt.Sprintf("%s: %s -> %s at %s (+%.3fs)", d.Name, d.AddressBefore, d.AddressAfter, fmtTimePtr(d.ChangedAt), *d.ChangedAfterSeconds)
		}
		fields = append(fields, ui.F("DNS", v))
	}
	if e := res.OldWriterEndpoint; e != nil {
		v := fmt.Sprintf("%s (%s): %s", e.Instance, e.Address, errorClasses(e.ErrorClasses))
		if e.ReadOnlyAtEnd {
			v += "; read-only at the end: a client still on it cannot write"
		}
		fields = append(fields, ui.F("old writer endpoint", v))
	}
	return fields
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
