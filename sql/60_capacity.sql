--
-- The capacity model: loadtest_usl_fit(), loadtest_usl_predict(),
-- loadtest_capacity(users int[], ...) and the report's scaling section.
--
SET lc_numeric TO 'C';		-- to_char() separators: ',' and '.'
SET extra_float_digits TO 0;
\set SHOW_CONTEXT never
\pset null '(null)'

-- Recovery: throughputs generated from known parameters are fitted back
-- within 1% (in fact to rounding), with or without a point at 1 user.
CREATE TEMP TABLE usl_cases (id int, sigma float8, kappa float8, lambda float8, levels float8[]);
INSERT INTO usl_cases VALUES
    (1, 0.05, 0.001,   1000, '{1,2,4,8,16,32,64}'),
    (2, 0.02, 0.0001,  200,  '{1,2,4,8,16,32,64}'),
    (3, 0.3,  0.03,    4000, '{1,2,3,4,6,8}'),
    (4, 0.1,  0.0005,  50,   '{2,4,8,16,32,64,128}'),
    (5, 0.01, 0.00002, 2000, '{1,5,10,50,100}'),
    (6, 0.2,  0,       100,  '{1,2,4,8,16}'),
    (7, 0,    0,       500,  '{1,2,4,8}');
CREATE TEMP VIEW usl_fits AS
SELECT c.*, f.sigma AS f_sigma, f.kappa AS f_kappa, f.lambda AS f_lambda,
       f.r2, f.peak_users, f.peak_throughput, f.note
  FROM usl_cases c,
       LATERAL (SELECT array_agg(c.lambda * n / (1 + c.sigma * (n - 1) + c.kappa * n * (n - 1))
                                 ORDER BY o) AS x
                  FROM unnest(c.levels) WITH ORDINALITY AS l(n, o)) g,
       LATERAL loadtest_usl_fit(c.levels, g.x) f;
SELECT id,
       CASE WHEN sigma = 0 THEN f_sigma = 0 ELSE abs(f_sigma - sigma) / sigma < 0.01 END AS sigma_ok,
       CASE WHEN kappa = 0 THEN f_kappa = 0 ELSE abs(f_kappa - kappa) / kappa < 0.01 END AS kappa_ok,
       abs(f_lambda - lambda) / lambda < 0.01 AS lambda_ok,
       round(f_sigma::numeric, 6) AS sigma, round(f_kappa::numeric, 8) AS kappa,
       round(f_lambda::numeric, 4) AS lambda, round(r2::numeric, 6) AS r2,
       round(peak_users::numeric, 3) AS peak_users,
       CASE WHEN kappa > 0 THEN abs(peak_users - sqrt((1 - sigma) / kappa)) < 1e-6 * peak_users END AS peak_ok,
       round(peak_throughput::numeric, 3) AS peak_throughput
  FROM usl_fits ORDER BY id;
SELECT id, note FROM usl_fits ORDER BY id;

-- The order of the points does not matter.
WITH g AS (
    SELECT n, 1000 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1)) AS x, o
      FROM unnest('{64,1,32,2,16,4,8}'::float8[]) WITH ORDINALITY AS l(n, o))
SELECT abs(a.sigma - b.sigma) < 1e-12 AND abs(a.kappa - b.kappa) < 1e-12
       AND abs(a.lambda - b.lambda) < 1e-9 AS same_fit
  FROM loadtest_usl_fit((SELECT array_agg(n ORDER BY n) FROM g),
                        (SELECT array_agg(x ORDER BY n) FROM g)) a,
       loadtest_usl_fit((SELECT array_agg(n ORDER BY o) FROM g),
                        (SELECT array_agg(x ORDER BY o) FROM g)) b;

-- Flat throughput: sigma 1, no gain from a second user; r2 is undefined
-- when every level measured the same.
SELECT sigma, kappa, lambda, r2, peak_users, peak_throughput, note
  FROM loadtest_usl_fit('{1,2,4,8}', '{100,100,100,100}');
SELECT round(sigma::numeric, 3) AS sigma, round(kappa::numeric, 5) AS kappa,
       round(lambda::numeric, 2) AS lambda, r2 < 1 AS r2_below_1, peak_users, note
  FROM loadtest_usl_fit('{1,2,4,8,16}', '{100,101,99,100,100}');

-- Perfectly linear: kappa 0, no peak.
SELECT sigma, kappa, lambda, r2, peak_users, peak_throughput, note
  FROM loadtest_usl_fit('{1,2,4,8}', '{50,100,200,400}');

