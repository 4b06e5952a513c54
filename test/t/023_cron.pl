
# Scheduled runs with pg_cron (issue #11): the nightly recipe of the user
# guide ("Scheduled runs with pg_cron"), a job that runs a stored scenario,
# compares it with a baseline run and gates it with loadtest_check:
#     SELECT loadtest_check(loadtest_scenario('quick'), max_p95_ms => ...,
#                           min_success_pct => ..., baseline => <run id>)
# scheduled by a role that is not a superuser, with the rights to run load
# tests (loadtest_grant_operator), in both of pg_cron's modes, on two nodes
# at the same time:
#   - bgw: cron.use_background_workers = on, the job runs in a background
#     worker of pg_cron;
#   - libpq: pg_cron's launcher connects to the server as the job's role,
#     host cron.job.nodename (cron.host when the job was scheduled).  The
#     node listens on its socket only (listen_addresses = '', as a TAP node
#     does): a job scheduled while cron.host is its default, localhost,
#     fails with "connection failed"; after cron.host = the socket
#     directory (a restart: the setting is PGC_POSTMASTER) new jobs run,
#     and an old one still fails (its nodename stays localhost, whatever
#     cron.alter_job or scheduling it again under its name does) until it
#     is unscheduled and scheduled again, or a superuser updates
#     cron.job.nodename.  pg_hba.conf lets pg_cron's connections (from the
#     server's OS user) be the job's role through a peer map; a role
#     without the map fails with "connection failed" too.
# On each node a passing job succeeds and its run is the role's, completed;
# a job whose thresholds break fails, its return_message names the run and
# every broken threshold, and its run is recorded all the same.  A job
# whose process is cancelled (pg_cancel_backend(job_pid)) fails and its run
# is cancelled; a job unscheduled while it runs is canceled by pg_cron
# through libpq (its run aborted), and, in a background worker, only once
# it has ended with pg_cron 1.4 (its run completed).  A role deletes its
# own rows of cron.job_run_details.
#
# pg_cron 1.4 schedules by the minute, in GMT: every job here is scheduled
# for one minute of the day, the same minute boundary for all (at least
# 25 s after the nodes start, to leave time for the restart and the
# baselines), since '* * * * *' would run them again every minute; the test
# polls cron.job_run_details (up to 150 s).  The jobs are unscheduled at the
# end only: in a background worker, pg_cron 1.4 records a job that is
# unscheduled after its worker reported success but before the launcher saw
# the worker exit as "failed", "job canceled" (as a job unscheduled while
# it runs, below).

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $started = time;

# The quick scenario: 10 users, 20 operations each, 10 s ramp-up.  Its two
# runs at once (the passing and the failing job of a node) take 22 worker
# slots, the two runs stopped while they run 7, with pg_cron's launcher and,
# in the bgw mode, a worker per job (cron.max_running_jobs, 5 by default
# there): 40 is enough.
my $cron_conf =
	"shared_preload_libraries = 'pg_cron'\n"
  . "cron.database_name = 'postgres'\n"
  . "max_worker_processes = 40\n";

# A node with pg_cron and the role nightly that schedules the jobs: it
# logs in, may run load tests (through a group role, as
# docs/reference.md recommends), and uses schema cron.
sub cron_node
{
	my ($name, $conf) = @_;
	my $node = new_loadtest_node($name, seed => 1000, conf => $cron_conf . $conf);

	$node->safe_psql(
		'postgres', q{
CREATE EXTENSION pg_cron;
CREATE ROLE loadtest_operator NOLOGIN;
SELECT loadtest_grant_operator('loadtest_operator');
CREATE ROLE nightly LOGIN;
GRANT loadtest_operator TO nightly;
GRANT USAGE ON SCHEMA cron TO nightly;
});
	return $node;
}

my @nightly = (extra_params => [ '-U', 'nightly' ]);

