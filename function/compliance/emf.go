package compliance

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// DefaultNamespace is the CloudWatch namespace of the metrics when none is
// configured.
const DefaultNamespace = "KESL/Status"

// Units of CloudWatch's MetricDatum. CloudWatch has no unit for hours or
// days, so ages and times left carry None, and the metric name gives the unit.
const (
	unitNone  = "None"
	unitCount = "Count"
)

type metric struct {
	name  string
	unit  string
	value float64
}

// WriteMetrics writes r to w as CloudWatch embedded metric format (EMF)
// documents, one JSON object per line: one line per host with the
// dimension Host, then one line for the fleet with an empty dimension set,
// so that the fleet's metrics carry no dimension at all. All lines are
// timestamped with r.Time.
//
// Per host: Up is 1 when the document says "service available" and 0
// otherwise, including when the host did not answer. DatabasesAgeHours and
// LicenseDaysLeft (negative once expired) are fractional, rounded to two
// decimals. Compliant is 1 when every rule is OK. A metric whose value is
// unknown (Up of a host not checked before the deadline, an age or expiry
// that is N/A or unreadable) is left out of its line, both the definition
// and the member.
//
// For the fleet: HostsOK, HostsWarning, HostsCritical, HostsUnknown and
// NonCompliant, the number of hosts whose outcome is not OK.
func WriteMetrics(w io.Writer, r Report, namespace string) error {
	ts := r.Time.UnixMilli()
	for _, h := range r.Hosts {
		dims := map[string]string{"Host": h.Name}
		if err := writeEMF(w, namespace, ts, dims, hostMetrics(h)); err != nil {
			return fmt.Errorf("metrics of host %q: %w", h.Name, err)
		}
	}
	if err := writeEMF(w, namespace, ts, nil, fleetMetrics(r.Counts)); err != nil {
		return fmt.Errorf("metrics of the fleet: %w", err)
	}
	return nil
}

func hostMetrics(h Host) []metric {
	var ms []metric
	if h.Evaluation != nil {
		ms = append(ms, metric{"Up", unitNone, boolValue(h.Available)})
		if age := h.Evaluation.DatabasesAge; age != nil {
			ms = append(ms, metric{"DatabasesAgeHours", unitNone, round2(age.Hours())})
		}
		if left := h.Evaluation.LicenseLeft; left != nil {
			ms = append(ms, metric{"LicenseDaysLeft", unitNone, round2(left.Hours() / 24)})
		}
	}
	return append(ms, metric{"Compliant", unitNone, boolValue(h.Compliant())})
}

func fleetMetrics(c Counts) []metric {
	return []metric{
		{"HostsOK", unitCount, float64(c.OK)},
		{"HostsWarning", unitCount, float64(c.Warning)},
		{"HostsCritical", unitCount, float64(c.Critical)},
		{"HostsUnknown", unitCount, float64(c.Unknown)},
		{"NonCompliant", unitCount, float64(c.NonCompliant)},
	}
}

type emfDirective struct {
	Namespace  string          `json:"Namespace"`
	Dimensions [][]string      `json:"Dimensions"`
	Metrics    []emfDefinition `json:"Metrics"`
}

type emfDefinition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// writeEMF writes one EMF document whose dimension set holds the keys of
// dims, which become string members of the root next to the metric values.
func writeEMF(w io.Writer, namespace string, ts int64, dims map[string]string, ms []metric) error {
	keys := []string{}
	root := map[string]any{}
	for k, v := range dims {
		keys = append(keys, k)
		root[k] = v
	}

	directive := emfDirective{Namespace: namespace, Dimensions: [][]string{keys}}
	for _, m := range ms {
		directive.Metrics = append(directive.Metrics, emfDefinition{m.name, m.unit})
		root[m.name] = m.value
	}
	root["_aws"] = emfMetadata{Timestamp: ts, CloudWatchMetrics: []emfDirective{directive}}

	line, err := json.Marshal(root)
	if err != nil {
		return err
	}
	_, err = w.Write(append(line, '\n'))
	return err
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
