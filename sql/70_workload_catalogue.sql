-- The workload catalogue (1.3, "workload as data"): loadtest_define_operation,
-- loadtest_define_pattern and their drops refuse every bad definition with
-- a clear message and store nothing; generators draw what the reference
-- says (loadtest_preview_generator, many draws, fixed seeds: only bounds
-- and invariants are printed); mixes share users exactly; a run of a
-- defined operation on a user schema keeps its own copy of the definition.
\set VERBOSITY default

CREATE SCHEMA wl_shop;
-- 300 products, every third one deleted: ids with holes.  Statuses: 90%
-- active, 9% retired, 1% draft (of the 300 before the deletes).  Names are
-- multibyte in part, for prefixes counted in characters.
CREATE TABLE wl_shop.products (
    product_id integer PRIMARY KEY,
    name       text NOT NULL,
    status     text NOT NULL,
    made       date NOT NULL
);
INSERT INTO wl_shop.products
SELECT i,
       (ARRAY['éclair', 'çava', 'straße', 'apple', 'banana', 'cherry'])[1 + i % 6] || '-' || i,
       CASE WHEN i % 100 = 1 THEN 'draft' WHEN i % 100 BETWEEN 2 AND 10 THEN 'retired' ELSE 'active' END,
       date '2024-01-01' + i
  FROM generate_series(1, 300) AS i;
DELETE FROM wl_shop.products WHERE product_id % 3 = 0;
ANALYZE wl_shop.products;
SELECT count(*) AS products, min(product_id), max(product_id),
       count(DISTINCT status) AS statuses FROM wl_shop.products;
CREATE TABLE wl_shop.events (
    event_id   bigint PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    product_id integer NOT NULL REFERENCES wl_shop.products
);

-- What the catalogue holds now, to compare with after each refusal.
CREATE TEMP TABLE catalogue_before AS
SELECT 'operation' AS what, to_jsonb(o) AS row FROM loadtest.operations o
UNION ALL
SELECT 'pattern', to_jsonb(p) FROM loadtest.patterns p;
GRANT SELECT ON catalogue_before TO PUBLIC;
CREATE FUNCTION pg_temp.unchanged() RETURNS text LANGUAGE sql AS $$
    WITH now_ AS (
        SELECT 'operation' AS what, to_jsonb(o) AS row FROM loadtest.operations o
        UNION ALL
        SELECT 'pattern', to_jsonb(p) FROM loadtest.patterns p),
    diff AS ((TABLE now_ EXCEPT ALL TABLE pg_temp.catalogue_before)
             UNION ALL (TABLE pg_temp.catalogue_before EXCEPT ALL TABLE now_))
    SELECT CASE WHEN count(*) = 0 THEN 'nothing stored'
                ELSE 'CATALOGUE CHANGED: ' || string_agg(row ->> (what), ', ') END
      FROM diff
$$;
-- After a definition that is meant to be stored: take it as the new state.
CREATE FUNCTION pg_temp.keep() RETURNS void LANGUAGE sql AS $$
    DELETE FROM pg_temp.catalogue_before;
    INSERT INTO pg_temp.catalogue_before
    SELECT 'operation', to_jsonb(o) FROM loadtest.operations o
    UNION ALL
    SELECT 'pattern', to_jsonb(p) FROM loadtest.patterns p;
$$;
SELECT count(*) FILTER (WHERE what = 'operation') AS operations,
       count(*) FILTER (WHERE what = 'pattern') AS patterns,
       bool_and((row ->> 'builtin')::boolean) AS all_builtin
  FROM pg_temp.catalogue_before;
SELECT pg_temp.unchanged();

-- =====================================================================
-- Operations: the statements
-- =====================================================================
-- a syntax error (the position points into the statement)
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['SELEC product_id FROM wl_shop.products']);
SELECT pg_temp.unchanged();
-- a table that does not exist
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.nothing WHERE id = $1'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- an unqualified table: statements run with search_path = pg_catalog, pg_temp,
-- whatever the session's search_path
SET search_path = wl_shop, public;
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM products WHERE product_id = $1'], '[{"type": "int", "min": 1, "max": 3}]');
RESET search_path;
SELECT pg_temp.unchanged();
-- a parameter beyond the generators: $2 with one generator
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $2'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- a generator that no statement uses
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- an int generator into a date parameter
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE made = $1'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- a read operation that writes, that locks rows, that writes in a CTE
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['UPDATE wl_shop.products SET name = name WHERE product_id = $1'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1 FOR UPDATE'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['WITH d AS (DELETE FROM wl_shop.events WHERE event_id = $1 RETURNING event_id) SELECT * FROM d'],
    '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- a utility statement
SELECT loadtest_define_operation('wl_bad', 'write', ARRAY['VACUUM wl_shop.products']);
SELECT pg_temp.unchanged();
-- two commands in one statement
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT 1 FROM wl_shop.products; SELECT 2 FROM wl_shop.products']);
SELECT pg_temp.unchanged();
-- no statements: NULL, an empty array, an empty statement
SELECT loadtest_define_operation('wl_bad', 'read', NULL);
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY[]::text[]);
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['  ']);
SELECT pg_temp.unchanged();

-- =====================================================================
-- Operations: the generators
-- =====================================================================
-- a column generator: a column that does not exist, a table that does not
-- exist, a table without its schema
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "nothing"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.nothing", "column": "product_id"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "products", "column": "product_id"}]');
SELECT pg_temp.unchanged();
-- an unknown type, an unknown key, no type, not an object, not an array
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"type": "serial"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"type": "int", "min": 1, "max": 3, "maximum": 4}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[7]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '{"type": "int", "min": 1, "max": 3}');
SELECT pg_temp.unchanged();
-- int: an empty range, no max, a min that is not an integer
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"type": "int", "min": 5, "max": 3}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"type": "int", "min": 1}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'], '[{"type": "int", "min": 1.5, "max": 3}]');
SELECT pg_temp.unchanged();
-- zipf: no skew, a skew of 1 or less, above 1000; a skew without zipf
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "distribution": "zipf"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "distribution": "zipf", "skew": 1}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "distribution": "zipf", "skew": 0.5}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "distribution": "zipf", "skew": 1001}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "skew": 2}]');
SELECT pg_temp.unchanged();
-- log_uniform from 0; an unknown distribution
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 0, "max": 3, "distribution": "log_uniform"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3, "distribution": "normal"}]');
SELECT pg_temp.unchanged();
-- float: an empty range
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id < $1'], '[{"type": "float", "min": 2, "max": 1}]');
SELECT pg_temp.unchanged();
-- choice: weights not as many as the values, no positive weight, a
-- negative weight, a weight that is not a number, no values
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'],
    '[{"type": "choice", "values": ["active", "draft"], "weights": [1]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'],
    '[{"type": "choice", "values": ["active", "draft"], "weights": [0, 0]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'],
    '[{"type": "choice", "values": ["active", "draft"], "weights": [-1, 2]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'],
    '[{"type": "choice", "values": ["active", "draft"], "weights": ["1", 2]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'], '[{"type": "choice", "values": []}]');
