-- loadtest 1.3 -> 1.4: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), then
-- 1.3--1.4-after.sql, so that the upgraded extension gets exactly the
-- definitions of a fresh install.
--
-- 1.4 keeps the evidence of each run, bounded in size (issue #10): the
-- summaries of its attempts (histograms per operation, stage and second,
-- errors by operation and SQLSTATE, each user's figures), whatever
-- samples => ... keeps in sample_log; the wait events of its operations;
-- what the database did; its workers' memory; its plans.  The runs
-- recorded before 1.4 get their summaries from their samples in
-- 1.3--1.4-after.sql, once the replayed parts have created
-- loadtest.summarize_samples().

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.4'" to load this file. \quit

-- loadtest_run(), loadtest_run_procedure() and loadtest_scenario() take
-- samples => ... (the replayed 20_run.sql creates them again): the roles
-- that could run them keep that right (1.3--1.4-after.sql grants it
-- again, from the list kept here for the transaction).  Nothing else
-- depends on them (views do not call them; plpgsql calls them by name).
DO $$
DECLARE
    kept jsonb;
BEGIN
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'routine', x.routine, 'grantee', x.grantee::pg_catalog.oid,
                        'grantable', x.is_grantable)), '[]'::jsonb)
      INTO kept
      FROM (SELECT DISTINCT
                   CASE p.proname
                        WHEN 'loadtest_run' THEN 'loadtest_run'
                        WHEN 'loadtest_run_procedure' THEN 'loadtest_run_procedure'
                        ELSE 'loadtest_scenario' END AS routine,
                   a.grantee, a.is_grantable
              FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
             WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
                       '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)'::pg_catalog.regprocedure,
                       '@extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, bigint)'::pg_catalog.regprocedure,
                       '@extschema@.loadtest_scenario(text, boolean)'::pg_catalog.regprocedure]::pg_catalog.oid[])
               AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
               AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE') x;
    PERFORM pg_catalog.set_config('loadtest_upgrade_1_4.executors', kept::pg_catalog.text, true);
END
$$;

DROP FUNCTION @extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean,
                                       integer, interval, double precision, jsonb);
DROP PROCEDURE @extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean,
                                                  integer, interval, double precision, jsonb, bigint);
DROP FUNCTION @extschema@.loadtest_scenario(text, boolean);

-- runs: what samples => ... kept, and the wait sampling interval.  The
-- runs of 1.3 kept every sample, but for those recorded with
-- loadtest.record_samples = off, which kept none.
ALTER TABLE loadtest.runs
    ADD COLUMN samples text NOT NULL DEFAULT 'all',
    ADD COLUMN wait_sample_interval_ms integer;
UPDATE loadtest.runs SET samples = 'none' WHERE NOT samples_recorded;

-- run_users: each user's failures and latencies (the summaries)
ALTER TABLE loadtest.run_users
    ADD COLUMN errors bigint,
    ADD COLUMN latency_sum_us double precision,
    ADD COLUMN latency_p95_us double precision;

-- The evidence of a run: its tables come next, from
-- src/sql/11_evidence_tables.sql (see the Makefile), as a fresh install
-- creates them.
