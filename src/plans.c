/*-------------------------------------------------------------------------
 *
 * plans.c
 *	  Capturing the plans of a run's statements when it starts.
 *
 * The recorder explains every statement of every variant of every
 * operation once with drawn values and once generic (see
 * workload_explain), as the calling role, in a read-only transaction (EXPLAIN
 * without ANALYZE runs nothing; functions the planner may evaluate cannot
 * write either), each statement in a subtransaction of its own so that
 * one that fails is recorded with its error and the others go on.  The
 * parameters are drawn by the operation's own generators from the run's
 * seed.  The plans and the relations the statements depend on (for
 * loadtest.run_table_stats) are kept in the recorder's memory until the
 * run's row exists.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "plans.h"
#include "sample_writer.h"
#include "spi_args.h"

typedef struct CapturedPlan
{
	int			operation;
	int			variant_no;		/* from 1 */
	int			statement_no;	/* from 1 */
	char	   *plan;			/* JSON text, or NULL */
	char	   *generic_plan;	/* JSON text, or NULL */
	char	   *error;			/* why it could not be explained */
} CapturedPlan;

static CapturedPlan *captured;
static int	ncaptured;
static Oid *relations;
static int	nrelations;

/*
 * Explain one statement in a subtransaction; on error keep the message.
 * The values are drawn in the caller's memory context, which outlives the
 * subtransaction.
 */
static void
plans_explain_one(WorkloadOperation *op, WorkloadVariant *v, WorkloadStatement *stmt,
				  CapturedPlan *into, List **rels)
{
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		char	   *plan = workload_explain(op, v, stmt, false, rels);
		char	   *generic_plan = workload_explain(op, v, stmt, true, rels);

		into->plan = MemoryContextStrdup(TopMemoryContext, plan);
		into->generic_plan = MemoryContextStrdup(TopMemoryContext, generic_plan);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		/* a stop of the run cancels the capture: say so, do not go on */
		if (error->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(error);
		into->error = MemoryContextStrdup(TopMemoryContext, error->message);
	}
	PG_END_TRY();
}

/*
 * Explain every statement of the run's operations (ops have their values
 * attached).  In a transaction, SPI connected, as the calling role.
 */
void
plans_capture(RunState *run, WorkloadOperation **ops, int nops)
{
	pg_prng_state rng;
	DrawContext dc;
	List	   *rels = NIL;
	int			n = 0;
	int			i = 0;
	ListCell   *lc;

	/* nothing a plan's capture evaluates may write */
	XactReadOnly = true;
	pg_prng_seed(&rng, run->seed ^ UINT64CONST(0x706c616e73));
	memset(&dc, 0, sizeof(dc));
	dc.run_id = 0;
	dc.unique_next = &run->unique_next;
	for (int o = 0; o < nops; o++)
		for (int v = 0; v < ops[o]->nvariants; v++)
			n += ops[o]->variants[v].nstatements;
	captured = MemoryContextAllocZero(TopMemoryContext, sizeof(CapturedPlan) * Max(n, 1));
	for (int o = 0; o < nops; o++)
		for (int v = 0; v < ops[o]->nvariants; v++)
		{
			WorkloadVariant *variant = &ops[o]->variants[v];

			workload_bind_variant(variant, &rng, &dc);
			for (int s = 0; s < variant->nstatements; s++)
			{
				CHECK_FOR_INTERRUPTS();
				captured[i].operation = o;
				captured[i].variant_no = v + 1;
				captured[i].statement_no = s + 1;
				plans_explain_one(ops[o], variant, &variant->statements[s],
								  &captured[i], &rels);
				i++;
			}
		}
	ncaptured = i;
	relations = MemoryContextAllocZero(TopMemoryContext, sizeof(Oid) * Max(list_length(rels), 1));
	nrelations = 0;
	foreach(lc, rels)
		relations[nrelations++] = lfirst_oid(lc);
}

/* The relations the run's statements use. */
Oid *
plans_relations(int *n)
{
	*n = nrelations;
	return relations;
}

/*
 * Keep the plans with the run (as the results' owner), each flagged as
 * changed when the shape of its generic plan (loadtest.plan_shape) differs
 * from that of the same statement in the last earlier run of the same
 * role: the generic plan depends on the schema and its statistics alone,
 * where drawn values could flip the plan between runs of an unchanged
 * database (a random OFFSET, say).
 */
