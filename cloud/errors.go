package cloud

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// The error checks below classify RDS API errors by their AWS error code, as
// carried by smithy.APIError (every typed fault such as
// *types.DBParameterGroupNotFoundFault implements it, and so do the generic
// errors like InvalidParameterValue that have no type). This is the one
// place that knows the codes; callers ask IsNotFound(err) and never match
// strings.

// Code is the AWS error code in err's chain ("DBInstanceNotFound",
// "InvalidParameterValue"...), or "" when err is not an API error.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message is the API's own message for err, or "" when err is not an API error.
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// RequestID is the AWS request id of a failed call, for support tickets and
// for finding the call in the lab's requests.jsonl; "" when unknown.
func RequestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

// IsNoCredentials reports whether a call failed because the SDK's chain
// (environment, shared files, SSO, instance role) found no credentials.
// The SDK has no error type for it, only these wrapping texts.
// It looks down the chain, since OpError shows the text it matches as
// "no AWS credentials found".
func IsNoCredentials(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := e.(*OpError); ok {
			continue
		}
		msg := e.Error()
		for _, s := range []string{"get credentials:", "failed to retrieve credentials", "no EC2 IMDS role found", "failed to refresh cached credentials"} {
			if strings.Contains(msg, s) {
				return true
			}
		}
	}
	return false
}

// IsNotFound reports whether the named resource (parameter group, instance,
// cluster, snapshot...) does not exist. Every RDS not-found code ends in
// NotFound or NotFoundFault.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	c := Code(err)
	return strings.HasSuffix(c, "NotFound") || strings.HasSuffix(c, "NotFoundFault")
}

// IsInvalidState reports whether the resource exists but cannot take the
// request now: an instance that is rebooting, a parameter group in use.
// Retrying after a wait may succeed.
func IsInvalidState(err error) bool {
	switch c := Code(err); c {
	case "InvalidDBInstanceState", "InvalidDBParameterGroupState", "InvalidDBClusterStateFault",
		"DBInstanceNotReady", "InvalidResourceStateFault":
		return true
	default:
		return strings.HasPrefix(c, "Invalid") && strings.Contains(c, "State")
	}
}

// IsInvalidParameter reports whether AWS rejected the request's input: an
// unknown parameter name, a value out of range, more than 20 parameters in
// one call, immediate apply on a static parameter. Nothing changed.
func IsInvalidParameter(err error) bool {
	switch Code(err) {
	case "InvalidParameterValue", "InvalidParameterCombination", "MissingParameter",
		"InvalidParameter", "ValidationError":
		return true
	}
	return false
}

// NotFoundError says that a named resource does not exist, in the one shape
// every command prints: `DB instance "x" not found`. It keeps the API's
// error (when there was one) for errors.As and RequestID. The finds and
// every operation on a named group or instance return it, so callers ask
// errors.As or IsNotFound and never read codes.
type NotFoundError struct {
	// Kind names what is missing: KindInstance, KindCluster,
	// KindParameterGroup or KindClusterParameterGroup.
	Kind string
	// Name is the identifier as asked for.
	Name string
	// Err is the API's error, or nil when a describe answered without it.
	Err error
}

// The kinds of NotFoundError, as a message names them.
const (
	KindInstance              = "DB instance"
	KindCluster               = "DB cluster"
	KindParameterGroup        = "parameter group"
	KindClusterParameterGroup = "cluster parameter group"
)

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.Name) }

func (e *NotFoundError) Unwrap() error { return e.Err }

// OpError is a failed RDS call, shown as "what rdsctl was doing: Code:
// message (request id R)" instead of the SDK's operation/transport/status
// chain ("operation error RDS: ModifyDBParameterGroup, https response
// error StatusCode: 400, RequestID: ..."), which says the same thing three
// times. It keeps the cause for errors.As, IsInvalidParameter and the rest.
type OpError struct {
	// Op is what the call was for, e.g. "modifying parameter group (staging)".
	Op  string
	Err error
}

func (e *OpError) Error() string {
	return e.Op + ": " + Describe(e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// Describe is err as rdsctl shows an API error: "Code: message (request id
// R)" for an error AWS returned, err.Error() for anything else (a
// transport error, a canceled context). It is the one renderer of API
// errors; OpError and the command layer's presenter use it.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nf.Error()
	}
	if IsNoCredentials(err) {
		// The chain ("get identity: get credentials: failed to refresh
		// cached credentials, no EC2 IMDS role found, operation error
		// ec2imds: ...") lists every place the SDK looked, none of which
		// is what to do.
		return "no AWS credentials found"
	}
	code := Code(err)
	if code == "" {
		if msg, ok := unreachable(err); ok {
			return msg
		}
		return err.Error()
	}
	msg := code + ": " + Message(err)
	if id := RequestID(err); id != "" {
		msg += " (request id " + id + ")"
	}
	return msg
}

// unreachable words a call that never got an answer (refused, DNS, a
// timeout) as "cannot reach the RDS API at URL: cause (after N
// attempts)", instead of the SDK's "operation error RDS: X, exceeded
// maximum number of attempts, 8, https response error StatusCode: 0,
// RequestID: , request send failed, Post ...".
func unreachable(err error) (string, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", false
	}
	msg := fmt.Sprintf("cannot reach the RDS API at %s: %v", ue.URL, ue.Err)
	var ma *retry.MaxAttemptsError
	if errors.As(err, &ma) {
		msg += fmt.Sprintf(" (after %d attempts)", ma.Attempt)
	}
	return msg, true
}

// opError types err from a call on the resource kind/name: a NotFoundError
// when the API says the resource does not exist, else an OpError naming
// op. nil stays nil.
func opError(err error, kind, name, op string) error {
	if err == nil {
		return nil
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return err
	}
	if kind != "" && IsNotFound(err) && notFoundIs(Code(err), kind) {
		return &NotFoundError{Kind: kind, Name: name, Err: err}
	}
	return &OpError{Op: op, Err: err}
}

// notFoundIs reports whether a not-found code is about kind: a
// ModifyDBInstance that names a missing parameter group answers
// DBParameterGroupNotFound, which is not "DB instance not found".
func notFoundIs(code, kind string) bool {
	switch kind {
	case KindInstance:
		return strings.HasPrefix(code, "DBInstanceNotFound")
	case KindCluster:
		return strings.HasPrefix(code, "DBClusterNotFound")
	case KindParameterGroup, KindClusterParameterGroup:
		return strings.Contains(code, "ParameterGroupNotFound")
	}
	return false
}

// named is a thing a call names, by kind (KindParameterGroup, ...) and name.
type named struct{ kind, name string }

// createError is the error of a failed Create call named op that makes id:
// a NotFound code for one of the things the call names becomes that kind's
// *NotFoundError, anything else the call's OpError.
func createError(err error, op, id string, refs ...named) error {
	for _, r := range refs {
		if notFoundIs(Code(err), r.kind) {
			return opError(err, r.kind, r.name, op)
		}
	}
	return opError(err, "", id, op)
}
