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
-- loadtest 1.3: the built-in workload, rows of loadtest.operations and
-- loadtest.patterns (the tables are in 10_schema.sql): the operations and
-- patterns of the reference guide, which versions up to 1.2 had in C.
-- Replayable: upgrades replay this file, which brings the built-in rows to
-- this version's definitions (defined_at: when they were installed); a row
-- a role defined is never touched.
--
-- Parameters are drawn as 1.2 drew them: ids of rows that exist when the
-- run starts (loadtest.hot_rows applies), pages mostly near the start of a
-- list, values from small vocabularies, phone numbers of four random
-- digits, e-mail addresses, file names and storage keys unique in the run
-- (the unique values contain the run id).  The statements name every
-- object with its schema: they run with search_path = pg_catalog, pg_temp.

INSERT INTO loadtest.operations AS t (operation, kind, statements, params, variants, builtin, description) VALUES
('read_member_list', 'read',
 ARRAY[$sql$SELECT member_id, first_name, last_name, email, status FROM membership.members ORDER BY member_id LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.members", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 members ordered by id'),

('read_member_detail', 'read',
 ARRAY[$sql$SELECT member_id, first_name, last_name, email, phone, city, status, classification, join_date FROM membership.members WHERE member_id = $1$sql$,
       $sql$SELECT e.employment_id, e.title, e.status, e.is_current, e.start_date, e.end_date, o.organization_id, o.name FROM membership.member_employments e JOIN membership.organizations o ON o.organization_id = e.organization_id WHERE e.member_id = $1 ORDER BY e.is_current DESC, e.start_date DESC$sql$],
 '[{"type": "column", "table": "membership.members", "column": "member_id"}]',
 NULL, true,
 'one member, then its employments with their organizations'),

('search_members', 'read', NULL, NULL,
 $json$[
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE status = $1 ORDER BY member_id LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "status", "distinct": true}]},
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE classification = $1 ORDER BY member_id LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "classification", "distinct": true}]},
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE last_name OPERATOR(pg_catalog.~>=~) $1 AND last_name OPERATOR(pg_catalog.~<~) (pg_catalog.left($1, -1) OPERATOR(pg_catalog.||) pg_catalog.chr(pg_catalog.ascii(pg_catalog.right($1, 1)) OPERATOR(pg_catalog.+) 1)) ORDER BY last_name, first_name LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "last_name", "prefix_length_min": 2, "prefix_length_max": 4}]}
 ]$json$, true,
 'members by status, by classification or by last-name prefix'),

