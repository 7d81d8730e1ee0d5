package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/rogpeppe/go-internal/testscript"
)

// The status and wait scripts' fixture:
//
//	labreboot ID [failover]   reboot a lab instance through the API
//	                          (ForceFailover with "failover") and return
//	                          at once, leaving it rebooting, so that a
//	                          script can watch rdsctl wait for it
func init() {
	extraScriptCmds["labreboot"] = cmdLabReboot
}

func cmdLabReboot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "failover") {
		ts.Fatalf("usage: labreboot ID [failover]")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := scriptRDS(ts).RebootDBInstance(ctx, &rds.RebootDBInstanceInput{
		DBInstanceIdentifier: aws.String(args[0]), ForceFailover: aws.Bool(len(args) == 2)})
	if err != nil {
		ts.Fatalf("labreboot: %v", err)
	}
}
