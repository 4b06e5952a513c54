/*-------------------------------------------------------------------------
 *
 * patterns.c
 *	  User patterns of the reference guide: the operation mix of each, the
 *	  "distributed" sharing of users among them, and pattern names.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "utils/builtins.h"
#include "utils/formatting.h"

#include "patterns.h"

static const char *const pattern_names[NUM_USER_PATTERNS] = {
	"read_heavy",
	"write_heavy",
	"mixed",
	"file_operations",
	"single_operation",
};

/* Shares of the "distributed" pattern, in percent: 50/20/25/5. */
static const int distributed_shares[NUM_DISTRIBUTED_PATTERNS] = {50, 20, 25, 5};

/*
 * Operation mix of each pattern, in percent (each row adds up to 100).
 * read_heavy: 90% reads; write_heavy: 70% writes; mixed: 60% reads;
 * file_operations: file operations only.
 */
static const int op_weights[NUM_DISTRIBUTED_PATTERNS][NUM_LOADTEST_OPS] = {
	/* list detail search orgs students | cm um ce ues coc | lfa cfa rfm */
	[PATTERN_READ_HEAVY] = {25, 25, 20, 10, 10, 2, 3, 2, 2, 1, 0, 0, 0},
	[PATTERN_WRITE_HEAVY] = {8, 10, 8, 2, 2, 15, 20, 12, 15, 8, 0, 0, 0},
	[PATTERN_MIXED] = {15, 18, 15, 6, 6, 8, 12, 7, 8, 5, 0, 0, 0},
	[PATTERN_FILE_OPERATIONS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 45, 20, 35},
};

const char *
pattern_name(UserPattern pattern)
{
	Assert(pattern >= 0 && pattern < NUM_USER_PATTERNS);
	return pattern_names[pattern];
}

/*
 * Parse the pattern argument of loadtest_run.  Names are exact and
 * lower-case; anything else is an error listing the valid names.
 */
void
pattern_parse(const char *name, PatternRequest *request)
{
	int			op;

	memset(request, 0, sizeof(*request));
	/* an over-long name is quoted by its start, not echoed in full */
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown load test pattern \"%.*s...\"",
						pg_mbcliplen(name, strlen(name), 20), name),
				 errdetail("Pattern names are shorter than %d bytes.", NAMEDATALEN),
				 errhint("Use pattern => 'distributed' for the reference mix of users.")));
	if (strcmp(name, "distributed") == 0)
	{
		request->distributed = true;
		return;
	}
	for (int p = 0; p < NUM_DISTRIBUTED_PATTERNS; p++)
	{
		if (strcmp(name, pattern_names[p]) == 0)
		{
			request->pattern = (UserPattern) p;
			return;
		}
	}
	op = op_lookup(name);
	if (op >= 0)
	{
		request->pattern = PATTERN_SINGLE_OPERATION;
		request->single_op = (LoadtestOp) op;
		return;
	}

	{
		char	   *lower = asc_tolower(name, strlen(name));
		bool		case_only = strcmp(lower, name) != 0 &&
			(strcmp(lower, "distributed") == 0 || op_lookup(lower) >= 0);

		for (int p = 0; p < NUM_DISTRIBUTED_PATTERNS && !case_only; p++)
			case_only = strcmp(lower, pattern_names[p]) == 0;

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown load test pattern \"%s\"", name),
				 errdetail("Valid patterns are distributed, read_heavy, write_heavy, mixed, file_operations, or the name of one operation (see loadtest.operations)."),
				 case_only ?
				 errhint("Pattern names are lower case: use \"%s\".", lower) :
				 errhint("Use pattern => 'distributed' for the reference mix of users.")));
	}
}

/*
 * Split nusers among the four patterns of "distributed" by the largest
 * remainder method, so the counts add up to nusers exactly.  Ties in the
 * remainder go to the pattern with the smaller share (50 users: 25, 10, 12
 * and 3, as in the reference guide's sample report).
 */
void
pattern_distribute(int nusers, int counts[NUM_DISTRIBUTED_PATTERNS])
{
	int			remainders[NUM_DISTRIBUTED_PATTERNS];
	int			assigned = 0;

	for (int p = 0; p < NUM_DISTRIBUTED_PATTERNS; p++)
	{
		int64		scaled = (int64) nusers * distributed_shares[p];

		counts[p] = (int) (scaled / 100);
		remainders[p] = (int) (scaled % 100);
		assigned += counts[p];
	}
	while (assigned < nusers)
	{
		int			best = 0;

		for (int p = 1; p < NUM_DISTRIBUTED_PATTERNS; p++)
			if (remainders[p] >= remainders[best])
				best = p;
		counts[best]++;
		remainders[best] = -1;
		assigned++;
	}
}

/*
 * Give each of nusers users a pattern of "distributed", interleaved so that
 * at every point of the ramp-up the patterns started so far are close to
 * their shares: user i gets the pattern furthest behind its quota.
 */
void
pattern_assign(int nusers, UserPattern *patterns)
{
	int			counts[NUM_DISTRIBUTED_PATTERNS];
	int			given[NUM_DISTRIBUTED_PATTERNS] = {0};

	pattern_distribute(nusers, counts);
	for (int i = 0; i < nusers; i++)
	{
		int			best = -1;
		double		best_deficit = 0;

		for (int p = 0; p < NUM_DISTRIBUTED_PATTERNS; p++)
		{
			double		deficit;

			if (given[p] >= counts[p])
				continue;
			deficit = (double) counts[p] * (i + 1) / nusers - given[p];
			if (best < 0 || deficit > best_deficit)
			{
				best = p;
				best_deficit = deficit;
			}
		}
		Assert(best >= 0);
		patterns[i] = (UserPattern) best;
		given[best]++;
	}
}

/* Draw the next operation of a user of the given pattern. */
LoadtestOp
pattern_choose_op(UserPattern pattern, LoadtestOp single_op, pg_prng_state *rng)
{
	int			draw;

	if (pattern == PATTERN_SINGLE_OPERATION)
		return single_op;

	draw = (int) pg_prng_uint64_range(rng, 0, 99);
	for (int op = 0; op < NUM_LOADTEST_OPS; op++)
	{
		draw -= op_weights[pattern][op];
		if (draw < 0)
			return (LoadtestOp) op;
	}
	pg_unreachable();
}
