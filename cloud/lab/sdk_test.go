package lab_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

func createGroup(t *testing.T, c *rds.Client, name string) {
	t.Helper()
	_, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: aws.String(name), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("test " + name)})
	if err != nil {
		t.Fatal(err)
	}
}

// userParams is the group's user-set parameters, name -> value.
func userParams(t *testing.T, c *rds.Client, group string) map[string]types.Parameter {
	t.Helper()
	out := map[string]types.Parameter{}
	p := rds.NewDescribeDBParametersPaginator(c, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(group), Source: aws.String("user")})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range pg.Parameters {
			out[*x.ParameterName] = x
		}
	}
	return out
}

func param(name, value string, method types.ApplyMethod) types.Parameter {
	return types.Parameter{ParameterName: aws.String(name), ParameterValue: aws.String(value), ApplyMethod: method}
}

func TestSDKParameterGroupLifecycle(t *testing.T) {
	_, c := startLab(t)

	out, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: aws.String("Staging-Params"), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("staging")})
	if err != nil {
		t.Fatal(err)
	}
	g := out.DBParameterGroup
	if *g.DBParameterGroupName != "staging-params" || *g.DBParameterGroupFamily != lab.TestFamily || *g.Description != "staging" ||
		*g.DBParameterGroupArn != "arn:aws:rds:us-east-1:000000000000:pg:staging-params" {
		t.Fatalf("created %+v", g)
	}

	// Lookups are case-insensitive; names come back lowercased.
	d, err := c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String("STAGING-params")})
	if err != nil || len(d.DBParameterGroups) != 1 || *d.DBParameterGroups[0].DBParameterGroupName != "staging-params" {
		t.Fatalf("describe: %v %+v", err, d)
	}

	_, err = c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: aws.String("staging-params"), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")})
	var exists *types.DBParameterGroupAlreadyExistsFault
	if !errorsAs(err, &exists) {
		t.Fatalf("duplicate: %v", err)
	}
	wantAPIError(t, err, "DBParameterGroupAlreadyExists", 400, "staging-params")

	_, err = c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("staging-params"),
		Parameters: []types.Parameter{param("dyn_int", "42", types.ApplyMethodImmediate)}})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c.CopyDBParameterGroup(ctx, &rds.CopyDBParameterGroupInput{
		SourceDBParameterGroupIdentifier:  aws.String("arn:aws:rds:us-east-1:000000000000:pg:staging-params"),
		TargetDBParameterGroupIdentifier:  aws.String("staging-copy"),
		TargetDBParameterGroupDescription: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	if *cp.DBParameterGroup.DBParameterGroupName != "staging-copy" || *cp.DBParameterGroup.DBParameterGroupFamily != lab.TestFamily {
		t.Fatalf("copy: %+v", cp.DBParameterGroup)
	}
	if v := userParams(t, c, "staging-copy"); len(v) != 1 || *v["dyn_int"].ParameterValue != "42" {
		t.Fatalf("copied values: %+v", v)
	}

	// Defaults exist for every family and cannot be deleted, modified or copied.
	_, err = c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String("default." + lab.TestFamily)})
	var state *types.InvalidDBParameterGroupStateFault
	if !errorsAs(err, &state) {
		t.Fatalf("delete default: %v", err)
	}
	wantAPIError(t, err, "InvalidDBParameterGroupState", 400, "Default DBParameterGroup cannot be deleted: default."+lab.TestFamily)
	_, err = c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("default." + lab.TestFamily),
		Parameters: []types.Parameter{param("dyn_int", "42", types.ApplyMethodImmediate)}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Cannot modify a default parameter group.")
	_, err = c.CopyDBParameterGroup(ctx, &rds.CopyDBParameterGroupInput{SourceDBParameterGroupIdentifier: aws.String("default." + lab.TestFamily),
		TargetDBParameterGroupIdentifier: aws.String("x"), TargetDBParameterGroupDescription: aws.String("x")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Cannot copy default DBParameterGroup default."+lab.TestFamily+": default groups cannot be copied; create a group of family "+lab.TestFamily+" instead")

	for _, name := range []string{"staging-params", "staging-copy"} {
		if _, err := c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String("staging-params")})
	var nf *types.DBParameterGroupNotFoundFault
	if !errorsAs(err, &nf) {
		t.Fatalf("after delete: %v", err)
	}
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "DBParameterGroup not found: staging-params")
	_, err = c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String("staging-params")})
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "")
	_, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("nope")})
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "")
	_, err = c.CopyDBParameterGroup(ctx, &rds.CopyDBParameterGroupInput{SourceDBParameterGroupIdentifier: aws.String("nope"),
		TargetDBParameterGroupIdentifier: aws.String("x"), TargetDBParameterGroupDescription: aws.String("x")})
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "")
}

