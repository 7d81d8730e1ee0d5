package verify

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/params/formula"
	"github.com/rdsctl/rdsctl/params/value"
)

// Status is a parameter's verdict. The strings are part of verify's JSON
// contract (DESIGN.md).
type Status string

// The statuses.
const (
	StatusOK Status = "ok"
	// StatusDrift: the server runs something other than what was expected,
	// and nothing pending explains it.
	StatusDrift Status = "drift"
	// StatusPendingReboot: the value differs, but the change is waiting for
	// a reboot, as the group's ParameterApplyStatus says.
	StatusPendingReboot Status = "pending-reboot"
	// StatusNotAVariable: the name is not a server variable (RDS-only
	// parameters, or one this engine version lacks), so it cannot be read.
	StatusNotAVariable Status = "not-a-variable"
	// StatusUnresolved: the expected value could not be worked out, e.g. a
	// formula for an unknown instance class.
	StatusUnresolved Status = "unresolved"
	// StatusEngineDefault: the group gives the parameter no value (RDS
	// leaves most engine defaults without one), so the server runs its own
	// default and there is nothing to compare against. Never a finding.
	StatusEngineDefault Status = "engine-default"
)

// Expectation is one value the server should be running, from a parameter
// group or an --expect override. The metadata decides how values compare and
// whether a difference can be a pending reboot.
type Expectation struct {
	Name        string
	Value       string // literal or RDS formula
	DataType    string // integer, float, boolean, string, list; "" infers
	ApplyType   string // static or dynamic
	ApplyMethod string // immediate or pending-reboot
	Source      string // user, system, engine-default, or "expect"
	// From says where the value came from, for a reader: "instance group
	// G", "cluster group C" or "--expect". On an Aurora member the
	// instance group's value overrides the cluster group's.
	From string
	// NoValue is set for a group parameter that carries no value (an
	// engine default): it is reported as StatusEngineDefault.
	NoValue bool
}

// FromParameters turns parameter group parameters into expectations. A
// parameter without a value (RDS leaves the engine's default, and shows
// none for most) becomes a NoValue expectation, reported as
// StatusEngineDefault rather than compared.
func FromParameters(ps []types.Parameter) []Expectation {
	var out []Expectation
	for _, p := range ps {
		if p.ParameterName == nil {
			continue
		}
		out = append(out, Expectation{
			NoValue:     p.ParameterValue == nil,
			Name:        aws.ToString(p.ParameterName),
			Value:       aws.ToString(p.ParameterValue),
			DataType:    aws.ToString(p.DataType),
			ApplyType:   aws.ToString(p.ApplyType),
			ApplyMethod: string(p.ApplyMethod),
			Source:      aws.ToString(p.Source),
		})
	}
	return out
}

// ErrInvalidExpect is wrapped by ParseExpect's rejections.
var ErrInvalidExpect = errors.New("invalid --expect")

// ParseExpect reads --expect P=V arguments.
// A parameter named twice with different values, or a formula that does
// not parse, is refused: either would make the verify's answer mean
// nothing.
func ParseExpect(args []string) ([]Expectation, error) {
	var out []Expectation
	seen := map[string]string{}
	for _, a := range args {
		name, v, ok := strings.Cut(a, "=")
		name, v = strings.TrimSpace(name), strings.TrimSpace(v)
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: %q is not P=V", ErrInvalidExpect, a)
		}
		if prev, dup := seen[CanonicalName(name)]; dup {
			if prev != v {
				return nil, fmt.Errorf("%w: %s is expected twice, as %q and %q", ErrInvalidExpect, name, prev, v)
			}
			continue
		}
		seen[CanonicalName(name)] = v
		if strings.ContainsAny(v, "{}") {
			if err := formula.Validate(v); err != nil {
				return nil, fmt.Errorf("%w: %s=%s: %w", ErrInvalidExpect, name, v, err)
			}
		}
		out = append(out, Expectation{Name: name, Value: v, Source: "expect", From: "--expect"})
	}
	return out, nil
}

// Merge applies overrides on top of base by canonical name. An override
// keeps the base's metadata (DataType, ApplyType), so `--expect
// wait_timeout=300` still compares as an integer.
func Merge(base, overrides []Expectation) []Expectation {
	idx := map[string]int{}
	var out []Expectation
	for _, list := range [][]Expectation{base, overrides} {
		for _, e := range list {
			k := CanonicalName(e.Name)
			i, seen := idx[k]
			if !seen {
				idx[k] = len(out)
				out = append(out, e)
				continue
			}
			prev := out[i]
			if e.DataType == "" {
				e.DataType = prev.DataType
			}
			if e.ApplyType == "" {
				e.ApplyType = prev.ApplyType
			}
			if e.ApplyMethod == "" {
				e.ApplyMethod = prev.ApplyMethod
			}
			out[i] = e
		}
	}
	return out
}

