package main

import (
	"errors"

	"github.com/rdsctl/rdsctl/cloud"
)

// paramGroup is a parameter group of either kind as rdsctl prints it; its
// JSON keys are the contract (cloud.Group has the same fields, untagged).
type paramGroup struct {
	Name        string `json:"name"`
	Family      string `json:"family"`
	Description string `json:"description"`
}

// groupUser is a cloud.GroupUser as rdsctl prints it.
type groupUser struct {
	Group       string `json:"group"`
	Instance    string `json:"instance,omitempty"`
	Cluster     string `json:"cluster,omitempty"`
	ApplyStatus string `json:"apply_status"`
}

func groupUsers(us []cloud.GroupUser) []groupUser {
	out := make([]groupUser, len(us))
	for i, u := range us {
		out[i] = groupUser(u)
	}
	return out
}

// rdsError names what the command was doing when an RDS call failed.
//
// Deprecated: the cloud layer types its errors itself (cloud.OpError,
// cloud.NotFoundError); this remains only for the verify and failover
// commands until they call cloud or their own packages for everything.
// A missing resource shows as cloud's not-found sentence alone.
type rdsError struct {
	op  string
	err error
}

func (e *rdsError) Error() string {
	var nf *cloud.NotFoundError
	if errors.As(e.err, &nf) {
		return nf.Error()
	}
	var oe *cloud.OpError
	if errors.As(e.err, &oe) {
		return e.op + ": " + cloud.Describe(oe.Err)
	}
	return e.op + ": " + cloud.Describe(e.err)
}

func (e *rdsError) Unwrap() error { return e.err }
