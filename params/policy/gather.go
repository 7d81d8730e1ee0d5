package policy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
)

// Target is one account and region to check, with its RDS client.
type Target struct {
	// Account labels the findings; "" takes it from the groups' ARNs.
	Account string
	Region  string
	API     cloud.RDS
}

// EffectiveReader reads the live global variables of one instance's
// server (by canonical name) over a non-interactive connection with tight
// timeouts. The CLI implements it with the verify package; a reader per
// account/region is the caller's business.
type EffectiveReader interface {
	ReadGlobals(ctx context.Context, account, region, instance string) (map[string]string, error)
}

// GatherOptions tune Gather.
type GatherOptions struct {
	// Concurrency bounds the API calls in flight per target; 0 means
	// cloud.DefaultFleetConcurrency.
	Concurrency int
	// TotalConcurrency bounds them across all the targets; 0 means
	// cloud.DefaultFleetTotalConcurrency, or Concurrency if that is more
	// (so that one target gets what it asks for). The targets take the
	// free slots in order, so that they are read mostly one after another
	// and fewer of them are held in memory at once.
	TotalConcurrency int
	// Effective, when set, reads every instance using a selected group.
	Effective EffectiveReader
	// EffectiveConcurrency bounds the servers read at once; 0 means 8.
	EffectiveConcurrency int
}

