package function

import (
	"context"
	"errors"
)

// Backend reports the state of KESL on one host. Status must return by ctx's
// deadline. A nil error means the document is KESL's own report, which may
// still be "service not available". When KESL did not respond, the error
// wraps ErrNoResponse or is an *UnavailableError that names another reason.
type Backend interface {
	Status(ctx context.Context) (Document, error)
}

// ErrNoResponse means that KESL did not respond: it is not running, the
// check timed out, or its output could not be read.
var ErrNoResponse = errors.New("KESL did not respond")

// UnavailableError is a failed check whose document carries Reason, a short
// stable phrase such as "Agent not response", instead of "KESL not response".
type UnavailableError struct {
	Reason string
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// FailureDocument returns the "not available" document for an error from
// Backend.Status: the reason of an *UnavailableError in err's chain, or
// "KESL not response" for any other error.
func FailureDocument(err error) Document {
	if ue, ok := errors.AsType[*UnavailableError](err); ok && ue.Reason != "" {
		return NotAvailable(ue.Reason)
	}
	return NotAvailable(ReasonNoResponse)
}
