-- loadtest 1.5: the reporting layer.
--
--   loadtest.histogram_bucket(), loadtest.histogram_bucket_value(),
--   loadtest.histogram_percentiles()
--                            the log-linear histograms of the summaries
--                            (C, src/histogram.c)
--   loadtest.summarize_samples()
--                            internal: a run's summaries built from its
--                            samples (the upgrade from 1.3, tests)
--   loadtest.samples         the samples with their pattern and operation
--                            by name (loadtest.sample_log stores numbers)
--   loadtest.run_summary, loadtest.operation_stats, loadtest.user_stats,
--   loadtest.error_stats, loadtest.run_timeline
--                            views over the result tables, for users' own
--                            queries and for the report
--   loadtest_rate_response(), loadtest_rate_throughput(),
--   loadtest_rate_success()  the reference guide's rating tables
--   loadtest_capacity()      the reference guide's capacity estimate
--   loadtest_report()        the text report of a run
--
-- Units: latencies are stored in microseconds; the views give milliseconds
-- (double precision), durations in seconds, percentages as 0..100 (success_pct,
-- error_pct) and read_share as a fraction 0..1.
--
-- The views are security_invoker: they show what the caller may see of the
-- result tables (its own runs; see the row-level security policies).
--
-- Since 1.4 the views and the report read the bounded summaries of a run
-- (loadtest.run_histograms, loadtest.run_errors and the figures of
-- loadtest.run_users), which the recorder keeps from every attempt whatever
-- samples => ... chose, not loadtest.sample_log: what they read grows with
-- the run's operations and seconds, not with its attempts.  Percentiles
-- come from the merged histograms (loadtest.histogram_percentiles): within
-- 0.78% of percentile_cont over the samples, exact below 128 us.
--
-- Every view groups by run_id (or joins on it), so that "WHERE run_id = X"
-- is pushed down into the aggregation and only that run's summaries are
-- read (through the indexes on run_id).  They group by the numbers of the
-- operations and join the names of the run's operations afterwards.

-- ---------------------------------------------------------------------------
-- Histograms (C, src/histogram.c)
--
-- A value v (microseconds) falls into bucket loadtest.histogram_bucket(v):
-- v itself below 128, then 64 buckets per power of two (0..2431); a bucket's
-- representative value (loadtest.histogram_bucket_value) is within 0.78% of
-- every value in it.  The aggregate loadtest.histogram_percentiles(buckets,
-- counts, fractions) merges the histograms of its rows (NULL arrays are
-- skipped) and gives, for each fraction, the percentile in microseconds,
-- interpolated as percentile_cont does; NULL without values.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.histogram_bucket(value_us bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'loadtest_histogram_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_bucket(bigint) IS
'loadtest: the bucket (0..2431) of a value in microseconds in the log-linear histograms of loadtest.run_histograms: the value itself below 128, then 64 buckets per power of two';

CREATE OR REPLACE FUNCTION loadtest.histogram_bucket_value(bucket integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loadtest_histogram_bucket_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_bucket_value(integer) IS
'loadtest: the representative value in microseconds of a histogram bucket (exact below 128, else the middle of its range: within 0.78% of every value in it)';

CREATE OR REPLACE FUNCTION loadtest.histogram_percentiles_add(internal, integer[], bigint[], double precision[])
RETURNS internal
AS 'MODULE_PATHNAME', 'loadtest_histogram_percentiles_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_percentiles_add(internal, integer[], bigint[], double precision[]) IS
'loadtest (internal): the state function of loadtest.histogram_percentiles()';

CREATE OR REPLACE FUNCTION loadtest.histogram_percentiles_final(internal)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'loadtest_histogram_percentiles_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_percentiles_final(internal) IS
'loadtest (internal): the final function of loadtest.histogram_percentiles()';

-- (an aggregate has no settings of its own: its functions pin search_path)
CREATE OR REPLACE AGGREGATE loadtest.histogram_percentiles(integer[], bigint[], double precision[]) (
    SFUNC = loadtest.histogram_percentiles_add,
    STYPE = internal,
    FINALFUNC = loadtest.histogram_percentiles_final,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE loadtest.histogram_percentiles(integer[], bigint[], double precision[]) IS
'loadtest: merges the histograms (buckets, counts) of its rows and returns, for each fraction of the first row''s fractions, the percentile in microseconds, interpolated as percentile_cont does (within 0.78%; exact below 128 us); NULL without values';

-- ---------------------------------------------------------------------------
-- A run's summaries from its samples (internal)
--
-- What the recorder of 1.4 keeps of every attempt, built from the rows of
-- loadtest.sample_log instead: the runs recorded before 1.4 get their
-- summaries from it when the extension is updated (1.3--1.4-after.sql), and
-- tests build the summaries of the samples they write.  Replaces the run's
-- rows of loadtest.run_histograms and loadtest.run_errors and the figures of
-- loadtest.run_users; only for a run whose sample_log holds every attempt
-- (samples = 'all'), so that the figures are the run's.  The per-second
-- rows have no commits nor wal_bytes (not known from samples).  Runs with
-- the caller's rights: only the results' owner writes these tables.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.summarize_samples(run_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_run_id bigint := summarize_samples.run_id;
    r        loadtest.runs;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = v_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object';
    END IF;
    IF r.samples IS DISTINCT FROM 'all' THEN
        RAISE EXCEPTION 'loadtest run % kept only some of its samples (samples => %): its summaries cannot be built from them',
                        v_run_id, quote_literal(r.samples)
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    DELETE FROM loadtest.run_histograms h WHERE h.run_id = v_run_id;
    DELETE FROM loadtest.run_errors e WHERE e.run_id = v_run_id;

    -- Each sample in its groups: its operation, its stage and operation
    -- (the first stage whose [start_s, end_s) holds its start), its second.
    -- NULLs of the keys stand as -1 in the joins of the histograms.
    WITH stages AS (
        SELECT e.ord::integer AS stage,
               loadtest.jsonb_float8(e.v -> 'start_s') * 1e6::float8 AS start_us,
               loadtest.jsonb_float8(e.v -> 'end_s') * 1e6::float8 AS end_us
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.stages) = 'array'
                                         THEN r.stages ELSE '[]'::jsonb END)
               WITH ORDINALITY AS e(v, ord)
    ), sm AS (
        SELECT sl.operation_no, sl.start_us, sl.latency_us, sl.wait_us, sl.tries, sl.success,
               (SELECT min(st.stage) FROM stages st
                 WHERE sl.start_us::float8 >= st.start_us AND sl.start_us::float8 < st.end_us) AS stage,
               CASE WHEN sl.start_us >= 0 AND sl.start_us < 2147483647000000
                    THEN (sl.start_us / 1000000)::integer END AS second
          FROM loadtest.sample_log sl
         WHERE sl.run_id = v_run_id
    ), keyed AS (
        SELECT 'operation'::text AS scope, sm.operation_no::integer AS k_op, -1 AS k_stage, -1 AS k_second, sm.*
          FROM sm
        UNION ALL
        SELECT 'stage', sm.operation_no, sm.stage, -1, sm.* FROM sm WHERE sm.stage IS NOT NULL
        UNION ALL
        SELECT 'second', -1, -1, sm.second, sm.* FROM sm WHERE sm.second IS NOT NULL
    ), figures AS (
        SELECT k.scope, k.k_op, k.k_stage, k.k_second,
               count(*) AS ops,
               count(*) FILTER (WHERE NOT k.success) AS errors,
               count(*) FILTER (WHERE k.tries > 1::smallint) AS retried_ops,
               coalesce(sum(k.tries::integer - 1), 0) AS retries,
               count(*) FILTER (WHERE k.wait_us > 10000::bigint) AS late_starts,
               min(k.start_us) AS first_start_us,
               max(k.start_us::numeric + k.latency_us::numeric) AS last_end,
               sum(k.latency_us::float8) AS latency_sum_us,
               min(k.latency_us) AS latency_min_us,
               max(k.latency_us) AS latency_max_us,
               sum(k.wait_us::float8) AS wait_sum_us,
               max(k.wait_us) AS wait_max_us
          FROM keyed k
         GROUP BY k.scope, k.k_op, k.k_stage, k.k_second
    ), lat AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(k.latency_us) AS bucket, count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), wt AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(k.wait_us) AS bucket, count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), rsp AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(CASE WHEN k.wait_us::numeric + k.latency_us::numeric
                                                           > 9223372036854775807::numeric
                                                      THEN 9223372036854775807::bigint
                                                      WHEN k.wait_us::numeric + k.latency_us::numeric
                                                           < 0::numeric
                                                      THEN 0::bigint
                                                      ELSE k.wait_us + k.latency_us END) AS bucket,
                       count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), users AS (
        -- active users of a second: between their first start and last end
        SELECT min(sl.start_us) AS first_start_us,
               max(sl.start_us::numeric + sl.latency_us::numeric) AS last_end
          FROM loadtest.sample_log sl
         WHERE sl.run_id = v_run_id
         GROUP BY sl.user_no
    )
    INSERT INTO loadtest.run_histograms
           (run_id, scope, operation_no, stage, second, ops, errors, retried_ops, retries,
            late_starts, first_start_us, last_end_us, latency_sum_us, latency_min_us,
            latency_max_us, latency_buckets, latency_counts, wait_sum_us, wait_max_us,
            wait_buckets, wait_counts, response_buckets, response_counts, active_users,
            commits, wal_bytes)
    SELECT v_run_id, f.scope,
           CASE WHEN f.scope <> 'second' THEN f.k_op::smallint END,
           CASE WHEN f.scope = 'stage' THEN f.k_stage::smallint END,
           CASE WHEN f.scope = 'second' THEN f.k_second END,
           f.ops, f.errors, f.retried_ops, f.retries, f.late_starts, f.first_start_us,
           CASE WHEN f.last_end <= 9223372036854775807::numeric THEN f.last_end::bigint END,
           f.latency_sum_us, f.latency_min_us, f.latency_max_us, l.buckets, l.counts,
           f.wait_sum_us, f.wait_max_us, w.buckets, w.counts, rs.buckets, rs.counts,
           CASE WHEN f.scope = 'second' THEN
                (SELECT count(*)::integer FROM users u
                  WHERE u.first_start_us::numeric < (f.k_second::numeric + 1::numeric) * 1000000::numeric
                    AND u.last_end >= f.k_second::numeric * 1000000::numeric) END,
           NULL::bigint, NULL::numeric
      FROM figures f
      JOIN lat l ON l.scope = f.scope AND l.k_op = f.k_op AND l.k_stage = f.k_stage AND l.k_second = f.k_second
      JOIN wt w ON w.scope = f.scope AND w.k_op = f.k_op AND w.k_stage = f.k_stage AND w.k_second = f.k_second
      JOIN rsp rs ON rs.scope = f.scope AND rs.k_op = f.k_op AND rs.k_stage = f.k_stage AND rs.k_second = f.k_second;

    -- Errors by operation and SQLSTATE, with the 10 most frequent messages
    -- of each (ties by message); the others, and failures without a
    -- message, in the row whose message is NULL.
    INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
    SELECT v_run_id, m.operation_no, m.sqlstate,
           CASE WHEN m.rank <= 10 THEN m.message END, sum(m.n)::bigint
      FROM (SELECT g.*,
                   CASE WHEN g.message IS NULL THEN 11::bigint
                        ELSE row_number() OVER (PARTITION BY g.operation_no, g.sqlstate, g.message IS NULL
                                                ORDER BY g.n DESC, g.message) END AS rank
              FROM (SELECT sl.operation_no, coalesce(sl.sqlstate, '') AS sqlstate, sl.message,
                           count(*) AS n
                      FROM loadtest.sample_log sl
                     WHERE sl.run_id = v_run_id AND NOT sl.success
                     GROUP BY 1, 2, 3) g) m
     GROUP BY m.operation_no, m.sqlstate, CASE WHEN m.rank <= 10 THEN m.message END;

    -- Each user's failures, the sum and the p95 of its latencies.
    UPDATE loadtest.run_users u
       SET errors = coalesce(x.errors, 0),
           latency_sum_us = coalesce(x.latency_sum_us, 0::float8),
           latency_p95_us = x.latency_p95_us
      FROM (SELECT uu.user_no, s.errors, s.latency_sum_us, s.latency_p95_us
              FROM loadtest.run_users uu
              LEFT JOIN (SELECT sl.user_no,
                                count(*) FILTER (WHERE NOT sl.success) AS errors,
                                sum(sl.latency_us::float8) AS latency_sum_us,
                                percentile_cont(0.95::float8) WITHIN GROUP (ORDER BY sl.latency_us::float8) AS latency_p95_us
                           FROM loadtest.sample_log sl
                          WHERE sl.run_id = v_run_id
                          GROUP BY sl.user_no) s ON s.user_no = uu.user_no
             WHERE uu.run_id = v_run_id) x
     WHERE u.run_id = v_run_id AND u.user_no = x.user_no;
