package verify

import "testing"

// TestOverriding pins Aurora's precedence as Expectations applies it: an
// instance group's user-set value wins over the cluster group's, but a
// system default of the instance group (--all) does not hide a value the
// cluster group sets.
func TestOverriding(t *testing.T) {
	cluster := []Expectation{
		{Name: "key_buffer_size", Value: "16777216", Source: "user", From: "cluster group cg"},
		{Name: "innodb_strict_mode", Value: "0", Source: "user", From: "cluster group cg"},
		{Name: "binlog_format", Value: "ROW", Source: "system", From: "cluster group cg"},
	}
	inst := []Expectation{
		{Name: "key_buffer_size", Value: "25165824", Source: "user", From: "instance group ig"},
		{Name: "innodb-strict-mode", Value: "1", Source: "system", From: "instance group ig"},
		{Name: "binlog_format", Value: "MIXED", Source: "system", From: "instance group ig"},
		{Name: "wait_timeout", Value: "300", Source: "user", From: "instance group ig"},
	}
	got := map[string]Expectation{}
	for _, e := range Merge(cluster, overriding(cluster, inst)) {
		got[CanonicalName(e.Name)] = e
	}
	want := map[string]string{
		"key_buffer_size":    "25165824 instance group ig",
		"innodb_strict_mode": "0 cluster group cg",
		"binlog_format":      "MIXED instance group ig",
		"wait_timeout":       "300 instance group ig",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d expectations, want %d: %+v", len(got), len(want), got)
	}
	for name, w := range want {
		e, ok := got[CanonicalName(name)]
		if !ok || e.Value+" "+e.From != w {
			t.Errorf("%s = %q from %q, want %s", name, e.Value, e.From, w)
		}
	}
}
