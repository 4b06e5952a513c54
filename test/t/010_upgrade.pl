
# Upgrades: a database created at 1.0 keeps its results through ALTER
# EXTENSION UPDATE and ends up with exactly what CREATE EXTENSION makes
# (compared object by object, see test/sql/extension_fingerprint.sql).
# Runs made at 1.0 by the current library check its direct sample writer
# against 1.0's primary key (amcheck: every sample is in the index).

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
cmp_ok(scalar @versions, '>=', 2, "versions installed: @versions");
is($versions[-1], $default_version, 'the default version is the newest');

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION loadtest');
my $expected = $node->safe_psql('fresh', $fingerprint_sql);
like($expected, qr/relation loadtest\.samples/, 'the fingerprint describes the tables');

# From each older version to the newest, with results made on the way.
for my $from (@versions[ 0 .. $#versions - 1 ])
{
	my $db = "from_" . ($from =~ s/\./_/gr);

	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION loadtest VERSION '$from'");
	$node->safe_psql($db, 'SELECT loadtest_seed(500)');
	my $old_run = $node->safe_psql($db,
		"SELECT loadtest_run(users => 2, ops => 300, pattern => 'distributed', think_time_ms => 0, ramp_up_s => 0)");
	is( $node->safe_psql($db,
			"SELECT status, (SELECT count(*) FROM loadtest.samples WHERE run_id = $old_run) FROM loadtest.runs WHERE run_id = $old_run"),
		'completed|600', "$from: a run made at $from by the current library completes");

	# every index of samples holds every sample (whatever the version's
	# indexes are, the recorder must maintain them); bt_index_check only
	# for B-trees (CASE: the planner may test the conditions in any order)
	$node->safe_psql($db, 'CREATE EXTENSION amcheck');
	is( $node->safe_psql($db,
			"SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
			  WHERE i.indrelid = 'loadtest.samples'::regclass AND a.amname = 'btree'
			    AND CASE WHEN a.amname = 'btree' THEN bt_index_check(i.indexrelid, true) IS NOT NULL END"),
		$node->safe_psql($db,
			"SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
			  WHERE i.indrelid = 'loadtest.samples'::regclass AND a.amname = 'btree'"),
		"$from: amcheck finds every sample in the B-tree indexes of samples");
	$node->safe_psql($db, 'DROP EXTENSION amcheck');

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

	is( $node->safe_psql($db,
			"SELECT count(*), count(DISTINCT (user_no, op_no)) FROM loadtest.samples WHERE run_id = $old_run"),
		'600|600', "$from: the samples made at $from are kept");
	like($node->safe_psql($db, "SELECT loadtest_report($old_run)"),
		qr/LOAD TEST REPORT/, "$from: the old run is reported after the update");

	my $new_run = $node->safe_psql($db,
		"SELECT loadtest_run(users => 2, ops => 300, pattern => 'distributed', think_time_ms => 0, ramp_up_s => 0)");
	is( $node->safe_psql($db,
			"SELECT status, (SELECT count(*) FROM loadtest.samples WHERE run_id = $new_run) FROM loadtest.runs WHERE run_id = $new_run"),
		'completed|600', "$from: a run after the update completes");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM loadtest.run_summary WHERE run_id IN ($old_run, $new_run)"),
		2, "$from: both runs are in run_summary");
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
		 WHERE c.oid IN ('loadtest.runs'::regclass, 'loadtest.samples'::regclass,
		                 'loadtest.run_users'::regclass, 'loadtest.run_id_seq'::regclass)
		   AND a.grantee <> c.relowner AND a.privilege_type <> 'SELECT'}),
		0, '1.1 with grants: no role but the owner may write a result table after the update (PUBLIC and passed-on grants included)');
	is( $node->safe_psql('granted_1_1', q{
		SELECT has_function_privilege('old_operator', 'loadtest_delete_runs(bigint[])', 'EXECUTE'),
		       has_function_privilege('receiver', 'loadtest_delete_runs(bigint[])', 'EXECUTE')}),
		't|f', '1.1 with grants: the role that could start runs may delete its runs with loadtest_delete_runs');
}

finish_and_check_log($node);
done_testing();
