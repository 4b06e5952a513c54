/*-------------------------------------------------------------------------
 *
 * sample_writer.c
 *	  Writes the recorder's batches of samples into loadtest.sample_log
 *	  (loadtest.samples is the view over it that names operations).
 *
 * Recording one row per operation is the engine's largest cost at the top
 * end: through INSERT ... SELECT FROM unnest(arrays) the recorder spent
 * about 2.8 us of CPU per sample (arrays, a tuplestore, the executor and
 * one WAL record per row), as much as a primary-key lookup itself.  So
 * the batch is written the way COPY FROM writes: rows formed directly
 * from the batch's values, table_multi_insert (one WAL record per page)
 * and the indexes updated with ExecInsertIndexTuples -- except BRIN
 * indexes on plain columns (the table's own index on run_id is one): a
 * BRIN summary is the union of the values of a block range, so a row with
 * the same values as the row inserted just before it, in the same range,
 * changes nothing and is skipped.  PostgreSQL 15's brininsert() reads the
 * index's meta and revmap pages for every row; with one run_id per batch,
 * this leaves one insertion per block range instead of one per row.
 *
 * That direct path skips the executor, so it is taken only while the
 * table is the one the extension created and the direct path checks all
 * that INSERT would: a plain heap table, not a partition, with the
 * extension's twelve columns (NOT NULL where the extension put it, no
 * identity, no generated column), no triggers, no rules, no check
 * constraints; a writable transaction; USAGE on the schema and INSERT on
 * the whole table, with no module checking permissions its own way
 * (ExecutorCheckPerms_hook: sepgsql, audit); and no row-level security
 * for the writer (the recorder writes as the table's owner, see trust.c).
 * Anything else -- a trigger a user adds to
 * forward samples, say -- and the batch goes through the SQL INSERT, which
 * honours whatever the table asks for.
 *
 * Both paths run in the caller's transaction, with SPI connected.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/brin_revmap.h"
#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "sample_writer.h"

/* rows per table_multi_insert call, as COPY FROM's MAX_BUFFERED_TUPLES */
#define DIRECT_CHUNK	1000

/* The columns of loadtest.sample_log as the extension creates them. */
typedef enum SampleColumn
{
	COL_RUN_ID,
	COL_USER_NO,
	COL_OP_NO,
	COL_START_US,
	COL_LATENCY_US,
	COL_WAIT_US,
	COL_PATTERN_NO,
	COL_OPERATION_NO,
	COL_TRIES,
	COL_SUCCESS,
	COL_SQLSTATE,
	COL_MESSAGE,
	NUM_SAMPLE_COLUMNS
} SampleColumn;

typedef struct SampleColumnInfo
{
	const char *name;
	Oid			type;
	bool		not_null;
} SampleColumnInfo;

static const SampleColumnInfo sample_columns[NUM_SAMPLE_COLUMNS] = {
	[COL_RUN_ID] = {"run_id", INT8OID, true},
	[COL_USER_NO] = {"user_no", INT4OID, true},
	[COL_OP_NO] = {"op_no", INT4OID, true},
	[COL_START_US] = {"start_us", INT8OID, true},
	[COL_LATENCY_US] = {"latency_us", INT8OID, true},
	[COL_WAIT_US] = {"wait_us", INT8OID, true},
	[COL_PATTERN_NO] = {"pattern_no", INT2OID, true},
	[COL_OPERATION_NO] = {"operation_no", INT2OID, true},
	[COL_TRIES] = {"tries", INT2OID, true},
	[COL_SUCCESS] = {"success", BOOLOID, true},
	[COL_SQLSTATE] = {"sqlstate", TEXTOID, false},
	[COL_MESSAGE] = {"message", TEXTOID, false},
};

static SPIPlanPtr insert_samples_plan;

/* The direct path's slots, kept across batches (see direct_slots()). */
static TupleDesc direct_desc;
static TupleTableSlot *direct_slot[DIRECT_CHUNK];

/*
 * Prepare the SQL path's statement; called in a transaction, with SPI
 * connected, before the first batch.  $1 is the run id, $2.. one array
 * per other column, in the table's order.
 */
