--
-- Runs compared (loadtest_compare, loadtest_compare_report, the Mann-Whitney
-- U test of two histograms) and the CI gate (loadtest_check), on fixed data
-- under run ids 920001 .. 920099: runs whose summaries are built from
-- planted samples (loadtest.summarize_samples), and runs that have only
-- summaries, planted as histograms.  Only invariants, booleans and rounded
-- figures of the fixed data are printed.
--
SET lc_numeric TO 'C';
SET extra_float_digits TO 0;
\set SHOW_CONTEXT never

-- A run row of the built-in operations ops (numbered by name, as the
-- recorder numbers a run's operations), of the given test.
CREATE FUNCTION pg_temp.plant_run(p_run_id bigint, p_pattern text, p_users integer, p_think integer,
                                  p_ops text[], p_status loadtest.run_status DEFAULT 'completed',
                                  p_samples text DEFAULT 'all', p_pool integer DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms, ramp_up_s,
                           workers, seed, environment, role_name, started_at, ended_at, duration_s,
                           samples, pool_size)
VALUES (p_run_id, p_status, p_users, 100, p_pattern, p_think, 0, p_users, 1, 'development', current_user,
        '2026-02-01 10:00:00+00', '2026-02-01 10:00:10+00', 10, p_samples, p_pool);
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
SELECT p_run_id, (row_number() OVER (ORDER BY o.operation) - 1)::smallint, o.operation, o.kind,
       o.statements, o.params, o.variants, o.builtin, o.owner, o.description
  FROM loadtest.operations o WHERE o.operation = ANY (p_ops);
$$;

-- Samples of one operation of a run: latencies in microseconds, one user
-- each, starting over 10 s.
CREATE FUNCTION pg_temp.plant_samples(p_run_id bigint, p_operation text, p_latencies bigint[],
                                      p_failures integer DEFAULT 0)
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us,
                                 latency_us, wait_us, success, sqlstate, message)
SELECT p_run_id, 1, (o.operation_no * 100000 + l.i)::integer, 0, o.operation_no,
       (l.i * 9000000 / cardinality(p_latencies))::bigint, l.v, 0,
       l.i > p_failures, CASE WHEN l.i <= p_failures THEN '40P01' END,
       CASE WHEN l.i <= p_failures THEN 'deadlock detected' END
  FROM loadtest.run_operations o, unnest(p_latencies) WITH ORDINALITY AS l(v, i)
 WHERE o.run_id = p_run_id AND o.operation = p_operation;
$$;

-- The summary of one operation of a run planted directly, as the recorder
-- writes it (a run that kept no samples): its latency histogram, no waits.
CREATE FUNCTION pg_temp.plant_histogram(p_run_id bigint, p_operation text, p_latencies bigint[])
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts,
        first_start_us, last_end_us, latency_sum_us, latency_min_us, latency_max_us,
        latency_buckets, latency_counts, wait_sum_us, wait_max_us, wait_buckets, wait_counts,
        response_buckets, response_counts)
SELECT p_run_id, 'operation', o.operation_no, h.n, 0, 0, 0, 0, 0, 10000000, h.s, h.lo, h.hi,
       h.buckets, h.counts, 0, 0, '{0}', ARRAY[h.n], h.buckets, h.counts
  FROM loadtest.run_operations o,
       LATERAL (SELECT sum(b.n)::bigint AS n, sum(b.s) AS s, min(b.lo) AS lo, max(b.hi) AS hi,
                       array_agg(b.bucket ORDER BY b.bucket) AS buckets,
                       array_agg(b.n ORDER BY b.bucket) AS counts
                  FROM (SELECT loadtest.histogram_bucket(v) AS bucket, count(*) AS n,
                               sum(v)::float8 AS s, min(v) AS lo, max(v) AS hi
                          FROM unnest(p_latencies) AS v GROUP BY 1) b) h
 WHERE o.run_id = p_run_id AND o.operation = p_operation;
$$;

-- Pseudo-random latencies: lo + (a hash of i and seed) mod width, i = 1..n.
CREATE FUNCTION pg_temp.lat(p_n integer, p_seed integer, p_lo bigint, p_width bigint,
                            p_factor float8 DEFAULT 1)
RETURNS bigint[] LANGUAGE sql AS $$
SELECT array_agg(round((p_lo + abs(hashint4(i * 7919 + p_seed)::bigint) % p_width) * p_factor)::bigint ORDER BY i)
  FROM generate_series(1, p_n) AS i;
$$;

-- The two-sided Mann-Whitney U test computed directly on two lists of
-- latencies (midranks: the candidate's rank sum minus n2 (n2 + 1) / 2),
-- with the same tie and continuity corrections and normal approximation;
-- and on the samples of an operation of two runs (NULL: all their samples).
CREATE FUNCTION pg_temp.direct_mw(p_base bigint[], p_cand bigint[],
                                  OUT u float8, OUT z float8, OUT p_value float8)
LANGUAGE sql AS $$
WITH s AS (
    SELECT false AS cand, v::float8 AS v FROM unnest(p_base) AS v
    UNION ALL
    SELECT true, v::float8 FROM unnest(p_cand) AS v
), r AS (
    SELECT s.cand, rank() OVER (ORDER BY s.v) + (count(*) OVER (PARTITION BY s.v) - 1) / 2.0 AS midrank
      FROM s
), f AS (
    SELECT count(*) FILTER (WHERE NOT r.cand)::float8 AS n1, count(*) FILTER (WHERE r.cand)::float8 AS n2,
           sum(r.midrank) FILTER (WHERE r.cand)::float8 AS r2,
           (SELECT sum(t.c * t.c * t.c - t.c) FROM (SELECT count(*)::float8 AS c FROM s GROUP BY s.v) t) AS ties
      FROM r
), g AS (
    SELECT f.r2 - f.n2 * (f.n2 + 1) / 2 AS u, f.n1, f.n2,
           f.n1 * f.n2 / 12 * ((f.n1 + f.n2 + 1) - f.ties / ((f.n1 + f.n2) * (f.n1 + f.n2 - 1))) AS var
      FROM f
)
SELECT g.u, x.z, loadtest.erfc(abs(x.z) / sqrt(2))
  FROM g, LATERAL (SELECT sign(g.u - g.n1 * g.n2 / 2) * greatest(abs(g.u - g.n1 * g.n2 / 2) - 0.5, 0)
                          / sqrt(g.var) AS z) x;
$$;
CREATE FUNCTION pg_temp.direct_mw(p_base bigint, p_cand bigint, p_operation text,
                                  OUT u float8, OUT z float8, OUT p_value float8)
LANGUAGE sql AS $$
SELECT * FROM pg_temp.direct_mw(
    ARRAY(SELECT s.latency_us FROM loadtest.samples s
           WHERE s.run_id = p_base AND (s.operation = p_operation OR p_operation IS NULL)),
    ARRAY(SELECT s.latency_us FROM loadtest.samples s
           WHERE s.run_id = p_cand AND (s.operation = p_operation OR p_operation IS NULL)));
$$;

-- A run's attempts planted second by second, kept as samples: seconds
-- (one per element of p_drift) of 205 attempts of read_member_list, user 1;
-- attempt j (0 .. 204) of second s takes (50 + p_drift[s] + p_shift + j mod
-- 41) * p_factor us, or, with p_tail, every fifth (j mod 5 = 0: a slow
-- variant, 20% of them) (p_tail + j mod 41) * p_factor us.  Every second
-- holds the same values when p_drift is constant: a steady run.
CREATE FUNCTION pg_temp.plant_seconds(p_run_id bigint, p_drift integer[], p_shift integer DEFAULT 0,
                                      p_tail integer DEFAULT NULL, p_factor float8 DEFAULT 1)
RETURNS void LANGUAGE sql AS $$
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, pattern_no, operation_no, start_us,
                                 latency_us, wait_us, success)