void
plans_keep(RunState *run)
{
	Datum	   *operation;
	Datum	   *variant_no;
	Datum	   *statement_no;
	Datum	   *plan;
	bool	   *plan_null;
	Datum	   *generic_plan;
	Datum	   *error;
	bool	   *error_null;
	SpiArgs		args = SPI_ARGS_INIT;

	if (ncaptured == 0)
		return;
	operation = palloc(sizeof(Datum) * ncaptured);
	variant_no = palloc(sizeof(Datum) * ncaptured);
	statement_no = palloc(sizeof(Datum) * ncaptured);
	plan = palloc(sizeof(Datum) * ncaptured);
	plan_null = palloc(sizeof(bool) * ncaptured);
	generic_plan = palloc(sizeof(Datum) * ncaptured);
	error = palloc(sizeof(Datum) * ncaptured);
	error_null = palloc(sizeof(bool) * ncaptured);
	for (int i = 0; i < ncaptured; i++)
	{
		operation[i] = CStringGetTextDatum(run->patterns.operations[captured[i].operation]);
		variant_no[i] = Int16GetDatum(captured[i].variant_no);
		statement_no[i] = Int16GetDatum(captured[i].statement_no);
		plan_null[i] = captured[i].plan == NULL;
		plan[i] = plan_null[i] ? (Datum) 0 : CStringGetTextDatum(captured[i].plan);
		generic_plan[i] = plan_null[i] ? (Datum) 0 : CStringGetTextDatum(captured[i].generic_plan);
		error_null[i] = captured[i].error == NULL;
		error[i] = error_null[i] ? (Datum) 0 : CStringGetTextDatum(captured[i].error);
	}
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(operation, NULL, ncaptured, TEXTOID)));
	spi_arg(&args, INT2ARRAYOID, PointerGetDatum(datum_array(variant_no, NULL, ncaptured, INT2OID)));
	spi_arg(&args, INT2ARRAYOID, PointerGetDatum(datum_array(statement_no, NULL, ncaptured, INT2OID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(plan, plan_null, ncaptured, TEXTOID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(error, error_null, ncaptured, TEXTOID)));
	spi_arg(&args, TEXTARRAYOID, PointerGetDatum(datum_array(generic_plan, plan_null, ncaptured, TEXTOID)));
	if (spi_execute("INSERT INTO loadtest.run_plans (run_id, operation, variant_no,"
					" statement_no, plan, generic_plan, error, changed)"
					" SELECT $1, p.operation, p.variant_no, p.statement_no,"
					" p.plan::pg_catalog.jsonb, p.generic_plan::pg_catalog.jsonb, p.error,"
					" prev.generic_plan IS NOT NULL AND p.generic_plan IS NOT NULL AND"
					" COALESCE(NOT (s.new OPERATOR(pg_catalog.=) s.old),"
					" (s.new IS NULL) OPERATOR(pg_catalog.<>) (s.old IS NULL))"
					" FROM ROWS FROM (" UNNEST(2) ", " UNNEST(3) ", " UNNEST(4) ", "
					UNNEST(5) ", " UNNEST(6) ", " UNNEST(7) ")"
					" AS p(operation, variant_no, statement_no, plan, error, generic_plan)"
					" LEFT JOIN LATERAL ("
					"   SELECT e.generic_plan FROM loadtest.run_plans e"
					"   JOIN loadtest.runs r ON r.run_id OPERATOR(pg_catalog.=) e.run_id"
					"   WHERE r.role_name OPERATOR(pg_catalog.=) (SELECT x.role_name FROM loadtest.runs x"
					"                                   WHERE x.run_id OPERATOR(pg_catalog.=) $1)"
					"     AND e.run_id OPERATOR(pg_catalog.<) $1"
					"     AND e.operation OPERATOR(pg_catalog.=) p.operation"
					"     AND e.variant_no OPERATOR(pg_catalog.=) p.variant_no"
					"     AND e.statement_no OPERATOR(pg_catalog.=) p.statement_no"
					"     AND e.generic_plan IS NOT NULL"
					"   ORDER BY e.run_id DESC LIMIT 1) prev ON true"
					" CROSS JOIN LATERAL (SELECT"
					"   loadtest.plan_shape(p.generic_plan::pg_catalog.jsonb) AS new,"
					"   loadtest.plan_shape(prev.generic_plan) AS old) s",
					&args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's plans");
}
