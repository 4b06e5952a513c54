-- The evidence of a run (1.4, issue #10), by invariants:
--   - the log-linear histograms: buckets and their values round trip, the
--     aggregate's percentiles agree with percentile_cont on fixed data
--     (within 1%, exact below 128 us), rows merge, malformed rows and
--     NULLs are skipped, bad fractions are refused;
--   - real runs: the views' percentiles agree with percentile_cont over
--     the run's samples within 1%, counts exactly; the timeline and the
--     errors add up to the run's;
--   - samples => 'none' | 'errors' | a fraction: sample_log keeps what it
--     says, the totals stay the run's; bad values are refused before
--     anything starts;
--   - the wait sampler off; the counters agree with the run; the plans of
--     a defined operation flip to a sequential scan when its index is
--     dropped, and the run flags it; the memory and stability verdicts on
--     synthetic series; the report's new sections.
-- (The wait sampler's shares on real runs and the pg_wait_sampling witness
-- are in test/t/020_evidence.pl: they need runs of seconds.)
\set VERBOSITY default
SET loadtest.progress_interval = 0;

-- An error as "SQLSTATE: message", so that the code is in the output.
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

SELECT loadtest_seed(2000) LIKE 'seeded 2000 members, %' AS seeded;
-- the runs of this file are those not there now (earlier files plant
-- rows with run ids of their choosing)
CREATE TEMP TABLE runs_before_file AS SELECT run_id FROM loadtest.runs;

-- ===========================================================================
-- Histograms
-- ===========================================================================

-- Below 128 us a bucket per microsecond, its value exact; negative values
-- in bucket 0, 2^43 us and beyond in the last bucket.
SELECT bool_and(loadtest.histogram_bucket(v) = v) AS linear_buckets,
       bool_and(loadtest.histogram_bucket_value(v::integer) = v) AS exact_values
  FROM generate_series(0, 127) AS v;
SELECT loadtest.histogram_bucket(-1) AS minus_one,
       loadtest.histogram_bucket(-9223372036854775808) AS most_negative,
       loadtest.histogram_bucket(128) AS v128,
       loadtest.histogram_bucket(8796093022207) AS below_2_43,
       loadtest.histogram_bucket(8796093022208) AS at_2_43,
       loadtest.histogram_bucket(9223372036854775807) AS largest,
       loadtest.histogram_bucket(NULL) IS NULL AS strict;
-- Above: 64 buckets per power of two.  For every bucket its lowest and
-- highest values fall into it, their neighbours into the buckets next to
-- it, and its value is within 1/128 of both (so within 0.78% of every
-- value in it); the values increase with the buckets.
WITH b AS (
    SELECT b, e, sub,
           (2::numeric ^ e + sub * 2::numeric ^ (e - 6))::bigint AS low,
           (2::numeric ^ e + (sub + 1) * 2::numeric ^ (e - 6))::bigint - 1 AS high
      FROM generate_series(128, 2431) AS b,
           LATERAL (SELECT (b - 128) / 64 + 7 AS e, (b - 128) % 64 AS sub) x)
SELECT count(*) AS buckets,
       bool_and(loadtest.histogram_bucket(low) = b AND loadtest.histogram_bucket(high) = b) AS edges_inside,
       bool_and(loadtest.histogram_bucket(low - 1) = b - 1) AS below_is_previous,
       bool_and(b = 2431 OR loadtest.histogram_bucket(high + 1) = b + 1) AS above_is_next,
       bool_and(loadtest.histogram_bucket_value(b) >= low AND loadtest.histogram_bucket_value(b) <= high) AS value_inside,
       max(greatest(abs(loadtest.histogram_bucket_value(b) - low) / low,
                    abs(loadtest.histogram_bucket_value(b) - high) / high)) <= 1.0 / 128 AS within_1_128,
       bool_and(loadtest.histogram_bucket(loadtest.histogram_bucket_value(b)::bigint) = b) AS value_round_trips
  FROM b;
SELECT bool_and(loadtest.histogram_bucket_value(b) > loadtest.histogram_bucket_value(b - 1)) AS increasing
  FROM generate_series(1, 2431) AS b;
SELECT pg_temp.err('SELECT loadtest.histogram_bucket_value(-1)') AS below_range;
SELECT pg_temp.err('SELECT loadtest.histogram_bucket_value(2432)') AS above_range;

-- Fixed data: 20,000 values skewed from 1 us to 10 s (most of them small,
-- a long tail), and their histogram as run_histograms keeps it.
CREATE TEMP TABLE hv AS
SELECT i, greatest(1, round(exp(ln(1e7) * power(i / 20000.0, 1.5))))::bigint AS v
  FROM generate_series(1, 20000) AS i;
SELECT count(*) AS values, min(v), max(v), count(*) FILTER (WHERE v < 128) AS below_128
  FROM hv;
CREATE TEMP TABLE hrow AS
SELECT array_agg(b ORDER BY b) AS buckets, array_agg(n ORDER BY b) AS counts
  FROM (SELECT loadtest.histogram_bucket(v) AS b, count(*) AS n FROM hv GROUP BY 1) x;
-- within 1% of percentile_cont (0.78% by construction) at 0.5, 0.95,
-- 0.99; 0 and 1 give the buckets of the smallest and the largest value
WITH h AS (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99, 0, 1]) AS p FROM hrow),
     e AS (SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY v) AS p FROM hv)
