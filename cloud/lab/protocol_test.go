package lab_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

type rawResp struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, endpoint, contentType, body string) rawResp {
	t.Helper()
	resp, err := http.Post(endpoint+"/", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResp{resp.StatusCode, resp.Header, string(b)}
}

type xmlErr struct {
	Error struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

func decodeErr(t *testing.T, r rawResp) xmlErr {
	t.Helper()
	var e xmlErr
	if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	if e.RequestID == "" || e.RequestID != r.header.Get("x-amzn-RequestId") || e.Error.Type != "Sender" {
		t.Fatalf("request id / type: header %q body %+v", r.header.Get("x-amzn-RequestId"), e)
	}
	return e
}

func TestRawQueryProtocol(t *testing.T) {
	l, _ := startLab(t)
	ep := l.Endpoint()
	form := "application/x-www-form-urlencoded"

	// Keys in any order, Content-Type with and without charset.
	r := post(t, ep, form+"; charset=utf-8", "Description=d&DBParameterGroupFamily="+lab.TestFamily+"&Version=2014-10-31&DBParameterGroupName=raw&Action=CreateDBParameterGroup")
	if r.status != 200 || !strings.Contains(r.body, `<CreateDBParameterGroupResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><CreateDBParameterGroupResult><DBParameterGroup>`) ||
		!strings.Contains(r.body, "<RequestId>"+r.header.Get("x-amzn-RequestId")+"</RequestId>") || r.header.Get("Content-Type") != "text/xml" {
		t.Fatalf("create: %d %s %v", r.status, r.body, r.header)
	}
	// List members decoded by index, not by position in the body.
	r = post(t, ep, form, "Parameters.Parameter.2.ApplyMethod=pending-reboot&Parameters.Parameter.1.ParameterValue=11&Action=ModifyDBParameterGroup"+
		"&Parameters.Parameter.2.ParameterName=static_int&Parameters.Parameter.1.ApplyMethod=immediate&Version=2014-10-31"+
		"&Parameters.Parameter.2.ParameterValue=22&DBParameterGroupName=raw&Parameters.Parameter.1.ParameterName=dyn_int")
	if r.status != 200 {
		t.Fatalf("modify: %d %s", r.status, r.body)
	}
	// GET with a query string works too.
	resp, err := http.Get(ep + "/?Action=DescribeDBParameters&Version=2014-10-31&DBParameterGroupName=raw&Source=user")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<ParameterName>dyn_int</ParameterName><ParameterValue>11</ParameterValue>") ||
		!strings.Contains(string(b), "<ParameterName>static_int</ParameterName><ParameterValue>22</ParameterValue>") {
		t.Fatalf("get: %d %s", resp.StatusCode, b)
	}

	errs := []struct {
		body, code string
		status     int
		msg        string
	}{
		{"Action=NoSuchThing&Version=2014-10-31", "InvalidAction", 400, "NoSuchThing"},
		{"Version=2014-10-31", "MissingAction", 400, ""},
		// AWS refuses a call without Version; the SDKs always send it.
		{"Action=DescribeDBParameterGroups", "MissingParameter", 400, "The request must contain the parameter Version"},
		{"Action=DescribeDBParameterGroups&Version=2012-01-01", "InvalidAction", 400, "for version 2012-01-01"},
		// A query string that does not parse: AWS's common error, status 404.
		{"Action=DescribeDBParameterGroups&Version=2014-10-31&DBParameterGroupName=%zz", "MalformedQueryString", 404, "syntax error"},
		{"Action=DescribeDBParameterGroups&Version=2014-10-31&Bogus=1", "InvalidParameterValue", 400, "The lab does not support Bogus on DescribeDBParameterGroups"},
		{"Action=DescribeDBParameters&Version=2014-10-31", "MissingParameter", 400, "The request must contain the parameter DBParameterGroupName"},
		{"Action=CreateDBParameterGroup&Version=2014-10-31&DBParameterGroupName=x&Description=d", "MissingParameter", 400, "DBParameterGroupFamily"},
		{"Action=ModifyDBParameterGroup&Version=2014-10-31&DBParameterGroupName=raw", "MissingParameter", 400, "Parameters"},
		{"Action=DescribeDBParameters&Version=2014-10-31&DBParameterGroupName=nope", "DBParameterGroupNotFound", 404, "DBParameterGroup not found: nope"},
		{"Action=DescribeDBParameterGroups&Version=2014-10-31&MaxRecords=abc", "InvalidParameterValue", 400, "MaxRecords"},
		{"Action=ResetDBParameterGroup&Version=2014-10-31&DBParameterGroupName=raw&ResetAllParameters=maybe", "InvalidParameterValue", 400, "ResetAllParameters"},
		{"Action=ResetDBParameterGroup&Version=2014-10-31&DBParameterGroupName=raw", "InvalidParameterCombination", 400, ""},
		{"Action=ResetDBParameterGroup&Version=2014-10-31&DBParameterGroupName=raw&ResetAllParameters=true&Parameters.Parameter.1.ParameterName=dyn_int", "InvalidParameterCombination", 400, "not both"},
		{"Action=DescribeEvents&Version=2014-10-31&StartTime=yesterday", "InvalidParameterValue", 400, "StartTime"},
	}
	for _, tc := range errs {
		r := post(t, ep, form, tc.body)
		e := decodeErr(t, r)
		if r.status != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.msg) {
			t.Errorf("%s: %d %+v, want %d %s %q", tc.body, r.status, e.Error, tc.status, tc.code, tc.msg)
		}
	}

	// A signed request (the SDKs and CLIs sign with dummy keys) is fine.
	req, _ := http.NewRequest(http.MethodPost, ep+"/", strings.NewReader("Action=DescribeDBParameterGroups&Version=2014-10-31"))
	req.Header.Set("Content-Type", form)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/rds/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	req.Header.Set("X-Amz-Date", "20240101T000000Z")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("signed: %v %v", err, resp)
	}
	resp.Body.Close()
}

