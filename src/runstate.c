/*-------------------------------------------------------------------------
 *
 * runstate.c
 *	  The run's shared memory: layout, stop requests, waking processes, and
 *	  the sample rings between workers and the recorder.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <signal.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"

#include "runstate.h"

static Size
ring_size(uint32 capacity)
{
	return MAXALIGN(offsetof(SampleRing, samples) +
					sizeof(SampleRecord) * capacity);
}

Size
runstate_size(int nusers, int nworkers, uint32 ring_capacity)
{
	Size		size = MAXALIGN(sizeof(RunState));

	size = add_size(size, MAXALIGN(mul_size(sizeof(VirtualUser), nusers)));
	size = add_size(size, MAXALIGN(mul_size(sizeof(ReadyEntry), nusers)));
	size = add_size(size, MAXALIGN(mul_size(sizeof(WorkerSlot), nworkers)));
	size = add_size(size, mul_size(ring_size(ring_capacity), nworkers));
	return size;
}

/* Lay out a zeroed segment; the caller fills in the run's parameters. */
void
runstate_init(RunState *rs, int nusers, int nworkers, uint32 ring_capacity)
{
	memset(rs, 0, runstate_size(nusers, nworkers, ring_capacity));
	rs->magic = LOADTEST_MAGIC;
	rs->layout = LOADTEST_LAYOUT;
	rs->nusers = nusers;
	rs->nworkers = nworkers;
	rs->users_offset = MAXALIGN(sizeof(RunState));
	rs->ready_offset = rs->users_offset +
		MAXALIGN(sizeof(VirtualUser) * nusers);
	rs->slots_offset = rs->ready_offset +
		MAXALIGN(sizeof(ReadyEntry) * nusers);
	rs->rings_offset = rs->slots_offset +
		MAXALIGN(sizeof(WorkerSlot) * nworkers);
	rs->ring_size = ring_size(ring_capacity);
	rs->coordinator_pgprocno = -1;
	rs->recorder_pgprocno = -1;

	pg_atomic_init_u32(&rs->coordinator_gone, 0);
	pg_atomic_init_u32(&rs->launch_complete, 0);
	pg_atomic_init_u32(&rs->started, 0);
	pg_atomic_init_u32(&rs->stop_reason, STOP_NONE);
	pg_atomic_init_u32(&rs->users_finished, 0);
	pg_atomic_init_u64(&rs->next_arrival, 0);
	pg_atomic_init_u64(&rs->unique_next, 0);
	for (int i = 0; i < nusers; i++)
		pg_atomic_init_u32(&runstate_user(rs, i)->busy, 0);
	SpinLockInit(&rs->ready_lock);
	rs->ready_count = 0;
	pg_atomic_init_u32(&rs->recorder_state, RECORDER_STARTING);
	for (int i = 0; i < RECENT_SECONDS; i++)
		pg_atomic_init_u64(&rs->recent[i].second, 0);

	for (int i = 0; i < nworkers; i++)
	{
		WorkerSlot *slot = runstate_slot(rs, i);
		SampleRing *ring = runstate_ring(rs, i);

		pg_atomic_init_u32(&slot->state, SLOT_NOT_STARTED);
		pg_atomic_init_u64(&slot->ops_done, 0);
		pg_atomic_init_u64(&slot->errors, 0);
		slot->pgprocno = -1;
		slot->serving = -1;

		pg_atomic_init_u64(&ring->head, 0);
		pg_atomic_init_u64(&ring->tail, 0);
		pg_atomic_init_u64(&ring->msg_head, 0);
		pg_atomic_init_u64(&ring->msg_tail, 0);
		pg_atomic_init_u32(&ring->writer_waiting, 0);
		ring->capacity = ring_capacity;
	}
}

/*
 * The run state of an attached segment, or NULL if it is not one this
 * build can read (the magic and layout come first in every build).
 */
RunState *
runstate_attach(dsm_segment *seg)
{
	RunState   *rs = (RunState *) dsm_segment_address(seg);

	if (rs->magic != LOADTEST_MAGIC)
		return NULL;
	if (rs->layout != LOADTEST_LAYOUT)
	{
		ereport(WARNING,
				(errmsg("loadtest: this worker's build of the library differs from the one of the session that started the run"),
				 errhint("Reconnect the session: it still runs the loadtest library it loaded before the upgrade.")));
		return NULL;
	}
	return rs;
}

/*
 * Ask every process of the run to stop.  The first reason given wins;
 * returns whether this call set it.
 */
bool
runstate_request_stop(RunState *rs, RunStopReason reason, const char *message)
{
	uint32		expected = STOP_NONE;
	bool		set;

	set = pg_atomic_compare_exchange_u32(&rs->stop_reason, &expected,
										 (uint32) reason);
	if (set && message != NULL)
		strlcpy(rs->stop_message, message, sizeof(rs->stop_message));
	runstate_wake_all(rs);
	return set;
}

