package mysqld

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// LogTail returns up to max bytes of the end of this run's error log.
func (s *Server) LogTail(max int) string {
	f, err := os.Open(s.cfg.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	from := max64(s.logOffset, fi.Size()-int64(max))
	buf := make([]byte, fi.Size()-from)
	n, _ := f.ReadAt(buf, from)
	return tail(string(buf[:n]), max)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// tail keeps the last max bytes of s, cut at a line start.
func tail(s string, max int) string {
	if len(s) > max {
		s = s[len(s)-max:]
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	return strings.TrimRight(s, "\n")
}

// firstError picks the first [ERROR] line of a log, the one that usually
// names the bad option, for the first line of an ExitError.
func firstError(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if i := strings.Index(line, "[ERROR] "); i >= 0 {
			return strings.TrimSpace(line[i+len("[ERROR] "):])
		}
	}
	return ""
}

// socketPath returns RunDir/mysqld.sock, or, when that is too long for
// sun_path (108 bytes with the NUL), a path in a short directory derived
// from RunDir, so a restarted lab computes the same one.
func socketPath(runDir string) (path, shortDir string) {
	const maxLen = 100 // sun_path is 108 with its NUL; keep a margin
	p := filepath.Join(runDir, socketName)
	if len(p) <= maxLen {
		return p, ""
	}
	name := fmt.Sprintf("rdsctl-mysqld-%s", shortHash(runDir))
	for _, base := range []string{os.TempDir(), "/tmp"} {
		d := filepath.Join(base, name)
		if len(filepath.Join(d, socketName)) <= maxLen {
			return filepath.Join(d, socketName), d
		}
	}
	return filepath.Join("/tmp", name, socketName), filepath.Join("/tmp", name)
}

// freePort asks the kernel for a free port on 127.0.0.1. Someone may take
// it before mariadbd binds it; Start retries that case.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("picking a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// childEnv is the environment minus the variables the server and client
// libraries read (MYSQL_TCP_PORT, MYSQL_UNIX_PORT, MYSQL_HOME...).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MYSQL_") || strings.HasPrefix(kv, "MARIADB_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
