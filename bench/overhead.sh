#!/usr/bin/env bash
# The engine's own cost per operation (timing, pg_stat_activity, histogram,
# handing the sample to the recorder, the recorder's INSERTs): the same
# think-time-0 run with loadtest.instrument = on (samples recorded) and off
# (the bare loop: the same transactions by the same workers, only counted),
# interleaved, PAIRS pairs, for 1 and 2 users.  Throughput X = operations /
# wall time of the loadtest_run() call, on both sides: the recorder's work
# counts until its last INSERT, and the fixed costs (launching the workers,
# their start-up, closing the run) are the same on both sides.  Overhead
# per operation = 1e6/X_on - 1e6/X_off microseconds of the run's length;
# per user (what one user's operation costs) multiply by the users.  The
# default of 200,000 operations per user makes a run last about a second
# here: at 20,000 a primary-key run lasts a tenth of a second and the fixed
# costs drown the difference.
# Usage: bench/overhead.sh [ops per user] [pairs]   (USERS_LIST="1 2",
#        PATTERN=read_file_metadata, SKIP_BUILD=1)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

OPS=${1:-200000}
PAIRS=${2:-5}
USERS_LIST=${USERS_LIST:-1 2}
PATTERN=${PATTERN:-read_file_metadata}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54334}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "autovacuum = off" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q -c "VACUUM ANALYZE" -c "CHECKPOINT"

# run <users> <on|off>: operations per second of one run over the wall
# time of the loadtest_run() call; the result tables are emptied after each
# run so that every run inserts into empty tables
run() {
	q -F ' ' <<-SQL
	SET loadtest.instrument = $2;
	SELECT clock_timestamp() AS t0 \gset
	SELECT loadtest_run(users => $1, ops => $OPS, pattern => '$PATTERN', think_time_ms => 0, ramp_up_s => 0) AS id \gset
	SELECT round(((SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = :id)
	              / extract(epoch FROM clock_timestamp() - :'t0'))::numeric, 1);
	TRUNCATE loadtest.sample_log, loadtest.run_users, loadtest.run_operations, loadtest.run_patterns, loadtest.runs;
	SQL
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "run: $OPS operations per user, pattern $PATTERN, think time 0; $PAIRS pairs"
summary=()
for users in $USERS_LIST; do
	run "$users" on >/dev/null	# warm-up
	run "$users" off >/dev/null
	printf '%-5s %-5s %12s %12s %14s\n' users pair "on ops/s" "off ops/s" "overhead us/op"
	ons=() offs=() ovs=()
	for i in $(seq 1 "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then on=$(run "$users" on); off=$(run "$users" off)
		else off=$(run "$users" off); on=$(run "$users" on); fi
		ov=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", 1e6 / a - 1e6 / b }')
		ons+=("$on") offs+=("$off") ovs+=("$ov")
		printf '%-5s %-5s %12s %12s %14s\n' "$users" "$i" "$on" "$off" "$ov"
	done
	mon=$(printf '%s\n' "${ons[@]}" | median)
	moff=$(printf '%s\n' "${offs[@]}" | median)
	mov=$(printf '%s\n' "${ovs[@]}" | median)
	summary+=("$(printf '%-5s %12s %12s %14s %14s' "$users" "$mon" "$moff" "$mov" \
		"$(awk -v o="$mov" -v u="$users" 'BEGIN { printf "%.2f", o * u }')")")
done
echo
printf '%-5s %12s %12s %14s %14s\n' users "median on" "median off" "overhead us/op" "per user us/op"
printf '%s\n' "${summary[@]}"
