#!/usr/bin/env bash
# A primary-key lookup defined by a user (loadtest_define_operation on a
# table of the user's own schema) against the built-in read_file_metadata:
# both go through the same generic path, so their throughput should match.
# The user's table app.attachments is a copy of membership.file_attachments
# with the same primary key, and its operation is the built-in's statement
# on it, drawing ids with the same column generator.  Each round runs both,
# interleaved, at think time 0 for about DURATION s each, samples
# recorded; throughput = run_summary.throughput_ops_s.  Prints each round,
# then the medians and the ratio defined / built-in.
# Usage: bench/defined_vs_builtin.sh   (DURATION=8 REPEAT=5 USERS_LIST="2 8"
#        SKIP_BUILD=1)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

DURATION=${DURATION:-8}
REPEAT=${REPEAT:-5}
USERS_LIST=${USERS_LIST:-2 8}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

start_scratch_cluster "${PORT:-54336}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "autovacuum = off" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q <<'SQL' >/dev/null
CREATE SCHEMA app;
CREATE TABLE app.attachments (LIKE membership.file_attachments INCLUDING ALL);
INSERT INTO app.attachments SELECT * FROM membership.file_attachments;
SELECT loadtest_define_operation(
    name => 'attachment_lookup', kind => 'read',
    statements => ARRAY['SELECT attachment_id, member_id, file_name, content_type, size_bytes, storage_key, uploaded_at FROM app.attachments WHERE attachment_id = $1'],
    params => '[{"type": "column", "table": "app.attachments", "column": "attachment_id"}]');
VACUUM ANALYZE;
CHECKPOINT;
SQL

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run <pattern> <users> <ops per user>: throughput_ops_s of one run
run() {
	q <<-SQL
	SELECT loadtest_run(users => $2, ops => $3, pattern => '$1', think_time_ms => 0, ramp_up_s => 0) AS id \gset
	SELECT round(throughput_ops_s) FROM loadtest.run_summary WHERE run_id = :id;
	SET client_min_messages = warning;
	TRUNCATE loadtest.runs CASCADE;
	SQL
}

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(q -c 'SHOW server_version')"
for n in $USERS_LIST; do
	rate=$(run read_file_metadata "$n" 2000)
	ops=$(awk -v r="$rate" -v n="$n" -v d="$DURATION" 'BEGIN { printf "%d", r * d / n }')
	builtin=() defined=()
	for round in $(seq 1 "$REPEAT"); do
		b=$(run read_file_metadata "$n" "$ops")
		d=$(run attachment_lookup "$n" "$ops")
		builtin+=("$b") defined+=("$d")
		echo "users=$n round=$round: read_file_metadata $b attachment_lookup $d"
	done
	mb=$(printf '%s\n' "${builtin[@]}" | median)
	md=$(printf '%s\n' "${defined[@]}" | median)
	echo "users=$n median: read_file_metadata $mb attachment_lookup $md ratio $(awk -v a="$md" -v b="$mb" 'BEGIN { printf "%.3f", a / b }')"
done