// TestRequestLog checks requests.jsonl: one line per request with the
// contract's fields, and never a parameter value.
func TestRequestLog(t *testing.T) {
	l, _ := startLab(t)
	const secret = "hunter2-not-logged"
	post(t, l.Endpoint(), "application/x-www-form-urlencoded", "Action=CreateDBParameterGroup&Version=2014-10-31&DBParameterGroupName=logme&DBParameterGroupFamily="+lab.TestFamily+"&Description="+secret)
	post(t, l.Endpoint(), "application/x-www-form-urlencoded", "Action=ModifyDBParameterGroup&Version=2014-10-31&DBParameterGroupName=logme"+
		"&Parameters.Parameter.1.ParameterName=mode&Parameters.Parameter.1.ParameterValue="+url.QueryEscape(secret)+"&Parameters.Parameter.1.ApplyMethod=immediate&MasterUserPassword="+secret)
	post(t, l.Endpoint(), "application/x-www-form-urlencoded", "Action=DescribeDBParameterGroups&Version=2014-10-31&DBParameterGroupName=nope")
	if _, err := lab.FetchStatus(ctx, l.Endpoint()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(l.Dir(), "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Fatalf("requests.jsonl holds a value: %s", raw)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines: %s", len(lines), raw)
	}
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"time", "action", "status", "code", "request_id"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("no %s in %s", k, line)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Fatalf("time %v", m["time"])
		}
	}
	recs := labtest.Requests(t, l)
	if recs[0].Action != "CreateDBParameterGroup" || recs[0].Status != 200 || recs[0].Code != "" || recs[0].Resource != "logme" {
		t.Fatalf("rec 0 %+v", recs[0])
	}
	if recs[1].Action != "ModifyDBParameterGroup" || recs[1].Status != 400 || recs[1].Code != "InvalidParameterValue" {
		t.Fatalf("rec 1 %+v", recs[1])
	}
	if recs[2].Status != 404 || recs[2].Code != "DBParameterGroupNotFound" || recs[3].Action != "/_lab/status" {
		t.Fatalf("recs %+v", recs[2:])
	}
	if m := labtest.Mutations(t, l); len(m) != 2 {
		t.Fatalf("mutations %+v", m)
	}
}

func TestControlEndpoints(t *testing.T) {
	l, err := lab.New(lab.Options{Dir: t.TempDir(), NoEngine: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ri, err := lab.ReadRunInfo(l.Dir())
	if err != nil || ri.Endpoint != l.Endpoint() || ri.PID != os.Getpid() || ri.Region != "us-east-1" {
		t.Fatalf("run info %+v %v", ri, err)
	}
	st, err := lab.FetchStatus(ctx, l.Endpoint())
	if err != nil || st.Endpoint != l.Endpoint() || st.Dir != l.Dir() || st.PID != os.Getpid() || st.StartedAt.IsZero() {
		t.Fatalf("status %+v %v", st, err)
	}
	resp, err := http.Get(l.Endpoint() + "/_lab/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"instances": []`) || !strings.Contains(string(b), `"outages": []`) {
		t.Fatalf("status json %s", b)
	}
	if err := lab.Shutdown(ctx, l.Endpoint()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after /_lab/shutdown")
	}
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close after shutdown: %v", err)
	}
	if _, err := lab.ReadRunInfo(l.Dir()); err == nil {
		t.Fatal("lab.json left behind")
	}
	// The dir is free again.
	l2, err := lab.New(lab.Options{Dir: l.Dir()})
	if err != nil {
		t.Fatal(err)
	}
	l2.Close(ctx)
}
