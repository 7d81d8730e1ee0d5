package lab_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestDescribeInstancesPagingAndFilters pages through 45 instances 20 at a
// time with the SDK's paginator, and filters by db-instance-id (name or
// ARN) and engine, on a control-plane lab whose instances are seeded.
func TestDescribeInstancesPagingAndFilters(t *testing.T) {
	dir := t.TempDir()
	if err := lab.SeedFailedInstances(dir, 45); err != nil {
		t.Fatal(err)
	}
	l := labtest.Start(t, func(o *lab.Options) { o.Dir = dir })
	lab.CheckResponsesAgainstModel(t, l)
	c := labtest.Client(t, l)

	p := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	var pages, n int
	seen := map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, in := range out.DBInstances {
			seen[aws.ToString(in.DBInstanceIdentifier)] = true
			n++
		}
	}
	if pages != 3 || n != 45 || len(seen) != 45 {
		t.Fatalf("paged %d instances (%d distinct) in %d pages, want 45 in 3", n, len(seen), pages)
	}
	_, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(10)})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Must be between 20 and 100")

	out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{
		{Name: aws.String("db-instance-id"), Values: []string{"seeded-007", "arn:aws:rds:us-east-1:000000000000:db:seeded-011"}},
		{Name: aws.String("engine"), Values: []string{"mariadb"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBInstances) != 2 || aws.ToString(out.DBInstances[0].DBInstanceIdentifier) != "seeded-007" ||
		aws.ToString(out.DBInstances[1].DBInstanceIdentifier) != "seeded-011" {
		t.Fatalf("filtered: %d instances", len(out.DBInstances))
	}
	out, err = c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{
		{Name: aws.String("engine"), Values: []string{"mysql"}}}})
	if err != nil || len(out.DBInstances) != 0 {
		t.Fatalf("engine=mysql: %d, %v", len(out.DBInstances), err)
	}
	// A control-plane lab refuses to create instances, clearly.
	_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("x"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mariadb"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password1")})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "--no-engine")
}
