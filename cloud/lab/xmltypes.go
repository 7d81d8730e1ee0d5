package lab

// The result shapes, named and nested as botocore's RDS model has them.
// Lists are wrapped in their member name (<Parameters><Parameter>…) and
// always present, as AWS sends them, even when empty.

type xmlDBParameterGroup struct {
	Name        string `xml:"DBParameterGroupName"`
	Family      string `xml:"DBParameterGroupFamily"`
	Description string `xml:"Description"`
	ARN         string `xml:"DBParameterGroupArn"`
}

type xmlDBClusterParameterGroup struct {
	Name        string `xml:"DBClusterParameterGroupName"`
	Family      string `xml:"DBParameterGroupFamily"`
	Description string `xml:"Description"`
	ARN         string `xml:"DBClusterParameterGroupArn"`
}

// CreateDBParameterGroupResult and CopyDBParameterGroupResult.
type xmlDBParameterGroupResult struct {
	Group xmlDBParameterGroup `xml:"DBParameterGroup"`
}

type xmlDBClusterParameterGroupResult struct {
	Group xmlDBClusterParameterGroup `xml:"DBClusterParameterGroup"`
}

type xmlDBParameterGroupsMessage struct {
	Groups struct {
		Items []xmlDBParameterGroup `xml:"DBParameterGroup"`
	} `xml:"DBParameterGroups"`
	Marker string `xml:"Marker,omitempty"`
}

type xmlDBClusterParameterGroupsMessage struct {
	Groups struct {
		Items []xmlDBClusterParameterGroup `xml:"DBClusterParameterGroup"`
	} `xml:"DBClusterParameterGroups"`
	Marker string `xml:"Marker,omitempty"`
}

// DBParameterGroupNameMessage (Modify/Reset).
type xmlDBParameterGroupName struct {
	Name string `xml:"DBParameterGroupName"`
}

// DBClusterParameterGroupNameMessage.
type xmlDBClusterParameterGroupName struct {
	Name string `xml:"DBClusterParameterGroupName"`
}

type xmlParameter struct {
	Name                 string `xml:"ParameterName"`
	Value                string `xml:"ParameterValue,omitempty"`
	Description          string `xml:"Description,omitempty"`
	Source               string `xml:"Source,omitempty"`
	ApplyType            string `xml:"ApplyType,omitempty"`
	DataType             string `xml:"DataType,omitempty"`
	AllowedValues        string `xml:"AllowedValues,omitempty"`
	IsModifiable         bool   `xml:"IsModifiable"`
	MinimumEngineVersion string `xml:"MinimumEngineVersion,omitempty"`
	ApplyMethod          string `xml:"ApplyMethod,omitempty"`
}

type xmlParameters struct {
	Items []xmlParameter `xml:"Parameter"`
}

// DBParameterGroupDetails and DBClusterParameterGroupDetails.
type xmlParameterDetails struct {
	Parameters xmlParameters `xml:"Parameters"`
	Marker     string        `xml:"Marker,omitempty"`
}

type xmlEngineDefaults struct {
	Family     string        `xml:"DBParameterGroupFamily"`
	Marker     string        `xml:"Marker,omitempty"`
	Parameters xmlParameters `xml:"Parameters"`
}

// DescribeEngineDefault(Cluster)ParametersResult.
type xmlEngineDefaultsResult struct {
	EngineDefaults xmlEngineDefaults `xml:"EngineDefaults"`
}

type xmlEvent struct {
	SourceIdentifier string `xml:"SourceIdentifier"`
	SourceType       string `xml:"SourceType"`
	Message          string `xml:"Message"`
	Categories       struct {
		Items []string `xml:"EventCategory"`
	} `xml:"EventCategories"`
	Date      string `xml:"Date"`
	SourceArn string `xml:"SourceArn,omitempty"`
}

// EventsMessage.
type xmlEventsMessage struct {
	Marker string `xml:"Marker,omitempty"`
	Events struct {
		Items []xmlEvent `xml:"Event"`
	} `xml:"Events"`
}
