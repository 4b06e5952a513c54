--
-- Reports survive any content of the result tables, and no object on the
-- caller's search_path runs in place of the extension's own.  A superuser
-- can write the tables directly: the runs below are such rows, under run ids
-- no run gets (900000001 ..).  Only booleans, counts and messages are
-- printed: no timings.
--
SET lc_numeric TO 'C';
SET extra_float_digits TO 0;
\set SHOW_CONTEXT never

-- Runs: statuses of every label, user counts of 0, huge and negative,
-- completed runs without an end or with a duration of NULL, 0, negative or
-- huge, negative think time, rates of 0, NaN and Infinity, stages of any
-- shape, huge messages with newlines and control characters.
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms,
                           ramp_up_s, workers, seed, environment, role_name,
                           ended_at, duration_s, rate, stages, pool_size, duration_limit_s,
                           users_lost, ops_not_done, op_timeout_ms, max_tries, hot_rows,
                           isolation, message, arrivals_dropped, samples_lost)
VALUES
 (900000001, 'completed', 0, 0, 'distributed', -100, 'NaN', 0, 0, E'dev\nnext line', current_user,
  NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000002, 'completed', 2147483647, 2147483647, 'mixed', 2147483647, 'Infinity', 2147483647,
  9223372036854775807, 'development', current_user,
  now(), 0, 'NaN', '{"not": "an array"}', 0, 'NaN', 2147483647, 9223372036854775807,
  2147483647, 2147483647, 2147483647, repeat('x', 10000), repeat(E'\n', 10000),
  9223372036854775807, 9223372036854775807),
 (900000003, 'completed', -3, -1, repeat('p', 10000), 0, -1, -1, -9223372036854775808, 'development', current_user,
  now() - interval '1 day', -5, 'Infinity',
  '[1, "a", null, [], {}, {"stage": "x", "kind": 5, "from": "1", "to": "2", "start_s": "0", "end_s": "1"},
    {"stage": 1e400, "kind": "rate", "from": -1e400, "to": 1e-400, "start_s": -1e308, "end_s": 1e308},
    {"stage": 2.5, "kind": "users", "from": 1e300, "to": -1e300, "start_s": 1e300, "end_s": -1e300},
    {"stage": 3, "kind": "users", "from": 1, "to": 2, "start_s": 0, "end_s": 0}]',
  -1, -1, -2147483648, -9223372036854775808, -1, -32768, -1, 'serializable', NULL,
  -9223372036854775808, -9223372036854775808),
 (900000004, 'completed', 1, 1, 'read_heavy', 0, 0, 1, 1, 'development', current_user,
  now(), 1e308, 0, '"a string"', NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000005, 'completed', 5, 5, 'write_heavy', 0, 0, 5, 1, 'development', current_user,
  now(), 1e-300, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000006, 'running', 1, 1, 'distributed', 0, 0, 1, 1, 'development', current_user,
  NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000007, 'cancelled', 1, 1, 'distributed', 0, 0, 1, 1, 'development', current_user,
  NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed',
  repeat(E'cancel\r\n\t' || chr(1) || chr(27) || '[31m' || chr(127), 1000), 0, 0),
 (900000008, 'aborted', 1, 1, 'distributed', 0, 0, 1, 1, 'development', current_user,
  NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', '', 0, 0),
 (900000009, 'failed', 1, 1, 'distributed', 0, 0, 1, 1, 'development', current_user,
  NULL, 'NaN', NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 -- a sane run, for the target_ms formatting
 (900000010, 'completed', 10, 10, 'mixed', 0, 0, 10, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 -- closed-model runs for the capacity model: no samples at all; 0 users;
 -- negative think time
 (900000011, 'completed', 1, 10, 'mixed', 0, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000012, 'completed', 0, 10, 'mixed', 0, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000013, 'completed', 2, 10, 'single_operation', -5, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000014, 'completed', 3, 10, 'single_operation', -5, 0, 1, 1, 'development', current_user,
  now(), NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000015, 'completed', 4, 10, 'single_operation', -5, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000016, 'completed', 3, 10, 'mixed', 0, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0),
 (900000017, 'completed', 5, 10, 'single_operation', -5, 0, 1, 1, 'development', current_user,
  now(), 10, NULL, NULL, NULL, NULL, 0, 0, 0, 1, 0, 'read committed', NULL, 0, 0);

-- What the runs ran (1.3 keeps a copy with each run, and samples refer to
-- it by number): for most runs the built-in workload as the upgrade from
-- 1.2 numbers it (the 13 operations and 5 patterns in the enums' order),
-- for run 900000001 also operations and patterns with hostile names
-- (huge, empty, with newlines, control characters and format directives,
-- multibyte, the name of another), kinds, statements, variants, owners and
-- weights, under numbers at the ends of smallint.
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT r, (v.ord - 1)::smallint, o.operation, o.kind, o.statements, o.params, o.variants,
       o.builtin, o.owner, o.description
  FROM unnest(ARRAY[900000001, 900000003, 900000004, 900000005, 900000006, 900000009, 900000010,
                    900000012, 900000013, 900000015, 900000016, 900000017]::bigint[]) r,
       unnest(ARRAY['read_member_list', 'read_member_detail', 'search_members', 'list_organizations',
                    'list_students', 'create_member', 'update_member', 'create_employment',
                    'update_employment_status', 'create_organization_contact',
                    'list_file_attachments', 'create_file_attachment', 'read_file_metadata'])
         WITH ORDINALITY AS v(operation, ord)
  JOIN loadtest.operations o USING (operation);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
VALUES
 (900000001, 13, repeat(E'op\n\t' || chr(1) || chr(27) || '[31m %s %% %I %L' || chr(127), 1000),
  repeat('k', 10000), ARRAY[repeat(E'SELECT\r\n' || chr(27), 5000), NULL, ''], '{"not": "an array"}',
  NULL, false, repeat('o', 63), repeat(E'd\n', 10000)),
 (900000001, 14, '', '', NULL, NULL, '{"not": "an array"}', false, '', NULL),
 (900000001, 15, 'search_members', 'write', '{}', '[]',
  (SELECT jsonb_agg(jsonb_build_object('weight', g, 'statements', jsonb_build_array(repeat('x', g))))
     FROM generate_series(1, 1000) g), false, E'own\ner', ''),
 (900000001, -32768, repeat(chr(233) || chr(8364) || chr(128512), 3000), 'read', NULL, NULL, NULL,
  true, 'postgres', NULL),
 (900000001, 32767, 'read_member_list', 'read', ARRAY[NULL]::text[], 'null', '[]', true,
  repeat(chr(233), 31), repeat('%s', 5000));

INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT r, (v.ord - 1)::smallint, v.pattern,
       coalesce(p.weights, '{"read_file_metadata": 1}'), (v.ord * 7)::integer
  FROM unnest(ARRAY[900000001, 900000003, 900000004, 900000005, 900000006, 900000009, 900000010,
                    900000012, 900000013, 900000015, 900000016, 900000017]::bigint[]) r,
       unnest(ARRAY['read_heavy', 'write_heavy', 'mixed', 'file_operations', 'single_operation'])
         WITH ORDINALITY AS v(pattern, ord)
  LEFT JOIN loadtest.patterns p USING (pattern);
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
VALUES
 (900000001, 5, repeat(E'pat\n\t' || chr(1) || chr(27) || '[31m %s %%' || chr(127), 1000),
  '[1, "a", null, {}]', -2147483648),
 (900000001, 6, '', 'null', 2147483647),
 (900000001, -32768, 'read_heavy', '{"no such operation": 1e400, "read_member_list": -1}', 0),
 (900000001, 32767, repeat(chr(128512), 5000), '"a string"', -1);

INSERT INTO loadtest.run_users (run_id, user_no, pattern, operation, ops_planned, ops_done, lost)
VALUES (900000001, 1, 'read_heavy', NULL, 2147483647, -2147483648, true),
       (900000001, -2147483648, 'write_heavy', 'create_member', NULL, 2147483647, true),
       (900000001, 2147483647, 'single_operation', 'read_file_metadata', -2147483648, 2147483647, false),
       (900000001, 2, repeat(E'pat\n\t' || chr(1) || chr(27) || '[31m %s %%' || chr(127), 1000),
        repeat(E'op\n' || chr(27) || '%s', 3000), 1, 1, false),
       (900000001, 3, '', '', 0, 0, false),
       (900000001, 4, 'no such pattern', NULL, 0, 0, false),
       (900000001, 5, repeat(chr(128512), 5000), repeat(chr(233), 10000), 0, 0, true),
       (900000002, 1, 'mixed', NULL, 0, 0, true),
       (900000003, 1, 'file_operations', NULL, 1, 1, false);

-- Samples (into sample_log, by the runs' numbers): every operation and
-- pattern of the run, and numbers the run has no definition for;
-- start_us, latency_us and wait_us near the bigint maximum and minimum and
-- negative; tries 0, negative and maximal; failures without SQLSTATE or
-- message, with huge messages; duplicate (user_no, op_no).
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success, sqlstate, message, tries)
SELECT 900000001, 1, 1, p, o,
       CASE n % 4 WHEN 0 THEN 9223372036854775807 WHEN 1 THEN -9223372036854775808
                  WHEN 2 THEN 9223372036854775000 ELSE -1 END,
       CASE n % 3 WHEN 0 THEN 9223372036854775807 WHEN 1 THEN -9223372036854775808 ELSE 0 END,
       CASE n % 5 WHEN 0 THEN 9223372036854775807 WHEN 1 THEN -9223372036854775808
                  WHEN 2 THEN -1 ELSE 10001 END,
       n % 2 = 0,
       CASE WHEN n % 2 = 0 THEN NULL WHEN n % 3 = 0 THEN '40P01' WHEN n % 7 = 0 THEN repeat('9', 10000) END,
       CASE WHEN n % 2 = 0 THEN NULL
            WHEN n % 3 = 1 THEN repeat(E'boom\n\t' || chr(1) || chr(27) || ' ', 2000) END,
       (ARRAY[0, -1, 32767, -32768, 1, 2])[n % 6 + 1]
  FROM unnest(ARRAY[-32768, 0, 1, 2, 3, 4, 5, 6, 7, 32767]::smallint[]) p,
       unnest(ARRAY[-32768, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -1, 32767]::smallint[]) o,
       LATERAL (SELECT abs(hashtext(p::text || '/' || o::text)) AS n) h;
-- the same in a run whose duration is huge, one still running, and one
-- cancelled (with no definitions at all)
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success, sqlstate, message, tries)
SELECT r, s.user_no, s.op_no, s.pattern_no, s.operation_no, s.start_us, s.latency_us,
       s.wait_us, s.success, s.sqlstate, s.message, s.tries
  FROM loadtest.sample_log s, unnest(ARRAY[900000003, 900000006, 900000007]::bigint[]) r
 WHERE s.run_id = 900000001;
INSERT INTO loadtest.run_operations
SELECT 900000006, operation_no, operation, kind, statements, params, variants, builtin, owner, description
  FROM loadtest.run_operations WHERE run_id = 900000001 AND operation_no NOT BETWEEN 0 AND 12;
INSERT INTO loadtest.run_patterns
SELECT 900000006, pattern_no, pattern, weights, users
  FROM loadtest.run_patterns WHERE run_id = 900000001 AND pattern_no NOT BETWEEN 0 AND 4;
-- (pattern 0 read_heavy, 2 mixed; operation 0 read_member_list)
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success)
SELECT r, 1, 1, 0, 0, 0, 0, 0, true
  FROM unnest(ARRAY[900000004, 900000005, 900000009]::bigint[]) r;
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success)
SELECT 900000010, u, n, 2, 0, n * 100000, 2000, 0, true
  FROM generate_series(1, 10) u, generate_series(1, 10) n;
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us, latency_us,
                                 wait_us, success)