void
sample_writer_prepare(void)
{
	StringInfoData sql;
	Oid			argtypes[NUM_SAMPLE_COLUMNS];

	initStringInfo(&sql);
	appendStringInfoString(&sql, "INSERT INTO loadtest.sample_log (");
	for (int c = 0; c < NUM_SAMPLE_COLUMNS; c++)
	{
		appendStringInfo(&sql, "%s%s", c > 0 ? ", " : "", sample_columns[c].name);
		argtypes[c] = c == COL_RUN_ID ? INT8OID : get_array_type(sample_columns[c].type);
	}
	appendStringInfoString(&sql, ") SELECT $1, u.* FROM ROWS FROM (");
	for (int c = 1; c < NUM_SAMPLE_COLUMNS; c++)
		appendStringInfo(&sql, "%spg_catalog.unnest($%d)", c > 1 ? ", " : "", c + 1);
	appendStringInfoString(&sql, ") AS u");
	insert_samples_plan = SPI_prepare(sql.data, NUM_SAMPLE_COLUMNS, argtypes);
	if (insert_samples_plan == NULL || SPI_keepplan(insert_samples_plan) != 0)
		elog(ERROR, "could not prepare the insertion of samples");
}

/* A one-dimensional array of n values of type (nulls may be NULL). */
ArrayType *
datum_array(const Datum *values, const bool *nulls, int n, Oid type)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	return construct_md_array((Datum *) values, (bool *) nulls, 1, dims, lbs,
							  type, typlen, typbyval, typalign);
}

/* The SQL path: one INSERT ... SELECT FROM unnest(arrays). */
static void
write_sql(const SampleBatch *b, int64 run_id)
{
	Datum		values[12];
	int			rc;

	values[COL_RUN_ID] = Int64GetDatum(run_id);
	values[COL_USER_NO] = PointerGetDatum(datum_array(b->user_no, NULL, b->n, INT4OID));
	values[COL_OP_NO] = PointerGetDatum(datum_array(b->op_no, NULL, b->n, INT4OID));
	values[COL_START_US] = PointerGetDatum(datum_array(b->start_us, NULL, b->n, INT8OID));
	values[COL_LATENCY_US] = PointerGetDatum(datum_array(b->latency_us, NULL, b->n, INT8OID));
	values[COL_WAIT_US] = PointerGetDatum(datum_array(b->wait_us, NULL, b->n, INT8OID));
	values[COL_PATTERN_NO] = PointerGetDatum(datum_array(b->pattern, NULL, b->n, INT2OID));
	values[COL_OPERATION_NO] = PointerGetDatum(datum_array(b->operation, NULL, b->n, INT2OID));
	values[COL_TRIES] = PointerGetDatum(datum_array(b->tries, NULL, b->n, INT2OID));
	values[COL_SUCCESS] = PointerGetDatum(datum_array(b->success, NULL, b->n, BOOLOID));
	values[COL_SQLSTATE] = PointerGetDatum(datum_array(b->sqlstate, b->sqlstate_null, b->n, TEXTOID));
	values[COL_MESSAGE] = PointerGetDatum(datum_array(b->message, b->message_null, b->n, TEXTOID));
	rc = SPI_execute_plan(insert_samples_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not record samples: %s", SPI_result_code_string(rc));
}

/*
 * Why the direct path cannot write into rel, or NULL when it can: see the
 * file's header comment.
 */
static const char *
direct_path_refusal(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID || rel->rd_rel->relispartition)
		return "it is not a plain heap table";
	if (rel->trigdesc != NULL || rel->rd_rules != NULL)
		return "it has triggers or rules";
	if (XactReadOnly)
		return "the transaction is read-only";
	if (ExecutorCheckPerms_hook != NULL)
		return "a module checks permissions";
	if (desc->constr != NULL &&
		(desc->constr->num_check > 0 || desc->constr->has_generated_stored))
		return "it has check constraints or generated columns";
	if (desc->natts != NUM_SAMPLE_COLUMNS)
		return "its columns are not the extension's";
	for (int i = 0; i < NUM_SAMPLE_COLUMNS; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped || attr->atttypid != sample_columns[i].type ||
			strcmp(NameStr(attr->attname), sample_columns[i].name) != 0 ||
			attr->attidentity != '\0' || attr->attgenerated != '\0' ||
			attr->attnotnull != sample_columns[i].not_null)
			return "its columns are not the extension's";
	}
	if (pg_namespace_aclcheck(RelationGetNamespace(rel), GetUserId(), ACL_USAGE) != ACLCHECK_OK ||
		pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		return "the role may not use the schema or insert into the whole table";
	/*
	 * The recorder writes as the table's owner, to whom row-level security
	 * does not apply; if it is forced on the owner, INSERT decides.  (With
	 * row_security = off, this raises the error INSERT would raise.)
	 */
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		return "row-level security applies to the writer";
	return NULL;
}

