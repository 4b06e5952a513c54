/*-------------------------------------------------------------------------
 *
 * runstate.h
 *	  The shared state of one load test run: a dynamic shared memory segment
 *	  created by the coordinating backend (the caller of loadtest_run) and
 *	  attached by the run's recorder worker and its user workers.
 *
 * Layout of the segment:
 *
 *	  RunState header
 *	  VirtualUser[nusers]			each simulated user's own state
 *	  ReadyEntry[nusers]			the ready queue of a pooled run
 *	  WorkerSlot[nworkers]			each worker's state and counters
 *	  SampleRing[nworkers]			one single-producer ring per worker
 *
 * A simulated user (VirtualUser) is kept apart from the process that serves
 * it (WorkerSlot).  Without a pool each worker serves one user of its own;
 * with pool_size => W, W workers serve all users through the ready queue, a
 * heap ordered by the time each user's next operation is due, so that a
 * free worker always takes the user that has waited longest.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADTEST_RUNSTATE_H
#define LOADTEST_RUNSTATE_H

#include "common/pg_prng.h"
#include "port/atomics.h"
#include "portability/instr_time.h"
#include "storage/dsm.h"
#include "storage/spin.h"

#include "histogram.h"
#include "patterns.h"

#define LOADTEST_MAGIC			0x4C545331	/* "LTS1" */

#define LOADTEST_MAX_USERS		100000
#define LOADTEST_MAX_DURATION_US	(INT64CONST(7) * 86400 * 1000000)	/* a week */
#define LOADTEST_MAX_OPS		10000000
#define LOADTEST_MAX_TOTAL_OPS	INT64CONST(100000000)
#define LOADTEST_MAX_THINK_MS	3600000 /* one hour */
#define LOADTEST_MAX_RAMP_UP_S	86400.0 /* one day */

#define LOADTEST_MESSAGE_LEN	256 /* bytes kept of an error message */
#define LOADTEST_RING_MESSAGES	32	/* error messages a ring can hold */
#define LOADTEST_RING_MAX		4096	/* samples a ring can hold */
#define LOADTEST_RING_MAX_BUSY	16384	/* ... when its users do not think */
#define LOADTEST_RINGS_MAX_BYTES	(64 * 1024 * 1024)	/* of a run */

#define LOADTEST_MAX_STAGES		32

/*
 * How long a stopping run's processes may take to stop by themselves (a
 * cancel): after that, one still running SQL that traps the cancel is
 * terminated, which no SQL can trap.
 */
#define LOADTEST_STOP_GRACE_MS	1000
#define MEMORY_SLOT_POINTS		4	/* a worker's memory points not yet read */

/*
 * The last seconds of a run, for loadtest.progress (1.6): the recorder
 * counts each attempt it drains into the second it ended in, in a ring of
 * RECENT_SECONDS; readers merge the last PROGRESS_WINDOW_S complete ones.
 */
#define RECENT_SECONDS			8
#define PROGRESS_WINDOW_S		5

/*
 * A stage of a staged run: the target (users, or operations per second)
 * moves linearly from the previous stage's target (0 before the first)
 * to this one's by end_us.
 */
typedef struct RunStage
{
	int64		end_us;
	double		target;
} RunStage;

/*
 * The shape of a run, decided once from the request (run_request.c,
 * run_shape_decide) and read everywhere else: who serves the users, what
 * bounds the run, and how its load moves over time.
 */
typedef enum RunService
{
	SERVICE_DEDICATED,			/* a worker of its own per user */
	SERVICE_POOLED,				/* pool_size workers share the users */
	SERVICE_ARRIVALS			/* rate => ...: arrivals on schedule (open model) */
} RunService;

typedef enum RunBound
{
	BOUND_OPS,					/* each user does ops operations */
	BOUND_DURATION				/* the run lasts duration (or its stages) */
} RunBound;

typedef enum RunLoad
{
	LOAD_RAMP,					/* users start over ramp_up, then stay */
	LOAD_STAGED_USERS,			/* stages move the number of active users */
	LOAD_STAGED_RATE			/* stages move the arrival rate */
} RunLoad;

typedef struct RunShape
{
	RunService	service;
	RunBound	bound;
	RunLoad		load;
} RunShape;

/* Which attempts loadtest.sample_log keeps (samples => ...). */
typedef enum SamplesKept
{
	SAMPLES_ALL,
	SAMPLES_ERRORS,				/* the failed ones */
	SAMPLES_NONE,
	SAMPLES_FRACTION			/* a share of them, drawn from the run's seed */
} SamplesKept;

/* Why a run stops; first writer wins (see runstate_request_stop). */
typedef enum RunStopReason
{
	STOP_NONE = 0,				/* still running, or finished normally */
	STOP_CANCELLED,				/* the coordinating call was cancelled */
	STOP_ABORTED,				/* the coordinating backend went away */
	STOP_FAILED					/* the run could not go on */
} RunStopReason;

