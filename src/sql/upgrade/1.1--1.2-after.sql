-- loadtest 1.1 -> 1.2, after the replayed parts of src/sql: what needs the
-- functions they define.

-- Upgrading from 1.1, where the roles that started runs deleted them with
-- DELETE on loadtest.runs: they get loadtest_delete_runs().
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT DISTINCT a.grantee::pg_catalog.regrole AS grantee
          FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)'::pg_catalog.regprocedure
           AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
           AND a.grantee OPERATOR(pg_catalog.<>) 0
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.loadtest_delete_runs(bigint[]) TO %s',
                                  g.grantee);
    END LOOP;
END
$$;
