--
-- Trust: every routine of the extension runs with a pinned search_path, so
-- that no object of a schema on the caller's path (an operator, a function,
-- an overload of the extension's own functions) can run in its place; and
-- the SECURITY DEFINER routines are listed, so that a new one shows up here.
--

-- Routines of the extension whose settings do not pin search_path exactly
-- (expected: none), C procedures aside: a procedure with a SET clause
-- cannot commit, so such a procedure pins search_path itself, in C.
-- Aggregates aside too: CREATE AGGREGATE takes no SET clause, and an
-- aggregate runs no code of its own, only its support functions, which
-- are routines of the extension and checked here like the others (the
-- next query lists the aggregates with them).
SELECT p.oid::regprocedure AS routine, p.proconfig
  FROM pg_depend d
  JOIN pg_proc p ON p.oid = d.objid
 WHERE d.classid = 'pg_proc'::regclass
   AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
   AND d.deptype = 'e'
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
   AND NOT (p.prokind = 'p' AND p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'c'))
   AND p.prokind <> 'a'
 ORDER BY p.oid::regprocedure::text;

-- The aggregates of the extension (expected: loadtest.histogram_percentiles)
-- with their support functions, each of which belongs to the extension and
-- pins search_path.
SELECT a.aggfnoid::regprocedure AS aggregate, f.role, f.fn::regprocedure AS support_function,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = f.fn
                  AND d.refclassid = 'pg_extension'::regclass
                  AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
                  AND d.deptype = 'e') AS of_extension,
       coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false) AS pinned
  FROM pg_aggregate a
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
                  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                  AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest'),
       LATERAL (VALUES ('transition', a.aggtransfn), ('final', a.aggfinalfn),
                       ('combine', a.aggcombinefn), ('serial', a.aggserialfn),
                       ('deserial', a.aggdeserialfn), ('moving transition', a.aggmtransfn),
                       ('moving inverse', a.aggminvtransfn), ('moving final', a.aggmfinalfn)) f(role, fn)
  JOIN pg_proc p ON p.oid = f.fn
 WHERE f.fn <> 0
 ORDER BY 1::text, 2;

-- Those C procedures (expected: loadtest_run_procedure alone, which
-- commits once the run has started).
SELECT p.oid::regprocedure AS routine, p.proconfig
  FROM pg_depend d
  JOIN pg_proc p ON p.oid = d.objid
 WHERE d.classid = 'pg_proc'::regclass
   AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
   AND d.deptype = 'e'
   AND p.prokind = 'p'
 ORDER BY p.oid::regprocedure::text;

-- How many routines that covers (any change shows here).
SELECT count(*) > 0 AS has_routines
  FROM pg_depend d
 WHERE d.classid = 'pg_proc'::regclass
   AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
   AND d.deptype = 'e';

-- SECURITY DEFINER routines of the extension, with who may run them.
SELECT p.oid::regprocedure AS routine, p.proacl
  FROM pg_depend d
  JOIN pg_proc p ON p.oid = d.objid
 WHERE d.classid = 'pg_proc'::regclass
   AND d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
   AND d.deptype = 'e'
   AND p.prosecdef
 ORDER BY p.oid::regprocedure::text;

-- Views and SQL-standard function bodies are bound to their operators and
-- functions when they are created: none of them may be bound to one outside
-- pg_catalog that is not the extension's own (expected: none).
WITH members AS (
    SELECT d.classid, d.objid
      FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'loadtest')
       AND d.deptype = 'e'),
bound AS (
    SELECT r.ev_class::regclass::text AS object, d.refclassid, d.refobjid
      FROM pg_rewrite r
      JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = r.ev_class
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
    UNION ALL
    SELECT p.oid::regprocedure::text, d.refclassid, d.refobjid
      FROM pg_proc p
      JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n')
SELECT b.object, pg_describe_object(b.refclassid, b.refobjid, 0) AS bound_to
  FROM bound b
 WHERE b.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
   AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = b.refclassid AND m.objid = b.refobjid)
   AND CASE WHEN b.refclassid = 'pg_proc'::regclass
            THEN (SELECT p.pronamespace FROM pg_proc p WHERE p.oid = b.refobjid)
            ELSE (SELECT o.oprnamespace FROM pg_operator o WHERE o.oid = b.refobjid) END
       <> 'pg_catalog'::regnamespace
 ORDER BY 1, 2;
