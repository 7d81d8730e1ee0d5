package main

import "fmt"

// Text helpers every verb's printing shares.

// orDash shows an empty cell as "-", so that columns stay readable and
// tab-separated output never has two tabs in a row.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// plural is "1 noun" or "n nouns", for summaries.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
