/*-------------------------------------------------------------------------
 *
 * user_worker.c
 *	  The background worker that serves simulated users: it connects as the
 *	  role that started the run, waits for each user's planned start, then
 *	  runs the user's operations, one transaction each, timing exactly the
 *	  transaction and handing every attempt to the recorder.  It serves its
 *	  own user, or, in a pooled run, whichever user of the ready queue has
 *	  waited longest.
 *
 * An operation that fails is rolled back and recorded with its SQLSTATE
 * and message; nothing an operation raises below FATAL ends the worker.
 * SIGTERM ends the worker cleanly at the next interrupt check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"

#include "loadtest.h"
#include "memory_trace.h"
#include "patterns.h"
#include "runstate.h"
#include "spi_args.h"
#include "trust.h"
#include "value_sets.h"
#include "workload.h"

static RunState *run;
static WorkerSlot *my_slot;
static int	my_worker_no;
static int64 next_memory_us;	/* when to publish the worker's memory next */

/* The run's operations as this worker runs them. */
typedef struct WorkerContext
{
	WorkloadOperation **ops;	/* by the run's operation number */
	int			nops;
	DrawContext draw;
} WorkerContext;

/*
 * Time limit of each operation: loadtest.op_timeout of the run, or the
 * statement_timeout this worker's session has from the role's and the
 * database's settings (as a session of the role would), the shorter of
 * the two.  An operation is the worker's statement: PostgreSQL enforces
 * statement_timeout only for a client's statements, so the worker does.
 */
static int	op_timeout_ms;

/*
 * Between operations there is no statement to cancel: a cancel request
 * (our own stop signal, or pg_cancel_backend) is dropped, while a
 * termination request ends the worker here, cleanly (exit code 1).
 */
static void
worker_handle_interrupts(void)
{
	if (ProcDiePending)
		CHECK_FOR_INTERRUPTS();
	QueryCancelPending = false;
}

static bool
worker_should_stop(void)
{
	return runstate_stop_reason(run) != STOP_NONE;
}

/*
 * At exit, however it happens: the slot is marked exited so that the
 * recorder can close the run (users this worker did not finish are then
 * lost, unless the whole run was told to stop).  In a pooled run the user
 * in service is gone with the worker: the other workers must not wait for
 * it to come back.
 */
static void
worker_on_exit(int code, Datum arg)
{
	if (my_slot->serving >= 0)
	{
		pg_atomic_fetch_add_u32(&run->users_finished, 1);
		my_slot->serving = -1;
	}
	pg_atomic_write_u32(&my_slot->current_op, 0);
	pg_write_barrier();
	pg_atomic_write_u32(&my_slot->state, SLOT_EXITED);
	runstate_wake(run->recorder_pgprocno);
	runstate_wake(run->coordinator_pgprocno);
}

/*
 * What pg_stat_activity shows of the worker: the operation it runs, or
 * idle.  Back-to-back operations (no think time, a busy pool) keep one
 * report: two reports per operation would cost more than the rest of the
 * engine's bookkeeping.  The worker reports idle before it sleeps.
 */
static int	reported_op = -2;	/* operation shown, -1: idle, -2: nothing */
static int	ops_since_stats;	/* operations since pgstat_report_stat */
static int64 last_stats_us;		/* when (INSTR_TIME, us) it was called last */

#define OPS_PER_STATS_REPORT	256

static void
worker_report_running(WorkerContext *ctx, int op)
{
	if (reported_op != op)
	{
		pgstat_report_activity(STATE_RUNNING, ctx->ops[op]->name);
		reported_op = (int) op;
	}
}

/*
 * Before the worker sleeps, and every OPS_PER_STATS_REPORT operations or
 * every second of a worker that never sleeps (slow operations: a hot row's
 * lock waits): statistics are flushed as a backend flushes them when idle
 * (pgstat_report_stat itself flushes at most once a second), so that the
 * timeline's commits and WAL per second follow the run.
 */
static void
worker_report_stats(void)
{
	pgstat_report_stat(false);
	ops_since_stats = 0;
}

