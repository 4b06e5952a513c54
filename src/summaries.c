/*-------------------------------------------------------------------------
 *
 * summaries.c
 *	  The recorder's summaries of a run: every attempted operation the
 *	  recorder drains is added here, whatever samples => ... keeps row by
 *	  row, so that the figures of a run cost memory and rows in proportion
 *	  to its operations, stages, seconds and users, never to its length in
 *	  operations.
 *
 * Histograms are sparse: one hash table maps (scope, measure, owner,
 * bucket) to a count, the buckets being the summary buckets of histogram.h
 * (1% precision).  Scalar figures (counts, sums, extremes) are kept per
 * operation, per stage and operation, per user and per second.  The
 * per-second part can be written out during a long run and started afresh
 * (summaries_write_seconds): rows of one second add up, so a reader merges
 * them; everything else is written once when the run ends
 * (summaries_write), as the results' owner, in the recorder's transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "histogram.h"
#include "sample_writer.h"
#include "spi_args.h"
#include "summaries.h"

/* The scopes of a histogram, as the key's top bits. */
typedef enum SummaryScope
{
	SCOPE_OPERATION = 0,
	SCOPE_STAGE = 1,
	SCOPE_USER = 2,
	SCOPE_SECOND = 3
} SummaryScope;

typedef enum SummaryMeasure
{
	MEASURE_LATENCY = 0,
	MEASURE_WAIT = 1,
	MEASURE_RESPONSE = 2		/* wait + latency */
} SummaryMeasure;

/*
 * Key of a bucket's count: scope (2 bits), measure (2), owner (28: the
 * operation, user or second), sub-owner (16: the stage), bucket (16).
 */
#define BUCKET_KEY(scope, measure, owner, sub, bucket) \
	(((uint64) (scope) << 62) | ((uint64) (measure) << 60) | \
	 ((uint64) (owner) << 32) | ((uint64) (sub) << 16) | (uint64) (bucket))
#define BUCKET_OF(key)		((int) ((key) & 0xFFFF))
#define ROW_OF(key)			((key) & ~UINT64CONST(0xFFFF))

static inline uint32
mix_key(uint64 x)
{
	/* the finalizer of splitmix64 */
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return (uint32) x;
}

typedef struct BucketEntry
{
	uint64		key;
	int64		count;
	char		status;
} BucketEntry;

#define SH_PREFIX buckets
#define SH_ELEMENT_TYPE BucketEntry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) mix_key(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The scalar figures of a set of operations. */
typedef struct Counters
{
	int64		ops;
	int64		errors;
	int64		retried_ops;
	int64		retries;
	int64		late_starts;
	int64		first_start_us;
	int64		last_end_us;
	double		latency_sum_us;
	int64		latency_min_us;
	int64		latency_max_us;
	double		wait_sum_us;
	int64		wait_max_us;
} Counters;

/* One second of the run: its figures and the server's counters. */
typedef struct SecondEntry
{
	uint32		second;
	char		status;
	bool		has_counters;
	Counters	counters;
	int64		commits;
	int64		wal_bytes;
} SecondEntry;

#define SH_PREFIX seconds
#define SH_ELEMENT_TYPE SecondEntry
#define SH_KEY_TYPE uint32
#define SH_KEY second
#define SH_HASH_KEY(tb, k) murmurhash32(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * Errors of one operation with one SQLSTATE, and its frequent messages:
 * the first ERROR_MESSAGES_TRACKED distinct messages are counted exactly,
 * the ERROR_MESSAGES_KEPT most frequent of them are written, the others
 * (and messages met after the first ERROR_MESSAGES_TRACKED) are counted in
 * a row without message.
 */
#define ERROR_MESSAGES_TRACKED	32
#define ERROR_MESSAGES_KEPT		10

/*
 * Pairs of operation and SQLSTATE told apart: SQL can raise any SQLSTATE,
 * so the rest are counted in one group per operation, SQLSTATE "other".
 */
#define ERROR_GROUPS_MAX		1024
#define OTHER_SQLSTATE			(-1)

typedef struct ErrorGroup
{
	int16		operation;
	int			sqlerrcode;
	int64		count;
	int			nmessages;
	char	   *messages[ERROR_MESSAGES_TRACKED];
	int64		message_counts[ERROR_MESSAGES_TRACKED];
} ErrorGroup;