SELECT e.p[1] > 127 AND e.p[2] > 1e5 AS spans_the_range,
       abs(h.p[1] - e.p[1]) <= 0.01 * e.p[1] AS p50_within_1pct,
       abs(h.p[2] - e.p[2]) <= 0.01 * e.p[2] AS p95_within_1pct,
       abs(h.p[3] - e.p[3]) <= 0.01 * e.p[3] AS p99_within_1pct,
       h.p[4] = 1 AS p0_is_min,
       h.p[5] = loadtest.histogram_bucket_value(loadtest.histogram_bucket(10000000)) AS p100_is_max_bucket
  FROM h, e;
-- every percentile from 0.01 to 0.99 within 1%
WITH f AS (SELECT array_agg(x / 100.0 ORDER BY x)::float8[] AS f FROM generate_series(1, 99) AS x),
     h AS (SELECT loadtest.histogram_percentiles(buckets, counts, f.f) AS p FROM hrow, f GROUP BY f.f),
     e AS (SELECT percentile_cont(f.f) WITHIN GROUP (ORDER BY v) AS p FROM hv, f GROUP BY f.f)
SELECT count(*) AS fractions, bool_and(abs(hp - ep) <= 0.01 * ep) AS all_within_1pct
  FROM h, e, unnest(h.p, e.p) AS u(hp, ep);
-- below 128 us the percentiles are exactly percentile_cont's
CREATE TEMP TABLE small AS SELECT (i * i + 7 * i) % 128 AS v FROM generate_series(1, 1001) AS i;
WITH f AS (SELECT ARRAY[0, 0.1, 0.25, 1.0 / 3, 0.5, 0.9, 0.95, 0.99, 0.999, 1]::float8[] AS f),
     h AS (SELECT loadtest.histogram_percentiles(ARRAY[loadtest.histogram_bucket(v)], ARRAY[1::bigint], f.f) AS p
             FROM small, f GROUP BY f.f),
     e AS (SELECT percentile_cont(f.f) WITHIN GROUP (ORDER BY v) AS p FROM small, f GROUP BY f.f)
SELECT h.p = e.p AS exact_below_128 FROM h, e;
-- merging: the rows of three parts of the data give what one row with the
-- summed counts gives, and what one row per value gives
CREATE TEMP TABLE hparts AS
SELECT part, array_agg(b ORDER BY b) AS buckets, array_agg(n ORDER BY b) AS counts
  FROM (SELECT i % 3 AS part, loadtest.histogram_bucket(v) AS b, count(*) AS n FROM hv GROUP BY 1, 2) x
 GROUP BY part;
SELECT (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99]) FROM hparts)
     = (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99]) FROM hrow) AS parts_merge,
       (SELECT loadtest.histogram_percentiles(ARRAY[loadtest.histogram_bucket(v)], ARRAY[1::bigint], ARRAY[0.5, 0.95, 0.99]) FROM hv)
     = (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99]) FROM hrow) AS values_merge;
-- malformed rows are skipped whole, NULL arrays skipped: the result is
-- that of the good rows alone
CREATE TEMP TABLE hbad (buckets integer[], counts bigint[]);
INSERT INTO hbad VALUES
    (NULL, NULL),
    ('{1,2}', NULL),
    (NULL, '{1,2}'),
    ('{1,2,3}', '{5,5}'),                          -- lengths differ
    ('{-1}', '{100}'),                             -- bucket out of range
    ('{2432}', '{100}'),
    ('{5}', '{-100}'),                             -- negative count
    ('{5,NULL}', '{100,100}'),                     -- NULL elements
    ('{5,6}', '{100,NULL}'),
    ('{{5,6},{7,8}}', '{{1,1},{1,1}}'),            -- two dimensions
    ('{5,6}', '{9223372036854775807,1}'),          -- counts beyond bigint
    ('{}', '{}');
SELECT (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99])
          FROM (SELECT buckets, counts FROM hbad UNION ALL SELECT buckets, counts FROM hrow) x)
     = (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99]) FROM hrow) AS bad_rows_skipped,
       (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99])
          FROM (SELECT buckets, counts FROM hrow UNION ALL SELECT buckets, counts FROM hbad) x)
     = (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5, 0.95, 0.99]) FROM hrow) AS bad_rows_after_skipped,
       (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5]) FROM hbad) IS NULL AS only_bad_rows_null;
-- no values: NULL (no rows, empty rows, zero counts)
SELECT (SELECT loadtest.histogram_percentiles(buckets, counts, ARRAY[0.5]) FROM hrow WHERE false) IS NULL AS no_rows,
       loadtest.histogram_percentiles('{}', '{}', ARRAY[0.5]) IS NULL AS empty_row,
       loadtest.histogram_percentiles('{10,20}', '{0,0}', ARRAY[0.5]) IS NULL AS zero_counts;
-- the fractions of the first row are used
SELECT loadtest.histogram_percentiles(buckets, counts, fractions) AS first_rows_fractions
  FROM (VALUES (1, '{10}'::integer[], '{3}'::bigint[], ARRAY[0, 1]::float8[]),
               (2, '{20}', '{1}', ARRAY[0.5]::float8[])) x(k, buckets, counts, fractions);
