/*-------------------------------------------------------------------------
 *
 * wait_sampler.h
 *	  Where the time of a run's operations went: the recorder samples the
 *	  wait event of each worker that runs an operation, every
 *	  loadtest.wait_sample_interval_ms, and counts it against that
 *	  operation (loadtest.wait_profile).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_WAIT_SAMPLER_H
#define LOADTEST_WAIT_SAMPLER_H

#include "runstate.h"

extern void wait_sampler_start(RunState *run);
extern void wait_sampler_stop(void);
extern void wait_sampler_write(void);

#endif							/* LOADTEST_WAIT_SAMPLER_H */
