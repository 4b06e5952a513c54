
# Runs by ordinary roles.  The run's recorder and user workers connect as
# the role that started the run, never as a superuser, so a role can do in
# a load test what it could do itself, and no more.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('roles');

# What a role needs to run load tests, granted to a group role by
# loadtest_grant_operator() (docs/reference.md, "Granting the right to run
# load tests"): EXECUTE on the functions that start runs, the workload
# (the simulated users read and write the membership tables as the role)
# and loadtest_delete_runs() for its own runs.  No privilege on the result tables: the
# extension writes them.
$node->safe_psql(
	'postgres', q{
CREATE ROLE loadtest_operator NOLOGIN;
SELECT loadtest_grant_operator('loadtest_operator');

CREATE ROLE alice LOGIN;
GRANT loadtest_operator TO alice;
});
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM information_schema.role_table_grants
		   WHERE grantee = 'loadtest_operator' AND table_schema = 'loadtest'}),
	'0',
	'an operator holds no privilege on a result table (not even DELETE, which would allow LOCK TABLE)');
is( $node->safe_psql(
		'postgres',
		q{SELECT has_function_privilege('loadtest_operator', 'loadtest_delete_runs(bigint[])', 'EXECUTE'),
		         has_function_privilege('loadtest_operator', 'loadtest_run(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)', 'EXECUTE')}),
	't|t',
	'an operator may start runs and delete its own through loadtest_delete_runs');
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'alice'"),
	'f', 'alice is not a superuser');

my @alice = (extra_params => [ '-U', 'alice' ]);
is($node->safe_psql('postgres', 'SELECT current_user', @alice),
	'alice', 'connected as alice');

# ---------------------------------------------------------------------
# alice runs a load test
# ---------------------------------------------------------------------
my $run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 10, pattern => 'mixed', think_time_ms => 0, ramp_up_s => 0)",
	@alice);
like($run_id, qr/^\d+$/, 'alice can run a load test');
is( $node->safe_psql(
		'postgres',
		"SELECT status, role_name, users_lost FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|alice|0',
	'her run completed and is recorded as hers');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*), count(*) FILTER (WHERE success) FROM loadtest.samples WHERE run_id = $run_id"
	),
	'20|20',
	'every operation of her run succeeded');

# during a longer run, every process of the run is alice's
my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;
my $bg = $node->background_psql('postgres', @alice);
$bg->query_until(qr/starting/,
	"\\echo starting\nSELECT loadtest_run(users => 3, ops => 60, pattern => 'read_heavy', think_time_ms => 50, ramp_up_s => 0);\n"
);
my $seen;
my $ok = poll_until(
	sub {
		$seen = $mon->query_safe(
			q{SELECT count(*) FILTER (WHERE a.backend_type = 'loadtest user'),
			         count(*) FILTER (WHERE a.backend_type = 'loadtest recorder'),
			         count(*) FILTER (WHERE a.usename IS DISTINCT FROM 'alice'),
			         coalesce(bool_or(r.rolsuper), false)
			  FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
			  WHERE a.backend_type LIKE 'loadtest%'});
		return $seen =~ /^3\|1\|/;
	},
	60);
ok(defined $ok, 'the 3 user workers and the recorder showed up')
  or diag("last seen: $seen");
is($seen, '3|1|0|f',
	'all of them connected as alice, none as a superuser');

# wait for the run to end: the output is loadtest_run()'s, then ours
my @lines = split /\n/, $bg->query_safe('SELECT max(run_id) FROM loadtest.runs');
$run_id = $lines[0];
is(scalar(@lines) . "|$lines[-1]", "2|$run_id", 'the longer run returned its run id');
is( $node->safe_psql(
		'postgres',
		"SELECT status, role_name, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		 FROM loadtest.runs r WHERE run_id = $run_id"),
	'completed|alice|180',
	'the longer run completed as alice');
$bg->quit;

# ---------------------------------------------------------------------
# carol may read the membership tables but not write them: her run goes
# on, and every write is recorded as failed with permission denied
# ---------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
CREATE ROLE carol LOGIN;
GRANT USAGE ON SCHEMA membership TO carol;
GRANT SELECT ON ALL TABLES IN SCHEMA membership TO carol;
GRANT EXECUTE ON FUNCTION loadtest_run TO carol;
});
my ($ret, $out, $err);
my $members_before =
  $node->safe_psql('postgres', 'SELECT count(*) FROM membership.members');
