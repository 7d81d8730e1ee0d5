package lab

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// handler serves one RDS action. It returns the value encoded as the
// <ActionResult> element (nil for none) or an error; a non-*apiError error
// becomes InternalFailure.
type handler func(l *Lab, r *request) (any, error)

// routes is the dispatch table. The DB instance, cluster and failover
// actions are added here, each in a file of its own.
func (l *Lab) routes() map[string]handler {
	return map[string]handler{
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
		"DescribeDBClusters":  describeClusters,

		"DescribeEvents": describeEvents,
	}
}

// maxBody bounds a request body; RDS requests are small.
const maxBody = 1 << 20

// ServeHTTP serves the RDS Query API on / and the lab's own control
// endpoints under /_lab/.
func (l *Lab) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	start := time.Now()
	rec := RequestRecord{Time: start, Method: hr.Method, Path: hr.URL.Path, RequestID: newRequestID()}
	defer func() {
		rec.Duration = float64(time.Since(start).Microseconds()) / 1000
		if err := l.reqlog.append(rec); err != nil {
			l.opts.Logf("lab: %v", err)
		}
	}()
	if strings.HasPrefix(hr.URL.Path, "/_lab/") {
		rec.Action = hr.URL.Path
		rec.Status = l.serveControl(w, hr)
		return
	}
	rec.Path = ""
	r, result, err := l.serveAction(hr, rec.RequestID)
	if r != nil {
		rec.Action, rec.Resource = r.action, r.resource
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = internalError(err)
		}
		rec.Status, rec.Code = ae.Status, ae.Code
		l.respond(w, rec.Action, ae.Status, rec.RequestID, encodeError(ae, rec.RequestID))
		return
	}
	body, err := encodeResponse(r.action, rec.RequestID, result)
	if err != nil {
		ae := internalError(err)
		rec.Status, rec.Code = ae.Status, ae.Code
		l.respond(w, rec.Action, ae.Status, rec.RequestID, encodeError(ae, rec.RequestID))
		return
	}
	rec.Status = http.StatusOK
	l.respond(w, rec.Action, http.StatusOK, rec.RequestID, body)
}

func (l *Lab) respond(w http.ResponseWriter, action string, status int, requestID string, body []byte) {
	if f := l.observe.Load(); f != nil {
		(*f)(action, status, body)
	}
	writeXML(w, status, requestID, body)
}

func (l *Lab) serveAction(hr *http.Request, id string) (*request, any, error) {
	if hr.Method != http.MethodPost && hr.Method != http.MethodGet {
		return nil, nil, &apiError{Status: http.StatusMethodNotAllowed, Code: "InvalidHttpMethod",
			Message: "The HTTP method " + hr.Method + " is not supported; use POST or GET"}
	}
	hr.Body = http.MaxBytesReader(nil, hr.Body, maxBody)
	if err := hr.ParseForm(); err != nil {
		return nil, nil, apiErr(codeMalformedQueryString, "%s", err.Error())
	}
	r := &request{form: hr.Form, id: id, action: hr.Form.Get("Action")}
	if r.action == "" {
		// AWS's common error for a request without an Action.
		return r, nil, apiErr("MissingAction", "The request is missing an action or a required parameter.")
	}
	if v := hr.Form.Get("Version"); v != "" && v != apiVersion {
		// Unconfirmed wording: AWS rejects unknown versions as an invalid action.
		return r, nil, apiErr(codeInvalidAction, "Could not find operation %s for version %s", r.action, v)
	}
	h, ok := l.handlers[r.action]
	if !ok {
		// AWS's common error text for InvalidAction.
		return r, nil, apiErr(codeInvalidAction, "Could not find operation %s for version %s", r.action, apiVersion)
	}
	if e := l.faults.take(r.action); e != nil {
		return r, nil, e
	}
	result, err := h(l, r)
	return r, result, err
}

// serveControl serves /_lab/status, /_lab/shutdown and /_lab/faults; it
// returns the HTTP status written.
func (l *Lab) serveControl(w http.ResponseWriter, hr *http.Request) int {
	switch {
	case hr.URL.Path == "/_lab/status" && hr.Method == http.MethodGet:
		b, _ := json.MarshalIndent(l.Status(), "", "  ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(append(b, '\n'))
		return http.StatusOK
	case hr.URL.Path == "/_lab/shutdown" && hr.Method == http.MethodPost:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"stopping":true}` + "\n"))
		// Shutdown waits for in-flight requests, this one included, so
		// it runs once this handler has returned.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			l.stop(ctx)
		}()
		return http.StatusOK
	case hr.URL.Path == "/_lab/faults" && hr.Method == http.MethodPost:
		return l.serveFaults(w, hr)
	case hr.URL.Path == "/_lab/status" || hr.URL.Path == "/_lab/shutdown" || hr.URL.Path == "/_lab/faults":
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	http.NotFound(w, hr)
	return http.StatusNotFound
}

// newRequestID makes a UUID-shaped id like the ones RDS returns.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
