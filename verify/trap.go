package verify

import (
	"encoding/json"
	"fmt"
)

// Trap holds the wait_timeout values behind the interactive_timeout trap.
// The mysql/mariadb client announces CLIENT_INTERACTIVE when it runs on a
// terminal, and the server then starts that session with wait_timeout set to
// the global interactive_timeout. An engineer who lowered wait_timeout and
// types SHOW VARIABLES in the client sees the old number and concludes the
// change failed; applications, which connect non-interactively, got it.
type Trap struct {
	GlobalWaitTimeout        int64 `json:"global_wait_timeout"`
	GlobalInteractiveTimeout int64 `json:"global_interactive_timeout"`
	// SessionWaitTimeout is this non-interactive connection's value: what
	// applications get.
	SessionWaitTimeout int64 `json:"session_wait_timeout"`
	// InteractiveSessionWaitTimeout is what an interactive mysql client
	// would see as its session wait_timeout.
	InteractiveSessionWaitTimeout int64 `json:"interactive_session_wait_timeout"`
}

// Explain says in one sentence why an interactive client and applications
// see different timeouts, or returns "" when they agree.
func (t Trap) Explain() string {
	var s string
	if t.InteractiveSessionWaitTimeout != t.SessionWaitTimeout {
		s = fmt.Sprintf("An interactive mysql client will show wait_timeout=%d because the server copies interactive_timeout into interactive sessions; applications (non-interactive) get %d.",
			t.InteractiveSessionWaitTimeout, t.SessionWaitTimeout)
	}
	if t.SessionWaitTimeout != t.GlobalWaitTimeout {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("This connection's session wait_timeout is %d although the global is %d, so something changes it per session (init_connect, a proxy, or the account's settings).",
			t.SessionWaitTimeout, t.GlobalWaitTimeout)
	}
	return s
}

// MarshalJSON adds the explanation, so JSON readers need not rebuild it.
func (t Trap) MarshalJSON() ([]byte, error) {
	type plain Trap
	return json.Marshal(struct {
		plain
		Explanation string `json:"explanation,omitempty"`
	}{plain(t), t.Explain()})
}
