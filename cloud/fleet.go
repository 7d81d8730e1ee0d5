package cloud

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// DefaultFleetConcurrency bounds the calls a fleet read has in flight per
// region: enough to read hundreds of groups in a few seconds, few enough
// that RDS's Describe* throttling (shared by every tool in the account)
// is rarely hit, and the retryer (newRetryer) absorbs it when it is.
const DefaultFleetConcurrency = 16

// DefaultFleetTotalConcurrency bounds the calls in flight across all the
// fleet reads sharing a CallLimit, e.g. every region and account a policy
// check reads. Each call in flight holds a connection, its buffers, a
// goroutine stack and the response being decoded: five regions at
// DefaultFleetConcurrency each would put 80 calls in flight, for no more
// speed where they share an endpoint or the machine's cores are the
// bottleneck. With CallLimit's priorities, the reads use the slots one
// after another, so one region still gets DefaultFleetConcurrency.
const DefaultFleetTotalConcurrency = DefaultFleetConcurrency

// CallLimit bounds the calls in flight across the fleet reads that share
// it (FleetQuery.Shared), beside each read's own Concurrency. A free slot
// goes to the waiting read with the lowest FleetQuery.Priority (then the
// longest waiting), so that reads sharing it run mostly one after another
// rather than all at once, and fewer of them hold what they read at a
// time.
type CallLimit struct {
	mu      sync.Mutex
	free    int
	seq     uint64
	waiters []*callWaiter
}

type callWaiter struct {
	prio  int
	seq   uint64
	ready chan struct{}
}

// NewCallLimit returns a CallLimit of n calls; n <= 0 means
// DefaultFleetTotalConcurrency.
func NewCallLimit(n int) *CallLimit {
	if n <= 0 {
		n = DefaultFleetTotalConcurrency
	}
	return &CallLimit{free: n}
}

// acquire waits for a slot, or for ctx to end.
func (l *CallLimit) acquire(ctx context.Context, prio int) error {
	l.mu.Lock()
	if l.free > 0 && len(l.waiters) == 0 {
		l.free--
		l.mu.Unlock()
		return nil
	}
	l.seq++
	w := &callWaiter{prio: prio, seq: l.seq, ready: make(chan struct{})}
	i := sort.Search(len(l.waiters), func(i int) bool {
		o := l.waiters[i]
		return o.prio > prio || o.prio == prio && o.seq > w.seq
	})
	l.waiters = slices.Insert(l.waiters, i, w)
	l.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	if i := slices.Index(l.waiters, w); i >= 0 {
		l.waiters = slices.Delete(l.waiters, i, i+1)
		l.mu.Unlock()
		return ctx.Err()
	}
	l.mu.Unlock()
	// The slot was granted as ctx ended: pass it on.
	l.release()
	return ctx.Err()
}

// release frees a slot, handing it to the first waiter if any.
func (l *CallLimit) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.waiters) > 0 {
		w := l.waiters[0]
		l.waiters = slices.Delete(l.waiters, 0, 1)
		close(w.ready)
		return
	}
	l.free++
}

// FleetQuery says which parameter groups ReadFleet reads.
type FleetQuery struct {
	DB, Cluster bool
	// Select picks groups by kind, name and family; nil selects all.
	Select func(cluster bool, name, family string) bool
	// Defaults reads each selected family's engine defaults, once per
	// family and kind.
	Defaults bool
	// Instances lists the instances (and, with Cluster, the clusters)
	// that use the groups.
	Instances bool
	// MemberGroups, with Cluster and Instances, also reads the user-set
	// parameters of every DB parameter group used by a member of a
	// cluster whose cluster parameter group is selected (on Aurora a
	// member's own group overrides the cluster group's values for that
	// member), into Fleet.MemberGroups. A group already read as a
	// selected DB group is not read again.
	MemberGroups bool
	// Concurrency bounds the calls in flight; 0 means
	// DefaultFleetConcurrency.
	Concurrency int
	// Shared, when set, also bounds the calls in flight across the reads
	// sharing it; Priority orders this read among them (lower first).
	Shared   *CallLimit
	Priority int
}

