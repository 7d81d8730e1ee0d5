package lab_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

// crashSeconds bounds the crash loop: a few seconds in CI, longer with
// RDSCTL_CRASH_SECONDS (e.g. 300 for a soak).
func crashSeconds(t *testing.T) time.Duration {
	s := os.Getenv("RDSCTL_CRASH_SECONDS")
	if s == "" {
		return 3 * time.Second
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("RDSCTL_CRASH_SECONDS=%q: want a positive number of seconds", s)
	}
	return time.Duration(n) * time.Second
}

// TestCrashLoop applies changes in a loop and SIGKILLs the lab process at
// random points (a fixed seed), round after round, for crashSeconds.
// After each restart on the same dir: every acknowledged change is there
// (a create, and the latest value; or the write in flight at the kill,
// applied but unacknowledged), the state file parses, the DB instance is
// adopted or restarted and available, and no mariadbd is left over from
// the killed lab.
func TestCrashLoop(t *testing.T) {
	tmpl := mysqldtest.Template(t)
	dir := t.TempDir()
	env := childTemplateEnv + "=" + tmpl.Dir
	ch := startChild(t, dir, env)
	c := clientFor(ch.endpoint)
	createInstanceExplained(t, c, "crashdb")
	createGroup(t, c, "crash")

	rng := rand.New(rand.NewPCG(18, 2026))
	budget := crashSeconds(t)
	start := time.Now()
	type ack struct{ value, inflight string }
	last := ack{}
	created := map[string]bool{}
	next := 0
	rounds := 0
	for rounds < 2 || time.Since(start) < budget {
		rounds++
		st, err := lab.FetchStatus(ctx, ch.endpoint)
		if err != nil || len(st.Instances) != 1 {
			t.Fatalf("round %d: status %+v %v", rounds, st, err)
		}
		oldEngine := st.Instances[0].EnginePID

		// A writer: one new group, then one change after another, each
		// acknowledged only when the lab answered.
		var mu sync.Mutex
		cur := last
		group := fmt.Sprintf("crash-r%d", rounds)
		groupAcked := false
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(group),
				DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("crash loop")}); err != nil {
				return
			}
			mu.Lock()
			groupAcked = true
			mu.Unlock()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				next++
				// 11-100: never dyn_int's default (10), which AWS, and
				// so the lab, keeps as a default rather than user-set.
				v := strconv.Itoa(next%90 + 11)
				cur.inflight = v
				mu.Unlock()
				if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("crash"),
					Parameters: []types.Parameter{{ParameterName: aws.String("dyn_int"), ParameterValue: aws.String(v), ApplyMethod: types.ApplyMethodImmediate}}}); err != nil {
					return // the lab died under us: not acknowledged
				}
				mu.Lock()
				cur.value = v
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = ch.cmd.Wait()
		mu.Lock()
		last = cur
		if groupAcked {
			created[group] = true
		}
		mu.Unlock()
		close(stop)
		<-done

		// The killed lab's engine dies with it.
		deadline := time.Now().Add(5 * time.Second)
		for !engineGone(oldEngine) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: mariadbd %d outlived its SIGKILLed lab", rounds, oldEngine)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// The state file parses as it lies on disk.
		raw, err := os.ReadFile(filepath.Join(dir, "state.json"))
		if err != nil || !json.Valid(raw) {
			t.Fatalf("round %d: state.json after SIGKILL: %v (%d bytes, valid JSON: %v)", rounds, err, len(raw), json.Valid(raw))
		}

		ch = startChild(t, dir, env)
		c = clientFor(ch.endpoint)
		if last.value != "" {
			got := userParams(t, c, "crash")["dyn_int"]
			if v := aws.ToString(got.ParameterValue); v != last.value && v != last.inflight {
				t.Fatalf("round %d: dyn_int=%q, want the acknowledged %s (or the in-flight %s)", rounds, v, last.value, last.inflight)
			}
		}
		for g := range created {
			if _, err := c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String(g)}); err != nil {
				t.Fatalf("round %d: acknowledged group %s lost: %v", rounds, g, err)
			}
		}
		waitAvailableExplained(t, c, "crashdb")
		st, err = lab.FetchStatus(ctx, ch.endpoint)
		if err != nil || len(st.Instances) != 1 || !proc.Alive(st.Instances[0].EnginePID) {
			t.Fatalf("round %d: instance not adopted or restarted: %+v %v", rounds, st, err)
		}
		if engines := mariadbdServing(t, dir); len(engines) != 1 || engines[0] != st.Instances[0].EnginePID {
			t.Fatalf("round %d: mariadbd processes for %s: %v, want only the lab's engine %d", rounds, dir, engines, st.Instances[0].EnginePID)
		}
	}
	t.Logf("%d rounds in %s; %d changes sent, %d groups created", rounds, time.Since(start).Round(time.Millisecond), next, len(created))
	_ = ch.cmd.Process.Signal(syscall.SIGTERM)
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("clean stop: %v", err)
	}
}

// mariadbdServing lists the live mariadbd processes whose command line
// names a path under dir: the engines of that lab, orphans included.
func mariadbdServing(t *testing.T, dir string) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 0 && filepath.Base(args[0]) == "mariadbd" && strings.Contains(string(b), dir) && proc.Alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