SELECT r, 1, n, 2, 0, 0, 1000, 0, true
  FROM unnest(ARRAY[900000012, 900000013, 900000015, 900000016, 900000017]::bigint[]) r,
       generate_series(1, 10) n;

-- Since 1.4 the views and the report read the runs' summaries, which the
-- recorder writes at the end of a run: built here from the planted samples
-- by loadtest.summarize_samples() (internal, superuser only), which must
-- take any of them.
SELECT count(*) AS runs_summarized
  FROM loadtest.runs r, LATERAL loadtest.summarize_samples(r.run_id) s
 WHERE r.run_id BETWEEN 900000001 AND 900000099;

SELECT count(*) AS hostile_samples FROM loadtest.samples WHERE run_id BETWEEN 900000001 AND 900000099;
-- the view shows every sample, with the names its run has for its numbers
SELECT run_id, count(*) AS samples, count(pattern) AS named_pattern, count(operation) AS named_operation
  FROM loadtest.samples WHERE run_id BETWEEN 900000001 AND 900000099
 GROUP BY run_id ORDER BY run_id;
SELECT count(*) AS rows, bool_and(x::text IS NOT NULL) AS rows_ok,
       max(length(pattern)) AS longest_pattern, max(length(operation)) AS longest_operation
  FROM loadtest.samples x WHERE run_id BETWEEN 900000001 AND 900000099;

