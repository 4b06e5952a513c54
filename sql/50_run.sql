-- End-to-end runs by real background workers, checked by invariants:
-- every attempted operation is a sample, each user did its share, the mix
-- of operations follows the pattern, ramp-up and think time are honoured.

-- a mixed run: 3 users x 20 operations, no pauses
SELECT loadtest_run(users => 3, ops => 20, pattern => 'mixed',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT status, users, ops_per_user, pattern, workers, role_name = current_user AS own_role,
       ended_at >= started_at AS ended, users_lost, ops_not_done
FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS samples, count(*) FILTER (WHERE success) AS successful,
       count(DISTINCT user_no) AS users, bool_and(pattern = 'mixed') AS all_mixed,
       bool_and(latency_us >= 0 AND start_us >= 0) AS times_sane
FROM loadtest.samples WHERE run_id = :run_id;
-- each user ran exactly its operations, numbered 1..20
SELECT user_no, count(*) AS ops, min(op_no), max(op_no)
FROM loadtest.samples WHERE run_id = :run_id GROUP BY user_no ORDER BY user_no;
SELECT user_no, pattern, ops_planned, ops_done, lost
FROM loadtest.run_users WHERE run_id = :run_id ORDER BY user_no;
-- a mixed user never runs file operations
SELECT count(*) AS file_ops FROM loadtest.samples s
WHERE run_id = :run_id
  AND s.operation IN ('list_file_attachments', 'create_file_attachment', 'read_file_metadata');
-- the run keeps what it ran: the operations of its pattern, numbered by
-- name, and its pattern with its weights and users
SELECT string_agg(operation_no || ' ' || operation || ' ' || kind, ', ' ORDER BY operation_no) AS run_operations,
       bool_and(builtin) AS builtin
FROM loadtest.run_operations WHERE run_id = :run_id;
SELECT rp.pattern_no, rp.pattern, rp.weights = p.weights AS catalogue_weights, rp.users
FROM loadtest.run_patterns rp JOIN loadtest.patterns p USING (pattern)
WHERE rp.run_id = :run_id;

-- read_heavy: 90% reads, within a tolerance of 4 points (over 4 standard
-- deviations for 1,000 operations)
SELECT loadtest_run(users => 4, ops => 250, pattern => 'read_heavy',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT count(*) AS samples,
       abs(avg((o.kind = 'read')::int) - 0.90) <= 0.04 AS read_share_near_90,
       count(*) FILTER (WHERE success) = count(*) AS all_successful
FROM loadtest.samples s JOIN loadtest.operations o USING (operation)
WHERE run_id = :run_id;

-- file_operations runs file operations only
SELECT loadtest_run(users => 2, ops => 30, pattern => 'file_operations',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT count(*) AS samples,
       bool_and(s.operation IN ('list_file_attachments', 'create_file_attachment', 'read_file_metadata')) AS files_only,
       count(DISTINCT operation) AS kinds
FROM loadtest.samples s
WHERE run_id = :run_id;

-- one operation on its own
SELECT loadtest_run(users => 2, ops => 25, pattern => 'read_file_metadata',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
SELECT operation, pattern, count(*) FROM loadtest.samples WHERE run_id = :run_id
GROUP BY 1, 2;
SELECT DISTINCT pattern, operation FROM loadtest.run_users WHERE run_id = :run_id;

-- distributed over 20 users: 10/4/5/1, with ramp-up and think time honoured
SELECT loadtest_run(users => 20, ops => 3, think_time_ms => 20, ramp_up_s => 1) AS run_id \gset
SELECT pattern, count(*) FROM loadtest.run_users WHERE run_id = :run_id
GROUP BY pattern ORDER BY pattern;
-- the run's patterns, numbered by share, with their users and weights
SELECT rp.pattern_no, rp.pattern, rp.users, rp.weights = p.weights AS catalogue_weights
FROM loadtest.run_patterns rp JOIN loadtest.patterns p USING (pattern)
WHERE rp.run_id = :run_id ORDER BY rp.pattern_no;
SELECT count(*) AS operations, count(DISTINCT operation) AS distinct_operations
FROM loadtest.run_operations WHERE run_id = :run_id;
SELECT count(*) AS samples FROM loadtest.samples WHERE run_id = :run_id;
-- user n starts no earlier than its planned start, (n - 1) x 1 s / 20
SELECT bool_and(first_start >= (user_no - 1) * 50000) AS ramp_up_honoured
FROM (SELECT user_no, min(start_us) AS first_start FROM loadtest.samples
      WHERE run_id = :run_id GROUP BY user_no) f;
-- a user pauses at least half the think time between operations
SELECT bool_and(gap_us >= 10000) AS think_time_honoured, count(*) AS gaps
FROM (SELECT start_us - lag(start_us + latency_us) OVER w AS gap_us
      FROM loadtest.samples WHERE run_id = :run_id
      WINDOW w AS (PARTITION BY user_no ORDER BY op_no)) g
WHERE gap_us IS NOT NULL;

-- failed operations are recorded with SQLSTATE and message, and the users
-- go on: every insert of a contact fails here
CREATE FUNCTION pg_temp.refuse_contact() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'contacts are frozen' USING ERRCODE = 'P0001'; END $$;
CREATE TRIGGER refuse_contact BEFORE INSERT ON membership.organization_contacts
    FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_contact();
SELECT loadtest_run(users => 2, ops => 5, pattern => 'create_organization_contact',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
DROP TRIGGER refuse_contact ON membership.organization_contacts;
SELECT r.status, count(*) AS samples, count(*) FILTER (WHERE NOT s.success) AS failed,
       s.sqlstate, s.message
FROM loadtest.samples s JOIN loadtest.runs r USING (run_id) WHERE run_id = :run_id
GROUP BY r.status, s.sqlstate, s.message;

-- unique violations: every new member gets the same email
CREATE FUNCTION pg_temp.same_email() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN NEW.email := 'everyone@loadtest.example'; RETURN NEW; END $$;
CREATE TRIGGER same_email BEFORE INSERT ON membership.members
    FOR EACH ROW EXECUTE FUNCTION pg_temp.same_email();
SELECT loadtest_run(users => 1, ops => 4, pattern => 'create_member',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
DROP TRIGGER same_email ON membership.members;
DELETE FROM membership.members WHERE email = 'everyone@loadtest.example';
SELECT count(*) FILTER (WHERE success) AS successful,
       count(*) FILTER (WHERE sqlstate = '23505') AS unique_violations
FROM loadtest.samples WHERE run_id = :run_id;

-- loadtest.op_timeout cancels slow operations: recorded as 57014
CREATE FUNCTION pg_temp.slow_update() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END $$;
CREATE TRIGGER slow_update BEFORE UPDATE ON membership.members
    FOR EACH ROW EXECUTE FUNCTION pg_temp.slow_update();
SET loadtest.op_timeout = 20;
SELECT loadtest_run(users => 2, ops => 2, pattern => 'update_member',
                    think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
RESET loadtest.op_timeout;
DROP TRIGGER slow_update ON membership.members;
SELECT op_timeout_ms FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS samples, sqlstate, message
FROM loadtest.samples WHERE run_id = :run_id GROUP BY sqlstate, message;

-- the report of a real run has its twelve sections, in order (1.4 added
-- the evidence: where the time went, what the database did, over time,
-- plans; their text holds timings, so only the titles are printed)
SELECT loadtest_run(users => 5, ops => 10, think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
WITH r AS (SELECT loadtest_report(:run_id) AS t)
SELECT s.title, strpos(r.t, E'\n' || s.title || E'\n') > 0 AS present,
       strpos(r.t, E'\n' || s.title || E'\n')
           > coalesce(lag(strpos(r.t, E'\n' || s.title || E'\n')) OVER (ORDER BY s.n), 0) AS in_order
FROM r, (VALUES (1, 'Test Configuration:'), (2, 'User Pattern Distribution:'),
                (3, 'Overall Results:'), (4, 'Response Times (ms):'),
                (5, 'Operation Breakdown:'), (6, 'Where the time went:'), (7, 'Errors:'),
                (8, 'What the database did:'), (9, 'Over time:'), (10, 'Plans:'),
                (11, 'Performance Assessment:'), (12, 'Scaling to 4000 Users:')) s(n, title)
ORDER BY s.n;
SELECT loadtest_report() = loadtest_report(:run_id) AS latest_by_default;
SELECT total_ops, failed, success_pct FROM loadtest.run_summary WHERE run_id = :run_id;

-- a pooled run: 40 users share 3 workers; every user does all its
-- operations, and each sample knows how long it waited for a worker
SELECT loadtest_run(users => 40, pool_size => 3, ops => 5, think_time_ms => 5,
                    ramp_up_s => 0) AS run_id \gset
SELECT status, users, workers, pool_size, users_lost FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS samples, count(DISTINCT user_no) AS users,
       bool_and(wait_us >= 0) AS waits_recorded
FROM loadtest.samples WHERE run_id = :run_id;
SELECT count(*) AS users_done FROM loadtest.run_users
WHERE run_id = :run_id AND ops_done = 5 AND NOT lost;
SELECT avg_wait_ms >= 0 AS pool_wait_in_summary FROM loadtest.run_summary WHERE run_id = :run_id;
SELECT strpos(loadtest_report(:run_id), 'Pool wait (a free worker)') > 0 AS report_shows_pool_wait;

-- a time-bound run: no operation starts after its duration
SELECT loadtest_run(users => 4, pool_size => 2, duration => '2 seconds',
                    think_time_ms => 10, ramp_up_s => 0) AS run_id \gset
SELECT status, duration_limit_s, users_lost FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) > 0 AS did_work, max(start_us) < 2000000 AS none_after_the_end
FROM loadtest.samples WHERE run_id = :run_id;
SELECT count(*) AS users, count(ops_planned) AS with_planned_ops, bool_and(NOT lost) AS none_lost
FROM loadtest.run_users WHERE run_id = :run_id;

-- the open model: 100 operations a second for 2 seconds are exactly 200
-- arrivals, started on schedule whatever the server does, by 3 workers
SELECT loadtest_run(users => 5, pool_size => 3, rate => 100, duration => '2 seconds',
                    ramp_up_s => 0) AS run_id \gset
SELECT status, rate, ops_not_done FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS arrivals, max(start_us) >= 1990000 AS last_one_on_schedule,
       bool_and(wait_us >= 0) AS lag_recorded
FROM loadtest.samples WHERE run_id = :run_id;
SELECT count(*) AS users, count(ops_planned) AS with_planned_ops, sum(ops_done) AS ops_done
FROM loadtest.run_users WHERE run_id = :run_id;
SELECT strpos(loadtest_report(:run_id), 'From intended start') > 0 AS report_measures_from_intended_start;
-- without a duration, users x ops arrivals
SELECT loadtest_run(users => 2, ops => 30, rate => 400, ramp_up_s => 0) AS run_id \gset
SELECT count(*) AS arrivals, count(DISTINCT (user_no, op_no)) AS distinct_keys
FROM loadtest.samples WHERE run_id = :run_id;

-- stages by rate: 0 -> 200 operations a second over 1 s is 100 arrivals,
-- then 200 a second for 1 s is 200 more; the report shows each stage
SELECT loadtest_run(users => 4, pool_size => 2,
                    stages => '[{"rate": 200, "duration": "1 s"}, {"rate": 200, "duration": "1 s"}]') AS run_id \gset
SELECT status, duration_limit_s, jsonb_array_length(stages) AS stages FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) FILTER (WHERE start_us < 1000000) AS ramp_arrivals,
       count(*) FILTER (WHERE start_us >= 1000000) AS plateau_arrivals
FROM loadtest.samples WHERE run_id = :run_id;
SELECT strpos(loadtest_report(:run_id), '2. rate (ops/sec) 200 -> 200 over 1.00s: 200 ops') > 0 AS report_per_stage;
-- stages by users: a ramp from 0 to 10 users, then 10 users; users are on
-- only as their stage turns them on
SELECT loadtest_run(think_time_ms => 20,
                    stages => '[{"users": 10, "duration": "1 s"}, {"users": 10, "duration": "1 s"}]') AS run_id \gset
SELECT users, status FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) FILTER (WHERE start_us < 1000000) < count(*) FILTER (WHERE start_us >= 1000000)
       AS plateau_busier_than_ramp,
       bool_and(start_us >= (user_no - 1) * 100000) AS users_on_as_the_ramp_reaches_them,
       max(start_us) < 2000000 AS none_after_the_end
FROM loadtest.samples WHERE run_id = :run_id;

-- loadtest.record_samples = off counts operations without storing them;
-- loadtest.instrument = off runs the bare loop (nothing timed or stored)
SET loadtest.record_samples = off;
SELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
RESET loadtest.record_samples;
SELECT r.status, r.samples_recorded, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id) AS samples,
       (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id) AS ops_done
FROM loadtest.runs r WHERE r.run_id = :run_id;
SET loadtest.instrument = off;
SELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0) AS run_id \gset
RESET loadtest.instrument;
SELECT r.status, r.samples_recorded, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id) AS samples,
       (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id) AS ops_done
FROM loadtest.runs r WHERE r.run_id = :run_id;

-- a named scenario
SELECT count(*) FROM loadtest.runs;
SELECT loadtest_scenario('quick') AS run_id \gset
SELECT users, ops_per_user, pattern, think_time_ms, status FROM loadtest.runs WHERE run_id = :run_id;
SELECT count(*) AS samples FROM loadtest.samples WHERE run_id = :run_id;

-- deleting a run deletes its samples, users, operations and patterns
SELECT (SELECT count(*) FROM loadtest.run_operations WHERE run_id = :run_id) > 0 AS had_operations,
       (SELECT count(*) FROM loadtest.run_patterns WHERE run_id = :run_id) > 0 AS had_patterns;
DELETE FROM loadtest.runs WHERE run_id = :run_id;
SELECT (SELECT count(*) FROM loadtest.sample_log WHERE run_id = :run_id) AS samples_left,
       (SELECT count(*) FROM loadtest.run_users WHERE run_id = :run_id) AS users_left,
       (SELECT count(*) FROM loadtest.run_operations WHERE run_id = :run_id) AS operations_left,
       (SELECT count(*) FROM loadtest.run_patterns WHERE run_id = :run_id) AS patterns_left;

-- every run ended and no worker is left
SELECT status, count(*) FROM loadtest.runs GROUP BY status;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';
