package ui

import (
	"strings"
	"testing"
	"time"
)

// TestElapsedPiped: off a terminal a long wait writes a "still" line at
// each interval, on stderr only, and stop ends them.
func TestElapsedPiped(t *testing.T) {
	s, _, out, errOut := Test()
	stop := s.startElapsed("waiting for db to be available", 30*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	s.Progressf("db: rebooting")
	stop()
	n := strings.Count(errOut.String(), "• still waiting for db to be available (0s so far)\n")
	if n < 2 {
		t.Errorf("want at least 2 still-waiting lines, got %d:\n%s", n, errOut)
	}
	if !strings.Contains(errOut.String(), "• db: rebooting\n") {
		t.Errorf("progress line lost:\n%s", errOut)
	}
	if strings.Contains(errOut.String(), "\r") || out.Len() != 0 {
		t.Errorf("piped output must hold no carriage returns and nothing on stdout: %q / %q", errOut, out)
	}
	before := errOut.Len()
	time.Sleep(60 * time.Millisecond)
	if errOut.Len() != before {
		t.Errorf("lines after stop: %q", errOut.String()[before:])
	}
	if _, ok := s.ErrOut.(*tickWriter); ok {
		t.Error("stop did not restore stderr")
	}
}

// TestElapsedTTY: on a terminal the elapsed time ticks in place, and a
// progress line first clears it, so it never lands after the tick.
func TestElapsedTTY(t *testing.T) {
	s, _, _, errOut := Test()
	s.IsStderrTTY = true
	stop := s.startElapsed("waiting", 30*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	s.Progressf("db: rebooting")
	time.Sleep(50 * time.Millisecond)
	stop()
	got := errOut.String()
	if !strings.Contains(got, "\r\033[K… waiting (0s)") {
		t.Errorf("no ticking line: %q", got)
	}
	if !strings.Contains(got, "\r\033[K• db: rebooting\n") {
		t.Errorf("the progress line did not clear the tick first: %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("stop left the ticking line on screen: %q", got)
	}
}
