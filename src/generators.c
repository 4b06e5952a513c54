/*-------------------------------------------------------------------------
 *
 * generators.c
 *	  Parse the generators of an operation's parameters from the JSON of its
 *	  definition, and draw their values.
 *
 * A definition's params is a JSON array; element k is the generator of $k
 * (k from 1), an object whose "type" names the generator and whose other
 * keys are that type's options.  Every key is checked: an unknown key, a
 * value of the wrong JSON type or an empty range is an error naming the
 * parameter.  The list of types and keys is the table below; the
 * reference (docs/reference.md, "Generators") documents each.
 *
 * Drawing allocates in the current memory context, which the worker
 * resets after each operation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "generators.h"

#define MAX_TEXT_LENGTH		10000
#define MIN_ZIPF_SKEW		1.001	/* as pgbench's random_zipfian */
#define MAX_ZIPF_SKEW		1000.0
#define MAX_ZIPF_RANGE		(UINT64CONST(1) << 53)	/* exact in a double */
#define MAX_CHOICE_VALUES	10000

/* Each type's name and the keys it takes besides "type". */
typedef struct GeneratorSyntax
{
	GeneratorKind kind;
	const char *name;
	const char *keys[8];
} GeneratorSyntax;

static const GeneratorSyntax generator_syntax[] = {
	{GEN_INT, "int", {"min", "max", "distribution", "skew"}},
	{GEN_FLOAT, "float", {"min", "max"}},
	{GEN_COLUMN, "column", {"table", "column", "distinct", "prefix_length_min", "prefix_length_max"}},
	{GEN_PAGE, "page", {"table", "size", "max_pages"}},
	{GEN_TEXT, "text", {"length", "prefix", "suffix", "characters"}},
	{GEN_UNIQUE, "unique", {"as", "prefix", "suffix", "start"}},
	{GEN_CHOICE, "choice", {"values", "weights"}},
	{GEN_NOW, "now", {NULL}},
	{GEN_CONSTANT, "constant", {"value"}},
	{GEN_RESULT, "result", {"statement", "column"}},
};

/* Where an error was found: the definition, and the parameter. */
typedef struct ParseSite
{
	const char *where;
	int			position;
	const GeneratorSyntax *syntax;
} ParseSite;

const char *
generator_kind_name(GeneratorKind kind)
{
	for (int i = 0; i < lengthof(generator_syntax); i++)
		if (generator_syntax[i].kind == kind)
			return generator_syntax[i].name;
	return "?";
}

static char *
syntax_key_list(const GeneratorSyntax *syntax)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "\"type\"");
	for (int i = 0; i < lengthof(syntax->keys) && syntax->keys[i]; i++)
		appendStringInfo(&buf, ", \"%s\"", syntax->keys[i]);
	return buf.data;
}

static void pg_attribute_noreturn()
bad_generator(const ParseSite *site, const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the generator of $%d %s", site->where, site->position, problem),
			 hint ? errhint("%s", hint) :
			 site->syntax ?
			 errhint("The %s generator takes the keys %s (see \"Generators\" in docs/reference.md).",
					 site->syntax->name, syntax_key_list(site->syntax)) :
			 errhint("See \"Generators\" in docs/reference.md.")));
}

static JsonbValue *
json_key(JsonbContainer *object, const char *key)
{
	return getKeyJsonValueFromContainer(object, key, strlen(key), NULL);
}

/* A JSON number as a double: +-Infinity when out of its range. */
double
jsonb_number_double(const JsonbValue *v)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											  NumericGetDatum(v->val.numeric)));
}

static bool
key_double(JsonbContainer *object, const char *key, const ParseSite *site,
		   double *result)
{
	JsonbValue *v = json_key(object, key);

	if (v == NULL)
		return false;
	if (v->type != jbvNumeric)
		bad_generator(site, psprintf("has a \"%s\" that is not a number", key), NULL);
	*result = jsonb_number_double(v);
	if (isnan(*result) || isinf(*result))
		bad_generator(site, psprintf("has a \"%s\" that is not a finite number", key), NULL);
	return true;
}

