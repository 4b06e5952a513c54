-- loadtest 1.2 -> 1.3, after the replayed parts of src/sql: what needs the
-- functions, views and built-in rows they define.

-- The runs recorded before 1.3 ran the 13 built-in operations, numbered
-- as 1.2's enum loadtest.operation ordered them (0 read_member_list ... 12
-- read_file_metadata), and the patterns of the enum loadtest.pattern
-- (read_heavy 0, write_heavy 1, mixed 2, file_operations 3,
-- single_operation 4) that their users or samples had.  A single_operation
-- pattern has the run's one operation (runs.pattern names it) as weights.
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements,
                                     params, variants, builtin, owner, description)
SELECT r.run_id, (e.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2, o.operation, o.kind,
       o.statements, o.params, o.variants, o.builtin, o.owner, o.description
  FROM loadtest.runs r
 CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.operation)::pg_catalog.text[])
       WITH ORDINALITY AS e(label, n)
  JOIN loadtest.operations o ON o.operation OPERATOR(pg_catalog.=) e.label;

WITH run_user_patterns AS (
    SELECT u.run_id, u.pattern, pg_catalog.count(*) AS users,
           pg_catalog.min(u.operation) AS operation
      FROM loadtest.run_users u
     GROUP BY u.run_id, u.pattern
), sample_patterns AS MATERIALIZED (
    SELECT DISTINCT s.run_id, s.pattern::pg_catalog.text AS pattern
      FROM loadtest.samples_1_2 s
)
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT r.run_id, (e.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2, e.label,
       CASE WHEN e.label OPERATOR(pg_catalog.=) 'single_operation'
            THEN pg_catalog.jsonb_build_object(coalesce(u.operation, r.pattern), 1)
            ELSE coalesce(p.weights, '{}'::pg_catalog.jsonb) END,
       coalesce(u.users, 0)::pg_catalog.int4
  FROM loadtest.runs r
 CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.pattern)::pg_catalog.text[])
       WITH ORDINALITY AS e(label, n)
  LEFT JOIN loadtest.patterns p ON p.pattern OPERATOR(pg_catalog.=) e.label
  LEFT JOIN run_user_patterns u
         ON u.run_id OPERATOR(pg_catalog.=) r.run_id AND u.pattern OPERATOR(pg_catalog.=) e.label
 WHERE u.run_id IS NOT NULL
    OR EXISTS (SELECT 1 FROM sample_patterns sp
                WHERE sp.run_id OPERATOR(pg_catalog.=) r.run_id
                  AND sp.pattern OPERATOR(pg_catalog.=) e.label);

-- The samples, in the order they were written (the BRIN index on run_id
-- relies on it), with their pattern and operation as the numbers above
-- (samples of a run that no longer exists keep numbers without names).
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, start_us, latency_us, wait_us,
                                 pattern_no, operation_no, tries, success, sqlstate, message)
SELECT s.run_id, s.user_no, s.op_no, s.start_us, s.latency_us, s.wait_us,
       (pe.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2,
       (oe.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2,
       s.tries, s.success, s.sqlstate, s.message
  FROM loadtest.samples_1_2 s
  JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.pattern))
       WITH ORDINALITY AS pe(label, n) ON pe.label OPERATOR(pg_catalog.=) s.pattern
  JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.operation))
       WITH ORDINALITY AS oe(label, n) ON oe.label OPERATOR(pg_catalog.=) s.operation;

-- 1.2's samples table and enums are gone (ALTER EXTENSION ... DROP first:
-- it takes the table out of the tables pg_dump dumps).
ALTER EXTENSION loadtest DROP TABLE loadtest.samples_1_2;
DROP TABLE loadtest.samples_1_2;
DROP TYPE loadtest.operation;
DROP TYPE loadtest.pattern;

-- The roles that could start runs at 1.2 (loadtest_grant_operator) may
-- define and drop their own operations and patterns, as the operators of
-- 1.3 may (see loadtest.operator_privileges()).
DO $$
DECLARE
    g record;
    f text;
BEGIN
    FOR g IN
        SELECT DISTINCT a.grantee::pg_catalog.regrole AS grantee
          FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)'::pg_catalog.regprocedure
           AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
           AND a.grantee OPERATOR(pg_catalog.<>) 0
    LOOP
        FOREACH f IN ARRAY ARRAY['@extschema@.loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)',
                                 '@extschema@.loadtest_define_pattern(text, jsonb, jsonb, text, boolean)',
                                 '@extschema@.loadtest_drop_operation(text)',
                                 '@extschema@.loadtest_drop_pattern(text)',
                                 '@extschema@.loadtest_preview_generator(jsonb, integer, bigint)'] LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', f, g.grantee);
        END LOOP;
    END LOOP;
END
$$;
