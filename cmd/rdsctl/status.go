package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// StatusOptions are the inputs of `rdsctl status`.
type StatusOptions struct {
	CommonOptions
	Instance string
	// Cluster shows an Aurora DB cluster instead: members, roles,
	// endpoints and group statuses.
	Cluster string
}

// NewCmdStatus builds `rdsctl status`: one DB instance as RDS describes
// it, with what matters before and after a parameter change (the groups'
// apply status) and a failover (the zones).
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status [INSTANCE] | --cluster C",
		Short: "List DB instances and clusters, or show one: endpoint, status, zones, parameter groups and their apply status",
		Long: `With no argument, list every DB instance in the region: status, Multi-AZ,
parameter group and its apply status, and endpoint.

With an INSTANCE, show it: endpoint, status, engine, class, Multi-AZ and its zones, its
parameter groups with their apply status, pending modifications and when it
was created.

With --cluster C, show an Aurora DB cluster: its status, writer and reader
endpoints, cluster parameter group, and each member with its role (writer or
reader), status, instance endpoint, promotion tier, and the apply status of
both the cluster parameter group and its own DB parameter groups. With no
argument, the clusters are listed after the instances.

A parameter group that is pending-reboot has changes the server will run only
after a reboot (RDS does not say how many).`,
		Example: `  rdsctl status
  rdsctl status staging-db
  rdsctl status --cluster staging-aurora
  rdsctl status staging-db -o json | jq -r .parameter_groups[0].parameter_apply_status`,
		Args: cobra.MaximumNArgs(1),
	}
	cmd.Flags().StringVar(&opts.Cluster, "cluster", "", "show Aurora DB cluster `C`: members, roles, endpoints, group statuses")
	parse := func(args []string) (err error) {
		if opts.Cluster != "" {
			if len(args) > 0 {
				return cli.Usagef("name either a DB instance or --cluster C, not both")
			}
			opts.Cluster, err = clusterArg(opts.Cluster)
			return err
		}
		if len(args) == 0 {
			return nil // list every instance
		}
		opts.Instance, err = instanceArg(args[0])
		return err
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, statusRun)
}

