
# Hostile places and input: a hot standby, a read-only database, a workload
# that was dropped or emptied, SQL in every text parameter, a role name
# that needs quoting, a client that goes away mid-run, a report while the
# run goes on, and more users than there are worker slots.  Each is refused
# cleanly or handled, and leaves nothing behind.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use Encode qw(decode encode);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use LoadtestCheck;

my $node = new_loadtest_node('hostile', allows_streaming => 1);

my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

my ($ret, $out, $err);

# How the result tables stand: runs, the last run id taken, and how many
# processes of runs there are.
sub run_state
{
	my ($session) = @_;
	return $session->query_safe(
		"SELECT (SELECT count(*) FROM loadtest.runs),
		        (SELECT last_value || ':' || is_called FROM loadtest.run_id_seq),
		        (SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%')"
	);
}

# ---------------------------------------------------------------------
# hot standby
# ---------------------------------------------------------------------
my $run_id = $mon->query_safe(
	'SELECT loadtest_run(users => 2, ops => 10, think_time_ms => 0, ramp_up_s => 0)');
like($run_id, qr/^\d+$/, 'a run on the primary');
$node->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'b', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'the standby is in recovery');
($ret, $out, $err) = $standby->psql('postgres',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)');
isnt($ret, 0, 'a run on the standby fails');
like(
	$err,
	qr/ERROR:  cannot run a load test on a standby server/,
	'a run on the standby is refused as a standby server');
is( $standby->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'no loadtest process on the standby');
like(
	$standby->safe_psql('postgres', "SELECT loadtest_report($run_id)"),
	qr/LOAD TEST REPORT - run $run_id \(completed\)/,
	"the standby can report on the primary's run");
$standby->stop;

# ---------------------------------------------------------------------
# a database whose transactions are read-only by default
# ---------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE ro');
$node->safe_psql('ro', 'CREATE EXTENSION loadtest; SELECT loadtest_seed(100)');
$node->safe_psql('postgres',
	'ALTER DATABASE ro SET default_transaction_read_only = on');
my $ro_before = $node->safe_psql('ro',
	'SELECT count(*), (SELECT last_value FROM loadtest.run_id_seq) FROM loadtest.runs');
($ret, $out, $err) = $node->psql('ro',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)');
isnt($ret, 0, 'a run in the read-only database fails');
like(
	$err,
	qr/ERROR:  cannot run a load test in a read-only transaction/,
	'it is refused as read-only');
like($err, qr/default_transaction_read_only/, 'the hint names the setting');
is( $node->safe_psql(
		'ro',
		'SELECT count(*), (SELECT last_value FROM loadtest.run_id_seq) FROM loadtest.runs'),
	$ro_before,
	'nothing was added to loadtest.runs, no run id taken');
# The caller may set default_transaction_read_only = off for its session;
# the run's processes connect with the database's settings.  The run must
# then work, or be refused as read-only, not fail on the recorder's first
# write.
($ret, $out, $err) = $node->psql('ro',
	"SET default_transaction_read_only = off;\nSELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0);"
);
ok( ($ret == 0 && $out =~ /^\d+$/)
	  || $err =~ /ERROR:  cannot run a load test in a read-only transaction/,
	'with read-only off for the session only, the run works or is refused as read-only'
) or diag("ret $ret, out $out, err $err");
is( $node->safe_psql(
		'ro',
		"SELECT count(*) FROM loadtest.runs WHERE status <> 'completed'"),
	0,
	'no run left unfinished in the read-only database');
