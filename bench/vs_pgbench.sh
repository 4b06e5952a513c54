#!/usr/bin/env bash
# The engine against pgbench on the same server and data: throughput of
# read_file_metadata (a primary-key lookup) and read_member_detail (the
# member by id, then its employments with their organizations; one
# transaction) at think time 0, for each concurrency N, measured by
#   engine   loadtest_run(users => N, ops => K, pattern => op,
#            think_time_ms => 0, ramp_up_s => 0), samples recorded:
#            run_summary.throughput_ops_s (K calibrated for about DURATION
#            s), and engine_wall, the same run's operations over the wall
#            time of the whole call (launch and the recorder's last INSERTs
#            included)
#   pgbench  -M prepared -c N -j min(N, cores) -T DURATION, the operation's
#            SQL over the unix socket, ids drawn as the engine draws them
#            (uniform over the table's min..max id); read_member_detail's
#            two SELECTs between BEGIN and END: one transaction, as in the
#            engine
#   plpgsql  N psql sessions, each CALLing a procedure that loops over the
#            same statements with COMMIT per iteration for DURATION s: the
#            ceiling of anything that runs inside the server
# interleaved, REPEAT rounds; prints each measurement, then the medians and
# the ratios to pgbench.  VARIANTS can add engine_nosamples
# (loadtest.record_samples = off) and engine_bare (loadtest.instrument =
# off: the same transactions, neither timed, shown nor recorded; rate over
# runs.duration_s, workers' start-up included).  autovacuum is off and the
# result tables are emptied after each engine run, so that every
# measurement sees the same tables.  SKIP_BUILD=1 uses the installed build.
# Usage: bench/vs_pgbench.sh        (DURATION=8 REPEAT=3 USERS_LIST="2 8"
#        OPS_LIST="read_file_metadata read_member_detail" SKIP_BUILD=1
#        VARIANTS="engine pgbench plpgsql engine_nosamples engine_bare")
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

DURATION=${DURATION:-8}
REPEAT=${REPEAT:-3}
USERS_LIST=${USERS_LIST:-2 8}
OPS_LIST=${OPS_LIST:-read_file_metadata read_member_detail}
VARIANTS=${VARIANTS:-engine pgbench plpgsql}

install_packages postgresql-15 postgresql-server-dev-15 make gcc
[ "${SKIP_BUILD:-0}" = 1 ] || build_and_install >/dev/null

# autovacuum off: nothing the runs do needs it (reads; the result tables are
# emptied after each engine run), and it would land in some measurements.
start_scratch_cluster "${PORT:-54333}" 10000 \
	"max_worker_processes = 32" "shared_buffers = 512MB" "autovacuum = off" "loadtest.progress_interval = 0"
q() { psql_cluster -At "$@"; }
q -c "VACUUM ANALYZE" -c "CHECKPOINT"

# The ids the engine draws: values of existing rows (the built-in
# operations' column generators, src/workload.c); the seeded ids have no
# gaps, so min..max of the table draws the same.
read -r AMIN AMAX < <(q -F ' ' -c "SELECT min(attachment_id), max(attachment_id) FROM membership.file_attachments")
read -r MMIN MMAX < <(q -F ' ' -c "SELECT min(member_id), max(member_id) FROM membership.members")
[ "$(q -c "SELECT count(*) FROM membership.file_attachments")" = $((AMAX - AMIN + 1)) ] &&
	[ "$(q -c "SELECT count(*) FROM membership.members")" = $((MMAX - MMIN + 1)) ] ||
	{ echo "bench/vs_pgbench.sh: the seeded ids have gaps" >&2; exit 1; }

