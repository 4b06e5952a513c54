
# Upgrades: a database created at 1.0, 1.1, 1.2, 1.3, 1.4 or 1.5 keeps its
# results through ALTER EXTENSION UPDATE (1.0 -> 1.1 -> 1.2 -> 1.3 -> 1.4
# -> 1.5 -> 1.6 through the frozen scripts) and ends up with exactly what CREATE EXTENSION makes
# (compared object by object, see test/sql/extension_fingerprint.sql).
# Until it is updated, a database at 1.0 .. 1.5 refuses runs of the
# current library, which records the tables of 1.6.  The runs recorded
# before 1.3 (samples with the enums of 1.2) are migrated to the run's copy
# of the built-in workload (run_operations, run_patterns) and to
# sample_log; the runs recorded before 1.4 get the summaries that 1.4's
# views and report read (run_histograms, run_errors, the figures of
# run_users), built from their samples: they are reported as before
# (percentiles within the histograms' 0.78%), and loadtest.samples shows
# their operations and patterns by name.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $fingerprint_sql =
  slurp_file("$FindBin::RealBin/../sql/extension_fingerprint.sql");

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf('postgresql.conf',
	"max_worker_processes = 16\nloadtest.progress_interval = 0\n");
$node->start;

my $default_version = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'loadtest'");
my @versions = split /\n/, $node->safe_psql('postgres',
	"SELECT version FROM pg_available_extension_versions WHERE name = 'loadtest' ORDER BY string_to_array(version, '.')::int[]");
cmp_ok(scalar @versions, '>=', 7, "versions installed: @versions");
is($versions[-1], $default_version, 'the default version is the newest');
is("@versions[0 .. 6]", '1.0 1.1 1.2 1.3 1.4 1.5 1.6', 'the versions 1.0 to 1.6 are installed');

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION loadtest');
my $expected = $node->safe_psql('fresh', $fingerprint_sql);
like($expected, qr/relation loadtest\.sample_log/, 'the fingerprint describes the tables');
like($expected, qr/builtin operation .*"read_file_metadata"/, 'the fingerprint describes the built-in workload');

# Runs as the recorders of 1.0 to 1.2 wrote them (samples with the enums
# loadtest.operation and loadtest.pattern), written in SQL so that the
# migration is checked whatever the current library does at an older
# version: a distributed run of 3 users (read_heavy, mixed,
# file_operations) with errors and retries, and a run of one operation.
my $old_runs_sql = q{
INSERT INTO loadtest.runs (run_id, status, users, ops_per_user, pattern, think_time_ms, ramp_up_s,
                           workers, seed, environment, role_name, started_at, ended_at, duration_s)
VALUES (1001, 'completed', 3, 300, 'distributed', 0, 0, 3, 42, 'development', current_user,
        now() - interval '1 minute', now(), 60),
       (1002, 'completed', 2, 20, 'read_file_metadata', 0, 0, 2, 42, 'development', current_user,
        now() - interval '1 minute', now(), 10);
INSERT INTO loadtest.run_users (run_id, user_no, pattern, operation, ops_planned, ops_done)
VALUES (1001, 1, 'read_heavy', NULL, 300, 300), (1001, 2, 'mixed', NULL, 300, 300),
       (1001, 3, 'file_operations', NULL, 300, 300),
       (1002, 1, 'single_operation', 'read_file_metadata', 20, 20),
       (1002, 2, 'single_operation', 'read_file_metadata', 20, 20);
INSERT INTO loadtest.samples (run_id, user_no, op_no, pattern, operation, start_us, latency_us,
                              wait_us, success, sqlstate, message, tries)
SELECT u.run_id, u.user_no, n, u.pattern,
       CASE WHEN u.operation IS NOT NULL THEN u.operation
            WHEN u.pattern = 'file_operations' THEN (enum_range(NULL::loadtest.operation))[11 + n % 3]
            ELSE (enum_range(NULL::loadtest.operation))[1 + (n * 7 + u.user_no) % 10] END,
       n * 100000 + u.user_no, 100 + (n * 37 + u.user_no * 11) % 5000, n % 7,
       n % 50 <> 0, CASE WHEN n % 50 = 0 THEN '40P01' END,
       CASE WHEN n % 50 = 0 THEN 'deadlock detected' END, (1 + (n % 97 = 0)::int)::smallint
  FROM loadtest.run_users u, generate_series(1, u.ops_done) n
 WHERE u.run_id IN (1001, 1002);
};

