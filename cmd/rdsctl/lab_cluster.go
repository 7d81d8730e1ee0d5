package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// maxLabMembers bounds `lab cluster create --members`: each member is a
// mariadbd.
const maxLabMembers = 5

// NewCmdLabCluster builds `rdsctl lab cluster`, the lab's own way to make
// the Aurora MySQL cluster every --cluster flow needs.
func NewCmdLabCluster(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Make Aurora MySQL clusters on the lab",
	}
	cmd.AddCommand(NewCmdLabClusterCreate(f, nil))
	return cmd
}

// LabClusterCreateOptions are the inputs of `rdsctl lab cluster create`.
type LabClusterCreateOptions struct {
	IO       *ui.IOStreams
	Getenv   func(string) string
	Format   ui.Format
	Endpoint string
	Dir      string
	Cluster  cloud.ClusterSpec
	// Members is how many DB instances to add: the first is the writer,
	// the others readers, named NAME-1, NAME-2...
	Members       int
	Class         string
	InstanceGroup string
	Timeout       time.Duration
}

// NewCmdLabClusterCreate builds `rdsctl lab cluster create`; runF
// replaces labClusterCreateRun in tests.
func NewCmdLabClusterCreate(f *Factory, runF func(context.Context, *LabClusterCreateOptions) error) *cobra.Command {
	opts := &LabClusterCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME [--members N] [--group CG] [--instance-group G] [--class C]",
		Short: "Create an Aurora MySQL cluster on the lab, with its members, and wait until all are available",
		Long: `Create an Aurora MySQL cluster on the lab with N members (NAME-1 is the writer,
the others are readers replicating from it), wait until all are available (at
most --timeout), and print the cluster's endpoints and how to log in.

The master user is admin; its password is read from RDSCTL_DB_PASSWORD, which
'eval "$(rdsctl lab env)"' sets. The cluster endpoint is 127.0.0.1 and the
reader endpoint 127.0.0.2, on the cluster's port. Only a lab takes this
command; on AWS, use your infrastructure code or 'aws rds create-db-cluster'.`,
		Example: `  eval "$(rdsctl lab env)"
  rdsctl params create aurora-cg --family aurora-mysql8.0 --cluster
  rdsctl lab cluster create orders --members 3 --group aurora-cg`,
		Args: oneName("the DB cluster identifier to create"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Getenv, opts.Format = f.IOStreams, f.Getenv, f.Format()
			opts.Endpoint = f.Global.EndpointURL
			id, err := instanceArg(args[0])
			if err != nil {
				return err
			}
			if id[0] < 'a' || id[0] > 'z' || strings.HasSuffix(id, "-") || strings.Contains(id, "--") || len(id) > 61 {
				return cli.Usagef("invalid DB cluster identifier %q: it must begin with a letter, be at most 61 characters (members are NAME-N) and not end with a hyphen or contain two consecutive hyphens", args[0])
			}
			opts.Cluster.ID, opts.Cluster.Engine = id, "aurora-mysql"
			if opts.Members < 1 || opts.Members > maxLabMembers {
				return cli.Usagef("invalid --members %d: want 1 to %d (each member is a MariaDB server)", opts.Members, maxLabMembers)
			}
			for _, g := range []*string{&opts.Cluster.Group, &opts.InstanceGroup} {
				if *g != "" {
					if *g, err = groupArg(*g); err != nil {
						return err
					}
				}
			}
			opts.Class = strings.ToLower(strings.TrimSpace(opts.Class))
			if !strings.HasPrefix(opts.Class, "db.") {
				return cli.Usagef("invalid --class %q: want a DB instance class such as db.t3.medium", opts.Class)
			}
			if opts.Timeout <= 0 {
				return cli.Usagef("invalid --timeout %s: must be positive", opts.Timeout)
			}
			opts.Cluster.MasterPassword = opts.Getenv("RDSCTL_DB_PASSWORD")
			if opts.Cluster.MasterPassword == "" {
				return cli.Usagef(`no master password: set RDSCTL_DB_PASSWORD (eval "$(rdsctl lab env)" sets it to the lab's)`)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return labClusterCreateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Members, "members", 3, "DB instances to add: the first is the writer, the others readers")
	fl.StringVar(&opts.Cluster.Group, "group", "", "DB cluster parameter group (default: default.aurora-mysql8.0)")
	fl.StringVar(&opts.InstanceGroup, "instance-group", "", "DB parameter group of every member (default: default.aurora-mysql8.0)")
	fl.StringVar(&opts.Class, "class", "db.t3.medium", "DB instance class of the members")
	fl.StringVar(&opts.Cluster.MasterUser, "master-username", "admin", "master user name")
	fl.DurationVar(&opts.Timeout, "timeout", labInstanceTimeout, "give up waiting for available after this long")
	fl.StringVar(&opts.Dir, "dir", "", "lab state directory, when the environment does not point at a lab")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

// labCluster is what `lab cluster create` prints: where the cluster and
// its members are and how to log in, never the password itself.
type labCluster struct {
	Cluster        string            `json:"cluster"`
	Status         string            `json:"status"`
	Endpoint       string            `json:"endpoint"`
	ReaderEndpoint string            `json:"reader_endpoint"`
	Engine         string            `json:"engine"`
	ClusterGroup   string            `json:"cluster_parameter_group"`
	Members        []labClusterEntry `json:"members"`
	MasterUsername string            `json:"master_username"`
	PasswordFrom   string            `json:"password_from"`
	Connect        string            `json:"connect"`
}

type labClusterEntry struct {
	Instance string `json:"instance"`
	Role     string `json:"role"`
	Endpoint string `json:"endpoint"`
}

func labClusterCreateRun(ctx context.Context, opts *LabClusterCreateOptions) error {
	ios := opts.IO
	st, err := (&LabInstanceCreateOptions{Endpoint: opts.Endpoint, Dir: opts.Dir, Getenv: opts.Getenv}).labEndpoint(ctx)
	if err != nil {
		return err
	}
	c := cloud.NewClient(aws.Config{Region: st.Region,
		Credentials: credentials.NewStaticCredentialsProvider(labCredentials, labCredentials, "")},
		func(o *rds.Options) { o.BaseEndpoint = aws.String(st.Endpoint) })
	if _, err := cloud.CreateCluster(ctx, c, opts.Cluster); err != nil {
		return err
	}
	id := opts.Cluster.ID
	ios.Progressf("creating cluster %s with %d member(s); waiting until all are available (at most %s)", id, opts.Members, opts.Timeout)
	fast := func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	}
	if err := cloud.WaitClusterAvailable(ctx, c, id, opts.Timeout, nil, fast); err != nil {
		return err
	}
	for i := 1; i <= opts.Members; i++ {
		// The first member becomes the writer as soon as it is asked
		// for, so the readers can be asked for at once.
		m := cloud.MemberSpec{ID: fmt.Sprintf("%s-%d", id, i), Cluster: id, Engine: opts.Cluster.Engine,
			Class: opts.Class, Group: opts.InstanceGroup}
		if _, err := cloud.CreateClusterMember(ctx, c, m); err != nil {
			return err
		}
	}
	if err := cloud.WaitClusterAvailable(ctx, c, id, opts.Timeout, nil, fast); err != nil {
		return err
	}
	cl, err := cloud.DescribeCluster(ctx, c, id)
	if err != nil {
		return err
	}
	rep := labCluster{Cluster: cl.ID, Status: cl.Status, Endpoint: cl.Endpoint, ReaderEndpoint: cl.ReaderEndpoint,
		Engine: strings.TrimSpace(cl.Engine + " " + cl.EngineVersion), ClusterGroup: cl.ClusterGroup,
		Members: []labClusterEntry{}, MasterUsername: aws.ToString(cl.Raw.MasterUsername), PasswordFrom: "RDSCTL_DB_PASSWORD"}
	for _, m := range cl.Members {
		role := "reader"
		if m.Writer {
			role = "writer"
		}
		rep.Members = append(rep.Members, labClusterEntry{Instance: m.Instance, Role: role, Endpoint: m.Endpoint()})
	}
	host, port := "127.0.0.1", int32(0)
	if cl.Raw.Port != nil {
		port = *cl.Raw.Port
	}
	rep.Connect = mysqlCommand(host, port, rep.MasterUsername)
	ios.Successf("%s is available: writes at %s, reads at %s", rep.Cluster, rep.Endpoint, rep.ReaderEndpoint)
	return ios.Print(opts.Format, rep, func() error {
		fields := []ui.Field{
			ui.F("cluster", rep.Cluster),
			ui.F("status", rep.Status),
			ui.F("endpoint", orDash(rep.Endpoint)),
			ui.F("reader endpoint", orDash(rep.ReaderEndpoint)),
			ui.F("engine", orDash(rep.Engine)),
			ui.F("cluster parameter group", orDash(rep.ClusterGroup)),
		}
		for _, m := range rep.Members {
			fields = append(fields, ui.F(m.Role, m.Instance+" at "+orDash(m.Endpoint)))
		}
		fields = append(fields,
			ui.F("master user", rep.MasterUsername),
			ui.F("password", "in $RDSCTL_DB_PASSWORD (rdsctl verify reads it there too)"),
			ui.F("connect", rep.Connect))
		return ios.PrintFields(fields...)
	})
}
