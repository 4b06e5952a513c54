#!/usr/bin/env bash
# 4000 simulated users sharing 64 workers (pool_size), think time 5 s, for
# 5 minutes (DURATION to change): does it work, and what does it cost in
# memory?  Samples the proportional set size (PSS, shared pages counted in
# part) of the run's processes every 5 s and prints the peak, with the
# run's own figures, and the p95 of each minute of the run.  CALL=1 starts
# the run with CALL loadtest_run_procedure(...) (the caller holds no
# snapshot during the run) instead of SELECT loadtest_run(...).  Runs
# against the cluster given by PGHOST/PGPORT (default: a throwaway cluster
# of its own; SKIP_BUILD=1 uses the installed build).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

USERS=${USERS:-4000}
POOL=${POOL:-64}
DURATION=${DURATION:-5 minutes}
THINK=${THINK:-5000}

if [ -z "${PGHOST:-}" ]; then
	install_packages postgresql-15 postgresql-server-dev-15 make gcc
	[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null
	start_scratch_cluster "${PGPORT:-54332}" 10000 \
		"max_worker_processes = $((POOL + 8))" "loadtest.progress_interval = 30"
fi
q() { as_server_user psql -X -q -At -U postgres -d postgres "$@"; }

pss_of_run() {
	local total=0 n=0 pid kb
	for pid in $(pgrep -f 'postgres: loadtest (run [0-9]+ worker|recorder)'); do
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
		[ -n "$kb" ] || continue
		total=$((total + kb)); n=$((n + 1))
	done
	echo "$n $total"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB"
echo "run: $USERS users, pool of $POOL workers, think time $THINK ms, duration $DURATION"
ARGS="users => $USERS, pool_size => $POOL, think_time_ms => $THINK, ramp_up_s => 10, duration => '$DURATION'"
if [ "${CALL:-0}" = 1 ]; then START="CALL loadtest_run_procedure($ARGS)"; else START="SELECT loadtest_run($ARGS)"; fi
echo "started with: $START"
q -c "SET loadtest.progress_interval = 30" -c "$START" \
  > /tmp/pool_4000.run 2>&1 &
runner=$!
peak=0; peak_n=0
while kill -0 $runner 2>/dev/null; do
	read -r n kb < <(pss_of_run)
	if [ "$kb" -gt "$peak" ]; then peak=$kb; peak_n=$n; fi
	sleep 5
done
cat /tmp/pool_4000.run
echo "peak PSS of the run's processes: $((peak / 1024)) MB over $peak_n processes ($((peak / (peak_n > 0 ? peak_n : 1))) kB each)"
q -c "SELECT format('run %s: %s, %s operations, %s failed, %s users lost, avg %s ms, p95 %s ms, pool wait avg %s ms p95 %s ms, %s ops/s',
                    run_id, status, total_ops, failed, (SELECT users_lost FROM loadtest.runs r WHERE r.run_id = s.run_id),
                    round(avg_ms::numeric, 2), round(p95_ms::numeric, 2), round(avg_wait_ms::numeric, 2),
                    round(p95_wait_ms::numeric, 2), round(throughput_ops_s::numeric, 1))
      FROM loadtest.run_summary s ORDER BY run_id DESC LIMIT 1"
echo "p95 by minute of the run (ms):"
q -c "SELECT string_agg(format('%s: %s', minute, p95), ', ' ORDER BY minute)
        FROM (SELECT (start_us / 60000000) + 1 AS minute,
                     round((percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us) / 1000.0)::numeric, 2) AS p95
                FROM loadtest.samples WHERE run_id = (SELECT max(run_id) FROM loadtest.runs)
               GROUP BY 1) m"
