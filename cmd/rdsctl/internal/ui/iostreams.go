// Package ui is how rdsctl talks to the terminal: the process's streams and
// whether each is a TTY, colour, tables, key/value blocks, JSON and YAML, the
// confirmation prompt and stderr diagnostics. It is the only package that
// imports lipgloss, so the look of rdsctl is decided here and nowhere else.
package ui

import (
	"bytes"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"
)

// IOStreams are the streams a command reads and writes. Commands never touch
// os.Stdout directly, so that tests can run them against buffers with the
// TTY on or off and assert on the exact output.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	IsStdinTTY  bool
	IsStdoutTTY bool
	IsStderrTTY bool

	// ColorEnabled is whether Out gets ANSI colour. ErrOut gets colour when
	// this is set and IsStderrTTY.
	ColorEnabled bool

	// AssumeYes is the global --yes: Confirm proceeds without asking.
	AssumeYes bool

	// TerminalWidth is stdout's width in columns when it is a terminal,
	// 0 when unknown; tables on a TTY fit within it.
	TerminalWidth func() int
}

// System returns the process's streams. Colour is on only for a TTY, and
// never with NO_COLOR or TERM=dumb (see ColorAllowed); --no-color is applied
// later with DisableColor.
func System() *IOStreams {
	s := &IOStreams{
		In:          os.Stdin,
		Out:         os.Stdout,
		ErrOut:      os.Stderr,
		IsStdinTTY:  isTerminal(os.Stdin),
		IsStdoutTTY: isTerminal(os.Stdout),
		IsStderrTTY: isTerminal(os.Stderr),
	}
	s.ColorEnabled = s.IsStdoutTTY && ColorAllowed(os.Getenv)
	s.TerminalWidth = func() int {
		w, _, err := term.GetSize(os.Stdout.Fd())
		if err != nil {
			return 0
		}
		return w
	}
	return s
}

// Test returns streams backed by buffers, with every TTY flag off and no
// colour, plus the buffers for stdin, stdout and stderr. Tests flip SetTTY.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY marks all three streams as terminals (or not) and sets colour to
// match, as a real terminal without NO_COLOR would.
func (s *IOStreams) SetTTY(tty bool) {
	s.IsStdinTTY, s.IsStdoutTTY, s.IsStderrTTY = tty, tty, tty
	s.ColorEnabled = tty
}

// DisableColor turns colour off for both output streams (--no-color).
func (s *IOStreams) DisableColor() { s.ColorEnabled = false }

// ColorAllowed reports whether the environment permits colour at all:
// NO_COLOR (https://no-color.org: any non-empty value) and TERM=dumb forbid it.
func ColorAllowed(getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	return getenv("TERM") != "dumb"
}

func (s *IOStreams) errColor() bool { return s.ColorEnabled && s.IsStderrTTY }

func isTerminal(f *os.File) bool {
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
