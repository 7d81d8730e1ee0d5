// Package cli holds what every rdsctl command shares with the command layer
// in main: the error types that decide the process exit code, the one
// function that maps an error to that code, and the one function that
// turns an error into the message shown. Of rdsctl it imports only cloud,
// whose typed errors the mapping reads, so that ui and every command group
// can depend on it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/rdsctl/rdsctl/cloud"
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
// Findings win over everything; then the rule for RDS errors, the same in
// every command:
//
//   - a named thing that does not exist (DB instance, parameter group,
//     cluster) is a runtime failure, 1: the input was well-formed, the
//     world differs;
//   - input AWS refuses as invalid (InvalidParameterValue,
//     InvalidParameterCombination, MissingParameter) is a usage error, 2,
//     because nothing changed; unless something did (a change that stopped
//     part-way), which is 1.
//
// Then usage errors are 2 and everything else, an interrupted command
// (SIGINT/SIGTERM) included, is 1.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FindingsError
	if errors.As(err, &fe) {
		return ExitFindings
	}
	if cloud.IsNotFound(err) {
		return ExitFailure
	}
	var ue *UsageError
	if errors.As(err, &ue) || errors.Is(err, ErrCanceled) {
		return ExitUsage
	}
	if cloud.IsInvalidParameter(err) && !changed(err) {
		return ExitUsage
	}
	return ExitFailure
}

// changer is an error that knows whether the command had changed
// something before it failed (params.PartialError, params.ActionsError).
type changer interface{ Changed() bool }

// changed reports whether an error in err's chain says something changed.
func changed(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if c, ok := e.(changer); ok && c.Changed() {
			return true
		}
	}
	return false
}

// Message is err as the user reads it after "rdsctl: ", the one presenter
// of errors:
//
//   - a named thing that does not exist is always the same sentence,
//     `DB instance "x" not found`, whatever wrapped it on the way, unless
//     something had changed first (then the whole story is kept);
//   - an API error the cloud layer did not type yet shows as "Code:
//     message (request id R)" in place of the SDK's "operation error RDS:
//     ..., https response error StatusCode: ..." chain.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var nf *cloud.NotFoundError
	if errors.As(err, &nf) && !changed(err) {
		return nf.Error()
	}
	msg := err.Error()
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		if raw, shown := oe.Error(), cloud.Describe(oe); raw != shown {
			msg = strings.Replace(msg, raw, shown, 1)
		}
	}
	return msg
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