/* An integer key (exactly integral, within int64). */
static bool
key_int64(JsonbContainer *object, const char *key, const ParseSite *site,
		  int64 *result)
{
	JsonbValue *v = json_key(object, key);
	Numeric		num;
	Datum		rounded;

	if (v == NULL)
		return false;
	if (v->type != jbvNumeric)
		bad_generator(site, psprintf("has a \"%s\" that is not a number", key), NULL);
	num = v->val.numeric;
	rounded = DirectFunctionCall2(numeric_round, NumericGetDatum(num), Int32GetDatum(0));
	if (numeric_is_nan(num) || numeric_is_inf(num) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, rounded, NumericGetDatum(num))) != 0)
		bad_generator(site, psprintf("has a \"%s\" that is not an integer", key), NULL);
	if (jsonb_number_double(v) > 9.2e18 || jsonb_number_double(v) < -9.2e18)
		bad_generator(site, psprintf("has a \"%s\" out of range", key), NULL);
	*result = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(num)));
	return true;
}

static bool
key_int(JsonbContainer *object, const char *key, const ParseSite *site,
		int min, int max, int *result)
{
	int64		value;

	if (!key_int64(object, key, site, &value))
		return false;
	if (value < min || value > max)
		bad_generator(site, psprintf("has a \"%s\" of " INT64_FORMAT ", outside %d to %d",
									 key, value, min, max), NULL);
	*result = (int) value;
	return true;
}

static char *
key_string(JsonbContainer *object, const char *key, const ParseSite *site)
{
	JsonbValue *v = json_key(object, key);

	if (v == NULL)
		return NULL;
	if (v->type != jbvString)
		bad_generator(site, psprintf("has a \"%s\" that is not a string", key), NULL);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static bool
key_bool(JsonbContainer *object, const char *key, const ParseSite *site)
{
	JsonbValue *v = json_key(object, key);

	if (v == NULL)
		return false;
	if (v->type != jbvBool)
		bad_generator(site, psprintf("has a \"%s\" that is not true or false", key), NULL);
	return v->val.boolean;
}

/* A JSON scalar as the text a SQL literal would have; NULL for null. */
static char *
json_scalar_text(JsonbValue *v, const ParseSite *site, const char *key)
{
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			bad_generator(site, psprintf("has a \"%s\" that is not a string, number, boolean or null", key), NULL);
	}
}

/* Refuse keys the generator's type does not take. */
static void
check_keys(JsonbContainer *object, const ParseSite *site)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	v;
	JsonbIteratorToken token;

	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known;

		if (token != WJB_KEY)
			continue;
		known = v.val.string.len == 4 && strncmp(v.val.string.val, "type", 4) == 0;
		for (int i = 0; !known && i < lengthof(site->syntax->keys) && site->syntax->keys[i]; i++)
			known = strlen(site->syntax->keys[i]) == v.val.string.len &&
				strncmp(v.val.string.val, site->syntax->keys[i], v.val.string.len) == 0;
		if (!known)
			bad_generator(site, psprintf("has an unknown key \"%.*s\"",
										 Min(v.val.string.len, 64), v.val.string.val), NULL);
	}
}

/* "schema.table": both parts, quoted or not, as identifiers. */
static void
parse_table(Generator *gen, JsonbContainer *object, const ParseSite *site)
{
	char	   *table = key_string(object, "table", site);
	List	   *names;

	if (table == NULL)
		bad_generator(site, "has no \"table\"", NULL);
	if (!SplitIdentifierString(pstrdup(table), '.', &names) || list_length(names) != 2)
		bad_generator(site, psprintf("has the table \"%s\", which is not a schema-qualified name", table),
					  "Name the table with its schema, as in \"app.orders\": operations run with search_path = pg_catalog, pg_temp.");
	gen->schema_name = pstrdup(linitial(names));
	gen->table_name = pstrdup(lsecond(names));
}

