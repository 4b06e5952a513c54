/*-------------------------------------------------------------------------
 *
 * patterns.h
 *	  User patterns: which operations a simulated user runs and how often,
 *	  and how the "distributed" pattern shares users among patterns.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_PATTERNS_H
#define LOADTEST_PATTERNS_H

#include "common/pg_prng.h"

#include "operations.h"

/* Order and names match the SQL enum loadtest.pattern. */
typedef enum UserPattern
{
	PATTERN_READ_HEAVY = 0,
	PATTERN_WRITE_HEAVY,
	PATTERN_MIXED,
	PATTERN_FILE_OPERATIONS,
	PATTERN_SINGLE_OPERATION,
	NUM_USER_PATTERNS
} UserPattern;

#define NUM_DISTRIBUTED_PATTERNS	4	/* the first four */

/* What the pattern argument of loadtest_run names. */
typedef struct PatternRequest
{
	bool		distributed;	/* users get one of the four patterns */
	UserPattern pattern;		/* when not distributed */
	LoadtestOp	single_op;		/* when pattern is PATTERN_SINGLE_OPERATION */
} PatternRequest;

extern const char *pattern_name(UserPattern pattern);
extern void pattern_parse(const char *name, PatternRequest *request);
extern void pattern_distribute(int nusers, int counts[NUM_DISTRIBUTED_PATTERNS]);
extern void pattern_assign(int nusers, UserPattern *patterns);
extern LoadtestOp pattern_choose_op(UserPattern pattern, LoadtestOp single_op,
									pg_prng_state *rng);

#endif							/* LOADTEST_PATTERNS_H */
