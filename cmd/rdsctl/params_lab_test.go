package main

// The behaviour half of the params verbs: Options in, against a real lab
// served in-process (labtest), with the TTY off and on, asserting on the
// exact stdout and, through requests.jsonl, on which calls were made.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

type paramsEnv struct {
	t   *testing.T
	lab *lab.Lab
	rds *rds.Client
	ctx context.Context
}

func newParamsEnv(t *testing.T) *paramsEnv {
	t.Helper()
	l := labtest.Start(t)
	return &paramsEnv{t: t, lab: l, rds: labtest.Client(t, l), ctx: context.Background()}
}

// common returns options for api (the lab's client unless given) and
// fresh piped streams; yes is the global --yes.
func (e *paramsEnv) common(api cloud.RDS, yes bool) (CommonOptions, *ui.IOStreams, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := ui.Test()
	ios.AssumeYes = yes
	if api == nil {
		api = e.rds
	}
	return CommonOptions{IO: ios, Format: ui.FormatTable, RDS: func(context.Context) (cloud.RDS, error) { return api, nil }}, ios, out, errOut
}

func (e *paramsEnv) createGroup(name string) {
	e.t.Helper()
	c, _, _, _ := e.common(nil, false)
	if err := paramsCreateRun(e.ctx, &ParamsCreateOptions{CommonOptions: c, Name: name, Family: "mariadb10.11", Description: "test"}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *paramsEnv) set(group string, kv ...string) {
	e.t.Helper()
	c, _, _, errOut := e.common(nil, true)
	if err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: group, Assignments: as(kv...), Apply: params.ApplyAuto}); err != nil {
		e.t.Fatalf("set: %v\n%s", err, errOut)
	}
}

// calls lists "Action status code" for the mutating requests since mark.
func (e *paramsEnv) calls(mark int) []string {
	e.t.Helper()
	var out []string
	for _, r := range labtest.Mutations(e.t, e.lab)[mark:] {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %d %s", r.Action, r.Status, r.Code)))
	}
	return out
}

func (e *paramsEnv) mark() int { return len(labtest.Mutations(e.t, e.lab)) }

