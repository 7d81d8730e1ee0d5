package cloud_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestWaitsOnMissingResources runs the SDK waiters against the lab: a
// missing instance or cluster ends the wait at once with a not-found error
// rather than polling until the deadline.
func TestWaitsOnMissingResources(t *testing.T) {
	isolateEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	api := loadForLab(t, labtest.Start(t))

	start := time.Now()
	err := cloud.WaitInstanceAvailable(ctx, api, "missing", 10*time.Second)
	var nf *cloud.NotFoundError
	if !errors.As(err, &nf) || err.Error() != `DB instance "missing" not found` {
		t.Fatalf("wait for a missing instance: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s to give up on a missing instance", time.Since(start))
	}
	if _, err := cloud.FindInstance(ctx, api, "missing"); !cloud.IsNotFound(err) {
		t.Errorf("FindInstance(missing): %v", err)
	}
	if _, err := cloud.FindCluster(ctx, api, "missing"); !cloud.IsNotFound(err) {
		t.Errorf("FindCluster(missing): %v", err)
	}
	if err := cloud.WaitInstanceDeleted(ctx, api, "missing", 10*time.Second); err != nil {
		t.Errorf("WaitInstanceDeleted(missing) = %v, want success", err)
	}
}
