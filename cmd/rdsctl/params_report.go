package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

// This file is what set, reset and apply share: how a plan is shown,
// who it affects, progress while it is sent, and what is said when it
// stops part-way. The plan itself is data, on stdout; everything about
// sending it is diagnostics, on stderr.

// The outcomes of a change command, as its JSON "status" says.
const (
	statusPlanned   = "planned"   // --dry-run: nothing sent
	statusUnchanged = "unchanged" // everything asked for was already so
	statusApplied   = "applied"   // every call landed
	statusPartial   = "partial"   // some calls landed, see "partial"
)

// planRows are a plan's table rows: chunk (1-based), parameter, current
// value, new value, apply type and apply method.
func planRows(p *params.Plan) [][]string {
	var rows [][]string
	for i, c := range p.Chunks {
		for _, ch := range c.Changes {
			v := ch.Value
			if p.Action == params.ActionReset {
				v = "(default)"
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), ch.Name, orDash(ch.Current), v, orDash(ch.ApplyType), string(ch.ApplyMethod)})
		}
	}
	return rows
}

var planHeaders = []string{"CHUNK", "PARAMETER", "CURRENT", "NEW", "APPLY TYPE", "APPLY METHOD"}

// summarizePlan says on stderr what a plan sends and what it skips.
func summarizePlan(ios *ui.IOStreams, api cloud.Groups, p *params.Plan) {
	n := len(p.Changes())
	verb := "change"
	if p.Action == params.ActionReset {
		verb = "reset"
	}
	if n > 0 {
		ios.Progressf("%s %s: %s in %s (at most %d a call)", api.Noun(), p.Group,
			plural(n, verb), plural(len(p.Chunks), "call"), params.MaxChunk)
	}
	var same, defaults []string
	for _, c := range p.NoOps {
		if c.EngineDefault {
			defaults = append(defaults, c.Name)
		} else {
			same = append(same, c.Name)
		}
	}
	if len(same) > 0 {
		ios.Infof("  skipped, already so: %s", strings.Join(same, ", "))
	}
	if len(defaults) > 0 {
		ios.Warnf("  %s: %s", strings.Join(defaults, ", "), params.EngineDefaultNote)
	}
}

// pendingReboot reports whether any change in p waits for a reboot.
func pendingReboot(p *params.Plan) bool {
	for _, c := range p.Changes() {
		if c.ApplyMethod == types.ApplyMethodPendingReboot {
			return true
		}
	}
	return false
}

// lookupUsers lists the instances using the named groups, best effort: it
// is advice next to a change, so a failure is a warning and leaves the
// section out. known is false then.
func lookupUsers(ctx context.Context, ios *ui.IOStreams, api cloud.Groups, names map[string]bool) (users []groupUser, known bool) {
	us, err := api.Users(ctx, names)
	if err != nil {
		ios.Warnf("could not tell which instances use the group: %v", err)
		return nil, false
	}
	return groupUsers(us), true
}

// reportUsers prints who uses the groups, on stderr; withGroup names
// each instance's group, for plans that span several.
func reportUsers(ios *ui.IOStreams, users []groupUser, known, withGroup bool) {
	if !known {
		return
	}
	if len(users) == 0 {
		ios.Infof("  used by no DB instance")
		return
	}
	parts := make([]string, len(users))
	for i, u := range users {
		parts[i] = u.Instance
		if u.Cluster != "" {
			parts[i] = u.Cluster + "/" + u.Instance
		}
		var about []string
		if withGroup {
			about = append(about, u.Group)
		}
		if u.ApplyStatus != "" {
			about = append(about, u.ApplyStatus)
		}
		if len(about) > 0 {
			parts[i] += " (" + strings.Join(about, ", ") + ")"
		}
	}
	ios.Infof("  used by: %s", strings.Join(parts, ", "))
}

// needsReboot lists the instances that must reboot before every change
// takes effect: users of a group that gets a pending-reboot change, and
// those already waiting for one. cmds are the commands that restart them,
// measured and verified: `rdsctl params converge GROUP` for each of their
// groups, `--kind cluster` for a DB cluster parameter group (whose users
// are cluster members), named as `params set --cluster` named it; for a DB
// group on an Aurora member, `rdsctl params converge --cluster C`, which
// rolls the cluster (converging a DB group refuses Aurora members).
func needsReboot(users []groupUser, pending map[string]bool) (ids, cmds []string) {
	seen, said := map[string]bool{}, map[string]bool{}
	ids = []string{}
	for _, u := range users {
		if !(pending[u.Group] || u.ApplyStatus == "pending-reboot") || u.Instance == "" {
			continue
		}
		if !seen[u.Instance] {
			seen[u.Instance] = true
			ids = append(ids, u.Instance)
		}
		cmd := "rdsctl params converge " + u.Group
		switch {
		case u.ClusterGroup:
			cmd += " --kind cluster"
		case u.Cluster != "":
			cmd = "rdsctl params converge --cluster " + u.Cluster
		}
		if !said[cmd] {
			said[cmd] = true
			cmds = append(cmds, cmd)
		}
	}
	sort.Strings(ids)
	sort.Strings(cmds)
	return ids, cmds
}

