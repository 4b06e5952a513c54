-- loadtest 1.3 -> 1.4, after the replayed parts of src/sql: what needs the
-- functions and views they define.

-- The runs recorded before 1.4 get the summaries that the views and the
-- report read, built from their samples (all of them: 1.3 kept every
-- attempt, but with loadtest.record_samples = off, which kept none and so
-- has nothing to summarize; the runs of one operation at 1.2 and before
-- too), so that their figures are those of 1.3 (percentiles within the
-- histograms' 0.78%).
SELECT loadtest.summarize_samples(r.run_id)
  FROM loadtest.runs r
 WHERE r.samples OPERATOR(pg_catalog.=) 'all'
 ORDER BY r.run_id;

-- The roles that could start runs, long runs or scenarios at 1.3 may start
-- them with the new arguments (the list of 1.3--1.4.sql).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT e ->> 'routine' AS routine, (e ->> 'grantee')::pg_catalog.oid AS grantee,
               (e ->> 'grantable')::boolean AS grantable
          FROM pg_catalog.jsonb_array_elements(
                   coalesce(nullif(pg_catalog.current_setting('loadtest_upgrade_1_4.executors', true), ''),
                            '[]')::jsonb) e
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON %s TO %s%s',
                                  CASE g.routine
                                       WHEN 'loadtest_run' THEN 'FUNCTION @extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)'
                                       WHEN 'loadtest_run_procedure' THEN 'PROCEDURE @extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text, bigint)'
                                       ELSE 'FUNCTION @extschema@.loadtest_scenario(text, boolean, text)' END,
                                  CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE g.grantee::pg_catalog.regrole::pg_catalog.text END,
                                  CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    PERFORM pg_catalog.set_config('loadtest_upgrade_1_4.executors', '', true);
END
$$;
