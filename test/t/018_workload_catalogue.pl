
# Operations and patterns defined as data (1.3), run on a schema of the
# user's own (app.*) by an operator that is not a superuser:
#   - the ids have holes (every third row deleted): every value a column
#     generator draws exists, which the operations check themselves (a
#     read divides by the number of rows found, a write references the row
#     with a foreign key, a result generator passes on the row read first);
#   - a role that may not read the table a column generator draws from
#     cannot define such an operation, nor start a run of one (42501,
#     nothing left running);
#   - the pattern's operation redefined and dropped (and the pattern
#     dropped) during a run: the run completes with the definition it
#     started with, even in users that start after the redefinition;
#   - the user table dropped during a run: the operations fail with
#     42P01, recorded, and the run completes; no crash;
#   - a statement that names a table without its schema is refused when
#     the operation is defined, whatever the session's search_path.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('catalogue', seed => 100);

my @operator = (extra_params => [ '-U', 'app_operator' ]);
my @limited = (extra_params => [ '-U', 'app_limited' ]);

sub q1 { return $node->safe_psql('postgres', $_[0]); }
sub as_operator { return $node->safe_psql('postgres', $_[0], @operator); }

# one query per poll: each sees fresh pg_stat_activity and table contents
my $mon = $node->background_psql('postgres');
$mon->set_query_timer_restart;

# ---------------------------------------------------------------------
# the application: orders with holes in their ids, a log that references
# them, products (dropped during a run below); an operator role that may
# read and write them, and a role that may not read the orders
# ---------------------------------------------------------------------
q1(q{
	CREATE SCHEMA app;
	CREATE TABLE app.orders (order_id integer PRIMARY KEY, status text NOT NULL, amount numeric NOT NULL);
	INSERT INTO app.orders
	SELECT i, (ARRAY['new', 'paid', 'sent'])[1 + i % 3], i * 1.5 FROM generate_series(1, 3000) AS i;
	DELETE FROM app.orders WHERE order_id % 3 = 0;
	CREATE TABLE app.order_log (
	    log_id   bigserial PRIMARY KEY,
	    order_id integer NOT NULL REFERENCES app.orders,
	    tag      text NOT NULL);
	CREATE TABLE app.products (product_id integer PRIMARY KEY, name text NOT NULL);
	INSERT INTO app.products SELECT i, 'product ' || i FROM generate_series(1, 500) AS i;
	DELETE FROM app.products WHERE product_id % 3 = 0;
	ANALYZE app.orders, app.products;

	CREATE ROLE app_operator LOGIN;
	SELECT loadtest_grant_operator('app_operator');
	GRANT USAGE ON SCHEMA app TO app_operator;
	GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA app TO app_operator;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO app_operator;

	CREATE ROLE app_limited LOGIN;
	SELECT loadtest_grant_operator('app_limited');
	GRANT USAGE ON SCHEMA app TO app_limited;
	GRANT SELECT, INSERT ON app.order_log TO app_limited;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO app_limited;
});
is(q1("SELECT rolsuper FROM pg_roles WHERE rolname = 'app_operator'"),
	'f', 'app_operator is not a superuser');
is(q1("SELECT count(*), max(order_id) FROM app.orders"),
	'2000|2999', 'app.orders: 2000 rows over ids 1..2999 (every third one deleted)');

# ---------------------------------------------------------------------
# the operator defines the workload and runs it: every operation succeeds,
# so every order id drawn existed
# ---------------------------------------------------------------------
as_operator(q{
	SELECT loadtest_define_operation('order_lookup', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.orders WHERE order_id = $1)::integer AS found'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"}]',
	    description => 'fails with division_by_zero unless the order exists');
	SELECT loadtest_define_operation('order_tag', 'write',
	    ARRAY['INSERT INTO app.order_log (order_id, tag) VALUES ($1, ''tag'')'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"}]',
	    description => 'fails with foreign_key_violation unless the order exists');
	SELECT loadtest_define_operation('order_touch', 'write',
	    ARRAY['SELECT order_id FROM app.orders WHERE order_id = $1',
	          'INSERT INTO app.order_log (order_id, tag) VALUES ($2, ''touch'')'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"},
	      {"type": "result", "statement": 1, "column": "order_id"}]',
	    description => 'fails with not_null_violation unless the order exists');
	SELECT loadtest_define_operation('orders_by_status', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.orders WHERE status = $1)::integer AS found'],
	    '[{"type": "column", "table": "app.orders", "column": "status", "distinct": true}]');
	SELECT loadtest_define_pattern('shop', weights => '{"order_lookup": 5, "order_tag": 2, "order_touch": 2, "orders_by_status": 1}');
});
is( q1("SELECT string_agg(operation || ':' || owner, ',' ORDER BY operation) FROM loadtest.operations WHERE NOT builtin"),
	'order_lookup:app_operator,order_tag:app_operator,order_touch:app_operator,orders_by_status:app_operator',
	'the operations are recorded as app_operator\'s');

