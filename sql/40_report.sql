--
-- The reporting layer: views, ratings, capacity, stale runs, the report.
-- Fixed data under high run ids; the extension is created by 00_setup.
--
SET lc_numeric TO 'C';		-- to_char() separators: ',' and '.'
SET extra_float_digits TO 0;
\set SHOW_CONTEXT never

-- Run 900001: 10 users of the distributed pattern, 20 operations each; user 10
-- (file_operations) was lost before doing anything.
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern,
                           think_time_ms, ramp_up_s, workers, seed, environment, role_name,
                           started_at, ended_at, duration_s, users_lost, ops_not_done)
VALUES (900001, 'completed', 10, 20, 'distributed', 100, 2.5, 10, 42, 'development', current_user,
        '2026-01-27 10:00:00+00', '2026-01-27 10:00:05+00', 5.0, 1, 20);

-- What the recorder keeps of the run (1.3): its operations, the built-in
-- ones numbered by name, and its patterns numbered by share, with their
-- users; samples refer to both by number.
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT 900001, (row_number() OVER (ORDER BY operation) - 1)::smallint, operation, kind, statements,
       params, variants, builtin, owner, description
  FROM loadtest.operations WHERE builtin;
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT 900001, v.pattern_no, p.pattern, p.weights, v.users
  FROM (VALUES (0::smallint, 'read_heavy', 5), (1::smallint, 'mixed', 2),
               (2::smallint, 'write_heavy', 2), (3::smallint, 'file_operations', 1)) v(pattern_no, pattern, users)
  JOIN loadtest.patterns p USING (pattern);

INSERT INTO loadtest.run_users (run_id, user_no, pattern, ops_planned, ops_done, lost)
SELECT 900001, u,
       CASE WHEN u <= 5 THEN 'read_heavy' WHEN u <= 7 THEN 'write_heavy'
            WHEN u <= 9 THEN 'mixed' ELSE 'file_operations' END,
       20, CASE WHEN u = 10 THEN 0 ELSE 20 END, u = 10
  FROM generate_series(1, 10) u;

-- Users 1-9, operations 1-20: the operation follows op_no % 4 and the pattern;
-- latency is op_no ms, plus 30 ms for search_members; user 6's
-- create_employment deadlocks at op 3 and 7, user 7's create_member at op 1
-- hits a unique violation.  (Into sample_log, by the run's numbers.)
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no,
                                 start_us, latency_us, wait_us, success, sqlstate, message)
SELECT 900001, u.user_no, n, p.pattern_no, ro.operation_no,
       (u.user_no - 1) * 100000 + (n - 1) * 200000,
       n * 1000 + CASE WHEN o.op = 'search_members' THEN 30000 ELSE 0 END, 0,
       err IS NULL, err,
       CASE err WHEN '40P01' THEN 'deadlock detected'
                WHEN '23505' THEN 'duplicate key value violates unique constraint "members_email_key"' END
  FROM loadtest.run_users u
  JOIN loadtest.run_patterns p ON p.run_id = u.run_id AND p.pattern = u.pattern,
       generate_series(1, 20) n,
       LATERAL (SELECT (CASE u.pattern
                         WHEN 'read_heavy' THEN ARRAY['list_organizations', 'read_member_list', 'read_member_detail', 'search_members']
                         WHEN 'write_heavy' THEN ARRAY['read_member_list', 'create_member', 'update_member', 'create_employment']
                         ELSE ARRAY['search_members', 'read_member_list', 'create_member', 'update_employment_status']
                        END)[n % 4 + 1] AS op) o
  JOIN loadtest.run_operations ro ON ro.run_id = 900001 AND ro.operation = o.op,
       LATERAL (SELECT CASE WHEN u.user_no = 6 AND n IN (3, 7) THEN '40P01'
                            WHEN u.user_no = 7 AND n = 1 THEN '23505' END AS err) e
 WHERE u.run_id = 900001 AND NOT u.lost;

