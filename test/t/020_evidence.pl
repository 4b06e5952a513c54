
# The evidence of a run (1.4, issue #10) on real runs of a few seconds:
#   - where the time went: primary-key lookups (read_member_detail, think
#     time 0) are on CPU; a hot row (loadtest.hot_rows = 1) makes the
#     writers of update_member wait on locks (Lock:transactionid,
#     Lock:tuple); the share of Lock among the non-CPU samples agrees with
#     pg_wait_sampling's profile of the same workers; the sampler off
#     (loadtest.wait_sample_interval_ms = 0) samples nothing;
#   - the summaries of a run that kept every sample agree with them:
#     counts exactly, percentiles within 1% of percentile_cont; the
#     timeline and the errors add up to the run's;
#   - samples => 'none' keeps no row and the run's totals;
#   - the counters agree with the run: commits at least the successful
#     operations, index scans of members at least the lookups by key, a
#     row for each table the statements use;
#   - the workers' memory: a row at the start, every 5 s and at the end of
#     each worker, and a flat verdict;
#   - the report has the new sections and the sparklines.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

# pg_wait_sampling (Debian's postgresql-15-pg-wait-sampling) is the
# witness of the wait sampler: loaded if installed.
my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;
my $have_pgws = -f "$pkglibdir/pg_wait_sampling.so";
my $preload = $have_pgws ? 'loadtest, pg_wait_sampling' : 'loadtest';

my $node = new_loadtest_node('evidence',
	conf => "shared_preload_libraries = '$preload'\n"
	  . ($have_pgws
		? "pg_wait_sampling.profile_period = 10\npg_wait_sampling.profile_pid = on\n"
		: ''));

sub q1 { return $node->safe_psql('postgres', $_[0]); }

my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

my $pgws_reason;
if (!$have_pgws)
{
	$pgws_reason = "pg_wait_sampling is not installed ($pkglibdir/pg_wait_sampling.so)";
}
else
{
	my ($out, $err) = ('', '');
	$node->psql('postgres', 'CREATE EXTENSION pg_wait_sampling',
		stdout => \$out, stderr => \$err);
	$pgws_reason = "CREATE EXTENSION pg_wait_sampling failed: $err"
	  if $err =~ /ERROR/;
}

# ---------------------------------------------------------------------
# Primary-key lookups for 6 s (a memory snapshot at 5 s), two users,
# think time 0, no sample kept
# ---------------------------------------------------------------------
my $lookups = q1(
	"SELECT loadtest_run(users => 2, duration => '6 seconds', pattern => 'read_member_detail',
	                     think_time_ms => 0, ramp_up_s => 0, samples => 'none')");
is( q1("SELECT status, samples, wait_sample_interval_ms, workers FROM loadtest.runs WHERE run_id = $lookups"),
	'completed|none|10|2', 'lookups: the run completed, sampled every 10 ms, kept no sample');

