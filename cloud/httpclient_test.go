package cloud_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestOneRequestPerCall guards WithOwnRequestBody: N calls through NewRDS
// must reach the lab exactly N times, never a silent SDK retry. The race
// it works around showed in the params scripts (316 requests logged for
// 300 calls) but does not reproduce in this loop alone, so this test
// catches a regression only where the race shows; the params scripts'
// exact Modify counts are the stronger check.
func TestOneRequestPerCall(t *testing.T) {
	isolateEnv(t)
	l := labtest.Start(t)
	api := loadForLab(t, l)
	ctx := context.Background()
	const calls = 400
	for i := range calls {
		// A POST with a form body, as every RDS Query API call is.
		if _, err := api.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{
			DBParameterGroupName: aws.String("default.mariadb10.11")}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// The lab writes a request's record before it answers, so the log is
	// complete once the last call has returned.
	count := func() int {
		n := 0
		for _, r := range labtest.Requests(t, l) {
			if r.Action == "DescribeDBParameterGroups" {
				n++
			}
		}
		return n
	}
	if got := count(); got != calls {
		t.Fatalf("%d calls reached the lab as %d requests: the SDK retried %d of them", calls, got, got-calls)
	}
}
