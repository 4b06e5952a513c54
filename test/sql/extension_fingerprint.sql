-- A text description of everything the loadtest extension defines in the
-- current database: its member objects, function definitions, columns (in
-- order), indexes, constraints, policies, triggers, views, enum labels,
-- privileges, options, comments and the built-in rows of the workload
-- catalogue (1.3), aggregates (1.4).  The upgrade test (test/t/010_upgrade.pl)
-- compares it between a database where the current version was created and
-- one upgraded to it from an older version: they must be identical.
WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = 'loadtest'
), members AS (
    SELECT d.classid, d.objid, d.objsubid
      FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
       AND d.deptype = 'e'
), rels AS (
    SELECT c.oid, c.relkind, c.relacl, c.reloptions, c.relrowsecurity,
           c.relforcerowsecurity
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('loadtest', 'membership')
), lines AS (
    SELECT 'member ' || pg_describe_object(classid, objid, objsubid) AS line
      FROM members
    UNION ALL
    SELECT format('function %s acl=%s comment=%s%s', p.oid::regprocedure,
                  p.proacl, obj_description(p.oid, 'pg_proc'),
                  E'\n' || pg_get_functiondef(p.oid))
      FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
     WHERE p.prokind <> 'a'
    UNION ALL
    -- aggregates (1.4): pg_get_functiondef() refuses them; their support
    -- functions are function lines above
    SELECT format('aggregate %s returns %s kind=%s direct=%s transfn=%s finalfn=%s combinefn=%s serialfn=%s deserialfn=%s mtransfn=%s minvtransfn=%s mfinalfn=%s finalextra=%s/%s finalmodify=%s/%s sortop=%s stype=%s sspace=%s mstype=%s msspace=%s initcond=%s minitcond=%s parallel=%s strict=%s acl=%s comment=%s',
                  p.oid::regprocedure, p.prorettype::regtype, a.aggkind, a.aggnumdirectargs,
                  a.aggtransfn::regprocedure, a.aggfinalfn::regproc, a.aggcombinefn::regproc,
                  a.aggserialfn::regproc, a.aggdeserialfn::regproc, a.aggmtransfn::regproc,
                  a.aggminvtransfn::regproc, a.aggmfinalfn::regproc, a.aggfinalextra,
                  a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,
                  a.aggsortop::regoperator, a.aggtranstype::regtype, a.aggtransspace,
                  a.aggmtranstype::regtype, a.aggmtransspace, a.agginitval, a.aggminitval,
                  p.proparallel, p.proisstrict, p.proacl, obj_description(p.oid, 'pg_proc'))
      FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
      JOIN pg_aggregate a ON a.aggfnoid = p.oid
    UNION ALL
    SELECT format('relation %s kind=%s acl=%s options=%s rls=%s/%s comment=%s',
                  r.oid::regclass, r.relkind, r.relacl, r.reloptions,
                  r.relrowsecurity, r.relforcerowsecurity,
                  obj_description(r.oid, 'pg_class'))
      FROM rels r
    UNION ALL
    SELECT format('column %s #%s %s %s%s default=%s acl=%s comment=%s',
                  a.attrelid::regclass,
                  row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                  a.attname, format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                  pg_get_expr(d.adbin, d.adrelid), a.attacl,
                  col_description(a.attrelid, a.attnum))
      FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN rels r ON r.oid = i.indrelid
    UNION ALL
    SELECT format('constraint %s %s %s', co.conrelid::regclass, co.conname,
                  pg_get_constraintdef(co.oid))
      FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid
    UNION ALL
    SELECT format('policy %s %s cmd=%s permissive=%s roles=%s using=%s check=%s',
                  po.polrelid::regclass, po.polname, po.polcmd, po.polpermissive,
                  po.polroles::regrole[], pg_get_expr(po.polqual, po.polrelid),
                  pg_get_expr(po.polwithcheck, po.polrelid))
      FROM pg_policy po JOIN rels r ON r.oid = po.polrelid
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid
     WHERE NOT t.tgisinternal
    UNION ALL
    SELECT format('view %s %s', r.oid::regclass, pg_get_viewdef(r.oid))
      FROM rels r WHERE r.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('enum %s %s', e.enumtypid::regtype,
                  string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
      FROM pg_enum e JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = e.enumtypid
     GROUP BY e.enumtypid
    UNION ALL
    SELECT format('dumped %s where=%s', e.extconfig::regclass[], e.extcondition)
      FROM pg_extension e, ext WHERE e.oid = ext.oid
    UNION ALL
    -- the built-in operations and patterns, every column but when they
    -- were installed
    SELECT format('builtin operation %s', to_jsonb(o) - 'defined_at')
      FROM loadtest.operations o WHERE o.builtin
    UNION ALL
    SELECT format('builtin pattern %s', to_jsonb(p) - 'defined_at')
      FROM loadtest.patterns p WHERE p.builtin
    UNION ALL
    SELECT format('schema %s acl=%s comment=%s', n.nspname, n.nspacl,
                  obj_description(n.oid, 'pg_namespace'))
      FROM pg_namespace n WHERE n.nspname IN ('loadtest', 'membership')
)
SELECT string_agg(line, E'\n' ORDER BY line) FROM lines;
