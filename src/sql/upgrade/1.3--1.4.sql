-- loadtest 1.3 -> 1.4: the changes to tables, types, policies and
-- privileges.  The Makefile appends the parts of src/sql that define
-- functions, procedures and views (all CREATE OR REPLACE), then
-- 1.3--1.4-after.sql, so that the upgraded extension gets exactly the
-- definitions of a fresh install.
--
-- 1.4 keeps the evidence of each run, bounded in size (issue #10): the
-- summaries of its attempts (histograms per operation, stage and second,
-- errors by operation and SQLSTATE, each user's figures), whatever
-- samples => ... keeps in sample_log; the wait events of its operations;
-- what the database did; its workers' memory; its plans.  The runs
-- recorded before 1.4 get their summaries from their samples in
-- 1.3--1.4-after.sql, once the replayed parts have created
-- loadtest.summarize_samples().

\echo Use "ALTER EXTENSION loadtest UPDATE TO '1.4'" to load this file. \quit

-- loadtest_run(), loadtest_run_procedure() and loadtest_scenario() take
-- samples => ... (the replayed 20_run.sql creates them again): the roles
-- that could run them keep that right (1.3--1.4-after.sql grants it
-- again, from the list kept here for the transaction).  Nothing else
-- depends on them (views do not call them; plpgsql calls them by name).
DO $$
DECLARE
    kept jsonb;
BEGIN
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'routine', x.routine, 'grantee', x.grantee::pg_catalog.oid,
                        'grantable', x.is_grantable)), '[]'::jsonb)
      INTO kept
      FROM (SELECT DISTINCT
                   CASE p.proname
                        WHEN 'loadtest_run' THEN 'loadtest_run'
                        WHEN 'loadtest_run_procedure' THEN 'loadtest_run_procedure'
                        ELSE 'loadtest_scenario' END AS routine,
                   a.grantee, a.is_grantable
              FROM pg_catalog.pg_proc p, LATERAL pg_catalog.aclexplode(p.proacl) a
             WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
                       '@extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb)'::pg_catalog.regprocedure,
                       '@extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, bigint)'::pg_catalog.regprocedure,
                       '@extschema@.loadtest_scenario(text, boolean)'::pg_catalog.regprocedure]::pg_catalog.oid[])
               AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
               AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE') x;
    PERFORM pg_catalog.set_config('loadtest_upgrade_1_4.executors', kept::pg_catalog.text, true);
END
$$;

DROP FUNCTION @extschema@.loadtest_run(integer, integer, text, integer, double precision, boolean,
                                       integer, interval, double precision, jsonb);
DROP PROCEDURE @extschema@.loadtest_run_procedure(integer, integer, text, integer, double precision, boolean,
                                                  integer, interval, double precision, jsonb, bigint);
DROP FUNCTION @extschema@.loadtest_scenario(text, boolean);

-- runs: what samples => ... kept, and the wait sampling interval.  The
-- runs of 1.3 kept every sample, but for those recorded with
-- loadtest.record_samples = off, which kept none.
ALTER TABLE loadtest.runs
    ADD COLUMN samples text NOT NULL DEFAULT 'all',
    ADD COLUMN wait_sample_interval_ms integer;
UPDATE loadtest.runs SET samples = 'none' WHERE NOT samples_recorded;

-- run_users: each user's failures and latencies (the summaries)
ALTER TABLE loadtest.run_users
    ADD COLUMN errors bigint,
    ADD COLUMN latency_sum_us double precision,
    ADD COLUMN latency_p95_us double precision;

-- The evidence of a run: as in 10_schema.sql.
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

CREATE TABLE loadtest.run_errors (
    run_id       bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    operation_no smallint NOT NULL,
    sqlstate     text NOT NULL,
    message      text,
    count        bigint NOT NULL
);
CREATE INDEX run_errors_run_id ON loadtest.run_errors (run_id);
COMMENT ON TABLE loadtest.run_errors IS 'loadtest: failed operations of each run by operation, SQLSTATE and message (the 10 most frequent messages; NULL: the others)';

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

CREATE TABLE loadtest.run_db_stats (
    run_id bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    source text NOT NULL,            -- the view: pg_stat_database, pg_stat_bgwriter, pg_stat_wal
    stat   text NOT NULL,
    value  numeric NOT NULL,
    PRIMARY KEY (run_id, stat)
);
COMMENT ON TABLE loadtest.run_db_stats IS 'loadtest: change over each run of the counters of pg_stat_database, pg_stat_bgwriter and pg_stat_wal';

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

CREATE TABLE loadtest.run_memory (
    run_id    bigint NOT NULL REFERENCES loadtest.runs ON DELETE CASCADE,
    worker_no integer NOT NULL,
    at_s      double precision NOT NULL,
    ops       bigint NOT NULL,
    bytes     bigint NOT NULL
);
CREATE INDEX run_memory_run_id ON loadtest.run_memory (run_id);
COMMENT ON TABLE loadtest.run_memory IS 'loadtest: memory of each run''s workers over the run';

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

-- Row-level security: the evidence of a run follows its run.
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

SELECT pg_catalog.pg_extension_config_dump('loadtest.run_histograms', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_errors', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.wait_profile', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_db_stats', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_table_stats', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_memory', '');
SELECT pg_catalog.pg_extension_config_dump('loadtest.run_plans', '');
