-- loadtest 1.6: runs compared, and CI gates (issue #11).
--
--   loadtest.histogram_mann_whitney(...)  the two-sided Mann-Whitney U test
--                                         of two latency histograms
--   loadtest.run_design_effect(run_id)    how much the drift of a run within
--                                         itself inflates the variance of
--                                         the test (1: none)
--   loadtest_compare(base, candidate, min_change_pct)
--                                         per operation (by name) and for the
--                                         whole run: medians, p95, change of
--                                         the median, p value, verdict
--   loadtest_compare_report(...)          the same as text, for people
--   loadtest_check(run_id, thresholds...) true, or an ERROR with SQLSTATE
--                                         LT001 ("a load test threshold
--                                         broke") naming every threshold
--                                         broken, for CI jobs (psql -v
--                                         ON_ERROR_STOP=1)
--
-- Only the bounded summaries are read (loadtest.run_histograms, through the
-- views), never loadtest.sample_log: a comparison works whether the runs kept
-- their samples or only their summaries, and costs the same however long the
-- runs were.  The statistics come from the latency histograms of the
-- 'operation' rows: one bucket per microsecond below 128 us, then 64 per
-- power of two (1.56% wide), so two latencies in one bucket are a tie.
--
-- The attempts of one run are not independent: its latencies drift (the
-- load of the machine, caches warming, tables growing), so two runs of the
-- same test differ by more than the test of independent attempts allows.
-- The p values are those of the test deflated by the runs' design effects
-- (Kish), estimated from each run's own seconds: how much more the
-- attempts of one second have in common than independent attempts would
-- (see loadtest.run_design_effect, loadtest.compare_design_effect).
--
-- SECURITY INVOKER: the result tables are read through row-level security
-- as the caller (a role compares and checks its own runs).  Any content of
-- those tables gives an answer, not an error: malformed histogram rows are
-- left out as loadtest.histogram_percentiles leaves them out, the sums are
-- taken in double precision (no count of bigint overflows them), texts go
-- through loadtest.one_line(), numbers through loadtest.format_number().
--
-- Every routine here is plpgsql or SQL with a string body: parsed when it
-- runs, under its pinned search_path (pg_catalog, pg_temp), so its operators
-- are pg_catalog's whatever their operand types.  The set-returning ones
-- declare the rows they return (ROWS): with the default of 1000 the
-- planner's estimates of a comparison reach JIT's threshold, and compiling
-- costs 150 ms where the comparison costs 2.

-- ---------------------------------------------------------------------------
-- Statistics (internal)
-- ---------------------------------------------------------------------------

-- The significance level of the comparisons: a change counts only when its
-- p value is below it (and it is at least min_change_pct).
CREATE OR REPLACE FUNCTION loadtest.compare_alpha()
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 0.01::float8
$$;

COMMENT ON FUNCTION loadtest.compare_alpha() IS
'loadtest (internal): the significance level of loadtest_compare (0.01): a change counts only when its p value is below it';

-- The complementary error function, erfc(x) = 1 - erf(x), to about 1e-15
-- (PostgreSQL 15 has none): below 2.5 the series of erf with positive terms,
-- erf(x) = 2/sqrt(pi) exp(-x^2) sum_k 2^k x^(2k+1) / (1 3 5 ... (2k+1)); from
-- 2.5 on the continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x +
-- 1/(x + (3/2)/(x + ...)))) (modified Lentz); 0 from 26 on (below 1e-295),
-- where exp() would underflow.
CREATE OR REPLACE FUNCTION loadtest.erfc(x double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_sqrt_pi constant double precision := 1.7724538509055160273;
    v_term    double precision;
    v_sum     double precision;
    v_f       double precision;
    v_c       double precision;
    v_d       double precision;
    v_delta   double precision;
BEGIN
    IF x = 'NaN'::float8 THEN
        RETURN 'NaN'::float8;
    ELSIF x < 0 THEN
        RETURN 2 - loadtest.erfc(-x);
    ELSIF x >= 26 THEN
        RETURN 0;
    ELSIF x < 1e-50 THEN                -- (x * x would underflow)
        RETURN 1;
    ELSIF x < 2.5 THEN
        v_term := x;
        v_sum := x;
        FOR k IN 1 .. 200 LOOP
            v_term := v_term * 2 * x * x / (2 * k + 1);
            v_sum := v_sum + v_term;
            EXIT WHEN v_term < 1e-17 * v_sum;
        END LOOP;
        RETURN 1 - 2 / c_sqrt_pi * exp(-x * x) * v_sum;
    END IF;
    v_f := x;
    v_c := x;
    v_d := 0;
    FOR k IN 1 .. 1000 LOOP
        v_d := 1 / (x + k / 2.0::float8 * v_d);
        v_c := x + k / 2.0::float8 / v_c;
        v_delta := v_c * v_d;
        v_f := v_f * v_delta;
        EXIT WHEN abs(v_delta - 1) < 1e-16;
    END LOOP;
    RETURN exp(-x * x) / (c_sqrt_pi * v_f);
END
$$;

COMMENT ON FUNCTION loadtest.erfc(double precision) IS
'loadtest (internal): the complementary error function 1 - erf(x), to about 1e-15 (series below 2.5, continued fraction above, 0 from 26 on); the two-sided p value of a normal z is erfc(|z| / sqrt(2))';

-- Is (buckets, counts) a histogram as loadtest.histogram_percentiles takes
-- one: one-dimensional arrays of one length without NULLs, buckets in range
-- (0 .. the last bucket), counts not negative and adding up within bigint?
-- A row that is not one is left out as a whole (reports survive any content
-- of the tables).
CREATE OR REPLACE FUNCTION loadtest.histogram_valid(buckets integer[], counts bigint[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN buckets IS NULL OR counts IS NULL THEN false
            WHEN coalesce(array_ndims(buckets), 1) <> 1 OR coalesce(array_ndims(counts), 1) <> 1 THEN false
            WHEN cardinality(buckets) <> cardinality(counts) THEN false
            WHEN array_position(buckets, NULL) IS NOT NULL OR array_position(counts, NULL) IS NOT NULL THEN false
            ELSE 0 <= ALL (buckets)
                 AND loadtest.histogram_bucket(9223372036854775807) >= ALL (buckets)
                 AND 0::bigint <= ALL (counts)
                 AND coalesce((SELECT sum(x.n) FROM unnest(counts) AS x(n)), 0::numeric)
                     <= 9223372036854775807::numeric END
$$;

COMMENT ON FUNCTION loadtest.histogram_valid(integer[], bigint[]) IS
'loadtest (internal): whether buckets and counts form a histogram of loadtest.run_histograms (one-dimensional, same length, no NULLs, buckets 0..2431, counts >= 0 adding up within bigint); malformed rows are left out';

-- The two-sided Mann-Whitney U test of two latency histograms, base and
-- candidate, from their bucket counts (the buckets in any order; a bucket
-- given twice adds up).  With c1(b), c2(b) the counts of bucket b, n1, n2
-- their totals, n = n1 + n2, t(b) = c1(b) + c2(b):
--   u = sum over b of c2(b) * (c1(buckets below b) + c1(b) / 2)
-- the pairs (base, candidate) in which the candidate's latency is the larger,
-- a tie (same bucket) counting 1/2: u > n1 n2 / 2 when the candidate is
-- slower;
--   var = n1 n2 / 12 * ((n + 1) - sum over b of (t^3 - t) / (n (n - 1)))
-- (tie correction);
--   z = sign(d) * max(|d| - 1/2, 0) / sqrt(var), d = u - n1 n2 / 2
-- (normal approximation, continuity correction); p_value = erfc(|z| /
-- sqrt(2)).  All in double precision (exact up to 2^53 per sum, no
-- overflow for any bigint counts).  Every value tied (var = 0): z 0,
-- p_value 1.  NULLs when a histogram is malformed (see
-- loadtest.histogram_valid) or empty.
CREATE OR REPLACE FUNCTION loadtest.histogram_mann_whitney(base_buckets integer[], base_counts bigint[],
                                                           cand_buckets integer[], cand_counts bigint[])
RETURNS TABLE (u double precision, z double precision, p_value double precision)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_u    double precision;
    v_n1   double precision;
    v_n2   double precision;
    v_n    double precision;
    v_ties double precision;
    v_var  double precision;
    v_d    double precision;
BEGIN
    IF NOT (loadtest.histogram_valid(base_buckets, base_counts)
            AND loadtest.histogram_valid(cand_buckets, cand_counts)) THEN
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT sum(g.c2 * (g.below1 + g.c1 / 2::float8)), sum(g.c1), sum(g.c2),
           sum(g.t * g.t * g.t - g.t)
      INTO v_u, v_n1, v_n2, v_ties
      FROM (SELECT m.c1, m.c2, m.c1 + m.c2 AS t,
                   coalesce(sum(m.c1) OVER (ORDER BY m.bucket
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                            0::float8) AS below1
              FROM (SELECT e.bucket,
                           coalesce(sum(e.n) FILTER (WHERE e.side = 1), 0::float8) AS c1,
                           coalesce(sum(e.n) FILTER (WHERE e.side = 2), 0::float8) AS c2
                      FROM (SELECT 1 AS side, x.bucket, x.n::float8 AS n
                              FROM unnest(base_buckets, base_counts) AS x(bucket, n)
                            UNION ALL
                            SELECT 2, x.bucket, x.n::float8
                              FROM unnest(cand_buckets, cand_counts) AS x(bucket, n)) e
                     GROUP BY e.bucket) m) g;

    IF NOT (v_n1 > 0 AND v_n2 > 0) THEN
        RETURN NEXT;
        RETURN;
    END IF;
    v_n := v_n1 + v_n2;
    v_var := v_n1 * v_n2 / 12 * ((v_n + 1) - v_ties / (v_n * (v_n - 1)));
    v_d := v_u - v_n1 * v_n2 / 2;
    u := v_u;
    IF v_var > 0 THEN
        z := sign(v_d) * GREATEST(abs(v_d) - 0.5::float8, 0::float8) / sqrt(v_var);
        p_value := LEAST(1::float8, loadtest.erfc(abs(z) / sqrt(2::float8)));
    ELSE
        z := 0;
        p_value := 1;
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.histogram_mann_whitney(integer[], bigint[], integer[], bigint[]) IS
'loadtest: two-sided Mann-Whitney U test of two latency histograms (buckets, counts of loadtest.run_histograms): u = pairs in which the candidate is slower, a tie within a bucket counting 1/2 (u > n1 n2 / 2: candidate slower); z with tie and continuity corrections (> 0: candidate slower); p_value from the normal approximation; double precision throughout; NULLs for a malformed or empty histogram';

-- The design effect (Kish) of a run's attempts, estimated from its own
-- seconds: its 'second' rows of loadtest.run_histograms (all operations
-- together; malformed rows left out, rows of one second added up; seconds
-- with at least one attempt).  On the scale of the Mann-Whitney test
-- itself, the mid-distribution of the run's latencies: an attempt in
-- bucket b stands for F(b) = (attempts in the buckets below b + half of
-- those in b) / N, so ties count 1/2 as in the test, the values lie in
-- 0 .. 1 whatever the tail, and their mean is mu = 1/2.  With n_s the
-- attempts of second s, m_s the mean of their F, S the seconds, N the
-- attempts:
--   V       = sum over s of n_s (m_s - mu)^2 / (S - 1)
-- the variance between the seconds' means, scaled to one attempt, and
--   sigma^2 = sum over b of n_b (F(b) - mu)^2 / (N - 1)
-- the variance of one attempt; V is sigma^2 on average when the attempts
-- are independent (one-way analysis of variance), and (1 + (n - 1) rho)
-- sigma^2 when the n attempts of a second correlate by rho.
--   design_effect = max(1, V / sigma^2)
-- (1 when S < 3 or sigma^2 = 0: nothing to estimate it from).  The
-- variance of a rank test of the run's attempts is design_effect times
-- that of independent attempts (loadtest.compare_design_effect combines
-- those of two runs).  Double precision throughout; every value
-- bounded (0 .. 1, counts within bigint), so no content of the tables
-- overflows it.  Seconds whose drift is slower than a second are in
-- different seconds, so a slow drift counts as far as it moves the
-- seconds' means apart.
CREATE OR REPLACE FUNCTION loadtest.run_design_effect(run_id bigint)
RETURNS TABLE (design_effect double precision, seconds bigint, attempts double precision,
               variance_ratio double precision)
LANGUAGE sql STABLE STRICT ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
-- (at most 1000 seconds, evenly spaced, are read: a long run costs no more)
WITH numbered AS (
    SELECT d.second, row_number() OVER (ORDER BY d.second) AS no, count(*) OVER () AS seconds
      FROM (SELECT DISTINCT h.second FROM loadtest.run_histograms h
             WHERE h.run_id = run_design_effect.run_id AND h.scope = 'second' AND h.second IS NOT NULL) d
), chosen AS (
    SELECT x.second FROM numbered x
     WHERE (x.no - 1) % greatest(1, ceil(x.seconds::numeric / 1000))::bigint = 0
), cells AS (
    SELECT h.second, e.bucket, sum(e.n::float8) AS n
      FROM loadtest.run_histograms h,
           unnest(h.latency_buckets, h.latency_counts) AS e(bucket, n)
     WHERE h.run_id = run_design_effect.run_id AND h.scope = 'second'
       -- (a condition of the scan, before the costlier check of the arrays)
       AND h.second = ANY (ARRAY(SELECT c.second FROM chosen c))
       AND loadtest.histogram_valid(h.latency_buckets, h.latency_counts) AND e.n > 0
     GROUP BY h.second, e.bucket
), buckets AS (
    SELECT m.bucket, m.n,
           (coalesce(sum(m.n) OVER (ORDER BY m.bucket ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                     0::float8) + m.n / 2) / nullif(sum(m.n) OVER (), 0::float8) AS f
      FROM (SELECT c.bucket, sum(c.n) AS n FROM cells c GROUP BY c.bucket) m
), secs AS (
    SELECT c.second, sum(c.n) AS n, sum(c.n * b.f) / nullif(sum(c.n), 0::float8) AS m
      FROM cells c JOIN buckets b ON b.bucket = c.bucket
     GROUP BY c.second
), run AS (
    SELECT count(*) AS s, coalesce(sum(x.n), 0::float8) AS n,
           sum(x.n * x.m) / nullif(sum(x.n), 0::float8) AS mu
      FROM secs x
), ratio AS (
    SELECT r.s, r.n,
           (SELECT sum(x.n * (x.m - r.mu) * (x.m - r.mu)) FROM secs x)
             / nullif(r.s - 1, 0)::float8 AS v,
           (SELECT sum(b.n * (b.f - r.mu) * (b.f - r.mu)) FROM buckets b)
             / nullif(r.n - 1, 0::float8) AS sigma2
      FROM run r
)
SELECT CASE WHEN x.s >= 3 AND x.sigma2 > 0 THEN GREATEST(1::float8, x.v / x.sigma2) ELSE 1::float8 END,
       x.s, x.n,
       CASE WHEN x.s >= 3 AND x.sigma2 > 0 THEN x.v / x.sigma2 END
  FROM ratio x
$$;

COMMENT ON FUNCTION loadtest.run_design_effect(bigint) IS
'loadtest: the design effect (Kish) of a run''s attempts, from its per-second latency histograms (scope second of loadtest.run_histograms; at most 1000 seconds, evenly spaced, of a longer run): max(1, V / sigma^2), V = sum n_s (m_s - mu)^2 / (S - 1) the variance between the S seconds'' means m_s of n_s attempts, sigma^2 that of one attempt, both on the mid-distribution scale of the run''s latencies (F(b) = share of attempts below bucket b plus half of those in it, mu = 1/2); 1 when fewer than 3 seconds or all tied; seconds (S), attempts (N) and variance_ratio V / sigma^2 (NULL then) beside it; loadtest_compare divides the z of the Mann-Whitney test by the square root of the two runs'' design effects, each weighted by the other run''s attempts';

-- The design effect of a comparison of two runs' attempts, from each run's
-- own (base_de, candidate_de): with n1 attempts of the base and n2 of the
-- candidate, the variance of the U statistic is n1 n2 / 12 (n2 + n1 + 1)
-- between independent attempts, of which n1 n2^2 / 12 comes from the
-- base's attempts (each in n2 pairs) and n2 n1^2 / 12 from the
-- candidate's; each part grows by its run's design effect, so the whole by
--   (n2 base_de + n1 candidate_de) / (n1 + n2)
-- (each run's design effect weighted by the other run's attempts).  The
-- larger of the two would overstate it when the runs' sizes differ: a run
-- of a million fast attempts (a large design effect: its seconds hold
-- 100,000 each) against a slowed run of 50,000 is as sure as the smaller
-- run's design effect allows.  A design effect not known counts as 1;
-- without attempts, the larger of the two.
CREATE OR REPLACE FUNCTION loadtest.compare_design_effect(base_attempts double precision,
                                                          candidate_attempts double precision,
                                                          base_de double precision,
                                                          candidate_de double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN base_attempts > 0::float8 AND base_attempts < 'Infinity'::float8
                 AND candidate_attempts > 0::float8 AND candidate_attempts < 'Infinity'::float8
            THEN candidate_attempts / (base_attempts + candidate_attempts) * d.b
                 + base_attempts / (base_attempts + candidate_attempts) * d.c
            ELSE GREATEST(d.b, d.c) END
  FROM (SELECT CASE WHEN base_de >= 1::float8 AND base_de <= 'Infinity'::float8 THEN base_de ELSE 1::float8 END AS b,
               CASE WHEN candidate_de >= 1::float8 AND candidate_de <= 'Infinity'::float8 THEN candidate_de ELSE 1::float8 END AS c) d
$$;

COMMENT ON FUNCTION loadtest.compare_design_effect(double precision, double precision, double precision, double precision) IS
'loadtest (internal): the design effect of the Mann-Whitney U statistic of two runs'' attempts: (n2 base_de + n1 candidate_de) / (n1 + n2), n1 and n2 the attempts of the base and the candidate (the larger of the two without attempts); a design effect not known or below 1 counts as 1';

-- The two-sided p value of a Mann-Whitney z whose attempts are not
-- independent: z_eff = z / sqrt(design_effect), p = erfc(|z_eff| /
-- sqrt(2)); a design effect not known (NULL, NaN) or under 1 counts as 1,
-- an infinite one gives 1 (nothing can be told).
CREATE OR REPLACE FUNCTION loadtest.compare_p_value(z double precision, design_effect double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN z IS NULL OR z = 'NaN'::float8 THEN NULL::float8
            WHEN design_effect = 'Infinity'::float8 THEN 1::float8
            ELSE LEAST(1::float8,
                       loadtest.erfc(abs(z) / sqrt(2 * CASE WHEN design_effect > 1::float8
                                                             AND design_effect < 'Infinity'::float8
                                                            THEN design_effect ELSE 1::float8 END)))
       END
$$;

COMMENT ON FUNCTION loadtest.compare_p_value(double precision, double precision) IS
'loadtest (internal): the two-sided p value of a Mann-Whitney z deflated by a design effect: erfc(|z| / sqrt(design_effect) / sqrt(2)); design effect NULL, NaN or below 1 counts as 1, infinite gives 1';

-- The verdict of one comparison: 'slower' or 'faster' only when the change
-- is significant (p_value below loadtest.compare_alpha()) and the median
-- (change_pct) or the p95 (p95_change_pct) moved by at least
-- min_change_pct percent in the direction of the ranks (z); else 'no
-- significant change'.  The p95 counts too: a change in the slowest
-- attempts only (an operation of several variants, one of them changed)
-- leaves the median where it was.
CREATE OR REPLACE FUNCTION loadtest.compare_verdict(change_pct double precision,
                                                    p95_change_pct double precision,
                                                    z double precision, p_value double precision,
                                                    min_change_pct double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN p_value < loadtest.compare_alpha() AND z > 0
                 AND (change_pct >= min_change_pct OR p95_change_pct >= min_change_pct)
            THEN 'slower'
            WHEN p_value < loadtest.compare_alpha() AND z < 0
                 AND (change_pct <= -min_change_pct OR p95_change_pct <= -min_change_pct)
            THEN 'faster'
            ELSE 'no significant change' END
$$;

COMMENT ON FUNCTION loadtest.compare_verdict(double precision, double precision, double precision, double precision, double precision) IS
'loadtest (internal): slower / faster when p_value < loadtest.compare_alpha() and the median (change_pct) or the p95 (p95_change_pct) changed by at least min_change_pct percent in the direction of z; else no significant change';

-- ---------------------------------------------------------------------------
-- The runs compared (internal helpers)
-- ---------------------------------------------------------------------------

-- A run the caller can see, by id; argument names it in the error.
CREATE OR REPLACE FUNCTION loadtest.visible_run(run_id bigint, argument text)
RETURNS loadtest.runs
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r loadtest.runs;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = visible_run.run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'loadtest run % does not exist', visible_run.run_id
            USING ERRCODE = 'undefined_object',
                  DETAIL = format('%s names no run that you can see (each role sees its own runs).', argument),
                  HINT = 'SELECT run_id, status, pattern, users, started_at FROM loadtest.runs ORDER BY run_id; lists them.';
    END IF;
    RETURN r;
END
$$;

COMMENT ON FUNCTION loadtest.visible_run(bigint, text) IS
'loadtest (internal): the row of loadtest.runs of a run the caller can see; undefined_object (naming the argument) when there is none';

-- The arguments of loadtest_compare and loadtest_compare_report, checked
-- before anything: both runs given, min_change_pct finite and >= 0.
CREATE OR REPLACE FUNCTION loadtest.compare_check_args(base bigint, candidate bigint,
                                                       min_change_pct double precision)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF base IS NULL OR candidate IS NULL THEN
        RAISE EXCEPTION 'base and candidate must be run ids, not NULL'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'loadtest_compare compares the run candidate with the run base.',
                  HINT = 'Pass two run ids, e.g. loadtest_compare(11, 12); loadtest.runs lists them.';
    END IF;
    IF min_change_pct IS NULL OR NOT (min_change_pct >= 0 AND min_change_pct < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'min_change_pct must be a finite number >= 0, not %',
                        coalesce(min_change_pct::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'min_change_pct is the smallest change of the median or the p95, in percent, that counts as faster or slower.',
                  HINT = 'Pass a percentage, e.g. min_change_pct => 5.';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.compare_check_args(bigint, bigint, double precision) IS
'loadtest (internal): checks the arguments of loadtest_compare (22023: a run id NULL, min_change_pct not finite or negative)';

-- The latency figures of one run for the comparison: one row per operation
-- by name (its 'operation' rows through loadtest.run_operations: numbers of
-- one name add up; rows of no name count only for the whole run) and one
-- for the whole run (whole_run, operation NULL; every 'operation' row): ops
-- as loadtest.operation_stats / loadtest.run_summary count them (NULL beyond
-- bigint), median and p95 in ms from the merged histograms, and the rows'
-- buckets and counts one after the other (malformed rows left out) for
-- loadtest.histogram_mann_whitney.
CREATE OR REPLACE FUNCTION loadtest.compare_histograms(run_id bigint)
RETURNS TABLE (operation text, whole_run boolean, ops bigint, median_ms double precision,
               p95_ms double precision, buckets integer[], counts bigint[])
LANGUAGE sql STABLE STRICT ROWS 20
SET search_path = pg_catalog, pg_temp
AS $$
WITH h AS (
    SELECT o.operation, x.ops, x.latency_buckets, x.latency_counts
      FROM loadtest.run_histograms x
      LEFT JOIN loadtest.run_operations o
             ON o.run_id = x.run_id AND o.operation_no = x.operation_no
     WHERE x.run_id = compare_histograms.run_id AND x.scope = 'operation'
), figures AS (
    SELECT h.operation, GROUPING(h.operation) = 1 AS whole_run, sum(h.ops) AS ops,
           loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                          ARRAY[0.5, 0.95]::float8[]) AS pct_us
      FROM h
     GROUP BY GROUPING SETS ((h.operation), ())
), arrays AS (
    SELECT h.operation, GROUPING(h.operation) = 1 AS whole_run,
           array_agg(e.bucket) AS buckets, array_agg(e.n) AS counts
      FROM h, unnest(h.latency_buckets, h.latency_counts) AS e(bucket, n)
     WHERE loadtest.histogram_valid(h.latency_buckets, h.latency_counts)
     GROUP BY GROUPING SETS ((h.operation), ())
)
SELECT f.operation, f.whole_run,
       CASE WHEN f.ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
            THEN f.ops::bigint END,
       f.pct_us[1] / 1000, f.pct_us[2] / 1000, a.buckets, a.counts
  FROM figures f
  LEFT JOIN arrays a ON a.whole_run = f.whole_run AND a.operation IS NOT DISTINCT FROM f.operation
 WHERE f.whole_run OR f.operation IS NOT NULL
$$;

COMMENT ON FUNCTION loadtest.compare_histograms(bigint) IS
'loadtest (internal): per operation by name and for the whole run (operation NULL): ops, median and p95 in ms of the merged latency histograms, and the histograms'' buckets and counts (malformed rows left out), for loadtest_compare';

-- A run's shape in words, for the comparison of tests.
CREATE OR REPLACE FUNCTION loadtest.compare_run_shape(r loadtest.runs)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT concat_ws(', ',
                 CASE WHEN r.rate IS NOT NULL
                      THEN 'open model at ' || loadtest.format_number(r.rate, 'FM999G999G999G999G990D00') || ' arrivals/s' END,
                 CASE WHEN r.stages IS NOT NULL THEN 'staged' END,
                 CASE WHEN r.pool_size IS NOT NULL
                      THEN 'a pool of ' || loadtest.format_number(r.pool_size, 'FM999G999G999G999G990') || ' workers'
                      ELSE 'a worker per user' END)
$$;

COMMENT ON FUNCTION loadtest.compare_run_shape(loadtest.runs) IS
'loadtest (internal): the shape of a run in words (open model at a rate, staged, a pool of N workers or a worker per user)';

-- What makes two runs different tests, as "what: x (base) / y (candidate)"
-- texts (none: the same test): pattern, think time, users, shape.
CREATE OR REPLACE FUNCTION loadtest.compare_test_differences(b loadtest.runs, c loadtest.runs)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(array_agg(format('%s: %s (base) / %s (candidate)', d.what, d.base, d.candidate) ORDER BY d.ord), '{}')
  FROM (VALUES
        (1, 'pattern', loadtest.one_line(b.pattern, 60), loadtest.one_line(c.pattern, 60)),
        (2, 'think time', loadtest.format_number(b.think_time_ms, 'FM999G999G999G999G990') || 'ms',
                          loadtest.format_number(c.think_time_ms, 'FM999G999G999G999G990') || 'ms'),
        (3, 'users', loadtest.format_number(b.users, 'FM999G999G999G999G990'),
                     loadtest.format_number(c.users, 'FM999G999G999G999G990')),
        (4, 'shape', loadtest.compare_run_shape(b), loadtest.compare_run_shape(c))
       ) AS d(ord, what, base, candidate)
 WHERE d.base IS DISTINCT FROM d.candidate
$$;

COMMENT ON FUNCTION loadtest.compare_test_differences(loadtest.runs, loadtest.runs) IS
'loadtest (internal): how two runs differ as tests ("pattern: a (base) / b (candidate)", think time, users, shape); empty when they are the same test';

-- ---------------------------------------------------------------------------
-- loadtest_compare, loadtest_compare_report
-- ---------------------------------------------------------------------------

-- The rows of loadtest_compare for two runs whose design effects are known
-- (base_de, candidate_de: loadtest.run_design_effect): one row per
-- operation both ran (by name, whatever its number in each run), then the
-- whole runs (operation NULL).  See loadtest.histogram_mann_whitney for the
-- test, loadtest.compare_design_effect for the design effect of a row
-- (the runs' combined for its attempts), loadtest.compare_p_value for the
-- p value (the test's z deflated by it) and loadtest.compare_verdict for
-- verdict.  loadtest_compare and loadtest_compare_report share it, so that
-- the report reads each run's seconds once.
CREATE OR REPLACE FUNCTION loadtest.compare_rows(base bigint, candidate bigint,
                                                 min_change_pct double precision,
                                                 base_de double precision,
                                                 candidate_de double precision)
RETURNS TABLE (operation text, base_ops bigint, candidate_ops bigint,
               base_median_ms double precision, candidate_median_ms double precision,
               base_p95_ms double precision, candidate_p95_ms double precision,
               change_pct double precision, p_value double precision, verdict text)
LANGUAGE sql STABLE ROWS 20
SET search_path = pg_catalog, pg_temp
AS $$
SELECT b.operation, b.ops, c.ops, b.median_ms, c.median_ms, b.p95_ms, c.p95_ms,
       x.change_pct, p.p_value,
       loadtest.compare_verdict(x.change_pct, x.p95_change_pct, t.z, p.p_value, compare_rows.min_change_pct)
  FROM loadtest.compare_histograms(compare_rows.base) b
  JOIN loadtest.compare_histograms(compare_rows.candidate) c
    ON c.whole_run = b.whole_run AND c.operation IS NOT DISTINCT FROM b.operation
 -- (from 0 ms: an increase without bound, not an unknown change)
 CROSS JOIN LATERAL (SELECT CASE WHEN b.median_ms = 0::float8 AND c.median_ms > 0::float8 THEN 'Infinity'::float8
                                 ELSE 100 * (c.median_ms / nullif(b.median_ms, 0::float8) - 1) END AS change_pct,
                            CASE WHEN b.p95_ms = 0::float8 AND c.p95_ms > 0::float8 THEN 'Infinity'::float8
                                 ELSE 100 * (c.p95_ms / nullif(b.p95_ms, 0::float8) - 1) END AS p95_change_pct) x
 CROSS JOIN LATERAL loadtest.histogram_mann_whitney(b.buckets, b.counts, c.buckets, c.counts) t
 CROSS JOIN LATERAL (SELECT loadtest.compare_p_value(
                                t.z,
                                loadtest.compare_design_effect(
                                    (SELECT sum(n::float8) FROM unnest(b.counts) AS n),
                                    (SELECT sum(n::float8) FROM unnest(c.counts) AS n),
                                    compare_rows.base_de, compare_rows.candidate_de)) AS p_value) p
 ORDER BY b.whole_run, b.operation COLLATE "C"
$$;

COMMENT ON FUNCTION loadtest.compare_rows(bigint, bigint, double precision, double precision, double precision) IS
'loadtest (internal): the rows of loadtest_compare(base, candidate, min_change_pct) given the two runs'' design effects (loadtest.run_design_effect), for loadtest_compare and loadtest_compare_report';

-- The latencies of run candidate against those of run base: one row per
-- operation both ran (by name), then the whole runs (operation NULL),
-- after the arguments are checked and the runs' design effects estimated
-- (loadtest.run_design_effect); see loadtest.compare_rows.
CREATE OR REPLACE FUNCTION loadtest_compare(base bigint, candidate bigint,
                                            min_change_pct double precision DEFAULT 5)
RETURNS TABLE (operation text, base_ops bigint, candidate_ops bigint,
               base_median_ms double precision, candidate_median_ms double precision,
               base_p95_ms double precision, candidate_p95_ms double precision,
               change_pct double precision, p_value double precision, verdict text)
LANGUAGE plpgsql STABLE ROWS 20
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
#variable_conflict use_column
DECLARE
    v_base      bigint := loadtest_compare.base;
    v_candidate bigint := loadtest_compare.candidate;
    v_min       double precision := loadtest_compare.min_change_pct;
    v_base_de   double precision;
    v_cand_de   double precision;
BEGIN
    PERFORM loadtest.compare_check_args(v_base, v_candidate, v_min);
    PERFORM loadtest.visible_run(v_base, 'base');
    PERFORM loadtest.visible_run(v_candidate, 'candidate');
    SELECT b.design_effect, c.design_effect INTO v_base_de, v_cand_de
      FROM loadtest.run_design_effect(v_base) b, loadtest.run_design_effect(v_candidate) c;

    RETURN QUERY
    SELECT * FROM loadtest.compare_rows(v_base, v_candidate, v_min, v_base_de, v_cand_de) x
     ORDER BY x.operation IS NULL, x.operation COLLATE "C";
END
$$;

COMMENT ON FUNCTION loadtest_compare(bigint, bigint, double precision) IS
'loadtest: compares the latencies of run candidate with those of run base, from their summaries (samples kept or not): one row per operation (by name) both ran, then the whole runs (operation NULL); ops, median and p95 in ms, change_pct of the median, p_value of the two-sided Mann-Whitney U test over the latency histograms (ties within a bucket 1/2, tie correction, normal approximation) with its z divided by the square root of the runs'' design effects (loadtest.run_design_effect: their latencies drift within a run, so its attempts are not independent; 1 for a steady run), each weighted by the other run''s attempts; verdict faster / slower only when p_value < 0.01 and the median or the p95 changed by at least min_change_pct percent (finite, >= 0) in the direction of the ranks, else no significant change';

-- A run's design effect as the comparison's text shows it: "1.42 (20
-- seconds)", or "1.00 (2 seconds: too few to estimate it)".
CREATE OR REPLACE FUNCTION loadtest.compare_design_effect_text(design_effect double precision,
                                                               seconds bigint)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT format('%s (%s %s%s)',
              coalesce(loadtest.format_number(design_effect, 'FM999G999G999G999G990D00'), 'n/a'),
              coalesce(loadtest.format_number(seconds, 'FM999G999G999G999G990'), 'no'),
              CASE WHEN seconds = 1 THEN 'second' ELSE 'seconds' END,
              CASE WHEN coalesce(seconds, 0) < 3 THEN ': too few to estimate it' ELSE '' END)
$$;

COMMENT ON FUNCTION loadtest.compare_design_effect_text(double precision, bigint) IS
'loadtest (internal): a run''s design effect and the seconds it comes from, as loadtest_compare_report shows them';

-- loadtest_compare as text: a heading, lines indented by three spaces: the
-- runs' differences as tests, the table of its rows (with the change of the
-- p95 beside that of the median), the design effect of each run, and what
-- the columns mean.
CREATE OR REPLACE FUNCTION loadtest_compare_report(base bigint, candidate bigint,
                                                   min_change_pct double precision DEFAULT 5)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
#variable_conflict use_column
DECLARE
    c_int       constant text := 'FM999G999G999G999G990';
    c_2d        constant text := 'FM999G999G999G999G990D00';
    c_ms        constant text := 'FM999G999G999G999G990D000';   -- a microsecond: the histograms' finest bucket
    c_row       constant text := '   %-32s %10s %10s %12s %12s %12s %12s %9s %9s %8s  %s';
    c_pct       constant text := 'FMS999G999G999G999G990D00';
    c_max_rows  constant integer := 100;
    v_base      bigint := loadtest_compare_report.base;
    v_candidate bigint := loadtest_compare_report.candidate;
    v_min       double precision := loadtest_compare_report.min_change_pct;
    b           loadtest.runs;
    c           loadtest.runs;
    v_diff      text[];
    o           text[] := '{}';
    rec         record;
    v_rows      integer := 0;
    de          record;
BEGIN
    PERFORM loadtest.compare_check_args(v_base, v_candidate, v_min);
    b := loadtest.visible_run(v_base, 'base');
    c := loadtest.visible_run(v_candidate, 'candidate');

    o := o || format('Comparison of run %s (candidate) with run %s (base):', v_candidate, v_base);
    v_diff := loadtest.compare_test_differences(b, c);
    IF cardinality(v_diff) > 0 THEN
        o := o || '   runs of different tests: a change may come from the test, not the server'::text;
        FOR i IN 1 .. cardinality(v_diff) LOOP
            o := o || ('      ' || v_diff[i]);
        END LOOP;
    END IF;
    IF b.status IS DISTINCT FROM 'completed' OR c.status IS DISTINCT FROM 'completed' THEN
        o := o || format('   not completed: %s: the figures may be partial',
                         concat_ws(', ',
                                   CASE WHEN b.status IS DISTINCT FROM 'completed'
                                        THEN format('run %s (base) is %s', v_base, b.status) END,
                                   CASE WHEN c.status IS DISTINCT FROM 'completed'
                                        THEN format('run %s (candidate) is %s', v_candidate, c.status) END));
    END IF;

    SELECT x.design_effect AS b_de, x.seconds AS b_s, y.design_effect AS c_de, y.seconds AS c_s INTO de
      FROM loadtest.run_design_effect(v_base) x, loadtest.run_design_effect(v_candidate) y;
    o := o || format(c_row, 'operation', 'base ops', 'cand ops', 'base median', 'cand median',
                     'base p95', 'cand p95', 'change', 'p95 chg', 'p', 'verdict');
    FOR rec IN SELECT * FROM loadtest.compare_rows(v_base, v_candidate, v_min, de.b_de, de.c_de) x
                ORDER BY x.operation IS NULL, x.operation COLLATE "C" LOOP
        v_rows := v_rows + 1;
        IF v_rows > c_max_rows AND rec.operation IS NOT NULL THEN
            CONTINUE;
        ELSIF v_rows > c_max_rows THEN
            o := o || format('   ... and %s more operations', v_rows - 1 - c_max_rows);
        ELSIF v_rows = 1 AND rec.operation IS NULL THEN
            o := o || '   (no operation ran in both runs)'::text;
        END IF;
        o := o || format(c_row,
                         coalesce(loadtest.one_line(rec.operation, 32), '(all operations)'),
                         coalesce(loadtest.format_number(rec.base_ops, c_int), 'n/a'),
                         coalesce(loadtest.format_number(rec.candidate_ops, c_int), 'n/a'),
                         coalesce(loadtest.format_number(rec.base_median_ms, c_ms) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(rec.candidate_median_ms, c_ms) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(rec.base_p95_ms, c_ms) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(rec.candidate_p95_ms, c_ms) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(rec.change_pct, c_pct) || '%', 'n/a'),
                         coalesce(loadtest.format_number(100 * (rec.candidate_p95_ms
                                                                / nullif(rec.base_p95_ms, 0::float8) - 1),
                                                         c_pct) || '%', 'n/a'),
                         CASE WHEN rec.p_value < 0.0001::float8 THEN '<0.0001'
                              ELSE coalesce(loadtest.format_number(rec.p_value, 'FM990D0000'), 'n/a') END,
                         rec.verdict);
    END LOOP;
    o := o || format('   design effect: base %s, candidate %s: how much alike the attempts of one second are (latencies drift within a run); p divides the test''s z by the square root of the two, each weighted by the other run''s attempts',
                     loadtest.compare_design_effect_text(de.b_de, de.b_s),
                     loadtest.compare_design_effect_text(de.c_de, de.c_s));
    o := o || format('   change: of the median (p95 chg: of the p95); p: two-sided Mann-Whitney U test over the latency histograms; faster or slower only when p < %s and the median or the p95 changed by at least %s%% in the direction of the test',
                     loadtest.format_number(loadtest.compare_alpha(), 'FM990D00'),
                     loadtest.format_number(v_min, c_2d));
    RETURN array_to_string(o, E'\n');
END
$$;

COMMENT ON FUNCTION loadtest_compare_report(bigint, bigint, double precision) IS
'loadtest: loadtest_compare(base, candidate, min_change_pct) as text for people: a table of its rows (with the change of the p95), the design effect of each run (loadtest.run_design_effect: the p values divide the test''s z by the square root of the two, each weighted by the other run''s attempts), and a line when the runs are of different tests (pattern, think time, users, shape) or not completed';

-- ---------------------------------------------------------------------------
-- loadtest_check: the CI gate
-- ---------------------------------------------------------------------------

-- The thresholds of loadtest_check on a run's figures, in one list: the
-- argument, the figure of loadtest.run_summary it limits, the limit given
-- (NULL: not checked), whether it is an upper ('max') or lower ('min')
-- limit, the unit, the largest limit allowed, the name in the message and
-- what the figure is.  max_regression_pct limits no figure of the run (its
-- figure is NULL): loadtest_check compares with the baseline for it.
CREATE OR REPLACE FUNCTION loadtest.check_thresholds(max_avg_ms double precision,
                                                     max_p95_ms double precision,
                                                     max_p99_ms double precision,
                                                     min_throughput double precision,
                                                     min_success_pct double precision,
                                                     max_regression_pct double precision)
RETURNS TABLE (ord integer, argument text, figure text, limit_value double precision, bound text,
               unit text, largest double precision, label text, what text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 6
SET search_path = pg_catalog, pg_temp
AS $$
SELECT * FROM (VALUES
    (1, 'max_avg_ms', 'avg_ms', max_avg_ms, 'max', 'ms', NULL::float8, 'avg', 'the average response time'),
    (2, 'max_p95_ms', 'p95_ms', max_p95_ms, 'max', 'ms', NULL, 'p95', 'the 95th percentile of the response times'),
    (3, 'max_p99_ms', 'p99_ms', max_p99_ms, 'max', 'ms', NULL, 'p99', 'the 99th percentile of the response times'),
    (4, 'min_throughput', 'throughput_ops_s', min_throughput, 'min', ' ops/s', NULL, 'throughput',
        'the throughput (operations per second)'),
    (5, 'min_success_pct', 'success_pct', min_success_pct, 'min', '%', 100, 'success',
        'the share of operations that succeeded'),
    (6, 'max_regression_pct', NULL, max_regression_pct, 'max', '%', NULL, 'regression',
        'the change of a median or a p95 against the baseline')
   ) AS t(ord, argument, figure, limit_value, bound, unit, largest, label, what)
$$;

COMMENT ON FUNCTION loadtest.check_thresholds(double precision, double precision, double precision, double precision, double precision, double precision) IS
'loadtest (internal): the thresholds of loadtest_check, one row each: argument, figure of loadtest.run_summary, limit, max or min, unit, largest limit allowed, label and description';

-- The arguments of loadtest_check, checked before anything (22023): every
-- limit given finite and >= 0 (and at most its largest), max_regression_pct
-- given with a baseline, target_users >= 1 and target_ms finite and
-- positive when given (required by require_ready).
CREATE OR REPLACE FUNCTION loadtest.check_args(max_avg_ms double precision, max_p95_ms double precision,
                                               max_p99_ms double precision, min_throughput double precision,
                                               min_success_pct double precision, baseline bigint,
                                               max_regression_pct double precision, require_ready boolean,
                                               target_users integer, target_ms double precision)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM loadtest.check_thresholds(max_avg_ms, max_p95_ms, max_p99_ms, min_throughput,
                                                     min_success_pct, max_regression_pct) x
              WHERE x.limit_value IS NOT NULL ORDER BY x.ord LOOP
        IF NOT (t.limit_value >= 0 AND t.limit_value < 'Infinity'::float8)
           OR t.limit_value > t.largest THEN
            RAISE EXCEPTION '% must be a finite number between 0 and %, not %', t.argument,
                            coalesce(t.largest::text, 'Infinity'), t.limit_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('%s is the limit of %s (%s), or NULL for none.', t.argument, t.what,
                                      CASE t.bound WHEN 'max' THEN 'at most' ELSE 'at least' END),
                      HINT = format('Pass e.g. loadtest_check(%s => %s).', t.argument,
                                    CASE t.argument WHEN 'min_success_pct' THEN '99'
                                                    WHEN 'min_throughput' THEN '100'
                                                    WHEN 'max_regression_pct' THEN '5'
                                                    ELSE '500' END);
        END IF;
    END LOOP;
    IF baseline IS NOT NULL AND max_regression_pct IS NULL THEN
        RAISE EXCEPTION 'max_regression_pct must not be NULL with a baseline'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'max_regression_pct is the smallest significant slowdown of a median or a p95, in percent, against the baseline run that breaks the check.',
                  HINT = 'Pass e.g. loadtest_check(baseline => 11, max_regression_pct => 5).';
    END IF;
    IF (target_users IS NULL AND require_ready) OR target_users < 1 THEN
        RAISE EXCEPTION 'target_users must be 1 or more, not %', coalesce(target_users::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_users is the number of concurrent users require_ready asks the verdict about.',
                  HINT = 'Pass e.g. loadtest_check(require_ready => true, target_users => 4000).';
    END IF;
    IF (target_ms IS NULL AND require_ready)
       OR NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %', coalesce(target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms require_ready asks the verdict about.',
                  HINT = 'Pass e.g. loadtest_check(require_ready => true, target_ms => 500).';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.check_args(double precision, double precision, double precision, double precision, double precision, bigint, double precision, boolean, integer, double precision) IS
'loadtest (internal): checks the arguments of loadtest_check before anything (22023)';

-- The limit of a threshold broken, as the message shows it: "p95 612.30ms
-- > 500.00ms", "success 97.10% < 99.00%"; a figure not measured (NULL, NaN)
-- breaks it too.
CREATE OR REPLACE FUNCTION loadtest.check_broken_text(label text, value double precision,
                                                      limit_value double precision, bound text,
                                                      unit text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value IS NULL OR value = 'NaN'::float8
            THEN format('%s not measured (limit %s%s)', label,
                        loadtest.format_number(limit_value, 'FM999G999G999G999G990D00'), unit)
            ELSE format('%s %s%s %s %s%s', label,
                        loadtest.format_number(value, 'FM999G999G999G999G990D00'), unit,
                        CASE bound WHEN 'max' THEN '>' ELSE '<' END,
                        loadtest.format_number(limit_value, 'FM999G999G999G999G990D00'), unit) END
$$;

COMMENT ON FUNCTION loadtest.check_broken_text(text, double precision, double precision, text, text) IS
'loadtest (internal): a broken threshold of loadtest_check as its message names it (label value > limit, or not measured)';

-- The CI gate: true, or an ERROR with SQLSTATE LT001 ("a load test
-- threshold broke") naming every threshold broken, so that psql -v
-- ON_ERROR_STOP=1 fails the job.  Broken: the run not completed; a figure of
-- loadtest.check_thresholds over (or under) its limit, or not measured; an
-- operation (or the whole run) that loadtest_compare(baseline, run_id,
-- max_regression_pct) calls slower, or a baseline with nothing to compare;
-- with require_ready, loadtest_verdict(run_id, target_users,
-- target_ms).ready not true.
CREATE OR REPLACE FUNCTION loadtest_check(run_id bigint DEFAULT NULL,
                                          max_avg_ms double precision DEFAULT NULL,
                                          max_p95_ms double precision DEFAULT NULL,
                                          max_p99_ms double precision DEFAULT NULL,
                                          min_throughput double precision DEFAULT NULL,
                                          min_success_pct double precision DEFAULT NULL,
                                          baseline bigint DEFAULT NULL,
                                          max_regression_pct double precision DEFAULT 5,
                                          require_ready boolean DEFAULT false,
                                          target_users integer DEFAULT 4000,
                                          target_ms double precision DEFAULT 500)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
#variable_conflict use_column
DECLARE
    c_2d         constant text := 'FM999G999G999G999G990D00';
    c_ms         constant text := 'FM999G999G999G999G990D000';  -- medians compared: to the microsecond
    c_pct        constant text := 'FMS999G999G999G999G990D00';  -- a change, signed
    c_max_named  constant integer := 10;   -- thresholds named in the message
    c_max_detail constant integer := 50;   -- lines of DETAIL
    v_run_id     bigint := loadtest_check.run_id;
    v_baseline   bigint := loadtest_check.baseline;
    v_regression double precision := loadtest_check.max_regression_pct;
    v_ready_req  boolean := coalesce(loadtest_check.require_ready, false);
    v_users      integer := loadtest_check.target_users;
    v_ms         double precision := loadtest_check.target_ms;
    r            loadtest.runs;
    v_summary    jsonb;
    v_value      double precision;
    v_compared   boolean := false;
    v_p95_pct    double precision;
    t            record;
    v_broken     text[] := '{}';   -- as the message names them
    v_detail     text[] := '{}';   -- one line each
BEGIN
    PERFORM loadtest.check_args(max_avg_ms, max_p95_ms, max_p99_ms, min_throughput, min_success_pct,
                                v_baseline, v_regression, v_ready_req, v_users, v_ms);

    -- stale runs marked first: they are not checked as running
    v_run_id := loadtest.resolve_run(v_run_id, 'check');
    r := loadtest.visible_run(v_run_id, 'run_id');

    -- 1. The run completed.
    IF r.status IS DISTINCT FROM 'completed' THEN
        v_broken := v_broken || format('status %s', r.status);
        v_detail := v_detail || format('status: the run is %s, not completed%s', r.status,
                                       coalesce(': ' || loadtest.one_line(r.message, 200), ''));
    END IF;

    -- 2. The figures of the run against their limits.
    SELECT to_jsonb(x) INTO v_summary FROM loadtest.run_summary x WHERE x.run_id = v_run_id;
    FOR t IN SELECT * FROM loadtest.check_thresholds(max_avg_ms, max_p95_ms, max_p99_ms, min_throughput,
                                                     min_success_pct, NULL) x
              WHERE x.limit_value IS NOT NULL AND x.figure IS NOT NULL ORDER BY x.ord LOOP
        v_value := (v_summary ->> t.figure)::float8;
        IF NOT coalesce(CASE t.bound WHEN 'max' THEN v_value <= t.limit_value
                                     ELSE v_value >= t.limit_value END
                        AND v_value <> 'NaN'::float8, false) THEN
            v_broken := v_broken || loadtest.check_broken_text(t.label, v_value, t.limit_value, t.bound, t.unit);
            v_detail := v_detail || format('%s => %s: %s was %s, %s the limit', t.argument,
                                           loadtest.format_number(t.limit_value, c_2d), t.what,
                                           coalesce(loadtest.format_number(v_value, c_2d) || t.unit, 'not measured'),
                                           CASE WHEN v_value IS NULL OR v_value = 'NaN'::float8 THEN 'so it cannot be held to'
                                                WHEN t.bound = 'max' THEN 'over' ELSE 'under' END);
        END IF;
    END LOOP;

    -- 3. No operation significantly slower than in the baseline.
    IF v_baseline IS NOT NULL THEN
        -- (an unknown baseline is named as the argument it was given in)
        PERFORM loadtest.visible_run(v_baseline, 'baseline');
        FOR t IN SELECT * FROM @extschema@.loadtest_compare(v_baseline, v_run_id, v_regression) LOOP
            IF t.verdict = 'slower' THEN
                -- the figure that moved by max_regression_pct: the median, else the p95
                v_p95_pct := 100 * (t.candidate_p95_ms / nullif(t.base_p95_ms, 0::float8) - 1);
                v_broken := v_broken
                         || CASE WHEN t.change_pct >= v_regression
                                 THEN format('%s median %sms > %sms of run %s (%s%%)',
                                             coalesce(loadtest.one_line(t.operation, 60), 'overall'),
                                             loadtest.format_number(t.candidate_median_ms, c_ms),
                                             loadtest.format_number(t.base_median_ms, c_ms), v_baseline,
                                             loadtest.format_number(t.change_pct, c_pct))
                                 ELSE format('%s p95 %sms > %sms of run %s (%s%%)',
                                             coalesce(loadtest.one_line(t.operation, 60), 'overall'),
                                             loadtest.format_number(t.candidate_p95_ms, c_ms),
                                             loadtest.format_number(t.base_p95_ms, c_ms), v_baseline,
                                             loadtest.format_number(v_p95_pct, c_pct)) END;
                v_detail := v_detail
                         || format('baseline => %s, max_regression_pct => %s: %s slower: median %sms against %sms (%s%%), p95 %sms against %sms (%s%%), p %s',
                                   v_baseline, loadtest.format_number(v_regression, c_2d),
                                   coalesce(loadtest.one_line(t.operation, 60), 'the whole run'),
                                   coalesce(loadtest.format_number(t.candidate_median_ms, c_ms), 'n/a'),
                                   coalesce(loadtest.format_number(t.base_median_ms, c_ms), 'n/a'),
                                   coalesce(loadtest.format_number(t.change_pct, c_pct), 'n/a'),
                                   coalesce(loadtest.format_number(t.candidate_p95_ms, c_ms), 'n/a'),
                                   coalesce(loadtest.format_number(t.base_p95_ms, c_ms), 'n/a'),
                                   coalesce(loadtest.format_number(v_p95_pct, c_pct), 'n/a'),
                                   CASE WHEN t.p_value < 0.0001::float8 THEN '< 0.0001'
                                        ELSE loadtest.format_number(t.p_value, 'FM990D0000') END);
            END IF;
            IF t.operation IS NULL AND t.p_value IS NOT NULL THEN
                v_compared := true;
            END IF;
        END LOOP;
        IF NOT v_compared THEN
            v_broken := v_broken || format('no comparison with run %s', v_baseline);
            v_detail := v_detail
                     || format('baseline => %s: the runs cannot be compared: one of them recorded no latencies',
                               v_baseline);
        END IF;
    END IF;

    -- 4. The verdict: ready for target_users within target_ms.
    IF v_ready_req THEN
        SELECT v.ready, v.basis, v.explanation, v.basis_run_id INTO t
          FROM loadtest.verdict_of(v_run_id, v_users, v_ms) v;
        -- a gate on this run: ready on its own evidence, not on another
        -- run of the test (a small smoke run after a large one)
        IF t.ready AND t.basis_run_id IS DISTINCT FROM v_run_id THEN
            v_broken := v_broken || format('ready for %s users within %sms only on the evidence of run %s',
                                           v_users, loadtest.format_number(v_ms, c_2d), t.basis_run_id);
            v_detail := v_detail
                     || format('require_ready => true: loadtest_verdict(%s, %s, %s) is ready from run %s (basis %s), not from this run: run this test at %s users to gate it',
                               v_run_id, v_users, v_ms, t.basis_run_id, coalesce(t.basis, 'none'), v_users);
        ELSIF t.ready IS NOT TRUE THEN
            v_broken := v_broken || format('%s for %s users within %sms',
                                           CASE WHEN t.ready IS NULL THEN 'readiness unknown' ELSE 'not ready' END,
                                           v_users, loadtest.format_number(v_ms, c_2d));
            v_detail := v_detail
                     || format('require_ready => true: loadtest_verdict(%s, %s, %s) says %s (basis %s)%s',
                               v_run_id, v_users, v_ms,
                               CASE WHEN t.ready IS NULL THEN 'the evidence cannot answer' ELSE 'not ready' END,
                               coalesce(t.basis, 'none'),
                               coalesce(': ' || loadtest.one_line(t.explanation, 300), ''));
        END IF;
    END IF;

    IF cardinality(v_broken) = 0 THEN
        RETURN true;
    END IF;
    RAISE EXCEPTION 'load test run % broke % %: %', v_run_id, cardinality(v_broken),
                    CASE WHEN cardinality(v_broken) = 1 THEN 'threshold' ELSE 'thresholds' END,
                    array_to_string(v_broken[1:c_max_named], ', ')
                    || CASE WHEN cardinality(v_broken) > c_max_named
                            THEN format(' and %s more', cardinality(v_broken) - c_max_named) ELSE '' END
        USING ERRCODE = 'LT001',
              DETAIL = array_to_string(v_detail[1:c_max_detail], E'\n')
                       || CASE WHEN cardinality(v_detail) > c_max_detail
                               THEN format(E'\n... and %s more', cardinality(v_detail) - c_max_detail) ELSE '' END,
              HINT = format('SELECT loadtest_report(%s); shows the run%s.', v_run_id,
                            CASE WHEN v_baseline IS NOT NULL
                                 THEN format(', SELECT loadtest_compare_report(%s, %s); the comparison', v_baseline, v_run_id)
                                 ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest_check(bigint, double precision, double precision, double precision, double precision, double precision, bigint, double precision, boolean, integer, double precision) IS
'loadtest: the CI gate of a run (NULL: the latest): true, or an ERROR with SQLSTATE LT001 (a load test threshold broke) whose message names every threshold broken with its value and limit (run not completed; avg, p95, p99 in ms over max_*; throughput, success_pct under min_*; operations significantly slower than in the baseline run, the median or the p95 by max_regression_pct percent or more, as loadtest_compare says (the message names the median when it moved that much, else the p95); require_ready: loadtest_verdict(run_id, target_users, target_ms) not ready), DETAIL one line each; limits finite and >= 0, min_success_pct <= 100 (else 22023)';
