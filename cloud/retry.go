package cloud

import (
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Retry back-off: full jitter over an exponential ceiling. Throttles start
// higher than other transient errors (500, 503, a reset connection), as
// the AWS SDKs' legacy retryers did, and both are capped low enough that
// a CLI user never waits long on one call.
const (
	retryBase         = 25 * time.Millisecond
	throttleRetryBase = 100 * time.Millisecond
	retryMaxBackoff   = 5 * time.Second
)

// newRetryer is rdsctl's retry policy: the SDK's standard retryer with
// maxAttempts attempts, the back-off above, and no retry quota.
//
// Not the adaptive retryer: it answers every throttle by lowering the
// client's sending rate for all later calls, which against a fixed
// fraction of throttled calls (the lab's faults, a busy shared account)
// sank a 200-group policy check to about ten calls a second. Not the
// default quota either: its 500-token bucket (14 per retried 5xx) runs dry
// in a burst of faults and fails calls that their own attempts would have
// carried; every call is bounded by maxAttempts anyway.
func newRetryer(maxAttempts int) aws.Retryer {
	throttles := retry.IsErrorThrottles(retry.DefaultThrottles)
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = retryMaxBackoff
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
			base := retryBase
			if throttles.IsErrorThrottle(err).Bool() {
				base = throttleRetryBase
			}
			return backoff(base, attempt), nil
		})
	})
}

// backoff is the delay before retry number attempt (1 for the first):
// uniformly random below base*2^(attempt-1), at most retryMaxBackoff.
func backoff(base time.Duration, attempt int) time.Duration {
	ceiling := retryMaxBackoff
	if attempt < 20 {
		ceiling = min(retryMaxBackoff, base<<(attempt-1))
	}
	return rand.N(ceiling) + 1
}
