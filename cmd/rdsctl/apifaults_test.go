package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// bigSet is 45 dynamic parameters with values off their defaults: three
// chunks of at most 20.
var bigSet = strings.Fields(`analyze_max_length=33 aria_checkpoint_interval=1 aria_checkpoint_log_activity=1
aria_group_commit_interval=1 aria_max_sort_file_size=1 aria_pagecache_age_threshold=101 aria_pagecache_division_limit=2
aria_repair_threads=2 aria_sort_buffer_size=16353 auto_increment_increment=2 auto_increment_offset=2 binlog_cache_size=4097
binlog_commit_wait_count=1 binlog_commit_wait_usec=1 binlog_expire_logs_seconds=1 binlog_file_cache_size=8193
binlog_stmt_cache_size=4097 bulk_insert_buffer_size=1 column_compression_threshold=1 column_compression_zlib_level=1
connect_timeout=3 deadlock_search_depth_long=1 deadlock_search_depth_short=1 deadlock_timeout_long=1 deadlock_timeout_short=1
default_password_lifetime=1 default_week_format=1 delayed_insert_limit=2 delayed_insert_timeout=2 delayed_queue_size=2
div_precision_increment=1 eq_range_index_dive_limit=1 expensive_subquery_limit=1 extra_max_connections=2 flush_time=1
group_concat_max_len=5 gtid_cleanup_batch_size=1 gtid_domain_id=1 histogram_size=1 host_cache_size=1
idle_readonly_transaction_timeout=1 idle_transaction_timeout=1 idle_write_transaction_timeout=1
in_predicate_conversion_threshold=1 innodb_autoextend_increment=2`)

// TestAPIFaultsConverge drives the real binary through the lab's
// rate-based faults: 30% Throttling, 500s, 503s and added latency. Under
// each, params set of 45 parameters, params apply -f of many groups,
// policy check over them and verify --group must end exactly as without
// faults: every change landed once (the request log's accepted calls and
// the final groups), the same findings, the same verification.
func TestAPIFaultsConverge(t *testing.T) {
	l := labtest.Start(t, labtest.WithEngine(t, time.Second))
	api := labtest.Client(t, l)
	env := cliEnv(t, l)
	env = append(env, "RDSCTL_DB_PASSWORD="+scriptDBPassword)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// The fleet verify --group checks: two instances on one group.
	mustRun(t, env, 0, "params", "create", "fleet", "--family", "mariadb10.11")
	mustRun(t, env, 0, "params", "set", "fleet", "wait_timeout=300", "--yes")
	for _, id := range []string{"fleet-a", "fleet-b"} {
		if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MasterUsername: aws.String("admin"),
			MasterUserPassword: aws.String(scriptDBPassword), DBParameterGroupName: aws.String("fleet")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"fleet-a", "fleet-b"} {
		if err := cloud.WaitInstanceAvailable(ctx, api, id, 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
		}); err != nil {
			t.Fatal(err)
		}
	}

	// The fleet policy check covers: 200 groups, every tenth violating,
	// made without faults, spread over three regions (RDS's quota is 100
	// groups per region; the lab's too) away from the lab's own.
	const policyGroups = 200
	regions := []string{"eu-west-1", "ap-southeast-2", "us-west-2"}
	for i, r := range regions {
		n := policyGroups / len(regions)
		if i == 0 {
			n += policyGroups % len(regions)
		}
		mustRun(t, env, 0, "params", "apply", "-f", writeFleetFile(t, "pol-"+r, n), "--region", r, "--yes")
	}
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\ngroups: [\"pol-*\"]\nrules:\n  - parameter: wait_timeout\n    max: 600\n  - parameter: interactive_timeout\n    same_as: wait_timeout\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := []string{"policy", "check", "-f", policy, "-o", "json", "--regions", strings.Join(regions, ",")}
	clean := runRdsctl(t, env, cliRun{Args: check, Timeout: time.Minute})
	if clean.Exit != 3 || strings.Count(clean.Stdout, `"status": "violation"`) < policyGroups/10 {
		t.Fatalf("policy check without faults: exit %d, %d violations, want 3 and %d\nstderr: %s", clean.Exit,
			strings.Count(clean.Stdout, `"status": "violation"`), policyGroups/10, clean.Stderr)
	}

	for _, p := range []struct {
		prefix string
		fault  lab.Fault
	}{
		{"thr", lab.Fault{Code: "Throttling", Rate: 0.3, Seed: 1}},
		{"ise", lab.Fault{Code: "InternalFailure", Rate: 0.2, Seed: 2}},
		{"sun", lab.Fault{Code: "ServiceUnavailable", Rate: 0.2, Seed: 3}},
		{"lat", lab.Fault{Latency: 20 * time.Millisecond, Rate: 0.5, Seed: 4}},
	} {
		t.Run(p.prefix, func(t *testing.T) {
			const groups = 20
			start := time.Now()
			file := writeFleetFile(t, p.prefix, groups)
			if err := lab.InjectFault(l.Endpoint(), p.fault); err != nil {
				t.Fatal(err)
			}
			mark := len(labtest.Requests(t, l))

			big := p.prefix + "-big"
			mustRun(t, env, 0, "params", "create", big, "--family", "mariadb10.11")
			mustRun(t, env, 0, append(append([]string{"params", "set", big}, bigSet...), "--yes")...)
			mustRun(t, env, 0, "params", "apply", "-f", file, "--yes")
			again := len(labtest.Requests(t, l))
			mustRun(t, env, 0, "params", "apply", "-f", file, "--yes")
			faulted := runRdsctl(t, env, cliRun{Args: check, Timeout: time.Minute})
			ver := runRdsctl(t, env, cliRun{Args: []string{"verify", "--group", "fleet", "-o", "json"}, Timeout: time.Minute})
			bigShow := mustRun(t, env, 0, "params", "show", big, "-o", "json")
			recs := labtest.Requests(t, l)
			if err := lab.ClearFaults(l.Endpoint()); err != nil {
				t.Fatal(err)
			}

			// Every change landed exactly once: a chunk sent again after it
			// landed would be one more accepted call.
			window := recs[mark:]
			hits := 0
			for _, r := range window {
				if r.Fault {
					hits++
				}
			}
			if hits == 0 {
				t.Errorf("no call met the fault %+v", p.fault)
			}
			if got, want := accepted(window, "ModifyDBParameterGroup"), 3+groups; got != want {
				t.Errorf("%d accepted ModifyDBParameterGroup calls, want %d (3 chunks of %s, one per group of the file)", got, want, big)
			}
			if got, want := accepted(window, "CreateDBParameterGroup"), 1+groups; got != want {
				t.Errorf("%d accepted CreateDBParameterGroup calls, want %d", got, want)
			}
			// The second apply, the check and verify change nothing.
			for _, r := range recs[again:] {
				if isMutating(r) && r.Status/100 == 2 {
					t.Errorf("accepted %s %s after the first apply", r.Action, r.Resource)
				}
			}
			checkUserParams(t, bigShow, bigSet)

			// The same findings and verification as without faults.
			if faulted.Exit != 3 || clean.Exit != 3 || faulted.Stdout != clean.Stdout {
				t.Errorf("policy check under faults: exit %d, %d bytes; without: exit %d, %d bytes; want the same findings, exit 3\nstderr: %s",
					faulted.Exit, len(faulted.Stdout), clean.Exit, len(clean.Stdout), faulted.Stderr)
			}
			if ver.Exit != 0 || strings.Count(ver.Stdout, `"status": "ok"`) != 2 {
				t.Errorf("verify --group fleet under faults: exit %d\nstdout: %s\nstderr: %s", ver.Exit, ver.Stdout, ver.Stderr)
			}
			t.Logf("%s: %d calls, %d met the fault, in %s", p.prefix, len(window), hits, time.Since(start).Round(time.Millisecond))
		})
	}
}

