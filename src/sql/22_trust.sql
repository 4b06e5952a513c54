-- loadtest 1.2: trust.  What may change the result tables, and how: the
-- runs that can no longer end, and the grants of the operator role.

-- ---------------------------------------------------------------------------
-- Stale runs
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_mark_stale_runs()
RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    n_restart integer;
    n_gone    integer := 0;
BEGIN
    UPDATE loadtest.runs
       SET status = 'aborted',
           message = 'the server restarted during the run'
     WHERE status = 'running'
       AND started_at < pg_catalog.pg_postmaster_start_time();
    GET DIAGNOSTICS n_restart = ROW_COUNT;

    IF EXISTS (SELECT 1 FROM loadtest.runs
                WHERE status = 'running' AND recorder_pid IS NOT NULL) THEN
        -- pg_stat_activity is a per-transaction snapshot: a recorder started
        -- after this transaction first looked at it would seem to be gone.
        PERFORM pg_catalog.pg_stat_clear_snapshot();
        UPDATE loadtest.runs
           SET status = 'aborted',
               message = 'the run''s recorder process is gone'
         WHERE status = 'running'
           AND recorder_pid IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                            WHERE a.pid = runs.recorder_pid);
        GET DIAGNOSTICS n_gone = ROW_COUNT;
    END IF;

    RETURN n_restart + n_gone;
END
$$;

COMMENT ON FUNCTION loadtest_mark_stale_runs() IS
'loadtest: marks as aborted the runs still ''running'' that started before the server did or whose recorder process is gone; returns how many it marked';

