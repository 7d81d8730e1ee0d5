package lab

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// The parameter group apply pipeline: a change to a group reaches the
// instances that use it, either now (SET GLOBAL, for immediate changes to
// dynamic parameters) or at their next reboot (pending-reboot).

// paramsChanged records a parameter group change and is where the DB
// instance actions hook in: instances using the group pick up immediate
// changes (SET GLOBAL) or go pending-reboot. The caller holds l.mu.
func (l *Lab) paramsChanged(st *state, k groupKind, g *paramGroup, changes []paramChange) {
	now := time.Now().UTC()
	if k == kindInstance {
		// DescribeEvents has no source type for cluster parameter groups.
		// The "Updated parameter" wording follows RDS-EVENT-0037 as
		// remembered; the reset wording is the lab's own. Neither is
		// confirmed against a source.
		for _, c := range changes {
			msg := fmt.Sprintf("Updated parameter %s to %s with apply method %s", c.Name, c.Value, c.ApplyMethod)
			if c.Reset {
				msg = fmt.Sprintf("Reset parameter %s to its default value with apply method %s", c.Name, c.ApplyMethod)
			}
			st.addEvent(event{Date: now, SourceType: "db-parameter-group", SourceIdentifier: g.Name,
				SourceArn: l.groupARN(k, g.Name), Message: msg, Categories: []string{"configuration change"}})
		}
	}
	targets, status := instancesOf(st, g.Name), instanceApplyStatus
	if k == kindCluster {
		// A DB cluster parameter group reaches every member of every
		// cluster that uses it, and shows in each member's
		// DBClusterParameterGroupStatus.
		targets, status = nil, clusterApplyStatus
		for _, c := range clustersOf(st, g.Name) {
			targets = append(targets, membersOf(st, c.ID)...)
		}
	}
	for _, c := range changes {
		if c.ApplyMethod != applyPendingReboot {
			continue
		}
		for _, in := range targets {
			*status(in) = applyStatusPendingReboot
		}
	}
	l.applyImmediate(st, targets, status, changes)
}

// instanceApplyStatus and clusterApplyStatus pick which apply status a
// group's changes move: the instance's DB parameter group's, or the
// member's DB cluster parameter group's.
func instanceApplyStatus(in *dbInstance) *string { return &in.ParamApplyStatus }
func clusterApplyStatus(in *dbInstance) *string  { return &in.ClusterParamApplyStatus }

// applyImmediate carries immediate changes of a group to every running
// instance in targets: their running values change now, the SET GLOBALs
// run in the background, and the apply status that status picks goes
// applying -> in-sync (a pending-reboot one stays pending-reboot). The
// value each instance gets is the one its groups resolve to now, so an
// Aurora member whose instance group sets the parameter keeps that value.
// The caller holds l.mu.
func (l *Lab) applyImmediate(st *state, targets []*dbInstance, status func(*dbInstance) *string, changes []paramChange) {
	if l.rt == nil {
		return
	}
	var immediate []paramChange
	variables := map[string]string{} // RDS name -> server variable
	for _, c := range changes {
		if c.ApplyMethod == applyImmediate && c.Param.Variable() != "" && !mysqld.Managed(c.Param.Variable()) {
			immediate = append(immediate, c)
			variables[c.Name] = c.Param.Variable()
		}
	}
	if len(immediate) == 0 {
		return
	}
	for _, in := range targets {
		if in.Status == statusCreating || in.Status == statusDeleting {
			continue
		}
		if in.Running == nil {
			in.Running = map[string]string{}
		}
		want, err := groupValues(st, in)
		if err != nil {
			l.opts.Logf("lab: %s: %v", in.ID, err)
			continue
		}
		// names are the parameters to carry to the server; their values
		// are read from Running when the apply runs. A reset goes back to
		// RDS's own default where it sets one (a formula), else to the
		// server's compiled default (absent from Running).
		var names []string
		for _, c := range immediate {
			if c.Name == "read_only" && in.ClusterID != "" && !in.ClusterWriter {
				continue // an Aurora reader stays read-only
			}
			if v, ok := want[c.Name]; ok {
				in.Running[c.Name] = v
			} else {
				delete(in.Running, c.Name)
			}
			names = append(names, c.Name)
		}
		if ps := status(in); *ps == applyStatusInSync {
			*ps = applyStatusApplying
		}
		id := in.ID
		ap := l.rt.applier(id)
		l.rt.goBackground(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			ap.mu.Lock()
			// Read the latest values: a later Modify may already have
			// changed what this one set.
			latest := map[string]string{}
			l.read(func(st *state) error {
				if in, ok := st.Instances[id]; ok {
					maps.Copy(latest, in.Running)
				}
				return nil
			})
			if e := l.rt.engine(id); e != nil {
				for _, name := range names {
					var err error
					if v, ok := latest[name]; ok {
						err = e.SetGlobal(ctx, variables[name], v)
					} else {
						err = e.ResetGlobal(ctx, variables[name])
					}
					if err != nil && !errors.Is(err, engine.ErrNoEngine) {
						l.opts.Logf("lab: %s: %v", id, err)
					}
				}
			}
			ap.mu.Unlock()
			if l.rt.doneApplying(id) {
				l.update(id, func(_ *state, in *dbInstance) {
					for _, s := range []*string{&in.ParamApplyStatus, &in.ClusterParamApplyStatus} {
						if *s == applyStatusApplying {
							*s = applyStatusInSync
						}
					}
				})
			}
		})
	}
}

// applier serialises the immediate changes of one instance. Each apply
// reads the instance's current values when it runs, under mu, so two
// Modify calls in quick succession can never leave the older value live.
type applier struct {
	mu      sync.Mutex
	pending int // guarded by runtime.mu
}

// applier returns the instance's apply serialiser and counts one more
// pending apply.
func (rt *runtime) applier(id string) *applier {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	a := rt.applies[id]
	if a == nil {
		a = &applier{}
		rt.applies[id] = a
	}
	a.pending++
	return a
}

// doneApplying counts one apply finished and reports whether none is left.
func (rt *runtime) doneApplying(id string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	a := rt.applies[id]
	if a == nil {
		return true
	}
	a.pending--
	return a.pending <= 0
}