-- Since 1.4 the views and the report read the run's summaries, which the
-- recorder writes at the end of a run; for rows written by hand,
-- loadtest.summarize_samples() builds them from sample_log as the recorder
-- would have (internal, superuser only).
SELECT loadtest.summarize_samples(900001);

-- loadtest.samples shows the samples with their names
SELECT pattern, operation, count(*), count(*) FILTER (WHERE NOT success) AS failed
  FROM loadtest.samples WHERE run_id = 900001
 GROUP BY pattern, operation ORDER BY pattern, operation;

-- 180 samples: 1..20 ms nine times, plus 30 ms on the 35 searches.
-- Average (9 * 210 + 35 * 30) / 180 = 16.333 ms; duration: first start 0,
-- last end user 9 op 20 (search): 4.6 s + 50 ms.
SELECT run_id, status, users, total_ops, successful, failed,
       round(success_pct::numeric, 4) AS success_pct,
       duration_s, round(throughput_ops_s::numeric, 4) AS throughput,
       round(avg_ms::numeric, 4) AS avg_ms, median_ms, p95_ms, p99_ms, min_ms, max_ms,
       round(read_share::numeric, 4) AS read_share
  FROM loadtest.run_summary WHERE run_id = 900001;

SELECT operation, kind, ops, round(avg_ms::numeric, 4) AS avg_ms, median_ms, p95_ms,
       max_ms, errors, round(error_pct::numeric, 4) AS error_pct
  FROM loadtest.operation_stats WHERE run_id = 900001 ORDER BY operation;

-- The percentiles come from the merged histograms (1.4): within 0.78% of
-- the exact ones over the samples (percentile_cont; 1.3 printed those).
SELECT x.operation, x.exact_median_ms, x.exact_p95_ms,
       abs(x.median_ms - x.exact_median_ms) <= 0.0078 * x.exact_median_ms AS median_within,
       abs(x.p95_ms - x.exact_p95_ms) <= 0.0078 * x.exact_p95_ms AS p95_within
  FROM (SELECT coalesce(s.operation, '(run)') AS operation,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY s.latency_us) / 1000 AS exact_median_ms,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY s.latency_us) / 1000 AS exact_p95_ms,
               CASE WHEN GROUPING(s.operation) = 0 THEN min(o.median_ms) ELSE min(r.median_ms) END AS median_ms,
               CASE WHEN GROUPING(s.operation) = 0 THEN min(o.p95_ms) ELSE min(r.p95_ms) END AS p95_ms
          FROM loadtest.samples s
          LEFT JOIN loadtest.operation_stats o ON o.run_id = s.run_id AND o.operation = s.operation
          LEFT JOIN loadtest.run_summary r ON r.run_id = s.run_id
         WHERE s.run_id = 900001
         GROUP BY GROUPING SETS ((s.operation), ())) x
 ORDER BY x.operation = '(run)', x.operation;
SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY s.latency_us) / 1000 AS exact_p99_ms,
       abs(min(r.p99_ms) - percentile_cont(0.99) WITHIN GROUP (ORDER BY s.latency_us) / 1000)
           <= 0.0078 * percentile_cont(0.99) WITHIN GROUP (ORDER BY s.latency_us) / 1000 AS p99_within
  FROM loadtest.samples s JOIN loadtest.run_summary r USING (run_id)
 WHERE s.run_id = 900001;

SELECT * FROM loadtest.user_stats WHERE run_id = 900001 ORDER BY user_no;

SELECT * FROM loadtest.error_stats WHERE run_id = 900001 ORDER BY count DESC, sqlstate;

-- Ratings at and around each boundary: a boundary value gets the worse rating.
SELECT v, loadtest_rate_response(v) AS response
  FROM unnest(ARRAY[0, 99.99, 100, 499.99, 500, 999.99, 1000, 5000]::float8[]) v;
SELECT v, loadtest_rate_throughput(v) AS throughput
  FROM unnest(ARRAY[0, 20, 20.01, 50, 50.01, 100, 100.01]::float8[]) v;
