package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-yaml"
)

// Format is the value of the global -o/--output flag.
type Format string

// The output formats. JSON and YAML carry the same keys in the same order
// (YAML is converted from the JSON), so a script can switch between them.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
)

// Formats lists the valid -o values, for help text and completion.
var Formats = []string{string(FormatTable), string(FormatJSON), string(FormatYAML)}

// ParseFormat validates an -o value; "" means table.
func ParseFormat(v string) (Format, error) {
	switch f := Format(strings.ToLower(v)); f {
	case "":
		return FormatTable, nil
	case FormatTable, FormatJSON, FormatYAML:
		return f, nil
	}
	return "", fmt.Errorf("invalid output format %q: want one of %s", v, strings.Join(Formats, ", "))
}

// Print writes v to Out as JSON or YAML, or calls human for the table
// format. Every read command goes through it so that each one has
// machine-readable output with the same keys in both encodings.
func (s *IOStreams) Print(format Format, v any, human func() error) error {
	switch format {
	case FormatJSON:
		return s.PrintJSON(v)
	case FormatYAML:
		return s.PrintYAML(v)
	default:
		return human()
	}
}

// PrintJSON writes v as indented JSON. Keys come from the json tags, which
// are snake_case throughout rdsctl; HTML is not escaped ("<" stays "<").
// The encoder writes to Out in one piece once v is encoded, so nothing is
// written when encoding fails, and the output is not copied once more
// (it can be megabytes, e.g. a policy check of a large fleet).
func (s *IOStreams) PrintJSON(v any) error {
	w := &recordingWriter{w: s.Out}
	if err := newJSONEncoder(w).Encode(v); err != nil {
		if w.err != nil {
			return w.err
		}
		return fmt.Errorf("encoding output: %w", err)
	}
	return nil
}

// recordingWriter keeps the error of its writer, to tell it from an
// encoding error.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

// PrintYAML writes v as YAML with exactly the keys, and the key order, of
// its JSON form: it is converted from that JSON rather than marshalled
// separately, so yaml tags never have to be kept in step with json tags.
func (s *IOStreams) PrintYAML(v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(b)
	if err != nil {
		return fmt.Errorf("converting output to yaml: %w", err)
	}
	if len(y) > 0 && y[len(y)-1] != '\n' {
		y = append(y, '\n')
	}
	_, err = s.Out.Write(y)
	return err
}

func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := newJSONEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("encoding output: %w", err)
	}
	return buf.Bytes(), nil
}
