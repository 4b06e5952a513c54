
# A run stopped before its users start: while the recorder gathers the
# values its generators draw from (a slow table or view), and while the
# workers prepare many statements.  Cancelling the call stops every process
# of the run within about a second, whatever they are doing, and leaves no
# run behind; a read operation whose SELECT returns millions of rows costs
# its worker no memory for them.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('stop_while_preparing', seed => 200);
my $mon = $node->background_psql('postgres');

$node->safe_psql(
	'postgres', q{
CREATE SCHEMA app;
-- a view that takes half a second a row: gathering its 60 values takes 30 s
CREATE FUNCTION app.slowly(g int) RETURNS int LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_catalog.pg_sleep(0.5); RETURN g; END $$;
CREATE VIEW app.slow_ids AS SELECT app.slowly(g) AS id FROM generate_series(1, 60) g;
CREATE TABLE app.items (id int PRIMARY KEY);
INSERT INTO app.items SELECT generate_series(1, 60);
SELECT loadtest_define_operation('slow_lookup', 'read',
    ARRAY['SELECT * FROM app.items WHERE id = $1'],
    '[{"type": "column", "table": "app.slow_ids", "column": "id"}]');
});

# Cancel the call $delay seconds after it started; returns the seconds from
# the cancel until no process of the run is left.
sub cancel_and_time
{
	my ($sql, $delay, $what, $ready, $limit) = @_;
	my $before = newest_run_id($mon);
	my $client = start_client($node, 'postgres', $sql);
	my $pid;

	poll_until(
		sub {
			$pid = $mon->query_safe(
				"SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT loadtest_run(%' AND backend_type = 'client backend'"
			);
			return $pid ne '';
		},
		30);
	ok(defined poll_until($ready, 60), "$what: the run is at that stage")
	  if $ready;
	sleep $delay;
	my $t0 = time;
	$mon->query_safe("SELECT pg_cancel_backend($pid)");
	my $gone = poll_until(sub { loadtest_backends($mon) == 0 }, 30, 0.02, $t0);
	ok(defined $gone && $gone < ($limit // 1.5),
		"$what: every process of the run gone "
		  . (defined $gone ? sprintf('%.2f s', $gone) : 'never')
		  . ' after the cancel');
	my $rc = finish_client($client, 30);
	isnt($rc, 0, "$what: the call ended with an error");
	like($client->{stderr}, qr/cancel/i, "$what: the error says it was cancelled");
	return $before;
}

# 1. The recorder reads the slow view: a stop cancels the reading.
my $before = cancel_and_time(
	"SELECT loadtest_run(users => 1, ops => 10, pattern => 'slow_lookup', ramp_up_s => 0)",
	1.5, 'gathering values from a slow view');
is($mon->query_safe("SELECT count(*) FROM loadtest.runs WHERE run_id > $before"),
	'0', 'a run stopped while gathering its values leaves no run');

# 2. The workers prepare 1500 statements each, long ones (an IN list of a
# thousand values takes about a millisecond to analyse): a stop ends the
# preparing.
my $in_list = join(', ', 1 .. 1000);
my @statements = map { "'SELECT $_ WHERE \$1 IN ($in_list)'" } 1 .. 100;
my $statements = join(', ', @statements);
for my $i (1 .. 15)
{
	$node->safe_psql('postgres',
		"SELECT loadtest_define_operation('many_$i', 'read', ARRAY[$statements], '[{\"type\": \"int\", \"min\": 1, \"max\": 9}]')"
	);
}
$node->safe_psql('postgres',
	"SELECT loadtest_define_pattern('many', weights => '{"
	  . join(', ', map { "\"many_$_\": 1" } 1 .. 15) . "}')");
cancel_and_time(
	"SELECT loadtest_run(users => 4, ops => 10, pattern => 'many', ramp_up_s => 0)",
	0.3, 'workers preparing 1500 statements each',
	sub {
		$mon->query_safe(
			"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'loadtest user'")
		  >= 1
		  && $mon->query_safe(
			"SELECT count(*) FROM loadtest.sample_log WHERE run_id = (SELECT max(run_id) FROM loadtest.runs)"
		  ) == 0;
	});

# 3. A read of five million rows (some 550 MB of them), twice: the rows
# are produced and dropped, not kept.  The worker's resident memory is
# sampled from /proc while it runs.
$node->safe_psql('postgres',
	q{SELECT loadtest_define_operation('many_rows', 'read',
        ARRAY['SELECT g, pg_catalog.repeat(''x'', 100) FROM pg_catalog.generate_series(1, 5000000) g'])});
my $before_rows = newest_run_id($mon);
my $client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 1, ops => 2, pattern => 'many_rows', ramp_up_s => 0)");
my $max_kb = 0;
my $seen = 0;
poll_until(
	sub {
		my $pid = $mon->query_safe(
			"SELECT pid FROM pg_stat_activity WHERE backend_type = 'loadtest user' LIMIT 1");
		if ($pid ne '' && open(my $fh, '<', "/proc/$pid/status"))
		{
			while (<$fh>)
			{
				if (/^VmRSS:\s+(\d+) kB/)
				{
					$seen++;
					$max_kb = $1 if $1 > $max_kb;
				}
			}
			close $fh;
		}
		return !$client->{h}->pumpable || (eval { $client->{h}->pump_nb; 1 } && 0);
	},
	120, 0.05);
