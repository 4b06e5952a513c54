
# pg_loadtest, the command-line client (1.6): its options and --help, the
# three ways of connecting (a connection string, -h/-p and a database name,
# the PG* environment), the scenarios and their overrides, each export
# format (text, JSON, HTML) checked by content, the exit statuses (0
# completed and every threshold held, 1 a threshold broke, 2 the run could
# not start, was cancelled or the connection was lost, 3 bad usage), the
# progress without a terminal (plain lines) and on one (a bar redrawn with
# \r, through a pseudo-terminal), and Ctrl-C: the run is cancelled, its
# processes are gone, the partial report is printed.
#
# The binary is the installed one (`make install` puts it into pg_config's
# bindir, next to pgbench); PG_LOADTEST=path tests another build.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use IO::Pty;
use IPC::Run;
use JSON::PP;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('client');
my $mon = $node->background_psql('postgres');
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $bin = $ENV{PG_LOADTEST} // $node->config_data('--bindir') . '/pg_loadtest';
ok(-x $bin, "pg_loadtest is installed ($bin)") or BAIL_OUT("no pg_loadtest at $bin");

# A small run: 3 users x 20 operations, no pauses, all at once.
my @small = ('--users', '3', '--ops', '20', '--think-time', '0', '--ramp-up', '0');

