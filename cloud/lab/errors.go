package lab

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error as RDS reports it: a code the SDKs turn into typed
// faults, a message, and the HTTP status that goes with the code.
type apiError struct {
	Status  int
	Code    string
	Message string
	Type    string // "Sender" (default) or "Receiver"
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// apiErr builds an error whose HTTP status follows from its code: 404 for
// the *NotFound codes, 400 for everything a caller got wrong.
func apiErr(code, format string, args ...any) *apiError {
	status := http.StatusBadRequest
	if strings.HasSuffix(code, "NotFound") || strings.HasSuffix(code, "NotFoundFault") {
		status = http.StatusNotFound
	}
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// internalError is the lab's own failure (e.g. the disk), never a caller's.
func internalError(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: err.Error(), Type: "Receiver"}
}

// Error codes, as botocore's RDS model names them.
const (
	codeInvalidAction               = "InvalidAction"
	codeMissingParameter            = "MissingParameter"
	codeInvalidParameterValue       = "InvalidParameterValue"
	codeInvalidParameterCombination = "InvalidParameterCombination"
	codeMalformedQueryString        = "MalformedQueryString"

	codeDBParameterGroupNotFound      = "DBParameterGroupNotFound"
	codeDBParameterGroupAlreadyExists = "DBParameterGroupAlreadyExists"
	codeDBParameterGroupQuotaExceeded = "DBParameterGroupQuotaExceeded"
	codeInvalidDBParameterGroupState  = "InvalidDBParameterGroupState"
)

func missingParameter(name string) *apiError {
	// AWS: "The request must contain the parameter DBParameterGroupName"
	return apiErr(codeMissingParameter, "The request must contain the parameter %s", name)
}
