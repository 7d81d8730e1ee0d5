package lab

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// The background half of the DB instance actions. Each handler validates
// and records the new status under l.mu, answers, and leaves the process
// work to one of these, which reports back through l.mutate. Every one runs
// on the runtime's context, so a stopping lab waits for it.

// opTimeout bounds one engine operation; a mariadbd that neither starts nor
// fails within it is treated as failed.
const opTimeout = 2 * time.Minute

// update applies fn to the instance if it still exists, and persists.
func (l *Lab) update(id string, fn func(st *state, in *dbInstance)) {
	updateIn(l, id, func(st *state) map[string]*dbInstance { return st.Instances }, fn)
}

// updateIn applies fn to the entry id of the map in if it still exists,
// and persists.
func updateIn[T any](l *Lab, id string, in func(*state) map[string]*T, fn func(st *state, v *T)) {
	err := l.mutate(func(st *state) error {
		v, ok := in(st)[id]
		if !ok {
			return errGone
		}
		fn(st, v)
		return nil
	})
	if err != nil && !errors.Is(err, errGone) {
		l.opts.Logf("lab: %s: %v", id, err)
	}
}

var errGone = errors.New("instance is gone")

// failStart records why an engine could not start: a value mariadbd
// rejects is RDS's incompatible-parameters; anything else is failed.
func (l *Lab) failStart(id string, err error) {
	l.opts.Logf("lab: %s: %v", id, err)
	if l.rt.ctx.Err() != nil {
		// The lab is stopping: the operation was cut short, not refused.
		// The status stays as it is for resume to finish the job.
		return
	}
	status := statusFailed
	var ee *mysqld.ExitError
	if errors.As(err, &ee) {
		status = statusIncompatibleParameters
	}
	l.update(id, func(st *state, in *dbInstance) {
		in.Status = status
		st.addEvent(l.instanceEvent(id, evFailed, firstLine(err.Error())))
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// snapshot reads what an engine operation needs, under l.mu.
func (l *Lab) snapshot(id string) (dbInstance, bool) {
	var cp dbInstance
	ok := false
	l.read(func(st *state) error {
		if in, found := st.Instances[id]; found {
			cp, ok = *in, true
			cp.Running = maps.Clone(in.Running)
		}
		return nil
	})
	return cp, ok
}

func (l *Lab) startCreate(id, password string) {
	l.rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		in, ok := l.snapshot(id)
		if !ok {
			return
		}
		tmpl, err := l.rt.template(ctx)
		if err != nil {
			l.failStart(id, err)
			return
		}
		e, err := engine.Create(ctx, tmpl, l.rt.spec(&in), boot(&in, in.Running), in.MasterUsername, password)
		l.cameUp(id, e, err, evCreated)
	})
}

// cameUp records the outcome of starting an instance's engine: available
// on its endpoint, or failed with the reason.
func (l *Lab) cameUp(id string, e *engine.Instance, err error, ev instanceEventKind) {
	if err != nil {
		l.failStart(id, err)
		return
	}
	l.rt.setEngine(id, e)
	l.update(id, func(st *state, in *dbInstance) {
		in.Port = e.EndpointPort()
		in.Status = statusAvailable
		st.addEvent(l.instanceEvent(id, ev))
	})
}

func (l *Lab) startReboot(id string, failover bool) {
	l.rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, opTimeout+l.opts.FailoverDelay)
		defer cancel()
		var (
			values map[string]string
			in     dbInstance
		)
		err := l.mutate(func(st *state) error {
			cur, ok := st.Instances[id]
			if !ok {
				return errGone
			}
			v, err := groupValues(st, cur)
			if err != nil {
				return err
			}
			values, in = v, *cur
			in.Running = maps.Clone(cur.Running)
			if failover {
				st.addEvent(l.instanceEvent(id, evFailoverStarted))
				st.addEvent(l.instanceEvent(id, evFailoverReason))
			} else {
				st.addEvent(l.instanceEvent(id, evShutdown))
			}
			return nil
		})
		if err != nil {
			if !errors.Is(err, errGone) {
				l.failStart(id, err)
			}
			return
		}
		e := l.rt.engine(id)
		b := boot(&in, values)
		var outage engine.Outage
		switch {
		case e == nil:
			// The engine never came up (incompatible-parameters): a
			// reboot is a fresh start with the group's values.
			e, err = engine.Open(ctx, l.rt.spec(&in), b)
			if err == nil {
				l.rt.setEngine(id, e)
			}
		case failover:
			standby := 3 - in.ServerID // the pair's server ids are 1 and 2
			outage, err = e.Failover(ctx, l.opts.FailoverDelay, l.failoverMode(), standby, b)
		default:
			outage, err = e.Reboot(ctx, b)
		}
		if !outage.CutAt.IsZero() && !outage.RestoredAt.IsZero() {
			l.recordOutage(id, outage)
		}
		if err != nil {
			l.failStart(id, err)
			return
		}
		l.update(id, func(st *state, cur *dbInstance) {
			cur.Status = statusAvailable
			cur.Running = settle(in.Running, cur.Running, values)
			cur.ParamApplyStatus = applyStatusInSync
			if cur.ClusterID != "" {
				cur.ClusterParamApplyStatus = applyStatusInSync
			}
			if now, err := groupValues(st, cur); err == nil && !maps.Equal(now, cur.Running) {
				// A pending-reboot change arrived while it restarted.
				cur.ParamApplyStatus = applyStatusPendingReboot
			}
			cur.Port = e.EndpointPort()
			st.addEvent(l.instanceEvent(id, evRestarted))
			if failover {
				cur.ServerID = 3 - cur.ServerID
				cur.AZ, cur.SecondaryAZ = cur.SecondaryAZ, cur.AZ
				st.addEvent(l.instanceEvent(id, evFailoverComplete))
			}
		})
		l.memberRestarted(ctx, id)
	})
}

