-- loadtest 1.0 -> 1.1
--
-- Recording no longer pays a B-tree insertion per sample: loadtest.samples
-- loses its primary key and gets a BRIN index on run_id (see
-- src/sql/10_schema.sql).  Existing samples are kept.
--
-- New: loadtest_run_procedure(), loadtest_run() as a procedure that commits
-- once the run has started (see src/sql/20_run.sql).

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.1'" to load this file. \quit

ALTER TABLE loadtest.samples DROP CONSTRAINT samples_pkey;
CREATE INDEX samples_run_id_brin ON loadtest.samples USING brin (run_id)
    WITH (autosummarize = on);

-- loadtest_run() for long runs: CALLed on its own (not inside a transaction
-- block), it commits its transaction once the run has started, so that the
-- session holds no snapshot, and so no xmin horizon, while it waits.
CREATE PROCEDURE loadtest_run_procedure(
    users integer DEFAULT 50,
    ops integer DEFAULT 50,
    pattern text DEFAULT 'distributed',
    think_time_ms integer DEFAULT 100,
    ramp_up_s double precision DEFAULT 10,
    force boolean DEFAULT false,
    pool_size integer DEFAULT NULL,
    duration interval DEFAULT NULL,
    rate double precision DEFAULT NULL,
    stages jsonb DEFAULT NULL,
    INOUT run_id bigint DEFAULT NULL)
AS 'MODULE_PATHNAME', 'loadtest_run_procedure'
LANGUAGE C;

COMMENT ON PROCEDURE loadtest_run_procedure IS
'loadtest_run() as a procedure: commits once the run has started, so that the session holds no snapshot during the run; returns the run id in run_id';

REVOKE EXECUTE ON PROCEDURE loadtest_run_procedure FROM PUBLIC;
