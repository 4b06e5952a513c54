-- loadtest 1.6: the capacity model (Universal Scalability Law).
--
--   loadtest_usl_fit()      fits the USL to measured throughputs
--   loadtest_usl_predict()  throughput and response time (Little's law) of
--                           a fitted model at a number of users
--   loadtest_capacity(users int[], ...)
--                           measures throughput at several user counts (or
--                           reuses finished runs), fits the USL and predicts
--                           the target; an overload of the linear
--                           loadtest_capacity(avg_ms, users, ...) of
--                           40_report.sql
--   loadtest.least_squares()  internal: linear least squares (Householder QR)
--
-- The USL (N. Gunther): with N concurrent users the throughput is
--
--     X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
--
-- lambda is the throughput of one user, sigma (contention) the share of the
-- work that is serialised, kappa (coherency) the cost of keeping N users'
-- views in step, which makes throughput fall beyond the peak
-- N* = sqrt((1 - sigma) / kappa).  With a think time Z (seconds), Little's
-- law gives the response time R = N / X(N) - Z.

-- ---------------------------------------------------------------------------
-- Linear least squares
-- ---------------------------------------------------------------------------

-- min |a x - y|, a an n x k matrix (n >= k), by Householder QR on
-- unit-norm columns (the USL's columns 1, N-1, N(N-1) differ by orders of
-- magnitude; normal equations would square their condition number).
-- NULL when the columns are (numerically) dependent.  Its elements must be
-- finite and at most 1e50 in magnitude, those below 1e-50 count as 0, and
-- k is at most 4, so that no sum of squares or back substitution can
-- overflow (or underflow) double precision.
CREATE OR REPLACE FUNCTION loadtest.least_squares(a double precision[], y double precision[])
RETURNS double precision[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n     integer := array_length(a, 1);
    k     integer := array_length(a, 2);
    s     double precision[];
    v     double precision[];
    x     double precision[];
    nrm   double precision;
    alpha double precision;
    vv    double precision;
    d     double precision;
BEGIN
    IF array_ndims(a) IS DISTINCT FROM 2 OR array_ndims(y) IS DISTINCT FROM 1 OR n < k
       OR array_length(y, 1) <> n THEN
        RAISE EXCEPTION 'loadtest.least_squares: a must be an n x k matrix with n >= k and y a vector of n'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF k > 4 THEN
        RAISE EXCEPTION 'loadtest.least_squares: at most 4 columns, not %', k
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(a) z WHERE z IS NULL)
       OR EXISTS (SELECT 1 FROM unnest(y) z WHERE z IS NULL) THEN
        RAISE EXCEPTION 'loadtest.least_squares: a and y must not contain NULLs'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- Index from 1 whatever the lower bounds were; range of the elements.
    v := array_fill(0::float8, ARRAY[n]);
    x := array_fill(0::float8, ARRAY[n * k]);
    FOR i IN 1 .. n LOOP
        FOR j IN 1 .. k LOOP
            d := a[array_lower(a, 1) + i - 1][array_lower(a, 2) + j - 1];
            IF NOT (abs(d) <= 1e50) THEN  -- NaN sorts above all numbers
                RAISE EXCEPTION 'loadtest.least_squares: the elements of a must be finite and at most 1e50 in magnitude, not %', d
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            x[(i - 1) * k + j] := CASE WHEN abs(d) < 1e-50 THEN 0 ELSE d END;
        END LOOP;
        d := y[array_lower(y, 1) + i - 1];
        IF NOT (abs(d) <= 1e50) THEN
            RAISE EXCEPTION 'loadtest.least_squares: the elements of y must be finite and at most 1e50 in magnitude, not %', d
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v[i] := CASE WHEN abs(d) < 1e-50 THEN 0 ELSE d END;
    END LOOP;
    a := array_fill(0::float8, ARRAY[n, k]);
    FOR i IN 1 .. n LOOP
        FOR j IN 1 .. k LOOP
            a[i][j] := x[(i - 1) * k + j];
        END LOOP;
    END LOOP;
    y := v;

    -- Unit-norm columns.
    s := array_fill(0::float8, ARRAY[k]);
    FOR j IN 1 .. k LOOP
        nrm := 0;
        FOR i IN 1 .. n LOOP
            nrm := nrm + a[i][j] * a[i][j];
        END LOOP;
        IF nrm = 0 THEN
            RETURN NULL;
        END IF;
        s[j] := sqrt(nrm);
        FOR i IN 1 .. n LOOP
            a[i][j] := a[i][j] / s[j];
        END LOOP;
    END LOOP;

    -- Householder reflections: a becomes R, y becomes Q'y.
    FOR j IN 1 .. k LOOP
        nrm := 0;
        FOR i IN j .. n LOOP
            nrm := nrm + a[i][j] * a[i][j];
        END LOOP;
        nrm := sqrt(nrm);
        IF nrm <= 1e-12 THEN
            RETURN NULL;
        END IF;
        alpha := CASE WHEN a[j][j] > 0 THEN -nrm ELSE nrm END;
        v := array_fill(0::float8, ARRAY[n]);
        FOR i IN j .. n LOOP
            v[i] := a[i][j];
        END LOOP;
        v[j] := v[j] - alpha;
        vv := 0;
        FOR i IN j .. n LOOP
            vv := vv + v[i] * v[i];
        END LOOP;
        FOR c IN j .. k LOOP
            d := 0;
            FOR i IN j .. n LOOP
                d := d + v[i] * a[i][c];
            END LOOP;
            d := 2 * d / vv;
            FOR i IN j .. n LOOP
                a[i][c] := a[i][c] - d * v[i];
            END LOOP;
        END LOOP;
        d := 0;
        FOR i IN j .. n LOOP
            d := d + v[i] * y[i];
        END LOOP;
        d := 2 * d / vv;
        FOR i IN j .. n LOOP
            y[i] := y[i] - d * v[i];
        END LOOP;
    END LOOP;

    -- R x = Q'y, then undo the column scaling.
    x := array_fill(0::float8, ARRAY[k]);
    FOR j IN REVERSE k .. 1 LOOP
        d := y[j];
        FOR c IN j + 1 .. k LOOP
            d := d - a[j][c] * x[c];
        END LOOP;
        x[j] := d / a[j][j];
    END LOOP;
    FOR j IN 1 .. k LOOP
        x[j] := x[j] / s[j];
    END LOOP;
    RETURN x;
END
$$;

COMMENT ON FUNCTION loadtest.least_squares(double precision[], double precision[]) IS
'loadtest (internal): least-squares solution x of a x = y for an n x k matrix a (k <= 4, Householder QR); NULL when the columns are dependent; elements must be finite and at most 1e50 in magnitude (below 1e-50: 0)';

-- ---------------------------------------------------------------------------
-- Fitting the USL
-- ---------------------------------------------------------------------------

-- Method:
--  1. Linearised fit.  y = N / X = a + b (N - 1) + c N (N - 1), with
--     a = 1/lambda, b = sigma/lambda, c = kappa/lambda, by least squares
--     with all three unknowns free (lambda is not pinned by an N = 1 point,
--     which need not exist and is as noisy as any other).  The constraint
--     sigma, kappa >= 0 is met exactly: the fit is solved on each face
--     (b and c free; b free, c = 0; b = 0, c free; b = c = 0) and the best
--     feasible one (with a > 0) is kept.  Should no face give a > 0, lambda
--     starts from the throughput per user at the smallest N.
--  2. Refinement.  The linearised fit weighs the points unevenly (y grows
--     with N), so Gauss-Newton iterations then minimise the squared error
--     on X itself, the quantity r2 judges: each step is solved by least
--     squares, sigma and kappa are held at 0 while the gradient pushes them
--     below it (active set) and clamped at 0 otherwise, and a step is
--     halved until it lowers the error (at most 100 steps).
--  3. sigma and kappa whose effect over the measured range is below 1e-9
--     are set to 0 (and sigma within 1e-9 of 1 to 1), so that exact linear
--     or flat data give exact answers.
--
-- Fewer than 3 distinct user counts cannot determine 3 parameters: that is
-- an error (SQLSTATE 22023) with a hint, not a row of NULLs, since nothing
-- was fitted; a caller fitting groups can filter on
-- count(DISTINCT users) >= 3 first.
CREATE OR REPLACE FUNCTION loadtest_usl_fit(users double precision[],
                                 throughput double precision[],
                                 OUT sigma double precision,
                                 OUT kappa double precision,
                                 OUT lambda double precision,
                                 OUT r2 double precision,
                                 OUT peak_users double precision,
                                 OUT peak_throughput double precision,
                                 OUT note text)
RETURNS record
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_zero  constant double precision := 1e-9;
    c_max_users constant double precision := 1e9;
    c_min_tput  constant double precision := 1e-9;
    c_max_tput  constant double precision := 1e12;
    -- lambda stays within [1/c_max_par, c_max_par], sigma and kappa within
    -- [c_min_coef, c_max_par] or 0, in terms of y = N / X as of X
    c_max_par   constant double precision := 1e20;
    c_min_coef  constant double precision := 1e-40;
    n       integer;
    nd      integer;
    nmax    double precision;
    nmin    double precision;
    nn      double precision[];
    xx      double precision[];
    yy      double precision[];
    m       double precision[];
    cols    integer[];
    sol     double precision[];
    p       double precision[];
    best    double precision[];
    best_e  double precision;
    unc     double precision[];
    e       double precision;
    d       double precision;
    f       double precision;
    r       double precision[];
    jac     double precision[];
    g2      double precision;
    g3      double precision;
    step    double precision[];
    q       double precision[];
    sse     double precision;
    sse_new double precision;
    sst     double precision;
    mean    double precision;
    t       double precision;
    ok      boolean;
    notes   text[] := '{}';
BEGIN
    -- Checks
    IF users IS NULL OR throughput IS NULL THEN
        RAISE EXCEPTION 'users and throughput must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the user counts and the throughputs measured at them as two arrays.';
    END IF;
    IF coalesce(array_ndims(users), 1) <> 1 OR coalesce(array_ndims(throughput), 1) <> 1 THEN
        RAISE EXCEPTION 'users and throughput must be one-dimensional arrays (got % and % dimensions)',
                        coalesce(array_ndims(users), 1), coalesce(array_ndims(throughput), 1)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'throughput[i] is the throughput measured with users[i] users.';
    END IF;
    n := cardinality(users);
    IF n <> cardinality(throughput) THEN
        RAISE EXCEPTION 'users and throughput must have the same length (got % and %)',
                        n, cardinality(throughput)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'throughput[i] is the throughput measured with users[i] users.';
    END IF;
    IF array_position(users, NULL) IS NOT NULL OR array_position(throughput, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'users and throughput must not contain NULLs'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Leave out the levels that were not measured.';
    END IF;
    -- Index from 1 whatever the arrays' lower bounds ('[0:3]={...}').
    users := ARRAY(SELECT u FROM unnest(users) WITH ORDINALITY AS z(u, o) ORDER BY o);
    throughput := ARRAY(SELECT x FROM unnest(throughput) WITH ORDINALITY AS z(x, o) ORDER BY o);
    -- Ranges within which no step of the fit can overflow double precision.
    FOR i IN 1 .. n LOOP
        IF NOT (users[i] >= 1 AND users[i] <= c_max_users) THEN  -- NaN sorts above all numbers
            RAISE EXCEPTION 'users must be numbers between 1 and 1e9, not %', users[i]
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'users[i] is the number of concurrent users of a measured run.';
        END IF;
        IF NOT (throughput[i] >= c_min_tput AND throughput[i] <= c_max_tput) THEN
            RAISE EXCEPTION 'throughput must be numbers between 1e-9 and 1e12 (operations per second), not % (at % users)',
                            throughput[i], users[i]
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'throughput[i] is the throughput in operations per second measured with users[i] users.';
        END IF;
    END LOOP;
    SELECT count(DISTINCT u), min(u), max(u) INTO nd, nmin, nmax FROM unnest(users) u;
    IF nd < 3 THEN
        RAISE EXCEPTION 'need at least 3 levels (distinct user counts) to fit the USL, got %', nd
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The USL has 3 parameters (sigma, kappa, lambda).',
                  HINT = 'Measure throughput at more user counts, e.g. SELECT * FROM loadtest_capacity(); runs 1, 2, 4, 8, 16, 32 and 64 users.';
    END IF;

    nn := users;
    xx := throughput;
    yy := array_fill(0::float8, ARRAY[n]);
    FOR i IN 1 .. n LOOP
        yy[i] := nn[i] / xx[i];
    END LOOP;

    -- 1. Linearised fit, on each face of sigma, kappa >= 0.
    FOR face IN 0 .. 3 LOOP
        cols := ARRAY[1];
        IF face IN (0, 1) THEN cols := cols || 2; END IF;
        IF face IN (0, 2) THEN cols := cols || 3; END IF;
        m := array_fill(0::float8, ARRAY[n, cardinality(cols)]);
        FOR i IN 1 .. n LOOP
            FOR j IN 1 .. cardinality(cols) LOOP
                m[i][j] := CASE cols[j] WHEN 1 THEN 1
                                        WHEN 2 THEN nn[i] - 1
                                        ELSE nn[i] * (nn[i] - 1) END;
            END LOOP;
        END LOOP;
        sol := loadtest.least_squares(m, yy);
        CONTINUE WHEN sol IS NULL;
        p := ARRAY[0, 0, 0]::float8[];
        FOR j IN 1 .. cardinality(cols) LOOP
            p[cols[j]] := sol[j];
        END LOOP;
        IF face = 0 THEN
            unc := p;
        END IF;
        CONTINUE WHEN NOT (p[1] > 0 AND p[2] >= 0 AND p[3] >= 0);
        CONTINUE WHEN NOT (p[1] >= 1 / c_max_par AND p[1] <= c_max_par
                           AND p[2] <= c_max_par AND p[3] <= c_max_par);
        p[2] := CASE WHEN p[2] < c_min_coef THEN 0 ELSE p[2] END;
        p[3] := CASE WHEN p[3] < c_min_coef THEN 0 ELSE p[3] END;
        e := 0;
        FOR i IN 1 .. n LOOP
            d := yy[i] - p[1] - p[2] * (nn[i] - 1) - p[3] * nn[i] * (nn[i] - 1);
            e := e + d * d;
        END LOOP;
        IF best IS NULL OR e < best_e THEN
            best := p;
            best_e := e;
        END IF;
    END LOOP;

    IF best IS NOT NULL THEN
        p := ARRAY[1 / best[1], best[2] / best[1], best[3] / best[1]];
    END IF;
    IF best IS NOT NULL
       AND p[1] BETWEEN 1 / c_max_par AND c_max_par
       AND (p[2] = 0 OR p[2] BETWEEN c_min_coef AND c_max_par)
       AND (p[3] = 0 OR p[3] BETWEEN c_min_coef AND c_max_par) THEN
        NULL;
    ELSE
        -- No face with a > 0: start from lambda = X / N at the smallest N
        -- (a lower bound of lambda when sigma, kappa >= 0).
        SELECT avg(x / u) INTO t FROM unnest(nn, xx) AS z(u, x) WHERE u = nmin;
        p := ARRAY[t, 0, 0]::float8[];
    END IF;

    -- 2. Gauss-Newton on the squared error of X.
    r := array_fill(0::float8, ARRAY[n]);
    FOR it IN 1 .. 100 LOOP
        sse := 0;
        g2 := 0;
        g3 := 0;
        jac := array_fill(0::float8, ARRAY[n, 3]);
        FOR i IN 1 .. n LOOP
            d := 1 + p[2] * (nn[i] - 1) + p[3] * nn[i] * (nn[i] - 1);
            f := p[1] * nn[i] / d;
            r[i] := xx[i] - f;
            sse := sse + r[i] * r[i];
            jac[i][1] := nn[i] / d;
            jac[i][2] := -f * (nn[i] - 1) / d;
            jac[i][3] := -f * nn[i] * (nn[i] - 1) / d;
            g2 := g2 + r[i] * jac[i][2];
            g3 := g3 + r[i] * jac[i][3];
        END LOOP;
        EXIT WHEN sse = 0;

        -- Free parameters: lambda; sigma and kappa unless at 0 with the
        -- gradient pushing them below.
        cols := ARRAY[1];
        IF p[2] > 0 OR g2 > 0 THEN cols := cols || 2; END IF;
        IF p[3] > 0 OR g3 > 0 THEN cols := cols || 3; END IF;
        m := array_fill(0::float8, ARRAY[n, cardinality(cols)]);
        FOR i IN 1 .. n LOOP
            FOR j IN 1 .. cardinality(cols) LOOP
                m[i][j] := jac[i][cols[j]];
            END LOOP;
        END LOOP;
        -- (outside the range least_squares takes: stop refining here)
        EXIT WHEN EXISTS (SELECT 1 FROM unnest(m) z WHERE abs(z) > 1e50)
               OR EXISTS (SELECT 1 FROM unnest(r) z WHERE abs(z) > 1e50);
        sol := loadtest.least_squares(m, r);
        EXIT WHEN sol IS NULL;
        step := ARRAY[0, 0, 0]::float8[];
        FOR j IN 1 .. cardinality(cols) LOOP
            step[cols[j]] := sol[j];
        END LOOP;

        t := 1;
        ok := false;
        FOR h IN 1 .. 40 LOOP
            q := ARRAY[p[1] + t * step[1],
                       greatest(0, p[2] + t * step[2]),
                       greatest(0, p[3] + t * step[3])];
            -- negligible coefficients are 0 (so that no product underflows)
            q[2] := CASE WHEN q[2] < c_min_coef THEN 0 ELSE q[2] END;
            q[3] := CASE WHEN q[3] < c_min_coef THEN 0 ELSE q[3] END;
            IF q[1] BETWEEN 1 / c_max_par AND c_max_par
               AND q[2] <= c_max_par AND q[3] <= c_max_par THEN
                sse_new := 0;
                FOR i IN 1 .. n LOOP
                    d := xx[i] - q[1] * nn[i] / (1 + q[2] * (nn[i] - 1) + q[3] * nn[i] * (nn[i] - 1));
                    sse_new := sse_new + d * d;
                END LOOP;
                IF sse_new < sse THEN
                    ok := true;
                    EXIT;
                END IF;
            END IF;
            t := t / 2;
        END LOOP;
        EXIT WHEN NOT ok;
        p := q;
        EXIT WHEN sse - sse_new <= 1e-15 * sse;
    END LOOP;

    -- 3. Negligible coefficients are 0; sigma next to 1 is 1.
    lambda := p[1];
    sigma := p[2];
    kappa := p[3];
    IF sigma * (nmax - 1) < c_zero THEN
        sigma := 0;
    ELSIF abs(sigma - 1) < c_zero THEN
        sigma := 1;
    END IF;
    IF kappa * nmax * (nmax - 1) < c_zero THEN
        kappa := 0;
    END IF;

    -- Goodness of fit on X.
    SELECT avg(x) INTO mean FROM unnest(xx) x;
    sse := 0;
    sst := 0;
    FOR i IN 1 .. n LOOP
        d := xx[i] - lambda * nn[i] / (1 + sigma * (nn[i] - 1) + kappa * nn[i] * (nn[i] - 1));
        sse := sse + d * d;
        sst := sst + (xx[i] - mean) * (xx[i] - mean);
    END LOOP;
    IF sst > 0 THEN
        r2 := 1 - sse / sst;
    ELSE
        notes := notes || 'r2 undefined: the throughput is the same at every level'::text;
    END IF;

    -- Peak
    IF sigma >= 1 THEN
        peak_users := 1;
        peak_throughput := lambda;
        notes := notes || format('no gain from concurrency: throughput does not grow beyond 1 user (sigma = %s)',
                                 round(sigma::numeric, 4));
    ELSIF kappa = 0 THEN
        notes := notes || ('no peak: throughput keeps growing (kappa = 0)'
                           || CASE WHEN sigma > 0
                                   THEN format(', levelling off towards lambda / sigma = %s',
                                               round((lambda / sigma)::numeric, 2))
                                   ELSE ', linearly (sigma = 0)' END);
    ELSE
        peak_users := sqrt((1 - sigma) / kappa);
        IF peak_users < 1 THEN
            peak_users := 1;
            notes := notes || 'throughput is highest at 1 user: every further user lowers it'::text;
        ELSIF peak_users > nmax THEN
            notes := notes || format('the peak lies beyond the measured levels (up to %s users): extrapolated',
                                     nmax);
        END IF;
        peak_throughput := lambda * peak_users
                           / (1 + sigma * (peak_users - 1) + kappa * peak_users * (peak_users - 1));
    END IF;

    -- What the constraints and the data imply.
    IF unc IS NOT NULL AND unc[2] * (nmax - 1) < -c_zero * abs(unc[1]) THEN
        notes := notes || 'sigma held at 0 (the unconstrained fit was negative)'::text;
    END IF;
    IF unc IS NOT NULL AND unc[3] * nmax * (nmax - 1) < -c_zero * abs(unc[1]) THEN
        notes := notes || 'kappa held at 0 (the unconstrained fit was negative)'::text;
    END IF;
    IF nd = 3 AND n = 3 THEN
        notes := notes || 'only 3 levels for 3 parameters: the fit is exact by construction; measure more levels to judge it'::text;
    END IF;

    IF cardinality(notes) > 0 THEN
        note := array_to_string(notes, '; ');
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest_usl_fit(double precision[], double precision[]) IS
'loadtest: fits the Universal Scalability Law X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) to throughputs measured at user counts users (>= 3 distinct), by least squares on N/X then Gauss-Newton on X, with sigma, kappa >= 0; returns sigma, kappa, lambda, r2 (on X), peak_users = sqrt((1 - sigma) / kappa), peak_throughput and a note on degenerate cases; users must be between 1 and 1e9, throughput between 1e-9 and 1e12 ops/s (else SQLSTATE 22023), the arrays one-dimensional, of one length, without NULLs, with any lower bound';

-- ---------------------------------------------------------------------------
-- Predicting with the USL
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_usl_predict(sigma double precision,
                                     kappa double precision,
                                     lambda double precision,
                                     users double precision,
                                     think_time_ms double precision DEFAULT 0,
                                     OUT throughput double precision,
                                     OUT response_ms double precision)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d double precision;
BEGIN
    -- (NaN sorts above Infinity in PostgreSQL: < 'Infinity' rejects both)
    -- Ranges within which nothing below can overflow or underflow double
    -- precision.
    IF NOT (sigma >= 0 AND sigma <= 1e6) THEN  -- NaN sorts above all numbers
        RAISE EXCEPTION 'sigma must be a number between 0 and 1e6, not %', sigma
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'sigma (contention) is a share of the work, usually between 0 and 1: take it from loadtest_usl_fit().';
    END IF;
    IF NOT (kappa >= 0 AND kappa <= 1e6) THEN
        RAISE EXCEPTION 'kappa must be a number between 0 and 1e6, not %', kappa
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'kappa (coherency) is usually far below 1: take it from loadtest_usl_fit().';
    END IF;
    IF NOT (lambda >= 1e-20 AND lambda <= 1e20) THEN
        RAISE EXCEPTION 'lambda must be a number between 1e-20 and 1e20 (operations per second), not %', lambda
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'lambda is the throughput of one user: take it from loadtest_usl_fit().';
    END IF;
    IF NOT (users >= 1 AND users <= 1e12) THEN
        RAISE EXCEPTION 'users must be a number between 1 and 1e12, not %', users
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'users is the number of concurrent users to predict for.';
    END IF;
    IF NOT (think_time_ms >= 0 AND think_time_ms <= 1e15) THEN
        RAISE EXCEPTION 'think_time_ms must be a number between 0 and 1e15, not %', think_time_ms
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'think_time_ms is the pause of each user between two operations, in ms.';
    END IF;

    -- (coefficients below 1e-100 have no effect at up to 1e12 users)
    d := 1 + CASE WHEN sigma < 1e-100 THEN 0 ELSE sigma * (users - 1) END
           + CASE WHEN kappa < 1e-100 THEN 0 ELSE kappa * users * (users - 1) END;
    throughput := lambda * users / d;
    -- Little's law: N = X (R + Z), so R = N / X - Z = d / lambda - Z.
    response_ms := greatest(0, 1000 * d / lambda - think_time_ms);
END
$$;

COMMENT ON FUNCTION loadtest_usl_predict(double precision, double precision, double precision, double precision, double precision) IS
'loadtest: USL throughput X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) in ops/s at users = N, and response time in ms by Little''s law, R = N / X - think time (at least 0); sigma and kappa between 0 and 1e6, lambda between 1e-20 and 1e20, users between 1 and 1e12, think_time_ms between 0 and 1e15 (else SQLSTATE 22023)';

-- ---------------------------------------------------------------------------
-- Measuring and predicting capacity
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_capacity(users integer[] DEFAULT '{1,2,4,8,16,32,64}',
                                  ops integer DEFAULT 200,
                                  pattern text DEFAULT 'distributed',
                                  think_time_ms integer DEFAULT 0,
                                  run_ids bigint[] DEFAULT NULL,
                                  target_users integer DEFAULT 4000,
                                  target_ms double precision DEFAULT 500)
RETURNS TABLE (measured_runs bigint[],
               measured_users integer[],
               measured_ops_s double precision[],
               measured_avg_ms double precision[],
               sigma double precision,
               kappa double precision,
               lambda double precision,
               r2 double precision,
               peak_users double precision,
               peak_throughput double precision,
               predicted_throughput_at_target double precision,
               predicted_response_ms_at_target double precision,
               usl_capacity_users double precision,
               linear_response_ms_at_target double precision,
               linear_capacity_users double precision,
               target_holds boolean,
               verdict text,
               note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_levels  integer[] := loadtest_capacity.users;
    v_run_ids bigint[] := loadtest_capacity.run_ids;
    v_target  integer := loadtest_capacity.target_users;
    v_tms     double precision := loadtest_capacity.target_ms;
    v_think   integer;
    v_pattern text;
    v_rid     bigint;
    v_done    bigint[] := '{}';
    v_notes   text[] := '{}';
    v_last    integer;
    run       loadtest.runs;
    sm        loadtest.run_summary;
    fit       record;
    pred      record;
    lin       record;
    k         double precision;
    b         double precision;
    disc      double precision;
    qq        double precision;
BEGIN
    IF v_target IS NULL OR v_target < 1 THEN
        RAISE EXCEPTION 'target_users must be at least 1, not %', coalesce(v_target::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of concurrent users to predict for, e.g. target_users => 4000.';
    END IF;
    -- (between 1e-9 and 1e15 ms no step of the capacity below can overflow
    -- or underflow)
    IF v_tms IS NULL OR NOT (v_tms >= 1e-9 AND v_tms <= 1e15) THEN
        RAISE EXCEPTION 'target_ms must be a number between 1e-9 and 1e15, not %', coalesce(v_tms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the target response time in ms, e.g. target_ms => 500.';
    END IF;

    IF v_run_ids IS NULL THEN
        -- Measure: one run per level, in the order given.
        IF v_levels IS NULL OR coalesce(array_ndims(v_levels), 1) <> 1
           OR array_position(v_levels, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'users must be a one-dimensional array of user counts without NULLs'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT 1 FROM unnest(v_levels) u WHERE u < 1) THEN
            RAISE EXCEPTION 'user counts must be at least 1'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (SELECT count(DISTINCT u) FROM unnest(v_levels) u) < 3 THEN
            RAISE EXCEPTION 'need at least 3 levels (distinct user counts) to fit the USL, got %',
                            (SELECT count(DISTINCT u) FROM unnest(v_levels) u)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'e.g. users => ''{1,2,4,8,16,32,64}''';
        END IF;
        -- Each run is recorded by other transactions: this one must see them.
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'loadtest_capacity() must run at isolation level READ COMMITTED to see the runs it starts'
                USING ERRCODE = 'active_sql_transaction',
                      HINT = 'Measure the levels with loadtest_run(), then pass their ids as run_ids.';
        END IF;

        v_levels := ARRAY(SELECT u FROM unnest(v_levels) WITH ORDINALITY AS z(u, o) ORDER BY o);
        FOREACH v_last IN ARRAY v_levels LOOP
            v_rid := @extschema@.loadtest_run(users => v_last,
                                              ops => loadtest_capacity.ops,
                                              pattern => loadtest_capacity.pattern,
                                              think_time_ms => loadtest_capacity.think_time_ms,
                                              ramp_up_s => 0);
            v_done := v_done || v_rid;
            SELECT * INTO run FROM loadtest.runs x WHERE x.run_id = v_rid;
            IF NOT FOUND OR run.status <> 'completed' THEN
                RAISE EXCEPTION 'load test run % (% users) did not complete: %', v_rid, v_last,
                                coalesce(run.status::text || coalesce(', ' || run.message, ''), 'not found')
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          HINT = format('Runs done so far: %s. Once the levels are measured, SELECT * FROM loadtest_capacity(run_ids => %L); fits them.',
                                        v_done, v_done);
            END IF;
            IF coalesce(current_setting('loadtest.progress_interval', true), '0') NOT IN ('', '0') THEN
                RAISE NOTICE 'loadtest_capacity: level % of % done (% users, run %)',
                             cardinality(v_done), cardinality(v_levels), v_last, v_rid;
            END IF;
        END LOOP;
        v_run_ids := v_done;
    ELSE
        -- Reuse finished runs.
        IF coalesce(array_ndims(v_run_ids), 1) <> 1 OR array_position(v_run_ids, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'run_ids must be a one-dimensional array of run ids without NULLs'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF cardinality(v_run_ids) <> (SELECT count(DISTINCT x) FROM unnest(v_run_ids) x) THEN
            RAISE EXCEPTION 'run_ids lists a run more than once'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;

    -- The runs' measurements, by users then run id.  Runs that it started
    -- itself are the caller's (a superuser sees every role's runs: it must
    -- not take another role's run for its own); run_ids given are the
    -- caller's choice.
    measured_runs := '{}';
    measured_users := '{}';
    measured_ops_s := '{}';
    measured_avg_ms := '{}';
    FOR run IN
        SELECT x.* FROM loadtest.runs x
         WHERE x.run_id = ANY (v_run_ids)
           AND (loadtest_capacity.run_ids IS NOT NULL OR x.role_name = current_user)
         ORDER BY x.users, x.run_id
    LOOP
        IF run.status <> 'completed' THEN
            RAISE EXCEPTION 'loadtest run % is %, not completed', run.run_id, run.status
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF run.rate IS NOT NULL OR run.stages IS NOT NULL OR run.pool_size IS NOT NULL THEN
            RAISE EXCEPTION 'loadtest run % is not a closed-model run with a worker per user', run.run_id
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The scalability law relates throughput to concurrency: rate, staged and pooled runs do not set it by their user count.',
                      HINT = 'Use runs started without rate, stages or pool_size.';
        END IF;
        IF v_pattern IS NULL THEN
            v_pattern := run.pattern;
            v_think := run.think_time_ms;
        ELSIF run.pattern <> v_pattern OR run.think_time_ms <> v_think THEN
            RAISE EXCEPTION 'the runs must share one pattern and think time: run % has % and %ms, run % has % and %ms',
                            measured_runs[1], v_pattern, v_think, run.run_id, run.pattern, run.think_time_ms
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT * INTO sm FROM loadtest.run_summary x WHERE x.run_id = run.run_id;
        IF NOT (sm.total_ops > 0) THEN
            -- (its figures come from its summaries, whatever samples => ...
            -- kept: a run without them recorded no operations at all)
            RAISE EXCEPTION 'loadtest run % has no samples to measure its throughput', run.run_id
                USING ERRCODE = 'no_data_found',
                      HINT = CASE WHEN NOT run.samples_recorded
                                  THEN 'It ran with loadtest.record_samples = off: pass runs that recorded samples.'
                                  ELSE 'Pass runs that recorded operations (SELECT run_id, total_ops FROM loadtest.run_summary;).' END;
        END IF;
        IF NOT (sm.throughput_ops_s > 0 AND sm.throughput_ops_s < 'Infinity'::float8) THEN
            RAISE EXCEPTION 'loadtest run % has no measurable throughput (%)', run.run_id,
                            coalesce(sm.throughput_ops_s::text, 'no duration')
                USING ERRCODE = 'no_data_found',
                      HINT = 'Its samples or its duration_s give no positive throughput: pass other runs.';
        END IF;
        IF run.users_lost > 0 THEN
            v_notes := v_notes || format('run %s lost %s of %s users', run.run_id, run.users_lost, run.users);
        END IF;
        measured_runs := measured_runs || run.run_id;
        measured_users := measured_users || run.users;
        measured_ops_s := measured_ops_s || sm.throughput_ops_s;
        measured_avg_ms := measured_avg_ms || sm.avg_ms;
    END LOOP;

    IF cardinality(measured_runs) < cardinality(v_run_ids) THEN
        -- (a run it started that is not the caller's is reported missing too)
        SELECT min(x) INTO v_rid FROM unnest(v_run_ids) x WHERE x <> ALL (measured_runs);
        RAISE EXCEPTION 'loadtest run % does not exist', v_rid
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM loadtest.runs ORDER BY run_id; lists the runs you can see.';
    END IF;
    IF (SELECT count(DISTINCT u) FROM unnest(measured_users) u) < 3 THEN
        RAISE EXCEPTION 'need at least 3 levels (distinct user counts) to fit the USL, got %',
                        (SELECT count(DISTINCT u) FROM unnest(measured_users) u)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass runs of 3 or more different user counts, or let loadtest_capacity() run them.';
    END IF;

    -- The model
    SELECT * INTO fit
      FROM @extschema@.loadtest_usl_fit(measured_users::float8[], measured_ops_s);
    sigma := fit.sigma;
    kappa := fit.kappa;
    lambda := fit.lambda;
    r2 := fit.r2;
    peak_users := fit.peak_users;
    peak_throughput := fit.peak_throughput;

    SELECT * INTO pred
      FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, v_target, v_think);
    predicted_throughput_at_target := pred.throughput;
    predicted_response_ms_at_target := pred.response_ms;
    target_holds := pred.response_ms <= v_tms;

    -- The largest N whose response time d(N) / lambda - Z stays within the
    -- target: d(N) = 1 + sigma (N-1) + kappa N (N-1) = k, d increasing.
    -- (loadtest_usl_predict() above has checked lambda <= 1e20, sigma and
    -- kappa <= 1e6, think time <= 1e15; target_ms <= 1e15: k <= 2e32)
    k := lambda * (v_tms + v_think) / 1000;
    IF k < 1 THEN
        usl_capacity_users := 0;
    ELSIF kappa > 0 THEN
        -- kappa N^2 + (sigma - kappa) N + (1 - sigma - k) = 0, the stable root
        b := sigma - kappa;
        disc := b * b - 4 * kappa * (1 - sigma - k);
        IF b >= 0 THEN
            qq := -(b + sqrt(disc)) / 2;
            usl_capacity_users := (1 - sigma - k) / qq;
        ELSE
            qq := (sqrt(disc) - b) / 2;
            usl_capacity_users := qq / kappa;
        END IF;
    ELSIF sigma > 1e-100 THEN
        usl_capacity_users := 1 + (k - 1) / sigma;
    ELSE
        usl_capacity_users := 'Infinity';
    END IF;

    -- The linear model on the run with the most users (the latest of them).
    SELECT * INTO lin
      FROM @extschema@.loadtest_capacity(measured_avg_ms[cardinality(measured_avg_ms)],
                                         measured_users[cardinality(measured_users)],
                                         v_tms, v_target);
    linear_response_ms_at_target := lin.est_response_ms;
    linear_capacity_users := lin.capacity_users;

    verdict := format('%s: the USL predicts %s ms at %s users (target %s ms, %s ops/s)',
                      CASE WHEN target_holds THEN 'ready' ELSE 'not ready' END,
                      round(predicted_response_ms_at_target::numeric, 2), v_target,
                      round(v_tms::numeric, 2), round(predicted_throughput_at_target::numeric, 2));
    IF usl_capacity_users < v_target THEN
        verdict := verdict || format('; the response time stays within the target up to ~%s users',
                                     floor(usl_capacity_users));
    END IF;
    IF peak_users < v_target THEN
        verdict := verdict || format('; throughput peaks at ~%s users (%s ops/s) and falls beyond',
                                     round(peak_users::numeric), round(peak_throughput::numeric, 2));
    END IF;

    IF fit.note IS NOT NULL THEN
        v_notes := v_notes || fit.note;
    END IF;
    IF v_think > 0 THEN
        v_notes := v_notes || format('think time %sms: predictions are for users who think that long', v_think);
    END IF;
    IF cardinality(v_notes) > 0 THEN
        note := array_to_string(v_notes, '; ');
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest_capacity(integer[], integer, text, integer, bigint[], integer, double precision) IS
'loadtest: measures throughput at each user count of users (one loadtest_run(users, ops, pattern, think_time_ms, ramp_up_s => 0) each), or reuses the completed runs run_ids (one pattern and think time; then users, ops, pattern and think_time_ms are ignored), fits the Universal Scalability Law and predicts throughput and response time (Little''s law) at target_users against target_ms (between 1e-9 and 1e15), next to the linear model of the run with the most users.  The runs it starts itself are used only as runs of the calling role (role_name = current_user): a superuser, who sees every role''s runs, never gets another role''s run in its model unless it passes that run''s id in run_ids';

-- It starts runs.
REVOKE EXECUTE ON FUNCTION loadtest_capacity(integer[], integer, text, integer, bigint[], integer, double precision) FROM PUBLIC;
