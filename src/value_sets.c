/*-------------------------------------------------------------------------
 *
 * value_sets.c
 *	  What a run's column and page generators draw from: values that exist
 *	  in the tables when the run starts, gathered once per run by the
 *	  recorder as the calling role, into one buffer that the recorder
 *	  copies into a segment its workers attach (see ValueSet in
 *	  generators.h).
 *
 * A column's values are a uniform sample (reservoir sampling, so that
 * every row has the same chance whatever the gaps between ids) of at most
 * VALUE_SAMPLE rows; a large table is read through TABLESAMPLE SYSTEM, not
 * in full.  Generators that draw from the same column share one set.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "value_sets.h"

#define VALUE_SAMPLE	16384	/* values kept of a column, per run */
#define VALUES_MAGIC	0x4C545632	/* "LTV2" */

typedef struct ValuesHeader
{
	uint32		magic;
	int32		nsets;
} ValuesHeader;


typedef struct GatheredSet
{
	char	   *key;
	Generator  *gen;			/* the first generator with this key */
	const char *operation;		/* its operation */
	Oid			type;
	int16		typlen;
	bool		typbyval;
	int			n;
	Datum	   *values;
	int64		rows;
} GatheredSet;

/* The planner's estimate of a table's rows; -1 when never analyzed. */
static double
planner_rows(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		rows = -1;

	if (HeapTupleIsValid(tuple))
	{
		rows = ((Form_pg_class) GETSTRUCT(tuple))->reltuples;
		ReleaseSysCache(tuple);
	}
	return rows;
}

/* The table a column or page generator reads, locked for the gathering. */
static Oid
generator_relid(const Generator *gen, const char *operation)
{
	RangeVar   *rv = makeRangeVar(gen->schema_name, gen->table_name, -1);
	Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("operation \"%s\" draws $%d from %s.%s, which does not exist",
						operation, gen->position, gen->schema_name, gen->table_name),
				 strcmp(gen->schema_name, "membership") == 0 ?
				 errhint("Reinstall the extension, then run SELECT loadtest_seed();") :
				 errhint("Create the table, or redefine the operation.")));
	return relid;
}

/*
 * Reservoir sampling of the first column of sql's rows into set: every
 * row has the same chance whatever the gaps between values.  Read through
 * a cursor: a table of any size costs a bounded amount of memory.
 */
static void
reservoir_sample(GatheredSet *set, const char *sql, pg_prng_state *rng)
{
	Portal		portal;
	uint64		seen = 0;
	MemoryContext keep = CurrentMemoryContext;

	portal = SPI_cursor_open_with_args(NULL, sql, 0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		if (set->type == InvalidOid)
		{
			set->type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
			get_typlenbyval(set->type, &set->typlen, &set->typbyval);
		}
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
											  1, &isnull);
			uint64		slot;
			MemoryContext old;

			if (isnull)
				continue;
			seen++;
			if (set->n < VALUE_SAMPLE)
				slot = set->n++;
			else if ((slot = pg_prng_uint64_range(rng, 0, seen - 1)) >= VALUE_SAMPLE)
				continue;
			old = MemoryContextSwitchTo(keep);
			if (!set->typbyval && set->typlen == -1)
				value = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
			else
				value = datumCopy(value, set->typbyval, set->typlen);
			MemoryContextSwitchTo(old);
			set->values[slot] = value;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	if (set->type == InvalidOid)
	{
		set->type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
		get_typlenbyval(set->type, &set->typlen, &set->typbyval);
	}
}

/*
 * Gather one column's values: a uniform sample of at most VALUE_SAMPLE
 * rows of the whole table or, with hot_rows, of its first hot_rows rows
 * by the column.  A large table is read through TABLESAMPLE SYSTEM, about
 * 1.5 times the sample's size in random pages (drawn with the run's seed),
 * not in full.
 */