/* A reading of the server's counters (once a second). */
typedef struct CounterReading
{
	int64		elapsed_us;
	int64		commits;
	uint64		wal_bytes;
} CounterReading;

/* Per-second entries beyond which they are written out during the run. */
#define SECONDS_MAX_BUCKETS		(1024 * 1024)
#define SECONDS_MAX_ENTRIES		(64 * 1024)
#define LATE_START_US			10000

static RunState *run;
static MemoryContext summaries_context;
static MemoryContext seconds_context;
static buckets_hash *fixed_buckets;	/* operation, stage, user */
static buckets_hash *second_buckets;
static seconds_hash *second_entries;
static Counters *operation_counters;	/* [noperations] */
static Counters *stage_counters;	/* [noperations * nstages] */
static Counters *user_counters; /* [nusers] */
static ErrorGroup *error_groups;
static int	nerror_groups;
static int	max_error_groups;
static CounterReading last_reading;
static bool have_reading;
static int	stage_hint;

/* The fixed buckets, sorted by key, once the run has ended. */
static BucketEntry *sorted_fixed;
static uint64 nsorted_fixed;

static void
counters_reset(Counters *c)
{
	memset(c, 0, sizeof(Counters));
	c->first_start_us = PG_INT64_MAX;
	c->last_end_us = PG_INT64_MIN;
	c->latency_min_us = PG_INT64_MAX;
	c->latency_max_us = -1;
	c->wait_max_us = -1;
}

static void
counters_add(Counters *c, const SampleRecord *s)
{
	c->ops++;
	if (s->sqlerrcode != 0)
		c->errors++;
	if (s->tries > 1)
	{
		c->retried_ops++;
		c->retries += s->tries - 1;
	}
	if (s->wait_us > LATE_START_US)
		c->late_starts++;
	c->first_start_us = Min(c->first_start_us, s->start_us);
	c->last_end_us = Max(c->last_end_us, s->start_us + s->latency_us);
	c->latency_sum_us += (double) s->latency_us;
	c->latency_min_us = Min(c->latency_min_us, s->latency_us);
	c->latency_max_us = Max(c->latency_max_us, s->latency_us);
	c->wait_sum_us += (double) s->wait_us;
	c->wait_max_us = Max(c->wait_max_us, s->wait_us);
}

static void
seconds_start(void)
{
	MemoryContextReset(seconds_context);
	second_buckets = buckets_create(seconds_context, 1024, NULL);
	second_entries = seconds_create(seconds_context, 256, NULL);
}

/* Set up the summaries of the run, in memory of the recorder's own. */
void
summaries_init(RunState *rs)
{
	int			nops = rs->patterns.noperations;
	int			nstages = Max(rs->nstages, 1);

	run = rs;
	summaries_context = AllocSetContextCreate(TopMemoryContext, "loadtest summaries",
											  ALLOCSET_DEFAULT_SIZES);
	seconds_context = AllocSetContextCreate(summaries_context, "loadtest seconds",
											ALLOCSET_DEFAULT_SIZES);
	fixed_buckets = buckets_create(summaries_context, 4096, NULL);
	operation_counters = MemoryContextAlloc(summaries_context, sizeof(Counters) * nops);
	stage_counters = MemoryContextAlloc(summaries_context, sizeof(Counters) * nops * nstages);
	user_counters = MemoryContextAlloc(summaries_context, sizeof(Counters) * rs->nusers);
	for (int i = 0; i < nops; i++)
		counters_reset(&operation_counters[i]);
	for (int i = 0; i < nops * nstages; i++)
		counters_reset(&stage_counters[i]);
	for (int i = 0; i < rs->nusers; i++)
		counters_reset(&user_counters[i]);
	max_error_groups = 16;
	error_groups = MemoryContextAllocZero(summaries_context,
										  sizeof(ErrorGroup) * max_error_groups);
	seconds_start();
}

static inline void
bucket_add(buckets_hash *hash, uint64 key)
{
	bool		found;
	BucketEntry *e = buckets_insert(hash, key, &found);

	if (!found)
		e->count = 0;
	e->count++;
}

