/*-------------------------------------------------------------------------
 *
 * coordinator.c
 *	  loadtest_run(): check the request, launch the run's recorder and user
 *	  workers, report progress, and wait for the run to end.
 *
 * Everything that can be checked is checked before anything starts.  The
 * coordinator writes nothing itself: the recorder worker owns the run's
 * rows, so a cancelled or rolled-back call still leaves a complete record.
 *
 * The run's processes are tied to the coordinator through its dynamic
 * shared memory segment: when the coordinator detaches (normal return,
 * error, cancellation or backend exit alike) a callback tells them to stop.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <signal.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/autovacuum.h"
#include "postmaster/bgworker.h"
#include "port/pg_bitutils.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "loadtest.h"
#include "coordinator.h"
#include "progress.h"
#include "run_request.h"
#include "runstate.h"
#include "trust.h"

/*
 * From libpq/libpq.h (PostgreSQL 14 and later), which cannot be included
 * without the GSSAPI headers that libpq-be.h pulls in.
 */
extern bool pq_check_connection(void);

PG_FUNCTION_INFO_V1(loadtest_run);
PG_FUNCTION_INFO_V1(loadtest_run_procedure);
PG_FUNCTION_INFO_V1(loadtest_pattern_distribution);
PG_FUNCTION_INFO_V1(loadtest_free_worker_slots);

#define CANCEL_GRACE_MS		LOADTEST_STOP_GRACE_MS	/* how long a cancelled call waits */
#define HANDLE_CHECK_US		1000000 /* how often launched workers are checked */
#define LAUNCH_LEAD_US		300000	/* a worker starts this long before it is due */


/* The coordinator's view of a launched run. */
typedef struct Launch
{
	dsm_segment *segment;
	RunState   *run;
	BackgroundWorkerHandle *recorder;
	BackgroundWorkerHandle **workers;
	int			nlaunchable;	/* workers 0 .. nlaunchable-1 get started */
} Launch;

static void launch_due_workers(Launch *launch);
static void check_client_connection(RunState *run);


/*
 * The number of background worker slots not in use.  PostgreSQL keeps one
 * PGPROC per max_worker_processes slot, after those of the regular backends
 * and autovacuum (see InitProcGlobal); a slot is in use while a process owns
 * the latch of its PGPROC (PGPROC.pid is not cleared when a process exits,
 * the latch owner is).  Workers registered but not yet started are not
 * seen: a launch still handles RegisterDynamicBackgroundWorker failing.
 */
int
coordinator_free_worker_slots(void)
{
	int			first = MaxConnections + autovacuum_max_workers + 1;
	int			used = 0;

	for (int i = first; i < first + max_worker_processes; i++)
		if (ProcGlobal->allProcs[i].procLatch.owner_pid != 0)
			used++;
	return max_worker_processes - used;
}

/* What loadtest_run(), loadtest_start() and loadtest_run_procedure() are passed. */
const Oid	run_argument_types[] = {
	INT4OID, INT4OID, TEXTOID, INT4OID, FLOAT8OID, BOOLOID, INT4OID,
	INTERVALOID, FLOAT8OID, JSONBOID, TEXTOID, INT8OID
};


Datum
loadtest_free_worker_slots(PG_FUNCTION_ARGS)
{
	check_signature(fcinfo, NULL, 0, INT4OID, "loadtest_free_worker_slots");
	PG_RETURN_INT32(coordinator_free_worker_slots());
}

/*
 * Are there worker slots for the run: its workers, its recorder and, for a
 * run of loadtest_start() checked in the caller's session, its launcher?
 */
void
coordinator_check_worker_slots(const RunRequest *req, bool with_launcher)
{
	int			nworkers = req->pool_size > 0 ? req->pool_size : req->users;
	int			needed = nworkers + (with_launcher ? 2 : 1);
	int			free_slots = coordinator_free_worker_slots();

	if (free_slots < needed)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("not enough background worker slots for %d users", req->users),
				 errdetail("The run needs %d background workers (%s%s); %d of max_worker_processes = %d are free.",
						   needed,
						   req->pool_size > 0 ? "the pool's workers" : "one per user",
						   with_launcher ? ", a recorder and a launcher" : " and a recorder",
						   free_slots, max_worker_processes),
				 errhint("Raise max_worker_processes to at least %d (a restart is needed), or run fewer users, or share workers with pool_size.",
						 max_worker_processes - free_slots + needed)));
}

