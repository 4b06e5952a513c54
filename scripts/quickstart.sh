#!/usr/bin/env bash
# Build and install loadtest, start a throwaway PostgreSQL 15 cluster on a
# private port and socket, seed the membership workload, run the "quick"
# scenario (10 users x 20 operations) and print its report.  The cluster is
# stopped and removed at the end.  Set KEEP=1 to keep it running.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages postgresql-15 postgresql-server-dev-15 make gcc
build_and_install

DIR=$(scratch_dir)
PORT=${PORT:-54329}
cleanup() {
	if [ -z "${KEEP:-}" ]; then
		as_server_user pg_ctl -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT

echo "== starting a scratch cluster in $DIR (port $PORT)"
as_server_user initdb -D "$DIR/data" -A trust -U postgres >/dev/null
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$DIR'
max_worker_processes = 72
loadtest.progress_interval = 2
CONF
as_server_user pg_ctl -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null

psql_cluster() {
	as_server_user psql -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres "$@"
}

echo "== seeding and running the quick scenario (10 users x 20 operations)"
psql_cluster <<'SQL'
CREATE EXTENSION loadtest;
SELECT loadtest_seed();
SELECT loadtest_scenario('quick') AS run_id \gset
\pset format unaligned
\pset tuples_only on
SELECT loadtest_report(:run_id);
SQL

if [ -n "${KEEP:-}" ]; then
	echo "== the cluster keeps running: psql -h $DIR -p $PORT -U postgres"
fi
