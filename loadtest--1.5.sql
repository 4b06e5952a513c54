-- loadtest 1.5: result tables (schema loadtest) and the simulated
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
-- loadtest 1.5: the evidence of each run (issue #10), in tables of their
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
    total_bytes       bigint,         -- (1.5) its size with indexes and TOAST at the end (pg_class.relpages: no lock)
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
-- loadtest 1.5: the built-in workload, rows of loadtest.operations and
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
-- loadtest 1.5: the triggers that keep the result tables consistent.  No
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
-- loadtest 1.5: trust.  What may change the result tables, and how: the
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
-- loadtest 1.5: loadtest_seed(), which fills the membership schema with
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
-- loadtest 1.5: the reporting layer.
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
--   loadtest_report()        the text report of a run, from the sections of
--                            42_report_sections.sql
--   loadtest_report_json()   the same report as jsonb
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
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95, 0.99]::float8[]) AS pct_us,
               min(h.latency_min_us)::float8 / 1000::float8 AS min_ms,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               coalesce(sum(h.ops) FILTER (WHERE o.kind = 'read'::text), 0::numeric)::float8 AS read_ops,
               sum(h.retried_ops) AS retried_ops,
               sum(h.retries) AS retries,
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 AND (abs(h.wait_sum_us) >= 1e-300::float8 OR h.wait_sum_us = 0::float8) THEN h.wait_sum_us END) AS wait_sum,
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
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
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
       CASE WHEN abs(u.latency_sum_us) <= 1e300::float8 AND (abs(u.latency_sum_us) >= 1e-300::float8 OR u.latency_sum_us = 0::float8) AND u.ops_done <> 0
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
               sum(CASE WHEN abs(h.wait_sum_us) <= 1e300::float8 AND (abs(h.wait_sum_us) >= 1e-300::float8 OR h.wait_sum_us = 0::float8) THEN h.wait_sum_us END) AS wait_sum,
               loadtest.histogram_percentiles(h.wait_buckets, h.wait_counts,
                                              ARRAY[0.95]::float8[]) AS wait_pct_us,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END) AS latency_sum,
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
-- (beyond the range of float8: as infinities, never an error)
RETURN loadtest.format_number(CASE WHEN value = 'NaN'::numeric THEN 'NaN'::float8
                                   WHEN abs(value) < 1e-300::numeric THEN 0::float8
                                   WHEN abs(value) < 1e300::numeric THEN value::float8
                                   WHEN value > 0::numeric THEN 'Infinity'::float8
                                   ELSE '-Infinity'::float8 END, fmt);

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
--
-- The sections and their list are in 42_report_sections.sql
-- (loadtest.report_sections(): order, name, JSON key); the report writes
-- each section's lines, the JSON form each section's figures.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest_report(run_id bigint DEFAULT NULL,
                                target_ms double precision DEFAULT 500,
                                target_users integer DEFAULT 4000)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
DECLARE
    c_rule   constant text := repeat('=', 70);
    v_run_id bigint;
    s        record;
    o        text[] := '{}';
BEGIN
    v_run_id := loadtest.report_run(loadtest_report.run_id, loadtest_report.target_ms,
                                    loadtest_report.target_users, 'loadtest_report');
    -- each section its lines and an empty line after them, or nothing
    FOR s IN SELECT x.section FROM loadtest.report_sections() x ORDER BY x.section_no LOOP
        o := o || loadtest.report_block(loadtest.report_section_lines(s.section, v_run_id,
                                                                      loadtest_report.target_ms,
                                                                      loadtest_report.target_users));
    END LOOP;
    o := o || c_rule;
    RETURN array_to_string(o, E'\n');
END
$$;

COMMENT ON FUNCTION loadtest_report(bigint, double precision, integer) IS
'loadtest: the text report of a run (NULL: the latest run): configuration, user patterns, results, response times, operations, the evidence (where the time went, errors, what the database did, over time, plans), assessment, the verdict for target_users concurrent users within target_ms (loadtest_verdict(), with the reference guide''s linear formula labelled as not the verdict) and the recommendations (loadtest_recommendations()); target_ms finite and positive, target_users positive (else SQLSTATE 22023); marks stale runs first; one function per section (loadtest.report_sections()); runs written into the tables by hand give odd figures but a report';

CREATE OR REPLACE FUNCTION loadtest_report_json(run_id bigint DEFAULT NULL,
                                     target_ms double precision DEFAULT 500,
                                     target_users integer DEFAULT 4000)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
SET extra_float_digits = 3
AS $$
DECLARE
    v_run_id bigint;
    s        record;
    j        jsonb;
BEGIN
    v_run_id := loadtest.report_run(loadtest_report_json.run_id, loadtest_report_json.target_ms,
                                    loadtest_report_json.target_users, 'loadtest_report_json');
    j := jsonb_build_object('run_id', v_run_id, 'target_ms', loadtest_report_json.target_ms,
                            'target_users', loadtest_report_json.target_users);
    FOR s IN SELECT x.section, x.json_key FROM loadtest.report_sections() x
              WHERE x.json_key IS NOT NULL ORDER BY x.section_no LOOP
        j := j || jsonb_build_object(s.json_key,
                                     loadtest.report_section_data(s.section, v_run_id,
                                                                  loadtest_report_json.target_ms,
                                                                  loadtest_report_json.target_users));
    END LOOP;
    RETURN j;
END
$$;

COMMENT ON FUNCTION loadtest_report_json(bigint, double precision, integer) IS
'loadtest: the report of a run as jsonb (NULL: the latest run), from the same sections as loadtest_report(): run_id, target_ms, target_users, and per section (loadtest.report_sections()) its figures: run, configuration, distribution, overall, stages, response_times, operations, where_time_went, defined_operations, errors, database, over_time, plans, assessment (with guide_formula: the reference guide''s linear estimate, not the verdict), verdict (the row of loadtest_verdict()) and recommendations (the rows of loadtest_recommendations()); the figures are those of the views (run_summary, operation_stats, error_stats, wait_profile, run_timeline ...), float8 in their shortest exact form, NaN and infinities as strings; the arguments and errors of loadtest_report()';

-- Reading results is open to all: the views run as the caller
-- (security_invoker), and row-level security shows each role its own runs.
GRANT SELECT ON loadtest.samples, loadtest.run_summary, loadtest.operation_stats,
    loadtest.user_stats, loadtest.error_stats, loadtest.run_timeline, loadtest.scenarios TO PUBLIC;
GRANT USAGE ON SCHEMA loadtest TO PUBLIC;
GRANT SELECT ON loadtest.runs, loadtest.run_users, loadtest.run_operations,
    loadtest.run_patterns, loadtest.sample_log, loadtest.operations,
    loadtest.patterns TO PUBLIC;
-- loadtest 1.5: the sections of the report and their figures (issue #11).
--
--   loadtest.report_sections()            the list of the report's sections:
--                                         order, name, JSON key; the one
--                                         place loadtest_report() and
--                                         loadtest_report_json() read
--   loadtest.report_run(...)              the report's arguments checked,
--                                         stale runs marked, the run found
--   loadtest.report_section_lines(...),   one section's lines / figures, by
--   loadtest.report_section_data(...)     its name in the list
--   loadtest.report_<name>(...)           the lines of a section
--   loadtest.report_<name>_data(...)      its figures as jsonb: the JSON
--                                         form, and what its lines are
--                                         written from
--
-- The sections, in the report's order (report_sections() is the list):
-- header, configuration, distribution, overall, stages, response_times,
-- operations, where_time_went, defined_operations, errors, database,
-- over_time, plans, assessment, scaling, recommendations.  The lines of
-- where_time_went, database, over_time and plans are the evidence of
-- 45_evidence.sql (loadtest.report_where_time_went(run_id), ...); their
-- figures are here, from the same tables.  The scaling section's figures
-- are the row of loadtest_verdict() (JSON key verdict) and its
-- recommendations the rows of loadtest_recommendations() (55_verdict.sql);
-- the reference guide's linear formula that the scaling section shows
-- beside the verdict, labelled, is a figure of the assessment
-- (guide_formula), like the guide's ratings.
--
-- A section's lines follow the convention of 45_evidence.sql: its heading
-- ('Name:'), then lines indented by three spaces, no empty line at the end;
-- no line at all when the section does not apply to the run (stages of a
-- run without stages, defined operations of a run of built-in ones only).
-- loadtest_report() puts an empty line after each (loadtest.report_block).
-- The lines of a section with figures are written from its _data function,
-- so that the text and the JSON cannot disagree; the configuration's lines
-- are written from the same row of loadtest.runs as its figures (the text
-- keeps the row's own text forms: timestamps, ramp_up_s).
--
-- Every function is SECURITY INVOKER: it reads the result tables through
-- row-level security as the caller.  Any content of those tables gives
-- text and jsonb, not an error: text from the tables goes through
-- loadtest.one_line(), numbers through loadtest.format_number(), divisions
-- are guarded, lists are bounded.  The figures are the views' (run_summary,
-- operation_stats, error_stats, wait_profile, run_timeline ...), computed
-- the same way; counts that the views clamp to bigint are exact sums here
-- (numeric).  A float8 figure is written into jsonb as its shortest exact
-- form whatever the caller's extra_float_digits (the _data functions set
-- it), NaN and infinities as the strings "NaN", "Infinity", "-Infinity";
-- ((j ->> 'key')::float8 reads any of them back).
--
-- Every routine here is plpgsql or SQL with a string body: parsed when it
-- runs, under its pinned search_path (pg_catalog, pg_temp), so its
-- operators are pg_catalog's whatever their operand types.

-- ---------------------------------------------------------------------------
-- The list of sections
-- ---------------------------------------------------------------------------

