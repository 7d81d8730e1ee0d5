package cloud_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// TestGroupsBothKinds drives every Groups operation against a real lab for
// DB and cluster parameter groups alike: the two kinds are separate
// namespaces, and each operation's failure is typed (a missing group is a
// NotFoundError of the right kind, AWS's refusals keep their code).
func TestGroupsBothKinds(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	api := loadForLab(t, labtest.Start(t))
	for _, tt := range []struct {
		cluster bool
		family  string
		param   string
	}{
		{false, "mariadb10.11", "wait_timeout"},
		{true, "aurora-mysql8.0", "binlog_format"},
	} {
		g := cloud.Groups{API: api, Cluster: tt.cluster}
		name, copyName := "db-staging", "db-staging-copy"
		if tt.cluster {
			name, copyName = "cl-staging", "cl-staging-copy"
		}
		t.Run(g.Noun(), func(t *testing.T) {
			created, err := g.Create(ctx, cloud.Group{Name: name, Family: tt.family, Description: "d"})
			if err != nil || created != (cloud.Group{Name: name, Family: tt.family, Description: "d"}) {
				t.Fatalf("Create = %+v, %v", created, err)
			}
			other := cloud.Groups{API: api, Cluster: !tt.cluster}
			if _, err := other.Find(ctx, name); !cloud.IsNotFound(err) {
				t.Errorf("the other kind sees the group: %v", err)
			}
			if found, err := g.Find(ctx, name); err != nil || found.Family != tt.family {
				t.Errorf("Find = %+v, %v", found, err)
			}
			list, err := g.List(ctx)
			sorted := sort.SliceIsSorted(list, func(i, j int) bool { return list[i].Name < list[j].Name })
			if err != nil || !sorted || !slices.ContainsFunc(list, func(x cloud.Group) bool { return x == created }) {
				t.Errorf("List = %+v, %v: want sorted, with %s", list, err, name)
			}

			value := "ROW"
			if !tt.cluster {
				value = "300"
			}
			set := []types.Parameter{{ParameterName: aws.String(tt.param), ParameterValue: aws.String(value), ApplyMethod: types.ApplyMethodPendingReboot}}
			if err := g.Modify(ctx, name, set); err != nil {
				t.Fatal(err)
			}
			user, err := g.Parameters(ctx, name, cloud.SourceUser)
			if err != nil || len(user) != 1 || aws.ToString(user[0].ParameterValue) != value {
				t.Fatalf("Parameters(user) after Modify = %+v, %v", user, err)
			}
			all, err := g.Parameters(ctx, name, "")
			if err != nil || len(all) <= 1 {
				t.Errorf("Parameters(all) = %d, %v: want every parameter", len(all), err)
			}
			defs, err := g.EngineDefaults(ctx, tt.family)
			if err != nil || len(defs) == 0 {
				t.Errorf("EngineDefaults = %d, %v", len(defs), err)
			}

			copied, err := g.Copy(ctx, name, copyName, "c")
			if err != nil || copied.Name != copyName {
				t.Fatalf("Copy = %+v, %v", copied, err)
			}
			if ps, _ := g.Parameters(ctx, copyName, cloud.SourceUser); len(ps) != 1 {
				t.Errorf("the copy has %d user parameters, want 1", len(ps))
			}
			if err := g.Reset(ctx, name, []types.Parameter{{ParameterName: aws.String(tt.param), ApplyMethod: types.ApplyMethodPendingReboot}}); err != nil {
				t.Fatal(err)
			}
			if ps, _ := g.Parameters(ctx, name, cloud.SourceUser); len(ps) != 0 {
				t.Errorf("after Reset: %+v", ps)
			}
			users, err := g.Users(ctx, map[string]bool{name: true})
			if err != nil || users == nil || len(users) != 0 {
				t.Errorf("Users = %#v, %v: want none, not nil", users, err)
			}
			if err := g.Delete(ctx, copyName); err != nil {
				t.Fatal(err)
			}

			// A missing group is the same typed error from every operation.
			var nf *cloud.NotFoundError
			for name, err := range map[string]error{
				"Find":       func() error { _, err := g.Find(ctx, "nosuch"); return err }(),
				"Parameters": func() error { _, err := g.Parameters(ctx, "nosuch", ""); return err }(),
				"Modify":     g.Modify(ctx, "nosuch", set),
				"Reset":      g.Reset(ctx, "nosuch", set),
				"Delete":     g.Delete(ctx, copyName),
				"Copy":       func() error { _, err := g.Copy(ctx, "nosuch", "x", "x"); return err }(),
			} {
				if !errors.As(err, &nf) || nf.Kind != g.Noun() {
					t.Errorf("%s of a missing group: %v (%T)", name, err, err)
				}
			}
			// A family AWS does not know is invalid input, not a missing group.
			_, err = g.Create(ctx, cloud.Group{Name: "bad", Family: "nosuch9.9", Description: "x"})
			if !cloud.IsInvalidParameter(err) || errors.As(err, &nf) {
				t.Errorf("Create with an unknown family: %v", err)
			}
		})
	}
}

// TestInstanceOpsNotFound: attach and reboot name what is missing, the
// instance or the group.
func TestInstanceOpsNotFound(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	api := loadForLab(t, labtest.Start(t))
	var nf *cloud.NotFoundError
	if _, err := cloud.RebootInstance(ctx, api, "nosuch", false); !errors.As(err, &nf) || err.Error() != `DB instance "nosuch" not found` {
		t.Errorf("RebootInstance: %v", err)
	}
	if err := cloud.AttachParameterGroup(ctx, api, "nosuch", "default.mariadb10.11"); !errors.As(err, &nf) || nf.Kind != cloud.KindInstance {
		t.Errorf("AttachParameterGroup to a missing instance: %v", err)
	}
	if evs, err := cloud.InstanceEvents(ctx, api, "nosuch", time.Now().Add(-time.Hour)); err != nil || len(evs) != 0 {
		t.Errorf("InstanceEvents of a missing instance = %v, %v: want none", evs, err)
	}
}
