package lab_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab"
)

// TestInjectedFault: a fault refuses exactly the call it names, once,
// with the code asked for, and the refused call changes nothing.
func TestInjectedFault(t *testing.T) {
	l, c := startLab(t)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("f"),
		DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if err := lab.InjectFault(l.Endpoint(), lab.Fault{Action: "ModifyDBParameterGroup", Skip: 1,
		Code: "InvalidDBParameterGroupState", Message: "injected"}); err != nil {
		t.Fatal(err)
	}
	set := func(v string) error {
		_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("f"),
			Parameters: []types.Parameter{{ParameterName: aws.String("dyn_int"), ParameterValue: aws.String(v), ApplyMethod: types.ApplyMethodImmediate}}})
		return err
	}
	if err := set("11"); err != nil {
		t.Fatalf("first call (skipped by the fault): %v", err)
	}
	wantAPIError(t, set("12"), "InvalidDBParameterGroupState", 400, "injected")
	if err := set("13"); err != nil {
		t.Fatalf("the fault fired twice: %v", err)
	}
	out, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("f"), Source: aws.String("user")})
	if err != nil || len(out.Parameters) != 1 || aws.ToString(out.Parameters[0].ParameterValue) != "13" {
		t.Fatalf("after the fault: %+v %v", out, err)
	}
	for _, bad := range []lab.Fault{{Action: "Nope", Code: "X"}, {Action: "ModifyDBParameterGroup"}, {Action: "ModifyDBParameterGroup", Code: "X", Skip: -1}} {
		if err := lab.InjectFault(l.Endpoint(), bad); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
	}
}
