/*-------------------------------------------------------------------------
 *
 * loadtest.c
 *	  Module set-up of the loadtest extension: magic block and settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/memutils.h"

#include "loadtest.h"

PG_MODULE_MAGIC;

int			loadtest_environment = LOADTEST_ENV_DEVELOPMENT;
int			loadtest_progress_interval = 5;
int			loadtest_op_timeout = 0;
bool		loadtest_record_samples = true;
bool		loadtest_instrument = true;
int			loadtest_isolation = 0;
int			loadtest_max_tries = 1;
int			loadtest_wait_sample_interval_ms = 10;
int			loadtest_hot_rows = 0;

/*
 * loadtest.environment as it was set before the library defined it (in
 * postgresql.conf, ALTER SYSTEM, ALTER DATABASE ...), when that value is
 * not one of the known ones: the setting then falls back to its default,
 * development, with only a WARNING, so a typo would switch the production
 * guard off.  Runs are refused instead (see loadtest_environment_problem).
 */
static char *environment_unrecognized = NULL;

/*
 * loadtest.environment as a role that may not set it set it for this
 * session before the library defined it (see
 * environment_set_without_privilege): runs are refused too.
 */
static char *environment_unprivileged = NULL;

static const struct config_enum_entry isolation_options[] = {
	{"read_committed", 0, false},
	{"repeatable_read", 1, false},
	{"serializable", 2, false},
	{NULL, 0, false}
};

/* As default_transaction_isolation spells them. */
static const char *const isolation_names[] = {
	"read committed", "repeatable read", "serializable"
};

static const struct config_enum_entry environment_options[] = {
	{"development", LOADTEST_ENV_DEVELOPMENT, false},
	{"staging", LOADTEST_ENV_STAGING, false},
	{"production", LOADTEST_ENV_PRODUCTION, false},
	{NULL, 0, false}
};

void		_PG_init(void);

const char *
loadtest_environment_name(void)
{
	return environment_options[loadtest_environment].name;
}

/*
 * Why the production guard cannot tell what this server is, or NULL: the
 * setting had a value the library does not know.
 */
const char *
loadtest_environment_problem(void)
{
	return environment_unrecognized;
}

/*
 * The value of loadtest.environment that a role without the privilege set
 * for this session before the library was loaded, or NULL.
 */
const char *
loadtest_environment_unprivileged(void)
{
	return environment_unprivileged;
}

/*
 * Was the placeholder of loadtest.environment given its session's default
 * (RESET's) by a role that may not set it (a client's PGOPTIONS, which are
 * the session's defaults)?  Defining the setting
 * then refuses that value and leaves it at its default, development, not
 * at the server's value, which the placeholder no longer holds: the
 * production guard would be off for that session.
 */
static bool
environment_set_without_privilege(void)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
	{
		struct config_generic *var = vars[i];

		if (strcmp(var->name, "loadtest.environment") != 0 ||
			(var->flags & GUC_CUSTOM_PLACEHOLDER) == 0)
			continue;
		/*
		 * A value SET in the session is refused at the definition, and the
		 * server's (the reset value) stays; a client's startup option is the
		 * reset value itself.
		 */
		return var->reset_scontext == PGC_USERSET || var->reset_scontext == PGC_BACKEND;
	}
	return false;
}

/* Remember a value of loadtest.environment set before it was defined. */
static void
check_environment_placeholder(void)
{
	const char *value = GetConfigOption("loadtest.environment", true, false);

	if (value == NULL || value[0] == '\0')
		return;
	if (environment_set_without_privilege())
	{
		environment_unprivileged = MemoryContextStrdup(TopMemoryContext, value);
		return;
	}
	for (int i = 0; environment_options[i].name != NULL; i++)
		if (pg_strcasecmp(value, environment_options[i].name) == 0)
			return;
	environment_unrecognized = MemoryContextStrdup(TopMemoryContext, value);
}

/*
 * A double as the shortest text that reads back as the same value, as
 * float8out prints it with extra_float_digits > 0 -- but whatever the
 * session's extra_float_digits (a database's setting could round it).
 */
char *
loadtest_format_float8(double value)
{
	char	   *buf;

	if (isnan(value))
		return pstrdup("NaN");
	if (isinf(value))
		return pstrdup(value > 0 ? "Infinity" : "-Infinity");
	buf = palloc(DOUBLE_SHORTEST_DECIMAL_LEN + 1);
	(void) double_to_shortest_decimal_buf(value, buf);
	return buf;
}

const char *
loadtest_isolation_name(int isolation)
{
	return isolation_names[isolation];
}

void
_PG_init(void)
{
	check_environment_placeholder();

	DefineCustomEnumVariable("loadtest.environment",
							 "What kind of server this is; in production, load tests need force => true.",
							 NULL,
							 &loadtest_environment,
							 LOADTEST_ENV_DEVELOPMENT,
							 environment_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("loadtest.progress_interval",
							"Seconds between progress notices of a running load test (0 turns them off).",
							NULL,
							&loadtest_progress_interval,
							5, 0, 3600,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("loadtest.op_timeout",
							"Time limit of each operation of a load test (0 means none).",
							"An operation over the limit is cancelled and recorded as failed with SQLSTATE 57014.",
							&loadtest_op_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("loadtest.record_samples",
							 "Whether runs store one row per operation in loadtest.samples.",
							 "Off counts operations without storing them: it exists to measure what recording costs (see bench/).",
							 &loadtest_record_samples,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("loadtest.wait_sample_interval_ms",
							"How often a run samples the wait events of its workers (0 turns it off).",
							"Each sample is counted against the operation the worker runs at that moment (loadtest.wait_profile); a worker between operations is not counted.",
							&loadtest_wait_sample_interval_ms,
							10, 0, 1000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("loadtest.instrument",
							 "Whether the workers time, show (pg_stat_activity) and record each operation.",
							 "Off runs the bare loop of the same transactions, only counted: it exists so that benchmarks can measure the engine's own cost per operation (see bench/).",
							 &loadtest_instrument,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("loadtest.isolation",
							 "Isolation level of the simulated users' transactions.",
							 NULL,
							 &loadtest_isolation,
							 0,
							 isolation_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("loadtest.max_tries",
							"How many times an operation is tried when it fails with a serialization failure or a deadlock.",
							"1 means no retry.  Like pgbench's --max-tries: the sample's latency covers every try.",
							&loadtest_max_tries,
							1, 1, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("loadtest.hot_rows",
							"Draw the rows that operations read and write from the first N of each table only (0 means all rows).",
							"A few hot rows make the users contend for the same rows: lock waits, deadlocks, serialization failures.",
							&loadtest_hot_rows,
							0, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("loadtest");
}