is( $node->safe_psql(
		'ro',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'no loadtest process left');
# and in a read-only transaction of a writable database
($ret, $out, $err) = $node->psql('postgres',
	"BEGIN READ ONLY;\nSELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0);"
);
like(
	$err,
	qr/ERROR:  cannot run a load test in a read-only transaction/,
	'a run in a READ ONLY transaction is refused');

# ---------------------------------------------------------------------
# the workload emptied, then a table of it dropped
# ---------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE broken');
$node->safe_psql('broken', 'CREATE EXTENSION loadtest; SELECT loadtest_seed(100)');
my $broken = $node->background_psql('broken', on_error_stop => 0);
$broken->set_query_timer_restart;
my $broken_before = run_state($broken);
like($broken_before, qr/^0\|1:(f|false)\|0$/, 'no run yet in the database "broken"');

$node->safe_psql('broken',
	'TRUNCATE membership.members, membership.organizations, membership.member_employments,
	          membership.organization_contacts, membership.students, membership.file_attachments'
);
($out, $ret) = $broken->query(
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)');
like(
	$broken->{stderr},
	qr/ERROR:  operation "\w+" draws \$\d+ from membership\.\w+\.\w+, which has no rows/,
	'a run on an emptied workload fails: an operation draws from a table without rows');
like($broken->{stderr}, qr/HINT:  .*loadtest_seed\(\)/, 'the hint names loadtest_seed()');
$broken->{stderr} = '';
is(run_state($broken), $broken_before,
	'the refused run left no runs row, took no run id, left no process');

$node->safe_psql('broken', 'SELECT loadtest_seed(100)');
# (its serial's sequence is a member of the extension too)
$node->safe_psql('broken',
	'ALTER EXTENSION loadtest DROP TABLE membership.students;
	 ALTER EXTENSION loadtest DROP SEQUENCE membership.students_student_id_seq;
	 DROP TABLE membership.students');
is($node->safe_psql('broken', "SELECT to_regclass('membership.students') IS NULL"),
	't', 'membership.students is dropped');
($out, $ret) = $broken->query(
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)');
like(
	$broken->{stderr},
	qr/ERROR:  operation "list_students" draws \$1 from membership\.students, which does not exist/,
	'a run without membership.students fails: the operation that reads it names the missing table');
like($broken->{stderr}, qr/HINT:  .*loadtest_seed\(\)/, 'the hint names loadtest_seed()');
$broken->{stderr} = '';
is(run_state($broken), $broken_before,
	'the refused run left no runs row, took no run id, left no process');
$broken->quit;

# ---------------------------------------------------------------------
# SQL in every text parameter
# ---------------------------------------------------------------------
my $members = $mon->query_safe('SELECT count(*) FROM membership.members');
my $tables = $mon->query_safe(
	"SELECT count(*) FROM pg_tables WHERE schemaname IN ('membership', 'loadtest')");
my $runs_before = run_state($mon);
my $evil = q{x'); DROP TABLE membership.members; --};
my $evil_sql = $evil =~ s/'/''/gr;
my $evil_long = q{'; DROP TABLE membership.members; SELECT pg_sleep(0) WHERE '' = '} . ('x' x 40);
my $evil_long_sql = $evil_long =~ s/'/''/gr;

($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 1, pattern => '$evil_sql', think_time_ms => 0, ramp_up_s => 0)"
);
like(
	$err,
	qr/ERROR:  unknown load test pattern "\Q$evil\E"/,
	'loadtest_run(pattern => SQL) is an unknown pattern');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 1, pattern => '$evil_long_sql', think_time_ms => 0, ramp_up_s => 0)"
);
like(
	$err,
	qr/ERROR:  unknown load test pattern "\Q${\ substr($evil_long, 0, 20)}\E\.\.\."/,
	'loadtest_run(pattern => long SQL) is an unknown pattern');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 1, pattern => 'create_member''; DROP TABLE membership.members; --', think_time_ms => 0, ramp_up_s => 0)"
);
like(
	$err,
	qr/ERROR:  unknown load test pattern "create_member'; DROP/,
	'loadtest_run(pattern => operation name and SQL) is an unknown pattern');
($ret, $out, $err) =
  $node->psql('postgres', "SELECT loadtest_scenario('$evil_sql')");
like(
	$err,
	qr/ERROR:  unknown load test scenario "\Q$evil\E"/,
	'loadtest_scenario(SQL) is an unknown scenario');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT * FROM loadtest_pattern_distribution(3, '$evil_sql')");
like(
	$err,
	qr/ERROR:  unknown load test pattern "\Q$evil\E"/,
	'loadtest_pattern_distribution(3, SQL) is an unknown pattern');
# a scenario whose pattern is SQL
$mon->query_safe(
	"INSERT INTO loadtest.scenarios VALUES ('evil', 1, 1, '$evil_sql', 0, 0, 'TAP test')");
($ret, $out, $err) = $node->psql('postgres', "SELECT loadtest_scenario('evil')");
like(
	$err,
	qr/ERROR:  unknown load test pattern "\Q$evil\E"/,
	'a scenario whose pattern is SQL is an unknown pattern');
$mon->query_safe("DELETE FROM loadtest.scenarios WHERE scenario = 'evil'");

is($mon->query_safe('SELECT count(*) FROM membership.members'),
	$members, 'membership.members is still there, with the same rows');
is( $mon->query_safe(
		"SELECT count(*) FROM pg_tables WHERE schemaname IN ('membership', 'loadtest')"),
	$tables,
	'no table was dropped');
is(run_state($mon), $runs_before,
	'the refused calls left no runs row, took no run id, left no process');

