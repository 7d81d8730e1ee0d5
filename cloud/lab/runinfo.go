package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// runInfoFile is where a serving lab announces itself to other processes.
const runInfoFile = "lab.json"

// ErrNotRunning is returned by ReadRunInfo when no lab serves from the dir.
var ErrNotRunning = errors.New("no lab is running")

// ReadRunInfo reads <dir>/lab.json, which exists while a lab serves from dir.
// A missing file yields an error wrapping ErrNotRunning (and fs.ErrNotExist).
func ReadRunInfo(dir string) (RunInfo, error) {
	b, err := os.ReadFile(filepath.Join(dir, runInfoFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return RunInfo{}, fmt.Errorf("%w in %s: %w", ErrNotRunning, dir, err)
		}
		return RunInfo{}, fmt.Errorf("reading lab run info: %w", err)
	}
	var ri RunInfo
	if err := json.Unmarshal(b, &ri); err != nil {
		return RunInfo{}, fmt.Errorf("decoding %s: %w", filepath.Join(dir, runInfoFile), err)
	}
	return ri, nil
}

// FetchStatus asks the lab serving at endpoint for its status
// (GET /_lab/status), so that `rdsctl lab status` works from another process.
func FetchStatus(ctx context.Context, endpoint string) (Status, error) {
	var st Status
	body, err := control(ctx, http.MethodGet, endpoint, "/_lab/status")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("decoding lab status: %w", err)
	}
	return st, nil
}

// Shutdown asks the lab serving at endpoint to stop (POST /_lab/shutdown).
// It returns once the lab has acknowledged; Done in that process closes
// shortly after.
func Shutdown(ctx context.Context, endpoint string) error {
	_, err := control(ctx, http.MethodPost, endpoint, "/_lab/shutdown")
	return err
}

func control(ctx context.Context, method, endpoint, path string) ([]byte, error) {
	url := strings.TrimRight(endpoint, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, fmt.Errorf("lab control %s: %w", path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lab control %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("lab control %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lab control %s: http %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}