SELECT pg_temp.unchanged();
-- choice: a value that is not valid for the parameter's type (converted
-- as a quoted literal would be, when the definition is checked)
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "choice", "values": [1, "two", 3]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE made = $1'],
    '[{"type": "choice", "values": ["2024-02-01", "the day after"]}]');
SELECT pg_temp.unchanged();
-- text without a length, with no characters; unique with a bad "as", a
-- start for text, a prefix for integers; constant without a value
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'], '[{"type": "text"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'], '[{"type": "text", "length": 3, "characters": ""}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'], '[{"type": "unique", "as": "uuid"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'], '[{"type": "unique", "start": 5}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "unique", "as": "integer", "prefix": "p"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'], '[{"type": "constant"}]');
SELECT pg_temp.unchanged();
-- column: prefixes of a column that is not text, half a prefix range, an
-- empty one, a distinct that is not a boolean; page without a size
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id", "prefix_length_min": 1, "prefix_length_max": 2}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "name", "prefix_length_min": 2}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE name = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "name", "prefix_length_min": 3, "prefix_length_max": 2}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products WHERE status = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "status", "distinct": "yes"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.products LIMIT 5 OFFSET $1'], '[{"type": "page", "table": "wl_shop.products"}]');
SELECT pg_temp.unchanged();

-- result generators: of a statement that does not come before the one
-- using it, of one that does not exist, of a column it does not return;
-- one used by its own statement; without a column
SELECT loadtest_define_operation('wl_bad', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $1',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $2'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "result", "statement": 2, "column": "product_id"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $1',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $2'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "result", "statement": 3, "column": "product_id"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $1',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $2'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "result", "statement": 1, "column": "name"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $2',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $1'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "result", "statement": 1, "column": "product_id"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $1',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $2'],
    '[{"type": "int", "min": 1, "max": 3}, {"type": "result", "statement": 1}]');
SELECT pg_temp.unchanged();

-- =====================================================================
-- Operations: names, kinds, variants
-- =====================================================================
SELECT loadtest_define_operation('Wl_bad', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('1wl', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('wl-bad', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation(repeat('w', 64), 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation(NULL, 'read', ARRAY['SELECT 1']);
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('single_operation', 'read', ARRAY['SELECT 1']);
SELECT pg_temp.unchanged();
-- a built-in's name, with or without replace
SELECT loadtest_define_operation('read_member_list', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('read_member_list', 'read', ARRAY['SELECT 1'], replace => true);
SELECT pg_temp.unchanged();
-- the name of a pattern (built-in or not)
SELECT loadtest_define_operation('mixed', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('distributed', 'read', ARRAY['SELECT 1'], replace => true);
SELECT pg_temp.unchanged();
-- kinds
SELECT loadtest_define_operation('wl_bad', 'READ', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('wl_bad', 'lookup', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('wl_bad', NULL, ARRAY['SELECT 1']);
SELECT pg_temp.unchanged();
-- variants: an unknown key, both statements and variants, both params and
-- variants, an empty list, no statements, no params, no positive weight,
-- a bad generator or a write in one of them
SELECT loadtest_define_operation('wl_bad', 'read', NULL,
    variants => '[{"weight": 1, "statements": ["SELECT 1"], "params": [], "comment": "x"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['SELECT 1'],
    variants => '[{"weight": 1, "statements": ["SELECT 1"], "params": []}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL, '[{"type": "int", "min": 1, "max": 2}]',
    variants => '[{"weight": 1, "statements": ["SELECT 1"], "params": []}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"weight": 1, "params": []}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"weight": 1, "statements": ["SELECT 1"]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL,
    variants => '[{"weight": 0, "statements": ["SELECT 1"], "params": []}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL,
    variants => '[{"weight": 1, "statements": ["SELECT 1"], "params": []},
                  {"weight": 1, "statements": ["SELECT * FROM wl_shop.products WHERE product_id = $1"],
                   "params": [{"type": "int", "min": 1, "max": 2, "mode": "fast"}]}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bad', 'read', NULL,
    variants => '[{"weight": 1, "statements": ["SELECT 1"], "params": []},
                  {"weight": 1, "statements": ["DELETE FROM wl_shop.events WHERE event_id = $1"],
                   "params": [{"type": "int", "min": 1, "max": 2}]}]');
SELECT pg_temp.unchanged();

-- =====================================================================
-- Valid definitions, then what they may not collide with
-- =====================================================================
SELECT loadtest_define_operation('wl_lookup', 'read',
    ARRAY['SELECT product_id, name FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"}]',
    description => 'a product by id');
SELECT loadtest_define_operation('wl_by_status', 'read', NULL,
    variants => '[{"weight": 3, "statements": ["SELECT count(*) FROM wl_shop.products WHERE status = $1"],
                   "params": [{"type": "column", "table": "wl_shop.products", "column": "status", "distinct": true}]},
                  {"weight": 1, "statements": ["SELECT product_id FROM wl_shop.products WHERE name LIKE $1 || ''%''"],
                   "params": [{"type": "column", "table": "wl_shop.products", "column": "name",
                               "prefix_length_min": 2, "prefix_length_max": 4}]}]');
SELECT loadtest_define_operation('wl_rename', 'write',
    ARRAY['SELECT product_id FROM wl_shop.products WHERE product_id = $1',
          'UPDATE wl_shop.products SET name = name WHERE product_id = $2'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"},
      {"type": "result", "statement": 1, "column": "product_id"}]');
SELECT loadtest_define_pattern('wl_browse', weights => '{"wl_lookup": 3, "wl_by_status": 1}');
SELECT loadtest_define_pattern('wl_edit', weights => '{"wl_rename": 1, "wl_lookup": 1}');
SELECT loadtest_define_pattern('wl_both', mix => '{"wl_browse": 1, "wl_edit": 1}');
SELECT operation, kind, statements IS NULL AS by_variants, jsonb_array_length(coalesce(variants, '[]')) AS variants,
       builtin, owner = current_user AS own
  FROM loadtest.operations WHERE NOT builtin ORDER BY operation;
SELECT pattern, weights, mix, builtin, owner = current_user AS own
  FROM loadtest.patterns WHERE NOT builtin ORDER BY pattern;
SELECT pg_temp.keep();
-- an existing name without replace
SELECT loadtest_define_operation('wl_lookup', 'read', ARRAY['SELECT 1']);
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_browse', weights => '{"wl_lookup": 1}');
SELECT pg_temp.unchanged();
-- an operation's name for a pattern and a pattern's for an operation
SELECT loadtest_define_pattern('wl_lookup', weights => '{"wl_lookup": 1}');
SELECT loadtest_define_pattern('wl_lookup', weights => '{"wl_lookup": 1}', replace => true);
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_browse', 'read', ARRAY['SELECT 1']);
SELECT loadtest_define_operation('wl_browse', 'read', ARRAY['SELECT 1'], replace => true);
SELECT pg_temp.unchanged();

-- =====================================================================
-- Patterns
-- =====================================================================
SELECT loadtest_define_pattern('wl_bad', weights => '{"wl_nothing": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '{"wl_lookup": -1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '{"wl_lookup": 0, "wl_rename": 0}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '{"wl_lookup": "1"}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '{}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '["wl_lookup"]');
SELECT pg_temp.unchanged();
-- a mix of unknown patterns, of an operation, of a mix, of itself
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_nothing": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_lookup": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_browse": 1, "distributed": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_both": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_bad": 1}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_browse": 0}');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', mix => '{"wl_browse": 1, "wl_edit": -1}');
SELECT pg_temp.unchanged();
-- neither weights nor mix; both
SELECT loadtest_define_pattern('wl_bad');
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_bad', weights => '{"wl_lookup": 1}', mix => '{"wl_browse": 1}');
SELECT pg_temp.unchanged();
-- names
SELECT loadtest_define_pattern('Wl_bad', weights => '{"wl_lookup": 1}');
SELECT loadtest_define_pattern('single_operation', weights => '{"wl_lookup": 1}');
SELECT loadtest_define_pattern('mixed', weights => '{"wl_lookup": 1}');
SELECT loadtest_define_pattern('mixed', weights => '{"wl_lookup": 1}', replace => true);
SELECT loadtest_define_pattern(NULL, weights => '{"wl_lookup": 1}');
SELECT pg_temp.unchanged();

-- =====================================================================
-- Drops
-- =====================================================================
SELECT loadtest_drop_operation('wl_nothing');
SELECT loadtest_drop_pattern('wl_nothing');
SELECT loadtest_drop_operation(NULL);
SELECT pg_temp.unchanged();
-- built-ins
SELECT loadtest_drop_operation('read_member_list');
SELECT loadtest_drop_pattern('distributed');
SELECT loadtest_drop_pattern('read_heavy');
SELECT pg_temp.unchanged();
-- a pattern's name to drop_operation, an operation's to drop_pattern
SELECT loadtest_drop_operation('wl_browse');
SELECT loadtest_drop_pattern('wl_lookup');
SELECT pg_temp.unchanged();
-- an operation that patterns use, a pattern that a mix uses
SELECT loadtest_drop_operation('wl_lookup');
SELECT loadtest_drop_pattern('wl_browse');
SELECT pg_temp.unchanged();
-- in the right order, they go
SELECT loadtest_drop_pattern('wl_both');
SELECT loadtest_drop_pattern('wl_edit');
SELECT loadtest_drop_operation('wl_rename');
SELECT pattern FROM loadtest.patterns WHERE NOT builtin ORDER BY pattern;
SELECT operation FROM loadtest.operations WHERE NOT builtin ORDER BY operation;
SELECT pg_temp.keep();

-- =====================================================================
-- Definitions belong to the role that made them
-- =====================================================================
CREATE ROLE loadtest_cat_alice;
CREATE ROLE loadtest_cat_bob;
SELECT loadtest_grant_operator('loadtest_cat_alice');
SELECT loadtest_grant_operator('loadtest_cat_bob');
GRANT USAGE ON SCHEMA wl_shop TO loadtest_cat_alice, loadtest_cat_bob;
GRANT SELECT ON wl_shop.products TO loadtest_cat_alice;
SET ROLE loadtest_cat_alice;
SELECT loadtest_define_operation('wl_alice_op', 'read',
    ARRAY['SELECT name FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"}]');
SELECT loadtest_define_pattern('wl_alice_pattern', weights => '{"wl_alice_op": 1}');
RESET ROLE;
SELECT operation, CASE WHEN owner = session_user THEN '(the superuser)' ELSE owner END AS owner
  FROM loadtest.operations WHERE NOT builtin ORDER BY operation;
SELECT pattern, CASE WHEN owner = session_user THEN '(the superuser)' ELSE owner END AS owner
  FROM loadtest.patterns WHERE NOT builtin ORDER BY pattern;
SELECT pg_temp.keep();
SET ROLE loadtest_cat_bob;
-- bob may not replace or drop alice's definitions
SELECT loadtest_define_operation('wl_alice_op', 'read', ARRAY['SELECT 1'], replace => true);
SELECT pg_temp.unchanged();
SELECT loadtest_define_pattern('wl_alice_pattern', weights => '{"wl_lookup": 1}', replace => true);
SELECT pg_temp.unchanged();
SELECT loadtest_drop_pattern('wl_alice_pattern');
SELECT pg_temp.unchanged();
SELECT loadtest_drop_operation('wl_alice_op');
SELECT pg_temp.unchanged();
-- without replace, the name is taken
SELECT loadtest_define_operation('wl_alice_op', 'read', ARRAY['SELECT 1']);
SELECT pg_temp.unchanged();
-- bob may not read wl_shop.products: he can neither draw from it nor read it
SELECT loadtest_define_operation('wl_bob_op', 'read', ARRAY['SELECT 1 WHERE $1 > 0'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bob_op', 'read', ARRAY['SELECT 1 WHERE $1 > 0'],
    '[{"type": "page", "table": "wl_shop.products", "size": 10}]');
SELECT pg_temp.unchanged();
SELECT loadtest_define_operation('wl_bob_op', 'read',
    ARRAY['SELECT name FROM wl_shop.products WHERE product_id = $1'], '[{"type": "int", "min": 1, "max": 3}]');
SELECT pg_temp.unchanged();
-- nor preview it
SELECT * FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "product_id"}', 3, 1);
-- but he may use alice's operation in a pattern of his own, and drop that
SELECT loadtest_define_pattern('wl_bob_pattern', weights => '{"wl_alice_op": 1}');
SELECT pattern, CASE WHEN owner = session_user THEN '(the superuser)' ELSE owner END AS owner
  FROM loadtest.patterns WHERE NOT builtin ORDER BY pattern;
SELECT loadtest_drop_pattern('wl_bob_pattern');
RESET ROLE;
SELECT pg_temp.unchanged();
-- alice drops her own
SET ROLE loadtest_cat_alice;
SELECT loadtest_define_operation('wl_alice_op', 'read',
    ARRAY['SELECT name, status FROM wl_shop.products WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"}]', replace => true);
SELECT statements FROM loadtest.operations WHERE operation = 'wl_alice_op';
SELECT loadtest_drop_pattern('wl_alice_pattern');
SELECT loadtest_drop_operation('wl_alice_op');
RESET ROLE;
SELECT count(*) AS left_by_alice_and_bob FROM loadtest.operations
 WHERE owner IN ('loadtest_cat_alice', 'loadtest_cat_bob');
SELECT count(*) AS left_by_alice_and_bob FROM loadtest.patterns
 WHERE owner IN ('loadtest_cat_alice', 'loadtest_cat_bob');
-- an operator cannot write the catalogue directly
SET ROLE loadtest_cat_bob;
INSERT INTO loadtest.operations (operation, kind, statements, params) VALUES ('wl_direct', 'read', '{"SELECT 1"}', '[]');
UPDATE loadtest.operations SET description = 'mine' WHERE operation = 'read_member_list';
DELETE FROM loadtest.patterns WHERE pattern = 'wl_browse';
RESET ROLE;
SELECT pg_temp.keep();
SELECT loadtest_revoke_operator('loadtest_cat_alice');
SELECT loadtest_revoke_operator('loadtest_cat_bob');
REVOKE ALL ON SCHEMA wl_shop FROM loadtest_cat_alice, loadtest_cat_bob;
REVOKE ALL ON wl_shop.products FROM loadtest_cat_alice;
DROP ROLE loadtest_cat_alice, loadtest_cat_bob;

-- =====================================================================
-- Generators, drawn many times (loadtest_preview_generator, fixed seeds)
-- =====================================================================
-- the preview's own refusals
SELECT * FROM loadtest_preview_generator('{"type": "result", "statement": 1, "column": "x"}', 3, 1);
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": 1}', 3, 1);
SELECT * FROM loadtest_preview_generator('[{"type": "int", "min": 1, "max": 2}]', 3, 1);
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 2}', -1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 2}', 1000001, 1);
SELECT * FROM loadtest_preview_generator(NULL, 3, 1);
SELECT count(*) AS default_draws FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 2}');
-- the same seed draws the same values
SELECT (SELECT array_agg(v) FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1000000}', 100, 7) v)
     = (SELECT array_agg(v) FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1000000}', 100, 7) v)
       AS same_seed_same_values,
       (SELECT array_agg(v) FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1000000}', 100, 7) v)
     <> (SELECT array_agg(v) FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1000000}', 100, 8) v)
       AS other_seed_other_values;

-- int, uniform: each of 10 values about 10%, both ends reached, nothing
-- outside (1 point of tolerance: 10 standard deviations of 100000 draws)
SELECT count(*) AS values, min(v) AS min, max(v) AS max,
       bool_and(abs(n / 100000.0 - 0.1) <= 0.01) AS shares_near_10_percent
  FROM (SELECT v::int AS v, count(*) AS n
          FROM loadtest_preview_generator('{"type": "int", "min": -3, "max": 6}', 100000, 11) v
         GROUP BY 1) d;
-- a range as wide as bigint's
SELECT bool_and(v::numeric BETWEEN -9000000000000000000 AND 9000000000000000000) AS within,
       count(DISTINCT v) = 1000 AS all_different
  FROM loadtest_preview_generator('{"type": "int", "min": -9000000000000000000, "max": 9000000000000000000}', 1000, 11) v;
-- int, zipf with skew 1.5 over 101..110: 101 the most frequent, its share
-- 1/H(10, 1.5) within a point, the counts decreasing, nothing outside
WITH d AS (SELECT v::int - 100 AS k, count(*) AS n
             FROM loadtest_preview_generator('{"type": "int", "min": 101, "max": 110, "distribution": "zipf", "skew": 1.5}',
                                             100000, 12) v
            GROUP BY 1),
     h AS (SELECT sum(power(k, -1.5)) AS harmonic FROM generate_series(1, 10) k)
SELECT count(*) AS values, min(k) + 100 AS min, max(k) + 100 AS max,
       abs((SELECT n FROM d WHERE k = 1) / 100000.0 - 1 / harmonic) <= 0.01 AS first_share_near_theory,
       abs((SELECT n FROM d WHERE k = 2)::numeric / (SELECT n FROM d WHERE k = 1) - power(2, -1.5)) <= 0.02
           AS second_to_first_near_theory,
       (SELECT bool_and(n < prev) FROM (SELECT n, lag(n) OVER (ORDER BY k) AS prev FROM d) x
         WHERE prev IS NOT NULL) AS decreasing
  FROM d, h GROUP BY harmonic;
-- int, log_uniform over 1..1000000: within the range, the median near the
-- geometric mean (1000), about as many draws below 1000 as above
SELECT min(v::int) >= 1 AND max(v::int) <= 1000000 AS within,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY v::int) BETWEEN 900 AND 1100 AS median_near_1000,
       abs(avg((v::int < 1000)::int) - 0.5) <= 0.01 AS half_below_1000,
       abs(avg((v::int < 10)::int) - 1.0 / 6) <= 0.01 AS sixth_below_10
  FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1000000, "distribution": "log_uniform"}', 100000, 13) v;
-- float in [2, 4): the range, the mean, a quarter below 2.5
SELECT min(v::float8) >= 2 AND max(v::float8) < 4 AS within,
       abs(avg(v::float8) - 3) <= 0.01 AS mean_near_3,
       abs(avg((v::float8 < 2.5)::int) - 0.25) <= 0.01 AS quarter_below_2_5
  FROM loadtest_preview_generator('{"type": "float", "min": 2, "max": 4}', 100000, 14) v;
-- choice with weights 3:1:1:0, a null among the values
SELECT coalesce(v, '(null)') AS value, abs(count(*) / 100000.0 - w.share) <= 0.01 AS share_near_weight
  FROM loadtest_preview_generator('{"type": "choice", "values": ["a", "b", null, 7], "weights": [3, 1, 1, 0]}', 100000, 15) v
  LEFT JOIN (VALUES ('a', 0.6), ('b', 0.2), (NULL, 0.2), ('7', 0.0)) w(value, share) ON w.value IS NOT DISTINCT FROM v
 GROUP BY v, w.share ORDER BY v;
-- choice without weights: uniform
SELECT count(*) AS values, bool_and(abs(n / 100000.0 - 0.25) <= 0.01) AS shares_near_25_percent
  FROM (SELECT v, count(*) AS n
          FROM loadtest_preview_generator('{"type": "choice", "values": ["x", 2, true, 4.5]}', 100000, 16) v
         GROUP BY v) d;
SELECT DISTINCT v FROM loadtest_preview_generator('{"type": "choice", "values": ["x", 2, true, 4.5]}', 100, 16) v ORDER BY v;
-- text: its length in characters, only the given characters (multibyte
-- ones too), its prefix and suffix, every character drawn about as often
SELECT bool_and(char_length(v) = 12) AS length_12,
       bool_and(v ~ '^p-[xyzé]{8}-s$') AS only_the_characters,
       count(DISTINCT v) > 9000 AS varied
  FROM loadtest_preview_generator('{"type": "text", "length": 8, "prefix": "p-", "suffix": "-s", "characters": "xyzé"}', 10000, 17) v;
SELECT count(*) AS characters, bool_and(abs(n / 80000.0 - 0.25) <= 0.01) AS shares_near_25_percent
  FROM (SELECT c, count(*) AS n
          FROM loadtest_preview_generator('{"type": "text", "length": 8, "prefix": "p-", "suffix": "-s", "characters": "xyzé"}', 10000, 17) v,
               regexp_split_to_table(substr(v, 3, 8), '') AS c
         GROUP BY c) d;
SELECT bool_and(v ~ '^[a-z]{5}$') AS default_characters_a_to_z, count(DISTINCT v) > 990 AS varied
  FROM loadtest_preview_generator('{"type": "text", "length": 5}', 1000, 18) v;
SELECT count(*) AS draws, bool_and(v = '') AS empty
  FROM loadtest_preview_generator('{"type": "text", "length": 0}', 10, 18) v;
-- unique: never repeated in 100000 draws; as text (prefix, run id 0 in a
-- preview, a counter, suffix) and as integers from start
SELECT count(*) AS draws, count(DISTINCT v) AS distinct_values, bool_and(v ~ '^a0-[0-9]+b$') AS form
  FROM loadtest_preview_generator('{"type": "unique", "prefix": "a", "suffix": "b"}', 100000, 19) v;
SELECT count(*) AS draws, count(DISTINCT v) AS distinct_values, min(v::bigint), max(v::bigint)
  FROM loadtest_preview_generator('{"type": "unique", "as": "integer", "start": 100}', 100000, 19) v;
SELECT v FROM loadtest_preview_generator('{"type": "unique"}', 3, 19) v;
-- constant, constant null
SELECT v, count(*) FROM loadtest_preview_generator('{"type": "constant", "value": 42}', 1000, 20) v GROUP BY v;
SELECT v IS NULL AS is_null, count(*) FROM loadtest_preview_generator('{"type": "constant", "value": null}', 10, 20) v GROUP BY 1;
-- now: a timestamptz of the clock (not of the transaction)
SELECT bool_and(v::timestamptz BETWEEN statement_timestamp() AND clock_timestamp()) AS clock_time,
       pg_typeof(min(v::timestamptz)) AS type
  FROM loadtest_preview_generator('{"type": "now"}', 100, 21) v;
-- column: only values of rows that exist (the table has holes), every row
-- about as often (100000 draws of 200 rows: 500 each)
SELECT count(*) AS draws,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM wl_shop.products p WHERE p.product_id = v::int)) AS not_in_table,
       count(*) FILTER (WHERE v::int % 3 = 0) AS deleted_ids,
       count(DISTINCT v) AS distinct_values
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "product_id"}', 100000, 22) v;
SELECT min(n) >= 400 AND max(n) <= 600 AS every_row_about_as_often
  FROM (SELECT v, count(*) AS n
          FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "product_id"}', 100000, 22) v
         GROUP BY v) d;
-- column of dates: the column's type, values of the table
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM wl_shop.products p WHERE p.made = v::date)) AS not_in_table
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "made"}', 1000, 22) v;
-- column of statuses: by row (90% active), and distinct (each a third)
SELECT v AS status, round(count(*) / 100000.0, 2) AS share_by_row,
       abs(count(*) / 100000.0 - (SELECT count(*) FROM wl_shop.products p WHERE p.status = v) / 200.0) <= 0.005
           AS share_near_the_tables
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "status"}', 100000, 23) v
 GROUP BY v ORDER BY v;
SELECT v AS status, abs(count(*) / 100000.0 - 1.0 / 3) <= 0.01 AS distinct_share_near_a_third
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "status", "distinct": true}', 100000, 23) v
 GROUP BY v ORDER BY v;
-- prefixes of 2 to 4 characters (multibyte names): each length about a
-- third, each a prefix of a name that exists
SELECT char_length(v) AS length, abs(count(*) / 30000.0 - 1.0 / 3) <= 0.015 AS share_near_a_third,
       bool_and(EXISTS (SELECT 1 FROM wl_shop.products p WHERE starts_with(p.name, v))) AS prefixes_of_names
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "name",
                                    "prefix_length_min": 2, "prefix_length_max": 4}', 30000, 24) v
 GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE v ~ '^[éç]') > 0 AS multibyte_prefixes_drawn
  FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "name",
                                    "prefix_length_min": 2, "prefix_length_max": 4}', 30000, 24) v;
