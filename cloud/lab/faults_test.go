package lab_test

import (
	"encoding/xml"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestInjectedFault: a fault refuses exactly the call it names, once,
// with the code asked for, and the refused call changes nothing.
func TestInjectedFault(t *testing.T) {
	l, c := startLab(t)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("f"),
		DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if err := lab.InjectFault(l.Endpoint(), lab.Fault{Action: "ModifyDBParameterGroup", Skip: 1,
		Code: "InvalidDBParameterGroupState", Message: "injected"}); err != nil {
		t.Fatal(err)
	}
	set := func(v string) error {
		_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("f"),
			Parameters: []types.Parameter{{ParameterName: aws.String("dyn_int"), ParameterValue: aws.String(v), ApplyMethod: types.ApplyMethodImmediate}}})
		return err
	}
	if err := set("11"); err != nil {
		t.Fatalf("first call (skipped by the fault): %v", err)
	}
	wantAPIError(t, set("12"), "InvalidDBParameterGroupState", 400, "injected")
	if err := set("13"); err != nil {
		t.Fatalf("the fault fired twice: %v", err)
	}
	out, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("f"), Source: aws.String("user")})
	if err != nil || len(out.Parameters) != 1 || aws.ToString(out.Parameters[0].ParameterValue) != "13" {
		t.Fatalf("after the fault: %+v %v", out, err)
	}
	for _, bad := range []lab.Fault{{Action: "Nope", Code: "X"}, {Action: "ModifyDBParameterGroup"}, {Action: "ModifyDBParameterGroup", Code: "X", Skip: -1}} {
		if err := lab.InjectFault(l.Endpoint(), bad); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
	}
}

// faultLab is a control-plane lab, without the botocore model check: AWS
// answers Throttling and ServiceUnavailable to any operation, and the
// model lists neither among an operation's errors.
func faultLab(t *testing.T, faults ...lab.Fault) *lab.Lab {
	t.Helper()
	return labtest.Start(t, func(o *lab.Options) { o.Faults = faults })
}

const (
	formType       = "application/x-www-form-urlencoded"
	describeGroups = "Action=DescribeDBParameterGroups&Version=2014-10-31"
)

// TestTransientFaults: AWS's transient errors need only their code and
// come with AWS's status, type and message; a faulted call is in
// requests.jsonl with them and marked as a fault.
func TestTransientFaults(t *testing.T) {
	for _, tc := range []struct {
		code, typ, msg string
		status         int
	}{
		{"Throttling", "Sender", "Rate exceeded", 400},
		{"InternalFailure", "Receiver", "The request processing has failed because of an unknown error, exception or failure.", 500},
		{"ServiceUnavailable", "Receiver", "The request has failed due to a temporary failure of the server.", 503},
	} {
		t.Run(tc.code, func(t *testing.T) {
			l := faultLab(t, lab.Fault{Code: tc.code})
			r := post(t, l.Endpoint(), formType, describeGroups)
			var e xmlErr
			if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
			if r.status != tc.status || e.Error.Code != tc.code || e.Error.Type != tc.typ || e.Error.Message != tc.msg ||
				e.RequestID != r.header.Get("x-amzn-RequestId") {
				t.Fatalf("HTTP %d %+v", r.status, e)
			}
			if r := post(t, l.Endpoint(), formType, describeGroups); r.status != 200 {
				t.Fatalf("a one-shot fault hit twice: %d %s", r.status, r.body)
			}
			recs := labtest.Requests(t, l)
			if len(recs) != 2 || recs[0].Status != tc.status || recs[0].Code != tc.code || !recs[0].Fault ||
				recs[0].RequestID != e.RequestID || recs[1].Status != 200 || recs[1].Fault {
				t.Fatalf("requests.jsonl: %+v", recs)
			}
		})
	}
}

// faultedCalls makes n DescribeDBParameterGroups calls to a fresh lab with
// faults and reports which ones failed.
func faultedCalls(t *testing.T, n int, faults ...lab.Fault) []int {
	t.Helper()
	l := faultLab(t, faults...)
	var failed []int
	for i := range n {
		if r := post(t, l.Endpoint(), formType, describeGroups); r.status != 200 {
			failed = append(failed, i)
		}
	}
	return failed
}

// TestFaultRate: a rate hits about that fraction of the calls, the same
// calls for the same seed, and other calls for another seed.
func TestFaultRate(t *testing.T) {
	throttle := lab.Fault{Code: "Throttling", Rate: 0.3, Seed: 7}
	a := faultedCalls(t, 400, throttle)
	if len(a) < 80 || len(a) > 160 {
		t.Fatalf("rate 0.3 hit %d of 400 calls", len(a))
	}
	if b := faultedCalls(t, 400, throttle); !slices.Equal(a, b) {
		t.Fatalf("the same seed hit other calls:\n%v\n%v", a, b)
	}
	throttle.Seed = 8
	if c := faultedCalls(t, 400, throttle); slices.Equal(a, c) {
		t.Fatal("another seed hit the same calls")
	}
	if d := faultedCalls(t, 50, lab.Fault{Code: "Throttling", Rate: 1, Count: 3}); !slices.Equal(d, []int{0, 1, 2}) {
		t.Fatalf("rate 1, count 3 hit calls %v", d)
	}
	if e := faultedCalls(t, 10, lab.Fault{Code: "ServiceUnavailable", Count: 2, Skip: 3}); !slices.Equal(e, []int{3, 4}) {
		t.Fatalf("count 2 after skip 3 hit calls %v", e)
	}
}

