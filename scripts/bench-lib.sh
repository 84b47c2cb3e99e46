# Shared set-up of the load benchmarks, sourced by bench.sh and
# bench-agent.sh from the top of the checkout: installs wrk when missing,
# builds the binaries, makes $work with the stand-in linked as
# $work/kesl-control, and defines wait_for. Processes added to pids are
# killed on exit.

if ! command -v wrk >/dev/null; then
	echo "wrk is missing; installing it from Debian's packages" >&2
	apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
fi

make -s build

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

ln -s "$PWD/bin/kesl-control-standin" "$work/kesl-control"
echo scenario=healthy-12.2 >"$work/kesl-control.scenario"

# wait_for waits up to 5 s until a server responds on /status on host:port $1.
wait_for() {
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://$1/status" && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	return 1
}