-- page offsets: 200 rows, 25 a page: 8 pages, offsets 0..175 by 25, the
-- first page the most frequent (a share of (1/8)^(1/3) = 0.5)
SELECT count(DISTINCT v) AS offsets, min(v::int), max(v::int),
       bool_and(v::int % 25 = 0) AS multiples_of_25,
       abs(avg((v::int = 0)::int) - 0.5) <= 0.01 AS first_page_half
  FROM loadtest_preview_generator('{"type": "page", "table": "wl_shop.products", "size": 25}', 100000, 25) v;
-- max_pages bounds the offsets: at most 3 pages of 10
SELECT count(DISTINCT v) AS offsets, min(v::int), max(v::int), bool_and(v::int % 10 = 0) AS multiples_of_10
  FROM loadtest_preview_generator('{"type": "page", "table": "wl_shop.products", "size": 10, "max_pages": 3}', 100000, 25) v;
-- a page larger than the table: always the first
SELECT count(DISTINCT v) AS offsets, min(v) FROM loadtest_preview_generator('{"type": "page", "table": "wl_shop.products", "size": 1000}', 100, 25) v;
-- an empty table cannot be drawn from
SELECT * FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.events", "column": "event_id"}', 3, 1);

-- =====================================================================
-- Sharing users among patterns
-- =====================================================================
-- distributed at 50 users: 25, 12, 10, 3 (the tie of 12.5 and 2.5 goes to
-- the smaller share)
SELECT * FROM loadtest_pattern_distribution(50);
SELECT sum(users) AS users FROM loadtest_pattern_distribution(50);
-- a defined mix of 3 patterns, 5:3:2
SELECT loadtest_define_operation('wl_rename', 'write',
    ARRAY['UPDATE wl_shop.products SET name = name WHERE product_id = $1'],
    '[{"type": "column", "table": "wl_shop.products", "column": "product_id"}]');
