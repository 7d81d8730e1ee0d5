package lab

import (
	"context"
	"errors"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// clusterEndpoints are an Aurora cluster's two endpoints: the cluster
// (writer) endpoint on 127.0.0.1 and the reader endpoint on 127.0.0.2,
// both on the cluster's port. They route to the members' instance
// endpoints, so a member's outage is theirs too.
type clusterEndpoints struct {
	// mu serialises what moves them: a failover holds it throughout, so
	// that a member coming up meanwhile does not reroute the writer.
	mu     sync.Mutex
	writer *proxy.Proxy
	reader *proxy.Proxy
}

// openClusterEndpoints listens on port (0 picks one free on both hosts).
func openClusterEndpoints(port int) (*clusterEndpoints, error) {
	var err error
	for range 20 {
		var w, r *proxy.Proxy
		w, err = proxy.Listen(net.JoinHostPort(clusterWriterHost, strconv.Itoa(port)))
		if err != nil {
			if port != 0 {
				return nil, err
			}
			continue
		}
		r, err = proxy.Listen(net.JoinHostPort(clusterReaderHost, strconv.Itoa(w.Port())))
		if err == nil {
			// Until the cluster has a writer, both refuse connections.
			w.Down(proxy.Refuse)
			r.Down(proxy.Refuse)
			return &clusterEndpoints{writer: w, reader: r}, nil
		}
		w.Close()
		if port != 0 {
			return nil, err
		}
	}
	return nil, err
}

func (ce *clusterEndpoints) close() {
	ce.writer.Close()
	ce.reader.Close()
}

func (rt *runtime) clusterEndpoints(id string) *clusterEndpoints {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.clusters[id]
}

func (rt *runtime) setClusterEndpoints(id string, ce *clusterEndpoints) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if ce == nil {
		delete(rt.clusters, id)
		return
	}
	rt.clusters[id] = ce
}

// closeClusters closes every cluster endpoint (the lab is stopping).
func (rt *runtime) closeClusters() {
	rt.mu.Lock()
	cs := rt.clusters
	rt.clusters = map[string]*clusterEndpoints{}
	rt.mu.Unlock()
	for _, ce := range cs {
		ce.close()
	}
}

// routeCluster points a cluster's endpoints at its members as they are
// now: the writer endpoint at the writer, the reader endpoint at every
// available reader in turn (at the writer when there is none, as on
// AWS). Connections already made stay where they are.
func (l *Lab) routeCluster(id string) {
	ce := l.rt.clusterEndpoints(id)
	if ce == nil {
		return
	}
	ce.mu.Lock()
	defer ce.mu.Unlock()
	l.routeClusterLocked(id, ce)
}

// routeClusterLocked is routeCluster with ce.mu held.
func (l *Lab) routeClusterLocked(id string, ce *clusterEndpoints) {
	var writer string
	var readers []string
	l.read(func(st *state) error {
		for _, in := range membersOf(st, id) {
			if in.Status != statusAvailable && in.Status != statusModifying {
				continue
			}
			if in.ClusterWriter {
				writer = in.ID
			} else {
				readers = append(readers, in.ID)
			}
		}
		return nil
	})
	addr := func(member string) string {
		if e := l.rt.engine(member); e != nil {
			return e.EndpointAddr()
		}
		return ""
	}
	var raddrs []string
	for _, r := range readers {
		if a := addr(r); a != "" {
			raddrs = append(raddrs, a)
		}
	}
	w := ""
	if writer != "" {
		w = addr(writer)
	}
	if w == "" {
		ce.writer.Down(proxy.Refuse)
	} else if ce.writer.Backend() != w {
		logErr(l, id, ce.writer.UpAll([]string{w}, false))
	}
	if len(raddrs) == 0 && w != "" {
		raddrs = []string{w}
	}
	if len(raddrs) == 0 {
		ce.reader.Down(proxy.Refuse)
	} else {
		logErr(l, id, ce.reader.UpAll(raddrs, false))
	}
}

func logErr(l *Lab, id string, err error) {
	if err != nil {
		l.opts.Logf("lab: %s: %v", id, err)
	}
}

// waitWriterEngine waits for the cluster's writer to have a running
// engine: a reader created with its writer replicates from it once it is
// up.
func (l *Lab) waitWriterEngine(ctx context.Context, cluster string) (string, error) {
	for {
		writer, failed := "", false
		l.read(func(st *state) error {
			if c, ok := st.Clusters[cluster]; ok {
				writer = c.Writer
				if in, ok := st.Instances[writer]; ok {
					failed = in.Status == statusFailed || in.Status == statusIncompatibleParameters
				}
			}
			return nil
		})
		if failed {
			return "", errors.New("the cluster's writer " + writer + " failed to start")
		}
		if writer != "" {
			if e := l.rt.engine(writer); e != nil && e.Server() != nil {
				return writer, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", errors.New("waiting for the cluster's writer: " + ctx.Err().Error())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// clusterStatuses is Status's view of this namespace's clusters.
func (l *Lab) clusterStatuses() []ClusterStatus {
	var out []ClusterStatus
	l.read(func(st *state) error {
		for _, c := range st.Clusters {
			cs := ClusterStatus{ID: c.ID, Status: c.Status, Writer: c.Writer, Readers: []string{},
				Region: l.opts.Region, Account: l.account()}
			if c.Port != 0 {
				cs.WriterEndpoint = net.JoinHostPort(clusterWriterHost, strconv.Itoa(c.Port))
				cs.ReaderEndpoint = net.JoinHostPort(clusterReaderHost, strconv.Itoa(c.Port))
			}
			for _, in := range membersOf(st, c.ID) {
				if in.ID != c.Writer {
					cs.Readers = append(cs.Readers, in.ID)
				}
			}
			out = append(out, cs)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
