/*-------------------------------------------------------------------------
 *
 * run_request.c
 *	  Check a request to run a load test before anything starts: its
 *	  arguments, its pattern (resolved against the workload catalogue), the
 *	  shape of the run, the server, the role and the calling transaction.
 *	  Every refusal is an ERROR with a hint; nothing is left half-done.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "loadtest.h"
#include "trust.h"
#include "run_request.h"
#include "spi_args.h"

/*
 * The run's shape, from the checked arguments: the one place that turns
 * pool_size, rate, duration and stages into how the run is served,
 * bounded and loaded.
 */
static void
run_shape_decide(RunRequest *req)
{
	if (req->rate > 0)
		req->shape.service = SERVICE_ARRIVALS;
	else if (req->pool_size > 0)
		req->shape.service = SERVICE_POOLED;
	else
		req->shape.service = SERVICE_DEDICATED;
	req->shape.bound = req->duration_us > 0 ? BOUND_DURATION : BOUND_OPS;
	if (req->nstages == 0)
		req->shape.load = LOAD_RAMP;
	else
		req->shape.load = req->stages_rate ? LOAD_STAGED_RATE : LOAD_STAGED_USERS;
}

static void
require_argument(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("Leave the argument out to use its default.")));
}

static void
stage_error(int n, const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("stage %d: %s", n, message),
			 errhint("stages => '[{\"users\": 50, \"duration\": \"1 min\"}, {\"users\": 0, \"duration\": \"10 s\"}]', or the same with \"rate\" (operations per second) instead of \"users\".")));
}

/*
 * stages => '[{"users": 100, "duration": "30 s"}, ...]': each stage moves
 * the number of active users (or the arrival rate) linearly from the
 * previous stage's target (0 before the first) to its own.  Parsed with
 * SQL (no table is read), checked, and laid out as cumulative end times.
 */
static void
parse_stages(Datum stages, RunRequest *req)
{
	SpiArgs		args = SPI_ARGS_INIT;
	int64		end_us = 0;
	double		max_target = 0;
	bool		isnull;
	int			rc;
	int			guc_level;

	/* the caller's search_path must not resolve anything in our SQL */
	guc_level = trust_pin_search_path_local();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	spi_arg(&args, JSONBOID, stages);
	rc = spi_execute("SELECT pg_catalog.jsonb_typeof($1) OPERATOR(pg_catalog.=) 'array'"
							   " AND pg_catalog.jsonb_array_length($1) OPERATOR(pg_catalog.>=) 1"
							   " AND pg_catalog.jsonb_array_length($1) OPERATOR(pg_catalog.<=) "
					 CppAsString2(LOADTEST_MAX_STAGES), &args, true, 1);
	if (rc != SPI_OK_SELECT ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									1, &isnull)) || isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stages must be a JSON array of 1 to %d stages", LOADTEST_MAX_STAGES),
				 errhint("stages => '[{\"users\": 50, \"duration\": \"1 min\"}, {\"users\": 0, \"duration\": \"10 s\"}]'")));
	rc = spi_execute("SELECT s OPERATOR(pg_catalog.?) 'users',"
							   " s OPERATOR(pg_catalog.?) 'rate', s OPERATOR(pg_catalog.?) 'duration',"
							   " (s OPERATOR(pg_catalog.->>) 'users')::pg_catalog.float8,"
							   " (s OPERATOR(pg_catalog.->>) 'rate')::pg_catalog.float8,"
							   " pg_catalog.date_part('epoch', (s OPERATOR(pg_catalog.->>) 'duration')::pg_catalog.interval)"
							   " FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS e(s, n)"
					 " ORDER BY n", &args, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the stages");
	req->nstages = (int) SPI_processed;
	for (int i = 0; i < req->nstages; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		has_users = DatumGetBool(SPI_getbinval(tuple, desc, 1, &isnull)) && !isnull;
		bool		has_rate = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull)) && !isnull;
		bool		has_duration = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull)) && !isnull;
		double		target;
		double		seconds;

		if (has_users == has_rate || !has_duration)
			stage_error(i + 1, "a stage has a duration and either users or rate");
		if (i == 0)
			req->stages_rate = has_rate;
		else if (req->stages_rate != has_rate)
			stage_error(i + 1, "all stages set users, or all set rate");
		target = DatumGetFloat8(SPI_getbinval(tuple, desc, has_users ? 4 : 5, &isnull));
		if (isnull || isnan(target) || target < 0 ||
			target > (has_users ? LOADTEST_MAX_USERS : 1000000) ||
			(has_users && target != floor(target)))
			stage_error(i + 1, has_users ?
						"users must be a whole number from 0 to " CppAsString2(LOADTEST_MAX_USERS) :
						"rate must be from 0 to 1000000 operations per second");
		seconds = DatumGetFloat8(SPI_getbinval(tuple, desc, 6, &isnull));
		if (isnull || !(seconds > 0))
			stage_error(i + 1, "duration must be a positive interval");
		if (seconds > LOADTEST_MAX_DURATION_US / 1e6)
			stage_error(i + 1, "the stages last longer than 7 days");
		end_us += (int64) (seconds * 1e6);
		if (end_us > LOADTEST_MAX_DURATION_US)
			stage_error(i + 1, "the stages last longer than 7 days");
		req->stages[i].end_us = end_us;
		req->stages[i].target = target;
		max_target = Max(max_target, target);
	}
	SPI_finish();
	AtEOXact_GUC(true, guc_level);
	if (max_target <= 0)
		stage_error(1, "no stage has any users or rate");

	req->duration_us = end_us;
	if (req->stages_rate)
		req->rate = max_target;
	else
		req->users = (int32) max_target;	/* the most users a stage has on */
}

