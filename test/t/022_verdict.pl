
# The answer (1.5, issue #11) on real runs of a few seconds:
#   - the verdict, measured, not ready: 4000 users through a pool of 16
#     workers all updating one hot row (loadtest.hot_rows = 1,
#     update_member, think time 100 ms, 10 s): users queue for a worker
#     behind the row's lock, so the verdict names the lock and the table,
#     and its capacity is Little's law at the measured throughput,
#     X x (500 + 100) ms, below 4000;
#   - measured, ready: 20 users of the distributed pattern for a target
#     of 20 users: capacity near Little's law, the response users felt;
#   - not enough evidence: a small run of its own test gets NULL, and the
#     call its explanation gives runs (with a short duration) and answers
#     it;
#   - recommendations: an index the operation needs dropped
#     (list_file_attachments without file_attachments_member_idx): the
#     CREATE INDEX on the right table and column, not checked without
#     hypopg, its cost falling with hypopg (which leaves no hypothetical
#     index nor prepared statement behind); the statement executed, the
#     operation is faster; search_members' prefix search by last name
#     without members_last_name_idx: an index with text_pattern_ops, the
#     only operator class of ~>=~ and ~<~; none on a healthy run (fsync
#     on, as on a real server); errors by SQLSTATE;
#   - compare: two runs of the same test, no significant change; without
#     the index, slower; with it again, faster;
#   - loadtest_check: passing, failing with SQLSTATE LT001 and a message
#     naming every broken threshold, psql -v ON_ERROR_STOP=1 failing;
#   - loadtest_report_json: its figures equal the views'.
# Timings are never asserted (2 cores, other tests running): the figures
# a verdict gives are compared with the same run's figures.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use LoadtestCheck;

my $started = time;
# fsync on, as on a real server (PostgreSQL::Test::Cluster turns it off):
# commits then wait for WAL, which a healthy run must not be blamed for.
my $node = new_loadtest_node('verdict', conf => "fsync = on\n");

sub q1 { return $node->safe_psql('postgres', $_[0]); }

