#!/usr/bin/env bash
# Do 500 users, one worker each, start on the ramp-up schedule?  Runs
# loadtest_run(users => 500, ops => 5, think_time_ms => 100, ramp_up_s => 10)
# REPEAT times; for each user, how late its first operation started against
# its planned start ((user_no - 1) * ramp_up_us / users): max, p95 and how
# many users were more than 50 ms late (the samples' wait_us of op_no 1 is
# the same figure, kept as a cross-check); then, for the last run, the
# late users by second of planned start.  Background workers take their
# PGPROCs from max_worker_processes, not max_connections: 520 slots cover
# 500 users, the recorder and the server's own workers.
# Usage: bench/startup.sh [users] [ramp_up_s]   (REPEAT=3, SKIP_BUILD=1)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

USERS=${1:-500}
RAMP=${2:-10}
REPEAT=${REPEAT:-3}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54336}" 10000 \
	"max_worker_processes = $((USERS + 20))" "shared_buffers = 512MB" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "run: loadtest_run(users => $USERS, ops => 5, think_time_ms => 100, ramp_up_s => $RAMP), max_worker_processes = $((USERS + 20))"
printf '%-4s %-9s %6s %6s %8s %8s %8s %6s %10s %s\n' \
	run status users lost "max ms" "p95 ms" "p50 ms" ">50ms" "wait max" "(first operation's lateness)"
for i in $(seq 1 "$REPEAT"); do
	id=$(q -c "SELECT loadtest_run(users => $USERS, ops => 5, think_time_ms => 100, ramp_up_s => $RAMP)")
	q -F ' ' -c "
	WITH f AS (
	    SELECT s.start_us - (s.user_no - 1) * (r.ramp_up_s * 1e6)::bigint / r.users AS late_us,
	           s.wait_us
	      FROM loadtest.samples s JOIN loadtest.runs r USING (run_id)
	     WHERE s.run_id = $id AND s.op_no = 1)
	SELECT $i, r.status, (SELECT count(*) FROM f), r.users_lost,
	       round(max(late_us) / 1e3, 1),
	       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY late_us) / 1e3)::numeric, 1),
	       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY late_us) / 1e3)::numeric, 1),
	       count(*) FILTER (WHERE late_us > 50000),
	       round(max(wait_us) / 1e3, 1)
	  FROM f, loadtest.runs r WHERE r.run_id = $id
	 GROUP BY r.status, r.users_lost" |
	while read -r n status users lost max p95 p50 late wmax; do
		printf '%-4s %-9s %6s %6s %8s %8s %8s %6s %10s\n' "$n" "$status" "$users" "$lost" "$max" "$p95" "$p50" "$late" "$wmax"
	done
done

# Where the late ones are: by second of planned start, for the last run.
echo
echo "run $REPEAT by planned start (second of the ramp-up): users, late > 50 ms, max lateness ms"
q -F ' ' -c "
WITH f AS (
    SELECT s.user_no, (s.user_no - 1) * (r.ramp_up_s * 1e6)::bigint / r.users AS planned_us,
           s.start_us - (s.user_no - 1) * (r.ramp_up_s * 1e6)::bigint / r.users AS late_us
      FROM loadtest.samples s JOIN loadtest.runs r USING (run_id)
     WHERE s.run_id = $id AND s.op_no = 1)
SELECT planned_us / 1000000, count(*), count(*) FILTER (WHERE late_us > 50000), round(max(late_us) / 1e3, 1)
  FROM f GROUP BY 1 ORDER BY 1" |
while read -r sec n late max; do printf '  %2ss-%2ss %5s users %4s late, max %8s ms\n' "$sec" "$((sec + 1))" "$n" "$late" "$max"; done