static void
worker_report_idle(void)
{
	if (reported_op != -1)		/* also before the first operation */
	{
		pgstat_report_activity(STATE_IDLE, NULL);
		reported_op = -1;
	}
	worker_report_stats();
}

/* Sleep until the run's clock reaches due_us; false if the run stops. */
static bool
worker_wait_until(int64 due_us)
{
	for (;;)
	{
		instr_time	now;
		int64		remaining;

		worker_handle_interrupts();
		if (worker_should_stop())
			return false;
		INSTR_TIME_SET_CURRENT(now);
		remaining = due_us - runstate_elapsed_us(run, now);
		if (remaining <= 0)
			return true;
		worker_report_idle();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 (remaining + 999) / 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * Run one bound operation in a transaction of its own.  Returns true when
 * it committed; otherwise *error holds a copy of the error, allocated in
 * op_context, and the transaction has been rolled back.
 */
static bool
worker_run_transaction(WorkloadOperation *op, WorkloadVariant *variant,
					   MemoryContext op_context, ErrorData **error)
{
	volatile bool committed = false;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* a read operation reads only, functions it calls included */
		if (op->is_read)
			XactReadOnly = true;
		if (op_timeout_ms > 0)
			enable_timeout_after(STATEMENT_TIMEOUT, op_timeout_ms);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		workload_execute(op, variant);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		committed = true;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(op_context);
		*error = CopyErrorData();
		FlushErrorState();
		if (op_timeout_ms > 0)
			disable_timeout(STATEMENT_TIMEOUT, false);
		AbortCurrentTransaction();
	}
	PG_END_TRY();

	if (committed && op_timeout_ms > 0)
		disable_timeout(STATEMENT_TIMEOUT, false);
	return committed;
}

/*
 * Hand a sample to the recorder.  When the ring is full the worker waits
 * for the recorder to make room (it wakes the worker; the timeout is only
 * a safety net): the wait is outside any timed section.  A worker whose
 * recorder is gone, or whose run is stopping, drops the sample rather than
 * wait (a stopping run's recorder may be blocked on a lock); dropped
 * samples are counted, and the run says how many it lost.
 */
static void
worker_record(SampleRing *ring, const SampleRecord *sample, const char *message)
{
	bool		waited = false;

	while (!ring_push(ring, sample, message))
	{
		if (pg_atomic_read_u32(&run->recorder_state) != RECORDER_READY ||
			(waited && worker_should_stop()))
		{
			pg_atomic_fetch_add_u64(&run->samples_lost, 1);
			break;
		}

		/*
		 * Say we wait before looking once more, so that the recorder, which
		 * looks at the flag after making room, cannot miss us.
		 */
		pg_atomic_write_u32(&ring->writer_waiting, 1);
		waited = true;
		pg_memory_barrier();
		if (ring_push(ring, sample, message))
			break;
		runstate_wake(run->recorder_pgprocno);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 5, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		worker_handle_interrupts();
	}
	if (waited)
		pg_atomic_write_u32(&ring->writer_waiting, 0);
	/* wake the recorder early when the ring is half full */
	if (ring_used(ring) >= ring->capacity / 2)
		runstate_wake(run->recorder_pgprocno);
}

/* Errors worth another try, as pgbench --max-tries sees them. */
static bool
worker_error_is_retryable(const ErrorData *error)
{
	return error->sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE ||
		error->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED;
}

/* One operation of one user: draw, time, run (and retry), record. */
static void
worker_run_operation(VirtualUser *user, int64 due_us, WorkerContext *ctx,
					 MemoryContext op_context, SampleRing *ring)
{
	int			op_no = patterns_choose_operation(&run->patterns, user->pattern, &user->rng);
	WorkloadOperation *op = ctx->ops[op_no];
	WorkloadVariant *variant;
	MemoryContext old_context;
	ErrorData  *error = NULL;
	instr_time	start;
	instr_time	end;
	bool		ok;
	int			tries;
	SampleRecord sample;

	MemoryContextReset(op_context);
	old_context = MemoryContextSwitchTo(op_context);
	variant = workload_bind(op, &user->rng, &ctx->draw);

	if (!run->instrument)
	{
		/*
		 * The bare loop that benchmarks compare the engine with: the same
		 * transaction, neither timed, nor shown, nor recorded.
		 */
		(void) worker_run_transaction(op, variant, op_context, &error);
		user->ops_done++;
		pg_atomic_write_u64(&my_slot->ops_done,
							pg_atomic_read_u64(&my_slot->ops_done) + 1);
		MemoryContextSwitchTo(old_context);
		return;
	}

	worker_report_running(ctx, op_no);

	/* for the wait sampler: this operation, from before the clock starts */
	pg_atomic_write_u32(&my_slot->current_op, (uint32) op_no + 1);
	INSTR_TIME_SET_CURRENT(start);
	sample.start_us = runstate_elapsed_us(run, start);

	/*
	 * No operation starts at or after the run's end: the callers checked
	 * the time already, but claiming a user and binding its parameters
	 * take time too.  One that would start late is not started (in a rate
	 * run, it is counted as dropped).
	 */
	if (run->shape.bound == BOUND_DURATION && sample.start_us >= run->deadline_us)
	{
		pg_atomic_write_u32(&my_slot->current_op, 0);
		MemoryContextSwitchTo(old_context);
		return;
	}
	for (tries = 1;; tries++)
	{
		ok = worker_run_transaction(op, variant, op_context, &error);
		if (ok || tries >= run->max_tries ||
			!worker_error_is_retryable(error) || worker_should_stop())
			break;
	}
	INSTR_TIME_SET_CURRENT(end);
	pg_atomic_write_u32(&my_slot->current_op, 0);

	MemoryContextSwitchTo(op_context);
	if (++ops_since_stats >= OPS_PER_STATS_REPORT ||
		INSTR_TIME_GET_MICROSEC(end) - last_stats_us >= 1000000)
	{
		worker_report_stats();
		last_stats_us = INSTR_TIME_GET_MICROSEC(end);
	}

	user->ops_done++;
	sample.wait_us = Max(sample.start_us - due_us, 0);
	INSTR_TIME_SUBTRACT(end, start);
	sample.latency_us = INSTR_TIME_GET_MICROSEC(end);
	sample.user_no = user->user_no;
	sample.op_no = user->ops_done;
	sample.operation = (int16) op_no;
	sample.pattern = (int16) user->pattern;
	sample.tries = (int16) tries;
	sample.sqlerrcode = ok ? 0 : error->sqlerrcode;
	if (!ok && sample.sqlerrcode == 0)
		sample.sqlerrcode = ERRCODE_INTERNAL_ERROR;

	pg_atomic_write_u64(&my_slot->ops_done,
						pg_atomic_read_u64(&my_slot->ops_done) + 1);
	if (!ok)
		pg_atomic_write_u64(&my_slot->errors,
							pg_atomic_read_u64(&my_slot->errors) + 1);

	if (run->record_samples)
		worker_record(ring, &sample,
					  ok ? NULL : (error->message ? error->message : "unknown error"));
	MemoryContextSwitchTo(old_context);
	if (sample.start_us + sample.latency_us >= next_memory_us)
	{
		memory_trace_publish(my_slot, sample.start_us + sample.latency_us,
							 (int64) pg_atomic_read_u64(&my_slot->ops_done));
		next_memory_us = sample.start_us + sample.latency_us + MEMORY_TRACE_INTERVAL_US;
	}
}

/* Think time of the next pause: uniform within +-50% of think_time_ms. */
static int64
worker_think_us(VirtualUser *user)
{
	if (run->think_time_ms <= 0)
		return 0;
	return (int64) (run->think_time_ms * 1000.0 *
					(0.5 + pg_prng_double(&user->rng)));
}

/*
 * Load the run's operations, as the run keeps them (its copy in
 * loadtest.run_operations), and what their generators draw from (the
 * segment the recorder filled).  In a transaction, SPI connected.
 */
static void
worker_load_workload(WorkerContext *ctx, MemoryContext workload_context)
{
	SpiArgs		args = SPI_ARGS_INIT;
	MemoryContext old;
	dsm_segment *values;
	uint64		n;

	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	if (spi_execute("SELECT operation, kind, statements::pg_catalog.text,"
					" params::pg_catalog.text, variants::pg_catalog.text"
					" FROM loadtest.run_operations WHERE run_id OPERATOR(pg_catalog.=) $1"
					" ORDER BY operation_no", &args, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the run's operations");
	n = SPI_processed;
	if (n != (uint64) run->patterns.noperations)
		elog(ERROR, "the run has " UINT64_FORMAT " operations recorded, not %d",
			 n, run->patterns.noperations);
	old = MemoryContextSwitchTo(workload_context);
	ctx->nops = (int) n;
	ctx->ops = palloc0(sizeof(WorkloadOperation *) * n);
	for (uint64 i = 0; i < n; i++)
	{
		OperationDefinition def;

		memset(&def, 0, sizeof(def));
		def.name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		def.kind = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		def.statements = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
		def.params = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4);
		def.variants = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 5);
		if (strcmp(def.name, run->patterns.operations[i]) != 0)
			elog(ERROR, "the run's operation %d is \"%s\", not \"%s\"", (int) i,
				 def.name, run->patterns.operations[i]);
		ctx->ops[i] = workload_parse(&def);
	}
	values = dsm_attach(run->values_handle);
	if (values == NULL)
		elog(ERROR, "could not attach the run's values");
	dsm_pin_mapping(values);
	value_sets_attach(ctx->ops, ctx->nops, dsm_segment_address(values),
						   run->values_size);
	MemoryContextSwitchTo(old);
	ctx->draw.run_id = run->run_id;
	ctx->draw.unique_next = &run->unique_next;
}

/*
 * Load the operations and prepare their plans before the first timed
 * operation.  If a statement cannot be prepared now, it is prepared again
 * when first used, and its error recorded against the operation.  A
 * worker that cannot load the run's operations stops the run.
 */
static bool
worker_prepare(WorkerContext *ctx)
{
	MemoryContext context = CurrentMemoryContext;
	MemoryContext workload_context = AllocSetContextCreate(TopMemoryContext,
														   "loadtest workload",
														   ALLOCSET_DEFAULT_SIZES);
	volatile bool loaded = false;

	PG_TRY();
	{
		StartTransactionCommand();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		worker_load_workload(ctx, workload_context);
		loaded = true;
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		runstate_request_stop(run, STOP_FAILED,
							  psprintf("worker %d could not load the run's operations: %s",
									   my_worker_no + 1, error->message));
		runstate_wake_all(run);
	}
	PG_END_TRY();
	if (!loaded)
		return false;

	for (int i = 0; i < ctx->nops && !worker_should_stop(); i++)
	{
		PG_TRY();
		{
			MemoryContext old;

			StartTransactionCommand();
			/* preparing a read operation writes nothing either */
			if (ctx->ops[i]->is_read)
				XactReadOnly = true;
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			PushActiveSnapshot(GetTransactionSnapshot());
			old = MemoryContextSwitchTo(workload_context);
			workload_prepare_all(ctx->ops[i]);
			MemoryContextSwitchTo(old);
			SPI_finish();
			PopActiveSnapshot();
			CommitTransactionCommand();
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(context);
			FlushErrorState();
			AbortCurrentTransaction();
		}
		PG_END_TRY();
	}
	return true;
}

static int64
worker_now_us(void)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	return runstate_elapsed_us(run, now);
}