-- Noisy data (+-4%) of case 1: still fits, r2 < 1, parameters near.
SELECT round(sigma::numeric, 4) AS sigma, round(kappa::numeric, 6) AS kappa,
       round(lambda::numeric, 1) AS lambda, round(r2::numeric, 4) AS r2,
       r2 < 1 AS r2_below_1, round(peak_users::numeric, 1) AS peak_users, note
  FROM loadtest_usl_fit('{1,2,4,8,16,32,64}',
                        (SELECT array_agg(1000 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1)) * e ORDER BY n)
                           FROM unnest('{1,2,4,8,16,32,64}'::float8[],
                                       '{1.03,0.97,1.02,0.99,1.04,0.96,1.01}'::float8[]) AS z(n, e)));

-- Repeated user counts are allowed (two runs per level).
SELECT round(sigma::numeric, 4) AS sigma, round(kappa::numeric, 6) AS kappa,
       round(lambda::numeric, 2) AS lambda, round(r2::numeric, 4) AS r2,
       round(peak_users::numeric, 2) AS peak_users, note
  FROM loadtest_usl_fit('{1,1,2,2,4,4,8,8,16,16}',
                        '{100,102,190,185,300,310,350,360,300,290}');

-- Exactly 3 levels: an exact fit, said so.
SELECT round(sigma::numeric, 6) AS sigma, round(kappa::numeric, 6) AS kappa,
       round(lambda::numeric, 2) AS lambda, round(r2::numeric, 6) AS r2,
       round(peak_users::numeric, 4) AS peak_users, note
  FROM loadtest_usl_fit('{1,2,4}', '{100,150,160}');

-- Faster than linear: sigma and kappa cannot go below 0.
SELECT sigma, kappa, round(lambda::numeric, 4) AS lambda, round(r2::numeric, 4) AS r2,
       peak_users, note
  FROM loadtest_usl_fit('{1,2,4,8}', '{100,210,450,1000}');

-- Throughput falls from the first user on: the peak is at 1 user.
SELECT round(sigma::numeric, 4) >= 0 AS sigma_ok, peak_users, round(peak_throughput::numeric, 2) AS peak_throughput, note
  FROM loadtest_usl_fit('{1,2,4,8}', '{100,60,35,20}');

-- Bad input.
SELECT * FROM loadtest_usl_fit('{1}', '{100}');
SELECT * FROM loadtest_usl_fit('{1,2,2,1}', '{100,150,160,90}');
SELECT * FROM loadtest_usl_fit('{}', '{}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{100,150}');
SELECT * FROM loadtest_usl_fit(NULL, '{100,150,160}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', NULL);
SELECT * FROM loadtest_usl_fit('{1,2,NULL}', '{100,150,160}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{100,150,NULL}');
SELECT * FROM loadtest_usl_fit('{0,2,4}', '{100,150,160}');
SELECT * FROM loadtest_usl_fit('{-1,2,4}', '{100,150,160}');
SELECT * FROM loadtest_usl_fit('{1,2,Infinity}', '{100,150,160}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{100,0,160}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{100,-5,160}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{100,NaN,160}');
SELECT * FROM loadtest_usl_fit('{{1,2},{4,8}}', '{{100,150},{160,170}}');

-- Predictions: X(N) and Little's law, R = N / X - Z.
SELECT round(throughput::numeric, 4) AS throughput, round(response_ms::numeric, 4) AS response_ms
  FROM loadtest_usl_predict(0.05, 0.001, 1000, 4000);
SELECT round(throughput::numeric, 4) AS throughput, round(response_ms::numeric, 4) AS response_ms
  FROM loadtest_usl_predict(0.05, 0.001, 1000, 1);
SELECT round(throughput::numeric, 4) AS throughput, round(response_ms::numeric, 4) AS response_ms,
       abs(throughput * (response_ms + 5) / 1000 - 64) < 1e-9 AS littles_law
  FROM loadtest_usl_predict(0.05, 0.001, 1000, 64, 5);
-- users that think longer than a cycle takes: R is clamped at 0
SELECT throughput, response_ms FROM loadtest_usl_predict(0, 0, 1000, 10, 100);
SELECT throughput, response_ms FROM loadtest_usl_predict(0.05, 0.001, NULL, 10);
SELECT * FROM loadtest_usl_predict(-0.1, 0, 1000, 10);
SELECT * FROM loadtest_usl_predict(0, 'NaN', 1000, 10);
SELECT * FROM loadtest_usl_predict(0, 0, 0, 10);
SELECT * FROM loadtest_usl_predict(0, 0, 1000, 0.5);
SELECT * FROM loadtest_usl_predict(0, 0, 1000, 10, -1);

