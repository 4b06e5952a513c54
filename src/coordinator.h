/*-------------------------------------------------------------------------
 *
 * coordinator.h
 *	  The body of a run, shared by loadtest_run(), loadtest_run_procedure()
 *	  and the launcher of loadtest_start() (background.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_COORDINATOR_H
#define LOADTEST_COORDINATOR_H

#include "fmgr.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"

#include "run_request.h"

/* Who coordinates the run, and so how its transaction is handled. */
typedef enum RunCaller
{
	CALLER_FUNCTION,			/* loadtest_run(): the caller's transaction */
	CALLER_PROCEDURE,			/* CALL loadtest_run_procedure(): commits once started */
	CALLER_LAUNCHER				/* loadtest_start()'s launcher: tells the starter, commits */
} RunCaller;

/* The 11 arguments of loadtest_run() and loadtest_start(). */
#define RUN_ARGUMENTS	11
extern const Oid run_argument_types[];

extern int64 run_load_test(FunctionCallInfo fcinfo, RunCaller caller);
extern int	coordinator_free_worker_slots(void);
extern void coordinator_refuse_nested_run(void);
extern BackgroundWorkerHandle *coordinator_register_worker(const char *function, const char *type,
														   const char *name, dsm_segment *segment,
														   int32 main_arg);
extern void coordinator_check_worker_slots(const RunRequest *req, bool with_launcher);

/* background.c: the launcher's run exists (called by run_load_test) */
extern void background_run_started(int64 run_id);

#endif							/* LOADTEST_COORDINATOR_H */
