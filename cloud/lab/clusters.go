package lab

import (
	"sort"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// The Aurora DB cluster actions. Each validates the request, records the
// new status under l.mu and answers; the engine work (endpoints,
// replication, failover) runs in the background (clusterlife.go).

func createCluster(l *Lab, r *request) (any, error) {
	id, err := r.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	if !validInstanceID(id) {
		return nil, invalidIdentifier("DBClusterIdentifier")
	}
	eng, err := r.required("Engine")
	if err != nil {
		return nil, err
	}
	eng = strings.ToLower(eng)
	famName, ok := clusterEngineFamily[eng]
	if !ok {
		if _, inst := engineFamily[eng]; inst {
			return nil, apiErr(codeInvalidParameterValue, "The lab serves Aurora MySQL clusters only (Engine aurora-mysql), not %s clusters", eng)
		}
		// AWS: "Invalid DB engine: postgresql"
		return nil, apiErr(codeInvalidParameterValue, "Invalid DB engine: %s", eng)
	}
	user := r.str("MasterUsername")
	if user == "" {
		// AWS: "The parameter MasterUsername must be provided and must not be blank."
		return nil, apiErr(codeInvalidParameterValue, "The parameter MasterUsername must be provided and must not be blank.")
	}
	if err := checkMasterUsername(user); err != nil {
		return nil, err
	}
	if manage, _, _ := r.boolean("ManageMasterUserPassword"); manage {
		return nil, apiErr(codeInvalidParameterValue, "ManageMasterUserPassword is not supported by the lab: it has no Secrets Manager; pass MasterUserPassword")
	}
	password := r.str("MasterUserPassword")
	if password == "" {
		return nil, apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword must be provided and must not be blank.")
	}
	if err := checkMasterPassword(password); err != nil {
		return nil, err
	}
	port, err := requestPort(r, "cluster", clusterWriterHost, clusterReaderHost)
	if err != nil {
		return nil, err
	}
	ev, err := resolveVersion(eng, r.str("EngineVersion"))
	if err != nil {
		return nil, err
	}
	retention, err := clusterRetention(r)
	if err != nil {
		return nil, err
	}
	protect, _, err := r.boolean("DeletionProtection")
	if err != nil {
		return nil, err
	}
	tags, err := createTags(r)
	if err != nil {
		return nil, err
	}
	if l.rt == nil {
		return nil, apiErr(codeInvalidParameterCombination,
			"This lab runs without an engine (--no-engine): it serves parameter groups only, not DB clusters")
	}
	c := &dbCluster{ID: strings.ToLower(id), Status: statusCreating, Engine: eng, EngineVersion: ev.Version,
		MasterUsername: user, DatabaseName: r.str("DatabaseName"), CreatedAt: time.Now().UTC(),
		ResourceID: "cluster-" + randomID(26), Port: port, BackupRetention: retention, DeletionProtection: protect,
		Tags: tags, MasterPasswordHash: mysqld.NativePasswordHash(password), ReplPassword: randomID(24), NextServerID: 1}
	var out xmlDBClusterResult
	err = l.mutate(func(st *state) error {
		if _, ok := st.Clusters[c.ID]; ok {
			// AWS: "DB Cluster already exists"
			return apiErr(codeDBClusterAlreadyExists, "DB Cluster already exists")
		}
		if len(st.Clusters) >= maxClusters {
			return apiErr(codeDBClusterQuotaExceeded, "The request would exceed the lab's quota of %d DB clusters", maxClusters)
		}
		gname := r.str("DBClusterParameterGroupName")
		if gname == "" {
			gname = defaultGroupPrefix + famName
		}
		g, err := findGroup(st, kindCluster, gname)
		if err != nil {
			// AWS: "DBClusterParameterGroup not found: x"
			return apiErr(codeDBClusterParameterGroupNotFound, "DBClusterParameterGroup not found: %s", gname)
		}
		if g.Family != famName {
			return apiErr(codeInvalidParameterCombination, "The DB cluster parameter group %s with family %s cannot be used for engine %s %s. Please use a DB cluster parameter group with family %s",
				g.Name, g.Family, eng, ev.Version, famName)
		}
		c.ClusterParamGroup = g.Name
		st.Clusters[c.ID] = c
		out.Cluster = l.xmlCluster(st, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startClusterCreate(c.ID)
	return out, nil
}

// clusterFilters are the DescribeDBClusters filters the lab supports.
var clusterFilters = map[string]func(l *Lab, st *state, c *dbCluster) []string{
	"db-cluster-id": func(l *Lab, _ *state, c *dbCluster) []string { return []string{c.ID, l.clusterARN(c.ID)} },
	"engine":        func(_ *Lab, _ *state, c *dbCluster) []string { return []string{c.Engine} },
	"db-cluster-resource-id": func(_ *Lab, _ *state, c *dbCluster) []string {
		return []string{c.ResourceID}
	},
	"db-instance-id": func(l *Lab, st *state, c *dbCluster) []string {
		var ids []string
		for _, in := range membersOf(st, c.ID) {
			ids = append(ids, in.ID, l.instanceARN(in.ID))
		}
		return ids
	},
}

func describeClusters(l *Lab, r *request) (any, error) {
	id := r.str("DBClusterIdentifier")
	r.resource = strings.ToLower(id)
	names := make([]string, 0, len(clusterFilters))
	for n := range clusterFilters {
		names = append(names, n)
	}
	filters, err := checkFilters(r, names...)
	if err != nil {
		return nil, err
	}
	if _, _, err := r.boolean("IncludeShared"); err != nil {
		return nil, err
	}
	var items []xmlDBCluster
	err = l.read(func(st *state) error {
		if id != "" {
			c, err := findCluster(st, id)
			if err != nil {
				return err
			}
			items = append(items, l.xmlCluster(st, c))
			return nil
		}
		for _, c := range st.Clusters {
			if l.clusterMatches(st, c, filters) {
				items = append(items, l.xmlCluster(st, c))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	pg, next, err := page(r, items, func(x xmlDBCluster) string { return x.ID })
	if err != nil {
		return nil, err
	}
	var out xmlDBClusterMessage
	out.Marker = next
	out.Clusters.Items = append([]xmlDBCluster{}, pg...)
	return out, nil
}

func (l *Lab) clusterMatches(st *state, c *dbCluster, filters []filter) bool {
	for _, f := range filters {
		hit := false
		for _, have := range clusterFilters[f.Name](l, st, c) {
			for _, want := range f.Values {
				hit = hit || have != "" && strings.EqualFold(have, want)
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func modifyCluster(l *Lab, r *request) (any, error) {
	id, err := r.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	gname := r.str("DBClusterParameterGroupName")
	protect, protectSet, err := r.boolean("DeletionProtection")
	if err != nil {
		return nil, err
	}
	// ApplyImmediately changes nothing the lab models: a new cluster
	// parameter group waits for each member's reboot either way, as on
	// AWS, and DeletionProtection and BackupRetentionPeriod are immediate.
	if _, _, err := r.boolean("ApplyImmediately"); err != nil {
		return nil, err
	}
	retention, err := clusterRetention(r)
	if err != nil {
		return nil, err
	}
	var out xmlDBClusterResult
	err = l.mutate(func(st *state) error {
		c, err := findCluster(st, id)
		if err != nil {
			return err
		}
		if c.Status != statusAvailable {
			return clusterBusy(c)
		}
		newGroup := ""
		if gname != "" && !strings.EqualFold(gname, c.ClusterParamGroup) {
			g, err := findGroup(st, kindCluster, gname)
			if err != nil {
				return apiErr(codeDBClusterParameterGroupNotFound, "DBClusterParameterGroup not found: %s", gname)
			}
			if g.Family != clusterEngineFamily[c.Engine] {
				return apiErr(codeInvalidParameterCombination, "The DB cluster parameter group %s with family %s cannot be used for engine %s. Please use a DB cluster parameter group with family %s",
					g.Name, g.Family, c.Engine, clusterEngineFamily[c.Engine])
			}
			newGroup = g.Name
		}
		if newGroup != "" {
			c.ClusterParamGroup = newGroup
			// A newly attached group waits for each member's reboot.
			for _, in := range membersOf(st, c.ID) {
				in.ClusterParamApplyStatus = applyStatusPendingReboot
			}
		}
		if protectSet {
			c.DeletionProtection = protect
		}
		if retention != nil {
			c.BackupRetention = retention
		}
		out.Cluster = l.xmlCluster(st, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func deleteCluster(l *Lab, r *request) (any, error) {
	id, err := r.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	skip, _, err := r.boolean("SkipFinalSnapshot")
	if err != nil {
		return nil, err
	}
	if !skip {
		// The lab takes no snapshots, so FinalDBSnapshotIdentifier is
		// refused as a member; without it AWS says:
		return nil, apiErr(codeInvalidParameterCombination, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	}
	var out xmlDBClusterResult
	err = l.mutate(func(st *state) error {
		c, err := findCluster(st, id)
		if err != nil {
			return err
		}
		if c.DeletionProtection {
			// AWS: "Cannot delete protected Cluster, please disable deletion protection and try again."
			return apiErr(codeInvalidParameterCombination, "Cannot delete protected Cluster, please disable deletion protection and try again.")
		}
		if len(membersOf(st, c.ID)) > 0 {
			// AWS: "Cluster cannot be deleted, it still contains DB instances in non-deleting state."
			return apiErr(codeInvalidDBClusterState, "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
		}
		if c.Status != statusAvailable && c.Status != statusFailed {
			return clusterBusy(c)
		}
		c.Status = statusDeleting
		out.Cluster = l.xmlCluster(st, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startClusterDelete(out.Cluster.ID)
	return out, nil
}

func failoverCluster(l *Lab, r *request) (any, error) {
	id, err := r.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	target := strings.ToLower(r.str("TargetDBInstanceIdentifier"))
	var out xmlDBClusterResult
	err = l.mutate(func(st *state) error {
		c, err := findCluster(st, id)
		if err != nil {
			return err
		}
		if c.Status != statusAvailable {
			return clusterBusy(c)
		}
		readers := 0
		for _, in := range membersOf(st, c.ID) {
			if in.ID == c.Writer {
				continue
			}
			if in.Status == statusAvailable {
				readers++
			}
		}
		if target != "" {
			in, err := findInstance(st, target)
			if err != nil {
				return err
			}
			if in.ClusterID != c.ID {
				return apiErr(codeInvalidParameterValue, "DBInstance %s is not a member of DBCluster %s.", in.ID, c.ID)
			}
			if in.ID == c.Writer {
				return apiErr(codeInvalidParameterValue, "DBInstance %s is already the writer of DBCluster %s.", in.ID, c.ID)
			}
			if in.Status != statusAvailable {
				return notAvailable(in)
			}
		}
		if w, ok := st.Instances[c.Writer]; !ok || w.Status != statusAvailable {
			return apiErr(codeInvalidDBInstanceState, "The writer of DBCluster %s is not in available state.", c.ID)
		}
		if readers == 0 {
			// The lab's wording: a cluster without an available reader
			// has nothing to fail over to.
			return apiErr(codeInvalidDBClusterState, "DBCluster %s has no available reader to fail over to.", c.ID)
		}
		c.Status = statusFailingOver
		out.Cluster = l.xmlCluster(st, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startClusterFailover(out.Cluster.ID, target)
	return out, nil
}
