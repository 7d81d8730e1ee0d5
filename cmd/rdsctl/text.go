package main

import (
	"fmt"

	"github.com/rdsctl/rdsctl/cloud"
)

// Text helpers every verb's printing shares.

// orDash shows an empty cell as "-", so that columns stay readable and
// tab-separated output never has two tabs in a row.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// paramValue is a parameter's value for a table cell. RDS gives most
// engine defaults no value at all; that reads "engine default" (the
// server's own default applies), not an empty cell. A system-set
// parameter without a value (RDS owns it and shows nothing) is "-".
func paramValue(v, source string) string {
	if v == "" && (source == "" || source == cloud.SourceEngineDefault) {
		return "engine default"
	}
	return orDash(v)
}

// plural is "1 noun" or "n nouns", for summaries.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
