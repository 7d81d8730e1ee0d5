package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"github.com/rogpeppe/go-internal/testscript"
)

// The policy scripts' fixture:
//
//	xmlvalid FILE        FILE (e.g. stdout) is one well-formed XML document
//	                     whose root is <testsuites>, as CI systems read JUnit
func init() {
	extraScriptCmds["xmlvalid"] = cmdXMLValid
}

func cmdXMLValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: xmlvalid FILE")
	}
	data := ts.ReadFile(args[0])
	err := checkJUnit([]byte(data))
	switch {
	case neg && err == nil:
		ts.Fatalf("xmlvalid %s: unexpectedly valid", args[0])
	case !neg && err != nil:
		ts.Fatalf("xmlvalid %s: %v", args[0], err)
	}
}

// checkJUnit reads every token, so that a document that is not
// well-formed (an unescaped <, a missing end tag, trailing garbage)
// fails, and checks the root element.
func checkJUnit(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					return errors.New("more than one root element")
				}
				root = t.Name.Local
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if root != "testsuites" {
		return errors.New("root element is <" + root + ">, want <testsuites>")
	}
	return nil
}
