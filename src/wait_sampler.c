/*-------------------------------------------------------------------------
 *
 * wait_sampler.c
 *	  The wait sampler of a run, in its recorder.
 *
 * A timeout of the recorder fires every loadtest.wait_sample_interval_ms
 * (the SIGALRM of PostgreSQL's timeouts, so that the recorder's own work,
 * writing samples, does not delay it).  Its handler reads, without locks
 * as pg_wait_sampling does, for each worker the operation it runs now
 * (WorkerSlot.current_op, published by the worker around the timed part)
 * and the wait_event_info of its PGPROC, and counts the pair.  No wait
 * event means the worker is on CPU (pg_wait_sampling 1.1 does not count
 * those); a worker between operations (thinking, idle in the pool,
 * handing a sample over) is not counted.  The handler only reads shared
 * memory and increments counters allocated in advance: it is safe in a
 * signal handler.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"

#include "sample_writer.h"
#include "spi_args.h"
#include "wait_sampler.h"

/* Distinct wait events a run can tell apart (PostgreSQL 15 has ~250). */
#define SAMPLER_EVENTS		512

static RunState *run;
static RunState *volatile sampled_run;	/* NULL once stopped: the handler looks */
static TimeoutId sampler_timeout;
static bool sampler_running;
static int	noperations;

/* Open addressing of wait_event_info values (0: on CPU). */
static uint32 event_info[SAMPLER_EVENTS];
static bool event_used[SAMPLER_EVENTS];
static uint64 *counts;			/* [noperations][SAMPLER_EVENTS] */
static volatile uint64 samples_unplaced;	/* the table was full */

static int
event_slot(uint32 info)
{
	uint32		h = murmurhash32(info) & (SAMPLER_EVENTS - 1);

	for (int probe = 0; probe < SAMPLER_EVENTS; probe++)
	{
		uint32		i = (h + probe) & (SAMPLER_EVENTS - 1);

		if (!event_used[i])
		{
			event_info[i] = info;
			event_used[i] = true;
			return (int) i;
		}
		if (event_info[i] == info)
			return (int) i;
	}
	return -1;
}

/* The timeout's handler: one sample of every worker inside an operation. */
static void
wait_sampler_tick(void)
{
	RunState   *rs = sampled_run;

	if (rs == NULL)
		return;
	for (int w = 0; w < rs->nworkers; w++)
	{
		WorkerSlot *slot = runstate_slot(rs, w);
		uint32		op = pg_atomic_read_u32(&slot->current_op);
		uint32		info;
		int			e;

		if (op == 0 || op > (uint32) noperations ||
			pg_atomic_read_u32(&slot->state) != SLOT_RUNNING ||
			slot->pgprocno < 0 || slot->pgprocno >= (int) ProcGlobal->allProcCount)
			continue;
		info = *((volatile uint32 *) &ProcGlobal->allProcs[slot->pgprocno].wait_event_info);
		e = event_slot(info);
		if (e < 0)
			samples_unplaced++;
		else
			counts[(op - 1) * SAMPLER_EVENTS + e]++;
	}
}

/* Start sampling, if the run asks for it (wait_sample_interval_ms > 0). */
void
wait_sampler_start(RunState *rs)
{
	run = rs;
	noperations = rs->patterns.noperations;
	if (rs->wait_sample_interval_ms <= 0)
		return;
	counts = MemoryContextAllocZero(TopMemoryContext,
									sizeof(uint64) * noperations * SAMPLER_EVENTS);
	sampler_timeout = RegisterTimeout(USER_TIMEOUT, wait_sampler_tick);
	sampled_run = rs;
	enable_timeout_every(sampler_timeout,
						 TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													 rs->wait_sample_interval_ms),
						 rs->wait_sample_interval_ms);
	sampler_running = true;
}

/*
 * Stop sampling; also at the recorder's exit, however it happens, before
 * the run's segment is detached: the timer must not read it after that.
 */
void
wait_sampler_stop(void)
{
	sampled_run = NULL;
	if (!sampler_running)
		return;
	disable_timeout(sampler_timeout, false);
	sampler_running = false;
}

/*
 * Write the profile: one row per operation and wait event, with its share
 * of the operation's samples.  As the results' owner, in a transaction.
 */
void
wait_sampler_write(void)
{
	int			capacity = noperations * SAMPLER_EVENTS;
	Datum	   *operation;
	Datum	   *type;
	Datum	   *event;
	Datum	   *samples;
	Datum	   *share;
	int			n = 0;
	SpiArgs		args = SPI_ARGS_INIT;

	wait_sampler_stop();
	if (counts == NULL)
		return;
	operation = palloc(sizeof(Datum) * capacity);
	type = palloc(sizeof(Datum) * capacity);
	event = palloc(sizeof(Datum) * capacity);
	samples = palloc(sizeof(Datum) * capacity);
	share = palloc(sizeof(Datum) * capacity);
	for (int op = 0; op < noperations; op++)
	{
		uint64		total = 0;

		for (int e = 0; e < SAMPLER_EVENTS; e++)
			total += counts[op * SAMPLER_EVENTS + e];
		for (int e = 0; e < SAMPLER_EVENTS && total > 0; e++)
		{
			uint64		c = counts[op * SAMPLER_EVENTS + e];
			const char *type_name;
			const char *event_name;

			if (c == 0)
				continue;
			type_name = event_info[e] == 0 ? "CPU" : pgstat_get_wait_event_type(event_info[e]);
			event_name = event_info[e] == 0 ? "CPU" : pgstat_get_wait_event(event_info[e]);
			operation[n] = CStringGetTextDatum(run->patterns.operations[op]);
			type[n] = CStringGetTextDatum(type_name ? type_name : "???");
			event[n] = CStringGetTextDatum(event_name ? event_name : "???");
			samples[n] = Int64GetDatum((int64) c);
			share[n] = Float8GetDatum(100.0 * (double) c / (double) total);
			n++;
		}
	}
	if (n == 0)
		return;
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(operation, NULL, n, TEXTOID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(type, NULL, n, TEXTOID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(event, NULL, n, TEXTOID)));
	spi_arg(&args, INT8ARRAYOID, PointerGetDatum(datum_array(samples, NULL, n, INT8OID)));
	spi_arg(&args, FLOAT8ARRAYOID, PointerGetDatum(datum_array(share, NULL, n, FLOAT8OID)));
	if (spi_execute("INSERT INTO loadtest.wait_profile (run_id, operation, wait_event_type,"
					" wait_event, samples, share_pct) SELECT $1, w.* FROM ROWS FROM ("
					UNNEST(2) ", " UNNEST(3) ", " UNNEST(4) ", " UNNEST(5) ", "
					UNNEST(6) ") AS w", &args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's wait profile");
}
