package lab

import (
	"crypto/rand"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
	"github.com/rdsctl/rdsctl/params/formula"
)

// DB instance statuses and parameter apply statuses, as RDS spells them.
const (
	statusCreating               = "creating"
	statusAvailable              = "available"
	statusRebooting              = "rebooting"
	statusModifying              = "modifying"
	statusDeleting               = "deleting"
	statusFailed                 = "failed"
	statusIncompatibleParameters = "incompatible-parameters"

	applyStatusInSync        = "in-sync"
	applyStatusApplying      = "applying"
	applyStatusPendingReboot = "pending-reboot"
)

// Error codes of the DB instance actions, as botocore names them.
const (
	codeDBInstanceNotFound      = "DBInstanceNotFound"
	codeDBInstanceAlreadyExists = "DBInstanceAlreadyExists"
	codeInvalidDBInstanceState  = "InvalidDBInstanceState"
	codeInstanceQuotaExceeded   = "InstanceQuotaExceeded"
)

// maxInstances bounds a lab: each instance is a real mariadbd.
const maxInstances = 40

// engineFamily maps an engine to the parameter group family its default
// version uses.
var engineFamily = map[string]string{
	"mariadb": "mariadb10.11",
	"mysql":   "mysql8.0",
}

func instanceNotFound(id string) *apiError {
	// AWS: "DBInstance staging-db not found."
	return apiErr(codeDBInstanceNotFound, "DBInstance %s not found.", id)
}

func findInstance(st *state, id string) (*dbInstance, error) {
	in, ok := st.Instances[strings.ToLower(id)]
	if !ok {
		return nil, instanceNotFound(id)
	}
	return in, nil
}

// validInstanceID applies AWS's identifier rules: 1 to 63 letters, digits
// or hyphens; a letter first; no trailing hyphen, no two hyphens in a row.
func validInstanceID(id string) bool { return len(id) <= 63 && validGroupName(id) }

func (l *Lab) instanceARN(id string) string {
	return "arn:aws:rds:" + l.opts.Region + ":" + accountID + ":db:" + id
}

func (l *Lab) az(suffix string) string { return l.opts.Region + suffix }

func (l *Lab) xmlInstance(in *dbInstance) xmlDBInstance {
	x := xmlDBInstance{
		ID: in.ID, Class: in.Class, Engine: in.Engine, Status: in.Status, MasterUsername: in.MasterUsername,
		DBName: in.DBName, AllocatedStorage: in.AllocatedStorage, BackupRetention: 1,
		AvailabilityZone: in.AZ, MultiAZ: in.MultiAZ, EngineVersion: in.EngineVersion, AutoMinorUpgrade: true,
		SecondaryAZ: in.SecondaryAZ, StorageType: "gp3", DbInstancePort: 0, DBClusterID: in.ClusterID,
		ResourceID: in.ResourceID, ARN: l.instanceARN(in.ID),
	}
	if !in.CreatedAt.IsZero() && in.Status != statusCreating {
		x.InstanceCreateTime = isoTime(in.CreatedAt)
	}
	// RDS has no endpoint to report until the instance first comes up.
	if in.Port != 0 && in.Status != statusCreating {
		x.Endpoint = &xmlEndpoint{Address: "127.0.0.1", Port: in.Port, HostedZoneID: "Z2R2ITUGPM61AM"}
	}
	x.ParamGroups.Items = []xmlParamGroupStatus{{Name: in.ParamGroup, ApplyStatus: in.ParamApplyStatus}}
	x.Pending.DBInstanceClass = in.PendingClass
	return x
}

