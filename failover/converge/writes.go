package converge

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
)

// WriteDowntime is what a client writing through a cluster's endpoint met
// during the whole rollout: one probe, writing a heartbeat row on every
// attempt, from before the first step to after the last. It is the
// rollout's cluster write downtime, to hold against the plan's promise of
// at most one failover.
type WriteDowntime struct {
	// Cluster is the cluster whose endpoint it is.
	Cluster  string    `json:"cluster"`
	Endpoint string    `json:"endpoint"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Probes   int       `json:"probes"`
	Failures int       `json:"failures"`
	// DowntimeSeconds is the sum of the outages' seconds.
	DowntimeSeconds float64       `json:"downtime_seconds"`
	Outages         []WriteOutage `json:"outages"`
}

// WriteOutage is one run of failed writes: from the first failed attempt
// to the first successful one after it (RecoveredAt nil and Seconds to
// the end of the last attempt when none followed). During names the step
// that was running.
type WriteOutage struct {
	FirstFailureAt time.Time      `json:"first_failure_at"`
	RecoveredAt    *time.Time     `json:"recovered_at"`
	Seconds        float64        `json:"seconds"`
	ErrorClasses   map[string]int `json:"error_classes"`
	During         string         `json:"during"`
}

// writeWatch is the running probe behind a WriteDowntime.
type writeWatch struct {
	cluster string
	probe   *failover.Probe
	stop    context.CancelFunc
	done    chan struct{}
	from    time.Time
	// steps are the steps' windows, for WriteOutage.During.
	steps []stepWindow
	// result is the report, once closed.
	result *WriteDowntime
}

type stepWindow struct {
	name       string
	start, end time.Time
}

// watchWrites starts a writing probe through cluster id's endpoint, logged
// in as the writer's master user, and waits for its first success: a
// rollout whose writes cannot be measured does not start.
func watchWrites(ctx context.Context, api cloud.RDS, awsCfg aws.Config, id string, opts Options) (*writeWatch, error) {
	c, err := cloud.DescribeCluster(ctx, api, id)
	if err != nil {
		return nil, err
	}
	p, err := clusterProbe(ctx, awsCfg, c, opts)
	if err != nil {
		return nil, err
	}
	p.Write = true
	first := make(chan struct{})
	seen := false
	p.Observe = func(o failover.Observation) {
		if o.OK && !seen {
			seen = true
			close(first)
		}
	}
	pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	w := &writeWatch{cluster: c.ID, probe: p, stop: stop, done: make(chan struct{}), from: time.Now()}
	go func() { defer close(w.done); _ = p.Run(pctx) }()
	opts.Progress("watching writes through cluster endpoint %s for the whole rollout", p.Addr)
	select {
	case <-first:
		return w, nil
	case <-time.After(failover.DefaultBaselineTimeout):
	case <-ctx.Done():
	}
	w.finish()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: no write through cluster endpoint %s succeeded within %s, so write downtime could not be measured",
		failover.ErrNoBaseline, p.Addr, failover.DefaultBaselineTimeout)
}

func (w *writeWatch) finish() []failover.Observation {
	w.stop()
	<-w.done
	return w.probe.Observations()
}

// close stops the probe, the first time, and sums up what it saw.
func (w *writeWatch) close() *WriteDowntime {
	if w.result != nil {
		return w.result
	}
	w.result = w.report()
	return w.result
}

// report stops the probe and sums up what it saw.
func (w *writeWatch) report() *WriteDowntime {
	obs := w.finish()
	r := &WriteDowntime{Cluster: w.cluster, Endpoint: w.probe.Addr, From: w.from, To: time.Now(), Outages: []WriteOutage{}}
	r.Outages = writeOutages(obs)
	for i := range r.Outages {
		r.DowntimeSeconds += r.Outages[i].Seconds
		r.Outages[i].During = w.during(r.Outages[i].FirstFailureAt)
	}
	for _, o := range obs {
		r.Probes++
		if !o.OK {
			r.Failures++
		}
	}
	return r
}

// writeOutages splits observations into runs of failures, each ended by
// the next success.
func writeOutages(obs []failover.Observation) []WriteOutage {
	var out []WriteOutage
	var cur *WriteOutage
	for _, o := range obs {
		switch {
		case !o.OK && cur == nil:
			out = append(out, WriteOutage{FirstFailureAt: o.At, ErrorClasses: map[string]int{}})
			cur = &out[len(out)-1]
			fallthrough
		case !o.OK:
			cur.ErrorClasses[o.Class]++
			cur.Seconds = o.At.Add(o.Latency).Sub(cur.FirstFailureAt).Seconds()
		case cur != nil:
			cur.RecoveredAt = ptr(o.At)
			cur.Seconds = o.At.Sub(cur.FirstFailureAt).Seconds()
			cur = nil
		}
	}
	return out
}

// during names the step whose window holds t, or "between steps".
func (w *writeWatch) during(t time.Time) string {
	for _, s := range w.steps {
		if !t.Before(s.start) && !t.After(s.end) {
			return s.name
		}
	}
	return "between steps"
}

// secondsIn sums the outages that began within [start, end].
func secondsIn(outages []WriteOutage, start, end time.Time) float64 {
	sum := 0.0
	for _, o := range outages {
		if !o.FirstFailureAt.Before(start) && !o.FirstFailureAt.After(end) {
			sum += o.Seconds
		}
	}
	return sum
}
