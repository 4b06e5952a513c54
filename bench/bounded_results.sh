#!/usr/bin/env bash
# Bounded results (1.4).  With samples => 'none' a run keeps only its
# summaries (run_histograms, run_errors, run_users, wait_profile, run_plans,
# run_memory, run_db_stats, run_table_stats): this script measures
#  1. the time of loadtest_report() on a run of about 2,000,000 operations
#     against one of about 10,000 (read_file_metadata, 2 users, think time
#     0), both kept with samples => 'none', called alternately TIMES times
#     each in one session after a warm-up call (medians and range);
#  2. what a run keeps, table by table: rows and the sum of pg_column_size
#     of its rows (what a row takes in the heap, compressed or TOASTed
#     values as stored), split into the per-second rows (run_histograms of
#     scope 'second', run_memory) and the rest, for a DURATION-second run of
#     PATTERN (distributed: latencies from 0.1 to 100 ms, the widest bucket
#     spread of the built-in patterns) with samples => 'none', then
#     extrapolated to a 1-hour run;
#  3. the sample_log bytes of the same run with samples => 'all'
#     (pg_total_relation_size of sample_log before and after), per
#     operation and for a 1-hour run at 10,000 ops/s.
# Usage: bench/bounded_results.sh   (TIMES=5, DURATION=20, PATTERN=distributed,
#        USERS=2, SKIP_BUILD=1, PORT=54337)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

TIMES=${TIMES:-5}
DURATION=${DURATION:-20}
PATTERN=${PATTERN:-distributed}
USERS=${USERS:-2}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54337}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q -c "VACUUM ANALYZE" -c "CHECKPOINT"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "load at start: $(uptime | sed 's/.*load average/load average/')"

# 1. report time
SMALL=$(q -c "SELECT loadtest_run(users => 2, ops => 5000, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0, samples => 'none')" | tail -1)
LARGE=$(q -c "SELECT loadtest_run(users => 2, ops => 1000000, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0, samples => 'none')" | tail -1)
q -c "VACUUM ANALYZE" >/dev/null
for id in $SMALL $LARGE; do
	echo "run $id: $(q -c "SELECT total_ops || ' operations in ' || round(duration_s::numeric, 2) || ' s, ' || (SELECT count(*) FROM loadtest.sample_log l WHERE l.run_id = $id) || ' sample_log rows, ' || (SELECT count(*) FROM loadtest.run_histograms h WHERE h.run_id = $id) || ' run_histograms rows' FROM loadtest.run_summary WHERE run_id = $id" | tail -1)"
done
times=$({
	echo '\timing on'
	echo "SELECT length(loadtest_report($SMALL)) AS warm_up;"
	for i in $(seq 1 "$TIMES"); do
		echo "SELECT length(loadtest_report($SMALL)) AS small;"
		echo "SELECT length(loadtest_report($LARGE)) AS large;"
	done
} | q | awk '/^Time:/ { print $2 }' | tail -n +2)
small=$(echo "$times" | awk 'NR % 2 == 1')
large=$(echo "$times" | awk 'NR % 2 == 0')
ms=$(echo "$small" | median); ml=$(echo "$large" | median)
echo "loadtest_report(), ms: small run $(echo $small | tr ' ' '/') (median $ms); large run $(echo $large | tr ' ' '/') (median $ml)"
echo "ratio large / small: $(awk -v a="$ml" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')x"