func TestParamsShowOutput(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	e.set("g", "wait_timeout", "300", "innodb_log_buffer_size", "33554432")

	c, _, out, _ := e.common(nil, false)
	if err := paramsShowRun(e.ctx, &ParamsShowOptions{CommonOptions: c, Name: "g", Source: cloud.SourceUser}); err != nil {
		t.Fatal(err)
	}
	want := "innodb_log_buffer_size\t33554432\tuser\tstatic\tinteger\tyes\tpending-reboot\t2097152-2147479552\n" +
		"wait_timeout\t300\tuser\tdynamic\tinteger\tyes\timmediate\t1-31536000\n"
	if out.String() != want {
		t.Errorf("piped:\n%s\nwant\n%s", out, want)
	}

	c, ios, out, _ := e.common(nil, false)
	ios.SetTTY(true)
	ios.DisableColor()
	if err := paramsShowRun(e.ctx, &ParamsShowOptions{CommonOptions: c, Name: "g", Source: cloud.SourceUser}); err != nil {
		t.Fatal(err)
	}
	want = "NAME                    VALUE     SOURCE  APPLY TYPE  DATA TYPE  MODIFIABLE  APPLY METHOD    ALLOWED VALUES\n" +
		"innodb_log_buffer_size  33554432  user    static      integer    yes         pending-reboot  2097152-2147479552\n" +
		"wait_timeout            300       user    dynamic     integer    yes         immediate       1-31536000\n"
	if out.String() != want {
		t.Errorf("tty:\n%s\nwant\n%s", out, want)
	}

	c, _, out, _ = e.common(nil, false)
	c.Format = ui.FormatJSON
	if err := paramsShowRun(e.ctx, &ParamsShowOptions{CommonOptions: c, Name: "g", Source: cloud.SourceAll}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"name": "wait_timeout",`, `"value": "300",`, `"allowed_values": "1-31536000",`, `"is_modifiable": true,`, `"source": "user",`, `"apply_method": "immediate"`} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("json lacks %s", s)
		}
	}
}

func TestParamsSetDryRunOutput(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	e.set("g", "wait_timeout", "300")
	mark := e.mark()
	c, ios, out, errOut := e.common(nil, false)
	ios.SetTTY(true)
	ios.DisableColor()
	err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: as("wait_timeout", "600", "slow_query_log", "ON", "max_connections", "LEAST({ DBInstanceClassMemory/25165760 }, 12000)"),
		Apply: params.ApplyAuto, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "CHUNK  PARAMETER       CURRENT  NEW  APPLY TYPE  APPLY METHOD\n" +
		"1      slow_query_log  -        1    dynamic     immediate\n" +
		"1      wait_timeout    300      600  dynamic     immediate\n"
	if out.String() != want {
		t.Errorf("tty:\n%s\nwant\n%s", out, want)
	}
	for _, s := range []string{"parameter group g: 2 changes in 1 call", "max_connections: " + params.EngineDefaultNote, "dry run: nothing was sent"} {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	if got := e.calls(mark); len(got) != 0 {
		t.Errorf("dry run made calls: %q", got)
	}
}

// TestParamsConfirmOnTTY: on a terminal, set and delete ask; "y" goes
// ahead, anything else cancels (exit 2) with nothing sent.
func TestParamsConfirmOnTTY(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	for _, tt := range []struct {
		answer string
		calls  int
	}{{"n\n", 0}, {"\n", 0}, {"", 0}, {"yes\n", 1}} {
		mark := e.mark()
		c, ios, _, errOut := e.common(nil, false)
		ios.SetTTY(true)
		ios.In = strings.NewReader(tt.answer)
		err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: as("wait_timeout", fmt.Sprint(100+len(tt.answer))), Apply: params.ApplyAuto})
		if tt.calls == 0 && (!errors.Is(err, cli.ErrCanceled) || cli.ExitCode(err) != cli.ExitUsage) {
			t.Errorf("answer %q: err = %v", tt.answer, err)
		}
		if tt.calls == 1 && err != nil {
			t.Errorf("answer %q: err = %v", tt.answer, err)
		}
		if !strings.Contains(errOut.String(), "Modify parameter group g (1 change in 1 call)? [y/N]") {
			t.Errorf("no prompt: %q", errOut)
		}
		if got := e.calls(mark); len(got) != tt.calls {
			t.Errorf("answer %q: calls %q", tt.answer, got)
		}
	}

	c, ios, _, _ := e.common(nil, false)
	ios.SetTTY(true)
	ios.In = strings.NewReader("n\n")
	if err := paramsDeleteRun(e.ctx, &ParamsDeleteOptions{CommonOptions: c, Name: "g"}); !errors.Is(err, cli.ErrCanceled) {
		t.Errorf("delete answered no: %v", err)
	}
	if _, err := cloud.FindParameterGroup(e.ctx, e.rds, "g"); err != nil {
		t.Errorf("group gone after a no: %v", err)
	}
}

// refuseSecondModify makes the lab refuse the second
// ModifyDBParameterGroup call from now on, once, with the error AWS gives
// an invalid value (the lab's fault injection): the calls before it land,
// that one is refused, the rest are never sent, which is how a real
// partial failure looks.
func (e *paramsEnv) refuseSecondModify() {
	e.t.Helper()
	if err := lab.InjectFault(e.lab.Endpoint(), lab.Fault{Action: "ModifyDBParameterGroup", Skip: 1, Count: 1,
		Code: "InvalidParameterValue", Message: refusedMessage}); err != nil {
		e.t.Fatal(err)
	}
}

const refusedMessage = "Invalid parameter value: refused by the lab's fault injection"

// fortyFive are dynamic integer parameters of mariadb10.11 with a valid
// value other than their default, none co-dependent: 3 chunks (20, 20, 5).
func fortyFive(t *testing.T, e *paramsEnv) []params.Assignment {
	t.Helper()
	ps, err := cloud.AllEngineDefaultParameters(e.ctx, e.rds, "mariadb10.11")
	if err != nil {
		t.Fatal(err)
	}
	var out []params.Assignment
	for _, p := range ps {
		lo, hi, ok := strings.Cut(aws.ToString(p.AllowedValues), "-")
		if len(out) == 45 || !ok || aws.ToString(p.ApplyType) != "dynamic" || aws.ToString(p.DataType) != "integer" ||
			!aws.ToBool(p.IsModifiable) || strings.HasPrefix(aws.ToString(p.ParameterName), "binlog_row") || len(lo) > 6 || len(hi) < 3 {
			continue
		}
		v := lo + "1" // lo*10+1: within range for these, and not the default
		if v == aws.ToString(p.ParameterValue) || params.Validate(params.NewMetadata([]types.Parameter{p}), []params.Assignment{{Name: *p.ParameterName, Value: v}}, params.ApplyAuto) != nil {
			continue
		}
		out = append(out, params.Assignment{Name: aws.ToString(p.ParameterName), Value: v})
	}
	if len(out) < 45 {
		if os.Getenv("CI") != "" {
			t.Fatalf("only %d suitable parameters; 45 are needed (under CI the lab's catalog must have them)", len(out))
		}
		t.Skipf("only %d suitable parameters", len(out))
	}
	return out
}

// TestParamsSetPartialFailure: chunk 2 of 3 is refused by the lab; the
// command says exactly which chunks landed, exits 1, and re-running the
// same command converges.
func TestParamsSetPartialFailure(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	changes := fortyFive(t, e)
	mark := e.mark()
	e.refuseSecondModify()
	c, _, out, errOut := e.common(nil, true)
	c.Format = ui.FormatJSON
	err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: changes, Apply: params.ApplyAuto})
	var pe *params.PartialError
	if !errors.As(err, &pe) || cli.ExitCode(err) != cli.ExitFailure {
		t.Fatalf("err = %v, want a *PartialError exiting 1", err)
	}
	if len(pe.Landed) != 1 || pe.Failed != 1 || len(pe.NotApplied) != 2 || pe.Uncertain {
		t.Errorf("partial = %+v", pe)
	}
	if got, want := strings.Join(e.calls(mark), "|"), "ModifyDBParameterGroup 200|ModifyDBParameterGroup 400 InvalidParameterValue"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	for _, s := range []string{
		"✓ g: chunk 1 of 3 landed (20 parameters)",
		"✓ chunk 1 of 3 landed: " + pe.Landed[0].Names()[0] + " ",
		"✗ chunk 2 of 3 refused (InvalidParameterValue: " + refusedMessage,
		"✗ chunk 3 of 3 not sent: ",
		"run the same command again to finish",
	} {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	for _, s := range []string{`"status": "partial",`, `"total_chunks": 3,`, `"failed": 1,`, `"landed": [`, `"not_applied": [`, `"error": "modifying parameter group (g): chunk 2 of 3 failed`} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("json lacks %s:\n%s", s, out)
		}
	}

	// The same command again: the 20 that landed are no-ops, 25 remain.
	mark = e.mark()
	c, _, _, errOut = e.common(nil, true)
	if err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: changes, Apply: params.ApplyAuto}); err != nil {
		t.Fatal(err)
	}
	if got := e.calls(mark); len(got) != 2 {
		t.Errorf("re-run calls = %q, want 2", got)
	}
	if !strings.Contains(errOut.String(), "25 changes in 2 calls") {
		t.Errorf("re-run stderr:\n%s", errOut)
	}
	mark = e.mark()
	c, _, _, errOut = e.common(nil, true)
	if err := paramsSetRun(e.ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: changes, Apply: params.ApplyAuto}); err != nil {
		t.Fatal(err)
	}
	if got := e.calls(mark); len(got) != 0 || !strings.Contains(errOut.String(), "nothing to change") {
		t.Errorf("third run: calls %q, stderr %s", got, errOut)
	}
}

