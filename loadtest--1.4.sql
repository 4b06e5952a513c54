-- loadtest 1.4: result tables (schema loadtest) and the simulated
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
    wait_sample_interval_ms integer  -- loadtest.wait_sample_interval_ms; 0: off; NULL: a run before 1.4
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
-- loadtest 1.4: the evidence of each run (issue #10), in tables of their
-- own: created by CREATE EXTENSION after 10_schema.sql, and by the upgrade
-- from 1.3 as they are here (the Makefile puts this file in
-- loadtest--1.3--1.4.sql after src/sql/upgrade/1.3--1.4.sql), so that
-- both get the same tables.  Not replayed by later upgrades: changes go
-- into their src/sql/upgrade/V--W.sql.

-- The evidence of a run (1.4), kept whatever samples => ... chooses, and
-- bounded in size however long the run: written by the recorder, as the
-- tables' owner, when the run ends (the per-second rows also during a
-- long run, so that the recorder's memory stays bounded).

-- Latency and wait histograms: log-linear, mergeable (rows of the same
-- run and scope add up bucket by bucket).  A value v (microseconds) falls
-- into bucket loadtest.histogram_bucket(v): one bucket per microsecond
-- below 128 us, then 64 buckets per power of two, so a bucket's middle
-- (loadtest.histogram_bucket_value) is within 0.78% of every value in it.
-- buckets holds the non-empty buckets in ascending order, counts their
-- counts; the aggregate loadtest.histogram_percentiles merges rows and
-- gives percentiles.
--   scope 'operation': one operation over the whole run (operation_no)
--   scope 'stage':     one operation in one stage of a staged run
--   scope 'second':    all operations that started in one second of the
--                      run (second = floor(start_us / 1e6)); a second may
--                      have more than one row (rows written during the run
--                      and a late one): sum them
-- wait is the wait of an operation between when it was due and its start:
-- the pool wait of a pooled run, the schedule lag of a rate run; response
-- is wait + latency, the time a user waited for the operation from when it
-- was due (measured from the intended start: no coordinated omission).
CREATE TABLE loadtest.run_histograms (
    run_id          bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    scope           text NOT NULL CHECK (scope IN ('operation', 'stage', 'second')),
    operation_no    smallint,        -- 'operation', 'stage'
    stage           smallint,        -- 'stage': 1..
    second          integer,         -- 'second'
    ops             bigint NOT NULL,
    errors          bigint NOT NULL,
    retried_ops     bigint NOT NULL, -- tries > 1
    retries         bigint NOT NULL, -- sum of tries - 1
    late_starts     bigint NOT NULL, -- wait over 10 ms
    first_start_us  bigint,
    last_end_us     bigint,
    latency_sum_us  double precision NOT NULL,
    latency_min_us  bigint,
    latency_max_us  bigint,
    latency_buckets integer[] NOT NULL,
    latency_counts  bigint[] NOT NULL,
    wait_sum_us     double precision NOT NULL,
    wait_max_us     bigint,
    wait_buckets    integer[] NOT NULL,
    wait_counts     bigint[] NOT NULL,
    response_buckets integer[] NOT NULL,  -- wait + latency: from when it was due to its end
    response_counts bigint[] NOT NULL,
    active_users    integer,         -- 'second': users between their first start and last end
    commits         bigint,          -- 'second': xact_commit of the database, as flushed that second
    wal_bytes       numeric          -- 'second': wal_bytes of the server, as flushed that second
);
CREATE INDEX run_histograms_run_id ON loadtest.run_histograms (run_id, scope);
COMMENT ON TABLE loadtest.run_histograms IS 'loadtest: mergeable latency and wait histograms of each run, per operation, per stage and operation, and per second';

-- Failed operations by operation and SQLSTATE, with their most frequent
-- messages: at most 10 messages per operation and SQLSTATE (the most
-- frequent of the first 32 distinct ones met), the others counted in a row
-- whose message is NULL.
CREATE TABLE loadtest.run_errors (
    run_id       bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    operation_no smallint NOT NULL,
    sqlstate     text NOT NULL,
    message      text,
    count        bigint NOT NULL
);
CREATE INDEX run_errors_run_id ON loadtest.run_errors (run_id);
COMMENT ON TABLE loadtest.run_errors IS 'loadtest: failed operations of each run by operation, SQLSTATE and message (the 10 most frequent messages; NULL: the others)';

-- Where the time went: the wait event of each worker inside an operation,
-- sampled every loadtest.wait_sample_interval_ms.  wait_event_type 'CPU'
-- (and wait_event 'CPU'): no wait event, i.e. on CPU.  share_pct is the
-- share of the operation's samples (0..100).
CREATE TABLE loadtest.wait_profile (
    run_id          bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    operation       text NOT NULL,
    wait_event_type text NOT NULL,
    wait_event      text NOT NULL,
    samples         bigint NOT NULL,
    share_pct       double precision NOT NULL
);
CREATE INDEX wait_profile_run_id ON loadtest.wait_profile (run_id);
COMMENT ON TABLE loadtest.wait_profile IS 'loadtest: wait events sampled in each run''s workers while they ran an operation (CPU: none)';

-- What the database did: the change over the run of the counters of
-- pg_stat_database (this database), pg_stat_bgwriter and pg_stat_wal.
-- stat is the view's column name.
CREATE TABLE loadtest.run_db_stats (
    run_id bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    source text NOT NULL,            -- the view: pg_stat_database, pg_stat_bgwriter, pg_stat_wal
    stat   text NOT NULL,
    value  numeric NOT NULL,
    PRIMARY KEY (run_id, stat)
);
COMMENT ON TABLE loadtest.run_db_stats IS 'loadtest: change over each run of the counters of pg_stat_database, pg_stat_bgwriter and pg_stat_wal';

-- The change over the run of the counters of pg_stat_user_tables and
-- pg_statio_user_tables, for each table the run's statements use.
CREATE TABLE loadtest.run_table_stats (
    run_id            bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    table_name        text NOT NULL,  -- schema-qualified, quoted as needed
    seq_scan          bigint,
    seq_tup_read      bigint,
    idx_scan          bigint,
    idx_tup_fetch     bigint,
    n_tup_ins         bigint,
    n_tup_upd         bigint,
    n_tup_del         bigint,
    n_tup_hot_upd     bigint,
    n_dead_tup        bigint,         -- change of the estimate
    heap_blks_read    bigint,
    heap_blks_hit     bigint,
    idx_blks_read     bigint,
    idx_blks_hit      bigint,
    vacuum_count      bigint,
    autovacuum_count  bigint,
    analyze_count     bigint,
    autoanalyze_count bigint,
    PRIMARY KEY (run_id, table_name)
);
COMMENT ON TABLE loadtest.run_table_stats IS 'loadtest: change over each run of the statistics of the tables its statements use';

-- Each worker's memory (the total of its memory contexts) when it starts
-- serving, every 5 seconds after, and when it ends; ops: the operations
-- it had run by then.
CREATE TABLE loadtest.run_memory (
    run_id    bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    worker_no integer NOT NULL,
    at_s      double precision NOT NULL,
    ops       bigint NOT NULL,
    bytes     bigint NOT NULL
);
CREATE INDEX run_memory_run_id ON loadtest.run_memory (run_id);
COMMENT ON TABLE loadtest.run_memory IS 'loadtest: memory of each run''s workers over the run';

-- The plan of every statement of the run's operations, captured once when
-- the run starts (EXPLAIN (VERBOSE, FORMAT JSON), as the calling role):
-- plan with parameters drawn by the operation's generators (a parameter
-- taken from an earlier statement's result is left unknown), generic_plan
-- with every parameter unknown, as a prepared statement's generic plan,
-- which depends on the schema and its statistics alone.  changed: the
-- generic plan's shape (loadtest.plan_shape: node types, relations,
-- indexes; not costs) differs from that of the last earlier run of the same
-- role with the same operation, variant and statement (drawn values would
-- make it flip between runs of an unchanged database).
CREATE TABLE loadtest.run_plans (
    run_id       bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    operation    text NOT NULL,
    variant_no   smallint NOT NULL,    -- 1.. (1 for an operation without variants)
    statement_no smallint NOT NULL,    -- 1..
    plan         jsonb,                -- NULL when it could not be explained (error)
    generic_plan jsonb,                -- the plan without the parameters' values
    error        text,
    changed      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run_id, operation, variant_no, statement_no)
);
COMMENT ON TABLE loadtest.run_plans IS 'loadtest: the plans of each run''s statements when it started, and whether their shape changed since the last run';

