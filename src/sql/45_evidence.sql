-- loadtest 1.6: the evidence of a run in the report (issue #10).
--
--   loadtest.plan_shape(plan)         the shape of an EXPLAIN (FORMAT JSON)
--                                     plan: what run_plans.changed compares
--   loadtest_sparkline(values, width) a series as one line of blocks
--   loadtest_stability_of(...),       the stability verdict of a series of
--   loadtest_stability(run_id)        seconds (p95 trend, throughput
--                                     variation, error bursts)
--   loadtest_memory_trend(ops, bytes) the memory verdict of one worker
--   loadtest.report_where_time_went(run_id)  "Where the time went:"
--   loadtest.report_database(run_id)         "What the database did:"
--   loadtest.report_over_time(run_id)        "Over time:"
--   loadtest.report_plans(run_id)            "Plans:"
--
-- Each report_* function returns the lines of its section: the heading,
-- then lines indented by three spaces, no empty line at the end.  They are
-- SECURITY INVOKER, like loadtest_report() which calls them: they read the
-- result tables through row-level security as the caller (a role sees its
-- own runs), and any content of those tables (rows written by hand by their
-- owner, garbage included) gives text, not an error: text from the tables
-- goes through loadtest.one_line(), numbers through loadtest.format_number()
-- (numerics through loadtest.numeric_float8() first, which cannot fail),
-- divisions are guarded.
--
-- Every routine here is plpgsql or SQL with a string body: parsed when it
-- runs, under its pinned search_path (pg_catalog, pg_temp), so its
-- operators are pg_catalog's whatever their operand types.

-- ---------------------------------------------------------------------------
-- Helpers (internal)
-- ---------------------------------------------------------------------------

-- numeric (the counters of run_db_stats) as double precision, never an
-- error: out of float8's range gives +-Infinity, NaN stays NaN.
CREATE OR REPLACE FUNCTION loadtest.numeric_float8(value numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value = 'NaN'::numeric THEN 'NaN'::float8
            WHEN abs(value) < 1e-300::numeric THEN 0::float8
            WHEN abs(value) < 1e300::numeric THEN value::float8
            WHEN value > 0::numeric THEN 'Infinity'::float8
            ELSE '-Infinity'::float8 END
$$;

COMMENT ON FUNCTION loadtest.numeric_float8(numeric) IS
'loadtest (internal): a numeric as double precision, +-Infinity beyond its range, never an error';

-- A number of bytes for the report: pg_size_pretty (1,024-based units) for
-- the values it writes well, the number itself otherwise.
CREATE OR REPLACE FUNCTION loadtest.format_bytes(value numeric)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value <> 'NaN'::numeric AND abs(value) < 1e18::numeric
            THEN pg_size_pretty(round(value))
            ELSE loadtest.format_number(loadtest.numeric_float8(value), 'FM999G999G999G999G990') || ' bytes' END
$$;

COMMENT ON FUNCTION loadtest.format_bytes(numeric) IS
'loadtest (internal): a number of bytes as pg_size_pretty writes it, never an error';

-- A section of the report as loadtest_report appends it: its lines and an
-- empty line after them, or nothing when the section has nothing to say.
CREATE OR REPLACE FUNCTION loadtest.report_block(lines text[])
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN coalesce(cardinality(lines), 0) = 0 THEN '{}'::text[]
            WHEN lines[cardinality(lines)] IS NOT DISTINCT FROM '' THEN lines
            ELSE lines || ''::text END
$$;

COMMENT ON FUNCTION loadtest.report_block(text[]) IS
'loadtest (internal): the lines of a report section followed by an empty line, or none when it has no lines';

-- ---------------------------------------------------------------------------
-- Plan shapes
--
-- The nodes of a plan in pre-order (a node, then its "Plans" in their
-- order): depth from 0 at the top node, and a label that says what the node
-- does and on what, as EXPLAIN's text format heads it ("Index Scan on
-- membership.members using members_pkey", "Hash Left Join", "Update on
-- membership.members", "Partial HashAggregate"), and a child's
-- relationship to its parent (Outer, Inner, InitPlan, SubPlan and the
-- subplan's name).  The shape is those, one line per node ("1 Outer: Seq
-- Scan on membership.members").  Not costs, rows, widths, conditions or
-- output columns: two plans have the same shape when the same nodes of the
-- same kinds read the same relations through the same indexes.  The
-- relation is named as EXPLAIN names it: with its schema under VERBOSE.
--
-- Any jsonb: the plan as EXPLAIN (FORMAT JSON) gives it (an array whose
-- first element holds "Plan"), that element, or the top node itself;
-- anything else (no object with a "Node Type" string at the top) has no
-- nodes.  Children that are not objects with a "Node Type" are left out;
-- the walk is a recursive query, not recursion of the function, and stops
-- at a depth of 200 (a real plan is far shallower), so that no jsonb can
-- exhaust the stack or make the walk fail.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.plan_node_label(node jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN jsonb_typeof(node) = 'object' AND jsonb_typeof(node -> 'Node Type') = 'string' THEN
       concat_ws(' ',
           CASE WHEN node ->> 'Partial Mode' IN ('Partial', 'Finalize') THEN node ->> 'Partial Mode' END,
           CASE WHEN node -> 'Parallel Aware' = 'true'::jsonb THEN 'Parallel' END,
           CASE
               WHEN x.t = 'Aggregate' THEN
                   CASE node ->> 'Strategy' WHEN 'Hashed' THEN 'HashAggregate'
                                            WHEN 'Sorted' THEN 'GroupAggregate'
                                            WHEN 'Mixed' THEN 'MixedAggregate'
                                            ELSE 'Aggregate' END
               WHEN x.t = 'SetOp' AND node ->> 'Strategy' = 'Hashed' THEN 'HashSetOp'
               WHEN x.t = 'ModifyTable' AND jsonb_typeof(node -> 'Operation') = 'string' THEN node ->> 'Operation'
               WHEN jsonb_typeof(node -> 'Join Type') = 'string' AND node ->> 'Join Type' <> 'Inner' THEN
                   CASE WHEN x.t LIKE '% Join' THEN left(x.t, -5) || ' ' || (node ->> 'Join Type') || ' Join'
                        ELSE x.t || ' ' || (node ->> 'Join Type') || ' Join' END
               ELSE x.t END,
           CASE WHEN jsonb_typeof(node -> 'Relation Name') = 'string' THEN
                    'on ' || CASE WHEN jsonb_typeof(node -> 'Schema') = 'string' THEN (node ->> 'Schema') || '.' ELSE '' END
                          || (node ->> 'Relation Name')
                WHEN jsonb_typeof(node -> 'Function Name') = 'string' THEN
                    'on ' || CASE WHEN jsonb_typeof(node -> 'Schema') = 'string' THEN (node ->> 'Schema') || '.' ELSE '' END
                          || (node ->> 'Function Name')
                WHEN jsonb_typeof(node -> 'CTE Name') = 'string' THEN 'on ' || (node ->> 'CTE Name')
                WHEN jsonb_typeof(node -> 'Tuplestore Name') = 'string' THEN 'on ' || (node ->> 'Tuplestore Name') END,
           CASE WHEN jsonb_typeof(node -> 'Index Name') = 'string' THEN 'using ' || (node ->> 'Index Name') END)
       END
  FROM (SELECT node ->> 'Node Type' AS t) x
$$;

COMMENT ON FUNCTION loadtest.plan_node_label(jsonb) IS
'loadtest (internal): what a plan node of EXPLAIN (FORMAT JSON) does and on what, as EXPLAIN''s text format heads it ("Index Scan on membership.members using members_pkey"); NULL for anything but a plan node';

-- The nodes of an EXPLAIN (FORMAT JSON) plan in pre-order, as jsonb: the
-- one walk of a plan (loadtest.plan_nodes, the recommendations); any
-- jsonb, depth at most 200, at most 10000 nodes.
CREATE OR REPLACE FUNCTION loadtest.plan_node_list(plan jsonb)
RETURNS TABLE (node_no bigint, depth integer, node jsonb)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH RECURSIVE
top AS (
    SELECT CASE WHEN jsonb_typeof(plan) = 'array' THEN plan -> 0 ELSE plan END AS v
),
root AS (
    SELECT CASE WHEN jsonb_typeof(top.v) <> 'object' THEN NULL
                WHEN jsonb_typeof(top.v -> 'Plan') = 'object' THEN top.v -> 'Plan'
                ELSE top.v END AS node
      FROM top
),
walk (node, path, depth) AS (
    SELECT root.node, ARRAY[]::integer[], 0
      FROM root
     WHERE jsonb_typeof(root.node -> 'Node Type') = 'string'
    UNION ALL
    SELECT c.child, walk.path || c.ord::integer, walk.depth + 1
      FROM walk
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(walk.node -> 'Plans') = 'array'
                                                  THEN walk.node -> 'Plans' ELSE '[]'::jsonb END)
                        WITH ORDINALITY AS c(child, ord)
     WHERE walk.depth < 200
       AND jsonb_typeof(c.child) = 'object'
       AND jsonb_typeof(c.child -> 'Node Type') = 'string'
)
-- (at most 10000 nodes: the walk stops there)
SELECT row_number() OVER (ORDER BY w.path), w.depth, w.node
  FROM (SELECT walk.* FROM walk LIMIT 10000) w
 ORDER BY w.path
$$;

COMMENT ON FUNCTION loadtest.plan_node_list(jsonb) IS
'loadtest (internal): the nodes of an EXPLAIN (FORMAT JSON) plan in pre-order with their depth, as jsonb objects (depth at most 200, at most 10000 nodes); none for anything but a plan';

CREATE OR REPLACE FUNCTION loadtest.plan_nodes(plan jsonb)
RETURNS TABLE (node_no bigint, depth integer, relationship text, label text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT n.node_no,
       n.depth,
       CASE WHEN n.depth > 0 THEN
            nullif(concat_ws(' ',
                             CASE WHEN jsonb_typeof(n.node -> 'Parent Relationship') = 'string'
                                  THEN n.node ->> 'Parent Relationship' END,
                             CASE WHEN jsonb_typeof(n.node -> 'Subplan Name') = 'string'
                                  THEN n.node ->> 'Subplan Name' END), '') END,
       loadtest.plan_node_label(n.node)
  FROM loadtest.plan_node_list(plan) n
 ORDER BY n.node_no
$$;

COMMENT ON FUNCTION loadtest.plan_nodes(jsonb) IS
'loadtest (internal): the nodes of an EXPLAIN (FORMAT JSON) plan in pre-order, with their depth, relationship to the parent and label (loadtest.plan_node_label); no rows for anything but a plan';

CREATE OR REPLACE FUNCTION loadtest.plan_shape(plan jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT string_agg(n.depth::text || ' ' || coalesce(n.relationship || ': ', '') || n.label, E'\n' ORDER BY n.node_no)
  FROM loadtest.plan_nodes(plan) n
$$;

COMMENT ON FUNCTION loadtest.plan_shape(jsonb) IS
'loadtest: the shape of an EXPLAIN (FORMAT JSON) plan, one line per node in pre-order: its depth, its relationship to its parent, its kind (join type, aggregate strategy, operation), relation and index (not costs, rows or conditions); equal for plans of the same shape, NULL for any jsonb that is not a plan; what loadtest.run_plans.changed compares';

-- ---------------------------------------------------------------------------
-- Sparklines
-- ---------------------------------------------------------------------------

-- The values of a series grouped into at most width characters: ceil(n /
-- width) consecutive values per character (the last group may be shorter),
-- each group their mean.  Values that are not finite numbers (NULL, NaN,
-- infinities) or beyond 1e300 (whose sum could overflow) are left out of
-- the means; a group without any is NULL.
CREATE OR REPLACE FUNCTION loadtest.sparkline_groups(series double precision[], width integer)
RETURNS double precision[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(array_agg(g.v ORDER BY g.grp), '{}'::float8[])
  FROM (SELECT (u.ord - 1) / k.per AS grp,
               avg(u.v) FILTER (WHERE abs(u.v) < 1e300::float8) AS v
          FROM unnest(series) WITH ORDINALITY AS u(v, ord),
               (SELECT greatest(1::bigint,
                                (cardinality(series)::bigint + greatest(width, 1)::bigint - 1)
                                / greatest(width, 1)::bigint) AS per) k
         GROUP BY 1) g
$$;

COMMENT ON FUNCTION loadtest.sparkline_groups(double precision[], integer) IS
'loadtest (internal): a series grouped into at most width groups of ceil(n / width) consecutive values, each its finite values'' mean';

-- The heights are scaled from 0 to the largest value when no value is
-- negative (the height of a block is proportional to its value, so that a
-- steady series looks steady: 990 and 1,010 ops/sec are both high blocks,
-- not the lowest and the highest), from the smallest to the largest
-- otherwise; eight heights, each an eighth of that range (the lowest
-- block: the bottom eighth, the bottom itself included; the highest: the
-- top eighth).
CREATE OR REPLACE FUNCTION loadtest_sparkline(series double precision[], width integer DEFAULT 60)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_blocks constant text[] := ARRAY['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    g      double precision[];
    lo     double precision;
    hi     double precision;
    lvl    integer;
    result text := '';
BEGIN
    IF width < 1 THEN
        RAISE EXCEPTION 'width must be positive, not %', width
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the most characters the line may have, e.g. 60.';
    END IF;
    g := loadtest.sparkline_groups(series, width);
    SELECT least(min(v), 0::float8), max(v) INTO lo, hi FROM unnest(g) AS u(v);
    FOR i IN 1 .. coalesce(cardinality(g), 0) LOOP
        IF g[i] IS NULL THEN
            result := result || ' ';
            CONTINUE;
        END IF;
        IF hi > lo THEN
            -- (in numeric: float8 arithmetic over the whole range could
            -- overflow or underflow, and raise an error)
            lvl := least(7::numeric, greatest(0::numeric,
                         ceil((g[i]::numeric - lo::numeric) / (hi::numeric - lo::numeric) * 8::numeric) - 1::numeric))::integer;
        ELSE
            lvl := CASE WHEN g[i] > 0::float8 THEN 7 ELSE 0 END;
        END IF;
        result := result || c_blocks[lvl + 1];
    END LOOP;
    RETURN result;
END
$$;

COMMENT ON FUNCTION loadtest_sparkline(double precision[], integer) IS
'loadtest: a series as one line of at most width (positive) characters ▁▂▃▄▅▆▇█: ceil(n / width) consecutive values per character (their mean), heights from 0 (or the smallest value if one is negative) to the largest; a space where a group has no finite value';

-- ---------------------------------------------------------------------------
-- Stability over time (runs of 60 s or more)
--
-- From the run's seconds (second of the run, operations started in it,
-- failed ones, their p95 in ms); a second without a row had no operations.
-- The steady part starts after the ramp-up (ceil(ramp_up_s)): while users
-- are still arriving the load is lower, which would make latency look as if
-- it rose and throughput as if it varied.
--
-- p95 trend: the steady part in windows of 60 s (of 10 s while it is
-- shorter than 3 minutes, so that a run of one to three minutes still has
-- a trend), a window's p95 the mean of its seconds' p95 weighted by their
-- operations (the trend is wanted, not the exact percentile: the seconds'
-- histograms are not merged), a last window shorter than half a window
-- left out; the least-squares slope of the windows' p95 against their
-- middle in minutes, as a percentage of their mean (p95_trend_pct_per_min),
-- and the rise it fits between the first and the last window as a
-- percentage of the mean (p95_change_pct).  Unstable when p95 rose by more
-- than 20% over the run and by at least 1 ms: 20% is more than the noise
-- of a window's p95 in a steady run (a few percent) and what a user of the
-- run notices; a falling p95 (caches warming) is not instability, and
-- below 1 ms a context switch or a timer tick moves a p95 as much.  At
-- least 3 windows are needed.
--
-- Throughput variation: the coefficient of variation (standard deviation /
-- mean) of the operations per second over the steady part without its
-- last second (usually cut short by the end of the run), seconds without
-- operations counted as 0.  Even a perfectly steady server gives counts
-- that vary like a Poisson count, whose CV is 1/sqrt(mean): 0.32 at 10
-- ops/sec, 0.03 at 1000.  The verdict takes the variation beyond that,
-- sqrt(max(CV^2 - 1/mean, 0)): unstable over 0.20, i.e. when the server's
-- own throughput swings by a fifth of its mean second to second (stalls of
-- checkpoints, lock pile-ups), which a steady run does not show.  At least
-- 10 seconds are needed.
--
-- Error bursts: seconds (all of them, ramp-up included) whose error rate
-- is more than 5 times the run's and which have at least 5 errors, and
-- more errors than the run's rate lets chance give: with l the errors the
-- run's rate expects in that second, more than l + 5 sqrt(l) (errors are
-- close to a Poisson count; five standard deviations keep chance bursts
-- rare even over an hour's seconds, where 5 errors alone would not when
-- l is about 1).  Any burst makes the run unstable: errors that come in
-- bursts are an incident, not the workload's usual rate.
-- ---------------------------------------------------------------------------

-- The seconds of a series as one row each (rows of the same whole second
-- add up, p95 their mean weighted by operations), seconds beyond 1e12 left
-- out, as are counts and p95s that are not 0 or between 1e-9 and 1e15
-- (NULL, NaN, infinities, negative values, garbage), so that no arithmetic
-- on them can overflow or underflow.
CREATE OR REPLACE FUNCTION loadtest.stability_seconds(seconds double precision[],
                                                     ops double precision[],
                                                     errors double precision[],
                                                     p95_ms double precision[])
RETURNS TABLE (s double precision, o double precision, e double precision, p double precision)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT floor(v.s),
       coalesce(sum(v.o), 0::float8),
       coalesce(sum(v.e), 0::float8),
       coalesce(sum(v.p * v.o) FILTER (WHERE v.o > 0::float8)
                / nullif(sum(v.o) FILTER (WHERE v.p IS NOT NULL AND v.o > 0::float8), 0::float8),
                avg(v.p))
  FROM (SELECT u.s,
               CASE WHEN u.o = 0::float8 OR (u.o >= 1e-9::float8 AND u.o < 1e15::float8) THEN u.o END AS o,
               CASE WHEN u.e = 0::float8 OR (u.e >= 1e-9::float8 AND u.e < 1e15::float8) THEN u.e END AS e,
               CASE WHEN u.p = 0::float8 OR (u.p >= 1e-9::float8 AND u.p < 1e15::float8) THEN u.p END AS p
          FROM unnest(seconds, ops, errors, p95_ms) AS u(s, o, e, p)
         WHERE u.s > -1e12::float8 AND u.s < 1e12::float8) v
 GROUP BY floor(v.s)
$$;

COMMENT ON FUNCTION loadtest.stability_seconds(double precision[], double precision[], double precision[], double precision[]) IS
'loadtest (internal): the seconds of a series for loadtest_stability_of, one row per whole second, values out of range left out';

CREATE OR REPLACE FUNCTION loadtest_stability_of(seconds double precision[],
                                    ops double precision[],
                                    errors double precision[],
                                    p95_ms double precision[],
                                    ramp_up_s double precision DEFAULT 0,
                                    OUT span_s double precision,
                                    OUT p95_trend_pct_per_min double precision,
                                    OUT p95_change_pct double precision,
                                    OUT throughput_mean double precision,
                                    OUT throughput_cv double precision,
                                    OUT throughput_excess_cv double precision,
                                    OUT error_bursts integer,
                                    OUT burst_errors double precision,
                                    OUT stable boolean,
                                    OUT verdict text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_min_span      constant double precision := 60;   -- s: shorter runs get no verdict
    c_rise_pct      constant double precision := 20;   -- % of the mean p95 over the run
    c_rise_ms       constant double precision := 1;    -- ms
    c_cv            constant double precision := 0.20; -- beyond Poisson noise
    c_burst_factor  constant double precision := 5;
    c_burst_min     constant double precision := 5;    -- errors in the second
    c_burst_sigmas  constant double precision := 5;
    c_1d            constant text := 'FM999G999G990D0';
    c_2d            constant text := 'FM999G999G990D00';
    v_first   double precision;
    v_last    double precision;
    v_steady  double precision;
    v_window  double precision;
    v_windows bigint;
    v_slope   double precision;
    v_mean    double precision;
    v_xspan   double precision;
    v_rise_ms double precision;
    v_n       double precision;
    v_sum     double precision;
    v_sumsq   double precision;
    v_var     double precision;
    v_rate    double precision;
    why       text[] := '{}';
    fine      text[] := '{}';
BEGIN
    error_bursts := 0;
    burst_errors := 0;
    v_steady := CASE WHEN ramp_up_s > 0::float8 AND ramp_up_s < 1e9::float8 THEN ceil(ramp_up_s)
                     WHEN ramp_up_s >= 1e9::float8 THEN 1e9::float8
                     ELSE 0::float8 END;

    SELECT min(x.s), max(x.s) INTO v_first, v_last
      FROM loadtest.stability_seconds(seconds, ops, errors, p95_ms) x;
    IF v_first IS NULL THEN
        verdict := 'no seconds to judge';
        RETURN;
    END IF;
    span_s := v_last - v_first + 1::float8;
    v_steady := greatest(v_steady, v_first);

    -- p95 trend
    v_window := CASE WHEN v_last - v_steady + 1::float8 >= 180::float8 THEN 60::float8 ELSE 10::float8 END;
    SELECT regr_slope(w.p, w.mid_min), avg(w.p), max(w.mid_min) - min(w.mid_min), count(*)
      INTO v_slope, v_mean, v_xspan, v_windows
      FROM (SELECT floor((x.s - v_steady) / v_window) AS wno,
                   (floor((x.s - v_steady) / v_window) * v_window + v_window / 2::float8) / 60::float8 AS mid_min,
                   coalesce(sum(x.p * x.o) FILTER (WHERE x.p IS NOT NULL AND x.o > 0::float8)
                            / nullif(sum(x.o) FILTER (WHERE x.p IS NOT NULL AND x.o > 0::float8), 0::float8),
                            avg(x.p)) AS p
              FROM loadtest.stability_seconds(seconds, ops, errors, p95_ms) x
             WHERE x.s >= v_steady
             GROUP BY 1, 2) w
     WHERE w.p IS NOT NULL
       AND v_last - (v_steady + w.wno * v_window) + 1::float8 >= v_window / 2::float8;
    IF v_windows >= 3 AND v_mean > 0::float8 AND v_slope IS NOT NULL THEN
        p95_trend_pct_per_min := 100::float8 * v_slope / v_mean;
        p95_change_pct := 100::float8 * v_slope * v_xspan / v_mean;
        v_rise_ms := v_slope * v_xspan;
    END IF;

    -- Throughput variation: seconds v_steady .. v_last - 1, missing ones 0
    v_n := v_last - v_steady;
    IF v_n >= 10::float8 THEN
        SELECT coalesce(sum(x.o), 0::float8), coalesce(sum(x.o * x.o), 0::float8) INTO v_sum, v_sumsq
          FROM loadtest.stability_seconds(seconds, ops, errors, p95_ms) x
         WHERE x.s >= v_steady AND x.s < v_last;
        throughput_mean := v_sum / v_n;
        IF throughput_mean > 0::float8 THEN
            v_var := greatest((v_sumsq - v_sum * throughput_mean) / (v_n - 1::float8), 0::float8);
            throughput_cv := sqrt(v_var) / throughput_mean;
            throughput_excess_cv := sqrt(greatest(throughput_cv * throughput_cv - 1::float8 / throughput_mean, 0::float8));
        END IF;
    END IF;

    -- Error bursts
    SELECT sum(x.e) / nullif(sum(x.o), 0::float8) INTO v_rate
      FROM loadtest.stability_seconds(seconds, ops, errors, p95_ms) x;
    IF v_rate > 0::float8 THEN
        SELECT count(*), coalesce(sum(x.e), 0::float8) INTO error_bursts, burst_errors
          FROM loadtest.stability_seconds(seconds, ops, errors, p95_ms) x
         WHERE x.o > 0::float8
           AND x.e >= c_burst_min
           AND x.e > c_burst_factor * v_rate * x.o
           AND x.e > v_rate * x.o + c_burst_sigmas * sqrt(v_rate * x.o);
    END IF;

    IF span_s < c_min_span THEN
        verdict := format('no verdict: the run spans %s s, under %s s',
                          loadtest.format_number(span_s, 'FM999G999G990'), c_min_span);
        RETURN;
    END IF;

    IF p95_change_pct IS NULL AND throughput_excess_cv IS NULL AND error_bursts = 0 THEN
        verdict := 'no verdict: too few seconds with operations after the ramp-up';
        RETURN;
    END IF;

    IF p95_change_pct IS NULL THEN
        fine := fine || 'p95 trend n/a (too few windows)'::text;
    ELSIF p95_change_pct > c_rise_pct AND v_rise_ms >= c_rise_ms THEN
        why := why || format('p95 rose %s%% over the run (%s%%/min, %s ms; over %s%% and %s ms is unstable)',
                             loadtest.format_number(p95_change_pct, c_1d),
                             loadtest.format_number(p95_trend_pct_per_min, c_2d),
                             loadtest.format_number(v_rise_ms, c_2d), c_rise_pct, c_rise_ms);
    ELSE
        fine := fine || format('p95 trend %s%%/min, %s%% over the run',
                               loadtest.format_number(p95_trend_pct_per_min, c_2d),
                               loadtest.format_number(p95_change_pct, c_1d));
    END IF;

    IF throughput_excess_cv IS NULL THEN
        fine := fine || 'throughput variation n/a'::text;
    ELSIF throughput_excess_cv > c_cv THEN
        why := why || format('throughput varied: CV %s, %s beyond counting noise (over %s is unstable)',
                             loadtest.format_number(throughput_cv, c_2d),
                             loadtest.format_number(throughput_excess_cv, c_2d), c_cv);
    ELSE
        fine := fine || format('throughput CV %s (%s beyond counting noise)',
                               loadtest.format_number(throughput_cv, c_2d),
                               loadtest.format_number(throughput_excess_cv, c_2d));
    END IF;

    IF error_bursts > 0 THEN
        why := why || format('%s error %s (%s errors)',
                             error_bursts, CASE WHEN error_bursts = 1 THEN 'burst' ELSE 'bursts' END,
                             loadtest.format_number(burst_errors, 'FM999G999G999G999G990'));
    ELSE
        fine := fine || 'no error bursts'::text;
    END IF;

    stable := cardinality(why) = 0;
    verdict := CASE WHEN stable THEN 'stable: ' || array_to_string(fine, ', ')
                    ELSE 'unstable: ' || array_to_string(why, '; ')
                         || CASE WHEN cardinality(fine) > 0 THEN '; otherwise ' || array_to_string(fine, ', ') ELSE '' END END;
END
$$;

COMMENT ON FUNCTION loadtest_stability_of(double precision[], double precision[], double precision[], double precision[], double precision) IS
'loadtest: the stability verdict of a run''s seconds (seconds of the run, operations started, errors, p95 in ms; ramp_up_s left out of the trend and the variation): p95 trend (least squares over windows of 60 s, 10 s under 3 minutes; unstable when p95 rose over 20% and 1 ms), throughput CV beyond Poisson noise (unstable over 0.20), error bursts (seconds over 5x the run''s error rate, 5 errors and 5 standard deviations; unstable if any); no verdict (stable NULL) under 60 s';

-- The seconds of a run with a row in loadtest.run_timeline: second,
-- operations, errors and p95 (ms).
CREATE OR REPLACE FUNCTION loadtest.run_seconds(run_id bigint)
RETURNS TABLE (second double precision, ops double precision, errors double precision,
               p95_ms double precision)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT t.second::float8, t.ops::float8, t.errors::float8, t.p95_ms
  FROM loadtest.run_timeline t
 WHERE t.run_id = run_seconds.run_id
 ORDER BY t.second
$$;

COMMENT ON FUNCTION loadtest.run_seconds(bigint) IS
'loadtest (internal): the seconds of a run with a row (second, operations, errors, p95 in ms), for the over-time section';

CREATE OR REPLACE FUNCTION loadtest_stability(run_id bigint,
                                 OUT span_s double precision,
                                 OUT p95_trend_pct_per_min double precision,
                                 OUT p95_change_pct double precision,
                                 OUT throughput_mean double precision,
                                 OUT throughput_cv double precision,
                                 OUT throughput_excess_cv double precision,
                                 OUT error_bursts integer,
                                 OUT burst_errors double precision,
                                 OUT stable boolean,
                                 OUT verdict text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT st.*
  FROM (SELECT array_agg(t.second ORDER BY t.second) AS s,
               array_agg(t.ops ORDER BY t.second) AS o,
               array_agg(t.errors ORDER BY t.second) AS e,
               array_agg(t.p95_ms ORDER BY t.second) AS p
          FROM loadtest.run_seconds(loadtest_stability.run_id) t) a
 CROSS JOIN LATERAL @extschema@.loadtest_stability_of(
           coalesce(a.s, '{}'), coalesce(a.o, '{}'), coalesce(a.e, '{}'), coalesce(a.p, '{}'),
           (SELECT r.ramp_up_s FROM loadtest.runs r WHERE r.run_id = loadtest_stability.run_id)) st
$$;

COMMENT ON FUNCTION loadtest_stability(bigint) IS
'loadtest: the stability verdict of a run (loadtest_stability_of over its seconds in loadtest.run_timeline, its ramp-up left out)';

-- ---------------------------------------------------------------------------
-- Memory of a worker
--
-- The least-squares slope of a worker's memory (the total of its memory
-- contexts) against the operations it had run, over its snapshots but the
-- first: the first is taken when it starts serving, before its caches
-- (catalogue, relations, plans) have filled with what its operations use,
-- a growth that stops (in a real run of 300 operations per worker, 14%
-- from the first snapshot to the last, mostly that).  So at least 3
-- snapshots are needed: a run of 10 s or more.  Flat when it grew under
-- 1 KiB per 1000 operations, or under 1% of its size at the first
-- snapshot kept over the run: a leak of a single allocation per operation
-- is at least 24 bytes (a chunk and its header), 24 KiB per 1000
-- operations, far over the first threshold, which tells it from a
-- context's blocks (8 KiB and more, allocated once); the second keeps a
-- short run, where one such block is many bytes per operation, from being
-- called a leak for it.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_memory_trend(ops double precision[],
                                    bytes double precision[],
                                    OUT bytes_per_1000_ops double precision,
                                    OUT flat boolean,
                                    OUT verdict text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_flat_per_1000 constant double precision := 1024;
    c_flat_share    constant double precision := 0.01;
    v_n      bigint;
    v_slope  double precision;
    v_start  double precision;
    v_span   double precision;
BEGIN
    -- the snapshots with finite, non-negative values below 1e15, by ops
    WITH pts AS (
        SELECT u.o, u.b, row_number() OVER (ORDER BY u.o, u.ord) AS k, count(*) OVER () AS n
          FROM unnest(ops, bytes) WITH ORDINALITY AS u(o, b, ord)
         WHERE u.o >= 0::float8 AND u.o < 1e15::float8
           AND u.b >= 0::float8 AND u.b < 1e15::float8),
    -- a worker's caches fill over its first operations (catalog caches,
    -- the plans of each operation and variant as they are first drawn): the
    -- first snapshot is left out, and with 6 snapshots or more after it,
    -- all those of the first half of its operations, where a leak goes on
    -- growing and the warm-up has stopped
    after_first AS (
        SELECT pts.*, count(*) OVER () AS m, max(pts.o) OVER () AS last_o
          FROM pts WHERE pts.k > 1),
    kept AS (
        SELECT a.* FROM after_first a
         WHERE a.m < 6 OR a.o >= a.last_o / 2::float8)
    SELECT count(*), regr_slope(kept.b, kept.o), max(kept.o) - min(kept.o),
           (SELECT k2.b FROM kept k2 ORDER BY k2.k LIMIT 1)
      INTO v_n, v_slope, v_span, v_start
      FROM kept;

    IF v_n < 2 THEN
        verdict := 'not enough snapshots (3 are needed: a run of 10 s or more)';
        RETURN;
    END IF;
    IF v_slope IS NULL OR v_span <= 0::float8 THEN
        verdict := 'no operations between snapshots';
        RETURN;
    END IF;
    bytes_per_1000_ops := v_slope * 1000::float8;
    flat := bytes_per_1000_ops < c_flat_per_1000 OR v_slope * v_span < c_flat_share * v_start;
    verdict := CASE WHEN flat THEN 'flat'
                    ELSE 'grew ' || loadtest.format_number(bytes_per_1000_ops, 'FM999G999G999G999G990')
                         || ' bytes per 1000 operations'
                         || CASE WHEN v_n < 6
                                 THEN ' (a short run: its caches may still be filling; 7 snapshots, a run of 35 s or more, tell a leak from them)'
                                 ELSE '' END END;
END
$$;

COMMENT ON FUNCTION loadtest_memory_trend(double precision[], double precision[]) IS
'loadtest: the memory verdict of one worker from its snapshots (operations run, bytes): least-squares growth per 1000 operations over the snapshots but the first (the warm-up of its caches), and with 6 or more of those over the second half of its operations (at least 3 snapshots needed, else flat NULL); flat when under 1 KiB per 1000 operations or under 1% of the size at the first snapshot kept over the span kept';

-- ---------------------------------------------------------------------------
-- "Where the time went:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_where_time_went(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int      constant text := 'FM999G999G999G999G990';
    c_1d       constant text := 'FM990D0';
    c_classes  constant integer := 4;   -- classes named per line, the rest as "other"
    c_ops      constant integer := 20;  -- operations listed
    v_interval integer;
    v_total    numeric;
    v_ops      bigint;
    rec        record;
BEGIN
    RETURN NEXT 'Where the time went:';
    SELECT r.wait_sample_interval_ms INTO v_interval
      FROM loadtest.runs r WHERE r.run_id = report_where_time_went.run_id;
    SELECT sum(w.samples), count(DISTINCT w.operation) INTO v_total, v_ops
      FROM loadtest.wait_profile w
     WHERE w.run_id = report_where_time_went.run_id AND w.samples > 0;

    IF coalesce(v_total, 0::numeric) = 0::numeric THEN
        IF v_interval IS NULL THEN
            -- (runs recorded before 1.4, or the run's row is gone)
            RETURN NEXT '   not sampled: the run was recorded before loadtest 1.4, which samples wait events';
        ELSIF v_interval <= 0 THEN
            RETURN NEXT '   not sampled: the wait sampler was off for this run (loadtest.wait_sample_interval_ms = 0); SET loadtest.wait_sample_interval_ms = 10 before the run to sample';
        ELSE
            RETURN NEXT format('   no samples (one every %s ms): no operation ran long enough to be caught, or the run was too short',
                               loadtest.format_number(v_interval, c_int));
        END IF;
        RETURN;
    END IF;

    RETURN NEXT format('   %s samples of the workers'' wait events while they ran an operation, one every %s ms%s',
                       loadtest.format_number(v_total, c_int),
                       CASE WHEN v_interval > 0 THEN loadtest.format_number(v_interval, c_int) ELSE '?' END,
                       CASE WHEN v_interval > 0
                            THEN ' (about ' || loadtest.format_number(loadtest.numeric_float8(v_total * v_interval::numeric / 1000::numeric), 'FM999G999G999G990D0') || ' s of operations)'
                            ELSE '' END);

    -- overall, then per operation (most samples first): shares of the
    -- samples, recomputed from the counts (share_pct as stored is not used)
    FOR rec IN
        WITH cls AS (
            SELECT w.operation,
                   CASE WHEN w.wait_event_type = 'CPU' THEN 'CPU'
                        ELSE loadtest.one_line(w.wait_event_type, 40) || ':' || loadtest.one_line(w.wait_event, 60) END AS class,
                   w.samples
              FROM loadtest.wait_profile w
             WHERE w.run_id = report_where_time_went.run_id AND w.samples > 0),
        per AS (
            SELECT 0 AS grp, NULL::text AS operation, c.class, sum(c.samples) AS n FROM cls c GROUP BY c.class
            UNION ALL
            SELECT 1, c.operation, c.class, sum(c.samples) FROM cls c GROUP BY c.operation, c.class),
        ranked AS (
            SELECT per.*, sum(per.n) OVER (PARTITION BY per.grp, per.operation) AS total,
                   row_number() OVER (PARTITION BY per.grp, per.operation ORDER BY per.n DESC, per.class) AS k
              FROM per),
        lines AS (
            SELECT ranked.grp, ranked.operation, ranked.total,
                   string_agg(ranked.class || ' ' || loadtest.format_number(loadtest.numeric_float8(100::numeric * ranked.n / ranked.total), c_1d) || '%',
                              ', ' ORDER BY ranked.k) FILTER (WHERE ranked.k <= c_classes) AS named,
                   sum(ranked.n) FILTER (WHERE ranked.k > c_classes) AS other
              FROM ranked
             GROUP BY ranked.grp, ranked.operation, ranked.total)
        SELECT lines.*, row_number() OVER (PARTITION BY lines.grp ORDER BY lines.total DESC, lines.operation) AS op_k
          FROM lines
         ORDER BY lines.grp, lines.total DESC, lines.operation
    LOOP
        IF rec.grp = 1 AND rec.op_k > c_ops THEN
            RETURN NEXT format('   ... and %s more operations (see loadtest.wait_profile)', v_ops - c_ops);
            EXIT;
        END IF;
        RETURN NEXT format('   %s: %s%s (%s %s)',
                           CASE WHEN rec.grp = 0 THEN 'all operations' ELSE loadtest.one_line(rec.operation, 100) END,
                           rec.named,
                           CASE WHEN rec.other > 0::numeric
                                THEN ', other ' || loadtest.format_number(loadtest.numeric_float8(100::numeric * rec.other / rec.total), c_1d) || '%'
                                ELSE '' END,
                           loadtest.format_number(loadtest.numeric_float8(rec.total), c_int),
                           CASE WHEN rec.total = 1::numeric THEN 'sample' ELSE 'samples' END);
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_where_time_went(bigint) IS
'loadtest (internal): the report''s "Where the time went:" lines of a run, from loadtest.wait_profile: the shares of CPU and of each wait event (type:event) over all operations and per operation';

-- ---------------------------------------------------------------------------
-- "What the database did:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_database(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_2d     constant text := 'FM999G999G999G999G990D00';
    c_1d     constant text := 'FM990D0';
    c_tables constant integer := 20;
    v_rows   bigint;
    v_tables bigint;
    v_dur    double precision;
    v_ops    bigint;
    d        record;
    rec      record;
    v_k      integer := 0;
BEGIN
    RETURN NEXT 'What the database did:';
    SELECT count(*) INTO v_rows FROM loadtest.run_db_stats x WHERE x.run_id = report_database.run_id;
    SELECT count(*) INTO v_tables FROM loadtest.run_table_stats x WHERE x.run_id = report_database.run_id;
    IF v_rows = 0 AND v_tables = 0 THEN
        RETURN NEXT '   no counters recorded for this run';
        RETURN;
    END IF;
    SELECT s.duration_s, s.total_ops INTO v_dur, v_ops
      FROM loadtest.run_summary s WHERE s.run_id = report_database.run_id;

    -- (numeric: the counters are numeric, any of them NULL when not recorded)
    SELECT max(x.value) FILTER (WHERE x.stat = 'xact_commit') AS xact_commit,
           max(x.value) FILTER (WHERE x.stat = 'xact_rollback') AS xact_rollback,
           max(x.value) FILTER (WHERE x.stat = 'blks_read') AS blks_read,
           max(x.value) FILTER (WHERE x.stat = 'blks_hit') AS blks_hit,
           max(x.value) FILTER (WHERE x.stat = 'temp_files') AS temp_files,
           max(x.value) FILTER (WHERE x.stat = 'temp_bytes') AS temp_bytes,
           max(x.value) FILTER (WHERE x.stat = 'deadlocks') AS deadlocks,
           max(x.value) FILTER (WHERE x.stat = 'conflicts') AS conflicts,
           max(x.value) FILTER (WHERE x.stat = 'checkpoints_timed') AS checkpoints_timed,
           max(x.value) FILTER (WHERE x.stat = 'checkpoints_req') AS checkpoints_req,
           max(x.value) FILTER (WHERE x.stat = 'buffers_checkpoint') AS buffers_checkpoint,
           max(x.value) FILTER (WHERE x.stat = 'buffers_clean') AS buffers_clean,
           max(x.value) FILTER (WHERE x.stat = 'buffers_backend') AS buffers_backend,
           max(x.value) FILTER (WHERE x.stat = 'buffers_backend_fsync') AS buffers_backend_fsync,
           max(x.value) FILTER (WHERE x.stat = 'wal_records') AS wal_records,
           max(x.value) FILTER (WHERE x.stat = 'wal_fpi') AS wal_fpi,
           max(x.value) FILTER (WHERE x.stat = 'wal_bytes') AS wal_bytes,
           max(x.value) FILTER (WHERE x.stat = 'wal_buffers_full') AS wal_buffers_full
      INTO d
      FROM loadtest.run_db_stats x
     WHERE x.run_id = report_database.run_id;

    RETURN NEXT '   (PostgreSQL''s counters over the run: the whole database, other sessions included; checkpoints and WAL: the whole server)';

    IF d.blks_hit IS NOT NULL OR d.blks_read IS NOT NULL THEN
        RETURN NEXT format('   Cache hit ratio: %s (%s blocks found in shared buffers, %s read)',
                           coalesce(loadtest.format_number(loadtest.numeric_float8(
                                        100::numeric * coalesce(d.blks_hit, 0::numeric)
                                        / nullif(coalesce(d.blks_hit, 0::numeric) + coalesce(d.blks_read, 0::numeric), 0::numeric)), c_2d) || '%',
                                    'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.blks_hit), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.blks_read), c_int), 'n/a'));
    END IF;
    IF d.xact_commit IS NOT NULL OR d.xact_rollback IS NOT NULL THEN
        RETURN NEXT format('   Transactions: %s commits (%s), %s rollbacks',
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.xact_commit), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(
                                        d.xact_commit / CASE WHEN v_dur >= 1e-9::float8 AND v_dur < 'Infinity'::float8
                                                             THEN v_dur::numeric END), c_2d) || '/s',
                                    'n/a per second'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.xact_rollback), c_int), 'n/a'));
    END IF;
    IF d.wal_bytes IS NOT NULL OR d.wal_records IS NOT NULL THEN
        RETURN NEXT format('   WAL: %s%s; %s records, %s full-page images%s',
                           coalesce(loadtest.format_bytes(d.wal_bytes), 'n/a'),
                           coalesce(', ' || loadtest.format_bytes(d.wal_bytes / nullif(v_ops, 0)::numeric) || ' per operation', ''),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.wal_records), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.wal_fpi), c_int), 'n/a'),
                           CASE WHEN d.wal_buffers_full > 0::numeric
                                THEN ', WAL buffers full ' || loadtest.format_number(loadtest.numeric_float8(d.wal_buffers_full), c_int) || ' times'
                                ELSE '' END);
    END IF;
    IF d.checkpoints_timed IS NOT NULL OR d.checkpoints_req IS NOT NULL OR d.buffers_backend IS NOT NULL THEN
        RETURN NEXT format('   Checkpoints during the run: %s (%s timed, %s requested); buffers written by checkpoints %s, by the background writer %s, by backends %s%s',
                           coalesce(loadtest.format_number(loadtest.numeric_float8(
                                        coalesce(d.checkpoints_timed, 0::numeric) + coalesce(d.checkpoints_req, 0::numeric)), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.checkpoints_timed), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.checkpoints_req), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.buffers_checkpoint), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.buffers_clean), c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.buffers_backend), c_int), 'n/a'),
                           CASE WHEN d.buffers_backend_fsync > 0::numeric
                                THEN ' (' || loadtest.format_number(loadtest.numeric_float8(d.buffers_backend_fsync), c_int) || ' fsyncs by backends)'
                                ELSE '' END);
    END IF;
    IF d.temp_files IS NOT NULL OR d.deadlocks IS NOT NULL THEN
        RETURN NEXT format('   Temp files: %s (%s); deadlocks: %s%s',
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.temp_files), c_int), 'n/a'),
                           coalesce(loadtest.format_bytes(d.temp_bytes), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(d.deadlocks), c_int), 'n/a'),
                           CASE WHEN d.conflicts > 0::numeric
                                THEN '; recovery conflicts: ' || loadtest.format_number(loadtest.numeric_float8(d.conflicts), c_int)
                                ELSE '' END);
    END IF;

    -- Per table (the tables the run's statements use), most scanned first
    FOR rec IN
        SELECT t.*,
               coalesce(t.seq_scan, 0)::numeric + coalesce(t.idx_scan, 0)::numeric AS scans
          FROM loadtest.run_table_stats t
         WHERE t.run_id = report_database.run_id
         ORDER BY coalesce(t.seq_scan, 0)::numeric + coalesce(t.idx_scan, 0)::numeric
                  + coalesce(t.n_tup_ins, 0)::numeric + coalesce(t.n_tup_upd, 0)::numeric
                  + coalesce(t.n_tup_del, 0)::numeric DESC,
                  t.table_name
    LOOP
        v_k := v_k + 1;
        IF v_k > c_tables THEN
            RETURN NEXT format('   ... and %s more tables (see loadtest.run_table_stats)', v_tables - c_tables);
            EXIT;
        END IF;
        RETURN NEXT format('   %s: %s sequential scans (%s tuples read), %s index scans; %s inserted, %s updated (%s HOT), %s deleted; dead tuples %s; autovacuum %s, autoanalyze %s',
                           loadtest.one_line(rec.table_name, 100),
                           coalesce(loadtest.format_number(rec.seq_scan, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.seq_tup_read, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.idx_scan, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.n_tup_ins, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.n_tup_upd, c_int), 'n/a'),
                           coalesce(loadtest.format_number(loadtest.numeric_float8(
                                        100::numeric * rec.n_tup_hot_upd::numeric / nullif(rec.n_tup_upd, 0)::numeric), c_1d) || '%',
                                    'n/a'),
                           coalesce(loadtest.format_number(rec.n_tup_del, c_int), 'n/a'),
                           coalesce(CASE WHEN rec.n_dead_tup > 0 THEN '+' ELSE '' END
                                    || loadtest.format_number(rec.n_dead_tup, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.autovacuum_count, c_int), 'n/a'),
                           coalesce(loadtest.format_number(rec.autoanalyze_count, c_int), 'n/a'));
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_database(bigint) IS
'loadtest (internal): the report''s "What the database did:" lines of a run, from loadtest.run_db_stats and loadtest.run_table_stats: cache hit ratio, commits, WAL, checkpoints, temp files, deadlocks; scans and row changes of each table the run used';

-- ---------------------------------------------------------------------------
-- "Over time:"
-- ---------------------------------------------------------------------------

-- Each worker of a run with its memory trend (loadtest_memory_trend over
-- its snapshots of loadtest.run_memory): the report's over-time section
-- and its data.
CREATE OR REPLACE FUNCTION loadtest.run_memory_trends(run_id bigint)
RETURNS TABLE (worker_no integer, ops bigint, first_bytes bigint, last_bytes bigint,
               bytes_per_1000_ops double precision, flat boolean, verdict text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT w.worker_no, w.ops, w.first_bytes, w.last_bytes, t.bytes_per_1000_ops, t.flat, t.verdict
  FROM (SELECT m.worker_no,
               array_agg(m.ops::float8 ORDER BY m.at_s, m.ops) AS o,
               array_agg(m.bytes::float8 ORDER BY m.at_s, m.ops) AS b,
               (array_agg(m.bytes ORDER BY m.ops, m.at_s))[1] AS first_bytes,
               (array_agg(m.bytes ORDER BY m.ops DESC, m.at_s DESC))[1] AS last_bytes,
               max(m.ops) AS ops
          FROM loadtest.run_memory m
         WHERE m.run_id = run_memory_trends.run_id
         GROUP BY m.worker_no) w
 CROSS JOIN LATERAL @extschema@.loadtest_memory_trend(w.o, w.b) t
$$;

COMMENT ON FUNCTION loadtest.run_memory_trends(bigint) IS
'loadtest (internal): each worker of a run with its operations, first and last memory and its trend (loadtest_memory_trend: bytes per 1000 operations, flat, verdict)';

CREATE OR REPLACE FUNCTION loadtest.report_over_time(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int     constant text := 'FM999G999G999G999G990';
    c_2d      constant text := 'FM999G999G999G999G990D00';
    c_width   constant integer := 60;
    -- seconds filled in (a second without a row: no operations) up to a
    -- week; a timeline beyond that is drawn from its rows alone
    c_fill    constant double precision := 604800;
    v_first   double precision;
    v_last    double precision;
    v_sec     double precision[];
    v_sops    double precision[];
    v_serr    double precision[];
    v_sp95    double precision[];
    v_ops     double precision[];
    v_p95     double precision[];
    g         double precision[];
    v_per     bigint;
    v_line    text;
    st        record;
    mem       record;
    v_workers bigint;
    v_k       integer := 0;
BEGIN
    RETURN NEXT 'Over time:';

    -- the timeline read once (the view merges histograms)
    SELECT array_agg(t.second ORDER BY t.second), array_agg(t.ops ORDER BY t.second),
           array_agg(t.errors ORDER BY t.second), array_agg(t.p95_ms ORDER BY t.second),
           min(t.second), max(t.second)
      INTO v_sec, v_sops, v_serr, v_sp95, v_first, v_last
      FROM loadtest.run_seconds(report_over_time.run_id) t;
    IF v_first IS NULL THEN
        RETURN NEXT '   no timeline recorded for this run';
    ELSE
        IF v_last - least(v_first, 0::float8) < c_fill THEN
            SELECT array_agg(coalesce(t.ops, 0::float8) ORDER BY s.s), array_agg(t.p95_ms ORDER BY s.s)
              INTO v_ops, v_p95
              FROM generate_series(least(v_first, 0::float8)::bigint, v_last::bigint) AS s(s)
              LEFT JOIN (SELECT x.s::bigint AS second, sum(x.o) AS ops, max(x.p) AS p95_ms
                           FROM unnest(v_sec, v_sops, v_sp95) AS x(s, o, p)
                          GROUP BY x.s::bigint) t ON t.second = s.s;
        ELSE
            v_ops := v_sops;
            v_p95 := v_sp95;
        END IF;
        v_per := (cardinality(v_ops)::bigint + c_width - 1) / c_width;

        g := loadtest.sparkline_groups(v_ops, c_width);
        RETURN NEXT format('   Throughput (ops/sec%s): %s  min %s, max %s',
                           CASE WHEN v_per > 1 THEN ', ' || v_per || ' s per character' ELSE '' END,
                           @extschema@.loadtest_sparkline(v_ops, c_width),
                           coalesce((SELECT loadtest.format_number(min(v), c_2d) FROM unnest(g) v), 'n/a'),
                           coalesce((SELECT loadtest.format_number(max(v), c_2d) FROM unnest(g) v), 'n/a'));
        g := loadtest.sparkline_groups(v_p95, c_width);
        RETURN NEXT format('   p95 (ms%s): %s  min %s, max %s',
                           CASE WHEN v_per > 1 THEN ', mean of ' || v_per || ' s per character' ELSE '' END,
                           @extschema@.loadtest_sparkline(v_p95, c_width),
                           coalesce((SELECT loadtest.format_number(min(v), c_2d) FROM unnest(g) v), 'n/a'),
                           coalesce((SELECT loadtest.format_number(max(v), c_2d) FROM unnest(g) v), 'n/a'));

        SELECT * INTO st
          FROM @extschema@.loadtest_stability_of(v_sec, v_sops, v_serr, v_sp95,
                   (SELECT r.ramp_up_s FROM loadtest.runs r WHERE r.run_id = report_over_time.run_id));
        RETURN NEXT '   Stability: ' || coalesce(st.verdict, 'n/a');
    END IF;

    -- Memory: one verdict per worker, the worst (fastest growing) first
    SELECT count(DISTINCT m.worker_no) INTO v_workers
      FROM loadtest.run_memory m WHERE m.run_id = report_over_time.run_id;
    IF v_workers = 0 THEN
        RETURN NEXT '   Memory: no snapshots of the workers'' memory';
        RETURN;
    END IF;
    v_k := 0;
    FOR mem IN
        SELECT w.worker_no, w.bytes_per_1000_ops AS per_1000, w.flat, w.verdict,
               w.first_bytes, w.last_bytes, w.ops,
               count(*) FILTER (WHERE NOT w.flat) OVER () AS grew
          FROM loadtest.run_memory_trends(report_over_time.run_id) w
         ORDER BY w.flat NULLS LAST, w.bytes_per_1000_ops DESC NULLS LAST, w.worker_no
    LOOP
        v_k := v_k + 1;
        IF v_k = 1 THEN
            -- the worst worker first: the overall verdict
            IF mem.flat IS NULL THEN
                -- (the worst first: no worker has a verdict; one line says why)
                RETURN NEXT format('   Memory: no verdict for its %s %s (%s)',
                                   v_workers, CASE WHEN v_workers = 1 THEN 'worker' ELSE 'workers' END,
                                   mem.verdict);
                EXIT;
            ELSIF mem.flat THEN
                RETURN NEXT format('   Memory: flat (%s %s; the most: worker %s, %s bytes per 1000 operations; flat: under 1 KiB per 1000 operations or 1%% of its size)',
                                   v_workers, CASE WHEN v_workers = 1 THEN 'worker' ELSE 'workers' END,
                                   mem.worker_no, loadtest.format_number(mem.per_1000, c_int));
            ELSE
                RETURN NEXT format('   Memory: grew in %s of %s workers; the worst: worker %s %s',
                                   mem.grew, v_workers, mem.worker_no, mem.verdict);
            END IF;
        END IF;
        -- every worker of a small run; of a larger one those that grew
        -- or have no verdict (they come first), at most 16
        IF v_workers > 8 AND mem.flat THEN
            RETURN NEXT format('      (%s flat %s not listed: see loadtest.run_memory)',
                               v_workers - v_k + 1, CASE WHEN v_workers - v_k + 1 = 1 THEN 'worker' ELSE 'workers' END);
            EXIT;
        END IF;
        IF v_k > 16 THEN
            RETURN NEXT format('      ... and %s more workers (see loadtest.run_memory)', v_workers - 16);
            EXIT;
        END IF;
        RETURN NEXT format('      worker %s: %s, %s -> %s over %s operations',
                           mem.worker_no, mem.verdict,
                           loadtest.format_bytes(mem.first_bytes), loadtest.format_bytes(mem.last_bytes),
                           loadtest.format_number(mem.ops, c_int));
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_over_time(bigint) IS
'loadtest (internal): the report''s "Over time:" lines of a run: throughput and p95 as sparklines (loadtest_sparkline), the stability verdict (loadtest_stability) and the memory verdict of its workers (loadtest_memory_trend over loadtest.run_memory)';

-- ---------------------------------------------------------------------------
-- "Plans:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_plans(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_listed constant integer := 20;
    v_role   name;
    v_all    bigint;
    v_plans  bigint;
    v_errors bigint;
    v_changed bigint;
    v_k      integer := 0;
    rec      record;
    v_top    text;
    v_old    text;
    v_new    text;
    v_at     bigint;
BEGIN
    RETURN NEXT 'Plans:';
    SELECT r.role_name INTO v_role FROM loadtest.runs r WHERE r.run_id = report_plans.run_id;
    SELECT count(*), count(*) FILTER (WHERE p.plan IS NOT NULL),
           count(*) FILTER (WHERE p.plan IS NULL), count(*) FILTER (WHERE p.changed)
      INTO v_all, v_plans, v_errors, v_changed
      FROM loadtest.run_plans p WHERE p.run_id = report_plans.run_id;
    IF v_all = 0 THEN
        RETURN NEXT '   no plans recorded for this run';
        RETURN;
    END IF;
    RETURN NEXT format('   %s %s explained when the run started; %s changed since the last run%s',
                       loadtest.format_number(v_plans, c_int),
                       CASE WHEN v_plans = 1 THEN 'statement' ELSE 'statements' END,
                       CASE WHEN v_changed = 0 THEN 'none' ELSE loadtest.format_number(v_changed, c_int) END,
                       CASE WHEN v_errors > 0
                            THEN ', ' || loadtest.format_number(v_errors, c_int) || ' could not be explained'
                            ELSE '' END);

    -- Changed plans: the first node (in pre-order) where the old and the
    -- new shape differ, with the plan's top node when that is another one;
    -- the old plan from the last earlier run of the same role that has one
    -- for that operation, variant and statement (the one the recorder
    -- compared with); the generic plans, which the recorder compares (the
    -- plan with drawn values where a run has none: rows written by hand).
    FOR rec IN
        SELECT p.operation, p.variant_no, p.statement_no,
               coalesce(p.generic_plan, p.plan) AS plan,
               (SELECT coalesce(CASE WHEN jsonb_typeof(ro.variants) = 'array'
                                     THEN ro.variants -> (p.variant_no - 1) -> 'statements' ->> (p.statement_no - 1) END,
                                ro.statements[p.statement_no])
                  FROM loadtest.run_operations ro
                 WHERE ro.run_id = p.run_id AND ro.operation = p.operation
                 ORDER BY ro.operation_no LIMIT 1) AS statement,
               o.run_id AS old_run_id, o.plan AS old_plan
          FROM loadtest.run_plans p
          LEFT JOIN LATERAL (
                SELECT q.run_id, coalesce(q.generic_plan, q.plan) AS plan
                  FROM loadtest.run_plans q
                  JOIN loadtest.runs r ON r.run_id = q.run_id
                 WHERE q.run_id < p.run_id AND r.role_name = v_role
                   AND q.operation = p.operation AND q.variant_no = p.variant_no
                   AND q.statement_no = p.statement_no
                   AND coalesce(q.generic_plan, q.plan) IS NOT NULL
                 ORDER BY q.run_id DESC LIMIT 1) o ON true
         WHERE p.run_id = report_plans.run_id AND p.changed
         ORDER BY p.operation, p.variant_no, p.statement_no
    LOOP
        v_k := v_k + 1;
        IF v_k > c_listed THEN
            RETURN NEXT format('   ... and %s more changed plans (see loadtest.run_plans)', v_changed - c_listed);
            EXIT;
        END IF;
        v_top := (SELECT n.label FROM loadtest.plan_nodes(rec.plan) n WHERE n.node_no = 1);
        v_old := NULL;
        v_new := NULL;
        v_at := NULL;
        SELECT o.label, n.label, coalesce(o.node_no, n.node_no)
          INTO v_old, v_new, v_at
          FROM (SELECT * FROM loadtest.plan_nodes(rec.old_plan)) o
          FULL JOIN (SELECT * FROM loadtest.plan_nodes(rec.plan)) n ON n.node_no = o.node_no
         WHERE o.depth IS DISTINCT FROM n.depth OR o.label IS DISTINCT FROM n.label
            OR o.relationship IS DISTINCT FROM n.relationship
         ORDER BY 3 LIMIT 1;
        IF v_at IS NULL THEN
            -- (the same shape: the tables say changed all the same)
            v_old := (SELECT n.label FROM loadtest.plan_nodes(rec.old_plan) n WHERE n.node_no = 1);
            v_new := v_top;
        END IF;
        RETURN NEXT format('   %s (variant %s, statement %s): %s -> %s%s',
                           loadtest.one_line(rec.operation, 100), rec.variant_no, rec.statement_no,
                           CASE WHEN rec.old_plan IS NULL THEN '(no earlier plan)'
                                ELSE coalesce(loadtest.one_line(v_old, 200), '(no node)') END,
                           coalesce(loadtest.one_line(v_new, 200), '(no node)'),
                           CASE WHEN v_at > 1 AND v_top IS NOT NULL
                                THEN ' under ' || loadtest.one_line(v_top, 100) ELSE '' END
                           || CASE WHEN rec.old_run_id IS NOT NULL
                                   THEN ' (since run ' || rec.old_run_id::text || ')' ELSE '' END);
        IF rec.statement IS NOT NULL THEN
            RETURN NEXT '      ' || loadtest.one_line(rec.statement, 150);
        END IF;
    END LOOP;

    -- Statements that could not be explained
    v_k := 0;
    FOR rec IN
        SELECT p.operation, p.variant_no, p.statement_no, p.error
          FROM loadtest.run_plans p
         WHERE p.run_id = report_plans.run_id AND p.plan IS NULL
         ORDER BY p.operation, p.variant_no, p.statement_no
    LOOP
        v_k := v_k + 1;
        IF v_k > c_listed THEN
            RETURN NEXT format('   ... and %s more not explained (see loadtest.run_plans)', v_errors - c_listed);
            EXIT;
        END IF;
        RETURN NEXT format('   not explained: %s (variant %s, statement %s): %s',
                           loadtest.one_line(rec.operation, 100), rec.variant_no, rec.statement_no,
                           coalesce(loadtest.one_line(rec.error, 150), 'no error recorded'));
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_plans(bigint) IS
'loadtest (internal): the report''s "Plans:" lines of a run, from loadtest.run_plans: how many statements were explained, each changed plan with its old and new node (from the last earlier run of the same role with a plan for that operation, variant and statement), the statements that could not be explained';
