/*-------------------------------------------------------------------------
 *
 * recorder.c
 *	  The run's recorder: a background worker, connected as the role that
 *	  started the run, that owns the run's rows in the result tables.
 *
 * It learns the workload's facts as the calling role, then, as the owner
 * of the result tables (see trust.c), creates the loadtest.runs row,
 * drains the workers' sample rings into loadtest.samples in batches (see
 * sample_writer.c; one transaction per batch), and when every worker is
 * gone writes loadtest.run_users and the run's final status.  Because it
 * commits on its own, a run's record survives the cancellation or rollback
 * of the call that started it, and no recording work happens in the users'
 * workers.
 *
 * For the whole run it holds a session lock on the extension: DROP
 * EXTENSION waits for it, and the recorder, seeing a waiter, stops the run
 * first.  It also stops the run when the role that started it is dropped.
 * Once the run is stopping, its writes give up after a short lock wait: a
 * locked table must not keep a cancelled run's processes alive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "db_stats.h"
#include "loadtest.h"
#include "memory_trace.h"
#include "plans.h"
#include "progress.h"
#include "runstate.h"
#include "sample_writer.h"
#include "spi_args.h"
#include "summaries.h"
#include "trust.h"
#include "value_sets.h"
#include "wait_sampler.h"
#include "workload.h"

#define FLUSH_INTERVAL_US	250000
#define LOST_START_TIMEOUT_US	10000000
#define WATCH_INTERVAL_MS	1000	/* how often the role's existence is checked */
#define STOPPING_LOCK_TIMEOUT	"200ms" /* lock waits of a stopping run */
#define STOP_WATCH_MS		100 /* how often a lock wait checks for a stop */
#define STOPPED_FOR_DROP	"DROP EXTENSION loadtest was waiting: the run was stopped so that it could go ahead"


static RunState *run;
static RunState *volatile watched_run;	/* recorder_stop_watch's; NULL at exit */
static volatile sig_atomic_t gathering_values;	/* a stop cancels the gathering */
static TimeoutId stop_watch_timeout;
static SampleBatch *batch;
static MemoryContext batch_context;

/* The run's operations, as read from the catalogue when it started. */
static OperationDefinition *definitions;
static WorkloadOperation **workload_ops;	/* parsed, their values attached */
static dsm_segment *values_segment;
static dsm_handle run_segment_handle;	/* the run's segment */

static int64 samples_written;
static int64 samples_dropped;
static int64 last_end_us;
static ErrorData *record_error;	/* the last error of a transaction */
static bool writes_abandoned;	/* stopping, and a write failed: no more */

/*
 * The session lock on the extension (see the file's header).  A
 * transaction's abort releases session locks too (ProcReleaseLocks): the
 * next transaction takes it again, without waiting.
 */
static Oid	extension_id;
static LOCKTAG extension_lock;
static bool extension_lock_wanted;
static bool extension_locked;

static const char *const status_names[] = {
	[STOP_NONE] = "completed",
	[STOP_CANCELLED] = "cancelled",
	[STOP_ABORTED] = "aborted",
	[STOP_FAILED] = "failed",
};

/* A recorder that exits before finishing must not leave anyone waiting. */
static void
recorder_on_exit(int code, Datum arg)
{
	/* the segment is detached after this: the timers must not look at it */
	watched_run = NULL;
	if (stop_watch_timeout != 0)
		disable_timeout(stop_watch_timeout, false);
	wait_sampler_stop();
	/* (an exit in a transaction, terminated, has released it already) */
	if (extension_locked && LockHeldByMe(&extension_lock, AccessShareLock))
		LockRelease(&extension_lock, AccessShareLock, true);
	extension_locked = false;
	if (pg_atomic_read_u32(&run->recorder_state) != RECORDER_FINISHED)
	{
		if (pg_atomic_read_u32(&run->recorder_state) == RECORDER_STARTING)
			strlcpy(run->recorder_error, "the recorder exited while starting",
					sizeof(run->recorder_error));
		pg_atomic_write_u32(&run->recorder_state, RECORDER_FAILED);
		runstate_request_stop(run, STOP_FAILED, "the run's recorder exited");
	}
	runstate_wake_all(run);
}

static void
recorder_handle_interrupts(void)
{
	if (ProcDiePending)
		CHECK_FOR_INTERRUPTS();
	QueryCancelPending = false;
}

/*
 * Every STOP_WATCH_MS, in a signal handler: once the run is stopping, the
 * gathering of the values generators draw from, or a wait for a
 * heavyweight lock (a result or workload table that another
 * session holds) is cancelled, as a cancel request would, so that the
 * recorder stops within a second whatever it waits for; the batch it was
 * writing is counted as lost.  Its other work (a write in progress) goes
 * on.  Transactions started once the run is stopping wait at most
 * STOPPING_LOCK_TIMEOUT anyway.
 */
static volatile int stopping_ticks;	/* of the stop watch, while gathering */

static void
recorder_stop_watch(void)
{
	RunState   *watched = watched_run;

	if (watched != NULL &&
		pg_atomic_read_u32(&watched->stop_reason) != STOP_NONE &&
		(gathering_values || (MyProc->wait_event_info & 0xFF000000) == PG_WAIT_LOCK))
	{
		QueryCancelPending = true;
		InterruptPending = true;
		SetLatch(MyLatch);

		/*
		 * The caller's SQL (a view read for values, a function the planner
		 * evaluates) that traps the cancel for longer than the grace ends
		 * the recorder as a termination would: the run has no row yet,
		 * and whoever stopped it (its caller's session may be gone) must
		 * not find its recorder holding a worker slot and the extension's
		 * lock.
		 */
		if (gathering_values &&
			++stopping_ticks * STOP_WATCH_MS >= LOADTEST_STOP_GRACE_MS)
			ProcDiePending = true;
	}
}

/*
 * Is a process that may drop the extension (its owner, a superuser)
 * waiting for the run's lock on it?  Another role's DROP EXTENSION waits
 * too, for the lock that comes before its ownership check: it must not
 * stop the run.  In a transaction.
 */
