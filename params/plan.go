package params

import (
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/params/value"
)

// maxParamModifyChunk is RDS's limit on parameters per
// ModifyDBParameterGroup or ResetDBParameterGroup call; a 21st parameter
// fails the whole call with InvalidParameterCombination.
const maxParamModifyChunk = 20

// MaxChunk is maxParamModifyChunk for callers that display plans.
const MaxChunk = maxParamModifyChunk

// coDependent lists parameters that must change in the same call. Each set
// describes one server setting split over several variables: sending half
// of it leaves the server (and the group) in a combination nobody chose,
// and RDS or the server may refuse the half-way state (a collation that
// does not belong to the character set, gtid_mode ON without
// enforce_gtid_consistency, a row image without row-based logging).
//
//   - character_set_server, collation_server
//   - character_set_client, character_set_connection, character_set_results, collation_connection
//   - character_set_database, collation_database
//   - gtid-mode (MySQL's RDS name), gtid_mode (MariaDB's), enforce_gtid_consistency
//   - binlog_format, binlog_row_image, binlog_row_metadata
//
// Names are matched after foldName, so "-" and "_" spellings are one.
var coDependent = [][]string{
	{"character_set_server", "collation_server"},
	{"character_set_client", "character_set_connection", "character_set_results", "collation_connection"},
	{"character_set_database", "collation_database"},
	{"gtid_mode", "enforce_gtid_consistency"},
	{"binlog_format", "binlog_row_image", "binlog_row_metadata"},
}

// coDependentSet maps a folded name to the index of its set in coDependent.
var coDependentSet = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for i, set := range coDependent {
		for _, n := range set {
			m[foldName(n)] = i
		}
	}
	return m
})

// Action says what a plan's calls do.
type Action string

// The two kinds of parameter call.
const (
	ActionModify Action = "modify" // ModifyDB(Cluster)ParameterGroup
	ActionReset  Action = "reset"  // ResetDB(Cluster)ParameterGroup with named parameters
)

// Change is one parameter in a plan. Value is empty for a reset; Current is
// the group's value before the change ("" when it has none).
type Change struct {
	Name        string            `json:"name"`
	Value       string            `json:"value,omitempty"`
	Current     string            `json:"current,omitempty"`
	ApplyType   string            `json:"apply_type"`
	ApplyMethod types.ApplyMethod `json:"apply_method"`
	// EngineDefault marks a no-op whose value is the group's engine or
	// system default, not a user-set value: RDS keeps a parameter
	// modified to its default as a default (terraform-provider-aws #3182),
	// so a later change of the family's default moves it.
	EngineDefault bool `json:"engine_default,omitempty"`
}

// EngineDefaultNote is what rdsctl says of a value equal to the engine
// default, wherever it comes up (apply, set, export).
const EngineDefaultNote = "equal to the engine default: AWS keeps it as a default, so a changed default will move it"

// Chunk is one API call's worth of changes: at most maxParamModifyChunk,
// never splitting a co-dependent set.
type Chunk struct {
	Changes []Change `json:"changes"`
}

// Names lists the chunk's parameter names, in order.
func (c Chunk) Names() []string {
	out := make([]string, len(c.Changes))
	for i, ch := range c.Changes {
		out[i] = ch.Name
	}
	return out
}

// Plan is the calls that bring one group to what was asked, in the order
// they are to be sent. It is data, so --dry-run can print it and Apply can
// send it unchanged.
type Plan struct {
	Group   string   `json:"group"`
	Cluster bool     `json:"cluster"`
	Action  Action   `json:"action"`
	Chunks  []Chunk  `json:"chunks"`
	NoOps   []Change `json:"no_ops,omitempty"` // asked for, already so; not sent
}

// Empty reports whether the plan sends nothing.
func (p *Plan) Empty() bool { return p == nil || len(p.Chunks) == 0 }

// Changes lists every change the plan sends, in order.
func (p *Plan) Changes() []Change {
	var out []Change
	for _, c := range p.Chunks {
		out = append(out, c.Changes...)
	}
	return out
}

// PlanModify validates as against params (the group's DescribeDBParameters
// output: metadata and current values) and plans the ModifyDBParameterGroup
// calls: each parameter gets mode's apply method (auto: immediate for
// dynamic, pending-reboot for static), changes equal to the current value
// under value.Equal are skipped as no-ops, and the rest are chunked (see
// chunkChanges). A refused request returns a *ValidationError and no plan.
func PlanModify(group string, cluster bool, params []types.Parameter, as []Assignment, mode ApplyMode) (*Plan, error) {
	meta := NewMetadata(params)
	if err := Validate(meta, as, mode); err != nil {
		return nil, withGroup(err, group)
	}
	p := &Plan{Group: group, Cluster: cluster, Action: ActionModify}
	var changes []Change
	seen := map[string]bool{}
	for _, a := range as {
		if seen[a.Name] {
			continue // the same value twice; Validate refused different ones
		}
		seen[a.Name] = true
		mp, _ := meta.Lookup(a.Name)
		c := Change{Name: a.Name, Value: wireValue(mp, a.Value), Current: str(mp.ParameterValue), ApplyType: str(mp.ApplyType),
			ApplyMethod: mode.method(str(mp.ApplyType))}
		if mp.ParameterValue != nil && value.Equal(str(mp.DataType), c.Current, c.Value) {
			c.EngineDefault = str(mp.Source) != "" && str(mp.Source) != "user"
			p.NoOps = append(p.NoOps, c)
			continue
		}
		changes = append(changes, c)
	}
	p.Chunks = chunkChanges(changes)
	sortChanges(p.NoOps)
	return p, nil
}

