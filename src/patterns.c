/*-------------------------------------------------------------------------
 *
 * patterns.c
 *	  Resolve a run's pattern argument against loadtest.patterns and
 *	  loadtest.operations, check a pattern being defined, and share a run's
 *	  users among its patterns.
 *
 * All of it runs with SPI connected; the catalogue is read as the caller
 * (every role may read it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/syscache.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/formatting.h"

#include "generators.h"
#include "patterns.h"
#include "spi_args.h"

/* One "name": number entry of a weights or mix object. */
typedef struct WeightEntry
{
	char	   *name;
	double		weight;
} WeightEntry;

/*
 * The entries of a JSON object of names and weights; what names the
 * object in messages ("pattern \"shop\": weights").
 */
static WeightEntry *
parse_weights(Jsonb *object, const char *what, const char *hint, int *n)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;
	WeightEntry *entries;
	int			count = 0;
	double		total = 0;

	if (!JB_ROOT_IS_OBJECT(object) || JB_ROOT_COUNT(object) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is not a non-empty JSON object", what),
				 errhint("%s", hint)));
	entries = palloc(sizeof(WeightEntry) * JB_ROOT_COUNT(object));
	it = JsonbIteratorInit(&object->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (token == WJB_KEY)
			entries[count].name = pnstrdup(v.val.string.val, v.val.string.len);
		else if (token == WJB_VALUE)
		{
			double		w;

			if (v.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the weight of \"%s\" is not a number", what,
								entries[count].name),
						 errhint("%s", hint)));
			w = jsonb_number_double(&v);
			if (!(w >= 0) || isinf(w))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: the weight of \"%s\" is %g, not a finite number of 0 or more",
								what, entries[count].name, w),
						 errhint("%s", hint)));
			entries[count++].weight = w;
			total += w;
		}
	}
	if (!(total > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has no positive weight", what),
				 errhint("%s", hint)));
	if (isinf(total))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has weights whose sum is not a finite number", what),
				 errhint("%s", hint)));
	*n = count;
	return entries;
}

static const char *const weights_hint =
"weights => '{\"order_lookup\": 80, \"order_create\": 20}': each user picks operations by weight.";
static const char *const mix_hint =
"mix => '{\"shop\": 50, \"read_heavy\": 50}': the users are shared among patterns with weights.";

