package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"
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
