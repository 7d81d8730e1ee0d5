package params

import "strings"

// ProblemIncompatible is a pair of co-dependent parameters the engine
// would refuse together at start-up, leaving the instance
// incompatible-parameters.
const ProblemIncompatible ProblemKind = "incompatible"

// charsetOfCollation is MariaDB's rule: a collation's character set is its
// name up to the first '_' (latin1_german1_ci is latin1), with utf8 the
// old name of utf8mb3.
func charsetOfCollation(collation string) string {
	cs, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(collation)), "_")
	return normalCharset(cs)
}

func normalCharset(cs string) string {
	cs = strings.ToLower(strings.TrimSpace(cs))
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}

// checkCoDependent refuses character_set_server and collation_server that
// do not belong together: what the request sets, or else what the group
// already has (meta's current values). A mismatched pair is accepted by
// RDS and only fails when the server restarts, stranding the instance in
// incompatible-parameters; so it is refused here, naming both.
func checkCoDependent(meta *Metadata, as []Assignment) []Problem {
	want := map[string]string{}
	for _, a := range as {
		want[a.Name] = a.Value
	}
	coll, setColl := want["collation_server"]
	cs, setCS := want["character_set_server"]
	if !setColl && !setCS {
		return nil
	}
	// The group's current value counts where the server is given it: a
	// user-set (or RDS system) value. An engine default is not passed to
	// the server, which then derives it from the other of the pair.
	current := func(name string) string {
		if p, ok := meta.byName[name]; ok && str(p.Source) != "engine-default" {
			return str(p.ParameterValue)
		}
		return ""
	}
	if !setColl {
		coll = current("collation_server")
	}
	if !setCS {
		cs = current("character_set_server")
	}
	if coll == "" || cs == "" || strings.HasPrefix(coll, "{") || strings.HasPrefix(cs, "{") {
		return nil
	}
	if charsetOfCollation(coll) == normalCharset(cs) {
		return nil
	}
	param, value := "collation_server", coll
	if !setColl {
		param, value = "character_set_server", cs
	}
	reason := "collation_server=" + coll + " belongs to character set " + charsetOfCollation(coll) +
		", not character_set_server=" + cs + "; the server would refuse the pair at start-up (incompatible-parameters)"
	if !setColl || !setCS {
		reason += " (the other is the group's current value)"
	}
	return []Problem{{Kind: ProblemIncompatible, Param: param, Value: value, Reason: reason}}
}
