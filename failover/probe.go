// Package failover measures what clients see when an RDS instance or Aurora
// cluster fails over: a probe that connects afresh on every tick, the
// classification of each failure, and a timeline and summary (downtime,
// error classes, old and new primary) built from the probe's observations,
// the API calls and the RDS events.
//
// Run is the entry point: it checks the instance (Preflight), probes it
// until the probe has a baseline, triggers the reboot or failover, waits
// for the recovery, and optionally verifies the server afterwards and
// holds the downtime against a limit, so its Result is the whole of
// `rdsctl failover -o json`:
//
//	in, _, err := failover.Preflight(ctx, api, id, true)
//	conn, err := login.Resolve(ctx, awsCfg, in, warnf) // a verify.Login
//	probe, err := failover.NewProbe(conn.Config)
//	res, err := failover.Run(ctx, api, failover.Options{
//		Instance: id, Failover: true, Probe: probe, MaxDowntime: time.Minute,
//		Verify: func(ctx context.Context) (*verify.Report, error) {
//			return verify.Instance(ctx, api, awsCfg, id, verifyOpts)
//		},
//	})
package failover

import (
	"context"
	"crypto/tls"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/verify"
)

// Probe defaults. The timeouts are tight on purpose: during a failover a
// client that waits 30 s for a dead host measures its own patience, not the
// outage.
const (
	DefaultInterval       = 100 * time.Millisecond
	DefaultConnectTimeout = time.Second
	DefaultReadTimeout    = time.Second
	DefaultWriteTimeout   = time.Second
	// DefaultMaxKept bounds the observations a Probe keeps: 65536 is about
	// 1.8 hours at the default interval (a 10-minute game day is 6000),
	// a few megabytes at most.
	DefaultMaxKept = 1 << 16
	// DefaultTable is where a writing probe upserts its heartbeat row.
	DefaultTable = "rdsctl_probe.heartbeat"
)

// identifyQuery is cheap, touches no table, and names the server that
// answered, so a failover shows up as a change of server_id or hostname.
const identifyQuery = "SELECT @@hostname, @@server_id, CONNECTION_ID(), @@read_only"

// Observation is the outcome of one probe attempt.
type Observation struct {
	// At is when the attempt started; Latency is how long it took, to
	// success or to failure.
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency_ns"`
	OK      bool          `json:"ok"`
	// Class is one of Classes when !OK, else "".
	Class string `json:"class,omitempty"`
	// Err is the failure's text with the password redacted (verify.Redact).
	Err string `json:"error,omitempty"`
	// The identity of the server that answered, when it did: a failed
	// write still says which (read-only) server refused it.
	ServerID     uint32 `json:"server_id,omitempty"`
	Hostname     string `json:"hostname,omitempty"`
	ConnectionID uint64 `json:"connection_id,omitempty"`
	ReadOnly     bool   `json:"read_only,omitempty"`
	// Address is the ip:port the attempt dialled, as the endpoint's name
	// resolved at that moment; "" when the name did not resolve.
	Address string `json:"address,omitempty"`
}

// Server is the identity of the server a probe reached.
func (o Observation) Server() Server { return Server{ServerID: o.ServerID, Hostname: o.Hostname} }