SELECT loadtest_define_pattern('wl_edit', weights => '{"wl_rename": 1}');
SELECT loadtest_define_pattern('wl_mostly_edit', weights => '{"wl_rename": 9, "wl_lookup": 1}');
SELECT loadtest_define_pattern('wl_mix', mix => '{"wl_browse": 5, "wl_edit": 3, "wl_mostly_edit": 2}');
SELECT * FROM loadtest_pattern_distribution(10, 'wl_mix');
SELECT * FROM loadtest_pattern_distribution(7, 'wl_mix');
SELECT * FROM loadtest_pattern_distribution(1, 'wl_mix');
-- at every count from 1 to 200 the users add up exactly, and each pattern
-- has the floor or the ceiling of its exact share
SELECT count(*) AS counts,
       count(*) FILTER (WHERE total <> n) AS sums_not_exact,
       count(*) FILTER (WHERE NOT fair) AS shares_not_fair
  FROM (SELECT n, sum(d.users) AS total,
               bool_and(d.users IN (floor(n * s.share / 10.0), ceil(n * s.share / 10.0))) AS fair
          FROM generate_series(1, 200) AS n,
               LATERAL loadtest_pattern_distribution(n, 'wl_mix') d
               JOIN (VALUES ('wl_browse', 5), ('wl_edit', 3), ('wl_mostly_edit', 2)) s(pattern, share)
                 USING (pattern)
         GROUP BY n) x;
