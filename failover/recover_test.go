package failover

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func TestRecoverable(t *testing.T) {
	refused := fmt.Errorf("db is incompatible-parameters: %w", ErrNotAvailable)
	inst := func(status string) types.DBInstance { return types.DBInstance{DBInstanceStatus: aws.String(status)} }
	for _, tc := range []struct {
		name     string
		in       types.DBInstance
		err      error
		failover bool
		want     bool
	}{
		{"reboot of an incompatible instance", inst(StatusIncompatibleParameters), refused, false, true},
		{"failover of an incompatible instance", inst(StatusIncompatibleParameters), refused, true, false},
		{"reboot of a busy instance", inst("modifying"), fmt.Errorf("db is modifying: %w", ErrNotAvailable), false, false},
		{"not Multi-AZ", inst(StatusIncompatibleParameters), ErrNotMultiAZ, false, false},
		{"no refusal", inst("available"), nil, false, false},
	} {
		if got := Recoverable(tc.in, tc.err, tc.failover); got != tc.want {
			t.Errorf("%s: Recoverable = %v, want %v", tc.name, got, tc.want)
		}
	}
	if err := error(stillIncompatible("x")); !errors.Is(err, ErrStillIncompatible) {
		t.Fatal("a still-incompatible error is not ErrStillIncompatible")
	}
}
