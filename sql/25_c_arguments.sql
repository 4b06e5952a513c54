-- Each C entry point of the library declared (by a superuser, or by an
-- older script) with fewer arguments than the library reads, zero
-- included: the call fails with a clean error naming the mismatch, and the
-- backend survives.  (Reading past the arguments passed would crash it.)
-- The declarations live in a scratch schema and are dropped at the end.
CREATE SCHEMA c_arguments;
SELECT pg_backend_pid() AS backend_before, count(*) AS runs_before FROM loadtest.runs \gset

-- loadtest_run reads exactly 11 arguments, the procedure 12; their types
CREATE FUNCTION c_arguments.run_0() RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_run' LANGUAGE C;
CREATE FUNCTION c_arguments.run_1(integer) RETURNS bigint
    AS 'loadtest', 'loadtest_run' LANGUAGE C;
CREATE FUNCTION c_arguments.run_5(integer, integer, text, integer, double precision) RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_run' LANGUAGE C;
SELECT c_arguments.run_0();
SELECT c_arguments.run_1(1);
SELECT c_arguments.run_1(NULL);
SELECT c_arguments.run_5(1, 1, 'mixed', 0, 0);

-- loadtest_run_procedure: the same checks, as a procedure (its INOUT
-- run_id counts as an argument).  Without any output argument there is no
-- row to return the run id in: refused before any argument is read.
CREATE PROCEDURE c_arguments.run_procedure_0()
    AS '$libdir/loadtest', 'loadtest_run_procedure' LANGUAGE C;
CREATE PROCEDURE c_arguments.run_procedure_1(INOUT run_id bigint DEFAULT NULL)
    AS 'loadtest', 'loadtest_run_procedure' LANGUAGE C;
CREATE PROCEDURE c_arguments.run_procedure_5(integer, integer, text, integer,
                                             INOUT run_id bigint DEFAULT NULL)
    AS '$libdir/loadtest', 'loadtest_run_procedure' LANGUAGE C;
CALL c_arguments.run_procedure_0();
CALL c_arguments.run_procedure_1();
CALL c_arguments.run_procedure_1(7);
CALL c_arguments.run_procedure_5(1, 1, 'mixed', 0);
-- as a function: refused before any argument is read
CREATE FUNCTION c_arguments.run_procedure_as_function() RETURNS bigint
    AS 'loadtest', 'loadtest_run_procedure' LANGUAGE C;
SELECT c_arguments.run_procedure_as_function();

-- loadtest_pattern_distribution reads 2
CREATE FUNCTION c_arguments.distribution_0(OUT pattern text, OUT users integer, OUT share double precision)
    RETURNS SETOF record
    AS '$libdir/loadtest', 'loadtest_pattern_distribution' LANGUAGE C;
CREATE FUNCTION c_arguments.distribution_1(users integer,
    OUT pattern text, OUT users integer, OUT share double precision)
    RETURNS SETOF record
    AS 'loadtest', 'loadtest_pattern_distribution' LANGUAGE C;
SELECT * FROM c_arguments.distribution_0();
SELECT * FROM c_arguments.distribution_1(10);
SELECT c_arguments.distribution_1(10);

-- loadtest_free_worker_slots reads none: there is no shorter declaration,
-- and its own works
CREATE FUNCTION c_arguments.free_worker_slots_0() RETURNS integer
    AS '$libdir/loadtest', 'loadtest_free_worker_slots' LANGUAGE C;
SELECT c_arguments.free_worker_slots_0() BETWEEN 0 AND current_setting('max_worker_processes')::int
    AS free_slots_in_range;

-- as many arguments, but of other types: the procedure with an integer for
-- its samples (where the library reads text), and the function with text
-- for its duration (where it reads an interval)
CREATE PROCEDURE c_arguments.run_procedure_typed(int, int, text, int, float8, bool, int, interval,
                                                 float8, jsonb, int, INOUT run_id bigint DEFAULT NULL)
    AS '$libdir/loadtest', 'loadtest_run_procedure' LANGUAGE C;
