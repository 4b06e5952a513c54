-- loadtest 1.6: result tables (schema loadtest) and the simulated
-- application's tables (schema membership).
--
-- The SQL-callable functions land in the schema the extension is created in
-- (public by default); tables live in fixed schemas so that the C code and
-- users' own queries can name them.

\echo Use "CREATE EXTENSION loadtest" to load this file. \quit

CREATE SCHEMA loadtest;
COMMENT ON SCHEMA loadtest IS 'loadtest: runs, samples and the views over them';

CREATE SCHEMA membership;
COMMENT ON SCHEMA membership IS 'loadtest: the membership application the simulated users work on';

CREATE TYPE loadtest.run_status AS ENUM (
    'running',
    'completed',
    'cancelled',
    'aborted',
    'failed'
);

-- ---------------------------------------------------------------------------
-- The workload catalogue (1.3): what the simulated users can do, as data.
--
-- An operation is one transaction of a simulated user: its statements, run
-- in order, and the generators that draw their parameters $1..$n before
-- the timed section (params: a JSON array, element k gives $k; see
-- "Generators" in docs/reference.md).  Instead of statements and params an
-- operation may have variants: [{"weight": w, "statements": [...],
-- "params": [...]}, ...], one drawn by weight for each call.  A pattern is
-- either weights, {"operation": weight, ...}, from which each operation of
-- a user is drawn, or mix, {"pattern": share, ...}, which shares a run's
-- users among weights patterns.  Operation and pattern names share one
-- namespace; 'single_operation' is reserved (the pattern of a run of one
-- operation).
--
-- The statements run as the role that started the run, with search_path
-- pinned to pg_catalog, pg_temp: every object they name is qualified.
--
-- Only the extension's owner writes these tables: roles define and drop
-- their own operations and patterns through loadtest_define_operation(),
-- loadtest_define_pattern(), loadtest_drop_operation() and
-- loadtest_drop_pattern(), which check what they are given.  Every role may
-- read them.  A run keeps a copy of what it used (loadtest.run_operations,
-- loadtest.run_patterns), so that redefining or dropping an operation
-- changes no recorded run.
-- ---------------------------------------------------------------------------

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

-- The built-in rows are inserted by 12_builtin_workload.sql.

-- One row per run.  Written by the run's recorder worker (as the calling
-- role), never by the calling transaction, so a run's record survives the
-- caller's rollback or cancellation.
CREATE TABLE loadtest.runs (
    run_id          bigint PRIMARY KEY,
    status          loadtest.run_status NOT NULL DEFAULT 'running',
    users           integer NOT NULL,
    ops_per_user    integer NOT NULL,
    pattern         text NOT NULL,
    think_time_ms   integer NOT NULL,
    ramp_up_s       double precision NOT NULL,
    forced          boolean NOT NULL DEFAULT false,
    workers         integer NOT NULL,
    seed            bigint NOT NULL,
    op_timeout_ms   integer NOT NULL DEFAULT 0,
    samples_recorded boolean NOT NULL DEFAULT true,  -- loadtest.record_samples
    isolation       text NOT NULL DEFAULT 'read committed',  -- loadtest.isolation
    max_tries       integer NOT NULL DEFAULT 1,      -- loadtest.max_tries
    hot_rows        integer NOT NULL DEFAULT 0,      -- loadtest.hot_rows
    pool_size       integer,         -- workers shared by the users; NULL: one each
    duration_limit_s double precision,  -- duration => ...; NULL: ops bound the run
    rate            double precision,   -- rate => ... (open model); NULL: closed model
    stages          jsonb,              -- stages => ...: kind, from, to, start_s, end_s
    database_name   name NOT NULL DEFAULT current_database(),
    role_name       name NOT NULL DEFAULT current_user,
    server_version  text NOT NULL DEFAULT current_setting('server_version'),
    environment     text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at        timestamptz,
    duration_s      double precision,
    recorder_pid    integer,
    users_lost      integer NOT NULL DEFAULT 0,
    ops_not_done    bigint NOT NULL DEFAULT 0,
    message         text,
    arrivals_dropped bigint NOT NULL DEFAULT 0,  -- rate runs: due before the end, never started
    samples_lost    bigint NOT NULL DEFAULT 0,   -- attempted operations not recorded
    samples         text NOT NULL DEFAULT 'all', -- samples => ...: which attempts sample_log keeps
    wait_sample_interval_ms integer, -- loadtest.wait_sample_interval_ms; 0: off; NULL: a run before 1.4
    segment_handle  bigint           -- (1.6) the running run's shared memory (loadtest.progress); NULL once over
);
COMMENT ON TABLE loadtest.runs IS 'loadtest: one row per load test run';

