/*-------------------------------------------------------------------------
 *
 * histogram.c
 *	  Log-linear latency histograms: the live one of a worker (progress,
 *	  p95 so far), and the summary buckets of the histograms a run keeps,
 *	  with the SQL functions that read those (loadtest.histogram_bucket,
 *	  loadtest.histogram_bucket_value and the aggregate
 *	  loadtest.histogram_percentiles).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "histogram.h"
#include "trust.h"

/*
 * The bucket of a value in a log-linear histogram: one bucket per value
 * below 2^linear_bits, then 2^sub_bits buckets per power of two, up to
 * 2^max_exp (the last bucket takes the rest).  Both histograms of this
 * file are such; they differ in their constants.
 */
static inline int
log_linear_bucket(int64 value, int linear_bits, int sub_bits, int max_exp)
{
	int			exp;

	if (value < (INT64CONST(1) << linear_bits))
		return value < 0 ? 0 : (int) value;
	exp = pg_leftmost_one_pos64((uint64) value);	/* >= linear_bits */
	if (exp > max_exp)			/* the last bucket */
		return (1 << linear_bits) + (max_exp - linear_bits + 1) * (1 << sub_bits) - 1;
	return (1 << linear_bits) + (exp - linear_bits) * (1 << sub_bits) +
		(int) ((value >> (exp - sub_bits)) & ((1 << sub_bits) - 1));
}

static int
histogram_bucket(int64 value)
{
	return log_linear_bucket(value, HISTOGRAM_LINEAR_BITS, HISTOGRAM_SUB_BITS, HISTOGRAM_MAX_EXP);
}

/*
 * The value a bucket of log_linear_bucket stands for: exact below
 * 2^linear_bits, else the middle of its range of integers.
 */
static inline double
log_linear_value(int bucket, int linear_bits, int sub_bits)
{
	int			exp;
	int			sub;
	double		width;

	if (bucket < (1 << linear_bits))
		return bucket;
	exp = (bucket - (1 << linear_bits)) / (1 << sub_bits) + linear_bits;
	sub = (bucket - (1 << linear_bits)) % (1 << sub_bits);
	width = ldexp(1.0, exp - sub_bits);
	return ldexp(1.0, exp) + sub * width + (width - 1) / 2;
}

/* The middle of a bucket's range of values. */
static int64
histogram_bucket_value(int bucket)
{
	return (int64) log_linear_value(bucket, HISTOGRAM_LINEAR_BITS, HISTOGRAM_SUB_BITS);
}

void
histogram_add(LatencyHistogram *h, int64 value_us)
{
	h->counts[histogram_bucket(value_us)]++;
}

void
histogram_merge(LatencyHistogram *into, const LatencyHistogram *from)
{
	for (int i = 0; i < HISTOGRAM_BUCKETS; i++)
		into->counts[i] += from->counts[i];
}

uint64
histogram_total(const LatencyHistogram *h)
{
	uint64		total = 0;

	for (int i = 0; i < HISTOGRAM_BUCKETS; i++)
		total += h->counts[i];
	return total;
}

/* Value below which the given fraction of the counts lie; -1 when empty. */
int64
histogram_percentile(const LatencyHistogram *h, double fraction)
{
	uint64		total = histogram_total(h);
	uint64		rank;
	uint64		seen = 0;

	if (total == 0)
		return -1;
	rank = (uint64) (fraction * (double) total);
	if (rank >= total)
		rank = total - 1;
	for (int i = 0; i < HISTOGRAM_BUCKETS; i++)
	{
		seen += h->counts[i];
		if (seen > rank)
			return histogram_bucket_value(i);
	}
	return histogram_bucket_value(HISTOGRAM_BUCKETS - 1);
}


/* The summary bucket of a value (microseconds). */
int
summary_bucket(int64 value)
{
	return log_linear_bucket(value, SUMMARY_LINEAR_BITS, SUMMARY_SUB_BITS, SUMMARY_MAX_EXP);
}

/* The value a summary bucket stands for: exact below 128, else its middle. */
double
summary_bucket_value(int bucket)
{
	return log_linear_value(bucket, SUMMARY_LINEAR_BITS, SUMMARY_SUB_BITS);
}

/*
 * check_signature (trust.c), once per call site: these functions are
 * called once per row.
 */
static const char signature_checked = 1;

