/*-------------------------------------------------------------------------
 *
 * options.c
 *	  The command line of pg_loadtest: parsing, the checks made before
 *	  connecting, and --help.
 *
 * The options of the reference guide's run_load_test.py (--users, --ops,
 * --think-time, --ramp-up, --pattern, --quick, --stress, --export, --force)
 * keep their names and meanings; the others map onto the arguments of
 * loadtest_start() and loadtest_check().  Only the syntax of a value is
 * checked here (a whole number, a finite number, a known export file
 * extension); its range is the server's business, so that the client and
 * the SQL functions refuse the same runs with the same messages.  The
 * thresholds are checked here in full (finite, not negative), since a bad
 * one would otherwise be found only after the run.  Every problem here
 * exits with EXIT_USAGE.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pg_loadtest.h"

/* loadtest_start()'s arguments, in the order of RunArg. */
const ArgDef run_arg_defs[RA_COUNT] = {
	{"users", "pg_catalog.int4"},
	{"ops", "pg_catalog.int4"},
	{"pattern", "pg_catalog.text"},
	{"think_time_ms", "pg_catalog.int4"},
	{"ramp_up_s", "pg_catalog.float8"},
	{"force", "pg_catalog.bool"},
	{"pool_size", "pg_catalog.int4"},
	{"duration", "pg_catalog.interval"},
	{"rate", "pg_catalog.float8"},
	{"stages", "pg_catalog.jsonb"},
	{"samples", "pg_catalog.text"},
};

/* loadtest_check()'s thresholds, in the order of CheckArg. */
const ArgDef check_arg_defs[CA_COUNT] = {
	{"max_avg_ms", "pg_catalog.float8"},
	{"max_p95_ms", "pg_catalog.float8"},
	{"max_p99_ms", "pg_catalog.float8"},
	{"min_throughput", "pg_catalog.float8"},
	{"min_success_pct", "pg_catalog.float8"},
	{"baseline", "pg_catalog.int8"},
	{"max_regression_pct", "pg_catalog.float8"},
	{"require_ready", "pg_catalog.bool"},
};

/* Long options without a short form. */
enum
{
	OPT_USERS = 256,
	OPT_OPS,
	OPT_THINK_TIME,
	OPT_RAMP_UP,
	OPT_PATTERN,
	OPT_QUICK,
	OPT_STRESS,
	OPT_SCENARIO,
	OPT_EXPORT,
	OPT_FORCE,
	OPT_DURATION,
	OPT_RATE,
	OPT_POOL_SIZE,
	OPT_STAGES,
	OPT_SAMPLES,
	OPT_MAX_AVG_MS,
	OPT_MAX_P95_MS,
	OPT_MAX_P99_MS,
	OPT_MIN_THROUGHPUT,
	OPT_MIN_SUCCESS_PCT,
	OPT_COMPARE,
	OPT_MAX_REGRESSION_PCT,
	OPT_REQUIRE_READY,
	OPT_TARGET_USERS,
	OPT_TARGET_MS,
	OPT_PROGRESS,
	OPT_HELP
};

