-- loadtest 1.6: the triggers that keep the result tables consistent.  No
-- sample outlives its run: loadtest.sample_log has no foreign key to
-- loadtest.runs (checking one per recorded sample cost more than the rest
-- of recording), so these delete or truncate a run's samples with it.
-- (run_users, run_operations, run_patterns and the evidence of 1.4 --
-- run_histograms, run_errors, wait_profile, run_db_stats, run_table_stats,
-- run_memory, run_plans -- have foreign keys ON DELETE CASCADE: a DELETE
-- cascades to them, a TRUNCATE of runs fails unless it has CASCADE or
-- names them all, so that none outlives its run either.)
-- Replaceable (CREATE OR REPLACE): upgrades replay this file.

-- A run's samples go with it (as ON DELETE CASCADE would).  Only the
-- results' owner deletes runs (loadtest_delete_runs() does it on a role's
-- behalf), so it runs with the deleting role's rights.  It cannot be used
-- for anything else: EXECUTE is revoked from PUBLIC (CREATE TRIGGER needs
-- it), it refuses to run for any other table or event, and deletes only
-- the samples of the runs the statement deleted (the transition table
-- shadows any relation of that name).
CREATE OR REPLACE FUNCTION loadtest.delete_samples_of_deleted_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'DELETE'
       OR TG_LEVEL OPERATOR(pg_catalog.<>) 'STATEMENT'
       OR TG_WHEN OPERATOR(pg_catalog.<>) 'AFTER' THEN
        RAISE EXCEPTION 'loadtest.delete_samples_of_deleted_runs() is the trigger of DELETE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM loadtest.sample_log s USING deleted_runs d
     WHERE s.run_id OPERATOR(pg_catalog.=) d.run_id;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.delete_samples_of_deleted_runs() FROM PUBLIC;

CREATE OR REPLACE TRIGGER delete_samples AFTER DELETE ON loadtest.runs
    REFERENCING OLD TABLE AS deleted_runs
    FOR EACH STATEMENT EXECUTE FUNCTION loadtest.delete_samples_of_deleted_runs();

-- TRUNCATE loadtest.runs (its owner's) takes the samples with it: no
-- sample outlives its run.  Run ids come from run_id_seq, which TRUNCATE
-- does not reset, so an id is never given out twice.  Runs with the
-- truncating role's rights (TRUNCATE on sample_log).
CREATE OR REPLACE FUNCTION loadtest.truncate_samples_of_truncated_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'TRUNCATE' THEN
        RAISE EXCEPTION 'loadtest.truncate_samples_of_truncated_runs() is the trigger of TRUNCATE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    BEGIN
        TRUNCATE loadtest.sample_log;
    EXCEPTION WHEN object_in_use THEN
        -- the same statement truncates sample_log too (TRUNCATE runs,
        -- sample_log), or a cursor of this session reads it: delete
        -- instead (nothing is left to delete in the first case)
        DELETE FROM loadtest.sample_log;
    END;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.truncate_samples_of_truncated_runs() FROM PUBLIC;

CREATE OR REPLACE TRIGGER truncate_samples AFTER TRUNCATE ON loadtest.runs
    FOR EACH STATEMENT EXECUTE FUNCTION loadtest.truncate_samples_of_truncated_runs();