static void
histogram_check_signature(FunctionCallInfo fcinfo, const Oid *types, int nargs,
						  Oid result_type, const char *function)
{
	if (fcinfo->flinfo != NULL && fcinfo->flinfo->fn_extra == &signature_checked)
		return;
	check_signature(fcinfo, types, nargs, result_type, function);
	if (fcinfo->flinfo != NULL)
		fcinfo->flinfo->fn_extra = (void *) &signature_checked;
}

PG_FUNCTION_INFO_V1(loadtest_histogram_bucket);
PG_FUNCTION_INFO_V1(loadtest_histogram_bucket_value);
PG_FUNCTION_INFO_V1(loadtest_histogram_percentiles_add);
PG_FUNCTION_INFO_V1(loadtest_histogram_percentiles_final);

/* loadtest.histogram_bucket(value_us bigint) RETURNS integer */
Datum
loadtest_histogram_bucket(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {INT8OID};

	histogram_check_signature(fcinfo, signature, 1, INT4OID, "loadtest.histogram_bucket");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_INT32(summary_bucket(PG_GETARG_INT64(0)));
}

/* loadtest.histogram_bucket_value(bucket integer) RETURNS double precision */
Datum
loadtest_histogram_bucket_value(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {INT4OID};
	int32		bucket;

	histogram_check_signature(fcinfo, signature, 1, FLOAT8OID, "loadtest.histogram_bucket_value");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bucket = PG_GETARG_INT32(0);
	if (bucket < 0 || bucket >= SUMMARY_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("histogram bucket %d is out of range", bucket),
				 errdetail("Buckets are numbered 0 to %d.", SUMMARY_BUCKETS - 1)));
	PG_RETURN_FLOAT8(summary_bucket_value(bucket));
}

/*
 * State of loadtest.histogram_percentiles: the merged counts (dense: one
 * int64 per bucket, 19 KB) and the fractions asked for.
 */
typedef struct PercentilesState
{
	int64		total;
	int			nfractions;
	double	   *fractions;
	int64		counts[SUMMARY_BUCKETS];
} PercentilesState;

/*
 * A one-dimensional array without NULLs, as C values; -1 when it is not
 * one (a malformed row of the results, skipped: reports survive any
 * content of the tables).
 */
static int
histogram_array_arg(FunctionCallInfo fcinfo, int argno, Oid type, Datum **values)
{
	ArrayType  *array;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;
	int			n;

	array = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_ELEMTYPE(array) != type)
		elog(ERROR, "argument %d of loadtest.histogram_percentiles has the wrong type", argno);
	if (ARR_NDIM(array) > 1)
		return -1;
	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	deconstruct_array(array, type, typlen, typbyval, typalign, values, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (nulls[i])
			return -1;
	return n;
}

/* Remember the fractions asked for, checked. */
static void
histogram_take_fractions(FunctionCallInfo fcinfo, PercentilesState *state)
{
	Datum	   *values;
	int			n = histogram_array_arg(fcinfo, 3, FLOAT8OID, &values);

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the percentile fractions must be a one-dimensional array without NULLs")));
	state->fractions = palloc(sizeof(double) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		double		f = DatumGetFloat8(values[i]);

		if (!(f >= 0.0 && f <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("percentile fraction %g is not between 0 and 1", f)));
		state->fractions[i] = f;
	}
	state->nfractions = n;
}

/*
 * Can a row's histogram be added to the state: buckets in range, counts
 * not negative, no count or total beyond bigint?
 */
static bool
histogram_row_valid(const PercentilesState *state, const Datum *buckets,
					const Datum *counts, int n)
{
	int64		total = state->total;

	for (int i = 0; i < n; i++)
	{
		int32		b = DatumGetInt32(buckets[i]);
		int64		c = DatumGetInt64(counts[i]);
		int64		sum;

		if (b < 0 || b >= SUMMARY_BUCKETS || c < 0 ||
			pg_add_s64_overflow(total, c, &total) ||
			pg_add_s64_overflow(state->counts[b], c, &sum))
			return false;
	}
	return true;
}

/*
 * loadtest.histogram_percentiles_add(internal, buckets integer[], counts
 * bigint[], fractions double precision[]): adds one row's histogram.
 */
