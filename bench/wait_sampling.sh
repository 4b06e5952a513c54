#!/usr/bin/env bash
# What the wait sampler costs (1.4): throughput of the same think-time-0
# run with loadtest.wait_sample_interval_ms = 10 (the default: the recorder
# reads each worker's wait_event_info every 10 ms) and 0 (off), in
# alternating rounds (on/off, then off/on) on one throwaway cluster, for
# each operation of OPS_LIST.  Throughput = the run's operations over its
# duration (loadtest.run_summary.throughput_ops_s, from its summaries).
# The result tables are emptied after each run.  Prints every round, the
# medians, the median of the per-round costs and their spread.
# Usage: bench/wait_sampling.sh [seconds per run] [rounds]
#        (USERS=2, OPS_LIST="read_file_metadata read_member_detail",
#         INTERVAL=10, SAMPLES=none, SKIP_BUILD=1, PORT=54336)
# samples => 'none' by default: the sampler's cost alone, without the
# variation of writing millions of sample_log rows per run (SAMPLES=all to
# measure it under that too).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

SECONDS_PER_RUN=${1:-6}
ROUNDS=${2:-8}
USERS=${USERS:-2}
OPS_LIST=${OPS_LIST:-read_file_metadata read_member_detail}
INTERVAL=${INTERVAL:-10}
SAMPLES=${SAMPLES:-none}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54336}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "autovacuum = off" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q -c "VACUUM ANALYZE" -c "CHECKPOINT"

# cpu_watch (bench/cpu_watch.sh): the CPU time of the runs' processes
source "$(dirname "${BASH_SOURCE[0]}")/cpu_watch.sh"

# run <operation> <interval>: ops/s of one run, the wait samples it kept,
# and the CPU ms of its recorder and workers per 1000 operations
run() {
	local out ops_s nsamp total rt wt watcher
	cpu_watch & watcher=$!
	out=$(q -F ' ' <<-SQL
	SET client_min_messages = warning;
	SET loadtest.wait_sample_interval_ms = $2;
	SELECT loadtest_run(users => $USERS, pattern => '$1', think_time_ms => 0,
	                    ramp_up_s => 0, duration => '$SECONDS_PER_RUN seconds', samples => '$SAMPLES') AS id \gset
	SELECT round(throughput_ops_s::numeric), (SELECT coalesce(sum(samples), 0) FROM loadtest.wait_profile w WHERE w.run_id = :id), total_ops
	  FROM loadtest.run_summary WHERE run_id = :id;
	SQL
	)
	sleep 0.2
	kill "$watcher"; wait "$watcher" 2>/dev/null || true
	read -r ops_s nsamp total <<<"$out"
	read -r rt wt <"$DIR/cpu.now"
	echo "$ops_s $nsamp $(awk -v r="$rt" -v w="$wt" -v n="$total" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f %.2f", r * 1e6 / t / n, w * 1e6 / t / n }')"
	q -c "SET client_min_messages = warning" -c "TRUNCATE loadtest.runs CASCADE" -c "CHECKPOINT" >/dev/null
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "run: $USERS users, think time 0, $SECONDS_PER_RUN s per run, samples => '$SAMPLES'; $ROUNDS rounds; interval $INTERVAL ms against 0"
echo "load at start: $(uptime | sed 's/.*load average/load average/')"
summary=() cpu=()
for op in $OPS_LIST; do
	run "$op" "$INTERVAL" >/dev/null	# warm-up
	printf '%-20s %-5s %12s %8s %12s %8s   %s\n' operation round "on ops/s" "samples" "off ops/s" cost "CPU us/op on: recorder, workers; off: recorder, workers"
	ons=() offs=() costs=() rons=() roffs=() wons=() woffs=()
	for i in $(seq 1 "$ROUNDS"); do
		if [ $((i % 2)) = 1 ]; then read -r on ns ron won <<<"$(run "$op" "$INTERVAL")"; read -r off _ roff woff <<<"$(run "$op" 0)"
		else read -r off _ roff woff <<<"$(run "$op" 0)"; read -r on ns ron won <<<"$(run "$op" "$INTERVAL")"; fi
		cost=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", (b - a) * 100 / b }')
		ons+=("$on") offs+=("$off") costs+=("$cost") rons+=("$ron") roffs+=("$roff") wons+=("$won") woffs+=("$woff")
		printf '%-20s %-5s %12s %8s %12s %7s%%   %s, %s; %s, %s\n' "$op" "$i" "$on" "$ns" "$off" "$cost" "$ron" "$won" "$roff" "$woff"
	done
	cpu+=("$(printf '%-20s recorder %s -> %s us/op, workers %s -> %s us/op (medians, off -> on)' "$op" \
		"$(printf '%s\n' "${roffs[@]}" | median)" "$(printf '%s\n' "${rons[@]}" | median)" \
		"$(printf '%s\n' "${woffs[@]}" | median)" "$(printf '%s\n' "${wons[@]}" | median)")")
	mon=$(printf '%s\n' "${ons[@]}" | median)
	moff=$(printf '%s\n' "${offs[@]}" | median)
	mcost=$(printf '%s\n' "${costs[@]}" | median)
	lo=$(printf '%s\n' "${costs[@]}" | sort -g | head -1)
	hi=$(printf '%s\n' "${costs[@]}" | sort -g | tail -1)
	summary+=("$(printf '%-20s %12s %12s %8s%% %18s' "$op" "$mon" "$moff" "$mcost" "$lo% .. $hi%")")
done
echo "load at end: $(uptime | sed 's/.*load average/load average/')"
echo
printf '%-20s %12s %12s %9s %18s\n' operation "median on" "median off" "cost" "rounds' costs"
printf '%s\n' "${summary[@]}"
echo
printf '%s\n' "${cpu[@]}"
