
# Runs in the background (1.6): loadtest_start() returns the run id at once
# and a launcher worker owns the run, so the calling session may leave;
# loadtest.progress shows it live; loadtest_wait() follows it to its end;
# loadtest_cancel() stops it (a role its own runs, a superuser any), every
# process gone within a second; a refused run leaves nothing behind; a
# server restart marks it aborted.  Also loadtest_scenario()'s overrides.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('background', conf => "max_worker_processes = 72\n");
my $mon = $node->background_psql('postgres');

$node->safe_psql(
	'postgres', q{
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
SELECT loadtest_grant_operator('alice');
SELECT loadtest_grant_operator('bob');
});
my @alice = (extra_params => [ '-U', 'alice' ]);
my @bob = (extra_params => [ '-U', 'bob' ]);

sub run_row
{
	my ($run_id, $columns) = @_;
	return $mon->query_safe("SELECT $columns FROM loadtest.runs WHERE run_id = $run_id");
}

sub processes
{
	return loadtest_backends($mon);
}

# --- start, progress, wait ------------------------------------------------
my $t0 = time;
my $run = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 4, ops => 400, think_time_ms => 10, ramp_up_s => 1)");
my $start_s = time - $t0;
like($run, qr/^\d+$/, "loadtest_start returns the run id ($run)");
cmp_ok($start_s, '<', 3, sprintf('it returns at once (%.2f s), before the run ends', $start_s));
is(run_row($run, 'status'), 'running', 'the run goes on after the call returned');

my $row;
my $before;
ok( defined poll_until(
		sub {
			$row = $mon->query_safe(
				"SELECT ops_done > 0 AND p95_ms IS NOT NULL, ops_planned, duration_s IS NULL, users_active BETWEEN 1 AND 4,"
				  . " role, pattern, ops_per_s > 0, eta_s > 0, errors, elapsed_s > 0, started_at = (SELECT started_at FROM loadtest.runs WHERE run_id = $run)"
				  . " FROM loadtest.progress WHERE run_id = $run");
			return $row =~ /^t\|/;
		},
		20),
	'loadtest.progress shows the running run with operations done and a p95');
is($row, 't|1600|t|t|postgres|distributed|t|t|0|t|t',
	'its row: 1600 operations planned, no duration, 1-4 users active, the role, the pattern, throughput, a time left, no errors, the start of its runs row');

my ($wait_rc, $wait_out, $wait_err) = $node->psql('postgres',
	"SET loadtest.progress_interval = 1; SELECT loadtest_wait($run)");
is($wait_out, 'completed', 'loadtest_wait returns the final status');
like($wait_err, qr/NOTICE:  loadtest run $run: \d+\/1600 operations \(\d+%\), [\d.]+ ops\/s, p95 [\d.]+ ms, 0 errors, \d+ users? active/,
	'loadtest_wait prints progress notices');
is(run_row($run, 'status, segment_handle IS NULL, (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = runs.run_id)'),
	'completed|t|1600', 'the run completed, every planned operation accounted for, its segment handle cleared');
is($mon->query_safe("SELECT count(*) FROM loadtest.progress WHERE run_id = $run"),
	'0', 'an ended run leaves loadtest.progress');
is($node->safe_psql('postgres', "SELECT loadtest_wait($run)"),
	'completed', 'loadtest_wait on an ended run returns its status at once');

# Larger runs: the launcher commits its transaction once the run has
# started, and what the run needs until its end (the workers' handles, the
# request) must outlive it (it did not: a launcher of 60 users crashed the
# server at the end of the run: users launched over a ramp-up after the
# commit wrote their handles into freed memory).
for my $shape ("users => 60, ops => 30, think_time_ms => 100, ramp_up_s => 4",
	"users => 1000, pool_size => 6, ops => 3, think_time_ms => 10, ramp_up_s => 0.5",
	"users => 8, stages => '[{\"users\": 8, \"duration\": \"1 s\"}, {\"users\": 2, \"duration\": \"1 s\"}]', think_time_ms => 10")
{
	my $id = $node->safe_psql('postgres', "SELECT loadtest_start($shape)");
	is($node->safe_psql('postgres', "SELECT loadtest_wait($id)"), 'completed',
		"a background run of $shape completes");
}
ok(!$node->log_contains('terminated by signal'), 'no process of the server crashed');

# bad arguments of the waiting functions: a clean error, nothing waits
($wait_rc, $wait_out, $wait_err) = $node->psql('postgres', "SELECT loadtest_wait($run, timeout_s => -1)");
like($wait_err, qr/ERROR:  timeout_s must be a number of seconds >= 0, or NULL to wait for the end/,
	'loadtest_wait refuses a negative timeout');
