/*-------------------------------------------------------------------------
 *
 * progress.c
 *	  The live figures of a running run (1.6): the recorder counts the
 *	  attempts it drains into the seconds they ended in
 *	  (progress_note_attempt, a ring of RECENT_SECONDS in the run's shared
 *	  memory); progress_read() merges the last PROGRESS_WINDOW_S of them with
 *	  the workers' counters.  Read by loadtest.progress (background.c), the
 *	  progress notices of loadtest_run() and loadtest_wait(), without locks:
 *	  the figures are a moment's, approximate by a few attempts.
 *
 *	  Nothing here is on a worker's timed path: the workers' counters and
 *	  histograms are the ones they kept before (1.0), the recent seconds are
 *	  the recorder's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "portability/instr_time.h"

#include "histogram.h"
#include "progress.h"

/*
 * Count an attempt the recorder drained, which ended end_us after the
 * run's start, into the ring of recent seconds.  The recorder is the only
 * writer.
 */
void
progress_note_attempt(RunState *run, int64 end_us, int64 latency_us, bool failed)
{
	uint64		second = (uint64) Max(end_us, 0) / 1000000 + 1;
	RecentSecond *entry = &run->recent[second % RECENT_SECONDS];

	if (pg_atomic_read_u64(&entry->second) != second)
	{
		/* an older second's place: readers skip it until it is this one */
		if (pg_atomic_read_u64(&entry->second) > second)
			return;				/* a late attempt of a second long gone */
		pg_atomic_write_u64(&entry->second, 0);
		pg_write_barrier();
		entry->ops = 0;
		entry->errors = 0;
		memset(&entry->histogram, 0, sizeof(entry->histogram));
		pg_write_barrier();
		pg_atomic_write_u64(&entry->second, second);
	}
	entry->ops++;
	if (failed)
		entry->errors++;
	histogram_add(&entry->histogram, latency_us);
}

/*
 * Merge the recent seconds from first to last (numbered as in
 * RecentSecond) into ops and merged; an entry rewritten while it was read
 * is left out.
 */
static void
merge_recent(RunState *run, uint64 first, uint64 last, uint64 *ops,
			 LatencyHistogram *merged)
{
	LatencyHistogram *copy = palloc(sizeof(LatencyHistogram));

	for (uint64 second = first; second <= last; second++)
	{
		RecentSecond *entry = &run->recent[second % RECENT_SECONDS];
		uint64		n;

		if (pg_atomic_read_u64(&entry->second) != second)
			continue;
		pg_read_barrier();
		n = entry->ops;
		memcpy(copy, &entry->histogram, sizeof(LatencyHistogram));
		pg_read_barrier();
		if (pg_atomic_read_u64(&entry->second) != second)
			continue;
		*ops += n;
		histogram_merge(merged, copy);
	}
	pfree(copy);
}

/* The simulated users active now (see RunProgress). */
static int
count_active_users(RunState *run, int64 elapsed_us)
{
	int			active = 0;

	if (run->shape.service == SERVICE_ARRIVALS)
	{
		/* arrivals have no users of their own: the workers in an operation */
		for (int i = 0; i < run->nworkers; i++)
			if (pg_atomic_read_u32(&runstate_slot(run, i)->current_op) != 0)
				active++;
		return active;
	}
	for (int i = 0; i < run->nusers; i++)
	{
		VirtualUser *user = runstate_user(run, i);

		if (!user->finished && !user->lost &&
			user->planned_start_us <= elapsed_us &&
			user_active(run, i, elapsed_us))
			active++;
	}
	return active;
}

