
# Clear errors when a run cannot be recorded, or what it runs as goes away
# under it (src/recorder.c: recorder_record_end, recorder_watch):
#   - its row in loadtest.runs is removed (TRUNCATE) during the run;
#   - DROP EXTENSION loadtest during the run: the run is stopped first;
#   - the role that started the run is dropped during the run;
#   - the role's statement_timeout applies to the simulated users;
#   - a cancel while loadtest.samples is locked by another session: the
#     processes do not wait for the lock, and the run says what it lost.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('errors');

# one query per poll: each sees fresh pg_stat_activity and table contents
my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

# Wait for the run after $before to exist (with samples unless $no_samples:
# loadtest.samples may be locked); returns its run id.
sub wait_for_run
{
	my ($before, $what, $no_samples) = @_;
	my $run_id = '';
	my $ok = poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT coalesce(min(run_id), 0) FROM loadtest.runs WHERE run_id > $before");
			return 0 if $run_id == 0;
			return 1 if $no_samples;
			return $mon->query_safe(
				"SELECT count(*) > 0 FROM loadtest.samples WHERE run_id = $run_id") eq 't';
		},
		30);
	ok(defined $ok, "$what: run $run_id started");
	return $run_id;
}

# No process of any run is left within $limit s of $t0.
sub check_gone
{
	my ($t0, $limit, $what) = @_;
	my $took = poll_until(sub { loadtest_backends($mon) == 0 }, 15, 0.02, $t0);

	ok(defined $took && $took <= $limit, "$what: no loadtest process left within $limit s")
	  or diag('took ' . ($took // 'more than 15') . ' s');
	note sprintf('%s: every loadtest process gone %.3f s after %s', $what, $took // -1,
		'the event');
	return $took;
}

# ---------------------------------------------------------------------
# TRUNCATE loadtest.runs CASCADE during a run
# ---------------------------------------------------------------------
my $before = newest_run_id($mon);
my $client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, ops => 1, duration => '3 s', think_time_ms => 10, ramp_up_s => 0)"
);
my $run_id = wait_for_run($before, 'truncated');
$node->safe_psql('postgres', 'TRUNCATE loadtest.runs CASCADE');
is(finish_client($client, 30), 0, 'truncated: the call returns');
like(
	$client->{stderr},
	qr/WARNING:  load test run $run_id ended, but its end could not be recorded: the run's row in loadtest.runs was removed during the run/,
	'truncated: the call warns that the end could not be recorded, and why');
like($client->{stdout}, qr/^$run_id\n?$/, 'truncated: the call returns the run id');
is( $mon->query_safe(
		"SELECT (SELECT count(*) FROM loadtest.runs WHERE run_id = $run_id) + (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id) + (SELECT count(*) FROM loadtest.run_users WHERE run_id = $run_id)"
	),
	0,
	'truncated: nothing of the run remains (no samples written after the TRUNCATE)');
is(loadtest_backends($mon), 0, 'truncated: no loadtest process left');

# ---------------------------------------------------------------------
# DROP EXTENSION by a role that may not drop it waits for the run's lock
# before PostgreSQL checks its ownership: that must not stop the run
# ---------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE ROLE not_owner LOGIN');
$before = newest_run_id($mon);
$client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, ops => 1, duration => '5 s', think_time_ms => 10, ramp_up_s => 0)"
);
$run_id = wait_for_run($before, 'not the owner');
my $dropper = start_client($node, 'postgres',
	"SET lock_timeout = '3500ms';\nDROP EXTENSION loadtest;",
	extra_params => [ '-U', 'not_owner' ]);
ok( defined poll_until(
		sub {
			$mon->query_safe(
				q{SELECT count(*) FROM pg_locks
				   WHERE locktype = 'object' AND classid = 'pg_extension'::regclass AND NOT granted}) == 1;
		},
		10),
	'not the owner: the DROP EXTENSION waits for the run');
# another run starts meanwhile: its recorder does not queue behind that DROP
my $t1 = time;
my $second = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 5, think_time_ms => 0, ramp_up_s => 0)");
my $second_took = time - $t1;
note sprintf('not the owner: a second run took %.3f s while the DROP waited', $second_took);
is( $mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $second"),
	'completed', 'not the owner: a run started while the DROP waits completes');
cmp_ok($second_took, '<', 3.0, '... without waiting behind the DROP');
finish_client($dropper, 30);
like($dropper->{stderr}, qr/canceling statement due to lock timeout|must be owner of extension/,
	'not the owner: the DROP EXTENSION waits, then fails');
is(finish_client($client, 30), 0, 'not the owner: the call returns');
is( $mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'completed', 'not the owner: the run was not stopped, it completed');
$node->safe_psql('postgres', 'DROP ROLE not_owner');