($wait_rc, $wait_out, $wait_err) = $node->psql('postgres', "SELECT loadtest_wait($run, timeout_s => 'NaN')");
like($wait_err, qr/ERROR:  timeout_s must be a number/, '... and NaN');
($wait_rc, $wait_out, $wait_err) = $node->psql('postgres', 'SELECT loadtest_wait(NULL)');
like($wait_err, qr/ERROR:  run_id must not be NULL/, 'loadtest_wait refuses a NULL run id');
($wait_rc, $wait_out, $wait_err) = $node->psql('postgres', 'SELECT loadtest_cancel(NULL)');
like($wait_err, qr/ERROR:  run_id must not be NULL/, 'so does loadtest_cancel');

# --- settings travel with the run; the launcher acts as the role -------
$run = $node->safe_psql('postgres',
	"SET loadtest.max_tries = 3; SET loadtest.hot_rows = 7; SET loadtest.op_timeout = '9s';"
	  . " SELECT loadtest_start(users => 2, duration => '30 s', think_time_ms => 50, ramp_up_s => 0)",
	@alice);
is(run_row($run, 'max_tries, hot_rows, op_timeout_ms, role_name'),
	'3|7|9000|alice', "the session's loadtest.* settings and the role go with the run");
is( $mon->query_safe(
		"SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE backend_type = 'loadtest launcher'"),
	'alice', 'the launcher is connected as the role that started the run');
is( $node->safe_psql(
		'postgres', "SELECT duration_s, ops_planned IS NULL FROM loadtest.progress WHERE run_id = $run", @alice),
	'30|t', 'a time-bound run: its duration, no operations planned');
is($node->safe_psql('postgres', "SELECT loadtest_wait($run, timeout_s => 0.3)", @alice),
	'running', 'loadtest_wait with a timeout returns running while the run goes on');

# --- who may see and cancel whose run ---------------------------------------
is($node->safe_psql('postgres', "SELECT count(*) FROM loadtest.progress", @bob),
	'0', "bob does not see alice's run in loadtest.progress");
my ($rc, $out, $err) = $node->psql('postgres', "SELECT loadtest_cancel($run)", @bob);
isnt($rc, 0, "bob cannot cancel alice's run");
like($err, qr/ERROR:  there is no run $run of yours/, '... it is not his to see');
($rc, $out, $err) = $node->psql('postgres', "SELECT loadtest_wait($run)", @bob);
like($err, qr/ERROR:  there is no run $run of yours/, "bob cannot wait for alice's run either");
is(run_row($run, 'status'), 'running', "alice's run goes on");

# a role that bypasses row-level security sees the run but may not cancel it
$node->safe_psql('postgres', 'ALTER ROLE bob BYPASSRLS');
($rc, $out, $err) = $node->psql('postgres', "SELECT loadtest_cancel($run)", @bob);
like($err, qr/ERROR:  run $run is not yours to cancel\nDETAIL:  It was started by role alice\./,
	'a role that sees the run through BYPASSRLS still cannot cancel it');
$node->safe_psql('postgres', 'ALTER ROLE bob NOBYPASSRLS');

# the superuser sees every run and cancels any
is($mon->query_safe("SELECT role FROM loadtest.progress WHERE run_id = $run"),
	'alice', "the superuser sees alice's run");
$t0 = time;
is($node->safe_psql('postgres', "SELECT loadtest_cancel($run)"),
	'cancelled', "the superuser cancels alice's run");
