package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud/lab"
)

// The converge scripts' fixtures:
//
//	convergemember FILE INSTANCE[:ACTION] OUT
//	                      write the failover result of INSTANCE's member
//	                      (its ACTION step, when it has two) in a `params
//	                      converge -o json` report to OUT, in the shape
//	                      checkdowntime reads
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
		ts.Fatalf("usage: convergemember FILE INSTANCE[:ACTION] OUT")
	}
	id, action, _ := strings.Cut(args[1], ":")
	for _, m := range readConverge(ts, args[0]).Members {
		if m.Instance == id && (action == "" || m.Action == action) {
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

func init() {
	extraScriptCmds["checkwrites"] = cmdCheckWrites
}

// cmdCheckWrites holds a cluster rollout's write downtime against the
// truth: the report's write_downtime (a probe writing through the cluster
// endpoint from before the first step to after the last) must come to
// within TOLERANCE seconds of the lab's record of CLUSTER's failover
// outages in that span, and the lab must have recorded exactly FAILOVERS
// of them: writes waited for that many failovers and nothing else. A
// report of several clusters (a cluster parameter group's) is held by its
// write_downtimes entry for CLUSTER.
//
//	checkwrites FILE CLUSTER FAILOVERS TOLERANCE
func cmdCheckWrites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: checkwrites FILE CLUSTER FAILOVERS TOLERANCE")
	}
	type writes struct {
		Cluster  string    `json:"cluster"`
		From     time.Time `json:"from"`
		To       time.Time `json:"to"`
		Downtime float64   `json:"downtime_seconds"`
		Outages  []struct {
			Seconds float64 `json:"seconds"`
			During  string  `json:"during"`
		} `json:"outages"`
	}
	var rep struct {
		WriteDowntime  *writes  `json:"write_downtime"`
		WriteDowntimes []writes `json:"write_downtimes"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &rep))
	w := rep.WriteDowntime
	for i := range rep.WriteDowntimes {
		if rep.WriteDowntimes[i].Cluster == args[1] {
			w = &rep.WriteDowntimes[i]
		}
	}
	if w == nil || w.Cluster != args[1] {
		ts.Fatalf("%s has no write_downtime of cluster %s", args[0], args[1])
	}
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	tol, err := strconv.ParseFloat(args[3], 64)
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := lab.FetchStatus(ctx, ts.Getenv("LAB_ENDPOINT"))
	ts.Check(err)
	truth, n := 0.0, 0
	for _, o := range st.Outages {
		if o.Cluster == args[1] && o.Cause == "failover" && !o.CutAt.Before(w.From) && !o.RestoredAt.After(w.To) {
			truth += o.RestoredAt.Sub(o.CutAt).Seconds()
			n++
		}
	}
	for _, o := range w.Outages {
		ts.Logf("write outage %.3fs during %s", o.Seconds, o.During)
	}
	ts.Logf("measured write downtime %.3fs in %d outages; the lab's %d failover windows of %s: %.3fs", w.Downtime, len(w.Outages), n, args[1], truth)
	if n != want {
		ts.Fatalf("the lab recorded %d failovers of %s during the rollout, want %d", n, args[1], want)
	}
	if math.Abs(w.Downtime-truth) > tol {
		ts.Fatalf("measured write downtime %.3fs is not within %.2fs of the lab's failover windows (%.3fs)", w.Downtime, tol, truth)
	}
}
