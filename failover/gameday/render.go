package gameday

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Markdown renders the report for a wiki page or a pull request.
func Markdown(r *Report) string {
	var b strings.Builder
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	title := r.Name
	if title == "" {
		title = "game day"
	}
	fmt.Fprintf(&b, "# %s: %s\n\n%s\n\n", title, verdict, r.Sentence)
	fmt.Fprintf(&b, "Target `%s`, %s to %s (%s).\n\n", r.Target, r.StartedAt.Format(time.RFC3339), r.EndedAt.Format(time.RFC3339), dur(r.EndedAt.Sub(r.StartedAt)))
	if r.Error != "" {
		fmt.Fprintf(&b, "**Error:** %s\n\n", r.Error)
	}
	b.WriteString("## Steps\n\n| # | step | result | started | took | detail |\n|---|---|---|---|---|---|\n")
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", s.Index, mdCell(s.Name), passWord(s.Passed),
			s.StartedAt.Format("15:04:05.000"), dur(s.EndedAt.Sub(s.StartedAt)), mdCell(s.Detail))
	}
	b.WriteString("\n## Probes\n\n| probe | kind | downtime | first failure | recovered | after database | max consecutive failures | classes |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range r.Probes {
		fmt.Fprintf(&b, "| %s | %s | %.3f s | %s | %s | %s | %d | %s |\n", mdCell(p.Name), p.Kind, p.DowntimeSeconds,
			clock(p.FirstFailureAt), clock(p.RecoveredAt), afterDB(p), p.MaxConsecutiveFailures, mdCell(classList(p.Classes)))
	}
	if rb := r.Rollback; rb != nil {
		fmt.Fprintf(&b, "\n## Rollback: %s\n\n", passWord(rb.Passed))
		if len(rb.Restored) > 0 {
			b.WriteString("| group | parameter | restored to | server before | server verified |\n|---|---|---|---|---|\n")
			for _, it := range rb.Restored {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(it.Group), mdCell(it.Name), restoredTo(it), mdCell(it.ServerValue), yesNo(it.ServerVerified))
			}
		}
		for _, e := range rb.Errors {
			fmt.Fprintf(&b, "\n- **rollback error:** %s", mdCell(e))
		}
		if len(rb.Errors) > 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func restoredTo(it Restored) string {
	if it.Default {
		return "(default)"
	}
	return mdCell(it.Value)
}

func afterDB(p Figures) string {
	switch {
	case p.Name == DatabaseProbe:
		return "-"
	case p.RecoveredAfterDatabaseSeconds != nil:
		return fmt.Sprintf("%.3f s", *p.RecoveredAfterDatabaseSeconds)
	case p.RecoveredAfterHook != "":
		return "needed " + p.RecoveredAfterHook
	}
	return "never by itself"
}

func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

