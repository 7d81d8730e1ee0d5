package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// requestsFile is the audit trail other packages' tests read to prove, for
// example, that a dry run made no mutating call.
const requestsFile = "requests.jsonl"

// RequestRecord is one line of requests.jsonl. It deliberately carries no
// form values beyond the action and the names of the resources touched:
// requests may carry secrets (MasterUserPassword).
type RequestRecord struct {
	Time      time.Time `json:"time"`
	Action    string    `json:"action"`
	Method    string    `json:"method,omitempty"`
	Path      string    `json:"path,omitempty"`
	Status    int       `json:"status"`
	Code      string    `json:"code"`
	RequestID string    `json:"request_id"`
	Resource  string    `json:"resource,omitempty"`
	Duration  float64   `json:"duration_ms"`
	// Region and Account name the namespace that served the call (for STS:
	// the scope's region and the caller's account).
	Region  string `json:"region,omitempty"`
	Account string `json:"account,omitempty"`
	// Fault marks a call that an injected fault delayed or answered.
	Fault bool `json:"fault,omitempty"`
}

// MarshalJSON writes Time in RFC 3339 with nanoseconds.
func (r RequestRecord) MarshalJSON() ([]byte, error) {
	type plain RequestRecord
	return json.Marshal(struct {
		Time string `json:"time"`
		plain
	}{r.Time.UTC().Format(time.RFC3339Nano), plain(r)})
}

type requestLog struct {
	mu sync.Mutex
	f  *os.File
}

func openRequestLog(dir string) (*requestLog, error) {
	f, err := os.OpenFile(filepath.Join(dir, requestsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening request log: %w", err)
	}
	return &requestLog{f: f}, nil
}

// append writes one line with a single write call, so lines from
// concurrent requests never interleave.
func (rl *requestLog) append(rec RequestRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding request record: %w", err)
	}
	b = append(b, '\n')
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.f == nil {
		return nil
	}
	if _, err := rl.f.Write(b); err != nil {
		return fmt.Errorf("writing request log: %w", err)
	}
	return nil
}

func (rl *requestLog) close() error {
	if rl == nil {
		return nil
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.f == nil {
		return nil
	}
	err := rl.f.Close()
	rl.f = nil
	if err != nil {
		return fmt.Errorf("closing request log: %w", err)
	}
	return nil
}
