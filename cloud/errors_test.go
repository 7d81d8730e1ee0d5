package cloud

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// TestErrorClasses pins the code -> class mapping for the codes rdsctl
// meets, both as the SDK's typed faults and as generic API errors (what the
// SDK returns for codes without a type, like InvalidParameterValue).
func TestErrorClasses(t *testing.T) {
	generic := func(code string) error {
		return fmt.Errorf("operation error RDS: X, %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	tests := []struct {
		err                                        error
		notFound, exists, state, invalid, throttle bool
	}{
		{&types.DBParameterGroupNotFoundFault{Message: aws.String("x")}, true, false, false, false, false},
		{&types.DBInstanceNotFoundFault{}, true, false, false, false, false},
		{&types.DBClusterNotFoundFault{}, true, false, false, false, false},
		{generic("DBClusterParameterGroupNotFound"), true, false, false, false, false},
		{&types.DBParameterGroupAlreadyExistsFault{}, false, true, false, false, false},
		{generic("DBClusterAlreadyExistsFault"), false, true, false, false, false},
		{&types.InvalidDBInstanceStateFault{}, false, false, true, false, false},
		{&types.InvalidDBParameterGroupStateFault{}, false, false, true, false, false},
		{&types.InvalidDBClusterStateFault{}, false, false, true, false, false},
		{generic("InvalidParameterValue"), false, false, false, true, false},
		{generic("InvalidParameterCombination"), false, false, false, true, false},
		{generic("MissingParameter"), false, false, false, true, false},
		{generic("Throttling"), false, false, false, false, true},
		{errors.New("dial tcp: connection refused"), false, false, false, false, false},
		{nil, false, false, false, false, false},
	}
	for _, tt := range tests {
		name := Code(tt.err)
		if name == "" {
			name = fmt.Sprint(tt.err)
		}
		t.Run(name, func(t *testing.T) {
			got := [5]bool{IsNotFound(tt.err), IsAlreadyExists(tt.err), IsInvalidState(tt.err), IsInvalidParameter(tt.err), IsThrottled(tt.err)}
			want := [5]bool{tt.notFound, tt.exists, tt.state, tt.invalid, tt.throttle}
			if got != want {
				t.Errorf("[notFound exists state invalid throttle] = %v, want %v", got, want)
			}
		})
	}
}

func TestCodeAndMessage(t *testing.T) {
	err := fmt.Errorf("finding instance (db): %w", &types.DBInstanceNotFoundFault{Message: aws.String("DBInstance db not found.")})
	if Code(err) != "DBInstanceNotFound" || Message(err) != "DBInstance db not found." {
		t.Errorf("Code = %q, Message = %q", Code(err), Message(err))
	}
	if Code(errors.New("x")) != "" || Message(nil) != "" || RequestID(errors.New("x")) != "" {
		t.Error("non-API errors must give empty strings")
	}
}
