package lab

// The DB cluster result shapes, named and nested as botocore's RDS model
// has them (DBCluster, DBClusterMember). Only the members the lab can say
// something true about are sent.

type xmlDBClusterMember struct {
	ID            string `xml:"DBInstanceIdentifier"`
	IsWriter      bool   `xml:"IsClusterWriter"`
	GroupStatus   string `xml:"DBClusterParameterGroupStatus"`
	PromotionTier int    `xml:"PromotionTier"`
}

type xmlDBCluster struct {
	AllocatedStorage int `xml:"AllocatedStorage"`
	AZs              struct {
		Items []string `xml:"AvailabilityZone"`
	} `xml:"AvailabilityZones"`
	BackupRetention int    `xml:"BackupRetentionPeriod"`
	DatabaseName    string `xml:"DatabaseName,omitempty"`
	ID              string `xml:"DBClusterIdentifier"`
	ParamGroup      string `xml:"DBClusterParameterGroup"`
	Status          string `xml:"Status"`
	Endpoint        string `xml:"Endpoint,omitempty"`
	ReaderEndpoint  string `xml:"ReaderEndpoint,omitempty"`
	MultiAZ         bool   `xml:"MultiAZ"`
	Engine          string `xml:"Engine"`
	EngineVersion   string `xml:"EngineVersion"`
	Port            int    `xml:"Port,omitempty"`
	MasterUsername  string `xml:"MasterUsername"`
	Members         struct {
		Items []xmlDBClusterMember `xml:"DBClusterMember"`
	} `xml:"DBClusterMembers"`
	HostedZoneID       string     `xml:"HostedZoneId"`
	StorageEncrypted   bool       `xml:"StorageEncrypted"`
	ResourceID         string     `xml:"DbClusterResourceId"`
	ARN                string     `xml:"DBClusterArn"`
	IAMAuth            bool       `xml:"IAMDatabaseAuthenticationEnabled"`
	ClusterCreateTime  string     `xml:"ClusterCreateTime,omitempty"`
	EngineMode         string     `xml:"EngineMode"`
	DeletionProtection bool       `xml:"DeletionProtection"`
	TagList            xmlTagList `xml:"TagList"`
}

// CreateDBClusterResult, ModifyDBClusterResult, DeleteDBClusterResult and
// FailoverDBClusterResult.
type xmlDBClusterResult struct {
	Cluster xmlDBCluster `xml:"DBCluster"`
}

// DBClusterMessage (DescribeDBClustersResult).
type xmlDBClusterMessage struct {
	Marker   string `xml:"Marker,omitempty"`
	Clusters struct {
		Items []xmlDBCluster `xml:"DBCluster"`
	} `xml:"DBClusters"`
}

// Where the lab's cluster endpoints listen: the writer on 127.0.0.1 and
// the readers on 127.0.0.2, both on the cluster's Port, since DBCluster
// has one Port for both endpoints.
const (
	clusterWriterHost = "127.0.0.1"
	clusterReaderHost = "127.0.0.2"
)

// xmlCluster is the DBCluster shape of a cluster; the caller holds l.mu.
func (l *Lab) xmlCluster(st *state, c *dbCluster) xmlDBCluster {
	x := xmlDBCluster{AllocatedStorage: 1, BackupRetention: 1, DatabaseName: c.DatabaseName, ID: c.ID,
		ParamGroup: c.ClusterParamGroup, Status: c.Status, Engine: c.Engine, EngineVersion: c.EngineVersion,
		MasterUsername: c.MasterUsername, HostedZoneID: "Z2R2ITUGPM61AM", ResourceID: c.ResourceID,
		ARN: l.clusterARN(c.ID), EngineMode: "provisioned", DeletionProtection: c.DeletionProtection,
		TagList: toXMLTags(c.Tags)}
	x.AZs.Items = []string{l.az("a"), l.az("b"), l.az("c")}
	if c.BackupRetention != nil {
		x.BackupRetention = *c.BackupRetention
	}
	if c.Status != statusCreating && !c.CreatedAt.IsZero() {
		x.ClusterCreateTime = isoTime(c.CreatedAt)
	}
	if c.Port != 0 {
		x.Endpoint, x.ReaderEndpoint, x.Port = clusterWriterHost, clusterReaderHost, c.Port
	}
	azs := map[string]bool{}
	x.Members.Items = []xmlDBClusterMember{}
	for _, in := range membersOf(st, c.ID) {
		x.Members.Items = append(x.Members.Items, xmlDBClusterMember{ID: in.ID, IsWriter: in.ClusterWriter,
			GroupStatus: in.ClusterParamApplyStatus, PromotionTier: in.PromotionTier})
		azs[in.AZ] = true
	}
	x.MultiAZ = len(azs) > 1
	return x
}