-- one defined operation on its own
SELECT * FROM loadtest_pattern_distribution(3, 'wl_lookup');
SELECT * FROM loadtest_pattern_distribution(3, 'wl_nothing');

-- =====================================================================
-- A run of a defined operation on the user schema
-- =====================================================================
-- unique ids and codes across 4 users: no unique violation in a table
-- with UNIQUE constraints; products drawn from the rows that exist
SELECT loadtest_define_operation('wl_record_event', 'write',
    ARRAY['INSERT INTO wl_shop.events (event_id, code, product_id) VALUES ($1, $2, $3) RETURNING event_id'],
    '[{"type": "unique", "as": "integer", "start": 1000},
      {"type": "unique", "prefix": "ev-"},
      {"type": "column", "table": "wl_shop.products", "column": "product_id"}]',
    description => 'record an event of a product');
SELECT loadtest_run(users => 4, ops => 30, pattern => 'wl_record_event',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT status, pattern, users, ops_per_user FROM loadtest.runs WHERE run_id = :run_id;
SELECT operation, pattern, count(*) AS samples, count(*) FILTER (WHERE success) AS successful,
       count(*) FILTER (WHERE sqlstate = '23505') AS unique_violations,
       count(DISTINCT user_no) AS users
  FROM loadtest.samples WHERE run_id = :run_id GROUP BY operation, pattern;
SELECT count(*) AS events, count(DISTINCT event_id) AS ids, count(DISTINCT code) AS codes,
       bool_and(code LIKE 'ev-' || :run_id || '-%') AS codes_of_the_run, min(event_id) >= 1000 AS ids_from_start,
       count(*) FILTER (WHERE product_id % 3 = 0) AS deleted_products
  FROM wl_shop.events;
SELECT operation_no, operation, kind, statements, params, variants, builtin, owner = current_user AS own, description
  FROM loadtest.run_operations WHERE run_id = :run_id;
SELECT pattern_no, pattern, weights, users FROM loadtest.run_patterns WHERE run_id = :run_id;
SELECT pattern, operation, count(*) AS users, sum(ops_done) AS ops_done
  FROM loadtest.run_users WHERE run_id = :run_id GROUP BY pattern, operation;
-- dropped and defined again otherwise: the run keeps what it ran
SELECT loadtest_drop_operation('wl_record_event');
SELECT loadtest_define_operation('wl_record_event', 'write',
    ARRAY['INSERT INTO wl_shop.events (event_id, code, product_id) VALUES ($1, $2, $3)'],
    '[{"type": "unique", "as": "integer", "start": 5000},
      {"type": "unique", "prefix": "new-"},
      {"type": "column", "table": "wl_shop.products", "column": "product_id"}]',
    description => 'the second definition');
