package policy

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func reportFindings() []Finding {
	return []Finding{
		{Account: "1", Region: "r", Group: "a", Parameter: "wait_timeout", Rule: "max", Expected: "600", Actual: "300", Status: StatusOK, Severity: SeverityError, Instances: []string{}, Line: 5, Column: 5},
		{Account: "1", Region: "r", Group: "b", Parameter: "wait_timeout", Rule: "max", Expected: "600", Actual: "900", Status: StatusViolation, Severity: SeverityError, Instances: []string{"db1"}, Line: 5, Column: 5, Detail: "50% <over>\nline two"},
		{Account: "1", Region: "r", Group: "b", Parameter: "innodb_buffer_pool_size", Rule: "max", Expected: "1G", Actual: "-", Status: StatusUnresolved, Severity: SeverityError, Instances: []string{}, Line: 7, Column: 5},
		{Account: "1", Region: "r", Group: "b", Parameter: "binlog_format", Rule: "equals", Expected: "ROW", Actual: "MIXED", Status: StatusViolation, Severity: SeverityWarning, Instances: []string{}, Line: 9, Column: 5},
		{Account: "1", Region: "r", Group: "b", Parameter: "wait_timeout", Rule: "min", Expected: "60", Actual: "900", Status: StatusNotApplied, Severity: SeverityError, Instances: []string{"db2"}, Line: 5, Column: 5},
	}
}

func TestWriteGitHub(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGitHub(&b, "ci/policy.yaml", reportFindings(), false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := []string{
		"::error file=ci/policy.yaml,line=5,col=5,title=policy%3A wait_timeout max 600::b (r, account 1): violation wait_timeout: max 600, got 900 [instances: db1] (50%25 <over>%0Aline two)",
		"::notice file=ci/policy.yaml,line=7,col=5,title=policy%3A innodb_buffer_pool_size max 1G::b (r, account 1): unresolved innodb_buffer_pool_size: max 1G, got -",
		"::warning file=ci/policy.yaml,line=9,col=5,title=policy%3A binlog_format equals ROW::b (r, account 1): violation binlog_format: equals ROW, got MIXED",
		"::error file=ci/policy.yaml,line=5,col=5,title=policy%3A wait_timeout min 60::b (r, account 1): not-applied wait_timeout: min 60, got 900 [instances: db2]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	b.Reset()
	_ = WriteGitHub(&b, "p.yaml", reportFindings(), true)
	if !strings.Contains(b.String(), "::error file=p.yaml,line=7") {
		t.Errorf("strict: unresolved is not an error:\n%s", b.String())
	}
}

func TestWriteJUnit(t *testing.T) {
	fs := reportFindings()
	// A second instance's finding for the same rule folds into its case.
	extra := fs[1]
	extra.Instances = []string{"db3"}
	fs = append(fs, extra)
	var b bytes.Buffer
	if err := WriteJUnit(&b, "p.yaml", fs, false); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Line    int    `xml:"line,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped   *struct{} `xml:"skipped"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Skipped != 1 || len(doc.Suites) != 2 {
		t.Fatalf("tests=%d failures=%d skipped=%d suites=%d\n%s", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites), b.String())
	}
	b1 := doc.Suites[1]
	if b1.Name != "1/r/b" || b1.Cases[0].Name != "wait_timeout max 600" || b1.Cases[0].Line != 5 || b1.Cases[0].Failure == nil {
		t.Fatalf("suite b: %+v", b1)
	}
	if !strings.Contains(b1.Cases[0].Failure.Text, "db1") || !strings.Contains(b1.Cases[0].Failure.Text, "db3") ||
		!strings.Contains(b1.Cases[0].Failure.Text, "50% <over>") {
		t.Errorf("failure text %q", b1.Cases[0].Failure.Text)
	}
	if b1.Cases[1].Skipped == nil || b1.Cases[2].Failure != nil || !strings.Contains(b1.Cases[2].SystemOut, "warning:") {
		t.Errorf("unresolved or warning cases: %+v", b1.Cases)
	}
}
