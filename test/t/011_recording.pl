
# How the recorder writes samples.  While loadtest.sample_log (the table
# behind the view loadtest.samples since 1.3) is as the extension made it,
# batches go in as COPY FROM writes (multi-insert WAL records, indexes
# maintained row by row); a trigger, a rule or a check constraint a user
# adds to it sends them through INSERT, which honours it.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('recording', conf => "autovacuum = off\n");
$node->safe_psql('postgres', 'CREATE EXTENSION pg_walinspect');
$node->safe_psql('postgres', 'CREATE EXTENSION amcheck');

# Runs 2 users x $ops of read_file_metadata (no writes of its own) and
# returns the run id and the WAL records it wrote, by type.
sub run_and_count_wal
{
	my ($ops) = @_;
	my $start = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	my $run_id = $node->safe_psql('postgres',
		"SELECT loadtest_run(users => 2, ops => $ops, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0)");
	my $end = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	my %records = map { split /\|/ } split /\n/, $node->safe_psql('postgres',
		"SELECT \"resource_manager/record_type\", count FROM pg_get_wal_stats('$start', '$end', true) WHERE count > 0");
	return ($run_id, \%records);
}

sub records_like
{
	my ($records, $re) = @_;
	my $n = 0;
	$n += $records->{$_} for grep { $_ =~ $re } keys %$records;
	return $n;
}

sub run_status_and_samples
{
	my ($run_id) = @_;
	return $node->safe_psql('postgres',
		"SELECT status, (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id),
		        (SELECT count(DISTINCT (user_no, op_no)) FROM loadtest.samples s WHERE s.run_id = r.run_id)
		   FROM loadtest.runs r WHERE run_id = $run_id");
}

# ---------------------------------------------------------------------
# The table as shipped: the direct path
# ---------------------------------------------------------------------
my ($run_id, $wal) = run_and_count_wal(3000);
is(run_status_and_samples($run_id), 'completed|6000|6000', 'direct path: every sample written once');
cmp_ok(records_like($wal, qr{^Heap2/MULTI_INSERT}), '>', 0,
	'direct path: samples go in as multi-insert WAL records');
# the rows written one by one: those of runs, run_users, run_operations,
# run_patterns and (1.4) the run's summaries and evidence, a bounded number
# (a few per operation, second, worker, counter and table), not one per
# sample
my $bookkeeping_rows = $node->safe_psql('postgres',
	join(' + ', 'SELECT 1', map { "(SELECT count(*) FROM loadtest.$_ WHERE run_id = $run_id)" }
		  qw(run_users run_operations run_patterns run_histograms run_errors wait_profile run_db_stats
		  run_table_stats run_memory run_plans)));
cmp_ok($bookkeeping_rows, '<', 200, "direct path: the run's bookkeeping rows are few ($bookkeeping_rows for 6000 samples)");
cmp_ok(records_like($wal, qr{^Heap/INSERT}), '<', $bookkeeping_rows + 15,
	'direct path: no single-row heap insert per sample (only the rows of runs, run_users, run_operations, run_patterns, the summaries and the evidence)');
is( $node->safe_psql('postgres',
		"SELECT sum(latency_us) > 0 AND bool_and(success) AND bool_and(sqlstate IS NULL AND message IS NULL)
		        AND min(op_no) = 1 AND max(op_no) = 3000 AND bool_and(tries = 1)
		        AND bool_and(operation = 'read_file_metadata' AND pattern = 'single_operation')
		   FROM loadtest.samples WHERE run_id = $run_id"),
	't', 'direct path: the values are the samples\' (op_no 1..3000, no error columns)');

# The BRIN index finds the run's samples.
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_indexscan = off;
		 SELECT count(*) FROM loadtest.sample_log WHERE run_id = $run_id"),
	6000, 'the BRIN index on run_id finds every sample of the run');

# A run whose samples land in an already summarized block range: the
# direct path, which inserts into a BRIN index once per range and value,
# must widen that range's summary to the new run_id, or an index scan
# would skip the range.
is( $node->safe_psql('postgres',
		"SELECT brin_desummarize_range('loadtest.sample_log_run_id_brin', 0);
		 SELECT brin_summarize_range('loadtest.sample_log_run_id_brin', 0)"),
	"\n1", 'the block range of the first run is summarized afresh');
my $small_run = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 20, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0)");
is( $node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM loadtest.sample_log WHERE run_id = $small_run AND (ctid::text::point)[0] < 128)"),
	40, 'the next run\'s samples are in the summarized range');
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_indexscan = off;
		 SELECT count(*) FROM loadtest.sample_log WHERE run_id = $small_run"),
	40, 'the BRIN index finds them: the summary was widened');
like( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_indexscan = off;
		 EXPLAIN (COSTS OFF) SELECT count(*) FROM loadtest.sample_log WHERE run_id = $small_run"),
	qr/Bitmap Index Scan on sample_log_run_id_brin/, '... through the BRIN index');
# the view reads sample_log through the same index (a count needs neither
# name: its joins are removed)
like( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_indexscan = off;
		 EXPLAIN (COSTS OFF) SELECT count(*) FROM loadtest.samples WHERE run_id = $small_run"),
	qr/Bitmap Index Scan on sample_log_run_id_brin/, '... and so does the view loadtest.samples');

# A user's own B-tree index is maintained by the direct path.
$node->safe_psql('postgres',
	'CREATE UNIQUE INDEX samples_by_user ON loadtest.sample_log (run_id, user_no, op_no)');
($run_id, $wal) = run_and_count_wal(3000);
is(run_status_and_samples($run_id), 'completed|6000|6000', 'with a unique index of the user\'s: completed');
cmp_ok(records_like($wal, qr{^Heap2/MULTI_INSERT}), '>', 0, '... still by the direct path');
is( $node->safe_psql('postgres',
		"SELECT bt_index_check('loadtest.samples_by_user'::regclass, true) IS NOT NULL"),
	't', '... and amcheck finds every sample in that index');
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_bitmapscan = off;
		 SELECT count(*) FROM loadtest.sample_log WHERE run_id = $run_id"),
	6000, '... which an index scan reads back');
$node->safe_psql('postgres', 'DROP INDEX loadtest.samples_by_user');

# ---------------------------------------------------------------------
# A trigger of the user's: the SQL path, which fires it
# ---------------------------------------------------------------------
$node->safe_psql('postgres', q{
	CREATE TABLE forwarded (run_id bigint, n bigint);
	CREATE FUNCTION forward_samples() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
	    INSERT INTO public.forwarded SELECT run_id, count(*) FROM new_samples GROUP BY run_id;
	    RETURN NULL;
	END $$;
	CREATE TRIGGER forward AFTER INSERT ON loadtest.sample_log
	    REFERENCING NEW TABLE AS new_samples
	    FOR EACH STATEMENT EXECUTE FUNCTION forward_samples();
});
($run_id, $wal) = run_and_count_wal(3000);
is(run_status_and_samples($run_id), 'completed|6000|6000', 'with a trigger: completed');
is($node->safe_psql('postgres', "SELECT sum(n) FROM forwarded WHERE run_id = $run_id"),
	6000, 'the trigger saw every sample (the batches went through INSERT)');
is(records_like($wal, qr{^Heap2/MULTI_INSERT}), 0, '... and none went through the direct path');
$node->safe_psql('postgres', 'DROP TRIGGER forward ON loadtest.sample_log');

# ---------------------------------------------------------------------
# A rule of the user's: the SQL path, which applies it
# ---------------------------------------------------------------------
$node->safe_psql('postgres', q{
	CREATE TABLE failed_copy (run_id bigint, user_no int, op_no int);
	CREATE RULE copy_samples AS ON INSERT TO loadtest.sample_log
	    DO ALSO INSERT INTO failed_copy VALUES (NEW.run_id, NEW.user_no, NEW.op_no);
});
($run_id, $wal) = run_and_count_wal(500);
is(run_status_and_samples($run_id), 'completed|1000|1000', 'with a rule: completed');
is($node->safe_psql('postgres', "SELECT count(*) FROM failed_copy WHERE run_id = $run_id"),
	1000, 'the rule copied every sample (the batches went through INSERT)');
$node->safe_psql('postgres', 'DROP RULE copy_samples ON loadtest.sample_log');

# ---------------------------------------------------------------------
# A check constraint of the user's: the SQL path enforces it
# ---------------------------------------------------------------------
$node->safe_psql('postgres',
	'ALTER TABLE loadtest.sample_log ADD CONSTRAINT no_samples_wanted CHECK (latency_us < 0) NOT VALID');
$run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 200, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0)");
like( $node->safe_psql('postgres',
		"SELECT status || ': ' || message FROM loadtest.runs WHERE run_id = $run_id"),
	qr/^failed: .*no_samples_wanted/,
	'with a check constraint that refuses samples: the run fails and says why');
is($node->safe_psql('postgres', "SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id"),
	0, '... and no sample got past the constraint');
$node->safe_psql('postgres', 'ALTER TABLE loadtest.sample_log DROP CONSTRAINT no_samples_wanted');

# Back to the table as shipped: the direct path again.
($run_id, $wal) = run_and_count_wal(1000);
is(run_status_and_samples($run_id), 'completed|2000|2000', 'as shipped again: completed');
cmp_ok(records_like($wal, qr{^Heap2/MULTI_INSERT}), '>', 0, '... by the direct path');

finish_and_check_log($node);
done_testing();
