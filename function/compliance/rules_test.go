package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// clock is the fixed time of the rule tests.
var clock = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func healthyFacts() function.Facts {
	return function.Facts{
		DatabasesDate:     "2026-12-04 06:00:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2027-06-30",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.1.0.1297",
	}
}

func finding(t *testing.T, e Evaluation, rule string) Finding {
	t.Helper()
	for _, f := range e.Findings {
		if f.Rule == rule {
			return f
		}
	}
	t.Fatalf("no finding for rule %q in %+v", rule, e.Findings)
	return Finding{}
}

// at formats clock minus d in kesl-control's date and time layout.
func at(d time.Duration) string { return clock.Add(-d).Format(dateTimeLayout) }

func TestDatabasesAge(t *testing.T) {
	tests := []struct {
		name string
		date string
		want Outcome
	}{
		{"fresh", at(5 * time.Hour), OK},
		{"just under warning", at(72*time.Hour - time.Second), OK},
		{"at warning", at(72 * time.Hour), Warning},
		{"just over warning", at(72*time.Hour + time.Second), Warning},
		{"just under critical", at(168*time.Hour - time.Second), Warning},
		{"at critical", at(168 * time.Hour), Critical},
		{"just over critical", at(168*time.Hour + time.Second), Critical},
		{"slightly in the future", at(-time.Hour), OK},
		{"far in the future", at(-25 * time.Hour), Unknown},
		{"not applicable", "N/A", Unknown},
		{"empty", "", Unknown},
		{"date only", "2026-12-04", Unknown},
		{"garbage", "yesterday", Unknown},
		{"with zone", "2026-12-04T06:00:00Z", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := healthyFacts()
			facts.DatabasesDate = tt.date
			e := DefaultRules.Evaluate(function.Evaluate(facts), clock)

			got := finding(t, e, RuleDatabasesAge)
			if got.Outcome != tt.want {
				t.Errorf("outcome = %v (%s), want %v", got.Outcome, got.Reason, tt.want)
			}
			if (e.DatabasesAge == nil) != (tt.want == Unknown) {
				t.Errorf("DatabasesAge = %v, want nil only for UNKNOWN", e.DatabasesAge)
			}
		})
	}
}

func TestDatabasesAgeValue(t *testing.T) {
	facts := healthyFacts()
	facts.DatabasesDate = "2026-12-01 12:00:00"
	e := DefaultRules.Evaluate(function.Evaluate(facts), clock)

	if e.DatabasesAge == nil || *e.DatabasesAge != 72*time.Hour {
		t.Errorf("DatabasesAge = %v, want 72h (the date read as UTC)", e.DatabasesAge)
	}
	got := finding(t, e, RuleDatabasesAge).Reason
	if want := "databases released 2026-12-01 12:00:00 UTC, 3d ago, warning from 3d"; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
}

func TestLicenseExpiry(t *testing.T) {
	// A date without a time is valid to the end of that day UTC, so
	// "2026-12-04" expires at clock+12h and "2026-12-03" expired at
	// clock-12h.
	tests := []struct {
		name       string
		expiration string
		want       Outcome
		wantLeft   time.Duration
	}{
		{"date far ahead", "2027-06-30", OK, 0},
		{"date just over warning", "2027-01-03", OK, 30*24*time.Hour + 12*time.Hour},
		{"date just under warning", "2027-01-02", Warning, 29*24*time.Hour + 12*time.Hour},
		{"date today", "2026-12-04", Warning, 12 * time.Hour},
		{"date yesterday", "2026-12-03", Critical, -12 * time.Hour},
		{"time just over warning", clock.Add(720*time.Hour + time.Second).Format(dateTimeLayout), OK, 720*time.Hour + time.Second},
		{"time at warning", clock.Add(720 * time.Hour).Format(dateTimeLayout), Warning, 720 * time.Hour},
		{"time just under warning", clock.Add(720*time.Hour - time.Second).Format(dateTimeLayout), Warning, 720*time.Hour - time.Second},
		{"time one second left", clock.Add(time.Second).Format(dateTimeLayout), Warning, time.Second},
		{"time at expiry", clock.Format(dateTimeLayout), Critical, 0},
		{"time one second after", clock.Add(-time.Second).Format(dateTimeLayout), Critical, -time.Second},
		{"not applicable", "N/A", Unknown, 0},
		{"garbage", "never", Unknown, 0},
		{"day first", "30.06.2027", Unknown, 0},
		{"impossible date", "2027-02-30", Unknown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := healthyFacts()
			facts.LicenseExpiration = tt.expiration
			e := DefaultRules.Evaluate(function.Evaluate(facts), clock)

			got := finding(t, e, RuleLicenseExpiry)
			if got.Outcome != tt.want {
				t.Errorf("outcome = %v (%s), want %v", got.Outcome, got.Reason, tt.want)
			}
			switch {
			case tt.want == Unknown && e.LicenseLeft != nil:
				t.Errorf("LicenseLeft = %v, want nil", *e.LicenseLeft)
			case tt.want != Unknown && e.LicenseLeft == nil:
				t.Errorf("LicenseLeft = nil, want a value")
			case tt.wantLeft != 0 && *e.LicenseLeft != tt.wantLeft:
				t.Errorf("LicenseLeft = %v, want %v", *e.LicenseLeft, tt.wantLeft)
			}
		})
	}
}