my $users = 4;
my $ops = 250;
my $run_id = as_operator(
	"SELECT loadtest_run(users => $users, ops => $ops, pattern => 'shop', think_time_ms => 0, ramp_up_s => 0)");
like($run_id, qr/^\d+$/, 'the operator runs the pattern');
is(q1("SELECT status, role_name FROM loadtest.runs WHERE run_id = $run_id"),
	'completed|app_operator', 'the run completed, as app_operator');
my ($n, $ok, $errors) = split /\|/, q1(
	"SELECT count(*), count(*) FILTER (WHERE success),
	        coalesce(string_agg(DISTINCT sqlstate || ' ' || message, '; '), '')
	   FROM loadtest.samples WHERE run_id = $run_id");
is($n, $users * $ops, 'every operation was recorded');
is($ok, $n, 'every operation succeeded: every order id drawn existed') or diag($errors);
is( q1("SELECT string_agg(DISTINCT operation, ',' ORDER BY operation) FROM loadtest.samples WHERE run_id = $run_id"),
	'order_lookup,order_tag,order_touch,orders_by_status',
	'the samples name the defined operations');
is( q1("SELECT (SELECT count(*) FROM app.order_log WHERE tag = 'tag')
	         = (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND operation = 'order_tag' AND success),
	       (SELECT count(*) FROM app.order_log WHERE tag = 'touch')
	         = (SELECT count(*) FROM loadtest.samples WHERE run_id = $run_id AND operation = 'order_touch' AND success),
	       (SELECT count(*) FROM app.order_log WHERE order_id % 3 = 0)"),
	't|t|0', 'each write inserted one log row, of an order that exists (none of a deleted id)');
cmp_ok(q1("SELECT count(DISTINCT order_id) FROM app.order_log"), '>', 100,
	'the writes were spread over many orders');
is( q1("SELECT string_agg(operation || ':' || owner || ':' || (NOT builtin), ',' ORDER BY operation_no)
	      FROM loadtest.run_operations WHERE run_id = $run_id"),
	'order_lookup:app_operator:true,order_tag:app_operator:true,order_touch:app_operator:true,orders_by_status:app_operator:true',
	'the run keeps its operations, with their owner');

# ---------------------------------------------------------------------
# a role that may not read app.orders
# ---------------------------------------------------------------------
my ($out, $err) = ('', '');
my $rc = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT loadtest_define_operation('limited_lookup', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.order_log WHERE order_id = \$1)::integer'],
	    '[{\"type\": \"column\", \"table\": \"app.orders\", \"column\": \"order_id\"}]')",
	stdout => \$out, stderr => \$err, @limited);
isnt($rc, 0, 'app_limited cannot define an operation that draws from app.orders');
like($err,
	qr/ERROR:  42501: operation "limited_lookup": the generator of \$1 draws from app\.orders\.order_id, which role app_limited may not read/,
	'... with 42501 and a message naming the generator and the table');
is(q1("SELECT count(*) FROM loadtest.operations WHERE operation = 'limited_lookup'"),
	'0', '... and nothing is stored');

# The operator's own operations are not the limited role's to run (a run
# executes only SQL its role trusts); operations of a superuser are.
$rc = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT loadtest_run(users => 2, ops => 5, pattern => 'shop', think_time_ms => 0, ramp_up_s => 0)",
	stdout => \$out, stderr => \$err, @limited);
isnt($rc, 0, "app_limited cannot run app_operator's pattern");
like($err, qr/ERROR:  42501: operation "\w+" was defined by role app_operator/,
	'... refused with 42501, naming the owner');

