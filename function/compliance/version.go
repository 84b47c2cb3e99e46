package compliance

import (
	"fmt"
	"strconv"
	"strings"
)

// compareVersions compares two dotted versions such as 12.1.0.1297 part by
// part as numbers, so 12.10.0.1 is newer than 12.1.0.1297. A missing part
// counts as 0. It returns -1, 0 or +1 as a is older, equal or newer.
func compareVersions(a, b string) (int, error) {
	pa, err := parseVersion(a)
	if err != nil {
		return 0, err
	}
	pb, err := parseVersion(b)
	if err != nil {
		return 0, err
	}
	for i := range max(len(pa), len(pb)) {
		x, y := part(pa, i), part(pb, i)
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
	}
	return 0, nil
}

// ParseVersion checks that s is a dotted version of whole numbers, such as
// 12.1.0.1297.
func ParseVersion(s string) error {
	_, err := parseVersion(s)
	return err
}

func parseVersion(s string) ([]uint64, error) {
	fields := strings.Split(s, ".")
	parts := make([]uint64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not a dotted version of whole numbers such as 12.1.0.1297")
		}
		parts[i] = n
	}
	return parts, nil
}

func part(parts []uint64, i int) uint64 {
	if i < len(parts) {
		return parts[i]
	}
	return 0
}
