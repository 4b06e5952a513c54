-- loadtest 1.6: the sections of the report and their figures (issue #11).
--
--   loadtest.report_sections()            the list of the report's sections:
--                                         order, name, JSON key; the one
--                                         place loadtest_report() and
--                                         loadtest_report_json() read
--   loadtest.report_run(...)              the report's arguments checked,
--                                         stale runs marked, the run found
--   loadtest.report_section_lines(...),   one section's lines / figures, by
--   loadtest.report_section_data(...)     its name in the list
--   loadtest.report_<name>(...)           the lines of a section
--   loadtest.report_<name>_data(...)      its figures as jsonb: the JSON
--                                         form, and what its lines are
--                                         written from
--
-- The sections, in the report's order (report_sections() is the list):
-- header, configuration, distribution, overall, stages, response_times,
-- operations, where_time_went, defined_operations, errors, database,
-- over_time, plans, assessment, scaling, recommendations.  The lines of
-- where_time_went, database, over_time and plans are the evidence of
-- 45_evidence.sql (loadtest.report_where_time_went(run_id), ...); their
-- figures are here, from the same tables.  The scaling section's figures
-- are the row of loadtest_verdict() (JSON key verdict) and its
-- recommendations the rows of loadtest_recommendations() (55_verdict.sql);
-- the reference guide's linear formula that the scaling section shows
-- beside the verdict, labelled, is a figure of the assessment
-- (guide_formula), like the guide's ratings.
--
-- A section's lines follow the convention of 45_evidence.sql: its heading
-- ('Name:'), then lines indented by three spaces, no empty line at the end;
-- no line at all when the section does not apply to the run (stages of a
-- run without stages, defined operations of a run of built-in ones only).
-- loadtest_report() puts an empty line after each (loadtest.report_block).
-- The lines of a section with figures are written from its _data function,
-- so that the text and the JSON cannot disagree; the configuration's lines
-- are written from the same row of loadtest.runs as its figures (the text
-- keeps the row's own text forms: timestamps, ramp_up_s).
--
-- Every function is SECURITY INVOKER: it reads the result tables through
-- row-level security as the caller.  Any content of those tables gives
-- text and jsonb, not an error: text from the tables goes through
-- loadtest.one_line(), numbers through loadtest.format_number(), divisions
-- are guarded, lists are bounded.  The figures are the views' (run_summary,
-- operation_stats, error_stats, wait_profile, run_timeline ...), computed
-- the same way; counts that the views clamp to bigint are exact sums here
-- (numeric).  A float8 figure is written into jsonb as its shortest exact
-- form whatever the caller's extra_float_digits (the _data functions set
-- it), NaN and infinities as the strings "NaN", "Infinity", "-Infinity";
-- ((j ->> 'key')::float8 reads any of them back).
--
-- Every routine here is plpgsql or SQL with a string body: parsed when it
-- runs, under its pinned search_path (pg_catalog, pg_temp), so its
-- operators are pg_catalog's whatever their operand types.

-- ---------------------------------------------------------------------------
-- The list of sections
-- ---------------------------------------------------------------------------

