#!/usr/bin/env bash
# Run every test of loadtest: build with -Wall -Werror, cppcheck src/,
# install, then
#   - pg_regress (sql/, expected/) on a temporary instance it starts itself,
#   - the TAP suite (test/t/*.pl) with PostgreSQL::Test::Cluster.
# Works as root on a fresh Debian 12 machine (it installs what it needs and
# runs the servers as the postgres OS user) and as an ordinary user.
#
# For a developer's quicker loop: TAP="test/t/001_cancel.pl ..." runs only
# those TAP files (no cppcheck, no pg_regress); SKIP_BUILD=1 uses the build
# already installed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages postgresql-15 postgresql-server-dev-15 make gcc libipc-run-perl cppcheck \
	postgresql-15-cron postgresql-15-pg-wait-sampling postgresql-15-hypopg \
	libio-pty-perl debhelper postgresql-server-dev-all dpkg-dev build-essential \
	chromium fonts-dejavu-core libxml2-utils
[ -n "${SKIP_BUILD:-}" ] || build_and_install

if [ -z "${TAP:-}" ]; then
echo "== cppcheck"
# Every finding fails the run; an accepted one is suppressed inline with
# a comment saying why.
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c99 --inline-suppr --suppress=missingIncludeSystem --suppress=missingInclude \
	-D__GNUC__ -I "$ROOT/src" -I "$($PG_CONFIG --includedir-server)" "$ROOT"/src/*.c
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c99 --inline-suppr --suppress=missingIncludeSystem --suppress=missingInclude \
	-I "$ROOT/client" -I "$($PG_CONFIG --includedir)" "$ROOT"/client/*.c
fi

# The tests write results next to the sources: run them in a copy that the
# server user owns.
WORK=$(scratch_dir)
trap 'rm -rf "$WORK"' EXIT
(cd "$ROOT" && tar --exclude=./.git --exclude='./tmp_check*' --exclude=./results -cf - .) |
	(mkdir -p "$WORK/tree" && cd "$WORK/tree" && tar -xf -)
[ "$(id -u)" = 0 ] && chown -R "$RUN_AS" "$WORK"

status=0
if [ -z "${TAP:-}" ]; then
echo "== pg_regress"
if ! as_server_user make -C "$WORK/tree" -s PG_CONFIG="$PG_CONFIG" installcheck-regress; then
	status=1
	cat "$WORK/tree/regression.diffs" 2>/dev/null || true
	# keep the actual output for a look (and for updating expected/)
	rm -rf "$ROOT/results" && cp -r "$WORK/tree/results" "$ROOT/results" 2>/dev/null || true
fi
fi
echo "== TAP tests"
if ! as_server_user make -C "$WORK/tree" -s PG_CONFIG="$PG_CONFIG" installcheck-tap \
	${TAP:+PROVE_TESTS="$TAP"}; then
	status=1
	for log in "$WORK"/tree/tmp_check/log/regress_log_*; do
		[ -f "$log" ] || continue
		echo "---- $log (last 60 lines)"
		tail -n 60 "$log"
	done
fi
exit $status
