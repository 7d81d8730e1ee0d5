// Package yamldoc reads the YAML files rdsctl takes as input (desired-state
// files, policies, game-day scenarios) the one careful way: within a size
// limit, from a regular file or standard input only, interruptible, as
// exactly one document, with the line and column of every error. The
// packages that define each file's shape (params, params/policy,
// failover/gameday) walk the document it returns.
package yamldoc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxSize bounds every input file: each is a page or two of YAML, and a
// mistaken path (/dev/zero, a log, a dump) must not be read whole.
const MaxSize = 1 << 20

// Error is a problem in an input file at a position (Line and Column are 0
// where there is none, such as a file that cannot be read).
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	name := e.File
	if name == "" {
		name = "<input>"
	}
	switch {
	case e.Line <= 0:
		return fmt.Sprintf("%s: %s", name, e.Msg)
	case e.Column <= 0:
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", name, e.Line, e.Column, e.Msg)
}

// ReadFile reads what (e.g. "policy") from path, or from stdin when path is
// "-", at most max bytes (MaxSize when max <= 0). It refuses a directory, a
// FIFO or a device by name rather than read it, refuses a larger file
// naming the limit, and returns as soon as ctx is done, even while a read
// from a terminal or a pipe is blocked. Every refusal is an *Error.
func ReadFile(ctx context.Context, path string, stdin io.Reader, what string, max int) ([]byte, error) {
	if max <= 0 {
		max = MaxSize
	}
	name, r := path, stdin
	if path == "-" {
		name = "<stdin>"
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, &Error{File: path, Msg: fmt.Sprintf("reading %s: %v", what, errors.Unwrap(err))}
		}
		if !fi.Mode().IsRegular() {
			return nil, &Error{File: path, Msg: fmt.Sprintf("reading %s: not a regular file (%s)", what, kind(fi.Mode()))}
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, &Error{File: path, Msg: fmt.Sprintf("reading %s: %v", what, errors.Unwrap(err))}
		}
		defer f.Close()
		r = f
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
		done <- result{data, err}
	}()
	var res result
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("reading %s from %s: %w", what, name, ctx.Err())
	case res = <-done:
	}
	if res.err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("reading %s: %v", what, res.err)}
	}
	if len(res.data) > max {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d bytes, the limit for a %s", max, what)}
	}
	return res.data, nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// Body parses data as exactly one YAML document and returns its body, or
// nil for a file with no document (empty, or only comments). name is the
// file name errors carry; multi is the message for a second document,
// which would otherwise be silently ignored.
func Body(name string, data []byte, multi string) (ast.Node, error) {
	af, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			e := &Error{File: name, Msg: "malformed YAML: " + ye.GetMessage()}
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Column = tk.Position.Line, tk.Position.Column
			}
			return nil, e
		}
		return nil, &Error{File: name, Msg: "malformed YAML: " + err.Error()}
	}
	var body ast.Node
	for _, d := range af.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			line, col := Pos(d.Body)
			if d.Start != nil && d.Start.Position != nil { // the "---" line
				line, col = d.Start.Position.Line, d.Start.Position.Column
			}
			return nil, &Error{File: name, Line: line, Column: col, Msg: multi}
		}
		body = d.Body
	}
	return body, nil
}

// Pos is the line and column where n starts (0, 0 when unknown).
func Pos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// Unwrap looks through anchors (&x) and tags (!!str) to the value.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
}