CALL c_arguments.run_procedure_typed(1, 1, 'mixed', 0, 0, false, NULL, NULL, NULL, NULL, 5);
CREATE FUNCTION c_arguments.run_typed(int, int, text, int, float8, bool, int, text, float8, jsonb, text)
    RETURNS bigint AS '$libdir/loadtest', 'loadtest_run' LANGUAGE C;
SELECT c_arguments.run_typed(1, 1, 'mixed', 0, 0, false, NULL, '1 s', NULL, NULL, 'all');
CREATE FUNCTION c_arguments.distribution_typed(bigint, text)
    RETURNS SETOF record
    AS '$libdir/loadtest', 'loadtest_pattern_distribution' LANGUAGE C;
SELECT * FROM c_arguments.distribution_typed(10, 'mixed') AS d(pattern text, users int, share float8);
CREATE FUNCTION c_arguments.delete_runs_0() RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_delete_runs' LANGUAGE C;
SELECT c_arguments.delete_runs_0();
CREATE FUNCTION c_arguments.delete_runs_typed(bigint) RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_delete_runs' LANGUAGE C;
SELECT c_arguments.delete_runs_typed(1);

-- the right arguments, but other result columns: a column definition
-- list, RETURNS TABLE, an OUT argument more
CREATE FUNCTION c_arguments.distribution_record(integer, text) RETURNS SETOF record
    AS '$libdir/loadtest', 'loadtest_pattern_distribution' LANGUAGE C;
SELECT * FROM c_arguments.distribution_record(3, 'distributed') AS t(a text, b float8, c float8, d text);
CREATE FUNCTION c_arguments.distribution_table(integer, text) RETURNS TABLE (a integer, b integer)
    AS '$libdir/loadtest', 'loadtest_pattern_distribution' LANGUAGE C;
SELECT * FROM c_arguments.distribution_table(3, 'distributed');
CREATE PROCEDURE c_arguments.run_procedure_out(integer, integer, text, integer, double precision,
    boolean, integer, interval, double precision, jsonb, text, INOUT run_id bigint, OUT extra text)
    AS '$libdir/loadtest', 'loadtest_run_procedure' LANGUAGE C;
CALL c_arguments.run_procedure_out(1, 1, 'mixed', 0, 0, false, NULL, NULL, NULL, NULL, 'all', NULL, NULL);

-- called without a call expression, as a type's output function: the
-- declaration in pg_proc is checked, not the call
CREATE TYPE c_arguments.evil;
CREATE FUNCTION c_arguments.evil_in(cstring) RETURNS c_arguments.evil
    AS 'byteain' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION c_arguments.evil_out(c_arguments.evil) RETURNS cstring
    AS '$libdir/loadtest', 'loadtest_delete_runs' LANGUAGE C IMMUTABLE STRICT;
CREATE TYPE c_arguments.evil (INPUT = c_arguments.evil_in, OUTPUT = c_arguments.evil_out,
                              INTERNALLENGTH = VARIABLE);
SELECT '\x0100000000000000140000000000000000e1f50501000000'::c_arguments.evil;

-- the background functions (1.6): loadtest_start reads 11 like
-- loadtest_run, loadtest_wait 2, loadtest_cancel 1, the progress rows none
-- but a row of 14 columns
CREATE FUNCTION c_arguments.start_0() RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_start' LANGUAGE C;
CREATE FUNCTION c_arguments.start_typed(integer, integer, text, integer, double precision, boolean, integer,
    text, double precision, jsonb, text) RETURNS bigint
    AS '$libdir/loadtest', 'loadtest_start' LANGUAGE C;
CREATE FUNCTION c_arguments.wait_1(bigint) RETURNS text
    AS '$libdir/loadtest', 'loadtest_wait' LANGUAGE C;
