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
	if t.s.TerminalWidth != nil {
		fit(headers, rows, t.s.TerminalWidth())
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

// Fitting a table to the terminal: a column no wider than keepColumn
// (a status, a type, yes/no) is never cut; others are shrunk to no less
// than minColumn, and the first (the name a row is about) to no less than
// minFirstColumn.
const (
	keepColumn     = 16
	minColumn      = 8
	minFirstColumn = 24
)

// fit shortens cells, marking each cut with "…", until the table is no
// wider than width (0: unknown, left alone), so that no row wraps on a
// terminal: the last column first (allowed values, descriptions), then the
// widest. Headers, and cells with colour codes, are never cut; piped output
// and JSON keep every value whole.
func fit(headers []string, rows [][]string, width int) {
	if width <= 0 {
		return
	}
	ncol := len(headers)
	widths := make([]int, ncol)
	floor := make([]int, ncol) // what may not be cut
	for c, h := range headers {
		widths[c], floor[c] = lipgloss.Width(h), max(lipgloss.Width(h), minColumn)
	}
	floor[0] = max(floor[0], minFirstColumn)
	for _, r := range rows {
		for c, cell := range r {
			w := lipgloss.Width(cell)
			widths[c] = max(widths[c], w)
			if strings.Contains(cell, "\x1b") {
				floor[c] = max(floor[c], w)
			}
		}
	}
	for c, w := range widths {
		if w <= keepColumn {
			floor[c] = w
		}
	}
	total := func() int {
		n := 2 * (ncol - 1)
		for _, w := range widths {
			n += w
		}
		return n
	}
	last := ncol - 1
	for total() > width && widths[last] > floor[last] {
		widths[last]--
	}
	for total() > width {
		widest := -1
		for c := range widths {
			if widths[c] > floor[c] && (widest < 0 || widths[c] > widths[widest]) {
				widest = c
			}
		}
		if widest < 0 {
			break // nothing left to cut: as narrow as it goes
		}
		widths[widest]--
	}
	for _, r := range rows {
		for c, cell := range r {
			if lipgloss.Width(cell) > widths[c] && !strings.Contains(cell, "\x1b") {
				r[c] = truncate(cell, widths[c])
			}
		}
	}
}

// truncate shortens s to n runes, the last being "…".
func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func pad(cells []string, n int) []string {
	out := make([]string, n)
	copy(out, cells)
	return out
}
