package verify

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Redacted is what Redact puts where a secret was.
const Redacted = "xxxxx"

// Redact replaces every form in which secret may appear in s: raw, URL
// query-escaped (space as +), URL path-escaped (space as %20), either with
// lower-case hex digits, and JSON-escaped. Driver, network and DSN-echoing
// errors are passed through it before they are shown or stored, so a
// message that quotes a connection string cannot leak a password, whichever
// layer escaped it. An empty secret leaves s unchanged.
//
// It is the one redaction of rdsctl: verify's connection errors and the
// failover probe's observations both use it.
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	forms := []string{secret}
	add := func(f string) {
		if f == "" {
			return
		}
		for _, g := range forms {
			if g == f {
				return
			}
		}
		forms = append(forms, f)
	}
	for _, esc := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		add(esc)
		add(lowerHex(esc))
	}
	for _, html := range []bool{false, true} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(secret) == nil {
			add(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`))
		}
	}
	// Longest first, so that a form containing another is replaced whole.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

var percentHex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%[0-9A-F]{2}`) })

// lowerHex is an escaped form with its %XX digits in lower case, as some
// encoders write them.
func lowerHex(s string) string {
	return percentHex().ReplaceAllStringFunc(s, strings.ToLower)
}
