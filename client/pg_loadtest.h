/*-------------------------------------------------------------------------
 *
 * pg_loadtest.h
 *	  Shared declarations of pg_loadtest, the command-line client of the
 *	  loadtest extension.
 *
 * pg_loadtest starts a run with loadtest_start(), follows it through
 * loadtest_wait() and loadtest.progress, cancels it on Ctrl-C with
 * loadtest_cancel(), then prints its report, writes an export file and
 * checks thresholds with loadtest_check().  Each file has one job:
 *
 *	options.c	the command line: parsing, checks, --help
 *	db.c		the connection, queries, calls with named arguments, errors
 *	progress.c	the progress display (a bar on a terminal, lines otherwise)
 *	run.c		starting, following and cancelling a run; the signals
 *	report.c	the report, the export file, the comparison, the thresholds
 *	main.c		the order of it all and the exit status
 *
 * Every value the user gives reaches the server as a parameter of
 * PQexecParams; only names that this program spells itself (functions,
 * argument names, types, the extension's quoted schema) are in SQL text.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_LOADTEST_H
#define PG_LOADTEST_H

#include <stdbool.h>
#include <stdio.h>

#include "libpq-fe.h"

#ifndef PG_LOADTEST_VERSION
#define PG_LOADTEST_VERSION "unknown"
#endif

/* Exit statuses (documented in --help and docs/pg_loadtest.1). */
#define EXIT_OK				0	/* the run completed, every threshold held */
#define EXIT_THRESHOLD		1	/* the run completed, a threshold broke */
#define EXIT_RUN_FAILED		2	/* not completed, not started, or an error */
#define EXIT_USAGE			3	/* bad command line */

/*
 * The arguments of loadtest_start(), in its order.  A NULL value in
 * LtOptions.run_args is an argument not given: the call leaves it out, so
 * the server's default applies.
 */
typedef enum RunArg
{
	RA_USERS,
	RA_OPS,
	RA_PATTERN,
	RA_THINK_TIME_MS,
	RA_RAMP_UP_S,
	RA_FORCE,
	RA_POOL_SIZE,
	RA_DURATION,
	RA_RATE,
	RA_STAGES,
	RA_SAMPLES,
	RA_COUNT
} RunArg;

/* The thresholds of loadtest_check() that options set. */
typedef enum CheckArg
{
	CA_MAX_AVG_MS,
	CA_MAX_P95_MS,
	CA_MAX_P99_MS,
	CA_MIN_THROUGHPUT,
	CA_MIN_SUCCESS_PCT,
	CA_BASELINE,
	CA_MAX_REGRESSION_PCT,
	CA_REQUIRE_READY,
	CA_COUNT
} CheckArg;

/* An argument of a SQL function: its name and the type it is cast to. */
typedef struct ArgDef
{
	const char *name;
	const char *type;
} ArgDef;

extern const ArgDef run_arg_defs[RA_COUNT];
extern const ArgDef check_arg_defs[CA_COUNT];

typedef enum ExportFormat
{
	EXPORT_NONE,
	EXPORT_TEXT,
	EXPORT_JSON,
	EXPORT_HTML
} ExportFormat;

/* Password prompting, as psql's -w and -W. */
typedef enum PasswordPrompt
{
	PASSWORD_IF_NEEDED,
	PASSWORD_NEVER,
	PASSWORD_ALWAYS
} PasswordPrompt;

typedef struct LtOptions
{
	/* connection; NULL: libpq's defaults and the PG* environment */
	const char *host;
	const char *port;
	const char *user;
	const char *dbname;			/* a name, a connection string or a URI */
	PasswordPrompt password;

	/* the run */
	char	   *run_args[RA_COUNT]; /* text values; NULL: not given */
	const char *scenario;		/* --scenario, --quick, --stress; or NULL */

	/* the report and the thresholds */
	char	   *check_args[CA_COUNT];
	char	   *target_users;	/* NULL: the functions' defaults */
	char	   *target_ms;
	const char *export_file;
	ExportFormat export_format;

	/* output */
	double		progress_s;		/* seconds between plain progress lines; 0: none */
	bool		quiet;
	bool		verbose;
} LtOptions;