my $gone = poll_until(sub { processes() == 0 }, 5, 0.02, $t0);
ok(defined $gone && $gone < 1.0,
	sprintf('every process of the run is gone within a second of the cancel (%.2f s)', $gone // -1));
is(run_row($run, 'status, message'),
	'cancelled|loadtest_cancel() was called by role postgres', 'the run says who cancelled it');
is($node->safe_psql('postgres', "SELECT loadtest_cancel($run)", @alice),
	'cancelled', 'cancelling an ended run returns its status');

# alice cancels her own run
$run = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 3, duration => '30 s', think_time_ms => 20, ramp_up_s => 0)", @alice);
poll_until(sub { $mon->query_safe("SELECT count(*) FROM loadtest.progress WHERE run_id = $run AND ops_done > 0") == 1 }, 10);
$t0 = time;
is($node->safe_psql('postgres', "SELECT loadtest_cancel($run)", @alice), 'cancelled', 'alice cancels her own run');
$gone = poll_until(sub { processes() == 0 }, 5, 0.02, $t0);
ok(defined $gone && $gone < 1.0, sprintf('... every process gone within a second (%.2f s)', $gone // -1));
is( run_row($run,
		"(SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = runs.run_id) = (SELECT total_ops FROM loadtest.run_summary s WHERE s.run_id = runs.run_id)"),
	't', 'every attempted operation of the cancelled run is accounted for');

# --- a run of loadtest_run(), cancelled from another session ---------------
my $client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 2, duration => '30 s', think_time_ms => 20, ramp_up_s => 0)");
my $fg;
poll_until(sub { ($fg = $mon->query_safe('SELECT run_id FROM loadtest.progress LIMIT 1')) ne '' }, 10);
like($fg, qr/^\d+$/, 'a run of loadtest_run() shows in loadtest.progress');
is($node->safe_psql('postgres', "SELECT loadtest_cancel($fg)"), 'cancelled',
	'loadtest_cancel stops a run of loadtest_run() too');
is(finish_client($client, 10), 0, 'its loadtest_run() call returns');
like($client->{stderr}, qr/WARNING:  load test run $fg cancelled: loadtest_cancel\(\) was called by role postgres/,
	'... with a warning that says it was cancelled');

# --- the caller disconnects -------------------------------------------------
$client = start_client($node, 'postgres',
	"SELECT loadtest_start(users => 3, ops => 60, think_time_ms => 20, ramp_up_s => 0)");
is(finish_client($client, 20), 0, 'a client starts a run and disconnects');
chomp(my $left = $client->{stdout});
like($left, qr/^\d+$/, "it got the run id ($left)");
is($node->safe_psql('postgres', "SELECT loadtest_wait($left)"), 'completed',
	'the run of a client that left completes');
is(run_row($left, 'users_lost, ops_not_done, (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = runs.run_id)'),
	'0|0|180', '... with every operation done');

# --- a run whose recorder died, and a role that holds the marks ----------
# alice's recorder is terminated (she may: it is her process): her run can
# no longer end, and loadtest_cancel says it was aborted rather than
# "running".  She then marks it stale in a transaction she keeps open: the
# row lock must not make bob's wait, cancel or report wait for her.
$run = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 2, duration => '30 s', think_time_ms => 50, ramp_up_s => 0)", @alice);
poll_until(sub { $mon->query_safe("SELECT count(*) FROM loadtest.progress WHERE run_id = $run AND ops_done > 0") == 1 }, 10);
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'loadtest recorder' AND usename = current_user",
	@alice);
is($node->safe_psql('postgres', "SELECT loadtest_cancel($run)", @alice), 'aborted',
	'loadtest_cancel of a run whose recorder died: aborted, not running');
like(run_row($run, 'status, message'), qr/^aborted\|/, '... so says its row');
ok(defined poll_until(sub { processes() == 0 }, 5), '... and none of its processes is left');

my $stale = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 1, duration => '30 s', think_time_ms => 50, ramp_up_s => 0)", @alice);
poll_until(sub { $mon->query_safe("SELECT count(*) FROM loadtest.progress WHERE run_id = $stale AND ops_done > 0") == 1 }, 10);
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'loadtest recorder' AND usename = current_user",
	@alice);
poll_until(sub { $mon->query_safe("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest recorder'") == 0 }, 5);
my $holder = $node->background_psql('postgres', extra_params => [ '-U', 'alice' ]);
$holder->query_safe('BEGIN');
is($holder->query_safe('SELECT loadtest_mark_stale_runs()'), '1', 'alice marks her stale run in a transaction she keeps open');
my $bobs = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 1, ops => 3, think_time_ms => 0, ramp_up_s => 0)", @bob);
$t0 = time;
is($node->safe_psql('postgres', "SET statement_timeout = '5s'; SELECT loadtest_wait($bobs)", @bob),
	'completed', "bob's wait is not held by alice's open transaction");
is($node->safe_psql('postgres', "SET statement_timeout = '5s'; SELECT loadtest_cancel($bobs)", @bob),
	'completed', "... nor his cancel");
is($node->safe_psql('postgres', "SET statement_timeout = '5s'; SELECT length(string_agg(l, E'\\n')) > 500 FROM loadtest_report($bobs) l", @bob),
	't', "... nor his report");
cmp_ok(time - $t0, '<', 5, sprintf('all three at once (%.2f s)', time - $t0));
$holder->query_safe('COMMIT');
$holder->quit;