// instanceIDPattern admits what an existing DB instance identifier can
// be, so that a mangled argument is a usage error rather than an API one.
var instanceIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]{1,63}$`) })

// instanceArg normalises an instance identifier: RDS stores them
// lowercase and cloud.FindInstance compares exactly.
func instanceArg(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if !instanceIDPattern().MatchString(id) {
		return "", cli.Usagef("invalid DB instance identifier %q: letters, digits and hyphens, at most 63", s)
	}
	return id, nil
}

// clusterArg normalises a DB cluster identifier as instanceArg does an
// instance's: the same rules, a different noun.
func clusterArg(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if !instanceIDPattern().MatchString(id) {
		return "", cli.Usagef("invalid DB cluster identifier %q: letters, digits and hyphens, at most 63", s)
	}
	return id, nil
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	if opts.Cluster != "" {
		return statusClusterRun(ctx, opts)
	}
	if opts.Instance == "" {
		return statusListRun(ctx, opts)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	in, err := cloud.FindInstance(ctx, api, opts.Instance)
	if err != nil {
		return clusterHint(ctx, opts.IO, api, "rdsctl status", opts.Instance, err)
	}
	rep := newInstanceStatus(in)
	return opts.IO.Print(opts.Format, rep, func() error {
		if h := statusHint(rep); h != "" {
			defer opts.IO.Warnf("%s", h)
		}
		return printInstanceStatus(opts.IO, rep)
	})
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
// order, each named explicitly: the JSON keys are a contract with scripts,
// so a member the SDK renames or adds must not change them silently. A
// member added to the SDK needs a line here to show.
func pendingChanges(p *types.PendingModifiedValues) []pendingChange {
	if p == nil {
		return nil
	}
	var out pendingList
	if vs := storageVolumes(p.AdditionalStorageVolumes); len(vs) > 0 {
		out.add("AdditionalStorageVolumes", "additional_storage_volumes", vs)
	}
	out.int("AllocatedStorage", "allocated_storage", p.AllocatedStorage)
	out.str("AutomationMode", "automation_mode", aws.String(string(p.AutomationMode)))
	out.int("BackupRetentionPeriod", "backup_retention_period", p.BackupRetentionPeriod)
	out.str("CACertificateIdentifier", "ca_certificate_identifier", p.CACertificateIdentifier)
	out.str("DBCapacityReservationIdentifier", "db_capacity_reservation_identifier", p.DBCapacityReservationIdentifier)
	out.str("DBInstanceClass", "db_instance_class", p.DBInstanceClass)
	out.str("DBInstanceIdentifier", "db_instance_identifier", p.DBInstanceIdentifier)
	out.str("DBSubnetGroupName", "db_subnet_group_name", p.DBSubnetGroupName)
	out.bool("DedicatedLogVolume", "dedicated_log_volume", p.DedicatedLogVolume)
	out.str("Engine", "engine", p.Engine)
	out.str("EngineVersion", "engine_version", p.EngineVersion)
	out.bool("IAMDatabaseAuthenticationEnabled", "iam_database_authentication_enabled", p.IAMDatabaseAuthenticationEnabled)
	out.int("Iops", "iops", p.Iops)
	out.str("LicenseModel", "license_model", p.LicenseModel)
	out.str("MasterUserPassword", "master_user_password", p.MasterUserPassword)
	out.bool("MultiAZ", "multi_az", p.MultiAZ)
	out.bool("MultiTenant", "multi_tenant", p.MultiTenant)
	if e := p.PendingCloudwatchLogsExports; e != nil {
		m := map[string]any{}
		if len(e.LogTypesToDisable) > 0 {
			m["log_types_to_disable"] = strings2any(e.LogTypesToDisable)
		}
		if len(e.LogTypesToEnable) > 0 {
			m["log_types_to_enable"] = strings2any(e.LogTypesToEnable)
		}
		if len(m) > 0 {
			out.add("PendingCloudwatchLogsExports", "pending_cloudwatch_logs_exports", m)
		}
	}
	out.int("Port", "port", p.Port)
	var features []any
	for _, f := range p.ProcessorFeatures {
		m := map[string]any{}
		putStr(m, "name", f.Name)
		putStr(m, "value", f.Value)
		if len(m) > 0 {
			features = append(features, m)
		}
	}
	if len(features) > 0 {
		out.add("ProcessorFeatures", "processor_features", features)
	}
	if t := p.ResumeFullAutomationModeTime; t != nil {
		out.add("ResumeFullAutomationModeTime", "resume_full_automation_mode_time", t.UTC().Format(time.RFC3339))
	}
	out.int("StorageThroughput", "storage_throughput", p.StorageThroughput)
	out.str("StorageType", "storage_type", p.StorageType)
	return out
}

// pendingList gathers the set members of PendingModifiedValues; unset ones
// (nil, "", empty lists) are left out.
type pendingList []pendingChange

func (l *pendingList) add(name, key string, v any) {
	*l = append(*l, pendingChange{Name: name, Key: key, Value: v})
}

func (l *pendingList) str(name, key string, v *string) {
	if aws.ToString(v) != "" {
		l.add(name, key, *v)
	}
}

func (l *pendingList) int(name, key string, v *int32) {
	if v != nil {
		l.add(name, key, *v)
	}
}

func (l *pendingList) bool(name, key string, v *bool) {
	if v != nil {
		l.add(name, key, *v)
	}
}

func putStr(m map[string]any, key string, v *string) {
	if aws.ToString(v) != "" {
		m[key] = *v
	}
}

func putInt(m map[string]any, key string, v *int32) {
	if v != nil {
		m[key] = *v
	}
}

func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// storageVolumes is AdditionalStorageVolumes as JSON carries them.
func storageVolumes(vs []types.AdditionalStorageVolume) []any {
	var out []any
	for _, v := range vs {
		m := map[string]any{}
		putStr(m, "volume_name", v.VolumeName)
		putInt(m, "allocated_storage", v.AllocatedStorage)
		putInt(m, "iops", v.IOPS)
		putInt(m, "max_allocated_storage", v.MaxAllocatedStorage)
		putInt(m, "storage_throughput", v.StorageThroughput)
		putStr(m, "storage_type", v.StorageType)
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
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