/* Does the catalogue have an operation of that name? */
static bool
operation_exists(const char *name)
{
	SpiArgs		args = SPI_ARGS_INIT;

	spi_arg_text(&args, name);
	if (spi_execute("SELECT 1 FROM loadtest.operations WHERE operation OPERATOR(pg_catalog.=) $1",
					&args, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.operations");
	return SPI_processed == 1;
}

/*
 * A pattern's weights and mix as jsonb (either NULL); false when there is
 * no such pattern.
 */
static bool
read_pattern(const char *name, Jsonb **weights, Jsonb **mix)
{
	SpiArgs		args = SPI_ARGS_INIT;
	bool		isnull;
	Datum		d;

	spi_arg_text(&args, name);
	if (spi_execute("SELECT weights, mix FROM loadtest.patterns WHERE pattern OPERATOR(pg_catalog.=) $1",
					&args, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.patterns");
	if (SPI_processed != 1)
		return false;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	*weights = isnull ? NULL : DatumGetJsonbPCopy(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	*mix = isnull ? NULL : DatumGetJsonbPCopy(d);
	return true;
}

/* The names of the catalogue, for the message about an unknown one. */
static char *
known_names(void)
{
	SpiArgs		args = SPI_ARGS_INIT;

	if (spi_execute("SELECT pg_catalog.string_agg(pattern, ', ' ORDER BY NOT builtin, pattern)"
					" FROM loadtest.patterns", &args, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		return "";
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

static void pg_attribute_noreturn()
unknown_pattern(const char *name)
{
	char	   *lower = asc_tolower(name, strlen(name));
	Jsonb	   *w;
	Jsonb	   *m;
	bool		case_only = strcmp(lower, name) != 0 &&
		(read_pattern(lower, &w, &m) || operation_exists(lower));

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown load test pattern \"%s\"", name),
			 errdetail("Patterns are %s (see loadtest.patterns), or the name of one operation (see loadtest.operations).",
					   known_names()),
			 case_only ?
			 errhint("Pattern names are lower case: use \"%s\".", lower) :
			 errhint("Use pattern => 'distributed' for the reference mix of users.")));
}

/* The run's number of an operation, adding it if it is new. */
static int
run_operation(RunPatterns *rp, const char *name)
{
	for (int i = 0; i < rp->noperations; i++)
		if (strcmp(rp->operations[i], name) == 0)
			return i;
	if (rp->noperations >= LOADTEST_MAX_RUN_OPERATIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the run would use more than %d operations", LOADTEST_MAX_RUN_OPERATIONS),
				 errhint("Use fewer operations in one run.")));
	strlcpy(rp->operations[rp->noperations], name, NAMEDATALEN);
	return rp->noperations++;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(((const WeightEntry *) a)->name, ((const WeightEntry *) b)->name);
}

/* Largest share first, then by name: the order of the run's patterns. */
static int
compare_shares(const void *a, const void *b)
{
	const WeightEntry *x = a;
	const WeightEntry *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Add a leaf pattern with these operation weights. */
static void
add_leaf(RunPatterns *rp, const char *name, double share,
		 WeightEntry *ops, int nops, const char *where)
{
	int			p = rp->npatterns;
	double		weights[LOADTEST_MAX_RUN_OPERATIONS] = {0};

	if (p >= LOADTEST_MAX_RUN_PATTERNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the run would use more than %d patterns", LOADTEST_MAX_RUN_PATTERNS),
				 errhint("Mix fewer patterns in one run.")));
	strlcpy(rp->patterns[p], name, NAMEDATALEN);
	rp->shares[p] = share;
	for (int i = 0; i < nops; i++)
	{
		if (!operation_exists(ops[i].name))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("%s names the operation \"%s\", which does not exist", where, ops[i].name),
					 errhint("SELECT operation FROM loadtest.operations; lists them.")));
		weights[run_operation(rp, ops[i].name)] += ops[i].weight;
	}
	rp->npatterns++;
	/* cumulative tables are built once every operation is numbered */
	memcpy(rp->cumulative[p], weights, sizeof(weights));
}

/*
 * May the calling role run a definition owned by owner?  A run executes
 * its operations' statements as the calling role, so it runs only SQL it
 * can trust: the built-ins, its own definitions, those of roles it is a
 * member of by an explicit GRANT (superuser status does not count: a
 * careful superuser must not run an operator's SQL with its rights by
 * naming the operator's pattern), and those of superusers.
 */
static bool
owner_trusted(Oid owner_id)
{
	return owner_id == GetUserId() || superuser_arg(owner_id) ||
		is_member_of_role_nosuper(GetUserId(), owner_id);
}

/* Refuse a run of an operation the caller may not trust (see above). */
void
patterns_check_owner(const char *operation, const char *owner, Oid owner_id,
					 bool builtin)
{
	if (builtin)
		return;
	/* a dropped role's definitions: nobody's, even under its old name */
	if (!OidIsValid(owner_id) ||
		!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner_id)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("operation \"%s\" was defined by role %s, which no longer exists",
						operation, owner),
				 errdetail("A dropped role's definitions are nobody's: no run executes them, even as another role of that name."),
				 errhint("A superuser may drop it (loadtest_drop_operation); define it again as a role that exists.")));
	if (!owner_trusted(owner_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("operation \"%s\" was defined by role %s, whose SQL role %s does not run",
						operation, owner, GetUserNameFromId(GetUserId(), false)),
				 errdetail("A run executes its operations' statements as the role that starts it: only built-ins, the role's own definitions, those of superusers and those of roles it is a member of."),
				 errhint("GRANT %s TO %s; trusts %s's definitions; or define the operation as %s.",
						 quote_identifier(owner), quote_identifier(GetUserNameFromId(GetUserId(), false)),
						 owner, GetUserNameFromId(GetUserId(), false))));
}

/* Check the owner of every operation of the run. */
static void
check_owners(const RunPatterns *rp)
{
	for (int o = 0; o < rp->noperations; o++)
	{
		SpiArgs		args = SPI_ARGS_INIT;
		bool		isnull;

		spi_arg_text(&args, rp->operations[o]);
		if (spi_execute("SELECT owner::pg_catalog.text, builtin, owner_id::pg_catalog.oid FROM loadtest.operations"
						" WHERE operation OPERATOR(pg_catalog.=) $1", &args, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read loadtest.operations");
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("operation \"%s\" does not exist", rp->operations[o]),
				 errhint("It was dropped as the run started: start the run again.")));
		patterns_check_owner(rp->operations[o],
							 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
							 DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
															SPI_tuptable->tupdesc, 3, &isnull)),
							 DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 2, &isnull)));
	}
}

