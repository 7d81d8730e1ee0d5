package mysqld_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
)

// TestInitTemplateConcurrent races three initialisations of one fresh
// directory (t.TempDir-style: it exists and is empty), as parallel test
// packages or two labs would; all must end with the same usable template.
func TestInitTemplateConcurrent(t *testing.T) {
	t.Parallel()
	bin := mysqldtest.Require(t)
	dir := filepath.Join(t.TempDir(), "tmpl")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = mysqld.InitTemplate(ctxT(t), bin, dir)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("leftovers beside the template: %v", ents)
	}
	// Reuse: the datadir is not rebuilt.
	before, _ := os.Stat(filepath.Join(dir, "ibdata1"))
	tmpl, err := mysqld.InitTemplate(ctxT(t), bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(dir, "ibdata1"))
	if !os.SameFile(before, after) {
		t.Error("a complete template was rebuilt")
	}

	// A template of another build is replaced.
	if err := os.WriteFile(filepath.Join(dir, ".rdsctl-template"), []byte("mariadbd Ver 1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mysqld.InitTemplate(ctxT(t), bin, dir); err != nil {
		t.Fatal(err)
	}
	rebuilt, _ := os.Stat(filepath.Join(dir, "ibdata1"))
	if os.SameFile(after, rebuilt) {
		t.Error("a template of another build was reused")
	}

	// Clones are complete datadirs without the marker, and only go to
	// empty places.
	dst := filepath.Join(t.TempDir(), "data")
	if err := tmpl.Clone(dst); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ibdata1", "ib_logfile0", "mysql/global_priv.MAD", "mysql/db.frm"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("clone lacks %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, ".rdsctl-template")); err == nil {
		t.Error("the template marker was cloned")
	}
	if err := tmpl.Clone(dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("clone over a datadir = %v, want an error", err)
	}
}

func TestInitTemplateRefusesOtherDirs(t *testing.T) {
	t.Parallel()
	bin := mysqldtest.Require(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mysqld.InitTemplate(ctxT(t), bin, dir); err == nil || !strings.Contains(err.Error(), "not a template") {
		t.Fatalf("InitTemplate over a non-empty dir = %v, want an error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "precious")); err != nil {
		t.Error("InitTemplate removed a file it did not own")
	}
}

func TestCloneIntoEmptyDir(t *testing.T) {
	t.Parallel()
	dst := t.TempDir() // exists, empty
	if err := mysqldtest.Template(t).Clone(dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "ibdata1")); err != nil {
		t.Fatal(err)
	}
}
