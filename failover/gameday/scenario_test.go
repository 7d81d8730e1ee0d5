package gameday

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validScenario = `name: wait-timeout-drill
target: {instance: staging-db}
probes:
  - http: {name: app, url: "http://127.0.0.1:8080/health", expect_status: 204, timeout: 2s, interval: 250ms}
  - tcp: {name: port, address: "127.0.0.1:8080"}
  - command: {name: worker, run: "./check-worker", timeout: 5s, interval: 1s}
steps:
  - set: {group: staging-params, parameters: {wait_timeout: 0300}}
  - verify: {expect: {wait_timeout: 300}}
  - failover: {max_downtime: 60s}
  - reboot:
  - wait: {for: in-sync, timeout: 2m}
  - sleep: 1s
  - run: {name: the restart hook, command: "systemctl restart app", timeout: 30s}
  - run: "true"
  - reset: {parameters: [wait_timeout]}
  - assert: {probe: app, recovered_within: 30s, error_classes: {"502": 0, timeout: 3}, max_consecutive_failures: 10}
  - assert: {probe: database, downtime_seconds: {max: 5.5}}
rollback: true
`

func TestParseValid(t *testing.T) {
	s, err := Parse("drill.yaml", []byte(validScenario))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "wait-timeout-drill" || s.Target.Instance != "staging-db" || !s.Rollback {
		t.Errorf("header: %+v", s)
	}
	if len(s.Probes) != 3 || s.Probes[0].ExpectStatus != 204 || s.Probes[0].Interval != 250*time.Millisecond ||
		s.Probes[1].Timeout != DefaultProbeTimeout || s.Probes[2].Run != "./check-worker" {
		t.Errorf("probes: %+v", s.Probes)
	}
	var kinds []string
	for _, st := range s.Steps {
		kinds = append(kinds, st.Kind)
	}
	if got := strings.Join(kinds, ","); got != "set,verify,failover,reboot,wait,sleep,run,run,reset,assert,assert" {
		t.Errorf("steps: %s", got)
	}
	// Values are kept as written: 0300 is not the octal 192.
	if p := s.Steps[0].Params[0]; p.Name != "wait_timeout" || p.Value != "0300" {
		t.Errorf("set: %+v", p)
	}
	if s.Steps[2].MaxDowntime != time.Minute || s.Steps[0].Line != 8 {
		t.Errorf("failover: %+v", s.Steps[2])
	}
	if s.Steps[6].Command != "systemctl restart app" || s.Steps[6].Label != "the restart hook" || describeStep(s.Steps[6]) != "the restart hook" ||
		s.Steps[6].Timeout != 30*time.Second || describeStep(s.Steps[7]) != "run true" || s.Steps[7].Command != "true" || s.Steps[7].Timeout != DefaultRunTimeout {
		t.Errorf("run: %+v %+v", s.Steps[6], s.Steps[7])
	}
	a := s.Steps[9].Assert
	if a.Probe != "app" || *a.RecoveredWithin != 30*time.Second || a.ErrorClasses["502"] != 0 || a.ErrorClasses["timeout"] != 3 || *a.MaxConsecutiveFailures != 10 {
		t.Errorf("assert: %+v", a)
	}
	if d := s.Steps[10].Assert.DowntimeMax; d == nil || *d != 5.5 {
		t.Errorf("downtime max: %v", d)
	}
	if got := s.ChangedParameters(); len(got) != 2 || got["staging-params"][0] != "wait_timeout" || got[""][0] != "wait_timeout" {
		t.Errorf("changed: %v", got)
	}
}

