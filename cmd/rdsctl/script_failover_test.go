package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud/lab"
)

func init() {
	extraScriptCmds["checkdowntime"] = cmdCheckDowntime
}

// cmdCheckDowntime holds a measurement against the truth: the downtime in
// a `failover -o json` report must lie within TOLERANCE seconds of the
// lab's own record of its latest failover outage of INSTANCE (the window
// in which the endpoint accepted no queries), or of CLUSTER (the window in
// which the cluster endpoint accepted no writes).
//
//	checkdowntime FILE INSTANCE|CLUSTER TOLERANCE
func cmdCheckDowntime(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: checkdowntime FILE INSTANCE TOLERANCE")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var rep struct {
		Downtime float64 `json:"downtime_seconds"`
	}
	ts.Check(json.Unmarshal(b, &rep))
	tol, err := strconv.ParseFloat(args[2], 64)
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := lab.FetchStatus(ctx, ts.Getenv("LAB_ENDPOINT"))
	ts.Check(err)
	var truth *lab.Outage
	for i := range st.Outages {
		if o := st.Outages[i]; (o.Instance == args[1] || o.Cluster == args[1]) && o.Cause == "failover" {
			truth = &o
		}
	}
	if truth == nil {
		ts.Fatalf("the lab recorded no failover of %s", args[1])
	}
	want := truth.RestoredAt.Sub(truth.CutAt).Seconds()
	ts.Logf("measured %.3fs, lab window %.3fs (%s .. %s)", rep.Downtime, want, truth.CutAt, truth.RestoredAt)
	if math.Abs(rep.Downtime-want) > tol {
		ts.Fatalf("measured downtime %.3fs is not within %.2fs of the lab's window %.3fs", rep.Downtime, tol, want)
	}
}

func init() {
	extraScriptCmds["labfault"] = cmdLabFault
}

// cmdLabFault makes the script's lab refuse one future call, to drive a
// real partial failure through the real binary:
//
//	labfault ACTION SKIP CODE MESSAGE...
//
// lets SKIP calls of ACTION through, then refuses the next with CODE.
func cmdLabFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 {
		ts.Fatalf("usage: labfault ACTION SKIP CODE MESSAGE...")
	}
	skip, err := strconv.Atoi(args[1])
	ts.Check(err)
	ts.Check(lab.InjectFault(ts.Getenv("LAB_ENDPOINT"), lab.Fault{Action: args[0], Skip: skip, Code: args[2],
		Message: strings.Join(args[3:], " ")}))
}
