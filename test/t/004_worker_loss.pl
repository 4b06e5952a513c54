
# A run's own processes going away: a user worker terminated mid-run loses
# its user while the run goes on; a terminated recorder stops the run, and
# loadtest_mark_stale_runs() closes its record.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use LoadtestCheck;

my $node = new_loadtest_node('loss');

my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;
my $bg = $node->background_psql('postgres', on_error_stop => 0);

# Start a run in $bg and wait until all its users have samples.
sub start_run
{
	my ($users, $args) = @_;
	my $before =
	  $mon->query_safe('SELECT coalesce(max(run_id), 0) FROM loadtest.runs');
	my $run_id = '';

	$bg->query_until(qr/starting after $before/,
		"\\echo starting after $before\nSELECT loadtest_run(users => $users, $args);\n"
	);
	my $ok = poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1"
			);
			return $run_id ne ''
			  && $mon->query_safe(
				"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"
			  ) == $users;
		},
		60);
	ok(defined $ok, "run $run_id: all $users users recorded samples");
	return $run_id;
}

# ---------------------------------------------------------------------
# a user worker is terminated: its user is lost, the others finish
# ---------------------------------------------------------------------
my $run_id = start_run(3,
	"ops => 150, pattern => 'read_heavy', think_time_ms => 20, ramp_up_s => 0");
my $victim = $mon->query_safe(
	"SELECT pid FROM pg_stat_activity WHERE application_name = 'loadtest run $run_id worker 2'"
);
like($victim, qr/^\d+$/, 'found the worker of user 2');
is($mon->query_safe("SELECT pg_terminate_backend($victim)"),
	't', 'terminated the worker of user 2');

# the call goes on to the end, returns the run id and warns of the loss
my @out = split /\n/, $bg->query('SELECT 1');
is($out[0], $run_id, 'the run with a lost user still returns its run id');
like(
	$bg->{stderr},
	qr/WARNING:  load test run $run_id completed, but 1 of 3 users were lost/,
	'the call warns that a user was lost');
$bg->{stderr} = '';
is( $mon->query_safe(
		"SELECT status, users_lost, ops_not_done = 150 - (SELECT ops_done FROM loadtest.run_users u
		                                                  WHERE u.run_id = r.run_id AND user_no = 2)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|1|t',
	'the run records one user lost, and the operations it did not do');
is( $mon->query_safe(
		"SELECT string_agg(user_no || ':' || lost || ':' || (ops_done = ops_planned), ',' ORDER BY user_no)
		 FROM loadtest.run_users WHERE run_id = $run_id"),
	'1:false:true,2:true:false,3:false:true',
	'user 2 is lost before its end; users 1 and 3 did all their operations');
is( $mon->query_safe(
		"SELECT (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id)
		      = (SELECT sum(ops_done) FROM loadtest.run_users WHERE run_id = $run_id)"),
	't',
	'samples = sum(ops_done): what the lost user did is recorded');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.run_users u
		 JOIN (SELECT user_no, count(*) AS n, max(op_no) AS hi FROM loadtest.samples
		       WHERE run_id = $run_id GROUP BY user_no) s USING (user_no)
		 WHERE u.run_id = $run_id AND (s.n <> u.ops_done OR s.hi <> u.ops_done)"),
	0,
	'each user\'s op_no is 1..ops_done without gaps');

# ---------------------------------------------------------------------
# the recorder is terminated: the run stops, the call returns with a
# warning, and the run stays 'running' until loadtest_mark_stale_runs()
# ---------------------------------------------------------------------
$run_id = start_run(2,
	'ops => 1000000, think_time_ms => 5, ramp_up_s => 0');
my $recorder = $mon->query_safe(
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'loadtest recorder'");
like($recorder, qr/^\d+$/, 'found the recorder');
is($mon->query_safe("SELECT recorder_pid FROM loadtest.runs WHERE run_id = $run_id"),
	$recorder, 'runs.recorder_pid is the recorder');
my $t0 = time;
is($mon->query_safe("SELECT pg_terminate_backend($recorder)"),
	't', 'terminated the recorder');
my $took = poll_until(sub { loadtest_backends($mon) == 0 }, 10, 0.05, $t0);
ok(defined $took && $took <= 2.0,
	'no loadtest backend left within 2 s of the termination')
  or diag('took ' . ($took // 'more than 10') . ' s');

@out = split /\n/, $bg->query('SELECT 1');
is($out[0], $run_id, 'the call returns the run id');
like(
	$bg->{stderr},
	qr/WARNING:  load test run $run_id ended abnormally: the run's recorder exited/,
	'the call warns that the run ended abnormally');
$bg->{stderr} = '';

is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'running', 'nobody closed the run');
is($mon->query_safe('SELECT loadtest_mark_stale_runs()'),
	1, 'loadtest_mark_stale_runs() closes it');
is( $mon->query_safe(
		"SELECT status || '|' || message FROM loadtest.runs WHERE run_id = $run_id"),
	"aborted|the run's recorder process is gone",
	'the run is recorded as aborted, recorder gone');

# a run afterwards is fine
$run_id = $bg->query_safe(
	'SELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0)');
is( $mon->query_safe(
		"SELECT status || '|' || (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|20',
	'a run afterwards completes');

$bg->quit;
$mon->quit;
finish_and_check_log($node);

done_testing();
