package policy

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
)

// memberGroup is an Aurora member's own DB parameter group.
func memberGroup(name, status string, user map[string]string) MemberGroup {
	ps := map[string]Param{}
	d := defaults()
	for k, v := range user {
		ps[k] = Param{Name: k, Value: v, HasValue: true, DataType: d[k].DataType}
	}
	return MemberGroup{Name: name, ApplyStatus: status, Params: ps}
}

func clusterGroup(name string, user map[string]string, ins ...Instance) Group {
	g := group(name, user, ins...)
	g.Kind, g.Family = KindCluster, "aurora-mysql8.0"
	return g
}

func member(id string, globals map[string]string, groups ...MemberGroup) Instance {
	if groups == nil {
		groups = []MemberGroup{} // read: the member's groups set nothing
	}
	return Instance{ID: id, Class: "db.r6g.large", ApplyStatus: "in-sync", Globals: globals, DBGroups: groups}
}

// effectiveByInstance evaluates pol with --effective and indexes the
// findings by parameter/instance.
func effectiveByInstance(t *testing.T, pol *Policy, g Group) map[string]Finding {
	t.Helper()
	out := map[string]Finding{}
	for _, f := range Evaluate(pol, []Snapshot{{Region: "r", Groups: []Group{g}}}, Options{Effective: true}) {
		if len(f.Instances) != 1 {
			t.Fatalf("effective finding without one instance: %+v", f)
		}
		out[f.Parameter+"/"+f.Instances[0]] = f
	}
	return out
}

// TestEffectiveClusterMemberPrecedence: a member of a cluster group is held
// to its own DB group's value where that sets the parameter (instance
// group over cluster group, as verify resolves it), and the finding says
// where the value came from.
func TestEffectiveClusterMemberPrecedence(t *testing.T) {
	pol := mustParse(t, "  - parameter: wait_timeout\n    max: 600\n")
	g := clusterGroup("cg", map[string]string{"wait_timeout": "300"},
		// Its DB group sets nothing: the cluster group's 300 holds.
		member("plain", map[string]string{"wait_timeout": "300"}, memberGroup("default.aurora-mysql8.0", "in-sync", nil)),
		// Its DB group sets 3600: the server runs it, the member fails
		// because of its own group while the cluster group passes.
		member("big", map[string]string{"wait_timeout": "3600"}, memberGroup("big-ig", "in-sync", map[string]string{"wait_timeout": "3600"})),
		// Its DB group sets 120, which the server has not taken.
		member("stale", map[string]string{"wait_timeout": "999"}, memberGroup("short-ig", "pending-reboot", map[string]string{"wait_timeout": "120"})),
		// Its DB group sets 120 and the server runs it.
		member("short", map[string]string{"wait_timeout": "120"}, memberGroup("short-ig", "in-sync", map[string]string{"wait_timeout": "120"})),
		// A member with no DB group at all.
		member("none", map[string]string{"wait_timeout": "300"}),
	)
	fs := effectiveByInstance(t, pol, g)
	for _, tc := range []struct {
		key, status, actual, from, detail string
	}{
		{"wait_timeout/plain", "ok", "300", "cluster group cg", ""},
		{"wait_timeout/none", "ok", "300", "cluster group cg", ""},
		{"wait_timeout/big", "violation", "3600", "instance group big-ig", "instance group big-ig sets 3600 over cluster group cg's 300, which passes"},
		{"wait_timeout/stale", "not-applied", "999", "instance group short-ig", "instance group short-ig gives 120 but the server runs 999 (apply status pending-reboot)"},
		{"wait_timeout/short", "ok", "120", "instance group short-ig", "instance group short-ig sets 120 over cluster group cg's 300, which passes"},
	} {
		f, ok := fs[tc.key]
		if !ok {
			t.Errorf("%s: no finding in %v", tc.key, fs)
			continue
		}
		if string(f.Status) != tc.status || f.Actual != tc.actual || f.From != tc.from || !strings.Contains(f.Detail, tc.detail) {
			t.Errorf("%s: status %s actual %q from %q detail %q; want %s %q %q %q", tc.key, f.Status, f.Actual, f.From, f.Detail,
				tc.status, tc.actual, tc.from, tc.detail)
		}
		if tc.detail == "" && f.Detail != "" {
			t.Errorf("%s: detail %q, want none", tc.key, f.Detail)
		}
	}
	if d := fs["wait_timeout/big"].Describe(); !strings.Contains(d, "[instances: big; from instance group big-ig]") {
		t.Errorf("Describe() = %q: want the instance and where the value came from", d)
	}
}

