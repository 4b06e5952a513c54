/*-------------------------------------------------------------------------
 *
 * db_stats.h
 *	  What the database did during a run: the counters of pg_stat_database,
 *	  pg_stat_bgwriter and pg_stat_wal, and those of pg_stat_user_tables and
 *	  pg_statio_user_tables for the run's tables, read when the run starts
 *	  and when it ends; their changes go into loadtest.run_db_stats and
 *	  loadtest.run_table_stats.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_DB_STATS_H
#define LOADTEST_DB_STATS_H

#include "runstate.h"

extern void db_stats_start(const Oid *relations, int nrelations);
extern void db_stats_write_changes(RunState *run);
extern bool db_stats_counters(int64 *commits, uint64 *wal_bytes);

#endif							/* LOADTEST_DB_STATS_H */
