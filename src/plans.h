/*-------------------------------------------------------------------------
 *
 * plans.h
 *	  The plans a run starts with: EXPLAIN (FORMAT JSON) of every statement
 *	  of its operations, captured by the recorder as the calling role, and
 *	  kept in loadtest.run_plans with whether their shape changed since the
 *	  last earlier run; and the relations those statements use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_PLANS_H
#define LOADTEST_PLANS_H

#include "runstate.h"
#include "workload.h"

extern void plans_capture(RunState *run, WorkloadOperation **ops, int nops);
extern void plans_keep(RunState *run);
extern Oid *plans_relations(int *n);

#endif							/* LOADTEST_PLANS_H */
