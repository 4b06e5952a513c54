-- loadtest 1.6: the evidence of each run (issue #10), in tables of their
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
