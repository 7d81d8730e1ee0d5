package lab_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestSDKModifyToDefaultStaysDefault: as on AWS (the perpetual diffs of
// terraform-provider-aws #3182), a parameter modified to its engine
// default is not user-set afterwards: it reports the default's source,
// whether it was user-set before or not, and, being an engine default, no
// value.
func TestSDKModifyToDefaultStaysDefault(t *testing.T) {
	_, c := startLab(t)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	source := func() (string, string) {
		t.Helper()
		out, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("g")})
		for err == nil {
			for _, p := range out.Parameters {
				if aws.ToString(p.ParameterName) == "wait_timeout" {
					return aws.ToString(p.ParameterValue), aws.ToString(p.Source)
				}
			}
			if out.Marker == nil {
				break
			}
			out, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("g"), Marker: out.Marker})
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Fatal("no wait_timeout in the group")
		return "", ""
	}
	modify := func(v string) {
		t.Helper()
		if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
			Parameters: []types.Parameter{param("wait_timeout", v, types.ApplyMethodImmediate)}}); err != nil {
			t.Fatal(err)
		}
	}
	modify("28800")
	if v, s := source(); v != "" || s != "engine-default" {
		t.Errorf("modified to the default: %q (%s), want no value (engine-default)", v, s)
	}
	modify("600")
	if v, s := source(); v != "600" || s != "user" {
		t.Errorf("modified to 600: %s (%s), want 600 (user)", v, s)
	}
	modify("28800")
	if v, s := source(); v != "" || s != "engine-default" {
		t.Errorf("user-set, then modified to the default: %q (%s), want no value (engine-default)", v, s)
	}
}
