/*-------------------------------------------------------------------------
 *
 * loadtest.h
 *	  Settings and entry points shared by the parts of the extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_H
#define LOADTEST_H

/* The version of the SQL objects this library reads and writes. */
#define LOADTEST_SQL_VERSION "1.6"

#include "fmgr.h"

/* loadtest.environment */
typedef enum LoadtestEnvironment
{
	LOADTEST_ENV_DEVELOPMENT,
	LOADTEST_ENV_STAGING,
	LOADTEST_ENV_PRODUCTION
} LoadtestEnvironment;

extern int	loadtest_environment;
extern int	loadtest_progress_interval;
extern int	loadtest_op_timeout;
extern bool loadtest_record_samples;
extern bool loadtest_instrument;
extern int	loadtest_isolation;
extern int	loadtest_max_tries;
extern int	loadtest_wait_sample_interval_ms;
extern int	loadtest_hot_rows;

/* loadtest.isolation: values are those of default_transaction_isolation */
extern const char *loadtest_isolation_name(int isolation);

extern const char *loadtest_environment_name(void);
extern const char *loadtest_environment_problem(void);
extern const char *loadtest_environment_unprivileged(void);
extern char *loadtest_format_float8(double value);

/* background worker entry points (bgw_function_name) */
extern PGDLLEXPORT void loadtest_user_worker_main(Datum main_arg);
extern PGDLLEXPORT void loadtest_recorder_main(Datum main_arg);

#endif							/* LOADTEST_H */
