package lab

import (
	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
	"github.com/rdsctl/rdsctl/params/value"
)

// maxParamsPerCall is RDS's limit on parameters per Modify or Reset.
const maxParamsPerCall = 20

// paramChange is one validated change to a group: a new value, or a
// reset (Reset true) back to the engine default.
type paramChange struct {
	Param       catalog.Param
	Name        string
	Value       string
	ApplyMethod string
	Reset       bool
}

func defaultGroupImmutable() *apiError {
	// AWS: "Cannot modify a default parameter group." (InvalidParameterValue)
	return apiErr(codeInvalidParameterValue, "Cannot modify a default parameter group.")
}

func tooManyParams() *apiError {
	return apiErr(codeInvalidParameterCombination, "Cannot modify more than %d parameters in a single request", maxParamsPerCall)
}

// validateModify checks every requested change against AWS's rules and
// the group's catalog before anything is changed, so that one bad
// parameter among many changes nothing.
func validateModify(k groupKind, g *paramGroup, reqs []map[string]string) ([]paramChange, error) {
	if isDefaultGroup(g.Name) {
		return nil, defaultGroupImmutable()
	}
	if len(reqs) == 0 {
		return nil, missingParameter("Parameters")
	}
	if len(reqs) > maxParamsPerCall {
		return nil, tooManyParams()
	}
	fam, err := lookupFamily(g.Family)
	if err != nil {
		return nil, err
	}
	changes := make([]paramChange, 0, len(reqs))
	for _, m := range reqs {
		p, err := modifiableParam(k, fam, m["ParameterName"])
		if err != nil {
			return nil, err
		}
		method, err := applyMethod(p, m["ApplyMethod"], false)
		if err != nil {
			return nil, err
		}
		v, ok := m["ParameterValue"]
		if !ok {
			// Unconfirmed wording.
			return nil, apiErr(codeInvalidParameterValue, "The parameter value for %s must be provided and must not be blank.", p.Name)
		}
		if err := value.Check(p.DataType, p.AllowedValues, v); err != nil {
			return nil, invalidValue(p, v)
		}
		changes = append(changes, paramChange{Param: p, Name: p.Name, Value: v, ApplyMethod: method})
	}
	return changes, nil
}

// validateReset checks a Reset the same way; all resets every user-set
// parameter of the group.
func validateReset(k groupKind, g *paramGroup, all bool, reqs []map[string]string) ([]paramChange, error) {
	if isDefaultGroup(g.Name) {
		return nil, defaultGroupImmutable()
	}
	fam, err := lookupFamily(g.Family)
	if err != nil {
		return nil, err
	}
	if all {
		changes := make([]paramChange, 0, len(g.Values))
		for name, v := range g.Values {
			p, _ := k.param(fam, name)
			method := applyPendingReboot
			if p.Dynamic() && v.ApplyMethod == applyImmediate {
				method = applyImmediate
			}
			changes = append(changes, paramChange{Param: p, Name: name, ApplyMethod: method, Reset: true})
		}
		return changes, nil
	}
	if len(reqs) == 0 {
		// Unconfirmed wording: AWS needs one or the other.
		return nil, apiErr(codeInvalidParameterCombination, "Either ResetAllParameters or Parameters must be specified")
	}
	if len(reqs) > maxParamsPerCall {
		return nil, tooManyParams()
	}
	changes := make([]paramChange, 0, len(reqs))
	for _, m := range reqs {
		p, err := modifiableParam(k, fam, m["ParameterName"])
		if err != nil {
			return nil, err
		}
		method, err := applyMethod(p, m["ApplyMethod"], true)
		if err != nil {
			return nil, err
		}
		changes = append(changes, paramChange{Param: p, Name: p.Name, ApplyMethod: method, Reset: true})
	}
	return changes, nil
}

func modifiableParam(k groupKind, fam *family, name string) (catalog.Param, error) {
	if name == "" {
		return catalog.Param{}, apiErr(codeInvalidParameterValue, "Could not find parameter with name: %s", name)
	}
	p, ok := k.param(fam, name)
	if !ok {
		// AWS: "Could not find parameter with name: character_set_server"
		return p, apiErr(codeInvalidParameterValue, "Could not find parameter with name: %s", name)
	}
	if !p.IsModifiable {
		// Unconfirmed wording.
		return p, apiErr(codeInvalidParameterValue, "The parameter %s cannot be modified.", name)
	}
	return p, nil
}

// applyMethod validates a requested ApplyMethod. A Reset may leave it out
// (it then waits for a reboot); a Modify may not.
func applyMethod(p catalog.Param, m string, optional bool) (string, error) {
	switch m {
	case applyImmediate:
		if !p.Dynamic() {
			return "", apiErr(codeInvalidParameterCombination, "cannot use immediate apply method for static parameter")
		}
		return m, nil
	case applyPendingReboot:
		return m, nil
	case "":
		if optional {
			return applyPendingReboot, nil
		}
	}
	// Unconfirmed wording; botocore's ApplyMethod enum is immediate|pending-reboot.
	return "", apiErr(codeInvalidParameterValue, "Invalid apply method %q for parameter %s. Valid values are: immediate, pending-reboot", m, p.Name)
}

func invalidValue(p catalog.Param, v string) *apiError {
	// Wording as remembered from AWS, not confirmed against a source:
	// "Invalid parameter value: 0 for: max_connections allowed values are: 1-100000"
	if p.AllowedValues == "" {
		return apiErr(codeInvalidParameterValue, "Invalid parameter value: %s for: %s", v, p.Name)
	}
	return apiErr(codeInvalidParameterValue, "Invalid parameter value: %s for: %s allowed values are: %s", v, p.Name, p.AllowedValues)
}