SELECT p_run_id, 1, ((d.s - 1) * 1000 + j + 1)::integer, 0, o.operation_no,
       ((d.s - 1) * 1000000 + j * 4000)::bigint,
       round(CASE WHEN p_tail IS NOT NULL AND j % 5 = 0 THEN p_tail + j % 41
                  ELSE 50 + d.drift + p_shift + j % 41 END * p_factor)::bigint, 0, true
  FROM loadtest.run_operations o, unnest(p_drift) WITH ORDINALITY AS d(drift, s),
       generate_series(0, 204) AS j
 WHERE o.run_id = p_run_id AND o.operation = 'read_member_list';
SELECT loadtest.summarize_samples(p_run_id);
$$;

-- The design effect computed directly on the samples of a run: each
-- latency's mid-distribution (latencies below it, plus half of those equal
-- to it, over all), the seconds' means of it against their grand mean,
-- against the variance of one attempt.
CREATE FUNCTION pg_temp.direct_de(p_run_id bigint, OUT design_effect float8, OUT variance_ratio float8)
LANGUAGE sql AS $$
WITH s AS (
    SELECT x.start_us / 1000000 AS second, x.latency_us::float8 AS v
      FROM loadtest.samples x WHERE x.run_id = p_run_id
), f AS (
    SELECT s.second,
           ((rank() OVER (ORDER BY s.v) - 1) + count(*) OVER (PARTITION BY s.v) / 2.0)::float8
             / count(*) OVER () AS f
      FROM s
), m AS (
    SELECT f.second, count(*)::float8 AS n, avg(f.f) AS m FROM f GROUP BY f.second
), g AS (
    SELECT count(*)::float8 AS s, sum(m.n) AS n, sum(m.n * m.m) / sum(m.n) AS mu FROM m
), r AS (
    SELECT (SELECT sum(m.n * (m.m - g.mu) ^ 2) FROM m) / (g.s - 1)
           / ((SELECT sum((f.f - g.mu) ^ 2) FROM f) / (g.n - 1)) AS ratio
      FROM g
)
SELECT greatest(1, r.ratio), r.ratio FROM r;
$$;