static bool
extension_drop_waiting(void)
{
	LockData   *locks = GetLockStatusData();

	for (int i = 0; i < locks->nelements; i++)
	{
		LockInstanceData *lock = &locks->locks[i];
		PGPROC	   *proc;

		if (lock->waitLockMode == NoLock ||
			memcmp(&lock->locktag, &extension_lock, sizeof(LOCKTAG)) != 0)
			continue;
		proc = BackendPidGetProc(lock->pid);
		if (proc != NULL && pg_extension_ownercheck(extension_id, proc->roleId))
			return true;
	}
	return false;
}

/*
 * Take the session lock on the extension again after an abort released
 * it, without waiting: if something that may drop the extension waits for
 * it, the run stops instead.
 */
static void
recorder_relock_extension(void)
{
	if (!extension_lock_wanted || extension_locked)
		return;
	if (LockAcquire(&extension_lock, AccessShareLock, true, true) != LOCKACQUIRE_NOT_AVAIL)
		extension_locked = true;
	else if (extension_drop_waiting())
		runstate_request_stop(run, STOP_ABORTED,
							  STOPPED_FOR_DROP);
}

/*
 * The lock on the extension at the start of a run.  A DROP EXTENSION that
 * waits for the lock (for another run's) would queue this request behind
 * it: if the DROP is its owner's, the run does not start; if it is another
 * role's (it waits before its ownership check, and will fail), the run
 * starts without the lock and takes it once that DROP is gone, rather than
 * wait behind it.  A DROP in progress (holding the lock) is waited for: the
 * extension is going away, and the run's next step says so.
 */
static void
recorder_lock_extension_at_start(void)
{
	VirtualTransactionId *holders;

	if (LockAcquire(&extension_lock, AccessShareLock, true, true) != LOCKACQUIRE_NOT_AVAIL)
	{
		extension_locked = true;
		return;
	}
	if (extension_drop_waiting())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("DROP EXTENSION loadtest is waiting: the run was not started")));
	holders = GetLockConflicts(&extension_lock, AccessShareLock, NULL);
	if (VirtualTransactionIdIsValid(holders[0]))
	{
		(void) LockAcquire(&extension_lock, AccessShareLock, true, false);
		extension_locked = true;
	}
}

/*
 * Run fn in a transaction of its own with SPI connected.  On error, the
 * transaction is rolled back, the message kept in record_error, and false
 * returned: the recorder never exits on an error.
 */
static bool
recorder_transaction(void (*fn) (void), bool as_owner)
{
	MemoryContext context = CurrentMemoryContext;
	volatile bool ok = false;

	PG_TRY();
	{
		ResultsWriter writer;
		int			caller_level = 0;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		recorder_relock_extension();
		if (runstate_stop_reason(run) != STOP_NONE)
			(void) set_config_option("lock_timeout", STOPPING_LOCK_TIMEOUT,
									 PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_LOCAL, true, 0, false);
		if (as_owner)
			trust_become_results_owner(&writer);
		else
		{
			/*
			 * The caller's SQL (views, functions the planner evaluates) may
			 * change settings, even for the session (set_config(..., false)):
			 * every change is undone before the transaction ends, so that
			 * nothing of it outlives the caller's part.
			 */
			caller_level = NewGUCNestLevel();
		}
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		fn();
		if (as_owner)
			trust_restore_user(&writer);
		else
			AtEOXact_GUC(false, caller_level);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		extension_locked = false;	/* released by the abort */
		MemoryContextSwitchTo(context);
		if (record_error != NULL)
			FreeErrorData(record_error);
		record_error = edata;
	}
	PG_END_TRY();
	pgstat_report_stat(false);
	return ok;
}

/*
 * Read the definitions of the run's operations from the catalogue, in the
 * caller's snapshot of it: the run keeps them (loadtest.run_operations),
 * its workers run them, and later changes to the catalogue leave it be.
 */
static void
recorder_read_definitions(void)
{
	RunPatterns *rp = &run->patterns;
	Datum	   *names = palloc(sizeof(Datum) * rp->noperations);
	SpiArgs		args = SPI_ARGS_INIT;
	MemoryContext keep = TopMemoryContext;

	if (!OidIsValid(get_relname_relid("run_operations", get_namespace_oid("loadtest", false))))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the SQL objects of loadtest in this database are older than its library"),
				 errhint("ALTER EXTENSION loadtest UPDATE;")));
	for (int i = 0; i < rp->noperations; i++)
		names[i] = CStringGetTextDatum(rp->operations[i]);
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(names, NULL, rp->noperations, TEXTOID)));
	if (spi_execute("SELECT o.operation, o.kind, o.statements::pg_catalog.text,"
					" o.params::pg_catalog.text, o.variants::pg_catalog.text,"
					" o.builtin::pg_catalog.text, o.owner::pg_catalog.text, o.description,"
					" o.owner_id::pg_catalog.oid::pg_catalog.text"
					" FROM pg_catalog.unnest($1) WITH ORDINALITY AS n(name, position)"
					" JOIN loadtest.operations o ON o.operation OPERATOR(pg_catalog.=) n.name"
					" ORDER BY n.position", &args, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.operations");
	if (SPI_processed != (uint64) rp->noperations)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("an operation of pattern %s was dropped as the run started", run->pattern_name),
				 errhint("Start the run again.")));
	definitions = MemoryContextAllocZero(keep, sizeof(OperationDefinition) * rp->noperations);
	for (int i = 0; i < rp->noperations; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *fields[9];

		for (int f = 0; f < 9; f++)
		{
			char	   *value = SPI_getvalue(row, desc, f + 1);

			fields[f] = value ? MemoryContextStrdup(keep, value) : NULL;
		}
		definitions[i].name = fields[0];
		definitions[i].kind = fields[1];
		definitions[i].statements = fields[2];
		definitions[i].params = fields[3];
		definitions[i].variants = fields[4];
		definitions[i].builtin = strcmp(fields[5], "true") == 0;
		definitions[i].owner = fields[6];
		definitions[i].description = fields[7];
		/* who may have replaced it since the run was requested */
		patterns_check_owner(definitions[i].name, definitions[i].owner,
							 DatumGetObjectId(DirectFunctionCall1(oidin,
																  CStringGetDatum(fields[8]))),
							 definitions[i].builtin);
	}
}

