package lab

import (
	"sort"
	"strings"
	"time"
)

// maxUserGroups is RDS's default quota of parameter groups per region.
const maxUserGroups = 100

// validGroupName applies AWS's rules to a new group's name: 1 to 255
// letters, digits or hyphens; a letter first; no trailing hyphen and no two
// consecutive hyphens.
func validGroupName(name string) bool {
	if len(name) == 0 || len(name) > 255 {
		return false
	}
	if !isLetter(name[0]) || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func invalidIdentifier(param string) *apiError {
	// AWS's wording, as quoted in aws/aws-cli#2886.
	return apiErr(codeInvalidParameterValue, "The parameter %s is not a valid identifier. "+
		"Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; "+
		"and must not end with a hyphen or contain two consecutive hyphens.", param)
}

func groupNotFound(k groupKind, name string) *apiError {
	// AWS: "DBParameterGroup not found: testing-pg". The cluster actions
	// use the same code (botocore lists DBParameterGroupNotFoundFault).
	return apiErr(codeDBParameterGroupNotFound, "%s not found: %s", k.noun(), name)
}

// findGroup looks a group up by name, case-insensitively as AWS does.
func findGroup(st *state, k groupKind, name string) (*paramGroup, error) {
	g, ok := k.groups(st)[strings.ToLower(name)]
	if !ok {
		return nil, groupNotFound(k, name)
	}
	return g, nil
}

// groupFromIdentifier accepts a name or an ARN (as Copy's source does).
func (l *Lab) groupFromIdentifier(st *state, k groupKind, id string) (*paramGroup, error) {
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 7)
		if len(parts) != 7 || parts[2] != "rds" || parts[5] != k.arnType() {
			return nil, apiErr(codeInvalidParameterValue, "Invalid %s identifier: %s", k.noun(), id)
		}
		id = parts[6]
	}
	return findGroup(st, k, id)
}

func (l *Lab) groupResult(k groupKind, g *paramGroup) any {
	if k == kindCluster {
		return xmlDBClusterParameterGroupResult{Group: l.xmlClusterGroup(g)}
	}
	return xmlDBParameterGroupResult{Group: l.xmlGroup(g)}
}

func (l *Lab) xmlGroup(g *paramGroup) xmlDBParameterGroup {
	return xmlDBParameterGroup{Name: g.Name, Family: g.Family, Description: g.Description, ARN: l.groupARN(kindInstance, g.Name)}
}

func (l *Lab) xmlClusterGroup(g *paramGroup) xmlDBClusterParameterGroup {
	return xmlDBClusterParameterGroup{Name: g.Name, Family: g.Family, Description: g.Description, ARN: l.groupARN(kindCluster, g.Name)}
}

// addGroup checks that a new group may be stored under name, then stores it.
func addGroup(st *state, k groupKind, g *paramGroup) error {
	groups := k.groups(st)
	if _, ok := groups[g.Name]; ok {
		// Unconfirmed wording (the code is botocore's).
		return apiErr(codeDBParameterGroupAlreadyExists, "Parameter group %s already exists", g.Name)
	}
	n := 0
	for name := range groups {
		if !isDefaultGroup(name) {
			n++
		}
	}
	if n >= maxUserGroups {
		// Unconfirmed wording (the code is botocore's).
		return apiErr(codeDBParameterGroupQuotaExceeded, "The request would exceed the user's %s quota of %d", k.noun(), maxUserGroups)
	}
	groups[g.Name] = g
	return nil
}

func createParamGroup(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name, err := r.required(k.nameParam())
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(name)
		family, err := r.required("DBParameterGroupFamily")
		if err != nil {
			return nil, err
		}
		desc, err := r.required("Description")
		if err != nil {
			return nil, err
		}
		if !validGroupName(name) {
			return nil, invalidIdentifier(k.nameParam())
		}
		fam, err := lookupFamily(family)
		if err != nil {
			return nil, err
		}
		tags, err := createTags(r)
		if err != nil {
			return nil, err
		}
		if k == kindCluster && !fam.HasCluster() {
			return nil, apiErr(codeInvalidParameterValue, "ParameterGroupFamily %s is not a valid parameter group family", family)
		}
		g := &paramGroup{Name: strings.ToLower(name), Family: fam.Name, Description: desc,
			CreatedAt: time.Now().UTC(), Values: map[string]paramValue{}, Tags: tags}
		if err := l.mutate(func(st *state) error { return addGroup(st, k, g) }); err != nil {
			return nil, err
		}
		return l.groupResult(k, g), nil
	}
}

