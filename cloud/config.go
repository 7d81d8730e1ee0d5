// Package cloud is rdsctl's only door to AWS: loading the configuration
// (profile, region, SSO, endpoint override, retries), the RDS
// interface listing exactly the SDK methods rdsctl calls, paginated finds,
// parameter-group access for DB and cluster groups alike (Groups,
// GroupWriter), instance operations (attach, reboot, events) and status
// waits. It builds every SDK request, and types every failure close to the
// call: a named resource that does not exist is a *NotFoundError, any
// other failed call an *OpError shown without the SDK's preamble. Higher
// layers take a cloud.RDS and never see retry policy, endpoints, request
// shapes or error codes; they use the SDK's types package only as data
// (types.Parameter, types.DBInstance).
package cloud

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// DefaultMaxAttempts bounds the retryer (newRetryer): enough to ride out
// throttling on a busy account (RDS's Describe* limits are shared by every
// tool in it) or a burst of 5xx, 10 attempts with a back-off capped at 5 s,
// without leaving a CLI user staring at a hung command.
const DefaultMaxAttempts = 10

// ErrNoRegion is returned by Load when neither a flag, the environment nor
// the profile names a region; RDS has no global endpoint to fall back to.
var ErrNoRegion = errors.New("no AWS region configured: pass --region, set AWS_REGION, or set a region in your profile")

// Options select the AWS configuration. Empty fields fall back to the SDK's
// standard chain (environment, shared config and credentials files, SSO).
type Options struct {
	Region  string
	Profile string
	// EndpointURL overrides the RDS endpoint (e.g. the lab). It wins over
	// AWS_ENDPOINT_URL_RDS and AWS_ENDPOINT_URL, as --endpoint-url does in
	// the AWS CLI; other services keep their normal endpoints.
	EndpointURL string
	// Version is sent in the User-Agent as rdsctl/<Version>; "" sends "dev".
	Version string
}

// Load resolves the AWS configuration the standard way, then adds what
// rdsctl needs on top: the retryer (newRetryer), the user agent and the endpoint
// override.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKeyValue("rdsctl", version),
		}),
		// The SDK's own log lines ("SDK ... WARN falling back to IMDSv1")
		// would land in the middle of rdsctl's stderr; what matters of
		// them comes back as the call's error.
		config.WithLogger(logging.Nop{}),
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	// The retryer is set after loading so that AWS_MAX_ATTEMPTS and
	// max_attempts in the profile still bound it.
	maxAttempts := cfg.RetryMaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	cfg.Retryer = func() aws.Retryer { return newRetryer(maxAttempts) }
	if opts.EndpointURL != "" {
		// Carried as a config source so that it travels with cfg: the SDK's
		// own endpoint resolution consults it first for RDS, and NewRDS
		// applies it even where the SDK would stop at AWS_ENDPOINT_URL.
		cfg.ConfigSources = append([]any{endpointOverride{url: opts.EndpointURL}}, cfg.ConfigSources...)
	}
	return cfg, nil
}

// endpointOverride is the --endpoint-url, scoped to RDS.
type endpointOverride struct{ url string }

// GetServiceBaseEndpoint implements the SDK's service endpoint source.
func (e endpointOverride) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	if sdkID == "RDS" {
		return e.url, true, nil
	}
	return "", false, nil
}

// rdsEndpoint returns the --endpoint-url carried in cfg, if any.
func rdsEndpoint(cfg aws.Config) (string, bool) {
	for _, src := range cfg.ConfigSources {
		if e, ok := src.(endpointOverride); ok {
			return e.url, true
		}
	}
	return "", false
}