func TestSDKGroupNameAndFamilyRules(t *testing.T) {
	_, c := startLab(t)
	for _, name := range []string{"1abc", "a--b", "a-", "a_b", "a.b", strings.Repeat("a", 256)} {
		_, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
			DBParameterGroupName: aws.String(name), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")})
		wantAPIError(t, err, "InvalidParameterValue", 400, "The parameter DBParameterGroupName is not a valid identifier")
	}
	for _, name := range []string{"a", "a-b-c", strings.Repeat("a", 255), "A1-b2"} {
		createGroup(t, c, name)
	}
	_, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: aws.String("ok"), DBParameterGroupFamily: aws.String("postgres99"), Description: aws.String("x")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "ParameterGroupFamily postgres99 is not a valid parameter group family")
	_, err = c.DescribeEngineDefaultParameters(ctx, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String("postgres99")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "not a valid parameter group family")
}

func TestSDKDescribeParameterGroupsPaging(t *testing.T) {
	_, c := startLab(t)
	for i := range 25 {
		createGroup(t, c, fmt.Sprintf("group-%02d", i))
	}
	var names []string
	pages := 0
	p := rds.NewDescribeDBParameterGroupsPaginator(c, &rds.DescribeDBParameterGroupsInput{MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range pg.DBParameterGroups {
			names = append(names, *g.DBParameterGroupName)
		}
	}
	if pages < 2 || !sort.StringsAreSorted(names) || len(names) != 25+len(defaultGroups(t, c)) {
		t.Fatalf("%d pages, names %v", pages, names)
	}
	if !slices.Contains(names, "default."+lab.TestFamily) || !slices.Contains(names, "group-24") {
		t.Fatalf("names %v", names)
	}
	for _, n := range []int32{19, 101, 0} {
		_, err := c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{MaxRecords: aws.Int32(n)})
		wantAPIError(t, err, "InvalidParameterValue", 400, fmt.Sprintf("Invalid value %d for MaxRecords. Must be between 20 and 100", n))
	}
	_, err := c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{Marker: aws.String("garbage!")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "marker")
}

func defaultGroups(t *testing.T, c *rds.Client) []string {
	var out []string
	p := rds.NewDescribeDBParameterGroupsPaginator(c, &rds.DescribeDBParameterGroupsInput{})
	for p.HasMorePages() {
		pg := must[*rds.DescribeDBParameterGroupsOutput](t)(p.NextPage(ctx))
		for _, g := range pg.DBParameterGroups {
			if strings.HasPrefix(*g.DBParameterGroupName, "default.") {
				out = append(out, *g.DBParameterGroupName)
			}
		}
	}
	return out
}

