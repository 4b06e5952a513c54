/*-------------------------------------------------------------------------
 *
 * catalogue.c
 *	  loadtest_define_operation, loadtest_define_pattern and their drops:
 *	  the SQL interface of the workload catalogue (loadtest.operations and
 *	  loadtest.patterns).
 *
 * A definition is checked as the defining role before anything is stored
 * (workload.c prepares every statement as the role, as a run will), then
 * written as the owner of the catalogue: no role writes the catalogue
 * directly, so every row of it was checked, and a role replaces or drops
 * only its own definitions (a superuser any but the built-ins).
 * Operation and pattern names share one namespace: pattern => 'x' of
 * loadtest_run names either.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/jsonb.h"

#include "patterns.h"
#include "spi_args.h"
#include "trust.h"
#include "value_sets.h"
#include "workload.h"

PG_FUNCTION_INFO_V1(loadtest_define_operation);
PG_FUNCTION_INFO_V1(loadtest_define_pattern);
PG_FUNCTION_INFO_V1(loadtest_drop_operation);
PG_FUNCTION_INFO_V1(loadtest_drop_pattern);
PG_FUNCTION_INFO_V1(loadtest_preview_generator);

/* What a name is in the catalogue. */
typedef enum CatalogueEntry
{
	ENTRY_NONE,
	ENTRY_OPERATION,
	ENTRY_PATTERN
} CatalogueEntry;

/*
 * Who calls, captured before the switch to the catalogue's owner: the
 * checks of ownership are about the caller, never about the owner.
 */
typedef struct Caller
{
	Oid			id;
	const char *name;
	bool		superuser;
} Caller;

static Caller
current_caller(void)
{
	Caller		caller;

	caller.id = GetUserId();
	caller.name = GetUserNameFromId(GetUserId(), false);
	caller.superuser = superuser();
	return caller;
}

typedef struct ExistingEntry
{
	CatalogueEntry what;
	bool		builtin;
	char	   *owner;
	Oid			owner_id;		/* ownership is by role, not by name */
} ExistingEntry;

static char *
required_text(FunctionCallInfo fcinfo, int arg, const char *name)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(arg));
}

/*
 * A name users type as pattern => '...': lower-case letters, digits and
 * underscores, starting with a letter or an underscore, shorter than
 * NAMEDATALEN.
 */
static void
check_name(const char *name, const char *what)
{
	size_t		len = strlen(name);
	bool		ok = len > 0 && len < NAMEDATALEN &&
		((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');

	for (size_t i = 1; ok && i < len; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
			name[i] == '_';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid %s name \"%s\"", what, name),
				 errdetail("A name is a lower-case identifier shorter than %d bytes: letters a-z, digits and underscores, not starting with a digit.",
						   NAMEDATALEN),
				 errhint("For example \"order_lookup\".")));
	if (strcmp(name, "single_operation") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("the name \"single_operation\" is reserved"),
				 errdetail("Runs of one operation record their users' pattern as single_operation."),
				 errhint("Choose another name.")));
}

/* What the catalogue holds under name. */
static ExistingEntry
find_entry(const char *name)
{
	ExistingEntry entry = {ENTRY_NONE, false, NULL, InvalidOid};
	SpiArgs		args = SPI_ARGS_INIT;

	spi_arg_text(&args, name);
	if (spi_execute("SELECT 'operation', builtin, owner::pg_catalog.text, owner_id::pg_catalog.oid FROM loadtest.operations"
					" WHERE operation OPERATOR(pg_catalog.=) $1"
					" UNION ALL"
					" SELECT 'pattern', builtin, owner::pg_catalog.text, owner_id::pg_catalog.oid FROM loadtest.patterns"
					" WHERE pattern OPERATOR(pg_catalog.=) $1", &args, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the workload catalogue");
	if (SPI_processed > 0)
	{
		bool		isnull;
		char	   *what = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		entry.what = strcmp(what, "operation") == 0 ? ENTRY_OPERATION : ENTRY_PATTERN;
		entry.builtin = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 2, &isnull));
		entry.owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		entry.owner_id = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 4, &isnull));
	}
	return entry;
}

/*
 * May the caller define (replace) or drop the entry of that name as what?
 * Raises the error that says why not.
 */
