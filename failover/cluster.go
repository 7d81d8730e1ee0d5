package failover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/verify"
)

// ClusterAPI is the part of RDS an Aurora cluster failover calls;
// *rds.Client and cloud.RDS satisfy it.
type ClusterAPI interface {
	cloud.ClusterAPI
	FailoverDBCluster(context.Context, *rds.FailoverDBClusterInput, ...func(*rds.Options)) (*rds.FailoverDBClusterOutput, error)
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

// ErrNoReader: the cluster has no available reader to promote (or the
// target is not one); nothing was triggered.
var ErrNoReader = errors.New("no reader to fail over to")

// ClusterResult is what a cluster failover adds to Result; every field is
// absent from an instance run's JSON.
type ClusterResult struct {
	Cluster string `json:"cluster,omitempty"`
	// Target is the reader asked for, "" when RDS picked.
	Target string `json:"target,omitempty"`
	// OldWriter and NewWriter are the writer instances before and after,
	// as the API names them (IsClusterWriter).
	OldWriter string `json:"old_writer,omitempty"`
	NewWriter string `json:"new_writer,omitempty"`
	// NewWriterServer is who the new writer's instance endpoint answered
	// as after the run; WriterConfirmed is whether the server that
	// answered the cluster endpoint at the recovery (NewPrimary) is it,
	// read-write: the endpoint really follows the writer.
	NewWriterServer *Server `json:"new_writer_server,omitempty"`
	WriterConfirmed *bool   `json:"writer_confirmed,omitempty"`
	// DNS is what the cluster endpoint's name resolved to on each
	// attempt, and when that changed.
	DNS *DNS `json:"dns,omitempty"`
	// OldWriterEndpoint is what a client stuck on the old writer's
	// instance endpoint met (Options.OldWriterProbe).
	OldWriterEndpoint *EndpointFigures `json:"old_writer_endpoint,omitempty"`
}

// EndpointFigures sum up a side probe of one instance endpoint.
type EndpointFigures struct {
	Instance string `json:"instance"`
	Address  string `json:"address"`
	Probes   int    `json:"probes"`
	Failures int    `json:"failures"`
	// ErrorClasses counts failures at or after the trigger by class, every
	// class present.
	ErrorClasses map[string]int `json:"error_classes"`
	// FirstReadOnlyAt is the first read_only failure at or after the
	// trigger: the moment a stale client starts to see 1290s.
	FirstReadOnlyAt *time.Time `json:"first_read_only_at"`
	// ReadOnlyAtEnd is whether the last attempt met a read-only server.
	ReadOnlyAtEnd bool `json:"read_only_at_end"`
}

// endpointFigures sums up obs (a side probe of instance at addr) from
// trigger on.
func endpointFigures(instance, addr string, obs []Observation, trigger time.Time) *EndpointFigures {
	s := Summarize(obs, trigger)
	f := &EndpointFigures{Instance: instance, Address: addr, Probes: s.Probes, Failures: s.Failures, ErrorClasses: s.ErrorClasses}
	for _, o := range obs {
		if !o.At.Before(trigger) && o.Class == ClassReadOnly && f.FirstReadOnlyAt == nil {
			f.FirstReadOnlyAt = ptr(o.At)
		}
	}
	if n := len(obs); n > 0 {
		f.ReadOnlyAtEnd = obs[n-1].Class == ClassReadOnly || obs[n-1].OK && obs[n-1].ReadOnly
	}
	return f
}

// ClusterPreflight checks that DB cluster id can fail over, to target when
// set, and returns it: the cluster and its writer available, and a reader
// (the target, when named) available to promote. It makes no change; its
// errors wrap ErrNotAvailable or ErrNoReader, or are the API's
// (cloud.IsNotFound for a missing cluster).
func ClusterPreflight(ctx context.Context, api cloud.ClusterAPI, id, target string) (cloud.Cluster, []string, error) {
	c, err := cloud.DescribeCluster(ctx, api, id)
	if err != nil {
		return c, nil, err
	}
	if c.Status != "available" {
		return c, nil, fmt.Errorf("cluster %s is %s: %w", id, c.Status, ErrNotAvailable)
	}
	w := c.Writer()
	if w == nil {
		return c, nil, fmt.Errorf("cluster %s has no writer: %w", id, ErrNotAvailable)
	}
	if c.Endpoint == "" {
		return c, nil, fmt.Errorf("cluster %s has no endpoint yet: %w", id, ErrNotAvailable)
	}
	var readers []string
	for _, m := range c.Members {
		if !m.Writer && m.Status() == "available" {
			readers = append(readers, m.Instance)
		}
	}
	switch t := c.Member(target); {
	case target != "" && t == nil:
		return c, nil, fmt.Errorf("--target %s is not a member of cluster %s (members: %s): %w", target, id, memberNames(c), ErrNoReader)
	case target != "" && t.Writer:
		return c, nil, fmt.Errorf("--target %s is already the writer of cluster %s: %w", target, id, ErrNoReader)
	case target != "" && t.Status() != "available":
		return c, nil, fmt.Errorf("--target %s is %s: %w", target, orDash(t.Status()), ErrNoReader)
	case len(readers) == 0:
		return c, nil, fmt.Errorf("cluster %s has no available reader: %w", id, ErrNoReader)
	}
	var warnings []string
	for _, m := range c.Members {
		if m.ClusterGroupStatus == "pending-reboot" {
			warnings = append(warnings, fmt.Sprintf("cluster parameter group %s is pending-reboot on %s: changes waiting for its reboot are not live there", c.ClusterGroup, m.Instance))
		}
	}
	return c, warnings, nil
}

func memberNames(c cloud.Cluster) string {
	s := ""
	for i, m := range c.Members {
		if i > 0 {
			s += ", "
		}
		s += m.Instance
	}
	return orDash(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ClusterLogin is the writer's instance record with the cluster endpoint
// in place of its own: what verify.Login.Resolve needs to log in through
// the cluster endpoint (the master user and secret are the writer's,
// i.e. the cluster's).
func ClusterLogin(c cloud.Cluster) (types.DBInstance, error) {
	w := c.Writer()
	if w == nil {
		return types.DBInstance{}, fmt.Errorf("cluster %s has no writer: %w", c.ID, ErrNotAvailable)
	}
	in := w.Raw
	host, port, err := net.SplitHostPort(c.Endpoint)
	if err != nil {
		return types.DBInstance{}, fmt.Errorf("cluster %s endpoint %q: %w", c.ID, c.Endpoint, err)
	}
	n, _ := strconv.Atoi(port)
	in.Endpoint = &types.Endpoint{Address: aws.String(host), Port: aws.Int32(int32(n))}
	if in.MasterUsername == nil {
		in.MasterUsername = c.Raw.MasterUsername
	}
	if in.MasterUserSecret == nil && c.Raw.MasterUserSecret != nil {
		in.MasterUserSecret = &types.MasterUserSecret{SecretArn: c.Raw.MasterUserSecret.SecretArn}
	}
	return in, nil
}

// At returns a fresh probe like p (login, TLS, timeouts, interval, write,
// resolver) aimed at addr: a side probe of one instance endpoint, or a
// one-off look at a member.
func (p *Probe) At(addr string) *Probe {
	return &Probe{Addr: addr, User: p.User, Password: p.Password, TLS: p.TLS, Interval: p.Interval,
		ConnectTimeout: p.ConnectTimeout, ReadTimeout: p.ReadTimeout, WriteTimeout: p.WriteTimeout,
		Write: p.Write, Table: p.Table, Resolve: p.Resolve, Clock: p.Clock, MaxKept: p.MaxKept,
		MaxInFlight: p.MaxInFlight}
}

// RunCluster fails Aurora DB cluster opts.Cluster over (FailoverDBCluster,
// to opts.Target when set) and measures it as Run measures an instance:
// opts.Probe writes through the cluster endpoint, re-resolving its name on
// every attempt, so a read-only answer from the demoted writer counts as
// down (class read_only) and a DNS flip is dated; opts.OldWriterProbe
// watches the old writer's own endpoint. It waits for the API to name a
// new writer and for the probe to see the endpoint stable, then confirms
// the endpoint reaches the new writer by server identity and verifies it
// (opts.VerifyInstance).
//
// Errors as Run's, with ErrNoReader for a cluster that cannot fail over.
func RunCluster(ctx context.Context, api ClusterAPI, opts Options) (*Result, error) {
	opts.defaults()
	res := &Result{Operation: "failover", Warnings: []string{}, Timeline: []Entry{}}
	res.Cluster, res.Target = opts.Cluster, opts.Target
	if opts.Probe == nil {
		return res, errors.New("failover run needs a probe")
	}
	// Through a cluster endpoint a read-only server is the outage.
	opts.Probe.Write = true
	c, warnings, err := ClusterPreflight(ctx, api, opts.Cluster, opts.Target)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, warnings...)
	for _, w := range warnings {
		opts.Warn("%s", w)
	}
	old := c.Writer()
	res.OldWriter = old.Instance
	res.OldPrimaryAZ = aws.ToString(old.Raw.AvailabilityZone)

	if sp := opts.OldWriterProbe; sp != nil {
		sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); _ = sp.Run(sctx) }()
		defer func() {
			stop()
			<-done
			if !res.TriggeredAt.IsZero() {
				res.OldWriterEndpoint = endpointFigures(old.Instance, sp.Addr, sp.Observations(), res.TriggeredAt)
			}
		}()
	}

	if opts.VerifyInstance != nil {
		opts.Verify = func(ctx context.Context) (*verify.Report, error) { return opts.VerifyInstance(ctx, res.NewWriter) }
	}
	err = measure(ctx, &opts, res, operation{
		trigger: func(ctx context.Context) (string, error) {
			out, err := cloud.FailoverCluster(ctx, api, opts.Cluster, opts.Target)
			if err != nil {
				return "", err
			}
			to := "a reader RDS picks"
			if opts.Target != "" {
				to = opts.Target
			}
			opts.Progress("FailoverDBCluster accepted; waiting for %s to have a new writer (%s)", opts.Cluster, to)
			text := "FailoverDBCluster accepted, status " + aws.ToString(out.Status)
			if opts.Target != "" {
				text = "FailoverDBCluster TargetDBInstanceIdentifier=" + opts.Target + " accepted, status " + aws.ToString(out.Status)
			}
			return text, nil
		},
		wait: func(ctx context.Context, marks *[]Mark) error { return waitNewWriter(ctx, api, opts, res, marks) },
		events: func(ctx context.Context, since time.Time) ([]types.Event, error) {
			return cloud.ClusterEvents(ctx, api, opts.Cluster, since)
		},
		verifyWhat: "new writer's",
	})
	if !res.TriggeredAt.IsZero() {
		d := DNSChange(opts.Probe.Addr, res.Observations, res.TriggeredAt)
		res.DNS = &d
	}
	if err == nil {
		confirmWriter(ctx, api, opts, res)
	}
	return res, err
}