-- bad fractions: errors with their SQLSTATE
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', ARRAY[1.5])$$) AS above_1;
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', ARRAY[0.5, -0.1])$$) AS negative;
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', ARRAY['NaN']::float8[])$$) AS nan;
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', ARRAY[0.5, NULL])$$) AS null_element;
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', NULL)$$) AS null_fractions;
SELECT pg_temp.err($$SELECT loadtest.histogram_percentiles('{10}', '{1}', '{{0.5},{0.9}}')$$) AS two_dimensions;

-- ===========================================================================
-- A real run: the views against the run's samples
-- ===========================================================================

-- a mixed run of 4 users x 150 operations, every sample kept
SELECT loadtest_run(users => 4, ops => 150, pattern => 'mixed',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT status, samples, wait_sample_interval_ms FROM loadtest.runs WHERE run_id = :run_id;
-- the summary: counts exactly, percentiles within 1% of percentile_cont
WITH e AS (SELECT count(*) AS ops, count(*) FILTER (WHERE NOT success) AS failed,
                  percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_us) AS p,
                  avg(latency_us) AS avg_us, min(latency_us) AS min_us, max(latency_us) AS max_us
             FROM loadtest.sample_log WHERE run_id = :run_id)
SELECT e.ops AS samples, s.total_ops = e.ops AS total_ops, s.failed = e.failed AS failed,
       s.successful = e.ops - e.failed AS successful,
       abs(s.median_ms * 1000 - e.p[1]) <= 0.01 * e.p[1] AS median_within_1pct,
       abs(s.p95_ms * 1000 - e.p[2]) <= 0.01 * e.p[2] AS p95_within_1pct,
       abs(s.p99_ms * 1000 - e.p[3]) <= 0.01 * e.p[3] AS p99_within_1pct,
       abs(s.avg_ms * 1000 - e.avg_us) <= 1e-6 * e.avg_us AS avg_exact,
       round(s.min_ms * 1000) = e.min_us AND round(s.max_ms * 1000) = e.max_us AS min_max_exact
  FROM loadtest.run_summary s, e WHERE s.run_id = :run_id;
-- per operation
WITH e AS (SELECT operation, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors,
                  percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_us) AS p,
                  max(latency_us) AS max_us
             FROM loadtest.samples WHERE run_id = :run_id GROUP BY operation)
SELECT count(*) AS operations,
       count(*) = (SELECT count(*) FROM loadtest.operation_stats WHERE run_id = :run_id) AS one_row_each,
       bool_and(o.ops = e.ops AND o.errors = e.errors) AS counts_exact,
       bool_and(abs(o.median_ms * 1000 - e.p[1]) <= 0.01 * e.p[1]) AS median_within_1pct,
       bool_and(abs(o.p95_ms * 1000 - e.p[2]) <= 0.01 * e.p[2]) AS p95_within_1pct,
       bool_and(round(o.max_ms * 1000) = e.max_us) AS max_exact
  FROM e JOIN loadtest.operation_stats o ON o.run_id = :run_id AND o.operation = e.operation;
-- per user
WITH e AS (SELECT user_no, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us) AS p95, avg(latency_us) AS avg_us
             FROM loadtest.sample_log WHERE run_id = :run_id GROUP BY user_no)
SELECT count(*) AS users,
       bool_and(u.ops = e.ops AND u.errors = e.errors) AS counts_exact,
       bool_and(abs(u.p95_ms * 1000 - e.p95) <= 0.01 * e.p95) AS p95_within_1pct,
       bool_and(abs(u.avg_ms * 1000 - e.avg_us) <= 1e-6 * e.avg_us) AS avg_exact
  FROM e JOIN loadtest.user_stats u ON u.run_id = :run_id AND u.user_no = e.user_no;
-- the timeline: each second's operations are those that started in it,
-- its p95 within 1%; it adds up to the run
WITH e AS (SELECT start_us / 1000000 AS second, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us) AS p95
             FROM loadtest.sample_log WHERE run_id = :run_id GROUP BY 1)
SELECT count(*) = (SELECT count(*) FROM loadtest.run_timeline WHERE run_id = :run_id) AS one_row_per_second,
       bool_and(t.ops = e.ops AND t.errors = e.errors) AS seconds_exact,
       bool_and(abs(t.p95_ms * 1000 - e.p95) <= 0.01 * e.p95) AS p95_within_1pct
  FROM e JOIN loadtest.run_timeline t ON t.run_id = :run_id AND t.second = e.second;
SELECT sum(t.ops) = s.total_ops AS ops_add_up, sum(t.errors) = s.failed AS errors_add_up,
       bool_and(t.active_users BETWEEN 1 AND 4) AS active_users_sane
  FROM loadtest.run_timeline t JOIN loadtest.run_summary s USING (run_id)
 WHERE t.run_id = :run_id GROUP BY s.total_ops, s.failed;

-- the first start and last end of each operation's row, exactly
SELECT bool_and(h.first_start_us = e.first_start AND h.last_end_us = e.last_end
                AND h.latency_min_us = e.min_us AND h.latency_max_us = e.max_us) AS extremes_exact,
       count(*) = (SELECT count(DISTINCT operation_no) FROM loadtest.sample_log WHERE run_id = :run_id) AS one_row_per_operation
  FROM loadtest.run_histograms h
  JOIN (SELECT operation_no, min(start_us) AS first_start, max(start_us + latency_us) AS last_end,
               min(latency_us) AS min_us, max(latency_us) AS max_us
          FROM loadtest.sample_log WHERE run_id = :run_id GROUP BY operation_no) e USING (operation_no)
 WHERE h.run_id = :run_id AND h.scope = 'operation';

