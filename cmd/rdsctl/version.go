package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
// Without it, buildVersion falls back to the module version that
// `go install ...@v1.2.3` records.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// VersionOptions holds what `rdsctl version` prints.
type VersionOptions struct {
	CommonOptions
	Version string
}

// versionInfo is the machine-readable form of `rdsctl version`.
type versionInfo struct {
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from (with
	// "-dirty" for uncommitted changes), "unknown" when the build did not
	// record one (go test, go run of a file).
	Commit string `json:"commit"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
}

// NewCmdVersion builds `rdsctl version`.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the rdsctl version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions, opts.Version = f.common(), f.Version
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	info := versionInfo{Version: opts.Version, Commit: buildCommit(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	return opts.IO.Print(opts.Format, info, func() error {
		_, err := fmt.Fprintf(opts.IO.Out, "rdsctl version %s (commit %s, %s %s/%s)\n", info.Version, info.Commit, info.Go, info.OS, info.Arch)
		return err
	})
}

// buildCommit is the VCS revision from the build info, so that a bug
// report names the exact source even for a development build.
func buildCommit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
