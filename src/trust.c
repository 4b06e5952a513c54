/*-------------------------------------------------------------------------
 *
 * trust.c
 *	  What the run's processes trust, and as whom they act.
 *
 * Every process of a run (recorder, user workers) pins search_path before
 * its first statement: a background worker starts with the database's and
 * role's default settings, which a database owner or the role itself
 * chooses, and a schema on that path could capture an unqualified function
 * or operator of ours.  SQL that the caller's session runs for us gets the
 * same path for the statement's duration.
 *
 * Results are written by the extension alone: the recorder writes the
 * result tables as their owner (the role that created the extension),
 * with SECURITY_RESTRICTED_OPERATION, and records the calling role in the
 * run's row.  Roles that start runs get no INSERT or UPDATE on those
 * tables, so no role can plant, change or pre-empt a result row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "trust.h"

/* For the rest of the session (a background worker's). */
void
trust_pin_search_path(void)
{
	SetConfigOption("search_path", LOADTEST_SEARCH_PATH, PGC_USERSET,
					PGC_S_SESSION);
}

/*
 * Until AtEOXact_GUC(true, level) with the level returned, as a function's
 * SET clause does (for SQL run in the caller's session).
 */
int
trust_pin_search_path_local(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", LOADTEST_SEARCH_PATH, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* The owner of loadtest.runs: the role that created the extension. */
Oid
trust_results_owner(void)
{
	Oid			relid = get_relname_relid("runs", get_namespace_oid("loadtest", false));
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("loadtest.runs is missing"),
				 errhint("Reinstall the extension: DROP EXTENSION loadtest; CREATE EXTENSION loadtest;")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Act as the owner of the result tables until trust_restore_user(), inside
 * a transaction (an error's abort restores the user as well).  Restricted:
 * nothing run meanwhile may change the session's state.  The search_path
 * is pinned again for that time, whatever the session's is: SQL of the
 * caller's that ran earlier in the process must not choose what the
 * owner's statements bind to.
 */
void
trust_become_results_owner(ResultsWriter *writer)
{
	Oid			owner = trust_results_owner();

	writer->guc_level = trust_pin_search_path_local();
	GetUserIdAndSecContext(&writer->saved_user, &writer->saved_sec_context);
	SetUserIdAndSecContext(owner, writer->saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

void
trust_restore_user(const ResultsWriter *writer)
{
	SetUserIdAndSecContext(writer->saved_user, writer->saved_sec_context);
	AtEOXact_GUC(true, writer->guc_level);
}

/*
 * A C entry point declared otherwise than the library reads it (fewer
 * arguments, or other types: a superuser's own CREATE FUNCTION, say) would
 * read past its arguments or take one for another, and crash the backend.
 * Each entry point checks, before it reads anything, that it was passed
 * exactly the arguments it reads, of the types it reads them as, and that
 * it is declared to return what it returns (its declaration in pg_proc).
 */
void
check_signature(FunctionCallInfo fcinfo, const Oid *types, int nargs,
				Oid result_type, const char *function)
{
	HeapTuple	tuple = NULL;
	Form_pg_proc proc = NULL;
	bool		types_match = false;

	/*
	 * The declaration in pg_proc, not the call's expression: a function
	 * called as a type's output function, say, has no expression to ask.
	 */
	if (fcinfo->flinfo != NULL && OidIsValid(fcinfo->flinfo->fn_oid))
		tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (tuple != NULL && HeapTupleIsValid(tuple))
	{
		proc = (Form_pg_proc) GETSTRUCT(tuple);
		types_match = proc->pronargs == nargs && proc->prorettype == result_type;
		for (int i = 0; types_match && i < nargs; i++)
			types_match = proc->proargtypes.values[i] == types[i];
		ReleaseSysCache(tuple);
	}
	if (PG_NARGS() != nargs || !types_match)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the SQL definition of %s does not match the loadtest library", function),
				 PG_NARGS() != nargs ?
				 errdetail("It passes %d arguments; the library needs %d.", PG_NARGS(), nargs) :
				 proc == NULL ?
				 errdetail("It was called without a declaration to check.") :
				 errdetail("Its argument or result types are not the library's."),
				 errhint("Update the extension: ALTER EXTENSION loadtest UPDATE, or recreate it.")));
}


/*
 * A C entry point that returns rows: the row the call expects (its OUT
 * arguments, RETURNS TABLE, or a column definition list) must be the one
 * the library builds, column for column, or the library would write
 * values of one type into columns of another.
 */
void
check_result_columns(TupleDesc desc, const Oid *types, int ncolumns,
					 const char *function)
{
	bool		match = desc != NULL && desc->natts == ncolumns;

	for (int i = 0; match && i < ncolumns; i++)
		match = !TupleDescAttr(desc, i)->attisdropped &&
			TupleDescAttr(desc, i)->atttypid == types[i];
	if (!match)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the SQL definition of %s does not match the loadtest library", function),
				 errdetail("The columns it returns are not the library's."),
				 errhint("Update the extension: ALTER EXTENSION loadtest UPDATE, or recreate it.")));
}
