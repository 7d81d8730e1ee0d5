package cloud

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WithFastParameterDecoding gives the three parameter listings
// (DescribeDBParameters, DescribeDBClusterParameters and
// DescribeEngineDefaultParameters) a decoder of their own for successful
// responses. A group's full listing is 6 pages of about 100 parameters,
// each a dozen elements, and the SDK's decoder, built on encoding/xml,
// spends most of a `params show` in it; this one reads the same bytes
// several times faster.
//
// It decodes only what it fully understands, exactly as the SDK would:
// the same elements, matched case-insensitively, unknown ones skipped,
// empty elements as "" and empty lists as empty, not nil. Anything else
// (an error status, a comment, CDATA, a namespace prefix, an unknown
// entity, a carriage return, invalid UTF-8, a repeated field, a body over
// fastBodyLimit) goes to the SDK's own decoder with the body intact, so
// the result, or the error, is always the SDK's. FuzzFastParameters holds
// the two decoders to that.
//
// NewClient applies it to every client; labtest applies it too, so every
// lab test goes through it. Applying it twice wraps once.
func WithFastParameterDecoding(o *rds.Options) {
	o.APIOptions = append(o.APIOptions, addFastParameters)
}

// fastBodyLimit bounds the body the fast decoder reads into memory; a
// larger one streams through the SDK's decoder.
const fastBodyLimit = 8 << 20

func addFastParameters(stack *middleware.Stack) error {
	var decode func([]byte) (any, bool)
	switch stack.ID() {
	case "DescribeDBParameters":
		decode = listingDecoder("DescribeDBParametersResult", "", func(l listing) any {
			return &rds.DescribeDBParametersOutput{Marker: l.marker, Parameters: l.params}
		})
	case "DescribeDBClusterParameters":
		decode = listingDecoder("DescribeDBClusterParametersResult", "", func(l listing) any {
			return &rds.DescribeDBClusterParametersOutput{Marker: l.marker, Parameters: l.params}
		})
	case "DescribeEngineDefaultParameters":
		decode = listingDecoder("DescribeEngineDefaultParametersResult", "EngineDefaults", func(l listing) any {
			out := &rds.DescribeEngineDefaultParametersOutput{}
			if l.wrapped {
				out.EngineDefaults = &types.EngineDefaults{DBParameterGroupFamily: l.family, Marker: l.marker, Parameters: l.params}
			}
			return out
		})
	default:
		return nil
	}
	const id = "OperationDeserializer"
	m, ok := stack.Deserialize.Get(id)
	if !ok {
		return nil
	}
	if _, done := m.(*fastParameters); done {
		return nil
	}
	_, err := stack.Deserialize.Swap(id, &fastParameters{sdk: m, decode: decode})
	return err
}

// listingDecoder decodes a listing whose result element is result (and
// wrapper inside it, when set) into the output build makes of it.
func listingDecoder(result, wrapper string, build func(listing) any) func([]byte) (any, bool) {
	return func(b []byte) (any, bool) {
		l, ok := decodeParameterListing(b, result, wrapper)
		if !ok {
			return nil, false
		}
		return build(l), true
	}
}

// fastParameters is the deserialize middleware: it takes the place of
// the SDK's OperationDeserializer and hands it everything it does not
// decode itself.
type fastParameters struct {
	sdk    middleware.DeserializeMiddleware
	decode func([]byte) (any, bool)
}

func (m *fastParameters) ID() string { return "OperationDeserializer" }

func (m *fastParameters) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleDeserialize(ctx, in)
	replay := middleware.DeserializeHandlerFunc(func(context.Context, middleware.DeserializeInput) (
		middleware.DeserializeOutput, middleware.Metadata, error,
	) {
		return out, md, err
	})
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 || resp.Body == nil {
		return m.sdk.HandleDeserialize(ctx, in, replay)
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, fastBodyLimit+1))
	if rerr == nil && len(body) <= fastBodyLimit {
		if res, ok := m.decode(body); ok {
			_ = resp.Body.Close()
			out.Result = res
			return out, md, nil
		}
	}
	// The SDK reads the same bytes, then whatever (or whichever error)
	// the body still holds.
	rest := resp.Body
	var tail io.Reader = rest
	if rerr != nil {
		tail = errReader{rerr}
	}
	resp.Body = replayBody{Reader: io.MultiReader(bytes.NewReader(body), tail), Closer: rest}
	return m.sdk.HandleDeserialize(ctx, in, replay)
}

type replayBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// listing is what a parameter listing's result holds.
type listing struct {
	marker, family *string
	params         []types.Parameter
	// wrapped: the wrapper element (EngineDefaults) was present.
	wrapped bool
}

