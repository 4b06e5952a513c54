/*-------------------------------------------------------------------------
 *
 * background.c
 *	  Runs in the background (1.6): loadtest_start(), its launcher worker,
 *	  loadtest_wait(), loadtest_cancel() and loadtest.progress.
 *
 * loadtest_start() checks the request as loadtest_run() does, in the
 * caller's session, then hands its arguments and the session's loadtest.*
 * settings to a launcher background worker through a small segment of
 * dynamic shared memory (StartRequest).  The launcher connects as the
 * calling role and coordinates the run exactly as the caller's backend
 * coordinates a loadtest_run() (run_load_test in coordinator.c): the run's
 * processes are tied to the launcher, not to the caller, who gets the run
 * id once the run exists (or the error that refused it) and may go.
 *
 * The other functions find a running run through its row in loadtest.runs,
 * read as the caller (row-level security: a role sees its own runs), whose
 * segment_handle the recorder keeps while the run goes on; the segment is
 * trusted only when it holds that very run (magic, layout, run id,
 * database).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "coordinator.h"
#include "loadtest.h"
#include "progress.h"
#include "run_request.h"
#include "runstate.h"
#include "spi_args.h"
#include "trust.h"

PG_FUNCTION_INFO_V1(loadtest_start);
PG_FUNCTION_INFO_V1(loadtest_wait);
PG_FUNCTION_INFO_V1(loadtest_cancel);
PG_FUNCTION_INFO_V1(loadtest_progress_rows);

extern PGDLLEXPORT void loadtest_launcher_main(Datum main_arg);

#define START_MAGIC			0x4C545354	/* "LTST" */
#define START_TEXT_LEN		1024	/* bytes kept of the launcher's error texts */
#define POLL_MS				100 /* how often waiting functions look */
#define CANCEL_WAIT_MS		10000	/* how long loadtest_cancel() waits */

/* What the launcher tells the starter. */
typedef enum StartState
{
	START_PENDING = 0,
	START_RUNNING,				/* the run exists: run_id is set */
	START_FAILED				/* refused: the error is set */
} StartState;

/*
 * The segment between loadtest_start() and its launcher: who, the
 * arguments and settings as text (data: each a NUL-terminated string at
 * its offset), and the answer.
 */
typedef struct StartRequest
{
	uint32		magic;
	uint32		size;			/* of the segment, as a layout check */
	Oid			database_id;
	Oid			role_id;
	int			starter_pgprocno;
	pg_atomic_uint32 state;		/* StartState */
	int64		run_id;
	int			sqlerrcode;
	char		message[START_TEXT_LEN];
	char		detail[START_TEXT_LEN];
	char		hint[START_TEXT_LEN];
	bool		arg_null[RUN_ARGUMENTS];
	uint32		arg_offset[RUN_ARGUMENTS];
	int			nsettings;
	uint32		settings_offset;	/* name, value, name, value ... */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} StartRequest;

/* The launcher's request, until it has answered. */
static StartRequest *launcher_request = NULL;
static dsm_segment *launcher_request_segment = NULL;

/* A run's row in loadtest.runs, as the caller sees it. */
typedef struct RunRow
{
	bool		found;
	char	   *status;
	char	   *role_name;
	bool		has_handle;
	dsm_handle	handle;
} RunRow;

/*
 * Wait ms milliseconds, or until the latch is set; a cancel of the calling
 * statement is acted on here.
 */
static void
nap(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* A string buffer for the request's data. */
static void
append_string(StringInfo data, uint32 *offset, const char *value)
{
	*offset = data->len;
	appendBinaryStringInfo(data, value, strlen(value) + 1);
}

/*
 * The session's loadtest.* settings (their current values, whatever set
 * them), which the run's processes read through the coordinator: the
 * launcher takes them on.  Placeholders (settings the library does not
 * define) are left out.
 */
static int
append_settings(StringInfo data)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();
	int			nsettings = 0;

	for (int i = 0; i < n; i++)
	{
		struct config_generic *var = vars[i];
		uint32		ignored;

		if (strncmp(var->name, "loadtest.", 9) != 0 ||
			(var->flags & GUC_CUSTOM_PLACEHOLDER) != 0)
			continue;
		append_string(data, &ignored, var->name);
		append_string(data, &ignored, GetConfigOptionByName(var->name, NULL, false));
		nsettings++;
	}
	return nsettings;
}

