/*-------------------------------------------------------------------------
 *
 * workload.c
 *	  The generic engine's operations: parse a definition, check it,
 *	  prepare its statements, draw its parameters and run it.
 *
 * A statement's parameter types are inferred as PREPARE infers them (the
 * parser decides what $n must be), then each generator's values are
 * converted to those types: values of the same type go in as they are,
 * others through the cast PostgreSQL would apply to an assignment (int8
 * into an integer column), text through the input function of the
 * parameter's type, and the values of choice and constant generators are
 * converted once, when the statement is prepared, as quoted literals are.
 * The kept plan is prepared with the inferred types fixed: if a table
 * changes under a run, the plan is analysed again with the same types, and
 * what no longer fits fails as an error of the operation.
 *
 * Statements run with search_path = pg_catalog, pg_temp, as every
 * statement of the run's processes: a definition names its tables with
 * their schemas, and keeps the meaning it had when it was made.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "access/htup_details.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parse_coerce.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/typcache.h"

#include "workload.h"

#define MAX_STATEMENTS	100		/* of a variant */
#define MAX_VARIANTS	100
#define RUN_MAX_STATEMENTS	2000	/* of all the operations of a run */
#define RUN_MAX_BINDINGS	20000	/* statements x parameters, in all */

/* Where a message is about: "operation "x"", or its variant k. */
static char *
variant_where(const WorkloadOperation *op, int variant)
{
	if (op->nvariants > 1)
		return psprintf("operation \"%s\", variant %d", op->name, variant + 1);
	return psprintf("operation \"%s\"", op->name);
}

static void
parse_statements(WorkloadVariant *v, ArrayType *statements, const char *where)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(statements) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: statements is not a one-dimensional array", where),
				 errhint("Give statements as ARRAY['SELECT ...', 'UPDATE ...'].")));
	deconstruct_array(statements, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has no statements", where),
				 errhint("Give the statements to run, in order, in one transaction: ARRAY['SELECT ... WHERE id = $1'].")));
	if (n > MAX_STATEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d statements, more than %d", where, n, MAX_STATEMENTS),
				 errhint("Split the work into several operations.")));
	v->nstatements = n;
	v->statements = palloc0(sizeof(WorkloadStatement) * n);
	for (int i = 0; i < n; i++)
	{
		char	   *sql = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
		const char *p = sql;

		while (p && *p && scanner_isspace(*p))
			p++;
		if (p == NULL || *p == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: statement %d is empty", where, i + 1),
				 errhint("Remove the empty element, or give its SQL.")));
		v->statements[i].sql = sql;
		v->statements[i].number = i + 1;
	}
}

static void
parse_variant(WorkloadVariant *v, ArrayType *statements, Jsonb *params,
			  const char *where)
{
	parse_statements(v, statements, where);
	v->generators = generators_parse(params, where, &v->ngenerators);
	v->drawn = palloc0(sizeof(GeneratedValue) * Max(v->ngenerators, 1));
	for (int g = 0; g < v->ngenerators; g++)
	{
		Generator  *gen = &v->generators[g];

		if (gen->kind == GEN_RESULT && gen->statement >= v->nstatements)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the generator of $%d takes a result of statement %d, but %s",
							where, g + 1, gen->statement,
							gen->statement > v->nstatements ? "there is no such statement" :
							"no statement comes after it"),
					 errhint("A result generator takes a value returned by an earlier statement for a later one.")));
	}
}

/* A jsonb key of a variant object, checked for its JSON type. */
static JsonbValue *
variant_key(JsonbContainer *object, const char *key, const char *where)
{
	JsonbValue *v = getKeyJsonValueFromContainer(object, key, strlen(key), NULL);

	if (v == NULL && strcmp(key, "weight") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has no \"%s\"", where, key),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
	return v;
}