/*
 * value_sets_gather, cancelled if the run stops: reading a table (or a
 * view) can take long, and a stop of the run cancels it whatever it waits
 * for (see recorder_stop_watch).
 */
static Size
recorder_gather_cancellable(WorkloadOperation **ops, int nops, char **buffer)
{
	Size		size = 0;

	gathering_values = true;
	PG_TRY();
	{
		size = value_sets_gather(ops, nops, run->seed, run->hot_rows, buffer);
	}
	PG_FINALLY();
	{
		gathering_values = false;
	}
	PG_END_TRY();
	return size;
}

/*
 * Gather what the run's column and page generators draw from, as the
 * calling role, into a segment of the run that its workers attach.
 */
static void
recorder_gather_values(void)
{
	RunPatterns *rp = &run->patterns;
	WorkloadOperation **ops;
	char	   *buffer;
	Size		size;
	MemoryContext old;

	recorder_read_definitions();
	/* kept for the capture of the plans, in a transaction of its own */
	old = MemoryContextSwitchTo(TopMemoryContext);
	ops = palloc(sizeof(WorkloadOperation *) * rp->noperations);
	for (int i = 0; i < rp->noperations; i++)
		ops[i] = workload_parse(&definitions[i]);
	MemoryContextSwitchTo(old);
	workload_check_run_size(ops, rp->noperations);
	size = recorder_gather_cancellable(ops, rp->noperations, &buffer);
	values_segment = dsm_create(size, 0);
	dsm_pin_mapping(values_segment);
	memcpy(dsm_segment_address(values_segment), buffer, size);
	run->values_size = size;
	run->values_handle = dsm_segment_handle(values_segment);
	old = MemoryContextSwitchTo(TopMemoryContext);
	value_sets_attach(ops, rp->noperations, dsm_segment_address(values_segment), size);
	MemoryContextSwitchTo(old);
	workload_ops = ops;
}

/*
 * Explain the run's statements as the calling role (plans.c), cancelled if
 * the run stops, as the gathering of values is.
 */
static void
recorder_capture_plans(void)
{
	gathering_values = true;
	PG_TRY();
	{
		plans_capture(run, workload_ops, run->patterns.noperations);
	}
	PG_FINALLY();
	{
		gathering_values = false;
	}
	PG_END_TRY();
}

/*
 * Lock the extension for the run (see the file's header), check the
 * workload and learn its facts: as the calling role, which is the role
 * that reads the workload's data.
 */
static void
recorder_learn_workload(void)
{
	extension_id = get_extension_oid("loadtest", false);
	SET_LOCKTAG_OBJECT(extension_lock, MyDatabaseId, ExtensionRelationId,
					   extension_id, 0);
	extension_lock_wanted = true;
	recorder_lock_extension_at_start();

	/*
	 * The caller's session was checked, but the run's processes get the
	 * database's and role's own settings.
	 */
	if (DefaultXactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run a load test in a read-only transaction"),
				 errdetail("Sessions of this role in this database start read-only (default_transaction_read_only), and so would the simulated users."),
				 errhint("Check ALTER DATABASE ... SET and ALTER ROLE ... SET for default_transaction_read_only.")));
	recorder_gather_values();
}

/* The stages as the report reads them: kind, targets, times. */
static char *
recorder_stages_json(void)
{
	StringInfoData stages;
	double		from = 0;
	int64		start_us = 0;

	initStringInfo(&stages);
	appendStringInfoChar(&stages, '[');
	for (int i = 0; i < run->nstages; i++)
	{
		appendStringInfo(&stages,
						 "%s{\"stage\": %d, \"kind\": \"%s\", \"from\": %s, \"to\": %s,"
						 " \"start_s\": %.6f, \"end_s\": %.6f}",
						 i > 0 ? ", " : "", i + 1,
						 run->shape.load == LOAD_STAGED_RATE ? "rate" : "users", loadtest_format_float8(from),
						 loadtest_format_float8(run->stages[i].target), start_us / 1e6,
						 run->stages[i].end_us / 1e6);
		from = run->stages[i].target;
		start_us = run->stages[i].end_us;
	}
	appendStringInfoChar(&stages, ']');
	return stages.data;
}

/*
 * Keep the run's operations and patterns with the run, as they were when
 * it started: the report of the run reads these, whatever happens to the
 * catalogue later.
 */