SELECT v, loadtest_rate_success(v) AS success
  FROM unnest(ARRAY[0, 90, 90.01, 95, 95.01, 99, 99.01, 100]::float8[]) v;
SELECT loadtest_rate_response(NULL) IS NULL AS null_in_null_out;

-- Capacity: the reference example (50 users at 200 ms, target 500 ms:
-- capacity 125), the edges of the verdicts, no measurable response time.
SELECT * FROM loadtest_capacity(200, 50, 500);
SELECT * FROM loadtest_capacity(200, 50, 500, 125);
SELECT * FROM loadtest_capacity(5, 50);
SELECT * FROM loadtest_capacity(10, 50);
SELECT * FROM loadtest_capacity(0, 50);
SELECT * FROM loadtest_capacity(NULL::float8, 50);
SELECT * FROM loadtest_capacity(100, 0);

-- The report's lines (n: their number), and whether a line is in the
-- verdict's or the recommendations' own words: the explanation and the
-- bottleneck of loadtest_verdict(), the lines under "Recommendations:"
-- (the rows of loadtest_recommendations()); their own tests print those.
CREATE FUNCTION pg_temp.report_lines(run_id bigint, target_ms float8 DEFAULT 500,
                                     target_users integer DEFAULT 4000)
RETURNS TABLE (n bigint, line text, own boolean)
LANGUAGE sql AS $$
WITH t AS (
    SELECT x.n, x.line
      FROM regexp_split_to_table(loadtest_report(run_id, target_ms, target_users), E'\n')
           WITH ORDINALITY AS x(line, n)),
v AS (
    SELECT '   ' || loadtest.one_line(e, 400) AS line
      FROM loadtest_verdict(run_id, target_users, target_ms) v, regexp_split_to_table(v.explanation, E'\n') e
    UNION ALL
    SELECT '   Bottleneck: ' || loadtest.one_line(v.bottleneck, 400)
      FROM loadtest_verdict(run_id, target_users, target_ms) v),
first AS (SELECT min(t.n) AS n FROM t WHERE t.line = 'Recommendations:')
SELECT t.n, t.line, coalesce(t.line IN (SELECT v.line FROM v), false) OR coalesce(t.n > first.n AND t.line ~ '^   ', false)
  FROM t, first
 ORDER BY t.n
$$;

-- The report, without the lines that depend on the installation, nor the
-- verdict's and the recommendations' own words: then, that the report
-- shows each line of the verdict's explanation and each recommendation.
SELECT line FROM pg_temp.report_lines(900001)
 WHERE line !~ '^   (Database|Role|Server|Started)' AND NOT own;
SELECT (SELECT count(*) FROM pg_temp.report_lines(900001) WHERE line ~ '^   - ')
       = (SELECT count(*) FROM loadtest_recommendations(900001)) AS every_recommendation,
       (SELECT bool_and(('   ' || loadtest.one_line(e, 400)) IN (SELECT line FROM pg_temp.report_lines(900001)))
          FROM loadtest_verdict(900001) v, regexp_split_to_table(v.explanation, E'\n') e
         WHERE btrim(e) <> '') AS every_explanation_line;

-- The sections of the report, in their order, each with its lines and its
-- figures (loadtest.report_<section> and loadtest.report_<section>_data):
-- the one list that loadtest_report() and loadtest_report_json() read.
SELECT s.*,
       to_regprocedure(format('loadtest.report_%s(%s)', s.section,
                              CASE WHEN s.takes_targets THEN 'bigint, double precision, integer' ELSE 'bigint' END)) IS NOT NULL AS has_lines,
       to_regprocedure(format('loadtest.report_%s_data(%s)', s.section,
                              CASE WHEN s.takes_targets THEN 'bigint, double precision, integer' ELSE 'bigint' END)) IS NOT NULL AS has_data
  FROM loadtest.report_sections() s ORDER BY s.section_no;