/*
 * A run's own processes start no runs: an operation that calls
 * loadtest_run() or loadtest_start() would start runs from its runs, which
 * outlive it and take every worker slot.
 */
void
coordinator_refuse_nested_run(void)
{
	if (IsBackgroundWorker && MyBgworkerEntry != NULL &&
		strcmp(MyBgworkerEntry->bgw_library_name, "loadtest") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a load test cannot start a load test"),
				 errdetail("This is a process of a run (%s).", MyBgworkerEntry->bgw_type),
				 errhint("Start runs from a session, a script or a pg_cron job, not from an operation.")));
}

/* Fill in the simulated users: pattern, planned start, random stream. */
static void
plan_users(RunState *run, const RunRequest *req)
{
	int16	   *patterns = palloc(sizeof(int16) * req->users);

	patterns_assign(req->patterns, req->users, patterns);

	for (int i = 0; i < req->users; i++)
	{
		VirtualUser *user = runstate_user(run, i);

		user->user_no = i + 1;
		user->pattern = patterns[i];
		user->ops_planned = req->shape.bound == BOUND_DURATION ? PG_INT32_MAX : req->ops;
		/* staged runs start users as their stages turn them on */
		user->planned_start_us = req->shape.load != LOAD_RAMP ? 0 :
			run->ramp_up_us * i / req->users;
		pg_prng_seed(&user->rng, hash_combine64(run->seed, (uint64) i));

		if (req->shape.service == SERVICE_ARRIVALS)
		{
			/* users only lend their pattern and random stream to arrivals */
			user->worker_no = -1;
			user->finished = true;
		}
		else if (run->shape.service == SERVICE_POOLED)
		{
			/* the pool's workers take users from the ready queue */
			user->worker_no = -1;
			ready_push(run, i, user->planned_start_us);
		}
		else
		{
			/* one worker per user */
			WorkerSlot *slot = runstate_slot(run, i);

			user->worker_no = i;
			slot->first_user = i;
			slot->nusers = 1;
		}
	}
}

/*
 * Detach callback of the coordinator's segment.  Runs however the
 * coordinator leaves: if the run is not over by then, its session is gone
 * and the run is aborted.
 */
static void
coordinator_on_detach(dsm_segment *segment, Datum arg)
{
	RunState   *run = (RunState *) DatumGetPointer(arg);

	/*
	 * The stop first: a recorder that sees the coordinator gone must also
	 * see why, or it could close an unfinished launch as completed.
	 */
	if (pg_atomic_read_u32(&run->recorder_state) != RECORDER_FINISHED)
	{
		runstate_request_stop(run, STOP_ABORTED,
							  (MyBgworkerEntry != NULL &&
							   strcmp(MyBgworkerEntry->bgw_function_name, "loadtest_launcher_main") == 0) ?
							  "the run's launcher ended (loadtest_start() was cancelled, or the launcher terminated)" :
							  "the session that started the run ended");
		runstate_interrupt_workers(run);
	}
	pg_write_barrier();
	pg_atomic_write_u32(&run->coordinator_gone, 1);
	run->coordinator_pgprocno = -1;
	runstate_wake_all(run);
}

/*
 * Register a process of a run: a dynamic background worker of the library
 * with a database connection, never restarted, that finds its segment in
 * bgw_extra and tells this backend when it starts and stops.  NULL when
 * no slot is free.
 */
BackgroundWorkerHandle *
coordinator_register_worker(const char *function, const char *type, const char *name,
							dsm_segment *segment, int32 main_arg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	dsm_handle dh = dsm_segment_handle(segment);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "loadtest", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, function, BGW_MAXLEN);
	strlcpy(worker.bgw_name, name, BGW_MAXLEN);
	strlcpy(worker.bgw_type, type, BGW_MAXLEN);
	worker.bgw_main_arg = Int32GetDatum(main_arg);
	memcpy(worker.bgw_extra, &dh, sizeof(dh));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		return NULL;
	return handle;
}

