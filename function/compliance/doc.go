// Package compliance checks status documents against compliance rules and
// reports on a fleet of hosts.
//
// Each rule reads one field of a host's document and gives an Outcome with
// a reason. The status must be "service available", and the databases and
// the licence must be within their age and expiry thresholds. When
// configured, a policy must be applied and the version must be at least a
// minimum. A field that is "N/A" or cannot be parsed makes its rule
// UNKNOWN, never OK. A host's outcome is the worst of its rules, and Run
// checks a list of hosts concurrently within the caller's deadline.
//
// The results go out as a JSON Report, as CloudWatch embedded metric format
// lines (WriteMetrics), and through the Nagios plugin format of the local
// runner's check command.
package compliance