// CompareOptions carries what the comparison needs beyond the values.
type CompareOptions struct {
	// InstanceClass evaluates formulas, e.g. db.r6g.large; empty leaves
	// formulas unresolved.
	InstanceClass       string
	AllocatedStorageGiB int64
	Port                int64
	// PendingReboot is true when the instance's parameter group apply
	// status is pending-reboot: static changes (and pending-reboot ones)
	// are then expected not to be live yet. When the group itself was
	// newly attached, every value waits for the reboot: set each
	// expectation's ApplyMethod to pending-reboot.
	PendingReboot bool
	// Engine is the instance's engine (mariadb, mysql, aurora-mysql), to
	// explain a MySQL variable that a MariaDB server lacks; may be empty.
	Engine string
}

// Result is one parameter's verdict.
type Result struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Status   Status `json:"status"`
	Detail   string `json:"detail,omitempty"`
	// Formula is the RDS formula Expected was evaluated from.
	Formula string `json:"formula,omitempty"`
	Source  string `json:"source,omitempty"`
	// From is where the expected value came from: "instance group G",
	// "cluster group C" (an Aurora member's cluster parameter group, where
	// its instance group does not set the parameter) or "--expect".
	From string `json:"from,omitempty"`
}

// Compare checks every expectation against the snapshot's globals. Results
// are sorted by name.
func Compare(exp []Expectation, snap *Snapshot, opts CompareOptions) []Result {
	out := make([]Result, 0, len(exp))
	for _, e := range exp {
		out = append(out, compareOne(e, snap, opts))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func compareOne(e Expectation, snap *Snapshot, opts CompareOptions) Result {
	r := Result{Name: e.Name, Expected: e.Value, Source: e.Source, From: e.From}
	actual, ok := snap.Global(e.Name)
	if e.NoValue {
		r.Actual = actual
		r.Status = StatusEngineDefault
		r.Detail = "engine default: the group gives no value, so the server runs its own; nothing to compare"
		return r
	}
	if !ok {
		r.Status = StatusNotAVariable
		r.Detail = notAVariable(opts.Engine, snap.Server.Version)
		return r
	}
	r.Actual = actual
	dataType := e.DataType
	if formula.IsFormula(e.Value) {
		r.Formula = e.Value
		n, err := evalFormula(e.Value, opts)
		if err != nil {
			r.Status = StatusUnresolved
			r.Detail = err.Error()
			return r
		}
		r.Expected = strconv.FormatInt(n, 10)
		if dataType == "" {
			dataType = "integer"
		}
	}
	if equal(dataType, r.Expected, actual) {
		r.Status = StatusOK
		return r
	}
	if opts.PendingReboot && (e.ApplyType == "static" || e.ApplyMethod == "pending-reboot") {
		r.Status = StatusPendingReboot
		r.Detail = "the change waits for a reboot (parameter group status pending-reboot)"
		return r
	}
	r.Status = StatusDrift
	return r
}

// notAVariable explains why a name has no server variable. An instance of
// engine mysql or aurora-mysql whose server says MariaDB is the lab's (it
// runs MariaDB under every engine): MySQL-only variables are missing there
// by design.
func notAVariable(engine, version string) string {
	if strings.Contains(engine, "mysql") && strings.Contains(strings.ToLower(version), "mariadb") {
		return "a MySQL-only variable: this " + engine + " instance's server is MariaDB (the lab runs MariaDB under every engine); nothing to read"
	}
	return "not a server variable (an RDS-only parameter, or not in this engine version); nothing to read"
}

func evalFormula(expr string, opts CompareOptions) (int64, error) {
	if opts.InstanceClass == "" {
		return 0, fmt.Errorf("formula %s needs the instance class", expr)
	}
	class, ok := formula.LookupClass(opts.InstanceClass)
	if !ok {
		return 0, fmt.Errorf("formula %s: unknown instance class %s", expr, opts.InstanceClass)
	}
	n, err := formula.Eval(expr, class.Vars(opts.AllocatedStorageGiB, opts.Port))
	if err != nil {
		return 0, fmt.Errorf("evaluating %s for %s: %w", expr, opts.InstanceClass, err)
	}
	return n, nil
}

// equal compares with the parameter's DataType when known. Without one
// (an --expect override of a name the group does not set) it also accepts
// numerically equal values, so 10 matches long_query_time's 10.000000.
func equal(dataType, want, got string) bool {
	if value.Equal(dataType, want, got) {
		return true
	}
	if dataType != "" {
		return false
	}
	a, okA := new(big.Float).SetString(strings.TrimSpace(want))
	b, okB := new(big.Float).SetString(strings.TrimSpace(got))
	return okA && okB && a.Cmp(b) == 0
}

// DriftError is one parameter the server does not run as expected. Drift
// returns them joined, so the CLI can errors.As for it and exit 3.
type DriftError struct {
	Param string
	Want  string
	Got   string
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("%s: expected %s, server runs %s", e.Param, e.Want, e.Got)
}

// Findings counts the results that fail a verify: drift only. Pending
// reboots are expected, and not-a-variable and unresolved results are
// reported but cannot be confirmed either way.
func Findings(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == StatusDrift {
			n++
		}
	}
	return n
}

// Drift returns a *DriftError per drifted parameter, joined, or nil.
func Drift(rs []Result) error {
	var errs []error
	for _, r := range rs {
		if r.Status == StatusDrift {
			errs = append(errs, &DriftError{Param: r.Name, Want: r.Expected, Got: r.Actual})
		}
	}
	return errors.Join(errs...)
}