/* Turn each pattern's weights into cumulative weights. */
static void
accumulate(RunPatterns *rp)
{
	for (int p = 0; p < rp->npatterns; p++)
	{
		double		total = 0;

		for (int o = 0; o < rp->noperations; o++)
		{
			total += rp->cumulative[p][o];
			rp->cumulative[p][o] = total;
		}
	}
}

/* The weight of an operation in a pattern of the run. */
double
patterns_weight(const RunPatterns *rp, int pattern, int operation)
{
	return rp->cumulative[pattern][operation] -
		(operation > 0 ? rp->cumulative[pattern][operation - 1] : 0);
}

/* qsort_arg comparator: operation indexes by the operations' names */
static int
compare_operation_names(const void *a, const void *b, void *arg)
{
	const RunPatterns *rp = arg;

	return strcmp(rp->operations[*(const int *) a], rp->operations[*(const int *) b]);
}

/*
 * Number the run's operations by name, whatever order the patterns met
 * them in, moving each pattern's weights along.
 */
static void
number_operations_by_name(RunPatterns *rp)
{
	int			order[LOADTEST_MAX_RUN_OPERATIONS];
	char		names[LOADTEST_MAX_RUN_OPERATIONS][NAMEDATALEN];
	double		weights[LOADTEST_MAX_RUN_OPERATIONS];

	for (int o = 0; o < rp->noperations; o++)
		order[o] = o;
	qsort_arg(order, rp->noperations, sizeof(int), compare_operation_names, rp);
	memcpy(names, rp->operations, sizeof(names));
	for (int o = 0; o < rp->noperations; o++)
		strlcpy(rp->operations[o], names[order[o]], NAMEDATALEN);
	for (int p = 0; p < rp->npatterns; p++)
	{
		memcpy(weights, rp->cumulative[p], sizeof(weights));
		for (int o = 0; o < rp->noperations; o++)
			rp->cumulative[p][o] = weights[order[o]];
	}
}

/*
 * Resolve a run's pattern argument: a mix, a pattern with weights, or
 * one operation.  The run's operations are numbered by name.  Errors
 * (an unknown name) are raised before anything starts.
 */
void
patterns_resolve(const char *name, RunPatterns *rp)
{
	Jsonb	   *weights;
	Jsonb	   *mix;
	WeightEntry *entries;
	int			n;

	memset(rp, 0, sizeof(*rp));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown load test pattern \"%.*s...\"",
						pg_mbcliplen(name, strlen(name), 20), name),
				 errdetail("Pattern names are shorter than %d bytes.", NAMEDATALEN),
				 errhint("Use pattern => 'distributed' for the reference mix of users.")));
	if (!read_pattern(name, &weights, &mix))
	{
		WeightEntry single = {(char *) name, 1};

		if (!operation_exists(name))
			unknown_pattern(name);
		add_leaf(rp, SINGLE_OPERATION_PATTERN, 1, &single, 1, name);
	}
	else if (weights != NULL)
	{
		entries = parse_weights(weights, psprintf("pattern \"%s\": weights", name), weights_hint, &n);
		qsort(entries, n, sizeof(WeightEntry), compare_names);
		add_leaf(rp, name, 1, entries, n, psprintf("pattern \"%s\"", name));
	}
	else
	{
		entries = parse_weights(mix, psprintf("pattern \"%s\": mix", name), mix_hint, &n);
		qsort(entries, n, sizeof(WeightEntry), compare_shares);
		for (int i = 0; i < n; i++)
		{
			Jsonb	   *member_weights;
			Jsonb	   *member_mix;
			WeightEntry *ops;
			int			nops;

			if (entries[i].weight == 0)
				continue;
			if (!read_pattern(entries[i].name, &member_weights, &member_mix) ||
				member_weights == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("pattern \"%s\" mixes \"%s\", which is not a pattern with weights",
								name, entries[i].name),
						 errhint("A mix shares users among patterns defined with weights.")));
			ops = parse_weights(member_weights, psprintf("pattern \"%s\": weights", entries[i].name),
								weights_hint, &nops);
			add_leaf(rp, entries[i].name, entries[i].weight, ops, nops,
					 psprintf("pattern \"%s\"", entries[i].name));
		}
	}

	number_operations_by_name(rp);
	accumulate(rp);
	check_owners(rp);
}

/*
 * Check a pattern being defined: weights name existing operations, a mix
 * names existing patterns with weights; weights are numbers of 0 or more,
 * at least one positive.
 */
