// Package gameday runs scripted drills against an RDS instance: change a
// parameter and confirm it, fail over, confirm again, check the outage
// budget of the database and of the application, and put everything back,
// even when a step failed. Scenario files are YAML (see Parse); the steps
// that touch RDS go through a Driver; the outcome is a Report rendered as
// JSON, Markdown and a self-contained HTML page with an SVG timeline.
package gameday

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/rdsctl/rdsctl/params/yamldoc"
)

// MaxFileSize bounds a scenario file: a drill is a page of YAML, and a
// multi-megabyte file is a mistake (or an attack on the parser).
const MaxFileSize = 1 << 20

// DatabaseProbe is the name of the built-in database probe; assertions
// name it like any other probe.
const DatabaseProbe = "database"

// ErrInvalid marks a scenario refused before anything ran (exit 2).
var ErrInvalid = errors.New("invalid scenario")

// FileError is a scenario that cannot be read, with the position it goes
// wrong at, in the file:line:column form editors and CI annotations use.
type FileError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error reads FILE:LINE:COL: MSG, as every input file's errors do.
func (e *FileError) Error() string {
	return (&yamldoc.Error{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}).Error()
}

// Unwrap makes every FileError an ErrInvalid.
func (e *FileError) Unwrap() error { return ErrInvalid }

// Scenario is a parsed game-day file.
type Scenario struct {
	Name     string      `json:"name"`
	Target   Target      `json:"target"`
	Probes   []ProbeSpec `json:"probes"`
	Steps    []Step      `json:"steps"`
	Rollback bool        `json:"rollback"`
}

// Target is what the drill acts on: a DB instance, or an Aurora DB
// cluster (its failover step is FailoverDBCluster, measured through the
// cluster endpoint).
type Target struct {
	Instance string `json:"instance,omitempty"`
	Cluster  string `json:"cluster,omitempty"`
}

// Name is the target's identifier, instance or cluster.
func (t Target) Name() string {
	if t.Cluster != "" {
		return t.Cluster
	}
	return t.Instance
}

// Probe kinds.
const (
	KindHTTP    = "http"
	KindTCP     = "tcp"
	KindCommand = "command"
)

// ProbeSpec is one application probe: an HTTP URL, a TCP address or a
// shell command whose exit status is the health.
type ProbeSpec struct {
	Kind         string        `json:"kind"`
	Name         string        `json:"name"`
	URL          string        `json:"url,omitempty"`
	ExpectStatus int           `json:"expect_status,omitempty"`
	Address      string        `json:"address,omitempty"`
	Run          string        `json:"run,omitempty"`
	Timeout      time.Duration `json:"timeout"`
	Interval     time.Duration `json:"interval"`
	Line         int           `json:"-"`
}

// Step kinds.
const (
	StepSet      = "set"
	StepReset    = "reset"
	StepReboot   = "reboot"
	StepFailover = "failover"
	StepVerify   = "verify"
	StepWait     = "wait"
	StepSleep    = "sleep"
	StepRun      = "run"
	StepAssert   = "assert"
)

var stepKinds = []string{StepSet, StepReset, StepReboot, StepFailover, StepVerify, StepWait, StepSleep, StepRun, StepAssert}

// Param is one name=value of a set step or a verify expectation, in file
// order.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Step is one step of the drill; Kind says which fields matter.
type Step struct {
	Kind string `json:"kind"`
	Line int    `json:"line"`
	// set / reset: Group ("" = the target's group), Params (set) or Names
	// (reset).
	Group  string   `json:"group,omitempty"`
	Params []Param  `json:"parameters,omitempty"`
	Names  []string `json:"names,omitempty"`
	// reboot / failover: the outage budget of the database, 0 for none.
	MaxDowntime time.Duration `json:"max_downtime,omitempty"`
	// verify.
	Expect []Param `json:"expect,omitempty"`
	// wait: available or in-sync, within Timeout.
	For string `json:"for,omitempty"`
	// sleep.
	Duration time.Duration `json:"duration,omitempty"`
	// run: a shell command, within Timeout; Label names it in reports
	// (e.g. "the restart hook").
	Command string        `json:"command,omitempty"`
	Label   string        `json:"label,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"`
	// assert.
	Assert *Assertion `json:"assert,omitempty"`
}