-- The report's sections in their order: a section's lines come from
-- loadtest.report_<section>(run_id) (or (run_id, target_ms, target_users)
-- when takes_targets), its figures from loadtest.report_<section>_data(...)
-- with the same arguments, under json_key in loadtest_report_json().
CREATE OR REPLACE FUNCTION loadtest.report_sections()
RETURNS TABLE (section_no integer, section text, json_key text, takes_targets boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT v.section_no, v.section, v.json_key, v.takes_targets
  FROM (VALUES
        ( 1, 'header',             'run',                false),
        ( 2, 'configuration',      'configuration',      false),
        ( 3, 'distribution',       'distribution',       false),
        ( 4, 'overall',            'overall',            false),
        ( 5, 'stages',             'stages',             false),
        ( 6, 'response_times',     'response_times',     false),
        ( 7, 'operations',         'operations',         false),
        ( 8, 'where_time_went',    'where_time_went',    false),
        ( 9, 'defined_operations', 'defined_operations', false),
        (10, 'errors',             'errors',             false),
        (11, 'database',           'database',           false),
        (12, 'over_time',          'over_time',          false),
        (13, 'plans',              'plans',              false),
        (14, 'assessment',         'assessment',         true),
        (15, 'scaling',            'verdict',            true),
        (16, 'recommendations',    'recommendations',    false)
       ) AS v(section_no, section, json_key, takes_targets)
 ORDER BY v.section_no
$$;

COMMENT ON FUNCTION loadtest.report_sections() IS
'loadtest (internal): the sections of the report in their order, with their JSON keys: section''s lines from loadtest.report_<section>(run_id) (with target_ms and target_users when takes_targets), its figures from loadtest.report_<section>_data(...); read by loadtest_report() and loadtest_report_json()';

-- ---------------------------------------------------------------------------
-- The run of a report
-- ---------------------------------------------------------------------------

-- The arguments of loadtest_report() / loadtest_report_json() (caller: the
-- name the hints give) checked before anything else, stale runs marked,
-- then the run: run_id, or the latest run the caller sees when NULL.
CREATE OR REPLACE FUNCTION loadtest.report_run(run_id bigint, target_ms double precision,
                                               target_users integer, caller text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run_id bigint := report_run.run_id;
BEGIN
    IF report_run.target_ms IS NULL
       OR NOT (report_run.target_ms > 0 AND report_run.target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %',
                        coalesce(report_run.target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms that the scaling section holds the estimates to.',
                  HINT = format('Pass a number of milliseconds, e.g. %s(target_ms => 500).', caller);
    END IF;
    IF report_run.target_users IS NULL OR report_run.target_users < 1 THEN
        RAISE EXCEPTION 'target_users must be a positive number of users, not %',
                        coalesce(report_run.target_users::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_users is the number of concurrent users that the verdict of the scaling section is for.',
                  HINT = format('Pass a number of users, e.g. %s(target_users => 4000).', caller);
    END IF;

    RETURN loadtest.resolve_run(v_run_id, 'report on');
END
$$;

COMMENT ON FUNCTION loadtest.report_run(bigint, double precision, integer, text) IS
'loadtest (internal): checks the arguments of a report (target_ms finite and positive, target_users positive: else SQLSTATE 22023, the hint naming caller), marks stale runs, and returns the run to report on: run_id, or the latest run the caller sees when NULL (none: SQLSTATE P0002; not found: 42704)';

-- One section of the list, by name: its lines ...
CREATE OR REPLACE FUNCTION loadtest.report_section_lines(section text, run_id bigint,
                                                         target_ms double precision,
                                                         target_users integer)
RETURNS text[]
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s       record;
    v_lines text[];
BEGIN
    SELECT * INTO s FROM loadtest.report_sections() x WHERE x.section = report_section_lines.section;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report has no section %', coalesce(quote_literal(report_section_lines.section), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sections are those of loadtest.report_sections(), by name.',
                  HINT = 'SELECT section FROM loadtest.report_sections(); lists them.';
    END IF;
    EXECUTE format('SELECT ARRAY(SELECT t.line FROM loadtest.%I($1%s) WITH ORDINALITY AS t(line, n) ORDER BY t.n)',
                   'report_' || s.section, CASE WHEN s.takes_targets THEN ', $2, $3' ELSE '' END)
       INTO v_lines
      USING report_section_lines.run_id, report_section_lines.target_ms, report_section_lines.target_users;
    RETURN v_lines;
END
$$;

COMMENT ON FUNCTION loadtest.report_section_lines(text, bigint, double precision, integer) IS
'loadtest (internal): the lines of one section of the report (a name of loadtest.report_sections()) for a run';

-- ... and its figures
CREATE OR REPLACE FUNCTION loadtest.report_section_data(section text, run_id bigint,
                                                        target_ms double precision,
                                                        target_users integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s      record;
    v_data jsonb;
BEGIN
    SELECT * INTO s FROM loadtest.report_sections() x WHERE x.section = report_section_data.section;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the report has no section %', coalesce(quote_literal(report_section_data.section), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sections are those of loadtest.report_sections(), by name.',
                  HINT = 'SELECT section FROM loadtest.report_sections(); lists them.';
    END IF;
    EXECUTE format('SELECT loadtest.%I($1%s)',
                   'report_' || s.section || '_data', CASE WHEN s.takes_targets THEN ', $2, $3' ELSE '' END)
       INTO v_data
      USING report_section_data.run_id, report_section_data.target_ms, report_section_data.target_users;
    RETURN v_data;
END
$$;

COMMENT ON FUNCTION loadtest.report_section_data(text, bigint, double precision, integer) IS
'loadtest (internal): the figures (jsonb) of one section of the report (a name of loadtest.report_sections()) for a run';

-- ---------------------------------------------------------------------------
-- Header
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_header_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object('run_id', r.run_id, 'status', r.status, 'message', r.message)
  FROM loadtest.runs r
 WHERE r.run_id = report_header_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_header_data(bigint) IS
'loadtest (internal): the figures of the report''s header: run_id, status and message of the run (NULL when the caller sees no such run)';

CREATE OR REPLACE FUNCTION loadtest.report_header(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_rule constant text := repeat('=', 70);
    d      jsonb := loadtest.report_header_data(report_header.run_id);
BEGIN
    RETURN NEXT c_rule;
    RETURN NEXT format('LOAD TEST REPORT - run %s (%s)', report_header.run_id,
                       coalesce(d ->> 'status', 'not found'));
    IF d ->> 'status' <> 'completed' THEN
        RETURN NEXT format('   status: %s, %s', d ->> 'status',
                           CASE WHEN d ->> 'status' = 'running'
                                THEN 'its figures are written when it ends (the call that runs it prints its progress)'
                                ELSE coalesce(loadtest.one_line(d ->> 'message', 200), 'figures may be partial') END);
    END IF;
    RETURN NEXT c_rule;
END
$$;

COMMENT ON FUNCTION loadtest.report_header(bigint) IS
'loadtest (internal): the report''s header lines of a run: its number and status, why it is not complete';

-- ---------------------------------------------------------------------------
-- "Test Configuration:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_configuration_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'users', r.users, 'ops_per_user', r.ops_per_user, 'duration_limit_s', r.duration_limit_s,
           'pattern', r.pattern, 'think_time_ms', r.think_time_ms, 'ramp_up_s', r.ramp_up_s,
           'duration_s', s.duration_s, 'environment', r.environment, 'workers', r.workers,
           'seed', r.seed, 'rate', r.rate, 'pool_size', r.pool_size, 'op_timeout_ms', r.op_timeout_ms,
           'forced', r.forced, 'isolation', r.isolation, 'max_tries', r.max_tries,
           'hot_rows', r.hot_rows, 'samples', r.samples,
           'wait_sample_interval_ms', r.wait_sample_interval_ms,
           'database_name', r.database_name, 'role_name', r.role_name,
           'server_version', r.server_version, 'started_at', r.started_at, 'ended_at', r.ended_at)
  FROM loadtest.runs r
  LEFT JOIN loadtest.run_summary s ON s.run_id = r.run_id
 WHERE r.run_id = report_configuration_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_configuration_data(bigint) IS
'loadtest (internal): the figures of the report''s "Test Configuration:": the run''s settings (loadtest.runs) and its duration (loadtest.run_summary.duration_s)';

CREATE OR REPLACE FUNCTION loadtest.report_configuration(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    r     loadtest.runs;
    v_dur double precision;
BEGIN
    -- (the row its figures are made of: loadtest.report_configuration_data)
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = report_configuration.run_id;
    SELECT s.duration_s INTO v_dur FROM loadtest.run_summary s WHERE s.run_id = report_configuration.run_id;
    RETURN NEXT 'Test Configuration:';
    RETURN NEXT '   Concurrent Users: ' || loadtest.format_number(r.users, c_int);
    RETURN NEXT CASE WHEN r.duration_limit_s IS NOT NULL
                     THEN '   Run Length: ' || loadtest.format_number(r.duration_limit_s, c_2d) || 's (operations per user not fixed)'
                     ELSE '   Operations per User: ' || loadtest.format_number(r.ops_per_user, c_int) END;
    RETURN NEXT '   Pattern: ' || loadtest.one_line(r.pattern, 100);
    RETURN NEXT '   Think Time: ' || loadtest.format_number(r.think_time_ms, c_int) || 'ms';
    RETURN NEXT '   Ramp-up Time: ' || r.ramp_up_s::text || 's';
    RETURN NEXT '   Test Duration: ' || coalesce(loadtest.format_number(v_dur, c_2d) || 's', 'n/a');
    RETURN NEXT '   Environment: ' || loadtest.one_line(r.environment, 100);
    RETURN NEXT '   Workers: ' || loadtest.format_number(r.workers, c_int) || ', seed: ' || r.seed::text;
    IF r.rate IS NOT NULL THEN
        RETURN NEXT '   Arrival Rate: ' || loadtest.format_number(r.rate, c_2d) || ' ops/sec (open model; think time not used)';
    END IF;
    IF r.pool_size IS NOT NULL THEN
        RETURN NEXT '   Pool: ' || loadtest.format_number(r.pool_size, c_int) || ' workers shared by '
                    || loadtest.format_number(r.users, c_int) || ' users';
    END IF;
    IF r.op_timeout_ms > 0 THEN
        RETURN NEXT '   Operation Timeout: ' || loadtest.format_number(r.op_timeout_ms, c_int) || 'ms';
    END IF;
    IF r.forced THEN
        RETURN NEXT '   Forced: yes';
    END IF;
    IF r.isolation <> 'read committed' THEN
        RETURN NEXT '   Isolation: ' || loadtest.one_line(r.isolation, 100);
    END IF;
    IF r.max_tries > 1 THEN
        RETURN NEXT '   Max Tries: ' || r.max_tries::text || ' (serialization failures and deadlocks are retried)';
    END IF;
    IF r.hot_rows > 0 THEN
        RETURN NEXT '   Hot Rows: ' || loadtest.format_number(r.hot_rows, c_int) || ' per table';
    END IF;
    RETURN NEXT '   Database: ' || loadtest.one_line(r.database_name, 100);
    RETURN NEXT '   Role: ' || loadtest.one_line(r.role_name, 100);
    RETURN NEXT '   Server version: ' || loadtest.one_line(r.server_version, 100);
    RETURN NEXT '   Started: ' || r.started_at::text || coalesce(', ended: ' || r.ended_at::text, '');
END
$$;

COMMENT ON FUNCTION loadtest.report_configuration(bigint) IS
'loadtest (internal): the report''s "Test Configuration:" lines of a run: users, length, pattern, think time, the shape of the run and its settings, where and when it ran';

-- ---------------------------------------------------------------------------
-- "User Pattern Distribution:"
-- ---------------------------------------------------------------------------

-- The users by pattern (and operation, for a run of one operation), in the
-- order of the run's patterns.
CREATE OR REPLACE FUNCTION loadtest.report_distribution_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('pattern', x.pattern, 'operation', x.operation,
                                             'users', x.n, 'pct', x.pct)
                          ORDER BY x.pattern_no, x.pattern, x.operation), '[]'::jsonb)
  FROM (SELECT u.pattern, u.operation, count(*) AS n,
               100.0 * count(*) / sum(count(*)) OVER () AS pct,
               (SELECT min(p.pattern_no) FROM loadtest.run_patterns p
                 WHERE p.run_id = report_distribution_data.run_id AND p.pattern = u.pattern) AS pattern_no
          FROM loadtest.run_users u
         WHERE u.run_id = report_distribution_data.run_id
         GROUP BY u.pattern, u.operation) x
$$;

COMMENT ON FUNCTION loadtest.report_distribution_data(bigint) IS
'loadtest (internal): the figures of the report''s "User Pattern Distribution:": per pattern (and operation) the users of the run and their share in percent (loadtest.run_users), in the order of its patterns';

CREATE OR REPLACE FUNCTION loadtest.report_distribution(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_1d  constant text := 'FM990D0';
    e     jsonb;
BEGIN
    RETURN NEXT 'User Pattern Distribution:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(loadtest.report_distribution_data(report_distribution.run_id))
                             WITH ORDINALITY AS x(e, n) ORDER BY x.n
    LOOP
        RETURN NEXT format('   %s%s: %s %s (%s%%)',
                           loadtest.one_line(e ->> 'pattern', 100),
                           CASE WHEN e ->> 'operation' IS NOT NULL
                                THEN ' (' || loadtest.one_line(e ->> 'operation', 100) || ')' ELSE '' END,
                           loadtest.format_number((e ->> 'users')::numeric, c_int),
                           CASE WHEN (e ->> 'users')::numeric = 1::numeric THEN 'user' ELSE 'users' END,
                           loadtest.format_number((e ->> 'pct')::numeric, c_1d));
    END LOOP;
    IF NOT FOUND THEN
        RETURN NEXT '   no users recorded';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_distribution(bigint) IS
'loadtest (internal): the report''s "User Pattern Distribution:" lines of a run: its users by pattern';

-- ---------------------------------------------------------------------------
-- "Overall Results:"
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.report_overall_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'total_ops', s.total_ops, 'successful', s.successful, 'failed', s.failed,
           'success_pct', s.success_pct, 'throughput_ops_s', s.throughput_ops_s,
           'read_share', s.read_share, 'retried_ops', s.retried_ops, 'retries', s.retries,
           'users_lost', r.users_lost, 'ops_not_done', r.ops_not_done,
           -- the first 20 users lost (users_lost counts them all)
           'lost_users', (SELECT coalesce(jsonb_agg(jsonb_build_object('user_no', u.user_no, 'not_done', u.not_done)
                                                   ORDER BY u.user_no), '[]'::jsonb)
                            FROM (SELECT x.user_no, x.ops_planned::bigint - x.ops_done::bigint AS not_done
                                    FROM loadtest.run_users x
                                   WHERE x.run_id = r.run_id AND x.lost
                                   ORDER BY x.user_no LIMIT 20) u),
           'arrivals_dropped', r.arrivals_dropped, 'samples_lost', r.samples_lost)
  FROM loadtest.runs r
  JOIN loadtest.run_summary s ON s.run_id = r.run_id
 WHERE r.run_id = report_overall_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_overall_data(bigint) IS
'loadtest (internal): the figures of the report''s "Overall Results:": operations, successes, failures, success_pct, throughput_ops_s, read_share, retries (loadtest.run_summary), users lost (the first 20 of them), arrivals dropped and samples not recorded (loadtest.runs)';

CREATE OR REPLACE FUNCTION loadtest.report_overall(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_overall_data(report_overall.run_id);
    v_pct double precision := (d ->> 'success_pct')::float8;
BEGIN
    RETURN NEXT 'Overall Results:';
    RETURN NEXT '   Total Operations: ' || loadtest.format_number((d ->> 'total_ops')::float8, c_int);
    RETURN NEXT '   Successful: ' || loadtest.format_number((d ->> 'successful')::float8, c_int)
                || coalesce(' (' || loadtest.format_number(v_pct, c_2d) || '%)', '');
    RETURN NEXT '   Failed: ' || loadtest.format_number((d ->> 'failed')::float8, c_int)
                || coalesce(' (' || loadtest.format_number(100 - v_pct, c_2d) || '%)', '');
    RETURN NEXT '   Throughput: ' || coalesce(loadtest.format_number((d ->> 'throughput_ops_s')::float8, c_2d) || ' ops/sec', 'n/a');
    RETURN NEXT '   Reads: ' || coalesce(loadtest.format_number(100 * (d ->> 'read_share')::float8, c_2d) || '% of operations', 'n/a');
    IF (d ->> 'retries')::numeric > 0 THEN
        RETURN NEXT format('   Retried: %s operations (%s retries); their latency covers every try',
                           loadtest.format_number((d ->> 'retried_ops')::float8, c_int),
                           loadtest.format_number((d ->> 'retries')::float8, c_int));
    END IF;
    IF (d ->> 'users_lost')::numeric > 0 THEN
        RETURN NEXT format('   Users lost: %s (%s operations not done): user %s%s',
                           loadtest.format_number((d ->> 'users_lost')::float8, c_int),
                           loadtest.format_number((d ->> 'ops_not_done')::float8, c_int),
                           (SELECT string_agg((u.e ->> 'user_no') || coalesce(' (' || (u.e ->> 'not_done') || ' not done)', ''),
                                              ', ' ORDER BY u.n)
                              FROM jsonb_array_elements(d -> 'lost_users') WITH ORDINALITY AS u(e, n)),
                           CASE WHEN (d ->> 'users_lost')::numeric > jsonb_array_length(d -> 'lost_users')::numeric
                                THEN format(' and %s more (see loadtest.user_stats)',
                                            loadtest.format_number((d ->> 'users_lost')::numeric
                                                                   - jsonb_array_length(d -> 'lost_users')::numeric, c_int))
                                ELSE '' END);
    END IF;
    IF (d ->> 'arrivals_dropped')::numeric > 0 THEN
        RETURN NEXT format('   Arrivals dropped: %s (due before the end of the run, never started: the server did not keep up with the arrival rate)',
                           loadtest.format_number((d ->> 'arrivals_dropped')::float8, c_int));
    END IF;
    IF (d ->> 'samples_lost')::numeric > 0 THEN
        RETURN NEXT format('   Not recorded: %s attempted operations (their samples could not be written; the figures leave them out)',
                           loadtest.format_number((d ->> 'samples_lost')::float8, c_int));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_overall(bigint) IS
'loadtest (internal): the report''s "Overall Results:" lines of a run: operations, successes and failures, throughput, reads, retries, users lost, arrivals dropped, samples not recorded';

-- ---------------------------------------------------------------------------
-- "Stages:" (a staged run only)
-- ---------------------------------------------------------------------------

-- The results of each stage of a staged run, from its 'stage' rows (stage:
-- the position of the stage in runs.stages); NULL for a run without stages.
-- Any jsonb: not an array, elements that are not objects, missing keys or
-- strings for numbers give stages with empty fields.
CREATE OR REPLACE FUNCTION loadtest.report_stages_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT CASE WHEN r.stages IS NOT NULL THEN
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'stage', x.stage, 'kind', x.kind, 'from', x.from_target, 'to', x.to_target,
                   'start_s', x.start_s, 'end_s', x.end_s, 'length_s', x.length_s,
                   'ops', x.ops, 'ops_s', CASE WHEN abs(x.length_s) >= 1e-9::float8
                                               THEN x.ops::float8 / x.length_s END,
                   'avg_ms', x.avg_ms, 'p95_ms', x.p95_ms, 'errors', x.errors)
                   ORDER BY x.stage, x.ord), '[]'::jsonb)
          FROM (SELECT st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s,
                       CASE WHEN abs(st.end_s) < 1e300::float8 AND abs(st.start_s) < 1e300::float8
                            THEN st.end_s - st.start_s END AS length_s,
                       coalesce(sum(h.ops), 0) AS ops,
                       coalesce(sum(h.errors), 0) AS errors,
                       sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END)
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
                         ON h.run_id = r.run_id AND h.scope = 'stage' AND h.stage = st.ord
                 GROUP BY st.ord, st.stage, st.kind, st.from_target, st.to_target, st.start_s, st.end_s) x)
       END
  FROM loadtest.runs r
 WHERE r.run_id = report_stages_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_stages_data(bigint) IS
'loadtest (internal): the figures of the report''s "Stages:": per stage of a staged run (runs.stages, loadtest.run_histograms scope ''stage'') its kind, targets, times, operations, throughput, response times and errors; NULL for a run without stages';

CREATE OR REPLACE FUNCTION loadtest.report_stages(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_stages_data(report_stages.run_id);
    e     jsonb;
    v_from double precision;
    v_to   double precision;
BEGIN
    IF d IS NULL THEN
        RETURN;
    END IF;
    RETURN NEXT 'Stages:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        v_from := (e ->> 'from')::float8;
        v_to := (e ->> 'to')::float8;
        RETURN NEXT format('   %s. %s %s -> %s over %ss: %s ops, %s ops/sec, avg %sms, p95 %sms, %s errors',
                           (e ->> 'stage')::float8,
                           CASE e ->> 'kind' WHEN 'rate' THEN 'rate (ops/sec)' ELSE 'users' END,
                           CASE WHEN abs(v_from) < 1e14::float8 THEN v_from::numeric::text
                                ELSE loadtest.format_number(v_from, c_2d) END,
                           CASE WHEN abs(v_to) < 1e14::float8 THEN v_to::numeric::text
                                ELSE loadtest.format_number(v_to, c_2d) END,
                           loadtest.format_number((e ->> 'length_s')::float8, c_2d),
                           loadtest.format_number((e ->> 'ops')::numeric, c_int),
                           loadtest.format_number((e ->> 'ops_s')::float8, c_2d),
                           coalesce(loadtest.format_number((e ->> 'avg_ms')::float8, c_2d), 'n/a'),
                           coalesce(loadtest.format_number((e ->> 'p95_ms')::float8, c_2d), 'n/a'),
                           loadtest.format_number((e ->> 'errors')::numeric, c_int));
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_stages(bigint) IS
'loadtest (internal): the report''s "Stages:" lines of a staged run (none for another run): each stage''s targets, length, operations, throughput, response times and errors';

-- ---------------------------------------------------------------------------
-- "Response Times (ms):"
-- ---------------------------------------------------------------------------

-- The response times of loadtest.run_summary; in a rate run also from the
-- intended start (no coordinated omission: the response histograms, lag +
-- operation) and the schedule lag; in a pooled run the pool wait and the
-- response as users feel it.
CREATE OR REPLACE FUNCTION loadtest.report_response_times_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object('avg_ms', s.avg_ms, 'median_ms', s.median_ms, 'p95_ms', s.p95_ms,
                          'p99_ms', s.p99_ms, 'min_ms', s.min_ms, 'max_ms', s.max_ms)
       || CASE WHEN r.rate IS NOT NULL THEN
               jsonb_build_object(
                   'from_intended_start', jsonb_build_object('avg_ms', s.avg_wait_ms + s.avg_ms,
                                                             'p95_ms', p.pct[1] / 1000, 'p99_ms', p.pct[2] / 1000),
                   'schedule_lag', jsonb_build_object('avg_ms', s.avg_wait_ms, 'p95_ms', s.p95_wait_ms,
                                                      'max_ms', s.max_wait_ms, 'late_starts', s.late_starts,
                                                      'late_pct', 100.0 * s.late_starts / nullif(s.total_ops, 0)))
               WHEN r.pool_size IS NOT NULL THEN
               jsonb_build_object(
                   'pool_wait', jsonb_build_object('avg_ms', s.avg_wait_ms, 'p95_ms', s.p95_wait_ms,
                                                   'max_ms', s.max_wait_ms),
                   'as_users_feel_it', jsonb_build_object('avg_ms', s.avg_wait_ms + s.avg_ms,
                                                          'p95_ms', p.pct[1] / 1000))
               ELSE '{}'::jsonb END
  FROM loadtest.runs r
  JOIN loadtest.run_summary s ON s.run_id = r.run_id
 CROSS JOIN LATERAL (
        SELECT loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                              CASE WHEN r.rate IS NOT NULL THEN ARRAY[0.95, 0.99]::float8[]
                                                   ELSE ARRAY[0.95]::float8[] END) AS pct
          FROM loadtest.run_histograms h
         WHERE h.run_id = r.run_id AND h.scope = 'operation'
           AND (r.rate IS NOT NULL OR r.pool_size IS NOT NULL)) p
 WHERE r.run_id = report_response_times_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_response_times_data(bigint) IS
'loadtest (internal): the figures of the report''s "Response Times (ms):": average, median, p95, p99, min and max (loadtest.run_summary); a rate run''s response from the intended start and schedule lag, a pooled run''s pool wait and response as users feel it (the response histograms)';

CREATE OR REPLACE FUNCTION loadtest.report_response_times(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    d     jsonb := loadtest.report_response_times_data(report_response_times.run_id);
    x     jsonb;
BEGIN
    RETURN NEXT 'Response Times (ms):';
    RETURN NEXT '   Average: ' || coalesce(loadtest.format_number((d ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Median: ' || coalesce(loadtest.format_number((d ->> 'median_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   95th Percentile: ' || coalesce(loadtest.format_number((d ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   99th Percentile: ' || coalesce(loadtest.format_number((d ->> 'p99_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Min: ' || coalesce(loadtest.format_number((d ->> 'min_ms')::float8, c_2d) || 'ms', 'n/a');
    RETURN NEXT '   Max: ' || coalesce(loadtest.format_number((d ->> 'max_ms')::float8, c_2d) || 'ms', 'n/a');
    IF d ? 'from_intended_start' THEN
        -- open model: measured from the intended start, so that a stalled
        -- server cannot hide its stall (no coordinated omission)
        x := d -> 'from_intended_start';
        RETURN NEXT format('   From intended start (schedule lag + operation): average %s, p95 %s, p99 %s',
                           coalesce(loadtest.format_number((x ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p99_ms')::float8, c_2d) || 'ms', 'n/a'));
        x := d -> 'schedule_lag';
        RETURN NEXT format('   Schedule lag: average %sms, p95 %sms, max %sms; late starts (> 10ms behind schedule): %s (%s%%)',
                           loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'max_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'late_starts')::float8, c_int),
                           loadtest.format_number((x ->> 'late_pct')::numeric, c_2d));
    ELSIF d ? 'pool_wait' THEN
        -- what users feel when the pool is too small: the wait for a worker
        x := d -> 'pool_wait';
        RETURN NEXT format('   Pool wait (a free worker): average %sms, p95 %sms, max %sms',
                           loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((x ->> 'max_ms')::float8, c_2d));
        x := d -> 'as_users_feel_it';
        RETURN NEXT format('   As users feel it (pool wait + operation): average %s, p95 %s',
                           coalesce(loadtest.format_number((x ->> 'avg_ms')::float8, c_2d) || 'ms', 'n/a'),
                           coalesce(loadtest.format_number((x ->> 'p95_ms')::float8, c_2d) || 'ms', 'n/a'));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_response_times(bigint) IS
'loadtest (internal): the report''s "Response Times (ms):" lines of a run: average, median, percentiles, min, max; from the intended start and the schedule lag in a rate run, the pool wait in a pooled run';

-- ---------------------------------------------------------------------------
-- "Operation Breakdown:"
-- ---------------------------------------------------------------------------

-- The figures of loadtest.operation_stats, with the operations' numbers,
-- most frequent first, then in the run's order of operations: the run's
-- 'operation' rows grouped by number, their names joined afterwards
-- (operation NULL: the run has no definition for that number).
CREATE OR REPLACE FUNCTION loadtest.report_operations_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', x.operation_no, 'operation', ro.operation, 'kind', ro.kind,
           'ops', x.ops, 'avg_ms', x.avg_ms, 'median_ms', x.pct_us[1] / 1000::float8,
           'p95_ms', x.pct_us[2] / 1000::float8, 'max_ms', x.max_ms, 'errors', x.errors,
           'error_pct', 100::float8 * x.errors::float8 / nullif(x.ops::float8, 0::float8))
           ORDER BY x.ops DESC, x.operation_no), '[]'::jsonb)
  FROM (SELECT h.operation_no,
               sum(h.ops) AS ops,
               sum(CASE WHEN abs(h.latency_sum_us) <= 1e300::float8 AND (abs(h.latency_sum_us) >= 1e-300::float8 OR h.latency_sum_us = 0::float8) THEN h.latency_sum_us END)
                   / nullif(sum(h.ops)::float8, 0) / 1000 AS avg_ms,
               loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                              ARRAY[0.5, 0.95]::float8[]) AS pct_us,
               max(h.latency_max_us)::float8 / 1000::float8 AS max_ms,
               sum(h.errors) AS errors
          FROM loadtest.run_histograms h
         WHERE h.run_id = report_operations_data.run_id AND h.scope = 'operation'
         GROUP BY h.operation_no) x
  LEFT JOIN loadtest.run_operations ro
         ON ro.run_id = report_operations_data.run_id AND ro.operation_no = x.operation_no
$$;

COMMENT ON FUNCTION loadtest.report_operations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Operation Breakdown:": per operation of the run (by number; operation NULL without a definition) those of loadtest.operation_stats, most frequent first';

CREATE OR REPLACE FUNCTION loadtest.report_operations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    c_2d  constant text := 'FM999G999G999G999G990D00';
    e     jsonb;
BEGIN
    RETURN NEXT 'Operation Breakdown:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(loadtest.report_operations_data(report_operations.run_id))
                             WITH ORDINALITY AS x(e, n) ORDER BY x.n
    LOOP
        RETURN NEXT format('   %s: %s ops, avg %sms, p95 %sms, %s %s',
                           loadtest.one_line(coalesce(e ->> 'operation', '(operation ' || (e ->> 'operation_no') || ')'), 100),
                           loadtest.format_number((e ->> 'ops')::numeric, c_int),
                           loadtest.format_number((e ->> 'avg_ms')::float8, c_2d),
                           loadtest.format_number((e ->> 'p95_ms')::float8, c_2d),
                           loadtest.format_number((e ->> 'errors')::numeric, c_int),
                           CASE WHEN (e ->> 'errors')::numeric = 1::numeric THEN 'error' ELSE 'errors' END);
    END LOOP;
    IF NOT FOUND THEN
        RETURN NEXT '   no operations recorded';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_operations(bigint) IS
'loadtest (internal): the report''s "Operation Breakdown:" lines of a run: operations, average and p95 response time and errors of each operation';

-- ---------------------------------------------------------------------------
-- "Defined Operations (as run):" (operations defined by users only)
-- ---------------------------------------------------------------------------

-- What the operations defined by users ran, as the run kept them
-- (loadtest.run_operations): the report says it after a redefinition.
CREATE OR REPLACE FUNCTION loadtest.report_defined_operations_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', ro.operation_no, 'operation', ro.operation, 'kind', ro.kind,
           'owner', ro.owner, 'statements', ro.statements,
           'variants', CASE WHEN ro.variants IS NOT NULL
                            THEN jsonb_array_length(CASE WHEN jsonb_typeof(ro.variants) = 'array'
                                                         THEN ro.variants ELSE '[]'::jsonb END) END)
           ORDER BY ro.operation_no), '[]'::jsonb)
  FROM loadtest.run_operations ro
 WHERE ro.run_id = report_defined_operations_data.run_id AND NOT ro.builtin
$$;

COMMENT ON FUNCTION loadtest.report_defined_operations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Defined Operations (as run):": each operation defined by a user as the run kept it (loadtest.run_operations): kind, owner, statements, or the number of its variants';

CREATE OR REPLACE FUNCTION loadtest.report_defined_operations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int constant text := 'FM999G999G999G999G990';
    d     jsonb := loadtest.report_defined_operations_data(report_defined_operations.run_id);
    e     jsonb;
BEGIN
    IF jsonb_array_length(d) = 0 THEN
        RETURN;
    END IF;
    RETURN NEXT 'Defined Operations (as run):';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        RETURN NEXT format('   %s (%s, defined by %s): %s',
                           loadtest.one_line(e ->> 'operation', 100), loadtest.one_line(e ->> 'kind', 10),
                           loadtest.one_line(e ->> 'owner', 100),
                           CASE WHEN e ->> 'variants' IS NOT NULL
                                THEN loadtest.format_number((e ->> 'variants')::numeric, c_int)
                                     || ' variants (see loadtest.run_operations)'
                                ELSE loadtest.one_line(array_to_string(
                                         ARRAY(SELECT s.v FROM jsonb_array_elements_text(
                                                   CASE WHEN jsonb_typeof(e -> 'statements') = 'array'
                                                        THEN e -> 'statements' ELSE '[]'::jsonb END)
                                                   WITH ORDINALITY AS s(v, n) ORDER BY s.n),
                                         '; '), 200) END);
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_defined_operations(bigint) IS
'loadtest (internal): the report''s "Defined Operations (as run):" lines of a run (none when it ran built-in operations only): what each operation defined by a user ran';

-- ---------------------------------------------------------------------------
-- "Errors:"
-- ---------------------------------------------------------------------------

-- loadtest.run_errors (the 10 most frequent messages of each operation and
-- SQLSTATE; message NULL: the others), most frequent first: the rows of
-- loadtest.error_stats with the operations' numbers (the recorder keeps at
-- most 1024 pairs of operation and SQLSTATE).
CREATE OR REPLACE FUNCTION loadtest.report_errors_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
-- (bounded: the recorder keeps at most 1024 pairs of operation and
-- SQLSTATE with 11 rows each, messages under 1000 characters; rows written
-- by hand beyond that are left out, so that the report stays bounded)
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation_no', e.operation_no, 'operation', ro.operation,
           'sqlstate', e.sqlstate, 'message', left(e.message, 1000), 'count', e.count)
           ORDER BY e.count DESC, e.sqlstate, e.operation_no, e.message), '[]'::jsonb)
  FROM (SELECT x.* FROM loadtest.run_errors x
         WHERE x.run_id = report_errors_data.run_id
         ORDER BY x.count DESC, x.sqlstate, x.operation_no, x.message
         LIMIT 12000) e
  LEFT JOIN loadtest.run_operations ro
         ON ro.run_id = e.run_id AND ro.operation_no = e.operation_no
$$;

COMMENT ON FUNCTION loadtest.report_errors_data(bigint) IS
'loadtest (internal): the figures of the report''s "Errors:": the run''s rows of loadtest.error_stats (operation, sqlstate, message, count, with the operations'' numbers; operation NULL without a definition), most frequent first; at most 12000 rows (the recorder keeps at most 11264), messages cut at 1000 characters';

CREATE OR REPLACE FUNCTION loadtest.report_errors(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_listed constant integer := 10;
    d        jsonb := loadtest.report_errors_data(report_errors.run_id);
    e        jsonb;
    v_total  bigint := (SELECT count(*) FROM loadtest.run_errors x WHERE x.run_id = report_errors.run_id);
BEGIN
    RETURN NEXT 'Errors:';
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n)
              WHERE x.n <= c_listed ORDER BY x.n
    LOOP
        RETURN NEXT format('   [%s] %s (%s): %s',
                           coalesce(loadtest.one_line(nullif(e ->> 'sqlstate', ''), 10), '-----'),
                           coalesce(loadtest.one_line(e ->> 'message', 100), 'other messages'),
                           loadtest.one_line(coalesce(e ->> 'operation', '(operation ' || (e ->> 'operation_no') || ')'), 100),
                           loadtest.format_number((e ->> 'count')::float8, c_int));
    END LOOP;
    IF v_total = 0 THEN
        RETURN NEXT '   none';
    ELSIF v_total > c_listed THEN
        RETURN NEXT format('   ... and %s more (see loadtest.error_stats)', loadtest.format_number(v_total - c_listed, c_int));
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.report_errors(bigint) IS
'loadtest (internal): the report''s "Errors:" lines of a run: the 10 most frequent of its errors by SQLSTATE, message and operation';

-- ---------------------------------------------------------------------------
-- The figures of the evidence (its lines: 45_evidence.sql)
-- ---------------------------------------------------------------------------

-- "Where the time went:": the run's rows of loadtest.wait_profile, most
-- samples first, and the sampler's interval.
CREATE OR REPLACE FUNCTION loadtest.report_where_time_went_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'sample_interval_ms', (SELECT r.wait_sample_interval_ms FROM loadtest.runs r
                                   WHERE r.run_id = report_where_time_went_data.run_id),
           'samples', (SELECT coalesce(sum(w.samples) FILTER (WHERE w.samples > 0), 0) FROM loadtest.wait_profile w
                        WHERE w.run_id = report_where_time_went_data.run_id),
           'events', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                 'operation', w.operation, 'wait_event_type', w.wait_event_type,
                                 'wait_event', w.wait_event, 'samples', w.samples, 'share_pct', w.share_pct)
                                 ORDER BY w.operation, w.samples DESC, w.wait_event_type, w.wait_event), '[]'::jsonb)
                        FROM loadtest.wait_profile w
                       WHERE w.run_id = report_where_time_went_data.run_id))
