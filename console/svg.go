package console

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// The charts are drawn here as inline SVG: numbers the server computed,
// text escaped, no script.

// sparkline draws counts as a small line chart (24 hourly points), its
// total in the title for screen readers and hover.
func sparkline(counts []int, label string) template.HTML {
	// Whole-number coordinates keep 50 sparklines small.
	const w, h = 92.0, 20.0
	peak := 1
	total := 0
	for _, n := range counts {
		peak = max(peak, n)
		total += n
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title><polyline points="`,
		w, h, html.EscapeString(label), html.EscapeString(label))
	step := w / float64(max(len(counts)-1, 1))
	for i, n := range counts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.0f,%.0f", float64(i)*step, h-1-float64(n)/float64(peak)*(h-2))
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

// bar is one bar of a bar chart.
type bar struct {
	Label string
	Value float64
}

// barChart draws bars with their labels under them and values over them.
func barChart(title string, bars []bar, unit string) template.HTML {
	const h, top, bottom = 160.0, 16.0, 20.0
	bw := 36.0
	w := max(bw*float64(len(bars)), 120)
	peak := 0.0
	for _, x := range bars {
		peak = max(peak, x.Value)
	}
	if peak == 0 {
		peak = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`,
		w, h, html.EscapeString(title), html.EscapeString(title))
	for i, x := range bars {
		bh := x.Value / peak * (h - top - bottom)
		xpos := float64(i)*bw + 4
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%g" height="%.1f"><title>%s: %s %s</title></rect>`,
			xpos, h-bottom-bh, bw-8, bh, html.EscapeString(x.Label), num(x.Value), html.EscapeString(unit))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="v">%s</text>`, xpos+(bw-8)/2, h-bottom-bh-3, num(x.Value))
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="l">%s</text>`, xpos+(bw-8)/2, h-6, html.EscapeString(x.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

// gauge draws used of limit as a horizontal bar.
func gauge(title string, used, limit int) template.HTML {
	frac := 0.0
	if limit > 0 {
		frac = min(float64(used)/float64(limit), 1)
	}
	cls := "ok"
	if frac >= 0.9 {
		cls = "hot"
	}
	return template.HTML(fmt.Sprintf( //nolint:gosec // numbers and escaped text only
		`<svg class="gauge" viewBox="0 0 200 14" preserveAspectRatio="none" role="img" aria-label="%s"><title>%s</title><rect class="track" width="200" height="14" rx="3"/><rect class="%s" width="%.1f" height="14" rx="3"/></svg>`,
		html.EscapeString(title), html.EscapeString(title), cls, frac*200))
}

func num(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
