#!/usr/bin/env bats
# ior-flame: the self-contained, interactive flame graph SVG of a paired
# stream, of aggregate snapshots (ior-agg -o -) or of folded stacks.
#
# Most tests draw fixtures written with iorgen (no root needed) whose
# latencies, counts, bytes and paths are known, and read the SVG back: with
# xmllint (well-formedness, decoded text) and with frames() below (the
# geometry of every frame).  The expected widths are computed here from the
# fixtures' records (ior-dump --json), not from ior-flame's output.  The
# browser tests load the SVG in headless Chromium and click it for real;
# the live tests draw a capture of tests/workload.c (require_bpf).

load helpers

# The default image is 1200 px wide, with 10 px of padding on each side.
USABLE=1180

# The section header and the syscall table every fixture starts with
# (x86_64's numbers; ior-flame goes by the names of the stream's table).
prologue() {
	cat <<'EOF'
section anchor=1000000000,1700000000000000000
syscall nr=0 name=read nargs=3
syscall nr=1 name=write nargs=3
syscall nr=3 name=close nargs=1
syscall nr=17 name=pread64 nargs=4
syscall nr=74 name=fsync nargs=1
syscall nr=257 name=openat nargs=4 paths=1
EOF
}

# gen NAME: the prologue and standard input through iorgen, into
# $T/NAME.ior.
gen() {
	{ prologue; cat; } > "$T/$1.txt"
	"$IOR_BIN/iorgen" "$T/$1.txt" > "$T/$1.ior" 2> "$T/$1.iorgen-err" ||
		fail "iorgen $1: $(cat "$T/$1.iorgen-err")"
}

# small: one process, app, that reads /d/a.txt twice, writes /d/b.txt once
# and fails to open it (ENOENT): 4 calls, 400 bytes read, 50 written.
gen_small() {
	gen small <<'EOF'
name kind=comm id=1 value=app
name id=1 value=/d/a.txt
name id=2 value=/d/b.txt
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=read ret=300 bytes=300 latency=3000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=write ret=50 bytes=50 latency=6000 path=2 comm=1 fd=4 pflags=4
pair pid=10 nr=openat ret=-ENOENT latency=500 path=2 comm=1
pair_totals
trailer
EOF
}

# mix: two processes, app and db, on three files, with distinct latencies,
# counts and byte counts: 10 calls, 44.8us, 8892 bytes read, 1050 written.
gen_mix() {
	gen mix <<'EOF'
name kind=comm id=1 value=app
name kind=comm id=2 value=db
name id=1 value=/d/a.txt
name id=2 value=/d/b.txt
name id=3 value=/var/db/x
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=read ret=200 bytes=200 latency=2000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=read ret=400 bytes=400 latency=4000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=write ret=1000 bytes=1000 latency=8000 path=2 comm=1 fd=4 pflags=4
pair pid=10 nr=openat ret=-ENOENT latency=500 path=2 comm=1
pair pid=10 nr=fsync latency=16000 path=2 comm=1 fd=4
pair pid=20 nr=pread64 ret=4096 bytes=4096 latency=3000 path=3 comm=2 fd=5 pflags=2
pair pid=20 nr=pread64 ret=4096 bytes=4096 latency=3000 path=3 comm=2 fd=5 pflags=2
pair pid=20 nr=write ret=50 bytes=50 latency=7000 path=3 comm=2 fd=5 pflags=4
pair pid=20 nr=close latency=300 path=3 comm=2 fd=5
pair_totals
trailer
EOF
}

# diff_fixture NAME GROWS SHRINKS SAME [NEW]: the latencies of reads of
# /d/grows, a write of /d/shrinks, a read of /d/same and, when NEW is
# given, a read of /d/new, by app.
diff_fixture() {
	{
		echo "name kind=comm id=1 value=app"
		echo "name id=1 value=/d/grows"
		echo "name id=2 value=/d/shrinks"
		echo "name id=3 value=/d/same"
		echo "name id=4 value=/d/new"
		echo "pair pid=10 nr=read ret=1 bytes=1 latency=$2 path=1 comm=1 fd=3 pflags=2"
		echo "pair pid=10 nr=write ret=1 bytes=1 latency=$3 path=2 comm=1 fd=4 pflags=4"
		echo "pair pid=10 nr=read ret=1 bytes=1 latency=$4 path=3 comm=1 fd=5 pflags=2"
		[ -z "${5:-}" ] ||
			echo "pair pid=10 nr=read ret=1 bytes=1 latency=$5 path=4 comm=1 fd=6 pflags=2"
		echo "pair_totals"
		echo "trailer"
	} | gen "$1"
}

# flame NAME [ARG...]: ior-flame ARG... > $T/NAME.svg, which must exit 0,
# say nothing on standard error and be a well-formed, self-contained SVG.
flame() {
	local name=$1 st=0
	shift
	"$IOR_BIN/ior-flame" "$@" > "$T/$name.svg" 2> "$T/$name.err" || st=$?
	[ "$st" = 0 ] || fail "ior-flame $* exited $st: $(cat "$T/$name.err")"
	[ ! -s "$T/$name.err" ] || fail "ior-flame $* said: $(cat "$T/$name.err")"
	assert_svg "$T/$name.svg"
}

