
# The server crashes (immediate shutdown) in the middle of a run.  After
# the restart: what the recorder committed before the crash is all there
# and whole, the run is closed as aborted by loadtest_mark_stale_runs()
# (which loadtest_report() calls), and nothing left over keeps the next run
# from working.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('crash');

my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

my $free_slots = $mon->query_safe('SELECT loadtest_free_worker_slots()');
cmp_ok($free_slots, '>=', 5,
	'enough free worker slots for 4 users and a recorder');
my $before = newest_run_id($mon);

# A run far too long to end by itself, from a client of its own (it loses
# its server in the crash).
my $client = start_client($node, 'postgres',
	'SELECT loadtest_run(users => 4, ops => 1000000, think_time_ms => 2, ramp_up_s => 0)'
);

my $run_id = '';
my $samples_seen = 0;
ok( defined poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1"
			);
			return 0 if $run_id eq '';
			# every user has committed samples
			return $mon->query_safe(
				"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"
			) == 4;
		},
		60),
	'the run started and all 4 users recorded samples');
$samples_seen = $mon->query_safe(
	"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id");
is( $mon->query_safe(
		"SELECT status, recorder_pid IS NOT NULL FROM loadtest.runs WHERE run_id = $run_id"
	),
	'running|t',
	'the run is running, with its recorder');
is(loadtest_backends($mon), 5, '4 user workers and a recorder before the crash');
my $log_offset = -s $node->logfile;
$mon->quit;

# ---------------------------------------------------------------------
# crash: immediate shutdown, then start again
# ---------------------------------------------------------------------
$node->stop('immediate');
my $rc = finish_client($client, 30);
ok(defined $rc && $rc != 0, 'the client lost its server');
like(
	$client->{stderr},
	qr/server closed the connection unexpectedly|terminating connection|connection to server was lost/,
	'the client was told the connection was lost');
unlike($client->{stdout}, qr/^\d+$/m, 'the call returned no run id');
$node->start;

# The crash is in the log as an immediate shutdown and a recovery, and
# nothing else went wrong around it.
my $crash_log = substr(slurp_file($node->logfile), $log_offset);
like($crash_log, qr/received immediate shutdown request/,
	'the log shows the immediate shutdown');
like(
	$crash_log,
	qr/database system was (interrupted|not properly shut down)/,
	'the log shows the recovery after it');

$mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

is(loadtest_backends($mon), 0, 'no loadtest process after the restart');
is( $mon->query_safe(
		"SELECT status, started_at < pg_postmaster_start_time() FROM loadtest.runs WHERE run_id = $run_id"
	),
	'running|t',
	'right after the restart the run is still marked running, started before the server');

# What was committed before the crash survived it, and is whole.
my $samples = $mon->query_safe(
	"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id");
cmp_ok($samples, '>', 0, 'samples flushed before the crash are there');
cmp_ok($samples, '>=', $samples_seen,
	'every sample seen committed before the crash survived it');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.samples
		 WHERE run_id = $run_id
		   AND NOT (user_no BETWEEN 1 AND 4 AND op_no >= 1
		            AND start_us >= 0 AND latency_us >= 0
		            AND pattern IS NOT NULL AND operation IS NOT NULL AND success IS NOT NULL
		            AND (success = (sqlstate IS NULL))
		            AND (success = (message IS NULL)))"),
	0,
	'every sample row is complete and consistent');
is( $mon->query_safe(
		"SELECT count(*) FROM (SELECT user_no, count(*) AS n, min(op_no) AS lo, max(op_no) AS hi
		                       FROM loadtest.samples WHERE run_id = $run_id GROUP BY user_no) s
		 WHERE NOT (lo = 1 AND hi = n)"),
	0,
	"each user's surviving samples are op_no 1..n without gaps");
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND NOT success"),
	0,
	'no operation failed before the crash');

# ---------------------------------------------------------------------
# the report closes the run
# ---------------------------------------------------------------------
my $report = $mon->query_safe("SELECT loadtest_report($run_id)");
like(
	$report,
	qr/LOAD TEST REPORT - run $run_id \(aborted\)/,
	'the report of the crashed run works and says it was aborted');
like(
	$report,
	qr/status: aborted, the server restarted during the run/,
	'the report says why');
is( $mon->query_safe(
		"SELECT status || '|' || coalesce(message, '') FROM loadtest.runs WHERE run_id = $run_id"
	),
	'aborted|the server restarted during the run',
	'the run is recorded as aborted by the restart');
is($mon->query_safe('SELECT loadtest_mark_stale_runs()'),
	0, 'loadtest_mark_stale_runs() has nothing more to mark');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	$samples,
	'closing the run kept its samples');

# loadtest_mark_stale_runs() marks what is 'running' since before the
# server started, and nothing else: a made-up run 'running' since before
# the restart is marked, one started since (with a live process as its
# recorder) is not.
$mon->query_safe(
	"INSERT INTO loadtest.runs (run_id, users, ops_per_user, pattern, think_time_ms, ramp_up_s,
	                            workers, seed, environment, started_at, recorder_pid)
	 VALUES (-1, 1, 1, 'mixed', 0, 0, 1, 0, 'development', pg_postmaster_start_time() - interval '1 second', NULL),
	        (-2, 1, 1, 'mixed', 0, 0, 1, 0, 'development', clock_timestamp(), pg_backend_pid())");
is($mon->query_safe('SELECT loadtest_mark_stale_runs()'),
	1, 'loadtest_mark_stale_runs() marks one of the two made-up runs');
is( $mon->query_safe(
		"SELECT string_agg(run_id || ':' || status, ',' ORDER BY run_id) FROM loadtest.runs WHERE run_id < 0"
	),
	'-2:running,-1:aborted',
	'it marked the one from before the restart, not the one since');
$mon->query_safe('DELETE FROM loadtest.runs WHERE run_id < 0');

# ---------------------------------------------------------------------
# nothing left over blocks the next run
# ---------------------------------------------------------------------
# (the logical replication launcher, which takes a slot, may still be
# starting)
ok( defined poll_until(
		sub {
			$mon->query_safe('SELECT loadtest_free_worker_slots()') == $free_slots;
		},
		5),
	'every worker slot is free after the restart');
my $next = $mon->query_safe(
	"SELECT loadtest_run(users => 3, ops => 40, pattern => 'mixed', think_time_ms => 0, ramp_up_s => 0)"
);
cmp_ok($next, '>', $run_id, 'a new run gets a new run id');
is( $mon->query_safe(
		"SELECT status || '|' || users_lost || '|' || ops_not_done
		        || '|' || (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		        || '|' || (SELECT count(*) FROM loadtest.run_users u WHERE u.run_id = r.run_id AND ops_done = 40)
		 FROM loadtest.runs r WHERE run_id = $next"),
	'completed|0|0|120|3',
	'the new run completes with users x ops samples');
is( $mon->query_safe(
		"SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'aborted', 'the crashed run stays aborted');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 5),
	'no loadtest backend remains');

$mon->quit;
finish_and_check_log($node);

done_testing();
