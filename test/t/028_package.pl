
# The Debian package (issue #12): `dpkg-buildpackage -us -uc -b` on a copy
# of the source tree, as the OS user that runs the suite (postgres, not
# root: debian/control says Rules-Requires-Root: no), builds
# postgresql-15-loadtest_<version>-1_<arch>.deb, where <version> is the
# Makefile's EXTVERSION and loadtest.control's default_version.  Checked:
#   - its control fields: Package, Version, Architecture, Section, and a
#     Depends on postgresql-15;
#   - its files, exactly: the module (and its JIT bitcode, one file per
#     src/*.c, when the server was built with LLVM), loadtest.control,
#     every SQL script of the tree (the frozen ones byte for byte, the
#     current version's and the upgrade from the previous one built from
#     src/sql/), the pg_loadtest client in the server's bindir, the man
#     pages of docs/*.1, the changelog and the copyright; nothing else (no
#     object file, no tmp_check, no test file), all owned by root;
#   - the package build runs none of the test suite.
# The copy is the tree the suite runs in, leftovers of a build included
# (objects, the built scripts): the package build must clean them first.
#
# Needs the build dependencies of debian/control (debhelper,
# postgresql-server-dev-all, libpq-dev) and dpkg-dev: scripts/test.sh
# installs them.  About 15 s on 2 cores.

use strict;
use warnings FATAL => 'all';

use FindBin;
use File::Basename qw(basename);
use File::Find;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $started = time;
my $src = "$FindBin::RealBin/../..";
my $pgversion = 15;
my $package = "postgresql-$pgversion-loadtest";

sub slurp_bytes
{
	my ($path) = @_;
	open my $fh, '<:raw', $path or die "$path: $!";
	local $/;
	my $content = <$fh>;
	close $fh;
	return $content;
}

# The versions the tree says it is.
my $makefile = slurp_bytes("$src/Makefile");
my ($extversion) = $makefile =~ /^EXTVERSION\s*=\s*(\S+)/m;
my ($previous) = $makefile =~ /^PREVIOUS_VERSION\s*=\s*(\S+)/m;
my ($default_version) =
  slurp_bytes("$src/loadtest.control") =~ /^default_version\s*=\s*'([^']+)'/m;
ok(defined $extversion && defined $previous,
	'the Makefile names EXTVERSION and PREVIOUS_VERSION');
is($default_version, $extversion,
	'loadtest.control\'s default_version is the Makefile\'s EXTVERSION');
my ($changelog_version) =
  slurp_bytes("$src/debian/changelog") =~ /^loadtest \(([^)]+)\)/;
is($changelog_version, "$extversion-1",
	'debian/changelog\'s latest entry is this version, Debian revision 1');

# The tree's SQL scripts: the frozen ones it holds and the two it builds.
my %frozen = map { basename($_) => 1 } glob("$src/loadtest--*.sql");
delete $frozen{"loadtest--$extversion.sql"};
delete $frozen{"loadtest--$previous--$extversion.sql"};
my @scripts = sort(keys %frozen, "loadtest--$extversion.sql",
	"loadtest--$previous--$extversion.sql");
cmp_ok(scalar keys %frozen, '>=', 11,
	'the tree holds the frozen scripts of 1.0 to ' . $previous);

# A copy of the tree, without what the suite itself writes into it.
my $work = PostgreSQL::Test::Utils::tempdir('package');
my $copy = "$work/loadtest";
mkdir $copy or die "$copy: $!";
IPC::Run::run(
	[
		'tar', '-C', $src, '--exclude=./.git', '--exclude=./tmp_check*',
		'--exclude=./results', '-cf', '-', '.'
	],
	'|',
	[ 'tar', '-C', $copy, '-xf', '-' ])
  or die "copying the tree failed";

# The build, as this OS user, with nothing of the make that runs the suite
# (its MAKEFLAGS carry the suite's own command-line variables).
my $build_log = "$PostgreSQL::Test::Utils::log_path/028_package_build.log";
my $build_started = time;
my $built;
{
	local %ENV = %ENV;
	delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES DEB_BUILD_OPTIONS)};
	$built = IPC::Run::run(
		[ 'dpkg-buildpackage', '-us', '-uc', '-b' ],
		'<', \undef, '>', $build_log, '2>&1',
		init => sub { chdir $copy or die "$copy: $!" });
}
my $build_s = time - $build_started;
my $log = slurp_bytes($build_log);
ok($built, "dpkg-buildpackage -us -uc -b succeeds as " . getpwuid($>))
  or diag("the end of $build_log:\n"
	  . join("\n", (split /\n/, $log)[-40 .. -1]));