-- The users a run simulated: pattern, how much of its work it did, and
-- whether it was lost (its worker ended before finishing).
CREATE TABLE loadtest.run_users (
    run_id      bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    user_no     integer NOT NULL,
    pattern     text NOT NULL,               -- loadtest.run_patterns.pattern
    operation   text,                        -- set for single-operation runs
    ops_planned integer,                     -- NULL in a time-bound run
    ops_done    integer NOT NULL,
    lost        boolean NOT NULL DEFAULT false,
    errors      bigint,                      -- (1.4) failed operations
    latency_sum_us double precision,         -- (1.4) of its operations
    latency_p95_us double precision,         -- (1.4) from its histogram
    PRIMARY KEY (run_id, user_no)
);
COMMENT ON TABLE loadtest.run_users IS 'loadtest: the simulated users of each run';

-- What a run ran, as it was when the run started (1.3): the operations of
-- loadtest.operations that it could draw, numbered from 0, and its leaf
-- patterns (weights patterns; 'single_operation' with {"<operation>": 1} for
-- a run of one operation), numbered from 0, with the number of users of
-- each.  Samples refer to them by number.  Written by the recorder, as the
-- tables' owner, in the transaction that creates the run's row.  Runs made
-- before 1.3 have the 13 built-in operations (0 read_member_list ... 12
-- read_file_metadata, the order of 1.2's enum) and the patterns read_heavy
-- 0, write_heavy 1, mixed 2, file_operations 3 and single_operation 4.
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

-- One row per attempted operation, appended run after run like a log.
-- Recording must not become the bottleneck it measures (see
-- docs/benchmarks.md), so the table has no per-row index work: no foreign
-- key to runs (the recorder writes only samples of the run it created,
-- row-level security keeps others from inserting any, and a trigger on
-- runs deletes a run's samples with it) and, since 1.1, no primary key (a
-- B-tree insertion per sample cost more than the recorder's whole insert).
-- (run_id, user_no, op_no) is unique by construction: every user numbers
-- its own operations.  A BRIN index on run_id finds a run's samples, which
-- the recorder appends together.  Since 1.3 the pattern and the operation
-- are numbers of the run's run_patterns and run_operations (the view
-- loadtest.samples shows their names), and the columns are in the order
-- that packs a row tightest.
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

-- Results are written by the extension alone (see "Security model" in
-- docs/reference.md): the run's recorder writes these tables as their
-- owner, and records the role that started the run in runs.role_name.
-- Other roles may read their own runs (row-level security) and delete
-- them through loadtest_delete_runs(); no role but the owner may insert,
-- change or delete a row, so no role can plant samples in another's run,
-- forge a run, take a future run id, or lock the tables against others.

-- Run ids: only the recorder (as the owner) draws them.
CREATE SEQUENCE loadtest.run_id_seq;

-- Each role sees only the runs it started (the table owner, i.e. the
-- superuser that created the extension, sees all).  Rows of sample_log,
-- run_users, run_operations and run_patterns follow their run.  There is
-- no policy for INSERT, UPDATE or DELETE: only the owner writes.
ALTER TABLE loadtest.runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY runs_of_own_role ON loadtest.runs FOR SELECT
    USING (role_name OPERATOR(pg_catalog.=) CURRENT_USER);

ALTER TABLE loadtest.run_users ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_users_of_own_runs ON loadtest.run_users FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_users.run_id));

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

-- Reading results and the catalogue is open to all (row-level security
-- shows each role its own runs); deleting one's own runs
-- (loadtest_delete_runs) and defining operations and patterns are granted
-- with the rest of what an operator needs (loadtest_grant_operator).  The
-- view loadtest.samples is granted with the other views (40_report.sql).
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;

