package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"

	"github.com/spf13/cobra"
)

// shortLivedMemoryLimit is the soft memory limit (runtime/debug) of the
// short-lived commands, with the collector otherwise off: such a command
// allocates a few megabytes to tens of megabytes, mostly SDK responses
// decoded and dropped, and keeps a few. Collecting only near the limit
// saves the cycles that the default (collect each time the heap doubles,
// from 4 MB) spends on a `params show` or `params diff`, and bounds a
// policy check of hundreds of groups to about this much heap, stacks and
// runtime metadata instead of twice its live heap plus what the scavenger
// has not yet returned.
const shortLivedMemoryLimit = 14 << 20

// memoryTunedCommands are the command paths (below the root) that get the
// limit: reads and edits that end in seconds. Never a command that can run
// for minutes or hours (lab up, failover, gameday, demo, wait), whose live
// heap is not bounded by what it read.
var memoryTunedCommands = []string{"params", "policy"}

// tuneMemory applies shortLivedMemoryLimit when cmd is one of
// memoryTunedCommands and the user has set neither GOGC nor GOMEMLIMIT.
// A live heap past half the limit (a fleet far larger than usual) would
// make the collector run ever more often; the first cycle that finds one
// gives the collector back its default pacing.
func tuneMemory(cmd *cobra.Command, getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" || !memoryTuned(cmd) {
		return
	}
	debug.SetMemoryLimit(shortLivedMemoryLimit)
	debug.SetGCPercent(-1)
	watchLiveHeap(shortLivedMemoryLimit / 2)
}

func memoryTuned(cmd *cobra.Command) bool {
	path := strings.Fields(cmd.CommandPath())
	if len(path) < 2 {
		return false
	}
	for _, name := range memoryTunedCommands {
		if path[1] == name {
			return true
		}
	}
	return false
}

// watchLiveHeap checks the live heap after every collection and restores
// the runtime's defaults (GOGC=100, no memory limit) once it exceeds max.
func watchLiveHeap(max uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A cleanup runs after the collection that finds its object
		// unreachable, i.e. once per cycle while it is re-armed. The
		// object is too large for the tiny allocator, which would tie
		// it to its neighbours.
		runtime.AddCleanup(new([32]byte), func(struct{}) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > max {
				debug.SetGCPercent(100)
				debug.SetMemoryLimit(math.MaxInt64)
				return
			}
			arm()
		}, struct{}{})
	}
	arm()
}
