package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// botocore's RDS model: the authority on every response shape.
type botoModel struct {
	Operations map[string]struct {
		Output *botoOutput `json:"output"`
		Errors []struct {
			Shape string `json:"shape"`
		} `json:"errors"`
	} `json:"operations"`
	Shapes map[string]botoShape `json:"shapes"`
}

type botoShape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape        string `json:"shape"`
		LocationName string `json:"locationName"`
	} `json:"members"`
	Member *struct {
		Shape        string `json:"shape"`
		LocationName string `json:"locationName"`
	} `json:"member"`
	Flattened bool     `json:"flattened"`
	Enum      []string `json:"enum"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
	} `json:"error"`
}

var (
	modelOnce sync.Once
	model     *botoModel
	modelPath string // the file botocore read it from, for messages
	modelErr  error
)

// modelScript asks botocore's own loader for the RDS model, so that every
// layout is found where botocore itself would look: pip's
// botocore/data/rds/2014-10-31/service-2.json.gz, Debian's python3-botocore
// with a plain service-2.json, ~/.aws/models, AWS_DATA_PATH (the session's
// loader, the one boto3 uses, honours AWS_DATA_PATH). It prints the
// file it read on the first line and the model as JSON after it.
const modelScript = `
import json, os, sys
import botocore.session
loader = botocore.session.get_session().get_component("data_loader")
path = "?"
for d in loader.search_paths:
    for name in ("service-2.json", "service-2.json.gz"):
        p = os.path.join(d, "rds", "2014-10-31", name)
        if path == "?" and os.path.isfile(p):
            path = p
