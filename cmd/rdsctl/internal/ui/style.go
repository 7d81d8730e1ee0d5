package ui

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Fixed ANSI colours (0-15), never adaptive ones: adaptive colours make
// lipgloss query the terminal's background, which hangs or leaks escape
// sequences when rdsctl runs under a pager, in CI, or over a slow SSH link.
const (
	colorRed    = lipgloss.Color("1")
	colorGreen  = lipgloss.Color("2")
	colorYellow = lipgloss.Color("3")
	colorCyan   = lipgloss.Color("6")
	colorGray   = lipgloss.Color("8")
)

// palette renders styles for one stream. Its renderer is bound to that
// stream with an explicit profile, so lipgloss never inspects the process's
// own stdout to decide whether to colour.
type palette struct {
	r *lipgloss.Renderer
}

func newPalette(w io.Writer, color bool) palette {
	r := lipgloss.NewRenderer(w)
	if color {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	// Set explicitly so that nothing ever asks the terminal (OSC 11).
	r.SetHasDarkBackground(true)
	return palette{r: r}
}

func (p palette) style() lipgloss.Style { return p.r.NewStyle() }

func (p palette) header(s string) string { return p.style().Bold(true).Render(s) }
func (p palette) key(s string) string    { return p.style().Foreground(colorGray).Render(s) }
func (p palette) green(s string) string  { return p.style().Foreground(colorGreen).Render(s) }
func (p palette) red(s string) string    { return p.style().Foreground(colorRed).Render(s) }
func (p palette) yellow(s string) string { return p.style().Foreground(colorYellow).Render(s) }
func (p palette) cyan(s string) string   { return p.style().Foreground(colorCyan).Render(s) }
func (p palette) bold(s string) string   { return p.style().Bold(true).Render(s) }

// ColorScheme colours text for Out, or leaves it plain when colour is off.
// Commands use it for status words in tables (in-sync, pending-reboot...).
type ColorScheme struct{ p palette }

// ColorScheme returns the scheme for Out.
func (s *IOStreams) ColorScheme() ColorScheme {
	return ColorScheme{p: newPalette(s.Out, s.ColorEnabled)}
}

func (c ColorScheme) Bold(t string) string   { return c.p.bold(t) }
func (c ColorScheme) Green(t string) string  { return c.p.green(t) }
func (c ColorScheme) Red(t string) string    { return c.p.red(t) }
func (c ColorScheme) Yellow(t string) string { return c.p.yellow(t) }
func (c ColorScheme) Cyan(t string) string   { return c.p.cyan(t) }
func (c ColorScheme) Gray(t string) string   { return c.p.key(t) }
