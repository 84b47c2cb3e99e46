#!/usr/bin/env bash
# Measures the two-hop chain of the agent backend in one run: an edge runner
# (agent backend) sends each check to a host runner (CLI backend), which
# runs the kesl-control stand-in. For each pair of cache TTLs, wrk loads the
# host runner directly and then the edge runner with the same settings,
# twice in turn, and prints the load average before each load. Loopback
# only; every load is bounded in time. Figures go to docs/BENCHMARKS.md by
# hand.
#
#   edge 1h, host 1h  both cached: every response comes from a cache
#   edge 0s, host 1h  one agent request per edge check: the cost of the hop
#   edge 0s, host 0s  uncached: one kesl-control run per check
#
# With many connections, concurrent requests share one check. The runs with
# one connection show the latency of a check that nobody shares.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
host=127.0.0.1:18285
edge=127.0.0.1:18286

. scripts/bench-lib.sh

start_chain() { # cache TTL of the edge runner, then of the host runner
	KESL_STATUS_KESL_CONTROL="$work/kesl-control" KESL_STATUS_LISTEN=$host \
		KESL_STATUS_CACHE_TTL=$2 KESL_STATUS_LOG_LEVEL=error bin/kesl-status &
	pids+=("$!")
	wait_for $host
	KESL_STATUS_BACKEND=agent KESL_STATUS_AGENT_URL="http://$host/status" KESL_STATUS_LISTEN=$edge \
		KESL_STATUS_CACHE_TTL=$1 KESL_STATUS_LOG_LEVEL=error bin/kesl-status &
	pids+=("$!")
	wait_for $edge
}

stop_chain() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}

load() { # name, address, connections
	echo "-- $1 (load average $(cut -d' ' -f1 /proc/loadavg))"
	wrk -t"$(($3 < 2 ? 1 : 2))" -c"$3" -d"$duration" --latency "http://$2/status" |
		grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors'
}

echo "== machine"
echo "cpus: $(nproc), $(lscpu | sed -n 's/^Model name: *//p'), $(go version | cut -d' ' -f3)"

measure() { # connections, then the cache TTL of the edge and of the host
	echo "== cache TTL: edge $2, host $3 ($1 connections, $duration each)"
	start_chain "$2" "$3"
	if ! cmp -s <(curl -s "http://$host/status") <(curl -s "http://$edge/status"); then
		echo "the edge runner's body differs from the host runner's" >&2
		exit 1
	fi
	wrk -t1 -c"$1" -d2s "http://$edge/status" >/dev/null # warm-up
	for round in 1 2; do
		load "round $round, direct: host runner" $host "$1"
		load "round $round, two hops: edge runner -> host runner" $edge "$1"
	done
	stop_chain
}

measure "$connections" 1h 1h
measure "$connections" 0s 1h
measure "$connections" 0s 0s
measure 1 0s 1h
measure 1 0s 0s
