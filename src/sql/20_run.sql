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

-- Only roles that were granted it may start runs.
REVOKE EXECUTE ON FUNCTION loadtest_run FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE loadtest_run_procedure FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION loadtest_scenario(text, boolean) FROM PUBLIC;
