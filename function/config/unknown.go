package config

import (
	"reflect"
	"sort"
	"strings"
)

// complianceVariables are read by LoadCompliance without struct tags.
var complianceVariables = []string{
	"TARGETS", "CONCURRENCY", "METRICS_NAMESPACE",
	"DB_WARN_AGE", "DB_CRIT_AGE", "LICENSE_WARN", "REQUIRE_POLICY", "MIN_VERSION",
}

// knownVariables returns every variable name without Prefix.
func knownVariables() []string {
	names := append([]string(nil), complianceVariables...)
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		if key != "" {
			names = append(names, key)
		}
	}
	return names
}

// checkUnknown rejects KESL_STATUS_* variables that no setting reads,
// because a misspelt KESL_STATUS_API_KEY would otherwise serve without a
// key.
func checkUnknown(vars map[string]string, errs *Error) {
	known := knownVariables()
	var unknown []string
	for name := range vars {
		rest, ok := strings.CutPrefix(name, Prefix)
		if ok && !contains(known, rest) {
			unknown = append(unknown, rest)
		}
	}
	sort.Strings(unknown)

	for _, name := range unknown {
		msg := "is not a setting of kesl-status; remove it or correct its name"
		if near := nearest(name, known); near != "" {
			msg = "is not a setting of kesl-status; did you mean " + Prefix + near + "?"
		}
		errs.add(name, "", msg)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// nearest returns the known name within two edits of name, or "".
func nearest(name string, known []string) string {
	best, bestDistance := "", 3
	for _, k := range known {
		if d := distance(name, k); d < bestDistance {
			best, bestDistance = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