RunStopReason
runstate_stop_reason(RunState *rs)
{
	return (RunStopReason) pg_atomic_read_u32(&rs->stop_reason);
}

/*
 * Set the latch of a process by its PGPROC number.  A latch of a process
 * that has since exited belongs to no one or to a stranger: waking either
 * does no harm.
 */
void
runstate_wake(int pgprocno)
{
	if (pgprocno >= 0 && pgprocno < (int) ProcGlobal->allProcCount)
		SetLatch(&ProcGlobal->allProcs[pgprocno].procLatch);
}

void
runstate_wake_all(RunState *rs)
{
	for (int i = 0; i < rs->nworkers; i++)
	{
		WorkerSlot *slot = runstate_slot(rs, i);

		if (pg_atomic_read_u32(&slot->state) != SLOT_NOT_STARTED)
			runstate_wake(slot->pgprocno);
	}
	runstate_wake(rs->recorder_pgprocno);
	runstate_wake(rs->coordinator_pgprocno);
}

/* Microseconds from the run's start to now. */
int64
runstate_elapsed_us(RunState *rs, instr_time now)
{
	INSTR_TIME_SUBTRACT(now, rs->run_start);
	return INSTR_TIME_GET_MICROSEC(now);
}

static inline ReadyEntry *
ready_heap(RunState *rs)
{
	return (ReadyEntry *) ((char *) rs + rs->ready_offset);
}

/* Earlier due first; among equals, the lower user number. */
static inline bool
ready_before(const ReadyEntry *a, const ReadyEntry *b)
{
	return a->due_us < b->due_us ||
		(a->due_us == b->due_us && a->user < b->user);
}

