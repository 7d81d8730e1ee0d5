package main

import (
	"context"
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