func passWord(ok bool) string {
	if ok {
		return "passed"
	}
	return "failed"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func clock(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("15:04:05.000")
}

func dur(d time.Duration) string { return d.Round(time.Millisecond).String() }

func classList(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	var out []string
	for _, c := range AllClasses() {
		if n := m[c]; n > 0 {
			out = append(out, fmt.Sprintf("%s ×%d", c, n))
		}
	}
	var extra []string
	for c, n := range m {
		if !knownClass(c) && n > 0 {
			extra = append(extra, fmt.Sprintf("%s ×%d", c, n))
		}
	}
	sort.Strings(extra)
	return strings.Join(append(out, extra...), ", ")
}

// classColours are fixed, so the same class has the same colour in every
// report; 502, 503 and 504 differ visibly.
var classColours = map[string]string{
	ClassOK:     "#2e9e4f",
	"refused":   "#d62728",
	"timeout":   "#8c2d04",
	"read_only": "#9467bd",
	"gone_away": "#e377c2",
	"auth":      "#7f7f7f",
	"other":     "#555555",
	Class502:    "#ff7f0e",
	Class503:    "#f2c80f",
	Class504:    "#a0522d",
	Class5xx:    "#bcbd22",
	ClassStatus: "#17becf",
	ClassReset:  "#c51b7d",
	ClassExit:   "#d95f02",
}

func colour(class string) string {
	if c, ok := classColours[class]; ok {
		return c
	}
	return "#555555"
}

// Timeline geometry, in SVG user units.
const (
	svgWidth   = 1000
	laneLabel  = 130
	laneHeight = 26
	laneGap    = 8
	axisTop    = 24
	markerRows = 9                 // rows of marker labels
	markerArea = 5 + markerRows*15 // their height
)

// HTML renders the report as one self-contained page: no scripts, fonts or
// images from elsewhere, so it can be attached to a ticket and opened
// years later.
func HTML(r *Report) string {
	var b strings.Builder
	e := html.EscapeString
	verdict, vclass := "PASSED", "pass"
	if !r.Passed {
		verdict, vclass = "FAILED", "fail"
	}
	title := r.Name
	if title == "" {
		title = "game day"
	}
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s: %s</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:1.4em;margin:0 0 .3em} .pass{color:#2e7d32} .fail{color:#c62828}
p.sentence{font-size:1.25em;margin:.2em 0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em} th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3} .legend span{display:inline-block;margin-right:12px;font-size:.85em} .legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
svg text{font-family:system-ui,sans-serif}
</style></head><body>
`, e(title), verdict)
	fmt.Fprintf(&b, "<h1>%s: <span class=\"%s\">%s</span></h1>\n<p class=\"sentence\" id=\"sentence\">%s</p>\n", e(title), vclass, verdict, e(r.Sentence))
	fmt.Fprintf(&b, "<p>Target <code>%s</code>, %s to %s (%s).</p>\n", e(r.Target), r.StartedAt.UTC().Format(time.RFC3339), r.EndedAt.UTC().Format("15:04:05Z"), dur(r.EndedAt.Sub(r.StartedAt)))
	if r.Error != "" {
		fmt.Fprintf(&b, "<p class=\"fail\"><b>Error:</b> %s</p>\n", e(r.Error))
	}
	b.WriteString(timelineSVG(r))
	b.WriteString("<div class=\"legend\">")
	used := map[string]bool{}
	for _, l := range r.Lanes {
		for _, s := range l.Segments {
			used[s.Class] = true
		}
	}
	for _, c := range append([]string{ClassOK}, AllClasses()...) {
		if used[c] {
			fmt.Fprintf(&b, "<span><i style=\"background:%s\"></i>%s</span>", colour(c), e(c))
			used[c] = false
		}
	}
	b.WriteString("<span><i style=\"background:#fbe3e3\"></i>database outage</span></div>\n")

	b.WriteString("<h2>Probes</h2>\n<table id=\"summary\"><tr><th>probe</th><th>kind</th><th>downtime</th><th>first failure</th><th>recovered</th><th>after database</th><th>max consecutive failures</th><th>classes</th></tr>\n")
	for _, p := range r.Probes {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%.3f s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td></tr>\n",
			e(p.Name), e(p.Kind), p.DowntimeSeconds, clock(p.FirstFailureAt), clock(p.RecoveredAt), e(afterDB(p)), p.MaxConsecutiveFailures, e(classList(p.Classes)))
	}
	b.WriteString("</table>\n<h2>Steps</h2>\n<table id=\"steps\"><tr><th>#</th><th>step</th><th>result</th><th>started</th><th>took</th><th>detail</th></tr>\n")
	for _, s := range r.Steps {
		cls := "pass"
		if !s.Passed {
			cls = "fail"
		}
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			s.Index, e(s.Name), cls, passWord(s.Passed), s.StartedAt.UTC().Format("15:04:05.000"), dur(s.EndedAt.Sub(s.StartedAt)), e(s.Detail))
	}
	b.WriteString("</table>\n")
	if rb := r.Rollback; rb != nil {
		cls := "pass"
		if !rb.Passed {
			cls = "fail"
		}
		fmt.Fprintf(&b, "<h2>Rollback: <span class=\"%s\">%s</span></h2>\n", cls, passWord(rb.Passed))
		b.WriteString("<table id=\"rollback\"><tr><th>group</th><th>parameter</th><th>restored to</th><th>server before</th><th>server verified</th></tr>\n")
		for _, it := range rb.Restored {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", e(it.Group), e(it.Name), e(restoredTo(it)), e(it.ServerValue), yesNo(it.ServerVerified))
		}
		b.WriteString("</table>\n")
		for _, msg := range rb.Errors {
			fmt.Fprintf(&b, "<p class=\"fail\">rollback error: %s</p>\n", e(msg))
		}
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// timelineSVG draws one lane per probe (the database first), the database
// outage shaded behind them, and a marker line per step, API status change
// and RDS event, labelled below the lanes.
func timelineSVG(r *Report) string {
	start, end := r.StartedAt, r.EndedAt
	for _, l := range r.Lanes {
		for _, s := range l.Segments {
			if s.From.Before(start) || start.IsZero() {
				start = s.From
			}
			if s.To.After(end) {
				end = s.To
			}
		}
	}
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	span := end.Sub(start).Seconds()
	plotW := float64(svgWidth - laneLabel - 10)
	x := func(t time.Time) float64 {
		return float64(laneLabel) + plotW*t.Sub(start).Seconds()/span
	}
	lanesH := len(r.Lanes)*(laneHeight+laneGap) - laneGap
	if lanesH < 0 {
		lanesH = 0
	}
	// Events RDS dated before the drill (the instance's creation) are not
	// part of it.
	var markers []Marker
	for _, m := range r.Markers {
		if !m.At.Before(start) && !m.At.After(end) {
			markers = append(markers, m)
		}
	}
	sort.SliceStable(markers, func(i, j int) bool { return markers[i].At.Before(markers[j].At) })
	height := axisTop + lanesH + 20 + markerArea
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="timeline">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	// Axis: a tick every "nice" interval.
	step := niceStep(span)
	for t := 0.0; t <= span+1e-9; t += step {
		xx := float64(laneLabel) + plotW*t/span
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e6e6e6"/><text x="%.1f" y="%d" font-size="10" fill="#666" text-anchor="middle">%gs</text>`+"\n",
			xx, axisTop-4, xx, axisTop+lanesH, xx, axisTop-8, t)
	}
	// The database outage, behind the lanes.
	for _, p := range r.Probes {
		if p.Name != DatabaseProbe || p.FirstFailureAt == nil {
			continue
		}
		to := end
		if p.RecoveredAt != nil {
			to = *p.RecoveredAt
		}
		fmt.Fprintf(&b, `<rect class="outage" x="%.1f" y="%d" width="%.1f" height="%d" fill="#fbe3e3"><title>database outage %.3f s</title></rect>`+"\n",
			x(*p.FirstFailureAt), axisTop-2, max(1, x(to)-x(*p.FirstFailureAt)), lanesH+4, p.DowntimeSeconds)
	}
	for i, l := range r.Lanes {
		y := axisTop + i*(laneHeight+laneGap)
		fmt.Fprintf(&b, `<g class="lane" id="lane-%s" data-probe="%s">`, e(l.Probe), e(l.Probe))
		fmt.Fprintf(&b, `<text x="4" y="%d" font-size="12" fill="#222">%s</text>`, y+laneHeight/2+4, e(l.Probe))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#f7f7f7" stroke="#ddd"/>`, laneLabel, y+3, plotW, laneHeight-6)
		for _, s := range l.Segments {
			x0, x1 := x(s.From), x(s.To)
			fmt.Fprintf(&b, `<rect class="seg seg-%s" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s ×%d</title></rect>`,
				e(s.Class), x0, y+3, max(1, x1-x0), laneHeight-6, colour(s.Class), e(s.Class), s.Count)
		}
		b.WriteString("</g>\n")
	}
	// Markers: a line through the lanes, the label below, in the first of
	// markerRows rows where it overlaps no earlier label (else the row
	// that frees up first).
	my := axisTop + lanesH + 14
	var rowEnd [markerRows]float64
	for i := range rowEnd {
		rowEnd[i] = -1
	}
	for _, m := range markers {
		stroke, dash := "#1f4e9e", ""
		switch m.Kind {
		case MarkAPI:
			stroke, dash = "#555555", ` stroke-dasharray="3,2"`
		case MarkEvent:
			stroke, dash = "#e07b00", ` stroke-dasharray="1,2"`
		}
		xx := x(m.At)
		text := shorten(m.Text, 48)
		from, to, anchor := xx, xx+2+labelWidth(text), "start"
		if xx > svgWidth*0.7 {
			from, to, anchor = xx-labelWidth(text), xx+2, "end"
		}
		row := 0
		for r := range rowEnd {
			if rowEnd[r] < from {
				row = r
				break
			}
			if rowEnd[r] < rowEnd[row] {
				row = r
			}
		}
		rowEnd[row] = to + 4
		ly := my + row*15
		fmt.Fprintf(&b, `<g class="marker marker-%s"><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"%s/><text x="%.1f" y="%d" font-size="10" fill="%s" text-anchor="%s">%s</text><title>%s %s</title></g>`+"\n",
			m.Kind, xx, axisTop-2, xx, ly-9, stroke, dash, xx+2, ly, stroke, anchor, e(text), m.At.UTC().Format("15:04:05.000"), e(m.Text))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// labelWidth estimates a marker label's width in pixels at font-size 10.
func labelWidth(text string) float64 { return 5.8 * float64(utf8.RuneCountInString(text)) }

func niceStep(span float64) float64 {
	for _, s := range []float64{0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600} {
		if span/s <= 12 {
			return s
		}
	}
	return span / 10
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