q1(q{
	SELECT loadtest_define_operation('admin_order_lookup', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.orders WHERE order_id = $1)::integer AS found'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"}]');
	SELECT loadtest_define_pattern('admin_shop', weights => '{"admin_order_lookup": 1}');
});
my $runs_before = q1('SELECT count(*) FROM loadtest.runs');
for my $pattern ('admin_order_lookup', 'admin_shop')
{
	$rc = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSELECT loadtest_run(users => 2, ops => 5, pattern => '$pattern', think_time_ms => 0, ramp_up_s => 0)",
		stdout => \$out, stderr => \$err, @limited);
	isnt($rc, 0, "$pattern: app_limited cannot start a run that draws from app.orders");
	like($err, qr/ERROR:  42501: permission denied for table orders/,
		"$pattern: ... refused with 42501, permission denied for table orders");
	is(loadtest_backends($mon), 0, "$pattern: no loadtest process left");
}
is(q1('SELECT count(*) FROM loadtest.runs'), $runs_before, 'no run was recorded');
is(q1("SELECT count(*) FROM loadtest.runs WHERE status = 'running'"), '0', 'no run is running');

# ---------------------------------------------------------------------
# the pattern's operation redefined and dropped, and the pattern dropped,
# during a run: the run goes on with the definition it started with.
# Users start over 3 s (ramp-up): the last ones start after the
# redefinition, and still run the first definition.
# ---------------------------------------------------------------------
as_operator(q{
	SELECT loadtest_define_operation('log_order', 'write',
	    ARRAY['INSERT INTO app.order_log (order_id, tag) VALUES ($1, ''v1'')'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"}]',
	    description => 'first definition');
	SELECT loadtest_define_pattern('logging', weights => '{"log_order": 1}');
});
my $before = newest_run_id($mon);
my $client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 4, ops => 1, duration => '5 s', pattern => 'logging', think_time_ms => 20, ramp_up_s => 3)",
	@operator);
$run_id = 0;
ok( defined poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT coalesce(min(run_id), 0) FROM loadtest.runs WHERE run_id > $before");
			return $run_id > 0
			  && $mon->query_safe("SELECT count(*) > 0 FROM loadtest.samples WHERE run_id = $run_id") eq 't';
		},
		30, 0.02),
	"redefined: run $run_id started");
my $redefined_at = as_operator(q{
	SELECT loadtest_define_operation('log_order', 'write',
	    ARRAY['INSERT INTO app.order_log (order_id, tag) VALUES ($1, ''v2'')'],
	    '[{"type": "column", "table": "app.orders", "column": "order_id"}]',
	    description => 'second definition', replace => true);
	SELECT clock_timestamp();
});
$redefined_at = (split /\n/, $redefined_at)[-1];
is( q1("SELECT description FROM loadtest.operations WHERE operation = 'log_order'"),
	'second definition', 'redefined: the catalogue has the second definition');
as_operator(q{
	SELECT loadtest_drop_pattern('logging');
	SELECT loadtest_drop_operation('log_order');
});
is( q1("SELECT count(*) FROM loadtest.operations WHERE operation = 'log_order'")
	  . q1("SELECT count(*) FROM loadtest.patterns WHERE pattern = 'logging'"),
	'00', 'redefined: the operation and the pattern were dropped during the run');