-- Each role sees the evidence of its own runs (row-level security, as
-- for the other result tables; only the owner writes).
ALTER TABLE loadtest.run_histograms ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_histograms_of_own_runs ON loadtest.run_histograms FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_histograms.run_id));
ALTER TABLE loadtest.run_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_errors_of_own_runs ON loadtest.run_errors FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_errors.run_id));
ALTER TABLE loadtest.wait_profile ENABLE ROW LEVEL SECURITY;
CREATE POLICY wait_profile_of_own_runs ON loadtest.wait_profile FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) wait_profile.run_id));
ALTER TABLE loadtest.run_db_stats ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_db_stats_of_own_runs ON loadtest.run_db_stats FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_db_stats.run_id));
ALTER TABLE loadtest.run_table_stats ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_table_stats_of_own_runs ON loadtest.run_table_stats FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_table_stats.run_id));
ALTER TABLE loadtest.run_memory ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_memory_of_own_runs ON loadtest.run_memory FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_memory.run_id));
ALTER TABLE loadtest.run_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY run_plans_of_own_runs ON loadtest.run_plans FOR SELECT
    USING (EXISTS (SELECT 1 FROM loadtest.runs r
                    WHERE r.run_id OPERATOR(pg_catalog.=) run_plans.run_id));

GRANT SELECT ON loadtest.run_histograms, loadtest.run_errors, loadtest.wait_profile,
    loadtest.run_db_stats, loadtest.run_table_stats, loadtest.run_memory,
    loadtest.run_plans TO PUBLIC;

-- in pg_dump output with the other results
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_histograms', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_errors', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.wait_profile', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_db_stats', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_table_stats', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_memory', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_plans', '');
-- loadtest 1.4: the built-in workload, rows of loadtest.operations and
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
-- loadtest 1.4: the triggers that keep the result tables consistent.  No
-- sample outlives its run: loadtest.sample_log has no foreign key to
-- loadtest.runs (checking one per recorded sample cost more than the rest
-- of recording), so these delete or truncate a run's samples with it.
-- (run_users, run_operations, run_patterns and the evidence of 1.4 --
-- run_histograms, run_errors, wait_profile, run_db_stats, run_table_stats,
-- run_memory, run_plans -- have foreign keys ON DELETE CASCADE: a DELETE
-- cascades to them, a TRUNCATE of runs fails unless it has CASCADE or
-- names them all, so that none outlives its run either.)
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
    stages jsonb DEFAULT NULL,
    samples text DEFAULT 'all')