static void
gather_column(GatheredSet *set, int hot_rows, pg_prng_state *rng)
{
	const Generator *gen = set->gen;
	Oid			relid = generator_relid(gen, set->operation);
	char	   *table = quote_qualified_identifier(gen->schema_name, gen->table_name);
	const char *column = quote_identifier(gen->column_name);
	const char *cast = gen->prefix_max > 0 ? "::pg_catalog.text" : "";
	char		relkind = get_rel_relkind(relid);
	double		rows = planner_rows(relid);
	double		percent = rows <= 0 ? 100 : Min(100.0, 150.0 * VALUE_SAMPLE / rows);
	char	   *from;
	char	   *sql;

	set->values = palloc(sizeof(Datum) * VALUE_SAMPLE);
	/* hot rows are rows to work on: not the values of searches */
	if (hot_rows > 0 && !gen->distinct && gen->prefix_max == 0)
		from = psprintf("(SELECT %s AS v FROM %s WHERE %s IS NOT NULL ORDER BY %s LIMIT %d) AS s",
						column, table, column, column, hot_rows);
	else if (percent < 100 && (relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW))
		from = psprintf("(SELECT %s AS v FROM %s TABLESAMPLE SYSTEM (%.6f) REPEATABLE (" UINT64_FORMAT ")) AS s",
						column, table, percent, pg_prng_uint64(rng) & PG_INT32_MAX);
	else
		from = psprintf("(SELECT %s AS v FROM %s) AS s", column, table);
	sql = psprintf("SELECT %sv%s FROM %s", gen->distinct ? "DISTINCT " : "", cast, from);
	reservoir_sample(set, sql, rng);

	/* the estimate was far too high (the table shrank): read it all */
	if (set->n == 0 && strstr(from, "TABLESAMPLE") != NULL)
		reservoir_sample(set, psprintf("SELECT %sv%s FROM (SELECT %s AS v FROM %s) AS s",
									   gen->distinct ? "DISTINCT " : "", cast,
									   column, table), rng);
}

/* About how many rows a table has, for page offsets. */
static void
gather_page(GatheredSet *set)
{
	const Generator *gen = set->gen;
	Oid			relid = generator_relid(gen, set->operation);
	double		rows = planner_rows(relid);
	char	   *table = quote_qualified_identifier(gen->schema_name, gen->table_name);

	set->type = INT8OID;
	set->typlen = 8;
	set->typbyval = true;
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", table)));
	if (rows < 0)
	{
		bool		isnull;

		if (SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM (SELECT FROM %s LIMIT 100000) AS t",
								 table), true, 1) == SPI_OK_SELECT && SPI_processed == 1)
			rows = (double) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &isnull));
	}
	set->rows = (int64) Max(rows, 0);
}

static Size
set_size(const GatheredSet *set)
{
	Size		size = MAXALIGN(offsetof(ValueSet, values) + sizeof(Datum) * set->n);

	if (!set->typbyval)
		for (int i = 0; i < set->n; i++)
			size += MAXALIGN(datumGetSize(set->values[i], false, set->typlen));
	return size;
}

/* Write a set at dest; by-reference values as offsets from the set. */
static void
serialize_set(const GatheredSet *set, char *dest)
{
	ValueSet   *vs = (ValueSet *) dest;
	Size		offset = MAXALIGN(offsetof(ValueSet, values) + sizeof(Datum) * set->n);

	strlcpy(vs->key, set->key, sizeof(vs->key));
	vs->type = set->type;
	vs->typlen = set->typlen;
	vs->typbyval = set->typbyval;
	vs->n = set->n;
	vs->rows = set->rows;
	for (int i = 0; i < set->n; i++)
	{
		if (set->typbyval)
			vs->values[i] = set->values[i];
		else
		{
			Size		len = datumGetSize(set->values[i], false, set->typlen);

			memcpy(dest + offset, DatumGetPointer(set->values[i]), len);
			vs->values[i] = (Datum) offset;
			offset += MAXALIGN(len);
		}
	}
	vs->size = offset;
}

/* Error context: the generator whose table is being read. */
static const char *gathering_operation;

static void
gather_error_context(void *arg)
{
	const Generator *gen = arg;

	if (gen->kind == GEN_PAGE)
		errcontext("counting the rows of %s.%s for $%d of operation \"%s\"",
				   gen->schema_name, gen->table_name, gen->position, gathering_operation);
	else
		errcontext("drawing the values of $%d of operation \"%s\" from %s.%s.%s",
				   gen->position, gathering_operation, gen->schema_name,
				   gen->table_name, gen->column_name);
}