// Assertion is a check on one probe's figures; nil fields are not checked.
type Assertion struct {
	Probe string `json:"probe"`
	// DowntimeMax bounds downtime_seconds.
	DowntimeMax *float64 `json:"downtime_seconds_max,omitempty"`
	// RecoveredWithin bounds how long after the database the probe was
	// back; a probe that never recovered fails it.
	RecoveredWithin *time.Duration `json:"recovered_within,omitempty"`
	// ErrorClasses bounds the count of each named class.
	ErrorClasses map[string]int `json:"error_classes,omitempty"`
	// MaxConsecutiveFailures bounds the longest run of failures.
	MaxConsecutiveFailures *int `json:"max_consecutive_failures,omitempty"`
}

// Wait conditions.
const (
	WaitAvailable = "available"
	WaitInSync    = "in-sync"
)

// Defaults for probes and steps that leave them out.
const (
	DefaultProbeTimeout  = 2 * time.Second
	DefaultProbeInterval = 250 * time.Millisecond
	DefaultRunTimeout    = 5 * time.Minute
	DefaultWaitTimeout   = 15 * time.Minute
)

// ReadFile reads and parses the scenario at path: a regular file of at
// most MaxFileSize bytes, read so that ctx can interrupt it.
func ReadFile(ctx context.Context, path string) (*Scenario, error) {
	data, err := yamldoc.ReadFile(ctx, path, nil, "scenario", MaxFileSize)
	if err != nil {
		return nil, fromDoc(err)
	}
	return Parse(filepath.Base(path), data)
}

// fromDoc makes yamldoc's errors this package's FileError, an ErrInvalid.
func fromDoc(err error) error {
	var e *yamldoc.Error
	if errors.As(err, &e) {
		return &FileError{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}
	}
	return err
}

// Parse reads a scenario; name is used in error messages. It refuses, with
// the position of the culprit, unknown keys, steps and probe kinds, bad
// durations, missing fields, aliases and more than one document: a drill
// that half-runs because of a typo is worse than one that does not start.
func Parse(name string, data []byte) (*Scenario, error) {
	p := &scenarioParser{file: name}
	return p.parse(data)
}

type scenarioParser struct{ file string }

