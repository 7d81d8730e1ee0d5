package cloud

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestInSyncRetryable pins the state check behind WaitInstanceInSync: keep
// polling while applying, stop at in-sync, fail fast at pending-reboot.
func TestInSyncRetryable(t *testing.T) {
	out := func(status string, applies ...string) *rds.DescribeDBInstancesOutput {
		in := types.DBInstance{DBInstanceIdentifier: aws.String("db"), DBInstanceStatus: aws.String(status)}
		for _, a := range applies {
			in.DBParameterGroups = append(in.DBParameterGroups, types.DBParameterGroupStatus{
				DBParameterGroupName: aws.String("pg"), ParameterApplyStatus: aws.String(a),
			})
		}
		return &rds.DescribeDBInstancesOutput{DBInstances: []types.DBInstance{in}}
	}
	tests := []struct {
		name      string
		out       *rds.DescribeDBInstancesOutput
		wantRetry bool
		wantErr   error
	}{
		{"in-sync", out("available", "in-sync"), false, nil},
		{"no groups", out("available"), false, nil},
		{"applying", out("available", "applying"), true, nil},
		{"one applying", out("available", "in-sync", "applying"), true, nil},
		{"rebooting", out("rebooting", "in-sync"), true, nil},
		{"modifying", out("modifying", "applying"), true, nil},
		{"pending-reboot", out("available", "pending-reboot"), false, ErrPendingReboot},
		{"empty", &rds.DescribeDBInstancesOutput{}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, err := inSyncRetryable(context.Background(), nil, tt.out, nil)
			if retry != tt.wantRetry {
				t.Errorf("retry = %v, want %v", retry, tt.wantRetry)
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := inSyncRetryable(context.Background(), nil, out("failed"), nil); err == nil {
		t.Error("a failed instance must end the wait")
	}
	boom := errors.New("boom")
	if _, err := inSyncRetryable(context.Background(), nil, nil, boom); !errors.Is(err, boom) {
		t.Error("API errors must end the wait")
	}
}

func TestMaxWaitOr(t *testing.T) {
	if maxWaitOr(0) != DefaultMaxWait || maxWaitOr(-1) != DefaultMaxWait || maxWaitOr(5) != 5 {
		t.Error("maxWaitOr")
	}
}
