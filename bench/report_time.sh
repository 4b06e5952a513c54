#!/usr/bin/env bash
# How long loadtest_report() takes on a run of SAMPLES samples (1,000,000 by
# default): a synthetic run inserted the way sql/40_report.sql inserts its
# fixed runs (into loadtest.sample_log, with the run's run_operations and
# run_patterns; 100 users of the distributed patterns, every operation, 0.5%
# errors, latencies log-uniform from 0.2 to about 400 ms), or with REAL=1 a
# real think-time-0 run of 10 users of the distributed pattern (about five
# minutes on 2 cores).  Then \timing of loadtest_report(id) TIMES times (the first
# one on a cold backend), and of the views it reads.
# Usage: bench/report_time.sh [samples]   (TIMES=3, REAL=1, SKIP_BUILD=1)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

SAMPLES=${1:-1000000}
TIMES=${TIMES:-3}
USERS=100

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54335}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }

if [ "${REAL:-0}" = 1 ]; then
	ID=$(q -c "SELECT loadtest_run(users => 10, ops => $((SAMPLES / 10)), pattern => 'distributed', think_time_ms => 0, ramp_up_s => 0)")
else
	ID=900001
	OPS=$((SAMPLES / USERS))
	q <<SQL
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern,
                           think_time_ms, ramp_up_s, workers, seed, environment,
                           started_at, ended_at, duration_s)
VALUES ($ID, 'completed', $USERS, $OPS, 'distributed', 0, 0, $USERS, 42, 'development',
        now() - interval '10 minutes', now(), 600);

-- what the run ran, as the recorder keeps it: the built-in operations
-- numbered by name, the patterns by share (as a distributed run numbers
-- them), with the users of this run's split: 40% read_heavy, 25%
-- write_heavy, 25% mixed, 10% file_operations
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT $ID, (row_number() OVER (ORDER BY operation) - 1)::smallint, operation, kind, statements,
       params, variants, builtin, owner, description
  FROM loadtest.operations WHERE builtin;
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT $ID, v.pattern_no, p.pattern, p.weights, v.share * $USERS / 100
  FROM (VALUES (0::smallint, 'read_heavy', 40), (1::smallint, 'mixed', 25),
               (2::smallint, 'write_heavy', 25), (3::smallint, 'file_operations', 10)) v(pattern_no, pattern, share)
  JOIN loadtest.patterns p USING (pattern);

INSERT INTO loadtest.run_users (run_id, user_no, pattern, ops_planned, ops_done)
SELECT $ID, u,
       CASE WHEN u % 20 < 8 THEN 'read_heavy' WHEN u % 20 < 13 THEN 'write_heavy'
            WHEN u % 20 < 18 THEN 'mixed' ELSE 'file_operations' END,
       $OPS, $OPS
  FROM generate_series(1, $USERS) u;

-- every operation in turn (a pseudo-random one per sample); latency
-- 0.2 ms to about 400 ms, log-uniform; one sample in 200 a deadlock
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no,
                                 start_us, latency_us, wait_us, success, sqlstate, message)
SELECT $ID, u.user_no, n, p.pattern_no,
       ((hashint4(n * 7919 + u.user_no) & 2147483647) % 13)::smallint,
       (n - 1) * (600000000::bigint / $OPS) + u.user_no * 1000,
       (200 * exp(random() * 7.6))::bigint,
       (random() * 1000)::bigint,
       NOT err, CASE WHEN err THEN '40P01' END,
       CASE WHEN err THEN 'deadlock detected' END
  FROM loadtest.run_users u
  JOIN loadtest.run_patterns p ON p.run_id = u.run_id AND p.pattern = u.pattern,
       generate_series(1, $OPS) n,
       LATERAL (SELECT (hashint4(n + 31 * u.user_no) & 2147483647) % 200 = 0 AS err) e
 WHERE u.run_id = $ID;
SQL
fi
q -c "VACUUM ANALYZE loadtest.sample_log, loadtest.run_operations, loadtest.run_patterns, loadtest.run_users" -c "CHECKPOINT"

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "run $ID: $(q -c "SELECT count(*) FROM loadtest.samples WHERE run_id = $ID") samples ($( [ "${REAL:-0}" = 1 ] && echo real || echo synthetic))"
# one session: the first call is on a cold backend (catalog caches, PL/pgSQL)
{
	echo '\timing on'
	for i in $(seq 1 "$TIMES"); do echo "SELECT length(loadtest_report($ID)) AS report_chars;"; done
	echo "SELECT * FROM loadtest.run_summary WHERE run_id = $ID;"
	echo "SELECT * FROM loadtest.operation_stats WHERE run_id = $ID;"
	echo "SELECT * FROM loadtest.user_stats WHERE run_id = $ID;"
	echo "SELECT * FROM loadtest.error_stats WHERE run_id = $ID;"
} | q | awk -v t="$TIMES" '
	/^Time:/ { n++; label = n <= t ? "loadtest_report() call " n : (n == t + 1 ? "run_summary" : n == t + 2 ? "operation_stats" : n == t + 3 ? "user_stats" : "error_stats");
	           printf "%-26s %10.1f ms\n", label, $2 }'