-- The report's sections in their order: a section's lines come from
-- loadtest.report_<section>(run_id) (or (run_id, target_ms, target_users)
-- when takes_targets), its figures from loadtest.report_<section>_data(...)
-- with the same arguments, under json_key in loadtest_report_json().
CREATE OR REPLACE FUNCTION loadtest.report_sections()
RETURNS TABLE (section_no integer, section text, json_key text, takes_targets boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT v.section_no, v.section, v.json_key, v.takes_targets
  FROM (VALUES
        ( 1, 'header',             'run',                false),
        ( 2, 'configuration',      'configuration',      false),
        ( 3, 'distribution',       'distribution',       false),
        ( 4, 'overall',            'overall',            false),
        ( 5, 'stages',             'stages',             false),
        ( 6, 'response_times',     'response_times',     false),
        ( 7, 'operations',         'operations',         false),
        ( 8, 'where_time_went',    'where_time_went',    false),
        ( 9, 'defined_operations', 'defined_operations', false),
        (10, 'errors',             'errors',             false),
        (11, 'database',           'database',           false),
        (12, 'over_time',          'over_time',          false),
        (13, 'plans',              'plans',              false),
        (14, 'assessment',         'assessment',         true),
        (15, 'scaling',            'verdict',            true),
        (16, 'recommendations',    'recommendations',    false)
       ) AS v(section_no, section, json_key, takes_targets)
 ORDER BY v.section_no
$$;

COMMENT ON FUNCTION loadtest.report_sections() IS
'loadtest (internal): the sections of the report in their order, with their JSON keys: section''s lines from loadtest.report_<section>(run_id) (with target_ms and target_users when takes_targets), its figures from loadtest.report_<section>_data(...); read by loadtest_report() and loadtest_report_json()';

-- ---------------------------------------------------------------------------
-- The run of a report
-- ---------------------------------------------------------------------------

-- The arguments of loadtest_report() / loadtest_report_json() (caller: the
-- name the hints give) checked before anything else, stale runs marked,
-- then the run: run_id, or the latest run the caller sees when NULL.
CREATE OR REPLACE FUNCTION loadtest.report_run(run_id bigint, target_ms double precision,
                                               target_users integer, caller text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run_id bigint := report_run.run_id;
BEGIN
    IF report_run.target_ms IS NULL
       OR NOT (report_run.target_ms > 0 AND report_run.target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %',
                        coalesce(report_run.target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms that the scaling section holds the estimates to.',
                  HINT = format('Pass a number of milliseconds, e.g. %s(target_ms => 500).', caller);
    END IF;
    IF report_run.target_users IS NULL OR report_run.target_users < 1 THEN
        RAISE EXCEPTION 'target_users must be a positive number of users, not %',
                        coalesce(report_run.target_users::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_users is the number of concurrent users that the verdict of the scaling section is for.',
                  HINT = format('Pass a number of users, e.g. %s(target_users => 4000).', caller);
    END IF;

    RETURN loadtest.resolve_run(v_run_id, 'report on');
END
$$;

COMMENT ON FUNCTION loadtest.report_run(bigint, double precision, integer, text) IS
'loadtest (internal): checks the arguments of a report (target_ms finite and positive, target_users positive: else SQLSTATE 22023, the hint naming caller), marks stale runs, and returns the run to report on: run_id, or the latest run the caller sees when NULL (none: SQLSTATE P0002; not found: 42704)';

-- One section of the list, by name: its lines ...
CREATE OR REPLACE FUNCTION loadtest.report_section_lines(section text, run_id bigint,
                                                         target_ms double precision,
                                                         target_users integer)
RETURNS text[]
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s       record;
    v_lines text[];
BEGIN
    SELECT * INTO s FROM loadtest.report_sections() x WHERE x.section = report_section_lines.section;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report has no section %', coalesce(quote_literal(report_section_lines.section), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sections are those of loadtest.report_sections(), by name.',
                  HINT = 'SELECT section FROM loadtest.report_sections(); lists them.';
    END IF;
    EXECUTE format('SELECT ARRAY(SELECT t.line FROM loadtest.%I($1%s) WITH ORDINALITY AS t(line, n) ORDER BY t.n)',
                   'report_' || s.section, CASE WHEN s.takes_targets THEN ', $2, $3' ELSE '' END)
       INTO v_lines
      USING report_section_lines.run_id, report_section_lines.target_ms, report_section_lines.target_users;
    RETURN v_lines;
END
$$;

COMMENT ON FUNCTION loadtest.report_section_lines(text, bigint, double precision, integer) IS
'loadtest (internal): the lines of one section of the report (a name of loadtest.report_sections()) for a run';

-- ... and its figures
CREATE OR REPLACE FUNCTION loadtest.report_section_data(section text, run_id bigint,
                                                        target_ms double precision,
                                                        target_users integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s      record;
    v_data jsonb;
BEGIN
    SELECT * INTO s FROM loadtest.report_sections() x WHERE x.section = report_section_data.section;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report has no section %', coalesce(quote_literal(report_section_data.section), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sections are those of loadtest.report_sections(), by name.',
                  HINT = 'SELECT section FROM loadtest.report_sections(); lists them.';
    END IF;
    EXECUTE format('SELECT loadtest.%I($1%s)',
                   'report_' || s.section || '_data', CASE WHEN s.takes_targets THEN ', $2, $3' ELSE '' END)
       INTO v_data
      USING report_section_data.run_id, report_section_data.target_ms, report_section_data.target_users;
    RETURN v_data;
END
$$;

COMMENT ON FUNCTION loadtest.report_section_data(text, bigint, double precision, integer) IS
'loadtest (internal): the figures (jsonb) of one section of the report (a name of loadtest.report_sections()) for a run';

-- ---------------------------------------------------------------------------
-- Header
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_header_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object('run_id', r.run_id, 'status', r.status, 'message', r.message)
  FROM loadtest.runs r
 WHERE r.run_id = report_header_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_header_data(bigint) IS
'loadtest (internal): the figures of the report''s header: run_id, status and message of the run (NULL when the caller sees no such run)';

CREATE OR REPLACE FUNCTION loadtest.report_header(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_rule constant text := repeat('=', 70);
    d      jsonb := loadtest.report_header_data(report_header.run_id);
BEGIN
    RETURN NEXT c_rule;
    RETURN NEXT format('LOAD TEST REPORT - run %s (%s)', report_header.run_id,
                       coalesce(d ->> 'status', 'not found'));
    IF d ->> 'status' <> 'completed' THEN
        RETURN NEXT format('   status: %s, %s', d ->> 'status',
                           CASE WHEN d ->> 'status' = 'running'
                                THEN 'its figures are written when it ends (the call that runs it prints its progress)'
                                ELSE coalesce(loadtest.one_line(d ->> 'message', 200), 'figures may be partial') END);
    END IF;
    RETURN NEXT c_rule;
END
$$;

COMMENT ON FUNCTION loadtest.report_header(bigint) IS
'loadtest (internal): the report''s header lines of a run: its number and status, why it is not complete';

-- ---------------------------------------------------------------------------
-- "Test Configuration:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_configuration_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'users', r.users, 'ops_per_user', r.ops_per_user, 'duration_limit_s', r.duration_limit_s,
           'pattern', r.pattern, 'think_time_ms', r.think_time_ms, 'ramp_up_s', r.ramp_up_s,
           'duration_s', s.duration_s, 'environment', r.environment, 'workers', r.workers,
           'seed', r.seed, 'rate', r.rate, 'pool_size', r.pool_size, 'op_timeout_ms', r.op_timeout_ms,
           'forced', r.forced, 'isolation', r.isolation, 'max_tries', r.max_tries,
           'hot_rows', r.hot_rows, 'samples', r.samples,
           'wait_sample_interval_ms', r.wait_sample_interval_ms,
           'database_name', r.database_name, 'role_name', r.role_name,
           'server_version', r.server_version, 'started_at', r.started_at, 'ended_at', r.ended_at)
  FROM loadtest.runs r
  LEFT JOIN loadtest.run_summary s ON s.run_id = r.run_id
 WHERE r.run_id = report_configuration_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_configuration_data(bigint) IS
'loadtest (internal): the figures of the report''s "Test Configuration:": the run''s settings (loadtest.runs) and its duration (loadtest.run_summary.duration_s)';

CREATE OR REPLACE FUNCTION loadtest.report_configuration(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    r     loadtest.runs;
    v_dur double precision;
BEGIN
    -- (the row its figures are made of: loadtest.report_configuration_data)
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = report_configuration.run_id;
    SELECT s.duration_s INTO v_dur FROM loadtest.run_summary s WHERE s.run_id = report_configuration.run_id;
    RETURN NEXT 'Test Configuration:';
    RETURN NEXT '   Concurrent Users: ' || loadtest.format_number(r.users, c_int);
    RETURN NEXT CASE WHEN r.duration_limit_s IS NOT NULL
                     THEN '   Run Length: ' || loadtest.format_number(r.duration_limit_s, c_2d) || 's (operations per user not fixed)'
                     ELSE '   Operations per User: ' || loadtest.format_number(r.ops_per_user, c_int) END;
    RETURN NEXT '   Pattern: ' || loadtest.one_line(r.pattern, 100);
    RETURN NEXT '   Think Time: ' || loadtest.format_number(r.think_time_ms, c_int) || 'ms';
    RETURN NEXT '   Ramp-up Time: ' || r.ramp_up_s::text || 's';
    RETURN NEXT '   Test Duration: ' || coalesce(loadtest.format_number(v_dur, c_2d) || 's', 'n/a');
    RETURN NEXT '   Environment: ' || loadtest.one_line(r.environment, 100);
    RETURN NEXT '   Workers: ' || loadtest.format_number(r.workers, c_int) || ', seed: ' || r.seed::text;
    IF r.rate IS NOT NULL THEN
        RETURN NEXT '   Arrival Rate: ' || loadtest.format_number(r.rate, c_2d) || ' ops/sec (open model; think time not used)';
    END IF;
    IF r.pool_size IS NOT NULL THEN
        RETURN NEXT '   Pool: ' || loadtest.format_number(r.pool_size, c_int) || ' workers shared by '
                    || loadtest.format_number(r.users, c_int) || ' users';
    END IF;
    IF r.op_timeout_ms > 0 THEN
        RETURN NEXT '   Operation Timeout: ' || loadtest.format_number(r.op_timeout_ms, c_int) || 'ms';
    END IF;
    IF r.forced THEN
        RETURN NEXT '   Forced: yes';
    END IF;
    IF r.isolation <> 'read committed' THEN
        RETURN NEXT '   Isolation: ' || loadtest.one_line(r.isolation, 100);
    END IF;
    IF r.max_tries > 1 THEN
        RETURN NEXT '   Max Tries: ' || r.max_tries::text || ' (serialization failures and deadlocks are retried)';
    END IF;
    IF r.hot_rows > 0 THEN
        RETURN NEXT '   Hot Rows: ' || loadtest.format_number(r.hot_rows, c_int) || ' per table';
    END IF;
    RETURN NEXT '   Database: ' || loadtest.one_line(r.database_name, 100);
    RETURN NEXT '   Role: ' || loadtest.one_line(r.role_name, 100);
    RETURN NEXT '   Server version: ' || loadtest.one_line(r.server_version, 100);
    RETURN NEXT '   Started: ' || r.started_at::text || coalesce(', ended: ' || r.ended_at::text, '');
END
$$;

COMMENT ON FUNCTION loadtest.report_configuration(bigint) IS
'loadtest (internal): the report''s "Test Configuration:" lines of a run: users, length, pattern, think time, the shape of the run and its settings, where and when it ran';

-- ---------------------------------------------------------------------------
-- "User Pattern Distribution:"
-- ---------------------------------------------------------------------------

-- The users by pattern (and operation, for a run of one operation), in the
-- order of the run's patterns.
CREATE OR REPLACE FUNCTION loadtest.report_distribution_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('pattern', x.pattern, 'operation', x.operation,
                                             'users', x.n, 'pct', x.pct)
                          ORDER BY x.pattern_no, x.pattern, x.operation), '[]'::jsonb)
  FROM (SELECT u.pattern, u.operation, count(*) AS n,
               100.0 * count(*) / sum(count(*)) OVER () AS pct,
               (SELECT min(p.pattern_no) FROM loadtest.run_patterns p
                 WHERE p.run_id = report_distribution_data.run_id AND p.pattern = u.pattern) AS pattern_no
          FROM loadtest.run_users u
         WHERE u.run_id = report_distribution_data.run_id
         GROUP BY u.pattern, u.operation) x
$$;

COMMENT ON FUNCTION loadtest.report_distribution_data(bigint) IS
'loadtest (internal): the figures of the report''s "User Pattern Distribution:": per pattern (and operation) the users of the run and their share in percent (loadtest.run_users), in the order of its patterns';

CREATE OR REPLACE FUNCTION loadtest.report_distribution(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_1d  constant text := 'FM990D0';
    e     jsonb;
BEGIN
    RETURN NEXT 'User Pattern Distribution:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(loadtest.report_distribution_data(report_distribution.run_id))
                             WITH ORDINALITY AS x(e, n) ORDER BY x.n
    LOOP
        RETURN NEXT format('   %s%s: %s %s (%s%%)',
                           loadtest.one_line(e ->> 'pattern', 100),
                           CASE WHEN e ->> 'operation' IS NOT NULL
                                THEN ' (' || loadtest.one_line(e ->> 'operation', 100) || ')' ELSE '' END,
                           loadtest.format_number((e ->> 'users')::numeric, c_int),
                           CASE WHEN (e ->> 'users')::numeric = 1::numeric THEN 'user' ELSE 'users' END,
                           loadtest.format_number((e ->> 'pct')::numeric, c_1d));
    END LOOP;
    IF NOT FOUND THEN
        RETURN NEXT '   no users recorded';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_distribution(bigint) IS
'loadtest (internal): the report''s "User Pattern Distribution:" lines of a run: its users by pattern';

-- ---------------------------------------------------------------------------
-- "Overall Results:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_overall_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'total_ops', s.total_ops, 'successful', s.successful, 'failed', s.failed,
           'success_pct', s.success_pct, 'throughput_ops_s', s.throughput_ops_s,
           'read_share', s.read_share, 'retried_ops', s.retried_ops, 'retries', s.retries,
           'users_lost', r.users_lost, 'ops_not_done', r.ops_not_done,
           -- the first 20 users lost (users_lost counts them all)
           'lost_users', (SELECT coalesce(jsonb_agg(jsonb_build_object('user_no', u.user_no, 'not_done', u.not_done)
                                                   ORDER BY u.user_no), '[]'::jsonb)
                            FROM (SELECT x.user_no, x.ops_planned::bigint - x.ops_done::bigint AS not_done
                                    FROM loadtest.run_users x
                                   WHERE x.run_id = r.run_id AND x.lost
                                   ORDER BY x.user_no LIMIT 20) u),
           'arrivals_dropped', r.arrivals_dropped, 'samples_lost', r.samples_lost)
  FROM loadtest.runs r
  JOIN loadtest.run_summary s ON s.run_id = r.run_id
 WHERE r.run_id = report_overall_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_overall_data(bigint) IS
'loadtest (internal): the figures of the report''s "Overall Results:": operations, successes, failures, success_pct, throughput_ops_s, read_share, retries (loadtest.run_summary), users lost (the first 20 of them), arrivals dropped and samples not recorded (loadtest.runs)';

CREATE OR REPLACE FUNCTION loadtest.report_overall(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_overall_data(report_overall.run_id);
    v_pct double precision := (d ->> 'success_pct')::float8;
BEGIN
    RETURN NEXT 'Overall Results:';
    RETURN NEXT '   Total Operations: ' || loadtest.format_number((d ->> 'total_ops')::float8, c_int);
    RETURN NEXT '   Successful: ' || loadtest.format_number((d ->> 'successful')::float8, c_int)
                || coalesce(' (' || loadtest.format_number(v_pct, c_2d) || '%)', '');
    RETURN NEXT '   Failed: ' || loadtest.format_number((d ->> 'failed')::float8, c_int)
                || coalesce(' (' || loadtest.format_number(100 - v_pct, c_2d) || '%)', '');
    RETURN NEXT '   Throughput: ' || coalesce(loadtest.format_number((d ->> 'throughput_ops_s')::float8, c_2d) || ' ops/sec', 'n/a');
    RETURN NEXT '   Reads: ' || coalesce(loadtest.format_number(100 * (d ->> 'read_share')::float8, c_2d) || '% of operations', 'n/a');
    IF (d ->> 'retries')::numeric > 0 THEN
        RETURN NEXT format('   Retried: %s operations (%s retries); their latency covers every try',
                           loadtest.format_number((d ->> 'retried_ops')::float8, c_int),
                           loadtest.format_number((d ->> 'retries')::float8, c_int));
    END IF;
    IF (d ->> 'users_lost')::numeric > 0 THEN
        RETURN NEXT format('   Users lost: %s (%s operations not done): user %s%s',
                           loadtest.format_number((d ->> 'users_lost')::float8, c_int),
                           loadtest.format_number((d ->> 'ops_not_done')::float8, c_int),
                           (SELECT string_agg((u.e ->> 'user_no') || coalesce(' (' || (u.e ->> 'not_done') || ' not done)', ''),
                                              ', ' ORDER BY u.n)
                              FROM jsonb_array_elements(d -> 'lost_users') WITH ORDINALITY AS u(e, n)),
                           CASE WHEN (d ->> 'users_lost')::numeric > jsonb_array_length(d -> 'lost_users')::numeric
                                THEN format(' and %s more (see loadtest.user_stats)',
                                            loadtest.format_number((d ->> 'users_lost')::numeric
                                                                   - jsonb_array_length(d -> 'lost_users')::numeric, c_int))
                                ELSE '' END);
    END IF;
    IF (d ->> 'arrivals_dropped')::numeric > 0 THEN
        RETURN NEXT format('   Arrivals dropped: %s (due before the end of the run, never started: the server did not keep up with the arrival rate)',
                           loadtest.format_number((d ->> 'arrivals_dropped')::float8, c_int));
    END IF;
    IF (d ->> 'samples_lost')::numeric > 0 THEN
        RETURN NEXT format('   Not recorded: %s attempted operations (their samples could not be written; the figures leave them out)',
                           loadtest.format_number((d ->> 'samples_lost')::float8, c_int));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_overall(bigint) IS
'loadtest (internal): the report''s "Overall Results:" lines of a run: operations, successes and failures, throughput, reads, retries, users lost, arrivals dropped, samples not recorded';

-- ---------------------------------------------------------------------------
-- "Stages:" (a staged run only)
-- ---------------------------------------------------------------------------

-- The results of each stage of a staged run, from its 'stage' rows (stage:
-- the position of the stage in runs.stages); NULL for a run without stages.
-- Any jsonb: not an array, elements that are not objects, missing keys or
-- strings for numbers give stages with empty fields.
CREATE OR REPLACE FUNCTION loadtest.report_stages_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT CASE WHEN r.stages IS NOT NULL THEN
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'stage', x.stage, 'kind', x.kind, 'from', x.from_target, 'to', x.to_target,
                   'start_s', x.start_s, 'end_s', x.end_s, 'length_s', x.length_s,
                   'ops', x.ops, 'ops_s', CASE WHEN abs(x.length_s) >= 1e-9::float8
                                               THEN x.ops::float8 / x.length_s END,
                   'avg_ms', x.avg_ms, 'p95_ms', x.p95_ms, 'errors', x.errors)
                   ORDER BY x.stage, x.ord), '[]'::jsonb)
          FROM (SELECT st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s,
                       CASE WHEN abs(st.end_s) < 1e300::float8 AND abs(st.start_s) < 1e300::float8
                            THEN st.end_s - st.start_s END AS length_s,
                       coalesce(sum(h.ops), 0) AS ops,
                       coalesce(sum(h.errors), 0) AS errors,
                       sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END)
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
                         ON h.run_id = r.run_id AND h.scope = 'stage' AND h.stage = st.ord
                 GROUP BY st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s) x)
       END
  FROM loadtest.runs r
 WHERE r.run_id = report_stages_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_stages_data(bigint) IS
'loadtest (internal): the figures of the report''s "Stages:": per stage of a staged run (runs.stages, loadtest.run_histograms scope ''stage'') its kind, targets, times, operations, throughput, response times and errors; NULL for a run without stages';

CREATE OR REPLACE FUNCTION loadtest.report_stages(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_stages_data(report_stages.run_id);
    e     jsonb;
    v_from double precision;
    v_to   double precision;
BEGIN
    IF d IS NULL THEN
        RETURN;
    END IF;
    RETURN NEXT 'Stages:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        v_from := (e ->> 'from')::float8;
        v_to := (e ->> 'to')::float8;
        RETURN NEXT format('   %s. %s %s -> %s over %ss: %s ops, %s ops/sec, avg %sms, p95 %sms, %s errors',
                           (e ->> 'stage')::float8,
                           CASE e ->> 'kind' WHEN 'rate' THEN 'rate (ops/sec)' ELSE 'users' END,
                           CASE WHEN abs(v_from) < 1e14::float8 THEN v_from::numeric::text
                                ELSE loadtest.format_number(v_from, c_2d) END,
                           CASE WHEN abs(v_to) < 1e14::float8 THEN v_to::numeric::text
                                ELSE loadtest.format_number(v_to, c_2d) END,
                           loadtest.format_number((e ->> 'length_s')::float8, c_2d),
                           loadtest.format_number((e ->> 'ops')::numeric, c_int),
                           loadtest.format_number((e ->> 'ops_s')::float8, c_2d),
                           coalesce(loadtest.format_number((e ->> 'avg_ms')::float8, c_2d), 'n/a'),
                           coalesce(loadtest.format_number((e ->> 'p95_ms')::float8, c_2d), 'n/a'),
                           loadtest.format_number((e ->> 'errors')::numeric, c_int));
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_stages(bigint) IS
'loadtest (internal): the report''s "Stages:" lines of a staged run (none for another run): each stage''s targets, length, operations, throughput, response times and errors';

-- ---------------------------------------------------------------------------
-- "Response Times (ms):"
-- ---------------------------------------------------------------------------

-- The response times of loadtest.run_summary; in a rate run also from the
-- intended start (no coordinated omission: the response histograms, lag +
-- operation) and the schedule lag; in a pooled run the pool wait and the
-- response as users feel it.
CREATE OR REPLACE FUNCTION loadtest.report_response_times_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object('avg_ms', s.avg_ms, 'median_ms', s.median_ms, 'p95_ms', s.p95_ms,
                          'p99_ms', s.p99_ms, 'min_ms', s.min_ms, 'max_ms', s.max_ms)
       || CASE WHEN r.rate IS NOT NULL THEN
               jsonb_build_object(
                   'from_intended_start', jsonb_build_object('avg_ms', s.avg_wait_ms + s.avg_ms,
                                                             'p95_ms', p.pct[1] / 1000, 'p99_ms', p.pct[2] / 1000),
                   'schedule_lag', jsonb_build_object('avg_ms', s.avg_wait_ms, 'p95_ms', s.p95_wait_ms,
                                                      'max_ms', s.max_wait_ms, 'late_starts', s.late_starts,
                                                      'late_pct', 100.0 * s.late_starts / nullif(s.total_ops, 0)))
               WHEN r.pool_size IS NOT NULL THEN
               jsonb_build_object(
                   'pool_wait', jsonb_build_object('avg_ms', s.avg_wait_ms, 'p95_ms', s.p95_wait_ms,
                                                   'max_ms', s.max_wait_ms),
                   'as_users_feel_it', jsonb_build_object('avg_ms', s.avg_wait_ms + s.avg_ms,
                                                          'p95_ms', p.pct[1] / 1000))
               ELSE '{}'::jsonb END
  FROM loadtest.runs r
  JOIN loadtest.run_summary s ON s.run_id = r.run_id
 CROSS JOIN LATERAL (
        SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                              CASE WHEN r.rate IS NOT NULL THEN ARRAY[0.95, 0.99]::float8[]
                                                   ELSE ARRAY[0.95]::float8[] END) AS pct
          FROM loadtest.run_histograms h
         WHERE h.run_id = r.run_id AND h.scope = 'operation'
           AND (r.rate IS NOT NULL OR r.pool_size IS NOT NULL)) p
 WHERE r.run_id = report_response_times_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_response_times_data(bigint) IS
'loadtest (internal): the figures of the report''s "Response Times (ms):": average, median, p95, p99, min and max (loadtest.run_summary); a rate run''s response from the intended start and schedule lag, a pooled run''s pool wait and response as users feel it (the response histograms)';

CREATE OR REPLACE FUNCTION loadtest.report_response_times(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_response_times_data(report_response_times.run_id);
    x     jsonb;
BEGIN
    RETURN NEXT 'Response Times (ms):';
    RETURN NEXT '   Average: ' || coalesce(loadtest.format_number((d ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Median: ' || coalesce(loadtest.format_number((d ->> 'median_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   95th Percentile: ' || coalesce(loadtest.format_number((d ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   99th Percentile: ' || coalesce(loadtest.format_number((d ->> 'p99_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Min: ' || coalesce(loadtest.format_number((d ->> 'min_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Max: ' || coalesce(loadtest.format_number((d ->> 'max_ms')::float8, c_2d) || 'ms', 'n/a');
    IF d ? 'from_intended_start' THEN
        -- open model: measured from the intended start, so that a stalled
        -- server cannot hide its stall (no coordinated omission)
        x := d -> 'from_intended_start';
        RETURN NEXT format('   From intended start (schedule lag + operation): average %s, p95 %s, p99 %s',
                           coalesce(loadtest.format_number((x ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p99_ms')::float8, c_2d) || 'ms', 'n/a'));
        x := d -> 'schedule_lag';
        RETURN NEXT format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                           loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'max_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'late_starts')::float8, c_int),
                           loadtest.format_number((x ->> 'late_pct')::numeric, c_2d));
    ELSIF d ? 'pool_wait' THEN
        -- what users feel when the pool is too small: the wait for a worker
        x := d -> 'pool_wait';
        RETURN NEXT format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                           loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'max_ms')::float8, c_2d));
        x := d -> 'as_users_feel_it';
        RETURN NEXT format('   As users feel it (pool wait + operation): average %s, p95 %s',
                           coalesce(loadtest.format_number((x ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a'));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_response_times(bigint) IS
'loadtest (internal): the report''s "Response Times (ms):" lines of a run: average, median, percentiles, min, max; from the intended start and the schedule lag in a rate run, the pool wait in a pooled run';

-- ---------------------------------------------------------------------------
-- "Operation Breakdown:"
-- ---------------------------------------------------------------------------

-- The figures of loadtest.operation_stats, with the operations' numbers,
-- most frequent first, then in the run's order of operations: the run's
-- 'operation' rows grouped by number, their names joined afterwards
-- (operation NULL: the run has no definition for that number).
CREATE OR REPLACE FUNCTION loadtest.report_operations_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', x.operation_no, 'operation', ro.operation, 'kind', ro.kind,
           'ops', x.ops, 'avg_ms', x.avg_ms, 'median_ms', x.pct_us[1] / 1000::float8,
           'p95_ms', x.pct_us[2] / 1000::float8, 'max_ms', x.max_ms, 'errors', x.errors,
           'error_pct', 100::float8 * x.errors::float8 / nullif(x.ops::float8, 0::float8))
           ORDER BY x.ops DESC, x.operation_no), '[]'::jsonb)
  FROM (SELECT h.operation_no,
               sum(h.ops) AS ops,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END)
                   / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95]::float8[]) AS pct_us,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               sum(h.errors) AS errors
          FROM loadtest.run_histograms h
         WHERE h.run_id = report_operations_data.run_id AND h.scope = 'operation'
         GROUP BY h.operation_no) x
  LEFT JOIN loadtest.run_operations ro
         ON ro.run_id = report_operations_data.run_id AND ro.operation_no = x.operation_no
$$;

COMMENT ON FUNCTION loadtest.report_operations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Operation Breakdown:": per operation of the run (by number; operation NULL without a definition) those of loadtest.operation_stats, most frequent first';

CREATE OR REPLACE FUNCTION loadtest.report_operations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    e     jsonb;
BEGIN
    RETURN NEXT 'Operation Breakdown:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(loadtest.report_operations_data(report_operations.run_id))
                             WITH ORDINALITY AS x(e, n) ORDER BY x.n
    LOOP
        RETURN NEXT format('   %s: %s ops, avg %sms, p95 %sms, %s %s',
                           loadtest.one_line(coalesce(e ->> 'operation', '(operation ' || (e ->> 'operation_no') || ')'), 100),
                           loadtest.format_number((e ->> 'ops')::numeric, c_int),
                           loadtest.format_number((e ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((e ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((e ->> 'errors')::numeric, c_int),
                           CASE WHEN (e ->> 'errors')::numeric = 1::numeric THEN 'error' ELSE 'errors' END);
    END LOOP;
    IF NOT FOUND THEN
        RETURN NEXT '   no operations recorded';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_operations(bigint) IS
'loadtest (internal): the report''s "Operation Breakdown:" lines of a run: operations, average and p95 response time and errors of each operation';

-- ---------------------------------------------------------------------------
-- "Defined Operations (as run):" (operations defined by users only)
-- ---------------------------------------------------------------------------

-- What the operations defined by users ran, as the run kept them
-- (loadtest.run_operations): the report says it after a redefinition.
CREATE OR REPLACE FUNCTION loadtest.report_defined_operations_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', ro.operation_no, 'operation', ro.operation, 'kind', ro.kind,
           'owner', ro.owner, 'statements', ro.statements,
           'variants', CASE WHEN ro.variants IS NOT NULL
                            THEN jsonb_array_length(CASE WHEN jsonb_typeof(ro.variants) = 'array'
                                                         THEN ro.variants ELSE '[]'::jsonb END) END)
           ORDER BY ro.operation_no), '[]'::jsonb)
  FROM loadtest.run_operations ro
 WHERE ro.run_id = report_defined_operations_data.run_id AND NOT ro.builtin
$$;

COMMENT ON FUNCTION loadtest.report_defined_operations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Defined Operations (as run):": each operation defined by a user as the run kept it (loadtest.run_operations): kind, owner, statements, or the number of its variants';

CREATE OR REPLACE FUNCTION loadtest.report_defined_operations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    d     jsonb := loadtest.report_defined_operations_data(report_defined_operations.run_id);
    e     jsonb;
BEGIN
    IF jsonb_array_length(d) = 0 THEN
        RETURN;
    END IF;
    RETURN NEXT 'Defined Operations (as run):';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        RETURN NEXT format('   %s (%s, defined by %s): %s',
                           loadtest.one_line(e ->> 'operation', 100), loadtest.one_line(e ->> 'kind', 10),
                           loadtest.one_line(e ->> 'owner', 100),
                           CASE WHEN e ->> 'variants' IS NOT NULL
                                THEN loadtest.format_number((e ->> 'variants')::numeric, c_int)
                                     || ' variants (see loadtest.run_operations)'
                                ELSE loadtest.one_line(array_to_string(
                                         ARRAY(SELECT s.v FROM jsonb_array_elements_text(
                                                   CASE WHEN jsonb_typeof(e -> 'statements') = 'array'
                                                        THEN e -> 'statements' ELSE '[]'::jsonb END)
                                                   WITH ORDINALITY AS s(v, n) ORDER BY s.n),
                                         '; '), 200) END);
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_defined_operations(bigint) IS
'loadtest (internal): the report''s "Defined Operations (as run):" lines of a run (none when it ran built-in operations only): what each operation defined by a user ran';

-- ---------------------------------------------------------------------------
-- "Errors:"
-- ---------------------------------------------------------------------------

-- loadtest.run_errors (the 10 most frequent messages of each operation and
-- SQLSTATE; message NULL: the others), most frequent first: the rows of
-- loadtest.error_stats with the operations' numbers (the recorder keeps at
-- most 1024 pairs of operation and SQLSTATE).
CREATE OR REPLACE FUNCTION loadtest.report_errors_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
-- (bounded: the recorder keeps at most 1024 pairs of operation and
-- SQLSTATE with 11 rows each, messages under 1000 characters; rows written
-- by hand beyond that are left out, so that the report stays bounded)
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', e.operation_no, 'operation', ro.operation,
           'sqlstate', e.sqlstate, 'message', left(e.message, 1000), 'count', e.count)
           ORDER BY e.count DESC, e.sqlstate, e.operation_no, e.message), '[]'::jsonb)
  FROM (SELECT x.* FROM loadtest.run_errors x
         WHERE x.run_id = report_errors_data.run_id
         ORDER BY x.count DESC, x.sqlstate, x.operation_no, x.message
         LIMIT 12000) e
  LEFT JOIN loadtest.run_operations ro
         ON ro.run_id = e.run_id AND ro.operation_no = e.operation_no
$$;

COMMENT ON FUNCTION loadtest.report_errors_data(bigint) IS
'loadtest (internal): the figures of the report''s "Errors:": the run''s rows of loadtest.error_stats (operation, sqlstate, message, count, with the operations'' numbers; operation NULL without a definition), most frequent first; at most 12000 rows (the recorder keeps at most 11264), messages cut at 1000 characters';

CREATE OR REPLACE FUNCTION loadtest.report_errors(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_listed constant integer := 10;
    d        jsonb := loadtest.report_errors_data(report_errors.run_id);
    e        jsonb;
    v_total  bigint := (SELECT count(*) FROM loadtest.run_errors x WHERE x.run_id = report_errors.run_id);
BEGIN
    RETURN NEXT 'Errors:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n)
              WHERE x.n <= c_listed ORDER BY x.n
    LOOP
        RETURN NEXT format('   [%s] %s (%s): %s',
                           coalesce(loadtest.one_line(nullif(e ->> 'sqlstate', ''), 10), '-----'),
                           coalesce(loadtest.one_line(e ->> 'message', 100), 'other messages'),
                           loadtest.one_line(coalesce(e ->> 'operation', '(operation ' || (e ->> 'operation_no') || ')'), 100),
                           loadtest.format_number((e ->> 'count')::float8, c_int));
    END LOOP;
    IF v_total = 0 THEN
        RETURN NEXT '   none';
    ELSIF v_total > c_listed THEN
        RETURN NEXT format('   ... and %s more (see loadtest.error_stats)', loadtest.format_number(v_total - c_listed, c_int));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_errors(bigint) IS
'loadtest (internal): the report''s "Errors:" lines of a run: the 10 most frequent of its errors by SQLSTATE, message and operation';

-- ---------------------------------------------------------------------------
-- The figures of the evidence (its lines: 45_evidence.sql)
-- ---------------------------------------------------------------------------

-- "Where the time went:": the run's rows of loadtest.wait_profile, most
-- samples first, and the sampler's interval.
CREATE OR REPLACE FUNCTION loadtest.report_where_time_went_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'sample_interval_ms', (SELECT r.wait_sample_interval_ms FROM loadtest.runs r
                                   WHERE r.run_id = report_where_time_went_data.run_id),
           'samples', (SELECT coalesce(sum(w.samples) FILTER (WHERE w.samples > 0), 0) FROM loadtest.wait_profile w
                        WHERE w.run_id = report_where_time_went_data.run_id),
           'events', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                 'operation', w.operation, 'wait_event_type', w.wait_event_type,
                                 'wait_event', w.wait_event, 'samples', w.samples, 'share_pct', w.share_pct)
                                 ORDER BY w.operation, w.samples DESC, w.wait_event_type, w.wait_event), '[]'::jsonb)
                        FROM loadtest.wait_profile w
                       WHERE w.run_id = report_where_time_went_data.run_id))
$$;

COMMENT ON FUNCTION loadtest.report_where_time_went_data(bigint) IS
'loadtest (internal): the figures of the report''s "Where the time went:": the run''s wait events sampled per operation (the rows of loadtest.wait_profile), the samples in all and the sampler''s interval';

-- "What the database did:": the counters of loadtest.run_db_stats by name
-- and the rows of loadtest.run_table_stats.
CREATE OR REPLACE FUNCTION loadtest.report_database_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'counters', (SELECT coalesce(jsonb_object_agg(x.stat, x.value), '{}'::jsonb)
                          FROM loadtest.run_db_stats x WHERE x.run_id = report_database_data.run_id),
           'tables', (SELECT coalesce(jsonb_agg(to_jsonb(t) - 'run_id' ORDER BY t.table_name), '[]'::jsonb)
                        FROM loadtest.run_table_stats t WHERE t.run_id = report_database_data.run_id))
$$;

COMMENT ON FUNCTION loadtest.report_database_data(bigint) IS
'loadtest (internal): the figures of the report''s "What the database did:": the server''s counters over the run by name (loadtest.run_db_stats) and each table''s (loadtest.run_table_stats)';

-- "Over time:": the run's seconds (loadtest.run_timeline, the first hour of
-- them), its stability verdict and its workers' memory verdicts.
CREATE OR REPLACE FUNCTION loadtest.report_over_time_data(run_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    c_seconds constant integer := 3600;
    v_n       bigint;
    v_seconds jsonb;
    v_stable  jsonb;
    v_memory  jsonb;
BEGIN
    SELECT count(*) INTO v_n FROM loadtest.run_timeline t WHERE t.run_id = report_over_time_data.run_id;
    SELECT coalesce(jsonb_agg(to_jsonb(t) - 'run_id' ORDER BY t.second), '[]'::jsonb) INTO v_seconds
      FROM (SELECT * FROM loadtest.run_timeline x WHERE x.run_id = report_over_time_data.run_id
             ORDER BY x.second LIMIT c_seconds) t;
    IF v_n > 0 THEN
        SELECT to_jsonb(st) INTO v_stable FROM @extschema@.loadtest_stability(report_over_time_data.run_id) st;
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'worker_no', w.worker_no, 'ops', w.ops, 'first_bytes', w.first_bytes,
               'last_bytes', w.last_bytes, 'bytes_per_1000_ops', w.bytes_per_1000_ops,
               'flat', w.flat, 'verdict', w.verdict) ORDER BY w.worker_no), '[]'::jsonb)
      INTO v_memory
      FROM loadtest.run_memory_trends(report_over_time_data.run_id) w;
    RETURN jsonb_build_object('seconds', v_seconds, 'seconds_total', v_n,
                              'stability', v_stable, 'memory', v_memory);
