package params

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func TestCheckCoDependent(t *testing.T) {
	group := func(cs, csSource, coll, collSource string) *Metadata {
		return NewMetadata([]types.Parameter{
			meta("character_set_server", cs, "dynamic", "string", "", csSource, true),
			meta("collation_server", coll, "dynamic", "string", "", collSource, true),
			meta("wait_timeout", "28800", "dynamic", "integer", "1-31536000", "engine-default", true),
		})
	}
	defaults := group("latin1", "engine-default", "latin1_swedish_ci", "engine-default")
	for _, tc := range []struct {
		name string
		meta *Metadata
		as   []Assignment
		want string // "" when accepted, else a substring of the problem
	}{
		{"the trap", defaults, []Assignment{{"character_set_server", "utf8mb4"}, {"collation_server", "latin1_german1_ci"}},
			"collation_server=latin1_german1_ci belongs to character set latin1, not character_set_server=utf8mb4"},
		{"a matching pair", defaults, []Assignment{{"character_set_server", "utf8mb4"}, {"collation_server", "utf8mb4_unicode_ci"}}, ""},
		{"utf8 is utf8mb3", defaults, []Assignment{{"character_set_server", "utf8mb3"}, {"collation_server", "utf8_general_ci"}}, ""},
		{"utf8mb3 collation, utf8 charset", defaults, []Assignment{{"character_set_server", "utf8"}, {"collation_server", "utf8mb3_bin"}}, ""},
		{"case", defaults, []Assignment{{"character_set_server", "UTF8MB4"}, {"collation_server", "utf8mb4_BIN"}}, ""},
		{"charset alone, engine-default collation", defaults, []Assignment{{"character_set_server", "utf8mb4"}}, ""},
		{"collation against a user-set charset", group("utf8mb4", "user", "utf8mb4_general_ci", "user"),
			[]Assignment{{"collation_server", "latin1_german1_ci"}}, "(the other is the group's current value)"},
		{"charset against a user-set collation", group("utf8mb4", "user", "utf8mb4_general_ci", "user"),
			[]Assignment{{"character_set_server", "latin1"}}, "not character_set_server=latin1"},
		{"neither", defaults, []Assignment{{"wait_timeout", "300"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.meta, tc.as, ApplyAuto)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Kind != ProblemIncompatible ||
				!strings.Contains(ve.Problems[0].Reason, tc.want) {
				t.Fatalf("got %v, want one incompatible problem with %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not ErrInvalid (exit 2)", err)
			}
		})
	}
}
