-- loadtest 1.5 -> 1.6: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), then
-- 1.5--1.6-after.sql, so that the upgraded extension gets exactly the
-- definitions of a fresh install.
--
-- 1.6 fits the day (issue #12): runs in the background (loadtest_start,
-- loadtest_wait, loadtest_cancel) with a live progress view, the
-- pg_loadtest client, the HTML report, scenarios with overrides.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.6'" to load this file. \quit

-- The handle of a running run's shared memory, which loadtest.progress and
-- loadtest_cancel() attach; NULL once the run is over, and for the runs
-- recorded before 1.6.
ALTER TABLE loadtest.runs ADD COLUMN segment_handle bigint;

-- loadtest_scenario() takes overrides (the replayed 20_run.sql creates it
-- again); nothing depends on it.  The roles that may run it keep that
-- right: 1.5--1.6-after.sql grants the new one to them (kept until then in
-- a setting of this transaction).
SELECT pg_catalog.set_config('loadtest_upgrade.scenario_grantees',
       coalesce((SELECT pg_catalog.string_agg(a.grantee::pg_catalog.text, ',')
                   FROM pg_catalog.pg_proc p,
                        LATERAL pg_catalog.aclexplode(p.proacl) a
                  WHERE p.oid = '@extschema@.loadtest_scenario(text, boolean, text)'::pg_catalog.regprocedure
                    AND a.privilege_type = 'EXECUTE'
                    AND a.grantee <> 0
                    AND a.grantee <> p.proowner), ''),
       true);
DROP FUNCTION @extschema@.loadtest_scenario(text, boolean, text);

-- loadtest.verdict_limits() returns one more threshold (retry_tries); the
-- replayed 55_verdict.sql creates it again.  Nothing depends on it (the
-- functions that read it have string bodies).
DROP FUNCTION loadtest.verdict_limits();
