--
-- The verdict (loadtest_verdict) and the recommendations
-- (loadtest_recommendations) on fixed data: runs written by hand (as the
-- superuser, who may write the result tables) under run ids 950000000 ..,
-- one test (pattern) per case.  Printed: booleans, rounded figures and
-- texts made of them; no timings, no plan costs.
--
SET lc_numeric TO 'C';
SET extra_float_digits TO 0;
\set SHOW_CONTEXT never

-- A run's row, and one operation's summary ('operation' row of
-- run_histograms: every attempt r_ms long after a wait of w_ms, over
-- seconds s): X = ops / s, R = r_ms, W = w_ms.
CREATE FUNCTION pg_temp.vt_run(p_id bigint, p_pattern text, p_users integer, p_think integer,
                               p_pool integer DEFAULT NULL, p_rate double precision DEFAULT NULL,
                               p_hot integer DEFAULT 0, p_version text DEFAULT '15.0',
                               p_role name DEFAULT current_user, p_lost integer DEFAULT 0)
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms, ramp_up_s,
                           workers, seed, environment, role_name, server_version, pool_size, rate,
                           hot_rows, duration_limit_s, duration_s, ended_at, users_lost,
                           wait_sample_interval_ms)
VALUES (p_id, 'completed', p_users, 0, p_pattern, p_think, 0, coalesce(p_pool, p_users), 1,
        'development', p_role, p_version, p_pool, p_rate, p_hot, 10, 10, now(), p_lost, 10)
$$;
CREATE FUNCTION pg_temp.vt_op(p_id bigint, p_no integer, p_operation text, p_ops bigint, p_errors bigint,
                              p_seconds double precision, p_r_ms double precision, p_w_ms double precision,
                              p_late bigint DEFAULT 0)
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT p_id, p_no, o.operation, o.kind, o.statements, o.params, o.variants, o.builtin, o.owner, o.description
  FROM loadtest.operations o WHERE o.operation = p_operation
    ON CONFLICT DO NOTHING;
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts,
        first_start_us, last_end_us, latency_sum_us, latency_min_us, latency_max_us,
        latency_buckets, latency_counts, wait_sum_us, wait_max_us, wait_buckets, wait_counts,
        response_buckets, response_counts)
VALUES (p_id, 'operation', p_no, p_ops, p_errors, 0, 0, p_late, 0, (p_seconds * 1e6)::bigint,
        p_ops * p_r_ms * 1000, (p_r_ms * 1000)::bigint, (p_r_ms * 1000)::bigint,
        ARRAY[loadtest.histogram_bucket((p_r_ms * 1000)::bigint)], ARRAY[p_ops],
        p_ops * p_w_ms * 1000, (p_w_ms * 1000)::bigint,
        ARRAY[loadtest.histogram_bucket((p_w_ms * 1000)::bigint)], ARRAY[p_ops],
        ARRAY[loadtest.histogram_bucket(((p_r_ms + p_w_ms) * 1000)::bigint)], ARRAY[p_ops])
$$;
-- the verdict's figures, rounded
CREATE FUNCTION pg_temp.vt(p_id bigint, p_users integer DEFAULT 4000, p_ms double precision DEFAULT 500)
RETURNS TABLE (ready boolean, capacity bigint, response_ms numeric, basis text, bottleneck text)
LANGUAGE sql AS $$
SELECT v.ready, floor(v.capacity_users)::bigint, round(v.response_ms_at_target::numeric, 2), v.basis, v.bottleneck
  FROM loadtest_verdict(p_id, p_users, p_ms) v
$$;
-- the explanation, a line a row
CREATE FUNCTION pg_temp.vt_lines(p_id bigint, p_users integer DEFAULT 4000, p_ms double precision DEFAULT 500)
RETURNS SETOF text LANGUAGE sql AS $$
SELECT l FROM loadtest_verdict(p_id, p_users, p_ms) v, regexp_split_to_table(v.explanation, E'\n') l
$$;

-- ===========================================================================
-- Measured, not ready: the hot row of issue #11.  4000 users with 100 ms
-- think time through a pool of 16 workers update one hot row: 3,463.2
-- ops/sec, 6 ms an update, 1,049 ms waiting for a worker (felt 1,055 ms);
-- the workers wait on the row's lock 63% of their samples.  Capacity:
-- 3,463.2 x (500 + 100) / 1000 = 2,077 users.
-- ===========================================================================
SELECT pg_temp.vt_run(950000101, 'vt_hot', 4000, 100, p_pool => 16, p_hot => 1);
SELECT pg_temp.vt_op(950000101, 0, 'update_member', 34632, 0, 10, 6, 1049);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950000101, 'update_member', 'Lock', 'transactionid', 630, 63),
       (950000101, 'update_member', 'CPU', 'CPU', 300, 30),
       (950000101, 'update_member', 'LWLock', 'WALWrite', 70, 7);
INSERT INTO loadtest.run_plans (run_id, operation, variant_no, statement_no, plan, generic_plan)
VALUES (950000101, 'update_member', 1, 1, NULL,
        '[{"Plan": {"Node Type": "ModifyTable", "Operation": "Update", "Relation Name": "members", "Schema": "membership", "Alias": "members",
                    "Plans": [{"Node Type": "Index Scan", "Relation Name": "members", "Schema": "membership", "Alias": "members", "Index Name": "members_pkey"}]}}]');
INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)
VALUES (950000101, 'pg_stat_database', 'blks_hit', 100000), (950000101, 'pg_stat_database', 'blks_read', 10);