# The statements of the built-in operations (loadtest.operations, from
# src/sql/12_builtin_workload.sql), verbatim: checked against the
# catalogue below.
SQL_ATTACHMENT_GET="SELECT attachment_id, member_id, file_name, content_type, size_bytes, storage_key, uploaded_at FROM membership.file_attachments WHERE attachment_id = :id;"
SQL_MEMBER_GET="SELECT member_id, first_name, last_name, email, phone, city, status, classification, join_date FROM membership.members WHERE member_id = :id;"
SQL_MEMBER_EMPLOYMENTS="SELECT e.employment_id, e.title, e.status, e.is_current, e.start_date, e.end_date, o.organization_id, o.name FROM membership.member_employments e JOIN membership.organizations o ON o.organization_id = e.organization_id WHERE e.member_id = :id ORDER BY e.is_current DESC, e.start_date DESC;"
# same_statements <operation> <statement>...: as the catalogue has them
same_statements() {
	local op=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sed 's/:id/$1/g; s/;$//')
	got=$(q -c "SELECT array_to_string(statements, E'\\n') FROM loadtest.operations WHERE operation = '$op'")
	[ "$got" = "$want" ] || { echo "bench/vs_pgbench.sh: the statements of $op are not those of loadtest.operations" >&2; exit 1; }
}
same_statements read_file_metadata "$SQL_ATTACHMENT_GET"
same_statements read_member_detail "$SQL_MEMBER_GET" "$SQL_MEMBER_EMPLOYMENTS"