my ($total, $successful, $ops_done) = split /\|/, q1(
	"SELECT s.total_ops, s.successful, (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = s.run_id)
	   FROM loadtest.run_summary s WHERE s.run_id = $lookups");
cmp_ok($total, '>', 1000, "lookups: many operations ($total)");
is($ops_done, $total, 'samples => none: the summary counts every operation the users did');
is(q1("SELECT count(*) FROM loadtest.sample_log WHERE run_id = $lookups"),
	'0', 'samples => none: no row in sample_log');
is( q1("SELECT sum(ops) = $total, sum(errors) = 0 FROM loadtest.run_timeline WHERE run_id = $lookups"),
	't|t', 'samples => none: the timeline adds up to the run');

# CPU dominates: a lookup by key reads pages in shared buffers and waits
# for nothing (no lock, no I/O: the seeded tables fit in shared buffers).
my ($cpu, $all, $top) = split /\|/, q1(
	"SELECT coalesce(sum(samples) FILTER (WHERE wait_event_type = 'CPU'), 0), coalesce(sum(samples), 0),
	        (SELECT wait_event_type || ':' || wait_event FROM loadtest.wait_profile w
	          WHERE w.run_id = $lookups ORDER BY samples DESC LIMIT 1)
	   FROM loadtest.wait_profile WHERE run_id = $lookups AND operation = 'read_member_detail'");
# two workers busy for 6 s, one sample every 10 ms: up to 1,200
cmp_ok($all, '>=', 300, "lookups: sampled ($all samples)");
is($top, 'CPU:CPU', 'lookups: CPU is the largest class');
cmp_ok($cpu / ($all || 1), '>=', 0.8, "lookups: CPU is at least 80% of the samples ($cpu of $all)");
is( q1("SELECT bool_and(operation = 'read_member_detail'),
	            abs(sum(share_pct) - 100) < 1e-6
	       FROM loadtest.wait_profile WHERE run_id = $lookups"),
	't|t', 'lookups: the profile is of the run\'s operation, its shares add up to 100%');

# The counters agree with the run: each lookup is a transaction that
# commits, and its first statement an index scan of membership.members.
is( q1("SELECT (SELECT value FROM loadtest.run_db_stats WHERE run_id = $lookups AND stat = 'xact_commit') >= $successful,
	           (SELECT idx_scan FROM loadtest.run_table_stats
	             WHERE run_id = $lookups AND table_name = 'membership.members') >= $successful"),
	't|t', 'lookups: commits at least the successful operations, index scans of members at least the lookups');
is( q1("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM loadtest.run_table_stats WHERE run_id = $lookups"),
	'membership.member_employments,membership.members,membership.organizations',
	'lookups: a row of table statistics for each table the statements use');

# Memory: every worker at its start, at 5 s and at its end; flat.
is( q1("SELECT count(DISTINCT worker_no), bool_and(n >= 3), bool_and(first_ops = 0), sum(last_ops) = $total
	      FROM (SELECT worker_no, count(*) AS n, (array_agg(ops ORDER BY at_s))[1] AS first_ops, max(ops) AS last_ops
	              FROM loadtest.run_memory WHERE run_id = $lookups GROUP BY worker_no) w"),
	"2|t|t|t", 'lookups: each worker\'s memory at its start, at 5 s and at its end (all its operations)');
is( q1("SELECT string_agg(coalesce(t.flat::text, 'null') || ' ' || t.verdict, ', ')
	      FROM (SELECT worker_no, array_agg(ops::float8 ORDER BY at_s) AS o, array_agg(bytes::float8 ORDER BY at_s) AS b
	              FROM loadtest.run_memory WHERE run_id = $lookups GROUP BY worker_no) w,
	           LATERAL loadtest_memory_trend(w.o, w.b) t"),
	'true flat, true flat', 'lookups: the memory of both workers is flat');

# The report: the new sections, the sparklines, the memory verdict.
my $report = q1("SELECT loadtest_report($lookups)");
for my $title ('Where the time went:', 'What the database did:', 'Over time:', 'Plans:')
{
	like($report, qr/^\Q$title\E$/m, "report: section \"$title\"");
}
like($report, qr/^   all operations: CPU \d+\.\d%/m, 'report: the share of CPU over all operations');
like($report, qr/^   Cache hit ratio: \d+\.\d\d%/m, 'report: the cache hit ratio');
like($report, qr/^   membership\.members: 0 sequential scans \(0 tuples read\), [\d,]+ index scans/m,
	'report: the scans of membership.members');
# (the blocks are 3 bytes each in UTF-8: counted as alternatives, not as
# characters of a class, which would be bytes here)
my $block = qr/(?:▁|▂|▃|▄|▅|▆|▇|█)/;
my ($throughput_line) = $report =~ /^   Throughput \(ops\/sec\): ((?:$block)+)  min /m;
my $throughput_chars = () = ($throughput_line // '') =~ /$block/g;
ok($throughput_chars >= 6 && $throughput_chars <= 7,
	"report: throughput as a sparkline of one character per second ($throughput_chars)");
like($throughput_line // '', qr/█/, 'report: ... its highest block for the busiest second');
like($report, qr/^   p95 \(ms\): (?:$block| )+  min /m, 'report: p95 as a sparkline');
like($report, qr/^   Memory: flat \(2 workers/m, 'report: memory flat');

# ---------------------------------------------------------------------
# A hot row: four users update the same member for 3 s, think time 0.
# The workers' pids (application_name 'loadtest run N worker K') are
# taken from pg_stat_activity during the run, for pg_wait_sampling's
# profile of them.
# ---------------------------------------------------------------------
q1('SELECT pg_wait_sampling_reset_profile()') unless defined $pgws_reason;
my $before = newest_run_id($mon);
my $client = start_client($node, 'postgres',
	"SET loadtest.hot_rows = 1; SELECT loadtest_run(users => 4, duration => '3 seconds', pattern => 'update_member', think_time_ms => 0, ramp_up_s => 0)"
);
my %pids;
ok( defined poll_until(
		sub {
			my $list = $mon->query_safe(
				"SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
				  WHERE application_name LIKE 'loadtest run % worker %' AND backend_type LIKE 'loadtest%'");
			$pids{$_} = 1 for grep { /^\d+$/ } split / /, $list;
			return scalar(keys %pids) >= 4;
		},
		30, 0.02),
	'hot row: the four workers were seen') or diag(join ' ', keys %pids);
is(finish_client($client), 0, 'hot row: the run returned') or diag($client->{stderr});
my $hot = newest_run_id($mon);
cmp_ok($hot, '>', $before, 'hot row: a new run');
is(q1("SELECT status, hot_rows, samples FROM loadtest.runs WHERE run_id = $hot"),
	'completed|1|all', 'hot row: completed, one hot row, every sample kept');

# Lock waits dominate the writers' time: while one transaction holds the
# row, the three others wait for it.
my %ours = map { my ($k, $v) = split /\|/; ($k => $v) } split /\n/, q1(
	"SELECT CASE WHEN wait_event_type IN ('CPU', 'Lock') THEN wait_event_type ELSE 'other' END, sum(samples)
	   FROM loadtest.wait_profile WHERE run_id = $hot AND operation = 'update_member' GROUP BY 1");
$ours{$_} //= 0 for qw(CPU Lock other);
my $ours_all = $ours{CPU} + $ours{Lock} + $ours{other};
my $ours_waits = $ours{Lock} + $ours{other};
cmp_ok($ours_all, '>=', 300, "hot row: sampled ($ours_all samples)");
cmp_ok($ours{Lock} / ($ours_all || 1), '>=', 0.25,
	"hot row: Lock is at least a quarter of update_member's samples ($ours{Lock} of $ours_all)");
is( q1("SELECT bool_and(wait_event IN ('transactionid', 'tuple')) FROM loadtest.wait_profile
	     WHERE run_id = $hot AND wait_event_type = 'Lock'"),
	't', 'hot row: the Lock waits are Lock:transactionid and Lock:tuple');
like(q1("SELECT loadtest_report($hot)"), qr/^   update_member: (\S+ [\d.]+%, )*Lock:transactionid \d+\.\d%/m,
	'hot row: the report names Lock:transactionid for update_member');

SKIP:
{
	skip "pg_wait_sampling as a witness: $pgws_reason", 3 if defined $pgws_reason;

	# pg_wait_sampling's profile of the same four processes, without the
	# classes a worker waits in between operations (Extension: its latch,
	# waiting for its next user or for room in its ring) and those no
	# operation waits in (Activity, Client, Timeout).
	#
	# The margin.  Both tools sample the same four processes every 10 ms,
	# at independent instants, so each share is an estimate from its own
	# samples: four workers busy for 3 s give some 1,200 samples, of which
	# about half are waits (550 in each on a 2-core machine), Lock some
	# 0.6 to 0.8 of them.  With n >= 300 wait samples in each (checked),
	# the sampling error sqrt(p(1-p)/n) of a share is at most 2.9 points
	# (p = 0.5; 1.8 points at p = 0.75, n = 550), that of the difference
	# of the two at most 4.1 points (2.6).  The samples are close to
	# independent: an update waits about a millisecond for the row, far
	# less than the 10 ms between samples.  pg_wait_sampling also sees the
	# workers outside their operations, which ours does not: preparing
	# their statements at the start (a few I/O and LWLock waits, under 2%
	# of its samples).  A margin of 12 points is 3 standard deviations of
	# the difference in the worst case, over 4 in the usual one, plus that
	# 2%: a real disagreement (Lock attributed to the wrong samples, or
	# not read from the right processes) is far larger.
	my $pid_list = join(',', sort keys %pids) || 'NULL';
	my ($theirs_lock, $theirs_waits) = split /\|/, q1(
		"SELECT coalesce(sum(count) FILTER (WHERE event_type = 'Lock'), 0),
		        coalesce(sum(count), 0)
		   FROM pg_wait_sampling_profile
		  WHERE pid IN ($pid_list) AND event_type IS NOT NULL
		    AND event_type NOT IN ('Extension', 'Activity', 'Client', 'Timeout')");
	cmp_ok($theirs_waits, '>=', 300,
		"pg_wait_sampling: sampled the workers' waits ($theirs_waits samples)");
	cmp_ok($ours_waits, '>=', 300, "ours: sampled the workers' waits ($ours_waits samples)");
	my $share_ours = $ours{Lock} / ($ours_waits || 1);
	my $share_theirs = $theirs_lock / ($theirs_waits || 1);
	cmp_ok(abs($share_ours - $share_theirs), '<=', 0.12,
		sprintf('Lock share of the waits: ours %.3f (%d of %d), pg_wait_sampling %.3f (%d of %d), within 0.12',
			$share_ours, $ours{Lock}, $ours_waits, $share_theirs, $theirs_lock, $theirs_waits));
}

# The summaries against the samples: counts exactly, percentiles within
# 1% (the histograms' buckets are within 0.78% of their values).
my $n = q1("SELECT count(*) FROM loadtest.sample_log WHERE run_id = $hot");
cmp_ok($n, '>', 500, "hot row: many samples ($n)");
is( q1("WITH e AS (SELECT count(*) AS ops, count(*) FILTER (WHERE NOT success) AS failed,
	                     percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_us) AS p
	                FROM loadtest.sample_log WHERE run_id = $hot)
	    SELECT s.total_ops = e.ops, s.failed = e.failed,
	           abs(s.median_ms * 1000 - e.p[1]) <= 0.01 * e.p[1],
	           abs(s.p95_ms * 1000 - e.p[2]) <= 0.01 * e.p[2],
	           abs(s.p99_ms * 1000 - e.p[3]) <= 0.01 * e.p[3]
	      FROM loadtest.run_summary s, e WHERE s.run_id = $hot"),
	't|t|t|t|t', 'hot row: run_summary: counts exact, p50, p95, p99 within 1% of percentile_cont');
is( q1("WITH e AS (SELECT operation, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors,
	                     percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_us) AS p
	                FROM loadtest.samples WHERE run_id = $hot GROUP BY operation)
	    SELECT count(*), bool_and(o.ops = e.ops AND o.errors = e.errors),
	           bool_and(abs(o.median_ms * 1000 - e.p[1]) <= 0.01 * e.p[1] AND abs(o.p95_ms * 1000 - e.p[2]) <= 0.01 * e.p[2])
	      FROM e JOIN loadtest.operation_stats o ON o.run_id = $hot AND o.operation = e.operation"),
	'1|t|t', 'hot row: operation_stats: counts exact, p50 and p95 within 1%');
is( q1("WITH e AS (SELECT user_no, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors,
	                     percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us) AS p95
	                FROM loadtest.sample_log WHERE run_id = $hot GROUP BY user_no)
	    SELECT count(*), bool_and(u.ops = e.ops AND u.errors = e.errors),
	           bool_and(abs(u.p95_ms * 1000 - e.p95) <= 0.01 * e.p95)
	      FROM e JOIN loadtest.user_stats u ON u.run_id = $hot AND u.user_no = e.user_no"),
	'4|t|t', 'hot row: user_stats: counts exact, p95 within 1%');
is( q1("WITH e AS (SELECT start_us / 1000000 AS second, count(*) AS ops, count(*) FILTER (WHERE NOT success) AS errors
	                FROM loadtest.sample_log WHERE run_id = $hot GROUP BY 1)
	    SELECT count(*) = (SELECT count(*) FROM loadtest.run_timeline WHERE run_id = $hot),
	           bool_and(t.ops = e.ops AND t.errors = e.errors),
	           (SELECT sum(ops) FROM loadtest.run_timeline WHERE run_id = $hot) = $n
	      FROM e JOIN loadtest.run_timeline t ON t.run_id = $hot AND t.second = e.second"),
	't|t|t', 'hot row: the timeline has the samples of each second and adds up to the run');
is( q1("SELECT count(*) FROM (
	      (SELECT operation_no, sqlstate, count(*) FROM loadtest.sample_log
	        WHERE run_id = $hot AND NOT success GROUP BY 1, 2)
	      EXCEPT
	      (SELECT operation_no, sqlstate, sum(count) FROM loadtest.run_errors WHERE run_id = $hot GROUP BY 1, 2)) d"),
	'0', 'hot row: run_errors has the errors of sample_log by operation and SQLSTATE');
is( q1("SELECT coalesce(sum(count), 0) = (SELECT count(*) FROM loadtest.sample_log WHERE run_id = $hot AND NOT success)
	      FROM loadtest.run_errors WHERE run_id = $hot"),
	't', 'hot row: ... and no more');
is( q1("SELECT (SELECT n_tup_upd FROM loadtest.run_table_stats
	                 WHERE run_id = $hot AND table_name = 'membership.members')
	           >= (SELECT count(*) FROM loadtest.sample_log WHERE run_id = $hot AND success)"),
	't', 'hot row: rows updated in members at least the successful updates');

# ---------------------------------------------------------------------
# The sampler off
# ---------------------------------------------------------------------
my $off = q1(
	"SET loadtest.wait_sample_interval_ms = 0;
	 SELECT loadtest_run(users => 2, duration => '1 second', pattern => 'read_member_detail',
	                     think_time_ms => 0, ramp_up_s => 0, samples => 'none')");
is( q1("SELECT r.wait_sample_interval_ms, (SELECT count(*) FROM loadtest.wait_profile w WHERE w.run_id = r.run_id),
	           s.total_ops > 100
	      FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id) WHERE r.run_id = $off"),
	'0|0|t', 'sampler off: no wait_profile rows, the run records interval 0');
like(q1("SELECT loadtest_report($off)"), qr/^   not sampled: the wait sampler was off/m,
	'sampler off: the report says so');

is(loadtest_backends($mon), 0, 'no loadtest process left');
$mon->quit;
finish_and_check_log($node);
done_testing();
