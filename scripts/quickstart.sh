#!/usr/bin/env bash
# Build and install loadtest (the extension and the pg_loadtest client),
# start a throwaway PostgreSQL 15 cluster on a private port and socket,
# seed the membership workload, and run the "quick" scenario (10 users x 20
# operations) with pg_loadtest, which shows its progress and prints its
# report.  The cluster is stopped and removed at the end.
#
#   PORT=N        the cluster's port (54329)
#   KEEP=1        keep the cluster running; the script prints the commands
#                 that connect to it, run a scenario, stop it and remove it
#   SKIP_BUILD=1  use the build already installed (no make clean, no make
#                 install)
#
# The cluster has a background worker slot for every user of the largest
# scenario of loadtest.scenarios (stress, 200 users), its recorder and its
# launcher, with room for the server's own workers.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ -n "${SKIP_BUILD:-}" ] || build_and_install

if ! command -v pg_loadtest >/dev/null; then
	echo "pg_loadtest is not in $PG_BINDIR: run the script without SKIP_BUILD=1" >&2
	exit 1
fi

# Worker slots: enough for stress (200 users, a recorder, a launcher: 202)
# and the server's own workers (the logical replication launcher and up to
# max_parallel_workers = 8 parallel workers).  Each slot costs shared
# memory (a PGPROC and its share of the lock table): 153 MB of shared memory
# instead of 146 MB with 72 slots.
WORKER_SLOTS=220

echo "== starting a scratch cluster (port ${PORT:-54329}) and seeding the workload"
start_scratch_cluster "${PORT:-54329}" 10000 \
	"max_worker_processes = $WORKER_SLOTS" "loadtest.progress_interval = 2"

# A scenario added to loadtest.scenarios with more users than stress gets
# the slots it needs (max_worker_processes only changes with a restart).
needed=$(psql_cluster -At <<'SQL'
-- users, a recorder and a launcher; the logical replication launcher and
-- the parallel workers
SELECT max(users) + 2 + 1 + current_setting('max_parallel_workers')::int
FROM loadtest.scenarios
SQL
)
if [ "$needed" -gt "$WORKER_SLOTS" ]; then
	echo "== raising max_worker_processes to $needed for the largest scenario"
	psql_cluster -c "ALTER SYSTEM SET max_worker_processes = $needed"
	as_server_user pg_ctl -D "$DIR/data" -l "$DIR/server.log" -w restart >/dev/null
fi

echo "== running the quick scenario (10 users x 20 operations) with pg_loadtest"
as_server_user pg_loadtest -h "$PGHOST" -p "$PGPORT" -U postgres --quick
