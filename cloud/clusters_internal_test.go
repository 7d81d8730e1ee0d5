package cloud

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// testCluster builds a three-member cluster view: members "a" (writer),
// "b", "c", with the given instance status and apply statuses.
func testCluster(status string, writer string, memberStatus, clusterApply, instanceApply string) Cluster {
	c := types.DBCluster{DBClusterIdentifier: aws.String("aur"), Status: aws.String(status),
		Endpoint: aws.String("aur.cluster-x.example"), ReaderEndpoint: aws.String("aur.cluster-ro-x.example"),
		Port: aws.Int32(3306), DBClusterParameterGroup: aws.String("cpg")}
	ins := map[string]types.DBInstance{}
	for _, id := range []string{"c", "b", "a"} {
		c.DBClusterMembers = append(c.DBClusterMembers, types.DBClusterMember{DBInstanceIdentifier: aws.String(id),
			IsClusterWriter: aws.Bool(id == writer), DBClusterParameterGroupStatus: aws.String(clusterApply), PromotionTier: aws.Int32(1)})
		ins[id] = types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceStatus: aws.String(memberStatus),
			Endpoint:          &types.Endpoint{Address: aws.String(id + ".example"), Port: aws.Int32(3306)},
			DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String("pg-" + id), ParameterApplyStatus: aws.String(instanceApply)}}}
	}
	return NewCluster(c, ins)
}

func TestNewCluster(t *testing.T) {
	c := testCluster("available", "b", "available", "in-sync", "in-sync")
	if c.Endpoint != "aur.cluster-x.example:3306" || c.ReaderEndpoint != "aur.cluster-ro-x.example:3306" {
		t.Errorf("endpoints = %q, %q", c.Endpoint, c.ReaderEndpoint)
	}
	var order []string
	for _, m := range c.Members {
		order = append(order, m.Instance)
	}
	if got := order[0] + order[1] + order[2]; got != "bac" {
		t.Errorf("member order = %v, want writer first then by name (b a c)", order)
	}
	if w := c.Writer(); w == nil || w.Instance != "b" || w.Endpoint() != "b.example:3306" {
		t.Errorf("writer = %+v", w)
	}
	if c.Member("c") == nil || c.Member("zz") != nil {
		t.Error("Member finds members and only them")
	}
	none := NewCluster(types.DBCluster{DBClusterIdentifier: aws.String("x")}, nil)
	if none.Writer() != nil || none.Endpoint != "" {
		t.Errorf("an empty cluster has no writer and no endpoint: %+v", none)
	}
}

func TestClusterChecks(t *testing.T) {
	tests := []struct {
		name     string
		c        Cluster
		check    clusterCheck
		wantDone bool
		wantErr  error
	}{
		{"available", testCluster("available", "a", "available", "in-sync", "in-sync"), clusterAvailable, true, nil},
		{"cluster failing over", testCluster("failing-over", "a", "available", "in-sync", "in-sync"), clusterAvailable, false, nil},
		{"member rebooting", testCluster("available", "a", "rebooting", "in-sync", "in-sync"), clusterAvailable, false, nil},
		{"in-sync", testCluster("available", "a", "available", "in-sync", "in-sync"), clusterInSync, true, nil},
		{"cluster group applying", testCluster("available", "a", "available", "applying", "in-sync"), clusterInSync, false, nil},
		{"instance group applying", testCluster("available", "a", "available", "in-sync", "applying"), clusterInSync, false, nil},
		{"cluster group pending-reboot", testCluster("available", "a", "available", "pending-reboot", "in-sync"), clusterInSync, false, ErrPendingReboot},
		{"instance group pending-reboot", testCluster("available", "a", "available", "in-sync", "pending-reboot"), clusterInSync, false, ErrPendingReboot},
		{"same writer", testCluster("available", "a", "available", "in-sync", "in-sync"), writerChanged("a", ""), false, nil},
		{"new writer", testCluster("available", "b", "available", "in-sync", "in-sync"), writerChanged("a", ""), true, nil},
		{"wanted writer", testCluster("available", "c", "available", "in-sync", "in-sync"), writerChanged("a", "c"), true, nil},
		{"no writer yet", testCluster("failing-over", "", "available", "in-sync", "in-sync"), writerChanged("a", "c"), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done, err := tt.check(tt.c)
			if done != tt.wantDone {
				t.Errorf("done = %v, want %v", done, tt.wantDone)
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	// One member in-sync while the others still wait for their reboot.
	c := testCluster("available", "a", "available", "pending-reboot", "in-sync")
	c.Members[1].ClusterGroupStatus = "in-sync"
	if done, err := memberInSync(c.Members[1].Instance)(c); !done || err != nil {
		t.Errorf("memberInSync(%s) = %v, %v; want done", c.Members[1].Instance, done, err)
	}
	if _, err := memberInSync("a")(c); !errors.Is(err, ErrPendingReboot) {
		t.Errorf("memberInSync(a) on a pending-reboot member: %v, want ErrPendingReboot", err)
	}
	if _, err := memberInSync("zz")(c); err == nil {
		t.Error("memberInSync of a non-member must end the wait")
	}
	if _, err := writerChanged("a", "c")(testCluster("available", "b", "available", "in-sync", "in-sync")); err == nil {
		t.Error("a failover to another member than the target must end the wait with an error")
	}
	if _, err := clusterAvailable(testCluster("available", "a", "failed", "in-sync", "in-sync")); err == nil {
		t.Error("a failed member must end the wait")
	}
}