/* Queue a user whose next operation is due at due_us. */
void
ready_push(RunState *rs, int32 user, int64 due_us)
{
	ReadyEntry *heap = ready_heap(rs);
	ReadyEntry	entry = {due_us, user};
	int			i;

	SpinLockAcquire(&rs->ready_lock);
	Assert(rs->ready_count < rs->nusers);
	i = rs->ready_count++;
	while (i > 0 && ready_before(&entry, &heap[(i - 1) / 2]))
	{
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = entry;
	SpinLockRelease(&rs->ready_lock);
}

/*
 * Take the user that has waited longest, if one is due by now_us.
 * Otherwise *next_due_us is when the next one is due, or -1 when the queue
 * is empty (every user is in service or finished).
 */
bool
ready_pop_due(RunState *rs, int64 now_us, int32 *user, int64 *due_us,
			  int64 *next_due_us)
{
	ReadyEntry *heap = ready_heap(rs);
	ReadyEntry	last;
	int			n;
	int			i = 0;

	SpinLockAcquire(&rs->ready_lock);
	if (rs->ready_count == 0 || heap[0].due_us > now_us)
	{
		*next_due_us = rs->ready_count == 0 ? -1 : heap[0].due_us;
		SpinLockRelease(&rs->ready_lock);
		return false;
	}
	*user = heap[0].user;
	*due_us = heap[0].due_us;
	n = --rs->ready_count;
	last = heap[n];
	for (;;)
	{
		int			child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && ready_before(&heap[child + 1], &heap[child]))
			child++;
		if (!ready_before(&heap[child], &last))
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (n > 0)
		heap[i] = last;
	SpinLockRelease(&rs->ready_lock);
	return true;
}

/* Has the user done all it will do: its operations, or the run's time? */
bool
user_finished(RunState *rs, VirtualUser *user, int64 now_us)
{
	if (user->ops_done >= user->ops_planned)
		return true;
	return rs->shape.bound == BOUND_DURATION && now_us >= rs->deadline_us;
}

/*
 * The target of a staged run at t_us: linear within each stage, from the
 * previous stage's target (0 before the first).
 */
double
stage_target(RunState *rs, int64 t_us)
{
	double		from = 0;
	int64		start_us = 0;

	for (int i = 0; i < rs->nstages; i++)
	{
		RunStage   *stage = &rs->stages[i];

		if (t_us < stage->end_us)
			return from + (stage->target - from) *
				(double) (t_us - start_us) / (double) (stage->end_us - start_us);
		from = stage->target;
		start_us = stage->end_us;
	}
	return from;
}

/* In a run staged by users, is user number user_index+1 on at t_us? */
bool
user_active(RunState *rs, int user_index, int64 t_us)
{
	if (rs->shape.load == LOAD_RAMP || rs->shape.load == LOAD_STAGED_RATE)
		return true;
	return user_index < (int) ceil(stage_target(rs, t_us) - 1e-9);
}

/*
 * When the k-th arrival of a run staged by rates is due: the arrivals so
 * far are the integral of the rate, quadratic within a stage whose rate
 * moves from r0 to r1; solve it in the stage that holds arrival k.
 * Past the last stage: never (its end).
 */
static int64
staged_arrival_time_us(RunState *rs, uint64 k)
{
	double		before = 0;		/* arrivals before this stage */
	double		r0 = 0;
	double		t0 = 0;

	for (int i = 0; i < rs->nstages; i++)
	{
		double		t1 = rs->stages[i].end_us / 1e6;
		double		r1 = rs->stages[i].target;
		double		d = t1 - t0;
		double		in_stage = (r0 + r1) / 2 * d;

		if (k < before + in_stage)
		{
			double		n = k - before;
			double		x;

			if (fabs(r1 - r0) < 1e-12)
				x = n / r0;
			else
			{
				double		a = (r1 - r0) / (2 * d);

				x = (-r0 + sqrt(r0 * r0 + 4 * a * n)) / (2 * a);
			}
			return (int64) ((t0 + x) * 1e6);
		}
		before += in_stage;
		r0 = r1;
		t0 = t1;
	}
	return rs->stages[rs->nstages - 1].end_us;
}

/*
 * When the k-th arrival (from 0) of a rate run is due.  Over the ramp-up
 * R the rate grows linearly from 0, so the arrivals so far are
 * rate t^2 / 2R; after it they come at the full rate.
 */
int64
arrival_time_us(RunState *rs, uint64 k)
{
	double		rate = rs->rate;
	double		ramp_s = rs->ramp_up_us / 1e6;
	double		t;

	if (rs->shape.load == LOAD_STAGED_RATE)
		return staged_arrival_time_us(rs, k);

	if (ramp_s > 0 && k < rate * ramp_s / 2)
		t = sqrt(2.0 * ramp_s * k / rate);
	else
		t = ramp_s + (k - rate * ramp_s / 2) / rate;
	return (int64) (t * 1e6);
}

uint64
ring_used(SampleRing *ring)
{
	return pg_atomic_read_u64(&ring->head) - pg_atomic_read_u64(&ring->tail);
}

/*
 * Append a sample (and the message of a failed one).  Returns false, writing
 * nothing, when the ring or its message ring is full: the caller wakes the
 * recorder and tries again.
 */
bool
ring_push(SampleRing *ring, const SampleRecord *sample, const char *message)
{
	uint64		head = pg_atomic_read_u64(&ring->head);

	if (head - pg_atomic_read_u64(&ring->tail) >= ring->capacity)
		return false;
	if (message != NULL)
	{
		uint64		msg_head = pg_atomic_read_u64(&ring->msg_head);
		char	   *dest;
		int			len;

		if (msg_head - pg_atomic_read_u64(&ring->msg_tail) >=
			LOADTEST_RING_MESSAGES)
			return false;
		dest = ring->messages[msg_head % LOADTEST_RING_MESSAGES];
		/* cut at a character boundary: the text must stay valid */
		len = pg_mbcliplen(message, strlen(message), LOADTEST_MESSAGE_LEN - 1);
		memcpy(dest, message, len);
		dest[len] = '\0';
		pg_atomic_write_u64(&ring->msg_head, msg_head + 1);
	}
	ring->samples[head & (ring->capacity - 1)] = *sample;
	pg_write_barrier();
	pg_atomic_write_u64(&ring->head, head + 1);
	return true;
}

/* Send a cancel request to the process at pgprocno, if it is still ours. */
static void
cancel_process(int pid, int pgprocno)
{
	PGPROC	   *proc;

	if (pid <= 0 || pgprocno < 0)
		return;
	proc = BackendPidGetProc(pid);
	if (proc != NULL && proc->pgprocno == pgprocno)
		(void) kill(pid, SIGINT);
}

/*
 * Interrupt what the users of a stopping run wait for, so that every one
 * of them stops within a second: a user waiting on a lock fails (and is
 * recorded) with SQLSTATE 57014.  (The recorder watches for itself: it
 * gives up a lock wait once the run is stopping, see recorder.c, and is not
 * interrupted in the middle of a write.)  The PGPROC check makes sure the
 * pid still belongs to our process.  Called by the coordinator, and by
 * loadtest_cancel() from any backend.
 */
void
runstate_interrupt_workers(RunState *rs)
{
	int			launched = rs->workers_launched;

	pg_read_barrier();
	for (int i = 0; i < launched && i < rs->nworkers; i++)
	{
		WorkerSlot *slot = runstate_slot(rs, i);

		if (pg_atomic_read_u32(&slot->state) == SLOT_RUNNING)
			cancel_process(slot->pid, slot->pgprocno);
	}
}