func (p *scenarioParser) errAt(n ast.Node, format string, args ...any) *FileError {
	e := &FileError{File: p.file, Msg: fmt.Sprintf(format, args...)}
	// A mapping's own token is its first colon; its first key is where a
	// reader looks.
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil && !m.IsFlowStyle {
		n = m.Values[0].Key
	}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

func line(n ast.Node) int {
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return 0
}

func (p *scenarioParser) parse(data []byte) (*Scenario, error) {
	body, err := yamldoc.Body(p.file, data, "more than one YAML document")
	if err != nil {
		return nil, fromDoc(err)
	}
	if body == nil {
		return nil, &FileError{File: p.file, Msg: "empty file: want name, target, probes, steps, rollback"}
	}
	top, err := p.fields(body, "the scenario", "name", "target", "probes", "steps", "rollback")
	if err != nil {
		return nil, err
	}
	s := &Scenario{}
	if n := top["name"]; n != nil {
		if s.Name, err = p.scalar(n.Value, "name"); err != nil {
			return nil, err
		}
	}
	tn := top["target"]
	if tn == nil {
		return nil, p.errAt(body, "missing target (want target: {instance: NAME} or {cluster: NAME})")
	}
	tf, err := p.fields(tn.Value, "target", "instance", "cluster")
	if err != nil {
		return nil, err
	}
	switch c, i := tf["cluster"], tf["instance"]; {
	case c != nil && i != nil:
		return nil, p.errAt(c.Key, "target: name an instance or a cluster, not both")
	case c != nil:
		if s.Target.Cluster, err = p.scalar(c.Value, "target.cluster"); err != nil {
			return nil, err
		}
	case i == nil:
		return nil, p.errAt(tn.Value, "target: missing instance (or cluster)")
	default:
		if s.Target.Instance, err = p.scalar(i.Value, "target.instance"); err != nil {
			return nil, err
		}
	}
	if n := top["probes"]; n != nil {
		if s.Probes, err = p.probes(n.Value); err != nil {
			return nil, err
		}
	}
	sn := top["steps"]
	if sn == nil {
		return nil, p.errAt(body, "missing steps")
	}
	if s.Steps, err = p.steps(sn.Value, s.Probes); err != nil {
		return nil, err
	}
	if n := top["rollback"]; n != nil {
		v, err := p.scalar(n.Value, "rollback")
		if err != nil {
			return nil, err
		}
		switch v {
		case "true":
			s.Rollback = true
		case "false":
		default:
			return nil, p.errAt(n.Value, "rollback: want true or false, not %q", v)
		}
	}
	return s, nil
}

func (p *scenarioParser) probes(n ast.Node) ([]ProbeSpec, error) {
	seq, err := p.sequence(n, "probes")
	if err != nil {
		return nil, err
	}
	var out []ProbeSpec
	seen := map[string]int{DatabaseProbe: 0}
	for _, item := range seq {
		kind, body, err := p.single(item, "a probe", []string{KindHTTP, KindTCP, KindCommand}, "probe kind")
		if err != nil {
			return nil, err
		}
		ps := ProbeSpec{Kind: kind, Line: line(item), Timeout: DefaultProbeTimeout, Interval: DefaultProbeInterval}
		var allowed []string
		switch kind {
		case KindHTTP:
			allowed = []string{"name", "url", "expect_status", "timeout", "interval"}
		case KindTCP:
			allowed = []string{"name", "address", "timeout", "interval"}
		case KindCommand:
			allowed = []string{"name", "run", "timeout", "interval"}
		}
		f, err := p.fields(body, kind+" probe", allowed...)
		if err != nil {
			return nil, err
		}
		if ps.Name, err = p.required(f, body, kind+" probe", "name"); err != nil {
			return nil, err
		}
		if first, dup := seen[ps.Name]; dup {
			if first == 0 {
				return nil, p.errAt(f["name"].Value, "probe name %q is reserved for the built-in database probe", ps.Name)
			}
			return nil, p.errAt(f["name"].Value, "duplicate probe name %q (first at line %d)", ps.Name, first)
		}
		seen[ps.Name] = ps.Line
		what := "probe " + ps.Name
		switch kind {
		case KindHTTP:
			if ps.URL, err = p.required(f, body, what, "url"); err != nil {
				return nil, err
			}
			if !strings.HasPrefix(ps.URL, "http://") && !strings.HasPrefix(ps.URL, "https://") {
				return nil, p.errAt(f["url"].Value, "%s: url %q: want http:// or https://", what, ps.URL)
			}
			ps.ExpectStatus = 200
			if n := f["expect_status"]; n != nil {
				v, err := p.integer(n.Value, what+": expect_status")
				if err != nil {
					return nil, err
				}
				if v < 100 || v > 599 {
					return nil, p.errAt(n.Value, "%s: expect_status %d: want an HTTP status 100-599", what, v)
				}
				ps.ExpectStatus = v
			}
		case KindTCP:
			if ps.Address, err = p.required(f, body, what, "address"); err != nil {
				return nil, err
			}
			if _, _, ok := strings.Cut(ps.Address, ":"); !ok {
				return nil, p.errAt(f["address"].Value, "%s: address %q: want host:port", what, ps.Address)
			}
		case KindCommand:
			if ps.Run, err = p.required(f, body, what, "run"); err != nil {
				return nil, err
			}
		}
		if n := f["timeout"]; n != nil {
			if ps.Timeout, err = p.duration(n.Value, what+": timeout"); err != nil {
				return nil, err
			}
		}
		if n := f["interval"]; n != nil {
			if ps.Interval, err = p.duration(n.Value, what+": interval"); err != nil {
				return nil, err
			}
			if ps.Interval < 10*time.Millisecond {
				return nil, p.errAt(n.Value, "%s: interval %s: at least 10ms", what, ps.Interval)
			}
		}
		out = append(out, ps)
	}
	return out, nil
}

func (p *scenarioParser) steps(n ast.Node, probes []ProbeSpec) ([]Step, error) {
	seq, err := p.sequence(n, "steps")
	if err != nil {
		return nil, err
	}
	if len(seq) == 0 {
		return nil, p.errAt(n, "steps: want at least one step")
	}
	names := []string{DatabaseProbe}
	for _, ps := range probes {
		names = append(names, ps.Name)
	}
	var out []Step
	for _, item := range seq {
		kind, body, err := p.single(item, "a step", stepKinds, "step")
		if err != nil {
			return nil, err
		}
		st := Step{Kind: kind, Line: line(item)}
		switch kind {
		case StepSet:
			f, err := p.fields(body, "set", "group", "parameters")
			if err != nil {
				return nil, err
			}
			if st.Group, err = p.optional(f, "set.group"); err != nil {
				return nil, err
			}
			if f["parameters"] == nil {
				return nil, p.errAt(body, "set: missing parameters")
			}
			if st.Params, err = p.params(f["parameters"].Value, "set.parameters"); err != nil {
				return nil, err
			}
		case StepReset:
			f, err := p.fields(body, "reset", "group", "parameters")
			if err != nil {
				return nil, err
			}
			if st.Group, err = p.optional(f, "reset.group"); err != nil {
				return nil, err
			}
			if f["parameters"] == nil {
				return nil, p.errAt(body, "reset: missing parameters (a list of names)")
			}
			ns, err := p.sequence(f["parameters"].Value, "reset.parameters")
			if err != nil {
				return nil, err
			}
			for _, x := range ns {
				v, err := p.scalar(x, "reset.parameters")
				if err != nil {
					return nil, err
				}
				st.Names = append(st.Names, v)
			}
			if len(st.Names) == 0 {
				return nil, p.errAt(f["parameters"].Value, "reset.parameters: name at least one parameter")
			}
		case StepReboot, StepFailover:
			f, err := p.fieldsOrNull(body, kind, "max_downtime")
			if err != nil {
				return nil, err
			}
			if n := f["max_downtime"]; n != nil {
				if st.MaxDowntime, err = p.duration(n.Value, kind+".max_downtime"); err != nil {
					return nil, err
				}
			}
		case StepVerify:
			f, err := p.fields(body, "verify", "expect")
			if err != nil {
				return nil, err
			}
			if f["expect"] == nil {
				return nil, p.errAt(body, "verify: missing expect")
			}
			if st.Expect, err = p.params(f["expect"].Value, "verify.expect"); err != nil {
				return nil, err
			}
		case StepWait:
			f, err := p.fields(body, "wait", "for", "timeout")
			if err != nil {
				return nil, err
			}
			if st.For, err = p.required(f, body, "wait", "for"); err != nil {
				return nil, err
			}
			if st.For != WaitAvailable && st.For != WaitInSync {
				return nil, p.errAt(f["for"].Value, "wait.for: unknown condition %q (want available or in-sync)", st.For)
			}
			st.Timeout = DefaultWaitTimeout
			if n := f["timeout"]; n != nil {
				if st.Timeout, err = p.duration(n.Value, "wait.timeout"); err != nil {
					return nil, err
				}
			}
		case StepSleep:
			if _, isMap := yamldoc.Unwrap(body).(*ast.MappingNode); isMap {
				f, err := p.fields(body, "sleep", "duration")
				if err != nil {
					return nil, err
				}
				if f["duration"] == nil {
					return nil, p.errAt(body, "sleep: missing duration")
				}
				body = f["duration"].Value
			}
			if st.Duration, err = p.duration(body, "sleep"); err != nil {
				return nil, err
			}
		case StepRun:
			st.Timeout = DefaultRunTimeout
			switch yamldoc.Unwrap(body).(type) {
			case *ast.MappingNode, *ast.MappingValueNode:
				f, err := p.fields(body, "run", "command", "timeout", "name")
				if err != nil {
					return nil, err
				}
				if n := f["name"]; n != nil {
					if st.Label, err = p.scalar(n.Value, "run.name"); err != nil {
						return nil, err
					}
				}
				if st.Command, err = p.required(f, body, "run", "command"); err != nil {
					return nil, err
				}
				if n := f["timeout"]; n != nil {
					if st.Timeout, err = p.duration(n.Value, "run.timeout"); err != nil {
						return nil, err
					}
				}
			default:
				if st.Command, err = p.scalar(body, "run"); err != nil {
					return nil, err
				}
			}
		case StepAssert:
			a, err := p.assertion(body, names)
			if err != nil {
				return nil, err
			}
			st.Assert = a
		}
		out = append(out, st)
	}
	return out, nil
}

func (p *scenarioParser) assertion(body ast.Node, probes []string) (*Assertion, error) {
	f, err := p.fields(body, "assert", "probe", "downtime_seconds", "recovered_within", "error_classes", "max_consecutive_failures")
	if err != nil {
		return nil, err
	}
	a := &Assertion{}
	if a.Probe, err = p.required(f, body, "assert", "probe"); err != nil {
		return nil, err
	}
	if !slices.Contains(probes, a.Probe) {
		return nil, p.errAt(f["probe"].Value, "assert: unknown probe %q (want one of %s)", a.Probe, strings.Join(probes, ", "))
	}
	checks := 0
	if n := f["downtime_seconds"]; n != nil {
		df, err := p.fields(n.Value, "assert.downtime_seconds", "max")
		if err != nil {
			return nil, err
		}
		if df["max"] == nil {
			return nil, p.errAt(n.Value, "assert.downtime_seconds: missing max")
		}
		s, err := p.scalar(df["max"].Value, "assert.downtime_seconds.max")
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, p.errAt(df["max"].Value, "assert.downtime_seconds.max: %q is not a number of seconds", s)
		}
		a.DowntimeMax = &v
		checks++
	}
	if n := f["recovered_within"]; n != nil {
		d, err := p.duration(n.Value, "assert.recovered_within")
		if err != nil {
			return nil, err
		}
		if a.Probe == DatabaseProbe {
			return nil, p.errAt(n.Key, "assert.recovered_within measures a probe against the database; name an application probe")
		}
		a.RecoveredWithin = &d
		checks++
	}
	if n := f["error_classes"]; n != nil {
		mvs, err := p.mapping(n.Value, "assert.error_classes")
		if err != nil {
			return nil, err
		}
		a.ErrorClasses = map[string]int{}
		for _, mv := range mvs {
			k, err := p.scalar(mv.Key, "assert.error_classes key")
			if err != nil {
				return nil, err
			}
			if !knownClass(k) {
				return nil, p.errAt(mv.Key, "assert.error_classes: unknown class %q (want one of %s)", k, strings.Join(AllClasses(), ", "))
			}
			v, err := p.integer(mv.Value, "assert.error_classes."+k)
			if err != nil {
				return nil, err
			}
			a.ErrorClasses[k] = v
		}
		checks++
	}
	if n := f["max_consecutive_failures"]; n != nil {
		v, err := p.integer(n.Value, "assert.max_consecutive_failures")
		if err != nil {
			return nil, err
		}
		a.MaxConsecutiveFailures = &v
		checks++
	}
	if checks == 0 {
		return nil, p.errAt(body, "assert: nothing to check (want downtime_seconds, recovered_within, error_classes or max_consecutive_failures)")
	}
	return a, nil
}