/* options.c */
extern void parse_options(int argc, char **argv, LtOptions *opts);
extern bool any_threshold(const LtOptions *opts);
extern void usage_error(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

/* db.c */
#define CALL_MAX_PARAMS 24

/*
 * A SQL call being built: "SELECT f(a => $1::t, b => $2::u)" with the
 * values as parameters.  The SQL text holds only names spelled by this
 * program.
 */
typedef struct SqlCall
{
	char		sql[2048];
	int			len;
	int			nparams;
	const char *values[CALL_MAX_PARAMS];
	bool		overflow;
} SqlCall;

extern PGconn *connect_db(const LtOptions *opts);
extern void call_begin(SqlCall *call, const char *prefix, const char *function);
extern void call_arg(SqlCall *call, const char *name, const char *type, const char *value);
extern void call_end(SqlCall *call, const char *suffix);
extern PGresult *call_exec(PGconn *conn, const SqlCall *call);
extern PGresult *query(PGconn *conn, const char *sql, int nparams, const char *const *values);
extern bool result_ok(const PGresult *res);
extern bool result_has_sqlstate(const PGresult *res, const char *sqlstate);
extern void print_result_error(PGconn *conn, const PGresult *res);
extern void put_server_text(const char *text, FILE *out);
extern void print_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void print_info(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern const char *extension_schema(void);
extern bool find_extension(PGconn *conn);
extern bool function_exists(PGconn *conn, const char *name);

/* progress.c */

/* A row of loadtest.progress; the has_ flags are false for NULLs. */
typedef struct ProgressRow
{
	double		elapsed_s;
	long long	ops_done;
	bool		has_ops_planned;
	long long	ops_planned;
	bool		has_duration_s;
	double		duration_s;
	bool		has_ops_per_s;
	double		ops_per_s;
	bool		has_p95_ms;
	double		p95_ms;
	long long	errors;
	int			users_active;
	bool		has_eta_s;
	double		eta_s;
} ProgressRow;

extern void progress_init(bool enabled, double line_interval_s, const char *run_id);
extern bool progress_on_terminal(void);
extern bool progress_due(void);
extern bool progress_poll(PGconn *conn, const char *run_id);
extern void progress_show(const ProgressRow *row);
extern void progress_clear(void);
extern void progress_end(void);
extern double now_seconds(void);

/* run.c */

/* How a run ended, as pg_loadtest saw it. */
typedef struct RunOutcome
{
	char		status[32];		/* loadtest.runs.status, or "" if unknown */
	char	   *message;		/* loadtest.runs.message (malloc'd) or NULL */
	bool		interrupted;	/* Ctrl-C (or SIGTERM, SIGHUP) cancelled it */
	bool		quit;			/* a second Ctrl-C: skip the report */
	bool		lost;			/* the connection was lost */
} RunOutcome;

extern void install_signal_handlers(PGconn *conn);
extern bool interrupted_before_start(void);
extern bool resolve_scenario(PGconn *conn, LtOptions *opts);
extern bool start_run(PGconn *conn, const LtOptions *opts, char *run_id, size_t run_id_size);
extern void follow_run(PGconn *conn, const LtOptions *opts, const char *run_id, RunOutcome *outcome);

/* report.c */
extern bool check_preconditions(PGconn *conn, const LtOptions *opts);
extern bool print_report(PGconn *conn, const LtOptions *opts, const char *run_id);
extern bool write_export(PGconn *conn, const LtOptions *opts, const char *run_id);
extern bool print_comparison(PGconn *conn, const LtOptions *opts, const char *run_id);
extern int	check_thresholds(PGconn *conn, const LtOptions *opts, const char *run_id);

#endif							/* PG_LOADTEST_H */
