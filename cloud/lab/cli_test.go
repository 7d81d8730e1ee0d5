package lab_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// requireTool finds an external client: a skip on a workstation without
// it, a failure in CI.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not installed", name)
		}
		t.Fatalf("%s not installed (CI is set)", name)
	}
	return p
}

// awsCLI runs `aws rds ARGS` against l and decodes its JSON output. It
// works with the AWS CLI v1 and v2 alike: the endpoint is always given with
// --endpoint-url (v1, and v2 before 2.13, ignore AWS_ENDPOINT_URL_RDS), the
// output format is explicit, v2's pager is off (AWS_PAGER= in labtest.Env)
// and so is its auto-prompt, which would wait for a terminal.
func awsCLI(t *testing.T, l *lab.Lab, args ...string) (map[string]any, string, error) {
	t.Helper()
	cmd := exec.Command(requireTool(t, "aws"), append([]string{"--endpoint-url", l.Endpoint(), "--output", "json", "rds"}, args...)...)
	cmd.Env = append(awsCLIEnviron(), labtest.Env(l)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var out map[string]any
	if err == nil && stdout.Len() > 0 {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			t.Fatalf("aws %v: %v: %s", args, jerr, stdout.String())
		}
	}
	return out, stderr.String(), err
}

// awsCLIEnviron is the test's environment without the settings that make
// the AWS CLI v2 interactive (auto-prompt) or point it elsewhere.
func awsCLIEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_CLI_AUTO_PROMPT", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// awsCLIMajor is the installed AWS CLI's major version (1 or 2), from
// `aws --version` ("aws-cli/2.9.19 Python/3.11.2 ...").
func awsCLIMajor(t *testing.T) int {
	t.Helper()
	out, err := exec.Command(requireTool(t, "aws"), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("aws --version: %v: %s", err, out)
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "aws-cli/")
	if !ok || (v[0] != '1' && v[0] != '2') || (len(v) > 1 && v[1] != '.') {
		t.Fatalf("aws --version: unexpected %q", out)
	}
	t.Logf("AWS CLI: %s", strings.TrimSpace(string(out)))
	return int(v[0] - '0')
}