-- Every report is text, and jsonb with a key per section.
SELECT r.run_id, t.report IS NOT NULL AS is_text,
       position('LOAD TEST REPORT' in t.report) > 0 AS has_header,
       position('#' in t.report) = 0 AS no_hashes,
       position(chr(27) in t.report) = 0 AS no_escapes,
       position(E'\r' in t.report) = 0 AS no_carriage_returns,
       jsonb_typeof(t.j) = 'object' AND t.j -> 'run_id' = to_jsonb(r.run_id)
       AND (SELECT bool_and(t.j ? s.json_key) FROM loadtest.report_sections() s) AS is_json
  FROM loadtest.runs r,
       LATERAL (SELECT loadtest_report(r.run_id) AS report, loadtest_report_json(r.run_id) AS j) t
 WHERE r.run_id BETWEEN 900000001 AND 900000099
 ORDER BY r.run_id;
-- Each section alone, for every such run: lines on one line each, bounded,
-- without escapes; the heading first (when the section applies).
SELECT s.section_no, s.section,
       coalesce(bool_and(l.line IS NOT NULL) FILTER (WHERE l.k IS NOT NULL), true) AS no_null_lines,
       coalesce(max(length(l.line)) < 1000, true) AS lines_bounded,
       coalesce(bool_and(position(chr(27) in l.line) = 0 AND position(E'\r' in l.line) = 0
                         AND position(E'\n' in l.line) = 0), true) AS one_line_each,
       coalesce(bool_and(l.k > 1 OR l.line !~ '^ '), true) AS heading_first,
       count(DISTINCT r.run_id) FILTER (WHERE l.k IS NULL) AS runs_without_it
  FROM loadtest.runs r
 CROSS JOIN loadtest.report_sections() s
  LEFT JOIN LATERAL unnest(loadtest.report_section_lines(s.section, r.run_id, 500, 4000))
            WITH ORDINALITY AS l(line, k) ON true
 WHERE r.run_id BETWEEN 900000001 AND 900000099
 GROUP BY s.section_no, s.section ORDER BY s.section_no;

