/*-------------------------------------------------------------------------
 *
 * run_request.h
 *	  A request to run a load test: the arguments of loadtest_run (or of
 *	  the procedure) checked, the pattern resolved against the catalogue,
 *	  and the run's shape decided; and the checks of the server, the role
 *	  and the calling transaction that come before anything starts.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_RUN_REQUEST_H
#define LOADTEST_RUN_REQUEST_H

#include "fmgr.h"

#include "patterns.h"
#include "runstate.h"

/* A checked request. */
typedef struct RunRequest
{
	int32		users;
	int32		ops;
	char	   *pattern;
	RunPatterns *patterns;		/* what pattern names, resolved */
	int32		think_time_ms;
	double		ramp_up_s;
	bool		force;
	int32		pool_size;		/* 0: one worker per user */
	int64		duration_us;	/* 0: ops bound the run */
	double		rate;			/* 0: closed model */
	int			nstages;		/* stages => ...; 0: none */
	bool		stages_rate;
	RunStage	stages[LOADTEST_MAX_STAGES];
	SamplesKept samples_kept;	/* samples => ... */
	double		samples_fraction;
	char		samples_text[32];
	RunShape	shape;			/* decided from the above (run_shape_decide) */
} RunRequest;

extern void run_request_parse(FunctionCallInfo fcinfo, RunRequest *req);
extern void run_request_resolve_patterns(const char *pattern, RunPatterns *patterns);
extern void run_request_check_server(const RunRequest *req);
extern void run_request_check_locks(void);

#endif							/* LOADTEST_RUN_REQUEST_H */