static void
parse_variants(WorkloadOperation *op, Jsonb *variants)
{
	JsonbContainer *array = &variants->root;
	double		total = 0;

	if (!JsonContainerIsArray(array) || JB_ROOT_IS_SCALAR(variants) ||
		JsonContainerSize(array) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\": variants is not a non-empty JSON array", op->name),
				 errhint("variants is '[{\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}, ...]'.")));
	op->nvariants = JsonContainerSize(array);
	if (op->nvariants > MAX_VARIANTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("operation \"%s\" has %d variants, more than %d", op->name,
						op->nvariants, MAX_VARIANTS),
				 errhint("Split the variants into several operations, mixed by a pattern.")));
	op->variants = palloc0(sizeof(WorkloadVariant) * op->nvariants);
	op->cumulative = palloc(sizeof(double) * op->nvariants);
	for (int i = 0; i < op->nvariants; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(array, i);
		char	   *where;
		JsonbContainer *object;
		JsonbValue *weight;
		JsonbValue *stmts;
		JsonbValue *params;
		JsonbIterator *it;
		JsonbValue	key;
		JsonbIteratorToken token;
		Datum	   *elems;
		int			n;

		where = psprintf("operation \"%s\", variant %d", op->name, i + 1);
		if (elem->type != jbvBinary || !JsonContainerIsObject(elem->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s is not a JSON object", where),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
		object = elem->val.binary.data;
		it = JsonbIteratorInit(object);
		while ((token = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
		{
			if (token != WJB_KEY)
				continue;
			if (!((key.val.string.len == 6 && strncmp(key.val.string.val, "weight", 6) == 0) ||
				  (key.val.string.len == 10 && strncmp(key.val.string.val, "statements", 10) == 0) ||
				  (key.val.string.len == 6 && strncmp(key.val.string.val, "params", 6) == 0)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s has an unknown key \"%.*s\"", where,
								Min(key.val.string.len, 64), key.val.string.val),
						 errhint("A variant takes the keys \"weight\", \"statements\" and \"params\".")));
		}
		weight = variant_key(object, "weight", where);
		stmts = variant_key(object, "statements", where);
		params = variant_key(object, "params", where);
		op->variants[i].weight = 1;
		if (weight != NULL)
		{
			if (weight->type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s has a weight that is not a number", where),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
			op->variants[i].weight = jsonb_number_double(weight);
			if (!(op->variants[i].weight >= 0) || isinf(op->variants[i].weight))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s has a weight that is not a finite number of 0 or more", where),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
		}
		if (stmts->type != jbvBinary || !JsonContainerIsArray(stmts->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: statements is not a JSON array of strings", where),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
		n = JsonContainerSize(stmts->val.binary.data);
		elems = palloc(sizeof(Datum) * Max(n, 1));
		for (int s = 0; s < n; s++)
		{
			JsonbValue *sv = getIthJsonbValueFromContainer(stmts->val.binary.data, s);

			if (sv->type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: statement %d is not a string", where, s + 1),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
			elems[s] = PointerGetDatum(cstring_to_text_with_len(sv->val.string.val,
																sv->val.string.len));
		}
		if (params->type != jbvBinary || !JsonContainerIsArray(params->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: params is not a JSON array", where),
				 errhint("A variant is {\"weight\": 1, \"statements\": [\"SELECT ...\"], \"params\": [...]}.")));
		parse_variant(&op->variants[i],
					  construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT),
					  JsonbValueToJsonb(params), where);
		total += op->variants[i].weight;
		op->cumulative[i] = total;
	}
	if (!(total > 0) || isinf(total))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\": %s", op->name,
						isinf(total) ? "the sum of the variants' weights is not a finite number" :
						"no variant has a positive weight"),
				 errhint("Give each variant a weight of 0 or more, at least one positive, their sum finite.")));
}

/*
 * Parse a definition (no statement is looked at yet).  Allocates in the
 * current memory context, which must live as long as the operation.
 */
WorkloadOperation *
workload_parse(const OperationDefinition *def)
{
	WorkloadOperation *op = palloc0(sizeof(WorkloadOperation));

	op->name = pstrdup(def->name);
	if (strcmp(def->kind, "read") == 0)
		op->is_read = true;
	else if (strcmp(def->kind, "write") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\": unknown kind \"%s\"", def->name, def->kind),
				 errhint("An operation's kind is 'read' (its statements only read) or 'write'.")));
	if (def->variants != NULL)
	{
		if (def->statements != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("operation \"%s\" has both statements and variants", def->name),
					 errhint("Give statements and params, or variants (each with its statements and params), not both.")));
		parse_variants(op, DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															  CStringGetDatum(def->variants))));
		return op;
	}
	if (def->statements == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\" has no statements", def->name),
				 errhint("Give the statements to run, in order, in one transaction: ARRAY['SELECT ... WHERE id = $1'].")));
	op->nvariants = 1;
	op->variants = palloc0(sizeof(WorkloadVariant));
	op->cumulative = palloc(sizeof(double));
	op->variants[0].weight = 1;
	op->cumulative[0] = 1;
	parse_variant(&op->variants[0],
				  DatumGetArrayTypeP(OidInputFunctionCall(F_ARRAY_IN, def->statements,
														  TEXTOID, -1)),
				  DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
													 CStringGetDatum(def->params ? def->params : "[]"))),
				  variant_where(op, 0));
	return op;
}