# 2. what a run keeps with samples => 'none'
TABLES="run_histograms run_errors run_users wait_profile run_plans run_memory run_db_stats run_table_stats"
relsize() { q -c "SELECT sum(pg_total_relation_size(('loadtest.' || t)::regclass)) FROM unnest(string_to_array('$TABLES', ' ')) t" | tail -1; }
q -c "CHECKPOINT" >/dev/null
size_before=$(relsize)
NONE=$(q -c "SELECT loadtest_run(users => $USERS, pattern => '$PATTERN', think_time_ms => 0, ramp_up_s => 0, duration => '$DURATION seconds', samples => 'none')" | tail -1)
read -r ops secs <<<"$(q -F ' ' -c "SELECT total_ops, round(duration_s::numeric, 2) FROM loadtest.run_summary WHERE run_id = $NONE" | tail -1)"
echo
size_after=$(relsize)
echo "run $NONE: $PATTERN, $USERS users, think time 0, $DURATION s, samples => 'none': $ops operations in $secs s ($(awk -v o="$ops" -v s="$secs" 'BEGIN { printf "%.0f", o / s }') ops/s)"
printf '%-16s %-10s %8s %12s %12s\n' table part rows bytes "bytes/row"
q -F ' ' <<SQL | awk '{ printf "%-16s %-10s %8s %12s %12.1f\n", $1, $2, $3, $4, ($3 > 0 ? $4 / $3 : 0) }'
SELECT t, part, count(*), coalesce(sum(b), 0) FROM (
  SELECT 'run_histograms' t, CASE WHEN scope = 'second' THEN 'per-second' ELSE 'fixed' END part, pg_column_size(h.*) b FROM loadtest.run_histograms h WHERE run_id = $NONE
  UNION ALL SELECT 'run_memory', 'per-second', pg_column_size(m.*) FROM loadtest.run_memory m WHERE run_id = $NONE
  UNION ALL SELECT 'run_errors', 'fixed', pg_column_size(e.*) FROM loadtest.run_errors e WHERE run_id = $NONE
  UNION ALL SELECT 'run_users', 'fixed', pg_column_size(u.*) FROM loadtest.run_users u WHERE run_id = $NONE
  UNION ALL SELECT 'wait_profile', 'fixed', pg_column_size(w.*) FROM loadtest.wait_profile w WHERE run_id = $NONE
  UNION ALL SELECT 'run_plans', 'fixed', pg_column_size(p.*) FROM loadtest.run_plans p WHERE run_id = $NONE
  UNION ALL SELECT 'run_db_stats', 'fixed', pg_column_size(d.*) FROM loadtest.run_db_stats d WHERE run_id = $NONE
  UNION ALL SELECT 'run_table_stats', 'fixed', pg_column_size(s.*) FROM loadtest.run_table_stats s WHERE run_id = $NONE
  UNION ALL SELECT 'sample_log', 'rows', pg_column_size(l.*) FROM loadtest.sample_log l WHERE run_id = $NONE
) x GROUP BY t, part ORDER BY t, part;
SQL
read -r fixed persec nsec buckets <<<"$(q -F ' ' <<SQL | tail -1
SELECT (SELECT coalesce(sum(pg_column_size(h.*)), 0) FROM loadtest.run_histograms h WHERE run_id = $NONE AND scope <> 'second')
     + (SELECT coalesce(sum(pg_column_size(e.*)), 0) FROM loadtest.run_errors e WHERE run_id = $NONE)
     + (SELECT coalesce(sum(pg_column_size(u.*)), 0) FROM loadtest.run_users u WHERE run_id = $NONE)
     + (SELECT coalesce(sum(pg_column_size(w.*)), 0) FROM loadtest.wait_profile w WHERE run_id = $NONE)
     + (SELECT coalesce(sum(pg_column_size(p.*)), 0) FROM loadtest.run_plans p WHERE run_id = $NONE)
     + (SELECT coalesce(sum(pg_column_size(d.*)), 0) FROM loadtest.run_db_stats d WHERE run_id = $NONE)
     + (SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM loadtest.run_table_stats s WHERE run_id = $NONE),
       ((SELECT coalesce(sum(pg_column_size(h.*)), 0) FROM loadtest.run_histograms h WHERE run_id = $NONE AND scope = 'second')
        + (SELECT coalesce(sum(pg_column_size(m.*)), 0) FROM loadtest.run_memory m WHERE run_id = $NONE)) / $secs,
       (SELECT count(DISTINCT second) FROM loadtest.run_histograms h WHERE run_id = $NONE AND scope = 'second'),
       (SELECT round(avg(cardinality(latency_buckets) + cardinality(wait_buckets) + cardinality(response_buckets)), 1) FROM loadtest.run_histograms h WHERE run_id = $NONE AND scope = 'second')
SQL
)"
echo "pg_total_relation_size of the 8 tables (heap, TOAST, indexes): grew by $((size_after - size_before)) bytes over the run (whole pages: an upper bound for a run this short)"
echo "fixed part: $fixed bytes; per second of run: $persec bytes ($nsec seconds with rows, $buckets non-empty buckets per second row on average)"
persec=$(awk -v p="$persec" 'BEGIN { printf "%.0f", p }')
echo "1-hour run: $fixed + 3600 x $persec = $(awk -v f="$fixed" -v p="$persec" 'BEGIN { printf "%.0f bytes = %.2f MB", f + 3600 * p, (f + 3600 * p) / 1e6 }')"
# at 10,000 ops/s: the non-empty buckets of a second grow with its
# operations at most in proportion (the expected count of non-empty buckets
# is concave in the operations and 0 at 0), so the per-second bytes at
# 10,000 ops/s are at most (10,000 / this run's rate) times this run's
rate=$(awk -v o="$ops" -v s="$secs" 'BEGIN { print o / s }')
awk -v f="$fixed" -v p="$persec" -v r="$rate" 'BEGIN {
	k = 10000 / r; if (k < 1) k = 1
	printf "1-hour run at 10,000 ops/s: at most %.0f + 3600 x %.0f x %.2f = %.2f MB\n", f, p, k, (f + 3600 * p * k) / 1e6 }'
# the worst case of a second row: every bucket of its three histograms
echo "bound of one second row (3 x 2432 buckets, 4 + 8 bytes each, uncompressed): $((3 * 2432 * 12)) bytes; 1 hour of them: $(awk 'BEGIN { printf "%.1f MB", 3600 * 3 * 2432 * 12 / 1e6 }')"

# 3. the same run with samples => 'all': sample_log bytes
before=$(q -c "SELECT pg_total_relation_size('loadtest.sample_log')" | tail -1)
ALL=$(q -c "SELECT loadtest_run(users => $USERS, pattern => '$PATTERN', think_time_ms => 0, ramp_up_s => 0, duration => '$DURATION seconds', samples => 'all')" | tail -1)
after=$(q -c "SELECT pg_total_relation_size('loadtest.sample_log')" | tail -1)
read -r aops asecs rows <<<"$(q -F ' ' -c "SELECT total_ops, round(duration_s::numeric, 2), (SELECT count(*) FROM loadtest.sample_log l WHERE l.run_id = $ALL) FROM loadtest.run_summary WHERE run_id = $ALL" | tail -1)"
echo
echo "run $ALL: the same with samples => 'all': $aops operations in $asecs s, $rows sample_log rows, sample_log grew by $((after - before)) bytes ($(awk -v d="$((after - before))" -v r="$rows" 'BEGIN { printf "%.1f", d / r }') bytes per row)"
echo "1-hour run at 10,000 ops/s with samples => 'all': 36,000,000 rows x that = $(awk -v d="$((after - before))" -v r="$rows" 'BEGIN { printf "%.2f GB", 36e6 * d / r / 1e9 }')"
echo "load at end: $(uptime | sed 's/.*load average/load average/')"