// reportReboot says, after a change (or a dry run of one), what still
// waits for a reboot, and the commands (needsReboot's) that finish it.
func reportReboot(ios *ui.IOStreams, reboot, cmds []string, pending bool) {
	switch {
	case len(reboot) > 0:
		ios.Warnf("reboot needed for pending-reboot changes to take effect: %s (%s restarts them one at a time and verifies)", strings.Join(reboot, ", "), strings.Join(cmds, "; "))
	case pending:
		ios.Infof("  pending-reboot changes take effect when an instance using the group next reboots")
	}
}

// chunkProgress is the AfterChunk hook: one line per landed call, so an
// interrupted run has already said what landed.
func chunkProgress(ios *ui.IOStreams) params.ApplyOption {
	return params.AfterChunk(func(_ context.Context, p *params.Plan, i int) {
		ios.Successf("%s: chunk %d of %d landed (%s)", p.Group, i+1, len(p.Chunks), plural(len(p.Chunks[i].Changes), "parameter"))
	})
}

// reportPartial says exactly which chunks of a stopped plan landed and
// which did not, and that re-running finishes the job.
func reportPartial(ios *ui.IOStreams, pe *params.PartialError) {
	for i, c := range pe.Landed {
		ios.Successf("chunk %d of %d landed: %s", i+1, pe.Total, strings.Join(c.Names(), " "))
	}
	for i, c := range pe.NotApplied {
		n := len(pe.Landed) + i + 1
		switch {
		case n-1 == pe.Failed && pe.Uncertain:
			ios.Failf("chunk %d of %d got no answer and may have landed: %s", n, pe.Total, strings.Join(c.Names(), " "))
		case n-1 == pe.Failed:
			ios.Failf("chunk %d of %d refused (%s): %s", n, pe.Total, shortCause(pe.Err), strings.Join(c.Names(), " "))
		default:
			ios.Failf("chunk %d of %d not sent: %s", n, pe.Total, strings.Join(c.Names(), " "))
		}
	}
	ios.Infof("  run the same command again to finish: what landed is skipped as already so")
}

func shortCause(err error) string {
	if code := cloud.Code(err); code != "" {
		return code + ": " + cloud.Message(err)
	}
	return err.Error()
}

// outcome is what set, reset and apply report alike, after their plan.
type outcome struct {
	DryRun bool   `json:"dry_run"`
	Status string `json:"status"`
	// UsedBy is null when the API could not say.
	UsedBy      []groupUser `json:"used_by"`
	NeedsReboot []string    `json:"needs_reboot"`
	// converge are the commands that finish NeedsReboot (needsReboot's).
	converge []string
	Partial  *params.PartialError `json:"partial,omitempty"`
	Error    string               `json:"error,omitempty"`
}

// delivery is how one change command ends: what it says when there is
// nothing to send, what it asks before sending, what it says when all
// landed, and the send itself.
type delivery struct {
	empty   bool
	nothing string
	confirm string
	done    string
	pending bool // some change waits for a reboot
	send    func() error
}

// deliver finishes a change command once its plan is shown: nothing to
// send, a dry run, or ask, send and say what happened. The report rep
// (which embeds out) goes to stdout for -o json|yaml whatever the
// outcome. A send that stops part-way (an API refusal, Ctrl-C) is
// reported chunk by chunk and returned as is: the library's
// *PartialError, which exits 1.
func deliver(c CommonOptions, rep any, out *outcome, d delivery) error {
	ios := c.IO
	if out.NeedsReboot == nil {
		out.NeedsReboot = []string{}
	}
	switch {
	case d.empty:
		out.Status = statusUnchanged
		ios.Successf("%s", d.nothing)
		return printReport(c, rep)
	case out.DryRun:
		out.Status = statusPlanned
		reportReboot(ios, out.NeedsReboot, out.converge, d.pending)
		ios.Infof("dry run: nothing was sent")
		return printReport(c, rep)
	}
	if err := ios.Confirm(d.confirm); err != nil {
		return err
	}
	if err := d.send(); err != nil {
		var pe *params.PartialError
		if errors.As(err, &pe) {
			out.Status, out.Partial = statusPartial, pe
			reportPartial(ios, pe)
		}
		out.Error = err.Error()
		if perr := printReport(c, rep); perr != nil {
			return errors.Join(err, perr)
		}
		return err
	}
	out.Status = statusApplied
	ios.Successf("%s", d.done)
	reportReboot(ios, out.NeedsReboot, out.converge, d.pending)
	return printReport(c, rep)
}

// printReport writes rep for -o json|yaml; the table format has shown
// the plan already.
func printReport(c CommonOptions, rep any) error {
	return c.IO.Print(c.Format, rep, func() error { return nil })
}