// Gather reads a Snapshot per target, the targets concurrently: the
// selected groups, their user-set parameters, their families' engine
// defaults, and the instances using them, with each instance's live
// globals when opts.Effective is set. Targets outside the policy's
// regions are skipped.
func Gather(ctx context.Context, pol *Policy, targets []Target, opts GatherOptions) ([]Snapshot, error) {
	snaps := make([]Snapshot, len(targets))
	errs := make([]error, len(targets))
	total := opts.TotalConcurrency
	if total <= 0 {
		total = max(cloud.DefaultFleetTotalConcurrency, opts.Concurrency)
	}
	shared := cloud.NewCallLimit(total)
	var wg sync.WaitGroup
	for i, t := range targets {
		if !pol.SelectsRegion(t.Region) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			snaps[i], errs[i] = gatherOne(ctx, pol, t, opts, shared, i)
		}()
	}
	wg.Wait()
	var out []Snapshot
	for i, t := range targets {
		if errs[i] != nil {
			where := t.Region
			if t.Account != "" {
				where = t.Account + "/" + where
			}
			return nil, fmt.Errorf("reading %s: %w", where, errs[i])
		}
		if pol.SelectsRegion(t.Region) {
			out = append(out, snaps[i])
		}
	}
	if opts.Effective != nil {
		if err := readEffective(ctx, out, opts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func gatherOne(ctx context.Context, pol *Policy, t Target, opts GatherOptions, shared *cloud.CallLimit, prio int) (Snapshot, error) {
	f, err := cloud.ReadFleet(ctx, t.API, cloud.FleetQuery{
		DB:      pol.SelectsKind(KindDB),
		Cluster: pol.SelectsKind(KindCluster),
		Select: func(cluster bool, name, family string) bool {
			return pol.Selects(kindOf(cluster), name, family)
		},
		// Always read: CheckNames needs the families' parameter names.
		Defaults:  true,
		Instances: true,
		// An Aurora member's own DB group overrides its cluster group's
		// values, which --effective holds its server to.
		MemberGroups: opts.Effective != nil && pol.SelectsKind(KindCluster),
		Concurrency:  opts.Concurrency,
		Shared:       shared,
		Priority:     prio,
	})
	if err != nil {
		return Snapshot{}, err
	}
	return FromFleet(t.Account, t.Region, f), nil
}

func kindOf(cluster bool) Kind {
	if cluster {
		return KindCluster
	}
	return KindDB
}

// FromFleet builds a Snapshot from what cloud.ReadFleet read, mapping
// instances to the groups they use: a DB group through each instance's
// DBParameterGroups, a cluster group through its clusters' members. The
// account comes from account, else from the groups' ARNs.
func FromFleet(account, region string, f *cloud.Fleet) Snapshot {
	s := Snapshot{Account: account, Region: region}
	defaults := map[cloud.FamilyKey]map[string]Param{}
	for k, ps := range f.Defaults {
		defaults[k] = toParams(ps)
	}
	byID := map[string]types.DBInstance{}
	for _, in := range f.Instances {
		byID[aws.ToString(in.DBInstanceIdentifier)] = in
	}
	dbUsers := map[string][]Instance{}
	for _, in := range f.Instances {
		for _, pg := range in.DBParameterGroups {
			name := strings.ToLower(aws.ToString(pg.DBParameterGroupName))
			dbUsers[name] = append(dbUsers[name], instanceOf(in, aws.ToString(pg.ParameterApplyStatus)))
		}
	}
	clusterUsers := map[string][]Instance{}
	memberParams := map[string]map[string]Param{} // each member group's, converted once
	for _, c := range f.Clusters {
		name := strings.ToLower(aws.ToString(c.DBClusterParameterGroup))
		for _, m := range c.DBClusterMembers {
			in := byID[aws.ToString(m.DBInstanceIdentifier)]
			in.DBInstanceIdentifier = m.DBInstanceIdentifier
			x := instanceOf(in, aws.ToString(m.DBClusterParameterGroupStatus))
			if f.MemberGroups != nil {
				x.DBGroups = []MemberGroup{}
				for _, pg := range in.DBParameterGroups {
					gn := aws.ToString(pg.DBParameterGroupName)
					k := strings.ToLower(gn)
					ps, ok := memberParams[k]
					if !ok {
						ps = toParams(f.MemberGroups[k])
						memberParams[k] = ps
					}
					x.DBGroups = append(x.DBGroups, MemberGroup{Name: gn, ApplyStatus: aws.ToString(pg.ParameterApplyStatus), Params: ps})
				}
			}
			clusterUsers[name] = append(clusterUsers[name], x)
		}
	}
	for _, fg := range f.Groups {
		if s.Account == "" {
			s.Account = cloud.AccountFromARN(fg.ARN)
		}
		g := Group{Kind: kindOf(fg.Cluster), Name: fg.Name, Family: fg.Family, Params: toParams(fg.User),
			Defaults: defaults[cloud.FamilyKey{Cluster: fg.Cluster, Family: strings.ToLower(fg.Family)}]}
		if fg.Cluster {
			g.Instances = clusterUsers[strings.ToLower(fg.Name)]
		} else {
			g.Instances = dbUsers[strings.ToLower(fg.Name)]
		}
		sort.Slice(g.Instances, func(i, j int) bool { return g.Instances[i].ID < g.Instances[j].ID })
		s.Groups = append(s.Groups, g)
	}
	return s
}

func instanceOf(in types.DBInstance, status string) Instance {
	x := Instance{ID: aws.ToString(in.DBInstanceIdentifier), Class: aws.ToString(in.DBInstanceClass),
		AllocatedStorageGiB: int64(aws.ToInt32(in.AllocatedStorage)), ApplyStatus: status}
	if in.Endpoint != nil {
		x.Port = int64(aws.ToInt32(in.Endpoint.Port))
	}
	return x
}

func toParams(ps []types.Parameter) map[string]Param {
	m := make(map[string]Param, len(ps))
	for _, p := range ps {
		name := aws.ToString(p.ParameterName)
		if name == "" {
			continue
		}
		m[canonical(name)] = Param{Name: name, Value: aws.ToString(p.ParameterValue), HasValue: p.ParameterValue != nil,
			DataType: aws.ToString(p.DataType)}
	}
	return m
}

// KnownNames lists, per family, the parameter names its engine defaults
// have, for CheckNames.
func KnownNames(snaps []Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, s := range snaps {
		for _, g := range s.Groups {
			fam := strings.ToLower(g.Family)
			if _, done := out[fam]; done || g.Defaults == nil {
				continue
			}
			names := make([]string, 0, len(g.Defaults))
			for _, p := range g.Defaults {
				names = append(names, p.Name)
			}
			sort.Strings(names)
			out[fam] = names
		}
	}
	return out
}

// readEffective fills in Globals (or GlobalsErr) for every instance of a
// selected group, each server read once however many groups it uses.
func readEffective(ctx context.Context, snaps []Snapshot, opts GatherOptions) error {
	limit := opts.EffectiveConcurrency
	if limit <= 0 {
		limit = 8
	}
	type key struct{ account, region, id string }
	type result struct {
		globals map[string]string
		err     error
	}
	results := map[key]*result{}
	var order []key
	for _, s := range snaps {
		for _, g := range s.Groups {
			for _, in := range g.Instances {
				k := key{s.Account, s.Region, in.ID}
				if _, ok := results[k]; !ok {
					results[k] = &result{}
					order = append(order, k)
				}
			}
		}
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, k := range order {
		r := results[k]
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				r.err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			r.globals, r.err = opts.Effective.ReadGlobals(ctx, k.account, k.region, k.id)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for si := range snaps {
		s := &snaps[si]
		for gi := range s.Groups {
			g := &s.Groups[gi]
			for ii := range g.Instances {
				in := &g.Instances[ii]
				r := results[key{s.Account, s.Region, in.ID}]
				if r.err != nil {
					in.GlobalsErr = r.err.Error()
					continue
				}
				in.Globals = r.globals
			}
		}
	}
	return nil
}
