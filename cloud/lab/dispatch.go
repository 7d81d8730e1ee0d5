package lab

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// handler serves one RDS action. It returns the value encoded as the
// <ActionResult> element (nil for none) or an error; a non-*apiError error
// becomes InternalFailure.
type handler func(l *Lab, r *request) (any, error)

// routes maps each RDS action the lab serves to its handler.
var routes = map[string]handler{
	"CreateDBParameterGroup":          createParamGroup(kindInstance),
	"CopyDBParameterGroup":            copyParamGroup(kindInstance),
	"DeleteDBParameterGroup":          deleteParamGroup(kindInstance),
	"DescribeDBParameterGroups":       describeParamGroups(kindInstance),
	"DescribeDBParameters":            describeParameters(kindInstance),
	"ModifyDBParameterGroup":          modifyParamGroup(kindInstance),
	"ResetDBParameterGroup":           resetParamGroup(kindInstance),
	"DescribeEngineDefaultParameters": describeEngineDefaults(kindInstance),

	"CreateDBClusterParameterGroup":          createParamGroup(kindCluster),
	"CopyDBClusterParameterGroup":            copyParamGroup(kindCluster),
	"DeleteDBClusterParameterGroup":          deleteParamGroup(kindCluster),
	"DescribeDBClusterParameterGroups":       describeParamGroups(kindCluster),
	"DescribeDBClusterParameters":            describeParameters(kindCluster),
	"ModifyDBClusterParameterGroup":          modifyParamGroup(kindCluster),
	"ResetDBClusterParameterGroup":           resetParamGroup(kindCluster),
	"DescribeEngineDefaultClusterParameters": describeEngineDefaults(kindCluster),

	"CreateDBInstance":    createInstance,
	"DescribeDBInstances": describeInstances,
	"ModifyDBInstance":    modifyInstance,
	"RebootDBInstance":    rebootInstance,
	"DeleteDBInstance":    deleteInstance,

	"CreateDBCluster":    createCluster,
	"DescribeDBClusters": describeClusters,
	"ModifyDBCluster":    modifyCluster,
	"DeleteDBCluster":    deleteCluster,
	"FailoverDBCluster":  failoverCluster,

	"DescribeEvents": describeEvents,

	"AddTagsToResource":      addTagsToResource,
	"RemoveTagsFromResource": removeTagsFromResource,
	"ListTagsForResource":    listTagsForResource,

	"DescribeDBEngineVersions": describeEngineVersions,
}

// maxBody bounds a request body; RDS requests are small.
const maxBody = 1 << 20

// reply is a response ready to be sent. ServeHTTP logs the request before
// it sends the reply, so that whoever sees the answer finds the record.
type reply struct {
	status      int
	contentType string
	requestID   string // sent as x-amzn-RequestId; API replies only
	body        []byte
	// after runs once the reply is sent (the shutdown).
	after func()
}

func (rp reply) write(w http.ResponseWriter) {
	h := w.Header()
	if rp.contentType != "" {
		h.Set("Content-Type", rp.contentType)
	}
	if rp.requestID != "" {
		h.Set("x-amzn-RequestId", rp.requestID)
	}
	if rp.contentType == textPlain {
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if len(rp.body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(rp.body)))
	}
	w.WriteHeader(rp.status)
	w.Write(rp.body)
}

const textPlain = "text/plain; charset=utf-8"

// textReply is what http.Error sends.
func textReply(status int, msg string) reply {
	return reply{status: status, contentType: textPlain, body: []byte(msg + "\n")}
}

func jsonReply(status int, v any) reply {
	b, _ := json.MarshalIndent(v, "", "  ")
	return reply{status: status, contentType: "application/json", body: append(b, '\n')}
}

// ServeHTTP serves the RDS Query API on / and the lab's own control
// endpoints under /_lab/. Every request is recorded in requests.jsonl
// before its response is sent.
func (l *Lab) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	start := time.Now()
	rec := RequestRecord{Time: start, Method: hr.Method, Path: hr.URL.Path, RequestID: newRequestID()}
	var rp reply
	if strings.HasPrefix(hr.URL.Path, "/_lab/") {
		rec.Action = hr.URL.Path
		rp = l.serveControl(hr)
	} else {
		rec.Path = ""
		rp = l.serveAPI(hr, &rec)
	}
	rec.Status = rp.status
	rec.Duration = float64(time.Since(start).Microseconds()) / 1000
	if err := l.reqlog.append(rec); err != nil {
		l.opts.Logf("lab: %v", err)
	}
	rp.write(w)
	if rp.after != nil {
		rp.after()
	}
}

