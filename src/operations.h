/*-------------------------------------------------------------------------
 *
 * operations.h
 *	  The thirteen operations of the membership workload: their SQL, kept
 *	  plans and the random parameters each one draws.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_OPERATIONS_H
#define LOADTEST_OPERATIONS_H

#include "common/pg_prng.h"
#include "executor/spi.h"

/* Order and names match the SQL enum loadtest.operation. */
typedef enum LoadtestOp
{
	OP_READ_MEMBER_LIST = 0,
	OP_READ_MEMBER_DETAIL,
	OP_SEARCH_MEMBERS,
	OP_LIST_ORGANIZATIONS,
	OP_LIST_STUDENTS,
	OP_CREATE_MEMBER,
	OP_UPDATE_MEMBER,
	OP_CREATE_EMPLOYMENT,
	OP_UPDATE_EMPLOYMENT_STATUS,
	OP_CREATE_ORGANIZATION_CONTACT,
	OP_LIST_FILE_ATTACHMENTS,
	OP_CREATE_FILE_ATTACHMENT,
	OP_READ_FILE_METADATA,
	NUM_LOADTEST_OPS
} LoadtestOp;

/* The prepared statements the operations are made of. */
typedef enum LoadtestStmt
{
	STMT_MEMBER_PAGE = 0,
	STMT_MEMBER_GET,
	STMT_MEMBER_EMPLOYMENTS,
	STMT_SEARCH_BY_STATUS,
	STMT_SEARCH_BY_CLASSIFICATION,
	STMT_SEARCH_BY_NAME_PREFIX,
	STMT_ORGANIZATION_PAGE,
	STMT_STUDENT_PAGE,
	STMT_MEMBER_INSERT,
	STMT_MEMBER_UPDATE,
	STMT_MEMBER_TOUCH,
	STMT_EMPLOYMENT_END_CURRENT,
	STMT_EMPLOYMENT_INSERT,
	STMT_EMPLOYMENT_SET_STATUS,
	STMT_EMPLOYMENT_TOUCH_CURRENT,
	STMT_CONTACT_INSERT,
	STMT_ATTACHMENT_LIST,
	STMT_ATTACHMENT_INSERT,
	STMT_ATTACHMENT_GET,
	NUM_LOADTEST_STMTS
} LoadtestStmt;

#define OP_MAX_STEPS	3
#define OP_MAX_PARAMS	6

/* One operation with its parameters drawn, ready to run. */
typedef struct OpCall
{
	LoadtestOp	op;
	int			nsteps;
	struct
	{
		LoadtestStmt stmt;
		Datum		values[OP_MAX_PARAMS];
		char		nulls[OP_MAX_PARAMS];
	}			steps[OP_MAX_STEPS];
} OpCall;

struct WorkloadFacts;

/* A worker's kept plans and the data it draws parameters from. */
typedef struct OpContext
{
	const struct WorkloadFacts *facts;
	int64		run_id;
	int32		worker_no;
	int64		serial;			/* makes inserted emails and keys unique */
	SPIPlanPtr	plans[NUM_LOADTEST_STMTS];
} OpContext;

extern const char *op_name(LoadtestOp op);
extern int	op_lookup(const char *name);
extern void op_prepare_all(OpContext *ctx);
extern void op_bind(OpContext *ctx, LoadtestOp op, int32 user_no,
					pg_prng_state *rng, OpCall *call);
extern void op_execute(OpContext *ctx, const OpCall *call);

#endif							/* LOADTEST_OPERATIONS_H */
