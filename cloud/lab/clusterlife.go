package lab

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// The background half of the DB cluster actions and of the members'
// lifecycle: endpoints, replication, failover. Each runs on the runtime's
// context and reports back through l.mutate.

// Cluster events, with the ids and messages of AWS's "Amazon RDS event
// categories and event messages" page for Aurora (DB cluster events).
var (
	evClusterCreated        = instanceEventKind{"RDS-EVENT-0170", "creation", "DB cluster created."}
	evClusterDeleted        = instanceEventKind{"RDS-EVENT-0171", "deletion", "DB cluster deleted."}
	evClusterFailoverFailed = instanceEventKind{"RDS-EVENT-0069", "failover", "Cluster failover failed, check the health of your cluster instances and try again."}
	evClusterFailoverDone   = instanceEventKind{"RDS-EVENT-0071", "failover", "Completed failover to DB instance: %s"}
	evClusterFailoverSameAZ = instanceEventKind{"RDS-EVENT-0072", "failover", "Started same AZ failover to DB instance: %s"}
	evClusterFailoverCross  = instanceEventKind{"RDS-EVENT-0073", "failover", "Started cross AZ failover to DB instance: %s"}
)

func (l *Lab) clusterEvent(id string, k instanceEventKind, args ...any) event {
	e := l.instanceEvent(id, k, args...)
	e.SourceType, e.SourceArn = "db-cluster", l.clusterARN(id)
	return e
}

// updateCluster applies fn to the cluster if it still exists, and persists.
func (l *Lab) updateCluster(id string, fn func(st *state, c *dbCluster)) {
	updateIn(l, id, func(st *state) map[string]*dbCluster { return st.Clusters }, fn)
}

// startClusterCreate opens the cluster's endpoints; the cluster is then
// available, with no members yet.
func (l *Lab) startClusterCreate(id string) {
	l.rt.goBackground(func(ctx context.Context) {
		l.openCluster(id, evClusterCreated)
	})
}

// openCluster opens a cluster's endpoints on its port (a new one for a
// new cluster) and marks it available; ev is the event to record, if any.
func (l *Lab) openCluster(id string, ev instanceEventKind) {
	port := 0
	l.read(func(st *state) error {
		if c, ok := st.Clusters[id]; ok {
			port = c.Port
		}
		return nil
	})
	ce, err := openClusterEndpoints(port)
	if err != nil {
		l.opts.Logf("lab: cluster %s: opening endpoints: %v", id, err)
		l.updateCluster(id, func(st *state, c *dbCluster) { c.Status = statusFailed })
		return
	}
	l.rt.setClusterEndpoints(id, ce)
	l.updateCluster(id, func(st *state, c *dbCluster) {
		c.Port = ce.writer.Port()
		if c.Status == statusCreating || c.Status == statusFailingOver || c.Status == statusModifying {
			c.Status = statusAvailable
		}
		if ev.id != "" {
			st.addEvent(l.clusterEvent(id, ev))
		}
	})
	l.routeCluster(id)
}

func (l *Lab) startClusterDelete(id string) {
	l.rt.goBackground(func(ctx context.Context) {
		if ce := l.rt.clusterEndpoints(id); ce != nil {
			ce.close()
			l.rt.setClusterEndpoints(id, nil)
		}
		err := l.mutate(func(st *state) error {
			delete(st.Clusters, id)
			st.addEvent(l.clusterEvent(id, evClusterDeleted))
			return nil
		})
		logErr(l, id, err)
	})
}

// memberSetup is what a new member's server runs before it is available:
// the writer creates the master user (from the password's hash) and the
// replication user; a reader replicates from the writer until it has
// caught up.
func (l *Lab) memberSetup(in dbInstance) func(context.Context, *mysqld.Server) error {
	var c dbCluster
	l.read(func(st *state) error {
		if cc, ok := st.Clusters[in.ClusterID]; ok {
			c = *cc
		}
		return nil
	})
	if in.ClusterWriter {
		return func(ctx context.Context, s *mysqld.Server) error {
			if err := s.CreateUserHashed(ctx, c.MasterUsername, c.MasterPasswordHash); err != nil {
				return err
			}
			if err := s.RevokeReadOnlyAdmin(ctx, c.MasterUsername); err != nil {
				return err
			}
			return s.CreateReplicationUser(ctx, replUser, c.ReplPassword)
		}
	}
	return func(ctx context.Context, s *mysqld.Server) error {
		return l.attachReader(ctx, in.ClusterID, s)
	}
}

