package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// TestCompletionTimeout: an endpoint that accepts connections and never
// answers (a black hole) must not hang the shell: completion gives up
// after completionTimeout with an error directive and no candidates.
func TestCompletionTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_REGION", "us-east-1")
	ios, _, _, _ := ui.Test()
	f := newFactory(ios)
	f.Global.EndpointURL = "http://" + ln.Addr().String()
	cmd := &cobra.Command{Use: "status"}
	cmd.SetContext(context.Background())
	start := time.Now()
	got, dir := completeNames(cmd, f, kindInstance, nil, "")
	if took := time.Since(start); took > completionTimeout+2*time.Second {
		t.Errorf("completion took %s against a black hole, want about %s", took, completionTimeout)
	}
	if len(got) != 0 || dir != cobra.ShellCompDirectiveError {
		t.Errorf("completion = %q, %v; want nothing and an error directive", got, dir)
	}
}

// TestWithPrefix filters case-insensitively and keeps descriptions.
func TestWithPrefix(t *testing.T) {
	got := withPrefix([]string{"Staging\tmariadb10.11", "stage-two", "prod"}, "stag")
	if len(got) != 2 || got[0] != "Staging\tmariadb10.11" || got[1] != "stage-two" {
		t.Errorf("withPrefix = %q", got)
	}
}