/*
 * Gather what the run's column and page generators draw from, as the
 * calling role (in a transaction, SPI connected), into one buffer that
 * the recorder copies into the segment its workers share.  Generators
 * that draw from the same column share one set.
 */
Size
value_sets_gather(WorkloadOperation **ops, int nops, uint64 seed,
					   int hot_rows, char **buffer)
{
	List	   *sets = NIL;
	ListCell   *lc;
	pg_prng_state rng;
	ErrorContextCallback callback;
	Size		size = MAXALIGN(sizeof(ValuesHeader));
	char	   *p;
	ValuesHeader *header;

	pg_prng_seed(&rng, seed);
	for (int o = 0; o < nops; o++)
		for (int i = 0; i < ops[o]->nvariants; i++)
			for (int g = 0; g < ops[o]->variants[i].ngenerators; g++)
			{
				Generator  *gen = &ops[o]->variants[i].generators[g];
				char	   *key;
				bool		found = false;
				GatheredSet *set;

				if (gen->kind != GEN_COLUMN && gen->kind != GEN_PAGE)
					continue;
				key = generator_value_key(gen);
				foreach(lc, sets)
					found |= strcmp(((GatheredSet *) lfirst(lc))->key, key) == 0;
				if (found)
					continue;
				if (strlen(key) >= LOADTEST_VALUE_KEY_LEN)
					ereport(ERROR,
							(errcode(ERRCODE_NAME_TOO_LONG),
							 errmsg("operation \"%s\": the names of the column $%d draws from are too long",
									ops[o]->name, g + 1)));
				callback.arg = gen;
				callback.callback = gather_error_context;
				callback.previous = error_context_stack;
				error_context_stack = &callback;
				gathering_operation = ops[o]->name;
				set = palloc0(sizeof(GatheredSet));
				set->key = key;
				set->gen = gen;
				set->operation = ops[o]->name;
				if (gen->kind == GEN_PAGE)
					gather_page(set);
				else
				{
					gather_column(set, hot_rows, &rng);
					if (set->n == 0)
						ereport(ERROR,
								(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
								 errmsg("operation \"%s\" draws $%d from %s.%s.%s, which has no rows",
										ops[o]->name, g + 1, gen->schema_name,
										gen->table_name, gen->column_name),
								 strcmp(gen->schema_name, "membership") == 0 ?
								 errhint("Run SELECT loadtest_seed(); first.") :
								 errhint("Insert rows first, or draw $%d with another generator.", g + 1)));
				}
				error_context_stack = callback.previous;
				sets = lappend(sets, set);
				size += set_size(set);
			}

	*buffer = p = palloc0(size);
	header = (ValuesHeader *) p;
	header->magic = VALUES_MAGIC;
	header->nsets = list_length(sets);
	p += MAXALIGN(sizeof(ValuesHeader));
	foreach(lc, sets)
	{
		serialize_set(lfirst(lc), p);
		p += ((ValueSet *) p)->size;
	}
	Assert(p == *buffer + size);
	return size;
}

/* Point every column and page generator at its set in the segment. */
void
value_sets_attach(WorkloadOperation **ops, int nops, const char *segment,
					   Size size)
{
	const ValuesHeader *header = (const ValuesHeader *) segment;

	if (size < sizeof(ValuesHeader) || header->magic != VALUES_MAGIC)
		elog(ERROR, "loadtest: the run's value segment is not valid");
	for (int o = 0; o < nops; o++)
		for (int i = 0; i < ops[o]->nvariants; i++)
			for (int g = 0; g < ops[o]->variants[i].ngenerators; g++)
			{
				Generator  *gen = &ops[o]->variants[i].generators[g];
				char	   *key;
				const char *p = segment + MAXALIGN(sizeof(ValuesHeader));

				if (gen->kind != GEN_COLUMN && gen->kind != GEN_PAGE)
					continue;
				key = generator_value_key(gen);
				for (int s = 0; s < header->nsets; s++)
				{
					const ValueSet *vs = (const ValueSet *) p;

					if (strcmp(vs->key, key) == 0)
						gen->value_set = vs;
					p += vs->size;
				}
				if (gen->value_set == NULL)
					elog(ERROR, "loadtest: no values were gathered for \"%s\"", key);
			}
}