static BackgroundWorkerHandle *
launch_worker(RunState *run, dsm_segment *segment, const char *function,
			  const char *type, int number)
{
	char		name[BGW_MAXLEN];

	if (number > 0)
		snprintf(name, BGW_MAXLEN, "loadtest run " INT64_FORMAT " worker %d",
				 run->run_id, number);
	else
		snprintf(name, BGW_MAXLEN, "loadtest recorder");
	return coordinator_register_worker(function, type, name, segment, number - 1);
}

/* Workers that died before attaching will never mark their slot. */
static void
check_launched_workers(Launch *launch)
{
	RunState   *run = launch->run;
	pid_t		pid;

	for (int i = 0; i < run->workers_launched; i++)
	{
		WorkerSlot *slot = runstate_slot(run, i);

		if (launch->workers[i] != NULL &&
			pg_atomic_read_u32(&slot->state) == SLOT_NOT_STARTED &&
			GetBackgroundWorkerPid(launch->workers[i], &pid) == BGWH_STOPPED)
		{
			pg_atomic_write_u32(&slot->state, SLOT_EXITED);
			runstate_wake(run->recorder_pgprocno);
		}
	}
	if (pg_atomic_read_u32(&run->recorder_state) < RECORDER_FINISHED &&
		pg_atomic_read_u32(&run->recorder_state) != RECORDER_FAILED &&
		GetBackgroundWorkerPid(launch->recorder, &pid) == BGWH_STOPPED)
	{
		if (run->recorder_error[0] == '\0')
		{
			strlcpy(run->recorder_error, "the run's recorder could not start",
					sizeof(run->recorder_error));
			strlcpy(run->recorder_hint, "See the server log. If the loadtest library was just upgraded, reconnect: this session still runs the old one.",
					sizeof(run->recorder_hint));
		}
		pg_atomic_write_u32(&run->recorder_state, RECORDER_FAILED);
		runstate_request_stop(run, STOP_FAILED, "the run's recorder exited");
	}
}

/* A progress notice: the figures of loadtest.progress (progress.c). */
static void
report_progress(RunState *run)
{
	RunProgress progress;

	progress_read(run, &progress);
	ereport(NOTICE, (errmsg_internal("%s", progress_text(run, &progress))));
}

/*
 * Wait until the recorder has closed the run, reporting progress and
 * watching the launched workers.  Cancellation raises an error here.
 */
static void
wait_for_run(Launch *launch)
{
	RunState   *run = launch->run;
	instr_time	last_progress;
	instr_time	last_check;

	INSTR_TIME_SET_CURRENT(last_progress);
	last_check = last_progress;
	for (;;)
	{
		uint32		state = pg_atomic_read_u32(&run->recorder_state);
		instr_time	now;

		if (state == RECORDER_FINISHED || state == RECORDER_FAILED)
			break;

		launch_due_workers(launch);
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, last_check);
		if (INSTR_TIME_GET_MICROSEC(now) >= HANDLE_CHECK_US)
		{
			check_client_connection(run);
			check_launched_workers(launch);
			INSTR_TIME_SET_CURRENT(last_check);
		}
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, last_progress);
		if (loadtest_progress_interval > 0 &&
			INSTR_TIME_GET_DOUBLE(now) >= loadtest_progress_interval)
		{
			report_progress(run);
			INSTR_TIME_SET_CURRENT(last_progress);
		}

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 100, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Users whose worker ended before they finished (set by the recorder). */
static void
count_lost_users(RunState *run, int *users_lost, int64 *ops_not_done)
{
	for (int i = 0; i < run->nusers; i++)
	{
		VirtualUser *user = runstate_user(run, i);

		if (user->lost)
		{
			(*users_lost)++;
			if (run->shape.bound == BOUND_OPS)
				*ops_not_done += user->ops_planned - user->ops_done;
		}
	}
}

/*
 * The call is being cancelled: stop the run, give its processes a moment
 * to record what they did, then let the error go on.  Interrupts are held:
 * a second cancel must not cut the cleanup short.
 */
