# Makefile for the loadtest extension (PGXS).
#
#   make && make install        build and install into the pg_config on PATH
#   make installcheck           pg_regress (own temporary instance) + TAP tests
#
# The current version's script, loadtest--$(EXTVERSION).sql, is assembled from
# src/sql/*.sql so that each part of the SQL interface (schema, seed, report)
# lives in a file of its own.  The scripts of released versions and the
# upgrade scripts (loadtest--A--B.sql) are kept as they were released.

EXTENSION = loadtest
EXTVERSION = 1.6
MODULE_big = loadtest

# Every C file of src/ is part of the module.
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

SQL_PARTS = $(sort $(wildcard src/sql/*.sql))
# The parts that define only functions, procedures and views, all with
# CREATE OR REPLACE, and the built-in rows of the workload catalogue
# (12_builtin_workload.sql, an upsert): the upgrade script from the
# previous version replays them between its own changes
# (src/sql/upgrade/V--W.sql before them, V--W-after.sql after), so that an
# upgraded database gets exactly the definitions of a fresh one.
SQL_REPLACEABLE = $(filter-out src/sql/10_schema.sql src/sql/11_evidence_tables.sql,$(SQL_PARTS))
PREVIOUS_VERSION = 1.5
# Tables new in this version, created by its upgrade script as a fresh
# install creates them (after src/sql/upgrade/V--W.sql); the next version
# empties the list.
UPGRADE_NEW_TABLES =
UPGRADE_SCRIPT = $(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADE_SCRIPT)
DATA = $(EXTENSION)--1.0.sql $(EXTENSION)--1.0--1.1.sql $(EXTENSION)--1.1.sql \
	$(EXTENSION)--1.1--1.2.sql $(EXTENSION)--1.2.sql \
	$(EXTENSION)--1.2--1.3.sql $(EXTENSION)--1.3.sql \
	$(EXTENSION)--1.3--1.4.sql $(EXTENSION)--1.4.sql \
	$(EXTENSION)--1.4--1.5.sql $(EXTENSION)--1.5.sql

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --temp-instance=./tmp_check_regress \
	--temp-config=$(srcdir)/test/regress.conf

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wmissing-prototypes
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = tmp_check_regress results regression.diffs regression.out

# ---- pg_loadtest, the command-line client (client/*.c) ---------------------
# A libpq program installed next to pgbench (bindir).  PGXS builds no
# PROGRAM alongside MODULE_big, so it is a built "script": PGXS installs
# and cleans it (its uninstall is fixed in part 2); its objects are built
# by the rules after the include below, with libpq's headers only (not
# the server's), and are not part of OBJS (src/*.c).
CLIENT_OBJS = $(patsubst %.c,%.o,$(sort $(wildcard client/*.c)))
SCRIPTS_built = client/pg_loadtest
EXTRA_CLEAN += $(CLIENT_OBJS)
# ---- end of pg_loadtest (part 1 of 2) --------------------------------------

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: every object depends on every header
# (a stale object with an old layout of the shared run state corrupts it).
$(OBJS): $(wildcard $(srcdir)/src/*.h)

# ---- pg_loadtest, the command-line client (part 2 of 2) --------------------
# CFLAGS are the server's (warnings, -Werror with WERROR=1); the include
# directory is libpq's, the library -lpq.
CLIENT_CPPFLAGS = -I$(srcdir)/client -I$(shell $(PG_CONFIG) --includedir) \
	-DPG_LOADTEST_VERSION='"$(EXTVERSION)"'

client/%.o: client/%.c $(wildcard $(srcdir)/client/*.h)
	$(CC) $(CFLAGS) $(filter -D%,$(CPPFLAGS)) $(CLIENT_CPPFLAGS) -c -o $@ $<

client/pg_loadtest: $(CLIENT_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDFLAGS_EX) -L$(shell $(PG_CONFIG) --libdir) -lpq

# PGXS installs SCRIPTS_built under their base name but uninstalls them
# under their path (bindir/client/pg_loadtest): remove the installed one.
.PHONY: uninstall-pg_loadtest
uninstall: uninstall-pg_loadtest
uninstall-pg_loadtest:
	rm -f '$(DESTDIR)$(bindir)/pg_loadtest'
# ---- end of pg_loadtest ----------------------------------------------------

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

$(UPGRADE_SCRIPT): src/sql/upgrade/$(PREVIOUS_VERSION)--$(EXTVERSION).sql \
		$(UPGRADE_NEW_TABLES) $(SQL_REPLACEABLE) \
		src/sql/upgrade/$(PREVIOUS_VERSION)--$(EXTVERSION)-after.sql
	cat $^ > $@

# The two halves of installcheck, so that scripts/test.sh can run both and
# report each.
.PHONY: installcheck-regress installcheck-tap
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

installcheck-tap:
	$(prove_installcheck)