func createInstance(l *Lab, r *request) (any, error) {
	id, err := r.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	r.resource = strings.ToLower(id)
	if !validInstanceID(id) {
		return nil, invalidIdentifier("DBInstanceIdentifier")
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
	port, portSet, err := r.integer("Port")
	if err != nil {
		return nil, err
	}
	if portSet && (port < 1150 || port > 65535) {
		return nil, apiErr(codeInvalidParameterValue, "The requested DB instance port %d is not valid. Valid values are 1150-65535.", port)
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
	version := r.str("EngineVersion")
	if version == "" {
		cf, cerr := catalog.Lookup(famName)
		if cerr == nil {
			version = cf.EngineVersion
		}
	}
	if portSet {
		// The lab serves every endpoint on 127.0.0.1, so a requested port
		// must be free here; RDS would give each instance its own host.
		ln, lerr := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if lerr != nil {
			return nil, apiErr(codeInvalidParameterValue, "The requested DB instance port %d is in use on the lab's host", port)
		}
		ln.Close()
	} else {
		port = 0
	}
	in := &dbInstance{ID: strings.ToLower(id), Status: statusCreating, ParamApplyStatus: applyStatusInSync,
		Engine: eng, EngineVersion: version, Class: class, MasterUsername: user, DBName: r.str("DBName"),
		AllocatedStorage: storage, MultiAZ: multiAZ, AZ: az, CreatedAt: time.Now().UTC(),
		ResourceID: "db-" + randomID(26), Port: port, ServerID: 1}
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

func familyMismatch(g *paramGroup, want string) *apiError {
	// AWS: "The parameter group staging with DBParameterGroupFamily
	// mysql8.0 cannot be used for this instance. Please use a Parameter
	// Group with DBParameterGroupFamily mariadb10.11"
	return apiErr(codeInvalidParameterCombination,
		"The parameter group %s with DBParameterGroupFamily %s cannot be used for this instance. Please use a Parameter Group with DBParameterGroupFamily %s",
		g.Name, g.Family, want)
}

// reservedUsers are the names RDS keeps for itself.
var reservedUsers = map[string]bool{"rdsadmin": true, "root": true, "mysql": true, "mariadb.sys": true, "admin_rds": true}

func checkMasterUsername(u string) error {
	ok := len(u) >= 1 && len(u) <= 16 && isLetter(u[0])
	for i := 0; ok && i < len(u); i++ {
		c := u[i]
		ok = isLetter(c) || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores; and must be 1 to 16 characters long.")
	}
	if reservedUsers[strings.ToLower(u)] {
		return apiErr(codeInvalidParameterValue, "MasterUsername %s cannot be used as it is a reserved word used by the engine", u)
	}
	return nil
}

func checkMasterPassword(p string) error {
	if len(p) < 8 {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
	}
	if len(p) > 41 {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters.")
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '/' || c == '"' || c == '@' {
			return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")
		}
	}
	return nil
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
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

// notAvailable is AWS's refusal of an operation on a busy instance.
func notAvailable(in *dbInstance) *apiError {
	// AWS: "Database instance is not in available state."
	return apiErr(codeInvalidDBInstanceState, "Database instance is not in available state.")
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
		if class != "" && class != in.Class && applyNow {
			restart = true
		}
		if multiSet && multiAZ != in.MultiAZ {
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

// otherAZ is the standby's zone for a primary in az.
func (l *Lab) otherAZ(az string) string {
	if az == l.az("b") {
		return l.az("a")
	}
	return l.az("b")
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
	if !skip && final == "" {
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

// Instance events, with the ids and messages of AWS's "Amazon RDS event
// categories and event messages" page.
var (
	evCreated         = instanceEventKind{"RDS-EVENT-0005", "creation", "DB instance created."}
	evDeleted         = instanceEventKind{"RDS-EVENT-0003", "deletion", "DB instance deleted."}
	evShutdown        = instanceEventKind{"RDS-EVENT-0004", "availability", "DB instance shutdown."}
	evRestarted       = instanceEventKind{"RDS-EVENT-0006", "availability", "DB instance restarted."}
	evFailoverStarted = instanceEventKind{"RDS-EVENT-0013", "failover", "Multi-AZ instance failover started."}
	// Seen in real DescribeEvents output after a forced failover; the
	// page lists no id for it.
	evFailoverReason   = instanceEventKind{"", "failover", "The user requested a failover of the DB instance."}
	evFailoverComplete = instanceEventKind{"RDS-EVENT-0049", "failover", "Multi-AZ instance failover completed."}
	evGroupUpdated     = instanceEventKind{"RDS-EVENT-0011", "configuration change", "Updated to use DBParameterGroup %s."}
	evGroupFinished    = instanceEventKind{"RDS-EVENT-0092", "configuration change", "Finished updating DB parameter group."}
	evClassApplying    = instanceEventKind{"RDS-EVENT-0012", "configuration change", "Applying modification to database instance class."}
	evClassFinished    = instanceEventKind{"RDS-EVENT-0014", "configuration change", "Finished applying modification to DB instance class."}
	evCredentialsReset = instanceEventKind{"RDS-EVENT-0016", "configuration change", "Reset master credentials."}
	evFailed           = instanceEventKind{"RDS-EVENT-0079", "failure", "The DB instance could not be started: %s"}
)

type instanceEventKind struct{ id, category, format string }

func (l *Lab) instanceEvent(id string, k instanceEventKind, args ...any) event {
	msg := k.format
	if len(args) > 0 {
		msg = fmt.Sprintf(k.format, args...)
	}
	return event{SourceType: "db-instance", SourceIdentifier: id, SourceArn: l.instanceARN(id),
		Message: msg, Categories: []string{k.category}, EventID: k.id}
}

// instanceStatuses is Status's view of the instances; the caller holds l.mu.
func (l *Lab) instanceStatuses() []InstanceStatus {
	out := make([]InstanceStatus, 0, len(l.st.Instances))
	for _, in := range l.st.Instances {
		s := InstanceStatus{ID: in.ID, Status: in.Status, Port: in.Port}
		if l.rt != nil {
			if e := l.rt.engine(in.ID); e != nil {
				s.EnginePID = e.EnginePID()
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// instancesOf lists the instances using a DB parameter group; the caller
// holds l.mu.
func instancesOf(st *state, group string) []*dbInstance {
	var out []*dbInstance
	for _, in := range st.Instances {
		if in.ParamGroup == group {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// describeClusters answers DescribeDBClusters. The lab has no Aurora
// clusters yet, so it lists none and names the missing one as AWS does;
// that keeps the SDK's cluster waiters and finders honest against it.
func describeClusters(l *Lab, r *request) (any, error) {
	id := r.str("DBClusterIdentifier")
	r.resource = strings.ToLower(id)
	if _, err := r.pageSize(); err != nil {
		return nil, err
	}
	if id != "" {
		// AWS: "DBCluster my-cluster not found."
		return nil, apiErr("DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	var out xmlDBClusterMessage
	out.Clusters.Items = []struct{}{}
	return out, nil
}