static void
stop_cancelled_run(Launch *launch)
{
	RunState   *run = launch->run;
	instr_time	start;

	HOLD_INTERRUPTS();
	runstate_request_stop(run, STOP_CANCELLED, "the call that started the run was cancelled");
	/* a recorder that has not created the run yet will not create it */
	pg_atomic_write_u32(&run->launch_complete, 1);
	runstate_interrupt_workers(run);
	INSTR_TIME_SET_CURRENT(start);
	for (;;)
	{
		uint32		state = pg_atomic_read_u32(&run->recorder_state);
		instr_time	now;

		if (state == RECORDER_FINISHED || state == RECORDER_FAILED)
			break;
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, start);
		if (INSTR_TIME_GET_MILLISEC(now) >= CANCEL_GRACE_MS)
			break;
		check_launched_workers(launch);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 20, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}

	/*
	 * A worker still there after the grace runs SQL that traps the cancel
	 * (a PL/pgSQL EXCEPTION WHEN query_canceled, say): it is terminated,
	 * which no SQL can trap.
	 */
	for (int i = 0; i < run->workers_launched; i++)
		if (launch->workers[i] != NULL &&
			pg_atomic_read_u32(&runstate_slot(run, i)->state) != SLOT_EXITED)
			TerminateBackgroundWorker(launch->workers[i]);

	/*
	 * So is a recorder still running the caller's SQL (gathering values,
	 * capturing plans) that traps the cancel: it has created no run yet,
	 * and would hold its worker slot and the extension's lock for ever.
	 * A recorder that has created the run writes only as the results'
	 * owner, and ends by itself once the workers are gone.
	 */
	if (launch->recorder != NULL &&
		pg_atomic_read_u32(&run->recorder_state) == RECORDER_STARTING)
		TerminateBackgroundWorker(launch->recorder);
	RESUME_INTERRUPTS();
}

/*
 * A client that went away cannot be told the result: end the session, and
 * with it the run (aborted, see the detach callback), rather than load the
 * server for nobody.  (A background worker, pg_cron's say, has no client.)
 */
static void
check_client_connection(RunState *run)
{
	if (whereToSendOutput == DestRemote && MyProcPort != NULL &&
		!IsBackgroundWorker && !pq_check_connection())
		ereport(FATAL,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("connection to client lost during load test run " INT64_FORMAT,
						run->run_id)));
}

/*
 * Launch the recorder and wait until it has created the runs row (it may
 * wait for locks meanwhile: the client is watched as during the run).
 */