RETURNS bigint
AS 'MODULE_PATHNAME', 'loadtest_run'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_run IS
'run a load test: users simulated users each run ops operations (or for duration) of the given pattern, each on a worker of its own or sharing pool_size workers; samples chooses which attempts loadtest.sample_log keeps (''all'', ''errors'', ''none'' or a fraction such as ''0.01''; the summaries keep every attempt); returns the run id when done';

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
    samples text DEFAULT 'all',
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

CREATE OR REPLACE FUNCTION loadtest_scenario(scenario text, force boolean DEFAULT false,
                                             samples text DEFAULT 'all')
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
                                    ramp_up_s => s.ramp_up_s, force => force,
                                    samples => loadtest_scenario.samples);
END;
$$;

COMMENT ON FUNCTION loadtest_scenario(text, boolean, text) IS
'run a named scenario of loadtest.scenarios, e.g. loadtest_scenario(''quick''); samples as in loadtest_run()';

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
REVOKE EXECUTE ON FUNCTION loadtest_scenario(text, boolean, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION loadtest_preview_generator(generator jsonb, draws integer DEFAULT 10,
    seed bigint DEFAULT 1)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'loadtest_preview_generator'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) IS
'loadtest: draws values of one generator of an operation''s params (as text), without running anything; column and page generators read their table as the caller';
REVOKE EXECUTE ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) FROM PUBLIC;
-- loadtest 1.4: trust.  What may change the result tables, and how: the
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
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)',
     'start runs'),
    ('EXECUTE', 'PROCEDURE', '@extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text, bigint)',
     'start long runs'),
    ('EXECUTE', 'FUNCTION', '@extschema@.loadtest_scenario(text, boolean, text)',
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
-- loadtest 1.4: loadtest_seed(), which fills the membership schema with
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
-- loadtest 1.4: the reporting layer.
--
--   loadtest.histogram_bucket(), loadtest.histogram_bucket_value(),
--   loadtest.histogram_percentiles()
--                            the log-linear histograms of the summaries
--                            (C, src/histogram.c)
--   loadtest.summarize_samples()
--                            internal: a run's summaries built from its
--                            samples (the upgrade from 1.3, tests)
--   loadtest.samples         the samples with their pattern and operation
--                            by name (loadtest.sample_log stores numbers)
--   loadtest.run_summary, loadtest.operation_stats, loadtest.user_stats,
--   loadtest.error_stats, loadtest.run_timeline
--                            views over the result tables, for users' own
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
-- Since 1.4 the views and the report read the bounded summaries of a run
-- (loadtest.run_histograms, loadtest.run_errors and the figures of
-- loadtest.run_users), which the recorder keeps from every attempt whatever
-- samples => ... chose, not loadtest.sample_log: what they read grows with
-- the run's operations and seconds, not with its attempts.  Percentiles
-- come from the merged histograms (loadtest.histogram_percentiles): within
-- 0.78% of percentile_cont over the samples, exact below 128 us.
--
-- Every view groups by run_id (or joins on it), so that "WHERE run_id = X"
-- is pushed down into the aggregation and only that run's summaries are
-- read (through the indexes on run_id).  They group by the numbers of the
-- operations and join the names of the run's operations afterwards.

-- ---------------------------------------------------------------------------
-- Histograms (C, src/histogram.c)
--
-- A value v (microseconds) falls into bucket loadtest.histogram_bucket(v):
-- v itself below 128, then 64 buckets per power of two (0..2431); a bucket's
-- representative value (loadtest.histogram_bucket_value) is within 0.78% of
-- every value in it.  The aggregate loadtest.histogram_percentiles(buckets,
-- counts, fractions) merges the histograms of its rows (NULL arrays are
-- skipped) and gives, for each fraction, the percentile in microseconds,
-- interpolated as percentile_cont does; NULL without values.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.histogram_bucket(value_us bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'loadtest_histogram_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_bucket(bigint) IS
'loadtest: the bucket (0..2431) of a value in microseconds in the log-linear histograms of loadtest.run_histograms: the value itself below 128, then 64 buckets per power of two';

CREATE OR REPLACE FUNCTION loadtest.histogram_bucket_value(bucket integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'loadtest_histogram_bucket_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_bucket_value(integer) IS
'loadtest: the representative value in microseconds of a histogram bucket (exact below 128, else the middle of its range: within 0.78% of every value in it)';

CREATE OR REPLACE FUNCTION loadtest.histogram_percentiles_add(internal, integer[], bigint[], double precision[])
RETURNS internal
AS 'MODULE_PATHNAME', 'loadtest_histogram_percentiles_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_percentiles_add(internal, integer[], bigint[], double precision[]) IS
'loadtest (internal): the state function of loadtest.histogram_percentiles()';

CREATE OR REPLACE FUNCTION loadtest.histogram_percentiles_final(internal)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'loadtest_histogram_percentiles_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.histogram_percentiles_final(internal) IS
'loadtest (internal): the final function of loadtest.histogram_percentiles()';

-- (an aggregate has no settings of its own: its functions pin search_path)
CREATE OR REPLACE AGGREGATE loadtest.histogram_percentiles(integer[], bigint[], double precision[]) (
    SFUNC = loadtest.histogram_percentiles_add,
    STYPE = internal,
    FINALFUNC = loadtest.histogram_percentiles_final,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE loadtest.histogram_percentiles(integer[], bigint[], double precision[]) IS
'loadtest: merges the histograms (buckets, counts) of its rows and returns, for each fraction of the first row''s fractions, the percentile in microseconds, interpolated as percentile_cont does (within 0.78%; exact below 128 us); NULL without values';

-- ---------------------------------------------------------------------------
-- A run's summaries from its samples (internal)
--
-- What the recorder of 1.4 keeps of every attempt, built from the rows of
-- loadtest.sample_log instead: the runs recorded before 1.4 get their
-- summaries from it when the extension is updated (1.3--1.4-after.sql), and
-- tests build the summaries of the samples they write.  Replaces the run's
-- rows of loadtest.run_histograms and loadtest.run_errors and the figures of
-- loadtest.run_users; only for a run whose sample_log holds every attempt
-- (samples = 'all'), so that the figures are the run's.  The per-second
-- rows have no commits nor wal_bytes (not known from samples).  Runs with
-- the caller's rights: only the results' owner writes these tables.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.summarize_samples(run_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_run_id bigint := summarize_samples.run_id;
    r        loadtest.runs;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = v_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object';
    END IF;
    IF r.samples IS DISTINCT FROM 'all' THEN
        RAISE EXCEPTION 'loadtest run % kept only some of its samples (samples => %): its summaries cannot be built from them',
                        v_run_id, quote_literal(r.samples)
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    DELETE FROM loadtest.run_histograms h WHERE h.run_id = v_run_id;
    DELETE FROM loadtest.run_errors e WHERE e.run_id = v_run_id;

    -- Each sample in its groups: its operation, its stage and operation
    -- (the first stage whose [start_s, end_s) holds its start), its second.
    -- NULLs of the keys stand as -1 in the joins of the histograms.
    WITH stages AS (
        SELECT e.ord::integer AS stage,
               loadtest.jsonb_float8(e.v -> 'start_s') * 1e6::float8 AS start_us,
               loadtest.jsonb_float8(e.v -> 'end_s') * 1e6::float8 AS end_us
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.stages) = 'array'
                                         THEN r.stages ELSE '[]'::jsonb END)
               WITH ORDINALITY AS e(v, ord)
    ), sm AS (
        SELECT sl.operation_no, sl.start_us, sl.latency_us, sl.wait_us, sl.tries, sl.success,
               (SELECT min(st.stage) FROM stages st
                 WHERE sl.start_us::float8 >= st.start_us AND sl.start_us::float8 < st.end_us) AS stage,
               CASE WHEN sl.start_us >= 0 AND sl.start_us < 2147483647000000
                    THEN (sl.start_us / 1000000)::integer END AS second
          FROM loadtest.sample_log sl
         WHERE sl.run_id = v_run_id
    ), keyed AS (
        SELECT 'operation'::text AS scope, sm.operation_no::integer AS k_op, -1 AS k_stage, -1 AS k_second, sm.*
          FROM sm
        UNION ALL
        SELECT 'stage', sm.operation_no, sm.stage, -1, sm.* FROM sm WHERE sm.stage IS NOT NULL
        UNION ALL
        SELECT 'second', -1, -1, sm.second, sm.* FROM sm WHERE sm.second IS NOT NULL
    ), figures AS (
        SELECT k.scope, k.k_op, k.k_stage, k.k_second,
               count(*) AS ops,
               count(*) FILTER (WHERE NOT k.success) AS errors,
               count(*) FILTER (WHERE k.tries > 1::smallint) AS retried_ops,
               coalesce(sum(k.tries::integer - 1), 0) AS retries,
               count(*) FILTER (WHERE k.wait_us > 10000::bigint) AS late_starts,
               min(k.start_us) AS first_start_us,
               max(k.start_us::numeric + k.latency_us::numeric) AS last_end,
               sum(k.latency_us::float8) AS latency_sum_us,
               min(k.latency_us) AS latency_min_us,
               max(k.latency_us) AS latency_max_us,
               sum(k.wait_us::float8) AS wait_sum_us,
               max(k.wait_us) AS wait_max_us
          FROM keyed k
         GROUP BY k.scope, k.k_op, k.k_stage, k.k_second
    ), lat AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(k.latency_us) AS bucket, count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), wt AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(k.wait_us) AS bucket, count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), rsp AS (
        SELECT b.scope, b.k_op, b.k_stage, b.k_second,
               array_agg(b.bucket ORDER BY b.bucket) AS buckets, array_agg(b.n ORDER BY b.bucket) AS counts
          FROM (SELECT k.scope, k.k_op, k.k_stage, k.k_second,
                       loadtest.histogram_bucket(CASE WHEN k.wait_us::numeric + k.latency_us::numeric
                                                           > 9223372036854775807::numeric
                                                      THEN 9223372036854775807::bigint
                                                      WHEN k.wait_us::numeric + k.latency_us::numeric
                                                           < 0::numeric
                                                      THEN 0::bigint
                                                      ELSE k.wait_us + k.latency_us END) AS bucket,
                       count(*) AS n
                  FROM keyed k
                 GROUP BY 1, 2, 3, 4, 5) b
         GROUP BY b.scope, b.k_op, b.k_stage, b.k_second
    ), users AS (
        -- active users of a second: between their first start and last end
        SELECT min(sl.start_us) AS first_start_us,
               max(sl.start_us::numeric + sl.latency_us::numeric) AS last_end
          FROM loadtest.sample_log sl
         WHERE sl.run_id = v_run_id
         GROUP BY sl.user_no
    )
    INSERT INTO loadtest.run_histograms
           (run_id, scope, operation_no, stage, second, ops, errors, retried_ops, retries,
            late_starts, first_start_us, last_end_us, latency_sum_us, latency_min_us,
            latency_max_us, latency_buckets, latency_counts, wait_sum_us, wait_max_us,
            wait_buckets, wait_counts, response_buckets, response_counts, active_users,
            commits, wal_bytes)
    SELECT v_run_id, f.scope,
           CASE WHEN f.scope <> 'second' THEN f.k_op::smallint END,
           CASE WHEN f.scope = 'stage' THEN f.k_stage::smallint END,
           CASE WHEN f.scope = 'second' THEN f.k_second END,
           f.ops, f.errors, f.retried_ops, f.retries, f.late_starts, f.first_start_us,
           CASE WHEN f.last_end <= 9223372036854775807::numeric THEN f.last_end::bigint END,
           f.latency_sum_us, f.latency_min_us, f.latency_max_us, l.buckets, l.counts,
           f.wait_sum_us, f.wait_max_us, w.buckets, w.counts, rs.buckets, rs.counts,
           CASE WHEN f.scope = 'second' THEN
                (SELECT count(*)::integer FROM users u
                  WHERE u.first_start_us::numeric < (f.k_second::numeric + 1::numeric) * 1000000::numeric
                    AND u.last_end >= f.k_second::numeric * 1000000::numeric) END,
           NULL::bigint, NULL::numeric
      FROM figures f
      JOIN lat l ON l.scope = f.scope AND l.k_op = f.k_op AND l.k_stage = f.k_stage AND l.k_second = f.k_second
      JOIN wt w ON w.scope = f.scope AND w.k_op = f.k_op AND w.k_stage = f.k_stage AND w.k_second = f.k_second
      JOIN rsp rs ON rs.scope = f.scope AND rs.k_op = f.k_op AND rs.k_stage = f.k_stage AND rs.k_second = f.k_second;

    -- Errors by operation and SQLSTATE, with the 10 most frequent messages
    -- of each (ties by message); the others, and failures without a
    -- message, in the row whose message is NULL.
    INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
    SELECT v_run_id, m.operation_no, m.sqlstate,
           CASE WHEN m.rank <= 10 THEN m.message END, sum(m.n)::bigint
      FROM (SELECT g.*,
                   CASE WHEN g.message IS NULL THEN 11::bigint
                        ELSE row_number() OVER (PARTITION BY g.operation_no, g.sqlstate, g.message IS NULL
                                                ORDER BY g.n DESC, g.message) END AS rank
              FROM (SELECT sl.operation_no, coalesce(sl.sqlstate, '') AS sqlstate, sl.message,
                           count(*) AS n
                      FROM loadtest.sample_log sl
                     WHERE sl.run_id = v_run_id AND NOT sl.success
                     GROUP BY 1, 2, 3) g) m
     GROUP BY m.operation_no, m.sqlstate, CASE WHEN m.rank <= 10 THEN m.message END;

    -- Each user's failures, the sum and the p95 of its latencies.
    UPDATE loadtest.run_users u
       SET errors = coalesce(x.errors, 0),
           latency_sum_us = coalesce(x.latency_sum_us, 0::float8),
           latency_p95_us = x.latency_p95_us
      FROM (SELECT uu.user_no, s.errors, s.latency_sum_us, s.latency_p95_us
              FROM loadtest.run_users uu
              LEFT JOIN (SELECT sl.user_no,
                                count(*) FILTER (WHERE NOT sl.success) AS errors,
                                sum(sl.latency_us::float8) AS latency_sum_us,
                                percentile_cont(0.95::float8) WITHIN GROUP (ORDER BY sl.latency_us::float8) AS latency_p95_us
                           FROM loadtest.sample_log sl
                          WHERE sl.run_id = v_run_id
                          GROUP BY sl.user_no) s ON s.user_no = uu.user_no
             WHERE uu.run_id = v_run_id) x
     WHERE u.run_id = v_run_id AND u.user_no = x.user_no;
END
$$;

COMMENT ON FUNCTION loadtest.summarize_samples(bigint) IS
'loadtest (internal): builds the summaries of a run (loadtest.run_histograms, loadtest.run_errors, the figures of loadtest.run_users) from its rows of loadtest.sample_log, replacing those it had; only for a run that kept all its samples (samples = ''all''); for the runs recorded before 1.4 and for tests';
REVOKE EXECUTE ON FUNCTION loadtest.summarize_samples(bigint) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Views
--
-- A view's operators and functions are bound when it is created, under the
-- search_path of CREATE EXTENSION / ALTER EXTENSION UPDATE (the extension's
-- schema, after pg_catalog).  An operator of pg_catalog wins there only if
-- its argument types match exactly: so every operator below has operands of
-- exactly the types of one of pg_catalog's (float8 constants, casts; the
-- numbers of patterns and operations are smallint on both sides).  Sums
-- that could overflow bigint are taken in numeric (counts, then brought
-- back to bigint only within its range) or float8 (times; the float8
-- columns of the summaries only when finite and within 1e300, so that no
-- sum overflows), and divisions that could overflow float8 are guarded, so
-- that the views return a row for any content of the tables.
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

