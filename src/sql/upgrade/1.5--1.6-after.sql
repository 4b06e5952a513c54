-- loadtest 1.5 -> 1.6, after the replayed parts of src/sql: what needs the
-- functions and views they define.

-- The operators of 1.5 (the roles granted loadtest_run) get what 1.6 adds
-- to loadtest.operator_privileges(): loadtest_start and the new signature
-- of loadtest_scenario.
DO $$
DECLARE
    r regrole;
BEGIN
    FOR r IN
        SELECT DISTINCT a.grantee::regrole
          FROM pg_catalog.pg_proc p,
               LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid = '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)'::pg_catalog.regprocedure
           AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> 0
           AND a.grantee <> p.proowner
    LOOP
        PERFORM loadtest.apply_operator_privileges(r, false);
    END LOOP;
END
$$;