END
$$;

COMMENT ON FUNCTION loadtest.report_over_time_data(bigint) IS
'loadtest (internal): the figures of the report''s "Over time:": the run''s seconds (rows of loadtest.run_timeline, the first 3600 of seconds_total), its stability (loadtest_stability) and the memory verdict of each worker (loadtest_memory_trend over loadtest.run_memory)';

-- "Plans:": the run's rows of loadtest.run_plans.
CREATE OR REPLACE FUNCTION loadtest.report_plans_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation', p.operation, 'variant_no', p.variant_no, 'statement_no', p.statement_no,
           'changed', p.changed, 'error', p.error, 'plan', p.plan, 'generic_plan', p.generic_plan)
           ORDER BY p.operation, p.variant_no, p.statement_no), '[]'::jsonb)
  FROM loadtest.run_plans p
 WHERE p.run_id = report_plans_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_plans_data(bigint) IS
'loadtest (internal): the figures of the report''s "Plans:": the run''s statements'' plans as it started (loadtest.run_plans: plan with drawn values, generic plan, error, changed since the role''s last run)';

-- ---------------------------------------------------------------------------
-- "Performance Assessment:"
-- ---------------------------------------------------------------------------

-- The reference guide's view of the run: the ratings (loadtest_rate_*) of
-- its average response time, throughput and success rate; whether the
-- throughput measures the simulated demand rather than the server (users
-- that mostly think cannot load the server: their share of time thinking
-- counts the queueing, Z / (Z + R + W), think time Z, operation R, wait W
-- (pool wait, schedule lag); the note only when they were in the server
-- less than a tenth of their think time and waited little against the
-- operation: loadtest_verdict calls W >= R / 2 a saturated pool); and the
-- guide's linear formula for target_users within target_ms
-- (loadtest_capacity), which the scaling section shows beside the
-- verdict, labelled: it takes the configured users for the concurrency and
-- leaves queueing out.
CREATE OR REPLACE FUNCTION loadtest.report_assessment_data(run_id bigint, target_ms double precision,
                                                           target_users integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    c_demand_share constant double precision := 0.1;  -- R + W under 0.1 x Z
    c_small_wait   constant double precision := 0.5;  -- W at most 0.5 x R
    r       loadtest.runs;
    s       loadtest.run_summary;
    cap     record;
    v_w     double precision;
    v_felt  double precision;
    v_note  jsonb;
    v_guide jsonb;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = report_assessment_data.run_id;
    SELECT * INTO s FROM loadtest.run_summary x WHERE x.run_id = report_assessment_data.run_id;

    IF coalesce(s.total_ops, 0) = 0 OR s.avg_ms IS NULL THEN
        v_guide := jsonb_build_object('not_applicable', 'no operations recorded');
    ELSIF r.users < 1 THEN
        v_guide := jsonb_build_object('not_applicable', format('the run has %s users', r.users));
    ELSIF NOT (s.avg_ms > '-Infinity'::float8 AND s.avg_ms < 'Infinity'::float8) THEN
        v_guide := jsonb_build_object('not_applicable', 'its average response time is not a finite number');
    ELSE
        SELECT * INTO cap
          FROM @extschema@.loadtest_capacity(s.avg_ms, r.users, report_assessment_data.target_ms,
                                             report_assessment_data.target_users);
        v_guide := jsonb_build_object('avg_ms', s.avg_ms, 'users', r.users,
                                      'target_ms', report_assessment_data.target_ms,
                                      'target_users', report_assessment_data.target_users,
                                      'capacity_users', cap.capacity_users,
                                      'est_response_ms', cap.est_response_ms);
    END IF;

    IF coalesce(s.total_ops, 0) = 0 THEN
        RETURN jsonb_build_object('total_ops', coalesce(s.total_ops, 0), 'guide_formula', v_guide);
    END IF;
    -- (with a worker per user the wait is the timer's lag, not queueing)
    v_w := CASE WHEN r.pool_size IS NULL AND r.rate IS NULL THEN 0
                ELSE greatest(coalesce(s.avg_wait_ms, 0), 0) END;
    IF r.rate IS NULL AND r.think_time_ms > 0 AND s.avg_ms >= 0 AND v_w < 'Infinity'::float8
       AND s.avg_ms + v_w < c_demand_share * r.think_time_ms AND v_w <= c_small_wait * s.avg_ms THEN
        v_note := jsonb_build_object(
                      'thinking_pct', 100::float8 * r.think_time_ms / (r.think_time_ms + s.avg_ms + v_w),
                      'think_time_ms', r.think_time_ms, 'avg_ms', s.avg_ms, 'avg_wait_ms', v_w);
    END IF;
    -- Users of a pool or of an arrival rate also wait to start (pool
    -- wait, schedule lag): the rating is of what they felt, wait and
    -- operation, so that it cannot praise a run whose users queued.
    IF (r.pool_size IS NOT NULL OR r.rate IS NOT NULL) AND abs(s.avg_ms) < 1e300::float8 AND v_w < 1e300::float8 THEN
        v_felt := s.avg_ms + v_w;
    ELSE
        v_felt := s.avg_ms;
    END IF;
    RETURN jsonb_build_object(
               'total_ops', s.total_ops,
               'response', jsonb_build_object('rating', @extschema@.loadtest_rate_response(v_felt),
                                              'avg_ms', v_felt,
                                              'operation_avg_ms', s.avg_ms,
                                              'wait_ms', CASE WHEN r.pool_size IS NOT NULL OR r.rate IS NOT NULL
                                                              THEN v_w END),
               'throughput', jsonb_build_object('rating', @extschema@.loadtest_rate_throughput(s.throughput_ops_s),
                                                'ops_s', s.throughput_ops_s),
               'success', jsonb_build_object('rating', @extschema@.loadtest_rate_success(s.success_pct),
                                             'pct', s.success_pct, 'failed', s.failed),
               'demand_bound', v_note,
               'guide_formula', v_guide);
END
$$;

COMMENT ON FUNCTION loadtest.report_assessment_data(bigint, double precision, integer) IS
'loadtest (internal): the figures of the report''s "Performance Assessment:", the reference guide''s view of the run: the ratings of the average response time, throughput and success rate (loadtest_rate_response, _throughput, _success); demand_bound when the throughput is set by the simulated demand (closed run, operation + wait under a tenth of the think time, wait at most half the operation): the users'' share of time thinking, think / (think + operation + wait); guide_formula: the guide''s linear estimate for target_users within target_ms (loadtest_capacity(avg_ms, users, ...): capacity_users, est_response_ms), which is not the verdict';

CREATE OR REPLACE FUNCTION loadtest.report_assessment(run_id bigint, target_ms double precision,
                                                      target_users integer)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_2d     constant text := 'FM999G999G999G999G990D00';
    d        jsonb := loadtest.report_assessment_data(report_assessment.run_id, report_assessment.target_ms,
                                                  report_assessment.target_users);
    x        jsonb;
    v_rating text;
BEGIN
    RETURN NEXT 'Performance Assessment:';
    IF NOT d ? 'response' THEN
        RETURN NEXT '   no operations to assess';
        RETURN;
    END IF;

    x := d -> 'response';
    v_rating := x ->> 'rating';
    RETURN NEXT format('   %s %s: average response time %sms%s (%s) - %s',
                       CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                       initcap(v_rating), loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                       CASE WHEN x ->> 'wait_ms' IS NOT NULL
                            THEN format(' as users felt it (%sms waiting to start + %sms operation)',
                                        loadtest.format_number((x ->> 'wait_ms')::float8, c_2d),
                                        loadtest.format_number((x ->> 'operation_avg_ms')::float8, c_2d))
                            ELSE '' END,
                       CASE v_rating WHEN 'excellent' THEN '< 100ms' WHEN 'good' THEN '100-500ms'
                                     WHEN 'fair' THEN '500-1000ms' ELSE '> 1000ms' END,
                       CASE v_rating WHEN 'excellent' THEN 'system performing optimally'
                                     WHEN 'good' THEN 'acceptable for production'
                                     WHEN 'fair' THEN 'consider optimization'
                                     ELSE 'optimization required' END);

    x := d -> 'throughput';
    v_rating := x ->> 'rating';
    IF v_rating IS NULL THEN
        RETURN NEXT '   [!] Throughput: unknown (no duration)';
    ELSE
        RETURN NEXT format('   %s %s throughput: %s ops/sec (%s) - %s',
                           CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                           initcap(v_rating), loadtest.format_number((x ->> 'ops_s')::float8, c_2d),
                           CASE v_rating WHEN 'high' THEN '> 100' WHEN 'good' THEN '50-100'
                                         WHEN 'fair' THEN '20-50' ELSE '< 20' END,
                           CASE v_rating WHEN 'high' THEN 'can handle many users'
                                         WHEN 'good' THEN 'suitable for medium load'
                                         WHEN 'fair' THEN 'may struggle under high load'
                                         ELSE 'capacity issues' END);
        x := d -> 'demand_bound';
        IF jsonb_typeof(x) = 'object' THEN
            RETURN NEXT format('   note: throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking (think time %sms, %sms per operation%s); run more users or think_time_ms => 0 to measure capacity',
                               loadtest.format_number((x ->> 'thinking_pct')::float8, c_2d),
                               loadtest.format_number((x ->> 'think_time_ms')::float8, c_int),
                               loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                               CASE WHEN (x ->> 'avg_wait_ms')::float8 >= 0.005::float8
                                    THEN ', ' || loadtest.format_number((x ->> 'avg_wait_ms')::float8, c_2d) || 'ms waiting to start'
                                    ELSE '' END);
        END IF;
    END IF;

    x := d -> 'success';
    v_rating := x ->> 'rating';
    RETURN NEXT format('   %s %s success rate: %s%% (%s) - %s',
                       CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                       initcap(v_rating), loadtest.format_number((x ->> 'pct')::float8, c_2d),
                       CASE WHEN (x ->> 'failed')::numeric = 0::numeric THEN 'no failed operations'
                            ELSE CASE v_rating WHEN 'excellent' THEN '> 99%' WHEN 'good' THEN '95-99%'
                                               WHEN 'fair' THEN '90-95%' ELSE '< 90%' END END,
                       CASE v_rating WHEN 'excellent' THEN 'system stable'
                                     WHEN 'good' THEN 'monitor errors'
                                     WHEN 'fair' THEN 'investigate failures'
                                     ELSE 'critical issues' END);
END
$$;

COMMENT ON FUNCTION loadtest.report_assessment(bigint, double precision, integer) IS
'loadtest (internal): the report''s "Performance Assessment:" lines of a run: the reference guide''s ratings of its response time, throughput and success rate, and a note when its throughput is set by the simulated demand (the targets: for the figures of loadtest.report_assessment_data)';

-- ---------------------------------------------------------------------------
-- "Scaling to N Users:" (the verdict)
-- ---------------------------------------------------------------------------

-- The verdict for target_users within target_ms: the row of
-- loadtest_verdict() (ready, capacity_users, response_ms_at_target, basis,
-- bottleneck, explanation); a row of NULLs that says why when the run's
-- figures (rows written by hand) give it none.
CREATE OR REPLACE FUNCTION loadtest.report_scaling_data(run_id bigint, target_ms double precision,
                                                        target_users integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    v_verdict jsonb;
BEGIN
    SELECT to_jsonb(v) INTO v_verdict
      FROM @extschema@.loadtest_verdict(report_scaling_data.run_id, report_scaling_data.target_users,
                                        report_scaling_data.target_ms) v
     LIMIT 1;
    RETURN v_verdict;
EXCEPTION WHEN data_exception THEN
    -- (SQLSTATE class 22: figures out of range in rows written by hand)
    RETURN jsonb_build_object('ready', NULL, 'capacity_users', NULL, 'response_ms_at_target', NULL,
                              'basis', NULL, 'bottleneck', NULL,
                              'explanation', 'no verdict from this run''s figures: ' || SQLERRM);
END
$$;

COMMENT ON FUNCTION loadtest.report_scaling_data(bigint, double precision, integer) IS
'loadtest (internal): the figures of the report''s scaling section: the row of loadtest_verdict(run_id, target_users, target_ms) (ready, capacity_users, response_ms_at_target, basis, bottleneck, explanation)';

-- A target in ms as the section writes it (below 0.01, two decimals would
-- show 0.00)
CREATE OR REPLACE FUNCTION loadtest.report_format_ms(value double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value < 0.01::float8 AND value > 0::float8 THEN btrim(to_char(value, '9.99EEEE'))
            ELSE loadtest.format_number(value, 'FM999G999G999G999G990D00') END || 'ms'
$$;

COMMENT ON FUNCTION loadtest.report_format_ms(double precision) IS
'loadtest (internal): a time in ms for the report''s scaling section: two decimals, in scientific notation below 0.01';

-- The section: the headline verdict and its basis first; then what it
-- comes from (capacity, response time at the target, bottleneck, the
-- verdict's explanation line by line); last the guide's formula, labelled.
-- Nothing else: no line may contradict the headline.
CREATE OR REPLACE FUNCTION loadtest.report_scaling(run_id bigint, target_ms double precision,
                                                   target_users integer)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_lines  constant integer := 40;    -- explanation lines shown
    d        jsonb := loadtest.report_scaling_data(report_scaling.run_id, report_scaling.target_ms,
                                                   report_scaling.target_users);
    -- (the guide's formula: a figure of the reference guide's assessment)
    g        jsonb := loadtest.report_assessment_data(report_scaling.run_id, report_scaling.target_ms,
                                                      report_scaling.target_users) -> 'guide_formula';
    v_for    text := format('%s users within %s', report_scaling.target_users,
                            loadtest.report_format_ms(report_scaling.target_ms));
    v_basis  text := loadtest.one_line(d ->> 'basis', 40);
    v_cap    double precision := (d ->> 'capacity_users')::float8;
    v_n      integer := 0;
    v_line   text;
BEGIN
    RETURN NEXT format('Scaling to %s Users:', report_scaling.target_users);
    RETURN NEXT '   Verdict: '
                || CASE (d ->> 'ready')::boolean
                   WHEN true THEN format('READY for %s (%s)', v_for, coalesce(v_basis, 'no basis given'))
                   WHEN false THEN format('NOT READY for %s (%s)', v_for, coalesce(v_basis, 'no basis given'))
                   ELSE CASE WHEN v_basis IS NULL
                             THEN format('NO ANSWER for %s: not enough evidence yet (see below)', v_for)
                             ELSE format('NO ANSWER for %s (%s)', v_for, v_basis) END END;
    IF v_cap IS NOT NULL THEN
        RETURN NEXT '   Capacity: '
                    || CASE WHEN v_cap = 'Infinity'::float8 THEN 'no limit found'
                            ELSE '~' || loadtest.format_number(floor(v_cap), c_int) || ' concurrent users' END
                    || ' within ' || loadtest.report_format_ms(report_scaling.target_ms)
                    -- ready, with a capacity under the target: Little's law
                    -- at a throughput that did not saturate the server
                    || CASE WHEN (d ->> 'ready')::boolean AND v_cap < report_scaling.target_users
                            THEN ' (a lower bound: the run did not saturate the server)' ELSE '' END;
    END IF;
    IF d ->> 'response_ms_at_target' IS NOT NULL THEN
        RETURN NEXT format('   Response time at %s users: %s', report_scaling.target_users,
                           loadtest.report_format_ms((d ->> 'response_ms_at_target')::float8));
    END IF;
    IF d ->> 'bottleneck' IS NOT NULL THEN
        RETURN NEXT '   Bottleneck: ' || loadtest.one_line(d ->> 'bottleneck', 400);
    END IF;
    FOR v_line IN
        SELECT e.l FROM regexp_split_to_table(coalesce(d ->> 'explanation', ''), E'\n') WITH ORDINALITY AS e(l, n)
         WHERE btrim(e.l) <> '' ORDER BY e.n
    LOOP
        v_n := v_n + 1;
        IF v_n > c_lines THEN
            RETURN NEXT format('   ... (the rest: SELECT explanation FROM loadtest_verdict(%s, %s, %s);)',
                               report_scaling.run_id, report_scaling.target_users, report_scaling.target_ms);
            EXIT;
        END IF;
        RETURN NEXT '   ' || loadtest.one_line(v_line, 400);
    END LOOP;

    RETURN NEXT '   The reference guide''s formula, not the verdict: '
                || CASE WHEN g ? 'not_applicable'
                        THEN (g ->> 'not_applicable') || ', nothing to estimate'
                        ELSE format('%s / %s x %s users = %s; at %s users %s (it takes the configured users for the concurrency and leaves queueing out)',
                                    loadtest.report_format_ms(report_scaling.target_ms),
                                    loadtest.report_format_ms((g ->> 'avg_ms')::float8),
                                    loadtest.format_number((g ->> 'users')::float8, c_int),
                                    CASE WHEN (g ->> 'capacity_users')::float8 = 'Infinity'::float8
                                         THEN 'unlimited users'
                                         ELSE '~' || loadtest.format_number(floor((g ->> 'capacity_users')::float8), c_int) || ' users' END,
                                    report_scaling.target_users,
                                    loadtest.report_format_ms((g ->> 'est_response_ms')::float8)) END;
END
$$;

COMMENT ON FUNCTION loadtest.report_scaling(bigint, double precision, integer) IS
'loadtest (internal): the report''s scaling section of a run: the verdict of loadtest_verdict() for target_users within target_ms with its basis, capacity, response time at the target, bottleneck and explanation, then the reference guide''s linear formula (guide_formula of loadtest.report_assessment_data) labelled as not the verdict';

-- ---------------------------------------------------------------------------
-- "Recommendations:"
-- ---------------------------------------------------------------------------

-- The rows of loadtest_recommendations(run_id), in its order: what the
-- run's evidence calls for, each with the figure that triggered it.
CREATE OR REPLACE FUNCTION loadtest.report_recommendations_data(run_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    v_rows jsonb;
BEGIN
    SELECT coalesce(jsonb_agg(to_jsonb(x) - 'n' ORDER BY x.n), '[]'::jsonb) INTO v_rows
      FROM @extschema@.loadtest_recommendations(report_recommendations_data.run_id)
           WITH ORDINALITY AS x(finding, evidence, recommendation, statement, n);
    RETURN v_rows;
EXCEPTION WHEN data_exception THEN
    -- (SQLSTATE class 22: figures out of range in rows written by hand)
    RETURN jsonb_build_array(jsonb_build_object(
               'finding', 'no recommendations from this run''s figures',
               'evidence', SQLERRM, 'recommendation', NULL, 'statement', NULL));
END
$$;

COMMENT ON FUNCTION loadtest.report_recommendations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Recommendations:": the rows of loadtest_recommendations(run_id) (finding, evidence, recommendation, statement), in its order';

CREATE OR REPLACE FUNCTION loadtest.report_recommendations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_listed constant integer := 20;
    d        jsonb := loadtest.report_recommendations_data(report_recommendations.run_id);
    e        jsonb;
    v_n      integer := 0;
BEGIN
    RETURN NEXT 'Recommendations:';
    IF jsonb_array_length(d) = 0 THEN
        RETURN NEXT '   none: nothing in this run''s evidence calls for a change';
        RETURN;
    END IF;
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        v_n := v_n + 1;
        IF v_n > c_listed THEN
            RETURN NEXT format('   ... and %s more (SELECT * FROM loadtest_recommendations(%s);)',
                               jsonb_array_length(d) - c_listed, report_recommendations.run_id);
            EXIT;
        END IF;
        RETURN NEXT '   - ' || coalesce(loadtest.one_line(e ->> 'finding', 200), 'finding')
                    || coalesce(': ' || loadtest.one_line(e ->> 'evidence', 600), '');
        IF e ->> 'recommendation' IS NOT NULL THEN
            RETURN NEXT '     -> ' || loadtest.one_line(e ->> 'recommendation', 600);
        END IF;
        IF e ->> 'statement' IS NOT NULL THEN
            RETURN NEXT '        ' || loadtest.one_line(e ->> 'statement', 900);
        END IF;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_recommendations(bigint) IS
'loadtest (internal): the report''s "Recommendations:" lines of a run: each row of loadtest_recommendations() as its finding and evidence, what to do, and the statement that does it; a line saying there is none';
