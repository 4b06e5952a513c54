
# Pooled runs and the open model at CI size: 2000 virtual users share 16
# workers; a pooled worker that dies loses at most the user it served; a
# rate run shows a server stall as schedule lag instead of hiding it.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('pool');
my $slots_before = $node->safe_psql('postgres', 'SELECT loadtest_free_worker_slots()');

# ---------------------------------------------------------------------
# 2000 users, 16 workers, think time 200 ms, 4 seconds
# ---------------------------------------------------------------------
my $run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2000, pool_size => 16, think_time_ms => 200,
	                     ramp_up_s => 1, duration => '4 seconds')");
is( $node->safe_psql('postgres',
		"SELECT status, users, workers, pool_size, users_lost FROM loadtest.runs WHERE run_id = $run_id"),
	"completed|2000|16|16|0",
	'2000 users on 16 workers: completed, nobody lost');
is( $node->safe_psql('postgres',
		"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"),
	2000, 'every one of the 2000 users ran operations');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.run_users WHERE run_id = $run_id AND ops_done > 0 AND NOT lost"),
	2000, 'run_users: each user did work and none is lost');
is( $node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id)
		      = (SELECT sum(ops_done) FROM loadtest.run_users WHERE run_id = $run_id)"),
	't', 'every operation of the pooled run is a sample');
is( $node->safe_psql('postgres',
		"SELECT max(start_us) < 4000000 AND min(wait_us) >= 0 FROM loadtest.samples WHERE run_id = $run_id"),
	't', 'no operation started after the run\'s time; pool waits recorded');
is($node->safe_psql('postgres', 'SELECT loadtest_free_worker_slots()'),
	$slots_before, 'the pool\'s workers are gone');

# ---------------------------------------------------------------------
# one pooled worker terminated mid-run: the others serve every user
# ---------------------------------------------------------------------
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/,
	"\\echo started\nSELECT loadtest_run(users => 200, pool_size => 4, think_time_ms => 20, ramp_up_s => 0, duration => '4 seconds');\n");
my $victim;
poll_until(
	sub {
		$victim = $node->safe_psql('postgres',
			"SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'loadtest run % worker 2'");
		return $victim =~ /^\d+$/;
	},
	30);
like($victim, qr/^\d+$/, 'found pooled worker 2');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($victim)");
my @out = split /\n/, $bg->query('SELECT 1');
$run_id = $out[0];
like($run_id, qr/^\d+$/, 'the pooled run with a dead worker returns its run id');
is($node->safe_psql('postgres', "SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'completed', 'the run goes on with the other workers');
ok( $node->safe_psql('postgres', "SELECT users_lost FROM loadtest.runs WHERE run_id = $run_id") <= 1,
	'at most the user in service is lost');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.run_users WHERE run_id = $run_id AND NOT lost AND ops_done > 0"),
	200 - $node->safe_psql('postgres', "SELECT users_lost FROM loadtest.runs WHERE run_id = $run_id"),
	'every other user kept being served');
$bg->quit;

# ---------------------------------------------------------------------
# open model: a 1 s stall shows as schedule lag (no coordinated omission)
# ---------------------------------------------------------------------
my $locker = $node->background_psql('postgres');
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/,
	"\\echo started\nSELECT loadtest_run(users => 4, pool_size => 2, pattern => 'update_member', rate => 50, ramp_up_s => 0, duration => '3 seconds');\n");
poll_until(
	sub {
		$node->safe_psql('postgres', "SELECT count(*) FROM loadtest.samples s JOIN loadtest.runs r USING (run_id) WHERE r.status = 'running'") > 0;
	},
	30);
$locker->query_safe('BEGIN; LOCK TABLE membership.members IN EXCLUSIVE MODE; SELECT pg_sleep(1); COMMIT;');
@out = split /\n/, $bg->query('SELECT 1');
$run_id = $out[0];
is( $node->safe_psql('postgres', "SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	150, 'rate 50/s for 3 s: exactly 150 arrivals, none dropped');
ok( $node->safe_psql('postgres',
		"SELECT late_starts FROM loadtest.run_summary WHERE run_id = $run_id") > 10,
	'arrivals during the stall started late, and are counted so');
ok( $node->safe_psql('postgres',
		"SELECT max(wait_us) FROM loadtest.samples WHERE run_id = $run_id") > 500000,
	'the stall is visible as schedule lag of half a second or more');
like($node->safe_psql('postgres', "SELECT loadtest_report($run_id)"),
	qr/From intended start \(schedule lag \+ operation\)/,
	'the report measures a rate run from the intended start');
$bg->quit;
$locker->quit;

finish_and_check_log($node);
done_testing();