/* Error context: which statement of which operation was being looked at. */
typedef struct StatementSite
{
	const char *where;
	int			number;
	const char *sql;
} StatementSite;

static void
statement_error_context(void *arg)
{
	StatementSite *site = arg;
	int			position = geterrposition();

	/* a position in the statement, not in the query that defined it */
	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(site->sql);
	}
	errcontext("statement %d of %s (statements run with search_path = pg_catalog, pg_temp: tables are named with their schemas)",
			   site->number, site->where);
}

/*
 * Parse and analyse one statement, inferring its parameter types as
 * PREPARE does.  Exactly one statement, and one that runs in an
 * operation's transaction: SELECT, INSERT, UPDATE, DELETE or MERGE.
 */
static Query *
analyze_statement(const WorkloadStatement *stmt, const char *where,
				  Oid **types, int *ntypes)
{
	List	   *raw = raw_parser(stmt->sql, RAW_PARSE_DEFAULT);
	Query	   *query;

	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s: statement %d holds %d SQL commands", where, stmt->number,
						list_length(raw)),
				 errhint("Each element of statements is one command; give several as several elements.")));
	*types = NULL;
	*ntypes = 0;
	query = parse_analyze_varparams(linitial_node(RawStmt, raw), stmt->sql,
									types, ntypes, NULL);
	if (query->commandType == CMD_UTILITY ||
		!(query->commandType == CMD_SELECT || query->commandType == CMD_INSERT ||
		  query->commandType == CMD_UPDATE || query->commandType == CMD_DELETE ||
		  query->commandType == CMD_MERGE))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s: statement %d is not a SELECT, INSERT, UPDATE, DELETE or MERGE",
						where, stmt->number),
				 errhint("An operation's statements run in its own transaction, through kept plans.")));
	return query;
}

/* The type of a column of the statement's result, or InvalidOid. */
static Oid
result_column_type(Query *query, const char *column)
{
	List	   *tlist = query->commandType == CMD_SELECT ? query->targetList :
		query->returningList;
	ListCell   *lc;

	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (!tle->resjunk && tle->resname && strcmp(tle->resname, column) == 0)
			return exprType((Node *) tle->expr);
	}
	return InvalidOid;
}

/* Error context: a choice or constant value that its parameter refuses. */
typedef struct LiteralSite
{
	int			position;
	const char *value;
	Oid			type;
} LiteralSite;

static void
literal_error_context(void *arg)
{
	LiteralSite *site = arg;

	errcontext("the value \"%s\" of $%d, a parameter of type %s",
			   site->value ? site->value : "null", site->position, format_type_be(site->type));
}

/*
 * How a generator's values go into a parameter of type target.  The
 * values' own type is natural (InvalidOid for choice and constant).
 */
/*
 * Can a value of this type be read from text without running SQL code of
 * any role?  The input functions of base types and enums are built in (C,
 * made by a superuser); a domain's runs its CHECK expressions, and those of
 * arrays of domains, composites and ranges may too.
 */
static bool
type_input_is_inert(Oid type)
{
	Oid			base = getBaseType(type);
	Oid			element = get_element_type(base);
	char		typtype;

	if (OidIsValid(element))
		return get_typtype(element) != TYPTYPE_DOMAIN && type_input_is_inert(element);
	typtype = get_typtype(base);
	return typtype == TYPTYPE_BASE || typtype == TYPTYPE_ENUM;
}