static void
check_may_change(const char *name, const ExistingEntry *entry,
				 CatalogueEntry what, bool replace, bool dropping,
				 const Caller *caller)
{
	const char *kind = what == ENTRY_OPERATION ? "operation" : "pattern";

	if (entry->what == ENTRY_NONE)
	{
		if (dropping)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("load test %s \"%s\" does not exist", kind, name),
					 errhint("SELECT %s FROM loadtest.%ss; lists them.", kind, kind)));
		return;
	}
	if (entry->what != what)
		ereport(ERROR,
				(errcode(dropping ? ERRCODE_WRONG_OBJECT_TYPE : ERRCODE_DUPLICATE_OBJECT),
				 errmsg("\"%s\" is a load test %s", name,
						entry->what == ENTRY_OPERATION ? "operation" : "pattern"),
				 errdetail("Operations and patterns share one set of names: pattern => '%s' of loadtest_run names one of them.", name),
				 dropping ?
				 errhint("Use loadtest_drop_%s('%s').",
						 entry->what == ENTRY_OPERATION ? "operation" : "pattern", name) :
				 errhint("Choose another name.")));
	if (entry->builtin)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("\"%s\" is a built-in %s of loadtest", name, kind),
				 errdetail("Built-in %ss cannot be %s.", kind, dropping ? "dropped" : "replaced"),
				 dropping ? 0 : errhint("Define one of your own under another name.")));
	if (!dropping && !replace)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("load test %s \"%s\" already exists", kind, name),
				 errhint("Pass replace => true to replace it.")));
	if (entry->owner_id != caller->id && !caller->superuser)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("load test %s \"%s\" belongs to role %s", kind, name, entry->owner),
				 errdetail("A role %s only its own definitions.", dropping ? "drops" : "replaces"),
				 errhint("Ask %s, or a superuser.", entry->owner)));
}

/*
 * Refuse a name the caller may not define before its definition is
 * checked (a built-in's, another kind's, another role's): the caller
 * learns first what matters most.  Checked again, under the catalogue's
 * lock, when the definition is written.
 */
static void
precheck_name(const char *name, CatalogueEntry what, bool replace,
			  const Caller *caller)
{
	int			guc_level = trust_pin_search_path_local();
	ExistingEntry entry;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	entry = find_entry(name);
	check_may_change(name, &entry, what, replace, false, caller);
	SPI_finish();
	AtEOXact_GUC(true, guc_level);
}

/*
 * The catalogue's checks read it as it is now (a name is an operation or a
 * pattern, a pattern a mix uses keeps its weights): not through a snapshot
 * taken when a REPEATABLE READ or SERIALIZABLE transaction began.
 */
static void
refuse_snapshot_isolation(const char *function)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s cannot run in a REPEATABLE READ or SERIALIZABLE transaction", function),
				 errdetail("It checks the workload catalogue as it is, not as the transaction's snapshot saw it."),
				 errhint("Call it in a READ COMMITTED transaction.")));
}

/* Run fn(arg) with SPI connected and the catalogue's owner's rights. */
typedef void (*CatalogueWriter) (void *arg);