static void
start_recorder(Launch *launch)
{
	RunState   *run = launch->run;

	launch->recorder = launch_worker(run, launch->segment,
									 "loadtest_recorder_main", "loadtest recorder", 0);
	if (launch->recorder == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start the run's recorder"),
				 errhint("Raise max_worker_processes (a restart is needed).")));

	for (;;)
	{
		uint32		state = pg_atomic_read_u32(&run->recorder_state);

		if (state == RECORDER_READY)
			return;
		if (state == RECORDER_FAILED)
			break;
		check_launched_workers(launch);
		check_client_connection(run);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 100, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	/*
	 * The recorder checks the workload: pass its error on as it was, once
	 * the recorder is gone (a refused run leaves no process behind).
	 */
	(void) WaitForBackgroundWorkerShutdown(launch->recorder);
	ereport(ERROR,
			(errcode(run->recorder_sqlerrcode ? run->recorder_sqlerrcode :
					 ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s", run->recorder_error),
			 run->recorder_detail[0] ? errdetail("%s", run->recorder_detail) : 0,
			 run->recorder_hint[0] ? errhint("%s", run->recorder_hint) : 0));
}

/*
 * When worker w's first user is due, as an offset from the run's start.
 * Workers shared by users (a pool, arrivals) and staged runs are needed
 * from the start.
 */
static int64
worker_due_us(RunState *run, int w)
{
	if (run->shape.service != SERVICE_DEDICATED || run->shape.load != LOAD_RAMP)
		return 0;
	return runstate_user(run, runstate_slot(run, w)->first_user)->planned_start_us;
}

/*
 * Tell the run's other processes that workers 0 .. launched-1 have been
 * launched (after the states written to their slots); the launch is
 * complete once all are.
 */
static void
publish_launched(RunState *run, int launched)
{
	pg_write_barrier();
	run->workers_launched = launched;
	if (launched == run->nworkers)
	{
		pg_write_barrier();
		pg_atomic_write_u32(&run->launch_complete, 1);
		runstate_wake(run->recorder_pgprocno);
	}
}

/*
 * Register the workers whose first user is due within LAUNCH_LEAD_US, in
 * order of due time (none once the run is stopping).  Starting hundreds
 * of workers at once would load the machine just when the first users are
 * due: over a ramp-up, each worker starts shortly before its user is due
 * instead.  A registration that fails stops the
 * run and raises the error.
 */
static void
launch_due_workers(Launch *launch)
{
	RunState   *run = launch->run;
	int			first = run->workers_launched;
	int			last = first;
	instr_time	now;
	int64		horizon_us;

	if (first >= run->nworkers)
		return;
	if (runstate_stop_reason(run) != STOP_NONE)
	{
		/* a stopping run starts no more workers: their users never start */
		for (int k = first; k < run->nworkers; k++)
			pg_atomic_write_u32(&runstate_slot(run, k)->state, SLOT_EXITED);
		publish_launched(run, run->nworkers);
		return;
	}
	if (first >= launch->nlaunchable)
	{
		/* the rest have no worker to start (see start_users) */
		publish_launched(run, run->nworkers);
		return;
	}
	INSTR_TIME_SET_CURRENT(now);
	horizon_us = runstate_elapsed_us(run, now) + LAUNCH_LEAD_US;
	while (last < launch->nlaunchable && worker_due_us(run, last) <= horizon_us)
		last++;
	if (last == first)
		return;

	/*
	 * The postmaster starts the most recently registered worker first:
	 * register the last one first, so that the first users, due first,
	 * start first.
	 */
	for (int i = last - 1; i >= first; i--)
	{
		launch->workers[i] = launch_worker(run, launch->segment,
										   "loadtest_user_worker_main",
										   "loadtest user", i + 1);
		if (launch->workers[i] == NULL)
		{
			int			started = first + (last - 1 - i);
			char	   *message = psprintf("only %d of %d workers could be started",
										   started, run->nworkers);

			/* the slots that got no worker will never start */
			for (int k = first; k <= i; k++)
				pg_atomic_write_u32(&runstate_slot(run, k)->state, SLOT_EXITED);
			for (int k = last; k < run->nworkers; k++)
				pg_atomic_write_u32(&runstate_slot(run, k)->state, SLOT_EXITED);
			runstate_request_stop(run, STOP_FAILED, message);
			publish_launched(run, run->nworkers);
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("load test run " INT64_FORMAT " failed: %s",
							run->run_id, message),
					 errhint("Other processes took background worker slots; raise max_worker_processes (a restart is needed).")));
		}
	}
	if (last == launch->nlaunchable)
		last = run->nworkers;	/* the rest have no worker to start */
	publish_launched(run, last);
}

/*
 * Start the run's clock and launch the workers due first.  Users due when
 * the run's duration is over (a ramp-up may outlast it) are finished from
 * the start, without a worker.
 */
static void
start_users(Launch *launch)
{
	RunState   *run = launch->run;

	launch->nlaunchable = run->nworkers;
	if (run->shape.bound == BOUND_DURATION)
	{
		while (launch->nlaunchable > 0 &&
			   worker_due_us(run, launch->nlaunchable - 1) >= run->deadline_us)
		{
			WorkerSlot *slot = runstate_slot(run, --launch->nlaunchable);

			for (int u = 0; u < slot->nusers; u++)
				runstate_user(run, slot->first_user + u)->finished = true;
			pg_atomic_write_u32(&slot->state, SLOT_EXITED);
		}
	}
	INSTR_TIME_SET_CURRENT(run->run_start);
	pg_atomic_write_u32(&run->started, 1);
	launch_due_workers(launch);
}

/*
 * Samples each worker's ring holds.  A worker whose users do not think
 * fills its ring fastest (hundreds of thousands of samples a second): it
 * gets room for about 100 ms of them, so that it seldom waits while the
 * recorder writes a batch, as long as the rings of the run stay within
 * LOADTEST_RINGS_MAX_BYTES (beyond that, the standard LOADTEST_RING_MAX).
 * A run bounded by operations needs no more room than it has samples.
 */
