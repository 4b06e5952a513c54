
# Runs side by side, and a run of many users: every run gets its own id,
# records exactly its own users' operations, and leaves nothing behind.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use LoadtestCheck;

# ---------------------------------------------------------------------
# two runs at the same time
# ---------------------------------------------------------------------
# 300 users below need max_worker_processes = 320; the two runs at the same
# time use the same node.
my $node = new_loadtest_node('concurrency',
	conf => "max_worker_processes = 320\n");

my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;
my $locker = $node->background_psql('postgres');
my $bg1 = $node->background_psql('postgres');
my $bg2 = $node->background_psql('postgres');

my $free_slots = $mon->query_safe('SELECT loadtest_free_worker_slots()');
cmp_ok($free_slots, '>=', 301, 'at least 301 free worker slots');
my $before = newest_run_id($mon);

# Both recorders wait for this lock before they create their run, so that
# the two runs really go on at the same time once it is released.
$locker->query_safe('BEGIN; LOCK TABLE loadtest.runs IN SHARE MODE');
my %want = (
	1 => { users => 3, ops => 200, pattern => 'read_heavy' },
	2 => { users => 2, ops => 150, pattern => 'write_heavy' });
$bg1->query_until(qr/starting 1/,
	"\\echo starting 1\nSELECT loadtest_run(users => 3, ops => 200, pattern => 'read_heavy', think_time_ms => 1, ramp_up_s => 0);\n"
);
$bg2->query_until(qr/starting 2/,
	"\\echo starting 2\nSELECT loadtest_run(users => 2, ops => 150, pattern => 'write_heavy', think_time_ms => 1, ramp_up_s => 0);\n"
);
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity
				 WHERE backend_type = 'loadtest recorder' AND wait_event_type = 'Lock'"
			) == 2;
		},
		30),
	'both recorders are starting');
$locker->query_safe('COMMIT');

# loadtest_run()'s result, then a marker: the call is over once the marker
# is there.
my @ids;
for my $bg ($bg1, $bg2)
{
	my @lines = split /\n/, $bg->query_safe("SELECT 'done'");
	is(scalar(@lines) . "|$lines[-1]", '2|done', 'the call returned one value');
	push @ids, $lines[0];
}
like($ids[0], qr/^\d+$/, 'the first run returned its run id');
like($ids[1], qr/^\d+$/, 'the second run returned its run id');
isnt($ids[0], $ids[1], 'the two runs have distinct run ids');
is( $mon->query_safe(
		"SELECT string_agg(run_id::text, ',' ORDER BY run_id) FROM loadtest.runs WHERE run_id > $before"
	),
	join(',', sort { $a <=> $b } @ids),
	'exactly these two runs were recorded');
is( $mon->query_safe(
		"SELECT a.started_at < b.ended_at AND b.started_at < a.ended_at
		 FROM loadtest.runs a, loadtest.runs b WHERE a.run_id = $ids[0] AND b.run_id = $ids[1]"
	),
	't',
	'the two runs overlapped in time');

