package main

import "strings"

// credentialsHint is the next step for an error that says the SDK found
// no credentials, or "" for any other error. The SDK's own chain (IMDS,
// "failed to refresh cached credentials") never says what to run.
func credentialsHint(msg string) string {
	for _, s := range []string{"get credentials:", "failed to retrieve credentials", "no EC2 IMDS role found", "failed to refresh cached credentials"} {
		if strings.Contains(msg, s) {
			return `hint: no AWS credentials were found. For the lab, run: eval "$(rdsctl lab env)"; for AWS, run: aws configure (or set AWS_PROFILE)`
		}
	}
	return ""
}
