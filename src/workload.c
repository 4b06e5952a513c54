/*-------------------------------------------------------------------------
 *
 * workload.c
 *	  What the operations of a run draw their parameters from: id ranges,
 *	  statuses, classifications and last names of the seeded data, gathered
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

/*
 * Check that the workload is in place, and learn what operations draw
 * their parameters from.  Tables the role may not read are left out: the
 * operations on them will fail, and be recorded, as permission errors.
 */
void
workload_facts_gather(WorkloadFacts *facts, uint64 seed)
{
	Oid			schema = get_namespace_oid("membership", true);

	memset(facts, 0, sizeof(*facts));
	facts->member_min = facts->member_max = 1;
	facts->organization_min = facts->organization_max = 1;
	facts->employment_min = facts->employment_max = 1;
	facts->attachment_min = facts->attachment_max = 1;

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
		pg_prng_state rng;

		facts->member_min = spi_int8("SELECT min(member_id) FROM membership.members", 0);
		facts->member_max = spi_int8("SELECT max(member_id) FROM membership.members", 0);
		if (facts->member_min == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the membership workload has no data"),
					 errdetail("membership.members is empty."),
					 errhint("Run SELECT loadtest_seed(); first.")));

		facts->nstatuses = spi_distinct_values("status", facts->statuses);
		facts->nclassifications = spi_distinct_values("classification",
													  facts->classifications);
		pg_prng_seed(&rng, seed);
		for (int i = 0; i < lengthof(ids); i++)
			ids[i] = Int64GetDatum(facts->member_min + (int64)
								   pg_prng_uint64_range(&rng, 0, facts->member_max - facts->member_min));
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
	if (can_read("organizations"))
	{
		facts->organization_min = spi_int8("SELECT min(organization_id) FROM membership.organizations", 1);
		facts->organization_max = spi_int8("SELECT max(organization_id) FROM membership.organizations", 1);
	}
	if (can_read("member_employments"))
	{
		facts->employment_min = spi_int8("SELECT min(employment_id) FROM membership.member_employments", 1);
		facts->employment_max = spi_int8("SELECT max(employment_id) FROM membership.member_employments", 1);
	}
	if (can_read("students"))
		facts->student_count =
			spi_int8("SELECT max(student_id) - min(student_id) + 1 FROM membership.students", 0);
	if (can_read("file_attachments"))
	{
		facts->attachment_min = spi_int8("SELECT min(attachment_id) FROM membership.file_attachments", 1);
		facts->attachment_max = spi_int8("SELECT max(attachment_id) FROM membership.file_attachments", 1);
	}
}

