/*-------------------------------------------------------------------------
 *
 * workload.c
 *	  What the operations of a run draw their parameters from: ids that
 *	  exist, statuses, classifications and last names of the data, gathered
 *	  once per run by the recorder, in a transaction of its own (so that the
 *	  call that started the run holds no lock on the workload tables).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "runstate.h"

static const char *const workload_tables[] = {
	"members", "organizations", "member_employments", "organization_contacts",
	"students", "file_attachments",
};

static int64
spi_int8(const char *sql, int64 default_value)
{
	bool		isnull;
	Datum		value;

	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return default_value;
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? default_value : DatumGetInt64(value);
}

/* Distinct values of a column, through its index (a loose index scan). */
static int
spi_distinct_values(const char *column, char values[][LOADTEST_VALUE_LEN])
{
	char	   *sql = psprintf("WITH RECURSIVE v(x) AS ("
							   " SELECT min(%s) FROM membership.members"
							   " UNION ALL"
							   " SELECT (SELECT min(%s) FROM membership.members WHERE %s > v.x)"
							   " FROM v WHERE v.x IS NOT NULL)"
							   " SELECT x FROM v WHERE x IS NOT NULL LIMIT %d",
							   column, column, column, LOADTEST_MAX_VALUES);
	int			n = 0;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		return 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *value = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (value != NULL && strlen(value) < LOADTEST_VALUE_LEN)
			strlcpy(values[n++], value, LOADTEST_VALUE_LEN);
	}
	return n;
}

/*
 * Can a prefix of this name (2 to 4 characters) be searched as a byte range?
 * Its characters must be ASCII letters, and the last one of the prefix is
 * incremented to make the range's upper end: no 'z' or 'Z' among the first
 * four.  Other names are fine after that (Martinez, Gonzalez...).
 */
static bool
is_ascii_name(const char *name)
{
	size_t		len = strlen(name);

	if (len < 2 || len >= LOADTEST_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = name[i];
		bool		letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

		if (!letter || (i < 4 && (c == 'z' || c == 'Z')))
			return false;
	}
	return true;
}

