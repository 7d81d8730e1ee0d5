package lab

import (
	"sort"
	"strings"
)

// The rules of the Aurora DB cluster actions: statuses, error codes and
// lookups, as RDS applies them.

// DB cluster statuses, as RDS spells them.
const (
	statusFailingOver = "failing-over"
)

// Error codes of the DB cluster actions, as botocore names them.
const (
	codeDBClusterNotFound      = "DBClusterNotFoundFault"
	codeDBClusterAlreadyExists = "DBClusterAlreadyExistsFault"
	codeInvalidDBClusterState  = "InvalidDBClusterStateFault"
	codeDBClusterQuotaExceeded = "DBClusterQuotaExceededFault"
	// DBClusterParameterGroupNotFoundFault's code.
	codeDBClusterParameterGroupNotFound = "DBClusterParameterGroupNotFound"
)

// maxClusters bounds a lab; its members count against maxInstances.
const maxClusters = 10

// clusterEngineFamily maps the cluster engines the lab serves to their
// parameter group family.
var clusterEngineFamily = map[string]string{
	"aurora-mysql": "aurora-mysql8.0",
}

// replUser is the lab's replication account on every member, like RDS's
// own rdsrepladmin.
const replUser = "rdsrepladmin"

func clusterNotFound(id string) *apiError {
	// AWS: "DBCluster my-cluster not found."
	return apiErr(codeDBClusterNotFound, "DBCluster %s not found.", id)
}

func findCluster(st *state, id string) (*dbCluster, error) {
	if strings.HasPrefix(id, "arn:") {
		id = id[strings.LastIndexByte(id, ':')+1:]
	}
	c, ok := st.Clusters[strings.ToLower(id)]
	if !ok {
		return nil, clusterNotFound(id)
	}
	return c, nil
}

// membersOf lists a cluster's members, sorted by id; the caller holds l.mu.
func membersOf(st *state, id string) []*dbInstance {
	var out []*dbInstance
	for _, in := range st.Instances {
		if in.ClusterID == id {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// clustersOf lists the clusters using a DB cluster parameter group.
func clustersOf(st *state, group string) []*dbCluster {
	var out []*dbCluster
	for _, c := range st.Clusters {
		if c.ClusterParamGroup == group {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// clusterBusy is AWS's refusal of an operation on a cluster that is not
// available.
func clusterBusy(c *dbCluster) *apiError {
	// AWS: "DB cluster is not in available state"
	return apiErr(codeInvalidDBClusterState, "DBCluster %s is not in available state.", c.ID)
}

// clusterRetention reads BackupRetentionPeriod for a cluster: Aurora
// keeps at least one day of backups.
func clusterRetention(r *request) (*int, error) {
	retention, err := backupRetention(r)
	if err == nil && retention != nil && *retention < 1 {
		return nil, apiErr(codeInvalidParameterValue, "Invalid backup retention period: %d. Must be between 1 and 35.", *retention)
	}
	return retention, err
}

func (l *Lab) clusterARN(id string) string {
	return "arn:aws:rds:" + l.opts.Region + ":" + l.account() + ":cluster:" + id
}
