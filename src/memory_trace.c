/*-------------------------------------------------------------------------
 *
 * memory_trace.c
 *	  Each worker's memory over a run (see memory_trace.h).
 *
 * A worker publishes a point when it starts serving, every 5 seconds, and
 * when it ends, into a ring of MEMORY_SLOT_POINTS in its slot: it writes
 * point k in place k % MEMORY_SLOT_POINTS, then counts it written.  The
 * recorder, which looks ten times a second, reads the points written since
 * its last look, and keeps one only if the worker had not begun to write
 * over it by the end of the read.  A worker whose run is shorter than the
 * recorder's look loses no point: its start and end points are both in the
 * ring.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/memutils.h"

#include "memory_trace.h"
#include "sample_writer.h"
#include "spi_args.h"

typedef struct MemoryPoint
{
	int64		at_us;
	int64		ops;
	int64		bytes;
} MemoryPoint;

typedef struct WorkerTrace
{
	uint32		read;			/* points of the slot read so far */
	int			npoints;
	int			stride;			/* keep one published point in stride */
	int64		published;		/* points seen */
	bool		have_last;		/* last: the latest point, kept apart */
	MemoryPoint last;
	MemoryPoint points[MEMORY_TRACE_POINTS];
} WorkerTrace;

static RunState *run;
static WorkerTrace *traces;

/* In the worker, outside any timed part: publish its memory now. */
void
memory_trace_publish(WorkerSlot *slot, int64 at_us, int64 ops)
{
	uint32		k = pg_atomic_read_u32(&slot->memory_written);
	int			place = k % MEMORY_SLOT_POINTS;

	slot->memory_points[place].at_us = at_us;
	slot->memory_points[place].ops = ops;
	slot->memory_points[place].bytes = (int64) MemoryContextMemAllocated(TopMemoryContext, true);
	pg_write_barrier();
	pg_atomic_write_u32(&slot->memory_written, k + 1);
}

void
memory_trace_init(RunState *rs)
{
	run = rs;
	traces = MemoryContextAllocZero(TopMemoryContext, sizeof(WorkerTrace) * rs->nworkers);
	for (int w = 0; w < rs->nworkers; w++)
		traces[w].stride = 1;
}

/* Keep a point; when full, keep every other one and take half as many. */
static void
trace_keep(WorkerTrace *t, const MemoryPoint *p)
{
	t->last = *p;
	t->have_last = true;
	if (t->published++ % t->stride != 0)
		return;
	if (t->npoints == MEMORY_TRACE_POINTS)
	{
		for (int i = 0; i < MEMORY_TRACE_POINTS / 2; i++)
			t->points[i] = t->points[2 * i];
		t->npoints = MEMORY_TRACE_POINTS / 2;
		t->stride *= 2;
		if ((t->published - 1) % t->stride != 0)
			return;
	}
	t->points[t->npoints++] = *p;
}

/* Read the points the workers published since the last look. */
void
memory_trace_poll(void)
{
	for (int w = 0; w < run->nworkers; w++)
	{
		WorkerSlot *slot = runstate_slot(run, w);
		WorkerTrace *t = &traces[w];
		uint32		written = pg_atomic_read_u32(&slot->memory_written);

		pg_read_barrier();
		/* points already written over are gone */
		if (written - t->read > MEMORY_SLOT_POINTS)
			t->read = written - MEMORY_SLOT_POINTS;
		for (; t->read != written; t->read++)
		{
			int			place = t->read % MEMORY_SLOT_POINTS;
			MemoryPoint p;

			p.at_us = slot->memory_points[place].at_us;
			p.ops = slot->memory_points[place].ops;
			p.bytes = slot->memory_points[place].bytes;
			pg_read_barrier();
			/* the worker writes this place again for point read + POINTS */
			if (pg_atomic_read_u32(&slot->memory_written) - t->read >= MEMORY_SLOT_POINTS)
				continue;
			trace_keep(t, &p);
		}
	}
}

/* Write the points, each worker's latest included.  As the results' owner. */
void
memory_trace_write(void)
{
	int			capacity = 0;
	Datum	   *worker_no;
	Datum	   *at_s;
	Datum	   *ops;
	Datum	   *bytes;
	int			n = 0;
	SpiArgs		args = SPI_ARGS_INIT;

	memory_trace_poll();
	for (int w = 0; w < run->nworkers; w++)
		capacity += traces[w].npoints + 1;
	worker_no = palloc(sizeof(Datum) * Max(capacity, 1));
	at_s = palloc(sizeof(Datum) * Max(capacity, 1));
	ops = palloc(sizeof(Datum) * Max(capacity, 1));
	bytes = palloc(sizeof(Datum) * Max(capacity, 1));
	for (int w = 0; w < run->nworkers; w++)
	{
		WorkerTrace *t = &traces[w];

		for (int i = 0; i <= t->npoints; i++)
		{
			const MemoryPoint *p = i < t->npoints ? &t->points[i] : &t->last;

			if (i == t->npoints &&
				(!t->have_last || (t->npoints > 0 && t->points[t->npoints - 1].at_us == t->last.at_us)))
				continue;
			worker_no[n] = Int32GetDatum(w + 1);
			at_s[n] = Float8GetDatum(p->at_us / 1000000.0);
			ops[n] = Int64GetDatum(p->ops);
			bytes[n] = Int64GetDatum(p->bytes);
			n++;
		}
	}
	if (n == 0)
		return;
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg(&args, INT4ARRAYOID, PointerGetDatum(datum_array(worker_no, NULL, n, INT4OID)));
	spi_arg(&args, FLOAT8ARRAYOID, PointerGetDatum(datum_array(at_s, NULL, n, FLOAT8OID)));
	spi_arg(&args, INT8ARRAYOID, PointerGetDatum(datum_array(ops, NULL, n, INT8OID)));
	spi_arg(&args, INT8ARRAYOID, PointerGetDatum(datum_array(bytes, NULL, n, INT8OID)));
	if (spi_execute("INSERT INTO loadtest.run_memory (run_id, worker_no, at_s, ops, bytes)"
					" SELECT $1, m.* FROM ROWS FROM (" UNNEST(2) ", " UNNEST(3) ", "
					UNNEST(4) ", " UNNEST(5) ") AS m", &args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the workers' memory");
}
