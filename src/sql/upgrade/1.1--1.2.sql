-- loadtest 1.1 -> 1.2: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), so that the
-- upgraded extension gets exactly the definitions of a fresh install.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.2'" to load this file. \quit

ALTER TABLE loadtest.runs
    ADD COLUMN arrivals_dropped bigint NOT NULL DEFAULT 0,
    ADD COLUMN samples_lost bigint NOT NULL DEFAULT 0;

-- Results are written by the extension alone (see src/sql/10_schema.sql);
-- the triggers of the result tables are replayed from
-- src/sql/15_result_triggers.sql.

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
-- (from every role but the owner, PUBLIC included, and from the roles they
-- passed them on to).  The roles that could start runs get
-- loadtest_delete_runs() instead (see src/sql/22_trust.sql).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT DISTINCT c.oid::pg_catalog.regclass AS rel, c.relkind,
               CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                    ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END AS grantee
          FROM pg_catalog.pg_class c,
               LATERAL pg_catalog.aclexplode(c.relacl) a
         WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['loadtest.runs', 'loadtest.samples',
                         'loadtest.run_users', 'loadtest.run_id_seq']::pg_catalog.regclass[])
           AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
           AND a.privilege_type OPERATOR(pg_catalog.<>) 'SELECT'
    LOOP
        IF g.relkind OPERATOR(pg_catalog.=) 'S' THEN
            EXECUTE pg_catalog.format('REVOKE USAGE, UPDATE ON SEQUENCE %s FROM %s CASCADE',
                                      g.rel, g.grantee);
        ELSE
            EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %s FROM %s CASCADE',
                                      g.rel, g.grantee);
        END IF;
    END LOOP;
END
$$;
