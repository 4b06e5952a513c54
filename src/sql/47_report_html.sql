-- loadtest 1.6: the HTML report (issue #12).
--
--   loadtest_report_html(run_id, target_ms, target_users)
--                                      one self-contained HTML5 page of a
--                                      run: no script, no external style,
--                                      font or image; its charts are
--                                      inline SVG drawn here
--   loadtest.html_escape(text)         the one escape of the page: every
--                                      text from the tables goes through it
--   loadtest.html_text, html_number, html_format_ms, html_ms, svg_num,
--   html_nice_step, html_tick_text, html_tick
--                                      text, numbers and coordinates
--   loadtest.html_line_chart(...)      the generic charts the sections
--   loadtest.html_bar_chart(...)       draw with (in a figure:
--                                      html_chart_frame, html_legend)
--   loadtest.html_style()              the page's style sheet (screen,
--                                      phone, print)
--   loadtest.html_<section>(...)       the sections: header, verdict,
--                                      key_figures, over_time,
--                                      latency_distribution, operations,
--                                      where_time_went, errors,
--                                      recommendations (and their small
--                                      parts: html_setting, html_figure,
--                                      html_rating, html_wait_class)
--
-- The page is written from the same figures as loadtest_report() and
-- loadtest_report_json(): the sections' _data functions of
-- 42_report_sections.sql (overall, response times, operations, errors,
-- assessment, the verdict and the recommendations), loadtest.wait_classes()
-- of 55_verdict.sql, and the bounded summaries (loadtest.run_histograms: the
-- seconds for the charts over time, merged into at most 300 points, and the
-- latency histograms), never loadtest.sample_log.
--
-- An attacker's view: any text of the result tables (operation and pattern
-- names, error messages, SQLSTATEs, role names, wait events) may be hostile,
-- and the page is opened in a browser.  Every such text is cut and put on one
-- line (loadtest.one_line()) and escaped (loadtest.html_escape(): & < > " '
-- as entities, control characters as spaces, and in a UTF8 database every
-- character beyond ASCII as a numeric reference, so that the page is ASCII
-- whatever the client's encoding); the chart helpers escape every text they
-- are given.  Numbers go through loadtest.format_number() (NaN, infinities,
-- huge values written out) and SVG coordinates through loadtest.svg_num()
-- (finite, clamped, locale-independent); divisions are guarded and lists
-- bounded ("... and N more").  The page declares a Content-Security-Policy
-- that allows no script and no fetch at all (default-src 'none'), so that
-- even a mistake in the escaping could not run code nor load anything.
--
-- Every function is SECURITY INVOKER (the caller's row-level security
-- applies, as for loadtest_report()), pins search_path, and is plpgsql or
-- SQL with a string body: parsed when it runs, under the pinned path, so
-- its operators are pg_catalog's.

-- ---------------------------------------------------------------------------
-- Text, numbers, coordinates
-- ---------------------------------------------------------------------------

-- The one escape of the page.
CREATE OR REPLACE FUNCTION loadtest.html_escape(value text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := value;
BEGIN
    -- (most texts have nothing to escape: printable ASCII but & < > " ')
    IF v IS NULL OR v !~ E'[^\\x09\\x0a\\x0d\\x20\\x21\\x23-\\x25\\x28-\\x3b\\x3d\\x3f-\\x7e]' THEN
        RETURN v;
    END IF;
    v := replace(replace(replace(replace(replace(v, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                         '"', '&quot;'), '''', '&#39;');
    -- control characters but tab, line feed and carriage return: not
    -- allowed in HTML
    v := regexp_replace(v, E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', ' ', 'g');
    -- beyond ASCII: numeric references (ascii() gives the code point in
    -- UTF8 only; other encodings keep their characters)
    IF v ~ E'[^\\x01-\\x7f]' AND getdatabaseencoding() = 'UTF8' THEN
        -- the characters that reorder text (bidirectional controls and
        -- marks: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) as
        -- U+FFFD, so that a name cannot turn a line of the page around
        SELECT string_agg(CASE WHEN ascii(t.c) IN (1564, 8206, 8207, 8234, 8235, 8236, 8237, 8238,
                                                   8294, 8295, 8296, 8297) THEN '&#65533;'
                               WHEN ascii(t.c) > 127 THEN '&#' || ascii(t.c)::text || ';' ELSE t.c END,
                          '' ORDER BY t.n)
          INTO v
          FROM regexp_split_to_table(v, '') WITH ORDINALITY AS t(c, n);
    END IF;
    RETURN v;
END
$$;

COMMENT ON FUNCTION loadtest.html_escape(text) IS
'loadtest (internal): text for HTML (element content and quoted attributes): & < > " '' as entities, control characters other than tab and line breaks as spaces, characters beyond ASCII as numeric references in a UTF8 database; NULL for NULL';

-- A text of the tables on one line of at most max_chars characters, escaped
CREATE OR REPLACE FUNCTION loadtest.html_text(value text, max_chars integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN loadtest.html_escape(loadtest.one_line(value, max_chars));
END
$$;

COMMENT ON FUNCTION loadtest.html_text(text, integer) IS
'loadtest (internal): a text of the result tables for the HTML report: on one line, cut to max_chars characters (loadtest.one_line), escaped (loadtest.html_escape); NULL for NULL';

-- A number for the page (n/a for NULL)
CREATE OR REPLACE FUNCTION loadtest.html_number(value double precision, fmt text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(loadtest.html_escape(loadtest.format_number(value, fmt)), 'n/a');
END
$$;

CREATE OR REPLACE FUNCTION loadtest.html_number(value numeric, fmt text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(loadtest.html_escape(loadtest.format_number(value, fmt)), 'n/a');
END
$$;

COMMENT ON FUNCTION loadtest.html_number(double precision, text) IS
'loadtest (internal): a number for the HTML report: loadtest.format_number(value, fmt) escaped, n/a for NULL';
COMMENT ON FUNCTION loadtest.html_number(numeric, text) IS
'loadtest (internal): a number for the HTML report: loadtest.format_number(value, fmt) escaped, n/a for NULL';

-- A time in ms with about three significant digits, as text (n/a for
-- NULL), and escaped for the page
CREATE OR REPLACE FUNCTION loadtest.html_format_ms(value double precision)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(loadtest.format_number(value,
               CASE WHEN abs(value) >= 100::float8 THEN 'FM999G999G999G999G990'
                    WHEN abs(value) >= 10::float8 THEN 'FM990D0'
                    WHEN abs(value) >= 1::float8 THEN 'FM0D00'
                    WHEN abs(value) >= 0.01::float8 OR value = 0::float8 THEN 'FM0D000'
                    WHEN abs(value) >= 0.001::float8 THEN 'FM0D0000'
                    ELSE '9.99EEEE' END), 'n/a');
END
$$;

CREATE OR REPLACE FUNCTION loadtest.html_ms(value double precision)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN loadtest.html_escape(loadtest.html_format_ms(value));
END
$$;

COMMENT ON FUNCTION loadtest.html_format_ms(double precision) IS
'loadtest (internal): a time in ms as the HTML report writes it, with about three significant digits (not escaped); n/a for NULL';
COMMENT ON FUNCTION loadtest.html_ms(double precision) IS
'loadtest (internal): a time in ms for the HTML report (loadtest.html_format_ms), escaped';

-- A coordinate of the SVG: finite, within +-1e6, one decimal, written the
-- same whatever lc_numeric (numeric's text form)
CREATE OR REPLACE FUNCTION loadtest.svg_num(value double precision)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN CASE WHEN value IS NULL OR value = 'NaN'::float8 THEN '0'
                WHEN value > 1e6::float8 THEN '1000000'
                WHEN value < -1e6::float8 THEN '-1000000'
                ELSE regexp_replace(round(value::numeric, 1)::text, '\.0$', '') END;
END
$$;

COMMENT ON FUNCTION loadtest.svg_num(double precision) IS
'loadtest (internal): a coordinate of the HTML report''s SVG: one decimal, clamped to +-1e6, 0 for NULL and NaN, independent of lc_numeric';

-- The step of an axis: 1, 2, 2.5 or 5 times a power of ten, so that span
-- takes about n steps (span clamped to 1e-9 .. 1e12; 1 when not a number)
CREATE OR REPLACE FUNCTION loadtest.html_nice_step(span double precision, n integer)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_span double precision := CASE WHEN span > 0::float8 AND span < 'Infinity'::float8
                                    THEN least(greatest(span, 1e-9::float8), 1e12::float8) ELSE 1 END;
    v_raw  double precision := v_span / greatest(coalesce(n, 1), 1)::float8;
    v_mag  double precision := power(10::float8, floor(log(v_raw)));
    v_f    double precision := v_raw / v_mag;
BEGIN
    RETURN v_mag * CASE WHEN v_f <= 1::float8 THEN 1::float8 WHEN v_f <= 2::float8 THEN 2::float8
                        WHEN v_f <= 2.5::float8 THEN 2.5::float8 WHEN v_f <= 5::float8 THEN 5::float8
                        ELSE 10::float8 END;
END
$$;

COMMENT ON FUNCTION loadtest.html_nice_step(double precision, integer) IS
'loadtest (internal): the step between the ticks of an axis of the HTML report: 1, 2, 2.5 or 5 times a power of ten, about n steps over span';

-- A tick's value as its axis writes it: as many decimals as its step needs
-- (as text, and escaped for the page)
CREATE OR REPLACE FUNCTION loadtest.html_tick_text(value double precision, step double precision)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(loadtest.format_number(value,
               'FM999G999G999G999G990'
               || coalesce('D' || nullif(repeat('0', least(9, greatest(0,
                      -floor(log(greatest(step, 1e-9::float8)))::integer
                      + CASE WHEN round(step / power(10::float8, floor(log(greatest(step, 1e-9::float8)))))
                                  <> step / power(10::float8, floor(log(greatest(step, 1e-9::float8))))
                             THEN 1 ELSE 0 END))), ''), '')), 'n/a');
END
$$;

CREATE OR REPLACE FUNCTION loadtest.html_tick(value double precision, step double precision)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN loadtest.html_escape(loadtest.html_tick_text(value, step));
END
$$;

COMMENT ON FUNCTION loadtest.html_tick_text(double precision, double precision) IS
'loadtest (internal): the label of a tick of an axis of the HTML report: the value with the decimals its step needs (not escaped)';
COMMENT ON FUNCTION loadtest.html_tick(double precision, double precision) IS
'loadtest (internal): the label of a tick of an axis of the HTML report (loadtest.html_tick_text), escaped';

-- ---------------------------------------------------------------------------
-- The charts
-- ---------------------------------------------------------------------------

-- The frame of a chart: a figure with its visible title (figcaption) and
-- legend (HTML, so that it wraps on a narrow screen), an svg of width 100%
-- scaling with its viewBox, role="img", labelled by its <title> and
-- <desc>; body is the SVG's content.
CREATE OR REPLACE FUNCTION loadtest.html_chart_frame(chart_id text, title text, description text,
                                                     width double precision, height double precision,
                                                     legend text, body text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN format('<figure class="chart" id="%1$s"><figcaption>%2$s</figcaption>%6$s'
                  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %4$s %5$s" width="100%%" '
                  'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%1$s-t %1$s-d">'
                  '<title id="%1$s-t">%2$s</title><desc id="%1$s-d">%3$s</desc>%7$s</svg></figure>',
                  loadtest.html_text(chart_id, 60), loadtest.html_text(title, 200),
                  loadtest.html_text(description, 1000), loadtest.svg_num(width), loadtest.svg_num(height),
                  legend, body);
END
$$;

COMMENT ON FUNCTION loadtest.html_chart_frame(text, text, text, double precision, double precision, text, text) IS
'loadtest (internal): a chart of the HTML report: a figure with its title and legend (HTML already), an inline SVG (viewBox width x height, width 100%, role img) labelled by its <title> and <desc>, body its content';

-- The legend of a chart: a swatch (the series' CSS class) and a name per
-- series (12 at most)
CREATE OR REPLACE FUNCTION loadtest.html_legend(names text[], classes text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o text[] := '{}';
BEGIN
    FOR k IN 1 .. least(coalesce(cardinality(names), 0), 12) LOOP
        o := o || format('<span class="item"><span class="key %s"></span>%s</span>',
                         loadtest.html_escape(coalesce(classes[k], 's' || ((k - 1) % 8)::text)),
                         coalesce(loadtest.html_text(names[k], 40), ''));
    END LOOP;
    RETURN '<p class="legend">' || array_to_string(o, ' ') || '</p>';
END
$$;

COMMENT ON FUNCTION loadtest.html_legend(text[], text[]) IS
'loadtest (internal): the legend of a chart of the HTML report: a swatch (the CSS class of the series) and the name of each series';

-- A line chart: x (1-D), y (2-D: y[series][point], the points of x),
-- one path per series (class "series" and the series' class, classes[k]
-- or s0, s1 ...), broken where a value is missing; values are
-- loadtest.figure()s (0 .. 1e12: others are missing); y_log draws y on a
-- log scale (powers of ten); axes with ticks and labels, a legend.
CREATE OR REPLACE FUNCTION loadtest.html_line_chart(chart_id text, title text, description text,
                                                    x_label text, y_label text,
                                                    x double precision[], y double precision[],
                                                    names text[], classes text[] DEFAULT NULL,
                                                    y_log boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_w    constant double precision := 600;
    c_h    constant double precision := 260;
    c_l    constant double precision := 64;
    c_r    constant double precision := 16;
    c_t    constant double precision := 12;
    c_b    constant double precision := 44;
    c_pw   constant double precision := c_w - c_l - c_r;
    c_ph   constant double precision := c_h - c_t - c_b;
    v_n    integer := coalesce(cardinality(x), 0);
    v_s    integer := CASE WHEN array_ndims(y) = 2 THEN array_length(y, 1) ELSE 0 END;
    v_log  boolean := coalesce(y_log, false);
    v_xmin double precision;
    v_xmax double precision;
    v_ymax double precision;
    v_ymin double precision;
    v_top  double precision;
    v_lo   double precision;
    v_hi   double precision;
    v_step double precision;
    v_t    double precision;
    v_xv   double precision;
    v_yv   double precision;
    v_py   double precision;
    v_d    text;
    v_seg  integer;
    v_cls  text;
    o      text[] := '{}';
BEGIN
    SELECT min(v.v), max(v.v) INTO v_xmin, v_xmax
      FROM unnest(x) AS v(v) WHERE v.v > '-Infinity'::float8 AND v.v < 'Infinity'::float8;
    SELECT max(loadtest.figure(v.v)), min(loadtest.figure(v.v)) FILTER (WHERE loadtest.figure(v.v) > 0::float8)
      INTO v_ymax, v_ymin
      FROM unnest(y) AS v(v);
    IF v_xmin IS NULL OR v_ymax IS NULL OR v_s = 0 THEN
        RETURN format('<p class="empty">%s: nothing to draw</p>', loadtest.html_text(title, 200));
    END IF;
    IF v_xmax <= v_xmin THEN
        v_xmax := v_xmin + 1;
    END IF;

    -- the y axis: linear from 0, or powers of ten
    IF v_log AND v_ymin IS NOT NULL THEN
        v_lo := floor(log(v_ymin));
        v_hi := greatest(ceil(log(v_ymax)), v_lo + 1);
        FOR k IN 0 .. (v_hi - v_lo)::integer LOOP
            CONTINUE WHEN v_hi - v_lo > 8 AND k % 2 = 1;
            v_py := c_t + c_ph - k::float8 / (v_hi - v_lo) * c_ph;
            o := o || format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="end">%s</text>',
                             c_l, loadtest.svg_num(v_py), c_l + c_pw, loadtest.svg_num(v_py),
                             c_l - 6, loadtest.svg_num(v_py + 4),
                             loadtest.html_tick(power(10::float8, v_lo + k), power(10::float8, v_lo + k)));
        END LOOP;
    ELSE
        v_log := false;
        v_step := loadtest.html_nice_step(v_ymax, 5);
        v_top := v_step * greatest(ceil(v_ymax / v_step - 1e-9::float8), 1::float8);
        FOR k IN 0 .. least(round(v_top / v_step)::integer, 12) LOOP
            v_py := c_t + c_ph - k * v_step / v_top * c_ph;
            o := o || format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="end">%s</text>',
                             c_l, loadtest.svg_num(v_py), c_l + c_pw, loadtest.svg_num(v_py),
                             c_l - 6, loadtest.svg_num(v_py + 4), loadtest.html_tick(k * v_step, v_step));
        END LOOP;
    END IF;

    -- the x axis
    v_step := loadtest.html_nice_step(v_xmax - v_xmin, 6);
    v_t := v_step * ceil(v_xmin / v_step);
    FOR k IN 1 .. 20 LOOP
        EXIT WHEN v_t > v_xmax + 1e-9::float8 * v_step;
        v_xv := c_l + (v_t - v_xmin) / (v_xmax - v_xmin) * c_pw;
        o := o || format('<line class="tickmark" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>',
                         loadtest.svg_num(v_xv), c_t + c_ph, loadtest.svg_num(v_xv), c_t + c_ph + 5,
                         loadtest.svg_num(v_xv), c_t + c_ph + 18, loadtest.html_tick(v_t, v_step));
        v_t := v_t + v_step;
    END LOOP;
    o := o || format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/><line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>',
                     c_l, c_t, c_l, c_t + c_ph, c_l, c_t + c_ph, c_l + c_pw, c_t + c_ph)
            || format('<text class="label" x="%s" y="%s" text-anchor="middle">%s</text>',
                      c_l + c_pw / 2, c_h - 6, loadtest.html_text(x_label, 80))
            || format('<text class="label" transform="rotate(-90)" x="%s" y="14" text-anchor="middle">%s</text>',
                      -(c_t + c_ph / 2), loadtest.html_text(y_label, 40));

    -- the series
    FOR s IN 1 .. least(v_s, 12) LOOP
        v_d := '';
        v_seg := 0;
        FOR i IN 1 .. v_n LOOP
            v_xv := x[i];
            v_yv := loadtest.figure(y[s][i]);
            IF v_log AND v_yv IS NOT NULL THEN
                v_yv := log(greatest(v_yv, power(10::float8, v_lo)));
            END IF;
            IF v_yv IS NOT NULL AND v_xv > '-Infinity'::float8 AND v_xv < 'Infinity'::float8 THEN
                v_d := v_d || CASE WHEN v_seg = 0 THEN 'M' ELSE 'L' END
                       || loadtest.svg_num(c_l + (v_xv - v_xmin) / (v_xmax - v_xmin) * c_pw) || ' '
                       || loadtest.svg_num(c_t + c_ph - CASE WHEN v_log THEN (v_yv - v_lo) / (v_hi - v_lo)
                                                             ELSE v_yv / v_top END * c_ph) || ' ';
                v_seg := v_seg + 1;
            ELSE
                -- (a point alone: a dot, drawn by the round line cap)
                IF v_seg = 1 THEN
                    v_d := v_d || 'h0.1 ';
                END IF;
                v_seg := 0;
            END IF;
        END LOOP;
        IF v_seg = 1 THEN
            v_d := v_d || 'h0.1';
        END IF;
        v_cls := coalesce(classes[s], 's' || ((s - 1) % 8)::text);
        IF v_d <> '' THEN
            o := o || format('<path class="series %s" d="%s"><title>%s</title></path>',
                             loadtest.html_escape(v_cls), rtrim(v_d), loadtest.html_text(names[s], 100));
        END IF;
    END LOOP;
    RETURN loadtest.html_chart_frame(chart_id, title, description, c_w, c_h,
                                     loadtest.html_legend(names, classes), array_to_string(o, ''));
END
$$;

COMMENT ON FUNCTION loadtest.html_line_chart(text, text, text, text, text, double precision[], double precision[], text[], text[], boolean) IS
'loadtest (internal): an SVG line chart of the HTML report: x, y[series][point] (values between 0 and 1e12, others missing: the line breaks), a path per series (class "series" and classes[k], else s0, s1 ...), axes with ticks and labels, linear from 0 or log (y_log), a legend; a line saying there is nothing to draw without values';

-- A bar chart: categories, y[category][series] stacked (values
-- loadtest.figure()s: others count 0), one rect per value (class "bar" and
-- the series' class) with its value in its <title>; horizontal (a row per
-- category, its name at the left) or vertical (a column per category,
-- axis_labels under them where not NULL, else the categories, thinned to
-- about 12; category_label under the axis); the value axis from 0 to value_max (else to the largest
-- stack); values written with value_fmt, at the end of horizontal bars
-- when show_values.
CREATE OR REPLACE FUNCTION loadtest.html_bar_chart(chart_id text, title text, description text,
                                                   value_label text, categories text[], names text[],
                                                   y double precision[], horizontal boolean,
                                                   classes text[] DEFAULT NULL,
                                                   value_max double precision DEFAULT NULL,
                                                   value_fmt text DEFAULT 'FM999G999G999G999G990D00',
                                                   show_values boolean DEFAULT false,
                                                   axis_labels text[] DEFAULT NULL,
                                                   category_label text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_w     constant double precision := 600;
    c_row   constant double precision := 22;   -- horizontal: a category's row
    c_bar   constant double precision := 14;   -- ... its bar
    v_hor   boolean := coalesce(horizontal, true);
    v_n     integer := least(coalesce(cardinality(categories), 0), 100);
    v_s     integer := CASE WHEN array_ndims(y) = 2 THEN least(array_length(y, 2), 12) ELSE 0 END;
    v_l     double precision := CASE WHEN v_hor THEN 190 ELSE 64 END;
    v_r     double precision := CASE WHEN v_hor AND coalesce(show_values, false) THEN 70 ELSE 16 END;
    v_t     double precision := 12;
    v_b     double precision := 44;
    v_pw    double precision := c_w - v_l - v_r;
    v_ph    double precision;
    v_h     double precision;
    v_max   double precision;
    v_step  double precision;
    v_top   double precision;
    v_every integer;
    v_acc   double precision;
    v_v     double precision;
    v_p     double precision;
    v_q     double precision;
    v_bw    double precision;
    v_cat   text;
    v_lab   text;
    o       text[] := '{}';
BEGIN
    SELECT max(t.total) INTO v_max
      FROM (SELECT sum(coalesce(loadtest.figure(y[i][s]), 0::float8)) AS total
              FROM generate_series(1, v_n) i, generate_series(1, greatest(v_s, 1)) s
             GROUP BY i) t;
    IF v_n = 0 OR v_s = 0 OR NOT coalesce(v_max > 0::float8, false) THEN
        RETURN format('<p class="empty">%s: nothing to draw</p>', loadtest.html_text(title, 200));
    END IF;
    v_max := coalesce(loadtest.figure(value_max), v_max);
    v_step := loadtest.html_nice_step(v_max, CASE WHEN v_hor THEN 5 ELSE 4 END);
    v_top := v_step * greatest(ceil(v_max / v_step - 1e-9::float8), 1::float8);
    v_ph := CASE WHEN v_hor THEN v_n * c_row ELSE 200 END;
    v_h := v_t + v_ph + v_b;

    -- the value axis, its grid and ticks
    FOR k IN 0 .. least(round(v_top / v_step)::integer, 12) LOOP
        v_p := k * v_step / v_top;
        IF v_hor THEN
            o := o || format('<line class="grid" x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s"/><text class="tick" x="%1$s" y="%4$s" text-anchor="middle">%5$s</text>',
                             loadtest.svg_num(v_l + v_p * v_pw), v_t, v_t + v_ph, v_t + v_ph + 16,
                             loadtest.html_tick(k * v_step, v_step));
        ELSE
            o := o || format('<line class="grid" x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s"/><text class="tick" x="%4$s" y="%5$s" text-anchor="end">%6$s</text>',
                             v_l, loadtest.svg_num(v_t + v_ph - v_p * v_ph), v_l + v_pw, v_l - 6,
                             loadtest.svg_num(v_t + v_ph - v_p * v_ph + 4), loadtest.html_tick(k * v_step, v_step));
        END IF;
    END LOOP;

    -- the bars, a stack per category
    v_bw := v_pw / v_n;
    v_every := greatest(ceil(v_n / 12.0)::integer, 1);
    FOR i IN 1 .. v_n LOOP
        v_cat := coalesce(categories[i], '');
        v_acc := 0;
        FOR s IN 1 .. v_s LOOP
            v_v := loadtest.figure(y[i][s]);
            CONTINUE WHEN v_v IS NULL OR v_v <= 0::float8;
            -- (from v_p to v_q of the value axis, within it)
            v_p := least(v_acc / v_top, 1::float8);
            v_q := least((v_acc + v_v) / v_top, 1::float8);
            v_acc := v_acc + v_v;
            o := o || format('<rect class="bar %s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>',
                             loadtest.html_escape(coalesce(classes[s], 's' || ((s - 1) % 8)::text)),
                             loadtest.svg_num(CASE WHEN v_hor THEN v_l + v_p * v_pw ELSE v_l + (i - 1) * v_bw + v_bw * 0.1 END),
                             loadtest.svg_num(CASE WHEN v_hor THEN v_t + (i - 1) * c_row + (c_row - c_bar) / 2
                                                   ELSE v_t + v_ph - v_q * v_ph END),
                             loadtest.svg_num(greatest(CASE WHEN v_hor THEN (v_q - v_p) * v_pw ELSE v_bw * 0.8 END, 0.5::float8)),
                             loadtest.svg_num(greatest(CASE WHEN v_hor THEN c_bar ELSE (v_q - v_p) * v_ph END, 0.5::float8)),
                             loadtest.html_escape(loadtest.one_line(v_cat, 200)
                                                  || CASE WHEN v_s > 1 THEN ', ' || coalesce(loadtest.one_line(names[s], 60), '') ELSE '' END
                                                  || ': ' || coalesce(loadtest.format_number(v_v, value_fmt), 'n/a')));
        END LOOP;
        IF v_hor THEN
            o := o || format('<text class="cat" x="%s" y="%s" text-anchor="end">%s<title>%s</title></text>',
                             v_l - 6, loadtest.svg_num(v_t + (i - 1) * c_row + c_row / 2 + 4),
                             loadtest.html_text(v_cat, 24), loadtest.html_text(v_cat, 200));
            IF coalesce(show_values, false) THEN
                o := o || format('<text class="value" x="%s" y="%s">%s</text>',
                                 loadtest.svg_num(v_l + least(v_acc / v_top, 1::float8) * v_pw + 4),
                                 loadtest.svg_num(v_t + (i - 1) * c_row + c_row / 2 + 4),
                                 loadtest.html_number(v_acc, value_fmt));
            END IF;
        ELSE
            v_lab := CASE WHEN axis_labels IS NOT NULL THEN axis_labels[i]
                          WHEN (i - 1) % v_every = 0 THEN v_cat END;
            IF v_lab IS NOT NULL THEN
                o := o || format('<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>',
                                 loadtest.svg_num(v_l + (i - 0.5) * v_bw), v_t + v_ph + 16,
                                 loadtest.html_text(v_lab, 16));
            END IF;
        END IF;
    END LOOP;

    o := o || CASE WHEN v_hor
                   THEN format('<line class="axis" x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s"/>', v_l, v_t, v_t + v_ph)
                   ELSE format('<line class="axis" x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s"/><line class="axis" x1="%1$s" y1="%4$s" x2="%1$s" y2="%2$s"/>',
                               v_l, v_t + v_ph, v_l + v_pw, v_t) END
            || CASE WHEN v_hor
                    THEN format('<text class="label" x="%s" y="%s" text-anchor="middle">%s</text>',
                                v_l + v_pw / 2, v_h - 6, loadtest.html_text(value_label, 80))
                    ELSE format('<text class="label" transform="rotate(-90)" x="%s" y="14" text-anchor="middle">%s</text>',
                                -(v_t + v_ph / 2), loadtest.html_text(value_label, 40))
                         || coalesce(format('<text class="label" x="%s" y="%s" text-anchor="middle">%s</text>',
                                            v_l + v_pw / 2, v_h - 6, loadtest.html_text(category_label, 80)), '') END;
    RETURN loadtest.html_chart_frame(chart_id, title, description, c_w, v_h,
                                     CASE WHEN v_s > 1 THEN loadtest.html_legend(names, classes) ELSE '' END,
                                     array_to_string(o, ''));
END
$$;

COMMENT ON FUNCTION loadtest.html_bar_chart(text, text, text, text, text[], text[], double precision[], boolean, text[], double precision, text, boolean, text[], text) IS
'loadtest (internal): an SVG bar chart of the HTML report: y[category][series] stacked (values between 0 and 1e12, others 0), a rect per value (class "bar" and classes[k], else s0, s1 ...) with its value in its <title>, horizontal (names at the left, values at the end with show_values) or vertical (axis_labels or the categories thinned under the columns), the value axis from 0 to value_max or the largest stack, a legend for more than one series; a line saying there is nothing to draw without values';

-- ---------------------------------------------------------------------------
-- The style sheet
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.html_style()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT $css$
:root{--fg:#1d2433;--muted:#5b6475;--bg:#fff;--panel:#f4f6f9;--line:#d9dee7;--ok:#1a7f37;--bad:#c62828;--warn:#b26a00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;overflow-wrap:anywhere}
.wrap{max-width:1100px;margin:0 auto;padding:0 16px}
header.page{background:var(--panel);border-bottom:1px solid var(--line);padding:18px 0 14px}
header.page .kicker{margin:0;color:var(--muted);font-size:.8rem;letter-spacing:.06em;text-transform:uppercase}
h1{font-size:1.55rem;margin:.15em 0 .3em;line-height:1.25}
h2{font-size:1.2rem;margin:0 0 .6em;padding-bottom:.25em;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1em 0 .4em}
section{margin:28px 0}
p{margin:.4em 0}
.meta{color:var(--muted);margin:.2em 0}
.badge{display:inline-block;padding:1px 10px;border-radius:999px;font-weight:600;font-size:.85rem;background:#e3e7ee;color:var(--fg)}
.status-completed{background:#dff3e4;color:var(--ok)}
.status-failed,.status-aborted{background:#fde2e2;color:var(--bad)}
.status-running,.status-cancelled{background:#fff1d6;color:var(--warn)}
dl.config{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:4px 18px;margin:10px 0 0;font-size:.9rem}
dl.config div{display:flex;gap:6px;min-width:0}
dl.config dt{color:var(--muted);white-space:nowrap}
dl.config dd{margin:0;min-width:0}
nav.toc{font-size:.9rem;margin:10px 0 0}
nav.toc a{color:#2456a6;text-decoration:none;margin-right:12px;white-space:nowrap;display:inline-block}
.notice{border-left:4px solid var(--warn);background:#fff8e8;padding:8px 12px;margin:10px 0}
.verdict{border-left:6px solid var(--warn);background:var(--panel);padding:12px 16px;border-radius:0 6px 6px 0}
.verdict.ready{border-color:var(--ok)}
.verdict.not-ready{border-color:var(--bad)}
.verdict .headline{font-size:1.3rem;font-weight:700;margin:0 0 .3em}
.verdict.ready .headline{color:var(--ok)}
.verdict.not-ready .headline{color:var(--bad)}
.verdict.no-answer .headline{color:var(--warn)}
.verdict ul{margin:.4em 0 0;padding-left:1.2em}
.verdict li{margin:.15em 0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.figure{background:var(--panel);border-radius:6px;padding:10px 12px;border-top:3px solid var(--line);min-width:0}
.figure .k{color:var(--muted);font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
.figure .v{font-size:1.35rem;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.3}
.figure .u{color:var(--muted);font-size:.8rem}
.figure.good{border-top-color:var(--ok)}
.figure.fair{border-top-color:var(--warn)}
.figure.poor{border-top-color:var(--bad)}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{min-width:12em}
.more,.empty,.note{color:var(--muted);font-size:.9rem}
figure.chart{margin:14px 0 18px}
figure.chart figcaption{font-weight:600;margin-bottom:2px}
p.legend{margin:0 0 4px;font-size:.85rem;color:var(--muted)}
p.legend .item{display:inline-block;margin-right:14px;white-space:nowrap}
p.legend .key{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;background:var(--c,#2563eb);vertical-align:baseline}
figure.chart svg{display:block;width:100%;height:auto;max-width:900px}
svg text{font-size:11px;fill:var(--muted);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
svg text.label{font-size:11.5px;fill:var(--fg)}
svg text.cat,svg text.value{fill:var(--fg)}
svg .grid{stroke:#e4e8ee;stroke-width:1}
svg .axis,svg .tickmark{stroke:#8a93a3;stroke-width:1}
.s0{--c:#2563eb}.s1{--c:#d97706}.s2{--c:#dc2626}.s3{--c:#16a34a}.s4{--c:#7c3aed}.s5{--c:#0891b2}.s6{--c:#db2777}.s7{--c:#6b7280}.s8{--c:#854d0e}.s9{--c:#0f766e}
.c-ops{--c:#2563eb}.c-err{--c:#dc2626}.c-p50{--c:#16a34a}.c-p95{--c:#d97706}.c-p99{--c:#dc2626}
.c-cpu{--c:#16a34a}.c-lock{--c:#dc2626}.c-wal{--c:#d97706}.c-io{--c:#2563eb}.c-other{--c:#9aa3b2}
svg .series{fill:none;stroke:var(--c,#2563eb);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .bar,svg .swatch{fill:var(--c,#2563eb)}
.recs{list-style:none;padding:0;margin:0}
.recs li{border:1px solid var(--line);border-radius:6px;padding:10px 12px;margin:0 0 10px}
.recs .finding{font-weight:650}
.recs .evidence{color:var(--muted)}
pre{margin:.5em 0 0;padding:8px 10px;background:#f0f2f5;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
footer{color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);margin-top:32px;padding:12px 0 24px}
@media (max-width:600px){
body{font-size:14px}
.wrap{padding:0 10px}
h1{font-size:1.25rem}
.figures{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
.figure .v{font-size:1.1rem}
th,td{padding:4px 5px}
dl.config{grid-template-columns:minmax(0,1fr)}
svg text{font-size:14px}
svg text.label{font-size:15px}
svg text.cat,svg text.value{font-size:13px}
}
@media print{
@page{margin:14mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:10pt;background:#fff}
.wrap{max-width:none;padding:0}
header.page{background:none;border-bottom:2px solid var(--fg)}
nav.toc{display:none}
section{margin:16px 0}
h2{break-after:avoid}
figure.chart,.figure,.recs li,.verdict,tr{break-inside:avoid}
figure.chart svg{max-width:17cm}
.table-wrap{overflow:visible}
}
$css$
$$;

COMMENT ON FUNCTION loadtest.html_style() IS
'loadtest (internal): the style sheet of the HTML report (screen, phones under 600 px, print)';

-- ---------------------------------------------------------------------------
-- The sections
-- ---------------------------------------------------------------------------

-- One item of the header's list of settings
CREATE OR REPLACE FUNCTION loadtest.html_setting(name text, value text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN CASE WHEN value IS NOT NULL
                THEN format('<div><dt>%s</dt><dd>%s</dd></div>', loadtest.html_escape(name), value) END;
END
$$;

COMMENT ON FUNCTION loadtest.html_setting(text, text) IS
'loadtest (internal): a setting in the header of the HTML report: its name (escaped) and value (HTML already), nothing when the value is NULL';

-- The header: the run, its pattern, users, status, when; its settings; why
-- it is not complete.
CREATE OR REPLACE FUNCTION loadtest.html_header(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int  constant text := 'FM999G999G999G999G990';
    c_2d   constant text := 'FM999G999G999G999G990D00';
    c_time constant text := 'YYYY-MM-DD HH24:MI:SS TZ';
    r      loadtest.runs;
    v_dur  double precision;
    v_shape text;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = html_header.run_id;
    IF NOT FOUND THEN
        RETURN format('<header class="page"><div class="wrap"><h1>Load test run %s</h1><p class="notice">no such run</p></div></header>',
                      html_header.run_id);
    END IF;
    SELECT s.duration_s INTO v_dur FROM loadtest.run_summary s WHERE s.run_id = html_header.run_id;
    v_shape := CASE WHEN r.rate IS NOT NULL
                    THEN format('open model: %s ops/sec arriving', loadtest.format_number(r.rate, c_2d))
                    WHEN r.pool_size IS NOT NULL
                    THEN format('%s users through a pool of %s workers', loadtest.format_number(r.users, c_int),
                                loadtest.format_number(r.pool_size, c_int))
                    ELSE format('%s users, a worker each', loadtest.format_number(r.users, c_int)) END
               || CASE WHEN r.stages IS NOT NULL THEN ', in stages' ELSE '' END;
    RETURN format('<header class="page"><div class="wrap">'
                  '<p class="kicker">loadtest report</p>'
                  '<h1>Run %s: %s</h1>'
                  '<p class="meta"><span class="badge status-%s">%s</span> %s users &#183; pattern %s &#183; %s &#183; started %s%s</p>'
                  '<dl class="config">%s</dl>%s'
                  '<nav class="toc" aria-label="Sections"><a href="#verdict">Verdict</a><a href="#figures">Key figures</a>'
                  '<a href="#over-time">Over time</a><a href="#distribution">Latency distribution</a>'
                  '<a href="#operations">Operations</a><a href="#where-time-went">Where the time went</a>'
                  '<a href="#errors">Errors</a><a href="#recommendations">Recommendations</a></nav>'
                  '</div></header>',
                  r.run_id, loadtest.html_text(r.pattern, 100),
                  loadtest.html_text(r.status::text, 20), loadtest.html_text(r.status::text, 20),
                  loadtest.html_number(r.users, c_int), loadtest.html_text(r.pattern, 100),
                  loadtest.html_escape(v_shape),
                  loadtest.html_escape(to_char(r.started_at, c_time)),
                  coalesce(', ran ' || loadtest.html_number(v_dur, c_2d) || ' s', ''),
                  concat(loadtest.html_setting('Length', CASE WHEN r.duration_limit_s IS NOT NULL
                                                              THEN loadtest.html_number(r.duration_limit_s, c_2d) || ' s'
                                                              ELSE loadtest.html_number(r.ops_per_user, c_int) || ' ops per user' END),
                         loadtest.html_setting('Think time', loadtest.html_number(r.think_time_ms, c_int) || ' ms'),
                         loadtest.html_setting('Ramp-up', loadtest.html_number(r.ramp_up_s, c_2d) || ' s'),
                         loadtest.html_setting('Workers', loadtest.html_number(r.workers, c_int)),
                         loadtest.html_setting('Pool', CASE WHEN r.pool_size IS NOT NULL THEN loadtest.html_number(r.pool_size, c_int) || ' workers' END),
                         loadtest.html_setting('Arrival rate', CASE WHEN r.rate IS NOT NULL THEN loadtest.html_number(r.rate, c_2d) || ' ops/sec' END),
                         loadtest.html_setting('Hot rows', CASE WHEN r.hot_rows > 0 THEN loadtest.html_number(r.hot_rows, c_int) || ' per table' END),
                         loadtest.html_setting('Isolation', loadtest.html_text(r.isolation, 40)),
                         loadtest.html_setting('Max tries', CASE WHEN r.max_tries > 1 THEN loadtest.html_number(r.max_tries, c_int) END),
                         loadtest.html_setting('Timeout', CASE WHEN r.op_timeout_ms > 0 THEN loadtest.html_number(r.op_timeout_ms, c_int) || ' ms' END),
                         loadtest.html_setting('Ended', loadtest.html_escape(to_char(r.ended_at, c_time))),
                         loadtest.html_setting('Database', loadtest.html_text(r.database_name, 64)),
                         loadtest.html_setting('Role', loadtest.html_text(r.role_name, 64)),
                         loadtest.html_setting('Environment', loadtest.html_text(r.environment, 60)),
                         loadtest.html_setting('Server', loadtest.html_text(r.server_version, 60)),
                         loadtest.html_setting('Samples kept', loadtest.html_text(r.samples, 40))),
                  CASE WHEN r.status::text <> 'completed'
                       THEN format('<p class="notice">This run is %s: %s</p>', loadtest.html_text(r.status::text, 20),
                                   CASE WHEN r.status::text = 'running'
                                        THEN 'its figures are written when it ends.'
                                        ELSE coalesce(loadtest.html_text(r.message, 300), 'its figures may be partial.') END)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_header(bigint) IS
'loadtest (internal): the header of the HTML report of a run: its number, pattern, status, users and shape, when it started and how long it ran, its settings, why it is not complete, and the sections'' links';

-- The verdict (the row of loadtest_verdict() as loadtest.report_scaling_data
-- gives it: d) for target_users within target_ms, with its explanation.
CREATE OR REPLACE FUNCTION loadtest.html_verdict(d jsonb, target_ms double precision, target_users integer)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int   constant text := 'FM999G999G999G999G990';
    c_lines constant integer := 40;
    v_ready boolean := CASE WHEN jsonb_typeof(d -> 'ready') = 'boolean' THEN (d ->> 'ready')::boolean END;
    v_basis text := CASE WHEN jsonb_typeof(d -> 'basis') = 'string' THEN d ->> 'basis' END;
    v_cap   double precision := loadtest.jsonb_float8(d -> 'capacity_users');
    v_resp  double precision := loadtest.jsonb_float8(d -> 'response_ms_at_target');
    v_for   text := format('for %s users within %s', loadtest.format_number(target_users, c_int),
                           loadtest.report_format_ms(target_ms));
    v_lines text;
    v_n     bigint;
BEGIN
    -- (capacity_users may be "Infinity": no limit found)
    IF v_cap IS NULL AND d ->> 'capacity_users' = 'Infinity' THEN
        v_cap := 'Infinity'::float8;
    END IF;
    SELECT string_agg(format('<li>%s</li>', loadtest.html_text(e.l, 600)), '' ORDER BY e.n) FILTER (WHERE e.k <= c_lines),
           count(*)
      INTO v_lines, v_n
      FROM (SELECT x.l, x.n, row_number() OVER (ORDER BY x.n) AS k
              FROM regexp_split_to_table(coalesce(d ->> 'explanation', ''), E'\n') WITH ORDINALITY AS x(l, n)
             WHERE btrim(x.l) <> '') e;
    RETURN format('<section id="verdict"><h2>Verdict</h2><div class="verdict %s">'
                  '<p class="headline">%s %s%s</p>%s%s%s%s%s</div></section>',
                  CASE v_ready WHEN true THEN 'ready' WHEN false THEN 'not-ready' ELSE 'no-answer' END,
                  CASE v_ready WHEN true THEN 'READY' WHEN false THEN 'NOT READY' ELSE 'NO ANSWER' END,
                  loadtest.html_escape(v_for),
                  CASE WHEN v_basis IS NOT NULL THEN ' <span class="badge">' || loadtest.html_text(v_basis, 40) || '</span>'
                       WHEN v_ready IS NULL THEN ': not enough evidence yet' ELSE '' END,
                  CASE WHEN v_cap IS NOT NULL
                       THEN '<p><strong>Capacity:</strong> '
                            || CASE WHEN v_cap = 'Infinity'::float8 THEN 'no limit found'
                                    ELSE '~' || loadtest.html_number(floor(v_cap), c_int) || ' concurrent users' END
                            || ' within ' || loadtest.html_escape(loadtest.report_format_ms(target_ms))
                            || CASE WHEN v_ready AND v_cap < target_users
                                    THEN ' (a lower bound: the run did not saturate the server)' ELSE '' END
                            || '</p>'
                       ELSE '' END,
                  CASE WHEN v_resp IS NOT NULL
                       THEN format('<p><strong>Response time at %s users:</strong> %s</p>',
                                   loadtest.html_number(target_users, c_int),
                                   loadtest.html_escape(loadtest.report_format_ms(v_resp)))
                       ELSE '' END,
                  CASE WHEN jsonb_typeof(d -> 'bottleneck') = 'string'
                       THEN '<p><strong>Bottleneck:</strong> ' || loadtest.html_text(d ->> 'bottleneck', 600) || '</p>'
                       ELSE '' END,
                  CASE WHEN v_lines IS NOT NULL THEN '<ul class="explanation">' || v_lines || '</ul>' ELSE '' END,
                  CASE WHEN v_n > c_lines
                       THEN format('<p class="more">... and %s more lines (SELECT explanation FROM loadtest_verdict(...);)</p>', v_n - c_lines)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_verdict(jsonb, double precision, integer) IS
'loadtest (internal): the verdict section of the HTML report from the row of loadtest_verdict() (jsonb, as loadtest.report_scaling_data gives it): ready, not ready or no answer for target_users within target_ms, its basis, capacity, response at the target, bottleneck and explanation (40 lines at most)';

-- One key figure: its name, value (HTML already), unit and rating (a CSS
-- class: good, fair, poor)
CREATE OR REPLACE FUNCTION loadtest.html_figure(name text, value text, unit text, rating text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN format('<div class="figure%s"><div class="k">%s</div><div class="v">%s</div><div class="u">%s</div></div>',
                  CASE WHEN rating IS NOT NULL THEN ' ' || loadtest.html_escape(rating) ELSE '' END,
                  loadtest.html_escape(name), coalesce(value, 'n/a'), coalesce(loadtest.html_escape(unit), ''));
END
$$;

COMMENT ON FUNCTION loadtest.html_figure(text, text, text, text) IS
'loadtest (internal): a key figure of the HTML report: name, value (HTML already), unit, and a rating as its CSS class';

-- A rating of the reference guide as the CSS class of a figure
CREATE OR REPLACE FUNCTION loadtest.html_rating(rating text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN CASE rating WHEN 'excellent' THEN 'good' WHEN 'high' THEN 'good' WHEN 'good' THEN 'good'
                       WHEN 'fair' THEN 'fair' WHEN 'poor' THEN 'poor' END;
END
$$;

COMMENT ON FUNCTION loadtest.html_rating(text) IS
'loadtest (internal): a rating of the reference guide (loadtest_rate_*) as the CSS class of a key figure of the HTML report: good, fair or poor';

-- The key figures: operations, throughput, success, response times (what
-- users felt in a pooled or rate run), from the data of the report's
-- overall, response times and assessment sections.
CREATE OR REPLACE FUNCTION loadtest.html_key_figures(run_id bigint, target_ms double precision,
                                                     target_users integer)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int  constant text := 'FM999G999G999G999G990';
    c_2d   constant text := 'FM999G999G999G999G990D00';
    o      jsonb := loadtest.report_overall_data(html_key_figures.run_id);
    t      jsonb := loadtest.report_response_times_data(html_key_figures.run_id);
    a      jsonb := loadtest.report_assessment_data(html_key_figures.run_id, html_key_figures.target_ms,
                                                    html_key_figures.target_users);
BEGIN
    -- (the guide's ratings as classes: loadtest.html_rating)
    RETURN format('<section id="figures"><h2>Key figures</h2><div class="figures">%s</div>%s</section>',
                  concat(
                      loadtest.html_figure('Throughput', loadtest.html_number(loadtest.jsonb_float8(o -> 'throughput_ops_s'), c_2d), 'ops/sec',
                                           loadtest.html_rating(a #>> '{throughput,rating}')),
                      loadtest.html_figure('Operations', loadtest.html_number((o ->> 'total_ops')::numeric, c_int),
                                           loadtest.format_number((o ->> 'failed')::numeric, c_int) || ' failed'),
                      loadtest.html_figure('Success', loadtest.html_number(loadtest.jsonb_float8(o -> 'success_pct'), c_2d), '%',
                                           loadtest.html_rating(a #>> '{success,rating}')),
                      loadtest.html_figure('Average', loadtest.html_ms(loadtest.jsonb_float8(t -> 'avg_ms')), 'ms',
                                           CASE WHEN NOT (t ? 'pool_wait' OR t ? 'from_intended_start')
                                                THEN loadtest.html_rating(a #>> '{response,rating}') END),
                      loadtest.html_figure('Median', loadtest.html_ms(loadtest.jsonb_float8(t -> 'median_ms')), 'ms'),
                      loadtest.html_figure('p95', loadtest.html_ms(loadtest.jsonb_float8(t -> 'p95_ms')), 'ms'),
                      loadtest.html_figure('p99', loadtest.html_ms(loadtest.jsonb_float8(t -> 'p99_ms')), 'ms'),
                      loadtest.html_figure('Max', loadtest.html_ms(loadtest.jsonb_float8(t -> 'max_ms')), 'ms'),
                      CASE WHEN t ? 'pool_wait' THEN
                          loadtest.html_figure('Pool wait', loadtest.html_ms(loadtest.jsonb_float8(t #> '{pool_wait,avg_ms}')),
                                               'ms average, p95 ' || coalesce(loadtest.format_number(loadtest.jsonb_float8(t #> '{pool_wait,p95_ms}'), c_2d), 'n/a'))
                          || loadtest.html_figure('As users feel it', loadtest.html_ms(loadtest.jsonb_float8(t #> '{as_users_feel_it,avg_ms}')),
                                                  'ms average (wait + operation)', loadtest.html_rating(a #>> '{response,rating}'))
                      END,
                      CASE WHEN t ? 'from_intended_start' THEN
                          loadtest.html_figure('Schedule lag', loadtest.html_ms(loadtest.jsonb_float8(t #> '{schedule_lag,avg_ms}')),
                                               'ms average, ' || coalesce(loadtest.format_number(loadtest.jsonb_float8(t #> '{schedule_lag,late_starts}'), c_int), 'n/a') || ' late starts')
                          || loadtest.html_figure('From intended start', loadtest.html_ms(loadtest.jsonb_float8(t #> '{from_intended_start,avg_ms}')),
                                                  'ms average (lag + operation)', loadtest.html_rating(a #>> '{response,rating}'))
                      END,
                      CASE WHEN (o ->> 'retries')::numeric > 0 THEN
                          loadtest.html_figure('Retried', loadtest.html_number((o ->> 'retried_ops')::numeric, c_int),
                                               loadtest.format_number((o ->> 'retries')::numeric, c_int) || ' retries')
                      END,
                      CASE WHEN (o ->> 'users_lost')::numeric > 0 THEN
                          loadtest.html_figure('Users lost', loadtest.html_number((o ->> 'users_lost')::numeric, c_int),
                                               loadtest.format_number((o ->> 'ops_not_done')::numeric, c_int) || ' operations not done', 'poor')
                      END,
                      CASE WHEN (o ->> 'arrivals_dropped')::numeric > 0 THEN
                          loadtest.html_figure('Arrivals dropped', loadtest.html_number((o ->> 'arrivals_dropped')::numeric, c_int),
                                               'never started', 'poor')
                      END),
                  CASE WHEN jsonb_typeof(a -> 'demand_bound') = 'object'
                       THEN format('<p class="note">The throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking.</p>',
                                   loadtest.html_number(loadtest.jsonb_float8(a #> '{demand_bound,thinking_pct}'), c_2d))
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_key_figures(bigint, double precision, integer) IS
'loadtest (internal): the key figures of the HTML report of a run: throughput, operations, success, response times, pool wait or schedule lag, retries, users lost, arrivals dropped (the figures of loadtest.report_overall_data, report_response_times_data), rated as the assessment rates them (report_assessment_data)';

-- Over time: throughput (and errors) and p50 / p95 / p99 per second, from
-- the run's 'second' summaries merged into at most 300 points (each point
-- the seconds of a group: its operations per second, the percentiles of
-- its merged histograms), and the stability verdict.
CREATE OR REPLACE FUNCTION loadtest.html_over_time(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_points constant integer := 300;
    v_first  bigint;
    v_last   bigint;
    v_width  bigint;
    v_groups integer;
    v_x      double precision[];
    v_ops    double precision[];
    v_err    double precision[];
    v_p50    double precision[];
    v_p95    double precision[];
    v_p99    double precision[];
    v_errors boolean;
    v_lo     double precision;
    v_hi     double precision;
    v_stab   text;
    v_each   text;
BEGIN
    SELECT min(h.second), max(h.second) INTO v_first, v_last
      FROM loadtest.run_histograms h
     WHERE h.run_id = html_over_time.run_id AND h.scope = 'second' AND h.second IS NOT NULL;
    IF v_first IS NULL THEN
        RETURN '<section id="over-time"><h2>Over time</h2><p class="empty">no timeline recorded for this run</p></section>';
    END IF;
    v_width := greatest(ceil((v_last - v_first + 1)::numeric / c_points::numeric), 1::numeric)::bigint;
    v_groups := ((v_last - v_first) / v_width + 1)::integer;

    SELECT array_agg((v_first + g.g * v_width)::float8 ORDER BY g.g),
           array_agg(coalesce(loadtest.numeric_float8(t.ops), 0::float8)
                     / least(v_width, v_last - (v_first + g.g * v_width) + 1)::float8 ORDER BY g.g),
           array_agg(coalesce(loadtest.numeric_float8(t.errors), 0::float8)
                     / least(v_width, v_last - (v_first + g.g * v_width) + 1)::float8 ORDER BY g.g),
           array_agg(t.pct[1] / 1000::float8 ORDER BY g.g),
           array_agg(t.pct[2] / 1000::float8 ORDER BY g.g),
           array_agg(t.pct[3] / 1000::float8 ORDER BY g.g),
           coalesce(bool_or(t.errors > 0::numeric), false)
      INTO v_x, v_ops, v_err, v_p50, v_p95, v_p99, v_errors
      FROM generate_series(0, v_groups - 1) AS g(g)
      LEFT JOIN (SELECT ((h.second::bigint - v_first) / v_width)::integer AS g,
                        sum(h.ops) AS ops, sum(h.errors) AS errors,
                        loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                                       ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct
                   FROM loadtest.run_histograms h
                  WHERE h.run_id = html_over_time.run_id AND h.scope = 'second' AND h.second IS NOT NULL
                  GROUP BY 1) t ON t.g = g.g;

    -- p50 to p99 on a log scale when they lie over two decades apart
    SELECT min(loadtest.figure(v.v)) FILTER (WHERE loadtest.figure(v.v) > 0::float8), max(loadtest.figure(v.v))
      INTO v_lo, v_hi
      FROM unnest(v_p50 || v_p95 || v_p99) AS v(v);
    SELECT st.verdict INTO v_stab FROM @extschema@.loadtest_stability(html_over_time.run_id) st;
    v_each := CASE WHEN v_width > 1 THEN format(' (each point: %s s)', v_width) ELSE '' END;

    RETURN format('<section id="over-time"><h2>Over time</h2>%s%s%s</section>',
                  loadtest.html_line_chart('chart-throughput', 'Throughput over time' || v_each,
                      format('Operations per second%s over the %s seconds of the run%s.',
                             CASE WHEN v_errors THEN ' and errors per second' ELSE '' END,
                             v_last - v_first + 1, v_each),
                      'seconds into the run', 'ops/sec', v_x,
                      CASE WHEN v_errors THEN ARRAY[v_ops, v_err] ELSE ARRAY[v_ops] END,
                      CASE WHEN v_errors THEN ARRAY['operations/s', 'errors/s'] ELSE ARRAY['operations/s'] END,
                      ARRAY['c-ops', 'c-err']),
                  loadtest.html_line_chart('chart-latency', 'Response time over time' || v_each,
                      format('Median, 95th and 99th percentile of the response time (ms) of the operations that started in each second%s%s.',
                             v_each, CASE WHEN v_hi > 100::float8 * v_lo THEN ', on a log scale' ELSE '' END),
                      'seconds into the run', CASE WHEN v_hi > 100::float8 * v_lo THEN 'ms (log scale)' ELSE 'ms' END,
                      v_x, ARRAY[v_p50, v_p95, v_p99], ARRAY['p50', 'p95', 'p99'],
                      ARRAY['c-p50', 'c-p95', 'c-p99'], v_hi > 100::float8 * v_lo),
                  CASE WHEN v_stab IS NOT NULL
                       THEN '<p class="note"><strong>Stability:</strong> ' || loadtest.html_text(v_stab, 600) || '</p>'
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_over_time(bigint) IS
'loadtest (internal): the over-time section of the HTML report: line charts of the throughput (and errors) and of p50, p95 and p99 over the run, from its per-second summaries (loadtest.run_histograms) merged into at most 300 points, and its stability verdict (loadtest_stability)';

-- The latency distribution: the run's latency histograms merged (scope
-- 'operation'), in bins of a fifth of a decade, as vertical bars.
CREATE OR REPLACE FUNCTION loadtest.html_latency_distribution(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_bins constant double precision := 5;  -- bins per decade
    v_cat  text[];
    v_lab  text[];
    v_y    double precision[];
    t      jsonb := loadtest.report_response_times_data(html_latency_distribution.run_id);
BEGIN
    WITH buckets AS (
        SELECT u.bucket, sum(u.n) AS n
          FROM loadtest.run_histograms h
         CROSS JOIN LATERAL unnest(h.latency_buckets, h.latency_counts) AS u(bucket, n)
         WHERE h.run_id = html_latency_distribution.run_id AND h.scope = 'operation'
           AND u.bucket BETWEEN 0 AND 2431 AND u.n > 0
         GROUP BY u.bucket),
    bins AS (
        SELECT floor(log(greatest(CASE WHEN b.bucket BETWEEN 0 AND 2431
                                       THEN loadtest.histogram_bucket_value(b.bucket) END, 1::float8))
                     * c_bins)::integer AS bin,
               sum(b.n) AS n
          FROM buckets b
         GROUP BY 1),
    span AS (SELECT min(bins.bin) AS lo, max(bins.bin) AS hi FROM bins)
    SELECT array_agg(format('%s to %s ms', loadtest.html_format_ms(power(10::float8, s.s / c_bins) / 1000::float8),
                            loadtest.html_format_ms(power(10::float8, (s.s + 1) / c_bins) / 1000::float8))
                     ORDER BY s.s),
           array_agg(CASE WHEN s.s % c_bins::integer = 0
                          THEN loadtest.html_tick_text(power(10::float8, s.s / c_bins) / 1000::float8,
                                                       power(10::float8, s.s / c_bins) / 1000::float8) END
                     ORDER BY s.s),
           array_agg(ARRAY[coalesce(loadtest.numeric_float8(bins.n), 0::float8)] ORDER BY s.s)
      INTO v_cat, v_lab, v_y
      FROM span
     CROSS JOIN LATERAL generate_series(span.lo, span.hi) AS s(s)
      LEFT JOIN bins ON bins.bin = s.s;

    RETURN format('<section id="distribution"><h2>Latency distribution</h2>%s%s</section>',
                  loadtest.html_bar_chart('chart-distribution', 'Operations by response time',
                      'How many operations took how long: the run''s latency histogram in bins of a fifth of a decade (log scale of ms).',
                      'operations', v_cat, ARRAY['operations'], v_y, false, ARRAY['s0'],
                      NULL, 'FM999G999G999G999G990', false, v_lab, 'response time (ms, log scale)'),
                  format('<p class="note">Median %s ms, p95 %s ms, p99 %s ms, max %s ms.</p>',
                         loadtest.html_ms(loadtest.jsonb_float8(t -> 'median_ms')), loadtest.html_ms(loadtest.jsonb_float8(t -> 'p95_ms')),
                         loadtest.html_ms(loadtest.jsonb_float8(t -> 'p99_ms')), loadtest.html_ms(loadtest.jsonb_float8(t -> 'max_ms'))));
END
$$;

COMMENT ON FUNCTION loadtest.html_latency_distribution(bigint) IS
'loadtest (internal): the latency distribution section of the HTML report: the run''s merged latency histograms (loadtest.run_histograms, scope operation) as bars, five bins per decade of ms, and its percentiles';

-- The operations: the figures of loadtest.report_operations_data (most
-- frequent first) as a table, and their p95 as bars.
CREATE OR REPLACE FUNCTION loadtest.html_operations(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_2d     constant text := 'FM999G999G999G999G990D00';
    c_listed constant integer := 25;  -- rows of the table
    c_bars   constant integer := 15;  -- bars of the chart
    d        jsonb := loadtest.report_operations_data(html_operations.run_id);
    v_n      integer := jsonb_array_length(d);
    v_total  numeric;
    v_rows   text;
    v_cat    text[];
    v_y      double precision[];
BEGIN
    IF v_n = 0 THEN
        RETURN '<section id="operations"><h2>Operations</h2><p class="empty">no operations recorded</p></section>';
    END IF;
    SELECT sum((x.e ->> 'ops')::numeric) INTO v_total FROM jsonb_array_elements(d) AS x(e);
    SELECT string_agg(format('<tr><td class="name">%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td>'
                             '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>'
                             '<td class="n">%s</td><td class="n">%s</td></tr>',
                             loadtest.html_text(x.name, 100), coalesce(loadtest.html_text(x.e ->> 'kind', 10), ''),
                             loadtest.html_number((x.e ->> 'ops')::numeric, c_int),
                             loadtest.html_number(loadtest.numeric_float8(100::numeric * (x.e ->> 'ops')::numeric / nullif(v_total, 0::numeric)), 'FM990D0') || '%',
                             loadtest.html_ms(loadtest.jsonb_float8(x.e -> 'avg_ms')),
                             loadtest.html_ms(loadtest.jsonb_float8(x.e -> 'median_ms')),
                             loadtest.html_ms(loadtest.jsonb_float8(x.e -> 'p95_ms')),
                             loadtest.html_ms(loadtest.jsonb_float8(x.e -> 'max_ms')),
                             loadtest.html_number((x.e ->> 'errors')::numeric, c_int),
                             loadtest.html_number(loadtest.jsonb_float8(x.e -> 'error_pct'), c_2d)),
                      '' ORDER BY x.k) FILTER (WHERE x.k <= c_listed),
           array_agg(x.name ORDER BY x.k) FILTER (WHERE x.k <= c_bars),
           array_agg(ARRAY[loadtest.jsonb_float8(x.e -> 'p95_ms')] ORDER BY x.k) FILTER (WHERE x.k <= c_bars)
      INTO v_rows, v_cat, v_y
      FROM (SELECT j.e, j.k, coalesce(j.e ->> 'operation', '(operation ' || (j.e ->> 'operation_no') || ')') AS name
              FROM jsonb_array_elements(d) WITH ORDINALITY AS j(e, k)) x;

    RETURN format('<section id="operations"><h2>Operations</h2><div class="table-wrap"><table>'
                  '<thead><tr><th>Operation</th><th>Kind</th><th class="n">Ops</th><th class="n">Share</th>'
                  '<th class="n">Avg ms</th><th class="n">Median ms</th><th class="n">p95 ms</th><th class="n">Max ms</th>'
                  '<th class="n">Errors</th><th class="n">Error %%</th></tr></thead><tbody>%s</tbody></table></div>%s%s</section>',
                  v_rows,
                  CASE WHEN v_n > c_listed
                       THEN format('<p class="more">... and %s more operations (SELECT * FROM loadtest.operation_stats WHERE run_id = %s;)</p>',
                                   v_n - c_listed, html_operations.run_id)
                       ELSE '' END,
                  loadtest.html_bar_chart('chart-operations', '95th percentile response time by operation',
                      'The 95th percentile of the response time in ms of each operation'
                      || CASE WHEN v_n > c_bars THEN format(' (the %s most frequent)', c_bars) ELSE '' END || ', most frequent first.',
                      'p95 (ms)', v_cat, ARRAY['p95 (ms)'], v_y, true, ARRAY['s0'], NULL, c_2d, true));
END
$$;

COMMENT ON FUNCTION loadtest.html_operations(bigint) IS
'loadtest (internal): the operations section of the HTML report: the figures of loadtest.report_operations_data (ops, share, avg, median, p95, max, errors; 25 operations at most) as a table, the p95 of the 15 most frequent as bars';

-- The CSS class of a wait class (loadtest.wait_classes)
CREATE OR REPLACE FUNCTION loadtest.html_wait_class(class text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN CASE class WHEN 'CPU' THEN 'c-cpu' WHEN 'Lock' THEN 'c-lock' WHEN 'WAL' THEN 'c-wal'
                      WHEN 'DataFileRead' THEN 'c-io' WHEN 'other' THEN 'c-other' END;
END
$$;

COMMENT ON FUNCTION loadtest.html_wait_class(text) IS
'loadtest (internal): the CSS class of a wait class of loadtest.wait_classes() in the HTML report (CPU, Lock, WAL, DataFileRead, other), NULL for the others';

-- Where the time went: the wait classes of loadtest.wait_classes() over
-- all operations and per operation (the 12 with most samples), the 5
-- largest classes by name and the rest as "other", as stacked bars of
-- their shares.
CREATE OR REPLACE FUNCTION loadtest.html_where_time_went(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int     constant text := 'FM999G999G999G999G990';
    c_classes constant integer := 5;
    c_ops     constant integer := 12;
    v_total   numeric;
    v_ops     bigint;
    v_interval integer;
    v_names   text[];
    v_classes text[];
    v_cat     text[];
    v_y       double precision[];
BEGIN
    SELECT r.wait_sample_interval_ms INTO v_interval FROM loadtest.runs r WHERE r.run_id = html_where_time_went.run_id;
    SELECT sum(w.samples) FILTER (WHERE w.operation IS NULL), count(DISTINCT w.operation)
      INTO v_total, v_ops
      FROM loadtest.wait_classes(html_where_time_went.run_id) w;
    IF coalesce(v_total, 0::numeric) <= 0::numeric THEN
        RETURN format('<section id="where-time-went"><h2>Where the time went</h2><p class="empty">%s</p></section>',
                      CASE WHEN v_interval IS NULL THEN 'not sampled: the run was recorded before loadtest 1.4, which samples wait events'
                           WHEN v_interval <= 0 THEN 'not sampled: the wait sampler was off for this run (loadtest.wait_sample_interval_ms = 0)'
                           ELSE 'no wait samples: no operation ran long enough to be caught, or the run was too short' END);
    END IF;

    WITH w AS (
        SELECT w.operation, w.class, sum(w.samples) AS n
          FROM loadtest.wait_classes(html_where_time_went.run_id) w
         GROUP BY w.operation, w.class),
    top AS (
        SELECT w.class, row_number() OVER (ORDER BY w.n DESC, w.class) AS k
          FROM w WHERE w.operation IS NULL),
    cls AS (
        SELECT top.class, top.k FROM top WHERE top.k <= c_classes
        UNION ALL
        SELECT 'other', c_classes + 1 WHERE (SELECT count(*) FROM top) > c_classes),
    ops AS (
        SELECT o.operation, o.k
          FROM (SELECT w.operation, row_number() OVER (ORDER BY sum(w.n) DESC, w.operation) AS k
                  FROM w WHERE w.operation IS NOT NULL GROUP BY w.operation) o
         WHERE o.k <= c_ops
        UNION ALL
        SELECT NULL, 0),
    shares AS (
        SELECT ops.k AS op_k, cls.k AS cls_k,
               loadtest.numeric_float8(100::numeric * coalesce(sum(w.n), 0::numeric)
                                       / nullif((SELECT sum(x.n) FROM w x WHERE x.operation IS NOT DISTINCT FROM ops.operation), 0::numeric)) AS pct
          FROM ops CROSS JOIN cls
          LEFT JOIN w ON w.operation IS NOT DISTINCT FROM ops.operation
                     AND (w.class = cls.class
                          OR (cls.class = 'other' AND NOT EXISTS (SELECT 1 FROM top WHERE top.class = w.class AND top.k <= c_classes)))
         GROUP BY ops.k, cls.k, ops.operation)
    SELECT (SELECT array_agg(cls.class ORDER BY cls.k) FROM cls),
           (SELECT array_agg(coalesce(loadtest.html_wait_class(cls.class),
                                      (ARRAY['s4', 's5', 's6', 's8', 's9'])[(cls.k - 1) % 5 + 1]) ORDER BY cls.k) FROM cls),
           (SELECT array_agg(coalesce(ops.operation, 'all operations') ORDER BY ops.k) FROM ops),
           (SELECT array_agg(r.row ORDER BY r.op_k)
              FROM (SELECT s.op_k, array_agg(coalesce(s.pct, 0::float8) ORDER BY s.cls_k) AS row
                      FROM shares s GROUP BY s.op_k) r)
      INTO v_names, v_classes, v_cat, v_y;

    RETURN format('<section id="where-time-went"><h2>Where the time went</h2>'
                  '<p class="note">%s samples of the workers'' wait events while they ran an operation, one every %s ms.</p>%s%s</section>',
                  loadtest.html_number(v_total, c_int),
                  CASE WHEN v_interval > 0 THEN loadtest.html_number(v_interval, c_int) ELSE '?' END,
                  loadtest.html_bar_chart('chart-waits', 'Where the time went, by operation',
                      'The share of each wait class (CPU, Lock, WAL, DataFileRead or the wait event) in the wait samples of all operations and of each operation.',
                      'share of the samples (%)', v_cat, v_names, v_y, true, v_classes, 100, 'FM990D0'),
                  CASE WHEN v_ops > c_ops
                       THEN format('<p class="more">... and %s more operations (SELECT * FROM loadtest.wait_profile WHERE run_id = %s;)</p>',
                                   v_ops - c_ops, html_where_time_went.run_id)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_where_time_went(bigint) IS
'loadtest (internal): the where-the-time-went section of the HTML report: the shares of the wait classes of loadtest.wait_classes() (the 5 largest, the rest as other) over all operations and per operation (the 12 with most samples) as stacked bars';

-- The errors by SQLSTATE: count, share of the operations, the operations
-- (the 3 with most), the most frequent message; the 10 most frequent
-- SQLSTATEs, from loadtest.report_errors_data.
CREATE OR REPLACE FUNCTION loadtest.html_errors(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_listed constant integer := 10;
    d        jsonb := loadtest.report_errors_data(html_errors.run_id);
    v_ops    numeric := (loadtest.report_overall_data(html_errors.run_id) ->> 'total_ops')::numeric;
    v_rows   text;
    v_n      bigint;
BEGIN
    IF jsonb_array_length(d) = 0 THEN
        RETURN '<section id="errors"><h2>Errors</h2><p class="empty">none</p></section>';
    END IF;
    WITH e AS (
        SELECT coalesce(x.e ->> 'sqlstate', '') AS st,
               coalesce(x.e ->> 'operation', '(operation ' || (x.e ->> 'operation_no') || ')') AS op,
               x.e ->> 'message' AS msg, (x.e ->> 'count')::numeric AS n, x.k
          FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, k)),
    per_op AS (
        SELECT e.st, e.op, sum(e.n) AS n, row_number() OVER (PARTITION BY e.st ORDER BY sum(e.n) DESC, e.op) AS k
          FROM e GROUP BY e.st, e.op),
    per_state AS (
        SELECT e.st, sum(e.n) AS n,
               (array_agg(e.msg ORDER BY e.n DESC, e.k) FILTER (WHERE e.msg IS NOT NULL))[1] AS msg
          FROM e GROUP BY e.st),
    listed AS (
        SELECT s.*, row_number() OVER (ORDER BY s.n DESC, s.st) AS k, count(*) OVER () AS total
          FROM per_state s)
    SELECT string_agg(format('<tr><td><code>%s</code></td><td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                             coalesce(loadtest.html_text(nullif(l.st, ''), 10), '-----'),
                             loadtest.html_number(l.n, c_int),
                             loadtest.html_number(loadtest.numeric_float8(100::numeric * l.n / nullif(v_ops, 0::numeric)), 'FM990D00') || '%',
                             loadtest.html_text((SELECT string_agg(loadtest.one_line(p.op, 60) || ' ' || loadtest.format_number(p.n, c_int), ', ' ORDER BY p.k)
                                                   FROM per_op p WHERE p.st = l.st AND p.k <= 3)
                                                || coalesce((SELECT format(' and %s more', count(*)) FROM per_op p WHERE p.st = l.st AND p.k > 3 HAVING count(*) > 0), ''),
                                                400),
                             coalesce(loadtest.html_text(l.msg, 300), '(other messages)')),
                      '' ORDER BY l.k) FILTER (WHERE l.k <= c_listed),
           max(l.total)
      INTO v_rows, v_n
      FROM listed l;

    RETURN format('<section id="errors"><h2>Errors</h2><div class="table-wrap"><table>'
                  '<thead><tr><th>SQLSTATE</th><th class="n">Count</th><th class="n">Of all ops</th><th>Operations</th><th>Most frequent message</th></tr></thead>'
                  '<tbody>%s</tbody></table></div>%s</section>',
                  v_rows,
                  CASE WHEN v_n > c_listed
                       THEN format('<p class="more">... and %s more SQLSTATEs (SELECT * FROM loadtest.error_stats WHERE run_id = %s;)</p>',
                                   v_n - c_listed, html_errors.run_id)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_errors(bigint) IS
'loadtest (internal): the errors section of the HTML report: the errors of loadtest.report_errors_data by SQLSTATE (the 10 most frequent): count, share of the operations, the operations with most, the most frequent message';

-- The recommendations (the rows of loadtest_recommendations() as
-- loadtest.report_recommendations_data gives them), their statements in
-- <code>.
CREATE OR REPLACE FUNCTION loadtest.html_recommendations(run_id bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_listed constant integer := 20;
    d        jsonb := loadtest.report_recommendations_data(html_recommendations.run_id);
    v_n      integer := coalesce(jsonb_array_length(d), 0);
    v_items  text;
BEGIN
    IF v_n = 0 THEN
        RETURN '<section id="recommendations"><h2>Recommendations</h2><p class="empty">none: nothing in this run''s evidence calls for a change</p></section>';
    END IF;
    SELECT string_agg(format('<li><p><span class="finding">%s</span>%s</p>%s%s</li>',
                             coalesce(loadtest.html_text(x.e ->> 'finding', 200), 'finding'),
                             coalesce(': <span class="evidence">' || loadtest.html_text(x.e ->> 'evidence', 600) || '</span>', ''),
                             coalesce('<p>' || loadtest.html_text(x.e ->> 'recommendation', 600) || '</p>', ''),
                             coalesce('<pre><code>' || loadtest.html_text(x.e ->> 'statement', 900) || '</code></pre>', '')),
                      '' ORDER BY x.k)
      INTO v_items
      FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, k)
     WHERE x.k <= c_listed;
    RETURN format('<section id="recommendations"><h2>Recommendations</h2><ol class="recs">%s</ol>%s</section>',
                  v_items,
                  CASE WHEN v_n > c_listed
                       THEN format('<p class="more">... and %s more (SELECT * FROM loadtest_recommendations(%s);)</p>',
                                   v_n - c_listed, html_recommendations.run_id)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.html_recommendations(bigint) IS
'loadtest (internal): the recommendations section of the HTML report: the rows of loadtest_recommendations() (20 at most, as loadtest.report_recommendations_data gives them): finding, evidence, recommendation and the statement in <code>';

-- ---------------------------------------------------------------------------
-- The page
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report_html(run_id bigint DEFAULT NULL,
                                                target_ms double precision DEFAULT 500,
                                                target_users integer DEFAULT 4000)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
DECLARE
    v_run_id  bigint;
    v_verdict jsonb;
    v_pattern text;
BEGIN
    v_run_id := loadtest.report_run(loadtest_report_html.run_id, loadtest_report_html.target_ms,
                                    loadtest_report_html.target_users, 'loadtest_report_html');
    v_verdict := loadtest.report_scaling_data(v_run_id, loadtest_report_html.target_ms,
                                              loadtest_report_html.target_users);
    SELECT r.pattern INTO v_pattern FROM loadtest.runs r WHERE r.run_id = v_run_id;
    RETURN concat(
        '<!DOCTYPE html>', E'\n',
        '<html lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        '<meta http-equiv="Content-Security-Policy" content="default-src ''none''; style-src ''unsafe-inline''"/>',
        '<meta name="generator" content="loadtest ',
        (SELECT loadtest.html_text(e.extversion, 20) FROM pg_catalog.pg_extension e WHERE e.extname = 'loadtest'), '"/>',
        format('<title>Load test run %s (%s): %s</title>', v_run_id, loadtest.html_text(v_pattern, 60),
               CASE (v_verdict ->> 'ready') WHEN 'true' THEN 'ready' WHEN 'false' THEN 'not ready' ELSE 'no answer' END
               || ' for ' || loadtest_report_html.target_users || ' users'),
        '<style>', loadtest.html_style(), '</style></head>', E'\n<body>\n',
        loadtest.html_header(v_run_id), E'\n<main class="wrap">\n',
        loadtest.html_verdict(v_verdict, loadtest_report_html.target_ms, loadtest_report_html.target_users), E'\n',
        loadtest.html_key_figures(v_run_id, loadtest_report_html.target_ms, loadtest_report_html.target_users), E'\n',
        loadtest.html_over_time(v_run_id), E'\n',
        loadtest.html_latency_distribution(v_run_id), E'\n',
        loadtest.html_operations(v_run_id), E'\n',
        loadtest.html_where_time_went(v_run_id), E'\n',
        loadtest.html_errors(v_run_id), E'\n',
        loadtest.html_recommendations(v_run_id), E'\n',
        '</main>', E'\n',
        format('<footer><div class="wrap">Generated by loadtest at %s. The same report as text: <code>SELECT loadtest_report(%s);</code> and as JSON: <code>SELECT loadtest_report_json(%s);</code></div></footer>',
               loadtest.html_escape(to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS TZ')), v_run_id, v_run_id),
        E'\n</body></html>\n');
END
$$;

COMMENT ON FUNCTION loadtest_report_html(bigint, double precision, integer) IS
'loadtest: the report of a run (NULL: the latest run) as one self-contained HTML5 page (no script, no external style, font or image; a Content-Security-Policy that allows none): header, the verdict of loadtest_verdict() for target_users within target_ms, key figures, throughput and p50/p95/p99 over time, the latency distribution, the operations, where the time went, errors by SQLSTATE and the recommendations, with inline SVG charts; readable printed and on a phone; every text of the tables escaped; the arguments and errors of loadtest_report()';
