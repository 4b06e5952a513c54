/*-------------------------------------------------------------------------
 *
 * main.c
 *	  pg_loadtest: run a load test of the loadtest extension from the
 *	  command line, as run_load_test.py did, and gate a CI job on it.
 *
 * The order: the command line; the connection; the extension, the
 * scenario and the checks that need the server; the run, started and
 * followed to its end (or cancelled); then the report, the comparison, the
 * export file and the thresholds.  The exit status (see pg_loadtest.h):
 * 0 completed and every threshold held, 1 a threshold broke, 2 the run did
 * not complete or could not start, or a step failed, 3 bad usage.
 *
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_loadtest.h"

int
main(int argc, char **argv)
{
	LtOptions	opts;
	PGconn	   *conn;
	char		run_id[32];
	RunOutcome	outcome;
	bool		completed;
	bool		failed = false;
	int			check = EXIT_OK;

	parse_options(argc, argv, &opts);

	/*
	 * A reader of the output that goes away (| head) must not kill the
	 * client while the run goes on, or before the export and the
	 * thresholds: writes fail instead, and are checked at the end.
	 */
	signal(SIGPIPE, SIG_IGN);

	conn = connect_db(&opts);
	if (conn == NULL)
		return EXIT_RUN_FAILED;
	install_signal_handlers(conn);

	if (!find_extension(conn) || !resolve_scenario(conn, &opts) ||
		!check_preconditions(conn, &opts))
	{
		PQfinish(conn);
		return EXIT_RUN_FAILED;
	}
	if (interrupted_before_start())
	{
		print_error("interrupted before the run started");
		PQfinish(conn);
		return EXIT_RUN_FAILED;
	}
	if (!start_run(conn, &opts, run_id, sizeof(run_id)))
	{
		PQfinish(conn);
		return EXIT_RUN_FAILED;
	}

	follow_run(conn, &opts, run_id, &outcome);
	if (outcome.lost)
	{
		PQfinish(conn);
		return EXIT_RUN_FAILED;
	}
	completed = strcmp(outcome.status, "completed") == 0;

	/* the report, partial or not, unless a second Ctrl-C said to skip it */
	if (!outcome.quit)
	{
		if (!print_report(conn, &opts, run_id))
			failed = true;
		if (!print_comparison(conn, &opts, run_id))
			failed = true;
		if (!write_export(conn, &opts, run_id))
			failed = true;
		if (completed)
			check = check_thresholds(conn, &opts, run_id);
	}
	PQfinish(conn);
	free(outcome.message);

	/* the report is lost if standard output could not take it */
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		print_error("could not write the report to standard output");
		failed = true;
	}

	if (!completed || failed || check == EXIT_RUN_FAILED)
		return EXIT_RUN_FAILED;
	return check;
}