/* An optional argument left NULL (its default). */
#define ARG_ABSENT(n)	PG_ARGISNULL(n)

/*
 * samples => 'all' | 'errors' | 'none' | a fraction such as '0.01': which
 * attempted operations loadtest.sample_log also keeps row by row (the
 * summaries keep every one).
 */
static void
parse_samples(const char *text, RunRequest *req)
{
	char	   *end;
	double		fraction;

	req->samples_fraction = 1.0;
	if (strcmp(text, "all") == 0)
		req->samples_kept = SAMPLES_ALL;
	else if (strcmp(text, "errors") == 0)
		req->samples_kept = SAMPLES_ERRORS;
	else if (strcmp(text, "none") == 0)
		req->samples_kept = SAMPLES_NONE;
	else
	{
		errno = 0;
		fraction = strtod(text, &end);
		/* a decimal number as written: no blanks, no hexadecimal */
		if (strspn(text, "0123456789.eE+-") != strlen(text) ||
			end == text || *end != '\0' || errno != 0 || isnan(fraction) ||
			!(fraction > 0 && fraction <= 1) || strlen(text) >= sizeof(req->samples_text))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("samples must be 'all', 'errors', 'none' or a fraction between 0 and 1, not \"%s\"",
							pnstrdup(text, pg_mbcliplen(text, strlen(text), 64))),
					 errdetail("The run's figures come from its summaries whatever samples says; samples chooses which attempted operations loadtest.sample_log also keeps row by row."),
					 errhint("For example samples => '0.01' keeps one operation in a hundred.")));
		req->samples_kept = fraction >= 1 ? SAMPLES_ALL : SAMPLES_FRACTION;
		req->samples_fraction = fraction;
	}
	strlcpy(req->samples_text, text, sizeof(req->samples_text));
}

