package lab

import (
	"encoding/base64"
	"sort"
	"strings"
)

// Paging limits of the RDS Describe actions.
const (
	minRecords     = 20
	maxRecords     = 100
	defaultRecords = 100
)

// markerPrefix makes markers recognisable, so that a marker from another
// action or a hand-edited one is rejected instead of silently restarting.
const markerPrefix = "lab1:"

// pageSize reads MaxRecords: absent means 100; outside 20..100 is AWS's
// InvalidParameterValue.
func (r *request) pageSize() (int, error) {
	n, set, err := r.integer("MaxRecords")
	if err != nil {
		return 0, err
	}
	if !set {
		return defaultRecords, nil
	}
	if n < minRecords || n > maxRecords {
		// AWS: "Invalid value 10 for MaxRecords. Must be between 20 and 100"
		return 0, apiErr(codeInvalidParameterValue, "Invalid value %d for MaxRecords. Must be between %d and %d", n, minRecords, maxRecords)
	}
	return n, nil
}

// page cuts one page out of items, which are sorted by key. The marker
// carries the last key returned rather than an offset, so a page stays
// correct when items are added or deleted between calls.
func page[T any](r *request, items []T, key func(T) string) ([]T, string, error) {
	size, err := r.pageSize()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if m := r.str("Marker"); m != "" {
		after, ok := decodeMarker(m)
		if !ok {
			// Unconfirmed wording; the code is what AWS uses for a bad marker.
			return nil, "", apiErr(codeInvalidParameterValue, "Invalid marker: %s", m)
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = encodeMarker(key(items[end-1]))
	}
	return items[start:end], next, nil
}

func encodeMarker(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(markerPrefix + lastKey))
}

func decodeMarker(m string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), markerPrefix)
}