static void
parse_int(Generator *gen, JsonbContainer *object, const ParseSite *site)
{
	char	   *distribution = key_string(object, "distribution", site);

	if (!key_int64(object, "min", site, &gen->int_min) ||
		!key_int64(object, "max", site, &gen->int_max))
		bad_generator(site, "needs \"min\" and \"max\"", NULL);
	if (gen->int_min > gen->int_max)
		bad_generator(site, psprintf("has an empty range: min " INT64_FORMAT " is above max " INT64_FORMAT,
									 gen->int_min, gen->int_max), NULL);
	gen->distribution = DIST_UNIFORM;
	if (distribution == NULL || strcmp(distribution, "uniform") == 0)
		gen->distribution = DIST_UNIFORM;
	else if (strcmp(distribution, "zipf") == 0)
		gen->distribution = DIST_ZIPF;
	else if (strcmp(distribution, "log_uniform") == 0)
		gen->distribution = DIST_LOG_UNIFORM;
	else
		bad_generator(site, psprintf("has the unknown distribution \"%s\"", distribution),
					  "The distributions are \"uniform\", \"zipf\" (with a \"skew\") and \"log_uniform\".");
	if (key_double(object, "skew", site, &gen->skew))
	{
		if (gen->distribution != DIST_ZIPF)
			bad_generator(site, "has a \"skew\" but its distribution is not \"zipf\"", NULL);
		if (!(gen->skew >= MIN_ZIPF_SKEW && gen->skew <= MAX_ZIPF_SKEW))
			bad_generator(site, psprintf("has a skew of %g, outside [%g, %g]", gen->skew,
										 MIN_ZIPF_SKEW, MAX_ZIPF_SKEW),
						  "A zipf skew is from 1.001 to 1000, as pgbench's random_zipfian: 1.01 is mild, 2 strong.");
	}
	else if (gen->distribution == DIST_ZIPF)
		bad_generator(site, "has a zipf distribution but no \"skew\"",
					  "Give the skew, from 1.001: {\"type\": \"int\", \"min\": 1, \"max\": 1000, \"distribution\": \"zipf\", \"skew\": 1.5}.");
	if (gen->distribution == DIST_ZIPF &&
		(uint64) gen->int_max - (uint64) gen->int_min >= MAX_ZIPF_RANGE)
		bad_generator(site, psprintf("has a zipf range of more than %.0f values", (double) MAX_ZIPF_RANGE),
					  "Narrow the range: zipf ranks are drawn as doubles.");
	if (gen->distribution == DIST_LOG_UNIFORM && gen->int_min < 1)
		bad_generator(site, "has a log_uniform distribution with a min below 1", NULL);
}

static void
parse_text(Generator *gen, JsonbContainer *object, const ParseSite *site,
		   bool unique)
{
	char	   *characters;

	gen->prefix = key_string(object, "prefix", site);
	gen->suffix = key_string(object, "suffix", site);
	if (gen->prefix == NULL)
		gen->prefix = "";
	if (gen->suffix == NULL)
		gen->suffix = "";
	if (unique)
	{
		char	   *as = key_string(object, "as", site);

		if (as != NULL && strcmp(as, "integer") == 0)
			gen->unique_integer = true;
		else if (as != NULL && strcmp(as, "text") != 0)
			bad_generator(site, psprintf("has \"as\": \"%s\"", as),
						  "A unique generator gives \"text\" (the default) or \"integer\" values.");
		if (!key_int64(object, "start", site, &gen->unique_start))
			gen->unique_start = 1;
		else if (!gen->unique_integer)
			bad_generator(site, "has a \"start\" but gives text", "\"start\" is for \"as\": \"integer\".");
		if (gen->unique_integer && (*gen->prefix || *gen->suffix))
			bad_generator(site, "has a prefix or suffix but gives integers", NULL);
		return;
	}
	if (!key_int(object, "length", site, 0, MAX_TEXT_LENGTH, &gen->length))
		bad_generator(site, "needs a \"length\"", NULL);
	characters = key_string(object, "characters", site);
	if (characters == NULL)
		characters = "abcdefghijklmnopqrstuvwxyz";
	gen->characters = palloc(sizeof(char *) * (strlen(characters) + 1));
	for (const char *c = characters; *c; c += pg_mblen(c))
	{
		int			len = pg_mblen(c);

		gen->characters[gen->ncharacters++] = pnstrdup(c, len);
	}
	if (gen->ncharacters == 0 && gen->length > 0)
		bad_generator(site, "has no \"characters\" to draw from", NULL);
}

