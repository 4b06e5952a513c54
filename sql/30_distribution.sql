-- How users are shared among patterns: "distributed" is 50% read_heavy,
-- 20% write_heavy, 25% mixed, 5% file_operations, by largest remainder so
-- that the counts always add up to the number of users.

SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(100);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(50);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(10);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(3);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(1);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(7, 'write_heavy');
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(4, 'read_file_metadata');

-- the counts add up for every size, and each is within one of its share
SELECT count(*) AS sizes_checked,
       bool_and(total = n) AS totals_add_up,
       bool_and(max_off < 1) AS within_one_user
FROM (SELECT n, sum(d.users) AS total,
             max(abs(d.users - n * CASE d.pattern WHEN 'read_heavy' THEN 0.50
                                                  WHEN 'write_heavy' THEN 0.20
                                                  WHEN 'mixed' THEN 0.25
                                                  ELSE 0.05 END)) AS max_off
      FROM generate_series(1, 1000) n, loadtest_pattern_distribution(n) d
      GROUP BY n) s;

SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(0);
SELECT pattern, users, round(share::numeric, 1) AS share FROM loadtest_pattern_distribution(5, 'nope');
-- a long name is quoted by its start, not echoed in full
SELECT pattern, users FROM loadtest_pattern_distribution(5, repeat('x', 10000));

-- the operations and what they are
SELECT kind, count(*) FROM loadtest.operations GROUP BY kind ORDER BY kind;
SELECT operation, kind, builtin, owner = current_user AS owned_by_extension_owner,
       CASE WHEN variants IS NOT NULL THEN jsonb_array_length(variants) || ' variants'
            ELSE cardinality(statements) || ' statements, ' || jsonb_array_length(params) || ' params' END AS definition
  FROM loadtest.operations WHERE builtin ORDER BY operation;
-- the built-in patterns: "distributed" shares users among the others, whose
-- weights give the reference guide's shares of reads
SELECT p.pattern, p.mix, count(w.key) AS operations, sum(w.value::numeric) AS total_weight,
       round(100 * sum(w.value::numeric) FILTER (WHERE o.kind = 'read') / sum(w.value::numeric), 1) AS read_pct
  FROM loadtest.patterns p
  LEFT JOIN LATERAL jsonb_each_text(p.weights) w ON true
  LEFT JOIN loadtest.operations o ON o.operation = w.key
 WHERE p.builtin
 GROUP BY p.pattern, p.mix ORDER BY p.pattern;

-- the named scenarios
SELECT scenario, users, ops, pattern, think_time_ms FROM loadtest.scenarios ORDER BY users, scenario;
