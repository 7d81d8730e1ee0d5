package lab_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestRequestLoggedBeforeResponse: the record of a call is in
// requests.jsonl by the time the call returns, so a test or script reads
// the log right away, without polling. Each call is looked up by the
// request id of its own response, for API calls and control calls alike.
func TestRequestLoggedBeforeResponse(t *testing.T) {
	l := labtest.Start(t)
	c := labtest.Client(t, l)
	has := func(id string) bool {
		for _, r := range labtest.Requests(t, l) {
			if r.RequestID == id {
				return true
			}
		}
		return false
	}
	for i := range 50 {
		// A page of parameters is larger than the server's write buffer,
		// so the response starts to arrive before the handler is done.
		// The log is read as soon as the headers are in, before the body.
		resp, err := http.Post(l.Endpoint()+"/", formType,
			strings.NewReader("Action=DescribeDBParameters&Version=2014-10-31&DBParameterGroupName=default.mariadb10.11"))
		if err != nil {
			t.Fatal(err)
		}
		id := resp.Header.Get("x-amzn-RequestId")
		found := id != "" && has(id)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) < 8192 {
			t.Fatalf("call %d: HTTP %d, %d bytes", i, resp.StatusCode, len(body))
		}
		if !found {
			t.Fatalf("call %d: request %q not in requests.jsonl when its response arrived", i, id)
		}
		out, err := c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String("default.mariadb10.11")})
		if err != nil {
			t.Fatal(err)
		}
		id, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		if id == "" || !has(id) {
			t.Fatalf("call %d: SDK request %q not in requests.jsonl when the call returned", i, id)
		}
		n := len(labtest.Requests(t, l))
		if _, err := lab.FetchStatus(context.Background(), l.Endpoint()); err != nil {
			t.Fatal(err)
		}
		recs := labtest.Requests(t, l)
		if len(recs) != n+1 || recs[n].Action != "/_lab/status" {
			t.Fatalf("call %d: GET /_lab/status not in requests.jsonl when it returned: %d records after %d", i, len(recs), n)
		}
	}
}
