package lab

import (
	"errors"
	"sort"
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
		if errors.Is(err, catalog.ErrUnknownFamily) {
			// AWS: "ParameterGroupFamily postgres12 is not a valid parameter group family"
			return nil, apiErr(codeInvalidParameterValue, "ParameterGroupFamily %s is not a valid parameter group family", name)
		}
		return nil, err
	}
	return f, nil
}
