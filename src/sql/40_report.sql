-- loadtest 1.2: the reporting layer.
--
--   loadtest.run_summary, loadtest.operation_stats, loadtest.user_stats,
--   loadtest.error_stats     views over the result tables, for users' own
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
-- Every view groups by run_id (or joins on it), so that "WHERE run_id = X"
-- is pushed down into the aggregation and only that run's samples are read
-- (through the samples' BRIN index on run_id).

-- ---------------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------------

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
       coalesce(nullif(s.duration_s, 0), r.duration_s) AS duration_s,
       coalesce(s.total_ops, 0) AS total_ops,
       coalesce(s.successful, 0) AS successful,
       coalesce(s.failed, 0) AS failed,
       100 * s.successful::float8 / s.total_ops AS success_pct,
       s.total_ops / nullif(coalesce(nullif(s.duration_s, 0), r.duration_s), 0) AS throughput_ops_s,
       s.avg_ms,
       s.pct_us[1] / 1000 AS median_ms,
       s.pct_us[2] / 1000 AS p95_ms,
       s.pct_us[3] / 1000 AS p99_ms,
       s.min_ms,
       s.max_ms,
       s.read_share,
       coalesce(s.retried_ops, 0) AS retried_ops,
       coalesce(s.retries, 0) AS retries,
       s.avg_wait_ms,
       s.p95_wait_ms,
       s.max_wait_ms,
       coalesce(s.late_starts, 0) AS late_starts
  FROM loadtest.runs r
  LEFT JOIN (
        SELECT sm.run_id,
               count(*) AS total_ops,
               count(*) FILTER (WHERE sm.success) AS successful,
               count(*) FILTER (WHERE NOT sm.success) AS failed,
               (max(sm.start_us + sm.latency_us) - min(sm.start_us)) / 1e6::float8 AS duration_s,
               avg(sm.latency_us::float8) / 1000 AS avg_ms,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[])
                   WITHIN GROUP (ORDER BY sm.latency_us::float8) AS pct_us,
               min(sm.latency_us)::float8 / 1000 AS min_ms,
               max(sm.latency_us)::float8 / 1000 AS max_ms,
               count(*) FILTER (WHERE o.kind = 'read')::float8 / count(*) AS read_share,
               count(*) FILTER (WHERE sm.tries > 1) AS retried_ops,
               sum(sm.tries - 1) AS retries,
               avg(sm.wait_us::float8) / 1000 AS avg_wait_ms,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY sm.wait_us::float8) / 1000 AS p95_wait_ms,
               max(sm.wait_us)::float8 / 1000 AS max_wait_ms,
               count(*) FILTER (WHERE sm.wait_us > 10000) AS late_starts
          FROM loadtest.samples sm
          JOIN loadtest.operations o ON o.operation = sm.operation
         GROUP BY sm.run_id
       ) s ON s.run_id = r.run_id;

COMMENT ON VIEW loadtest.run_summary IS
'loadtest: one row per run with its overall figures: duration_s (first start to last end of the samples, else runs.duration_s), operations, success_pct (0..100), throughput_ops_s, response times in ms (percentile_cont), read_share (0..1, share of read operations), retried_ops and retries (loadtest.max_tries), and the wait of operations between when they were due and their start in ms (pool wait in a pooled run, schedule lag in a rate run), late_starts (operations that started more than 10 ms after they were due)';

CREATE OR REPLACE VIEW loadtest.operation_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       s.operation,
       o.kind,
       count(*) AS ops,
       avg(s.latency_us::float8) / 1000 AS avg_ms,
       (percentile_cont(ARRAY[0.5, 0.95]::float8[])
            WITHIN GROUP (ORDER BY s.latency_us::float8))[1] / 1000 AS median_ms,
       (percentile_cont(ARRAY[0.5, 0.95]::float8[])
            WITHIN GROUP (ORDER BY s.latency_us::float8))[2] / 1000 AS p95_ms,
       max(s.latency_us)::float8 / 1000 AS max_ms,
       count(*) FILTER (WHERE NOT s.success) AS errors,
       100 * (count(*) FILTER (WHERE NOT s.success))::float8 / count(*) AS error_pct
  FROM loadtest.samples s
  JOIN loadtest.operations o ON o.operation = s.operation
 GROUP BY s.run_id, s.operation, o.kind;