// FleetGroup is a parameter group and its user-set parameters (the
// Source=user pages only: a few parameters rather than ~570).
type FleetGroup struct {
	Cluster bool
	Name    string
	Family  string
	ARN     string
	User    []types.Parameter
}

// FamilyKey names the engine defaults of a family for one kind of group.
type FamilyKey struct {
	Cluster bool
	Family  string
}

// Fleet is what ReadFleet read of one region.
type Fleet struct {
	Groups    []FleetGroup
	Defaults  map[FamilyKey][]types.Parameter
	Instances []types.DBInstance
	Clusters  []types.DBCluster
	// MemberGroups are the user-set parameters of the DB parameter groups
	// the selected cluster groups' members use, by lower-cased name;
	// nil unless FleetQuery.MemberGroups.
	MemberGroups map[string][]types.Parameter
}

// ReadFleet lists the selected DB and/or cluster parameter groups, reads
// each one's user-set parameters and, as asked, the engine defaults of
// their families and the instances and clusters that use them. Calls run
// concurrently, at most q.Concurrency at once (and within q.Shared); a
// call's goroutine starts only once it has its slots, so a fleet of any
// size has that many goroutines at most. The first error cancels the
// rest.
func ReadFleet(ctx context.Context, api RDS, q FleetQuery) (*Fleet, error) {
	limit := q.Concurrency
	if limit <= 0 {
		limit = DefaultFleetConcurrency
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, limit)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	shared := q.Shared
	// spawnOn waits for a slot under the concurrency bounds (the read's,
	// then the shared one), then runs fn in a goroutine counted by on.
	spawnOn := func(on *sync.WaitGroup, fn func() error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
			return
		}
		if shared != nil {
			if err := shared.acquire(ctx, q.Priority); err != nil {
				<-sem
				fail(err)
				return
			}
		}
		on.Add(1)
		go func() {
			defer on.Done()
			defer func() {
				if shared != nil {
					shared.release()
				}
				<-sem
			}()
			if err := fn(); err != nil {
				fail(err)
			}
		}()
	}
	spawn := func(fn func() error) { spawnOn(&wg, fn) }

	f := &Fleet{Defaults: map[FamilyKey][]types.Parameter{}}
	// The instances and clusters have their own WaitGroup: the members'
	// groups are read once they are listed, while the groups' parameters
	// may still be in flight.
	var iwg sync.WaitGroup
	if q.Instances {
		spawnOn(&iwg, func() error {
			ins, err := AllInstances(ctx, api)
			mu.Lock()
			f.Instances = ins
			mu.Unlock()
			return err
		})
		if q.Cluster {
			spawnOn(&iwg, func() error {
				cs, err := AllClusters(ctx, api)
				mu.Lock()
				f.Clusters = cs
				mu.Unlock()
				return err
			})
		}
	}
	// The listings run first (under the bound); each group's parameters
	// are read as soon as its listing returns.
	var listed []FleetGroup
	var lwg sync.WaitGroup
	list := func(cluster bool) {
		spawnOn(&lwg, func() error {
			var gs []FleetGroup
			if cluster {
				all, err := AllClusterParameterGroups(ctx, api)
				if err != nil {
					return err
				}
				for _, g := range all {
					gs = append(gs, FleetGroup{Cluster: true, Name: aws.ToString(g.DBClusterParameterGroupName),
						Family: aws.ToString(g.DBParameterGroupFamily), ARN: aws.ToString(g.DBClusterParameterGroupArn)})
				}
			} else {
				all, err := AllParameterGroups(ctx, api)
				if err != nil {
					return err
				}
				for _, g := range all {
					gs = append(gs, FleetGroup{Name: aws.ToString(g.DBParameterGroupName),
						Family: aws.ToString(g.DBParameterGroupFamily), ARN: aws.ToString(g.DBParameterGroupArn)})
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, g := range gs {
				if q.Select == nil || q.Select(g.Cluster, g.Name, g.Family) {
					listed = append(listed, g)
				}
			}
			return nil
		})
	}
	if q.DB {
		list(false)
	}
	if q.Cluster {
		list(true)
	}
	lwg.Wait()
	if err := firstErrOf(&mu, &firstErr); err != nil {
		iwg.Wait()
		wg.Wait()
		return nil, err
	}
	f.Groups = listed
	seenFamily := map[FamilyKey]bool{}
	for i := range f.Groups {
		g := &f.Groups[i]
		spawn(func() error {
			var ps []types.Parameter
			var err error
			if g.Cluster {
				ps, err = AllClusterParameters(ctx, api, g.Name, SourceUser)
			} else {
				ps, err = AllParameters(ctx, api, g.Name, SourceUser)
			}
			g.User = ps // each goroutine owns its element
			return err
		})
		k := FamilyKey{Cluster: g.Cluster, Family: strings.ToLower(g.Family)}
		if q.Defaults && !seenFamily[k] {
			seenFamily[k] = true
			spawn(func() error {
				var ps []types.Parameter
				var err error
				if k.Cluster {
					ps, err = AllEngineDefaultClusterParameters(ctx, api, k.Family)
				} else {
					ps, err = AllEngineDefaultParameters(ctx, api, k.Family)
				}
				mu.Lock()
				f.Defaults[k] = ps
				mu.Unlock()
				return err
			})
		}
	}
	iwg.Wait()
	var used map[string]bool // the members' groups, by lower-cased name
	if q.MemberGroups && q.Cluster && q.Instances && firstErrOf(&mu, &firstErr) == nil {
		f.MemberGroups = map[string][]types.Parameter{}
		used = map[string]bool{}
		read := map[string]bool{} // the selected DB groups, read already
		// By index, reading only Name and Cluster: the goroutines above
		// are still writing each group's User.
		for i := range f.Groups {
			if g := &f.Groups[i]; !g.Cluster {
				read[strings.ToLower(g.Name)] = true
			}
		}
		for _, name := range memberGroupsOf(f) {
			k := strings.ToLower(name)
			if used[k] {
				continue
			}
			used[k] = true
			if read[k] {
				continue
			}
			spawn(func() error {
				ps, err := AllParameters(ctx, api, name, SourceUser)
				mu.Lock()
				f.MemberGroups[k] = ps
				mu.Unlock()
				return err
			})
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for _, g := range f.Groups {
		if k := strings.ToLower(g.Name); !g.Cluster && used[k] {
			f.MemberGroups[k] = g.User
		}
	}
	return f, nil
}

// memberGroupsOf lists the DB parameter groups of the members of the
// clusters whose cluster group f selected, in the clusters' order. It
// reads only the groups' Name and Cluster, which ReadFleet's readers of
// their parameters do not write.
func memberGroupsOf(f *Fleet) []string {
	selected := map[string]bool{}
	for i := range f.Groups {
		if g := &f.Groups[i]; g.Cluster {
			selected[strings.ToLower(g.Name)] = true
		}
	}
	byID := make(map[string]*types.DBInstance, len(f.Instances))
	for i := range f.Instances {
		byID[aws.ToString(f.Instances[i].DBInstanceIdentifier)] = &f.Instances[i]
	}
	var out []string
	for _, c := range f.Clusters {
		if !selected[strings.ToLower(aws.ToString(c.DBClusterParameterGroup))] {
			continue
		}
		for _, m := range c.DBClusterMembers {
			in := byID[aws.ToString(m.DBInstanceIdentifier)]
			if in == nil {
				continue
			}
			for _, pg := range in.DBParameterGroups {
				if name := aws.ToString(pg.DBParameterGroupName); name != "" {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

func firstErrOf(mu *sync.Mutex, err *error) error {
	mu.Lock()
	defer mu.Unlock()
	return *err
}

// AccountFromARN returns the account id in an ARN
// (arn:aws:rds:us-east-1:123456789012:pg:name), or "".
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
