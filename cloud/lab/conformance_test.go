package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
	table, err := json.Marshal(lab.Honoured())
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

	aws := requireTool(t, "aws")
	cmd = exec.Command(py, script, tablePath, "plan")
	cmd.Env = env
	plan, err := cmd.Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	type call struct {
		Op, CLI string
		Refused []string
		Params  json.RawMessage
	}
	var calls []call
	sc := bufio.NewScanner(bytes.NewReader(plan))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c call
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	if len(calls) < len(lab.Honoured()) {
		t.Fatalf("only %d calls planned for %d operations", len(calls), len(lab.Honoured()))
	}
	// Four CLI processes at a time: each costs a Python start-up.
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for _, c := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, aws, "--endpoint-url", l.Endpoint(), "--output", "json", "rds", c.CLI, "--cli-input-json", string(c.Params))
			cmd.Env = env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			prefix := "(InvalidParameterValue) when calling the " + c.Op + " operation: The lab does not support "
			msg := stderr.String()
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
		t.Error("aws cli: " + f)
	}
	t.Logf("aws cli: %d calls", len(calls))
}
