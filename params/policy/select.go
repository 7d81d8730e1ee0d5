package policy

import (
	"path"
	"sort"
	"strings"

	"github.com/rdsctl/rdsctl/verify"
)

// SelectsRegion reports whether the policy covers region; no regions:
// key covers every region checked.
func (pol *Policy) SelectsRegion(region string) bool {
	if len(pol.Regions) == 0 {
		return true
	}
	for _, r := range pol.Regions {
		if strings.EqualFold(r, region) {
			return true
		}
	}
	return false
}

// SelectsKind reports whether the policy covers DB (cluster false) or
// cluster parameter groups, so the gatherer lists only what it needs.
func (pol *Policy) SelectsKind(k Kind) bool { return pol.Kind == KindAny || pol.Kind == k }

// Selects reports whether the policy covers a group. Without groups: globs
// it covers every group but RDS's own default.* groups, which cannot be
// modified and so cannot be brought into line.
func (pol *Policy) Selects(k Kind, name, family string) bool {
	if !pol.SelectsKind(k) {
		return false
	}
	if len(pol.Families) > 0 && !containsFold(pol.Families, family) {
		return false
	}
	name = strings.ToLower(name)
	if len(pol.Groups) == 0 {
		return !strings.HasPrefix(name, "default.")
	}
	for _, g := range pol.Groups {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// NeedsDefaults reports whether any rule reads a value a group may leave
// unset, so the gatherer can skip engine defaults for a policy of only
// required/forbidden/applied rules.
func (pol *Policy) NeedsDefaults() bool {
	for _, r := range pol.Rules {
		if r.Equals != nil || r.OneOf != nil || r.Min != nil || r.Max != nil || r.SameAs != "" {
			return true
		}
	}
	return false
}

// Parameters lists every parameter the rules name (same_as targets
// included), canonical and sorted.
func (pol *Policy) Parameters() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range pol.Rules {
		for _, n := range []string{r.Parameter, r.SameAs} {
			if n != "" && !seen[canonical(n)] {
				seen[canonical(n)] = true
				out = append(out, canonical(n))
			}
		}
	}
	sort.Strings(out)
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// canonical is the server's spelling of a parameter name, as verify
// compares them.
func canonical(name string) string { return verify.CanonicalName(name) }

func sortStrings(s []string) { sort.Strings(s) }
