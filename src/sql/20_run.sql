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

-- Runs in the background (1.6): loadtest_start() returns the run id once
-- the run exists; a launcher background worker, acting as the caller, owns
-- the run as the caller's backend owns a loadtest_run() (the session may
-- disconnect).  loadtest_wait() follows a run to its end, loadtest_cancel()
-- stops one, loadtest.progress shows every running run.
CREATE OR REPLACE FUNCTION loadtest_start(
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
AS 'MODULE_PATHNAME', 'loadtest_start'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_start IS
'start a load test in the background (the arguments of loadtest_run()): returns the run id as soon as the run exists; a launcher background worker runs it, whether or not the calling session stays';

CREATE OR REPLACE FUNCTION loadtest_wait(run_id bigint, timeout_s double precision DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'loadtest_wait'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_wait(bigint, double precision) IS
'wait for a run to end, with progress notices every loadtest.progress_interval seconds; returns its status (''running'' when timeout_s passed first)';

CREATE OR REPLACE FUNCTION loadtest_cancel(run_id bigint)
RETURNS text
AS 'MODULE_PATHNAME', 'loadtest_cancel'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_cancel(bigint) IS
'stop a running run (a role its own runs, a superuser any) and wait until its processes are gone; returns its status';

CREATE OR REPLACE FUNCTION loadtest.progress_rows(
    OUT run_id bigint, OUT role name, OUT pattern text, OUT started_at timestamptz,
    OUT elapsed_s double precision, OUT ops_done bigint, OUT ops_planned bigint,
    OUT duration_s double precision, OUT ops_per_s double precision,
    OUT p50_ms double precision, OUT p95_ms double precision, OUT errors bigint,
    OUT users_active integer, OUT eta_s double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'loadtest_progress_rows'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest.progress_rows() IS
'loadtest (internal): the live figures of the running runs the caller may see (loadtest.progress)';

CREATE OR REPLACE VIEW loadtest.progress AS
    SELECT * FROM loadtest.progress_rows();

COMMENT ON VIEW loadtest.progress IS
'loadtest: one row per running run (started by loadtest_run() or loadtest_start()) that the caller may see: operations done and planned, throughput and p50/p95 over the last 5 seconds, errors, active users, time left';

GRANT SELECT ON loadtest.progress TO PUBLIC;

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

-- A scenario of the guide, by name; each argument given overrides the
-- scenario's value (NULL keeps it), e.g. loadtest_scenario('stress',
-- pool_size => 16) on a server with fewer worker slots than users.
CREATE OR REPLACE FUNCTION loadtest_scenario(scenario text, force boolean DEFAULT false,
                                             samples text DEFAULT 'all',
                                             users integer DEFAULT NULL,
                                             ops integer DEFAULT NULL,
                                             pattern text DEFAULT NULL,
                                             think_time_ms integer DEFAULT NULL,
                                             ramp_up_s double precision DEFAULT NULL,
                                             pool_size integer DEFAULT NULL,
                                             duration interval DEFAULT NULL,
                                             rate double precision DEFAULT NULL,
                                             stages jsonb DEFAULT NULL)
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
    RETURN @extschema@.loadtest_run(users => coalesce(loadtest_scenario.users, s.users),
                                    ops => coalesce(loadtest_scenario.ops, s.ops),
                                    pattern => coalesce(loadtest_scenario.pattern, s.pattern),
                                    think_time_ms => coalesce(loadtest_scenario.think_time_ms, s.think_time_ms),
                                    ramp_up_s => coalesce(loadtest_scenario.ramp_up_s, s.ramp_up_s),
                                    force => force,
                                    pool_size => loadtest_scenario.pool_size,
                                    duration => loadtest_scenario.duration,
                                    rate => loadtest_scenario.rate,
                                    stages => loadtest_scenario.stages,
                                    samples => loadtest_scenario.samples);
END;
$$;

COMMENT ON FUNCTION loadtest_scenario(text, boolean, text, integer, integer, text, integer,
                                      double precision, integer, interval, double precision, jsonb) IS
'run a named scenario of loadtest.scenarios, e.g. loadtest_scenario(''quick''); every other argument given overrides the scenario''s (users, ops, pattern, think_time_ms, ramp_up_s) or adds to it (pool_size, duration, rate, stages), as in loadtest_run()';

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
REVOKE EXECUTE ON FUNCTION loadtest_start FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_scenario(text, boolean, text, integer, integer, text, integer,
                                          double precision, integer, interval, double precision, jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION loadtest_preview_generator(generator jsonb, draws integer DEFAULT 10,
    seed bigint DEFAULT 1)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'loadtest_preview_generator'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) IS
'loadtest: draws values of one generator of an operation''s params (as text), without running anything; column and page generators read their table as the caller';
REVOKE EXECUTE ON FUNCTION loadtest_preview_generator(jsonb, integer, bigint) FROM PUBLIC;