-- the report is its sections' lines, each followed by an empty line, and a rule
SELECT loadtest_report(900001)
       = array_to_string(ARRAY(SELECT l FROM loadtest.report_sections() s,
                                     unnest(loadtest.report_block(loadtest.report_section_lines(s.section, 900001, 500, 4000)))
                                     WITH ORDINALITY AS x(l, k)
                               ORDER BY s.section_no, x.k) || repeat('=', 70), E'\n') AS report_is_its_sections;

-- The report as jsonb: run_id, the targets and a key per section.
SELECT array_agg(k ORDER BY k) AS keys FROM jsonb_object_keys(loadtest_report_json(900001)) k;
SELECT jsonb_pretty(loadtest_report_json(900001) -> 'overall') AS overall;
-- Its figures are the views' (compared as jsonb: float8 in full), with
-- evidence planted for the comparison.
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (900001, 'search_members', 'CPU', 'CPU', 30, 75), (900001, 'search_members', 'IO', 'DataFileRead', 10, 25),
       (900001, 'create_employment', 'Lock', 'transactionid', 3, 100);
INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)
VALUES (900001, 'pg_stat_database', 'blks_hit', 990), (900001, 'pg_stat_database', 'blks_read', 10);
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, idx_scan, total_bytes)
VALUES (900001, 'membership.members', 35, 35000, 45, 1048576);
SET extra_float_digits TO 3;
WITH j AS (SELECT loadtest_report_json(900001) AS j),
     s AS (SELECT to_jsonb(x) AS s FROM loadtest.run_summary x WHERE x.run_id = 900001)
SELECT 'overall' AS section, count(*) AS figures, bool_and(j -> 'overall' -> k = s -> k) AS equal
  FROM j, s, unnest(ARRAY['total_ops', 'successful', 'failed', 'success_pct', 'throughput_ops_s',
                          'read_share', 'retried_ops', 'retries']) k
UNION ALL
SELECT 'response_times', count(*), bool_and(j -> 'response_times' -> k = s -> k)
  FROM j, s, unnest(ARRAY['avg_ms', 'median_ms', 'p95_ms', 'p99_ms', 'min_ms', 'max_ms']) k
UNION ALL
SELECT 'configuration', count(*), bool_and(j -> 'configuration' -> k = (SELECT to_jsonb(r) -> k FROM loadtest.runs r WHERE r.run_id = 900001))
  FROM j, unnest(ARRAY['users', 'ops_per_user', 'pattern', 'think_time_ms', 'ramp_up_s', 'workers', 'seed',
                       'environment', 'started_at', 'ended_at']) k
UNION ALL
SELECT 'operations', count(*), bool_and((e - 'operation_no') = (to_jsonb(o) - 'run_id'))
  FROM j, jsonb_array_elements(j -> 'operations') e
  JOIN loadtest.operation_stats o ON o.run_id = 900001 AND o.operation = e ->> 'operation'
UNION ALL
SELECT 'errors', count(*), bool_and((e - 'operation_no') = (to_jsonb(x) - 'run_id'))
  FROM j, jsonb_array_elements(j -> 'errors') e
  JOIN loadtest.error_stats x ON x.run_id = 900001 AND x.operation = e ->> 'operation'
                             AND x.sqlstate = e ->> 'sqlstate' AND x.message IS NOT DISTINCT FROM e ->> 'message'
UNION ALL
SELECT 'where_time_went', count(*), bool_and(e = to_jsonb(w) - 'run_id')
  FROM j, jsonb_array_elements(j -> 'where_time_went' -> 'events') e
  JOIN loadtest.wait_profile w ON w.run_id = 900001 AND w.operation = e ->> 'operation'
                              AND w.wait_event = e ->> 'wait_event'
UNION ALL
SELECT 'database', count(*), bool_and(j -> 'database' -> 'counters' -> x.stat = to_jsonb(x.value))
  FROM j, loadtest.run_db_stats x WHERE x.run_id = 900001
UNION ALL
SELECT 'over_time', count(*), bool_and(e = to_jsonb(t) - 'run_id')
  FROM j, jsonb_array_elements(j -> 'over_time' -> 'seconds') e
  JOIN loadtest.run_timeline t ON t.run_id = 900001 AND t.second = (e ->> 'second')::integer
