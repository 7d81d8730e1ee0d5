package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

var update = flag.Bool("update", false, "rewrite testdata/script/*.txtar with the actual output of cmp stdout/stderr")

// TestMain makes this test binary double as the rdsctl binary: testscript
// puts it on the scripts' PATH as "rdsctl", and when run under that name it
// is the real Main. `lab up --detach` re-executes it the same way.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rdsctl": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real binary and, where a script asks for one with labup, a real lab.
//
// Each script gets its own lab dir ($WORK/lab, also RDSCTL_LAB_DIR and so
// the default), and a deferred cleanup stops any lab still running there.
// Custom commands:
//
//	labup [flags]              rdsctl lab up --detach --port 0, then export
//	                           AWS_ENDPOINT_URL_RDS, AWS_REGION, dummy keys,
//	                           LAB_ENDPOINT and LAB_PORT
//	waitlab                    wait for a lab started in the background with
//	                           `exec rdsctl lab up ... &`, then export as labup
//	exits CODE PROG [args]     run PROG and require exit status CODE
//	rdsapi create-pg NAME FAMILY | has-pg NAME
//	                           call the lab through the SDK (no AWS CLI needed)
//	mutations mark             remember where $LAB_DIR/requests.jsonl ends
//	mutations N [ACTION]       require exactly N mutating requests (anything
//	                           but Describe*, List* and /_lab/) since the mark,
//	                           or N of ACTION only
//
//	labinstance ID [multi-az] [group=G]
//	                           create a DB instance on an engine lab, wait
//	                           until available, export ID_PORT
//	labsql ID STATEMENT        run SQL on it as the master user
//
// Conditions: [awscli] holds when the AWS CLI runs, [mariadb] when
// mariadbd does (scripts that need instances start with [!mariadb] skip);
// under CI both must.
func TestScripts(t *testing.T) {
	awsCLI := awsCLIAvailable()
	if !awsCLI && os.Getenv("CI") != "" {
		t.Fatal("the AWS CLI is required under CI (scripts/setup installs it)")
	}
	mariadb := mariadbAvailable()
	if mariadb {
		scriptTemplateDir = mysqldtest.Template(t).Dir
	} else if os.Getenv("CI") != "" {
		t.Fatal("mariadbd is required under CI (scripts/setup installs it)")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			labDir := filepath.Join(env.WorkDir, "lab")
			env.Setenv("RDSCTL_LAB_DIR", labDir)
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("LAB_DIR", labDir)
			if err := setupScriptEnv(env); err != nil {
				return err
			}
			// The AWS CLI v2 pipes output through a pager unless told not
			// to; scripts read its stdout. (v1 has no pager.)
			env.Setenv("AWS_PAGER", "")
			// The AWS CLI lives under pyenv on some machines; its shim
			// needs these to find the interpreter.
			for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION"} {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			env.Defer(func() {
				if err := stopLabIfRunning(labDir); err != nil {
					env.T().Log(err)
				}
			})
			return nil
		},
		Cmds: withExtraCmds(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"labup":     cmdLabUp,
			"waitlab":   cmdWaitLab,
			"exits":     cmdExits,
			"rdsapi":    cmdRDSAPI,
			"mutations": cmdMutations,
		}),
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "awscli":
				return awsCLI, nil
			case "mariadb":
				return mariadb, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

func awsCLIAvailable() bool {
	path, err := exec.LookPath("aws")
	if err != nil {
		return false
	}
	return exec.Command(path, "--version").Run() == nil
}

// stopLabIfRunning is the scripts' cleanup: no lab outlives its test.
func stopLabIfRunning(dir string) error {
	ri, err := lab.ReadRunInfo(dir)
	if err != nil || !proc.Alive(ri.PID) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), labStopTimeout)
	defer cancel()
	if err := stopLab(ctx, ri); err != nil {
		// lab.json may outlive its lab, and its pid may since belong to
		// any process (pids are recycled fast under load): kill it only
		// if it is still this script's lab.
		if servesDir(ri.PID, dir) {
			_ = syscall.Kill(ri.PID, syscall.SIGKILL)
		}
		return fmt.Errorf("cleanup: stopping lab in %s: %w", dir, err)
	}
	return nil
}

// servesDir reports whether pid runs `rdsctl lab up --dir dir`, the
// detached lab of a script.
func servesDir(pid int, dir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	for i, a := range args {
		if a == "--dir="+dir || (a == "--dir" && i+1 < len(args) && args[i+1] == dir) {
			return true
		}
	}
	return false
}

func cmdLabUp(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! labup")
	}
	dir := ts.Getenv("RDSCTL_LAB_DIR")
	ts.Check(ts.Exec("rdsctl", append([]string{"lab", "up", "--detach", "--port", "0", "--dir", dir}, args...)...))
	exportLabEnv(ts, dir)
}