-- its figures (loadtest.run_figures: the one definition)
SELECT shape, round(throughput_ops_s::numeric, 2) AS x, round(avg_ms::numeric, 2) AS r,
       round(wait_ms::numeric, 2) AS w, think_ms AS z, round(felt_ms::numeric, 2) AS felt,
       round(concurrency::numeric, 2) AS concurrency, round(demand_ops_s::numeric, 2) AS demand,
       kept_up, round(busy_workers::numeric, 2) AS busy, pool_saturated, rate_saturated, usable
  FROM loadtest.run_figures(950000101);
SELECT * FROM pg_temp.vt(950000101);
SELECT * FROM pg_temp.vt_lines(950000101);
-- recommendations: the lock (not the pool: the pool waits are lock-bound)
SELECT finding, evidence, recommendation, statement FROM loadtest_recommendations(950000101);

-- ===========================================================================
-- Measured, ready: 4000 users who think 1 s, a pool of 16: 3,978.1 ops/sec
-- (the 3,980.1 they ask), 5 ms an operation, 0.5 ms waiting.  Capacity
-- 3,978.1 x 1.5 = 5,967 users.  A later small run of the same test is
-- answered by it (the latest run of the test at 4000 users or more).
-- ===========================================================================
SELECT pg_temp.vt_run(950000201, 'vt_ready', 4000, 1000, p_pool => 16);
SELECT pg_temp.vt_op(950000201, 0, 'read_member_detail', 39781, 0, 10, 5, 0.5);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950000201, 'read_member_detail', 'CPU', 'CPU', 900, 90),
       (950000201, 'read_member_detail', 'Client', 'ClientRead', 100, 10);
SELECT pg_temp.vt_run(950000202, 'vt_ready', 50, 1000);
SELECT pg_temp.vt_op(950000202, 0, 'read_member_detail', 497, 0, 10, 5, 0);
SELECT * FROM pg_temp.vt(950000201);
SELECT * FROM pg_temp.vt_lines(950000201);
SELECT * FROM pg_temp.vt(950000202);
SELECT l FROM pg_temp.vt_lines(950000202) l WHERE l ~ '^measured';
-- at 3000 users: measured at more users, ready; at 5000: no run that large
SELECT * FROM pg_temp.vt(950000201, 3000);
SELECT l FROM pg_temp.vt_lines(950000201, 3000) l WHERE l ~ '^response';
SELECT * FROM pg_temp.vt(950000201, 5000);
SELECT l FROM pg_temp.vt_lines(950000201, 5000) l WHERE l ~ '^to answer it';
-- a healthy run: no recommendations
SELECT count(*) AS recommendations FROM loadtest_recommendations(950000201);
SELECT count(*) AS recommendations FROM loadtest_recommendations(950000202);

-- ===========================================================================
-- Saturation of a pool: 500 users through 8 workers, 10 ms an operation,
-- 750 ops/sec: 7.5 workers busy, users wait 556.67 ms.  Capacity 750 x
-- 600 / 1000 = 450 users with a pool of 8 workers; the reads (all of the
-- operations) of a saturated server suggest replicas, the queue a larger
-- pool.
-- ===========================================================================
SELECT pg_temp.vt_run(950000301, 'vt_pool', 500, 100, p_pool => 8);
SELECT pg_temp.vt_op(950000301, 0, 'read_member_list', 7500, 0, 10, 10, 556.6666666666666);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950000301, 'read_member_list', 'CPU', 'CPU', 950, 95),
       (950000301, 'read_member_list', 'LWLock', 'BufferContent', 50, 5);
SELECT * FROM pg_temp.vt(950000301);
SELECT * FROM pg_temp.vt_lines(950000301);
SELECT finding, evidence, recommendation, statement FROM loadtest_recommendations(950000301);

-- Saturation of an arrival rate: 1000 ops/sec asked, 600 done, 300 ms of
-- schedule lag, most starts late.  Capacity 600 x 500 / 1000 = 300 (no
-- think time in a rate run).
SELECT pg_temp.vt_run(950000401, 'vt_rate', 100, 100, p_rate => 1000);
SELECT pg_temp.vt_op(950000401, 0, 'read_member_list', 6000, 0, 10, 20, 300, p_late => 5000);
SELECT kept_up, rate_saturated, round(late_start_pct::numeric, 2) AS late_pct
  FROM loadtest.run_figures(950000401);
SELECT * FROM pg_temp.vt(950000401);
SELECT l FROM pg_temp.vt_lines(950000401) l WHERE l ~ '^(saturation|capacity)';

-- Saturation across runs: 10 users gave 1,000 ops/sec, 20 users 1,050
-- (twice the concurrency, 1.05 x the throughput): the server is flat at
-- 1,050 ops/sec, on CPU 85% of the time.  Both runs get that answer.
SELECT pg_temp.vt_run(950000501, 'vt_flat', 10, 0);
SELECT pg_temp.vt_op(950000501, 0, 'read_member_list', 10000, 0, 10, 10, 0);
SELECT pg_temp.vt_run(950000502, 'vt_flat', 20, 0);
SELECT pg_temp.vt_op(950000502, 0, 'read_member_list', 10500, 0, 10, 19.047619047619047, 0);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950000502, 'read_member_list', 'CPU', 'CPU', 850, 85),
       (950000502, 'read_member_list', 'Client', 'ClientRead', 150, 15);
SELECT * FROM pg_temp.vt(950000502);
SELECT * FROM pg_temp.vt(950000501);
SELECT l FROM pg_temp.vt_lines(950000501) l WHERE l ~ '^saturation';
SELECT finding FROM loadtest_recommendations(950000502);

