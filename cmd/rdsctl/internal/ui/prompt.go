package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
)

// Confirm asks before a destructive action (reboot, failover, reset,
// delete, gameday run). action completes "refusing to ..." and "...?", e.g.
// "reboot staging-db". With --yes it proceeds silently; off a TTY without
// --yes it refuses with a usage error (exit 2), because a script that hangs
// on a prompt nobody sees is worse than one that fails. A "no" returns
// cli.ErrCanceled.
func (s *IOStreams) Confirm(action string) error {
	if s.AssumeYes {
		return nil
	}
	if !s.IsStdinTTY {
		return cli.Usagef("refusing to %s without --yes when stdin is not a terminal", action)
	}
	p := newPalette(s.ErrOut, s.errColor())
	fmt.Fprintf(s.ErrOut, "%s %s? [y/N] ", p.yellow("?"), capitalize(action))
	answer, err := readLine(s.In)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	if errors.Is(err, io.EOF) {
		fmt.Fprintln(s.ErrOut)
	}
	return cli.ErrCanceled
}

// readLine reads up to a newline one byte at a time, so that nothing after
// the answer is swallowed by a buffer (a later prompt, or piped data).
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
