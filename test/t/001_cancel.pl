
# Stopping a run from the outside: cancelling the call (pg_cancel_backend,
# statement_timeout) and terminating the session that started it.  In every
# case the run's processes go away promptly, the run's record says how it
# ended, and every attempted operation is accounted for.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('cancel');

# A session of its own to watch the runs: one query per poll, so each sees
# fresh pg_stat_activity and table contents.
my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

# The session that runs loadtest_run(); it goes on after an error.
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $bg_pid = $bg->query_safe('SELECT pg_backend_pid()');

# A session that holds locks the runs' processes wait for.
my $locker = $node->background_psql('postgres');

my $free_slots = $mon->query_safe('SELECT loadtest_free_worker_slots()');
cmp_ok($free_slots, '>=', 5,
	'enough free worker slots for 4 users and a recorder');

sub last_run_id
{
	return $mon->query_safe(
		'SELECT coalesce(max(run_id), 0) FROM loadtest.runs');
}

# Wait until the run after $before exists and $users of its users have
# recorded samples; returns its run id.
sub wait_for_samples
{
	my ($before, $users) = @_;
	my $run_id = '';
	my $ok = poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1"
			);
			return 0 if $run_id eq '';
			return $mon->query_safe(
				"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"
			) >= $users;
		},
		60);
	ok(defined $ok, "run $run_id: $users users recorded samples");
	return $run_id;
}

# Start a run in $bg; returns its run id once $with_samples of its users
# (all by default) have recorded samples.
sub start_run
{
	my ($args, $with_samples) = @_;
	my $before = last_run_id();
	my ($users) = $args =~ /users => (\d+)/;

	$bg->query_until(qr/starting after $before/,
		"\\echo starting after $before\nSELECT loadtest_run($args);\n");
	return wait_for_samples($before, $with_samples // $users);
}

# Wait until no process of any run is left; $limit seconds after $t0.
sub check_gone
{
	my ($t0, $limit, $what) = @_;
	my $took = poll_until(sub { loadtest_backends($mon) == 0 }, 10, 0.05, $t0);

	ok(defined $took && $took <= $limit,
		"$what: no loadtest backend left within $limit s")
	  or diag('took ' . ($took // 'more than 10') . ' s');
	note sprintf('%s: workers gone after %.3f s', $what, $took // -1);
	return;
}

# Cancel the call running in $bg: the run's processes are gone within 1 s,
# the call fails with the cancel error, the session goes on, and the run is
# recorded as cancelled.
sub cancel_run
{
	my ($run_id, $what) = @_;
	my $t0 = time;

	is($mon->query_safe("SELECT pg_cancel_backend($bg_pid)"),
		't', "$what: cancel sent");
	check_gone($t0, 1.0, $what);
	ok( pump_until(
			$bg->{run}, $bg->{timeout},
			\$bg->{stderr}, qr/canceling statement due to user request/),
		"$what: the call failed with \"canceling statement due to user request\""
	);
	$bg->{stderr} = '';
	is($bg->query_safe('SELECT 42'), '42', "$what: the session goes on");
	is( $mon->query_safe(
			"SELECT status || '|' || coalesce(message, '') FROM loadtest.runs WHERE run_id = $run_id"
		),
		'cancelled|the call that started the run was cancelled',
		"$what: run is recorded as cancelled");
	return;
}

# Every attempt is a sample: per user, op_no runs 1..ops_done without gaps.
sub check_accounting
{
	my ($run_id, $users, $what) = @_;
	my ($samples, $ops_done, $nusers) = split /\|/, $mon->query_safe(
		"SELECT (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id),
		        (SELECT coalesce(sum(ops_done), 0) FROM loadtest.run_users WHERE run_id = $run_id),
		        (SELECT count(*) FROM loadtest.run_users WHERE run_id = $run_id)");
	is($nusers, $users, "$what: a run_users row per user");
	cmp_ok($samples, '>', 0, "$what: samples were recorded");
	is($samples, $ops_done, "$what: samples = sum(run_users.ops_done)");
	is( $mon->query_safe(
			"SELECT count(*) FROM loadtest.run_users u
			 LEFT JOIN (SELECT user_no, count(*) AS n, min(op_no) AS lo, max(op_no) AS hi
			            FROM loadtest.samples WHERE run_id = $run_id GROUP BY user_no) s
			        USING (user_no)
			 WHERE u.run_id = $run_id
			   AND NOT (coalesce(s.n, 0) = u.ops_done AND coalesce(s.hi, 0) = u.ops_done
			            AND coalesce(s.lo, 1) = 1)"),
		0,
		"$what: each user's op_no is 1..ops_done without gaps");
	is( $mon->query_safe(
			"SELECT count(*) FROM loadtest.run_users WHERE run_id = $run_id AND lost"),
		0,
		"$what: no user counted as lost");
	return;
}

# ---------------------------------------------------------------------
# pg_cancel_backend() of the session running loadtest_run()
# ---------------------------------------------------------------------
my $run_id =
  start_run('users => 4, ops => 1000000, think_time_ms => 0, ramp_up_s => 0');
is( $mon->query_safe(
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user'"),
	4,
	'4 user workers while the run goes on');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity a JOIN loadtest.operations o ON o.operation::text = a.query
				 WHERE a.backend_type = 'loadtest user' AND a.state = 'active'"
			) == 4;
		},
		10),
	'pg_stat_activity: each user worker is active, its query the operation it runs');
cancel_run($run_id, 'cancelled run');
cmp_ok(
	$mon->query_safe(
		"SELECT sum(ops_done) FROM loadtest.run_users WHERE run_id = $run_id"),
	'<', 4 * 1000000, 'the cancelled run did not do all its operations');
check_accounting($run_id, 4, 'cancelled run');

# ---------------------------------------------------------------------
# pg_stat_activity shows a user that thinks as idle
# ---------------------------------------------------------------------
$run_id =
  start_run('users => 1, ops => 1000000, think_time_ms => 3000, ramp_up_s => 0');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity a JOIN loadtest.operations o ON o.operation::text = a.query
				 WHERE a.backend_type = 'loadtest user' AND a.state = 'idle'"
			) == 1;
		},
		10),
	'pg_stat_activity: a user worker waiting out its think time is idle, its query the last operation');