is(finish_client($client, 60), 0, 'redefined: the call returns');
is(q1("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'completed', 'redefined: the run completed');
my $late_users = q1(
	"SELECT count(*) FROM (SELECT user_no, min(start_us) AS first FROM loadtest.samples
	                        WHERE run_id = $run_id GROUP BY user_no) f, loadtest.runs r
	  WHERE r.run_id = $run_id
	    AND r.started_at + f.first * interval '1 microsecond' > '$redefined_at'::timestamptz");
note "redefined: $late_users users started after the redefinition";
cmp_ok($late_users, '>=', 1, 'redefined: some users started after the redefinition');
($n, $ok, $errors) = split /\|/, q1(
	"SELECT count(*), count(*) FILTER (WHERE success),
	        coalesce(string_agg(DISTINCT sqlstate || ' ' || message, '; '), '')
	   FROM loadtest.samples WHERE run_id = $run_id AND operation = 'log_order'");
cmp_ok($n, '>', 20, "redefined: the run did many operations ($n)");
is($ok, $n, 'redefined: every operation succeeded') or diag($errors);
is( q1("SELECT count(*) FILTER (WHERE tag = 'v1') || '|' || count(*) FILTER (WHERE tag = 'v2')
	      FROM app.order_log WHERE tag IN ('v1', 'v2')"),
	"$ok|0",
	'redefined: every operation ran the first definition (one v1 row each, no v2 row)');
is( q1("SELECT statements[1], description FROM loadtest.run_operations WHERE run_id = $run_id"),
	"INSERT INTO app.order_log (order_id, tag) VALUES (\$1, 'v1')|first definition",
	'redefined: loadtest.run_operations has the first definition');
is( q1("SELECT pattern || ' ' || weights::text || ' ' || users FROM loadtest.run_patterns WHERE run_id = $run_id"),
	'logging {"log_order": 1} 4', 'redefined: loadtest.run_patterns has the dropped pattern');
is(loadtest_backends($mon), 0, 'redefined: no loadtest process left');

# ---------------------------------------------------------------------
# the user table dropped during a run
# ---------------------------------------------------------------------
as_operator(q{
	SELECT loadtest_define_operation('product_lookup', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.products WHERE product_id = $1)::integer AS found'],
	    '[{"type": "column", "table": "app.products", "column": "product_id"}]');
});
$before = newest_run_id($mon);
$client = start_client($node, 'postgres',
	"SELECT loadtest_run(users => 3, ops => 1, duration => '4 s', pattern => 'product_lookup', think_time_ms => 10, ramp_up_s => 0)",
	@operator);
$run_id = 0;
ok( defined poll_until(
		sub {
			$run_id = $mon->query_safe(
				"SELECT coalesce(min(run_id), 0) FROM loadtest.runs WHERE run_id > $before");
			return $run_id > 0
			  && $mon->query_safe("SELECT count(*) >= 30 FROM loadtest.samples WHERE run_id = $run_id") eq 't';
		},
		30, 0.02),
	"dropped table: run $run_id started");
q1('DROP TABLE app.products');
is(finish_client($client, 60), 0, 'dropped table: the call returns');
is(q1("SELECT status FROM loadtest.runs WHERE run_id = $run_id"),
	'completed', 'dropped table: the run completed');
my ($good, $bad, $states, $users_recovered) = split /\|/, q1(
	"SELECT count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success),
	        coalesce(string_agg(DISTINCT sqlstate || ' ' || message, '; ') FILTER (WHERE NOT success), ''),
	        (SELECT count(*) FROM loadtest.samples a JOIN loadtest.samples b USING (run_id, user_no)
	          WHERE a.run_id = $run_id AND NOT a.success AND b.success AND b.op_no > a.op_no)
	   FROM loadtest.samples WHERE run_id = $run_id");
cmp_ok($good, '>=', 30, "dropped table: operations succeeded before the drop ($good)");
cmp_ok($bad, '>', 0, "dropped table: operations failed after it ($bad)");
is($states, '42P01 relation "app.products" does not exist',
	'dropped table: every failure is recorded as 42P01, relation "app.products" does not exist');
is($users_recovered, 0, 'dropped table: no operation succeeded after a failure of its user');
is(loadtest_backends($mon), 0, 'dropped table: no loadtest process left');

# ---------------------------------------------------------------------
# unqualified names are refused at definition, whatever search_path says
# ---------------------------------------------------------------------
$rc = $node->psql('postgres',
	"SET search_path = app, public;\n\\set VERBOSITY verbose\n"
	  . "SELECT loadtest_define_operation('unqualified', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM orders WHERE order_id = \$1)::integer'],
	    '[{\"type\": \"int\", \"min\": 1, \"max\": 10}]')",
	stdout => \$out, stderr => \$err, @operator);
isnt($rc, 0, 'unqualified: a statement naming "orders" is refused');
like($err, qr/ERROR:  42P01: relation "orders" does not exist/, 'unqualified: ... with 42P01');
like($err, qr/CONTEXT:  statement 1 of operation "unqualified" \(statements run with search_path = pg_catalog, pg_temp/,
	'unqualified: ... saying that statements run with search_path = pg_catalog, pg_temp');
$rc = $node->psql('postgres',
	"SET search_path = app, public;\n\\set VERBOSITY verbose\n"
	  . "SELECT loadtest_define_operation('unqualified', 'read',
	    ARRAY['SELECT 1 / (SELECT count(*) FROM app.orders WHERE order_id = \$1)::integer'],
	    '[{\"type\": \"column\", \"table\": \"orders\", \"column\": \"order_id\"}]')",
	stdout => \$out, stderr => \$err, @operator);
isnt($rc, 0, 'unqualified: a column generator drawing from "orders" is refused');
like($err, qr/ERROR:  22023: operation "unqualified": the generator of \$1 has the table "orders", which is not a schema-qualified name/,
	'unqualified: ... with 22023, saying the table needs its schema');
is(q1("SELECT count(*) FROM loadtest.operations WHERE operation = 'unqualified'"),
	'0', 'unqualified: nothing is stored');

$mon->quit;
finish_and_check_log($node);

done_testing();