void
patterns_check_definition(const char *name, Jsonb *weights, Jsonb *mix)
{
	WeightEntry *entries;
	int			n;

	if (weights != NULL)
	{
		entries = parse_weights(weights, psprintf("pattern \"%s\": weights", name), weights_hint, &n);
		if (n > LOADTEST_MAX_RUN_OPERATIONS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("pattern \"%s\" names %d operations, more than a run may use (%d)",
							name, n, LOADTEST_MAX_RUN_OPERATIONS),
				 errhint("Split it into several patterns, shared by a mix.")));
		for (int i = 0; i < n; i++)
			if (!operation_exists(entries[i].name))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("pattern \"%s\" names the operation \"%s\", which does not exist",
								name, entries[i].name),
						 errhint("Define it first with loadtest_define_operation; SELECT operation FROM loadtest.operations; lists them.")));
		return;
	}
	entries = parse_weights(mix, psprintf("pattern \"%s\": mix", name), mix_hint, &n);
	if (n > LOADTEST_MAX_RUN_PATTERNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("pattern \"%s\" mixes %d patterns, more than a run may use (%d)",
						name, n, LOADTEST_MAX_RUN_PATTERNS),
				 errhint("Mix fewer patterns.")));
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *w;
		Jsonb	   *m;

		if (strcmp(entries[i].name, name) == 0 ||
			!read_pattern(entries[i].name, &w, &m) || w == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("pattern \"%s\" mixes \"%s\", which is not a pattern with weights",
							name, entries[i].name),
					 errhint("A mix shares users among patterns defined with weights; SELECT pattern FROM loadtest.patterns WHERE weights IS NOT NULL; lists them.")));
	}
	{
		RunPatterns *rp = palloc0(sizeof(RunPatterns));

		/* the run's limits hold for the union of the mixed patterns */
		for (int i = 0; i < n; i++)
		{
			Jsonb	   *w;
			Jsonb	   *m;
			WeightEntry *ops;
			int			nops;

			(void) read_pattern(entries[i].name, &w, &m);
			ops = parse_weights(w, psprintf("pattern \"%s\": weights", entries[i].name),
								weights_hint, &nops);
			add_leaf(rp, entries[i].name, entries[i].weight, ops, nops,
					 psprintf("pattern \"%s\"", entries[i].name));
		}
	}
}

/*
 * Split nusers among the run's patterns by the largest remainder method,
 * so the counts add up to nusers exactly.  Ties in the remainder go to the
 * pattern with the smaller share (50 users of distributed: 25, 10, 12 and
 * 3, as in the reference guide's sample report).
 */
void
patterns_distribute(const RunPatterns *rp, int nusers, int *counts)
{
	double		remainders[LOADTEST_MAX_RUN_PATTERNS];
	double		total = 0;
	int			assigned = 0;

	for (int p = 0; p < rp->npatterns; p++)
		total += rp->shares[p];
	for (int p = 0; p < rp->npatterns; p++)
	{
		double		exact = (double) nusers * rp->shares[p] / total;

		counts[p] = (int) floor(exact + 1e-9);
		remainders[p] = exact - counts[p];
		assigned += counts[p];
	}
	while (assigned < nusers)
	{
		int			best = 0;

		for (int p = 1; p < rp->npatterns; p++)
			if (remainders[p] > remainders[best] + 1e-9 ||
				(fabs(remainders[p] - remainders[best]) <= 1e-9 &&
				 rp->shares[p] <= rp->shares[best]))
				best = p;
		counts[best]++;
		remainders[best] = -1;
		assigned++;
	}
}

/*
 * Give each of nusers users a pattern, interleaved so that at every point
 * of the ramp-up the patterns started so far are close to their shares:
 * user i gets the pattern furthest behind its quota.
 */
void
patterns_assign(const RunPatterns *rp, int nusers, int16 *patterns)
{
	int			counts[LOADTEST_MAX_RUN_PATTERNS];
	int			given[LOADTEST_MAX_RUN_PATTERNS] = {0};

	patterns_distribute(rp, nusers, counts);
	for (int i = 0; i < nusers; i++)
	{
		int			best = 0;
		bool		found = false;
		double		best_deficit = 0;

		for (int p = 0; p < rp->npatterns; p++)
		{
			double		deficit;

			if (given[p] >= counts[p])
				continue;
			deficit = (double) counts[p] * (i + 1) / nusers - given[p];
			if (!found || deficit > best_deficit)
			{
				best = p;
				best_deficit = deficit;
				found = true;
			}
		}
		Assert(found);
		patterns[i] = (int16) best;
		given[best]++;
	}
}