-- a pooled run: 20 users share 2 workers; the waits for a worker from
-- their own histograms, within 1% (exact below 128 us)
SELECT loadtest_run(users => 20, pool_size => 2, ops => 10, pattern => 'read_member_list',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
WITH e AS (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY wait_us) AS p95, avg(wait_us) AS avg_us,
                  max(wait_us) AS max_us, count(*) FILTER (WHERE wait_us > 10000) AS late
             FROM loadtest.sample_log WHERE run_id = :run_id)
SELECT e.p95 > 0 AS waited,
       abs(s.p95_wait_ms * 1000 - e.p95) <= 0.01 * e.p95 AS p95_wait_within_1pct,
       abs(s.avg_wait_ms * 1000 - e.avg_us) <= 1e-6 * e.avg_us AS avg_wait_exact,
       round(s.max_wait_ms * 1000) = e.max_us AS max_wait_exact,
       s.late_starts = e.late AS late_starts_exact
  FROM e, loadtest.run_summary s WHERE s.run_id = :run_id;

-- a staged run: the rows of each stage and operation have the samples
-- that started in the stage
SELECT loadtest_run(users => 4, pool_size => 2,
                    stages => '[{"rate": 100, "duration": "1 s"}, {"rate": 100, "duration": "1 s"}]') AS run_id \gset
WITH st AS (SELECT (e.v ->> 'stage')::int AS stage, (e.v ->> 'start_s')::float8 * 1e6 AS start_us,
                   (e.v ->> 'end_s')::float8 * 1e6 AS end_us
              FROM loadtest.runs r, jsonb_array_elements(r.stages) e(v) WHERE r.run_id = :run_id),
     e AS (SELECT st.stage, sl.operation_no, count(*) AS ops, count(*) FILTER (WHERE NOT sl.success) AS errors,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY sl.latency_us) AS p95
             FROM loadtest.sample_log sl JOIN st ON sl.start_us >= st.start_us AND sl.start_us < st.end_us
            WHERE sl.run_id = :run_id GROUP BY 1, 2),
     h AS (SELECT stage, operation_no, ops, errors,
                  (loadtest.histogram_percentiles(latency_buckets, latency_counts, ARRAY[0.95])
                     OVER (PARTITION BY stage, operation_no))[1] AS p95
             FROM loadtest.run_histograms WHERE run_id = :run_id AND scope = 'stage')
SELECT count(DISTINCT e.stage) AS stages,
       count(*) = (SELECT count(*) FROM h) AND count(*) = (SELECT count(*) FROM e) AS same_groups,
       bool_and(h.ops = e.ops AND h.errors = e.errors) AS counts_exact,
       bool_and(abs(h.p95 - e.p95) <= 0.01 * e.p95) AS p95_within_1pct,
       (SELECT sum(ops) FROM h) = (SELECT count(*) FROM loadtest.sample_log WHERE run_id = :run_id) AS add_up
  FROM e JOIN h USING (stage, operation_no);

-- ===========================================================================
-- Errors, and samples => ...
-- ===========================================================================

