package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/rdsctl/rdsctl/cloud"
)

func TestExitCode(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain", base, ExitFailure},
		{"wrapped plain", fmt.Errorf("modifying parameter group (x): %w", base), ExitFailure},
		{"usage", Usagef("bad flag %q", "x"), ExitUsage},
		{"usage wrapped", fmt.Errorf("ctx: %w", Usage(base)), ExitUsage},
		{"canceled prompt", ErrCanceled, ExitUsage},
		{"findings", Findings(2, "2 parameters drifted"), ExitFindings},
		{"findings wrapped", fmt.Errorf("verify: %w", &FindingsError{Count: 1}), ExitFindings},
		{"silent findings", Silent(Findings(1, "drift")), ExitFindings},
		{"silent usage", Silent(Usage(base)), ExitUsage},
		{"silent failure", Silent(base), ExitFailure},
		{"interrupted", fmt.Errorf("waiting: %w", context.Canceled), ExitFailure},
		{"findings beat usage", Usage(Findings(1, "x")), ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestUsageKeepsChain(t *testing.T) {
	base := errors.New("boom")
	err := Usage(base)
	if !errors.Is(err, base) {
		t.Error("Usage lost the wrapped error")
	}
	if err.Error() != "boom" {
		t.Errorf("Usage changed the message: %q", err)
	}
	if Usage(err) != err {
		t.Error("Usage re-wrapped a usage error")
	}
	if Usage(nil) != nil || Silent(nil) != nil {
		t.Error("nil must stay nil")
	}
}

func TestFindingsMessage(t *testing.T) {
	tests := []struct {
		err  *FindingsError
		want string
	}{
		{&FindingsError{Count: 1}, "1 finding"},
		{&FindingsError{Count: 3}, "3 findings"},
		{&FindingsError{Count: 3, Err: errors.New("3 policy violations")}, "3 policy violations"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestPredicates(t *testing.T) {
	if !IsSilent(fmt.Errorf("x: %w", Silent(errors.New("y")))) {
		t.Error("IsSilent through wrapping")
	}
	if IsSilent(errors.New("y")) {
		t.Error("IsSilent on a plain error")
	}
	if !IsUsage(Usagef("x")) || IsUsage(errors.New("x")) {
		t.Error("IsUsage")
	}
	if !IsInterrupted(fmt.Errorf("x: %w", context.Canceled)) || IsInterrupted(context.DeadlineExceeded) {
		t.Error("IsInterrupted")
	}
}

// partial stands for params.PartialError: a change that stopped part-way.
type partial struct {
	landed bool
	err    error
}

func (p *partial) Error() string { return "stopped: " + p.err.Error() }
func (p *partial) Unwrap() error { return p.err }
func (p *partial) Changed() bool { return p.landed }

// TestRDSErrorRule pins the one rule for RDS errors: a missing named thing
// exits 1 in one sentence, input AWS refuses exits 2 unless something had
// changed, and raw SDK chains are not shown.
func TestRDSErrorRule(t *testing.T) {
	sdk := func(code, msg string) error {
		return &smithy.OperationError{ServiceID: "RDS", OperationName: "ModifyDBInstance",
			Err: fmt.Errorf("https response error StatusCode: 400, RequestID: r1, %w", &smithy.GenericAPIError{Code: code, Message: msg})}
	}
	nf := &cloud.NotFoundError{Kind: cloud.KindInstance, Name: "db", Err: sdk("DBInstanceNotFound", "DBInstance db not found.")}
	invalid := sdk("InvalidParameterValue", "bad value")
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"not found", nf, ExitFailure, `DB instance "db" not found`},
		{"not found wrapped twice", fmt.Errorf("verifying (db): %w", fmt.Errorf("finding: %w", nf)), ExitFailure, `DB instance "db" not found`},
		{"not found as usage", Usage(nf), ExitFailure, `DB instance "db" not found`},
		{"raw not found code", fmt.Errorf("x: %w", sdk("DBParameterGroupNotFound", "gone")), ExitFailure, "x: DBParameterGroupNotFound: gone"},
		{"invalid", fmt.Errorf("modifying (g): %w", invalid), ExitUsage, "modifying (g): InvalidParameterValue: bad value"},
		{"invalid typed", &cloud.OpError{Op: "modifying (g)", Err: invalid}, ExitUsage, "modifying (g): InvalidParameterValue: bad value"},
		{"invalid after a change", &partial{landed: true, err: invalid}, ExitFailure, "stopped: InvalidParameterValue: bad value"},
		{"invalid, nothing landed", &partial{err: invalid}, ExitUsage, "stopped: InvalidParameterValue: bad value"},
		{"not found after a change", &partial{landed: true, err: nf}, ExitFailure, `stopped: DB instance "db" not found`},
		{"missing parameter", sdk("MissingParameter", "m"), ExitUsage, "MissingParameter: m"},
		{"combination", sdk("InvalidParameterCombination", "c"), ExitUsage, "InvalidParameterCombination: c"},
		{"state", sdk("InvalidDBInstanceState", "busy"), ExitFailure, "InvalidDBInstanceState: busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.code {
				t.Errorf("ExitCode = %d, want %d", got, tt.code)
			}
			if got := Message(tt.err); got != tt.msg {
				t.Errorf("Message = %q, want %q", got, tt.msg)
			}
		})
	}
}