func TestSDKDescribeParametersPagingAndSource(t *testing.T) {
	_, c := startLab(t)
	createGroup(t, c, "pg")
	var got []types.Parameter
	pages := 0
	p := rds.NewDescribeDBParametersPaginator(c, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("pg"), MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, pg.Parameters...)
	}
	if len(got) != 250 || pages != 13 {
		t.Fatalf("%d parameters in %d pages, want 250 in 13", len(got), pages)
	}
	seen := map[string]bool{}
	for i, x := range got {
		if seen[*x.ParameterName] || (i > 0 && *got[i-1].ParameterName >= *x.ParameterName) {
			t.Fatalf("order/duplicate at %s", *x.ParameterName)
		}
		seen[*x.ParameterName] = true
	}
	byName := map[string]types.Parameter{}
	for _, x := range got {
		byName[*x.ParameterName] = x
	}
	dyn := byName["dyn_int"]
	// An engine default carries no value, as on AWS (parameters.go advertised).
	if dyn.ParameterValue != nil || *dyn.Source != "engine-default" || *dyn.ApplyType != "dynamic" || *dyn.DataType != "integer" ||
		*dyn.AllowedValues != "1-100" || !*dyn.IsModifiable || dyn.ApplyMethod != types.ApplyMethodPendingReboot {
		t.Fatalf("dyn_int = %+v", dyn)
	}
	if l := byName["locked"]; *l.IsModifiable || *l.Source != "system" {
		t.Fatalf("locked = %+v", l)
	}
	if m := byName["mode"]; m.ParameterValue != nil || *m.MinimumEngineVersion != "10.11.1" {
		t.Fatalf("mode = %+v", m)
	}

	_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("pg"), Parameters: []types.Parameter{
		param("dyn_int", "42", types.ApplyMethodImmediate), param("static_int", "7", types.ApplyMethodPendingReboot)}})
	if err != nil {
		t.Fatal(err)
	}
	user := userParams(t, c, "pg")
	if len(user) != 2 || *user["dyn_int"].ParameterValue != "42" || user["dyn_int"].ApplyMethod != types.ApplyMethodImmediate ||
		*user["static_int"].Source != "user" || user["static_int"].ApplyMethod != types.ApplyMethodPendingReboot {
		t.Fatalf("user = %+v", user)
	}
	sys, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("pg"), Source: aws.String("system")})
	if err != nil {
		t.Fatal(err)
	}
	var sysNames []string
	for _, x := range sys.Parameters {
		sysNames = append(sysNames, *x.ParameterName)
	}
	if !slices.Equal(sysNames, []string{"locked", "sys_formula"}) {
		t.Fatalf("system = %v", sysNames)
	}
	ed, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("pg"), Source: aws.String("engine-default"), MaxRecords: aws.Int32(100)})
	if err != nil || len(ed.Parameters) != 100 || ed.Marker == nil {
		t.Fatalf("engine-default: %v, %d, marker %v", err, len(ed.Parameters), ed.Marker)
	}
	_, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("pg"), MaxRecords: aws.Int32(10)})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Invalid value 10 for MaxRecords")
	_, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("pg"), Marker: aws.String("bm90LWEtbWFya2Vy")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "marker")
}

