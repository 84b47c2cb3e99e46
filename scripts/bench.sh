#!/usr/bin/env bash
# Measures the local runner against a bare net/http baseline in one run:
# cached GET /status throughput and latency (wrk, same settings for both),
# kesl-control runs for 50 concurrent requests on a cold cache, the runner's
# peak RSS, and the Go benchmarks of the uncached check. Loopback only;
# every load is bounded in time. Figures go to docs/BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
ours=127.0.0.1:18185
bare=127.0.0.1:18186

. scripts/bench-lib.sh
go build -o bin/bareserver ./scripts/bareserver

start_runner() { # ttl, then extra scenario lines
	local ttl=$1
	shift
	printf '%s\n' "$@" >"$work/kesl-control.scenario"
	KESL_STATUS_KESL_CONTROL="$work/kesl-control" KESL_STATUS_LISTEN=$ours \
		KESL_STATUS_CACHE_TTL=$ttl KESL_STATUS_LOG_LEVEL=error bin/kesl-status &
	runner=$!
	pids+=("$runner")
	wait_for $ours
}

stop_runner() {
	kill "$runner"
	wait "$runner" 2>/dev/null || true
}

echo "== machine"
echo "cpus: $(nproc), $(lscpu | sed -n 's/^Model name: *//p'), $(go version | cut -d' ' -f3)"

echo "== cached GET /status: kesl-status vs bare net/http ($connections connections, $duration each, 2 rounds)"
start_runner 1h scenario=healthy-12.2
curl -s "http://$ours/status" >"$work/body"
bin/bareserver -listen $bare -body "$work/body" &
pids+=("$!")
wait_for $bare
wrk -t2 -c"$connections" -d2s "http://$ours/status" >/dev/null # warm-up
wrk -t2 -c"$connections" -d2s "http://$bare/status" >/dev/null
for round in 1 2; do
	for target in bare:$bare kesl-status:$ours; do
		name=${target%%:*}
		addr=${target#*:}
		echo "-- round $round: $name"
		wrk -t2 -c"$connections" -d"$duration" --latency "http://$addr/status" |
			grep -E 'Requests/sec|^ +50%|^ +99%'
	done
done
echo "-- runner peak RSS: $(grep VmHWM /proc/$runner/status | awk '{print $2, $3}')"
stop_runner

echo "== 50 concurrent requests on a cold cache (stand-in takes 300ms)"
: >"$work/runs"
start_runner 5s scenario=healthy-12.2 delay=300ms "count_file=$work/runs"
: >"$work/runs" # wait_for's own request ran once
sleep 5.1       # let that result expire
seq 50 | xargs -P50 -I{} curl -s -o /dev/null "http://$ours/status"
echo "kesl-control runs: $(wc -l <"$work/runs")"
stop_runner

echo "== uncached check: our overhead beyond the child's own run time"
go test -run '^$' -bench '^(BenchmarkStatus|BenchmarkStandInRun)$' -benchtime 200x -count 3 ./backends/cli
echo "== handler core"
go test -run '^$' -bench . -benchmem ./function/
