package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
)

// Table collects rows and prints them the way gh does: on a TTY, aligned
// columns under a styled header; piped, one tab-separated line per row with
// no header and no colour, so that cut/awk/grep see only data.
type Table struct {
	s       *IOStreams
	headers []string
	rows    [][]string
}

// NewTable starts a table for Out with the given column headers.
func (s *IOStreams) NewTable(headers ...string) *Table {
	return &Table{s: s, headers: headers}
}

// AddRow appends a row; missing cells are blank, extra cells are kept.
func (t *Table) AddRow(cells ...string) {
	t.rows = append(t.rows, cells)
}

// Len is the number of rows added so far.
func (t *Table) Len() int { return len(t.rows) }

// Render writes the table to Out.
func (t *Table) Render() error {
	if !t.s.IsStdoutTTY {
		return t.renderPlain()
	}
	return t.renderTTY()
}

func (t *Table) renderPlain() error {
	var b strings.Builder
	for _, row := range t.rows {
		b.WriteString(strings.Join(row, "\t"))
		b.WriteByte('\n')
	}
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

func (t *Table) renderTTY() error {
	p := newPalette(t.s.Out, t.s.ColorEnabled)
	ncol := len(t.headers)
	for _, r := range t.rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return nil
	}
	headers := pad(t.headers, ncol)
	rows := make([][]string, len(t.rows))
	for i, r := range t.rows {
		rows[i] = pad(r, ncol)
	}
	head := p.style().Bold(true).Foreground(colorCyan)
	cell := p.style()
	tbl := table.New().
		Border(lipgloss.HiddenBorder()).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).BorderRow(false).
		Headers(headers...).
		Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			st := cell
			if row == table.HeaderRow {
				st = head
			}
			if col < ncol-1 {
				st = st.PaddingRight(2)
			}
			return st
		})
	var b strings.Builder
	for _, line := range strings.Split(tbl.Render(), "\n") {
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

func pad(cells []string, n int) []string {
	out := make([]string, n)
	copy(out, cells)
	return out
}
