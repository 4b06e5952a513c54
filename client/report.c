/*-------------------------------------------------------------------------
 *
 * report.c
 *	  What pg_loadtest gives after a run: the report on standard output
 *	  (loadtest_report), the export file (loadtest_report,
 *	  loadtest_report_json or loadtest_report_html, by the file's
 *	  extension), the comparison with a baseline (loadtest_compare_report)
 *	  and the thresholds (loadtest_check, SQLSTATE LT001 when one broke).
 *
 * check_preconditions() makes the checks that would otherwise fail only
 * after the run: the HTML report exists in this version of the extension,
 * the export file can be written, the baseline run exists.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg_loadtest.h"

/* Can path be written (an existing file, or a new one in its directory)? */
static bool
writable(const char *path, char *why, size_t why_size)
{
	char	   *dir;
	char	   *slash;
	bool		ok;
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
	{
		snprintf(why, why_size, "it is not a regular file");
		return false;
	}
	if (access(path, F_OK) == 0)
	{
		ok = access(path, W_OK) == 0;
		if (!ok)
			snprintf(why, why_size, "%s", strerror(errno));
		return ok;
	}
	dir = strdup(path);
	if (dir == NULL)
	{
		snprintf(why, why_size, "out of memory");
		return false;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		snprintf(why, why_size, "directory \"%s\": %s", dir, strerror(errno));
	free(dir);
	return ok;
}

/*
 * Checks before the run starts, so that a run is not wasted on an export
 * or a comparison that cannot be made.  Prints why and returns false.
 */
bool
check_preconditions(PGconn *conn, const LtOptions *opts)
{
	char		why[512];

	if (opts->export_format == EXPORT_HTML && !function_exists(conn, "loadtest_report_html"))
	{
		print_error("cannot export \"%s\": this version of the extension loadtest has no loadtest_report_html()\n"
					"pg_loadtest: hint: Export .txt or .json, or run ALTER EXTENSION loadtest UPDATE;",
					opts->export_file);
		return false;
	}
	if (opts->export_file && !writable(opts->export_file, why, sizeof(why)))
	{
		print_error("cannot write export file \"%s\": %s", opts->export_file, why);
		return false;
	}
	if (opts->check_args[CA_BASELINE])
	{
		const char *values[1];
		PGresult   *res;
		bool		found;

		values[0] = opts->check_args[CA_BASELINE];
		res = query(conn,
					"SELECT 1 FROM loadtest.runs WHERE run_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
					1, values);
		if (!result_ok(res))
		{
			print_result_error(conn, res);
			PQclear(res);
			return false;
		}
		found = PQntuples(res) == 1;
		PQclear(res);
		if (!found)
		{
			print_error("baseline run %s does not exist (or is not one of role %s's runs)\n"
						"pg_loadtest: hint: SELECT run_id, started_at, users, pattern, status FROM loadtest.runs ORDER BY run_id; lists the runs.",
						opts->check_args[CA_BASELINE], PQuser(conn));
			return false;
		}
	}
	return true;
}

/* Add the targets of the scaling verdict, when given. */
static void
call_targets(SqlCall *call, const LtOptions *opts)
{
	call_arg(call, "target_ms", "pg_catalog.float8", opts->target_ms);
	call_arg(call, "target_users", "pg_catalog.int4", opts->target_users);
}

/*
 * Run call and write every row's first column, each followed by a
 * newline, to out.  Prints the error and returns false on failure.
 */
static bool
write_rows(PGconn *conn, const SqlCall *call, FILE *out)
{
	PGresult   *res = call_exec(conn, call);
	int			rows;

	if (!result_ok(res))
	{
		print_result_error(conn, res);
		PQclear(res);
		return false;
	}
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
	{
		if (PQgetisnull(res, i, 0))
			continue;
		fputs(PQgetvalue(res, i, 0), out);
		fputc('\n', out);
	}
	PQclear(res);
	return true;
}

/* The text report on stdout (none with --quiet). */
bool
print_report(PGconn *conn, const LtOptions *opts, const char *run_id)
{
	SqlCall		call;
	bool		ok;

	if (opts->quiet)
		return true;
	call_begin(&call, "SELECT ", "loadtest_report");
	call_arg(&call, "run_id", "pg_catalog.int8", run_id);
	call_targets(&call, opts);
	call_end(&call, "");
	ok = write_rows(conn, &call, stdout);
	fflush(stdout);
	return ok;
}

/*
 * --export: the report in the file's format.  JSON is pretty-printed
 * (jsonb_pretty); every format ends with a newline.
 */
bool
write_export(PGconn *conn, const LtOptions *opts, const char *run_id)
{
	SqlCall		call;
	FILE	   *out;
	bool		ok;
	const char *what;

	if (opts->export_file == NULL)
		return true;
	switch (opts->export_format)
	{
		case EXPORT_JSON:
			call_begin(&call, "SELECT pg_catalog.jsonb_pretty(", "loadtest_report_json");
			what = "JSON";
			break;
		case EXPORT_HTML:
			call_begin(&call, "SELECT ", "loadtest_report_html");
			what = "HTML";
			break;
		default:
			call_begin(&call, "SELECT ", "loadtest_report");
			what = "text";
			break;
	}
	call_arg(&call, "run_id", "pg_catalog.int8", run_id);
	call_targets(&call, opts);
	call_end(&call, opts->export_format == EXPORT_JSON ? ")" : "");

	out = fopen(opts->export_file, "w");
	if (out == NULL)
	{
		print_error("could not open export file \"%s\": %s", opts->export_file, strerror(errno));
		return false;
	}
	ok = write_rows(conn, &call, out);
	if (ferror(out) || fclose(out) != 0)
	{
		print_error("could not write export file \"%s\": %s", opts->export_file, strerror(errno));
		return false;
	}
	if (ok && !opts->quiet)
		print_info("%s report written to %s", what, opts->export_file);
	return ok;
}

/*
 * --compare: loadtest_compare_report(baseline, run) on stdout, after the
 * report; --max-regression-pct is its smallest change that counts too.
 */
bool
print_comparison(PGconn *conn, const LtOptions *opts, const char *run_id)
{
	SqlCall		call;
	bool		ok;

	if (opts->quiet || opts->check_args[CA_BASELINE] == NULL)
		return true;
	call_begin(&call, "SELECT ", "loadtest_compare_report");
	call_arg(&call, "base", "pg_catalog.int8", opts->check_args[CA_BASELINE]);
	call_arg(&call, "candidate", "pg_catalog.int8", run_id);
	call_arg(&call, "min_change_pct", "pg_catalog.float8", opts->check_args[CA_MAX_REGRESSION_PCT]);
	call_end(&call, "");
	fputc('\n', stdout);
	ok = write_rows(conn, &call, stdout);
	fflush(stdout);
	return ok;
}

/*
 * The thresholds, through loadtest_check(): EXIT_OK when they all held,
 * EXIT_THRESHOLD when one broke (SQLSTATE LT001: its message names each),
 * EXIT_RUN_FAILED on another error.
 */
int
check_thresholds(PGconn *conn, const LtOptions *opts, const char *run_id)
{
	SqlCall		call;
	PGresult   *res;
	int			status;

	if (!any_threshold(opts))
		return EXIT_OK;
	call_begin(&call, "SELECT ", "loadtest_check");
	call_arg(&call, "run_id", "pg_catalog.int8", run_id);
	for (int i = 0; i < CA_COUNT; i++)
		call_arg(&call, check_arg_defs[i].name, check_arg_defs[i].type, opts->check_args[i]);
	call_targets(&call, opts);
	call_end(&call, "");

	res = call_exec(conn, &call);
	if (result_ok(res))
	{
		status = EXIT_OK;
		if (!opts->quiet)
			print_info("run %s held every threshold", run_id);
	}
	else
	{
		print_result_error(conn, res);
		status = result_has_sqlstate(res, "LT001") ? EXIT_THRESHOLD : EXIT_RUN_FAILED;
	}
	PQclear(res);
	return status;
}
