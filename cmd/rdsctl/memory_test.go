package main

import (
	"strings"
	"testing"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// TestMemoryTuned: only the short-lived command groups get the soft
// memory limit; lab, failover, gameday and demo never do.
func TestMemoryTuned(t *testing.T) {
	ios, _, _, _ := ui.Test()
	root := NewCmdRoot(newFactory(ios))
	for path, want := range map[string]bool{
		"params show": true, "params diff": true, "policy check": true,
		"lab up": false, "failover": false, "gameday": false, "demo": false, "version": false,
	} {
		cmd, _, err := root.Find(strings.Fields(path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := memoryTuned(cmd); got != want {
			t.Errorf("memoryTuned(%s) = %v, want %v", path, got, want)
		}
	}
	if memoryTuned(root) {
		t.Error("memoryTuned(root) = true")
	}
}