func cmdWaitLab(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: waitlab [dir]")
	}
	dir := ts.Getenv("RDSCTL_LAB_DIR")
	if len(args) == 1 {
		dir = ts.MkAbs(args[0])
	}
	deadline := time.Now().Add(labStartTimeout)
	for {
		ri, err := lab.ReadRunInfo(dir)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err = lab.FetchStatus(ctx, ri.Endpoint)
			cancel()
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no lab answered in %s: %v", dir, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	exportLabEnv(ts, dir)
}

func exportLabEnv(ts *testscript.TestScript, dir string) {
	ri, err := lab.ReadRunInfo(dir)
	ts.Check(err)
	port := ri.Endpoint[strings.LastIndexByte(ri.Endpoint, ':')+1:]
	ts.Setenv("LAB_ENDPOINT", ri.Endpoint)
	ts.Setenv("LAB_PORT", port)
	ts.Setenv("LAB_PID", strconv.Itoa(ri.PID))
	ts.Setenv("AWS_ENDPOINT_URL_RDS", ri.Endpoint)
	ts.Setenv("AWS_ENDPOINT_URL_STS", ri.Endpoint)
	ts.Setenv("AWS_REGION", ri.Region)
	ts.Setenv("AWS_DEFAULT_REGION", ri.Region)
	ts.Setenv("AWS_ACCESS_KEY_ID", labCredentials)
	ts.Setenv("AWS_SECRET_ACCESS_KEY", labCredentials)
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdRDSAPI talks to the script's lab with the SDK directly, so that
// scripts can set up state before rdsctl has a params command and without
// the AWS CLI.
func cmdRDSAPI(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: rdsapi create-pg NAME FAMILY | has-pg NAME")
	}
	api := cloud.NewRDS(aws.Config{
		Region:      ts.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(labCredentials, labCredentials, ""),
	}, func(o *rds.Options) { o.BaseEndpoint = aws.String(ts.Getenv("AWS_ENDPOINT_URL_RDS")) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	switch {
	case args[0] == "create-pg" && len(args) == 3:
		_, err = api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
			DBParameterGroupName:   aws.String(args[1]),
			DBParameterGroupFamily: aws.String(args[2]),
			Description:            aws.String("created by a test script"),
		})
	case args[0] == "has-pg" && len(args) == 2:
		_, err = cloud.FindParameterGroup(ctx, api, args[1])
	default:
		ts.Fatalf("usage: rdsapi create-pg NAME FAMILY | has-pg NAME")
	}
	if neg {
		if err == nil {
			ts.Fatalf("rdsapi %s: unexpected success", args[0])
		}
		fmt.Fprintf(ts.Stdout(), "%s\n", cloud.Code(err))
		return
	}
	ts.Check(err)
}

// cmdMutations is how scripts prove what reached the lab: that refused
// input, a dry run or a second apply made no mutating call, and that 45
// parameters took exactly three ModifyDBParameterGroup calls.
func cmdMutations(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: mutations mark | mutations N [ACTION]")
	}
	path := filepath.Join(ts.Getenv("LAB_DIR"), "requests.jsonl")
	if args[0] == "mark" {
		ts.Setenv("MUTATIONS_MARK", strconv.Itoa(len(readRequests(ts, path))))
		return
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	mark, _ := strconv.Atoi(ts.Getenv("MUTATIONS_MARK"))
	count := func() []string {
		var got []string
		recs := readRequests(ts, path)
		for _, r := range recs[min(mark, len(recs)):] {
			mutating := r.Action != "" && !strings.HasPrefix(r.Action, "/_lab/") &&
				!strings.HasPrefix(r.Action, "Describe") && !strings.HasPrefix(r.Action, "List")
			if mutating && (len(args) == 1 || r.Action == args[1]) {
				got = append(got, fmt.Sprintf("%s %d %s", r.Action, r.Status, r.Code))
			}
		}
		return got
	}
	// The lab writes a request's record before it answers, so the log is
	// complete as soon as rdsctl has exited.
	if got := count(); len(got) != want {
		ts.Fatalf("%d mutating requests since the mark, want %d:\n%s", len(got), want, strings.Join(got, "\n"))
	}
}

func readRequests(ts *testscript.TestScript, path string) []lab.RequestRecord {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	ts.Check(err)
	lines := strings.Split(string(data), "\n")
	var out []lab.RequestRecord
	// The last element is "" or a line still being written: skip it.
	for _, line := range lines[:len(lines)-1] {
		var r lab.RequestRecord
		ts.Check(json.Unmarshal([]byte(line), &r))
		out = append(out, r)
	}
	return out
}