/* Life of a worker slot. */
typedef enum WorkerSlotState
{
	SLOT_NOT_STARTED = 0,
	SLOT_ATTACHED,				/* attached, connecting */
	SLOT_RUNNING,				/* connected, serving users */
	SLOT_EXITED					/* gone, normally or not */
} WorkerSlotState;

/* Life of the recorder. */
typedef enum RecorderState
{
	RECORDER_STARTING = 0,
	RECORDER_READY,				/* the runs row exists */
	RECORDER_FAILED,			/* could not create the runs row */
	RECORDER_FINISHED			/* final status written */
} RecorderState;

/* A simulated user: everything about it that outlives any one operation. */
typedef struct VirtualUser
{
	int32		user_no;		/* 1..nusers */
	int16		pattern;		/* the run's number of its pattern */
	int32		ops_planned;
	int32		ops_done;		/* attempted, failed ones included */
	int32		worker_no;		/* its own worker; -1 in a pooled run */
	bool		finished;		/* did all it had to do (set by its worker) */
	pg_atomic_uint32 busy;		/* rate runs: being served by a worker */
	bool		lost;			/* did not finish though the run went on */
	int64		planned_start_us;	/* offset from the run's start */
	pg_prng_state rng;
} VirtualUser;

/* One attempted operation on its way to loadtest.samples. */
typedef struct SampleRecord
{
	int64		start_us;
	int64		latency_us;
	int64		wait_us;		/* from when it was due to its start */
	int32		user_no;
	int32		op_no;
	int32		sqlerrcode;		/* 0 when successful */
	int16		operation;		/* the run's number of the operation */
	int16		pattern;		/* the run's number of the user's pattern */
	int16		tries;			/* 1 unless retried */
} SampleRecord;

/*
 * Single-producer single-consumer ring: the worker appends, the recorder
 * consumes.  Messages of failed samples travel in a ring of their own, in
 * the same order as the failed samples.  A worker that finds the ring full
 * sets writer_waiting and sleeps; the recorder wakes it once it has made
 * room.
 */
typedef struct SampleRing
{
	pg_atomic_uint64 head;		/* next sample to write (worker) */
	pg_atomic_uint64 tail;		/* next sample to read (recorder) */
	pg_atomic_uint64 msg_head;
	pg_atomic_uint64 msg_tail;
	pg_atomic_uint32 writer_waiting;	/* the worker waits for room */
	uint32		capacity;		/* power of two */
	char		messages[LOADTEST_RING_MESSAGES][LOADTEST_MESSAGE_LEN];
	SampleRecord samples[FLEXIBLE_ARRAY_MEMBER];
} SampleRing;

typedef struct WorkerSlot
{
	pg_atomic_uint32 state;		/* WorkerSlotState */
	int32		pid;
	int			pgprocno;
	int32		first_user;		/* users first_user .. first_user+nusers-1 */
	int32		nusers;			/* 0 in a pooled run */
	int32		serving;		/* pooled: the user in service, or -1 */
	pg_atomic_uint64 ops_done;
	pg_atomic_uint64 errors;

	/*
	 * The operation running now, as its number + 1; 0 between operations.
	 * Read without locks by the recorder's wait sampler.
	 */
	pg_atomic_uint32 current_op;

	/*
	 * The worker's memory (the total of its memory contexts) at at_us, when
	 * it had run ops operations: the last MEMORY_SLOT_POINTS points, point
	 * k in memory_points[k % MEMORY_SLOT_POINTS], memory_written the points
	 * written so far (see memory_trace.c).
	 */
	struct
	{
		int64		at_us;
		int64		ops;
		int64		bytes;
	}			memory_points[MEMORY_SLOT_POINTS];
	pg_atomic_uint32 memory_written;
} WorkerSlot;

/*
 * One second of a run as the recorder drained it: second is the number of
 * the second (from the run's start) + 1, 0 for an unused entry; it is
 * written after the counts are reset, so that a reader that sees it
 * unchanged before and after reading read counts of that second.
 */
typedef struct RecentSecond
{
	pg_atomic_uint64 second;
	uint64		ops;
	uint64		errors;
	LatencyHistogram histogram;
} RecentSecond;

/*
 * Fingerprint of the segment's layout.  Every process of a run checks it
 * before trusting anything else in the segment: a session that loaded an
 * older build of the library must not have workers of a newer one misread
 * its run (or the other way round).
 */
#define LOADTEST_LAYOUT \
	((uint32) (sizeof(struct RunState) ^ (sizeof(VirtualUser) << 12) ^ \
			   (sizeof(WorkerSlot) << 18) ^ (sizeof(SampleRecord) << 26) ^ \
			   (offsetof(SampleRing, capacity) << 6) ^ \
			   (offsetof(SampleRing, samples) << 20)))