// TestEffectiveClusterMemberFixesTheClusterGroup: a member whose own
// group gives a passing value passes although the cluster group's value
// fails; the others fail with the cluster group named.
func TestEffectiveClusterMemberFixesTheClusterGroup(t *testing.T) {
	pol := mustParse(t, "  - parameter: wait_timeout\n    max: 600\n")
	g := clusterGroup("cg", map[string]string{"wait_timeout": "3600"},
		member("fixed", map[string]string{"wait_timeout": "300"}, memberGroup("ig", "in-sync", map[string]string{"wait_timeout": "300"})),
		member("other", map[string]string{"wait_timeout": "3600"}, memberGroup("default.aurora-mysql8.0", "in-sync", nil)),
		member("worse", map[string]string{"wait_timeout": "7200"}, memberGroup("worse-ig", "in-sync", map[string]string{"wait_timeout": "7200"})),
	)
	fs := effectiveByInstance(t, pol, g)
	if f := fs["wait_timeout/fixed"]; f.Status != StatusOK || f.From != "instance group ig" {
		t.Errorf("fixed: %+v", f)
	}
	if f := fs["wait_timeout/other"]; f.Status != StatusViolation || f.From != "cluster group cg" || f.Detail != "the group gives 3600" {
		t.Errorf("other: %+v", f)
	}
	if f := fs["wait_timeout/worse"]; f.Status != StatusViolation || !strings.HasSuffix(f.Detail, "over cluster group cg's 3600, which fails too") {
		t.Errorf("worse: %+v", f)
	}
}

// TestEffectiveClusterMemberResolution: same_as and formulas resolve
// through the member's view; a parameter listed without a value does not
// override; the later of two DB groups wins.
func TestEffectiveClusterMemberResolution(t *testing.T) {
	pol := mustParse(t, "  - parameter: interactive_timeout\n    same_as: wait_timeout\n  - parameter: innodb_buffer_pool_size\n    max: 8G\n")
	noValue := memberGroup("novalue-ig", "in-sync", nil)
	noValue.Params["interactive_timeout"] = Param{Name: "interactive_timeout", DataType: "integer"}
	g := clusterGroup("cg", map[string]string{"wait_timeout": "300", "interactive_timeout": "300"},
		// The member's group sets both timeouts to 600: the server
		// agrees, so same_as holds; the buffer pool formula (3/4 of
		// 16 GiB = 12 GiB) is over 8G from the cluster group's default.
		member("a", map[string]string{"wait_timeout": "600", "interactive_timeout": "600", "innodb_buffer_pool_size": "12884901888"},
			memberGroup("ig", "in-sync", map[string]string{"wait_timeout": "600", "interactive_timeout": "600"})),
		// Two groups: the second's formula (1/4 of 16 GiB) wins.
		member("b", map[string]string{"wait_timeout": "300", "interactive_timeout": "300", "innodb_buffer_pool_size": "4294967296"},
			memberGroup("first", "in-sync", map[string]string{"innodb_buffer_pool_size": "{DBInstanceClassMemory*3/4}"}),
			memberGroup("second", "in-sync", map[string]string{"innodb_buffer_pool_size": "{DBInstanceClassMemory/4}"})),
		member("c", map[string]string{"wait_timeout": "300", "interactive_timeout": "300", "innodb_buffer_pool_size": "12884901888"}, noValue),
	)
	fs := effectiveByInstance(t, pol, g)
	for key, want := range map[string][2]string{
		"interactive_timeout/a":     {"ok", "instance group ig"},
		"innodb_buffer_pool_size/a": {"violation", "cluster group cg"},
		"innodb_buffer_pool_size/b": {"ok", "instance group second"},
		"interactive_timeout/c":     {"ok", "cluster group cg"},
	} {
		if f := fs[key]; string(f.Status) != want[0] || f.From != want[1] {
			t.Errorf("%s: %s from %q, want %s from %q (%+v)", key, f.Status, f.From, want[0], want[1], f)
		}
	}
}

