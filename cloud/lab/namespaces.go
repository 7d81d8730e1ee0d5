package lab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// A namespace is one (account, region) of the lab: its own state, its own
// engines, its own ARNs. The lab's own account in its own region is the
// root Lab itself, whose state stays at the top of the lab dir, so labs
// made before namespaces existed (and every test that signs nothing) are
// unaffected. Every other namespace is a child Lab whose dir is
// <dir>/accounts/<account>/<region>, created on first use and loaded at
// start, so that its instances come back with the lab.

// accountsDir holds the namespaces other than the root's.
const accountsDir = "accounts"

// nsKey names a namespace.
type nsKey struct{ account, region string }

// namespaces are a root Lab's children, created lazily.
type namespaces struct {
	mu sync.Mutex
	m  map[nsKey]*Lab
}

// validRegion is what a region in a credential scope must look like to
// name a directory: us-east-1, eu-central-2, us-gov-west-1, r1.
var validRegion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`) })

// validAccount is a 12-digit AWS account id.
var validAccount = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

// account is the AWS account in this namespace's ARNs.
func (l *Lab) account() string {
	if l.acct == "" {
		return accountID
	}
	return l.acct
}

// isRoot reports whether l is the lab itself rather than a namespace.
func (l *Lab) isRoot() bool { return l.root == nil }

// namespace returns the Lab serving account in region, creating it (and
// its directory) on first use. The root's own account and region is the
// root itself.
func (l *Lab) namespace(k nsKey) (*Lab, error) {
	if k.account == "" {
		k.account = accountID
	}
	if k.region == "" {
		k.region = l.opts.Region
	}
	if k.account == accountID && k.region == l.opts.Region {
		return l, nil
	}
	if !validRegion().MatchString(k.region) {
		return nil, &apiError{Status: http.StatusBadRequest, Code: "IncompleteSignature",
			Message: fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", k.region)}
	}
	if !validAccount().MatchString(k.account) {
		return nil, internalError(fmt.Errorf("account %q is not 12 digits", k.account))
	}
	l.ns.mu.Lock()
	defer l.ns.mu.Unlock()
	if c := l.ns.m[k]; c != nil {
		return c, nil
	}
	c, err := l.openNamespace(k)
	if err != nil {
		return nil, internalError(err)
	}
	if l.ns.m == nil {
		l.ns.m = map[nsKey]*Lab{}
	}
	l.ns.m[k] = c
	return c, nil
}

// openNamespace loads (or creates) the child Lab for k. It shares the
// root's options, template and request log; the root serves its HTTP.
func (l *Lab) openNamespace(k nsKey) (*Lab, error) {
	opts := l.opts
	opts.Dir = filepath.Join(l.opts.Dir, accountsDir, k.account, k.region)
	opts.Region = k.region
	opts.Faults = nil
	if opts.TemplateDir == "" {
		opts.TemplateDir = filepath.Join(l.opts.Dir, "template")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating namespace dir: %w", err)
	}
	c := &Lab{opts: opts, acct: k.account, root: l, done: make(chan struct{})}
	st, raw, err := loadState(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("namespace %s/%s: %w", k.account, k.region, err)
	}
	c.st, c.saved = st, raw
	if c.st.ensureDefaults(time.Now()) || raw == nil {
		if err := c.persistLocked(); err != nil {
			return nil, err
		}
	}
	if !opts.NoEngine {
		if c.rt, err = newRuntime(opts.Dir, opts.TemplateDir, opts.Logf); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// loadNamespaces opens every namespace a previous run left in the lab dir,
// so that their instances resume and lab status lists them.
func (l *Lab) loadNamespaces() error {
	accts, err := os.ReadDir(filepath.Join(l.opts.Dir, accountsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading namespaces: %w", err)
	}
	for _, a := range accts {
		if !a.IsDir() || !validAccount().MatchString(a.Name()) {
			continue
		}
		regions, err := os.ReadDir(filepath.Join(l.opts.Dir, accountsDir, a.Name()))
		if err != nil {
			return fmt.Errorf("reading namespaces: %w", err)
		}
		for _, r := range regions {
			if !r.IsDir() || !validRegion().MatchString(r.Name()) {
				continue
			}
			if _, err := l.namespace(nsKey{a.Name(), r.Name()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// children returns the namespaces other than the root, sorted by account
// and region.
func (l *Lab) children() []*Lab {
	l.ns.mu.Lock()
	defer l.ns.mu.Unlock()
	out := make([]*Lab, 0, len(l.ns.m))
	for _, c := range l.ns.m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].acct != out[j].acct {
			return out[i].acct < out[j].acct
		}
		return out[i].opts.Region < out[j].opts.Region
	})
	return out
}

// stopChildren stops every namespace's engines.
func (l *Lab) stopChildren(ctx context.Context) []error {
	var errs []error
	for _, c := range l.children() {
		if c.rt != nil {
			if err := c.rt.stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stopping engines of %s/%s: %w", c.acct, c.opts.Region, err))
			}
		}
	}
	return errs
}

// nsStatus is one namespace's instances and outages, each tagged with its
// account and region.
func (l *Lab) nsStatus() ([]InstanceStatus, []Outage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ins := l.instanceStatuses()
	outs := append([]Outage{}, l.st.Outages...)
	for i := range ins {
		ins[i].Region, ins[i].Account = l.opts.Region, l.account()
	}
	for i := range outs {
		outs[i].Region, outs[i].Account = l.opts.Region, l.account()
	}
	return ins, outs
}

// signedScope returns the access key id, region and service of the
// request's SigV4 credential scope (Authorization: AWS4-HMAC-SHA256
// Credential=AKID/DATE/REGION/SERVICE/aws4_request, ..., or a presigned
// X-Amz-Credential), or empty strings for an unsigned request.
func signedScope(hr *http.Request) (akid, region, service string) {
	cred := ""
	if auth := hr.Header.Get("Authorization"); auth != "" {
		_, rest, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "", "", ""
		}
		cred, _, _ = strings.Cut(rest, ",")
	} else {
		cred = hr.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}
