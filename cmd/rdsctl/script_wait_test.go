package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	extraScriptCmds["waitgrep"] = cmdWaitGrep
	extraScriptCmds["waitrequests"] = cmdWaitRequests
}

// scriptWaitTimeout bounds the script waits below: long enough for a
// loaded machine, short enough that a missing line fails the script.
const scriptWaitTimeout = time.Minute

// cmdWaitGrep waits until FILE has a line matching PATTERN (testscript's
// regexp, multi-line): the way a script waits for a background command to
// have got somewhere before it signals it. testscript keeps a background
// command's output to itself until `wait`, so the command writes its
// stderr to a file: exec sh -c 'exec rdsctl ... 2>NAME.stderr' &NAME&.
//
//	waitgrep PATTERN FILE
func cmdWaitGrep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitgrep PATTERN FILE")
	}
	re, err := regexp.Compile(`(?m)` + args[0])
	ts.Check(err)
	path := ts.MkAbs(args[1])
	deadline := time.Now().Add(scriptWaitTimeout)
	for {
		data, err := os.ReadFile(path)
		if err == nil && re.Match(data) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitgrep: no line matching %q in %s within %s:\n%s", args[0], args[1], scriptWaitTimeout, data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdWaitRequests waits until the lab has logged at least N requests of
// ACTION since `mutations mark`. The lab writes a record before it
// answers, so a logged request has been made; a script counts a
// background command's API polls with it.
//
//	waitrequests N ACTION
func cmdWaitRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitrequests N ACTION")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	mark, _ := strconv.Atoi(ts.Getenv("MUTATIONS_MARK"))
	path := filepath.Join(ts.Getenv("LAB_DIR"), "requests.jsonl")
	deadline := time.Now().Add(scriptWaitTimeout)
	for {
		n := 0
		recs := readRequests(ts, path)
		for _, r := range recs[min(mark, len(recs)):] {
			if r.Action == args[1] {
				n++
			}
		}
		if n >= want {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitrequests: %d %s requests since the mark within %s, want %d", n, args[1], scriptWaitTimeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