static void
as_catalogue_owner(CatalogueWriter fn, void *arg)
{
	ResultsWriter writer;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* (which pins search_path too) */
	trust_become_results_owner(&writer);
	/* one definition at a time: a name is an operation or a pattern */
	if (SPI_execute("LOCK TABLE loadtest.operations, loadtest.patterns IN SHARE ROW EXCLUSIVE MODE",
					false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not lock the workload catalogue");
	fn(arg);
	trust_restore_user(&writer);
	SPI_finish();
}

typedef struct OperationWrite
{
	Caller		caller;
	OperationDefinition def;
	const char *description;
	const char *owner;
	bool		replace;
} OperationWrite;

static void
write_operation(void *arg)
{
	OperationWrite *w = arg;
	ExistingEntry entry = find_entry(w->def.name);
	SpiArgs		args = SPI_ARGS_INIT;

	check_may_change(w->def.name, &entry, ENTRY_OPERATION, w->replace, false, &w->caller);
	spi_arg_text(&args, w->def.name);
	spi_arg_text(&args, w->def.kind);
	spi_arg_text(&args, w->def.statements);
	spi_arg_text(&args, w->def.params);
	spi_arg_text(&args, w->def.variants);
	spi_arg_text(&args, w->description);
	spi_arg_text(&args, w->owner);
	spi_arg(&args, OIDOID, ObjectIdGetDatum(w->caller.id));	/* owner_id */
	if (spi_execute(entry.what == ENTRY_NONE ?
					"INSERT INTO loadtest.operations (operation, kind, statements, params,"
					" variants, description, owner, owner_id, builtin)"
					" VALUES ($1, $2, $3::pg_catalog.text[], $4::pg_catalog.jsonb,"
					" $5::pg_catalog.jsonb, $6, $7::pg_catalog.name, $8::pg_catalog.regrole, false)" :
					"UPDATE loadtest.operations SET kind = $2, statements = $3::pg_catalog.text[],"
					" params = $4::pg_catalog.jsonb, variants = $5::pg_catalog.jsonb,"
					" description = $6, owner = $7::pg_catalog.name, owner_id = $8::pg_catalog.regrole,"
					" defined_at = pg_catalog.now()"
					" WHERE operation OPERATOR(pg_catalog.=) $1",
					&args, false, 0) < 0 || SPI_processed != 1)
		elog(ERROR, "could not write load test operation \"%s\"", w->def.name);
}

static char *
optional_output(FunctionCallInfo fcinfo, int arg, Oid type)
{
	Oid			output;
	bool		varlena;

	if (PG_ARGISNULL(arg))
		return NULL;
	getTypeOutputInfo(type, &output, &varlena);
	return OidOutputFunctionCall(output, PG_GETARG_DATUM(arg));
}

/*
 * loadtest_define_operation(name, kind, statements, params, description,
 * replace, variants): check the definition as the caller and store it.
 */
Datum
loadtest_define_operation(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {TEXTOID, TEXTOID, TEXTARRAYOID, JSONBOID,
	TEXTOID, BOOLOID, JSONBOID};
	OperationWrite w;
	WorkloadOperation *op;

	check_signature(fcinfo, signature, lengthof(signature), VOIDOID,
					"loadtest_define_operation");
	refuse_snapshot_isolation("loadtest_define_operation");
	memset(&w, 0, sizeof(w));
	w.def.name = required_text(fcinfo, 0, "name");
	w.def.kind = required_text(fcinfo, 1, "kind");
	check_name(w.def.name, "operation");
	if (strcmp(w.def.kind, "read") != 0 && strcmp(w.def.kind, "write") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\": kind must be 'read' or 'write', not '%s'",
						w.def.name, w.def.kind),
				 errhint("A read operation's statements only read (they run read-only); any other is a write.")));
	w.def.statements = optional_output(fcinfo, 2, TEXTARRAYOID);
	w.def.variants = optional_output(fcinfo, 6, JSONBOID);
	w.def.params = w.def.variants ? NULL : optional_output(fcinfo, 3, JSONBOID);
	if (w.def.variants && !PG_ARGISNULL(3) &&
		strcmp(optional_output(fcinfo, 3, JSONBOID), "[]") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operation \"%s\" has both params and variants", w.def.name),
				 errhint("With variants, each variant has its own statements and params.")));
	if (w.def.variants == NULL && w.def.params == NULL)
		w.def.params = "[]";
	w.description = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	w.replace = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
	w.caller = current_caller();
	w.owner = w.caller.name;
	precheck_name(w.def.name, ENTRY_OPERATION, w.replace, &w.caller);

	/* checked as the caller, as a run will prepare it */
	op = workload_parse(&w.def);
	workload_check(op);

	as_catalogue_owner(write_operation, &w);
	PG_RETURN_VOID();
}

typedef struct PatternWrite
{
	Caller		caller;
	const char *name;
	const char *weights;
	const char *mix;
	Jsonb	   *weights_jsonb;
	Jsonb	   *mix_jsonb;
	const char *description;
	const char *owner;
	bool		replace;
} PatternWrite;

/*
 * A pattern that a mix shares users with must keep its weights: a mix's
 * members are patterns with weights, never mixes.
 */
static void
refuse_mixed_member(const char *name)
{
	SpiArgs		args = SPI_ARGS_INIT;
	char	   *mixes;

	spi_arg_text(&args, name);
	if (spi_execute("SELECT pg_catalog.string_agg(pattern, ', ' ORDER BY pattern) FROM loadtest.patterns"
					" WHERE mix OPERATOR(pg_catalog.?) $1", &args, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read loadtest.patterns");
	mixes = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (mixes != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pattern \"%s\" is mixed by the patterns %s, so it cannot become a mix", name, mixes),
				 errdetail("A mix shares users among patterns with weights."),
				 errhint("Define the mix under another name.")));
}

