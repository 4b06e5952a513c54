-- loadtest 1.3 -> 1.4: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), then
-- 1.3--1.4-after.sql, so that the upgraded extension gets exactly the
-- definitions of a fresh install.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.4'" to load this file. \quit