static uint32
run_ring_capacity(const RunRequest *req, int nworkers)
{
	uint32		capacity = LOADTEST_RING_MAX;

	if (req->think_time_ms == 0 && req->shape.service != SERVICE_ARRIVALS)
	{
		Size		affordable = LOADTEST_RINGS_MAX_BYTES /
			(Size) nworkers / sizeof(SampleRecord);

		if (affordable > 0)
			capacity = Max(capacity, Min(LOADTEST_RING_MAX_BUSY,
										 pg_prevpower2_size_t(affordable)));
	}
	if (req->shape.service == SERVICE_DEDICATED && req->shape.bound == BOUND_OPS &&
		req->shape.load == LOAD_RAMP)
		capacity = Min(capacity, pg_nextpower2_32((uint32) Max(req->ops, 16)));
	return capacity;
}

/*
 * The body of loadtest_run(), loadtest_run_procedure() and the launcher of
 * loadtest_start(): check the request, launch the run, wait for it to end,
 * say how it ended; returns the run id.
 *
 * Called by a procedure (a CALL outside a transaction block) or the
 * launcher, the transaction is committed once the run has started, as a
 * procedure's COMMIT does: the session then holds no snapshot while it
 * waits, so it does not hold back the xmin horizon (a long run's updates
 * could not be pruned otherwise, and the run would measure its own bloat).
 * The run's shared memory stays mapped past the commit (dsm_pin_mapping)
 * and is detached here, on success and on error.
 */