$$;

COMMENT ON FUNCTION loadtest.report_where_time_went_data(bigint) IS
'loadtest (internal): the figures of the report''s "Where the time went:": the run''s wait events sampled per operation (the rows of loadtest.wait_profile), the samples in all and the sampler''s interval';

-- "What the database did:": the counters of loadtest.run_db_stats by name
-- and the rows of loadtest.run_table_stats.
CREATE OR REPLACE FUNCTION loadtest.report_database_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT jsonb_build_object(
           'counters', (SELECT coalesce(jsonb_object_agg(x.stat, x.value), '{}'::jsonb)
                          FROM loadtest.run_db_stats x WHERE x.run_id = report_database_data.run_id),
           'tables', (SELECT coalesce(jsonb_agg(to_jsonb(t) - 'run_id' ORDER BY t.table_name), '[]'::jsonb)
                        FROM loadtest.run_table_stats t WHERE t.run_id = report_database_data.run_id))
$$;

COMMENT ON FUNCTION loadtest.report_database_data(bigint) IS
'loadtest (internal): the figures of the report''s "What the database did:": the server''s counters over the run by name (loadtest.run_db_stats) and each table''s (loadtest.run_table_stats)';

-- "Over time:": the run's seconds (loadtest.run_timeline, the first hour of
-- them), its stability verdict and its workers' memory verdicts.
CREATE OR REPLACE FUNCTION loadtest.report_over_time_data(run_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    c_seconds constant integer := 3600;
    v_n       bigint;
    v_seconds jsonb;
    v_stable  jsonb;
    v_memory  jsonb;
BEGIN
    SELECT count(*) INTO v_n FROM loadtest.run_timeline t WHERE t.run_id = report_over_time_data.run_id;
    SELECT coalesce(jsonb_agg(to_jsonb(t) - 'run_id' ORDER BY t.second), '[]'::jsonb) INTO v_seconds
      FROM (SELECT * FROM loadtest.run_timeline x WHERE x.run_id = report_over_time_data.run_id
             ORDER BY x.second LIMIT c_seconds) t;
    IF v_n > 0 THEN
        SELECT to_jsonb(st) INTO v_stable FROM @extschema@.loadtest_stability(report_over_time_data.run_id) st;
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'worker_no', w.worker_no, 'ops', w.ops, 'first_bytes', w.first_bytes,
               'last_bytes', w.last_bytes, 'bytes_per_1000_ops', w.bytes_per_1000_ops,
               'flat', w.flat, 'verdict', w.verdict) ORDER BY w.worker_no), '[]'::jsonb)
      INTO v_memory
      FROM loadtest.run_memory_trends(report_over_time_data.run_id) w;
    RETURN jsonb_build_object('seconds', v_seconds, 'seconds_total', v_n,
                              'stability', v_stable, 'memory', v_memory);
END
$$;

COMMENT ON FUNCTION loadtest.report_over_time_data(bigint) IS
'loadtest (internal): the figures of the report''s "Over time:": the run''s seconds (rows of loadtest.run_timeline, the first 3600 of seconds_total), its stability (loadtest_stability) and the memory verdict of each worker (loadtest_memory_trend over loadtest.run_memory)';

-- "Plans:": the run's rows of loadtest.run_plans.
CREATE OR REPLACE FUNCTION loadtest.report_plans_data(run_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'operation', p.operation, 'variant_no', p.variant_no, 'statement_no', p.statement_no,
           'changed', p.changed, 'error', p.error, 'plan', p.plan, 'generic_plan', p.generic_plan)
           ORDER BY p.operation, p.variant_no, p.statement_no), '[]'::jsonb)
  FROM loadtest.run_plans p
 WHERE p.run_id = report_plans_data.run_id
$$;

COMMENT ON FUNCTION loadtest.report_plans_data(bigint) IS
'loadtest (internal): the figures of the report''s "Plans:": the run''s statements'' plans as it started (loadtest.run_plans: plan with drawn values, generic plan, error, changed since the role''s last run)';

-- ---------------------------------------------------------------------------
-- "Performance Assessment:"
-- ---------------------------------------------------------------------------

