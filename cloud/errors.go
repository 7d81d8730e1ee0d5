package cloud

import (
	"errors"
	"strings"

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

// IsNotFound reports whether the named resource (parameter group, instance,
// cluster, snapshot...) does not exist. Every RDS not-found code ends in
// NotFound or NotFoundFault.
func IsNotFound(err error) bool {
	c := Code(err)
	return strings.HasSuffix(c, "NotFound") || strings.HasSuffix(c, "NotFoundFault")
}

// IsAlreadyExists reports whether a create or copy hit an existing name.
func IsAlreadyExists(err error) bool {
	c := Code(err)
	return strings.HasSuffix(c, "AlreadyExists") || strings.HasSuffix(c, "AlreadyExistsFault") ||
		c == "SubscriptionAlreadyExist"
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

// IsThrottled reports whether AWS throttled the call even after the
// adaptive retryer gave up.
func IsThrottled(err error) bool {
	switch Code(err) {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return true
	}
	return false
}