-- An error's SQLSTATE and message, or 'ok'.
CREATE FUNCTION pg_temp.err(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- What loadtest_check says: true, or its SQLSTATE, message, detail and hint.
CREATE FUNCTION pg_temp.check(p_sql text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v_result boolean;
    v_state  text;
    v_msg    text;
    v_detail text;
    v_hint   text;
BEGIN
    EXECUTE p_sql INTO v_result;
    RETURN NEXT 'returned ' || v_result;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                            v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    RETURN NEXT 'ERROR ' || v_state || ': ' || v_msg;
    RETURN QUERY SELECT 'DETAIL ' || d FROM regexp_split_to_table(v_detail, E'\n') AS d WHERE v_detail <> '';
    RETURN QUERY SELECT 'HINT ' || v_hint WHERE v_hint <> '';
END
$$;

-- ---------------------------------------------------------------------------
-- The U statistic of two histograms against a direct computation
-- ---------------------------------------------------------------------------

-- Textbook cases: no overlap (u = n1 n2, R's wilcox.test(c(4,5,6),
-- c(1,2,3), exact = FALSE) gives p = 0.08086), the same values (u = n1 n2 /
-- 2, p = 1), every value tied (p = 1), candidate faster (u = 0, z < 0); a
-- bucket given twice adds up, the buckets in any order.
SELECT u, round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
  FROM loadtest.histogram_mann_whitney('{1,2,3}', '{1,1,1}', '{4,5,6}', '{1,1,1}');
SELECT u, z, p_value FROM loadtest.histogram_mann_whitney('{1,2,3}', '{1,1,1}', '{3,1,2}', '{1,1,1}');
SELECT u, z, p_value FROM loadtest.histogram_mann_whitney('{7}', '{5}', '{7}', '{3}');
SELECT u, round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
  FROM loadtest.histogram_mann_whitney('{4,5,6}', '{1,1,1}', '{1,2,2,3}', '{1,0,1,1}');
-- erfc: 1, 0.157299207050285 at 1, 2.20904969985854e-05 at 3, 0 far out
SELECT round(loadtest.erfc(0)::numeric, 12) AS at_0, round(loadtest.erfc(1)::numeric, 14) AS at_1,
       round((loadtest.erfc(3) * 1e5)::numeric, 12) AS at_3_e5,
       round((loadtest.erfc(10) * 1e45)::numeric, 12) AS at_10_e45,
       loadtest.erfc(30) AS at_30, loadtest.erfc(-1) + loadtest.erfc(1) AS symmetric;

-- Two runs that kept their samples, operations numbered by name in each
-- (read_member_list is 0 in the base, 2 in the candidate): latencies below
-- 128 us, where a bucket is one microsecond, so the histograms hold the
-- samples exactly and the U statistic from them is the direct one.
--   read_member_list: the same distribution (20 .. 60 us) in both
--   search_members:   20 .. 60 us in the base, twice as long in the candidate
--   update_member:    only in the base; create_member: only in the candidate
SELECT pg_temp.plant_run(920001, 'distributed', 10, 100, '{read_member_list,search_members,update_member}');
SELECT pg_temp.plant_run(920002, 'distributed', 10, 100, '{create_member,list_organizations,read_member_list,search_members}');
SELECT pg_temp.plant_samples(920001, 'read_member_list', pg_temp.lat(400, 1, 20, 41));
SELECT pg_temp.plant_samples(920001, 'search_members', pg_temp.lat(300, 2, 20, 41));
SELECT pg_temp.plant_samples(920001, 'update_member', pg_temp.lat(100, 3, 50, 20));
SELECT pg_temp.plant_samples(920002, 'read_member_list', pg_temp.lat(450, 4, 20, 41));
SELECT pg_temp.plant_samples(920002, 'search_members', pg_temp.lat(250, 5, 20, 41, 2));
SELECT pg_temp.plant_samples(920002, 'create_member', pg_temp.lat(100, 6, 50, 20));
SELECT loadtest.summarize_samples(run_id) FROM (VALUES (920001), (920002)) AS r(run_id);
SELECT run_id, operation_no, operation FROM loadtest.run_operations
 WHERE run_id IN (920001, 920002) ORDER BY run_id, operation_no;

-- from the histograms of the summaries = directly on the samples (exact)
SELECT o.operation, d.u AS direct_u, m.u = d.u AS u_equal,
       abs(m.z - d.z) <= 1e-9 * abs(d.z) AS z_equal,
       abs(m.p_value - d.p_value) <= 1e-9 * d.p_value AS p_equal
  FROM (VALUES ('read_member_list'), ('search_members')) AS o(operation),
       LATERAL pg_temp.direct_mw(920001, 920002, o.operation) d,
       LATERAL (SELECT loadtest.histogram_mann_whitney(b.latency_buckets, b.latency_counts,
                                                       c.latency_buckets, c.latency_counts) AS r
                  FROM loadtest.run_histograms b
                  JOIN loadtest.run_operations bo USING (run_id, operation_no),
                       loadtest.run_histograms c
                  JOIN loadtest.run_operations co USING (run_id, operation_no)
                 WHERE b.run_id = 920001 AND b.scope = 'operation' AND bo.operation = o.operation
                   AND c.run_id = 920002 AND c.scope = 'operation' AND co.operation = o.operation) x,
       LATERAL (SELECT (x.r).*) m
 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- loadtest_compare
-- ---------------------------------------------------------------------------

-- The same distribution: no significant change; twice as long: slower
-- with a tiny p; create_member, update_member and list_organizations (no
-- samples) are not in both: no row; the whole runs last.
SELECT operation, base_ops, candidate_ops, base_median_ms, candidate_median_ms, base_p95_ms,
       candidate_p95_ms, round(change_pct::numeric, 2) AS change_pct,
       round(p_value::numeric, 4) AS p_value, p_value < 1e-10 AS tiny_p, verdict
  FROM loadtest_compare(920001, 920002);
-- the other way round: faster
SELECT operation, round(change_pct::numeric, 2) AS change_pct, p_value < 1e-10 AS tiny_p, verdict
  FROM loadtest_compare(920002, 920001);
-- a run with itself: no change at all
SELECT operation, change_pct, p_value, verdict FROM loadtest_compare(920001, 920001);
-- the figures are the views': operation_stats per operation, run_summary
-- for the whole run; the p values the direct ones on the samples (of the
-- operation, or of the whole runs), deflated by the runs' design effects
-- (1 here: their latencies do not drift)
SELECT c.operation,
       c.base_ops = coalesce(bo.ops, bs.total_ops) AND c.candidate_ops = coalesce(co.ops, cs.total_ops) AS ops_equal,
       c.base_median_ms = coalesce(bo.median_ms, bs.median_ms)
         AND c.candidate_median_ms = coalesce(co.median_ms, cs.median_ms) AS medians_equal,
       c.base_p95_ms = coalesce(bo.p95_ms, bs.p95_ms)
         AND c.candidate_p95_ms = coalesce(co.p95_ms, cs.p95_ms) AS p95_equal,
       abs(c.p_value - loadtest.compare_p_value(d.z, loadtest.compare_design_effect(
                                                         c.base_ops, c.candidate_ops,
                                                         db.design_effect, dc.design_effect)))
         <= 1e-9 * c.p_value AS p_direct,
       round(db.design_effect::numeric, 4) AS base_de, round(dc.design_effect::numeric, 4) AS cand_de
  FROM loadtest_compare(920001, 920002) c
  CROSS JOIN loadtest.run_design_effect(920001) db
  CROSS JOIN loadtest.run_design_effect(920002) dc
  LEFT JOIN loadtest.operation_stats bo ON bo.run_id = 920001 AND bo.operation = c.operation
  LEFT JOIN loadtest.operation_stats co ON co.run_id = 920002 AND co.operation = c.operation
  LEFT JOIN loadtest.run_summary bs ON bs.run_id = 920001 AND c.operation IS NULL
  LEFT JOIN loadtest.run_summary cs ON cs.run_id = 920002 AND c.operation IS NULL
  CROSS JOIN LATERAL pg_temp.direct_mw(920001, 920002, c.operation) d
 ORDER BY c.operation IS NULL, c.operation;
-- min_change_pct: 0 counts any significant change; 150 none of these
SELECT operation, verdict FROM loadtest_compare(920001, 920002, 0);
SELECT operation, verdict FROM loadtest_compare(920001, 920002, 150);

-- Runs that kept only their summaries (samples => 'none': histograms
-- planted as the recorder writes them), 20,000 latencies of 10 .. 20 ms
-- each, the candidate's 3% longer (2.6% in the medians, which come from
-- buckets 1.56% wide): significant, but under the 5% that counts by
-- default; over 2% it counts.
SELECT pg_temp.plant_run(920003, 'read_heavy', 50, 0, '{read_member_detail}', p_samples => 'none', p_pool => 8);
SELECT pg_temp.plant_run(920004, 'read_heavy', 50, 0, '{read_member_detail}', p_samples => 'none', p_pool => 8);
SELECT pg_temp.plant_histogram(920003, 'read_member_detail', pg_temp.lat(20000, 7, 10000, 10000));
SELECT pg_temp.plant_histogram(920004, 'read_member_detail', pg_temp.lat(20000, 8, 10000, 10000, 1.03));
SELECT count(*) AS samples FROM loadtest.sample_log WHERE run_id IN (920003, 920004);
SELECT operation, base_ops, candidate_ops, round(change_pct::numeric, 1) AS change_pct,
       p_value < 0.01 AS significant, verdict
  FROM loadtest_compare(920003, 920004);
