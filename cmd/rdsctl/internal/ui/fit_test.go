package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// TestTableFitsTerminal: on a 70-column terminal a table with a long name
// and a long last column is cut to fit, the last column first, short
// columns whole, and no line is wider than the terminal.
func TestTableFitsTerminal(t *testing.T) {
	s, _, out, _ := Test()
	s.SetTTY(true)
	s.DisableColor()
	s.TerminalWidth = func() int { return 70 }
	tb := s.NewTable("NAME", "VALUE", "SOURCE", "ALLOWED VALUES")
	tb.AddRow("performance_schema_events_stages_history_long_size", "1024", "engine-default", strings.Repeat("a,", 40))
	tb.AddRow("wait_timeout", "300", "user", "1-31536000")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if w := lipgloss.Width(line); w > 70 {
			t.Errorf("line of %d columns on a 70-column terminal: %q", w, line)
		}
	}
	for _, want := range []string{"engine-default", "wait_timeout ", "performance_schema_events_stag…", "a,a,a,a,a,a,a…"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// Unknown width or piped: whole values.
	s, _, out, _ = Test()
	s.TerminalWidth = func() int { return 70 }
	tb = s.NewTable("NAME")
	tb.AddRow("performance_schema_events_stages_history_long_size")
	_ = tb.Render()
	if out.String() != "performance_schema_events_stages_history_long_size\n" {
		t.Errorf("piped output was cut: %q", out)
	}
}
