
# Runs bounded by time end on time: an open-model (rate) or staged-by-rate
# run that the server cannot keep up with starts no operation after its
# end, counts the arrivals it could not start (runs.arrivals_dropped), and
# its call returns shortly after the end; a pooled closed-model run bounded
# by a duration starts nothing after it either.
#
# The arrivals due before the end are deterministic (src/runstate.c,
# arrival_time_us: the k-th arrival, from 0, is due at (int64) (t_k * 1e6)
# microseconds; the recorder counts those due strictly before the end):
#   - constant rate R over D s, no ramp-up: t_k = k / R, so k = 0 .. R*D-1,
#     R*D arrivals (t_{R*D} = D exactly, not before the end);
#   - a stage from 0 to R over D s: sum of the rate, R*D/2 (arrival R*D/2
#     falls past the stage: it is due at the stage's end);
#   - rate R with a ramp-up of U s over D s: R*U/2 + R*(D-U).
# Every arrival due is either a sample or dropped.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('on_time');

# Check one overloaded run: $args to loadtest_run, $end_us its end, $due the
# arrivals due before it.
sub check_overloaded_run
{
	my ($what, $args, $end_us, $due) = @_;
	my $t0 = time;
	my $run_id = $node->safe_psql('postgres', "SELECT loadtest_run($args)");
	my $took = time - $t0;

	like($run_id, qr/^\d+$/, "$what: the call returns the run id");
	note sprintf('%s: the call took %.3f s (the run lasts %.1f s)',
		$what, $took, $end_us / 1e6);
	cmp_ok($took, '<', $end_us / 1e6 + 1.5,
		"$what: the call returns within 1.5 s of the run's end");

	my ($status, $dropped, $lost, $samples, $late, $ops_done) =
	  split /\|/, $node->safe_psql(
		'postgres', "SELECT r.status, r.arrivals_dropped, r.samples_lost,
		        (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id),
		        (SELECT count(*) FROM loadtest.samples s WHERE s.run_id = r.run_id
		            AND s.start_us >= $end_us),
		        (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id)
		 FROM loadtest.runs r WHERE r.run_id = $run_id");
	is($status, 'completed', "$what: completed");
	note "$what: $samples samples, $dropped arrivals dropped of $due due";
	is($late, 0, "$what: no sample starts at or after the end ($end_us us)");
	cmp_ok($dropped, '>', 0, "$what: the server could not keep up: arrivals dropped");
	is($lost, 0, "$what: no sample lost");
	is($samples, $ops_done, "$what: samples = sum(run_users.ops_done)");
	is($samples + $dropped, $due,
		"$what: samples + arrivals_dropped = the $due arrivals due before the end");

	my $report = $node->safe_psql('postgres', "SELECT loadtest_report($run_id)");
	(my $n = $dropped) =~ s/(\d)(?=(\d{3})+$)/$1,/g;
	like($report, qr/Arrivals dropped: \Q$n\E /,
		"$what: the report shows the $dropped dropped arrivals");
	return $run_id;
}

# ---------------------------------------------------------------------
# rate => 1000000 for 1 s on 4 workers: far more than any server does
# ---------------------------------------------------------------------
check_overloaded_run(
	'constant rate',
	"users => 8, pool_size => 4, rate => 1000000, duration => '1 s', ramp_up_s => 0",
	1_000_000, 1_000_000);

# ---------------------------------------------------------------------
# Staged by rate, 0 -> 30000/s over 1 s.  Each operation is made to take
# at least 2 ms (a trigger that sleeps), so that 4 workers do at most
# 2000/s: overloaded on any machine.
# ---------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;
	CREATE TRIGGER slow_insert BEFORE INSERT ON membership.organization_contacts
	    FOR EACH ROW EXECUTE FUNCTION public.slow_insert();
});
check_overloaded_run(
	'stage 0 -> 30000/s',
	q{users => 8, pool_size => 4, pattern => 'create_organization_contact',
	  stages => '[{"rate": 30000, "duration": "1 s"}]'},
	1_000_000, 15_000);

# ---------------------------------------------------------------------
# Up and down: 0 -> 20000/s over 1 s, then back to 0 over 1 s, slowed
# down the same way: 10000 + 10000 arrivals due.
# ---------------------------------------------------------------------
check_overloaded_run(
	'stages up and down',
	q{users => 8, pool_size => 4, pattern => 'create_organization_contact',
	  stages => '[{"rate": 20000, "duration": "1 s"}, {"rate": 0, "duration": "1 s"}]'},
	2_000_000, 20_000);

# ---------------------------------------------------------------------
# rate 200000/s with a ramp-up of 0.5 s, 1 s in all: 50000 + 100000 due
# ---------------------------------------------------------------------
check_overloaded_run(
	'rate with ramp-up',
	"users => 8, pool_size => 4, rate => 200000, duration => '1 s', ramp_up_s => 0.5",
	1_000_000, 150_000);

# ---------------------------------------------------------------------
# closed model, 50 users on a pool of 4, 2 s, no think time
# ---------------------------------------------------------------------
my $t0 = time;
my $run_id = $node->safe_psql('postgres',
	"SELECT loadtest_run(users => 50, pool_size => 4, duration => '2 s', think_time_ms => 0, ramp_up_s => 0)"
);
my $took = time - $t0;
note sprintf('pooled closed-model run: the call took %.3f s', $took);
cmp_ok($took, '<', 3.5, 'pooled closed-model run: the call returns within 1.5 s of its end');
is( $node->safe_psql(
		'postgres',
		"SELECT status, count(s.*) > 0, count(s.*) FILTER (WHERE s.start_us >= 2000000)
		 FROM loadtest.runs r LEFT JOIN loadtest.samples s USING (run_id)
		 WHERE r.run_id = $run_id GROUP BY status"),
	'completed|t|0',
	'pooled closed-model run: completed, no sample starts after 2 s');
is( $node->safe_psql(
		'postgres',
		"SELECT arrivals_dropped FROM loadtest.runs WHERE run_id = $run_id"),
	0, 'a closed-model run drops no arrivals');

is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0,
	'no loadtest process left');

finish_and_check_log($node);

done_testing();
