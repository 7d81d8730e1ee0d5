package lab

import (
	"sort"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/params/formula"
)

// The DB instance actions. Each validates the request, records the new
// status under l.mu and answers; the engine work runs in the background
// (lifecycle.go).

func createInstance(l *Lab, r *request) (any, error) {
	id, err := r.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	if !validInstanceID(id) {
		return nil, invalidIdentifier("DBInstanceIdentifier")
	}
	if r.str("DBClusterIdentifier") != "" {
		if l.rt == nil {
			return nil, apiErr(codeInvalidParameterCombination,
				"This lab runs without an engine (--no-engine): it serves parameter groups only, not DB instances")
		}
		return createMember(l, r, id)
	}
	class, err := r.required("DBInstanceClass")
	if err != nil {
		return nil, err
	}
	eng, err := r.required("Engine")
	if err != nil {
		return nil, err
	}
	eng = strings.ToLower(eng)
	famName, ok := engineFamily[eng]
	if _, aurora := clusterEngineFamily[eng]; aurora {
		// AWS: "DBClusterIdentifier is required to create an instance
		// with engine aurora-mysql"
		return nil, apiErr(codeInvalidParameterCombination, "The requested DB Instance will be a member of a DB Cluster: DBClusterIdentifier is required for engine %s.", eng)
	}
	if !ok {
		// AWS: "Invalid DB engine: postgresql"
		return nil, apiErr(codeInvalidParameterValue, "Invalid DB engine: %s", eng)
	}
	if _, ok := formula.LookupClass(class); !ok {
		// AWS: "Invalid DB Instance class: db.t9.nano"
		return nil, apiErr(codeInvalidParameterValue, "Invalid DB Instance class: %s", class)
	}
	user, err := r.required("MasterUsername")
	if err != nil {
		return nil, err
	}
	if err := checkMasterUsername(user); err != nil {
		return nil, err
	}
	password := r.str("MasterUserPassword")
	if manage, _, _ := r.boolean("ManageMasterUserPassword"); manage {
		return nil, apiErr(codeInvalidParameterValue, "ManageMasterUserPassword is not supported by the lab: it has no Secrets Manager; pass MasterUserPassword")
	}
	if password == "" {
		return nil, missingParameter("MasterUserPassword")
	}
	if err := checkMasterPassword(password); err != nil {
		return nil, err
	}
	multiAZ, _, err := r.boolean("MultiAZ")
	if err != nil {
		return nil, err
	}
	storage, set, err := r.integer("AllocatedStorage")
	if err != nil {
		return nil, err
	}
	if !set {
		storage = 20
	}
	if storage < 20 || storage > 65536 {
		return nil, apiErr(codeInvalidParameterValue, "Invalid storage size for engine name %s and storage type gp3: %d", eng, storage)
	}
	az := r.str("AvailabilityZone")
	if multiAZ && az != "" {
		// AWS: "Requesting a specific availability zone is not valid for Multi-AZ instances."
		return nil, apiErr(codeInvalidParameterCombination, "Requesting a specific availability zone is not valid for Multi-AZ instances.")
	}
	if az == "" {
		az = l.az("a")
	}
	if l.rt == nil {
		return nil, apiErr(codeInvalidParameterCombination,
			"This lab runs without an engine (--no-engine): it serves parameter groups only, not DB instances")
	}
	fam, err := findFamily(famName)
	if err != nil {
		return nil, err
	}
	ev, err := resolveVersion(eng, r.str("EngineVersion"))
	if err != nil {
		return nil, err
	}
	version := ev.Version
	retention, err := backupRetention(r)
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
	// The lab serves every endpoint on 127.0.0.1, so a requested port
	// must be free here; RDS would give each instance its own host.
	port, err := requestPort(r, "instance", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	in := &dbInstance{ID: strings.ToLower(id), Status: statusCreating, ParamApplyStatus: applyStatusInSync,
		Engine: eng, EngineVersion: version, Class: class, MasterUsername: user, DBName: r.str("DBName"),
		AllocatedStorage: storage, MultiAZ: multiAZ, AZ: az, CreatedAt: time.Now().UTC(),
		ResourceID: "db-" + randomID(26), Port: port, ServerID: 1,
		BackupRetention: retention, DeletionProtection: protect, Tags: tags}
	if multiAZ {
		in.SecondaryAZ = l.az("b")
	}
	err = l.mutate(func(st *state) error {
		if _, ok := st.Instances[in.ID]; ok {
			// AWS: "DB instance already exists"
			return apiErr(codeDBInstanceAlreadyExists, "DB instance already exists")
		}
		if len(st.Instances) >= maxInstances {
			return apiErr(codeInstanceQuotaExceeded, "The request would exceed the lab's quota of %d DB instances", maxInstances)
		}
		gname := r.str("DBParameterGroupName")
		if gname == "" {
			gname = defaultGroupPrefix + fam.Name
		}
		g, err := findGroup(st, kindInstance, gname)
		if err != nil {
			return err
		}
		if g.Family != fam.Name {
			return familyMismatch(g, fam.Name)
		}
		in.ParamGroup = g.Name
		if in.Running, err = groupValues(st, in); err != nil {
			return apiErr(codeInvalidParameterCombination, "%s", err.Error())
		}
		st.Instances[in.ID] = in
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startCreate(in.ID, password)
	var out xmlDBInstanceResult
	l.read(func(st *state) error {
		out.Instance = l.xmlInstance(st.Instances[in.ID])
		return nil
	})
	return out, nil
}

// instanceFilters are the DescribeDBInstances filters the lab supports.
var instanceFilters = map[string]func(in *dbInstance, arn string) []string{
	"db-instance-id": func(in *dbInstance, arn string) []string { return []string{in.ID, arn} },
	"db-cluster-id":  func(in *dbInstance, _ string) []string { return []string{in.ClusterID} },
	"engine":         func(in *dbInstance, _ string) []string { return []string{in.Engine} },
	"dbi-resource-id": func(in *dbInstance, _ string) []string {
		return []string{in.ResourceID}
	},
}

func describeInstances(l *Lab, r *request) (any, error) {
	id := r.str("DBInstanceIdentifier")
	r.resource = strings.ToLower(id)
	filters := r.filters()
	for _, f := range filters {
		if _, ok := instanceFilters[f.Name]; !ok {
			// AWS: "Unrecognized filter name: foo"
			return nil, apiErr(codeInvalidParameterValue, "Unrecognized filter name: %s", f.Name)
		}
		if len(f.Values) == 0 {
			return nil, apiErr(codeInvalidParameterValue, "The filter %s must have at least one value", f.Name)
		}
	}
	var items []xmlDBInstance
	err := l.read(func(st *state) error {
		if id != "" {
			if strings.HasPrefix(id, "arn:") {
				id = id[strings.LastIndexByte(id, ':')+1:]
			}
			in, err := findInstance(st, id)
			if err != nil {
				return err
			}
			items = append(items, l.xmlInstance(in))
			return nil
		}
		for _, in := range st.Instances {
			if matchesFilters(in, l.instanceARN(in.ID), filters) {
				items = append(items, l.xmlInstance(in))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	pg, next, err := page(r, items, func(x xmlDBInstance) string { return x.ID })
	if err != nil {
		return nil, err
	}
	var out xmlDBInstanceMessage
	out.Marker = next
	out.Instances.Items = append([]xmlDBInstance{}, pg...)
	return out, nil
}

func matchesFilters(in *dbInstance, arn string, filters []filter) bool {
	for _, f := range filters {
		have := instanceFilters[f.Name](in, arn)
		hit := false
		for _, want := range f.Values {
			for _, h := range have {
				if h != "" && strings.EqualFold(h, want) {
					hit = true
				}
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func modifyInstance(l *Lab, r *request) (any, error) {
	id, err := r.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	gname := r.str("DBParameterGroupName")
	class := r.str("DBInstanceClass")
	if class != "" {
		if _, ok := formula.LookupClass(class); !ok {
			return nil, apiErr(codeInvalidParameterValue, "Invalid DB Instance class: %s", class)
		}
	}
	multiAZ, multiSet, err := r.boolean("MultiAZ")
	if err != nil {
		return nil, err
	}
	applyNow, _, err := r.boolean("ApplyImmediately")
	if err != nil {
		return nil, err
	}
	password := r.str("MasterUserPassword")
	if password != "" {
		if err := checkMasterPassword(password); err != nil {
			return nil, err
		}
	}
	retention, err := backupRetention(r)
	if err != nil {
		return nil, err
	}
	protect, protectSet, err := r.boolean("DeletionProtection")
	if err != nil {
		return nil, err
	}
	storage, storageSet, err := r.integer("AllocatedStorage")
	if err != nil {
		return nil, err
	}
	if storageSet && (storage < 20 || storage > 65536) {
		return nil, apiErr(codeInvalidParameterValue, "Invalid storage size for engine name mariadb and storage type gp3: %d", storage)
	}
	version := r.str("EngineVersion")
	var (
		out       xmlDBInstanceResult
		newGroup  string
		restart   bool
		changedAZ bool
	)
	err = l.mutate(func(st *state) error {
		in, err := findInstance(st, id)
		if err != nil {
			return err
		}
		if in.Status != statusAvailable {
			return notAvailable(in)
		}
		if err := memberModifyRule(in, map[string]bool{"MasterUserPassword": password != "", "MultiAZ": multiSet,
			"AllocatedStorage": storageSet, "BackupRetentionPeriod": retention != nil}); err != nil {
			return err
		}
		if gname != "" && !strings.EqualFold(gname, in.ParamGroup) {
			g, err := findGroup(st, kindInstance, gname)
			if err != nil {
				return err
			}
			cur, err := findGroup(st, kindInstance, in.ParamGroup)
			if err == nil && g.Family != cur.Family {
				return familyMismatch(g, cur.Family)
			}
			newGroup = g.Name
		}
		if version != "" {
			ev, err := resolveVersion(in.Engine, version)
			if err != nil {
				return err
			}
			if ev.Version != in.EngineVersion {
				return apiErr(codeInvalidParameterCombination, "The lab does not support EngineVersion upgrades: %s runs %s %s", in.ID, in.Engine, in.EngineVersion)
			}
		}
		if storageSet && storage < in.AllocatedStorage {
			// AWS: "Invalid storage size for engine name mysql and storage type gp3: 10"
			// is for out-of-range; shrinking has its own message.
			return apiErr(codeInvalidParameterValue, "Invalid value for AllocatedStorage: storage cannot be decreased (from %d to %d)", in.AllocatedStorage, storage)
		}
		if class != "" && class != in.Class && applyNow {
			restart = true
		}
		if multiSet && multiAZ != in.MultiAZ && applyNow {
			changedAZ = true
		}
		// Everything is valid: apply.
		if newGroup != "" {
			in.ParamGroup = newGroup
			// A newly attached group is "applying", then waits for a
			// reboot, even for its dynamic values; the instance itself
			// stays available.
			in.ParamApplyStatus = applyStatusApplying
			st.addEvent(l.instanceEvent(in.ID, evGroupUpdated, newGroup))
		}
		if restart {
			in.Class = class
		}
		if changedAZ {
			in.MultiAZ = multiAZ
			in.SecondaryAZ = ""
			if multiAZ {
				in.SecondaryAZ = l.otherAZ(in.AZ)
			}
		}
		if retention != nil {
			in.BackupRetention = retention
		}
		if protectSet {
			in.DeletionProtection = protect
		}
		if storageSet {
			// The lab's storage is the host's disk: the size is recorded
			// and described, and an increase is immediate.
			in.AllocatedStorage = storage
		}
		if restart || changedAZ || password != "" {
			in.Status = statusModifying
		}
		switch {
		case class == "":
		case applyNow || class == in.Class:
			in.PendingClass = ""
		default:
			in.PendingClass = class
		}
		switch {
		case !multiSet:
		case applyNow || multiAZ == in.MultiAZ:
			in.PendingMultiAZ = nil
		default:
			v := multiAZ
			in.PendingMultiAZ = &v
		}
		out.Instance = l.xmlInstance(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Instance.Status == statusModifying || newGroup != "" {
		l.startModify(out.Instance.ID, newGroup != "", restart, password)
	}
	return out, nil
}

func rebootInstance(l *Lab, r *request) (any, error) {
	id, err := r.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	failover, _, err := r.boolean("ForceFailover")
	if err != nil {
		return nil, err
	}
	var out xmlDBInstanceResult
	err = l.mutate(func(st *state) error {
		in, err := findInstance(st, id)
		if err != nil {
			return err
		}
		if in.Status != statusAvailable && in.Status != statusIncompatibleParameters {
			// AWS's wording for a reboot during another operation.
			return apiErr(codeInvalidDBInstanceState, "Instance cannot currently reboot due to an in-progress management operation.")
		}
		if failover && !in.MultiAZ {
			// AWS documents the rule ("You can't enable force failover
			// if the instance isn't configured for Multi-AZ"); the
			// wording is the lab's own.
			return apiErr(codeInvalidParameterCombination, "Cannot do a failover on a non-Multi-AZ DB instance.")
		}
		in.Status = statusRebooting
		out.Instance = l.xmlInstance(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startReboot(out.Instance.ID, failover)
	return out, nil
}

func deleteInstance(l *Lab, r *request) (any, error) {
	id, err := r.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	skip, _, err := r.boolean("SkipFinalSnapshot")
	if err != nil {
		return nil, err
	}
	final := r.str("FinalDBSnapshotIdentifier")
	// An Aurora member has no snapshot of its own (the cluster has), so
	// it needs neither.
	member := false
	l.read(func(st *state) error {
		if in, ok := st.Instances[strings.ToLower(id)]; ok {
			member = in.ClusterID != ""
		}
		return nil
	})
	if !skip && final == "" && !member {
		// AWS: "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified."
		return nil, apiErr(codeInvalidParameterCombination, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	}
	if skip && final != "" {
		return nil, apiErr(codeInvalidParameterCombination, "FinalDBSnapshotIdentifier can not be specified when deleting an instance with SkipFinalSnapshot=true")
	}
	var out xmlDBInstanceResult
	err = l.mutate(func(st *state) error {
		in, err := findInstance(st, id)
		if err != nil {
			return err
		}
		if in.DeletionProtection {
			// AWS: "Cannot delete protected DB Instance, please disable deletion protection and try again."
			return apiErr(codeInvalidParameterCombination, "Cannot delete protected DB Instance, please disable deletion protection and try again.")
		}
		if err := memberDeleteRule(st, in); err != nil {
			return err
		}
		switch in.Status {
		case statusAvailable, statusFailed, statusIncompatibleParameters:
		case statusDeleting:
			// AWS: "Instance staging-db is already being deleted."
			return apiErr(codeInvalidDBInstanceState, "Instance %s is already being deleted.", in.ID)
		default:
			return notAvailable(in)
		}
		in.Status = statusDeleting
		out.Instance = l.xmlInstance(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.startDelete(out.Instance.ID)
	return out, nil
}

// backupRetention reads BackupRetentionPeriod: 0 to 35 days, as on AWS;
// nil when absent.
func backupRetention(r *request) (*int, error) {
	n, set, err := r.integer("BackupRetentionPeriod")
	if err != nil || !set {
		return nil, err
	}
	if n < 0 || n > 35 {
		// AWS: "Invalid backup retention period: 36. Must be between 0 and 35."
		return nil, apiErr(codeInvalidParameterValue, "Invalid backup retention period: %d. Must be between 0 and 35.", n)
	}
	return &n, nil
}
