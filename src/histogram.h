/*-------------------------------------------------------------------------
 *
 * histogram.h
 *	  Log-linear latency histograms.
 *
 *	  LatencyHistogram: about 3% precision, dense: the recorder's last
 *	  seconds of a run, read without locks for its progress (progress.c).
 *
 *	  The summary buckets (SUMMARY_*): 1% precision, the buckets of the
 *	  histograms a run keeps (loadtest.run_histograms), sparse there and in
 *	  the recorder.  One bucket per microsecond below 128 us, then 64
 *	  buckets per power of two: a bucket's middle is within 1/128 (0.78%) of
 *	  every value in it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_HISTOGRAM_H
#define LOADTEST_HISTOGRAM_H

/*
 * Values below 64 us have a bucket each; above, each power of two is split
 * into 32 sub-buckets.  40 powers of two cover latencies up to 12 days.
 */
#define HISTOGRAM_LINEAR_BITS	6
#define HISTOGRAM_LINEAR		(1 << HISTOGRAM_LINEAR_BITS)
#define HISTOGRAM_SUB_BITS		5
#define HISTOGRAM_SUB			(1 << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_MAX_EXP		40
#define HISTOGRAM_BUCKETS \
	(HISTOGRAM_LINEAR + (HISTOGRAM_MAX_EXP - HISTOGRAM_LINEAR_BITS + 1) * HISTOGRAM_SUB)

typedef struct LatencyHistogram
{
	uint32		counts[HISTOGRAM_BUCKETS];
} LatencyHistogram;

extern void histogram_add(LatencyHistogram *h, int64 value_us);
extern void histogram_merge(LatencyHistogram *into, const LatencyHistogram *from);
extern uint64 histogram_total(const LatencyHistogram *h);
extern int64 histogram_percentile(const LatencyHistogram *h, double fraction);

/* The summary buckets: 2^7 linear, then 2^6 per power of two up to 2^43. */
#define SUMMARY_LINEAR_BITS		7
#define SUMMARY_LINEAR			(1 << SUMMARY_LINEAR_BITS)
#define SUMMARY_SUB_BITS		6
#define SUMMARY_SUB				(1 << SUMMARY_SUB_BITS)
#define SUMMARY_MAX_EXP			42
#define SUMMARY_BUCKETS \
	(SUMMARY_LINEAR + (SUMMARY_MAX_EXP - SUMMARY_LINEAR_BITS + 1) * SUMMARY_SUB)

extern int	summary_bucket(int64 value_us);
extern double summary_bucket_value(int bucket);
extern double summary_percentile(const int *buckets, const int64 *counts, int n,
								 int64 total, double fraction);

#endif							/* LOADTEST_HISTOGRAM_H */