/* The request for loadtest_start()'s arguments, in a new segment. */
static dsm_segment *
make_start_request(FunctionCallInfo fcinfo)
{
	StringInfoData data;
	uint32		arg_offset[RUN_ARGUMENTS] = {0};
	uint32		settings_offset;
	int			nsettings;
	dsm_segment *segment;
	StartRequest *request;
	Size		size;

	initStringInfo(&data);
	for (int i = 0; i < RUN_ARGUMENTS; i++)
	{
		Oid			output;
		bool		varlena;

		if (PG_ARGISNULL(i))
			continue;
		getTypeOutputInfo(run_argument_types[i], &output, &varlena);
		append_string(&data, &arg_offset[i],
					  OidOutputFunctionCall(output, PG_GETARG_DATUM(i)));
	}
	settings_offset = data.len;
	nsettings = append_settings(&data);

	size = offsetof(StartRequest, data) + data.len;
	segment = dsm_create(size, 0);
	request = dsm_segment_address(segment);
	memset(request, 0, offsetof(StartRequest, data));
	request->magic = START_MAGIC;
	request->size = (uint32) size;
	request->database_id = MyDatabaseId;
	request->role_id = GetUserId();
	request->starter_pgprocno = MyProc->pgprocno;
	pg_atomic_init_u32(&request->state, START_PENDING);
	for (int i = 0; i < RUN_ARGUMENTS; i++)
	{
		request->arg_null[i] = PG_ARGISNULL(i);
		request->arg_offset[i] = arg_offset[i];
	}
	request->nsettings = nsettings;
	request->settings_offset = settings_offset;
	memcpy(request->data, data.data, data.len);
	pfree(data.data);
	return segment;
}

static BackgroundWorkerHandle *
launch_launcher(dsm_segment *segment)
{
	BackgroundWorkerHandle *handle;

	handle = coordinator_register_worker("loadtest_launcher_main", "loadtest launcher",
										 "loadtest launcher", segment, 0);
	if (handle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start the launcher of the run"),
				 errhint("Raise max_worker_processes (a restart is needed).")));
	return handle;
}

/*
 * Wait for the launcher's answer: the run id, or the error that refused
 * the run, raised here as the launcher met it.
 */
static int64
wait_for_launcher(StartRequest *request, BackgroundWorkerHandle *handle)
{
	for (;;)
	{
		uint32		state = pg_atomic_read_u32(&request->state);
		pid_t		pid;

		pg_read_barrier();
		if (state == START_RUNNING)
			return request->run_id;
		if (state == START_FAILED)
		{
			/* a refused run leaves no process behind */
			(void) WaitForBackgroundWorkerShutdown(handle);
			ereport(ERROR,
					(errcode(request->sqlerrcode),
					 errmsg("%s", request->message),
					 request->detail[0] ? errdetail("%s", request->detail) : 0,
					 request->hint[0] ? errhint("%s", request->hint) : 0));
		}
		if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED &&
			pg_atomic_read_u32(&request->state) == START_PENDING)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the launcher of the run exited before the run started"),
					 errhint("See the server log. If the loadtest library was just upgraded, reconnect: this session still runs the old one.")));
		nap(POLL_MS);
	}
}

/*
 * loadtest_start(users, ops, pattern, ...): start a run in the background;
 * returns its id once it exists.
 */
Datum
loadtest_start(PG_FUNCTION_ARGS)
{
	RunRequest	req;
	dsm_segment *segment;
	StartRequest *request;
	BackgroundWorkerHandle *handle;
	int64		run_id = 0;

	check_signature(fcinfo, run_argument_types, RUN_ARGUMENTS, INT8OID, "loadtest_start");
	coordinator_refuse_nested_run();

	/* what loadtest_run() checks before anything starts, here */
	run_request_parse(fcinfo, &req);
	run_request_check_server(&req);
	coordinator_check_worker_slots(&req, true);
	run_request_check_locks();

	segment = make_start_request(fcinfo);
	request = dsm_segment_address(segment);
	handle = launch_launcher(segment);
	PG_TRY();
	{
		run_id = wait_for_launcher(request, handle);
	}
	PG_CATCH();
	{
		/* cancelled while the run was being set up: it does not go on */
		if (pg_atomic_read_u32(&request->state) == START_PENDING)
			TerminateBackgroundWorker(handle);
		PG_RE_THROW();
	}
	PG_END_TRY();
	dsm_detach(segment);
	PG_RETURN_INT64(run_id);
}

