package catalog

// The data files are generated, not written by hand: the generator reads a
// real mariadbd's information_schema.SYSTEM_VARIABLES, maps each variable
// to RDS's metadata (cloud/lab/catalog/internal/generate/mapping.go) and
// applies an overlay wherever RDS differs from a stock server
// (internal/generate/overlay.go). The MySQL families also read AWS's
// default.mysql8.0 names and MySQL 8.0's metadata from committed TSVs
// (internal/generate/aws-mysql8.0.tsv, mysql-sysvars.tsv). Regenerate
// after changing any of them, or when the OS's MariaDB package moves;
// TestGeneratedDataIsCurrent fails until you do.

//go:generate go run ./internal/gen -out data
