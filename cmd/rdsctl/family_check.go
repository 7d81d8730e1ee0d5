package main

import (
	"regexp"
	"strings"
	"sync"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
)

// familyPattern is the shape of every RDS parameter group family:
// lowercase engine name, then its version (mariadb10.11, mysql8.0,
// aurora-mysql8.0, postgres16).
var familyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z-]*[0-9]+(\.[0-9]+)*$`) })

// checkFamilyArg refuses, before any call, a family RDS would not know:
// a mangled one, one in the wrong case (RDS family names are lowercase
// and compared exactly), and a MariaDB family for a cluster parameter
// group (MariaDB has neither Aurora nor Multi-AZ DB clusters).
func checkFamilyArg(family string, cluster bool) error {
	if !familyPattern().MatchString(family) {
		if lower := strings.ToLower(family); lower != family && familyPattern().MatchString(lower) {
			return cli.Usagef("invalid --family %q: family names are lowercase (did you mean %s?)", family, lower)
		}
		return cli.Usagef("invalid --family %q: want a family such as mariadb10.11, mysql8.0 or aurora-mysql8.0", family)
	}
	if cluster && strings.HasPrefix(family, "mariadb") {
		return cli.Usagef("invalid --family %s with --cluster: MariaDB has no DB clusters; cluster families are aurora-mysql*, or mysql*/postgres* for Multi-AZ DB clusters", family)
	}
	return nil
}