-- The hostile names are written on one line each, cut: the operations and
-- patterns of run 900000001 by name, the numbers it has no definition for
-- by number, its defined operations as run; run 900000007 has no
-- definitions at all.
-- (lines: those before the verdict, whose lines are loadtest_verdict()'s
-- and loadtest_recommendations()')
SELECT count(*) FILTER (WHERE NOT verdict) AS lines, max(length(line)) < 1000 AS lines_bounded,
       count(*) FILTER (WHERE line ~ '^   \(operation -?[0-9]+\): 10 ops, ') AS unnamed_operations,
       count(*) FILTER (WHERE line ~ '^   search_members: 10 ops, ') AS search_members_lines,
       bool_or(line ~ '^   pat .{90,} \(op .{90,}\): 1 user \(14\.3%\)$') AS hostile_pattern_user,
       bool_or(line = '   no such pattern: 1 user (14.3%)') AS unknown_pattern_user,
       bool_or(line = 'Defined Operations (as run):') AS defined_section,
       bool_or(line ~ '^   search_members \(write, defined by own er\): 1,000 variants ') AS defined_variants
  FROM (SELECT t.line, bool_or(t.line ~ '^Scaling to') OVER (ORDER BY t.n) AS verdict
          FROM regexp_split_to_table(loadtest_report(900000001), E'\n') WITH ORDINALITY AS t(line, n)) x;
SELECT count(*) FILTER (WHERE line ~ '^   \(operation -?[0-9]+\): 10 ops, ') AS unnamed_operations,
       count(*) FILTER (WHERE line ~ '^   \[.*\(\(operation -?[0-9]+\)\): [0-9]+$') AS unnamed_error_lines
  FROM regexp_split_to_table(loadtest_report(900000007), E'\n') AS line;

-- The views return a row for each (every column computed: row to text).
SELECT run_id, x::text IS NOT NULL AS row_ok FROM loadtest.run_summary x
 WHERE run_id BETWEEN 900000001 AND 900000099 ORDER BY run_id;
SELECT count(*) AS operation_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.operation_stats x WHERE run_id BETWEEN 900000001 AND 900000099;
SELECT count(*) AS user_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.user_stats x WHERE run_id BETWEEN 900000001 AND 900000099;
SELECT count(*) AS error_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.error_stats x WHERE run_id BETWEEN 900000001 AND 900000099;

-- target_ms and target_users: any finite positive target is written out
-- (the headline's target, and the reference guide's formula; the verdict
-- itself is loadtest_verdict()'s); others are refused.
SELECT t.target_ms, t.target_users,
       CASE WHEN line ~ '^   Verdict' THEN '   Verdict: ... within ' || substring(line from ' within ([^ :]+ms)')
            ELSE line END AS line
  FROM (VALUES (1e300::float8, 4000), (1.7976931348623157e308, 4000), (5e-324, 4000),
               (500, 2147483647), (500, 1)) t(target_ms, target_users),
       LATERAL (SELECT string_agg(l, E'\n') FILTER (WHERE l ~ '^   (Verdict|The reference)') AS lines
                  FROM regexp_split_to_table(loadtest_report(900000010, t.target_ms, t.target_users), E'\n') l) x,
       LATERAL regexp_split_to_table(x.lines, E'\n') AS line
 WHERE line ~ '^   The reference' OR line ~ '^   Verdict'
 ORDER BY t.target_users, t.target_ms, line ~ '^   The reference';
SELECT loadtest_report(900000010, target_ms => 'NaN');
SELECT loadtest_report(900000010, target_ms => 'Infinity');
SELECT loadtest_report(900000010, target_ms => -1);
SELECT loadtest_report(900000010, target_ms => NULL);
SELECT loadtest_report(900000010, target_users => -2147483648);
SELECT loadtest_report_json(900000010, target_ms => '-Infinity');
SELECT loadtest_report_json(900000010, target_users => 0);
SELECT (loadtest_report_json(900000010, 1e300, 2147483647) -> 'assessment' -> 'guide_formula') ? 'capacity_users' AS json_at_extremes;

-- The capacity model on such runs: clear errors.
SELECT * FROM loadtest_capacity(run_ids => '{900000011,900000005,900000010}');
SELECT * FROM loadtest_capacity(run_ids => '{900000012,900000016,900000010}');
SELECT * FROM loadtest_capacity(run_ids => '{900000013,900000015,900000017}');
SELECT * FROM loadtest_capacity(run_ids => '{900000013,900000014,900000015}');
SELECT * FROM loadtest_capacity(run_ids => '{900000013,900000015,900000013}');
SELECT * FROM loadtest_capacity(run_ids => '{900000004,900000005,900000010}');
SELECT * FROM loadtest_capacity(run_ids => '{900000003,900000004,900000010}');
SELECT * FROM loadtest_capacity(run_ids => '{900000011,900000010}', target_ms => 1e300);
-- a role's run is not taken for another's: the model picks the caller's runs
SELECT count(*) AS other_roles_runs FROM loadtest.runs
 WHERE run_id BETWEEN 900000001 AND 900000099 AND role_name <> current_user;

-- Extreme inputs to the model functions: a clear error (22023) or a
-- well-defined result, never a raw overflow.
\set VERBOSITY default
SELECT * FROM loadtest_capacity(1e308, 1);
SELECT * FROM loadtest_capacity(1e308, 1, 1e-300, 2147483647);
SELECT * FROM loadtest_capacity(1e-300, 2147483647, 1e300, 1);
SELECT * FROM loadtest_capacity(5e-324, 1, 1.7976931348623157e308, 1);
SELECT * FROM loadtest_capacity(-1e308, 1);
SELECT * FROM loadtest_capacity('Infinity', 1);
SELECT * FROM loadtest_capacity('-Infinity', 1);
SELECT * FROM loadtest_capacity('NaN', 1);
SELECT * FROM loadtest_capacity(1, 1, 'Infinity');
SELECT * FROM loadtest_capacity(1, 1, 500, 0);
SELECT * FROM loadtest_capacity(1, -5);
SELECT * FROM loadtest_usl_predict(1e308, 0, 1, 1);
SELECT * FROM loadtest_usl_predict(0, 1e308, 1, 1);
SELECT * FROM loadtest_usl_predict(0, 0, 1e308, 1);
SELECT * FROM loadtest_usl_predict(0, 0, 1e-308, 1);
SELECT * FROM loadtest_usl_predict(0, 0, 1, 1e308);
SELECT * FROM loadtest_usl_predict(0, 0, 1, 'Infinity');
SELECT * FROM loadtest_usl_predict(0, 0, 1, 1, 1e308);
SELECT round(throughput::numeric, 6) AS throughput, round(response_ms::numeric, 6) AS response_ms
  FROM loadtest_usl_predict(1e6, 1e6, 1e-20, 1e12, 1e15);
SELECT throughput > 0 AS positive, response_ms > 0 AS positive_response
  FROM loadtest_usl_predict(1e-300, 1e-300, 1e20, 1.0000000001);
SELECT * FROM loadtest_usl_fit('{1,2,1e308}', '{1,2,3}');
SELECT * FROM loadtest_usl_fit('{1,2,-1e308}', '{1,2,3}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{1e308,2,3}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{1e-308,2,3}');
SELECT * FROM loadtest_usl_fit('{1,2,4}', '{1,Infinity,3}');
SELECT * FROM loadtest_usl_fit('{1,2,NaN}', '{1,2,3}');
SELECT * FROM loadtest_usl_fit('{1,2,4,8}', '{1,2,3}');
SELECT * FROM loadtest_usl_fit('{{1,2},{4,8}}', '{1,2,3,4}');
SELECT * FROM loadtest_usl_fit('{1,2,4,NULL}', '{1,2,3,4}');
-- the extremes of the accepted ranges fit without error
SELECT sigma >= 0 AND kappa >= 0 AND lambda > 0 AS fitted
  FROM loadtest_usl_fit('{1,1000,1000000,1000000000}', '{1e-9,1e12,1e-9,1e12}');
SELECT sigma >= 0 AND kappa >= 0 AND lambda > 0 AS fitted
  FROM loadtest_usl_fit('{1,1.0000000000000002,1.0000000000000004}', '{1e12,1e-9,1e12}');
SELECT sigma >= 0 AND kappa >= 0 AND lambda > 0 AS fitted
  FROM loadtest_usl_fit('{1,2,3,1000000000}', '{1e-9,1e-9,1e-9,1e12}');
-- lower bounds other than 1 give the same fit as from 1
SELECT a.sigma = b.sigma AND a.kappa = b.kappa AND a.lambda = b.lambda
       AND a.r2 IS NOT DISTINCT FROM b.r2 AND a.note IS NOT DISTINCT FROM b.note AS same_fit,
       a.sigma IS NOT NULL AS fitted
  FROM loadtest_usl_fit('[0:3]={1,2,4,8}'::float8[], '[-5:-2]={100,180,300,400}'::float8[]) a,
       loadtest_usl_fit('{1,2,4,8}', '{100,180,300,400}') b;
SELECT * FROM loadtest.least_squares('{{1e308,1},{1,1}}', '{1,1}');
SELECT * FROM loadtest.least_squares('{{NaN,1},{1,1}}', '{1,1}');
SELECT * FROM loadtest.least_squares('{{1,1},{1,2}}', '{1,Infinity}');
SELECT * FROM loadtest.least_squares('{{1,1},{1,2}}', '{1,NULL}');
SELECT * FROM loadtest.least_squares('{1,2}', '{1,2}');
SELECT * FROM loadtest.least_squares('{{1,2,3,4,5}}', '{1}');
SELECT round(x::numeric, 9) AS x
  FROM unnest(loadtest.least_squares('[0:1][5:6]={{1,1},{1,2}}', '[3:4]={1,3}')) x;
SELECT loadtest.least_squares('{{1e-300,1},{1,1e-300}}', '{1e-300,1}') IS NOT NULL AS solved;

-- Attacker objects on the path: operators for the operand types that
-- pg_catalog has no exact operator for, an equality on the extension's
-- enum and on the types of the runs' names and numbers (text, jsonb,
-- smallint), overloads of the extension's functions and of pg_catalog's.
-- Each raises 'hijacked'.
CREATE SCHEMA evil;
DO $$
DECLARE
    t  text[] := ARRAY['smallint', 'integer', 'bigint', 'double precision', 'numeric'];
    op text;
    l  text;
    r  text;
    rt text;
    n  integer := 0;
BEGIN
    FOREACH op IN ARRAY ARRAY['+', '-', '*', '/', '<', '>', '<=', '>=', '=', '<>'] LOOP
        FOREACH l IN ARRAY t LOOP
            FOREACH r IN ARRAY t LOOP
                CONTINUE WHEN EXISTS (SELECT 1 FROM pg_operator o
                                       WHERE o.oprname = op AND o.oprleft = l::regtype
                                         AND o.oprright = r::regtype
                                         AND o.oprnamespace = 'pg_catalog'::regnamespace);
                rt := CASE WHEN op IN ('<', '>', '<=', '>=', '=', '<>') THEN 'boolean'
                           WHEN 'double precision' IN (l, r) THEN 'double precision'
                           WHEN 'numeric' IN (l, r) THEN 'numeric'
                           ELSE 'bigint' END;
                n := n + 1;
                EXECUTE format('CREATE FUNCTION evil.f%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L',
                               n, l, r, rt,
                               format('BEGIN RAISE EXCEPTION ''hijacked: %s(%s, %s)''; END', op, l, r));
                EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.f%s)',
                               op, l, r, n);
            END LOOP;
        END LOOP;
    END LOOP;
    FOREACH l IN ARRAY ARRAY['loadtest.run_status', 'text', 'jsonb', 'smallint'] LOOP
        FOREACH op IN ARRAY ARRAY['=', '<>'] LOOP
            n := n + 1;
            EXECUTE format('CREATE FUNCTION evil.f%s(%s, %s) RETURNS boolean LANGUAGE plpgsql AS %L',
                           n, l, l, format('BEGIN RAISE EXCEPTION ''hijacked: %s(%s)''; END', op, l));
            EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.f%s)',
                           op, l, l, n);
        END LOOP;
    END LOOP;
