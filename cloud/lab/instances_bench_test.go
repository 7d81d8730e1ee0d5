package lab_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// BenchmarkCreateInstanceToAvailable measures CreateDBInstance until the
// instance is available and answers queries: a template clone, a mariadbd
// start and the master user. (Target: under 1.5 s.)
func BenchmarkCreateInstanceToAvailable(b *testing.B) {
	l := labtest.Start(b, labtest.WithEngine(b, 0))
	c := labtest.Client(b, l)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("bench-%d", i)
		i++
		if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"),
			MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)}); err != nil {
			b.Fatal(err)
		}
		if err := cloud.WaitInstanceAvailable(ctx, c, id, time.Minute, fastPoll); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			b.Fatal(err)
		}
		if err := cloud.WaitInstanceDeleted(ctx, c, id, time.Minute, func(o *rds.DBInstanceDeletedWaiterOptions) {
			o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkFailoverZeroDelay measures RebootDBInstance ForceFailover=true
// on a Multi-AZ instance with no failover delay, until it is available
// again: a SIGKILL of the primary, crash recovery of the standby on the
// same storage, and the endpoint back up. (Target: under 1 s.)
func BenchmarkFailoverZeroDelay(b *testing.B) {
	l := labtest.Start(b, labtest.WithEngine(b, 0))
	c := labtest.Client(b, l)
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("bench-fo"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MultiAZ: aws.Bool(true),
		MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)}); err != nil {
		b.Fatal(err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, c, "bench-fo", time.Minute, fastPoll); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("bench-fo"), ForceFailover: aws.Bool(true)}); err != nil {
			b.Fatal(err)
		}
		if err := cloud.WaitInstanceAvailable(ctx, c, "bench-fo", time.Minute, fastPoll); err != nil {
			b.Fatal(err)
		}
	}
}

func fastPoll(o *rds.DBInstanceAvailableWaiterOptions) {
	o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
}