// errUnsupported ends a fast decode: the SDK's decoder takes over.
var errUnsupported = errors.New("not for the fast decoder")

// decodeParameterListing decodes body as the SDK decodes a parameter
// listing: the first element of the root named result (case-insensitive),
// optionally the element wrapper inside it, and in there Marker,
// Parameters and (with a wrapper) DBParameterGroupFamily. ok is false for
// anything the SDK might read differently.
func decodeParameterListing(body []byte, result, wrapper string) (l listing, ok bool) {
	d := xmlScanner{b: body}
	if !d.prolog() {
		return l, false
	}
	// FetchRootElement: text before the root is skipped.
	root, err := d.next()
	for err == nil && root.kind == tokText {
		root, err = d.next()
	}
	if err != nil || root.kind != tokStart {
		// An empty body is no error to the SDK (an empty output); leave
		// that, and everything odd, to it.
		return l, false
	}
	if root.selfClosing {
		return l, false
	}
	// GetElement: the first child named result, others skipped.
	for {
		t, err := d.child(root.name)
		if err != nil || t.kind != tokStart {
			return l, false // not found: the SDK's error
		}
		if !strings.EqualFold(t.name, result) {
			if d.skip(t) != nil {
				return l, false
			}
			continue
		}
		if wrapper == "" {
			if d.fields(t, &l, false) != nil {
				return l, false
			}
			return l, true
		}
		seen := false
		err = d.children(t, func(c token) error {
			if !strings.EqualFold(c.name, wrapper) {
				return d.skip(c)
			}
			if seen {
				return errUnsupported
			}
			seen = true
			l.wrapped = true
			return d.fields(c, &l, true)
		})
		return l, err == nil
	}
}

// fields decodes the children of el (a result or EngineDefaults) into l.
func (d *xmlScanner) fields(el token, l *listing, family bool) error {
	var seen [3]bool
	once := func(i int) error {
		if seen[i] {
			return errUnsupported
		}
		seen[i] = true
		return nil
	}
	return d.children(el, func(c token) error {
		switch {
		case strings.EqualFold(c.name, "Marker"):
			if err := once(0); err != nil {
				return err
			}
			v, err := d.value(c)
			l.marker = &v
			return err
		case family && strings.EqualFold(c.name, "DBParameterGroupFamily"):
			if err := once(1); err != nil {
				return err
			}
			v, err := d.value(c)
			l.family = &v
			return err
		case strings.EqualFold(c.name, "Parameters"):
			if err := once(2); err != nil {
				return err
			}
			l.params = make([]types.Parameter, 0, 100)
			return d.children(c, func(p token) error {
				if !strings.EqualFold(p.name, "Parameter") {
					return d.skip(p)
				}
				var x types.Parameter
				if err := d.parameter(p, &x); err != nil {
					return err
				}
				l.params = append(l.params, x)
				return nil
			})
		default:
			return d.skip(c)
		}
	})
}

// parameterFields are the members of types.Parameter, in the SDK's
// spelling.
var parameterFields = [...]string{"AllowedValues", "ApplyMethod", "ApplyType", "DataType", "Description",
	"IsModifiable", "MinimumEngineVersion", "ParameterName", "ParameterValue", "Source", "SupportedEngineModes"}

func (d *xmlScanner) parameter(el token, x *types.Parameter) error {
	var seen [len(parameterFields)]bool
	// The string members, by their index in parameterFields.
	strs := [...]**string{0: &x.AllowedValues, 2: &x.ApplyType, 3: &x.DataType, 4: &x.Description,
		6: &x.MinimumEngineVersion, 7: &x.ParameterName, 8: &x.ParameterValue, 9: &x.Source, 10: nil}
	return d.children(el, func(c token) error {
		f := -1
		for i, name := range parameterFields {
			if strings.EqualFold(c.name, name) {
				f = i
				break
			}
		}
		if f < 0 {
			return d.skip(c)
		}
		if seen[f] {
			return errUnsupported
		}
		seen[f] = true
		if f == 10 { // SupportedEngineModes: a list of member
			x.SupportedEngineModes = make([]string, 0, 2)
			return d.children(c, func(m token) error {
				if !strings.EqualFold(m.name, "member") {
					return d.skip(m)
				}
				v, err := d.value(m)
				x.SupportedEngineModes = append(x.SupportedEngineModes, v)
				return err
			})
		}
		v, err := d.value(c)
		if err != nil {
			return err
		}
		switch f {
		case 1:
			x.ApplyMethod = types.ApplyMethod(v)
		case 5:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errUnsupported // the SDK's error
			}
			x.IsModifiable = aws.Bool(b)
		default:
			*strs[f] = &v
		}
		return nil
	})
}

