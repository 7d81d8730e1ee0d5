package mysqld

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// InstallHint is the command that installs the binaries this package runs.
// Error messages carry it so that a missing server is fixed in one step.
const InstallHint = "apt-get install -y mariadb-server"

// ErrNotInstalled reports that mariadbd or mariadb-install-db is missing.
var ErrNotInstalled = errors.New("mariadb server not installed")

// Binaries are the MariaDB programs a lab runs. They are found once with
// Find and passed along, so that every server of a lab runs the same build.
type Binaries struct {
	Mariadbd  string // the server
	InstallDB string // mariadb-install-db, which creates a template datadir
}

// searchDirs are looked at after PATH: root's PATH has sbin, but a CI or
// developer shell often does not, and Debian installs mariadbd there.
var searchDirs = []string{"/usr/sbin", "/usr/bin"}

// Find locates mariadbd and mariadb-install-db in PATH, then /usr/sbin and
// /usr/bin. A missing one is an error wrapping ErrNotInstalled that names
// the install command.
func Find() (Binaries, error) { return find(true, searchDirs) }

// find is Find with the search made explicit for tests.
func find(usePath bool, dirs []string) (Binaries, error) {
	var b Binaries
	var missing []string
	for _, p := range []struct {
		name string
		dst  *string
	}{{"mariadbd", &b.Mariadbd}, {"mariadb-install-db", &b.InstallDB}} {
		path, err := lookPath(p.name, usePath, dirs)
		if err != nil {
			missing = append(missing, p.name)
			continue
		}
		*p.dst = path
	}
	if len(missing) > 0 {
		return Binaries{}, fmt.Errorf("%s not found in PATH, %s: install it with: %s: %w",
			strings.Join(missing, " and "), strings.Join(dirs, ", "), InstallHint, ErrNotInstalled)
	}
	return b, nil
}

func lookPath(name string, usePath bool, dirs []string) (string, error) {
	if usePath {
		if p, err := exec.LookPath(name); err == nil {
			return filepath.Abs(p)
		}
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// resolve fills an empty Binaries from Find, so that callers that do not
// care which build runs can leave Config.Binaries zero.
func (b Binaries) resolve() (Binaries, error) {
	if b.Mariadbd != "" && b.InstallDB != "" {
		return b, nil
	}
	return Find()
}

// Version is mariadbd --version, e.g. "mariadbd  Ver 10.11.19-MariaDB...".
// Templates record it, so that a template made by another build is not
// reused (its system tables would need mariadb-upgrade).
func (b Binaries) Version(ctx context.Context) (string, error) {
	b, err := b.resolve()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, b.Mariadbd, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("running %s --version: %w", b.Mariadbd, err)
	}
	return strings.TrimSpace(string(out)), nil
}