# Run the client to its end: ($exit_status, $stdout, $stderr).  %opts:
# env => { extra environment }, connect => [ connection arguments ]
# (default: -d with the node's connection string).
sub client
{
	my ($args, %opts) = @_;
	my ($out, $err) = ('', '');
	my @connect = @{ $opts{connect} // [ '-d', $node->connstr('postgres') ] };

	local %ENV = %ENV;
	delete @ENV{qw(PGHOST PGPORT PGDATABASE PGUSER PGSERVICE PGOPTIONS)};
	%ENV = (%ENV, %{ $opts{env} // {} });
	IPC::Run::run([ $bin, @connect, @$args ],
		'<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $out, $err);
}

sub newest_run
{
	return newest_run_id($mon);
}

sub run_row
{
	my ($run_id, $columns) = @_;
	return $mon->query_safe("SELECT $columns FROM loadtest.runs WHERE run_id = $run_id");
}

# --- --help, --version, usage errors: exit 3, no run --------------------------
my ($rc, $out, $err) = client(['--help'], connect => []);
is($rc, 0, '--help exits with 0');
like($out, qr/^Usage:\n  pg_loadtest \[OPTION\]\.\.\. \[DBNAME\]$/m, '--help shows the usage');
for my $opt (
	qw(--users --ops --think-time --ramp-up --pattern --quick --stress --export
	--force --duration --rate --pool-size --stages --samples --scenario
	--max-avg-ms --max-p95-ms --max-p99-ms --min-throughput --min-success-pct
	--compare --max-regression-pct --require-ready --target-users --target-ms
	--progress --quiet --host --port --username --dbname))
{
	like($out, qr/^\s+(-\S, )?\Q$opt\E[= ]/m, "--help lists $opt");
}
like($out, qr/Exit status: 0 .*1 a threshold broke;\n2 .*3 bad usage/s,
	'--help gives the exit statuses');

($rc, $out) = client(['--version'], connect => []);
is($rc, 0, '--version exits with 0');
like($out, qr/^pg_loadtest \(loadtest\) \d+\.\d+\n\z/, "--version: $out");

my $runs_before = newest_run();
for my $case (
	[ [qw(--bogus)],                        qr/unrecognized option "--bogus"/ ],
	[ [qw(--users abc)],                    qr/invalid value "abc" for option --users: a whole number/ ],
	[ [qw(--users 1.5)],                    qr/invalid value "1\.5" for option --users/ ],
	[ [qw(--ramp-up nan)],                  qr/invalid value "nan" for option --ramp-up: a finite number/ ],
	[ [qw(--users)],                        qr/option --users requires an argument/ ],
	[ [qw(--quick --stress)],               qr/option --stress conflicts with --quick/ ],
	[ [qw(--stress --scenario peak)],       qr/option --scenario conflicts with --stress/ ],
	[ [qw(--export report.pdf)],            qr/cannot tell the format of export file "report\.pdf"/ ],
	[ [qw(--max-avg-ms -1)],                qr/--max-avg-ms: a number of 0 or more/ ],
	[ [qw(--min-success-pct 101)],          qr/--min-success-pct: a number from 0 to 100/ ],
	[ [qw(--max-regression-pct 10)],        qr/option --max-regression-pct needs --compare/ ],
	[ [qw(--stages [] --duration 10)],      qr/option --stages conflicts with --duration/ ],
	[ [qw(--target-ms 0)],                  qr/--target-ms: a positive number/ ],
	[ [qw(--progress -1)],                  qr/--progress: a number of seconds/ ],
	[ [qw(postgres)],                       qr/the database is given twice: with -d and as "postgres"/ ])
{
	my ($args, $message) = @$case;
	($rc, $out, $err) = client($args);
	is($rc, 3, "@$args: exit status 3 (bad usage)");
	like($err, $message, "@$args: the message says why");
	like($err, qr/Try "pg_loadtest --help"/, "@$args: the hint points to --help");
}
($rc, $out, $err) = client([qw(postgres extra)], connect => []);
is($rc, 3, 'two database names: exit status 3');
like($err, qr/too many command-line arguments \(first is "extra"\)/, 'the message says why');
is(newest_run(), $runs_before, 'bad usage starts no run');

# --- runs that cannot start: exit 2, the server's message, no run -------------
for my $case (
	[ [qw(--users 0)],          qr/ERROR:  users must be between 1 and 100000, not 0\nHINT:  /, 'users 0' ],
	[ [qw(--pattern nosuch)],   qr/ERROR:  unknown load test pattern "nosuch"\nDETAIL:  Patterns are /, 'an unknown pattern' ],
	[ [qw(--duration 0)],       qr/ERROR:  duration must be between 1 second and 7 days/, 'a duration of 0' ],
	[ [qw(--scenario nosuch)],  qr/unknown load test scenario "nosuch"\npg_loadtest: hint: Known scenarios: .*quick/, 'an unknown scenario' ],
	[ [qw(--compare 999999)],   qr/baseline run 999999 does not exist/, 'an unknown baseline' ],
	[ [ '--export', "$tmp/no/such/dir/r.txt" ], qr/cannot write export file/, 'an export file that cannot be written' ])
{
	my ($args, $message, $what) = @$case;
	($rc, $out, $err) = client([ @small, @$args ]);
	is($rc, 2, "$what: exit status 2 (the run cannot start)");
	like($err, $message, "$what: the message says why") or diag($err);
	is($out, '', "$what: no report");
}
($rc, $out, $err) = client(\@small, connect => [ '-h', $node->host, '-p', '1', 'postgres' ]);
is($rc, 2, 'no server on the port: exit status 2');
like($err, qr/^pg_loadtest: error: connection to server .* failed/m, 'with libpq\'s message');
is(newest_run(), $runs_before, 'the refused runs left no run behind');

# --- a completed run: report on stdout and as text, plain progress ------------
# 3 users x 20 operations with 100 ms pauses: about 2 seconds, a progress
# line every half second; connected with -h, -p and a database name.
($rc, $out, $err) = client(
	[ '--users', '3', '--ops', '20', '--think-time', '100', '--ramp-up', '0',
	  '--progress', '0.5', '--export', "$tmp/report.txt" ],
	connect => [ '-h', $node->host, '-p', $node->port, 'postgres' ]);
my $run = newest_run();
is($rc, 0, "a completed run (run $run) exits with 0") or diag($err);
is(run_row($run, 'status, users, ops_per_user, think_time_ms, ramp_up_s, pattern'),
	'completed|3|20|100|0|distributed', 'the run has the options given, the default pattern');
like($out, qr/^LOAD TEST REPORT - run \Q$run\E \(completed\)$/m, 'stdout has the report');
like($out, qr/^Response Times \(ms\):$/m, 'with its response times');
like($out, qr/^Operation Breakdown:$/m, 'and its operations');
is(slurp_file("$tmp/report.txt"), $out, 'the .txt export is the report on stdout');
like($err, qr/^pg_loadtest: run \Q$run\E started: 3 users x 20 operations, pattern distributed/m,
	'stderr says the run started');
my @lines = $err =~ m{^pg_loadtest: run \Q$run\E: \d+/60 operations \(\d+%\), [\d.]+ ops/s, p95 \S+( ms)?, \d+ errors?, \d+ users? active, [\d.]+ s elapsed}mg;
cmp_ok(scalar(@lines), '>=', 2, 'without a terminal: plain progress lines (' . scalar(@lines) . ')')
  or diag($err);
unlike($err, qr/\r/, 'no carriage return without a terminal');
like($err, qr/^pg_loadtest: run \Q$run\E completed: 60 operations \(0 failed\)/m,
	'stderr says the run completed, with its figures');
like($err, qr/text report written to \Q$tmp\E\/report\.txt/, 'and where the export went');
my $baseline = $run;

# --- JSON, through the PG* environment, --quiet --------------------------------
($rc, $out, $err) = client(
	[ @small, '--quiet', '--export', "$tmp/report.JSON" ],
	connect => [],
	env => { PGHOST => $node->host, PGPORT => $node->port, PGDATABASE => 'postgres' });
$run = newest_run();
is($rc, 0, "JSON export through PGHOST/PGPORT/PGDATABASE (run $run): exit 0") or diag($err);
is($out, '', '--quiet: nothing on stdout');
is($err, '', '--quiet: nothing on stderr when all went well');
my $json = eval { decode_json(slurp_file("$tmp/report.JSON")) };
ok(defined $json, 'the .JSON export parses') or diag($@);
is($json->{run_id}, $run, 'it is the run\'s report');
is($json->{run}{status}, 'completed', 'its status');
is($json->{overall}{total_ops}, 60, 'its 60 operations');
ok(exists $json->{response_times}{p95_ms} && exists $json->{verdict},
	'its response times and verdict');

# --- HTML -----------------------------------------------------------------------
{
	($rc, $out, $err) = client([ @small, '--quiet', '--export', "$tmp/report.html" ]);
	$run = newest_run();
	is($rc, 0, "HTML export (run $run): exit 0") or diag($err);
	my $html = slurp_file("$tmp/report.html");
	like($html, qr/\A<!DOCTYPE html>/i, 'the .html export starts with <!DOCTYPE html>');
	like($html, qr{</html>\s*\z}i, 'and ends with </html>');
	like($html, qr/run \Q$run\E/, 'it names the run');
	($rc, $out, $err) = client([ @small, '--quiet', '--export', "$tmp/report.htm" ]);
	is($rc, 0, '.htm is HTML too');
}
# --- thresholds and the comparison: exit 1 or 0 -------------------------------
($rc, $out, $err) = client([ @small, '--max-avg-ms', '0.000001', '--min-success-pct', '0' ]);
$run = newest_run();
is($rc, 1, "a broken threshold (run $run): exit status 1");
like($err, qr/^ERROR:  load test run \Q$run\E broke 1 threshold: avg \S+ > 0\.00ms\nDETAIL:  max_avg_ms => /m,
	'the message names the threshold, as psql prints it');
like($out, qr/LOAD TEST REPORT - run \Q$run\E \(completed\)/, 'the report is printed first');

($rc, $out, $err) = client(
	[ @small, '--max-avg-ms', '100000', '--max-p95-ms', '100000', '--min-success-pct', '50',
	  '--compare', $baseline, '--max-regression-pct', '1000000' ]);
$run = newest_run();
is($rc, 0, "thresholds that hold, with a baseline (run $run): exit 0") or diag($err);
like($err, qr/run \Q$run\E held every threshold/, 'stderr says so');
like($out, qr/^Comparison of run \Q$run\E \(candidate\) with run \Q$baseline\E \(base\):$/m,
	'--compare prints the comparison after the report');

# --- scenarios: their values, overridden by the options given -----------------
($rc, $out, $err) = client([qw(--quick --users 3 --ops 5 --ramp-up 0 --quiet)]);
$run = newest_run();
is($rc, 0, "--quick with overrides (run $run): exit 0") or diag($err);
is(run_row($run, 'users, ops_per_user, think_time_ms, ramp_up_s, pattern'),
	'3|5|100|0|distributed', "--quick: the scenario's think time, the options' users, ops and ramp-up");
($rc, $out, $err) = client([qw(--scenario write_heavy --users 2 --ops 5 --think-time 0 --ramp-up 0 --quiet)]);
$run = newest_run();
is($rc, 0, "--scenario write_heavy (run $run): exit 0") or diag($err);
is(run_row($run, 'users, ops_per_user, pattern'), '2|5|write_heavy', "its pattern");

# --- on a terminal: a bar redrawn in place --------------------------------------
# stderr is a pseudo-terminal, stdout a file.
sub client_on_pty
{
	my (@args) = @_;
	my $pty = IO::Pty->new;
	my $stdout_file = "$tmp/pty_stdout.txt";
	my $pid = fork;

	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		$pty->make_slave_controlling_terminal;
		my $slave = $pty->slave;
		close $pty;
		$slave->set_winsize(24, 132, 0, 0);
		open(STDIN, '<', '/dev/null') or POSIX::_exit(126);
		open(STDOUT, '>', $stdout_file) or POSIX::_exit(126);
		open(STDERR, '>&', $slave) or POSIX::_exit(126);
		exec($bin, '-d', $node->connstr('postgres'), @args) or POSIX::_exit(127);
	}
	$pty->close_slave;
	my $screen = '';
	local $SIG{ALRM} = sub { kill 'KILL', $pid; die "pg_loadtest on a terminal timed out\n" };
	alarm $PostgreSQL::Test::Utils::timeout_default;
	for (;;)
	{
		my $n = sysread($pty, my $buf, 65536);
		last if !$n;    # EOF, or EIO once the client closed the terminal
		$screen .= $buf;
	}
	waitpid($pid, 0);
	my $status = $? >> 8;
	alarm 0;
	return ($status, slurp_file($stdout_file), $screen);
}

my $screen;
($rc, $out, $screen) = client_on_pty(qw(--users 3 --ops 20 --think-time 100 --ramp-up 0));
$run = newest_run();
is($rc, 0, "on a terminal (run $run): exit 0");
my @bars = $screen =~ m{\rrun \Q$run\E \[[#-]+\] +\d+% \d+/60 ops \| }g;
cmp_ok(scalar(@bars), '>=', 2, 'the bar is drawn and redrawn with \r (' . scalar(@bars) . ' times)')
  or diag($screen);
like($screen, qr/\r[^\n]*\r\s+\r/, 'the bar is erased before the next message');
like($screen, qr/pg_loadtest: run \Q$run\E completed: 60 operations/, 'then the end of the run');
like($out, qr/^LOAD TEST REPORT - run \Q$run\E \(completed\)$/m, 'the report goes to stdout');
unlike($out, qr/\r/, 'stdout has no progress');

# Text from the server (here the error that echoes an unknown pattern)
# reaches a terminal without its control characters: no escape sequence
# of a role's making runs in the terminal of whoever runs the client.
($rc, $out, $screen) = client_on_pty('--pattern', "evil\e]0;PWNED\a\e[41m", @small);
is($rc, 2, 'an unknown pattern on a terminal: exit 2');
like($screen, qr/unknown load test pattern "evil\?\]0;PWNED\?\?\[41m"/,
	'its control characters reach the terminal as ?');
unlike($screen, qr/\e\]0;|\e\[41m/, 'no escape sequence of the server reaches the terminal');

# --- output that goes away: the run, the export and the thresholds go on ------
{
	my $before = newest_run();
	local %ENV = %ENV;
	delete @ENV{qw(PGHOST PGPORT PGDATABASE PGUSER PGSERVICE PGOPTIONS)};
	my $cmd = join(' ', map { "'$_'" } ($bin, '-d', $node->connstr('postgres'), @small,
		'--max-avg-ms', '0.000001', '--export', "$tmp/piped.json"));
	IPC::Run::run([ 'bash', '-c', "$cmd 2>'$tmp/piped.err' | true; exit \${PIPESTATUS[0]}" ],
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my $piped = $? >> 8;
	my $piped_err = slurp_file("$tmp/piped.err");
	is($piped, 2, 'stdout read by nobody (| true): exit 2, not killed by SIGPIPE');
	like($piped_err, qr/could not write the report to standard output/, '... and says why');
	like($piped_err, qr/broke 1 threshold/, '... after the thresholds were checked');
	ok(-s "$tmp/piped.json", '... and the export was written');
	is(run_row(newest_run(), 'status'), 'completed', '... of the completed run') if newest_run() > $before;
}
mkdir "$tmp/dir.html";
my $before_dir = newest_run();
($rc, $out, $err) = client([ @small, '--export', "$tmp/dir.html" ]);
is($rc, 2, 'an export file that is a directory: exit 2');
like($err, qr/cannot write export file ".*dir\.html": it is not a regular file/, '... refused before the run');
is(newest_run(), $before_dir, '... which did not start');

# --- Ctrl-C: the run is cancelled, its processes gone, the partial report -----
# A run of 60 s, interrupted once it has recorded operations.
sub start_long_client
{
	my %c = (out => '', err => '');
	my $before = newest_run();

	$c{h} = IPC::Run::start(
		[ $bin, '-d', $node->connstr('postgres'),
		  qw(--users 3 --duration 60 --think-time 10 --ramp-up 0 --progress 1) ],
		'<', \undef, '>', \$c{out}, '2>', \$c{err});
	my $run_id;
	my $ok = poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT run_id FROM loadtest.progress WHERE run_id > $before AND ops_done > 0 ORDER BY run_id DESC LIMIT 1"
			);
			return $run_id ne '';
		},
		30);
	ok(defined $ok, "the long run $run_id is going on");
	$c{run} = $run_id;
	return \%c;
}

sub wait_client
{
	my ($c) = @_;
	my $t = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
	$t->start;
	while ($c->{h}->pumpable && !$t->is_expired)
	{
		eval { $c->{h}->pump_nb; };
		sleep 0.02;
	}
	if ($c->{h}->pumpable)
	{
		$c->{h}->kill_kill;
		return undef;
	}
	$c->{h}->finish;
	return $c->{h}->result(0);
}

my $c = start_long_client();
my $t0 = time;
$c->{h}->signal('INT');
$rc = wait_client($c);
my $exit_s = time - $t0;
is($rc, 2, "SIGINT: exit status 2 (run $c->{run} cancelled)");
cmp_ok($exit_s, '<', 5, sprintf('the client ended %.2f s after the signal', $exit_s));
is(run_row($c->{run}, 'status'), 'cancelled', 'the run is recorded as cancelled');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 1),
	'no process of the run is left within a second of the client\'s end');
like($c->{err}, qr/^pg_loadtest: interrupted: cancelling run \Q$c->{run}\E$/m, 'stderr says it cancels');
like($c->{err}, qr/^pg_loadtest: run \Q$c->{run}\E cancelled$/m, 'and that the run was cancelled');
like($c->{out}, qr/^LOAD TEST REPORT - run \Q$c->{run}\E \(cancelled\)$/m, 'the partial report is printed');
like($c->{out}, qr/^   Total Operations: [1-9][\d,]*$/m, 'with the operations done before the cancel');

# Twice: the report is skipped, or cut short; the run is cancelled all the same.
$c = start_long_client();
$c->{h}->signal('INT');
sleep 0.02;
$c->{h}->signal('INT');
$rc = wait_client($c);
is($rc, 2, "SIGINT twice: exit status 2 (run $c->{run})");
ok(defined poll_until(sub { run_row($c->{run}, 'status') eq 'cancelled' }, 2),
	'the run is cancelled');
ok(defined poll_until(sub { loadtest_backends($mon) == 0 }, 1), 'no process of it is left');

# --- the connection lost under a run: exit 2, the run goes on -----------------
$c = start_long_client();
# The client's session is the only client backend but $mon's.
is( $mon->query_safe(
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
		  . " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"),
	1,
	'the client\'s session is terminated');
$rc = wait_client($c);
is($rc, 2, "connection lost (run $c->{run}): exit status 2");
like($c->{err}, qr/lost the connection to the server: run \Q$c->{run}\E may still be running\npg_loadtest: hint: SELECT loadtest_cancel\(\Q$c->{run}\E\); stops it/,
	'stderr says the run may go on and how to stop it');
is(run_row($c->{run}, 'status'), 'running', 'the run goes on in the background');
is($mon->query_safe("SELECT loadtest_cancel($c->{run})"), 'cancelled', 'loadtest_cancel() stops it');

$mon->quit;
finish_and_check_log($node);
done_testing();
