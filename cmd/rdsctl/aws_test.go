//go:build aws

package main

// Acceptance tests against real AWS. They are compiled only with
// `-tags aws`, never run in CI, and refuse to touch anything unless the
// caller opts in explicitly:
//
//	RDSCTL_AWS_ACCEPTANCE=I-understand-this-changes-AWS
//	RDSCTL_AWS_INSTANCE=staging-db        # a throw-away Multi-AZ MySQL/MariaDB instance
//	RDSCTL_DB_PASSWORD=...                # its master password (verify and the failover probe log in)
//	AWS_PROFILE / AWS_REGION ...          # the usual AWS configuration
//
//	go test -tags aws ./cmd/rdsctl -run TestAWS -v -timeout 2h
//
// They drive the real binary through the whole loop: create a group, set
// parameters, attach it with a reboot, verify the server, force a Multi-AZ
// failover, check a policy, and put everything back (the instance's
// previous group, reattached with a reboot; the test group deleted). See
// the README's "Acceptance tests against real AWS" for what they cost.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsOptIn is the exact value RDSCTL_AWS_ACCEPTANCE must have.
const awsOptIn = "I-understand-this-changes-AWS"

// awsEnv is what an opted-in run works on.
type awsEnv struct {
	bin      string
	instance string
}

// requireAWS skips unless the caller opted in, and fails on a half-given
// opt-in (the variable set but no instance, or a wrong value), so that a
// typo never turns into a silent pass.
func requireAWS(t *testing.T) awsEnv {
	t.Helper()
	v, ok := os.LookupEnv("RDSCTL_AWS_ACCEPTANCE")
	if !ok {
		t.Skip("changes real AWS resources; opt in with RDSCTL_AWS_ACCEPTANCE=" + awsOptIn + " and RDSCTL_AWS_INSTANCE=<throw-away instance>")
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the AWS acceptance tests never run in CI")
	}
	if v != awsOptIn {
		t.Fatalf("RDSCTL_AWS_ACCEPTANCE=%q: to opt in it must be exactly %q", v, awsOptIn)
	}
	inst := os.Getenv("RDSCTL_AWS_INSTANCE")
	if inst == "" {
		t.Fatal("RDSCTL_AWS_INSTANCE must name a throw-away Multi-AZ DB instance")
	}
	if os.Getenv("RDSCTL_DB_PASSWORD") == "" {
		t.Fatal("RDSCTL_DB_PASSWORD must hold the instance's master password (verify and the failover probe log in)")
	}
	return awsEnv{bin: buildRdsctl(t), instance: inst}
}

// rdsctl runs the binary with the caller's environment and returns its
// stdout and exit code; stderr goes to the test log.
func (e awsEnv) rdsctl(t *testing.T, timeout time.Duration, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("$ rdsctl %s\n%s", strings.Join(args, " "), stderr.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return stdout.String(), exit.ExitCode()
	default:
		t.Fatalf("rdsctl %s: %v", strings.Join(args, " "), err)
		return "", -1
	}
}

// must runs rdsctl and fails the test unless it exits want.
func (e awsEnv) must(t *testing.T, want int, timeout time.Duration, args ...string) string {
	t.Helper()
	out, code := e.rdsctl(t, timeout, args...)
	if code != want {
		t.Fatalf("rdsctl %s exited %d, want %d\n%s", strings.Join(args, " "), code, want, out)
	}
	return out
}

func decode[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
	return v
}