/*
 * Pooled run: take the user of the ready queue that has waited longest,
 * serve one operation, queue it again for after its think time; until
 * every user has finished or the run stops.
 */
static void
worker_serve_pool(WorkerContext *ctx, MemoryContext op_context, SampleRing *ring)
{
	for (;;)
	{
		int32		u;
		int64		due_us;
		int64		next_due_us;
		int64		now_us;
		VirtualUser *user;

		worker_handle_interrupts();
		if (worker_should_stop() ||
			pg_atomic_read_u32(&run->users_finished) >= (uint32) run->nusers)
			break;

		now_us = worker_now_us();
		if (!ready_pop_due(run, now_us, &u, &due_us, &next_due_us))
		{
			/*
			 * Nothing due: sleep until the next user is due.  An empty
			 * queue means every unfinished user is in service elsewhere;
			 * look again shortly.
			 */
			int64		sleep_us = next_due_us < 0 ? 10000 :
				Min(next_due_us - now_us, 100000);

			worker_report_idle();
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max((sleep_us + 999) / 1000, 1), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			continue;
		}

		user = runstate_user(run, u);
		my_slot->serving = u;
		if (user_finished(run, user, now_us))
			due_us = now_us;	/* the run's time is up: no more for it */
		else if (!user_active(run, u, now_us))
			due_us = now_us + 50000;	/* not on in this stage: look again */
		else
		{
			worker_run_operation(user, due_us, ctx, op_context, ring);
			due_us = worker_now_us() + worker_think_us(user);
		}
		if (user_finished(run, user, due_us))
		{
			user->finished = true;
			pg_atomic_fetch_add_u32(&run->users_finished, 1);
		}
		else
			ready_push(run, u, due_us);
		my_slot->serving = -1;
		worker_handle_interrupts();
	}
}

