package value

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		dataType, allowed, v string
		ok                   bool
	}{
		{"integer", "1-31536000", "300", true},
		{"integer", "1-31536000", "0", false},
		{"integer", "1-31536000", "31536001", false},
		{"integer", "1-31536000", "abc", false},
		{"integer", "1-31536000", "3.5", false},
		{"integer", "1-31536000", "", false},
		{"integer", "-1-100", "-1", true},
		{"integer", "-1-100", "-2", false},
		{"integer", "0-18446744073709551615", "18446744073709551615", true},
		{"integer", "0-18446744073709551615", "18446744073709551616", false},
		{"integer", "1-100000", "{DBInstanceClassMemory/12582880}", true},
		{"integer", "1-100000", "{DBInstanceClassMemory/}", false},
		{"string", "", "{DBInstanceClassMemory}", false},
		{"boolean", "0,1", "1", true},
		{"boolean", "0,1", "ON", true},
		{"boolean", "0,1", "maybe", false},
		{"boolean", "", "off", true},
		{"string", "ROW,STATEMENT,MIXED", "row", true},
		{"string", "ROW,STATEMENT,MIXED", "ROWS", false},
		{"string", "", "utf8mb4", true},
		{"list", "STRICT_TRANS_TABLES,NO_ZERO_DATE,ANSI", "ansi, STRICT_TRANS_TABLES", true},
		{"list", "STRICT_TRANS_TABLES,NO_ZERO_DATE,ANSI", "ANSI,BOGUS", false},
		{"float", "0-1", "0.5", true},
		{"float", "0-1", "1.5", false},
		{"integer", "0,5-10", "0", true},
		{"integer", "0,5-10", "3", false},
	}
	for _, tt := range tests {
		err := Check(tt.dataType, tt.allowed, tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("Check(%s, %q, %q) = %v, want ok=%v", tt.dataType, tt.allowed, tt.v, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%s, %q, %q) error %v is not ErrInvalid", tt.dataType, tt.allowed, tt.v, err)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		dataType, a, b string
		eq             bool
	}{
		{"boolean", "ON", "1", true},
		{"boolean", "off", "0", true},
		{"boolean", "ON", "0", false},
		{"string", "ON", "1", true},
		{"string", "ROW", " row ", true},
		{"string", "ROW", "MIXED", false},
		{"integer", "64M", "67108864", true},
		{"integer", "1k", "1024", true},
		{"integer", "0300", "300", true},
		{"integer", "300", "301", false},
		{"list", "ANSI,STRICT_TRANS_TABLES", "strict_trans_tables, ansi", true},
		{"float", "0.50", "0.5", true},
		{"integer", "{DBInstanceClassMemory*3/4}", "{ DBInstanceClassMemory * 3 / 4 }", true},
		{"", "ON", "1", true},
	}
	for _, tt := range tests {
		if got := Equal(tt.dataType, tt.a, tt.b); got != tt.eq {
			t.Errorf("Equal(%s, %q, %q) = %v, want %v (normalised %q vs %q)", tt.dataType, tt.a, tt.b, got, tt.eq,
				Normalize(tt.dataType, tt.a), Normalize(tt.dataType, tt.b))
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("integer", "1-31536000", "300")
	f.Add("list", "A,B", "a,b")
	f.Add("boolean", "0,1", "ON")
	f.Fuzz(func(t *testing.T, dataType, allowed, v string) {
		_ = Check(dataType, allowed, v)
		_ = Normalize(dataType, v)
	})
}