static const struct option long_options[] = {
	{"host", required_argument, NULL, 'h'},
	{"port", required_argument, NULL, 'p'},
	{"username", required_argument, NULL, 'U'},
	{"dbname", required_argument, NULL, 'd'},
	{"no-password", no_argument, NULL, 'w'},
	{"password", no_argument, NULL, 'W'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, OPT_HELP},
	{"users", required_argument, NULL, OPT_USERS},
	{"ops", required_argument, NULL, OPT_OPS},
	{"think-time", required_argument, NULL, OPT_THINK_TIME},
	{"ramp-up", required_argument, NULL, OPT_RAMP_UP},
	{"pattern", required_argument, NULL, OPT_PATTERN},
	{"quick", no_argument, NULL, OPT_QUICK},
	{"stress", no_argument, NULL, OPT_STRESS},
	{"scenario", required_argument, NULL, OPT_SCENARIO},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"force", no_argument, NULL, OPT_FORCE},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"rate", required_argument, NULL, OPT_RATE},
	{"pool-size", required_argument, NULL, OPT_POOL_SIZE},
	{"stages", required_argument, NULL, OPT_STAGES},
	{"samples", required_argument, NULL, OPT_SAMPLES},
	{"max-avg-ms", required_argument, NULL, OPT_MAX_AVG_MS},
	{"max-p95-ms", required_argument, NULL, OPT_MAX_P95_MS},
	{"max-p99-ms", required_argument, NULL, OPT_MAX_P99_MS},
	{"min-throughput", required_argument, NULL, OPT_MIN_THROUGHPUT},
	{"min-success-pct", required_argument, NULL, OPT_MIN_SUCCESS_PCT},
	{"compare", required_argument, NULL, OPT_COMPARE},
	{"max-regression-pct", required_argument, NULL, OPT_MAX_REGRESSION_PCT},
	{"require-ready", no_argument, NULL, OPT_REQUIRE_READY},
	{"target-users", required_argument, NULL, OPT_TARGET_USERS},
	{"target-ms", required_argument, NULL, OPT_TARGET_MS},
	{"progress", required_argument, NULL, OPT_PROGRESS},
	{NULL, 0, NULL, 0}
};

static void
help(void)
{
	printf("pg_loadtest runs a load test with the loadtest extension, shows its progress,\n"
		   "prints its report and checks thresholds.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_loadtest [OPTION]... [DBNAME]\n"
		   "\n"
		   "Run options (unset ones take loadtest_start()'s defaults):\n"
		   "      --users=N              simulated users (default 50)\n"
		   "      --ops=N                operations per user (default 50)\n"
		   "      --think-time=MS        mean pause between a user's operations (default 100)\n"
		   "      --ramp-up=SEC          spread the users' starts over SEC seconds (default 10)\n"
		   "      --pattern=TYPE         distributed (default), read_heavy, write_heavy, mixed,\n"
		   "                             file_operations, a defined pattern or one operation\n"
		   "      --duration=TIME        run for TIME ('30 s', '5 min', or seconds); --ops is\n"
		   "                             then ignored\n"
		   "      --rate=N               open model: start N operations per second (reached\n"
		   "                             over the ramp-up: --ramp-up 0 for all at once)\n"
		   "      --pool-size=N          the users share N workers\n"
		   "      --stages=JSON          stages of users or rates (@FILE: read them from FILE)\n"
		   "      --samples=WHICH        rows kept in loadtest.sample_log: all (default),\n"
		   "                             errors, none, or a fraction such as 0.01\n"
		   "      --scenario=NAME        a scenario of loadtest.scenarios; the options given\n"
		   "                             override its values\n"
		   "      --quick                the 'quick' scenario (10 users x 20 operations)\n"
		   "      --stress               the 'stress' scenario (200 users x 100 operations)\n"
		   "      --force                run even on a server marked production\n"
		   "\n"
		   "Report options:\n"
		   "      --export=FILE          also write the report to FILE, by its extension:\n"
		   "                             .txt or .text (text), .json (JSON), .html or .htm (HTML)\n"
		   "      --compare=RUN_ID       print the comparison with baseline run RUN_ID, and\n"
		   "                             fail when the run is slower than it\n"
		   "      --target-users=N       users the scaling verdict is for (default 4000)\n"
		   "      --target-ms=MS         response time the verdict is for (default 500)\n"
		   "\n"
		   "Thresholds (checked by loadtest_check(); exit status 1 when one breaks):\n"
		   "      --max-avg-ms=MS        average response time at most MS\n"
		   "      --max-p95-ms=MS        95th percentile at most MS\n"
		   "      --max-p99-ms=MS        99th percentile at most MS\n"
		   "      --min-throughput=N     at least N operations per second\n"
		   "      --min-success-pct=PCT  at least PCT%% of the operations succeeded\n"
		   "      --max-regression-pct=PCT\n"
		   "                             with --compare: the smallest slowdown that counts\n"
		   "                             (default 5)\n"
		   "      --require-ready        the verdict must be: ready for the target\n"
		   "\n"
		   "Output options:\n"
		   "      --progress=SEC         without a terminal, a progress line every SEC\n"
		   "                             seconds (default 5); 0: no progress at all\n"
		   "  -q, --quiet                no progress, no report on standard output\n"
		   "  -v, --verbose              also show the server's notices and error contexts\n"
		   "  -V, --version              output version information, then exit\n"
		   "  -?, --help                 show this help, then exit\n"
		   "\n"
		   "Connection options:\n"
		   "  -h, --host=HOSTNAME        database server host or socket directory\n"
		   "  -p, --port=PORT            database server port\n"
		   "  -U, --username=USERNAME    database user name\n"
		   "  -d, --dbname=DBNAME        database name, connection string or URI\n"
		   "  -w, --no-password          never prompt for a password\n"
		   "  -W, --password             force a password prompt\n"
		   "The PG* environment variables (PGHOST, PGPORT, PGOPTIONS...) apply, as in psql.\n"
		   "\n"
		   "Progress goes to standard error, the report to standard output. Ctrl-C cancels\n"
		   "the run and still prints its partial report; a second Ctrl-C skips the report.\n"
		   "\n"
		   "Exit status: 0 the run completed and every threshold held; 1 a threshold broke;\n"
		   "2 the run failed, was cancelled or aborted, or could not start (or another\n"
		   "error); 3 bad usage.\n");
}