Datum
loadtest_histogram_percentiles_add(PG_FUNCTION_ARGS)
{
	MemoryContext agg_context;
	PercentilesState *state;
	Datum	   *buckets;
	Datum	   *counts;
	int			nbuckets;
	int			ncounts;
	static const Oid signature[] = {INTERNALOID, INT4ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID};

	histogram_check_signature(fcinfo, signature, 4, INTERNALOID,
							  "loadtest.histogram_percentiles_add");
	if (!AggCheckCallContext(fcinfo, &agg_context))
		elog(ERROR, "loadtest_histogram_percentiles_add called in non-aggregate context");
	state = PG_ARGISNULL(0) ? NULL : (PercentilesState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	if (state == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(agg_context);

		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the percentile fractions must not be NULL")));
		state = palloc0(sizeof(PercentilesState));
		histogram_take_fractions(fcinfo, state);
		MemoryContextSwitchTo(old);
	}

	nbuckets = histogram_array_arg(fcinfo, 1, INT4OID, &buckets);
	ncounts = histogram_array_arg(fcinfo, 2, INT8OID, &counts);

	/*
	 * A malformed row (arrays of different lengths, a bucket out of range,
	 * a negative count, counts beyond bigint) is skipped as a whole: the
	 * results are written by the extension alone, but reports survive any
	 * content of the tables.
	 */
	if (nbuckets < 0 || nbuckets != ncounts || !histogram_row_valid(state, buckets, counts, nbuckets))
		PG_RETURN_POINTER(state);
	for (int i = 0; i < nbuckets; i++)
	{
		state->counts[DatumGetInt32(buckets[i])] += DatumGetInt64(counts[i]);
		state->total += DatumGetInt64(counts[i]);
	}
	PG_RETURN_POINTER(state);
}

/*
 * The representative value of the rank-th smallest value (0-based) of a
 * sparse histogram, walking on from bucket *i, where *seen values lie
 * before it.
 */
static double
summary_value_at(const int *buckets, const int64 *counts, int n, int64 rank,
				 int *i, int64 *seen)
{
	while (*i < n - 1 && *seen + counts[*i] <= rank)
	{
		*seen += counts[*i];
		(*i)++;
	}
	return summary_bucket_value(buckets[*i]);
}

/*
 * A percentile of a histogram given as its non-empty buckets in ascending
 * order (n > 0) and their counts, totalling total: the value at position
 * fraction * (total - 1), interpolated between its neighbours as
 * percentile_cont does.  The aggregate loadtest.histogram_percentiles and
 * the recorder's users' figures (summaries.c) both use it.
 */
double
summary_percentile(const int *buckets, const int64 *counts, int n, int64 total,
				   double fraction)
{
	double		position = fraction * (double) (total - 1);
	int64		lower = Min(Max((int64) floor(position), 0), total - 1);
	int64		upper = Min(Max((int64) ceil(position), lower), total - 1);
	int			i = 0;
	int64		seen = 0;
	double		low_value = summary_value_at(buckets, counts, n, lower, &i, &seen);
	double		high_value = summary_value_at(buckets, counts, n, upper, &i, &seen);

	return low_value + (position - (double) lower) * (high_value - low_value);
}

/*
 * loadtest.histogram_percentiles_final(internal): for each fraction f, the
 * value at position f * (N - 1), interpolated between its neighbours as
 * percentile_cont does; NULL without values.
 */
Datum
loadtest_histogram_percentiles_final(PG_FUNCTION_ARGS)
{
	PercentilesState *state;
	Datum	   *result;
	int		   *buckets;
	int64	   *counts;
	int			n = 0;
	static const Oid signature[] = {INTERNALOID};

	histogram_check_signature(fcinfo, signature, 1, FLOAT8ARRAYOID,
							  "loadtest.histogram_percentiles_final");
	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "loadtest_histogram_percentiles_final called in non-aggregate context");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (PercentilesState *) PG_GETARG_POINTER(0);
	if (state->total == 0)
		PG_RETURN_NULL();
	/* the non-empty buckets, as summary_percentile takes them */
	buckets = palloc(sizeof(int) * SUMMARY_BUCKETS);
	counts = palloc(sizeof(int64) * SUMMARY_BUCKETS);
	for (int b = 0; b < SUMMARY_BUCKETS; b++)
		if (state->counts[b] > 0)
		{
			buckets[n] = b;
			counts[n++] = state->counts[b];
		}
	result = palloc(sizeof(Datum) * Max(state->nfractions, 1));
	for (int i = 0; i < state->nfractions; i++)
		result[i] = Float8GetDatum(summary_percentile(buckets, counts, n, state->total,
													  state->fractions[i]));
	PG_RETURN_ARRAYTYPE_P(construct_array(result, state->nfractions, FLOAT8OID,
										  sizeof(float8), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}
