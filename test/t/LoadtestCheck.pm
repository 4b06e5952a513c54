
# Helpers shared by the TAP tests of loadtest (test/t/*.pl).
#
# A test file loads it with
#     use FindBin;
#     use lib $FindBin::RealBin;
#     use LoadtestCheck;
#
# It is a .pm, not a .pl, so that prove does not run it as a test.

package LoadtestCheck;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

our @EXPORT = qw(
  new_loadtest_node
  poll_until
  loadtest_backends
  finish_and_check_log
);

# A started node with the extension created and the workload seeded.
# %opts: conf => extra postgresql.conf lines, seed => members (default 2000).
sub new_loadtest_node
{
	my ($name, %opts) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init;
	$node->append_conf('postgresql.conf',
		"max_worker_processes = 32\n"
		  . "loadtest.progress_interval = 0\n"
		  . ($opts{conf} // ''));
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION loadtest');
	$node->safe_psql('postgres',
		'SELECT loadtest_seed(' . ($opts{seed} // 2000) . ')');
	return $node;
}

# Call $check every $interval seconds (default 0.05) until it returns true
# or $limit seconds have passed.  Returns the seconds it took (measured
# from $since, a Time::HiRes time, when given), or undef on time-out.
sub poll_until
{
	my ($check, $limit, $interval, $since) = @_;
	my $start = time;

	$interval //= 0.05;
	$since //= $start;
	for (;;)
	{
		return time - $since if $check->();
		return undef if time - $start > $limit;
		sleep $interval;
	}
}

# How many processes of load test runs (users and recorders) are there?
# $session is a BackgroundPsql session: a query of its own per call, so
# each sees fresh pg_stat_activity.
sub loadtest_backends
{
	my ($session) = @_;

	return $session->query_safe(
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"
	);
}

# Stop the node and fail if its log shows a crash: a process killed by a
# signal, a server process that exited abnormally, an assertion failure,
# a PANIC, or a problem with the runs' shared memory.  A background worker
# that exits with code 1 (as one stopped by pg_terminate_backend does) logs
# 'background worker "..." (PID n) exited with exit code 1': that is not
# a crash and is not flagged.
sub finish_and_check_log
{
	my ($node) = @_;
	my @patterns = (
		qr/terminated by signal/,
		qr/was terminated by/,
		qr/server process .* exited with exit code/,
		qr/PANIC/,
		qr/TRAP:/,
		qr/could not map dynamic shared memory/,
		qr/segmentation/i,
	);

	$node->stop;
	my @bad;
	for my $line (split /\n/, slurp_file($node->logfile))
	{
		push @bad, $line if grep { $line =~ $_ } @patterns;
	}
	is(scalar(@bad), 0, 'server log shows no crash')
	  or diag(join("\n", @bad[ 0 .. ($#bad < 20 ? $#bad : 19) ]));
	return;
}

1;
