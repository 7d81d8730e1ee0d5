package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// StatusOptions are the inputs of `rdsctl status`.
type StatusOptions struct {
	ParamsCommon
	Instance string
}

// NewCmdStatus builds `rdsctl status`: one DB instance as RDS describes
// it, with what matters before and after a parameter change (the groups'
// apply status) and a failover (the zones).
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status INSTANCE",
		Short: "Show a DB instance: endpoint, status, zones, parameter groups and their apply status",
		Long: `Show a DB instance: endpoint, status, engine, class, Multi-AZ and its zones, its
parameter groups with their apply status, pending modifications and when it
was created.

A parameter group that is pending-reboot has changes the server will run only
after a reboot (RDS does not say how many).`,
		Example: `  rdsctl status staging-db
  rdsctl status staging-db -o json | jq -r .parameter_groups[0].parameter_apply_status`,
		Args: cobra.ExactArgs(1),
	}
	parse := func(args []string) (err error) {
		opts.Instance, err = instanceArg(args[0])
		return err
	}
	return newParamsCmd(f, cmd, opts, &opts.ParamsCommon, parse, runF, statusRun)
}

// instanceIDPattern admits what an existing DB instance identifier can
// be, so that a mangled argument is a usage error rather than an API one.
var instanceIDPattern = regexp.MustCompile(`^[a-z0-9-]{1,63}$`)

// instanceArg normalises an instance identifier: RDS stores them
// lowercase and cloud.FindInstance compares exactly.
func instanceArg(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if !instanceIDPattern.MatchString(id) {
		return "", cli.Usagef("invalid DB instance identifier %q: letters, digits and hyphens, at most 63", s)
	}
	return id, nil
}

// findInstance is cloud.FindInstance with the message a user wants for a
// missing instance, "DB instance X not found" (cloud.IsNotFound still
// holds), and the usual rdsError for anything else.
func findInstance(ctx context.Context, api cloud.RDS, id string) (types.DBInstance, error) {
	in, err := cloud.FindInstance(ctx, api, id)
	switch {
	case cloud.IsNotFound(err):
		return in, notFound("DB instance "+id, err)
	case err != nil:
		return in, &rdsError{op: "finding DB instance " + id, err: err}
	}
	return in, nil
}

// notFoundError says plainly that something does not exist, keeping the
// API's error for cloud.IsNotFound and errors.As.
type notFoundError struct {
	what string
	err  error
}

func notFound(what string, err error) error { return &notFoundError{what: what, err: err} }

func (e *notFoundError) Error() string { return e.what + " not found" }
func (e *notFoundError) Unwrap() error { return e.err }

func statusRun(ctx context.Context, opts *StatusOptions) error {
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	in, err := findInstance(ctx, api, opts.Instance)
	if err != nil {
		return err
	}
	rep := newInstanceStatus(in)
	return opts.IO.Print(opts.Format, rep, func() error { return printInstanceStatus(opts.IO, rep) })
}

// instanceStatus is a DB instance as `rdsctl status` shows it.
type instanceStatus struct {
	Instance                  string        `json:"instance"`
	Status                    string        `json:"status"`
	Endpoint                  string        `json:"endpoint"`
	Engine                    string        `json:"engine"`
	EngineVersion             string        `json:"engine_version"`
	InstanceClass             string        `json:"instance_class"`
	MultiAZ                   bool          `json:"multi_az"`
	AvailabilityZone          string        `json:"availability_zone"`
	SecondaryAvailabilityZone string        `json:"secondary_availability_zone"`
	Cluster                   string        `json:"cluster,omitempty"`
	ParameterGroups           []groupStatus `json:"parameter_groups"`
	// NeedsReboot is whether a parameter group is pending-reboot.
	NeedsReboot bool `json:"needs_reboot"`
	// PendingModifiedValues has RDS's PendingModifiedValues members
	// with snake_case keys; empty when nothing is pending.
	PendingModifiedValues map[string]any `json:"pending_modified_values"`
	InstanceCreateTime    *time.Time     `json:"instance_create_time"`

	pending []pendingChange // PendingModifiedValues in the SDK's order, for the table
}

// groupStatus is one parameter group of an instance and its apply status.
type groupStatus struct {
	Name                 string `json:"name"`
	ParameterApplyStatus string `json:"parameter_apply_status"`
}

func newInstanceStatus(in types.DBInstance) instanceStatus {
	s := instanceStatus{
		Instance:                  aws.ToString(in.DBInstanceIdentifier),
		Status:                    aws.ToString(in.DBInstanceStatus),
		Endpoint:                  endpointOf(in),
		Engine:                    aws.ToString(in.Engine),
		EngineVersion:             aws.ToString(in.EngineVersion),
		InstanceClass:             aws.ToString(in.DBInstanceClass),
		MultiAZ:                   aws.ToBool(in.MultiAZ),
		AvailabilityZone:          aws.ToString(in.AvailabilityZone),
		SecondaryAvailabilityZone: aws.ToString(in.SecondaryAvailabilityZone),
		Cluster:                   aws.ToString(in.DBClusterIdentifier),
		ParameterGroups:           []groupStatus{},
		PendingModifiedValues:     map[string]any{},
		pending:                   pendingChanges(in.PendingModifiedValues),
	}
	if in.InstanceCreateTime != nil {
		t := in.InstanceCreateTime.UTC()
		s.InstanceCreateTime = &t
	}
	for _, g := range in.DBParameterGroups {
		gs := groupStatus{Name: aws.ToString(g.DBParameterGroupName), ParameterApplyStatus: aws.ToString(g.ParameterApplyStatus)}
		s.ParameterGroups = append(s.ParameterGroups, gs)
		s.NeedsReboot = s.NeedsReboot || gs.ParameterApplyStatus == applyPendingReboot
	}
	for _, p := range s.pending {
		s.PendingModifiedValues[p.Key] = p.Value
	}
	return s
}