// writeFleetFile writes a desired-state file of n groups PREFIX-NNN, each
// with two parameters; every tenth breaks the policy's max.
func writeFleetFile(t *testing.T, prefix string, n int) string {
	var b strings.Builder
	b.WriteString("groups:\n")
	for i := 0; i < n; i++ {
		wt := 300
		if i%10 == 0 {
			wt = 900
		}
		fmt.Fprintf(&b, "  - name: %s-%03d\n    family: mariadb10.11\n    parameters: {wait_timeout: %d, interactive_timeout: %d}\n", prefix, i, wt, wt)
	}
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustRun runs rdsctl and requires exit code want.
func mustRun(t *testing.T, env []string, want int, args ...string) string {
	t.Helper()
	res := runRdsctl(t, env, cliRun{Args: args, Timeout: 2 * time.Minute})
	if res.Exit != want {
		t.Fatalf("rdsctl %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), res.Exit, want, res.Stderr)
	}
	return res.Stdout
}

// checkUserParams requires `params show -o json` to hold exactly the
// user-set parameters of set, at their values.
func checkUserParams(t *testing.T, showJSON string, set []string) {
	t.Helper()
	var rows []struct {
		Name   string `json:"name"`
		Value  string `json:"value"`
		Source string `json:"source"`
	}
	if err := json.Unmarshal([]byte(showJSON), &rows); err != nil {
		t.Fatalf("params show -o json: %v\n%s", err, showJSON)
	}
	var got, want []string
	for _, r := range rows {
		if r.Source == "user" {
			got = append(got, r.Name+"="+r.Value)
		}
	}
	want = append(want, set...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("user-set parameters after the faults:\n got %v\nwant %v", got, want)
	}
}
