package compliance

import (
	"encoding/json"
	"fmt"
)

// Outcome is the result of a rule, a host or a fleet. The values are the
// exit statuses of a Nagios plugin, but the order of severity is not the
// numeric order: see Worse.
type Outcome int

// Outcomes, numbered as Nagios plugin exit statuses.
const (
	OK       Outcome = 0
	Warning  Outcome = 1
	Critical Outcome = 2
	Unknown  Outcome = 3
)

// severity ranks the outcomes as OK < WARNING < UNKNOWN < CRITICAL. A rule
// that cannot be evaluated hides a state that may be bad, so it ranks above
// a known warning, but a known critical state ranks above everything.
var severity = [...]int{OK: 0, Warning: 1, Unknown: 2, Critical: 3}

// Worse reports whether o is more severe than other.
func (o Outcome) Worse(other Outcome) bool {
	return severity[o.index()] > severity[other.index()]
}

// Worst returns the most severe of outcomes, or OK when there are none.
func Worst(outcomes ...Outcome) Outcome {
	worst := OK
	for _, o := range outcomes {
		if o.Worse(worst) {
			worst = o
		}
	}
	return worst
}

// index maps an invalid Outcome to Unknown, so that no stray value ranks as
// OK.
func (o Outcome) index() Outcome {
	if o < OK || o > Unknown {
		return Unknown
	}
	return o
}

// String returns the Nagios name: OK, WARNING, CRITICAL or UNKNOWN.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	case Unknown:
		return "UNKNOWN"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MarshalJSON encodes o as its name.
func (o Outcome) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.index().String())
}

// UnmarshalJSON decodes a name written by MarshalJSON.
func (o *Outcome) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("outcome: %w", err)
	}
	for _, v := range []Outcome{OK, Warning, Critical, Unknown} {
		if v.String() == s {
			*o = v
			return nil
		}
	}
	return fmt.Errorf("invalid outcome %q: must be OK, WARNING, CRITICAL or UNKNOWN", s)
}
