package lab

import (
	"sort"
	"strings"
	"sync"
)

// honoured lists, for each action the lab serves, the request members it
// honours. Every other member a request carries is refused by name
// (refuseUnsupported), so that no 200 silently ignores what a caller
// asked for: a script rehearsed on the lab behaves the same on AWS or
// fails here first.
var honoured = map[string][]string{
	"CreateDBParameterGroup":          {"DBParameterGroupName", "DBParameterGroupFamily", "Description", "Tags"},
	"CopyDBParameterGroup":            {"SourceDBParameterGroupIdentifier", "TargetDBParameterGroupIdentifier", "TargetDBParameterGroupDescription", "Tags"},
	"DeleteDBParameterGroup":          {"DBParameterGroupName"},
	"DescribeDBParameterGroups":       {"DBParameterGroupName", "Filters", "MaxRecords", "Marker"},
	"DescribeDBParameters":            {"DBParameterGroupName", "Source", "Filters", "MaxRecords", "Marker"},
	"ModifyDBParameterGroup":          {"DBParameterGroupName", "Parameters"},
	"ResetDBParameterGroup":           {"DBParameterGroupName", "ResetAllParameters", "Parameters"},
	"DescribeEngineDefaultParameters": {"DBParameterGroupFamily", "Filters", "MaxRecords", "Marker"},

	"CreateDBClusterParameterGroup":          {"DBClusterParameterGroupName", "DBParameterGroupFamily", "Description", "Tags"},
	"CopyDBClusterParameterGroup":            {"SourceDBClusterParameterGroupIdentifier", "TargetDBClusterParameterGroupIdentifier", "TargetDBClusterParameterGroupDescription", "Tags"},
	"DeleteDBClusterParameterGroup":          {"DBClusterParameterGroupName"},
	"DescribeDBClusterParameterGroups":       {"DBClusterParameterGroupName", "Filters", "MaxRecords", "Marker"},
	"DescribeDBClusterParameters":            {"DBClusterParameterGroupName", "Source", "Filters", "MaxRecords", "Marker"},
	"ModifyDBClusterParameterGroup":          {"DBClusterParameterGroupName", "Parameters"},
	"ResetDBClusterParameterGroup":           {"DBClusterParameterGroupName", "ResetAllParameters", "Parameters"},
	"DescribeEngineDefaultClusterParameters": {"DBParameterGroupFamily", "Filters", "MaxRecords", "Marker"},

	"CreateDBInstance": {"DBInstanceIdentifier", "DBInstanceClass", "Engine", "EngineVersion", "MasterUsername",
		"MasterUserPassword", "ManageMasterUserPassword", "DBName", "AllocatedStorage", "AvailabilityZone",
		"DBParameterGroupName", "BackupRetentionPeriod", "Port", "MultiAZ", "Tags", "DeletionProtection",
		"DBClusterIdentifier", "PromotionTier"},
	"DescribeDBInstances": {"DBInstanceIdentifier", "Filters", "MaxRecords", "Marker"},
	"ModifyDBInstance": {"DBInstanceIdentifier", "DBInstanceClass", "ApplyImmediately", "MasterUserPassword",
		"DBParameterGroupName", "BackupRetentionPeriod", "MultiAZ", "AllocatedStorage", "DeletionProtection", "EngineVersion"},
	"RebootDBInstance": {"DBInstanceIdentifier", "ForceFailover"},
	// The lab takes no snapshots, so FinalDBSnapshotIdentifier is refused
	// rather than accepted and ignored.
	"DeleteDBInstance": {"DBInstanceIdentifier", "SkipFinalSnapshot"},

	"CreateDBCluster": {"DBClusterIdentifier", "Engine", "EngineVersion", "MasterUsername", "MasterUserPassword",
		"ManageMasterUserPassword", "DatabaseName", "DBClusterParameterGroupName", "Port", "BackupRetentionPeriod",
		"DeletionProtection", "Tags"},
	"DescribeDBClusters": {"DBClusterIdentifier", "Filters", "MaxRecords", "Marker", "IncludeShared"},
	"ModifyDBCluster": {"DBClusterIdentifier", "DBClusterParameterGroupName", "DeletionProtection", "ApplyImmediately",
		"BackupRetentionPeriod"},
	// As for DeleteDBInstance: no snapshots, so FinalDBSnapshotIdentifier
	// is refused.
	"DeleteDBCluster":   {"DBClusterIdentifier", "SkipFinalSnapshot"},
	"FailoverDBCluster": {"DBClusterIdentifier", "TargetDBInstanceIdentifier"},

	"DescribeEvents": {"SourceIdentifier", "SourceType", "StartTime", "EndTime", "Duration", "EventCategories",
		"Filters", "MaxRecords", "Marker"},

	"AddTagsToResource":      {"ResourceName", "Tags"},
	"RemoveTagsFromResource": {"ResourceName", "TagKeys"},
	"ListTagsForResource":    {"ResourceName", "Filters"},

	"DescribeDBEngineVersions": {"Engine", "EngineVersion", "DBParameterGroupFamily", "Filters", "MaxRecords",
		"Marker", "DefaultOnly", "IncludeAll"},
}

