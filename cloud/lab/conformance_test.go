package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// requireBoto3 finds python3 with boto3: a skip on a workstation
// without it, a failure in CI.
func requireBoto3(t *testing.T) string {
	t.Helper()
	py := requireTool(t, "python3")
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("boto3 not installed")
		}
		t.Fatal("boto3 not installed (CI is set)")
	}
	return py
}

// TestMemberConformance sends every input member (botocore's RDS model)
// of every operation the lab serves, once through boto3 and once through
// the AWS CLI, and asserts each is either honoured or refused by name:
// no 200 silently ignores a member. What an honoured member does is
// asserted by the tests of its operation (e.g. TestInstanceMembersHonoured).
func TestMemberConformance(t *testing.T) {
	l, _ := startLab(t)
	py := requireBoto3(t)
	table, err := json.Marshal(map[string]map[string][]string{"rds": lab.Honoured(), "sts": lab.STSHonoured()})
	if err != nil {
		t.Fatal(err)
	}
	tablePath := filepath.Join(t.TempDir(), "honoured.json")
	if err := os.WriteFile(tablePath, table, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "member_conformance.py"))
	env := append(os.Environ(), labtest.Env(l)...)

	cmd := exec.Command(py, script, tablePath)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "member conformance: ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	t.Logf("boto3: %s", strings.TrimSpace(string(out)))

	clis := awsCLIs(t)
	cmd = exec.Command(py, script, tablePath, "plan")
	cmd.Env = env
	plan, err := cmd.Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var calls []plannedCall
	sc := bufio.NewScanner(bytes.NewReader(plan))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c plannedCall
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	if len(calls) < len(lab.Honoured()) {
		t.Fatalf("only %d calls planned for %d operations", len(calls), len(lab.Honoured()))
	}
	for _, aws := range clis {
		cliConformance(t, l, aws, env, calls)
	}
}

// plannedCall is one request member_conformance.py plans for the CLI.
type plannedCall struct {
	Service string
	Op, CLI string
	Refused []string
	Params  json.RawMessage
}

// cliConformance replays the planned calls through one AWS CLI.
func cliConformance(t *testing.T, l *lab.Lab, aws string, env []string, calls []plannedCall) {
	version, _ := exec.Command(aws, "--version").CombinedOutput()
	// Four CLI processes at a time: each costs a Python start-up.
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	skipped := 0
	for _, c := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			run := func(params []byte) (string, error) {
				cmd := exec.CommandContext(ctx, aws, "--endpoint-url", l.Endpoint(), "--output", "json", c.Service, c.CLI, "--cli-input-json", string(params))
				cmd.Env = env
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				return stderr.String(), err
			}
			msg, err := run(c.Params)
			// A CLI with an older model than the planning botocore (Debian's
			// v2) refuses newer members itself, before sending anything:
			// those are left out and the call sent again.
			if unknown := unknownParamRE.FindAllStringSubmatch(msg, -1); len(unknown) > 0 {
				c = withoutMembers(t, c, unknown)
				mu.Lock()
				skipped += len(unknown)
				mu.Unlock()
				msg, err = run(c.Params)
			}
			prefix := "(InvalidParameterValue) when calling the " + c.Op + " operation: The lab does not support "
			bad := ""
			switch {
			case len(c.Refused) == 0 && strings.Contains(msg, prefix):
				bad = "honoured members refused"
			case len(c.Refused) > 0 && (err == nil || !strings.Contains(msg, prefix+strings.Join(c.Refused, ", ")+" on "+c.Op)):
				bad = "members " + strings.Join(c.Refused, ", ") + " not all refused by name"
			}
			if bad != "" {
				mu.Lock()
				failures = append(failures, c.Op+": "+bad+": "+strings.TrimSpace(msg))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Errorf("%s (%s): %s", aws, strings.TrimSpace(string(version)), f)
	}
	t.Logf("%s (%s): %d calls; %d members left out as unknown to its model", aws, strings.TrimSpace(string(version)), len(calls), skipped)
}

// unknownParamRE is the CLI's own refusal of a member its model lacks: a
// top-level one ("in input"), or one nested in a top-level structure
// ("in ServerlessV2ScalingConfiguration").
var unknownParamRE = regexp.MustCompile(`Unknown parameter in (\w+): "(\w+)"`)

// withoutMembers is c without the members an older CLI does not know.
func withoutMembers(t *testing.T, c plannedCall, unknown [][]string) plannedCall {
	t.Helper()
	var params map[string]json.RawMessage
	if err := json.Unmarshal(c.Params, &params); err != nil {
		t.Fatal(err)
	}
	drop := map[string]bool{}
	for _, m := range unknown {
		in, member := m[1], m[2]
		if in == "input" {
			drop[member] = true
			delete(params, member)
			continue
		}
		// A nested member: drop it from its structure, which stays.
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(params[in], &inner); err != nil {
			t.Fatalf("%s: %s is not a structure: %v", c.Op, in, err)
		}
		delete(inner, member)
		b, err := json.Marshal(inner)
		if err != nil {
			t.Fatal(err)
		}
		params[in] = b
	}
	var refused []string
	for _, m := range c.Refused {
		if !drop[m] {
			refused = append(refused, m)
		}
	}
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	c.Params, c.Refused = b, refused
	return c
}

// awsCLIs are the AWS CLIs to drive: the one on PATH and, where it is
// another, Debian's /usr/bin/aws (v2 from the awscli package, while pip
// gives v1), so that the member tests hold for both major versions. In
// CI at least one must exist.
func awsCLIs(t *testing.T) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, name := range []string{"aws", "/usr/bin/aws"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if r, err := filepath.EvalSymlinks(p); err == nil && !seen[r] {
			seen[r] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, requireTool(t, "aws"))
	}
	return out
}
