package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Fault makes the lab refuse one future call of an action, for tests of
// what a client does when RDS fails part-way (a chunked change whose
// second call is refused): after Skip more successful-or-not calls of
// Action, the next one fails with Code and Message and changes nothing.
// It is set through POST /_lab/faults, never through the RDS API.
type Fault struct {
	Action  string `json:"action"`
	Skip    int    `json:"skip"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status,omitempty"` // default from the code, as for every lab error
}

type faults struct {
	mu      sync.Mutex
	pending []*Fault
}

func (f *faults) add(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = append(f.pending, &ft)
}

// take reports the fault for this call of action, if one is due, and
// counts the call against the others.
func (f *faults) take(action string) *apiError {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.pending {
		if ft.Action != action {
			continue
		}
		if ft.Skip > 0 {
			ft.Skip--
			continue
		}
		f.pending = append(f.pending[:i], f.pending[i+1:]...)
		e := apiErr(ft.Code, "%s", ft.Message)
		if ft.Status != 0 {
			e.Status = ft.Status
		}
		return e
	}
	return nil
}

// serveFaults accepts a Fault as JSON on POST /_lab/faults.
func (l *Lab) serveFaults(w http.ResponseWriter, hr *http.Request) int {
	var ft Fault
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<16))
	if err == nil {
		err = json.Unmarshal(body, &ft)
	}
	switch {
	case err != nil:
	case ft.Action == "" || l.handlers[ft.Action] == nil:
		err = fmt.Errorf("unknown action %q", ft.Action)
	case ft.Code == "" || strings.ContainsAny(ft.Code, "<>&"):
		err = fmt.Errorf("a fault needs an error code")
	case ft.Skip < 0:
		err = fmt.Errorf("skip must not be negative")
	}
	if err != nil {
		http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
		return http.StatusBadRequest
	}
	l.faults.add(ft)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

// InjectFault asks the lab serving at endpoint to refuse one future call
// (POST /_lab/faults).
func InjectFault(endpoint string, ft Fault) error {
	b, _ := json.Marshal(ft)
	resp, err := http.Post(strings.TrimRight(endpoint, "/")+"/_lab/faults", "application/json", strings.NewReader(string(b)))
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