# The schedule of the next minute boundary at least $margin s (default 5)
# away, GMT
sub next_minute
{
	my ($margin) = @_;
	my $at = time + ($margin // 5);
	my @gmt = gmtime($at - ($at % 60) + 60);
	return sprintf('%d %d * * *', $gmt[1], $gmt[2]);
}

# cron.schedule as nightly, for $schedule (default: the next minute): the
# job's id
sub schedule
{
	my ($node, $name, $command, $schedule) = @_;

	$schedule //= next_minute();
	return $node->safe_psql('postgres',
		"SELECT cron.schedule('$name', '$schedule', \$\$$command\$\$)", @nightly);
}

# The jobs scheduled so far ([ node, jobid, label, stop, users ]) and the
# first run of each, label => [ status, return_message ].  A job with stop
# is stopped as soon as its load test run (of that many users) is running:
# by unscheduling it ('unschedule'), or by cancelling its process
# ('cancel': pg_cancel_backend(job_pid)).  Read as a superuser: cron.job
# and cron.job_run_details show other roles only their own jobs.
my (@jobs, %result, %stopped);

sub stop_running_jobs
{
	my ($node) = @_;

	for my $job (grep { $_->[0]->name eq $node->name && $_->[3] && !$stopped{ $_->[2] } } @jobs)
	{
		my ($jobid, $label, $stop, $users) = @$job[ 1 .. 4 ];
		next
		  if $node->safe_psql('postgres',
			"SELECT count(*) FROM loadtest.runs WHERE status = 'running' AND duration_limit_s IS NOT NULL AND users = $users"
		  ) eq '0';
		if ($stop eq 'unschedule')
		{
			$node->safe_psql('postgres', "SELECT cron.unschedule($jobid)");
		}
		else
		{
			next
			  if $node->safe_psql('postgres',
				"SELECT count(*) FILTER (WHERE pg_cancel_backend(job_pid)) FROM cron.job_run_details
				  WHERE jobid = $jobid AND status = 'running'") eq '0';
		}
		$stopped{$label} = 1;
		note sprintf('%s: %s while its run runs, %.0f s into the test',
			$label, $stop eq 'cancel' ? 'cancelled' : 'unscheduled', time - $started);
	}
	return;
}

sub check_jobs
{
	my %seen;
	for my $node (grep { !$seen{ $_->name }++ } map { $_->[0] } @jobs)
	{
		stop_running_jobs($node);
		my %pending = map { $_->[1] => $_->[2] }
		  grep { $_->[0]->name eq $node->name && !exists $result{ $_->[2] } } @jobs;
		next if !%pending;
		# one row a job: jobid, status, return_message (which may have
		# several lines), separated by ASCII record separators
		my $rows = $node->safe_psql(
			'postgres',
			"SELECT string_agg(jobid || chr(31) || status || chr(31) || coalesce(return_message, ''), chr(30))
			   FROM (SELECT DISTINCT ON (jobid) jobid, status, return_message
			           FROM cron.job_run_details
			          WHERE jobid IN (" . join(', ', keys %pending) . ")
			            AND status IN ('succeeded', 'failed')
			          ORDER BY jobid, runid) d");
		for my $row (split /\x1e/, $rows)
		{
			my ($jobid, $status, $message) = split /\x1f/, $row, 3;
			my $label = $pending{$jobid};
			$result{$label} = [ $status, $message // '' ];
			note sprintf('%s: %s, %.0f s into the test', $label, $status, time - $started);
		}
	}
	return;
}

# Wait until the jobs of these labels have run (at most $limit seconds),
# watching the others too.
sub wait_for_jobs
{
	my ($limit, @labels) = @_;

	return poll_until(
		sub {
			check_jobs();
			return !grep { !exists $result{$_} } @labels;
		},
		$limit, 1);
}

# nightly's runs of the quick scenario (not the runs of the stopped jobs)
sub nightly_runs
{
	my ($node) = @_;

	return $node->safe_psql('postgres',
		"SELECT count(*) FROM loadtest.runs WHERE role_name = 'nightly' AND duration_limit_s IS NULL");
}

# The passing job's gate: generous limits (the test asserts the gate, not
# this machine's speed: 2 cores, other tests running, four runs at once),
# and the comparison with the baseline allowing medians up to five times
# the baseline's (a quick run does about 15 operations of each kind: between
# two runs on this machine, single operations' medians moved by up to 2x,
# with p-values near 0.01).  The failing job's: a p95 of 10 us and 100,000
# operations a second, which no quick run reaches.
sub passing_job
{
	my ($baseline) = @_;
	return "SELECT loadtest_check(loadtest_scenario('quick'), max_p95_ms => 10000, "
	  . "min_success_pct => 90, baseline => $baseline, max_regression_pct => 400)";
}
my $failing_job =
  "SELECT loadtest_check(loadtest_scenario('quick'), max_p95_ms => 0.01, min_throughput => 100000)";

# A run of 15 s (the only runs here with a duration), of the given number
# of users, for the jobs that are stopped while it runs.
sub long_job
{
	my ($users) = @_;
	return "SELECT loadtest_run(users => $users, duration => '15 s', pattern => 'read_heavy', "
	  . "think_time_ms => 100, ramp_up_s => 0)";
}

# ---------------------------------------------------------------------
# The two nodes
# ---------------------------------------------------------------------
my $bgw = cron_node('cron_bgw', "cron.use_background_workers = on\n");
my $libpq = cron_node('cron_libpq', '');

# Authentication as the user guide sets it up: pg_cron's launcher connects
# as the job's role from the server's OS user, which peer authentication
# refuses unless a map lets that OS user be nightly (the other roles keep
# the TAP node's trust; the test's own connections as nightly come from
# the same OS user, through the same map).  The role unmapped has peer
# without the map, as every role has in Debian's pg_hba.conf: its job
# cannot connect.
my $os_user = (getpwuid($>))[0];
$libpq->append_conf('pg_ident.conf', "cron  $os_user  nightly\n");
my $hba = $libpq->data_dir . '/pg_hba.conf';
my $hba_lines = slurp_file($hba);
open(my $fh, '>', $hba) or die "could not write $hba: $!";
print $fh "local  all  nightly  peer map=cron\n", "local  all  unmapped  peer\n", $hba_lines;
close $fh;
$libpq->safe_psql('postgres',
	'CREATE ROLE unmapped LOGIN; GRANT loadtest_operator TO unmapped; GRANT USAGE ON SCHEMA cron TO unmapped');
$libpq->reload;
is( $libpq->safe_psql(
		'postgres',
		"SELECT auth_method, options FROM pg_hba_file_rules WHERE user_name = '{nightly}'"),
	'peer|{map=cron}', 'libpq: nightly is authenticated by peer with a map');
is($libpq->safe_psql('postgres', 'SELECT current_user', @nightly),
	'nightly', 'libpq: nightly logs in through the peer map');

is($libpq->safe_psql('postgres', 'SHOW listen_addresses'),
	'', 'libpq: the node listens on its Unix socket only');
is($libpq->safe_psql('postgres', 'SHOW cron.host'),
	'localhost', 'libpq: cron.host is its default, localhost');
is($libpq->safe_psql('postgres', 'SHOW cron.use_background_workers'),
	'off', 'libpq: pg_cron connects through libpq (its default)');
is($bgw->safe_psql('postgres', 'SHOW cron.use_background_workers'),
	'on', 'bgw: pg_cron runs jobs in background workers');
is($bgw->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'nightly'"),
	'f', 'the jobs\' role is not a superuser');

# ---------------------------------------------------------------------
# libpq: two jobs scheduled while cron.host is localhost, for a boundary
# at least 25 s away (after the restart below, and after the baselines,
# so that every job of the test runs at that boundary)
# ---------------------------------------------------------------------
my $at = next_minute(25);
my $early = schedule($libpq, 'nightly-early', "SELECT loadtest_scenario('quick')", $at);
my $fixed = schedule($libpq, 'nightly-fixed', 'SELECT current_user', $at);
is( $libpq->safe_psql('postgres',
		"SELECT string_agg(DISTINCT nodename || '|' || username, ',') FROM cron.job WHERE jobid IN ($early, $fixed)"),
	'localhost|nightly',
	'libpq: a job scheduled now connects to localhost, as nightly');

# cron.host = the socket directory, and a restart
my $socket_dir = $libpq->host;
$libpq->append_conf('postgresql.conf', "cron.host = '$socket_dir'\n");
$libpq->restart;
is($libpq->safe_psql('postgres', 'SHOW cron.host'), $socket_dir,
	'libpq: cron.host is the socket directory after the restart');

# The jobs scheduled before keep their host: cron.alter_job (a
# superuser's here: it is not executable by PUBLIC) and cron.schedule under
# the same name change the schedule and the command, not
# cron.job.nodename.  (pg_cron connects to the job's nodename, whatever
# cron.host is now: this job is the trap of a socket-only node without
# cron.host.)
$libpq->safe_psql('postgres',
	"SELECT cron.alter_job($early, schedule => '$at', command => \$\$SELECT loadtest_scenario('quick')\$\$)");
is($libpq->safe_psql('postgres', "SELECT nodename FROM cron.job WHERE jobid = $early"),
	'localhost', 'libpq: cron.alter_job leaves the old job\'s nodename at localhost');
is(schedule($libpq, 'nightly-early', "SELECT loadtest_scenario('quick', samples => 'none')", $at),
	$early, 'libpq: cron.schedule under the same name updates the same job');
is($libpq->safe_psql('postgres', "SELECT nodename, command FROM cron.job WHERE jobid = $early"),
	"localhost|SELECT loadtest_scenario('quick', samples => 'none')",
	'libpq: ... its command, and leaves its nodename at localhost');

# a superuser changes the host of the jobs scheduled before (the trigger on
# cron.job tells the launcher)
is( $libpq->safe_psql(
		'postgres',
		"UPDATE cron.job SET nodename = '$socket_dir' WHERE nodename = 'localhost' AND jobid = $fixed RETURNING nodename"),
	$socket_dir, 'libpq: a superuser\'s UPDATE of cron.job changes a job\'s nodename');

# ---------------------------------------------------------------------
# The baselines: a quick run of nightly on each node, at the same time
# ---------------------------------------------------------------------
my %base_client = map {
	$_->name => start_client($_, 'postgres', "SELECT loadtest_scenario('quick')",
		extra_params => [ '-U', 'nightly' ])
} ($bgw, $libpq);
my %baseline;
for my $node ($bgw, $libpq)
{
	my $client = $base_client{ $node->name };
	is(finish_client($client), 0, $node->name . ': the baseline run ended')
	  or diag($client->{stderr});
	chomp($baseline{ $node->name } = $client->{stdout});
	is( $node->safe_psql(
			'postgres',
			"SELECT status, role_name FROM loadtest.runs WHERE run_id = '$baseline{$node->name}'"),
		'completed|nightly',
		$node->name . ': the baseline run completed, as nightly');
}
my $bgw_runs_before = nightly_runs($bgw);
my $libpq_runs_before = nightly_runs($libpq);

# ---------------------------------------------------------------------
# The other jobs, for the next boundary (the same as the early jobs',
# unless the baselines took long)
# ---------------------------------------------------------------------
push @jobs,
  [ $libpq, $early, 'libpq early' ],
  [ $libpq, $fixed, 'libpq fixed by UPDATE' ],
  [ $bgw, schedule($bgw, 'nightly-pass', passing_job($baseline{cron_bgw})), 'bgw pass' ],
  [ $bgw, schedule($bgw, 'nightly-fail', $failing_job), 'bgw fail' ],
  [ $bgw, schedule($bgw, 'nightly-unscheduled', long_job(2)), 'bgw unscheduled', 'unschedule', 2 ],
  [ $bgw, schedule($bgw, 'nightly-cancelled', long_job(3)), 'bgw cancelled', 'cancel', 3 ],
  [ $libpq, schedule($libpq, 'nightly-pass', passing_job($baseline{cron_libpq})), 'libpq pass' ],
  [ $libpq, schedule($libpq, 'nightly-fail', $failing_job), 'libpq fail' ],
  [
	$libpq,
	$libpq->safe_psql('postgres',
		"SELECT cron.schedule_in_database('unmapped', '" . next_minute()
		  . "', \$\$SELECT loadtest_scenario('quick')\$\$, 'postgres', 'unmapped')"),
	'libpq unmapped'
  ],
  [ $libpq, schedule($libpq, 'nightly-unscheduled', long_job(2)), 'libpq unscheduled', 'unschedule', 2 ],
  [ $libpq, schedule($libpq, 'nightly-cancelled', long_job(3)), 'libpq cancelled', 'cancel', 3 ];
is( $libpq->safe_psql(
		'postgres',
		"SELECT string_agg(DISTINCT nodename, ',') FROM cron.job WHERE jobname IN ('nightly-pass', 'nightly-fail')"),
	$socket_dir, 'libpq: the jobs scheduled after the change connect to the socket directory');

# ---------------------------------------------------------------------
# Every job's first run
# ---------------------------------------------------------------------
ok(defined wait_for_jobs(150, map { $_->[2] } @jobs), 'every job ran');

is_deeply($result{'libpq early'}, [ 'failed', 'connection failed' ],
	'libpq: the job scheduled while cron.host was localhost fails with "connection failed" (socket-only node)');
is( $libpq->safe_psql('postgres',
		"SELECT start_time IS NULL, end_time IS NULL FROM cron.job_run_details WHERE jobid = $early"),
	't|t', 'libpq: a job that could not connect has no start_time nor end_time');

is_deeply($result{'libpq fixed by UPDATE'}, [ 'succeeded', '1 row' ],
	'libpq: the job whose nodename was updated connects and succeeds');

is_deeply($result{'libpq unmapped'}, [ 'failed', 'connection failed' ],
	'libpq: a job whose role peer authentication refuses fails with "connection failed" too');
like(slurp_file($libpq->logfile), qr/FATAL:  Peer authentication failed for user "unmapped"/,
	'libpq: ... and the reason is in the server log only');

# unscheduled and scheduled again, it takes the new host
is($libpq->safe_psql('postgres', "SELECT cron.unschedule('nightly-early')", @nightly),
	't', 'libpq: nightly unschedules its job by name');
my $again = schedule($libpq, 'nightly-early', "SELECT loadtest_scenario('quick')");
is($libpq->safe_psql('postgres', "SELECT nodename FROM cron.job WHERE jobid = $again"),
	$socket_dir, 'libpq: scheduled again, the job connects to the socket directory');

for my $mode ('bgw', 'libpq')
{
	my $node = $mode eq 'bgw' ? $bgw : $libpq;
	my $before = $mode eq 'bgw' ? $bgw_runs_before : $libpq_runs_before;
	my $base = $baseline{ $node->name };
	my ($pass, $fail) = ($result{"$mode pass"}, $result{"$mode fail"});

	ok(defined $pass, "$mode: the passing job ran")
	  and is($pass->[0], 'succeeded', "$mode: the passing job succeeded")
	  or diag(explain($pass));
	# what pg_cron records of a successful SELECT: its command tag in
	# a background worker, the rows through libpq
	is($pass->[1] // '', $mode eq 'bgw' ? 'SELECT 1' : '1 row',
		"$mode: the passing job's return_message");

	ok(defined $fail, "$mode: the failing job ran")
	  and is($fail->[0], 'failed', "$mode: the failing job failed")
	  or diag(explain($fail));
	my ($failed_run) =
	  ($fail->[1] // '') =~ /^ERROR:\s+load test run (\d+) broke 2 thresholds: /;
	ok(defined $failed_run, "$mode: the failing job's message names its run and 2 broken thresholds");
	note "$mode: the failing job's return_message:\n" . ($fail->[1] // '');
	like($fail->[1] // '', qr/p95 [\d,]+\.\d\dms > 0\.01ms/, "$mode: ... the p95, its value and limit");
	like($fail->[1] // '', qr/throughput [\d,]+\.\d\d ops\/s < 100,000\.00 ops\/s/,
		"$mode: ... the throughput, its value and limit");

	# both jobs' runs are recorded, completed, as nightly
	is(nightly_runs($node), $before + 2, "$mode: both jobs made a run");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*), bool_and(status = 'completed'), bool_and(role_name = 'nightly'),
			        bool_and(database_name = 'postgres'), bool_and(pattern = 'distributed' AND users = 10)
			   FROM loadtest.runs WHERE run_id > $base AND duration_limit_s IS NULL"),
		'2|t|t|t|t',
		"$mode: the jobs' runs are quick runs, completed, by nightly");
	# how far the passing job's run was from its baseline (for the record:
	# the gate allows medians five times the baseline's)
	note $node->safe_psql(
		'postgres', qq{
SELECT string_agg(format('%s %s%% p=%s %s', coalesce(c.operation, 'overall'), round(c.change_pct::numeric),
                         round(c.p_value::numeric, 4), c.verdict), '; ')
  FROM loadtest_compare($base, (SELECT max(run_id) FROM loadtest.runs WHERE run_id > $base AND duration_limit_s IS NULL AND run_id <> }
		  . ($failed_run // 0) . qq{), 5) c});

	# the user guide's query: a job's runs and the load test runs its role
	# started meanwhile (here the passing job's, and most likely the
	# failing job's too: they started at the same time; and the stopped
	# jobs' when they ran at the second boundary)
	my ($pass_job) = map { $_->[1] } grep { $_->[2] eq "$mode pass" } @jobs;
	is( $node->safe_psql(
			'postgres', qq{
SELECT d.status, count(r.run_id) >= 1, bool_and(r.status = 'completed') FILTER (WHERE r.duration_limit_s IS NULL),
       bool_and(r.run_id > $base)
  FROM cron.job_run_details d
  LEFT JOIN loadtest.runs r
         ON r.role_name = d.username AND r.database_name = d.database
        AND r.started_at >= d.start_time AND r.started_at < coalesce(d.end_time, 'infinity')
 WHERE d.jobid = $pass_job
 GROUP BY d.runid, d.status}, @nightly),
		'succeeded|t|t|t',
		"$mode: the guide's query finds the runs started during the passing job");
	is( $node->safe_psql(
			'postgres', "SELECT count(*) FROM loadtest.runs WHERE run_id = " . ($failed_run // 0)),
		'1', "$mode: the run of the failing job is recorded");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM loadtest.run_summary s JOIN loadtest.runs r USING (run_id)
			  WHERE s.run_id > $base AND r.duration_limit_s IS NULL AND s.total_ops = 200 AND s.successful >= 180"),
		'2', "$mode: the jobs' runs did their 200 operations");
}

# ---------------------------------------------------------------------
# The jobs stopped while their run ran
# ---------------------------------------------------------------------
# pg_cancel_backend(job_pid) cancels the run, in both modes: the run is
# cancelled, the job fails with the cancel's error.
#
# Unscheduling a running job: through libpq, pg_cron closes the job's
# connection ("job canceled"), the run's session ends and the run is
# aborted.  In a background worker, pg_cron 1.4 does not notice it until
# the job has ended: its launcher waits for the running job's messages
# (pg_cron issue #200, fixed in 1.5), so the run completes, and the job is
# then recorded as failed, "job canceled".  (A later pg_cron terminates the
# worker: the run is aborted.)
my $cron_14 = $bgw->safe_psql('postgres',
	"SELECT extversion LIKE '1.4%' FROM pg_extension WHERE extname = 'pg_cron'") eq 't';
for my $mode ('bgw', 'libpq')
{
	my $node = $mode eq 'bgw' ? $bgw : $libpq;
	my $run_of = sub {
		my ($users) = @_;
		my $run = '';
		poll_until(
			sub {
				$run = $node->safe_psql('postgres',
					"SELECT status || '|' || coalesce(message, '') FROM loadtest.runs
					  WHERE duration_limit_s IS NOT NULL AND users = $users");
				return $run !~ /^running/;
			},
			30, 0.2);
		return $run;
	};

	is($result{"$mode cancelled"}[0], 'failed', "$mode: a job whose process is cancelled fails");
	like($result{"$mode cancelled"}[1], qr/^ERROR:\s+canceling statement due to user request/,
		"$mode: ... with the cancel's error");
	is($run_of->(3), 'cancelled|the call that started the run was cancelled',
		"$mode: ... and its run is cancelled");

	is_deeply($result{"$mode unscheduled"}, [ 'failed', 'job canceled' ],
		"$mode: a job unscheduled while it runs is recorded as canceled");
	is( $run_of->(2),
		($mode eq 'bgw' && $cron_14)
		? 'completed|'
		: 'aborted|the session that started the run ended',
		$mode eq 'bgw' && $cron_14
		? "$mode: ... but pg_cron 1.4 let it run: its run completed"
		: "$mode: ... and its run is aborted, its session gone");
	is( $node->safe_psql(
			'postgres', "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
		'0', "$mode: no process of a run left");
}

# a role deletes its own jobs' rows of cron.job_run_details (and no other's)
is( $libpq->safe_psql(
		'postgres',
		"DELETE FROM cron.job_run_details; SELECT count(*) FROM cron.job_run_details",
		@nightly),
	'0', 'libpq: nightly deletes its rows of cron.job_run_details');
is($libpq->safe_psql('postgres', "SELECT count(*) > 0, bool_and(username = 'unmapped') FROM cron.job_run_details"),
	't|t', 'libpq: ... and only its own');

for my $node ($bgw, $libpq)
{
	$node->safe_psql('postgres', 'SELECT cron.unschedule(jobid) FROM cron.job');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM cron.job'), '0',
		$node->name . ': every job unscheduled');
}

finish_and_check_log($bgw);
finish_and_check_log($libpq);
note sprintf('the test took %.0f s', time - $started);

done_testing();