-- Synthetic runs of the write_heavy pattern (no other test's runs have it)
-- with throughputs from sigma 0.02, kappa 0.0001, lambda 200: each of N
-- users does 2 operations back to back taking R = 5 d(N) ms each, so the
-- throughput is N / R.  Run 960006 is a "measured" run at 4000 users
-- (9,000 ms, slower than the USL's 8,402.90 ms); 960007 is still running,
-- 960008 recorded no samples, 960009 has another think time.
CREATE TEMP TABLE usl_runs (run_id bigint, users int, r_us bigint, status loadtest.run_status,
                            think int, samples boolean);
INSERT INTO usl_runs
SELECT 960000 + o, n, round(5000 * (1 + 0.02 * (n - 1) + 0.0001 * n * (n - 1))), 'completed', 0, true
  FROM unnest('{1,2,4,8,16}'::int[]) WITH ORDINALITY AS l(n, o);
INSERT INTO usl_runs VALUES
    (960006, 4000, 9000000, 'completed', 0, true),
    (960007, 32, 10000, 'running', 0, true),
    (960008, 32, 10000, 'completed', 0, false),
    (960009, 32, 10000, 'completed', 25, true);
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms,
                           ramp_up_s, workers, seed, environment, role_name, samples_recorded,
                           started_at, ended_at, duration_s)
SELECT run_id, status, users, 2, 'write_heavy', think, 0, users, 1, 'development', current_user, samples,
       '2026-02-01 10:00:00+00', '2026-02-01 10:01:00+00', 60
  FROM usl_runs;
-- what each run ran, as the recorder keeps it: the write_heavy operations
-- numbered by name, the pattern as number 0
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT u.run_id, (row_number() OVER (PARTITION BY u.run_id ORDER BY o.operation) - 1)::smallint,
       o.operation, o.kind, o.statements, o.params, o.variants, o.builtin, o.owner, o.description
  FROM usl_runs u, loadtest.operations o
 WHERE o.operation IN (SELECT jsonb_object_keys(weights) FROM loadtest.patterns WHERE pattern = 'write_heavy');
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT u.run_id, 0, p.pattern, p.weights, u.users
  FROM usl_runs u, loadtest.patterns p WHERE p.pattern = 'write_heavy';
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success)
SELECT u.run_id, n, j, 0, o.operation_no, (j - 1) * u.r_us, u.r_us, 0, true
  FROM usl_runs u
  JOIN loadtest.run_operations o ON o.run_id = u.run_id AND o.operation = 'create_member',
       generate_series(1, u.users) n, generate_series(1, 2) j
 WHERE u.samples;
-- the summaries the recorder writes at the end of a run (1.4; the views
-- read them), built from those samples; a run with
-- loadtest.record_samples = off recorded neither
SELECT count(*) AS runs_summarized
  FROM usl_runs u, LATERAL loadtest.summarize_samples(u.run_id) s
 WHERE u.samples;
SELECT count(*) AS samples, count(*) FILTER (WHERE pattern = 'write_heavy' AND operation = 'create_member') AS named
  FROM loadtest.samples WHERE run_id BETWEEN 960001 AND 960009;

-- Reusing the five finished runs.
\x on
SELECT measured_runs, measured_users,
       (SELECT array_agg(round(x::numeric, 2)) FROM unnest(measured_ops_s) x) AS measured_ops_s,
       (SELECT array_agg(round(x::numeric, 3)) FROM unnest(measured_avg_ms) x) AS measured_avg_ms,
       abs(sigma - 0.02) / 0.02 < 0.01 AS sigma_ok,
       abs(kappa - 0.0001) / 0.0001 < 0.01 AS kappa_ok,
       abs(lambda - 200) / 200 < 0.01 AS lambda_ok,
       round(r2::numeric, 6) AS r2,
       round(peak_users::numeric, 1) AS peak_users,
       round(peak_throughput::numeric, 1) AS peak_throughput,
       round(predicted_throughput_at_target::numeric, 1) AS predicted_throughput_at_target,
       round(predicted_response_ms_at_target::numeric, 0) AS predicted_response_ms_at_target,
       round(usl_capacity_users::numeric, 1) AS usl_capacity_users,
       round(linear_response_ms_at_target::numeric, 2) AS linear_response_ms_at_target,
       round(linear_capacity_users::numeric, 1) AS linear_capacity_users,
       target_holds, verdict, note
  FROM loadtest_capacity(run_ids => '{960005,960003,960001,960004,960002}');
-- a lower target and user count that hold
SELECT round(predicted_response_ms_at_target::numeric, 3) AS predicted_response_ms_at_target,
       round(usl_capacity_users::numeric, 1) AS usl_capacity_users,
       target_holds, verdict
  FROM loadtest_capacity(run_ids => '{960001,960002,960003,960004,960005}',
                         target_users => 50, target_ms => 10);
\x off

-- Runs that cannot be used.
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,999999999}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960007}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960008}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960009}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960002}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,NULL}');
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960003}', target_ms => 0);
SELECT * FROM loadtest_capacity(run_ids => '{960001,960002,960003}', target_users => 0);