void
run_request_parse(FunctionCallInfo fcinfo, RunRequest *req)
{
	require_argument(fcinfo, 0, "users");
	require_argument(fcinfo, 1, "ops");
	require_argument(fcinfo, 2, "pattern");
	require_argument(fcinfo, 3, "think_time_ms");
	require_argument(fcinfo, 4, "ramp_up_s");
	require_argument(fcinfo, 5, "force");

	req->users = PG_GETARG_INT32(0);
	req->ops = PG_GETARG_INT32(1);
	req->pattern = text_to_cstring(PG_GETARG_TEXT_PP(2));
	req->think_time_ms = PG_GETARG_INT32(3);
	req->ramp_up_s = PG_GETARG_FLOAT8(4);
	req->force = PG_GETARG_BOOL(5);
	req->pool_size = ARG_ABSENT(6) ? 0 : PG_GETARG_INT32(6);
	req->duration_us = 0;
	if (!ARG_ABSENT(7))
	{
		Interval   *duration = PG_GETARG_INTERVAL_P(7);
		double		us = duration->time +
			((double) duration->month * DAYS_PER_MONTH + duration->day) * USECS_PER_DAY;

		if (!(us >= 1000000.0 && us <= (double) LOADTEST_MAX_DURATION_US))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("duration must be between 1 second and 7 days"),
					 errhint("For example duration => '5 minutes'.")));
		req->duration_us = (int64) us;
	}
	req->rate = ARG_ABSENT(8) ? 0 : PG_GETARG_FLOAT8(8);
	if (!ARG_ABSENT(8) && !(req->rate > 0 && req->rate <= 1000000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rate must be more than 0 and at most 1000000 operations per second, not %s",
						loadtest_format_float8(req->rate)),
				 errhint("rate => 200 starts 200 operations per second, whatever the server does.")));
	req->nstages = 0;
	if (!ARG_ABSENT(9))
	{
		if (!ARG_ABSENT(7) || !ARG_ABSENT(8))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("stages cannot be combined with duration or rate"),
					 errdetail("The stages set the run's length, and its users or rate."),
					 errhint("Leave duration and rate out.")));
		parse_stages(PG_GETARG_DATUM(9), req);
	}
	parse_samples(ARG_ABSENT(10) ? "all" : text_to_cstring(PG_GETARG_TEXT_PP(10)), req);
	if (req->users < 1 || req->users > LOADTEST_MAX_USERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("users must be between 1 and %d, not %d",
						LOADTEST_MAX_USERS, req->users),
				 errhint("Without pool_size each simulated user runs in a background worker of its own; with it, users share the pool's workers.")));
	if (!ARG_ABSENT(6) && (req->pool_size < 1 || req->pool_size > req->users))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pool_size must be between 1 and users (%d), not %d",
						req->users, req->pool_size),
				 errdetail("pool_size workers serve the users, like a connection pool."),
				 errhint("Leave pool_size out to give every user a worker of its own.")));

	if (req->ops < 1 || req->ops > LOADTEST_MAX_OPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ops must be between 1 and %d, not %d",
						LOADTEST_MAX_OPS, req->ops),
				 errdetail("ops is the number of operations each user runs.")));
	/* ops bound the run unless a duration, a rate with one, or stages do */
	if (ARG_ABSENT(7) && ARG_ABSENT(9) &&
		(int64) req->users * req->ops > LOADTEST_MAX_TOTAL_OPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a run of %d users x %d operations is too large",
						req->users, req->ops),
				 errdetail("A run may have at most " INT64_FORMAT " operations in all.",
						   LOADTEST_MAX_TOTAL_OPS)));
	if (req->think_time_ms < 0 || req->think_time_ms > LOADTEST_MAX_THINK_MS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("think_time_ms must be between 0 and %d, not %d",
						LOADTEST_MAX_THINK_MS, req->think_time_ms),
				 errhint("0 means no pause between a user's operations.")));
	if (isnan(req->ramp_up_s) || req->ramp_up_s < 0 ||
		req->ramp_up_s > LOADTEST_MAX_RAMP_UP_S)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ramp_up_s must be between 0 and %.0f seconds, not %s",
						LOADTEST_MAX_RAMP_UP_S, loadtest_format_float8(req->ramp_up_s)),
				 errhint("0 starts every user at once.")));
	req->patterns = palloc(sizeof(RunPatterns));
	run_request_resolve_patterns(req->pattern, req->patterns);
	run_shape_decide(req);
}

/* Refuse a database whose SQL objects are older than this library. */
static void
sql_objects_older(const char *version)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the SQL objects of loadtest in this database are older than its library"),
			 version
			 ? errdetail("The extension is at version %s in this database; the library records the runs of version %s.",
						 version, LOADTEST_SQL_VERSION)
			 : errdetail("This library keeps the evidence of a run in loadtest.run_histograms and the other tables that came with version 1.4."),
			 errhint("ALTER EXTENSION loadtest UPDATE;")));
}

/*
 * Resolve a pattern argument against the workload catalogue, as the
 * caller, in the caller's transaction (before anything starts).
 */
void
run_request_resolve_patterns(const char *pattern, RunPatterns *patterns)
{
	Oid			schema = get_namespace_oid("loadtest", true);

	/*
	 * A library newer than the database's SQL objects: say so before
	 * anything starts (the recorder writes the tables of its own version).
	 */
	if (!OidIsValid(schema) || !OidIsValid(get_relname_relid("run_histograms", schema)))
		sql_objects_older(NULL);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT e.extversion FROM pg_catalog.pg_extension e"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'loadtest'",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the version of the loadtest extension");
	if (SPI_processed != 1 ||
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
			   LOADTEST_SQL_VERSION) != 0)
		sql_objects_older(SPI_processed == 1
						  ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)
						  : NULL);
	patterns_resolve(pattern, patterns);
	SPI_finish();
}