static void
recorder_keep_definitions(void)
{
	RunPatterns *rp = &run->patterns;
	int			counts[LOADTEST_MAX_RUN_PATTERNS];

	for (int i = 0; i < rp->noperations; i++)
	{
		const OperationDefinition *def = &definitions[i];
		SpiArgs		args = SPI_ARGS_INIT;

		spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
		spi_arg(&args, INT2OID, Int16GetDatum(i));
		spi_arg_text(&args, def->name);
		spi_arg_text(&args, def->kind);
		spi_arg_text(&args, def->statements);
		spi_arg_text(&args, def->params);
		spi_arg_text(&args, def->variants);
		spi_arg(&args, BOOLOID, BoolGetDatum(def->builtin));
		spi_arg_text(&args, def->owner);
		spi_arg_text(&args, def->description);
		if (spi_execute("INSERT INTO loadtest.run_operations (run_id, operation_no, operation,"
						" kind, statements, params, variants, builtin, owner, description)"
						" VALUES ($1, $2, $3, $4, $5::pg_catalog.text[], $6::pg_catalog.jsonb,"
						" $7::pg_catalog.jsonb, $8, $9::pg_catalog.name, $10)",
						&args, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the run's operations");
	}
	patterns_distribute(rp, run->nusers, counts);
	for (int p = 0; p < rp->npatterns; p++)
	{
		SpiArgs		args = SPI_ARGS_INIT;
		StringInfoData weights;
		bool		first = true;

		initStringInfo(&weights);
		appendStringInfoChar(&weights, '{');
		for (int o = 0; o < rp->noperations; o++)
		{
			double		w = patterns_weight(rp, p, o);

			if (w <= 0)
				continue;
			appendStringInfo(&weights, "%s\"%s\": %s", first ? "" : ", ",
							 rp->operations[o], loadtest_format_float8(w));
			first = false;
		}
		appendStringInfoChar(&weights, '}');
		spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
		spi_arg(&args, INT2OID, Int16GetDatum(p));
		spi_arg_text(&args, rp->patterns[p]);
		spi_arg_text(&args, weights.data);
		spi_arg(&args, INT4OID, Int32GetDatum(counts[p]));
		if (spi_execute("INSERT INTO loadtest.run_patterns (run_id, pattern_no, pattern,"
						" weights, users) VALUES ($1, $2, $3, $4::pg_catalog.jsonb, $5)",
						&args, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the run's patterns");
	}
}

/*
 * Allocate the run id and create the runs row, recording the calling role;
 * look up the types the sample INSERT needs.  As the results' owner.
 */
static void
recorder_create_run(void)
{
	SpiArgs		args = SPI_ARGS_INIT;
	int			rc;
	bool		isnull;
	NameData	role_name;

	if (runstate_stop_reason(run) != STOP_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("the run was cancelled before it started")));
	rc = SPI_execute("SELECT pg_catalog.nextval('loadtest.run_id_seq')", false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not allocate a run id: %s", SPI_result_code_string(rc));
	run->run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1, &isnull));

	namestrcpy(&role_name, GetUserNameFromId(run->role_id, false));
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));	/* run_id */
	spi_arg(&args, INT4OID, Int32GetDatum(run->nusers));	/* users */
	spi_arg(&args, INT4OID, Int32GetDatum(run->ops_per_user));
	spi_arg_text(&args, run->pattern_name);
	spi_arg(&args, INT4OID, Int32GetDatum(run->think_time_ms));
	spi_arg(&args, FLOAT8OID, Float8GetDatum(run->ramp_up_us / 1000000.0));
	spi_arg(&args, BOOLOID, BoolGetDatum(run->forced));
	spi_arg(&args, INT4OID, Int32GetDatum(run->nworkers));
	spi_arg(&args, INT8OID, Int64GetDatum((int64) run->seed));
	spi_arg(&args, INT4OID, Int32GetDatum(run->op_timeout_ms));
	spi_arg_text(&args, run->environment);
	spi_arg(&args, INT4OID, Int32GetDatum(MyProcPid));	/* recorder_pid */
	/* the bare loop (loadtest.instrument = off) records no samples either */
	spi_arg(&args, BOOLOID, BoolGetDatum(run->record_samples && run->instrument));
	spi_arg_text(&args, loadtest_isolation_name(run->isolation));
	spi_arg(&args, INT4OID, Int32GetDatum(run->max_tries));
	spi_arg(&args, INT4OID, Int32GetDatum(run->hot_rows));
	if (run->pool_size > 0)
		spi_arg(&args, INT4OID, Int32GetDatum(run->nworkers));
	else
		spi_arg_null(&args, INT4OID);
	if (run->shape.bound == BOUND_DURATION)
		spi_arg(&args, FLOAT8OID, Float8GetDatum(run->deadline_us / 1000000.0));
	else
		spi_arg_null(&args, FLOAT8OID);
	if (run->shape.service == SERVICE_ARRIVALS)
		spi_arg(&args, FLOAT8OID, Float8GetDatum(run->rate));
	else
		spi_arg_null(&args, FLOAT8OID);
	spi_arg_text(&args, run->shape.load != LOAD_RAMP ? recorder_stages_json() : NULL);
	spi_arg(&args, NAMEOID, NameGetDatum(&role_name));
	spi_arg_text(&args, run->samples_text);
	spi_arg(&args, INT4OID, Int32GetDatum(run->wait_sample_interval_ms));
	/* loadtest.progress and loadtest_cancel() attach it by this */
	spi_arg(&args, INT8OID, Int64GetDatum((int64) run_segment_handle));
	rc = spi_execute("INSERT INTO loadtest.runs (run_id, users,"
					 " ops_per_user, pattern, think_time_ms, ramp_up_s,"
					 " forced, workers, seed, op_timeout_ms, environment,"
					 " recorder_pid, samples_recorded, isolation, max_tries,"
					 " hot_rows, pool_size, duration_limit_s, rate, stages,"
					 " role_name, samples, wait_sample_interval_ms,"
					 " segment_handle)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
					 " $11, $12, $13, $14, $15, $16, $17, $18, $19,"
					 " $20::pg_catalog.jsonb, $21, $22, $23, $24)", &args, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not create the run: %s", SPI_result_code_string(rc));
	recorder_keep_definitions();
	plans_keep(run);
	{
		int			nrelations;
		Oid		   *relations = plans_relations(&nrelations);

		db_stats_start(relations, nrelations);
	}
	sample_writer_prepare();
}

/*
 * Write the batch, in the recorder's transaction.  The transaction commits
 * without waiting for its WAL to reach disk (synchronous_commit = off for
 * it alone): the recorder keeps draining instead of waiting, and adds no
 * WAL flushes of its own to the workload's.  A crash can lose the last
 * batches of a run, but it also ends the run, and the run's status says
 * so; the run's final status is committed as the session's setting asks.
 */
static void
recorder_insert_batch(void)
{
	(void) set_config_option("synchronous_commit", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	sample_writer_insert(batch, run->run_id);
}

static void
recorder_flush(void)
{
	if (batch->n == 0)
		return;
	if (!writes_abandoned && recorder_transaction(recorder_insert_batch, true))
		samples_written += batch->n;
	else
	{
		samples_dropped += batch->n;
		if (!writes_abandoned)
		{
			ereport(WARNING,
					(errmsg("loadtest run " INT64_FORMAT ": could not record %d samples: %s",
							run->run_id, batch->n,
							record_error->sqlerrcode == ERRCODE_QUERY_CANCELED &&
							runstate_stop_reason(run) != STOP_NONE ?
							"the run was stopping and loadtest.samples was locked by another session" :
							record_error->message)));
			/* a stopping run does not wait for its writes any longer */
			if (!runstate_request_stop(run, STOP_FAILED, record_error->message))
				writes_abandoned = true;
		}
	}
	batch->n = 0;
	MemoryContextReset(batch_context);
}

/*
 * Does loadtest.sample_log keep this attempt (samples => ...)?  A fraction
 * keeps the attempts whose hash (user, operation number, the run's seed)
 * falls below it: the same ones for the same seed.
 */
static bool
recorder_keeps_row(const SampleRecord *s)
{
	int32		key[2];

	switch (run->samples_kept)
	{
		case SAMPLES_ALL:
			return true;
		case SAMPLES_ERRORS:
			return s->sqlerrcode != 0;
		case SAMPLES_NONE:
			return false;
		case SAMPLES_FRACTION:
			break;
	}
	key[0] = s->user_no;
	key[1] = s->op_no;
	return (double) (hash_bytes_extended((const unsigned char *) key, sizeof(key),
										 run->seed) >> 11) *
		(1.0 / (double) (UINT64CONST(1) << 53)) < run->samples_fraction;
}

/*
 * Move what the rings hold into the summaries, and the attempts that
 * sample_log keeps into the batch; returns how many were moved.
 */
static int
recorder_drain(void)
{
	int			moved = 0;
	MemoryContext old = MemoryContextSwitchTo(batch_context);

	for (int w = 0; w < run->nworkers && batch->n < SAMPLE_BATCH_MAX; w++)
	{
		SampleRing *ring = runstate_ring(run, w);
		uint64		tail = pg_atomic_read_u64(&ring->tail);
		uint64		head = pg_atomic_read_u64(&ring->head);
		uint64		msg_tail = pg_atomic_read_u64(&ring->msg_tail);

		pg_read_barrier();

		/*
		 * A ring claiming more samples than it holds is corrupt: never read
		 * garbage, stop the run instead.
		 */
		if (head - tail > ring->capacity)
		{
			runstate_request_stop(run, STOP_FAILED, "a sample ring of the run is corrupt");
			samples_dropped += head - tail;
			pg_atomic_write_u64(&ring->tail, head);
			continue;
		}
		for (; tail < head && batch->n < SAMPLE_BATCH_MAX; tail++)
		{
			SampleRecord *s = &ring->samples[tail & (ring->capacity - 1)];
			const char *message = NULL;
			int			i;

			if (s->pattern < 0 || s->pattern >= run->patterns.npatterns ||
				s->operation < 0 || s->operation >= run->patterns.noperations ||
				s->user_no < 1 || s->user_no > run->nusers)
			{
				samples_dropped++;
				continue;
			}
			if (s->sqlerrcode != 0)
			{
				/* kept for the summaries: the ring may reuse its place */
				message = pstrdup(ring->messages[msg_tail % LOADTEST_RING_MESSAGES]);
				msg_tail++;
			}
			summaries_add(s, message);
			progress_note_attempt(run, s->start_us + s->latency_us, s->latency_us,
								  s->sqlerrcode != 0);
			last_end_us = Max(last_end_us, s->start_us + s->latency_us);
			moved++;
			if (!recorder_keeps_row(s))
				continue;
			i = batch->n++;

			batch->user_no[i] = Int32GetDatum(s->user_no);
			batch->op_no[i] = Int32GetDatum(s->op_no);
			batch->pattern[i] = Int16GetDatum(s->pattern);
			batch->operation[i] = Int16GetDatum(s->operation);
			batch->start_us[i] = Int64GetDatum(s->start_us);
			batch->latency_us[i] = Int64GetDatum(s->latency_us);
			batch->wait_us[i] = Int64GetDatum(s->wait_us);
			batch->success[i] = BoolGetDatum(s->sqlerrcode == 0);
			batch->tries[i] = Int16GetDatum(s->tries);
			batch->sqlstate_null[i] = batch->message_null[i] = (s->sqlerrcode == 0);
			if (s->sqlerrcode != 0)
			{
				batch->sqlstate[i] =
					CStringGetTextDatum(unpack_sql_state(s->sqlerrcode));
				batch->message[i] = CStringGetTextDatum(message);
			}
		}
		if (tail == pg_atomic_read_u64(&ring->tail))
			continue;
		/* the samples are read before the worker may overwrite them */
		pg_memory_barrier();
		pg_atomic_write_u64(&ring->msg_tail, msg_tail);
		pg_atomic_write_u64(&ring->tail, tail);
		/* a worker waiting for room must not sleep out its timeout */
		pg_memory_barrier();
		if (pg_atomic_read_u32(&ring->writer_waiting) != 0)
		{
			pg_atomic_write_u32(&ring->writer_waiting, 0);
			runstate_wake(runstate_slot(run, w)->pgprocno);
		}
	}
	MemoryContextSwitchTo(old);
	return moved;
}

/*
 * Have all the workers the coordinator launched exited?  A worker that
 * never started is counted as gone once the coordinator has marked it so,
 * or, when the coordinator itself is gone, after a grace period.
 */
static bool
recorder_workers_gone(TimestampTz *coordinator_gone_since)
{
	if (!pg_atomic_read_u32(&run->launch_complete))
	{
		if (!pg_atomic_read_u32(&run->coordinator_gone))
			return false;
		/* the coordinator left while launching: only launched slots count */
	}
	if (pg_atomic_read_u32(&run->coordinator_gone) && *coordinator_gone_since == 0)
		*coordinator_gone_since = GetCurrentTimestamp();
	/* workers_launched and the slots are read after those flags */
	pg_read_barrier();

	for (int w = 0; w < run->workers_launched; w++)
	{
		uint32		state = pg_atomic_read_u32(&runstate_slot(run, w)->state);

		if (state == SLOT_EXITED)
			continue;
		if (state == SLOT_NOT_STARTED && *coordinator_gone_since != 0 &&
			TimestampDifferenceExceeds(*coordinator_gone_since,
									   GetCurrentTimestamp(),
									   LOST_START_TIMEOUT_US / 1000))
			continue;
		return false;
	}
	pg_read_barrier();
	return true;
}

/*
 * Arrivals of a rate run that were due before its end but never started
 * (k6's dropped iterations): the run's processes start no operation after
 * its end.  Arrival times only grow with k: search for the first arrival
 * due at or after the end.
 */
static int64
recorder_arrivals_dropped(int64 arrivals_done)
{
	uint64		low = 0;
	uint64		high = 1;

	if (run->shape.service != SERVICE_ARRIVALS || run->shape.bound == BOUND_OPS)
		return 0;
	while (arrival_time_us(run, high) < run->deadline_us && high < (UINT64CONST(1) << 50))
		high <<= 1;
	while (low < high)
	{
		uint64		mid = low + (high - low) / 2;

		if (arrival_time_us(run, mid) < run->deadline_us)
			low = mid + 1;
		else
			high = mid;
	}
	return Max((int64) low - arrivals_done, 0);
}

/* Write the final status of the run, then its run_users. */
static void
recorder_finish_run(void)
{
	int			n = run->nusers;
	Datum	   *user_no = palloc(sizeof(Datum) * n);
	Datum	   *pattern = palloc(sizeof(Datum) * n);
	Datum	   *operation = palloc(sizeof(Datum) * n);
	bool	   *operation_null = palloc(sizeof(bool) * n);
	Datum	   *planned = palloc(sizeof(Datum) * n);
	bool	   *planned_null = palloc(sizeof(bool) * n);
	Datum	   *done = palloc(sizeof(Datum) * n);
	Datum	   *lost = palloc(sizeof(Datum) * n);
	Datum	   *errors = palloc(sizeof(Datum) * n);
	Datum	   *latency_sum = palloc(sizeof(Datum) * n);
	Datum	   *latency_p95 = palloc(sizeof(Datum) * n);
	bool	   *latency_null = palloc(sizeof(bool) * n);
	int			users_lost = 0;
	int64		ops_not_done = 0;
	int64		arrivals_done = 0;
	RunStopReason reason = runstate_stop_reason(run);
	SpiArgs		args = SPI_ARGS_INIT;
	SpiArgs		user_args = SPI_ARGS_INIT;
	int64		samples_lost = samples_dropped +
		(int64) pg_atomic_read_u64(&run->samples_lost);
	int			rc;

	for (int i = 0; i < n; i++)
	{
		VirtualUser *u = runstate_user(run, i);

		user_no[i] = Int32GetDatum(u->user_no);
		pattern[i] = CStringGetTextDatum(run->patterns.patterns[u->pattern]);
		operation_null[i] = strcmp(run->patterns.patterns[u->pattern], SINGLE_OPERATION_PATTERN) != 0;
		operation[i] = CStringGetTextDatum(run->patterns.operations[0]);
		planned[i] = Int32GetDatum(u->ops_planned);
		/* time-bound and rate runs plan no operations per user */
		planned_null[i] = run->shape.bound == BOUND_DURATION || run->shape.service == SERVICE_ARRIVALS;
		done[i] = Int32GetDatum(u->ops_done);
		/*
		 * Every worker is gone.  A user that did not finish while the run
		 * went on lost its worker (or never got one).
		 */
		u->lost = (reason == STOP_NONE && !u->finished);
		lost[i] = BoolGetDatum(u->lost);
		if (u->lost)
		{
			users_lost++;
			if (run->shape.bound == BOUND_OPS)
				ops_not_done += u->ops_planned - u->ops_done;
		}
		arrivals_done += u->ops_done;
		{
			UserFigures figures;

			summaries_user(i, &figures);
			errors[i] = Int64GetDatum(figures.errors);
			latency_sum[i] = Float8GetDatum(figures.latency_sum_us);
			latency_p95[i] = Float8GetDatum(figures.latency_p95_us);
			latency_null[i] = figures.latency_p95_us < 0;
		}
	}
	/* a rate run that went on but did not get through its arrivals */
	if (run->shape.service == SERVICE_ARRIVALS && run->total_arrivals > 0 && reason == STOP_NONE &&
		arrivals_done < run->total_arrivals)
		ops_not_done = run->total_arrivals - arrivals_done;

	strlcpy(run->final_status, status_names[reason], sizeof(run->final_status));
	if (last_end_us == 0 && pg_atomic_read_u32(&run->started))
	{
		instr_time	now;

		/* nothing recorded: the run lasted until now */
		INSTR_TIME_SET_CURRENT(now);
		last_end_us = runstate_elapsed_us(run, now);
	}
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg_text(&args, run->final_status);
	spi_arg(&args, FLOAT8OID, Float8GetDatum(last_end_us / 1000000.0));	/* duration_s */
	spi_arg(&args, INT4OID, Int32GetDatum(users_lost));
	spi_arg(&args, INT8OID, Int64GetDatum(ops_not_done));
	if (samples_lost > 0)		/* message */
		spi_arg_text(&args, psprintf("%s%s" INT64_FORMAT " attempted operations could not be recorded",
									 run->stop_message,
									 run->stop_message[0] ? "; " : "",
									 samples_lost));
	else
		spi_arg_text(&args, run->stop_message[0] != '\0' ? run->stop_message : NULL);
	spi_arg(&args, INT8OID, Int64GetDatum(recorder_arrivals_dropped(arrivals_done)));
	spi_arg(&args, INT8OID, Int64GetDatum(samples_lost));
	rc = spi_execute("UPDATE loadtest.runs SET status = $2::loadtest.run_status,"
					 " ended_at = pg_catalog.clock_timestamp(), duration_s = $3,"
					 " users_lost = $4, ops_not_done = $5, message = $6,"
					 " arrivals_dropped = $7, samples_lost = $8,"
					 " segment_handle = NULL"
					 " WHERE run_id OPERATOR(pg_catalog.=) $1",
					 &args, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "could not record the end of the run: %s",
			 SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("the run's row in loadtest.runs was removed during the run"),
				 errdetail("A DELETE or TRUNCATE of loadtest.runs removed it; the samples recorded for the run were removed as well.")));

	{
		spi_arg(&user_args, INT8OID, Int64GetDatum(run->run_id));
		spi_arg(&user_args, INT4ARRAYOID, PointerGetDatum(datum_array(user_no, NULL, n, INT4OID)));
		spi_arg(&user_args, TEXTARRAYOID, PointerGetDatum(datum_array(pattern, NULL, n, TEXTOID)));
		spi_arg(&user_args, TEXTARRAYOID, PointerGetDatum(datum_array(operation, operation_null, n, TEXTOID)));
		spi_arg(&user_args, INT4ARRAYOID, PointerGetDatum(datum_array(planned, planned_null, n, INT4OID)));
		spi_arg(&user_args, INT4ARRAYOID, PointerGetDatum(datum_array(done, NULL, n, INT4OID)));
		spi_arg(&user_args, BOOLARRAYOID, PointerGetDatum(datum_array(lost, NULL, n, BOOLOID)));
		spi_arg(&user_args, INT8ARRAYOID, PointerGetDatum(datum_array(errors, NULL, n, INT8OID)));
		spi_arg(&user_args, FLOAT8ARRAYOID, PointerGetDatum(datum_array(latency_sum, NULL, n, FLOAT8OID)));
		spi_arg(&user_args, FLOAT8ARRAYOID, PointerGetDatum(datum_array(latency_p95, latency_null, n, FLOAT8OID)));
		rc = spi_execute("INSERT INTO loadtest.run_users (run_id, user_no,"
						 " pattern, operation, ops_planned, ops_done, lost,"
						 " errors, latency_sum_us, latency_p95_us)"
						 " SELECT $1, u.* FROM ROWS FROM ("
						 UNNEST(2) ", " UNNEST(3) ", " UNNEST(4) ", "
						 UNNEST(5) ", " UNNEST(6) ", " UNNEST(7) ", "
						 UNNEST(8) ", " UNNEST(9) ", " UNNEST(10) ") AS u",
						 &user_args, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "could not record the run's users: %s",
				 SPI_result_code_string(rc));
	}

	/* the run's evidence, every worker gone */
	summaries_write();
	wait_sampler_write();
	memory_trace_write();
	db_stats_write_changes(run);

}

/* The samples of a run whose row is gone must not outlive it. */
static void
recorder_remove_orphans(void)
{
	SpiArgs		args = SPI_ARGS_INIT;

	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	(void) spi_execute("DELETE FROM loadtest.sample_log"
					   " WHERE run_id OPERATOR(pg_catalog.=) $1", &args, false, 0);
}

/*
 * The end could not be recorded in full: mark the run failed with the
 * reason, if its row can still be written.
 */
static char *fallback_message;

static void
recorder_mark_failed(void)
{
	SpiArgs		args = SPI_ARGS_INIT;

	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg_text(&args, fallback_message);
	(void) spi_execute("UPDATE loadtest.runs SET status = 'failed',"
					   " ended_at = pg_catalog.clock_timestamp(), message = $2,"
					   " segment_handle = NULL"
					   " WHERE run_id OPERATOR(pg_catalog.=) $1", &args, false, 0);
	if (SPI_processed == 1)
		strlcpy(run->final_status, "failed", sizeof(run->final_status));
}

/*
 * Record the end of the run.  When that fails, say why to the coordinator
 * (recorder_error), and leave the run marked failed where its row can
 * still be written; a run whose row was removed leaves no samples behind.
 */
static void
recorder_record_end(void)
{
	if (recorder_transaction(recorder_finish_run, true))
		return;
	run->final_status[0] = '\0';
	strlcpy(run->recorder_error, record_error->message, sizeof(run->recorder_error));
	if (record_error->sqlerrcode == ERRCODE_NO_DATA_FOUND)
	{
		(void) recorder_transaction(recorder_remove_orphans, true);
		return;
	}
	fallback_message = psprintf("the end of the run could not be recorded: %s",
								record_error->message);
	(void) recorder_transaction(recorder_mark_failed, true);
}

/*
 * Is something that may drop the extension waiting for the recorder's
 * session lock?  Then the run stops first.  Is the role that started the
 * run gone?  Then the run cannot go on.  In a transaction of the
 * recorder's (recorder_watch).
 */
static void
recorder_check_watch(void)
{
	if (extension_locked &&
		LockHasWaiters(&extension_lock, AccessShareLock, true) &&
		extension_drop_waiting())
		runstate_request_stop(run, STOP_ABORTED, STOPPED_FOR_DROP);
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(run->role_id)))
		runstate_request_stop(run, STOP_FAILED,
							  "the role that started the run was dropped during the run");
}