# What the old runs recorded, by pattern and operation, and their figures,
# compared before and after the update.
my $by_name_sql = q{
	SELECT string_agg(format('%s %s %s %s %s %s', run_id, pattern, operation, n, errors, tries), ','
	                  ORDER BY run_id, pattern::text, operation::text)
	  FROM (SELECT run_id, pattern, operation, count(*) AS n, count(*) FILTER (WHERE NOT success) AS errors,
	               sum(tries) AS tries
	          FROM loadtest.samples WHERE run_id IN (1001, 1002)
	         GROUP BY run_id, pattern, operation) x};
my $stats_sql = q{
	SELECT string_agg(format('%s %s %s %s %s %s %s %s %s', run_id, operation, kind, ops, avg_ms, median_ms, p95_ms,
	                         max_ms, errors), ','
	                  ORDER BY run_id, operation::text)
	  FROM loadtest.operation_stats WHERE run_id IN (1001, 1002)};
my $summary_sql = q{
	SELECT string_agg(format('%s %s %s %s %s %s %s %s', run_id, total_ops, failed, avg_ms, p95_ms, read_share,
	                         retries, avg_wait_ms), ',' ORDER BY run_id)
	  FROM loadtest.run_summary WHERE run_id IN (1001, 1002)};
my $errors_sql = q{
	SELECT string_agg(format('%s %s %s %s %s', run_id, operation, sqlstate, message, count), ','
	                  ORDER BY run_id, operation::text)
	  FROM loadtest.error_stats WHERE run_id IN (1001, 1002)};
my $users_sql = q{
	SELECT string_agg(format('%s %s %s %s %s', run_id, user_no, pattern, ops, errors), ',' ORDER BY run_id, user_no)
	  FROM loadtest.user_stats WHERE run_id IN (1001, 1002)};

