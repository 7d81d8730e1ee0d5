package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
)

// stateFile holds everything the lab has acknowledged.
const stateFile = "state.json"

// stateVersion is bumped when the layout changes incompatibly.
const stateVersion = 1

// state is the lab's RDS view: everything an API call can change. It is
// persisted whole, atomically, after every mutation and before the
// response, so a SIGKILL loses nothing that was acknowledged.
type state struct {
	Version int `json:"version"`
	// ParamGroups and ClusterParamGroups are keyed by the lowercased name.
	ParamGroups        map[string]*paramGroup `json:"param_groups"`
	ClusterParamGroups map[string]*paramGroup `json:"cluster_param_groups"`
	// Instances and Clusters are the DB instances and Aurora clusters; a
	// parameter group they name cannot be deleted.
	Instances map[string]*dbInstance `json:"instances,omitempty"`
	Clusters  map[string]*dbCluster  `json:"clusters,omitempty"`
	Events    []event                `json:"events,omitempty"`
	Outages   []Outage               `json:"outages,omitempty"`
}

// paramGroup is a DB parameter group or DB cluster parameter group. Only
// user-set values are stored; everything else comes from the catalog.
type paramGroup struct {
	Name        string                `json:"name"`
	Family      string                `json:"family"`
	Description string                `json:"description"`
	CreatedAt   time.Time             `json:"created_at"`
	Values      map[string]paramValue `json:"values,omitempty"`
	Tags        []tag                 `json:"tags,omitempty"`
}

// paramValue is a user-set parameter value.
type paramValue struct {
	Value       string `json:"value"`
	ApplyMethod string `json:"apply_method"`
}

// dbInstance is a DB instance: the RDS view the API reports, plus what the
// lab needs to bring its engine back after a restart.
type dbInstance struct {
	ID               string `json:"id"`
	ParamGroup       string `json:"param_group"`
	ClusterID        string `json:"cluster_id,omitempty"`
	Status           string `json:"status"`
	ParamApplyStatus string `json:"param_apply_status,omitempty"`

	Engine           string    `json:"engine,omitempty"`
	EngineVersion    string    `json:"engine_version,omitempty"`
	Class            string    `json:"class,omitempty"`
	MasterUsername   string    `json:"master_username,omitempty"`
	DBName           string    `json:"db_name,omitempty"`
	AllocatedStorage int       `json:"allocated_storage,omitempty"`
	MultiAZ          bool      `json:"multi_az,omitempty"`
	AZ               string    `json:"az,omitempty"`
	SecondaryAZ      string    `json:"secondary_az,omitempty"`
	CreatedAt        time.Time `json:"created_at,omitempty"`
	ResourceID       string    `json:"resource_id,omitempty"`
	// PendingClass is a class change asked for without ApplyImmediately:
	// RDS holds it for the maintenance window, which the lab never reaches.
	PendingClass string `json:"pending_class,omitempty"`
	// PendingMultiAZ is a Multi-AZ change asked for without
	// ApplyImmediately, held like PendingClass until the maintenance
	// window (POST /_lab/maintenance opens it).
	PendingMultiAZ *bool `json:"pending_multi_az,omitempty"`
	// BackupRetention is BackupRetentionPeriod in days; nil means AWS's
	// default of 1 (states written before the lab stored it).
	BackupRetention *int `json:"backup_retention,omitempty"`
	// DeletionProtection refuses DeleteDBInstance while set.
	DeletionProtection bool  `json:"deletion_protection,omitempty"`
	Tags               []tag `json:"tags,omitempty"`
	// Port is the endpoint (proxy) port, kept across lab restarts.
	Port int `json:"port,omitempty"`
	// ServerID is @@server_id of the server now serving the instance; a
	// failover moves it to the standby's.
	ServerID int `json:"server_id,omitempty"`
	// Running holds the values the engine runs with: the options it was
	// last started with plus every immediate change since. A restarted lab
	// starts the engine with exactly these, so pending-reboot changes stay
	// pending across lab restarts, as they do across nothing on AWS.
	Running map[string]string `json:"running,omitempty"`

	// The Aurora member's own: its promotion tier, whether it is the
	// cluster writer, and the apply status of its cluster's DB cluster
	// parameter group (DBClusterMember.DBClusterParameterGroupStatus).
	PromotionTier           int    `json:"promotion_tier,omitempty"`
	ClusterWriter           bool   `json:"cluster_writer,omitempty"`
	ClusterParamApplyStatus string `json:"cluster_param_apply_status,omitempty"`
}

