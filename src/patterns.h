/*-------------------------------------------------------------------------
 *
 * patterns.h
 *	  What the pattern argument of a run names, resolved against the
 *	  workload catalogue: the run's patterns (each an operation mix), how
 *	  its users are shared among them, and the operations they use.
 *
 * A run's patterns are "leaves": a pattern with weights, or one operation
 * alone (recorded as single_operation).  A mix such as distributed shares
 * the users among its patterns by the largest remainder method.  The run
 * numbers its operations and patterns from 0; samples record those
 * numbers, and loadtest.run_operations / run_patterns their names.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_PATTERNS_H
#define LOADTEST_PATTERNS_H

#include "common/pg_prng.h"
#include "utils/jsonb.h"

#define LOADTEST_MAX_RUN_OPERATIONS	64
#define LOADTEST_MAX_RUN_PATTERNS	32
#define SINGLE_OPERATION_PATTERN	"single_operation"

/* The run's patterns and operations; kept in the run's shared state. */
typedef struct RunPatterns
{
	int32		noperations;
	int32		npatterns;
	double		shares[LOADTEST_MAX_RUN_PATTERNS];	/* of users */
	char		operations[LOADTEST_MAX_RUN_OPERATIONS][NAMEDATALEN];
	char		patterns[LOADTEST_MAX_RUN_PATTERNS][NAMEDATALEN];
	/* per pattern, cumulative weights of the operations */
	double		cumulative[LOADTEST_MAX_RUN_PATTERNS][LOADTEST_MAX_RUN_OPERATIONS];
} RunPatterns;

extern void patterns_resolve(const char *name, RunPatterns *rp);
extern void patterns_check_definition(const char *name, Jsonb *weights,
									  Jsonb *mix);
extern void patterns_distribute(const RunPatterns *rp, int nusers, int *counts);
extern void patterns_assign(const RunPatterns *rp, int nusers, int16 *patterns);
extern double patterns_weight(const RunPatterns *rp, int pattern, int operation);
extern void patterns_check_owner(const char *operation, const char *owner,
								 Oid owner_id, bool builtin);

/* Draw the next operation of a user of the given pattern. */
static inline int
patterns_choose_operation(const RunPatterns *rp, int pattern, pg_prng_state *rng)
{
	const double *cumulative = rp->cumulative[pattern];
	int			n = rp->noperations;
	double		u;

	if (n == 1)
		return 0;
	u = pg_prng_double(rng) * cumulative[n - 1];
	for (int i = 0; i < n - 1; i++)
		if (u < cumulative[i])
			return i;
	return n - 1;
}

#endif							/* LOADTEST_PATTERNS_H */
