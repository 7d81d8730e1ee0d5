package main

import "github.com/rdsctl/rdsctl/cloud"

// paramGroup is a parameter group of either kind as rdsctl prints it; its
// JSON keys are the contract (cloud.Group has the same fields, untagged).
type paramGroup struct {
	Name        string `json:"name"`
	Family      string `json:"family"`
	Description string `json:"description"`
}

// groupUser is a cloud.GroupUser as rdsctl prints it.
type groupUser struct {
	Group        string `json:"group"`
	Instance     string `json:"instance,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	ApplyStatus  string `json:"apply_status"`
	ClusterGroup bool   `json:"-"`
}

func groupUsers(us []cloud.GroupUser) []groupUser {
	out := make([]groupUser, len(us))
	for i, u := range us {
		out[i] = groupUser(u)
	}
	return out
}
