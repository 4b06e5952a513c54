/*-------------------------------------------------------------------------
 *
 * progress.c
 *	  The progress of a run, on standard error: on a terminal a bar redrawn
 *	  in place (\r) at every poll; otherwise a plain line every
 *	  --progress seconds.
 *
 * The figures are a row of loadtest.progress: operations done of planned
 * (a run bound by operations) or seconds elapsed of planned (bound by
 * time), throughput and p95 over the last 5 s, errors, active users and
 * the time left.  Other output to stderr calls progress_clear() first, so
 * that a message never runs into the bar.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "pg_loadtest.h"

static bool enabled = false;
static bool on_terminal = false;
static double line_interval = 5;
static double next_line_at = 0;
static const char *progress_run_id = "";
static int	drawn = 0;			/* width of the bar on screen; 0: none */

/* Seconds on the monotonic clock. */
double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Set up the display for a run: a bar if stderr is a terminal, else lines
 * every line_interval_s seconds (the first after one interval).
 */
void
progress_init(bool on, double line_interval_s, const char *run_id)
{
	enabled = on && line_interval_s > 0;
	on_terminal = isatty(fileno(stderr));
	line_interval = line_interval_s;
	next_line_at = now_seconds() + line_interval;
	progress_run_id = run_id;
}

bool
progress_on_terminal(void)
{
	return enabled && on_terminal;
}

/* Is it time to fetch and show progress? */
bool
progress_due(void)
{
	if (!enabled)
		return false;
	return on_terminal || now_seconds() >= next_line_at;
}