/*
 * The slots of the direct path.  They are made once, in TopMemoryContext,
 * over a copy of the table's descriptor (not reference-counted, so they
 * outlive the transaction); direct_path_refusal() has checked that the
 * table's columns are still the ones the copy describes.
 */
static TupleTableSlot **
direct_slots(Relation rel)
{
	if (direct_desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		direct_desc = CreateTupleDescCopy(RelationGetDescr(rel));
		for (int i = 0; i < DIRECT_CHUNK; i++)
			direct_slot[i] = MakeTupleTableSlot(direct_desc, &TTSOpsHeapTuple);
		MemoryContextSwitchTo(old);
	}
	return direct_slot;
}

/* Fill slot with row i of the batch. */
static void
direct_fill(TupleTableSlot *slot, const SampleBatch *b, int i, int64 run_id)
{
	Datum	   *values = slot->tts_values;
	bool	   *nulls = slot->tts_isnull;

	ExecClearTuple(slot);
	memset(nulls, false, sizeof(bool) * NUM_SAMPLE_COLUMNS);
	values[COL_RUN_ID] = Int64GetDatum(run_id);
	values[COL_USER_NO] = b->user_no[i];
	values[COL_OP_NO] = b->op_no[i];
	values[COL_START_US] = b->start_us[i];
	values[COL_LATENCY_US] = b->latency_us[i];
	values[COL_WAIT_US] = b->wait_us[i];
	values[COL_PATTERN_NO] = b->pattern[i];
	values[COL_OPERATION_NO] = b->operation[i];
	values[COL_TRIES] = b->tries[i];
	values[COL_SUCCESS] = b->success[i];
	values[COL_SQLSTATE] = b->sqlstate[i];
	nulls[COL_SQLSTATE] = b->sqlstate_null[i];
	values[COL_MESSAGE] = b->message[i];
	nulls[COL_MESSAGE] = b->message_null[i];
	ExecStoreVirtualTuple(slot);
}

/* A BRIN index the direct path inserts into itself (see the header). */
typedef struct BrinTarget
{
	Relation	index;
	IndexInfo  *info;
	BlockNumber pages_per_range;
	bool		have_last;		/* within the current chunk */
	BlockNumber last_range;
	Datum		last_values[INDEX_MAX_KEYS];
	bool		last_isnull[INDEX_MAX_KEYS];
} BrinTarget;

/*
 * Take the BRIN indexes on plain columns out of result_rel's open indexes
 * (ExecInsertIndexTuples keeps the others); returns how many.
 */
static int
split_brin_indexes(ResultRelInfo *result_rel, BrinTarget *brin)
{
	int			kept = 0;
	int			nbrin = 0;

	for (int i = 0; i < result_rel->ri_NumIndices; i++)
	{
		Relation	index = result_rel->ri_IndexRelationDescs[i];
		IndexInfo  *info = result_rel->ri_IndexRelationInfo[i];

		if (index->rd_rel->relam == BRIN_AM_OID && info->ii_ReadyForInserts &&
			info->ii_Expressions == NIL && info->ii_Predicate == NIL &&
			info->ii_ExclusionOps == NULL)
		{
			/*
			 * The index's ranges as brininsert() sees them: from its
			 * metapage (the pages_per_range option takes effect only at the
			 * next REINDEX).
			 */
			BrinRevmap *revmap = brinRevmapInitialize(index,
													  &brin[nbrin].pages_per_range,
													  NULL);

			brinRevmapTerminate(revmap);
			brin[nbrin].index = index;
			brin[nbrin].info = info;
			brin[nbrin].have_last = false;
			nbrin++;
		}
		else
		{
			result_rel->ri_IndexRelationDescs[kept] = index;
			result_rel->ri_IndexRelationInfo[kept] = info;
			kept++;
		}
	}
	result_rel->ri_NumIndices = kept;
	return nbrin;
}

