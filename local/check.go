package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/compliance"
	"github.com/kesl-status/kesl-status/function/config"
)

// exitUnknown is the exit status of check for invalid settings and flags:
// Nagios reads it as UNKNOWN, where 2 would read as CRITICAL.
const exitUnknown = int(compliance.Unknown)

// checkFlags maps each flag of check that overrides a variable to it.
var checkFlags = []struct{ flag, variable, usage string }{
	{"targets", "TARGETS", "hosts as name=url pairs separated by commas; empty checks the configured backend as host local"},
	{"db-warn", "DB_WARN_AGE", "database age that is WARNING, with a unit (default 72h)"},
	{"db-crit", "DB_CRIT_AGE", "database age that is CRITICAL, with a unit (default 168h)"},
	{"license-warn", "LICENSE_WARN", "time before the licence expires that is WARNING, with a unit (default 720h)"},
	{"min-version", "MIN_VERSION", "minimum KESL version, such as 12.1.0.1297 (default: no version rule)"},
	{"timeout", "TIMEOUT", "time budget of each host, with a unit (default 10s)"},
	{"concurrency", "CONCURRENCY", "hosts checked at once (default 8)"},
}

// check runs the compliance rules once and prints one line in the Nagios
// plugin format, then one line per failing rule, or the JSON report with
// -json. The exit status is the outcome: 0 OK, 1 WARNING, 2 CRITICAL,
// 3 UNKNOWN, and 3 for invalid settings or flags. Messages about settings
// and flags go to stdout too, because Nagios shows only stdout.
func check(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	cl, ok := parseCheckFlags(args, environ, stdout)
	if !ok {
		return exitUnknown
	}
	run, err := newCheckRun(cl.environ, cl.now)
	if err != nil {
		err = renameVars(err, cl.renames)
		if cl.asJSON {
			// A monitor that reads the outcome of the report gets UNKNOWN too.
			b, _ := json.Marshal(map[string]string{"outcome": compliance.Unknown.String(), "error": err.Error()})
			fmt.Fprintf(stdout, "%s\n", b)
			return exitUnknown
		}
		fmt.Fprintf(stdout, "KESL UNKNOWN - %v\n", err)
		return exitUnknown
	}

	r := compliance.Run(ctx, run.targets, run.options)

	if !cl.asJSON {
		writeNagios(stdout, r, run.fleet, run.options.Rules)
		return int(r.Outcome)
	}
	b, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintf(stderr, "kesl-status check: encode report: %v\n", err)
		return exitUnknown
	}
	fmt.Fprintf(stdout, "%s\n", b)
	return int(r.Outcome)
}

// commandLine is the parsed command line of check.
type commandLine struct {
	environ []string          // the environment with the flags' variables added
	renames map[string]string // variable to the flag that set it
	asJSON  bool
	now     string
}

// parseCheckFlags parses args and reports false after writing the problem,
// as a plugin line "KESL UNKNOWN - ...", and the usage to w. -h writes the
// usage alone and also reports false, so that check exits with 3 as
// Nagios plugins do for help.
func parseCheckFlags(args, environ []string, w io.Writer) (commandLine, bool) {
	fs := flag.NewFlagSet("kesl-status check", flag.ContinueOnError)
	fs.SetOutput(w)
	values := map[string]*string{}
	for _, f := range checkFlags {
		values[f.flag] = fs.String(f.flag, "", f.usage+"; overrides "+config.Prefix+f.variable)
	}
	requirePolicy := fs.Bool("require-policy", false, "require an applied policy; overrides "+config.Prefix+"REQUIRE_POLICY")
	asJSON := fs.Bool("json", false, "print the JSON report instead of the Nagios plugin output")
	now := fs.String("now", "", "evaluate the rules as of this RFC 3339 time instead of the clock, to try thresholds on recorded output")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kesl-status check [flags]\n\nChecks the compliance rules once. Flags override the KESL_STATUS_* variables.")
		fs.PrintDefaults()
	}

	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(w)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return commandLine{}, false
	}
	if err != nil {
		fmt.Fprintf(w, "KESL UNKNOWN - invalid command line: %v\n", err)
		fs.Usage()
		return commandLine{}, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(w, "KESL UNKNOWN - unexpected argument %q; flags come as -name=value\n", fs.Arg(0))
		return commandLine{}, false
	}

	environ, renames := overrideEnv(fs, environ, values, *requirePolicy)
	return commandLine{environ: environ, renames: renames, asJSON: *asJSON, now: *now}, true
}

// overrideEnv appends the flags given on the command line to environ as
// their variables, which then win, and returns the names to show in
// messages in place of those variables.
func overrideEnv(fs *flag.FlagSet, environ []string, values map[string]*string, requirePolicy bool) ([]string, map[string]string) {
	environ = slices.Clone(environ)
	renames := map[string]string{}
	set := func(name, variable, value string) {
		environ = append(environ, config.Prefix+variable+"="+value)
		renames[config.Prefix+variable] = "-" + name
	}
	fs.Visit(func(f *flag.Flag) {
		for _, cf := range checkFlags {
			if cf.flag == f.Name {
				set(cf.flag, cf.variable, *values[cf.flag])
			}
		}
		if f.Name == "require-policy" {
			set(f.Name, "REQUIRE_POLICY", fmt.Sprint(requirePolicy))
		}
	})
	return environ, renames
}

