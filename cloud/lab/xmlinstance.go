package lab

// The DB instance result shapes, named and nested as botocore's RDS model
// has them (DBInstance, Endpoint, DBParameterGroupStatus,
// PendingModifiedValues). Only the members the lab can say something true
// about are sent; the SDKs leave the rest at their zero values.

type xmlEndpoint struct {
	Address      string `xml:"Address"`
	Port         int    `xml:"Port"`
	HostedZoneID string `xml:"HostedZoneId"`
}

type xmlParamGroupStatus struct {
	Name        string `xml:"DBParameterGroupName"`
	ApplyStatus string `xml:"ParameterApplyStatus"`
}

type xmlPendingModifiedValues struct {
	DBInstanceClass string `xml:"DBInstanceClass,omitempty"`
	MultiAZ         *bool  `xml:"MultiAZ,omitempty"`
}

type xmlDBInstance struct {
	ID                 string       `xml:"DBInstanceIdentifier"`
	Class              string       `xml:"DBInstanceClass"`
	Engine             string       `xml:"Engine"`
	Status             string       `xml:"DBInstanceStatus"`
	MasterUsername     string       `xml:"MasterUsername"`
	DBName             string       `xml:"DBName,omitempty"`
	Endpoint           *xmlEndpoint `xml:"Endpoint,omitempty"`
	AllocatedStorage   int          `xml:"AllocatedStorage"`
	InstanceCreateTime string       `xml:"InstanceCreateTime,omitempty"`
	BackupRetention    int          `xml:"BackupRetentionPeriod"`
	ParamGroups        struct {
		Items []xmlParamGroupStatus `xml:"DBParameterGroup"`
	} `xml:"DBParameterGroups"`
	AvailabilityZone   string                   `xml:"AvailabilityZone,omitempty"`
	Pending            xmlPendingModifiedValues `xml:"PendingModifiedValues"`
	MultiAZ            bool                     `xml:"MultiAZ"`
	EngineVersion      string                   `xml:"EngineVersion"`
	AutoMinorUpgrade   bool                     `xml:"AutoMinorVersionUpgrade"`
	SecondaryAZ        string                   `xml:"SecondaryAvailabilityZone,omitempty"`
	PubliclyAccessible bool                     `xml:"PubliclyAccessible"`
	StorageType        string                   `xml:"StorageType"`
	DbInstancePort     int                      `xml:"DbInstancePort"`
	DBClusterID        string                   `xml:"DBClusterIdentifier,omitempty"`
	StorageEncrypted   bool                     `xml:"StorageEncrypted"`
	ResourceID         string                   `xml:"DbiResourceId"`
	ARN                string                   `xml:"DBInstanceArn"`
	IAMAuth            bool                     `xml:"IAMDatabaseAuthenticationEnabled"`
	TagList            xmlTagList               `xml:"TagList"`
	DeletionProtection bool                     `xml:"DeletionProtection"`
	PromotionTier      *int                     `xml:"PromotionTier,omitempty"`
}

// CreateDBInstanceResult, ModifyDBInstanceResult, RebootDBInstanceResult
// and DeleteDBInstanceResult.
type xmlDBInstanceResult struct {
	Instance xmlDBInstance `xml:"DBInstance"`
}

// DBInstanceMessage (DescribeDBInstancesResult).
type xmlDBInstanceMessage struct {
	Marker    string `xml:"Marker,omitempty"`
	Instances struct {
		Items []xmlDBInstance `xml:"DBInstance"`
	} `xml:"DBInstances"`
}

// xmlInstance is the DBInstance shape of an instance.
func (l *Lab) xmlInstance(in *dbInstance) xmlDBInstance {
	x := xmlDBInstance{
		ID: in.ID, Class: in.Class, Engine: in.Engine, Status: in.Status, MasterUsername: in.MasterUsername,
		DBName: in.DBName, AllocatedStorage: in.AllocatedStorage, BackupRetention: 1,
		DeletionProtection: in.DeletionProtection, TagList: toXMLTags(in.Tags),
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
	x.Pending.MultiAZ = in.PendingMultiAZ
	if in.BackupRetention != nil {
		x.BackupRetention = *in.BackupRetention
	}
	if in.ClusterID != "" {
		tier := in.PromotionTier
		x.PromotionTier = &tier
		x.StorageType = "aurora"
		x.AllocatedStorage = 1
	}
	return x
}