# ---------------------------------------------------------------------
# DROP EXTENSION loadtest during a run: the run is stopped first
# ---------------------------------------------------------------------
$before = newest_run_id($mon);
$client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, ops => 1, duration => '30 s', think_time_ms => 10, ramp_up_s => 0)"
);
$run_id = wait_for_run($before, 'drop extension');
my $t0 = time;
$node->safe_psql('postgres', 'DROP EXTENSION loadtest');
my $took = time - $t0;
note sprintf('drop extension: DROP EXTENSION took %.3f s', $took);
cmp_ok($took, '<', 2.5, 'drop extension: DROP EXTENSION succeeds within 2.5 s');
is(finish_client($client, 10), 0, 'drop extension: the call returns');
like(
	$client->{stderr},
	qr/WARNING:  load test run $run_id aborted: DROP EXTENSION loadtest was waiting: the run was stopped so that it could go ahead/,
	'drop extension: the call warns that the run was aborted for DROP EXTENSION');
check_gone($t0, 2.5, 'drop extension');
$node->safe_psql('postgres', 'CREATE EXTENSION loadtest');
$node->safe_psql('postgres', 'SELECT loadtest_seed(2000)');
$run_id = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 2, ops => 3, think_time_ms => 0, ramp_up_s => 0)');
is( $node->safe_psql(
		'postgres',
		"SELECT status || '|' || (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id) FROM loadtest.runs r WHERE run_id = $run_id"
	),
	'completed|6',
	'drop extension: created again, a run completes');

# ---------------------------------------------------------------------
# DROP ROLE of the role that started the run
# ---------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
	CREATE ROLE temp_op LOGIN;
	SELECT loadtest_grant_operator('temp_op');
});
$before = newest_run_id($mon);
$client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, ops => 1, duration => '20 s', think_time_ms => 10, ramp_up_s => 0)",
	extra_params => [ '-U', 'temp_op' ]);
$run_id = wait_for_run($before, 'dropped role');
$node->safe_psql(
	'postgres', q{
	SELECT loadtest_revoke_operator('temp_op');
	DROP OWNED BY temp_op;
	DROP ROLE temp_op;
});
$t0 = time;
check_gone($t0, 2.5, 'dropped role');
is( $mon->query_safe(
		"SELECT status || '|' || message || '|' || role_name FROM loadtest.runs WHERE run_id = $run_id"),
	'failed|the role that started the run was dropped during the run|temp_op',
	'dropped role: the run failed, and says why');
is(finish_client($client, 10), 0, 'dropped role: the call returns');
like(
	$client->{stderr},
	qr/WARNING:  load test run $run_id failed: the role that started the run was dropped during the run/,
	'dropped role: the call warns that the role was dropped');
cmp_ok(
	$mon->query_safe("SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	'>', 0, 'dropped role: the run\'s samples were kept');

# ---------------------------------------------------------------------
# ALTER ROLE ... SET statement_timeout applies to the simulated users
# ---------------------------------------------------------------------
# Two arrivals, at 2 s and 2.71 s (a stage at rate 0, then one from 0 to
# 4/s over 1 s): the worker has prepared its statements and waits for the
# first when the lock is taken, so only the operations wait for it.
$node->safe_psql(
	'postgres', q{
	CREATE ROLE bob LOGIN;
	SELECT loadtest_grant_operator('bob');
	ALTER ROLE bob SET statement_timeout = '50ms';
	CREATE ROLE carol LOGIN;
	SELECT loadtest_grant_operator('carol');
});
my $locker = $node->background_psql('postgres');
my $two_arrivals =
  q{SELECT loadtest_run(users => 1, pattern => 'read_member_detail', stages => '[{"rate": 0, "duration": "2 s"}, {"rate": 4, "duration": "1 s"}]')};

sub start_locked_run
{
	my ($role, $what) = @_;
	my $before = newest_run_id($mon);
	# the call itself must not time out: the session's own setting
	my $c = start_client($node, 'postgres', 'SET statement_timeout = 0',
		extra_params => [ '-U', $role, '-c', $two_arrivals ]);
	my $run_id = wait_for_run($before, $what, 1);
	ok( defined poll_until(
			sub {
				$mon->query_safe(
					"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user' AND state = 'idle'"
				) == 1;
			},
			10),
		"$what: the user's worker is ready and waits for its first arrival");
	$locker->query_safe('BEGIN; LOCK TABLE membership.members IN ACCESS EXCLUSIVE MODE');
	my $locked_at = time;
	my $elapsed = $mon->query_safe(
		"SELECT extract(epoch FROM clock_timestamp() - started_at) FROM loadtest.runs WHERE run_id = $run_id");
	note sprintf('%s: members locked %.3f s into the run', $what, $elapsed);
	return ($c, $run_id, $locked_at);
}

# bob: both operations time out while the lock is held
($client, $run_id, my $locked_at) = start_locked_run('bob', 'bob');
is(finish_client($client, 15), 0, 'bob: the call returns while members is still locked');
$took = time - $locked_at;
$locker->query_safe('ROLLBACK');
note sprintf('bob: the call returned %.3f s after the lock was taken', $took);
is( $mon->query_safe(
		"SELECT count(*), count(*) FILTER (WHERE NOT success AND sqlstate = '57014'
		                                   AND message = 'canceling statement due to statement timeout'),
		        count(*) FILTER (WHERE latency_us BETWEEN 40000 AND 1000000)
		 FROM loadtest.samples WHERE run_id = $run_id"),
	'2|2|2',
	'bob: both operations failed with 57014 (statement timeout) after about 50 ms');
note 'bob: latencies (us) '
  . $mon->query_safe(
	"SELECT string_agg(latency_us::text, ', ' ORDER BY op_no) FROM loadtest.samples WHERE run_id = $run_id");
is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'completed', 'bob: the run completed');

# carol: no timeout; the first operation waits for the lock, then both succeed
($client, $run_id, $locked_at) = start_locked_run('carol', 'carol');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user' AND wait_event_type = 'Lock'"
			) == 1;
		},
		10),
	'carol: the operation waits for the lock');