END
$$;

COMMENT ON FUNCTION loadtest.summarize_samples(bigint) IS
'loadtest (internal): builds the summaries of a run (loadtest.run_histograms, loadtest.run_errors, the figures of loadtest.run_users) from its rows of loadtest.sample_log, replacing those it had; only for a run that kept all its samples (samples = ''all''); for the runs recorded before 1.4 and for tests';
REVOKE EXECUTE ON FUNCTION loadtest.summarize_samples(bigint) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Views
--
-- A view's operators and functions are bound when it is created, under the
-- search_path of CREATE EXTENSION / ALTER EXTENSION UPDATE (the extension's
-- schema, after pg_catalog).  An operator of pg_catalog wins there only if
-- its argument types match exactly: so every operator below has operands of
-- exactly the types of one of pg_catalog's (float8 constants, casts; the
-- numbers of patterns and operations are smallint on both sides).  Sums
-- that could overflow bigint are taken in numeric (counts, then brought
-- back to bigint only within its range) or float8 (times; the float8
-- columns of the summaries only when finite and within 1e300, so that no
-- sum overflows), and divisions that could overflow float8 are guarded, so
-- that the views return a row for any content of the tables.
-- ---------------------------------------------------------------------------

-- The samples as 1.2 stored them (loadtest.samples was the table).  Outer
-- joins: a sample whose run has no such pattern or operation (rows written
-- by hand) shows NULL names rather than vanishing, and a query that does
-- not use the names reads sample_log alone (the joins are removed).
CREATE OR REPLACE VIEW loadtest.samples WITH (security_invoker = true) AS
SELECT sl.run_id,
       sl.user_no,
       sl.op_no,
       p.pattern,
       o.operation,
       sl.start_us,
       sl.latency_us,
       sl.wait_us,
       sl.success,
       sl.sqlstate,
       sl.message,
       sl.tries
  FROM loadtest.sample_log sl
  LEFT JOIN loadtest.run_patterns p
         ON p.run_id = sl.run_id AND p.pattern_no = sl.pattern_no
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = sl.run_id AND o.operation_no = sl.operation_no;

COMMENT ON VIEW loadtest.samples IS
'loadtest: one row per attempted operation, with its pattern and operation by name (loadtest.sample_log, which stores their numbers in the run, joined with loadtest.run_patterns and loadtest.run_operations)';

-- A run's figures from its 'operation' rows (one per operation that had
-- attempts): duration from the first start to the last end, counts from
-- the columns, response times and waits from the merged histograms.
CREATE OR REPLACE VIEW loadtest.run_summary WITH (security_invoker = true) AS
SELECT r.run_id,
       r.status,
       r.pattern,
       r.users,
       r.ops_per_user,
       r.think_time_ms,
       r.ramp_up_s,
       r.started_at,
       r.ended_at,
       d.duration_s,
       coalesce(c.total_ops, 0::bigint) AS total_ops,
       coalesce(c.successful, 0::bigint) AS successful,
       coalesce(c.failed, 0::bigint) AS failed,
       100::float8 * c.successful::float8 / nullif(c.total_ops::float8, 0::float8) AS success_pct,
       CASE WHEN abs(d.duration_s) >= 1e-9::float8
            THEN c.total_ops::float8 / d.duration_s END AS throughput_ops_s,
       s.latency_sum / nullif(s.ops, 0::float8) / 1000::float8 AS avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.pct_us[3] / 1000::float8 AS p99_ms,
       s.min_ms,
       s.max_ms,
       s.read_ops / nullif(s.ops, 0::float8) AS read_share,
       coalesce(c.retried_ops, 0::bigint) AS retried_ops,
       coalesce(c.retries, 0::bigint) AS retries,
       s.wait_sum / nullif(s.ops, 0::float8) / 1000::float8 AS avg_wait_ms,
       s.wait_pct_us[1] / 1000::float8 AS p95_wait_ms,
       s.max_wait_ms,
       coalesce(c.late_starts, 0::bigint) AS late_starts
  FROM loadtest.runs r
  LEFT JOIN (
        SELECT h.run_id,
               sum(h.ops) AS total_ops,
               sum(h.ops) - sum(h.errors) AS successful,
               sum(h.errors) AS failed,
               sum(h.ops)::float8 AS ops,
               (max(h.last_end_us)::float8 - min(h.first_start_us)::float8) / 1e6::float8 AS duration_s,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               min(h.latency_min_us)::float8 / 1000::float8 AS min_ms,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               coalesce(sum(h.ops) FILTER (WHERE o.kind = 'read'::text), 0::numeric)::float8 AS read_ops,
               sum(h.retried_ops) AS retried_ops,
               sum(h.retries) AS retries,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               max(h.wait_max_us)::float8 / 1000::float8 AS max_wait_ms,
               sum(h.late_starts) AS late_starts
          FROM loadtest.run_histograms h
          LEFT JOIN loadtest.run_operations o
                 ON o.run_id = h.run_id AND o.operation_no = h.operation_no
         WHERE h.scope = 'operation'::text
         GROUP BY h.run_id
       ) s ON s.run_id = r.run_id
  -- the counts as bigint (sums of bigint are numeric): NULL beyond its range
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.total_ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.total_ops::bigint END AS total_ops,
               CASE WHEN s.successful BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.successful::bigint END AS successful,
               CASE WHEN s.failed BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.failed::bigint END AS failed,
               CASE WHEN s.retried_ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.retried_ops::bigint END AS retried_ops,
               CASE WHEN s.retries BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.retries::bigint END AS retries,
               CASE WHEN s.late_starts BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.late_starts::bigint END AS late_starts
       ) c
  CROSS JOIN LATERAL (
        SELECT coalesce(nullif(s.duration_s, 0::float8), r.duration_s) AS duration_s
       ) d;

COMMENT ON VIEW loadtest.run_summary IS
'loadtest: one row per run with its overall figures, from its summaries (loadtest.run_histograms, whatever samples => ... kept): duration_s (first start to last end of its operations, else runs.duration_s), operations, success_pct (0..100), throughput_ops_s, response times in ms (percentiles of the merged histograms: within 0.78% of percentile_cont), read_share (0..1, share of read operations), retried_ops and retries (loadtest.max_tries), and the wait of operations between when they were due and their start in ms (pool wait in a pooled run, schedule lag in a rate run), late_starts (operations that started more than 10 ms after they were due)';

CREATE OR REPLACE VIEW loadtest.operation_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       o.operation,
       o.kind,
       c.ops,
       s.latency_sum / nullif(s.ops_f, 0::float8) / 1000::float8 AS avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.max_ms,
       c.errors,
       100::float8 * s.errors_f / nullif(s.ops_f, 0::float8) AS error_pct
  FROM (SELECT h.run_id,
               h.operation_no,
               sum(h.ops) AS ops,
               sum(h.ops)::float8 AS ops_f,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95]::float8[]) AS pct_us,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               sum(h.errors) AS errors,
               sum(h.errors)::float8 AS errors_f
          FROM loadtest.run_histograms h
         WHERE h.scope = 'operation'::text
         GROUP BY h.run_id, h.operation_no
       ) s
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.ops::bigint END AS ops,
               CASE WHEN s.errors BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.errors::bigint END AS errors
       ) c
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = s.run_id AND o.operation_no = s.operation_no;

COMMENT ON VIEW loadtest.operation_stats IS
'loadtest: per run and operation, from its summaries (loadtest.run_histograms): operations, response times in ms (percentiles of the merged histograms: within 0.78% of percentile_cont), errors and error_pct (0..100)';

CREATE OR REPLACE VIEW loadtest.user_stats WITH (security_invoker = true) AS
SELECT u.run_id,
       u.user_no,
       u.pattern,
       u.ops_done::bigint AS ops,
       CASE WHEN abs(u.latency_sum_us) <= 1e300::float8 AND u.ops_done <> 0
            THEN u.latency_sum_us / u.ops_done::float8 / 1000::float8 END AS avg_ms,
       u.latency_p95_us / 1000::float8 AS p95_ms,
       coalesce(u.errors, 0::bigint) AS errors,
       u.lost
  FROM loadtest.run_users u;

COMMENT ON VIEW loadtest.user_stats IS
'loadtest: per run and simulated user: pattern, operations (run_users.ops_done), response times in ms (the p95 from the user''s histogram), errors and whether the user was lost';

CREATE OR REPLACE VIEW loadtest.error_stats WITH (security_invoker = true) AS
SELECT e.run_id,
       o.operation,
       e.sqlstate,
       e.message,
       e.count
  FROM loadtest.run_errors e
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = e.run_id AND o.operation_no = e.operation_no;

COMMENT ON VIEW loadtest.error_stats IS
'loadtest: failed operations per run, operation, SQLSTATE and message (loadtest.run_errors: the 10 most frequent messages of each operation and SQLSTATE; message NULL: the others)';
-- A run second by second, from its 'second' rows (a second may have more
-- than one row: they add up).  A second in which no operation started has
-- no row.  concurrency is the operations in flight on average over the
-- second (Little's law: the sum of the latencies of the operations that
-- started in it, over one second).
CREATE OR REPLACE VIEW loadtest.run_timeline WITH (security_invoker = true) AS
SELECT s.run_id,
       s.second,
       c.ops,
       c.errors,
       s.pct_us[1] / 1000::float8 AS p50_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.pct_us[3] / 1000::float8 AS p99_ms,
       s.active_users,
       s.wait_sum / nullif(s.ops_f, 0::float8) / 1000::float8 AS avg_wait_ms,
       s.wait_pct_us[1] / 1000::float8 AS p95_wait_ms,
       s.latency_sum / 1e6::float8 AS concurrency,
       c.commits,
       s.wal_bytes
  FROM (SELECT h.run_id,
               h.second,
               sum(h.ops) AS ops,
               sum(h.ops)::float8 AS ops_f,
               sum(h.errors) AS errors,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               max(h.active_users) AS active_users,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               sum(h.commits) AS commits,
               sum(h.wal_bytes) AS wal_bytes
          FROM loadtest.run_histograms h
         WHERE h.scope = 'second'::text
         GROUP BY h.run_id, h.second
       ) s
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.ops::bigint END AS ops,
               CASE WHEN s.errors BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.errors::bigint END AS errors,
               CASE WHEN s.commits BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.commits::bigint END AS commits
       ) c;

COMMENT ON VIEW loadtest.run_timeline IS
'loadtest: per run and second (operations by the second they started in, from loadtest.run_histograms): operations, errors, response times in ms (p50, p95, p99 of the merged histograms), active users, wait in ms (pool wait or schedule lag: average, p95), concurrency (operations in flight on average: Little''s law), commits and WAL bytes of the server that second; seconds without a start have no row';