func copyParamGroup(k groupKind) handler {
	src, dst, desc := "SourceDBParameterGroupIdentifier", "TargetDBParameterGroupIdentifier", "TargetDBParameterGroupDescription"
	if k == kindCluster {
		src, dst, desc = "SourceDBClusterParameterGroupIdentifier", "TargetDBClusterParameterGroupIdentifier", "TargetDBClusterParameterGroupDescription"
	}
	return func(l *Lab, r *request) (any, error) {
		srcID, err := r.required(src)
		if err != nil {
			return nil, err
		}
		dstName, err := r.required(dst)
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(srcID) + "," + strings.ToLower(dstName)
		description, err := r.required(desc)
		if err != nil {
			return nil, err
		}
		if !validGroupName(dstName) {
			return nil, invalidIdentifier(dst)
		}
		tags, err := createTags(r)
		if err != nil {
			return nil, err
		}
		var out *paramGroup
		err = l.mutate(func(st *state) error {
			sg, err := l.groupFromIdentifier(st, k, srcID)
			if err != nil {
				return err
			}
			if isDefaultGroup(sg.Name) {
				// AWS documents that a default group cannot be copied
				// ("You can't copy a default parameter group"); its answer
				// used to be the misleading identifier error
				// (aws/aws-cli#2886). The lab says what is wrong.
				return apiErr(codeInvalidParameterValue, "Cannot copy default %s %s: default groups cannot be copied; create a group of family %s instead",
					k.noun(), sg.Name, sg.Family)
			}
			out = &paramGroup{Name: strings.ToLower(dstName), Family: sg.Family, Description: description,
				CreatedAt: time.Now().UTC(), Values: make(map[string]paramValue, len(sg.Values)), Tags: tags}
			for n, v := range sg.Values {
				out.Values[n] = v
			}
			return addGroup(st, k, out)
		})
		if err != nil {
			return nil, err
		}
		return l.groupResult(k, out), nil
	}
}

func deleteParamGroup(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name, err := r.required(k.nameParam())
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(name)
		err = l.mutate(func(st *state) error {
			g, err := findGroup(st, k, name)
			if err != nil {
				return err
			}
			if isDefaultGroup(g.Name) {
				// AWS: "Default DBParameterGroup cannot be deleted: default.aurora-mysql5.7"
				return apiErr(codeInvalidDBParameterGroupState, "Default %s cannot be deleted: %s", k.noun(), g.Name)
			}
			if err := groupInUse(st, k, g.Name); err != nil {
				return err
			}
			delete(k.groups(st), g.Name)
			return nil
		})
		return nil, err
	}
}

// groupInUse refuses to delete a group that an instance or cluster names.
func groupInUse(st *state, k groupKind, name string) error {
	if k == kindInstance {
		for _, in := range st.Instances {
			if in.ParamGroup == name {
				// AWS's wording for a DB parameter group still attached.
				return apiErr(codeInvalidDBParameterGroupState,
					"One or more database instances are still members of this parameter group %s, so the group cannot be deleted", name)
			}
		}
		return nil
	}
	for _, c := range st.Clusters {
		if c.ClusterParamGroup == name {
			// Unconfirmed wording, modelled on the instance message.
			return apiErr(codeInvalidDBParameterGroupState,
				"One or more DB clusters are still members of this parameter group %s, so the group cannot be deleted", name)
		}
	}
	return nil
}

func describeParamGroups(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name := r.str(k.nameParam())
		r.resource = strings.ToLower(name)
		// AWS documents no filter for these calls; any is refused.
		if _, err := checkFilters(r); err != nil {
			return nil, err
		}
		var groups []*paramGroup
		err := l.read(func(st *state) error {
			if name != "" {
				g, err := findGroup(st, k, name)
				if err != nil {
					return err
				}
				groups = []*paramGroup{g}
				return nil
			}
			for _, g := range k.groups(st) {
				groups = append(groups, g)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
		pg, next, err := page(r, groups, func(g *paramGroup) string { return g.Name })
		if err != nil {
			return nil, err
		}
		if k == kindCluster {
			var out xmlDBClusterParameterGroupsMessage
			out.Marker = next
			out.Groups.Items = make([]xmlDBClusterParameterGroup, 0, len(pg))
			for _, g := range pg {
				out.Groups.Items = append(out.Groups.Items, l.xmlClusterGroup(g))
			}
			return out, nil
		}
		var out xmlDBParameterGroupsMessage
		out.Marker = next
		out.Groups.Items = make([]xmlDBParameterGroup, 0, len(pg))
		for _, g := range pg {
			out.Groups.Items = append(out.Groups.Items, l.xmlGroup(g))
		}
		return out, nil
	}
}
