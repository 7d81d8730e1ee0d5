//go:build !linux

package verify

import "testing"

// interactiveSessionWaitTimeout needs Linux's /dev/ptmx interface.
func interactiveSessionWaitTimeout(t *testing.T, _, _ string, _ int, _, _ string) (int64, string) {
	t.Skip("the interactive client test opens a pty through Linux's /dev/ptmx")
	return 0, ""
}