// xmlScanner reads the subset of XML that RDS sends: elements with
// attributes, text with the five predefined entities and character
// references, and an XML declaration first. It returns errUnsupported for
// everything else, so that nothing it accepts reads differently from
// encoding/xml.
type xmlScanner struct {
	b     []byte
	i     int
	depth int
}

// maxDepth bounds the nesting the scanner follows (it recurses); RDS
// nests five deep.
const maxDepth = 32

type tokKind int

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
	tokEOF
)

type token struct {
	kind        tokKind
	name        string // start and end
	selfClosing bool   // start
	text        string // text, entities decoded
}

// prolog skips a leading XML declaration, accepting only version 1.0 in
// UTF-8 (encoding/xml refuses other encodings without a CharsetReader).
func (d *xmlScanner) prolog() bool {
	if !utf8.Valid(d.b) {
		return false
	}
	if !bytes.HasPrefix(d.b, []byte("<?")) {
		return true
	}
	for _, decl := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0"?>`} {
		if bytes.HasPrefix(d.b, []byte(decl)) {
			d.i = len(decl)
			return true
		}
	}
	return false
}

// next returns the next token. Text between elements is returned too;
// callers that want elements skip it.
func (d *xmlScanner) next() (token, error) {
	if d.i >= len(d.b) {
		return token{kind: tokEOF}, nil
	}
	if d.b[d.i] != '<' {
		return d.textToken()
	}
	if d.i+1 >= len(d.b) {
		return token{}, errUnsupported
	}
	switch d.b[d.i+1] {
	case '!', '?': // comments, CDATA, DOCTYPE, processing instructions
		return token{}, errUnsupported
	case '/':
		d.i += 2
		name, ok := d.name()
		if !ok {
			return token{}, errUnsupported
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '>' {
			return token{}, errUnsupported
		}
		d.i++
		return token{kind: tokEnd, name: name}, nil
	}
	d.i++
	name, ok := d.name()
	if !ok {
		return token{}, errUnsupported
	}
	for {
		sp := d.space()
		if d.i >= len(d.b) {
			return token{}, errUnsupported
		}
		switch d.b[d.i] {
		case '>':
			d.i++
			return token{kind: tokStart, name: name}, nil
		case '/':
			if d.i+1 < len(d.b) && d.b[d.i+1] == '>' {
				d.i += 2
				return token{kind: tokStart, name: name, selfClosing: true}, nil
			}
			return token{}, errUnsupported
		}
		if !sp || !d.attribute() {
			return token{}, errUnsupported
		}
	}
}

// attribute skips name="value" (or '): values with an entity or a '<'
// are left to encoding/xml.
func (d *xmlScanner) attribute() bool {
	if _, ok := d.attrName(); !ok {
		return false
	}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '=' {
		return false
	}
	d.i++
	d.space()
	if d.i >= len(d.b) || (d.b[d.i] != '"' && d.b[d.i] != '\'') {
		return false
	}
	q := d.b[d.i]
	d.i++
	for d.i < len(d.b) && d.b[d.i] != q {
		if c := d.b[d.i]; c == '&' || c == '<' || c < 0x20 || c >= 0x80 {
			return false
		}
		d.i++
	}
	if d.i >= len(d.b) {
		return false
	}
	d.i++
	return true
}

// name reads an element name: ASCII letters, digits, '_', '-' and '.',
// not starting with a digit, '-' or '.'. A prefix (a colon) is left to
// encoding/xml, which strips it.
func (d *xmlScanner) name() (string, bool) {
	start := d.i
	for d.i < len(d.b) && nameByte(d.b[d.i], d.i == start) {
		d.i++
	}
	if d.i == start {
		return "", false
	}
	return internName(d.b[start:d.i]), true
}

// attrName is name with one colon allowed (xmlns:x).
func (d *xmlScanner) attrName() (string, bool) {
	n, ok := d.name()
	if !ok || d.i >= len(d.b) || d.b[d.i] != ':' {
		return n, ok
	}
	d.i++
	return d.name()
}

func nameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-', c == '.':
		return !first
	}
	return false
}

// space skips XML white space (no carriage return: encoding/xml
// normalises it) and says whether there was any.
func (d *xmlScanner) space() bool {
	start := d.i
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n') {
		d.i++
	}
	return d.i > start
}