/* Refuse to run where a run must not happen or could not work. */
void
run_request_check_server(const RunRequest *req)
{
	HeapTuple	tuple;
	Form_pg_authid role;
	Oid			role_id = GetUserId();

	if (loadtest_environment_problem() != NULL && !req->force)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("refusing to run a load test: loadtest.environment is \"%.*s\", which is not a known value",
						pg_mbcliplen(loadtest_environment_problem(),
									 strlen(loadtest_environment_problem()), 40),
						loadtest_environment_problem()),
				 errdetail("The production guard cannot tell whether this is a production server."),
				 errhint("Set loadtest.environment to development, staging or production, or pass force => true.")));
	if (loadtest_environment_unprivileged() != NULL && !req->force)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("refusing to run a load test: loadtest.environment was set for this session by a role that may not set it"),
				 errdetail("The session's value \"%.*s\" was refused when the library was loaded, so the server's value is lost for this session and the production guard cannot tell whether this is a production server.",
						   pg_mbcliplen(loadtest_environment_unprivileged(),
										strlen(loadtest_environment_unprivileged()), 40),
						   loadtest_environment_unprivileged()),
				 errhint("Do not set loadtest.environment in PGOPTIONS or before the library is loaded (only a superuser may set it); or pass force => true.")));
	if (loadtest_environment == LOADTEST_ENV_PRODUCTION && !req->force)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("refusing to run a load test on a production server"),
				 errdetail("loadtest.environment is \"production\"."),
				 errhint("Run it on staging, or pass force => true if you mean to load this server.")));
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run a load test on a standby server"),
				 errdetail("The workload writes; a hot standby is read-only."),
				 errhint("Run the load test on the primary.")));
	if (XactReadOnly || DefaultXactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run a load test in a read-only transaction"),
				 errdetail("The simulated users' writes would all fail."),
				 errhint("Check default_transaction_read_only for this database and role.")));

	tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role_id));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for role %u", role_id);
	role = (Form_pg_authid) GETSTRUCT(tuple);
	if (!role->rolcanlogin)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" is not permitted to log in",
						NameStr(role->rolname)),
				 errdetail("The simulated users connect as the role that starts the run."),
				 errhint("Start the run as a role with LOGIN.")));
	ReleaseSysCache(tuple);

	if (pg_database_aclcheck(MyDatabaseId, role_id, ACL_CONNECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not connect to database \"%s\"",
						GetUserNameFromId(role_id, false),
						get_database_name(MyDatabaseId)),
				 errhint("GRANT CONNECT ON DATABASE to the role.")));
}

/*
 * The run's processes read and write the workload and result tables in
 * transactions of their own.  If the calling transaction has locked one of
 * them for writing (an uncommitted INSERT, UPDATE, DELETE, TRUNCATE, SELECT
 * FOR UPDATE or LOCK TABLE), they would wait for it while it waits for
 * them: a deadlock no lock manager sees.  Refuse before anything starts.
 */
void
run_request_check_locks(void)
{
	LockData   *locks = GetLockStatusData();

	for (int i = 0; i < locks->nelements; i++)
	{
		LockInstanceData *lock = &locks->locks[i];
		LOCKMASK	writing = ~(LOCKBIT_ON(AccessShareLock) | 1);
		char		relkind;

		if (lock->pid != MyProcPid ||
			lock->locktag.locktag_type != LOCKTAG_RELATION ||
			lock->locktag.locktag_field1 != MyDatabaseId ||
			(lock->holdMask & writing) == 0)
			continue;
		/* the indexes of a table written come with it: name the table */
		relkind = get_rel_relkind(lock->locktag.locktag_field2);
		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_MATVIEW)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot start a load test in a transaction that has locked %s",
						get_rel_name(lock->locktag.locktag_field2) ?
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(lock->locktag.locktag_field2)),
												   get_rel_name(lock->locktag.locktag_field2)) :
						"a table"),
				 errdetail("The simulated users would wait for this transaction, which would wait for them."),
				 errhint("Commit or roll back first, or start the load test in a transaction of its own.")));
	}
}

