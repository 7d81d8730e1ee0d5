package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud"
)

func init() {
	extraScriptCmds["labcluster"] = cmdLabCluster
}

// cmdLabCluster creates an Aurora MySQL cluster on the script's lab (which
// must run with engines) with its members, the first the writer, and
// waits until all are available:
//
//	labcluster ID [group=CG] MEMBER[:G]...
//
// CG is the cluster parameter group, G a member's DB parameter group. It
// exports ${ID}_PORT (the cluster endpoint's port; the writer endpoint is
// 127.0.0.1 and the reader 127.0.0.2) and ${MEMBER}_PORT for each member's
// instance endpoint ('-' as '_'), so labsql reaches either. The master
// user is admin, the password $RDSCTL_DB_PASSWORD.
func cmdLabCluster(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: labcluster ID [group=CG] MEMBER[:G]...")
	}
	id := args[0]
	in := &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(id), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(scriptDBPassword)}
	var members [][2]string
	for _, a := range args[1:] {
		if g, ok := strings.CutPrefix(a, "group="); ok {
			in.DBClusterParameterGroupName = aws.String(g)
			continue
		}
		m, g, _ := strings.Cut(a, ":")
		members = append(members, [2]string{m, g})
	}
	c := scriptRDS(ts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := c.CreateDBCluster(ctx, in); err != nil {
		ts.Fatalf("labcluster: %v", err)
	}
	fast := func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	}
	if err := cloud.WaitClusterAvailable(ctx, c, id, 2*time.Minute, nil, fast); err != nil {
		ts.Fatalf("labcluster: %v", err)
	}
	for _, m := range members {
		mi := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(m[0]), DBInstanceClass: aws.String("db.t3.medium"),
			Engine: aws.String("aurora-mysql"), DBClusterIdentifier: aws.String(id)}
		if m[1] != "" {
			mi.DBParameterGroupName = aws.String(m[1])
		}
		if _, err := c.CreateDBInstance(ctx, mi); err != nil {
			ts.Fatalf("labcluster: member %s: %v", m[0], err)
		}
		// One at a time, so the first is the writer before the others
		// join as its readers.
		if err := cloud.WaitClusterAvailable(ctx, c, id, 2*time.Minute, nil, fast); err != nil {
			ts.Fatalf("labcluster: %v", err)
		}
	}
	cl, err := cloud.DescribeCluster(ctx, c, id)
	ts.Check(err)
	if len(cl.Members) != len(members) {
		ts.Fatalf("labcluster: %d members, want %d", len(cl.Members), len(members))
	}
	ts.Setenv(strings.ReplaceAll(id, "-", "_")+"_PORT", strconv.Itoa(int(aws.ToInt32(cl.Raw.Port))))
	for _, m := range cl.Members {
		ts.Setenv(strings.ReplaceAll(m.Instance, "-", "_")+"_PORT", strconv.Itoa(int(aws.ToInt32(m.Raw.Endpoint.Port))))
	}
}

func init() {
	extraScriptCmds["checkjson"] = cmdCheckJSON
}

// cmdCheckJSON checks one value of a JSON file against a regular
// expression matched in full:
//
//	checkjson FILE PATH REGEXP
//
// PATH is dot-separated keys; a key NAME[K=V] picks the element of array
// NAME whose K is V, e.g. members[instance=aur-3].role.
func cmdCheckJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: checkjson FILE PATH REGEXP")
	}
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &v))
	for _, seg := range strings.Split(args[1], ".") {
		key, sel, _ := strings.Cut(seg, "[")
		m, ok := v.(map[string]any)
		if !ok {
			ts.Fatalf("checkjson: %s: not an object at %q", args[1], seg)
		}
		if v, ok = m[key]; !ok {
			ts.Fatalf("checkjson: %s: no key %q", args[1], key)
		}
		if sel == "" {
			continue
		}
		k, want, _ := strings.Cut(strings.TrimSuffix(sel, "]"), "=")
		arr, _ := v.([]any)
		found := false
		for _, e := range arr {
			if em, ok := e.(map[string]any); ok && fmt.Sprint(em[k]) == want {
				v, found = e, true
				break
			}
		}
		if !found {
			ts.Fatalf("checkjson: %s: no element of %s with %s=%s", args[1], key, k, want)
		}
	}
	got := fmt.Sprint(v)
	ok := regexp.MustCompile(`^(?:` + args[2] + `)$`).MatchString(got)
	if ok == neg {
		ts.Fatalf("checkjson: %s = %q, want %s%q", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}