// TestParseInvalid: every refusal names the culprit and its position.
func TestParseInvalid(t *testing.T) {
	head := "target: {instance: db}\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown step", head + "steps:\n  - failvoer: {}\n", `x.yaml:3:5: unknown step "failvoer"`},
		{"two keys", head + "steps:\n  - {sleep: 1s, run: x}\n", `x.yaml:3:5: a step: want exactly one key`},
		{"unknown key", head + "steps:\n  - failover: {max_downtme: 1s}\n", `x.yaml:3:16: failover: unknown key "max_downtme" (want max_downtime)`},
		{"bad duration", head + "steps:\n  - sleep: 5 minutes\n", `x.yaml:3:12: sleep: bad duration "5 minutes"`},
		{"negative duration", head + "steps:\n  - sleep: -1s\n", `x.yaml:3:12: sleep: duration "-1s" must be positive`},
		{"probe kind", head + "probes:\n  - grpc: {name: a}\nsteps: [{sleep: 1s}]\n", `x.yaml:3:5: unknown probe kind "grpc"`},
		{"probe key", head + "probes:\n  - tcp: {name: a, address: 'h:1', url: x}\nsteps: [{sleep: 1s}]\n", `x.yaml:3:36: tcp probe: unknown key "url"`},
		{"probe interval", head + "probes:\n  - tcp: {name: a, address: 'h:1', interval: 1ms}\nsteps: [{sleep: 1s}]\n", `interval 1ms: at least 10ms`},
		{"probe reserved", head + "probes:\n  - tcp: {name: database, address: 'h:1'}\nsteps: [{sleep: 1s}]\n", `reserved for the built-in database probe`},
		{"probe dup", head + "probes:\n  - tcp: {name: a, address: 'h:1'}\n  - tcp: {name: a, address: 'h:2'}\nsteps: [{sleep: 1s}]\n", `x.yaml:4:17: duplicate probe name "a" (first at line 3)`},
		{"http url", head + "probes:\n  - http: {name: a, url: 'ftp://x'}\nsteps: [{sleep: 1s}]\n", `want http:// or https://`},
		{"http status", head + "probes:\n  - http: {name: a, url: 'http://x', expect_status: 700}\nsteps: [{sleep: 1s}]\n", `expect_status 700`},
		{"missing target", "steps: [{sleep: 1s}]\n", `x.yaml:1:1: missing target`},
		{"instance and cluster", "target: {cluster: c, instance: i}\nsteps: [{sleep: 1s}]\n", `name an instance or a cluster, not both`},
		{"missing steps", head, `missing steps`},
		{"empty steps", head + "steps: []\n", `want at least one step`},
		{"top key", head + "steps: [{sleep: 1s}]\nrolback: true\n", `x.yaml:3:1: the scenario: unknown key "rolback"`},
		{"rollback value", head + "steps: [{sleep: 1s}]\nrollback: yes\n", `rollback: want true or false`},
		{"assert probe", head + "steps:\n  - assert: {probe: app, max_consecutive_failures: 1}\n", `x.yaml:3:21: assert: unknown probe "app" (want one of database)`},
		{"assert nothing", head + "steps:\n  - assert: {probe: database}\n", `assert: nothing to check`},
		{"assert class", head + "steps:\n  - assert: {probe: database, error_classes: {501: 0}}\n", `unknown class "501"`},
		{"assert db recovered", head + "steps:\n  - assert: {probe: database, recovered_within: 1s}\n", `name an application probe`},
		{"wait for", head + "steps:\n  - wait: {for: ready}\n", `x.yaml:3:17: wait.for: unknown condition "ready"`},
		{"set empty", head + "steps:\n  - set: {parameters: {}}\n", `set.parameters: name at least one parameter`},
		{"set dup", head + "steps:\n  - set: {parameters: {a: 1, A: 2}}\n", `set.parameters: A given twice`},
		{"set list value", head + "steps:\n  - set: {parameters: {a: [1]}}\n", `want a single value`},
		{"alias", head + "x: &a 1\nsteps: [{sleep: *a}]\n", `unknown key "x"`},
		{"two docs", head + "steps: [{sleep: 1s}]\n---\nname: b\n", `more than one YAML document`},
		{"syntax", head + "steps:\n  - set: {parameters: {a: 1}\n", `x.yaml:3:`},
		{"empty", "", `empty file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.yaml)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestReadFileSizeLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(strings.Repeat("#", MaxFileSize+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "big.yaml: file is larger than") || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(validScenario))
	f.Add([]byte("target: {instance: db}\nsteps: [{sleep: 1s}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err == nil && (s.Target.Name() == "" || len(s.Steps) == 0) {
			t.Fatalf("accepted a scenario without target or steps: %q", data)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error is not ErrInvalid: %v", err)
		}
	})
}
