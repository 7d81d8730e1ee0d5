package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	extraScriptCmds["waitfile"] = cmdWaitFile
}

// cmdWaitFile waits until a file exists, for a background command to reach
// a point the script then acts on (a drill's run step touching a marker
// before the script interrupts it):
//
//	waitfile PATH
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within a minute", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func init() {
	extraScriptCmds["buildapp"] = cmdBuildApp
}

// cmdBuildApp builds the sample application (examples/app) into $WORK/app
// and copies the example scenarios into $WORK, so a script runs the drills
// exactly as the README tells users to:
//
//	buildapp
func cmdBuildApp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: buildapp")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", ts.MkAbs("app"), "./examples/app")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		ts.Fatalf("buildapp: %v\n%s", err, out)
	}
	matches, err := filepath.Glob(filepath.Join(root, "examples", "gameday-*.yaml"))
	ts.Check(err)
	for _, m := range matches {
		data, err := os.ReadFile(m)
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(filepath.Base(m)), data, 0o644))
	}
}

func init() {
	extraScriptCmds["jsonfield"] = cmdJSONField
	extraScriptCmds["jsonrange"] = cmdJSONRange
}

// cmdJSONField checks one field of a JSON file, by a dotted path whose
// numbers index arrays; a string compares as itself, anything else as its
// JSON (null, true, 3.5):
//
//	jsonfield FILE PATH WANT
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsonfield FILE PATH WANT")
	}
	v := jsonAt(ts, args[0], args[1])
	got, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		ts.Check(err)
		got = string(b)
	}
	if (got == args[2]) == neg {
		ts.Fatalf("%s %s = %s; want %s%s", args[0], args[1], got, map[bool]string{true: "not "}[neg], args[2])
	}
}

// cmdJSONRange checks that a numeric field lies within [MIN, MAX]:
//
//	jsonrange FILE PATH MIN MAX
func cmdJSONRange(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: jsonrange FILE PATH MIN MAX")
	}
	f, ok := jsonAt(ts, args[0], args[1]).(float64)
	lo, err1 := strconv.ParseFloat(args[2], 64)
	hi, err2 := strconv.ParseFloat(args[3], 64)
	ts.Check(errors.Join(err1, err2))
	if !ok || f < lo || f > hi {
		ts.Fatalf("%s %s = %v; want a number in [%s, %s]", args[0], args[1], jsonAt(ts, args[0], args[1]), args[2], args[3])
	}
}

func jsonAt(ts *testscript.TestScript, file, path string) any {
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(file)), &v))
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("%s: no %q at %s", file, k, path)
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: no index %q at %s", file, k, path)
			}
			v = x[i]
		default:
			ts.Fatalf("%s: %s: %q indexes a scalar", file, path, k)
		}
	}
	return v
}
