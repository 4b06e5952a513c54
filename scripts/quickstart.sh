#!/usr/bin/env bash
# Build and install loadtest, start a throwaway PostgreSQL 15 cluster on a
# private port and socket, seed the membership workload, run the "quick"
# scenario (10 users x 20 operations) and print its report.  The cluster is
# stopped and removed at the end.  Set KEEP=1 to keep it running.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages postgresql-15 postgresql-server-dev-15 make gcc
build_and_install

echo "== starting a scratch cluster (port ${PORT:-54329}) and seeding the workload"
start_scratch_cluster "${PORT:-54329}" 10000 \
	"max_worker_processes = 72" "loadtest.progress_interval = 2"

echo "== running the quick scenario (10 users x 20 operations)"
psql_cluster <<'SQL'
SELECT loadtest_scenario('quick') AS run_id \gset
\pset format unaligned
\pset tuples_only on
SELECT loadtest_report(:run_id);
SQL

if [ -n "${KEEP:-}" ]; then
	echo "== the cluster keeps running: psql -h $DIR -p $PGPORT -U postgres"
fi