note(sprintf('dpkg-buildpackage took %.1f s', $build_s));
cmp_ok($build_s, '<', 120, 'the package builds in under 2 minutes');
unlike($log, qr/installcheck|install-check|pg_regress|PostgreSQL::Test/,
	'the package build runs none of the test suite');

chomp(my $arch = `dpkg --print-architecture`);
my $deb = "$work/${package}_$extversion-1_$arch.deb";
ok(-f $deb, "the build made " . basename($deb))
  or diag('it made: ' . join(' ', map { basename($_) } glob("$work/*.deb")));

# The control fields.
sub field
{
	my ($name) = @_;
	my $value = `dpkg-deb --field '$deb' $name`;
	chomp $value;
	return $value;
}
is(field('Package'), $package, 'Package');
is(field('Version'), "$extversion-1", 'Version');
is(field('Architecture'), $arch, 'Architecture');
is(field('Section'), 'database', 'Section');
like(
	field('Depends'),
	qr/(?:^|,\s*)postgresql-$pgversion(?:\s*\([^)]*\))?(?:,|$)/,
	'Depends on postgresql-15');

# The files.
my $root = "$work/root";
IPC::Run::run([ 'dpkg-deb', '-x', $deb, $root ])
  or die "dpkg-deb -x failed";
my @listing = split /\n/, `dpkg-deb -c '$deb'`;
my @not_root = grep { (split /\s+/)[1] ne 'root/root' } @listing;
is_deeply(\@not_root, [], 'every file of the package is owned by root');

my %files;
find(
	{
		wanted => sub {
			return if -d $_;
			(my $rel = $File::Find::name) =~ s{^\Q$root\E/}{};
			$files{$rel} = 1;
		},
		no_chdir => 1
	},
	$root);

my $lib = "usr/lib/postgresql/$pgversion/lib";
my $ext = "usr/share/postgresql/$pgversion/extension";
my $bin = "usr/lib/postgresql/$pgversion/bin";
my %expected = map { $_ => 1 } (
	"$lib/loadtest.so", "$ext/loadtest.control",
	"$bin/pg_loadtest",
	'usr/bin/pg_loadtest',
	"usr/share/doc/$package/changelog.Debian.gz",
	"usr/share/doc/$package/copyright",
	(map { "$ext/$_" } @scripts),
	(map { 'usr/share/man/man1/' . basename($_) . '.gz' } glob("$src/docs/*.1")));

# JIT bitcode comes with a server built with LLVM (Debian's is).
my $with_llvm = `pg_config --configure` =~ /--with-llvm/;
if ($with_llvm)
{
	$expected{"$lib/bitcode/loadtest.index.bc"} = 1;
	for my $c (glob("$src/src/*.c"))
	{
		$expected{ "$lib/bitcode/loadtest/src/" . basename($c, '.c') . '.bc' } = 1;
	}
}

my @missing = grep { !$files{$_} } sort keys %expected;
my @stray = grep { !$expected{$_} } sort keys %files;
is_deeply(\@missing, [], 'the package has every file it should')
  or diag("missing: @missing");
is_deeply(\@stray, [], 'the package has no other file')
  or diag("stray: @stray");

ok(-x "$root/$bin/pg_loadtest", 'pg_loadtest is executable');
# on PATH as pgbench is: through postgresql-common's pg_wrapper, which runs
# the program of the cluster's version
is(readlink("$root/usr/bin/pg_loadtest"), '../share/postgresql-common/pg_wrapper',
	'usr/bin/pg_loadtest is a link to pg_wrapper, like /usr/bin/pgbench');
is(substr(slurp_bytes("$root/$lib/loadtest.so"), 0, 4),
	"\x7fELF", 'loadtest.so is an ELF object');
is(slurp_bytes("$root/$ext/loadtest.control"),
	slurp_bytes("$src/loadtest.control"),
	'loadtest.control is the tree\'s');

my @changed = grep {
	-f "$root/$ext/$_"
	  && slurp_bytes("$root/$ext/$_") ne slurp_bytes("$src/$_")
} sort keys %frozen;
is_deeply(\@changed, [], 'the frozen scripts are the tree\'s, byte for byte');

my $parts = join '', map { slurp_bytes($_) } sort glob("$src/src/sql/*.sql");
ok( -f "$root/$ext/loadtest--$extversion.sql"
	  && slurp_bytes("$root/$ext/loadtest--$extversion.sql") eq $parts,
	"loadtest--$extversion.sql is src/sql/*.sql put together");

# The build left the copy clean (make clean after make install).
my @left = grep { -e "$copy/$_" } qw(loadtest.so src/loadtest.o tmp_check);
is_deeply(\@left, [], 'the build cleaned its objects from the copy');

note(sprintf('028_package took %.1f s', time - $started));
done_testing();
