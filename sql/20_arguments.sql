-- loadtest_run checks its request before anything starts: each bad input
-- gets a clear error, and no run, worker or row is left behind.

-- NULL arguments
SELECT loadtest_run(users => NULL);
SELECT loadtest_run(ops => NULL);
SELECT loadtest_run(pattern => NULL);
SELECT loadtest_run(think_time_ms => NULL);
SELECT loadtest_run(ramp_up_s => NULL);
SELECT loadtest_run(force => NULL);

-- out of range
SELECT loadtest_run(users => 0);
SELECT loadtest_run(users => -1);
SELECT loadtest_run(users => 2147483647);
SELECT loadtest_run(ops => 0);
SELECT loadtest_run(ops => -5);
SELECT loadtest_run(users => 10000, ops => 10000000);
SELECT loadtest_run(think_time_ms => -1);
SELECT loadtest_run(think_time_ms => 2147483647);
SELECT loadtest_run(ramp_up_s => -0.5);
SELECT loadtest_run(ramp_up_s => 'NaN');
SELECT loadtest_run(ramp_up_s => 'Infinity');

-- pools and time-bound runs
SELECT loadtest_run(users => 10, pool_size => 0);
SELECT loadtest_run(users => 10, pool_size => -3);
SELECT loadtest_run(users => 10, pool_size => 11);
-- a bad users is blamed on users, not on the pool_size it makes look wrong
SELECT loadtest_run(users => -5, pool_size => 1);
-- values are printed exactly, not rounded (%g printed 86400 here)
SELECT loadtest_run(ramp_up_s => 86400.0001);
SELECT loadtest_run(rate => 1000000.5);
SELECT loadtest_run(duration => '0 seconds');
SELECT loadtest_run(duration => '-5 minutes');
SELECT loadtest_run(duration => '8 days');
SELECT loadtest_run(duration => '500 milliseconds');
SELECT loadtest_run(rate => 0);
SELECT loadtest_run(rate => -10);
SELECT loadtest_run(rate => 'NaN');
SELECT loadtest_run(rate => 2000000);
-- stages
SELECT loadtest_run(stages => '{"users": 5}');
SELECT loadtest_run(stages => '[]');
SELECT loadtest_run(stages => '[{"users": 5}]');
SELECT loadtest_run(stages => '[{"users": 5, "rate": 3, "duration": "1 s"}]');
SELECT loadtest_run(stages => '[{"users": 5, "duration": "1 s"}, {"rate": 3, "duration": "1 s"}]');
SELECT loadtest_run(stages => '[{"users": 2.5, "duration": "1 s"}]');
SELECT loadtest_run(stages => '[{"users": -1, "duration": "1 s"}]');
SELECT loadtest_run(stages => '[{"users": 0, "duration": "1 s"}]');
SELECT loadtest_run(stages => '[{"users": 5, "duration": "-1 s"}]');
SELECT loadtest_run(stages => '[{"users": 5, "duration": "1 s"}]', duration => '1 min');

-- patterns: exact lower-case names; anything else lists the valid ones
SELECT loadtest_run(pattern => 'bogus');
SELECT loadtest_run(pattern => 'Read_Heavy');
SELECT loadtest_run(pattern => 'DISTRIBUTED');
SELECT loadtest_run(pattern => 'read_heavy''; DROP TABLE membership.members; --');
SELECT loadtest_run(pattern => '');
SELECT loadtest_run(pattern => repeat('x', 100));

-- more users than free background worker slots (the detail's figures
-- depend on the server, so only the message is shown)
\set VERBOSITY terse
SELECT loadtest_run(users => 10000, ops => 1);
\set VERBOSITY default

-- read-only sessions
SET default_transaction_read_only = on;
SELECT loadtest_run(users => 1, ops => 1);
RESET default_transaction_read_only;
BEGIN READ ONLY;
SELECT loadtest_run(users => 1, ops => 1);
ROLLBACK;

-- production guard
SET loadtest.environment = 'production';
SELECT loadtest_run(users => 1, ops => 1);
SHOW loadtest.environment;
RESET loadtest.environment;
SELECT name, context FROM pg_settings WHERE name LIKE 'loadtest.%' ORDER BY name;

-- a role that cannot log in
CREATE ROLE loadtest_nologin NOLOGIN;
GRANT EXECUTE ON FUNCTION loadtest_run TO loadtest_nologin;
SET ROLE loadtest_nologin;
SELECT loadtest_run(users => 1, ops => 1);
RESET ROLE;
-- a role that may log in but was not granted loadtest_run
CREATE ROLE loadtest_nogrant LOGIN;
SET ROLE loadtest_nogrant;
SELECT loadtest_run(users => 1, ops => 1);
RESET ROLE;
DROP OWNED BY loadtest_nologin;
DROP ROLE loadtest_nologin, loadtest_nogrant;

-- unknown scenario
SELECT loadtest_scenario('huge');

-- a transaction that has locked the workload or result tables for writing
-- would deadlock with the run's own processes
BEGIN;
UPDATE membership.members SET phone = phone WHERE member_id = 1;
SELECT loadtest_run(users => 1, ops => 1);
ROLLBACK;
BEGIN;
LOCK TABLE loadtest.sample_log IN SHARE MODE;
SELECT loadtest_run(users => 1, ops => 1);
ROLLBACK;
-- the view loadtest.samples: locking it locks sample_log, run_patterns and
-- run_operations (the message names whichever lock it finds first)
BEGIN;
LOCK TABLE loadtest.samples IN SHARE MODE;
DO $$
BEGIN
    PERFORM loadtest_run(users => 1, ops => 1);
    RAISE NOTICE 'the run started';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RAISE NOTICE '%', regexp_replace(SQLERRM, 'loadtest\.(sample_log|run_patterns|run_operations)$',
                                     'one of the tables of loadtest.samples');
END
$$;
ROLLBACK;

-- workload not seeded (the recorder's check, raised by the call)
TRUNCATE membership.members, membership.member_employments, membership.students,
         membership.file_attachments;
SELECT loadtest_run(users => 1, ops => 1);
SELECT loadtest_seed(2000) LIKE 'seeded 2000 members%' AS reseeded;

-- a function declared with fewer arguments than the library reads (every
-- released script declares all ten): it fails cleanly, never crashes
CREATE FUNCTION pg_temp.run_1_0(int, int, text, int, float8, bool) RETURNS bigint
    AS 'loadtest', 'loadtest_run' LANGUAGE C;
SELECT pg_temp.run_1_0(1, 1, 'read_file_metadata', 0, 0, false) > 0 AS six_argument_definition_runs;
CREATE FUNCTION pg_temp.run_short(int, int, text) RETURNS bigint
    AS 'loadtest', 'loadtest_run' LANGUAGE C;
SELECT pg_temp.run_short(1, 1, 'mixed');
DELETE FROM loadtest.runs;

-- nothing was left behind
SELECT count(*) AS runs FROM loadtest.runs;
SELECT count(*) AS samples FROM loadtest.samples;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';