COMMENT ON VIEW loadtest.operation_stats IS
'loadtest: per run and operation: operations, response times in ms (percentile_cont), errors and error_pct (0..100)';

CREATE OR REPLACE VIEW loadtest.user_stats WITH (security_invoker = true) AS
SELECT u.run_id,
       u.user_no,
       u.pattern,
       coalesce(s.ops, 0) AS ops,
       s.avg_ms,
       s.p95_ms,
       coalesce(s.errors, 0) AS errors,
       u.lost
  FROM loadtest.run_users u
  LEFT JOIN (
        SELECT sm.run_id,
               sm.user_no,
               count(*) AS ops,
               avg(sm.latency_us::float8) / 1000 AS avg_ms,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY sm.latency_us::float8) / 1000 AS p95_ms,
               count(*) FILTER (WHERE NOT sm.success) AS errors
          FROM loadtest.samples sm
         GROUP BY sm.run_id, sm.user_no
       ) s ON s.run_id = u.run_id AND s.user_no = u.user_no;

COMMENT ON VIEW loadtest.user_stats IS
'loadtest: per run and simulated user: pattern, operations, response times in ms, errors and whether the user was lost (users without samples have ops = 0)';

CREATE OR REPLACE VIEW loadtest.error_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       s.operation,
       s.sqlstate,
       s.message,
       count(*) AS count
  FROM loadtest.samples s
 WHERE NOT s.success
 GROUP BY s.run_id, s.operation, s.sqlstate, s.message;

