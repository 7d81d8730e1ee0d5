package verify

import (
	"context"
	"database/sql"
	"time"
)

// Report is the outcome of one verify, shaped for the CLI's table and JSON
// output (DESIGN.md: parameters[] and trap).
type Report struct {
	Instance string `json:"instance,omitempty"`
	Endpoint string `json:"endpoint"`
	// InstanceClass, ParameterGroup and ParameterApplyStatus say what the
	// expectations were worked out for and whether RDS considers them live,
	// so that a report read on its own (a CI artefact, a game-day step)
	// explains its formulas and pending-reboot results. Instance fills
	// them from the instance; Run, which knows only a server, leaves them
	// empty.
	InstanceClass        string `json:"instance_class,omitempty"`
	ParameterGroup       string `json:"parameter_group,omitempty"`
	ParameterApplyStatus string `json:"parameter_apply_status,omitempty"`
	// Cluster, ClusterParameterGroup and ClusterParameterApplyStatus are
	// an Aurora member's: its cluster, the cluster's parameter group and
	// that group's status on this member.
	Cluster                     string    `json:"cluster,omitempty"`
	ClusterParameterGroup       string    `json:"cluster_parameter_group,omitempty"`
	ClusterParameterApplyStatus string    `json:"cluster_parameter_apply_status,omitempty"`
	Server                      Server    `json:"server"`
	Parameters                  []Result  `json:"parameters"`
	Trap                        Trap      `json:"trap"`
	CheckedAt                   time.Time `json:"checked_at"`
	// ReadMillis is how long reading the server took, which matters right
	// after a failover.
	ReadMillis float64 `json:"read_ms"`
}

// Findings counts drifted parameters; non-zero means exit code 3.
func (r *Report) Findings() int { return Findings(r.Parameters) }

// Err returns the drift as joined *DriftError values, or nil.
func (r *Report) Err() error { return Drift(r.Parameters) }

// NewReport compares exp against snap.
func NewReport(instance, endpoint string, snap *Snapshot, exp []Expectation, opts CompareOptions) *Report {
	params := Compare(exp, snap, opts)
	if params == nil {
		params = []Result{}
	}
	return &Report{
		Instance:   instance,
		Endpoint:   endpoint,
		Server:     snap.Server,
		Parameters: params,
		Trap:       snap.Trap(),
		CheckedAt:  time.Now().UTC(),
		ReadMillis: float64(snap.Took.Microseconds()) / 1000,
	}
}

// ServerOptions is everything Run needs to verify one server whose address
// and expectations are already known. Instance works them out from RDS and
// calls Run.
type ServerOptions struct {
	Conn     Config
	Instance string // for the report only
	Expect   []Expectation
	Compare  CompareOptions
}

// Run connects to one server, reads and compares. Its connection errors are *ConnError
// (errors.Is(err, ErrTimeout) for a server that stopped answering); drift is
// not an error here but Report.Err.
func Run(ctx context.Context, opts ServerOptions) (*Report, error) {
	db, err := Open(ctx, opts.Conn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return Check(ctx, db, opts)
}

// Check is Run on an open connection, for callers that keep one (the
// failover probe verifies the new primary on the connection it already has).
func Check(ctx context.Context, db *sql.DB, opts ServerOptions) (*Report, error) {
	_, read, write := opts.Conn.timeouts()
	limit := read + write
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	snap, err := Read(rctx, db)
	if err != nil {
		return nil, opts.Conn.wrap("verifying", err, time.Since(start))
	}
	return NewReport(opts.Instance, opts.Conn.Addr(), snap, opts.Expect, opts.Compare), nil
}