/*
 * A user free to run an arrival: every user runs at most one at a time.
 * With no more workers than users one is always free; -1 if the run stops.
 */
static int32
worker_claim_user(uint64 k)
{
	for (;;)
	{
		worker_handle_interrupts();
		if (worker_should_stop())
			return -1;
		for (int i = 0; i < run->nusers; i++)
		{
			int32		u = (int32) ((k + i) % run->nusers);
			uint32		expected = 0;

			if (pg_atomic_compare_exchange_u32(&runstate_user(run, u)->busy,
											   &expected, 1))
				return u;
		}
		/* cannot happen with no more workers than users; wait, don't spin */
		pg_usleep(1000);
	}
}

/*
 * Open model (rate => ...): arrivals come on schedule whatever the server
 * does; each free worker takes the next one, waits for its intended start
 * and runs it as one of the users.  A sample's wait_us is how late it
 * started: a stalled server cannot hide its stall.
 */
static void
worker_serve_arrivals(WorkerContext *ctx, MemoryContext op_context, SampleRing *ring)
{
	for (;;)
	{
		uint64		k;
		int64		intended_us;
		int32		u;

		worker_handle_interrupts();
		if (worker_should_stop())
			break;
		k = pg_atomic_fetch_add_u64(&run->next_arrival, 1);
		if (run->total_arrivals > 0 && k >= (uint64) run->total_arrivals)
			break;
		intended_us = arrival_time_us(run, k);
		if (run->shape.bound == BOUND_DURATION && intended_us >= run->deadline_us)
			break;
		if (!worker_wait_until(intended_us))
			break;

		/*
		 * No operation starts after the run's end: a server that could not
		 * keep up leaves the arrivals still due undone (dropped, counted by
		 * the recorder).
		 */
		if (run->shape.bound == BOUND_DURATION && worker_now_us() >= run->deadline_us)
			break;

		u = worker_claim_user(k);
		if (u < 0)
			break;
		worker_run_operation(runstate_user(run, u), intended_us, ctx,
							 op_context, ring);
		pg_atomic_write_u32(&runstate_user(run, u)->busy, 0);
	}
}