# --- a run does not start runs ----------------------------------------------
$node->safe_psql(
	'postgres', q{
SELECT loadtest_define_operation('start_a_run', 'write',
    ARRAY['SELECT public.loadtest_start(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)']);
SELECT loadtest_define_operation('run_a_run', 'write',
    ARRAY['SELECT public.loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)']);
});
$before = newest_run_id($mon);
for my $op ('start_a_run', 'run_a_run')
{
	my $id = $node->safe_psql('postgres',
		"SELECT loadtest_run(users => 1, ops => 3, pattern => '$op', think_time_ms => 0, ramp_up_s => 0)");
	is( $mon->query_safe(
			"SELECT string_agg(e, ',') FROM (SELECT sqlstate || ' ' || sum(count) AS e FROM loadtest.error_stats WHERE run_id = $id GROUP BY sqlstate) x"),
		'0A000 3', "an operation that calls loadtest_${\($op eq 'start_a_run' ? 'start' : 'run')} fails with 0A000, each time");
	like($mon->query_safe("SELECT min(message) FROM loadtest.run_errors WHERE run_id = $id"),
		qr/a load test cannot start a load test/, '... a load test cannot start a load test');
}
is(newest_run_id($mon), $before + 2, 'only the two runs themselves were recorded');

# --- refused before anything starts -----------------------------------------
$before = newest_run_id($mon);
($rc, $out, $err) = $node->psql('postgres', 'SELECT loadtest_start(users => 0)');
like($err, qr/ERROR:  users must be between 1 and 100000, not 0/, 'bad arguments: the error of loadtest_run');
($rc, $out, $err) = $node->psql('postgres', "SELECT loadtest_start(pattern => 'no_such_pattern')");
like($err, qr/ERROR:  unknown load test pattern "no_such_pattern"/, 'an unknown pattern is refused');
($rc, $out, $err) = $node->psql('postgres', 'SELECT loadtest_start(users => 71)');
like($err, qr/ERROR:  not enough background worker slots for 71 users\nDETAIL:  The run needs 73 background workers \(one per user, a recorder and a launcher\)/,
	'too few worker slots: counted with the launcher');

# An error the recorder meets (it gathers a column generator's values as the
# role, which lost its SELECT privilege after defining the operation) is
# raised by loadtest_start itself, with its SQLSTATE.
$node->safe_psql(
	'postgres', q{
CREATE TABLE public.codes (code integer);
INSERT INTO public.codes SELECT generate_series(1, 100);
GRANT SELECT ON public.codes TO alice;
});
$node->safe_psql(
	'postgres', q{
SELECT loadtest_define_operation('read_code', 'read',
    ARRAY['SELECT $1::integer'],
    '[{"type": "column", "table": "public.codes", "column": "code"}]');
}, @alice);
$node->safe_psql('postgres', 'REVOKE SELECT ON public.codes FROM alice');
($rc, $out, $err) = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT loadtest_start(users => 1, ops => 5, pattern => 'read_code', think_time_ms => 0, ramp_up_s => 0)",
	@alice);
isnt($rc, 0, 'a run the recorder refuses fails in loadtest_start');
like($err, qr/ERROR:  42501: .*permission denied/, "... with the recorder's error and SQLSTATE") or diag($err);
is(newest_run_id($mon), $before, 'refused runs leave no row');
ok(defined poll_until(sub { processes() == 0 }, 5), '... and no process');

# --- a server restart marks it aborted --------------------------------------
$run = $node->safe_psql('postgres',
	"SELECT loadtest_start(users => 2, duration => '60 s', think_time_ms => 20, ramp_up_s => 0)");
$mon->quit;
$node->stop('immediate');
$node->start;
$mon = $node->background_psql('postgres');
is($node->safe_psql('postgres', "SELECT loadtest_wait($run)"), 'aborted',
	'after a crash and restart, loadtest_wait says the run was aborted');
is(run_row($run, 'message, segment_handle IS NULL'),
	'the server restarted during the run|t', '... because the server restarted');
is($mon->query_safe('SELECT count(*) FROM loadtest.progress'), '0', 'loadtest.progress shows no stale run');

# --- scenarios take overrides ---------------------------------------------
$run = $node->safe_psql('postgres',
	"SELECT loadtest_scenario('stress', users => 3, ops => 4, pool_size => 2, think_time_ms => 0, ramp_up_s => 0)");
is(run_row($run, 'status, users, ops_per_user, pool_size, think_time_ms, pattern'),
	'completed|3|4|2|0|distributed', "loadtest_scenario('stress', users => 3, ...) runs the scenario with the overrides");
$run = $node->safe_psql('postgres',
	"SELECT loadtest_scenario('read_heavy', users => 2, duration => '1 s', ramp_up_s => 0)");
is(run_row($run, 'status, users, pattern, duration_limit_s'),
	'completed|2|read_heavy|1', "... a duration instead of the scenario's operations");

$mon->quit;
done_testing();