static void
write_pattern(void *arg)
{
	PatternWrite *w = arg;
	ExistingEntry entry = find_entry(w->name);
	SpiArgs		args = SPI_ARGS_INIT;

	check_may_change(w->name, &entry, ENTRY_PATTERN, w->replace, false, &w->caller);
	patterns_check_definition(w->name, w->weights_jsonb, w->mix_jsonb);
	if (w->mix != NULL)
		refuse_mixed_member(w->name);
	spi_arg_text(&args, w->name);
	spi_arg_text(&args, w->weights);
	spi_arg_text(&args, w->mix);
	spi_arg_text(&args, w->description);
	spi_arg_text(&args, w->owner);
	spi_arg(&args, OIDOID, ObjectIdGetDatum(w->caller.id));	/* owner_id */
	if (spi_execute(entry.what == ENTRY_NONE ?
					"INSERT INTO loadtest.patterns (pattern, weights, mix, description, owner, owner_id, builtin)"
					" VALUES ($1, $2::pg_catalog.jsonb, $3::pg_catalog.jsonb, $4,"
					" $5::pg_catalog.name, $6::pg_catalog.regrole, false)" :
					"UPDATE loadtest.patterns SET weights = $2::pg_catalog.jsonb,"
					" mix = $3::pg_catalog.jsonb, description = $4, owner = $5::pg_catalog.name,"
					" owner_id = $6::pg_catalog.regrole,"
					" defined_at = pg_catalog.now()"
					" WHERE pattern OPERATOR(pg_catalog.=) $1",
					&args, false, 0) < 0 || SPI_processed != 1)
		elog(ERROR, "could not write load test pattern \"%s\"", w->name);
}

/*
 * loadtest_define_pattern(name, weights, mix, description, replace):
 * operations by weight, or a mix of patterns by share of users.
 */
Datum
loadtest_define_pattern(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {TEXTOID, JSONBOID, JSONBOID, TEXTOID, BOOLOID};
	PatternWrite w;

	check_signature(fcinfo, signature, lengthof(signature), VOIDOID,
					"loadtest_define_pattern");
	refuse_snapshot_isolation("loadtest_define_pattern");
	memset(&w, 0, sizeof(w));
	w.name = required_text(fcinfo, 0, "name");
	check_name(w.name, "pattern");
	if (PG_ARGISNULL(1) == PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pattern \"%s\" needs weights or mix, and not both", w.name),
				 errhint("weights => '{\"order_lookup\": 80, \"order_create\": 20}' picks operations by weight; mix => '{\"shop\": 50, \"read_heavy\": 50}' shares users among patterns.")));
	w.weights = optional_output(fcinfo, 1, JSONBOID);
	w.mix = optional_output(fcinfo, 2, JSONBOID);
	w.description = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	w.replace = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	w.caller = current_caller();
	w.owner = w.caller.name;
	precheck_name(w.name, ENTRY_PATTERN, w.replace, &w.caller);

	/*
	 * Every operation or pattern it names exists, and the weights hold:
	 * checked as it is written, under the catalogue's lock, so that no
	 * drop or redefinition made meanwhile slips through.
	 */
	w.weights_jsonb = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	w.mix_jsonb = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	as_catalogue_owner(write_pattern, &w);
	PG_RETURN_VOID();
}

typedef struct EntryDrop
{
	Caller		caller;
	const char *name;
	CatalogueEntry what;
} EntryDrop;

