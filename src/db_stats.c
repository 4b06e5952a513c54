/*-------------------------------------------------------------------------
 *
 * db_stats.c
 *	  The statistics of the server over a run, read by the recorder.
 *
 * PostgreSQL 15 keeps statistics in shared memory, but each process
 * flushes its own at most once a second, and at exit.  So that the
 * reading at the end holds all of the run's own activity, the workers
 * flush theirs before they exit (user_worker.c) and the recorder reads
 * only once every worker is gone, after flushing its own; the reading at
 * the start follows the recorder's own reads of the workload's tables
 * (gathering the values of column generators) and its flush.  Counters
 * are of the whole database or server: other sessions' activity is in them
 * too.
 *
 * Each list of columns below is the only one: the queries are made from
 * it.  The readings at the start are kept as jsonb text; the changes are
 * computed in SQL against the readings at the end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "db_stats.h"
#include "sample_writer.h"
#include "spi_args.h"

/* The server's counters kept, by view. */
typedef struct ServerStatsView
{
	const char *view;
	const char *where;			/* which row, or NULL for the only one */
	const char *const *columns;
} ServerStatsView;

static const char *const database_columns[] = {
	"xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned",
	"tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "temp_files",
	"temp_bytes", "deadlocks", "conflicts", NULL
};
static const char *const bgwriter_columns[] = {
	"checkpoints_timed", "checkpoints_req", "checkpoint_write_time",
	"checkpoint_sync_time", "buffers_checkpoint", "buffers_clean",
	"maxwritten_clean", "buffers_backend", "buffers_backend_fsync",
	"buffers_alloc", NULL
};
static const char *const wal_columns[] = {
	"wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "wal_write",
	"wal_sync", "wal_write_time", "wal_sync_time", NULL
};
static const ServerStatsView server_views[] = {
	{"pg_stat_database", "datid OPERATOR(pg_catalog.=) $1", database_columns},
	{"pg_stat_bgwriter", NULL, bgwriter_columns},
	{"pg_stat_wal", NULL, wal_columns},
};

/* The counters of a workload table kept (pg_stat_user_tables, pg_statio_user_tables). */
static const char *const table_columns[] = {
	"seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins",
	"n_tup_upd", "n_tup_del", "n_tup_hot_upd", "n_dead_tup", "heap_blks_read",
	"heap_blks_hit", "idx_blks_read", "idx_blks_hit", "vacuum_count",
	"autovacuum_count", "analyze_count", "autoanalyze_count", NULL
};

static char *server_start;		/* jsonb text: {"view.column": value} */
static char *tables_start;		/* jsonb text: {"relid": {"column": value}} */
static Datum relation_array;	/* oid[] */

/* SELECT of the server's counters: rows (source, stat, value numeric). */
static char *
server_stats_query(void)
{
	StringInfoData q;

	initStringInfo(&q);
	for (int v = 0; v < lengthof(server_views); v++)
	{
		const ServerStatsView *view = &server_views[v];

		if (v > 0)
			appendStringInfoString(&q, " UNION ALL ");
		appendStringInfo(&q, "SELECT '%s'::pg_catalog.text AS source, c.stat, c.value"
						 " FROM pg_catalog.%s s CROSS JOIN LATERAL (VALUES ",
						 view->view, view->view);
		for (int c = 0; view->columns[c] != NULL; c++)
			appendStringInfo(&q, "%s('%s'::pg_catalog.text, s.%s::pg_catalog.numeric)",
							 c > 0 ? ", " : "", view->columns[c], view->columns[c]);
		appendStringInfo(&q, ") AS c(stat, value)%s%s",
						 view->where ? " WHERE s." : "", view->where ? view->where : "");
	}
	return q.data;
}

/* SELECT of the tables' counters: relid, schemaname, relname, columns. */
static char *
table_stats_query(void)
{
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT t.relid, t.schemaname, t.relname");
	for (int c = 0; table_columns[c] != NULL; c++)
		appendStringInfo(&q, ", COALESCE(%s.%s, 0) AS %s",
						 strstr(table_columns[c], "blks") ? "io" : "t",
						 table_columns[c], table_columns[c]);
	appendStringInfoString(&q, " FROM pg_catalog.pg_stat_user_tables t"
						   " JOIN pg_catalog.pg_statio_user_tables io"
						   " ON io.relid OPERATOR(pg_catalog.=) t.relid"
						   " WHERE t.relid OPERATOR(pg_catalog.=) ANY ($2)");
	return q.data;
}