is(finish_client($client, 60), 0, 'a run reading five million rows twice completes');
cmp_ok($seen, '>', 0, 'the worker was seen running');
cmp_ok($max_kb, '<', 200 * 1024,
	"the worker's resident memory stayed under 200 MB (at most ${max_kb} kB)");
my $run = newest_run_id($mon);
isnt($run, $before_rows, 'the run was recorded');
is( $mon->query_safe(
		"SELECT count(*) FILTER (WHERE success) FROM loadtest.samples WHERE run_id = $run"),
	'2',
	'both reads succeeded');

# 4. A statement that can no longer be prepared (its table dropped after
# the definition) fails operation after operation, prepared again each
# time: the worker's memory stays flat.
$node->safe_psql(
	'postgres', q{
CREATE TABLE app.gone (id int, v text);
SELECT loadtest_define_operation('gone_op', 'write',
    ARRAY['SELECT 1 AS k', 'INSERT INTO app.gone (id, v) SELECT g, pg_catalog.md5(g::text) FROM pg_catalog.generate_series(1, $1) g'],
    '[{"type": "int", "min": 1, "max": 3}]');
DROP TABLE app.gone;
});
my $gone_client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 1, duration => '6 s', pattern => 'gone_op', think_time_ms => 0, ramp_up_s => 0)");
sub worker_rss_kb
{
	my $pid = $mon->query_safe(
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'loadtest user' LIMIT 1");
	return undef if $pid eq '' || !open(my $fh, '<', "/proc/$pid/status");
	my $kb;
	while (<$fh>) { $kb = $1 if /^VmRSS:\s+(\d+) kB/; }
	close $fh;
	return $kb;
}
sleep 2;
my $rss_early = worker_rss_kb();
sleep 3;
my $rss_late = worker_rss_kb();
is(finish_client($gone_client, 60), 0, 'a run of an operation that cannot be prepared completes');
ok(defined $rss_early && defined $rss_late && $rss_late - $rss_early < 20 * 1024,
	'its worker\'s memory stayed flat while it failed: '
	  . ($rss_early // '?') . ' kB, then ' . ($rss_late // '?') . ' kB');
my $gone_run = newest_run_id($mon);
cmp_ok(
	$mon->query_safe(
		"SELECT count(*) FROM loadtest.samples WHERE run_id = $gone_run AND sqlstate = '42P01'"),
	'>', 1000, 'every operation failed with 42P01, and there were many');

# 5. SQL that traps the cancel (EXCEPTION WHEN query_canceled) does not
# keep the run's worker: after the cancel's grace it is terminated.
$node->safe_psql(
	'postgres', q{
CREATE FUNCTION app.stubborn() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. 30 LOOP
        BEGIN
            PERFORM pg_catalog.pg_sleep(1);
        EXCEPTION WHEN query_canceled THEN
            RAISE NOTICE 'trapped a cancel';
        END;
    END LOOP;
    RETURN 1;
END $$;
SELECT loadtest_define_operation('stubborn', 'read', ARRAY['SELECT app.stubborn()']);
});
cancel_and_time(
	"SELECT loadtest_run(users => 1, ops => 1, pattern => 'stubborn', ramp_up_s => 0)",
	1.5, 'a worker whose SQL traps cancels', undef, 2.5);

finish_and_check_log($node);
done_testing();
