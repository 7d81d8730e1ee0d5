package main

import (
	"fmt"
	"strings"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/verify"
)

// printVerifyReport is the human form of one report. On a TTY: a
// key/value header, the aligned parameter table with notes under it, and
// the trap. Piped, stdout holds records of one shape only, the
// tab-separated parameter rows (name, expected, actual, status, and on an
// Aurora member the group each value came from), so
// `awk -F'\t' '$4 == "drift"'` and `cut` work on every line; the header
// and the trap, being about the server rather than a parameter, go to
// stderr as "key:\tvalue" lines (-o json has everything on stdout).
func printVerifyReport(ios *ui.IOStreams, rep *verify.Report) error {
	if !ios.IsStdoutTTY {
		return printVerifyPiped(ios, rep, false)
	}
	if err := ios.PrintFields(reportFields(rep)...); err != nil {
		return err
	}
	if ios.IsStdoutTTY {
		fmt.Fprintln(ios.Out)
	}
	cs := ios.ColorScheme()
	// With --all, engine defaults such as optimizer_switch bring long
	// values; on a terminal they are shortened, as params show does.
	cell := func(s string) string { return s }
	if ios.IsStdoutTTY {
		cell = func(s string) string { return ellipsize(s, maxCellWidth) }
	}
	// An Aurora member's values come from two groups: say which, in a
	// fifth column, so the first four keep their meaning piped.
	var t *ui.Table
	if rep.Cluster != "" {
		t = ios.NewTable("NAME", "EXPECTED", "ACTUAL", "STATUS", "FROM")
	} else {
		t = ios.NewTable("NAME", "EXPECTED", "ACTUAL", "STATUS")
	}
	for _, r := range rep.Parameters {
		row := []string{r.Name, cell(orDash(r.Expected)), cell(orDash(r.Actual)), colorStatus(cs, r.Status)}
		if rep.Cluster != "" {
			row = append(row, orDash(r.From))
		}
		t.AddRow(row...)
	}
	if t.Len() > 0 {
		if err := t.Render(); err != nil {
			return err
		}
	} else if ios.IsStdoutTTY {
		fmt.Fprintln(ios.Out, cs.Gray("no parameters to compare"))
	}
	if ios.IsStdoutTTY {
		for _, note := range resultNotes(rep) {
			fmt.Fprintln(ios.Out, cs.Gray("  "+note))
		}
		if err := ios.Heading("wait_timeout as each kind of session sees it"); err != nil {
			return err
		}
	}
	return printTrap(ios, rep.Trap)
}

func reportFields(rep *verify.Report) []ui.Field {
	instance := rep.Instance
	if rep.InstanceClass != "" {
		instance += " (" + rep.InstanceClass + ")"
	}
	role := "read-write"
	if rep.Server.ReadOnly {
		role = "read-only"
	}
	fields := []ui.Field{
		ui.F("instance", instance),
		ui.F("endpoint", rep.Endpoint),
		ui.F("server", fmt.Sprintf("%s, server_id %d, %s, %s", rep.Server.Hostname, rep.Server.ServerID, rep.Server.Version, role)),
	}
	if rep.Cluster != "" {
		fields = append(fields, ui.F("cluster", rep.Cluster),
			ui.F("cluster parameter group", fmt.Sprintf("%s (%s)", orDash(rep.ClusterParameterGroup), orDash(rep.ClusterParameterApplyStatus))))
	}
	if rep.ParameterGroup != "" {
		fields = append(fields, ui.F("parameter group", fmt.Sprintf("%s (%s)", rep.ParameterGroup, orDash(rep.ParameterApplyStatus))))
	}
	return fields
}

// printVerifyPiped is printVerifyReport off a terminal: the parameter
// rows on stdout, the rest on stderr. withInstance puts the instance first
// on every row, for a group's reports.
func printVerifyPiped(ios *ui.IOStreams, rep *verify.Report, withInstance bool) error {
	diag := *ios
	diag.Out = ios.ErrOut
	if err := diag.PrintFields(reportFields(rep)...); err != nil {
		return err
	}
	cols := []string{"NAME", "EXPECTED", "ACTUAL", "STATUS"}
	if withInstance {
		cols = append([]string{"INSTANCE"}, cols...)
	}
	if rep.Cluster != "" {
		cols = append(cols, "FROM") // an Aurora member's values come from two groups
	}
	t := ios.NewTable(cols...)
	for _, r := range rep.Parameters {
		row := []string{r.Name, orDash(r.Expected), orDash(r.Actual), string(r.Status)}
		if withInstance {
			row = append([]string{rep.Instance}, row...)
		}
		if rep.Cluster != "" {
			row = append(row, orDash(r.From))
		}
		t.AddRow(row...)
	}
	if t.Len() > 0 {
		if err := t.Render(); err != nil {
			return err
		}
	}
	return printTrap(&diag, rep.Trap)
}

