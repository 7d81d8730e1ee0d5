package gameday

import (
	"context"
	"time"

	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// Driver is every step of a drill that touches RDS or the database
// server. It is deliberately small: the runner needs nothing else, so the
// implementation can move from today's command-layer helpers to the
// library entry points (verify.Instance, failover.Run with its verify
// step, the cloud parameter-group layer) without the runner changing.
type Driver interface {
	// DescribeTarget returns the target instance as RDS describes it,
	// tags included.
	DescribeTarget(ctx context.Context) (TargetInfo, error)
	// GroupParams returns the current state of the named parameters in
	// group: what rollback restores.
	GroupParams(ctx context.Context, group string, names []string) (map[string]ParamState, error)
	// SetParams sets values in group (immediate for dynamic parameters,
	// pending-reboot for static ones); values equal to the current ones
	// are skipped. A validation failure changes nothing.
	SetParams(ctx context.Context, group string, values []Param) error
	// CheckParams validates a set (values) or reset (names) against the
	// group's metadata without changing anything, so a typo stops the
	// drill before its first step. A refused change wraps ErrInvalid.
	CheckParams(ctx context.Context, group string, values []Param, names []string) error
	// ResetParams returns the named parameters of group to their defaults.
	ResetParams(ctx context.Context, group string, names []string) error
	// Reboot and Failover restart the instance (Failover with
	// ForceFailover) and measure it with failover's probe.
	Reboot(ctx context.Context) (*failover.Result, error)
	Failover(ctx context.Context) (*failover.Result, error)
	// Verify confirms what the server runs: the group's values with expect
	// on top.
	Verify(ctx context.Context, expect []Param) (*verify.Report, error)
	// ServerValues reads the named global variables from the server;
	// names that are not server variables are left out.
	ServerValues(ctx context.Context, names []string) (map[string]string, error)
	// Wait waits until the instance is available (WaitAvailable) or its
	// parameter groups are in-sync (WaitInSync).
	Wait(ctx context.Context, cond string, timeout time.Duration) error
	// DatabaseProbe returns a new, unstarted failover probe of the
	// target's endpoint, logged in.
	DatabaseProbe() *failover.Probe
}

// TargetInfo is what the runner needs to know about the target.
type TargetInfo struct {
	ID       string            `json:"id"`
	Engine   string            `json:"engine"`
	Status   string            `json:"status"`
	Endpoint string            `json:"endpoint"`
	MultiAZ  bool              `json:"multi_az"`
	AZ       string            `json:"availability_zone"`
	Groups   []string          `json:"parameter_groups"`
	Tags     map[string]string `json:"tags"`
}

// ProtectedTag marks a target no drill may touch without --allow-protected.
const ProtectedTag = "rdsctl:protected"

// ParamState is one parameter of a group before the drill changed it.
type ParamState struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// UserSet says the value was set in the group (Source user); when
	// false, rollback resets the parameter instead of setting it.
	UserSet bool `json:"user_set"`
}
