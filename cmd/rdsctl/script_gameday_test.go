package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