typedef struct RunState
{
	uint32		magic;
	uint32		layout;			/* LOADTEST_LAYOUT of the creating build */
	int64		run_id;			/* allocated by the recorder */
	Oid			database_id;
	Oid			role_id;
	int32		nusers;
	int32		nworkers;
	int32		ops_per_user;
	int32		think_time_ms;
	int32		op_timeout_ms;
	bool		record_samples;
	SamplesKept samples_kept;	/* samples => ... */
	double		samples_fraction;	/* SAMPLES_FRACTION: 0 < f < 1 */
	char		samples_text[32];	/* as runs.samples shows it */
	int32		wait_sample_interval_ms;	/* 0: no wait sampling */
	bool		instrument;		/* loadtest.instrument */
	int32		isolation;		/* loadtest.isolation */
	int32		max_tries;
	int32		hot_rows;
	int64		ramp_up_us;
	RunShape	shape;
	int32		pool_size;		/* pool_size => ...; 0: none */
	int64		deadline_us;	/* BOUND_DURATION: the end */
	double		rate;			/* SERVICE_ARRIVALS: operations/s (the top one when staged) */
	int32		nstages;		/* LOAD_STAGED_*: how many */
	RunStage	stages[LOADTEST_MAX_STAGES];
	int64		total_arrivals; /* rate runs: users x ops, or 0 with a deadline */
	pg_atomic_uint64 next_arrival;
	uint64		seed;
	bool		forced;
	char		pattern_name[NAMEDATALEN];
	char		environment[NAMEDATALEN];

	RunPatterns patterns;		/* resolved by the coordinator */

	/* what column and page generators draw from, gathered by the recorder */
	dsm_handle	values_handle;
	Size		values_size;
	pg_atomic_uint64 unique_next;	/* the next value of unique generators */

	/* set by the coordinator */
	int			coordinator_pgprocno;
	pg_atomic_uint32 coordinator_gone;
	pg_atomic_uint32 launch_complete;
	int32		workers_launched;
	instr_time	run_start;		/* monotonic; valid once started is set */
	pg_atomic_uint32 started;

	/* the ready queue of a pooled run */
	slock_t		ready_lock;
	int32		ready_count;
	pg_atomic_uint32 users_finished;

	pg_atomic_uint64 samples_lost;	/* dropped by workers: not recorded */

	pg_atomic_uint32 stop_reason;	/* RunStopReason */
	char		stop_message[LOADTEST_MESSAGE_LEN];

	/* set by the recorder */
	RecentSecond recent[RECENT_SECONDS];	/* the last seconds drained */
	pg_atomic_uint32 recorder_state;	/* RecorderState */
	int			recorder_pgprocno;
	int			recorder_sqlerrcode;	/* why the recorder could not start */
	char		recorder_error[LOADTEST_MESSAGE_LEN];
	char		recorder_detail[LOADTEST_MESSAGE_LEN];
	char		recorder_hint[LOADTEST_MESSAGE_LEN];
	char		final_status[16];

	Size		users_offset;
	Size		ready_offset;
	Size		slots_offset;
	Size		rings_offset;
	Size		ring_size;
} RunState;

extern Size runstate_size(int nusers, int nworkers, uint32 ring_capacity);
extern void runstate_init(RunState *rs, int nusers, int nworkers,
						  uint32 ring_capacity);
extern RunState *runstate_attach(dsm_segment *seg);

static inline VirtualUser *
runstate_user(RunState *rs, int i)
{
	return ((VirtualUser *) ((char *) rs + rs->users_offset)) + i;
}

static inline WorkerSlot *
runstate_slot(RunState *rs, int i)
{
	return ((WorkerSlot *) ((char *) rs + rs->slots_offset)) + i;
}

static inline SampleRing *
runstate_ring(RunState *rs, int i)
{
	return (SampleRing *) ((char *) rs + rs->rings_offset + rs->ring_size * i);
}

/* An entry of the ready queue. */
typedef struct ReadyEntry
{
	int64		due_us;
	int32		user;			/* index into the users */
} ReadyEntry;

extern void ready_push(RunState *rs, int32 user, int64 due_us);
extern bool ready_pop_due(RunState *rs, int64 now_us, int32 *user,
						  int64 *due_us, int64 *next_due_us);
extern bool user_finished(RunState *rs, VirtualUser *user, int64 now_us);
extern int64 arrival_time_us(RunState *rs, uint64 k);
extern double stage_target(RunState *rs, int64 t_us);
extern bool user_active(RunState *rs, int user_index, int64 t_us);

extern bool runstate_request_stop(RunState *rs, RunStopReason reason,
								  const char *message);
extern RunStopReason runstate_stop_reason(RunState *rs);
extern void runstate_interrupt_workers(RunState *rs);
extern void runstate_wake_all(RunState *rs);
extern void runstate_wake(int pgprocno);
extern int64 runstate_elapsed_us(RunState *rs, instr_time now);

extern bool ring_push(SampleRing *ring, const SampleRecord *sample,
					  const char *message);
extern uint64 ring_used(SampleRing *ring);

#endif							/* LOADTEST_RUNSTATE_H */