SELECT statements, params ->> 1 AS code, description FROM loadtest.operations WHERE operation = 'wl_record_event';
SELECT statements, params ->> 1 AS code, description FROM loadtest.run_operations WHERE run_id = :run_id;
SELECT DISTINCT operation FROM loadtest.samples WHERE run_id = :run_id;
-- and its report shows the first definition's statement, not the second's
SELECT line FROM pg_catalog.regexp_split_to_table(loadtest_report(:run_id), E'\n') AS line
 WHERE line LIKE '%defined by%';
-- a run of the mix: each user runs the operations of its own pattern only
SELECT loadtest_run(users => 10, ops => 20, pattern => 'wl_mix',
                    think_time_ms => 0, ramp_up_s => 0) AS mix_run_id \gset
SELECT status FROM loadtest.runs WHERE run_id = :mix_run_id;
SELECT pattern_no, pattern, weights, users FROM loadtest.run_patterns WHERE run_id = :mix_run_id ORDER BY pattern_no;
SELECT operation_no, operation, kind FROM loadtest.run_operations WHERE run_id = :mix_run_id ORDER BY operation_no;
SELECT s.pattern, count(*) AS samples, count(*) FILTER (WHERE s.success) AS successful,
       bool_and(p.weights ? s.operation) AS own_operations_only
  FROM loadtest.samples s JOIN loadtest.run_patterns p USING (run_id, pattern)
 WHERE run_id = :mix_run_id GROUP BY s.pattern ORDER BY s.pattern;
