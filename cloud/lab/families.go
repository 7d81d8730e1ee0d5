package lab

import (
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// family is a parameter group family's metadata as the lab serves it: the
// catalog's, indexed here so that tests can also serve synthetic families
// (see registerFamily) without touching the catalog package.
type family struct {
	Name     string
	Instance []catalog.Param // sorted by name
	Cluster  []catalog.Param // sorted by name
	inst     map[string]int
	cluster  map[string]int
}

func newFamily(name string, instance, cluster []catalog.Param) *family {
	f := &family{Name: name, Instance: sortedParams(instance), Cluster: sortedParams(cluster)}
	f.inst = make(map[string]int, len(f.Instance))
	for i, p := range f.Instance {
		f.inst[p.Name] = i
	}
	f.cluster = make(map[string]int, len(f.Cluster))
	for i, p := range f.Cluster {
		f.cluster[p.Name] = i
	}
	return f
}

func sortedParams(ps []catalog.Param) []catalog.Param {
	out := append([]catalog.Param(nil), ps...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// HasCluster reports whether the family has DB cluster parameter groups.
func (f *family) HasCluster() bool { return len(f.Cluster) > 0 }

var (
	familyMu    sync.RWMutex
	familyCache = map[string]*family{}
	extraFamily = map[string]*family{} // registered by tests
)

// registerFamily serves an extra family from every lab in this process.
func registerFamily(f *family) {
	familyMu.Lock()
	defer familyMu.Unlock()
	extraFamily[f.Name] = f
}

// findFamily returns the named family, or catalog.ErrUnknownFamily.
func findFamily(name string) (*family, error) {
	familyMu.RLock()
	f, ok := extraFamily[name]
	if !ok {
		f, ok = familyCache[name]
	}
	familyMu.RUnlock()
	if ok {
		return f, nil
	}
	cf, err := catalog.Lookup(name)
	if err != nil {
		return nil, err
	}
	f = newFamily(cf.Name, cf.Instance, cf.Cluster)
	familyMu.Lock()
	familyCache[name] = f
	familyMu.Unlock()
	return f, nil
}

// familyNames lists every served family, sorted.
func familyNames() []string {
	names := catalog.Families()
	familyMu.RLock()
	for n := range extraFamily {
		names = append(names, n)
	}
	familyMu.RUnlock()
	sort.Strings(names)
	return names
}

// lookupFamily is findFamily with AWS's error for an unknown family.
func lookupFamily(name string) (*family, error) {
	f, err := findFamily(name)
	if err != nil {
		if errors.Is(err, catalog.ErrUnknownFamily) && realFamilies[name] {
			return nil, apiErr(codeInvalidParameterValue, "the lab does not serve family %s (it serves %s)", name, strings.Join(familyNames(), ", "))
		}
		if errors.Is(err, catalog.ErrUnknownFamily) {
			// AWS: "ParameterGroupFamily postgres12 is not a valid parameter group family"
			return nil, apiErr(codeInvalidParameterValue, "ParameterGroupFamily %s is not a valid parameter group family", name)
		}
		return nil, err
	}
	return f, nil
}

// realFamilies are parameter group families AWS has (botocore's and
// AWS's published lists) that the lab does not serve: a request for one
// is told so, not that the family does not exist.
var realFamilies = map[string]bool{
	"mysql5.5": true, "mysql5.6": true, "mysql5.7": true, "mysql8.4": true,
	"mariadb10.0": true, "mariadb10.1": true, "mariadb10.2": true, "mariadb10.3": true, "mariadb10.4": true,
	"mariadb10.5": true, "mariadb10.6": true, "mariadb11.4": true, "mariadb11.8": true,
	"aurora5.6": true, "aurora-mysql5.7": true, "aurora-postgresql11": true, "aurora-postgresql12": true,
	"aurora-postgresql13": true, "aurora-postgresql14": true, "aurora-postgresql15": true, "aurora-postgresql16": true,
	"aurora-postgresql17": true,
	"postgres9.6":         true, "postgres10": true, "postgres11": true, "postgres12": true, "postgres13": true,
	"postgres14": true, "postgres15": true, "postgres16": true, "postgres17": true,
	"oracle-ee-19": true, "oracle-se2-19": true, "oracle-ee-cdb-21": true, "oracle-se2-cdb-21": true,
	"sqlserver-ee-15.0": true, "sqlserver-se-15.0": true, "sqlserver-ex-15.0": true, "sqlserver-web-15.0": true,
	"sqlserver-ee-16.0": true, "sqlserver-se-16.0": true, "sqlserver-ex-16.0": true, "sqlserver-web-16.0": true,
	"db2-ae-11.5": true, "db2-se-11.5": true,
}