# An over-long pattern of multibyte characters ('x' and 40 x U+00E9, 81
# bytes): the error quotes its first bytes, and must not cut a character in
# two (an invalid string would go to the client and to the log, and a
# client of another encoding would get a conversion error instead).
my $long_mb = q{'x' || repeat(chr(233), 40)};
($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 1, pattern => $long_mb)");
like($err, qr/ERROR:  unknown load test pattern "x\x{c3}\x{a9}/,
	'an over-long multibyte pattern is an unknown pattern');
my $valid = eval { decode('UTF-8', $err, Encode::FB_CROAK); 1 };
ok($valid, 'the error about an over-long multibyte pattern is valid UTF-8')
  or diag(unpack('H*', $err));
($ret, $out, $err) = $node->psql('postgres',
	"SET client_encoding = 'LATIN1';\nSELECT loadtest_run(users => 1, ops => 1, pattern => $long_mb);"
);
like($err, qr/ERROR:  unknown load test pattern "x\x{e9}/,
	'a LATIN1 client is told of the unknown pattern too')
  or diag($err);

# ---------------------------------------------------------------------
# a role whose name needs quoting
# ---------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
CREATE ROLE "o'hara x" LOGIN;
GRANT USAGE ON SCHEMA loadtest, membership TO "o'hara x";
GRANT SELECT, INSERT, UPDATE ON loadtest.runs TO "o'hara x";
GRANT SELECT, INSERT ON loadtest.samples, loadtest.run_users TO "o'hara x";
GRANT SELECT ON loadtest.operations, loadtest.scenarios TO "o'hara x";
GRANT USAGE ON SEQUENCE loadtest.run_id_seq TO "o'hara x";
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA membership TO "o'hara x";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA membership TO "o'hara x";
GRANT EXECUTE ON FUNCTION loadtest_run,
                          loadtest_scenario TO "o'hara x";
});
my @ohara = (extra_params => [ '-U', "o'hara x" ]);
is($node->safe_psql('postgres', 'SELECT current_user', @ohara),
	"o'hara x", q{connected as "o'hara x"});
$run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 15, pattern => 'mixed', think_time_ms => 0, ramp_up_s => 0)",
	@ohara);
like($run_id, qr/^\d+$/, q{"o'hara x" can run a load test});
is( $mon->query_safe(
		"SELECT status, role_name = 'o''hara x', users_lost,
		        (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id),
		        (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id AND NOT success)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|t|0|30|0',
	q{the run completed, recorded as "o'hara x"'s, every operation succeeded});
like(
	$node->safe_psql('postgres', 'SELECT loadtest_report()', @ohara),
	qr/LOAD TEST REPORT - run $run_id \(completed\)/,
	q{"o'hara x" reads the report of the run});

# ---------------------------------------------------------------------
# the client goes away mid-run
# ---------------------------------------------------------------------
my $before = newest_run_id($mon);
my $client = start_client($node, 'postgres',
	'SELECT loadtest_run(users => 2, ops => 1000000, think_time_ms => 1, ramp_up_s => 0)'
);
$run_id = '';
ok( defined poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1"
			);
			return $run_id ne ''
			  && $mon->query_safe(
				"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"
			  ) == 2;
		},
		60),
	'the client\'s run started and both users recorded samples');
my $coordinator = $mon->query_safe(
	"SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT loadtest_run(users => 2, ops => 1000000%' AND pid <> pg_backend_pid()"
);
like($coordinator, qr/^\d+$/, 'found the session running the call');
my $t0 = time;
$client->{h}->signal('KILL');
finish_client($client, 10);
my $took = poll_until(sub { loadtest_backends($mon) == 0 }, 10, 0.05, $t0);
ok(defined $took && $took <= 3.0,
	'no loadtest backend left within 3 s of the client being killed')
  or diag('took ' . ($took // 'more than 10') . ' s');
note sprintf('client killed: workers gone after %.3f s', $took // -1);
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity WHERE pid = $coordinator") == 0;
		},
		5),
	'the session of the killed client ended');
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT status FROM loadtest.runs WHERE run_id = $run_id") eq
			  'aborted';
		},
		5),
	'the run of the killed client is recorded as aborted');
