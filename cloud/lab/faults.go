package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is an injected failure, for tests of what a client does when RDS
// fails: a chunked change whose second call is refused, throttling that the
// SDK's retryer has to ride out, a slow or unavailable API. It says which
// RDS calls it hits and what they meet. It is set through POST /_lab/faults
// (InjectFault) or Options.Faults, never through the RDS API.
//
// Which calls: the calls of Action ("" for every action). Skip lets that
// many through first. Rate hits that fraction of the rest, drawn from a
// generator seeded with Seed, so the same calls in the same order meet the
// same faults in every run. Count retires the fault once it has hit that
// many calls. With neither Rate nor Count, a fault hits one call.
//
// What they meet: Latency, then the error Code with Message and Status.
// AWS's own transient errors need only their code: Throttling (400, "Rate
// exceeded"), InternalFailure (500) and ServiceUnavailable (503) come with
// the status, message and type AWS sends. Any other code takes its status
// from the code, as every lab error does. A fault with Latency and no Code
// delays the calls it hits, which then proceed.
//
// Faulted calls change nothing and are recorded in requests.jsonl with
// their status and code, and "fault": true.
type Fault struct {
	Action  string        `json:"action,omitempty"`
	Skip    int           `json:"skip,omitempty"`
	Rate    float64       `json:"rate,omitempty"`
	Count   int           `json:"count,omitempty"`
	Seed    uint64        `json:"seed,omitempty"`
	Code    string        `json:"code,omitempty"`
	Message string        `json:"message,omitempty"`
	Status  int           `json:"status,omitempty"`
	Latency time.Duration `json:"-"`
}

// faultJSON is Fault on the wire: Latency as a Go duration string ("200ms").
type faultJSON struct {
	plainFault
	Latency string `json:"latency,omitempty"`
}

type plainFault Fault

// MarshalJSON writes Latency as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{plainFault: plainFault(f)}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads Latency as a duration string.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault(j.plainFault)
	if j.Latency != "" {
		d, err := time.ParseDuration(j.Latency)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		f.Latency = d
	}
	return nil
}

// AWS's transient errors, as the Query API sends them: code, HTTP status,
// message and type. Throttling is what RDS answers a caller over its
// request rate; the other two are the common errors of every AWS API.
var transientErrors = map[string]apiError{
	"Throttling":         {Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded", Type: "Sender"},
	"InternalFailure":    {Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Type: "Receiver"},
	"ServiceUnavailable": {Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "The request has failed due to a temporary failure of the server.", Type: "Receiver"},
}

// maxFaultLatency bounds an injected delay, so that a lab always stops.
const maxFaultLatency = time.Minute

// Validate reports what is wrong with a fault, naming the field.
func (f Fault) Validate() error {
	switch {
	case f.Action != "" && routes[f.Action] == nil:
		return fmt.Errorf("unknown action %q", f.Action)
	case f.Code == "" && f.Latency == 0:
		return errors.New("a fault needs an error code or a latency")
	case strings.ContainsAny(f.Code, "<>&"):
		return fmt.Errorf("invalid error code %q", f.Code)
	case f.Skip < 0:
		return errors.New("skip must not be negative")
	case f.Count < 0:
		return errors.New("count must not be negative")
	case math.IsNaN(f.Rate) || f.Rate < 0 || f.Rate > 1:
		return fmt.Errorf("rate %v: want a fraction from 0 to 1", f.Rate)
	case f.Latency < 0 || f.Latency > maxFaultLatency:
		return fmt.Errorf("latency %s: want 0 to %s", f.Latency, maxFaultLatency)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("status %d: want an HTTP error status (400-599)", f.Status)
	}
	return nil
}

// apiError is the error the fault answers with, or nil for a delay only.
func (f Fault) apiError() *apiError {
	if f.Code == "" {
		return nil
	}
	e := apiErr(f.Code, "%s", f.Message)
	if t, ok := transientErrors[f.Code]; ok {
		e.Status, e.Type = t.Status, t.Type
		if f.Message == "" {
			e.Message = t.Message
		}
	}
	if f.Status != 0 {
		e.Status = f.Status
	}
	return e
}

// activeFault is a Fault with its progress.
type activeFault struct {
	Fault
	rng  *rand.Rand
	hits int
}

type faults struct {
	mu     sync.Mutex
	active []*activeFault
}

func (fs *faults) add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	af := &activeFault{Fault: f}
	if f.Rate > 0 {
		af.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	if f.Rate == 0 && f.Count == 0 {
		af.Count = 1
	}
	fs.active = append(fs.active, af)
}

func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.active = nil
}

func (fs *faults) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.active))
	for _, af := range fs.active {
		out = append(out, af.Fault)
	}
	return out
}

// faultHit is what the faults due for one call add up to.
type faultHit struct {
	hit     bool
	latency time.Duration
	err     *apiError
}

// wait sleeps for the hit's latency, or until the caller goes away.
func (h faultHit) wait(ctx context.Context) error {
	if h.latency <= 0 {
		return nil
	}
	t := time.NewTimer(h.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// take works out the faults due for this call of action, and counts the
// call against every fault that matches it. Every fault that hits adds its
// latency; the first one with an error answers.
func (fs *faults) take(action string) faultHit {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var h faultHit
	kept := fs.active[:0]
	for _, af := range fs.active {
		if af.due(action) {
			h.hit = true
			h.latency += af.Latency
			if h.err == nil {
				h.err = af.apiError()
			}
		}
		if af.Count == 0 || af.hits < af.Count {
			kept = append(kept, af)
		}
	}
	clear(fs.active[len(kept):])
	fs.active = kept
	return h
}

// due reports whether the fault hits this call of action.
func (af *activeFault) due(action string) bool {
	if af.Action != "" && af.Action != action {
		return false
	}
	if af.Count > 0 && af.hits >= af.Count {
		return false
	}
	if af.Skip > 0 {
		af.Skip--
		return false
	}
	if af.rng != nil && af.rng.Float64() >= af.Rate {
		return false
	}
	af.hits++
	return true
}

// serveFaults adds a Fault given as JSON (POST /_lab/faults), lists the
// active ones (GET) or removes them all (DELETE).
func (l *Lab) serveFaults(hr *http.Request) reply {
	switch hr.Method {
	case http.MethodGet:
		return jsonReply(http.StatusOK, l.faults.list())
	case http.MethodDelete:
		l.faults.clear()
		return reply{status: http.StatusNoContent}
	case http.MethodPost:
	default:
		return textReply(http.StatusMethodNotAllowed, "method not allowed")
	}
	var f Fault
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<16))
	if err == nil {
		err = json.Unmarshal(body, &f)
	}
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		return textReply(http.StatusBadRequest, "bad fault: "+err.Error())
	}
	l.faults.add(f)
	return reply{status: http.StatusNoContent}
}

// InjectFault adds a fault to the lab serving at endpoint
// (POST /_lab/faults).
func InjectFault(endpoint string, f Fault) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("bad fault: %w", err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding fault: %w", err)
	}
	return faultControl(http.MethodPost, endpoint, string(b))
}

// ClearFaults removes every fault from the lab serving at endpoint
// (DELETE /_lab/faults).
func ClearFaults(endpoint string) error {
	return faultControl(http.MethodDelete, endpoint, "")
}

func faultControl(method, endpoint, body string) error {
	req, err := http.NewRequest(method, strings.TrimRight(endpoint, "/")+"/_lab/faults", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("lab control /_lab/faults: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("lab control /_lab/faults: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("lab control /_lab/faults: http %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}
