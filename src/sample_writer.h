/*-------------------------------------------------------------------------
 *
 * sample_writer.h
 *	  A batch of samples as the recorder gathers them, and the writing of
 *	  a batch into loadtest.samples.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_SAMPLE_WRITER_H
#define LOADTEST_SAMPLE_WRITER_H

#include "utils/array.h"

#define SAMPLE_BATCH_MAX	8192

/*
 * Samples drained from the rings, one array per column of loadtest.sample_log
 * (run_id aside: one run per batch).
 */
typedef struct SampleBatch
{
	int			n;
	Datum		user_no[SAMPLE_BATCH_MAX];
	Datum		op_no[SAMPLE_BATCH_MAX];
	Datum		pattern[SAMPLE_BATCH_MAX];	/* the run's numbers (int2) */
	Datum		operation[SAMPLE_BATCH_MAX];
	Datum		start_us[SAMPLE_BATCH_MAX];
	Datum		latency_us[SAMPLE_BATCH_MAX];
	Datum		wait_us[SAMPLE_BATCH_MAX];
	Datum		success[SAMPLE_BATCH_MAX];
	Datum		tries[SAMPLE_BATCH_MAX];
	Datum		sqlstate[SAMPLE_BATCH_MAX];
	bool		sqlstate_null[SAMPLE_BATCH_MAX];
	Datum		message[SAMPLE_BATCH_MAX];
	bool		message_null[SAMPLE_BATCH_MAX];
} SampleBatch;

/* unnest of one array parameter, schema-qualified */
#define UNNEST(n) "pg_catalog.unnest($" #n ")"

extern ArrayType *datum_array(const Datum *values, const bool *nulls, int n,
							  Oid type);
extern void sample_writer_prepare(void);
extern void sample_writer_insert(const SampleBatch *batch, int64 run_id);

#endif							/* LOADTEST_SAMPLE_WRITER_H */