// settle works out what a restarted server runs: the values it was started
// with, plus every immediate change made while it restarted (their SET
// GLOBAL waited for the new server). before and after are the instance's
// running values when the restart began and now.
func settle(before, after, started map[string]string) map[string]string {
	out := maps.Clone(started)
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out[k] = v
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			delete(out, k)
		}
	}
	return out
}

func (l *Lab) recordOutage(id string, o engine.Outage) {
	l.update(id, func(st *state, _ *dbInstance) {
		st.Outages = append(st.Outages, Outage{Instance: id, Cause: o.Cause,
			CutAt: o.CutAt.UTC(), RestoredAt: o.RestoredAt.UTC()})
		if n := len(st.Outages); n > maxOutages {
			st.Outages = append([]Outage(nil), st.Outages[n-maxOutages:]...)
		}
	})
}

// maxOutages caps the recorded outage windows kept in the state.
const maxOutages = 1000

// startModify finishes a ModifyDBInstance: a new parameter group goes from
// applying to pending-reboot, a new class restarts the engine, a new master
// password is set on the server.
func (l *Lab) startModify(id string, newGroup, restart bool, password string) {
	l.rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		in, ok := l.snapshot(id)
		if !ok {
			return
		}
		e := l.rt.engine(id)
		if password != "" && e != nil {
			if s := e.Server(); s != nil {
				if err := s.CreateUser(ctx, in.MasterUsername, password); err != nil {
					l.opts.Logf("lab: %s: resetting master credentials: %v", id, err)
				}
			}
		}
		var values map[string]string
		if restart && e != nil {
			l.update(id, func(st *state, in *dbInstance) { st.addEvent(l.instanceEvent(id, evClassApplying)) })
			var err error
			l.read(func(st *state) error {
				values, err = groupValues(st, st.Instances[id])
				return nil
			})
			if err != nil {
				l.failStart(id, err)
				return
			}
			// A class change restarts the server, which applies every
			// pending value too.
			outage, err := e.Reboot(ctx, boot(&in, values))
			outage.Cause = "modify"
			if !outage.RestoredAt.IsZero() {
				l.recordOutage(id, outage)
			}
			if err != nil {
				l.failStart(id, err)
				return
			}
		}
		l.update(id, func(st *state, in *dbInstance) {
			if password != "" {
				st.addEvent(l.instanceEvent(id, evCredentialsReset))
			}
			if restart {
				in.Running = values
				in.ParamApplyStatus = applyStatusInSync
				st.addEvent(l.instanceEvent(id, evClassFinished))
			}
			if newGroup && in.ParamApplyStatus == applyStatusApplying {
				in.ParamApplyStatus = applyStatusPendingReboot
				st.addEvent(l.instanceEvent(id, evGroupFinished))
			}
			if in.Status == statusModifying {
				in.Status = statusAvailable
			}
		})
	})
}

func (l *Lab) startDelete(id string) {
	l.rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		if e := l.rt.engine(id); e != nil {
			if err := e.Stop(ctx); err != nil {
				l.opts.Logf("lab: %s: stopping engine: %v", id, err)
			}
			l.rt.setEngine(id, nil)
		}
		if err := l.rt.removeInstanceFiles(id); err != nil {
			l.opts.Logf("lab: %s: removing files: %v", id, err)
		}
		cluster := ""
		err := l.mutate(func(st *state) error {
			if in, ok := st.Instances[id]; ok {
				cluster = in.ClusterID
				memberGone(st, in)
			}
			delete(st.Instances, id)
			st.addEvent(l.instanceEvent(id, evDeleted))
			return nil
		})
		if err != nil {
			l.opts.Logf("lab: %s: %v", id, err)
		}
		if cluster != "" {
			l.routeCluster(cluster)
		}
	})
}

// resume brings the instances of a restarted lab back: their engines start
// with the values they ran with before, so pending-reboot changes stay
// pending. An instance caught mid-creation cannot be finished (the master
// password is never stored) and is marked failed; one caught mid-deletion
// is deleted.
func (l *Lab) resume() {
	var ids []string
	l.mutate(func(st *state) error {
		for id, in := range st.Instances {
			switch in.Status {
			case statusCreating:
				in.Status = statusFailed
				st.addEvent(l.instanceEvent(id, evFailed, "the lab stopped while the instance was being created"))
			case statusDeleting:
				ids = append(ids, id)
			case statusFailed:
			case statusRebooting:
				// A reboot the stopping lab cut short: finish it, with
				// the group's current values.
				if v, err := groupValues(st, in); err == nil {
					in.Running, in.ParamApplyStatus = v, applyStatusInSync
				}
				ids = append(ids, id)
			default:
				in.Status = statusRebooting
				ids = append(ids, id)
			}
			if in.ParamApplyStatus == applyStatusApplying {
				in.ParamApplyStatus = applyStatusInSync
			}
		}
		return nil
	})
	for _, id := range ids {
		in, ok := l.snapshot(id)
		if !ok {
			continue
		}
		if in.Status == statusDeleting {
			l.startDelete(id)
			continue
		}
		l.rt.goBackground(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, opTimeout)
			defer cancel()
			e, err := engine.Open(ctx, l.rt.spec(&in), boot(&in, in.Running))
			l.cameUp(id, e, err, evRestarted)
			if err == nil {
				l.memberRestarted(ctx, id)
			}
		})
	}
}
