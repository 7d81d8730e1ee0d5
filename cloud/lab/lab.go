// Package lab is a local Amazon RDS: an HTTP server on 127.0.0.1 that speaks
// the RDS Query API (form-encoded POST, XML responses, AWS's error envelope
// and codes) and keeps its state in a directory that survives restarts.
//
// This file is the package's exported contract; the CLI (rdsctl lab ...) and
// the tests are written against it.
package lab

import (
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// Options configure a lab.
type Options struct {
	// Dir holds the persisted state, requests.jsonl and lab.json. Required.
	Dir string
	// Addr is the listen address; default "127.0.0.1:0" (a free port).
	Addr string
	// Region is reported in ARNs and by `lab env`; default "us-east-1".
	// It is the default namespace's region: a request signed for another
	// region (or with an AssumeRole key of another account) is served from
	// that (account, region)'s own namespace, <Dir>/accounts/ACCOUNT/REGION.
	Region string
	// FailoverDelay is how long a Multi-AZ failover keeps the instance
	// endpoint down before the standby comes up.
	FailoverDelay time.Duration
	// FailoverMode is what new connections meet while a failover keeps the
	// endpoint down: proxy.Refuse (default: connection refused) or
	// proxy.Blackhole (connections hang, as when clients still resolve the
	// dead primary).
	FailoverMode proxy.Mode
	// TemplateDir is the MariaDB template datadir instances are cloned
	// from; default <Dir>/template. Labs may share one: it is built once
	// and safe to initialise from several processes.
	TemplateDir string
	// NoEngine runs the control plane only: parameter groups and events
	// work, DB instances are refused. Tests that need no mariadbd use it.
	NoEngine bool
	// Faults are injected from the start, as if posted to /_lab/faults.
	Faults []Fault
	// Logf receives diagnostics; nil discards them.
	Logf func(format string, args ...any)
}

// Status is what `rdsctl lab status -o json` prints.
type Status struct {
	PID       int              `json:"pid"`
	Endpoint  string           `json:"endpoint"`
	Dir       string           `json:"dir"`
	Region    string           `json:"region"`
	Account   string           `json:"account"`
	StartedAt time.Time        `json:"started_at"`
	Instances []InstanceStatus `json:"instances"`
	// Clusters are the Aurora clusters; absent when there are none.
	Clusters []ClusterStatus `json:"clusters,omitempty"`
	Outages  []Outage        `json:"outages"`
}

// ClusterStatus is one Aurora DB cluster as the lab sees it: its members'
// roles and where its two endpoints listen.
type ClusterStatus struct {
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	Writer  string   `json:"writer"`
	Readers []string `json:"readers"`
	// WriterEndpoint and ReaderEndpoint are host:port: the cluster
	// endpoint (127.0.0.1) and the reader endpoint (127.0.0.2) share the
	// cluster's port.
	WriterEndpoint string `json:"writer_endpoint"`
	ReaderEndpoint string `json:"reader_endpoint"`
	Region         string `json:"region"`
	Account        string `json:"account"`
}

// InstanceStatus is one DB instance as the lab sees it.
type InstanceStatus struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	EnginePID int    `json:"engine_pid"`
	Port      int    `json:"port"` // the instance endpoint (proxy) port
	// Region and Account name the namespace the instance lives in.
	Region  string `json:"region"`
	Account string `json:"account"`
}

// Outage is the true window in which an instance endpoint accepted no
// queries, recorded so that measured downtime can be checked against it.
//
// An Aurora cluster failover's outage names the Cluster instead of an
// Instance, and the OldWriter and NewWriter: the window is the one in
// which the cluster (writer) endpoint accepted no writes.
type Outage struct {
	Instance   string    `json:"instance,omitempty"`
	Cluster    string    `json:"cluster,omitempty"`
	OldWriter  string    `json:"old_writer,omitempty"`
	NewWriter  string    `json:"new_writer,omitempty"`
	Cause      string    `json:"cause"` // reboot, failover or modify
	CutAt      time.Time `json:"cut_at"`
	RestoredAt time.Time `json:"restored_at"`
	// Region and Account name the instance's namespace; set in Status
	// only, never persisted.
	Region  string `json:"region,omitempty"`
	Account string `json:"account,omitempty"`
}

// RunInfo is written to <dir>/lab.json while a lab serves from dir, so that
// other processes (rdsctl lab status|down|env) can find it.
type RunInfo struct {
	PID      int    `json:"pid"`
	Endpoint string `json:"endpoint"`
	Region   string `json:"region"`
}
