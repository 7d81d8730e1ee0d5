package policy

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Describe is a finding in one sentence, for annotations and failure
// messages.
func (f Finding) Describe() string {
	where := f.Group
	if f.Region != "" {
		where += " (" + f.Region
		if f.Account != "" {
			where += ", account " + f.Account
		}
		where += ")"
	}
	subject := f.Parameter
	if subject == "" {
		subject = "parameters"
	}
	msg := fmt.Sprintf("%s: %s %s: %s %s, got %s", where, f.Status, subject, f.Rule, f.Expected, f.Actual)
	if len(f.Instances) > 0 && f.Status != StatusOK {
		msg += " [instances: " + strings.Join(f.Instances, ", ")
		if f.From != "" {
			msg += "; from " + f.From
		}
		msg += "]"
	}
	if f.Detail != "" {
		msg += " (" + f.Detail + ")"
	}
	return msg
}

// Title names the rule a finding checks: "wait_timeout max 600".
func (f Finding) Title() string {
	if f.Parameter == "" {
		return f.Rule
	}
	return f.Parameter + " " + f.Rule + " " + f.Expected
}

// WriteGitHub writes one GitHub Actions workflow command per finding that
// needs attention, each pointing at its rule's line in the policy file so
// that the pull request shows it there: ::error for what fails the check,
// ::warning for warning-severity rules, ::notice for unresolved findings
// (::error with strict).
func WriteGitHub(w io.Writer, policyPath string, fs []Finding, strict bool) error {
	for _, f := range fs {
		level := ""
		switch {
		case f.Status == StatusOK:
			continue
		case Fails(f, strict):
			level = "error"
		case f.Status == StatusUnresolved:
			level = "notice"
		default:
			level = "warning"
		}
		_, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
			escapeProperty(policyPath), f.Line, f.Column, escapeProperty("policy: "+f.Title()), escapeData(f.Describe()))
		if err != nil {
			return err
		}
	}
	return nil
}

// escapeData and escapeProperty escape as GitHub's toolkit does
// (@actions/core command.ts), so a value cannot end the command early.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the findings as JUnit XML: a test suite per group and
// a test case per group × rule. With --effective the per-instance
// findings of one rule fold into its one test case. Failing findings are
// failures; unresolved ones are skipped (failures with strict); warnings
// pass with the finding in system-out.
func WriteJUnit(w io.Writer, policyPath string, fs []Finding, strict bool) error {
	root := junitSuites{Name: "rdsctl policy check " + policyPath}
	suiteIdx := map[string]int{}
	caseIdx := map[string]int{}
	for _, f := range fs {
		sk := f.Account + "/" + f.Region + "/" + string(f.Kind) + "/" + f.Group
		si, ok := suiteIdx[sk]
		if !ok {
			si = len(root.Suites)
			suiteIdx[sk] = si
			name := f.Group
			if f.Region != "" {
				name = f.Region + "/" + name
			}
			if f.Account != "" {
				name = f.Account + "/" + name
			}
			root.Suites = append(root.Suites, junitSuite{Name: name})
		}
		s := &root.Suites[si]
		ck := fmt.Sprintf("%s/%d/%d/%s", sk, f.Line, f.Column, f.Rule)
		ci, ok := caseIdx[ck]
		if !ok {
			ci = len(s.Cases)
			caseIdx[ck] = ci
			s.Cases = append(s.Cases, junitCase{Name: f.Title(), Classname: s.Name, File: policyPath, Line: f.Line})
		}
		c := &s.Cases[ci]
		switch {
		case f.Status == StatusOK:
		case Fails(f, strict):
			if c.Failure == nil {
				c.Failure = &junitMessage{Message: string(f.Status) + ": " + f.Title(), Type: string(f.Status)}
				c.Skipped = nil
			}
			c.Failure.Text += f.Describe() + "\n"
		case f.Status == StatusUnresolved:
			if c.Failure == nil {
				if c.Skipped == nil {
					c.Skipped = &junitMessage{Message: "unresolved: " + f.Title()}
				}
				c.Skipped.Text += f.Describe() + "\n"
			}
		default:
			c.SystemOut += "warning: " + f.Describe() + "\n"
		}
	}
	for i := range root.Suites {
		s := &root.Suites[i]
		s.Tests = len(s.Cases)
		for _, c := range s.Cases {
			if c.Failure != nil {
				s.Failures++
			} else if c.Skipped != nil {
				s.Skipped++
			}
		}
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("encoding junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
