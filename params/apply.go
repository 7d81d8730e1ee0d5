package params

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// ParameterWriter is what Apply needs: change or reset some parameters of
// one group, in one call, for the kind of group cluster says.
// cloud.GroupWriter implements it over RDS; the lab is the test double.
type ParameterWriter interface {
	ModifyParameters(ctx context.Context, group string, cluster bool, ps []types.Parameter) error
	ResetParameters(ctx context.Context, group string, cluster bool, ps []types.Parameter) error
}

// GroupWriter adds the create ApplyActions needs for a desired-state file
// that names a group that does not exist yet.
type GroupWriter interface {
	ParameterWriter
	CreateGroup(ctx context.Context, name, family, description string, cluster bool) error
}

// ApplyOption tunes Apply and ApplyActions.
type ApplyOption func(*applyConfig)

type applyConfig struct {
	afterChunk func(ctx context.Context, p *Plan, index int)
}

// AfterChunk calls f after chunk index of p has landed and before the next
// one is sent: for progress output, and for tests that need to act between
// two calls (deleting the group to provoke a real partial failure).
func AfterChunk(f func(ctx context.Context, p *Plan, index int)) ApplyOption {
	return func(c *applyConfig) { c.afterChunk = f }
}

// PartialError reports a plan that stopped part-way: which chunks landed
// and which did not. Re-running the same request converges, because the
// landed changes are then no-ops and are skipped.
type PartialError struct {
	Group   string `json:"group"`
	Cluster bool   `json:"cluster"`
	Action  Action `json:"action"`
	Total   int    `json:"total_chunks"`
	// Landed are the chunks RDS acknowledged, in order; possibly none.
	Landed []Chunk `json:"landed"`
	// Failed is the index in the plan of the chunk whose call failed, or
	// -1 when the context ended between chunks and nothing was in flight.
	Failed int `json:"failed"`
	// NotApplied are the chunks from Failed (or the first unsent one) on.
	NotApplied []Chunk `json:"not_applied"`
	// Uncertain is set when the failed call got no answer from RDS (network
	// error, cancelled in flight): that chunk may have landed after all.
	// When RDS refused the call, nothing in it changed.
	Uncertain bool  `json:"uncertain"`
	Err       error `json:"-"`
}

func (e *PartialError) Error() string {
	var b strings.Builder
	b.WriteString(e.verb() + " (" + e.Group + "): ")
	switch {
	case e.Failed < 0:
		fmt.Fprintf(&b, "stopped before chunk %d of %d", len(e.Landed)+1, e.Total)
	case e.Uncertain:
		fmt.Fprintf(&b, "chunk %d of %d failed and may or may not have landed", e.Failed+1, e.Total)
	default:
		fmt.Fprintf(&b, "chunk %d of %d failed", e.Failed+1, e.Total)
	}
	if len(e.Landed) == 0 {
		b.WriteString("; nothing landed")
	} else {
		b.WriteString("; landed: " + describeChunks(e.Landed, 0))
	}
	if len(e.NotApplied) > 0 {
		b.WriteString("; not applied: " + describeChunks(e.NotApplied, len(e.Landed)))
	}
	b.WriteString("; re-run to finish: " + e.Err.Error())
	return b.String()
}

// Unwrap exposes the cause, so cloud.IsNotFound and context.Canceled
// checks still work.
func (e *PartialError) Unwrap() error { return e.Err }

// Changed reports whether the group may have changed: a chunk landed, or
// the failed one got no answer. The command layer's exit code needs it:
// input AWS refused exits 2 only when nothing changed.
func (e *PartialError) Changed() bool { return len(e.Landed) > 0 || e.Uncertain }

func (e *PartialError) verb() string {
	kind := "parameter group"
	if e.Cluster {
		kind = "cluster parameter group"
	}
	if e.Action == ActionReset {
		return "resetting " + kind
	}
	return "modifying " + kind
}

func describeChunks(cs []Chunk, first int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("chunk %d [%s]", first+i+1, strings.Join(c.Names(), " "))
	}
	return strings.Join(parts, ", ")
}

