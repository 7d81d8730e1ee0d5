package main

import "github.com/rdsctl/rdsctl/cloud"

// credentialsHint is the next step for an error that says the SDK found
// no credentials, or "" for any other error: the SDK's own chain (IMDS,
// "failed to refresh cached credentials") never says what to run.
func credentialsHint(err error) string {
	if cloud.IsNoCredentials(err) {
		return `hint: no AWS credentials were found. For the lab, run: eval "$(rdsctl lab env)"; for AWS, run: aws configure (or set AWS_PROFILE)`
	}
	return ""
}
