
# loadtest.environment = 'production': runs are refused unless forced, a
# forced run says so in its record, and only a superuser can change the
# setting.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('production',
	conf => "loadtest.environment = 'production'\n");

is($node->safe_psql('postgres', 'SHOW loadtest.environment'),
	'production', 'SHOW loadtest.environment');
is( $node->safe_psql(
		'postgres', 'SELECT loadtest_free_worker_slots() > 0; SHOW loadtest.environment'),
	"t\nproduction",
	'the setting is production once the library is loaded');

# an unforced run is refused before anything starts
my ($ret, $out, $err) =
  $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)');
isnt($ret, 0, 'an unforced run fails');
like(
	$err,
	qr/ERROR:  refusing to run a load test on a production server/,
	'the unforced run is refused as a production server');
like($err, qr/force => true/, 'the hint names force => true');
is($node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs'),
	0, 'the refused run left no runs row');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'the refused run started no worker');

# force => true runs it, and the record says it was forced in production
my $run_id = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0, force => true)'
);
like($run_id, qr/^\d+$/, 'a forced run returns its run id');
is( $node->safe_psql(
		'postgres',
		"SELECT status, forced, environment FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|t|production',
	'the forced run completed, recorded as forced in production');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	1,
	'the forced run recorded its one operation');

# loadtest_scenario() passes force on: a one-user scenario of our own
$node->safe_psql('postgres',
	"INSERT INTO loadtest.scenarios VALUES ('tap_tiny', 1, 2, 'read_heavy', 0, 0, 'TAP test')"
);
($ret, $out, $err) =
  $node->psql('postgres', "SELECT loadtest_scenario('tap_tiny')");
like(
	$err,
	qr/refusing to run a load test on a production server/,
	'an unforced scenario is refused');
$run_id = $node->safe_psql('postgres',
	"SELECT loadtest_scenario('tap_tiny', force => true)");
is( $node->safe_psql(
		'postgres',
		"SELECT status, forced, environment, users * ops_per_user FROM loadtest.runs WHERE run_id = $run_id"
	),
	'completed|t|production|2',
	'a forced scenario runs, recorded as forced');

# Only a superuser may change the setting (PGC_SUSET).  The check needs the
# library loaded: a loadtest function call loads it (a non-superuser may not
# LOAD it).  eve may run load tests, so that she has a reason to try.
$node->safe_psql(
	'postgres', q{
	CREATE ROLE eve LOGIN;
	GRANT EXECUTE ON FUNCTION loadtest_run TO eve;
});
my @eve = (extra_params => [ '-U', 'eve' ]);

is($node->safe_psql('postgres', 'SELECT rolsuper FROM pg_roles WHERE rolname = \'eve\''),
	'f', 'eve is not a superuser');
($ret, $out, $err) = $node->psql(
	'postgres',
	"SELECT loadtest_free_worker_slots() > 0;\nSET loadtest.environment = 'development';",
	@eve);
isnt($ret, 0, 'a non-superuser SET of loadtest.environment fails');
like(
	$err,
	qr/permission denied to set parameter "loadtest\.environment"/,
	'a non-superuser gets permission denied');

# Set before the library is loaded, the value does not survive the load.
($ret, $out, $err) = $node->psql(
	'postgres',
	"SET loadtest.environment = 'development';\nSELECT loadtest_free_worker_slots() > 0;\nSHOW loadtest.environment;\nSELECT loadtest_run(users => 1, ops => 1);",
	@eve);
like(
	$out,
	qr/^t\nproduction$/m,
	'a placeholder value set by a non-superuser is dropped when the library loads');
like(
	$err,
	qr/refusing to run a load test on a production server/,
	'and the run is still refused');

# Given in the client's startup options (PGOPTIONS), the value was the
# session's default before the library loaded, and the server's value is
# lost for the session: its runs are refused unless forced.
{
	local $ENV{PGOPTIONS} = '-c loadtest.environment=development';
	($ret, $out, $err) = $node->psql('postgres',
		"SELECT loadtest_run(users => 1, ops => 1);", @eve);
	isnt($ret, 0, 'a run of a session given loadtest.environment in PGOPTIONS by a non-superuser fails');
	like($err,
		qr/ERROR:  refusing to run a load test: loadtest.environment was set for this session by a role that may not set it\nDETAIL:  The session's value "development" was refused/,
		'... refused: the production guard cannot tell what the server is');
}

($ret, $out, $err) = $node->psql('postgres',
	"ALTER ROLE eve SET loadtest.environment = 'development'", @eve);
like(
	$err,
	qr/permission denied to set parameter "loadtest\.environment"/,
	'a non-superuser cannot set it for her role either');

is($node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs'),
	2, 'only the two forced runs were recorded');

finish_and_check_log($node);

done_testing();
