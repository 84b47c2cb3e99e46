package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/kesl-status/kesl-status/backends/agent"
	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/compliance"
)

// Compliance holds the settings of compliance checks, read by
// LoadCompliance. The time budget of each host is Config.Timeout.
type Compliance struct {
	// Targets are the hosts of TARGETS in the order listed; empty means
	// the backend of Config as the single host "local".
	Targets     []Target
	Rules       compliance.Rules
	Concurrency int
	Namespace   string
}

// Target is one entry name=url of TARGETS.
type Target struct {
	Name string
	URL  string // the remote /status, read with the agent backend
}

// LocalHost is the host name of the configured backend when TARGETS is
// empty.
const LocalHost = "local"

// targetName limits host names to what is safe unquoted in Nagios
// performance data and readable as a CloudWatch dimension value.
var targetName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// namespacePattern is CloudWatch's rule for namespaces.
var namespacePattern = regexp.MustCompile(`^[A-Za-z0-9.\-_/#: ]{1,255}$`)

// LoadCompliance reads the compliance settings from environ, a list of
// "KEY=value" strings; an empty variable takes its default. The error,
// when not nil, is an *Error that lists every invalid variable.
func LoadCompliance(environ []string) (Compliance, error) {
	vars := env.ToMap(environ)
	value := func(name string) string { return strings.TrimSpace(vars[Prefix+name]) }

	var errs Error
	c := Compliance{
		Rules:       compliance.DefaultRules,
		Concurrency: compliance.DefaultConcurrency,
		Namespace:   compliance.DefaultNamespace,
	}

	c.Targets = parseTargets(value("TARGETS"), &errs)
	c.Rules.DatabasesWarnAge = positiveDuration("DB_WARN_AGE", value("DB_WARN_AGE"), c.Rules.DatabasesWarnAge, &errs)
	c.Rules.DatabasesCritAge = positiveDuration("DB_CRIT_AGE", value("DB_CRIT_AGE"), c.Rules.DatabasesCritAge, &errs)
	c.Rules.LicenseWarn = positiveDuration("LICENSE_WARN", value("LICENSE_WARN"), c.Rules.LicenseWarn, &errs)
	if !errs.has("DB_WARN_AGE") && !errs.has("DB_CRIT_AGE") && c.Rules.DatabasesWarnAge >= c.Rules.DatabasesCritAge {
		errs.add("DB_WARN_AGE", value("DB_WARN_AGE"), fmt.Sprintf("must be less than %sDB_CRIT_AGE (%v)", Prefix, c.Rules.DatabasesCritAge))
	}

	if s := value("REQUIRE_POLICY"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			errs.add("REQUIRE_POLICY", s, "must be true or false")
		}
		c.Rules.RequirePolicy = b
	}
	if s := value("MIN_VERSION"); s != "" {
		if err := compliance.ParseVersion(s); err != nil {
			errs.add("MIN_VERSION", s, "must be "+err.Error())
		}
		c.Rules.MinVersion = s
	}
	if s := value("CONCURRENCY"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			errs.add("CONCURRENCY", s, "must be a whole number of hosts checked at once, 1 or more, such as 8")
		}
		c.Concurrency = n
	}
	if s := value("METRICS_NAMESPACE"); s != "" {
		if !namespacePattern.MatchString(s) || strings.HasPrefix(s, "AWS/") {
			errs.add("METRICS_NAMESPACE", s, "must be a CloudWatch namespace of 1 to 255 letters, digits and . - _ / # : or space, not starting with AWS/, such as KESL/Status")
		}
		c.Namespace = s
	}

	if len(errs.Problems) > 0 {
		return Compliance{}, &errs
	}
	return c, nil
}

// positiveDuration parses the variable name, which must carry a unit and
// be greater than zero, or returns fallback when it is empty.
func positiveDuration(name, s string, fallback time.Duration, errs *Error) time.Duration {
	if s == "" {
		return fallback
	}
	var d Duration
	if err := d.UnmarshalText([]byte(s)); err != nil {
		errs.add(name, s, err.Error())
		return fallback
	}
	if d <= 0 {
		errs.add(name, s, fmt.Sprintf("must be greater than zero, such as %dh", int64(fallback.Hours())))
		return fallback
	}
	return d.Std()
}

// parseTargets reads name=url pairs separated by commas.
func parseTargets(s string, errs *Error) []Target {
	if s == "" {
		return nil
	}
	var targets []Target
	seen := map[string]bool{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		name, rawURL, ok := strings.Cut(entry, "=")
		name, rawURL = strings.TrimSpace(name), strings.TrimSpace(rawURL)
		switch {
		case entry == "":
			errs.add("TARGETS", "", fmt.Sprintf("entry %d is empty; list hosts as name=url separated by commas, such as web1=https://10.0.0.5:8085/status,web2=https://10.0.0.6:8085/status", i+1))
			continue
		case !ok:
			errs.add("TARGETS", "", fmt.Sprintf("entry %q is not name=url, such as web1=https://10.0.0.5:8085/status", entry))
			continue
		case !targetName.MatchString(name):
			errs.add("TARGETS", "", fmt.Sprintf("host name %q must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit", name))
			continue
		case seen[name]:
			errs.add("TARGETS", "", fmt.Sprintf("host name %q is listed more than once; names must be unique", name))
			continue
		}
		if err := checkTargetURL(rawURL); err != nil {
			errs.add("TARGETS", "", fmt.Sprintf("host %q: %v", name, err))
			continue
		}
		seen[name] = true
		targets = append(targets, Target{Name: name, URL: rawURL})
	}
	return targets
}

func checkTargetURL(raw string) error {
	_, err := agent.ParseURL(raw)
	return err
}

// ComplianceTargets builds the hosts of cc: one agent backend per entry of
// cc.Targets, with the agent settings of c, or, when there are none, local
// as the host "local". Passing the backend that also serves /status lets
// both share one cache and one run.
func (c Config) ComplianceTargets(cc Compliance, local function.Backend) ([]compliance.Target, error) {
	if len(cc.Targets) == 0 {
		if local == nil {
			return nil, fmt.Errorf("no %sTARGETS and no local backend", Prefix)
		}
		return []compliance.Target{{Name: LocalHost, Backend: local}}, nil
	}

	targets := make([]compliance.Target, 0, len(cc.Targets))
	for _, t := range cc.Targets {
		b, err := agent.New(c.AgentOptions(t.URL))
		if err != nil {
			return nil, fmt.Errorf("host %q: agent backend: %w", t.Name, err)
		}
		targets = append(targets, compliance.Target{Name: t.Name, Backend: b})
	}
	return targets, nil
}

// ComplianceOptions returns the options of compliance.Run: the rules and
// concurrency of cc and the timeout of c for each host.
func (c Config) ComplianceOptions(cc Compliance) compliance.Options {
	return compliance.Options{
		Rules:       cc.Rules,
		Concurrency: cc.Concurrency,
		Timeout:     c.Timeout.Std(),
	}
}
