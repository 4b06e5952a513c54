/*-------------------------------------------------------------------------
 *
 * progress.h
 *	  The live figures of a running run, read from its shared memory: what
 *	  loadtest.progress shows and what the progress notices say.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_PROGRESS_H
#define LOADTEST_PROGRESS_H

#include "runstate.h"

typedef struct RunProgress
{
	bool		started;		/* the run's clock is running */
	double		elapsed_s;
	uint64		ops_done;		/* attempted, failed ones included */
	int64		ops_planned;	/* -1 when time bounds the run */
	double		duration_s;		/* planned; -1 when operations bound it */
	double		ops_per_s;		/* over the last PROGRESS_WINDOW_S seconds */
	double		p50_ms;			/* ... -1 when nothing ended then */
	double		p95_ms;
	uint64		errors;
	int			users_active;
	int			workers_active;
	double		eta_s;			/* -1 when unknown */
} RunProgress;

extern void progress_note_attempt(RunState *run, int64 end_us, int64 latency_us,
								  bool failed);
extern void progress_read(RunState *run, RunProgress *progress);
extern char *progress_text(RunState *run, const RunProgress *progress);

#endif							/* LOADTEST_PROGRESS_H */