// TestAWSParameterGroupLoop is the whole loop on one throw-away instance.
func TestAWSParameterGroupLoop(t *testing.T) {
	e := requireAWS(t)
	const long = 45 * time.Minute
	const short = 5 * time.Minute

	st := decode[statusJSON](t, e.must(t, 0, short, "status", e.instance, "-o", "json"))
	if st.Status != "available" {
		t.Fatalf("instance %s is %s; start from an available instance", e.instance, st.Status)
	}
	if !st.MultiAZ {
		t.Fatalf("instance %s is not Multi-AZ; the failover step needs a standby", e.instance)
	}
	if len(st.ParameterGroups) != 1 {
		t.Fatalf("instance %s has %d parameter groups", e.instance, len(st.ParameterGroups))
	}
	previous := st.ParameterGroups[0].Name
	family := ""
	for _, g := range decode[[]struct{ Name, Family string }](t, e.must(t, 0, short, "params", "list", "-o", "json")) {
		if g.Name == previous {
			family = g.Family
		}
	}
	if family == "" {
		t.Fatalf("no family for parameter group %s", previous)
	}

	group := fmt.Sprintf("rdsctl-acceptance-%d", time.Now().Unix())
	value := fmt.Sprint(300 + time.Now().Unix()%600) // a value nobody set by hand
	e.must(t, 0, short, "params", "create", group, "--family", family, "--description", "rdsctl acceptance test; safe to delete")
	t.Cleanup(func() {
		// Put the previous group back (with the reboot it needs), then
		// delete ours. Each step is attempted even if an earlier one failed.
		if out, code := e.rdsctl(t, long, "params", "attach", previous, "--instance", e.instance, "--reboot", "--timeout", "40m", "--yes"); code != 0 {
			t.Errorf("restoring group %s on %s: exit %d\n%s", previous, e.instance, code, out)
		}
		if out, code := e.rdsctl(t, short, "params", "delete", group, "--yes"); code != 0 {
			t.Errorf("deleting group %s: exit %d\n%s (delete it by hand)", group, code, out)
		}
	})

	t.Run("set", func(t *testing.T) {
		e.must(t, 0, short, "params", "set", group, "wait_timeout="+value, "interactive_timeout="+value, "--yes")
		shown := decode[[]shownParam](t, e.must(t, 0, short, "params", "show", group, "-o", "json"))
		got := map[string]string{}
		for _, p := range shown {
			got[p.Name] = p.Value
		}
		if got["wait_timeout"] != value || got["interactive_timeout"] != value {
			t.Fatalf("after set, the group holds %v", got)
		}
	})
	t.Run("attach", func(t *testing.T) {
		e.must(t, 0, long, "params", "attach", group, "--instance", e.instance, "--reboot", "--timeout", "40m", "--yes")
		e.must(t, 0, long, "wait", e.instance, "--for", "in-sync", "--timeout", "40m")
	})
	t.Run("verify", func(t *testing.T) {
		out := e.must(t, 0, short, "verify", e.instance, "-o", "json")
		rep := decode[struct {
			Parameters []struct{ Name, Expected, Actual, Status string }
		}](t, out)
		found := false
		for _, p := range rep.Parameters {
			if p.Name == "wait_timeout" {
				found = true
				if p.Status != "ok" || p.Actual != value {
					t.Errorf("verify wait_timeout: %+v, want ok at %s", p, value)
				}
			}
		}
		if !found {
			t.Errorf("verify did not check wait_timeout:\n%s", out)
		}
		// A wrong expectation is drift: exit 3.
		e.must(t, 3, short, "verify", e.instance, "--expect", "wait_timeout=1")
	})
	t.Run("failover", func(t *testing.T) {
		out := e.must(t, 0, long, "failover", e.instance, "--max-downtime", "10m", "--timeout", "40m", "--yes", "-o", "json")
		rep := decode[struct {
			DowntimeSeconds float64 `json:"downtime_seconds"`
			OldPrimaryAZ    string  `json:"old_primary_az"`
			NewPrimaryAZ    string  `json:"new_primary_az"`
		}](t, out)
		if rep.DowntimeSeconds <= 0 || rep.OldPrimaryAZ == "" || rep.OldPrimaryAZ == rep.NewPrimaryAZ {
			t.Errorf("failover report: %+v", rep)
		}
	})
	t.Run("policy", func(t *testing.T) {
		dir := t.TempDir()
		write := func(name, max string) string {
			path := filepath.Join(dir, name)
			body := fmt.Sprintf("version: 1\ngroups: [%q]\nrules:\n  - parameter: wait_timeout\n    max: %s\n"+
				"  - parameter: interactive_timeout\n    same_as: wait_timeout\n  - applied: true\n", group, max)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		e.must(t, 0, short, "policy", "check", "-f", write("holds.yaml", value))
		e.must(t, 3, short, "policy", "check", "-f", write("violated.yaml", "299"))
	})
}

// statusJSON is the part of `status -o json` these tests read.
type statusJSON struct {
	Status          string `json:"status"`
	MultiAZ         bool   `json:"multi_az"`
	ParameterGroups []struct {
		Name string `json:"name"`
	} `json:"parameter_groups"`
}
