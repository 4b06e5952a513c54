-- loadtest 1.1 -> 1.2: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), so that the
-- upgraded extension gets exactly the definitions of a fresh install.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.2'" to load this file. \quit

ALTER TABLE loadtest.runs
    ALTER COLUMN role_name DROP DEFAULT,
    ADD COLUMN arrivals_dropped bigint NOT NULL DEFAULT 0,
    ADD COLUMN samples_lost bigint NOT NULL DEFAULT 0;
