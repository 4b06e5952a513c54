/*-------------------------------------------------------------------------
 *
 * histogram.h
 *	  A log-linear latency histogram (microseconds, about 3% precision) that
 *	  a worker fills without locks and the coordinator reads for progress.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_HISTOGRAM_H
#define LOADTEST_HISTOGRAM_H

/*
 * Values below 64 us have a bucket each; above, each power of two is split
 * into 32 sub-buckets.  40 powers of two cover latencies up to 12 days.
 */
#define HISTOGRAM_LINEAR		64
#define HISTOGRAM_SUB_BITS		5
#define HISTOGRAM_SUB			(1 << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_MAX_EXP		40
#define HISTOGRAM_BUCKETS \
	(HISTOGRAM_LINEAR + (HISTOGRAM_MAX_EXP - 6 + 1) * HISTOGRAM_SUB)

typedef struct LatencyHistogram
{
	uint32		counts[HISTOGRAM_BUCKETS];
} LatencyHistogram;

extern void histogram_add(LatencyHistogram *h, int64 value_us);
extern void histogram_merge(LatencyHistogram *into, const LatencyHistogram *from);
extern uint64 histogram_total(const LatencyHistogram *h);
extern int64 histogram_percentile(const LatencyHistogram *h, double fraction);

#endif							/* LOADTEST_HISTOGRAM_H */
