/*-------------------------------------------------------------------------
 *
 * summaries.h
 *	  What the recorder keeps of every attempted operation, whatever
 *	  samples => ... chooses: mergeable latency and wait histograms per
 *	  operation, per stage and operation, and per second; counts of errors
 *	  by operation, SQLSTATE and message; each user's figures.  Written into
 *	  loadtest.run_histograms and loadtest.run_errors (see 10_schema.sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_SUMMARIES_H
#define LOADTEST_SUMMARIES_H

#include "runstate.h"

/* A user's figures, for loadtest.run_users. */
typedef struct UserFigures
{
	int64		errors;
	double		latency_sum_us;
	double		latency_p95_us; /* -1: no operations */
} UserFigures;

extern void summaries_init(RunState *run);
extern void summaries_add(const SampleRecord *sample, const char *message);
extern void summaries_note_counters(int64 elapsed_us, int64 commits, uint64 wal_bytes);
extern bool summaries_seconds_full(void);
extern void summaries_write_seconds(void);
extern void summaries_write(void);
extern void summaries_user(int user_index, UserFigures *figures);

#endif							/* LOADTEST_SUMMARIES_H */
