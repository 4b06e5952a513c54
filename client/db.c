/*-------------------------------------------------------------------------
 *
 * db.c
 *	  The connection of pg_loadtest and the queries it sends: connecting as
 *	  psql does, calls with named arguments whose values are parameters,
 *	  errors and notices printed as psql prints them.
 *
 * The extension may live in any schema: find_extension() looks it up in
 * pg_extension, and every call names its functions with that schema
 * (quoted by PQescapeIdentifier), so that the session's search_path does
 * not choose which loadtest_start() runs.  The tables and views are in the
 * schema loadtest, whatever the extension's schema.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pg_loadtest.h"

static bool show_notices = false;
static char *ext_schema = NULL; /* quoted, e.g. "public" */

/*
 * Write text that came from the server (messages, names of the run's
 * definitions) to stderr.  On a terminal, control characters but newline
 * and tab are written as '?': an operation's name or an error message
 * must not carry escape sequences into the terminal of whoever runs the
 * client (a role's definitions may name anything it created).
 */
void
put_server_text(const char *text, FILE *out)
{
	bool		terminal = isatty(fileno(out));

	for (const unsigned char *c = (const unsigned char *) text; *c; c++)
	{
		if (terminal && ((*c < 0x20 && *c != '\n' && *c != '\t') || *c == 0x7f))
			fputc('?', out);
		else
			fputc(*c, out);
	}
}

/*
 * Print a message of the server that arrives outside a query result
 * (NOTICE, WARNING): WARNINGs always, the rest with --verbose.  The
 * progress line is cleared first, so that the message stands alone.
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void) arg;
	if (!show_notices && severity != NULL &&
		(strcmp(severity, "NOTICE") == 0 || strcmp(severity, "INFO") == 0 ||
		 strcmp(severity, "LOG") == 0 || strcmp(severity, "DEBUG") == 0))
		return;
	progress_clear();
	put_server_text(PQresultErrorMessage(res), stderr);
}

/*
 * Read a password from the terminal without echo, as psql's prompt does.
 * Returns a malloc'd string, or NULL when there is no terminal.
 */
static char *
prompt_password(const char *user)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	struct termios old,
				quiet;
	char		buf[1024];
	bool		echo_off = false;
	char	   *nl;

	if (tty == NULL)
		return NULL;
	if (user)
		fprintf(tty, "Password for user %s: ", user);
	else
		fprintf(tty, "Password: ");
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0)
	{
		quiet = old;
		quiet.c_lflag &= ~ECHO;
		echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(buf, sizeof(buf), tty) == NULL)
		buf[0] = '\0';
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return strdup(buf);
}

/*
 * Connect as psql does: -h, -p, -U and -d (a name, a connection string or
 * a URI: expand_dbname) over the PG* environment; prompt for a password
 * when the server asks for one (unless -w) or at once with -W.  Returns
 * NULL, after printing why, on failure.
 */