/* The stage a start time falls in (0-based); the stages end in order. */
static int
stage_of(int64 start_us)
{
	int			i = stage_hint;

	if (i >= run->nstages || (i > 0 && start_us < run->stages[i - 1].end_us))
		i = 0;
	while (i < run->nstages - 1 && start_us >= run->stages[i].end_us)
		i++;
	stage_hint = i;
	return i;
}

static ErrorGroup *
errors_find(int16 operation, int sqlerrcode)
{
	for (int i = 0; i < nerror_groups; i++)
		if (error_groups[i].operation == operation &&
			error_groups[i].sqlerrcode == sqlerrcode)
			return &error_groups[i];
	return NULL;
}

static void
errors_add(const SampleRecord *s, const char *message)
{
	int			sqlerrcode = s->sqlerrcode;
	ErrorGroup *g = errors_find(s->operation, sqlerrcode);

	if (g == NULL && nerror_groups >= ERROR_GROUPS_MAX)
	{
		sqlerrcode = OTHER_SQLSTATE;
		g = errors_find(s->operation, sqlerrcode);
	}
	if (g == NULL)
	{
		if (nerror_groups == max_error_groups)
		{
			error_groups = repalloc(error_groups, sizeof(ErrorGroup) * max_error_groups * 2);
			memset(&error_groups[max_error_groups], 0, sizeof(ErrorGroup) * max_error_groups);
			max_error_groups *= 2;
		}
		g = &error_groups[nerror_groups++];
		g->operation = s->operation;
		g->sqlerrcode = sqlerrcode;
	}
	g->count++;
	if (message == NULL)
		return;
	for (int m = 0; m < g->nmessages; m++)
		if (strcmp(g->messages[m], message) == 0)
		{
			g->message_counts[m]++;
			return;
		}
	/* the first messages met are tracked: the others count as "other" */
	if (g->nmessages < ERROR_MESSAGES_TRACKED)
	{
		g->messages[g->nmessages] = MemoryContextStrdup(summaries_context, message);
		g->message_counts[g->nmessages++] = 1;
	}
}

/* Add one attempted operation (a sample of a valid operation and user). */
void
summaries_add(const SampleRecord *s, const char *message)
{
	int			op = s->operation;
	int			latency_bucket = summary_bucket(s->latency_us);
	int			wait_bucket = summary_bucket(s->wait_us);
	int			response_bucket = summary_bucket(s->wait_us + s->latency_us);
	int			user = s->user_no - 1;
	uint32		second = (uint32) Max(s->start_us / 1000000, 0);
	SecondEntry *sec;
	bool		found;

	counters_add(&operation_counters[op], s);
	bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_OPERATION, MEASURE_LATENCY, op, 0, latency_bucket));
	bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_OPERATION, MEASURE_WAIT, op, 0, wait_bucket));
	bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_OPERATION, MEASURE_RESPONSE, op, 0, response_bucket));
	if (run->nstages > 0)
	{
		int			stage = stage_of(s->start_us);

		counters_add(&stage_counters[op * run->nstages + stage], s);
		bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_STAGE, MEASURE_LATENCY, op, stage, latency_bucket));
		bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_STAGE, MEASURE_WAIT, op, stage, wait_bucket));
		bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_STAGE, MEASURE_RESPONSE, op, stage, response_bucket));
	}
	if (user >= 0 && user < run->nusers)
	{
		counters_add(&user_counters[user], s);
		bucket_add(fixed_buckets, BUCKET_KEY(SCOPE_USER, MEASURE_LATENCY, user, 0, latency_bucket));
	}
	sec = seconds_insert(second_entries, second, &found);
	if (!found)
	{
		counters_reset(&sec->counters);
		sec->has_counters = false;
		sec->commits = 0;
		sec->wal_bytes = 0;
	}
	counters_add(&sec->counters, s);
	bucket_add(second_buckets, BUCKET_KEY(SCOPE_SECOND, MEASURE_LATENCY, second, 0, latency_bucket));
	bucket_add(second_buckets, BUCKET_KEY(SCOPE_SECOND, MEASURE_WAIT, second, 0, wait_bucket));
	bucket_add(second_buckets, BUCKET_KEY(SCOPE_SECOND, MEASURE_RESPONSE, second, 0, response_bucket));
	if (s->sqlerrcode != 0)
		errors_add(s, message);
}