cancel_run($run_id, 'thinking user');
check_accounting($run_id, 1, 'thinking user');

# ---------------------------------------------------------------------
# cancelled during the ramp-up: the users still waiting to start stop too
# ---------------------------------------------------------------------
# user n starts at (n - 1) x 15 s: only user 1 starts before the cancel
$run_id = start_run(
	'users => 4, ops => 1000000, think_time_ms => 0, ramp_up_s => 60', 1);
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user'"
			) == 1;
		},
		10),
	'ramp-up: the worker of user 1 is there');
sleep 0.5;
is( $mon->query_safe(
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user'"),
	1,
	'ramp-up: the workers of the users not due yet have not started (they start shortly before their users are due)');
{
	is( $mon->query_safe(
			"SELECT string_agg(DISTINCT c.relname, ',') FROM pg_locks l
			 JOIN pg_class c ON c.oid = l.relation
			 JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE l.pid = $bg_pid AND n.nspname = 'membership'"),
		'',
		'ramp-up: the calling session holds no lock on the workload tables');
}
cancel_run($run_id, 'ramp-up');
is( $mon->query_safe(
		"SELECT string_agg(user_no::text, ',' ORDER BY user_no) FROM loadtest.run_users
		 WHERE run_id = $run_id AND ops_done = 0"),
	'2,3,4',
	'ramp-up: the users not due yet did nothing');
check_accounting($run_id, 4, 'ramp-up');

# ---------------------------------------------------------------------
# cancelled while every user waits for a lock: the operations in flight
# are cancelled, and recorded as such
# ---------------------------------------------------------------------
# (SHARE mode blocks the users' inserts, and nothing else: the calling
# transaction holds AccessShareLock on the tables it read, see below.)
$run_id = start_run(
	"users => 3, ops => 1000000, pattern => 'create_organization_contact', think_time_ms => 0, ramp_up_s => 0"
);
$locker->query_safe(
	'BEGIN; LOCK TABLE membership.organization_contacts IN SHARE MODE');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity
				 WHERE backend_type = 'loadtest user' AND wait_event_type = 'Lock'"
			) == 3;
		},
		30),
	'lock wait: all 3 users wait for the lock');