-- Every fourth new contact is refused (a sequence counts the inserts, so
-- exactly a quarter of a run's operations fail): every eighth with
-- check_violation and one of 20 messages (of 400 inserts, 10 messages 3
-- times and 10 twice: run_errors keeps the 10 most frequent, the others
-- in its row without a message), the others with P0001 and one of 10
-- messages (the inserts' count: deterministic, all 10 kept).
CREATE SCHEMA ev;
CREATE SEQUENCE ev.contact_no;
CREATE FUNCTION ev.refuse_some() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint := nextval('ev.contact_no');
BEGIN
    IF n % 8 = 0 THEN
        RAISE EXCEPTION 'contact not wanted (%)', n / 8 % 20 USING ERRCODE = 'check_violation';
    ELSIF n % 4 = 0 THEN
        RAISE EXCEPTION 'contact % refused', n / 8 % 10 USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER refuse_some BEFORE INSERT ON membership.organization_contacts
    FOR EACH ROW EXECUTE FUNCTION ev.refuse_some();

SELECT loadtest_run(users => 2, ops => 200, pattern => 'create_organization_contact',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT status, samples FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS samples, count(*) FILTER (WHERE NOT success) AS failed,
       count(*) FILTER (WHERE sqlstate = '23514') AS check_violations,
       count(*) FILTER (WHERE sqlstate = 'P0001') AS raised,
       count(DISTINCT message) FILTER (WHERE sqlstate = '23514') AS check_messages
  FROM loadtest.sample_log WHERE run_id = :run_id;
SELECT total_ops, failed FROM loadtest.run_summary WHERE run_id = :run_id;
-- run_errors: per operation and SQLSTATE the counts of sample_log; each
-- message kept with its exact count, at most 10 of them, the others in
-- the row without a message
WITH e AS (SELECT operation_no, sqlstate, message, count(*) AS n
             FROM loadtest.sample_log WHERE run_id = :run_id AND NOT success GROUP BY 1, 2, 3)
SELECT x.sqlstate, x.counted, x.counted = x.samples AS counts_match, x.messages_kept <= 10 AS at_most_10,
       x.kept_exact
  FROM (SELECT r.sqlstate, sum(r.count) AS counted,
               (SELECT sum(e.n) FROM e WHERE e.operation_no = r.operation_no AND e.sqlstate = r.sqlstate) AS samples,
               count(r.message) AS messages_kept,
               bool_and(r.message IS NULL
                        OR r.count = (SELECT e.n FROM e WHERE e.operation_no = r.operation_no
                                         AND e.sqlstate = r.sqlstate AND e.message = r.message)) AS kept_exact
          FROM loadtest.run_errors r WHERE r.run_id = :run_id
         GROUP BY r.operation_no, r.sqlstate) x
 ORDER BY x.sqlstate;
-- the messages kept are the most frequent: none left out was more frequent
-- than one kept (the 10 of check_violation that came 3 times)
WITH e AS (SELECT operation_no, sqlstate, message, count(*) AS n
             FROM loadtest.sample_log WHERE run_id = :run_id AND NOT success GROUP BY 1, 2, 3)
SELECT e.sqlstate,
       coalesce(max(e.n) FILTER (WHERE r.message IS NULL), 0) <= min(e.n) FILTER (WHERE r.message IS NOT NULL)
       AS most_frequent_kept,
       count(*) FILTER (WHERE r.message IS NOT NULL) AS messages_kept,
       count(*) FILTER (WHERE r.message IS NULL) AS messages_left_out
  FROM e LEFT JOIN loadtest.run_errors r
         ON r.run_id = :run_id AND r.operation_no = e.operation_no AND r.sqlstate = e.sqlstate
        AND r.message = e.message
 GROUP BY e.sqlstate ORDER BY e.sqlstate;
SELECT sum(count) = (SELECT failed FROM loadtest.run_summary WHERE run_id = :run_id) AS errors_add_up,
       (SELECT sum(errors) FROM loadtest.user_stats WHERE run_id = :run_id)
       = (SELECT failed FROM loadtest.run_summary WHERE run_id = :run_id) AS users_errors_add_up
  FROM loadtest.error_stats WHERE run_id = :run_id;

-- samples => 'none': no rows, the same totals
ALTER SEQUENCE ev.contact_no RESTART;
SELECT loadtest_run(users => 2, ops => 200, pattern => 'create_organization_contact',
                    think_time_ms => 0, ramp_up_s => 0, samples => 'none') AS run_id \gset
SELECT r.status, r.samples, (SELECT count(*) FROM loadtest.sample_log s WHERE s.run_id = r.run_id) AS rows_kept,
       s.total_ops, s.failed, s.median_ms > 0 AS has_percentiles,
       (SELECT sum(count) FROM loadtest.run_errors e WHERE e.run_id = r.run_id) AS run_errors,
       (SELECT sum(ops) FROM loadtest.run_timeline t WHERE t.run_id = r.run_id) AS timeline_ops,
       (SELECT sum(errors) FROM loadtest.run_timeline t WHERE t.run_id = r.run_id) AS timeline_errors,
       (SELECT sum(ops) FROM loadtest.user_stats u WHERE u.run_id = r.run_id) AS users_ops,
       (SELECT sum(errors) FROM loadtest.user_stats u WHERE u.run_id = r.run_id) AS users_errors
  FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id) WHERE r.run_id = :run_id;
-- the report reads the summaries: the same figures without a row
SELECT strpos(loadtest_report(:run_id), E'Total Operations: 400\n') > 0 AS report_total,
       strpos(loadtest_report(:run_id), E'Failed: 100 (25.00%)\n') > 0 AS report_failed;
-- samples => 'errors': only the failed ones
ALTER SEQUENCE ev.contact_no RESTART;
SELECT loadtest_run(users => 2, ops => 200, pattern => 'create_organization_contact',
                    think_time_ms => 0, ramp_up_s => 0, samples => 'errors') AS run_id \gset
SELECT r.samples, count(sl.*) AS rows_kept, bool_and(NOT sl.success) AS only_failed,
       count(sl.*) FILTER (WHERE sl.sqlstate = '23514') AS check_violations,
       s.total_ops, s.failed
  FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id)
  LEFT JOIN loadtest.sample_log sl USING (run_id)
 WHERE r.run_id = :run_id GROUP BY r.samples, s.total_ops, s.failed;
DROP TRIGGER refuse_some ON membership.organization_contacts;
-- samples => '0.25': about a quarter (800 operations: 200 expected, the
-- bounds over 4.9 standard deviations of a binomial count), all distinct,
-- and the same totals
SELECT loadtest_run(users => 4, ops => 200, pattern => 'read_member_detail',
                    think_time_ms => 0, ramp_up_s => 0, samples => '0.25') AS run_id \gset
SELECT r.samples, count(sl.*) BETWEEN 140 AND 260 AS about_a_quarter,
       count(DISTINCT (sl.user_no, sl.op_no)) = count(sl.*) AS distinct_rows,
       s.total_ops, s.failed
  FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id)
  LEFT JOIN loadtest.sample_log sl USING (run_id)
 WHERE r.run_id = :run_id GROUP BY r.samples, s.total_ops, s.failed;