# assert_svg SVG: SVG is well-formed XML whose root is an svg element of
# the SVG namespace, with one inline script and no reference to anything
# outside the file: no script src, no href, no url(), no @import, and no
# http:// or https:// but the namespace's.
assert_svg() {
	local svg=$1 out
	out=$(xmllint --noout "$svg" 2>&1) ||
		fail "$svg is not well-formed XML: $(head -c 2000 <<< "$out")"
	[ "$(xmllint --xpath 'concat(namespace-uri(/*), " ", local-name(/*))' "$svg")" = \
		"http://www.w3.org/2000/svg svg" ] ||
		fail "$svg: the root is not an SVG svg element"
	[ "$(xq "$svg" 'count(//script)')" = 1 ] ||
		fail "$svg: not exactly one script element"
	[ "$(xq "$svg" 'count(//script[@src or @href])')" = 0 ] ||
		fail "$svg: a script refers to a file"
	[ "$(xq "$svg" 'string-length(//script) > 1000')" = true ] ||
		fail "$svg: the script is not inline"
	[ "$(xq "$svg" "count(//@*[local-name() = 'href'])")" = 0 ] ||
		fail "$svg: an element refers to something (href)"
	! grep -a -q -i -E '<script[^>]*src|@import|url\(' "$svg" ||
		fail "$svg refers to something outside: $(grep -a -o -i -E '<script[^>]*src|@import|url\(.{0,40}' "$svg")"
	out=$(grep -a -o -i -E '[a-z]+://[^"<> ]*' "$svg" |
		grep -v -x -F 'http://www.w3.org/2000/svg' || true)
	[ -z "$out" ] || fail "$svg refers to $out"
}

# xq SVG XPATH: the XPath over SVG with its default namespace taken off, so
# that XPATH can say //g rather than //*[local-name()='g'].
xq() {
	sed '1,3s| xmlns="http://www.w3.org/2000/svg"||' "$1" > "$1.plain"
	xmllint --xpath "$2" "$1.plain"
}

# frames SVG: one line per frame (g class="f"), in the order drawn:
#   STACK <tab> X <tab> Y <tab> WIDTH <tab> FILL
# STACK is the title's "stack:" line, or its first line (the label) for
# frames without one (the root, "all", and the frames right above it), as
# written: XML-escaped.
frames() {
	awk '
	function attr(s, name) {
		if (!match(s, "(^| )" name "=\"[^\"]*\""))
			return "?"
		s = substr(s, RSTART, RLENGTH)
		sub(/^ ?[a-z]+="/, "", s)
		sub(/"$/, "", s)
		return s
	}
	BEGIN { RS = "</g>\n" }
	/<g class="f"[^>]*><title>/ {
		t = $0
		sub(/.*<g class="f"[^>]*><title>/, "", t)
		sub(/<\/title>.*/, "", t)
		n = split(t, line, "\n")
		stack = line[n] ~ /^stack: / ? substr(line[n], 8) : line[1]
		r = $0
		sub(/.*<rect /, "", r)
		sub(/\/>.*/, "", r)
		printf "%s\t%s\t%s\t%s\t%s\n", stack, attr(r, "x"),
			attr(r, "y"), attr(r, "width"), attr(r, "fill")
	}' "$1"
}

# frame SVG STACK: the frames() line of STACK; fails unless there is
# exactly one.
frame() {
	local lines
	lines=$(frames "$1" | awk -F '\t' -v s="$2" '$1 == s')
	[ -n "$lines" ] || fail "no frame $2 in $1"
	[ "$(wc -l <<< "$lines")" = 1 ] || fail "frame $2 drawn more than once in $1"
	printf '%s\n' "$lines"
}

# width SVG STACK, fill SVG STACK: the width, the fill of STACK's frame
width() { frame "$1" "$2" | cut -f 4; }
fill() { frame "$1" "$2" | cut -f 5; }

# title SVG STACK: the decoded text of the title of STACK's frame (a stack
# of more than one frame, with no quote in it).
title() {
	xq "$1" "string(//g[@class='f'][substring-after(title, 'stack: ') = '$2']/title)"
}

# expected_widths WEIGHT USABLE: from $JSON (dump_json of a paired stream),
# "STACK <tab> WIDTH" for the root ("all") and every comm;syscall;path
# prefix of the pairs whose WEIGHT is not 0, WIDTH being USABLE times the
# stack's share of the total.  Byte weights follow the pairs' read and
# write flags.
expected_widths() {
	jqs -r --arg w "$1" --argjson u "$2" '
		def wt: if $w == "count" then 1
			elif $w == "latency" then .latency_ns
			elif $w == "read" then (if .read then .bytes else 0 end)
			elif $w == "write" then (if .write then .bytes else 0 end)
			elif $w == "bytes" then (if .read then .bytes else 0 end)
				+ (if .write then .bytes else 0 end)
			else error("weight \($w)") end;
		[of("pair") | {s: [.comm, .syscall, (.path // "[no file]")], v: wt}] as $p
		| ($p | map(.v) | add) as $total
		| "all\t\($u)",
		  ([$p[] | .v as $v | .s as $s | range(1; 4) | {k: ($s[:.] | join(";")), v: $v}]
		   | group_by(.k)[] | (map(.v) | add) as $sum | select($sum > 0)
		   | "\(.[0].k)\t\($u * $sum / $total)")'
}

# compare_widths EXPECTED SVG: a line for each frame of SVG that is not in
# EXPECTED (expected_widths), drawn twice, missing, or whose width is not
# the expected one within the rounding of its two decimals.
compare_widths() {
	frames "$2" | awk -F '\t' '
		NR == FNR { want[$1] = $2; next }
		{
			if ($1 in got) print "frame drawn twice: " $1
			got[$1] = $4
			if (!($1 in want)) { print "unexpected frame: " $1; next }
			d = $4 - want[$1]
			# Both ends of a frame are rounded to 0.01 px: the width is
			# within 0.01 px of the exact share.
			if (d > 0.0101 || d < -0.0101)
				printf "%s: width %s, want %.4f\n", $1, $4, want[$1]
		}
		END { for (s in want) if (!(s in got)) print "missing frame: " s }
	' "$1" -
}

# check_widths FIXTURE WEIGHT [WIDTH]: ior-flame -w WEIGHT (-W WIDTH) of
# $T/FIXTURE.ior draws exactly the stacks of the fixture that weigh
# something, each as wide as its share of the total.
check_widths() {
	local fixture=$1 weight=$2 w=${3:-1200}
	flame "$fixture-$weight" -w "$weight" -W "$w" "$T/$fixture.ior"
	dump_json "$T/$fixture.ior"
	expected_widths "$weight" "$((w - 20))" > "$T/$fixture-$weight.want"
	run compare_widths "$T/$fixture-$weight.want" "$T/$fixture-$weight.svg"
	assert_output ""
}

# nesting SVG DY: a line for each frame that is not inside its parent
# (from x to x + width, within 1e-6: what the zoom script relies on) or not
# DY pixels below it (-16 for a flame graph, 16 for an icicle).  Stacks
# must not hold ';' in their frames.
nesting() {
	frames "$1" | awk -F '\t' -v dy="$2" '
		{ x[$1] = $2; y[$1] = $3; w[$1] = $4; s[NR] = $1 }
		END {
			for (i = 1; i <= NR; i++) {
				k = s[i]
				if (k == "all")
					continue
				p = k
				if (!sub(/;[^;]*$/, "", p))
					p = "all"
				if (!(p in x)) {
					print k ": no parent frame " p
					continue
				}
				if (x[k] + 0 < x[p] - 1e-6 || x[k] + w[k] > x[p] + w[p] + 1e-6)
					printf "%s [%s, %.2f] is not inside %s [%s, %.2f]\n",
						k, x[k], x[k] + w[k], p, x[p], x[p] + w[p]
				if (y[k] - y[p] != dy)
					printf "%s: y %s, its parent %s y %s\n", k, y[k], p, y[p]
			}
		}'
}

# ---- Chromium ----

# require_chromium: CHROMIUM, the browser; the test is skipped without one,
# or fails in CI (CI=true), where the browser tests must run.
require_chromium() {
	CHROMIUM=/usr/bin/chromium
	[ -x "$CHROMIUM" ] || CHROMIUM=$(type -P chromium || true)
	[ -n "$CHROMIUM" ] && return 0
	if [ "${CI:-}" = true ]; then
		fail "no Chromium (scripts/install-deps installs it), and CI=true requires the browser tests"
	fi
	skip "no Chromium (scripts/install-deps installs it)"
}

# headless ARG...: headless Chromium, its own profile in $T, its chatter
# in $T/chromium.err.
headless() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-dev-shm-usage \
		--allow-file-access-from-files --virtual-time-budget=3000 \
		--user-data-dir="$T/chromium-profile" "$@" \
		< /dev/null 2>> "$T/chromium.err" 3>&-
}

# wrapper PAGE CASE...: writes PAGE, a page that shows each CASE's SVG
# (CASE.svg, next to PAGE) in an iframe and, once that SVG has loaded, runs
# the JavaScript steps STEPS[CASE] and writes the object res they fill, as
# JSON, into <pre id="result-CASE">.  Each case has its own iframe,
# document and window: the cases do not see each other.  The steps are
# defined before the iframes and run by their onload attributes, which are
# there from the start: an SVG that loads before the page is parsed to its
# end is not missed.  The steps have:
#   d, w         the SVG's document and window
#   frames       its frames (g.f), in document order
#   stack(g)     a frame's stack, as frames() above gives it (decoded)
#   frame(s), rect(s)   the frame of stack s, its rect
#   click(e), hover(e)  dispatch a real MouseEvent (click, mouseover) that
#                bubbles, as a mouse would
#   having(c)    the sorted stacks of the frames with class c
#   layout()     every frame's x and width, as one string
#   magenta()    the sorted stacks of the frames filled rgb(230,0,230)
wrapper() {
	local page=$1 c
	shift
	{
		cat <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ior-flame test</title>
<script>
"use strict";
var steps = {};
EOF
		for c; do
			printf 'steps["%s"] = function (iframe) {\n' "$c"
			cat <<'EOF'
  var res = {};
  try {
    var d = iframe.contentDocument, w = iframe.contentWindow;
    var frames = Array.prototype.slice.call(d.querySelectorAll("g.f"));
    var stack = function (g) {
      var l = g.querySelector("title").textContent.split("\n");
      var s = l[l.length - 1];
      return s.indexOf("stack: ") === 0 ? s.substr(7) : l[0];
    };
    var frame = function (s) {
      var f = frames.filter(function (g) { return stack(g) === s; });
      if (f.length !== 1) throw new Error("no single frame " + s);
      return f[0];
    };
    var rect = function (s) { return frame(s).querySelector("rect"); };
    var click = function (e) { e.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true})); };
    var hover = function (e) { e.dispatchEvent(new MouseEvent("mouseover", {bubbles: true})); };
    var having = function (c) {
      return frames.filter(function (g) { return g.classList.contains(c); }).map(stack).sort();
    };
    var layout = function () {
      return frames.map(function (g) {
        var r = g.querySelector("rect");
        return r.getAttribute("x") + "+" + r.getAttribute("width");
      }).join(" ");
    };
    var magenta = function () {
      return frames.filter(function (g) {
        return g.querySelector("rect").getAttribute("fill") === "rgb(230,0,230)";
      }).map(stack).sort();
    };
EOF
			printf '%s\n' "${STEPS[$c]}"
			cat <<'EOF'
  } catch (e) {
    res.error = String(e);
  }
  return res;
};
EOF
		done
		cat <<'EOF'
function run(c, iframe) {
  document.getElementById("result-" + c).textContent = JSON.stringify(steps[c](iframe));
}
</script>
</head>
<body style="margin:0">
EOF
		for c; do
			printf '<pre id="result-%s">not loaded</pre>\n' "$c"
			printf '<iframe id="svg-%s" src="%s.svg" onload="run(&quot;%s&quot;, this)" width="1200" height="400" style="border:0;display:block"></iframe>\n' "$c" "$c" "$c"
		done
		printf '</body></html>\n'
	} > "$page"
}

# The browser tests share one Chromium run, as each start costs seconds.
# A case is a function case_NAME that draws $T/NAME.svg and sets
# STEPS[NAME]; the first browse runs every case in one page.
declare -gA STEPS
BROWSER_CASES=(zoom search icicle mix round)

# browse CASE: RESULT, the res of CASE's steps run on its SVG in headless
# Chromium, read from the DOM it dumps.  Fails if the page did not run
# those steps or they threw.  The first call draws every case's SVG in
# $BATS_FILE_TMPDIR/browser and runs Chromium on them all; later calls
# read the DOM it left (a run that failed leaves none, and is run again).
browse() {
	local B=$BATS_FILE_TMPDIR/browser c
	if [ ! -s "$B/dom.html" ]; then
		rm -rf "$B"
		mkdir "$B"
		for c in "${BROWSER_CASES[@]}"; do
			T=$B "case_$c"
		done
		wrapper "$B/wrapper.html" "${BROWSER_CASES[@]}"
		T=$B headless --dump-dom "file://$B/wrapper.html" > "$B/dom.tmp" ||
			fail "chromium exited $?: $(tail -5 "$B/chromium.err")"
		mv "$B/dom.tmp" "$B/dom.html"
	fi
	RESULT=$(sed -n "s|.*<pre id=\"result-$1\">\(.*\)</pre>.*|\1|p" "$B/dom.html" |
		sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g')
	jq -e 'type == "object"' <<< "$RESULT" > /dev/null 2>&1 ||
		fail "the page did not run the steps of $1: $(grep -a "id=\"result-$1\"" "$B/dom.html")"
	[ "$(jq -r '.error // ""' <<< "$RESULT")" = "" ] ||
		fail "the steps of $1 threw: $(jq -r .error <<< "$RESULT")"
}

# ---- the SVG ----

@test "the SVG is well-formed and self-contained for pairs, aggregate, folded, -I and -D input" {
	gen_mix
	diff_fixture before 1000 6000 3000
	diff_fixture after 5000 2000 3000 1000
	"$IOR_BIN/ior-agg" -o - "$T/mix.ior" > "$T/mix.agg"
	"$IOR_BIN/ior-agg" --folded "$T/mix.ior" > "$T/mix.folded"
	flame pairs "$T/mix.ior"
	flame agg "$T/mix.agg"
	flame folded "$T/mix.folded"
	flame inverted -I "$T/mix.ior"
	flame diff -D "$T/before.ior" "$T/after.ior"
	flame stdin < "$T/mix.ior"
	# Each has its 17 frames (the diff: 8), the controls the script uses
	# and, but for -D, the legend of the syscall classes.
	for svg in pairs agg folded inverted stdin; do
		run xq "$T/$svg.svg" "count(//g[@class='f'])"
		assert_output 17
		run xq "$T/$svg.svg" 'count(//text[@id="unzoom" and contains(@class, "hide")]
			| //text[@id="search"] | //text[@id="resetsearch"]
			| //text[@id="details"] | //text[@id="matched"])'
		assert_output 5
		run xq "$T/$svg.svg" "//g[@class='legend']/text/text()"
		assert_output - <<'EOF'
read
write
open/close
metadata
sync
other
error
mixed
EOF
	done
	run xq "$T/diff.svg" "count(//g[@class='f'])"
	assert_output 8
	run xq "$T/diff.svg" "//g[@class='legend']/text/text()"
	assert_output - <<'EOF'
grew
shrank
same
EOF
}

@test "aggregate snapshots and folded stacks draw the very frames of the paired stream they came from" {
	gen_mix
	"$IOR_BIN/ior-agg" -o - "$T/mix.ior" > "$T/mix.agg"
	"$IOR_BIN/ior-agg" --folded -w count "$T/mix.ior" > "$T/mix.folded"
	for weight in latency count; do
		flame pairs -w "$weight" "$T/mix.ior"
		flame agg -w "$weight" "$T/mix.agg"
		frames "$T/pairs.svg" | cut -f 1-4 > "$T/pairs.frames"
		frames "$T/agg.svg" | cut -f 1-4 > "$T/agg.frames"
		run diff "$T/pairs.frames" "$T/agg.frames"
		assert_success
	done
	# Folded counts: the same stacks, places and widths as the pairs'.
	flame folded -w count "$T/mix.folded"
	frames "$T/folded.svg" | cut -f 1-4 > "$T/folded.frames"
	run diff "$T/pairs.frames" "$T/folded.frames"
	assert_success
	run wc -l < "$T/pairs.frames"
	assert_output 17
	# The aggregate still knows it is 10 syscalls.
	run xq "$T/agg.svg" "string(//text[@class='sub'])"
	assert_output --partial "10 syscalls by comm;syscall;path; width: syscall count, 10 in all"
	run xq "$T/folded.svg" "string(//text[@class='sub'])"
	assert_output --partial "folded stacks, 7 in all; width: syscall count, 10 in all"
}

@test "-w count: each frame is as wide as its stack's share of the calls" {
	gen_mix
	check_widths mix count
	# 3 of 10 calls read /d/a.txt: 354 px of 1180.
	run width "$T/mix-count.svg" "app;read;/d/a.txt"
	assert_output 354.00
}

@test "-w latency (the default): each frame is as wide as its stack's share of the time" {
	gen_mix
	check_widths mix latency
	# The fsync is 16us of 44.8us.
	run width "$T/mix-latency.svg" "app;fsync;/d/b.txt"
	assert_output 421.43
	flame default "$T/mix.ior"
	run diff <(frames "$T/default.svg") <(frames "$T/mix-latency.svg")
	assert_success
}

@test "-w bytes: each frame is as wide as its stack's share of the bytes; calls without bytes are not drawn" {
	gen_mix
	check_widths mix bytes
	# 8192 of 9942 bytes are db's preads.
	run width "$T/mix-bytes.svg" "db;pread64;/var/db/x"
	assert_output 972.30
	run xq "$T/mix-bytes.svg" "count(//g[@class='f'][contains(title, 'stack: app;openat')
		or contains(title, 'stack: app;fsync') or contains(title, 'stack: db;close')])"
	assert_output 0
}

@test "-W sets the image width; frames fill it less 20 px of padding" {
	gen_mix
	check_widths mix latency 800
	check_widths mix read 3000
	run xq "$T/mix-latency.svg" 'string(/svg/@width)'
	assert_output 800
	run width "$T/mix-latency.svg" all
	assert_output 780.00
}

@test "the frames of a flame graph nest: each inside its parent and one row above it" {
	gen_mix
	for weight in count latency bytes; do
		flame "mix-$weight" -w "$weight" "$T/mix.ior"
		run nesting "$T/mix-$weight.svg" -16
		assert_output ""
	done
	# The root is the bottom row.
	run awk -F '\t' '$3 > max { max = $3; s = $1 } END { print s }' <(frames "$T/mix-count.svg")
	assert_output all
}

@test "each frame's title has its label, its calls, errors, bytes, latency and share, and its stack" {
	gen_mix
	flame mix -w count "$T/mix.ior"
	run title "$T/mix.svg" "app;read;/d/a.txt"
	assert_output - <<'EOF'
/d/a.txt
3 calls, 0 errors, 700B read, 0 written, latency 7.00us (15.62%), count 30.00%
stack: app;read;/d/a.txt
EOF
	run title "$T/mix.svg" "app;openat;/d/b.txt"
	assert_output - <<'EOF'
/d/b.txt
1 calls, 1 errors, 0 read, 0 written, latency 500ns (1.12%), count 10.00%
stack: app;openat;/d/b.txt
EOF
	# The label is the text, when it fits.
	run xq "$T/mix.svg" "string(//g[@class='f'][substring-after(title, 'stack: ') = 'db;pread64;/var/db/x']/text)"
	assert_output /var/db/x
}

@test "the title and subtitle say what the width measures, the fields, the total and the loss" {
	gen_mix
	flame count -w count "$T/mix.ior"
	flame latency "$T/mix.ior"
	flame bytes -w bytes -f 'comm;path' "$T/mix.ior"
	run xq "$T/count.svg" "concat(//text[@class='title'], '|', //text[@class='sub'])"
	assert_output --regexp '^Flame graph of syscall count\|10 syscalls by comm;syscall;path; width: syscall count, 10 in all; .*; 0 events lost$'
	run xq "$T/latency.svg" "concat(//text[@class='title'], '|', //text[@class='sub'])"
	assert_output --regexp '^Flame graph of time spent in syscalls\|10 syscalls by comm;syscall;path; width: time spent in syscalls, 44.8us in all; .*; 0 events lost$'
	run xq "$T/bytes.svg" "concat(//text[@class='title'], '|', //text[@class='sub'])"
	assert_output --regexp '^Flame graph of bytes read and written\|10 syscalls by comm;path; width: bytes read and written, 9.71K in all; .*; 0 events lost$'
	# -f comm;path: two rows above the root.
	run frame "$T/bytes.svg" "app;/d/a.txt"
	assert_success
	run xq "$T/bytes.svg" "count(//g[@class='f'][contains(title, 'stack: app;read')])"
	assert_output 0
}

@test "events lost by the kernel (a loss record) make the subtitle say LOST and how many" {
	gen_small
	sed 's/^pair_totals$/loss cpu=1 lost=7\npair_totals lost=7/' "$T/small.txt" > "$T/lossy.txt"
	"$IOR_BIN/iorgen" "$T/lossy.txt" > "$T/lossy.ior"
	flame lossy -w count "$T/lossy.ior"
	run xq "$T/lossy.svg" "string(//text[@class='sub'])"
	assert_output --regexp '; LOST: 7 events lost$'
	flame small -w count "$T/small.ior"
	run xq "$T/small.svg" "string(//text[@class='sub'])"
	refute_output --partial LOST
	assert_output --regexp '; 0 events lost$'
}

@test "-t sets the title, escaped" {
	gen_small
	flame titled -t 'x < y & "z" ]]> </text><script>' "$T/small.ior"
	run xq "$T/titled.svg" "string(//text[@class='title'])"
	assert_output 'x < y & "z" ]]> </text><script>'
}

@test "hostile path and comm names stay inside their title and text, visibly escaped" {
	# Quotes, markup, entities, ]]>, a newline, control bytes, bytes that
	# are not UTF-8, valid UTF-8, a comment opener.
	gen hostile <<'EOF'
name kind=comm id=1 value="c<&>\x7f\x1b"
name id=1 value="/h/a\"b'c<d&e>f\ng\x01h\xffi]]>j</title><script>alert(1)</script>"
name id=2 value="/h/<![CDATA[x]]>&amp;<!--\tcaf\xc3\xa9\xc3"
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=2 comm=1 fd=4 pflags=2
pair_totals
trailer
EOF
	flame hostile -W 4000 -w count "$T/hostile.ior"
	flame narrow -W 300 -w count "$T/hostile.ior"
	for svg in hostile narrow; do
		# Nothing broke out: 5 frames of a title, a rect and a text
		# each, with nothing but text in the title and the text.
		run xq "$T/$svg.svg" "concat(count(//g[@class='f']), ' ',
			count(//g[@class='f'][count(*) = 3 and title and rect and text]), ' ',
			count(//g[@class='f']/title/* | //g[@class='f']/text/*), ' ',
			count(//script), ' ', count(//*[local-name() = 'title']))"
		assert_output "5 5 0 1 5"
		# No control byte but newline and tab made it into the file.
		run sh -c 'LC_ALL=C tr -d "\n\t" < "$1" | LC_ALL=C grep -a -c "[[:cntrl:]]"' sh "$T/$svg.svg"
		assert_output 0
	done
	# The names, as a reader sees them: markup characters as themselves,
	# control bytes and bytes that are not UTF-8 as \xNN.
	local p1='/h/a"b'"'"'c<d&e>f\x0ag\x01h\xffi]]>j</title><script>alert(1)</script>'
	local p2='/h/<![CDATA[x]]>&amp;<!--\x09café\xc3'
	local comm='c<&>\x7f\x1b'
	run xq "$T/hostile.svg" "string(//g[@class='f'][starts-with(title, '/h/a')]/title)"
	assert_output "$p1
1 calls, 0 errors, 100B read, 0 written, latency 1.00us (50.00%), count 50.00%
stack: $comm;read;$p1"
	run xq "$T/hostile.svg" "string(//g[@class='f'][starts-with(title, '/h/<')]/title)"
	assert_line --index 0 "$p2"
	# In the stack, a ';' inside a frame is \x3b, as in folded stacks.
	local p2_stack='/h/<![CDATA[x]]>&amp\x3b<!--\x09café\xc3'
	assert_line --index 2 "stack: $comm;read;$p2_stack"
	# The labels drawn are the same strings.
	run xq "$T/hostile.svg" "string(//g[@class='f'][starts-with(title, '/h/a')]/text)"
	assert_output "$p1"
	run xq "$T/hostile.svg" "string(//g[@class='f'][starts-with(title, '/h/<')]/text)"
	assert_output "$p2"
	run xq "$T/hostile.svg" "string(//g[@class='f'][starts-with(title, 'c<')]/text)"
	assert_output "$comm"
}

@test "a path with the XML non-characters U+FFFE and U+FFFF keeps the SVG well-formed" {
	gen nonchar <<'EOF'
name kind=comm id=1 value=app
name id=1 value="/h/\xef\xbf\xbe\xef\xbf\xbf"
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair_totals
trailer
EOF
	flame nonchar "$T/nonchar.ior"
	run xq "$T/nonchar.svg" "count(//g[@class='f'][starts-with(title, '/h/')])"
	assert_output 1
}

# ---- -D, -M, -I, folded ----

@test "-D: widths from AFTER, a stack that grew red, one that shrank blue, one that did not grey" {
	diff_fixture before 1000 6000 3000
	diff_fixture after 5000 2000 3000 1000
	flame diff -D "$T/before.ior" "$T/after.ior"
	# AFTER's 11us: grows 5, shrinks 2, same 3, new 1.
	run width "$T/diff.svg" "app;read;/d/grows"
	assert_output 536.36
	run width "$T/diff.svg" "app;write;/d/shrinks"
	assert_output 214.55
	# The colour deepens with the change: reads grew the most, by 5us
	# (grows 4, new 1): the deepest red, rgb(255,55,55); grows by 4us,
	# 4/5 of that; shrinks by as much the other way; new by 1/5.
	run fill "$T/diff.svg" "app;read"
	assert_output 'rgb(255,55,55)'
	run fill "$T/diff.svg" "app;read;/d/grows"
	assert_output 'rgb(255,95,95)'
	run fill "$T/diff.svg" "app;write;/d/shrinks"
	assert_output 'rgb(95,95,255)'
	run fill "$T/diff.svg" "app;read;/d/same"
	assert_output 'rgb(235,235,235)'
	run fill "$T/diff.svg" "app;read;/d/new"
	assert_output 'rgb(255,215,215)'
	# The titles say from what to what.
	run title "$T/diff.svg" "app;read;/d/grows"
	assert_line --index 2 "before 1000, after 5000: +400.00%"
	run title "$T/diff.svg" "app;write;/d/shrinks"
	assert_line --index 2 "before 6000, after 2000: -66.67%"
	run title "$T/diff.svg" "app;read;/d/new"
	assert_line --index 2 "before 0, after 1000: +100.00%"
	run xq "$T/diff.svg" "string(//text[@class='title'])"
	assert_output "Differential flame graph of time spent in syscalls: $T/before.ior → $T/after.ior"
	# The other way round, the colours swap.
	flame rev -D "$T/after.ior" "$T/before.ior"
	run fill "$T/rev.svg" "app;read"
	assert_output 'rgb(55,55,255)'
	run fill "$T/rev.svg" "app;write;/d/shrinks"
	assert_output 'rgb(255,95,95)'
}

@test "-D: every fill is an rgb() colour with components from 0 to 255, the root's too" {
	printf 'x 1\ny 1\n' > "$T/before.folded"
	printf 'x 2\ny 2\n' > "$T/after.folded"
	flame diff -w count -D "$T/before.folded" "$T/after.folded"
	run awk -F '\t' '$5 !~ /^rgb\((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]),(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]),(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\)$/ { print $1 ": " $5 }' <(frames "$T/diff.svg")
	assert_output ""
}

@test "-D: events lost in either input make the subtitle say LOST" {
	gen_small
	sed 's/^pair_totals$/loss lost=7\npair_totals lost=7/' "$T/small.txt" > "$T/lossy.txt"
	"$IOR_BIN/iorgen" "$T/lossy.txt" > "$T/lossy.ior"
	flame after-lost -D "$T/small.ior" "$T/lossy.ior"
	run xq "$T/after-lost.svg" "string(//text[@class='sub'])"
	assert_output --partial "LOST: 7 events lost"
	flame before-lost -D "$T/lossy.ior" "$T/small.ior"
	run xq "$T/before-lost.svg" "string(//text[@class='sub'])"
	assert_output --partial "LOST: 7 events lost"
}

@test "-M folds frames narrower than it into [other], keeping their calls and the widths" {
	# One read of /big of 1ms, 20 reads of /small/N of 200ns each: each
	# 0.24 px wide, 4.70 px together.
	{
		echo "name kind=comm id=1 value=app"
		echo "name id=1 value=/big"
		for i in $(seq 2 21); do echo "name id=$i value=/small/$i"; done
		echo "pair pid=10 nr=read ret=1 bytes=1 latency=1000000 path=1 comm=1 fd=3 pflags=2"
		for i in $(seq 2 21); do
			echo "pair pid=10 nr=read ret=1 bytes=1 latency=200 path=$i comm=1 fd=3 pflags=2"
		done
		echo "pair_totals"
		echo "trailer"
	} | gen tiny
	# By default (0.1 px) every one is drawn.
	flame all "$T/tiny.ior"
	run grep -c -F 'app;read;/small/' <(frames "$T/all.svg")
	assert_output 20
	run width "$T/all.svg" "app;read;/small/7"
	assert_output 0.24
	flame folded -M 2 "$T/tiny.ior"
	run grep -c -F '/small/' <(frames "$T/folded.svg")
	assert_output 0
	run width "$T/folded.svg" "app;read;[other]"
	assert_output 4.70
	run title "$T/folded.svg" "app;read;[other]"
	assert_line --index 1 --partial "20 calls, 0 errors, 20B read, 0 written, latency 4.00us"
	# Nothing else moved: the root, app and read are as wide as before,
	# and /big and [other] fill read.
	for s in all app app\;read app\;read\;/big; do
		assert_equal "$(width "$T/folded.svg" "$s")" "$(width "$T/all.svg" "$s")"
	done
	run awk -F '\t' '$1 ~ /^app;read;/ { sum += $4 } END { printf "%.2f\n", sum }' <(frames "$T/folded.svg")
	assert_output 1180.00
	run nesting "$T/folded.svg" -16
	assert_output ""
}

@test "-I (--inverted) draws an icicle: the root at the top, each frame a row below its parent" {
	gen_mix
	flame flame -w count "$T/mix.ior"
	flame icicle -w count -I "$T/mix.ior"
	flame long -w count --inverted "$T/mix.ior"
	run diff "$T/icicle.svg" "$T/long.svg"
	assert_success
	run xq "$T/icicle.svg" 'string(/svg/@data-inverted)'
	assert_output 1
	# The root has the smallest y, below the header, in the icicle.
	run awk -F '\t' 'NR == 1 || $3 < min { min = $3; s = $1 } END { print s, min }' <(frames "$T/icicle.svg")
	assert_output "all 84.0"
	run nesting "$T/icicle.svg" 16
	assert_output ""
	# The same frames, x and widths as the flame graph.
	run diff <(frames "$T/flame.svg" | cut -f 1,2,4 | sort) <(frames "$T/icicle.svg" | cut -f 1,2,4 | sort)
	assert_success
}

@test "folded input: escaped frames, weights, and a line that is not a stack is an error with its number" {
	printf '%s\n' 'x;a\x3bb;c\x5cd 5' 'x;\x3c\x26\xff 5' '# a comment' '' 'x;y 10' 'not a stack' > "$T/in.folded"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/in.folded"
	assert_failure 1
	printf '%s\n' "$output" > "$T/folded.svg"
	assert_svg "$T/folded.svg"
	assert_equal "$stderr" "ior-flame: $T/in.folded: not a folded stack (\"frame;frame COUNT\") at line 6"
	# "a\x3bb" is one frame, a;b, holding a frame c\d.
	run xq "$T/folded.svg" "count(//g[@class='f'][starts-with(title, 'a;b
')])"
	assert_output 1
	run xq "$T/folded.svg" "string(//g[@class='f'][starts-with(title, 'c\\d
')]/rect/@width)"
	assert_output 295.00
	# <& are markup in the SVG, \xff stays visibly escaped.
	run xq "$T/folded.svg" "string(//g[@class='f'][starts-with(title, '<')]/text)"
	assert_output '<&\xff'
	run width "$T/folded.svg" "x;y"
	assert_output 590.00
}

@test "folded input: the subtitle counts the stacks drawn, not the line in error" {
	printf '%s\n' 'x;a 5' 'x;b 5' 'x;y 10' 'not a stack' > "$T/in.folded"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/in.folded"
	assert_failure 1
	printf '%s\n' "$output" > "$T/folded.svg"
	run xq "$T/folded.svg" "string(//text[@class='sub'])"
	assert_output --partial "folded stacks, 3 in all"
}

# ---- in the browser ----

# The cases of the browser tests (see browse): each draws its SVG and sets
# its steps.

case_zoom() {
	gen_small
	flame zoom -w count "$T/small.ior"
	STEPS[zoom]='
	var before = layout();
	click(rect("app;read"));
	res.zoomed = [rect("app;read").getAttribute("x"), rect("app;read").getAttribute("width"),
		rect("app;read;/d/a.txt").getAttribute("width")];
	res.parents = having("parent");
	res.parentw = [rect("all").getAttribute("width"), rect("app").getAttribute("width")];
	res.hidden = having("hide");
	res.unzoom = d.getElementById("unzoom").getAttribute("class");
	click(d.getElementById("unzoom"));
	res.reset = [layout() === before, having("hide").length, having("parent").length,
		d.getElementById("unzoom").getAttribute("class")];
	click(rect("app;write;/d/b.txt"));
	res.zoomed2 = [rect("app;write;/d/b.txt").getAttribute("width"), having("hide").length];
	click(rect("all"));
	res.root = [layout() === before, having("hide").length];
	click(rect("app;openat"));
	w.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));
	res.escape = [layout() === before, having("hide").length];
	'
}

case_search() {
	gen_small
	flame search -w count "$T/small.ior"
	STEPS[search]='
	var fill0 = rect("app;read").getAttribute("fill");
	res.before = [d.getElementById("matched").getAttribute("class"), magenta().length];
	w.search(new RegExp("b\\.txt$"));
	res.b = [d.getElementById("matched").textContent, d.getElementById("matched").getAttribute("class"),
		d.getElementById("resetsearch").getAttribute("class"), magenta()];
	w.search(new RegExp("^(app|read)$"));
	res.nested = [d.getElementById("matched").textContent, magenta()];
	click(rect("app;write"));
	res.zoomed = d.getElementById("matched").textContent;
	click(d.getElementById("unzoom"));
	w.search(new RegExp("^/d/"));
	click(rect("app;read"));
	res.zoomed2 = d.getElementById("matched").textContent;
	click(d.getElementById("resetsearch"));
	res.reset = [d.getElementById("matched").getAttribute("class"),
		d.getElementById("resetsearch").getAttribute("class"), magenta().length,
		rect("app;read").getAttribute("fill") === fill0];
	hover(rect("app;read;/d/a.txt"));
	res.details = d.getElementById("details").textContent;
	'
}

case_icicle() {
	gen_small
	flame icicle -w count -I "$T/small.ior"
	STEPS[icicle]='
	var y = rect("app;read").getAttribute("y");
	click(rect("app;read"));
	res.zoomed = [rect("app;read").getAttribute("width"), rect("app;read").getAttribute("y") === y,
		rect("app;read;/d/a.txt").getAttribute("width")];
	res.parents = having("parent");
	res.hidden = having("hide");
	'
}

case_mix() {
	gen_mix
	flame mix -w count "$T/mix.ior"
	STEPS[mix]='
	click(rect("app;read"));
	res.zoomed = [rect("app;read").getAttribute("width"), having("hide").length];
	'
}

case_round() {
	# b;y ends at 425.02, b at 425.01 (their exact ends are equal).
	printf '%s\n' 'a 2080' 'b;x 832' 'b;y 8293' 'c 20654' > "$T/round.folded"
	flame round -w count "$T/round.folded"
	STEPS[round]='
	click(rect("b"));
	res.b = [having("hide"), having("parent")];
	click(d.getElementById("unzoom"));
	click(rect("b;y"));
	res.y = [having("hide"), having("parent")];
	'
}

@test "Chromium: clicking a frame zooms it to the full width, hides the rest, shows Reset Zoom; Reset Zoom undoes it" {
	require_chromium
	browse zoom
	run jq -c .zoomed <<< "$RESULT"
	assert_output '["10.00","1180.00","1180.00"]'
	run jq -c '[.parents, .parentw]' <<< "$RESULT"
	assert_output '[["all","app"],["1180.00","1180.00"]]'
	run jq -c .hidden <<< "$RESULT"
	assert_output '["app;openat","app;openat;/d/b.txt","app;write","app;write;/d/b.txt"]'
	run jq -r .unzoom <<< "$RESULT"
	assert_output button
	run jq -c .reset <<< "$RESULT"
	assert_output '[true,0,0,"button hide"]'
	run jq -c .zoomed2 <<< "$RESULT"
	assert_output '["1180.00",4]'
	# Clicking the root while zoomed, or Esc, unzooms.
	run jq -c '[.root, .escape]' <<< "$RESULT"
	assert_output '[[true,0],[true,0]]'
}

@test "Chromium: search highlights the matching frames and says their share; hover shows the details" {
	require_chromium
	browse search
	run jq -c .before <<< "$RESULT"
	assert_output '["hide",0]'
	# Two frames of 295 px of 1180.
	run jq -c .b <<< "$RESULT"
	assert_output '["Matched: 50.00%","","button",["app;openat;/d/b.txt","app;write;/d/b.txt"]]'
	# app holds read: each pixel counts once.
	run jq -c .nested <<< "$RESULT"
	assert_output '["Matched: 100.00%",["app","app;read"]]'
	# Zoomed into write, app is a parent and read hidden: nothing shown
	# matches; zoomed into read, /d/a.txt fills it.
	run jq -c '[.zoomed, .zoomed2]' <<< "$RESULT"
	assert_output '["Matched: 0.00%","Matched: 100.00%"]'
	run jq -c .reset <<< "$RESULT"
	assert_output '["hide","button hide",0,true]'
	run jq -r .details <<< "$RESULT"
	assert_output "/d/a.txt  |  2 calls, 0 errors, 400B read, 0 written, latency 4.00us (38.10%), count 50.00%  |  stack: app;read;/d/a.txt"
}

@test "Chromium: zooming an icicle (-I) works the same way" {
	require_chromium
	browse icicle
	run jq -c '[.zoomed, .parents, .hidden]' <<< "$RESULT"
	assert_output '[["1180.00",true,"1180.00"],["all","app"],["app;openat","app;openat;/d/b.txt","app;write","app;write;/d/b.txt"]]'
}

@test "Chromium: a screenshot of the zoomed graph is kept as a test artifact" {
	require_chromium
	local dir=${IOR_ARTIFACTS:-$BATS_TEST_DIRNAME/../build/test-artifacts}
	local png=$dir/flame-zoom.png
	mkdir -p "$dir"
	rm -f "$png"
	browse mix
	run jq -c .zoomed <<< "$RESULT"
	assert_output '["1180.00",13]'
	# The screenshot is of a page of the mix case alone, zoomed as above
	# when it loads.  It is taken in $T and moved into place whole: two
	# passes of the suite at once write the same file.
	case_mix
	wrapper "$T/wrapper.html" mix
	headless --screenshot="$T/flame-zoom.png" --window-size=1200,600 \
		"file://$T/wrapper.html" ||
		fail "chromium --screenshot exited $?: $(tail -5 "$T/chromium.err")"
	[ -f "$T/flame-zoom.png" ] || fail "no screenshot $T/flame-zoom.png"
	cp "$T/flame-zoom.png" "$png.$$"
	mv -f "$png.$$" "$png"
	# A PNG of 1200 x 600 (its IHDR), bigger than a blank page's (3 KB).
	run sh -c 'od -A n -t x1 -N 24 "$1" | tr -d " \n"' sh "$T/flame-zoom.png"
	assert_output 89504e470d0a1a0a0000000d49484452000004b000000258
	run stat -c %s "$T/flame-zoom.png"
	[ "$output" -gt 10000 ] || fail "the screenshot is only $output bytes"
}

@test "Chromium: zooming keeps every descendant shown and every ancestor as a parent, whatever the rounding" {
	require_chromium
	browse round
	run jq -c .b <<< "$RESULT"
	assert_output '[["a","c"],["all"]]'
	run jq -c .y <<< "$RESULT"
	assert_output '[["a","b;x","c"],["all","b"]]'
	run nesting "$BATS_FILE_TMPDIR/browser/round.svg" -16
	assert_output ""
}

# ---- a live capture ----

# live: capture the workload (tests/workload.c), pair it and its JSON: W
# is the work directory, STREAM the capture, JSON the pairs' JSON for jqs,
# P and K the pids.  The live tests only read the capture, so it is made
# once for them all, in $BATS_FILE_TMPDIR/live, by the first to ask (a
# capture that failed leaves no "done" there, and is tried again).
live() {
	local L=$BATS_FILE_TMPDIR/live
	require_bpf
	W=$L/work
	STREAM=$L/stream.ior
	if [ ! -e "$L/done" ]; then
		rm -rf "$L"
		mkdir -p "$W"
		"$IOR_BIN/ior-capture" -q -- "$IOR_BIN/workload" "$W" \
			> "$STREAM" 2> "$L/capture.err" 3>&- ||
			fail "ior-capture exited $?: $(cat "$L/capture.err")"
		"$IOR_BIN/ior-pair" "$STREAM" > "$L/live.pair" ||
			fail "ior-pair exited $?"
		dump_json "$L/live.pair"
		: > "$L/done"
	fi
	JSON=$L/live.pair.json
	workload_pids
}

# live_flame NAME ARG...: ior-pair < the capture | ior-flame ARG... into
# $T/NAME.svg; both must exit 0 and say nothing.
live_flame() {
	local name=$1 st
	shift
	"$IOR_BIN/ior-pair" "$STREAM" 2> "$T/$name.pair-err" |
		"$IOR_BIN/ior-flame" "$@" > "$T/$name.svg" 2> "$T/$name.err"
	st="${PIPESTATUS[*]}"
	[ "$st" = "0 0" ] || fail "ior-pair | ior-flame $* exited $st: $(cat "$T/$name.pair-err" "$T/$name.err")"
	[ ! -s "$T/$name.err" ] && [ ! -s "$T/$name.pair-err" ] ||
		fail "ior-pair | ior-flame $* said: $(cat "$T/$name.pair-err" "$T/$name.err")"
	assert_svg "$T/$name.svg"
}

# live_sum FILTER: the sum of FILTER over the pairs of the capture.
live_sum() {
	jqs --arg w "$W" "[of(\"pair\") | $1] | add // 0"
}

# share_pct PART TOTAL: 100 * PART / TOTAL with two decimals, as C prints it.
share_pct() {
	awk -v p="$1" -v t="$2" 'BEGIN { printf "%.2f\n", 100 * p / t }'
}

# assert_live_width SVG STACK PART TOTAL: STACK's frame is PART/TOTAL of
# the usable width.
assert_live_width() {
	local got
	got=$(width "$1" "$2")
	awk -v g="$got" -v p="$3" -v t="$4" -v u="$USABLE" 'BEGIN {
		d = g - u * p / t; exit !(d <= 0.0101 && d >= -0.0101) }' ||
		fail "$2: width $got, want $USABLE * $3 / $4"
}

@test "live: ior-pair | ior-flame -w count draws the workload's syscalls on its files, each as wide as its calls" {
	live
	live_flame count -w count
	local s rename npairs
	rename=$(jqs -r --arg w "$W" '[of("pair") | select(.path2 == $w + "/renamed.bin") | .syscall] | first')
	for s in openat write fsync close read pread64 dup lseek "$rename"; do
		frame "$T/count.svg" "workload;$s;$W/data.bin" > /dev/null
	done
	for s in "openat;$W/child.txt" "write;$W/child.txt" "openat;$W/inherited.txt" \
		"write;$W/inherited.txt" "close;$W/inherited.txt"; do
		frame "$T/count.svg" "workload;$s" > /dev/null
	done
	# The failed open is coloured as an error (hue 355), the good ones
	# as open/close (130).
	run fill "$T/count.svg" "workload;openat;$W/does-not-exist"
	assert_output --regexp '^hsl\(355,'
	run fill "$T/count.svg" "workload;openat;$W/child.txt"
	assert_output --regexp '^hsl\(130,'
	# Three writes of the pairs' calls, ten + one reads of data.bin.
	npairs=$(jqs '[of("pair")] | length')
	assert_live_width "$T/count.svg" "workload;write;$W/data.bin" 3 "$npairs"
	assert_live_width "$T/count.svg" "workload;read;$W/data.bin" 11 "$npairs"
	run xq "$T/count.svg" "string(//text[@class='sub'])"
	assert_output --regexp "^$npairs syscalls by comm;syscall;path; width: syscall count, $npairs in all; .*; 0 events lost$"
}

@test "live: -w bytes: the frames of data.bin, child.txt and inherited.txt hold the bytes the workload moved" {
	live
	live_flame bytes -w bytes
	local total
	total=$(live_sum '(if .read then .bytes else 0 end) + (if .write then .bytes else 0 end)')
	# What the stream says the workload moved is what it documents.
	run live_sum 'select(.path == $w + "/data.bin" and .syscall == "write") | .bytes'
	assert_output 8292
	run live_sum 'select(.path == $w + "/data.bin" and .syscall == "read") | .bytes'
	assert_output 8293
	assert_live_width "$T/bytes.svg" "workload;write;$W/data.bin" 8292 "$total"
	assert_live_width "$T/bytes.svg" "workload;read;$W/data.bin" 8293 "$total"
	assert_live_width "$T/bytes.svg" "workload;pread64;$W/data.bin" 512 "$total"
	assert_live_width "$T/bytes.svg" "workload;write;$W/child.txt" 12345 "$total"
	assert_live_width "$T/bytes.svg" "workload;write;$W/inherited.txt" 17 "$total"
	# The titles: 8292 bytes are 8.10K, 8293 + 512 read, 12345 12.1K.
	run title "$T/bytes.svg" "workload;write;$W/data.bin"
	assert_line --index 1 --regexp "^3 calls, 0 errors, 0 read, 8\.10K written, latency [^,]*, bytes $(share_pct 8292 "$total")%$"
	run title "$T/bytes.svg" "workload;read;$W/data.bin"
	assert_line --index 1 --regexp "^11 calls, 0 errors, 8\.10K read, 0 written, latency [^,]*, bytes $(share_pct 8293 "$total")%$"
	run title "$T/bytes.svg" "workload;pread64;$W/data.bin"
	assert_line --index 1 --regexp "^1 calls, 0 errors, 512B read, 0 written, latency [^,]*, bytes $(share_pct 512 "$total")%$"
	run title "$T/bytes.svg" "workload;write;$W/child.txt"
	assert_line --index 1 --regexp "^1 calls, 0 errors, 0 read, 12\.1K written, "
	# Calls that moved nothing are not drawn.
	run grep -c -E "^workload;(openat|close|fsync|lseek|dup|rename)" <(frames "$T/bytes.svg")
	assert_output 0
}

@test "live: -w write and -w read: only the bytes written, or read, each file's share of them" {
	live
	live_flame write -w write
	live_flame read -w read
	local written read
	written=$(live_sum 'select(.write) | .bytes')
	read=$(live_sum 'select(.read) | .bytes')
	run xq "$T/write.svg" "string(//text[@class='title'])"
	assert_output "Flame graph of bytes written"
	run xq "$T/read.svg" "string(//text[@class='title'])"
	assert_output "Flame graph of bytes read"
	assert_live_width "$T/write.svg" "workload;write;$W/data.bin" 8292 "$written"
	assert_live_width "$T/write.svg" "workload;write;$W/child.txt" 12345 "$written"
	assert_live_width "$T/write.svg" "workload;write;$W/inherited.txt" 17 "$written"
	assert_live_width "$T/read.svg" "workload;read;$W/data.bin" 8293 "$read"
	assert_live_width "$T/read.svg" "workload;pread64;$W/data.bin" 512 "$read"
	run title "$T/write.svg" "workload;write;$W/data.bin"
	assert_line --index 1 --regexp ", 8\.10K written, .*, write $(share_pct 8292 "$written")%$"
	run title "$T/read.svg" "workload;read;$W/data.bin"
	assert_line --index 1 --regexp ", 8\.10K read, .*, read $(share_pct 8293 "$read")%$"
	run grep -c -E '^workload;(read|pread64)' <(frames "$T/write.svg")
	assert_output 0
	run grep -c -E '^workload;write' <(frames "$T/read.svg")
	assert_output 0
}

# ---- bad input ----

@test "a truncated stream: exit 1, one line naming ior-flame and the offset, and the SVG of what was read, marked TRUNCATED" {
	gen_small
	dump_json "$T/small.ior"
	# Cut the write (the third pair) in its middle.
	local off st=0
	off=$(jqs '[of("pair")][2].offset')
	head -c "$((off + 20))" "$T/small.ior" > "$T/cut.ior"
	"$IOR_BIN/ior-flame" -w count "$T/cut.ior" > "$T/cut.svg" 2> "$T/cut.err" || st=$?
	assert_equal "$st" 1
	run cat "$T/cut.err"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^ior-flame: $T/cut\.ior: .*offset $off[^0-9]"
	assert_svg "$T/cut.svg"
	run xq "$T/cut.svg" "string(//text[@class='sub'])"
	assert_output --regexp '^2 syscalls by .*; TRUNCATED input$'
	# The two reads before the cut, all of the width.
	run width "$T/cut.svg" "app;read;/d/a.txt"
	assert_output 1180.00
	run grep -c -F 'app;write' <(frames "$T/cut.svg")
	assert_output 0
}

@test "a stream without its trailer: exit 1, the offset it ends at, and the SVG marked TRUNCATED" {
	gen_small
	grep -v '^trailer' "$T/small.txt" | "$IOR_BIN/iorgen" > "$T/notrailer.ior"
	local size st=0
	size=$(stat -c %s "$T/notrailer.ior")
	"$IOR_BIN/ior-flame" -w count < "$T/notrailer.ior" > "$T/notrailer.svg" 2> "$T/notrailer.err" || st=$?
	assert_equal "$st" 1
	run cat "$T/notrailer.err"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^ior-flame: .*offset $size[^0-9].*trailer"
	assert_svg "$T/notrailer.svg"
	run xq "$T/notrailer.svg" "string(//text[@class='sub'])"
	assert_output --regexp '^4 syscalls by .*; TRUNCATED input$'
}

@test "empty input fails with a message" {
	run --separate-stderr "$IOR_BIN/ior-flame" < /dev/null
	assert_failure
	assert_equal "$stderr" "ior-flame: <stdin>: empty input"
	: > "$T/empty"
	run --separate-stderr "$IOR_BIN/ior-flame" "$T/empty"
	assert_failure
	assert_equal "$stderr" "ior-flame: $T/empty: empty input"
}

@test "usage errors exit 2: -D with one input or three, an unknown weight or field, a tiny width" {
	gen_small
	run --separate-stderr "$IOR_BIN/ior-flame" -D "$T/small.ior"
	assert_equal "$status" 2
	assert_equal "$stderr" "ior-flame: -D takes two inputs: BEFORE AFTER"
	assert_equal "$output" ""
	run --separate-stderr "$IOR_BIN/ior-flame" -D "$T/small.ior" "$T/small.ior" "$T/small.ior"
	assert_equal "$status" 2
	run --separate-stderr "$IOR_BIN/ior-flame" -w furlongs "$T/small.ior"
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_regex "$stderr" "^ior-flame: unknown weight 'furlongs'"
	run --separate-stderr "$IOR_BIN/ior-flame" -f 'comm;colour' "$T/small.ior"
	assert_equal "$status" 2
	assert_regex "$stderr" '^ior-flame: -f: '
	run --separate-stderr "$IOR_BIN/ior-flame" -W 10 "$T/small.ior"
	assert_equal "$status" 2
	assert_regex "$stderr" "^ior-flame: bad width '10'"
}

@test "an SVG is not written to a terminal" {
	command -v script > /dev/null || skip "no script(1) to give ior-flame a terminal"
	gen_small
	run script -q -e -c "'$IOR_BIN/ior-flame' '$T/small.ior'" /dev/null
	assert_equal "$status" 2
	assert_output --partial "ior-flame: refusing to write an SVG to a terminal"
	refute_output --partial "<svg"
}
