package catalog

// The data files are generated, not written by hand: the generator reads a
// real mariadbd's information_schema.SYSTEM_VARIABLES, maps each variable
// to RDS's metadata (cloud/lab/catalog/internal/generate/mapping.go) and
// applies an overlay wherever RDS differs from a stock server
// (internal/generate/overlay.go). Regenerate after changing either, or when
// the OS's MariaDB package moves; TestGeneratedDataIsCurrent fails until
// you do.

//go:generate go run ./internal/gen -out data