static void
make_binding(ParamBinding *b, const Generator *gen, Oid natural, Oid target,
			 const char *where, int statement, bool checking, MemoryContext cxt)
{
	Oid			base = getBaseType(target);
	Oid			funcid;
	CoercionPathType path;

	b->type = target;
	if (generator_is_literal(gen))
	{
		Oid			input;
		Oid			ioparam;

		/*
		 * Values are read as the parameter's base type (a domain's
		 * constraints are checked where the statement assigns the value).
		 * A definition being made reads them only where that runs no SQL
		 * code: the defining role must not run another role's CHECK
		 * functions; those values are read when a run prepares the
		 * statement, as the run's role.
		 */
		b->kind = CONVERT_LITERAL;
		if (checking && !type_input_is_inert(base))
			return;
		getTypeInputInfo(base, &input, &ioparam);
		b->literals = MemoryContextAlloc(cxt, sizeof(Datum) * gen->nvalues);
		b->literal_nulls = MemoryContextAlloc(cxt, sizeof(bool) * gen->nvalues);
		for (int i = 0; i < gen->nvalues; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);
			LiteralSite site = {gen->position, gen->values[i], target};
			ErrorContextCallback callback = {error_context_stack, literal_error_context, &site};

			error_context_stack = &callback;
			b->literal_nulls[i] = gen->values[i] == NULL;
			b->literals[i] = OidInputFunctionCall(input, gen->values[i], ioparam, -1);
			error_context_stack = callback.previous;
			MemoryContextSwitchTo(old);
		}
		return;
	}
	if (natural == target || natural == base)
	{
		b->kind = CONVERT_NONE;
		return;
	}
	path = find_coercion_pathway(base, natural, COERCION_ASSIGNMENT, &funcid);
	if (path == COERCION_PATH_NONE && TypeCategory(natural) == TYPCATEGORY_STRING)
		path = COERCION_PATH_COERCEVIAIO;
	switch (path)
	{
		case COERCION_PATH_RELABELTYPE:
			b->kind = CONVERT_NONE;
			return;
		case COERCION_PATH_FUNC:
			b->kind = CONVERT_FUNCTION;
			fmgr_info_cxt(funcid, &b->function, cxt);
			b->function_nargs = get_func_nargs(funcid);
			return;
		case COERCION_PATH_COERCEVIAIO:
			{
				Oid			output;
				Oid			input;
				bool		varlena;

				b->kind = CONVERT_IO;
				getTypeOutputInfo(natural, &output, &varlena);
				getTypeInputInfo(target, &input, &b->input_param);
				fmgr_info_cxt(output, &b->output, cxt);
				fmgr_info_cxt(input, &b->input, cxt);
				return;
			}
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: $%d is of type %s in statement %d, but its %s generator gives %s",
							where, gen->position, format_type_be(target), statement,
							generator_kind_name(gen->kind), format_type_be(natural)),
					 errhint("Draw $%d with a generator of %s values (choice and constant values take the parameter's type), or convert it in the statement.",
							 gen->position, format_type_be(target))));
	}
}

/*
 * The type of a column (or page) generator's values, from the catalog,
 * checking that the column exists, that the role may read it, and that a
 * prefix is taken of text.
 */
Oid
workload_generator_type(const Generator *gen, const char *where)
{
	Oid			nsp = get_namespace_oid(gen->schema_name, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(gen->table_name, nsp) : InvalidOid;
	AttrNumber	attnum;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("%s: the generator of $%d draws from %s.%s, which does not exist",
						where, gen->position, gen->schema_name, gen->table_name),
				 errhint("Create the table first, or name it with its schema as it is.")));
	if (gen->kind == GEN_PAGE)
	{
		if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s: the generator of $%d counts the rows of %s.%s, which role %s may not read",
							where, gen->position, gen->schema_name, gen->table_name,
							GetUserNameFromId(GetUserId(), false)),
				 errhint("GRANT SELECT on the table to the role first.")));
		return INT8OID;
	}
	attnum = get_attnum(relid, gen->column_name);
	if (attnum == InvalidAttrNumber || attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s: the generator of $%d draws from %s.%s.%s, which does not exist",
						where, gen->position, gen->schema_name, gen->table_name,
						gen->column_name),
				 errhint("Name a column of the table.")));
	if (pg_attribute_aclcheck(relid, attnum, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s: the generator of $%d draws from %s.%s.%s, which role %s may not read",
						where, gen->position, gen->schema_name, gen->table_name,
						gen->column_name, GetUserNameFromId(GetUserId(), false)),
				 errhint("No role may draw values from a table it cannot read: GRANT SELECT on it first.")));
	if (gen->prefix_max > 0)
	{
		if (TypeCategory(get_atttype(relid, attnum)) != TYPCATEGORY_STRING)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: the generator of $%d takes prefixes of %s.%s.%s, which is not text",
							where, gen->position, gen->schema_name, gen->table_name,
							gen->column_name),
				 errhint("Leave prefix_length_min and prefix_length_max out, or draw from a text column.")));
		return TEXTOID;
	}
	if (gen->distinct &&
		!OidIsValid(lookup_type_cache(get_atttype(relid, attnum), TYPECACHE_EQ_OPR)->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("%s: the generator of $%d draws distinct values of %s.%s.%s, whose type %s has no equality",
						where, gen->position, gen->schema_name, gen->table_name,
						gen->column_name, format_type_be(get_atttype(relid, attnum))),
				 errhint("Leave \"distinct\" out.")));
	return get_atttype(relid, attnum);
}

