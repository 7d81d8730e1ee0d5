package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

func statusInstance() types.DBInstance {
	created := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return types.DBInstance{
		DBInstanceIdentifier: aws.String("staging-db"), DBInstanceStatus: aws.String("available"),
		Endpoint: &types.Endpoint{Address: aws.String("127.0.0.1"), Port: aws.Int32(40001)},
		Engine:   aws.String("mariadb"), EngineVersion: aws.String("10.11.9"), DBInstanceClass: aws.String("db.t3.micro"),
		MultiAZ: aws.Bool(true), AvailabilityZone: aws.String("us-east-1a"), SecondaryAvailabilityZone: aws.String("us-east-1b"),
		DBParameterGroups: []types.DBParameterGroupStatus{
			{DBParameterGroupName: aws.String("staging"), ParameterApplyStatus: aws.String("pending-reboot")}},
		PendingModifiedValues: &types.PendingModifiedValues{DBInstanceClass: aws.String("db.t3.small"), MultiAZ: aws.Bool(false)},
		InstanceCreateTime:    &created,
	}
}

// TestPrintInstanceStatus is the behaviour half of status: an instance in,
// the exact block out, piped and on a terminal.
func TestPrintInstanceStatus(t *testing.T) {
	rep := newInstanceStatus(statusInstance())
	t.Run("piped", func(t *testing.T) {
		ios, _, out, errOut := ui.Test()
		if err := printInstanceStatus(ios, rep); err != nil {
			t.Fatal(err)
		}
		want := "instance:\tstaging-db\n" +
			"endpoint:\t127.0.0.1:40001\n" +
			"status:\tavailable\n" +
			"engine:\tmariadb 10.11.9\n" +
			"class:\tdb.t3.micro\n" +
			"multi-az:\tyes\n" +
			"availability zone:\tus-east-1a\n" +
			"secondary availability zone:\tus-east-1b\n" +
			"parameter group:\tstaging (pending-reboot: a reboot is needed to apply its changes)\n" +
			"pending modifications:\tDBInstanceClass=db.t3.small, MultiAZ=false\n" +
			"created:\t2026-03-04T05:06:07Z\n"
		if out.String() != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
		if errOut.Len() != 0 {
			t.Errorf("stderr %q", errOut)
		}
	})
	t.Run("tty", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		ios.DisableColor()
		if err := printInstanceStatus(ios, rep); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			"instance:                     staging-db\n",
			"secondary availability zone:  us-east-1b\n",
			"parameter group:              staging (pending-reboot: a reboot is needed to apply its changes)\n",
		} {
			if !strings.Contains(out.String(), line) {
				t.Errorf("no %q in\n%s", line, out)
			}
		}
	})
	t.Run("tty colour", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		if err := printInstanceStatus(ios, rep); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\x1b[33mpending-reboot: a reboot is needed") {
			t.Errorf("pending-reboot not highlighted:\n%q", out)
		}
	})
	t.Run("single-AZ, creating", func(t *testing.T) {
		in := types.DBInstance{DBInstanceIdentifier: aws.String("new"), DBInstanceStatus: aws.String("creating"),
			PendingModifiedValues: &types.PendingModifiedValues{}}
		ios, _, out, _ := ui.Test()
		if err := printInstanceStatus(ios, newInstanceStatus(in)); err != nil {
			t.Fatal(err)
		}
		want := "instance:\tnew\nendpoint:\t-\nstatus:\tcreating\nengine:\t-\nclass:\t-\nmulti-az:\tno\navailability zone:\t-\n" +
			"parameter group:\t-\npending modifications:\tnone\ncreated:\t-\n"
		if out.String() != want {
			t.Errorf("got\n%q\nwant\n%q", out, want)
		}
	})
}

// TestInstanceStatusJSON pins the snake_case keys of status -o json.
func TestInstanceStatusJSON(t *testing.T) {
	ios, _, out, _ := ui.Test()
	if err := ios.PrintJSON(newInstanceStatus(statusInstance())); err != nil {
		t.Fatal(err)
	}
	want := `{
  "instance": "staging-db",
  "status": "available",
  "endpoint": "127.0.0.1:40001",
  "engine": "mariadb",
  "engine_version": "10.11.9",
  "instance_class": "db.t3.micro",
  "multi_az": true,
  "availability_zone": "us-east-1a",
  "secondary_availability_zone": "us-east-1b",
  "parameter_groups": [
    {
      "name": "staging",
      "parameter_apply_status": "pending-reboot"
    }
  ],
  "needs_reboot": true,
  "pending_modified_values": {
    "db_instance_class": "db.t3.small",
    "multi_az": false
  },
  "instance_create_time": "2026-03-04T05:06:07Z"
}
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestPendingKeysNamed: every member of the SDK's PendingModifiedValues
// has a line in pendingChanges, so that a member the SDK adds is a failing
// test here rather than a key that silently never shows.
func TestPendingKeysNamed(t *testing.T) {
	var p types.PendingModifiedValues
	v := reflect.ValueOf(&p).Elem()
	n := 0
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		n++
		switch f.Kind() {
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			switch e := f.Elem(); e.Kind() {
			case reflect.String:
				e.SetString("x")
			case reflect.Struct:
				if _, ok := e.Interface().(time.Time); ok {
					e.Set(reflect.ValueOf(time.Unix(1, 0)))
				} else { // PendingCloudwatchLogsExports
					e.Field(0).Set(reflect.ValueOf([]string{"audit"}))
				}
			case reflect.Int32:
				e.SetInt(1)
			case reflect.Bool:
				e.SetBool(true)
			}
		case reflect.String:
			f.SetString("x")
		case reflect.Slice:
			s := reflect.MakeSlice(f.Type(), 1, 1)
			s.Index(0).Field(0).Set(reflect.ValueOf(aws.String("x")))
			f.Set(s)
		}
	}
	got := pendingChanges(&p)
	if len(got) != n {
		var names []string
		for _, c := range got {
			names = append(names, c.Name)
		}
		t.Errorf("pendingChanges names %d members, the SDK has %d: %v", len(got), n, names)
	}
}

// TestPendingChanges: every member RDS sets is listed, nested ones as
// snake_case maps, and unset ones (nil, "", empty lists) are not.
func TestPendingChanges(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got := pendingChanges(&types.PendingModifiedValues{
		AllocatedStorage: aws.Int32(100), MasterUserPassword: aws.String("****"),
		PendingCloudwatchLogsExports: &types.PendingCloudwatchLogsExports{LogTypesToEnable: []string{"audit"}},
		ProcessorFeatures:            []types.ProcessorFeature{},
		ResumeFullAutomationModeTime: &when,
		AutomationMode:               types.AutomationModeFull,
	})
	want := []pendingChange{
		{"AllocatedStorage", "allocated_storage", int32(100)},
		{"AutomationMode", "automation_mode", "full"},
		{"MasterUserPassword", "master_user_password", "****"},
		{"PendingCloudwatchLogsExports", "pending_cloudwatch_logs_exports", map[string]any{"log_types_to_enable": []any{"audit"}}},
		{"ResumeFullAutomationModeTime", "resume_full_automation_mode_time", "2026-01-02T03:04:05Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if s := pendingSummary(got); !strings.Contains(s, `PendingCloudwatchLogsExports={"log_types_to_enable":["audit"]}`) {
		t.Errorf("summary %q", s)
	}
	if got := pendingChanges(nil); got != nil {
		t.Errorf("nil: %v", got)
	}
}
