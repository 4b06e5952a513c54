-- loadtest 1.4 -> 1.5: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), then
-- 1.4--1.5-after.sql, so that the upgraded extension gets exactly the
-- definitions of a fresh install.
--
-- 1.5 answers the question (issue #11): the verdict for a number of users
-- from the runs' evidence, the recommendations, runs compared, CI gates
-- and the report as JSON.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.5'" to load this file. \quit

-- The size of each table a run used, at its end (the data size that makes
-- runs comparable, and the working set against the cache); NULL for the
-- runs recorded before 1.5.
ALTER TABLE loadtest.run_table_stats ADD COLUMN total_bytes bigint;

-- loadtest_report() takes target_users (the replayed 40_report.sql
-- creates it again); nothing depends on it.
DROP FUNCTION @extschema@.loadtest_report(bigint, double precision);