/*
 * This process's statistics into the shared ones, so that a reading of
 * them holds what it did (outside any transaction: pgstat_report_stat
 * must not run inside one).  Returns true, for use in a condition.
 */
static bool
recorder_flush_own_stats(void)
{
	pgstat_report_stat(true);
	return true;
}

/*
 * Once a second once the run has started: the database's commits and the
 * server's WAL bytes, for the timeline (summaries_note_counters).
 */
static void
recorder_note_counters(TimestampTz *last)
{
	int64		commits;
	uint64		wal_bytes;
	instr_time	now;

	if (!pg_atomic_read_u32(&run->started) ||
		!TimestampDifferenceExceeds(*last, GetCurrentTimestamp(), 1000))
		return;
	*last = GetCurrentTimestamp();
	pg_read_barrier();
	if (!db_stats_counters(&commits, &wal_bytes))
		return;
	INSTR_TIME_SET_CURRENT(now);
	summaries_note_counters(runstate_elapsed_us(run, now), commits, wal_bytes);
}

/*
 * Once the run has been stopping for longer than the grace: a worker still
 * there runs SQL that traps the cancel (its caller's session, which
 * terminates such workers when its call is cancelled, may be gone: a
 * terminated backend, a lost client).  It is terminated (SIGTERM, as
 * pg_terminate_backend does), once.
 */