// waitNewWriter waits for the API to name a writer other than the old one
// (the target, when set) with the cluster available, recording status and
// writer changes as marks, then for the probe to see the endpoint stable.
func waitNewWriter(ctx context.Context, api ClusterAPI, opts Options, res *Result, marks *[]Mark) error {
	lastStatus, lastWriter := "", res.OldWriter
	observe := func(c cloud.Cluster) {
		now := opts.Now()
		if c.Status != lastStatus {
			*marks = append(*marks, Mark{At: now, Text: "cluster status " + c.Status})
			opts.Progress("cluster status: %s", c.Status)
			lastStatus = c.Status
		}
		w := "(none)"
		if m := c.Writer(); m != nil {
			w = m.Instance
		}
		if w != lastWriter {
			*marks = append(*marks, Mark{At: now, Text: "writer " + w})
			opts.Progress("writer: %s", w)
			lastWriter = w
		}
	}
	delays := func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = min(opts.PollInterval, 200*time.Millisecond), opts.PollInterval
	}
	err := cloud.WaitClusterWriter(ctx, api, opts.Cluster, res.OldWriter, opts.Target, opts.Timeout, observe, delays)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, cloud.ErrWaitTimedOut):
		return fmt.Errorf("%w after %s: %v", ErrTimedOut, opts.Timeout, err)
	default:
		return err
	}
	now := opts.Now()
	res.AvailableAt = &now
	d := now.Sub(res.TriggeredAt).Seconds()
	res.APISeconds = &d
	if c, err := cloud.DescribeCluster(ctx, api, opts.Cluster); err == nil {
		if w := c.Writer(); w != nil {
			res.NewWriter = w.Instance
			res.NewPrimaryAZ = aws.ToString(w.Raw.AvailabilityZone)
			res.Instance = w.Instance
		}
	}
	if res.NewWriter == "" {
		res.NewWriter = lastWriter
		res.Instance = lastWriter
	}
	settleBy := now.Add(opts.Settle)
	for {
		if done, err := settled(opts, res, settleBy); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// confirmWriter asks the new writer's instance endpoint who it is and
// whether it is read-write, and compares with the server that answered
// the cluster endpoint at the recovery. A failure here is a warning: the
// measurement stands.
func confirmWriter(ctx context.Context, api cloud.ClusterAPI, opts Options, res *Result) {
	in, err := cloud.FindInstance(ctx, api, res.NewWriter)
	if err != nil {
		opts.Warn("reading new writer %s: %v", res.NewWriter, err)
		return
	}
	addr := cloud.ClusterMember{Raw: in}.Endpoint()
	if addr == "" {
		return
	}
	p := opts.Probe.At(addr)
	p.Write = false
	o := p.Attempt(ctx)
	if !o.OK {
		opts.Warn("asking new writer %s who it is: %s", res.NewWriter, o.Err)
		return
	}
	s := o.Server()
	res.NewWriterServer = &s
	ok := !o.ReadOnly && res.NewPrimary != nil && *res.NewPrimary == s
	res.WriterConfirmed = &ok
	if !ok {
		opts.Warn("the cluster endpoint's server after the failover (%s) is not new writer %s (server_id %d, read_only %v)",
			serverName(res.NewPrimary), res.NewWriter, s.ServerID, o.ReadOnly)
	}
}

func serverName(s *Server) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("server_id %d (%s)", s.ServerID, s.Hostname)
}