SELECT operation, verdict FROM loadtest_compare(920003, 920004, min_change_pct => 2);
-- the same distribution, other draws, in two such runs: no significant change
SELECT pg_temp.plant_run(920005, 'read_heavy', 50, 0, '{read_member_detail}', p_samples => 'none', p_pool => 8);
SELECT pg_temp.plant_histogram(920005, 'read_member_detail', pg_temp.lat(20000, 9, 10000, 10000));
SELECT operation, round(change_pct::numeric, 1) AS change_pct, p_value >= 0.01 AS not_significant, verdict
  FROM loadtest_compare(920003, 920005);
-- with buckets of 1.56% above 128 us the U statistic from the histograms
-- is near the one on the values (ties within a bucket): direct on the
-- latencies themselves
SELECT abs(h.u - d.u) / d.u < 0.001 AS u_within_0_1pct,
       round((d.u / (20000.0 * 20000))::numeric, 3) AS share_candidate_slower,
       h.p_value < 0.01 AND d.p_value < 0.01 AS both_significant
  FROM pg_temp.direct_mw(pg_temp.lat(20000, 7, 10000, 10000), pg_temp.lat(20000, 8, 10000, 10000, 1.03)) d,
       (SELECT t.* FROM loadtest.run_histograms hb, loadtest.run_histograms hc,
               LATERAL loadtest.histogram_mann_whitney(hb.latency_buckets, hb.latency_counts,
                                                       hc.latency_buckets, hc.latency_counts) t
         WHERE hb.run_id = 920003 AND hc.run_id = 920004) h;

-- ---------------------------------------------------------------------------
-- The design effect: the attempts of a run are not independent
-- ---------------------------------------------------------------------------

-- Steady runs (every second the same latencies, 50 .. 90 us): design
-- effect 1 (the seconds' means do not differ at all); the candidate 5 us
-- longer (+7% in the median): slower, tiny p.
SELECT pg_temp.plant_run(r, 'compare_check_seconds', 1, 0, '{read_member_list}')
  FROM generate_series(920040, 920047) AS r;
SELECT pg_temp.plant_seconds(920040, array_fill(0, ARRAY[10]));
SELECT pg_temp.plant_seconds(920041, array_fill(0, ARRAY[10]), p_shift => 5);
-- Drifting runs: the same latencies, but each second up to 10 us slower
-- or faster than the run (its drift); in the candidate the same drifts in
-- another order, and the latencies again 5 us longer; and a candidate of
-- those drifts twice as slow as the base.
SELECT pg_temp.plant_seconds(920042, '{0,6,-4,8,-6,2,10,-8,-2,-6}');
SELECT pg_temp.plant_seconds(920043, '{10,-6,2,-8,0,8,-6,6,-2,-4}', p_shift => 5);
SELECT pg_temp.plant_seconds(920044, '{10,-6,2,-8,0,8,-6,6,-2,-4}', p_factor => 2);
SELECT r AS run_id, d.seconds, d.attempts, round(d.design_effect::numeric, 4) AS design_effect,
       round(d.variance_ratio::numeric, 4) AS variance_ratio
  FROM generate_series(920040, 920044) AS r, loadtest.run_design_effect(r) d ORDER BY r;
-- the same as directly on the samples (latencies below 128 us: a bucket
-- per microsecond, so the histograms hold the samples exactly)
SELECT r AS run_id, abs(d.variance_ratio - x.variance_ratio) <= 1e-9 * x.variance_ratio AS ratio_equal,
       abs(d.design_effect - x.design_effect) <= 1e-9 * x.design_effect AS de_equal
  FROM unnest(ARRAY[920001, 920002, 920042, 920043]) AS r, loadtest.run_design_effect(r) d,
       pg_temp.direct_de(r) x ORDER BY r;
-- The shift of 5 us, as significant as ever between independent attempts
-- (the test alone: p tiny in both pairs), counts between the steady runs
-- and not between the drifting ones: their own seconds differ by more.
SELECT b, c, round(m.z::numeric, 2) AS z, m.p_value < 1e-6 AS independent_p_tiny,
       round(x.change_pct::numeric, 2) AS change_pct, round(x.p_value::numeric, 4) AS p_value, x.verdict
  FROM (VALUES (920040, 920041), (920042, 920043)) AS p(b, c),
       LATERAL (SELECT t.* FROM loadtest.compare_histograms(p.b) hb, loadtest.compare_histograms(p.c) hc,
                       LATERAL loadtest.histogram_mann_whitney(hb.buckets, hb.counts, hc.buckets, hc.counts) t
                 WHERE hb.whole_run AND hc.whole_run) m,
       LATERAL loadtest_compare(p.b, p.c) x
 WHERE x.operation IS NULL ORDER BY b;
-- p is the test's with z divided by the square root of the runs' design
-- effects, each weighted by the other run's attempts (here alike: 42.09);
-- a regression of 2x is still slower with a tiny p, however the runs drift
SELECT abs(x.p_value - loadtest.erfc(abs(m.z) / sqrt(2 * (db.design_effect + dc.design_effect) / 2)))
         <= 1e-12 AS p_deflated
  FROM loadtest_compare(920042, 920043) x, loadtest.run_design_effect(920042) db,
       loadtest.run_design_effect(920043) dc,
       LATERAL (SELECT t.* FROM loadtest.compare_histograms(920042) hb, loadtest.compare_histograms(920043) hc,
                       LATERAL loadtest.histogram_mann_whitney(hb.buckets, hb.counts, hc.buckets, hc.counts) t
                 WHERE hb.whole_run AND hc.whole_run) m
 WHERE x.operation IS NULL;
SELECT operation, round(change_pct::numeric, 2) AS change_pct, p_value < 1e-10 AS tiny_p, verdict
  FROM loadtest_compare(920042, 920044);
-- Fewer than 3 seconds (two that differ by 30 us), or none (a run planted
-- as histograms): 1, nothing to estimate it from; a design effect not
-- known or below 1 counts as 1
SELECT pg_temp.plant_seconds(920047, '{0,30}');
SELECT r AS run_id, d.* FROM unnest(ARRAY[920047, 920003]) AS r, loadtest.run_design_effect(r) d;
-- Two runs' design effects combined: each weighted by the other run's
-- attempts (the variance of U from the base's attempts grows with the
-- candidate's number, and the other way round), so a run of a million
-- fast attempts, whose large seconds give a large design effect, does not
-- hide that a run of a thousand slow ones is slower; not known: 1; no
-- attempts: the larger
SELECT a.n1, a.n2, a.de1, a.de2, round(loadtest.compare_design_effect(a.n1, a.n2, a.de1, a.de2)::numeric, 4) AS design_effect
  FROM (VALUES (1000::float8, 1000::float8, 1::float8, 9::float8), (1e6, 1e3, 100, 2), (1e3, 1e6, 100, 2),
               (1e3, 1e3, NULL, 9), (1e3, 1e3, 'NaN', 0.5), (1e3, 1e3, 'Infinity', 2), (0, 1e3, 3, 2),
               (NULL, NULL, 3, 2), (9.2e18, 9.2e18, 1e6, 1e6)) AS a(n1, n2, de1, de2);
SELECT round(loadtest.compare_p_value(3, 1)::numeric, 6) AS de_1, round(loadtest.compare_p_value(3, 9)::numeric, 6) AS de_9,
       round(loadtest.compare_p_value(-1, 1)::numeric, 6) AS z_1,
       loadtest.compare_p_value(3, NULL) = loadtest.compare_p_value(3, 1) AS null_as_1,
       loadtest.compare_p_value(3, 0.5) = loadtest.compare_p_value(3, 1) AS below_1_as_1,
       loadtest.compare_p_value(3, 'NaN') = loadtest.compare_p_value(3, 1) AS nan_as_1,
       loadtest.compare_p_value(3, 'Infinity') AS de_infinite, loadtest.compare_p_value(NULL, 2) AS z_null;

-- ---------------------------------------------------------------------------
-- The verdict: the median or the p95
-- ---------------------------------------------------------------------------

-- Steady runs of 40 seconds whose slow variant (a fifth of the attempts)
-- takes 400 .. 440 us in the base and 200 .. 240 us in the candidate: the
-- median does not move, the p95 halves: faster; the other way round
-- slower; the CI gate names the p95.
SELECT pg_temp.plant_seconds(920045, array_fill(0, ARRAY[40]), p_tail => 400);
SELECT pg_temp.plant_seconds(920046, array_fill(0, ARRAY[40]), p_tail => 200);
SELECT b, c, operation, base_median_ms, candidate_median_ms, base_p95_ms, candidate_p95_ms,
       round(change_pct::numeric, 2) AS change_pct,
       round((100 * (candidate_p95_ms / base_p95_ms - 1))::numeric, 2) AS p95_change_pct,
       p_value < 0.001 AS significant, verdict
  FROM (VALUES (920045, 920046), (920046, 920045)) AS p(b, c), LATERAL loadtest_compare(p.b, p.c) x
 ORDER BY b, operation IS NULL, operation;
SELECT * FROM pg_temp.check('SELECT loadtest_check(920045, baseline => 920046)');
-- The rule, case by case: significant, and the median or the p95 moved by
-- min_change_pct in the direction of z (the other may move either way);
-- not when what moved that much moved against z, nor when p is not small
-- enough, z is 0 or nothing is known.
SELECT c.change_pct, c.p95_change_pct, c.z, c.p_value,
       loadtest.compare_verdict(c.change_pct, c.p95_change_pct, c.z, c.p_value, 5) AS verdict
  FROM (VALUES (6::float8, 0::float8, 3::float8, 0.001::float8),
               (0, 6, 3, 0.001),
               (0, -50, -3, 0.001),
               (-6, 1, -3, 0.001),
               (5, 5, 3, 0.001),
               (4.99, 4.99, 3, 0.001),
               (-6, 60, 3, 0.001),
               (6, -60, -3, 0.001),
               (-6, 1, 3, 0.001),
               (6, -1, -3, 0.001),
               (50, 50, 3, 0.01),
               (50, 50, 0, 0.001),
               (NULL, 50, 3, 0.001),
               (50, NULL, 3, 0.001),
               (NULL, NULL, 3, 0.001),
               (50, 50, NULL, NULL)) AS c(change_pct, p95_change_pct, z, p_value);

-- The text form; runs of different tests say so.
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920001, 920002), E'\n') AS line;
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920003, 920004), E'\n') AS line;
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920042, 920043), E'\n') AS line;
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920001, 920003), E'\n') AS line;