-- A run's figures from its 'operation' rows (one per operation that had
-- attempts): duration from the first start to the last end, counts from
-- the columns, response times and waits from the merged histograms.
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
       coalesce(c.total_ops, 0::bigint) AS total_ops,
       coalesce(c.successful, 0::bigint) AS successful,
       coalesce(c.failed, 0::bigint) AS failed,
       100::float8 * c.successful::float8 / nullif(c.total_ops::float8, 0::float8) AS success_pct,
       CASE WHEN abs(d.duration_s) >= 1e-9::float8
            THEN c.total_ops::float8 / d.duration_s END AS throughput_ops_s,
       s.latency_sum / nullif(s.ops, 0::float8) / 1000::float8 AS avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.pct_us[3] / 1000::float8 AS p99_ms,
       s.min_ms,
       s.max_ms,
       s.read_ops / nullif(s.ops, 0::float8) AS read_share,
       coalesce(c.retried_ops, 0::bigint) AS retried_ops,
       coalesce(c.retries, 0::bigint) AS retries,
       s.wait_sum / nullif(s.ops, 0::float8) / 1000::float8 AS avg_wait_ms,
       s.wait_pct_us[1] / 1000::float8 AS p95_wait_ms,
       s.max_wait_ms,
       coalesce(c.late_starts, 0::bigint) AS late_starts
  FROM loadtest.runs r
  LEFT JOIN (
        SELECT h.run_id,
               sum(h.ops) AS total_ops,
               sum(h.ops) - sum(h.errors) AS successful,
               sum(h.errors) AS failed,
               sum(h.ops)::float8 AS ops,
               (max(h.last_end_us)::float8 - min(h.first_start_us)::float8) / 1e6::float8 AS duration_s,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               min(h.latency_min_us)::float8 / 1000::float8 AS min_ms,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               coalesce(sum(h.ops) FILTER (WHERE o.kind = 'read'::text), 0::numeric)::float8 AS read_ops,
               sum(h.retried_ops) AS retried_ops,
               sum(h.retries) AS retries,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               max(h.wait_max_us)::float8 / 1000::float8 AS max_wait_ms,
               sum(h.late_starts) AS late_starts
          FROM loadtest.run_histograms h
          LEFT JOIN loadtest.run_operations o
                 ON o.run_id = h.run_id AND o.operation_no = h.operation_no
         WHERE h.scope = 'operation'::text
         GROUP BY h.run_id
       ) s ON s.run_id = r.run_id
  -- the counts as bigint (sums of bigint are numeric): NULL beyond its range
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.total_ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.total_ops::bigint END AS total_ops,
               CASE WHEN s.successful BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.successful::bigint END AS successful,
               CASE WHEN s.failed BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.failed::bigint END AS failed,
               CASE WHEN s.retried_ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.retried_ops::bigint END AS retried_ops,
               CASE WHEN s.retries BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.retries::bigint END AS retries,
               CASE WHEN s.late_starts BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.late_starts::bigint END AS late_starts
       ) c
  CROSS JOIN LATERAL (
        SELECT coalesce(nullif(s.duration_s, 0::float8), r.duration_s) AS duration_s
       ) d;

