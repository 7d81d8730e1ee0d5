package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
)

const esc = "\x1b["

func TestColorAllowed(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, true},
		{map[string]string{"TERM": "xterm-256color"}, true},
		{map[string]string{"NO_COLOR": "1"}, false},
		{map[string]string{"NO_COLOR": "", "TERM": "xterm"}, true}, // no-color.org: empty does not count
		{map[string]string{"TERM": "dumb"}, false},
	}
	for _, tt := range tests {
		if got := ColorAllowed(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("ColorAllowed(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	fill := func(s *IOStreams) {
		tb := s.NewTable("NAME", "FAMILY", "DESCRIPTION")
		tb.AddRow("default.mariadb10.11", "mariadb10.11", "Default parameter group")
		tb.AddRow("staging", "mysql8.0")
		if err := tb.Render(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("piped", func(t *testing.T) {
		s, _, out, _ := Test()
		fill(s)
		want := "default.mariadb10.11\tmariadb10.11\tDefault parameter group\nstaging\tmysql8.0\n"
		if out.String() != want {
			t.Errorf("got %q, want %q", out, want)
		}
	})
	t.Run("tty no colour", func(t *testing.T) {
		s, _, out, _ := Test()
		s.SetTTY(true)
		s.DisableColor()
		fill(s)
		want := "NAME                  FAMILY        DESCRIPTION\n" +
			"default.mariadb10.11  mariadb10.11  Default parameter group\n" +
			"staging               mysql8.0\n"
		if out.String() != want {
			t.Errorf("got\n%q\nwant\n%q", out, want)
		}
	})
	t.Run("tty colour", func(t *testing.T) {
		s, _, out, _ := Test()
		s.SetTTY(true)
		fill(s)
		first, rest, _ := strings.Cut(out.String(), "\n")
		if !strings.Contains(first, esc) || !strings.Contains(first, "NAME") {
			t.Errorf("header not styled: %q", first)
		}
		if strings.Contains(rest, esc) {
			t.Errorf("data rows styled: %q", rest)
		}
	})
	t.Run("piped ignores colour", func(t *testing.T) {
		s, _, out, _ := Test()
		s.ColorEnabled = true // even if someone forces it, piped tables are plain
		fill(s)
		if strings.Contains(out.String(), esc) || strings.Contains(out.String(), "NAME") {
			t.Errorf("piped table has colour or header: %q", out)
		}
	})
}

func TestPrintFields(t *testing.T) {
	fields := []Field{F("pid", 42), F("endpoint", "http://127.0.0.1:4599")}
	s, _, out, _ := Test()
	if err := s.PrintFields(fields...); err != nil {
		t.Fatal(err)
	}
	if want := "pid:\t42\nendpoint:\thttp://127.0.0.1:4599\n"; out.String() != want {
		t.Errorf("piped: got %q, want %q", out, want)
	}

	s, _, out, _ = Test()
	s.SetTTY(true)
	s.DisableColor()
	_ = s.PrintFields(fields...)
	if want := "pid:       42\nendpoint:  http://127.0.0.1:4599\n"; out.String() != want {
		t.Errorf("tty: got %q, want %q", out, want)
	}

	s, _, out, _ = Test()
	s.SetTTY(true)
	_ = s.PrintFields(fields...)
	if !strings.Contains(out.String(), esc) {
		t.Errorf("tty colour: keys not styled: %q", out)
	}
}

type sample struct {
	GroupName  string   `json:"group_name"`
	ApplyType  string   `json:"apply_type"`
	Zebra      int      `json:"zebra"`
	Alpha      []string `json:"alpha"`
	HTML       string   `json:"html"`
	unexported int
}

func TestJSONAndYAML(t *testing.T) {
	v := sample{GroupName: "staging", ApplyType: "dynamic", Zebra: 1, Alpha: []string{}, HTML: "<a&b>"}

	s, _, out, _ := Test()
	if err := s.Print(FormatJSON, v, func() error { t.Error("table printer called for json"); return nil }); err != nil {
		t.Fatal(err)
	}
	wantJSON := `{
  "group_name": "staging",
  "apply_type": "dynamic",
  "zebra": 1,
  "alpha": [],
  "html": "<a&b>"
}
`
	if out.String() != wantJSON {
		t.Errorf("json:\n%s\nwant\n%s", out, wantJSON)
	}

	s, _, out, _ = Test()
	if err := s.Print(FormatYAML, v, nil); err != nil {
		t.Fatal(err)
	}
	wantYAML := "group_name: staging\napply_type: dynamic\nzebra: 1\nalpha: []\nhtml: <a&b>\n"
	if out.String() != wantYAML {
		t.Errorf("yaml:\n%s\nwant\n%s", out, wantYAML)
	}

	// Neither format is coloured, even on a colour TTY.
	for _, f := range []Format{FormatJSON, FormatYAML} {
		s, _, out, _ = Test()
		s.SetTTY(true)
		_ = s.Print(f, v, nil)
		if strings.Contains(out.String(), esc) {
			t.Errorf("%s output has escapes: %q", f, out)
		}
	}

	called := false
	s, _, _, _ = Test()
	_ = s.Print(FormatTable, v, func() error { called = true; return nil })
	if !called {
		t.Error("table printer not called")
	}
}

func TestYAMLKeepsNestedOrder(t *testing.T) {
	type inner struct {
		Name   string `json:"name"`
		Actual string `json:"actual"`
	}
	v := struct {
		Parameters []inner `json:"parameters"`
		Trap       map[string]int
	}{Parameters: []inner{{Name: "wait_timeout", Actual: "28800"}}}
	s, _, out, _ := Test()
	_ = s.PrintYAML(v)
	want := "parameters:\n- name: wait_timeout\n  actual: \"28800\"\nTrap: null\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatTable, "table": FormatTable, "json": FormatJSON, "YAML": FormatYAML} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("csv"); err == nil {
		t.Error("csv accepted")
	}
}

func TestConfirm(t *testing.T) {
	t.Run("yes flag", func(t *testing.T) {
		s, _, _, errOut := Test()
		s.AssumeYes = true
		if err := s.Confirm("reboot staging-db"); err != nil {
			t.Fatal(err)
		}
		if errOut.Len() != 0 {
			t.Errorf("asked anyway: %q", errOut)
		}
	})
	t.Run("no tty", func(t *testing.T) {
		s, _, _, _ := Test()
		err := s.Confirm("reboot staging-db")
		if cli.ExitCode(err) != cli.ExitUsage {
			t.Fatalf("exit code %d for %v", cli.ExitCode(err), err)
		}
		if want := "refusing to reboot staging-db without --yes when stdin is not a terminal"; err.Error() != want {
			t.Errorf("got %q, want %q", err, want)
		}
	})
	for _, tt := range []struct {
		answer string
		want   error
	}{
		{"y\n", nil},
		{"YES\n", nil},
		{"n\n", cli.ErrCanceled},
		{"\n", cli.ErrCanceled},
		{"", cli.ErrCanceled},
	} {
		t.Run("tty "+strings.TrimSpace(tt.answer), func(t *testing.T) {
			s, in, _, errOut := Test()
			s.SetTTY(true)
			s.DisableColor()
			in.WriteString(tt.answer + "rest")
			err := s.Confirm("reboot staging-db")
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("answer %q: err = %v, want %v", tt.answer, err, tt.want)
			}
			if !strings.HasPrefix(errOut.String(), "? Reboot staging-db? [y/N] ") {
				t.Errorf("prompt = %q", errOut)
			}
			if tt.answer != "" && in.String() != "rest" {
				t.Errorf("prompt consumed past the answer: %q left", in)
			}
		})
	}
}

func TestDiagnosticsGoToStderr(t *testing.T) {
	s, _, out, errOut := Test()
	s.Infof("plain %d", 1)
	s.Progressf("waiting for %s", "db")
	s.Successf("done")
	s.Warnf("careful")
	s.Failf("broke")
	s.ErrorLine("boom")
	if out.Len() != 0 {
		t.Errorf("diagnostics on stdout: %q", out)
	}
	want := "plain 1\n• waiting for db\n✓ done\n! careful\n✗ broke\nrdsctl: boom\n"
	if errOut.String() != want {
		t.Errorf("got %q, want %q", errOut, want)
	}

	// Colour on stderr only when stderr is a TTY and colour is on.
	s, _, _, errOut = Test()
	s.SetTTY(true)
	s.Successf("done")
	if !strings.Contains(errOut.String(), esc) {
		t.Errorf("no colour on a colour TTY: %q", errOut)
	}
	s, _, _, errOut = Test()
	s.SetTTY(true)
	s.IsStderrTTY = false
	s.Successf("done")
	if strings.Contains(errOut.String(), esc) {
		t.Errorf("colour on piped stderr: %q", errOut)
	}
}

func TestColorScheme(t *testing.T) {
	s, _, _, _ := Test()
	if got := s.ColorScheme().Green("ok"); got != "ok" {
		t.Errorf("colour off: %q", got)
	}
	s.SetTTY(true)
	if got := s.ColorScheme().Green("ok"); got != "\x1b[32mok\x1b[0m" {
		t.Errorf("colour on: %q", got)
	}
}