END
$$;
SELECT '>(double precision, integer)'::text AS operator,
       to_regoperator('evil.>(double precision, integer)') IS NOT NULL AS planted;
SELECT to_regoperator('evil.=(loadtest.run_status, loadtest.run_status)') IS NOT NULL AS planted_enum_eq;

CREATE FUNCTION evil.hijacked() RETURNS void LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION evil.loadtest_report(integer) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_report(integer)'; END$$;
CREATE FUNCTION evil.loadtest_capacity(double precision, integer, double precision, integer)
    RETURNS TABLE (capacity_users double precision, est_response_ms double precision, verdict text)
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_capacity'; END$$;
CREATE FUNCTION evil.loadtest_usl_fit(double precision[], double precision[]) RETURNS record
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_usl_fit'; END$$;
CREATE FUNCTION evil.loadtest_rate_response(double precision) RETURNS text
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_rate_response'; END$$;
CREATE FUNCTION evil.loadtest_mark_stale_runs() RETURNS integer
    LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: loadtest_mark_stale_runs'; END$$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: now'; END$$;
CREATE FUNCTION evil.to_char(double precision, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: to_char'; END$$;
CREATE FUNCTION evil.to_char(bigint, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: to_char'; END$$;
CREATE FUNCTION evil.format(text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format'; END$$;
CREATE FUNCTION evil.left(text, integer) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: left'; END$$;
CREATE FUNCTION evil.ln(double precision) RETURNS double precision LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: ln'; END$$;
CREATE FUNCTION evil.abs(double precision) RETURNS double precision LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: abs'; END$$;
CREATE FUNCTION evil.cardinality(anyarray) RETURNS integer LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: cardinality'; END$$;
CREATE FUNCTION evil.sqrt(double precision) RETURNS double precision LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: sqrt'; END$$;
CREATE FUNCTION evil.array_fill(double precision, integer[]) RETURNS double precision[] LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: array_fill'; END$$;
CREATE FUNCTION evil.min_sfunc(bigint, bigint) RETURNS bigint LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: min'; END$$;
CREATE AGGREGATE evil.min(bigint) (SFUNC = evil.min_sfunc, STYPE = bigint);
CREATE AGGREGATE evil.max(bigint) (SFUNC = evil.min_sfunc, STYPE = bigint);
CREATE FUNCTION evil.avg_sfunc(double precision, double precision) RETURNS double precision LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: avg'; END$$;
CREATE AGGREGATE evil.avg(double precision) (SFUNC = evil.avg_sfunc, STYPE = double precision);

SET search_path = evil, public, pg_catalog;
-- the extension's routines run with their own path: nothing is hijacked
SELECT r.run_id, position('LOAD TEST REPORT' in public.loadtest_report(r.run_id)) > 0 AS report_ok,
       (public.loadtest_report_json(r.run_id) ->> 'run_id') OPERATOR(pg_catalog.=) r.run_id::text AS json_ok
  FROM loadtest.runs r
 WHERE r.run_id BETWEEN 900000001 AND 900000099
 ORDER BY r.run_id;
SELECT count(*) AS summaries, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.run_summary x WHERE run_id BETWEEN 900000001 AND 900000099;
SELECT count(*) AS operation_rows FROM loadtest.operation_stats x
 WHERE run_id BETWEEN 900000001 AND 900000099 AND x::text IS NOT NULL;
SELECT count(*) AS user_rows FROM loadtest.user_stats x
 WHERE run_id BETWEEN 900000001 AND 900000099 AND x::text IS NOT NULL;
SELECT count(*) AS error_rows FROM loadtest.error_stats x
 WHERE run_id BETWEEN 900000001 AND 900000099 AND x::text IS NOT NULL;
SELECT verdict FROM public.loadtest_capacity(200::float8, 50, 500::float8, 4000);
SELECT round(sigma::numeric, 4) AS sigma FROM public.loadtest_usl_fit('{1,2,4,8}'::float8[], '{100,180,300,400}'::float8[]);
SELECT round(throughput::numeric, 2) AS throughput FROM public.loadtest_usl_predict(0.05::float8, 0.001::float8, 1000::float8, 64::float8, 0::float8);
SELECT public.loadtest_rate_response(100::float8) AS rating, public.loadtest_rate_success(99::float8) AS success,
       public.loadtest_rate_throughput(50::float8) AS throughput;
SELECT * FROM public.loadtest_capacity(run_ids => '{900000011,900000005,900000010}'::bigint[]);
SELECT public.loadtest_report(900000010::bigint, 1e300::float8) IS NOT NULL AS report_ok;
RESET search_path;

-- Views and SQL-standard bodies are bound when created: created again (as
-- ALTER EXTENSION UPDATE does) with the attacker's schema on the path, as
-- the extension's schema is then, they bind to none of its objects.
BEGIN;
SET LOCAL search_path = evil;
DO $$
DECLARE
    script text := pg_catalog.pg_read_file(
        (SELECT c.setting FROM pg_catalog.pg_config c WHERE c.name = 'SHAREDIR')
        || '/extension/loadtest--'
        || (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'loadtest')
        || '.sql');
    stmt   text;
    n      integer := 0;
BEGIN
    FOR stmt IN
        SELECT m[1]
          FROM pg_catalog.regexp_matches(script, '(CREATE OR REPLACE (?:VIEW|FUNCTION)[^;]*;)', 'g') AS m
         WHERE pg_catalog.strpos(m[1], '$') = 0 AND pg_catalog.strpos(m[1], 'MODULE_PATHNAME') = 0
    LOOP
        EXECUTE pg_catalog.replace(stmt, '@extschema@', 'public');
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RAISE NOTICE 'created again: % views and functions with SQL bodies', n;
END
$$;
-- (the check below sees a binding to the attacker's operator when there is one)
CREATE VIEW pg_temp.control AS SELECT 1::pg_catalog.float8 / 1000 AS x;
SELECT count(*) AS control_bound_to_evil
  FROM pg_catalog.pg_depend d
 WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
   AND d.objid = (SELECT r.oid FROM pg_catalog.pg_rewrite r
                   WHERE r.ev_class OPERATOR(pg_catalog.=) 'pg_temp.control'::pg_catalog.regclass)
   AND d.refobjid IN (SELECT o.oid FROM pg_catalog.pg_operator o
                       WHERE o.oprnamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace);
SELECT count(*) AS bound_to_evil
  FROM pg_catalog.pg_depend d
 WHERE d.refclassid IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_operator'::pg_catalog.regclass)
   AND (d.refobjid IN (SELECT o.oid FROM pg_catalog.pg_operator o
                        WHERE o.oprnamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace)
        OR d.refobjid IN (SELECT p.oid FROM pg_catalog.pg_proc p
                           WHERE p.pronamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace))
   AND d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
   AND d.objid NOT IN (SELECT p.oid FROM pg_catalog.pg_proc p
                        WHERE p.pronamespace OPERATOR(pg_catalog.=) 'evil'::pg_catalog.regnamespace);
ROLLBACK;

-- The summaries and the evidence of 1.4, planted by hand: a run whose
-- histograms have arrays of different lengths, NULL and empty arrays,
-- buckets out of range, counts negative, zero and near the bigint maximum,
-- sums NaN and infinite, seconds and stages of any sign; errors, waits,
-- counters, tables, memory and plans with hostile text and numbers.  The
-- report is still text (no timings printed: booleans and counts), and the
-- views return a row for each of their rows.
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms,
                           ramp_up_s, workers, seed, environment, role_name,
                           ended_at, duration_s, stages, wait_sample_interval_ms)
VALUES (900000100, 'completed', 3, 10, 'mixed', 0, 0, 3, 1, 'development', current_user,
        now(), 120, '[{"stage": 1, "kind": "users", "from": 1, "to": 2, "start_s": 0, "end_s": 60}]', 10);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT 900000100, (v.ord - 1)::smallint, o.operation, o.kind, o.statements, o.params, o.variants,
       o.builtin, o.owner, o.description
  FROM unnest(ARRAY['read_member_list', 'create_member']) WITH ORDINALITY AS v(operation, ord)
  JOIN loadtest.operations o USING (operation);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
VALUES (900000100, 2, repeat(E'op\n\t' || chr(27) || '[31m %s' || chr(127), 1000), 'read', '{}', '[]',
        NULL, false, 'postgres', NULL);
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, stage, second, ops, errors, retried_ops, retries,
        late_starts, first_start_us, last_end_us, latency_sum_us, latency_min_us,
        latency_max_us, latency_buckets, latency_counts, wait_sum_us, wait_max_us,
        wait_buckets, wait_counts, response_buckets, response_counts, active_users, commits, wal_bytes)
SELECT 900000100, sc.scope,
       CASE WHEN sc.scope <> 'second' THEN (ARRAY[0, 1, 2, 7, -32768, 32767, NULL])[n % 7 + 1]::smallint END,
       CASE WHEN sc.scope = 'stage' THEN (ARRAY[1, 2, 0, -1, 32767, NULL])[n % 6 + 1]::smallint END,
       CASE WHEN sc.scope = 'second' THEN (ARRAY[0, 1, 2, 59, 61, -1, 2147483647, -2147483648, NULL])[n % 9 + 1] END,
       (ARRAY[0, 1, -1, 10, 9223372036854775807, -9223372036854775808])[n % 6 + 1],
       (ARRAY[0, 1, -5, 9223372036854775807, 3])[n % 5 + 1],
       (ARRAY[0, -1, 9223372036854775807])[n % 3 + 1],
       (ARRAY[0, -1, 9223372036854775807, 2])[n % 4 + 1],
       (ARRAY[0, 1, -9223372036854775808])[n % 3 + 1],
       (ARRAY[0, -1, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 1000000, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 'NaN', 'Infinity', '-Infinity', 1e308, -1e308, 5e-324, 1000])[n % 8 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY[0, -9223372036854775808, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY['{}', '{0}', '{-1,5,2431}', '{2432,2147483647,-2147483648}', '{1,2,3}', '{NULL,1}',
              '{3,2,1}', '{5,5,5}'])[n % 8 + 1]::integer[],
       (ARRAY['{}', '{1,2}', '{9223372036854775807}', '{-1,-2,-3}', '{1,NULL,1}',
              '{9223372036854775807,9223372036854775807,9223372036854775807}', '{0,0,0}'])[n % 7 + 1]::bigint[],
       (ARRAY[0, 'NaN', '-Infinity', 1e308])[n % 4 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY['{}', '{0}', '{2431,2431}', '{-7}'])[n % 4 + 1]::integer[],
       (ARRAY['{}', '{-9223372036854775808}', '{1,1}', '{0}', '{5}'])[n % 5 + 1]::bigint[],
       (ARRAY['{2431}', '{}', '{0,-3,99999}', '{NULL}', '{7,6}', '{1,2,3,4,5,6}'])[n % 6 + 1]::integer[],
       (ARRAY['{9223372036854775807}', '{1}', '{}', '{-1,-1}', '{0,0}', '{NULL,5}', '{3}'])[n % 7 + 1]::bigint[],
       (ARRAY[0, -1, 2147483647, NULL])[n % 4 + 1],
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY[0, -1, 'NaN', 1e300, NULL])[n % 5 + 1]::numeric
  FROM (VALUES ('operation'), ('stage'), ('second')) sc(scope), generate_series(1, 120) n;
INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
VALUES (900000100, 0, '40P01', 'deadlock detected', 9223372036854775807),
       (900000100, 0, '40P01', 'deadlock detected', 9223372036854775807),
       (900000100, 1, '', NULL, -1),
       (900000100, 2, repeat('9', 10000), repeat(E'boom\n\t' || chr(27) || '[31m %s', 3000), 0),
       (900000100, -32768, E'\r\n', '', -9223372036854775808),
       (900000100, 32767, '23505', chr(128512), 5);
INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type, wait_event, samples, share_pct)
VALUES (900000100, 'read_member_list', 'CPU', 'CPU', 9223372036854775807, 'NaN'),
       (900000100, 'read_member_list', 'Lock', 'tuple', 9223372036854775807, 'Infinity'),
       (900000100, 'create_member', 'LWLock', 'WALWrite', -1, -1),
       (900000100, 'create_member', 'IO', 'WALSync', 0, 1e308),
       (900000100, repeat(E'op\n' || chr(27), 3000), repeat(E'\t', 1000), repeat('%s', 1000), 5, '-Infinity'),
       (900000100, '', '', '', 1, 50),
       (900000100, 'no such operation', 'CPU', 'CPU', 3, 100);
INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)
SELECT 900000100, 'pg_stat_database', s, (ARRAY['NaN', '0', '-1', '1e300', '-1e300', '9223372036854775808'])[o % 6 + 1]::numeric
  FROM unnest(ARRAY['xact_commit', 'xact_rollback', 'blks_read', 'blks_hit', 'tup_returned', 'tup_fetched',
                    'temp_files', 'temp_bytes', 'deadlocks', 'conflicts', 'checkpoints_timed', 'checkpoints_req',
                    'buffers_checkpoint', 'buffers_backend', 'wal_records', 'wal_fpi', 'wal_bytes',
                    'wal_buffers_full', 'wal_write', 'wal_sync', 'wal_write_time', 'wal_sync_time',
                    E'no\nsuch ' || chr(27) || ' stat', '']) WITH ORDINALITY AS t(s, o);
INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch,
                                      n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_dead_tup,
                                      heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit,
                                      vacuum_count, autovacuum_count, analyze_count, autoanalyze_count)
VALUES (900000100, 'membership.members', 9223372036854775807, 9223372036854775807, -1, NULL, 0, 0, 0, 0,
        -9223372036854775808, 9223372036854775807, 9223372036854775807, NULL, NULL, -1, -1, -1, -1),
       (900000100, repeat(E'tab\n' || chr(27) || '%s', 3000), 5, 1000000, 0, 0, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
       (900000100, '', -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5);
INSERT INTO loadtest.run_memory (run_id, worker_no, at_s, ops, bytes)
SELECT 900000100, w, (ARRAY[0, 'NaN', 'Infinity', '-Infinity', -1, 1e308, 5, 5])[n % 8 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, 1000])[n % 4 + 1],
       (ARRAY[0, -1, 9223372036854775807, -9223372036854775808, 1048576])[n % 5 + 1]
  FROM unnest(ARRAY[-2147483648, 0, 1, 2, 2147483647]) w, generate_series(1, 12) n;
INSERT INTO loadtest.run_memory (run_id, worker_no, at_s, ops, bytes)
SELECT 900000100, w, n * 5, n * 1000, 1048576 + n * (w % 3) * 65536
  FROM generate_series(3, 40) w, generate_series(0, 12) n;