// TestGroupLevelUnchangedByMemberGroups: without --effective a cluster
// group is checked as it is, whatever its members' groups set; a DB
// group's findings never carry From.
func TestGroupLevelUnchangedByMemberGroups(t *testing.T) {
	pol := mustParse(t, "  - parameter: wait_timeout\n    max: 600\n")
	big := member("big", map[string]string{"wait_timeout": "3600"}, memberGroup("big-ig", "in-sync", map[string]string{"wait_timeout": "3600"}))
	cg := clusterGroup("cg", map[string]string{"wait_timeout": "300"}, big)
	fs := Evaluate(pol, []Snapshot{{Region: "r", Groups: []Group{cg}}}, Options{})
	if len(fs) != 1 || fs[0].Status != StatusOK || fs[0].Actual != "300" || fs[0].From != "" || fs[0].Detail != "" {
		t.Errorf("group-level finding: %+v", fs)
	}
	db := group("db", map[string]string{"wait_timeout": "300"}, Instance{ID: "d", Class: "db.t3.micro", ApplyStatus: "in-sync",
		Globals: map[string]string{"wait_timeout": "300"}})
	for _, f := range Evaluate(pol, []Snapshot{{Region: "r", Groups: []Group{db}}}, Options{Effective: true}) {
		if f.From != "" || f.Status != StatusOK {
			t.Errorf("DB group finding: %+v", f)
		}
	}
	// A cluster group whose members' groups were not read keeps the
	// cluster group's value and claims no source.
	unread := big
	unread.DBGroups = nil
	for _, f := range Evaluate(pol, []Snapshot{{Region: "r", Groups: []Group{clusterGroup("cg", map[string]string{"wait_timeout": "300"}, unread)}}}, Options{Effective: true}) {
		if f.From != "" || f.Status != StatusNotApplied {
			t.Errorf("unread member: %+v", f)
		}
	}
}

// TestFromFleetMemberGroups: a cluster group's members get their own DB
// groups' user-set parameters when ReadFleet read them; DB groups'
// instances never do.
func TestFromFleetMemberGroups(t *testing.T) {
	inst := func(id, group, status string) types.DBInstance {
		return types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.r6g.large"),
			DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String(group), ParameterApplyStatus: aws.String(status)}}}
	}
	param := func(name, v string) types.Parameter {
		return types.Parameter{ParameterName: aws.String(name), ParameterValue: aws.String(v), DataType: aws.String("integer")}
	}
	f := &cloud.Fleet{
		Groups: []cloud.FleetGroup{
			{Cluster: true, Name: "cg", Family: "aurora-mysql8.0", User: []types.Parameter{param("key_buffer_size", "16777216")}},
			{Name: "Big-IG", Family: "aurora-mysql8.0", User: []types.Parameter{param("key_buffer_size", "25165824")}},
		},
		Instances: []types.DBInstance{inst("m1", "default.aurora-mysql8.0", "in-sync"), inst("m2", "Big-IG", "pending-reboot")},
		Clusters: []types.DBCluster{{DBClusterIdentifier: aws.String("c"), DBClusterParameterGroup: aws.String("cg"),
			DBClusterMembers: []types.DBClusterMember{
				{DBInstanceIdentifier: aws.String("m1"), DBClusterParameterGroupStatus: aws.String("in-sync")},
				{DBInstanceIdentifier: aws.String("m2"), DBClusterParameterGroupStatus: aws.String("in-sync")}}}},
		MemberGroups: map[string][]types.Parameter{
			"default.aurora-mysql8.0": nil,
			"big-ig":                  {param("key_buffer_size", "25165824")},
		},
	}
	s := FromFleet("1", "r", f)
	byName := map[string]Group{}
	for _, g := range s.Groups {
		byName[g.Name] = g
	}
	cg := byName["cg"]
	if len(cg.Instances) != 2 {
		t.Fatalf("cluster group members: %+v", cg.Instances)
	}
	m1, m2 := cg.Instances[0], cg.Instances[1]
	if m1.DBGroups == nil || len(m1.DBGroups) != 1 || m1.DBGroups[0].Name != "default.aurora-mysql8.0" || len(m1.DBGroups[0].Params) != 0 {
		t.Errorf("m1's groups: %+v", m1.DBGroups)
	}
	if len(m2.DBGroups) != 1 || m2.DBGroups[0].Name != "Big-IG" || m2.DBGroups[0].ApplyStatus != "pending-reboot" ||
		m2.DBGroups[0].Params["key_buffer_size"].Value != "25165824" || m2.ApplyStatus != "in-sync" {
		t.Errorf("m2's groups: %+v (apply status %s)", m2.DBGroups, m2.ApplyStatus)
	}
	if ig := byName["Big-IG"]; len(ig.Instances) != 1 || ig.Instances[0].DBGroups != nil {
		t.Errorf("DB group's instances: %+v", ig.Instances)
	}
	// Not read (no --effective): the members have no DBGroups.
	f.MemberGroups = nil
	for _, in := range FromFleet("1", "r", f).Groups[0].Instances {
		if in.DBGroups != nil {
			t.Errorf("%s: DBGroups %+v without MemberGroups", in.ID, in.DBGroups)
		}
	}
}
