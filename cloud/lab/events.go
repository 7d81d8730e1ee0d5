package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// event is an RDS event, as DescribeEvents reports it.
type event struct {
	Seq              int64     `json:"seq"`
	Date             time.Time `json:"date"`
	SourceType       string    `json:"source_type"`
	SourceIdentifier string    `json:"source_identifier"`
	SourceArn        string    `json:"source_arn,omitempty"`
	Message          string    `json:"message"`
	Categories       []string  `json:"categories,omitempty"`
	// EventID is the RDS-EVENT-NNNN id. DescribeEvents has no member for
	// it (AWS sends it only in SNS and EventBridge notifications), so it
	// lives in the state file, where tests and curious users can see it.
	EventID string `json:"event_id,omitempty"`
}

// Event retention: RDS keeps events for 14 days; the lab also caps the
// count so the state file stays small.
const (
	eventRetention = 14 * 24 * time.Hour
	maxEvents      = 5000
)

// sourceTypes are botocore's SourceType enum.
var sourceTypes = map[string]bool{
	"db-instance": true, "db-parameter-group": true, "db-security-group": true, "db-snapshot": true,
	"db-cluster": true, "db-cluster-snapshot": true, "custom-engine-version": true, "db-proxy": true,
	"blue-green-deployment": true, "db-shard-group": true, "zero-etl": true,
}

// addEvent records an event; the caller holds l.mu and persists.
func (s *state) addEvent(e event) {
	var last int64
	if n := len(s.Events); n > 0 {
		last = s.Events[n-1].Seq
	}
	e.Seq = last + 1
	if e.Date.IsZero() {
		e.Date = time.Now().UTC()
	}
	s.Events = append(s.Events, e)
	cut := 0
	for cut < len(s.Events) && (len(s.Events)-cut > maxEvents || e.Date.Sub(s.Events[cut].Date) > eventRetention) {
		cut++
	}
	if cut > 0 {
		s.Events = append([]event(nil), s.Events[cut:]...)
	}
}

func describeEvents(l *Lab, r *request) (any, error) {
	srcType, srcID := r.str("SourceType"), r.str("SourceIdentifier")
	r.resource = srcID
	if _, err := checkFilters(r); err != nil {
		return nil, err
	}
	if srcType != "" && !sourceTypes[srcType] {
		// Unconfirmed wording.
		return nil, apiErr(codeInvalidParameterValue, "Invalid source type: %s", srcType)
	}
	if srcID != "" && srcType == "" {
		// AWS documents: "If SourceIdentifier is supplied, SourceType must
		// also be provided." Unconfirmed wording.
		return nil, apiErr(codeInvalidParameterCombination, "SourceType must be specified when SourceIdentifier is specified")
	}
	now := time.Now().UTC()
	end := now
	if s := r.str("EndTime"); s != "" {
		t, err := parseTime("EndTime", s)
		if err != nil {
			return nil, err
		}
		end = t
	}
	dur, durSet, err := r.integer("Duration")
	if err != nil {
		return nil, err
	}
	if !durSet {
		dur = 60 // minutes: AWS returns the past hour by default
	}
	start := end.Add(-time.Duration(dur) * time.Minute)
	if s := r.str("StartTime"); s != "" {
		t, err := parseTime("StartTime", s)
		if err != nil {
			return nil, err
		}
		start = t
		if durSet && r.str("EndTime") == "" {
			end = start.Add(time.Duration(dur) * time.Minute)
		}
	}
	cats := formScalars(r.form, "EventCategories.EventCategory")
	var evs []event
	l.read(func(st *state) error {
		for _, e := range st.Events {
			if e.Date.Before(start) || e.Date.After(end) {
				continue
			}
			if srcType != "" && e.SourceType != srcType {
				continue
			}
			if srcID != "" && !strings.EqualFold(e.SourceIdentifier, srcID) {
				continue
			}
			if len(cats) > 0 && !overlaps(cats, e.Categories) {
				continue
			}
			evs = append(evs, e)
		}
		return nil
	})
	sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	pg, next, err := page(r, evs, func(e event) string { return fmt.Sprintf("%016d", e.Seq) })
	if err != nil {
		return nil, err
	}
	var out xmlEventsMessage
	out.Marker = next
	out.Events.Items = make([]xmlEvent, 0, len(pg))
	for _, e := range pg {
		x := xmlEvent{SourceIdentifier: e.SourceIdentifier, SourceType: e.SourceType, Message: e.Message,
			Date: isoTime(e.Date), SourceArn: e.SourceArn}
		x.Categories.Items = append([]string{}, e.Categories...)
		out.Events.Items = append(out.Events.Items, x)
	}
	return out, nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// parseTime reads an ISO 8601 timestamp as the SDKs send it.
func parseTime(param, s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apiErr(codeInvalidParameterValue, "Invalid value '%s' for %s: expected an ISO 8601 timestamp", s, param)
}

// Instance events, with the ids and messages of AWS's "Amazon RDS event
// categories and event messages" page.
var (
	evCreated         = instanceEventKind{"RDS-EVENT-0005", "creation", "DB instance created."}
	evDeleted         = instanceEventKind{"RDS-EVENT-0003", "deletion", "DB instance deleted."}
	evShutdown        = instanceEventKind{"RDS-EVENT-0004", "availability", "DB instance shutdown."}
	evRestarted       = instanceEventKind{"RDS-EVENT-0006", "availability", "DB instance restarted."}
	evFailoverStarted = instanceEventKind{"RDS-EVENT-0013", "failover", "Multi-AZ instance failover started."}
	// Seen in real DescribeEvents output after a forced failover; the
	// page lists no id for it.
	evFailoverReason   = instanceEventKind{"", "failover", "The user requested a failover of the DB instance."}
	evFailoverComplete = instanceEventKind{"RDS-EVENT-0049", "failover", "Multi-AZ instance failover completed."}
	evGroupUpdated     = instanceEventKind{"RDS-EVENT-0011", "configuration change", "Updated to use DBParameterGroup %s."}
	evGroupFinished    = instanceEventKind{"RDS-EVENT-0092", "configuration change", "Finished updating DB parameter group."}
	evClassApplying    = instanceEventKind{"RDS-EVENT-0012", "configuration change", "Applying modification to database instance class."}
	evClassFinished    = instanceEventKind{"RDS-EVENT-0014", "configuration change", "Finished applying modification to DB instance class."}
	evCredentialsReset = instanceEventKind{"RDS-EVENT-0016", "configuration change", "Reset master credentials."}
	evFailed           = instanceEventKind{"RDS-EVENT-0079", "failure", "The DB instance could not be started: %s"}
)

type instanceEventKind struct{ id, category, format string }

func (l *Lab) instanceEvent(id string, k instanceEventKind, args ...any) event {
	msg := k.format
	if len(args) > 0 {
		msg = fmt.Sprintf(k.format, args...)
	}
	return event{SourceType: "db-instance", SourceIdentifier: id, SourceArn: l.instanceARN(id),
		Message: msg, Categories: []string{k.category}, EventID: k.id}
}