-- The reference guide's view of the run: the ratings (loadtest_rate_*) of
-- its average response time, throughput and success rate; whether the
-- throughput measures the simulated demand rather than the server (users
-- that mostly think cannot load the server: their share of time thinking
-- counts the queueing, Z / (Z + R + W), think time Z, operation R, wait W
-- (pool wait, schedule lag); the note only when they were in the server
-- less than a tenth of their think time and waited little against the
-- operation: loadtest_verdict calls W >= R / 2 a saturated pool); and the
-- guide's linear formula for target_users within target_ms
-- (loadtest_capacity), which the scaling section shows beside the
-- verdict, labelled: it takes the configured users for the concurrency and
-- leaves queueing out.
CREATE OR REPLACE FUNCTION loadtest.report_assessment_data(run_id bigint, target_ms double precision,
                                                           target_users integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    c_demand_share constant double precision := 0.1;  -- R + W under 0.1 x Z
    c_small_wait   constant double precision := 0.5;  -- W at most 0.5 x R
    r       loadtest.runs;
    s       loadtest.run_summary;
    cap     record;
    v_w     double precision;
    v_felt  double precision;
    v_note  jsonb;
    v_guide jsonb;
BEGIN
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = report_assessment_data.run_id;
    SELECT * INTO s FROM loadtest.run_summary x WHERE x.run_id = report_assessment_data.run_id;

    IF coalesce(s.total_ops, 0) = 0 OR s.avg_ms IS NULL THEN
        v_guide := jsonb_build_object('not_applicable', 'no operations recorded');
    ELSIF r.users < 1 THEN
        v_guide := jsonb_build_object('not_applicable', format('the run has %s users', r.users));
    ELSIF NOT (s.avg_ms > '-Infinity'::float8 AND s.avg_ms < 'Infinity'::float8) THEN
        v_guide := jsonb_build_object('not_applicable', 'its average response time is not a finite number');
    ELSE
        SELECT * INTO cap
          FROM @extschema@.loadtest_capacity(s.avg_ms, r.users, report_assessment_data.target_ms,
                                             report_assessment_data.target_users);
        v_guide := jsonb_build_object('avg_ms', s.avg_ms, 'users', r.users,
                                      'target_ms', report_assessment_data.target_ms,
                                      'target_users', report_assessment_data.target_users,
                                      'capacity_users', cap.capacity_users,
                                      'est_response_ms', cap.est_response_ms);
    END IF;

    IF coalesce(s.total_ops, 0) = 0 THEN
        RETURN jsonb_build_object('total_ops', coalesce(s.total_ops, 0), 'guide_formula', v_guide);
    END IF;
    -- (with a worker per user the wait is the timer's lag, not queueing)
    v_w := CASE WHEN r.pool_size IS NULL AND r.rate IS NULL THEN 0
                ELSE greatest(coalesce(s.avg_wait_ms, 0), 0) END;
    IF r.rate IS NULL AND r.think_time_ms > 0 AND s.avg_ms >= 0 AND v_w < 'Infinity'::float8
       AND s.avg_ms + v_w < c_demand_share * r.think_time_ms AND v_w <= c_small_wait * s.avg_ms THEN
        v_note := jsonb_build_object(
                      'thinking_pct', 100::float8 * r.think_time_ms / (r.think_time_ms + s.avg_ms + v_w),
                      'think_time_ms', r.think_time_ms, 'avg_ms', s.avg_ms, 'avg_wait_ms', v_w);
    END IF;
    -- Users of a pool or of an arrival rate also wait to start (pool
    -- wait, schedule lag): the rating is of what they felt, wait and
    -- operation, so that it cannot praise a run whose users queued.
    IF (r.pool_size IS NOT NULL OR r.rate IS NOT NULL) AND abs(s.avg_ms) < 1e300::float8 AND v_w < 1e300::float8 THEN
        v_felt := s.avg_ms + v_w;
    ELSE
        v_felt := s.avg_ms;
    END IF;
    RETURN jsonb_build_object(
               'total_ops', s.total_ops,
               'response', jsonb_build_object('rating', @extschema@.loadtest_rate_response(v_felt),
                                              'avg_ms', v_felt,
                                              'operation_avg_ms', s.avg_ms,
                                              'wait_ms', CASE WHEN r.pool_size IS NOT NULL OR r.rate IS NOT NULL
                                                              THEN v_w END),
               'throughput', jsonb_build_object('rating', @extschema@.loadtest_rate_throughput(s.throughput_ops_s),
                                                'ops_s', s.throughput_ops_s),
               'success', jsonb_build_object('rating', @extschema@.loadtest_rate_success(s.success_pct),
                                             'pct', s.success_pct, 'failed', s.failed),
               'demand_bound', v_note,
               'guide_formula', v_guide);
END
$$;

COMMENT ON FUNCTION loadtest.report_assessment_data(bigint, double precision, integer) IS
'loadtest (internal): the figures of the report''s "Performance Assessment:", the reference guide''s view of the run: the ratings of the average response time, throughput and success rate (loadtest_rate_response, _throughput, _success); demand_bound when the throughput is set by the simulated demand (closed run, operation + wait under a tenth of the think time, wait at most half the operation): the users'' share of time thinking, think / (think + operation + wait); guide_formula: the guide''s linear estimate for target_users within target_ms (loadtest_capacity(avg_ms, users, ...): capacity_users, est_response_ms), which is not the verdict';

CREATE OR REPLACE FUNCTION loadtest.report_assessment(run_id bigint, target_ms double precision,
                                                      target_users integer)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_2d     constant text := 'FM999G999G999G999G990D00';
    d        jsonb := loadtest.report_assessment_data(report_assessment.run_id, report_assessment.target_ms,
                                                  report_assessment.target_users);
    x        jsonb;
    v_rating text;
BEGIN
    RETURN NEXT 'Performance Assessment:';
    IF NOT d ? 'response' THEN
        RETURN NEXT '   no operations to assess';
        RETURN;
    END IF;

    x := d -> 'response';
    v_rating := x ->> 'rating';
    RETURN NEXT format('   %s %s: average response time %sms%s (%s) - %s',
                       CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                       initcap(v_rating), loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                       CASE WHEN x ->> 'wait_ms' IS NOT NULL
                            THEN format(' as users felt it (%sms waiting to start + %sms operation)',
                                        loadtest.format_number((x ->> 'wait_ms')::float8, c_2d),
                                        loadtest.format_number((x ->> 'operation_avg_ms')::float8, c_2d))
                            ELSE '' END,
                       CASE v_rating WHEN 'excellent' THEN '< 100ms' WHEN 'good' THEN '100-500ms'
                                     WHEN 'fair' THEN '500-1000ms' ELSE '> 1000ms' END,
                       CASE v_rating WHEN 'excellent' THEN 'system performing optimally'
                                     WHEN 'good' THEN 'acceptable for production'
                                     WHEN 'fair' THEN 'consider optimization'
                                     ELSE 'optimization required' END);

    x := d -> 'throughput';
    v_rating := x ->> 'rating';
    IF v_rating IS NULL THEN
        RETURN NEXT '   [!] Throughput: unknown (no duration)';
    ELSE
        RETURN NEXT format('   %s %s throughput: %s ops/sec (%s) - %s',
                           CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                           initcap(v_rating), loadtest.format_number((x ->> 'ops_s')::float8, c_2d),
                           CASE v_rating WHEN 'high' THEN '> 100' WHEN 'good' THEN '50-100'
                                         WHEN 'fair' THEN '20-50' ELSE '< 20' END,
                           CASE v_rating WHEN 'high' THEN 'can handle many users'
                                         WHEN 'good' THEN 'suitable for medium load'
                                         WHEN 'fair' THEN 'may struggle under high load'
                                         ELSE 'capacity issues' END);
        x := d -> 'demand_bound';
        IF jsonb_typeof(x) = 'object' THEN
            RETURN NEXT format('   note: throughput is set by the simulated demand, not the server: users spent %s%% of their time thinking (think time %sms, %sms per operation%s); run more users or think_time_ms => 0 to measure capacity',
                               loadtest.format_number((x ->> 'thinking_pct')::float8, c_2d),
                               loadtest.format_number((x ->> 'think_time_ms')::float8, c_int),
                               loadtest.format_number((x ->> 'avg_ms')::float8, c_2d),
                               CASE WHEN (x ->> 'avg_wait_ms')::float8 >= 0.005::float8
                                    THEN ', ' || loadtest.format_number((x ->> 'avg_wait_ms')::float8, c_2d) || 'ms waiting to start'
                                    ELSE '' END);
        END IF;
    END IF;

    x := d -> 'success';
    v_rating := x ->> 'rating';
    RETURN NEXT format('   %s %s success rate: %s%% (%s) - %s',
                       CASE v_rating WHEN 'fair' THEN '[!]' WHEN 'poor' THEN '[!!]' ELSE '[OK]' END,
                       initcap(v_rating), loadtest.format_number((x ->> 'pct')::float8, c_2d),
                       CASE WHEN (x ->> 'failed')::numeric = 0::numeric THEN 'no failed operations'
                            ELSE CASE v_rating WHEN 'excellent' THEN '> 99%' WHEN 'good' THEN '95-99%'
                                               WHEN 'fair' THEN '90-95%' ELSE '< 90%' END END,
                       CASE v_rating WHEN 'excellent' THEN 'system stable'
                                     WHEN 'good' THEN 'monitor errors'
                                     WHEN 'fair' THEN 'investigate failures'
                                     ELSE 'critical issues' END);
END
$$;

COMMENT ON FUNCTION loadtest.report_assessment(bigint, double precision, integer) IS
'loadtest (internal): the report''s "Performance Assessment:" lines of a run: the reference guide''s ratings of its response time, throughput and success rate, and a note when its throughput is set by the simulated demand (the targets: for the figures of loadtest.report_assessment_data)';

-- ---------------------------------------------------------------------------
-- "Scaling to N Users:" (the verdict)
-- ---------------------------------------------------------------------------

-- The verdict for target_users within target_ms: the row of
-- loadtest_verdict() (ready, capacity_users, response_ms_at_target, basis,
-- bottleneck, explanation); a row of NULLs that says why when the run's
-- figures (rows written by hand) give it none.
CREATE OR REPLACE FUNCTION loadtest.report_scaling_data(run_id bigint, target_ms double precision,
                                                        target_users integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    v_verdict jsonb;
BEGIN
    SELECT to_jsonb(v) INTO v_verdict
      FROM @extschema@.loadtest_verdict(report_scaling_data.run_id, report_scaling_data.target_users,
                                        report_scaling_data.target_ms) v
     LIMIT 1;
    RETURN v_verdict;
EXCEPTION WHEN data_exception THEN
    -- (SQLSTATE class 22: figures out of range in rows written by hand)
    RETURN jsonb_build_object('ready', NULL, 'capacity_users', NULL, 'response_ms_at_target', NULL,
                              'basis', NULL, 'bottleneck', NULL,
                              'explanation', 'no verdict from this run''s figures: ' || SQLERRM);
END
$$;

COMMENT ON FUNCTION loadtest.report_scaling_data(bigint, double precision, integer) IS
'loadtest (internal): the figures of the report''s scaling section: the row of loadtest_verdict(run_id, target_users, target_ms) (ready, capacity_users, response_ms_at_target, basis, bottleneck, explanation)';

-- A target in ms as the section writes it (below 0.01, two decimals would
-- show 0.00)
CREATE OR REPLACE FUNCTION loadtest.report_format_ms(value double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value < 0.01::float8 AND value > 0::float8 THEN btrim(to_char(value, '9.99EEEE'))
            ELSE loadtest.format_number(value, 'FM999G999G999G999G990D00') END || 'ms'
$$;

COMMENT ON FUNCTION loadtest.report_format_ms(double precision) IS
'loadtest (internal): a time in ms for the report''s scaling section: two decimals, in scientific notation below 0.01';

-- The section: the headline verdict and its basis first; then what it
-- comes from (capacity, response time at the target, bottleneck, the
-- verdict's explanation line by line); last the guide's formula, labelled.
-- Nothing else: no line may contradict the headline.
CREATE OR REPLACE FUNCTION loadtest.report_scaling(run_id bigint, target_ms double precision,
                                                   target_users integer)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_int    constant text := 'FM999G999G999G999G990';
    c_lines  constant integer := 40;    -- explanation lines shown
    d        jsonb := loadtest.report_scaling_data(report_scaling.run_id, report_scaling.target_ms,
                                                   report_scaling.target_users);
    -- (the guide's formula: a figure of the reference guide's assessment)
    g        jsonb := loadtest.report_assessment_data(report_scaling.run_id, report_scaling.target_ms,
                                                      report_scaling.target_users) -> 'guide_formula';
    v_for    text := format('%s users within %s', report_scaling.target_users,
                            loadtest.report_format_ms(report_scaling.target_ms));
    v_basis  text := loadtest.one_line(d ->> 'basis', 40);
    v_cap    double precision := (d ->> 'capacity_users')::float8;
    v_n      integer := 0;
    v_line   text;
BEGIN
    RETURN NEXT format('Scaling to %s Users:', report_scaling.target_users);
    RETURN NEXT '   Verdict: '
                || CASE (d ->> 'ready')::boolean
                   WHEN true THEN format('READY for %s (%s)', v_for, coalesce(v_basis, 'no basis given'))
                   WHEN false THEN format('NOT READY for %s (%s)', v_for, coalesce(v_basis, 'no basis given'))
                   ELSE CASE WHEN v_basis IS NULL
                             THEN format('NO ANSWER for %s: not enough evidence yet (see below)', v_for)
                             ELSE format('NO ANSWER for %s (%s)', v_for, v_basis) END END;
    IF v_cap IS NOT NULL THEN
        RETURN NEXT '   Capacity: '
                    || CASE WHEN v_cap = 'Infinity'::float8 THEN 'no limit found'
                            ELSE '~' || loadtest.format_number(floor(v_cap), c_int) || ' concurrent users' END
                    || ' within ' || loadtest.report_format_ms(report_scaling.target_ms);
    END IF;
    IF d ->> 'response_ms_at_target' IS NOT NULL THEN
        RETURN NEXT format('   Response time at %s users: %s', report_scaling.target_users,
                           loadtest.report_format_ms((d ->> 'response_ms_at_target')::float8));
    END IF;
    IF d ->> 'bottleneck' IS NOT NULL THEN
        RETURN NEXT '   Bottleneck: ' || loadtest.one_line(d ->> 'bottleneck', 400);
    END IF;
    FOR v_line IN
        SELECT e.l FROM regexp_split_to_table(coalesce(d ->> 'explanation', ''), E'\n') WITH ORDINALITY AS e(l, n)
         WHERE btrim(e.l) <> '' ORDER BY e.n
    LOOP
        v_n := v_n + 1;
        IF v_n > c_lines THEN
            RETURN NEXT format('   ... (the rest: SELECT explanation FROM loadtest_verdict(%s, %s, %s);)',
                               report_scaling.run_id, report_scaling.target_users, report_scaling.target_ms);
            EXIT;
        END IF;
        RETURN NEXT '   ' || loadtest.one_line(v_line, 400);
    END LOOP;

    RETURN NEXT '   The reference guide''s formula, not the verdict: '
                || CASE WHEN g ? 'not_applicable'
                        THEN (g ->> 'not_applicable') || ', nothing to estimate'
                        ELSE format('%s / %s x %s users = %s; at %s users %s (it takes the configured users for the concurrency and leaves queueing out)',
                                    loadtest.report_format_ms(report_scaling.target_ms),
                                    loadtest.report_format_ms((g ->> 'avg_ms')::float8),
                                    loadtest.format_number((g ->> 'users')::float8, c_int),
                                    CASE WHEN (g ->> 'capacity_users')::float8 = 'Infinity'::float8
                                         THEN 'unlimited users'
                                         ELSE '~' || loadtest.format_number(floor((g ->> 'capacity_users')::float8), c_int) || ' users' END,
                                    report_scaling.target_users,
                                    loadtest.report_format_ms((g ->> 'est_response_ms')::float8)) END;
END
$$;

COMMENT ON FUNCTION loadtest.report_scaling(bigint, double precision, integer) IS
'loadtest (internal): the report''s scaling section of a run: the verdict of loadtest_verdict() for target_users within target_ms with its basis, capacity, response time at the target, bottleneck and explanation, then the reference guide''s linear formula (guide_formula of loadtest.report_assessment_data) labelled as not the verdict';

-- ---------------------------------------------------------------------------
-- "Recommendations:"
-- ---------------------------------------------------------------------------

-- The rows of loadtest_recommendations(run_id), in its order: what the
-- run's evidence calls for, each with the figure that triggered it.
CREATE OR REPLACE FUNCTION loadtest.report_recommendations_data(run_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 3
AS $$
DECLARE
    v_rows jsonb;
BEGIN
    SELECT coalesce(jsonb_agg(to_jsonb(x) - 'n' ORDER BY x.n), '[]'::jsonb) INTO v_rows
      FROM @extschema@.loadtest_recommendations(report_recommendations_data.run_id)
           WITH ORDINALITY AS x(finding, evidence, recommendation, statement, n);
    RETURN v_rows;
EXCEPTION WHEN data_exception THEN
    -- (SQLSTATE class 22: figures out of range in rows written by hand)
    RETURN jsonb_build_array(jsonb_build_object(
               'finding', 'no recommendations from this run''s figures',
               'evidence', SQLERRM, 'recommendation', NULL, 'statement', NULL));
END
$$;

COMMENT ON FUNCTION loadtest.report_recommendations_data(bigint) IS
'loadtest (internal): the figures of the report''s "Recommendations:": the rows of loadtest_recommendations(run_id) (finding, evidence, recommendation, statement), in its order';

CREATE OR REPLACE FUNCTION loadtest.report_recommendations(run_id bigint)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_listed constant integer := 20;
    d        jsonb := loadtest.report_recommendations_data(report_recommendations.run_id);
    e        jsonb;
    v_n      integer := 0;
BEGIN
    RETURN NEXT 'Recommendations:';
    IF jsonb_array_length(d) = 0 THEN
        RETURN NEXT '   none: nothing in this run''s evidence calls for a change';
        RETURN;
    END IF;
    FOR e IN SELECT x.e FROM jsonb_array_elements(d) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
        v_n := v_n + 1;
        IF v_n > c_listed THEN
            RETURN NEXT format('   ... and %s more (SELECT * FROM loadtest_recommendations(%s);)',
                               jsonb_array_length(d) - c_listed, report_recommendations.run_id);
            EXIT;
        END IF;
        RETURN NEXT '   - ' || coalesce(loadtest.one_line(e ->> 'finding', 200), 'finding')
                    || coalesce(': ' || loadtest.one_line(e ->> 'evidence', 600), '');
        IF e ->> 'recommendation' IS NOT NULL THEN
            RETURN NEXT '     -> ' || loadtest.one_line(e ->> 'recommendation', 600);
        END IF;
        IF e ->> 'statement' IS NOT NULL THEN
            RETURN NEXT '        ' || loadtest.one_line(e ->> 'statement', 900);
        END IF;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.report_recommendations(bigint) IS
'loadtest (internal): the report''s "Recommendations:" lines of a run: each row of loadtest_recommendations() as its finding and evidence, what to do, and the statement that does it; a line saying there is none';
-- loadtest 1.5: the evidence of a run in the report (issue #10).
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
-- loadtest 1.5: the capacity model (Universal Scalability Law).
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
-- loadtest 1.5: the answer (issue #11): is the server ready for N users
-- within a target response time, from the evidence of the runs, and what to
-- change.
--
--   loadtest.verdict_limits()     the thresholds of the verdict and of the
--                                 recommendations (the one place they live)
--   loadtest.run_figures(run_id)  the one definition of a run's figures: X,
--                                 R, W, Z, felt time, concurrency, demand,
--                                 saturation flags (the report and the
--                                 comparison read it too)
--   loadtest_verdict(run_id, target_users, target_ms)
--                                 ready or not, capacity, response at the
--                                 target, basis (measured, saturation,
--                                 model or NULL), bottleneck, explanation
--   loadtest_recommendations(run_id)
--                                 what to change, each from the evidence
--                                 that triggered it (indexes checked with
--                                 HypoPG when it is installed)
--
-- Every routine here is SECURITY INVOKER: it reads the result tables
-- through row-level security as the caller (a role sees its own runs).
-- Any content of those tables (rows written by hand by their owner, garbage
-- included) gives rows, not an error: figures out of range are NULL (a run
-- with such figures is no evidence), text goes through loadtest.one_line(),
-- numbers through loadtest.format_number(), products that could overflow
-- through loadtest.float8_mul().  Every body is plpgsql or SQL with a string
-- body: parsed when it runs, under its pinned search_path (pg_catalog,
-- pg_temp), so its operators are pg_catalog's.
--
-- Units as in the views: ms, ops/sec, percentages 0..100, read_share 0..1.

-- ---------------------------------------------------------------------------
-- The thresholds (one place)
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.verdict_limits(
    OUT ready_success_pct double precision,     -- ready: success at least this
    OUT kept_up_share double precision,         -- kept up: X >= this x demand
    OUT pool_wait_share double precision,       -- pool saturated: W >= this x R ...
    OUT pool_busy_share double precision,       -- ... and X R / 1000 >= this x pool_size
    OUT late_start_share double precision,      -- rate run saturated: late starts over this share
    OUT flat_concurrency_ratio double precision,-- flat: this x the concurrency of another run ...
    OUT flat_throughput_ratio double precision, -- ... gave at most this x its throughput
    OUT model_min_runs integer,                 -- the USL model: at least this many runs
    OUT model_min_r2 double precision,          -- ... fitting with r2 at least this
    OUT model_data_tolerance double precision,  -- ... of data sizes within this share
    OUT model_extrapolation double precision,   -- warn beyond this x the largest concurrency
    OUT runs_considered integer,                -- the latest runs of a test read
    OUT error_success_pct double precision,     -- bottleneck errors: success under this
    OUT waiting_share double precision,         -- bottleneck waiting: W >= this x felt time
    OUT class_share_pct double precision,       -- a wait class that stands out (% of samples)
    OUT cpu_share_pct double precision,         -- CPU that stands out (% of samples)
    OUT seq_tup_per_op double precision,        -- bottleneck plans: tuples read per operation
    OUT min_duration_s double precision,        -- the run that would answer: at least this long
    OUT min_ops_per_user double precision,      -- ... with this many operations per user
    OUT long_run_s double precision,            -- ... a warning beyond this
    OUT ramp_up_s double precision,             -- ... its ramp-up
    OUT max_pool integer,                       -- ... its pool at most this
    OUT rec_seq_tup_read double precision,      -- index: a table's sequential tuples read ...
    OUT rec_seq_tup_per_scan double precision,  -- ... and per sequential scan
    OUT rec_index_columns integer,              -- ... at most this many columns
    OUT rec_hypo_fall double precision,         -- ... HypoPG: cost falls by this share
    OUT rec_lock_samples double precision,      -- lock waits: an operation with this many samples
    OUT rec_cache_hit_pct double precision,     -- cache: hit ratio under this ...
    OUT rec_cache_blocks double precision,      -- ... with this many blocks read
    OUT rec_read_share double precision,        -- replicas: reads over this share
    OUT rec_tail_factor double precision,       -- tail: p99 over this x the median ...
    OUT rec_tail_ms double precision,           -- ... and at least this
    OUT listed integer,                         -- items of a list named in a text
    OUT min_wait_samples double precision,      -- wait classes weigh only over this many samples
    OUT rec_wal_write_p95_ms double precision)  -- WAL: unless saturated, the writes' p95 at least this
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 99::float8, 0.9::float8, 0.5::float8, 0.7::float8, 0.05::float8,
       1.5::float8, 1.1::float8, 4, 0.9::float8, 0.10::float8, 4::float8, 100,
       95::float8, 0.5::float8, 30::float8, 70::float8, 1000::float8,
       60::float8, 10::float8, 600::float8, 10::float8, 64,
       10000::float8, 1000::float8, 3, 0.10::float8,
       20::float8, 99::float8, 1000::float8, 0.6::float8, 10::float8, 100::float8,
       10, 100::float8, 20::float8
$$;

COMMENT ON FUNCTION loadtest.verdict_limits() IS
'loadtest (internal): the thresholds of loadtest_verdict and loadtest_recommendations, in one place';

-- ---------------------------------------------------------------------------
-- Small helpers
-- ---------------------------------------------------------------------------

-- value when it lies in [lo, hi], else NULL (NaN sorts above every number)
CREATE OR REPLACE FUNCTION loadtest.within(value double precision, lo double precision, hi double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value >= lo AND value <= hi THEN value END
$$;

COMMENT ON FUNCTION loadtest.within(double precision, double precision, double precision) IS
'loadtest (internal): value when it lies between lo and hi, else NULL (NaN and infinities outside any finite range)';

-- A figure of a run (a time in ms, a throughput, a rate): between 0 and
-- 1e12, else NULL; below 1e-9, 0.  Products and quotients of such figures
-- neither overflow nor underflow double precision.
CREATE OR REPLACE FUNCTION loadtest.figure(value double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN value >= 1e-9::float8 AND value <= 1e12::float8 THEN value
            WHEN value >= 0::float8 AND value < 1e-9::float8 THEN 0::float8 END
$$;

COMMENT ON FUNCTION loadtest.figure(double precision) IS
'loadtest (internal): a figure of a run (ms, ops/sec) between 0 and 1e12, else NULL; values under 1e-9 count as 0';

-- a * b, or +-Infinity where it overflows and 0 where it underflows (double
-- precision arithmetic raises an error there)
CREATE OR REPLACE FUNCTION loadtest.float8_mul(a double precision, b double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN a * b;
EXCEPTION WHEN numeric_value_out_of_range THEN
    IF abs(a) < 1 OR abs(b) < 1 THEN
        RETURN 0;
    END IF;
    RETURN CASE WHEN (a > 0) = (b > 0) THEN 'Infinity'::float8 ELSE '-Infinity'::float8 END;
END
$$;

COMMENT ON FUNCTION loadtest.float8_mul(double precision, double precision) IS
'loadtest (internal): a * b, +-Infinity instead of an overflow error, 0 instead of an underflow error';

-- a number for the verdict's texts: 0 or 2 decimals, 'n/a' for NULL
CREATE OR REPLACE FUNCTION loadtest.verdict_num(value double precision, decimals integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(loadtest.format_number(value, CASE WHEN decimals = 0 THEN 'FM999G999G999G999G990'
                                                   WHEN decimals = 1 THEN 'FM999G999G999G999G990D0'
                                                   ELSE 'FM999G999G999G999G990D00' END), 'n/a')
$$;

COMMENT ON FUNCTION loadtest.verdict_num(double precision, integer) IS
'loadtest (internal): a number as the verdict writes it (0, 1 or 2 decimals; n/a for NULL)';

-- A run's row of loadtest.run_summary, or none when the view cannot compute
-- it (for rows written by hand the view's arithmetic can underflow: a sum
-- of latencies of 5e-324 over a huge count of operations).
CREATE OR REPLACE FUNCTION loadtest.run_summary_of(run_id bigint)
RETURNS TABLE (duration_s double precision, total_ops bigint, failed bigint,
               success_pct double precision, throughput_ops_s double precision,
               avg_ms double precision, median_ms double precision, p95_ms double precision,
               p99_ms double precision, read_share double precision,
               avg_wait_ms double precision, late_starts bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
        SELECT x.duration_s, x.total_ops, x.failed, x.success_pct, x.throughput_ops_s, x.avg_ms,
               x.median_ms, x.p95_ms, x.p99_ms, x.read_share, x.avg_wait_ms, x.late_starts
          FROM loadtest.run_summary x WHERE x.run_id = run_summary_of.run_id;
EXCEPTION WHEN data_exception THEN
    RETURN;
END
$$;

COMMENT ON FUNCTION loadtest.run_summary_of(bigint) IS
'loadtest (internal): the figures of a run''s row of loadtest.run_summary that loadtest.run_figures reads; none when the view raises a data exception on its summaries';

-- ---------------------------------------------------------------------------
-- The figures of a run (the one definition)
--
-- From loadtest.run_summary s, loadtest.runs r and the response histograms:
--   throughput_ops_s  X = s.throughput_ops_s (attempts per second)
--   avg_ms            R = s.avg_ms (the operation itself)
--   wait_ms           W = coalesce(s.avg_wait_ms, 0): the pool wait of a
--                     pooled run, the schedule lag of a rate run
--   think_ms          Z = r.think_time_ms in a closed run, 0 in a rate run
--   felt_ms           R + W; felt_p95_ms the p95 of the response histograms
--   concurrency       X (R + W + Z) / 1000: users in the system (Little's law)
--   demand_ops_s      closed: users / ((Z + R) / 1000), what the users would
--                     ask if never queued; rate: the rate
--   kept_up           X >= 0.9 demand, no arrival dropped, no user lost
--   busy_workers      X R / 1000 (pooled); pool_saturated: W >= R / 2 and
--                     busy_workers >= 0.7 pool_size; rate_saturated: not
--                     kept up, or over 5% of the operations started late
--   data_bytes        sum of run_table_stats.total_bytes (NULL before 1.5)
--   usable            the run can serve as evidence: X between 1e-9 and
--                     1e12, R, W, Z and success known, operations recorded
-- Figures out of range (NaN, infinities, negative times, X over 1e12, times
-- over 1e12 ms) are NULL, so that nothing computed from them can overflow.
-- shape: 'dedicated' (a worker per user), 'pooled', 'rate', 'staged'.
-- No row for a run the caller cannot see.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.run_figures(run_id bigint)
RETURNS TABLE (run_id bigint, status text, role_name name, database_name name, pattern text,
               server_version text, shape text, users integer, pool_size integer,
               rate double precision, think_time_ms integer, hot_rows integer,
               users_lost integer, arrivals_dropped bigint, ramp_up_s double precision,
               duration_limit_s double precision, duration_s double precision,
               total_ops bigint, failed bigint, success_pct double precision,
               read_share double precision, throughput_ops_s double precision,
               avg_ms double precision, wait_ms double precision, think_ms double precision,
               felt_ms double precision, felt_p95_ms double precision, median_ms double precision,
               p95_ms double precision, p99_ms double precision, concurrency double precision,
               demand_ops_s double precision, kept_up boolean, late_starts bigint,
               late_start_pct double precision, busy_workers double precision,
               pool_saturated boolean, rate_saturated boolean, data_bytes numeric,
               usable boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT r.run_id, r.status::text, r.role_name, r.database_name, r.pattern, r.server_version,
       c.shape, r.users, r.pool_size, c.rate, r.think_time_ms, r.hot_rows,
       r.users_lost, r.arrivals_dropped, loadtest.figure(r.ramp_up_s),
       loadtest.figure(r.duration_limit_s), c.duration_s,
       s.total_ops, s.failed, c.success_pct, c.read_share,
       c.x, c.r, c.w, c.z, c.r + c.w, c.felt_p95, c.median, c.p95, c.p99,
       c.x * (c.r + c.w + c.z) / 1000, d.demand,
       c.x >= k.kept_up_share * d.demand AND r.arrivals_dropped = 0 AND r.users_lost = 0,
       s.late_starts,
       CASE WHEN s.total_ops > 0 AND s.late_starts BETWEEN 0 AND s.total_ops
            THEN 100 * s.late_starts::float8 / s.total_ops::float8 END,
       CASE WHEN c.shape = 'pooled' AND r.pool_size >= 1 THEN c.x * c.r / 1000 END,
       coalesce(c.shape = 'pooled' AND r.pool_size >= 1 AND c.w >= k.pool_wait_share * c.r
                AND c.x * c.r / 1000 >= k.pool_busy_share * r.pool_size, false),
       coalesce(c.shape = 'rate'
                AND (NOT (c.x >= k.kept_up_share * d.demand AND r.arrivals_dropped = 0 AND r.users_lost = 0)
                     OR s.late_starts::float8 > k.late_start_share * s.total_ops::float8), false),
       (SELECT CASE WHEN count(t.total_bytes) > 0 THEN sum(t.total_bytes) FILTER (WHERE t.total_bytes >= 0) END
          FROM loadtest.run_table_stats t WHERE t.run_id = r.run_id),
       coalesce(c.x >= 1e-9 AND c.r IS NOT NULL AND c.w IS NOT NULL AND c.z IS NOT NULL
                AND c.success_pct IS NOT NULL AND s.total_ops > 0, false)
  FROM loadtest.runs r
 CROSS JOIN loadtest.verdict_limits() k
  LEFT JOIN LATERAL loadtest.run_summary_of(r.run_id) s ON true
 CROSS JOIN LATERAL (
       SELECT CASE WHEN r.stages IS NOT NULL THEN 'staged' WHEN r.rate IS NOT NULL THEN 'rate'
                   WHEN r.pool_size IS NOT NULL THEN 'pooled' ELSE 'dedicated' END AS shape,
              nullif(loadtest.figure(r.rate), 0) AS rate,
              loadtest.figure(s.duration_s) AS duration_s,
              loadtest.within(s.success_pct, 0, 100) AS success_pct,
              loadtest.within(s.read_share, 0, 1) AS read_share,
              loadtest.figure(s.throughput_ops_s) AS x,
              loadtest.figure(s.avg_ms) AS r,
              loadtest.figure(coalesce(s.avg_wait_ms, 0)) AS w,
              CASE WHEN r.rate IS NOT NULL THEN 0::float8
                   WHEN r.think_time_ms >= 0 THEN r.think_time_ms::float8 END AS z,
              loadtest.figure((SELECT (loadtest.histogram_percentiles(h.response_buckets, h.response_counts,
                                                                     ARRAY[0.95]::float8[]))[1]
                                 FROM loadtest.run_histograms h
                                WHERE h.run_id = r.run_id AND h.scope = 'operation') / 1000) AS felt_p95,
              loadtest.figure(s.median_ms) AS median,
              loadtest.figure(s.p95_ms) AS p95,
              loadtest.figure(s.p99_ms) AS p99) c
 CROSS JOIN LATERAL (
       SELECT CASE WHEN c.shape = 'rate' THEN c.rate
                   WHEN c.shape IN ('dedicated', 'pooled') AND r.users >= 1 AND c.z + c.r >= 1e-6
                   THEN r.users / ((c.z + c.r) / 1000) END AS demand) d
 WHERE r.run_id = run_figures.run_id
$$;

COMMENT ON FUNCTION loadtest.run_figures(bigint) IS
'loadtest (internal): the figures of a run, the one definition that the verdict and the recommendations read: run_id, status, role_name, database_name, pattern, server_version, shape (dedicated, pooled, rate, staged), users, pool_size, rate, think_time_ms, hot_rows, users_lost, arrivals_dropped, ramp_up_s, duration_limit_s, duration_s, total_ops, failed, success_pct, read_share, throughput_ops_s (X), avg_ms (R, the operation), wait_ms (W: pool wait or schedule lag), think_ms (Z: think time, 0 in a rate run), felt_ms (R + W), felt_p95_ms (response histograms), median_ms, p95_ms, p99_ms, concurrency (X (R + W + Z) / 1000, Little''s law), demand_ops_s (closed: users / (Z + R); rate: the rate), kept_up (X >= 0.9 demand, nothing dropped or lost), late_starts, late_start_pct, busy_workers (X R / 1000), pool_saturated (W >= R / 2 and busy >= 0.7 pool), rate_saturated (not kept up or over 5% late starts), data_bytes (sum of total_bytes), usable (figures fit to serve as evidence), and the run''s configuration; figures out of range are NULL; no row for a run the caller cannot see';

-- The runs of "the same test" as a run: same role, database, pattern and
-- think time, completed, with summaries; the latest first, at most
-- runs_considered of them (the run itself among them when it qualifies).
CREATE OR REPLACE FUNCTION loadtest.same_test_runs(run_id bigint)
RETURNS TABLE (run_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT x.run_id
  FROM loadtest.runs r
  JOIN loadtest.runs x
    ON x.role_name = r.role_name AND x.database_name = r.database_name
   AND x.pattern = r.pattern AND x.think_time_ms = r.think_time_ms
   -- the settings that change what the operations do
   AND x.hot_rows = r.hot_rows AND x.isolation = r.isolation
   AND x.max_tries = r.max_tries AND x.op_timeout_ms = r.op_timeout_ms
 WHERE r.run_id = same_test_runs.run_id
   AND x.status = 'completed'
   AND EXISTS (SELECT 1 FROM loadtest.run_histograms h
                WHERE h.run_id = x.run_id AND h.scope = 'operation')
 ORDER BY x.run_id DESC
 LIMIT (SELECT k.runs_considered FROM loadtest.verdict_limits() k)
$$;

COMMENT ON FUNCTION loadtest.same_test_runs(bigint) IS
'loadtest (internal): the runs of the same test as a run (same role, database, pattern, think time, hot rows, isolation, tries and operation timeout; completed; with summaries), the latest first, at most verdict_limits().runs_considered';

-- One run's figures in one sentence, for the explanations.
CREATE OR REPLACE FUNCTION loadtest.verdict_run_text(run_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f record;
BEGIN
    SELECT * INTO f FROM loadtest.run_figures(verdict_run_text.run_id);
    IF NOT FOUND THEN
        RETURN format('run %s (not visible)', verdict_run_text.run_id);
    END IF;
    RETURN format('run %s (%s users%s, think time %sms): %s ops/sec, operation %sms%s, felt %sms (p95 %sms), success %s%%, concurrency %s (X x (R + W + Z))',
                  verdict_run_text.run_id, loadtest.verdict_num(f.users, 0),
                  CASE f.shape WHEN 'pooled' THEN ' through a pool of ' || loadtest.verdict_num(f.pool_size, 0) || ' workers'
                               WHEN 'rate' THEN ', arrival rate ' || loadtest.verdict_num(f.rate, 2) || ' ops/sec'
                               WHEN 'staged' THEN ', staged'
                               ELSE ', a worker each' END,
                  loadtest.verdict_num(f.think_time_ms, 0),
                  loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.avg_ms, 2),
                  CASE f.shape WHEN 'pooled' THEN ', pool wait ' || loadtest.verdict_num(f.wait_ms, 2) || 'ms'
                               WHEN 'rate' THEN ', schedule lag ' || loadtest.verdict_num(f.wait_ms, 2) || 'ms'
                               ELSE '' END,
                  loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(f.felt_p95_ms, 2),
                  loadtest.verdict_num(f.success_pct, 2), loadtest.verdict_num(f.concurrency, 2));
END
$$;

COMMENT ON FUNCTION loadtest.verdict_run_text(bigint) IS
'loadtest (internal): a run''s figures (loadtest.run_figures) in one sentence for the verdict''s explanation';

-- ---------------------------------------------------------------------------
-- Arguments and the run asked about
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION loadtest.verdict_check_targets(target_users integer, target_ms double precision)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF target_users IS NULL OR target_users < 1 THEN
        RAISE EXCEPTION 'target_users must be at least 1, not %', coalesce(target_users::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_users is the number of concurrent users the verdict is for.',
                  HINT = 'Pass a number of users, e.g. loadtest_verdict(target_users => 4000).';
    END IF;
    IF target_ms IS NULL OR NOT (target_ms > 0 AND target_ms < 'Infinity'::float8) THEN
        RAISE EXCEPTION 'target_ms must be a finite positive number, not %', coalesce(target_ms::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'target_ms is the response time in ms, as users feel it, that the verdict holds the server to.',
                  HINT = 'Pass a number of milliseconds, e.g. loadtest_verdict(target_ms => 500).';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_check_targets(integer, double precision) IS
'loadtest (internal): refuses (SQLSTATE 22023) a target_users under 1 and a target_ms that is not a finite positive number';

-- The run a report, a verdict or a check is about: run_id, or the latest
-- run the caller sees; marks stale runs first (runs that can no longer end
-- are not reported as running).  purpose: what the message of "no runs"
-- says ('report on', 'judge', 'check').
CREATE OR REPLACE FUNCTION loadtest.resolve_run(run_id bigint, purpose text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run_id bigint := resolve_run.run_id;
BEGIN
    -- not being allowed to update runs (privileges, read-only
    -- transaction, standby) is no reason not to answer
    BEGIN
        PERFORM @extschema@.loadtest_mark_stale_runs();
    EXCEPTION WHEN insufficient_privilege OR read_only_sql_transaction THEN
        NULL;
    END;
    IF v_run_id IS NULL THEN
        SELECT max(x.run_id) INTO v_run_id FROM loadtest.runs x;
        IF v_run_id IS NULL THEN
            RAISE EXCEPTION 'there are no loadtest runs to %', purpose
                USING ERRCODE = 'no_data_found',
                      HINT = 'Start a load test with loadtest_run() first.';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM loadtest.runs x WHERE x.run_id = v_run_id) THEN
        RAISE EXCEPTION 'loadtest run % does not exist', v_run_id
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM loadtest.runs ORDER BY run_id; lists the runs you can see.';
    END IF;
    RETURN v_run_id;
END
$$;

COMMENT ON FUNCTION loadtest.resolve_run(bigint, text) IS
'loadtest (internal): the run a report, a verdict, recommendations or a check are about: run_id (undefined_object when the caller cannot see it) or the latest run the caller sees (no_data_found when none: "there are no loadtest runs to <purpose>"); marks stale runs first';

-- ---------------------------------------------------------------------------
-- Basis 1: measured
-- ---------------------------------------------------------------------------

-- Little's law at a measured throughput x (ops/sec) with think time z:
-- the users served within target_ms, x (target_ms + z) / 1000, and the
-- response at target_users, the larger of the operation's r and
-- target_users / x - z (in ms): the measured and the saturation bases.
CREATE OR REPLACE FUNCTION loadtest.little_capacity(x double precision, target_ms double precision,
                                                    z double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT loadtest.float8_mul(x / 1000, target_ms + z)
$$;
COMMENT ON FUNCTION loadtest.little_capacity(double precision, double precision, double precision) IS
'loadtest (internal): Little''s law: the users a throughput x (ops/sec) serves within target_ms with think time z, x (target_ms + z) / 1000';

CREATE OR REPLACE FUNCTION loadtest.little_response(x double precision, target_users integer,
                                                    z double precision, r double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT greatest(r, target_users::float8 * 1000 / nullif(x, 0::float8) - z)
$$;
COMMENT ON FUNCTION loadtest.little_response(double precision, integer, double precision, double precision) IS
'loadtest (internal): Little''s law: the response in ms of target_users at a saturated throughput x (ops/sec) with think time z, at least the operation''s r: max(r, target_users 1000 / x - z)';

-- This run if it is a closed-model run of the test at target_users or
-- more, else the latest such run of the same test.
CREATE OR REPLACE FUNCTION loadtest.verdict_measured(run_id bigint, target_users integer,
                                                     target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis_run_id bigint, saturated boolean, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k  record;
    f  record;
    v_run bigint := verdict_measured.run_id;
    v_tu  integer := verdict_measured.target_users;
    v_tm  double precision := verdict_measured.target_ms;
    why   text[] := '{}';
    v_demand double precision;
    v_kept   boolean;
    v_fewer  boolean;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT s.run_id AS id, x.* INTO f
      FROM loadtest.same_test_runs(v_run) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) x
     WHERE x.shape IN ('dedicated', 'pooled') AND x.users >= v_tu AND x.usable
     ORDER BY s.run_id = v_run DESC, s.run_id DESC
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    -- In a closed run the demand falls as users wait: throughput kept up
    -- when it is what the users ask at the target, users / (Z + target)
    -- (Little's law); users lost count against it.
    v_demand := loadtest.float8_mul(f.users::float8, 1000 / (f.think_ms + v_tm));
    v_kept := f.throughput_ops_s >= k.kept_up_share * v_demand AND f.users_lost = 0;
    ready := f.felt_ms <= v_tm AND f.success_pct >= k.ready_success_pct AND coalesce(v_kept, false);
    capacity_users := loadtest.little_capacity(f.throughput_ops_s, v_tm, f.think_ms);
    -- A run with more users than the target that missed it: fewer users
    -- queue less, and the throughput it measured serves target_users
    -- within target_ms when Little's law says so.
    v_fewer := f.users > v_tu AND NOT coalesce(ready, false)
               AND f.success_pct >= k.ready_success_pct AND f.users_lost = 0;
    IF v_fewer THEN
        ready := capacity_users >= v_tu;
    END IF;
    response_ms_at_target := CASE WHEN f.users = v_tu OR (ready AND NOT v_fewer) THEN f.felt_ms
                                  ELSE loadtest.little_response(f.throughput_ops_s, v_tu, f.think_ms, f.avg_ms) END;
    basis_run_id := f.id;
    saturated := f.pool_saturated OR f.rate_saturated;

    IF v_fewer THEN
        why := why || format('its %s users felt %sms > %sms, but %s users need only %s ops/sec within %sms, and it measured %s',
                             loadtest.verdict_num(f.users, 0), loadtest.verdict_num(f.felt_ms, 2),
                             loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(v_tu, 0),
                             loadtest.verdict_num(v_tu::float8 * 1000 / (v_tm + f.think_ms), 2),
                             loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(f.throughput_ops_s, 2));
    ELSIF NOT f.felt_ms <= v_tm THEN
        why := why || format('users felt %sms > %sms', loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(v_tm, 2));
    END IF;
    IF NOT f.success_pct >= k.ready_success_pct THEN
        why := why || format('success %s%% < %s%%', loadtest.verdict_num(f.success_pct, 2),
                             loadtest.verdict_num(k.ready_success_pct, 0));
    END IF;
    IF NOT coalesce(v_kept, false) THEN
        why := why || 'throughput did not keep up with the demand'::text;
    END IF;

    explanation := concat_ws(E'\n',
        format('measured: %s', loadtest.verdict_run_text(f.id)),
        format('%s: users felt %sms per operation (%s%sms operation) against the %sms target, success %s%% (%s%% needed), throughput %s of the %s ops/sec the users ask at the target (%s%s)%s',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END,
               loadtest.verdict_num(f.felt_ms, 2),
               CASE f.shape WHEN 'pooled' THEN loadtest.verdict_num(f.wait_ms, 2) || 'ms waiting for a worker + ' ELSE '' END,
               loadtest.verdict_num(f.avg_ms, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(f.success_pct, 2), loadtest.verdict_num(k.ready_success_pct, 0),
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_demand, 2),
               CASE WHEN v_kept THEN 'kept up' ELSE 'did not keep up' END,
               CASE WHEN f.users_lost > 0 OR f.arrivals_dropped > 0
                    THEN format(', %s users lost, %s arrivals dropped', f.users_lost, f.arrivals_dropped) ELSE '' END,
               CASE WHEN cardinality(why) > 0 THEN ': ' || array_to_string(why, '; ') ELSE '' END),
        format('capacity: Little''s law at the measured throughput: %s ops/sec x (%sms target + %sms think time) / 1000 = %s users within %sms (a lower bound, exact when the server is saturated)',
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(f.think_ms, 0), loadtest.verdict_num(floor(capacity_users), 0),
               loadtest.verdict_num(v_tm, 2)),
        CASE WHEN f.users = v_tu
             THEN format('response at %s users: %sms, as measured', loadtest.verdict_num(v_tu, 0),
                         loadtest.verdict_num(response_ms_at_target, 2))
             WHEN ready AND NOT v_fewer
             THEN format('response at %s users: at most %sms, measured at %s users', loadtest.verdict_num(v_tu, 0),
                         loadtest.verdict_num(response_ms_at_target, 2), loadtest.verdict_num(f.users, 0))
             ELSE format('response at %s users: the larger of the operation''s %sms and %s x 1000 / %s ops/sec - %sms think time = %sms',
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.avg_ms, 2),
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.throughput_ops_s, 2),
                         loadtest.verdict_num(f.think_ms, 0), loadtest.verdict_num(response_ms_at_target, 2)) END);
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_measured(bigint, integer, double precision) IS
'loadtest (internal): the measured basis of loadtest_verdict: a closed-model run of the same test at target_users or more (this run, else the latest); ready when users felt at most target_ms, success >= 99% and throughput kept up; capacity by Little''s law, X (target_ms + Z) / 1000; no row without such a run';

-- ---------------------------------------------------------------------------
-- Basis 2: saturation
-- ---------------------------------------------------------------------------

-- The run of the test (this one or another) that saturated the server or
-- its pool with the largest throughput, and why it counts as saturated:
-- its pool (W >= R / 2 and the workers busy), its arrival rate (not kept up
-- or late starts), or throughput flat as users grew (a run with 1.5x the
-- concurrency of another gave at most 1.1x its throughput).  No row when
-- none did.
CREATE OR REPLACE FUNCTION loadtest.saturated_run(run_id bigint)
RETURNS TABLE (saturated_run_id bigint, pool boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
figs AS (
    SELECT s.run_id AS id, f.*
      FROM loadtest.same_test_runs(saturated_run.run_id) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) f
     WHERE f.usable),
flat AS (
    SELECT DISTINCT ON (b.id) b.id, a.id AS base_id, a.concurrency AS base_conc,
           a.throughput_ops_s AS base_x
      FROM figs a, figs b, k
     WHERE a.shape IN ('dedicated', 'pooled') AND b.shape IN ('dedicated', 'pooled')
       AND a.concurrency > 0 AND b.concurrency >= k.flat_concurrency_ratio * a.concurrency
       AND b.throughput_ops_s <= k.flat_throughput_ratio * a.throughput_ops_s
     ORDER BY b.id, b.throughput_ops_s / a.throughput_ops_s, a.id DESC)
SELECT f.id, f.pool_saturated,
       CASE WHEN f.pool_saturated THEN
                format('its pool of %s workers saturated: users waited %sms for a worker (at least %s x the %sms operation) while %s of its %s workers were busy (X x R / 1000)',
                       loadtest.verdict_num(f.pool_size, 0), loadtest.verdict_num(f.wait_ms, 2),
                       loadtest.verdict_num(k.pool_wait_share, 2), loadtest.verdict_num(f.avg_ms, 2),
                       loadtest.verdict_num(f.busy_workers, 2), loadtest.verdict_num(f.pool_size, 0))
            WHEN f.rate_saturated THEN
                format('it did not keep up with its arrival rate: %s of %s ops/sec, %s%% of the operations started over 10ms late, %s arrivals dropped',
                       loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.demand_ops_s, 2),
                       loadtest.verdict_num(f.late_start_pct, 2), loadtest.verdict_num(f.arrivals_dropped, 0))
            ELSE
                format('throughput was flat as users grew: at concurrency %s it gave %s ops/sec, %s x the %s ops/sec of run %s at concurrency %s (%s x the concurrency)',
                       loadtest.verdict_num(f.concurrency, 2), loadtest.verdict_num(f.throughput_ops_s, 2),
                       loadtest.verdict_num(f.throughput_ops_s / fl.base_x, 2), loadtest.verdict_num(fl.base_x, 2),
                       fl.base_id, loadtest.verdict_num(fl.base_conc, 2),
                       loadtest.verdict_num(f.concurrency / fl.base_conc, 2)) END
  FROM figs f
  LEFT JOIN flat fl ON fl.id = f.id
 CROSS JOIN k
 WHERE f.pool_saturated OR f.rate_saturated OR fl.id IS NOT NULL
 ORDER BY f.throughput_ops_s DESC, f.id DESC
 LIMIT 1
$$;

COMMENT ON FUNCTION loadtest.saturated_run(bigint) IS
'loadtest (internal): the run of the same test that saturated the server or its pool with the largest throughput (pooled: W >= R / 2 with the workers busy; rate: not kept up or late starts over 5%; closed: 1.5x the concurrency of another run for at most 1.1x its throughput), whether only its pool saturated, and why';

CREATE OR REPLACE FUNCTION loadtest.verdict_saturation(run_id bigint, target_users integer,
                                                       target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis_run_id bigint, saturated boolean, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint := verdict_saturation.run_id;
    v_tu  integer := verdict_saturation.target_users;
    v_tm  double precision := verdict_saturation.target_ms;
    s     record;
    f     record;
    v_z   double precision;
BEGIN
    SELECT * INTO s FROM loadtest.saturated_run(v_run);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO f FROM loadtest.run_figures(s.saturated_run_id);
    -- the think time of the users asked about (0 for a rate run)
    v_z := coalesce((SELECT x.think_ms FROM loadtest.run_figures(v_run) x), f.think_ms);

    capacity_users := loadtest.little_capacity(f.throughput_ops_s, v_tm, v_z);
    ready := capacity_users >= v_tu;
    response_ms_at_target := loadtest.little_response(f.throughput_ops_s, v_tu, v_z, f.avg_ms);
    basis_run_id := s.saturated_run_id;
    saturated := true;
    explanation := concat_ws(E'\n',
        format('saturation: run %s saturated %s: %s', s.saturated_run_id,
               CASE WHEN s.pool THEN 'its pool' ELSE 'the server' END, s.reason),
        format('figures: %s', loadtest.verdict_run_text(s.saturated_run_id)),
        format('capacity: Little''s law at the saturated throughput: %s ops/sec x (%sms target + %sms think time) / 1000 = %s users within %sms%s',
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(v_z, 0), loadtest.verdict_num(floor(capacity_users), 0),
               loadtest.verdict_num(v_tm, 2),
               CASE WHEN s.pool THEN ' with a pool of ' || loadtest.verdict_num(f.pool_size, 0)
                                     || ' workers (the pool may be the limit, not the server)' ELSE '' END),
        format('%s: %s users %s %s; response at %s users: the larger of the operation''s %sms and %s x 1000 / %s ops/sec - %sms think time = %sms',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END,
               loadtest.verdict_num(floor(capacity_users), 0),
               CASE WHEN ready THEN '>=' ELSE '<' END, loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(f.avg_ms, 2), loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(v_z, 0),
               loadtest.verdict_num(response_ms_at_target, 2)));
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_saturation(bigint, integer, double precision) IS
'loadtest (internal): the saturation basis of loadtest_verdict: capacity by Little''s law at the throughput of the saturated run (loadtest.saturated_run), X_sat (target_ms + Z) / 1000; ready when it reaches target_users; response max(R_sat, target_users / X_sat - Z); no row when no run saturated';

-- ---------------------------------------------------------------------------
-- Basis 3: the USL model
-- ---------------------------------------------------------------------------

-- The closed-model runs of the test and whether the model may use them:
-- the same shape (a worker each, or pooled) as the run asked about, the
-- same server version, a data size within 10% when both are known, usable
-- figures with a concurrency of 1 or more; the latest run of each user
-- count.  used false: left out, reason says why.
CREATE OR REPLACE FUNCTION loadtest.model_runs(run_id bigint)
RETURNS TABLE (model_run_id bigint, users integer, concurrency double precision,
               throughput_ops_s double precision, used boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
me AS (SELECT * FROM loadtest.run_figures(model_runs.run_id)),
figs AS (
    SELECT s.run_id AS id, f.*,
           CASE WHEN NOT f.usable THEN 'its figures are not usable'
                WHEN f.shape <> me.shape THEN format('%s, not %s', f.shape, me.shape)
                WHEN f.server_version IS DISTINCT FROM me.server_version
                THEN format('server version %s, not %s', loadtest.one_line(f.server_version, 40),
                            loadtest.one_line(me.server_version, 40))
                WHEN f.data_bytes IS NOT NULL AND me.data_bytes IS NOT NULL
                     AND abs(f.data_bytes - me.data_bytes) > k.model_data_tolerance::numeric * me.data_bytes
                THEN format('data size %s, not %s (over %s%% apart)', loadtest.format_bytes(f.data_bytes),
                            loadtest.format_bytes(me.data_bytes), loadtest.verdict_num(100 * k.model_data_tolerance, 0))
                WHEN NOT f.concurrency BETWEEN 1 AND 1e9 THEN 'concurrency under 1'
                WHEN NOT f.throughput_ops_s BETWEEN 1e-9 AND 1e12 THEN 'throughput out of range' END AS why
      FROM loadtest.same_test_runs(model_runs.run_id) s
     CROSS JOIN LATERAL loadtest.run_figures(s.run_id) f
     CROSS JOIN me CROSS JOIN k
     WHERE f.shape IN ('dedicated', 'pooled') AND me.shape IN ('dedicated', 'pooled')),
ranked AS (
    SELECT figs.*, row_number() OVER (PARTITION BY figs.why IS NULL, figs.users ORDER BY figs.id DESC) AS n
      FROM figs)
SELECT r.id, r.users, r.concurrency, r.throughput_ops_s, r.why IS NULL AND r.n = 1,
       coalesce(r.why, CASE WHEN r.n > 1 THEN 'a later run has as many users' END)
  FROM ranked r
 ORDER BY r.why IS NULL AND r.n = 1 DESC, r.concurrency, r.id
$$;

COMMENT ON FUNCTION loadtest.model_runs(bigint) IS
'loadtest (internal): the closed-model runs of the same test for the USL model: used (same shape, server version, data size within 10%, usable figures, the latest run of each user count) or left out with the reason';

-- The largest N whose predicted response time is within target_ms
-- (bisection over loadtest_usl_predict: the response grows with N); 0 when
-- not even one user is, 1e12 when all up to loadtest_usl_predict's range are.
CREATE OR REPLACE FUNCTION loadtest.usl_capacity(sigma double precision, kappa double precision,
                                                 lambda double precision, target_ms double precision,
                                                 think_ms double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lo double precision := 1;
    hi double precision := 1e12;
    mid double precision;
BEGIN
    IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, lo, think_ms) p) > target_ms THEN
        RETURN 0;
    END IF;
    IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, hi, think_ms) p) <= target_ms THEN
        RETURN hi;
    END IF;
    -- on a logarithmic scale first, then to the unit
    FOR i IN 1 .. 200 LOOP
        EXIT WHEN hi - lo <= 1;
        mid := CASE WHEN hi / lo > 4 THEN sqrt(lo) * sqrt(hi) ELSE (lo + hi) / 2 END;
        IF (SELECT p.response_ms FROM @extschema@.loadtest_usl_predict(sigma, kappa, lambda, mid, think_ms) p) <= target_ms THEN
            lo := mid;
        ELSE
            hi := mid;
        END IF;
    END LOOP;
    RETURN floor(lo);
END
$$;

COMMENT ON FUNCTION loadtest.usl_capacity(double precision, double precision, double precision, double precision, double precision) IS
'loadtest (internal): the largest number of users whose USL response time (loadtest_usl_predict) is within target_ms, by bisection; 0 when not even one user is, 1e12 at most';

-- "left out: run 12 (reason), ..." or NULL
CREATE OR REPLACE FUNCTION loadtest.verdict_left_out(runs text[], more integer)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN cardinality(runs) > 0
            THEN 'left out: ' || array_to_string(runs, ', ')
                 || CASE WHEN more > 0 THEN format(' and %s more', more) ELSE '' END END
$$;

COMMENT ON FUNCTION loadtest.verdict_left_out(text[], integer) IS
'loadtest (internal): the line of the model''s explanation that lists the runs left out';

CREATE OR REPLACE FUNCTION loadtest.verdict_model(run_id bigint, target_users integer,
                                                  target_ms double precision)
RETURNS TABLE (used boolean, ready boolean, capacity_users double precision,
               response_ms_at_target double precision, basis_run_id bigint, explanation text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k      record;
    fit    record;
    pred   record;
    loo    record;
    v_run  bigint := verdict_model.run_id;
    v_tu   integer := verdict_model.target_users;
    v_tm   double precision := verdict_model.target_ms;
    v_z    double precision;
    v_ids  bigint[];
    v_conc double precision[];
    v_x    double precision[];
    m      record;
    v_left text[];
    v_more integer := 0;
    v_lo   double precision;
    v_hi   double precision;
    v_max  double precision;
    v_n    integer;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    used := false;
    SELECT f.think_ms INTO v_z FROM loadtest.run_figures(v_run) f
     WHERE f.shape IN ('dedicated', 'pooled');
    IF v_z IS NULL THEN
        explanation := 'model: the USL model needs closed-model runs (no rate, no stages) with usable figures';
        RETURN NEXT;
        RETURN;
    END IF;

    -- the runs used (by concurrency), and the first of those left out
    v_ids := '{}';
    v_conc := '{}';
    v_x := '{}';
    v_left := '{}';
    FOR m IN SELECT * FROM loadtest.model_runs(v_run) LOOP
        IF m.used THEN
            v_ids := v_ids || m.model_run_id;
            v_conc := v_conc || m.concurrency;
            v_x := v_x || m.throughput_ops_s;
        ELSIF cardinality(v_left) < k.listed THEN
            v_left := v_left || format('run %s (%s)', m.model_run_id, m.reason);
        ELSE
            v_more := v_more + 1;
        END IF;
    END LOOP;
    v_n := cardinality(v_ids);
    IF v_n < k.model_min_runs THEN
        explanation := concat_ws(E'\n',
            format('model: %s comparable %s of this test (the USL model needs %s at distinct user counts)',
                   v_n, CASE WHEN v_n = 1 THEN 'run' ELSE 'runs' END, k.model_min_runs),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END IF;

    BEGIN
        SELECT * INTO fit FROM @extschema@.loadtest_usl_fit(v_conc, v_x);
        SELECT * INTO pred FROM @extschema@.loadtest_usl_predict(fit.sigma, fit.kappa, fit.lambda, v_tu, v_z);
    EXCEPTION WHEN data_exception THEN
        explanation := concat_ws(E'\n',
            format('model: the USL could not be fitted to runs %s: %s', array_to_string(v_ids, ', '),
                   loadtest.one_line(SQLERRM, 200)),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END;
    IF NOT fit.r2 >= k.model_min_r2 THEN
        explanation := concat_ws(E'\n',
            format('model: the USL fit over runs %s has r2 %s, under %s: not used',
                   array_to_string(v_ids, ', '), coalesce(loadtest.format_number(fit.r2, 'FM990.0000'), 'n/a'),
                   loadtest.verdict_num(k.model_min_r2, 2)),
            loadtest.verdict_left_out(v_left, v_more));
        RETURN NEXT;
        RETURN;
    END IF;

    -- the uncertainty: the predictions of the fits that leave one run out
    FOR i IN 1 .. v_n LOOP
        BEGIN
            SELECT p.response_ms INTO loo
              FROM @extschema@.loadtest_usl_fit(v_conc[1:i - 1] || v_conc[i + 1:v_n],
                                                v_x[1:i - 1] || v_x[i + 1:v_n]) q
             CROSS JOIN LATERAL @extschema@.loadtest_usl_predict(q.sigma, q.kappa, q.lambda, v_tu, v_z) p;
            v_lo := least(v_lo, loo.response_ms);
            v_hi := greatest(v_hi, loo.response_ms);
        EXCEPTION WHEN data_exception THEN
            NULL;
        END;
    END LOOP;
    SELECT max(c) INTO v_max FROM unnest(v_conc) c;

    used := true;
    ready := pred.response_ms <= v_tm;
    capacity_users := loadtest.usl_capacity(fit.sigma, fit.kappa, fit.lambda, v_tm, v_z);
    response_ms_at_target := pred.response_ms;
    basis_run_id := v_ids[v_n];
    explanation := concat_ws(E'\n',
        format('model: the USL (loadtest_usl_fit) over %s comparable runs of this test, runs %s at concurrency %s: sigma %s, kappa %s, lambda %s ops/sec, r2 %s',
               v_n, array_to_string(v_ids, ', '),
               (SELECT string_agg(loadtest.verdict_num(c, 2), ', ' ORDER BY o) FROM unnest(v_conc) WITH ORDINALITY u(c, o)),
               loadtest.format_number(fit.sigma, 'FM9990.0000'),
               CASE WHEN fit.kappa = 0 THEN '0' ELSE btrim(loadtest.format_number(fit.kappa, '9.99EEEE')) END,
               loadtest.verdict_num(fit.lambda, 2), loadtest.format_number(fit.r2, 'FM990.0000')),
        format('%s: predicted at %s users: %s ops/sec, response %sms against the %sms target (the fits leaving one run out: %s to %sms)',
               CASE WHEN ready THEN 'ready' ELSE 'not ready' END, loadtest.verdict_num(v_tu, 0),
               loadtest.verdict_num(pred.throughput, 2), loadtest.verdict_num(pred.response_ms, 2),
               loadtest.verdict_num(v_tm, 2), loadtest.verdict_num(v_lo, 2), loadtest.verdict_num(v_hi, 2)),
        format('capacity: the most users whose predicted response is within %sms: %s', loadtest.verdict_num(v_tm, 2),
               loadtest.verdict_num(capacity_users, 0)),
        CASE WHEN v_tu > k.model_extrapolation * v_max
             THEN format('extrapolated: %s users is %s x the largest concurrency measured (%s): the prediction may be far off; measure nearer the target',
                         loadtest.verdict_num(v_tu, 0), loadtest.verdict_num(v_tu / v_max, 1), loadtest.verdict_num(v_max, 2)) END,
        loadtest.verdict_left_out(v_left, v_more));
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_model(bigint, integer, double precision) IS
'loadtest (internal): the model basis of loadtest_verdict: the USL fitted to the concurrency and throughput of 4 or more comparable runs (loadtest.model_runs), used when r2 >= 0.9: the prediction at target_users, its range over leave-one-out fits, the capacity by bisection; used false with the reason otherwise';

-- ---------------------------------------------------------------------------
-- Basis 4: no evidence, and the run that would answer
-- ---------------------------------------------------------------------------

-- The exact loadtest_run() call of a closed-model pooled run.
CREATE OR REPLACE FUNCTION loadtest.verdict_run_call(users integer, pool_size integer, duration_s double precision,
                                                     pattern text, think_time_ms integer, ramp_up_s double precision)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT format('SELECT loadtest_run(users => %s, pool_size => %s, duration => %L, pattern => %s, think_time_ms => %s, ramp_up_s => %s);',
              users, pool_size,
              CASE WHEN duration_s < 1e15 THEN ceil(duration_s)::bigint::text ELSE '1e15' END || ' s',
              loadtest.one_line(quote_literal(pattern), 200), think_time_ms,
              CASE WHEN ramp_up_s >= 0 AND ramp_up_s < 1e9 THEN ramp_up_s::text ELSE '0' END)
$$;

COMMENT ON FUNCTION loadtest.verdict_run_call(integer, integer, double precision, text, integer, double precision) IS
'loadtest (internal): the text of a loadtest_run() call with a pool, a duration, pattern, think time and ramp-up';

CREATE OR REPLACE FUNCTION loadtest.verdict_no_evidence(run_id bigint, target_users integer,
                                                        target_ms double precision, model_note text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k        record;
    r        loadtest.runs;
    v_slots  integer := coalesce(current_setting('max_worker_processes', true), '8')::integer;
    v_pool   integer;
    v_think  integer;
    v_dur    double precision;
    v_total  double precision;
    v_call   text;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT * INTO r FROM loadtest.runs x WHERE x.run_id = verdict_no_evidence.run_id;
    v_think := greatest(coalesce(r.think_time_ms, 0), 0);
    v_pool := least(k.max_pool, greatest(1, v_slots - 2), target_users);
    -- long enough for each user to do min_ops_per_user operations
    v_dur := greatest(k.min_duration_s, loadtest.float8_mul(k.min_ops_per_user / 1000, v_think + target_ms));
    v_total := v_dur + k.ramp_up_s;
    v_call := loadtest.verdict_run_call(target_users, v_pool, v_dur, coalesce(r.pattern, 'distributed'),
                                        v_think, k.ramp_up_s)
              || ' SELECT * FROM loadtest_verdict('
              || concat_ws(', ', CASE WHEN target_users <> 4000 THEN 'target_users => ' || target_users END,
                                 CASE WHEN target_ms <> 500 THEN 'target_ms => ' || target_ms::text END)
              || ');';
    RETURN concat_ws(E'\n',
        format('no evidence answers it for %s users: no completed closed-model run of this test (pattern %s, think time %sms) at %s users or more, no run of it saturated the server or its pool, and the USL model cannot answer',
               loadtest.verdict_num(target_users, 0), loadtest.one_line(r.pattern, 100),
               loadtest.verdict_num(v_think, 0), loadtest.verdict_num(target_users, 0)),
        model_note,
        'to answer it: ' || v_call,
        format('it takes about %s s (%s s with each user doing at least %s operations, + %s s ramp-up)%s',
               loadtest.verdict_num(v_total, 0), loadtest.verdict_num(ceil(v_dur), 0),
               loadtest.verdict_num(k.min_ops_per_user, 0), loadtest.verdict_num(k.ramp_up_s, 0),
               CASE WHEN v_total > k.long_run_s
                    THEN format('; over %s minutes: a long run (think time %sms)', loadtest.verdict_num(k.long_run_s / 60, 0),
                                loadtest.verdict_num(v_think, 0))
                    ELSE '' END),
        format('it needs %s background worker slots (a pool of %s workers and the recorder; %s users cannot each have a worker) of max_worker_processes = %s%s',
               v_pool + 1, v_pool, loadtest.verdict_num(target_users, 0), v_slots,
               CASE WHEN v_pool + 1 > v_slots - 1 THEN ', with few to spare: raise max_worker_processes (a restart)' ELSE '' END));
END
$$;

COMMENT ON FUNCTION loadtest.verdict_no_evidence(bigint, integer, double precision, text) IS
'loadtest (internal): the explanation when no evidence answers the verdict: the exact loadtest_run() call that would (a pool of least(64, max_worker_processes - 2) workers, long enough for 10 operations per user), how long it takes and how many worker slots it needs';

-- ---------------------------------------------------------------------------
-- The bottleneck: what the users' time went on
-- ---------------------------------------------------------------------------

-- The wait profile of a run by event, overall (operation NULL) and per
-- operation: class 'CPU', 'Lock' (every Lock event), 'WAL' (commits and
-- WAL), 'DataFileRead' (reads from disk) or the event itself; the share of
-- the samples of the operation (or of all).
CREATE OR REPLACE FUNCTION loadtest.wait_classes(run_id bigint)
RETURNS TABLE (operation text, class text, event text, samples numeric, share_pct double precision)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH classes (wait_event_type, wait_event, class) AS (
    VALUES ('CPU', NULL, 'CPU'), ('Lock', NULL, 'Lock'),
           ('IO', 'WALSync', 'WAL'), ('IO', 'WALWrite', 'WAL'),
           ('LWLock', 'WALWrite', 'WAL'), ('LWLock', 'WALInsert', 'WAL'),
           ('IO', 'DataFileRead', 'DataFileRead')),
w AS (
    SELECT loadtest.one_line(p.operation, 100) AS operation,
           CASE WHEN p.wait_event_type = 'CPU' THEN 'CPU'
                ELSE loadtest.one_line(p.wait_event_type, 40) || ':' || loadtest.one_line(p.wait_event, 60) END AS event,
           coalesce((SELECT c.class FROM classes c
                      WHERE c.wait_event_type = p.wait_event_type
                        AND (c.wait_event IS NULL OR c.wait_event = p.wait_event)),
                    CASE WHEN p.wait_event_type = 'CPU' THEN 'CPU'
                         ELSE loadtest.one_line(p.wait_event_type, 40) || ':' || loadtest.one_line(p.wait_event, 60) END) AS class,
           p.samples::numeric AS samples
      FROM loadtest.wait_profile p
     WHERE p.run_id = wait_classes.run_id AND p.samples > 0),
g AS (
    SELECT NULL::text AS operation, w.class, w.event, sum(w.samples) AS samples FROM w GROUP BY w.class, w.event
    UNION ALL
    SELECT w.operation, w.class, w.event, sum(w.samples) FROM w GROUP BY w.operation, w.class, w.event)
SELECT g.operation, g.class, g.event, g.samples,
       loadtest.numeric_float8(100::numeric * g.samples
                               / nullif(sum(g.samples) OVER (PARTITION BY g.operation IS NULL, g.operation), 0::numeric))
  FROM g
$$;

COMMENT ON FUNCTION loadtest.wait_classes(bigint) IS
'loadtest (internal): a run''s wait samples by event, overall (operation NULL) and per operation, with their class (CPU, Lock, WAL, DataFileRead, else the event) and share of the samples';

-- The table an operation locks rows of: the relation of a ModifyTable node
-- of its plans, else of the first scan under a LockRows node, else the
-- run's most updated table.
CREATE OR REPLACE FUNCTION loadtest.operation_table(run_id bigint, operation text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(
    (SELECT loadtest.one_line(CASE WHEN jsonb_typeof(n.node -> 'Schema') = 'string'
                                   THEN quote_ident(n.node ->> 'Schema') || '.' ELSE '' END
                              || quote_ident(n.node ->> 'Relation Name'), 100)
       FROM loadtest.run_plans p
      CROSS JOIN LATERAL loadtest.plan_node_list(coalesce(p.generic_plan, p.plan)) n
      CROSS JOIN LATERAL (SELECT min(l.node_no) AS lock_no
                            FROM loadtest.plan_node_list(coalesce(p.generic_plan, p.plan)) l
                           WHERE l.node ->> 'Node Type' = 'LockRows') lr
      WHERE p.run_id = operation_table.run_id AND p.operation = operation_table.operation
        AND jsonb_typeof(n.node -> 'Relation Name') = 'string'
        AND (n.node ->> 'Node Type' = 'ModifyTable' OR n.node_no > lr.lock_no)
      ORDER BY n.node ->> 'Node Type' = 'ModifyTable' DESC, p.variant_no, p.statement_no, n.node_no
      LIMIT 1),
    (SELECT loadtest.one_line(t.table_name, 100)
       FROM loadtest.run_table_stats t
      WHERE t.run_id = operation_table.run_id
        AND coalesce(t.n_tup_upd, 0)::numeric + coalesce(t.n_tup_del, 0)::numeric > 0
      ORDER BY coalesce(t.n_tup_upd, 0)::numeric + coalesce(t.n_tup_del, 0)::numeric DESC, t.table_name
      LIMIT 1))
$$;

COMMENT ON FUNCTION loadtest.operation_table(bigint, text) IS
'loadtest (internal): the table whose rows an operation of a run locks: the relation of a ModifyTable node of its plans, else of the first scan under a LockRows node, else the run''s most updated table (run_table_stats)';

-- The lock waits of a run in a phrase: the operation with the most Lock
-- samples (or the one named), its top Lock event and its share of the
-- operation's samples, the Lock share of all samples, the table, the hot
-- rows.  NULL without Lock samples.
CREATE OR REPLACE FUNCTION loadtest.lock_wait_text(run_id bigint, operation text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run   bigint := lock_wait_text.run_id;
    v_op    text := lock_wait_text.operation;
    v_event text;
    v_ev_share double precision;
    v_op_share double precision;
    v_all   double precision;
    v_hot   integer;
    v_table text;
BEGIN
    IF v_op IS NULL THEN
        SELECT w.operation INTO v_op FROM loadtest.wait_classes(v_run) w
         WHERE w.operation IS NOT NULL AND w.class = 'Lock'
         GROUP BY w.operation ORDER BY sum(w.samples) DESC, w.operation LIMIT 1;
        IF v_op IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    SELECT w.event, w.share_pct INTO v_event, v_ev_share FROM loadtest.wait_classes(v_run) w
     WHERE w.operation = v_op AND w.class = 'Lock' ORDER BY w.samples DESC, w.event LIMIT 1;
    IF v_event IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT sum(w.share_pct) INTO v_op_share FROM loadtest.wait_classes(v_run) w
     WHERE w.operation = v_op AND w.class = 'Lock';
    SELECT sum(w.share_pct) INTO v_all FROM loadtest.wait_classes(v_run) w
     WHERE w.operation IS NULL AND w.class = 'Lock';
    SELECT r.hot_rows INTO v_hot FROM loadtest.runs r WHERE r.run_id = v_run;
    v_table := loadtest.operation_table(v_run, v_op);
    RETURN format('%s waits on %s %s%% of its samples (Lock %s%% of them, %s%% of all the workers'' samples)%s%s',
                  v_op, v_event, loadtest.verdict_num(v_ev_share, 1), loadtest.verdict_num(v_op_share, 1),
                  loadtest.verdict_num(v_all, 1),
                  coalesce(', on ' || v_table, ''),
                  CASE WHEN v_hot > 0 THEN format(', with %s hot %s per table (loadtest.hot_rows): the users update the same rows',
                                                  v_hot, CASE WHEN v_hot = 1 THEN 'row' ELSE 'rows' END)
                       ELSE '' END);
END
$$;

COMMENT ON FUNCTION loadtest.lock_wait_text(bigint, text) IS
'loadtest (internal): the lock waits of a run''s operation (by default the one with the most Lock samples) in a phrase: event, shares, table, hot rows; NULL without Lock samples';

-- The cache hit ratio of a run (run_db_stats: blks_hit / (blks_hit +
-- blks_read), in %) and the blocks read; NULL when not recorded.
CREATE OR REPLACE FUNCTION loadtest.cache_hit(run_id bigint, OUT hit_pct double precision, OUT blocks_read numeric,
                                              OUT blocks_hit numeric)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT loadtest.within(loadtest.numeric_float8(100::numeric * x.hit / nullif(x.hit + x.rd, 0::numeric)), 0, 100),
       x.rd, x.hit
  FROM (SELECT max(s.value) FILTER (WHERE s.stat = 'blks_hit' AND s.value >= 0) AS hit,
               max(s.value) FILTER (WHERE s.stat = 'blks_read' AND s.value >= 0) AS rd
          FROM loadtest.run_db_stats s
         WHERE s.run_id = cache_hit.run_id AND s.value <> 'NaN'::numeric) x
$$;

COMMENT ON FUNCTION loadtest.cache_hit(bigint) IS
'loadtest (internal): a run''s cache hit ratio in % (blks_hit / (blks_hit + blks_read) of run_db_stats) and its blocks read and hit; NULL when not recorded';

CREATE OR REPLACE FUNCTION loadtest.verdict_bottleneck(run_id bigint, saturated boolean)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k       record;
    f       record;
    top     record;
    v_run   bigint := verdict_bottleneck.run_id;
    v_lock  double precision;
    v_cpu   double precision;
    v_errs  text;
    v_seq   record;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT * INTO f FROM loadtest.run_figures(v_run);
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(w.share_pct) FILTER (WHERE w.class = 'Lock'), 0),
           coalesce(sum(w.share_pct) FILTER (WHERE w.class = 'CPU'), 0)
      INTO v_lock, v_cpu
      FROM loadtest.wait_classes(v_run) w WHERE w.operation IS NULL;

    -- 1. errors
    IF f.success_pct < k.error_success_pct THEN
        SELECT string_agg(format('%s: %s', coalesce(loadtest.one_line(nullif(e.sqlstate, ''), 10), '-----'),
                                 loadtest.format_number(e.n, 'FM999G999G999G999G990')), ', ' ORDER BY e.n DESC, e.sqlstate)
          INTO v_errs
          FROM (SELECT x.sqlstate, sum(x.count) AS n FROM loadtest.run_errors x
                 WHERE x.run_id = v_run AND x.count > 0 GROUP BY x.sqlstate
                 ORDER BY 2 DESC, 1 LIMIT k.listed) e;
        RETURN format('errors: %s%% of operations failed (%s)', loadtest.verdict_num(100 - f.success_pct, 2),
                      coalesce(v_errs, 'no SQLSTATE recorded'));
    END IF;

    -- 2. the users' time mostly waiting before their operation started: for
    -- a worker (pooled) or behind the schedule (rate); a worker each
    -- waits only for its timer
    IF f.shape IN ('pooled', 'rate') AND f.wait_ms >= k.waiting_share * f.felt_ms AND f.wait_ms > 0 THEN
        IF v_lock >= k.class_share_pct THEN
            RETURN format('lock waits: %s; users queued for a worker behind them: %sms of the %sms they felt (%s%%)',
                          loadtest.lock_wait_text(v_run), loadtest.verdict_num(f.wait_ms, 2),
                          loadtest.verdict_num(f.felt_ms, 2), loadtest.verdict_num(100 * f.wait_ms / f.felt_ms, 1));
        ELSIF f.shape = 'rate' THEN
            RETURN format('schedule lag: operations started %sms late on average for a %sms operation; %s%% started over 10ms late',
                          loadtest.verdict_num(f.wait_ms, 2), loadtest.verdict_num(f.avg_ms, 2),
                          loadtest.verdict_num(f.late_start_pct, 1));
        ELSE
            RETURN format('pool of %s workers: users waited %sms for a worker for a %sms operation; workers on CPU %s%%',
                          loadtest.verdict_num(f.pool_size, 0), loadtest.verdict_num(f.wait_ms, 2),
                          loadtest.verdict_num(f.avg_ms, 2),
                          CASE WHEN EXISTS (SELECT 1 FROM loadtest.wait_classes(v_run))
                               THEN loadtest.verdict_num(v_cpu, 1) ELSE 'n/a (no samples)' END);
        END IF;
    END IF;

    -- 3. the operations' own time: the top class but CPU that stands out
    SELECT w.class, max(w.event) AS event, sum(w.share_pct) AS share,
           string_agg(w.event || ' ' || loadtest.verdict_num(w.share_pct, 1) || '%', ', ' ORDER BY w.samples DESC, w.event) AS events
      INTO top
      FROM loadtest.wait_classes(v_run) w
     WHERE w.operation IS NULL AND w.class <> 'CPU'
     GROUP BY w.class
     ORDER BY sum(w.samples) DESC, w.class
     LIMIT 1;
    -- (a few samples of a short, light run say nothing)
    IF top.share >= k.class_share_pct
       AND (SELECT sum(w.samples) FROM loadtest.wait_classes(v_run) w WHERE w.operation IS NULL)
           >= k.min_wait_samples::numeric THEN
        RETURN CASE top.class
               WHEN 'Lock' THEN 'lock waits: ' || loadtest.lock_wait_text(v_run)
               WHEN 'WAL' THEN format('commits and WAL: %s of the workers'' samples', top.events)
               WHEN 'DataFileRead' THEN format('reads from disk: %s of the workers'' samples; cache hit ratio %s%%',
                                               top.events,
                                               loadtest.verdict_num((SELECT c.hit_pct FROM loadtest.cache_hit(v_run) c), 2))
               ELSE format('waits on %s of the workers'' samples', top.events) END;
    END IF;
    IF v_cpu >= k.cpu_share_pct AND saturated THEN
        RETURN format('CPU: the workers were on CPU %s%% of their samples and the server saturated',
                      loadtest.verdict_num(v_cpu, 1));
    END IF;

    -- plans: a table read sequentially, many tuples per operation
    SELECT t.table_name, t.seq_tup_read, t.seq_scan INTO v_seq
      FROM loadtest.run_table_stats t
     WHERE t.run_id = v_run AND f.total_ops > 0
       AND t.seq_tup_read::numeric >= k.seq_tup_per_op::numeric * f.total_ops::numeric
     ORDER BY t.seq_tup_read DESC, t.table_name LIMIT 1;
    IF FOUND THEN
        RETURN format('sequential scans on %s: %s tuples read per operation (%s sequential scans)',
                      loadtest.one_line(v_seq.table_name, 100),
                      loadtest.verdict_num(v_seq.seq_tup_read::float8 / f.total_ops::float8, 0),
                      loadtest.verdict_num(v_seq.seq_scan, 0));
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_bottleneck(bigint, boolean) IS
'loadtest (internal): what a run''s users'' time went on, in this order: errors (success under 95%), waiting before the operation in a pooled or rate run (W >= half the felt time: lock waits, the pool, the schedule lag), the top wait class but CPU with 30% of the samples (Lock, commits and WAL, reads from disk, another event), CPU over 70% of a saturated server, sequential scans of 1000 tuples per operation; NULL when nothing stands out';

-- ---------------------------------------------------------------------------
-- The verdict
-- ---------------------------------------------------------------------------

-- The verdict with the run whose evidence gave it (basis_run_id: the
-- measured or saturated run, the largest run of the model; NULL without a
-- basis): loadtest_verdict() is its public face, loadtest_check() asks
-- whether a run is ready on its own evidence.
CREATE OR REPLACE FUNCTION loadtest.verdict_of(run_id bigint, target_users integer,
                                               target_ms double precision)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis text, bottleneck text, explanation text, basis_run_id bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint := verdict_of.run_id;
    v_tu  integer := verdict_of.target_users;
    v_tm  double precision := verdict_of.target_ms;
    b     record;
    f     record;
    v_saturated boolean;
BEGIN
    PERFORM loadtest.verdict_check_targets(v_tu, v_tm);
    v_run := loadtest.resolve_run(v_run, 'judge');

    SELECT * INTO b FROM loadtest.verdict_measured(v_run, v_tu, v_tm);
    IF FOUND THEN
        basis := 'measured';
    ELSE
        SELECT * INTO b FROM loadtest.verdict_saturation(v_run, v_tu, v_tm);
        IF FOUND THEN
            basis := 'saturation';
        ELSE
            SELECT * INTO b FROM loadtest.verdict_model(v_run, v_tu, v_tm);
            IF b.used THEN
                basis := 'model';
            END IF;
        END IF;
    END IF;

    IF basis IS NOT NULL THEN
        basis_run_id := b.basis_run_id;
        ready := b.ready;
        capacity_users := b.capacity_users;
        response_ms_at_target := b.response_ms_at_target;
        -- (the saturation basis saturated by definition; a measured run
        -- by its pool or its arrival rate)
        v_saturated := basis = 'saturation'
                       OR coalesce((SELECT x.pool_saturated OR x.rate_saturated
                                      FROM loadtest.run_figures(b.basis_run_id) x), false);
        -- nothing stands in the way of a ready, unsaturated server
        IF NOT (coalesce(b.ready, false) AND NOT v_saturated) THEN
            bottleneck := loadtest.verdict_bottleneck(b.basis_run_id, v_saturated);
        END IF;
        explanation := b.explanation;
    ELSE
        bottleneck := loadtest.verdict_bottleneck(v_run,
                          EXISTS (SELECT 1 FROM loadtest.run_figures(v_run) x
                                   WHERE x.pool_saturated OR x.rate_saturated));
        explanation := loadtest.verdict_no_evidence(v_run, v_tu, v_tm, b.explanation);
    END IF;
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION loadtest.verdict_of(bigint, integer, double precision) IS
'loadtest (internal): loadtest_verdict() with basis_run_id, the run whose evidence gave the verdict (NULL without a basis)';

CREATE OR REPLACE FUNCTION loadtest_verdict(run_id bigint DEFAULT NULL,
                                            target_users integer DEFAULT 4000,
                                            target_ms double precision DEFAULT 500)
RETURNS TABLE (ready boolean, capacity_users double precision, response_ms_at_target double precision,
               basis text, bottleneck text, explanation text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
SELECT v.ready, v.capacity_users, v.response_ms_at_target, v.basis, v.bottleneck, v.explanation
  FROM loadtest.verdict_of(loadtest_verdict.run_id, loadtest_verdict.target_users,
                           loadtest_verdict.target_ms) v
$$;
COMMENT ON FUNCTION loadtest_verdict(bigint, integer, double precision) IS
'loadtest: is the server ready for target_users concurrent users (at least 1) within target_ms (finite, positive) as users feel it, from the evidence of the run (NULL: the latest the caller sees) and the other runs of its test (same role, database, pattern, think time), strongest first: measured (a completed closed-model run at target_users or more), saturation (a run saturated the server or its pool: Little''s law at its throughput), model (the USL over 4 or more comparable runs with r2 >= 0.9), else ready, capacity and basis NULL and the explanation gives the loadtest_run() call that would answer; capacity never from the configured user count; bottleneck: what the users'' time went on; explanation: every figure used, one sentence a line; marks stale runs first';

-- ---------------------------------------------------------------------------
-- Recommendations: indexes (sequential scans), checked with HypoPG
-- ---------------------------------------------------------------------------

-- The columns of alias in an expression of EXPLAIN VERBOSE (alias.column,
-- quoted as EXPLAIN quotes them), in order, with how each is compared: 'eq'
-- (= or = ANY), 'like' (~~), 'range' (<, >, <=, >=) or 'other' (inside a
-- function or anything else).  At most 50 references of the first 10000
-- characters.
CREATE OR REPLACE FUNCTION loadtest.column_refs(expr text, alias text)
RETURNS TABLE (pos integer, column_name text, kind text)
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expr   text := left(expr, 10000);
    -- the alias as EXPLAIN writes it, its regular-expression metacharacters escaped
    v_re     text := '(?<![A-Za-z0-9_$".])'
                     || regexp_replace(quote_ident(left(alias, 200)), '([^A-Za-z0-9_])', '\\\1', 'g')
                     || '\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
    v_cast   text := '^(\)::[a-z_][a-z0-9_ .\[\]"]*?)?\s+';
    v_start  integer;
    v_end    integer;
    v_before text;
    v_after  text;
    v_token  text;
BEGIN
    FOR i IN 1 .. least(regexp_count(v_expr, v_re), 50) LOOP
        v_start := regexp_instr(v_expr, v_re, 1, i);
        v_end := regexp_instr(v_expr, v_re, 1, i, 1);
        v_token := regexp_substr(v_expr, v_re, 1, i, '', 1);
        v_before := substr(v_expr, greatest(1, v_start - 8), v_start - greatest(1, v_start - 8));
        v_after := substr(v_expr, v_end, 80);
        pos := i;
        column_name := CASE WHEN left(v_token, 1) = '"' THEN replace(substr(v_token, 2, length(v_token) - 2), '""', '"')
                            ELSE v_token END;
        kind := CASE WHEN v_after ~ (v_cast || '=\s') OR v_before ~ '\s=\s+\(*$' THEN 'eq'
                     -- LIKE, and the pattern operators a LIKE with a fixed
                     -- prefix becomes (~>=~ and ~<~): text_pattern_ops
                     WHEN v_after ~ (v_cast || '(~~|~>=~|~<=~|~<~|~>~)\s') THEN 'like'
                     WHEN v_after ~ (v_cast || '(<|>|<=|>=)\s') OR v_before ~ '\s(<|>|<=|>=)\s+\(*$' THEN 'range'
                     ELSE 'other' END;
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.column_refs(text, text) IS
'loadtest (internal): the columns of a relation alias that an EXPLAIN VERBOSE expression refers to (alias.column), in order, each with how it is compared: eq, like (LIKE and the pattern operators ~>=~, ~<=~, ~<~, ~>~ of text_pattern_ops), range or other';

-- The columns of an index that would serve a scan of relid (as alias)
-- with that filter and the plan's sort keys: the columns compared for
-- equality first, then the first compared by a range or LIKE (a LIKE on
-- text with text_pattern_ops), else the sort keys on the relation; at most
-- rec_index_columns; only real columns of relid.  columns: their names,
-- definitions: as CREATE INDEX writes them.
CREATE OR REPLACE FUNCTION loadtest.index_columns(relid oid, alias text, filter text, sort_keys text[],
                                                  OUT columns text[], OUT definitions text[])
RETURNS record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k      record;
    rec    record;
    v_re   text := '^' || regexp_replace(quote_ident(left(coalesce(alias, ''), 200)), '([^A-Za-z0-9_])', '\\\1', 'g')
                   || '\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(\s+(ASC|DESC))?(\s+NULLS\s+(FIRST|LAST))?$';
    v_key  text;
    v_tok  text;
    v_range boolean := false;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    columns := '{}';
    definitions := '{}';
    FOR rec IN
        SELECT c.column_name, c.kind, a.atttypid
          FROM loadtest.column_refs(coalesce(filter, ''), coalesce(alias, '')) c
          JOIN pg_attribute a ON a.attrelid = relid AND a.attname = c.column_name
                             AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.kind <> 'other'
         ORDER BY c.kind <> 'eq', c.pos
    LOOP
        CONTINUE WHEN rec.column_name = ANY (columns);
        EXIT WHEN cardinality(columns) >= k.rec_index_columns;
        IF rec.kind <> 'eq' THEN
            EXIT WHEN v_range;   -- one range column, last
            v_range := true;
        END IF;
        columns := columns || rec.column_name;
        definitions := definitions || (quote_ident(rec.column_name)
                       || CASE WHEN rec.kind = 'like' THEN
                                    CASE rec.atttypid WHEN 'text'::regtype THEN ' text_pattern_ops'
                                                      WHEN 'varchar'::regtype THEN ' varchar_pattern_ops'
                                                      WHEN 'bpchar'::regtype THEN ' bpchar_pattern_ops'
                                                      ELSE '' END
                               ELSE '' END);
    END LOOP;
    -- the sort keys, after equality columns (a range column ends the index)
    IF NOT v_range THEN
        FOREACH v_key IN ARRAY coalesce(sort_keys, '{}') LOOP
            EXIT WHEN cardinality(columns) >= k.rec_index_columns;
            v_tok := (regexp_match(left(coalesce(v_key, ''), 1000), v_re))[1];
            EXIT WHEN v_tok IS NULL;   -- a key on an expression or another relation ends it
            v_tok := CASE WHEN left(v_tok, 1) = '"' THEN replace(substr(v_tok, 2, length(v_tok) - 2), '""', '"')
                          ELSE v_tok END;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = relid AND a.attname = v_tok
                                     AND a.attnum > 0 AND NOT a.attisdropped);
            CONTINUE WHEN v_tok = ANY (columns);
            columns := columns || v_tok;
            definitions := definitions || quote_ident(v_tok);
        END LOOP;
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.index_columns(oid, text, text, text[]) IS
'loadtest (internal): the columns of an index for a sequential scan of a relation with a filter and sort keys (EXPLAIN VERBOSE text): equality columns first, then one range or LIKE column (text_pattern_ops for LIKE on text), else the sort keys; at most 3';

-- The statement of a run's operation as the run kept it (run_operations).
CREATE OR REPLACE FUNCTION loadtest.run_statement(run_id bigint, operation text, variant_no integer, statement_no integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(CASE WHEN jsonb_typeof(ro.variants) = 'array' AND jsonb_typeof(ro.variants -> (variant_no - 1) -> 'statements') = 'array'
                     THEN ro.variants -> (variant_no - 1) -> 'statements' ->> (statement_no - 1) END,
                ro.statements[statement_no])
  FROM loadtest.run_operations ro
 WHERE ro.run_id = run_statement.run_id AND ro.operation = run_statement.operation
 ORDER BY ro.operation_no
 LIMIT 1
$$;

COMMENT ON FUNCTION loadtest.run_statement(bigint, text, integer, integer) IS
'loadtest (internal): the text of a statement of a run''s operation (variant, statement from 1) as loadtest.run_operations kept it';

-- A function of the hypopg extension, qualified with the extension's own
-- schema, when it is safe to call by that name: installed in this
-- database, a member of the extension, with exactly these argument types,
-- the only function of its name in that schema (so that the call resolves
-- to it whoever else can create functions there).  NULL otherwise.
-- Whether the caller trusts a role with its code: itself or a superuser
-- (pg_database_owner, the owner of public, stands for the database's
-- owner).  Who owns a schema can rename it and put other functions in its
-- place; who owns a function can replace it.
CREATE OR REPLACE FUNCTION loadtest.caller_trusts(role_id oid)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(bool_or(r.rolname = current_user OR r.rolsuper), false)
  FROM pg_roles r
 WHERE r.oid = CASE WHEN role_id = 'pg_database_owner'::regrole::oid
                    THEN (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database())
                    ELSE role_id END
$$;
COMMENT ON FUNCTION loadtest.caller_trusts(oid) IS
'loadtest (internal): whether a role is the caller or a superuser (pg_database_owner: the database''s owner), whose code the caller may run';

CREATE OR REPLACE FUNCTION loadtest.hypopg_function(name text, argtypes oid[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT format('%I.%I', n.nspname, p.proname)
  FROM pg_extension e
  JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
                  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_proc p ON p.oid = d.objid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE e.extname = 'hypopg'
   AND p.proname = hypopg_function.name
   AND p.pronamespace = e.extnamespace
   AND ARRAY(SELECT a.t FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o) ORDER BY a.o)
       = hypopg_function.argtypes
   AND (SELECT count(*) FROM pg_proc q
         WHERE q.pronamespace = p.pronamespace AND q.proname = p.proname) = 1
   -- the name is resolved again when it is called: whoever owns the
   -- schema or the function could have put their own code there by then
   AND loadtest.caller_trusts(n.nspowner) AND loadtest.caller_trusts(p.proowner)
$$;

COMMENT ON FUNCTION loadtest.hypopg_function(text, oid[]) IS
'loadtest (internal): schema-qualified name of a function of the hypopg extension with these argument types, when installed, a member of the extension, alone of its name in its schema, and both the function and its schema owned by the caller or a superuser (loadtest.caller_trusts); else NULL';

-- The cost of a statement's generic plan without and with a hypothetical
-- index (HypoPG).  In a sandbox: a block that ends by raising, so that
-- whatever it did is rolled back (its variables are kept), read-only,
-- generic plans; each plan from a statement prepared for it (a prepared
-- statement keeps the generic plan it made first), with NULL for its
-- parameters.  Prepared statements and hypothetical indexes are not
-- transactional: they are deallocated and dropped afterwards whatever
-- happened (a cancel too, then raised again).  note: why it was not
-- checked (NULL when checked).
CREATE OR REPLACE FUNCTION loadtest.hypopg_cost_check(statement_sql text, index_sql text,
                                                      OUT cost_before double precision,
                                                      OUT cost_after double precision,
                                                      OUT note text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_create   text := loadtest.hypopg_function('hypopg_create_index', ARRAY['text'::regtype::oid]);
    v_drop     text := loadtest.hypopg_function('hypopg_drop_index', ARRAY['oid'::regtype::oid]);
    v_names    text[] := '{}';
    v_name     text;
    v_hypo     oid;
    v_nparams  integer;
    v_args     text;
    v_plan     text;
    v_canceled boolean := false;
    v_cancel_msg text;
BEGIN
    IF v_create IS NULL OR v_drop IS NULL THEN
        SELECT CASE WHEN NOT loadtest.caller_trusts(n.nspowner)
                    THEN 'not checked: hypopg''s schema ' || loadtest.one_line(quote_ident(n.nspname), 100)
                         || ' is owned by ' || loadtest.one_line(quote_ident(pg_get_userbyid(n.nspowner)::text), 100)
                         || CASE WHEN n.nspowner = 'pg_database_owner'::regrole::oid
                                 THEN ' (the database''s owner, '
                                      || loadtest.one_line(quote_ident(pg_get_userbyid(
                                             (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()))::text), 100)
                                      || ')'
                                 ELSE '' END
                         || ', who could put other functions in place of hypopg''s: hypopg is not called'
                    ELSE 'not checked: other functions share the names of hypopg''s in its schema '
                         || loadtest.one_line(quote_ident(n.nspname), 100)
                         || ', or they are not owned by a superuser or you: hypopg is not called' END
          INTO note
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg';
        note := coalesce(note, 'not checked: install hypopg (postgresql-15-hypopg) to check it');
        RETURN;
    END IF;
    IF statement_sql IS NULL OR rtrim(statement_sql, E' \t\r\n;') ~ ';' THEN
        note := 'not checked: the operation''s statement is not one statement';
        RETURN;
    END IF;
    BEGIN
        SET LOCAL transaction_read_only = on;
        SET LOCAL plan_cache_mode = force_generic_plan;
        FOR pass IN 1 .. 2 LOOP
            -- a name no prepared statement of the session has
            v_name := NULL;
            FOR i IN 1 .. 1000 LOOP
                v_name := format('loadtest_hypopg_%s_%s', pg_backend_pid(), i);
                EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_prepared_statements ps WHERE ps.name = v_name)
                          AND v_name <> ALL (v_names);
            END LOOP;
            v_names := v_names || v_name;
            EXECUTE format('PREPARE %I AS %s', v_name, rtrim(statement_sql, E' \t\r\n;'));
            SELECT coalesce(cardinality(ps.parameter_types), 0) INTO v_nparams
              FROM pg_prepared_statements ps WHERE ps.name = v_name;
            v_args := CASE WHEN v_nparams > 0
                           THEN '(' || array_to_string(array_fill('NULL'::text, ARRAY[v_nparams]), ', ') || ')'
                           ELSE '' END;
            IF pass = 2 THEN
                EXECUTE format('SELECT h.indexrelid FROM %s($1::pg_catalog.text) h', v_create) INTO v_hypo USING index_sql;
            END IF;
            EXECUTE format('EXPLAIN (FORMAT JSON) EXECUTE %I%s', v_name, v_args) INTO v_plan;
            IF pass = 1 THEN
                cost_before := loadtest.jsonb_float8(v_plan::jsonb -> 0 -> 'Plan' -> 'Total Cost');
            ELSE
                cost_after := loadtest.jsonb_float8(v_plan::jsonb -> 0 -> 'Plan' -> 'Total Cost');
            END IF;
        END LOOP;
        RAISE EXCEPTION 'loadtest: the end of the sandbox' USING ERRCODE = 'LT950';
    EXCEPTION
        WHEN SQLSTATE 'LT950' THEN
            NULL;
        WHEN query_canceled THEN
            v_canceled := true;
            GET STACKED DIAGNOSTICS v_cancel_msg = MESSAGE_TEXT;
        WHEN OTHERS THEN
            cost_before := NULL;
            cost_after := NULL;
            note := 'not checked: ' || loadtest.one_line(SQLERRM, 200);
    END;
    -- always: what the sandbox's rollback does not undo
    FOREACH v_name IN ARRAY v_names LOOP
        BEGIN
            EXECUTE format('DEALLOCATE %I', v_name);
        EXCEPTION WHEN invalid_sql_statement_name THEN
            NULL;
        END;
    END LOOP;
    IF v_hypo IS NOT NULL THEN
        -- read-only too (the drop is not transactional: the raise undoes
        -- only the setting)
        BEGIN
            SET LOCAL transaction_read_only = on;
            EXECUTE format('SELECT %s($1::pg_catalog.oid)', v_drop) USING v_hypo;
            RAISE EXCEPTION 'loadtest: the end of the sandbox' USING ERRCODE = 'LT950';
        EXCEPTION WHEN SQLSTATE 'LT950' THEN
            NULL;
        END;
    END IF;
    IF v_canceled THEN
        -- (a cancel or a statement timeout, as it came)
        RAISE EXCEPTION USING ERRCODE = 'query_canceled', MESSAGE = v_cancel_msg;
    END IF;
    IF note IS NULL AND (cost_before IS NULL OR cost_after IS NULL) THEN
        note := 'not checked: no cost in the plans';
    END IF;
END
$$;

COMMENT ON FUNCTION loadtest.hypopg_cost_check(text, text) IS
'loadtest (internal): the cost of a statement''s generic plan without and with the hypothetical index index_sql (HypoPG, called through its own schema), in a read-only sandbox that is rolled back; its prepared statements deallocated and the hypothetical index dropped whatever happens; note says why not checked';

-- Whether every relation a statement's captured plans read is, as it is
-- now, a table, materialized view or partitioned table that the caller
-- trusts (owned, with its schema, by the caller or a superuser): the
-- HypoPG check plans the statement again as the caller.
CREATE OR REPLACE FUNCTION loadtest.plan_relations_trusted(run_id bigint, operation text,
                                                           variant_no integer, statement_no integer)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(bool_and(c.oid IS NOT NULL AND c.relkind IN ('r', 'p', 'm')
                         AND loadtest.caller_trusts(c.relowner) AND loadtest.caller_trusts(ns.nspowner)), true)
  FROM (SELECT DISTINCT n.node ->> 'Schema' AS schema_name, n.node ->> 'Relation Name' AS relation_name
          FROM loadtest.run_plans q
         CROSS JOIN LATERAL (VALUES (q.generic_plan), (q.plan)) x(plan)
         CROSS JOIN LATERAL loadtest.plan_node_list(x.plan) n
         WHERE q.run_id = plan_relations_trusted.run_id AND q.operation = plan_relations_trusted.operation
           AND q.variant_no = plan_relations_trusted.variant_no
           AND q.statement_no = plan_relations_trusted.statement_no
           AND jsonb_typeof(n.node -> 'Relation Name') = 'string') r
  LEFT JOIN pg_namespace ns ON ns.nspname = r.schema_name
  LEFT JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = r.relation_name
$$;
COMMENT ON FUNCTION loadtest.plan_relations_trusted(bigint, text, integer, integer) IS
'loadtest (internal): whether every relation of a run''s statement''s captured plans is now a table (r, p, m) owned, with its schema, by the caller or a superuser (loadtest.caller_trusts): the condition of the HypoPG check, which plans the statement again as the caller';

-- Whether every schema-qualified name of a statement's text (schema.name,
-- quoted or not: the statements of the workload qualify every object)
-- that names a relation or a function names one the caller trusts (owned,
-- with its schema, by the caller or a superuser): views and functions do
-- not show in a plan, and planning the statement again expands the views
-- and folds immutable functions as the caller.
CREATE OR REPLACE FUNCTION loadtest.statement_names_trusted(statement_sql text)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH names AS (
    SELECT DISTINCT
           CASE WHEN left(m[1], 1) = '"' THEN replace(substr(m[1], 2, length(m[1]) - 2), '""', '"') ELSE lower(m[1]) END AS schema_name,
           CASE WHEN left(m[2], 1) = '"' THEN replace(substr(m[2], 2, length(m[2]) - 2), '""', '"') ELSE lower(m[2]) END AS object_name
      FROM regexp_matches(left(coalesce(statement_sql, ''), 100000),
                          '("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)',
                          'g') AS m
     LIMIT 1000)
SELECT NOT EXISTS (
    SELECT 1
      FROM names x
      JOIN pg_namespace ns ON ns.nspname = x.schema_name
     WHERE (EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = ns.oid AND c.relname = x.object_name)
            OR EXISTS (SELECT 1 FROM pg_proc f WHERE f.pronamespace = ns.oid AND f.proname = x.object_name))
       AND (NOT loadtest.caller_trusts(ns.nspowner)
            OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = ns.oid AND c.relname = x.object_name
                          AND NOT loadtest.caller_trusts(c.relowner))
            OR EXISTS (SELECT 1 FROM pg_proc f WHERE f.pronamespace = ns.oid AND f.proname = x.object_name
                          AND NOT loadtest.caller_trusts(f.proowner))))
$$;
COMMENT ON FUNCTION loadtest.statement_names_trusted(text) IS
'loadtest (internal): whether every relation and function a statement names with its schema (schema.name) is owned, with its schema, by the caller or a superuser (loadtest.caller_trusts): the other condition of the HypoPG check';

CREATE OR REPLACE FUNCTION loadtest.recommend_indexes(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k       record;
    t       record;
    p       record;
    c       record;
    chk     record;
    v_run   bigint := recommend_indexes.run_id;
    v_own   boolean;
    v_hypo  text;
BEGIN
    SELECT * INTO k FROM loadtest.verdict_limits();
    SELECT coalesce(r.role_name = current_user, false) INTO v_own FROM loadtest.runs r WHERE r.run_id = v_run;
    FOR t IN
        SELECT ts.table_name, ts.seq_scan, ts.seq_tup_read, cl.oid AS relid, n.nspname, cl.relname
          FROM loadtest.run_table_stats ts
          JOIN pg_namespace n ON true
          JOIN pg_class cl ON cl.relnamespace = n.oid AND cl.relkind IN ('r', 'p', 'm')
                          AND format('%I.%I', n.nspname, cl.relname) = ts.table_name
         WHERE ts.run_id = v_run AND ts.seq_scan > 0
           AND ts.seq_tup_read::float8 >= k.rec_seq_tup_read
           AND ts.seq_tup_read::float8 / ts.seq_scan::float8 >= k.rec_seq_tup_per_scan
         ORDER BY ts.seq_tup_read DESC, ts.table_name
         LIMIT k.listed
    LOOP
        -- each operation's sequential scans of the table that filter, or
        -- whose plan sorts on it; one row per index
        FOR c IN
            -- each plan walked once (its nodes, its sort keys), at most
            -- 50 sequential scans of the table per plan: the work is
            -- bounded whatever the statements are
            WITH pl AS (
                SELECT q.operation, q.variant_no, q.statement_no, x.o, x.plan
                  FROM loadtest.run_plans q
                 CROSS JOIN LATERAL (VALUES (1, q.generic_plan), (2, q.plan)) x(o, plan)
                 WHERE q.run_id = v_run AND x.plan IS NOT NULL),
            nodes AS MATERIALIZED (
                SELECT pl.operation, pl.variant_no, pl.statement_no, pl.o, n.node_no, n.node
                  FROM pl CROSS JOIN LATERAL loadtest.plan_node_list(pl.plan) n),
            sorts AS (
                SELECT n.operation, n.variant_no, n.statement_no, n.o,
                       array_agg(sk.key ORDER BY n.node_no, sk.ord) AS sort_keys
                  FROM nodes n
                 CROSS JOIN LATERAL jsonb_array_elements_text(n.node -> 'Sort Key') WITH ORDINALITY AS sk(key, ord)
                 WHERE n.node ->> 'Node Type' IN ('Sort', 'Incremental Sort')
                   AND jsonb_typeof(n.node -> 'Sort Key') = 'array'
                 GROUP BY n.operation, n.variant_no, n.statement_no, n.o),
            seqscans AS (
                SELECT n.*, row_number() OVER (PARTITION BY n.operation, n.variant_no, n.statement_no, n.o
                                               ORDER BY n.node_no) AS scan_no
                  FROM nodes n
                 WHERE n.node ->> 'Node Type' = 'Seq Scan'
                   AND n.node ->> 'Relation Name' = t.relname::text
                   AND n.node ->> 'Schema' = t.nspname::text),
            scans AS (
                SELECT DISTINCT ON (n.operation, n.variant_no, n.statement_no, n.node ->> 'Alias', n.node ->> 'Filter')
                       n.operation, n.variant_no, n.statement_no,
                       coalesce(n.node ->> 'Alias', t.relname) AS alias, n.node ->> 'Filter' AS filter,
                       coalesce(so.sort_keys, '{}') AS sort_keys
                  FROM seqscans n
                  LEFT JOIN sorts so
                         ON so.operation = n.operation AND so.variant_no = n.variant_no
                        AND so.statement_no = n.statement_no AND so.o = n.o
                 WHERE n.scan_no <= 50
                 ORDER BY n.operation, n.variant_no, n.statement_no, n.node ->> 'Alias', n.node ->> 'Filter'),
            -- (at most 200 distinct scans of the table over all plans)
            cols AS MATERIALIZED (
                SELECT s.*, ic.columns, ic.definitions
                  FROM (SELECT * FROM scans
                         ORDER BY scans.operation, scans.variant_no, scans.statement_no LIMIT 200) s
                 CROSS JOIN LATERAL loadtest.index_columns(t.relid, s.alias, s.filter, s.sort_keys) ic
                 WHERE (s.filter IS NOT NULL OR cardinality(s.sort_keys) > 0)
                   AND cardinality(ic.columns) > 0),
            ops AS (
                SELECT z.definitions, string_agg(DISTINCT loadtest.one_line(z.operation, 100), ', ') AS operations
                  FROM cols z GROUP BY z.definitions)
            SELECT y.* FROM (
                SELECT DISTINCT ON (x.definitions) x.definitions, x.columns, x.operation, x.variant_no,
                       x.statement_no, x.filter, x.sort_keys, o.operations
                  FROM cols x JOIN ops o ON o.definitions = x.definitions
                 ORDER BY x.definitions, x.operation, x.variant_no, x.statement_no) y
             ORDER BY y.columns, y.definitions
             LIMIT k.listed
        LOOP
            -- an index whose leading columns are these already exists
            CONTINUE WHEN EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = t.relid AND i.indisvalid AND i.indpred IS NULL
                   AND i.indnkeyatts >= cardinality(c.columns)
                   AND c.columns = ARRAY(SELECT a.attname::text
                                           FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS ik(attnum, ord)
                                           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ik.attnum
                                          WHERE ik.ord <= cardinality(c.columns)
                                          ORDER BY ik.ord));
            statement := format('CREATE INDEX ON %I.%I (%s);', t.nspname, t.relname, array_to_string(c.definitions, ', '));
            IF NOT v_own THEN
                v_hypo := 'not checked with HypoPG: the run is another role''s, and the check runs only as the run''s own role';
            ELSIF NOT loadtest.plan_relations_trusted(v_run, c.operation, c.variant_no, c.statement_no)
                  OR NOT loadtest.statement_names_trusted(loadtest.run_statement(v_run, c.operation, c.variant_no,
                                                                                 c.statement_no)) THEN
                -- the check plans the statement again, as the caller, with
                -- the objects as they are now: a relation that is no longer
                -- a table, or whose owner (or schema's owner) the caller
                -- does not trust, could run its owner's code at plan time
                v_hypo := 'not checked with HypoPG: a relation or function of the statement (or its schema) is owned by a role other than you or a superuser, or a relation of its plan is no longer a table';
            ELSE
                SELECT * INTO chk
                  FROM loadtest.hypopg_cost_check(loadtest.run_statement(v_run, c.operation, c.variant_no, c.statement_no),
                                                  statement);
                IF chk.note IS NOT NULL THEN
                    v_hypo := chk.note;
                ELSIF chk.cost_before > 0 AND chk.cost_after < chk.cost_before
                      AND chk.cost_after <= (1 - k.rec_hypo_fall) * chk.cost_before THEN
                    v_hypo := format('with a hypothetical index (HypoPG) the statement''s cost falls from %s to %s',
                                     loadtest.verdict_num(chk.cost_before, 2), loadtest.verdict_num(chk.cost_after, 2));
                ELSE
                    CONTINUE;   -- checked: the index would not help
                END IF;
            END IF;
            finding := 'sequential scans on ' || loadtest.one_line(t.table_name, 100);
            evidence := format('%s: %s sequential scans read %s tuples during the run (%s per scan); %s %s it sequentially%s%s; %s',
                               loadtest.one_line(t.table_name, 100), loadtest.verdict_num(t.seq_scan, 0),
                               loadtest.verdict_num(t.seq_tup_read, 0),
                               loadtest.verdict_num(t.seq_tup_read::float8 / t.seq_scan::float8, 0),
                               c.operations, CASE WHEN c.operations ~ ', ' THEN 'read' ELSE 'reads' END,
                               coalesce(' with Filter: ' || loadtest.one_line(c.filter, 150), ''),
                               CASE WHEN cardinality(c.sort_keys) > 0
                                    THEN ', sorting on ' || loadtest.one_line(array_to_string(c.sort_keys, ', '), 100) ELSE '' END,
                               v_hypo);
            recommendation := format('an index on (%s) lets %s find %s rows without reading the whole table',
                                     loadtest.one_line(array_to_string(c.columns, ', '), 200), c.operations,
                                     CASE WHEN c.operations ~ ', ' THEN 'their' ELSE 'its' END);
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;

COMMENT ON FUNCTION loadtest.recommend_indexes(bigint) IS
'loadtest (internal): a recommendation per missing index: tables of run_table_stats read sequentially (10000 tuples or more, 1000 per scan) that an operation''s plan scans with a filter or sorts on; the CREATE INDEX of the columns (equality, then one range or LIKE, else sort keys), unless such an index exists; checked with HypoPG when installed and the run is the caller''s (no row when its cost does not fall by 10%)';

-- ---------------------------------------------------------------------------
-- Recommendations: the other rules
-- ---------------------------------------------------------------------------

-- Errors: one row per SQLSTATE (the most frequent first), with its counts
-- per operation and advice by class.
CREATE OR REPLACE FUNCTION loadtest.recommend_errors(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
advice (code, what, advice, stmt) AS (
    VALUES ('40P01', 'deadlocks', 'retry them (loadtest.max_tries retries deadlocks and serialization failures), and take row locks in one order (e.g. by primary key) so that transactions do not wait for each other in a cycle', 'SET loadtest.max_tries = 3;'),
           ('40001', 'serialization failures', 'retry them (loadtest.max_tries), as an application at this isolation level must; fewer conflicts with shorter transactions', 'SET loadtest.max_tries = 3;'),
           ('55P03', 'locks not available', 'operations gave up on a lock (NOWAIT or lock_timeout): wait longer, or make the transactions holding the locks shorter', NULL),
           ('57014', 'operations cancelled (a timeout)', 'statement_timeout or the run''s op_timeout_ms cancelled them: look at their plans and lock waits, or allow them longer', NULL),
           ('23', 'integrity constraint violations', 'the generated data collide with the data (duplicates, missing references): adjust the operations'' generators or the data set', NULL)),
e AS (
    SELECT x.sqlstate, x.operation_no, sum(x.count)::numeric AS n
      FROM loadtest.run_errors x
     WHERE x.run_id = recommend_errors.run_id AND x.count > 0
     GROUP BY x.sqlstate, x.operation_no),
named AS (
    SELECT e.sqlstate, e.n,
           coalesce(loadtest.one_line((SELECT ro.operation FROM loadtest.run_operations ro
                                        WHERE ro.run_id = recommend_errors.run_id AND ro.operation_no = e.operation_no), 100),
                    '(operation ' || e.operation_no || ')') AS operation,
           row_number() OVER (PARTITION BY e.sqlstate ORDER BY e.n DESC, e.operation_no) AS rank
      FROM e),
s AS (
    SELECT nm.sqlstate, sum(nm.n) AS n,
           string_agg(nm.operation || ' ' || loadtest.format_number(nm.n, 'FM999G999G999G999G990'), ', ' ORDER BY nm.rank)
               FILTER (WHERE nm.rank <= (SELECT k.listed FROM k)) AS kinds,
           count(*) FILTER (WHERE nm.rank > (SELECT k.listed FROM k)) AS more
      FROM named nm GROUP BY nm.sqlstate)
SELECT format('errors: %s (%s)', coalesce(loadtest.one_line(nullif(s.sqlstate, ''), 10), '-----'), coalesce(a.what, 'failed operations')),
       format('%s operations failed with SQLSTATE %s (%s of the run''s %s operations): %s%s',
              loadtest.format_number(s.n, 'FM999G999G999G999G990'), coalesce(loadtest.one_line(nullif(s.sqlstate, ''), 10), '-----'),
              coalesce(loadtest.verdict_num(loadtest.numeric_float8(100::numeric * s.n / nullif(f.total_ops, 0)::numeric), 2) || '%', 'n/a'),
              loadtest.verdict_num(f.total_ops, 0), s.kinds,
              CASE WHEN s.more > 0 THEN ' and ' || s.more || ' more operations' ELSE '' END),
       coalesce(a.advice, 'see their messages: SELECT * FROM loadtest.error_stats WHERE run_id = ' || recommend_errors.run_id),
       a.stmt
  FROM s
  LEFT JOIN LATERAL (SELECT * FROM advice ad
                      WHERE ad.code = s.sqlstate OR (length(ad.code) = 2 AND left(s.sqlstate, 2) = ad.code)
                      ORDER BY length(ad.code) DESC LIMIT 1) a ON true
  LEFT JOIN LATERAL (SELECT x.total_ops FROM loadtest.run_figures(recommend_errors.run_id) x) f ON true
 ORDER BY s.n DESC, s.sqlstate
 LIMIT (SELECT k.listed FROM k)
$$;

COMMENT ON FUNCTION loadtest.recommend_errors(bigint) IS
'loadtest (internal): a recommendation per SQLSTATE of a run''s failed operations (the 10 most frequent): counts per operation, advice by class (40P01, 40001: retries and lock order; 55P03; 57014: timeouts; 23xxx: the data)';

-- Lock waits dominating an operation: Lock 30% or more of its samples,
-- with 20 samples or more.
CREATE OR REPLACE FUNCTION loadtest.recommend_locks(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
ops AS (
    SELECT w.operation, sum(w.samples) AS samples,
           sum(w.share_pct) FILTER (WHERE w.class = 'Lock') AS lock_pct
      FROM loadtest.wait_classes(recommend_locks.run_id) w
     WHERE w.operation IS NOT NULL
     GROUP BY w.operation)
SELECT 'lock waits in ' || o.operation,
       format('%s (%s samples)', loadtest.lock_wait_text(recommend_locks.run_id, o.operation),
              loadtest.format_number(o.samples, 'FM999G999G999G999G990')),
       CASE WHEN r.hot_rows > 0
            THEN format('the run drew its rows from %s hot %s per table (loadtest.hot_rows), so the users'' transactions wait for each other on the same rows: spread the writes over more rows, keep the transactions that lock them short, or queue the writes to one row in the application',
                        r.hot_rows, CASE WHEN r.hot_rows = 1 THEN 'row' ELSE 'rows' END)
            ELSE 'transactions wait for each other''s row locks: keep the transactions that lock rows short (commit sooner), lock rows in one order, and spread writes that go to the same rows' END,
       NULL::text
  FROM ops o
 CROSS JOIN k
  LEFT JOIN loadtest.runs r ON r.run_id = recommend_locks.run_id
 WHERE o.lock_pct >= k.class_share_pct AND o.samples >= k.rec_lock_samples::numeric
 ORDER BY o.lock_pct DESC, o.operation
 LIMIT (SELECT k.listed FROM k)
$$;

COMMENT ON FUNCTION loadtest.recommend_locks(bigint) IS
'loadtest (internal): a recommendation per operation whose wait samples (20 or more) are 30% or more Lock: which lock, table and hot rows';

-- Cache hit ratio under 99% with 1000 blocks read or more: the working set
-- (the run's tables) against shared_buffers.
CREATE OR REPLACE FUNCTION loadtest.recommend_cache(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'cache misses',
       format('cache hit ratio %s%% (%s blocks read from disk, %s found in shared buffers); the run''s tables (the working set) total %s, shared_buffers is %s',
              loadtest.verdict_num(c.hit_pct, 2),
              loadtest.format_number(loadtest.numeric_float8(c.blocks_read), 'FM999G999G999G999G990'),
              loadtest.format_number(loadtest.numeric_float8(c.blocks_hit), 'FM999G999G999G999G990'),
              coalesce(loadtest.format_bytes(f.data_bytes), 'n/a'), loadtest.format_bytes(sb.bytes)),
       CASE WHEN f.data_bytes > sb.bytes
            THEN 'the working set does not fit in shared_buffers: raise it (about a quarter of the server''s memory at most; a restart), or add memory'
            ELSE 'reads from disk although the run''s tables fit in shared_buffers: a cold cache or other tables; warm the cache (pg_prewarm) or run longer before measuring' END,
       CASE WHEN f.data_bytes > sb.bytes AND f.data_bytes < 1e15::numeric
            THEN format('ALTER SYSTEM SET shared_buffers = %L;', ceil(f.data_bytes * 1.25 / 1048576::numeric)::bigint || 'MB') END
  FROM loadtest.cache_hit(recommend_cache.run_id) c
 CROSS JOIN loadtest.verdict_limits() k
 CROSS JOIN (SELECT pg_size_bytes(current_setting('shared_buffers'))::numeric AS bytes) sb
  LEFT JOIN LATERAL (SELECT x.data_bytes FROM loadtest.run_figures(recommend_cache.run_id) x) f ON true
 WHERE c.hit_pct < k.rec_cache_hit_pct AND c.blocks_read >= k.rec_cache_blocks::numeric
$$;

COMMENT ON FUNCTION loadtest.recommend_cache(bigint) IS
'loadtest (internal): a recommendation when a run''s cache hit ratio is under 99% with 1000 blocks read or more: the working set (its tables'' total_bytes) against shared_buffers';

-- WAL waits (IO:WALSync, IO:WALWrite, LWLock:WALWrite, LWLock:WALInsert)
-- 30% or more of the write operations' samples.
CREATE OR REPLACE FUNCTION loadtest.recommend_wal(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH k AS (SELECT * FROM loadtest.verdict_limits()),
w AS (
    SELECT x.*
      FROM loadtest.wait_classes(recommend_wal.run_id) x
     WHERE x.operation IN (SELECT loadtest.one_line(ro.operation, 100) FROM loadtest.run_operations ro
                            WHERE ro.run_id = recommend_wal.run_id AND ro.kind = 'write')),
t AS (
    SELECT sum(w.samples) AS samples,
           sum(w.samples) FILTER (WHERE w.class = 'WAL') AS wal,
           string_agg(DISTINCT w.operation, ', ') AS ops
      FROM w),
ev AS (
    SELECT string_agg(e.event || ' ' || loadtest.verdict_num(loadtest.numeric_float8(100::numeric * e.n / t.samples), 1) || '%',
                      ', ' ORDER BY e.n DESC, e.event) AS events
      FROM (SELECT w.event, sum(w.samples) AS n FROM w WHERE w.class = 'WAL' GROUP BY w.event) e, t),
wp AS (
    SELECT (loadtest.histogram_percentiles(h.latency_buckets, h.latency_counts,
                                           ARRAY[0.95]::float8[]))[1] / 1000 AS p95_ms
      FROM loadtest.run_histograms h
      JOIN loadtest.run_operations ro
        ON ro.run_id = h.run_id AND ro.operation_no = h.operation_no AND ro.kind = 'write'
     WHERE h.run_id = recommend_wal.run_id AND h.scope = 'operation'),
sat AS (
    SELECT coalesce(bool_or(f.pool_saturated OR f.rate_saturated), false) AS saturated
      FROM loadtest.run_figures(recommend_wal.run_id) f)
SELECT 'commits wait for WAL',
       format('%s of the %s samples of the write operations (%s); their p95 %sms%s', ev.events,
              loadtest.format_number(t.samples, 'FM999G999G999G999G990'), loadtest.one_line(t.ops, 300),
              coalesce(loadtest.verdict_num(wp.p95_ms, 2), 'n/a'),
              CASE WHEN sat.saturated THEN ', the server or its pool saturated' ELSE '' END),
       'each commit waits for its WAL to reach disk: let commits share a flush (commit_delay, with commit_siblings), set synchronous_commit = off for writes that may lose their last transactions in a crash (no corruption, a trade-off), or put pg_wal on faster storage',
       'ALTER SYSTEM SET commit_delay = 1000; SELECT pg_reload_conf();'
  FROM t, ev, k, wp, sat
 WHERE t.samples >= k.min_wait_samples::numeric AND 100::numeric * t.wal / t.samples >= k.class_share_pct::numeric
   -- the writes' time matters: the server or its pool saturated, or the
   -- writes are slow
   AND (sat.saturated OR wp.p95_ms >= k.rec_wal_write_p95_ms)
$$;

COMMENT ON FUNCTION loadtest.recommend_wal(bigint) IS
'loadtest (internal): a recommendation when WAL waits are 30% or more of a run''s write operations'' samples (100 samples at least) and the writes'' time matters (the server or its pool saturated, or the writes'' p95 at least 20 ms): commit_delay, synchronous_commit or storage';

-- Pool wait dominating: a pooled run whose users waited at least as long
-- for a worker as the operation took, not lock-bound.
CREATE OR REPLACE FUNCTION loadtest.recommend_pool(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'users queue for the pool',
       format('users waited %sms for a worker for a %sms operation; %s ops/sec x %sms / 1000 = %s busy workers of the pool of %s',
              loadtest.verdict_num(f.wait_ms, 2), loadtest.verdict_num(f.avg_ms, 2),
              loadtest.verdict_num(f.throughput_ops_s, 2), loadtest.verdict_num(f.avg_ms, 2),
              loadtest.verdict_num(f.busy_workers, 2), loadtest.verdict_num(f.pool_size, 0)),
       CASE WHEN f.busy_workers >= k.pool_busy_share * f.pool_size
            THEN format('the pool''s workers were all busy: a larger pool serves more users at once while the server has cores to spare; confirm with a run with twice the pool (it needs %s background worker slots)', 2 * f.pool_size + 1)
            ELSE format('the workers were not all busy, yet users queued (bursts of arrivals): a larger pool absorbs them; confirm with a run with twice the pool (it needs %s background worker slots)', 2 * f.pool_size + 1) END,
       loadtest.verdict_run_call(f.users, 2 * f.pool_size,
                                 coalesce(f.duration_limit_s, round(f.duration_s), k.min_duration_s),
                                 f.pattern, f.think_time_ms, coalesce(f.ramp_up_s, k.ramp_up_s))
  FROM loadtest.run_figures(recommend_pool.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 WHERE f.shape = 'pooled' AND f.pool_size BETWEEN 1 AND 1000000 AND f.wait_ms >= f.avg_ms AND f.wait_ms > 0
   AND NOT coalesce((SELECT sum(w.share_pct) FROM loadtest.wait_classes(recommend_pool.run_id) w
                      WHERE w.operation IS NULL AND w.class = 'Lock') >= k.class_share_pct, false)
$$;

COMMENT ON FUNCTION loadtest.recommend_pool(bigint) IS
'loadtest (internal): a recommendation when a pooled run''s users waited at least as long for a worker as the operation took, and lock waits are not the cause: the busy workers against the pool, the loadtest_run() call with twice the pool';

-- Reads over 60% of the operations of a server that saturated: replicas.
CREATE OR REPLACE FUNCTION loadtest.recommend_replicas(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'reads on a saturated server',
       format('reads are %s%% of the operations, and run %s saturated %s: %s',
              loadtest.verdict_num(100 * f.read_share, 1), s.saturated_run_id,
              CASE WHEN s.pool THEN 'its pool' ELSE 'the server' END, s.reason),
       'send the reads to read replicas (streaming replication): each replica takes a share of the reads off the primary',
       NULL::text
  FROM loadtest.run_figures(recommend_replicas.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 CROSS JOIN loadtest.saturated_run(recommend_replicas.run_id) s
 WHERE f.read_share > k.rec_read_share
   -- this run saturated (another run of the test saturating a smaller
   -- pool says nothing of this one)
   AND s.saturated_run_id = recommend_replicas.run_id
$$;

COMMENT ON FUNCTION loadtest.recommend_replicas(bigint) IS
'loadtest (internal): a recommendation of read replicas when reads are over 60% of a run''s operations and the run saturated the server or its pool (loadtest.saturated_run names this run)';

-- Users lost, and a tail latency that stands out.
CREATE OR REPLACE FUNCTION loadtest.recommend_run_health(run_id bigint)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 'users lost',
       format('%s of the %s users were lost (their workers ended early)', loadtest.verdict_num(f.users_lost, 0),
              loadtest.verdict_num(f.users, 0)),
       'see the server log for why their workers ended (out of memory, terminated, crashed); their operations are missing from the figures',
       NULL::text
  FROM loadtest.run_figures(recommend_run_health.run_id) f
 WHERE f.users_lost > 0
UNION ALL
SELECT 'tail latency',
       format('p99 %sms is %s x the median %sms', loadtest.verdict_num(f.p99_ms, 2),
              loadtest.verdict_num(f.p99_ms / f.median_ms, 1), loadtest.verdict_num(f.median_ms, 2)),
       'a few operations take far longer than the rest: look at checkpoints, autovacuum and lock waits in the server log',
       'ALTER SYSTEM SET log_checkpoints = on; ALTER SYSTEM SET log_lock_waits = on; ALTER SYSTEM SET log_autovacuum_min_duration = 0; SELECT pg_reload_conf();'
  FROM loadtest.run_figures(recommend_run_health.run_id) f
 CROSS JOIN loadtest.verdict_limits() k
 WHERE f.median_ms > 0 AND f.p99_ms > k.rec_tail_factor * f.median_ms AND f.p99_ms >= k.rec_tail_ms
$$;

COMMENT ON FUNCTION loadtest.recommend_run_health(bigint) IS
'loadtest (internal): recommendations on users lost, and on a tail latency that stands out (p99 over 10x the median and at least 100 ms)';

CREATE OR REPLACE FUNCTION loadtest_recommendations(run_id bigint DEFAULT NULL)
RETURNS TABLE (finding text, evidence text, recommendation text, statement text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off  -- small queries: compiling them (JIT) cost more than running them
AS $$
DECLARE
    v_run bigint := loadtest.resolve_run(loadtest_recommendations.run_id, 'judge');
BEGIN
    -- the rules, in the order the recommendations are listed
    RETURN QUERY SELECT * FROM loadtest.recommend_errors(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_locks(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_pool(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_indexes(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_cache(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_wal(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_replicas(v_run);
    RETURN QUERY SELECT * FROM loadtest.recommend_run_health(v_run);
END
$$;

COMMENT ON FUNCTION loadtest_recommendations(bigint) IS
'loadtest: what to change, from the evidence of a run (NULL: the latest the caller sees), each row with the figure that triggered it: errors by SQLSTATE, lock waits dominating an operation, users queued for the pool, missing indexes on tables read sequentially (the CREATE INDEX in statement, checked with HypoPG when it is installed and the run is the caller''s), cache hit ratio under 99%, WAL waits dominating writes, reads on a saturated server, users lost, tail latency; no rows for a healthy run';
-- loadtest 1.5: runs compared, and CI gates (issue #11).
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
