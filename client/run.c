/*-------------------------------------------------------------------------
 *
 * run.c
 *	  A run of pg_loadtest: its scenario, its start with loadtest_start(),
 *	  following it with loadtest_wait() and loadtest.progress, and
 *	  cancelling it with loadtest_cancel() on Ctrl-C.
 *
 * A run started by loadtest_start() goes on in a background worker of
 * the server whether or not this client stays connected, so an interrupt
 * must reach the server as loadtest_cancel(), not merely end the client.
 * The signal handler (SIGINT, SIGTERM, SIGHUP) therefore only counts and,
 * while the client waits in loadtest_wait(), cancels that query with
 * PQcancel() (safe in a signal handler) so that the wait loop wakes up at
 * once; the loop then calls loadtest_cancel(run_id) on the same
 * connection, which returns when the run's processes are gone, and the
 * partial report follows.  An interrupt during loadtest_start() is acted on
 * when it returns, since cancelling it could leave a run started but its
 * id unknown.  A second interrupt skips the report (once the run is
 * cancelled); a third, or a second when no run is going on, quits at once.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_loadtest.h"

/* What the client is doing, for the signal handler. */
typedef enum Phase
{
	PHASE_SETUP,				/* no run yet */
	PHASE_STARTING,				/* in loadtest_start() */
	PHASE_WAITING,				/* following the run */
	PHASE_CANCELLING,			/* in loadtest_cancel() */
	PHASE_REPORTING				/* the run is over */
} Phase;

/* Seconds loadtest_wait() blocks between two looks at the progress. */
#define POLL_SECONDS "0.5"

static volatile sig_atomic_t interrupts = 0;
static volatile sig_atomic_t phase = PHASE_SETUP;
static PGcancel *cancel_handle = NULL;
static bool stderr_is_terminal = false;

/* The handler's messages, written with write(2): prepared beforehand. */
static const char *const setup_quit_message = "pg_loadtest: interrupted: quitting\n";
static const char *const report_quit_message =
"pg_loadtest: interrupted again: quitting without the rest of the report\n";
static char running_quit_message[256] = "pg_loadtest: quitting at once\n";
static char stopping_message[256] =
"pg_loadtest: interrupted again: the report will be skipped; once more quits at once\n";

static void
write_stderr(const char *msg)
{
	ssize_t		rc = write(STDERR_FILENO, msg, strlen(msg));

	(void) rc;
}

/* The handler of SIGINT, SIGTERM and SIGHUP (see the file's header). */
static void
handle_interrupt(int signo)
{
	int			save_errno = errno;
	char		errbuf[256];

	(void) signo;
	interrupts++;
	if (interrupts == 1)
	{
		if (phase == PHASE_WAITING && cancel_handle != NULL)
			(void) PQcancel(cancel_handle, errbuf, sizeof(errbuf));
	}
	else if (phase == PHASE_SETUP || phase == PHASE_REPORTING || interrupts >= 3)
	{
		if (stderr_is_terminal)
			write_stderr("\n");
		write_stderr(phase == PHASE_SETUP ? setup_quit_message :
					 phase == PHASE_REPORTING ? report_quit_message :
					 running_quit_message);
		if (cancel_handle != NULL)
			(void) PQcancel(cancel_handle, errbuf, sizeof(errbuf));
		_exit(EXIT_RUN_FAILED);
	}
	else if (interrupts == 2)
	{
		if (stderr_is_terminal)
			write_stderr("\n");
		write_stderr(stopping_message);
	}
	errno = save_errno;
}

