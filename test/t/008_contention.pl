
# Contention: write-heavy users on a handful of hot rows deadlock (read
# committed) and fail to serialize (serializable); failures are counted by
# SQLSTATE, and loadtest.max_tries retries them, with retries reported
# apart from failures.  Deadlocks and serialization failures depend on
# timing, so each scenario runs until it has seen one (a few runs at most).

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('contention', conf => "deadlock_timeout = 10ms\n");

my $users = 8;
my $ops = 100;

# Run write_heavy on 2 hot rows with the given settings; returns the run id.
sub contended_run
{
	my ($settings) = @_;
	return $node->safe_psql('postgres',
		"SET loadtest.hot_rows = 2; $settings
		 SELECT loadtest_run(users => $users, ops => $ops, pattern => 'write_heavy',
		                     think_time_ms => 0, ramp_up_s => 0)");
}

# Run until the run has samples with that SQLSTATE, at most 5 times.
sub run_until_sqlstate
{
	my ($settings, $sqlstate) = @_;
	my $run_id;
	for my $attempt (1 .. 5)
	{
		$run_id = contended_run($settings);
		last
		  if $node->safe_psql('postgres',
			"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND sqlstate = '$sqlstate'"
		  ) > 0;
	}
	return $run_id;
}

# Every attempt is a sample, and every failure has its SQLSTATE and message.
sub check_accounting
{
	my ($run_id, $name) = @_;
	is( $node->safe_psql('postgres',
			"SELECT count(*), count(*) FILTER (WHERE NOT success AND (sqlstate IS NULL OR message IS NULL)),
			        count(*) FILTER (WHERE success AND sqlstate IS NOT NULL)
			 FROM loadtest.samples WHERE run_id = $run_id"),
		($users * $ops) . '|0|0',
		"$name: every operation is a sample; failures carry SQLSTATE and message");
	is($node->safe_psql('postgres', "SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
		'completed', "$name: the run completed: errors do not stop users");
}

# read committed: deadlocks, no retry
my $run_id = run_until_sqlstate('', '40P01');
check_accounting($run_id, 'read committed');
ok( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND sqlstate = '40P01'") > 0,
	'read committed: hot rows produce deadlocks (40P01), counted as failures');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND tries <> 1"),
	0, 'read committed: without max_tries nothing is retried');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.error_stats WHERE run_id = $run_id AND sqlstate = '40P01'") > 0
	  ? 'yes' : 'no',
	'yes', 'error_stats lists the deadlocks by SQLSTATE');

# serializable: serialization failures
$run_id = run_until_sqlstate("SET loadtest.isolation = 'serializable';", '40001');
check_accounting($run_id, 'serializable');
ok( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND sqlstate = '40001'") > 0,
	'serializable: hot rows produce serialization failures (40001)');
is( $node->safe_psql('postgres', "SELECT isolation FROM loadtest.runs WHERE run_id = $run_id"),
	'serializable', 'the run records its isolation level');

# serializable with retries: retried operations are counted apart
my $tries = 10;
$run_id = undef;
for my $attempt (1 .. 5)
{
	$run_id = contended_run(
		"SET loadtest.isolation = 'serializable'; SET loadtest.max_tries = $tries;");
	last
	  if $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND tries > 1 AND success"
	  ) > 0;
}
check_accounting($run_id, 'max_tries');
ok( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND tries > 1 AND success") > 0,
	'max_tries: some operations succeeded after a retry');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND (tries < 1 OR tries > $tries)"),
	0, "max_tries: no operation was tried more than $tries times");
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id
		 AND NOT success AND sqlstate IN ('40001', '40P01') AND tries <> $tries"),
	0, 'max_tries: a retryable failure is recorded only once its tries are used up');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id
		 AND tries > 1 AND sqlstate NOT IN ('40001', '40P01')"),
	0, 'max_tries: only serialization failures and deadlocks are retried');
is( $node->safe_psql('postgres',
		"SELECT s.retries = (SELECT sum(tries - 1) FROM loadtest.samples WHERE run_id = $run_id)
		        AND s.retried_ops = (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND tries > 1)
		        AND s.failed = (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND NOT success)
		 FROM loadtest.run_summary s WHERE s.run_id = $run_id"),
	't', 'run_summary counts retries apart from failures');
my $report = $node->safe_psql('postgres', "SELECT loadtest_report($run_id)");
like($report, qr/Isolation: serializable/, 'the report shows the isolation level');
like($report, qr/Max Tries: $tries/, 'the report shows max_tries');
like($report, qr/Retried: [\d,]+ operations \([\d,]+ retries\)/, 'the report shows the retries');

finish_and_check_log($node);
done_testing();
