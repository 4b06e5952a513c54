-- loadtest 1.1 -> 1.2: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), so that the
-- upgraded extension gets exactly the definitions of a fresh install.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.2'" to load this file. \quit

ALTER TABLE loadtest.runs
    ADD COLUMN arrivals_dropped bigint NOT NULL DEFAULT 0,
    ADD COLUMN samples_lost bigint NOT NULL DEFAULT 0;

-- Results are written by the extension alone (see src/sql/10_schema.sql).
-- The trigger that deletes a run's samples refuses any other table, and
-- runs with the deleting role's rights (only the owner deletes runs now).
CREATE OR REPLACE FUNCTION loadtest.delete_samples_of_deleted_runs() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'DELETE'
       OR TG_LEVEL OPERATOR(pg_catalog.<>) 'STATEMENT'
       OR TG_WHEN OPERATOR(pg_catalog.<>) 'AFTER' THEN
        RAISE EXCEPTION 'loadtest.delete_samples_of_deleted_runs() is the trigger of DELETE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM loadtest.samples s USING deleted_runs d
     WHERE s.run_id OPERATOR(pg_catalog.=) d.run_id;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.delete_samples_of_deleted_runs() FROM PUBLIC;

-- TRUNCATE of runs takes the samples with it.
CREATE FUNCTION loadtest.truncate_samples_of_truncated_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'TRUNCATE' THEN
        RAISE EXCEPTION 'loadtest.truncate_samples_of_truncated_runs() is the trigger of TRUNCATE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    BEGIN
        TRUNCATE loadtest.samples;
    EXCEPTION WHEN object_in_use THEN
        -- the same statement truncates samples too (TRUNCATE runs,
        -- samples), or a cursor of this session reads it: delete instead
        -- (nothing is left to delete in the first case)
        DELETE FROM loadtest.samples;
    END;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.truncate_samples_of_truncated_runs() FROM PUBLIC;

CREATE TRIGGER truncate_samples AFTER TRUNCATE ON loadtest.runs
    FOR EACH STATEMENT EXECUTE FUNCTION loadtest.truncate_samples_of_truncated_runs();


-- Policies: reading one's own runs; no policy for INSERT, UPDATE or
-- DELETE (only the owner writes).
DROP POLICY runs_of_own_role ON loadtest.runs;
CREATE POLICY runs_of_own_role ON loadtest.runs FOR SELECT
    USING (role_name OPERATOR(pg_catalog.=) CURRENT_USER);

DROP POLICY run_users_of_own_runs ON loadtest.run_users;
CREATE POLICY run_users_of_own_runs ON loadtest.run_users FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_users.run_id));

DROP POLICY samples_of_own_runs ON loadtest.samples;
CREATE POLICY samples_of_own_runs ON loadtest.samples FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) samples.run_id));

-- 1.1's documentation had operators granted INSERT, UPDATE and DELETE on
-- the result tables and USAGE on run_id_seq: take every such grant back
-- (from every role but the owner).  The roles that could start runs get
-- loadtest_delete_runs() instead (see src/sql/22_trust.sql).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT DISTINCT c.oid::pg_catalog.regclass AS rel, c.relkind,
               a.grantee::pg_catalog.regrole AS grantee
          FROM pg_catalog.pg_class c,
               LATERAL pg_catalog.aclexplode(c.relacl) a
         WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['loadtest.runs', 'loadtest.samples',
                         'loadtest.run_users', 'loadtest.run_id_seq']::pg_catalog.regclass[])
           AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
           AND a.grantee OPERATOR(pg_catalog.<>) 0
           AND a.privilege_type OPERATOR(pg_catalog.<>) 'SELECT'
    LOOP
        IF g.relkind OPERATOR(pg_catalog.=) 'S' THEN
            EXECUTE pg_catalog.format('REVOKE USAGE, UPDATE ON SEQUENCE %s FROM %s', g.rel, g.grantee);
        ELSE
            EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %s FROM %s',
                                      g.rel, g.grantee);
        END IF;
    END LOOP;
END
$$;
