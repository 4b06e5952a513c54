/*-------------------------------------------------------------------------
 *
 * value_sets.h
 *	  The values a run's column and page generators draw from (ValueSet in
 *	  generators.h): gathered by the recorder, attached by the workers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_VALUE_SETS_H
#define LOADTEST_VALUE_SETS_H

#include "workload.h"

extern Size value_sets_gather(WorkloadOperation **ops, int nops, uint64 seed,
							  int hot_rows, char **buffer);
extern void value_sets_attach(WorkloadOperation **ops, int nops,
							  const char *segment, Size size);

#endif							/* LOADTEST_VALUE_SETS_H */