/*
 * A reading of the database's commits and the server's WAL bytes, as
 * flushed to the statistics by then: what changed since the previous
 * reading is counted in the second the previous reading was taken in
 * (processes flush their statistics up to a second late).
 */
void
summaries_note_counters(int64 elapsed_us, int64 commits, uint64 wal_bytes)
{
	if (have_reading)
	{
		uint32		second = (uint32) Max(last_reading.elapsed_us / 1000000, 0);
		bool		found;
		SecondEntry *sec = seconds_insert(second_entries, second, &found);

		if (!found)
		{
			counters_reset(&sec->counters);
			sec->commits = 0;
			sec->wal_bytes = 0;
		}
		sec->has_counters = true;
		sec->commits += Max(commits - last_reading.commits, 0);
		sec->wal_bytes += wal_bytes >= last_reading.wal_bytes ?
			(int64) (wal_bytes - last_reading.wal_bytes) : 0;
	}
	last_reading.elapsed_us = elapsed_us;
	last_reading.commits = commits;
	last_reading.wal_bytes = wal_bytes;
	have_reading = true;
}

bool
summaries_seconds_full(void)
{
	return second_buckets->members > SECONDS_MAX_BUCKETS ||
		second_entries->members > SECONDS_MAX_ENTRIES;
}