/*
 * Prepare one statement of a variant: infer its parameter types, bind
 * each generator to its parameter, and keep a plan with those types.
 * checking: called for a definition being made (privileges, read-only
 * and the use of every parameter are checked too, and no plan is kept).
 */
static void
prepare_statement(WorkloadOperation *op, WorkloadVariant *v,
				  WorkloadStatement *stmt, bool checking, Oid *value_types,
				  MemoryContext cxt)
{
	char	   *where = variant_where(op, (int) (v - op->variants));
	StatementSite site = {where, stmt->number, stmt->sql};
	ErrorContextCallback callback = {error_context_stack, statement_error_context, &site};
	Oid		   *types;
	int			ntypes;
	Query	   *query;
	Oid		   *fixed;

	error_context_stack = &callback;
	query = analyze_statement(stmt, where, &types, &ntypes);
	if (ntypes > v->ngenerators)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_PARAMETER),
				 errmsg("%s: statement %d uses $%d, but params has %d generator%s",
						where, stmt->number, ntypes, v->ngenerators,
						v->ngenerators == 1 ? "" : "s"),
				 errhint("params gives one generator per parameter: element k of the array for $k.")));
	if (checking && op->is_read &&
		(query->commandType != CMD_SELECT || query->hasModifyingCTE ||
		 query->rowMarks != NIL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is a read operation, but statement %d writes or locks rows",
						where, stmt->number),
				 errhint("Define it with kind => 'write'.")));
	if (checking)
		(void) ExecCheckRTPerms(query->rtable, true);

	stmt->bindings = MemoryContextAllocZero(cxt, sizeof(ParamBinding) * Max(v->ngenerators, 1));
	fixed = MemoryContextAllocZero(cxt, sizeof(Oid) * Max(v->ngenerators, 1));
	for (int g = 0; g < v->ngenerators; g++)
	{
		Generator  *gen = &v->generators[g];
		Oid			target = g < ntypes ? types[g] : InvalidOid;

		if (!OidIsValid(target))
		{
			stmt->bindings[g].kind = CONVERT_UNUSED;
			fixed[g] = TEXTOID;
			continue;
		}
		if (target == UNKNOWNOID)
			target = TEXTOID;
		if (gen->kind == GEN_RESULT && gen->statement >= stmt->number)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: statement %d uses $%d, the result of statement %d, which does not come before it",
							where, stmt->number, g + 1, gen->statement),
				 errhint("A result generator feeds only the statements after the one it takes its value from.")));
		if (!generator_is_literal(gen) && !OidIsValid(value_types[g]))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("%s: the type of $%d is not known", where, g + 1),
				 errhint("Cast the parameter in the statement ($n::type).")));
		make_binding(&stmt->bindings[g], gen, value_types[g], target, where,
					 stmt->number, checking, cxt);

		/*
		 * A domain's parameter is passed as its base type, so that the
		 * statement checks the domain's constraints where the value is
		 * assigned (the executor trusts a parameter of the domain itself).
		 */
		fixed[g] = getBaseType(target);
	}

	/* the columns of this statement's result that later statements use */
	stmt->captures = MemoryContextAllocZero(cxt, sizeof(ResultCapture) * Max(v->ngenerators, 1));
	stmt->ncaptures = 0;
	for (int g = 0; g < v->ngenerators; g++)
	{
		Generator  *gen = &v->generators[g];
		Oid			type;

		if (gen->kind != GEN_RESULT || gen->statement != stmt->number)
			continue;
		type = result_column_type(query, gen->result_column);
		if (!OidIsValid(type))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("%s: $%d takes the column \"%s\" of statement %d, which returns no such column",
							where, g + 1, gen->result_column, stmt->number),
					 errhint("Name a column of its select list or of its RETURNING clause.")));
		value_types[g] = type;
		stmt->captures[stmt->ncaptures].generator = g;
		stmt->captures[stmt->ncaptures].column = gen->result_column;
		stmt->captures[stmt->ncaptures].type = type;
		stmt->ncaptures++;
	}

	if (!checking)
	{
		SPIPlanPtr	plan = SPI_prepare(stmt->sql, v->ngenerators, fixed);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		stmt->plan = plan;
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			stmt->params = makeParamList(v->ngenerators);
			MemoryContextSwitchTo(old);
		}
		for (int g = 0; g < v->ngenerators; g++)
		{
			stmt->params->params[g].ptype = fixed[g];
			stmt->params->params[g].pflags = PARAM_FLAG_CONST;
		}
		stmt->prepared = true;
	}
	error_context_stack = callback.previous;
}