// TestFaultAction: a fault for one action leaves the others alone, and
// DELETE /_lab/faults removes it.
func TestFaultAction(t *testing.T) {
	l := faultLab(t, lab.Fault{Action: "DescribeEvents", Code: "Throttling", Rate: 1})
	for range 3 {
		if r := post(t, l.Endpoint(), formType, describeGroups); r.status != 200 {
			t.Fatalf("DescribeDBParameterGroups: %d %s", r.status, r.body)
		}
		if r := post(t, l.Endpoint(), formType, "Action=DescribeEvents&Version=2014-10-31"); r.status != 400 || !strings.Contains(r.body, "<Code>Throttling</Code>") {
			t.Fatalf("DescribeEvents: %d %s", r.status, r.body)
		}
	}
	if err := lab.ClearFaults(l.Endpoint()); err != nil {
		t.Fatal(err)
	}
	if r := post(t, l.Endpoint(), formType, "Action=DescribeEvents&Version=2014-10-31"); r.status != 200 {
		t.Fatalf("DescribeEvents after ClearFaults: %d %s", r.status, r.body)
	}
}

// TestFaultLatency: a latency fault delays the calls it hits, which then
// succeed, and the request log's duration shows the delay.
func TestFaultLatency(t *testing.T) {
	l := faultLab(t)
	if err := lab.InjectFault(l.Endpoint(), lab.Fault{Action: "DescribeDBParameterGroups", Latency: 150 * time.Millisecond, Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		start := time.Now()
		r := post(t, l.Endpoint(), formType, describeGroups)
		took := time.Since(start)
		if r.status != 200 {
			t.Fatalf("call %d: %d %s", i, r.status, r.body)
		}
		if delayed := took >= 150*time.Millisecond; delayed != (i < 2) {
			t.Fatalf("call %d took %s", i, took)
		}
	}
	recs := labtest.Requests(t, l)
	var durations []float64
	for _, r := range recs {
		if r.Action == "DescribeDBParameterGroups" {
			durations = append(durations, r.Duration)
		}
	}
	if len(durations) != 3 || durations[0] < 150 || durations[1] < 150 || durations[2] >= 150 {
		t.Fatalf("logged durations %v ms", durations)
	}
}

// TestBadFaults: a fault the lab cannot honour is refused, naming why.
func TestBadFaults(t *testing.T) {
	l := faultLab(t)
	for _, tc := range []struct {
		f    lab.Fault
		want string
	}{
		{lab.Fault{Action: "Nope", Code: "X"}, "unknown action"},
		{lab.Fault{Action: "DescribeEvents"}, "error code or a latency"},
		{lab.Fault{Code: "Throttling", Rate: 1.5}, "rate"},
		{lab.Fault{Code: "Throttling", Rate: math.NaN()}, "rate"},
		{lab.Fault{Code: "Throttling", Count: -1}, "count"},
		{lab.Fault{Latency: -time.Second}, "latency"},
		{lab.Fault{Latency: time.Hour}, "latency"},
		{lab.Fault{Code: "X", Status: 200}, "status"},
		{lab.Fault{Code: "<X>"}, "code"},
	} {
		if err := lab.InjectFault(l.Endpoint(), tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("fault %+v: %v, want an error naming %s", tc.f, err, tc.want)
		}
	}
	// The lab checks too, whoever posts.
	for body, want := range map[string]string{`{"code":"Throttling","rate":2}`: "rate", `{"latency":"soon"}`: "latency", `{"skip":-1,"code":"X"}`: "skip"} {
		resp, err := http.Post(l.Endpoint()+"/_lab/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(msg), want) {
			t.Errorf("POST %s: %d %s", body, resp.StatusCode, msg)
		}
	}
	if _, err := lab.New(lab.Options{Dir: t.TempDir(), NoEngine: true, Faults: []lab.Fault{{Code: "Throttling", Rate: 2}}}); err == nil {
		t.Error("New accepted a bad fault")
	}
}

// TestSDKRidesOutThrottling: rdsctl's SDK client (cloud.Load's
// retryer) lists every parameter of a family under 30% throttling, and
// the request log shows the throttled calls it retried.
func TestSDKRidesOutThrottling(t *testing.T) {
	l := faultLab(t)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", labtest.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", labtest.SecretAccessKey)
	cfg, err := cloud.Load(ctx, cloud.Options{Region: l.Region(), EndpointURL: l.Endpoint(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := cloud.NewClient(cfg)
	list := func() []string {
		var names []string
		p := rds.NewDescribeDBParametersPaginator(c, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("default.mariadb10.11")})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("under throttling: %v", err)
			}
			for _, p := range out.Parameters {
				names = append(names, aws.ToString(p.ParameterName))
			}
		}
		return names
	}
	want := list()
	if len(want) < 300 {
		t.Fatalf("only %d parameters: too few pages to throttle", len(want))
	}
	before := len(labtest.Requests(t, l))
	if err := lab.InjectFault(l.Endpoint(), lab.Fault{Code: "Throttling", Rate: 0.3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("under throttling: %d parameters, want %d", len(got), len(want))
	}
	throttled, ok := 0, 0
	for _, r := range labtest.Requests(t, l)[before+1:] {
		switch {
		case r.Action != "DescribeDBParameters":
			t.Fatalf("unexpected request %+v", r)
		case r.Status == 400 && r.Code == "Throttling" && r.Fault:
			throttled++
		case r.Status == 200 && !r.Fault:
			ok++
		default:
			t.Fatalf("unexpected record %+v", r)
		}
	}
	if pages := (len(want) + 99) / 100; ok != pages || throttled == 0 {
		t.Fatalf("%d pages fetched in %d calls, %d of them throttled", pages, ok+throttled, throttled)
	}
	t.Logf("%d parameters in %d pages; %d calls throttled", len(want), ok, throttled)
}
