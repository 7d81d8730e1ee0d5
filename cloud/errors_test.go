package cloud

import (
	"context"
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
		err                      error
		notFound, state, invalid bool
	}{
		{&types.DBParameterGroupNotFoundFault{Message: aws.String("x")}, true, false, false},
		{&types.DBInstanceNotFoundFault{}, true, false, false},
		{&types.DBClusterNotFoundFault{}, true, false, false},
		{generic("DBClusterParameterGroupNotFound"), true, false, false},
		{&types.DBParameterGroupAlreadyExistsFault{}, false, false, false},
		{generic("DBClusterAlreadyExistsFault"), false, false, false},
		{&types.InvalidDBInstanceStateFault{}, false, true, false},
		{&types.InvalidDBParameterGroupStateFault{}, false, true, false},
		{&types.InvalidDBClusterStateFault{}, false, true, false},
		{generic("InvalidParameterValue"), false, false, true},
		{generic("InvalidParameterCombination"), false, false, true},
		{generic("MissingParameter"), false, false, true},
		{generic("Throttling"), false, false, false},
		{errors.New("dial tcp: connection refused"), false, false, false},
		{nil, false, false, false},
	}
	for _, tt := range tests {
		name := Code(tt.err)
		if name == "" {
			name = fmt.Sprint(tt.err)
		}
		t.Run(name, func(t *testing.T) {
			got := [3]bool{IsNotFound(tt.err), IsInvalidState(tt.err), IsInvalidParameter(tt.err)}
			want := [3]bool{tt.notFound, tt.state, tt.invalid}
			if got != want {
				t.Errorf("[notFound state invalid] = %v, want %v", got, want)
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

// TestErrorPresentation pins the two shapes every RDS failure is shown
// in: the not-found sentence, and "op: Code: message" without the SDK's
// operation/transport preamble.
func TestErrorPresentation(t *testing.T) {
	sdk := fmt.Errorf("operation error RDS: ModifyDBInstance, https response error StatusCode: 404, RequestID: r1, %w",
		&types.DBInstanceNotFoundFault{Message: aws.String("DBInstance db not found.")})
	err := opError(sdk, KindInstance, "db", "modifying DB instance (db)")
	var nf *NotFoundError
	if !errors.As(err, &nf) || err.Error() != `DB instance "db" not found` || !IsNotFound(err) || Code(err) != "DBInstanceNotFound" {
		t.Errorf("not found: %v", err)
	}
	// A missing group named in a call on an instance is not a missing instance.
	pg := &smithy.GenericAPIError{Code: "DBParameterGroupNotFound", Message: "DBParameterGroup not found: x"}
	err = opError(pg, KindInstance, "db", "attaching")
	if errors.As(err, &nf) || err.Error() != "attaching: DBParameterGroupNotFound: DBParameterGroup not found: x" {
		t.Errorf("other kind: %v", err)
	}
	inv := fmt.Errorf("operation error RDS: X, %w", &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "bad"})
	err = opError(inv, KindParameterGroup, "g", "modifying parameter group (g)")
	if err.Error() != "modifying parameter group (g): InvalidParameterValue: bad" || !IsInvalidParameter(err) {
		t.Errorf("invalid: %v", err)
	}
	if opError(nil, KindInstance, "db", "x") != nil {
		t.Error("nil wrapped")
	}
	if got := Describe(context.Canceled); got != "context canceled" {
		t.Errorf("Describe(canceled) = %q", got)
	}
	if !IsNotFound(&NotFoundError{Kind: KindCluster, Name: "c"}) {
		t.Error("a NotFoundError without a cause must be not found")
	}
}

// TestNoCredentials: the SDK's chain for a missing credential is shown as
// one plain sentence, and still recognised once wrapped by OpError.
func TestNoCredentials(t *testing.T) {
	raw := errors.New("operation error RDS: DescribeDBInstances, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error StatusCode: 403")
	err := opError(raw, KindInstance, "x", "finding DB instance (x)")
	if got, want := err.Error(), "finding DB instance (x): no AWS credentials found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !IsNoCredentials(err) || !IsNoCredentials(fmt.Errorf("status: %w", err)) {
		t.Error("IsNoCredentials misses a wrapped credentials error")
	}
	if IsNoCredentials(errors.New("InvalidParameterValue: bad")) || IsNoCredentials(nil) {
		t.Error("IsNoCredentials matches other errors")
	}
}
