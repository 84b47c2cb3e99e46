package compliance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kesl-status/kesl-status/function"
)

// emfLine is one EMF document decoded for checks.
type emfLine struct {
	root      map[string]any
	timestamp float64
	namespace string
	dims      [][]string
	metrics   map[string]string // name to unit
}

// parseEMF decodes every line of out and checks the structure that the
// EMF specification requires of each.
func parseEMF(t *testing.T, out []byte) []emfLine {
	t.Helper()
	var lines []emfLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines = append(lines, decodeEMF(t, sc.Bytes()))
	}
	return lines
}

func decodeEMF(t *testing.T, line []byte) emfLine {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(line, &root); err != nil {
		t.Fatalf("line %s is not a JSON object: %v", line, err)
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		t.Fatalf("line %s has no _aws object", line)
	}
	e := emfLine{root: root, metrics: map[string]string{}}
	if e.timestamp, ok = aws["Timestamp"].(float64); !ok {
		t.Fatalf("_aws.Timestamp of %s is not a number", line)
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) != 1 {
		t.Fatalf("_aws.CloudWatchMetrics of %s is not an array of one directive", line)
	}
	d := directives[0].(map[string]any)
	if len(d) != 3 {
		t.Errorf("directive %v has members other than Namespace, Dimensions and Metrics", d)
	}
	e.namespace, _ = d["Namespace"].(string)

	for _, set := range d["Dimensions"].([]any) {
		var keys []string
		for _, k := range set.([]any) {
			key := k.(string)
			if _, ok := root[key].(string); !ok {
				t.Errorf("dimension %q has no string member in %s", key, line)
			}
			keys = append(keys, key)
		}
		e.dims = append(e.dims, keys)
	}
	for _, m := range d["Metrics"].([]any) {
		def := m.(map[string]any)
		name, unit := def["Name"].(string), def["Unit"].(string)
		if _, ok := root[name].(float64); !ok {
			t.Errorf("metric %q has no numeric member in %s", name, line)
		}
		e.metrics[name] = unit
	}
	return e
}

func TestWriteMetrics(t *testing.T) {
	targets := []Target{
		{"web1", fixed(function.Evaluate(healthyFacts()))},
		{"web2", fixed(function.Evaluate(expiredFacts()))},
		{"down", fixed(function.NotAvailable(function.ReasonNoResponse))},
	}
	r := Run(context.Background(), targets, testOptions())
	r.Hosts = append(r.Hosts, notChecked(deadlineCtx(t), "late"))
	r = newReport(r.Time, r.Hosts)

	var out bytes.Buffer
	if err := WriteMetrics(&out, r, "Test/KESL"); err != nil {
		t.Fatal(err)
	}
	lines := parseEMF(t, out.Bytes())
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 4 hosts and the fleet:\n%s", len(lines), out.Bytes())
	}

	for i, l := range lines {
		if l.timestamp != float64(clock.UnixMilli()) {
			t.Errorf("line %d: Timestamp = %v, want %d", i, l.timestamp, clock.UnixMilli())
		}
		if l.namespace != "Test/KESL" {
			t.Errorf("line %d: Namespace = %q", i, l.namespace)
		}
	}
	for i, name := range []string{"web1", "web2", "down", "late"} {
		if got := lines[i].root["Host"]; got != name {
			t.Errorf("line %d: Host = %v, want %q", i, got, name)
		}
		if !reflect.DeepEqual(lines[i].dims, [][]string{{"Host"}}) {
			t.Errorf("line %d: Dimensions = %v, want [[Host]]", i, lines[i].dims)
		}
	}

	web1 := lines[0]
	wantWeb1 := map[string]any{"Up": 1.0, "DatabasesAgeHours": 6.0, "LicenseDaysLeft": 208.5, "Compliant": 1.0}
	for name, want := range wantWeb1 {
		if got := web1.root[name]; got != want {
			t.Errorf("web1 %s = %v, want %v", name, got, want)
		}
		if web1.metrics[name] != "None" {
			t.Errorf("web1 %s unit = %q, want None", name, web1.metrics[name])
		}
	}

	web2 := lines[1]
	if web2.root["Up"] != 0.0 || web2.root["Compliant"] != 0.0 || web2.root["LicenseDaysLeft"] != -32.5 {
		t.Errorf("web2 = %v, want Up 0, Compliant 0, LicenseDaysLeft -32.5", web2.root)
	}

	down := lines[2]
	for _, name := range []string{"DatabasesAgeHours", "LicenseDaysLeft"} {
		if _, ok := down.root[name]; ok {
			t.Errorf("down has member %s for an N/A value", name)
		}
		if _, ok := down.metrics[name]; ok {
			t.Errorf("down has metric %s for an N/A value", name)
		}
	}
	if down.root["Up"] != 0.0 || down.root["Compliant"] != 0.0 {
		t.Errorf("down = %v, want Up 0 and Compliant 0", down.root)
	}

	late := lines[3]
	if _, ok := late.root["Up"]; ok {
		t.Errorf("late has Up for a host not checked")
	}
	if !reflect.DeepEqual(late.metrics, map[string]string{"Compliant": "None"}) || late.root["Compliant"] != 0.0 {
		t.Errorf("late metrics = %v (%v), want only Compliant 0", late.metrics, late.root)
	}

	fleet := lines[4]
	if !reflect.DeepEqual(fleet.dims, [][]string{{}}) && !reflect.DeepEqual(fleet.dims, [][]string{nil}) {
		t.Errorf("fleet Dimensions = %#v, want [[]]", fleet.dims)
	}
	if _, ok := fleet.root["Host"]; ok {
		t.Error("fleet line has a Host member")
	}
	wantFleet := map[string]float64{"HostsOK": 1, "HostsWarning": 0, "HostsCritical": 2, "HostsUnknown": 1, "NonCompliant": 3}
	for name, want := range wantFleet {
		if got := fleet.root[name]; got != want {
			t.Errorf("fleet %s = %v, want %v", name, got, want)
		}
		if fleet.metrics[name] != "Count" {
			t.Errorf("fleet %s unit = %q, want Count", name, fleet.metrics[name])
		}
	}
	if !bytes.Contains(out.Bytes(), []byte(`"Timestamp":1796385600000`)) {
		t.Errorf("output has no integer Timestamp 1796385600000:\n%s", out.Bytes())
	}
	if !bytes.Contains(out.Bytes(), []byte(`"Dimensions":[[]]`)) {
		t.Errorf("output has no empty dimension set [[]]:\n%s", out.Bytes())
	}
}

func deadlineCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	t.Cleanup(cancel)
	<-ctx.Done()
	return ctx
}