// attachReader makes s replicate from the cluster's writer (through the
// writer's instance endpoint) and waits until it has caught up.
func (l *Lab) attachReader(ctx context.Context, cluster string, s *mysqld.Server) error {
	writer, err := l.waitWriterEngine(ctx, cluster)
	if err != nil {
		return err
	}
	pw := ""
	l.read(func(st *state) error {
		if c, ok := st.Clusters[cluster]; ok {
			pw = c.ReplPassword
		}
		return nil
	})
	we := l.rt.engine(writer)
	if we == nil {
		return fmt.Errorf("the cluster's writer %s has no engine", writer)
	}
	if err := s.ReplicateFrom(ctx, we.EndpointAddr(), replUser, pw, false); err != nil {
		return err
	}
	ws := we.Server()
	if ws == nil {
		return nil // the writer is restarting; replication reconnects
	}
	pos, err := ws.BinlogPos(ctx)
	if err != nil {
		return err
	}
	return s.WaitApplied(ctx, pos, time.Minute)
}

func (l *Lab) startMemberCreate(id string) {
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
		e, err := engine.CreateWith(ctx, tmpl, l.rt.spec(&in), boot(&in, in.Running), l.memberSetup(in))
		l.cameUp(id, e, err, evCreated)
		l.routeCluster(in.ClusterID)
	})
}

// memberRestarted re-establishes what a member's restart (a reboot, a lab
// restart) loses: a reader's replication, which its server never starts
// by itself, and the cluster endpoints' routes.
func (l *Lab) memberRestarted(ctx context.Context, id string) {
	in, ok := l.snapshot(id)
	if !ok || in.ClusterID == "" {
		return
	}
	if !in.ClusterWriter {
		if e := l.rt.engine(id); e != nil && e.Server() != nil {
			if err := l.attachReader(ctx, in.ClusterID, e.Server()); err != nil {
				l.opts.Logf("lab: %s: replicating from the writer: %v", id, err)
			}
		}
	}
	l.routeCluster(in.ClusterID)
}

// startClusterFailover promotes target (or, with none, the most
// up-to-date available reader, then the lowest promotion tier) to writer.
// The cluster endpoint accepts nothing from the moment it is cut until it
// routes to the new writer; that window is recorded as an Outage. The old
// writer becomes a read-only reader of the new one; its instance endpoint
// stays its own, so clients that still use it meet read-only errors.
func (l *Lab) startClusterFailover(id, target string) {
	l.rt.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, opTimeout+l.opts.FailoverDelay)
		defer cancel()
		ce := l.rt.clusterEndpoints(id)
		if ce == nil {
			l.failoverFailed(id, errors.New("the cluster has no endpoints"))
			return
		}
		ce.mu.Lock()
		defer ce.mu.Unlock()
		if err := l.failover(ctx, id, target, ce); err != nil {
			l.failoverFailed(id, err)
		}
		l.routeClusterLocked(id, ce)
	})
}

func (l *Lab) failoverFailed(id string, err error) {
	l.opts.Logf("lab: cluster %s: failover: %v", id, err)
	l.updateCluster(id, func(st *state, c *dbCluster) {
		c.Status = statusAvailable
		st.addEvent(l.clusterEvent(id, evClusterFailoverFailed))
	})
}

// failoverMember is what a failover needs to know of a member.
type failoverMember struct {
	id, az string
	tier   int
	e      *engine.Instance
}

