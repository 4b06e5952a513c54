-- loadtest 1.6: trust.  What may change the result tables, and how: the
-- runs that can no longer end, and the grants of the operator role.

-- ---------------------------------------------------------------------------
-- Stale runs
-- ---------------------------------------------------------------------------

-- SECURITY DEFINER: only the results' owner may change a run's row.  It
-- can do nothing but its purpose: mark as aborted the runs that can no
-- longer end (of any role: a run whose processes are gone is over for
-- everyone), with fixed statements on qualified objects.
CREATE OR REPLACE FUNCTION loadtest_mark_stale_runs()
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_restart integer;
    n_gone    integer := 0;
BEGIN
    -- Rows another transaction holds are skipped (SKIP LOCKED): a caller
    -- that keeps its transaction open after marking must not block every
    -- other role's report, wait or cancel on the rows it marked.
    UPDATE loadtest.runs
       SET status = 'aborted',
           message = 'the server restarted during the run',
           segment_handle = NULL
     WHERE run_id IN (SELECT s.run_id FROM loadtest.runs s
                       WHERE s.status = 'running'
                         AND s.started_at < pg_catalog.pg_postmaster_start_time()
                         FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS n_restart = ROW_COUNT;

    IF EXISTS (SELECT 1 FROM loadtest.runs
                WHERE status = 'running' AND recorder_pid IS NOT NULL) THEN
        -- pg_stat_activity is a per-transaction snapshot: a recorder started
        -- after this transaction first looked at it would seem to be gone.
        PERFORM pg_catalog.pg_stat_clear_snapshot();
        UPDATE loadtest.runs
           SET status = 'aborted',
               message = 'the run''s recorder process is gone',
               segment_handle = NULL
         WHERE run_id IN (SELECT s.run_id FROM loadtest.runs s
                           WHERE s.status = 'running'
                             AND s.recorder_pid IS NOT NULL
                             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                                              WHERE a.pid = s.recorder_pid)
                             FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS n_gone = ROW_COUNT;
    END IF;

    RETURN n_restart + n_gone;
END
$$;

COMMENT ON FUNCTION loadtest_mark_stale_runs() IS
'loadtest: marks as aborted the runs still ''running'' that started before the server did or whose recorder process is gone; returns how many it marked';


-- ---------------------------------------------------------------------------
-- Deleting runs
-- ---------------------------------------------------------------------------

-- The results' owner deletes the caller's runs among run_ids (any of them
-- for a superuser), with their samples and users; a run still going on is
-- refused.  Roles get no DELETE on loadtest.runs: in PostgreSQL 15 it would
-- also let them LOCK the table against every other role (see
-- src/delete_runs.c).
CREATE OR REPLACE FUNCTION loadtest_delete_runs(run_ids bigint[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'loadtest_delete_runs'
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_delete_runs(bigint[]) IS
'loadtest: deletes the caller''s runs among run_ids (a superuser''s: any), with their samples and users; returns how many';

REVOKE EXECUTE ON FUNCTION loadtest_delete_runs(bigint[]) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Operators: the roles that may start runs
-- ---------------------------------------------------------------------------

-- What an operator is granted, in one place: loadtest_grant_operator() and
-- loadtest_revoke_operator() read it, and docs/reference.md shows it.
-- Reading results needs nothing more (PUBLIC may read, row-level security
-- shows each role its own runs); writing them is the extension's alone.
CREATE OR REPLACE FUNCTION loadtest.operator_privileges(
    OUT privilege text, OUT object_type text, OUT object_name text, OUT why text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
VALUES
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)',
     'start runs'),
    ('EXECUTE', 'PROCEDURE', '@extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text, bigint)',
     'start long runs'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_start(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)',
     'start runs in the background'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_scenario(text, boolean, text, integer, integer, text, integer, double precision, integer, interval, double precision, jsonb)',
     'start the named scenarios'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_capacity(integer[], integer, text, integer, bigint[], integer, double precision)',
     'run the capacity model''s series of runs'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_delete_runs(bigint[])',
     'delete its own runs, and their samples with them'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)',
     'define (and redefine) its own operations'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_define_pattern(text, jsonb, jsonb, text, boolean)',
     'define (and redefine) its own patterns'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_drop_operation(text)',
     'drop its own operations'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_drop_pattern(text)',
     'drop its own patterns'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_preview_generator(jsonb, integer, bigint)',
     'preview the values of a generator (its tables read as the role)'),
    ('USAGE', 'SCHEMA', 'membership',
     'the simulated users work on the membership tables as the role'),
    ('SELECT, INSERT, UPDATE', 'ALL TABLES IN SCHEMA', 'membership',
     'what the operations read and write'),
    ('USAGE', 'ALL SEQUENCES IN SCHEMA', 'membership',
     'the ids of the rows the operations insert')
$$;

COMMENT ON FUNCTION loadtest.operator_privileges() IS
'loadtest: what loadtest_grant_operator() grants and loadtest_revoke_operator() revokes';

-- Run the GRANT (or REVOKE) statements of loadtest.operator_privileges()
-- for a role (internal), with the rights of its caller.
CREATE OR REPLACE FUNCTION loadtest.apply_operator_privileges(role regrole, revoke boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM loadtest.operator_privileges() LOOP
        EXECUTE pg_catalog.format(CASE WHEN revoke THEN 'REVOKE %s ON %s %s FROM %s'
                                       ELSE 'GRANT %s ON %s %s TO %s' END,
                                  p.privilege, p.object_type, p.object_name, role);
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.apply_operator_privileges(regrole, boolean) IS
'loadtest (internal): grants (or revokes) loadtest.operator_privileges() to (from) a role, with the caller''s rights';

-- Grant a role what it needs to start runs, and nothing more.  Runs with
-- the caller's rights: only a role that may grant these (the extension's
-- owner, a superuser) can.
CREATE OR REPLACE FUNCTION loadtest_grant_operator(role regrole)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
RETURN loadtest.apply_operator_privileges(role, false);

COMMENT ON FUNCTION loadtest_grant_operator(regrole) IS
'loadtest: grants a role what it needs to start runs (see loadtest.operator_privileges())';

CREATE OR REPLACE FUNCTION loadtest_revoke_operator(role regrole)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
RETURN loadtest.apply_operator_privileges(role, true);

COMMENT ON FUNCTION loadtest_revoke_operator(regrole) IS
'loadtest: revokes from a role what loadtest_grant_operator() granted';

REVOKE EXECUTE ON FUNCTION loadtest_grant_operator(regrole) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_revoke_operator(regrole) FROM PUBLIC;