/* The types of the values of a variant's generators that are known now. */
static Oid *
variant_value_types(WorkloadOperation *op, WorkloadVariant *v, bool checking)
{
	Oid		   *types = palloc0(sizeof(Oid) * Max(v->ngenerators, 1));

	for (int g = 0; g < v->ngenerators; g++)
	{
		Generator  *gen = &v->generators[g];

		if (checking && (gen->kind == GEN_COLUMN || gen->kind == GEN_PAGE))
			types[g] = workload_generator_type(gen, variant_where(op, (int) (v - op->variants)));
		else if (gen->kind != GEN_RESULT)
			types[g] = generator_value_type(gen);
	}
	return types;
}

/*
 * Check a definition as it is made, as the defining role: every statement
 * parses and analyses, its parameters match the generators, every
 * generator is used, read operations only read, and the role may do what
 * the statements do and read what the generators draw from.
 */
void
workload_check(WorkloadOperation *op)
{
	for (int i = 0; i < op->nvariants; i++)
	{
		WorkloadVariant *v = &op->variants[i];
		Oid		   *types = variant_value_types(op, v, true);
		bool	   *used = palloc0(sizeof(bool) * Max(v->ngenerators, 1));

		for (int s = 0; s < v->nstatements; s++)
		{
			prepare_statement(op, v, &v->statements[s], true, types,
							  CurrentMemoryContext);
			for (int g = 0; g < v->ngenerators; g++)
				used[g] |= v->statements[s].bindings[g].kind != CONVERT_UNUSED;
		}
		for (int g = 0; g < v->ngenerators; g++)
			if (!used[g])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: no statement uses $%d, though params gives it a generator",
								variant_where(op, i), g + 1),
						 errhint("params has one generator per parameter, $1 first; remove the ones no statement uses.")));
	}
}

/*
 * Prepare a statement for a run (in a transaction, SPI connected).  The
 * types of earlier statements' results come from preparing them: the
 * statements of a variant are prepared in order.
 */
void
workload_prepare_statement(WorkloadOperation *op, WorkloadVariant *v,
						   WorkloadStatement *stmt)
{
	MemoryContext old;
	Oid		   *types;

	/*
	 * Everything a preparation allocates (bindings, its parse and analysis)
	 * lives in the statement's own context, emptied before each attempt: a
	 * statement that fails to prepare, operation after operation (its table
	 * was dropped), costs no more memory the thousandth time.
	 */
	if (stmt->cxt == NULL)
		stmt->cxt = AllocSetContextCreate(GetMemoryChunkContext(op),
										  "loadtest statement",
										  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(stmt->cxt);
	old = MemoryContextSwitchTo(stmt->cxt);
	types = variant_value_types(op, v, false);

	/* results of earlier statements, as prepared */
	for (int s = 0; s < stmt->number - 1; s++)
	{
		WorkloadStatement *earlier = &v->statements[s];

		if (!earlier->prepared)
			workload_prepare_statement(op, v, earlier);
		for (int c = 0; c < earlier->ncaptures; c++)
			types[earlier->captures[c].generator] = earlier->captures[c].type;
	}
	prepare_statement(op, v, stmt, false, types, stmt->cxt);
	MemoryContextSwitchTo(old);
}

/*
 * Prepare every statement now; the caller catches what fails (a cancel
 * included: the run is stopping).
 */
void
workload_prepare_all(WorkloadOperation *op)
{
	for (int i = 0; i < op->nvariants; i++)
		for (int s = 0; s < op->variants[i].nstatements; s++)
		{
			CHECK_FOR_INTERRUPTS();
			if (!op->variants[i].statements[s].prepared)
				workload_prepare_statement(op, &op->variants[i],
										   &op->variants[i].statements[s]);
		}
}

/*
 * Refuse a run whose operations would cost each worker too much memory:
 * at most RUN_MAX_STATEMENTS statements in all, each with its bindings.
 */
void
workload_check_run_size(WorkloadOperation **ops, int nops)
{
	int64		statements = 0;
	int64		bindings = 0;

	for (int o = 0; o < nops; o++)
		for (int i = 0; i < ops[o]->nvariants; i++)
		{
			statements += ops[o]->variants[i].nstatements;
			bindings += (int64) ops[o]->variants[i].nstatements *
				ops[o]->variants[i].ngenerators;
		}
	if (statements > RUN_MAX_STATEMENTS || bindings > RUN_MAX_BINDINGS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the run's operations have " INT64_FORMAT " statements and " INT64_FORMAT " parameters in all, more than a run may prepare (%d and %d)",
						statements, bindings, RUN_MAX_STATEMENTS, RUN_MAX_BINDINGS),
				 errdetail("Every worker of the run prepares every statement of every operation of the run."),
				 errhint("Use fewer operations, variants or statements in one run.")));
}

