/*-------------------------------------------------------------------------
 *
 * histogram.c
 *	  Log-linear latency histogram used for live progress (p95 so far).
 *	  The exact percentiles of a report come from loadtest.samples.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "port/pg_bitutils.h"

#include "histogram.h"

static int
histogram_bucket(int64 value)
{
	int			exp;

	if (value < HISTOGRAM_LINEAR)
		return value < 0 ? 0 : (int) value;
	exp = pg_leftmost_one_pos64((uint64) value);	/* >= 6 */
	if (exp > HISTOGRAM_MAX_EXP)
		return HISTOGRAM_BUCKETS - 1;
	return HISTOGRAM_LINEAR + (exp - 6) * HISTOGRAM_SUB +
		(int) ((value >> (exp - HISTOGRAM_SUB_BITS)) & (HISTOGRAM_SUB - 1));
}

/* The middle of a bucket's range of values. */
static int64
histogram_bucket_value(int bucket)
{
	int			exp;
	int			sub;
	int64		low;
	int64		width;

	if (bucket < HISTOGRAM_LINEAR)
		return bucket;
	exp = (bucket - HISTOGRAM_LINEAR) / HISTOGRAM_SUB + 6;
	sub = (bucket - HISTOGRAM_LINEAR) % HISTOGRAM_SUB;
	width = INT64CONST(1) << (exp - HISTOGRAM_SUB_BITS);
	low = (INT64CONST(1) << exp) + sub * width;
	return low + width / 2;
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