UNION ALL
SELECT 'verdict', count(*), bool_and(j -> 'verdict' = to_jsonb(v))
  FROM j, loadtest_verdict(900001, 4000, 500) v
UNION ALL
SELECT 'recommendations', count(*),
       bool_and(j -> 'recommendations' = coalesce((SELECT jsonb_agg(to_jsonb(x)) FROM loadtest_recommendations(900001) x), '[]'))
  FROM j;
SET extra_float_digits TO 0;
-- the guide's formula beside the verdict (a figure of the assessment) is
-- loadtest_capacity()'s
SELECT round((j -> 'capacity_users')::numeric, 4) AS capacity_users,
       round((j -> 'est_response_ms')::numeric, 4) AS est_response_ms,
       (SELECT round(c.capacity_users::numeric, 4) FROM loadtest_capacity(16.333333333333336, 10) c) AS linear
  FROM (SELECT loadtest_report_json(900001) -> 'assessment' -> 'guide_formula' AS j) x;
-- another target: the scaling section and the verdict are for it
SELECT line FROM pg_temp.report_lines(900001, 50, 20)
 WHERE line ~ '^(Scaling|   Verdict|   The reference)';
SELECT j -> 'target_users' AS target_users, j -> 'target_ms' AS target_ms,
       j -> 'assessment' -> 'guide_formula' -> 'target_users' AS formula_users,
       j -> 'verdict' = (SELECT to_jsonb(v) FROM loadtest_verdict(900001, 20, 50) v) AS verdict_for_them
  FROM (SELECT loadtest_report_json(900001, 50, 20) AS j) x;
DELETE FROM loadtest.wait_profile WHERE run_id = 900001;
DELETE FROM loadtest.run_db_stats WHERE run_id = 900001;
DELETE FROM loadtest.run_table_stats WHERE run_id = 900001;

-- A run that is still going: 3 users, 2 samples so far (0.5025 s);
-- target_ms 1 (capacity 1.5 users).
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern,
                           think_time_ms, ramp_up_s, workers, seed, environment, role_name)
VALUES (900002, 'running', 3, 5, 'read_member_detail', 0, 0, 3, 7, 'development', current_user);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT 900002, 0, operation, kind, statements, params, variants, builtin, owner, description
  FROM loadtest.operations WHERE operation = 'read_member_detail';
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
VALUES (900002, 0, 'single_operation', '{"read_member_detail": 1}', 3);
INSERT INTO loadtest.run_users (run_id, user_no, pattern, operation, ops_planned, ops_done)
SELECT 900002, u, 'single_operation', 'read_member_detail', 5, 0 FROM generate_series(1, 3) u;
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no,
                                 start_us, latency_us, wait_us, success)
VALUES (900002, 1, 1, 0, 0, 0, 1500, 0, true),
       (900002, 2, 1, 0, 0, 500000, 2500, 0, true);
-- (the summaries of a run are written when it ends: here, built from the
-- samples of the running run so far)
SELECT loadtest.summarize_samples(900002);

SELECT line FROM pg_temp.report_lines(900002, 1)
 WHERE line !~ '^   (Database|Role|Server|Started)' AND NOT own;

-- Stale runs: one from before the server started, one whose recorder is gone.
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern,
                           think_time_ms, ramp_up_s, workers, seed, environment, role_name,
                           started_at, recorder_pid)
VALUES (900003, 'running', 1, 1, 'mixed', 0, 0, 1, 1, 'development', current_user, '2000-01-01 00:00:00+00', NULL),
       (900004, 'running', 1, 1, 'mixed', 0, 0, 1, 1, 'development', current_user, clock_timestamp(), -1);
SELECT loadtest_mark_stale_runs() >= 2 AS marked;
SELECT run_id, status, message FROM loadtest.runs
 WHERE run_id BETWEEN 900001 AND 900004 ORDER BY run_id;
SELECT loadtest_mark_stale_runs() AS marked_again;