// interrupt cancels the command's context once the first Modify has
// landed, as Ctrl-C would between two chunks.
type interrupt struct {
	*rds.Client
	cancel context.CancelFunc
}

func (i *interrupt) ModifyDBParameterGroup(ctx context.Context, in *rds.ModifyDBParameterGroupInput, opts ...func(*rds.Options)) (*rds.ModifyDBParameterGroupOutput, error) {
	out, err := i.Client.ModifyDBParameterGroup(ctx, in, opts...)
	i.cancel()
	return out, err
}

func TestParamsSetInterrupted(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	changes := fortyFive(t, e)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	mark := e.mark()
	c, _, _, errOut := e.common(&interrupt{Client: e.rds, cancel: cancel}, true)
	err := paramsSetRun(ctx, &ParamsSetOptions{CommonOptions: c, Name: "g", Assignments: changes, Apply: params.ApplyAuto})
	var pe *params.PartialError
	if !errors.As(err, &pe) || !cli.IsInterrupted(err) || pe.Failed != -1 || len(pe.Landed) != 1 {
		t.Fatalf("err = %v (%+v)", err, pe)
	}
	if got := e.calls(mark); len(got) != 1 {
		t.Errorf("calls = %q, want the first chunk only", got)
	}
	for _, s := range []string{"✓ chunk 1 of 3 landed: ", "✗ chunk 2 of 3 not sent: ", "✗ chunk 3 of 3 not sent: "} {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
}

// TestParamsApplyPartialFailure: a file whose second change chunk the lab
// refuses; the report names the chunks, and re-applying converges.
func TestParamsApplyPartialFailure(t *testing.T) {
	e := newParamsEnv(t)
	changes := fortyFive(t, e)[:25]
	var b strings.Builder
	b.WriteString("groups:\n  - name: from-file\n    family: mariadb10.11\n    parameters:\n")
	for _, a := range changes {
		fmt.Fprintf(&b, "      %s: %s\n", a.Name, a.Value)
	}
	path := filepath.Join(t.TempDir(), "desired.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mark := e.mark()
	e.refuseSecondModify()
	c, _, _, errOut := e.common(nil, true)
	err := paramsApplyRun(e.ctx, &ParamsApplyOptions{CommonOptions: c, File: path, Apply: params.ApplyAuto})
	var pe *params.PartialError
	if !errors.As(err, &pe) || len(pe.Landed) != 1 || pe.Failed != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "action 2 of 2 (change from-file) failed, 1 completed") {
		t.Errorf("err = %v", err)
	}
	if got, want := strings.Join(e.calls(mark), "|"), "CreateDBParameterGroup 200|ModifyDBParameterGroup 200|ModifyDBParameterGroup 400 InvalidParameterValue"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if !strings.Contains(errOut.String(), "✗ chunk 2 of 2 refused (InvalidParameterValue") {
		t.Errorf("stderr:\n%s", errOut)
	}
	for i, want := range []int{1, 0} {
		mark = e.mark()
		c, _, _, _ = e.common(nil, true)
		if err := paramsApplyRun(e.ctx, &ParamsApplyOptions{CommonOptions: c, File: path, Apply: params.ApplyAuto}); err != nil {
			t.Fatal(err)
		}
		if got := e.calls(mark); len(got) != want {
			t.Errorf("run %d after the failure: calls %q, want %d", i+1, got, want)
		}
	}
}

// TestParamsWeirdArgs drives the whole command tree, through the real
// factory and AWS configuration, with odd arguments: nothing panics,
// every exit code is one of the contract's, and nothing refused with exit
// 2 reached the lab as a mutating call.
func TestParamsWeirdArgs(t *testing.T) {
	e := newParamsEnv(t)
	e.createGroup("g")
	for _, kv := range labtest.Env(e.lab) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	long := strings.Repeat("x", 70000)
	cases := [][]string{
		{"params"}, {"params", "bogus"}, {"params", "set"}, {"params", "set", "g", "="}, {"params", "set", "g", "=="},
		{"params", "set", "g", "a==b"}, {"params", "set", "g", "wait_timeout=\x00"}, {"params", "set", "g", "wait_timeout=\xff\xfe"},
		{"params", "set", "g", "wait_timeout=𝔘"}, {"params", "set", "g", long + "=1"}, {"params", "set", "g", "wait_timeout=" + long},
		{"params", "set", "g", "wait_timeout=" + strings.Repeat("9", 400)}, {"params", "set", "", "a=1"}, {"params", "set", " ", "a=1"},
		{"params", "set", "g", "init_connect=SET x=1", "--dry-run"}, {"params", "set", "g", "max_connections={DBInstanceClassMemory/0}"},
		{"params", "set", "g", "max_connections={"}, {"params", "set", "g", "max_connections=}{"}, {"params", "set", "g", "sql_mode=,,,"},
		{"params", "set", "g", "wait_timeout=-1"}, {"params", "set", "g", "wait_timeout=1e3"}, {"params", "set", "g", "wait_timeout=0x10"},
		{"params", "set", "g", "slow_query_log=maybe"}, {"params", "set", "g", "gtid-mode=ON", "--apply", "immediate"},
		{"params", "set", "nosuch", "wait_timeout=1", "--yes"}, {"params", "set", "g", "wait_timeout=1", "--apply", ""},
		{"params", "reset", "g", "--all", "--apply", "immediate", "--dry-run"}, {"params", "reset", "g", ""}, {"params", "reset", "", "--all"},
		{"params", "show", "g", "--source", ""}, {"params", "show", ""}, {"params", "show", long}, {"params", "show", "g", "-o", "yaml"},
		{"params", "diff", "", ""}, {"params", "diff", "g", "g", "--exit-code"}, {"params", "copy", "arn:", "x"},
		{"params", "copy", "arn:aws:rds:us-east-1:1:pg:g", "copied"}, {"params", "delete", "--", "-g"}, {"params", "delete", ""},
		{"params", "apply", "-f", ""}, {"params", "apply", "-f", "/dev/null"}, {"params", "apply", "-f", "/"}, {"params", "apply", "-f", "-"},
		{"params", "export", "g", "g", "G"}, {"params", "export", ""}, {"params", "list", "--family", ""}, {"params", "list", "--family", long},
		{"params", "create", "g2", "--family", "mariadb10.11", "--description", "\x01"}, {"params", "create", "g3", "--family", long},
	}
	for _, args := range cases {
		name := strings.Join(args, " ")
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			ios, _, _, errOut := ui.Test()
			mark := e.mark()
			code := execute(e.ctx, newFactory(ios), args)
			if code < 0 || code > 3 {
				t.Fatalf("exit %d", code)
			}
			if code == cli.ExitUsage {
				// Exit 2 means nothing changed: no mutating call, or
				// only ones AWS refused as invalid input.
				for _, c := range e.calls(mark) {
					if !strings.Contains(c, " 400 Invalid") && !strings.Contains(c, " 400 MissingParameter") {
						t.Errorf("exit 2 but mutating call %q", c)
					}
				}
			}
			if code != 0 && strings.Count(errOut.String(), "rdsctl: ") == 0 {
				t.Errorf("exit %d without an error line: %q", code, errOut)
			}
		})
	}
}

// BenchmarkParamsShowJSON is the in-process cost of
// `params show G --source all -o json`: four pages from the lab, the
// conversion and the encoding (bench/run measures the binary).
func BenchmarkParamsShowJSON(b *testing.B) {
	l := labtest.Start(b)
	api := labtest.Client(b, l)
	ctx := context.Background()
	if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("bench"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	ios, _, _, _ := ui.Test()
	ios.Out = io.Discard
	opts := &ParamsShowOptions{CommonOptions: CommonOptions{IO: ios, Format: ui.FormatJSON,
		RDS: func(context.Context) (cloud.RDS, error) { return api, nil }}, Name: "bench", Source: cloud.SourceAll}
	b.ReportAllocs()
	for b.Loop() {
		if err := paramsShowRun(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}
