package main

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
)

// The verify scripts' fixtures:
//
//	labsettled ID         wait until no parameter group of instance ID is
//	                      "applying" (in-sync or pending-reboot), as after
//	                      an immediate change the lab applies in the
//	                      background
//	labsignal ID STOP|CONT
//	                      send the signal to the instance's mariadbd (the
//	                      engine_pid of lab status); STOP also defers a
//	                      CONT, so that a failing script never leaves a
//	                      frozen server behind for lab down
func init() {
	extraScriptCmds["labsettled"] = cmdLabSettled
	extraScriptCmds["labsignal"] = cmdLabSignal
}

func cmdLabSettled(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: labsettled ID")
	}
	api := scriptRDS(ts)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		in, err := cloud.FindInstance(ctx, api, args[0])
		cancel()
		ts.Check(err)
		settled := aws.ToString(in.DBInstanceStatus) == "available"
		for _, g := range in.DBParameterGroups {
			if aws.ToString(g.ParameterApplyStatus) == applyApplying {
				settled = false
			}
		}
		if settled {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("labsettled: %s still %s / %+v after 30s", args[0], aws.ToString(in.DBInstanceStatus), in.DBParameterGroups)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func cmdLabSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[1] != "STOP" && args[1] != "CONT") {
		ts.Fatalf("usage: labsignal ID STOP|CONT")
	}
	ri, err := lab.ReadRunInfo(ts.Getenv("LAB_DIR"))
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := lab.FetchStatus(ctx, ri.Endpoint)
	ts.Check(err)
	pid := 0
	for _, in := range st.Instances {
		if in.ID == args[0] {
			pid = in.EnginePID
		}
	}
	if pid <= 0 {
		ts.Fatalf("labsignal: no engine pid for %s in lab status", args[0])
	}
	sig := syscall.SIGCONT
	if args[1] == "STOP" {
		sig = syscall.SIGSTOP
		ts.Defer(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	}
	ts.Check(syscall.Kill(pid, sig))
}

func init() {
	extraScriptCmds["jsonnorm"] = cmdJSONNorm
}

// cmdJSONNorm prints FILE (or stdout), a JSON report of verify or
// failover, normalised for a golden comparison: keys sorted and indented,
// times, ports, durations, counts and server identities replaced by
// placeholders (a null stays null, so "never happened" still shows), and
// the timeline reduced to its distinct entry shapes. What is left is the
// contract scripts rely on, so a renamed, added or dropped key is a diff:
//
//	jsonnorm FILE
//	cmp stdout golden.json
//
// `go test -run TestScripts/NAME -update` rewrites the golden section.
func cmdJSONNorm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonnorm FILE")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	dec.UseNumber()
	var v any
	ts.Check(dec.Decode(&v))
	enc := json.NewEncoder(ts.Stdout())
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	ts.Check(enc.Encode(normJSON("", v)))
}

// jsonPlaceholders are the keys whose values change from run to run.
var jsonPlaceholders = map[string]string{
	"read_ms": "<ms>", "downtime_seconds": "<seconds>", "downtime_min_seconds": "<seconds>", "downtime_max_seconds": "<seconds>",
	"api_seconds": "<seconds>", "probes": "<count>", "failures": "<count>", "count": "<count>",
	"server_id": "<server_id>", "hostname": "<hostname>", "version": "<version>", "text": "<text>",
}

var (
	jsonTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
	jsonPort = regexp.MustCompile(`(127\.0\.0\.1|localhost):\d+`)
)

func normJSON(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if key == "error_classes" {
				v[k] = "<count>"
				continue
			}
			v[k] = normJSON(k, x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = normJSON("", x)
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
