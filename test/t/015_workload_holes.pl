
# The workload draws only rows that exist: with holes in every table's ids
# (deleted rows, sequence values lost to rollbacks or jumps), the writes
# reference existing rows (no foreign-key violation, 23503), the updates
# and reads find the rows they look for, and loadtest.hot_rows picks the
# first rows that exist.  An empty table an operation draws its parameters
# from makes a run of it refused before it starts, saying which.
#
# That an update or a read found its row is counted with the statistics
# views: each update_member or create_employment updates exactly one
# member row when the member exists and none otherwise (n_tup_upd), each
# update_employment_status one employment, and each read_member_detail or
# read_file_metadata fetches one row through the primary key when it exists
# (idx_tup_fetch of the key).  The run returns once its processes are gone,
# and a process flushes its statistics when it exits.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use LoadtestCheck;

my $node = new_loadtest_node('holes');

sub q1 { return $node->safe_psql('postgres', $_[0]); }

# ---------------------------------------------------------------------
# holes: two members in three, half the organizations, with what refers
# to them; then sequence jumps (values lost) with a few rows after each
# ---------------------------------------------------------------------
q1(q{
	DELETE FROM membership.students WHERE member_id % 3 <> 0;
	DELETE FROM membership.file_attachments WHERE member_id % 3 <> 0;
	DELETE FROM membership.member_employments WHERE member_id % 3 <> 0;
	DELETE FROM membership.members WHERE member_id % 3 <> 0;
	DELETE FROM membership.organization_contacts WHERE organization_id % 2 = 0;
	DELETE FROM membership.member_employments WHERE organization_id % 2 = 0;
	DELETE FROM membership.organizations WHERE organization_id % 2 = 0;
	-- every second employment and attachment of the rest, too
	DELETE FROM membership.member_employments WHERE employment_id % 2 = 0;
	DELETE FROM membership.file_attachments WHERE attachment_id % 2 = 0;

	SELECT setval('membership.members_member_id_seq',
	              (SELECT max(member_id) FROM membership.members) + 300);
	INSERT INTO membership.members (first_name, last_name, email, status, classification, join_date)
	SELECT 'Late', 'Comer', 'late' || i || '@example.org', 'active', 'regular', current_date
	  FROM generate_series(1, 20) AS i;
	SELECT setval('membership.organizations_organization_id_seq',
	              (SELECT max(organization_id) FROM membership.organizations) + 50);
	INSERT INTO membership.organizations (name, org_type, city)
	SELECT 'Late Org ' || i, 'company', 'Salem' FROM generate_series(1, 5) AS i;
	SELECT setval('membership.member_employments_employment_id_seq',
	              (SELECT max(employment_id) FROM membership.member_employments) + 500);
	INSERT INTO membership.member_employments (member_id, organization_id, title, status, is_current, start_date)
	SELECT m.member_id, (SELECT max(organization_id) FROM membership.organizations),
	       'Clerk', 'active', false, current_date
	  FROM membership.members m ORDER BY m.member_id DESC LIMIT 20;
	SELECT setval('membership.file_attachments_attachment_id_seq',
	              (SELECT max(attachment_id) FROM membership.file_attachments) + 500);
	INSERT INTO membership.file_attachments (member_id, file_name, content_type, size_bytes, storage_key)
	SELECT m.member_id, 'late.pdf', 'application/pdf', 1000, 'late/' || m.member_id
	  FROM membership.members m ORDER BY m.member_id DESC LIMIT 20;
	-- values lost at the end too: the next ids are past a gap
	SELECT setval('membership.members_member_id_seq',
	              (SELECT max(member_id) FROM membership.members) + 300);
	SELECT setval('membership.organizations_organization_id_seq',
	              (SELECT max(organization_id) FROM membership.organizations) + 50);
});
q1('VACUUM ANALYZE membership.members, membership.organizations, membership.member_employments, membership.organization_contacts, membership.students, membership.file_attachments');

for my $t (
	[ 'members', 'member_id' ],
	[ 'organizations', 'organization_id' ],
	[ 'member_employments', 'employment_id' ],
	[ 'file_attachments', 'attachment_id' ])
{
	my ($table, $id) = @$t;
	my ($n, $span) = split /\|/,
	  q1("SELECT count(*), max($id) - min($id) + 1 FROM membership.$table");
	note "membership.$table: $n rows over $span ids";
	cmp_ok($n * 1.5, '<', $span, "membership.$table has holes: $n rows over $span ids");
}