-- ===========================================================================
-- Model: four comparable runs at 1, 2, 4 and 8 users on the USL curve
-- lambda 100, sigma 0.05, kappa 0 (no think time): at 4000 users
-- 1,990.55 ops/sec and 2,009.50 ms; within 500 ms up to 980 users.  Left
-- out: an older run at 8 users, another server version, another data size
-- (within 10% is comparable: the run at 4 users), a pooled run.
-- ===========================================================================
SELECT pg_temp.vt_run(950000600 + u.no, 'vt_model', u.users, 0,
                      p_pool => CASE WHEN u.no = 8 THEN 8 END,
                      p_version => CASE WHEN u.no = 6 THEN '16.1' ELSE '15.0' END)
  FROM (VALUES (1, 8), (2, 1), (3, 2), (4, 4), (5, 8), (6, 16), (7, 16), (8, 32)) u(no, users);
-- (X = 100 N / d exactly: 100 N x 100 operations over 100 d seconds, d = 1
-- + 0.05 (N - 1); R = N / X - W; the older run at 8 users did 400 ops/sec)
SELECT pg_temp.vt_op(950000600 + u.no, 0, 'read_member_list', c.ops, 0, c.seconds,
                     u.users * 1000 * c.seconds / c.ops - u.wait_ms, u.wait_ms)
  FROM (VALUES (1, 8, 0.0), (2, 1, 0.0), (3, 2, 0.0), (4, 4, 0.0), (5, 8, 0.0), (6, 16, 0.0), (7, 16, 0.0),
               (8, 32, 0.1)) u(no, users, wait_ms),
       LATERAL (SELECT CASE WHEN u.no = 1 THEN 40000 ELSE 10000 * u.users END AS ops,
                       CASE WHEN u.no = 1 THEN 100 ELSE 100 * (1 + 0.05 * (u.users - 1)) END::float8 AS seconds) c;
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, total_bytes)
SELECT 950000600 + u.no, 'membership.members', 0, 0, u.bytes
  FROM (VALUES (1, 1000000), (2, 1000000), (3, 1000000), (4, 1050000), (5, 1000000), (6, 1000000),
               (7, 2000000), (8, 1000000)) u(no, bytes);
SELECT model_run_id - 950000600 AS run, users, round(concurrency::numeric, 2) AS concurrency, used, reason
  FROM loadtest.model_runs(950000605) ORDER BY model_run_id;
SELECT * FROM pg_temp.vt(950000605);
SELECT l ~ '^model: the USL \(loadtest_usl_fit\) over 4 comparable runs of this test, runs 950000602, 950000603, 950000604, 950000605 at concurrency 1.00, 2.00, 4.00, 8.00: ' AS model_line,
       l ~ 'r2 1\.0000$' AS exact_fit
  FROM pg_temp.vt_lines(950000605) l WHERE l ~ '^model';
SELECT l ~ '^not ready: predicted at 4,000 users: 1,990\.5[0-9] ops/sec, response 2,009\.50ms against the 500\.00ms target \(the fits leaving one run out: [0-9,.]+ to [0-9,.]+ms\)$' AS prediction
  FROM pg_temp.vt_lines(950000605) l WHERE l ~ '^not ready';
SELECT l FROM pg_temp.vt_lines(950000605) l WHERE l ~ '^(capacity|extrapolated|left out)';
-- at 500 users the model says ready: 0.05 x 499 + 1 = 25.95, 259.50 ms
SELECT * FROM pg_temp.vt(950000605, 500);
SELECT count(*) FILTER (WHERE l ~ '^extrapolated') AS extrapolation_warnings
  FROM pg_temp.vt_lines(950000605, 32) l;

-- r2 under 0.9: four runs at 10 to 13 users (too close for the flat test)
-- whose throughput zigzags: the model is not used, no basis
SELECT pg_temp.vt_run(950000700 + u.users, 'vt_noisy', u.users, 0) FROM generate_series(10, 13) u(users);
SELECT pg_temp.vt_op(950000700 + u.users, 0, 'read_member_list', u.x * 10, 0, 10, u.users * 1000.0 / u.x, 0)
  FROM (VALUES (10, 100), (11, 300), (12, 100), (13, 300)) u(users, x);
SELECT * FROM pg_temp.vt(950000713);
SELECT l ~ '^model: the USL fit over runs 950000710, 950000711, 950000712, 950000713 has r2 [-0-9.]+, under 0\.90: not used$' AS model_not_used
  FROM pg_temp.vt_lines(950000713) l WHERE l ~ '^model';

-- ===========================================================================
-- No evidence: a small run.  The explanation gives the exact call, how
-- long it takes and the worker slots (max_worker_processes = 40 here: a
-- pool of 38).
-- ===========================================================================
SELECT pg_temp.vt_run(950000801, 'vt_small', 10, 100);
SELECT pg_temp.vt_op(950000801, 0, 'read_member_list', 952, 0, 10, 5, 0);
SELECT * FROM pg_temp.vt(950000801);
SELECT * FROM pg_temp.vt_lines(950000801);
SELECT count(*) AS recommendations FROM loadtest_recommendations(950000801);
-- a long run: ten operations of 100 s each
SELECT l FROM pg_temp.vt_lines(950000801, 4000, 100000) l WHERE l ~ '^(to answer|it takes)';
SELECT l FROM pg_temp.vt_lines(950000801, 20) l WHERE l ~ '^to answer';

-- ===========================================================================
-- Arguments, unknown runs, no runs, the caller's own runs
-- ===========================================================================
\set VERBOSITY default
SELECT * FROM loadtest_verdict(950000801, 0);
SELECT * FROM loadtest_verdict(950000801, NULL);
SELECT * FROM loadtest_verdict(950000801, 4000, 0);
SELECT * FROM loadtest_verdict(950000801, 4000, 'NaN');
SELECT * FROM loadtest_verdict(950000801, 4000, 'Infinity');
SELECT * FROM loadtest_verdict(950000801, 4000, NULL);
SELECT * FROM loadtest_verdict(-1);
SELECT * FROM loadtest_recommendations(-1);
\set VERBOSITY terse
-- the bad arguments are refused before anything else, even an unknown run
SELECT * FROM loadtest_verdict(-1, -5);
-- NULL: the latest run the caller sees
SELECT (SELECT v::text FROM loadtest_verdict() v)
       = (SELECT v::text FROM loadtest_verdict((SELECT max(run_id) FROM loadtest.runs)) v) AS latest_run;
