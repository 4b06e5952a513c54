/*-------------------------------------------------------------------------
 *
 * spi_args.h
 *	  Arguments of an SPI statement, each one's type given next to its
 *	  value: spi_arg(&args, INT8OID, Int64GetDatum(run_id)) is $1, the next
 *	  call $2, and so on.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_SPI_ARGS_H
#define LOADTEST_SPI_ARGS_H

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#define SPI_ARGS_MAX	32

typedef struct SpiArgs
{
	int			n;
	Oid			types[SPI_ARGS_MAX];
	Datum		values[SPI_ARGS_MAX];
	char		nulls[SPI_ARGS_MAX];
} SpiArgs;

#define SPI_ARGS_INIT	{0}

/* Append the next argument: $n, n counting from 1. */
static inline void
spi_arg(SpiArgs *args, Oid type, Datum value)
{
	Assert(args->n < SPI_ARGS_MAX);
	args->types[args->n] = type;
	args->values[args->n] = value;
	args->nulls[args->n] = ' ';
	args->n++;
}

/* Append a NULL argument of that type. */
static inline void
spi_arg_null(SpiArgs *args, Oid type)
{
	Assert(args->n < SPI_ARGS_MAX);
	args->types[args->n] = type;
	args->values[args->n] = (Datum) 0;
	args->nulls[args->n] = 'n';
	args->n++;
}

/* A text argument from a C string, NULL when it is NULL. */
static inline void
spi_arg_text(SpiArgs *args, const char *value)
{
	if (value == NULL)
		spi_arg_null(args, TEXTOID);
	else
		spi_arg(args, TEXTOID, CStringGetTextDatum(value));
}

static inline int
spi_execute(const char *sql, const SpiArgs *args, bool read_only, long tcount)
{
	return SPI_execute_with_args(sql, args->n, (Oid *) args->types,
								 (Datum *) args->values, args->nulls,
								 read_only, tcount);
}

#endif							/* LOADTEST_SPI_ARGS_H */