/*
 * Called by run_load_test() in the launcher once the run exists and its
 * first workers are launched: give the starter the run id, and let go of
 * the request.
 */
void
background_run_started(int64 run_id)
{
	StartRequest *request = launcher_request;

	if (request == NULL)
		return;
	request->run_id = run_id;
	pg_write_barrier();
	pg_atomic_write_u32(&request->state, START_RUNNING);
	runstate_wake(request->starter_pgprocno);
	launcher_request = NULL;
	dsm_detach(launcher_request_segment);
	launcher_request_segment = NULL;
}

/* The launcher could not start the run: hand the error to the starter. */
static void
launcher_report_error(void)
{
	StartRequest *request = launcher_request;
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	ErrorData  *edata = CopyErrorData();

	MemoryContextSwitchTo(old);
	request->sqlerrcode = edata->sqlerrcode;
	strlcpy(request->message, edata->message ? edata->message : "the run could not start",
			sizeof(request->message));
	strlcpy(request->detail, edata->detail ? edata->detail : "", sizeof(request->detail));
	strlcpy(request->hint, edata->hint ? edata->hint : "", sizeof(request->hint));
	pg_write_barrier();
	pg_atomic_write_u32(&request->state, START_FAILED);
	runstate_wake(request->starter_pgprocno);
	launcher_request = NULL;
}

/* Take on the starter's loadtest.* settings. */
static void
launcher_apply_settings(StartRequest *request)
{
	const char *p = request->data + request->settings_offset;

	for (int i = 0; i < request->nsettings; i++)
	{
		const char *name = p;
		const char *value = name + strlen(name) + 1;

		/* the starter's values, which its session was allowed to have */
		SetConfigOption(name, value, PGC_SUSET, PGC_S_SESSION);
		p = value + strlen(value) + 1;
	}
	/* nobody reads the launcher's notices */
	SetConfigOption("loadtest.progress_interval", "0", PGC_SUSET, PGC_S_SESSION);
}

/* The run's arguments, read back from their text. */
static void
launcher_fill_arguments(StartRequest *request, FunctionCallInfo fcinfo)
{
	for (int i = 0; i < RUN_ARGUMENTS; i++)
	{
		Oid			input;
		Oid			ioparam;

		fcinfo->args[i].isnull = request->arg_null[i];
		fcinfo->args[i].value = (Datum) 0;
		if (request->arg_null[i])
			continue;
		getTypeInputInfo(run_argument_types[i], &input, &ioparam);
		fcinfo->args[i].value =
			OidInputFunctionCall(input, request->data + request->arg_offset[i],
								 ioparam, -1);
	}
}

/*
 * The launcher: connects as the role that called loadtest_start() and
 * coordinates its run to the end.
 */
void
loadtest_launcher_main(Datum main_arg)
{
	dsm_handle	handle;
	StartRequest *request;

	memcpy(&handle, MyBgworkerEntry->bgw_extra, sizeof(handle));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	launcher_request_segment = dsm_attach(handle);
	if (launcher_request_segment == NULL)
		proc_exit(0);			/* the starter gave up */
	request = dsm_segment_address(launcher_request_segment);
	if (request->magic != START_MAGIC ||
		request->size != dsm_segment_map_length(launcher_request_segment))
		proc_exit(0);
	launcher_request = request;

	BackgroundWorkerInitializeConnectionByOid(request->database_id, request->role_id, 0);
	trust_pin_search_path();
	pgstat_report_appname("loadtest launcher");

	PG_TRY();
	{
		LOCAL_FCINFO(fcinfo, RUN_ARGUMENTS);

		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "loadtest_start(): coordinating the run");
		launcher_apply_settings(request);
		InitFunctionCallInfoData(*fcinfo, NULL, RUN_ARGUMENTS, InvalidOid, NULL, NULL);
		launcher_fill_arguments(request, fcinfo);
		(void) run_load_test(fcinfo, CALLER_LAUNCHER);
		/* it committed once the run had started, unless it ended before */
		if (IsTransactionState())
			CommitTransactionCommand();
	}
	PG_CATCH();
	{
		if (launcher_request != NULL)
			launcher_report_error();
		PG_RE_THROW();
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	proc_exit(0);
}