SELECT pattern, count(*) AS users, sum(ops_done) AS ops_done
  FROM loadtest.run_users WHERE run_id = :mix_run_id GROUP BY pattern ORDER BY pattern;

-- a read operation runs in a read-only transaction: a function that writes
-- fails there (25006), and nothing is written
CREATE TABLE wl_shop.sink (x int);
CREATE FUNCTION wl_shop.write_it(int) RETURNS int LANGUAGE sql
    AS 'INSERT INTO wl_shop.sink VALUES ($1) RETURNING $1';
SELECT loadtest_define_operation('wl_sneaky', 'read',
    ARRAY['SELECT wl_shop.write_it($1)'], '[{"type": "int", "min": 1, "max": 5}]');
SELECT loadtest_run(users => 2, ops => 5, pattern => 'wl_sneaky',
                    think_time_ms => 0, ramp_up_s => 0) AS sneaky_run_id \gset
SELECT count(*) AS samples, count(*) FILTER (WHERE sqlstate = '25006') AS refused_writes
  FROM loadtest.samples WHERE run_id = :sneaky_run_id;
SELECT count(*) AS rows_written FROM wl_shop.sink;
DELETE FROM loadtest.runs WHERE run_id = :sneaky_run_id;
SELECT loadtest_drop_operation('wl_sneaky');

-- a pattern that a mix shares users with cannot become a mix itself
SELECT loadtest_define_pattern('wl_browse', mix => '{"wl_edit": 1}', replace => true);
SELECT pattern, weights IS NOT NULL AS has_weights FROM loadtest.patterns WHERE pattern = 'wl_browse';

-- what a hostile definition could do, refused before anything runs:
-- a zipf range too wide for its doubles (the rejection loop never ended),
-- a skew below pgbench's 1.001, ranges and weights that overflow
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": -9200000000000000000, "max": 9200000000000000000, "distribution": "zipf", "skew": 2}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 10, "distribution": "zipf", "skew": 1.000000001}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "float", "min": -1e308, "max": 1e308}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": 1, "max": 1e400}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "choice", "values": [1, 2], "weights": [1e308, 1e308]}', 1, 1);
SELECT loadtest_define_pattern('wl_inf', weights => '{"wl_lookup": 1e308, "wl_by_status": 1e308}');
SELECT loadtest_define_pattern('wl_inf', mix => '{"wl_browse": 1e308, "wl_edit": 1e308}');
-- distinct values of a type without equality
CREATE TABLE wl_shop.places (place_id int PRIMARY KEY, spot point);
INSERT INTO wl_shop.places VALUES (1, '(1,1)');
SELECT loadtest_define_operation('wl_bad', 'read',
    ARRAY['SELECT * FROM wl_shop.places WHERE spot ~= $1'],
    '[{"type": "column", "table": "wl_shop.places", "column": "spot", "distinct": true}]');
-- a choice value for a domain parameter is not read at definition: the
-- domain's CHECK (another role's code) does not run as the defining role;
-- a run checks it where the statement assigns the value
CREATE FUNCTION wl_shop.say(int) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'the CHECK of wl_shop.qty ran as %', current_user; RETURN $1 > 0; END $$;
CREATE DOMAIN wl_shop.qty AS int CHECK (wl_shop.say(VALUE));
CREATE TABLE wl_shop.stock (qty wl_shop.qty);
SELECT loadtest_define_operation('wl_stock', 'write',
    ARRAY['INSERT INTO wl_shop.stock VALUES ($1)'], '[{"type": "choice", "values": [-1, 2]}]');
SET client_min_messages = warning;
SELECT loadtest_run(users => 1, ops => 20, pattern => 'wl_stock',
                    think_time_ms => 0, ramp_up_s => 0) AS stock_run_id \gset
RESET client_min_messages;
SELECT count(*) AS samples, count(*) FILTER (WHERE success) + count(*) FILTER (WHERE sqlstate = '23514') AS inserted_or_refused,
       (SELECT count(*) FROM wl_shop.stock WHERE qty < 0) AS negative_rows
  FROM loadtest.samples WHERE run_id = :stock_run_id;
DELETE FROM loadtest.runs WHERE run_id = :stock_run_id;
SELECT loadtest_drop_operation('wl_stock');
-- the catalogue is checked as it is, not through an old snapshot
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT loadtest_define_operation('wl_rr', 'read', ARRAY['SELECT 1']);
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT loadtest_drop_pattern('wl_browse');
ROLLBACK;
SELECT count(*) AS wl_browse_kept FROM loadtest.patterns WHERE pattern = 'wl_browse';

