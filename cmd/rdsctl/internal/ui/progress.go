package ui

import (
	"fmt"
)

// The diagnostic helpers write to ErrOut only, never to Out, so that
// `rdsctl ... -o json | jq` always gets clean data however chatty the
// command is. Markers are coloured only when stderr is a colour TTY.

// Infof writes a plain diagnostic line.
func (s *IOStreams) Infof(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, format+"\n", args...)
}

// Progressf announces a step that is starting ("• waiting for ...").
func (s *IOStreams) Progressf(format string, args ...any) {
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s\n", p.cyan("•"), fmt.Sprintf(format, args...))
}

// Successf reports a step that finished well ("✓ ...").
func (s *IOStreams) Successf(format string, args ...any) {
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s\n", p.green("✓"), fmt.Sprintf(format, args...))
}

// Warnf reports something the user should know that does not fail the
// command ("! ...").
func (s *IOStreams) Warnf(format string, args ...any) {
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s\n", p.yellow("!"), fmt.Sprintf(format, args...))
}

// Failf reports a step that failed ("✗ ..."), for commands that go on to
// the next step or summarise at the end.
func (s *IOStreams) Failf(format string, args ...any) {
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s\n", p.red("✗"), fmt.Sprintf(format, args...))
}

// ErrorLine is how Main prints a failed command's error: "rdsctl: <msg>",
// with "rdsctl:" in red on a colour TTY.
func (s *IOStreams) ErrorLine(msg string) {
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s\n", p.red("rdsctl:"), msg)
}
