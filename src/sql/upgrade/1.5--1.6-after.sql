-- loadtest 1.5 -> 1.6, after the replayed parts of src/sql: what needs the
-- functions and views they define.

-- What a role could do at 1.5 it can do at 1.6, and no more: the roles
-- that may run loadtest_run() may run loadtest_start() (the same runs, in
-- the background), those that could run loadtest_scenario() the new one
-- (its grantees were kept before it was dropped, see 1.5--1.6.sql).
DO $$
DECLARE
    r oid;
BEGIN
    FOR r IN
        SELECT DISTINCT a.grantee
          FROM pg_catalog.pg_proc p,
               LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid = '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)'::pg_catalog.regprocedure
           AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> 0
           AND a.grantee <> p.proowner
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.loadtest_start(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text) TO %s',
                                  r::regrole);
    END LOOP;
    FOR r IN
        SELECT g::oid
          FROM pg_catalog.unnest(pg_catalog.string_to_array(
                   pg_catalog.current_setting('loadtest_upgrade.scenario_grantees', true), ',')) AS g
         WHERE g <> ''
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.loadtest_scenario(text, boolean, text, integer, integer, text, integer, double precision, integer, interval, double precision, jsonb) TO %s',
                                  r::regrole);
    END LOOP;
END
$$;