static void
drop_entry(void *arg)
{
	EntryDrop  *d = arg;
	ExistingEntry entry = find_entry(d->name);
	SpiArgs		args = SPI_ARGS_INIT;
	char	   *users;

	check_may_change(d->name, &entry, d->what, false, true, &d->caller);
	spi_arg_text(&args, d->name);

	/* the patterns that name it would be left naming nothing */
	if (spi_execute(d->what == ENTRY_OPERATION ?
					"SELECT pg_catalog.string_agg(pattern, ', ' ORDER BY pattern) FROM loadtest.patterns"
					" WHERE weights OPERATOR(pg_catalog.?) $1" :
					"SELECT pg_catalog.string_agg(pattern, ', ' ORDER BY pattern) FROM loadtest.patterns"
					" WHERE mix OPERATOR(pg_catalog.?) $1",
					&args, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the workload catalogue");
	users = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (users != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("load test %s \"%s\" is used by the patterns %s",
						d->what == ENTRY_OPERATION ? "operation" : "pattern", d->name, users),
				 errhint("Drop or redefine those patterns first.")));
	if (spi_execute(d->what == ENTRY_OPERATION ?
					"DELETE FROM loadtest.operations WHERE operation OPERATOR(pg_catalog.=) $1" :
					"DELETE FROM loadtest.patterns WHERE pattern OPERATOR(pg_catalog.=) $1",
					&args, false, 0) != SPI_OK_DELETE || SPI_processed != 1)
		elog(ERROR, "could not drop \"%s\"", d->name);
}

static void
drop_named(FunctionCallInfo fcinfo, CatalogueEntry what, const char *function)
{
	static const Oid signature[] = {TEXTOID};
	EntryDrop	d;

	check_signature(fcinfo, signature, 1, VOIDOID, function);
	refuse_snapshot_isolation(function);
	d.name = required_text(fcinfo, 0, "name");
	d.what = what;
	d.caller = current_caller();
	as_catalogue_owner(drop_entry, &d);
}

/* loadtest_drop_operation(name): runs already made keep their copy. */
Datum
loadtest_drop_operation(PG_FUNCTION_ARGS)
{
	drop_named(fcinfo, ENTRY_OPERATION, "loadtest_drop_operation");
	PG_RETURN_VOID();
}

/* loadtest_drop_pattern(name) */
Datum
loadtest_drop_pattern(PG_FUNCTION_ARGS)
{
	drop_named(fcinfo, ENTRY_PATTERN, "loadtest_drop_pattern");
	PG_RETURN_VOID();
}

/*
 * loadtest_preview_generator(generator jsonb, draws integer, seed bigint)
 * RETURNS SETOF text: values a generator would draw, as text, without
 * running anything; column and page generators read their table as the
 * caller, as a run would.
 */
Datum
loadtest_preview_generator(PG_FUNCTION_ARGS)
{
	static const Oid signature[] = {JSONBOID, INT4OID, INT8OID};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	WorkloadOperation op;
	WorkloadVariant variant;
	Generator  *gen;
	int			ngenerators;
	int32		draws;
	pg_prng_state rng;
	pg_atomic_uint64 unique_next;
	DrawContext dc;
	char	   *params;

	check_signature(fcinfo, signature, lengthof(signature), TEXTOID,
					"loadtest_preview_generator");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("generator, draws and seed must not be NULL")));
	draws = PG_GETARG_INT32(1);
	if (draws < 0 || draws > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("draws must be between 0 and 1000000, not %d", draws)));
	params = psprintf("[%s]", optional_output(fcinfo, 0, JSONBOID));
	gen = generators_parse(DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(params))),
						   "preview", &ngenerators);
	if (gen->kind == GEN_RESULT)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a result generator takes its values from an earlier statement of its operation"),
				 errhint("Preview the generators that feed that statement instead.")));

	memset(&op, 0, sizeof(op));
	memset(&variant, 0, sizeof(variant));
	op.name = "preview";
	op.nvariants = 1;
	op.variants = &variant;
	variant.ngenerators = 1;
	variant.generators = gen;
	if (gen->kind == GEN_COLUMN || gen->kind == GEN_PAGE)
	{
		WorkloadOperation *ops[1] = {&op};
		char	   *buffer;
		Size		size;
		MemoryContext caller_context = CurrentMemoryContext;
		int			guc_level = trust_pin_search_path_local();

		(void) workload_generator_type(gen, "preview");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		size = value_sets_gather(ops, 1, (uint64) PG_GETARG_INT64(2), 0, &buffer);
		/* the buffer is SPI's: keep a copy past SPI_finish */
		buffer = memcpy(MemoryContextAlloc(caller_context, size), buffer, size);
		SPI_finish();
		AtEOXact_GUC(true, guc_level);
		value_sets_attach(ops, 1, buffer, size);
	}

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	pg_prng_seed(&rng, (uint64) PG_GETARG_INT64(2));
	pg_atomic_init_u64(&unique_next, 0);
	dc.run_id = 0;
	dc.unique_next = &unique_next;
	{
		Oid			type = generator_value_type(gen);
		Oid			output = InvalidOid;
		bool		varlena;
		MemoryContext draw_context = AllocSetContextCreate(CurrentMemoryContext,
														   "loadtest preview draw",
														   ALLOCSET_DEFAULT_SIZES);

		if (OidIsValid(type))
			getTypeOutputInfo(type, &output, &varlena);

		for (int i = 0; i < draws; i++)
		{
			GeneratedValue value;
			Datum		result = (Datum) 0;
			bool		isnull;
			MemoryContext old;

			/* each draw's memory goes once the tuplestore has its copy */
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(draw_context);
			old = MemoryContextSwitchTo(draw_context);
			generator_draw(gen, &rng, &dc, &value);
			isnull = generator_is_literal(gen) ? gen->values[value.choice] == NULL : value.isnull;
			if (!isnull)
				result = CStringGetTextDatum(generator_is_literal(gen) ?
											 gen->values[value.choice] :
											 OidOutputFunctionCall(output, value.value));
			MemoryContextSwitchTo(old);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &result, &isnull);
		}
		MemoryContextDelete(draw_context);
	}
	return (Datum) 0;
}