static void
recorder_end_stuck_workers(TimestampTz *stop_seen, bool *signalled)
{
	if (runstate_stop_reason(run) == STOP_NONE)
		return;
	if (*stop_seen == 0)
	{
		*stop_seen = GetCurrentTimestamp();
		return;
	}
	if (!TimestampDifferenceExceeds(*stop_seen, GetCurrentTimestamp(), LOADTEST_STOP_GRACE_MS))
		return;
	pg_read_barrier();
	for (int w = 0; w < run->workers_launched; w++)
	{
		WorkerSlot *slot = runstate_slot(run, w);
		uint32		state = pg_atomic_read_u32(&slot->state);

		if (signalled[w] || slot->pid <= 0 ||
			(state != SLOT_ATTACHED && state != SLOT_RUNNING))
			continue;
		(void) kill(slot->pid, SIGTERM);
		signalled[w] = true;
	}
}

/* Once a second while the run goes on: recorder_check_watch. */
static void
recorder_watch(TimestampTz *last_watch)
{
	if (runstate_stop_reason(run) != STOP_NONE ||
		!TimestampDifferenceExceeds(*last_watch, GetCurrentTimestamp(),
									WATCH_INTERVAL_MS))
		return;
	*last_watch = GetCurrentTimestamp();
	(void) recorder_transaction(recorder_check_watch, false);
}