// joinProblems merges two errors of config's loaders into one *config.Error
// so that every invalid setting is reported at once.
func joinProblems(a, b error) error {
	var ea, eb *config.Error
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case errors.As(a, &ea) && errors.As(b, &eb):
		return &config.Error{Problems: append(slices.Clone(ea.Problems), eb.Problems...)}
	}
	return errors.Join(a, b)
}

// renameVars replaces the variables of a *config.Error that a flag set
// with the flag's name, in the variable column and in the messages.
func renameVars(err error, renames map[string]string) error {
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		return err
	}
	for i, p := range cerr.Problems {
		if name, ok := renames[p.Var]; ok {
			cerr.Problems[i].Var = name
		}
		for variable, name := range renames {
			cerr.Problems[i].Message = strings.ReplaceAll(cerr.Problems[i].Message, variable, name)
		}
	}
	return cerr
}

type checkRun struct {
	targets []compliance.Target
	options compliance.Options
	fleet   bool // whether TARGETS lists the hosts
}

func newCheckRun(environ []string, now string) (checkRun, error) {
	cfg, err := config.Load(environ)
	cc, ccErr := config.LoadCompliance(environ)
	if err := joinProblems(err, ccErr); err != nil {
		return checkRun{}, err
	}
	var local function.Backend
	if len(cc.Targets) == 0 {
		if local, err = cfg.NewBackend(nil); err != nil {
			return checkRun{}, err
		}
	}
	targets, err := cfg.ComplianceTargets(cc, local)
	if err != nil {
		return checkRun{}, err
	}

	options := cfg.ComplianceOptions(cc)
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return checkRun{}, fmt.Errorf("-now=%q: must be an RFC 3339 time such as 2026-12-04T18:00:00Z", now)
		}
		options.Now = func() time.Time { return t }
	}
	return checkRun{targets: targets, options: options, fleet: len(cc.Targets) > 0}, nil
}

// writeNagios writes the plugin output: "KESL OUTCOME - summary | perfdata"
// and one line per failing rule. In a fleet, the performance data labels
// start with the host name and "_", such as web1_db_age.
func writeNagios(w io.Writer, r compliance.Report, fleet bool, rules compliance.Rules) {
	var perf []string
	for _, h := range r.Hosts {
		prefix := ""
		if fleet {
			prefix = h.Name + "_"
		}
		perf = append(perf, perfData(prefix, h, rules)...)
	}

	line := fmt.Sprintf("KESL %s - %s", r.Outcome, pluginText(summary(r, fleet)))
	if len(perf) > 0 {
		line += " | " + strings.Join(perf, " ")
	}
	fmt.Fprintln(w, line)

	for _, h := range r.Hosts {
		for _, f := range h.Failures {
			fmt.Fprintf(w, "%s: %s %s: %s\n", h.Name, f.Outcome, f.Rule, pluginText(f.Reason))
		}
	}
}

// pluginText makes text from a remote document safe in plugin output:
// control characters, such as a line break that would forge another line,
// become spaces, and '|', which starts performance data, becomes '/'.
func pluginText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '|':
			return '/'
		case r < ' ' || r == 0x7f:
			return ' '
		}
		return r
	}, s)
}

func summary(r compliance.Report, fleet bool) string {
	c := r.Counts
	if fleet || len(r.Hosts) != 1 {
		noun := "hosts"
		if len(r.Hosts) == 1 {
			noun = "host"
		}
		return fmt.Sprintf("%d %s: %d OK, %d WARNING, %d CRITICAL, %d UNKNOWN",
			len(r.Hosts), noun, c.OK, c.Warning, c.Critical, c.Unknown)
	}

	h := r.Hosts[0]
	if len(h.Failures) == 0 {
		return h.Name + ": all rules OK"
	}
	reasons := make([]string, len(h.Failures))
	for i, f := range h.Failures {
		reasons[i] = f.Reason
	}
	return h.Name + ": " + strings.Join(reasons, "; ")
}

// perfData returns db_age in seconds and license_days in whole days,
// rounded down so that an expired licence shows a negative number. The
// licence thresholds are ranges "N:" (alert below N), because fewer days
// left is worse. A value that is unknown is left out.
func perfData(prefix string, h compliance.Host, rules compliance.Rules) []string {
	e := h.Evaluation
	if e == nil {
		return nil
	}
	var perf []string
	if e.DatabasesAge != nil {
		perf = append(perf, fmt.Sprintf("%sdb_age=%ds;%d;%d", prefix,
			int64(e.DatabasesAge.Seconds()), int64(rules.DatabasesWarnAge.Seconds()), int64(rules.DatabasesCritAge.Seconds())))
	}
	if e.LicenseLeft != nil {
		days := int64(math.Floor(e.LicenseLeft.Hours() / 24))
		perf = append(perf, fmt.Sprintf("%slicense_days=%d;%d:;0:", prefix, days, int64(rules.LicenseWarn.Hours()/24)))
	}
	return perf
}