// single reads a one-key mapping such as `- set: {...}` or `- http: {...}`
// and returns the key, which must be one of kinds, and its value.
func (p *scenarioParser) single(n ast.Node, what string, kinds []string, noun string) (string, ast.Node, error) {
	mvs, err := p.mapping(n, what)
	if err != nil {
		return "", nil, err
	}
	if len(mvs) != 1 {
		return "", nil, p.errAt(n, "%s: want exactly one key, the %s (one of %s)", what, noun, strings.Join(kinds, ", "))
	}
	k, err := p.scalar(mvs[0].Key, noun)
	if err != nil {
		return "", nil, err
	}
	if !slices.Contains(kinds, k) {
		return "", nil, p.errAt(mvs[0].Key, "unknown %s %q (want one of %s)", noun, k, strings.Join(kinds, ", "))
	}
	return k, mvs[0].Value, nil
}

// fields reads a mapping whose keys must be among allowed, each once.
func (p *scenarioParser) fields(n ast.Node, what string, allowed ...string) (map[string]*ast.MappingValueNode, error) {
	mvs, err := p.mapping(n, what)
	if err != nil {
		return nil, err
	}
	out := map[string]*ast.MappingValueNode{}
	for _, mv := range mvs {
		k, err := p.scalar(mv.Key, what+" key")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(allowed, k) {
			return nil, p.errAt(mv.Key, "%s: unknown key %q (want %s)", what, k, strings.Join(allowed, ", "))
		}
		if _, dup := out[k]; dup {
			return nil, p.errAt(mv.Key, "%s: %s given twice", what, k)
		}
		out[k] = mv
	}
	return out, nil
}