static void
parse_choice(Generator *gen, JsonbContainer *object, const ParseSite *site)
{
	JsonbValue *values = json_key(object, "values");
	JsonbValue *weights = json_key(object, "weights");
	int			n;
	double		total = 0;

	if (values == NULL || values->type != jbvBinary ||
		!JsonContainerIsArray(values->val.binary.data) ||
		(n = JsonContainerSize(values->val.binary.data)) == 0)
		bad_generator(site, "needs \"values\": a non-empty array", NULL);
	if (n > MAX_CHOICE_VALUES)
		bad_generator(site, psprintf("has %d values, more than %d", n, MAX_CHOICE_VALUES), NULL);
	if (weights != NULL &&
		(weights->type != jbvBinary || !JsonContainerIsArray(weights->val.binary.data) ||
		 JsonContainerSize(weights->val.binary.data) != n))
		bad_generator(site, "has \"weights\" that are not an array as long as its values", NULL);
	gen->nvalues = n;
	gen->values = palloc(sizeof(char *) * n);
	gen->cumulative = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *v = getIthJsonbValueFromContainer(values->val.binary.data, i);
		double		w = 1;

		gen->values[i] = json_scalar_text(v, site, "values");
		if (weights != NULL)
		{
			JsonbValue *wv = getIthJsonbValueFromContainer(weights->val.binary.data, i);

			if (wv->type != jbvNumeric)
				bad_generator(site, "has a weight that is not a number", NULL);
			w = jsonb_number_double(wv);
			if (!(w >= 0) || isinf(w))
				bad_generator(site, psprintf("has the weight %g, which is not a finite number of 0 or more", w), NULL);
		}
		total += w;
		gen->cumulative[i] = total;
	}
	if (!(total > 0))
		bad_generator(site, "has no positive weight", NULL);
	if (isinf(total))
		bad_generator(site, "has weights whose sum is not a finite number", NULL);
}

/* Parse one generator object. */
static void
parse_generator(Generator *gen, JsonbValue *element, ParseSite *site)
{
	JsonbContainer *object;
	char	   *type;

	if (element->type != jbvBinary || !JsonContainerIsObject(element->val.binary.data))
		bad_generator(site, "is not a JSON object", NULL);
	object = element->val.binary.data;
	type = key_string(object, "type", site);
	if (type == NULL)
		bad_generator(site, "has no \"type\"", NULL);
	for (int i = 0; i < lengthof(generator_syntax) && site->syntax == NULL; i++)
		if (strcmp(type, generator_syntax[i].name) == 0)
			site->syntax = &generator_syntax[i];
	if (site->syntax == NULL)
		bad_generator(site, psprintf("has the unknown type \"%s\"", type),
					  "The generator types are int, float, column, page, text, unique, choice, now, constant and result.");
	check_keys(object, site);
	gen->kind = site->syntax->kind;

	switch (gen->kind)
	{
		case GEN_INT:
			parse_int(gen, object, site);
			break;
		case GEN_FLOAT:
			if (!key_double(object, "min", site, &gen->float_min) ||
				!key_double(object, "max", site, &gen->float_max))
				bad_generator(site, "needs \"min\" and \"max\"", NULL);
			if (!(gen->float_min <= gen->float_max))
				bad_generator(site, psprintf("has an empty range: min %g is above max %g",
											 gen->float_min, gen->float_max), NULL);
			if (isinf(gen->float_max - gen->float_min))
				bad_generator(site, "has a range wider than a double holds", NULL);
			break;
		case GEN_COLUMN:
			parse_table(gen, object, site);
			gen->column_name = key_string(object, "column", site);
			if (gen->column_name == NULL)
				bad_generator(site, "has no \"column\"", NULL);
			gen->distinct = key_bool(object, "distinct", site);
			if (key_int(object, "prefix_length_min", site, 1, 1000, &gen->prefix_min) !=
				key_int(object, "prefix_length_max", site, 1, 1000, &gen->prefix_max))
				bad_generator(site, "needs both \"prefix_length_min\" and \"prefix_length_max\", or neither", NULL);
			if (gen->prefix_min > gen->prefix_max)
				bad_generator(site, "has an empty prefix length range", NULL);
			break;
		case GEN_PAGE:
			parse_table(gen, object, site);
			if (!key_int(object, "size", site, 1, 1000000, &gen->page_size))
				bad_generator(site, "needs a \"size\" (rows per page)", NULL);
			if (!key_int(object, "max_pages", site, 1, 1000000, &gen->max_pages))
				gen->max_pages = 200;
			break;
		case GEN_TEXT:
			parse_text(gen, object, site, false);
			break;
		case GEN_UNIQUE:
			parse_text(gen, object, site, true);
			break;
		case GEN_CHOICE:
			parse_choice(gen, object, site);
			break;
		case GEN_NOW:
			break;
		case GEN_CONSTANT:
			{
				JsonbValue *v = json_key(object, "value");

				if (v == NULL)
					bad_generator(site, "has no \"value\"", NULL);
				gen->nvalues = 1;
				gen->values = palloc(sizeof(char *));
				gen->values[0] = json_scalar_text(v, site, "value");
				break;
			}
		case GEN_RESULT:
			if (!key_int(object, "statement", site, 1, 1000, &gen->statement))
				bad_generator(site, "needs the \"statement\" (from 1) whose result it takes", NULL);
			gen->result_column = key_string(object, "column", site);
			if (gen->result_column == NULL)
				bad_generator(site, "needs the result \"column\" it takes", NULL);
			break;
	}
}

