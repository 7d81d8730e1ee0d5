package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// demoPolicy holds the demo's group to what chapters 2 and 4 did.
const demoPolicy = `# The CI gate: staging groups keep wait_timeout low and nothing pending.
version: 1
groups: ["staging-*"]
rules:
  - parameter: wait_timeout
    max: 600
  - applied: true
`

// demoDrill is the demo's game day: change a parameter, fail over, check
// the database's and the application's outage, roll back. %d is the
// sample application's port.
const demoDrill = `# A short game day against the sample application (rdsctl lab app).
name: demo-drill
target: {instance: staging-db}
probes:
  - http: {name: app, url: "http://127.0.0.1:%d/health", expect_status: 200, timeout: 1s, interval: 200ms}
steps:
  - set: {parameters: {innodb_lock_wait_timeout: 20}}
  - wait: {for: in-sync, timeout: 1m}
  - verify: {expect: {innodb_lock_wait_timeout: 20}}
  - failover: {max_downtime: 60s}
  - assert: {probe: database, downtime_seconds: {max: 30}}
  - assert: {probe: app, recovered_within: 10s, error_classes: {timeout: 0}}
rollback: true
`

// gameday is the demo's last chapter: a policy check, then a short game
// day against the sample application, which runs meanwhile as the printed
// `rdsctl lab app ... &` line would. Its files and the report go to a new
// directory that outlives the lab, so the printed commands still work when
// pasted and the report can be opened afterwards.
func (d *demo) gameday() error {
	dir, err := os.MkdirTemp("", "rdsctl-demo-drill-")
	if err != nil {
		return fmt.Errorf("creating the demo's drill directory: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	policy, drill, report := filepath.Join(dir, "policy.yaml"), filepath.Join(dir, "drill.yaml"), filepath.Join(dir, "report")
	for name, data := range map[string]string{policy: demoPolicy, drill: fmt.Sprintf(demoDrill, port)} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}

	d.say("A CI gate first: the group still follows the team's policy.")
	d.show(policy, demoPolicy)
	if err := d.run("policy", "check", "-f", policy); err != nil {
		return err
	}

	d.say("")
	d.say("Now a game day. The sample application's /health queries staging-db through a pool")
	d.say("with tight timeouts; the drill watches it beside the database while it changes a")
	d.say("parameter, fails over, checks both outages and rolls everything back.")
	stop, err := d.background("lab", "app", demoInstance, "--listen", "127.0.0.1:"+strconv.Itoa(port),
		"--dial-timeout", "300ms", "--read-timeout", "500ms", "--write-timeout", "500ms", "--health-timeout", "400ms")
	if err != nil {
		return err
	}
	defer stop()
	d.show(drill, fmt.Sprintf(demoDrill, port))
	if err := d.run("gameday", "run", drill, "--report", report, "--yes"); err != nil {
		return err
	}
	d.say("")
	d.say("The report (kept after the demo): " + filepath.Join(report, "report.html"))
	return nil
}

// show prints a file as `cat` would, so the reader sees what the next
// command reads.
func (d *demo) show(path, content string) {
	fmt.Fprintln(d.ios.Out, d.ios.ColorScheme().Bold("$ cat "+shellWord(path)))
	fmt.Fprint(d.ios.Out, content)
}

// background prints a command line ending in & and runs it in this
// process until stop, once it answers on its --listen address.
func (d *demo) background(args ...string) (stop func(), err error) {
	fmt.Fprintln(d.ios.Out, d.ios.ColorScheme().Bold("$ rdsctl "+shellJoin(args)+" &"))
	ctx, cancel := context.WithCancel(d.ctx)
	done := make(chan int, 1)
	go func() { done <- d.opts.Background(ctx, args) }()
	stop = func() { cancel(); <-done }
	addr := args[len(args)-1]
	for i, a := range args {
		if a == "--listen" {
			addr = args[i+1]
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case code := <-done:
			cancel()
			return nil, fmt.Errorf("demo step failed (exit %d): rdsctl %s", code, shellJoin(args))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("rdsctl %s: not listening on %s after 10s", shellJoin(args), addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort is a TCP port on 127.0.0.1 nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a port for the sample application: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
