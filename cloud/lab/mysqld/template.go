package mysqld

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// templateMarker sits in a finished template's datadir. It names the build
// and the options the template was made with; a template without it is
// incomplete, and one with another identity is rebuilt.
const templateMarker = ".rdsctl-template"

// Template is a freshly initialised datadir (system tables, no user data)
// that instances are cloned from: mariadb-install-db takes about a second,
// a clone takes milliseconds.
type Template struct {
	Dir string // the template datadir; never run a server on it
}

// InitTemplate makes dir a template datadir by running mariadb-install-db,
// or reuses dir if it already is one made by the same build with the same
// options. Concurrent callers, in one process or several, are safe: each
// builds in a private sibling directory and renames it into place, and the
// losers of that race use the winner's template.
func InitTemplate(ctx context.Context, bin Binaries, dir string) (*Template, error) {
	bin, err := bin.resolve()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	version, err := bin.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	args := installArgs()
	want := templateIdentity(bin, version, args)
	t := &Template{Dir: dir}
	if t.matches(want) {
		return t, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".init-")
	if err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	data := filepath.Join(tmp, "data")
	// A private tmpdir: a starting mariadbd deletes every #sql* file in its
	// tmpdir, so bootstraps sharing /tmp break each other.
	tmpDir := filepath.Join(tmp, "tmp")
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	if err := installDB(ctx, bin, data, append(args, "--tmpdir="+tmpDir)); err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(data, templateMarker), []byte(want), 0o644); err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	if err := t.install(data, want); err != nil {
		return nil, fmt.Errorf("initialising template %s: %w", dir, err)
	}
	return t, nil
}

// install renames a built template onto t.Dir. rename(2) replaces an empty
// directory but not a full one, which is what makes the race safe: the
// first rename wins and later ones fail and find the winner's template.
// (os.Rename refuses any existing directory, so this is rename(2) itself.)
func (t *Template) install(built, want string) error {
	for range 3 {
		err := renameDir(built, t.Dir)
		if err == nil {
			return nil
		}
		if t.matches(want) {
			return nil // another process won the race
		}
		if !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
			return err
		}
		if ents, derr := os.ReadDir(t.Dir); derr == nil && len(ents) > 0 {
			if _, merr := os.Stat(filepath.Join(t.Dir, templateMarker)); merr != nil {
				return fmt.Errorf("%s exists and is not a template datadir", t.Dir)
			}
			// A template of another build or other options: move it aside.
			old := fmt.Sprintf("%s.old-%s", t.Dir, randomHex(4))
			if err := os.Rename(t.Dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			defer os.RemoveAll(old)
		}
	}
	return fmt.Errorf("could not install template at %s", t.Dir)
}

func (t *Template) matches(want string) bool {
	got, err := os.ReadFile(filepath.Join(t.Dir, templateMarker))
	return err == nil && string(got) == want
}

// installArgs are the options mariadb-install-db passes to its bootstrap
// mariadbd. --no-defaults keeps /etc/mysql out; normal root authentication
// gives root@localhost an empty password, so the manager connects over the
// socket whatever user it runs as.
func installArgs() []string {
	args := []string{
		"--no-defaults",
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
	}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	for _, n := range templateOptionNames {
		args = append(args, "--"+n+"="+defaultOptions[n])
	}
	return args
}

func templateIdentity(bin Binaries, version string, args []string) string {
	return fmt.Sprintf("%s\n%s\n%s\n", version, bin.Mariadbd, strings.Join(args, " "))
}

func installDB(ctx context.Context, bin Binaries, datadir string, args []string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	args = append(append([]string(nil), args...), "--datadir="+datadir)
	cmd := exec.CommandContext(ctx, bin.InstallDB, args...)
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("running %s: %w\n%s", bin.InstallDB, err, tail(string(out), 2048))
	}
	return nil
}

// Clone copies the template into dst, which must not exist or be empty. The
// copy is made in a sibling directory and renamed into place, so dst is
// either a complete datadir or absent. File data moves with
// copy_file_range(2), which reflinks on filesystems that can.
func (t *Template) Clone(dst string) error {
	dst, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	if ents, err := os.ReadDir(dst); err == nil && len(ents) > 0 {
		return fmt.Errorf("cloning template into %s: directory is not empty", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("cloning template into %s: %w", dst, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".clone-")
	if err != nil {
		return fmt.Errorf("cloning template into %s: %w", dst, err)
	}
	if err := copyTree(t.Dir, tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("cloning template into %s: %w", dst, err)
	}
	if err := renameDir(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("cloning template into %s: %w", dst, err)
	}
	return nil
}

// copyTree copies src into the existing directory dst. Creating an inode
// costs about half a millisecond on the CI machines' ext4, and the kernel
// serialises creations within one directory, so files are created by a few
// workers, which overlap the directories (mysql/, sys/) with each other.
func copyTree(src, dst string) error {
	type file struct {
		src, dst string
		perm     os.FileMode
	}
	var files []file
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == templateMarker {
			return nil
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if rel == "." {
				return os.Chmod(target, info.Mode().Perm())
			}
			return os.Mkdir(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			files = append(files, file{path, target, info.Mode().Perm()})
			return nil
		default:
			return fmt.Errorf("unexpected file %s in template", path)
		}
	})
	if err != nil {
		return err
	}
	// Interleave directories so that concurrent workers mostly create in
	// different ones.
	slices.SortStableFunc(files, func(a, b file) int { return strings.Compare(filepath.Base(a.src), filepath.Base(b.src)) })
	work := make(chan file)
	errs := make(chan error, copyWorkers)
	var wg sync.WaitGroup
	for range copyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for f := range work {
				if first == nil {
					first = copyFile(f.src, f.dst, f.perm)
				}
			}
			errs <- first
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

const copyWorkers = 4

func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// renameDir is rename(2), which, unlike os.Rename, replaces an empty
// directory: callers may hand us a directory they made, e.g. t.TempDir().
func renameDir(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