-- Levels that cannot be run: refused before anything starts.
SELECT count(*) AS runs_before FROM loadtest.runs \gset
SELECT * FROM loadtest_capacity(users => '{1,2,2}');
SELECT * FROM loadtest_capacity(users => '{0,1,2}');
SELECT * FROM loadtest_capacity(users => '{1,2,NULL}');
SELECT * FROM loadtest_capacity(users => NULL);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM loadtest_capacity(users => '{1,2,3}', ops => 5);
ROLLBACK;
SELECT count(*) = :runs_before AS no_run_started FROM loadtest.runs;

-- Measuring for real: one run per level, in order, without ramp-up.
SELECT cardinality(measured_runs) AS runs, measured_users,
       sigma >= 0 AND kappa >= 0 AND lambda > 0 AS fitted,
       predicted_response_ms_at_target >= 0 AS predicted,
       verdict ~ '^(ready|not ready): the USL predicts ' AS verdict_ok,
       measured_runs AS cap_runs
  FROM loadtest_capacity(users => '{1,3,2}', ops => 5, pattern => 'read_heavy') \gset
SELECT :runs AS runs, :'measured_users' AS measured_users, :'fitted' AS fitted,
       :'predicted' AS predicted, :'verdict_ok' AS verdict_ok;
SELECT array_agg(users ORDER BY run_id) AS users_in_run_order,
       bool_and(ops_per_user = 5 AND pattern = 'read_heavy' AND think_time_ms = 0
                AND ramp_up_s = 0 AND status = 'completed') AS as_asked
  FROM loadtest.runs WHERE run_id = ANY (:'cap_runs'::bigint[]);

-- Starting runs takes the privilege that loadtest_run() takes; fitting does not.
SELECT has_function_privilege('public', 'loadtest_capacity(integer[], integer, text, integer, bigint[], integer, double precision)', 'EXECUTE') AS capacity_public,
       has_function_privilege('public', 'loadtest_usl_fit(double precision[], double precision[])', 'EXECUTE') AS fit_public,
       has_function_privilege('public', 'loadtest_usl_predict(double precision, double precision, double precision, double precision, double precision)', 'EXECUTE') AS predict_public;
-- The linear model is still there beside it.
SELECT * FROM loadtest_capacity(200, 50);

-- The report's scaling section: the headline verdict of loadtest_verdict()
-- first (for 960005 and 960006 the run at 4000 users measured it), then
-- what it comes from, and the reference guide's linear formula labelled as
-- not the verdict; no rating marks, and no USL line of its own (the USL
-- is the verdict's, in its explanation, when it is its basis or why it is
-- not).  The verdict's explanation is printed by its own tests: here, that
-- the section shows each of its lines.
CREATE FUNCTION pg_temp.scaling_section(run_id bigint)
RETURNS TABLE (n bigint, line text, explanation boolean)
LANGUAGE sql AS $$
SELECT x.n, x.line,
       coalesce(x.line IN (SELECT '   ' || loadtest.one_line(e, 400)
                             FROM loadtest_verdict(run_id) v,
                                  regexp_split_to_table(v.explanation, E'\n') e), false)
  FROM (SELECT t.line, t.n,
               min(t.n) FILTER (WHERE t.line ~ '^Scaling to') OVER () AS first,
               min(t.n) FILTER (WHERE t.line = 'Recommendations:') OVER () AS last
          FROM regexp_split_to_table(loadtest_report(run_id), E'\n') WITH ORDINALITY AS t(line, n)) x
 WHERE x.n >= x.first AND x.n < x.last - 1
 ORDER BY x.n
$$;
SELECT r AS run_id, s.line
  FROM unnest(ARRAY[960005, 960006, 960009]::bigint[]) r, LATERAL pg_temp.scaling_section(r) s
 WHERE NOT s.explanation ORDER BY r, s.n;
SELECT r AS run_id, v.basis,
       count(*) FILTER (WHERE s.explanation)
           = (SELECT count(*) FROM regexp_split_to_table(v.explanation, E'\n') e WHERE btrim(e) <> '') AS explained,
       count(*) FILTER (WHERE s.line ~ '\[(OK|!|!!)\]') AS rating_marks,
       count(*) FILTER (WHERE s.line ~ 'USL' AND NOT s.explanation) AS usl_lines_of_its_own
  FROM unnest(ARRAY[960005, 960006, 960009]::bigint[]) r,
       LATERAL loadtest_verdict(r) v, LATERAL pg_temp.scaling_section(r) s
 GROUP BY r, v.basis, v.explanation ORDER BY r;

DELETE FROM loadtest.runs WHERE run_id BETWEEN 960001 AND 960009;
RESET lc_numeric;
RESET extra_float_digits;

-- a target that is not a number is refused (NaN sorts above every number)
SELECT * FROM loadtest_capacity(200::float8, 50, 'NaN');