// fieldsOrNull is fields for steps that may also be written bare
// (`- reboot:` or `- reboot: {}`).
func (p *scenarioParser) fieldsOrNull(n ast.Node, what string, allowed ...string) (map[string]*ast.MappingValueNode, error) {
	if _, null := yamldoc.Unwrap(n).(*ast.NullNode); null || n == nil {
		return map[string]*ast.MappingValueNode{}, nil
	}
	return p.fields(n, what, allowed...)
}

func (p *scenarioParser) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, error) {
	switch m := yamldoc.Unwrap(n).(type) {
	case *ast.MappingNode:
		return m.Values, nil
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, nil
	case *ast.AliasNode:
		return nil, p.errAt(n, "%s: aliases are not supported", what)
	}
	return nil, p.errAt(n, "%s: want a mapping of key: value", what)
}

func (p *scenarioParser) sequence(n ast.Node, what string) ([]ast.Node, error) {
	switch s := yamldoc.Unwrap(n).(type) {
	case *ast.SequenceNode:
		return s.Values, nil
	case *ast.NullNode:
		return nil, nil
	}
	return nil, p.errAt(n, "%s: want a list", what)
}

// params reads a mapping of parameter names to scalar values, in order.
func (p *scenarioParser) params(n ast.Node, what string) ([]Param, error) {
	mvs, err := p.mapping(n, what)
	if err != nil {
		return nil, err
	}
	var out []Param
	seen := map[string]bool{}
	for _, mv := range mvs {
		k, err := p.scalar(mv.Key, what+" name")
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(k)] {
			return nil, p.errAt(mv.Key, "%s: %s given twice", what, k)
		}
		seen[strings.ToLower(k)] = true
		v, err := p.scalar(mv.Value, what+"."+k)
		if err != nil {
			return nil, err
		}
		out = append(out, Param{Name: k, Value: v})
	}
	if len(out) == 0 {
		return nil, p.errAt(n, "%s: name at least one parameter", what)
	}
	return out, nil
}

