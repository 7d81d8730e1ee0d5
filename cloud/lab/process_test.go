package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
)

// childEnv makes the test binary serve a lab from the named dir instead of
// running tests, so that a test can kill -9 a real lab process.
const childEnv = "RDSCTL_LAB_TEST_CHILD_DIR"

// childTemplateEnv, when set, gives the child lab real engines cloned from
// that template dir.
const childTemplateEnv = "RDSCTL_LAB_TEST_CHILD_TEMPLATE"

func runChild(dir string) int {
	// Its diagnostics (a failed engine start, a template that could not
	// be prepared) go to stderr, which the parent test passes through.
	opts := lab.Options{Dir: dir, NoEngine: true, Logf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}}
	if tmpl := os.Getenv(childTemplateEnv); tmpl != "" {
		opts.NoEngine, opts.TemplateDir = false, tmpl
	}
	l, err := lab.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := l.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("READY %s\n", l.Endpoint())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case <-l.Done():
	case <-sig:
	}
	if err := l.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type child struct {
	cmd      *exec.Cmd
	endpoint string
}

func startChild(t *testing.T, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+dir), env...)
	// The child's diagnostics are shown only if the test fails; this
	// cleanup runs after the one below has reaped the child.
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	cmd.WaitDelay = 10 * time.Second // nothing the child starts may hold the pipe, but never hang on it
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("child lab (pid %d) stderr:\n%s", cmd.Process.Pid, stderr.String())
		}
	})
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "READY ") {
		t.Fatalf("child lab did not start: %q %v", line, err)
	}
	return &child{cmd: cmd, endpoint: strings.TrimSpace(strings.TrimPrefix(line, "READY "))}
}

func clientFor(endpoint string) *rds.Client {
	return rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(labtest.AccessKeyID, labtest.SecretAccessKey, "")})
}

// TestKill9LosesNoAcknowledgedChange makes changes from several goroutines,
// SIGKILLs the lab mid-stream, and checks on restart that every change the
// lab acknowledged is there.
func TestKill9LosesNoAcknowledgedChange(t *testing.T) {
	dir := t.TempDir()
	ch := startChild(t, dir)
	c := clientFor(ch.endpoint)

	// While it runs, nobody else may serve from the dir.
	if _, err := lab.New(lab.Options{Dir: dir}); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("a lab is already running in %s (pid %d)", dir, ch.cmd.Process.Pid)) {
		t.Fatalf("second lab on a live dir: %v", err)
	}
	ri, err := lab.ReadRunInfo(dir)
	if err != nil || ri.PID != ch.cmd.Process.Pid || ri.Endpoint != ch.endpoint {
		t.Fatalf("run info %+v %v", ri, err)
	}

	var mu sync.Mutex
	acked := map[string]string{} // group -> last acknowledged dyn_int
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("kill-%d", w)
			if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(name),
				DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")}); err != nil {
				return
			}
			mu.Lock()
			acked[name] = ""
			mu.Unlock()
			for i := 1; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fmt.Sprint(i%100 + 1)
				_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(name),
					Parameters: []types.Parameter{{ParameterName: aws.String("dyn_int"), ParameterValue: aws.String(v), ApplyMethod: types.ApplyMethodImmediate}}})
				if err != nil {
					return // the lab died under us: not acknowledged
				}
				mu.Lock()
				acked[name] = v
				mu.Unlock()
			}
		}()
	}
	// Kill once every writer has had a change acknowledged, so that the
	// kill lands among writes in flight. The lock stays held from here:
	// it freezes the acknowledged set at the moment of the kill.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		modified := 0
		for _, v := range acked {
			if v != "" {
				modified++
			}
		}
		if modified == 4 {
			break
		}
		mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 4 writers had a change acknowledged within 30s", modified)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ch.cmd.Wait()
	snapshot := map[string]string{}
	for k, v := range acked {
		snapshot[k] = v
	}
	mu.Unlock()
	close(stop)
	wg.Wait()
	if len(snapshot) == 0 {
		t.Fatal("no change was acknowledged before the kill")
	}
	if _, err := os.Stat(filepath.Join(dir, "lab.json")); err != nil {
		t.Fatalf("a SIGKILLed lab should leave lab.json behind: %v", err)
	}

	// The restarted lab takes over the stale dir and has every change.
	ch2 := startChild(t, dir)
	c2 := clientFor(ch2.endpoint)
	for name, v := range snapshot {
		u := userParams(t, c2, name)
		if v == "" {
			continue // created, never modified before the kill
		}
		got, ok := u["dyn_int"]
		if !ok {
			t.Fatalf("%s: acknowledged dyn_int=%s lost", name, v)
		}
		// A change may have landed after the snapshot (applied, but its
		// response lost): it is then a later value, never an older one.
		if *got.ParameterValue != v {
			t.Logf("%s: dyn_int=%s, last acknowledged %s (a later unacknowledged write landed)", name, *got.ParameterValue, v)
		}
	}
	if err := lab.Shutdown(ctx, ch2.endpoint); err != nil {
		t.Fatal(err)
	}
	if err := ch2.cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
}

