package main

import (
	"os"
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