static bool
can_read(const char *table)
{
	Oid			relid = get_relname_relid(table, get_namespace_oid("membership", false));

	return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

static void reservoir_sample(const char *sql, pg_prng_state *rng,
							 IdSample *sample);

/*
 * The planner's estimate of a table's rows; -1 when it was never analyzed
 * (or vacuumed).
 */
static double
planner_rows(const char *table)
{
	bool		isnull;
	Datum		value;
	char	   *sql = psprintf("SELECT c.reltuples::pg_catalog.float8 FROM pg_catalog.pg_class c"
							   " WHERE c.oid = 'membership.%s'::pg_catalog.regclass", table);

	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return -1;
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? -1 : DatumGetFloat8(value);
}

/*
 * Ids that exist in membership.table.column, into sample: a uniform
 * sample of at most LOADTEST_ID_SAMPLE rows (reservoir sampling, so every
 * row has the same chance whatever the gaps between ids), of the whole
 * table or, with hot_rows, of its first hot_rows rows by id.  A large
 * table is read through TABLESAMPLE SYSTEM, about 1.5 times the sample's
 * size in random pages, not in full; the pages are drawn with the run's
 * seed.  Read through a cursor: a table of any size costs a bounded
 * amount of memory.
 */
static void
sample_ids(const char *table, const char *column, int hot_rows,
		   pg_prng_state *rng, IdSample *sample)
{
	char	   *sql;
	bool		whole_table = false;

	sample->n = 0;
	if (!can_read(table))
		return;
	if (hot_rows > 0)
		sql = psprintf("SELECT %s FROM membership.%s ORDER BY %s LIMIT %d",
					   column, table, column, hot_rows);
	else
	{
		double		rows = planner_rows(table);
		double		percent = rows <= 0 ? 100 :
			Min(100.0, 150.0 * LOADTEST_ID_SAMPLE / rows);

		whole_table = percent >= 100;
		if (whole_table)
			sql = psprintf("SELECT %s FROM membership.%s", column, table);
		else
			sql = psprintf("SELECT %s FROM membership.%s TABLESAMPLE SYSTEM (%.6f)"
						   " REPEATABLE (" UINT64_FORMAT ")",
						   column, table, percent,
						   pg_prng_uint64(rng) & PG_INT32_MAX);
	}
	reservoir_sample(sql, rng, sample);

	/* the estimate was far too high (the table shrank): read it all */
	if (sample->n == 0 && hot_rows == 0 && !whole_table)
		reservoir_sample(psprintf("SELECT %s FROM membership.%s", column, table),
						 rng, sample);
}

/* Reservoir sampling of the first column of sql's rows into sample. */
static void
reservoir_sample(const char *sql, pg_prng_state *rng, IdSample *sample)
{
	Portal		portal;
	uint64		seen = 0;

	portal = SPI_cursor_open_with_args(NULL, sql, 0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
										   1, &isnull);
			uint64		slot;

			if (isnull)
				continue;
			seen++;
			if (sample->n < LOADTEST_ID_SAMPLE)
				slot = sample->n++;
			else if ((slot = pg_prng_uint64_range(rng, 0, seen - 1)) >= LOADTEST_ID_SAMPLE)
				continue;
			sample->ids[slot] = DatumGetInt64(id);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * About how many rows a table has, for page offsets: the planner's
 * estimate, or a bounded count when the table was never analyzed.
 */
static int64
estimate_rows(const char *table)
{
	double		rows;

	if (!can_read(table))
		return 0;
	rows = planner_rows(table);
	if (rows < 0)
		return spi_int8(psprintf("SELECT pg_catalog.count(*) FROM"
								 " (SELECT FROM membership.%s LIMIT 100000) AS t", table), 0);
	return (int64) rows;
}

/*
 * Check that the workload is in place, and learn what operations draw
 * their parameters from.  Tables the role may not read are left out: the
 * operations on them will fail, and be recorded, as permission errors.
 */
void
workload_facts_gather(WorkloadFacts *facts, uint64 seed, int hot_rows)
{
	Oid			schema = get_namespace_oid("membership", true);
	pg_prng_state rng;

	memset(facts, 0, sizeof(*facts));
	pg_prng_seed(&rng, seed);

	for (int i = 0; i < lengthof(workload_tables); i++)
		if (!OidIsValid(schema) ||
			!OidIsValid(get_relname_relid(workload_tables[i], schema)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("the workload table membership.%s is missing",
							workload_tables[i]),
					 errhint("Reinstall the extension, then run SELECT loadtest_seed();")));

	if (can_read("members"))
	{
		Datum		ids[64];
		Oid			argtypes[1] = {INT8ARRAYOID};
		Datum		args[1];

		sample_ids("members", "member_id", hot_rows, &rng, &facts->members);
		if (facts->members.n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the membership workload has no data"),
					 errdetail("membership.members is empty."),
					 errhint("Run SELECT loadtest_seed(); first.")));

		facts->nstatuses = spi_distinct_values("status", facts->statuses);
		facts->nclassifications = spi_distinct_values("classification",
													  facts->classifications);
		for (int i = 0; i < lengthof(ids); i++)
			ids[i] = Int64GetDatum(facts->members.ids[pg_prng_uint64_range(&rng, 0, facts->members.n - 1)]);
		args[0] = PointerGetDatum(construct_array(ids, lengthof(ids), INT8OID,
												  8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		if (SPI_execute_with_args("SELECT last_name FROM membership.members"
								  " WHERE member_id = ANY ($1)",
								  1, argtypes, args, NULL, true, 0) == SPI_OK_SELECT)
		{
			for (uint64 i = 0; i < SPI_processed &&
				 facts->nprefixes < LOADTEST_NAME_PREFIXES; i++)
			{
				char	   *name = SPI_getvalue(SPI_tuptable->vals[i],
												SPI_tuptable->tupdesc, 1);

				if (name != NULL && is_ascii_name(name))
					strlcpy(facts->name_prefixes[facts->nprefixes++], name,
							LOADTEST_NAME_LEN);
			}
		}
	}
	sample_ids("organizations", "organization_id", hot_rows, &rng, &facts->organizations);
	sample_ids("member_employments", "employment_id", hot_rows, &rng, &facts->employments);
	sample_ids("file_attachments", "attachment_id", hot_rows, &rng, &facts->attachments);
	facts->member_rows = estimate_rows("members");
	facts->organization_rows = estimate_rows("organizations");
	facts->student_rows = estimate_rows("students");
}