COMMENT ON VIEW loadtest.run_summary IS
'loadtest: one row per run with its overall figures, from its summaries (loadtest.run_histograms, whatever samples => ... kept): duration_s (first start to last end of its operations, else runs.duration_s), operations, success_pct (0..100), throughput_ops_s, response times in ms (percentiles of the merged histograms: within 0.78% of percentile_cont), read_share (0..1, share of read operations), retried_ops and retries (loadtest.max_tries), and the wait of operations between when they were due and their start in ms (pool wait in a pooled run, schedule lag in a rate run), late_starts (operations that started more than 10 ms after they were due)';

CREATE OR REPLACE VIEW loadtest.operation_stats WITH (security_invoker = true) AS
SELECT s.run_id,
       o.operation,
       o.kind,
       c.ops,
       s.latency_sum / nullif(s.ops_f, 0::float8) / 1000::float8 AS avg_ms,
       s.pct_us[1] / 1000::float8 AS median_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.max_ms,
       c.errors,
       100::float8 * s.errors_f / nullif(s.ops_f, 0::float8) AS error_pct
  FROM (SELECT h.run_id,
               h.operation_no,
               sum(h.ops) AS ops,
               sum(h.ops)::float8 AS ops_f,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95]::float8[]) AS pct_us,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               sum(h.errors) AS errors,
               sum(h.errors)::float8 AS errors_f
          FROM loadtest.run_histograms h
         WHERE h.scope = 'operation'::text
         GROUP BY h.run_id, h.operation_no
       ) s
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.ops::bigint END AS ops,
               CASE WHEN s.errors BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.errors::bigint END AS errors
       ) c
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = s.run_id AND o.operation_no = s.operation_no;

