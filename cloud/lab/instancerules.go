package lab

import (
	"crypto/rand"
	"net"
	"sort"
	"strconv"
	"strings"
)

// The rules of the DB instance actions: statuses, error codes, quotas and
// identifier, username and password checks, as RDS applies them.

// DB instance statuses and parameter apply statuses, as RDS spells them.
const (
	statusCreating               = "creating"
	statusAvailable              = "available"
	statusRebooting              = "rebooting"
	statusModifying              = "modifying"
	statusDeleting               = "deleting"
	statusFailed                 = "failed"
	statusIncompatibleParameters = "incompatible-parameters"

	applyStatusInSync        = "in-sync"
	applyStatusApplying      = "applying"
	applyStatusPendingReboot = "pending-reboot"
)

// Error codes of the DB instance actions, as botocore names them.
const (
	codeDBInstanceNotFound      = "DBInstanceNotFound"
	codeDBInstanceAlreadyExists = "DBInstanceAlreadyExists"
	codeInvalidDBInstanceState  = "InvalidDBInstanceState"
	codeInstanceQuotaExceeded   = "InstanceQuotaExceeded"
)

// maxInstances bounds a lab: each instance is a real mariadbd.
const maxInstances = 40

// engineFamily maps an engine to the parameter group family its default
// version uses.
var engineFamily = map[string]string{
	"mariadb": "mariadb10.11",
	"mysql":   "mysql8.0",
}

func instanceNotFound(id string) *apiError {
	// AWS: "DBInstance staging-db not found."
	return apiErr(codeDBInstanceNotFound, "DBInstance %s not found.", id)
}

func findInstance(st *state, id string) (*dbInstance, error) {
	in, ok := st.Instances[strings.ToLower(id)]
	if !ok {
		return nil, instanceNotFound(id)
	}
	return in, nil
}

// validInstanceID applies AWS's identifier rules: 1 to 63 letters, digits
// or hyphens; a letter first; no trailing hyphen, no two hyphens in a row.
func validInstanceID(id string) bool { return len(id) <= 63 && validGroupName(id) }

func checkMasterUsername(u string) error {
	ok := len(u) >= 1 && len(u) <= 16 && isLetter(u[0])
	for i := 0; ok && i < len(u); i++ {
		c := u[i]
		ok = isLetter(c) || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores; and must be 1 to 16 characters long.")
	}
	if reservedUsers[strings.ToLower(u)] {
		return apiErr(codeInvalidParameterValue, "MasterUsername %s cannot be used as it is a reserved word used by the engine", u)
	}
	return nil
}

// reservedUsers are the names RDS keeps for itself.
var reservedUsers = map[string]bool{"rdsadmin": true, "root": true, "mysql": true, "mariadb.sys": true, "admin_rds": true}

func checkMasterPassword(p string) error {
	if len(p) < 8 {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
	}
	if len(p) > 41 {
		return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters.")
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '/' || c == '"' || c == '@' {
			return apiErr(codeInvalidParameterValue, "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")
		}
	}
	return nil
}

func familyMismatch(g *paramGroup, want string) *apiError {
	// AWS: "The parameter group staging with DBParameterGroupFamily
	// mysql8.0 cannot be used for this instance. Please use a Parameter
	// Group with DBParameterGroupFamily mariadb10.11"
	return apiErr(codeInvalidParameterCombination,
		"The parameter group %s with DBParameterGroupFamily %s cannot be used for this instance. Please use a Parameter Group with DBParameterGroupFamily %s",
		g.Name, g.Family, want)
}

// notAvailable is AWS's refusal of an operation on a busy instance.
func notAvailable(in *dbInstance) *apiError {
	// AWS: "Database instance is not in available state."
	return apiErr(codeInvalidDBInstanceState, "Database instance is not in available state.")
}

// requestPort reads Port (0 when absent: the lab picks one): 1150 to
// 65535, as on AWS, and free on each of the lab's hosts the endpoint
// will listen on. noun is "instance" or "cluster".
func requestPort(r *request, noun string, hosts ...string) (int, error) {
	port, set, err := r.integer("Port")
	if err != nil || !set {
		return 0, err
	}
	if port < 1150 || port > 65535 {
		return 0, apiErr(codeInvalidParameterValue, "The requested DB %s port %d is not valid. Valid values are 1150-65535.", noun, port)
	}
	for _, host := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return 0, apiErr(codeInvalidParameterValue, "The requested DB %s port %d is in use on the lab's host", noun, port)
		}
		ln.Close()
	}
	return port, nil
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// instancesOf lists the instances using a DB parameter group; the caller
// holds l.mu.
func instancesOf(st *state, group string) []*dbInstance {
	var out []*dbInstance
	for _, in := range st.Instances {
		if in.ParamGroup == group {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (l *Lab) instanceARN(id string) string {
	return "arn:aws:rds:" + l.opts.Region + ":" + l.account() + ":db:" + id
}

func (l *Lab) az(suffix string) string { return l.opts.Region + suffix }

// otherAZ is the standby's zone for a primary in az.
func (l *Lab) otherAZ(az string) string {
	if az == l.az("b") {
		return l.az("a")
	}
	return l.az("b")
}