/*
 * The row of run_id in loadtest.runs as the caller sees it (row-level
 * security: a role its own runs).
 */
static RunRow
read_run_row(int64 run_id)
{
	RunRow		row = {0};
	SpiArgs		args = SPI_ARGS_INIT;
	MemoryContext caller = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	spi_arg(&args, INT8OID, Int64GetDatum(run_id));
	if (spi_execute("SELECT r.status::pg_catalog.text, r.role_name::pg_catalog.text,"
					" r.segment_handle FROM loadtest.runs r"
					" WHERE r.run_id OPERATOR(pg_catalog.=) $1",
					&args, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.runs");
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		value;
		MemoryContext old = MemoryContextSwitchTo(caller);

		row.found = true;
		row.status = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
		row.role_name = TextDatumGetCString(SPI_getbinval(tuple, desc, 2, &isnull));
		value = SPI_getbinval(tuple, desc, 3, &isnull);
		row.has_handle = !isnull;
		row.handle = isnull ? 0 : (dsm_handle) DatumGetInt64(value);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return row;
}

/*
 * loadtest_mark_stale_runs() of the extension's schema, so that a run
 * whose processes died says so.  Called by its OID (the function of no
 * arguments), not by name: an overload someone adds to the schema (the
 * database owner owns public) must not make the call ambiguous.  Not in a
 * read-only transaction or on a standby, which cannot write the mark.
 */
static void
mark_stale_runs(void)
{
	char	   *schema;
	Oid			function;

	if (XactReadOnly || RecoveryInProgress())
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT n.nspname::pg_catalog.text"
					" FROM pg_catalog.pg_extension e, pg_catalog.pg_namespace n"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'loadtest'"
					" AND n.oid OPERATOR(pg_catalog.=) e.extnamespace",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "the loadtest extension is not installed in this database");
	schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	{
		List	   *names = list_make1(makeString(schema));

		names = lappend(names, makeString("loadtest_mark_stale_runs"));
		function = LookupFuncName(names, 0, NULL, false);
	}
	SPI_finish();
	(void) OidFunctionCall0(function);
}

static RunRow
read_visible_run(int64 run_id)
{
	RunRow		row = read_run_row(run_id);

	if (!row.found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no run " INT64_FORMAT " of yours", run_id),
				 errhint("SELECT run_id, status, role_name FROM loadtest.runs ORDER BY run_id DESC; shows the runs you may see.")));
	return row;
}

/*
 * Attach the shared memory of a running run, if it is still there and
 * holds that run: sets *attached when this call attached it (the caller
 * detaches it), or NULL.
 */
static RunState *
attach_running_run(int64 run_id, const RunRow *row, dsm_segment **attached)
{
	dsm_segment *segment;
	RunState   *run;

	*attached = NULL;
	if (!row->found || strcmp(row->status, "running") != 0 || !row->has_handle)
		return NULL;
	segment = dsm_find_mapping(row->handle);
	if (segment == NULL)
	{
		segment = dsm_attach(row->handle);
		if (segment == NULL)
			return NULL;
		*attached = segment;
	}
	run = (RunState *) dsm_segment_address(segment);
	if (dsm_segment_map_length(segment) < sizeof(RunState) ||
		run->magic != LOADTEST_MAGIC || run->layout != LOADTEST_LAYOUT ||
		run->run_id != run_id || run->database_id != MyDatabaseId)
	{
		if (*attached != NULL)
			dsm_detach(*attached);
		*attached = NULL;
		return NULL;
	}
	return run;
}

static bool
run_over(RunState *run)
{
	uint32		state = pg_atomic_read_u32(&run->recorder_state);

	return state == RECORDER_FINISHED || state == RECORDER_FAILED;
}