# The percentiles of 1.4 come from histograms whose buckets are within
# 0.78% of every value in them (src/sql/40_report.sql), where the versions
# before computed them exactly (percentile_cont over the samples): a
# percentile after the update is within 0.78% of the one before.  Fields
# are separated by spaces, records by commas (none of these figures holds
# either); the fields listed are compared with that tolerance, the others
# exactly.
sub same_within_histogram
{
	my ($got, $want, $fields, $name) = @_;
	my @g = split /,/, $got, -1;
	my @w = split /,/, $want, -1;
	my @bad;
	push @bad, sprintf('%d records, not %d', scalar @g, scalar @w) if @g != @w;
	for my $i (0 .. ($#g < $#w ? $#g : $#w))
	{
		my @gf = split / /, $g[$i], -1;
		my @wf = split / /, $w[$i], -1;
		if (@gf != @wf)
		{
			push @bad, "record $i: '$g[$i]', not '$w[$i]'";
			next;
		}
		for my $f (0 .. $#gf)
		{
			next if $gf[$f] eq $wf[$f];
			if (grep { $_ == $f } @$fields)
			{
				next
				  if $gf[$f] =~ /^-?[0-9.e+-]+$/ && $wf[$f] =~ /^-?[0-9.e+-]+$/
				  && abs($gf[$f] - $wf[$f]) <= 0.0078 * abs($wf[$f]);
			}
			push @bad, "record $i field $f: '$gf[$f]', not '$wf[$f]' ('$g[$i]', was '$w[$i]')";
		}
	}
	ok(!@bad, $name) or diag(join "\n", @bad);
}

# The runs at 1.3 and 1.4 are those of 1.2 migrated by the frozen scripts
# (1.3 keeps the samples in sample_log, by the numbers of the run's own
# copy of the workload; 1.4 summarizes them; the current library runs at
# neither).
# From each older version to the newest, with results made on the way.
for my $from (@versions[ 0 .. $#versions - 1 ])
{
	my $db = "from_" . ($from =~ s/\./_/gr);

	$node->safe_psql('postgres', "CREATE DATABASE $db");
	if ($from eq '1.3' || $from eq '1.4' || $from eq '1.5')
	{
		$node->safe_psql($db, "CREATE EXTENSION loadtest VERSION '1.2'");
		$node->safe_psql($db, 'SELECT loadtest_seed(500)');
		$node->safe_psql($db, $old_runs_sql);
		$node->safe_psql($db, "ALTER EXTENSION loadtest UPDATE TO '$from'");
		is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'loadtest'"),
			$from, "$from: the runs of 1.2 are in a database at $from");
	}
	else
	{
		$node->safe_psql($db, "CREATE EXTENSION loadtest VERSION '$from'");
		$node->safe_psql($db, 'SELECT loadtest_seed(500)');
		$node->safe_psql($db, $old_runs_sql);
	}

	# The current library does not run at $from: it runs the operations
	# and patterns of the catalogue tables that came with 1.3.  A run (and
	# what starts runs: the procedure, a scenario) is refused with a hint
	# to update, before anything starts; the pattern distribution, which
	# reads the patterns, too.
	my $state_sql = q{SELECT (SELECT count(*) FROM loadtest.runs),
	                         (SELECT last_value || ':' || is_called FROM loadtest.run_id_seq)};
	my $state_before = $node->safe_psql($db, $state_sql);
	# loadtest_run and the procedure are declared there with fewer
	# arguments than the library reads (1.4 added samples): the C entry
	# point refuses the declaration before it reads any argument; the
	# pattern distribution, declared as the library reads it, is refused
	# because the tables of 1.4 are missing.
	my $mismatch = qr/ERROR:  the SQL definition of loadtest_run(_procedure)? does not match the loadtest library\n.*\nHINT:  Update the extension: ALTER EXTENSION loadtest UPDATE/;
	my $older = qr/ERROR:  the SQL objects of loadtest in this database are older than its library(\n.*)?\nHINT:  ALTER EXTENSION loadtest UPDATE/;
	# At 1.4 the declarations match the library, which refuses the
	# database because its extension is at an older version.
	$mismatch = $older if $from eq '1.4' || $from eq '1.5';
	my @refused = (
		[ 'a run', "SELECT loadtest_run(users => 2, ops => 300, pattern => 'distributed', think_time_ms => 0, ramp_up_s => 0)", $mismatch ],
		[ 'a run of one operation', "SELECT loadtest_run(users => 1, ops => 5, pattern => 'read_file_metadata', think_time_ms => 0, ramp_up_s => 0)", $mismatch ],
		[ 'a scenario', "SELECT loadtest_scenario('quick')", $mismatch ],
		[ 'the pattern distribution', 'SELECT * FROM loadtest_pattern_distribution(10)', $older ]);
	push @refused, [ 'the run procedure', 'CALL loadtest_run_procedure(users => 2, ops => 5, think_time_ms => 0, ramp_up_s => 0)', $mismatch ]
	  if $from ne '1.0';
	for my $case (@refused)
	{
		my ($what, $sql, $refusal) = @$case;
		my ($rc, $out, $err) = $node->psql($db, $sql);
		isnt($rc, 0, "$from: the current library refuses $what at $from");
		like($err, $refusal, "$from: $what: the SQL objects do not match the library, and the hint says to update the extension");
	}
	is($node->safe_psql($db, $state_sql), $state_before,
		"$from: the refused calls left no runs row and took no run id");
	ok( defined poll_until(
			sub {
				$node->safe_psql($db,
					"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'") == 0;
			},
			10),
		"$from: nothing was left running");
	is( $node->safe_psql($db, "SELECT count(*) FROM loadtest.samples WHERE run_id NOT IN (1001, 1002)"),
		0, "$from: no sample was written");

	my %before = map { $_ => $node->safe_psql($db, $_) }
	  ($by_name_sql, $stats_sql, $summary_sql, $errors_sql, $users_sql);

	$node->safe_psql($db, "ALTER EXTENSION loadtest UPDATE TO '$default_version'");
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'loadtest'"),
		$default_version, "$from: updated to $default_version");

	my $upgraded = $node->safe_psql($db, $fingerprint_sql);
	is($upgraded, $expected, "$from: the upgraded extension is exactly a fresh $default_version");
	if ($upgraded ne $expected)
	{
		my @want = split /\n/, $expected;
		my %got = map { $_ => 1 } split /\n/, $upgraded;
		my %had = map { $_ => 1 } @want;
		diag("missing after the upgrade: $_") for grep { !$got{$_} } @want;
		diag("extra after the upgrade: $_") for grep { !$had{$_} } split /\n/, $upgraded;
	}

	# the runs recorded at $from
	is( $node->safe_psql($db,
			"SELECT count(*), count(DISTINCT (run_id, user_no, op_no)), count(pattern), count(operation) FROM loadtest.samples WHERE run_id IN (1001, 1002)"),
		'940|940|940|940', "$from: the samples made at $from are kept, and loadtest.samples names their pattern and operation");
	is($node->safe_psql($db, $by_name_sql), $before{$by_name_sql},
		"$from: the old samples have the same patterns and operations, counts, errors and tries");
	# (fields 5 and 6: median_ms, p95_ms)
	same_within_histogram($node->safe_psql($db, $stats_sql), $before{$stats_sql}, [ 5, 6 ],
		"$from: operation_stats of the old runs unchanged (median and p95 within the histograms' 0.78%)");
	# (field 4: p95_ms)
	same_within_histogram($node->safe_psql($db, $summary_sql), $before{$summary_sql}, [4],
		"$from: run_summary of the old runs unchanged (p95 within the histograms' 0.78%)");
	is($node->safe_psql($db, $errors_sql), $before{$errors_sql}, "$from: error_stats of the old runs unchanged");
	is($node->safe_psql($db, $users_sql), $before{$users_sql}, "$from: user_stats of the old runs unchanged");
	is( $node->safe_psql($db,
			"SELECT string_agg(DISTINCT (SELECT string_agg(operation_no || ' ' || operation || ' ' || kind, ',' ORDER BY operation_no)
			                               FROM loadtest.run_operations o WHERE o.run_id = r.run_id), ' | ')
			   FROM loadtest.runs r"),
		'0 read_member_list read,1 read_member_detail read,2 search_members read,3 list_organizations read,4 list_students read,'
		  . '5 create_member write,6 update_member write,7 create_employment write,8 update_employment_status write,'
		  . '9 create_organization_contact write,10 list_file_attachments read,11 create_file_attachment write,12 read_file_metadata read',
		"$from: every old run has the 13 built-in operations, numbered in the order of 1.2's enum");
	is( $node->safe_psql($db,
			"SELECT string_agg(format('%s %s %s %s', run_id, pattern_no, pattern, users), ',' ORDER BY run_id, pattern_no)
			   FROM loadtest.run_patterns WHERE run_id IN (1001, 1002)"),
		'1001 0 read_heavy 1,1001 2 mixed 1,1001 3 file_operations 1,1002 4 single_operation 2',
		"$from: the old runs have the patterns of their users, numbered in the order of 1.2's enum");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM loadtest.run_patterns rp JOIN loadtest.patterns p USING (pattern) WHERE rp.run_id = 1001 AND rp.weights = p.weights"),
		3, "$from: the old run's weights patterns have the built-in weights");
	is( $node->safe_psql($db, "SELECT weights FROM loadtest.run_patterns WHERE run_id = 1002"),
		'{"read_file_metadata": 1}', "$from: the old run of one operation has that operation as weights");

	my $report = $node->safe_psql($db, "SELECT loadtest_report(1001)");
	like($report, qr/LOAD TEST REPORT/, "$from: the old run is reported after the update");
	# the report reads the migrated tables: its users by pattern and its
	# operations with their counts and errors (1.3 orders operations with
	# as many samples by number, not by name, and words its report its own
	# way: compare the figures, not the text)
	for my $line (split /\n/,
		$node->safe_psql($db,
			"SELECT format('%s: %s ops, avg %s', operation, ops, to_char(avg_ms, 'FM999G999G999G999G990D00')) FROM loadtest.operation_stats WHERE run_id = 1001"))
	{
		like($report, qr/^   \Q$line\Ems, /m, "$from: the old run's report after the update has $line");
	}
	like($report, qr/^   read_heavy: 1 user \(33\.3%\)\n   mixed: 1 user \(33\.3%\)\n   file_operations: 1 user \(33\.3%\)$/m,
		"$from: the old run's report after the update has its users' patterns, in the order of 1.2's enum");
	like($report, qr/^   \[40P01\] deadlock detected \(\w+\): \d+$/m, "$from: the old run's report has its errors by operation");
	unlike($report, qr/\(operation \d+\)/, "$from: the old run's report names every operation");
	like($node->safe_psql($db, "SELECT loadtest_report(1002)"),
		qr/^   single_operation \(read_file_metadata\): 2 users \(100\.0%\)\n.*^   read_file_metadata: 40 ops,/ms,
		"$from: the old run of one operation is reported after the update");

	my $new_run = $node->safe_psql($db,
		"SELECT loadtest_run(users => 2, ops => 300, pattern => 'distributed', think_time_ms => 0, ramp_up_s => 0)");
	is( $node->safe_psql($db,
			"SELECT status, (SELECT count(*) FROM loadtest.samples WHERE run_id = $new_run) FROM loadtest.runs WHERE run_id = $new_run"),
		'completed|600', "$from: a run after the update completes");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM loadtest.run_summary WHERE run_id IN (1001, $new_run)"),
		2, "$from: old and new runs are in run_summary");
	is( $node->safe_psql($db,
			"SELECT count(*), count(pattern), count(operation) FROM loadtest.samples WHERE run_id = $new_run"),
		'600|600|600', "$from: loadtest.samples names the pattern and operation of every new sample");
}

# From 1.1 with the grants its documentation recommended (writes on the
# result tables, the run id sequence), one made WITH GRANT OPTION and
# passed on, and writes granted to PUBLIC: the upgrade takes every write
# back, and the roles that could start runs may delete theirs with
# loadtest_delete_runs instead.
if (grep { $_ eq '1.1' } @versions)
{
	$node->safe_psql('postgres', q{
		CREATE ROLE old_operator LOGIN;
		CREATE ROLE passer LOGIN;
		CREATE ROLE receiver LOGIN;});
	$node->safe_psql('postgres', 'CREATE DATABASE granted_1_1');
	$node->safe_psql('granted_1_1', q{
		CREATE EXTENSION loadtest VERSION '1.1';
		GRANT SELECT, INSERT, UPDATE, DELETE ON loadtest.runs TO old_operator;
		GRANT SELECT, INSERT ON loadtest.samples, loadtest.run_users TO old_operator;
		GRANT USAGE ON SEQUENCE loadtest.run_id_seq TO old_operator;
		GRANT EXECUTE ON FUNCTION loadtest_run TO old_operator;
		GRANT INSERT, TRUNCATE ON loadtest.samples TO PUBLIC;
		GRANT INSERT ON loadtest.runs TO passer WITH GRANT OPTION;
		SET ROLE passer;
		GRANT INSERT ON loadtest.runs TO receiver;
		RESET ROLE;});
	$node->safe_psql('granted_1_1', "ALTER EXTENSION loadtest UPDATE TO '$default_version'");
	is( $node->safe_psql('granted_1_1', q{
		SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
		 WHERE c.relnamespace = 'loadtest'::regnamespace AND c.relkind IN ('r', 'v', 'S')
		   AND a.grantee <> c.relowner AND a.privilege_type <> 'SELECT'}),
		0, '1.1 with grants: no role but the owner may write a result table after the update (PUBLIC and passed-on grants included)');
	is( $node->safe_psql('granted_1_1', q{
		SELECT has_function_privilege('old_operator', 'loadtest_delete_runs(bigint[])', 'EXECUTE'),
		       has_function_privilege('receiver', 'loadtest_delete_runs(bigint[])', 'EXECUTE')}),
		't|f', '1.1 with grants: the role that could start runs may delete its runs with loadtest_delete_runs');
	is( $node->safe_psql('granted_1_1', q{
		SELECT string_agg(has_function_privilege(r, f, 'EXECUTE')::text, ' ' ORDER BY r, f)
		  FROM unnest(ARRAY['old_operator', 'receiver']) r,
		       unnest(ARRAY['loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)',
		                    'loadtest_define_pattern(text, jsonb, jsonb, text, boolean)',
		                    'loadtest_drop_operation(text)', 'loadtest_drop_pattern(text)']) f}),
		'true true true true false false false false',
		'1.1 with grants: the role that could start runs may define and drop operations and patterns after the update');
}

# 1.5 -> 1.6: what a role could do it can still do, and no more.  A role
# granted loadtest_run alone gets loadtest_start (the same runs in the
# background), not the rest of an operator's privileges; a role granted the
# old loadtest_scenario gets the new one (that one was dropped and created
# again with overrides).
{
	$node->safe_psql('postgres', 'CREATE DATABASE granted_1_5');
	$node->safe_psql('granted_1_5', q{
		CREATE EXTENSION loadtest VERSION '1.5';
		CREATE ROLE run_only_15;
		CREATE ROLE "scenario o'15";
		GRANT EXECUTE ON FUNCTION loadtest_run TO run_only_15;
		GRANT EXECUTE ON FUNCTION loadtest_scenario(text, boolean, text) TO "scenario o'15";});
	$node->safe_psql('granted_1_5', "ALTER EXTENSION loadtest UPDATE TO '1.6'");
	is( $node->safe_psql('granted_1_5', q{
		SELECT has_function_privilege('run_only_15', 'loadtest_start(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)', 'EXECUTE'),
		       has_function_privilege('run_only_15', 'loadtest_define_operation(text, text, text[], jsonb, text, boolean, jsonb)', 'EXECUTE'),
		       has_table_privilege('run_only_15', 'membership.members', 'INSERT'),
		       has_function_privilege($$scenario o'15$$, 'loadtest_scenario(text, boolean, text, integer, integer, text, integer, double precision, integer, interval, double precision, jsonb)', 'EXECUTE'),
		       has_function_privilege($$scenario o'15$$, 'loadtest_start(integer, integer, text, integer, double precision, boolean, integer, interval, double precision, jsonb, text)', 'EXECUTE')}),
		't|f|f|t|f',
		'1.5 -> 1.6: loadtest_run grantees get loadtest_start and nothing more; loadtest_scenario grantees keep the scenarios');
	$node->safe_psql('postgres', 'DROP DATABASE granted_1_5');
	$node->safe_psql('postgres', qq{DROP ROLE run_only_15; DROP ROLE "scenario o'15"});
}

finish_and_check_log($node);
done_testing();
