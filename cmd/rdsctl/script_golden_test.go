package main

import (
	"encoding/json"
	"regexp"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { extraScriptCmds["jsonnorm"] = cmdJSONNorm }

// cmdJSONNorm normalises the JSON on stdout for a golden comparison:
//
//	jsonnorm [KEY...]
//
// It re-indents stdout with sorted keys, replaces the value of every KEY
// (at any depth) by "<KEY>" and any 127.0.0.1:PORT by 127.0.0.1:<port>, and
// makes that the new stdout, so that `cmp stdout golden.json` (refreshed
// with go test -update) shows a renamed or dropped key as a diff.
func cmdJSONNorm(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! jsonnorm")
	}
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &v); err != nil {
		ts.Fatalf("jsonnorm: stdout is not JSON: %v", err)
	}
	keys := map[string]bool{}
	for _, k := range args {
		keys[k] = true
	}
	enc := json.NewEncoder(ts.Stdout())
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	ts.Check(enc.Encode(normJSON(v, keys)))
}

var localPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

func normJSON(v any, keys map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if keys[k] && e != nil {
				x[k] = "<" + k + ">"
				continue
			}
			x[k] = normJSON(e, keys)
		}
	case []any:
		for i, e := range x {
			x[i] = normJSON(e, keys)
		}
	case string:
		return localPort.ReplaceAllString(x, "127.0.0.1:<port>")
	}
	return v
}
