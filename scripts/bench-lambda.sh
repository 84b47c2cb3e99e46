#!/usr/bin/env bash
# Measures the Lambda function. It reports the size of the arm64 bootstrap
# that make build-StatusFunction writes. Under the AWS Lambda Runtime
# Interface Emulator, with a fast kesl-control stand-in, it times init plus
# the first invocation and the warm invocations (p50, p99), once with the
# default cache and once with the cache off. Loopback only. Figures go to
# docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-lambda.sh [invocations]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-200}
rie=bin/aws-lambda-rie
[ -x "$rie" ] || make -s tools

work=$(mktemp -d)
rie_pid=
cleanup() {
	if [ -n "$rie_pid" ]; then kill -KILL -- "-$rie_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"

make -s build-StatusFunction GOARCH=arm64 ARTIFACTS_DIR="$work/arm64"
echo "bootstrap arm64: $(stat -c %s "$work/arm64/bootstrap") bytes"

make -s build-StatusFunction GOARCH="$(go env GOARCH)" ARTIFACTS_DIR="$work/host"
go build -o "$work/standin" ./backends/cli/standin
ln -s "$work/standin" "$work/kesl-control"
echo "scenario=healthy-12.2" >"$work/kesl-control.scenario"
event=function/awslambda/testdata/http-api-default.json

# free_port prints a loopback port on which nothing listens.
free_port() {
	while :; do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
}

# start_rie starts the emulator with the host bootstrap and extra
# environment variables, in a process group of its own.
start_rie() {
	addr=127.0.0.1:$(free_port)
	env -i PATH="$PATH" HOME="$work" AWS_EC2_METADATA_DISABLED=true \
		AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
		KESL_STATUS_BACKEND=cli KESL_STATUS_KESL_CONTROL="$work/kesl-control" "$@" \
		setsid "$rie" --runtime-interface-emulator-address "$addr" \
		--runtime-api-address "127.0.0.1:$(free_port)" "$work/host/bootstrap" \
		>"$work/rie.log" 2>&1 &
	rie_pid=$!
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/${addr/:/\/}") 2>/dev/null && return
		sleep 0.05
	done
	echo "aws-lambda-rie did not listen on $addr" >&2
	exit 1
}

stop_rie() {
	kill -KILL -- "-$rie_pid" 2>/dev/null || true
	wait "$rie_pid" 2>/dev/null || true
	rie_pid=
}

invoke() {
	curl -s -o /dev/null -w '%{time_total}\n' --max-time 60 \
		--data-binary "@$event" "http://$addr/2015-03-31/functions/function/invocations"
}

# percentiles reads seconds, one a line, and prints p50 and p99 in ms.
percentiles() {
	sort -n | awk '{ v[NR] = $1 } END {
		printf "p50 %.2f ms, p99 %.2f ms (n=%d)\n", v[int(NR * 0.50 + 0.5)] * 1000, v[int(NR * 0.99 + 0.5)] * 1000, NR }'
}

for ttl in 5s 0s; do
	start_rie KESL_STATUS_CACHE_TTL="$ttl"
	first=$(invoke)
	init=$(sed -n 's/.*INIT REPORT(durationMs: \([0-9.]*\)).*/\1/p' "$work/rie.log" | head -1)
	echo "CACHE_TTL=$ttl: init + first invocation $(awk -v s="$first" 'BEGIN { printf "%.1f", s * 1000 }') ms (emulator INIT REPORT ${init:-?} ms)"
	for _ in $(seq "$count"); do invoke; done | percentiles | sed "s/^/CACHE_TTL=$ttl: warm invocations /"
	stop_rie
done