/*
 * Report a bad command line, with psql's hint, and exit with EXIT_USAGE.
 */
void
usage_error(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "pg_loadtest: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\npg_loadtest: hint: Try \"pg_loadtest --help\" for more information.\n");
	exit(EXIT_USAGE);
}

/*
 * A whole number (within bigint when wide, else within integer), written
 * back in canonical form.
 */
static char *
whole_number(const char *value, const char *option, bool wide)
{
	char	   *end;
	long long	n;
	char		buf[32];

	errno = 0;
	n = strtoll(value, &end, 10);
	if (end == value || *end != '\0' || errno == ERANGE ||
		(!wide && (n < -2147483647LL - 1 || n > 2147483647LL)))
		usage_error("invalid value \"%s\" for option --%s: a whole number is expected",
					value, option);
	snprintf(buf, sizeof(buf), "%lld", n);
	return strdup(buf);
}

/*
 * A finite number, written back so that float8in reads the same value
 * (strtod takes forms such as hexadecimal that the server does not).
 */
static char *
finite_number(const char *value, const char *option, double *out)
{
	char	   *end;
	double		d;
	char		buf[64];

	errno = 0;
	d = strtod(value, &end);
	if (end == value || *end != '\0' || errno == ERANGE || !isfinite(d))
		usage_error("invalid value \"%s\" for option --%s: a finite number is expected",
					value, option);
	if (out)
		*out = d;
	snprintf(buf, sizeof(buf), "%.17g", d);
	return strdup(buf);
}

/* A threshold: a finite number from 0 to max. */
static char *
limit_number(const char *value, const char *option, double max)
{
	double		d;
	char	   *text = finite_number(value, option, &d);

	if (d < 0 || d > max)
	{
		if (max < INFINITY)
			usage_error("invalid value \"%s\" for option --%s: a number from 0 to %g is expected",
						value, option, max);
		usage_error("invalid value \"%s\" for option --%s: a number of 0 or more is expected",
					value, option);
	}
	return text;
}