INSERT INTO loadtest.run_plans (run_id, operation, variant_no, statement_no, plan, generic_plan, error, changed)
VALUES (900000100, 'read_member_list', 1, 1, '[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "members", "Schema": "membership"}}]',
        '[{"Plan": {"Node Type": "Index Scan", "Index Name": "members_pkey", "Plans": [1, "a", null, {"Node Type": []}]}}]', NULL, true),
       (900000100, 'read_member_list', 1, 2, '"a string"', '{"Plan": 5}', NULL, true),
       (900000100, 'read_member_list', -32768, 32767, 'null', '[]', repeat(E'err\n\t' || chr(27) || '[31m', 3000), true),
       (900000100, repeat(E'op\n' || chr(27) || '%s', 3000), 32767, -32768,
        (SELECT jsonb_build_array(jsonb_build_object('Plan', jsonb_build_object('Node Type', repeat(E'N\n', 5000),
                 'Plans', (SELECT jsonb_agg(jsonb_build_object('Node Type', g::text)) FROM generate_series(1, 2000) g))))),
        NULL, NULL, true),
       (900000100, '', 0, 0, NULL, NULL, NULL, false),
       (900000100, 'create_member', 1, 1, '[{"Plan": {"Node Type": "Insert", "Plans": [{"Plans": [{"Plans": [{"Node Type": "Result"}]}]}]}}]',
        '[{"Plan": {"Node Type": "Insert", "Relation Name": "members", "Schema": "membership"}}]', NULL, false);

