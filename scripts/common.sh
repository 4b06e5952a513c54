# Shared by scripts/quickstart.sh and scripts/test.sh: install what the
# build needs, build and install the extension, and run commands as the OS
# user that owns the scratch clusters (the server refuses to run as root).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BINDIR=/usr/lib/postgresql/15/bin
export PATH="$PG_BINDIR:$PATH"
export PG_CONFIG="$PG_BINDIR/pg_config"
[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config || echo pg_config)

# The OS user that runs the servers: postgres when we are root.
if [ "$(id -u)" = 0 ]; then
	RUN_AS=postgres
else
	RUN_AS=$(id -un)
fi

as_server_user() {
	if [ "$(id -un)" = "$RUN_AS" ]; then
		"$@"
	else
		# keep PATH so that the PostgreSQL 15 binaries come first
		runuser -u "$RUN_AS" -- env PATH="$PATH" PG_CONFIG="$PG_CONFIG" "$@"
	fi
}

install_packages() {
	local missing=()
	local pkg
	for pkg in "$@"; do
		dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "== installing ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

build_and_install() {
	echo "== building and installing the extension"
	make -C "$ROOT" -s clean >/dev/null
	make -C "$ROOT" -s WERROR=1 PG_CONFIG="$PG_CONFIG"
	if [ -w "$($PG_CONFIG --pkglibdir)" ]; then
		make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG"
	else
		sudo make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG"
	fi
}

# A scratch directory the server user can write to.
scratch_dir() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/loadtest.XXXXXX")
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown "$RUN_AS" "$dir"
	echo "$dir"
}

# Start a throwaway cluster owned by the server user on a private port and
# socket, with the extension created and the workload seeded.  Sets DIR
# (its directory), PGHOST and PGPORT, and stops and removes it at exit
# (unless KEEP is set: then it prints the commands that use, stop and
# remove it).  Arguments: port, members to seed, then extra
# postgresql.conf lines.
start_scratch_cluster() {
	local port=$1 members=$2
	shift 2
	DIR=$(scratch_dir)
	export PGHOST=$DIR PGPORT=$port
	trap 'stop_scratch_cluster' EXIT
	as_server_user initdb -D "$DIR/data" -A trust -U postgres >/dev/null
	{
		echo "listen_addresses = ''"
		echo "port = $port"
		echo "unix_socket_directories = '$DIR'"
		printf '%s\n' "$@"
	} >>"$DIR/data/postgresql.conf"
	as_server_user pg_ctl -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
	psql_cluster -c "CREATE EXTENSION loadtest" -c "SELECT loadtest_seed($members)" >/dev/null
}

# At exit: stop and remove the scratch cluster, or, with KEEP set, say how
# to use, stop and remove it (also when the script failed).
stop_scratch_cluster() {
	if [ -n "${KEEP:-}" ]; then
		kept_cluster_commands
		return 0
	fi
	as_server_user pg_ctl -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
}

# The commands that connect to the kept cluster, run a scenario on it, stop
# it and remove it, as they are typed (the PostgreSQL 15 programs other
# than psql are not on a user's PATH).
kept_cluster_commands() {
	local dir stop
	printf -v dir '%q' "$DIR"
	stop="$PG_BINDIR/pg_ctl -D $dir/data stop"
	[ "$(id -u)" = 0 ] && stop="runuser -u $RUN_AS -- $stop"
	cat <<EOF
== the cluster keeps running in $DIR (port $PGPORT, server log $DIR/server.log)
   connect:         psql -h $dir -p $PGPORT -U postgres
   run a scenario:  $PG_BINDIR/pg_loadtest -h $dir -p $PGPORT -U postgres --stress
   stop it:         $stop
   remove it:       rm -rf $dir
EOF
}

# psql on the scratch cluster, as the superuser, stopping at the first error.
psql_cluster() {
	as_server_user psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres "$@"
}
