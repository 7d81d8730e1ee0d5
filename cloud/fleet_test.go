package cloud_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestReadFleet reads a fleet of groups from a real lab: only the selected
// groups, one Source=user page each, and engine defaults once per family.
func TestReadFleet(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	l := labtest.Start(t)
	api := loadForLab(t, l)
	for i := range 30 {
		name := fmt.Sprintf("fleet-%02d", i)
		family := "mariadb10.11"
		if i%3 == 0 {
			family = "mysql8.0"
		}
		if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(name),
			DBParameterGroupFamily: aws.String(family), Description: aws.String("fleet")}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(name),
			Parameters: []types.Parameter{{ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String(fmt.Sprint(100 + i)),
				ApplyMethod: types.ApplyMethodImmediate}}}); err != nil {
			t.Fatal(err)
		}
	}
	before := len(labtest.Requests(t, l))
	f, err := cloud.ReadFleet(ctx, api, cloud.FleetQuery{
		DB: true, Defaults: true, Instances: true, Concurrency: 4,
		Select: func(cluster bool, name, family string) bool { return strings.HasPrefix(name, "fleet-") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 30 {
		t.Fatalf("%d groups, want 30", len(f.Groups))
	}
	for _, g := range f.Groups {
		var i int
		fmt.Sscanf(g.Name, "fleet-%02d", &i)
		if len(g.User) != 1 || aws.ToString(g.User[0].ParameterValue) != fmt.Sprint(100+i) || g.Cluster {
			t.Errorf("%s: user parameters %+v", g.Name, g.User)
		}
		if cloud.AccountFromARN(g.ARN) == "" {
			t.Errorf("%s: ARN %q names no account", g.Name, g.ARN)
		}
	}
	if len(f.Defaults) != 2 || len(f.Defaults[cloud.FamilyKey{Family: "mariadb10.11"}]) < 100 || len(f.Defaults[cloud.FamilyKey{Family: "mysql8.0"}]) < 100 {
		t.Errorf("defaults for %d families", len(f.Defaults))
	}
	counts := map[string]int{}
	for _, r := range labtest.Requests(t, l)[before:] {
		counts[r.Action]++
	}
	if counts["DescribeDBParameters"] != 30 || counts["DescribeDBClusterParameterGroups"] != 0 || counts["DescribeDBInstances"] != 1 {
		t.Errorf("requests %v: want one Source=user page per group, no cluster listing, one instance listing", counts)
	}
	// Each family's defaults are read once (in pages of 100).
	if n := counts["DescribeEngineDefaultParameters"]; n == 0 || n > 2*7 {
		t.Errorf("%d DescribeEngineDefaultParameters calls", n)
	}
}

func TestAccountFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:rds:us-east-1:123456789012:pg:staging": "123456789012",
		"arn:aws:iam::111122223333:role/audit":          "111122223333",
		"not-an-arn":                                    "",
		"arn:aws:rds":                                   "",
	} {
		if got := cloud.AccountFromARN(arn); got != want {
			t.Errorf("AccountFromARN(%q) = %q, want %q", arn, got, want)
		}
	}
}
