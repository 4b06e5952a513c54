
# The HTML report (1.6, issue #12), loadtest_report_html(), on real runs and
# on planted rows:
#   - a small run, and a pooled run of several operations with errors (one
#     hot row per table: lock waits and deadlocks; an operation that
#     divides by zero a third of the time): each page is one self-contained
#     document: balanced (a tag stack here, and xmllint as XML when it is
#     installed: the page is written well-formed), no script, no reference
#     outside the page (the SVG namespace aside), a Content-Security-Policy
#     that allows none, every section and chart, charts with role="img",
#     <title>, <desc>, a viewBox and width 100%; its figures those of the
#     views and of loadtest_verdict();
#   - rendered by headless chromium: a screenshot is a non-trivial PNG; a
#     test-only copy with a probe script (the page's policy removed from
#     it) measures every chart's svg and the data elements it draws (class
#     series or bar: their boxes not empty) and whether the page overflows
#     horizontally, at 1200 px and at a phone's 390 px (in an iframe:
#     chromium's window is at least 500 px wide); the page printed to PDF;
#     the page's policy blocks a script injected into a copy;
#   - hostile text in a real run's rows (operation and pattern names, error
#     messages and SQLSTATEs, role name, a run's message, wait profile):
#     escaped, no element or attribute of it in the rendered DOM;
#   - the planted rows of sql/45_hostile_content.sql (huge, empty,
#     multibyte, control characters, numbers at the ends of their types),
#     with the attacker's schema first on search_path: a page for every
#     run, balanced, ASCII, bounded;
#   - the arguments: those of loadtest_report() (errors naming
#     loadtest_report_html), NULL for the latest run.
# Timings are only noted.  The test command installs chromium (fonts from
# fonts-dejavu-core) and xmllint (libxml2-utils); without them the test
# fails.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use File::Path qw(make_path);
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use LoadtestCheck;

my $node = new_loadtest_node('report_html');
my $dir = PostgreSQL::Test::Utils::tempdir();
my $chromium = -x '/usr/bin/chromium' ? '/usr/bin/chromium' : undef;
my ($xmllint) = grep { -x $_ } ('/usr/bin/xmllint');
# scripts/test.sh installs both: without them the test fails here (the
# checks that need them are then skipped, not passed)
ok($chromium, 'Debian\'s chromium is installed');
ok($xmllint, 'xmllint (libxml2-utils) is installed');

sub q1 { return $node->safe_psql('postgres', $_[0]); }

# like() and unlike() on a page, without printing the page when they fail
sub has
{
	my ($html, $re, $name) = @_;
	ok($html =~ $re, $name) or diag("no match for $re");
	return;
}

sub hasnt
{
	my ($html, $re, $name) = @_;
	my $ok = ok($html !~ $re, $name);
	diag("matched $re: " . substr($html, $-[0] > 60 ? $-[0] - 60 : 0, 160)) if !$ok && $html =~ $re;
	return;
}

# The page of a run, written to NAME.html; its text.
sub page
{
	my ($call, $name) = @_;
	my $t0 = time;
	my $html = q1("SELECT $call");
	note(sprintf('%s: %d bytes in %.0f ms', $call, length($html), 1000 * (time - $t0)));
	open(my $fh, '>', "$dir/$name.html") or die "could not write $dir/$name.html: $!";
	print $fh $html;
	close($fh);
	return $html;
}