static int
bucket_entry_cmp(const void *a, const void *b)
{
	uint64		ka = ((const BucketEntry *) a)->key;
	uint64		kb = ((const BucketEntry *) b)->key;

	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/* The entries of a hash table, sorted by key (palloc'd). */
static BucketEntry *
buckets_sorted(buckets_hash *hash, uint64 *n)
{
	buckets_iterator it;
	BucketEntry *e;
	BucketEntry *all = palloc(sizeof(BucketEntry) * Max(hash->members, 1));
	uint64		i = 0;

	buckets_start_iterate(hash, &it);
	while ((e = buckets_iterate(hash, &it)) != NULL)
		all[i++] = *e;
	qsort(all, i, sizeof(BucketEntry), bucket_entry_cmp);
	*n = i;
	return all;
}

/* The first entry whose key is at least key. */
static uint64
buckets_lower_bound(const BucketEntry *all, uint64 n, uint64 key)
{
	uint64		low = 0;
	uint64		high = n;

	while (low < high)
	{
		uint64		mid = low + (high - low) / 2;

		if (all[mid].key < key)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/*
 * The histogram of one row (all buckets of row_key) as the text of two
 * arrays, buckets and counts.
 */
static void
histogram_arrays(const BucketEntry *all, uint64 n, uint64 row_key,
				 Datum *buckets, Datum *counts)
{
	StringInfoData b;
	StringInfoData c;
	uint64		i = buckets_lower_bound(all, n, row_key);
	bool		first = true;

	initStringInfo(&b);
	initStringInfo(&c);
	appendStringInfoChar(&b, '{');
	appendStringInfoChar(&c, '{');
	for (; i < n && ROW_OF(all[i].key) == row_key; i++)
	{
		appendStringInfo(&b, "%s%d", first ? "" : ",", BUCKET_OF(all[i].key));
		appendStringInfo(&c, "%s" INT64_FORMAT, first ? "" : ",", all[i].count);
		first = false;
	}
	appendStringInfoChar(&b, '}');
	appendStringInfoChar(&c, '}');
	*buckets = CStringGetTextDatum(b.data);
	*counts = CStringGetTextDatum(c.data);
}

/* The columns of rows of loadtest.run_histograms, as arrays to unnest. */
enum HistogramColumn
{
	HC_SCOPE, HC_OPERATION, HC_STAGE, HC_SECOND, HC_OPS, HC_ERRORS,
	HC_RETRIED, HC_RETRIES, HC_LATE, HC_FIRST, HC_LAST, HC_LSUM, HC_LMIN,
	HC_LMAX, HC_LBUCKETS, HC_LCOUNTS, HC_WSUM, HC_WMAX, HC_WBUCKETS,
	HC_WCOUNTS, HC_RBUCKETS, HC_RCOUNTS, HC_ACTIVE, HC_COMMITS, HC_WAL,
	HC_NCOLUMNS
};

static const Oid histogram_column_types[HC_NCOLUMNS] = {
	TEXTOID, INT2OID, INT2OID, INT4OID, INT8OID, INT8OID,
	INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, FLOAT8OID, INT8OID,
	INT8OID, TEXTOID, TEXTOID, FLOAT8OID, INT8OID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, INT4OID, INT8OID, INT8OID
};

typedef struct HistogramRows
{
	int			n;
	int			capacity;
	Datum	   *values[HC_NCOLUMNS];
	bool	   *nulls[HC_NCOLUMNS];
} HistogramRows;

static void
rows_init(HistogramRows *rows, int capacity)
{
	rows->n = 0;
	rows->capacity = Max(capacity, 1);
	for (int c = 0; c < HC_NCOLUMNS; c++)
	{
		rows->values[c] = palloc0(sizeof(Datum) * rows->capacity);
		rows->nulls[c] = palloc(sizeof(bool) * rows->capacity);
		memset(rows->nulls[c], true, sizeof(bool) * rows->capacity);
	}
}

static inline void
row_set(HistogramRows *rows, int column, Datum value)
{
	rows->values[column][rows->n] = value;
	rows->nulls[column][rows->n] = false;
}

/*
 * Add a row: its scope and owner, its counters and its three histograms
 * (their keys: the row's key for each measure, bucket 0).
 */
static void
rows_add(HistogramRows *rows, const char *scope, int operation, int stage,
		 int64 second, const Counters *c, const BucketEntry *all, uint64 n,
		 uint64 latency_key, uint64 wait_key, uint64 response_key)
{
	Assert(rows->n < rows->capacity);
	row_set(rows, HC_SCOPE, CStringGetTextDatum(scope));
	if (operation >= 0)
		row_set(rows, HC_OPERATION, Int16GetDatum(operation));
	if (stage >= 0)
		row_set(rows, HC_STAGE, Int16GetDatum(stage + 1));
	if (second >= 0)
		row_set(rows, HC_SECOND, Int32GetDatum((int32) second));
	row_set(rows, HC_OPS, Int64GetDatum(c->ops));
	row_set(rows, HC_ERRORS, Int64GetDatum(c->errors));
	row_set(rows, HC_RETRIED, Int64GetDatum(c->retried_ops));
	row_set(rows, HC_RETRIES, Int64GetDatum(c->retries));
	row_set(rows, HC_LATE, Int64GetDatum(c->late_starts));
	row_set(rows, HC_LSUM, Float8GetDatum(c->latency_sum_us));
	row_set(rows, HC_WSUM, Float8GetDatum(c->wait_sum_us));
	if (c->ops > 0)
	{
		row_set(rows, HC_FIRST, Int64GetDatum(c->first_start_us));
		row_set(rows, HC_LAST, Int64GetDatum(c->last_end_us));
		row_set(rows, HC_LMIN, Int64GetDatum(c->latency_min_us));
		row_set(rows, HC_LMAX, Int64GetDatum(c->latency_max_us));
		row_set(rows, HC_WMAX, Int64GetDatum(c->wait_max_us));
	}
	histogram_arrays(all, n, latency_key, &rows->values[HC_LBUCKETS][rows->n],
					 &rows->values[HC_LCOUNTS][rows->n]);
	histogram_arrays(all, n, wait_key, &rows->values[HC_WBUCKETS][rows->n],
					 &rows->values[HC_WCOUNTS][rows->n]);
	histogram_arrays(all, n, response_key, &rows->values[HC_RBUCKETS][rows->n],
					 &rows->values[HC_RCOUNTS][rows->n]);
	rows->nulls[HC_LBUCKETS][rows->n] = rows->nulls[HC_LCOUNTS][rows->n] = false;
	rows->nulls[HC_WBUCKETS][rows->n] = rows->nulls[HC_WCOUNTS][rows->n] = false;
	rows->nulls[HC_RBUCKETS][rows->n] = rows->nulls[HC_RCOUNTS][rows->n] = false;
	rows->n++;
}

static void
rows_insert(const HistogramRows *rows)
{
	SpiArgs		args = SPI_ARGS_INIT;

	if (rows->n == 0)
		return;
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	for (int c = 0; c < HC_NCOLUMNS; c++)
	{
		Oid			type = histogram_column_types[c];
		Oid			array_type = type == TEXTOID ? TEXTARRAYOID :
			type == INT2OID ? INT2ARRAYOID :
			type == INT4OID ? INT4ARRAYOID :
			type == INT8OID ? INT8ARRAYOID : FLOAT8ARRAYOID;

		spi_arg(&args, array_type,
				PointerGetDatum(datum_array(rows->values[c], rows->nulls[c], rows->n, type)));
	}
	if (spi_execute("INSERT INTO loadtest.run_histograms (run_id, scope, operation_no,"
					" stage, second, ops, errors, retried_ops, retries, late_starts,"
					" first_start_us, last_end_us, latency_sum_us, latency_min_us,"
					" latency_max_us, latency_buckets, latency_counts, wait_sum_us,"
					" wait_max_us, wait_buckets, wait_counts, response_buckets,"
					" response_counts, active_users, commits, wal_bytes)"
					" SELECT $1, r.scope, r.op, r.stage, r.second, r.ops, r.errors,"
					" r.retried, r.retries, r.late, r.first, r.last, r.lsum, r.lmin,"
					" r.lmax, r.lb::pg_catalog.int4[], r.lc::pg_catalog.int8[],"
					" r.wsum, r.wmax, r.wb::pg_catalog.int4[], r.wc::pg_catalog.int8[],"
					" r.rb::pg_catalog.int4[], r.rc::pg_catalog.int8[],"
					" r.active, r.commits, r.wal"
					" FROM ROWS FROM (" UNNEST(2) ", " UNNEST(3) ", " UNNEST(4) ", "
					UNNEST(5) ", " UNNEST(6) ", " UNNEST(7) ", " UNNEST(8) ", "
					UNNEST(9) ", " UNNEST(10) ", " UNNEST(11) ", " UNNEST(12) ", "
					UNNEST(13) ", " UNNEST(14) ", " UNNEST(15) ", " UNNEST(16) ", "
					UNNEST(17) ", " UNNEST(18) ", " UNNEST(19) ", " UNNEST(20) ", "
					UNNEST(21) ", " UNNEST(22) ", " UNNEST(23) ", " UNNEST(24) ", "
					UNNEST(25) ", " UNNEST(26) ")"
					" AS r(scope, op, stage, second, ops, errors, retried, retries,"
					" late, first, last, lsum, lmin, lmax, lb, lc, wsum, wmax, wb, wc,"
					" rb, rc, active, commits, wal)",
					&args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's histograms");
}

/*
 * Users in the run in each second from first to last (inclusive): from its
 * first operation's start to its last one's end, or on to now while it has
 * not finished; in a run whose stages move the users, those the stage has
 * on.
 */
static int32 *
active_users_by_second(uint32 first, uint32 last)
{
	int			nseconds = (int) (last - first + 1);
	int32	   *delta = palloc0(sizeof(int32) * (nseconds + 1));

	if (run->shape.load == LOAD_STAGED_USERS)
	{
		for (int s = 0; s < nseconds; s++)
		{
			int64		t = ((int64) (first + s)) * 1000000 + 500000;

			for (int u = 0; u < run->nusers; u++)
				if (user_counters[u].ops > 0 && user_counters[u].first_start_us <= t &&
					user_active(run, u, t))
					delta[s]++;
		}
		return delta;
	}
	for (int u = 0; u < run->nusers; u++)
	{
		const Counters *c = &user_counters[u];
		int64		from;
		int64		to;

		if (c->ops == 0)
			continue;
		from = c->first_start_us / 1000000;
		to = runstate_user(run, u)->finished ? c->last_end_us / 1000000 : (int64) last;
		from = Max(from, (int64) first);
		to = Min(to, (int64) last);
		if (from > to)
			continue;
		delta[from - first]++;
		delta[to - first + 1]--;
	}
	for (int s = 1; s < nseconds; s++)
		delta[s] += delta[s - 1];
	return delta;
}

static int
second_entry_cmp(const void *a, const void *b)
{
	uint32		sa = (*(SecondEntry *const *) a)->second;
	uint32		sb = (*(SecondEntry *const *) b)->second;

	return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/*
 * Write the per-second rows gathered so far and start them afresh.  As
 * the results' owner, in a recorder transaction.
 */
void
summaries_write_seconds(void)
{
	seconds_iterator it;
	SecondEntry *e;
	SecondEntry **entries;
	int			n = 0;
	BucketEntry *all;
	uint64		nall;
	HistogramRows rows;
	int32	   *active;

	if (second_entries->members == 0)
		return;
	entries = palloc(sizeof(SecondEntry *) * second_entries->members);
	seconds_start_iterate(second_entries, &it);
	while ((e = seconds_iterate(second_entries, &it)) != NULL)
		entries[n++] = e;
	qsort(entries, n, sizeof(SecondEntry *), second_entry_cmp);
	all = buckets_sorted(second_buckets, &nall);
	active = active_users_by_second(entries[0]->second, entries[n - 1]->second);

	rows_init(&rows, n);
	for (int i = 0; i < n; i++)
	{
		uint32		s = entries[i]->second;
		int			row = rows.n;

		rows_add(&rows, "second", -1, -1, s, &entries[i]->counters, all, nall,
				 BUCKET_KEY(SCOPE_SECOND, MEASURE_LATENCY, s, 0, 0),
				 BUCKET_KEY(SCOPE_SECOND, MEASURE_WAIT, s, 0, 0),
				 BUCKET_KEY(SCOPE_SECOND, MEASURE_RESPONSE, s, 0, 0));
		rows.values[HC_ACTIVE][row] = Int32GetDatum(active[s - entries[0]->second]);
		rows.nulls[HC_ACTIVE][row] = false;
		if (entries[i]->has_counters)
		{
			rows.values[HC_COMMITS][row] = Int64GetDatum(entries[i]->commits);
			rows.values[HC_WAL][row] = Int64GetDatum(entries[i]->wal_bytes);
			rows.nulls[HC_COMMITS][row] = rows.nulls[HC_WAL][row] = false;
		}
	}
	rows_insert(&rows);
	seconds_start();
}

static void
summaries_sort_fixed(void)
{
	if (sorted_fixed == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(summaries_context);

		sorted_fixed = buckets_sorted(fixed_buckets, &nsorted_fixed);
		MemoryContextSwitchTo(old);
	}
}

/* Sort a group's messages, most frequent first (then as first met). */
static void
errors_sort_messages(ErrorGroup *g)
{
	for (int i = 1; i < g->nmessages; i++)
		for (int j = i; j > 0 && g->message_counts[j] > g->message_counts[j - 1]; j--)
		{
			char	   *m = g->messages[j];
			int64		c = g->message_counts[j];

			g->messages[j] = g->messages[j - 1];
			g->message_counts[j] = g->message_counts[j - 1];
			g->messages[j - 1] = m;
			g->message_counts[j - 1] = c;
		}
}

/* Write the errors: each group's most frequent messages, then the others'. */
static void
errors_write(void)
{
	int			n = 0;
	int			capacity = nerror_groups * (ERROR_MESSAGES_KEPT + 1);
	Datum	   *operation = palloc(sizeof(Datum) * Max(capacity, 1));
	Datum	   *sqlstate = palloc(sizeof(Datum) * Max(capacity, 1));
	Datum	   *message = palloc(sizeof(Datum) * Max(capacity, 1));
	bool	   *message_null = palloc(sizeof(bool) * Max(capacity, 1));
	Datum	   *count = palloc(sizeof(Datum) * Max(capacity, 1));
	SpiArgs		args = SPI_ARGS_INIT;

	for (int g = 0; g < nerror_groups; g++)
	{
		ErrorGroup *eg = &error_groups[g];
		int64		others = eg->count;
		Datum		state = CStringGetTextDatum(eg->sqlerrcode == OTHER_SQLSTATE ? "other" :
												unpack_sql_state(eg->sqlerrcode));

		errors_sort_messages(eg);
		for (int m = 0; m < Min(eg->nmessages, ERROR_MESSAGES_KEPT); m++)
		{
			operation[n] = Int16GetDatum(eg->operation);
			sqlstate[n] = state;
			message[n] = CStringGetTextDatum(eg->messages[m]);
			message_null[n] = false;
			count[n] = Int64GetDatum(eg->message_counts[m]);
			others -= eg->message_counts[m];
			n++;
		}
		if (others > 0)
		{
			operation[n] = Int16GetDatum(eg->operation);
			sqlstate[n] = state;
			message[n] = (Datum) 0;
			message_null[n] = true;
			count[n] = Int64GetDatum(others);
			n++;
		}
	}
	if (n == 0)
		return;
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg(&args, INT2ARRAYOID, PointerGetDatum(datum_array(operation, NULL, n, INT2OID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(sqlstate, NULL, n, TEXTOID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(message, message_null, n, TEXTOID)));
	spi_arg(&args, INT8ARRAYOID, PointerGetDatum(datum_array(count, NULL, n, INT8OID)));
	if (spi_execute("INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate,"
					" message, count) SELECT $1, e.* FROM ROWS FROM (" UNNEST(2) ", "
					UNNEST(3) ", " UNNEST(4) ", " UNNEST(5) ") AS e",
					&args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's errors");
}

/*
 * Write everything but the users' figures (see summaries_user): the
 * operations', the stages', the seconds not written yet, the errors.  As
 * the results' owner, in the recorder's last transaction.
 */
void
summaries_write(void)
{
	int			nops = run->patterns.noperations;
	HistogramRows rows;

	summaries_sort_fixed();
	rows_init(&rows, nops * (1 + run->nstages));
	for (int op = 0; op < nops; op++)
	{
		if (operation_counters[op].ops == 0)
			continue;
		rows_add(&rows, "operation", op, -1, -1, &operation_counters[op],
				 sorted_fixed, nsorted_fixed,
				 BUCKET_KEY(SCOPE_OPERATION, MEASURE_LATENCY, op, 0, 0),
				 BUCKET_KEY(SCOPE_OPERATION, MEASURE_WAIT, op, 0, 0),
				 BUCKET_KEY(SCOPE_OPERATION, MEASURE_RESPONSE, op, 0, 0));
		for (int st = 0; st < run->nstages; st++)
		{
			const Counters *c = &stage_counters[op * run->nstages + st];

			if (c->ops == 0)
				continue;
			rows_add(&rows, "stage", op, st, -1, c, sorted_fixed, nsorted_fixed,
					 BUCKET_KEY(SCOPE_STAGE, MEASURE_LATENCY, op, st, 0),
					 BUCKET_KEY(SCOPE_STAGE, MEASURE_WAIT, op, st, 0),
					 BUCKET_KEY(SCOPE_STAGE, MEASURE_RESPONSE, op, st, 0));
		}
	}
	rows_insert(&rows);
	summaries_write_seconds();
	errors_write();
}

/*
 * A user's figures: its errors, the sum of its latencies and its p95
 * (summary_percentile over its histogram).
 */
void
summaries_user(int user, UserFigures *figures)
{
	const Counters *c = &user_counters[user];
	uint64		key = BUCKET_KEY(SCOPE_USER, MEASURE_LATENCY, user, 0, 0);
	uint64		first;
	uint64		i;
	int		   *buckets;
	int64	   *counts;
	int			n = 0;

	figures->errors = c->errors;
	figures->latency_sum_us = c->latency_sum_us;
	figures->latency_p95_us = -1;
	if (c->ops == 0)
		return;
	summaries_sort_fixed();
	first = buckets_lower_bound(sorted_fixed, nsorted_fixed, key);
	for (i = first; i < nsorted_fixed && ROW_OF(sorted_fixed[i].key) == key; i++)
		;
	if (i == first)
		return;
	buckets = palloc(sizeof(int) * (i - first));
	counts = palloc(sizeof(int64) * (i - first));
	for (uint64 k = first; k < i; k++)
	{
		buckets[n] = BUCKET_OF(sorted_fixed[k].key);
		counts[n++] = sorted_fixed[k].count;
	}
	figures->latency_p95_us = summary_percentile(buckets, counts, n, c->ops, 0.95);
	pfree(buckets);
	pfree(counts);
}
