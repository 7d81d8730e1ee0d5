package main

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

// common lets the parsing tests reach every Options' CommonOptions.
func (c *CommonOptions) common() *CommonOptions { return c }

type withCommon interface{ common() *CommonOptions }

// parser runs a params verb's cobra command on args with a runF that
// captures the Options, and returns them with CommonOptions checked and
// cleared, so that tests compare only what the flags and arguments set.
type parser func(t *testing.T, args []string) (any, error)

func parse[O any](newCmd func(*Factory, func(context.Context, *O) error) *cobra.Command) parser {
	return func(t *testing.T, args []string) (any, error) {
		t.Helper()
		f := testFactory(t, nil)
		var got *O
		cmd := newCmd(f, func(_ context.Context, o *O) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil {
			if got != nil {
				t.Errorf("%v: run called despite %v", args, err)
			}
			return nil, err
		}
		c := any(got).(withCommon).common()
		if c.IO != f.IOStreams || c.Format != ui.FormatTable || c.RDS == nil {
			t.Errorf("%v: common options not filled from the factory: %+v", args, c)
		}
		*c = CommonOptions{}
		return got, nil
	}
}

var (
	parseList   = parse(NewCmdParamsList)
	parseCreate = parse(NewCmdParamsCreate)
	parseShow   = parse(NewCmdParamsShow)
	parseSet    = parse(NewCmdParamsSet)
	parseReset  = parse(NewCmdParamsReset)
	parseDiff   = parse(NewCmdParamsDiff)
	parseCopy   = parse(NewCmdParamsCopy)
	parseDelete = parse(NewCmdParamsDelete)
	parseExport = parse(NewCmdParamsExport)
	parseApply  = parse(NewCmdParamsApply)
	parseAttach = parse(NewCmdParamsAttach)
	// status and wait take CommonOptions too.
	parseStatus = parse(NewCmdStatus)
	parseWait   = parse(NewCmdWait)
)

func as(kv ...string) []params.Assignment {
	var out []params.Assignment
	for i := 0; i < len(kv); i += 2 {
		out = append(out, params.Assignment{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

// TestParamsParsing is the parsing half of every params verb: argv in,
// Options out.
func TestParamsParsing(t *testing.T) {
	tests := []struct {
		name  string
		parse parser
		args  []string
		want  any
	}{
		{"list", parseList, nil, &ParamsListOptions{}},
		{"list flags", parseList, []string{"--family", "aurora-mysql8.0", "--cluster"}, &ParamsListOptions{Family: "aurora-mysql8.0", Cluster: true}},
		{"create", parseCreate, []string{"staging", "--family", "mariadb10.11"},
			&ParamsCreateOptions{Name: "staging", Family: "mariadb10.11", Description: "staging"}},
		{"create flags", parseCreate, []string{"Aurora-1", "--family", " aurora-mysql8.0 ", "--description", "d", "--cluster"},
			&ParamsCreateOptions{Name: "Aurora-1", Family: "aurora-mysql8.0", Description: "d", Cluster: true}},
		{"show", parseShow, []string{"Staging"}, &ParamsShowOptions{Name: "staging", Source: "user"}},
		{"show source", parseShow, []string{"g", "--source", "ALL", "--cluster"}, &ParamsShowOptions{Name: "g", Source: "all", Cluster: true}},
		{"show engine-default", parseShow, []string{"g", "--source=engine-default"}, &ParamsShowOptions{Name: "g", Source: "engine-default"}},
		{"set", parseSet, []string{"Staging", "wait_timeout=300", "init_connect=SET x=1"},
			&ParamsSetOptions{Name: "staging", Assignments: as("wait_timeout", "300", "init_connect", "SET x=1"), Apply: params.ApplyAuto}},
		{"set flags", parseSet, []string{"g", "a=1", "--apply", "pending-reboot", "--dry-run", "--cluster"},
			&ParamsSetOptions{Name: "g", Assignments: as("a", "1"), Apply: params.ApplyPendingReboot, DryRun: true, Cluster: true}},
		{"set same twice", parseSet, []string{"g", "a=1", " a = 1 ", "--apply=IMMEDIATE"},
			&ParamsSetOptions{Name: "g", Assignments: as("a", "1"), Apply: params.ApplyImmediate}},
		{"set formula", parseSet, []string{"g", "max_connections={DBInstanceClassMemory/12582880}"},
			&ParamsSetOptions{Name: "g", Assignments: as("max_connections", "{DBInstanceClassMemory/12582880}"), Apply: params.ApplyAuto}},
		{"reset names", parseReset, []string{"g", "a", "b"}, &ParamsResetOptions{Name: "g", Names: []string{"a", "b"}, Apply: params.ApplyAuto}},
		{"reset all", parseReset, []string{"g", "--all", "--dry-run", "--cluster", "--apply", "pending-reboot"},
			&ParamsResetOptions{Name: "g", All: true, DryRun: true, Cluster: true, Apply: params.ApplyPendingReboot}},
		{"diff defaults", parseDiff, []string{"A"}, &ParamsDiffOptions{A: "a"}},
		{"diff two", parseDiff, []string{"a", "B", "--exit-code", "--cluster"}, &ParamsDiffOptions{A: "a", B: "b", ExitCode: true, Cluster: true}},
		{"copy", parseCopy, []string{"Src", "dst"}, &ParamsCopyOptions{Source: "src", Target: "dst", Description: "copy of src"}},
		{"copy arn", parseCopy, []string{"arn:aws:rds:us-east-1:123456789012:pg:Src", "dst", "--description", "x", "--cluster"},
			&ParamsCopyOptions{Source: "arn:aws:rds:us-east-1:123456789012:pg:Src", Target: "dst", Description: "x", Cluster: true}},
		{"delete", parseDelete, []string{"G", "--cluster"}, &ParamsDeleteOptions{Name: "g", Cluster: true}},
		{"export", parseExport, []string{"a", "B"}, &ParamsExportOptions{Names: []string{"a", "b"}}},
		{"apply", parseApply, []string{"-f", "x.yaml"}, &ParamsApplyOptions{File: "x.yaml", Apply: params.ApplyAuto}},
		{"apply flags", parseApply, []string{"--file=-", "--dry-run", "--apply", "immediate"},
			&ParamsApplyOptions{File: "-", DryRun: true, Apply: params.ApplyImmediate}},
		{"attach", parseAttach, []string{"Staging", "--instance", "DB"},
			&ParamsAttachOptions{Name: "staging", Instance: "db", Timeout: 15 * time.Minute}},
		{"attach reboot", parseAttach, []string{"default.mariadb10.11", "--instance=db", "--reboot", "--timeout", "2m"},
			&ParamsAttachOptions{Name: "default.mariadb10.11", Instance: "db", Reboot: true, Timeout: 2 * time.Minute}},
		{"status", parseStatus, []string{" Staging-DB "}, &StatusOptions{Instance: "staging-db"}},
		{"wait available", parseWait, []string{"db", "--for", "available"},
			&WaitOptions{Instance: "db", For: waitAvailable, Timeout: 15 * time.Minute}},
		{"wait in-sync timeout", parseWait, []string{"db", "--for=IN-SYNC", "--timeout", "90s"},
			&WaitOptions{Instance: "db", For: waitInSync, Timeout: 90 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(t, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

// TestParamsParsingRejects: bad arguments never reach the run function,
// and those rdsctl checks itself are usage errors (exit 2).
func TestParamsParsingRejects(t *testing.T) {
	tests := []struct {
		name  string
		parse parser
		args  []string
		want  string // in the error
	}{
		{"list extra", parseList, []string{"x"}, "unknown command"},
		{"create no family", parseCreate, []string{"g"}, `required flag(s) "family" not set`},
		{"create empty family", parseCreate, []string{"g", "--family", " "}, "--family must not be empty"},
		{"create bad name", parseCreate, []string{"a--b", "--family", "f"}, `invalid parameter group name "a--b"`},
		{"create digit first", parseCreate, []string{"1a", "--family", "f"}, "invalid parameter group name"},
		{"create hyphen last", parseCreate, []string{"a-", "--family", "f"}, "invalid parameter group name"},
		{"create dot", parseCreate, []string{"a.b", "--family", "f"}, "invalid parameter group name"},
		{"create too long", parseCreate, []string{"a" + strings.Repeat("b", 255), "--family", "f"}, "invalid parameter group name"},
		{"create no name", parseCreate, []string{"--family", "f"}, "accepts 1 arg(s)"},
		{"show no name", parseShow, nil, "accepts 1 arg(s)"},
		{"show empty name", parseShow, []string{""}, `invalid parameter group name ""`},
		{"set blank name", parseSet, []string{" ", "a=1"}, "invalid parameter group name"},
		{"diff bad B", parseDiff, []string{"a", "b c"}, `invalid parameter group name "b c"`},
		{"export empty", parseExport, []string{"a", ""}, "invalid parameter group name"},
		{"copy empty source", parseCopy, []string{"", "b"}, "invalid parameter group name"},
		{"delete slash", parseDelete, []string{"a/b"}, "invalid parameter group name"},
		{"show bad source", parseShow, []string{"g", "--source", "users"}, `invalid --source "users"`},
		{"set no changes", parseSet, []string{"g"}, "requires at least 2 arg(s)"},
		{"set no equals", parseSet, []string{"g", "wait_timeout"}, `missing "="`},
		{"set empty value", parseSet, []string{"g", "wait_timeout="}, "empty value"},
		{"set empty name", parseSet, []string{"g", "=1"}, "missing parameter name"},
		{"set bad name", parseSet, []string{"g", "a b=1"}, "invalid parameter name"},
		{"set control char", parseSet, []string{"g", "a=x\ty"}, "control character"},
		{"set conflict", parseSet, []string{"g", "a=1", "a=2"}, "given twice with different values"},
		{"set bad apply", parseSet, []string{"g", "a=1", "--apply", "now"}, `invalid apply mode "now"`},
		{"set default group", parseSet, []string{"default.mysql8.0", "a=1"}, "default parameter group"},
		{"reset nothing", parseReset, []string{"g"}, "name the parameters to reset, or pass --all"},
		{"reset both", parseReset, []string{"g", "a", "--all"}, "not both"},
		{"reset bad name", parseReset, []string{"g", "a=1"}, `invalid parameter name "a=1"`},
		{"reset default", parseReset, []string{"Default.mysql8.0", "--all"}, "default parameter group"},
		{"diff none", parseDiff, nil, "accepts between 1 and 2 arg(s)"},
		{"diff three", parseDiff, []string{"a", "b", "c"}, "accepts between 1 and 2 arg(s)"},
		{"copy one", parseCopy, []string{"a"}, "accepts 2 arg(s)"},
		{"copy bad target", parseCopy, []string{"a", "b_c"}, "invalid parameter group name"},
		{"delete default", parseDelete, []string{"default.mariadb10.11"}, "cannot be deleted"},
		{"delete two", parseDelete, []string{"a", "b"}, "accepts 1 arg(s)"},
		{"export none", parseExport, nil, "requires at least 1 arg(s)"},
		{"apply no file", parseApply, nil, `required flag(s) "file" not set`},
		{"apply args", parseApply, []string{"-f", "x", "y"}, "unknown command"},
		{"apply bad mode", parseApply, []string{"-f", "x", "--apply", "x"}, "invalid apply mode"},
		{"attach no instance", parseAttach, []string{"g"}, `name the DB instance (--instance I) or the cluster (--cluster C)`},
		{"attach empty instance", parseAttach, []string{"g", "--instance", " "}, "invalid DB instance identifier"},
		{"attach bad group", parseAttach, []string{"a b", "--instance", "db"}, "invalid parameter group name"},
		{"attach two", parseAttach, []string{"a", "b", "--instance", "db"}, "accepts 1 arg(s)"},
		{"attach zero timeout", parseAttach, []string{"g", "--instance", "db", "--timeout", "0s"}, "invalid --timeout"},
		{"status two", parseStatus, []string{"a", "b"}, "accepts at most 1 arg(s), received 2"},
		{"status empty", parseStatus, []string{""}, `invalid DB instance identifier ""`},
		{"status underscore", parseStatus, []string{"db_1"}, `invalid DB instance identifier "db_1"`},
		{"status long", parseStatus, []string{strings.Repeat("a", 64)}, "at most 63"},
		{"wait no for", parseWait, []string{"db"}, `required flag(s) "for" not set`},
		{"wait bad for", parseWait, []string{"db", "--for", "ready"}, `invalid --for "ready": want available or in-sync`},
		{"wait settled", parseWait, []string{"db", "--for", "settled"}, `invalid --for "settled"`},
		{"wait zero", parseWait, []string{"db", "--for", "available", "--timeout", "0s"}, "invalid --timeout 0s: it must be positive"},
		{"wait negative", parseWait, []string{"db", "--for", "available", "--timeout", "-1m"}, "invalid --timeout -1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.parse(t, tt.args)
			if err == nil {
				t.Fatalf("%v: no error", tt.args)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			// cobra's own arity and flag errors become usage errors in
			// execute; rdsctl's own checks must be usage errors already.
			if !strings.Contains(err.Error(), "arg(s)") && !strings.Contains(err.Error(), "required flag") &&
				!strings.Contains(err.Error(), "unknown command") && cli.ExitCode(err) != cli.ExitUsage {
				t.Errorf("exit code %d for %q, want 2", cli.ExitCode(err), err)
			}
		})
	}
}

// FuzzParamsSetArgs: parsing `params set` never panics, and anything it
// accepts has a name and a value.
func FuzzParamsSetArgs(f *testing.F) {
	for _, s := range []string{"wait_timeout=300", "=", "a==", "a=b=c", "\x00=1", "a=\x00", "ä=1", "a=ä", " = ", "a=" + strings.Repeat("9", 300), "--", "-x=1"} {
		f.Add("g", s, "auto")
	}
	f.Fuzz(func(t *testing.T, group, arg, mode string) {
		got, err := parseSet(t, []string{group, arg, "--apply", mode})
		if err != nil {
			return
		}
		o := got.(*ParamsSetOptions)
		for _, a := range o.Assignments {
			if a.Name == "" || a.Value == "" {
				t.Fatalf("accepted %q as %+v", arg, a)
			}
		}
	})
}

func TestNeedsReboot(t *testing.T) {
	users := []groupUser{
		{Group: "a", Instance: "db1", ApplyStatus: "in-sync"},
		{Group: "a", Instance: "db2", ApplyStatus: "pending-reboot"},
		{Group: "b", Instance: "db3", ApplyStatus: "in-sync"},
		{Group: "b", Instance: "db1", ApplyStatus: "in-sync"},
		{Group: "c", Cluster: "cl", ApplyStatus: "pending-reboot"}, // no instance: nothing to reboot
		{Group: "cg", Cluster: "cl2", Instance: "m1", ApplyStatus: "in-sync", ClusterGroup: true},
		{Group: "cg", Cluster: "cl2", Instance: "m2", ApplyStatus: "in-sync", ClusterGroup: true},
		// A DB group on an Aurora member.
		{Group: "d", Cluster: "cl2", Instance: "m1", ApplyStatus: "in-sync"},
	}
	for _, tc := range []struct {
		pending   map[string]bool
		ids, cmds []string
	}{
		{map[string]bool{}, []string{"db2"}, []string{"rdsctl params converge a"}},
		{map[string]bool{"b": true}, []string{"db1", "db2", "db3"}, []string{"rdsctl params converge a", "rdsctl params converge b"}},
		// A cluster parameter group is named with its kind.
		{map[string]bool{"cg": true}, []string{"db2", "m1", "m2"}, []string{"rdsctl params converge a", "rdsctl params converge cg --kind cluster"}},
		// A DB group on an Aurora member is converged by rolling its
		// cluster: converging the group itself refuses Aurora members.
		{map[string]bool{"d": true}, []string{"db2", "m1"}, []string{"rdsctl params converge --cluster cl2", "rdsctl params converge a"}},
	} {
		ids, cmds := needsReboot(users, tc.pending)
		if !reflect.DeepEqual(ids, tc.ids) || !reflect.DeepEqual(cmds, tc.cmds) {
			t.Errorf("pending %v: %q, %q; want %q, %q", tc.pending, ids, cmds, tc.ids, tc.cmds)
		}
	}
	if got, _ := needsReboot(nil, map[string]bool{"a": true}); got == nil || len(got) != 0 {
		t.Errorf("no users: %#v", got)
	}
}

func TestReportRebootPointsAtConverge(t *testing.T) {
	ios, _, _, errOut := ui.Test()
	reportReboot(ios, []string{"db1", "db2", "m1"}, []string{"rdsctl params converge a", "rdsctl params converge cg --kind cluster"}, true)
	want := "reboot needed for pending-reboot changes to take effect: db1, db2, m1 (rdsctl params converge a; rdsctl params converge cg --kind cluster restarts them one at a time and verifies)"
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("said %q, want %q", errOut, want)
	}
}

func TestReportUsers(t *testing.T) {
	ios, _, _, errOut := ui.Test()
	reportUsers(ios, nil, false, false)
	if errOut.Len() != 0 {
		t.Errorf("unknown users printed %q", errOut)
	}
	reportUsers(ios, []groupUser{{Group: "a", Instance: "db1", ApplyStatus: "in-sync"}, {Group: "a", Cluster: "c", Instance: "w"}}, true, true)
	if got, want := errOut.String(), "  used by: db1 (a, in-sync), c/w (a)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEllipsize(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "abc", "abcd": "abcd", "abcde": "abc…", "äöüßé": "äöü…"} {
		if got := ellipsize(in, 4); got != want {
			t.Errorf("ellipsize(%q, 4) = %q, want %q", in, got, want)
		}
	}
}
