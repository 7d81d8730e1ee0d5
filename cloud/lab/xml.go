package lab

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// xmlns is the namespace every RDS 2014-10-31 response carries.
const xmlns = "http://rds.amazonaws.com/doc/2014-10-31/"

// apiVersion is the only API version the lab (and every current SDK) speaks.
const apiVersion = "2014-10-31"

// encodeResponse renders <ActionResponse><ActionResult>result</ActionResult>
// <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></ActionResponse>.
// A nil result (DeleteDBParameterGroup) has no Result element, as on AWS.
func encodeResponse(action, requestID string, result any) ([]byte, error) {
	return encodeResponseNS(xmlns, action, requestID, result)
}

// encodeResponseNS is encodeResponse in namespace ns (RDS's or STS's).
func encodeResponseNS(ns, action, requestID string, result any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(1024)
	buf.WriteString(xml.Header)
	fmt.Fprintf(&buf, "<%sResponse xmlns=%q>", action, ns)
	if result != nil {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, fmt.Errorf("encoding %s result: %w", action, err)
		}
		if err := enc.Flush(); err != nil {
			return nil, fmt.Errorf("encoding %s result: %w", action, err)
		}
	}
	buf.WriteString("<ResponseMetadata><RequestId>")
	xml.EscapeText(&buf, []byte(requestID))
	buf.WriteString("</RequestId></ResponseMetadata>")
	fmt.Fprintf(&buf, "</%sResponse>", action)
	return buf.Bytes(), nil
}

type xmlError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type xmlErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     xmlError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

func encodeError(e *apiError, requestID string) []byte {
	typ := e.Type
	if typ == "" {
		typ = "Sender"
	}
	b, err := xml.Marshal(xmlErrorResponse{Xmlns: xmlns,
		Error: xmlError{Type: typ, Code: e.Code, Message: e.Message}, RequestID: requestID})
	if err != nil { // cannot happen: only strings
		panic(err)
	}
	return append([]byte(xml.Header), b...)
}

// isoTime is an xs:dateTime as RDS writes it: UTC, milliseconds, Z.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