// dbCluster is an Aurora MySQL DB cluster: the RDS view the API reports,
// plus what the lab needs to bring its endpoints and replication back
// after a restart. Its members are the dbInstances whose ClusterID names
// it.
type dbCluster struct {
	ID                string `json:"id"`
	ClusterParamGroup string `json:"cluster_param_group"`
	Status            string `json:"status"`

	Engine         string    `json:"engine,omitempty"`
	EngineVersion  string    `json:"engine_version,omitempty"`
	MasterUsername string    `json:"master_username,omitempty"`
	DatabaseName   string    `json:"database_name,omitempty"`
	CreatedAt      time.Time `json:"created_at,omitempty"`
	ResourceID     string    `json:"resource_id,omitempty"`
	// Writer is the member that is the cluster writer ("" without
	// members).
	Writer string `json:"writer,omitempty"`
	// Port is the cluster endpoint's port, on 127.0.0.1 (the writer) and
	// on 127.0.0.2 (the readers).
	Port               int   `json:"port,omitempty"`
	BackupRetention    *int  `json:"backup_retention,omitempty"`
	DeletionProtection bool  `json:"deletion_protection,omitempty"`
	Tags               []tag `json:"tags,omitempty"`
	// MasterPasswordHash is the master password's mysql_native_password
	// hash (never the password), kept until the first member creates the
	// master user with it; ReplPassword is the lab's own replication
	// user's password, which the members need after every restart.
	MasterPasswordHash string `json:"master_password_hash,omitempty"`
	ReplPassword       string `json:"repl_password,omitempty"`
	// NextServerID is the @@server_id the next member gets: members of a
	// replication topology need distinct ones.
	NextServerID int `json:"next_server_id,omitempty"`
}

func newState() *state {
	return &state{
		Version:            stateVersion,
		ParamGroups:        map[string]*paramGroup{},
		ClusterParamGroups: map[string]*paramGroup{},
		Instances:          map[string]*dbInstance{},
		Clusters:           map[string]*dbCluster{},
	}
}

// defaultGroupPrefix marks the groups RDS owns. User names cannot contain
// a dot, so the prefix alone identifies them.
const defaultGroupPrefix = "default."

func isDefaultGroup(name string) bool { return strings.HasPrefix(name, defaultGroupPrefix) }

// ensureDefaults adds default.<family> (and the cluster one where the
// family has cluster parameters) for every catalog family, including
// families added since the state was written. It reports whether it
// changed anything.
func (s *state) ensureDefaults(now time.Time) bool {
	changed := false
	for _, name := range familyNames() {
		fam, err := findFamily(name)
		if err != nil {
			continue
		}
		gn := defaultGroupPrefix + name
		if _, ok := s.ParamGroups[gn]; !ok {
			s.ParamGroups[gn] = &paramGroup{Name: gn, Family: name, CreatedAt: now.UTC(),
				Description: "Default parameter group for " + name}
			changed = true
		}
		if _, ok := s.ClusterParamGroups[gn]; !ok && fam.HasCluster() {
			s.ClusterParamGroups[gn] = &paramGroup{Name: gn, Family: name, CreatedAt: now.UTC(),
				Description: "Default cluster parameter group for " + name}
			changed = true
		}
	}
	return changed
}

// loadState reads <dir>/state.json, or returns a fresh state (and nil raw
// bytes) when there is none.
func loadState(dir string) (*state, []byte, error) {
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading lab state: %w", err)
	}
	st, err := decodeState(raw)
	if err != nil {
		return nil, nil, err
	}
	return st, raw, nil
}

func decodeState(raw []byte) (*state, error) {
	st := newState()
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, fmt.Errorf("decoding lab state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("lab state version %d: this rdsctl reads version %d", st.Version, stateVersion)
	}
	for _, m := range []map[string]*paramGroup{st.ParamGroups, st.ClusterParamGroups} {
		for _, g := range m {
			if g.Values == nil {
				g.Values = map[string]paramValue{}
			}
		}
	}
	if st.Instances == nil {
		st.Instances = map[string]*dbInstance{}
	}
	if st.Clusters == nil {
		st.Clusters = map[string]*dbCluster{}
	}
	return st, nil
}

// persistLocked writes the state atomically. On failure it restores the
// last persisted state, so memory never runs ahead of disk. l.mu is held.
func (l *Lab) persistLocked() error {
	raw, err := json.Marshal(l.st)
	if err == nil {
		err = atomicfile.Write(filepath.Join(l.opts.Dir, stateFile), raw, 0o600)
	}
	if err != nil {
		if l.saved != nil {
			if st, derr := decodeState(l.saved); derr == nil {
				l.st = st
			}
		}
		return fmt.Errorf("persisting lab state: %w", err)
	}
	l.saved = raw
	return nil
}

// read runs fn with the state locked, for actions that change nothing.
func (l *Lab) read(fn func(st *state) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fn(l.st)
}

// mutate runs fn with the state locked and persists the result before
// returning. fn must validate everything before it changes anything: an
// error from fn means nothing changed, and nothing is written.
func (l *Lab) mutate(fn func(st *state) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := fn(l.st); err != nil {
		return err
	}
	if err := l.persistLocked(); err != nil {
		return internalError(err)
	}
	return nil
}
