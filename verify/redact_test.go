package verify

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const pw = "p@ss w/rd+%&\"x"
	tests := []struct {
		name, in, want string
	}{
		{"raw", "admin:" + pw + "@tcp(db:3306)/", "admin:xxxxx@tcp(db:3306)/"},
		{"query-escaped", "mysql://admin:p%40ss+w%2Frd%2B%25%26%22x@db/?tls=true", "mysql://admin:xxxxx@db/?tls=true"},
		{"path-escaped", "mysql://admin:p@ss%20w%2Frd+%25&%22x@db", "mysql://admin:xxxxx@db"},
		{"lower-case hex", "password=p%40ss+w%2frd%2b%25%26%22x&user=a", "password=xxxxx&user=a"},
		{"json-escaped", `{"password":"p@ss w/rd+%&\"x"}`, `{"password":"xxxxx"}`},
		{"twice", pw + " and " + pw, "xxxxx and xxxxx"},
		{"absent", "dial tcp 10.0.0.1:3306: connection refused", "dial tcp 10.0.0.1:3306: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redact(tt.in, pw)
			if got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, leak := range []string{pw, "p%40ss", "w%2Frd", "w%2frd"} {
				if strings.Contains(got, leak) {
					t.Errorf("%q still holds %q", got, leak)
				}
			}
		})
	}
	if got := Redact("unchanged", ""); got != "unchanged" {
		t.Errorf("empty secret changed the text: %q", got)
	}
	// A plain password's escaped forms are itself: no double work, no
	// damage around it.
	if got := Redact("user:hunter2@tcp", "hunter2"); got != "user:xxxxx@tcp" {
		t.Errorf("plain: %q", got)
	}
}

func TestRedactHTMLEscapedJSON(t *testing.T) {
	// encoding/json's default escapes & < > as \u0026 and so on.
	if got := Redact(`{"pw":"a\u0026b"}`, "a&b"); got != `{"pw":"xxxxx"}` {
		t.Errorf("got %q", got)
	}
}