COMMENT ON VIEW loadtest.operation_stats IS
'loadtest: per run and operation, from its summaries (loadtest.run_histograms): operations, response times in ms (percentiles of the merged histograms: within 0.78% of percentile_cont), errors and error_pct (0..100)';

CREATE OR REPLACE VIEW loadtest.user_stats WITH (security_invoker = true) AS
SELECT u.run_id,
       u.user_no,
       u.pattern,
       u.ops_done::bigint AS ops,
       CASE WHEN abs(u.latency_sum_us) <= 1e300::float8 AND u.ops_done <> 0
            THEN u.latency_sum_us / u.ops_done::float8 / 1000::float8 END AS avg_ms,
       u.latency_p95_us / 1000::float8 AS p95_ms,
       coalesce(u.errors, 0::bigint) AS errors,
       u.lost
  FROM loadtest.run_users u;

COMMENT ON VIEW loadtest.user_stats IS
'loadtest: per run and simulated user: pattern, operations (run_users.ops_done), response times in ms (the p95 from the user''s histogram), errors and whether the user was lost';

CREATE OR REPLACE VIEW loadtest.error_stats WITH (security_invoker = true) AS
SELECT e.run_id,
       o.operation,
       e.sqlstate,
       e.message,
       e.count
  FROM loadtest.run_errors e
  LEFT JOIN loadtest.run_operations o
         ON o.run_id = e.run_id AND o.operation_no = e.operation_no;

