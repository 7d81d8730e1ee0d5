package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The maintenance window. Without ApplyImmediately, RDS holds a class or
// Multi-AZ change in PendingModifiedValues until the instance's weekly
// maintenance window. The lab has no clock-driven window: POST
// /_lab/maintenance?instance=ID opens it for one instance now, so that a
// script can test what happens when pending changes land.

// MaintenanceResult is what POST /_lab/maintenance answers: the changes
// the window applied.
type MaintenanceResult struct {
	Instance string   `json:"instance"`
	Applied  []string `json:"applied"`
}

// openMaintenance applies an instance's pending modifications. It refuses
// an instance that is not available, as RDS defers maintenance then.
func (l *Lab) openMaintenance(id string) (MaintenanceResult, error) {
	res := MaintenanceResult{Instance: strings.ToLower(id), Applied: []string{}}
	var restart, changed bool
	err := l.mutate(func(st *state) error {
		in, err := findInstance(st, id)
		if err != nil {
			return err
		}
		if in.PendingClass == "" && in.PendingMultiAZ == nil {
			return nil
		}
		if in.Status != statusAvailable {
			return notAvailable(in)
		}
		if in.PendingClass != "" {
			res.Applied = append(res.Applied, "DBInstanceClass="+in.PendingClass)
			in.Class, in.PendingClass, restart = in.PendingClass, "", true
		}
		if in.PendingMultiAZ != nil {
			in.MultiAZ = *in.PendingMultiAZ
			res.Applied = append(res.Applied, fmt.Sprintf("MultiAZ=%t", in.MultiAZ))
			in.PendingMultiAZ = nil
			in.SecondaryAZ = ""
			if in.MultiAZ {
				in.SecondaryAZ = l.otherAZ(in.AZ)
			}
		}
		in.Status, changed = statusModifying, true
		return nil
	})
	if err != nil {
		return res, err
	}
	if changed {
		l.startModify(res.Instance, false, restart, "")
	}
	return res, nil
}

// serveMaintenance serves POST /_lab/maintenance?instance=ID.
func (l *Lab) serveMaintenance(hr *http.Request) reply {
	if hr.Method != http.MethodPost {
		return textReply(http.StatusMethodNotAllowed, "method not allowed")
	}
	id := hr.URL.Query().Get("instance")
	if id == "" {
		return textReply(http.StatusBadRequest, "missing ?instance=ID")
	}
	res, err := l.openMaintenance(id)
	if err != nil {
		if ae, ok := err.(*apiError); ok {
			return textReply(ae.Status, ae.Code+": "+ae.Message)
		}
		return textReply(http.StatusInternalServerError, err.Error())
	}
	return jsonReply(http.StatusOK, res)
}

// OpenMaintenance opens the maintenance window of one instance of the lab
// serving at endpoint: its pending class and Multi-AZ changes start to
// apply. It returns what was applied; none is not an error.
func OpenMaintenance(endpoint, instance string) (MaintenanceResult, error) {
	var res MaintenanceResult
	u := strings.TrimRight(endpoint, "/") + "/_lab/maintenance?instance=" + url.QueryEscape(instance)
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(u, "application/json", nil)
	if err != nil {
		return res, fmt.Errorf("lab control /_lab/maintenance: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return res, fmt.Errorf("%w: %s", ErrNoSuchInstance, strings.TrimSpace(string(body)))
	case resp.StatusCode != http.StatusOK:
		return res, fmt.Errorf("lab control /_lab/maintenance: http %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return res, fmt.Errorf("lab control /_lab/maintenance: %w", err)
	}
	return res, nil
}

// ErrNoSuchInstance is OpenMaintenance's error for an instance the lab
// does not have.
var ErrNoSuchInstance = errors.New("no such DB instance")