-- The latest run is the default; its header tells why it is not complete.
SELECT line FROM regexp_split_to_table(loadtest_report(), E'\n') AS line
 WHERE line ~ '(REPORT|status|Total Operations|no operations)';

-- Errors.
SELECT loadtest_report(999999999);
SELECT loadtest_report(900001, 0);
SELECT loadtest_report(900001, target_users => 0);
SELECT loadtest_report(900001, target_users => NULL);
SELECT loadtest_report_json(999999999);
SELECT loadtest_report_json(900001, 'NaN');
SELECT loadtest_report_json(900001, target_users => -1);
BEGIN;
DELETE FROM loadtest.runs;
SELECT loadtest_report();
ROLLBACK;
BEGIN;
DELETE FROM loadtest.runs;
SELECT loadtest_report_json();
ROLLBACK;
SELECT loadtest.report_section_lines('no such section', 900001, 500, 4000);

-- The note of the assessment that the throughput measures the simulated
-- demand counts the queueing: the users' share of time thinking is
-- Z / (Z + R + W) (think time, operation, wait), and the note is there
-- only when the wait is small against the operation.  900005: 2 users,
-- 100 ms think time, 2 ms operations; 900006: 40 users sharing 2 workers,
-- queued 1,049 ms for a 6 ms operation (1.4 said "94.34% of their time
-- thinking"); 900007: 2 users waiting 1.5 ms to start a 2 ms operation.
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms, ramp_up_s,
                           workers, seed, environment, role_name, pool_size)
VALUES (900005, 'completed', 2, 10, 'read_heavy', 100, 0, 2, 1, 'development', current_user, NULL),
       (900006, 'completed', 40, 2, 'read_heavy', 100, 0, 2, 1, 'development', current_user, 2),
       (900007, 'completed', 2, 10, 'read_heavy', 100, 0, 2, 1, 'development', current_user, NULL);
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no,
                                 start_us, latency_us, wait_us, success)
SELECT r.run_id, u, n, 0, 0, (n - 1) * r.cycle_us + u * 1000, r.latency_us, r.wait_us, true
  FROM (VALUES (900005, 2, 10, 102000, 2000, 0), (900006, 40, 2, 1155000, 6000, 1049000),
               (900007, 2, 10, 103500, 2000, 1500)) r(run_id, users, ops, cycle_us, latency_us, wait_us),
       generate_series(1, r.users) u, generate_series(1, r.ops) n;
SELECT count(*) AS runs_summarized
  FROM unnest(ARRAY[900005, 900006, 900007]::bigint[]) r, LATERAL loadtest.summarize_samples(r) s;
SELECT r AS run_id, line
  FROM unnest(ARRAY[900005, 900006, 900007]::bigint[]) r,
       LATERAL regexp_split_to_table(loadtest_report(r), E'\n') AS line
 WHERE line ~ '^   (note|As users feel it)';
SELECT r AS run_id, round((j -> 'thinking_pct')::numeric, 4) AS thinking_pct, j -> 'avg_wait_ms' AS avg_wait_ms
  FROM unnest(ARRAY[900005, 900006, 900007]::bigint[]) r,
       LATERAL (SELECT loadtest_report_json(r) -> 'assessment' -> 'demand_bound' AS j) x
 ORDER BY r;

-- Only the test's runs go; the cascade takes their users, operations and
-- patterns, the trigger their samples.
DELETE FROM loadtest.runs WHERE run_id BETWEEN 900001 AND 900007;
SELECT (SELECT count(*) FROM loadtest.run_users WHERE run_id BETWEEN 900001 AND 900007) AS users,
       (SELECT count(*) FROM loadtest.run_operations WHERE run_id BETWEEN 900001 AND 900007) AS operations,
       (SELECT count(*) FROM loadtest.run_patterns WHERE run_id BETWEEN 900001 AND 900007) AS patterns,
       (SELECT count(*) FROM loadtest.sample_log WHERE run_id BETWEEN 900001 AND 900007) AS samples;
RESET lc_numeric;
RESET extra_float_digits;