// Apply sends p's chunks in order, one ModifyParameters or ResetParameters
// call each. It checks ctx between chunks
// and never starts a chunk once ctx is done. Any failure, including
// cancellation, is a *PartialError that says exactly what landed.
func Apply(ctx context.Context, api ParameterWriter, p *Plan, opts ...ApplyOption) error {
	var cfg applyConfig
	for _, o := range opts {
		o(&cfg)
	}
	return applyPlan(ctx, api, p, cfg)
}

func applyPlan(ctx context.Context, api ParameterWriter, p *Plan, cfg applyConfig) error {
	if p.Empty() {
		return nil
	}
	fail := func(i int, uncertain bool, err error) error {
		return &PartialError{Group: p.Group, Cluster: p.Cluster, Action: p.Action, Total: len(p.Chunks),
			Landed: p.Chunks[:i:i], Failed: i, NotApplied: p.Chunks[i:], Uncertain: uncertain, Err: err}
	}
	for i, c := range p.Chunks {
		if err := ctx.Err(); err != nil {
			pe := fail(i, false, err).(*PartialError)
			pe.Failed = -1
			return pe
		}
		if err := sendChunk(ctx, api, p, c); err != nil {
			var ae smithy.APIError
			return fail(i, !errors.As(err, &ae), err)
		}
		if cfg.afterChunk != nil {
			cfg.afterChunk(ctx, p, i)
		}
	}
	return nil
}

func sendChunk(ctx context.Context, api ParameterWriter, p *Plan, c Chunk) error {
	ps := make([]types.Parameter, len(c.Changes))
	for i, ch := range c.Changes {
		ps[i] = types.Parameter{ParameterName: aws.String(ch.Name), ApplyMethod: ch.ApplyMethod}
		if p.Action == ActionModify {
			ps[i].ParameterValue = aws.String(ch.Value)
		}
	}
	if p.Action == ActionReset {
		return api.ResetParameters(ctx, p.Group, p.Cluster, ps)
	}
	return api.ModifyParameters(ctx, p.Group, p.Cluster, ps)
}

// ApplyActions carries out a PlanFile result in order: it creates missing
// groups, then sends each change and reset plan with Apply. It stops at the
// first failure; the error wraps Apply's *PartialError where there is one,
// and says which actions had completed. Re-running PlanFile and
// ApplyActions converges.
func ApplyActions(ctx context.Context, api GroupWriter, actions []FileAction, opts ...ApplyOption) error {
	var cfg applyConfig
	for _, o := range opts {
		o(&cfg)
	}
	for i, a := range actions {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before action %d of %d (%s %s), %d completed: %w", i+1, len(actions), a.Kind, a.Group, i, err)
		}
		var err error
		switch a.Kind {
		case FileCreate:
			err = createGroup(ctx, api, a)
		case FileChange, FileReset:
			err = applyPlan(ctx, api, a.Plan, cfg)
		default:
			err = fmt.Errorf("unknown action kind %q", a.Kind)
		}
		if err != nil {
			return &ActionsError{Index: i, Total: len(actions), Kind: a.Kind, Group: a.Group, Err: err}
		}
	}
	return nil
}

// ActionsError reports an ApplyActions run that stopped at a failed
// action: actions before Index completed, none after it was started.
type ActionsError struct {
	Index int // of the failed action, from 0: also how many completed
	Total int
	Kind  FileActionKind
	Group string
	Err   error // the cause; a *PartialError for a change or reset
}

func (e *ActionsError) Error() string {
	return fmt.Sprintf("action %d of %d (%s %s) failed, %d completed: %v", e.Index+1, e.Total, e.Kind, e.Group, e.Index, e.Err)
}

func (e *ActionsError) Unwrap() error { return e.Err }

// Changed reports whether anything may have changed: an earlier action
// completed, or the failed one changed part of its group.
func (e *ActionsError) Changed() bool {
	var pe *PartialError
	return e.Index > 0 || errors.As(e.Err, &pe) && pe.Changed()
}

func createGroup(ctx context.Context, api GroupWriter, a FileAction) error {
	desc := a.Description
	if desc == "" {
		desc = a.Group // RDS requires a description
	}
	return api.CreateGroup(ctx, a.Group, a.Family, desc, a.Cluster)
}
