/*-------------------------------------------------------------------------
 *
 * memory_trace.h
 *	  Each worker's memory over a run: the worker publishes the total of its
 *	  memory contexts in its slot when it starts serving, every
 *	  MEMORY_TRACE_INTERVAL_US after, and when it ends; the recorder keeps
 *	  the points (at most MEMORY_TRACE_POINTS per worker, thinned evenly
 *	  over a long run) and writes them into loadtest.run_memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_MEMORY_TRACE_H
#define LOADTEST_MEMORY_TRACE_H

#include "runstate.h"

#define MEMORY_TRACE_INTERVAL_US	(INT64CONST(5) * 1000000)
#define MEMORY_TRACE_POINTS		64

extern void memory_trace_publish(WorkerSlot *slot, int64 at_us, int64 ops);
extern void memory_trace_init(RunState *run);
extern void memory_trace_poll(void);
extern void memory_trace_write(void);

#endif							/* LOADTEST_MEMORY_TRACE_H */