('list_organizations', 'read',
 ARRAY[$sql$SELECT organization_id, name, org_type, city FROM membership.organizations ORDER BY name LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.organizations", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 organizations ordered by name'),

('list_students', 'read',
 ARRAY[$sql$SELECT s.student_id, s.school, s.program, s.graduation_year, m.first_name, m.last_name FROM membership.students s JOIN membership.members m ON m.member_id = s.member_id ORDER BY s.student_id LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.students", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 students with their members'' names'),

('create_member', 'write',
 ARRAY[$sql$INSERT INTO membership.members (first_name, last_name, email, phone, city, status, classification, join_date) VALUES ($1, $2, $3, $4, $5, 'pending', $6, CURRENT_DATE) RETURNING member_id$sql$],
 $json$[
  {"type": "choice", "values": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Maria", "Ahmed", "Wei", "Sofia", "Lucas", "Amara"]},
  {"type": "choice", "values": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Nguyen", "Okafor", "Kowalski", "Tanaka"]},
  {"type": "unique", "prefix": "lt", "suffix": "@loadtest.example"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem", "Madison", "Georgetown"]},
  {"type": "choice", "values": ["regular", "associate", "student", "retired"]}
 ]$json$,
 NULL, true,
 'insert a member'),

('update_member', 'write',
 ARRAY[$sql$UPDATE membership.members SET phone = $2, city = $3, updated_at = pg_catalog.now() WHERE member_id = $1 RETURNING member_id$sql$,
       $sql$UPDATE membership.member_employments SET updated_at = pg_catalog.now() WHERE member_id = $4 AND is_current$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem", "Madison", "Georgetown"]},
  {"type": "result", "statement": 1, "column": "member_id"}
 ]$json$,
 NULL, true,
 'update a member''s phone and city, then touch its current employment'),

('create_employment', 'write',
 ARRAY[$sql$UPDATE membership.member_employments SET is_current = false, status = 'ended', end_date = CURRENT_DATE, updated_at = pg_catalog.now() WHERE member_id = $1 AND is_current$sql$,
       $sql$INSERT INTO membership.member_employments (member_id, organization_id, title, status, is_current, start_date) VALUES ($1, $2, $3, 'active', true, CURRENT_DATE)$sql$,
       $sql$UPDATE membership.members SET updated_at = pg_catalog.now() WHERE member_id = $1$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "column", "table": "membership.organizations", "column": "organization_id"},
  {"type": "choice", "values": ["Engineer", "Analyst", "Manager", "Nurse", "Teacher", "Consultant", "Technician", "Director", "Assistant", "Accountant"]}
 ]$json$,
 NULL, true,
 'end the current employment of a member, insert a new current one, then touch the member'),

('update_employment_status', 'write',
 ARRAY[$sql$UPDATE membership.member_employments SET status = $2, updated_at = pg_catalog.now() WHERE employment_id = $1$sql$],
 $json$[
  {"type": "column", "table": "membership.member_employments", "column": "employment_id"},
  {"type": "choice", "values": ["active", "on_leave", "probation", "ended"], "weights": [3, 1, 1, 1]}
 ]$json$,
 NULL, true,
 'change the status of an employment'),

('create_organization_contact', 'write',
 ARRAY[$sql$INSERT INTO membership.organization_contacts (organization_id, name, email, phone, role) VALUES ($1, $2 OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) $3, $4, $5, $6)$sql$],
 $json$[
  {"type": "column", "table": "membership.organizations", "column": "organization_id"},
  {"type": "choice", "values": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Maria", "Ahmed", "Wei", "Sofia", "Lucas", "Amara"]},
  {"type": "choice", "values": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Nguyen", "Okafor", "Kowalski", "Tanaka"]},
  {"type": "unique", "prefix": "contact", "suffix": "@loadtest.example"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["primary", "billing", "hr", "technical", "other"]}
 ]$json$,
 NULL, true,
 'insert a contact of an organization'),

('list_file_attachments', 'read',
 ARRAY[$sql$SELECT attachment_id, file_name, content_type, size_bytes, uploaded_at FROM membership.file_attachments WHERE member_id = $1 ORDER BY uploaded_at DESC LIMIT 50$sql$],
 '[{"type": "column", "table": "membership.members", "column": "member_id"}]',
 NULL, true,
 'the attachments of a member, newest first'),

-- $2 is "extension content-type", split in two; $1 is cast where it first
-- appears, so that a statement prepared without parameter types infers
-- bigint for it (its other use is in a concatenation)
('create_file_attachment', 'write',
 ARRAY[$sql$INSERT INTO membership.file_attachments (member_id, file_name, content_type, size_bytes, storage_key) VALUES ($1::pg_catalog.int8, 'document-' OPERATOR(pg_catalog.||) $3 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.split_part($2, ' ', 1), pg_catalog.split_part($2, ' ', 2), $4, 'loadtest/member-' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) $3)$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "choice",
   "values": ["pdf application/pdf", "png image/png", "jpg image/jpeg",
              "docx application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "xlsx application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "txt text/plain"],
   "weights": [2, 1, 1, 1, 1, 1]},
  {"type": "unique"},
  {"type": "int", "min": 1024, "max": 16777216, "distribution": "log_uniform"}
 ]$json$,
 NULL, true,
 'insert an attachment''s metadata'),

('read_file_metadata', 'read',
 ARRAY[$sql$SELECT attachment_id, member_id, file_name, content_type, size_bytes, storage_key, uploaded_at FROM membership.file_attachments WHERE attachment_id = $1$sql$],
 '[{"type": "column", "table": "membership.file_attachments", "column": "attachment_id"}]',
 NULL, true,
 'one attachment by primary key')
ON CONFLICT (operation) DO UPDATE
   SET kind = excluded.kind, statements = excluded.statements, params = excluded.params,
       variants = excluded.variants, description = excluded.description,
       defined_at = excluded.defined_at
 WHERE t.builtin;

-- The patterns of the reference guide (weights in percent, as in 1.2's
-- src/patterns.c), and "distributed", the default, which shares users
-- among them.
INSERT INTO loadtest.patterns AS t (pattern, weights, mix, builtin, description) VALUES
('read_heavy',
 '{"read_member_list": 25, "read_member_detail": 25, "search_members": 20, "list_organizations": 10, "list_students": 10,
   "create_member": 2, "update_member": 3, "create_employment": 2, "update_employment_status": 2, "create_organization_contact": 1}',
 NULL, true,
 'reporting and dashboard usage: 90% reads, 10% writes'),
('write_heavy',
 '{"read_member_list": 8, "read_member_detail": 10, "search_members": 8, "list_organizations": 2, "list_students": 2,
   "create_member": 15, "update_member": 20, "create_employment": 12, "update_employment_status": 15, "create_organization_contact": 8}',
 NULL, true,
 'data entry: 30% reads, 70% writes'),
('mixed',
 '{"read_member_list": 15, "read_member_detail": 18, "search_members": 15, "list_organizations": 6, "list_students": 6,
   "create_member": 8, "update_member": 12, "create_employment": 7, "update_employment_status": 8, "create_organization_contact": 5}',
 NULL, true,
 '60% reads, 40% writes'),
('file_operations',
 '{"list_file_attachments": 45, "create_file_attachment": 20, "read_file_metadata": 35}',
 NULL, true,
 'file attachment operations only: 80% reads, 20% writes'),
('distributed',
 NULL,
 '{"read_heavy": 50, "write_heavy": 20, "mixed": 25, "file_operations": 5}', true,
 'users shared among read_heavy (50%), write_heavy (20%), mixed (25%) and file_operations (5%); the default')
ON CONFLICT (pattern) DO UPDATE
   SET weights = excluded.weights, mix = excluded.mix, description = excluded.description,
       defined_at = excluded.defined_at
 WHERE t.builtin;
-- loadtest 1.3: the triggers that keep the result tables consistent.  No
-- sample outlives its run: loadtest.sample_log has no foreign key to
-- loadtest.runs (checking one per recorded sample cost more than the rest
-- of recording), so these delete or truncate a run's samples with it.
-- (run_users, run_operations and run_patterns have foreign keys: a DELETE
-- cascades to them, a TRUNCATE of runs needs CASCADE or to name them.)
-- Replaceable (CREATE OR REPLACE): upgrades replay this file.

-- A run's samples go with it (as ON DELETE CASCADE would).  Only the
-- results' owner deletes runs (loadtest_delete_runs() does it on a role's
-- behalf), so it runs with the deleting role's rights.  It cannot be used
-- for anything else: EXECUTE is revoked from PUBLIC (CREATE TRIGGER needs
-- it), it refuses to run for any other table or event, and deletes only
-- the samples of the runs the statement deleted (the transition table
-- shadows any relation of that name).
CREATE OR REPLACE FUNCTION loadtest.delete_samples_of_deleted_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'DELETE'
       OR TG_LEVEL OPERATOR(pg_catalog.<>) 'STATEMENT'
       OR TG_WHEN OPERATOR(pg_catalog.<>) 'AFTER' THEN
        RAISE EXCEPTION 'loadtest.delete_samples_of_deleted_runs() is the trigger of DELETE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM loadtest.sample_log s USING deleted_runs d
     WHERE s.run_id OPERATOR(pg_catalog.=) d.run_id;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.delete_samples_of_deleted_runs() FROM PUBLIC;

CREATE OR REPLACE TRIGGER delete_samples AFTER DELETE ON loadtest.runs
    REFERENCING OLD TABLE AS deleted_runs
    FOR EACH STATEMENT EXECUTE FUNCTION loadtest.delete_samples_of_deleted_runs();

-- TRUNCATE loadtest.runs (its owner's) takes the samples with it: no
-- sample outlives its run.  Run ids come from run_id_seq, which TRUNCATE
-- does not reset, so an id is never given out twice.  Runs with the
-- truncating role's rights (TRUNCATE on sample_log).
CREATE OR REPLACE FUNCTION loadtest.truncate_samples_of_truncated_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'loadtest.runs'::pg_catalog.regclass
       OR TG_OP OPERATOR(pg_catalog.<>) 'TRUNCATE' THEN
        RAISE EXCEPTION 'loadtest.truncate_samples_of_truncated_runs() is the trigger of TRUNCATE on loadtest.runs only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    BEGIN
        TRUNCATE loadtest.sample_log;
    EXCEPTION WHEN object_in_use THEN
        -- the same statement truncates sample_log too (TRUNCATE runs,
        -- sample_log), or a cursor of this session reads it: delete
        -- instead (nothing is left to delete in the first case)
        DELETE FROM loadtest.sample_log;
    END;
    RETURN NULL;
END;
$$;
REVOKE EXECUTE ON FUNCTION loadtest.truncate_samples_of_truncated_runs() FROM PUBLIC;

CREATE OR REPLACE TRIGGER truncate_samples AFTER TRUNCATE ON loadtest.runs
    FOR EACH STATEMENT EXECUTE FUNCTION loadtest.truncate_samples_of_truncated_runs();

-- Starting runs: loadtest_run() and the scenarios of the reference guide.

CREATE OR REPLACE FUNCTION loadtest_run(
    users integer DEFAULT 50,
    ops integer DEFAULT 50,
    pattern text DEFAULT 'distributed',
    think_time_ms integer DEFAULT 100,
    ramp_up_s double precision DEFAULT 10,
    force boolean DEFAULT false,
    pool_size integer DEFAULT NULL,
    duration interval DEFAULT NULL,
    rate double precision DEFAULT NULL,
    stages jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'loadtest_run'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_run IS
'run a load test: users simulated users each run ops operations (or for duration) of the given pattern, each on a worker of its own or sharing pool_size workers; returns the run id when done';

-- loadtest_run() for long runs: CALLed on its own (not inside a transaction
-- block), it commits its transaction once the run has started, so that the
-- session holds no snapshot, and so no xmin horizon, while it waits.
-- The one routine without SET search_path: a procedure with a SET clause
-- cannot commit.  It is C, and pins search_path itself for the only SQL it
-- runs in the caller's session (reading stages => ...).
CREATE OR REPLACE PROCEDURE loadtest_run_procedure(
    users integer DEFAULT 50,
    ops integer DEFAULT 50,
    pattern text DEFAULT 'distributed',
    think_time_ms integer DEFAULT 100,
    ramp_up_s double precision DEFAULT 10,
    force boolean DEFAULT false,
    pool_size integer DEFAULT NULL,
    duration interval DEFAULT NULL,
    rate double precision DEFAULT NULL,
    stages jsonb DEFAULT NULL,
    INOUT run_id bigint DEFAULT NULL)
AS 'MODULE_PATHNAME', 'loadtest_run_procedure'
LANGUAGE C;

COMMENT ON PROCEDURE loadtest_run_procedure IS
'loadtest_run() as a procedure: commits once the run has started, so that the session holds no snapshot during the run; returns the run id in run_id';

CREATE OR REPLACE FUNCTION loadtest_pattern_distribution(users integer, pattern text DEFAULT 'distributed',
    OUT pattern text, OUT users integer, OUT share double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'loadtest_pattern_distribution'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_pattern_distribution(integer, text) IS
'how a run of that many users would share them among patterns (largest remainder)';

CREATE OR REPLACE FUNCTION loadtest_free_worker_slots()
RETURNS integer
AS 'MODULE_PATHNAME', 'loadtest_free_worker_slots'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_free_worker_slots() IS
'background worker slots (max_worker_processes) not in use right now';

CREATE OR REPLACE FUNCTION loadtest_scenario(scenario text, force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s loadtest.scenarios;
BEGIN
    SELECT * INTO s FROM loadtest.scenarios AS sc WHERE sc.scenario = loadtest_scenario.scenario;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown load test scenario "%"', scenario
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known scenarios: ' ||
                         (SELECT string_agg(sc.scenario, ', ' ORDER BY sc.scenario)
                            FROM loadtest.scenarios AS sc) || '.';
    END IF;
    RETURN @extschema@.loadtest_run(users => s.users, ops => s.ops, pattern => s.pattern,
                                    think_time_ms => s.think_time_ms,
                                    ramp_up_s => s.ramp_up_s, force => force);
END;
$$;

COMMENT ON FUNCTION loadtest_scenario(text, boolean) IS
'run a named scenario of loadtest.scenarios, e.g. loadtest_scenario(''quick'')';

-- ---------------------------------------------------------------------------
-- The workload catalogue (1.3): defining operations and patterns
--
-- loadtest.operations and loadtest.patterns are written by these functions
-- alone, as the tables' owner: they check names (^[a-z_][a-z0-9_]*$,
-- shorter than 64 bytes; one namespace for operations and patterns;
-- single_operation is reserved), kinds, statements (prepared as the
-- calling role), generators (unknown keys are refused) and weights, and
-- record the calling role as owner.  A role replaces or drops only its own
-- definitions (a superuser any but the built-in ones).  A run
-- takes a copy of what it uses when it starts (loadtest.run_operations,
-- loadtest.run_patterns): defining or dropping changes no recorded run.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_define_operation(
    name text,
    kind text,
    statements text[],
    params jsonb DEFAULT '[]',
    description text DEFAULT NULL,
    replace boolean DEFAULT false,
    variants jsonb DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'loadtest_define_operation'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb) IS
'loadtest: defines the operation name of kind read or write: its statements, run in order in one transaction, and params, the generators of their parameters $1..$n (a JSON array); or, with statements NULL, variants [{"weight": w, "statements": [...], "params": [...]}, ...], one drawn by weight per call; replace => true redefines an operation of the caller''s';

CREATE OR REPLACE FUNCTION loadtest_define_pattern(
    name text,
    weights jsonb DEFAULT NULL,
    mix jsonb DEFAULT NULL,
    description text DEFAULT NULL,
    replace boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'loadtest_define_pattern'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_define_pattern(text, jsonb, jsonb, text, boolean) IS
'loadtest: defines the pattern name: either weights {"operation": weight, ...}, from which each operation of its users is drawn, or mix {"pattern": share, ...}, which shares a run''s users among weights patterns; replace => true redefines a pattern of the caller''s';

CREATE OR REPLACE FUNCTION loadtest_drop_operation(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'loadtest_drop_operation'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_drop_operation(text) IS
'loadtest: drops an operation the caller defined (the runs that used it keep their copy in loadtest.run_operations)';

CREATE OR REPLACE FUNCTION loadtest_drop_pattern(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'loadtest_drop_pattern'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_drop_pattern(text) IS
'loadtest: drops a pattern the caller defined (the runs that used it keep their copy in loadtest.run_patterns)';

-- Only roles that were granted it may start runs, or define and drop
-- operations and patterns (loadtest_grant_operator grants all of them).
REVOKE EXECUTE ON FUNCTION loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_define_pattern(text, jsonb, jsonb, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_drop_operation(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_drop_pattern(text) FROM PUBLIC;

-- Only roles that were granted it may start runs.
REVOKE EXECUTE ON FUNCTION loadtest_run FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE loadtest_run_procedure FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_scenario(text, boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION loadtest_preview_generator(generator jsonb, draws integer DEFAULT 10,
    seed bigint DEFAULT 1)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'loadtest_preview_generator'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) IS
'loadtest: draws values of one generator of an operation''s params (as text), without running anything; column and page generators read their table as the caller';
REVOKE EXECUTE ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) FROM PUBLIC;
-- loadtest 1.3: trust.  What may change the result tables, and how: the
-- runs that can no longer end, and the grants of the operator role.

-- ---------------------------------------------------------------------------
-- Stale runs
-- ---------------------------------------------------------------------------

-- SECURITY DEFINER: only the results' owner may change a run's row.  It
-- can do nothing but its purpose: mark as aborted the runs that can no
-- longer end (of any role: a run whose processes are gone is over for
-- everyone), with fixed statements on qualified objects.
CREATE OR REPLACE FUNCTION loadtest_mark_stale_runs()
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_restart integer;
    n_gone    integer := 0;
BEGIN
    UPDATE loadtest.runs
       SET status = 'aborted',
           message = 'the server restarted during the run'
     WHERE status = 'running'
       AND started_at < pg_catalog.pg_postmaster_start_time();
    GET DIAGNOSTICS n_restart = ROW_COUNT;

    IF EXISTS (SELECT 1 FROM loadtest.runs
                WHERE status = 'running' AND recorder_pid IS NOT NULL) THEN
        -- pg_stat_activity is a per-transaction snapshot: a recorder started
        -- after this transaction first looked at it would seem to be gone.
        PERFORM pg_catalog.pg_stat_clear_snapshot();
        UPDATE loadtest.runs
           SET status = 'aborted',
               message = 'the run''s recorder process is gone'
         WHERE status = 'running'
           AND recorder_pid IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                            WHERE a.pid = runs.recorder_pid);
        GET DIAGNOSTICS n_gone = ROW_COUNT;
    END IF;

    RETURN n_restart + n_gone;
END
$$;

COMMENT ON FUNCTION loadtest_mark_stale_runs() IS
'loadtest: marks as aborted the runs still ''running'' that started before the server did or whose recorder process is gone; returns how many it marked';


-- ---------------------------------------------------------------------------
-- Deleting runs
-- ---------------------------------------------------------------------------

-- The results' owner deletes the caller's runs among run_ids (any of them
-- for a superuser), with their samples and users; a run still going on is
-- refused.  Roles get no DELETE on loadtest.runs: in PostgreSQL 15 it would
-- also let them LOCK the table against every other role (see
-- src/delete_runs.c).
CREATE OR REPLACE FUNCTION loadtest_delete_runs(run_ids bigint[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'loadtest_delete_runs'
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_delete_runs(bigint[]) IS
'loadtest: deletes the caller''s runs among run_ids (a superuser''s: any), with their samples and users; returns how many';

REVOKE EXECUTE ON FUNCTION loadtest_delete_runs(bigint[]) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Operators: the roles that may start runs
-- ---------------------------------------------------------------------------

-- What an operator is granted, in one place: loadtest_grant_operator() and
-- loadtest_revoke_operator() read it, and docs/reference.md shows it.
-- Reading results needs nothing more (PUBLIC may read, row-level security
-- shows each role its own runs); writing them is the extension's alone.
CREATE OR REPLACE FUNCTION loadtest.operator_privileges(
    OUT privilege text, OUT object_type text, OUT object_name text, OUT why text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
VALUES
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)',
     'start runs'),
    ('EXECUTE', 'PROCEDURE', '@extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, bigint)',
     'start long runs'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_scenario(text, boolean)',
     'start the named scenarios'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_capacity(integer[], integer, text, integer, bigint[], integer, double precision)',
     'run the capacity model''s series of runs'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_delete_runs(bigint[])',
     'delete its own runs, and their samples with them'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)',
     'define (and redefine) its own operations'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_define_pattern(text, jsonb, jsonb, text, boolean)',
     'define (and redefine) its own patterns'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_drop_operation(text)',
     'drop its own operations'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_drop_pattern(text)',
     'drop its own patterns'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_preview_generator(jsonb, integer, bigint)',
     'preview the values of a generator (its tables read as the role)'),
    ('USAGE', 'SCHEMA', 'membership',
     'the simulated users work on the membership tables as the role'),
    ('SELECT, INSERT, UPDATE', 'ALL TABLES IN SCHEMA', 'membership',
     'what the operations read and write'),
    ('USAGE', 'ALL SEQUENCES IN SCHEMA', 'membership',
     'the ids of the rows the operations insert')
$$;

COMMENT ON FUNCTION loadtest.operator_privileges() IS
'loadtest: what loadtest_grant_operator() grants and loadtest_revoke_operator() revokes';

-- Run the GRANT (or REVOKE) statements of loadtest.operator_privileges()
-- for a role (internal), with the rights of its caller.
CREATE OR REPLACE FUNCTION loadtest.apply_operator_privileges(role regrole, revoke boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM loadtest.operator_privileges() LOOP
        EXECUTE pg_catalog.format(CASE WHEN revoke THEN 'REVOKE %s ON %s %s FROM %s'
                                       ELSE 'GRANT %s ON %s %s TO %s' END,
                                  p.privilege, p.object_type, p.object_name, role);
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.apply_operator_privileges(regrole, boolean) IS
'loadtest (internal): grants (or revokes) loadtest.operator_privileges() to (from) a role, with the caller''s rights';

-- Grant a role what it needs to start runs, and nothing more.  Runs with
-- the caller's rights: only a role that may grant these (the extension's
-- owner, a superuser) can.
CREATE OR REPLACE FUNCTION loadtest_grant_operator(role regrole)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
RETURN loadtest.apply_operator_privileges(role, false);

COMMENT ON FUNCTION loadtest_grant_operator(regrole) IS
'loadtest: grants a role what it needs to start runs (see loadtest.operator_privileges())';

CREATE OR REPLACE FUNCTION loadtest_revoke_operator(role regrole)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
RETURN loadtest.apply_operator_privileges(role, true);

COMMENT ON FUNCTION loadtest_revoke_operator(regrole) IS
'loadtest: revokes from a role what loadtest_grant_operator() granted';

REVOKE EXECUTE ON FUNCTION loadtest_grant_operator(regrole) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_revoke_operator(regrole) FROM PUBLIC;
-- loadtest 1.3: loadtest_seed(), which fills the membership schema with
-- realistic, skewed data for the simulated users to work on.
--
-- Set-based throughout: every table is one INSERT ... SELECT over
-- generate_series (or over the rows inserted before it).  Foreign keys and
-- secondary indexes are dropped for the bulk load and put back from their
-- own definitions afterwards, which is several times faster than checking
-- and maintaining them row by row.
--
-- Run by the owner of the tables (the usual case), the ids restart at 1 and
-- the dropping described above applies.  Any other role needs SELECT,
-- INSERT and TRUNCATE on the tables and USAGE on their sequences; it gets
-- the same data, loaded more slowly, with ids continuing from the sequences
-- and the tables left for autovacuum to analyze.  Either way each table's
-- ids are dense, so that the workers can draw them uniformly from
-- [min, max].

CREATE OR REPLACE FUNCTION loadtest_seed(members integer DEFAULT 10000)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $seed$
DECLARE
    -- Common last names, most frequent first (drawn with a Zipf-like skew).
    last_names text[] := ARRAY[
        'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller',
        'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez',
        'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
        'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark',
        'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
        'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green',
        'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
        'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz',
        'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris',
        'Murphy', 'Cook', 'Rogers'];
    -- Parts of rare, generated last names (about 5% of members).
    rare_heads text[] := ARRAY[
        'Ka', 'Lo', 'Mir', 'Dra', 'Vel', 'Os', 'Bran', 'Ti', 'Nor', 'Gal',
        'Zo', 'Fel', 'Mont', 'Quin', 'Ash', 'Bel', 'Cor', 'Hald', 'Ysel', 'Tor'];
    rare_middles text[] := ARRAY[
        'a', 'e', 'i', 'o', 'u', 'an', 'er', 'in', 'or', 'ov', 'el', 'ath',
        'ri', 'ven', 'ke'];
    rare_tails text[] := ARRAY[
        'wick', 'ham', 'berg', 'rin', 'ski', 'quist', 'sen', 'ley', 'dottir',
        'escu', 'opoulos', 'aki', 'ton', 'more', 'vic'];
    first_names text[] := ARRAY[
        'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael',
        'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan',
        'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
        'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty',
        'Anthony', 'Margaret', 'Mark', 'Sandra', 'Donald', 'Ashley', 'Steven',
        'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
        'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Dorothy', 'George',
        'Melissa', 'Timothy', 'Deborah', 'Ahmed', 'Priya', 'Wei', 'Sofia',
        'Luca', 'Yuki', 'Olga', 'Mateo', 'Fatima', 'Aisha', 'Noah', 'Emma'];
    -- Largest first (drawn with skew).
    cities text[] := ARRAY[
        'New York', 'Los Angeles', 'Chicago', 'Houston', 'Phoenix',
        'Philadelphia', 'San Antonio', 'San Diego', 'Dallas', 'Austin',
        'Jacksonville', 'San Jose', 'Fort Worth', 'Columbus', 'Charlotte',
        'Indianapolis', 'San Francisco', 'Seattle', 'Denver', 'Boston',
        'Nashville', 'Portland', 'Detroit', 'Memphis', 'Baltimore',
        'Milwaukee', 'Albuquerque', 'Tucson', 'Sacramento', 'Atlanta', 'Omaha',
        'Raleigh', 'Miami', 'Minneapolis', 'Cleveland', 'Pittsburgh',
        'Cincinnati', 'Madison', 'Boise', 'Burlington'];
    org_words text[] := ARRAY[
        'Acme', 'Global', 'United', 'Pacific', 'Northern', 'Summit', 'Pioneer',
        'Blue', 'Silver', 'Golden', 'Evergreen', 'Atlas', 'Apex', 'Cedar',
        'Harbor', 'Liberty', 'Metro', 'Prime', 'Redwood', 'River', 'Granite',
        'Horizon', 'Keystone', 'Lakeside', 'Maple', 'Oakridge', 'Pinnacle',
        'Sterling', 'Sunrise', 'Vertex', 'Westfield', 'Bright', 'Crescent',
        'Eastgate', 'Falcon', 'Ironwood'];
    company_words text[] := ARRAY[
        'Systems', 'Health', 'Logistics', 'Energy', 'Financial', 'Foods',
        'Software', 'Media', 'Analytics', 'Manufacturing', 'Consulting',
        'Engineering', 'Networks', 'Builders', 'Pharma', 'Labs', 'Retail',
        'Capital', 'Insurance', 'Transport', 'Robotics', 'Materials', 'Design',
        'Dynamics', 'Solutions', 'Technologies', 'Telecom', 'Aerospace'];
    company_suffixes text[] := ARRAY[
        'Inc.', 'LLC', 'Ltd.', 'Corp.', 'Group', 'Holdings', '& Co.',
        'Partners', 'International'];
    nonprofit_words text[] := ARRAY[
        'Community', 'Heritage', 'Family', 'Youth', 'Arts', 'Education',
        'Health', 'Environmental', 'Veterans', 'Literacy', 'Wildlife', 'Housing'];
    nonprofit_suffixes text[] := ARRAY[
        'Foundation', 'Association', 'Society', 'Alliance', 'Trust', 'Network'];
    government_words text[] := ARRAY[
        'Transportation', 'Revenue', 'Housing', 'Water', 'Public Works',
        'Planning', 'Licensing', 'Parks', 'Health', 'Labor'];
    government_suffixes text[] := ARRAY[
        'Agency', 'Authority', 'Commission', 'Bureau', 'Office', 'Department'];
    university_words text[] := ARRAY[
        'State', 'Technical', 'Polytechnic', 'Metropolitan', 'Valley',
        'Coastal', 'Central', 'Western', 'Southern', 'Community'];
    university_suffixes text[] := ARRAY[
        'University', 'College', 'Institute', 'Academy'];
    hospital_words text[] := ARRAY[
        'General', 'Memorial', 'Regional', 'Community', 'Children''s',
        'University', 'Mercy', 'Sacred Heart', 'Veterans', 'Methodist'];
    hospital_suffixes text[] := ARRAY[
        'Hospital', 'Medical Center', 'Clinic', 'Health System'];
    -- Most common first.
    titles text[] := ARRAY[
        'Analyst', 'Engineer', 'Manager', 'Sales Representative',
        'Administrator', 'Consultant', 'Accountant', 'Nurse', 'Teacher',
        'Senior Engineer', 'Coordinator', 'Specialist', 'Developer',
        'Technician', 'Project Manager', 'Designer', 'Assistant',
        'Researcher', 'Director', 'Physician', 'Professor', 'Clerk', 'Intern',
        'Vice President', 'Chief Financial Officer'];
    schools text[] := ARRAY[
        'State University', 'City College', 'Institute of Technology',
        'Community College', 'Polytechnic University', 'School of Nursing',
        'Business School', 'Law School', 'Medical School', 'Art Institute',
        'University of the West', 'Northern University', 'Coastal College',
        'Open University', 'Technical College'];
    programs text[] := ARRAY[
        'Business Administration', 'Computer Science', 'Nursing',
        'Psychology', 'Mechanical Engineering', 'Biology', 'Education',
        'Economics', 'Accounting', 'Law', 'Medicine', 'Graphic Design',
        'Data Science', 'Public Health', 'Architecture', 'Civil Engineering',
        'Political Science', 'Social Work'];

    norgs       integer;
    org_mult    bigint;
    org_shift   bigint;
    n_orgs      bigint;
    n_members   bigint;
    n_employ    bigint;
    n_contacts  bigint;
    n_students  bigint;
    n_files     bigint;
    tables      regclass[] := ARRAY['membership.organizations',
                                    'membership.members',
                                    'membership.member_employments',
                                    'membership.organization_contacts',
                                    'membership.students',
                                    'membership.file_attachments'];
    fk_drops    text[];
    fk_adds     text[];
    idx_drops   text[];
    idx_adds    text[];
    stmt        text;
    is_owner    boolean;
    members_seq regclass := pg_get_serial_sequence('membership.members', 'member_id');
BEGIN
    IF members IS NULL OR members < 1 OR members > 10000000 THEN
        RAISE EXCEPTION 'members must be between 1 and 10000000'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('loadtest_seed() was called with members = %s.',
                                  coalesce(members::text, 'NULL')),
                  HINT = 'Pass the number of members to seed, for example SELECT loadtest_seed(10000).';
    END IF;

    norgs := greatest(10, members / 20);
    org_mult := floor(norgs * 0.6180339887)::bigint;
    WHILE gcd(org_mult, norgs::bigint) <> 1 LOOP
        org_mult := org_mult + 1;
    END LOOP;
    org_shift := floor(random() * norgs)::bigint;

    -- Owning the tables and their sequences is what RESTART IDENTITY, DROP
    -- INDEX, ALTER TABLE and ANALYZE ask for.
    SELECT bool_and(pg_has_role(c.relowner, 'USAGE'))
      INTO is_owner
      FROM pg_class c
     WHERE c.oid = ANY (tables)
        OR c.oid IN (SELECT d.objid
                       FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass
                        AND d.refclassid = 'pg_class'::regclass
                        AND d.refobjid = ANY (tables)
                        AND d.deptype IN ('a', 'i'));

    -- Re-seeding replaces the data.
    IF is_owner THEN
        TRUNCATE membership.file_attachments,
                 membership.students,
                 membership.organization_contacts,
                 membership.member_employments,
                 membership.members,
                 membership.organizations
            RESTART IDENTITY;
    ELSE
        TRUNCATE membership.file_attachments,
                 membership.students,
                 membership.organization_contacts,
                 membership.member_employments,
                 membership.members,
                 membership.organizations;
    END IF;

    -- Bulk-load without the foreign keys and the secondary indexes (those
    -- not backing a constraint): checking or maintaining them row by row
    -- costs several times more than validating or building them once at
    -- the end.  Both are put back from their own definitions below, under
    -- the same names.
    SELECT array_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname)
                     ORDER BY k.oid),
           array_agg(format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname,
                            pg_get_constraintdef(k.oid))
                     ORDER BY k.oid)
      INTO fk_drops, fk_adds
      FROM pg_constraint k
     WHERE is_owner
       AND k.contype = 'f'
       AND k.conrelid = ANY (tables);

    SELECT array_agg(format('DROP INDEX %s', ic.oid::regclass) ORDER BY ic.oid),
           array_agg(pg_get_indexdef(ic.oid) ORDER BY ic.oid)
      INTO idx_drops, idx_adds
      FROM pg_index x
      JOIN pg_class ic ON ic.oid = x.indexrelid
     WHERE is_owner
       AND x.indrelid = ANY (tables)
       AND ic.reltablespace = 0
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ic.oid);

    FOREACH stmt IN ARRAY coalesce(fk_drops, '{}') || coalesce(idx_drops, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    INSERT INTO membership.organizations (name, org_type, city, created_at)
    SELECT CASE o.t
               WHEN 1 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || company_words[1 + floor(o.r2 * array_length(company_words, 1))::int] || ' '
                        || company_suffixes[1 + floor(o.r3 * array_length(company_suffixes, 1))::int]
               WHEN 2 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || nonprofit_words[1 + floor(o.r2 * array_length(nonprofit_words, 1))::int] || ' '
                        || nonprofit_suffixes[1 + floor(o.r3 * array_length(nonprofit_suffixes, 1))::int]
               WHEN 3 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || government_words[1 + floor(o.r2 * array_length(government_words, 1))::int] || ' '
                        || government_suffixes[1 + floor(o.r3 * array_length(government_suffixes, 1))::int]
               WHEN 4 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || university_words[1 + floor(o.r2 * array_length(university_words, 1))::int] || ' '
                        || university_suffixes[1 + floor(o.r3 * array_length(university_suffixes, 1))::int]
               ELSE        org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || hospital_words[1 + floor(o.r2 * array_length(hospital_words, 1))::int] || ' '
                        || hospital_suffixes[1 + floor(o.r3 * array_length(hospital_suffixes, 1))::int]
           END,
           (ARRAY['company', 'nonprofit', 'government', 'university', 'hospital'])[o.t],
           cities[1 + floor(array_length(cities, 1) * o.r4 ^ 2)::int],
           now() - o.r5 * interval '20 years'
      FROM (SELECT r.r1, r.r2, r.r3, r.r4, r.r5,
                   CASE WHEN r.rt < 0.60 THEN 1
                        WHEN r.rt < 0.75 THEN 2
                        WHEN r.rt < 0.85 THEN 3
                        WHEN r.rt < 0.93 THEN 4
                        ELSE 5 END AS t
              FROM (SELECT random() AS rt, random() AS r1, random() AS r2,
                           random() AS r3, random() AS r4, random() AS r5
                      FROM generate_series(1, norgs)
                    OFFSET 0) r) o;
    GET DIAGNOSTICS n_orgs = ROW_COUNT;

    -- Members.  The id is drawn here rather than by the column default so
    -- that the e-mail address can carry it, which makes it unique.
    INSERT INTO membership.members
           (member_id, first_name, last_name, email, phone, city, status,
            classification, join_date, birth_date, created_at, updated_at)
    SELECT m.g, m.first_name, m.last_name,
           lower(replace(m.first_name || '.' || m.last_name, ' ', '')) || m.g || '@example.org',
           m.phone, m.city, m.status, m.classification,
           m.join_date, m.birth_date,
           m.created_at,
           m.created_at + m.r_upd * extract(epoch FROM now() - m.created_at) * interval '1 second'
      FROM (SELECT d.*,
                   least(now(), d.join_date + interval '8 hours' + d.r_ct * interval '10 hours') AS created_at
              FROM (SELECT c.*,
                           CASE
                               WHEN c.status = 'pending'
                                   THEN current_date - floor(c.r_join * 90)::int
                               WHEN c.birth_date IS NULL
                                   THEN current_date - floor(7300 * c.r_join ^ 1.3)::int
                               ELSE least(current_date,
                                          greatest(c.birth_date + 6574,
                                                   current_date - floor(7300 * c.r_join ^ 1.3)::int))
                           END AS join_date
                      FROM (SELECT b.g, b.first_name, b.last_name, b.phone, b.city,
                                   b.status, b.classification, b.r_join, b.r_ct, b.r_upd,
                                   CASE WHEN b.r_nobirth < 0.02 THEN NULL
                                        ELSE current_date - floor(365.25 *
                                            CASE b.classification
                                                WHEN 'student' THEN 18 + 12 * b.r_age
                                                WHEN 'retired' THEN 60 + 30 * b.r_age
                                                ELSE 22 + 53 * b.r_age ^ 1.3
                                            END)::int
                                   END AS birth_date
                              FROM (SELECT r.g, r.r_join, r.r_ct, r.r_upd, r.r_age, r.r_nobirth,
                                           first_names[1 + floor(array_length(first_names, 1) * r.r_first ^ 1.5)::int] AS first_name,
                                           CASE WHEN r.r_rare < 0.05
                                                THEN rare_heads[1 + floor(r.r_l1 * array_length(rare_heads, 1))::int]
                                                     || rare_middles[1 + floor(r.r_l2 * array_length(rare_middles, 1))::int]
                                                     || rare_tails[1 + floor(r.r_l3 * array_length(rare_tails, 1))::int]
                                                ELSE last_names[1 + floor(array_length(last_names, 1) * r.r_l1 ^ 2)::int]
                                           END AS last_name,
                                           CASE WHEN r.r_phone < 0.05 THEN NULL
                                                ELSE '+1-' || (200 + floor(r.r_phone * 800)::int)
                                                     || '-555-' || lpad(floor(r.r_line * 10000)::int::text, 4, '0')
                                           END AS phone,
                                           cities[1 + floor(array_length(cities, 1) * r.r_city ^ 2)::int] AS city,
                                           CASE WHEN r.r_status < 0.70 THEN 'active'
                                                WHEN r.r_status < 0.82 THEN 'inactive'
                                                WHEN r.r_status < 0.90 THEN 'pending'
                                                WHEN r.r_status < 0.97 THEN 'lapsed'
                                                ELSE 'suspended' END AS status,
                                           CASE WHEN r.r_class < 0.50 THEN 'regular'
                                                WHEN r.r_class < 0.70 THEN 'associate'
                                                WHEN r.r_class < 0.82 THEN 'student'
                                                WHEN r.r_class < 0.92 THEN 'retired'
                                                WHEN r.r_class < 0.97 THEN 'life'
                                                ELSE 'honorary' END AS classification
                                      FROM (SELECT nextval(members_seq) AS g,
                                                   random() AS r_first, random() AS r_rare,
                                                   random() AS r_l1, random() AS r_l2, random() AS r_l3,
                                                   random() AS r_phone, random() AS r_line, random() AS r_city,
                                                   random() AS r_status, random() AS r_class,
                                                   random() AS r_age, random() AS r_nobirth,
                                                   random() AS r_join, random() AS r_ct, random() AS r_upd
                                              FROM generate_series(1, members)
                                            OFFSET 0) r
                                    OFFSET 0) b
                            OFFSET 0) c
                    OFFSET 0) d
            OFFSET 0) m;
    GET DIAGNOSTICS n_members = ROW_COUNT;

    -- Employments: 1 to 4 a member; the latest is the current one.  Slot j
    -- counts back from the current job (j = 0): it started 100..999 days
    -- before 1100 * j days ago and ended 0..99 days before the next one
    -- started.  Employers are drawn with a Zipf-like skew over ranks; rank r
    -- is the ((r * org_mult + org_shift) % norgs)-th organization by id, a
    -- permutation (org_mult is coprime with norgs) that scatters the big
    -- employers over the id range.
    INSERT INTO membership.member_employments
           (member_id, organization_id, title, status, is_current,
            start_date, end_date, updated_at)
    SELECT e.member_id,
           o.organization_id,
           titles[1 + floor(array_length(titles, 1) * e.r_title ^ 1.7)::int],
           CASE WHEN e.j = 0 THEN 'active' ELSE 'ended' END,
           e.j = 0,
           current_date - (e.j * 1100 + 100 + floor(e.r_start * 900)::int),
           CASE WHEN e.j = 0 THEN NULL
                ELSE current_date - (e.j * 1100 - 100 + floor(e.r_end * 100)::int) END,
           least(now(), CASE WHEN e.j = 0
                             THEN current_date - (e.j * 1100 + 100 + floor(e.r_start * 900)::int)
                             ELSE current_date - (e.j * 1100 - 100 + floor(e.r_end * 100)::int)
                        END + interval '9 hours' + e.r_end * interval '8 hours')
      FROM (SELECT k.member_id, k.n - s.seq AS j,
                   random() AS r_org, random() AS r_title,
                   random() AS r_start, random() AS r_end
              FROM (SELECT x.member_id,
                           CASE WHEN x.r < 0.38 THEN 1
                                WHEN x.r < 0.75 THEN 2
                                WHEN x.r < 0.92 THEN 3
                                ELSE 4 END AS n
                      FROM (SELECT member_id, random() AS r
                              FROM membership.members
                            OFFSET 0) x) k
              CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
            OFFSET 0) e
      JOIN (SELECT organization_id,
                   row_number() OVER (ORDER BY organization_id) - 1 AS pos
              FROM membership.organizations) o
        ON o.pos = (floor(norgs * e.r_org ^ 2.5)::bigint * org_mult + org_shift) % norgs;
    GET DIAGNOSTICS n_employ = ROW_COUNT;

    -- Contacts: 1 to 5 an organization, the first one the primary contact.
    INSERT INTO membership.organization_contacts
           (organization_id, name, email, phone, role, created_at)
    SELECT c.organization_id,
           c.first_name || ' ' || c.last_name,
           lower(c.first_name || '.' || c.last_name) || '@org' || c.organization_id || '.example.com',
           CASE WHEN c.r_phone < 0.10 THEN NULL
                ELSE '+1-' || (200 + floor(c.r_phone * 800)::int)
                     || '-555-' || lpad(floor(c.r_num * 10000)::int::text, 4, '0') END,
           CASE WHEN c.seq = 1 THEN 'primary'
                WHEN c.r_role < 0.30 THEN 'billing'
                WHEN c.r_role < 0.60 THEN 'hr'
                WHEN c.r_role < 0.85 THEN 'technical'
                ELSE 'other' END,
           c.created_at + c.r_ct * extract(epoch FROM now() - c.created_at) * interval '1 second'
      FROM (SELECT k.organization_id, k.created_at, s.seq,
                   first_names[1 + floor(random() * array_length(first_names, 1))::int] AS first_name,
                   last_names[1 + floor(array_length(last_names, 1) * random() ^ 2)::int] AS last_name,
                   random() AS r_phone, random() AS r_num, random() AS r_role, random() AS r_ct
              FROM (SELECT x.organization_id, x.created_at,
                           CASE WHEN x.r < 0.30 THEN 1
                                WHEN x.r < 0.60 THEN 2
                                WHEN x.r < 0.80 THEN 3
                                WHEN x.r < 0.92 THEN 4
                                ELSE 5 END AS n
                      FROM (SELECT organization_id, created_at, random() AS r
                              FROM membership.organizations
                            OFFSET 0) x) k
              CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
            OFFSET 0) c;
    GET DIAGNOSTICS n_contacts = ROW_COUNT;

    -- Students: every member classified 'student' and about 3% of the others.
    INSERT INTO membership.students
           (member_id, school, program, graduation_year, enrolled_at)
    SELECT s.member_id,
           schools[1 + floor(array_length(schools, 1) * s.r_school ^ 1.5)::int],
           programs[1 + floor(array_length(programs, 1) * s.r_program ^ 1.5)::int],
           extract(year FROM s.enrolled_at)::integer + 2 + floor(s.r_years * 4)::integer,
           s.enrolled_at
      FROM (SELECT member_id,
                   current_date - floor(random() * 1800)::int AS enrolled_at,
                   random() AS r_school, random() AS r_program, random() AS r_years
              FROM membership.members
             WHERE classification = 'student' OR random() < 0.03
            OFFSET 0) s;
    GET DIAGNOSTICS n_students = ROW_COUNT;

    -- File attachments: 0 to 5 a member (about 2 on average).  Sizes are
    -- log-normal (Box-Muller) around a median that depends on the type,
    -- clamped to 1 KB .. 50 MB.
    INSERT INTO membership.file_attachments
           (member_id, file_name, content_type, size_bytes, storage_key, uploaded_at)
    SELECT f.member_id,
           CASE f.t
               WHEN 1 THEN (ARRAY['resume', 'cv', 'certificate', 'invoice', 'contract',
                                  'transcript', 'membership_form', 'letter'])[1 + floor(f.r_name * 8)::int]
               WHEN 2 THEN (ARRAY['photo', 'id_card', 'badge_photo', 'scan'])[1 + floor(f.r_name * 4)::int]
               WHEN 3 THEN (ARRAY['photo', 'signature', 'screenshot', 'logo'])[1 + floor(f.r_name * 4)::int]
               WHEN 4 THEN (ARRAY['cover_letter', 'reference_letter', 'application', 'report'])[1 + floor(f.r_name * 4)::int]
               WHEN 5 THEN (ARRAY['dues', 'timesheet', 'expenses', 'budget'])[1 + floor(f.r_name * 4)::int]
               ELSE        (ARRAY['notes', 'readme', 'comments'])[1 + floor(f.r_name * 3)::int]
           END || '_' || f.member_id || '_' || f.seq || '.'
           || (ARRAY['pdf', 'jpeg', 'png', 'docx', 'xlsx', 'txt'])[f.t],
           (ARRAY['application/pdf', 'image/jpeg', 'image/png',
                  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
                  'text/plain'])[f.t],
           greatest(1024, least(52428800,
               round(exp((ARRAY[12.5, 13.5, 12.8, 11.5, 11.0, 9.0]::float8[])[f.t]
                         + 1.3 * sqrt(-2.0 * ln(1.0 - f.u1)) * cos(2.0 * pi() * f.u2)))))::bigint,
           'members/' || f.member_id || '/' || gen_random_uuid(),
           f.created_at + f.r_up * extract(epoch FROM now() - f.created_at) * interval '1 second'
      FROM (SELECT a.member_id, a.created_at, a.seq, a.r_name, a.u1, a.u2, a.r_up,
                   CASE WHEN a.r_type < 0.40 THEN 1
                        WHEN a.r_type < 0.60 THEN 2
                        WHEN a.r_type < 0.75 THEN 3
                        WHEN a.r_type < 0.87 THEN 4
                        WHEN a.r_type < 0.95 THEN 5
                        ELSE 6 END AS t
              FROM (SELECT k.member_id, k.created_at, s.seq,
                           random() AS r_type, random() AS r_name,
                           random() AS u1, random() AS u2, random() AS r_up
                      FROM (SELECT member_id, created_at,
                                   CASE WHEN r < 0.15 THEN 0
                                        WHEN r < 0.40 THEN 1
                                        WHEN r < 0.65 THEN 2
                                        WHEN r < 0.80 THEN 3
                                        WHEN r < 0.92 THEN 4
                                        ELSE 5 END AS n
                              FROM (SELECT member_id, created_at, random() AS r
                                      FROM membership.members
                                    OFFSET 0) x) k
                      CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
                    OFFSET 0) a
            OFFSET 0) f;
    GET DIAGNOSTICS n_files = ROW_COUNT;

    FOREACH stmt IN ARRAY coalesce(idx_adds, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    IF is_owner THEN
        ANALYZE membership.organizations, membership.members,
                membership.member_employments, membership.organization_contacts,
                membership.students, membership.file_attachments;
    END IF;

    -- Validates each foreign key with one join.
    FOREACH stmt IN ARRAY coalesce(fk_adds, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    RETURN format('seeded %s members, %s organizations, %s employments, '
                  '%s organization contacts, %s students, %s file attachments',
                  n_members, n_orgs, n_employ, n_contacts, n_students, n_files);
END
$seed$;

REVOKE EXECUTE ON FUNCTION loadtest_seed(integer) FROM PUBLIC;

COMMENT ON FUNCTION loadtest_seed(integer) IS
    'loadtest: replace the data of the membership schema by realistic, skewed data for the given number of members (1 .. 10,000,000)';
-- loadtest 1.3: the reporting layer.
--
--   loadtest.samples         the samples with their pattern and operation
--                            by name (loadtest.sample_log stores numbers)
--   loadtest.run_summary, loadtest.operation_stats, loadtest.user_stats,
--   loadtest.error_stats     views over the result tables, for users' own
--                            queries and for the report
--   loadtest_rate_response(), loadtest_rate_throughput(),
--   loadtest_rate_success()  the reference guide's rating tables
--   loadtest_capacity()      the reference guide's capacity estimate
--   loadtest_report()        the text report of a run
--
-- Units: latencies are stored in microseconds; the views give milliseconds
-- (double precision), durations in seconds, percentages as 0..100 (success_pct,
-- error_pct) and read_share as a fraction 0..1.
--
-- The views are security_invoker: they show what the caller may see of the
-- result tables (its own runs; see the row-level security policies).
--
-- Every view groups by run_id (or joins on it), so that "WHERE run_id = X"
-- is pushed down into the aggregation and only that run's samples are read
-- (through the BRIN index of sample_log on run_id).  The views that
-- aggregate samples read loadtest.sample_log, not loadtest.samples: they
-- group by the numbers of the operations and join the names of the run's
-- dozen operations afterwards, instead of looking up each sample's names.

-- ---------------------------------------------------------------------------
-- Views
--
-- A view's operators and functions are bound when it is created, under the
-- search_path of CREATE EXTENSION / ALTER EXTENSION UPDATE (the extension's
-- schema, after pg_catalog).  An operator of pg_catalog wins there only if
-- its argument types match exactly: so every operator below has operands of
-- exactly the types of one of pg_catalog's (float8 constants, casts; the
-- numbers of patterns and operations are smallint on both sides).  Sums
-- that could overflow bigint are taken in float8, and divisions that could
-- overflow float8 are guarded, so that the views return a row for any
-- content of the tables.
-- ---------------------------------------------------------------------------

-- The samples as 1.2 stored them (loadtest.samples was the table).  Outer
-- joins: a sample whose run has no such pattern or operation (rows written
-- by hand) shows NULL names rather than vanishing, and a query that does
-- not use the names reads sample_log alone (the joins are removed).
CREATE OR REPLACE VIEW loadtest.samples WITH (security_invoker = true) AS
SELECT sl.run_id,
       sl.user_no,
       sl.op_no,
       p.pattern,
       o.operation,
       sl.start_us,
       sl.latency_us,
       sl.wait_us,
       sl.success,
       sl.sqlstate,
       sl.message,
       sl.tries
  FROM loadtest.sample_log sl
  LEFT JOIN loadtest.run_patterns p
         ON p.run_id = sl.run_id AND p.pattern_no = sl.pattern_no
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = sl.run_id AND o.operation_no = sl.operation_no;

COMMENT ON VIEW loadtest.samples IS
'loadtest: one row per attempted operation, with its pattern and operation by name (loadtest.sample_log, which stores their numbers in the run, joined with loadtest.run_patterns and loadtest.run_operations)';

CREATE OR REPLACE VIEW loadtest.run_summary WITH (security_invoker = true) AS
SELECT r.run_id,
       r.status,
       r.pattern,
       r.users,
       r.ops_per_user,
       r.think_time_ms,
       r.ramp_up_s,
       r.started_at,
       r.ended_at,
       d.duration_s,
       coalesce(s.total_ops, 0::bigint) AS total_ops,
       coalesce(s.successful, 0::bigint) AS successful,
       coalesce(s.failed, 0::bigint) AS failed,
       100::float8 * s.successful::float8 / s.total_ops::float8 AS success_pct,
       CASE WHEN abs(d.duration_s) >= 1e-9::float8
            THEN s.total_ops::float8 / d.duration_s END AS throughput_ops_s,
       s.avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.pct_us[3] / 1000::float8 AS p99_ms,
       s.min_ms,
       s.max_ms,
       s.read_share,
       coalesce(s.retried_ops, 0::bigint) AS retried_ops,
       coalesce(s.retries, 0::bigint) AS retries,
       s.avg_wait_ms,
       s.p95_wait_ms,
       s.max_wait_ms,
       coalesce(s.late_starts, 0::bigint) AS late_starts
  FROM loadtest.runs r
  LEFT JOIN (
        SELECT sm.run_id,
               count(*) AS total_ops,
               count(*) FILTER (WHERE sm.success) AS successful,
               count(*) FILTER (WHERE NOT sm.success) AS failed,
               (max(sm.start_us::float8 + sm.latency_us::float8) - min(sm.start_us::float8))
                   / 1e6::float8 AS duration_s,
               avg(sm.latency_us::float8) / 1000::float8 AS avg_ms,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[])
                   WITHIN GROUP (ORDER BY sm.latency_us::float8) AS pct_us,
               min(sm.latency_us)::float8 / 1000::float8 AS min_ms,
               max(sm.latency_us)::float8 / 1000::float8 AS max_ms,
               count(*) FILTER (WHERE o.kind = 'read'::text)::float8 / count(*)::float8 AS read_share,
               count(*) FILTER (WHERE sm.tries > 1::smallint) AS retried_ops,
               sum(sm.tries::integer - 1) AS retries,
               avg(sm.wait_us::float8) / 1000::float8 AS avg_wait_ms,
               percentile_cont(0.95::float8) WITHIN GROUP (ORDER BY sm.wait_us::float8) / 1000::float8 AS p95_wait_ms,
               max(sm.wait_us)::float8 / 1000::float8 AS max_wait_ms,
               count(*) FILTER (WHERE sm.wait_us > 10000::bigint) AS late_starts
          FROM loadtest.sample_log sm
          LEFT JOIN loadtest.run_operations o
                 ON o.run_id = sm.run_id AND o.operation_no = sm.operation_no
         GROUP BY sm.run_id
       ) s ON s.run_id = r.run_id
  CROSS JOIN LATERAL (
        SELECT coalesce(nullif(s.duration_s, 0::float8), r.duration_s) AS duration_s
       ) d;

COMMENT ON VIEW loadtest.run_summary IS
'loadtest: one row per run with its overall figures: duration_s (first start to last end of the samples, else runs.duration_s), operations, success_pct (0..100), throughput_ops_s, response times in ms (percentile_cont), read_share (0..1, share of read operations), retried_ops and retries (loadtest.max_tries), and the wait of operations between when they were due and their start in ms (pool wait in a pooled run, schedule lag in a rate run), late_starts (operations that started more than 10 ms after they were due)';

CREATE OR REPLACE VIEW loadtest.operation_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       o.operation,
       o.kind,
       s.ops,
       s.avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.max_ms,
       s.errors,
       100::float8 * s.errors::float8 / s.ops::float8 AS error_pct
  FROM (SELECT sm.run_id,
               sm.operation_no,
               count(*) AS ops,
               avg(sm.latency_us::float8) / 1000::float8 AS avg_ms,
               percentile_cont(ARRAY[0.5, 0.95]::float8[])
                   WITHIN GROUP (ORDER BY sm.latency_us::float8) AS pct_us,
               max(sm.latency_us)::float8 / 1000::float8 AS max_ms,
               count(*) FILTER (WHERE NOT sm.success) AS errors
          FROM loadtest.sample_log sm
         GROUP BY sm.run_id, sm.operation_no
       ) s
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = s.run_id AND o.operation_no = s.operation_no;

COMMENT ON VIEW loadtest.operation_stats IS
'loadtest: per run and operation: operations, response times in ms (percentile_cont), errors and error_pct (0..100)';

CREATE OR REPLACE VIEW loadtest.user_stats WITH (security_invoker = true) AS
SELECT u.run_id,
       u.user_no,
       u.pattern,
       coalesce(s.ops, 0::bigint) AS ops,
       s.avg_ms,
       s.p95_ms,
       coalesce(s.errors, 0::bigint) AS errors,
       u.lost
  FROM loadtest.run_users u
  LEFT JOIN (
        SELECT sm.run_id,
               sm.user_no,
               count(*) AS ops,
               avg(sm.latency_us::float8) / 1000::float8 AS avg_ms,
               percentile_cont(0.95::float8) WITHIN GROUP (ORDER BY sm.latency_us::float8) / 1000::float8 AS p95_ms,
               count(*) FILTER (WHERE NOT sm.success) AS errors
          FROM loadtest.sample_log sm
         GROUP BY sm.run_id, sm.user_no
       ) s ON s.run_id = u.run_id AND s.user_no = u.user_no;

COMMENT ON VIEW loadtest.user_stats IS
'loadtest: per run and simulated user: pattern, operations, response times in ms, errors and whether the user was lost (users without samples have ops = 0)';

CREATE OR REPLACE VIEW loadtest.error_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       o.operation,
       s.sqlstate,
       s.message,
       s.count
  FROM (SELECT sm.run_id,
               sm.operation_no,
               sm.sqlstate,
               sm.message,
               count(*) AS count
          FROM loadtest.sample_log sm
         WHERE NOT sm.success
         GROUP BY sm.run_id, sm.operation_no, sm.sqlstate, sm.message
       ) s
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = s.run_id AND o.operation_no = s.operation_no;

COMMENT ON VIEW loadtest.error_stats IS
'loadtest: failed operations per run, operation, SQLSTATE and message';

-- ---------------------------------------------------------------------------
-- Ratings (the reference guide's "Interpreting Metrics" tables)
--
-- The bands follow the tables literally: "> 1000 poor", "< 20 poor" and
-- "< 90 poor" are strict, so a value on the edge of a middle band belongs to
-- that band:
--   response   avg_ms  < 100 excellent, < 500 good, <= 1000 fair, > 1000 poor
--              (100 -> good, 500 -> fair, 1000 -> fair)
--   throughput ops_s   > 100 high, >= 50 good, >= 20 fair, < 20 poor
--              (100 -> good, 50 -> good, 20 -> fair)
--   success    pct     > 99 excellent, >= 95 good, >= 90 fair, < 90 poor
--              (99 -> good, 95 -> good, 90 -> fair)
--
-- Their SQL-standard bodies are parsed when they are created, like views:
-- the constants are float8 so that pg_catalog's operators match exactly.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_rate_response(avg_ms double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN avg_ms < 100::float8 THEN 'excellent'
            WHEN avg_ms < 500::float8 THEN 'good'
            WHEN avg_ms <= 1000::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_response(double precision) IS
'loadtest: rates an average response time in ms: < 100 excellent, 100 to < 500 good, 500 to 1000 fair, > 1000 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_throughput(ops_s double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN ops_s > 100::float8 THEN 'high'
            WHEN ops_s >= 50::float8 THEN 'good'
            WHEN ops_s >= 20::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_throughput(double precision) IS
'loadtest: rates a throughput in operations per second: > 100 high, 50 to 100 good, 20 to < 50 fair, < 20 poor';

CREATE OR REPLACE FUNCTION loadtest_rate_success(pct double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN pct > 99::float8 THEN 'excellent'
            WHEN pct >= 95::float8 THEN 'good'
            WHEN pct >= 90::float8 THEN 'fair'
            ELSE 'poor' END;

COMMENT ON FUNCTION loadtest_rate_success(double precision) IS
'loadtest: rates a success rate in percent (0..100): > 99 excellent, 95 to 99 good, 90 to < 95 fair, < 90 poor';

-- ---------------------------------------------------------------------------
-- Formatting for the report (internal)
--
-- to_char() fills its mask with '#' when a number has more digits than the
-- mask: numbers of 1e14 and more, NaN and infinities are written otherwise.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.format_number(value double precision, fmt text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF value = 'NaN'::float8 THEN
        RETURN 'NaN';
    ELSIF value = 'Infinity'::float8 THEN
        RETURN 'Infinity';
    ELSIF value = '-Infinity'::float8 THEN
        RETURN '-Infinity';
    ELSIF fmt ~* 'EEEE' OR abs(value) < 1e14::float8 THEN
        RETURN to_char(value, fmt);
    ELSE
        RETURN btrim(to_char(value, '9.99EEEE'));
    END IF;
END
$$;

-- numeric (sums and counts of bigint, far within float8's exact range of
-- 2^53 where the report prints them to the unit) by the float8 form
CREATE OR REPLACE FUNCTION loadtest.format_number(value numeric, fmt text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN loadtest.format_number(value::double precision, fmt);

COMMENT ON FUNCTION loadtest.format_number(double precision, text) IS
'loadtest (internal): to_char(value, fmt) for the report, with NaN, infinities and numbers from 1e14 on written as such or in scientific notation instead of #';
COMMENT ON FUNCTION loadtest.format_number(numeric, text) IS
'loadtest (internal): to_char(value, fmt) for the report, with NaN, infinities and numbers from 1e14 on written as such or in scientific notation instead of #';

-- A text of the result tables on one line of at most max_chars characters:
-- runs of white space and control characters become one space.
CREATE OR REPLACE FUNCTION loadtest.one_line(value text, max_chars integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN length(value) > max_chars
            THEN left(regexp_replace(left(value, max_chars * 4), '[[:space:][:cntrl:]]+', ' ', 'g'),
                      max_chars - 3) || '...'
            ELSE regexp_replace(value, '[[:space:][:cntrl:]]+', ' ', 'g') END;

COMMENT ON FUNCTION loadtest.one_line(text, integer) IS
'loadtest (internal): value on one line (white space and control characters as single spaces), cut to max_chars characters';

-- A number of a run's stages (jsonb written by loadtest_run(), or by anyone
-- who can write loadtest.runs): NULL unless it is a JSON number that
-- double precision can hold.
CREATE OR REPLACE FUNCTION loadtest.jsonb_float8(value jsonb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN jsonb_typeof(value) = 'number'
            THEN CASE WHEN value::numeric = 0::numeric
                        OR abs(value::numeric) BETWEEN 1e-300::numeric AND 1e300::numeric
                      THEN value::numeric::float8 END END;

COMMENT ON FUNCTION loadtest.jsonb_float8(jsonb) IS
'loadtest (internal): a JSON number as double precision; NULL for anything else or a number out of its range';

-- ---------------------------------------------------------------------------
-- Capacity estimate (the reference guide's "Estimation Formula")
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_capacity(avg_ms double precision,
                                  users integer,
                                  target_ms double precision DEFAULT 500,
                                  target_users integer DEFAULT 4000)
RETURNS TABLE (capacity_users double precision,
               est_response_ms double precision,
               verdict text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- beyond e^700 a product would overflow double precision (e^709.78)
    c_ln_max constant double precision := 700;
    l        double precision;
BEGIN
    IF NOT (avg_ms > '-Infinity'::float8 AND avg_ms < 'Infinity'::float8) THEN  -- NaN sorts above all numbers
        RAISE EXCEPTION 'avg_ms must be a finite number, not %', avg_ms
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the average response time in ms of the run measured with users users.';
    END IF;
    IF users <= 0 THEN
        RAISE EXCEPTION 'users must be positive, not %', users
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of concurrent users that gave avg_ms.';
    END IF;
    IF target_users <= 0 THEN
        RAISE EXCEPTION 'target_users must be positive, not %', target_users
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of concurrent users to estimate for, e.g. 4000.';
    END IF;
    IF NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %', target_ms
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the target response time in ms, e.g. 500.';
    END IF;

    IF avg_ms <= 0 THEN
        -- no measurable response time: no limit from this model
        capacity_users := 'Infinity'::float8;
        est_response_ms := 0;
    ELSE
        -- Every factor is finite and positive: their logarithms tell whether
        -- a result overflows (then Infinity) or underflows (then 0) before
        -- double precision arithmetic raises an error.
        l := ln(target_ms) - ln(avg_ms) + ln(users::float8);
        IF l > c_ln_max THEN
            capacity_users := 'Infinity'::float8;
        ELSIF l < -c_ln_max THEN
            capacity_users := 0;
        ELSE
            capacity_users := target_ms / avg_ms * users;
        END IF;
        l := ln(avg_ms) + ln(target_users::float8) - ln(users::float8);
        IF l > c_ln_max THEN
            est_response_ms := 'Infinity'::float8;
        ELSIF l < -c_ln_max THEN
            est_response_ms := 0;
        ELSIF ln(avg_ms) + ln(target_users::float8) < c_ln_max THEN
            est_response_ms := avg_ms * target_users / users;
        ELSE
            est_response_ms := avg_ms * (target_users::float8 / users);
        END IF;
    END IF;

    -- (est - target <= target: 2 x target could overflow)
    verdict := CASE WHEN capacity_users >= target_users THEN 'ready'
                    WHEN est_response_ms - target_ms <= target_ms THEN 'degraded'
                    ELSE 'not ready' END;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest_capacity(double precision, integer, double precision, integer) IS
'loadtest: linear capacity model: capacity_users = target_ms / avg_ms * users, est_response_ms at target_users = avg_ms * target_users / users; verdict ready (capacity >= target_users), degraded (estimate <= 2 x target_ms) or not ready; avg_ms <= 0 gives capacity Infinity, results beyond the range of double precision are Infinity (or 0); avg_ms must be finite, users and target_users positive, target_ms finite and positive (else SQLSTATE 22023)';

-- ---------------------------------------------------------------------------
-- The report
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report(run_id bigint DEFAULT NULL,
                                target_ms double precision DEFAULT 500)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_avg_intended float8;
    v_pct_intended float8[];
    c_rule         constant text := repeat('=', 70);
    c_int          constant text := 'FM999G999G999G999G990';
    c_2d           constant text := 'FM999G999G999G999G990D00';
    c_1d           constant text := 'FM990D0';
    c_target_users constant integer := 4000;
    c_top_errors   constant integer := 10;

    v_run_id    bigint := loadtest_report.run_id;
    v_target_ms double precision := loadtest_report.target_ms;
    r           loadtest.runs;
    s           loadtest.run_summary;
    cap         record;
    rec         record;
    o           text[] := '{}';
    recs        text[] := '{}';
    v_rating    text;
    v_n         bigint;
    v_more      bigint;
    v_lock_errs bigint;
    v_othr_errs bigint;
    v_search_avg double precision;
    v_search_p95 double precision;
    v_missing   text[];
    v_target_txt text;
BEGIN
    IF v_target_ms IS NULL OR NOT (v_target_ms > 0 AND v_target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %',
                        coalesce(v_target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms that the scaling section holds the estimates to.',
                  HINT = 'Pass a number of milliseconds, e.g. loadtest_report(target_ms => 500).';
    END IF;

    -- (below 0.01, two decimals would show 0.00)
    v_target_txt := CASE WHEN v_target_ms < 0.01 THEN btrim(to_char(v_target_ms, '9.99EEEE'))
                         ELSE loadtest.format_number(v_target_ms, c_2d) END;

    -- Runs that can no longer end must not be reported as running.  Not being
    -- allowed to update runs (privileges, read-only transaction, standby) is
    -- no reason not to report.
    BEGIN
        PERFORM @extschema@.loadtest_mark_stale_runs();
    EXCEPTION WHEN insufficient_privilege OR read_only_sql_transaction THEN
        NULL;
    END;

    IF v_run_id IS NULL THEN
        SELECT max(x.run_id) INTO v_run_id FROM loadtest.runs x;
        IF v_run_id IS NULL THEN
            RAISE EXCEPTION 'there are no loadtest runs to report on'
                USING ERRCODE = 'no_data_found',
                      HINT = 'Start a load test with loadtest_run() first.';
        END IF;
    END IF;

    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = v_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM loadtest.runs ORDER BY run_id; lists the runs.';
    END IF;

    SELECT * INTO s FROM loadtest.run_summary x WHERE x.run_id = v_run_id;

    -- Header
    o := o || c_rule
           || format('LOAD TEST REPORT - run %s (%s)', r.run_id, r.status);
    IF r.status <> 'completed' THEN
        o := o || format('   status: %s, %s', r.status,
                         CASE WHEN r.status = 'running' THEN 'figures so far'
                              ELSE coalesce(loadtest.one_line(r.message, 200), 'figures may be partial') END);
    END IF;
    o := o || c_rule || ''::text;

    -- 1. Configuration
    o := o || 'Test Configuration:'::text
           || ('   Concurrent Users: ' || loadtest.format_number(r.users, c_int))
           || CASE WHEN r.duration_limit_s IS NOT NULL
                   THEN '   Run Length: ' || loadtest.format_number(r.duration_limit_s, c_2d) || 's (operations per user not fixed)'
                   ELSE '   Operations per User: ' || loadtest.format_number(r.ops_per_user, c_int) END
           || ('   Pattern: ' || loadtest.one_line(r.pattern, 100))
           || ('   Think Time: ' || loadtest.format_number(r.think_time_ms, c_int) || 'ms')
           || ('   Ramp-up Time: ' || r.ramp_up_s::text || 's')
           || ('   Test Duration: ' || coalesce(loadtest.format_number(s.duration_s, c_2d) || 's', 'n/a'))
           || ('   Environment: ' || loadtest.one_line(r.environment, 100))
           || ('   Workers: ' || loadtest.format_number(r.workers, c_int) || ', seed: ' || r.seed::text);
    IF r.rate IS NOT NULL THEN
        o := o || ('   Arrival Rate: ' || loadtest.format_number(r.rate, c_2d) || ' ops/sec (open model; think time not used)');
    END IF;
    IF r.pool_size IS NOT NULL THEN
        o := o || ('   Pool: ' || loadtest.format_number(r.pool_size, c_int) || ' workers shared by ' || loadtest.format_number(r.users, c_int) || ' users');
    END IF;
    IF r.op_timeout_ms > 0 THEN
        o := o || ('   Operation Timeout: ' || loadtest.format_number(r.op_timeout_ms, c_int) || 'ms');
    END IF;
    IF r.forced THEN
        o := o || '   Forced: yes'::text;
    END IF;
    IF r.isolation <> 'read committed' THEN
        o := o || ('   Isolation: ' || loadtest.one_line(r.isolation, 100));
    END IF;
    IF r.max_tries > 1 THEN
        o := o || ('   Max Tries: ' || r.max_tries::text || ' (serialization failures and deadlocks are retried)');
    END IF;
    IF r.hot_rows > 0 THEN
        o := o || ('   Hot Rows: ' || loadtest.format_number(r.hot_rows, c_int) || ' per table');
    END IF;
    o := o || ('   Database: ' || loadtest.one_line(r.database_name, 100))
           || ('   Role: ' || loadtest.one_line(r.role_name, 100))
           || ('   Server version: ' || loadtest.one_line(r.server_version, 100))
           || ('   Started: ' || r.started_at::text
               || coalesce(', ended: ' || r.ended_at::text, ''))
           || ''::text;

    -- 2. User patterns, in the order of the run's patterns
    o := o || 'User Pattern Distribution:'::text;
    v_n := 0;
    FOR rec IN
        SELECT u.pattern, u.operation, count(*) AS n,
               sum(count(*)) OVER () AS total,
               (SELECT min(p.pattern_no) FROM loadtest.run_patterns p
                 WHERE p.run_id = v_run_id AND p.pattern = u.pattern) AS pattern_no
          FROM loadtest.run_users u
         WHERE u.run_id = v_run_id
         GROUP BY u.pattern, u.operation
         ORDER BY pattern_no, u.pattern, u.operation
    LOOP
        o := o || format('   %s%s: %s %s (%s%%)',
                         loadtest.one_line(rec.pattern, 100),
                         CASE WHEN rec.operation IS NOT NULL
                              THEN ' (' || loadtest.one_line(rec.operation, 100) || ')' ELSE '' END,
                         loadtest.format_number(rec.n, c_int),
                         CASE WHEN rec.n = 1 THEN 'user' ELSE 'users' END,
                         loadtest.format_number(100.0 * rec.n / rec.total, c_1d));
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   no users recorded'::text;
    END IF;
    o := o || ''::text;

    -- 3. Overall results
    o := o || 'Overall Results:'::text
           || ('   Total Operations: ' || loadtest.format_number(s.total_ops, c_int))
           || ('   Successful: ' || loadtest.format_number(s.successful, c_int)
               || coalesce(' (' || loadtest.format_number(s.success_pct, c_2d) || '%)', ''))
           || ('   Failed: ' || loadtest.format_number(s.failed, c_int)
               || coalesce(' (' || loadtest.format_number(100 - s.success_pct, c_2d) || '%)', ''))
           || ('   Throughput: ' || coalesce(loadtest.format_number(s.throughput_ops_s, c_2d) || ' ops/sec', 'n/a'))
           || ('   Reads: ' || coalesce(loadtest.format_number(100 * s.read_share, c_2d) || '% of operations', 'n/a'));
    IF s.retries > 0 THEN
        o := o || format('   Retried: %s operations (%s retries); their latency covers every try',
                         loadtest.format_number(s.retried_ops, c_int), loadtest.format_number(s.retries, c_int));
    END IF;
    IF r.users_lost > 0 THEN
        o := o || format('   Users lost: %s (%s operations not done): user %s',
                         loadtest.format_number(r.users_lost, c_int), loadtest.format_number(r.ops_not_done, c_int),
                         (SELECT string_agg(u.user_no::text
                                            || coalesce(' (' || (u.ops_planned::bigint - u.ops_done::bigint)::text || ' not done)', ''),
                                            ', ' ORDER BY u.user_no)
                            FROM loadtest.run_users u
                           WHERE u.run_id = v_run_id AND u.lost));
    END IF;
    IF r.arrivals_dropped > 0 THEN
        o := o || format('   Arrivals dropped: %s (due before the end of the run, never started: the server did not keep up with the arrival rate)',
                         loadtest.format_number(r.arrivals_dropped, c_int));
    END IF;
    IF r.samples_lost > 0 THEN
        o := o || format('   Not recorded: %s attempted operations (their samples could not be written; the figures leave them out)',
                         loadtest.format_number(r.samples_lost, c_int));
    END IF;
    o := o || ''::text;

    -- 3b. Stages: the results of each stage of a staged run
    IF r.stages IS NOT NULL THEN
        o := o || 'Stages:'::text;
        -- Any jsonb: not an array, elements that are not objects, missing
        -- keys or strings for numbers give stages with empty fields.
        FOR rec IN
            SELECT st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s,
                   CASE WHEN abs(st.end_s) < 1e300::float8 AND abs(st.start_s) < 1e300::float8
                        THEN st.end_s - st.start_s END AS length_s,
                   count(sm.*) AS ops,
                   count(sm.*) FILTER (WHERE NOT sm.success) AS errors,
                   avg(sm.latency_us) / 1000 AS avg_ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY sm.latency_us) / 1000 AS p95_ms
              FROM (SELECT e.ord,
                           loadtest.jsonb_float8(e.v -> 'stage') AS stage,
                           loadtest.one_line(e.v ->> 'kind', 20) AS kind,
                           loadtest.jsonb_float8(e.v -> 'from') AS from_target,
                           loadtest.jsonb_float8(e.v -> 'to') AS to_target,
                           loadtest.jsonb_float8(e.v -> 'start_s') AS start_s,
                           loadtest.jsonb_float8(e.v -> 'end_s') AS end_s
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.stages) = 'array'
                                                     THEN r.stages ELSE '[]'::jsonb END)
                           WITH ORDINALITY AS e(v, ord)) st
                   LEFT JOIN loadtest.sample_log sm
                     ON sm.run_id = v_run_id
                    -- (seconds to microseconds: |s| < 1e300 cannot overflow)
                    AND sm.start_us >= CASE WHEN abs(st.start_s) < 1e300::float8
                                            THEN st.start_s * 1e6::float8 ELSE st.start_s END
                    AND sm.start_us < CASE WHEN abs(st.end_s) < 1e300::float8
                                           THEN st.end_s * 1e6::float8 ELSE st.end_s END
             GROUP BY st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s
             ORDER BY st.stage, st.ord
        LOOP
            o := o || format('   %s. %s %s -> %s over %ss: %s ops, %s ops/sec, avg %sms, p95 %sms, %s errors',
                             rec.stage,
                             CASE rec.kind WHEN 'rate' THEN 'rate (ops/sec)' ELSE 'users' END,
                             CASE WHEN abs(rec.from_target) < 1e14::float8 THEN rec.from_target::numeric::text
                                  ELSE loadtest.format_number(rec.from_target, c_2d) END,
                             CASE WHEN abs(rec.to_target) < 1e14::float8 THEN rec.to_target::numeric::text
                                  ELSE loadtest.format_number(rec.to_target, c_2d) END,
                             loadtest.format_number(rec.length_s, c_2d),
                             loadtest.format_number(rec.ops, c_int),
                             loadtest.format_number(CASE WHEN abs(rec.length_s) >= 1e-9::float8
                                                         THEN rec.ops / rec.length_s END, c_2d),
                             coalesce(loadtest.format_number(rec.avg_ms, c_2d), 'n/a'),
                             coalesce(loadtest.format_number(rec.p95_ms, c_2d), 'n/a'),
                             loadtest.format_number(rec.errors, c_int));
        END LOOP;
        o := o || ''::text;
    END IF;

    -- 4. Response times
    o := o || 'Response Times (ms):'::text
           || ('   Average: ' || coalesce(loadtest.format_number(s.avg_ms, c_2d) || 'ms', 'n/a'))
           || ('   Median: ' || coalesce(loadtest.format_number(s.median_ms, c_2d) || 'ms', 'n/a'))
           || ('   95th Percentile: ' || coalesce(loadtest.format_number(s.p95_ms, c_2d) || 'ms', 'n/a'))
           || ('   99th Percentile: ' || coalesce(loadtest.format_number(s.p99_ms, c_2d) || 'ms', 'n/a'))
           || ('   Min: ' || coalesce(loadtest.format_number(s.min_ms, c_2d) || 'ms', 'n/a'))
           || ('   Max: ' || coalesce(loadtest.format_number(s.max_ms, c_2d) || 'ms', 'n/a'));
    IF r.rate IS NOT NULL THEN
        -- open model: measured from the intended start, so that a stalled
        -- server cannot hide its stall (no coordinated omission)
        SELECT avg(sm.wait_us::float8 + sm.latency_us::float8) / 1000,
               percentile_cont(ARRAY[0.95, 0.99]) WITHIN GROUP (ORDER BY sm.wait_us::float8 + sm.latency_us::float8)
          INTO v_avg_intended, v_pct_intended
          FROM loadtest.sample_log sm WHERE sm.run_id = v_run_id;
        o := o || format('   From intended start (schedule lag + operation): average %sms, p95 %sms, p99 %sms',
                         loadtest.format_number(v_avg_intended, c_2d), loadtest.format_number(v_pct_intended[1] / 1000, c_2d),
                         loadtest.format_number(v_pct_intended[2] / 1000, c_2d))
               || format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d), loadtest.format_number(s.late_starts, c_int),
                         loadtest.format_number(100.0 * s.late_starts / nullif(s.total_ops, 0), c_2d));
    ELSIF r.pool_size IS NOT NULL THEN
        -- what users feel when the pool is too small: the wait for a worker
        o := o || format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d))
               || format('   As users feel it (pool wait + operation): average %sms',
                         loadtest.format_number(s.avg_wait_ms + s.avg_ms, c_2d));
    END IF;
    o := o || ''::text;

    -- 5. Operations (the figures of loadtest.operation_stats, most frequent
    -- first, then in the run's order of operations): sample_log grouped by
    -- the operations' numbers, their names joined afterwards
    o := o || 'Operation Breakdown:'::text;
    v_n := 0;
    FOR rec IN
        SELECT x.operation_no,
               coalesce(ro.operation, '(operation ' || x.operation_no::text || ')') AS operation,
               x.ops, x.avg_ms, x.p95_ms, x.errors
          FROM (SELECT sm.operation_no,
                       count(*) AS ops,
                       avg(sm.latency_us::float8) / 1000 AS avg_ms,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY sm.latency_us::float8) / 1000 AS p95_ms,
                       count(*) FILTER (WHERE NOT sm.success) AS errors
                  FROM loadtest.sample_log sm
                 WHERE sm.run_id = v_run_id
                 GROUP BY sm.operation_no) x
          LEFT JOIN loadtest.run_operations ro
                 ON ro.run_id = v_run_id AND ro.operation_no = x.operation_no
         ORDER BY x.ops DESC, x.operation_no
    LOOP
        o := o || format('   %s: %s ops, avg %sms, p95 %sms, %s %s',
                         loadtest.one_line(rec.operation, 100), loadtest.format_number(rec.ops, c_int),
                         loadtest.format_number(rec.avg_ms, c_2d), loadtest.format_number(rec.p95_ms, c_2d),
                         loadtest.format_number(rec.errors, c_int),
                         CASE WHEN rec.errors = 1 THEN 'error' ELSE 'errors' END);
        IF rec.operation = 'search_members' THEN
            v_search_avg := rec.avg_ms;
            v_search_p95 := rec.p95_ms;
        END IF;
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   no operations recorded'::text;
    END IF;
    o := o || ''::text;

    -- 5b. What the operations defined by users ran, as the run kept them
    -- (loadtest.run_operations): the report says it after a redefinition
    v_n := 0;
    FOR rec IN
        SELECT ro.operation, ro.kind, ro.owner, ro.statements, ro.variants
          FROM loadtest.run_operations ro
         WHERE ro.run_id = v_run_id AND NOT ro.builtin
         ORDER BY ro.operation_no
    LOOP
        IF v_n = 0 THEN
            o := o || 'Defined Operations (as run):'::text;
        END IF;
        o := o || format('   %s (%s, defined by %s): %s',
                         loadtest.one_line(rec.operation, 100), loadtest.one_line(rec.kind, 10),
                         loadtest.one_line(rec.owner, 100),
                         CASE WHEN rec.variants IS NOT NULL
                              THEN loadtest.format_number(pg_catalog.jsonb_array_length(
                                       CASE WHEN pg_catalog.jsonb_typeof(rec.variants) = 'array'
                                            THEN rec.variants ELSE '[]' END)::bigint, c_int)
                                   || ' variants (see loadtest.run_operations)'
                              ELSE loadtest.one_line(array_to_string(rec.statements, '; '), 200) END);
        v_n := v_n + 1;
    END LOOP;
    IF v_n > 0 THEN
        o := o || ''::text;
    END IF;

    -- 6. Errors
    o := o || 'Errors:'::text;
    v_n := 0;
    v_more := 0;
    v_lock_errs := 0;
    v_othr_errs := 0;
    FOR rec IN
        SELECT x.operation_no,
               coalesce(ro.operation, '(operation ' || x.operation_no::text || ')') AS operation,
               x.sqlstate, x.message, x.count
          FROM (SELECT sm.operation_no, sm.sqlstate, sm.message, count(*) AS count
                  FROM loadtest.sample_log sm
                 WHERE sm.run_id = v_run_id AND NOT sm.success
                 GROUP BY sm.operation_no, sm.sqlstate, sm.message) x
          LEFT JOIN loadtest.run_operations ro
                 ON ro.run_id = v_run_id AND ro.operation_no = x.operation_no
         ORDER BY x.count DESC, x.sqlstate, x.operation_no, x.message
    LOOP
        v_n := v_n + 1;
        IF v_n <= c_top_errors THEN
            o := o || format('   [%s] %s (%s): %s',
                             coalesce(loadtest.one_line(rec.sqlstate, 10), '-----'),
                             coalesce(loadtest.one_line(rec.message, 100), 'no message'),
                             loadtest.one_line(rec.operation, 100), loadtest.format_number(rec.count, c_int));
        ELSE
            v_more := v_more + 1;
        END IF;
        IF rec.sqlstate IN ('40P01', '40001', '55P03') THEN
            v_lock_errs := v_lock_errs + rec.count;
        ELSE
            v_othr_errs := v_othr_errs + rec.count;
        END IF;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   none'::text;
    ELSIF v_more > 0 THEN
        o := o || format('   ... and %s more (see loadtest.error_stats)', loadtest.format_number(v_more, c_int));
    END IF;
    o := o || ''::text;

    -- 7. Assessment
    o := o || 'Performance Assessment:'::text;
    IF s.total_ops = 0 THEN
        o := o || '   no operations to assess'::text;
    ELSE
        v_rating := @extschema@.loadtest_rate_response(s.avg_ms);
        o := o || format('   %s %s: average response time %sms (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), loadtest.format_number(s.avg_ms, c_2d),
                         CASE v_rating WHEN 'excellent' THEN '< 100ms' WHEN 'good' THEN '100-500ms'
                                       WHEN 'fair' THEN '500-1000ms' ELSE '> 1000ms' END,
                         CASE v_rating WHEN 'excellent' THEN 'system performing optimally'
                                       WHEN 'good' THEN 'acceptable for production'
                                       WHEN 'fair' THEN 'consider optimization'
                                       ELSE 'optimization required' END);

        v_rating := @extschema@.loadtest_rate_throughput(s.throughput_ops_s);
        IF v_rating IS NULL THEN
            o := o || '   [!] Throughput: unknown (no duration)'::text;
        ELSE
            o := o || format('   %s %s throughput: %s ops/sec (%s) - %s',
                             CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                             initcap(v_rating), loadtest.format_number(s.throughput_ops_s, c_2d),
                             CASE v_rating WHEN 'high' THEN '> 100' WHEN 'good' THEN '50-100'
                                           WHEN 'fair' THEN '20-50' ELSE '< 20' END,
                             CASE v_rating WHEN 'high' THEN 'can handle many users'
                                           WHEN 'good' THEN 'suitable for medium load'
                                           WHEN 'fair' THEN 'may struggle under high load'
                                           ELSE 'capacity issues' END);
            -- Users that mostly think cannot load the server: then the
            -- throughput measures the simulated demand, not the capacity.
            IF r.rate IS NULL AND r.think_time_ms > 0 AND s.avg_ms >= 0
               AND s.avg_ms < 0.1 * r.think_time_ms THEN
                o := o || format('   note: throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking (think time %sms, %sms per operation); run more users or think_time_ms => 0 to measure capacity',
                                 loadtest.format_number(100.0 * r.think_time_ms / (r.think_time_ms + s.avg_ms), c_2d),
                                 loadtest.format_number(r.think_time_ms, c_int), loadtest.format_number(s.avg_ms, c_2d));
            END IF;
        END IF;

        v_rating := @extschema@.loadtest_rate_success(s.success_pct);
        o := o || format('   %s %s success rate: %s%% (%s) - %s',
                         CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                         initcap(v_rating), loadtest.format_number(s.success_pct, c_2d),
                         CASE WHEN s.failed = 0 THEN 'no failed operations'
                              ELSE CASE v_rating WHEN 'excellent' THEN '> 99%' WHEN 'good' THEN '95-99%'
                                                 WHEN 'fair' THEN '90-95%' ELSE '< 90%' END END,
                         CASE v_rating WHEN 'excellent' THEN 'system stable'
                                       WHEN 'good' THEN 'monitor errors'
                                       WHEN 'fair' THEN 'investigate failures'
                                       ELSE 'critical issues' END);
    END IF;
    o := o || ''::text;

    -- 8. Scaling
    o := o || format('Scaling to %s Users:', c_target_users);
    IF s.total_ops = 0 OR s.avg_ms IS NULL THEN
        o := o || '   no operations recorded: nothing to estimate'::text;
    ELSIF r.users < 1 THEN
        o := o || format('   the run has %s users: nothing to estimate', r.users);
    ELSE
        SELECT * INTO cap
          FROM @extschema@.loadtest_capacity(s.avg_ms, r.users, v_target_ms, c_target_users);

        o := o || ('   Target response time: ' || v_target_txt || 'ms')
               || CASE WHEN cap.capacity_users = 'Infinity'::float8 AND s.avg_ms <= 0
                       THEN '   Current capacity: unlimited (no measurable response time)'
                       WHEN cap.capacity_users = 'Infinity'::float8
                       THEN '   Current capacity: unlimited (beyond the range of double precision)'
                       ELSE format('   Current capacity: ~%s concurrent users (at %sms average response time)',
                                   loadtest.format_number(floor(cap.capacity_users)::numeric, c_int),
                                   v_target_txt) END
               || format('   Estimated response time at %s users: %sms',
                         c_target_users, loadtest.format_number(cap.est_response_ms, c_2d))
               || CASE cap.verdict
                  WHEN 'ready' THEN format('   [OK] System should handle %s users within %sms',
                                           c_target_users, v_target_txt)
                  WHEN 'degraded' THEN format('   [!] System may handle %s users with degraded performance',
                                              c_target_users)
                  ELSE format('   [!!] System is not ready for %s users: the estimate is over twice the %sms target',
                              c_target_users, v_target_txt) END
               || '   (linear model: response time proportional to concurrent users)'::text;

        -- The USL model (50_capacity.sql) beside the linear one, fitted over
        -- the latest completed run of each user count of this pattern and
        -- think time that the caller started itself (a superuser sees every
        -- role's runs: it must not mix other roles' runs into its model); the
        -- target's own user count is left out, so that a measured run at the
        -- target tests both estimates.  The lines are added only once all are
        -- computed: runs that cannot be fitted (written into the tables by
        -- hand) give a line saying so instead of an error.
        DECLARE
            u_users float8[] := '{}';
            u_tput  float8[] := '{}';
            u_rec   record;
            u_tp    float8;
            u_fit   record;
            u_pred  record;
            u_mid   bigint;
            u_meas  loadtest.run_summary;
            u_args  text[] := '{}';
            u_have  boolean := false;
            u_lines text[] := '{}';
        BEGIN
            FOR u_rec IN
                SELECT DISTINCT ON (x.users) x.run_id, x.users
                  FROM loadtest.runs x
                 WHERE x.status OPERATOR(pg_catalog.=) 'completed'::loadtest.run_status
                   AND x.samples_recorded
                   AND x.role_name = current_user
                   AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
                   AND x.users <> c_target_users AND x.users >= 1
                   -- closed-model runs with a worker per user: there the
                   -- user count is the concurrency the law speaks of
                   AND x.rate IS NULL AND x.stages IS NULL AND x.pool_size IS NULL
                 ORDER BY x.users, x.run_id DESC
            LOOP
                SELECT y.throughput_ops_s INTO u_tp
                  FROM loadtest.run_summary y WHERE y.run_id = u_rec.run_id;
                IF u_tp > 0 AND u_tp < 'Infinity'::float8 THEN
                    u_users := u_users || u_rec.users::float8;
                    u_tput := u_tput || u_tp;
                END IF;
            END LOOP;

            IF cardinality(u_users) >= 3 AND r.think_time_ms >= 0 THEN
                SELECT * INTO u_fit FROM @extschema@.loadtest_usl_fit(u_users, u_tput);
                SELECT * INTO u_pred
                  FROM @extschema@.loadtest_usl_predict(u_fit.sigma, u_fit.kappa, u_fit.lambda,
                                                        c_target_users, r.think_time_ms);
                u_have := true;
                u_lines := u_lines
                       || format('   USL model (Universal Scalability Law) over the completed %s runs with %sms think time at %s users:',
                                 loadtest.one_line(r.pattern, 100), loadtest.format_number(r.think_time_ms, c_int),
                                 array_to_string(u_users, ', '))
                       || format('      sigma %s (contention), kappa %s (coherency), lambda %s ops/sec at 1 user, r2 %s',
                                 loadtest.format_number(u_fit.sigma, 'FM9990.0000'),
                                 CASE WHEN u_fit.kappa = 0 THEN '0'
                                      ELSE btrim(loadtest.format_number(u_fit.kappa, '9.99EEEE')) END,
                                 loadtest.format_number(u_fit.lambda, c_2d),
                                 coalesce(loadtest.format_number(u_fit.r2, 'FM990.0000'), 'n/a'))
                       || format('      %s Estimated at %s users: %s ops/sec, response time %sms',
                                 CASE WHEN u_pred.response_ms <= v_target_ms THEN '[OK]'
                                      WHEN u_pred.response_ms - v_target_ms <= v_target_ms THEN '[!]'
                                      ELSE '[!!]' END,
                                 c_target_users, loadtest.format_number(u_pred.throughput, c_2d),
                                 loadtest.format_number(u_pred.response_ms, c_2d));
                IF u_fit.peak_users IS NOT NULL THEN
                    u_lines := u_lines || format('      Throughput peaks at ~%s users (%s ops/sec)',
                                                 loadtest.format_number(round(u_fit.peak_users), c_int),
                                                 loadtest.format_number(u_fit.peak_throughput, c_2d));
                END IF;
                IF u_fit.note IS NOT NULL THEN
                    u_lines := u_lines || ('      note: ' || u_fit.note);
                END IF;
            ELSE
                IF r.pattern <> 'distributed' THEN
                    u_args := u_args || format('pattern => %L', r.pattern);
                END IF;
                IF r.think_time_ms <> 0 THEN
                    u_args := u_args || format('think_time_ms => %s', r.think_time_ms);
                END IF;
                u_lines := u_lines
                       || format('   USL model: needs completed %s runs with %sms think time at 3 or more user counts (found %s); for an estimate: SELECT * FROM loadtest_capacity(%s);',
                                 loadtest.one_line(r.pattern, 100), loadtest.format_number(r.think_time_ms, c_int),
                                 cardinality(u_users), loadtest.one_line(array_to_string(u_args, ', '), 200));
            END IF;

            -- The measured figure, when a completed run at the target exists.
            SELECT max(x.run_id) INTO u_mid
              FROM loadtest.runs x
             WHERE x.status OPERATOR(pg_catalog.=) 'completed'::loadtest.run_status
               AND x.samples_recorded
               AND x.role_name = current_user
               AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
               AND x.users = c_target_users;
            IF u_mid IS NOT NULL THEN
                SELECT * INTO u_meas FROM loadtest.run_summary y WHERE y.run_id = u_mid;
                -- in a pooled run users also wait for a worker: compare what
                -- they feel, as the models' response times include queueing
                IF (SELECT x.pool_size FROM loadtest.runs x WHERE x.run_id = u_mid) IS NOT NULL THEN
                    u_meas.avg_ms := u_meas.avg_ms + coalesce(u_meas.avg_wait_ms, 0);
                END IF;
            END IF;
            IF u_meas.avg_ms > 0 THEN
                u_lines := u_lines
                       || format('   Measured at %s users (run %s): response time %sms average, %s ops/sec',
                                 c_target_users, u_mid, loadtest.format_number(u_meas.avg_ms, c_2d),
                                 coalesce(loadtest.format_number(u_meas.throughput_ops_s, c_2d), 'n/a'))
                       || format('      linear estimate %sms: %s',
                                 loadtest.format_number(cap.est_response_ms, c_2d),
                                 CASE WHEN u_mid = r.run_id THEN 'this run'
                                      WHEN cap.est_response_ms >= u_meas.avg_ms
                                      THEN loadtest.format_number(100 * (cap.est_response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                      ELSE loadtest.format_number(100 * (1 - cap.est_response_ms / u_meas.avg_ms), c_2d) || '% too low' END);
                IF u_have THEN
                    u_lines := u_lines
                           || format('      USL estimate %sms: %s%s',
                                     loadtest.format_number(u_pred.response_ms, c_2d),
                                     CASE WHEN u_pred.response_ms >= u_meas.avg_ms
                                          THEN loadtest.format_number(100 * (u_pred.response_ms / u_meas.avg_ms - 1), c_2d) || '% too high'
                                          ELSE loadtest.format_number(100 * (1 - u_pred.response_ms / u_meas.avg_ms), c_2d) || '% too low' END,
                                     CASE WHEN u_meas.throughput_ops_s > 0 THEN
                                          format('; %s ops/sec: %s', loadtest.format_number(u_pred.throughput, c_2d),
                                                 CASE WHEN u_pred.throughput >= u_meas.throughput_ops_s
                                                      THEN loadtest.format_number(100 * (u_pred.throughput / u_meas.throughput_ops_s - 1), c_2d) || '% too high'
                                                      ELSE loadtest.format_number(100 * (1 - u_pred.throughput / u_meas.throughput_ops_s), c_2d) || '% too low' END)
                                          ELSE '' END);
                END IF;
            END IF;
            o := o || u_lines;
        EXCEPTION WHEN data_exception THEN
            -- (SQLSTATE class 22: values out of range, invalid parameters)
            o := o || ('   USL model: not estimated from these runs: ' || loadtest.one_line(SQLERRM, 200));
        END;

        -- Recommendations, each from evidence in this run
        IF s.read_share > 0.6 THEN
            recs := recs || format('Reads are %s%% of operations (> 60%%): add read replicas for the reads (2-3x capacity for reads)',
                                   loadtest.format_number(100 * s.read_share, c_2d));
        END IF;

        -- The reference guide's indexes: any valid, non-partial index whose
        -- leading key columns are these will do.  Catalog lookups only, so
        -- that no privilege on schema membership is needed.
        SELECT array_agg(ix.stmt ORDER BY ix.ord) INTO v_missing
          FROM (VALUES
                (1, 'members', ARRAY['status'],
                 'CREATE INDEX members_status_idx ON membership.members (status);'),
                (2, 'members', ARRAY['classification'],
                 'CREATE INDEX members_classification_idx ON membership.members (classification);'),
                (3, 'members', ARRAY['last_name'],
                 'CREATE INDEX members_last_name_idx ON membership.members (last_name text_pattern_ops);'),
                (4, 'member_employments', ARRAY['member_id', 'is_current'],
                 'CREATE INDEX member_employments_member_current_idx ON membership.member_employments (member_id, is_current);')
               ) AS ix(ord, relname, cols, stmt)
          JOIN pg_catalog.pg_class c ON c.relname = ix.relname
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'membership'
         WHERE NOT EXISTS (
                SELECT 1
                  FROM pg_catalog.pg_index i
                 WHERE i.indrelid = c.oid
                   AND i.indisvalid
                   AND i.indpred IS NULL
                   AND i.indnkeyatts >= cardinality(ix.cols)
                   AND ix.cols = ARRAY(
                        SELECT a.attname::text
                          FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_catalog.pg_attribute a
                            ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE k.ord <= cardinality(ix.cols)
                         ORDER BY k.ord));

        IF v_search_avg > 2 * s.avg_ms OR v_search_p95 > 2 * s.p95_ms THEN
            recs := recs || format('search_members is slow (avg %sms, p95 %sms; overall avg %sms, p95 %sms): %s',
                                   loadtest.format_number(v_search_avg, c_2d), loadtest.format_number(v_search_p95, c_2d),
                                   loadtest.format_number(s.avg_ms, c_2d), loadtest.format_number(s.p95_ms, c_2d),
                                   CASE WHEN v_missing IS NULL
                                        THEN 'its indexes exist, look at its plans (EXPLAIN ANALYZE)'
                                        ELSE 'add the missing indexes below' END);
        END IF;
        IF v_missing IS NOT NULL THEN
            FOR i IN 1 .. cardinality(v_missing) LOOP
                recs := recs || ('Missing index of the reference guide: ' || v_missing[i]);
            END LOOP;
        END IF;

        IF v_lock_errs > 0 THEN
            recs := recs || format('Lock conflicts (%s failed: deadlock 40P01, serialization failure 40001, lock not available 55P03): look at lock waits (pg_locks, log_lock_waits) and add retry logic',
                                   loadtest.format_number(v_lock_errs, c_int));
        END IF;
        IF v_othr_errs > 0 THEN
            recs := recs || format('Other failures (%s): investigate them (see Errors above and loadtest.error_stats)',
                                   loadtest.format_number(v_othr_errs, c_int));
        END IF;
        IF r.users_lost > 0 THEN
            recs := recs || format('Users lost (%s): their workers ended early, see the server log',
                                   loadtest.format_number(r.users_lost, c_int));
        END IF;
        IF cap.capacity_users < c_target_users THEN
            recs := recs || format('Capacity ~%s is below %s users: use connection pooling (e.g. PgBouncer), cache frequently read data (3-5x for cached queries) and optimise the slowest queries; then scale horizontally',
                                   loadtest.format_number(floor(cap.capacity_users)::numeric, c_int), c_target_users);
        END IF;
        IF s.p99_ms > 10 * s.median_ms THEN
            recs := recs || format('Tail latency: p99 %sms is over 10x the median %sms: look at checkpoints, autovacuum and lock waits (log_checkpoints, log_autovacuum_min_duration, log_lock_waits)',
                                   loadtest.format_number(s.p99_ms, c_2d), loadtest.format_number(s.median_ms, c_2d));
        END IF;

        o := o || '   Recommendations:'::text;
        IF cardinality(recs) = 0 THEN
            o := o || '   - No action needed at this load'::text;
        ELSE
            FOR i IN 1 .. cardinality(recs) LOOP
                o := o || ('   - ' || recs[i]);
            END LOOP;
        END IF;
    END IF;

    o := o || ''::text || c_rule;
    RETURN array_to_string(o, E'\n');
END
$$;

COMMENT ON FUNCTION loadtest_report(bigint, double precision) IS
'loadtest: the text report of a run (NULL: the latest run): configuration, user patterns, results, response times, operations, errors, assessment and scaling to 4000 users at target_ms (finite and positive); marks stale runs first.  The USL lines fit only completed runs of the calling role (role_name = current_user), even for a superuser who sees every role''s runs; runs written into the tables by hand give odd figures but a report';

-- Reading results is open to all: the views run as the caller
-- (security_invoker), and row-level security shows each role its own runs.
GRANT SELECT ON loadtest.samples, loadtest.run_summary, loadtest.operation_stats,
    loadtest.user_stats, loadtest.error_stats, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;
-- loadtest 1.3: the capacity model (Universal Scalability Law).
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
            RAISE EXCEPTION 'loadtest run % has no samples to measure its throughput', run.run_id
                USING ERRCODE = 'no_data_found',
                      HINT = CASE WHEN NOT run.samples_recorded
                                  THEN 'It ran with loadtest.record_samples = off: pass runs that recorded samples.'
                                  ELSE 'Pass runs that recorded samples (SELECT run_id, total_ops FROM loadtest.run_summary;).' END;
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
-- loadtest 1.2 -> 1.3, after the replayed parts of src/sql: what needs the
-- functions, views and built-in rows they define.

-- The runs recorded before 1.3 ran the 13 built-in operations, numbered
-- as 1.2's enum loadtest.operation ordered them (0 read_member_list ... 12
-- read_file_metadata), and the patterns of the enum loadtest.pattern
-- (read_heavy 0, write_heavy 1, mixed 2, file_operations 3,
-- single_operation 4) that their users or samples had.  A single_operation
-- pattern has the run's one operation (runs.pattern names it) as weights.
INSERT INTO loadtest.run_operations (run_id, operation_no, operation, kind, statements,
                                     params, variants, builtin, owner, description)
SELECT r.run_id, (e.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2, o.operation, o.kind,
       o.statements, o.params, o.variants, o.builtin, o.owner, o.description
  FROM loadtest.runs r
 CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.operation)::pg_catalog.text[])
       WITH ORDINALITY AS e(label, n)
  JOIN loadtest.operations o ON o.operation OPERATOR(pg_catalog.=) e.label;

WITH run_user_patterns AS (
    SELECT u.run_id, u.pattern, pg_catalog.count(*) AS users,
           pg_catalog.min(u.operation) AS operation
      FROM loadtest.run_users u
     GROUP BY u.run_id, u.pattern
), sample_patterns AS MATERIALIZED (
    SELECT DISTINCT s.run_id, s.pattern::pg_catalog.text AS pattern
      FROM loadtest.samples_1_2 s
)
INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern, weights, users)
SELECT r.run_id, (e.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2, e.label,
       CASE WHEN e.label OPERATOR(pg_catalog.=) 'single_operation'
            THEN pg_catalog.jsonb_build_object(coalesce(u.operation, r.pattern), 1)
            ELSE coalesce(p.weights, '{}'::pg_catalog.jsonb) END,
       coalesce(u.users, 0)::pg_catalog.int4
  FROM loadtest.runs r
 CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.pattern)::pg_catalog.text[])
       WITH ORDINALITY AS e(label, n)
  LEFT JOIN loadtest.patterns p ON p.pattern OPERATOR(pg_catalog.=) e.label
  LEFT JOIN run_user_patterns u
         ON u.run_id OPERATOR(pg_catalog.=) r.run_id AND u.pattern OPERATOR(pg_catalog.=) e.label
 WHERE u.run_id IS NOT NULL
    OR EXISTS (SELECT 1 FROM sample_patterns sp
                WHERE sp.run_id OPERATOR(pg_catalog.=) r.run_id
                  AND sp.pattern OPERATOR(pg_catalog.=) e.label);

-- The samples, in the order they were written (the BRIN index on run_id
-- relies on it), with their pattern and operation as the numbers above
-- (samples of a run that no longer exists keep numbers without names).
INSERT INTO loadtest.sample_log (run_id, user_no, op_no, start_us, latency_us, wait_us,
                                 pattern_no, operation_no, tries, success, sqlstate, message)
SELECT s.run_id, s.user_no, s.op_no, s.start_us, s.latency_us, s.wait_us,
       (pe.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2,
       (oe.n OPERATOR(pg_catalog.-) 1)::pg_catalog.int2,
       s.tries, s.success, s.sqlstate, s.message
  FROM loadtest.samples_1_2 s
  JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.pattern))
       WITH ORDINALITY AS pe(label, n) ON pe.label OPERATOR(pg_catalog.=) s.pattern
  JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::loadtest.operation))
       WITH ORDINALITY AS oe(label, n) ON oe.label OPERATOR(pg_catalog.=) s.operation;

-- 1.2's samples table and enums are gone (ALTER EXTENSION ... DROP first:
-- it takes the table out of the tables pg_dump dumps).
ALTER EXTENSION loadtest DROP TABLE loadtest.samples_1_2;
DROP TABLE loadtest.samples_1_2;
DROP TYPE loadtest.operation;
DROP TYPE loadtest.pattern;

-- The roles that could start runs at 1.2 (loadtest_grant_operator) may
-- define and drop their own operations and patterns, as the operators of
-- 1.3 may (see loadtest.operator_privileges()).
DO $$
DECLARE
    g record;
    f text;
BEGIN
    FOR g IN
        SELECT DISTINCT a.grantee::pg_catalog.regrole AS grantee
          FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)'::pg_catalog.regprocedure
           AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
           AND a.grantee OPERATOR(pg_catalog.<>) 0
    LOOP
        FOREACH f IN ARRAY ARRAY['@extschema@.loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)',
                                 '@extschema@.loadtest_define_pattern(text, jsonb, jsonb, text, boolean)',
                                 '@extschema@.loadtest_drop_operation(text)',
                                 '@extschema@.loadtest_drop_pattern(text)',
                                 '@extschema@.loadtest_preview_generator(jsonb, integer, bigint)'] LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', f, g.grantee);
        END LOOP;
    END LOOP;
END
$$;