/*
 * Choose the variant of the next execution and draw its parameters.
 * Allocates in the current memory context (reset after each operation).
 */
WorkloadVariant *
workload_bind(WorkloadOperation *op, pg_prng_state *rng, const DrawContext *dc)
{
	WorkloadVariant *v = &op->variants[0];

	if (op->nvariants > 1)
	{
		double		u = pg_prng_double(rng) * op->cumulative[op->nvariants - 1];
		int			i = 0;

		while (i < op->nvariants - 1 && u >= op->cumulative[i])
			i++;
		v = &op->variants[i];
	}
	workload_bind_variant(v, rng, dc);
	return v;
}

/* Draw the parameters of one variant. */
void
workload_bind_variant(WorkloadVariant *v, pg_prng_state *rng, const DrawContext *dc)
{
	for (int g = 0; g < v->ngenerators; g++)
		generator_draw(&v->generators[g], rng, dc, &v->drawn[g]);
}

/* The value of parameter g of a statement, converted to its type. */
static void
convert_param(WorkloadStatement *stmt, WorkloadVariant *v, int g)
{
	ParamBinding *b = &stmt->bindings[g];
	GeneratedValue *drawn = &v->drawn[g];
	ParamExternData *param = &stmt->params->params[g];

	if (b->kind == CONVERT_UNUSED || (drawn->isnull && b->kind != CONVERT_LITERAL))
	{
		param->value = (Datum) 0;
		param->isnull = true;
		return;
	}
	param->isnull = false;
	switch (b->kind)
	{
		case CONVERT_NONE:
			param->value = drawn->value;
			break;
		case CONVERT_LITERAL:
			param->value = b->literals[drawn->choice];
			param->isnull = b->literal_nulls[drawn->choice];
			break;
		case CONVERT_FUNCTION:
			param->value = b->function_nargs == 1 ?
				FunctionCall1(&b->function, drawn->value) :
				FunctionCall3(&b->function, drawn->value, Int32GetDatum(-1),
							  BoolGetDatum(false));
			break;
		case CONVERT_IO:
			param->value = InputFunctionCall(&b->input,
											 OutputFunctionCall(&b->output, drawn->value),
											 b->input_param, -1);
			break;
		case CONVERT_UNUSED:
			break;
	}
}

/*
 * Where a statement's result rows go: counted and dropped, but for the
 * first one when later statements take values from it.  An operation's
 * result is not kept (a SELECT of millions of rows costs no memory), as a
 * client that reads and discards the rows.
 */
typedef struct FirstRowReceiver
{
	DestReceiver pub;
	MemoryContext cxt;			/* outlives the statement (the executor's does not) */
	bool		keep_first;
	TupleDesc	desc;			/* of the result, when keep_first */
	HeapTuple	first;			/* the first row, when keep_first */
} FirstRowReceiver;

static bool
first_row_receive(TupleTableSlot *slot, DestReceiver *self)
{
	FirstRowReceiver *r = (FirstRowReceiver *) self;

	if (r->keep_first && r->first == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(r->cxt);

		r->first = ExecCopySlotHeapTuple(slot);
		MemoryContextSwitchTo(old);
	}
	return true;
}

static void
first_row_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	FirstRowReceiver *r = (FirstRowReceiver *) self;

	if (r->keep_first)
	{
		MemoryContext old = MemoryContextSwitchTo(r->cxt);

		r->desc = CreateTupleDescCopy(typeinfo);
		MemoryContextSwitchTo(old);
	}
}

static void
first_row_nothing(DestReceiver *self)
{
}

/*
 * Keep the result columns later statements use (NULL without a row); the
 * row lives in the operation's memory context, as the values drawn.
 */
