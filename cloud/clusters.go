package cloud

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// ClusterAPI is what describing a DB cluster with its members calls: the
// cluster, then each member instance (its status, endpoint and DB
// parameter groups are not in DescribeDBClusters). RDS and *rds.Client
// satisfy it.
type ClusterAPI interface {
	rds.DescribeDBClustersAPIClient
	rds.DescribeDBInstancesAPIClient
}

// clusterFailer is the SDK method FailoverCluster calls.
type clusterFailer interface {
	FailoverDBCluster(context.Context, *rds.FailoverDBClusterInput, ...func(*rds.Options)) (*rds.FailoverDBClusterOutput, error)
}

// Cluster is a DB cluster as rdsctl reads it: the cluster's own record
// and its members, each with its instance record when it could be read.
type Cluster struct {
	ID             string
	Status         string
	Engine         string
	EngineVersion  string
	Endpoint       string // host:port of the cluster (writer) endpoint, "" before it has one
	ReaderEndpoint string // host:port of the reader endpoint
	ClusterGroup   string // the DB cluster parameter group
	Members        []ClusterMember
	Raw            types.DBCluster
}

// ClusterMember is one DB instance of a cluster.
type ClusterMember struct {
	Instance      string
	Writer        bool
	PromotionTier int32
	// ClusterGroupStatus is the cluster parameter group's apply status on
	// this member (DBClusterParameterGroupStatus).
	ClusterGroupStatus string
	// Raw is the member's DescribeDBInstances record; its zero value when
	// it vanished between the two calls.
	Raw types.DBInstance
}

// Status is the member instance's status ("" when it could not be read).
func (m ClusterMember) Status() string { return aws.ToString(m.Raw.DBInstanceStatus) }

// Endpoint is the member's instance endpoint, host:port, or "".
func (m ClusterMember) Endpoint() string {
	return joinEndpoint(endpointAddress(m.Raw.Endpoint), endpointPort(m.Raw.Endpoint))
}

func endpointAddress(e *types.Endpoint) string {
	if e == nil {
		return ""
	}
	return aws.ToString(e.Address)
}

func endpointPort(e *types.Endpoint) int32 {
	if e == nil {
		return 0
	}
	return aws.ToInt32(e.Port)
}

func joinEndpoint(host string, port int32) string {
	if host == "" {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// Writer is the member RDS names the cluster writer, or nil while there
// is none (during a failover, or a cluster without instances).
func (c Cluster) Writer() *ClusterMember {
	for i := range c.Members {
		if c.Members[i].Writer {
			return &c.Members[i]
		}
	}
	return nil
}

// Member returns the member with instance identifier id, or nil.
func (c Cluster) Member(id string) *ClusterMember {
	for i := range c.Members {
		if c.Members[i].Instance == id {
			return &c.Members[i]
		}
	}
	return nil
}

// NewCluster reads a DescribeDBClusters record and the members' instance
// records (keyed by identifier; a missing one leaves Raw empty) into a
// Cluster. Members are sorted writer first, then by identifier.
func NewCluster(c types.DBCluster, instances map[string]types.DBInstance) Cluster {
	port := aws.ToInt32(c.Port)
	out := Cluster{
		ID:             aws.ToString(c.DBClusterIdentifier),
		Status:         aws.ToString(c.Status),
		Engine:         aws.ToString(c.Engine),
		EngineVersion:  aws.ToString(c.EngineVersion),
		Endpoint:       joinEndpoint(aws.ToString(c.Endpoint), port),
		ReaderEndpoint: joinEndpoint(aws.ToString(c.ReaderEndpoint), port),
		ClusterGroup:   aws.ToString(c.DBClusterParameterGroup),
		Raw:            c,
	}
	for _, m := range c.DBClusterMembers {
		id := aws.ToString(m.DBInstanceIdentifier)
		out.Members = append(out.Members, ClusterMember{
			Instance:           id,
			Writer:             aws.ToBool(m.IsClusterWriter),
			PromotionTier:      aws.ToInt32(m.PromotionTier),
			ClusterGroupStatus: aws.ToString(m.DBClusterParameterGroupStatus),
			Raw:                instances[id],
		})
	}
	sort.SliceStable(out.Members, func(i, j int) bool {
		a, b := out.Members[i], out.Members[j]
		if a.Writer != b.Writer {
			return a.Writer
		}
		return a.Instance < b.Instance
	})
	return out
}

// DescribeCluster returns DB cluster id with its members' instance
// records. A missing cluster is a *NotFoundError; a member deleted
// between the calls is kept with an empty Raw.
func DescribeCluster(ctx context.Context, api ClusterAPI, id string) (Cluster, error) {
	c, err := FindCluster(ctx, api, id)
	if err != nil {
		return Cluster{}, err
	}
	ins, err := memberInstances(ctx, api, c)
	if err != nil {
		return Cluster{}, err
	}
	return NewCluster(c, ins), nil
}

// memberInstances reads the instance record of each member of c, keyed by
// identifier; a member deleted meanwhile is left out.
func memberInstances(ctx context.Context, api rds.DescribeDBInstancesAPIClient, c types.DBCluster) (map[string]types.DBInstance, error) {
	ins := make(map[string]types.DBInstance, len(c.DBClusterMembers))
	for _, m := range c.DBClusterMembers {
		mid := aws.ToString(m.DBInstanceIdentifier)
		in, err := FindInstance(ctx, api, mid)
		switch {
		case err == nil:
			ins[mid] = in
		case IsNotFound(err):
		default:
			return nil, err
		}
	}
	return ins, nil
}

// FailoverCluster asks RDS to fail DB cluster id over: to target (a
// reader's instance identifier) or, with target "", to the reader RDS
// picks. It returns the cluster as RDS answered. A missing cluster or
// target is a *NotFoundError of that kind.
func FailoverCluster(ctx context.Context, api clusterFailer, id, target string) (types.DBCluster, error) {
	in := &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String(id)}
	if target != "" {
		in.TargetDBInstanceIdentifier = aws.String(target)
	}
	out, err := api.FailoverDBCluster(ctx, in)
	if err != nil {
		op := fmt.Sprintf("failing over DB cluster (%s)", id)
		if target != "" && notFoundIs(Code(err), KindInstance) {
			return types.DBCluster{}, opError(err, KindInstance, target, op)
		}
		return types.DBCluster{}, opError(err, KindCluster, id, op)
	}
	if out.DBCluster == nil {
		return types.DBCluster{}, nil
	}
	return *out.DBCluster, nil
}
