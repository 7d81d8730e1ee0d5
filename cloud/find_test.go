package cloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestParameterGroupFinds runs the finds and the error checks against a
// real lab: the same HTTP API, XML and error codes the SDK gets from AWS.
func TestParameterGroupFinds(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	l := labtest.Start(t)
	api := loadForLab(t, l)

	_, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName:   aws.String("staging-params"),
		DBParameterGroupFamily: aws.String("mariadb10.11"),
		Description:            aws.String("staging"),
	})
	if err != nil {
		t.Fatal(err)
	}

	g, err := cloud.FindParameterGroup(ctx, api, "staging-params")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g.DBParameterGroupFamily) != "mariadb10.11" {
		t.Errorf("family = %q", aws.ToString(g.DBParameterGroupFamily))
	}

	groups, err := cloud.AllParameterGroups(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, g := range groups {
		names[aws.ToString(g.DBParameterGroupName)] = true
	}
	if !names["staging-params"] || !names["default.mariadb10.11"] {
		t.Errorf("AllParameterGroups = %v", names)
	}

	// Not found, typed and by code.
	_, err = cloud.FindParameterGroup(ctx, api, "missing")
	if !cloud.IsNotFound(err) || cloud.Code(err) != "DBParameterGroupNotFound" {
		t.Errorf("missing group: IsNotFound=%v Code=%q err=%v", cloud.IsNotFound(err), cloud.Code(err), err)
	}
	if cloud.RequestID(err) == "" {
		t.Errorf("no request id on %v", err)
	}
	if err.Error() != `parameter group "missing" not found` {
		t.Errorf("missing group: %q", err)
	}
	if cloud.IsInvalidParameter(err) || cloud.IsInvalidState(err) {
		t.Errorf("missing group classified as something else: %v", err)
	}

	// Already exists.
	_, err = api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName:   aws.String("staging-params"),
		DBParameterGroupFamily: aws.String("mariadb10.11"),
		Description:            aws.String("again"),
	})
	if !strings.HasPrefix(cloud.Code(err), "DBParameterGroupAlreadyExists") {
		t.Errorf("duplicate create: %v (code %q)", err, cloud.Code(err))
	}

	// Every parameter, across pages: the catalog has more than one page.
	all, err := cloud.AllParameters(ctx, api, "staging-params", "")
	if err != nil {
		t.Fatal(err)
	}
	first, err := api.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("staging-params"), MaxRecords: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	paged := first.Marker != nil
	if paged && len(all) <= len(first.Parameters) {
		t.Errorf("AllParameters returned %d, no more than the first page (%d)", len(all), len(first.Parameters))
	}
	if !paged {
		t.Logf("the lab's catalog fits one page (%d parameters): paging not exercised", len(all))
	}
	seen := map[string]bool{}
	for _, p := range all {
		n := aws.ToString(p.ParameterName)
		if seen[n] {
			t.Errorf("parameter %s returned twice", n)
		}
		seen[n] = true
	}
	if !seen["wait_timeout"] {
		t.Error("wait_timeout missing from AllParameters")
	}

	// A user change shows up under source=user, and only it.
	_, err = api.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{
		DBParameterGroupName: aws.String("staging-params"),
		Parameters: []types.Parameter{{
			ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String("300"), ApplyMethod: types.ApplyMethodImmediate,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	user, err := cloud.AllParameters(ctx, api, "staging-params", cloud.SourceUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(user) != 1 || aws.ToString(user[0].ParameterName) != "wait_timeout" || aws.ToString(user[0].ParameterValue) != "300" {
		t.Errorf("source=user: %+v", user)
	}

	// Invalid input.
	_, err = api.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{
		DBParameterGroupName: aws.String("staging-params"),
		Parameters: []types.Parameter{{
			ParameterName: aws.String("wait_timeoutt"), ParameterValue: aws.String("300"), ApplyMethod: types.ApplyMethodImmediate,
		}},
	})
	if !cloud.IsInvalidParameter(err) || cloud.Code(err) != "InvalidParameterValue" {
		t.Errorf("unknown parameter: %v (code %q)", err, cloud.Code(err))
	}
	if cloud.Message(err) == "" {
		t.Errorf("no message on %v", err)
	}

	// Engine defaults, across pages too.
	defs, err := cloud.AllEngineDefaultParameters(ctx, api, "mariadb10.11")
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(all) {
		t.Errorf("engine defaults: %d parameters, the group has %d", len(defs), len(all))
	}

	// The paging went through the SDK paginators, page by page.
	pages := 0
	for _, r := range labtest.Requests(t, l) {
		if r.Action == "DescribeDBParameters" {
			pages++
		}
	}
	if paged && pages < 3 {
		t.Errorf("lab saw %d DescribeDBParameters calls, want several pages", pages)
	}
}

func TestClusterFindsNotFound(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	api := loadForLab(t, labtest.Start(t))

	_, err := cloud.FindClusterParameterGroup(ctx, api, "missing")
	if !cloud.IsNotFound(err) {
		t.Errorf("FindClusterParameterGroup(missing): %v (code %q)", err, cloud.Code(err))
	}
	_, err = cloud.AllClusterParameters(ctx, api, "missing", "")
	if !cloud.IsNotFound(err) {
		t.Errorf("AllClusterParameters(missing): %v (code %q)", err, cloud.Code(err))
	}
	if _, err := cloud.AllClusterParameterGroups(ctx, api); err != nil {
		t.Errorf("AllClusterParameterGroups: %v", err)
	}
}

// TestInstanceEvents: the events of an instance with no history are an
// empty list, not an error (the window and source filters are accepted).
func TestInstanceEvents(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	api := loadForLab(t, labtest.Start(t))
	evs, err := cloud.InstanceEvents(ctx, api, "nosuch", time.Now().Add(-time.Hour))
	if err != nil || len(evs) != 0 {
		t.Fatalf("InstanceEvents(nosuch) = %v, %v", evs, err)
	}
}
