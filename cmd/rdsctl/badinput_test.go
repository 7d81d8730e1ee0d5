package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// badCase is one invalid invocation: Args run against the corpus's lab
// ("@/" in an argument or Env is the fixture directory) must exit Exit
// (2, or 1 for a named thing that does not exist) with Want in stderr.
type badCase struct {
	Name  string
	Args  []string
	Env   []string
	Stdin string
	Exit  int
	Want  string
}

// TestBadInputCorpus runs every invalid invocation and file of the corpus
// (badinput_cases_test.go) through the real binary against one shared lab,
// and requires of each: the exit code, a message naming the culprit, no
// panic, no hang, and, for the corpus as a whole, not one mutating API call
// in the lab's request log.
func TestBadInputCorpus(t *testing.T) {
	l := labtest.Start(t)
	api := labtest.Client(t, l)
	ctx := context.Background()
	for _, g := range []string{"staging", "other"} {
		if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
			DBParameterGroupName: aws.String(g), DBParameterGroupFamily: aws.String("mariadb10.11"),
			Description: aws.String("bad-input corpus"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	dir := badInputFixtures(t)
	env := cliEnv(t, l)
	mark := len(labtest.Requests(t, l))

	cases := badInputCases()
	if len(cases) < 120 {
		t.Errorf("the corpus has %d cases, want at least 120", len(cases))
	}
	seen := map[string]bool{}
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			if seen[c.Name] {
				t.Fatalf("duplicate case name %q", c.Name)
			}
			seen[c.Name] = true
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				args := make([]string, len(c.Args))
				for i, a := range c.Args {
					args[i] = strings.ReplaceAll(a, "@/", dir+"/")
				}
				var extra []string
				for _, e := range c.Env {
					extra = append(extra, strings.ReplaceAll(e, "@/", dir+"/"))
				}
				res := runRdsctl(t, env, cliRun{Args: args, Env: extra, Stdin: c.Stdin, Timeout: 15 * time.Second})
				want := c.Exit
				if want == 0 {
					want = 2
				}
				switch {
				case res.TimedOut:
					t.Errorf("rdsctl %s: still running after %s\nstderr: %s", strings.Join(args, " "), 15*time.Second, res.Stderr)
				case strings.Contains(res.Stderr, "panic:") || strings.Contains(res.Stderr, "goroutine "):
					t.Errorf("rdsctl %s panicked:\n%s", strings.Join(args, " "), res.Stderr)
				case res.Exit != want:
					t.Errorf("rdsctl %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.Exit, want, res.Stdout, res.Stderr)
				case !strings.Contains(res.Stderr, c.Want):
					t.Errorf("rdsctl %s: stderr does not name the culprit %q:\n%s", strings.Join(args, " "), c.Want, res.Stderr)
				}
			})
		}
	})
	var bad []string
	for _, r := range labtest.Requests(t, l)[mark:] {
		switch {
		case isMutating(r) && r.Status/100 == 2:
			bad = append(bad, r.Action+" "+r.Resource)
		case isMutating(r):
			// A name the lab alone can judge (it exists already) is
			// refused there, as AWS would; nothing changes.
			t.Logf("refused by the lab: %s %s: %d %s", r.Action, r.Resource, r.Status, r.Code)
		}
	}
	if len(bad) > 0 {
		t.Errorf("the corpus made %d accepted mutating API calls, want none:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// badInputFixtures writes the corpus's files: malformed, empty, binary,
// huge and duplicate-key YAML and JSON, a directory, an unreadable file
// and a FIFO nobody writes to.
func badInputFixtures(t *testing.T) string {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	huge := strings.Repeat("# padding padding padding padding padding padding padding\n", 40000) // ~2.3 MB
	for name, body := range map[string]string{
		"empty.yaml":     "",
		"comments.yaml":  "# nothing but a comment\n",
		"binary.yaml":    "\x00\x01\x02\xff\xfe\x00garbage\x7f",
		"malformed.yaml": "groups: [staging\n  - name: x\n",
		"tabs.yaml":      "groups:\n\t- name: staging\n",
		"huge.yaml":      huge,
		"scalar.yaml":    "just a string\n",
		"list.yaml":      "- a\n- b\n",
		"twodocs.yaml":   "groups: []\n---\ngroups: []\n",
		// desired-state files
		"ds-dupkey.yaml":     "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: 300\n      wait_timeout: 400\n",
		"ds-dupgroup.yaml":   "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters: {}\n  - name: staging\n    family: mariadb10.11\n    parameters: {}\n",
		"ds-unknown.yaml":    "groups:\n  - name: staging\n    family: mariadb10.11\n    paramters: {wait_timeout: 300}\n",
		"ds-topkey.yaml":     "grups:\n  - name: staging\n",
		"ds-badparam.yaml":   "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timout: 300\n",
		"ds-range.yaml":      "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: -5\n",
		"ds-nan.yaml":        "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: .nan\n",
		"ds-overflow.yaml":   "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: 1e309\n",
		"ds-injection.yaml":  "groups:\n  - name: \"staging'; DROP TABLE x; --\"\n    family: mariadb10.11\n",
		"ds-newline.yaml":    "groups:\n  - name: \"stag\\ning\"\n    family: mariadb10.11\n",
		"ds-unicode.yaml":    "groups:\n  - name: stagíng\n    family: mariadb10.11\n",
		"ds-family.yaml":     "groups:\n  - name: fresh-one\n    family: postgres99\n    parameters: {wait_timeout: 300}\n",
		"ds-nofamily.yaml":   "groups:\n  - name: fresh-two\n    parameters: {wait_timeout: 300}\n",
		"ds-valuemap.yaml":   "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: {a: 1}\n",
		"ds-json.json":       `{"groups": [{"name": "staging", "family": "mariadb10.11", "parameters": {"wait_timeout": 300, "wait_timeout": 400}}]}`,
		"ds-badjson.json":    `{"groups": [{"name": "staging",`,
		"ds-default.yaml":    "groups:\n  - name: default.mariadb10.11\n    family: mariadb10.11\n    parameters: {wait_timeout: 300}\n",
		"ds-groupsmap.yaml":  "groups: {name: staging}\n",
		"ds-static-imm.yaml": "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      innodb_log_buffer_size: 33554432\n",
		"ds-control.yaml":    "groups:\n  - name: staging\n    family: mariadb10.11\n    parameters:\n      wait_timeout: \"300\\u0007\"\n",
		// policies
		"pol-version.yaml":   "version: 2\nrules:\n  - parameter: wait_timeout\n    max: 600\n",
		"pol-dupkey.yaml":    "version: 1\nrules:\n  - parameter: wait_timeout\n    max: 600\n    max: 700\n",
		"pol-unknown.yaml":   "version: 1\nrules:\n  - parameter: wait_timeout\n    maximum: 600\n",
		"pol-norules.yaml":   "version: 1\ngroups: [\"*\"]\n",
		"pol-nan.yaml":       "version: 1\nrules:\n  - parameter: wait_timeout\n    max: .nan\n",
		"pol-1e309.yaml":     "version: 1\nrules:\n  - parameter: wait_timeout\n    max: 1e309\n",
		"pol-severity.yaml":  "version: 1\nrules:\n  - parameter: wait_timeout\n    max: 600\n    severity: fatal\n",
		"pol-sameas.yaml":    "version: 1\nrules:\n  - parameter: interactive_timeout\n    same_as: wait_timout\n",
		"pol-twochecks.yaml": "version: 1\nrules:\n  - parameter: wait_timeout\n",
		"pol-badglob.yaml":   "version: 1\ngroups: [\"staging-[\"]\nrules:\n  - parameter: wait_timeout\n    max: 600\n",
		"pol-kind.yaml":      "version: 1\nkind: table\nrules:\n  - parameter: wait_timeout\n    max: 600\n",
		"pol-minmax.yaml":    "version: 1\nrules:\n  - parameter: wait_timeout\n    min: 900\n    max: 600\n",
		"pol-json.json":      `{"version": 1, "rules": [{"parameter": "wait_timeout", "max": "six hundred"}]}`,
		"pol-ok.yaml":        "version: 1\nrules:\n  - parameter: wait_timeout\n    max: 600\n",
		"gd-nan.yaml":        "name: d\ntarget: {instance: db}\nsteps:\n  - assert: {probe: database, downtime_seconds: {max: .nan}}\n",
		"pol-noparam.yaml":   "version: 1\nrules:\n  - max: 600\n",
		// game-day scenarios
		"gd-step.yaml":        "name: d\ntarget: {instance: db}\nsteps:\n  - explode: {}\n",
		"gd-probe.yaml":       "name: d\ntarget: {instance: db}\nprobes:\n  - smtp: {name: mail}\nsteps:\n  - sleep: 1s\n",
		"gd-dur.yaml":         "name: d\ntarget: {instance: db}\nsteps:\n  - sleep: forever\n",
		"gd-negdur.yaml":      "name: d\ntarget: {instance: db}\nsteps:\n  - sleep: -1s\n",
		"gd-notarget.yaml":    "name: d\nsteps:\n  - sleep: 1s\n",
		"gd-bothtarget.yaml":  "name: d\ntarget: {instance: db, cluster: c}\nsteps:\n  - sleep: 1s\n",
		"gd-dupkey.yaml":      "name: d\nname: e\ntarget: {instance: db}\nsteps:\n  - sleep: 1s\n",
		"gd-assertprobe.yaml": "name: d\ntarget: {instance: db}\nsteps:\n  - assert: {probe: nosuch, recovered_within: 1s}\n",
		"gd-url.yaml":         "name: d\ntarget: {instance: db}\nprobes:\n  - http: {name: app, url: \"ht tp://x\", expect_status: 200}\nsteps:\n  - sleep: 1s\n",
		"gd-status.yaml":      "name: d\ntarget: {instance: db}\nprobes:\n  - http: {name: app, url: \"http://127.0.0.1:1/\", expect_status: 999}\nsteps:\n  - sleep: 1s\n",
		"gd-dupprobe.yaml":    "name: d\ntarget: {instance: db}\nprobes:\n  - http: {name: app, url: \"http://127.0.0.1:1/\"}\n  - http: {name: app, url: \"http://127.0.0.1:2/\"}\nsteps:\n  - sleep: 1s\n",
		"gd-nosteps.yaml":     "name: d\ntarget: {instance: db}\nsteps: []\n",
		"gd-interval.yaml":    "name: d\ntarget: {instance: db}\nprobes:\n  - http: {name: app, url: \"http://127.0.0.1:1/\", interval: 0s}\nsteps:\n  - sleep: 1s\n",
		"gd-maxdown.yaml":     "name: d\ntarget: {instance: db}\nsteps:\n  - failover: {max_downtime: 1e309s}\n",
		"gd-rollback.yaml":    "name: d\ntarget: {instance: db}\nsteps:\n  - sleep: 1s\nrollback: maybe\n",
		"gd-setparam.yaml":    "name: d\ntarget: {instance: db}\nsteps:\n  - set: {group: staging, parameters: {wait_timout: 300}}\n",
		// passwords and CA bundles
		"pw-empty":  "",
		"ca-notpem": "this is not a certificate\n",
		"pw-ok":     "corpus-Pa55word\n",
	} {
		write(name, body, 0o600)
	}
	write("unreadable.yaml", "groups: []\n", 0o000)
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
