package cloud_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

var listingOps = []string{"DescribeDBParameters", "DescribeDBClusterParameters", "DescribeEngineDefaultParameters"}

// decodeWith sends one call of op through an SDK client whose HTTP client
// answers 200 with body, and returns what the client makes of it: the
// SDK's own decoder, or with fast set the fast one in front of it.
func decodeWith(t testing.TB, fast bool, op string, body []byte) (any, error) {
	t.Helper()
	opts := rds.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
		}),
	}
	var fns []func(*rds.Options)
	if fast {
		fns = append(fns, cloud.WithFastParameterDecoding)
	}
	c := rds.New(opts, fns...)
	ctx := context.Background()
	var out any
	var err error
	switch op {
	case "DescribeDBParameters":
		var o *rds.DescribeDBParametersOutput
		if o, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("g")}); o != nil {
			o.ResultMetadata = rds.DescribeDBParametersOutput{}.ResultMetadata
			out = o
		}
	case "DescribeDBClusterParameters":
		var o *rds.DescribeDBClusterParametersOutput
		if o, err = c.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("g")}); o != nil {
			o.ResultMetadata = rds.DescribeDBClusterParametersOutput{}.ResultMetadata
			out = o
		}
	case "DescribeEngineDefaultParameters":
		var o *rds.DescribeEngineDefaultParametersOutput
		if o, err = c.DescribeEngineDefaultParameters(ctx, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String("f")}); o != nil {
			o.ResultMetadata = rds.DescribeEngineDefaultParametersOutput{}.ResultMetadata
			out = o
		}
	default:
		t.Fatalf("no listing %q", op)
	}
	return out, err
}

// sameAsSDK checks that the client with the fast decoder makes of body
// exactly what the SDK's decoder makes of it, result or error.
func sameAsSDK(t testing.TB, op string, body []byte) {
	t.Helper()
	want, wantErr := decodeWith(t, false, op, body)
	got, gotErr := decodeWith(t, true, op, body)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s of %q: the SDK says %v, with the fast decoder %v", op, body, wantErr, gotErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s of %q:\n fast %+v\n  sdk %+v", op, body, got, want)
	}
	if cloud.FastDecodes(op, body) && wantErr != nil {
		t.Fatalf("%s of %q: the fast decoder took a body the SDK refuses (%v)", op, body, wantErr)
	}
}

// labBodies records the raw response bodies of the three listings from a
// lab: a group with values that need escaping, a cluster group and the
// engine defaults, every page.
func labBodies(t testing.TB) map[string][][]byte {
	t.Helper()
	l := labtest.Start(t)
	var mu sync.Mutex
	bodies := map[string][][]byte{}
	rec := func(o *rds.Options) {
		next := o.HTTPClient
		o.HTTPClient = smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.Do(r)
			if err != nil || resp.StatusCode != 200 {
				return resp, err
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			resp.Body = io.NopCloser(bytes.NewReader(b))
			mu.Lock()
			defer mu.Unlock()
			for _, op := range listingOps {
				if bytes.Contains(b[:min(len(b), 200)], []byte("<"+op+"Response")) {
					bodies[op] = append(bodies[op], b)
				}
			}
			return resp, nil
		})
	}
	c := labtest.Client(t, l, rec)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("xml"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String(`quotes " ' and <tags> & ampersands`)})
	must(err)
	_, err = c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("xml"),
		Parameters: []types.Parameter{{ParameterName: aws.String("init_connect"), ParameterValue: aws.String(`SET @a = '<&>"é'`), ApplyMethod: types.ApplyMethodImmediate}}})
	must(err)
	_, err = cloud.AllParameters(ctx, c, "xml", "")
	must(err)
	_, err = c.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("xmlc"),
		DBParameterGroupFamily: aws.String("aurora-mysql8.0"), Description: aws.String("c")})
	must(err)
	_, err = cloud.AllClusterParameters(ctx, c, "xmlc", "")
	must(err)
	_, err = cloud.AllEngineDefaultParameters(ctx, c, "mariadb10.11")
	must(err)
	for _, op := range listingOps {
		if len(bodies[op]) == 0 {
			t.Fatalf("the lab sent no %s response", op)
		}
	}
	return bodies
}

