package main

import (
	"bufio"
	"bytes"
	"context"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// modulePath is this module's import path prefix.
const modulePath = "github.com/rdsctl/rdsctl"

// initAllocBudget caps, per package of this module, the heap allocations
// its package initialisation may make. `rdsctl version` and `rdsctl
// --help` pay for every package's init, so work that only some commands
// need (compiling a regexp, decoding a catalog, building a table) belongs
// in a sync.OnceValue, not in a package-level var. Compiling even a small
// regexp costs 20 to 300 allocations, decoding a parameter catalog
// thousands. The counts are exact, not timings, so this cannot flake.
var initAllocBudget = map[string]int{
	// The lab's request routing and validation tables are map literals.
	modulePath + "/cloud/lab": 128,
}

// defaultInitAllocBudget is every other package's budget.
const defaultInitAllocBudget = 32

// totalInitAllocBudget caps the allocations of every package's init,
// dependencies included (about 6,800 today, most of them the AWS SDK's
// endpoint and schema tables), so that a new dependency with a heavy init
// is a visible decision.
const totalInitAllocBudget = 8000

// initRecord is one line of GODEBUG=inittrace=1 output.
type initRecord struct {
	pkg    string
	allocs int
}

// parseInitTrace reads the "init PKG @T ms, C ms clock, B bytes, A allocs"
// lines of GODEBUG=inittrace=1.
func parseInitTrace(t *testing.T, stderr []byte) []initRecord {
	t.Helper()
	var out []initRecord
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[10] != "allocs" {
			continue
		}
		n, err := strconv.Atoi(f[9])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", sc.Text(), err)
		}
		out = append(out, initRecord{pkg: f[1], allocs: n})
	}
	return out
}

// buildRdsctl builds the real binary (not this test binary, whose own
// test-only packages would count) into a temporary directory.
func buildRdsctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rdsctl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestStartupInitWork runs the built binary's cheapest commands with
// GODEBUG=inittrace=1 and holds every package of this module to its
// allocation budget at init, and all packages together to theirs.
func TestStartupInitWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildRdsctl(t)
	for _, args := range [][]string{{"version"}, {"--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "NO_COLOR=1")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("rdsctl %v: %v\n%s", args, err, stderr.Bytes())
			}
			if !strings.Contains(stdout.String(), "rdsctl") {
				t.Fatalf("rdsctl %v printed %q", args, stdout.String())
			}
			recs := parseInitTrace(t, stderr.Bytes())
			if len(recs) < 50 {
				t.Fatalf("only %d inittrace lines; GODEBUG=inittrace=1 not honoured?\n%s", len(recs), stderr.Bytes())
			}
			total, own := 0, 0
			for _, r := range recs {
				total += r.allocs
				if r.pkg != "main" && !strings.HasPrefix(r.pkg, modulePath+"/") {
					continue
				}
				own++
				budget, ok := initAllocBudget[r.pkg]
				if !ok {
					budget = defaultInitAllocBudget
				}
				if r.allocs > budget {
					t.Errorf("package %s allocates %d times at init, budget %d: move the work into a sync.OnceValue", r.pkg, r.allocs, budget)
				}
			}
			if own == 0 {
				t.Fatalf("no package of %s in the init trace", modulePath)
			}
			if total > totalInitAllocBudget {
				t.Errorf("package initialisation allocates %d times in all, budget %d", total, totalInitAllocBudget)
			}
		})
	}
}

// eagerInitCalls are calls that do real work and so must not initialise a
// package-level variable of a package linked into rdsctl; wrap them in
// sync.OnceValue instead.
var eagerInitCalls = map[string]bool{
	"regexp.MustCompile":      true,
	"regexp.Compile":          true,
	"regexp.MustCompilePOSIX": true,
	"template.Must":           true,
	"json.Unmarshal":          true,
	"yaml.Unmarshal":          true,
	"lipgloss.NewStyle":       true,
	"lipgloss.NewRenderer":    true,
}

// TestNoEagerPackageVars reads the source of every package of this module
// that rdsctl links and refuses package-level variables initialised by a
// regexp compile, a decode or a renderer, or by a function literal called
// on the spot, all of which would run on every start-up.
func TestNoEagerPackageVars(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \",\"}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 || (f[0] != modulePath && !strings.HasPrefix(f[0], modulePath+"/")) {
			continue
		}
		for _, name := range strings.Split(f[2], ",") {
			path := filepath.Join(f[1], name)
			file, err := goparser.ParseFile(fset, path, nil, goparser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, d := range file.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, spec := range gd.Specs {
					for _, v := range spec.(*ast.ValueSpec).Values {
						if what := eagerCall(v); what != "" {
							t.Errorf("%s: package-level var initialised by %s runs at every start-up; use sync.OnceValue", fset.Position(v.Pos()), what)
						}
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("checked only %d files", checked)
	}
}

// eagerCall names the first eager call in a package-level initialiser, or
// returns "". It does not descend into function literals that are not
// called (those run later, if ever).
func eagerCall(e ast.Expr) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if _, ok := n.Fun.(*ast.FuncLit); ok {
				found = "a function literal called on the spot"
				return false
			}
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && eagerInitCalls[pkg.Name+"."+sel.Sel.Name] {
					found = pkg.Name + "." + sel.Sel.Name
					return false
				}
			}
		}
		return true
	})
	return found
}
