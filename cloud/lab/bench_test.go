package lab_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// BenchmarkHandleDescribeGroups is the request path without the network:
// decode, dispatch, read the state, encode, log.
func BenchmarkHandleDescribeGroups(b *testing.B) {
	l := labtest.Start(b)
	body := "Action=DescribeDBParameterGroups&Version=2014-10-31&DBParameterGroupName=default." + lab.TestFamily
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		w := httptest.NewRecorder()
		l.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkHandleModify includes the atomic, fsynced state write that
// precedes every acknowledged change.
func BenchmarkHandleModify(b *testing.B) {
	l := labtest.Start(b)
	c := labtest.Client(b, l)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("bench"),
		DBParameterGroupFamily: aws.String(lab.TestFamily), Description: aws.String("b")}); err != nil {
		b.Fatal(err)
	}
	body := "Action=ModifyDBParameterGroup&Version=2014-10-31&DBParameterGroupName=bench&Parameters.Parameter.1.ParameterName=dyn_int" +
		"&Parameters.Parameter.1.ParameterValue=5&Parameters.Parameter.1.ApplyMethod=immediate"
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		l.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkDescribeAllParametersHTTP reads a whole family (every page at
// MaxRecords=100) through the real HTTP server with a plain client: the
// synthetic test family, and mariadb10.11's real catalog.
func BenchmarkDescribeAllParametersHTTP(b *testing.B) {
	l := labtest.Start(b)
	for _, fam := range []string{lab.TestFamily, "mariadb10.11"} {
		b.Run(fam, func(b *testing.B) {
			b.ReportAllocs()
			want := -1
			for b.Loop() {
				n := describeAllHTTP(b, l, "default."+fam)
				if want >= 0 && n != want || n < 200 {
					b.Fatalf("%d parameters, then %d", want, n)
				}
				want = n
			}
		})
	}
}

func describeAllHTTP(b *testing.B, l *lab.Lab, group string) int {
	marker, n := "", 0
	for {
		body := "Action=DescribeDBParameters&Version=2014-10-31&MaxRecords=100&DBParameterGroupName=" + group
		if marker != "" {
			body += "&Marker=" + marker
		}
		resp, err := http.Post(l.Endpoint()+"/", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		n += strings.Count(string(out), "<Parameter>")
		marker = ""
		if i := strings.Index(string(out), "<Marker>"); i >= 0 {
			marker = string(out[i+8 : i+8+strings.Index(string(out[i+8:]), "<")])
		}
		if marker == "" {
			return n
		}
	}
}

// BenchmarkDescribeAllParametersSDK is the same through aws-sdk-go-v2's
// paginator, as rdsctl will do it.
func BenchmarkDescribeAllParametersSDK(b *testing.B) {
	l := labtest.Start(b)
	c := labtest.Client(b, l)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		p := rds.NewDescribeDBParametersPaginator(c, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("default." + lab.TestFamily), MaxRecords: aws.Int32(100)})
		for p.HasMorePages() {
			pg, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			n += len(pg.Parameters)
		}
		if n != 250 {
			b.Fatalf("%d parameters", n)
		}
	}
}
