// Package cli holds what every rdsctl command shares with the command layer
// in main: the error types that decide the process exit code, and the one
// function that maps an error to that code. It imports nothing from rdsctl so
// that ui and every command group can depend on it.
package cli

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes are the contract with scripts and CI (see DESIGN.md): CI jobs
// branch on 3 versus 1, so each code has exactly one meaning.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // runtime failure: API, network, database
	ExitUsage    = 2 // usage or invalid input, rejected before anything changed
	ExitFindings = 3 // findings: drift, policy violations, failed assertions
)

// UsageError marks input rejected before anything changed: bad flags or
// arguments, an unknown command, a destructive command refused off a TTY.
// It exits 2 and the message is followed by a --help hint.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message; %w verbs wrap.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Usage marks err as a usage error, keeping it for errors.Is/As; nil stays nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return err
	}
	return &UsageError{Err: err}
}

// FindingsError reports that a command ran fine and found problems (drift,
// policy violations, failed assertions). It exits 3 so that CI can tell a
// finding from a failure to look.
type FindingsError struct {
	// Count is how many findings there were; 0 when not counted.
	Count int
	// Err describes them in one line, printed as "rdsctl: <Err>".
	Err error
}

func (e *FindingsError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	if e.Count == 1 {
		return "1 finding"
	}
	return fmt.Sprintf("%d findings", e.Count)
}

func (e *FindingsError) Unwrap() error { return e.Err }

// Findings returns a FindingsError for count findings with a formatted summary.
func Findings(count int, format string, args ...any) error {
	return &FindingsError{Count: count, Err: fmt.Errorf(format, args...)}
}

// SilentError carries an exit code for an error the command has already
// shown the user (a findings report, a failed step's detail), so that
// Main does not print it a second time.
type SilentError struct{ Err error }

func (e *SilentError) Error() string { return e.Err.Error() }
func (e *SilentError) Unwrap() error { return e.Err }

// Silent wraps err so that it sets the exit code without being printed; nil
// stays nil.
func Silent(err error) error {
	if err == nil {
		return nil
	}
	return &SilentError{Err: err}
}

// ErrCanceled is returned when the user declines a confirmation prompt:
// nothing changed, so it exits like a usage error, without a hint.
var ErrCanceled = errors.New("canceled")

// ExitCode is the single mapping from an error to the process exit code.
// Findings win over usage, usage over everything else; an interrupted
// command (SIGINT/SIGTERM) is a runtime failure.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FindingsError
	if errors.As(err, &fe) {
		return ExitFindings
	}
	var ue *UsageError
	if errors.As(err, &ue) || errors.Is(err, ErrCanceled) {
		return ExitUsage
	}
	return ExitFailure
}

// IsSilent reports whether err has already been shown to the user.
func IsSilent(err error) bool {
	var se *SilentError
	return errors.As(err, &se)
}

// IsUsage reports whether err is a usage error, which earns a --help hint.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// IsInterrupted reports whether err comes from the command's context being
// canceled, which happens on SIGINT/SIGTERM.
func IsInterrupted(err error) bool {
	return errors.Is(err, context.Canceled)
}
