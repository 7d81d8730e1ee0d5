package generate

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// labOwnOverlay advertises what a lab server runs where the lab sizes a
// variable down to keep many instances on one small machine
// (mysqld.DefaultOptions: innodb_log_file_size 8M, key_buffer_size 8M,
// innodb_flush_method fsync, ...). RDS sets such values itself too
// (default.mysql8.0 shows innodb_log_buffer_size 8388608, key_buffer_size
// 16777216 and innodb_flush_method O_DIRECT), so they are presented the
// same way: Source system, still modifiable, with the lab's value. A
// group, the engine defaults and the running server then agree, and
// `rdsctl verify --all` of a default group finds no drift. The README's
// "How the lab differs from AWS" lists them.
//
// A parameter the overlay already gives an RDS value (innodb_buffer_pool_size's
// formula, performance_schema's 0) keeps it: the lab passes those to the
// server itself (cloud/lab values.go). Names a family does not carry
// (Aurora has no innodb_flush_method) are skipped.
func labOwnOverlay(s paramSet) error {
	opts := mysqld.DefaultOptions()
	for _, name := range slices.Sorted(maps.Keys(opts)) {
		p, ok := s[name]
		if !ok {
			continue
		}
		if p.Source == "system" {
			continue
		}
		v, err := rdsValue(p.DataType, opts[name])
		if err != nil {
			return fmt.Errorf("lab option %s: %w", name, err)
		}
		p.Default, p.Source = v, "system"
		s[name] = p
	}
	return nil
}

// rdsValue writes a mariadbd option value the way RDS shows a parameter
// value: booleans as 0/1, sizes in bytes.
func rdsValue(dataType, v string) (string, error) {
	switch dataType {
	case "boolean":
		switch strings.ToUpper(v) {
		case "ON", "1", "TRUE", "YES":
			return "1", nil
		case "OFF", "0", "FALSE", "NO":
			return "0", nil
		}
		return "", fmt.Errorf("%q is not a boolean", v)
	case "integer":
		mult := int64(1)
		switch {
		case strings.HasSuffix(v, "K"):
			mult = 1 << 10
		case strings.HasSuffix(v, "M"):
			mult = 1 << 20
		case strings.HasSuffix(v, "G"):
			mult = 1 << 30
		}
		n, err := strconv.ParseInt(strings.TrimRight(v, "KMG"), 10, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not an integer", v)
		}
		return strconv.FormatInt(n*mult, 10), nil
	}
	return v, nil
}