COMMENT ON VIEW loadtest.error_stats IS
'loadtest: failed operations per run, operation, SQLSTATE and message (loadtest.run_errors: the 10 most frequent messages of each operation and SQLSTATE; message NULL: the others)';
-- A run second by second, from its 'second' rows (a second may have more
-- than one row: they add up).  A second in which no operation started has
-- no row.  concurrency is the operations in flight on average over the
-- second (Little's law: the sum of the latencies of the operations that
-- started in it, over one second).
CREATE OR REPLACE VIEW loadtest.run_timeline WITH (security_invoker = true) AS
SELECT s.run_id,
       s.second,
       c.ops,
       c.errors,
       s.pct_us[1] / 1000::float8 AS p50_ms,
       s.pct_us[2] / 1000::float8 AS p95_ms,
       s.pct_us[3] / 1000::float8 AS p99_ms,
       s.active_users,
       s.wait_sum / nullif(s.ops_f, 0::float8) / 1000::float8 AS avg_wait_ms,
       s.wait_pct_us[1] / 1000::float8 AS p95_wait_ms,
       s.latency_sum / 1e6::float8 AS concurrency,
       c.commits,
       s.wal_bytes
  FROM (SELECT h.run_id,
               h.second,
               sum(h.ops) AS ops,
               sum(h.ops)::float8 AS ops_f,
               sum(h.errors) AS errors,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               max(h.active_users) AS active_users,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END) AS latency_sum,
               sum(h.commits) AS commits,
               sum(h.wal_bytes) AS wal_bytes
          FROM loadtest.run_histograms h
         WHERE h.scope = 'second'::text
         GROUP BY h.run_id, h.second
       ) s
  CROSS JOIN LATERAL (
        SELECT CASE WHEN s.ops BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.ops::bigint END AS ops,
               CASE WHEN s.errors BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.errors::bigint END AS errors,
               CASE WHEN s.commits BETWEEN -9223372036854775808::numeric AND 9223372036854775807::numeric
                    THEN s.commits::bigint END AS commits
       ) c;

COMMENT ON VIEW loadtest.run_timeline IS
'loadtest: per run and second (operations by the second they started in, from loadtest.run_histograms): operations, errors, response times in ms (p50, p95, p99 of the merged histograms), active users, wait in ms (pool wait or schedule lag: average, p95), concurrency (operations in flight on average: Little''s law), commits and WAL bytes of the server that second; seconds without a start have no row';

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
    v_lock_errs numeric;
    v_othr_errs numeric;
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
                         CASE WHEN r.status = 'running'
                              THEN 'its figures are written when it ends (the call that runs it prints its progress)'
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

    -- 3b. Stages: the results of each stage of a staged run, from its
    -- 'stage' rows (stage: the position of the stage in runs.stages)
    IF r.stages IS NOT NULL THEN
        o := o || 'Stages:'::text;
        -- Any jsonb: not an array, elements that are not objects, missing
        -- keys or strings for numbers give stages with empty fields.
        FOR rec IN
            SELECT st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s,
                   CASE WHEN abs(st.end_s) < 1e300::float8 AND abs(st.start_s) < 1e300::float8
                        THEN st.end_s - st.start_s END AS length_s,
                   coalesce(sum(h.ops), 0) AS ops,
                   coalesce(sum(h.errors), 0) AS errors,
                   sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END)
                       / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
                   (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                                   ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms
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
                   LEFT JOIN loadtest.run_histograms h
                     ON h.run_id = v_run_id AND h.scope = 'stage' AND h.stage = st.ord
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
                                                         THEN rec.ops::float8 / rec.length_s END, c_2d),
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
        -- server cannot hide its stall (no coordinated omission): the
        -- response histograms (schedule lag + operation) of the summaries
        v_avg_intended := s.avg_wait_ms + s.avg_ms;
        SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                              ARRAY[0.95, 0.99]::float8[])
          INTO v_pct_intended
          FROM loadtest.run_histograms h
         WHERE h.run_id = v_run_id AND h.scope = 'operation';
        o := o || format('   From intended start (schedule lag + operation): average %s, p95 %s, p99 %s',
                         coalesce(loadtest.format_number(v_avg_intended, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(v_pct_intended[1] / 1000, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(v_pct_intended[2] / 1000, c_2d) || 'ms', 'n/a'))
               || format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d), loadtest.format_number(s.late_starts, c_int),
                         loadtest.format_number(100.0 * s.late_starts / nullif(s.total_ops, 0), c_2d));
    ELSIF r.pool_size IS NOT NULL THEN
        -- what users feel when the pool is too small: the wait for a worker
        o := o || format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                         loadtest.format_number(s.avg_wait_ms, c_2d), loadtest.format_number(s.p95_wait_ms, c_2d),
                         loadtest.format_number(s.max_wait_ms, c_2d))
               || format('   As users feel it (pool wait + operation): average %s, p95 %s',
                         coalesce(loadtest.format_number(s.avg_wait_ms + s.avg_ms, c_2d) || 'ms', 'n/a'),
                         coalesce(loadtest.format_number(
                             (SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                                                    ARRAY[0.95]::float8[])
                                FROM loadtest.run_histograms h
                               WHERE h.run_id = v_run_id AND h.scope = 'operation')[1] / 1000, c_2d) || 'ms', 'n/a'));
    END IF;
    o := o || ''::text;

    -- 5. Operations (the figures of loadtest.operation_stats, most frequent
    -- first, then in the run's order of operations): the run's 'operation'
    -- rows grouped by the operations' numbers, their names joined afterwards
    o := o || 'Operation Breakdown:'::text;
    v_n := 0;
    FOR rec IN
        SELECT x.operation_no,
               coalesce(ro.operation, '(operation ' || x.operation_no::text || ')') AS operation,
               x.ops, x.avg_ms, x.p95_ms, x.errors
          FROM (SELECT h.operation_no,
                       sum(h.ops) AS ops,
                       sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 THEN h.latency_sum_us END)
                           / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
                       (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                                       ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms,
                       sum(h.errors) AS errors
                  FROM loadtest.run_histograms h
                 WHERE h.run_id = v_run_id AND h.scope = 'operation'
                 GROUP BY h.operation_no) x
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

    -- 5a. Where the time went (45_evidence.sql: the wait events sampled
    -- in the operations), or nothing
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_where_time_went(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));

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

    -- 6. Errors (loadtest.run_errors: the 10 most frequent messages of
    -- each operation and SQLSTATE; message NULL: the others)
    o := o || 'Errors:'::text;
    v_n := 0;
    v_more := 0;
    v_lock_errs := 0;
    v_othr_errs := 0;
    FOR rec IN
        SELECT e.operation_no,
               coalesce(ro.operation, '(operation ' || e.operation_no::text || ')') AS operation,
               e.sqlstate, e.message, e.count
          FROM loadtest.run_errors e
          LEFT JOIN loadtest.run_operations ro
                 ON ro.run_id = v_run_id AND ro.operation_no = e.operation_no
         WHERE e.run_id = v_run_id
         ORDER BY e.count DESC, e.sqlstate, e.operation_no, e.message
    LOOP
        v_n := v_n + 1;
        IF v_n <= c_top_errors THEN
            o := o || format('   [%s] %s (%s): %s',
                             coalesce(loadtest.one_line(nullif(rec.sqlstate, ''), 10), '-----'),
                             coalesce(loadtest.one_line(rec.message, 100), 'other messages'),
                             loadtest.one_line(rec.operation, 100), loadtest.format_number(rec.count, c_int));
        ELSE
            v_more := v_more + 1;
        END IF;
        -- (counts of any size: numeric)
        IF rec.sqlstate IN ('40P01', '40001', '55P03') THEN
            v_lock_errs := v_lock_errs + rec.count::numeric;
        ELSE
            v_othr_errs := v_othr_errs + rec.count::numeric;
        END IF;
    END LOOP;
    IF v_n = 0 THEN
        o := o || '   none'::text;
    ELSIF v_more > 0 THEN
        o := o || format('   ... and %s more (see loadtest.error_stats)', loadtest.format_number(v_more, c_int));
    END IF;
    o := o || ''::text;

    -- 6b. The evidence (45_evidence.sql), each section its title and
    -- lines, or nothing: what the database did, the run over time, the
    -- plans that changed (each followed by an empty line)
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_database(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));
    -- the run over time
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_over_time(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));
    -- which plans ran
    o := o || loadtest.report_block(ARRAY(SELECT t.line FROM loadtest.report_plans(v_run_id)
                                              WITH ORDINALITY AS t(line, n) ORDER BY t.n));

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
                   -- runs with summaries (every run since 1.4 whatever
                   -- samples => ... kept, and the runs before it that
                   -- recorded samples): their figures come from them
                   AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                                WHERE h.run_id = x.run_id AND h.scope = 'operation')
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
               AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                            WHERE h.run_id = x.run_id AND h.scope = 'operation')
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
    loadtest.user_stats, loadtest.error_stats, loadtest.run_timeline, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;