void
install_signal_handlers(PGconn *conn)
{
	struct sigaction sa;

	cancel_handle = PQgetCancel(conn);
	stderr_is_terminal = isatty(STDERR_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Was the client interrupted before it started a run? */
bool
interrupted_before_start(void)
{
	return interrupts > 0;
}

/*
 * --scenario, --quick, --stress: take the scenario's users, ops, pattern,
 * think time and ramp-up from loadtest.scenarios, for the run arguments
 * not given on the command line.
 */
bool
resolve_scenario(PGconn *conn, LtOptions *opts)
{
	static const RunArg cols[] = {RA_USERS, RA_OPS, RA_PATTERN, RA_THINK_TIME_MS, RA_RAMP_UP_S};
	const char *values[1];
	PGresult   *res;

	if (opts->scenario == NULL)
		return true;
	values[0] = opts->scenario;
	res = query(conn,
				"SELECT users, ops, pattern, think_time_ms, ramp_up_s,"
				" (SELECT pg_catalog.string_agg(s.scenario, ', ' ORDER BY s.scenario)"
				"    FROM loadtest.scenarios s)"
				" FROM pg_catalog.generate_series(1, 1) AS g"
				" LEFT JOIN loadtest.scenarios AS sc"
				"   ON sc.scenario OPERATOR(pg_catalog.=) $1",
				1, values);
	if (!result_ok(res))
	{
		print_result_error(conn, res);
		PQclear(res);
		return false;
	}
	if (PQgetisnull(res, 0, 0))
	{
		print_error("unknown load test scenario \"%s\"\n"
					"pg_loadtest: hint: Known scenarios: %s.",
					opts->scenario, PQgetvalue(res, 0, 5));
		PQclear(res);
		return false;
	}
	for (int i = 0; i < (int) (sizeof(cols) / sizeof(cols[0])); i++)
		if (opts->run_args[cols[i]] == NULL)
			opts->run_args[cols[i]] = strdup(PQgetvalue(res, 0, i));
	PQclear(res);
	return true;
}

/* "run 12 started: 10 users x 20 operations, pattern distributed" */
static void
announce_run(PGconn *conn, const char *run_id)
{
	const char *values[1];
	PGresult   *res;

	values[0] = run_id;
	res = query(conn,
				"SELECT users, ops_per_user, pattern, workers, duration_limit_s, rate,"
				" stages IS NOT NULL"
				" FROM loadtest.runs WHERE run_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
				1, values);
	if (result_ok(res) && PQntuples(res) == 1)
	{
		char		shape[128];

		if (strcmp(PQgetvalue(res, 0, 6), "t") == 0)
			snprintf(shape, sizeof(shape), "up to %s users in stages", PQgetvalue(res, 0, 0));
		else if (!PQgetisnull(res, 0, 4))
			snprintf(shape, sizeof(shape), "%s users for %s s", PQgetvalue(res, 0, 0),
					 PQgetvalue(res, 0, 4));
		else
			snprintf(shape, sizeof(shape), "%s users x %s operations", PQgetvalue(res, 0, 0),
					 PQgetvalue(res, 0, 1));
		print_info("run %s started: %s, pattern %s, %s workers%s%s%s", run_id, shape,
				   PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
				   PQgetisnull(res, 0, 5) ? "" : ", rate ",
				   PQgetisnull(res, 0, 5) ? "" : PQgetvalue(res, 0, 5),
				   PQgetisnull(res, 0, 5) ? "" : " ops/s");
	}
	else
		print_info("run %s started", run_id);
	PQclear(res);
}

/*
 * Start the run: loadtest_start() with the arguments given (the others
 * take its defaults).  Puts the run id into run_id; prints the server's
 * error and returns false when the run could not start.
 */
bool
start_run(PGconn *conn, const LtOptions *opts, char *run_id, size_t run_id_size)
{
	SqlCall		call;
	PGresult   *res;

	call_begin(&call, "SELECT ", "loadtest_start");
	for (int i = 0; i < RA_COUNT; i++)
		call_arg(&call, run_arg_defs[i].name, run_arg_defs[i].type, opts->run_args[i]);
	call_end(&call, "");

	phase = PHASE_STARTING;
	res = call_exec(conn, &call);
	if (!result_ok(res) || PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
	{
		print_result_error(conn, res);
		print_error("the run could not start");
		PQclear(res);
		phase = PHASE_SETUP;
		return false;
	}
	snprintf(run_id, run_id_size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	snprintf(running_quit_message, sizeof(running_quit_message),
			 "pg_loadtest: quitting at once: run %s may still be running; SELECT loadtest_cancel(%s); stops it\n",
			 run_id, run_id);
	if (!opts->quiet)
		announce_run(conn, run_id);
	return true;
}

/* Stop the run: loadtest_cancel(), which returns once its processes are gone. */
static void
cancel_run(PGconn *conn, const char *run_id, RunOutcome *outcome)
{
	SqlCall		call;
	PGresult   *res;

	phase = PHASE_CANCELLING;
	print_info("interrupted: cancelling run %s", run_id);
	call_begin(&call, "SELECT ", "loadtest_cancel");
	call_arg(&call, "run_id", "pg_catalog.int8", run_id);
	call_end(&call, "");
	res = call_exec(conn, &call);
	if (result_ok(res) && PQntuples(res) == 1)
		snprintf(outcome->status, sizeof(outcome->status), "%s", PQgetvalue(res, 0, 0));
	else
	{
		print_result_error(conn, res);
		print_error("could not cancel run %s", run_id);
		if (PQstatus(conn) == CONNECTION_BAD)
			outcome->lost = true;
	}
	PQclear(res);
}

/*
 * The connection failed under a run: the run goes on in the server, so
 * say how to stop it.
 */
static void
connection_lost(PGconn *conn, const PGresult *res, const char *run_id, RunOutcome *outcome)
{
	print_result_error(conn, res);
	print_error("lost the connection to the server: run %s may still be running\n"
				"pg_loadtest: hint: SELECT loadtest_cancel(%s); stops it, SELECT loadtest_report(%s); reports on it.",
				run_id, run_id, run_id);
	outcome->lost = true;
}

/* The run's status and message from loadtest.runs, into outcome. */
static void
read_final_status(PGconn *conn, const char *run_id, RunOutcome *outcome)
{
	const char *values[1];
	PGresult   *res;

	values[0] = run_id;
	res = query(conn,
				"SELECT status, message FROM loadtest.runs"
				" WHERE run_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
				1, values);
	if (result_ok(res) && PQntuples(res) == 1)
	{
		snprintf(outcome->status, sizeof(outcome->status), "%s", PQgetvalue(res, 0, 0));
		if (!PQgetisnull(res, 0, 1))
			outcome->message = strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
}

/*
 * The run's figures in a line, from loadtest.run_summary: "1500 operations
 * (0 failed) in 3.4 s, 435.4 ops/s, p95 0.82 ms"; empty when unknown.
 */
static void
summarize_run(PGconn *conn, const char *run_id, char *buf, size_t size)
{
	const char *values[1];
	PGresult   *res;

	buf[0] = '\0';
	values[0] = run_id;
	res = query(conn,
				"SELECT total_ops, failed, pg_catalog.round(duration_s::pg_catalog.numeric, 2),"
				" pg_catalog.round(throughput_ops_s::pg_catalog.numeric, 1),"
				" pg_catalog.round(p95_ms::pg_catalog.numeric, 2)"
				" FROM loadtest.run_summary WHERE run_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
				1, values);
	if (result_ok(res) && PQntuples(res) == 1)
		snprintf(buf, size, "%s operations (%s failed) in %s s, %s ops/s, p95 %s ms",
				 PQgetisnull(res, 0, 0) ? "0" : PQgetvalue(res, 0, 0),
				 PQgetisnull(res, 0, 1) ? "0" : PQgetvalue(res, 0, 1),
				 PQgetisnull(res, 0, 2) ? "?" : PQgetvalue(res, 0, 2),
				 PQgetisnull(res, 0, 3) ? "-" : PQgetvalue(res, 0, 3),
				 PQgetisnull(res, 0, 4) ? "-" : PQgetvalue(res, 0, 4));
	PQclear(res);
}

/*
 * Follow the run to its end: loadtest_wait() for half a second at a time,
 * then its progress; an interrupt cancels it.  Fills outcome.
 */
void
follow_run(PGconn *conn, const LtOptions *opts, const char *run_id, RunOutcome *outcome)
{
	SqlCall		wait_call;
	char		summary[256];

	memset(outcome, 0, sizeof(*outcome));
	call_begin(&wait_call, "SELECT ", "loadtest_wait");
	call_arg(&wait_call, "run_id", "pg_catalog.int8", run_id);
	call_arg(&wait_call, "timeout_s", "pg_catalog.float8", POLL_SECONDS);
	call_end(&wait_call, "");

	progress_init(!opts->quiet, opts->progress_s, run_id);
	phase = PHASE_WAITING;
	for (;;)
	{
		PGresult   *res;

		if (interrupts > 0)
		{
			outcome->interrupted = true;
			cancel_run(conn, run_id, outcome);
			break;
		}
		res = call_exec(conn, &wait_call);
		if (!result_ok(res))
		{
			if (interrupts > 0 && result_has_sqlstate(res, "57014"))
			{
				PQclear(res);
				continue;
			}
			if (PQstatus(conn) == CONNECTION_BAD)
			{
				connection_lost(conn, res, run_id, outcome);
				PQclear(res);
				return;
			}
			/* cannot follow it: stop it rather than leave it running unseen */
			print_result_error(conn, res);
			print_error("could not follow run %s", run_id);
			PQclear(res);
			cancel_run(conn, run_id, outcome);
			break;
		}
		if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "running") != 0)
		{
			snprintf(outcome->status, sizeof(outcome->status), "%s", PQgetvalue(res, 0, 0));
			PQclear(res);
			break;
		}
		PQclear(res);
		if (progress_due() && !progress_poll(conn, run_id))
		{
			if (interrupts > 0)
				continue;
			if (PQstatus(conn) == CONNECTION_BAD)
			{
				connection_lost(conn, NULL, run_id, outcome);
				return;
			}
			/* the progress is only a display: go on without it */
		}
	}
	/* the run is over (or stopped): a second interrupt now quits at once */
	phase = PHASE_REPORTING;
	if (interrupts >= 2)
		outcome->quit = true;

	/* the bar gives way to the run's final figures */
	progress_clear();
	if (outcome->lost)
		return;

	/* loadtest.runs has the last word (the status loadtest_wait gave, else) */
	read_final_status(conn, run_id, outcome);
	summarize_run(conn, run_id, summary, sizeof(summary));

	if (strcmp(outcome->status, "completed") == 0)
	{
		if (!opts->quiet)
			print_info("run %s completed: %s", run_id, summary);
		return;
	}
	if (outcome->interrupted && strcmp(outcome->status, "cancelled") == 0)
		print_info("run %s cancelled", run_id);
	else if (outcome->message != NULL)
		print_error("run %s %s: %s", run_id,
					outcome->status[0] ? outcome->status : "ended", outcome->message);
	else
		print_error("run %s %s", run_id,
					outcome->status[0] ? outcome->status : "ended in an unknown state");
	if (!opts->quiet && summary[0] != '\0')
		print_info("run %s: %s%s", run_id, summary,
				   outcome->quit ? "" : "; its report follows");
}
