package cloud

import (
	"testing"
	"time"
)

// TestBackoff: every delay is positive, under its exponential ceiling and
// under the cap, however many attempts, and the ceiling does grow.
func TestBackoff(t *testing.T) {
	var most time.Duration
	for attempt := 1; attempt <= 64; attempt++ {
		ceiling := retryMaxBackoff
		if attempt < 20 {
			ceiling = min(retryMaxBackoff, throttleRetryBase<<(attempt-1))
		}
		for range 200 {
			d := backoff(throttleRetryBase, attempt)
			if d <= 0 || d > ceiling {
				t.Fatalf("attempt %d: delay %s, want (0, %s]", attempt, d, ceiling)
			}
			if attempt == 1 {
				continue
			}
			most = max(most, d)
		}
	}
	if most < retryMaxBackoff/2 {
		t.Errorf("longest delay %s: the back-off never approached its cap %s", most, retryMaxBackoff)
	}
}