-- a role without runs; a role with its own run, which sees no other
CREATE ROLE vt_nobody;
CREATE ROLE vt_user;
SELECT pg_temp.vt_run(950000901, 'vt_small', 10, 100, p_role => 'vt_user');
SELECT pg_temp.vt_op(950000901, 0, 'read_member_list', 952, 0, 10, 5, 0);
SET ROLE vt_nobody;
SELECT * FROM loadtest_verdict();
SELECT * FROM loadtest_recommendations();
RESET ROLE;
SET ROLE vt_user;
SELECT ready, basis, explanation ~ 'SELECT loadtest_run\(users => 4000, ' AS has_call FROM loadtest_verdict();
SELECT * FROM loadtest_verdict(950000801);
SELECT count(*) AS recommendations FROM loadtest_recommendations(950000901);
RESET ROLE;
\set VERBOSITY default

-- ===========================================================================
-- Recommendations: an index for sequential scans, without and with HypoPG
-- ===========================================================================
CREATE TABLE public.vt_orders (id integer, status text, kind text, created_at timestamptz, note text);
INSERT INTO public.vt_orders
SELECT i, 'S' || (i % 500), CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END,
       '2026-01-01'::timestamptz + i * interval '1 s', 'n'
  FROM generate_series(1, 20000) i;
ANALYZE public.vt_orders;
-- 100 sequential scans read 2,000,000 tuples; search_orders filters on
-- status and sorts on created_at; by_kind filters on a column of two values
SELECT pg_temp.vt_run(950001001, 'vt_seq', 10, 100);
SELECT pg_temp.vt_op(950001001, 0, 'read_member_list', 1000, 0, 10, 5, 0);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params, variants, builtin, owner)
VALUES (950001001, 1, 'search_orders', 'read',
        ARRAY['SELECT o.id FROM public.vt_orders o WHERE o.status = $1 ORDER BY o.created_at LIMIT 10'], '[]', NULL, false, current_user),
       (950001001, 2, 'by_kind', 'read',
        ARRAY['SELECT o.id FROM public.vt_orders o WHERE o.kind = $1'], '[]', NULL, false, current_user);
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, idx_scan, total_bytes)
VALUES (950001001, 'public.vt_orders', 100, 2000000, 0, 2000000);
INSERT INTO loadtest.run_plans (run_id, operation, variant_no, statement_no, plan, generic_plan)
VALUES (950001001, 'search_orders', 1, 1,
        '[{"Plan": {"Node Type": "Limit", "Plans": [{"Node Type": "Sort", "Parent Relationship": "Outer", "Sort Key": ["o.created_at"],
           "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "vt_orders", "Schema": "public", "Alias": "o",
                      "Filter": "(o.status = ''S7''::text)"}]}]}}]',
        '[{"Plan": {"Node Type": "Limit", "Plans": [{"Node Type": "Sort", "Parent Relationship": "Outer", "Sort Key": ["o.created_at"],
           "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "vt_orders", "Schema": "public", "Alias": "o",
                      "Filter": "(o.status = $1)"}]}]}}]'),
       (950001001, 'by_kind', 1, 1, NULL,
        '[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "vt_orders", "Schema": "public", "Alias": "o", "Filter": "(o.kind = $1)"}}]');
-- the same plans in a run of another role
SELECT pg_temp.vt_run(950001002, 'vt_seq', 10, 100, p_role => 'vt_user');
INSERT INTO loadtest.run_operations SELECT 950001002, operation_no, operation, kind, statements, params, variants, builtin, owner, description
  FROM loadtest.run_operations WHERE run_id = 950001001;
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, total_bytes)
VALUES (950001002, 'public.vt_orders', 100, 2000000, 2000000);
INSERT INTO loadtest.run_plans (run_id, operation, variant_no, statement_no, plan, generic_plan)
SELECT 950001002, operation, variant_no, statement_no, plan, generic_plan FROM loadtest.run_plans WHERE run_id = 950001001;

-- the columns of an EXPLAIN VERBOSE filter, and how they are compared
SELECT * FROM loadtest.column_refs('((t.b ~~ $2) AND ((t."Col A")::text = $1) AND (lower(t.email) = $3) AND (t.n > 5) AND (xt.c = 1) AND ($4 = t.d))', 't');
-- a LIKE with a fixed prefix, as the planner rewrites it: text_pattern_ops
-- (a default index cannot serve ~>=~ and ~<~)
SELECT * FROM loadtest.column_refs('((members.last_name ~>=~ $1) AND (members.last_name ~<~ (substr($1, 1, 3) || ''z'')))', 'members');
SELECT definitions FROM loadtest.index_columns('membership.members'::regclass, 'members',
       '((members.last_name ~>=~ $1) AND (members.last_name ~<~ $2))', ARRAY['members.last_name', 'members.first_name']);
SELECT * FROM loadtest.index_columns('public.vt_orders'::regclass, 'o', '((o.note ~~ $1) AND (o.status = $2) AND (o.id > 3))', ARRAY['o.created_at DESC']);
SELECT * FROM loadtest.index_columns('public.vt_orders'::regclass, 'o', NULL, ARRAY['o.created_at DESC', 'o.id']);
SELECT * FROM loadtest.index_columns('public.vt_orders'::regclass, 'o', '(o.nosuch = 1)', ARRAY['(o.id + 1)']);