// printTrap shows the four wait_timeouts together and, when an
// interactive client would see something else than applications, the one
// sentence that explains why.
func printTrap(ios *ui.IOStreams, tr verify.Trap) error {
	fields := []ui.Field{
		ui.F("global wait_timeout", tr.GlobalWaitTimeout),
		ui.F("global interactive_timeout", tr.GlobalInteractiveTimeout),
		ui.F("session wait_timeout (this connection)", tr.SessionWaitTimeout),
		ui.F("interactive session wait_timeout", tr.InteractiveSessionWaitTimeout),
	}
	explain := tr.Explain()
	if !ios.IsStdoutTTY {
		if explain != "" {
			fields = append(fields, ui.F("explanation", explain))
		}
		return ios.PrintFields(fields...)
	}
	if err := ios.PrintFields(fields...); err != nil {
		return err
	}
	cs := ios.ColorScheme()
	if explain == "" {
		explain = cs.Gray("Interactive clients and applications see the same wait_timeout.")
	} else {
		explain = cs.Yellow(explain)
	}
	_, err := fmt.Fprintln(ios.Out, explain)
	return err
}

// resultNotes explain the rows a bare status does not: a formula's
// evaluation, a pending reboot, a name that is no server variable.
func resultNotes(rep *verify.Report) []string {
	var notes []string
	for _, r := range rep.Parameters {
		if r.Status == verify.StatusEngineDefault {
			continue // the status says it all, and --all has hundreds
		}
		var parts []string
		if r.Formula != "" && r.Status != verify.StatusUnresolved {
			parts = append(parts, fmt.Sprintf("%s for %s", r.Formula, orDash(rep.InstanceClass)))
		}
		if r.Detail != "" {
			parts = append(parts, r.Detail)
		}
		if len(parts) > 0 {
			notes = append(notes, r.Name+": "+strings.Join(parts, "; "))
		}
	}
	return notes
}

func colorStatus(cs ui.ColorScheme, s verify.Status) string {
	switch s {
	case verify.StatusOK:
		return cs.Green(string(s))
	case verify.StatusDrift:
		return cs.Red(string(s))
	case verify.StatusPendingReboot:
		return cs.Yellow(string(s))
	}
	return cs.Gray(string(s))
}

// printGroupReport prints each member's report in turn, under its name on
// a TTY. Members that could not be verified are reported on stderr.
func printGroupReport(ios *ui.IOStreams, g *verify.GroupReport) error {
	first := true
	for _, m := range g.Instances {
		if m.Report == nil {
			continue
		}
		if ios.IsStdoutTTY {
			if !first {
				fmt.Fprintln(ios.Out)
			}
			if err := ios.Heading(m.Instance); err != nil {
				return err
			}
		}
		first = false
		if !ios.IsStdoutTTY {
			if err := printVerifyPiped(ios, m.Report, true); err != nil {
				return err
			}
			continue
		}
		if err := printVerifyReport(ios, m.Report); err != nil {
			return err
		}
	}
	return nil
}

// verifyFindings are the results that fail a verify: drift, and an
// explicit --expect the server cannot confirm (a name that is no server
// variable, a formula that cannot be worked out), since the user asked for
// exactly that value. Pending reboots are expected, and a group's RDS-only
// names are reported but not counted.
func verifyFindings(rep *verify.Report) []verify.Result {
	var out []verify.Result
	for _, r := range rep.Parameters {
		switch {
		case r.Status == verify.StatusDrift:
			out = append(out, r)
		case r.Source == "expect" && (r.Status == verify.StatusNotAVariable || r.Status == verify.StatusUnresolved):
			out = append(out, r)
		}
	}
	return out
}

// verifyOutcome summarises the reports on stderr and returns the findings
// error (exit 3) when any parameter drifted or an --expect failed.
func verifyOutcome(ios *ui.IOStreams, reps []*verify.Report) error {
	var lines []string
	total := 0
	for _, rep := range reps {
		bad := verifyFindings(rep)
		if len(bad) == 0 {
			ios.Successf("%s: %s", rep.Instance, statusSummary(rep.Parameters))
			continue
		}
		total += len(bad)
		var what []string
		for _, r := range bad {
			if r.Status == verify.StatusDrift {
				what = append(what, fmt.Sprintf("%s (expected %s, server runs %s)", r.Name, r.Expected, r.Actual))
			} else {
				what = append(what, fmt.Sprintf("%s (%s)", r.Name, r.Status))
			}
		}
		lines = append(lines, fmt.Sprintf("%s: %s", rep.Instance, strings.Join(what, ", ")))
	}
	if total == 0 {
		return nil
	}
	return cli.Findings(total, "%s not as expected: %s", plural(total, "parameter"), strings.Join(lines, "; "))
}

// statusSummary counts results by status, e.g. "12 ok, 1 pending-reboot".
func statusSummary(rs []verify.Result) string {
	if len(rs) == 0 {
		return "no parameters to compare"
	}
	counts := map[verify.Status]int{}
	for _, r := range rs {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range []verify.Status{verify.StatusOK, verify.StatusPendingReboot, verify.StatusDrift, verify.StatusNotAVariable, verify.StatusUnresolved, verify.StatusEngineDefault} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}
