/*-------------------------------------------------------------------------
 *
 * background.c
 *	  Runs in the background: loadtest_start(), loadtest_wait(),
 *	  loadtest_cancel() and loadtest.progress.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(loadtest_start);
PG_FUNCTION_INFO_V1(loadtest_wait);
PG_FUNCTION_INFO_V1(loadtest_cancel);
PG_FUNCTION_INFO_V1(loadtest_progress_rows);

Datum
loadtest_start(PG_FUNCTION_ARGS)
{
	elog(ERROR, "not yet");
}

Datum
loadtest_wait(PG_FUNCTION_ARGS)
{
	elog(ERROR, "not yet");
}

Datum
loadtest_cancel(PG_FUNCTION_ARGS)
{
	elog(ERROR, "not yet");
}

Datum
loadtest_progress_rows(PG_FUNCTION_ARGS)
{
	elog(ERROR, "not yet");
}
