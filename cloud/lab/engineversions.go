package lab

import (
	"sort"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// The engine versions the lab serves: one per catalog family, the
// family's EngineVersion. CreateDBInstance accepts it, or its major
// version (10.11 for 10.11.9), which resolves to it as AWS resolves a
// major version to its default minor; anything else is refused with
// AWS's error, so that no instance claims a version it does not run.

// engineVersion is one served engine version.
type engineVersion struct {
	Engine, Version, Family string
}

// servedVersions lists the served engine versions, by engine then version.
func servedVersions() []engineVersion {
	var out []engineVersion
	for _, n := range catalog.Families() {
		f, err := catalog.Lookup(n)
		if err != nil || f.EngineVersion == "" {
			continue
		}
		out = append(out, engineVersion{Engine: f.Engine, Version: f.EngineVersion, Family: f.Name})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Engine != out[j].Engine {
			return out[i].Engine < out[j].Engine
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// resolveVersion checks a requested EngineVersion for engine against the
// served versions and returns the full version the instance will run.
func resolveVersion(engine, want string) (engineVersion, error) {
	for _, v := range servedVersions() {
		if v.Engine != engine {
			continue
		}
		if want == "" || want == v.Version || strings.HasPrefix(v.Version, want+".") {
			return v, nil
		}
	}
	// AWS: "Cannot find version 5.7.99 for mysql"
	return engineVersion{}, apiErr(codeInvalidParameterCombination, "Cannot find version %s for %s", want, engine)
}

type xmlDBEngineVersion struct {
	Engine             string `xml:"Engine"`
	EngineVersion      string `xml:"EngineVersion"`
	Family             string `xml:"DBParameterGroupFamily"`
	EngineDescription  string `xml:"DBEngineDescription"`
	VersionDescription string `xml:"DBEngineVersionDescription"`
	Status             string `xml:"Status"`
}

// DBEngineVersionMessage (DescribeDBEngineVersionsResult).
type xmlDBEngineVersionMessage struct {
	Marker   string `xml:"Marker,omitempty"`
	Versions struct {
		Items []xmlDBEngineVersion `xml:"DBEngineVersion"`
	} `xml:"DBEngineVersions"`
}

var engineDescriptions = map[string]string{
	"mariadb":      "MariaDb Community Edition",
	"mysql":        "MySQL Community Edition",
	"aurora-mysql": "Aurora MySQL",
}

func describeEngineVersions(l *Lab, r *request) (any, error) {
	engine, version, family := r.str("Engine"), r.str("EngineVersion"), r.str("DBParameterGroupFamily")
	for _, b := range []string{"DefaultOnly", "IncludeAll"} {
		if _, _, err := r.boolean(b); err != nil {
			return nil, err
		}
	}
	if fs := r.filters(); len(fs) > 0 {
		return nil, apiErr(codeInvalidParameterValue, "Unrecognized filter name: %s", fs[0].Name)
	}
	var items []xmlDBEngineVersion
	for _, v := range servedVersions() {
		if engine != "" && !strings.EqualFold(engine, v.Engine) ||
			version != "" && version != v.Version && !strings.HasPrefix(v.Version, version+".") ||
			family != "" && family != v.Family {
			continue
		}
		// One version per engine and family, so every version is the
		// default and DefaultOnly changes nothing.
		items = append(items, xmlDBEngineVersion{Engine: v.Engine, EngineVersion: v.Version, Family: v.Family,
			EngineDescription: engineDescriptions[v.Engine], VersionDescription: v.Engine + " " + v.Version,
			Status: "available"})
	}
	pg, next, err := page(r, items, func(x xmlDBEngineVersion) string { return x.Engine + " " + x.EngineVersion })
	if err != nil {
		return nil, err
	}
	var out xmlDBEngineVersionMessage
	out.Marker = next
	out.Versions.Items = append([]xmlDBEngineVersion{}, pg...)
	return out, nil
}