-- without hypopg: both operations' indexes, not checked
SELECT finding, evidence, recommendation, statement FROM loadtest_recommendations(950001001);
SELECT bottleneck FROM pg_temp.vt(950001001);

-- with hypopg: the index on status and created_at lowers the cost, the one
-- on kind does not (no row); nothing is left prepared or hypothetical,
-- and the caller's own prepared statements and hypothetical indexes stay
CREATE EXTENSION hypopg;
PREPARE vt_mine AS SELECT 1;
SELECT count(*) AS mine FROM hypopg_create_index('CREATE INDEX ON public.vt_orders (note)');
SELECT finding, statement, evidence ~ '; with a hypothetical index \(HypoPG\) the statement''s cost falls from [0-9,.]+ to [0-9,.]+$' AS cost_falls
  FROM loadtest_recommendations(950001001);
SELECT (SELECT array_agg(name ORDER BY name) FROM pg_prepared_statements) AS prepared,
       (SELECT count(*) FROM hypopg()) AS hypothetical_indexes;
-- in a read-only transaction too
BEGIN READ ONLY;
SELECT count(*) AS rows FROM loadtest_recommendations(950001001);
COMMIT;
-- another role's run: not checked (the check runs as the run's role)
SELECT statement, evidence ~ 'not checked with HypoPG: the run is another role''s' AS not_checked
  FROM loadtest_recommendations(950001002);
-- an index that exists: no row
CREATE INDEX vt_orders_status_created ON public.vt_orders (status, created_at);
SELECT count(*) AS rows FROM loadtest_recommendations(950001001);
DROP INDEX public.vt_orders_status_created;

-- An attacker's functions: a schema on the path with its own
-- hypopg_create_index, which must not run; an overload planted in hypopg's
-- own schema (public, which the database owner may write to): then HypoPG
-- is not called at all.  Statements that are not one statement, or that
-- fail, are not checked; nothing is left behind.
CREATE SCHEMA vt_evil;
CREATE FUNCTION vt_evil.hypopg_create_index(text, OUT indexrelid oid, OUT indexname text) RETURNS SETOF record
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: hypopg_create_index'; END$$;
CREATE FUNCTION vt_evil.hypopg_drop_index(oid) RETURNS boolean
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: hypopg_drop_index'; END$$;
SET search_path = vt_evil, public;
SELECT statement, evidence ~ 'cost falls' AS cost_falls FROM loadtest_recommendations(950001001);
RESET search_path;
CREATE FUNCTION public.hypopg_create_index(character varying, OUT indexrelid oid, OUT indexname text) RETURNS SETOF record
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: hypopg_create_index(varchar)'; END$$;
SELECT statement, evidence ~ 'not checked: ' AS not_checked FROM loadtest_recommendations(950001001);
DROP FUNCTION public.hypopg_create_index(character varying);
UPDATE loadtest.run_operations SET statements = ARRAY['SELECT o.id FROM public.vt_orders o WHERE o.status = $1; SELECT 1']
 WHERE run_id = 950001001 AND operation = 'search_orders';
SELECT statement, substring(evidence from 'not checked: .*$') AS why FROM loadtest_recommendations(950001001);
UPDATE loadtest.run_operations SET statements = ARRAY['SELECT o.nosuch FROM public.vt_orders o WHERE o.status = $1']
 WHERE run_id = 950001001 AND operation = 'search_orders';
SELECT statement, substring(evidence from 'not checked: .*$') AS why FROM loadtest_recommendations(950001001);
SELECT (SELECT array_agg(name ORDER BY name) FROM pg_prepared_statements) AS prepared,
       (SELECT count(*) FROM hypopg()) AS hypothetical_indexes;
DEALLOCATE vt_mine;
SELECT hypopg_reset();
SET client_min_messages = warning;
DROP SCHEMA vt_evil CASCADE;
RESET client_min_messages;
DROP EXTENSION hypopg;

-- ===========================================================================
-- Recommendations: cache, WAL, errors, users lost and tail latency
-- ===========================================================================
-- cache hit ratio 90% over 10,000 blocks read; the tables (1 GB) do not
-- fit in shared_buffers
SELECT pg_temp.vt_run(950001101, 'vt_cache', 10, 100);
SELECT pg_temp.vt_op(950001101, 0, 'read_member_list', 952, 0, 10, 5, 0);
INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)
VALUES (950001101, 'pg_stat_database', 'blks_hit', 90000), (950001101, 'pg_stat_database', 'blks_read', 10000);
INSERT INTO loadtest.run_table_stats (run_id, table_name, total_bytes)
VALUES (950001101, 'membership.members', 1073741824);
SELECT finding, evidence ~ '^cache hit ratio 90\.00% \(10,000 blocks read from disk, 90,000 found in shared buffers\); the run''s tables \(the working set\) total 1024 MB, shared_buffers is ' AS evidence_ok,
       recommendation, statement
  FROM loadtest_recommendations(950001101);

-- commits wait for WAL: IO:WALSync 40% of the write operation's samples;
-- writes of 5 ms on a server that did not saturate: nothing to change
-- (the bottleneck still says where the time went: no run answers)
SELECT pg_temp.vt_run(950001201, 'vt_wal', 10, 0);
SELECT pg_temp.vt_op(950001201, 0, 'create_member', 2000, 0, 10, 5, 0);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950001201, 'create_member', 'IO', 'WALSync', 400, 40),
       (950001201, 'create_member', 'CPU', 'CPU', 550, 55),
       (950001201, 'create_member', 'LWLock', 'WALWrite', 50, 5);
