package lab_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestMain registers the synthetic test family and, when asked through
// the environment, runs as a lab child process (see process_test.go).
func TestMain(m *testing.M) {
	lab.RegisterTestFamily(250, 60)
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

// startLab starts a lab whose every response must pass botocore's model,
// and an SDK client for it. The client keeps the standard retryer, and
// labtest.Client applies cloud.WithOwnRequestBody against the SDK's race
// (aws/aws-sdk-go-v2#2737) in which net/http's write loop closes a
// keep-alive connection while the response is read. 4xx answers are never
// retried, so error assertions are exact.
func startLab(t *testing.T) (*lab.Lab, *rds.Client) {
	t.Helper()
	l := labtest.Start(t)
	checked := lab.CheckResponsesAgainstModel(t, l)
	t.Cleanup(func() {
		if checked() == 0 {
			t.Error("no response was checked against botocore's model")
		}
	})
	return l, labtest.Client(t, l)
}

// wantAPIError asserts an SDK error's code, HTTP status and (if not
// empty) a message substring.
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want smithy.APIError %s, got %T: %v", code, err, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("message = %q, want it to contain %q", ae.ErrorMessage(), msg)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP %d, want %d", code, re.HTTPStatusCode(), status)
	}
	if re.ServiceRequestID() == "" {
		t.Fatalf("%s: no request id", code)
	}
}

var ctx = context.Background()

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }
