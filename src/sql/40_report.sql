-- loadtest 1.6: the reporting layer.
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
--   loadtest_report()        the text report of a run, from the sections of
--                            42_report_sections.sql
--   loadtest_report_json()   the same report as jsonb
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
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               min(h.latency_min_us)::float8 / 1000::float8 AS min_ms,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               coalesce(sum(h.ops) FILTER (WHERE o.kind = 'read'::text), 0::numeric)::float8 AS read_ops,
               sum(h.retried_ops) AS retried_ops,
               sum(h.retries) AS retries,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 AND (abs(h.wait_sum_us) >= 1e-300::float8 OR h.wait_sum_us = 0::float8) THEN h.wait_sum_us END) AS wait_sum,
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
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
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
       CASE WHEN abs(u.latency_sum_us) <= 1e300::float8 AND (abs(u.latency_sum_us) >= 1e-300::float8 OR u.latency_sum_us = 0::float8) AND u.ops_done <> 0
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
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 AND (abs(h.wait_sum_us) >= 1e-300::float8 OR h.wait_sum_us = 0::float8) THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
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
-- (beyond the range of float8: as infinities, never an error)
RETURN loadtest.format_number(CASE WHEN value = 'NaN'::numeric THEN 'NaN'::float8
                                   WHEN abs(value) < 1e-300::numeric THEN 0::float8
                                   WHEN abs(value) < 1e300::numeric THEN value::float8
                                   WHEN value > 0::numeric THEN 'Infinity'::float8
                                   ELSE '-Infinity'::float8 END, fmt);

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
--
-- The sections and their list are in 42_report_sections.sql
-- (loadtest.report_sections(): order, name, JSON key); the report writes
-- each section's lines, the JSON form each section's figures.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report(run_id bigint DEFAULT NULL,
                                target_ms double precision DEFAULT 500,
                                target_users integer DEFAULT 4000)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
DECLARE
    c_rule   constant text := repeat('=', 70);
    v_run_id bigint;
    s        record;
    o        text[] := '{}';
BEGIN
    v_run_id := loadtest.report_run(loadtest_report.run_id, loadtest_report.target_ms,
                                    loadtest_report.target_users, 'loadtest_report');
    -- each section its lines and an empty line after them, or nothing
    FOR s IN SELECT x.section FROM loadtest.report_sections() x ORDER BY x.section_no LOOP
        o := o || loadtest.report_block(loadtest.report_section_lines(s.section, v_run_id,
                                                                      loadtest_report.target_ms,
                                                                      loadtest_report.target_users));
    END LOOP;
    o := o || c_rule;
    RETURN array_to_string(o, E'\n');
END
$$;

COMMENT ON FUNCTION loadtest_report(bigint, double precision, integer) IS
'loadtest: the text report of a run (NULL: the latest run): configuration, user patterns, results, response times, operations, the evidence (where the time went, errors, what the database did, over time, plans), assessment, the verdict for target_users concurrent users within target_ms (loadtest_verdict(), with the reference guide''s linear formula labelled as not the verdict) and the recommendations (loadtest_recommendations()); target_ms finite and positive, target_users positive (else SQLSTATE 22023); marks stale runs first; one function per section (loadtest.report_sections()); runs written into the tables by hand give odd figures but a report';

CREATE OR REPLACE FUNCTION loadtest_report_json(run_id bigint DEFAULT NULL,
                                     target_ms double precision DEFAULT 500,
                                     target_users integer DEFAULT 4000)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
SET extra_float_digits = 3
AS $$
DECLARE
    v_run_id bigint;
    s        record;
    j        jsonb;
BEGIN
    v_run_id := loadtest.report_run(loadtest_report_json.run_id, loadtest_report_json.target_ms,
                                    loadtest_report_json.target_users, 'loadtest_report_json');
    j := jsonb_build_object('run_id', v_run_id, 'target_ms', loadtest_report_json.target_ms,
                            'target_users', loadtest_report_json.target_users);
    FOR s IN SELECT x.section, x.json_key FROM loadtest.report_sections() x
              WHERE x.json_key IS NOT NULL ORDER BY x.section_no LOOP
        j := j || jsonb_build_object(s.json_key,
                                     loadtest.report_section_data(s.section, v_run_id,
                                                                  loadtest_report_json.target_ms,
                                                                  loadtest_report_json.target_users));
    END LOOP;
    RETURN j;
END
$$;

COMMENT ON FUNCTION loadtest_report_json(bigint, double precision, integer) IS
'loadtest: the report of a run as jsonb (NULL: the latest run), from the same sections as loadtest_report(): run_id, target_ms, target_users, and per section (loadtest.report_sections()) its figures: run, configuration, distribution, overall, stages, response_times, operations, where_time_went, defined_operations, errors, database, over_time, plans, assessment (with guide_formula: the reference guide''s linear estimate, not the verdict), verdict (the row of loadtest_verdict()) and recommendations (the rows of loadtest_recommendations()); the figures are those of the views (run_summary, operation_stats, error_stats, wait_profile, run_timeline ...), float8 in their shortest exact form, NaN and infinities as strings; the arguments and errors of loadtest_report()';

-- Reading results is open to all: the views run as the caller
-- (security_invoker), and row-level security shows each role its own runs.
GRANT SELECT ON loadtest.samples, loadtest.run_summary, loadtest.operation_stats,
    loadtest.user_stats, loadtest.error_stats, loadtest.run_timeline, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;
