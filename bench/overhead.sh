#!/usr/bin/env bash
# The engine's own cost per operation (timing, pg_stat_activity, histogram,
# handing the sample to the recorder, the recorder's INSERTs): the same
# think-time-0 run with loadtest.instrument = on (samples recorded) and off
# (the bare loop: the same transactions by the same workers, only counted),
# interleaved, PAIRS pairs, for 1 and 2 users.  Throughput X = operations /
# runs.duration_s on both sides: from the run's start (before the workers
# are launched) to the last sample's end (on) or to the recorder closing the
# run (off).  Overhead per operation = 1e6/X_on - 1e6/X_off microseconds of
# the run's length; per user (what one user's operation costs its worker)
# multiply by the users.
# Usage: bench/overhead.sh [ops per user] [pairs]   (USERS_LIST="1 2",
#        PATTERN=read_file_metadata, SKIP_BUILD=1)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

OPS=${1:-20000}
PAIRS=${2:-5}
USERS_LIST=${USERS_LIST:-1 2}
PATTERN=${PATTERN:-read_file_metadata}
PORT=${PORT:-54334}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

DIR=$(scratch_dir)
trap 'as_server_user pg_ctl -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
as_server_user initdb -D "$DIR/data" -A trust -U postgres >/dev/null
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$DIR'
max_worker_processes = 32
shared_buffers = 512MB
autovacuum = off
loadtest.progress_interval = 0
CONF
as_server_user pg_ctl -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
q() { as_server_user psql -X -q -At -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres "$@"; }
q -c "CREATE EXTENSION loadtest" -c "SELECT loadtest_seed(10000)" >/dev/null
q -c "VACUUM ANALYZE" -c "CHECKPOINT"

# run <users> <on|off>: operations per second of one run; the result tables
# are emptied after each run so that every run inserts into empty tables
run() {
	local id
	id=$(q -c "SET loadtest.instrument = $2" \
	       -c "SELECT loadtest_run(users => $1, ops => $OPS, pattern => '$PATTERN', think_time_ms => 0, ramp_up_s => 0)" | tail -1)
	q -c "SELECT round(((SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id) / r.duration_s)::numeric, 1)
	        FROM loadtest.runs r WHERE r.run_id = $id" \
	  -c "TRUNCATE loadtest.samples, loadtest.run_users, loadtest.runs"
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
