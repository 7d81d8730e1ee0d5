package failover

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

func ok(at int, id uint32) Observation {
	return Observation{At: ms(at), Latency: 2 * time.Millisecond, OK: true, ServerID: id, Hostname: "db"}
}

func fail(at int, class string) Observation {
	return Observation{At: ms(at), Latency: time.Millisecond, Class: class, Err: class + " error"}
}

// series is n observations every 100 ms from start, made by mk.
func series(start, n int, mk func(at int) Observation) []Observation {
	out := make([]Observation, n)
	for i := range out {
		out[i] = mk(start + 100*i)
	}
	return out
}

func TestMergeAndRender(t *testing.T) {
	var obs []Observation
	obs = append(obs, series(0, 3, func(at int) Observation { return ok(at, 1) })...)
	obs = append(obs, series(300, 12, func(at int) Observation { return fail(at, ClassRefused) })...)
	obs = append(obs, series(1500, 2, func(at int) Observation { return fail(at, ClassTimeout) })...)
	obs = append(obs, series(1700, 4, func(at int) Observation { return ok(at, 2) })...)
	marks := []Mark{{At: ms(250), Text: "reboot accepted (ForceFailover)"}, {At: ms(2000), Text: "status available"}}
	events := []types.Event{
		{Date: aws.Time(ms(300)), SourceIdentifier: aws.String("staging-db"), Message: aws.String("Multi-AZ instance failover started.")},
		{Date: aws.Time(ms(1900)), SourceIdentifier: aws.String("staging-db"), Message: aws.String("Multi-AZ instance failover completed.")},
		{Message: aws.String("undated: dropped")},
	}
	entries := Merge(marks, events, obs)

	var b strings.Builder
	if err := Render(&b, entries, ms(250)); err != nil {
		t.Fatal(err)
	}
	want := `-0.250s  probe  ok server_id=1 hostname=db ×3
+0.000s  api    reboot accepted (ForceFailover)
+0.050s  event  staging-db: Multi-AZ instance failover started.
+0.050s  probe  refused ×12
+1.250s  probe  timeout ×2
+1.450s  probe  ok server_id=2 hostname=db ×4
+1.650s  event  staging-db: Multi-AZ instance failover completed.
+1.750s  api    status available
`
	if got := b.String(); got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
	refused := entries[3]
	if refused.Count != 12 || !refused.At.Equal(ms(300)) || !refused.Until.Equal(ms(1400)) {
		t.Errorf("refused run = %+v, want 12 from +300ms to +1400ms", refused)
	}
}

func TestMergeRunsSplitOnServerAndReadOnly(t *testing.T) {
	ro := ok(200, 1)
	ro.ReadOnly = true
	entries := Merge(nil, nil, []Observation{ok(0, 1), ok(100, 1), ro, ok(300, 2), fail(400, ClassAuth)})
	var texts []string
	for _, e := range entries {
		texts = append(texts, e.Text)
	}
	got := strings.Join(texts, " | ")
	want := "ok server_id=1 hostname=db ×2 | ok server_id=1 hostname=db read_only | ok server_id=2 hostname=db | auth"
	if got != want {
		t.Errorf("runs = %q, want %q", got, want)
	}
}

func TestRenderEmpty(t *testing.T) {
	var b strings.Builder
	if err := Render(&b, nil, time.Time{}); err != nil || b.Len() != 0 {
		t.Fatalf("Render(nil) = %q, %v", b.String(), err)
	}
}

// TestSince keeps an operation's own window: the instance's creation and
// an earlier reboot's events are not this failover's.
func TestSince(t *testing.T) {
	ev := func(s float64, msg string) types.Event {
		d := t0.Add(time.Duration(s * float64(time.Second)))
		return types.Event{Date: &d, Message: aws.String(msg)}
	}
	events := []types.Event{ev(-3, "DB instance created."), ev(-0.4, "DB instance restarted."), ev(0, "Multi-AZ instance failover started."),
		{Message: aws.String("undated")}, ev(2.7, "Multi-AZ instance failover completed.")}
	var got []string
	for _, e := range Since(events, t0) {
		got = append(got, aws.ToString(e.Message))
	}
	want := []string{"Multi-AZ instance failover started.", "Multi-AZ instance failover completed."}
	if !slices.Equal(got, want) {
		t.Errorf("Since = %q, want %q", got, want)
	}
}
