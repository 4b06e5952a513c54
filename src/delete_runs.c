/*-------------------------------------------------------------------------
 *
 * delete_runs.c
 *	  loadtest_delete_runs(run_ids): the way a role removes its own runs.
 *
 * Roles have no DELETE on loadtest.runs: in PostgreSQL 15 that privilege
 * also allows LOCK TABLE ... IN ACCESS EXCLUSIVE MODE, with which one role
 * could block every other role's runs and reports.  So the results' owner
 * deletes, on the caller's behalf, the runs among run_ids that the caller
 * started (any of them for a superuser); their samples and users go with
 * them.  A run still going on is refused: cancel it first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "spi_args.h"
#include "trust.h"

PG_FUNCTION_INFO_V1(loadtest_delete_runs);

/* Refuse when one of the runs to delete still has its recorder. */
static void
refuse_running_runs(const SpiArgs *args)
{
	if (spi_execute("SELECT run_id, recorder_pid FROM loadtest.runs"
					" WHERE run_id OPERATOR(pg_catalog.=) ANY ($1)"
					" AND ($3 OR role_name OPERATOR(pg_catalog.=) $2)"
					" AND status OPERATOR(pg_catalog.=) 'running'",
					args, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the runs to delete");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int64		run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));
		Datum		pid = SPI_getbinval(SPI_tuptable->vals[i],
										SPI_tuptable->tupdesc, 2, &isnull);

		if (!isnull && BackendPidGetProc(DatumGetInt32(pid)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("load test run " INT64_FORMAT " is still running", run_id),
					 errdetail("Nothing was deleted."),
					 errhint("Cancel the call that started it (pg_cancel_backend), then delete it.")));
	}
}

/*
 * loadtest_delete_runs(run_ids bigint[]) RETURNS bigint: delete the
 * caller's runs among run_ids; returns how many were deleted.
 */
Datum
loadtest_delete_runs(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {INT8ARRAYOID};
	SpiArgs		args = SPI_ARGS_INIT;
	NameData	caller;
	ResultsWriter writer;
	uint64		deleted;

	check_signature(fcinfo, signature, 1, INT8OID, "loadtest_delete_runs");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("run_ids must not be NULL"),
				 errhint("For example loadtest_delete_runs(ARRAY[12, 13]).")));

	namestrcpy(&caller, GetUserNameFromId(GetUserId(), false));
	spi_arg(&args, INT8ARRAYOID, PG_GETARG_DATUM(0));	/* the run ids */
	spi_arg(&args, NAMEOID, NameGetDatum(&caller));
	spi_arg(&args, BOOLOID, BoolGetDatum(superuser()));	/* any role's runs */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* (which pins search_path too) */
	trust_become_results_owner(&writer);
	refuse_running_runs(&args);
	if (spi_execute("DELETE FROM loadtest.runs"
					" WHERE run_id OPERATOR(pg_catalog.=) ANY ($1)"
					" AND ($3 OR role_name OPERATOR(pg_catalog.=) $2)",
					&args, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete the runs");
	deleted = SPI_processed;
	trust_restore_user(&writer);
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}