for my $i (1, 2)
{
	my $run_id = $ids[ $i - 1 ];
	my ($users, $ops, $pattern) = @{ $want{$i} }{qw(users ops pattern)};
	my $what = "run $i ($users users x $ops $pattern)";

	is( $mon->query_safe(
			"SELECT status, users, ops_per_user, pattern, users_lost, ops_not_done
			 FROM loadtest.runs WHERE run_id = $run_id"),
		"completed|$users|$ops|$pattern|0|0",
		"$what: completed as asked");
	is( $mon->query_safe(
			"SELECT count(*), count(DISTINCT (user_no, op_no)), min(user_no), max(user_no),
			        count(*) FILTER (WHERE pattern::text <> '$pattern')
			 FROM loadtest.samples WHERE run_id = $run_id"),
		join('|', $users * $ops, $users * $ops, 1, $users, 0),
		"$what: users x ops samples, user_no 1..$users, all of its pattern");
	is( $mon->query_safe(
			"SELECT count(*), string_agg(user_no::text, ',' ORDER BY user_no),
			        bool_and(ops_done = $ops AND ops_planned = $ops AND NOT lost),
			        bool_and(pattern::text = '$pattern')
			 FROM loadtest.run_users WHERE run_id = $run_id"),
		join('|', $users, join(',', 1 .. $users), 't', 't'),
		"$what: run_users has exactly its users, each with all its operations");
	is( $mon->query_safe(
			"SELECT count(*) FROM loadtest.run_users u
			 JOIN (SELECT user_no, count(*) AS n, max(op_no) AS hi FROM loadtest.samples
			       WHERE run_id = $run_id GROUP BY user_no) s USING (user_no)
			 WHERE u.run_id = $run_id AND (s.n <> u.ops_done OR s.hi <> u.ops_done)"),
		0,
		"$what: each user's op_no is 1..ops without gaps");
}
# the two patterns differ in their mix of reads and writes
my ($read1, $read2) = split /\|/, $mon->query_safe(
	"SELECT avg((o.kind = 'read')::int) FILTER (WHERE s.run_id = $ids[0]),
	        avg((o.kind = 'read')::int) FILTER (WHERE s.run_id = $ids[1])
	 FROM loadtest.samples s JOIN loadtest.operations o USING (operation)
	 WHERE s.run_id IN ($ids[0], $ids[1])");
cmp_ok($read1, '>', $read2,
	'the read_heavy run read more than the write_heavy run');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 5),
	'no loadtest backend left after the two runs');
$bg1->quit;
$bg2->quit;
$locker->quit;

# ---------------------------------------------------------------------
# 300 users at once
# ---------------------------------------------------------------------
ok( defined poll_until(
		sub {
			$mon->query_safe('SELECT loadtest_free_worker_slots()') == $free_slots;
		},
		5),
	'every worker slot is free before the large run');
$before = newest_run_id($mon);
my $t0 = time;
my $run_id = $mon->query_safe(
	'SELECT loadtest_run(users => 300, ops => 20, think_time_ms => 0, ramp_up_s => 0)');
my $took = time - $t0;
note sprintf('300 users x 20 operations took %.1f s', $took);
like($run_id, qr/^\d+$/, 'the 300-user run returned its run id');
is( $mon->query_safe(
		"SELECT status, users, workers, users_lost, ops_not_done FROM loadtest.runs WHERE run_id = $run_id"
	),
	'completed|300|300|0|0',
	'the 300-user run completed, no user lost');
is( $mon->query_safe(
		"SELECT count(*), count(DISTINCT (user_no, op_no)), min(user_no), max(user_no)
		 FROM loadtest.samples WHERE run_id = $run_id"),
	'6000|6000|1|300',
	'6000 samples, one per user and operation');
is( $mon->query_safe(
		"SELECT count(*), count(*) FILTER (WHERE ops_done = 20 AND ops_planned = 20 AND NOT lost)
		 FROM loadtest.run_users WHERE run_id = $run_id"),
	'300|300',
	'300 run_users, each with its 20 operations done');
is( $mon->query_safe(
		"SELECT count(*) FROM loadtest.run_users u
		 JOIN (SELECT user_no, max(op_no) AS hi, count(*) AS n FROM loadtest.samples
		       WHERE run_id = $run_id GROUP BY user_no) s USING (user_no)
		 WHERE u.run_id = $run_id AND (s.hi <> 20 OR s.n <> 20)"),
	0,
	"each user's samples are op_no 1..20");
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 10),
	'no loadtest backend left after the 300-user run');
ok( defined poll_until(
		sub {
			$mon->query_safe('SELECT loadtest_free_worker_slots()') == $free_slots;
		},
		10),
	'every worker slot is free again after the 300-user run');

# ---------------------------------------------------------------------
# over a ramp-up, each worker starts shortly before its user is due
# ---------------------------------------------------------------------
# 40 users over 6 s, 3 quick operations each: a user's work takes well
# under a second, so if workers start just before their users are due only
# a few are alive at any time; started all at once, all 40 would be.
$before = newest_run_id($mon);
my $ramp_client = start_client($node, 'postgres',
	'SELECT loadtest_run(users => 40, ops => 3, think_time_ms => 10, ramp_up_s => 6)');
my $peak = 0;
my $seen_running = 0;
poll_until(
	sub {
		my ($status, $users) = split /\|/, $mon->query_safe(
			"SELECT (SELECT status FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1),
			        (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user')");
		$status //= '';
		$seen_running = 1 if $status eq 'running';
		$peak = $users if $users > $peak;
		return $seen_running && $status ne 'running';
	},
	60, 0.02);
is(finish_client($ramp_client, 60), 0, 'the ramped-up run returned');
my $ramp_run = newest_run_id($mon);
is( $mon->query_safe(
		"SELECT status, users_lost, (SELECT count(DISTINCT user_no) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		   FROM loadtest.runs r WHERE run_id = $ramp_run"),
	'completed|0|40', 'ramped-up run: completed, every user ran');
cmp_ok($peak, '<', 20, 'ramped-up run: workers started as their users became due, not all at once')
  or diag("peak of $peak user workers alive at once");
note "ramped-up run: peak of $peak user workers alive at once";

# A ramp-up longer than the run: users due after the run's time is up get
# no worker; the call ends with the duration, not with the ramp-up.
my $t_ramp = time;
my $short_run = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 20, ops => 1000000, think_time_ms => 100, ramp_up_s => 60,
	                     duration => '2 seconds')");
my $short_took = time - $t_ramp;
cmp_ok($short_took, '<', 30, 'a 2-second run with a 60-second ramp-up ends with its duration')
  or diag("took $short_took s");
is( $mon->query_safe(
		"SELECT status, users_lost,
		        (SELECT count(*) FROM loadtest.run_users u WHERE u.run_id = r.run_id AND u.ops_done > 0),
		        (SELECT count(*) FROM loadtest.run_users u WHERE u.run_id = r.run_id AND u.ops_done = 0 AND NOT u.lost)
		   FROM loadtest.runs r WHERE run_id = $short_run"),
	'completed|0|1|19',
	'only user 1 was due within the 2 seconds; the 19 others did nothing and are not lost');

$mon->quit;
finish_and_check_log($node);

done_testing();
