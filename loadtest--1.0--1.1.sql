-- loadtest 1.0 -> 1.1
--
-- Recording no longer pays a B-tree insertion per sample: loadtest.samples
-- loses its primary key and gets a BRIN index on run_id (see
-- src/sql/10_schema.sql).  Existing samples are kept.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.1'" to load this file. \quit

ALTER TABLE loadtest.samples DROP CONSTRAINT samples_pkey;
CREATE INDEX samples_run_id_brin ON loadtest.samples USING brin (run_id)
    WITH (autosummarize = on);
