package compliance

import (
	"fmt"
	"strings"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// Names of the rules, as they appear in reports and in check output.
const (
	RuleStatus        = "status"
	RuleDatabasesAge  = "databases_age"
	RuleLicenseExpiry = "license_expiry"
	RulePolicy        = "policy"
	RuleMinVersion    = "min_version"
)

// Rules holds the thresholds and switches of the checks. Callers validate
// them: both ages and LicenseWarn greater than zero and DatabasesWarnAge
// less than DatabasesCritAge.
type Rules struct {
	// DatabasesWarnAge and DatabasesCritAge are the ages of the databases,
	// counted from databases_date, at which the rule becomes WARNING and
	// CRITICAL.
	DatabasesWarnAge time.Duration
	DatabasesCritAge time.Duration
	// LicenseWarn is the time before the licence expires from which the
	// rule is WARNING. An expired licence is CRITICAL.
	LicenseWarn time.Duration
	// RequirePolicy turns on the policy rule: a policy must be applied.
	RequirePolicy bool
	// MinVersion, when not empty, turns on the version rule: version must
	// be at least MinVersion, compared as dotted numbers.
	MinVersion string
}

// DefaultRules warn at databases 3 days old and fail at 7 days, the steps
// of Kaspersky Security Center's database status, and warn 30 days before
// the licence expires.
var DefaultRules = Rules{
	DatabasesWarnAge: 72 * time.Hour,
	DatabasesCritAge: 168 * time.Hour,
	LicenseWarn:      720 * time.Hour,
}

// Finding is the result of one rule.
type Finding struct {
	Rule    string  `json:"rule"`
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
}

// Evaluation is the result of all rules for one document.
type Evaluation struct {
	// Outcome is the worst outcome of Findings.
	Outcome Outcome
	// Findings lists every enabled rule in the order status, databases_age,
	// license_expiry, policy, min_version.
	Findings []Finding
	// DatabasesAge is the time since databases_date, zero or more, or nil
	// when the date is unknown.
	DatabasesAge *time.Duration
	// LicenseLeft is the time until the licence expires, negative once it
	// has expired, or nil when the expiry is unknown.
	LicenseLeft *time.Duration
}

// Failed returns the findings that are not OK.
func (e Evaluation) Failed() []Finding {
	var failed []Finding
	for _, f := range e.Findings {
		if f.Outcome != OK {
			failed = append(failed, f)
		}
	}
	return failed
}

// Evaluate applies r to doc at the time now.
func (r Rules) Evaluate(doc function.Document, now time.Time) Evaluation {
	var e Evaluation
	facts := doc.ProductInfo

	e.add(checkStatus(doc))

	age, finding := r.checkDatabasesAge(facts.DatabasesDate, now)
	e.DatabasesAge = age
	e.add(finding)

	left, finding := r.checkLicense(facts.LicenseExpiration, now)
	e.LicenseLeft = left
	e.add(finding)

	if r.RequirePolicy {
		e.add(checkPolicy(facts.Policy))
	}
	if r.MinVersion != "" {
		e.add(checkVersion(facts.Version, r.MinVersion))
	}
	return e
}

func (e *Evaluation) add(f Finding) {
	e.Findings = append(e.Findings, f)
	e.Outcome = Worst(e.Outcome, f.Outcome)
}

func checkStatus(doc function.Document) Finding {
	if doc.Available() {
		return Finding{RuleStatus, OK, function.StatusAvailable}
	}
	reason := doc.Status
	if len(doc.Reasons) > 0 {
		reason += ": " + strings.Join(doc.Reasons, ", ")
	}
	return Finding{RuleStatus, Critical, reason}
}

// policyNotApplied is the policy value of a host without a policy, compared
// without regard to case.
//
// NOTE: only the English value is recognised. A document whose policy field
// comes from Russian kesl-control output passes the policy rule even when no
// policy is applied.
const policyNotApplied = "Not applied"

func checkPolicy(policy string) Finding {
	switch {
	case policy == "" || policy == function.NotApplicable:
		return Finding{RulePolicy, Unknown, "policy is N/A"}
	case strings.EqualFold(policy, policyNotApplied):
		return Finding{RulePolicy, Critical, "no policy applied"}
	}
	return Finding{RulePolicy, OK, fmt.Sprintf("policy %q", policy)}
}

func checkVersion(version, minimum string) Finding {
	if version == "" || version == function.NotApplicable {
		return Finding{RuleMinVersion, Unknown, "version is N/A"}
	}
	cmp, err := compareVersions(version, minimum)
	if err != nil {
		return Finding{RuleMinVersion, Unknown, fmt.Sprintf("version %q: %v", version, err)}
	}
	if cmp < 0 {
		return Finding{RuleMinVersion, Critical, fmt.Sprintf("version %s is older than the minimum %s", version, minimum)}
	}
	return Finding{RuleMinVersion, OK, fmt.Sprintf("version %s, minimum %s", version, minimum)}
}