/* The readings at the start.  In a transaction, SPI connected. */
void
db_stats_start(const Oid *relations, int nrelations)
{
	Datum	   *oids = palloc(sizeof(Datum) * Max(nrelations, 1));
	SpiArgs		args = SPI_ARGS_INIT;
	MemoryContext old;
	char	   *sql;

	/* the caller flushed this process's own statistics just before */
	pgstat_clear_snapshot();
	for (int i = 0; i < nrelations; i++)
		oids[i] = ObjectIdGetDatum(relations[i]);
	old = MemoryContextSwitchTo(TopMemoryContext);
	relation_array = PointerGetDatum(datum_array(oids, NULL, nrelations, OIDOID));
	MemoryContextSwitchTo(old);

	spi_arg(&args, OIDOID, ObjectIdGetDatum(MyDatabaseId));
	spi_arg(&args, OIDARRAYOID, relation_array);
	sql = psprintf("SELECT (SELECT pg_catalog.jsonb_object_agg(s.source OPERATOR(pg_catalog.||) '.'"
				   " OPERATOR(pg_catalog.||) s.stat, s.value) FROM (%s) s)::pg_catalog.text,"
				   " (SELECT pg_catalog.jsonb_object_agg(t.relid::pg_catalog.text, pg_catalog.to_jsonb(t))"
				   " FROM (%s) t)::pg_catalog.text",
				   server_stats_query(), table_stats_query());
	if (spi_execute(sql, &args, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the server's statistics");
	server_start = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	tables_start = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	server_start = MemoryContextStrdup(TopMemoryContext, server_start ? server_start : "{}");
	tables_start = MemoryContextStrdup(TopMemoryContext, tables_start ? tables_start : "{}");
}

/*
 * The changes since the start, into run_db_stats and run_table_stats.  As
 * the results' owner, once every worker of the run is gone.
 */
void
db_stats_write_changes(RunState *run)
{
	SpiArgs		args = SPI_ARGS_INIT;
	StringInfoData q;

	if (server_start == NULL)
		return;
	pgstat_clear_snapshot();
	spi_arg(&args, OIDOID, ObjectIdGetDatum(MyDatabaseId));
	spi_arg(&args, OIDARRAYOID, relation_array);
	spi_arg(&args, INT8OID, Int64GetDatum(run->run_id));
	spi_arg_text(&args, server_start);
	spi_arg_text(&args, tables_start);

	initStringInfo(&q);
	appendStringInfo(&q, "INSERT INTO loadtest.run_db_stats (run_id, source, stat, value)"
					 " SELECT $3, e.source, e.stat, e.value OPERATOR(pg_catalog.-)"
					 " COALESCE(($4::pg_catalog.jsonb OPERATOR(pg_catalog.->>)"
					 " (e.source OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) e.stat))::pg_catalog.numeric, 0)"
					 " FROM (%s) e WHERE e.value IS NOT NULL",
					 server_stats_query());
	if (spi_execute(q.data, &args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's database statistics");

	resetStringInfo(&q);
	/*
	 * The counters' changes, and the table's size with its indexes and
	 * TOAST at the end, from pg_class.relpages (the planner's figure, kept
	 * by VACUUM, ANALYZE and CREATE INDEX): pg_total_relation_size() would
	 * lock the relations, and a user's lock on one would hold the
	 * recorder.
	 */
	appendStringInfoString(&q, "INSERT INTO loadtest.run_table_stats (run_id, table_name, total_bytes");
	for (int c = 0; table_columns[c] != NULL; c++)
		appendStringInfo(&q, ", %s", table_columns[c]);
	appendStringInfoString(&q, ") SELECT $3, pg_catalog.format('%I.%I', e.schemaname, e.relname),"
						   " (SELECT pg_catalog.sum(c.relpages)::pg_catalog.int8"
						   " OPERATOR(pg_catalog.*) pg_catalog.current_setting('block_size')::pg_catalog.int8"
						   " FROM pg_catalog.pg_class c"
						   " WHERE c.oid OPERATOR(pg_catalog.=) e.relid"
						   " OR c.oid OPERATOR(pg_catalog.=) (SELECT t.reltoastrelid FROM pg_catalog.pg_class t"
						   " WHERE t.oid OPERATOR(pg_catalog.=) e.relid)"
						   " OR c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT i.indexrelid FROM pg_catalog.pg_index i"
						   " WHERE i.indrelid OPERATOR(pg_catalog.=) e.relid)))");
	for (int c = 0; table_columns[c] != NULL; c++)
		appendStringInfo(&q, ", e.%s OPERATOR(pg_catalog.-) COALESCE("
						 "(($5::pg_catalog.jsonb OPERATOR(pg_catalog.->) e.relid::pg_catalog.text)"
						 " OPERATOR(pg_catalog.->>) '%s')::pg_catalog.int8, 0)",
						 table_columns[c], table_columns[c]);
	appendStringInfo(&q, " FROM (%s) e", table_stats_query());
	if (spi_execute(q.data, &args, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the run's table statistics");
}

/*
 * The database's commits and the server's WAL bytes as flushed so far,
 * for the per-second timeline; false when they cannot be read.  Outside
 * any transaction: reads the shared statistics directly.
 */
bool
db_stats_counters(int64 *commits, uint64 *wal_bytes)
{
	PgStat_StatDBEntry *db;
	PgStat_WalStats *wal;

	pgstat_clear_snapshot();
	db = pgstat_fetch_stat_dbentry(MyDatabaseId);
	wal = pgstat_fetch_stat_wal();
	if (db == NULL || wal == NULL)
		return false;
	*commits = db->n_xact_commit;
	*wal_bytes = wal->wal_bytes;
	return true;
}