// serveAPI serves one RDS Query API call and fills in what rec says of it.
func (l *Lab) serveAPI(hr *http.Request, rec *RequestRecord) reply {
	r, result, err := l.serveAction(hr, rec)
	if r != nil {
		rec.Action, rec.Resource = r.action, r.resource
	}
	_, _, service := signedScope(hr)
	stsCall := r != nil && isSTS(r.action, hr.Form.Get("Version"), service)
	var body []byte
	if err == nil {
		if stsCall {
			body, err = encodeSTSResponse(r.action, rec.RequestID, result)
		} else {
			body, err = encodeResponse(r.action, rec.RequestID, result)
		}
	}
	status := http.StatusOK
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = internalError(err)
		}
		status, rec.Code = ae.Status, ae.Code
		if stsCall {
			body = encodeSTSError(ae, rec.RequestID)
		} else {
			body = encodeError(ae, rec.RequestID)
		}
	}
	if f := l.observe.Load(); f != nil {
		(*f)(rec.Action, status, body)
	}
	return reply{status: status, contentType: "text/xml", requestID: rec.RequestID, body: body}
}

func (l *Lab) serveAction(hr *http.Request, rec *RequestRecord) (*request, any, error) {
	if hr.Method != http.MethodPost && hr.Method != http.MethodGet {
		return nil, nil, &apiError{Status: http.StatusMethodNotAllowed, Code: "InvalidHttpMethod",
			Message: "The HTTP method " + hr.Method + " is not supported; use POST or GET"}
	}
	hr.Body = http.MaxBytesReader(nil, hr.Body, maxBody)
	if err := hr.ParseForm(); err != nil {
		// AWS's common errors give MalformedQueryString status 404.
		e := apiErr(codeMalformedQueryString, "The query string contains a syntax error: %s", err.Error())
		e.Status = http.StatusNotFound
		return nil, nil, e
	}
	r := &request{form: hr.Form, id: rec.RequestID, action: hr.Form.Get("Action")}
	if r.action == "" {
		// AWS's common error for a request without an Action.
		return r, nil, apiErr("MissingAction", "The request is missing an action or a required parameter.")
	}
	if hr.Form.Get("Version") == "" {
		// AWS refuses a Query API call without Version; the wording is
		// the lab's (MissingParameter's usual text).
		return r, nil, missingParameter("Version")
	}
	// The namespace is the caller's account (from its access key) in the
	// region its signature is scoped to; unsigned calls get the lab's own.
	akid, region, service := signedScope(hr)
	rec.Account, rec.Region = accountOfKey(akid), region
	if isSTS(r.action, hr.Form.Get("Version"), service) {
		if rec.Region == "" {
			rec.Region = l.opts.Region
		}
		if err := l.takeFault(hr, r, rec); err != nil {
			return r, nil, err
		}
		if err := refuseUnsupported(r); err != nil {
			return r, nil, err
		}
		result, err := stsRoutes[r.action](l, r, akid)
		return r, result, err
	}
	if v := hr.Form.Get("Version"); v != apiVersion {
		// Unconfirmed wording: AWS rejects unknown versions as an invalid action.
		return r, nil, apiErr(codeInvalidAction, "Could not find operation %s for version %s", r.action, v)
	}
	h, ok := routes[r.action]
	if !ok {
		// AWS's common error text for InvalidAction.
		return r, nil, apiErr(codeInvalidAction, "Could not find operation %s for version %s", r.action, apiVersion)
	}
	ns, err := l.namespace(nsKey{account: rec.Account, region: region})
	if err != nil {
		return r, nil, err
	}
	rec.Account, rec.Region = ns.account(), ns.opts.Region
	if err := l.takeFault(hr, r, rec); err != nil {
		return r, nil, err
	}
	result, err := h(ns, r)
	return r, result, err
}

// takeFault applies the injected fault, if any, that this call meets.
func (l *Lab) takeFault(hr *http.Request, r *request, rec *RequestRecord) error {
	if hit := l.faults.take(r.action); hit.hit {
		rec.Fault = true
		if err := hit.wait(hr.Context()); err != nil {
			return err
		}
		if hit.err != nil {
			return hit.err
		}
	}
	return nil
}

// serveControl serves /_lab/status, /_lab/shutdown and /_lab/faults.
func (l *Lab) serveControl(hr *http.Request) reply {
	switch {
	case hr.URL.Path == "/_lab/status" && hr.Method == http.MethodGet:
		return jsonReply(http.StatusOK, l.Status())
	case hr.URL.Path == "/_lab/shutdown" && hr.Method == http.MethodPost:
		rp := reply{status: http.StatusOK, contentType: "application/json", body: []byte(`{"stopping":true}` + "\n")}
		// Shutdown waits for in-flight requests, this one included, so
		// it runs once the reply is sent.
		rp.after = func() {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				l.stop(ctx)
			}()
		}
		return rp
	case hr.URL.Path == "/_lab/faults":
		return l.serveFaults(hr)
	case hr.URL.Path == "/_lab/maintenance":
		return l.serveMaintenance(hr)
	case hr.URL.Path == "/_lab/status" || hr.URL.Path == "/_lab/shutdown":
		return textReply(http.StatusMethodNotAllowed, "method not allowed")
	}
	return textReply(http.StatusNotFound, "404 page not found")
}

// newRequestID makes a UUID-shaped id like the ones RDS returns.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
