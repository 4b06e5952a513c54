-- loadtest 1.3: result tables (schema loadtest) and the simulated
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

-- Operations and patterns are enums: four bytes a sample, yet readable and
-- comparable with plain string literals in users' queries.
CREATE TYPE loadtest.operation AS ENUM (
    'read_member_list',
    'read_member_detail',
    'search_members',
    'list_organizations',
    'list_students',
    'create_member',
    'update_member',
    'create_employment',
    'update_employment_status',
    'create_organization_contact',
    'list_file_attachments',
    'create_file_attachment',
    'read_file_metadata'
);

CREATE TYPE loadtest.pattern AS ENUM (
    'read_heavy',
    'write_heavy',
    'mixed',
    'file_operations',
    'single_operation'
);

CREATE TYPE loadtest.run_status AS ENUM (
    'running',
    'completed',
    'cancelled',
    'aborted',
    'failed'
);

-- What each operation is, for reports that split reads from writes.
CREATE TABLE loadtest.operations (
    operation   loadtest.operation PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('read', 'write')),
    area        text NOT NULL CHECK (area IN ('members', 'organizations', 'students', 'files')),
    description text NOT NULL
);

INSERT INTO loadtest.operations VALUES
    ('read_member_list',            'read',  'members',       'a page of 25 members ordered by id'),
    ('read_member_detail',          'read',  'members',       'one member, then its employments with their organizations'),
    ('search_members',              'read',  'members',       'members by status, by classification or by last-name prefix'),
    ('list_organizations',          'read',  'organizations', 'a page of 25 organizations ordered by name'),
    ('list_students',               'read',  'students',      'a page of 25 students with their members'' names'),
    ('create_member',               'write', 'members',       'insert a member'),
    ('update_member',               'write', 'members',       'update a member''s phone and city, then touch its current employment'),
    ('create_employment',           'write', 'members',       'end the current employment of a member, insert a new current one, then touch the member'),
    ('update_employment_status',    'write', 'members',       'change the status of an employment'),
    ('create_organization_contact', 'write', 'organizations', 'insert a contact of an organization'),
    ('list_file_attachments',       'read',  'files',         'the attachments of a member, newest first'),
    ('create_file_attachment',      'write', 'files',         'insert an attachment''s metadata'),
    ('read_file_metadata',          'read',  'files',         'one attachment by primary key');

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
    samples_lost    bigint NOT NULL DEFAULT 0    -- attempted operations not recorded
);
COMMENT ON TABLE loadtest.runs IS 'loadtest: one row per load test run';

-- The users a run simulated: pattern, how much of its work it did, and
-- whether it was lost (its worker ended before finishing).
CREATE TABLE loadtest.run_users (
    run_id      bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    user_no     integer NOT NULL,
    pattern     loadtest.pattern NOT NULL,
    operation   loadtest.operation,          -- set for single-operation runs
    ops_planned integer,                     -- NULL in a time-bound run
    ops_done    integer NOT NULL,
    lost        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run_id, user_no)
);
COMMENT ON TABLE loadtest.run_users IS 'loadtest: the simulated users of each run';

-- One row per attempted operation, appended run after run like a log.
-- Recording must not become the bottleneck it measures (see
-- docs/benchmarks.md), so the table has no per-row index work: no foreign
-- key to runs (the recorder writes only samples of the run it created,
-- row-level security keeps others from inserting any, and a trigger on
-- runs deletes a run's samples with it) and, since 1.1, no primary key (a
-- B-tree insertion per sample cost more than the recorder's whole insert).
-- (run_id, user_no, op_no) is unique by construction: every user numbers
-- its own operations.  A BRIN index on run_id finds a run's samples, which
-- the recorder appends together.
CREATE TABLE loadtest.samples (
    run_id      bigint NOT NULL,
    user_no     integer NOT NULL,
    op_no       integer NOT NULL,            -- 1.. within the user
    pattern     loadtest.pattern NOT NULL,
    operation   loadtest.operation NOT NULL,
    start_us    bigint NOT NULL,             -- start offset from the run's start
    latency_us  bigint NOT NULL,             -- the operation's transaction only
    wait_us     bigint NOT NULL DEFAULT 0,   -- due to started: pool wait, schedule lag
    success     boolean NOT NULL,
    sqlstate    text,                        -- NULL when successful
    message     text,
    tries       smallint NOT NULL DEFAULT 1   -- > 1: retried (loadtest.max_tries)
);
COMMENT ON TABLE loadtest.samples IS 'loadtest: one row per attempted operation';
-- autosummarize: autovacuum summarizes each block range as it fills, so
-- that a run's report does not read the pages of runs not yet summarized.
CREATE INDEX samples_run_id_brin ON loadtest.samples USING brin (run_id)
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
-- superuser that created the extension, sees all).  Rows of samples and
-- run_users follow their run.  There is no policy for INSERT, UPDATE or
-- DELETE: only the owner writes.
ALTER TABLE loadtest.runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY runs_of_own_role ON loadtest.runs FOR SELECT
    USING (role_name OPERATOR(pg_catalog.=) CURRENT_USER);

ALTER TABLE loadtest.run_users ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_users_of_own_runs ON loadtest.run_users FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_users.run_id));

ALTER TABLE loadtest.samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY samples_of_own_runs ON loadtest.samples FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) samples.run_id));

-- Reading results is open to all (row-level security shows each role its
-- own runs); deleting one's own runs (loadtest_delete_runs) is granted with
-- the rest of what an operator needs (loadtest_grant_operator).
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.samples, loadtest.run_users TO PUBLIC;

-- Results belong to the user: keep them in pg_dump output.
SELECT pg_catalog.pg_extension_config_dump('loadtest.runs', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_users', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.samples', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_id_seq', '');

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
    creators text;
BEGIN
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END,
                                 ', ')
      INTO creators
      FROM pg_catalog.pg_namespace n, LATERAL pg_catalog.aclexplode(n.nspacl) a
     WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    IF creators IS NOT NULL THEN
        RAISE WARNING 'roles other than its owner may create objects in schema @extschema@: %', creators
            USING DETAIL = 'They could create overloads of the extension''s functions that an unqualified call, by a superuser say, would run instead.',
                  HINT = 'REVOKE CREATE ON SCHEMA @extschema@ FROM them, or create the extension in a schema of its own (CREATE EXTENSION loadtest SCHEMA ...).';
    END IF;
END
$$;
