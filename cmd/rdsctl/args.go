package main

import (
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// tableOnly are the commands that write a story or progress, not data:
// -o json or yaml there would be silently ignored, so it is refused.
var tableOnly = map[string]bool{
	"rdsctl demo":     true,
	"rdsctl lab up":   true,
	"rdsctl lab down": true,
}

// tightenArgs makes cobra's lenient corners keep the exit-code contract:
// a missing positional argument is named (missing INSTANCE) rather than
// "accepts 1 arg(s), received 0"; `help nosuch` is a usage error, not
// exit 0; -o ” and -o on a command without data output are refused.
func tightenArgs(root *cobra.Command) {
	nameMissingArgs(root)
	if h, _, err := root.Find([]string{"help"}); err == nil && h != root {
		run := h.Run
		h.Run = nil
		h.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				if c, rest, err := root.Find(args); err != nil || c == root || len(rest) > 0 {
					return cli.Usagef("unknown help topic %q: run 'rdsctl help' for the commands", strings.Join(args, " "))
				}
			}
			run(cmd, args)
			return nil
		}
	}
	prev := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Changed {
			v := strings.TrimSpace(fl.Value.String())
			if v == "" {
				return cli.Usagef("invalid -o/--output %q: want one of %s", fl.Value.String(), strings.Join(ui.Formats, ", "))
			}
			if tableOnly[cmd.CommandPath()] && !strings.EqualFold(v, string(ui.FormatTable)) {
				return cli.Usagef("%s has no %s output: it writes progress and a story, not data", cmd.CommandPath(), v)
			}
		}
		if err := checkConnectionFlags(cmd); err != nil {
			return err
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
}

// regionPattern is the shape of every AWS region name (us-east-1,
// us-gov-west-1, ap-southeast-4, eu-isoe-west-1).
var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`) })

// checkConnectionFlags refuses a malformed --region or --endpoint-url
// before any call: the SDK would otherwise retry a non-http scheme for
// seconds, and send a mistyped region to a host that does not exist.
func checkConnectionFlags(cmd *cobra.Command) error {
	if fl := cmd.Flags().Lookup("region"); fl != nil && fl.Changed {
		if r := fl.Value.String(); !regionPattern().MatchString(r) {
			return cli.Usagef("invalid --region %q: want an AWS region such as us-east-1", r)
		}
	}
	if fl := cmd.Flags().Lookup("endpoint-url"); fl != nil && fl.Changed {
		if err := checkEndpointURL("--endpoint-url", fl.Value.String()); err != nil {
			return err
		}
		return nil
	}
	// The environment's endpoint is as much the user's input as the flag.
	for _, k := range []string{"AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(k); v != "" {
			return checkEndpointURL("$"+k, v)
		}
	}
	return nil
}

// checkEndpointURL refuses an endpoint that is no http(s) URL with a host
// and a valid port, naming where it came from.
func checkEndpointURL(from, raw string) error {
	u, err := url.Parse(raw)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
	if ok && u.Port() != "" {
		p, perr := strconv.Atoi(u.Port())
		ok = perr == nil && p > 0 && p <= 65535
	}
	if !ok {
		return cli.Usagef("invalid %s %q: want an http:// or https:// URL, such as http://127.0.0.1:4599", from, raw)
	}
	return nil
}

// argCountError is how cobra's positional-argument validators word a
// count that is too small.
var argCountError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(accepts \d+ arg\(s\)|requires at least \d+ arg\(s\)|accepts between \d+ and \d+ arg\(s\)|accepts at most \d+ arg\(s\)), (only )?received \d+$`)
})

// nameMissingArgs wraps every command's Args so that too few positional
// arguments name the first missing one from the command's Use line, and
// too many name the first one too many.
func nameMissingArgs(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		nameMissingArgs(c)
	}
	if cmd.Args == nil {
		return
	}
	check := cmd.Args
	cmd.Args = func(c *cobra.Command, args []string) error {
		err := check(c, args)
		if err == nil || !argCountError().MatchString(err.Error()) {
			return err
		}
		names := positionalNames(c.Use)
		usage := strings.TrimSpace(c.Parent().CommandPath() + " " + c.Use)
		if len(args) < len(names) {
			return cli.Usagef("missing %s (usage: %s)", names[len(args)], usage)
		}
		if len(args) > len(names) {
			return cli.Usagef("unexpected argument %q (usage: %s)", args[len(names)], usage)
		}
		return err
	}
}

// positionalNames are the argument placeholders of a Use line, in order:
// "status INSTANCE" gives INSTANCE; "export NAME [NAME...]" gives NAME,
// NAME; flags and their values (--for X) are skipped.
func positionalNames(use string) []string {
	fields := strings.Fields(use)
	var out []string
	for i := 1; i < len(fields); i++ {
		f := fields[i]
		if strings.HasPrefix(f, "-") || strings.HasPrefix(f, "[-") {
			// a flag; its value, if any, is the next upper-case word
			if i+1 < len(fields) && !strings.HasPrefix(fields[i+1], "-") && !strings.HasPrefix(fields[i+1], "[") {
				i++
			}
			continue
		}
		name := strings.Trim(f, "[]|.")
		if name == "" || strings.ToUpper(name) != name {
			continue
		}
		out = append(out, name)
	}
	return out
}
