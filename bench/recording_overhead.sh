#!/usr/bin/env bash
# What recording costs: throughput of think-time-0 runs with samples stored
# (loadtest.record_samples = on) against the same runs with samples only
# counted (off), interleaved, on one throwaway cluster.  Prints each pair
# and the median overhead.  Usage: bench/recording_overhead.sh [users] [ops] [pairs]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

USERS=${1:-2}
OPS=${2:-20000}
PAIRS=${3:-5}
PATTERN=${PATTERN:-distributed}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54331}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }

run() {
	q -c "SET loadtest.record_samples = $1" \
	  -c "SELECT loadtest_run(users => $USERS, ops => $OPS, pattern => '$PATTERN', think_time_ms => 0, ramp_up_s => 0)" \
	  -c "SELECT round(($USERS * $OPS) / duration_s) FROM loadtest.runs WHERE run_id = (SELECT max(run_id) FROM loadtest.runs)" | tail -1
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "run: $USERS users x $OPS ops, pattern $PATTERN, think time 0"
run on >/dev/null	# warm-up
printf '%-6s %12s %12s %10s\n' pair "recorded/s" "counted/s" overhead
overheads=()
for i in $(seq 1 "$PAIRS"); do
	with=$(run on)
	without=$(run off)
	pct=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f", (b - a) * 100 / b }')
	overheads+=("$pct")
	printf '%-6s %12s %12s %9s%%\n' "$i" "$with" "$without" "$pct"
done
median=$(printf '%s\n' "${overheads[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median recording overhead: ${median}%"