func TestSDKModifyRules(t *testing.T) {
	_, c := startLab(t)
	createGroup(t, c, "rules")
	ok := param("dyn_int", "50", types.ApplyMethodImmediate)
	many := make([]types.Parameter, 21)
	for i := range many {
		many[i] = param(fmt.Sprintf("p_%03d", 10+i), "1", types.ApplyMethodPendingReboot)
	}
	cases := []struct {
		name   string
		params []types.Parameter
		code   string
		msg    string
	}{
		{"more than 20", many, "InvalidParameterCombination", "Cannot modify more than 20 parameters in a single request"},
		{"immediate on static", []types.Parameter{ok, param("static_int", "5", types.ApplyMethodImmediate)}, "InvalidParameterCombination", "cannot use immediate apply method for static parameter"},
		{"unknown", []types.Parameter{ok, param("no_such_param", "5", types.ApplyMethodImmediate)}, "InvalidParameterValue", "Could not find parameter with name: no_such_param"},
		{"not modifiable", []types.Parameter{ok, param("locked", "x", types.ApplyMethodPendingReboot)}, "InvalidParameterValue", "locked"},
		{"out of range", []types.Parameter{ok, param("dyn_int", "101", types.ApplyMethodImmediate)}, "InvalidParameterValue", "Invalid parameter value: 101 for: dyn_int allowed values are: 1-100"},
		{"not an integer", []types.Parameter{ok, param("static_int", "ten", types.ApplyMethodPendingReboot)}, "InvalidParameterValue", "Invalid parameter value: ten for: static_int"},
		{"not allowed", []types.Parameter{ok, param("mode", "MAYBE", types.ApplyMethodImmediate)}, "InvalidParameterValue", "MAYBE"},
		{"no apply method", []types.Parameter{ok, {ParameterName: aws.String("mode"), ParameterValue: aws.String("ON")}}, "InvalidParameterValue", "apply method"},
		{"bad apply method", []types.Parameter{ok, param("mode", "ON", "later")}, "InvalidParameterValue", "apply method"},
		{"no value", []types.Parameter{ok, {ParameterName: aws.String("mode"), ApplyMethod: types.ApplyMethodImmediate}}, "InvalidParameterValue", "mode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("rules"), Parameters: tc.params})
			wantAPIError(t, err, tc.code, 400, tc.msg)
			if u := userParams(t, c, "rules"); len(u) != 0 {
				t.Fatalf("a rejected Modify changed %v", u)
			}
		})
	}

	// One bad parameter among ten changes nothing.
	ten := make([]types.Parameter, 0, 10)
	for i := range 9 {
		ten = append(ten, param(fmt.Sprintf("p_%03d", 10+i), "5", types.ApplyMethodPendingReboot))
	}
	ten = append(ten, param("dyn_int", "0", types.ApplyMethodImmediate))
	_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("rules"), Parameters: ten})
	wantAPIError(t, err, "InvalidParameterValue", 400, "dyn_int")
	if u := userParams(t, c, "rules"); len(u) != 0 {
		t.Fatalf("partial apply: %v", u)
	}

	// Exactly 20 lands; formulas are accepted for integer parameters.
	twenty := append(ten[:9:9], param("sys_formula", "{DBInstanceClassMemory/10485760}", types.ApplyMethodImmediate))
	for i := range 10 {
		twenty = append(twenty, param(fmt.Sprintf("p_%03d", 30+i), "7", types.ApplyMethodPendingReboot))
	}
	out, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("rules"), Parameters: twenty})
	if err != nil || *out.DBParameterGroupName != "rules" {
		t.Fatalf("modify 20: %v %+v", err, out)
	}
	if u := userParams(t, c, "rules"); len(u) != 20 {
		t.Fatalf("user params after 20: %d", len(u))
	}

	// Reset: named, then everything.
	rs, err := c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("rules"),
		Parameters: []types.Parameter{{ParameterName: aws.String("p_010"), ApplyMethod: types.ApplyMethodPendingReboot}, {ParameterName: aws.String("sys_formula"), ApplyMethod: types.ApplyMethodImmediate}}})
	if err != nil || *rs.DBParameterGroupName != "rules" {
		t.Fatalf("reset: %v", err)
	}
	u := userParams(t, c, "rules")
	if _, still := u["p_010"]; still || len(u) != 18 {
		t.Fatalf("after named reset: %d %v", len(u), u["p_010"])
	}
	_, err = c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("rules"),
		Parameters: []types.Parameter{{ParameterName: aws.String("p_011"), ApplyMethod: types.ApplyMethodPendingReboot}, {ParameterName: aws.String("nope")}}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Could not find parameter with name: nope")
	_, err = c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("rules"),
		Parameters: []types.Parameter{{ParameterName: aws.String("static_int"), ApplyMethod: types.ApplyMethodImmediate}}})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "cannot use immediate apply method for static parameter")
	_, err = c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("rules"), Parameters: many})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "Cannot modify more than 20 parameters")
	if len(userParams(t, c, "rules")) != 18 {
		t.Fatal("a rejected Reset changed the group")
	}
	_, err = c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("rules"), ResetAllParameters: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if u := userParams(t, c, "rules"); len(u) != 0 {
		t.Fatalf("after reset all: %v", u)
	}
	_, err = c.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{DBParameterGroupName: aws.String("default." + lab.TestFamily), ResetAllParameters: aws.Bool(true)})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Cannot modify a default parameter group.")
	_, err = c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("nope"), Parameters: []types.Parameter{ok}})
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "DBParameterGroup not found: nope")
}

