
# Attacks on the answer of 1.5 (issue #11): loadtest_verdict,
# loadtest_recommendations and its HypoPG sandbox, loadtest_compare,
# loadtest_check and the report (loadtest_report, loadtest_report_json),
# from
#  - the owner of a database (who owns its schema public, where hypopg is
#    installed by default) who may also start runs (loadtest_grant_operator:
#    UPDATE on the membership tables, enough in PostgreSQL 15 to LOCK them);
#  - an operator role with a schema of its own, whose runs a superuser
#    reads;
#  - rows written into the result tables by their owner (any content).
# The holes found by the attacker's review (each test failed while its hole
# was open; all are closed):
#  H1 hypopg was called by its schema's name, resolved when the sandbox
#     starts: the schema's owner renamed the schema meanwhile (the caller
#     waiting for a lock the owner holds) and put functions of its own under
#     the name; the "hypopg_drop_index" of the cleanup ran as the caller,
#     read-write: the database owner made itself superuser;
#  H2 recommend_indexes walked the whole plan again for each Seq Scan node,
#     and still compares every scan found with every other across plans:
#     an operator's real run (UNION ALLs of many scans, one statement or
#     100) makes a superuser's loadtest_recommendations take minutes;
#  H3 a run_db_stats value beyond double precision made
#     loadtest_recommendations fail (loadtest.format_number(numeric));
#  H4 many long run_errors messages made the text report fail
#     (report_errors built every row into one jsonb);
#  H5 loadtest_check(require_ready => true) passes on another run's
#     evidence (the verdict's measured basis is the latest run of the test
#     at target_users);
#  H6 a baseline whose median is 0: nothing is ever slower than it;
#  H7 a statement whose plan costs 0: "cost falls from 0.00 to 0.00";
#  H8 a statement timeout in the sandbox comes back as a user's cancel;
#  H9 the check planned the caller's statement again: the owner of a
#     schema it names could put code there that the planner runs as the
#     caller;
#  H9b ... and still can through a view (the plans show the tables under it);
#  H10 loadtest_compare reads every second of both runs (the design
#     effect): a run of a day makes a comparison take half a minute.
# And the attacks that failed, so that they stay failed: the sandbox
# leaves no prepared statement, hypothetical index or setting behind
# (success, error, statement timeout in either pass, read-only and
# read-write transactions), the caller's own prepared statements and
# hypothetical indexes stay; statements with side effects, several
# statements, DO, utilities change nothing; no hypopg of the database
# owner's (without the extension, or an overload beside it) is called; a
# superuser's look at an operator's run plans none of its statements; the
# statements recommended quote the names they use; row-level security
# hides the other roles' runs from every function; and planted garbage
# (NaN, infinities, negative and huge numbers, malformed arrays and
# plans, giant and control-character text) gives answers, not errors.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use LoadtestCheck;

my $node = new_loadtest_node('verdict_attacks', seed => 200);

sub q1 { my ($sql, @opts) = @_; return $node->safe_psql('postgres', $sql, @opts); }

# psql that goes on after errors: exit code, stdout, stderr
sub psql_all
{
	my ($db, $sql, @extra) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql($db, $sql, stdout => \$out, stderr => \$err, on_error_stop => 0, @extra);
	return ($rc, $out, $err);
}