-- Results belong to the user: keep them in pg_dump output, and the
-- operations and patterns that roles defined (the built-in ones come with
-- the extension).
SELECT pg_catalog.pg_extension_config_dump('loadtest.runs', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_users', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.operations', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('loadtest.patterns', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_operations', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_patterns', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.sample_log', '');

-- The scenarios of the reference guide, by name.
CREATE TABLE loadtest.scenarios (
    scenario      text PRIMARY KEY,
    users         integer NOT NULL,
    ops           integer NOT NULL,
    pattern       text NOT NULL,
    think_time_ms integer NOT NULL,
    ramp_up_s     double precision NOT NULL,
    goal          text NOT NULL
);
COMMENT ON TABLE loadtest.scenarios IS 'loadtest: named runs (presets and the scenarios of the guide)';

INSERT INTO loadtest.scenarios VALUES
    ('quick',       10,  20, 'distributed', 100, 10, 'smoke test: 10 users, 20 operations each'),
    ('normal',      50,  50, 'distributed', 100, 10, 'typical weekday load'),
    ('peak',       150,  75, 'distributed', 100, 10, 'peak hours'),
    ('stress',     200, 100, 'distributed', 100, 10, 'push the system to its limits'),
    ('read_heavy', 100,  50, 'read_heavy',  100, 10, 'reporting and dashboard usage'),
    ('write_heavy', 30, 100, 'write_heavy', 100, 10, 'data entry'),
    ('sustained',   50, 500, 'distributed', 500, 10, 'stability over time');

-- The simulated application.
CREATE TABLE membership.organizations (
    organization_id bigserial PRIMARY KEY,
    name            text NOT NULL,
    org_type        text NOT NULL,
    city            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE membership.members (
    member_id       bigserial PRIMARY KEY,
    first_name      text NOT NULL,
    last_name       text NOT NULL,
    email           text NOT NULL UNIQUE,
    phone           text,
    city            text,
    status          text NOT NULL,
    classification  text NOT NULL,
    join_date       date NOT NULL,
    birth_date      date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE membership.member_employments (
    employment_id   bigserial PRIMARY KEY,
    member_id       bigint NOT NULL REFERENCES membership.members,
    organization_id bigint NOT NULL REFERENCES membership.organizations,
    title           text NOT NULL,
    status          text NOT NULL,
    is_current      boolean NOT NULL,
    start_date      date NOT NULL,
    end_date        date,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE membership.organization_contacts (
    contact_id      bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES membership.organizations,
    name            text NOT NULL,
    email           text NOT NULL,
    phone           text,
    role            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE membership.students (
    student_id      bigserial PRIMARY KEY,
    member_id       bigint NOT NULL UNIQUE REFERENCES membership.members,
    school          text NOT NULL,
    program         text NOT NULL,
    graduation_year integer NOT NULL,
    enrolled_at     date NOT NULL
);

CREATE TABLE membership.file_attachments (
    attachment_id   bigserial PRIMARY KEY,
    member_id       bigint NOT NULL REFERENCES membership.members,
    file_name       text NOT NULL,
    content_type    text NOT NULL,
    size_bytes      bigint NOT NULL,
    storage_key     text NOT NULL UNIQUE,
    uploaded_at     timestamptz NOT NULL DEFAULT now()
);

-- The indexes of the reference guide, plus what foreign-key lookups and the
-- operations' orderings need.  last_name uses text_pattern_ops so that the
-- prefix search (~>=~ / ~<~ range) can use it under any collation.
CREATE INDEX members_status_idx ON membership.members (status);
CREATE INDEX members_classification_idx ON membership.members (classification);
CREATE INDEX members_last_name_idx ON membership.members (last_name text_pattern_ops);
CREATE INDEX member_employments_member_current_idx ON membership.member_employments (member_id, is_current);
CREATE INDEX member_employments_organization_idx ON membership.member_employments (organization_id);
CREATE INDEX organizations_name_idx ON membership.organizations (name);
CREATE INDEX organization_contacts_organization_idx ON membership.organization_contacts (organization_id);
CREATE INDEX file_attachments_member_idx ON membership.file_attachments (member_id, uploaded_at);

-- The functions live in the schema the extension is created in.  A role
-- that may create objects there could plant overloads of them (say
-- loadtest_report(integer)) that a caller's unqualified call resolves to
-- (see "Security model" in docs/reference.md): say so now.
DO $$
DECLARE
    creators   text;
    owner_note text;
BEGIN
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END,
                                 ', ')
      INTO creators
      FROM pg_catalog.pg_namespace n, LATERAL pg_catalog.aclexplode(n.nspacl) a
     WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    -- (1.6) so may the schema's owner, when it is not a superuser: public
    -- belongs to pg_database_owner in PostgreSQL 15, the owner of the
    -- database, who may be any role
    SELECT 'the schema''s owner ' || o.rolname::pg_catalog.text
           || CASE WHEN n.nspowner OPERATOR(pg_catalog.=) 'pg_database_owner'::pg_catalog.regrole
                   THEN ' (the owner of the database)' ELSE '' END
      INTO owner_note
      FROM pg_catalog.pg_namespace n
      JOIN pg_catalog.pg_database d ON d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
      JOIN pg_catalog.pg_roles o
        ON o.oid OPERATOR(pg_catalog.=) CASE WHEN n.nspowner OPERATOR(pg_catalog.=) 'pg_database_owner'::pg_catalog.regrole
                                             THEN d.datdba ELSE n.nspowner END
     WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
       AND NOT o.rolsuper;
    creators := pg_catalog.concat_ws(', ', creators, owner_note);
    IF creators IS NOT NULL AND creators OPERATOR(pg_catalog.<>) '' THEN
        RAISE WARNING 'roles that are not superusers may create objects in schema @extschema@: %', creators
            USING DETAIL = 'They could create overloads of the extension''s functions that an unqualified call, by a superuser say, would run instead.',
                  HINT = 'REVOKE CREATE ON SCHEMA @extschema@ FROM them, or create the extension in a schema of its own that a superuser owns (CREATE SCHEMA lt AUTHORIZATION postgres; CREATE EXTENSION loadtest SCHEMA lt;).';
    END IF;
END
$$;