// Clock is the probe's source of time. It exists so tests can check the
// schedule (one attempt per tick, none bunched after a slow one) without
// waiting for it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Probe measures availability by connecting afresh on every tick and asking
// the server who it is. A fresh connection per attempt is the point: pooled
// connections hide outages (they fail once, then reconnect silently), while
// a new client during a failover meets exactly what the probe meets.
//
// An attempt starts on every tick whether or not the earlier ones have
// finished, each on its own connection and within its own timeouts, as
// independent clients would arrive. So an attempt that hangs (a black hole
// holds one for the timeouts) does not hide the ticks behind it: the moment
// the endpoint answers again is seen within one interval, not one timeout.
// An attempt never retries within its tick, ticks missed while Run itself
// was held up are skipped, not made up in a burst, and at most
// MaxInFlight attempts are open at once. Observations are kept and passed to
// Observe in the order their attempts started.
//
// Set the fields before Run; a Probe runs once at a time.
type Probe struct {
	// Addr is host:port of the instance or cluster endpoint.
	Addr     string
	User     string
	Password string
	// TLS, when set, is used for every connection (RDS may require it).
	TLS *tls.Config

	// Interval is the time between attempt starts (default 100 ms).
	Interval time.Duration
	// ConnectTimeout bounds the TCP connect, ReadTimeout and WriteTimeout
	// each socket read and write; their sum bounds a whole attempt.
	ConnectTimeout, ReadTimeout, WriteTimeout time.Duration

	// Write makes each attempt also upsert one heartbeat row into Table, so
	// a read-only server (a demoted writer, a reader behind the endpoint)
	// counts as down with class read_only.
	Write bool
	// Table is "schema.table" for the heartbeat (default DefaultTable). It is
	// created when missing; it holds one row whatever the probe's length.
	Table string

	// Resolve looks the endpoint's host name up afresh on every attempt
	// (default: the system resolver, which on its own caches nothing), so
	// the probe follows a DNS flip as a new client would, and each
	// Observation records the address it dialled. An IP literal is not
	// looked up.
	Resolve func(ctx context.Context, host string) ([]string, error)

	// Clock defaults to the wall clock.
	Clock Clock
	// Observe, when set, is called with each observation in the order the
	// attempts started (so a success made while an earlier attempt still
	// hangs waits for it), one at a time, on Run's goroutine; it should not
	// block for long.
	Observe func(Observation)
	// MaxKept bounds the observations kept for Observations (default
	// DefaultMaxKept). Beyond it the oldest quarter is dropped at a time,
	// and Dropped counts them; Observe still sees every one.
	MaxKept int
	// MaxInFlight bounds the attempts open at once (default: as many as
	// the timeouts let overlap, the attempt timeout over the interval, plus
	// one). A tick that finds the limit reached starts nothing.
	MaxInFlight int

	// attemptFunc replaces Attempt in Run, for tests of the schedule.
	attemptFunc func(context.Context) Observation

	mu      sync.Mutex
	kept    []Observation
	dropped int
}

// Observations returns a copy of the observations kept so far, oldest first.
// It may be called while Run runs.
func (p *Probe) Observations() []Observation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Observation(nil), p.kept...)
}

// Dropped is how many of the oldest observations were discarded to keep
// memory bounded.
func (p *Probe) Dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

