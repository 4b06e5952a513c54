/*-------------------------------------------------------------------------
 *
 * generators.h
 *	  The generators of an operation's parameters: parsed from the JSON of
 *	  its definition (one object per $n, see "Generators" in
 *	  docs/reference.md), and drawn before each operation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_GENERATORS_H
#define LOADTEST_GENERATORS_H

#include "common/pg_prng.h"
#include "port/atomics.h"
#include "utils/jsonb.h"

/* The generator types, in the order docs/reference.md lists them. */
typedef enum GeneratorKind
{
	GEN_INT,
	GEN_FLOAT,
	GEN_COLUMN,
	GEN_PAGE,
	GEN_TEXT,
	GEN_UNIQUE,
	GEN_CHOICE,
	GEN_NOW,
	GEN_CONSTANT,
	GEN_RESULT
} GeneratorKind;

typedef enum IntDistribution
{
	DIST_UNIFORM,
	DIST_ZIPF,
	DIST_LOG_UNIFORM
} IntDistribution;

/*
 * The values a column or page generator draws from, gathered once per run
 * by the recorder (as the calling role) into a segment that the run's
 * workers share.  values[] holds by-value datums, or for by-reference
 * types the offset of each value from the start of the set.
 */
#define LOADTEST_VALUE_KEY_LEN	(3 * NAMEDATALEN + 32)

typedef struct ValueSet
{
	char		key[LOADTEST_VALUE_KEY_LEN];	/* generator_value_key() */
	Oid			type;
	int16		typlen;
	bool		typbyval;
	int32		n;				/* 0: the table had no rows */
	int64		rows;			/* page: the table's estimated rows */
	Size		size;			/* of the whole set, values included */
	Datum		values[FLEXIBLE_ARRAY_MEMBER];
} ValueSet;

/* One generator: the values of one parameter $n of an operation. */
typedef struct Generator
{
	GeneratorKind kind;
	int			position;		/* n of $n, from 1 */

	/* int, float */
	int64		int_min;
	int64		int_max;
	double		float_min;
	double		float_max;
	IntDistribution distribution;
	double		skew;

	/* column, page: a schema-qualified table */
	char	   *schema_name;
	char	   *table_name;
	char	   *column_name;
	bool		distinct;
	int			prefix_min;		/* 0: the whole value */
	int			prefix_max;
	int			page_size;
	int			max_pages;

	/* text, unique */
	char	   *prefix;
	char	   *suffix;
	int			ncharacters;	/* text: the characters to draw from */
	char	  **characters;
	int			length;
	bool		unique_integer;
	int64		unique_start;

	/* choice, constant: values as text (NULL for JSON null) */
	int			nvalues;
	char	  **values;
	double	   *cumulative;		/* choice: cumulative weights */

	/* result */
	int			statement;		/* from 1 */
	char	   *result_column;

	/* set when the run binds the generator to what it draws from */
	const struct ValueSet *value_set;	/* column, page */
} Generator;

/* A drawn value, before it is converted to a statement's parameter type. */
typedef struct GeneratedValue
{
	Datum		value;
	bool		isnull;
	int			choice;			/* choice, constant: index of the value */
} GeneratedValue;

/* What draws need besides the generator and the random stream. */
typedef struct DrawContext
{
	int64		run_id;
	pg_atomic_uint64 *unique_next;	/* the run's counter of unique values */
} DrawContext;

extern Generator *generators_parse(Jsonb *params, const char *where,
								   int *ngenerators);
extern Oid	generator_value_type(const Generator *gen);
extern bool generator_is_literal(const Generator *gen);
extern const char *generator_kind_name(GeneratorKind kind);
extern void generator_draw(const Generator *gen, pg_prng_state *rng,
						   const DrawContext *dc, GeneratedValue *out);
extern char *generator_value_key(const Generator *gen);
extern double jsonb_number_double(const JsonbValue *v);

#endif							/* LOADTEST_GENERATORS_H */
