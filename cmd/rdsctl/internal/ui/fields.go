package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Field is one line of a key/value block.
type Field struct {
	Key   string
	Value string
}

// F is shorthand for a Field with a formatted value.
func F(key string, value any) Field {
	return Field{Key: key, Value: fmt.Sprint(value)}
}

// PrintFields writes a key/value block to Out. On a TTY the keys are dimmed
// and the values aligned; piped, each line is "key:\tvalue", which grep and
// cut handle without guessing at column widths.
func (s *IOStreams) PrintFields(fields ...Field) error {
	var b strings.Builder
	if !s.IsStdoutTTY {
		for _, f := range fields {
			fmt.Fprintf(&b, "%s:\t%s\n", f.Key, f.Value)
		}
		_, err := fmt.Fprint(s.Out, b.String())
		return err
	}
	p := newPalette(s.Out, s.ColorEnabled)
	width := 0
	for _, f := range fields {
		width = max(width, lipgloss.Width(f.Key)+1)
	}
	for _, f := range fields {
		key := f.Key + ":"
		fmt.Fprintf(&b, "%s%s  %s\n", p.key(key), strings.Repeat(" ", width-lipgloss.Width(key)), f.Value)
	}
	_, err := fmt.Fprint(s.Out, b.String())
	return err
}

// Heading writes a section title to Out, preceded by a blank line: bold on
// a colour TTY, plain otherwise.
func (s *IOStreams) Heading(title string) error {
	p := newPalette(s.Out, s.ColorEnabled)
	_, err := fmt.Fprintf(s.Out, "\n%s\n", p.bold(title))
	return err
}