int64
run_load_test(FunctionCallInfo fcinfo, RunCaller caller)
{
	RunRequest	req;
	Launch		launch = {0};
	RunState   *run;
	int64		run_id;
	int			users_lost = 0;
	bool		recorder_failed;
	char	   *final_status;
	char	   *stop_message;
	char	   *recorder_error;
	int			nusers;
	int64		ops_not_done = 0;
	uint64		seed;
	uint32		ring_capacity;
	int			nworkers;
	MemoryContext run_context = CurrentMemoryContext;

	if (caller != CALLER_LAUNCHER)
		coordinator_refuse_nested_run();

	/*
	 * The launcher commits its transaction once the run has started: what
	 * the run needs until its end (the request, the workers' handles) must
	 * outlive the transaction's memory.
	 */
	if (caller == CALLER_LAUNCHER)
	{
		run_context = AllocSetContextCreate(TopMemoryContext, "loadtest launcher run",
											ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(run_context);
	}

	run_request_parse(fcinfo, &req);
	run_request_check_server(&req);

	nworkers = req.pool_size > 0 ? req.pool_size : req.users;
	coordinator_check_worker_slots(&req, false);

	/* catalog lookups only: the calling transaction locks no table */
	run_request_check_locks();
	seed = pg_prng_uint64(&pg_global_prng_state) & PG_INT64_MAX;

	/*
	 * Set the run up.  The recorder checks the workload and creates the run
	 * in transactions of its own; an error there is raised here, before any
	 * user starts, and leaves nothing behind.
	 */
	ring_capacity = run_ring_capacity(&req, nworkers);
	launch.segment = dsm_create(runstate_size(req.users, nworkers, ring_capacity), 0);
	run = launch.run = (RunState *) dsm_segment_address(launch.segment);
	runstate_init(run, req.users, nworkers, ring_capacity);
	run->shape = req.shape;
	run->pool_size = req.pool_size;
	run->deadline_us = req.duration_us;
	run->rate = req.rate;
	run->nstages = req.nstages;
	memcpy(run->stages, req.stages, sizeof(RunStage) * req.nstages);
	run->total_arrivals = (req.shape.service == SERVICE_ARRIVALS && req.shape.bound == BOUND_OPS) ?
		(int64) req.users * req.ops : 0;
	run->database_id = MyDatabaseId;
	run->role_id = GetUserId();
	run->ops_per_user = req.ops;
	run->think_time_ms = req.think_time_ms;
	run->op_timeout_ms = loadtest_op_timeout;
	run->record_samples = loadtest_record_samples;
	run->samples_kept = req.samples_kept;
	run->samples_fraction = req.samples_fraction;
	strlcpy(run->samples_text, req.samples_text, sizeof(run->samples_text));
	run->wait_sample_interval_ms = loadtest_wait_sample_interval_ms;
	run->instrument = loadtest_instrument;
	run->isolation = loadtest_isolation;
	run->max_tries = loadtest_max_tries;
	run->hot_rows = loadtest_hot_rows;
	/* stages make their own ramps */
	run->ramp_up_us = req.shape.load != LOAD_RAMP ? 0 : (int64) (req.ramp_up_s * 1000000.0);
	run->seed = seed;
	run->forced = req.force;
	strlcpy(run->pattern_name, req.pattern, sizeof(run->pattern_name));
	memcpy(&run->patterns, req.patterns, sizeof(RunPatterns));
	strlcpy(run->environment, loadtest_environment_name(), sizeof(run->environment));
	run->coordinator_pgprocno = MyProc->pgprocno;
	plan_users(run, &req);
	launch.workers = palloc0(sizeof(BackgroundWorkerHandle *) * nworkers);
	launch.recorder = NULL;
	on_dsm_detach(launch.segment, coordinator_on_detach, PointerGetDatum(run));

	PG_TRY();
	{
		start_recorder(&launch);
		start_users(&launch);
		if (loadtest_progress_interval > 0)
			ereport(NOTICE,
					(errmsg("loadtest run " INT64_FORMAT ": %d users, pattern %s, %d workers",
							run->run_id, req.users, req.pattern, nworkers),
					 errdetail("Shared memory of the run: %.1f kB, of which %zu bytes per simulated user.",
							   dsm_segment_map_length(launch.segment) / 1024.0,
							   sizeof(VirtualUser) + (run->shape.service == SERVICE_POOLED ? sizeof(ReadyEntry) : 0))));
		if (caller == CALLER_PROCEDURE)
		{
			dsm_pin_mapping(launch.segment);
			if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect_ext failed");
			SPI_commit();
			SPI_finish();
		}
		else if (caller == CALLER_LAUNCHER)
		{
			/*
			 * The run exists: the starter may go.  The launcher waits
			 * outside any transaction (it only watches shared memory), so
			 * it holds no snapshot and shows no long transaction.
			 */
			dsm_pin_mapping(launch.segment);
			background_run_started(run->run_id);
			PopActiveSnapshot();
			CommitTransactionCommand();
			MemoryContextSwitchTo(run_context);
		}
		wait_for_run(&launch);

		/* the call returns when every process of the run is gone */
		for (int i = 0; i < run->workers_launched; i++)
			if (launch.workers[i] != NULL)
				(void) WaitForBackgroundWorkerShutdown(launch.workers[i]);
		(void) WaitForBackgroundWorkerShutdown(launch.recorder);
	}
	PG_CATCH();
	{
		if (launch.recorder != NULL)
			stop_cancelled_run(&launch);
		/*
		 * Once pinned, the mapping is no longer the transaction's: detach
		 * it here (before the pin, detaching now is as good as at abort).
		 */
		if (caller != CALLER_FUNCTION)
			dsm_detach(launch.segment);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* what the messages need, then the segment can go */
	run_id = run->run_id;
	recorder_failed = pg_atomic_read_u32(&run->recorder_state) == RECORDER_FAILED;
	final_status = pstrdup(run->final_status);
	stop_message = pstrdup(run->stop_message);
	recorder_error = pstrdup(run->recorder_error);
	nusers = run->nusers;
	count_lost_users(run, &users_lost, &ops_not_done);
	dsm_detach(launch.segment);

	if (final_status[0] == '\0' && !recorder_failed)
		ereport(WARNING,
				(errmsg("load test run " INT64_FORMAT " ended, but its end could not be recorded: %s",
						run_id, recorder_error),
				 stop_message[0] ? errdetail("The run stopped because %s.", stop_message) : 0,
				 errhint("SELECT * FROM loadtest.runs WHERE run_id = " INT64_FORMAT "; shows what was kept.",
						 run_id)));
	else if (recorder_failed)
		ereport(WARNING,
				(errmsg("load test run " INT64_FORMAT " ended abnormally: %s",
						run_id, stop_message),
				 errhint("SELECT * FROM loadtest.runs WHERE run_id = " INT64_FORMAT ";",
						 run_id)));
	else if (strcmp(final_status, "completed") != 0)
		ereport(WARNING,
				(errmsg("load test run " INT64_FORMAT " %s: %s", run_id,
						final_status, stop_message[0] ? stop_message : recorder_error)));
	else if (users_lost > 0)
		ereport(WARNING,
				(errmsg("load test run " INT64_FORMAT " completed, but %d of %d users were lost",
						run_id, users_lost, nusers),
				 errdetail("Their workers ended before they finished: " INT64_FORMAT " operations were not done.",
						   ops_not_done),
				 errhint("SELECT * FROM loadtest.run_users WHERE run_id = " INT64_FORMAT " AND lost;",
						 run_id)));
	else if (loadtest_progress_interval > 0)
		ereport(NOTICE,
				(errmsg("loadtest run " INT64_FORMAT " completed; SELECT loadtest_report(" INT64_FORMAT ") to read the report",
						run_id, run_id)));
	return run_id;
}

/*
 * loadtest_run(users, ops, pattern, ...): run a load test and return its
 * run id once every process of the run is gone.
 */
Datum
loadtest_run(PG_FUNCTION_ARGS)
{
	check_signature(fcinfo, run_argument_types, RUN_ARGUMENTS, INT8OID, "loadtest_run");
	PG_RETURN_INT64(run_load_test(fcinfo, CALLER_FUNCTION));
}

/*
 * CALL loadtest_run_procedure(users, ops, pattern, ..., run_id => NULL):
 * loadtest_run() for long runs.  It commits its transaction once the run
 * has started, so it must be CALLed on its own, not inside a transaction
 * block or a function; its INOUT run_id returns the run id.
 */
Datum
loadtest_run_procedure(PG_FUNCTION_ARGS)
{
	CallContext *call = (fcinfo->context != NULL &&
						 IsA(fcinfo->context, CallContext)) ?
		(CallContext *) fcinfo->context : NULL;
	TupleDesc	tupdesc;
	Datum		values[1];
	bool		nulls[1] = {false};

	check_signature(fcinfo, run_argument_types, RUN_ARGUMENTS + 1, RECORDOID,
					"loadtest_run_procedure");
	/* resolved now: nothing may fail after an hours-long run but the run */
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	{
		static const Oid result_types[] = {INT8OID};

		check_result_columns(tupdesc, result_types, 1, "loadtest_run_procedure");
	}
	tupdesc = BlessTupleDesc(tupdesc);

	if (call == NULL || call->atomic || IsSubTransaction())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("loadtest_run_procedure cannot run inside a transaction block, a function or an exception block"),
				 errdetail("It commits its transaction once the run has started, so that the session holds no snapshot during the run."),
				 errhint("CALL it on its own, or use SELECT loadtest_run(...), which keeps its transaction (and snapshot) open for the whole run.")));

	values[0] = Int64GetDatum(run_load_test(fcinfo, CALLER_PROCEDURE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * loadtest_pattern_distribution(users, pattern): how a run of that many
 * users would share them among patterns, without running anything.
 */
Datum
loadtest_pattern_distribution(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		users;
	char	   *pattern;
	RunPatterns *patterns = palloc(sizeof(RunPatterns));
	int			counts[LOADTEST_MAX_RUN_PATTERNS] = {0};

	static const Oid types[] = {INT4OID, TEXTOID};

	check_signature(fcinfo, types, 2, RECORDOID, "loadtest_pattern_distribution");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("users and pattern must not be NULL")));
	users = PG_GETARG_INT32(0);
	pattern = text_to_cstring(PG_GETARG_TEXT_PP(1));

	if (users < 1 || users > LOADTEST_MAX_USERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("users must be between 1 and %d, not %d",
						LOADTEST_MAX_USERS, users)));
	run_request_resolve_patterns(pattern, patterns);
	patterns_distribute(patterns, users, counts);

	InitMaterializedSRF(fcinfo, 0);
	{
		static const Oid result_types[] = {TEXTOID, INT4OID, FLOAT8OID};

		check_result_columns(rsinfo->setDesc, result_types, 3,
							 "loadtest_pattern_distribution");
	}
	for (int p = 0; p < patterns->npatterns; p++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		bool		single = strcmp(patterns->patterns[p], SINGLE_OPERATION_PATTERN) == 0;

		values[0] = CStringGetTextDatum(single ? patterns->operations[0] : patterns->patterns[p]);
		values[1] = Int32GetDatum(counts[p]);
		values[2] = Float8GetDatum(100.0 * counts[p] / users);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