-- Bad arguments (22023) before anything, unknown runs (42704).
SELECT pg_temp.err('SELECT * FROM loadtest_compare(920001, 920002, -1)') AS negative_change;
SELECT pg_temp.err($$SELECT * FROM loadtest_compare(999999999, 920002, 'NaN')$$) AS nan_change_first;
SELECT pg_temp.err($$SELECT * FROM loadtest_compare(920001, 920002, 'Infinity')$$) AS infinite_change;
SELECT pg_temp.err('SELECT * FROM loadtest_compare(920001, 920002, NULL)') AS null_change;
SELECT pg_temp.err('SELECT * FROM loadtest_compare(NULL, 920002)') AS null_base;
SELECT pg_temp.err('SELECT * FROM loadtest_compare(999999999, 920002)') AS unknown_base;
SELECT pg_temp.err('SELECT * FROM loadtest_compare(920001, 999999999)') AS unknown_candidate;
SELECT pg_temp.err('SELECT loadtest_compare_report(920001, 920002, -0.5)') AS report_negative_change;
SELECT pg_temp.err('SELECT loadtest_compare_report(920001, 999999999)') AS report_unknown;

-- ---------------------------------------------------------------------------
-- loadtest_check
-- ---------------------------------------------------------------------------

-- More runs: 920006 completed with 10% of its operations failed (samples);
-- 920007 cancelled, with summaries; 920008 still running, no summaries.
SELECT pg_temp.plant_run(920006, 'distributed', 10, 100, '{read_member_list}');
SELECT pg_temp.plant_samples(920006, 'read_member_list', pg_temp.lat(500, 10, 20, 41), p_failures => 50);
SELECT loadtest.summarize_samples(920006);
SELECT pg_temp.plant_run(920007, 'distributed', 10, 100, '{read_member_list}', p_status => 'cancelled');
UPDATE loadtest.runs SET message = E'cancelled by\nthe user' WHERE run_id = 920007;
SELECT pg_temp.plant_histogram(920007, 'read_member_list', pg_temp.lat(500, 11, 20, 41));
-- (the comparison of a run not completed says so)
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920007, 920006), E'\n') AS line;
SELECT pg_temp.plant_run(920008, 'distributed', 10, 100, '{read_member_list}', p_status => 'running');
-- (started since the server: loadtest_mark_stale_runs() leaves it running)
UPDATE loadtest.runs SET started_at = clock_timestamp(), ended_at = NULL, duration_s = NULL
 WHERE run_id = 920008;
