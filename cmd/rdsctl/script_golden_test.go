package main

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { extraScriptCmds["jsonnorm"] = cmdJSONNorm }

// cmdJSONNorm prints FILE (stdout when FILE is "stdout" or omitted), a
// JSON document one of rdsctl's contracts promises (verify, failover,
// status, params show), normalised for a golden comparison: keys sorted and
// indented; times, ports, durations, counts and server identities replaced
// by placeholders (a null stays null, so "never happened" still shows);
// the value of every extra KEY replaced by "<KEY>"; and a timeline reduced
// to its distinct entry shapes. What is left is the contract scripts rely
// on, so a renamed, added or dropped key is a diff:
//
//	jsonnorm [FILE [KEY...]]
//	cmp stdout golden.json
//
// `go test -run TestScripts/NAME -update` rewrites the golden section.
func cmdJSONNorm(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: jsonnorm [FILE [KEY...]]")
	}
	file := "stdout"
	if len(args) > 0 {
		file, args = args[0], args[1:]
	}
	n := jsonNormaliser{keys: map[string]bool{}}
	for _, k := range args {
		n.keys[k] = true
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(file)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("jsonnorm: %s is not JSON: %v", file, err)
	}
	enc := json.NewEncoder(ts.Stdout())
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	ts.Check(enc.Encode(n.norm("", v)))
}

// jsonPlaceholders are the keys whose values change from run to run.
var jsonPlaceholders = map[string]string{
	"read_ms": "<ms>", "downtime_seconds": "<seconds>", "downtime_min_seconds": "<seconds>", "downtime_max_seconds": "<seconds>",
	"api_seconds": "<seconds>", "probes": "<count>", "failures": "<count>", "count": "<count>",
	"server_id": "<server_id>", "hostname": "<hostname>", "version": "<version>", "text": "<text>",
}

var (
	jsonTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
	jsonPort = regexp.MustCompile(`(127\.0\.0\.\d+|localhost):\d+`)
)

type jsonNormaliser struct{ keys map[string]bool }

func (n jsonNormaliser) norm(key string, v any) any {
	if n.keys[key] && v != nil {
		return "<" + key + ">"
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if key == "error_classes" {
				v[k] = "<count>"
				continue
			}
			v[k] = n.norm(k, x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = n.norm("", x)
		}
		if key != "timeline" {
			return v
		}
		// One entry per shape: how many of each a run has varies.
		seen := map[string]bool{}
		var out []any
		for _, x := range v {
			b, _ := json.Marshal(x)
			if !seen[string(b)] {
				seen[string(b)] = true
				out = append(out, x)
			}
		}
		sort.Slice(out, func(i, j int) bool {
			a, _ := json.Marshal(out[i])
			b, _ := json.Marshal(out[j])
			return string(a) < string(b)
		})
		return out
	case nil:
		return nil
	case string:
		if p, ok := jsonPlaceholders[key]; ok {
			return p
		}
		if jsonTime.MatchString(v) {
			return "<time>"
		}
		return jsonPort.ReplaceAllString(v, "$1:<port>")
	default:
		if p, ok := jsonPlaceholders[key]; ok {
			return p
		}
		return v
	}
}