is( $mon->query_safe(
		"SELECT message, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		                 = (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'the session that started the run ended|t',
	'it says why, and its samples match the operations done');
ok( defined poll_until(
		sub {
			slurp_file($node->logfile) =~
			  /FATAL:  connection to client lost during load test run $run_id/;
		},
		5),
	'the log says the client was lost');

# ---------------------------------------------------------------------
# the report of a run still going on
# ---------------------------------------------------------------------
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $bg_pid = $bg->query_safe('SELECT pg_backend_pid()');
$before = newest_run_id($mon);
$bg->query_until(qr/starting/,
	"\\echo starting\nSELECT loadtest_run(users => 2, ops => 1000000, think_time_ms => 5, ramp_up_s => 0);\n"
);
$run_id = '';
ok( defined poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.runs WHERE run_id > $before ORDER BY run_id LIMIT 1"
			);
			return $run_id ne ''
			  && $mon->query_safe(
				"SELECT count(DISTINCT user_no) FROM loadtest.samples WHERE run_id = $run_id"
			  ) == 2;
		},
		60),
	'the long run started and both users recorded samples');
my $report = $mon->query_safe("SELECT loadtest_report($run_id)");
like($report, qr/LOAD TEST REPORT - run $run_id \(running\)/,
	'the report of the running run says it is running');
like($report, qr/status: running, its figures are written when it ends/,
	'and that its figures come when it ends');
is($mon->query_safe('SELECT loadtest_mark_stale_runs()'),
	0, 'loadtest_mark_stale_runs() leaves the running run alone');
is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'running', 'the run is still running after its report');
is(loadtest_backends($mon), 3, 'its 2 users and recorder are still there');
$t0 = time;
is($mon->query_safe("SELECT pg_cancel_backend($bg_pid)"), 't', 'cancel sent');
$took = poll_until(sub { loadtest_backends($mon) == 0 }, 10, 0.05, $t0);
ok(defined $took && $took <= 2.0, 'the cancelled run\'s processes are gone')
  or diag('took ' . ($took // 'more than 10') . ' s');
ok( pump_until(
		$bg->{run}, $bg->{timeout},
		\$bg->{stderr}, qr/canceling statement due to user request/),
	'the call was cancelled');
$bg->{stderr} = '';
is($mon->query_safe("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'cancelled', 'the run is recorded as cancelled');
$bg->quit;
$mon->quit;

# ---------------------------------------------------------------------
# more users than free worker slots
# ---------------------------------------------------------------------
$node->append_conf('postgresql.conf', "max_worker_processes = 8\n");
$node->restart;
$mon = $node->background_psql('postgres', on_error_stop => 0);
$mon->set_query_timer_restart;
is($mon->query_safe('SHOW max_worker_processes'), '8', 'max_worker_processes = 8');
# the logical replication launcher takes a slot: wait until it has
ok( defined poll_until(
		sub {
			$mon->query_safe(
				"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'logical replication launcher'"
			) == 1;
		},
		10),
	'the logical replication launcher is running');
my $free = $mon->query_safe('SELECT loadtest_free_worker_slots()');
cmp_ok($free, '<=', 8, "$free free worker slots");
cmp_ok($free, '>=', 3, 'enough free slots for a small run');
$runs_before = run_state($mon);

$mon->query('SELECT loadtest_run(users => 10, ops => 1, think_time_ms => 0, ramp_up_s => 0)');
like(
	$mon->{stderr},
	qr/ERROR:  not enough background worker slots for 10 users/,
	'10 users with max_worker_processes = 8: not enough slots');
like(
	$mon->{stderr},
	qr/DETAIL:  The run needs 11 background workers \(one per user and a recorder\); $free of max_worker_processes = 8 are free\./,
	'the detail names max_worker_processes, what is needed and what is free');
my $at_least = 8 - $free + 11;
like(
	$mon->{stderr},
	qr/HINT:  Raise max_worker_processes to at least $at_least \(a restart is needed\)/,
	"the hint says to raise max_worker_processes to $at_least");
$mon->{stderr} = '';
is(run_state($mon), $runs_before, 'nothing started, nothing recorded');

# the edge: users + recorder = free slots works, one more user does not
$mon->query("SELECT loadtest_run(users => $free, ops => 1, think_time_ms => 0, ramp_up_s => 0)");
like(
	$mon->{stderr},
	qr/ERROR:  not enough background worker slots for $free users/,
	"$free users need " . ($free + 1) . " slots: refused");
$mon->{stderr} = '';
my $users = $free - 1;
$run_id = $mon->query_safe(
	"SELECT loadtest_run(users => $users, ops => 3, think_time_ms => 0, ramp_up_s => 0)");
is( $mon->query_safe(
		"SELECT status, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|' . 3 * $users,
	"$users users and the recorder take every free slot, and complete");
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 5),
	'no loadtest backend left');

$mon->quit;
finish_and_check_log($standby);
finish_and_check_log($node);

done_testing();