SELECT count(*) AS recommendations FROM loadtest_recommendations(950001201);
SELECT bottleneck FROM pg_temp.vt(950001201);
-- the same waits, writes of 30 ms (p95 at least 20 ms): commit settings
SELECT pg_temp.vt_run(950001202, 'vt_wal_slow', 10, 0);
SELECT pg_temp.vt_op(950001202, 0, 'create_member', 2000, 0, 10, 30, 0);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (950001202, 'create_member', 'IO', 'WALSync', 400, 40),
       (950001202, 'create_member', 'CPU', 'CPU', 550, 55),
       (950001202, 'create_member', 'LWLock', 'WALWrite', 50, 5);
SELECT finding, evidence, statement FROM loadtest_recommendations(950001202);

-- errors: 36% of 1,000 operations failed
SELECT pg_temp.vt_run(950001301, 'vt_err', 10, 100);
SELECT pg_temp.vt_op(950001301, 0, 'update_member', 600, 300, 10, 5, 0);
SELECT pg_temp.vt_op(950001301, 1, 'create_member', 400, 60, 10, 5, 0);
INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
VALUES (950001301, 0, '40P01', 'deadlock detected', 290), (950001301, 0, '57014', 'canceling statement due to statement timeout', 10),
       (950001301, 1, '23505', 'duplicate key value violates unique constraint "members_email_key"', 50),
       (950001301, 1, '40P01', 'deadlock detected', 10);
SELECT bottleneck FROM pg_temp.vt(950001301);
SELECT finding, evidence, recommendation, statement FROM loadtest_recommendations(950001301);

-- users lost; a tail: 980 operations of 5 ms and 20 of 500 ms
SELECT pg_temp.vt_run(950001401, 'vt_tail', 10, 100, p_lost => 2);
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts, first_start_us, last_end_us,
        latency_sum_us, latency_min_us, latency_max_us, latency_buckets, latency_counts, wait_sum_us, wait_max_us,
        wait_buckets, wait_counts, response_buckets, response_counts)
VALUES (950001401, 'operation', 0, 1000, 0, 0, 0, 0, 0, 10000000, 980 * 5000 + 20 * 500000, 5000, 500000,
        ARRAY[loadtest.histogram_bucket(5000), loadtest.histogram_bucket(500000)], ARRAY[980, 20],
        0, 0, ARRAY[0], ARRAY[1000],
        ARRAY[loadtest.histogram_bucket(5000), loadtest.histogram_bucket(500000)], ARRAY[980, 20]);
SELECT finding, evidence, statement FROM loadtest_recommendations(950001401);

-- ===========================================================================
-- Hostile rows: any content of the tables gives rows, never an error
-- ===========================================================================
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms, ramp_up_s, workers, seed,
                           environment, role_name, server_version, pool_size, rate, stages, hot_rows,
                           duration_limit_s, duration_s, users_lost, arrivals_dropped)
VALUES (950002001, 'completed', 0, 0, 'vt_hostile', -100, 'NaN', 0, 0, 'x', current_user, '', 0, NULL, NULL, 0, 'NaN', NULL, 0, 0),
       (950002002, 'completed', 2147483647, 0, 'vt_hostile', 2147483647, 'Infinity', 1, 1, 'x', current_user,
        repeat(E'v\n', 5000), 2147483647, NULL, NULL, 2147483647, 'Infinity', 1e308, 2147483647, 9223372036854775807),
       (950002003, 'completed', -3, 0, 'vt_hostile', 0, -1, 1, 1, 'x', current_user, '15.0', -1, 'NaN', NULL, -1,
        -1, -5, -1, -9223372036854775808),
       (950002004, 'completed', 5, 0, 'vt_hostile', 0, 0, 1, 1, 'x', current_user, '15.0', NULL, 'Infinity',
        '{"not": "an array"}', 0, NULL, 1e-300, 0, 0),
       (950002005, 'running', 5, 0, repeat(E'p\n''%s' || chr(27), 500), 0, 0, 1, 1, 'x', current_user, '15.0', 4, NULL,
        NULL, 0, NULL, NULL, 0, 0),
       (950002006, 'completed', 4000, 0, 'vt_hostile', 100, 0, 16, 1, 'x', current_user, '15.0', 16, NULL, NULL, 1, 10, 10, 0, 0);
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts, first_start_us, last_end_us,
        latency_sum_us, latency_min_us, latency_max_us, latency_buckets, latency_counts, wait_sum_us, wait_max_us,
        wait_buckets, wait_counts, response_buckets, response_counts)