PGconn *
connect_db(const LtOptions *opts)
{
	const char *keywords[9];
	const char *values[9];
	char	   *password = NULL;
	PGconn	   *conn;

	show_notices = opts->verbose;
	if (opts->password == PASSWORD_ALWAYS)
		password = prompt_password(opts->user);

	for (;;)
	{
		int			n = 0;

		keywords[n] = "host";
		values[n++] = opts->host;
		keywords[n] = "port";
		values[n++] = opts->port;
		keywords[n] = "user";
		values[n++] = opts->user;
		keywords[n] = "password";
		values[n++] = password;
		keywords[n] = "fallback_application_name";
		values[n++] = "pg_loadtest";
		/* as psql: the terminal's encoding unless PGCLIENTENCODING says */
		keywords[n] = "client_encoding";
		values[n++] = getenv("PGCLIENTENCODING") ? NULL : "auto";
		/* dbname last: what its connection string sets wins over the above */
		keywords[n] = "dbname";
		values[n++] = opts->dbname;
		keywords[n] = NULL;
		values[n] = NULL;

		conn = PQconnectdbParams(keywords, values, 1);
		if (conn == NULL)
		{
			print_error("out of memory");
			return NULL;
		}
		if (PQstatus(conn) == CONNECTION_BAD && password == NULL &&
			PQconnectionNeedsPassword(conn) && opts->password != PASSWORD_NEVER)
		{
			password = prompt_password(PQuser(conn));
			if (password != NULL)
			{
				PQfinish(conn);
				continue;
			}
		}
		break;
	}
	free(password);

	if (PQstatus(conn) == CONNECTION_BAD)
	{
		print_error("%s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, notice_receiver, NULL);
	PQsetErrorContextVisibility(conn, opts->verbose ? PQSHOW_CONTEXT_ERRORS : PQSHOW_CONTEXT_NEVER);
	return conn;
}

/*
 * An error of pg_loadtest itself: "pg_loadtest: error: ..." on stderr
 * (one trailing newline, whatever the message ends with).
 */
void
print_error(const char *fmt,...)
{
	va_list		ap;
	char		buf[4096];
	size_t		len;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	progress_clear();
	fputs("pg_loadtest: error: ", stderr);
	put_server_text(buf, stderr);
	fputc('\n', stderr);
}

/* A message about the run ("pg_loadtest: run 12 started ..."), on stderr. */
void
print_info(const char *fmt,...)
{
	va_list		ap;

	char		buf[4096];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	progress_clear();
	fputs("pg_loadtest: ", stderr);
	put_server_text(buf, stderr);	/* it may name the run's pattern */
	fputc('\n', stderr);
}

/*
 * The error of a failed query as psql prints it: "ERROR:  message",
 * then DETAIL and HINT lines (and CONTEXT with --verbose); or libpq's own
 * message when the connection failed.
 */
void
print_result_error(PGconn *conn, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";

	progress_clear();
	if (msg[0] == '\0')
		msg = PQerrorMessage(conn);
	if (msg[0] == '\0')
		msg = "unknown error\n";
	put_server_text(msg, stderr);
	if (msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

bool
result_ok(const PGresult *res)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK;
}

bool
result_has_sqlstate(const PGresult *res, const char *sqlstate)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return s != NULL && strcmp(s, sqlstate) == 0;
}

/* Run sql with text parameters; the caller checks and clears the result. */
PGresult *
query(PGconn *conn, const char *sql, int nparams, const char *const *values)
{
	return PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, 0);
}

/*
 * Begin "<prefix><schema>.<function>(": the function of the extension,
 * named with its schema.
 */
void
call_begin(SqlCall *call, const char *prefix, const char *function)
{
	call->len = snprintf(call->sql, sizeof(call->sql), "%s%s.%s(",
						 prefix, extension_schema(), function);
	call->nparams = 0;
	call->overflow = call->len >= (int) sizeof(call->sql);
}

/*
 * Add "name => $n::type", with value as parameter $n; a NULL value adds
 * nothing, so that the function's default applies.
 */
void
call_arg(SqlCall *call, const char *name, const char *type, const char *value)
{
	int			n;

	if (value == NULL || call->overflow)
		return;
	if (call->nparams >= CALL_MAX_PARAMS)
	{
		call->overflow = true;
		return;
	}
	call->values[call->nparams++] = value;
	n = snprintf(call->sql + call->len, sizeof(call->sql) - call->len, "%s%s => $%d::%s",
				 call->nparams > 1 ? ", " : "", name, call->nparams, type);
	if (n < 0 || n >= (int) sizeof(call->sql) - call->len)
		call->overflow = true;
	else
		call->len += n;
}

/* Close the call: ")" and suffix. */
void
call_end(SqlCall *call, const char *suffix)
{
	int			n;

	if (call->overflow)
		return;
	n = snprintf(call->sql + call->len, sizeof(call->sql) - call->len, ")%s", suffix);
	if (n < 0 || n >= (int) sizeof(call->sql) - call->len)
		call->overflow = true;
	else
		call->len += n;
}

PGresult *
call_exec(PGconn *conn, const SqlCall *call)
{
	if (call->overflow)
	{
		/* a bug of this program, not of the user's values */
		print_error("internal error: SQL call too long");
		exit(EXIT_RUN_FAILED);
	}
	return query(conn, call->sql, call->nparams, call->values);
}

/* The extension's schema, quoted; valid after find_extension(). */
const char *
extension_schema(void)
{
	return ext_schema ? ext_schema : "\"public\"";
}

/*
 * Find the extension in the connected database and remember its schema.
 * Prints why and returns false when it is not there.
 */
bool
find_extension(PGconn *conn)
{
	PGresult   *res;
	const char *name;

	res = query(conn,
				"SELECT n.nspname, e.extversion"
				" FROM pg_catalog.pg_extension e"
				" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
				" WHERE e.extname OPERATOR(pg_catalog.=) 'loadtest'",
				0, NULL);
	if (!result_ok(res))
	{
		print_result_error(conn, res);
		PQclear(res);
		return false;
	}
	if (PQntuples(res) == 0)
	{
		print_error("the extension loadtest is not installed in database \"%s\"\n"
					"pg_loadtest: hint: Run CREATE EXTENSION loadtest; (as a superuser) and SELECT loadtest_seed();",
					PQdb(conn));
		PQclear(res);
		return false;
	}
	name = PQgetvalue(res, 0, 0);
	ext_schema = PQescapeIdentifier(conn, name, strlen(name));
	PQclear(res);
	if (ext_schema == NULL)
	{
		print_result_error(conn, NULL);
		return false;
	}
	if (!function_exists(conn, "loadtest_start"))
	{
		print_error("the extension loadtest in database \"%s\" is older than 1.6: it has no loadtest_start()\n"
					"pg_loadtest: hint: Run ALTER EXTENSION loadtest UPDATE;",
					PQdb(conn));
		return false;
	}
	return true;
}

/* Is there a function of that name in the extension's schema? */
bool
function_exists(PGconn *conn, const char *name)
{
	const char *values[1];
	PGresult   *res;
	bool		found;

	values[0] = name;
	res = query(conn,
				"SELECT 1 FROM pg_catalog.pg_proc p"
				" JOIN pg_catalog.pg_extension e"
				"   ON p.pronamespace OPERATOR(pg_catalog.=) e.extnamespace"
				" WHERE e.extname OPERATOR(pg_catalog.=) 'loadtest'"
				"   AND p.proname OPERATOR(pg_catalog.=) $1",
				1, values);
	found = result_ok(res) && PQntuples(res) > 0;
	PQclear(res);
	return found;
}