# Balanced: every tag closed in order (void elements written <x/>), no '<'
# or '>' outside a tag (the style sheet has neither), nothing after the
# document.  Returns '' or what is wrong.
sub unbalanced
{
	my ($html) = @_;
	my @stack;
	(my $rest = $html) =~ s/\A<!DOCTYPE html>\s*//
	  or return 'no <!DOCTYPE html> first';
	while ($rest =~ /\G([^<>]*)(<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>)/gc)
	{
		my ($close, $tag, $self) = ($3, $4, $6);
		next if $self;
		if ($close)
		{
			my $open = pop @stack;
			return "</$tag> closes <" . ($open // 'nothing') . '>' if !defined $open || $open ne $tag;
		}
		else
		{
			push @stack, $tag;
		}
		return "text after </html>" if !@stack && $tag eq 'html' && $rest =~ /\G\s*\S/gc;
	}
	my $tail = substr($rest, pos($rest) // 0);
	return 'stray < or > in: ' . substr($tail, 0, 80) if $tail =~ /[<>]/;
	return 'unclosed: ' . join(' ', @stack) if @stack;
	return '';
}

# The checks every page passes, whatever the rows it is made of.
sub check_page
{
	my ($html, $what) = @_;
	is(unbalanced($html), '', "$what: balanced, every tag closed");
	if ($xmllint)
	{
		my ($out, $err) = ('', '');
		IPC::Run::run([ $xmllint, '--noout', '--nonet', '-' ], '<', \$html, '>', \$out, '2>', \$err);
		is($err, '', "$what: well-formed (xmllint)");
	}
	hasnt($html, qr/<script|<iframe|<object|<embed|<link|<img|<base|javascript:|\@import|url\(/i,
		"$what: no script, frame, link, image or import");
	my @refs = grep { !/^http:\/\/www\.w3\.org\/2000\/svg$/ }
	  map { /(?:https?:)?\/\/[^"\s]*/g } ($html =~ /<[^>]*>/g);
	is(scalar(@refs), 0, "$what: no reference outside the page in its tags (the SVG namespace aside)")
	  or diag(join("\n", @refs[0 .. ($#refs < 9 ? $#refs : 9)]));
	ok(!grep({ !/^<a href="#[\w-]+">$/ } ($html =~ /<a\b[^>]*>/g)), "$what: links only within the page");
	has($html, qr/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"\/>/,
		"$what: a policy that allows no script nor fetch");
	has($html, qr/<meta name="viewport" content="width=device-width, initial-scale=1"\/>/, "$what: viewport");
	has($html, qr/\@media print/, "$what: a print style");
	hasnt($html, qr/[^\t\n\r\x20-\x7e]/, "$what: ASCII only (the rest as references)");
	cmp_ok(length($html), '<', 300_000, "$what: bounded (" . length($html) . ' bytes)');
	my @svgs = $html =~ /(<svg\b[^>]*>)/g;
	ok(!grep({ !/role="img"/ || !/viewBox="0 0 [\d.]+ [\d.]+"/ || !/width="100%"/ || !/aria-labelledby="/ } @svgs),
		"$what: every svg has role img, a viewBox, width 100% and its labels");
	my $titled = () = $html =~ /<svg\b[^>]*><title id="[\w-]+">[^<]+<\/title><desc id="[\w-]+">[^<]+<\/desc>/g;
	is($titled, scalar(@svgs), "$what: every svg starts with its <title> and <desc>");
	return;
}

# chromium (headless) with arguments; its stdout, or undef when it failed.
sub chromium
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	my $ok = eval {
		IPC::Run::run(
			[
				$chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
				'--no-first-run', '--disable-extensions', '--hide-scrollbars',
				"--user-data-dir=$dir/chromium",
				@args
			],
			'<', \undef, '>', \$out, '2>', \$err,
			IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	};
	diag("chromium @args failed: " . ($@ || $err)) unless $ok;
	return $ok ? $out : undef;
}

# A copy of a page with the probe script: it measures the page (in the
# window it is in) and writes its figures as JSON into a <pre id="probe">
# of the top document (the iframe of a phone's width is same-origin:
# srcdoc).  The copy drops the page's policy, which would block it.
my $probe = <<'EOF';
<script>
(function () {
  var out = { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, svgs: [] };
  document.querySelectorAll('svg').forEach(function (s) {
    var r = s.getBoundingClientRect(), els = s.querySelectorAll('.series, .bar'), drawn = 0;
    els.forEach(function (e) { var b = e.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
    out.svgs.push({ id: s.parentNode.id, width: r.width, height: r.height, elements: els.length, drawn: drawn });
  });
  var doc = window.parent !== window ? window.parent.document : document;
  var pre = doc.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  doc.body.appendChild(pre);
})();
</script>
EOF

sub probed
{
	my ($html, $name, $width) = @_;
	(my $copy = $html) =~ s/<meta http-equiv="Content-Security-Policy"[^>]*>//;
	$copy =~ s/<\/body>/$probe<\/body>/;
	my $file = "$dir/$name-probe-$width.html";
	my $window = $width;
	if ($width < 500)
	{
		(my $attr = $copy) =~ s/&/&amp;/g;
		$attr =~ s/"/&quot;/g;
		$copy = qq{<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">}
		  . qq{<iframe width="$width" height="3000" style="border:0" srcdoc="$attr"></iframe></body></html>};
		$window = 1000;
	}
	open(my $fh, '>', $file) or die "could not write $file: $!";
	print $fh $copy;
	close($fh);
	my $dom = chromium("--window-size=$window,3000", '--dump-dom', "file://$file") // '';
	my ($json) = $dom =~ /<pre id="probe">(.*?)<\/pre>/s;
	return undef unless defined $json;
	$json =~ s/&lt;/</g;
	$json =~ s/&gt;/>/g;
	$json =~ s/&quot;/"/g;
	$json =~ s/&amp;/&/g;
	return decode_json($json);
}

# The charts drawn, at a width: every svg laid out, every data element with
# a box, the page no wider than the window.
sub check_render
{
	my ($html, $name, $width, $charts) = @_;
	my $p = probed($html, $name, $width);
	ok(defined $p, "$name at $width px: the probe ran") or return;
	note("$name at $width px: " . encode_json($p));
	cmp_ok($p->{scrollWidth}, '<=', $p->{innerWidth},
		"$name at $width px: no horizontal overflow (scrollWidth $p->{scrollWidth}, window $p->{innerWidth})");
	is($p->{innerWidth}, $width, "$name at $width px: laid out at that width") if $width < 500;
	my %svg = map { ($_->{id} => $_) } @{ $p->{svgs} };
	for my $id (@$charts)
	{
		my $s = $svg{$id};
		ok($s && $s->{width} > 0 && $s->{height} > 0 && $s->{width} <= $width,
			"$name at $width px: $id laid out (" . ($s ? "$s->{width} x $s->{height}" : 'missing') . ')');
		ok($s && $s->{elements} > 0 && $s->{drawn} == $s->{elements},
			"$name at $width px: $id draws its data (" . ($s ? "$s->{drawn} of $s->{elements}" : 'none') . ' elements with a box)');
	}
	return;
}

# ---------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------
my $small = q1("SELECT loadtest_run(users => 5, ops => 20, think_time_ms => 10, ramp_up_s => 0)");
q1(q{SELECT loadtest_define_operation('html_flaky', 'read',
		ARRAY[$q$SELECT CASE WHEN random() < 0.3 THEN 1 / 0 ELSE 1 END$q$])});
q1(q{SELECT loadtest_define_pattern('html_mix',
		'{"html_flaky": 2, "read_member_detail": 5, "update_member": 4, "search_members": 4, "create_employment": 2}')});
my $pooled = q1("SET loadtest.hot_rows = 1; SELECT loadtest_run(users => 20, pool_size => 4, pattern => 'html_mix',
		think_time_ms => 10, ramp_up_s => 1, duration => '6 seconds')");

# ---------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------
my $sections = [qw(verdict figures over-time distribution operations where-time-went errors recommendations)];
my $charts = [qw(chart-throughput chart-latency chart-distribution chart-operations chart-waits)];
my %html;
for my $case ([ small => $small ], [ pooled => $pooled ])
{
	my ($name, $run) = @$case;
	my $html = $html{$name} = page("loadtest_report_html($run)", $name);
	check_page($html, "$name run $run");
	has($html, qr/<h1>Run $run: /, "$name: the header names the run");
	ok(!grep({ $html !~ /<section id="$_">/ } @$sections), "$name: every section");
	ok(!grep({ $html !~ /<figure class="chart" id="$_">/ } qw(chart-throughput chart-latency chart-distribution chart-operations)),
		"$name: the charts of the throughput, response time, distribution and operations");

	# the figures: the views', as the text report writes them
	my ($ops, $p95, $ready) = split /\|/, q1(
		"SELECT loadtest.format_number(s.total_ops, 'FM999G999G999G999G990'), loadtest.html_ms(s.p95_ms), v.ready
		   FROM loadtest.run_summary s, loadtest_verdict($run, 4000, 500) v WHERE s.run_id = $run");
	has($html, qr/<div class="k">Operations<\/div><div class="v">\Q$ops\E<\/div>/, "$name: operations $ops");
	has($html, qr/<div class="k">p95<\/div><div class="v">\Q$p95\E<\/div>/, "$name: p95 $p95 ms");
	my $headline = { t => 'READY', f => 'NOT READY', '' => 'NO ANSWER' }->{$ready};
	# (the targets as the page writes them, in the server's lc_numeric)
	my $targets = q1("SELECT format('for %s users within %s', loadtest.format_number(4000, 'FM999G999G999G999G990'),
	                                 loadtest.report_format_ms(500))");
	has($html, qr/<p class="headline">\Q$headline $targets\E/,
		"$name: the verdict is loadtest_verdict()'s: $headline");
	for my $op (split /\n/, q1("SELECT operation FROM loadtest.operation_stats WHERE run_id = $run"))
	{
		has($html, qr/<td class="name">\Q$op\E<\/td>/, "$name: operation $op in the table");
	}
}
my $pooled_html = $html{pooled};
has($pooled_html, qr/<td><code>22012<\/code><\/td>/, 'pooled: the errors by SQLSTATE: 22012');
has($pooled_html, qr/division by zero/, 'pooled: ... its message');
has($pooled_html, qr/<figure class="chart" id="chart-waits">/, 'pooled: where the time went, as a chart');
has($pooled_html, qr/<text class="cat"[^>]*>all operations<title>/, '... all operations first');
my $recs = q1("SELECT count(*) FROM loadtest_recommendations($pooled)");
my $items = () = $pooled_html =~ /<li><p><span class="finding">/g;
is($items, $recs > 20 ? 20 : $recs, "pooled: the recommendations ($recs)");
my $statements = () = $pooled_html =~ /<pre><code>/g;
is($statements, q1("SELECT count(statement) FROM (SELECT * FROM loadtest_recommendations($pooled) LIMIT 20) r"),
	'pooled: ... their statements in <code>');
my $paths = () = $pooled_html =~ /<path class="series /g;
cmp_ok($paths, '>=', 4, "pooled: lines drawn over time ($paths)");
my $bars = () = $pooled_html =~ /<rect class="bar /g;
cmp_ok($bars, '>=', 10, "pooled: bars drawn ($bars)");

# the latest run (the pages compared without their time), and the
# arguments of loadtest_report()
(my $latest = q1('SELECT loadtest_report_html()')) =~ s/Generated by loadtest at [^.]*\.//;
(my $again = page("loadtest_report_html($pooled)", 'pooled-again')) =~ s/Generated by loadtest at [^.]*\.//;
ok($latest eq $again, 'NULL: the page of the latest run');
for my $bad (
	[ "loadtest_report_html($pooled, target_ms => 'NaN')", qr/22023.*target_ms must be a finite positive number.*loadtest_report_html\(target_ms => 500\)/s ],
	[ "loadtest_report_html($pooled, target_users => 0)", qr/22023.*target_users must be a positive number.*loadtest_report_html\(target_users => 4000\)/s ],
	[ 'loadtest_report_html(424242)', qr/42704.*loadtest run 424242 does not exist/s ])
{
	my ($out, $err) = ('', '');
	$node->psql('postgres', "\\set VERBOSITY verbose\nSELECT $bad->[0]", stdout => \$out, stderr => \$err);
	like($err, $bad->[1], "$bad->[0]: the error of loadtest_report()");
}

# A role of its own (an operator): its own run's page; another role's run
# is not found (row-level security, SECURITY INVOKER), as for the text
# report
q1("CREATE ROLE html_operator LOGIN; SELECT loadtest_grant_operator('html_operator')");
my @as_operator = (extra_params => [ '-U', 'html_operator' ]);
my $own = $node->safe_psql('postgres',
	'SELECT loadtest_run(users => 3, ops => 10, think_time_ms => 10, ramp_up_s => 0)', @as_operator);
my $own_html = $node->safe_psql('postgres', "SELECT loadtest_report_html($own)", @as_operator);
has($own_html, qr/<h1>Run $own: distributed<\/h1>.*<dd>html_operator<\/dd>/s, "an operator role: the page of its own run $own");
{
	my ($out, $err) = ('', '');
	$node->psql('postgres', "SELECT loadtest_report_html($pooled)", stdout => \$out, stderr => \$err, @as_operator);
	like($err, qr/loadtest run $pooled does not exist/, "an operator role: another role's run $pooled is not found");
}

# ---------------------------------------------------------------------
# Rendered
# ---------------------------------------------------------------------
SKIP:
{
	skip 'chromium is not installed (Debian package chromium)', 1 unless $chromium;

	my $png = "$dir/pooled.png";
	chromium('--window-size=1200,3000', "--screenshot=$png", "file://$dir/pooled.html");
	my $bytes = -s $png // 0;
	open(my $fh, '<:raw', $png) or die "no screenshot $png";
	read($fh, my $head, 24);
	close($fh);
	my ($w, $h) = unpack('NN', substr($head, 16, 8));
	ok(substr($head, 0, 8) eq "\x89PNG\r\n\x1a\n" && $w == 1200 && $h == 3000 && $bytes > 50_000,
		"screenshot: a PNG of 1200 x 3000, $bytes bytes");

	check_render($html{pooled}, 'pooled', 1200, $charts);
	check_render($html{pooled}, 'pooled', 390, $charts);
	check_render($html{small}, 'small', 390,
		[qw(chart-throughput chart-latency chart-distribution chart-operations)]);

	chromium('--no-pdf-header-footer', "--print-to-pdf=$dir/pooled.pdf", "file://$dir/pooled.html");
	my $pdf = slurp_file("$dir/pooled.pdf");
	my ($pages) = $pdf =~ /\/Type\s*\/Pages\b[^>]*?\/Count (\d+)/s;
	ok($pdf =~ /^%PDF-/ && ($pages // 0) >= 2, 'printed: a PDF of ' . ($pages // '?') . ' pages');

	# the page's policy: a script injected into a copy does not run
	(my $injected = $html{pooled}) =~ s/<\/body>/<script>document.title = 'script ran';<\/script><\/body>/;
	open($fh, '>', "$dir/injected.html") or die;
	print $fh $injected;
	close($fh);
	my $dom = chromium('--dump-dom', "file://$dir/injected.html") // '';
	has($dom, qr/<title>Load test run $pooled /, "the page's policy blocks a script injected into it");
	# (without the policy the same script runs: the check can fail)
	$injected =~ s/<meta http-equiv="Content-Security-Policy"[^>]*>//;
	open($fh, '>', "$dir/injected-nopolicy.html") or die;
	print $fh $injected;
	close($fh);
	$dom = chromium('--dump-dom', "file://$dir/injected-nopolicy.html") // '';
	has($dom, qr/<title>script ran<\/title>/, '... which runs without the policy');
}

# ---------------------------------------------------------------------
# Hostile text in a real run's rows
# ---------------------------------------------------------------------
my $hostile = q1("SET loadtest.hot_rows = 1; SELECT loadtest_run(users => 6, ops => 20, pattern => 'html_mix',
		think_time_ms => 5, ramp_up_s => 0)");
q1(qq{
	UPDATE loadtest.run_operations SET operation = '<script>alert(1)</script>'
	 WHERE run_id = $hostile AND operation = 'html_flaky';
	UPDATE loadtest.run_operations SET operation = 'x" onmouseover="alert(2)'
	 WHERE run_id = $hostile AND operation = 'update_member';
	UPDATE loadtest.wait_profile SET operation = '</title><script>alert(3)</script>'
	 WHERE run_id = $hostile;
	UPDATE loadtest.run_errors SET message = '<img src=x onerror=alert(4)> & </td></tr></table>',
	                               sqlstate = '"><svg onload=alert(5)>'
	 WHERE run_id = $hostile;
	INSERT INTO loadtest.run_errors (run_id, operation_no, sqlstate, message, count)
	VALUES ($hostile, 0, '<b>', E'<script>\\nalert(6)</script>' || chr(27) || '[31m', 3);
	UPDATE loadtest.runs SET pattern = '</title><script>alert(7)</script>',
	       environment = '<iframe src="http://evil.example/">', role_name = 'r''<b>',
	       status = 'failed', message = '<script>alert(8)</script>'
	 WHERE run_id = $hostile;
});
my $hhtml = page("loadtest_report_html($hostile)", 'hostile');
check_page($hhtml, "hostile run $hostile");
has($hhtml, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'hostile: an operation named <script>... is escaped');
has($hhtml, qr/x&quot; onmouseover=&quot;alert\(2\)/, 'hostile: ... one with quotes too');
has($hhtml, qr/&lt;\/title&gt;&lt;script&gt;alert\(7\)&lt;\/script&gt;/, 'hostile: the pattern name (in <title> too)');
has($hhtml, qr/&lt;img src=x onerror=alert\(4\)&gt; &amp; &lt;\/td&gt;/, 'hostile: an error message');
has($hhtml, qr/<code>&quot;&gt;&lt;svg \.\.\.<\/code>/,
	'hostile: a SQLSTATE (cut to 10 characters)');
has($hhtml, qr/This run is failed: &lt;script&gt;alert\(8\)&lt;\/script&gt;/, 'hostile: the run\'s message');
has($hhtml, qr/r&#39;&lt;b&gt;/, 'hostile: the role name');
hasnt($hhtml, qr/\e/, 'hostile: no escape character');
SKIP:
{
	skip 'chromium is not installed (Debian package chromium)', 2 unless $chromium;
	my $dom = chromium('--dump-dom', "file://$dir/hostile.html") // '';
	my @tags = $dom =~ /<([^>]*)>/g;
	ok(@tags > 100, 'hostile: rendered (' . scalar(@tags) . ' tags)');
	my @bad = grep { /^(?:script|img|iframe|b)\b/i || /\son\w+\s*=/i } @tags;
	is(scalar(@bad), 0, 'hostile: none of its text became an element or an attribute in the DOM')
	  or diag(join("\n", @bad));
}

# ---------------------------------------------------------------------
# The planted rows of sql/45_hostile_content.sql, with the attacker's
# schema first on the path
# ---------------------------------------------------------------------
my $planting = slurp_file("$FindBin::RealBin/../../sql/45_hostile_content.sql");
# (up to where it starts deleting them: its runs, the attacker's schema
# and the evidence of run 900000100)
my $cut = index($planting, "\nDELETE FROM loadtest.runs WHERE run_id = 900000100;");
ok($cut > 0, 'sql/45_hostile_content.sql plants its rows before deleting them');
my ($planted_out, $planted_err) = ('', '');
$node->psql('postgres', substr($planting, 0, $cut), on_error_stop => 0,
	stdout => \$planted_out, stderr => \$planted_err);
my @planted = split /\n/, q1('SELECT run_id FROM loadtest.runs WHERE run_id >= 900000001 ORDER BY run_id');
cmp_ok(scalar(@planted), '>=', 18, 'planted runs: ' . scalar(@planted));
is(q1("SELECT count(*) FROM pg_namespace WHERE nspname = 'evil'"), '1', "the attacker's schema is there");
my $failed = 0;
for my $run (@planted)
{
	my ($out, $err) = ('', '');
	$node->psql('postgres',
		"SET search_path = evil, public, pg_catalog;\nSELECT public.loadtest_report_html(${run}::bigint);",
		stdout => \$out, stderr => \$err);
	if ($err ne '' || $out !~ /^<!DOCTYPE html>/)
	{
		$failed++;
		diag("planted run $run: $err");
		next;
	}
	my $why = unbalanced($out);
	$why ||= 'not ASCII' if $out =~ /[^\t\n\r\x20-\x7e]/;
	$why ||= 'a script' if $out =~ /<script/i;
	$why ||= 'too long: ' . length($out) if length($out) >= 300_000;
	if ($why)
	{
		$failed++;
		diag("planted run $run: $why");
	}
}
is($failed, 0, 'planted runs: a page for each, balanced, ASCII, no script, bounded, nothing hijacked');

# Characters that reorder text (bidirectional controls and marks) become
# U+FFFD: a name cannot turn a line of the page around.
is( $node->safe_psql('postgres',
		q{SELECT loadtest.html_escape(E'a\u202Eb\u2066c\u200Fd\u061Ce') || ' ' || loadtest.html_escape(E'caf\u00e9 <x>')}),
	'a&#65533;b&#65533;c&#65533;d&#65533;e caf&#233; &lt;x&gt;',
	'html_escape: bidirectional controls as U+FFFD, other characters as references, markup escaped');

finish_and_check_log($node);
done_testing();