// PlanReset plans ResetDBParameterGroup calls that return the named
// parameters to their defaults; all resets every user-set parameter (names
// is then ignored). Parameters that are not user-set (Source "user") are
// already at their default and are skipped as no-ops. Listing the names,
// rather than sending ResetAllParameters, keeps one chunking and one
// partial-failure report for both forms, and lets --dry-run show them.
func PlanReset(group string, cluster bool, params []types.Parameter, names []string, all bool, mode ApplyMode) (*Plan, error) {
	meta := NewMetadata(params)
	if all {
		names = nil
		for _, n := range meta.Names() {
			if mp, _ := meta.Lookup(n); isUserSet(mp) {
				names = append(names, n)
			}
		}
	}
	names = dedupe(names)
	if err := ValidateReset(meta, names, mode); err != nil {
		return nil, withGroup(err, group)
	}
	p := &Plan{Group: group, Cluster: cluster, Action: ActionReset}
	var changes []Change
	for _, n := range names {
		mp, _ := meta.Lookup(n)
		c := Change{Name: n, Current: str(mp.ParameterValue), ApplyType: str(mp.ApplyType),
			ApplyMethod: mode.method(str(mp.ApplyType))}
		if !isUserSet(mp) {
			p.NoOps = append(p.NoOps, c)
			continue
		}
		changes = append(changes, c)
	}
	p.Chunks = chunkChanges(changes)
	sortChanges(p.NoOps)
	return p, nil
}

// wireValue is the value to send for v. For a boolean parameter it is the
// AllowedValues literal v means (ON -> 1 for "0,1"): validation accepts
// boolean synonyms, as the server does, but RDS compares the value with
// AllowedValues literally and would refuse ON.
func wireValue(p types.Parameter, v string) string {
	if !strings.EqualFold(str(p.DataType), "boolean") || str(p.AllowedValues) == "" {
		return v
	}
	items := strings.Split(str(p.AllowedValues), ",")
	for _, it := range items {
		if strings.EqualFold(strings.TrimSpace(it), v) {
			return v
		}
	}
	for _, it := range items {
		if it = strings.TrimSpace(it); value.Equal("boolean", it, v) {
			return it
		}
	}
	return v
}

func isUserSet(p types.Parameter) bool { return str(p.Source) == "user" }

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func withGroup(err error, group string) error {
	if ve, ok := err.(*ValidationError); ok && group != "" {
		for i := range ve.Problems {
			if ve.Problems[i].Group == "" {
				ve.Problems[i].Group = group
			}
		}
	}
	return err
}

// chunkChanges splits changes into API calls, deterministically whatever
// the input order:
//   - co-dependent parameters (see coDependent) form one unit that is never
//     split across calls;
//   - units whose changes are all immediate come first, then the rest, so
//     no pending-reboot change is sent before an immediate one and an
//     interrupted run leaves the live changes in place first; within each
//     class units are ordered by name;
//   - units are packed in that order into chunks of at most
//     maxParamModifyChunk, starting a new chunk only when the next unit does
//     not fit. A chunk may therefore hold the last immediate and the first
//     pending-reboot changes; RDS accepts mixed apply methods in one call,
//     and it keeps the number of calls at ceil(n/20) without co-dependents.
func chunkChanges(changes []Change) []Chunk {
	if len(changes) == 0 {
		return nil
	}
	type unit struct {
		changes   []Change
		immediate bool
	}
	var units []*unit
	bySet := map[int]*unit{}
	for _, c := range changes {
		if i, ok := coDependentSet()[foldName(c.Name)]; ok {
			if u := bySet[i]; u != nil {
				u.changes = append(u.changes, c)
				continue
			}
			u := &unit{changes: []Change{c}}
			bySet[i] = u
			units = append(units, u)
			continue
		}
		units = append(units, &unit{changes: []Change{c}})
	}
	for _, u := range units {
		sortChanges(u.changes)
		u.immediate = true
		for _, c := range u.changes {
			if c.ApplyMethod != types.ApplyMethodImmediate {
				u.immediate = false
			}
		}
	}
	sort.SliceStable(units, func(i, j int) bool {
		if units[i].immediate != units[j].immediate {
			return units[i].immediate
		}
		return units[i].changes[0].Name < units[j].changes[0].Name
	})
	var chunks []Chunk
	var cur []Change
	for _, u := range units {
		if len(cur)+len(u.changes) > maxParamModifyChunk {
			chunks = append(chunks, Chunk{Changes: cur})
			cur = nil
		}
		cur = append(cur, u.changes...)
	}
	if len(cur) > 0 {
		chunks = append(chunks, Chunk{Changes: cur})
	}
	return chunks
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		return strings.Compare(cs[i].Name, cs[j].Name) < 0
	})
}