# A run; its id.
sub run
{
	my ($args, $settings) = @_;
	return q1(($settings // '') . "SELECT loadtest_run($args)");
}

# The figures of a run from the views (the one place the test takes them):
# X, R, W, Z as the design defines them, and the users.
sub figures
{
	my ($run_id) = @_;
	my @f = split /\|/, q1(
		"SELECT s.throughput_ops_s, s.avg_ms, coalesce(s.avg_wait_ms, 0),
		        CASE WHEN r.rate IS NULL THEN r.think_time_ms ELSE 0 END, r.users, s.success_pct
		   FROM loadtest.run_summary s JOIN loadtest.runs r USING (run_id) WHERE s.run_id = $run_id");
	my %f;
	@f{qw(X R W Z users success_pct)} = @f;
	return \%f;
}

# loadtest_verdict(...) as a hash of its six columns (undef for NULL).
sub verdict
{
	my ($args) = @_;
	my $v = decode_json(q1("SELECT row_to_json(v) FROM loadtest_verdict($args) v"));
	note("loadtest_verdict($args):\n" . join("\n",
		map { sprintf('   %s: %s', $_, defined $v->{$_} ? $v->{$_} : 'NULL') }
		  qw(ready capacity_users response_ms_at_target basis bottleneck explanation)));
	return $v;
}

# loadtest_recommendations(run) as a list of hashes.
sub recommendations
{
	my ($run_id) = @_;
	my $rows = decode_json(q1(
		"SELECT coalesce(json_agg(r), '[]') FROM loadtest_recommendations($run_id) r"));
	note("loadtest_recommendations($run_id): " . scalar(@$rows) . " rows\n" . join("\n",
		map { my $r = $_; '   ' . join(' | ', map { $r->{$_} // 'NULL' } qw(finding evidence recommendation statement)) } @$rows));
	return $rows;
}

# loadtest_compare(base, candidate) as a hash by operation ('' for the
# overall row).
sub compare
{
	my ($base, $candidate) = @_;
	my $rows = decode_json(q1(
		"SELECT coalesce(json_agg(c), '[]') FROM loadtest_compare($base, $candidate) c"));
	note("loadtest_compare($base, $candidate):\n" . join("\n",
		map { my $r = $_; '   ' . join(' | ', map { $r->{$_} // 'NULL' }
				qw(operation base_ops candidate_ops base_median_ms candidate_median_ms base_p95_ms candidate_p95_ms change_pct p_value verdict)) } @$rows));
	return { map { (($_->{operation} // '') => $_) } @$rows };
}

# psql -v ON_ERROR_STOP=1 with verbose errors (the SQLSTATE in the
# message): its exit code, stdout and stderr.
sub psql_stop
{
	my ($sql) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql",
		stdout => \$out, stderr => \$err, on_error_stop => 1);
	return ($rc, $out, $err);
}

# A recommendation's finding, evidence and recommendation as one text.
sub text_of
{
	my ($r) = @_;
	return join(' ', map { $r->{$_} // '' } qw(finding evidence recommendation));
}

sub within
{
	my ($got, $want, $rel) = @_;
	return defined $got && defined $want && abs($got - $want) <= $rel * abs($want);
}

# ---------------------------------------------------------------------
# Not enough evidence: 5 users of read_heavy for 2 s, for 4000 users
# ---------------------------------------------------------------------
my $small = run("users => 5, duration => '2 seconds', pattern => 'read_heavy', think_time_ms => 100,
                 ramp_up_s => 0, samples => 'none'");
my $v = verdict("$small");
ok(!defined $v->{ready} && !defined $v->{basis} && !defined $v->{capacity_users},
	'small run: ready, basis and capacity NULL: the evidence cannot answer');
my ($call) = ($v->{explanation} // '') =~ /(SELECT loadtest_run\(.*?\);)/s;
ok(defined $call, 'small run: the explanation gives the call of a run that would answer')
  or diag($v->{explanation} // 'NULL');
$call //= '';
like($call, qr/users => 4000\b/, 'small run: ... of 4000 users');
like($call, qr/pattern => 'read_heavy'/, '... of the same pattern');
like($call, qr/think_time_ms => 100\b/, '... with the same think time');
my ($pool) = $call =~ /pool_size => (\d+)/;
my $max_workers = q1('SHOW max_worker_processes');
ok(defined $pool && $pool >= 1 && $pool + 1 <= $max_workers,
	"... through a pool that fits max_worker_processes = $max_workers (pool_size " . ($pool // 'none') . ')');
like($v->{explanation} // '', qr/max_worker_processes/, 'small run: the explanation says how many worker slots it needs');

# The call runs, with a short duration and no ramp-up, and answers.
(my $short = $call) =~ s/duration => '[^']*'/duration => '2 seconds'/;
$short =~ s/ramp_up_s => [\d.]+/ramp_up_s => 0/;
$short =~ s/\)\s*;$/, samples => 'none');/ unless $short =~ /samples =>/;
my $answered = q1($short);
like($answered, qr/^\d+$/, "the call of the explanation runs: $short");
is( q1("SELECT status, users, pattern, think_time_ms, pool_size FROM loadtest.runs WHERE run_id = $answered"),
	"completed|4000|read_heavy|100|$pool", '... completed, 4000 users of read_heavy, think time 100 ms, the pool it gave');
$v = verdict("$small");
is($v->{basis}, 'measured', 'after it the small run\'s verdict is measured');
like($v->{explanation} // '', qr/\brun $answered\b/, '... from the run the call made');

# ---------------------------------------------------------------------
# Measured, not ready: the hot row, 4000 users through a pool of 16
# ---------------------------------------------------------------------
my $hot = run(
	"users => 4000, pool_size => 16, duration => '10 seconds', pattern => 'update_member',
	 think_time_ms => 100, ramp_up_s => 1, samples => 'none'", 'SET loadtest.hot_rows = 1; ');
my $hf = figures($hot);
note(sprintf('hot row run %d: X %.1f ops/s, R %.2f ms, W %.2f ms, Z %d ms, concurrency %.0f',
		$hot, $hf->{X}, $hf->{R}, $hf->{W}, $hf->{Z}, $hf->{X} * ($hf->{R} + $hf->{W} + $hf->{Z}) / 1000));
$v = verdict("$hot");
is($v->{ready}, JSON::PP::false, 'hot row: not ready');
is($v->{basis}, 'measured', 'hot row: measured (this run is of 4000 users)');
my $little = $hf->{X} * (500 + $hf->{Z}) / 1000;
ok(within($v->{capacity_users}, $little, 0.15),
	sprintf('hot row: capacity %s within 15%% of Little\'s law X x (500 + 100) ms = %.1f',
		$v->{capacity_users} // 'NULL', $little));
cmp_ok($v->{capacity_users} // 1e9, '<', 4000, 'hot row: capacity below 4000');
cmp_ok($v->{response_ms_at_target} // 0, '>', 500, 'hot row: response at 4000 users over 500 ms');
like($v->{bottleneck} // '', qr/Lock/, 'hot row: the bottleneck is the lock');
like($v->{bottleneck} // '', qr/transactionid|tuple/, '... which lock (transactionid or tuple)');
like($v->{bottleneck} // '', qr/membership\.members\b/, '... on which table');
like($v->{bottleneck} // '', qr/update_member/, '... of which operation');
like($v->{explanation} // '', qr/\brun $hot\b/, 'hot row: the explanation names the run');
my $latest = verdict('');
is( join('|', map { $latest->{$_} // 'NULL' } qw(ready capacity_users basis bottleneck)),
	join('|', map { $v->{$_} // 'NULL' } qw(ready capacity_users basis bottleneck)),
	'hot row: SELECT * FROM loadtest_verdict() right after it gives the same verdict');
my $report = q1("SELECT loadtest_report($hot)");
like($report, qr/^   Verdict: NOT READY for 4000 users within 500\.00ms \(measured/m,
	'hot row: the report\'s scaling section starts with the verdict, not ready, measured');
unlike($report, qr/System should handle|No action needed/, 'hot row: ... and nothing in the report says otherwise');
my $hot_recs = recommendations($hot);
ok(scalar(grep { text_of($_) =~ /Lock/ && text_of($_) =~ /membership\.members/ } @$hot_recs),
	'hot row: a recommendation about the lock waits on membership.members');
ok(!scalar(grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @$hot_recs), 'hot row: no index recommended');

# ---------------------------------------------------------------------
# Measured, ready: 20 users for a target of 20; the same test again
# ---------------------------------------------------------------------
my $ready = run("users => 20, duration => '4 seconds', think_time_ms => 100, ramp_up_s => 0, samples => 'all'");
my $rf = figures($ready);
$v = verdict("$ready, target_users => 20");
is($v->{ready}, JSON::PP::true, '20 users, target 20: ready');
is($v->{basis}, 'measured', '... measured');
$little = $rf->{X} * (500 + $rf->{Z}) / 1000;
ok(within($v->{capacity_users}, $little, 0.15),
	sprintf('... capacity %s within 15%% of Little\'s law X x (500 + 100) ms = %.1f',
		$v->{capacity_users} // 'NULL', $little));
ok(within($v->{response_ms_at_target}, $rf->{R} + $rf->{W}, 0.01),
	sprintf('... response at target %s: what users felt, R + W = %.3f ms',
		$v->{response_ms_at_target} // 'NULL', $rf->{R} + $rf->{W}));
is(scalar(@{ recommendations($ready) }), 0, 'a healthy run: no recommendation');

# Two runs of the same test: a change counts only when significant and
# over 5%.  (A run shifts as a whole, with the machine's load and the
# tables the distributed writes grow, while the Mann-Whitney test takes the
# operations as independent: on a loaded 2-core machine 3 of 8 such pairs
# came out faster or slower.)
my $repeat = run("users => 20, duration => '4 seconds', think_time_ms => 100, ramp_up_s => 0, samples => 'none'");
my $c = compare($ready, $repeat);
is($c->{''}{verdict}, 'no significant change', 'the same test twice: no significant change overall');
like(q1("SELECT loadtest_compare_report($ready, $repeat)"), qr/no significant change/,
	'... the text form says so');

# ---------------------------------------------------------------------
# An index dropped: list_file_attachments without (member_id, uploaded_at)
# ---------------------------------------------------------------------
my $files = "users => 2, duration => '3 seconds', pattern => 'list_file_attachments', think_time_ms => 0,
             ramp_up_s => 0, samples => 'none'";
my $with = run($files);
q1('DROP INDEX membership.file_attachments_member_idx');
my $without = run($files);
note('without the index: '
	  . q1("SELECT format('seq_scan %s, seq_tup_read %s', seq_scan, seq_tup_read) FROM loadtest.run_table_stats
	         WHERE run_id = $without AND table_name = 'membership.file_attachments'"));
my @index = grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @{ recommendations($without) };
is(scalar(@index), 1, 'without the index: one CREATE INDEX recommended');
my $statement = $index[0]{statement} // '';
like($statement, qr/^CREATE INDEX ON membership\.file_attachments \(member_id\b/,
	'... on membership.file_attachments, member_id first');
like($index[0]{evidence} // '', qr/not checked.*hypopg/i, '... not checked without hypopg, and says how to');
like($index[0]{evidence} // '', qr/seq/i, '... its evidence gives the sequential scans');

# search_members' prefix search by last name (~>=~ and ~<~) without its
# index (last_name text_pattern_ops): only a text_pattern_ops index serves
# those operators
q1('DROP INDEX membership.members_last_name_idx');
my $search = run("users => 2, duration => '3 seconds', pattern => 'search_members', think_time_ms => 0,
                  ramp_up_s => 0, samples => 'none'");
my @search_index = grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @{ recommendations($search) };
is(scalar(@search_index), 1, 'search_members without its index: one CREATE INDEX recommended');
like($search_index[0]{statement} // '', qr/^CREATE INDEX ON membership\.members \(last_name text_pattern_ops\b/,
	'... on membership.members (last_name text_pattern_ops): the prefix search\'s operators');

$c = compare($with, $without);
is($c->{list_file_attachments}{verdict}, 'slower', 'compare: without the index, list_file_attachments is slower');
is($c->{''}{verdict}, 'slower', '... and so is the whole run');

q1('CREATE EXTENSION hypopg');
my ($recs, $prepared, $hypothetical) = split /\n/, q1(
	"SELECT coalesce(jsonb_agg(r), '[]') FROM loadtest_recommendations($without) r;
	 SELECT count(*) FROM pg_prepared_statements;
	 SELECT count(*) FROM hypopg_list_indexes");
@index = grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @{ decode_json($recs // '[]') };
is(scalar(@index), 1, 'with hypopg: the CREATE INDEX is still recommended');
is($index[0]{statement} // '', $statement, '... the same statement');
my ($from, $to) = ($index[0]{evidence} // '') =~ /HypoPG.*?from ([\d,.]+) to ([\d,.]+)/;
ok(defined $to, '... checked with HypoPG: the statement\'s cost from A to B')
  or diag($index[0]{evidence} // 'NULL');
s/,//g for grep { defined } ($from, $to);
ok(defined $to && $to < 0.9 * $from, "... falls (from " . ($from // '?') . ' to ' . ($to // '?') . ')');
@search_index = grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @{ recommendations($search) };
like($search_index[0]{evidence} // '', qr/HypoPG.*falls/, 'with hypopg: search_members\' index lowers its cost');
is($prepared, '0', 'with hypopg: no prepared statement left in the session');
is($hypothetical, '0', 'with hypopg: no hypothetical index left');
is(scalar(@{ recommendations($ready) }), 0, 'with hypopg, the healthy run: still no recommendation');

q1($search_index[0]{statement}) if ($search_index[0]{statement} // '') =~ /^CREATE INDEX ON membership\.members /;
my $search_after = run("users => 2, duration => '3 seconds', pattern => 'search_members', think_time_ms => 0,
                        ramp_up_s => 0, samples => 'none'");
$c = compare($search, $search_after);
is($c->{search_members}{verdict}, 'faster', 'search_members\' recommended index created: search_members is faster');

q1($statement);
my $after = run($files);
$c = compare($without, $after);
is($c->{list_file_attachments}{verdict}, 'faster', 'the recommended index created: list_file_attachments is faster');
is($c->{''}{verdict}, 'faster', '... and so is the whole run');
is(scalar(grep { ($_->{statement} // '') =~ /CREATE INDEX/ } @{ recommendations($after) }),
	0, 'with the index: no index recommended');

# ---------------------------------------------------------------------
# Errors: a quarter of the operations divide by zero
# ---------------------------------------------------------------------
q1(q{SELECT loadtest_define_operation('flaky_read', 'read', ARRAY['SELECT 1 / ($1 % 4) AS x'],
        '[{"type": "int", "min": 1, "max": 100}]', description => 'fails with division_by_zero for a quarter of its values')});
my $flaky = run("users => 2, duration => '2 seconds', pattern => 'flaky_read', think_time_ms => 10,
                 ramp_up_s => 0, samples => 'none'");
my $ff = figures($flaky);
$v = verdict("$flaky");
like($v->{bottleneck} // '', qr/^errors: .*22012/, "errors: the bottleneck is the errors ($ff->{success_pct}% succeeded), by SQLSTATE");
ok(scalar(grep { text_of($_) =~ /22012/ } @{ recommendations($flaky) }),
	'errors: a recommendation names SQLSTATE 22012');

# ---------------------------------------------------------------------
# loadtest_check
# ---------------------------------------------------------------------
is( q1("SELECT loadtest_check($ready, max_avg_ms => 100, max_p95_ms => 500, max_p99_ms => 1000,
	                          min_throughput => 1, min_success_pct => 99)"),
	't', 'check: a run within its thresholds passes');
is(q1("SELECT loadtest_check($ready, require_ready => true, target_users => 20)"),
	't', 'check: require_ready passes on a ready run');
is(q1("SELECT loadtest_check($after, baseline => $without)"), 't', 'check: faster than its baseline passes');

my $hot_avg = q1("SELECT loadtest.format_number(avg_ms, 'FM999G999G999G999G990D00') FROM loadtest.run_summary WHERE run_id = $hot");
my $hot_p95 = q1("SELECT loadtest.format_number(p95_ms, 'FM999G999G999G999G990D00') FROM loadtest.run_summary WHERE run_id = $hot");
my ($rc, $out, $err) = psql_stop(
	"SELECT loadtest_check($hot, max_avg_ms => 1, max_p95_ms => 2, min_success_pct => 99, require_ready => true);
	 SELECT 'went on';");
isnt($rc, 0, 'check: broken thresholds fail psql -v ON_ERROR_STOP=1');
unlike($out, qr/went on/, '... which stops there');
like($err, qr/ERROR:  LT001: load test run $hot broke 3 thresholds: /, '... SQLSTATE LT001, the run and how many thresholds broke')
  or diag($err);
like($err, qr/\Q$hot_avg\Ems > 1\.00ms/, "... the average and its limit ($hot_avg ms > 1.00 ms)");
like($err, qr/\Q$hot_p95\Ems > 2\.00ms/, "... the p95 and its limit ($hot_p95 ms > 2.00 ms)");
like($err, qr/ready/i, '... not ready');
my ($message) = $err =~ /^(.*ERROR:.*)$/m;
unlike($message // '', qr/success/i, '... not the success rate, which held');

($rc, $out, $err) = psql_stop("SELECT loadtest_check($without, baseline => $with)");
isnt($rc, 0, 'check: slower than its baseline fails');
like($err, qr/ERROR:  LT001: .*list_file_attachments/, '... naming the operation') or diag($err);

my $flaky_pct = q1("SELECT loadtest.format_number(success_pct, 'FM999G999G999G999G990D00') FROM loadtest.run_summary WHERE run_id = $flaky");
is( q1(
		"DO \$\$BEGIN PERFORM loadtest_check($flaky, min_success_pct => 99);
		   EXCEPTION WHEN SQLSTATE 'LT001' THEN RAISE NOTICE 'caught: %', SQLERRM; END\$\$;
		 SELECT 'ok'"),
	'ok', 'check: the error is caught as SQLSTATE LT001');
($rc, $out, $err) = psql_stop("SELECT loadtest_check($flaky, min_success_pct => 99)");
like($err, qr/broke 1 threshold: success \Q$flaky_pct\E% < 99\.00%/, "... success $flaky_pct% < 99.00%")
  or diag($err);

# ---------------------------------------------------------------------
# loadtest_report_json: the figures are the views'
# ---------------------------------------------------------------------
for my $run_id ($hot, $flaky, $ready)
{
	my $j = decode_json(q1("SELECT loadtest_report_json($run_id)"));
	is($j->{run_id}, $run_id, "json of run $run_id: its run_id");
	for my $key (qw(configuration distribution overall response_times operations errors
		assessment verdict recommendations where_time_went database over_time plans))
	{
		ok(exists $j->{$key}, "json of run $run_id: key $key");
	}
	my $s = decode_json(q1("SELECT row_to_json(s) FROM loadtest.run_summary s WHERE run_id = $run_id"));
	my @bad;
	for my $k (qw(total_ops successful failed success_pct throughput_ops_s))
	{
		push @bad, "overall.$k " . ($j->{overall}{$k} // 'NULL') . " <> $s->{$k}"
		  unless within($j->{overall}{$k}, $s->{$k}, 1e-9);
	}
	for my $k (qw(avg_ms median_ms p95_ms p99_ms min_ms max_ms))
	{
		push @bad, "response_times.$k " . ($j->{response_times}{$k} // 'NULL') . " <> $s->{$k}"
		  unless within($j->{response_times}{$k}, $s->{$k}, 1e-9);
	}
	is(join('; ', @bad), '', "json of run $run_id: overall and response_times equal run_summary");

	my %ops = map { ($_->{operation} => $_) } @{ decode_json(q1(
		"SELECT json_agg(o) FROM loadtest.operation_stats o WHERE run_id = $run_id")) };
	my @jops = ref $j->{operations} eq 'ARRAY' ? @{ $j->{operations} } : ();
	@bad = ();
	push @bad, scalar(@jops) . ' operations, ' . scalar(keys %ops) . ' in operation_stats'
	  unless @jops == keys %ops;
	for my $o (@jops)
	{
		my $want = $ops{ $o->{operation} // '' };
		if (!$want) { push @bad, 'operation ' . ($o->{operation} // 'NULL') . ' not in operation_stats'; next; }
		for my $k (grep { $_ ne 'run_id' && $_ ne 'operation' && $_ ne 'kind' && exists $o->{$_} } keys %$want)
		{
			push @bad, "$o->{operation}.$k " . ($o->{$k} // 'NULL') . ' <> ' . ($want->{$k} // 'NULL')
			  unless (!defined $want->{$k} && !defined $o->{$k}) || within($o->{$k}, $want->{$k}, 1e-9);
		}
		push @bad, "$o->{operation}: no ops" unless exists $o->{ops};
	}
	is(join('; ', @bad), '', "json of run $run_id: operations equal operation_stats");

	my $errors = decode_json(q1(
		"SELECT coalesce(json_agg(e ORDER BY operation, sqlstate), '[]') FROM loadtest.error_stats e WHERE run_id = $run_id"));
	my @jerr = ref $j->{errors} eq 'ARRAY' ? @{ $j->{errors} } : ();
	is( join(',', sort map { join(':', $_->{operation} // '', $_->{sqlstate} // '', $_->{count} // '') } @jerr),
		join(',', sort map { join(':', $_->{operation}, $_->{sqlstate}, $_->{count}) } @$errors),
		"json of run $run_id: errors equal error_stats (" . scalar(@$errors) . ')');

	my $vj = decode_json(q1("SELECT row_to_json(v) FROM loadtest_verdict($run_id) v"));
	is_deeply($j->{verdict}, $vj, "json of run $run_id: the verdict is loadtest_verdict's row");
	is(scalar(@{ $j->{recommendations} // [] }),
		q1("SELECT count(*) FROM loadtest_recommendations($run_id)"),
		"json of run $run_id: the recommendations are loadtest_recommendations' rows");
}

my $mon = $node->background_psql('postgres');
is(loadtest_backends($mon), 0, 'no loadtest process left');
$mon->quit;
note(sprintf('022_verdict: %.0f s', time - $started));
finish_and_check_log($node);
done_testing();