// TestFastParameterDecodingOnTheLab: every page the lab sends is decoded
// by the fast decoder itself (else it would be dead weight), into exactly
// what the SDK's decoder makes of it.
func TestFastParameterDecodingOnTheLab(t *testing.T) {
	bodies := labBodies(t)
	for _, op := range listingOps {
		for i, b := range bodies[op] {
			if !cloud.FastDecodes(op, b) {
				t.Errorf("%s page %d: left to the SDK's decoder:\n%.600s", op, i, b)
			}
			sameAsSDK(t, op, b)
		}
	}
	if !bytes.Contains(bytes.Join(bodies["DescribeDBParameters"], nil), []byte("&amp;")) {
		t.Error("no page held an entity: the value with <&> was not listed")
	}
	if os.Getenv("RDSCTL_WRITE_XML_SEEDS") != "" { // refreshes testdata/paramxml
		for _, op := range listingOps {
			must(t, os.WriteFile(filepath.Join("testdata", "paramxml", op+".xml"), bodies[op][0], 0o644))
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// xmlCases are the bodies the fast decoder must read as the SDK does, or
// leave to it: every construct it handles, and every one it refuses.
var xmlCases = []string{
	``,
	`   `,
	`<DescribeDBParametersResponse/>`,
	`<R><DescribeDBParametersResult/></R>`,
	`<R><Other/></R>`,
	`<R><describedbparametersresult><marker>m</marker><parameters/></describedbparametersresult></R>`,
	`<R><DescribeDBParametersResult><Marker></Marker><Parameters><Parameter/></Parameters></DescribeDBParametersResult></R>`,
	`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<R xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBParametersResult><Parameters><Parameter><ParameterName>a</ParameterName><IsModifiable>true</IsModifiable><SupportedEngineModes><member>provisioned</member><other/></SupportedEngineModes></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><R><DescribeDBParametersResult/></R>`,
	`<?xml version="1.1"?><R><DescribeDBParametersResult/></R>`,
	`<!-- c --><R><DescribeDBParametersResult/></R>`,
	`<R><DescribeDBParametersResult><Marker><![CDATA[x]]></Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>a]]>b</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>&nbsp;</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>&#0;</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>&#13;</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>&amp</Marker></DescribeDBParametersResult></R>`,
	"<R><DescribeDBParametersResult><Marker>a\r\nb</Marker></DescribeDBParametersResult></R>",
	"<R><DescribeDBParametersResult><Marker>a\x01b</Marker></DescribeDBParametersResult></R>",
	"<R><DescribeDBParametersResult><Marker>a\xffb</Marker></DescribeDBParametersResult></R>",
	"<R><DescribeDBParametersResult><Marker>\uFFFE</Marker></DescribeDBParametersResult></R>",
	`<R><DescribeDBParametersResult><Marker>a<b/>c</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>a</Marker><Marker>b</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters/><Parameters><Parameter/></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters><Parameter><ParameterName>a</ParameterName><parametername>b</parametername></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters><Parameter><IsModifiable>yes</IsModifiable></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters><Parameter><IsModifiable/></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters><Parameter><ParameterValue> </ParameterValue><x><y>z</y></x></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Parameters>text<Parameter>more<Source>user</Source></Parameter></Parameters></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>m</Mark></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>m</Marker></DescribeDBParametersResult>`,
	`<R><DescribeDBParametersResult><Marker>m</Marker>`,
	`<R><a:DescribeDBParametersResult xmlns:a="x"><Marker>m</Marker></a:DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult a="1" b='2'><Marker >m</Marker ></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult a><Marker>m</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult a="&amp;"><Marker>m</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult/><DescribeDBParametersResult><Marker>m</Marker></DescribeDBParametersResult></R>`,
	`<R><DescribeDBParametersResult><Marker>m</Marker></DescribeDBParametersResult><junk></R>`,
	`<R><DescribeEngineDefaultParametersResult><EngineDefaults><DBParameterGroupFamily>f</DBParameterGroupFamily><Marker>m</Marker><Parameters><Parameter><ParameterName>a</ParameterName></Parameter></Parameters></EngineDefaults></DescribeEngineDefaultParametersResult></R>`,
	`<R><DescribeEngineDefaultParametersResult/></R>`,
	`<R><DescribeEngineDefaultParametersResult><EngineDefaults/><EngineDefaults><Marker>m</Marker></EngineDefaults></DescribeEngineDefaultParametersResult></R>`,
	"<R><DescribeDBParametersResult><Parameters><Parameter><x>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</x></Parameter></Parameters></DescribeDBParametersResult></R>",
	`<R><DescribeDBClusterParametersResult><Marker>m</Marker><Parameters><Parameter><DataType>integer</DataType></Parameter></Parameters></DescribeDBClusterParametersResult></R>`,
}

// awsPage is laid out as AWS's documentation shows a DescribeDBParameters
// response: no declaration, indented, the request id after the result.
const awsPage = `<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult>
    <Marker>bWF4X3BhY2tldF9hbGxvd2Vk</Marker>
    <Parameters>
      <Parameter>
        <ParameterValue>ON</ParameterValue>
        <DataType>boolean</DataType>
        <Source>engine-default</Source>
        <IsModifiable>false</IsModifiable>
        <Description>Controls whether user-defined functions that have only an xxx symbol for the main function can be loaded</Description>
        <ApplyType>static</ApplyType>
        <AllowedValues>0,1</AllowedValues>
        <ParameterName>allow-suspicious-udfs</ParameterName>
        <SupportedEngineModes>
          <member>provisioned</member>
        </SupportedEngineModes>
        <ApplyMethod>pending-reboot</ApplyMethod>
      </Parameter>
    </Parameters>
  </DescribeDBParametersResult>
  <ResponseMetadata>
    <RequestId>8743f2cf-bf41-11e3-8e18-a3c8f6ecb0e4</RequestId>
  </ResponseMetadata>
</DescribeDBParametersResponse>
`

// TestFastParameterDecodingAWSLayout: AWS's own layout takes the fast
// path too, into what the SDK makes of it.
func TestFastParameterDecodingAWSLayout(t *testing.T) {
	if !cloud.FastDecodes("DescribeDBParameters", []byte(awsPage)) {
		t.Fatal("AWS's layout was left to the SDK's decoder")
	}
	sameAsSDK(t, "DescribeDBParameters", []byte(awsPage))
	out, err := decodeWith(t, true, "DescribeDBParameters", []byte(awsPage))
	if err != nil {
		t.Fatal(err)
	}
	o := out.(*rds.DescribeDBParametersOutput)
	if len(o.Parameters) != 1 || aws.ToString(o.Parameters[0].ParameterName) != "allow-suspicious-udfs" ||
		aws.ToBool(o.Parameters[0].IsModifiable) || o.Parameters[0].ApplyMethod != types.ApplyMethodPendingReboot ||
		len(o.Parameters[0].SupportedEngineModes) != 1 || aws.ToString(o.Marker) != "bWF4X3BhY2tldF9hbGxvd2Vk" {
		t.Fatalf("decoded %+v", o)
	}
}

func TestFastParameterDecodingCases(t *testing.T) {
	for _, c := range xmlCases {
		for _, op := range listingOps {
			body := strings.ReplaceAll(c, "DescribeDBParametersResult", op+"Result")
			if op == "DescribeEngineDefaultParameters" && !strings.Contains(c, "EngineDefaults") {
				body = strings.ReplaceAll(body, "<"+op+"Result>", "<"+op+"Result><EngineDefaults>")
				body = strings.ReplaceAll(body, "</"+op+"Result>", "</EngineDefaults></"+op+"Result>")
			}
			sameAsSDK(t, op, []byte(body))
		}
	}
	// Some must be taken by the fast decoder, or the cases test only the
	// fallback.
	if !cloud.FastDecodes("DescribeDBParameters", []byte(xmlCases[7])) ||
		!cloud.FastDecodes("DescribeDBParameters", []byte(xmlCases[13])) ||
		cloud.FastDecodes("DescribeDBParameters", []byte(xmlCases[11])) {
		t.Error("the fast decoder took or left the wrong cases")
	}
}

// FuzzFastParameters holds the fast decoder to the SDK's on any body: the
// same result or the same failure.
func FuzzFastParameters(f *testing.F) {
	for _, c := range xmlCases {
		f.Add(uint8(0), []byte(c))
	}
	f.Add(uint8(0), []byte(awsPage))
	for i, op := range listingOps {
		if b, err := os.ReadFile(filepath.Join("testdata", "paramxml", op+".xml")); err == nil {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		sameAsSDK(t, listingOps[int(op)%len(listingOps)], body)
	})
}

// benchmarkPage decodes the lab's first DescribeDBParameters page (100
// parameters) through a client, with or without the fast decoder.
func benchmarkPage(b *testing.B, fast bool) {
	body, err := os.ReadFile(filepath.Join("testdata", "paramxml", "DescribeDBParameters.xml"))
	must(b, err)
	opts := rds.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		}),
	}
	var fns []func(*rds.Options)
	if fast {
		fns = append(fns, cloud.WithFastParameterDecoding)
	}
	c := rds.New(opts, fns...)
	in := &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("g")}
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.DescribeDBParameters(context.Background(), in)
		if err != nil || len(out.Parameters) != 100 {
			b.Fatalf("%d parameters, %v", len(out.Parameters), err)
		}
	}
}

func BenchmarkListingPageSDK(b *testing.B)  { benchmarkPage(b, false) }
func BenchmarkListingPageFast(b *testing.B) { benchmarkPage(b, true) }
