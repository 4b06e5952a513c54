/*-------------------------------------------------------------------------
 *
 * workload.h
 *	  The operations of a run, as the generic engine runs them: each one's
 *	  variants (weighted alternative statement lists), their statements
 *	  (kept SPI plans, parameter types inferred when they are prepared) and
 *	  the generators of their parameters.
 *
 * The same code checks a definition when it is made (catalogue.c) and
 * prepares it in every worker of a run (user_worker.c): a definition is
 * run exactly as it was checked.  Definitions come from loadtest.operations
 * (the catalogue) or loadtest.run_operations (a run's own copy).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_WORKLOAD_H
#define LOADTEST_WORKLOAD_H

#include "executor/spi.h"
#include "nodes/params.h"
#include "fmgr.h"
#include "utils/array.h"

#include "generators.h"

/* How a generated value becomes the value of a statement's parameter. */
typedef enum ConversionKind
{
	CONVERT_NONE,				/* same type, or binary-compatible */
	CONVERT_FUNCTION,			/* a cast function */
	CONVERT_IO,					/* output of one type, input of the other */
	CONVERT_LITERAL,			/* choice, constant: converted in advance */
	CONVERT_UNUSED				/* the statement does not use it: NULL */
} ConversionKind;

typedef struct ParamBinding
{
	ConversionKind kind;
	Oid			type;			/* of the statement's parameter */
	FmgrInfo	function;		/* CONVERT_FUNCTION */
	int			function_nargs;
	FmgrInfo	output;			/* CONVERT_IO */
	FmgrInfo	input;
	Oid			input_param;
	Datum	   *literals;		/* CONVERT_LITERAL: one per value */
	bool	   *literal_nulls;
} ParamBinding;

/* A result column a later statement's parameter takes. */
typedef struct ResultCapture
{
	int			generator;		/* index of the result generator */
	const char *column;
	Oid			type;
} ResultCapture;

typedef struct WorkloadStatement
{
	char	   *sql;
	int			number;			/* from 1 */
	bool		prepared;		/* plan and bindings set */
	MemoryContext cxt;			/* what its preparation allocates */
	SPIPlanPtr	plan;
	ParamBinding *bindings;		/* one per generator of the variant */
	ParamListInfo params;		/* per execution: the converted values */
	int			ncaptures;
	ResultCapture *captures;
} WorkloadStatement;

typedef struct WorkloadVariant
{
	double		weight;
	int			nstatements;
	WorkloadStatement *statements;
	int			ngenerators;
	Generator  *generators;
	GeneratedValue *drawn;		/* per execution */
} WorkloadVariant;

typedef struct WorkloadOperation
{
	char	   *name;
	bool		is_read;
	int			nvariants;
	WorkloadVariant *variants;
	double	   *cumulative;		/* of the variants' weights */
} WorkloadOperation;

/* A definition's parts, as text from the catalogue or a run's copy. */
typedef struct OperationDefinition
{
	char	   *name;
	char	   *kind;
	char	   *statements;		/* text[] literal, NULL with variants */
	char	   *params;			/* jsonb text */
	char	   *variants;		/* jsonb text, or NULL */
	bool		builtin;
	char	   *owner;
	char	   *description;
} OperationDefinition;

extern WorkloadOperation *workload_parse(const OperationDefinition *def);
extern void workload_check(WorkloadOperation *op);
extern Oid	workload_generator_type(const Generator *gen, const char *where);
extern void workload_prepare_statement(WorkloadOperation *op,
									   WorkloadVariant *variant,
									   WorkloadStatement *stmt);
extern void workload_prepare_all(WorkloadOperation *op);
extern void workload_check_run_size(WorkloadOperation **ops, int nops);
extern WorkloadVariant *workload_bind(WorkloadOperation *op, pg_prng_state *rng,
									  const DrawContext *dc);
extern void workload_bind_variant(WorkloadVariant *variant, pg_prng_state *rng,
								  const DrawContext *dc);
extern void workload_execute(WorkloadOperation *op, WorkloadVariant *variant);
extern char *workload_explain(WorkloadOperation *op, WorkloadVariant *variant,
							  WorkloadStatement *stmt, bool generic,
							  List **relations);

#endif							/* LOADTEST_WORKLOAD_H */