SELECT r, 'operation', (ARRAY[0, 1, -32768, 32767, NULL])[n % 5 + 1]::smallint,
       (ARRAY[0, 1, -1, 10, 9223372036854775807, -9223372036854775808])[n % 6 + 1],
       (ARRAY[0, 1, -5, 9223372036854775807, 3])[n % 5 + 1],
       0, 0, (ARRAY[0, 1, -9223372036854775808, 9223372036854775807])[n % 4 + 1],
       (ARRAY[0, -1, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 1000000, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 'NaN', 'Infinity', '-Infinity', 1e308, -1e308, 5e-324, 1000])[n % 8 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY[0, -9223372036854775808, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY['{}', '{0}', '{-1,5,2431}', '{2432,2147483647,-2147483648}', '{1,2,3}'])[n % 5 + 1]::integer[],
       (ARRAY['{}', '{1,2}', '{9223372036854775807}', '{-1,-2,-3}', '{0,0,0}'])[n % 5 + 1]::bigint[],
       (ARRAY[0, 'NaN', '-Infinity', 1e308, 'Infinity'])[n % 5 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY['{}', '{0}', '{2431,2431}', '{-7}'])[n % 4 + 1]::integer[],
       (ARRAY['{}', '{-9223372036854775808}', '{1,1}', '{0}', '{5}'])[n % 5 + 1]::bigint[],
       (ARRAY['{2431}', '{}', '{0,-3,99999}', '{NULL}', '{7,6}'])[n % 5 + 1]::integer[],
       (ARRAY['{9223372036854775807}', '{1}', '{}', '{-1,-1}', '{0,0}'])[n % 5 + 1]::bigint[]
  FROM generate_series(950002001, 950002006) r, generate_series(1, 12) n
 WHERE (r + n) % 3 <> 0 OR r = 950002006;
INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
SELECT r, e.no, e.st, e.msg, e.n
  FROM generate_series(950002001, 950002006) r,
       (VALUES (0::smallint, '40P01', 'deadlock', 9223372036854775807), (0::smallint, '40P01', 'deadlock', 9223372036854775807),
               (1::smallint, '', NULL, -1), (2::smallint, repeat('9', 10000), repeat(E'boom\n' || chr(27), 3000), 0),
               ((-32768)::smallint, E'\r\n', '', -9223372036854775808), (32767::smallint, '23505', chr(128512), 5)) e(no, st, msg, n);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
SELECT r, w.op, w.t, w.e, w.n, w.s
  FROM generate_series(950002001, 950002006) r,
       (VALUES ('update_member', 'CPU', 'CPU', 9223372036854775807, 'NaN'::float8),
               ('update_member', 'Lock', 'tuple', 9223372036854775807, 'Infinity'),
               ('update_member', 'IO', 'WALSync', -1, -1), ('create_member', 'IO', 'DataFileRead', 0, 1e308),
               (repeat(E'op\n' || chr(27), 3000), repeat(E'\t', 1000), repeat('%s', 1000), 5, '-Infinity'),
               ('', '', '', 1, 50)) w(op, t, e, n, s);
INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)
SELECT r, 'pg_stat_database', s.stat, s.v
  FROM generate_series(950002001, 950002006) r,
       (VALUES ('blks_hit', 'NaN'::numeric), ('blks_read', 1e300), ('xact_commit', -1)) s(stat, v);
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, n_tup_upd, n_tup_del, total_bytes)
SELECT r, t.name, t.n, t.n, t.n, t.n, t.n
  FROM generate_series(950002001, 950002006) r,
       (VALUES ('membership.members', 9223372036854775807), ('public.vt_orders', -9223372036854775808),
               (repeat(E'tab\n' || chr(27) || '%s', 3000), 5), ('', NULL)) t(name, n);
INSERT INTO loadtest.run_plans (run_id, operation, variant_no, statement_no, plan, generic_plan, error)
SELECT r, p.op, p.v, p.s, p.plan, p.generic, NULL
  FROM generate_series(950002001, 950002006) r,
       (VALUES ('update_member', 1, 1, '[{"Plan": {"Node Type": "ModifyTable", "Relation Name": 5, "Schema": []}}]'::jsonb,
                '[{"Plan": {"Node Type": "LockRows", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "vt_orders", "Schema": "public", "Alias": "o\"x(", "Filter": "(((((((((("}]}}]'::jsonb),
               ('update_member', 2, 1, '"a string"', '{"Plan": 5}'),
               ('search_orders', 1, 1, NULL, (SELECT jsonb_build_array(jsonb_build_object('Plan', jsonb_build_object(
                    'Node Type', 'Seq Scan', 'Relation Name', 'vt_orders', 'Schema', 'public', 'Alias', repeat('a', 5000),
                    'Filter', repeat('(' || repeat('a', 5000) || '.status = $1) AND ', 100),
                    'Plans', (SELECT jsonb_agg(jsonb_build_object('Node Type', 'Sort', 'Sort Key', jsonb_build_array(g, NULL, 'x')))
                                FROM generate_series(1, 300) g)))))),
               ('', 0, 0, 'null', '[]')) p(op, v, s, plan, generic);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params, variants, builtin, owner)
SELECT r, 0, 'search_orders', 'read', ARRAY[NULL, ''], 'null', '{"not": "an array"}', false, current_user
  FROM generate_series(950002001, 950002006) r;
-- every run gets a verdict and recommendations, whatever the targets
SELECT r.run_id - 950002000 AS run, v.basis, v.ready IS NOT NULL AS has_ready,
       v.explanation IS NOT NULL AS has_explanation,
       position(chr(27) in v.explanation || coalesce(v.bottleneck, '')) = 0 AS no_escapes,
       (SELECT max(length(l)) < 2000 FROM regexp_split_to_table(v.explanation, E'\n') l) AS lines_bounded
  FROM loadtest.runs r, LATERAL loadtest_verdict(r.run_id) v
 WHERE r.run_id BETWEEN 950002001 AND 950002099 ORDER BY r.run_id;
SELECT r.run_id - 950002000 AS run, count(v.*) AS verdicts
  FROM loadtest.runs r,
       LATERAL (VALUES (1, 1e-300::float8), (2147483647, 1.7976931348623157e308::float8), (4000, 5e-324::float8)) t(u, ms),
       LATERAL loadtest_verdict(r.run_id, t.u, t.ms) v
 WHERE r.run_id BETWEEN 950002001 AND 950002099 GROUP BY r.run_id ORDER BY r.run_id;
SELECT r.run_id - 950002000 AS run, count(x.*) AS recommendations,
       coalesce(bool_and(x.finding IS NOT NULL AND x.evidence IS NOT NULL AND x.recommendation IS NOT NULL), true) AS complete,
       coalesce(bool_and(position(chr(27) in x.finding || x.evidence) = 0), true) AS no_escapes
  FROM loadtest.runs r LEFT JOIN LATERAL loadtest_recommendations(r.run_id) x ON true
 WHERE r.run_id BETWEEN 950002001 AND 950002099 GROUP BY r.run_id ORDER BY r.run_id;