sub stat_of
{
	my ($view, $name, $column) = @_;
	my $key = $view eq 'pg_stat_user_indexes' ? 'indexrelname' : 'relname';
	return q1("SELECT $column FROM $view WHERE schemaname = 'membership' AND $key = '$name'");
}

# Run $op as a single-operation pattern: 4 users x $ops operations.
# Returns the run id; checks that it completed without failures.
sub run_op
{
	my ($op, $ops) = @_;
	my $run_id = q1(
		"SELECT loadtest_run(users => 4, ops => $ops, pattern => '$op', think_time_ms => 0, ramp_up_s => 0)"
	);
	my ($status, $n, $failed, $fk, $errors) = split /\|/, q1(
		"SELECT r.status, count(s.*), count(s.*) FILTER (WHERE NOT s.success),
		        count(s.*) FILTER (WHERE s.sqlstate = '23503'),
		        coalesce(string_agg(DISTINCT s.sqlstate || ' ' || s.message, '; '), '')
		 FROM loadtest.runs r LEFT JOIN loadtest.samples s USING (run_id)
		 WHERE r.run_id = $run_id GROUP BY r.status");
	is($status, 'completed', "$op: the run completed");
	is($n, 4 * $ops, "$op: every operation was recorded");
	is($fk, 0, "$op: no foreign-key violation (23503)");
	is($failed, 0, "$op: no operation failed") or diag($errors);
	return $run_id;
}

# ---------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------
my $ops = 250;    # per user: 1000 operations a run

my $upd = stat_of('pg_stat_user_tables', 'members', 'n_tup_upd');
my $ins = stat_of('pg_stat_user_tables', 'member_employments', 'n_tup_ins');
run_op('create_employment', $ops);
is(stat_of('pg_stat_user_tables', 'members', 'n_tup_upd') - $upd,
	4 * $ops, 'create_employment: each operation touched one existing member');
is(stat_of('pg_stat_user_tables', 'member_employments', 'n_tup_ins') - $ins,
	4 * $ops, 'create_employment: each operation inserted an employment');

$upd = stat_of('pg_stat_user_tables', 'members', 'n_tup_upd');
my $run_id = run_op('update_member', $ops);
is(stat_of('pg_stat_user_tables', 'members', 'n_tup_upd') - $upd,
	4 * $ops, 'update_member: each operation updated one existing member');
cmp_ok(
	q1("SELECT count(*) FROM membership.members
	     WHERE updated_at >= (SELECT started_at FROM loadtest.runs WHERE run_id = $run_id)"),
	'>', 100, 'update_member: many members were updated during the run');

$upd = stat_of('pg_stat_user_tables', 'member_employments', 'n_tup_upd');
run_op('update_employment_status', $ops);
is(stat_of('pg_stat_user_tables', 'member_employments', 'n_tup_upd') - $upd,
	4 * $ops, 'update_employment_status: each operation updated one existing employment');

$ins = stat_of('pg_stat_user_tables', 'organization_contacts', 'n_tup_ins');
run_op('create_organization_contact', $ops);
is(stat_of('pg_stat_user_tables', 'organization_contacts', 'n_tup_ins') - $ins,
	4 * $ops, 'create_organization_contact: each operation inserted a contact');

$ins = stat_of('pg_stat_user_tables', 'file_attachments', 'n_tup_ins');
run_op('create_file_attachment', $ops);
is(stat_of('pg_stat_user_tables', 'file_attachments', 'n_tup_ins') - $ins,
	4 * $ops, 'create_file_attachment: each operation inserted an attachment');

# ---------------------------------------------------------------------
# reads: rows fetched through the primary key.  The recorder reads some
# through the same index when it learns the workload (its id probes, a few
# dozen names): a run of one operation per user measures that, and the
# difference to a long run is its operations' fetches.
# ---------------------------------------------------------------------
for my $r ([ 'read_member_detail', 'members_pkey' ],
	[ 'read_file_metadata', 'file_attachments_pkey' ])
{
	my ($op, $index) = @$r;
	my $long = 750;

	my $table = $index =~ s/_pkey$//r;

	# The recorder's probes are index-only scans: on all-visible pages they
	# fetch no row, and the reads leave the pages all-visible.
	q1("VACUUM membership.$table");
	my $f0 = stat_of('pg_stat_user_indexes', $index, 'idx_tup_fetch');
	run_op($op, 1);
	q1("VACUUM membership.$table");
	my $f1 = stat_of('pg_stat_user_indexes', $index, 'idx_tup_fetch');
	run_op($op, $long);
	my $f2 = stat_of('pg_stat_user_indexes', $index, 'idx_tup_fetch');
	my $base = $f1 - $f0;
	my $fetched = $f2 - $f1;
	note "$op: $index fetched $base rows in a run of 4 operations, $fetched in one of "
	  . 4 * $long;
	cmp_ok($fetched, '>=', 4 * $long,
		"$op: at least one row fetched per operation");
	cmp_ok(abs(($fetched - $base) - 4 * ($long - 1)), '<=', 100,
		"$op: one row fetched per operation (beyond the recorder's own reads)");
}

# ---------------------------------------------------------------------
# loadtest.hot_rows = 5 with holes: the first 5 rows that exist
# ---------------------------------------------------------------------
my $first5 = q1(
	"SELECT string_agg(member_id::text, ',' ORDER BY member_id)
	   FROM (SELECT member_id FROM membership.members ORDER BY member_id LIMIT 5) AS m");
$upd = stat_of('pg_stat_user_tables', 'members', 'n_tup_upd');
$run_id = q1(
	"SET loadtest.hot_rows = 5;
	 SELECT loadtest_run(users => 2, ops => 100, pattern => 'update_member', think_time_ms => 0, ramp_up_s => 0)"
);
is( q1("SELECT status || '|' || count(*) FILTER (WHERE NOT s.success)
	      FROM loadtest.runs r JOIN loadtest.samples s USING (run_id)
	     WHERE r.run_id = $run_id GROUP BY status"),
	'completed|0', 'hot_rows = 5: the run completed without failures');
is(stat_of('pg_stat_user_tables', 'members', 'n_tup_upd') - $upd,
	200, 'hot_rows = 5: each operation updated an existing member');
is( q1("SELECT string_agg(member_id::text, ',' ORDER BY member_id) FROM membership.members
	     WHERE updated_at >= (SELECT started_at FROM loadtest.runs WHERE run_id = $run_id)"),
	$first5,
	"hot_rows = 5: the run wrote exactly the first 5 existing members ($first5)");

# ---------------------------------------------------------------------
# no organization at all: a run of an operation that draws from them is
# refused before it starts, and says which operation, parameter and column
# and what to do (1.3: a column generator draws values of rows that exist
# when the run starts); operations that need no organization still run
# ---------------------------------------------------------------------
q1(q{
	DELETE FROM membership.organization_contacts;
	DELETE FROM membership.member_employments;
	DELETE FROM membership.organizations;
});
my $runs_before = q1(
	"SELECT count(*) || '|' || (SELECT last_value || ':' || is_called FROM loadtest.run_id_seq) FROM loadtest.runs");
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 1, ops => 5, pattern => 'create_organization_contact', think_time_ms => 0, ramp_up_s => 0)"
);
isnt($ret, 0, 'no organizations: a run of create_organization_contact is refused');
like(
	$err,
	qr/ERROR:  operation "create_organization_contact" draws \$1 from membership\.organizations\.organization_id, which has no rows/,
	'no organizations: the refusal names the operation, the parameter and the column');
like($err, qr/HINT:  Run SELECT loadtest_seed\(\); first\./, 'no organizations: the hint names loadtest_seed()');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT loadtest_run(users => 2, ops => 5, pattern => 'mixed', think_time_ms => 0, ramp_up_s => 0)");
like(
	$err,
	qr/ERROR:  operation "(create_employment|create_organization_contact)" draws \$\d from membership\.organizations\.organization_id, which has no rows/,
	'no organizations: a mixed run (which creates employments and contacts) is refused too');
is( q1(
		"SELECT count(*) || '|' || (SELECT last_value || ':' || is_called FROM loadtest.run_id_seq) FROM loadtest.runs"),
	$runs_before, 'no organizations: the refused runs left no runs row and took no run id');
run_op('read_file_metadata', 5);

is( q1("SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%'"),
	0, 'no loadtest process left');

finish_and_check_log($node);

done_testing();