/*
 * Serve this worker's own users until all are done or the run stops:
 * always the user whose next operation is due first.
 */
static void
worker_serve_own_users(WorkerContext *ctx, MemoryContext op_context, SampleRing *ring)
{
	int64	   *due_us = palloc(sizeof(int64) * my_slot->nusers);

	for (int i = 0; i < my_slot->nusers; i++)
		due_us[i] = runstate_user(run, my_slot->first_user + i)->planned_start_us;

	for (;;)
	{
		VirtualUser *user = NULL;
		int			next = -1;

		for (int i = 0; i < my_slot->nusers; i++)
		{
			VirtualUser *candidate = runstate_user(run, my_slot->first_user + i);

			if (user_finished(run, candidate, due_us[i]))
			{
				candidate->finished = true;
				continue;
			}
			if (next < 0 || due_us[i] < due_us[next])
				next = i;
		}
		if (next < 0)
			break;
		user = runstate_user(run, my_slot->first_user + next);
		if (!worker_wait_until(due_us[next]))
			break;
		if (user_finished(run, user, worker_now_us()))
		{
			/* the run's time ran out while this worker was late */
			due_us[next] = PG_INT64_MAX;
			continue;
		}
		if (!user_active(run, my_slot->first_user + next, worker_now_us()))
		{
			/* not on in this stage: look again */
			due_us[next] = worker_now_us() + 50000;
			continue;
		}

		worker_run_operation(user, due_us[next], ctx, op_context, ring);
		worker_handle_interrupts();
		due_us[next] = worker_now_us() + worker_think_us(user);
	}
}