-- values taken from an earlier statement's first row: text and integer,
-- each execution its own (they live until the operation ends)
CREATE TABLE wl_shop.echoes (v text);
CREATE TABLE wl_shop.counters (id int PRIMARY KEY, label text, n int DEFAULT 0);
INSERT INTO wl_shop.counters (id, label) SELECT g, 'label-' || g FROM generate_series(1, 5) g;
SELECT loadtest_define_operation('wl_echo', 'write',
    ARRAY['SELECT ''hello''::text AS v', 'INSERT INTO wl_shop.echoes (v) VALUES ($1)'],
    '[{"type": "result", "statement": 1, "column": "v"}]');
SELECT loadtest_define_operation('wl_count', 'write',
    ARRAY['SELECT label FROM wl_shop.counters WHERE id = $1',
          'UPDATE wl_shop.counters SET n = n + 1 WHERE label = $2'],
    '[{"type": "int", "min": 1, "max": 5}, {"type": "result", "statement": 1, "column": "label"}]');
SET client_min_messages = warning;
SELECT loadtest_run(users => 2, ops => 100, pattern => 'wl_echo',
                    think_time_ms => 0, ramp_up_s => 0) AS echo_run_id \gset
SELECT loadtest_run(users => 2, ops => 250, pattern => 'wl_count',
                    think_time_ms => 0, ramp_up_s => 0) AS count_run_id \gset
RESET client_min_messages;
SELECT count(*) AS rows, count(*) FILTER (WHERE v = 'hello') AS hello FROM wl_shop.echoes;
SELECT sum(n) AS increments FROM wl_shop.counters;
SELECT count(*) FILTER (WHERE success) AS successful FROM loadtest.samples
 WHERE run_id IN (:echo_run_id, :count_run_id);
DELETE FROM loadtest.runs WHERE run_id IN (:echo_run_id, :count_run_id);
SELECT loadtest_drop_operation('wl_echo');
SELECT loadtest_drop_operation('wl_count');

-- definitions belong to a role, not to its name: once the role is dropped,
-- a new role of that name (a superuser, here) neither owns nor vouches
-- for them
CREATE ROLE loadtest_cat_gone;
SELECT loadtest_grant_operator('loadtest_cat_gone');
SET ROLE loadtest_cat_gone;
SELECT loadtest_define_operation('wl_orphan', 'read', ARRAY['SELECT 1']);
RESET ROLE;
SELECT loadtest_revoke_operator('loadtest_cat_gone');
DROP ROLE loadtest_cat_gone;
CREATE ROLE loadtest_cat_gone SUPERUSER;
SELECT loadtest_run(users => 1, ops => 1, pattern => 'wl_orphan');
SELECT owner, owner_id::pg_catalog.text = owner AS owner_id_is_a_role
  FROM loadtest.operations WHERE operation = 'wl_orphan';
SELECT loadtest_drop_operation('wl_orphan');
DROP ROLE loadtest_cat_gone;

-- more refusals of malformed definitions, each with its message
SELECT * FROM loadtest_preview_generator('{"type": "int", "min": "one", "max": 2}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "text", "length": 20000}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "text", "length": 3, "prefix": 7}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "constant", "value": [1, 2]}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "column", "column": "product_id"}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products"}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "float", "min": 1}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "result", "column": "x"}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "page", "table": "wl_shop.nowhere", "size": 10}', 1, 1);
SELECT * FROM loadtest_preview_generator('{"type": "column", "table": "wl_shop.products", "column": "nothing"}', 1, 1);
SELECT * FROM loadtest_preview_generator(('{"type": "choice", "values": [' ||
    (SELECT string_agg(g::text, ',') FROM generate_series(1, 10001) g) || ']}')::jsonb, 1, 1);
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['SELECT $1'],
    (SELECT jsonb_agg('{"type": "now"}'::jsonb) FROM generate_series(1, 101)));
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY[['SELECT 1'], ['SELECT 2']]);
SELECT loadtest_define_operation('wl_bad', 'read', (SELECT array_agg('SELECT 1'::text) FROM generate_series(1, 101)));
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['SELECT 1', '  ']);
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants =>
    (SELECT jsonb_agg('{"statements": ["SELECT 1"], "params": []}'::jsonb) FROM generate_series(1, 101)));
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[1]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"weight": "a", "statements": ["SELECT 1"], "params": []}]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"weight": -1, "statements": ["SELECT 1"], "params": []}]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"statements": "SELECT 1", "params": []}]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"statements": [1], "params": []}]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"statements": ["SELECT 1"], "params": {}}]');
SELECT loadtest_define_operation('wl_bad', 'read', NULL, variants => '[{"weight": 1e308, "statements": ["SELECT 1"], "params": []}, {"weight": 1e308, "statements": ["SELECT 2"], "params": []}]');
SELECT loadtest_define_operation('wl_bad', 'read', ARRAY['SELECT 1'], '[]', variants => '[{"statements": ["SELECT 1"], "params": []}]');
SELECT loadtest_define_pattern('wl_bad', weights => (SELECT jsonb_object_agg('op' || g, 1) FROM generate_series(1, 65) g));
SELECT loadtest_define_pattern('wl_bad', mix => (SELECT jsonb_object_agg('p' || g, 1) FROM generate_series(1, 33) g));
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT loadtest_define_pattern('wl_rr', weights => '{"wl_lookup": 1}');
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT loadtest_drop_operation('wl_lookup');
ROLLBACK;
SELECT count(*) AS defined_bad FROM loadtest.operations WHERE operation IN ('wl_bad', 'wl_rr');

-- =====================================================================
-- Clean up: the runs, the definitions, the schema
-- =====================================================================
DELETE FROM loadtest.runs WHERE run_id IN (:run_id, :mix_run_id);
SELECT loadtest_drop_pattern('wl_mix');
SELECT loadtest_drop_pattern('wl_browse');
SELECT loadtest_drop_pattern('wl_edit');
SELECT loadtest_drop_pattern('wl_mostly_edit');
SELECT loadtest_drop_operation('wl_record_event');
SELECT loadtest_drop_operation('wl_rename');
SELECT loadtest_drop_operation('wl_lookup');
SELECT loadtest_drop_operation('wl_by_status');
SELECT count(*) AS defined_operations FROM loadtest.operations WHERE NOT builtin;
SELECT count(*) AS defined_patterns FROM loadtest.patterns WHERE NOT builtin;
DROP SCHEMA wl_shop CASCADE;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';
