package compliance

import (
	"fmt"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// Layouts of the dates that kesl-control prints. Neither carries a zone:
// Kaspersky Security Center shows the same values in UTC, so they are read
// as UTC.
const (
	dateTimeLayout = "2006-01-02 15:04:05"
	dateLayout     = "2006-01-02"
)

// maxFutureSkew is how far databases_date may lie ahead of the clock, for
// hosts whose clocks run a little ahead, before the date counts as invalid.
const maxFutureSkew = 24 * time.Hour

func (r Rules) checkDatabasesAge(value string, now time.Time) (*time.Duration, Finding) {
	unknown := func(reason string) (*time.Duration, Finding) {
		return nil, Finding{RuleDatabasesAge, Unknown, reason}
	}
	if value == "" || value == function.NotApplicable {
		return unknown("databases_date is N/A")
	}
	released, err := time.Parse(dateTimeLayout, value)
	if err != nil {
		return unknown(fmt.Sprintf("databases_date %q is not a date and time such as 2026-11-28 12:58:00", value))
	}

	age := now.Sub(released)
	if age < -maxFutureSkew {
		return unknown(fmt.Sprintf("databases_date %s UTC is more than %s in the future", value, formatDuration(maxFutureSkew)))
	}
	age = max(age, 0)

	desc := fmt.Sprintf("databases released %s UTC, %s ago", value, formatDuration(age))
	switch {
	case age >= r.DatabasesCritAge:
		return &age, Finding{RuleDatabasesAge, Critical, desc + ", critical from " + formatDuration(r.DatabasesCritAge)}
	case age >= r.DatabasesWarnAge:
		return &age, Finding{RuleDatabasesAge, Warning, desc + ", warning from " + formatDuration(r.DatabasesWarnAge)}
	}
	return &age, Finding{RuleDatabasesAge, OK, desc}
}

func (r Rules) checkLicense(value string, now time.Time) (*time.Duration, Finding) {
	unknown := func(reason string) (*time.Duration, Finding) {
		return nil, Finding{RuleLicenseExpiry, Unknown, reason}
	}
	if value == "" || value == function.NotApplicable {
		return unknown("license_expiration is N/A")
	}
	expires, err := parseExpiry(value)
	if err != nil {
		return unknown(fmt.Sprintf("license_expiration %q is not a date such as 2027-06-30 or 2027-06-30 16:25:49", value))
	}

	left := expires.Sub(now)
	switch {
	case left <= 0:
		return &left, Finding{RuleLicenseExpiry, Critical,
			fmt.Sprintf("licence expired %s UTC, %s ago", expires.Format(dateTimeLayout), formatDuration(-left))}
	case left <= r.LicenseWarn:
		return &left, Finding{RuleLicenseExpiry, Warning,
			fmt.Sprintf("licence expires %s UTC, in %s, warning from %s", expires.Format(dateTimeLayout), formatDuration(left), formatDuration(r.LicenseWarn))}
	}
	return &left, Finding{RuleLicenseExpiry, OK,
		fmt.Sprintf("licence expires %s UTC, in %s", expires.Format(dateTimeLayout), formatDuration(left))}
}

// parseExpiry returns the moment the licence stops being valid. A date
// without a time (KESL 10.x and 11.x print one) means that the licence is
// valid to the end of that day, so it expires at the next midnight UTC.
func parseExpiry(value string) (time.Time, error) {
	if t, err := time.Parse(dateTimeLayout, value); err == nil {
		return t, nil
	}
	day, err := time.Parse(dateLayout, value)
	if err != nil {
		return time.Time{}, err
	}
	return day.AddDate(0, 0, 1), nil
}

// formatDuration writes d, zero or more, in whole days and hours, such as
// "3d", "3d 4h", "5h" or "12m".
func formatDuration(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%dm", int64(d/time.Minute))
	}
	days, hours := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	switch {
	case days == 0:
		return fmt.Sprintf("%dh", hours)
	case hours == 0:
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, hours)
}