/* The terminal's width (80 when unknown). */
static int
terminal_width(void)
{
	struct winsize ws;

	if (ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Seconds as "1:05" or "1:02:03". */
static void
format_clock(char *buf, size_t size, double s)
{
	long		t = (long) (s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
	else
		snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* The share of the run done, from 0 to 1; negative when unknown. */
static double
fraction_done(const ProgressRow *row)
{
	double		f = -1;

	if (row->has_ops_planned && row->ops_planned > 0)
		f = (double) row->ops_done / row->ops_planned;
	else if (row->has_duration_s && row->duration_s > 0)
		f = row->elapsed_s / row->duration_s;
	if (f > 1)
		f = 1;
	return f;
}

/* The pieces of the bar's figures, in the order they are shown. */
enum
{
	PIECE_COUNT,				/* 1234/2700 ops, or 0:12/0:30 | 5940 ops */
	PIECE_RATE,
	PIECE_P95,
	PIECE_ERRORS,
	PIECE_USERS,
	PIECE_ETA,
	PIECE_COUNT_OF
};

/*
 * Which pieces go first when the terminal is narrow: the last one here.
 * Errors, once there are any, come right after the count.
 */
static const int piece_priority[PIECE_COUNT_OF] = {
	PIECE_COUNT, PIECE_ETA, PIECE_RATE, PIECE_P95, PIECE_ERRORS, PIECE_USERS
};
static const int piece_priority_errors[PIECE_COUNT_OF] = {
	PIECE_COUNT, PIECE_ERRORS, PIECE_ETA, PIECE_RATE, PIECE_P95, PIECE_USERS
};

/*
 * Redraw the bar: "run 12 [#####-----]  45% 1234/2700 ops | 23.4 ops/s |
 * p95 2.31 ms | 0 errors | 12 active | ETA 0:42".  The bar takes 10 to 30
 * columns; on a narrow terminal the figures of least use are left out,
 * then the bar; the line never wraps.  It is padded over what was drawn
 * before.
 */
static void
draw_bar(const ProgressRow *row)
{
	char		piece[PIECE_COUNT_OF][96];
	bool		shown[PIECE_COUNT_OF];
	char		figures[512];
	char		line[640];
	int			width = terminal_width() - 1;
	double		f = fraction_done(row);
	int			prefix;
	int			len;
	int			bar = 0;
	int			kept = PIECE_COUNT_OF;
	const int  *priority = row->errors > 0 ? piece_priority_errors : piece_priority;

	if (row->has_ops_planned)
		snprintf(piece[PIECE_COUNT], sizeof(piece[0]), "%lld/%lld ops",
				 row->ops_done, row->ops_planned);
	else
	{
		char		elapsed[32];
		char		planned[32];

		format_clock(elapsed, sizeof(elapsed), row->elapsed_s);
		if (row->has_duration_s)
			format_clock(planned, sizeof(planned), row->duration_s);
		else
			snprintf(planned, sizeof(planned), "?");
		snprintf(piece[PIECE_COUNT], sizeof(piece[0]), "%s/%s | %lld ops",
				 elapsed, planned, row->ops_done);
	}
	if (row->has_ops_per_s)
		snprintf(piece[PIECE_RATE], sizeof(piece[0]), "%.1f ops/s", row->ops_per_s);
	else
		snprintf(piece[PIECE_RATE], sizeof(piece[0]), "- ops/s");
	if (row->has_p95_ms)
		snprintf(piece[PIECE_P95], sizeof(piece[0]), "p95 %.2f ms", row->p95_ms);
	else
		snprintf(piece[PIECE_P95], sizeof(piece[0]), "p95 -");
	snprintf(piece[PIECE_ERRORS], sizeof(piece[0]), "%lld %s", row->errors,
			 row->errors == 1 ? "error" : "errors");
	snprintf(piece[PIECE_USERS], sizeof(piece[0]), "%d active", row->users_active);
	if (row->has_eta_s)
	{
		char		eta[32];

		format_clock(eta, sizeof(eta), row->eta_s);
		snprintf(piece[PIECE_ETA], sizeof(piece[0]), "ETA %s", eta);
	}
	else
		snprintf(piece[PIECE_ETA], sizeof(piece[0]), "ETA --:--");

	prefix = snprintf(line, sizeof(line), "run %s ", progress_run_id);
	for (;;)
	{
		int			flen = 0;

		for (int i = 0; i < PIECE_COUNT_OF; i++)
			shown[i] = false;
		for (int i = 0; i < kept; i++)
			shown[priority[i]] = true;
		figures[0] = '\0';
		for (int i = 0; i < PIECE_COUNT_OF; i++)
			if (shown[i])
				flen += snprintf(figures + flen, sizeof(figures) - flen, "%s%s",
								 flen > 0 ? " | " : "", piece[i]);
		/* "[" bar "] " and "100% " around the bar: 8 columns */
		bar = f >= 0 ? width - prefix - flen - 8 : 0;
		if (bar >= 10 || kept == 1 || f < 0)
			break;
		kept--;
	}
	if (bar > 30)
		bar = 30;

	len = prefix;
	if (bar >= 10)
	{
		int			filled = (int) (f * bar + 0.5);

		line[len++] = '[';
		for (int i = 0; i < bar; i++)
			line[len++] = i < filled ? '#' : '-';
		len += snprintf(line + len, sizeof(line) - len, "] %3d%% ", (int) (f * 100));
	}
	else if (f >= 0)
		len += snprintf(line + len, sizeof(line) - len, "%3d%% ", (int) (f * 100));
	snprintf(line + len, sizeof(line) - len, "%s", figures);
	len = (int) strlen(line);
	if (len > width && width > 0)
	{
		line[width] = '\0';
		len = width;
	}
	fprintf(stderr, "\r%s", line);
	if (drawn > len)
		fprintf(stderr, "%*s\r%s", drawn - len, "", line);
	fflush(stderr);
	drawn = len;
}

/* A plain line, for logs: the server's progress NOTICE, with users and ETA. */
static void
print_line(const ProgressRow *row)
{
	char		rate[32];
	char		p95[32];
	char		eta[48];
	double		f = fraction_done(row);

	if (row->has_ops_per_s)
		snprintf(rate, sizeof(rate), "%.1f ops/s", row->ops_per_s);
	else
		snprintf(rate, sizeof(rate), "- ops/s");
	if (row->has_p95_ms)
		snprintf(p95, sizeof(p95), "p95 %.2f ms", row->p95_ms);
	else
		snprintf(p95, sizeof(p95), "p95 -");
	if (row->has_eta_s)
		snprintf(eta, sizeof(eta), ", ETA %.0f s", row->eta_s);
	else
		eta[0] = '\0';

	if (row->has_ops_planned)
		fprintf(stderr, "pg_loadtest: run %s: %lld/%lld operations (%d%%), %s, %s, %lld %s, %d %s active, %.1f s elapsed%s\n",
				progress_run_id, row->ops_done, row->ops_planned,
				(int) (f < 0 ? 0 : f * 100), rate, p95, row->errors,
				row->errors == 1 ? "error" : "errors", row->users_active, row->users_active == 1 ? "user" : "users",
				row->elapsed_s, eta);
	else if (row->has_duration_s)
		fprintf(stderr, "pg_loadtest: run %s: %.1f of %.1f s (%d%%), %lld operations, %s, %s, %lld %s, %d %s active%s\n",
				progress_run_id, row->elapsed_s, row->duration_s,
				(int) (f < 0 ? 0 : f * 100), row->ops_done, rate, p95,
				row->errors, row->errors == 1 ? "error" : "errors", row->users_active,
				row->users_active == 1 ? "user" : "users", eta);
	else
		fprintf(stderr, "pg_loadtest: run %s: %.1f s, %lld operations, %s, %s, %lld %s, %d %s active%s\n",
				progress_run_id, row->elapsed_s, row->ops_done, rate, p95,
				row->errors, row->errors == 1 ? "error" : "errors", row->users_active,
				row->users_active == 1 ? "user" : "users", eta);
	fflush(stderr);
}

/* Show a row: redraw the bar, or print a line (and plan the next one). */
void
progress_show(const ProgressRow *row)
{
	if (!enabled)
		return;
	if (on_terminal)
		draw_bar(row);
	else
	{
		print_line(row);
		next_line_at = now_seconds() + line_interval;
	}
}

/* Read a float8 column, with its nullness. */
static bool
get_double(const PGresult *res, int col, double *out)
{
	if (PQgetisnull(res, 0, col))
		return false;
	*out = strtod(PQgetvalue(res, 0, col), NULL);
	return true;
}

static long long
get_int(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? 0 : strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/*
 * Fetch the run's row of loadtest.progress and show it.  Returns false
 * only when the query failed (the caller looks at the connection); a run
 * without a row (starting, or ending) shows nothing new.
 */
bool
progress_poll(PGconn *conn, const char *run_id)
{
	const char *values[1];
	PGresult   *res;
	ProgressRow row;

	values[0] = run_id;
	res = query(conn,
				"SELECT elapsed_s, ops_done, ops_planned, duration_s, ops_per_s, p95_ms,"
				" errors, users_active, eta_s"
				" FROM loadtest.progress WHERE run_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
				1, values);
	if (!result_ok(res))
	{
		PQclear(res);
		return false;
	}
	if (PQntuples(res) == 1)
	{
		memset(&row, 0, sizeof(row));
		get_double(res, 0, &row.elapsed_s);
		row.ops_done = get_int(res, 1);
		row.has_ops_planned = !PQgetisnull(res, 0, 2);
		row.ops_planned = get_int(res, 2);
		row.has_duration_s = get_double(res, 3, &row.duration_s);
		row.has_ops_per_s = get_double(res, 4, &row.ops_per_s);
		row.has_p95_ms = get_double(res, 5, &row.p95_ms);
		row.errors = get_int(res, 6);
		row.users_active = (int) get_int(res, 7);
		row.has_eta_s = get_double(res, 8, &row.eta_s);
		progress_show(&row);
	}
	else if (!on_terminal)
		next_line_at = now_seconds() + line_interval;
	PQclear(res);
	return true;
}

/* Erase the bar, so that other output starts on a clean line. */
void
progress_clear(void)
{
	if (drawn > 0)
	{
		fprintf(stderr, "\r%*s\r", drawn, "");
		fflush(stderr);
		drawn = 0;
	}
}

/*
 * The run is over: leave the last bar on its own line (not erased: it is
 * the run's last figures).
 */
void
progress_end(void)
{
	if (drawn > 0)
	{
		fputc('\n', stderr);
		fflush(stderr);
		drawn = 0;
	}
}