SELECT run_id, status, total_ops, round(success_pct::numeric, 2) AS success_pct,
       round(throughput_ops_s::numeric, 2) AS throughput, round(avg_ms::numeric, 4) AS avg_ms,
       p95_ms, p99_ms
  FROM loadtest.run_summary WHERE run_id BETWEEN 920001 AND 920008 ORDER BY run_id;

-- Passing: true (every threshold held, no operation slower than in the
-- baseline, here the run itself and a run of the same distribution).
SELECT loadtest_check(920002, max_avg_ms => 1, max_p95_ms => 1, max_p99_ms => 1,
                      min_throughput => 10, min_success_pct => 99) AS passes;
SELECT loadtest_check(920005, max_p95_ms => 25, baseline => 920003) AS same_test_passes;
SELECT loadtest_check(920003, baseline => 920003) AS itself_passes;
-- no threshold at all: a completed run passes
SELECT loadtest_check(920001) AS no_thresholds;
-- on the edge: a limit equal to the figure holds
SELECT loadtest_check(920004, max_p95_ms => (SELECT p95_ms FROM loadtest.run_summary WHERE run_id = 920004),
                      min_success_pct => 100) AS edge_holds;

-- Broken: SQLSTATE LT001, every threshold broken in the message with its
-- value and limit, one DETAIL line each, a HINT.
SELECT * FROM pg_temp.check($$SELECT loadtest_check(920004, max_avg_ms => 10, max_p95_ms => 18,
                                                    max_p99_ms => 100, min_throughput => 5000,
                                                    min_success_pct => 99, baseline => 920003,
                                                    max_regression_pct => 2)$$);
-- one threshold: singular
SELECT * FROM pg_temp.check('SELECT loadtest_check(920006, min_success_pct => 99)');
-- a run not completed breaks the check, whatever its figures
SELECT * FROM pg_temp.check('SELECT loadtest_check(920007)');
SELECT * FROM pg_temp.check('SELECT loadtest_check(920007, max_p95_ms => 1000)');
-- a figure not measured breaks its threshold
SELECT * FROM pg_temp.check('SELECT loadtest_check(920008, max_p95_ms => 1000, min_throughput => 1)');
-- baseline: the operations loadtest_compare calls slower (2x: search_members
-- and the whole run)
SELECT * FROM pg_temp.check('SELECT loadtest_check(920002, baseline => 920001)');
-- what loadtest_compare calls no significant change is no regression
SELECT loadtest_check(920004, baseline => 920003) AS three_pct_under_5;
SELECT * FROM pg_temp.check('SELECT loadtest_check(920004, baseline => 920003, max_regression_pct => 2.5)');
-- a baseline with nothing to compare breaks it
SELECT * FROM pg_temp.check('SELECT loadtest_check(920002, baseline => 920008)');
-- faster than the baseline is no regression
SELECT loadtest_check(920001, baseline => 920002) AS faster_passes;

-- Bad arguments: 22023 before anything (even before an unknown run);
-- unknown run: 42704.
SELECT a AS call, pg_temp.err('SELECT loadtest_check(' || a || ')') AS result
  FROM unnest(ARRAY[
        $$920001, max_p95_ms => 'NaN'$$,
        $$920001, max_avg_ms => -1$$,
        $$920001, max_p99_ms => 'Infinity'$$,
        $$920001, min_throughput => -0.001$$,
        $$920001, min_success_pct => 100.5$$,
        $$999999999, min_success_pct => 'NaN'$$,
        $$920001, baseline => 920002, max_regression_pct => -1$$,
        $$920001, baseline => 920002, max_regression_pct => NULL$$,
        $$920001, target_users => 0$$,
        $$920001, require_ready => true, target_ms => 'NaN'$$,
        $$920001, require_ready => true, target_users => NULL$$,
        $$999999999$$,
        $$920001, baseline => 999999999$$]) AS a;

-- require_ready: loadtest_verdict(run_id, target_users, target_ms) must say
-- ready.  Run 920030 is the only run of its test (pattern
-- compare_check_ready), so that the verdict rests on it alone: 10 users,
-- 100 ms think time, 1,000 operations of 20 .. 60 us in 10 s.
SELECT pg_temp.plant_run(920030, 'compare_check_ready', 10, 100, '{read_member_list}', p_samples => 'none');
SELECT pg_temp.plant_histogram(920030, 'read_member_list', pg_temp.lat(1000, 14, 20, 41));
SELECT ready, basis FROM loadtest_verdict(920030, 10, 500);
SELECT loadtest_check(920030, require_ready => true, target_users => 10) AS ready_passes;
-- not ready (0.01 ms is less than the operation takes), or not known (no
-- run at 4000 users, nothing saturated, no model): broken; the DETAIL line
-- up to the verdict's explanation
SELECT regexp_replace(r, '(\(basis [a-z]+\)).*$', '\1') AS check_result
  FROM pg_temp.check('SELECT loadtest_check(920030, require_ready => true, target_users => 10, target_ms => 0.01)') AS r;
SELECT regexp_replace(r, '(\(basis [a-z]+\)).*$', '\1') AS check_result
  FROM pg_temp.check('SELECT loadtest_check(920030, max_p95_ms => 0.01, require_ready => true)') AS r;

-- Another role sees only its own runs: loadtest_check() checks its latest
-- run; the others' runs are unknown to it; a role without runs has none to
-- check (no_data_found).
CREATE ROLE loadtest_cmp_carol;
CREATE ROLE loadtest_cmp_dave;
SELECT pg_temp.plant_run(r, 'distributed', 10, 100, '{read_member_list}')
  FROM unnest(ARRAY[920010, 920011]) AS r;
UPDATE loadtest.runs SET role_name = 'loadtest_cmp_carol' WHERE run_id IN (920010, 920011);
SELECT pg_temp.plant_histogram(920010, 'read_member_list', pg_temp.lat(300, 12, 20, 41));
SELECT pg_temp.plant_histogram(920011, 'read_member_list', pg_temp.lat(300, 13, 40, 82));
SET ROLE loadtest_cmp_carol;
SELECT * FROM pg_temp.check('SELECT loadtest_check(max_p95_ms => 0.05)');
SELECT loadtest_check(920010, max_p95_ms => 0.1) AS own_run;
SELECT operation, verdict FROM loadtest_compare(920010, 920011);
SELECT pg_temp.err('SELECT loadtest_check(920001)') AS others_run;
SELECT pg_temp.err('SELECT * FROM loadtest_compare(920001, 920011)') AS others_base;
SELECT pg_temp.err('SELECT loadtest_compare_report(920010, 920002)') AS others_candidate;
RESET ROLE;
SET ROLE loadtest_cmp_dave;
SELECT pg_temp.err('SELECT loadtest_check()') AS no_runs;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Any content of the tables: still answers, never another error
-- ---------------------------------------------------------------------------