SELECT t.report IS NOT NULL AS is_text,
       position(chr(27) in t.report) = 0 AS no_escapes,
       position(E'\r' in t.report) = 0 AS no_carriage_returns,
       (SELECT max(length(l)) < 1000 FROM regexp_split_to_table(t.report, E'\n') l) AS lines_bounded,
       (SELECT count(*) < 1000 FROM regexp_split_to_table(t.report, E'\n') l) AS report_bounded,
       (SELECT bool_and(position(s in t.report) > 0)
          FROM unnest(ARRAY[E'\nWhere the time went:\n', E'\nWhat the database did:\n',
                            E'\nOver time:\n', E'\nPlans:\n']) s) AS evidence_sections
  FROM (SELECT loadtest_report(900000100) AS report) t;
-- the JSON form: every section's figures, the evidence's as many as the
-- tables' rows
SELECT jsonb_typeof(j) AS json,
       (SELECT bool_and(j ? s.json_key) FROM loadtest.report_sections() s) AS every_section,
       jsonb_array_length(j -> 'where_time_went' -> 'events')
           = (SELECT count(*) FROM loadtest.wait_profile WHERE run_id = 900000100) AS every_wait,
       (SELECT count(*) FROM jsonb_object_keys(j -> 'database' -> 'counters'))
           = (SELECT count(*) FROM loadtest.run_db_stats WHERE run_id = 900000100) AS every_counter,
       jsonb_array_length(j -> 'database' -> 'tables')
           = (SELECT count(*) FROM loadtest.run_table_stats WHERE run_id = 900000100) AS every_table,
       jsonb_array_length(j -> 'plans') = (SELECT count(*) FROM loadtest.run_plans WHERE run_id = 900000100) AS every_plan,
       (j -> 'over_time' ->> 'seconds_total')::bigint
           = (SELECT count(*) FROM loadtest.run_timeline WHERE run_id = 900000100) AS every_second,
       jsonb_array_length(j -> 'stages') AS stages,
       jsonb_array_length(j -> 'errors') AS error_rows,
       jsonb_array_length(j -> 'defined_operations') AS defined_operations
  FROM (SELECT loadtest_report_json(900000100) AS j) x;
SELECT x::text IS NOT NULL AS row_ok FROM loadtest.run_summary x WHERE run_id = 900000100;
SELECT count(*) > 0 AS has_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.operation_stats x WHERE run_id = 900000100;
SELECT count(*) > 0 AS has_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.error_stats x WHERE run_id = 900000100;
SELECT count(*) > 0 AS has_rows, bool_and(x::text IS NOT NULL) AS rows_ok
  FROM loadtest.run_timeline x WHERE run_id = 900000100;
-- the shapes of planted plans: computed, or NULL for what is not a plan
SELECT count(*) AS plans, count(loadtest.plan_shape(plan)) AS shaped,
       count(loadtest.plan_shape(generic_plan)) AS generic_shaped
  FROM loadtest.run_plans WHERE run_id = 900000100;
SELECT loadtest.plan_shape(j) IS NULL AS no_shape
  FROM unnest(ARRAY['null', '5', '"x"', '[]', '{}', '[1]', '[{"Plan": 5}]', '{"Plan": {}}']::jsonb[]) j;
DELETE FROM loadtest.runs WHERE run_id = 900000100;
SELECT (SELECT count(*) FROM loadtest.run_histograms WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.run_errors WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.wait_profile WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.run_db_stats WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.run_table_stats WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.run_memory WHERE run_id = 900000100)
       + (SELECT count(*) FROM loadtest.run_plans WHERE run_id = 900000100) AS evidence_left;

-- Clean up: the attacker's schema and the runs (their samples, users,
-- operations and patterns go with them).
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
DELETE FROM loadtest.runs WHERE run_id BETWEEN 900000001 AND 900000099;
SELECT (SELECT count(*) FROM loadtest.sample_log WHERE run_id BETWEEN 900000001 AND 900000099) AS samples_left,
       (SELECT count(*) FROM loadtest.run_operations WHERE run_id BETWEEN 900000001 AND 900000099) AS operations_left,
       (SELECT count(*) FROM loadtest.run_patterns WHERE run_id BETWEEN 900000001 AND 900000099) AS patterns_left,
       (SELECT count(*) FROM loadtest.run_users WHERE run_id BETWEEN 900000001 AND 900000099) AS users_left;
RESET lc_numeric;
RESET extra_float_digits;