/*
 * The status the recorder gave the run; else (a recorder that died before
 * it could write one) its row's, once the run is marked stale: at most a
 * few seconds, while the recorder's process goes away.
 */
static char *
final_status(int64 run_id, RunState *run)
{
	TimestampTz start = GetCurrentTimestamp();
	char	   *status;

	pg_read_barrier();
	if (run != NULL && run_over(run) && run->final_status[0] != '\0')
		return pstrdup(run->final_status);
	for (;;)
	{
		mark_stale_runs();
		status = read_visible_run(run_id).status;
		if (strcmp(status, "running") != 0 ||
			TimestampDifferenceExceeds(start, GetCurrentTimestamp(), 5000))
			return status;
		nap(POLL_MS);
	}
}

static int64
required_run_id(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("run_id must not be NULL")));
	return PG_GETARG_INT64(0);
}

static int64
ms_since(TimestampTz since)
{
	return (GetCurrentTimestamp() - since) / 1000;
}

/*
 * loadtest_wait(run_id, timeout_s): wait for a run to end, with progress
 * notices; returns its status ('running' when the timeout passed first).
 * Cancelling the wait does not stop the run.
 */
Datum
loadtest_wait(PG_FUNCTION_ARGS)
{
	static const Oid types[] = {INT8OID, FLOAT8OID};
	int64		run_id;
	double		timeout_s = -1;
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz last_notice = start;
	TimestampTz last_look = start;
	RunRow		row;
	RunState   *run = NULL;
	dsm_segment *attached = NULL;
	char	   *status = NULL;

	check_signature(fcinfo, types, 2, TEXTOID, "loadtest_wait");
	run_id = required_run_id(fcinfo);
	if (!PG_ARGISNULL(1))
	{
		timeout_s = PG_GETARG_FLOAT8(1);
		if (isnan(timeout_s) || timeout_s < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("timeout_s must be a number of seconds >= 0, or NULL to wait for the end")));
	}
	row = read_visible_run(run_id);

	while (status == NULL)
	{
		if (run == NULL)
			run = attach_running_run(run_id, &row, &attached);
		if (strcmp(row.status, "running") != 0)
			status = row.status;
		else if (run != NULL && run_over(run))
			status = final_status(run_id, run);
		else if (timeout_s >= 0 && ms_since(start) >= timeout_s * 1000.0)
			status = pstrdup("running");
		else
		{
			if (run != NULL && loadtest_progress_interval > 0 &&
				ms_since(last_notice) >= loadtest_progress_interval * 1000L)
			{
				RunProgress progress;

				progress_read(run, &progress);
				ereport(NOTICE, (errmsg_internal("%s", progress_text(run, &progress))));
				last_notice = GetCurrentTimestamp();
			}
			/* without its shared memory, the row says when it ends */
			if (run == NULL && ms_since(last_look) >= 1000)
			{
				mark_stale_runs();
				row = read_visible_run(run_id);
				last_look = GetCurrentTimestamp();
				continue;
			}
			nap(POLL_MS);
		}
	}
	if (attached != NULL)
		dsm_detach(attached);
	PG_RETURN_TEXT_P(cstring_to_text(status));
}

/*
 * loadtest_cancel(run_id): stop a running run, started either way (a role
 * its own runs, a superuser any), and wait until its processes are gone;
 * returns its status.  A run already over keeps its status.
 */