-- Run 920020: the histograms of 920001 and, beside them, malformed rows
-- (arrays of different lengths, NULL elements, buckets out of range,
-- negative counts, two dimensions, counts beyond bigint): the aggregate
-- leaves those out, and so does the U statistic, so the comparison is
-- that of 920001; malformed per-second rows beside them (in a second of
-- 920001 and in none) are left out of the design effect.
SELECT pg_temp.plant_run(920020, 'distributed', 10, 100, '{read_member_list,search_members,update_member}');
INSERT INTO loadtest.run_histograms
SELECT 920020, scope, operation_no, stage, second, ops, errors, retried_ops, retries, late_starts,
       first_start_us, last_end_us, latency_sum_us, latency_min_us, latency_max_us, latency_buckets,
       latency_counts, wait_sum_us, wait_max_us, wait_buckets, wait_counts, response_buckets,
       response_counts, active_users, commits, wal_bytes
  FROM loadtest.run_histograms WHERE run_id = 920001;
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts, latency_sum_us,
        latency_buckets, latency_counts, wait_sum_us, wait_buckets, wait_counts, response_buckets,
        response_counts)
SELECT 920020, 'operation', o, 0, 0, 0, 0, 0, 0, m.b, m.c, 0, '{}', '{}', '{}', '{}'
  FROM unnest(ARRAY[0, 1]::smallint[]) AS o,
       (VALUES ('{1,2,3}'::integer[], '{5,5}'::bigint[]),
               ('{5,NULL}', '{100,100}'),
               ('{5,6}', '{100,NULL}'),
               ('{-1}', '{100}'),
               ('{2432}', '{100}'),
               ('{5}', '{-100}'),
               ('{{5,6},{7,8}}', '{{1,1},{1,1}}'),
               ('{5,6}', '{9223372036854775807,1}'),
               ('{}', '{}')) AS m(b, c);
INSERT INTO loadtest.run_histograms
       (run_id, scope, second, ops, errors, retried_ops, retries, late_starts, latency_sum_us,
        latency_buckets, latency_counts, wait_sum_us, wait_buckets, wait_counts, response_buckets,
        response_counts)
SELECT 920020, 'second', sec, 100, 0, 0, 0, 0, 'NaN', m.b, m.c, 0, '{}', '{}', '{}', '{}'
  FROM unnest(ARRAY[3, NULL]) AS sec,
       (VALUES ('{1,2,3}'::integer[], '{5,5}'::bigint[]),
               ('{5,NULL}', '{100,100}'),
               ('{5,6}', '{100,NULL}'),
               ('{-1}', '{100}'),
               ('{2432}', '{100}'),
               ('{5}', '{-100}'),
               ('{{5,6},{7,8}}', '{{1,1},{1,1}}'),
               ('{5,6}', '{9223372036854775807,1}'),
               ('{}', '{}')) AS m(b, c);
SELECT (SELECT ROW(d.*)::text FROM loadtest.run_design_effect(920020) d)
     = (SELECT ROW(d.*)::text FROM loadtest.run_design_effect(920001) d) AS malformed_seconds_left_out;
SELECT (SELECT array_agg(ROW(c.operation, c.base_median_ms, c.candidate_median_ms, c.base_p95_ms,
                             c.candidate_p95_ms, c.change_pct, c.p_value, c.verdict)::text)
          FROM loadtest_compare(920020, 920002) c)
     = (SELECT array_agg(ROW(c.operation, c.base_median_ms, c.candidate_median_ms, c.base_p95_ms,
                             c.candidate_p95_ms, c.change_pct, c.p_value, c.verdict)::text)
          FROM loadtest_compare(920001, 920002) c) AS malformed_rows_left_out;
-- the U statistic of a malformed histogram alone: NULLs
SELECT m.b::text, m.c::text, t.u IS NULL AND t.z IS NULL AND t.p_value IS NULL AS no_answer
  FROM (VALUES ('{1,2,3}'::integer[], '{5,5}'::bigint[]), ('{5,NULL}', '{1,1}'), ('{5,6}', '{1,NULL}'),
               ('{-1}', '{1}'), ('{2432}', '{1}'), ('{5}', '{-1}'), ('{{5,6},{7,8}}', '{{1,1},{1,1}}'),
               ('{5,6}', '{9223372036854775807,1}'), ('{}', '{}'), ('{5}', '{0}'), (NULL, NULL)) AS m(b, c),
       LATERAL loadtest.histogram_mann_whitney(m.b, m.c, '{5}', '{1}') t;
-- counts at the bigint maximum: double precision throughout, no overflow
SELECT u > 0 AS u_positive, z < -1e9 AS z_far, p_value
  FROM loadtest.histogram_mann_whitney('{10,2431}', '{4611686018427387903,4611686018427387903}',
                                       '{0,2431}', '{9223372036854775806,1}');

-- Run 920021: hostile summaries (the rows of 45_hostile_content's kind):
-- operations of hostile names, one name under two numbers, rows of no
-- operation, every kind of malformed array, counts near the bigint
-- maximum, sums NaN and infinite; and a run 920022 with no row at all.
SELECT pg_temp.plant_run(920021, 'distributed', 2147483647, -100, '{read_member_list,search_members}',
                         p_pool => 0);
UPDATE loadtest.runs SET pattern = repeat(E'pat\n\t' || chr(27) || '[31m %s', 1000), rate = 'NaN',
                         stages = '{"not": "an array"}', message = repeat(E'x\n', 5000)
 WHERE run_id = 920021;
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements, params,
                                     variants, builtin, owner, description)
VALUES (920021, 5, repeat(E'op\n\t' || chr(1) || chr(27) || '[31m %s %% %I' || chr(127), 1000), 'read',
        '{}', '[]', NULL, false, 'postgres', NULL),
       (920021, 6, 'read_member_list', 'read', '{}', '[]', NULL, false, 'postgres', NULL),
       (920021, -32768, '', '', NULL, NULL, NULL, false, '', NULL);
INSERT INTO loadtest.run_histograms
       (run_id, scope, operation_no, ops, errors, retried_ops, retries, late_starts, first_start_us,
        last_end_us, latency_sum_us, latency_min_us, latency_max_us, latency_buckets, latency_counts,
        wait_sum_us, wait_buckets, wait_counts, response_buckets, response_counts)