cancel_run($run_id, 'lock wait');
$locker->query_safe('ROLLBACK');
is( $mon->query_safe(
		"SELECT count(*) FILTER (WHERE NOT success),
		        count(*) FILTER (WHERE sqlstate = '57014'
		                         AND message = 'canceling statement due to user request'),
		        count(DISTINCT user_no) FILTER (WHERE sqlstate = '57014')
		 FROM loadtest.samples WHERE run_id = $run_id"),
	'3|3|3',
	'lock wait: each user\'s waiting operation failed with 57014, nothing else failed'
);
check_accounting($run_id, 3, 'lock wait');

# ---------------------------------------------------------------------
# statement_timeout on the call
# ---------------------------------------------------------------------
my $before = last_run_id();
$bg->query(
	"SET statement_timeout = '1500ms';\nSELECT loadtest_run(users => 2, ops => 1000000, think_time_ms => 1, ramp_up_s => 0)"
);
my $t0 = time;
like(
	$bg->{stderr},
	qr/canceling statement due to statement timeout/,
	'statement_timeout cancels the call');
$bg->{stderr} = '';
$bg->query_safe('RESET statement_timeout');
check_gone($t0, 1.0, 'timed-out run');

$run_id = $mon->query_safe(
	"SELECT string_agg(run_id::text, ',') FROM loadtest.runs WHERE run_id > $before"
);
like($run_id, qr/^\d+$/, 'the timed-out call created one run');
is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'cancelled', 'timed-out run is recorded as cancelled');
check_accounting($run_id, 2, 'timed-out run');

# ---------------------------------------------------------------------
# cancelled while the recorder is still starting: it waits here for a lock
# on loadtest.runs, so no user has started yet.  The cancel interrupts the
# recorder's wait too: every process is gone within a second although the
# lock is still held, and the run, which never started, leaves no row.
# ---------------------------------------------------------------------
$before = last_run_id();
$locker->query_safe('BEGIN; LOCK TABLE loadtest.runs IN SHARE MODE');
$bg->query_until(qr/starting the blocked run/,
	"\\echo starting the blocked run\nSELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0);\n"
);
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity
				 WHERE backend_type = 'loadtest recorder' AND wait_event_type = 'Lock'"
			) == 1;
		},
		30),
	'starting: the recorder waits for its lock');
$t0 = time;
is($mon->query_safe("SELECT pg_cancel_backend($bg_pid)"),
	't', 'starting: cancel sent');
check_gone($t0, 1.0, 'starting (the lock still held)');
ok( pump_until(
		$bg->{run}, $bg->{timeout},
		\$bg->{stderr}, qr/canceling statement due to user request/),
	'starting: the call failed with "canceling statement due to user request"');
$bg->{stderr} = '';
$locker->query_safe('COMMIT');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.runs WHERE run_id > $before"),
	0,
	'starting: the run that never started left no row');

# ---------------------------------------------------------------------
# a small run afterwards completes normally
# ---------------------------------------------------------------------
$run_id = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 3, ops => 20, think_time_ms => 0, ramp_up_s => 0)'
);
is( $mon->query_safe(
		"SELECT status || '|' || users_lost || '|' || ops_not_done FROM loadtest.runs WHERE run_id = $run_id"
	),
	'completed|0|0',
	'a run after the cancelled ones completes');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	60, 'it recorded users x ops samples');
check_accounting($run_id, 3, 'completed run');

# ---------------------------------------------------------------------
# pg_terminate_backend() of the session running loadtest_run()
# ---------------------------------------------------------------------
$run_id =
  start_run('users => 4, ops => 1000000, think_time_ms => 5, ramp_up_s => 0');
$t0 = time;
is($mon->query_safe("SELECT pg_terminate_backend($bg_pid)"),
	't', 'terminate sent');
check_gone($t0, 2.0, 'terminated session');

ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT status FROM loadtest.runs WHERE run_id = $run_id") eq
			  'aborted';
		},
		5),
	'run is recorded as aborted');
is( $mon->query_safe(
		"SELECT message FROM loadtest.runs WHERE run_id = $run_id"),
	'the session that started the run ended',
	'aborted run says why');
check_accounting($run_id, 4, 'aborted run');

# psql loses its connection and exits
eval { $bg->{run}->finish; };
like(
	$bg->{stderr},
	qr/terminating connection due to administrator command/,
	'the session was terminated');

# (PostgreSQL 15 does not clear PGPROC.pid when a process exits: a count
# of slots in use by pid would drop here by the peak number of workers.)
# (A process leaves pg_stat_activity a moment before its slot is free.)
ok( defined poll_until(
		sub {
			$mon->query_safe('SELECT loadtest_free_worker_slots()') == $free_slots;
		},
		5),
	'every worker slot is free again');
# and a run may take them all
$run_id = $mon->query_safe(
	'SELECT loadtest_run(users => ' . ($free_slots - 1)
	  . ', ops => 2, think_time_ms => 0, ramp_up_s => 0)');
is( $mon->query_safe(
		"SELECT status || '|' || (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|' . 2 * ($free_slots - 1),
	'a run using every free worker slot completes');

$locker->quit;
$mon->quit;
finish_and_check_log($node);

done_testing();