/* Entry point of the recorder worker. */
void
loadtest_recorder_main(Datum main_arg)
{
	dsm_handle	handle;
	dsm_segment *segment;
	TimestampTz last_flush = GetCurrentTimestamp();
	TimestampTz coordinator_gone_since = 0;
	TimestampTz last_watch = GetCurrentTimestamp();
	TimestampTz last_counters = 0;
	TimestampTz stop_seen = 0;
	bool	   *signalled;
	char		appname[NAMEDATALEN];

	memcpy(&handle, MyBgworkerEntry->bgw_extra, sizeof(handle));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	segment = dsm_attach(handle);
	if (segment == NULL)
		proc_exit(0);
	run_segment_handle = handle;
	run = runstate_attach(segment);
	if (run == NULL)
		proc_exit(0);
	run->recorder_pgprocno = MyProc->pgprocno;
	before_shmem_exit(recorder_on_exit, (Datum) 0);

	BackgroundWorkerInitializeConnectionByOid(run->database_id, run->role_id, 0);
	watched_run = run;
	stop_watch_timeout = RegisterTimeout(USER_TIMEOUT, recorder_stop_watch);
	enable_timeout_every(stop_watch_timeout,
						 TimestampTzPlusMilliseconds(GetCurrentTimestamp(), STOP_WATCH_MS),
						 STOP_WATCH_MS);
	trust_pin_search_path();
	/* the results are written whatever lock_timeout the database sets */
	SetConfigOption("lock_timeout", "0", PGC_USERSET, PGC_S_SESSION);

	batch = MemoryContextAllocZero(TopMemoryContext, sizeof(SampleBatch));
	batch_context = AllocSetContextCreate(TopMemoryContext, "loadtest samples",
										  ALLOCSET_DEFAULT_SIZES);

	if (!recorder_transaction(recorder_learn_workload, false) ||
		!recorder_transaction(recorder_capture_plans, false) ||
		!recorder_flush_own_stats() ||
		!recorder_transaction(recorder_create_run, true))
	{
		/* hand the error to the coordinator, which raises it */
		run->recorder_sqlerrcode = record_error->sqlerrcode;
		strlcpy(run->recorder_error, record_error->message,
				sizeof(run->recorder_error));
		if (record_error->detail)
			strlcpy(run->recorder_detail, record_error->detail,
					sizeof(run->recorder_detail));
		if (record_error->hint)
			strlcpy(run->recorder_hint, record_error->hint,
					sizeof(run->recorder_hint));
		pg_write_barrier();
		pg_atomic_write_u32(&run->recorder_state, RECORDER_FAILED);
		runstate_wake(run->coordinator_pgprocno);
		proc_exit(0);
	}
	snprintf(appname, sizeof(appname), "loadtest run " INT64_FORMAT " recorder",
			 run->run_id);
	SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
	signalled = MemoryContextAllocZero(TopMemoryContext, sizeof(bool) * run->nworkers);
	summaries_init(run);
	memory_trace_init(run);
	wait_sampler_start(run);
	pg_write_barrier();
	pg_atomic_write_u32(&run->recorder_state, RECORDER_READY);
	runstate_wake(run->coordinator_pgprocno);

	for (;;)
	{
		bool		gone;
		int			moved;

		recorder_watch(&last_watch);
		recorder_note_counters(&last_counters);
		recorder_end_stuck_workers(&stop_seen, signalled);
		gone = recorder_workers_gone(&coordinator_gone_since);
		moved = recorder_drain();
		memory_trace_poll();
		if (batch->n == 0)
			MemoryContextReset(batch_context);	/* messages of attempts not kept */
		if (summaries_seconds_full())
			(void) recorder_transaction(summaries_write_seconds, true);

		if (batch->n >= SAMPLE_BATCH_MAX ||
			(batch->n > 0 &&
			 (gone || TimestampDifferenceExceeds(last_flush, GetCurrentTimestamp(),
												 FLUSH_INTERVAL_US / 1000))))
		{
			recorder_flush();
			last_flush = GetCurrentTimestamp();
		}
		if (gone && moved == 0 && batch->n == 0)
			break;
		if (moved == 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 100, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
		recorder_handle_interrupts();
	}

	wait_sampler_stop();
	(void) recorder_flush_own_stats();
	recorder_record_end();
	extension_lock_wanted = false;
	if (extension_locked)
	{
		LockRelease(&extension_lock, AccessShareLock, true);
		extension_locked = false;
	}
	pg_write_barrier();
	pg_atomic_write_u32(&run->recorder_state, RECORDER_FINISHED);
	runstate_wake(run->coordinator_pgprocno);
	proc_exit(0);
}
