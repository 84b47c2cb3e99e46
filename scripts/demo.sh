#!/usr/bin/env bash
# Starts the local runner against the stand-in kesl-control and shows the
# document for a healthy host, then for a host whose licence expired, then
# for a host where KESL is not running. Needs bin/ from `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."

listen=${KESL_STATUS_LISTEN:-127.0.0.1:8085}
work=$(mktemp -d)
trap 'kill "$runner" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# The stand-in reads its scenario from a file beside the path it runs as.
ln -s "$PWD/bin/kesl-control-standin" "$work/kesl-control"
play() { echo "scenario=$1" >"$work/kesl-control.scenario"; }
play healthy-12.2

KESL_STATUS_KESL_CONTROL="$work/kesl-control" KESL_STATUS_LISTEN="$listen" \
	KESL_STATUS_CACHE_TTL=0 bin/kesl-status 2>"$work/runner.log" &
runner=$!

for _ in $(seq 50); do
	grep -q "server started" "$work/runner.log" && break
	if ! kill -0 "$runner" 2>/dev/null; then
		echo "the runner did not start (set KESL_STATUS_LISTEN to a free address):" >&2
		cat "$work/runner.log" >&2
		exit 1
	fi
	sleep 0.1
done

show() {
	echo "== $1: curl -i http://$listen/status"
	curl -si "http://$listen/status"
	echo
}

show "healthy host"
play license-expired
show "licence expired"
play not-running
show "KESL not running"

echo "== runner log"
cat "$work/runner.log"
