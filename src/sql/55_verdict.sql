-- loadtest 1.6: the answer (issue #11): is the server ready for N users
-- within a target response time, from the evidence of the runs, and what to
-- change.
--
--   loadtest.verdict_limits()     the thresholds of the verdict and of the
--                                 recommendations (the one place they live)
--   loadtest.run_figures(run_id)  the one definition of a run's figures: X,
--                                 R, W, Z, felt time, concurrency, demand,
--                                 saturation flags (the report and the
--                                 comparison read it too)
--   loadtest_verdict(run_id, target_users, target_ms)
--                                 ready or not, capacity, response at the
--                                 target, basis (measured, saturation,
--                                 model or NULL), bottleneck, explanation
--   loadtest_recommendations(run_id)
--                                 what to change, each from the evidence
--                                 that triggered it (indexes checked with
--                                 HypoPG when it is installed)
--
-- Every routine here is SECURITY INVOKER: it reads the result tables
-- through row-level security as the caller (a role sees its own runs).
-- Any content of those tables (rows written by hand by their owner, garbage
-- included) gives rows, not an error: figures out of range are NULL (a run
-- with such figures is no evidence), text goes through loadtest.one_line(),
-- numbers through loadtest.format_number(), products that could overflow
-- through loadtest.float8_mul().  Every body is plpgsql or SQL with a string
-- body: parsed when it runs, under its pinned search_path (pg_catalog,
-- pg_temp), so its operators are pg_catalog's.
--
-- Units as in the views: ms, ops/sec, percentages 0..100, read_share 0..1.

-- ---------------------------------------------------------------------------
-- The thresholds (one place)
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.verdict_limits(
    OUT ready_success_pct double precision,     -- ready: success at least this
    OUT kept_up_share double precision,         -- kept up: X >= this x demand
    OUT pool_wait_share double precision,       -- pool saturated: W >= this x R ...
    OUT pool_busy_share double precision,       -- ... and X R / 1000 >= this x pool_size
    OUT late_start_share double precision,      -- rate run saturated: late starts over this share
    OUT flat_concurrency_ratio double precision,-- flat: this x the concurrency of another run ...
    OUT flat_throughput_ratio double precision, -- ... gave at most this x its throughput
    OUT model_min_runs integer,                 -- the USL model: at least this many runs
    OUT model_min_r2 double precision,          -- ... fitting with r2 at least this
    OUT model_data_tolerance double precision,  -- ... of data sizes within this share
    OUT model_extrapolation double precision,   -- warn beyond this x the largest concurrency
    OUT runs_considered integer,                -- the latest runs of a test read
    OUT error_success_pct double precision,     -- bottleneck errors: success under this
    OUT waiting_share double precision,         -- bottleneck waiting: W >= this x felt time
    OUT class_share_pct double precision,       -- a wait class that stands out (% of samples)
    OUT cpu_share_pct double precision,         -- CPU that stands out (% of samples)
    OUT seq_tup_per_op double precision,        -- bottleneck plans: tuples read per operation
    OUT min_duration_s double precision,        -- the run that would answer: at least this long
    OUT min_ops_per_user double precision,      -- ... with this many operations per user
    OUT long_run_s double precision,            -- ... a warning beyond this
    OUT ramp_up_s double precision,             -- ... its ramp-up
    OUT max_pool integer,                       -- ... its pool at most this
    OUT rec_seq_tup_read double precision,      -- index: a table's sequential tuples read ...
    OUT rec_seq_tup_per_scan double precision,  -- ... and per sequential scan
    OUT rec_index_columns integer,              -- ... at most this many columns
    OUT rec_hypo_fall double precision,         -- ... HypoPG: cost falls by this share
    OUT rec_lock_samples double precision,      -- lock waits: an operation with this many samples
    OUT rec_cache_hit_pct double precision,     -- cache: hit ratio under this ...
    OUT rec_cache_blocks double precision,      -- ... with this many blocks read
    OUT rec_read_share double precision,        -- replicas: reads over this share
    OUT rec_tail_factor double precision,       -- tail: p99 over this x the median ...
    OUT rec_tail_ms double precision,           -- ... and at least this
    OUT listed integer,                         -- items of a list named in a text
    OUT min_wait_samples double precision,      -- wait classes weigh only over this many samples
    OUT rec_wal_write_p95_ms double precision,  -- WAL: unless saturated, the writes' p95 at least this
    OUT retry_tries integer)                    -- errors: retries advised up to this loadtest.max_tries (1.6)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 99::float8, 0.9::float8, 0.5::float8, 0.7::float8, 0.05::float8,
       1.5::float8, 1.1::float8, 4, 0.9::float8, 0.10::float8, 4::float8, 100,
       95::float8, 0.5::float8, 30::float8, 70::float8, 1000::float8,
       60::float8, 10::float8, 600::float8, 10::float8, 64,
       10000::float8, 1000::float8, 3, 0.10::float8,
       20::float8, 99::float8, 1000::float8, 0.6::float8, 10::float8, 100::float8,
       10, 100::float8, 20::float8, 3
$$;

COMMENT ON FUNCTION loadtest.verdict_limits() IS
'loadtest (internal): the thresholds of loadtest_verdict and loadtest_recommendations, in one place';

-- ---------------------------------------------------------------------------
-- Small helpers
-- ---------------------------------------------------------------------------

-- value when it lies in [lo, hi], else NULL (NaN sorts above every number)
CREATE OR REPLACE FUNCTION loadtest.within(value double precision, lo double precision, hi double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value >= lo AND value <= hi THEN value END
$$;

COMMENT ON FUNCTION loadtest.within(double precision, double precision, double precision) IS
'loadtest (internal): value when it lies between lo and hi, else NULL (NaN and infinities outside any finite range)';

-- A figure of a run (a time in ms, a throughput, a rate): between 0 and
-- 1e12, else NULL; below 1e-9, 0.  Products and quotients of such figures
-- neither overflow nor underflow double precision.
CREATE OR REPLACE FUNCTION loadtest.figure(value double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value >= 1e-9::float8 AND value <= 1e12::float8 THEN value
            WHEN value >= 0::float8 AND value < 1e-9::float8 THEN 0::float8 END
$$;

COMMENT ON FUNCTION loadtest.figure(double precision) IS
'loadtest (internal): a figure of a run (ms, ops/sec) between 0 and 1e12, else NULL; values under 1e-9 count as 0';

-- a * b, or +-Infinity where it overflows and 0 where it underflows (double
-- precision arithmetic raises an error there)
CREATE OR REPLACE FUNCTION loadtest.float8_mul(a double precision, b double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN a * b;
EXCEPTION WHEN numeric_value_out_of_range THEN
    IF abs(a) < 1 OR abs(b) < 1 THEN
        RETURN 0;
    END IF;
    RETURN CASE WHEN (a > 0) = (b > 0) THEN 'Infinity'::float8 ELSE '-Infinity'::float8 END;
END
$$;

COMMENT ON FUNCTION loadtest.float8_mul(double precision, double precision) IS
'loadtest (internal): a * b, +-Infinity instead of an overflow error, 0 instead of an underflow error';

-- a number for the verdict's texts: 0 or 2 decimals, 'n/a' for NULL
CREATE OR REPLACE FUNCTION loadtest.verdict_num(value double precision, decimals integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(loadtest.format_number(value, CASE WHEN decimals = 0 THEN 'FM999G999G999G999G990'
                                                   WHEN decimals = 1 THEN 'FM999G999G999G999G990D0'
                                                   ELSE 'FM999G999G999G999G990D00' END), 'n/a')
$$;

COMMENT ON FUNCTION loadtest.verdict_num(double precision, integer) IS
'loadtest (internal): a number as the verdict writes it (0, 1 or 2 decimals; n/a for NULL)';

-- A run's row of loadtest.run_summary, or none when the view cannot compute
-- it (for rows written by hand the view's arithmetic can underflow: a sum
-- of latencies of 5e-324 over a huge count of operations).
CREATE OR REPLACE FUNCTION loadtest.run_summary_of(run_id bigint)
RETURNS TABLE (duration_s double precision, total_ops bigint, failed bigint,
               success_pct double precision, throughput_ops_s double precision,
               avg_ms double precision, median_ms double precision, p95_ms double precision,
               p99_ms double precision, read_share double precision,
               avg_wait_ms double precision, late_starts bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
        SELECT x.duration_s, x.total_ops, x.failed, x.success_pct, x.throughput_ops_s, x.avg_ms,
               x.median_ms, x.p95_ms, x.p99_ms, x.read_share, x.avg_wait_ms, x.late_starts
          FROM loadtest.run_summary x WHERE x.run_id = run_summary_of.run_id;
EXCEPTION WHEN data_exception THEN
    RETURN;
END
$$;

COMMENT ON FUNCTION loadtest.run_summary_of(bigint) IS
'loadtest (internal): the figures of a run''s row of loadtest.run_summary that loadtest.run_figures reads; none when the view raises a data exception on its summaries';

-- ---------------------------------------------------------------------------
-- The figures of a run (the one definition)
--
-- From loadtest.run_summary s, loadtest.runs r and the response histograms:
--   throughput_ops_s  X = s.throughput_ops_s (attempts per second)
--   avg_ms            R = s.avg_ms (the operation itself)
--   wait_ms           W = coalesce(s.avg_wait_ms, 0): the pool wait of a
--                     pooled run, the schedule lag of a rate run
--   think_ms          Z = r.think_time_ms in a closed run, 0 in a rate run
--   felt_ms           R + W; felt_p95_ms the p95 of the response histograms
--   concurrency       X (R + W + Z) / 1000: users in the system (Little's law)
--   demand_ops_s      closed: users / ((Z + R) / 1000), what the users would
--                     ask if never queued; rate: what its schedule asked on
--                     average over the run (the rate, less over a ramp-up)
--   kept_up           X >= 0.9 demand, no arrival dropped, no user lost
--   busy_workers      X R / 1000 (pooled); pool_saturated: W >= R / 2 and
--                     busy_workers >= 0.7 pool_size; rate_saturated: not
--                     kept up, or over 5% of the operations started late
--   data_bytes        sum of run_table_stats.total_bytes (NULL before 1.5)
--   usable            the run can serve as evidence: X between 1e-9 and
--                     1e12, R, W, Z and success known, operations recorded
-- Figures out of range (NaN, infinities, negative times, X over 1e12, times
-- over 1e12 ms) are NULL, so that nothing computed from them can overflow.
-- shape: 'dedicated' (a worker per user), 'pooled', 'rate', 'staged'.
-- No row for a run the caller cannot see.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.run_figures(run_id bigint)
RETURNS TABLE (run_id bigint, status text, role_name name, database_name name, pattern text,
               server_version text, shape text, users integer, pool_size integer,
               rate double precision, think_time_ms integer, hot_rows integer,
               users_lost integer, arrivals_dropped bigint, ramp_up_s double precision,
               duration_limit_s double precision, duration_s double precision,
               total_ops bigint, failed bigint, success_pct double precision,
               read_share double precision, throughput_ops_s double precision,
               avg_ms double precision, wait_ms double precision, think_ms double precision,
               felt_ms double precision, felt_p95_ms double precision, median_ms double precision,
               p95_ms double precision, p99_ms double precision, concurrency double precision,
               demand_ops_s double precision, kept_up boolean, late_starts bigint,
               late_start_pct double precision, busy_workers double precision,
               pool_saturated boolean, rate_saturated boolean, data_bytes numeric,
               usable boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT r.run_id, r.status::text, r.role_name, r.database_name, r.pattern, r.server_version,
       c.shape, r.users, r.pool_size, c.rate, r.think_time_ms, r.hot_rows,
       r.users_lost, r.arrivals_dropped, loadtest.figure(r.ramp_up_s),
       loadtest.figure(r.duration_limit_s), c.duration_s,
       s.total_ops, s.failed, c.success_pct, c.read_share,
       c.x, c.r, c.w, c.z, c.r + c.w, c.felt_p95, c.median, c.p95, c.p99,
       c.x * (c.r + c.w + c.z) / 1000, d.demand,
       c.x >= k.kept_up_share * d.demand AND r.arrivals_dropped = 0 AND r.users_lost = 0,
       s.late_starts,
       CASE WHEN s.total_ops > 0 AND s.late_starts BETWEEN 0 AND s.total_ops
            THEN 100 * s.late_starts::float8 / s.total_ops::float8 END,
       CASE WHEN c.shape = 'pooled' AND r.pool_size >= 1 THEN c.x * c.r / 1000 END,
       coalesce(c.shape = 'pooled' AND r.pool_size >= 1 AND c.w >= k.pool_wait_share * c.r
                AND c.x * c.r / 1000 >= k.pool_busy_share * r.pool_size, false),
       coalesce(c.shape = 'rate'
                AND (NOT (c.x >= k.kept_up_share * d.demand AND r.arrivals_dropped = 0 AND r.users_lost = 0)
                     OR s.late_starts::float8 > k.late_start_share * s.total_ops::float8), false),
       (SELECT CASE WHEN count(t.total_bytes) > 0 THEN sum(t.total_bytes) FILTER (WHERE t.total_bytes >= 0) END
          FROM loadtest.run_table_stats t WHERE t.run_id = r.run_id),
       coalesce(c.x >= 1e-9 AND c.r IS NOT NULL AND c.w IS NOT NULL AND c.z IS NOT NULL
                AND c.success_pct IS NOT NULL AND s.total_ops > 0, false)
  FROM loadtest.runs r
 CROSS JOIN loadtest.verdict_limits() k
  LEFT JOIN LATERAL loadtest.run_summary_of(r.run_id) s ON true
 CROSS JOIN LATERAL (
       SELECT CASE WHEN r.stages IS NOT NULL THEN 'staged' WHEN r.rate IS NOT NULL THEN 'rate'
                   WHEN r.pool_size IS NOT NULL THEN 'pooled' ELSE 'dedicated' END AS shape,
              nullif(loadtest.figure(r.rate), 0) AS rate,
              loadtest.figure(s.duration_s) AS duration_s,
              loadtest.within(s.success_pct, 0, 100) AS success_pct,
              loadtest.within(s.read_share, 0, 1) AS read_share,
              loadtest.figure(s.throughput_ops_s) AS x,
              loadtest.figure(s.avg_ms) AS r,
              loadtest.figure(coalesce(s.avg_wait_ms, 0)) AS w,
              CASE WHEN r.rate IS NOT NULL THEN 0::float8
                   WHEN r.think_time_ms >= 0 THEN r.think_time_ms::float8 END AS z,
              loadtest.figure((SELECT (loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                                                     ARRAY[0.95]::float8[]))[1]
                                 FROM loadtest.run_histograms h
                                WHERE h.run_id = r.run_id AND h.scope = 'operation') / 1000) AS felt_p95,
              loadtest.figure(s.median_ms) AS median,
              loadtest.figure(s.p95_ms) AS p95,
              loadtest.figure(s.p99_ms) AS p99) c
 CROSS JOIN LATERAL (
       -- a rate run's schedule ramps up to its rate over ramp_up_s (see
       -- arrival_time_us): what it asked over its duration D is the rate
       -- times D / 2R while D <= R, times (D - R / 2) / D after
       SELECT CASE WHEN c.shape = 'rate' THEN
                       c.rate * CASE WHEN loadtest.figure(r.ramp_up_s) IS NULL OR r.ramp_up_s <= 0
                                          OR c.duration_s IS NULL OR c.duration_s <= 0 THEN 1
                                     WHEN c.duration_s <= r.ramp_up_s THEN c.duration_s / (2 * r.ramp_up_s)
                                     ELSE (c.duration_s - r.ramp_up_s / 2) / c.duration_s END
                   WHEN c.shape IN ('dedicated', 'pooled') AND r.users >= 1 AND c.z + c.r >= 1e-6
                   THEN r.users / ((c.z + c.r) / 1000) END AS demand) d
 WHERE r.run_id = run_figures.run_id
$$;

COMMENT ON FUNCTION loadtest.run_figures(bigint) IS
'loadtest (internal): the figures of a run, the one definition that the verdict and the recommendations read: run_id, status, role_name, database_name, pattern, server_version, shape (dedicated, pooled, rate, staged), users, pool_size, rate, think_time_ms, hot_rows, users_lost, arrivals_dropped, ramp_up_s, duration_limit_s, duration_s, total_ops, failed, success_pct, read_share, throughput_ops_s (X), avg_ms (R, the operation), wait_ms (W: pool wait or schedule lag), think_ms (Z: think time, 0 in a rate run), felt_ms (R + W), felt_p95_ms (response histograms), median_ms, p95_ms, p99_ms, concurrency (X (R + W + Z) / 1000, Little''s law), demand_ops_s (closed: users / (Z + R); rate: the schedule''s average over the run, its ramp-up included), kept_up (X >= 0.9 demand, nothing dropped or lost), late_starts, late_start_pct, busy_workers (X R / 1000), pool_saturated (W >= R / 2 and busy >= 0.7 pool), rate_saturated (not kept up or over 5% late starts), data_bytes (sum of total_bytes), usable (figures fit to serve as evidence), and the run''s configuration; figures out of range are NULL; no row for a run the caller cannot see';

-- The runs of "the same test" as a run: same role, database, pattern and
-- think time, completed, with summaries; the latest first, at most
-- runs_considered of them (the run itself among them when it qualifies).
CREATE OR REPLACE FUNCTION loadtest.same_test_runs(run_id bigint)
RETURNS TABLE (run_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT x.run_id
  FROM loadtest.runs r
  JOIN loadtest.runs x
    ON x.role_name = r.role_name AND x.database_name = r.database_name
   AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
   -- the settings that change what the operations do
   AND x.hot_rows = r.hot_rows AND x.isolation = r.isolation
   AND x.max_tries = r.max_tries AND x.op_timeout_ms = r.op_timeout_ms
   -- an open model (rate) is another test than a closed one (1.6)
   AND (x.rate IS NULL) = (r.rate IS NULL)
 WHERE r.run_id = same_test_runs.run_id
   AND x.status = 'completed'
   AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                WHERE h.run_id = x.run_id AND h.scope = 'operation')
 ORDER BY x.run_id DESC
 LIMIT (SELECT k.runs_considered FROM loadtest.verdict_limits() k)
$$;

COMMENT ON FUNCTION loadtest.same_test_runs(bigint) IS
'loadtest (internal): the runs of the same test as a run (same role, database, pattern, think time, hot rows, isolation, tries and operation timeout, both open (rate) or both closed; completed; with summaries), the latest first, at most verdict_limits().runs_considered';

-- One run's figures in one sentence, for the explanations.
CREATE OR REPLACE FUNCTION loadtest.verdict_run_text(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f record;
BEGIN
    SELECT * INTO f FROM loadtest.run_figures(verdict_run_text.run_id);
    IF NOT FOUND THEN
        RETURN format('run %s (not visible)', verdict_run_text.run_id);
    END IF;
    RETURN format('run %s (%s users%s, think time %sms): %s ops/sec, operation %sms%s, felt %sms (p95 %sms), success %s%%, concurrency %s (X x (R + W + Z))',
                  verdict_run_text.run_id, loadtest.verdict_num(f.users, 0),
                  CASE f.shape WHEN 'pooled' THEN ' through a pool of ' || loadtest.verdict_num(f.pool_size, 0) || ' workers'
                               WHEN 'rate' THEN ', arrival rate ' || loadtest.verdict_num(f.rate, 2) || ' ops/sec'
                               WHEN 'staged' THEN ', staged'
                               ELSE ', a worker each' END,
                  loadtest.verdict_num(f.think_time_ms, 0),
                  loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.avg_ms, 2),
                  CASE f.shape WHEN 'pooled' THEN ', pool wait ' || loadtest.verdict_num(f.wait_ms, 2) || 'ms'
                               WHEN 'rate' THEN ', schedule lag ' || loadtest.verdict_num(f.wait_ms, 2) || 'ms'
                               ELSE '' END,
                  loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(f.felt_p95_ms, 2),
                  loadtest.verdict_num(f.success_pct, 2), loadtest.verdict_num(f.concurrency, 2));
END
$$;

COMMENT ON FUNCTION loadtest.verdict_run_text(bigint) IS
'loadtest (internal): a run''s figures (loadtest.run_figures) in one sentence for the verdict''s explanation';

-- ---------------------------------------------------------------------------
-- Arguments and the run asked about
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.verdict_check_targets(target_users integer, target_ms double precision)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF target_users IS NULL OR target_users < 1 THEN
        RAISE EXCEPTION 'target_users must be at least 1, not %', coalesce(target_users::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_users is the number of concurrent users the verdict is for.',
                  HINT = 'Pass a number of users, e.g. loadtest_verdict(target_users => 4000).';
    END IF;
    IF target_ms IS NULL OR NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %', coalesce(target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms, as users feel it, that the verdict holds the server to.',
                  HINT = 'Pass a number of milliseconds, e.g. loadtest_verdict(target_ms => 500).';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_check_targets(integer, double precision) IS
'loadtest (internal): refuses (SQLSTATE 22023) a target_users under 1 and a target_ms that is not a finite positive number';

-- The run a report, a verdict or a check is about: run_id, or the latest
-- run the caller sees; marks stale runs first (runs that can no longer end
-- are not reported as running).  purpose: what the message of "no runs"
-- says ('report on', 'judge', 'check').
CREATE OR REPLACE FUNCTION loadtest.resolve_run(run_id bigint, purpose text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run_id bigint := resolve_run.run_id;
BEGIN
    -- not being allowed to update runs (privileges, read-only
    -- transaction, standby) is no reason not to answer
    BEGIN
        PERFORM @extschema@.loadtest_mark_stale_runs();
    EXCEPTION WHEN insufficient_privilege OR read_only_sql_transaction THEN
        NULL;
    END;
    IF v_run_id IS NULL THEN
        SELECT max(x.run_id) INTO v_run_id FROM loadtest.runs x;
        IF v_run_id IS NULL THEN
            RAISE EXCEPTION 'there are no loadtest runs to %', purpose
                USING ERRCODE = 'no_data_found',
                      HINT = 'Start a load test with loadtest_run() first.';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM loadtest.runs x WHERE x.run_id = v_run_id) THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM loadtest.runs ORDER BY run_id; lists the runs you can see.';
    END IF;
    RETURN v_run_id;
END
$$;

COMMENT ON FUNCTION loadtest.resolve_run(bigint, text) IS
'loadtest (internal): the run a report, a verdict, recommendations or a check are about: run_id (undefined_object when the caller cannot see it) or the latest run the caller sees (no_data_found when none: "there are no loadtest runs to <purpose>"); marks stale runs first';

-- ---------------------------------------------------------------------------
-- Basis 1: measured
-- ---------------------------------------------------------------------------

-- Little's law at a measured throughput x (ops/sec) with think time z:
-- the users served within target_ms, x (target_ms + z) / 1000, and the
-- response at target_users, the larger of the operation's r and
-- target_users / x - z (in ms): the measured and the saturation bases.
CREATE OR REPLACE FUNCTION loadtest.little_capacity(x double precision, target_ms double precision,
                                                    z double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT loadtest.float8_mul(x / 1000, target_ms + z)
$$;
COMMENT ON FUNCTION loadtest.little_capacity(double precision, double precision, double precision) IS
'loadtest (internal): Little''s law: the users a throughput x (ops/sec) serves within target_ms with think time z, x (target_ms + z) / 1000';

CREATE OR REPLACE FUNCTION loadtest.little_response(x double precision, target_users integer,
                                                    z double precision, r double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT greatest(r, target_users::float8 * 1000 / nullif(x, 0::float8) - z)
$$;
COMMENT ON FUNCTION loadtest.little_response(double precision, integer, double precision, double precision) IS
'loadtest (internal): Little''s law: the response in ms of target_users at a saturated throughput x (ops/sec) with think time z, at least the operation''s r: max(r, target_users 1000 / x - z)';

-- This run if it is a closed-model run of the test at target_users or
-- more, else the latest such run of the same test.
CREATE OR REPLACE FUNCTION loadtest.verdict_measured(run_id bigint, target_users integer,
                                                     target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis_run_id bigint, saturated boolean, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k  record;
    f  record;
    v_run bigint := verdict_measured.run_id;
    v_tu  integer := verdict_measured.target_users;
    v_tm  double precision := verdict_measured.target_ms;
    why   text[] := '{}';
    v_demand double precision;
    v_kept   boolean;
    v_fewer  boolean;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT s.run_id AS id, x.* INTO f
      FROM loadtest.same_test_runs(v_run) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) x
     WHERE x.shape IN ('dedicated', 'pooled') AND x.users >= v_tu AND x.usable
     ORDER BY s.run_id = v_run DESC, s.run_id DESC
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    -- In a closed run the demand falls as users wait: throughput kept up
    -- when it is what the users ask at the target, users / (Z + target)
    -- (Little's law); users lost count against it.
    v_demand := loadtest.float8_mul(f.users::float8, 1000 / (f.think_ms + v_tm));
    v_kept := f.throughput_ops_s >= k.kept_up_share * v_demand AND f.users_lost = 0;
    ready := f.felt_ms <= v_tm AND f.success_pct >= k.ready_success_pct AND coalesce(v_kept, false);
    capacity_users := loadtest.little_capacity(f.throughput_ops_s, v_tm, f.think_ms);
    -- A run with more users than the target that missed it: fewer users
    -- queue less, and the throughput it measured serves target_users
    -- within target_ms when Little's law says so.
    v_fewer := f.users > v_tu AND NOT coalesce(ready, false)
               AND f.success_pct >= k.ready_success_pct AND f.users_lost = 0;
    IF v_fewer THEN
        ready := capacity_users >= v_tu;
    END IF;
    response_ms_at_target := CASE WHEN f.users = v_tu OR (ready AND NOT v_fewer) THEN f.felt_ms
                                  ELSE loadtest.little_response(f.throughput_ops_s, v_tu, f.think_ms, f.avg_ms) END;
    basis_run_id := f.id;
    saturated := f.pool_saturated OR f.rate_saturated;

    IF v_fewer THEN
        why := why || format('its %s users felt %sms > %sms, but %s users need only %s ops/sec within %sms, and it measured %s',
                             loadtest.verdict_num(f.users, 0), loadtest.verdict_num(f.felt_ms, 2),
                             loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(v_tu, 0),
                             loadtest.verdict_num(v_tu::float8 * 1000 / (v_tm + f.think_ms), 2),
                             loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(f.throughput_ops_s, 2));
    ELSIF NOT f.felt_ms <= v_tm THEN
        why := why || format('users felt %sms > %sms', loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(v_tm, 2));
    END IF;
    IF NOT f.success_pct >= k.ready_success_pct THEN
        why := why || format('success %s%% < %s%%', loadtest.verdict_num(f.success_pct, 2),
                             loadtest.verdict_num(k.ready_success_pct, 0));
    END IF;
    IF NOT coalesce(v_kept, false) THEN
        why := why || 'throughput did not keep up with the demand'::text;
    END IF;

    explanation := concat_ws(E'\n',
        format('measured: %s', loadtest.verdict_run_text(f.id)),
        format('%s: users felt %sms per operation (%s%sms operation) against the %sms target, success %s%% (%s%% needed), throughput %s of the %s ops/sec the users ask at the target (%s%s)%s',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END,
               loadtest.verdict_num(f.felt_ms, 2),
               CASE f.shape WHEN 'pooled' THEN loadtest.verdict_num(f.wait_ms, 2) || 'ms waiting for a worker + ' ELSE '' END,
               loadtest.verdict_num(f.avg_ms, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(f.success_pct, 2), loadtest.verdict_num(k.ready_success_pct, 0),
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_demand, 2),
               CASE WHEN v_kept THEN 'kept up' ELSE 'did not keep up' END,
               CASE WHEN f.users_lost > 0 OR f.arrivals_dropped > 0
                    THEN format(', %s users lost, %s arrivals dropped', f.users_lost, f.arrivals_dropped) ELSE '' END,
               CASE WHEN cardinality(why) > 0 THEN ': ' || array_to_string(why, '; ') ELSE '' END),
        format('capacity: Little''s law at the measured throughput: %s ops/sec x (%sms target + %sms think time) / 1000 = %s users within %sms (a lower bound, exact when the server is saturated)',
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(f.think_ms, 0), loadtest.verdict_num(floor(capacity_users), 0),
               loadtest.verdict_num(v_tm, 2)),
        CASE WHEN f.users = v_tu
             THEN format('response at %s users: %sms, as measured', loadtest.verdict_num(v_tu, 0),
                         loadtest.verdict_num(response_ms_at_target, 2))
             WHEN ready AND NOT v_fewer
             THEN format('response at %s users: at most %sms, measured at %s users', loadtest.verdict_num(v_tu, 0),
                         loadtest.verdict_num(response_ms_at_target, 2), loadtest.verdict_num(f.users, 0))
             ELSE format('response at %s users: the larger of the operation''s %sms and %s x 1000 / %s ops/sec - %sms think time = %sms',
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.avg_ms, 2),
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.throughput_ops_s, 2),
                         loadtest.verdict_num(f.think_ms, 0), loadtest.verdict_num(response_ms_at_target, 2)) END);
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_measured(bigint, integer, double precision) IS
'loadtest (internal): the measured basis of loadtest_verdict: a closed-model run of the same test at target_users or more (this run, else the latest); ready when users felt at most target_ms, success >= 99% and throughput kept up; capacity by Little''s law, X (target_ms + Z) / 1000; no row without such a run';

-- ---------------------------------------------------------------------------
-- Basis 2: saturation
-- ---------------------------------------------------------------------------

-- The run of the test (this one or another) that saturated the server or
-- its pool with the largest throughput, and why it counts as saturated:
-- its pool (W >= R / 2 and the workers busy), its arrival rate (not kept up
-- or late starts), or throughput flat as users grew (a run with 1.5x the
-- concurrency of another gave at most 1.1x its throughput).  No row when
-- none did.
CREATE OR REPLACE FUNCTION loadtest.saturated_run(run_id bigint)
RETURNS TABLE (saturated_run_id bigint, pool boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
figs AS (
    SELECT s.run_id AS id, f.*
      FROM loadtest.same_test_runs(saturated_run.run_id) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) f
     WHERE f.usable),
flat AS (
    SELECT DISTINCT ON (b.id) b.id, a.id AS base_id, a.concurrency AS base_conc,
           a.throughput_ops_s AS base_x
      FROM figs a, figs b, k
     WHERE a.shape IN ('dedicated', 'pooled') AND b.shape IN ('dedicated', 'pooled')
       AND a.concurrency > 0 AND b.concurrency >= k.flat_concurrency_ratio * a.concurrency
       AND b.throughput_ops_s <= k.flat_throughput_ratio * a.throughput_ops_s
     ORDER BY b.id, b.throughput_ops_s / a.throughput_ops_s, a.id DESC)
SELECT f.id, f.pool_saturated,
       CASE WHEN f.pool_saturated THEN
                format('its pool of %s workers saturated: users waited %sms for a worker (at least %s x the %sms operation) while %s of its %s workers were busy (X x R / 1000)',
                       loadtest.verdict_num(f.pool_size, 0), loadtest.verdict_num(f.wait_ms, 2),
                       loadtest.verdict_num(k.pool_wait_share, 2), loadtest.verdict_num(f.avg_ms, 2),
                       loadtest.verdict_num(f.busy_workers, 2), loadtest.verdict_num(f.pool_size, 0))
            WHEN f.rate_saturated THEN
                format('it did not keep up with its arrival rate: %s of %s ops/sec, %s%% of the operations started over 10ms late, %s arrivals dropped',
                       loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.demand_ops_s, 2),
                       loadtest.verdict_num(f.late_start_pct, 2), loadtest.verdict_num(f.arrivals_dropped, 0))
            ELSE
                format('throughput was flat as users grew: at concurrency %s it gave %s ops/sec, %s x the %s ops/sec of run %s at concurrency %s (%s x the concurrency)',
                       loadtest.verdict_num(f.concurrency, 2), loadtest.verdict_num(f.throughput_ops_s, 2),
                       loadtest.verdict_num(f.throughput_ops_s / fl.base_x, 2), loadtest.verdict_num(fl.base_x, 2),
                       fl.base_id, loadtest.verdict_num(fl.base_conc, 2),
                       loadtest.verdict_num(f.concurrency / fl.base_conc, 2)) END
  FROM figs f
  LEFT JOIN flat fl ON fl.id = f.id
 CROSS JOIN k
 WHERE f.pool_saturated OR f.rate_saturated OR fl.id IS NOT NULL
 ORDER BY f.throughput_ops_s DESC, f.id DESC
 LIMIT 1
$$;

COMMENT ON FUNCTION loadtest.saturated_run(bigint) IS
'loadtest (internal): the run of the same test that saturated the server or its pool with the largest throughput (pooled: W >= R / 2 with the workers busy; rate: not kept up or late starts over 5%; closed: 1.5x the concurrency of another run for at most 1.1x its throughput), whether only its pool saturated, and why';

CREATE OR REPLACE FUNCTION loadtest.verdict_saturation(run_id bigint, target_users integer,
                                                       target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis_run_id bigint, saturated boolean, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint := verdict_saturation.run_id;
    v_tu  integer := verdict_saturation.target_users;
    v_tm  double precision := verdict_saturation.target_ms;
    s     record;
    f     record;
    v_z   double precision;
BEGIN
    SELECT * INTO s FROM loadtest.saturated_run(v_run);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO f FROM loadtest.run_figures(s.saturated_run_id);
    -- the think time of the users asked about (0 for a rate run)
    v_z := coalesce((SELECT x.think_ms FROM loadtest.run_figures(v_run) x), f.think_ms);

    capacity_users := loadtest.little_capacity(f.throughput_ops_s, v_tm, v_z);
    ready := capacity_users >= v_tu;
    response_ms_at_target := loadtest.little_response(f.throughput_ops_s, v_tu, v_z, f.avg_ms);
    basis_run_id := s.saturated_run_id;
    saturated := true;
    explanation := concat_ws(E'\n',
        format('saturation: run %s saturated %s: %s', s.saturated_run_id,
               CASE WHEN s.pool THEN 'its pool' ELSE 'the server' END, s.reason),
        format('figures: %s', loadtest.verdict_run_text(s.saturated_run_id)),
        format('capacity: Little''s law at the saturated throughput: %s ops/sec x (%sms target + %sms think time) / 1000 = %s users within %sms%s',
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(v_z, 0), loadtest.verdict_num(floor(capacity_users), 0),
               loadtest.verdict_num(v_tm, 2),
               CASE WHEN s.pool THEN ' with a pool of ' || loadtest.verdict_num(f.pool_size, 0)
                                     || ' workers (the pool may be the limit, not the server)' ELSE '' END),
        format('%s: %s users %s %s; response at %s users: the larger of the operation''s %sms and %s x 1000 / %s ops/sec - %sms think time = %sms',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END,
               loadtest.verdict_num(floor(capacity_users), 0),
               CASE WHEN ready THEN '>=' ELSE '<' END, loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.avg_ms, 2), loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_z, 0),
               loadtest.verdict_num(response_ms_at_target, 2)));
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_saturation(bigint, integer, double precision) IS
'loadtest (internal): the saturation basis of loadtest_verdict: capacity by Little''s law at the throughput of the saturated run (loadtest.saturated_run), X_sat (target_ms + Z) / 1000; ready when it reaches target_users; response max(R_sat, target_users / X_sat - Z); no row when no run saturated';

-- ---------------------------------------------------------------------------
-- Basis 3: the USL model
-- ---------------------------------------------------------------------------

-- The closed-model runs of the test and whether the model may use them:
-- the same shape (a worker each, or pooled) as the run asked about, the
-- same server version, a data size within 10% when both are known, usable
-- figures with a concurrency of 1 or more; the latest run of each user
-- count.  used false: left out, reason says why.
CREATE OR REPLACE FUNCTION loadtest.model_runs(run_id bigint)
RETURNS TABLE (model_run_id bigint, users integer, concurrency double precision,
               throughput_ops_s double precision, used boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
me AS (SELECT * FROM loadtest.run_figures(model_runs.run_id)),
figs AS (
    SELECT s.run_id AS id, f.*,
           CASE WHEN NOT f.usable THEN 'its figures are not usable'
                WHEN f.shape <> me.shape THEN format('%s, not %s', f.shape, me.shape)
                WHEN f.server_version IS DISTINCT FROM me.server_version
                THEN format('server version %s, not %s', loadtest.one_line(f.server_version, 40),
                            loadtest.one_line(me.server_version, 40))
                WHEN f.data_bytes IS NOT NULL AND me.data_bytes IS NOT NULL
                     AND abs(f.data_bytes - me.data_bytes) > k.model_data_tolerance::numeric * me.data_bytes
                THEN format('data size %s, not %s (over %s%% apart)', loadtest.format_bytes(f.data_bytes),
                            loadtest.format_bytes(me.data_bytes), loadtest.verdict_num(100 * k.model_data_tolerance, 0))
                WHEN NOT f.concurrency BETWEEN 1 AND 1e9 THEN 'concurrency under 1'
                WHEN NOT f.throughput_ops_s BETWEEN 1e-9 AND 1e12 THEN 'throughput out of range' END AS why
      FROM loadtest.same_test_runs(model_runs.run_id) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) f
     CROSS JOIN me CROSS JOIN k
     WHERE f.shape IN ('dedicated', 'pooled') AND me.shape IN ('dedicated', 'pooled')),
ranked AS (
    SELECT figs.*, row_number() OVER (PARTITION BY figs.why IS NULL, figs.users ORDER BY figs.id DESC) AS n
      FROM figs)
SELECT r.id, r.users, r.concurrency, r.throughput_ops_s, r.why IS NULL AND r.n = 1,
       coalesce(r.why, CASE WHEN r.n > 1 THEN 'a later run has as many users' END)
  FROM ranked r
 ORDER BY r.why IS NULL AND r.n = 1 DESC, r.concurrency, r.id
$$;

COMMENT ON FUNCTION loadtest.model_runs(bigint) IS
'loadtest (internal): the closed-model runs of the same test for the USL model: used (same shape, server version, data size within 10%, usable figures, the latest run of each user count) or left out with the reason';

-- The largest N whose predicted response time is within target_ms
-- (bisection over loadtest_usl_predict: the response grows with N); 0 when
-- not even one user is, 1e12 when all up to loadtest_usl_predict's range are.
CREATE OR REPLACE FUNCTION loadtest.usl_capacity(sigma double precision, kappa double precision,
                                                 lambda double precision, target_ms double precision,
                                                 think_ms double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lo double precision := 1;
    hi double precision := 1e12;
    mid double precision;
BEGIN
    IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, lo, think_ms) p) > target_ms THEN
        RETURN 0;
    END IF;
    IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, hi, think_ms) p) <= target_ms THEN
        RETURN hi;
    END IF;
    -- on a logarithmic scale first, then to the unit
    FOR i IN 1 .. 200 LOOP
        EXIT WHEN hi - lo <= 1;
        mid := CASE WHEN hi / lo > 4 THEN sqrt(lo) * sqrt(hi) ELSE (lo + hi) / 2 END;
        IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, mid, think_ms) p) <= target_ms THEN
            lo := mid;
        ELSE
            hi := mid;
        END IF;
    END LOOP;
    RETURN floor(lo);
END
$$;

COMMENT ON FUNCTION loadtest.usl_capacity(double precision, double precision, double precision, double precision, double precision) IS
'loadtest (internal): the largest number of users whose USL response time (loadtest_usl_predict) is within target_ms, by bisection; 0 when not even one user is, 1e12 at most';

-- "left out: run 12 (reason), ..." or NULL
CREATE OR REPLACE FUNCTION loadtest.verdict_left_out(runs text[], more integer)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN cardinality(runs) > 0
            THEN 'left out: ' || array_to_string(runs, ', ')
                 || CASE WHEN more > 0 THEN format(' and %s more', more) ELSE '' END END
$$;

COMMENT ON FUNCTION loadtest.verdict_left_out(text[], integer) IS
'loadtest (internal): the line of the model''s explanation that lists the runs left out';

CREATE OR REPLACE FUNCTION loadtest.verdict_model(run_id bigint, target_users integer,
                                                  target_ms double precision)
RETURNS TABLE (used boolean, ready boolean, capacity_users double precision,
               response_ms_at_target double precision, basis_run_id bigint, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k      record;
    fit    record;
    pred   record;
    loo    record;
    v_run  bigint := verdict_model.run_id;
    v_tu   integer := verdict_model.target_users;
    v_tm   double precision := verdict_model.target_ms;
    v_z    double precision;
    v_ids  bigint[];
    v_conc double precision[];
    v_x    double precision[];
    m      record;
    v_left text[];
    v_more integer := 0;
    v_lo   double precision;
    v_hi   double precision;
    v_max  double precision;
    v_n    integer;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    used := false;
    SELECT f.think_ms INTO v_z FROM loadtest.run_figures(v_run) f
     WHERE f.shape IN ('dedicated', 'pooled');
    IF v_z IS NULL THEN
        explanation := 'model: the USL model needs closed-model runs (no rate, no stages) with usable figures';
        RETURN NEXT;
        RETURN;
    END IF;

    -- the runs used (by concurrency), and the first of those left out
    v_ids := '{}';
    v_conc := '{}';
    v_x := '{}';
    v_left := '{}';
    FOR m IN SELECT * FROM loadtest.model_runs(v_run) LOOP
        IF m.used THEN
            v_ids := v_ids || m.model_run_id;
            v_conc := v_conc || m.concurrency;
            v_x := v_x || m.throughput_ops_s;
        ELSIF cardinality(v_left) < k.listed THEN
            v_left := v_left || format('run %s (%s)', m.model_run_id, m.reason);
        ELSE
            v_more := v_more + 1;
        END IF;
    END LOOP;
    v_n := cardinality(v_ids);
    IF v_n < k.model_min_runs THEN
        explanation := concat_ws(E'\n',
            format('model: %s comparable %s of this test (the USL model needs %s at distinct user counts)',
                   v_n, CASE WHEN v_n = 1 THEN 'run' ELSE 'runs' END, k.model_min_runs),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END IF;

    BEGIN
        SELECT * INTO fit FROM @extschema@.loadtest_usl_fit(v_conc, v_x);
        SELECT * INTO pred FROM @extschema@.loadtest_usl_predict(fit.sigma, fit.kappa, fit.lambda, v_tu, v_z);
    EXCEPTION WHEN data_exception THEN
        explanation := concat_ws(E'\n',
            format('model: the USL could not be fitted to runs %s: %s', array_to_string(v_ids, ', '),
                   loadtest.one_line(SQLERRM, 200)),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END;
    IF NOT fit.r2 >= k.model_min_r2 THEN
        explanation := concat_ws(E'\n',
            format('model: the USL fit over runs %s has r2 %s, under %s: not used',
                   array_to_string(v_ids, ', '), coalesce(loadtest.format_number(fit.r2, 'FM990.0000'), 'n/a'),
                   loadtest.verdict_num(k.model_min_r2, 2)),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END IF;

    -- the uncertainty: the predictions of the fits that leave one run out
    FOR i IN 1 .. v_n LOOP
        BEGIN
            SELECT p.response_ms INTO loo
              FROM @extschema@.loadtest_usl_fit(v_conc[1:i - 1] || v_conc[i + 1:v_n],
                                                v_x[1:i - 1] || v_x[i + 1:v_n]) q
             CROSS JOIN LATERAL @extschema@.loadtest_usl_predict(q.sigma, q.kappa, q.lambda, v_tu, v_z) p;
            v_lo := least(v_lo, loo.response_ms);
            v_hi := greatest(v_hi, loo.response_ms);
        EXCEPTION WHEN data_exception THEN
            NULL;
        END;
    END LOOP;
    SELECT max(c) INTO v_max FROM unnest(v_conc) c;

    used := true;
    ready := pred.response_ms <= v_tm;
    capacity_users := loadtest.usl_capacity(fit.sigma, fit.kappa, fit.lambda, v_tm, v_z);
    response_ms_at_target := pred.response_ms;
    basis_run_id := v_ids[v_n];
    explanation := concat_ws(E'\n',
        format('model: the USL (loadtest_usl_fit) over %s comparable runs of this test, runs %s at concurrency %s: sigma %s, kappa %s, lambda %s ops/sec, r2 %s',
               v_n, array_to_string(v_ids, ', '),
               (SELECT string_agg(loadtest.verdict_num(c, 2), ', ' ORDER BY o) FROM unnest(v_conc) WITH ORDINALITY u(c, o)),
               loadtest.format_number(fit.sigma, 'FM9990.0000'),
               CASE WHEN fit.kappa = 0 THEN '0' ELSE btrim(loadtest.format_number(fit.kappa, '9.99EEEE')) END,
               loadtest.verdict_num(fit.lambda, 2), loadtest.format_number(fit.r2, 'FM990.0000')),
        format('%s: predicted at %s users: %s ops/sec, response %sms against the %sms target (the fits leaving one run out: %s to %sms)',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END, loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(pred.throughput, 2), loadtest.verdict_num(pred.response_ms, 2),
               loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(v_lo, 2), loadtest.verdict_num(v_hi, 2)),
        format('capacity: the most users whose predicted response is within %sms: %s', loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(capacity_users, 0)),
        CASE WHEN v_tu > k.model_extrapolation * v_max
             THEN format('extrapolated: %s users is %s x the largest concurrency measured (%s): the prediction may be far off; measure nearer the target',
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(v_tu / v_max, 1), loadtest.verdict_num(v_max, 2)) END,
        loadtest.verdict_left_out(v_left, v_more));
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_model(bigint, integer, double precision) IS
'loadtest (internal): the model basis of loadtest_verdict: the USL fitted to the concurrency and throughput of 4 or more comparable runs (loadtest.model_runs), used when r2 >= 0.9: the prediction at target_users, its range over leave-one-out fits, the capacity by bisection; used false with the reason otherwise';

-- ---------------------------------------------------------------------------
-- Basis 4: no evidence, and the run that would answer
-- ---------------------------------------------------------------------------

-- The exact loadtest_run() call of a closed-model pooled run.
CREATE OR REPLACE FUNCTION loadtest.verdict_run_call(users integer, pool_size integer, duration_s double precision,
                                                     pattern text, think_time_ms integer, ramp_up_s double precision)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT format('SELECT loadtest_run(users => %s, pool_size => %s, duration => %L, pattern => %s, think_time_ms => %s, ramp_up_s => %s);',
              users, pool_size,
              CASE WHEN duration_s < 1e15 THEN ceil(duration_s)::bigint::text ELSE '1e15' END || ' s',
              loadtest.one_line(quote_literal(pattern), 200), think_time_ms,
              CASE WHEN ramp_up_s >= 0 AND ramp_up_s < 1e9 THEN ramp_up_s::text ELSE '0' END)
$$;

COMMENT ON FUNCTION loadtest.verdict_run_call(integer, integer, double precision, text, integer, double precision) IS
'loadtest (internal): the text of a loadtest_run() call with a pool, a duration, pattern, think time and ramp-up';

CREATE OR REPLACE FUNCTION loadtest.verdict_no_evidence(run_id bigint, target_users integer,
                                                        target_ms double precision, model_note text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k        record;
    r        loadtest.runs;
    v_slots  integer := coalesce(current_setting('max_worker_processes', true), '8')::integer;
    v_pool   integer;
    v_think  integer;
    v_dur    double precision;
    v_total  double precision;
    v_call   text;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = verdict_no_evidence.run_id;
    v_think := greatest(coalesce(r.think_time_ms, 0), 0);
    v_pool := least(k.max_pool, greatest(1, v_slots - 2), target_users);
    -- long enough for each user to do min_ops_per_user operations
    v_dur := greatest(k.min_duration_s, loadtest.float8_mul(k.min_ops_per_user / 1000, v_think + target_ms));
    v_total := v_dur + k.ramp_up_s;
    v_call := loadtest.verdict_run_call(target_users, v_pool, v_dur, coalesce(r.pattern, 'distributed'),
                                        v_think, k.ramp_up_s)
              || ' SELECT * FROM loadtest_verdict('
              || concat_ws(', ', CASE WHEN target_users <> 4000 THEN 'target_users => ' || target_users END,
                                 CASE WHEN target_ms <> 500 THEN 'target_ms => ' || target_ms::text END)
              || ');';
    RETURN concat_ws(E'\n',
        format('no evidence answers it for %s users: no completed closed-model run of this test (pattern %s, think time %sms) at %s users or more, no run of it saturated the server or its pool, and the USL model cannot answer',
               loadtest.verdict_num(target_users, 0), loadtest.one_line(r.pattern, 100),
               loadtest.verdict_num(v_think, 0), loadtest.verdict_num(target_users, 0)),
        model_note,
        'to answer it: ' || v_call,
        format('it takes about %s s (%s s with each user doing at least %s operations, + %s s ramp-up)%s',
               loadtest.verdict_num(v_total, 0), loadtest.verdict_num(ceil(v_dur), 0),
               loadtest.verdict_num(k.min_ops_per_user, 0), loadtest.verdict_num(k.ramp_up_s, 0),
               CASE WHEN v_total > k.long_run_s
                    THEN format('; over %s minutes: a long run (think time %sms)', loadtest.verdict_num(k.long_run_s / 60, 0),
                                loadtest.verdict_num(v_think, 0))
                    ELSE '' END),
        format('it needs %s background worker slots (a pool of %s workers and the recorder; %s users cannot each have a worker) of max_worker_processes = %s%s',
               v_pool + 1, v_pool, loadtest.verdict_num(target_users, 0), v_slots,
               CASE WHEN v_pool + 1 > v_slots - 1 THEN ', with few to spare: raise max_worker_processes (a restart)' ELSE '' END));
END
$$;

COMMENT ON FUNCTION loadtest.verdict_no_evidence(bigint, integer, double precision, text) IS
'loadtest (internal): the explanation when no evidence answers the verdict: the exact loadtest_run() call that would (a pool of least(64, max_worker_processes - 2) workers, long enough for 10 operations per user), how long it takes and how many worker slots it needs';

-- ---------------------------------------------------------------------------
-- The bottleneck: what the users' time went on
-- ---------------------------------------------------------------------------

-- The wait profile of a run by event, overall (operation NULL) and per
-- operation: class 'CPU', 'Lock' (every Lock event), 'WAL' (commits and
-- WAL), 'DataFileRead' (reads from disk) or the event itself; the share of
-- the samples of the operation (or of all).
CREATE OR REPLACE FUNCTION loadtest.wait_classes(run_id bigint)
RETURNS TABLE (operation text, class text, event text, samples numeric, share_pct double precision)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH classes (wait_event_type, wait_event, class) AS (
    VALUES ('CPU', NULL, 'CPU'), ('Lock', NULL, 'Lock'),
           ('IO', 'WALSync', 'WAL'), ('IO', 'WALWrite', 'WAL'),
           ('LWLock', 'WALWrite', 'WAL'), ('LWLock', 'WALInsert', 'WAL'),
           ('IO', 'DataFileRead', 'DataFileRead')),
w AS (
    SELECT loadtest.one_line(p.operation, 100) AS operation,
           CASE WHEN p.wait_event_type = 'CPU' THEN 'CPU'
                ELSE loadtest.one_line(p.wait_event_type, 40) || ':' || loadtest.one_line(p.wait_event, 60) END AS event,
           coalesce((SELECT c.class FROM classes c
                      WHERE c.wait_event_type = p.wait_event_type
                        AND (c.wait_event IS NULL OR c.wait_event = p.wait_event)),
                    CASE WHEN p.wait_event_type = 'CPU' THEN 'CPU'
                         ELSE loadtest.one_line(p.wait_event_type, 40) || ':' || loadtest.one_line(p.wait_event, 60) END) AS class,
           p.samples::numeric AS samples
      FROM loadtest.wait_profile p
     WHERE p.run_id = wait_classes.run_id AND p.samples > 0),
g AS (
    SELECT NULL::text AS operation, w.class, w.event, sum(w.samples) AS samples FROM w GROUP BY w.class, w.event
    UNION ALL
    SELECT w.operation, w.class, w.event, sum(w.samples) FROM w GROUP BY w.operation, w.class, w.event)
SELECT g.operation, g.class, g.event, g.samples,
       loadtest.numeric_float8(100::numeric * g.samples
                               / nullif(sum(g.samples) OVER (PARTITION BY g.operation IS NULL, g.operation), 0::numeric))
  FROM g
$$;

COMMENT ON FUNCTION loadtest.wait_classes(bigint) IS
'loadtest (internal): a run''s wait samples by event, overall (operation NULL) and per operation, with their class (CPU, Lock, WAL, DataFileRead, else the event) and share of the samples';

-- The table an operation locks rows of: the relation of a ModifyTable node
-- of its plans, else of the first scan under a LockRows node, else the
-- run's most updated table.
CREATE OR REPLACE FUNCTION loadtest.operation_table(run_id bigint, operation text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(
    (SELECT loadtest.one_line(CASE WHEN jsonb_typeof(n.node -> 'Schema') = 'string'
                                   THEN quote_ident(n.node ->> 'Schema') || '.' ELSE '' END
                              || quote_ident(n.node ->> 'Relation Name'), 100)
       FROM loadtest.run_plans p
      CROSS JOIN LATERAL loadtest.plan_node_list(coalesce(p.generic_plan, p.plan)) n
      CROSS JOIN LATERAL (SELECT min(l.node_no) AS lock_no
                            FROM loadtest.plan_node_list(coalesce(p.generic_plan, p.plan)) l
                           WHERE l.node ->> 'Node Type' = 'LockRows') lr
      WHERE p.run_id = operation_table.run_id AND p.operation = operation_table.operation
        AND jsonb_typeof(n.node -> 'Relation Name') = 'string'
        AND (n.node ->> 'Node Type' = 'ModifyTable' OR n.node_no > lr.lock_no)
      ORDER BY n.node ->> 'Node Type' = 'ModifyTable' DESC, p.variant_no, p.statement_no, n.node_no
      LIMIT 1),
    (SELECT loadtest.one_line(t.table_name, 100)
       FROM loadtest.run_table_stats t
      WHERE t.run_id = operation_table.run_id
        AND coalesce(t.n_tup_upd, 0)::numeric + coalesce(t.n_tup_del, 0)::numeric > 0
      ORDER BY coalesce(t.n_tup_upd, 0)::numeric + coalesce(t.n_tup_del, 0)::numeric DESC, t.table_name
      LIMIT 1))
$$;

COMMENT ON FUNCTION loadtest.operation_table(bigint, text) IS
'loadtest (internal): the table whose rows an operation of a run locks: the relation of a ModifyTable node of its plans, else of the first scan under a LockRows node, else the run''s most updated table (run_table_stats)';

-- The lock waits of a run in a phrase: the operation with the most Lock
-- samples (or the one named), its top Lock event and its share of the
-- operation's samples, the Lock share of all samples, the table, the hot
-- rows.  NULL without Lock samples.
CREATE OR REPLACE FUNCTION loadtest.lock_wait_text(run_id bigint, operation text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run   bigint := lock_wait_text.run_id;
    v_op    text := lock_wait_text.operation;
    v_event text;
    v_ev_share double precision;
    v_op_share double precision;
    v_all   double precision;
    v_hot   integer;
    v_table text;
BEGIN
    IF v_op IS NULL THEN
        SELECT w.operation INTO v_op FROM loadtest.wait_classes(v_run) w
         WHERE w.operation IS NOT NULL AND w.class = 'Lock'
         GROUP BY w.operation ORDER BY sum(w.samples) DESC, w.operation LIMIT 1;
        IF v_op IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    SELECT w.event, w.share_pct INTO v_event, v_ev_share FROM loadtest.wait_classes(v_run) w
     WHERE w.operation = v_op AND w.class = 'Lock' ORDER BY w.samples DESC, w.event LIMIT 1;
    IF v_event IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT sum(w.share_pct) INTO v_op_share FROM loadtest.wait_classes(v_run) w
     WHERE w.operation = v_op AND w.class = 'Lock';
    SELECT sum(w.share_pct) INTO v_all FROM loadtest.wait_classes(v_run) w
     WHERE w.operation IS NULL AND w.class = 'Lock';
    SELECT r.hot_rows INTO v_hot FROM loadtest.runs r WHERE r.run_id = v_run;
    v_table := loadtest.operation_table(v_run, v_op);
    RETURN format('%s waits on %s %s%% of its samples (Lock %s%% of them, %s%% of all the workers'' samples)%s%s',
                  v_op, v_event, loadtest.verdict_num(v_ev_share, 1), loadtest.verdict_num(v_op_share, 1),
                  loadtest.verdict_num(v_all, 1),
                  coalesce(', on ' || v_table, ''),
                  CASE WHEN v_hot > 0 THEN format(', with %s hot %s per table (loadtest.hot_rows): the users update the same rows',
                                                  v_hot, CASE WHEN v_hot = 1 THEN 'row' ELSE 'rows' END)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.lock_wait_text(bigint, text) IS
'loadtest (internal): the lock waits of a run''s operation (by default the one with the most Lock samples) in a phrase: event, shares, table, hot rows; NULL without Lock samples';

-- The cache hit ratio of a run (run_db_stats: blks_hit / (blks_hit +
-- blks_read), in %) and the blocks read; NULL when not recorded.
CREATE OR REPLACE FUNCTION loadtest.cache_hit(run_id bigint, OUT hit_pct double precision, OUT blocks_read numeric,
                                              OUT blocks_hit numeric)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT loadtest.within(loadtest.numeric_float8(100::numeric * x.hit / nullif(x.hit + x.rd, 0::numeric)), 0, 100),
       x.rd, x.hit
  FROM (SELECT max(s.value) FILTER (WHERE s.stat = 'blks_hit' AND s.value >= 0) AS hit,
               max(s.value) FILTER (WHERE s.stat = 'blks_read' AND s.value >= 0) AS rd
          FROM loadtest.run_db_stats s
         WHERE s.run_id = cache_hit.run_id AND s.value <> 'NaN'::numeric) x
$$;

COMMENT ON FUNCTION loadtest.cache_hit(bigint) IS
'loadtest (internal): a run''s cache hit ratio in % (blks_hit / (blks_hit + blks_read) of run_db_stats) and its blocks read and hit; NULL when not recorded';

CREATE OR REPLACE FUNCTION loadtest.verdict_bottleneck(run_id bigint, saturated boolean)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k       record;
    f       record;
    top     record;
    v_run   bigint := verdict_bottleneck.run_id;
    v_lock  double precision;
    v_cpu   double precision;
    v_errs  text;
    v_seq   record;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT * INTO f FROM loadtest.run_figures(v_run);
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(w.share_pct) FILTER (WHERE w.class = 'Lock'), 0),
           coalesce(sum(w.share_pct) FILTER (WHERE w.class = 'CPU'), 0)
      INTO v_lock, v_cpu
      FROM loadtest.wait_classes(v_run) w WHERE w.operation IS NULL;

    -- 1. errors
    IF f.success_pct < k.error_success_pct THEN
        SELECT string_agg(format('%s: %s', coalesce(loadtest.one_line(nullif(e.sqlstate, ''), 10), '-----'),
                                 loadtest.format_number(e.n, 'FM999G999G999G999G990')), ', ' ORDER BY e.n DESC, e.sqlstate)
          INTO v_errs
          FROM (SELECT x.sqlstate, sum(x.count) AS n FROM loadtest.run_errors x
                 WHERE x.run_id = v_run AND x.count > 0 GROUP BY x.sqlstate
                 ORDER BY 2 DESC, 1 LIMIT k.listed) e;
        RETURN format('errors: %s%% of operations failed (%s)', loadtest.verdict_num(100 - f.success_pct, 2),
                      coalesce(v_errs, 'no SQLSTATE recorded'));
    END IF;

    -- 2. the users' time mostly waiting before their operation started: for
    -- a worker (pooled) or behind the schedule (rate); a worker each
    -- waits only for its timer
    IF f.shape IN ('pooled', 'rate') AND f.wait_ms >= k.waiting_share * f.felt_ms AND f.wait_ms > 0 THEN
        IF v_lock >= k.class_share_pct THEN
            RETURN format('lock waits: %s; users queued for a worker behind them: %sms of the %sms they felt (%s%%)',
                          loadtest.lock_wait_text(v_run), loadtest.verdict_num(f.wait_ms, 2),
                          loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(100 * f.wait_ms / f.felt_ms, 1));
        ELSIF f.shape = 'rate' THEN
            RETURN format('schedule lag: operations started %sms late on average for a %sms operation; %s%% started over 10ms late',
                          loadtest.verdict_num(f.wait_ms, 2), loadtest.verdict_num(f.avg_ms, 2),
                          loadtest.verdict_num(f.late_start_pct, 1));
        ELSE
            RETURN format('pool of %s workers: users waited %sms for a worker for a %sms operation; workers on CPU %s%%',
                          loadtest.verdict_num(f.pool_size, 0), loadtest.verdict_num(f.wait_ms, 2),
                          loadtest.verdict_num(f.avg_ms, 2),
                          CASE WHEN EXISTS (SELECT 1 FROM loadtest.wait_classes(v_run))
                               THEN loadtest.verdict_num(v_cpu, 1) ELSE 'n/a (no samples)' END);
        END IF;
    END IF;

    -- 3. the operations' own time: the top class but CPU that stands out
    SELECT w.class, max(w.event) AS event, sum(w.share_pct) AS share,
           string_agg(w.event || ' ' || loadtest.verdict_num(w.share_pct, 1) || '%', ', ' ORDER BY w.samples DESC, w.event) AS events
      INTO top
      FROM loadtest.wait_classes(v_run) w
     WHERE w.operation IS NULL AND w.class <> 'CPU'
     GROUP BY w.class
     ORDER BY sum(w.samples) DESC, w.class
     LIMIT 1;
    -- (a few samples of a short, light run say nothing)
    IF top.share >= k.class_share_pct
       AND (SELECT sum(w.samples) FROM loadtest.wait_classes(v_run) w WHERE w.operation IS NULL)
           >= k.min_wait_samples::numeric THEN
        RETURN CASE top.class
               WHEN 'Lock' THEN 'lock waits: ' || loadtest.lock_wait_text(v_run)
               WHEN 'WAL' THEN format('commits and WAL: %s of the workers'' samples', top.events)
               WHEN 'DataFileRead' THEN format('reads from disk: %s of the workers'' samples; cache hit ratio %s%%',
                                               top.events,
                                               loadtest.verdict_num((SELECT c.hit_pct FROM loadtest.cache_hit(v_run) c), 2))
               ELSE format('waits on %s of the workers'' samples', top.events) END;
    END IF;
    IF v_cpu >= k.cpu_share_pct AND saturated THEN
        RETURN format('CPU: the workers were on CPU %s%% of their samples and the server saturated',
                      loadtest.verdict_num(v_cpu, 1));
    END IF;

    -- plans: a table read sequentially, many tuples per operation
    SELECT t.table_name, t.seq_tup_read, t.seq_scan INTO v_seq
      FROM loadtest.run_table_stats t
     WHERE t.run_id = v_run AND f.total_ops > 0
       AND t.seq_tup_read::numeric >= k.seq_tup_per_op::numeric * f.total_ops::numeric
     ORDER BY t.seq_tup_read DESC, t.table_name LIMIT 1;
    IF FOUND THEN
        RETURN format('sequential scans on %s: %s tuples read per operation (%s sequential scans)',
                      loadtest.one_line(v_seq.table_name, 100),
                      loadtest.verdict_num(v_seq.seq_tup_read::float8 / f.total_ops::float8, 0),
                      loadtest.verdict_num(v_seq.seq_scan, 0));
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_bottleneck(bigint, boolean) IS
'loadtest (internal): what a run''s users'' time went on, in this order: errors (success under 95%), waiting before the operation in a pooled or rate run (W >= half the felt time: lock waits, the pool, the schedule lag), the top wait class but CPU with 30% of the samples (Lock, commits and WAL, reads from disk, another event), CPU over 70% of a saturated server, sequential scans of 1000 tuples per operation; NULL when nothing stands out';

-- ---------------------------------------------------------------------------
-- The verdict
-- ---------------------------------------------------------------------------

-- The verdict with the run whose evidence gave it (basis_run_id: the
-- measured or saturated run, the largest run of the model; NULL without a
-- basis): loadtest_verdict() is its public face, loadtest_check() asks
-- whether a run is ready on its own evidence.
CREATE OR REPLACE FUNCTION loadtest.verdict_of(run_id bigint, target_users integer,
                                               target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis text, bottleneck text, explanation text, basis_run_id bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint := verdict_of.run_id;
    v_tu  integer := verdict_of.target_users;
    v_tm  double precision := verdict_of.target_ms;
    b     record;
    f     record;
    v_saturated boolean;
BEGIN
    PERFORM loadtest.verdict_check_targets(v_tu, v_tm);
    v_run := loadtest.resolve_run(v_run, 'judge');

    SELECT * INTO b FROM loadtest.verdict_measured(v_run, v_tu, v_tm);
    IF FOUND THEN
        basis := 'measured';
    ELSE
        SELECT * INTO b FROM loadtest.verdict_saturation(v_run, v_tu, v_tm);
        IF FOUND THEN
            basis := 'saturation';
        ELSE
            SELECT * INTO b FROM loadtest.verdict_model(v_run, v_tu, v_tm);
            IF b.used THEN
                basis := 'model';
            END IF;
        END IF;
    END IF;

    IF basis IS NOT NULL THEN
        basis_run_id := b.basis_run_id;
        ready := b.ready;
        capacity_users := b.capacity_users;
        response_ms_at_target := b.response_ms_at_target;
        -- (the saturation basis saturated by definition; a measured run
        -- by its pool or its arrival rate)
        v_saturated := basis = 'saturation'
                       OR coalesce((SELECT x.pool_saturated OR x.rate_saturated
                                      FROM loadtest.run_figures(b.basis_run_id) x), false);
        -- nothing stands in the way of a ready, unsaturated server
        IF NOT (coalesce(b.ready, false) AND NOT v_saturated) THEN
            bottleneck := loadtest.verdict_bottleneck(b.basis_run_id, v_saturated);
        END IF;
        explanation := b.explanation;
    ELSE
        bottleneck := loadtest.verdict_bottleneck(v_run,
                          EXISTS (SELECT 1 FROM loadtest.run_figures(v_run) x
                                   WHERE x.pool_saturated OR x.rate_saturated));
        explanation := loadtest.verdict_no_evidence(v_run, v_tu, v_tm, b.explanation);
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_of(bigint, integer, double precision) IS
'loadtest (internal): loadtest_verdict() with basis_run_id, the run whose evidence gave the verdict (NULL without a basis)';

CREATE OR REPLACE FUNCTION loadtest_verdict(run_id bigint DEFAULT NULL,
                                            target_users integer DEFAULT 4000,
                                            target_ms double precision DEFAULT 500)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis text, bottleneck text, explanation text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
SELECT v.ready, v.capacity_users, v.response_ms_at_target, v.basis, v.bottleneck, v.explanation
  FROM loadtest.verdict_of(loadtest_verdict.run_id, loadtest_verdict.target_users,
                           loadtest_verdict.target_ms) v
$$;
COMMENT ON FUNCTION loadtest_verdict(bigint, integer, double precision) IS
'loadtest: is the server ready for target_users concurrent users (at least 1) within target_ms (finite, positive) as users feel it, from the evidence of the run (NULL: the latest the caller sees) and the other runs of its test (same role, database, pattern, think time), strongest first: measured (a completed closed-model run at target_users or more), saturation (a run saturated the server or its pool: Little''s law at its throughput), model (the USL over 4 or more comparable runs with r2 >= 0.9), else ready, capacity and basis NULL and the explanation gives the loadtest_run() call that would answer; capacity never from the configured user count; bottleneck: what the users'' time went on; explanation: every figure used, one sentence a line; marks stale runs first';

-- ---------------------------------------------------------------------------
-- Recommendations: indexes (sequential scans), checked with HypoPG
-- ---------------------------------------------------------------------------

-- The columns of alias in an expression of EXPLAIN VERBOSE (alias.column,
-- quoted as EXPLAIN quotes them), in order, with how each is compared: 'eq'
-- (= or = ANY), 'like' (~~), 'range' (<, >, <=, >=) or 'other' (inside a
-- function or anything else).  At most 50 references of the first 10000
-- characters.
CREATE OR REPLACE FUNCTION loadtest.column_refs(expr text, alias text)
RETURNS TABLE (pos integer, column_name text, kind text)
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expr   text := left(expr, 10000);
    -- the alias as EXPLAIN writes it, its regular-expression metacharacters escaped
    v_re     text := '(?<![A-Za-z0-9_$".])'
                     || regexp_replace(quote_ident(left(alias, 200)), '([^A-Za-z0-9_])', '\\\1', 'g')
                     || '\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
    v_cast   text := '^(\)::[a-z_][a-z0-9_ .\[\]"]*?)?\s+';
    v_start  integer;
    v_end    integer;
    v_before text;
    v_after  text;
    v_token  text;
BEGIN
    FOR i IN 1 .. least(regexp_count(v_expr, v_re), 50) LOOP
        v_start := regexp_instr(v_expr, v_re, 1, i);
        v_end := regexp_instr(v_expr, v_re, 1, i, 1);
        v_token := regexp_substr(v_expr, v_re, 1, i, '', 1);
        v_before := substr(v_expr, greatest(1, v_start - 8), v_start - greatest(1, v_start - 8));
        v_after := substr(v_expr, v_end, 80);
        pos := i;
        column_name := CASE WHEN left(v_token, 1) = '"' THEN replace(substr(v_token, 2, length(v_token) - 2), '""', '"')
                            ELSE v_token END;
        kind := CASE WHEN v_after ~ (v_cast || '=\s') OR v_before ~ '\s=\s+\(*$' THEN 'eq'
                     -- LIKE, and the pattern operators a LIKE with a fixed
                     -- prefix becomes (~>=~ and ~<~): text_pattern_ops
                     WHEN v_after ~ (v_cast || '(~~|~>=~|~<=~|~<~|~>~)\s') THEN 'like'
                     WHEN v_after ~ (v_cast || '(<|>|<=|>=)\s') OR v_before ~ '\s(<|>|<=|>=)\s+\(*$' THEN 'range'
                     ELSE 'other' END;
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.column_refs(text, text) IS
'loadtest (internal): the columns of a relation alias that an EXPLAIN VERBOSE expression refers to (alias.column), in order, each with how it is compared: eq, like (LIKE and the pattern operators ~>=~, ~<=~, ~<~, ~>~ of text_pattern_ops), range or other';

-- The columns of an index that would serve a scan of relid (as alias)
-- with that filter and the plan's sort keys: the columns compared for
-- equality first, then the first compared by a range or LIKE (a LIKE on
-- text with text_pattern_ops), else the sort keys on the relation; at most
-- rec_index_columns; only real columns of relid.  columns: their names,
-- definitions: as CREATE INDEX writes them.
CREATE OR REPLACE FUNCTION loadtest.index_columns(relid oid, alias text, filter text, sort_keys text[],
                                                  OUT columns text[], OUT definitions text[])
RETURNS record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k      record;
    rec    record;
    v_re   text := '^' || regexp_replace(quote_ident(left(coalesce(alias, ''), 200)), '([^A-Za-z0-9_])', '\\\1', 'g')
                   || '\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(\s+(ASC|DESC))?(\s+NULLS\s+(FIRST|LAST))?$';
    v_key  text;
    v_tok  text;
    v_range boolean := false;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    columns := '{}';
    definitions := '{}';
    FOR rec IN
        SELECT c.column_name, c.kind, a.atttypid
          FROM loadtest.column_refs(coalesce(filter, ''), coalesce(alias, '')) c
          JOIN pg_attribute a ON a.attrelid = relid AND a.attname = c.column_name
                             AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.kind <> 'other'
         ORDER BY c.kind <> 'eq', c.pos
    LOOP
        CONTINUE WHEN rec.column_name = ANY (columns);
        EXIT WHEN cardinality(columns) >= k.rec_index_columns;
        IF rec.kind <> 'eq' THEN
            EXIT WHEN v_range;   -- one range column, last
            v_range := true;
        END IF;
        columns := columns || rec.column_name;
        definitions := definitions || (quote_ident(rec.column_name)
                       || CASE WHEN rec.kind = 'like' THEN
                                    CASE rec.atttypid WHEN 'text'::regtype THEN ' text_pattern_ops'
                                                      WHEN 'varchar'::regtype THEN ' varchar_pattern_ops'
                                                      WHEN 'bpchar'::regtype THEN ' bpchar_pattern_ops'
                                                      ELSE '' END
                               ELSE '' END);
    END LOOP;
    -- the sort keys, after equality columns (a range column ends the index)
    IF NOT v_range THEN
        FOREACH v_key IN ARRAY coalesce(sort_keys, '{}') LOOP
            EXIT WHEN cardinality(columns) >= k.rec_index_columns;
            v_tok := (regexp_match(left(coalesce(v_key, ''), 1000), v_re))[1];
            EXIT WHEN v_tok IS NULL;   -- a key on an expression or another relation ends it
            v_tok := CASE WHEN left(v_tok, 1) = '"' THEN replace(substr(v_tok, 2, length(v_tok) - 2), '""', '"')
                          ELSE v_tok END;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = relid AND a.attname = v_tok
                                     AND a.attnum > 0 AND NOT a.attisdropped);
            CONTINUE WHEN v_tok = ANY (columns);
            columns := columns || v_tok;
            definitions := definitions || quote_ident(v_tok);
        END LOOP;
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.index_columns(oid, text, text, text[]) IS
'loadtest (internal): the columns of an index for a sequential scan of a relation with a filter and sort keys (EXPLAIN VERBOSE text): equality columns first, then one range or LIKE column (text_pattern_ops for LIKE on text), else the sort keys; at most 3';

-- The statement of a run's operation as the run kept it (run_operations).
CREATE OR REPLACE FUNCTION loadtest.run_statement(run_id bigint, operation text, variant_no integer, statement_no integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(CASE WHEN jsonb_typeof(ro.variants) = 'array' AND jsonb_typeof(ro.variants -> (variant_no - 1) -> 'statements') = 'array'
                     THEN ro.variants -> (variant_no - 1) -> 'statements' ->> (statement_no - 1) END,
                ro.statements[statement_no])
  FROM loadtest.run_operations ro
 WHERE ro.run_id = run_statement.run_id AND ro.operation = run_statement.operation
 ORDER BY ro.operation_no
 LIMIT 1
$$;

COMMENT ON FUNCTION loadtest.run_statement(bigint, text, integer, integer) IS
'loadtest (internal): the text of a statement of a run''s operation (variant, statement from 1) as loadtest.run_operations kept it';

-- A function of the hypopg extension, qualified with the extension's own
-- schema, when it is safe to call by that name: installed in this
-- database, a member of the extension, with exactly these argument types,
-- the only function of its name in that schema (so that the call resolves
-- to it whoever else can create functions there).  NULL otherwise.
-- Whether the caller trusts a role with its code: itself or a superuser
-- (pg_database_owner, the owner of public, stands for the database's
-- owner).  Who owns a schema can rename it and put other functions in its
-- place; who owns a function can replace it.
CREATE OR REPLACE FUNCTION loadtest.caller_trusts(role_id oid)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(bool_or(r.rolname = current_user OR r.rolsuper), false)
  FROM pg_roles r
 WHERE r.oid = CASE WHEN role_id = 'pg_database_owner'::regrole::oid
                    THEN (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database())
                    ELSE role_id END
$$;
COMMENT ON FUNCTION loadtest.caller_trusts(oid) IS
'loadtest (internal): whether a role is the caller or a superuser (pg_database_owner: the database''s owner), whose code the caller may run';

CREATE OR REPLACE FUNCTION loadtest.hypopg_function(name text, argtypes oid[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT format('%I.%I', n.nspname, p.proname)
  FROM pg_extension e
  JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
                  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_proc p ON p.oid = d.objid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE e.extname = 'hypopg'
   AND p.proname = hypopg_function.name
   AND p.pronamespace = e.extnamespace
   AND ARRAY(SELECT a.t FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o) ORDER BY a.o)
       = hypopg_function.argtypes
   AND (SELECT count(*) FROM pg_proc q
         WHERE q.pronamespace = p.pronamespace AND q.proname = p.proname) = 1
   -- the name is resolved again when it is called: whoever owns the
   -- schema or the function could have put their own code there by then
   AND loadtest.caller_trusts(n.nspowner) AND loadtest.caller_trusts(p.proowner)
$$;

COMMENT ON FUNCTION loadtest.hypopg_function(text, oid[]) IS
'loadtest (internal): schema-qualified name of a function of the hypopg extension with these argument types, when installed, a member of the extension, alone of its name in its schema, and both the function and its schema owned by the caller or a superuser (loadtest.caller_trusts); else NULL';

-- The cost of a statement's generic plan without and with a hypothetical
-- index (HypoPG).  In a sandbox: a block that ends by raising, so that
-- whatever it did is rolled back (its variables are kept), read-only,
-- generic plans; each plan from a statement prepared for it (a prepared
-- statement keeps the generic plan it made first), with NULL for its
-- parameters.  Prepared statements and hypothetical indexes are not
-- transactional: they are deallocated and dropped afterwards whatever
-- happened (a cancel too, then raised again).  note: why it was not
-- checked (NULL when checked).
CREATE OR REPLACE FUNCTION loadtest.hypopg_cost_check(statement_sql text, index_sql text,
                                                      OUT cost_before double precision,
                                                      OUT cost_after double precision,
                                                      OUT note text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_create   text := loadtest.hypopg_function('hypopg_create_index', ARRAY['text'::regtype::oid]);
    v_drop     text := loadtest.hypopg_function('hypopg_drop_index', ARRAY['oid'::regtype::oid]);
    v_names    text[] := '{}';
    v_name     text;
    v_hypo     oid;
    v_nparams  integer;
    v_args     text;
    v_plan     text;
    v_canceled boolean := false;
    v_cancel_msg text;
BEGIN
    IF v_create IS NULL OR v_drop IS NULL THEN
        SELECT CASE WHEN NOT loadtest.caller_trusts(n.nspowner)
                    THEN 'not checked: hypopg''s schema ' || loadtest.one_line(quote_ident(n.nspname), 100)
                         || ' is owned by ' || loadtest.one_line(quote_ident(pg_get_userbyid(n.nspowner)::text), 100)
                         || CASE WHEN n.nspowner = 'pg_database_owner'::regrole::oid
                                 THEN ' (the database''s owner, '
                                      || loadtest.one_line(quote_ident(pg_get_userbyid(
                                             (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()))::text), 100)
                                      || ')'
                                 ELSE '' END
                         || ', who could put other functions in place of hypopg''s: hypopg is not called'
                    ELSE 'not checked: other functions share the names of hypopg''s in its schema '
                         || loadtest.one_line(quote_ident(n.nspname), 100)
                         || ', or they are not owned by a superuser or you: hypopg is not called' END
          INTO note
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg';
        note := coalesce(note, 'not checked: install hypopg (postgresql-15-hypopg) to check it');
        RETURN;
    END IF;
    IF statement_sql IS NULL OR rtrim(statement_sql, E' \t\r\n;') ~ ';' THEN
        note := 'not checked: the operation''s statement is not one statement';
        RETURN;
    END IF;
    BEGIN
        SET LOCAL transaction_read_only = on;
        SET LOCAL plan_cache_mode = force_generic_plan;
        FOR pass IN 1 .. 2 LOOP
            -- a name no prepared statement of the session has
            v_name := NULL;
            FOR i IN 1 .. 1000 LOOP
                v_name := format('loadtest_hypopg_%s_%s', pg_backend_pid(), i);
                EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_prepared_statements ps WHERE ps.name = v_name)
                          AND v_name <> ALL (v_names);
            END LOOP;
            v_names := v_names || v_name;
            EXECUTE format('PREPARE %I AS %s', v_name, rtrim(statement_sql, E' \t\r\n;'));
            SELECT coalesce(cardinality(ps.parameter_types), 0) INTO v_nparams
              FROM pg_prepared_statements ps WHERE ps.name = v_name;
            v_args := CASE WHEN v_nparams > 0
                           THEN '(' || array_to_string(array_fill('NULL'::text, ARRAY[v_nparams]), ', ') || ')'
                           ELSE '' END;
            IF pass = 2 THEN
                EXECUTE format('SELECT h.indexrelid FROM %s($1::pg_catalog.text) h', v_create) INTO v_hypo USING index_sql;
            END IF;
            EXECUTE format('EXPLAIN (FORMAT JSON) EXECUTE %I%s', v_name, v_args) INTO v_plan;
            IF pass = 1 THEN
                cost_before := loadtest.jsonb_float8(v_plan::jsonb -> 0 -> 'Plan' -> 'Total Cost');
            ELSE
                cost_after := loadtest.jsonb_float8(v_plan::jsonb -> 0 -> 'Plan' -> 'Total Cost');
            END IF;
        END LOOP;
        RAISE EXCEPTION 'loadtest: the end of the sandbox' USING ERRCODE = 'LT950';
    EXCEPTION
        WHEN SQLSTATE 'LT950' THEN
            NULL;
        WHEN query_canceled THEN
            v_canceled := true;
            GET STACKED DIAGNOSTICS v_cancel_msg = MESSAGE_TEXT;
        WHEN OTHERS THEN
            cost_before := NULL;
            cost_after := NULL;
            note := 'not checked: ' || loadtest.one_line(SQLERRM, 200);
    END;
    -- always: what the sandbox's rollback does not undo
    FOREACH v_name IN ARRAY v_names LOOP
        BEGIN
            EXECUTE format('DEALLOCATE %I', v_name);
        EXCEPTION WHEN invalid_sql_statement_name THEN
            NULL;
        END;
    END LOOP;
    IF v_hypo IS NOT NULL THEN
        -- read-only too (the drop is not transactional: the raise undoes
        -- only the setting)
        BEGIN
            SET LOCAL transaction_read_only = on;
            EXECUTE format('SELECT %s($1::pg_catalog.oid)', v_drop) USING v_hypo;
            RAISE EXCEPTION 'loadtest: the end of the sandbox' USING ERRCODE = 'LT950';
        EXCEPTION WHEN SQLSTATE 'LT950' THEN
            NULL;
        END;
    END IF;
    IF v_canceled THEN
        -- (a cancel or a statement timeout, as it came)
        RAISE EXCEPTION USING ERRCODE = 'query_canceled', MESSAGE = v_cancel_msg;
    END IF;
    IF note IS NULL AND (cost_before IS NULL OR cost_after IS NULL) THEN
        note := 'not checked: no cost in the plans';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.hypopg_cost_check(text, text) IS
'loadtest (internal): the cost of a statement''s generic plan without and with the hypothetical index index_sql (HypoPG, called through its own schema), in a read-only sandbox that is rolled back; its prepared statements deallocated and the hypothetical index dropped whatever happens; note says why not checked';

-- Whether every relation a statement's captured plans read is, as it is
-- now, a table, materialized view or partitioned table that the caller
-- trusts (owned, with its schema, by the caller or a superuser): the
-- HypoPG check plans the statement again as the caller.
CREATE OR REPLACE FUNCTION loadtest.plan_relations_trusted(run_id bigint, operation text,
                                                           variant_no integer, statement_no integer)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(bool_and(c.oid IS NOT NULL AND c.relkind IN ('r', 'p', 'm')
                         AND loadtest.caller_trusts(c.relowner) AND loadtest.caller_trusts(ns.nspowner)), true)
  FROM (SELECT DISTINCT n.node ->> 'Schema' AS schema_name, n.node ->> 'Relation Name' AS relation_name
          FROM loadtest.run_plans q
         CROSS JOIN LATERAL (VALUES (q.generic_plan), (q.plan)) x(plan)
         CROSS JOIN LATERAL loadtest.plan_node_list(x.plan) n
         WHERE q.run_id = plan_relations_trusted.run_id AND q.operation = plan_relations_trusted.operation
           AND q.variant_no = plan_relations_trusted.variant_no
           AND q.statement_no = plan_relations_trusted.statement_no
           AND jsonb_typeof(n.node -> 'Relation Name') = 'string') r
  LEFT JOIN pg_namespace ns ON ns.nspname = r.schema_name
  LEFT JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = r.relation_name
$$;
COMMENT ON FUNCTION loadtest.plan_relations_trusted(bigint, text, integer, integer) IS
'loadtest (internal): whether every relation of a run''s statement''s captured plans is now a table (r, p, m) owned, with its schema, by the caller or a superuser (loadtest.caller_trusts): the condition of the HypoPG check, which plans the statement again as the caller';

-- Whether every schema-qualified name of a statement's text (schema.name,
-- quoted or not: the statements of the workload qualify every object)
-- that names a relation or a function names one the caller trusts (owned,
-- with its schema, by the caller or a superuser): views and functions do
-- not show in a plan, and planning the statement again expands the views
-- and folds immutable functions as the caller.
CREATE OR REPLACE FUNCTION loadtest.statement_names_trusted(statement_sql text)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH names AS (
    SELECT DISTINCT
           CASE WHEN left(m[1], 1) = '"' THEN replace(substr(m[1], 2, length(m[1]) - 2), '""', '"') ELSE lower(m[1]) END AS schema_name,
           CASE WHEN left(m[2], 1) = '"' THEN replace(substr(m[2], 2, length(m[2]) - 2), '""', '"') ELSE lower(m[2]) END AS object_name
      FROM regexp_matches(left(coalesce(statement_sql, ''), 100000),
                          '("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)',
                          'g') AS m
     LIMIT 1000)
SELECT NOT EXISTS (
    SELECT 1
      FROM names x
      JOIN pg_namespace ns ON ns.nspname = x.schema_name
     WHERE (EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = ns.oid AND c.relname = x.object_name)
            OR EXISTS (SELECT 1 FROM pg_proc f WHERE f.pronamespace = ns.oid AND f.proname = x.object_name))
       AND (NOT loadtest.caller_trusts(ns.nspowner)
            OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = ns.oid AND c.relname = x.object_name
                          AND NOT loadtest.caller_trusts(c.relowner))
            OR EXISTS (SELECT 1 FROM pg_proc f WHERE f.pronamespace = ns.oid AND f.proname = x.object_name
                          AND NOT loadtest.caller_trusts(f.proowner))))
$$;
COMMENT ON FUNCTION loadtest.statement_names_trusted(text) IS
'loadtest (internal): whether every relation and function a statement names with its schema (schema.name) is owned, with its schema, by the caller or a superuser (loadtest.caller_trusts): the other condition of the HypoPG check';

CREATE OR REPLACE FUNCTION loadtest.recommend_indexes(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k       record;
    t       record;
    p       record;
    c       record;
    chk     record;
    v_run   bigint := recommend_indexes.run_id;
    v_own   boolean;
    v_hypo  text;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT coalesce(r.role_name = current_user, false) INTO v_own FROM loadtest.runs r WHERE r.run_id = v_run;
    FOR t IN
        SELECT ts.table_name, ts.seq_scan, ts.seq_tup_read, cl.oid AS relid, n.nspname, cl.relname
          FROM loadtest.run_table_stats ts
          JOIN pg_namespace n ON true
          JOIN pg_class cl ON cl.relnamespace = n.oid AND cl.relkind IN ('r', 'p', 'm')
                          AND format('%I.%I', n.nspname, cl.relname) = ts.table_name
         WHERE ts.run_id = v_run AND ts.seq_scan > 0
           AND ts.seq_tup_read::float8 >= k.rec_seq_tup_read
           AND ts.seq_tup_read::float8 / ts.seq_scan::float8 >= k.rec_seq_tup_per_scan
         ORDER BY ts.seq_tup_read DESC, ts.table_name
         LIMIT k.listed
    LOOP
        -- each operation's sequential scans of the table that filter, or
        -- whose plan sorts on it; one row per index
        FOR c IN
            -- each plan walked once (its nodes, its sort keys), at most
            -- 50 sequential scans of the table per plan: the work is
            -- bounded whatever the statements are
            WITH pl AS (
                SELECT q.operation, q.variant_no, q.statement_no, x.o, x.plan
                  FROM loadtest.run_plans q
                 CROSS JOIN LATERAL (VALUES (1, q.generic_plan), (2, q.plan)) x(o, plan)
                 WHERE q.run_id = v_run AND x.plan IS NOT NULL),
            nodes AS MATERIALIZED (
                SELECT pl.operation, pl.variant_no, pl.statement_no, pl.o, n.node_no, n.node
                  FROM pl CROSS JOIN LATERAL loadtest.plan_node_list(pl.plan) n),
            sorts AS (
                SELECT n.operation, n.variant_no, n.statement_no, n.o,
                       array_agg(sk.key ORDER BY n.node_no, sk.ord) AS sort_keys
                  FROM nodes n
                 CROSS JOIN LATERAL jsonb_array_elements_text(n.node -> 'Sort Key') WITH ORDINALITY AS sk(key, ord)
                 WHERE n.node ->> 'Node Type' IN ('Sort', 'Incremental Sort')
                   AND jsonb_typeof(n.node -> 'Sort Key') = 'array'
                 GROUP BY n.operation, n.variant_no, n.statement_no, n.o),
            seqscans AS (
                SELECT n.*, row_number() OVER (PARTITION BY n.operation, n.variant_no, n.statement_no, n.o
                                               ORDER BY n.node_no) AS scan_no
                  FROM nodes n
                 WHERE n.node ->> 'Node Type' = 'Seq Scan'
                   AND n.node ->> 'Relation Name' = t.relname::text
                   AND n.node ->> 'Schema' = t.nspname::text),
            scans AS (
                SELECT DISTINCT ON (n.operation, n.variant_no, n.statement_no, n.node ->> 'Alias', n.node ->> 'Filter')
                       n.operation, n.variant_no, n.statement_no,
                       coalesce(n.node ->> 'Alias', t.relname) AS alias, n.node ->> 'Filter' AS filter,
                       coalesce(so.sort_keys, '{}') AS sort_keys
                  FROM seqscans n
                  LEFT JOIN sorts so
                         ON so.operation = n.operation AND so.variant_no = n.variant_no
                        AND so.statement_no = n.statement_no AND so.o = n.o
                 WHERE n.scan_no <= 50
                 ORDER BY n.operation, n.variant_no, n.statement_no, n.node ->> 'Alias', n.node ->> 'Filter'),
            -- (at most 200 distinct scans of the table over all plans)
            cols AS MATERIALIZED (
                SELECT s.*, ic.columns, ic.definitions
                  FROM (SELECT * FROM scans
                         ORDER BY scans.operation, scans.variant_no, scans.statement_no LIMIT 200) s
                 CROSS JOIN LATERAL loadtest.index_columns(t.relid, s.alias, s.filter, s.sort_keys) ic
                 WHERE (s.filter IS NOT NULL OR cardinality(s.sort_keys) > 0)
                   AND cardinality(ic.columns) > 0),
            ops AS (
                SELECT z.definitions, string_agg(DISTINCT loadtest.one_line(z.operation, 100), ', ') AS operations
                  FROM cols z GROUP BY z.definitions)
            SELECT y.* FROM (
                SELECT DISTINCT ON (x.definitions) x.definitions, x.columns, x.operation, x.variant_no,
                       x.statement_no, x.filter, x.sort_keys, o.operations
                  FROM cols x JOIN ops o ON o.definitions = x.definitions
                 ORDER BY x.definitions, x.operation, x.variant_no, x.statement_no) y
             ORDER BY y.columns, y.definitions
             LIMIT k.listed
        LOOP
            -- an index whose leading columns are these already exists
            CONTINUE WHEN EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = t.relid AND i.indisvalid AND i.indpred IS NULL
                   AND i.indnkeyatts >= cardinality(c.columns)
                   AND c.columns = ARRAY(SELECT a.attname::text
                                           FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS ik(attnum, ord)
                                           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ik.attnum
                                          WHERE ik.ord <= cardinality(c.columns)
                                          ORDER BY ik.ord));
            statement := format('CREATE INDEX ON %I.%I (%s);', t.nspname, t.relname, array_to_string(c.definitions, ', '));
            IF NOT v_own THEN
                v_hypo := 'not checked with HypoPG: the run is another role''s, and the check runs only as the run''s own role';
            ELSIF NOT loadtest.plan_relations_trusted(v_run, c.operation, c.variant_no, c.statement_no)
                  OR NOT loadtest.statement_names_trusted(loadtest.run_statement(v_run, c.operation, c.variant_no,
                                                                                 c.statement_no)) THEN
                -- the check plans the statement again, as the caller, with
                -- the objects as they are now: a relation that is no longer
                -- a table, or whose owner (or schema's owner) the caller
                -- does not trust, could run its owner's code at plan time
                v_hypo := 'not checked with HypoPG: a relation or function of the statement (or its schema) is owned by a role other than you or a superuser, or a relation of its plan is no longer a table';
            ELSE
                SELECT * INTO chk
                  FROM loadtest.hypopg_cost_check(loadtest.run_statement(v_run, c.operation, c.variant_no, c.statement_no),
                                                  statement);
                IF chk.note IS NOT NULL THEN
                    v_hypo := chk.note;
                ELSIF chk.cost_before > 0 AND chk.cost_after < chk.cost_before
                      AND chk.cost_after <= (1 - k.rec_hypo_fall) * chk.cost_before THEN
                    v_hypo := format('with a hypothetical index (HypoPG) the statement''s cost falls from %s to %s',
                                     loadtest.verdict_num(chk.cost_before, 2), loadtest.verdict_num(chk.cost_after, 2));
                ELSE
                    CONTINUE;   -- checked: the index would not help
                END IF;
            END IF;
            finding := 'sequential scans on ' || loadtest.one_line(t.table_name, 100);
            evidence := format('%s: %s sequential scans read %s tuples during the run (%s per scan); %s %s it sequentially%s%s; %s',
                               loadtest.one_line(t.table_name, 100), loadtest.verdict_num(t.seq_scan, 0),
                               loadtest.verdict_num(t.seq_tup_read, 0),
                               loadtest.verdict_num(t.seq_tup_read::float8 / t.seq_scan::float8, 0),
                               c.operations, CASE WHEN c.operations ~ ', ' THEN 'read' ELSE 'reads' END,
                               coalesce(' with Filter: ' || loadtest.one_line(c.filter, 150), ''),
                               CASE WHEN cardinality(c.sort_keys) > 0
                                    THEN ', sorting on ' || loadtest.one_line(array_to_string(c.sort_keys, ', '), 100) ELSE '' END,
                               v_hypo);
            recommendation := format('an index on (%s) lets %s find %s rows without reading the whole table',
                                     loadtest.one_line(array_to_string(c.columns, ', '), 200), c.operations,
                                     CASE WHEN c.operations ~ ', ' THEN 'their' ELSE 'its' END);
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.recommend_indexes(bigint) IS
'loadtest (internal): a recommendation per missing index: tables of run_table_stats read sequentially (10000 tuples or more, 1000 per scan) that an operation''s plan scans with a filter or sorts on; the CREATE INDEX of the columns (equality, then one range or LIKE, else sort keys), unless such an index exists; checked with HypoPG when installed and the run is the caller''s (no row when its cost does not fall by 10%)';

-- ---------------------------------------------------------------------------
-- Recommendations: the other rules
-- ---------------------------------------------------------------------------

-- Errors: one row per SQLSTATE (the most frequent first), with its counts
-- per operation and advice by class.
CREATE OR REPLACE FUNCTION loadtest.recommend_errors(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
-- retried: the advice when the run already retried them (loadtest.max_tries
-- of retry_tries or more), which then proposes no more retries
advice (code, what, advice, stmt, retried) AS (
    VALUES ('40P01', 'deadlocks', 'retry them (loadtest.max_tries retries deadlocks and serialization failures), and take row locks in one order (e.g. by primary key) so that transactions do not wait for each other in a cycle', 'SET loadtest.max_tries = 3;',
            'take row locks in one order (e.g. by primary key) so that transactions do not wait for each other in a cycle: retrying more does not remove the cycle'),
           ('40001', 'serialization failures', 'retry them (loadtest.max_tries), as an application at this isolation level must; fewer conflicts with shorter transactions', 'SET loadtest.max_tries = 3;',
            'make the conflicting transactions shorter or fewer (fewer hot rows), or use a lower isolation level if the application allows it: retrying more does not remove the conflicts'),
           ('55P03', 'locks not available', 'operations gave up on a lock (NOWAIT or lock_timeout): wait longer, or make the transactions holding the locks shorter', NULL, NULL),
           ('57014', 'operations cancelled (a timeout)', 'statement_timeout or the run''s op_timeout_ms cancelled them: look at their plans and lock waits, or allow them longer', NULL, NULL),
           ('23', 'integrity constraint violations', 'the generated data collide with the data (duplicates, missing references): adjust the operations'' generators or the data set', NULL, NULL)),
tries AS (
    SELECT r.max_tries FROM loadtest.runs r WHERE r.run_id = recommend_errors.run_id),
e AS (
    SELECT x.sqlstate, x.operation_no, sum(x.count)::numeric AS n
      FROM loadtest.run_errors x
     WHERE x.run_id = recommend_errors.run_id AND x.count > 0
     GROUP BY x.sqlstate, x.operation_no),
named AS (
    SELECT e.sqlstate, e.n,
           coalesce(loadtest.one_line((SELECT ro.operation FROM loadtest.run_operations ro
                                        WHERE ro.run_id = recommend_errors.run_id AND ro.operation_no = e.operation_no), 100),
                    '(operation ' || e.operation_no || ')') AS operation,
           row_number() OVER (PARTITION BY e.sqlstate ORDER BY e.n DESC, e.operation_no) AS rank
      FROM e),
s AS (
    SELECT nm.sqlstate, sum(nm.n) AS n,
           string_agg(nm.operation || ' ' || loadtest.format_number(nm.n, 'FM999G999G999G999G990'), ', ' ORDER BY nm.rank)
               FILTER (WHERE nm.rank <= (SELECT k.listed FROM k)) AS kinds,
           count(*) FILTER (WHERE nm.rank > (SELECT k.listed FROM k)) AS more
      FROM named nm GROUP BY nm.sqlstate)
SELECT format('errors: %s (%s)', coalesce(loadtest.one_line(nullif(s.sqlstate, ''), 10), '-----'), coalesce(a.what, 'failed operations')),
       format('%s operations failed with SQLSTATE %s (%s of the run''s %s operations): %s%s',
              loadtest.format_number(s.n, 'FM999G999G999G999G990'), coalesce(loadtest.one_line(nullif(s.sqlstate, ''), 10), '-----'),
              coalesce(loadtest.verdict_num(loadtest.numeric_float8(100::numeric * s.n / nullif(f.total_ops, 0)::numeric), 2) || '%', 'n/a'),
              loadtest.verdict_num(f.total_ops, 0), s.kinds,
              CASE WHEN s.more > 0 THEN ' and ' || s.more || ' more operations' ELSE '' END),
       CASE WHEN a.retried IS NOT NULL AND t.max_tries >= (SELECT k.retry_tries FROM k)
            THEN format('they failed after %s tries each (loadtest.max_tries = %s): %s', t.max_tries, t.max_tries, a.retried)
            ELSE coalesce(a.advice, 'see their messages: SELECT * FROM loadtest.error_stats WHERE run_id = ' || recommend_errors.run_id) END,
       CASE WHEN a.retried IS NOT NULL AND t.max_tries >= (SELECT k.retry_tries FROM k) THEN NULL ELSE a.stmt END
  FROM s
  LEFT JOIN tries t ON true
  LEFT JOIN LATERAL (SELECT * FROM advice ad
                      WHERE ad.code = s.sqlstate OR (length(ad.code) = 2 AND left(s.sqlstate, 2) = ad.code)
                      ORDER BY length(ad.code) DESC LIMIT 1) a ON true
  LEFT JOIN LATERAL (SELECT x.total_ops FROM loadtest.run_figures(recommend_errors.run_id) x) f ON true
 ORDER BY s.n DESC, s.sqlstate
 LIMIT (SELECT k.listed FROM k)
$$;

COMMENT ON FUNCTION loadtest.recommend_errors(bigint) IS
'loadtest (internal): a recommendation per SQLSTATE of a run''s failed operations (the 10 most frequent): counts per operation, advice by class (40P01, 40001: retries and lock order, or, when the run already tried verdict_limits().retry_tries times, the conflict itself; 55P03; 57014: timeouts; 23xxx: the data)';

-- Lock waits dominating an operation: Lock 30% or more of its samples,
-- with 20 samples or more.
CREATE OR REPLACE FUNCTION loadtest.recommend_locks(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
ops AS (
    SELECT w.operation, sum(w.samples) AS samples,
           sum(w.share_pct) FILTER (WHERE w.class = 'Lock') AS lock_pct
      FROM loadtest.wait_classes(recommend_locks.run_id) w
     WHERE w.operation IS NOT NULL
     GROUP BY w.operation)
SELECT 'lock waits in ' || o.operation,
       format('%s (%s samples)', loadtest.lock_wait_text(recommend_locks.run_id, o.operation),
              loadtest.format_number(o.samples, 'FM999G999G999G999G990')),
       CASE WHEN r.hot_rows > 0
            THEN format('the run drew its rows from %s hot %s per table (loadtest.hot_rows), so the users'' transactions wait for each other on the same rows: spread the writes over more rows, keep the transactions that lock them short, or queue the writes to one row in the application',
                        r.hot_rows, CASE WHEN r.hot_rows = 1 THEN 'row' ELSE 'rows' END)
            ELSE 'transactions wait for each other''s row locks: keep the transactions that lock rows short (commit sooner), lock rows in one order, and spread writes that go to the same rows' END,
       NULL::text
  FROM ops o
 CROSS JOIN k
  LEFT JOIN loadtest.runs r ON r.run_id = recommend_locks.run_id
 WHERE o.lock_pct >= k.class_share_pct AND o.samples >= k.rec_lock_samples::numeric
 ORDER BY o.lock_pct DESC, o.operation
 LIMIT (SELECT k.listed FROM k)
$$;

COMMENT ON FUNCTION loadtest.recommend_locks(bigint) IS
'loadtest (internal): a recommendation per operation whose wait samples (20 or more) are 30% or more Lock: which lock, table and hot rows';

-- Cache hit ratio under 99% with 1000 blocks read or more: the working set
-- (the run's tables) against shared_buffers.
CREATE OR REPLACE FUNCTION loadtest.recommend_cache(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'cache misses',
       format('cache hit ratio %s%% (%s blocks read from disk, %s found in shared buffers); the run''s tables (the working set) total %s, shared_buffers is %s',
              loadtest.verdict_num(c.hit_pct, 2),
              loadtest.format_number(loadtest.numeric_float8(c.blocks_read), 'FM999G999G999G999G990'),
              loadtest.format_number(loadtest.numeric_float8(c.blocks_hit), 'FM999G999G999G999G990'),
              coalesce(loadtest.format_bytes(f.data_bytes), 'n/a'), loadtest.format_bytes(sb.bytes)),
       CASE WHEN f.data_bytes > sb.bytes
            THEN 'the working set does not fit in shared_buffers: raise it (about a quarter of the server''s memory at most; a restart), or add memory'
            ELSE 'reads from disk although the run''s tables fit in shared_buffers: a cold cache or other tables; warm the cache (pg_prewarm) or run longer before measuring' END,
       CASE WHEN f.data_bytes > sb.bytes AND f.data_bytes < 1e15::numeric
            THEN format('ALTER SYSTEM SET shared_buffers = %L;', ceil(f.data_bytes * 1.25 / 1048576::numeric)::bigint || 'MB') END
  FROM loadtest.cache_hit(recommend_cache.run_id) c
 CROSS JOIN loadtest.verdict_limits() k
 CROSS JOIN (SELECT pg_size_bytes(current_setting('shared_buffers'))::numeric AS bytes) sb
  LEFT JOIN LATERAL (SELECT x.data_bytes FROM loadtest.run_figures(recommend_cache.run_id) x) f ON true
 WHERE c.hit_pct < k.rec_cache_hit_pct AND c.blocks_read >= k.rec_cache_blocks::numeric
$$;

COMMENT ON FUNCTION loadtest.recommend_cache(bigint) IS
'loadtest (internal): a recommendation when a run''s cache hit ratio is under 99% with 1000 blocks read or more: the working set (its tables'' total_bytes) against shared_buffers';

-- WAL waits (IO:WALSync, IO:WALWrite, LWLock:WALWrite, LWLock:WALInsert)
-- 30% or more of the write operations' samples.
CREATE OR REPLACE FUNCTION loadtest.recommend_wal(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
w AS (
    SELECT x.*
      FROM loadtest.wait_classes(recommend_wal.run_id) x
     WHERE x.operation IN (SELECT loadtest.one_line(ro.operation, 100) FROM loadtest.run_operations ro
                            WHERE ro.run_id = recommend_wal.run_id AND ro.kind = 'write')),
t AS (
    SELECT sum(w.samples) AS samples,
           sum(w.samples) FILTER (WHERE w.class = 'WAL') AS wal,
           string_agg(DISTINCT w.operation, ', ') AS ops
      FROM w),
ev AS (
    SELECT string_agg(e.event || ' ' || loadtest.verdict_num(loadtest.numeric_float8(100::numeric * e.n / t.samples), 1) || '%',
                      ', ' ORDER BY e.n DESC, e.event) AS events
      FROM (SELECT w.event, sum(w.samples) AS n FROM w WHERE w.class = 'WAL' GROUP BY w.event) e, t),
wp AS (
    SELECT (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                           ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms
      FROM loadtest.run_histograms h
      JOIN loadtest.run_operations ro
        ON ro.run_id = h.run_id AND ro.operation_no = h.operation_no AND ro.kind = 'write'
     WHERE h.run_id = recommend_wal.run_id AND h.scope = 'operation'),
sat AS (
    SELECT coalesce(bool_or(f.pool_saturated OR f.rate_saturated), false) AS saturated
      FROM loadtest.run_figures(recommend_wal.run_id) f)
SELECT 'commits wait for WAL',
       format('%s of the %s samples of the write operations (%s); their p95 %sms%s', ev.events,
              loadtest.format_number(t.samples, 'FM999G999G999G999G990'), loadtest.one_line(t.ops, 300),
              coalesce(loadtest.verdict_num(wp.p95_ms, 2), 'n/a'),
              CASE WHEN sat.saturated THEN ', the server or its pool saturated' ELSE '' END),
       'each commit waits for its WAL to reach disk: let commits share a flush (commit_delay, with commit_siblings), set synchronous_commit = off for writes that may lose their last transactions in a crash (no corruption, a trade-off), or put pg_wal on faster storage',
       'ALTER SYSTEM SET commit_delay = 1000; SELECT pg_reload_conf();'
  FROM t, ev, k, wp, sat
 WHERE t.samples >= k.min_wait_samples::numeric AND 100::numeric * t.wal / t.samples >= k.class_share_pct::numeric
   -- the writes' time matters: the server or its pool saturated, or the
   -- writes are slow
   AND (sat.saturated OR wp.p95_ms >= k.rec_wal_write_p95_ms)
$$;

COMMENT ON FUNCTION loadtest.recommend_wal(bigint) IS
'loadtest (internal): a recommendation when WAL waits are 30% or more of a run''s write operations'' samples (100 samples at least) and the writes'' time matters (the server or its pool saturated, or the writes'' p95 at least 20 ms): commit_delay, synchronous_commit or storage';

-- Pool wait dominating: a pooled run whose users waited at least as long
-- for a worker as the operation took, not lock-bound.
CREATE OR REPLACE FUNCTION loadtest.recommend_pool(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'users queue for the pool',
       format('users waited %sms for a worker for a %sms operation; %s ops/sec x %sms / 1000 = %s busy workers of the pool of %s',
              loadtest.verdict_num(f.wait_ms, 2), loadtest.verdict_num(f.avg_ms, 2),
              loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.avg_ms, 2),
              loadtest.verdict_num(f.busy_workers, 2), loadtest.verdict_num(f.pool_size, 0)),
       CASE WHEN f.busy_workers >= k.pool_busy_share * f.pool_size
            THEN format('the pool''s workers were all busy: a larger pool serves more users at once while the server has cores to spare; confirm with a run with twice the pool (it needs %s background worker slots)', 2 * f.pool_size + 1)
            ELSE format('the workers were not all busy, yet users queued (bursts of arrivals): a larger pool absorbs them; confirm with a run with twice the pool (it needs %s background worker slots)', 2 * f.pool_size + 1) END,
       loadtest.verdict_run_call(f.users, 2 * f.pool_size,
                                 coalesce(f.duration_limit_s, round(f.duration_s), k.min_duration_s),
                                 f.pattern, f.think_time_ms, coalesce(f.ramp_up_s, k.ramp_up_s))
  FROM loadtest.run_figures(recommend_pool.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 WHERE f.shape = 'pooled' AND f.pool_size BETWEEN 1 AND 1000000 AND f.wait_ms >= f.avg_ms AND f.wait_ms > 0
   AND NOT coalesce((SELECT sum(w.share_pct) FROM loadtest.wait_classes(recommend_pool.run_id) w
                      WHERE w.operation IS NULL AND w.class = 'Lock') >= k.class_share_pct, false)
$$;

COMMENT ON FUNCTION loadtest.recommend_pool(bigint) IS
'loadtest (internal): a recommendation when a pooled run''s users waited at least as long for a worker as the operation took, and lock waits are not the cause: the busy workers against the pool, the loadtest_run() call with twice the pool';

-- Reads over 60% of the operations of a server that saturated: replicas.
CREATE OR REPLACE FUNCTION loadtest.recommend_replicas(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'reads on a saturated server',
       format('reads are %s%% of the operations, and run %s saturated %s: %s',
              loadtest.verdict_num(100 * f.read_share, 1), s.saturated_run_id,
              CASE WHEN s.pool THEN 'its pool' ELSE 'the server' END, s.reason),
       'send the reads to read replicas (streaming replication): each replica takes a share of the reads off the primary',
       NULL::text
  FROM loadtest.run_figures(recommend_replicas.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 CROSS JOIN loadtest.saturated_run(recommend_replicas.run_id) s
 WHERE f.read_share > k.rec_read_share
   -- this run saturated (another run of the test saturating a smaller
   -- pool says nothing of this one)
   AND s.saturated_run_id = recommend_replicas.run_id
$$;

COMMENT ON FUNCTION loadtest.recommend_replicas(bigint) IS
'loadtest (internal): a recommendation of read replicas when reads are over 60% of a run''s operations and the run saturated the server or its pool (loadtest.saturated_run names this run)';

-- Users lost, and a tail latency that stands out.
CREATE OR REPLACE FUNCTION loadtest.recommend_run_health(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'users lost',
       format('%s of the %s users were lost (their workers ended early)', loadtest.verdict_num(f.users_lost, 0),
              loadtest.verdict_num(f.users, 0)),
       'see the server log for why their workers ended (out of memory, terminated, crashed); their operations are missing from the figures',
       NULL::text
  FROM loadtest.run_figures(recommend_run_health.run_id) f
 WHERE f.users_lost > 0
UNION ALL
SELECT 'tail latency',
       format('p99 %sms is %s x the median %sms', loadtest.verdict_num(f.p99_ms, 2),
              loadtest.verdict_num(f.p99_ms / f.median_ms, 1), loadtest.verdict_num(f.median_ms, 2)),
       'a few operations take far longer than the rest: look at checkpoints, autovacuum and lock waits in the server log',
       'ALTER SYSTEM SET log_checkpoints = on; ALTER SYSTEM SET log_lock_waits = on; ALTER SYSTEM SET log_autovacuum_min_duration = 0; SELECT pg_reload_conf();'
  FROM loadtest.run_figures(recommend_run_health.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 WHERE f.median_ms > 0 AND f.p99_ms > k.rec_tail_factor * f.median_ms AND f.p99_ms >= k.rec_tail_ms
$$;

COMMENT ON FUNCTION loadtest.recommend_run_health(bigint) IS
'loadtest (internal): recommendations on users lost, and on a tail latency that stands out (p99 over 10x the median and at least 100 ms)';

CREATE OR REPLACE FUNCTION loadtest_recommendations(run_id bigint DEFAULT NULL)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
DECLARE
    v_run bigint := loadtest.resolve_run(loadtest_recommendations.run_id, 'judge');
BEGIN
    -- the rules, in the order the recommendations are listed
    RETURN QUERY SELECT * FROM loadtest.recommend_errors(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_locks(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_pool(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_indexes(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_cache(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_wal(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_replicas(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_run_health(v_run);
END
$$;

COMMENT ON FUNCTION loadtest_recommendations(bigint) IS
'loadtest: what to change, from the evidence of a run (NULL: the latest the caller sees), each row with the figure that triggered it: errors by SQLSTATE, lock waits dominating an operation, users queued for the pool, missing indexes on tables read sequentially (the CREATE INDEX in statement, checked with HypoPG when it is installed and the run is the caller''s), cache hit ratio under 99%, WAL waits dominating writes, reads on a saturated server, users lost, tail latency; no rows for a healthy run';
