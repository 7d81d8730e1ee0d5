package params_test

import (
	"errors"
	"testing"

	"github.com/rdsctl/rdsctl/params"
)

// TestChanged pins what the exit code reads: a refused input exits 2 only
// when nothing changed, so a partial apply must say when something did.
func TestChanged(t *testing.T) {
	boom := errors.New("boom")
	one := []params.Chunk{{}}
	tests := []struct {
		name string
		err  interface{ Changed() bool }
		want bool
	}{
		{"nothing landed", &params.PartialError{Err: boom}, false},
		{"a chunk landed", &params.PartialError{Landed: one, Err: boom}, true},
		{"no answer", &params.PartialError{Uncertain: true, Err: boom}, true},
		{"first action", &params.ActionsError{Index: 0, Err: &params.PartialError{Err: boom}}, false},
		{"first action, part landed", &params.ActionsError{Index: 0, Err: &params.PartialError{Landed: one, Err: boom}}, true},
		{"second action", &params.ActionsError{Index: 1, Err: boom}, true},
	}
	for _, tt := range tests {
		if got := tt.err.Changed(); got != tt.want {
			t.Errorf("%s: Changed() = %v, want %v", tt.name, got, tt.want)
		}
	}
	ae := &params.ActionsError{Index: 1, Total: 3, Kind: params.FileChange, Group: "g", Err: boom}
	if got, want := ae.Error(), "action 2 of 3 (change g) failed, 1 completed: boom"; got != want || !errors.Is(ae, boom) {
		t.Errorf("ActionsError = %q, want %q", got, want)
	}
}