func (p *scenarioParser) required(f map[string]*ast.MappingValueNode, parent ast.Node, what, key string) (string, error) {
	n := f[key]
	if n == nil {
		return "", p.errAt(parent, "%s: missing %s", what, key)
	}
	v, err := p.scalar(n.Value, what+"."+key)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(v) == "" {
		return "", p.errAt(n.Value, "%s: %s is empty", what, key)
	}
	return v, nil
}

func (p *scenarioParser) optional(f map[string]*ast.MappingValueNode, what string) (string, error) {
	_, key, _ := strings.Cut(what, ".")
	n := f[key]
	if n == nil {
		return "", nil
	}
	return p.scalar(n.Value, what)
}

// scalar returns a scalar's text as written, so YAML's typing never
// changes a parameter value (0300 stays 0300).
func (p *scenarioParser) scalar(n ast.Node, what string) (string, error) {
	switch s := yamldoc.Unwrap(n).(type) {
	case *ast.StringNode:
		return s.Value, nil
	case *ast.LiteralNode:
		if s.Value != nil {
			return s.Value.Value, nil
		}
		return "", nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return s.GetToken().Value, nil
	case *ast.NullNode, nil:
		return "", p.errAt(n, "%s: no value", what)
	case *ast.AliasNode:
		return "", p.errAt(n, "%s: aliases are not supported", what)
	}
	return "", p.errAt(n, "%s: want a single value, not a list or mapping", what)
}

func (p *scenarioParser) duration(n ast.Node, what string) (time.Duration, error) {
	s, err := p.scalar(n, what)
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, p.errAt(n, "%s: bad duration %q (want Go syntax such as 250ms, 30s, 2m)", what, s)
	}
	if d <= 0 {
		return 0, p.errAt(n, "%s: duration %q must be positive", what, s)
	}
	return d, nil
}

func (p *scenarioParser) integer(n ast.Node, what string) (int, error) {
	s, err := p.scalar(n, what)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, p.errAt(n, "%s: %q is not a whole number", what, s)
	}
	return v, nil
}

// ChangedParameters lists, per group ("" = the target's), every parameter
// a set or reset step touches: what rollback must restore.
func (s *Scenario) ChangedParameters() map[string][]string {
	out := map[string][]string{}
	for _, st := range s.Steps {
		switch st.Kind {
		case StepSet:
			for _, pr := range st.Params {
				out[st.Group] = appendNew(out[st.Group], pr.Name)
			}
		case StepReset:
			for _, n := range st.Names {
				out[st.Group] = appendNew(out[st.Group], n)
			}
		}
	}
	for g := range out {
		sort.Strings(out[g])
	}
	return out
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}
