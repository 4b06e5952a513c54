/*-------------------------------------------------------------------------
 *
 * trust.h
 *	  Who the run's processes act as, and the settings they trust.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_TRUST_H
#define LOADTEST_TRUST_H

#include "access/tupdesc.h"
#include "fmgr.h"

/* The search_path of every process of a run and of every routine. */
#define LOADTEST_SEARCH_PATH	"pg_catalog, pg_temp"

/* The role as which results are written, and how to come back from it. */
typedef struct ResultsWriter
{
	Oid			saved_user;
	int			saved_sec_context;
	int			guc_level;		/* of the search_path pinned meanwhile */
} ResultsWriter;

extern void trust_pin_search_path(void);
extern int	trust_pin_search_path_local(void);
extern Oid	trust_results_owner(void);
extern void trust_become_results_owner(ResultsWriter *writer);
extern void trust_restore_user(const ResultsWriter *writer);
extern void check_signature(FunctionCallInfo fcinfo, const Oid *types,
							int nargs, Oid result_type, const char *function);
extern void check_result_columns(TupleDesc desc, const Oid *types,
								 int ncolumns, const char *function);

#endif							/* LOADTEST_TRUST_H */
