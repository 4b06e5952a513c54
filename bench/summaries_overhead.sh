#!/usr/bin/env bash
# What recording costs with the 1.4 summaries: the same think-time-0 run
# three ways, in rotating order (round i starts with a different one):
#   all   samples => 'all' (the default): summaries and one sample_log row
#         per operation
#   none  samples => 'none': summaries only (histograms per operation and
#         second, errors, users' figures), no sample_log rows
#   off   loadtest.record_samples = off: nothing handed to the recorder at
#         all (operations counted by the workers)
# Throughput X = operations / wall time of the loadtest_run() call (the
# recorder's work counts until its last write, as in bench/overhead.sh);
# cost = 1 - X / X_off.  The result tables are emptied after each run.
# wait sampling is left at its default (10 ms) on every side.  Each run
# also reports the CPU time of its recorder per operation (utime + stime,
# read from /proc every 0.1 s while the run goes on), which other load on
# the machine moves far less than throughput.
# Usage: bench/summaries_overhead.sh [ops per user] [rounds]
#        (USERS=2, OPS_LIST="read_file_metadata distributed", SKIP_BUILD=1,
#         PORT=54338)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

OPS=${1:-200000}
ROUNDS=${2:-6}
USERS=${USERS:-2}
OPS_LIST=${OPS_LIST:-read_file_metadata distributed}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54338}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "autovacuum = off" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q -c "VACUUM ANALYZE" -c "CHECKPOINT"

# cpu_watch (bench/cpu_watch.sh): the CPU time of the runs' processes
source "$(dirname "${BASH_SOURCE[0]}")/cpu_watch.sh"

# run <pattern> <ops per user> <all|none|off>: ops/s over the call's wall
# time, and the recorder's CPU microseconds per operation
run() {
	local record=on samples=$3 out x n rt wt watcher
	[ "$3" = off ] && { record=off; samples=all; }
	cpu_watch & watcher=$!
	out=$(q -F ' ' <<-SQL
	SET client_min_messages = warning;
	SET loadtest.record_samples = $record;
	SELECT clock_timestamp() AS t0 \gset
	SELECT loadtest_run(users => $USERS, ops => $2, pattern => '$1', think_time_ms => 0, ramp_up_s => 0, samples => '$samples') AS id \gset
	SELECT round(((SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = :id)
	              / extract(epoch FROM clock_timestamp() - :'t0'))::numeric, 1),
	       (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = :id);
	SQL
	)
	sleep 0.2
	kill "$watcher"; wait "$watcher" 2>/dev/null || true
	read -r x n <<<"$out"
	read -r rt wt <"$DIR/cpu.now"
	echo "$x $(awk -v r="$rt" -v n="$n" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", r * 1e6 / t / n }')"
	q -c "SET client_min_messages = warning" -c "TRUNCATE loadtest.runs CASCADE" -c "CHECKPOINT" >/dev/null
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "run: $USERS users, think time 0; $ROUNDS rounds"
echo "load at start: $(uptime | sed 's/.*load average/load average/')"
summary=() cpu=()
for pattern in $OPS_LIST; do
	ops=$OPS
	[ "$pattern" = read_file_metadata ] || ops=$((OPS / 10))	# a mix is about 10x slower
	run "$pattern" "$ops" all >/dev/null	# warm-up
	printf '%-20s %-5s %12s %12s %12s %9s %9s   %s\n' pattern round "all ops/s" "none ops/s" "off ops/s" "all cost" "none cost" "recorder CPU us/op all, none, off"
	alls=() nones=() offs=() call=() cnone=() rall=() rnone=() roff=()
	for i in $(seq 1 "$ROUNDS"); do
		case $((i % 3)) in
		1) order="all none off" ;;
		2) order="none off all" ;;
		0) order="off all none" ;;
		esac
		for v in $order; do read -r "x_$v" "r_$v" <<<"$(run "$pattern" "$ops" "$v")"; done
		ca=$(awk -v a="$x_all" -v b="$x_off" 'BEGIN { printf "%.2f", (1 - a / b) * 100 }')
		cn=$(awk -v a="$x_none" -v b="$x_off" 'BEGIN { printf "%.2f", (1 - a / b) * 100 }')
		alls+=("$x_all") nones+=("$x_none") offs+=("$x_off") call+=("$ca") cnone+=("$cn")
		rall+=("$r_all") rnone+=("$r_none") roff+=("$r_off")
		printf '%-20s %-5s %12s %12s %12s %8s%% %8s%%   %s, %s, %s\n' "$pattern" "$i" "$x_all" "$x_none" "$x_off" "$ca" "$cn" "$r_all" "$r_none" "$r_off"
	done
	range() { printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | paste -sd/ | sed 's#/# .. #'; }
	summary+=("$(printf '%-20s %12s %12s %12s %9s%% %9s%%   all %s, none %s' "$pattern" \
		"$(printf '%s\n' "${alls[@]}" | median)" "$(printf '%s\n' "${nones[@]}" | median)" \
		"$(printf '%s\n' "${offs[@]}" | median)" "$(printf '%s\n' "${call[@]}" | median)" \
		"$(printf '%s\n' "${cnone[@]}" | median)" "$(range "${call[@]}")" "$(range "${cnone[@]}")")")
	cpu+=("$(printf '%-20s recorder CPU per operation (medians): all %s us, none %s us, off %s us' "$pattern" \
		"$(printf '%s\n' "${rall[@]}" | median)" "$(printf '%s\n' "${rnone[@]}" | median)" "$(printf '%s\n' "${roff[@]}" | median)")")
done
echo "load at end: $(uptime | sed 's/.*load average/load average/')"
echo
printf '%-20s %12s %12s %12s %10s %10s   %s\n' pattern "median all" "median none" "median off" "all cost" "none cost" "rounds' costs"
printf '%s\n' "${summary[@]}"
echo
printf '%s\n' "${cpu[@]}"