/* The run's figures now. */
void
progress_read(RunState *run, RunProgress *p)
{
	LatencyHistogram *merged = palloc0(sizeof(LatencyHistogram));
	instr_time	now;
	int64		elapsed_us = 0;
	uint64		recent_ops = 0;
	double		window_s;

	memset(p, 0, sizeof(*p));
	p->started = pg_atomic_read_u32(&run->started) != 0;
	pg_read_barrier();
	if (p->started)
	{
		INSTR_TIME_SET_CURRENT(now);
		elapsed_us = Max(runstate_elapsed_us(run, now), 0);
	}
	p->elapsed_s = elapsed_us / 1e6;

	for (int i = 0; i < run->nworkers; i++)
	{
		WorkerSlot *slot = runstate_slot(run, i);

		p->ops_done += pg_atomic_read_u64(&slot->ops_done);
		p->errors += pg_atomic_read_u64(&slot->errors);
		if (pg_atomic_read_u32(&slot->state) == SLOT_RUNNING)
			p->workers_active++;
	}
	p->users_active = p->started ? count_active_users(run, elapsed_us) : 0;

	if (run->shape.bound == BOUND_DURATION)
	{
		p->ops_planned = -1;
		p->duration_s = run->deadline_us / 1e6;
	}
	else
	{
		p->ops_planned = run->shape.service == SERVICE_ARRIVALS ?
			run->total_arrivals : (int64) run->nusers * run->ops_per_user;
		p->duration_s = -1;
	}

	/*
	 * The last PROGRESS_WINDOW_S complete seconds (numbered from 1), or the
	 * second under way during the first one.
	 */
	{
		uint64		current = (uint64) elapsed_us / 1000000 + 1;
		uint64		last = current > 1 ? current - 1 : current;
		uint64		first = last > PROGRESS_WINDOW_S ? last - PROGRESS_WINDOW_S + 1 : 1;

		merge_recent(run, first, last, &recent_ops, merged);
		window_s = current > 1 ? (double) (last - first + 1) : p->elapsed_s;
	}
	p->ops_per_s = window_s > 0 ? recent_ops / window_s : 0;
	p->p50_ms = recent_ops > 0 ? histogram_percentile(merged, 0.50) / 1000.0 : -1;
	p->p95_ms = recent_ops > 0 ? histogram_percentile(merged, 0.95) / 1000.0 : -1;

	p->eta_s = -1;
	if (!p->started)
		;
	else if (run->shape.bound == BOUND_DURATION)
	{
		double		end_s = run->deadline_us / 1e6;

		/* a staged run ends with its last stage */
		if (run->shape.load != LOAD_RAMP && run->nstages > 0)
			end_s = run->stages[run->nstages - 1].end_us / 1e6;
		p->eta_s = Max(end_s - p->elapsed_s, 0);
	}
	else if (p->ops_per_s > 0 && p->ops_planned > 0)
	{
		double		left = (double) Max(p->ops_planned - (int64) p->ops_done, 0);

		p->eta_s = left / p->ops_per_s;
		/* users not started yet take their ramp-up at least */
		p->eta_s = Max(p->eta_s, run->ramp_up_us / 1e6 - p->elapsed_s);
	}
	pfree(merged);
}

/* The progress notice's text. */
char *
progress_text(RunState *run, const RunProgress *p)
{
	char	   *p95 = p->p95_ms < 0 ? pstrdup("-") : psprintf("%.2f ms", p->p95_ms);

	if (p->ops_planned >= 0)
		return psprintf("loadtest run " INT64_FORMAT ": " UINT64_FORMAT "/" INT64_FORMAT " operations (%.0f%%), %.1f ops/s, p95 %s, " UINT64_FORMAT " %s, %d %s active",
						run->run_id, p->ops_done, p->ops_planned,
						p->ops_planned > 0 ? floor(100.0 * p->ops_done / p->ops_planned) : 100.0,
						p->ops_per_s, p95, p->errors, p->errors == 1 ? "error" : "errors",
						p->users_active, p->users_active == 1 ? "user" : "users");
	return psprintf("loadtest run " INT64_FORMAT ": %.0f of %.0f s, " UINT64_FORMAT " operations, %.1f ops/s, p95 %s, " UINT64_FORMAT " %s, %d %s active",
					run->run_id, p->elapsed_s, p->duration_s, p->ops_done,
					p->ops_per_s, p95, p->errors, p->errors == 1 ? "error" : "errors",
					p->users_active, p->users_active == 1 ? "user" : "users");
}
