-- loadtest 1.2 -> 1.3: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that are replayed
-- (functions, procedures and views, all CREATE OR REPLACE, and the
-- built-in rows of the workload catalogue), then 1.2--1.3-after.sql, so
-- that the upgraded extension gets exactly the definitions of a fresh
-- install.
--
-- 1.3 keeps the workload as data: the enums loadtest.operation and
-- loadtest.pattern give way to the catalogue tables loadtest.operations
-- and loadtest.patterns, each run keeps a copy of what it ran
-- (loadtest.run_operations, loadtest.run_patterns), and the samples refer
-- to it by number (loadtest.sample_log; the view loadtest.samples shows
-- the names).  The runs recorded before the upgrade are migrated in
-- 1.2--1.3-after.sql, once the built-in rows are in.

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.3'" to load this file. \quit

-- The views of 1.2 read the tables and types that change: the replayed
-- 40_report.sql creates them again (and grants them).
DROP VIEW loadtest.run_summary, loadtest.operation_stats, loadtest.user_stats,
    loadtest.error_stats;

-- 1.2's table of the enum's operations (kind, area, description) gives
-- way to the catalogue.
DROP TABLE loadtest.operations;

CREATE TABLE loadtest.operations (
    operation   text PRIMARY KEY,          -- ^[a-z_][a-z0-9_]*$, < 64 bytes
    kind        text NOT NULL CHECK (kind IN ('read', 'write')),
    statements  text[],                    -- NULL when variants is set
    params      jsonb,                     -- generators of $1..$n; NULL when variants is set
    variants    jsonb,                     -- [{"weight": w, "statements": [...], "params": [...]}, ...]
    builtin     boolean NOT NULL DEFAULT false,
    owner       name NOT NULL DEFAULT current_user,
    owner_id    pg_catalog.regrole NOT NULL
                DEFAULT (current_user::pg_catalog.text)::pg_catalog.regrole,  -- who may change it; whose SQL it is
    description text,
    defined_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((statements IS NULL) = (variants IS NOT NULL)),
    CHECK ((params IS NULL) = (variants IS NOT NULL))
);
COMMENT ON TABLE loadtest.operations IS 'loadtest: the operations simulated users run (statements and parameter generators)';

CREATE TABLE loadtest.patterns (
    pattern     text PRIMARY KEY,
    weights     jsonb,                     -- {"operation": weight, ...}
    mix         jsonb,                     -- {"pattern": share, ...} of weights patterns
    builtin     boolean NOT NULL DEFAULT false,
    owner       name NOT NULL DEFAULT current_user,
    owner_id    pg_catalog.regrole NOT NULL
                DEFAULT (current_user::pg_catalog.text)::pg_catalog.regrole,  -- who may change it; whose SQL it is
    description text,
    defined_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((weights IS NULL) <> (mix IS NULL))
);
COMMENT ON TABLE loadtest.patterns IS 'loadtest: user patterns: the operation mix of a user (weights), or the sharing of users among patterns (mix)';

-- 1.2's samples: kept under another name until 1.2--1.3-after.sql has
-- copied them into sample_log (the view loadtest.samples takes the name).
ALTER TABLE loadtest.samples RENAME TO samples_1_2;

-- Patterns and operations of the users as text (the names of 1.2's enums).
ALTER TABLE loadtest.run_users
    ALTER COLUMN pattern TYPE text USING pattern::pg_catalog.text,
    ALTER COLUMN operation TYPE text USING operation::pg_catalog.text;

CREATE TABLE loadtest.run_operations (
    run_id       bigint REFERENCES loadtest.runs ON DELETE CASCADE,
    operation_no smallint,
    operation    text NOT NULL,
    kind         text NOT NULL,
    statements   text[],
    params       jsonb,
    variants     jsonb,
    builtin      boolean NOT NULL,
    owner        name NOT NULL,
    description  text,
    PRIMARY KEY (run_id, operation_no)
);
COMMENT ON TABLE loadtest.run_operations IS 'loadtest: the operations of each run, as defined when it started';

CREATE TABLE loadtest.run_patterns (
    run_id       bigint REFERENCES loadtest.runs ON DELETE CASCADE,
    pattern_no   smallint,
    pattern      text NOT NULL,
    weights      jsonb NOT NULL,
    users        integer NOT NULL,
    PRIMARY KEY (run_id, pattern_no)
);
COMMENT ON TABLE loadtest.run_patterns IS 'loadtest: the patterns of each run''s users (weights patterns, or single_operation), as defined when it started';

CREATE TABLE loadtest.sample_log (
    run_id       bigint NOT NULL,
    user_no      integer NOT NULL,
    op_no        integer NOT NULL,           -- 1.. within the user
    start_us     bigint NOT NULL,            -- start offset from the run's start
    latency_us   bigint NOT NULL,            -- the operation's transaction only
    wait_us      bigint NOT NULL,            -- due to started: pool wait, schedule lag
    pattern_no   smallint NOT NULL,          -- loadtest.run_patterns.pattern_no
    operation_no smallint NOT NULL,          -- loadtest.run_operations.operation_no
    tries        smallint NOT NULL DEFAULT 1, -- > 1: retried (loadtest.max_tries)
    success      boolean NOT NULL,
    sqlstate     text,                       -- NULL when successful
    message      text
);
COMMENT ON TABLE loadtest.sample_log IS 'loadtest: one row per attempted operation (pattern and operation by their numbers in the run; see the view loadtest.samples)';
-- autosummarize: autovacuum summarizes each block range as it fills, so
-- that a run's report does not read the pages of runs not yet summarized.
CREATE INDEX sample_log_run_id_brin ON loadtest.sample_log USING brin (run_id)
    WITH (autosummarize = on);

ALTER TABLE loadtest.run_operations ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_operations_of_own_runs ON loadtest.run_operations FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_operations.run_id));

ALTER TABLE loadtest.run_patterns ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_patterns_of_own_runs ON loadtest.run_patterns FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_patterns.run_id));

ALTER TABLE loadtest.sample_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY sample_log_of_own_runs ON loadtest.sample_log FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) sample_log.run_id));

GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('loadtest.operations', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('loadtest.patterns', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_operations', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_patterns', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.sample_log', '');