Datum
loadtest_cancel(PG_FUNCTION_ARGS)
{
	static const Oid types[] = {INT8OID};
	int64		run_id;
	RunRow		row;
	RunState   *run;
	dsm_segment *attached;
	char	   *me = GetUserNameFromId(GetUserId(), false);
	char	   *status;
	TimestampTz start;

	check_signature(fcinfo, types, 1, TEXTOID, "loadtest_cancel");
	run_id = required_run_id(fcinfo);
	row = read_visible_run(run_id);
	if (strcmp(row.role_name, me) != 0 && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("run " INT64_FORMAT " is not yours to cancel", run_id),
				 errdetail("It was started by role %s.", quote_identifier(row.role_name)),
				 errhint("A role cancels its own runs; a superuser any.")));
	/* a run already over keeps its status */
	if (strcmp(row.status, "running") != 0)
		PG_RETURN_TEXT_P(cstring_to_text(row.status));
	run = attach_running_run(run_id, &row, &attached);
	if (run == NULL)
	{
		/* its processes are gone: it is marked stale */
		PG_RETURN_TEXT_P(cstring_to_text(final_status(run_id, NULL)));
	}

	(void) runstate_request_stop(run, STOP_CANCELLED,
								 psprintf("loadtest_cancel() was called by role %s", me));
	runstate_interrupt_workers(run);

	/*
	 * The recorder ends the run once its workers are gone (it terminates
	 * those that trap the cancel after LOADTEST_STOP_GRACE_MS); then its
	 * coordinator leaves.
	 */
	start = GetCurrentTimestamp();
	while (!(run_over(run) && pg_atomic_read_u32(&run->coordinator_gone) != 0) &&
		   ms_since(start) < CANCEL_WAIT_MS)
	{
		nap(10);
	}
	status = final_status(run_id, run);
	if (attached != NULL)
		dsm_detach(attached);
	PG_RETURN_TEXT_P(cstring_to_text(status));
}

/* The rows of loadtest.progress. */
Datum
loadtest_progress_rows(PG_FUNCTION_ARGS)
{
	static const Oid result_types[] = {
		INT8OID, NAMEOID, TEXTOID, TIMESTAMPTZOID, FLOAT8OID, INT8OID, INT8OID,
		FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT8OID, INT4OID, FLOAT8OID
	};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint64		nrows;
	SPITupleTable *rows;

	check_signature(fcinfo, NULL, 0, RECORDOID, "loadtest.progress_rows");
	InitMaterializedSRF(fcinfo, 0);
	check_result_columns(rsinfo->setDesc, result_types, lengthof(result_types),
						 "loadtest.progress_rows");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT r.run_id, r.role_name, r.pattern, r.started_at, r.segment_handle"
					" FROM loadtest.runs r"
					" WHERE r.status OPERATOR(pg_catalog.=) 'running'::loadtest.run_status"
					" AND r.segment_handle IS NOT NULL ORDER BY r.run_id",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.runs");
	nrows = SPI_processed;
	rows = SPI_tuptable;

	for (uint64 i = 0; i < nrows; i++)
	{
		HeapTuple	tuple = rows->vals[i];
		TupleDesc	desc = rows->tupdesc;
		bool		isnull;
		RunRow		row = {0};
		int64		run_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		dsm_segment *attached;
		RunState   *run;
		RunProgress p;
		Datum		values[14];
		bool		nulls[14] = {0};

		row.found = true;
		row.status = "running";
		row.has_handle = true;
		row.handle = (dsm_handle) DatumGetInt64(SPI_getbinval(tuple, desc, 5, &isnull));
		run = attach_running_run(run_id, &row, &attached);
		if (run == NULL || run_over(run))
		{
			if (attached != NULL)
				dsm_detach(attached);
			continue;			/* gone, or ending */
		}
		progress_read(run, &p);
		if (attached != NULL)
			dsm_detach(attached);

		values[0] = Int64GetDatum(run_id);
		values[1] = SPI_getbinval(tuple, desc, 2, &nulls[1]);
		values[2] = SPI_getbinval(tuple, desc, 3, &nulls[2]);
		values[3] = SPI_getbinval(tuple, desc, 4, &nulls[3]);
		values[4] = Float8GetDatum(p.elapsed_s);
		values[5] = Int64GetDatum((int64) p.ops_done);
		values[6] = Int64GetDatum(p.ops_planned);
		nulls[6] = p.ops_planned < 0;
		values[7] = Float8GetDatum(p.duration_s);
		nulls[7] = p.duration_s < 0;
		values[8] = Float8GetDatum(p.ops_per_s);
		values[9] = Float8GetDatum(p.p50_ms);
		nulls[9] = p.p50_ms < 0;
		values[10] = Float8GetDatum(p.p95_ms);
		nulls[10] = p.p95_ms < 0;
		values[11] = Int64GetDatum((int64) p.errors);
		values[12] = Int32GetDatum(p.users_active);
		values[13] = Float8GetDatum(p.eta_s);
		nulls[13] = p.eta_s < 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