func (p *Probe) clock() Clock {
	if p.Clock != nil {
		return p.Clock
	}
	return realClock{}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

var tableName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_$]+\.[A-Za-z0-9_$]+$`) })

// validate rejects a probe that could never work, before Run starts
// producing observations that would all say the same thing.
func (p *Probe) validate() error {
	if p.Addr == "" {
		return errors.New("probe needs an endpoint address")
	}
	if _, _, err := net.SplitHostPort(p.Addr); err != nil {
		return fmt.Errorf("probe endpoint %q: %w", p.Addr, err)
	}
	if p.Write && p.Table != "" && !tableName().MatchString(p.Table) {
		return fmt.Errorf("probe table %q: want schema.table of letters, digits, _ and $", p.Table)
	}
	return nil
}

// Run probes until ctx ends, then returns nil once every attempt it
// started has returned. It returns an error only for a probe that is
// misconfigured. An attempt cut short by ctx ending is not recorded: it says
// nothing about the endpoint.
func (p *Probe) Run(ctx context.Context) error {
	if err := p.validate(); err != nil {
		return err
	}
	clk := p.clock()
	interval := orDefault(p.Interval, DefaultInterval)
	limit := p.maxInFlight(interval)
	attempt := p.Attempt
	if p.attemptFunc != nil {
		attempt = p.attemptFunc
	}

	type result struct {
		seq uint64
		o   Observation
		cut bool // ctx ended while the attempt ran
	}
	// Buffered for every attempt that can be open, so none ever blocks on
	// sending its result.
	results := make(chan result, limit)
	var wg sync.WaitGroup
	var started, emitted uint64
	done := make(map[uint64]result) // finished, waiting for an earlier attempt
	start := func() {
		seq := started
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := attempt(ctx)
			results <- result{seq, o, ctx.Err() != nil}
		}()
	}
	// deliver records r and every finished attempt it was holding back, in
	// the order they started.
	deliver := func(r result) {
		done[r.seq] = r
		for {
			q, ok := done[emitted]
			if !ok {
				return
			}
			delete(done, emitted)
			emitted++
			if q.cut {
				continue
			}
			p.keep(q.o)
			if p.Observe != nil {
				p.Observe(q.o)
			}
		}
	}

	next := clk.Now()
	start()
	for {
		// The next attempt starts on the next tick of the schedule that is
		// still in the future: a late tick skips, never bunches.
		next = next.Add(interval)
		now := clk.Now()
		if !next.After(now) {
			missed := now.Sub(next)/interval + 1
			next = next.Add(missed * interval)
		}
		tick := clk.After(next.Sub(now))
	wait:
		for {
			select {
			case <-ctx.Done():
				go func() {
					wg.Wait()
					close(results)
				}()
				for r := range results {
					deliver(r)
				}
				return nil
			case r := <-results:
				deliver(r)
			case <-tick:
				break wait
			}
		}
		if started-uint64(len(done))-emitted < uint64(limit) {
			start()
		}
	}
}

// maxInFlight is MaxInFlight or its default for interval.
func (p *Probe) maxInFlight(interval time.Duration) int {
	if p.MaxInFlight > 0 {
		return p.MaxInFlight
	}
	return int(p.attemptTimeout()/interval) + 1
}

func (p *Probe) keep(o Observation) {
	limit := p.MaxKept
	if limit <= 0 {
		limit = DefaultMaxKept
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.kept) >= limit {
		n := max(1, len(p.kept)/4)
		p.dropped += n
		p.kept = append(p.kept[:0], p.kept[n:]...)
	}
	p.kept = append(p.kept, o)
}

// Attempt makes one probe attempt on a fresh connection and closes it. Run
// calls it on every tick; it is exported for one-off checks ("is the new
// primary up and writable?").
func (p *Probe) Attempt(ctx context.Context) Observation {
	clk := p.clock()
	start := clk.Now()
	o := Observation{At: start}
	err := p.attempt(ctx, &o)
	o.Latency = clk.Now().Sub(start)
	if err != nil {
		o.Class = Classify(err)
		o.Err = verify.Redact(err.Error(), p.Password)
		return o
	}
	o.OK = true
	return o
}

// NewProbe returns a probe that logs in as c does: its address, user,
// password and TLS (verify.Login.Resolve works c out for an instance). The
// probe keeps its own tight timeouts, not c's, and the default interval;
// set Interval and Write before Run.
func NewProbe(c verify.Config) (*Probe, error) {
	mc, err := c.DriverConfig()
	if err != nil {
		return nil, err
	}
	return &Probe{Addr: c.Addr(), User: mc.User, Password: mc.Passwd, TLS: mc.TLS,
		ConnectTimeout: DefaultConnectTimeout, ReadTimeout: DefaultReadTimeout, WriteTimeout: DefaultWriteTimeout}, nil
}

func (p *Probe) config(rec *recordingConn, o *Observation) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = p.Addr
	cfg.User = p.User
	cfg.Passwd = p.Password
	cfg.TLS = p.TLS
	cfg.Timeout = orDefault(p.ConnectTimeout, DefaultConnectTimeout)
	cfg.ReadTimeout = orDefault(p.ReadTimeout, DefaultReadTimeout)
	cfg.WriteTimeout = orDefault(p.WriteTimeout, DefaultWriteTimeout)
	// The driver logs every socket error to stderr; the probe records them
	// instead (recordingConn), so a 10-minute outage does not flood the
	// terminal.
	cfg.Logger = &mysql.NopLogger{}
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := p.dial(ctx, network, addr, o)
		if err != nil {
			return nil, err
		}
		rec.Conn = c
		return rec, nil
	}
	return cfg
}

// dial resolves addr's host afresh and dials its addresses in order,
// recording in o the one it connected to (or last tried).
func (p *Probe) dial(ctx context.Context, network, addr string, o *Observation) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips := []string{host}
	if net.ParseIP(host) == nil {
		resolve := p.Resolve
		if resolve == nil {
			resolve = net.DefaultResolver.LookupHost
		}
		if ips, err = resolve(ctx, host); err != nil {
			return nil, fmt.Errorf("resolving %s: %w", host, err)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("resolving %s: no addresses", host)
		}
	}
	var d net.Dialer
	for _, ip := range ips {
		o.Address = net.JoinHostPort(ip, port)
		var c net.Conn
		if c, err = d.DialContext(ctx, network, o.Address); err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// attemptTimeout bounds a whole attempt, so that however the driver's
// per-operation deadlines combine (a handshake is several reads), an attempt
// never outlives the timeouts it was given.
func (p *Probe) attemptTimeout() time.Duration {
	return orDefault(p.ConnectTimeout, DefaultConnectTimeout) +
		orDefault(p.ReadTimeout, DefaultReadTimeout) +
		orDefault(p.WriteTimeout, DefaultWriteTimeout)
}

func (p *Probe) attempt(ctx context.Context, o *Observation) (err error) {
	// Without this an empty Addr would reach the driver, which defaults it
	// to 127.0.0.1:3306: a probe of some other server.
	if err := p.validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, p.attemptTimeout())
	defer cancel()
	rec := &recordingConn{}
	// The driver turns every failed socket read into ErrInvalidConn and
	// logs the cause; joining the cause back lets Classify tell a read
	// deadline (timeout) from a closed connection (gone_away).
	defer func() {
		if err != nil {
			if cause := rec.cause(); cause != nil && !errors.Is(err, cause) {
				err = &attemptError{err: err, cause: cause}
			}
		}
	}()

	conn, err := mysql.NewConnector(p.config(rec, o))
	if err != nil {
		return fmt.Errorf("configuring probe connection: %w", err)
	}
	c, err := conn.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", p.Addr, err)
	}
	defer c.Close()
	if err := identify(ctx, c, o); err != nil {
		return fmt.Errorf("identifying server at %s: %w", p.Addr, err)
	}
	if p.Write {
		if err := p.write(ctx, c); err != nil {
			return fmt.Errorf("writing probe heartbeat at %s: %w", p.Addr, err)
		}
	}
	return nil
}

// identify runs identifyQuery on c and fills o's server fields.
func identify(ctx context.Context, c driver.Conn, o *Observation) error {
	rows, err := c.(driver.QueryerContext).QueryContext(ctx, identifyQuery, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, 4)
	if err := rows.Next(vals); err != nil {
		if err == io.EOF {
			return errors.New("identify query returned no row")
		}
		return err
	}
	o.Hostname = text(vals[0])
	id, err := strconv.ParseUint(text(vals[1]), 10, 32)
	if err != nil {
		return fmt.Errorf("reading @@server_id: %w", err)
	}
	o.ServerID = uint32(id)
	if o.ConnectionID, err = strconv.ParseUint(text(vals[2]), 10, 64); err != nil {
		return fmt.Errorf("reading CONNECTION_ID(): %w", err)
	}
	o.ReadOnly = text(vals[3]) != "0"
	return nil
}

// text renders a text-protocol value; the driver may already have parsed
// integer columns.
func text(v driver.Value) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// write upserts the heartbeat row, creating the table on first use. One
// row per table keeps it bounded however long probes run; n counts the
// writes that landed, which survives a failover on shared storage.
func (p *Probe) write(ctx context.Context, c driver.Conn) error {
	table := p.Table
	if table == "" {
		table = DefaultTable
	}
	schema, _, _ := strings.Cut(table, ".")
	exec := func(q string) error {
		_, err := c.(driver.ExecerContext).ExecContext(ctx, q, nil)
		return err
	}
	upsert := "INSERT INTO " + table + " (id, at, server_id, n) VALUES (1, NOW(6), @@server_id, 1)" +
		" ON DUPLICATE KEY UPDATE at = VALUES(at), server_id = VALUES(server_id), n = n + 1"
	err := exec(upsert)
	var me *mysql.MySQLError
	if !errors.As(err, &me) || (me.Number != 1146 && me.Number != 1049) { // no such table / database
		return err
	}
	if err := exec("CREATE DATABASE IF NOT EXISTS " + schema); err != nil {
		return err
	}
	if err := exec("CREATE TABLE IF NOT EXISTS " + table +
		" (id TINYINT PRIMARY KEY, at DATETIME(6) NOT NULL, server_id INT UNSIGNED NOT NULL, n BIGINT NOT NULL)"); err != nil {
		return err
	}
	return exec(upsert)
}

// attemptError is a driver error joined with the socket error behind it.
type attemptError struct {
	err, cause error
}

func (e *attemptError) Error() string   { return e.err.Error() + " (" + e.cause.Error() + ")" }
func (e *attemptError) Unwrap() []error { return []error{e.err, e.cause} }

// recordingConn remembers the first read or write error of the connection
// it wraps: the real error value (a deadline, EOF, a reset) that the driver
// reports only as mysql.ErrInvalidConn.
type recordingConn struct {
	net.Conn
	mu    sync.Mutex
	first error
}

func (r *recordingConn) record(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	if r.first == nil {
		r.first = err
	}
	r.mu.Unlock()
}

func (r *recordingConn) cause() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first
}

func (r *recordingConn) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	r.record(err)
	return n, err
}

func (r *recordingConn) Write(b []byte) (int, error) {
	n, err := r.Conn.Write(b)
	r.record(err)
	return n, err
}