model = loader.load_service_model("rds", "service-2", api_version="2014-10-31")
sys.stdout.write(path + "\n")
json.dump(model, sys.stdout)
`

// loadModel reads botocore's RDS model through the installed botocore,
// wherever and in whichever form (plain or gzipped JSON) it keeps it.
func loadModel() (*botoModel, error) {
	modelOnce.Do(func() {
		model, modelPath, modelErr = readModel()
	})
	return model, modelErr
}

func readModel() (*botoModel, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "python3", "-c", modelScript)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("asking botocore for its RDS model: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	path, body, ok := bytes.Cut(out, []byte("\n"))
	if !ok {
		return nil, "", fmt.Errorf("asking botocore for its RDS model: no model in %q", out)
	}
	var m botoModel
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, "", fmt.Errorf("botocore's RDS model (%s): %w", path, err)
	}
	if len(m.Operations) == 0 || len(m.Shapes) == 0 {
		return nil, "", fmt.Errorf("botocore's RDS model (%s) has no operations or shapes", path)
	}
	return &m, string(path), nil
}

// requireModel loads the model, skipping outside CI when botocore is
// missing and failing in CI.
func requireModel(t testing.TB) *botoModel {
	t.Helper()
	m, err := loadModel()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("botocore model unavailable: %v", err)
		}
		t.Fatalf("botocore model unavailable in CI: %v", err)
	}
	return m
}

// xnode is a parsed XML element.
type xnode struct {
	Name     string
	Attrs    []xml.Attr
	Text     string
	Children []*xnode
}

func parseXML(body []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{Name: t.Name.Local, Attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root != nil {
				return nil, fmt.Errorf("second root element %s", n.Name)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
}

// commonErrors may come from any operation (AWS's common errors).
var commonErrors = map[string]int{
	"InvalidParameterValue": 400, "InvalidParameterCombination": 400, "MissingParameter": 400,
	"InvalidAction": 400, "MissingAction": 400, "MalformedQueryString": 404, "InternalFailure": 500,
}

// checkResponse validates one response body against the operation's
// output shape or error list.
func checkResponse(m *botoModel, action string, status int, body []byte) error {
	root, err := parseXML(body)
	if err != nil {
		return fmt.Errorf("%s: not XML: %w", action, err)
	}
	if !hasXmlns(root) {
		return fmt.Errorf("%s: root %s lacks xmlns %s", action, root.Name, xmlns)
	}
	op, known := m.Operations[action]
	if status != 200 {
		return checkError(m, action, known, op.Errors, status, root)
	}
	if !known {
		return fmt.Errorf("%s: 200 for an operation botocore does not know", action)
	}
	if root.Name != action+"Response" {
		return fmt.Errorf("%s: root element %s", action, root.Name)
	}
	var sawResult, sawMeta bool
	for _, c := range root.Children {
		switch c.Name {
		case "ResponseMetadata":
			sawMeta = true
			if len(c.Children) != 1 || c.Children[0].Name != "RequestId" || c.Children[0].Text == "" {
				return fmt.Errorf("%s: bad ResponseMetadata", action)
			}
		case op.Output.resultWrapper():
			if op.Output == nil {
				return fmt.Errorf("%s: unexpected %s", action, c.Name)
			}
			sawResult = true
			if err := checkShape(m, op.Output.Shape, c, action+"."+c.Name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unexpected element %s", action, c.Name)
		}
	}
	if !sawMeta {
		return fmt.Errorf("%s: no ResponseMetadata", action)
	}
	if op.Output != nil && !sawResult {
		return fmt.Errorf("%s: no %s", action, op.Output.ResultWrapper)
	}
	return nil
}

func hasXmlns(n *xnode) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == "xmlns" && a.Value == xmlns {
			return true
		}
	}
	return false
}

func checkError(m *botoModel, action string, known bool, errs []struct {
	Shape string `json:"shape"`
}, status int, root *xnode) error {
	if root.Name != "ErrorResponse" {
		return fmt.Errorf("%s: error root %s", action, root.Name)
	}
	var code, typ, msg, reqID string
	for _, c := range root.Children {
		switch c.Name {
		case "Error":
			for _, e := range c.Children {
				switch e.Name {
				case "Code":
					code = e.Text
				case "Type":
					typ = e.Text
				case "Message":
					msg = e.Text
				default:
					return fmt.Errorf("%s: unexpected Error/%s", action, e.Name)
				}
			}
		case "RequestId":
			reqID = c.Text
		default:
			return fmt.Errorf("%s: unexpected ErrorResponse/%s", action, c.Name)
		}
	}
	if code == "" || msg == "" || reqID == "" || (typ != "Sender" && typ != "Receiver") {
		return fmt.Errorf("%s: incomplete error (code %q type %q msg %q id %q)", action, code, typ, msg, reqID)
	}
	if want, ok := commonErrors[code]; ok {
		if status != want {
			return fmt.Errorf("%s: %s with HTTP %d, want %d", action, code, status, want)
		}
		return nil
	}
	if !known {
		return fmt.Errorf("%s: unknown operation answered %s", action, code)
	}
	for _, e := range errs {
		sh := m.Shapes[e.Shape]
		if sh.Error != nil && sh.Error.Code == code {
			if sh.Error.HTTPStatusCode != 0 && sh.Error.HTTPStatusCode != status {
				return fmt.Errorf("%s: %s with HTTP %d, model says %d", action, code, status, sh.Error.HTTPStatusCode)
			}
			return nil
		}
	}
	return fmt.Errorf("%s: error code %s is not listed for the operation in botocore's model", action, code)
}

type botoOutput struct {
	Shape         string `json:"shape"`
	ResultWrapper string `json:"resultWrapper"`
}

func (o *botoOutput) resultWrapper() string {
	if o == nil {
		return "\x00none"
	}
	return o.ResultWrapper
}

// checkShape validates element n against shape name.
func checkShape(m *botoModel, name string, n *xnode, path string) error {
	sh, ok := m.Shapes[name]
	if !ok {
		return fmt.Errorf("%s: unknown shape %s", path, name)
	}
	text := strings.TrimSpace(n.Text)
	switch sh.Type {
	case "structure":
		if text != "" {
			return fmt.Errorf("%s: text %q in a structure", path, text)
		}
		byElem := map[string]string{}
		for mn, mem := range sh.Members {
			el := mn
			if mem.LocationName != "" {
				el = mem.LocationName
			}
			byElem[el] = mem.Shape
		}
		seen := map[string]bool{}
		for _, c := range n.Children {
			ms, ok := byElem[c.Name]
			if !ok {
				return fmt.Errorf("%s: %s is not a member of %s", path, c.Name, name)
			}
			if seen[c.Name] && m.Shapes[ms].Type != "list" {
				return fmt.Errorf("%s: %s repeated", path, c.Name)
			}
			seen[c.Name] = true
			if err := checkShape(m, ms, c, path+"."+c.Name); err != nil {
				return err
			}
		}
	case "list":
		el := "member"
		if sh.Member.LocationName != "" {
			el = sh.Member.LocationName
		}
		if text != "" {
			return fmt.Errorf("%s: text %q in a list", path, text)
		}
		for _, c := range n.Children {
			if c.Name != el {
				return fmt.Errorf("%s: list item <%s>, want <%s>", path, c.Name, el)
			}
			if err := checkShape(m, sh.Member.Shape, c, path+"."+el); err != nil {
				return err
			}
		}
	case "string":
		if len(n.Children) > 0 {
			return fmt.Errorf("%s: elements in a string", path)
		}
		if len(sh.Enum) > 0 && !contains(sh.Enum, n.Text) {
			return fmt.Errorf("%s: %q not in enum %v", path, n.Text, sh.Enum)
		}
	case "boolean":
		if text != "true" && text != "false" {
			return fmt.Errorf("%s: %q is not a boolean", path, text)
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return fmt.Errorf("%s: %q is not an integer", path, text)
		}
	case "double", "float":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return fmt.Errorf("%s: %q is not a number", path, text)
		}
	case "timestamp":
		if _, err := time.Parse(time.RFC3339Nano, text); err != nil {
			return fmt.Errorf("%s: %q is not an ISO 8601 timestamp", path, text)
		}
	default:
		return fmt.Errorf("%s: shape type %s not handled by the checker", path, sh.Type)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestModelCheckerCatchesShapeMistakes proves the checker fails on the
// mistakes it exists to catch.
func TestModelCheckerCatchesShapeMistakes(t *testing.T) {
	m := requireModel(t)
	good := `<DescribeDBParameterGroupsResponse xmlns="` + xmlns + `"><DescribeDBParameterGroupsResult><DBParameterGroups><DBParameterGroup><DBParameterGroupName>a</DBParameterGroupName></DBParameterGroup></DBParameterGroups></DescribeDBParameterGroupsResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DescribeDBParameterGroupsResponse>`
	if err := checkResponse(m, "DescribeDBParameterGroups", 200, []byte(good)); err != nil {
		t.Fatalf("good body rejected: %v", err)
	}
	bad := map[string]string{
		"unknown member": strings.Replace(good, "<DBParameterGroupName>a</DBParameterGroupName>", "<GroupName>a</GroupName>", 1),
		"unwrapped list": strings.Replace(strings.Replace(good, "<DBParameterGroups>", "", 1), "</DBParameterGroups>", "", 1),
		"wrong item":     strings.ReplaceAll(good, "<DBParameterGroup>", "<member>"),
		"no metadata":    strings.Replace(good, "<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>", "", 1),
		"no xmlns":       strings.Replace(good, ` xmlns="`+xmlns+`"`, "", 1),
	}
	for name, body := range bad {
		if err := checkResponse(m, "DescribeDBParameterGroups", 200, []byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	boolBad := `<DescribeDBParametersResponse xmlns="` + xmlns + `"><DescribeDBParametersResult><Parameters><Parameter><ParameterName>a</ParameterName><IsModifiable>yes</IsModifiable></Parameter></Parameters></DescribeDBParametersResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DescribeDBParametersResponse>`
	if err := checkResponse(m, "DescribeDBParameters", 200, []byte(boolBad)); err == nil {
		t.Error("bad boolean accepted")
	}
	tsBad := `<DescribeEventsResponse xmlns="` + xmlns + `"><DescribeEventsResult><Events><Event><Date>yesterday</Date></Event></Events></DescribeEventsResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DescribeEventsResponse>`
	if err := checkResponse(m, "DescribeEvents", 200, []byte(tsBad)); err == nil {
		t.Error("bad timestamp accepted")
	}
	errBody := string(encodeError(apiErr(codeDBParameterGroupAlreadyExists, "x"), "id"))
	if err := checkResponse(m, "DescribeDBParameters", 400, []byte(errBody)); err == nil {
		t.Error("error code not listed for the operation accepted")
	}
	if err := checkResponse(m, "CreateDBParameterGroup", 404, []byte(errBody)); err == nil {
		t.Error("wrong HTTP status for a modelled error accepted")
	}
}

// TestModelFoundWhereBotocoreLooks proves the model is read through
// botocore's loader, not from a path guessed here: a model placed in
// AWS_DATA_PATH, as plain JSON the way Debian ships it, is the one read.
func TestModelFoundWhereBotocoreLooks(t *testing.T) {
	if _, err := loadModel(); err != nil {
		requireModel(t) // skips outside CI, fails in CI
	}
	if !strings.HasSuffix(modelPath, filepath.Join("rds", "2014-10-31", "service-2.json")) &&
		!strings.HasSuffix(modelPath, filepath.Join("rds", "2014-10-31", "service-2.json.gz")) {
		t.Errorf("installed model read from %q", modelPath)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "rds", "2014-10-31", "service-2.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	fake := `{"version":"2.0","metadata":{"apiVersion":"2014-10-31","protocol":"query","serviceId":"RDS","endpointPrefix":"rds"},
		"operations":{"OnlyHere":{"name":"OnlyHere","output":{"shape":"Out","resultWrapper":"OnlyHereResult"}}},
		"shapes":{"Out":{"type":"structure","members":{}}}}`
	if err := os.WriteFile(file, []byte(fake), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_DATA_PATH", dir)
	m, path, err := readModel()
	if err != nil {
		t.Fatal(err)
	}
	if path != file {
		t.Errorf("read %s, want %s", path, file)
	}
	if _, ok := m.Operations["OnlyHere"]; !ok || len(m.Operations) != 1 {
		t.Errorf("operations %v, want only the AWS_DATA_PATH model's", m.Operations)
	}
}
