package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rdsctl/rdsctl/params/formula"
	"github.com/rdsctl/rdsctl/params/value"
	"github.com/rdsctl/rdsctl/verify"
)

// Snapshot is what the gatherer read of one account and region: every
// selected group with its user-set parameters, its family's engine
// defaults and the instances using it.
type Snapshot struct {
	Account string
	Region  string
	Groups  []Group
}

// Group is one parameter group as the checks need it.
type Group struct {
	Kind   Kind
	Name   string
	Family string
	// Params are the user-set parameters, by canonical name.
	Params map[string]Param
	// Defaults are the family's engine defaults, by canonical name; nil
	// when the policy needs none (see Policy.NeedsDefaults).
	Defaults map[string]Param
	// Instances use the group (for a cluster group, the cluster's members).
	Instances []Instance
}

// Param is one parameter's value and how to compare it.
type Param struct {
	Name     string
	Value    string
	HasValue bool // false: RDS lists the parameter without a value
	DataType string
}

// Instance is a DB instance using a group.
type Instance struct {
	ID                  string
	Class               string
	AllocatedStorageGiB int64
	Port                int64
	// ApplyStatus is the group's ParameterApplyStatus on this instance
	// (in-sync, applying, pending-reboot).
	ApplyStatus string
	// Globals are the server's live global variables by canonical name,
	// read for --effective; nil when not read.
	Globals map[string]string
	// GlobalsErr says why Globals could not be read.
	GlobalsErr string
	// DBGroups are an Aurora member's own DB parameter groups, whose
	// user-set values override its cluster group's on this member: read
	// for --effective on a cluster group (non-nil, maybe empty, once
	// read), nil otherwise.
	DBGroups []MemberGroup
}

// MemberGroup is an Aurora member's DB parameter group: its user-set
// parameters by canonical name and its apply status on the member.
type MemberGroup struct {
	Name        string
	ApplyStatus string
	Params      map[string]Param
}

// Status is a finding's verdict; the strings are the JSON contract.
type Status string

// The statuses.
const (
	StatusOK        Status = "ok"
	StatusViolation Status = "violation"
	// StatusUnresolved: the value could not be worked out (a formula with
	// no instance to evaluate it for, an engine default without a value,
	// a server that could not be read).
	StatusUnresolved Status = "unresolved"
	// StatusNotApplied: the group satisfies the rule but the server
	// (--effective) runs something that does not.
	StatusNotApplied Status = "not-applied"
)