$run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 50, pattern => 'write_heavy', think_time_ms => 0, ramp_up_s => 0)",
	extra_params => [ '-U', 'carol' ]);
is( $node->safe_psql(
		'postgres',
		"SELECT status, role_name FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|carol',
	"carol's write_heavy run completes");
my ($writes, $writes_ok, $writes_42501, $reads, $reads_ok, $total) =
  split /\|/, $node->safe_psql(
	'postgres', qq{
	SELECT count(*) FILTER (WHERE o.kind = 'write'),
	       count(*) FILTER (WHERE o.kind = 'write' AND s.success),
	       count(*) FILTER (WHERE o.kind = 'write' AND NOT s.success AND s.sqlstate = '42501'
	                        AND s.message LIKE 'permission denied%'),
	       count(*) FILTER (WHERE o.kind = 'read'),
	       count(*) FILTER (WHERE o.kind = 'read' AND s.success),
	       count(*)
	FROM loadtest.samples s JOIN loadtest.operations o USING (operation)
	WHERE s.run_id = $run_id});
is($total, 100, 'every operation of her run was recorded');
cmp_ok($writes, '>', 0, 'her run attempted writes');
is($writes_ok, 0, 'no write succeeded');
is($writes_42501, $writes,
	'every write failed with SQLSTATE 42501, permission denied');
cmp_ok($reads, '>', 0, 'her run attempted reads');
is($reads_ok, $reads, 'every read succeeded');
is($node->safe_psql('postgres', 'SELECT count(*) FROM membership.members'),
	$members_before, 'no member was added');

# ---------------------------------------------------------------------
# results: each role sees (row-level security) and reports on its own runs
# ---------------------------------------------------------------------
is( $node->safe_psql(
		'postgres',
		'SELECT count(*), bool_and(role_name = current_user) FROM loadtest.runs', @alice),
	'2|t',
	'alice sees her two runs and no other');
is( $node->safe_psql(
		'postgres',
		'SELECT count(*), bool_and(role_name = current_user) FROM loadtest.runs',
		extra_params => [ '-U', 'carol' ]),
	'1|t',
	'carol sees her run and no other');
is( $node->safe_psql(
		'postgres',
		"SELECT count(DISTINCT run_id) FROM loadtest.samples WHERE run_id = $run_id", @alice),
	0,
	"alice sees none of carol's samples");
is( $node->safe_psql(
		'postgres', 'SELECT length(loadtest_report()) > 0', @alice),
	't',
	'alice can read the report of her latest run');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_report($run_id)", @alice);
like($err, qr/loadtest run $run_id does not exist/,
	"alice cannot read the report of carol's run");

# ---------------------------------------------------------------------
# roles that cannot run
# ---------------------------------------------------------------------
my $runs_before = $node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs');
my $seq_before = $node->safe_psql('postgres', 'SELECT last_value FROM loadtest.run_id_seq');

# a NOLOGIN role: its workers could not connect, so nothing starts
$node->safe_psql(
	'postgres', q{
CREATE ROLE dave NOLOGIN;
GRANT loadtest_operator TO dave;
});
($ret, $out, $err) = $node->psql('postgres',
	"SET ROLE dave;\nSELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0);");
isnt($ret, 0, 'a run as a NOLOGIN role fails');
like(
	$err,
	qr/ERROR:  role "dave" is not permitted to log in/,
	'a NOLOGIN role is told it may not log in');

is($node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs'),
	$runs_before, 'the refused runs left no runs row');
is($node->safe_psql('postgres', 'SELECT last_value FROM loadtest.run_id_seq'),
	$seq_before, 'the refused runs took no run id');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'no loadtest process is left');

# ---------------------------------------------------------------------
# loadtest_revoke_operator() takes back what loadtest_grant_operator() gave
# ---------------------------------------------------------------------
$node->safe_psql('postgres', q{SELECT loadtest_revoke_operator('loadtest_operator')});
($ret, $out, $err) = $node->psql('postgres',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0)', @alice);
like($err, qr/permission denied for function loadtest_run/,
	'after loadtest_revoke_operator, alice may not start runs');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM information_schema.role_table_grants
		   WHERE grantee = 'loadtest_operator'}),
	0, 'the operator role holds no table privilege any more');
($ret, $out, $err) = $node->psql('postgres', q{SELECT loadtest_grant_operator('alice')}, @alice);
like($err, qr/permission denied for function loadtest_grant_operator/,
	'an operator cannot grant itself (EXECUTE revoked from PUBLIC)');

$mon->quit;
finish_and_check_log($node);

done_testing();