SELECT 920021, 'operation', (ARRAY[0, 1, 5, 6, -32768, 32767, NULL])[n % 7 + 1]::smallint,
       (ARRAY[0, 1, -1, 10, 9223372036854775807, -9223372036854775808])[n % 6 + 1],
       (ARRAY[0, 1, -5, 9223372036854775807, 3])[n % 5 + 1], 0, 0, 0,
       (ARRAY[0, -1, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 1000000, 9223372036854775807, -9223372036854775808, NULL])[n % 5 + 1],
       (ARRAY[0, 'NaN', 'Infinity', '-Infinity', 1e308, -1e308, 5e-324, 1000])[n % 8 + 1]::float8,
       (ARRAY[0, -1, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY[0, -9223372036854775808, 9223372036854775807, NULL])[n % 4 + 1],
       (ARRAY['{}', '{0}', '{-1,5,2431}', '{2432,2147483647,-2147483648}', '{1,2,3}', '{NULL,1}',
              '{3,2,1}', '{5,5,5}', '{2431}', '{0,2431}'])[n % 10 + 1]::integer[],
       (ARRAY['{}', '{1,2}', '{9223372036854775807}', '{-1,-2,-3}', '{1,NULL,1}', '{4611686018427387903}',
              '{9223372036854775807,9223372036854775807,9223372036854775807}', '{0,0,0}', '{7}'])[n % 9 + 1]::bigint[],
       0, '{}', '{}', '{}', '{}'
  FROM generate_series(1, 200) AS n;
-- and per-second rows of every kind: seconds at the ends of integer and
-- NULL, the malformed arrays, counts near the bigint maximum, NaN sums
INSERT INTO loadtest.run_histograms
       (run_id, scope, second, ops, errors, retried_ops, retries, late_starts, latency_sum_us,
        latency_buckets, latency_counts, wait_sum_us, wait_buckets, wait_counts, response_buckets,
        response_counts)
SELECT 920021, 'second', (ARRAY[0, 1, 2, -1, 2147483647, -2147483648, NULL])[n % 7 + 1],
       (ARRAY[0, 1, -1, 10, 9223372036854775807, -9223372036854775808])[n % 6 + 1], 0, 0, 0, 0,
       (ARRAY[0, 'NaN', 'Infinity', '-Infinity', 1e308, -1e308, 5e-324, 1000])[n % 8 + 1]::float8,
       (ARRAY['{}', '{0}', '{-1,5,2431}', '{2432,2147483647,-2147483648}', '{1,2,3}', '{NULL,1}',
              '{3,2,1}', '{5,5,5}', '{2431}', '{0,2431}'])[n % 10 + 1]::integer[],
       (ARRAY['{}', '{1,2}', '{9223372036854775807}', '{-1,-2,-3}', '{1,NULL,1}', '{4611686018427387903}',
              '{9223372036854775807,9223372036854775807,9223372036854775807}', '{0,0,0}', '{7}'])[n % 9 + 1]::bigint[],
       0, '{}', '{}', '{}', '{}'
  FROM generate_series(1, 200) AS n;
SELECT d.design_effect >= 1 AND d.design_effect < 'Infinity' AS design_effect_finite, d.seconds,
       d.attempts > 9223372036854775807::float8 AS attempts_beyond_bigint
  FROM loadtest.run_design_effect(920021) d;
SELECT pg_temp.plant_run(920022, 'distributed', 10, 100, '{}');
-- every pair: rows, a text report, a check that returns or raises LT001
SELECT count(*) AS pairs, bool_and(rows >= 1) AS always_a_whole_run_row,
       bool_and(report IS NOT NULL) AS reports_are_text,
       max(length(report)) < 20000 AS reports_bounded,
       bool_and(report !~ E'[\\x01-\\x09\\x0b-\\x1f\\x7f]') AS no_control_characters
  FROM unnest(ARRAY[920001, 920020, 920021, 920022]) AS b,
       unnest(ARRAY[920001, 920020, 920021, 920022]) AS c,
       LATERAL (SELECT count(*) AS rows FROM loadtest_compare(b, c) x) n,
       LATERAL (SELECT loadtest_compare_report(b, c) AS report) r;
SELECT b, c, operation IS NULL AS whole_run, loadtest.one_line(operation, 16) AS operation, base_ops, candidate_ops,
       verdict, p_value IS NULL AS no_p
  FROM unnest(ARRAY[920021, 920022]) AS b, unnest(ARRAY[920021, 920001]) AS c,
       LATERAL loadtest_compare(b, c) x
 ORDER BY b, c, whole_run, operation COLLATE "C";
-- (the figures of these rows depend on the order the rows are read in:
-- loadtest.histogram_percentiles leaves out the rows that would take its
-- total beyond bigint; so only the lines around the table, and the check's
-- SQLSTATE, and one DETAIL line per threshold named)
SELECT line FROM regexp_split_to_table(loadtest_compare_report(920001, 920021), E'\n') AS line
 WHERE line !~ '(no significant change|slower|faster)$';
SELECT count(*) AS table_rows
  FROM regexp_split_to_table(loadtest_compare_report(920001, 920021), E'\n') AS line
 WHERE line ~ '(no significant change|slower|faster)$';
SELECT (regexp_match(min(r) FILTER (WHERE r LIKE 'ERROR%'), '^ERROR ([A-Z0-9]+): load test run 920021 broke'))[1] AS sqlstate,
       (regexp_match(min(r) FILTER (WHERE r LIKE 'ERROR%'), 'broke ([0-9]+) threshold'))[1]::integer
         = count(*) FILTER (WHERE r LIKE 'DETAIL%') AS one_detail_line_each,
       count(*) FILTER (WHERE r LIKE 'HINT%') AS hints
  FROM pg_temp.check($$SELECT loadtest_check(920021, max_avg_ms => 1, max_p95_ms => 1, max_p99_ms => 1,
                                              min_throughput => 1, min_success_pct => 99,
                                              baseline => 920001)$$) AS r;
SELECT * FROM pg_temp.check('SELECT loadtest_check(920022, max_p95_ms => 1, baseline => 920022)');
-- an unknown baseline is named as the argument it was given in
SELECT * FROM pg_temp.check('SELECT loadtest_check(920001, baseline => 929999999)');

-- Clean up the other roles' runs and the roles.
DELETE FROM loadtest.runs WHERE role_name IN ('loadtest_cmp_carol', 'loadtest_cmp_dave');
DROP ROLE loadtest_cmp_carol;
DROP ROLE loadtest_cmp_dave;