/* Insert the row of slot into a BRIN index unless it would change nothing. */
static void
brin_insert_row(BrinTarget *target, Relation rel, TupleTableSlot *slot,
				EState *estate)
{
	TupleDesc	desc = RelationGetDescr(rel);
	BlockNumber block = ItemPointerGetBlockNumber(&slot->tts_tid);
	BlockNumber range = block / target->pages_per_range;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	int			nkeys = target->info->ii_NumIndexAttrs;
	bool		same = target->have_last && range == target->last_range;

	/*
	 * The first tuple of a range is where brininsert() asks autovacuum to
	 * summarize the range before (autosummarize): never skip it.
	 */
	if (block % target->pages_per_range == 0 &&
		ItemPointerGetOffsetNumber(&slot->tts_tid) == FirstOffsetNumber)
		same = false;

	FormIndexDatum(target->info, slot, estate, values, isnull);
	for (int k = 0; same && k < nkeys; k++)
	{
		/* plain columns: the values are the table's */
		Form_pg_attribute attr =
			TupleDescAttr(desc, target->info->ii_IndexAttrNumbers[k] - 1);

		same = isnull[k] == target->last_isnull[k] &&
			(isnull[k] || datumIsEqual(values[k], target->last_values[k],
									   attr->attbyval, attr->attlen));
	}
	if (same)
		return;
	(void) index_insert(target->index, values, isnull, &slot->tts_tid, rel,
						UNIQUE_CHECK_NO, false, target->info);
	/* by-reference values point into the slot: valid within the chunk */
	memcpy(target->last_values, values, sizeof(Datum) * nkeys);
	memcpy(target->last_isnull, isnull, sizeof(bool) * nkeys);
	target->last_range = range;
	target->have_last = true;
}

/* The direct path: rows in chunks through table_multi_insert, then indexes. */
static void
write_direct(Relation rel, const SampleBatch *b, int64 run_id)
{
	TupleTableSlot **slots = direct_slots(rel);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result_rel = makeNode(ResultRelInfo);
	CommandId	cid = GetCurrentCommandId(true);
	BrinTarget *brin;
	int			nbrin;

	InitResultRelInfo(result_rel, rel, 1, NULL, 0);
	ExecOpenIndices(result_rel, false);
	brin = palloc(sizeof(BrinTarget) * Max(result_rel->ri_NumIndices, 1));
	nbrin = split_brin_indexes(result_rel, brin);

	for (int first = 0; first < b->n; first += DIRECT_CHUNK)
	{
		int			n = Min(DIRECT_CHUNK, b->n - first);
		MemoryContext old;

		for (int i = 0; i < n; i++)
			direct_fill(slots[i], b, first + i, run_id);
		for (int j = 0; j < nbrin; j++)
			brin[j].have_last = false;

		/* all of these leak into the current context: use the per-tuple one */
		old = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		table_multi_insert(rel, slots, n, cid, 0, NULL);
		for (int i = 0; i < n; i++)
		{
			if (result_rel->ri_NumIndices > 0)
				list_free(ExecInsertIndexTuples(result_rel, slots[i], estate,
												false, false, NULL, NIL));
			for (int j = 0; j < nbrin; j++)
				brin_insert_row(&brin[j], rel, slots[i], estate);
		}
		for (int i = 0; i < n; i++)
			ExecClearTuple(slots[i]);
		MemoryContextSwitchTo(old);
		ResetPerTupleExprContext(estate);
	}

	ExecCloseIndices(result_rel);
	for (int j = 0; j < nbrin; j++)
		index_close(brin[j].index, RowExclusiveLock);
	FreeExecutorState(estate);
}

/*
 * Write the batch into loadtest.sample_log, in the caller's transaction (SPI
 * connected, a snapshot active); errors are raised.
 */
void
sample_writer_insert(const SampleBatch *batch, int64 run_id)
{
	RangeVar   *samples = makeRangeVar("loadtest", "sample_log", -1);
	Oid			relid;
	Relation	rel;
	const char *refusal;

	if (batch->n == 0)
		return;

	/* the lock INSERT takes; a missing table is reported as INSERT would */
	relid = RangeVarGetRelid(samples, RowExclusiveLock, false);
	rel = table_open(relid, NoLock);
	refusal = direct_path_refusal(rel);
	if (refusal == NULL)
	{
		write_direct(rel, batch, run_id);
	}
	else
	{
		elog(DEBUG1, "loadtest: samples written with INSERT: loadtest.sample_log: %s",
			 refusal);
		write_sql(batch, run_id);
	}
	table_close(rel, NoLock);
}
