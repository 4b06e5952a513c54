
# CALL loadtest_run_procedure(...): the same run as loadtest_run(), but the
# calling session commits once the run has started and so holds no
# snapshot while it waits.  VACUUM shows the difference: with SELECT
# loadtest_run() the updates made during the run stay "dead but not yet
# removable"; with the procedure they are removed.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('procedure', conf => "autovacuum = off\n");
my $mon = $node->background_psql('postgres');
$node->safe_psql('postgres', 'CREATE TABLE churn (id int PRIMARY KEY, n int); INSERT INTO churn VALUES (1, 0)');

# The run's caller: its backend_xmin while the run goes on (for CALL, once
# it has committed), and how many of 50 updates committed meanwhile VACUUM
# could not remove (for CALL, VACUUM is repeated until it removes them all:
# a run's own short transactions may still be open the first time).
sub xmin_and_unremovable
{
	my ($sql, $procedure) = @_;
	my $before = newest_run_id($mon);
	my $client = start_client($node, 'postgres', $sql);
	ok( defined poll_until(
			sub {
				$mon->query_safe(
					"SELECT count(*) FROM loadtest.runs WHERE run_id > $before AND status = 'running'") == 1;
			},
			30),
		"$sql: the run started");
	my $caller_xmin = '';
	poll_until(
		sub {
			$caller_xmin = $mon->query_safe(
				"SELECT coalesce(backend_xmin::text, 'none') FROM pg_stat_activity
				  WHERE query LIKE '%loadtest_run%' AND state = 'active'
				    AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
			return $caller_xmin ne '' && ($procedure ? $caller_xmin eq 'none' : 1);
		},
		30);
	$mon->query_safe("UPDATE churn SET n = n + 1") for 1 .. 50;
	my $unremovable;
	poll_until(
		sub {
			my ($ret, $stdout, $stderr) = $node->psql('postgres', 'VACUUM (VERBOSE) churn');
			($unremovable) = $stderr =~ /(\d+) are dead but not yet removable/;
			return !$procedure || ($unremovable // -1) == 0;
		},
		10, 0.5);
	my $status_after_vacuum = $mon->query_safe(
		"SELECT status FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1");
	is(finish_client($client, 120), 0, "$sql: the call returned") or diag($client->{stderr});
	my $run_id = newest_run_id($mon);
	is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
		'completed', "$sql: the run completed");
	chomp(my $returned = $client->{stdout});
	return ($caller_xmin, $unremovable // 'unknown', $status_after_vacuum, $returned, $run_id);
}

my ($xmin, $dead, $status) = xmin_and_unremovable(
	'SELECT loadtest_run(users => 2, ops => 20, think_time_ms => 400, ramp_up_s => 0)', 0);
isnt($xmin, 'none', 'SELECT loadtest_run(): the caller holds an xmin during the run');
is($status, 'running', 'SELECT loadtest_run(): the run was still going on when VACUUM ran');
is($dead, 50, 'SELECT loadtest_run(): the 50 updates made during the run stay unremovable');

my ($out, $run_id);
($xmin, $dead, $status, $out, $run_id) = xmin_and_unremovable(
	'CALL loadtest_run_procedure(users => 2, ops => 20, think_time_ms => 400, ramp_up_s => 0)', 1);
is($xmin, 'none', 'CALL loadtest_run_procedure(): the caller holds no xmin during the run');
is($status, 'running', 'CALL loadtest_run_procedure(): the run was still going on when VACUUM ran');
is($dead, 0, 'CALL loadtest_run_procedure(): VACUUM removes the updates made during the run');
is($out, $run_id, 'the procedure returns the run id in run_id');
is( $mon->query_safe(
		"SELECT count(*), count(DISTINCT (user_no, op_no)) FROM loadtest.samples WHERE run_id = $run_id"),
	'40|40', 'the procedure\'s run recorded every operation');

# Not inside a transaction block: it could not commit there.
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"BEGIN; CALL loadtest_run_procedure(users => 1, ops => 1); COMMIT;",
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/25001: loadtest_run_procedure cannot run inside a transaction block/,
	'inside a transaction block: refused with SQLSTATE 25001');
($ret, $stdout, $stderr) = $node->psql('postgres',
	"DO \$\$ DECLARE r bigint; BEGIN CALL loadtest_run_procedure(users => 1, ops => 1, run_id => r); EXCEPTION WHEN division_by_zero THEN NULL; END \$\$",
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/25001: loadtest_run_procedure cannot run/,
	'inside an exception block (a subtransaction): refused with SQLSTATE 25001');
is(newest_run_id($mon), $run_id, '... both before anything started');

# A long run by the procedure, under way (both users recorded samples).
sub start_long_call
{
	my ($what) = @_;
	my $before = newest_run_id($mon);
	my $client = start_client($node, 'postgres',
		'CALL loadtest_run_procedure(users => 2, ops => 1000000, think_time_ms => 1, ramp_up_s => 0)');
	ok( defined poll_until(
			sub {
				$mon->query_safe(
					"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id > $before") == 2;
			},
			30),
		"$what: the long procedure run is under way");
	ok( defined poll_until(
			sub {
				$mon->query_safe(
					"SELECT count(*) FROM pg_stat_activity
					  WHERE query LIKE 'CALL loadtest_run_procedure(users => 2, ops => 1000000%'
					    AND state = 'active' AND backend_xmin IS NULL AND pid <> pg_backend_pid()") == 1;
			},
			30),
		"$what: its caller has committed");
	return $client;
}

# Cancelled while it waits (after its commit): the run stops and is
# recorded as cancelled, and nothing is left behind.
my $client = start_long_call('cancel');
$mon->query_safe(
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CALL loadtest_run_procedure(users => 2, ops => 1000000%' AND pid <> pg_backend_pid()");
isnt(finish_client($client, 30), 0, 'the cancelled CALL fails');
like($client->{stderr}, qr/canceling statement due to user request/, '... with the cancel error');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 10), 'no process of the run is left');
$run_id = newest_run_id($mon);
is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'cancelled', 'the run is recorded as cancelled');

# Its caller terminated while it waits: the run is aborted.
$client = start_long_call('terminate');
$mon->query_safe(
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CALL loadtest_run_procedure(users => 2, ops => 1000000%' AND pid <> pg_backend_pid()");
finish_client($client, 30);
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 10), 'no process of that run is left');
$run_id = newest_run_id($mon);
ok( defined poll_until(
		sub {
			$mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id") eq 'aborted';
		},
		10),
	'the run of the terminated caller is recorded as aborted');

# Least privilege: EXECUTE is revoked from PUBLIC, as for loadtest_run().
$node->safe_psql('postgres', 'CREATE ROLE plain LOGIN');
($ret, $stdout, $stderr) = $node->psql('postgres',
	'CALL loadtest_run_procedure(users => 1, ops => 1)',
	extra_params => [ '-U', 'plain' ]);
like($stderr, qr/permission denied for procedure loadtest_run_procedure/,
	'a role without EXECUTE cannot call it');

$mon->quit;
finish_and_check_log($node);
done_testing();