static void
capture_results(WorkloadStatement *stmt, WorkloadVariant *v,
				const FirstRowReceiver *r)
{
	for (int c = 0; c < stmt->ncaptures; c++)
	{
		ResultCapture *cap = &stmt->captures[c];
		GeneratedValue *drawn = &v->drawn[cap->generator];
		int			fnumber;

		drawn->isnull = true;
		if (r->first == NULL || r->desc == NULL)
			continue;
		fnumber = SPI_fnumber(r->desc, cap->column);
		if (fnumber <= 0 || SPI_gettypeid(r->desc, fnumber) != cap->type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("statement %d no longer returns the column \"%s\" of type %s",
							stmt->number, cap->column, format_type_be(cap->type))));
		drawn->value = heap_getattr(r->first, fnumber, r->desc, &drawn->isnull);
	}
}

/*
 * Run a bound operation's statements, in order.  The caller has started
 * the transaction, connected SPI and pushed a snapshot; errors are raised
 * as usual, and recorded by the worker.
 */
void
workload_execute(WorkloadOperation *op, WorkloadVariant *v)
{
	for (int s = 0; s < v->nstatements; s++)
	{
		WorkloadStatement *stmt = &v->statements[s];
		FirstRowReceiver receiver;
		SPIExecuteOptions options;
		int			rc;

		if (!stmt->prepared)
			workload_prepare_statement(op, v, stmt);
		for (int g = 0; g < v->ngenerators; g++)
			convert_param(stmt, v, g);
		memset(&receiver, 0, sizeof(receiver));
		receiver.pub.receiveSlot = first_row_receive;
		receiver.pub.rStartup = first_row_startup;
		receiver.pub.rShutdown = first_row_nothing;
		receiver.pub.rDestroy = first_row_nothing;
		receiver.pub.mydest = DestNone;
		receiver.keep_first = stmt->ncaptures > 0;
		receiver.cxt = CurrentMemoryContext;	/* SPI's, until the operation ends */
		memset(&options, 0, sizeof(options));
		options.params = stmt->params;
		options.read_only = op->is_read;
		options.dest = (DestReceiver *) &receiver;
		rc = SPI_execute_plan_extended(stmt->plan, &options);
		if (rc < 0)
			elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
		if (stmt->ncaptures > 0)
			capture_results(stmt, v, &receiver);
	}
}

/*
 * The plan of a statement as a run would plan it: EXPLAIN (VERBOSE, FORMAT
 * JSON) with the values drawn for its variant (workload_bind_variant), as
 * constants the planner may use; or, generic, with every parameter unknown
 * to the planner (the generic plan of a prepared statement).  A parameter
 * taken from an earlier statement's result, which only running them would
 * give, is always left unknown.  The relations the statement
 * depends on (tables, and those under views) are added to *relations.  In
 * a transaction, SPI connected; the caller catches errors.
 */
char *
workload_explain(WorkloadOperation *op, WorkloadVariant *v,
				 WorkloadStatement *stmt, bool generic, List **relations)
{
	StringInfoData sql;
	Oid		   *types;
	SPIPlanPtr	plan;
	SPIExecuteOptions options;
	List	   *sources;
	ListCell   *lc;
	char	   *result;
	int			rc;

	if (!stmt->prepared)
		workload_prepare_statement(op, v, stmt);
	types = palloc(sizeof(Oid) * Max(v->ngenerators, 1));
	for (int g = 0; g < v->ngenerators; g++)
	{
		bool		unknown = generic || v->generators[g].kind == GEN_RESULT;

		if (unknown)
		{
			stmt->params->params[g].value = (Datum) 0;
			stmt->params->params[g].isnull = true;
		}
		else
			convert_param(stmt, v, g);
		stmt->params->params[g].pflags = unknown ? 0 : PARAM_FLAG_CONST;
		types[g] = stmt->params->params[g].ptype;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "EXPLAIN (VERBOSE, FORMAT JSON) %s", stmt->sql);
	plan = SPI_prepare(sql.data, v->ngenerators, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	memset(&options, 0, sizeof(options));
	options.params = stmt->params;
	rc = SPI_execute_plan_extended(plan, &options);
	for (int g = 0; g < v->ngenerators; g++)
		stmt->params->params[g].pflags = PARAM_FLAG_CONST;
	if (rc < 0 || SPI_processed != 1 || SPI_tuptable == NULL)
		elog(ERROR, "EXPLAIN of statement %d failed: %s", stmt->number,
			 SPI_result_code_string(rc));
	result = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SPI_freeplan(plan);

	sources = SPI_plan_get_plan_sources(stmt->plan);
	foreach(lc, sources)
	{
		CachedPlanSource *source = (CachedPlanSource *) lfirst(lc);

		*relations = list_concat_unique_oid(*relations, source->relationOids);
	}
	return result;
}