// textToken reads character data up to the next '<', decoding entities.
func (d *xmlScanner) textToken() (token, error) {
	start := d.i
	plain := true
	for d.i < len(d.b) && d.b[d.i] != '<' {
		c := d.b[d.i]
		switch {
		case c == '&':
			plain = false
		case c == '\r', c < 0x20 && c != '\t' && c != '\n':
			return token{}, errUnsupported
		case c == ']' && bytes.HasPrefix(d.b[d.i:], []byte("]]>")):
			return token{}, errUnsupported // an error outside CDATA
		case c == 0xEF && d.i+2 < len(d.b) && d.b[d.i+1] == 0xBF && (d.b[d.i+2] == 0xBE || d.b[d.i+2] == 0xBF):
			return token{}, errUnsupported // U+FFFE, U+FFFF: not XML characters
		case c == 0xED && d.i+1 < len(d.b) && d.b[d.i+1] >= 0xA0:
			return token{}, errUnsupported // surrogates (utf8.Valid refuses them already)
		}
		d.i++
	}
	raw := d.b[start:d.i]
	if plain {
		return token{kind: tokText, text: internValue(raw)}, nil
	}
	s, ok := unescape(raw)
	if !ok {
		return token{}, errUnsupported
	}
	return token{kind: tokText, text: s}, nil
}

// unescape decodes the predefined entities and character references.
func unescape(raw []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '&' {
			sb.WriteByte(c)
			i++
			continue
		}
		end := bytes.IndexByte(raw[i:], ';')
		if end < 2 || end > 12 {
			return "", false
		}
		ent := string(raw[i+1 : i+end])
		i += end + 1
		switch ent {
		case "lt":
			sb.WriteByte('<')
		case "gt":
			sb.WriteByte('>')
		case "amp":
			sb.WriteByte('&')
		case "apos":
			sb.WriteByte('\'')
		case "quot":
			sb.WriteByte('"')
		default:
			if ent[0] != '#' || len(ent) < 2 {
				return "", false
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			r := rune(n)
			if err != nil || !xmlChar(r) || strings.ContainsAny(ent[1:2], "+-") || r == '\r' {
				return "", false
			}
			sb.WriteRune(r)
		}
	}
	return sb.String(), true
}

// xmlChar is XML 1.0's Char production, as encoding/xml checks it.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// child returns the next element child of the open element named parent:
// a start, or parent's end. Text between elements is skipped.
func (d *xmlScanner) child(parent string) (token, error) {
	for {
		t, err := d.next()
		if err != nil {
			return t, err
		}
		switch t.kind {
		case tokText:
			continue
		case tokEnd:
			if t.name != parent {
				return t, errUnsupported
			}
			return t, nil
		case tokEOF:
			return t, errUnsupported
		}
		return t, nil
	}
}

// children calls f for each element child of the open start el; f must
// consume the child it is given (value, skip or children).
func (d *xmlScanner) children(el token, f func(token) error) error {
	if el.selfClosing {
		return nil
	}
	if d.depth++; d.depth > maxDepth {
		return errUnsupported
	}
	defer func() { d.depth-- }()
	for {
		t, err := d.child(el.name)
		if err != nil {
			return err
		}
		if t.kind == tokEnd {
			return nil
		}
		if err := f(t); err != nil {
			return err
		}
	}
}

// skip consumes the element el starts, whatever it holds.
func (d *xmlScanner) skip(el token) error {
	return d.children(el, d.skip)
}

// value reads the text of the leaf element el: "" when it is empty.
// An element inside it is the SDK's error.
func (d *xmlScanner) value(el token) (string, error) {
	if el.selfClosing {
		return "", nil
	}
	t, err := d.next()
	if err != nil {
		return "", err
	}
	switch t.kind {
	case tokEnd:
		if t.name != el.name {
			return "", errUnsupported
		}
		return "", nil
	case tokText:
		end, err := d.next()
		if err != nil || end.kind != tokEnd || end.name != el.name {
			return "", errUnsupported
		}
		return t.text, nil
	}
	return "", errUnsupported
}

// internName and internValue return the common element names and values
// without allocating: a full listing repeats a dozen names and a handful
// of values 569 times.
func internName(b []byte) string {
	for _, s := range commonNames {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}

func internValue(b []byte) string {
	if len(b) <= 16 {
		for _, s := range commonValues {
			if string(b) == s {
				return s
			}
		}
	}
	return string(b)
}

var commonNames = [...]string{"Parameter", "ParameterName", "ParameterValue", "Description", "Source", "ApplyType",
	"DataType", "AllowedValues", "IsModifiable", "ApplyMethod", "MinimumEngineVersion", "SupportedEngineModes",
	"member", "Parameters", "Marker"}

var commonValues = [...]string{"engine-default", "system", "user", "static", "dynamic", "string", "integer",
	"boolean", "list", "float", "true", "false", "0,1", "pending-reboot", "immediate", "provisioned", "serverless", "0", "1", "OFF", "ON"}