cat >"$DIR/read_file_metadata.pgbench" <<EOF
\set id random($AMIN, $AMAX)
$SQL_ATTACHMENT_GET
EOF
cat >"$DIR/read_member_detail.pgbench" <<EOF
\set id random($MMIN, $MMAX)
BEGIN;
$SQL_MEMBER_GET
$SQL_MEMBER_EMPLOYMENTS
END;
EOF
chmod 644 "$DIR"/*.pgbench

# The same statements looped in PL/pgSQL, one transaction per iteration,
# for secs seconds; returns the iterations done.  PERFORM runs a query and
# discards its rows; the variable id stands for :id.
perform() { local sql=${1//:id/id}; echo "PERFORM ${sql#SELECT }"; }
q <<EOF
CREATE SCHEMA bench;
CREATE PROCEDURE bench.read_file_metadata(secs float8, INOUT n bigint DEFAULT 0)
LANGUAGE plpgsql AS \$\$
DECLARE
    id bigint;
    t_end timestamptz := clock_timestamp() + secs * interval '1 second';
BEGIN
    WHILE clock_timestamp() < t_end LOOP
        id := $AMIN + floor(random() * ($AMAX - $AMIN + 1))::bigint;
        $(perform "$SQL_ATTACHMENT_GET")
        COMMIT;
        n := n + 1;
    END LOOP;
END \$\$;
CREATE PROCEDURE bench.read_member_detail(secs float8, INOUT n bigint DEFAULT 0)
LANGUAGE plpgsql AS \$\$
DECLARE
    id bigint;
    t_end timestamptz := clock_timestamp() + secs * interval '1 second';
BEGIN
    WHILE clock_timestamp() < t_end LOOP
        id := $MMIN + floor(random() * ($MMAX - $MMIN + 1))::bigint;
        $(perform "$SQL_MEMBER_GET")
        $(perform "$SQL_MEMBER_EMPLOYMENTS")
        COMMIT;
        n := n + 1;
    END LOOP;
END \$\$;
EOF
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# engine <op> <users> <ops per user> <GUC settings>: "X W", ops/s of one
# run: X as the issue defines it (run_summary.throughput_ops_s: operations
# over the samples' span, first start to last end; with nothing recorded,
# over runs.duration_s, from the run's start), and W over the wall time of
# the whole loadtest_run() call (launch, workers' start-up, the recorder's
# last INSERTs and its closing of the run included)
engine() {
	local op=$1 n=$2 ops=$3 set=$4
	q -F ' ' <<-SQL
	$set;
	SELECT clock_timestamp() AS t0 \gset
	SELECT loadtest_run(users => $n, ops => $ops, pattern => '$op', think_time_ms => 0, ramp_up_s => 0) AS id \gset
	SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 6) AS wall \gset
	SELECT round(coalesce(nullif(s.throughput_ops_s, 0),
	                      (SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id) / r.duration_s)::numeric),
	       round((SELECT sum(ops_done) FROM loadtest.run_users u WHERE u.run_id = r.run_id) / :wall)
	  FROM loadtest.runs r JOIN loadtest.run_summary s USING (run_id) WHERE r.run_id = :id;
	TRUNCATE loadtest.sample_log, loadtest.run_users, loadtest.run_operations, loadtest.run_patterns, loadtest.runs;
	SQL
}

pgbench_tps() {
	local op=$1 n=$2 j=$(( $2 < $(nproc) ? $2 : $(nproc) ))
	as_server_user pgbench -n -M prepared -h "$PGHOST" -p "$PGPORT" -U postgres \
		-c "$n" -j "$j" -T "$DURATION" -f "$DIR/$op.pgbench" postgres 2>&1 |
		awk '/^tps = / { printf "%d\n", $3 }'
}

plpgsql_rate() {
	local op=$1 n=$2 i
	for i in $(seq 1 "$n"); do
		q -c "CALL bench.$op($DURATION)" >"$DIR/plpgsql.$i" &
	done
	wait
	cat "$DIR"/plpgsql.* | awk -v d="$DURATION" '{ s += $1 } END { printf "%d\n", s / d }'
	rm -f "$DIR"/plpgsql.*
}

measure() {	# <variant> <op> <users> <ops per user>
	case $1 in
	engine) engine "$2" "$3" "$4" "SET loadtest.record_samples = on" ;;
	engine_nosamples) engine "$2" "$3" "$4" "SET loadtest.record_samples = off" | cut -d' ' -f1 ;;
	engine_bare) engine "$2" "$3" "$4" "SET loadtest.instrument = off" | cut -d' ' -f1 ;;
	pgbench) pgbench_tps "$2" "$3" ;;
	plpgsql) plpgsql_rate "$2" "$3" ;;
	esac
}

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(q -c 'SHOW server_version')"
echo "data: loadtest_seed(10000): attachment_id $AMIN..$AMAX, member_id $MMIN..$MMAX; shared_buffers 512MB"
echo "each measurement about $DURATION s; $REPEAT rounds, interleaved; ops/s"
declare -A results
for op in $OPS_LIST; do
	for n in $USERS_LIST; do
		# warm-up and calibration: ops per user for about DURATION s
		rate=$(engine "$op" "$n" 2000 "SET loadtest.record_samples = on" | cut -d' ' -f2)
		ops=$(awk -v r="$rate" -v n="$n" -v d="$DURATION" 'BEGIN { printf "%d", r * d / n }')
		q -c "CALL bench.$op(1)" >/dev/null
		for round in $(seq 1 "$REPEAT"); do
			line="$op users=$n round=$round:"
			for v in $VARIANTS; do
				read -r x w < <(measure "$v" "$op" "$n" "$ops")
				results[$op,$n,$v]+="$x "
				line+=" $v $x"
				if [ "$v" = engine ]; then
					results[$op,$n,engine_wall]+="$w "
					line+=" engine_wall $w"
				fi
			done
			echo "$line"
		done
	done
done

COLUMNS=$(echo " $VARIANTS " | sed 's/ engine / engine engine_wall /')
echo
printf '%-20s %5s' operation users
for v in $COLUMNS; do printf ' %16s' "$v"; done
for v in $COLUMNS; do [ "$v" = pgbench ] || printf ' %17s' "$v/pgbench"; done
echo
for op in $OPS_LIST; do
	for n in $USERS_LIST; do
		printf '%-20s %5s' "$op" "$n"
		declare -A med=()
		for v in $COLUMNS; do
			med[$v]=$(printf '%s\n' ${results[$op,$n,$v]} | median)
			printf ' %16s' "${med[$v]}"
		done
		for v in $COLUMNS; do
			[ "$v" = pgbench ] && continue
			printf ' %16sx' "$(awk -v a="${med[$v]}" -v b="${med[pgbench]}" 'BEGIN { printf "%.2f", a / b }')"
		done
		echo
		unset med
	done
done