func TestAWSCLI(t *testing.T) {
	l, _ := startLab(t)
	awsCLIMajor(t)
	out, _, err := awsCLI(t, l, "create-db-parameter-group", "--db-parameter-group-name", "CLI-Group",
		"--db-parameter-group-family", lab.TestFamily, "--description", "from the cli")
	if err != nil {
		t.Fatal(err)
	}
	g := out["DBParameterGroup"].(map[string]any)
	if g["DBParameterGroupName"] != "cli-group" || g["DBParameterGroupArn"] != "arn:aws:rds:us-east-1:000000000000:pg:cli-group" {
		t.Fatalf("create: %v", out)
	}
	if _, _, err := awsCLI(t, l, "modify-db-parameter-group", "--db-parameter-group-name", "cli-group", "--parameters",
		"ParameterName=dyn_int,ParameterValue=77,ApplyMethod=immediate", "ParameterName=static_int,ParameterValue=8,ApplyMethod=pending-reboot"); err != nil {
		t.Fatal(err)
	}
	// --page-size makes the CLI loop on Marker; it must see all 250.
	out, _, err = awsCLI(t, l, "describe-db-parameters", "--db-parameter-group-name", "cli-group", "--page-size", "20")
	if err != nil {
		t.Fatal(err)
	}
	params := out["Parameters"].([]any)
	if len(params) != 250 {
		t.Fatalf("%d parameters through --page-size 20", len(params))
	}
	// --max-items stops early and hands back a NextToken.
	out, _, err = awsCLI(t, l, "describe-db-parameters", "--db-parameter-group-name", "cli-group", "--page-size", "20", "--max-items", "30")
	if err != nil || len(out["Parameters"].([]any)) != 30 || out["NextToken"] == nil {
		t.Fatalf("--max-items: %v %v", err, out["NextToken"])
	}
	out, _, err = awsCLI(t, l, "describe-db-parameters", "--db-parameter-group-name", "cli-group", "--source", "user")
	if err != nil {
		t.Fatal(err)
	}
	user := out["Parameters"].([]any)
	if len(user) != 2 {
		t.Fatalf("user params: %v", user)
	}
	p0 := user[0].(map[string]any)
	if p0["ParameterName"] != "dyn_int" || p0["ParameterValue"] != "77" || p0["IsModifiable"] != true || p0["ApplyMethod"] != "immediate" || p0["Source"] != "user" {
		t.Fatalf("dyn_int: %v", p0)
	}
	out, _, err = awsCLI(t, l, "describe-engine-default-cluster-parameters", "--db-parameter-group-family", lab.TestFamily)
	if err != nil || len(out["EngineDefaults"].(map[string]any)["Parameters"].([]any)) != 60 {
		t.Fatalf("cluster engine defaults: %v", err)
	}
	out, _, err = awsCLI(t, l, "describe-events", "--source-type", "db-parameter-group", "--source-identifier", "cli-group")
	if err != nil || len(out["Events"].([]any)) != 2 {
		t.Fatalf("events: %v %v", err, out)
	}
	if _, _, err := awsCLI(t, l, "reset-db-parameter-group", "--db-parameter-group-name", "cli-group", "--reset-all-parameters"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := awsCLI(t, l, "delete-db-parameter-group", "--db-parameter-group-name", "cli-group"); err != nil {
		t.Fatal(err)
	}

	errs := []struct {
		args []string
		want string
	}{
		{[]string{"describe-db-parameters", "--db-parameter-group-name", "cli-group"},
			"An error occurred (DBParameterGroupNotFound) when calling the DescribeDBParameters operation: DBParameterGroup not found: cli-group"},
		{[]string{"delete-db-parameter-group", "--db-parameter-group-name", "default." + lab.TestFamily},
			"An error occurred (InvalidDBParameterGroupState) when calling the DeleteDBParameterGroup operation: Default DBParameterGroup cannot be deleted"},
		{[]string{"modify-db-parameter-group", "--db-parameter-group-name", "default." + lab.TestFamily, "--parameters", "ParameterName=dyn_int,ParameterValue=1,ApplyMethod=immediate"},
			"An error occurred (InvalidParameterValue) when calling the ModifyDBParameterGroup operation: Cannot modify a default parameter group."},
		{[]string{"create-db-parameter-group", "--db-parameter-group-name", "a--b", "--db-parameter-group-family", lab.TestFamily, "--description", "x"},
			"An error occurred (InvalidParameterValue) when calling the CreateDBParameterGroup operation: The parameter DBParameterGroupName is not a valid identifier"},
		{[]string{"describe-db-parameter-groups", "--max-records", "10"},
			"An error occurred (InvalidParameterValue) when calling the DescribeDBParameterGroups operation: Invalid value 10 for MaxRecords. Must be between 20 and 100"},
	}
	for _, tc := range errs {
		_, stderr, err := awsCLI(t, l, tc.args...)
		if err == nil || !strings.Contains(stderr, tc.want) {
			t.Errorf("aws %v: err %v, stderr %q, want %q", tc.args, err, stderr, tc.want)
		}
	}
	// The immediate-on-static rule, through the CLI.
	awsCLI(t, l, "create-db-parameter-group", "--db-parameter-group-name", "cli2", "--db-parameter-group-family", lab.TestFamily, "--description", "x")
	_, stderr, err := awsCLI(t, l, "modify-db-parameter-group", "--db-parameter-group-name", "cli2", "--parameters", "ParameterName=static_int,ParameterValue=5,ApplyMethod=immediate")
	if err == nil || !strings.Contains(stderr, "(InvalidParameterCombination) when calling the ModifyDBParameterGroup operation: cannot use immediate apply method for static parameter") {
		t.Errorf("immediate on static: %q", stderr)
	}
}

func TestBoto3(t *testing.T) {
	l, _ := startLab(t)
	py := requireTool(t, "python3")
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("boto3 not installed")
		}
		t.Fatal("boto3 not installed (CI is set)")
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "boto3_conformance.py"))
	cmd := exec.Command(py, script, lab.TestFamily)
	cmd.Env = append(os.Environ(), labtest.Env(l)...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "boto3 conformance: ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
