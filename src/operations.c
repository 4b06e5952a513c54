/*-------------------------------------------------------------------------
 *
 * operations.c
 *	  The membership workload's operations: what each runs (kept SPI plans),
 *	  and the random parameters it draws from the seeded data.
 *
 * op_bind() draws an operation's parameters before the timed section;
 * op_execute() runs its statements inside the caller's transaction, with
 * SPI connected and a snapshot pushed.  Errors are raised as usual: the
 * worker catches them and records the failed operation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "operations.h"
#include "runstate.h"

typedef struct OpInfo
{
	const char *name;
	bool		is_read;
} OpInfo;

static const OpInfo op_info[NUM_LOADTEST_OPS] = {
	[OP_READ_MEMBER_LIST] = {"read_member_list", true},
	[OP_READ_MEMBER_DETAIL] = {"read_member_detail", true},
	[OP_SEARCH_MEMBERS] = {"search_members", true},
	[OP_LIST_ORGANIZATIONS] = {"list_organizations", true},
	[OP_LIST_STUDENTS] = {"list_students", true},
	[OP_CREATE_MEMBER] = {"create_member", false},
	[OP_UPDATE_MEMBER] = {"update_member", false},
	[OP_CREATE_EMPLOYMENT] = {"create_employment", false},
	[OP_UPDATE_EMPLOYMENT_STATUS] = {"update_employment_status", false},
	[OP_CREATE_ORGANIZATION_CONTACT] = {"create_organization_contact", false},
	[OP_LIST_FILE_ATTACHMENTS] = {"list_file_attachments", true},
	[OP_CREATE_FILE_ATTACHMENT] = {"create_file_attachment", false},
	[OP_READ_FILE_METADATA] = {"read_file_metadata", true},
};

typedef struct StmtInfo
{
	const char *sql;
	int			nargs;
	Oid			argtypes[OP_MAX_PARAMS];
} StmtInfo;

#define MEMBER_COLUMNS "member_id, first_name, last_name, email, status"

static const StmtInfo stmt_info[NUM_LOADTEST_STMTS] = {
	[STMT_MEMBER_PAGE] = {
		"SELECT " MEMBER_COLUMNS " FROM membership.members"
		" ORDER BY member_id LIMIT 25 OFFSET $1",
	1, {INT8OID}},
	[STMT_MEMBER_GET] = {
		"SELECT member_id, first_name, last_name, email, phone, city, status,"
		" classification, join_date FROM membership.members WHERE member_id = $1",
	1, {INT8OID}},
	[STMT_MEMBER_EMPLOYMENTS] = {
		"SELECT e.employment_id, e.title, e.status, e.is_current, e.start_date,"
		" e.end_date, o.organization_id, o.name"
		" FROM membership.member_employments e"
		" JOIN membership.organizations o ON o.organization_id = e.organization_id"
		" WHERE e.member_id = $1 ORDER BY e.is_current DESC, e.start_date DESC",
	1, {INT8OID}},
	[STMT_SEARCH_BY_STATUS] = {
		"SELECT " MEMBER_COLUMNS " FROM membership.members"
		" WHERE status = $1 ORDER BY member_id LIMIT 25",
	1, {TEXTOID}},
	[STMT_SEARCH_BY_CLASSIFICATION] = {
		"SELECT " MEMBER_COLUMNS " FROM membership.members"
		" WHERE classification = $1 ORDER BY member_id LIMIT 25",
	1, {TEXTOID}},
	[STMT_SEARCH_BY_NAME_PREFIX] = {
		"SELECT " MEMBER_COLUMNS " FROM membership.members"
		" WHERE last_name OPERATOR(pg_catalog.~>=~) $1"
		" AND last_name OPERATOR(pg_catalog.~<~) $2"
		" ORDER BY last_name, first_name LIMIT 25",
	2, {TEXTOID, TEXTOID}},
	[STMT_ORGANIZATION_PAGE] = {
		"SELECT organization_id, name, org_type, city FROM membership.organizations"
		" ORDER BY name LIMIT 25 OFFSET $1",
	1, {INT8OID}},
	[STMT_STUDENT_PAGE] = {
		"SELECT s.student_id, s.school, s.program, s.graduation_year,"
		" m.first_name, m.last_name FROM membership.students s"
		" JOIN membership.members m ON m.member_id = s.member_id"
		" ORDER BY s.student_id LIMIT 25 OFFSET $1",
	1, {INT8OID}},
	[STMT_MEMBER_INSERT] = {
		"INSERT INTO membership.members (first_name, last_name, email, phone,"
		" city, status, classification, join_date)"
		" VALUES ($1, $2, $3, $4, $5, 'pending', $6, current_date)"
		" RETURNING member_id",
	6, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}},
	[STMT_MEMBER_UPDATE] = {
		"UPDATE membership.members SET phone = $2, city = $3, updated_at = now()"
		" WHERE member_id = $1",
	3, {INT8OID, TEXTOID, TEXTOID}},
	[STMT_MEMBER_TOUCH] = {
		"UPDATE membership.members SET updated_at = now() WHERE member_id = $1",
	1, {INT8OID}},
	[STMT_EMPLOYMENT_END_CURRENT] = {
		"UPDATE membership.member_employments SET is_current = false,"
		" status = 'ended', end_date = current_date, updated_at = now()"
		" WHERE member_id = $1 AND is_current",
	1, {INT8OID}},
	[STMT_EMPLOYMENT_INSERT] = {
		"INSERT INTO membership.member_employments (member_id, organization_id,"
		" title, status, is_current, start_date)"
		" VALUES ($1, $2, $3, 'active', true, current_date)",
	3, {INT8OID, INT8OID, TEXTOID}},
	[STMT_EMPLOYMENT_SET_STATUS] = {
		"UPDATE membership.member_employments SET status = $2, updated_at = now()"
		" WHERE employment_id = $1",
	2, {INT8OID, TEXTOID}},
	[STMT_EMPLOYMENT_TOUCH_CURRENT] = {
		"UPDATE membership.member_employments SET updated_at = now()"
		" WHERE member_id = $1 AND is_current",
	1, {INT8OID}},
	[STMT_CONTACT_INSERT] = {
		"INSERT INTO membership.organization_contacts (organization_id, name,"
		" email, phone, role) VALUES ($1, $2, $3, $4, $5)",
	5, {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}},
	[STMT_ATTACHMENT_LIST] = {
		"SELECT attachment_id, file_name, content_type, size_bytes, uploaded_at"
		" FROM membership.file_attachments WHERE member_id = $1"
		" ORDER BY uploaded_at DESC LIMIT 50",
	1, {INT8OID}},
	[STMT_ATTACHMENT_INSERT] = {
		"INSERT INTO membership.file_attachments (member_id, file_name,"
		" content_type, size_bytes, storage_key) VALUES ($1, $2, $3, $4, $5)",
	5, {INT8OID, TEXTOID, TEXTOID, INT8OID, TEXTOID}},
	[STMT_ATTACHMENT_GET] = {
		"SELECT attachment_id, member_id, file_name, content_type, size_bytes,"
		" storage_key, uploaded_at FROM membership.file_attachments"
		" WHERE attachment_id = $1",
	1, {INT8OID}},
};

/* Small vocabularies for the values that writes put in. */
static const char *const first_names[] = {
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
	"Linda", "David", "Elizabeth", "Maria", "Ahmed", "Wei", "Sofia", "Lucas",
	"Amara",
};
static const char *const last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
	"Davis", "Rodriguez", "Martinez", "Nguyen", "Okafor", "Kowalski", "Tanaka",
};
static const char *const cities[] = {
	"Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton",
	"Fairview", "Salem", "Madison", "Georgetown",
};
static const char *const titles[] = {
	"Engineer", "Analyst", "Manager", "Nurse", "Teacher", "Consultant",
	"Technician", "Director", "Assistant", "Accountant",
};
static const char *const employment_statuses[] = {
	"active", "active", "active", "on_leave", "probation", "ended",
};
static const char *const contact_roles[] = {
	"primary", "billing", "hr", "technical", "other",
};
static const char *const classifications[] = {
	"regular", "associate", "student", "retired",
};