// stsHonoured is honoured for the lab's STS actions (sts.go). AssumeRole's
// policies, tags, MFA, external id and source identity would all be
// ignored by a lab without IAM, so they are refused by name.
var stsHonoured = map[string][]string{
	"AssumeRole":        {"RoleArn", "RoleSessionName", "DurationSeconds"},
	"GetCallerIdentity": {},
}

// protocolMembers are the Query protocol's own members, on every request.
var protocolMembers = map[string]bool{"Action": true, "Version": true}

// honouredSet indexes honoured and stsHonoured (their action names are
// distinct).
var honouredSet = sync.OnceValue(func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(honoured)+len(stsHonoured))
	for a, ms := range honoured {
		out[a] = memberSet(ms)
	}
	for a, ms := range stsHonoured {
		out[a] = memberSet(ms)
	}
	return out
})

func memberSet(ms []string) map[string]bool {
	s := make(map[string]bool, len(ms))
	for _, m := range ms {
		s[m] = true
	}
	return s
}

// unsupportedMembers is the refusal of members the lab does not honour.
func unsupportedMembers(action string, members []string) *apiError {
	return apiErr(codeInvalidParameterValue, "The lab does not support %s on %s: it would be ignored, so the request is refused",
		strings.Join(members, ", "), action)
}

// refuseUnsupported refuses a request carrying a member its action does
// not honour. A list member is named by its top-level name
// (Tags.Tag.1.Key is Tags); every such member is named, sorted.
func refuseUnsupported(r *request) error {
	ok := honouredSet()[r.action]
	seen := map[string]bool{}
	var bad []string
	for k := range r.form {
		top, _, _ := strings.Cut(k, ".")
		if !protocolMembers[top] && !ok[top] && !seen[top] {
			seen[top] = true
			bad = append(bad, top)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return unsupportedMembers(r.action, bad)
}

// guarded wraps a handler with refuseUnsupported.
func guarded(h handler) handler {
	return func(l *Lab, r *request) (any, error) {
		if err := refuseUnsupported(r); err != nil {
			return nil, err
		}
		return h(l, r)
	}
}

func init() {
	for a, h := range routes {
		routes[a] = guarded(h)
	}
}

// checkFilters refuses a filter name outside allowed, or one without
// values, with AWS's wording, and returns the filters.
func checkFilters(r *request, allowed ...string) ([]filter, error) {
	fs := r.filters()
	for _, f := range fs {
		ok := false
		for _, a := range allowed {
			ok = ok || f.Name == a
		}
		if !ok {
			// AWS: "Unrecognized filter name: foo"
			return nil, apiErr(codeInvalidParameterValue, "Unrecognized filter name: %s", f.Name)
		}
		if len(f.Values) == 0 {
			return nil, apiErr(codeInvalidParameterValue, "The filter %s must have at least one value", f.Name)
		}
	}
	return fs, nil
}

// nameFilter is the parameter-name filter of the parameter Describe
// calls: nil when absent (everything passes), else the named set.
func nameFilter(r *request) (map[string]bool, error) {
	fs, err := checkFilters(r, "parameter-name")
	if err != nil || len(fs) == 0 {
		return nil, err
	}
	names := map[string]bool{}
	for _, f := range fs {
		for _, v := range f.Values {
			names[v] = true
		}
	}
	return names, nil
}