COMMENT ON VIEW loadtest.error_stats IS
'loadtest: failed operations per run, operation, SQLSTATE and message';

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
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_rate_response(avg_ms double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN avg_ms < 100 THEN 'excellent'
            WHEN avg_ms < 500 THEN 'good'
            WHEN avg_ms <= 1000 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_response(double precision) IS
'loadtest: rates an average response time in ms: < 100 excellent, 100 to < 500 good, 500 to 1000 fair, > 1000 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_throughput(ops_s double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN ops_s > 100 THEN 'high'
            WHEN ops_s >= 50 THEN 'good'
            WHEN ops_s >= 20 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_throughput(double precision) IS
'loadtest: rates a throughput in operations per second: > 100 high, 50 to 100 good, 20 to < 50 fair, < 20 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_success(pct double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN pct > 99 THEN 'excellent'
            WHEN pct >= 95 THEN 'good'
            WHEN pct >= 90 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_success(double precision) IS
'loadtest: rates a success rate in percent (0..100): > 99 excellent, 95 to 99 good, 90 to < 95 fair, < 90 poor';

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
AS $$
BEGIN
    IF avg_ms = 'NaN'::float8 THEN
        RAISE EXCEPTION 'avg_ms must be a number'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF users <= 0 OR target_users <= 0 THEN
        RAISE EXCEPTION 'users and target_users must be positive'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN  -- NaN sorts above all numbers
        RAISE EXCEPTION 'target_ms must be a positive number'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF avg_ms <= 0 THEN
        -- no measurable response time: no limit from this model
        capacity_users := 'Infinity'::float8;
        est_response_ms := 0;
    ELSE
        capacity_users := target_ms / avg_ms * users;
        est_response_ms := avg_ms * target_users / users;
    END IF;

    verdict := CASE WHEN capacity_users >= target_users THEN 'ready'
                    WHEN est_response_ms <= 2 * target_ms THEN 'degraded'
                    ELSE 'not ready' END;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest_capacity(double precision, integer, double precision, integer) IS
'loadtest: linear capacity model: capacity_users = target_ms / avg_ms * users, est_response_ms at target_users = avg_ms * target_users / users; verdict ready (capacity >= target_users), degraded (estimate <= 2 x target_ms) or not ready; avg_ms <= 0 gives capacity Infinity';

-- ---------------------------------------------------------------------------
-- The report
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report(run_id bigint DEFAULT NULL,
                                target_ms double precision DEFAULT 500)
RETURNS text
LANGUAGE plpgsql VOLATILE
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
    v_lock_errs bigint;
    v_othr_errs bigint;
    v_search_avg double precision;
    v_search_p95 double precision;
    v_missing   text[];
BEGIN
    IF v_target_ms IS NULL OR NOT (v_target_ms > 0 AND v_target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a positive number'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

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
                         CASE WHEN r.status = 'running' THEN 'figures so far'
                              ELSE coalesce(r.message, 'figures may be partial') END);
    END IF;
    o := o || c_rule || ''::text;

    -- 1. Configuration
    o := o || 'Test Configuration:'::text
           || ('   Concurrent Users: ' || to_char(r.users, c_int))
           || CASE WHEN r.duration_limit_s IS NOT NULL
                   THEN '   Run Length: ' || to_char(r.duration_limit_s, c_2d) || 's (operations per user not fixed)'
                   ELSE '   Operations per User: ' || to_char(r.ops_per_user, c_int) END
           || ('   Pattern: ' || r.pattern)
           || ('   Think Time: ' || to_char(r.think_time_ms, c_int) || 'ms')
           || ('   Ramp-up Time: ' || r.ramp_up_s::text || 's')
           || ('   Test Duration: ' || coalesce(to_char(s.duration_s, c_2d) || 's', 'n/a'))
           || ('   Environment: ' || r.environment)
           || ('   Workers: ' || to_char(r.workers, c_int) || ', seed: ' || r.seed::text);
    IF r.rate IS NOT NULL THEN
        o := o || ('   Arrival Rate: ' || to_char(r.rate, c_2d) || ' ops/sec (open model; think time not used)');
    END IF;
    IF r.pool_size IS NOT NULL THEN
        o := o || ('   Pool: ' || to_char(r.pool_size, c_int) || ' workers shared by ' || to_char(r.users, c_int) || ' users');
    END IF;
    IF r.op_timeout_ms > 0 THEN
        o := o || ('   Operation Timeout: ' || to_char(r.op_timeout_ms, c_int) || 'ms');
    END IF;
    IF r.forced THEN
        o := o || '   Forced: yes'::text;
    END IF;
    IF r.isolation <> 'read committed' THEN
        o := o || ('   Isolation: ' || r.isolation);
    END IF;
    IF r.max_tries > 1 THEN
        o := o || ('   Max Tries: ' || r.max_tries::text || ' (serialization failures and deadlocks are retried)');
    END IF;
    IF r.hot_rows > 0 THEN
        o := o || ('   Hot Rows: ' || to_char(r.hot_rows, c_int) || ' per table');
    END IF;
    o := o || ('   Database: ' || r.database_name)
           || ('   Role: ' || r.role_name)
           || ('   Server version: ' || r.server_version)
           || ('   Started: ' || r.started_at::text
               || coalesce(', ended: ' || r.ended_at::text, ''))
           || ''::text;

    -- 2. User patterns
    o := o || 'User Pattern Distribution:'::text;
    v_n := 0;
    FOR rec IN
        SELECT u.pattern, u.operation, count(*) AS n,
               sum(count(*)) OVER () AS total
          FROM loadtest.run_users u
         WHERE u.run_id = v_run_id
         GROUP BY u.pattern, u.operation
         ORDER BY u.pattern, u.operation::text
    LOOP
        o := o || format('   %s%s: %s %s (%s%%)',
                         rec.pattern,
                         CASE WHEN rec.operation IS NOT NULL
                              THEN ' (' || rec.operation || ')' ELSE '' END,
                         to_char(rec.n, c_int),
                         CASE WHEN rec.n = 1 THEN 'user' ELSE 'users' END,
                         to_char(100.0 * rec.n / rec.total, c_1d));
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   no users recorded'::text;
    END IF;
    o := o || ''::text;

    -- 3. Overall results
    o := o || 'Overall Results:'::text
           || ('   Total Operations: ' || to_char(s.total_ops, c_int))
           || ('   Successful: ' || to_char(s.successful, c_int)
               || coalesce(' (' || to_char(s.success_pct, c_2d) || '%)', ''))
           || ('   Failed: ' || to_char(s.failed, c_int)
               || coalesce(' (' || to_char(100 - s.success_pct, c_2d) || '%)', ''))
           || ('   Throughput: ' || coalesce(to_char(s.throughput_ops_s, c_2d) || ' ops/sec', 'n/a'))
           || ('   Reads: ' || coalesce(to_char(100 * s.read_share, c_2d) || '% of operations', 'n/a'));
    IF s.retries > 0 THEN
        o := o || format('   Retried: %s operations (%s retries); their latency covers every try',
                         to_char(s.retried_ops, c_int), to_char(s.retries, c_int));
    END IF;
    IF r.users_lost > 0 THEN
        o := o || format('   Users lost: %s (%s operations not done): user %s',
                         to_char(r.users_lost, c_int), to_char(r.ops_not_done, c_int),
                         (SELECT string_agg(u.user_no::text
                                            || coalesce(' (' || (u.ops_planned - u.ops_done)::text || ' not done)', ''),
                                            ', ' ORDER BY u.user_no)
                            FROM loadtest.run_users u
                           WHERE u.run_id = v_run_id AND u.lost));
    END IF;
    o := o || ''::text;

    -- 3b. Stages: the results of each stage of a staged run
    IF r.stages IS NOT NULL THEN
        o := o || 'Stages:'::text;
        FOR rec IN
            SELECT st.stage, st.kind, st."from" AS from_target, st."to" AS to_target,
                   st.start_s, st.end_s,
                   count(sm.*) AS ops,
                   count(sm.*) FILTER (WHERE NOT sm.success) AS errors,
                   avg(sm.latency_us) / 1000 AS avg_ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY sm.latency_us) / 1000 AS p95_ms
              FROM jsonb_to_recordset(r.stages)
                   AS st(stage int, kind text, "from" float8, "to" float8, start_s float8, end_s float8)
                   LEFT JOIN loadtest.samples sm
                     ON sm.run_id = v_run_id
                    AND sm.start_us >= st.start_s * 1e6 AND sm.start_us < st.end_s * 1e6
             GROUP BY st.stage, st.kind, st."from", st."to", st.start_s, st.end_s
             ORDER BY st.stage
        LOOP
            o := o || format('   %s. %s %s -> %s over %ss: %s ops, %s ops/sec, avg %sms, p95 %sms, %s errors',
                             rec.stage,
                             CASE rec.kind WHEN 'rate' THEN 'rate (ops/sec)' ELSE 'users' END,
                             rec.from_target::numeric, rec.to_target::numeric,
                             to_char(rec.end_s - rec.start_s, c_2d),
                             to_char(rec.ops, c_int),
                             to_char(rec.ops / nullif(rec.end_s - rec.start_s, 0), c_2d),
                             coalesce(to_char(rec.avg_ms, c_2d), 'n/a'),
                             coalesce(to_char(rec.p95_ms, c_2d), 'n/a'),
                             to_char(rec.errors, c_int));
        END LOOP;
        o := o || ''::text;
    END IF;

    -- 4. Response times
    o := o || 'Response Times (ms):'::text
           || ('   Average: ' || coalesce(to_char(s.avg_ms, c_2d) || 'ms', 'n/a'))
           || ('   Median: ' || coalesce(to_char(s.median_ms, c_2d) || 'ms', 'n/a'))
           || ('   95th Percentile: ' || coalesce(to_char(s.p95_ms, c_2d) || 'ms', 'n/a'))
           || ('   99th Percentile: ' || coalesce(to_char(s.p99_ms, c_2d) || 'ms', 'n/a'))
           || ('   Min: ' || coalesce(to_char(s.min_ms, c_2d) || 'ms', 'n/a'))
           || ('   Max: ' || coalesce(to_char(s.max_ms, c_2d) || 'ms', 'n/a'));
    IF r.rate IS NOT NULL THEN
        -- open model: measured from the intended start, so that a stalled
        -- server cannot hide its stall (no coordinated omission)
        SELECT avg(sm.wait_us + sm.latency_us) / 1000,
               percentile_cont(ARRAY[0.95, 0.99]) WITHIN GROUP (ORDER BY (sm.wait_us + sm.latency_us)::float8)
          INTO v_avg_intended, v_pct_intended
          FROM loadtest.samples sm WHERE sm.run_id = v_run_id;
        o := o || format('   From intended start (schedule lag + operation): average %sms, p95 %sms, p99 %sms',
                         to_char(v_avg_intended, c_2d), to_char(v_pct_intended[1] / 1000, c_2d),
                         to_char(v_pct_intended[2] / 1000, c_2d))
               || format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                         to_char(s.avg_wait_ms, c_2d), to_char(s.p95_wait_ms, c_2d),
                         to_char(s.max_wait_ms, c_2d), to_char(s.late_starts, c_int),
                         to_char(100.0 * s.late_starts / nullif(s.total_ops, 0), c_2d));
    ELSIF r.pool_size IS NOT NULL THEN
        -- what users feel when the pool is too small: the wait for a worker
        o := o || format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                         to_char(s.avg_wait_ms, c_2d), to_char(s.p95_wait_ms, c_2d),
                         to_char(s.max_wait_ms, c_2d))
               || format('   As users feel it (pool wait + operation): average %sms',
                         to_char(s.avg_wait_ms + s.avg_ms, c_2d));
    END IF;
    o := o || ''::text;

    -- 5. Operations
    o := o || 'Operation Breakdown:'::text;
    v_n := 0;
    FOR rec IN
        SELECT x.* FROM loadtest.operation_stats x
         WHERE x.run_id = v_run_id
         ORDER BY x.ops DESC, x.operation::text
    LOOP
        o := o || format('   %s: %s ops, avg %sms, p95 %sms, %s %s',
                         rec.operation, to_char(rec.ops, c_int),
                         to_char(rec.avg_ms, c_2d), to_char(rec.p95_ms, c_2d),
                         to_char(rec.errors, c_int),
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

    -- 6. Errors
    o := o || 'Errors:'::text;
    v_n := 0;
    v_more := 0;
    v_lock_errs := 0;
    v_othr_errs := 0;
    FOR rec IN
        SELECT x.* FROM loadtest.error_stats x
         WHERE x.run_id = v_run_id
         ORDER BY x.count DESC, x.sqlstate, x.operation::text, x.message
    LOOP
        v_n := v_n + 1;
        IF v_n <= c_top_errors THEN
            o := o || format('   [%s] %s (%s): %s',
                             coalesce(rec.sqlstate, '-----'),
                             coalesce(left(regexp_replace(rec.message, '\s+', ' ', 'g'), 100),
                                      'no message'),
                             rec.operation, to_char(rec.count, c_int));
        ELSE
            v_more := v_more + 1;
        END IF;
        IF rec.sqlstate IN ('40P01', '40001', '55P03') THEN
            v_lock_errs := v_lock_errs + rec.count;
        ELSE
            v_othr_errs := v_othr_errs + rec.count;
        END IF;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   none'::text;
    ELSIF v_more > 0 THEN
        o := o || format('   ... and %s more (see loadtest.error_stats)', to_char(v_more, c_int));
    END IF;
    o := o || ''::text;

    -- 7. Assessment
    o := o || 'Performance Assessment:'::text;
    IF s.total_ops = 0 THEN
        o := o || '   no operations to assess'::text;
    ELSE
        v_rating := @extschema@.loadtest_rate_response(s.avg_ms);
        o := o || format('   %s %s: average response time %sms (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), to_char(s.avg_ms, c_2d),
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
                             initcap(v_rating), to_char(s.throughput_ops_s, c_2d),
                             CASE v_rating WHEN 'high' THEN '> 100' WHEN 'good' THEN '50-100'
                                           WHEN 'fair' THEN '20-50' ELSE '< 20' END,
                             CASE v_rating WHEN 'high' THEN 'can handle many users'
                                           WHEN 'good' THEN 'suitable for medium load'
                                           WHEN 'fair' THEN 'may struggle under high load'
                                           ELSE 'capacity issues' END);
            -- Users that mostly think cannot load the server: then the
            -- throughput measures the simulated demand, not the capacity.
            IF r.rate IS NULL AND r.think_time_ms > 0 AND s.avg_ms < 0.1 * r.think_time_ms THEN
                o := o || format('   note: throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking (think time %sms, %sms per operation); run more users or think_time_ms => 0 to measure capacity',
                                 to_char(100.0 * r.think_time_ms / (r.think_time_ms + s.avg_ms), c_2d),
                                 to_char(r.think_time_ms, c_int), to_char(s.avg_ms, c_2d));
            END IF;
        END IF;

        v_rating := @extschema@.loadtest_rate_success(s.success_pct);
        o := o || format('   %s %s success rate: %s%% (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), to_char(s.success_pct, c_2d),
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
    ELSE
        SELECT * INTO cap
          FROM @extschema@.loadtest_capacity(s.avg_ms, r.users, v_target_ms, c_target_users);

        o := o || ('   Target response time: ' || to_char(v_target_ms, c_2d) || 'ms')
               || CASE WHEN cap.capacity_users = 'Infinity'::float8
                       THEN '   Current capacity: unlimited (no measurable response time)'
                       ELSE format('   Current capacity: ~%s concurrent users (at %sms average response time)',
                                   to_char(floor(cap.capacity_users)::numeric, c_int),
                                   to_char(v_target_ms, c_2d)) END
               || format('   Estimated response time at %s users: %sms',
                         c_target_users, to_char(cap.est_response_ms, c_2d))
               || CASE cap.verdict
                  WHEN 'ready' THEN format('   [OK] System should handle %s users within %sms',
                                           c_target_users, to_char(v_target_ms, c_2d))
                  WHEN 'degraded' THEN format('   [!] System may handle %s users with degraded performance',
                                              c_target_users)
                  ELSE format('   [!!] System is not ready for %s users: the estimate is over twice the %sms target',
                              c_target_users, to_char(v_target_ms, c_2d)) END
               || '   (linear model: response time proportional to concurrent users)'::text;

        -- The USL model (50_capacity.sql) beside the linear one, fitted over
        -- the latest completed run of each user count of this pattern and
        -- think time that the caller can see; the target's own user count is
        -- left out, so that a measured run at the target tests both estimates.
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
        BEGIN
            FOR u_rec IN
                SELECT DISTINCT ON (x.users) x.run_id, x.users
                  FROM loadtest.runs x
                 WHERE x.status = 'completed' AND x.samples_recorded
                   AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
                   AND x.users <> c_target_users
                   -- closed-model runs with a worker per user: there the
                   -- user count is the concurrency the law speaks of
                   AND x.rate IS NULL AND x.stages IS NULL AND x.pool_size IS NULL
                 ORDER BY x.users, x.run_id DESC
            LOOP
                SELECT y.throughput_ops_s INTO u_tp
                  FROM loadtest.run_summary y WHERE y.run_id = u_rec.run_id;
                IF u_tp > 0 THEN
                    u_users := u_users || u_rec.users::float8;
                    u_tput := u_tput || u_tp;
                END IF;
            END LOOP;

            IF cardinality(u_users) >= 3 THEN
                SELECT * INTO u_fit FROM @extschema@.loadtest_usl_fit(u_users, u_tput);
                SELECT * INTO u_pred
                  FROM @extschema@.loadtest_usl_predict(u_fit.sigma, u_fit.kappa, u_fit.lambda,
                                                        c_target_users, r.think_time_ms);
                u_have := true;
                o := o || format('   USL model (Universal Scalability Law) over the completed %s runs with %sms think time at %s users:',
                                 r.pattern, to_char(r.think_time_ms, c_int),
                                 array_to_string(u_users, ', '))
                       || format('      sigma %s (contention), kappa %s (coherency), lambda %s ops/sec at 1 user, r2 %s',
                                 to_char(u_fit.sigma, 'FM9990.0000'),
                                 CASE WHEN u_fit.kappa = 0 THEN '0'
                                      ELSE btrim(to_char(u_fit.kappa, '9.99EEEE')) END,
                                 to_char(u_fit.lambda, c_2d),
                                 coalesce(to_char(u_fit.r2, 'FM990.0000'), 'n/a'))
                       || format('      %s Estimated at %s users: %s ops/sec, response time %sms',
                                 CASE WHEN u_pred.response_ms <= v_target_ms THEN '[OK]'
                                      WHEN u_pred.response_ms <= 2 * v_target_ms THEN '[!]'
                                      ELSE '[!!]' END,
                                 c_target_users, to_char(u_pred.throughput, c_2d),
                                 to_char(u_pred.response_ms, c_2d));
                IF u_fit.peak_users IS NOT NULL THEN
                    o := o || format('      Throughput peaks at ~%s users (%s ops/sec)',
                                     to_char(round(u_fit.peak_users), c_int),
                                     to_char(u_fit.peak_throughput, c_2d));
                END IF;
                IF u_fit.note IS NOT NULL THEN
                    o := o || ('      note: ' || u_fit.note);
                END IF;
            ELSE
                IF r.pattern <> 'distributed' THEN
                    u_args := u_args || format('pattern => %L', r.pattern);
                END IF;
                IF r.think_time_ms <> 0 THEN
                    u_args := u_args || format('think_time_ms => %s', r.think_time_ms);
                END IF;
                o := o || format('   USL model: needs completed %s runs with %sms think time at 3 or more user counts (found %s); for an estimate: SELECT * FROM loadtest_capacity(%s);',
                                 r.pattern, to_char(r.think_time_ms, c_int),
                                 cardinality(u_users), array_to_string(u_args, ', '));
            END IF;

            -- The measured figure, when a completed run at the target exists.
            SELECT max(x.run_id) INTO u_mid
              FROM loadtest.runs x
             WHERE x.status = 'completed' AND x.samples_recorded
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
                o := o || format('   Measured at %s users (run %s): response time %sms average, %s ops/sec',
                                 c_target_users, u_mid, to_char(u_meas.avg_ms, c_2d),
                                 coalesce(to_char(u_meas.throughput_ops_s, c_2d), 'n/a'))
                       || format('      linear estimate %sms: %s',
                                 to_char(cap.est_response_ms, c_2d),
                                 CASE WHEN u_mid = r.run_id THEN 'this run'
                                      WHEN cap.est_response_ms >= u_meas.avg_ms
                                      THEN to_char(100 * (cap.est_response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                      ELSE to_char(100 * (1 - cap.est_response_ms / u_meas.avg_ms), c_2d) || '% too low' END);
                IF u_have THEN
                    o := o || format('      USL estimate %sms: %s%s',
                                     to_char(u_pred.response_ms, c_2d),
                                     CASE WHEN u_pred.response_ms >= u_meas.avg_ms
                                          THEN to_char(100 * (u_pred.response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                          ELSE to_char(100 * (1 - u_pred.response_ms / u_meas.avg_ms), c_2d) || '% too low' END,
                                     CASE WHEN u_meas.throughput_ops_s > 0 THEN
                                          format('; %s ops/sec: %s', to_char(u_pred.throughput, c_2d),
                                                 CASE WHEN u_pred.throughput >= u_meas.throughput_ops_s
                                                      THEN to_char(100 * (u_pred.throughput / u_meas.throughput_ops_s - 1), c_2d) || '% too high'
                                                      ELSE to_char(100 * (1 - u_pred.throughput / u_meas.throughput_ops_s), c_2d) || '% too low' END)
                                          ELSE '' END);
                END IF;
            END IF;
        END;

        -- Recommendations, each from evidence in this run
        IF s.read_share > 0.6 THEN
            recs := recs || format('Reads are %s%% of operations (> 60%%): add read replicas for the reads (2-3x capacity for reads)',
                                   to_char(100 * s.read_share, c_2d));
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
                                   to_char(v_search_avg, c_2d), to_char(v_search_p95, c_2d),
                                   to_char(s.avg_ms, c_2d), to_char(s.p95_ms, c_2d),
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
                                   to_char(v_lock_errs, c_int));
        END IF;
        IF v_othr_errs > 0 THEN
            recs := recs || format('Other failures (%s): investigate them (see Errors above and loadtest.error_stats)',
                                   to_char(v_othr_errs, c_int));
        END IF;
        IF r.users_lost > 0 THEN
            recs := recs || format('Users lost (%s): their workers ended early, see the server log',
                                   to_char(r.users_lost, c_int));
        END IF;
        IF cap.capacity_users < c_target_users THEN
            recs := recs || format('Capacity ~%s is below %s users: use connection pooling (e.g. PgBouncer), cache frequently read data (3-5x for cached queries) and optimise the slowest queries; then scale horizontally',
                                   to_char(floor(cap.capacity_users)::numeric, c_int), c_target_users);
        END IF;
        IF s.p99_ms > 10 * s.median_ms THEN
            recs := recs || format('Tail latency: p99 %sms is over 10x the median %sms: look at checkpoints, autovacuum and lock waits (log_checkpoints, log_autovacuum_min_duration, log_lock_waits)',
                                   to_char(s.p99_ms, c_2d), to_char(s.median_ms, c_2d));
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
'loadtest: the text report of a run (NULL: the latest run): configuration, user patterns, results, response times, operations, errors, assessment and scaling to 4000 users at target_ms; marks stale runs first';

-- Reading results is open to all: the views run as the caller
-- (security_invoker), and row-level security shows each role its own runs.
GRANT SELECT ON loadtest.run_summary, loadtest.operation_stats,
    loadtest.user_stats, loadtest.error_stats,
    loadtest.operations, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.samples, loadtest.run_users TO PUBLIC;