func TestSDKEngineDefaults(t *testing.T) {
	_, c := startLab(t)
	n, pages := 0, 0
	p := rds.NewDescribeEngineDefaultParametersPaginator(c, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String(lab.TestFamily), MaxRecords: aws.Int32(100)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if *pg.EngineDefaults.DBParameterGroupFamily != lab.TestFamily {
			t.Fatalf("family %v", pg.EngineDefaults.DBParameterGroupFamily)
		}
		n += len(pg.EngineDefaults.Parameters)
		pages++
	}
	if n != 250 || pages != 3 {
		t.Fatalf("%d defaults in %d pages", n, pages)
	}
	cn := 0
	cp := rds.NewDescribeEngineDefaultClusterParametersPaginator(c, &rds.DescribeEngineDefaultClusterParametersInput{DBParameterGroupFamily: aws.String(lab.TestFamily), MaxRecords: aws.Int32(20)})
	for cp.HasMorePages() {
		pg, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cn += len(pg.EngineDefaults.Parameters)
	}
	if cn != 60 {
		t.Fatalf("%d cluster defaults", cn)
	}
	// Every real catalog family answers too.
	for _, fam := range catalogFamilies(t) {
		if _, err := c.DescribeEngineDefaultParameters(ctx, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String(fam)}); err != nil {
			t.Fatalf("%s: %v", fam, err)
		}
	}
}

func catalogFamilies(t *testing.T) []string {
	var out []string
	for _, g := range defaultGroups(t, nil2(t)) {
		out = append(out, strings.TrimPrefix(g, "default."))
	}
	return out
}

// nil2 gives catalogFamilies its own lab, so callers need not pass one.
func nil2(t *testing.T) *rds.Client { return labtest.Client(t, labtest.Start(t)) }

func TestSDKClusterParameterGroups(t *testing.T) {
	_, c := startLab(t)
	out, err := c.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
		DBClusterParameterGroupName: aws.String("Aurora-Params"), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("cluster")})
	if err != nil {
		t.Fatal(err)
	}
	g := out.DBClusterParameterGroup
	if *g.DBClusterParameterGroupName != "aurora-params" || *g.DBClusterParameterGroupArn != "arn:aws:rds:us-east-1:000000000000:cluster-pg:aurora-params" {
		t.Fatalf("created %+v", g)
	}
	_, err = c.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
		DBClusterParameterGroupName: aws.String("aurora-params"), DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")})
	wantAPIError(t, err, "DBParameterGroupAlreadyExists", 400, "")
	_, err = c.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("aurora-params"),
		Parameters: []types.Parameter{param("dyn_int", "3", types.ApplyMethodImmediate), param("c_010", "9", types.ApplyMethodPendingReboot)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("aurora-params"),
		Parameters: []types.Parameter{param("p_010", "3", types.ApplyMethodImmediate)}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Could not find parameter with name: p_010")
	n, user := 0, 0
	p := rds.NewDescribeDBClusterParametersPaginator(c, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("aurora-params"), MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range pg.Parameters {
			n++
			if *x.Source == "user" {
				user++
			}
		}
	}
	if n != 60 || user != 2 {
		t.Fatalf("%d cluster params, %d user", n, user)
	}
	cp, err := c.CopyDBClusterParameterGroup(ctx, &rds.CopyDBClusterParameterGroupInput{SourceDBClusterParameterGroupIdentifier: aws.String("aurora-params"),
		TargetDBClusterParameterGroupIdentifier: aws.String("aurora-copy"), TargetDBClusterParameterGroupDescription: aws.String("copy")})
	if err != nil || *cp.DBClusterParameterGroup.DBClusterParameterGroupName != "aurora-copy" {
		t.Fatalf("copy: %v", err)
	}
	rs, err := c.ResetDBClusterParameterGroup(ctx, &rds.ResetDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("aurora-copy"), ResetAllParameters: aws.Bool(true)})
	if err != nil || *rs.DBClusterParameterGroupName != "aurora-copy" {
		t.Fatalf("reset: %v", err)
	}
	var names []string
	dp := rds.NewDescribeDBClusterParameterGroupsPaginator(c, &rds.DescribeDBClusterParameterGroupsInput{MaxRecords: aws.Int32(20)})
	for dp.HasMorePages() {
		pg := must[*rds.DescribeDBClusterParameterGroupsOutput](t)(dp.NextPage(ctx))
		for _, g := range pg.DBClusterParameterGroups {
			names = append(names, *g.DBClusterParameterGroupName)
		}
	}
	if !slices.Contains(names, "aurora-copy") || !slices.Contains(names, "default."+lab.TestFamily) || slices.Contains(names, "default.mariadb10.11") {
		t.Fatalf("cluster groups %v", names)
	}
	_, err = c.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("default." + lab.TestFamily)})
	wantAPIError(t, err, "InvalidDBParameterGroupState", 400, "Default DBClusterParameterGroup cannot be deleted")
	for _, name := range []string{"aurora-params", "aurora-copy"} {
		if _, err := c.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("aurora-params")})
	var nf *types.DBParameterGroupNotFoundFault
	if !errorsAs(err, &nf) {
		t.Fatalf("after delete: %v", err)
	}
	wantAPIError(t, err, "DBParameterGroupNotFound", 404, "DBClusterParameterGroup not found: aurora-params")
	// mariadb10.11 has no cluster parameter groups.
	_, err = c.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
		DBClusterParameterGroupName: aws.String("x"), DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "not a valid parameter group family")
}

