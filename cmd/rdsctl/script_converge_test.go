package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The converge scripts' fixtures:
//
//	convergemember FILE INSTANCE OUT
//	                      write the failover result of INSTANCE's member
//	                      in a `params converge -o json` report to OUT, in
//	                      the shape checkdowntime reads
//	convergesteps FILE KEY
//	                      print KEY's entries (plan or members) of a
//	                      `params converge -o json` report as
//	                      "INSTANCE ACTION" lines, so a dry run's plan can
//	                      be compared with what a run then did
func init() {
	extraScriptCmds["convergemember"] = cmdConvergeMember
	extraScriptCmds["convergesteps"] = cmdConvergeSteps
}

type convergeJSON struct {
	Plan []struct {
		Instance string `json:"instance"`
		Action   string `json:"action"`
	} `json:"plan"`
	Members []struct {
		Instance string          `json:"instance"`
		Action   string          `json:"action"`
		Failover json.RawMessage `json:"failover"`
	} `json:"members"`
}

func readConverge(ts *testscript.TestScript, file string) convergeJSON {
	var rep convergeJSON
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &rep); err != nil {
		ts.Fatalf("%s is not a converge report: %v", file, err)
	}
	return rep
}

func cmdConvergeMember(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: convergemember FILE INSTANCE OUT")
	}
	for _, m := range readConverge(ts, args[0]).Members {
		if m.Instance == args[1] {
			ts.Check(os.WriteFile(ts.MkAbs(args[2]), m.Failover, 0o644))
			return
		}
	}
	ts.Fatalf("no member %s in %s", args[1], args[0])
}

func cmdConvergeSteps(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[1] != "plan" && args[1] != "members") {
		ts.Fatalf("usage: convergesteps FILE plan|members")
	}
	rep := readConverge(ts, args[0])
	var lines []string
	if args[1] == "plan" {
		for _, s := range rep.Plan {
			lines = append(lines, s.Instance+" "+s.Action)
		}
	} else {
		for _, m := range rep.Members {
			lines = append(lines, m.Instance+" "+m.Action)
		}
	}
	fmt.Fprint(ts.Stdout(), strings.Join(lines, "\n")+"\n")
}
