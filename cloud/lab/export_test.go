package lab

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// CheckResponsesAgainstModel makes every API response l sends, whichever
// client asked, pass botocore's model; failures are reported to t when
// the test ends. It returns how many responses were checked so far.
func CheckResponsesAgainstModel(t testing.TB, l *Lab) func() int {
	t.Helper()
	m := requireModel(t)
	var mu sync.Mutex
	var errs []error
	n := 0
	f := func(action string, status int, body []byte) {
		if _, sts := stsRoutes[action]; sts {
			return // STS's model, not RDS's (sts_test.go checks those)
		}
		err := checkResponse(m, action, status, body)
		mu.Lock()
		defer mu.Unlock()
		n++
		if err != nil {
			errs = append(errs, err)
		}
	}
	l.observe.Store(&f)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, err := range errs {
			t.Errorf("botocore model (%s): %v", modelPath, err)
		}
	})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// TestFamily is a synthetic family with enough parameters to page through
// (and cluster parameters), registered by TestMain so that the tests do
// not depend on which catalog families exist.
const TestFamily = "labtest1.0"

// RegisterTestFamily serves TestFamily: nInst instance and nCluster
// cluster parameters of every kind the rules distinguish, plus fixed ones
// the tests name: dyn_int (dynamic, 1-100), static_int (static, 1-100),
// locked (not modifiable), sys_formula (source system, a formula default),
// mode (list ON|OFF).
func RegisterTestFamily(nInst, nCluster int) {
	mk := func(prefix string, n int) []catalog.Param {
		ps := []catalog.Param{
			{Name: "dyn_int", ApplyType: "dynamic", DataType: "integer", AllowedValues: "1-100", IsModifiable: true, Default: "10", Source: "engine-default", Description: "dynamic integer"},
			{Name: "static_int", ApplyType: "static", DataType: "integer", AllowedValues: "1-100", IsModifiable: true, Default: "20", Source: "engine-default", Description: "static integer"},
			{Name: "locked", ApplyType: "static", DataType: "string", IsModifiable: false, Default: "/rdsdbdata/", Source: "system", Description: "not modifiable"},
			{Name: "sys_formula", ApplyType: "dynamic", DataType: "integer", AllowedValues: "1-100000", IsModifiable: true, Default: "{DBInstanceClassMemory/12582880}", Source: "system", Description: "formula"},
			{Name: "mode", ApplyType: "dynamic", DataType: "string", AllowedValues: "ON,OFF", IsModifiable: true, Source: "engine-default", Description: "enum", MinimumEngineVersion: "10.11.1"},
		}
		for i := len(ps); i < n; i++ {
			apply := "dynamic"
			if i%3 == 0 {
				apply = "static"
			}
			ps = append(ps, catalog.Param{Name: fmt.Sprintf("%s_%03d", prefix, i), ApplyType: apply, DataType: "integer",
				AllowedValues: "0-1000000", IsModifiable: true, Default: strconv.Itoa(i), Source: "engine-default", Description: "generated"})
		}
		return ps
	}
	registerFamily(newFamily(TestFamily, mk("p", nInst), mk("c", nCluster)))
}

// SeedFailedInstances writes a state to dir (before a lab serves it) with
// n DB instances in status failed, which a lab lists but never starts, so
// that paging can be tested without n real engines.
func SeedFailedInstances(dir string, n int) error {
	st := newState()
	st.ensureDefaults(time.Now())
	for i := range n {
		id := fmt.Sprintf("seeded-%03d", i)
		st.Instances[id] = &dbInstance{ID: id, ParamGroup: "default.mariadb10.11", Status: statusFailed,
			ParamApplyStatus: applyStatusInSync, Engine: "mariadb", EngineVersion: "10.11.9", Class: "db.t3.micro",
			MasterUsername: "admin", AllocatedStorage: 20, AZ: "us-east-1a", CreatedAt: time.Now().UTC()}
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, stateFile), raw, 0o600)
}

// Honoured is the table of request members each served action honours.
func Honoured() map[string][]string { return honoured }

// STSHonoured is Honoured for the lab's STS actions.
func STSHonoured() map[string][]string { return stsHonoured }
