package verify

import (
	"context"

	"github.com/rdsctl/rdsctl/params/yamldoc"
)

// Size limits of the files verify reads: a password is a line, and AWS's
// global CA bundle is about 160 KB.
const (
	maxPasswordFile = 4 << 10
	maxCABundle     = 1 << 20
)

// readSmallFile reads what (a password file, a CA bundle) from path within
// max bytes, refusing a directory, FIFO or device by name, so that a
// mistaken path (/dev/zero, a pipe nobody writes to) is an error and never
// a hang or an unbounded read. It is yamldoc.ReadFile's careful read,
// without the YAML.
func readSmallFile(path, what string, max int) ([]byte, error) {
	return yamldoc.ReadFile(context.Background(), path, nil, what, max)
}