SELECT x::text IS NOT NULL AS row_ok FROM loadtest.runs r, LATERAL loadtest.run_figures(r.run_id) x
 WHERE r.run_id BETWEEN 950002001 AND 950002099 ORDER BY r.run_id;
-- Objects of a schema on the caller's path (operators on the figures'
-- types, functions of pg_catalog's names, the extension's own): none runs
CREATE SCHEMA vt_evil;
DO $$
DECLARE
    n integer := 0;
    l text;
    op text;
BEGIN
    FOREACH l IN ARRAY ARRAY['double precision', 'integer', 'bigint', 'numeric', 'text'] LOOP
        FOREACH op IN ARRAY ARRAY['=', '<', '>', '<=', '>=', '<>', '+', '-', '*', '/'] LOOP
            n := n + 1;
            EXECUTE format('CREATE FUNCTION vt_evil.f%s(%s, %s) RETURNS boolean LANGUAGE plpgsql AS %L',
                           n, l, l, format('BEGIN RAISE EXCEPTION ''hijacked: %s(%s)''; END', op, l));
            EXECUTE format('CREATE OPERATOR vt_evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = vt_evil.f%s)', op, l, l, n);
        END LOOP;
    END LOOP;
END
$$;
CREATE FUNCTION vt_evil.format(text, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format'; END$$;
CREATE FUNCTION vt_evil.floor(double precision) RETURNS double precision LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: floor'; END$$;
CREATE FUNCTION vt_evil.concat_ws(text, text, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: concat_ws'; END$$;
CREATE FUNCTION vt_evil.loadtest_usl_fit(double precision[], double precision[]) RETURNS record
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_usl_fit'; END$$;
CREATE FUNCTION vt_evil.loadtest_mark_stale_runs() RETURNS integer
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_mark_stale_runs'; END$$;
SET search_path = vt_evil, public, pg_catalog;
SELECT run_id, v.basis, v.ready, v.capacity_users
  FROM unnest(ARRAY[950000101, 950000301, 950000605, 950000801]::bigint[]) run_id,
       LATERAL public.loadtest_verdict(run_id) v ORDER BY 1;
SELECT count(*) AS recommendations FROM public.loadtest_recommendations(950000101::bigint);
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA vt_evil CASCADE;
RESET client_min_messages;

-- huge targets on a sane run: Infinity, not an overflow
SELECT ready, capacity_users, basis FROM loadtest_verdict(950000101, 2147483647, 1.7976931348623157e308);

-- ===========================================================================
-- 1.6: a rate run's schedule ramps up to its rate (ramp_up_s): one of 6 s
-- with a 10 s ramp-up to 50 ops/sec asked 50 x 6 / 20 = 15 ops/sec on
-- average, and 15 ops/sec kept up; without the ramp-up, 15 of 50 did not.
-- A rate run is not "the same test" as a closed run of the pattern.
-- ===========================================================================
SELECT pg_temp.vt_run(950001701, 'vt_ramp', 10, 100, p_pool => 4, p_rate => 50);
UPDATE loadtest.runs SET ramp_up_s = 10 WHERE run_id = 950001701;
SELECT pg_temp.vt_op(950001701, 0, 'read_member_detail', 90, 0, 6, 2, 1);
SELECT pg_temp.vt_run(950001702, 'vt_ramp', 10, 100, p_pool => 4, p_rate => 50);
SELECT pg_temp.vt_op(950001702, 0, 'read_member_detail', 90, 0, 6, 2, 1);
SELECT pg_temp.vt_run(950001703, 'vt_ramp', 10, 100);
SELECT pg_temp.vt_op(950001703, 0, 'read_member_detail', 1000, 0, 10, 2, 0);
SELECT f.run_id, f.shape, round(f.demand_ops_s::numeric, 2) AS demand, f.kept_up, f.rate_saturated
  FROM generate_series(950001701, 950001703) g, loadtest.run_figures(g) f ORDER BY f.run_id;
SELECT array_agg(s.run_id ORDER BY s.run_id) AS same_test_as_closed FROM loadtest.same_test_runs(950001703) s;
SELECT array_agg(s.run_id ORDER BY s.run_id) AS same_test_as_rate FROM loadtest.same_test_runs(950001701) s;

-- 1.6: deadlocks of a run that already tried 5 times get no advice to retry
SELECT pg_temp.vt_run(950001801, 'vt_retried', 10, 100);
UPDATE loadtest.runs SET max_tries = 5 WHERE run_id = 950001801;
SELECT pg_temp.vt_op(950001801, 0, 'update_member', 600, 60, 10, 5, 0);
INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
VALUES (950001801, 0, '40001', 'could not serialize access due to concurrent update', 60);
SELECT finding, recommendation, statement FROM loadtest_recommendations(950001801) WHERE finding LIKE 'errors:%';

-- ===========================================================================
-- Clean up
-- ===========================================================================
DELETE FROM loadtest.runs WHERE run_id BETWEEN 950000000 AND 950999999;
DROP TABLE public.vt_orders;
DROP ROLE vt_nobody;
DROP ROLE vt_user;
SELECT (SELECT count(*) FROM loadtest.run_histograms WHERE run_id BETWEEN 950000000 AND 950999999)
       + (SELECT count(*) FROM loadtest.wait_profile WHERE run_id BETWEEN 950000000 AND 950999999)
       + (SELECT count(*) FROM loadtest.run_plans WHERE run_id BETWEEN 950000000 AND 950999999) AS left_over;
RESET lc_numeric;
RESET extra_float_digits;