static void
worker_serve_users(void)
{
	WorkerContext ctx;
	MemoryContext op_context;
	SampleRing *ring = runstate_ring(run, my_worker_no);

	memset(&ctx, 0, sizeof(ctx));
	op_context = AllocSetContextCreate(TopMemoryContext,
									   "loadtest operation",
									   ALLOCSET_DEFAULT_SIZES);
	if (!worker_prepare(&ctx))
		return;

	next_memory_us = worker_now_us();
	memory_trace_publish(my_slot, next_memory_us, 0);
	next_memory_us += MEMORY_TRACE_INTERVAL_US;
	if (run->shape.service == SERVICE_ARRIVALS)
		worker_serve_arrivals(&ctx, op_context, ring);
	else if (run->shape.service == SERVICE_POOLED)
		worker_serve_pool(&ctx, op_context, ring);
	else
		worker_serve_own_users(&ctx, op_context, ring);
	memory_trace_publish(my_slot, worker_now_us(),
						 (int64) pg_atomic_read_u64(&my_slot->ops_done));
}

/* Entry point of a user worker; the argument is its worker number. */
void
loadtest_user_worker_main(Datum main_arg)
{
	dsm_handle	handle;
	dsm_segment *segment;
	char		appname[NAMEDATALEN];

	my_worker_no = DatumGetInt32(main_arg);
	memcpy(&handle, MyBgworkerEntry->bgw_extra, sizeof(handle));

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* A run that is already over has nothing for us. */
	segment = dsm_attach(handle);
	if (segment == NULL)
		proc_exit(0);
	run = runstate_attach(segment);
	if (run == NULL || my_worker_no < 0 || my_worker_no >= run->nworkers)
		proc_exit(0);

	my_slot = runstate_slot(run, my_worker_no);
	my_slot->pid = MyProcPid;
	my_slot->pgprocno = MyProc->pgprocno;
	before_shmem_exit(worker_on_exit, (Datum) 0);
	pg_atomic_write_u32(&my_slot->state, SLOT_ATTACHED);
	runstate_wake(run->coordinator_pgprocno);

	BackgroundWorkerInitializeConnectionByOid(run->database_id, run->role_id, 0);
	trust_pin_search_path();
	op_timeout_ms = run->op_timeout_ms;
	if (StatementTimeout > 0 &&
		(op_timeout_ms == 0 || StatementTimeout < op_timeout_ms))
		op_timeout_ms = StatementTimeout;

	snprintf(appname, sizeof(appname), "loadtest run " INT64_FORMAT " worker %d",
			 run->run_id, my_worker_no + 1);
	SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("default_transaction_isolation",
					loadtest_isolation_name(run->isolation),
					PGC_USERSET, PGC_S_SESSION);

	pg_atomic_write_u32(&my_slot->state, SLOT_RUNNING);
	worker_serve_users();

	/*
	 * The run's statistics must hold all of this worker's activity when the
	 * recorder reads them, which it does once the worker is gone: flush
	 * them now (the flush at exit comes after the slot says exited).
	 */
	worker_report_idle();
	pgstat_report_stat(true);
	proc_exit(0);
}