-- the procedure takes samples too
CALL loadtest_run_procedure(users => 1, ops => 20, pattern => 'read_member_detail',
                            think_time_ms => 0, ramp_up_s => 0, samples => 'none') \gset
SELECT r.samples, (SELECT count(*) FROM loadtest.sample_log s WHERE s.run_id = r.run_id) AS rows_kept,
       s.total_ops
  FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id)
 WHERE r.run_id = :run_id;
-- bad values: refused with 22023 before anything starts (no run row)
SELECT count(*) AS runs_before FROM loadtest.runs \gset
SELECT v AS samples, pg_temp.err(format('SELECT loadtest_run(users => 1, ops => 1, samples => %L)', v)) AS error
  FROM unnest(ARRAY['some', '0', '1.5', '-0.1', 'NaN', '', 'ALL', '0.5x', 'inf']) AS v;
SELECT pg_temp.err($$SELECT loadtest_scenario('quick', samples => 'half')$$) AS scenario;
CALL loadtest_run_procedure(users => 1, ops => 1, samples => 'most');
SELECT count(*) - :runs_before AS runs_added FROM loadtest.runs;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';

-- ===========================================================================
-- The wait sampler, the counters, the workers' memory
-- ===========================================================================

-- a lookup by primary key: 4 users x 250 read_member_detail (one index
-- scan of membership.members each, then the member's employments)
SELECT loadtest_run(users => 4, ops => 250, pattern => 'read_member_detail',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT status, workers, wait_sample_interval_ms FROM loadtest.runs WHERE run_id = :run_id;
-- the profile, if the run was long enough to be sampled, is of the run's
-- operation and its shares add up
SELECT bool_and(operation = 'read_member_detail') IS NOT FALSE AS own_operation,
       coalesce(abs(sum(share_pct) - 100) < 1e-6, true) AS shares_add_up,
       bool_and(samples > 0) IS NOT FALSE AS counted
  FROM loadtest.wait_profile WHERE run_id = :run_id;
-- the counters: commits at least the successful operations, index scans
-- of members at least the lookups; a row for each table the statements use
SELECT (SELECT value FROM loadtest.run_db_stats d WHERE d.run_id = s.run_id AND stat = 'xact_commit') >= s.successful
       AS commits_at_least_ops,
       (SELECT idx_scan FROM loadtest.run_table_stats t WHERE t.run_id = s.run_id AND table_name = 'membership.members')
       >= s.successful AS member_index_scans_at_least_lookups,
       (SELECT value FROM loadtest.run_db_stats d WHERE d.run_id = s.run_id AND stat = 'blks_hit') > 0 AS blocks_hit
  FROM loadtest.run_summary s WHERE s.run_id = :run_id;
SELECT table_name FROM loadtest.run_table_stats WHERE run_id = :run_id ORDER BY table_name;
SELECT source, count(*) AS stats FROM loadtest.run_db_stats WHERE run_id = :run_id GROUP BY source ORDER BY source;
-- every worker's memory at its start (no operations yet) and at its end
-- (all its operations)
SELECT count(DISTINCT worker_no) AS workers, min(worker_no), max(worker_no) FROM loadtest.run_memory WHERE run_id = :run_id;
SELECT bool_and(n >= 2) AS start_and_end, bool_and(first_ops = 0) AS first_before_any,
       sum(last_ops) AS ops_at_the_end, bool_and(min_bytes > 0) AS bytes_counted
  FROM (SELECT worker_no, count(*) AS n, (array_agg(ops ORDER BY at_s))[1] AS first_ops,
               max(ops) AS last_ops, min(bytes) AS min_bytes
          FROM loadtest.run_memory WHERE run_id = :run_id GROUP BY worker_no) w;

-- even in a run of one operation per user every worker has its snapshot
-- at the start (no operation) and at the end (its operation): 8 workers
-- whose start and end are a millisecond apart
SELECT loadtest_run(users => 8, ops => 1, pattern => 'read_member_detail',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT count(DISTINCT worker_no) AS workers,
       count(DISTINCT worker_no) FILTER (WHERE ops = 0) AS with_start,
       count(DISTINCT worker_no) FILTER (WHERE ops = 1) AS with_end
  FROM loadtest.run_memory WHERE run_id = :run_id;

-- the sampler off: nothing sampled, the run says so
SET loadtest.wait_sample_interval_ms = 0;
SELECT loadtest_run(users => 2, ops => 100, pattern => 'read_member_detail',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
RESET loadtest.wait_sample_interval_ms;
SELECT r.wait_sample_interval_ms, (SELECT count(*) FROM loadtest.wait_profile w WHERE w.run_id = r.run_id) AS profile_rows,
       strpos(loadtest_report(r.run_id), 'not sampled: the wait sampler was off') > 0 AS report_says_off
  FROM loadtest.runs r WHERE r.run_id = :run_id;
SET loadtest.wait_sample_interval_ms = 1001;
SET loadtest.wait_sample_interval_ms = -1;
SHOW loadtest.wait_sample_interval_ms;

-- ===========================================================================
-- Plans: a defined operation whose index is dropped
-- ===========================================================================

CREATE TABLE ev.items (item_no integer NOT NULL, label text NOT NULL);
INSERT INTO ev.items SELECT i, 'item ' || i FROM generate_series(1, 5000) AS i;
CREATE INDEX ev_items_item_no ON ev.items (item_no);
ANALYZE ev.items;
SELECT loadtest_define_operation('ev_item_lookup', 'read',
    ARRAY['SELECT item_no, label FROM ev.items WHERE item_no = $1'],
    '[{"type": "column", "table": "ev.items", "column": "item_no"}]');
-- run 1: an index scan, nothing to compare with
SELECT loadtest_run(users => 1, ops => 5, pattern => 'ev_item_lookup',
                    think_time_ms => 0, ramp_up_s => 0) AS run1 \gset
SELECT operation, variant_no, statement_no, loadtest.plan_shape(plan) AS shape, changed, error
  FROM loadtest.run_plans WHERE run_id = :run1;
-- run 2, the index dropped: a sequential scan, flagged
DROP INDEX ev.ev_items_item_no;
SELECT loadtest_run(users => 1, ops => 5, pattern => 'ev_item_lookup',
                    think_time_ms => 0, ramp_up_s => 0) AS run2 \gset
SELECT operation, loadtest.plan_shape(plan) AS shape, changed FROM loadtest.run_plans WHERE run_id = :run2;
SELECT (SELECT idx_scan FROM loadtest.run_table_stats WHERE run_id = :run2 AND table_name = 'ev.items') AS idx_scans,
       (SELECT seq_scan FROM loadtest.run_table_stats WHERE run_id = :run2 AND table_name = 'ev.items') >= 5 AS seq_scans;
-- the report lists it, the old top node and the new
SELECT line FROM regexp_split_to_table(loadtest_report(:run2), E'\n') AS line
 WHERE line ~ '^Plans:' OR line ~ 'explained when the run started' OR line ~ '^      SELECT item_no';
SELECT loadtest_report(:run2)
       ~ ('\n   ev_item_lookup \(variant 1, statement 1\): Index Scan on (ev\.)?items using ev_items_item_no'
          || ' -> Seq Scan on (ev\.)?items \(since run ' || :run1 || '\)\n') AS report_old_and_new;
-- run 3, as run 2: unchanged
SELECT loadtest_run(users => 1, ops => 5, pattern => 'ev_item_lookup',
                    think_time_ms => 0, ramp_up_s => 0) AS run3 \gset
SELECT operation, loadtest.plan_shape(plan) AS shape, changed FROM loadtest.run_plans WHERE run_id = :run3;
SELECT strpos(loadtest_report(:run3), 'none changed since the last run') > 0 AS report_none_changed;
-- plan_shape never fails, NULL for what is not a plan
SELECT loadtest.plan_shape('{"a": 1}') IS NULL AS not_a_plan, loadtest.plan_shape('[]') IS NULL AS empty,
       loadtest.plan_shape('"Seq Scan"') IS NULL AS a_string,
       loadtest.plan_shape('[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Total Cost": 1}}]')
     = loadtest.plan_shape('[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Total Cost": 99, "Plan Rows": 5}}]')
       AS costs_ignored;

-- ===========================================================================
-- Verdicts on synthetic series
-- ===========================================================================

-- memory: flat (caches fill before the first snapshot kept), growing (100
-- bytes per operation), noisy but flat, too few snapshots
SELECT t.*
  FROM (VALUES ('flat', ARRAY[0, 1000, 2000, 3000, 4000, 5000]::float8[],
                ARRAY[1000000, 1500000, 1500000, 1500000, 1500000, 1500000]::float8[]),
               ('growing', ARRAY[0, 1000, 2000, 3000, 4000, 5000]::float8[],
                ARRAY[1000000, 1500000, 1600000, 1700000, 1800000, 1900000]::float8[]),
               ('noisy flat', (SELECT array_agg(i * 1000.0 ORDER BY i) FROM generate_series(0, 20) i)::float8[],
                (SELECT array_agg(1500000 + CASE WHEN i % 2 = 0 THEN 8192 ELSE -8192 END ORDER BY i)
                   FROM generate_series(0, 20) i)::float8[]),
               ('two snapshots', ARRAY[0, 1000]::float8[], ARRAY[1000000, 1500000]::float8[]),
               ('no operations', ARRAY[0, 500, 500]::float8[], ARRAY[1000000, 1100000, 1200000]::float8[])) s(name, o, b)
 CROSS JOIN LATERAL (SELECT s.name, m.flat, m.verdict, round(m.bytes_per_1000_ops) AS per_1000
                       FROM loadtest_memory_trend(s.o, s.b) m) t;

-- stability: 120 seconds of a steady run; p95 rising by half; throughput
-- swinging; an error burst; a run too short to judge
CREATE TEMP TABLE series AS
SELECT s, 1000 + (s * 37) % 41 - 20 AS o, (s % 50 = 0)::int AS e, 10 + ((s * 13) % 7 - 3) / 10.0 AS p
  FROM generate_series(0, 119) AS s;
SELECT x.name, st.stable, st.error_bursts, split_part(st.verdict, ':', 1) AS verdict
  FROM (SELECT 'steady' AS name, array_agg(s ORDER BY s)::float8[] AS s, array_agg(o ORDER BY s)::float8[] AS o,
               array_agg(e ORDER BY s)::float8[] AS e, array_agg(p ORDER BY s)::float8[] AS p FROM series
        UNION ALL
        SELECT 'p95 rising', array_agg(s ORDER BY s), array_agg(o ORDER BY s), array_agg(e ORDER BY s),
               array_agg(p * (1 + 0.5 * s / 119.0) ORDER BY s) FROM series
        UNION ALL
        SELECT 'throughput swinging', array_agg(s ORDER BY s), array_agg(CASE WHEN s % 2 = 0 THEN 400 ELSE 1600 END ORDER BY s),
               array_agg(e ORDER BY s), array_agg(p ORDER BY s) FROM series
        UNION ALL
        SELECT 'error burst', array_agg(s ORDER BY s), array_agg(o ORDER BY s),
               array_agg(CASE WHEN s = 70 THEN 200 ELSE e END ORDER BY s), array_agg(p ORDER BY s) FROM series
        UNION ALL
        SELECT 'too short', array_agg(s ORDER BY s), array_agg(o ORDER BY s), array_agg(e ORDER BY s),
               array_agg(p ORDER BY s) FROM series WHERE s < 30) x
 CROSS JOIN LATERAL loadtest_stability_of(x.s, x.o, x.e, x.p) st;
SELECT st.verdict LIKE 'unstable: p95 rose %' AS p95_named,
       st.p95_change_pct BETWEEN 30 AND 45 AS change_about_40pct
  FROM loadtest_stability_of((SELECT array_agg(s ORDER BY s)::float8[] FROM series),
                             (SELECT array_agg(o ORDER BY s)::float8[] FROM series),
                             (SELECT array_agg(e ORDER BY s)::float8[] FROM series),
                             (SELECT array_agg(p * (1 + 0.5 * s / 119.0) ORDER BY s)::float8[] FROM series)) st;
-- the ramp-up is left out: a rise of throughput and p95 during it is not
-- instability (counted, it is)
SELECT r.ramp_up_s, st.stable
  FROM (VALUES (0), (20)) r(ramp_up_s),
       LATERAL loadtest_stability_of((SELECT array_agg(s ORDER BY s)::float8[] FROM series),
                                     (SELECT array_agg(CASE WHEN s < 20 THEN 50 * s ELSE o END ORDER BY s)::float8[] FROM series),
                                     (SELECT array_agg(e ORDER BY s)::float8[] FROM series),
                                     (SELECT array_agg(CASE WHEN s < 20 THEN 1 + s * 0.4 ELSE p END ORDER BY s)::float8[] FROM series),
                                     r.ramp_up_s) st
 ORDER BY r.ramp_up_s;

-- sparklines: eight heights from 0 to the largest value
SELECT loadtest_sparkline(ARRAY[0, 1, 2, 3, 4, 5, 6, 7]) = '▁▂▃▄▅▆▇█' AS eight_heights,
       loadtest_sparkline(ARRAY[990, 1010]) = '██' AS steady_is_high,
       char_length(loadtest_sparkline((SELECT array_agg(i::float8) FROM generate_series(1, 600) i), 60))
       = 60 * char_length('█') AS width_60,
       loadtest_sparkline(ARRAY[1, NULL, 3]::float8[], 3) = '▃ █' AS gap_for_null;
SELECT pg_temp.err($$SELECT loadtest_sparkline(ARRAY[1], 0)$$) AS zero_width;

-- ===========================================================================
-- The report of a real run has the new sections and the sparklines
-- ===========================================================================

SELECT loadtest_run(users => 3, ops => 100, pattern => 'mixed',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
WITH r AS (SELECT loadtest_report(:run_id) AS t)
SELECT s.title, strpos(r.t, E'\n' || s.title || E'\n') > 0 AS present,
       strpos(r.t, s.title) > coalesce(lag(strpos(r.t, s.title)) OVER (ORDER BY s.n), 0) AS in_order
  FROM r, (VALUES (1, 'Operation Breakdown:'), (2, 'Where the time went:'), (3, 'Errors:'),
                  (4, 'What the database did:'), (5, 'Over time:'), (6, 'Plans:'),
                  (7, 'Performance Assessment:')) s(n, title)
 ORDER BY s.n;
SELECT count(*) FILTER (WHERE line ~ '^   Throughput \(ops/sec[^)]*\): [▁▂▃▄▅▆▇█ ]*█[▁▂▃▄▅▆▇█ ]*  min ') AS throughput_sparkline,
       count(*) FILTER (WHERE line ~ '^   p95 \(ms[^)]*\): [▁▂▃▄▅▆▇█ ]*█[▁▂▃▄▅▆▇█ ]*  min ') AS p95_sparkline,
       count(*) FILTER (WHERE line ~ '^   Cache hit ratio: ') AS cache_hit_ratio,
       count(*) FILTER (WHERE line ~ '^   Transactions: [0-9,]+ commits') AS commits,
       count(*) FILTER (WHERE line ~ '^   membership\.members: ') AS members_table,
       count(*) FILTER (WHERE line ~ '^   Memory: ') AS memory,
       count(*) FILTER (WHERE line ~ '^   Stability: no verdict') AS stability
  FROM regexp_split_to_table(loadtest_report(:run_id), E'\n') AS line;

-- clean up: nothing left running
SELECT loadtest_drop_operation('ev_item_lookup');
DROP SCHEMA ev CASCADE;
SELECT status, count(*) FROM loadtest.runs WHERE run_id NOT IN (SELECT run_id FROM runs_before_file) GROUP BY status;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';
