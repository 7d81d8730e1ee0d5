package lab

import (
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/params/formula"
)

// createMember is CreateDBInstance with a DBClusterIdentifier: a new
// Aurora member. The first member of a cluster is its writer; later ones
// are readers, which replicate from the writer.
func createMember(l *Lab, r *request, id string) (any, error) {
	cid := strings.ToLower(r.str("DBClusterIdentifier"))
	class, err := r.required("DBInstanceClass")
	if err != nil {
		return nil, err
	}
	if _, ok := formula.LookupClass(class); !ok {
		return nil, apiErr(codeInvalidParameterValue, "Invalid DB Instance class: %s", class)
	}
	eng, err := r.required("Engine")
	if err != nil {
		return nil, err
	}
	eng = strings.ToLower(eng)
	// What a member takes from its cluster, AWS refuses on the instance.
	for _, m := range []string{"MasterUsername", "MasterUserPassword", "AllocatedStorage", "BackupRetentionPeriod", "DBName", "Port"} {
		if r.str(m) != "" {
			// AWS: "The requested DB Instance will be a member of a DB
			// Cluster. Set backup retention period for the DB Cluster."
			// and the like; the lab names the member.
			return nil, apiErr(codeInvalidParameterCombination, "The requested DB Instance will be a member of a DB Cluster. Set %s for the DB Cluster.", m)
		}
	}
	if manage, _, _ := r.boolean("ManageMasterUserPassword"); manage {
		return nil, apiErr(codeInvalidParameterCombination, "The requested DB Instance will be a member of a DB Cluster. Set ManageMasterUserPassword for the DB Cluster.")
	}
	if multi, _, err := r.boolean("MultiAZ"); err != nil {
		return nil, err
	} else if multi {
		// Aurora's availability comes from its readers.
		return nil, apiErr(codeInvalidParameterCombination, "The requested DB Instance will be a member of a DB Cluster. MultiAZ is not applicable: add readers in other Availability Zones.")
	}
	tier, tierSet, err := r.integer("PromotionTier")
	if err != nil {
		return nil, err
	}
	if !tierSet {
		tier = 1
	}
	if tier < 0 || tier > 15 {
		return nil, apiErr(codeInvalidParameterValue, "Invalid value %d for PromotionTier. Must be between 0 and 15.", tier)
	}
	protect, _, err := r.boolean("DeletionProtection")
	if err != nil {
		return nil, err
	}
	tags, err := createTags(r)
	if err != nil {
		return nil, err
	}
	az := r.str("AvailabilityZone")
	var out xmlDBInstanceResult
	err = l.mutate(func(st *state) error {
		c, err := findCluster(st, cid)
		if err != nil {
			return err
		}
		if eng != c.Engine {
			// AWS: "The engine name requested for your DB instance
			// (mysql) doesn't match the engine name of your DB cluster
			// (aurora-mysql)."
			return apiErr(codeInvalidParameterCombination, "The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s).", eng, c.Engine)
		}
		if v := r.str("EngineVersion"); v != "" {
			ev, err := resolveVersion(eng, v)
			if err != nil {
				return err
			}
			if ev.Version != c.EngineVersion {
				return apiErr(codeInvalidParameterCombination, "The engine version requested for your DB instance (%s) doesn't match the engine version of your DB cluster (%s).", ev.Version, c.EngineVersion)
			}
		}
		if c.Status != statusAvailable {
			return clusterBusy(c)
		}
		if _, ok := st.Instances[strings.ToLower(id)]; ok {
			return apiErr(codeDBInstanceAlreadyExists, "DB instance already exists")
		}
		if len(st.Instances) >= maxInstances {
			return apiErr(codeInstanceQuotaExceeded, "The request would exceed the lab's quota of %d DB instances", maxInstances)
		}
		members := membersOf(st, c.ID)
		fam := clusterEngineFamily[c.Engine]
		gname := r.str("DBParameterGroupName")
		if gname == "" {
			gname = defaultGroupPrefix + fam
		}
		g, err := findGroup(st, kindInstance, gname)
		if err != nil {
			return err
		}
		if g.Family != fam {
			return familyMismatch(g, fam)
		}
		if az == "" {
			az = l.az(string(rune('a' + len(members)%3)))
		}
		in := &dbInstance{ID: strings.ToLower(id), ClusterID: c.ID, Status: statusCreating,
			ParamApplyStatus: applyStatusInSync, ClusterParamApplyStatus: applyStatusInSync,
			Engine: c.Engine, EngineVersion: c.EngineVersion, Class: class, MasterUsername: c.MasterUsername,
			DBName: c.DatabaseName, AllocatedStorage: 1, AZ: az, CreatedAt: time.Now().UTC(),
			ResourceID: "db-" + randomID(26), ServerID: c.NextServerID, PromotionTier: tier,
			DeletionProtection: protect, Tags: tags, ParamGroup: g.Name}
		if c.Writer == "" {
			c.Writer, in.ClusterWriter = in.ID, true
		}
		c.NextServerID++
		if in.Running, err = groupValues(st, in); err != nil {
			return apiErr(codeInvalidParameterCombination, "%s", err.Error())
		}
		st.Instances[in.ID] = in
		out.Instance = l.xmlInstance(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startMemberCreate(out.Instance.ID)
	return out, nil
}

// memberModifyRule refuses, on an Aurora member, the ModifyDBInstance
// members that belong to its cluster (set names the ones the request
// carries).
func memberModifyRule(in *dbInstance, set map[string]bool) error {
	if in.ClusterID == "" {
		return nil
	}
	for _, m := range []string{"AllocatedStorage", "BackupRetentionPeriod", "MasterUserPassword", "MultiAZ"} {
		if set[m] {
			return apiErr(codeInvalidParameterCombination, "The specified DB Instance is a member of a DB Cluster. Modify %s for the DB Cluster.", m)
		}
	}
	return nil
}

// memberDeleteRule refuses to delete a cluster's writer while it has
// readers; the caller holds l.mu.
func memberDeleteRule(st *state, in *dbInstance) error {
	if in.ClusterID == "" || !in.ClusterWriter {
		return nil
	}
	if len(membersOf(st, in.ClusterID)) > 1 {
		// AWS fails over to a reader and then deletes the old writer; the
		// lab asks for the failover first.
		return apiErr(codeInvalidDBClusterState, "The lab does not delete the writer of DBCluster %s while it has readers: fail over first (FailoverDBCluster), then delete %s.", in.ClusterID, in.ID)
	}
	return nil
}

// memberGone updates a cluster whose member was deleted: a deleted writer
// leaves it without one, and the endpoints follow. The caller holds l.mu.
func memberGone(st *state, in *dbInstance) {
	if c, ok := st.Clusters[in.ClusterID]; ok && c.Writer == in.ID {
		c.Writer = ""
	}
}