func (l *Lab) failover(ctx context.Context, id, target string, ce *clusterEndpoints) error {
	var (
		old     failoverMember
		readers []failoverMember
		pw      string
		ro      string
	)
	l.read(func(st *state) error {
		c, ok := st.Clusters[id]
		if !ok {
			return nil
		}
		pw = c.ReplPassword
		for _, in := range membersOf(st, id) {
			m := failoverMember{id: in.ID, az: in.AZ, tier: in.PromotionTier, e: l.rt.engine(in.ID)}
			switch {
			case in.ID == c.Writer:
				old = m
				ro = in.Running["read_only"]
			case in.Status == statusAvailable && m.e != nil:
				readers = append(readers, m)
			}
		}
		return nil
	})
	if old.e == nil || old.e.Server() == nil {
		return errors.New("the writer has no running engine")
	}
	next, err := pickFailoverTarget(ctx, readers, target)
	if err != nil {
		return err
	}
	ev := evClusterFailoverCross
	if next.az == old.az {
		ev = evClusterFailoverSameAZ
	}
	l.updateCluster(id, func(st *state, c *dbCluster) { st.addEvent(l.clusterEvent(id, ev, next.id)) })

	cut := time.Now()
	ce.writer.Down(l.failoverMode())
	// The old writer turns read-only and loses its clients; what it
	// committed, the new writer applies before it takes writes.
	oldSrv := old.e.Server()
	if err := oldSrv.SetGlobal(ctx, "read_only", "ON"); err != nil {
		return l.restoreWriter(ce, old, err)
	}
	logErr(l, old.id, old.e.CutConnections())
	pos, err := oldSrv.BinlogPos(ctx)
	if err != nil {
		return l.restoreWriter(ce, old, err)
	}
	newSrv := next.e.Server()
	if newSrv == nil {
		return l.restoreWriter(ce, old, errors.New(next.id+" has no running engine"))
	}
	if err := newSrv.WaitApplied(ctx, pos, 30*time.Second); err != nil {
		return l.restoreWriter(ce, old, err)
	}
	if err := newSrv.StopReplication(ctx); err != nil {
		return l.restoreWriter(ce, old, err)
	}
	if ro == "" {
		ro = "OFF"
	}
	if err := newSrv.SetGlobal(ctx, "read_only", ro); err != nil {
		return l.restoreWriter(ce, old, err)
	}
	if wait := time.Until(cut.Add(l.opts.FailoverDelay)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	if err := ce.writer.UpAll([]string{next.e.EndpointAddr()}, true); err != nil {
		return err
	}
	restored := time.Now()
	// The old writer rejoins as a reader from what its own binary log
	// holds; the other readers follow the new writer.
	if err := oldSrv.ReplicateFrom(ctx, next.e.EndpointAddr(), replUser, pw, true); err != nil {
		l.opts.Logf("lab: %s: rejoining as a reader: %v", old.id, err)
	}
	for _, r := range readers {
		if r.id == next.id || r.e.Server() == nil {
			continue
		}
		if err := r.e.Server().ReplicateFrom(ctx, next.e.EndpointAddr(), replUser, pw, false); err != nil {
			l.opts.Logf("lab: %s: following the new writer: %v", r.id, err)
		}
	}
	return l.mutate(func(st *state) error {
		c, ok := st.Clusters[id]
		if !ok {
			return errGone
		}
		c.Writer, c.Status = next.id, statusAvailable
		if in, ok := st.Instances[old.id]; ok {
			in.ClusterWriter = false
		}
		if in, ok := st.Instances[next.id]; ok {
			in.ClusterWriter = true
		}
		st.addEvent(l.clusterEvent(id, evClusterFailoverDone, next.id))
		st.Outages = append(st.Outages, Outage{Cluster: id, Cause: "failover", OldWriter: old.id, NewWriter: next.id,
			CutAt: cut.UTC(), RestoredAt: restored.UTC()})
		if n := len(st.Outages); n > maxOutages {
			st.Outages = append([]Outage(nil), st.Outages[n-maxOutages:]...)
		}
		return nil
	})
}

// restoreWriter undoes a failover that could not finish: the old writer
// takes writes again through the cluster endpoint.
func (l *Lab) restoreWriter(ce *clusterEndpoints, old failoverMember, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s := old.e.Server(); s != nil {
		logErr(l, old.id, s.SetGlobal(ctx, "read_only", "OFF"))
	}
	logErr(l, old.id, ce.writer.UpAll([]string{old.e.EndpointAddr()}, true))
	return cause
}

// pickFailoverTarget returns the named reader, or the one that has
// applied the most transactions, then the lowest promotion tier, then the
// first by id.
func pickFailoverTarget(ctx context.Context, readers []failoverMember, target string) (failoverMember, error) {
	if target != "" {
		for _, r := range readers {
			if r.id == target {
				return r, nil
			}
		}
		return failoverMember{}, fmt.Errorf("target %s is not an available reader", target)
	}
	type cand struct {
		m       failoverMember
		applied int64
	}
	var cs []cand
	for _, r := range readers {
		s := r.e.Server()
		if s == nil {
			continue
		}
		n, err := s.Applied(ctx)
		if err != nil {
			continue
		}
		cs = append(cs, cand{r, n})
	}
	if len(cs) == 0 {
		return failoverMember{}, errors.New("no reader is running")
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].applied != cs[j].applied {
			return cs[i].applied > cs[j].applied
		}
		if cs[i].m.tier != cs[j].m.tier {
			return cs[i].m.tier < cs[j].m.tier
		}
		return cs[i].m.id < cs[j].m.id
	})
	return cs[0].m, nil
}

// resumeClusters reopens the endpoints of a restarted lab's clusters on
// their ports, finishes a deletion the stop cut short, and marks a
// failover the stop cut short as over (the members come back in the roles
// the state records).
func (l *Lab) resumeClusters() {
	var ids, gone []string
	l.mutate(func(st *state) error {
		for id, c := range st.Clusters {
			if c.Status == statusDeleting {
				gone = append(gone, id)
				continue
			}
			ids = append(ids, id)
		}
		return nil
	})
	for _, id := range gone {
		l.startClusterDelete(id)
	}
	for _, id := range ids {
		l.openCluster(id, instanceEventKind{})
	}
}