typedef struct FileKind
{
	const char *extension;
	const char *content_type;
} FileKind;

static const FileKind file_kinds[] = {
	{"pdf", "application/pdf"},
	{"pdf", "application/pdf"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"txt", "text/plain"},
};

#define PICK(rng, array) \
	((array)[pg_prng_uint64_range((rng), 0, lengthof(array) - 1)])

const char *
op_name(LoadtestOp op)
{
	Assert(op >= 0 && op < NUM_LOADTEST_OPS);
	return op_info[op].name;
}

/* The operation of that exact name, or -1. */
int
op_lookup(const char *name)
{
	for (int op = 0; op < NUM_LOADTEST_OPS; op++)
		if (strcmp(name, op_info[op].name) == 0)
			return op;
	return -1;
}

static SPIPlanPtr
op_plan(OpContext *ctx, LoadtestStmt stmt)
{
	if (ctx->plans[stmt] == NULL)
	{
		const StmtInfo *info = &stmt_info[stmt];
		SPIPlanPtr	plan;

		plan = SPI_prepare(info->sql, info->nargs, (Oid *) info->argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 info->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		ctx->plans[stmt] = plan;
	}
	return ctx->plans[stmt];
}

/*
 * Prepare every statement up front, outside any timed section.  A statement
 * that cannot be prepared now (a table was dropped, say) raises an error;
 * the caller catches it and the statement is prepared again at first use,
 * where its error is recorded against the operation.
 */
void
op_prepare_all(OpContext *ctx)
{
	for (int stmt = 0; stmt < NUM_LOADTEST_STMTS; stmt++)
		(void) op_plan(ctx, (LoadtestStmt) stmt);
}

/*
 * A row id that exists (the sample holds only the hot rows when they are
 * set); 0, which no row has, when the table had none.
 */
static int64
random_id(pg_prng_state *rng, const IdSample *sample)
{
	if (sample->n == 0)
		return 0;
	return sample->ids[pg_prng_uint64_range(rng, 0, sample->n - 1)];
}

/*
 * A page offset for a list of about `rows` rows: most users look at the
 * first pages, few go deep (cube of a uniform draw), and nobody goes past
 * page 200.
 */
static int64
random_page_offset(pg_prng_state *rng, int64 rows)
{
	int64		pages = Min(rows / 25, 200);
	double		u = pg_prng_double(rng);

	if (pages <= 1)
		return 0;
	return (int64) (pages * u * u * u) * 25;
}

static void
set_step(OpCall *call, LoadtestStmt stmt)
{
	int			i = call->nsteps++;

	Assert(i < OP_MAX_STEPS);
	call->steps[i].stmt = stmt;
	memset(call->steps[i].nulls, ' ', OP_MAX_PARAMS);
}

#define ARG(call, n) ((call)->steps[(call)->nsteps - 1].values[(n)])

/*
 * Draw the parameters of one operation.  Allocates in the current memory
 * context, which the caller resets after the operation.
 */
void
op_bind(OpContext *ctx, LoadtestOp op, int32 user_no, pg_prng_state *rng,
		OpCall *call)
{
	const WorkloadFacts *f = ctx->facts;
	int64		member_id = random_id(rng, &f->members);
	int64		serial = ++ctx->serial;
	char		unique[64];

	/* unique per worker and serial: in a pooled run users change workers */
	snprintf(unique, sizeof(unique), INT64_FORMAT ".w%d." INT64_FORMAT,
			 ctx->run_id, ctx->worker_no, serial);

	call->op = op;
	call->nsteps = 0;
	switch (op)
	{
		case OP_READ_MEMBER_LIST:
			set_step(call, STMT_MEMBER_PAGE);
			ARG(call, 0) = Int64GetDatum(random_page_offset(rng, f->member_rows));
			break;
		case OP_READ_MEMBER_DETAIL:
			set_step(call, STMT_MEMBER_GET);
			ARG(call, 0) = Int64GetDatum(member_id);
			set_step(call, STMT_MEMBER_EMPLOYMENTS);
			ARG(call, 0) = Int64GetDatum(member_id);
			break;
		case OP_SEARCH_MEMBERS:
			{
				int			how = (int) pg_prng_uint64_range(rng, 0, 2);

				if (how == 0 && f->nstatuses > 0)
				{
					set_step(call, STMT_SEARCH_BY_STATUS);
					ARG(call, 0) = CStringGetTextDatum(
													   f->statuses[pg_prng_uint64_range(rng, 0, f->nstatuses - 1)]);
				}
				else if (how == 1 && f->nclassifications > 0)
				{
					set_step(call, STMT_SEARCH_BY_CLASSIFICATION);
					ARG(call, 0) = CStringGetTextDatum(
													   f->classifications[pg_prng_uint64_range(rng, 0, f->nclassifications - 1)]);
				}
				else
				{
					const char *name = f->nprefixes > 0 ?
						f->name_prefixes[pg_prng_uint64_range(rng, 0, f->nprefixes - 1)] :
						PICK(rng, last_names);
					int			len = Min((int) strlen(name),
										  (int) pg_prng_uint64_range(rng, 2, 4));
					char		low[LOADTEST_NAME_LEN];
					char		high[LOADTEST_NAME_LEN];

					/* Prefixes are ASCII letters (see the coordinator). */
					memcpy(low, name, len);
					low[len] = '\0';
					memcpy(high, low, len + 1);
					high[len - 1]++;
					set_step(call, STMT_SEARCH_BY_NAME_PREFIX);
					ARG(call, 0) = CStringGetTextDatum(low);
					ARG(call, 1) = CStringGetTextDatum(high);
				}
				break;
			}
		case OP_LIST_ORGANIZATIONS:
			set_step(call, STMT_ORGANIZATION_PAGE);
			ARG(call, 0) = Int64GetDatum(random_page_offset(rng, f->organization_rows));
			break;
		case OP_LIST_STUDENTS:
			set_step(call, STMT_STUDENT_PAGE);
			ARG(call, 0) = Int64GetDatum(random_page_offset(rng, f->student_rows));
			break;
		case OP_CREATE_MEMBER:
			{
				const char *first = PICK(rng, first_names);
				const char *last = PICK(rng, last_names);

				set_step(call, STMT_MEMBER_INSERT);
				ARG(call, 0) = CStringGetTextDatum(first);
				ARG(call, 1) = CStringGetTextDatum(last);
				ARG(call, 2) = CStringGetTextDatum(psprintf("lt%s@loadtest.example", unique));
				ARG(call, 3) = CStringGetTextDatum(psprintf("+1-555-%04d",
															(int) pg_prng_uint64_range(rng, 0, 9999)));
				ARG(call, 4) = CStringGetTextDatum(PICK(rng, cities));
				ARG(call, 5) = CStringGetTextDatum(PICK(rng, classifications));
				break;
			}
		case OP_UPDATE_MEMBER:
			/* the member, then its current employment (kept in step) */
			set_step(call, STMT_MEMBER_UPDATE);
			ARG(call, 0) = Int64GetDatum(member_id);
			ARG(call, 1) = CStringGetTextDatum(psprintf("+1-555-%04d",
														(int) pg_prng_uint64_range(rng, 0, 9999)));
			ARG(call, 2) = CStringGetTextDatum(PICK(rng, cities));
			set_step(call, STMT_EMPLOYMENT_TOUCH_CURRENT);
			ARG(call, 0) = Int64GetDatum(member_id);
			break;
		case OP_CREATE_EMPLOYMENT:
			set_step(call, STMT_EMPLOYMENT_END_CURRENT);
			ARG(call, 0) = Int64GetDatum(member_id);
			set_step(call, STMT_EMPLOYMENT_INSERT);
			ARG(call, 0) = Int64GetDatum(member_id);
			ARG(call, 1) = Int64GetDatum(random_id(rng, &f->organizations));
			ARG(call, 2) = CStringGetTextDatum(PICK(rng, titles));
			/* then the member (its updated_at): the opposite order */
			set_step(call, STMT_MEMBER_TOUCH);
			ARG(call, 0) = Int64GetDatum(member_id);
			break;
		case OP_UPDATE_EMPLOYMENT_STATUS:
			set_step(call, STMT_EMPLOYMENT_SET_STATUS);
			ARG(call, 0) = Int64GetDatum(random_id(rng, &f->employments));
			ARG(call, 1) = CStringGetTextDatum(PICK(rng, employment_statuses));
			break;
		case OP_CREATE_ORGANIZATION_CONTACT:
			set_step(call, STMT_CONTACT_INSERT);
			ARG(call, 0) = Int64GetDatum(random_id(rng, &f->organizations));
			ARG(call, 1) = CStringGetTextDatum(psprintf("%s %s",
														PICK(rng, first_names), PICK(rng, last_names)));
			ARG(call, 2) = CStringGetTextDatum(psprintf("contact%s@loadtest.example", unique));
			ARG(call, 3) = CStringGetTextDatum(psprintf("+1-555-%04d",
														(int) pg_prng_uint64_range(rng, 0, 9999)));
			ARG(call, 4) = CStringGetTextDatum(PICK(rng, contact_roles));
			break;
		case OP_LIST_FILE_ATTACHMENTS:
			set_step(call, STMT_ATTACHMENT_LIST);
			ARG(call, 0) = Int64GetDatum(member_id);
			break;
		case OP_CREATE_FILE_ATTACHMENT:
			{
				const FileKind *kind = &PICK(rng, file_kinds);
				/* sizes spread log-uniformly from 1 KB to about 16 MB */
				int64		size = INT64CONST(1024) <<
					pg_prng_uint64_range(rng, 0, 13);

				size += (int64) pg_prng_uint64_range(rng, 0, (uint64) size);
				set_step(call, STMT_ATTACHMENT_INSERT);
				ARG(call, 0) = Int64GetDatum(member_id);
				ARG(call, 1) = CStringGetTextDatum(psprintf("document-%s.%s",
															unique, kind->extension));
				ARG(call, 2) = CStringGetTextDatum(kind->content_type);
				ARG(call, 3) = Int64GetDatum(size);
				ARG(call, 4) = CStringGetTextDatum(psprintf("loadtest/" INT64_FORMAT "/member-" INT64_FORMAT "/%s",
															ctx->run_id, member_id, unique));
				break;
			}
		case OP_READ_FILE_METADATA:
			set_step(call, STMT_ATTACHMENT_GET);
			ARG(call, 0) = Int64GetDatum(random_id(rng, &f->attachments));
			break;
		case NUM_LOADTEST_OPS:
			elog(ERROR, "invalid operation %d", (int) op);
	}
}

/*
 * Run a bound operation's statements.  The caller has started the
 * transaction, connected SPI and pushed a snapshot.
 */
void
op_execute(OpContext *ctx, const OpCall *call)
{
	bool		read_only = op_info[call->op].is_read;

	for (int i = 0; i < call->nsteps; i++)
	{
		SPIPlanPtr	plan = op_plan(ctx, call->steps[i].stmt);
		int			rc;

		rc = SPI_execute_plan(plan, (Datum *) call->steps[i].values,
							  call->steps[i].nulls, read_only, 0);
		if (rc < 0)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
}