func TestStatusRule(t *testing.T) {
	facts := healthyFacts()
	facts.LicenseInfo = "Expired"
	facts.DatabasesLoaded = false
	e := DefaultRules.Evaluate(function.Evaluate(facts), clock)

	got := finding(t, e, RuleStatus)
	if got.Outcome != Critical {
		t.Errorf("outcome = %v, want CRITICAL", got.Outcome)
	}
	want := "service not available: Databases not loaded, License error: Expired"
	if got.Reason != want {
		t.Errorf("reason = %q, want %q", got.Reason, want)
	}
}

func TestNoResponseDocument(t *testing.T) {
	e := DefaultRules.Evaluate(function.NotAvailable(function.ReasonNoResponse), clock)

	if e.Outcome != Critical {
		t.Errorf("outcome = %v, want CRITICAL", e.Outcome)
	}
	for _, rule := range []string{RuleDatabasesAge, RuleLicenseExpiry} {
		if got := finding(t, e, rule).Outcome; got != Unknown {
			t.Errorf("%s = %v, want UNKNOWN for N/A", rule, got)
		}
	}
}

func TestPolicyRule(t *testing.T) {
	tests := []struct {
		policy string
		want   Outcome
	}{
		{"Applied", OK},
		{"Kaspersky Security Center policy 'Linux servers' (active)", OK},
		{"Not applied", Critical},
		{"not applied", Critical},
		{"N/A", Unknown},
	}
	rules := DefaultRules
	rules.RequirePolicy = true
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			facts := healthyFacts()
			facts.Policy = tt.policy
			e := rules.Evaluate(function.Evaluate(facts), clock)
			if got := finding(t, e, RulePolicy); got.Outcome != tt.want {
				t.Errorf("outcome = %v (%s), want %v", got.Outcome, got.Reason, tt.want)
			}
		})
	}
}

func TestPolicyRuleOff(t *testing.T) {
	e := DefaultRules.Evaluate(function.Evaluate(healthyFacts()), clock)
	for _, f := range e.Findings {
		if f.Rule == RulePolicy || f.Rule == RuleMinVersion {
			t.Errorf("finding %+v, want no %s rule when it is not configured", f, f.Rule)
		}
	}
	if e.Outcome != OK {
		t.Errorf("outcome = %v, want OK; failed: %+v", e.Outcome, e.Failed())
	}
}

func TestMinVersion(t *testing.T) {
	tests := []struct {
		version, minimum string
		want             Outcome
	}{
		{"12.1.0.1297", "12.1.0.1297", OK},
		{"12.1.0.1297", "12.0.0.6672", OK},
		{"12.0.0.6672", "12.1.0.1297", Critical},
		{"12.10.0.1", "12.1.0.1297", OK},
		{"12.1.0.1297", "12.10.0.1", Critical},
		{"12.10.0.1", "12.2.0.2412", OK},
		{"12.1", "12.1.0.0", OK},
		{"12.1", "12.1.0.1", Critical},
		{"N/A", "12.0", Unknown},
		{"12.1.0.beta", "12.0", Unknown},
		{"12..1", "12.0", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.version+" vs "+tt.minimum, func(t *testing.T) {
			facts := healthyFacts()
			facts.Version = tt.version
			rules := DefaultRules
			rules.MinVersion = tt.minimum
			e := rules.Evaluate(function.Evaluate(facts), clock)
			if got := finding(t, e, RuleMinVersion); got.Outcome != tt.want {
				t.Errorf("outcome = %v (%s), want %v", got.Outcome, got.Reason, tt.want)
			}
		})
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []Outcome
		want Outcome
	}{
		{nil, OK},
		{[]Outcome{OK, OK}, OK},
		{[]Outcome{OK, Warning}, Warning},
		{[]Outcome{Warning, Unknown}, Unknown},
		{[]Outcome{Unknown, Warning}, Unknown},
		{[]Outcome{Unknown, Critical, Warning}, Critical},
		{[]Outcome{OK, Outcome(7)}, Outcome(7)},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOutcomeJSON(t *testing.T) {
	for _, o := range []Outcome{OK, Warning, Critical, Unknown} {
		b, err := o.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%v): %v", o, err)
		}
		var back Outcome
		if err := back.UnmarshalJSON(b); err != nil || back != o {
			t.Errorf("round trip of %s = %v, %v", b, back, err)
		}
	}
	if b, _ := Outcome(9).MarshalJSON(); !strings.Contains(string(b), "UNKNOWN") {
		t.Errorf("MarshalJSON(9) = %s, want UNKNOWN", b)
	}
}