/*
 * Parse params (a JSON array of generator objects).  where names the
 * definition in messages ("operation \"order_lookup\"").
 */
Generator *
generators_parse(Jsonb *params, const char *where, int *ngenerators)
{
	JsonbContainer *array = &params->root;
	Generator  *gens;
	int			n;

	if (!JsonContainerIsArray(array) || JB_ROOT_IS_SCALAR(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: params is not a JSON array", where),
				 errhint("params is an array with one generator per parameter: '[{\"type\": \"int\", \"min\": 1, \"max\": 100}]' for $1.")));
	n = JsonContainerSize(array);
	if (n > 100)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %d parameters, more than 100", where, n),
				 errhint("Pass fewer parameters: one generator per $n, at most $100.")));
	gens = palloc0(sizeof(Generator) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		ParseSite	site = {where, i + 1, NULL};

		gens[i].position = i + 1;
		parse_generator(&gens[i], getIthJsonbValueFromContainer(array, i), &site);
	}
	*ngenerators = n;
	return gens;
}

/*
 * The type of the values a generator draws; InvalidOid for choice and
 * constant, whose values take the type of the parameter (as quoted
 * literals do), and for column and result, whose type is learnt from the
 * table or the statement.
 */
Oid
generator_value_type(const Generator *gen)
{
	switch (gen->kind)
	{
		case GEN_INT:
		case GEN_PAGE:
			return INT8OID;
		case GEN_FLOAT:
			return FLOAT8OID;
		case GEN_TEXT:
			return TEXTOID;
		case GEN_UNIQUE:
			return gen->unique_integer ? INT8OID : TEXTOID;
		case GEN_NOW:
			return TIMESTAMPTZOID;
		case GEN_COLUMN:
			if (gen->prefix_max > 0)
				return TEXTOID;
			return gen->value_set ? gen->value_set->type : InvalidOid;
		case GEN_CHOICE:
		case GEN_CONSTANT:
		case GEN_RESULT:
			return InvalidOid;
	}
	return InvalidOid;
}

bool
generator_is_literal(const Generator *gen)
{
	return gen->kind == GEN_CHOICE || gen->kind == GEN_CONSTANT;
}

/*
 * The key of the value set a column or page generator draws from: the
 * generators of one run that draw from the same column share one set.
 */
char *
generator_value_key(const Generator *gen)
{
	if (gen->kind == GEN_PAGE)
		return psprintf("page %s.%s", quote_identifier(gen->schema_name),
						quote_identifier(gen->table_name));
	Assert(gen->kind == GEN_COLUMN);
	return psprintf("column %s.%s.%s%s%s", quote_identifier(gen->schema_name),
					quote_identifier(gen->table_name),
					quote_identifier(gen->column_name),
					gen->distinct ? " distinct" : "",
					gen->prefix_max > 0 ? " text" : "");
}

/*
 * Zipf rank in 1..n with exponent s > 1, by rejection (Devroye,
 * "Non-Uniform Random Variate Generation", p. 550), as pgbench draws
 * random_zipfian.
 */
static int64
draw_zipf(pg_prng_state *rng, int64 n, double s)
{
	double		b = pow(2.0, s - 1.0);

	for (uint64 tries = 1;; tries++)
	{
		double		u = pg_prng_double(rng);
		double		v = pg_prng_double(rng);
		double		x;
		double		t;

		/* a process told to end ends, even here (a rare long rejection) */
		if ((tries & 1023) == 0 && ProcDiePending)
			CHECK_FOR_INTERRUPTS();
		if (u <= 0)
			continue;
		x = floor(pow(u, -1.0 / (s - 1.0)));
		t = pow(1.0 + 1.0 / x, s - 1.0);
		if (x <= (double) n && v * x * (t - 1.0) / (b - 1.0) <= t / b)
			return (int64) x;
	}
}

