package cloud

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// WithOwnRequestBody works around a race between smithy-go and net/http
// that a fast endpoint (the lab, on localhost) loses a few percent of the
// time: smithy closes the request body as soon as the HTTP client returns
// the response, while the transport's write loop may still be reading the
// body to check it ends at Content-Length. That read fails, the transport
// closes the connection under the response being decoded, and the SDK
// retries the call: a warning on stderr, a wasted round trip, and a
// ModifyDBParameterGroup that reaches RDS twice. Giving the transport its
// own copy of the body (RDS requests are small forms) removes the race.
//
// NewClient applies it to every client; it is exported for clients built
// with rds.New directly (tests, labtest). Applying it twice wraps once.
func WithOwnRequestBody(o *rds.Options) {
	if o.HTTPClient == nil {
		return
	}
	if _, done := o.HTTPClient.(ownBodyClient); done {
		return
	}
	o.HTTPClient = ownBodyClient{next: o.HTTPClient}
}

type ownBodyClient struct{ next rds.HTTPClient }

func (c ownBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	own := req.Clone(req.Context())
	own.Body = io.NopCloser(bytes.NewReader(body))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	own.ContentLength = int64(len(body))
	return c.next.Do(own)
}