-- loadtest 1.4: the evidence of a run in the report (issue #10).
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

CREATE OR REPLACE FUNCTION loadtest.plan_nodes(plan jsonb)
RETURNS TABLE (node_no bigint, depth integer, relationship text, label text)
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
walk (node, path, depth, relation) AS (
    SELECT root.node, ARRAY[]::integer[], 0, NULL::text
      FROM root
     WHERE jsonb_typeof(root.node -> 'Node Type') = 'string'
    UNION ALL
    SELECT c.child, walk.path || c.ord::integer, walk.depth + 1,
           concat_ws(' ',
                     CASE WHEN jsonb_typeof(c.child -> 'Parent Relationship') = 'string'
                          THEN c.child ->> 'Parent Relationship' END,
                     CASE WHEN jsonb_typeof(c.child -> 'Subplan Name') = 'string'
                          THEN c.child ->> 'Subplan Name' END)
      FROM walk
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(walk.node -> 'Plans') = 'array'
                                                  THEN walk.node -> 'Plans' ELSE '[]'::jsonb END)
                        WITH ORDINALITY AS c(child, ord)
     WHERE walk.depth < 200
       AND jsonb_typeof(c.child) = 'object'
       AND jsonb_typeof(c.child -> 'Node Type') = 'string'
)
SELECT row_number() OVER (ORDER BY walk.path),
       walk.depth,
       nullif(walk.relation, ''),
       loadtest.plan_node_label(walk.node)
  FROM walk
 ORDER BY walk.path
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
        SELECT w.worker_no, t.bytes_per_1000_ops AS per_1000, t.flat, t.verdict,
               w.first_bytes, w.last_bytes, w.ops,
               count(*) FILTER (WHERE NOT t.flat) OVER () AS grew
          FROM (SELECT m.worker_no,
                       array_agg(m.ops::float8 ORDER BY m.at_s, m.ops) AS o,
                       array_agg(m.bytes::float8 ORDER BY m.at_s, m.ops) AS b,
                       (array_agg(m.bytes ORDER BY m.ops, m.at_s))[1] AS first_bytes,
                       (array_agg(m.bytes ORDER BY m.ops DESC, m.at_s DESC))[1] AS last_bytes,
                       max(m.ops) AS ops
                  FROM loadtest.run_memory m
                 WHERE m.run_id = report_over_time.run_id
                 GROUP BY m.worker_no) w
         CROSS JOIN LATERAL @extschema@.loadtest_memory_trend(w.o, w.b) t
         ORDER BY t.flat NULLS LAST, t.bytes_per_1000_ops DESC NULLS LAST, w.worker_no
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
-- loadtest 1.4: the capacity model (Universal Scalability Law).
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