static int64
draw_int(const Generator *gen, pg_prng_state *rng)
{
	switch (gen->distribution)
	{
		case DIST_UNIFORM:
			return (int64) pg_prng_uint64_range(rng, 0, (uint64) gen->int_max - (uint64) gen->int_min) + gen->int_min;
		case DIST_ZIPF:
			return gen->int_min +
				draw_zipf(rng, (int64) ((uint64) gen->int_max - (uint64) gen->int_min + 1), gen->skew) - 1;
		case DIST_LOG_UNIFORM:
			{
				double		lo = log((double) gen->int_min);
				double		hi = log((double) gen->int_max + 1.0);
				double		x = floor(exp(lo + (hi - lo) * pg_prng_double(rng)));

				if (x < (double) gen->int_min)
					return gen->int_min;
				if (x > (double) gen->int_max)
					return gen->int_max;
				return (int64) x;
			}
	}
	return gen->int_min;
}

/* Index i of a cumulative weight table of n entries, for a uniform draw. */
static int
draw_weighted(const double *cumulative, int n, pg_prng_state *rng)
{
	double		u = pg_prng_double(rng) * cumulative[n - 1];

	for (int i = 0; i < n - 1; i++)
		if (u < cumulative[i])
			return i;
	return n - 1;
}

static Datum
draw_text(const Generator *gen, pg_prng_state *rng)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, gen->prefix);
	for (int i = 0; i < gen->length; i++)
		appendStringInfoString(&buf, gen->characters[pg_prng_uint64_range(rng, 0, gen->ncharacters - 1)]);
	appendStringInfoString(&buf, gen->suffix);
	return PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
}

static Datum
draw_column(const Generator *gen, pg_prng_state *rng, bool *isnull)
{
	const ValueSet *set = gen->value_set;
	Datum		value;

	if (set == NULL || set->n == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	value = set->values[pg_prng_uint64_range(rng, 0, set->n - 1)];
	if (!set->typbyval)
		value = PointerGetDatum((const char *) set + value);
	if (gen->prefix_max > 0)
	{
		text	   *t = (text *) DatumGetPointer(value);
		const char *s = VARDATA_ANY(t);
		int			len = VARSIZE_ANY_EXHDR(t);
		int			chars = (int) pg_prng_uint64_range(rng, gen->prefix_min, gen->prefix_max);

		value = PointerGetDatum(cstring_to_text_with_len(s, pg_mbcharcliplen(s, len, chars)));
	}
	return value;
}

static Datum
draw_page(const Generator *gen, pg_prng_state *rng)
{
	int64		rows = gen->value_set ? gen->value_set->rows : 0;
	int64		pages = Min(rows / gen->page_size, gen->max_pages);
	double		u = pg_prng_double(rng);

	/* most users look at the first pages, few go deep */
	if (pages <= 1)
		return Int64GetDatum(0);
	return Int64GetDatum((int64) (pages * u * u * u) * gen->page_size);
}

/* Draw one value.  Results of earlier statements are set by the caller. */
void
generator_draw(const Generator *gen, pg_prng_state *rng, const DrawContext *dc,
			   GeneratedValue *out)
{
	out->isnull = false;
	out->choice = 0;
	switch (gen->kind)
	{
		case GEN_INT:
			out->value = Int64GetDatum(draw_int(gen, rng));
			break;
		case GEN_FLOAT:
			out->value = Float8GetDatum(gen->float_min +
										(gen->float_max - gen->float_min) * pg_prng_double(rng));
			break;
		case GEN_COLUMN:
			out->value = draw_column(gen, rng, &out->isnull);
			break;
		case GEN_PAGE:
			out->value = draw_page(gen, rng);
			break;
		case GEN_TEXT:
			out->value = draw_text(gen, rng);
			break;
		case GEN_UNIQUE:
			{
				uint64		n = pg_atomic_fetch_add_u64(dc->unique_next, 1);

				if (gen->unique_integer)
					out->value = Int64GetDatum(gen->unique_start + (int64) n);
				else
					out->value = CStringGetTextDatum(psprintf("%s" INT64_FORMAT "-" UINT64_FORMAT "%s",
															  gen->prefix, dc->run_id, n, gen->suffix));
				break;
			}
		case GEN_CHOICE:
			out->choice = draw_weighted(gen->cumulative, gen->nvalues, rng);
			break;
		case GEN_NOW:
			out->value = TimestampTzGetDatum(GetCurrentTimestamp());
			break;
		case GEN_CONSTANT:
			break;
		case GEN_RESULT:
			out->isnull = true;
			break;
	}
}