-- ---------------------------------------------------------------------------
-- Ratings (the reference guide's "Interpreting Metrics" tables)
--
-- The bands follow the tables literally: "> 1000 poor", "< 20 poor" and
-- "< 90 poor" are strict, so a value on the edge of a middle band belongs to
-- that band:
--   response   avg_ms  < 100 excellent, < 500 good, <= 1000 fair, > 1000 poor
--              (100 -> good, 500 -> fair, 1000 -> fair)
--   throughput ops_s   > 100 high, >= 50 good, >= 20 fair, < 20 poor
--              (100 -> good, 50 -> good, 20 -> fair)
--   success    pct     > 99 excellent, >= 95 good, >= 90 fair, < 90 poor
--              (99 -> good, 95 -> good, 90 -> fair)
--
-- Their SQL-standard bodies are parsed when they are created, like views:
-- the constants are float8 so that pg_catalog's operators match exactly.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_rate_response(avg_ms double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN avg_ms < 100::float8 THEN 'excellent'
            WHEN avg_ms < 500::float8 THEN 'good'
            WHEN avg_ms <= 1000::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_response(double precision) IS
'loadtest: rates an average response time in ms: < 100 excellent, 100 to < 500 good, 500 to 1000 fair, > 1000 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_throughput(ops_s double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN ops_s > 100::float8 THEN 'high'
            WHEN ops_s >= 50::float8 THEN 'good'
            WHEN ops_s >= 20::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_throughput(double precision) IS
'loadtest: rates a throughput in operations per second: > 100 high, 50 to 100 good, 20 to < 50 fair, < 20 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_success(pct double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN pct > 99::float8 THEN 'excellent'
            WHEN pct >= 95::float8 THEN 'good'
            WHEN pct >= 90::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_success(double precision) IS
'loadtest: rates a success rate in percent (0..100): > 99 excellent, 95 to 99 good, 90 to < 95 fair, < 90 poor';

-- ---------------------------------------------------------------------------
-- Formatting for the report (internal)
--
-- to_char() fills its mask with '#' when a number has more digits than the
-- mask: numbers of 1e14 and more, NaN and infinities are written otherwise.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.format_number(value double precision, fmt text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF value = 'NaN'::float8 THEN
        RETURN 'NaN';
    ELSIF value = 'Infinity'::float8 THEN
        RETURN 'Infinity';
    ELSIF value = '-Infinity'::float8 THEN
        RETURN '-Infinity';
    ELSIF fmt ~* 'EEEE' OR abs(value) < 1e14::float8 THEN
        RETURN to_char(value, fmt);
    ELSE
        RETURN btrim(to_char(value, '9.99EEEE'));
    END IF;
END
$$;

-- numeric (sums and counts of bigint, far within float8's exact range of
-- 2^53 where the report prints them to the unit) by the float8 form
CREATE OR REPLACE FUNCTION loadtest.format_number(value numeric, fmt text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN loadtest.format_number(value::double precision, fmt);

COMMENT ON FUNCTION loadtest.format_number(double precision, text) IS
'loadtest (internal): to_char(value, fmt) for the report, with NaN, infinities and numbers from 1e14 on written as such or in scientific notation instead of #';
COMMENT ON FUNCTION loadtest.format_number(numeric, text) IS
'loadtest (internal): to_char(value, fmt) for the report, with NaN, infinities and numbers from 1e14 on written as such or in scientific notation instead of #';

-- A text of the result tables on one line of at most max_chars characters:
-- runs of white space and control characters become one space.
CREATE OR REPLACE FUNCTION loadtest.one_line(value text, max_chars integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN length(value) > max_chars
            THEN left(regexp_replace(left(value, max_chars * 4), '[[:space:][:cntrl:]]+', ' ', 'g'),
                      max_chars - 3) || '...'
            ELSE regexp_replace(value, '[[:space:][:cntrl:]]+', ' ', 'g') END;

COMMENT ON FUNCTION loadtest.one_line(text, integer) IS
'loadtest (internal): value on one line (white space and control characters as single spaces), cut to max_chars characters';

-- A number of a run's stages (jsonb written by loadtest_run(), or by anyone
-- who can write loadtest.runs): NULL unless it is a JSON number that
-- double precision can hold.
CREATE OR REPLACE FUNCTION loadtest.jsonb_float8(value jsonb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN jsonb_typeof(value) = 'number'
            THEN CASE WHEN value::numeric = 0::numeric
                        OR abs(value::numeric) BETWEEN 1e-300::numeric AND 1e300::numeric
                      THEN value::numeric::float8 END END;

COMMENT ON FUNCTION loadtest.jsonb_float8(jsonb) IS
'loadtest (internal): a JSON number as double precision; NULL for anything else or a number out of its range';

-- ---------------------------------------------------------------------------
-- Capacity estimate (the reference guide's "Estimation Formula")
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_capacity(avg_ms double precision,
                                  users integer,
                                  target_ms double precision DEFAULT 500,
                                  target_users integer DEFAULT 4000)
RETURNS TABLE (capacity_users double precision,
               est_response_ms double precision,
               verdict text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- beyond e^700 a product would overflow double precision (e^709.78)
    c_ln_max constant double precision := 700;
    l        double precision;
BEGIN
    IF NOT (avg_ms > '-Infinity'::float8 AND avg_ms < 'Infinity'::float8) THEN  -- NaN sorts above all numbers
        RAISE EXCEPTION 'avg_ms must be a finite number, not %', avg_ms
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the average response time in ms of the run measured with users users.';
    END IF;
    IF users <= 0 THEN
        RAISE EXCEPTION 'users must be positive, not %', users
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of concurrent users that gave avg_ms.';
    END IF;
    IF target_users <= 0 THEN
        RAISE EXCEPTION 'target_users must be positive, not %', target_users
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of concurrent users to estimate for, e.g. 4000.';
    END IF;
    IF NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %', target_ms
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the target response time in ms, e.g. 500.';
    END IF;

    IF avg_ms <= 0 THEN
        -- no measurable response time: no limit from this model
        capacity_users := 'Infinity'::float8;
        est_response_ms := 0;
    ELSE
        -- Every factor is finite and positive: their logarithms tell whether
        -- a result overflows (then Infinity) or underflows (then 0) before
        -- double precision arithmetic raises an error.
        l := ln(target_ms) - ln(avg_ms) + ln(users::float8);
        IF l > c_ln_max THEN
            capacity_users := 'Infinity'::float8;
        ELSIF l < -c_ln_max THEN
            capacity_users := 0;
        ELSE
            capacity_users := target_ms / avg_ms * users;
        END IF;
        l := ln(avg_ms) + ln(target_users::float8) - ln(users::float8);
        IF l > c_ln_max THEN
            est_response_ms := 'Infinity'::float8;
        ELSIF l < -c_ln_max THEN
            est_response_ms := 0;
        ELSIF ln(avg_ms) + ln(target_users::float8) < c_ln_max THEN
            est_response_ms := avg_ms * target_users / users;
        ELSE
            est_response_ms := avg_ms * (target_users::float8 / users);
        END IF;
    END IF;

    -- (est - target <= target: 2 x target could overflow)
    verdict := CASE WHEN capacity_users >= target_users THEN 'ready'
                    WHEN est_response_ms - target_ms <= target_ms THEN 'degraded'
                    ELSE 'not ready' END;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest_capacity(double precision, integer, double precision, integer) IS
'loadtest: linear capacity model: capacity_users = target_ms / avg_ms * users, est_response_ms at target_users = avg_ms * target_users / users; verdict ready (capacity >= target_users), degraded (estimate <= 2 x target_ms) or not ready; avg_ms <= 0 gives capacity Infinity, results beyond the range of double precision are Infinity (or 0); avg_ms must be finite, users and target_users positive, target_ms finite and positive (else SQLSTATE 22023)';

-- ---------------------------------------------------------------------------
-- The report
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report(run_id bigint DEFAULT NULL,
                                target_ms double precision DEFAULT 500)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_avg_intended float8;
    v_pct_intended float8[];
    c_rule         constant text := repeat('=', 70);
    c_int          constant text := 'FM999G999G999G999G990';
    c_2d           constant text := 'FM999G999G999G999G990D00';
    c_1d           constant text := 'FM990D0';
    c_target_users constant integer := 4000;
    c_top_errors   constant integer := 10;

    v_run_id    bigint := loadtest_report.run_id;
    v_target_ms double precision := loadtest_report.target_ms;
    r           loadtest.runs;
    s           loadtest.run_summary;
    cap         record;
    rec         record;
    o           text[] := '{}';
    recs        text[] := '{}';
    v_rating    text;
    v_n         bigint;
    v_more      bigint;
    v_lock_errs numeric;
    v_othr_errs numeric;
    v_search_avg double precision;
    v_search_p95 double precision;
    v_missing   text[];
    v_target_txt text;
BEGIN
    IF v_target_ms IS NULL OR NOT (v_target_ms > 0 AND v_target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %',
                        coalesce(v_target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms that the scaling section holds the estimates to.',
                  HINT = 'Pass a number of milliseconds, e.g. loadtest_report(target_ms => 500).';
    END IF;

    -- (below 0.01, two decimals would show 0.00)
    v_target_txt := CASE WHEN v_target_ms < 0.01 THEN btrim(to_char(v_target_ms, '9.99EEEE'))
                         ELSE loadtest.format_number(v_target_ms, c_2d) END;

    -- Runs that can no longer end must not be reported as running.  Not being
    -- allowed to update runs (privileges, read-only transaction, standby) is
    -- no reason not to report.
    BEGIN
        PERFORM @extschema@.loadtest_mark_stale_runs();
    EXCEPTION WHEN insufficient_privilege OR read_only_sql_transaction THEN
        NULL;
    END;

    IF v_run_id IS NULL THEN
        SELECT max(x.run_id) INTO v_run_id FROM loadtest.runs x;
        IF v_run_id IS NULL THEN
            RAISE EXCEPTION 'there are no loadtest runs to report on'
                USING ERRCODE = 'no_data_found',
                      HINT = 'Start a load test with loadtest_run() first.';
        END IF;
    END IF;

    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = v_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM loadtest.runs ORDER BY run_id; lists the runs.';
    END IF;

    SELECT * INTO s FROM loadtest.run_summary x WHERE x.run_id = v_run_id;

    -- Header
    o := o || c_rule
           || format('LOAD TEST REPORT - run %s (%s)', r.run_id, r.status);
    IF r.status <> 'completed' THEN
        o := o || format('   status: %s, %s', r.status,
                         CASE WHEN r.status = 'running'
                              THEN 'its figures are written when it ends (the call that runs it prints its progress)'
                              ELSE coalesce(loadtest.one_line(r.message, 200), 'figures may be partial') END);
    END IF;
    o := o || c_rule || ''::text;

    -- 1. Configuration
    o := o || 'Test Configuration:'::text
           || ('   Concurrent Users: ' || loadtest.format_number(r.users, c_int))
           || CASE WHEN r.duration_limit_s IS NOT NULL
                   THEN '   Run Length: ' || loadtest.format_number(r.duration_limit_s, c_2d) || 's (operations per user not fixed)'
                   ELSE '   Operations per User: ' || loadtest.format_number(r.ops_per_user, c_int) END
           || ('   Pattern: ' || loadtest.one_line(r.pattern, 100))
           || ('   Think Time: ' || loadtest.format_number(r.think_time_ms, c_int) || 'ms')
           || ('   Ramp-up Time: ' || r.ramp_up_s::text || 's')
           || ('   Test Duration: ' || coalesce(loadtest.format_number(s.duration_s, c_2d) || 's', 'n/a'))
           || ('   Environment: ' || loadtest.one_line(r.environment, 100))
           || ('   Workers: ' || loadtest.format_number(r.workers, c_int) || ', seed: ' || r.seed::text);
    IF r.rate IS NOT NULL THEN
        o := o || ('   Arrival Rate: ' || loadtest.format_number(r.rate, c_2d) || ' ops/sec (open model; think time not used)');
    END IF;
    IF r.pool_size IS NOT NULL THEN
        o := o || ('   Pool: ' || loadtest.format_number(r.pool_size, c_int) || ' workers shared by ' || loadtest.format_number(r.users, c_int) || ' users');
    END IF;
    IF r.op_timeout_ms > 0 THEN
        o := o || ('   Operation Timeout: ' || loadtest.format_number(r.op_timeout_ms, c_int) || 'ms');
    END IF;
    IF r.forced THEN
        o := o || '   Forced: yes'::text;
    END IF;
    IF r.isolation <> 'read committed' THEN
        o := o || ('   Isolation: ' || loadtest.one_line(r.isolation, 100));
    END IF;
    IF r.max_tries > 1 THEN
        o := o || ('   Max Tries: ' || r.max_tries::text || ' (serialization failures and deadlocks are retried)');
    END IF;
    IF r.hot_rows > 0 THEN
        o := o || ('   Hot Rows: ' || loadtest.format_number(r.hot_rows, c_int) || ' per table');
    END IF;
    o := o || ('   Database: ' || loadtest.one_line(r.database_name, 100))
           || ('   Role: ' || loadtest.one_line(r.role_name, 100))
           || ('   Server version: ' || loadtest.one_line(r.server_version, 100))
           || ('   Started: ' || r.started_at::text
               || coalesce(', ended: ' || r.ended_at::text, ''))
           || ''::text;

    -- 2. User patterns, in the order of the run's patterns
    o := o || 'User Pattern Distribution:'::text;
    v_n := 0;
    FOR rec IN
        SELECT u.pattern, u.operation, count(*) AS n,
               sum(count(*)) OVER () AS total,
               (SELECT min(p.pattern_no) FROM loadtest.run_patterns p
                 WHERE p.run_id = v_run_id AND p.pattern = u.pattern) AS pattern_no
          FROM loadtest.run_users u
         WHERE u.run_id = v_run_id
         GROUP BY u.pattern, u.operation
         ORDER BY pattern_no, u.pattern, u.operation
    LOOP
        o := o || format('   %s%s: %s %s (%s%%)',
                         loadtest.one_line(rec.pattern, 100),
                         CASE WHEN rec.operation IS NOT NULL
                              THEN ' (' || loadtest.one_line(rec.operation, 100) || ')' ELSE '' END,
                         loadtest.format_number(rec.n, c_int),
                         CASE WHEN rec.n = 1 THEN 'user' ELSE 'users' END,
                         loadtest.format_number(100.0 * rec.n / rec.total, c_1d));
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   no users recorded'::text;
    END IF;
    o := o || ''::text;

    -- 3. Overall results
    o := o || 'Overall Results:'::text
           || ('   Total Operations: ' || loadtest.format_number(s.total_ops, c_int))
           || ('   Successful: ' || loadtest.format_number(s.successful, c_int)
               || coalesce(' (' || loadtest.format_number(s.success_pct, c_2d) || '%)', ''))
           || ('   Failed: ' || loadtest.format_number(s.failed, c_int)
               || coalesce(' (' || loadtest.format_number(100 - s.success_pct, c_2d) || '%)', ''))
           || ('   Throughput: ' || coalesce(loadtest.format_number(s.throughput_ops_s, c_2d) || ' ops/sec', 'n/a'))
           || ('   Reads: ' || coalesce(loadtest.format_number(100 * s.read_share, c_2d) || '% of operations', 'n/a'));
    IF s.retries > 0 THEN
        o := o || format('   Retried: %s operations (%s retries); their latency covers every try',
                         loadtest.format_number(s.retried_ops, c_int), loadtest.format_number(s.retries, c_int));
    END IF;
    IF r.users_lost > 0 THEN
        o := o || format('   Users lost: %s (%s operations not done): user %s',
                         loadtest.format_number(r.users_lost, c_int), loadtest.format_number(r.ops_not_done, c_int),
                         (SELECT string_agg(u.user_no::text
                                            || coalesce(' (' || (u.ops_planned::bigint - u.ops_done::bigint)::text || ' not done)', ''),
                                            ', ' ORDER BY u.user_no)
                            FROM loadtest.run_users u
                           WHERE u.run_id = v_run_id AND u.lost));
    END IF;
    IF r.arrivals_dropped > 0 THEN
        o := o || format('   Arrivals dropped: %s (due before the end of the run, never started: the server did not keep up with the arrival rate)',
                         loadtest.format_number(r.arrivals_dropped, c_int));
    END IF;
    IF r.samples_lost > 0 THEN
        o := o || format('   Not recorded: %s attempted operations (their samples could not be written; the figures leave them out)',
                         loadtest.format_number(r.samples_lost, c_int));
    END IF;
    o := o || ''::text;

    -- 3b. Stages: the results of each stage of a staged run, from its
    -- 'stage' rows (stage: the position of the stage in runs.stages)
    IF r.stages IS NOT NULL THEN
        o := o || 'Stages:'::text;
        -- Any jsonb: not an array, elements that are not objects, missing
        -- keys or strings for numbers give stages with empty fields.
        FOR rec IN
            SELECT st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s,
                   CASE WHEN abs(st.end_s) < 1e300::float8 AND abs(st.start_s) < 1e300::float8
                        THEN st.end_s - st.start_s END AS length_s,
                   coalesce(sum(h.ops), 0) AS ops,
                   coalesce(sum(h.errors), 0) AS errors,
                   sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END)
                       / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
                   (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                                   ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms
              FROM (SELECT e.ord,
                           loadtest.jsonb_float8(e.v -> 'stage') AS stage,
                           loadtest.one_line(e.v ->> 'kind', 20) AS kind,
                           loadtest.jsonb_float8(e.v -> 'from') AS from_target,
                           loadtest.jsonb_float8(e.v -> 'to') AS to_target,
                           loadtest.jsonb_float8(e.v -> 'start_s') AS start_s,
                           loadtest.jsonb_float8(e.v -> 'end_s') AS end_s
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.stages) = 'array'
                                                     THEN r.stages ELSE '[]'::jsonb END)
                           WITH ORDINALITY AS e(v, ord)) st
                   LEFT JOIN loadtest.run_histograms h
                     ON h.run_id = v_run_id AND h.scope = 'stage' AND h.stage = st.ord
             GROUP BY st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s
             ORDER BY st.stage, st.ord
        LOOP
            o := o || format('   %s. %s %s -> %s over %ss: %s ops, %s ops/sec, avg %sms, p95 %sms, %s errors',
                             rec.stage,
                             CASE rec.kind WHEN 'rate' THEN 'rate (ops/sec)' ELSE 'users' END,
                             CASE WHEN abs(rec.from_target) < 1e14::float8 THEN rec.from_target::numeric::text
                                  ELSE loadtest.format_number(rec.from_target, c_2d) END,
                             CASE WHEN abs(rec.to_target) < 1e14::float8 THEN rec.to_target::numeric::text
                                  ELSE loadtest.format_number(rec.to_target, c_2d) END,
                             loadtest.format_number(rec.length_s, c_2d),
                             loadtest.format_number(rec.ops, c_int),
                             loadtest.format_number(CASE WHEN abs(rec.length_s) >= 1e-9::float8
                                                         THEN rec.ops::float8 / rec.length_s END, c_2d),
                             coalesce(loadtest.format_number(rec.avg_ms, c_2d), 'n/a'),
                             coalesce(loadtest.format_number(rec.p95_ms, c_2d), 'n/a'),
                             loadtest.format_number(rec.errors, c_int));
        END LOOP;
        o := o || ''::text;
    END IF;

    -- 4. Response times
    o := o || 'Response Times (ms):'::text
           || ('   Average: ' || coalesce(loadtest.format_number(s.avg_ms, c_2d) || 'ms', 'n/a'))
           || ('   Median: ' || coalesce(loadtest.format_number(s.median_ms, c_2d) || 'ms', 'n/a'))
           || ('   95th Percentile: ' || coalesce(loadtest.format_number(s.p95_ms, c_2d) || 'ms', 'n/a'))
           || ('   99th Percentile: ' || coalesce(loadtest.format_number(s.p99_ms, c_2d) || 'ms', 'n/a'))
           || ('   Min: ' || coalesce(loadtest.format_number(s.min_ms, c_2d) || 'ms', 'n/a'))
           || ('   Max: ' || coalesce(loadtest.format_number(s.max_ms, c_2d) || 'ms', 'n/a'));
    IF r.rate IS NOT NULL THEN
        -- open model: measured from the intended start, so that a stalled
        -- server cannot hide its stall (no coordinated omission): the
        -- response histograms (schedule lag + operation) of the summaries
        v_avg_intended := s.avg_wait_ms + s.avg_ms;
        SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                              ARRAY[0.95, 0.99]::float8[])
          INTO v_pct_intended
          FROM loadtest.run_histograms h
         WHERE h.run_id = v_run_id AND h.scope = 'operation';
        o := o || format('   From intended start (schedule lag + operation): average %s, p95 %s, p99 %s',
                         coalesce(loadtest.format_number(v_avg_intended, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(v_pct_intended[1] / 1000, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(v_pct_intended[2] / 1000, c_2d) || 'ms', 'n/a'))
               || format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d), loadtest.format_number(s.late_starts, c_int),
                         loadtest.format_number(100.0 * s.late_starts / nullif(s.total_ops, 0), c_2d));
    ELSIF r.pool_size IS NOT NULL THEN
        -- what users feel when the pool is too small: the wait for a worker
        o := o || format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d))
               || format('   As users feel it (pool wait + operation): average %s, p95 %s',
                         coalesce(loadtest.format_number(s.avg_wait_ms + s.avg_ms, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(
                             (SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                                                    ARRAY[0.95]::float8[])
                                FROM loadtest.run_histograms h
                               WHERE h.run_id = v_run_id AND h.scope = 'operation')[1] / 1000, c_2d) || 'ms', 'n/a'));
    END IF;
    o := o || ''::text;

    -- 5. Operations (the figures of loadtest.operation_stats, most frequent
    -- first, then in the run's order of operations): the run's 'operation'
    -- rows grouped by the operations' numbers, their names joined afterwards
    o := o || 'Operation Breakdown:'::text;
    v_n := 0;
    FOR rec IN
        SELECT x.operation_no,
               coalesce(ro.operation, '(operation ' || x.operation_no::text || ')') AS operation,
               x.ops, x.avg_ms, x.p95_ms, x.errors
          FROM (SELECT h.operation_no,
                       sum(h.ops) AS ops,
                       sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END)
                           / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
                       (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                                       ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms,
                       sum(h.errors) AS errors
                  FROM loadtest.run_histograms h
                 WHERE h.run_id = v_run_id AND h.scope = 'operation'
                 GROUP BY h.operation_no) x
          LEFT JOIN loadtest.run_operations ro
                 ON ro.run_id = v_run_id AND ro.operation_no = x.operation_no
         ORDER BY x.ops DESC, x.operation_no
    LOOP
        o := o || format('   %s: %s ops, avg %sms, p95 %sms, %s %s',
                         loadtest.one_line(rec.operation, 100), loadtest.format_number(rec.ops, c_int),
                         loadtest.format_number(rec.avg_ms, c_2d), loadtest.format_number(rec.p95_ms, c_2d),
                         loadtest.format_number(rec.errors, c_int),
                         CASE WHEN rec.errors = 1 THEN 'error' ELSE 'errors' END);
        IF rec.operation = 'search_members' THEN
            v_search_avg := rec.avg_ms;
            v_search_p95 := rec.p95_ms;
        END IF;
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   no operations recorded'::text;
    END IF;
    o := o || ''::text;

    -- 5a. Where the time went (45_evidence.sql: the wait events sampled
    -- in the operations), or nothing
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_where_time_went(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));

    -- 5b. What the operations defined by users ran, as the run kept them
    -- (loadtest.run_operations): the report says it after a redefinition
    v_n := 0;
    FOR rec IN
        SELECT ro.operation, ro.kind, ro.owner, ro.statements, ro.variants
          FROM loadtest.run_operations ro
         WHERE ro.run_id = v_run_id AND NOT ro.builtin
         ORDER BY ro.operation_no
    LOOP
        IF v_n = 0 THEN
            o := o || 'Defined Operations (as run):'::text;
        END IF;
        o := o || format('   %s (%s, defined by %s): %s',
                         loadtest.one_line(rec.operation, 100), loadtest.one_line(rec.kind, 10),
                         loadtest.one_line(rec.owner, 100),
                         CASE WHEN rec.variants IS NOT NULL
                              THEN loadtest.format_number(pg_catalog.jsonb_array_length(
                                       CASE WHEN pg_catalog.jsonb_typeof(rec.variants) = 'array'
                                            THEN rec.variants ELSE '[]' END)::bigint, c_int)
                                   || ' variants (see loadtest.run_operations)'
                              ELSE loadtest.one_line(array_to_string(rec.statements, '; '), 200) END);
        v_n := v_n + 1;
    END LOOP;
    IF v_n > 0 THEN
        o := o || ''::text;
    END IF;

    -- 6. Errors (loadtest.run_errors: the 10 most frequent messages of
    -- each operation and SQLSTATE; message NULL: the others)
    o := o || 'Errors:'::text;
    v_n := 0;
    v_more := 0;
    v_lock_errs := 0;
    v_othr_errs := 0;
    FOR rec IN
        SELECT e.operation_no,
               coalesce(ro.operation, '(operation ' || e.operation_no::text || ')') AS operation,
               e.sqlstate, e.message, e.count
          FROM loadtest.run_errors e
          LEFT JOIN loadtest.run_operations ro
                 ON ro.run_id = v_run_id AND ro.operation_no = e.operation_no
         WHERE e.run_id = v_run_id
         ORDER BY e.count DESC, e.sqlstate, e.operation_no, e.message
    LOOP
        v_n := v_n + 1;
        IF v_n <= c_top_errors THEN
            o := o || format('   [%s] %s (%s): %s',
                             coalesce(loadtest.one_line(nullif(rec.sqlstate, ''), 10), '-----'),
                             coalesce(loadtest.one_line(rec.message, 100), 'other messages'),
                             loadtest.one_line(rec.operation, 100), loadtest.format_number(rec.count, c_int));
        ELSE
            v_more := v_more + 1;
        END IF;
        -- (counts of any size: numeric)
        IF rec.sqlstate IN ('40P01', '40001', '55P03') THEN
            v_lock_errs := v_lock_errs + rec.count::numeric;
        ELSE
            v_othr_errs := v_othr_errs + rec.count::numeric;
        END IF;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   none'::text;
    ELSIF v_more > 0 THEN
        o := o || format('   ... and %s more (see loadtest.error_stats)', loadtest.format_number(v_more, c_int));
    END IF;
    o := o || ''::text;

    -- 6b. The evidence (45_evidence.sql), each section its title and
    -- lines, or nothing: what the database did, the run over time, the
    -- plans that changed (each followed by an empty line)
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_database(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));
    -- the run over time
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_over_time(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));
    -- which plans ran
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_plans(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));

    -- 7. Assessment
    o := o || 'Performance Assessment:'::text;
    IF s.total_ops = 0 THEN
        o := o || '   no operations to assess'::text;
    ELSE
        v_rating := @extschema@.loadtest_rate_response(s.avg_ms);
        o := o || format('   %s %s: average response time %sms (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), loadtest.format_number(s.avg_ms, c_2d),
                         CASE v_rating WHEN 'excellent' THEN '< 100ms' WHEN 'good' THEN '100-500ms'
                                       WHEN 'fair' THEN '500-1000ms' ELSE '> 1000ms' END,
                         CASE v_rating WHEN 'excellent' THEN 'system performing optimally'
                                       WHEN 'good' THEN 'acceptable for production'
                                       WHEN 'fair' THEN 'consider optimization'
                                       ELSE 'optimization required' END);

        v_rating := @extschema@.loadtest_rate_throughput(s.throughput_ops_s);
        IF v_rating IS NULL THEN
            o := o || '   [!] Throughput: unknown (no duration)'::text;
        ELSE
            o := o || format('   %s %s throughput: %s ops/sec (%s) - %s',
                             CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                             initcap(v_rating), loadtest.format_number(s.throughput_ops_s, c_2d),
                             CASE v_rating WHEN 'high' THEN '> 100' WHEN 'good' THEN '50-100'
                                           WHEN 'fair' THEN '20-50' ELSE '< 20' END,
                             CASE v_rating WHEN 'high' THEN 'can handle many users'
                                           WHEN 'good' THEN 'suitable for medium load'
                                           WHEN 'fair' THEN 'may struggle under high load'
                                           ELSE 'capacity issues' END);
            -- Users that mostly think cannot load the server: then the
            -- throughput measures the simulated demand, not the capacity.
            IF r.rate IS NULL AND r.think_time_ms > 0 AND s.avg_ms >= 0
               AND s.avg_ms < 0.1 * r.think_time_ms THEN
                o := o || format('   note: throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking (think time %sms, %sms per operation); run more users or think_time_ms => 0 to measure capacity',
                                 loadtest.format_number(100.0 * r.think_time_ms / (r.think_time_ms + s.avg_ms), c_2d),
                                 loadtest.format_number(r.think_time_ms, c_int), loadtest.format_number(s.avg_ms, c_2d));
            END IF;
        END IF;

        v_rating := @extschema@.loadtest_rate_success(s.success_pct);
        o := o || format('   %s %s success rate: %s%% (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), loadtest.format_number(s.success_pct, c_2d),
                         CASE WHEN s.failed = 0 THEN 'no failed operations'
                              ELSE CASE v_rating WHEN 'excellent' THEN '> 99%' WHEN 'good' THEN '95-99%'
                                                 WHEN 'fair' THEN '90-95%' ELSE '< 90%' END END,
                         CASE v_rating WHEN 'excellent' THEN 'system stable'
                                       WHEN 'good' THEN 'monitor errors'
                                       WHEN 'fair' THEN 'investigate failures'
                                       ELSE 'critical issues' END);
    END IF;
    o := o || ''::text;

    -- 8. Scaling
    o := o || format('Scaling to %s Users:', c_target_users);
    IF s.total_ops = 0 OR s.avg_ms IS NULL THEN
        o := o || '   no operations recorded: nothing to estimate'::text;
    ELSIF r.users < 1 THEN
        o := o || format('   the run has %s users: nothing to estimate', r.users);
    ELSE
        SELECT * INTO cap
          FROM @extschema@.loadtest_capacity(s.avg_ms, r.users, v_target_ms, c_target_users);

        o := o || ('   Target response time: ' || v_target_txt || 'ms')
               || CASE WHEN cap.capacity_users = 'Infinity'::float8 AND s.avg_ms <= 0
                       THEN '   Current capacity: unlimited (no measurable response time)'
                       WHEN cap.capacity_users = 'Infinity'::float8
                       THEN '   Current capacity: unlimited (beyond the range of double precision)'
                       ELSE format('   Current capacity: ~%s concurrent users (at %sms average response time)',
                                   loadtest.format_number(floor(cap.capacity_users)::numeric, c_int),
                                   v_target_txt) END
               || format('   Estimated response time at %s users: %sms',
                         c_target_users, loadtest.format_number(cap.est_response_ms, c_2d))
               || CASE cap.verdict
                  WHEN 'ready' THEN format('   [OK] System should handle %s users within %sms',
                                           c_target_users, v_target_txt)
                  WHEN 'degraded' THEN format('   [!] System may handle %s users with degraded performance',
                                              c_target_users)
                  ELSE format('   [!!] System is not ready for %s users: the estimate is over twice the %sms target',
                              c_target_users, v_target_txt) END
               || '   (linear model: response time proportional to concurrent users)'::text;

        -- The USL model (50_capacity.sql) beside the linear one, fitted over
        -- the latest completed run of each user count of this pattern and
        -- think time that the caller started itself (a superuser sees every
        -- role's runs: it must not mix other roles' runs into its model); the
        -- target's own user count is left out, so that a measured run at the
        -- target tests both estimates.  The lines are added only once all are
        -- computed: runs that cannot be fitted (written into the tables by
        -- hand) give a line saying so instead of an error.
        DECLARE
            u_users float8[] := '{}';
            u_tput  float8[] := '{}';
            u_rec   record;
            u_tp    float8;
            u_fit   record;
            u_pred  record;
            u_mid   bigint;
            u_meas  loadtest.run_summary;
            u_args  text[] := '{}';
            u_have  boolean := false;
            u_lines text[] := '{}';
        BEGIN
            FOR u_rec IN
                SELECT DISTINCT ON (x.users) x.run_id, x.users
                  FROM loadtest.runs x
                 WHERE x.status OPERATOR(pg_catalog.=) 'completed'::loadtest.run_status
                   -- runs with summaries (every run since 1.4 whatever
                   -- samples => ... kept, and the runs before it that
                   -- recorded samples): their figures come from them
                   AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                                WHERE h.run_id = x.run_id AND h.scope = 'operation')
                   AND x.role_name = current_user
                   AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
                   AND x.users <> c_target_users AND x.users >= 1
                   -- closed-model runs with a worker per user: there the
                   -- user count is the concurrency the law speaks of
                   AND x.rate IS NULL AND x.stages IS NULL AND x.pool_size IS NULL
                 ORDER BY x.users, x.run_id DESC
            LOOP
                SELECT y.throughput_ops_s INTO u_tp
                  FROM loadtest.run_summary y WHERE y.run_id = u_rec.run_id;
                IF u_tp > 0 AND u_tp < 'Infinity'::float8 THEN
                    u_users := u_users || u_rec.users::float8;
                    u_tput := u_tput || u_tp;
                END IF;
            END LOOP;

            IF cardinality(u_users) >= 3 AND r.think_time_ms >= 0 THEN
                SELECT * INTO u_fit FROM @extschema@.loadtest_usl_fit(u_users, u_tput);
                SELECT * INTO u_pred
                  FROM @extschema@.loadtest_usl_predict(u_fit.sigma, u_fit.kappa, u_fit.lambda,
                                                        c_target_users, r.think_time_ms);
                u_have := true;
                u_lines := u_lines
                       || format('   USL model (Universal Scalability Law) over the completed %s runs with %sms think time at %s users:',
                                 loadtest.one_line(r.pattern, 100), loadtest.format_number(r.think_time_ms, c_int),
                                 array_to_string(u_users, ', '))
                       || format('      sigma %s (contention), kappa %s (coherency), lambda %s ops/sec at 1 user, r2 %s',
                                 loadtest.format_number(u_fit.sigma, 'FM9990.0000'),
                                 CASE WHEN u_fit.kappa = 0 THEN '0'
                                      ELSE btrim(loadtest.format_number(u_fit.kappa, '9.99EEEE')) END,
                                 loadtest.format_number(u_fit.lambda, c_2d),
                                 coalesce(loadtest.format_number(u_fit.r2, 'FM990.0000'), 'n/a'))
                       || format('      %s Estimated at %s users: %s ops/sec, response time %sms',
                                 CASE WHEN u_pred.response_ms <= v_target_ms THEN '[OK]'
                                      WHEN u_pred.response_ms - v_target_ms <= v_target_ms THEN '[!]'
                                      ELSE '[!!]' END,
                                 c_target_users, loadtest.format_number(u_pred.throughput, c_2d),
                                 loadtest.format_number(u_pred.response_ms, c_2d));
                IF u_fit.peak_users IS NOT NULL THEN
                    u_lines := u_lines || format('      Throughput peaks at ~%s users (%s ops/sec)',
                                                 loadtest.format_number(round(u_fit.peak_users), c_int),
                                                 loadtest.format_number(u_fit.peak_throughput, c_2d));
                END IF;
                IF u_fit.note IS NOT NULL THEN
                    u_lines := u_lines || ('      note: ' || u_fit.note);
                END IF;
            ELSE
                IF r.pattern <> 'distributed' THEN
                    u_args := u_args || format('pattern => %L', r.pattern);
                END IF;
                IF r.think_time_ms <> 0 THEN
                    u_args := u_args || format('think_time_ms => %s', r.think_time_ms);
                END IF;
                u_lines := u_lines
                       || format('   USL model: needs completed %s runs with %sms think time at 3 or more user counts (found %s); for an estimate: SELECT * FROM loadtest_capacity(%s);',
                                 loadtest.one_line(r.pattern, 100), loadtest.format_number(r.think_time_ms, c_int),
                                 cardinality(u_users), loadtest.one_line(array_to_string(u_args, ', '), 200));
            END IF;

            -- The measured figure, when a completed run at the target exists.
            SELECT max(x.run_id) INTO u_mid
              FROM loadtest.runs x
             WHERE x.status OPERATOR(pg_catalog.=) 'completed'::loadtest.run_status
               AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                            WHERE h.run_id = x.run_id AND h.scope = 'operation')
               AND x.role_name = current_user
               AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
               AND x.users = c_target_users;
            IF u_mid IS NOT NULL THEN
                SELECT * INTO u_meas FROM loadtest.run_summary y WHERE y.run_id = u_mid;
                -- in a pooled run users also wait for a worker: compare what
                -- they feel, as the models' response times include queueing
                IF (SELECT x.pool_size FROM loadtest.runs x WHERE x.run_id = u_mid) IS NOT NULL THEN
                    u_meas.avg_ms := u_meas.avg_ms + coalesce(u_meas.avg_wait_ms, 0);
                END IF;
            END IF;
            IF u_meas.avg_ms > 0 THEN
                u_lines := u_lines
                       || format('   Measured at %s users (run %s): response time %sms average, %s ops/sec',
                                 c_target_users, u_mid, loadtest.format_number(u_meas.avg_ms, c_2d),
                                 coalesce(loadtest.format_number(u_meas.throughput_ops_s, c_2d), 'n/a'))
                       || format('      linear estimate %sms: %s',
                                 loadtest.format_number(cap.est_response_ms, c_2d),
                                 CASE WHEN u_mid = r.run_id THEN 'this run'
                                      WHEN cap.est_response_ms >= u_meas.avg_ms
                                      THEN loadtest.format_number(100 * (cap.est_response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                      ELSE loadtest.format_number(100 * (1 - cap.est_response_ms / u_meas.avg_ms), c_2d) || '% too low' END);
                IF u_have THEN
                    u_lines := u_lines
                           || format('      USL estimate %sms: %s%s',
                                     loadtest.format_number(u_pred.response_ms, c_2d),
                                     CASE WHEN u_pred.response_ms >= u_meas.avg_ms
                                          THEN loadtest.format_number(100 * (u_pred.response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                          ELSE loadtest.format_number(100 * (1 - u_pred.response_ms / u_meas.avg_ms), c_2d) || '% too low' END,
                                     CASE WHEN u_meas.throughput_ops_s > 0 THEN
                                          format('; %s ops/sec: %s', loadtest.format_number(u_pred.throughput, c_2d),
                                                 CASE WHEN u_pred.throughput >= u_meas.throughput_ops_s
                                                      THEN loadtest.format_number(100 * (u_pred.throughput / u_meas.throughput_ops_s - 1), c_2d) || '% too high'
                                                      ELSE loadtest.format_number(100 * (1 - u_pred.throughput / u_meas.throughput_ops_s), c_2d) || '% too low' END)
                                          ELSE '' END);
                END IF;
            END IF;
            o := o || u_lines;
        EXCEPTION WHEN data_exception THEN
            -- (SQLSTATE class 22: values out of range, invalid parameters)
            o := o || ('   USL model: not estimated from these runs: ' || loadtest.one_line(SQLERRM, 200));
        END;

        -- Recommendations, each from evidence in this run
        IF s.read_share > 0.6 THEN
            recs := recs || format('Reads are %s%% of operations (> 60%%): add read replicas for the reads (2-3x capacity for reads)',
                                   loadtest.format_number(100 * s.read_share, c_2d));
        END IF;

        -- The reference guide's indexes: any valid, non-partial index whose
        -- leading key columns are these will do.  Catalog lookups only, so
        -- that no privilege on schema membership is needed.
        SELECT array_agg(ix.stmt ORDER BY ix.ord) INTO v_missing
          FROM (VALUES
                (1, 'members', ARRAY['status'],
                 'CREATE INDEX members_status_idx ON membership.members (status);'),
                (2, 'members', ARRAY['classification'],
                 'CREATE INDEX members_classification_idx ON membership.members (classification);'),
                (3, 'members', ARRAY['last_name'],
                 'CREATE INDEX members_last_name_idx ON membership.members (last_name text_pattern_ops);'),
                (4, 'member_employments', ARRAY['member_id', 'is_current'],
                 'CREATE INDEX member_employments_member_current_idx ON membership.member_employments (member_id, is_current);')
               ) AS ix(ord, relname, cols, stmt)
          JOIN pg_catalog.pg_class c ON c.relname = ix.relname
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'membership'
         WHERE NOT EXISTS (
                SELECT 1
                  FROM pg_catalog.pg_index i
                 WHERE i.indrelid = c.oid
                   AND i.indisvalid
                   AND i.indpred IS NULL
                   AND i.indnkeyatts >= cardinality(ix.cols)
                   AND ix.cols = ARRAY(
                        SELECT a.attname::text
                          FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_catalog.pg_attribute a
                            ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE k.ord <= cardinality(ix.cols)
                         ORDER BY k.ord));

        IF v_search_avg > 2 * s.avg_ms OR v_search_p95 > 2 * s.p95_ms THEN
            recs := recs || format('search_members is slow (avg %sms, p95 %sms; overall avg %sms, p95 %sms): %s',
                                   loadtest.format_number(v_search_avg, c_2d), loadtest.format_number(v_search_p95, c_2d),
                                   loadtest.format_number(s.avg_ms, c_2d), loadtest.format_number(s.p95_ms, c_2d),
                                   CASE WHEN v_missing IS NULL
                                        THEN 'its indexes exist, look at its plans (EXPLAIN ANALYZE)'
                                        ELSE 'add the missing indexes below' END);
        END IF;
        IF v_missing IS NOT NULL THEN
            FOR i IN 1 .. cardinality(v_missing) LOOP
                recs := recs || ('Missing index of the reference guide: ' || v_missing[i]);
            END LOOP;
        END IF;

        IF v_lock_errs > 0 THEN
            recs := recs || format('Lock conflicts (%s failed: deadlock 40P01, serialization failure 40001, lock not available 55P03): look at lock waits (pg_locks, log_lock_waits) and add retry logic',
                                   loadtest.format_number(v_lock_errs, c_int));
        END IF;
        IF v_othr_errs > 0 THEN
            recs := recs || format('Other failures (%s): investigate them (see Errors above and loadtest.error_stats)',
                                   loadtest.format_number(v_othr_errs, c_int));
        END IF;
        IF r.users_lost > 0 THEN
            recs := recs || format('Users lost (%s): their workers ended early, see the server log',
                                   loadtest.format_number(r.users_lost, c_int));
        END IF;
        IF cap.capacity_users < c_target_users THEN
            recs := recs || format('Capacity ~%s is below %s users: use connection pooling (e.g. PgBouncer), cache frequently read data (3-5x for cached queries) and optimise the slowest queries; then scale horizontally',
                                   loadtest.format_number(floor(cap.capacity_users)::numeric, c_int), c_target_users);
        END IF;
        IF s.p99_ms > 10 * s.median_ms THEN
            recs := recs || format('Tail latency: p99 %sms is over 10x the median %sms: look at checkpoints, autovacuum and lock waits (log_checkpoints, log_autovacuum_min_duration, log_lock_waits)',
                                   loadtest.format_number(s.p99_ms, c_2d), loadtest.format_number(s.median_ms, c_2d));
        END IF;

        o := o || '   Recommendations:'::text;
        IF cardinality(recs) = 0 THEN
            o := o || '   - No action needed at this load'::text;
        ELSE
            FOR i IN 1 .. cardinality(recs) LOOP
                o := o || ('   - ' || recs[i]);
            END LOOP;
        END IF;
    END IF;

    o := o || ''::text || c_rule;
    RETURN array_to_string(o, E'\n');
END
$$;

COMMENT ON FUNCTION loadtest_report(bigint, double precision) IS
'loadtest: the text report of a run (NULL: the latest run): configuration, user patterns, results, response times, operations, errors, assessment and scaling to 4000 users at target_ms (finite and positive); marks stale runs first.  The USL lines fit only completed runs of the calling role (role_name = current_user), even for a superuser who sees every role''s runs; runs written into the tables by hand give odd figures but a report';

-- Reading results is open to all: the views run as the caller
-- (security_invoker), and row-level security shows each role its own runs.
GRANT SELECT ON loadtest.samples, loadtest.run_summary, loadtest.operation_stats,
    loadtest.user_stats, loadtest.error_stats, loadtest.run_timeline, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;
