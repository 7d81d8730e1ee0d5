package lab

import (
	"bytes"
	"crypto/rand"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The lab's STS serves AssumeRole and GetCallerIdentity on the same
// endpoint as RDS (AWS_ENDPOINT_URL_STS), so that a tool can assume a
// role in another account and find that account's own resources. It has
// no IAM: every well-formed role ARN may be assumed. The temporary access
// key id carries the role's account (ASIA + 12 digits + 4 letters), so
// that an RDS call signed with it lands in that account's namespace
// without the lab remembering anything.

// stsVersion and stsXMLNS are STS's API version and response namespace
// (botocore's sts 2011-06-15 model).
const (
	stsVersion = "2011-06-15"
	stsXMLNS   = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// stsHandler serves one STS action for the caller whose access key id is
// akid.
type stsHandler func(l *Lab, r *request, akid string) (any, error)

// stsRoutes are the STS actions the lab serves.
var stsRoutes = map[string]stsHandler{
	"AssumeRole":        assumeRole,
	"GetCallerIdentity": getCallerIdentity,
}

// isSTS reports whether the call is for STS: one of its actions, with
// STS's version or a credential scope naming sts.
func isSTS(action, version, service string) bool {
	if _, ok := stsRoutes[action]; !ok {
		return false
	}
	return version == stsVersion || (version == "" && service == "sts")
}

// stsSessions remembers the sessions AssumeRole handed out, so that
// GetCallerIdentity can name the assumed role. Losing them (a lab
// restart) only makes GetCallerIdentity name the account's root user;
// the account itself is in the key.
type stsSessions struct {
	mu sync.Mutex
	m  map[string]stsCaller
}

type stsCaller struct{ arn, userID string }

// roleARN is arn:aws:iam::ACCOUNT:role/[PATH/]NAME.
var roleARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/((?:[\x21-\x7e]+/)*([\w+=,.@-]{1,64}))$`)
})

var sessionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{2,64}$`) })

func stsValidation(format string, args ...any) *apiError {
	return apiErr("ValidationError", format, args...)
}

func assumeRole(l *Lab, r *request, _ string) (any, error) {
	arn, name := r.str("RoleArn"), r.str("RoleSessionName")
	switch {
	case arn == "":
		return nil, stsValidation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case name == "":
		return nil, stsValidation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	case len(arn) < 20:
		return nil, stsValidation("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", arn)
	case !sessionName().MatchString(name):
		return nil, stsValidation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	m := roleARN().FindStringSubmatch(arn)
	if m == nil {
		return nil, stsValidation("Request ARN is invalid")
	}
	account, roleName := m[1], m[3]
	dur := 3600
	if v := r.str("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > 43200 {
			return nil, stsValidation("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", v)
		}
		dur = n
	}
	akid := "ASIA" + account + randomUpper(4)
	roleID := "AROA" + account[:8] + randomUpper(9)
	caller := stsCaller{arn: "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + name,
		userID: roleID + ":" + name}
	root := l.rootLab()
	root.sts.mu.Lock()
	if root.sts.m == nil {
		root.sts.m = map[string]stsCaller{}
	}
	root.sts.m[akid] = caller
	root.sts.mu.Unlock()
	r.resource = arn
	return &xmlAssumeRoleResult{
		Credentials: xmlCredentials{AccessKeyID: akid, SecretAccessKey: randomUpper(40),
			SessionToken: "lab" + randomUpper(100), Expiration: isoTime(time.Now().Add(time.Duration(dur) * time.Second))},
		AssumedRoleUser: xmlAssumedRoleUser{Arn: caller.arn, AssumedRoleID: caller.userID},
	}, nil
}

func getCallerIdentity(l *Lab, _ *request, akid string) (any, error) {
	account := accountOfKey(akid)
	root := l.rootLab()
	root.sts.mu.Lock()
	c, ok := root.sts.m[akid]
	root.sts.mu.Unlock()
	if !ok {
		// The dummy keys lab env prints, or a session from before a restart.
		c = stsCaller{arn: "arn:aws:iam::" + account + ":user/rdsctl-lab", userID: "AIDALAB" + account}
		if strings.HasPrefix(akid, "ASIA") {
			c = stsCaller{arn: "arn:aws:sts::" + account + ":assumed-role/lab/session", userID: "AROALAB" + account + ":session"}
		}
	}
	return &xmlCallerIdentity{UserID: c.userID, Account: account, Arn: c.arn}, nil
}

// accountOfKey is the account an access key id belongs to: the one a lab
// AssumeRole encoded in it, else the lab's own.
func accountOfKey(akid string) string {
	if len(akid) == 20 && (strings.HasPrefix(akid, "ASIA") || strings.HasPrefix(akid, "AKIA")) &&
		validAccount().MatchString(akid[4:16]) {
		return akid[4:16]
	}
	return accountID
}

func (l *Lab) rootLab() *Lab {
	if l.root != nil {
		return l.root
	}
	return l
}

// randomUpper is n random characters of A-Z and 2-7, as in AWS key ids.
func randomUpper(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type xmlAssumeRoleResult struct {
	Credentials     xmlCredentials     `xml:"Credentials"`
	AssumedRoleUser xmlAssumedRoleUser `xml:"AssumedRoleUser"`
}

type xmlCallerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// encodeSTSResponse is encodeResponse in STS's namespace.
func encodeSTSResponse(action, requestID string, result any) ([]byte, error) {
	return encodeResponseNS(stsXMLNS, action, requestID, result)
}

// encodeSTSError is encodeError in STS's namespace.
func encodeSTSError(e *apiError, requestID string) []byte {
	b := encodeError(e, requestID)
	return bytes.Replace(b, []byte(`xmlns="`+xmlns+`"`), []byte(`xmlns="`+stsXMLNS+`"`), 1)
}
