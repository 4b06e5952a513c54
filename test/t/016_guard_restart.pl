
# Marking a server as production the documented way holds for every later
# session, across a restart, and for pg_cron jobs:
#     LOAD 'loadtest';
#     ALTER SYSTEM SET loadtest.environment = 'production';
#     SELECT pg_reload_conf();
# (PostgreSQL 15 knows loadtest.environment only once the library is
# loaded in the session: ALTER SYSTEM without the LOAD fails.)  A role that
# is not a superuser cannot switch the guard off, for its session or its
# database; a value the library does not know (a typo in postgresql.conf)
# refuses runs instead of falling back to development.
#
# pg_cron 1.4 schedules by the minute: its job runs at the next minute
# boundary, so this test waits up to 75 s for it (the other checks run
# while it waits).

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node(
	'guard',
	conf => "shared_preload_libraries = 'pg_cron'\n"
	  . "cron.database_name = 'postgres'\n"
	  . "cron.use_background_workers = on\n"
	  . "cron.max_running_jobs = 4\n");
$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron');

my $refused = qr/ERROR:  refusing to run a load test on a production server/;

# ---------------------------------------------------------------------
# ALTER SYSTEM in a fresh session
# ---------------------------------------------------------------------
my ($ret, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET loadtest.environment = 'production'");
isnt($ret, 0, 'ALTER SYSTEM SET loadtest.environment fails before the library is loaded');
like(
	$err,
	qr/unrecognized configuration parameter "loadtest\.environment"/,
	'PostgreSQL 15: the parameter is unknown until the library is loaded');

($ret, $out, $err) = $node->psql('postgres',
	"LOAD 'loadtest';\nALTER SYSTEM SET loadtest.environment = 'prod';");
isnt($ret, 0, 'after LOAD, ALTER SYSTEM checks the value');
like($err, qr/invalid value for parameter "loadtest\.environment": "prod"/,
	'after LOAD, a typo is rejected by ALTER SYSTEM');

$node->safe_psql(
	'postgres', q{
LOAD 'loadtest';
ALTER SYSTEM SET loadtest.environment = 'production';
SELECT pg_reload_conf();
});
pass('LOAD, then ALTER SYSTEM SET loadtest.environment = production, works');

# a session started after the reload, before any restart
($ret, $out, $err) =
  $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)');
like($err, $refused, 'after the reload, a fresh session\'s run is refused');

# ---------------------------------------------------------------------
# after a restart
# ---------------------------------------------------------------------
$node->restart;

# pg_cron first: its job runs at the next minute boundary, checked below
my $runs_before = $node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs');
my $jobid = $node->safe_psql('postgres',
	"SELECT cron.schedule('guard', '* * * * *', 'SELECT loadtest_run(users => 1, ops => 1)')");
like($jobid, qr/^\d+$/, 'pg_cron job scheduled');
my $scheduled_at = time;

is($node->safe_psql('postgres', 'SHOW loadtest.environment'),
	'production', 'after the restart, a fresh session sees production');
($ret, $out, $err) =
  $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)');
isnt($ret, 0, 'after the restart, an unforced run fails');
like($err, $refused, 'after the restart, an unforced run is refused');

my $run_id = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0, force => true)');
is( $node->safe_psql(
		'postgres',
		"SELECT status, forced, environment FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|t|production',
	'force => true runs, recorded as forced in production');

# an operator that is not a superuser
$node->safe_psql(
	'postgres', q{
	CREATE ROLE op LOGIN;
	SELECT loadtest_grant_operator('op');
	CREATE ROLE dbo LOGIN;
	ALTER DATABASE postgres OWNER TO dbo;
});
($ret, $out, $err) = $node->psql(
	'postgres',
	"SET loadtest.environment = 'development';\nSELECT loadtest_run(users => 1, ops => 1);",
	extra_params => [ '-U', 'op' ]);
like($err, $refused,
	'an operator that sets development before the library is loaded is still refused');

# the database's owner, not a superuser: before and after the library is
# loaded in its session
($ret, $out, $err) = $node->psql('postgres',
	"ALTER DATABASE postgres SET loadtest.environment = 'development'",
	extra_params => [ '-U', 'dbo' ]);
isnt($ret, 0, 'the database owner cannot ALTER DATABASE ... SET loadtest.environment');
like($err, qr/permission denied to set parameter "loadtest\.environment"/,
	'the database owner gets permission denied');
($ret, $out, $err) = $node->psql(
	'postgres',
	"SELECT loadtest_free_worker_slots() > 0;\nALTER DATABASE postgres SET loadtest.environment = 'development';",
	extra_params => [ '-U', 'dbo' ]);
like($err, qr/permission denied to set parameter "loadtest\.environment"/,
	'the database owner gets permission denied with the library loaded too');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_db_role_setting, unnest(setconfig) AS c WHERE c LIKE 'loadtest.%'"),
	0,
	'no database or role setting of loadtest.environment was stored');
($ret, $out, $err) = $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)',
	extra_params => [ '-U', 'op' ]);
like($err, $refused, 'the operator\'s runs are still refused');
$node->safe_psql('postgres', 'ALTER DATABASE postgres OWNER TO CURRENT_USER');

# ---------------------------------------------------------------------
# the pg_cron job, in a background worker of pg_cron
# ---------------------------------------------------------------------
my $job_run = '';
my $waited = poll_until(
	sub {
		$job_run = $node->safe_psql('postgres',
			"SELECT status || '|' || coalesce(return_message, '') FROM cron.job_run_details
			 WHERE jobid = $jobid AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1");
		return $job_run ne '';
	},
	75, 0.5);
ok(defined $waited, 'the pg_cron job ran');
note sprintf('the pg_cron job ended %.1f s after it was scheduled', time - $scheduled_at);
my ($job_status, $job_message) = split /\|/, $job_run, 2;
is($job_status, 'failed', 'the pg_cron job failed');
like($job_message // '', qr/refusing to run a load test on a production server/,
	'the pg_cron job was refused as on a production server');
is($node->safe_psql('postgres', 'SELECT count(*) FROM loadtest.runs'),
	$runs_before + 1, 'the pg_cron job made no run (only the forced run was recorded)');
is($node->safe_psql('postgres', "SELECT cron.unschedule($jobid)"), 't',
	'pg_cron job unscheduled');

# ---------------------------------------------------------------------
# a typo in postgresql.conf: runs are refused, not let through as
# development
# ---------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
LOAD 'loadtest';
ALTER SYSTEM RESET loadtest.environment;
});
$node->append_conf('postgresql.conf', "loadtest.environment = 'prod'\n");
$node->reload;
my $not_known =
  qr/ERROR:  refusing to run a load test: loadtest.environment is "prod", which is not a known value/;
($ret, $out, $err) = $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)');
like($err, $not_known, 'a typo in postgresql.conf (after a reload): the run is refused');

$node->restart;
($ret, $out, $err) = $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)');
isnt($ret, 0, 'a typo in postgresql.conf (after a restart): the run fails');
like($err, $not_known, 'a typo in postgresql.conf (after a restart): the run is refused');
($ret, $out, $err) = $node->psql('postgres', 'SELECT loadtest_run(users => 1, ops => 1)',
	extra_params => [ '-U', 'op' ]);
like($err, $not_known, 'a typo: the operator\'s run is refused too');
$run_id = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 1, ops => 1, think_time_ms => 0, ramp_up_s => 0, force => true)');
is($node->safe_psql('postgres', "SELECT status, forced FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|t', 'a typo: force => true runs');

is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'no loadtest process left');

finish_and_check_log($node);

done_testing();