// endpointOf is the instance's address:port, or "" before it has one.
func endpointOf(in types.DBInstance) string {
	if in.Endpoint == nil || aws.ToString(in.Endpoint.Address) == "" {
		return ""
	}
	return net.JoinHostPort(aws.ToString(in.Endpoint.Address), strconv.Itoa(int(aws.ToInt32(in.Endpoint.Port))))
}

// printInstanceStatus is the key/value block of `rdsctl status`. Status
// words are coloured on a colour TTY; a pending-reboot group says that a
// reboot is needed, in words, so that it reads the same piped.
func printInstanceStatus(ios *ui.IOStreams, s instanceStatus) error {
	cs := ios.ColorScheme()
	fields := []ui.Field{
		ui.F("instance", s.Instance),
		ui.F("endpoint", orDash(s.Endpoint)),
		ui.F("status", colorInstanceStatus(cs, s.Status)),
		ui.F("engine", orDash(strings.TrimSpace(s.Engine+" "+s.EngineVersion))),
		ui.F("class", orDash(s.InstanceClass)),
		ui.F("multi-az", yesNo(s.MultiAZ)),
		ui.F("availability zone", orDash(s.AvailabilityZone)),
	}
	if s.MultiAZ || s.SecondaryAvailabilityZone != "" {
		fields = append(fields, ui.F("secondary availability zone", orDash(s.SecondaryAvailabilityZone)))
	}
	if s.Cluster != "" {
		fields = append(fields, ui.F("cluster", s.Cluster))
	}
	if len(s.ParameterGroups) == 0 {
		fields = append(fields, ui.F("parameter group", "-"))
	}
	for _, g := range s.ParameterGroups {
		fields = append(fields, ui.F("parameter group", g.Name+" ("+colorApplyStatus(cs, g.ParameterApplyStatus)+")"))
	}
	fields = append(fields, ui.F("pending modifications", pendingSummary(s.pending)))
	created := "-"
	if s.InstanceCreateTime != nil {
		created = s.InstanceCreateTime.Format(time.RFC3339)
	}
	fields = append(fields, ui.F("created", created))
	return ios.PrintFields(fields...)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func colorInstanceStatus(cs ui.ColorScheme, st string) string {
	switch st {
	case "":
		return "-"
	case "available":
		return cs.Green(st)
	case "failed", "incompatible-parameters", "storage-full", "inaccessible-encryption-credentials":
		return cs.Red(st)
	}
	return cs.Yellow(st)
}

// colorApplyStatus renders a ParameterApplyStatus, pending-reboot with
// what it means: RDS says a reboot is needed but not for how many
// changes, so neither does rdsctl.
func colorApplyStatus(cs ui.ColorScheme, st string) string {
	switch st {
	case "in-sync":
		return cs.Green(st)
	case applyPendingReboot:
		return cs.Yellow(st + ": a reboot is needed to apply its changes")
	case "":
		return "-"
	}
	return cs.Yellow(st)
}

// pendingChange is one member of PendingModifiedValues: its AWS name for
// the table, its snake_case key for JSON, and its value.
type pendingChange struct {
	Name  string
	Key   string
	Value any
}

// pendingChanges lists the members RDS set in p, in the SDK's field
// order. It walks the struct rather than naming its ~25 members so that
// members added to the SDK show up without a change here.
func pendingChanges(p *types.PendingModifiedValues) []pendingChange {
	if p == nil {
		return nil
	}
	v := reflect.ValueOf(*p)
	var out []pendingChange
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if val, ok := plainValue(v.Field(i)); ok {
			out = append(out, pendingChange{Name: f.Name, Key: snakeCase(f.Name), Value: val})
		}
	}
	return out
}

// plainValue is an SDK value as JSON should carry it: pointers followed,
// unset members (nil, empty, "") absent, times in RFC 3339, nested structs as
// maps with snake_case keys.
func plainValue(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return plainValue(v.Elem())
	case reflect.Slice:
		var out []any
		for i := range v.Len() {
			if x, ok := plainValue(v.Index(i)); ok {
				out = append(out, x)
			}
		}
		return out, len(out) > 0
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339), true
		}
		m := map[string]any{}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				if x, ok := plainValue(v.Field(i)); ok {
					m[snakeCase(f.Name)] = x
				}
			}
		}
		return m, len(m) > 0
	case reflect.String:
		// Also the SDK's string enums, whose unset value is "".
		return v.String(), v.Len() > 0
	}
	return v.Interface(), v.IsValid()
}

// snakeCase turns an SDK member name into a JSON key: DBInstanceClass is
// db_instance_class, MultiAZ multi_az, CACertificateIdentifier
// ca_certificate_identifier.
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// pendingSummary is the table's one line for PendingModifiedValues.
func pendingSummary(ps []pendingChange) string {
	if len(ps) == 0 {
		return "none"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		v := fmt.Sprint(p.Value)
		switch p.Value.(type) {
		case map[string]any, []any:
			if b, err := json.Marshal(p.Value); err == nil {
				v = string(b)
			}
		}
		parts[i] = p.Name + "=" + v
	}
	return strings.Join(parts, ", ")
}