func TestSDKEvents(t *testing.T) {
	_, c := startLab(t)
	createGroup(t, c, "evt")
	createGroup(t, c, "other")
	before := time.Now().Add(-time.Second)
	for i := range 25 {
		_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("evt"),
			Parameters: []types.Parameter{param("dyn_int", fmt.Sprint(i+1), types.ApplyMethodImmediate)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("other"),
		Parameters: []types.Parameter{param("static_int", "5", types.ApplyMethodPendingReboot)}})
	if err != nil {
		t.Fatal(err)
	}
	var evs []types.Event
	p := rds.NewDescribeEventsPaginator(c, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbParameterGroup, SourceIdentifier: aws.String("evt"), MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, pg.Events...)
	}
	if len(evs) != 25 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[24]
	if *e.SourceIdentifier != "evt" || e.SourceType != types.SourceTypeDbParameterGroup || *e.Message != "Updated parameter dyn_int to 25 with apply method immediate" ||
		!slices.Equal(e.EventCategories, []string{"configuration change"}) || e.Date.Before(before) || *e.SourceArn != "arn:aws:rds:us-east-1:000000000000:pg:evt" {
		t.Fatalf("event %+v", e)
	}
	all, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{})
	if err != nil || len(all.Events) != 26 {
		t.Fatalf("all events: %v %d", err, len(all.Events))
	}
	none, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{StartTime: aws.Time(time.Now().Add(time.Hour))})
	if err != nil || len(none.Events) != 0 {
		t.Fatalf("future window: %v %d", err, len(none.Events))
	}
	old, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{EndTime: aws.Time(before)})
	if err != nil || len(old.Events) != 0 {
		t.Fatalf("past window: %v %d", err, len(old.Events))
	}
	inst, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbInstance, Duration: aws.Int32(10)})
	if err != nil || len(inst.Events) != 0 {
		t.Fatalf("instance events: %v %d", err, len(inst.Events))
	}
	_, err = c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: aws.String("evt")})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "SourceType")
	_, err = c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: "db-nonsense"})
	wantAPIError(t, err, "InvalidParameterValue", 400, "db-nonsense")
	_, err = c.DescribeEvents(ctx, &rds.DescribeEventsInput{MaxRecords: aws.Int32(5)})
	wantAPIError(t, err, "InvalidParameterValue", 400, "MaxRecords")
}