sleep 0.4;
$locker->query_safe('ROLLBACK');
is(finish_client($client, 15), 0, 'carol: the call returns');
is( $mon->query_safe(
		"SELECT count(*), count(*) FILTER (WHERE success),
		        count(*) FILTER (WHERE op_no = 1 AND latency_us >= 300000)
		 FROM loadtest.samples WHERE run_id = $run_id"),
	'2|2|1',
	'carol: both operations succeeded, the first after waiting for the lock');
$locker->quit;

# ---------------------------------------------------------------------
# cancel while loadtest.samples is locked by another session
# ---------------------------------------------------------------------
$locker = $node->background_psql('postgres');
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $bg_pid = $bg->query_safe('SELECT pg_backend_pid()');
$before = newest_run_id($mon);
$bg->query_until(qr/starting/,
	"\\echo starting\nSELECT loadtest_run(users => 2, ops => 1, duration => '30 s', think_time_ms => 1, ramp_up_s => 0);\n"
);
$run_id = wait_for_run($before, 'samples locked', 1);
poll_until(
	sub {
		$mon->query_safe(
			"SELECT extract(epoch FROM clock_timestamp() - started_at) >= 1 FROM loadtest.runs WHERE run_id = $run_id"
		) eq 't';
	},
	10);
$locker->query_safe('BEGIN; LOCK TABLE loadtest.samples IN ACCESS EXCLUSIVE MODE');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest recorder' AND wait_event_type = 'Lock'"
			) == 1;
		},
		10),
	'samples locked: the recorder waits for the lock');
sleep 0.5;
$t0 = time;
is($mon->query_safe("SELECT pg_cancel_backend($bg_pid)"), 't', 'samples locked: cancel sent');
check_gone($t0, 1.5, 'samples locked (the lock still held)');
ok( pump_until(
		$bg->{run}, $bg->{timeout},
		\$bg->{stderr}, qr/canceling statement due to user request/),
	'samples locked: the call failed with "canceling statement due to user request"');
my ($status, $lost, $message) = split /\|/, $mon->query_safe(
	"SELECT status, samples_lost, message FROM loadtest.runs WHERE run_id = $run_id");
is($status, 'cancelled', 'samples locked: the run is recorded as cancelled');
cmp_ok($lost, '>', 0, 'samples locked: runs.samples_lost counts the samples not recorded');
like(
	$message,
	qr/^the call that started the run was cancelled; $lost attempted operations could not be recorded$/,
	'samples locked: the message says how many attempted operations could not be recorded');
note "samples locked: $message";
is($locker->query_safe('SELECT 1'), '1', 'samples locked: the lock was held all along');
$locker->query_safe('ROLLBACK');
is( $mon->query_safe(
		"SELECT (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id) + $lost
		      = (SELECT sum(ops_done) FROM loadtest.run_users WHERE run_id = $run_id)"),
	't',
	'samples locked: recorded samples + samples_lost = the operations done');

# ---------------------------------------------------------------------
# The client is killed while the run's recorder still starts (it waits for
# a lock on the workload): the session notices within a second or two, as
# during the run, and every process of the run is gone although the lock
# is still held
# ---------------------------------------------------------------------
$locker->query_safe('BEGIN; LOCK TABLE membership.members IN ACCESS EXCLUSIVE MODE');
$client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0)");
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity
				  WHERE backend_type = 'loadtest recorder' AND wait_event_type = 'Lock'") == 1;
		},
		30),
	'client killed while starting: the recorder waits for its lock');
my $t2 = time;
$client->{h}->signal('KILL');
finish_client($client, 10);
my $gone = poll_until(
	sub {
		$mon->query_safe(
			q{SELECT count(*) FROM pg_stat_activity
			   WHERE backend_type LIKE 'loadtest%' OR query LIKE 'SELECT loadtest_run(users => 2, ops => 10,%'}) == 0;
	},
	15, 0.05, $t2);
note sprintf('client killed while starting: all gone after %.3f s', $gone // -1);
ok(defined $gone && $gone <= 3.0,
	'client killed while starting: the session and the run are gone within 3 s, the lock still held');
is($locker->query_safe('SELECT 1'), '1', 'client killed while starting: the lock was held all along');
$locker->query_safe('ROLLBACK');

$bg->quit;
$locker->quit;
$mon->quit;

finish_and_check_log($node);

done_testing();