/* The contents of a file, for --stages=@FILE. */
static char *
read_file(const char *path, const char *option)
{
	FILE	   *f = fopen(path, "r");
	char	   *buf = NULL;
	size_t		len = 0;
	size_t		cap = 0;
	size_t		n;

	if (f == NULL)
		usage_error("could not open file \"%s\" for option --%s: %s", path, option,
					strerror(errno));
	do
	{
		if (cap - len < 4096)
		{
			cap = cap ? cap * 2 : 8192;
			if (cap > 16 * 1024 * 1024)
				usage_error("file \"%s\" for option --%s is too large", path, option);
			buf = realloc(buf, cap);
			if (buf == NULL)
				usage_error("out of memory");
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		usage_error("could not read file \"%s\" for option --%s: %s", path, option,
					strerror(errno));
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Does name end with suffix, ignoring case? */
static bool
has_suffix(const char *name, const char *suffix)
{
	size_t		n = strlen(name);
	size_t		s = strlen(suffix);

	return n > s && strcasecmp(name + n - s, suffix) == 0;
}

static ExportFormat
export_format_of(const char *file)
{
	if (has_suffix(file, ".txt") || has_suffix(file, ".text"))
		return EXPORT_TEXT;
	if (has_suffix(file, ".json"))
		return EXPORT_JSON;
	if (has_suffix(file, ".html") || has_suffix(file, ".htm"))
		return EXPORT_HTML;
	usage_error("cannot tell the format of export file \"%s\": its name must end with"
				" .txt, .text, .json, .html or .htm", file);
}

/* Set the run's scenario, refusing a second, different one. */
static void
set_scenario(LtOptions *opts, const char *scenario, const char *option)
{
	static const char *first_option;

	if (opts->scenario && strcmp(opts->scenario, scenario) != 0)
		usage_error("option %s conflicts with %s: choose one scenario", option, first_option);
	opts->scenario = scenario;
	first_option = option;
}

/* Is any threshold of loadtest_check() asked for? */
bool
any_threshold(const LtOptions *opts)
{
	for (int i = 0; i < CA_COUNT; i++)
		if (opts->check_args[i] != NULL)
			return true;
	return false;
}

/*
 * Fill opts from the command line; exits on --help, --version and bad
 * usage.
 */
void
parse_options(int argc, char **argv, LtOptions *opts)
{
	int			c;
	int			optindex;

	memset(opts, 0, sizeof(*opts));
	opts->password = PASSWORD_IF_NEEDED;
	opts->progress_s = 5;

	/*
	 * -? and -V first, as PostgreSQL's programs take them (-? is not in the
	 * option string: getopt returns '?' for its errors)
	 */
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0))
	{
		help();
		exit(EXIT_OK);
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
	{
		printf("pg_loadtest (loadtest) %s\n", PG_LOADTEST_VERSION);
		exit(EXIT_OK);
	}

	/* getopt's own messages would name argv[0] (a path): ours name pg_loadtest */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h:p:U:d:wWqvV", long_options, &optindex)) != -1)
	{
		switch (c)
		{
			case 'h':
				opts->host = optarg;
				break;
			case 'p':
				opts->port = optarg;
				break;
			case 'U':
				opts->user = optarg;
				break;
			case 'd':
				opts->dbname = optarg;
				break;
			case 'w':
				opts->password = PASSWORD_NEVER;
				break;
			case 'W':
				opts->password = PASSWORD_ALWAYS;
				break;
			case 'q':
				opts->quiet = true;
				break;
			case 'v':
				opts->verbose = true;
				break;
			case 'V':
				printf("pg_loadtest (loadtest) %s\n", PG_LOADTEST_VERSION);
				exit(EXIT_OK);
			case OPT_HELP:
				help();
				exit(EXIT_OK);
			case OPT_USERS:
				opts->run_args[RA_USERS] = whole_number(optarg, "users", false);
				break;
			case OPT_OPS:
				opts->run_args[RA_OPS] = whole_number(optarg, "ops", false);
				break;
			case OPT_THINK_TIME:
				opts->run_args[RA_THINK_TIME_MS] = whole_number(optarg, "think-time", false);
				break;
			case OPT_RAMP_UP:
				opts->run_args[RA_RAMP_UP_S] = finite_number(optarg, "ramp-up", NULL);
				break;
			case OPT_PATTERN:
				opts->run_args[RA_PATTERN] = optarg;
				break;
			case OPT_QUICK:
				set_scenario(opts, "quick", "--quick");
				break;
			case OPT_STRESS:
				set_scenario(opts, "stress", "--stress");
				break;
			case OPT_SCENARIO:
				set_scenario(opts, optarg, "--scenario");
				break;
			case OPT_EXPORT:
				opts->export_format = export_format_of(optarg);
				opts->export_file = optarg;
				break;
			case OPT_FORCE:
				opts->run_args[RA_FORCE] = "true";
				break;
			case OPT_DURATION:
				opts->run_args[RA_DURATION] = optarg;
				break;
			case OPT_RATE:
				opts->run_args[RA_RATE] = finite_number(optarg, "rate", NULL);
				break;
			case OPT_POOL_SIZE:
				opts->run_args[RA_POOL_SIZE] = whole_number(optarg, "pool-size", false);
				break;
			case OPT_STAGES:
				opts->run_args[RA_STAGES] =
					optarg[0] == '@' ? read_file(optarg + 1, "stages") : optarg;
				break;
			case OPT_SAMPLES:
				opts->run_args[RA_SAMPLES] = optarg;
				break;
			case OPT_MAX_AVG_MS:
				opts->check_args[CA_MAX_AVG_MS] = limit_number(optarg, "max-avg-ms", INFINITY);
				break;
			case OPT_MAX_P95_MS:
				opts->check_args[CA_MAX_P95_MS] = limit_number(optarg, "max-p95-ms", INFINITY);
				break;
			case OPT_MAX_P99_MS:
				opts->check_args[CA_MAX_P99_MS] = limit_number(optarg, "max-p99-ms", INFINITY);
				break;
			case OPT_MIN_THROUGHPUT:
				opts->check_args[CA_MIN_THROUGHPUT] = limit_number(optarg, "min-throughput", INFINITY);
				break;
			case OPT_MIN_SUCCESS_PCT:
				opts->check_args[CA_MIN_SUCCESS_PCT] = limit_number(optarg, "min-success-pct", 100);
				break;
			case OPT_COMPARE:
				opts->check_args[CA_BASELINE] = whole_number(optarg, "compare", true);
				break;
			case OPT_MAX_REGRESSION_PCT:
				opts->check_args[CA_MAX_REGRESSION_PCT] =
					limit_number(optarg, "max-regression-pct", INFINITY);
				break;
			case OPT_REQUIRE_READY:
				opts->check_args[CA_REQUIRE_READY] = "true";
				break;
			case OPT_TARGET_USERS:
				opts->target_users = whole_number(optarg, "target-users", false);
				if (atoi(opts->target_users) < 1)
					usage_error("invalid value \"%s\" for option --target-users: 1 or more users are expected",
								optarg);
				break;
			case OPT_TARGET_MS:
				{
					double		d;

					opts->target_ms = finite_number(optarg, "target-ms", &d);
					if (d <= 0)
						usage_error("invalid value \"%s\" for option --target-ms: a positive number is expected",
									optarg);
					break;
				}
			case OPT_PROGRESS:
				{
					double		d;

					free(finite_number(optarg, "progress", &d));
					if (d < 0)
						usage_error("invalid value \"%s\" for option --progress: a number of seconds, 0 or more, is expected",
									optarg);
					opts->progress_s = d;
					break;
				}
			case ':':
				if (optopt != 0 && optopt < 256)
					usage_error("option -%c requires an argument", optopt);
				usage_error("option %s requires an argument", argv[optind - 1]);
			default:
				if (optopt != 0 && optopt < 256)
					usage_error("invalid option -- '%c'", optopt);
				if (optopt >= 256)
					usage_error("option \"%s\" takes no value", argv[optind - 1]);
				usage_error("unrecognized option \"%s\"", argv[optind - 1]);
		}
	}

	/* a database name as the last argument, as pgbench and psql take it */
	if (optind < argc)
	{
		if (opts->dbname != NULL)
			usage_error("the database is given twice: with -d and as \"%s\"", argv[optind]);
		opts->dbname = argv[optind++];
	}
	if (optind < argc)
		usage_error("too many command-line arguments (first is \"%s\")", argv[optind]);

	if (opts->run_args[RA_STAGES] &&
		(opts->run_args[RA_DURATION] || opts->run_args[RA_RATE]))
		usage_error("option --stages conflicts with --%s: stages set the run's length and load",
					opts->run_args[RA_DURATION] ? "duration" : "rate");
	if (opts->check_args[CA_MAX_REGRESSION_PCT] && !opts->check_args[CA_BASELINE])
		usage_error("option --max-regression-pct needs --compare");
}
