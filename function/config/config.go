// Package config reads the settings of kesl-status from KESL_STATUS_*
// environment variables and builds the backend they select. Every invalid
// setting is reported at once, each naming its variable and the expected form.
package config

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Prefix starts the name of every variable.
const Prefix = "KESL_STATUS_"

// Config holds every setting. An empty variable counts as unset and takes
// the default.
type Config struct {
	Backend     string   `env:"BACKEND" envDefault:"cli"`
	KESLControl string   `env:"KESL_CONTROL" envDefault:"/opt/kaspersky/kesl/bin/kesl-control"`
	Timeout     Duration `env:"TIMEOUT" envDefault:"10s"`
	CacheTTL    Duration `env:"CACHE_TTL" envDefault:"5s"`
	Listen      string   `env:"LISTEN" envDefault:"127.0.0.1:8085"`

	APIKey          string `env:"API_KEY"`
	APIKeyFile      string `env:"API_KEY_FILE"`
	UnavailableCode int    `env:"UNAVAILABLE_CODE" envDefault:"200"`
	BasePath        string `env:"BASE_PATH"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"text"`

	AgentURL        string `env:"AGENT_URL"`
	AgentAPIKey     string `env:"AGENT_API_KEY"`
	AgentAPIKeyFile string `env:"AGENT_API_KEY_FILE"`
	AgentCAFile     string `env:"AGENT_CA_FILE"`
	AgentCertFile   string `env:"AGENT_CERT_FILE"`
	AgentKeyFile    string `env:"AGENT_KEY_FILE"`

	TLSCertFile     string `env:"TLS_CERT_FILE"`
	TLSKeyFile      string `env:"TLS_KEY_FILE"`
	TLSClientCAFile string `env:"TLS_CLIENT_CA_FILE"`
}

// Duration is a time.Duration read from text that must carry a unit.
type Duration time.Duration

// UnmarshalText parses text such as "4s" or "1m30s". A bare number other
// than 0 is rejected because its unit would be a guess.
func (d *Duration) UnmarshalText(text []byte) error {
	s := string(text)
	if bareNumber.MatchString(s) && strings.Trim(s, "0.") != "" {
		ms, _ := strconv.ParseFloat(s, 64)
		return fmt.Errorf("a duration needs a unit: write %v for %s milliseconds or %ss for seconds",
			time.Duration(ms*float64(time.Millisecond)), s, s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration (%v): write a number with a unit, such as 4s, 500ms or 1m", err)
	}
	*d = Duration(v)
	return nil
}

var bareNumber = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9})?$`)

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Load reads the settings from environ, a list of "KEY=value" strings such
// as os.Environ returns. The error, when not nil, is an *Error that lists
// every invalid variable.
func Load(environ []string) (Config, error) {
	var c Config
	var errs Error

	vars := env.ToMap(environ)
	err := env.ParseWithOptions(&c, env.Options{Prefix: Prefix, Environment: vars})
	errs.addEnv(err, vars)

	c.validate(vars, &errs)
	if len(errs.Problems) > 0 {
		return Config{}, &errs
	}
	return c, nil
}

// minTimeout is the smallest TIMEOUT: starting kesl-control alone takes a
// few milliseconds, so a smaller budget fails every check.
const minTimeout = Duration(100 * time.Millisecond)

func validListen(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || strings.ContainsAny(host, " \t") {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func (c *Config) validate(vars map[string]string, errs *Error) {
	switch c.Backend {
	case "cli":
		if c.KESLControl == "" || !strings.HasPrefix(c.KESLControl, "/") {
			errs.add("KESL_CONTROL", c.KESLControl, "must be an absolute path to kesl-control, such as /opt/kaspersky/kesl/bin/kesl-control")
		}
	case "agent":
	default:
		errs.add("BACKEND", c.Backend, "must be cli or agent")
	}

	if c.Timeout < minTimeout && !errs.has("TIMEOUT") {
		errs.add("TIMEOUT", vars[Prefix+"TIMEOUT"], "must be at least 100ms, such as 10s, because a check runs a process")
	}
	if c.CacheTTL < 0 && !errs.has("CACHE_TTL") {
		errs.add("CACHE_TTL", vars[Prefix+"CACHE_TTL"], "must be zero (no caching) or greater, such as 5s")
	}
	if !validListen(c.Listen) {
		errs.add("LISTEN", c.Listen, "must be host:port with a port from 0 to 65535, such as 127.0.0.1:8085")
	}
	// 1xx, 204, 205, 3xx and 304 cannot carry the document's body.
	if code := c.UnavailableCode; !errs.has("UNAVAILABLE_CODE") && code != 200 && (code < 400 || code > 599) {
		errs.add("UNAVAILABLE_CODE", strconv.Itoa(code), "must be 200 or a code from 400 to 599, such as 503")
	}
	if c.BasePath != "" && (!strings.HasPrefix(c.BasePath, "/") || strings.HasSuffix(c.BasePath, "/")) {
		errs.add("BASE_PATH", c.BasePath, "must start with / and not end with /, such as /kesl")
	}

	c.APIKey = readSecret(c.APIKey, c.APIKeyFile, "API_KEY", errs)
	c.AgentAPIKey = readSecret(c.AgentAPIKey, c.AgentAPIKeyFile, "AGENT_API_KEY", errs)
	checkUnknown(vars, errs)

	if _, err := parseLevel(c.LogLevel); err != nil {
		errs.add("LOG_LEVEL", c.LogLevel, "must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs.add("LOG_FORMAT", c.LogFormat, "must be text or json")
	}

	c.checkRegularFiles(errs)
	c.validateAgent(errs)
	c.validateTLS(errs)
}

// Error lists every invalid setting found by Load.
type Error struct {
	Problems []Problem
}

// Problem is one invalid setting.
type Problem struct {
	Var     string // full variable name, such as KESL_STATUS_TIMEOUT
	Value   string // the value read; empty for secrets
	Message string // what is wrong and the expected form
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Var)
		if p.Value != "" {
			fmt.Fprintf(&b, "=%q", p.Value)
		}
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

func (e *Error) add(name, value, message string) {
	e.Problems = append(e.Problems, Problem{Var: Prefix + name, Value: value, Message: message})
}

func (e *Error) has(name string) bool {
	for _, p := range e.Problems {
		if p.Var == Prefix+name {
			return true
		}
	}
	return false
}

// addEnv turns the errors of env.Parse into problems that name the variable.
func (e *Error) addEnv(err error, vars map[string]string) {
	if err == nil {
		return
	}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		e.Problems = append(e.Problems, Problem{Var: Prefix + "*", Message: err.Error()})
		return
	}
	for _, one := range agg.Errors {
		var pe env.ParseError
		if errors.As(one, &pe) {
			name := varName(pe.Name)
			e.add(name, vars[Prefix+name], parseMessage(pe))
			continue
		}
		e.Problems = append(e.Problems, Problem{Var: Prefix + "*", Message: one.Error()})
	}
}

func parseMessage(pe env.ParseError) string {
	switch pe.Type.Kind() {
	case reflect.Int:
		return "must be a whole number"
	case reflect.Bool:
		return "must be true or false"
	}
	return pe.Err.Error()
}

// varName returns the variable, without Prefix, of the Config field name.
func varName(field string) string {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return field
	}
	key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return key
}
