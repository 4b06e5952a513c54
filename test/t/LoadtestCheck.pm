
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
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

our @EXPORT = qw(
  new_loadtest_node
  poll_until
  loadtest_backends
  finish_and_check_log
  newest_run_id
  start_client
  finish_client
);

# A started node with the extension created and the workload seeded.
# %opts: conf => extra postgresql.conf lines, seed => members (default 2000),
# allows_streaming => 1 for a primary that standbys can be made from.
sub new_loadtest_node
{
	my ($name, %opts) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init(allows_streaming => $opts{allows_streaming} // 0);
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

# The highest run id of loadtest.runs, 0 when there is none; $session is a
# BackgroundPsql session.
sub newest_run_id
{
	my ($session) = @_;

	return $session->query_safe(
		'SELECT coalesce(max(run_id), 0) FROM loadtest.runs');
}

# A psql client process of its own running $sql (one -c command) against
# database $db, without waiting for it: for runs whose client is killed, or
# whose server goes away under them.  Returns a hash: h (the IPC::Run
# harness), stdout, stderr.  %opts: extra_params => [ psql arguments ].
sub start_client
{
	my ($node, $db, $sql, %opts) = @_;
	my $client = { stdout => '', stderr => '' };

	local %ENV = $node->_get_env();
	$client->{h} = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr($db),
			'-c', $sql, @{ $opts{extra_params} // [] }
		],
		'<', \undef,
		'>', \$client->{stdout},
		'2>', \$client->{stderr});
	return $client;
}

# Wait for a client of start_client() to end (at most $timeout seconds,
# default the TAP tests' default timeout; then it is killed).  Returns its
# exit code, or undef when it had to be killed.
sub finish_client
{
	my ($client, $timeout) = @_;
	my $t = IPC::Run::timer($timeout // $PostgreSQL::Test::Utils::timeout_default);

	$t->start;
	while ($client->{h}->pumpable && !$t->is_expired)
	{
		eval { $client->{h}->pump_nb; };
		sleep 0.05;
	}
	if ($client->{h}->pumpable)
	{
		$client->{h}->kill_kill;
		return undef;
	}
	eval { $client->{h}->finish; };
	return $client->{h}->result(0);
}

# Stop the node and fail if its log shows a crash: a process killed by a
# signal, a server process that exited abnormally, an assertion failure,
# a PANIC, a process that ignored the postmaster's SIGQUIT and had to be
# killed, or a problem with the runs' shared memory.  A background worker
# that exits with code 1 (as one stopped by pg_terminate_backend does) logs
# 'background worker "..." (PID n) exited with exit code 1': that is not
# a crash and is not flagged.
#
# An immediate shutdown ($node->stop('immediate'), as test/t/005_crash.pl
# does) is not flagged either: PostgreSQL 15 logs it as "received immediate
# shutdown request" and, at the next start, "database system was
# interrupted", "database system was not properly shut down; automatic
# recovery in progress", "redo starts/done", "invalid record length" (the
# end of the WAL).  It does not log the exit of the processes it stops (the
# postmaster logs no child exits once an immediate shutdown has begun, and
# the 'terminating connection because of ...' warnings of a SIGQUIT go to
# clients only), so a process of ours that crashed before is still seen.
sub finish_and_check_log
{
	my ($node) = @_;
	my @patterns = (
		qr/terminated by signal/,
		qr/was terminated by/,
		qr/server process .* exited with exit code/,
		qr/PANIC/,
		qr/TRAP:/,
		qr/issuing SIGKILL to recalcitrant children/,
		qr/could not map dynamic shared memory/,
		qr/segmentation/i,
		qr/WARNING:.*leak/,
		qr/non-empty SPI stack/,
		qr/you don't own a lock/,
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