# ---------------------------------------------------------------------
# The superuser's own run, checked with HypoPG
# ---------------------------------------------------------------------
q1(q{
SET client_min_messages = warning;
CREATE EXTENSION hypopg;
CREATE TABLE public.big AS SELECT g AS id, 'name' || g AS name, g % 100 AS grp FROM generate_series(1, 20000) g;
ANALYZE public.big;
CREATE TABLE public.sidefx (note text);
INSERT INTO public.sidefx VALUES ('intact');
SELECT loadtest_define_operation('read_big', 'read',
  ARRAY['SELECT count(*) FROM public.big b WHERE b.grp OPERATOR(pg_catalog.=) $1'],
  '[{"type": "int", "min": 1, "max": 99}]');
-- planting: a copy of a run under a new id (the tables' owner may write them)
CREATE SCHEMA plant;
CREATE FUNCTION plant.clone(src bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint := nextval('loadtest.run_id_seq');
    t text;
BEGIN
    INSERT INTO loadtest.runs
        SELECT (jsonb_populate_record(r, jsonb_build_object('run_id', n))).* FROM loadtest.runs r WHERE r.run_id = src;
    FOREACH t IN ARRAY ARRAY['run_users', 'run_operations', 'run_patterns', 'run_histograms', 'run_errors',
                             'wait_profile', 'run_db_stats', 'run_table_stats', 'run_memory', 'run_plans'] LOOP
        EXECUTE format('INSERT INTO loadtest.%1$I SELECT (jsonb_populate_record(x, jsonb_build_object(''run_id'', $1))).*
                          FROM loadtest.%1$I x WHERE x.run_id = $2', t) USING n, src;
    END LOOP;
    RETURN n;
END $$;
-- a copy of a run whose operations' statement is another one
CREATE FUNCTION plant.with_statement(src bigint, stmt text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint := plant.clone(src);
BEGIN
    UPDATE loadtest.run_operations SET statements = ARRAY[stmt] WHERE run_id = n;
    RETURN n;
END $$;
});
my $big = q1(q{SELECT loadtest_run(users => 2, ops => 20, think_time_ms => 0, ramp_up_s => 0, pattern => 'read_big')});
my $recs = q1("SELECT finding || ' | ' || evidence || ' | ' || statement FROM loadtest_recommendations($big)");
like($recs, qr/sequential scans on public\.big .*with a hypothetical index \(HypoPG\) the statement's cost falls from [\d.,]+ to [\d.,]+ \| CREATE INDEX ON public\.big \(grp\);/,
	'own run: the index, checked with HypoPG');

# The sandbox leaves the caller's session as it was, and keeps what the
# caller had: a prepared statement of the name the sandbox would take
# first, a hypothetical index of the caller's, its settings.
my ($rc, $out, $err) = psql_all('postgres', qq{
SET plan_cache_mode = force_custom_plan;
PREPARE mine AS SELECT 1;
SELECT format('PREPARE %I AS SELECT 2', 'loadtest_hypopg_' || pg_backend_pid() || '_1') \\gexec
SELECT 'own hypo ' || count(*) FROM hypopg_create_index('CREATE INDEX ON public.big (name)');
SELECT 'rows ' || count(*) FROM loadtest_recommendations($big) WHERE evidence LIKE '%cost falls%';
SELECT 'prepared ' || string_agg(regexp_replace(name, '[0-9]+', 'N', 'g'), ',' ORDER BY name) FROM pg_prepared_statements;
SELECT 'hypo ' || string_agg(index_name, ',') FROM hypopg_list_indexes;
SELECT 'settings ' || current_setting('plan_cache_mode') || ' ' || current_setting('transaction_read_only');
BEGIN READ ONLY;
SELECT 'ro rows ' || count(*) FROM loadtest_recommendations($big);
SELECT 'ro ' || current_setting('transaction_read_only');
COMMIT;
BEGIN;
SELECT 'rw rows ' || count(*) FROM loadtest_recommendations($big);
SELECT 'rw ' || current_setting('transaction_read_only');
CREATE TEMP TABLE written_after (a int);
COMMIT;
SELECT 'written ' || count(*) FROM pg_class WHERE relname = 'written_after';
});
is($err, '', 'sandbox after success: no error');
like($out, qr/^rows 1$/m, 'sandbox after success: the recommendation');
like($out, qr/^prepared loadtest_hypopg_N_N,mine$/m,
	'... the caller\'s prepared statements stay, no other is left');
like($out, qr/^hypo <\d+>btree_big_name$/m, '... the caller\'s hypothetical index stays, no other is left');
like($out, qr/^settings force_custom_plan off$/m, '... plan_cache_mode and transaction_read_only as they were');
like($out, qr/^ro rows 1$/m, '... in a read-only transaction it checks too');
like($out, qr/^ro on$/m, '... which stays read-only');
like($out, qr/^rw off$/m, '... a read-write transaction stays read-write');
like($out, qr/^written 1$/m, '... and writes after it');

# Errors and cancels in the middle of the sandbox: a statement that fails
# when planned, one that sleeps when planned (pass 1, without the
# hypothetical index) and one that sleeps only once the hypothetical
# index exists (pass 2).
q1(q{
CREATE FUNCTION public.slow_planned(pass int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF pass = 1 OR EXISTS (SELECT 1 FROM public.hypopg_list_indexes) THEN PERFORM pg_sleep(30); END IF;
    RETURN true;
END $$;
});
my $stmt = 'SELECT count(*) FROM public.big b WHERE b.grp OPERATOR(pg_catalog.=) $1';
my %cancel_run = map {
	my $s = $_ == 0 ? "$stmt AND 1 OPERATOR(pg_catalog./) 0 OPERATOR(pg_catalog.=) 1" : "$stmt AND public.slow_planned($_)";
	($_ => q1("SELECT plant.with_statement($big, \$q\$$s\$q\$)"))
} (0, 1, 2);
for my $pass (0, 1, 2)
{
	my $what = $pass == 0 ? 'an error when planned' : "a statement timeout in pass $pass";
	my $t0 = time;
	($rc, $out, $err) = psql_all('postgres', qq{
SET plan_cache_mode = force_custom_plan;
\\set VERBOSITY verbose
SET statement_timeout = '1s';
SELECT 'evidence ' || evidence FROM loadtest_recommendations($cancel_run{$pass});
RESET statement_timeout;
SELECT 'prepared ' || count(*) FROM pg_prepared_statements;
SELECT 'hypo ' || count(*) FROM hypopg_list_indexes;
SELECT 'settings ' || current_setting('plan_cache_mode') || ' ' || current_setting('transaction_read_only');
});
	if ($pass == 0)
	{
		like($out, qr/^evidence .*not checked: division by zero$/m, "$what: a recommendation that says why it was not checked");
	}
	else
	{
		like($err, qr/ERROR:  57014/, "$what: the call is cancelled (57014)");
		cmp_ok(time - $t0, '<', 25, "$what: ... without waiting for the planned function");
	}
	like($out, qr/^prepared 0$/m, "$what: no prepared statement left");
	like($out, qr/^hypo 0$/m, "$what: no hypothetical index left");
	like($out, qr/^settings force_custom_plan off$/m, "$what: plan_cache_mode and transaction_read_only as they were");
}

# H8: the cancel raised again is the statement timeout, not a user's cancel
($rc, $out, $err) = psql_all('postgres',
	"SET statement_timeout = '1s'; SELECT * FROM loadtest_recommendations($cancel_run{2})");
like($err, qr/canceling statement due to statement timeout/,
	'H8: a statement timeout in the sandbox is reported as the statement timeout');

# Statements that would do something if run: none is (PREPARE and EXPLAIN
# only plan; several statements, DO and utilities are refused; read-only)
my @harmful = (
	[ 'two statements', "$stmt; DROP TABLE public.sidefx" ],
	[ 'two statements, the second after a comment', "$stmt -- x\n; DROP TABLE public.sidefx" ],
	[ 'DO', 'DO $$ BEGIN DROP TABLE public.sidefx; END $$' ],
	[ 'a utility', 'DROP TABLE public.sidefx' ],
	[ 'a data-modifying WITH', "WITH d AS (DELETE FROM public.sidefx RETURNING 1) $stmt" ],
	[ 'an INSERT', q{INSERT INTO public.sidefx SELECT 'inserted' FROM public.big b WHERE b.grp OPERATOR(pg_catalog.=) $1} ],
	[ 'SELECT INTO', q{SELECT * INTO public.created_by_sandbox FROM public.big b WHERE b.grp OPERATOR(pg_catalog.=) $1} ],
	[ 'EXPLAIN ANALYZE', 'EXPLAIN ANALYZE DELETE FROM public.sidefx' ],
	[ 'NULL', undef ],
	[ 'an unterminated comment', "$stmt /* open" ]);
q1(q{
CREATE FUNCTION public.writes_when_planned(i int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN UPDATE public.sidefx SET note = 'changed when planned'; RETURN true; END $$;
});
push @harmful, [ 'a function the planner folds that writes', "$stmt AND public.writes_when_planned(1)" ];
for my $h (@harmful)
{
	my ($what, $s) = @$h;
	my $run = q1('SELECT plant.with_statement(' . $big . ', ' . (defined $s ? "\$q\$$s\$q\$" : 'NULL') . ')');
	($rc, $out, $err) = psql_all('postgres', "SELECT count(*) FROM loadtest_recommendations($run)");
	is($err, '', "statement $what: loadtest_recommendations answers");
}
is(q1(q{SELECT string_agg(note, ',') FROM public.sidefx}), 'intact', 'none of them changed public.sidefx');
is(q1(q{SELECT count(*) || ' ' || (to_regclass('public.created_by_sandbox') IS NULL) FROM public.big}),
	'20000 true', '... nor public.big, nor created a table');

# H7: a statement whose generic plan costs nothing is no evidence for an index
my $free = q1(q{SELECT plant.with_statement(} . $big . q{, $q$SELECT b.id FROM public.big b WHERE b.grp OPERATOR(pg_catalog.=) $1 AND false$q$)});
unlike(q1("SELECT string_agg(evidence, E'\\n') FROM loadtest_recommendations($free)"),
	qr/falls from 0\.00 to 0\.00/, 'H7: no index "checked" by a cost that falls from 0.00 to 0.00');

# H3: a counter beyond double precision
my $huge = q1("SELECT plant.clone($big)");
q1("UPDATE loadtest.run_db_stats SET value = 1e400 WHERE run_id = $huge");
($rc, $out, $err) = psql_all('postgres', "SELECT count(*) FROM loadtest_recommendations($huge)");
is($err, '', 'H3: loadtest_recommendations answers when run_db_stats holds 1e400');
($rc, $out, $err) = psql_all('postgres', "SELECT loadtest_report($huge)");
unlike($out, qr/out of range for type double precision/, 'H3: ... and the report prints no error as a recommendation');

# H4: many long error messages
my $errs = q1("SELECT plant.clone($big)");
q1("INSERT INTO loadtest.run_errors SELECT $errs, 0, 'E' || g, repeat(E'msg\\n', 2500), 1 FROM generate_series(1, 28000) g");
($rc, $out, $err) = psql_all('postgres', "SELECT length(loadtest_report($errs)) > 0");
is($err, '', 'H4: the text report of a run with 280 MB of error messages');
q1("SELECT loadtest_delete_runs(ARRAY[$errs])");

# Planted garbage: answers, not errors, from every function
my @garbage = (
	'UPDATE loadtest.runs SET users = 0, think_time_ms = -1, ramp_up_s = \'NaN\', duration_limit_s = \'-Infinity\', pool_size = 0 WHERE run_id = %d',
	'UPDATE loadtest.runs SET users = 2147483647, pool_size = 2147483647, rate = \'NaN\', hot_rows = -2147483648, users_lost = -1, arrivals_dropped = 9223372036854775807 WHERE run_id = %d',
	'UPDATE loadtest.runs SET rate = 5e-324, stages = \'[{"kind": 1, "from": "a", "to": 1e400}, null]\' WHERE run_id = %d',
	'UPDATE loadtest.runs SET pattern = repeat(E\'p\\n\\t\\u0001\'\' ;\', 30000), server_version = repeat(E\'v\\n\', 50000), message = repeat(E\'m\\u0007\', 50000), status = \'failed\' WHERE run_id = %d',
	'UPDATE loadtest.run_histograms SET ops = -ops, errors = 9223372036854775807, latency_sum_us = \'NaN\', wait_sum_us = \'-Infinity\' WHERE run_id = %d',
	'UPDATE loadtest.run_histograms SET latency_sum_us = 5e-324, ops = 9223372036854775807, first_start_us = 9223372036854775807, last_end_us = -9223372036854775808 WHERE run_id = %d',
	'UPDATE loadtest.run_histograms SET latency_buckets = ARRAY[-1, 99999, NULL], latency_counts = ARRAY[1, 2]::bigint[], response_buckets = \'{}\', response_counts = ARRAY[5]::bigint[], wait_buckets = ARRAY[[1,2],[3,4]], wait_counts = ARRAY[[1,2],[3,4]]::bigint[] WHERE run_id = %d',
	'UPDATE loadtest.run_histograms SET latency_counts = array_fill(9223372036854775807::bigint, ARRAY[cardinality(latency_buckets)]), response_counts = array_fill(-5::bigint, ARRAY[cardinality(response_buckets)]) WHERE run_id = %d',
	'UPDATE loadtest.run_db_stats SET value = CASE stat WHEN \'blks_read\' THEN 5000 WHEN \'blks_hit\' THEN 10 ELSE \'NaN\'::numeric END WHERE run_id = %1$d; UPDATE loadtest.run_table_stats SET total_bytes = 9223372036854775807, seq_scan = -1, seq_tup_read = 9223372036854775807 WHERE run_id = %1$d',
	'INSERT INTO loadtest.run_table_stats (run_id, table_name, seq_scan, seq_tup_read, total_bytes) SELECT %d, x, 10, 1000000, 1 FROM unnest(ARRAY[E\'public."big"; DROP TABLE public.sidefx; --\', \'pg_catalog.pg_class\', E\'public.big\\n\', repeat(\'y\', 10000)]) x',
	'UPDATE loadtest.run_plans SET plan = \'[{"Plan": {"Node Type": 5, "Plans": "x", "Relation Name": ["big"], "Schema": {"a": 1}, "Filter": 7, "Sort Key": "b.id", "Total Cost": "NaN"}}]\', generic_plan = \'"a string"\' WHERE run_id = %d',
	'UPDATE loadtest.run_plans SET plan = jsonb_build_array(jsonb_build_object(\'Plan\', jsonb_build_object(\'Node Type\', \'Seq Scan\', \'Relation Name\', \'big\', \'Schema\', \'public\', \'Alias\', E\'(a*)*\\\\1[\' || repeat(\'a\', 300), \'Filter\', repeat(\'(b.grp = $1) AND (b.name ~~ \'\'x\'\'::text) AND \', 20000) || \'true\', \'Sort Key\', jsonb_build_array(repeat(\'(\', 5000))))), generic_plan = NULL WHERE run_id = %d',
	'UPDATE loadtest.run_plans SET plan = (SELECT (\'[{"Plan": \' || repeat(\'{"Node Type": "Limit", "Plans": [\', 2000) || \'{}\' || repeat(\']}\', 2000) || \'}]\')::jsonb) WHERE run_id = %d',
	'INSERT INTO loadtest.run_errors VALUES (%1$d, 0, E\'40P01\\n\', repeat(E\'\\u0001\', 10000), 9223372036854775807), (%1$d, 1, \'\', NULL, -5), (%1$d, 999, repeat(\'Z\', 10000), NULL, 9223372036854775807); UPDATE loadtest.run_histograms SET errors = ops WHERE run_id = %1$d',
	'INSERT INTO loadtest.wait_profile SELECT %d, o, t, e, s, p FROM (VALUES (repeat(E\'op\\n\', 10000), \'Lock\', \'transactionid\', 9223372036854775807, \'NaN\'::float8), (\'read_big\', \'Lock\', repeat(\'x\', 10000), 9223372036854775807, \'Infinity\'), (\'read_big\', \'IO\', \'WALSync\', 9223372036854775807, -1), (\'read_big\', \'CPU\', \'CPU\', -5, 1e308)) v(o, t, e, s, p)',
	'UPDATE loadtest.run_operations SET operation = repeat(E\'o\\n\', 5000) || operation_no, statements = NULL, variants = \'{"x": 1}\' WHERE run_id = %d',
	'DELETE FROM loadtest.run_histograms WHERE run_id = %1$d; DELETE FROM loadtest.run_operations WHERE run_id = %1$d; DELETE FROM loadtest.run_plans WHERE run_id = %1$d');
my @calls = (
	'SELECT count(*) FROM loadtest_verdict(%1$d)',
	'SELECT count(*) FROM loadtest_verdict(%1$d, 2, 10)',
	'SELECT count(*) FROM loadtest_recommendations(%1$d)',
	'SELECT length(loadtest_report(%1$d))',
	'SELECT length(loadtest_report_json(%1$d)::text)',
	'SELECT count(*) FROM loadtest_compare(%2$d, %1$d)',
	'SELECT count(*) FROM loadtest_compare(%1$d, %2$d)',
	'SELECT length(loadtest_compare_report(%1$d, %2$d))');
my $garbage_errors = '';
for my $g (@garbage)
{
	my $run = q1("SELECT plant.clone($big)");
	q1(sprintf($g, $run));
	for my $c (@calls)
	{
		my $sql = sprintf($c, $run, $big);
		($rc, $out, $err) = psql_all('postgres', "SET statement_timeout = '60s'; $sql");
		$garbage_errors .= "$sql after $g:\n   $err\n" if $err ne '';
		cmp_ok(length($out), '<', 1_000_000, "garbage: $sql prints a bounded answer")
		  if $c !~ /json/;
	}
	# loadtest_check: true or LT001, nothing else
	($rc, $out, $err) = psql_all('postgres', "\\set VERBOSITY verbose\nSET statement_timeout = '60s';\n"
		  . "SELECT loadtest_check($run, max_avg_ms => 1e9, max_p95_ms => 1e9, min_throughput => 0, min_success_pct => 0, baseline => $big, require_ready => true)");
	$garbage_errors .= "loadtest_check($run) after $g:\n   $err\n" if $err ne '' && $err !~ /ERROR:  LT001/;
}
is($garbage_errors, '', 'planted garbage: every function answers (loadtest_check: true or LT001)');

# H5: require_ready judged on this run, not on another run of the test
my $ready4 = q1(q{SELECT loadtest_run(users => 4, ops => 30, think_time_ms => 0, ramp_up_s => 0, pattern => 'read_heavy')});
is(q1("SELECT ready::text || ' ' || basis FROM loadtest_verdict($ready4, 4, 500)"), 'true measured',
	'a run of 4 users of read_heavy is ready for 4 users within 500 ms');
my $slow1 = q1("SELECT plant.clone($ready4)");
q1(qq{
UPDATE loadtest.runs SET users = 1 WHERE run_id = $slow1;
UPDATE loadtest.run_histograms
   SET latency_sum_us = ops * 2e6,
       latency_buckets = array_fill(loadtest.histogram_bucket(2000000), ARRAY[cardinality(latency_buckets)]),
       response_buckets = array_fill(loadtest.histogram_bucket(2000000), ARRAY[cardinality(response_buckets)]),
       last_end_us = first_start_us + 60000000
 WHERE run_id = $slow1;
});
is(q1("SELECT round(avg_ms) FROM loadtest.run_summary WHERE run_id = $slow1"), '2000',
	'its copy with 1 user and 2 s per operation (the same test)');
($rc, $out, $err) = psql_all('postgres', "\\set VERBOSITY verbose\n"
	  . "SELECT loadtest_check($slow1, require_ready => true, target_users => 4, target_ms => 500)");
like($err, qr/ERROR:  LT001/, 'H5: loadtest_check(require_ready) of the slow run breaks (not ready on the evidence of another run)');

# H6: a baseline with a median of 0
my $zero = q1("SELECT plant.clone($ready4)");
q1("UPDATE loadtest.run_histograms SET latency_buckets = array_fill(0, ARRAY[cardinality(latency_buckets)]) WHERE run_id = $zero");
($rc, $out, $err) = psql_all('postgres', "\\set VERBOSITY verbose\nSELECT loadtest_check($slow1, baseline => $zero)");
like($err, qr/ERROR:  LT001/, 'H6: 2 s per operation is slower than a baseline whose median is 0');
($rc, $out, $err) = psql_all('postgres', "\\set VERBOSITY verbose\nSELECT loadtest_check($slow1, baseline => $ready4)");
like($err, qr/ERROR:  LT001.*slower|ERROR:  LT001.*median/s, '... as it is than the real baseline');

# ---------------------------------------------------------------------
# An operator with a schema of its own; a superuser reads its runs
# ---------------------------------------------------------------------
q1(q{
CREATE ROLE op1 LOGIN;
SELECT loadtest_grant_operator('op1');
CREATE SCHEMA op1s AUTHORIZATION op1;
});
my @op1 = (extra_params => [ '-U', 'op1' ]);
q1(q{
SET client_min_messages = warning;
CREATE TABLE op1s.t AS SELECT g, g % 10 AS grp FROM generate_series(1, 1200) g;
ANALYZE op1s.t;
-- folded by the planner: whoever plans the statement runs it
CREATE FUNCTION op1s.planned(i int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF current_user <> 'op1' THEN RAISE WARNING 'PLANNED BY %', current_user; END IF;
    RETURN true;
END $$;
SELECT loadtest_define_operation('op_planned', 'read',
  ARRAY['SELECT count(*) FROM op1s.t b WHERE b.grp OPERATOR(pg_catalog.=) $1 AND op1s.planned(1)'],
  '[{"type": "int", "min": 1, "max": 9}]');
CREATE TABLE op1s."t""; DROP TABLE public.sidefx; --" AS
    SELECT g AS "g); DROP ROLE postgres; --", g % 10 AS "Grp""x" FROM generate_series(1, 1500) g;
ANALYZE op1s."t""; DROP TABLE public.sidefx; --";
SELECT loadtest_define_operation('op_names', 'read',
  ARRAY['SELECT count(*) FROM op1s."t""; DROP TABLE public.sidefx; --" "a""b" WHERE "a""b"."Grp""x" OPERATOR(pg_catalog.=) $1'],
  '[{"type": "int", "min": 1, "max": 9}]');
}, @op1);
my $op_planned = q1(q{SELECT loadtest_run(users => 1, ops => 10, think_time_ms => 0, ramp_up_s => 0, pattern => 'op_planned')}, @op1);
my $op_names = q1(q{SELECT loadtest_run(users => 1, ops => 10, think_time_ms => 0, ramp_up_s => 0, pattern => 'op_names')}, @op1);
($rc, $out, $err) = psql_all('postgres', "SELECT evidence FROM loadtest_recommendations($op_planned); SELECT length(loadtest_report($op_planned)) > 0; SELECT length(loadtest_report_json($op_planned)::text) > 0");
is($rc, 0, 'superuser: the operator\'s run\'s recommendations and reports');
unlike($err, qr/PLANNED BY/, '... plan none of its statements as the superuser');
like($out, qr/not checked with HypoPG: the run is another role's/, '... and say so');
is(q1("SELECT statement FROM loadtest_recommendations($op_names) WHERE statement LIKE 'CREATE INDEX%'"),
	'CREATE INDEX ON op1s."t""; DROP TABLE public.sidefx; --" ("Grp""x");',
	'the statement recommended for the operator\'s table quotes its names');

# Row-level security: the operator sees none of the superuser's runs
my $rls = '';
for my $sql ("SELECT * FROM loadtest_verdict($big)", "SELECT * FROM loadtest_recommendations($big)",
	"SELECT loadtest_report($big)", "SELECT loadtest_report_json($big)",
	"SELECT * FROM loadtest_compare($big, $op_planned)", "SELECT * FROM loadtest_compare($op_planned, $big)",
	"SELECT loadtest_compare_report($op_planned, $big)", "SELECT loadtest_check($big)",
	"SELECT loadtest_check($op_planned, baseline => $big)")
{
	($rc, $out, $err) = psql_all('postgres', "\\set VERBOSITY verbose\n$sql", @op1);
	$rls .= "$sql: $out $err\n" unless $err =~ /ERROR:  42704: loadtest run $big does not exist/;
}
is($rls, '', 'the operator: every function says the superuser\'s run does not exist (42704)');
unlike(q1('SELECT explanation FROM loadtest_verdict()', @op1), qr/\brun $big\b/,
	'the operator\'s latest verdict is of its own runs');

# H2: plans of many scans (UNION ALLs of the operator's table): one
# statement of 1500 scans, and an operation of 100 statements of 60
q1(q{
SELECT loadtest_define_operation('wide_union', 'read',
  ARRAY['SELECT count(*) FROM (' || (SELECT string_agg(format('SELECT 1 FROM op1s.t b%s WHERE b%s.grp OPERATOR(pg_catalog.=) $1', g, g), ' UNION ALL ')
                                        FROM generate_series(1, 1500) g) || ') x'],
  '[{"type": "int", "min": 1, "max": 9}]');
SELECT loadtest_define_operation('many_unions', 'read',
  (SELECT array_agg('SELECT count(*) FROM (' || (SELECT string_agg(format('SELECT 1 FROM op1s.t b%s WHERE b%s.grp OPERATOR(pg_catalog.=) $1', g, g), ' UNION ALL ')
                                                  FROM generate_series(1, 60) g) || ') x' || s)
     FROM generate_series(1, 100) s),
  '[{"type": "int", "min": 1, "max": 9}]');
}, @op1);
for my $shape ([ 'wide_union', 'one statement of 1500 scans', 2 ], [ 'many_unions', '100 statements of 60 scans', 1 ])
{
	my ($pattern, $what, $ops) = @$shape;
	my $run = q1("SELECT loadtest_run(users => 1, ops => $ops, think_time_ms => 0, ramp_up_s => 0, pattern => '$pattern')", @op1);
	my $t0 = time;
	($rc, $out, $err) = psql_all('postgres', "SET statement_timeout = '15s'; SELECT finding FROM loadtest_recommendations($run)");
	note(sprintf('loadtest_recommendations of the operator\'s %s: %.1f s', $what, time - $t0));
	is($err, '', "H2: the recommendations of $what within 15 s");
	like($out, qr/sequential scans on op1s\.t/, '... with the index');
}

# H10: a comparison with a run of a day (86400 seconds)
my $day = q1("SELECT plant.clone($ready4)");
q1(qq{
INSERT INTO loadtest.run_histograms
    SELECT (jsonb_populate_record(h, jsonb_build_object('second', g))).*
      FROM loadtest.run_histograms h, generate_series(100, 86499) g
     WHERE h.run_id = $day AND h.scope = 'second'
       AND h.second = (SELECT min(x.second) FROM loadtest.run_histograms x WHERE x.run_id = $day AND x.scope = 'second');
});
cmp_ok(q1("SELECT count(*) FROM loadtest.run_histograms WHERE run_id = $day AND scope = 'second'"), '>=', 86400,
	'a copy of a run with 86400 seconds');
my $t0 = time;
($rc, $out, $err) = psql_all('postgres', "SET statement_timeout = '10s'; SELECT count(*) FROM loadtest_compare($ready4, $day)");
note(sprintf('loadtest_compare with a run of 86400 seconds: %.1f s', time - $t0));
is($err, '', 'H10: loadtest_compare with a run of a day within 10 s');

# ---------------------------------------------------------------------
# The owner of a database (and of its schema public) who may start runs
# ---------------------------------------------------------------------
q1(q{
CREATE ROLE dbo LOGIN;
CREATE DATABASE atk OWNER dbo;
});
sub qa { my ($sql, @opts) = @_; return $node->safe_psql('atk', $sql, @opts); }
my @dbo = (extra_params => [ '-U', 'dbo' ]);
qa(q{
SET client_min_messages = warning;
CREATE SCHEMA lt;
CREATE EXTENSION loadtest SCHEMA lt;
SELECT lt.loadtest_seed(10000);
SELECT lt.loadtest_grant_operator('dbo');
SELECT lt.loadtest_define_operation('read_students', 'read',
  ARRAY['SELECT count(*) FROM membership.students s WHERE s.graduation_year OPERATOR(pg_catalog.=) $1'],
  '[{"type": "int", "min": 2000, "max": 2020}]');
});
my $stud = qa(q{SELECT lt.loadtest_run(users => 2, ops => 20, think_time_ms => 0, ramp_up_s => 0, pattern => 'read_students')});
my $fakes = q{
CREATE FUNCTION public.hypopg_create_index(text, OUT indexrelid oid, OUT indexname text) RETURNS SETOF record
LANGUAGE plpgsql AS $f$
BEGIN
    RAISE WARNING 'HIJACKED hypopg_create_index as %', current_user;
    indexrelid := 1; indexname := 'fake'; RETURN NEXT;
END $f$;
CREATE FUNCTION public.hypopg_drop_index(oid) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    RAISE WARNING 'HIJACKED hypopg_drop_index as %', current_user;
    ALTER ROLE dbo SUPERUSER;
    RETURN true;
END $f$;
};

# Without the extension hypopg: the database owner's functions of its names
# are not called
qa($fakes, @dbo);
($rc, $out, $err) = psql_all('atk', "SELECT evidence FROM lt.loadtest_recommendations($stud)");
unlike($err, qr/HIJACKED/, 'no hypopg: the database owner\'s public.hypopg_* are not called');
like($out, qr/not checked: install hypopg/, '... the evidence says hypopg is not installed');
qa('DROP FUNCTION public.hypopg_create_index(text); DROP FUNCTION public.hypopg_drop_index(oid)', @dbo);

# hypopg in public, which the database owner owns: not called
qa('CREATE EXTENSION hypopg');
($rc, $out, $err) = psql_all('atk', "SELECT evidence FROM lt.loadtest_recommendations($stud)");
like($out, qr/not checked: hypopg's schema public is owned by (dbo|pg_database_owner \(the database's owner, dbo\))/,
	'hypopg in public of a database owned by dbo: not called, the evidence says why');

# H1: the database owner renames public while the superuser's check waits
# for the lock it holds on the statement's table (if the check gets so
# far), and puts its own functions under the name
my $mon = $node->background_psql('atk');
sub lock_and_swap
{
	my ($what, @swap) = @_;
	my $lock = $node->background_psql('atk', @dbo, on_error_stop => 0);
	$lock->query_safe('BEGIN');
	$lock->query_safe('LOCK TABLE membership.students IN ACCESS EXCLUSIVE MODE');
	my $victim = start_client($node, 'atk', "SELECT evidence FROM lt.loadtest_recommendations($stud)");
	my $waited = poll_until(
		sub {
			$mon->query_safe(
				q{SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'membership.students'::regclass}) > 0;
		},
		5);
	note("$what: the superuser's check " . (defined $waited ? 'waited for the lock' : 'did not wait for the lock'));
	$lock->query($_) for @swap;
	$lock->query('COMMIT');
	$lock->quit;
	finish_client($victim, 60);
	note("$what: the superuser's call: $victim->{stdout} $victim->{stderr}");
	unlike($victim->{stderr}, qr/HIJACKED/, "$what: no function of the database owner's ran in the superuser's call");
	is(qa(q{SELECT rolsuper FROM pg_roles WHERE rolname = 'dbo'}), 'f', "$what: the database owner did not become superuser");
	return ($waited, $victim);
}
lock_and_swap('H1, hypopg in public', 'ALTER SCHEMA public RENAME TO hypo_real', 'CREATE SCHEMA public', $fakes);
qa(q{
ALTER ROLE dbo NOSUPERUSER;
DROP SCHEMA public CASCADE;
ALTER SCHEMA hypo_real RENAME TO public;
});

# hypopg in a schema of the superuser's, where the database owner may
# create (but not rename): checked; an overload beside it is not called;
# the schema cannot be swapped while the check waits
qa(q{
CREATE SCHEMA hypo;
ALTER EXTENSION hypopg SET SCHEMA hypo;
GRANT USAGE, CREATE ON SCHEMA hypo TO dbo;
});
like(qa("SELECT evidence FROM lt.loadtest_recommendations($stud)"), qr/cost falls from/,
	'hypopg in a schema of the superuser\'s: the superuser\'s run is checked');
qa(q{CREATE FUNCTION hypo.hypopg_create_index(varchar) RETURNS SETOF record LANGUAGE sql
     AS $f$ SELECT 1::oid, 'fake'::text $f$}, @dbo);
($rc, $out, $err) = psql_all('atk', "SELECT evidence FROM lt.loadtest_recommendations($stud)");
unlike($err, qr/HIJACKED/, 'an overload of hypopg_create_index beside it: not called');
like($out, qr/not checked: other functions share the names of hypopg's/, '... the evidence says why not checked');
qa('DROP FUNCTION hypo.hypopg_create_index(varchar)', @dbo);
(my $fakes_hypo = $fakes) =~ s/public\./hypo_fake./g;
my ($waited, $victim) = lock_and_swap('H1, hypopg in a schema of the superuser\'s',
	'ALTER SCHEMA hypo RENAME TO hypo_real', 'CREATE SCHEMA hypo_fake', $fakes_hypo, 'ALTER SCHEMA hypo_fake RENAME TO hypo');
ok(defined $waited, '... the check waited for the lock (it got as far as the PREPARE)');
like($victim->{stdout}, qr/cost falls from/, '... and checked the index with the real hypopg');
is(qa(q{SELECT nspname FROM pg_namespace n JOIN pg_extension e ON e.extnamespace = n.oid WHERE e.extname = 'hypopg'}),
	'hypo', '... whose schema is as it was');

# H9: the superuser's statement names a table in public; its owner (the
# database owner) puts a view there whose function the planner folds
qa(q{
SET client_min_messages = warning;
CREATE TABLE public.big2 AS SELECT g AS id, g % 100 AS grp FROM generate_series(1, 20000) g;
ANALYZE public.big2;
SELECT lt.loadtest_define_operation('read_big2', 'read',
  ARRAY['SELECT count(*) FROM public.big2 b WHERE b.grp OPERATOR(pg_catalog.=) $1'],
  '[{"type": "int", "min": 1, "max": 99}]');
});
my $big2 = qa(q{SELECT lt.loadtest_run(users => 2, ops => 20, think_time_ms => 0, ramp_up_s => 0, pattern => 'read_big2')});
unlike(qa("SELECT evidence FROM lt.loadtest_recommendations($big2)"), qr/cost falls from/,
	'H9: a statement on a table in a schema of the database owner\'s is not planned again');
qa(q{
DROP TABLE public.big2;
CREATE FUNCTION public.evil_imm(i int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
    IF current_user <> 'dbo' THEN RAISE WARNING 'PLANNED BY %', current_user; END IF;
    RETURN true;
END $f$;
CREATE VIEW public.big2 AS SELECT g AS id, g % 100 AS grp FROM generate_series(1, 20000) g WHERE public.evil_imm(1);
}, @dbo);
($rc, $out, $err) = psql_all('atk', "SELECT evidence FROM lt.loadtest_recommendations($big2)");
unlike($err, qr/PLANNED BY/, 'H9: a view of the database owner\'s put in the place of the superuser\'s table runs none of its code');
# H9b: the same through a view of the database owner's over a table of
# the superuser's: the captured plan shows only the table
qa(q{
SET client_min_messages = warning;
CREATE SCHEMA app;
CREATE TABLE app.big3 AS SELECT g AS id, g % 100 AS grp FROM generate_series(1, 20000) g;
ANALYZE app.big3;
GRANT USAGE ON SCHEMA app TO dbo;
GRANT SELECT ON app.big3 TO dbo;
});
qa(q{CREATE VIEW public.v3 AS SELECT * FROM app.big3}, @dbo);
qa(q{
SELECT lt.loadtest_define_operation('read_v3', 'read',
  ARRAY['SELECT count(*) FROM public.v3 b WHERE b.grp OPERATOR(pg_catalog.=) $1'],
  '[{"type": "int", "min": 1, "max": 99}]');
});
my $v3 = qa(q{SELECT lt.loadtest_run(users => 2, ops => 20, think_time_ms => 0, ramp_up_s => 0, pattern => 'read_v3')});
qa(q{CREATE OR REPLACE VIEW public.v3 AS SELECT * FROM app.big3 WHERE public.evil_imm(1)}, @dbo);
($rc, $out, $err) = psql_all('atk', "SELECT evidence FROM lt.loadtest_recommendations($v3)");
unlike($err, qr/PLANNED BY/, 'H9b: a view of the database owner\'s that the superuser\'s statement reads runs none of its code');

is(qa(q{SELECT rolsuper FROM pg_roles WHERE rolname = 'dbo'}), 'f', 'the database owner is no superuser at the end');

$mon->quit;
finish_and_check_log($node);
done_testing();