// Finding is one group × rule check (× instance with --effective).
type Finding struct {
	Account   string   `json:"account"`
	Region    string   `json:"region"`
	Group     string   `json:"group"`
	Kind      Kind     `json:"kind"`
	Parameter string   `json:"parameter"`
	Rule      string   `json:"rule"`
	Expected  string   `json:"expected"`
	Actual    string   `json:"actual"`
	Status    Status   `json:"status"`
	Severity  Severity `json:"severity"`
	Instances []string `json:"instances"`
	// From says where the value the server is held to came from, as
	// verify says it: "cluster group CG", or "instance group G" where the
	// member's own DB parameter group overrides the cluster group. Set on
	// the per-member findings of a cluster group with --effective.
	From   string `json:"from,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Line and Column locate the rule in the policy file.
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Options change how Evaluate reads the snapshot.
type Options struct {
	// Effective checks each instance's live globals (Instance.Globals)
	// too: value rules give one finding per instance.
	Effective bool
}

// Evaluate checks every selected group of every snapshot against every
// rule. It is a pure function: the same snapshot gives the same findings,
// in a stable order (account, region, kind, group, then the policy's rule
// order).
func Evaluate(pol *Policy, snaps []Snapshot, opts Options) []Finding {
	snaps = append([]Snapshot(nil), snaps...)
	sort.SliceStable(snaps, func(i, j int) bool {
		if snaps[i].Account != snaps[j].Account {
			return snaps[i].Account < snaps[j].Account
		}
		return snaps[i].Region < snaps[j].Region
	})
	out := []Finding{}
	for _, s := range snaps {
		if !pol.SelectsRegion(s.Region) {
			continue
		}
		groups := append([]Group(nil), s.Groups...)
		sort.SliceStable(groups, func(i, j int) bool {
			if groups[i].Kind != groups[j].Kind {
				return groups[i].Kind > groups[j].Kind // db before cluster
			}
			return groups[i].Name < groups[j].Name
		})
		for _, g := range groups {
			if !pol.Selects(g.Kind, g.Name, g.Family) {
				continue
			}
			for _, r := range pol.Rules {
				for _, c := range r.Checks() {
					base := Finding{Account: s.Account, Region: s.Region, Group: g.Name, Kind: g.Kind,
						Parameter: r.Parameter, Rule: c.Name, Expected: c.Expected, Severity: r.Severity,
						Line: r.Line, Column: r.Column}
					out = append(out, evalCheck(g, r, c, base, opts)...)
				}
			}
		}
	}
	return out
}

func evalCheck(g Group, r Rule, c Check, f Finding, opts Options) []Finding {
	switch c.Name {
	case "required", "forbidden":
		p, set := g.Params[canonical(r.Parameter)]
		f.Instances = instanceIDs(g.Instances)
		f.Actual = "not set"
		if set {
			f.Actual = "user-set"
			if p.HasValue {
				f.Actual = "user-set: " + p.Value
			}
		}
		if set == (c.Name == "required") {
			f.Status = StatusOK
		} else {
			f.Status = StatusViolation
		}
		return []Finding{f}
	case "applied":
		return []Finding{evalApplied(g, f)}
	}
	if !opts.Effective {
		return []Finding{evalGroupValue(g, r, c, f)}
	}
	if len(g.Instances) == 0 {
		gf := evalGroupValue(g, r, c, f)
		if gf.Status == StatusUnresolved {
			gf.Detail = strings.TrimSuffix(gf.Detail, ".") + "; no instance uses the group, so --effective has no server to read"
		}
		return []Finding{gf}
	}
	var out []Finding
	for _, in := range g.Instances {
		out = append(out, evalEffective(g, r, c, f, in))
	}
	return out
}

func evalApplied(g Group, f Finding) Finding {
	f.Instances = []string{}
	var pending []string
	for _, in := range g.Instances {
		if in.ApplyStatus != "in-sync" {
			f.Instances = append(f.Instances, in.ID)
			pending = append(pending, in.ID+": "+orNone(in.ApplyStatus))
		}
	}
	switch {
	case len(g.Instances) == 0:
		f.Status, f.Actual = StatusOK, "no instances"
	case len(pending) == 0:
		f.Status, f.Actual, f.Instances = StatusOK, "in-sync", instanceIDs(g.Instances)
	default:
		f.Status, f.Actual = StatusViolation, strings.Join(pending, ", ")
		f.Detail = "changes wait for a reboot (or are still applying) on " + strings.Join(f.Instances, ", ")
	}
	return f
}

// verdict is one comparison's outcome.
type verdict struct {
	status   Status
	actual   string
	expected string // evaluated, when a formula or same_as
	detail   string
}

// evalGroupValue checks the group's value (user-set, else the engine
// default) for each instance class using the group: a formula evaluates
// differently per class.
func evalGroupValue(g Group, r Rule, c Check, f Finding) Finding {
	type ctx struct {
		class string
		ids   []string
		in    *Instance
	}
	var ctxs []ctx
	if needsClass(g, r, c) && len(g.Instances) > 0 {
		byClass := map[string]int{}
		for i := range g.Instances {
			in := &g.Instances[i]
			if j, ok := byClass[in.Class]; ok {
				ctxs[j].ids = append(ctxs[j].ids, in.ID)
				continue
			}
			byClass[in.Class] = len(ctxs)
			ctxs = append(ctxs, ctx{class: in.Class, ids: []string{in.ID}, in: in})
		}
		sort.Slice(ctxs, func(i, j int) bool { return ctxs[i].class < ctxs[j].class })
	} else {
		ctxs = []ctx{{ids: instanceIDs(g.Instances)}}
		if len(g.Instances) > 0 {
			ctxs[0].in = &g.Instances[0]
		}
	}
	var actuals, expecteds, details []string
	f.Status = StatusOK
	f.Instances = []string{}
	failed := []string{}
	for _, x := range ctxs {
		v := groupVerdict(g, r, c, x.in)
		label := func(s string) string {
			if len(ctxs) > 1 {
				return s + " (" + x.class + ")"
			}
			return s
		}
		actuals = append(actuals, label(v.actual))
		if v.expected != "" {
			expecteds = append(expecteds, label(v.expected))
		}
		if v.detail != "" {
			details = append(details, v.detail)
		}
		switch {
		case v.status == StatusViolation:
			f.Status = StatusViolation
			failed = append(failed, x.ids...)
		case v.status == StatusUnresolved && f.Status == StatusOK:
			f.Status = StatusUnresolved
		}
	}
	f.Actual = joinUnique(actuals)
	if len(expecteds) > 0 {
		f.Detail = "expected evaluates to " + joinUnique(expecteds)
	}
	if len(details) > 0 {
		f.Detail = joinUnique(append(details, f.Detail))
	}
	if f.Status == StatusViolation {
		f.Instances = failed
	} else {
		f.Instances = instanceIDs(g.Instances)
	}
	return f
}

// needsClass reports whether the comparison involves a formula.
func needsClass(g Group, r Rule, c Check) bool {
	raw, _, _ := groupRaw(g, r.Parameter)
	if formula.IsFormula(raw) || formula.IsFormula(c.Expected) {
		return true
	}
	if c.Name == "same_as" {
		other, _, _ := groupRaw(g, r.SameAs)
		return formula.IsFormula(other)
	}
	return false
}

// groupRaw returns the value a group gives a parameter: its own, else the
// engine default. why explains a missing value.
func groupRaw(g Group, name string) (raw, dataType, why string) {
	n := canonical(name)
	d, hasDefault := g.Defaults[n]
	if p, ok := g.Params[n]; ok && p.HasValue {
		dt := p.DataType
		if dt == "" {
			dt = d.DataType
		}
		return p.Value, dt, ""
	}
	switch {
	case hasDefault && d.HasValue:
		return d.Value, d.DataType, ""
	case hasDefault:
		return "", d.DataType, fmt.Sprintf("the group does not set %s and its engine default has no value (the engine decides); --effective reads it from the server", name)
	case g.Defaults == nil:
		return "", "", fmt.Sprintf("the group does not set %s and engine defaults were not read", name)
	}
	return "", "", fmt.Sprintf("the group does not set %s and family %s has no such parameter", name, g.Family)
}

// resolve evaluates raw for in's class when it is a formula.
func resolve(raw string, in *Instance) (string, string) {
	if !formula.IsFormula(raw) {
		return raw, ""
	}
	if in == nil {
		return "", fmt.Sprintf("formula %s needs an instance class, and no instance uses the group", raw)
	}
	class, ok := formula.LookupClass(in.Class)
	if !ok {
		return "", fmt.Sprintf("formula %s: unknown instance class %q", raw, in.Class)
	}
	n, err := formula.Eval(raw, class.Vars(in.AllocatedStorageGiB, in.Port))
	if err != nil {
		return "", fmt.Sprintf("evaluating %s for %s: %v", raw, in.Class, err)
	}
	return strconv.FormatInt(n, 10), ""
}

// groupVerdict compares the group's value for one instance context.
func groupVerdict(g Group, r Rule, c Check, in *Instance) verdict {
	raw, dataType, why := groupRaw(g, r.Parameter)
	if why != "" {
		return verdict{status: StatusUnresolved, actual: "-", detail: why}
	}
	actual, why := resolve(raw, in)
	if why != "" {
		return verdict{status: StatusUnresolved, actual: raw, detail: why}
	}
	v := verdict{actual: actual}
	if formula.IsFormula(raw) {
		v.actual = actual + " (" + raw + ")"
	}
	want, why := expectedFor(g, r, c, in, nil)
	if why != "" {
		v.status, v.detail = StatusUnresolved, why
		return v
	}
	if want != c.Expected {
		v.expected = want
	}
	v.status, v.detail = compare(c, dataType, actual, want)
	return v
}

// expectedFor evaluates the check's expected value: a formula for in's
// class, or the other parameter's value for same_as (from the server when
// globals is given).
func expectedFor(g Group, r Rule, c Check, in *Instance, globals *verify.Snapshot) (string, string) {
	if c.Name == "same_as" {
		if globals != nil {
			if v, ok := globals.Global(r.SameAs); ok {
				return v, ""
			}
		}
		raw, _, why := groupRaw(g, r.SameAs)
		if why != "" {
			return "", why
		}
		return resolve(raw, in)
	}
	if c.Name == "one_of" {
		return c.Expected, ""
	}
	return resolve(c.Expected, in)
}

// compare applies a value check. The comparison normalises as verify
// does: ON = 1 = true, 64M = 67108864, letter case, list order.
func compare(c Check, dataType, actual, want string) (Status, string) {
	ok := false
	detail := ""
	switch c.Name {
	case "equals", "same_as":
		ok = value.Equal(dataType, want, actual)
	case "one_of":
		for _, w := range strings.Split(want, ",") {
			if value.Equal(dataType, strings.TrimSpace(w), actual) {
				ok = true
			}
		}
	case "min", "max":
		a, okA := number(actual)
		w, okW := number(want)
		if !okA || !okW {
			return StatusViolation, fmt.Sprintf("%q is not a number", actual)
		}
		if c.Name == "min" {
			ok = a.Cmp(w) >= 0
		} else {
			ok = a.Cmp(w) <= 0
		}
	}
	if ok {
		return StatusOK, detail
	}
	return StatusViolation, detail
}

// memberView is cluster group g as member in runs it: on Aurora a value
// set in the member's own DB parameter group overrides the cluster
// group's, for that member only (as verify resolves it). The view's
// Params are g's with those values over them; over names, by canonical
// parameter name, the member group each overriding value came from. A
// member whose groups were not read (DBGroups nil) sees g unchanged.
func memberView(g Group, in Instance) (view Group, over map[string]MemberGroup) {
	over = map[string]MemberGroup{}
	for _, mg := range in.DBGroups {
		for n, p := range mg.Params {
			if p.HasValue {
				over[n] = mg // a later group wins, as verify merges them
			}
		}
	}
	if len(over) == 0 {
		return g, over
	}
	view = g
	view.Params = make(map[string]Param, len(g.Params)+len(over))
	for n, p := range g.Params {
		view.Params[n] = p
	}
	for n, mg := range over {
		view.Params[n] = mg.Params[n]
	}
	return view, over
}

// evalEffective is one instance's finding for a value rule: the group's
// verdict for its class, then the server's live value. For a member of a
// cluster group the group's value is the member's own DB group's where
// that sets the parameter, else the cluster group's; From says which, and
// an override is named in the detail with the cluster group's own value.
func evalEffective(g Group, r Rule, c Check, f Finding, in Instance) (res Finding) {
	f.Instances = []string{in.ID}
	giver := "the group"
	applyStatus := in.ApplyStatus
	var override func(gv verdict) string
	if g.Kind == KindCluster && in.DBGroups != nil {
		cg := g
		view, over := memberView(g, in)
		g = view
		f.From = "cluster group " + cg.Name
		if mg, ok := over[canonical(r.Parameter)]; ok {
			f.From = "instance group " + mg.Name
			giver = f.From
			applyStatus = mg.ApplyStatus
			override = func(gv verdict) string {
				cv := groupVerdict(cg, r, c, &in)
				msg := fmt.Sprintf("%s sets %s over cluster group %s's %s", giver, gv.actual, cg.Name, cv.actual)
				switch cv.status {
				case StatusOK:
					msg += ", which passes"
				case StatusViolation:
					msg += ", which fails too"
				}
				return msg
			}
		}
	}
	gv := groupVerdict(g, r, c, &in)
	note := ""
	if override != nil {
		note = override(gv)
	}
	defer func() { res.Detail = joinUnique([]string{note, res.Detail}) }()
	if in.GlobalsErr != "" || in.Globals == nil {
		f.Status, f.Actual = StatusUnresolved, gv.actual
		f.Detail = "reading the server: " + orNone(in.GlobalsErr)
		if gv.status == StatusViolation {
			f.Status, f.Detail = StatusViolation, giver+"'s value violates the rule; "+f.Detail
		}
		return f
	}
	snap := &verify.Snapshot{Globals: in.Globals}
	live, isVar := snap.Global(r.Parameter)
	if !isVar {
		f.Status, f.Actual, f.Detail = gv.status, gv.actual, joinUnique([]string{gv.detail, "not a server variable; the group's value is checked"})
		return f
	}
	_, dataType, _ := groupRaw(g, r.Parameter)
	f.Actual = live
	want, why := expectedFor(g, r, c, &in, snap)
	if why != "" {
		f.Status, f.Detail = StatusUnresolved, why
		return f
	}
	if want != c.Expected {
		f.Detail = "expected evaluates to " + want
	}
	sv, _ := compare(c, dataType, live, want)
	switch {
	case gv.status == StatusViolation:
		f.Status = StatusViolation
		if note == "" { // the override note says what the group gives
			f.Detail = joinUnique([]string{"the group gives " + gv.actual, f.Detail})
		}
	case sv == StatusOK:
		f.Status = StatusOK
	case gv.status == StatusOK:
		f.Status = StatusNotApplied
		f.Detail = joinUnique([]string{giver + " gives " + gv.actual + " but the server runs " + live +
			" (apply status " + orNone(applyStatus) + ")", f.Detail})
	default: // the group could not say (no default value); the server settles it
		f.Status = StatusViolation
		f.Detail = joinUnique([]string{gv.detail, f.Detail})
	}
	return f
}

func instanceIDs(ins []Instance) []string {
	out := make([]string, 0, len(ins))
	for _, in := range ins {
		out = append(out, in.ID)
	}
	sort.Strings(out)
	return out
}

// joinUnique joins the non-empty distinct strings with "; ".
func joinUnique(ss []string) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Summary counts findings by status.
type Summary struct {
	OK         int `json:"ok"`
	Violation  int `json:"violation"`
	NotApplied int `json:"not_applied"`
	Unresolved int `json:"unresolved"`
	// Failing counts what fails the check: error-severity violations and
	// not-applied findings, and unresolved ones when strict.
	Failing int `json:"failing"`
}

// Summarize counts findings; strict makes unresolved error-severity
// findings fail the check.
func Summarize(fs []Finding, strict bool) Summary {
	var s Summary
	for _, f := range fs {
		switch f.Status {
		case StatusOK:
			s.OK++
		case StatusViolation:
			s.Violation++
		case StatusNotApplied:
			s.NotApplied++
		case StatusUnresolved:
			s.Unresolved++
		}
		if Fails(f, strict) {
			s.Failing++
		}
	}
	return s
}

// Fails reports whether f fails the check (exit 3).
func Fails(f Finding, strict bool) bool {
	if f.Severity == SeverityWarning {
		return false
	}
	switch f.Status {
	case StatusViolation, StatusNotApplied:
		return true
	case StatusUnresolved:
		return strict
	}
	return false
}