CREATE FUNCTION c_arguments.wait_typed(bigint, text) RETURNS text
    AS '$libdir/loadtest', 'loadtest_wait' LANGUAGE C;
CREATE FUNCTION c_arguments.cancel_0() RETURNS text
    AS '$libdir/loadtest', 'loadtest_cancel' LANGUAGE C;
CREATE FUNCTION c_arguments.cancel_int(integer) RETURNS text
    AS '$libdir/loadtest', 'loadtest_cancel' LANGUAGE C;
CREATE FUNCTION c_arguments.progress_short(OUT run_id bigint, OUT role integer) RETURNS SETOF record
    AS '$libdir/loadtest', 'loadtest_progress_rows' LANGUAGE C;
CREATE FUNCTION c_arguments.progress_1(integer) RETURNS SETOF record
    AS '$libdir/loadtest', 'loadtest_progress_rows' LANGUAGE C;
SELECT c_arguments.start_0();
SELECT c_arguments.start_typed(1, 1, 'mixed', 0, 0, false, NULL, '1 s', NULL, NULL, 'all');
SELECT c_arguments.wait_1(1);
SELECT c_arguments.wait_typed(1, '1');
SELECT c_arguments.cancel_0();
SELECT c_arguments.cancel_int(1);
SELECT * FROM c_arguments.progress_short();
SELECT * FROM c_arguments.progress_1(1) AS p(run_id bigint);

-- the backend is still the same one, and nothing was started or recorded
SELECT pg_backend_pid() = :backend_before AS same_backend,
       count(*) = :runs_before AS no_run_recorded
  FROM loadtest.runs;
SELECT count(*) AS loadtest_processes FROM pg_stat_activity WHERE backend_type LIKE 'loadtest%';

DROP FUNCTION c_arguments.run_0();
DROP FUNCTION c_arguments.run_1(integer);
DROP FUNCTION c_arguments.run_5(integer, integer, text, integer, double precision);
DROP PROCEDURE c_arguments.run_procedure_0();
DROP PROCEDURE c_arguments.run_procedure_1(bigint);
DROP PROCEDURE c_arguments.run_procedure_5(integer, integer, text, integer, bigint);
DROP FUNCTION c_arguments.run_procedure_as_function();
DROP FUNCTION c_arguments.distribution_0();
DROP FUNCTION c_arguments.distribution_1(integer);
DROP FUNCTION c_arguments.free_worker_slots_0();
DROP PROCEDURE c_arguments.run_procedure_typed(integer, integer, text, integer, double precision, boolean, integer,
    interval, double precision, jsonb, integer, bigint);
DROP FUNCTION c_arguments.run_typed(integer, integer, text, integer, double precision, boolean, integer, text,
    double precision, jsonb, text);
DROP FUNCTION c_arguments.distribution_typed(bigint, text);
DROP FUNCTION c_arguments.delete_runs_0();
DROP FUNCTION c_arguments.delete_runs_typed(bigint);
DROP FUNCTION c_arguments.distribution_record(integer, text);
DROP FUNCTION c_arguments.distribution_table(integer, text);
DROP PROCEDURE c_arguments.run_procedure_out(integer, integer, text, integer, double precision,
    boolean, integer, interval, double precision, jsonb, text, bigint);
DROP TYPE c_arguments.evil CASCADE;
DROP FUNCTION c_arguments.start_0();
DROP FUNCTION c_arguments.start_typed(integer, integer, text, integer, double precision, boolean, integer,
    text, double precision, jsonb, text);
DROP FUNCTION c_arguments.wait_1(bigint);
DROP FUNCTION c_arguments.wait_typed(bigint, text);
DROP FUNCTION c_arguments.cancel_0();
DROP FUNCTION c_arguments.cancel_int(integer);
DROP FUNCTION c_arguments.progress_short();
DROP FUNCTION c_arguments.progress_1(integer);
DROP SCHEMA c_arguments;