// TestCleanRestartResumes stops a lab through /_lab/shutdown and starts
// another on the same dir.
func TestCleanRestartResumes(t *testing.T) {
	dir := t.TempDir()
	ch := startChild(t, dir)
	c := clientFor(ch.endpoint)
	createGroupOn(t, c, "keep-me")
	if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("keep-me"),
		Parameters: []types.Parameter{param("static_int", "33", types.ApplyMethodPendingReboot)}}); err != nil {
		t.Fatal(err)
	}
	st, err := lab.FetchStatus(ctx, ch.endpoint)
	if err != nil || st.PID != ch.cmd.Process.Pid || st.Endpoint != ch.endpoint || st.Dir != dir || st.Instances == nil || st.Outages == nil {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := lab.Shutdown(ctx, ch.endpoint); err != nil {
		t.Fatal(err)
	}
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v", err)
	}
	if _, err := lab.ReadRunInfo(dir); err == nil {
		t.Fatal("lab.json survives a clean shutdown")
	}

	// In-process this time: the state is the same whoever reads it.
	l, err := lab.New(lab.Options{Dir: dir, NoEngine: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	u := userParams(t, clientFor(l.Endpoint()), "keep-me")
	if got := u["static_int"]; got.ParameterValue == nil || *got.ParameterValue != "33" || got.ApplyMethod != types.ApplyMethodPendingReboot {
		t.Fatalf("after restart: %+v", u)
	}
}

func createGroupOn(t *testing.T, c *rds.Client, name string) { createGroup(t, c, name) }

// TestKill9LeavesNoEngineBehind SIGKILLs a lab that runs a DB instance: its
// mariadbd must die with it (no orphan holding the datadir), and a new lab
// on the same dir must bring the instance back with its data.
func TestKill9LeavesNoEngineBehind(t *testing.T) {
	tmpl := mysqldtest.Template(t)
	dir := t.TempDir()
	ch := startChild(t, dir, childTemplateEnv+"="+tmpl.Dir)
	c := clientFor(ch.endpoint)
	in := createInstanceExplained(t, c, "survivor")
	db := openDB(t, in)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE acked"); err != nil {
		t.Fatal(err)
	}
	st, err := lab.FetchStatus(ctx, ch.endpoint)
	if err != nil || len(st.Instances) != 1 || st.Instances[0].EnginePID == 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	enginePID := st.Instances[0].EnginePID

	ch.cmd.Process.Kill()
	ch.cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for !engineGone(enginePID) {
		if time.Now().After(deadline) {
			t.Fatalf("mariadbd %d outlived its SIGKILLed lab", enginePID)
		}
		time.Sleep(20 * time.Millisecond)
	}

	ch = startChild(t, dir, childTemplateEnv+"="+tmpl.Dir)
	c = clientFor(ch.endpoint)
	again := waitAvailableExplained(t, c, "survivor")
	if aws.ToInt32(again.Endpoint.Port) != aws.ToInt32(in.Endpoint.Port) {
		t.Fatalf("endpoint moved from %d to %d", aws.ToInt32(in.Endpoint.Port), aws.ToInt32(again.Endpoint.Port))
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='acked'").Scan(&name); err != nil {
		t.Fatalf("data after restart: %v", err)
	}
	ch.cmd.Process.Signal(syscall.SIGTERM)
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("clean stop: %v", err)
	}
}

// engineGone reports whether pid has exited: no task (thread) of it is
// alive. A zombie leader alone counts (its reaper died with the lab), but
// not while its other threads still exit: they hold the datadir's locks.
func engineGone(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return true
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X') {
			return false
		}
	}
	return true
}

// createInstanceExplained is createInstance for a lab in another process:
// if the instance fails, the test says why (the lab's events), since the
// child's own diagnostics are not the test's.
func createInstanceExplained(t *testing.T, c *rds.Client, id string) types.DBInstance {
	t.Helper()
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"),
		MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)}); err != nil {
		t.Fatalf("creating %s: %v", id, err)
	}
	return waitAvailableExplained(t, c, id)
}

// waitAvailableExplained waits until id is available; on failure it
// reports the instance's status and events, which carry the reason an
// engine did not start.
func waitAvailableExplained(t *testing.T, c *rds.Client, id string) types.DBInstance {
	t.Helper()
	err := cloud.WaitInstanceAvailable(ctx, c, id, 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	})
	if err != nil {
		var why []string
		if ev, eerr := c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: aws.String(id),
			SourceType: types.SourceTypeDbInstance, Duration: aws.Int32(60)}); eerr == nil {
			for _, e := range ev.Events {
				why = append(why, aws.ToString(e.Message))
			}
		}
		t.Fatalf("waiting for %s: %v; its events: %q", id, err, why)
	}
	in, err := cloud.FindInstance(ctx, c, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// syncBuffer is a bytes.Buffer that a child's output can be copied into
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
