
# Attacks on the evidence of 1.4, from an operator role (loadtest_grant_operator)
# that owns a schema of its own.  The recorder runs the caller's SQL when
# it captures the plans of the run's statements (functions the planner
# evaluates) and when it gathers values; it then writes the results as
# their owner, a superuser.
#  - SQL of the caller's that changes the session's search_path
#    (set_config(..., false)) must not outlive the caller's part: else the
#    owner's next statement binds an operator of the caller's schema, and
#    the operator role makes itself superuser (found by the attacker's
#    review: on the second run, whose plans are compared with the first's).
#  - SQL of the caller's that traps the cancel while the recorder captures
#    plans must not keep the recorder (its worker slot, the extension's
#    lock) once the run is cancelled, nor once the caller's session is
#    gone (terminated: the call's cancel handling never runs); nor may a
#    worker whose operation traps the cancel outlive its terminated caller.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('evidence_attacks', seed => 200);

$node->safe_psql(
	'postgres', q{
CREATE ROLE atk LOGIN;
SELECT loadtest_grant_operator('atk');
CREATE SCHEMA evil AUTHORIZATION atk;
});

my $attack = q{
SET loadtest.progress_interval = 0;
CREATE TABLE evil.t (a int); INSERT INTO evil.t VALUES (1);
-- an = of text that makes a superuser caller grant atk superuser
CREATE FUNCTION evil.texteq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE atk SUPERUSER';
  END IF;
  RETURN pg_catalog.texteq(a, b);
END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
-- folded by the planner when the recorder explains the statement
CREATE FUNCTION evil.f(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM pg_catalog.set_config('search_path', 'evil, pg_catalog', false); RETURN i; END $$;
SELECT loadtest_define_operation('atk_op', 'read', ARRAY['SELECT a FROM evil.t WHERE a = evil.f(1)'], '[]');
SELECT loadtest_run(users => 1, ops => 3, pattern => 'atk_op', think_time_ms => 0, ramp_up_s => 0);
SELECT loadtest_run(users => 1, ops => 3, pattern => 'atk_op', think_time_ms => 0, ramp_up_s => 0);
SELECT loadtest_run(users => 1, ops => 3, pattern => 'atk_op', think_time_ms => 0, ramp_up_s => 0);
};
my ($rc, $out, $err) = $node->psql('postgres', $attack, extra_params => [ '-U', 'atk' ]);
is($rc, 0, 'the attacking runs complete') or diag($err);
is( $node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'atk'"),
	'f', 'the operator role did not become superuser');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FILTER (WHERE status = 'completed') || ' ' || count(*)
		    FROM loadtest.runs WHERE pattern = 'atk_op'}),
	'3 3',
	'its three runs completed');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM loadtest.run_plans p JOIN loadtest.runs r USING (run_id)
		   WHERE r.pattern = 'atk_op' AND p.plan IS NOT NULL AND NOT p.changed}),
	'3',
	'each run kept the plan of its statement, unchanged since the previous run');

# A planner-evaluated function that traps every cancel.
$node->safe_psql(
	'postgres', q{
CREATE FUNCTION evil.trap(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN LOOP BEGIN PERFORM pg_sleep(60); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$;
ALTER FUNCTION evil.trap(int) OWNER TO atk;
});
($rc, $out, $err) = $node->psql(
	'postgres', q{
SET loadtest.progress_interval = 0;
SELECT loadtest_define_operation('atk_trap', 'read', ARRAY['SELECT a FROM evil.t WHERE a = evil.trap(1)'], '[]');
SET statement_timeout = '2s';
SELECT loadtest_run(users => 1, ops => 3, pattern => 'atk_trap', think_time_ms => 0, ramp_up_s => 0);
},
	extra_params => [ '-U', 'atk' ]);
like($err, qr/canceling statement due to statement timeout/, 'the run is cancelled');
my $mon = $node->background_psql('postgres');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 15),
	'no process of the run is left after the cancel (the recorder trapping it was terminated)');
is( $node->safe_psql('postgres', "SELECT count(*) FROM loadtest.runs WHERE pattern = 'atk_trap'"),
	'0', 'the cancelled run left no run behind');

# The same trap, but the caller's session ends (terminated: a FATAL that
# never reaches the call's cancel handling, as a lost client would): the
# recorder ends itself once the grace is over.
sub terminate_caller_and_time
{
	my ($sql, $what) = @_;
	my $client = start_client($node, 'postgres', $sql, extra_params => [ '-U', 'atk' ]);
	my $pid;
	poll_until(
		sub {
			$pid = $mon->query_safe(
				"SELECT pid FROM pg_stat_activity WHERE query LIKE 'SET loadtest.progress_interval = 0; SELECT loadtest_run(%' AND backend_type = 'client backend'"
			);
			return $pid ne '' && loadtest_backends($mon) > 0;
		},
		30);
	sleep 1.5;
	my $t0 = time;
	$mon->query_safe("SELECT pg_terminate_backend($pid)");
	my $gone = poll_until(sub { loadtest_backends($mon) == 0 }, 30, 0.05, $t0);
	finish_client($client, 10);
	ok(defined $gone, "$what: every process of the run is gone after its caller was terminated")
	  and note(sprintf('%s: gone %.2f s after the termination', $what, $gone));
	cmp_ok($gone // 99, '<', 5, "$what: within the grace and a few seconds");
}

terminate_caller_and_time(
	"SET loadtest.progress_interval = 0; SELECT loadtest_run(users => 1, ops => 3, pattern => 'atk_trap', think_time_ms => 0, ramp_up_s => 0)",
	'a recorder trapping the cancel while it captures plans');

# A worker whose operation traps the cancel, its caller terminated.
$node->safe_psql(
	'postgres', q{
CREATE FUNCTION evil.trapv() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN LOOP BEGIN PERFORM pg_sleep(60); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$;
ALTER FUNCTION evil.trapv() OWNER TO atk;
});
$node->safe_psql('postgres',
	q{SELECT loadtest_define_operation('atk_trapv', 'read', ARRAY['SELECT evil.trapv()'], '[]')},
	extra_params => [ '-U', 'atk' ]);
terminate_caller_and_time(
	"SET loadtest.progress_interval = 0; SELECT loadtest_run(users => 2, ops => 3, pattern => 'atk_trapv', think_time_ms => 0, ramp_up_s => 0)",
	'workers trapping the cancel in their operation');
is( $node->safe_psql(
		'postgres',
		q{SELECT status FROM loadtest.runs WHERE pattern = 'atk_trapv' ORDER BY run_id DESC LIMIT 1}),
	'aborted',
	'that run is recorded as aborted');
$mon->quit;

finish_and_check_log($node);
done_testing();
