#!/usr/bin/env bats
# ior-dump's outputs for other tools: --csv (read back with Python's csv
# module), --rows (flat JSON lines, read back with jq) and --timeline (a
# Chrome trace-event document).  Each holds the pairs of a stream and the
# values --json gives for them, with the host and wall-clock time of their
# section; docs/ior-dump.md is the contract (columns, order, escapes).

load helpers

# mk NAME: the iorgen text on stdin as $T/NAME.ior.
mk() {
	"$IOR_BIN/iorgen" > "$T/$1.ior" || fail "iorgen $1 failed"
}

# Two sections from two hosts, with pairs of every kind: a read with its
# gap, a failure with a known errno and one with a number no name has, a
# transfer (path2), a restarted call, an exit_group (noreturn), an unknown
# fd, an unknown cwd, a call the capture ended inside, a comm id and a
# path id no name record gave, and a 1.0 pair (seq 0: none).
mixed() {
	mk mixed <<'EOF'
section anchor=1000000000,1796230077216054138 host=web1
syscall name=read nargs=3
syscall name=openat nargs=4
syscall name=sendfile nargs=4
syscall name=exit_group nargs=1
name id=1 value=/srv/data.bin
name id=2 value=/srv/out.bin
name kind=comm id=1 value=nginx
name kind=comm id=2 value=worker
pair t=1000001000 pid=30 nr=read ret=4096 bytes=4096 latency=1500 gap=700 path=1 comm=1 fd=3 pflags=3 flags=0
pair t=1000003000 pid=30 tid=31 nr=openat ret=-ENOENT latency=100 path=2 comm=2 flags=0100
pair t=1000004000 pid=30 nr=sendfile ret=10 bytes=10 latency=250 path=1 path2=2 comm=1 fd=3 pflags=7
pair t=1000005000 pid=30 tid=31 nr=read ret=-4000 latency=10 fd=9 comm=2 pflags=33
pair t=1000006000 pid=30 tid=31 nr=read ret=1 bytes=1 latency=99999 fd=4 path=1 comm=2 pflags=11
pair t=1000007000 pid=30 nr=openat ret=-EACCES latency=300 path=7 comm=1 pflags=64
pair t=1000008000 pid=30 tid=31 nr=read latency=5000 fd=5 comm=9 pflags=128
pair t=1000009000 pid=30 nr=exit_group latency=0 comm=1 pflags=16 seq=0
pair_totals
trailer
section anchor=2000000000,1796230099000000001 host=db2
syscall name=read nargs=3
name id=1 value=/var/lib/db
name kind=comm id=1 value=postgres
pair t=2000000500 pid=40 nr=read ret=8192 bytes=8192 latency=123456 path=1 comm=1 fd=7 pflags=2
pair_totals
trailer
EOF
}

# csv_check CSV JSON: Python's csv module reads CSV, and its rows are the
# pairs of JSON (ior-dump --json of the same stream) column by column, with
# the host and the exact wall-clock time of their section.
csv_check() {
	python3 - "$1" "$2" <<'PY'
import csv, errno, json, sys, time

COLUMNS = ("seq host wall_ns wall_time time_ns pid tid comm syscall family "
           "fd path ret errno bytes latency_ns gap_ns path2 nr flags err "
           "bytes_read bytes_written read write restart noreturn fd_unknown "
           "cwd_unknown unfinished").split()

def text(v):
    return "" if v is None else str(v)

want = []
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    if r["type"] == "section":
        s = r
        continue
    if r["type"] != "pair":
        continue
    wall = (s["anchor_realtime_ns"] + r["time_ns"] - s["anchor_clock_ns"]) % 2**64
    e = r.get("errno")
    err = 0 if e is None else (int(e[1:]) if e[1:].isdigit() else getattr(errno, e))
    flag = lambda k: "1" if r.get(k) else "0"
    want.append([text(r["seq"]), text(s["hostname"]), str(wall),
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall // 10**9))
        + ".%09dZ" % (wall % 10**9),
        str(r["time_ns"]), str(r["pid"]), str(r["tid"]), text(r["comm"]),
        r["syscall"], r["family"], str(r["fd"]), text(r["path"]),
        str(r["ret"]), text(e), str(r["bytes"]), str(r["latency_ns"]),
        text(r["gap_ns"]), text(r.get("path2")), str(r["nr"]),
        str(r["flags"]), str(err), str(r["bytes"] if r["read"] else 0),
        str(r["bytes"] if r["write"] else 0), flag("read"), flag("write"),
        flag("restart"), flag("noreturn"), flag("fd_unknown"),
        flag("cwd_unknown"), flag("unfinished")])

with open(sys.argv[1], newline="", encoding="utf-8") as f:
    raw = f.read()
got = list(csv.reader(raw.splitlines(keepends=True), strict=True))
if got[0] != COLUMNS:
    sys.exit("header: %r" % got[0])
if raw.count("\n") != len(want) + 1:
    sys.exit("%d lines for %d pairs" % (raw.count("\n"), len(want)))
for i, (g, w) in enumerate(zip(got[1:], want)):
    if g != w:
        for c, a, b in zip(COLUMNS, g, w):
            if a != b:
                print("row %d: %s is %r, --json says %r" % (i + 1, c, a, b))
        sys.exit(1)
if len(got) - 1 != len(want):
    sys.exit("%d rows for %d pairs" % (len(got) - 1, len(want)))
print(len(want))
PY
}

# rows_check ROWS JSON: every line of ROWS is one flat JSON object (no
# object or array inside) with the columns in order, and jq reads in it
# the values --json gives the same pair.  wall_ns is checked apart from
# jq, whose doubles round it: ROWS holds the same digits as CSV.
rows_check() {
	local rows=$1 json=$2
	run jq -s -c '(map(type) | unique), ([.[][] | type] | unique)' "$rows"
	assert_output - <<'EOF'
["object"]
["null","number","string"]
EOF
	run jq -c -n '
		def flag($k): if .[$k] then 1 else 0 end;
		[inputs] | (map(select(.type == "pair")) | length) as $n
		| [.[] | select(.type == "section") | .hostname] as $hosts
		| reduce .[] as $r ({s: -1, out: []};
			if $r.type == "section" then .s += 1
			elif $r.type == "pair" then .out += [{
				seq: $r.seq, host: $hosts[.s], time_ns: $r.time_ns,
				pid: $r.pid, tid: $r.tid, comm: $r.comm,
				syscall: $r.syscall, family: $r.family, fd: $r.fd,
				path: $r.path, ret: $r.ret, errno: ($r.errno // ""),
				bytes: $r.bytes, latency_ns: $r.latency_ns,
				gap_ns: $r.gap_ns, path2: $r.path2, nr: $r.nr,
				flags: $r.flags,
				bytes_read: (if $r.read then $r.bytes else 0 end),
				bytes_written: (if $r.write then $r.bytes else 0 end),
				read: ($r | flag("read")), write: ($r | flag("write")),
				restart: ($r | flag("restart")),
				noreturn: ($r | flag("noreturn")),
				fd_unknown: ($r | flag("fd_unknown")),
				cwd_unknown: ($r | flag("cwd_unknown")),
				unfinished: ($r | flag("unfinished"))}]
			else . end) | .out[]' "$json"
	printf '%s\n' "$output" > "$T/rows.want"
	jq -c 'del(.wall_ns, .wall_time, .err)' "$rows" > "$T/rows.got"
	diff "$T/rows.want" "$T/rows.got" || fail "--rows differs from --json"
	# The columns in the documented order: the header of --csv.
	run jq -r -s 'map(keys_unsorted | join(",")) | unique | .[]' "$rows"
	assert_output "$(head -1 "$T/rows.csv")"
}

@test "--csv: a header line, then one RFC 4180 record per pair with --json's values, the host and exact wall-clock time of its section" {
	mixed
	run --separate-stderr "$IOR_BIN/ior-dump" --csv "$T/mixed.ior"
	assert_success
	[ -z "$stderr" ] || fail "ior-dump --csv said: $stderr"
	printf '%s\n' "$output" > "$T/mixed.csv"
	"$IOR_BIN/ior-dump" --json "$T/mixed.ior" > "$T/mixed.json"
	run csv_check "$T/mixed.csv" "$T/mixed.json"
	assert_success
	assert_output 9
	# Spelled out: the nanoseconds past the second, the second section's
	# host and anchor, absent values as empty fields.
	run grep -c '^1,web1,1796230077216055138,2026-12-02T16:47:57.216055138Z,1000001000,30,30,nginx,read,read,3,/srv/data.bin,4096,"",4096,1500,700,,0,0,0,4096,0,1,0,0,0,0,0,0$' "$T/mixed.csv"
	assert_output 1
	run grep -c '^1,db2,1796230099000000501,2026-12-02T16:48:19.000000501Z,' "$T/mixed.csv"
	assert_output 1
	run grep -c '^,web1,.*,exit_group,process,-1,,0,"",0,0,,,231,' "$T/mixed.csv"
	assert_output 1
}

@test "--rows: flat JSON lines, the same columns, jq reads --json's values in them" {
	mixed
	"$IOR_BIN/ior-dump" --csv "$T/mixed.ior" > "$T/rows.csv"
	run --separate-stderr "$IOR_BIN/ior-dump" --rows "$T/mixed.ior"
	assert_success
	[ -z "$stderr" ] || fail "ior-dump --rows said: $stderr"
	printf '%s\n' "$output" > "$T/mixed.rows"
	"$IOR_BIN/ior-dump" --json "$T/mixed.ior" > "$T/mixed.json"
	rows_check "$T/mixed.rows" "$T/mixed.json"
	# Integers exactly, as their digits: the wall-clock times are the
	# CSV's, which Python checked to the nanosecond.
	grep -o '"wall_ns":[0-9]*,"wall_time":"[^"]*"' "$T/mixed.rows" |
		sed 's/"wall_ns":\([0-9]*\),"wall_time":"\(.*\)"/\1,\2/' > "$T/wall.rows"
	cut -d, -f3,4 "$T/rows.csv" | tail -n +2 > "$T/wall.csv"
	[ "$(wc -l < "$T/wall.rows")" = 9 ]
	diff "$T/wall.csv" "$T/wall.rows"
	# The numbers ClickHouse needs: errno numbers, null for the unknown.
	run jq -c 'select(.seq == 4 or .seq == null) | [.seq, .err, .errno, .gap_ns, .path, .comm]' "$T/mixed.rows"
	assert_output - <<'EOF'
[4,4000,"E4000",0,null,"worker"]
[null,0,"",null,null,"nginx"]
EOF
}

@test "live: a capture's pairs come out of --csv and --rows with --json's values" {
	require_bpf
	mkdir "$T/w"
	capture -- "$IOR_BIN/workload" "$T/w" || fail "capture failed: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/run.pairs"
	"$IOR_BIN/ior-dump" --json "$T/run.pairs" > "$T/run.json"
	"$IOR_BIN/ior-dump" --csv "$T/run.pairs" > "$T/rows.csv"
	"$IOR_BIN/ior-dump" --rows "$T/run.pairs" > "$T/run.rows"
	n=$(jq -s 'map(select(.type == "pair")) | length' "$T/run.json")
	[ "$n" -gt 40 ] || fail "only $n pairs"
	run csv_check "$T/rows.csv" "$T/run.json"
	assert_success
	assert_output "$n"
	rows_check "$T/run.rows" "$T/run.json"
	# The workload's own calls: 8292 bytes written to data.bin.
	run jq -s --arg p "$T/w/data.bin" \
		'map(select(.path == $p and .syscall == "write") | .bytes_written) | add' "$T/run.rows"
	assert_output 8292
	run jq -r -s 'map(.host) | unique | .[]' "$T/run.rows"
	assert_output "$(uname -n)"
}

# The hostile bytes of 016: an escape sequence, a bell, a newline starting
# a forged line, a carriage return, a C1 CSI (valid UTF-8), a right-to-left
# override, a byte that is not UTF-8; and a quote, a comma, a backslash and
# a space at the end.
H='"\x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff\"x,y\\z "'
# How --csv spells H (the text output's escapes, then RFC 4180's quotes).
H_CSV='"\x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff""x,y\\z "'

hostile() {
	mk hostile <<EOF
section anchor=1,1 host=$H
syscall nr=0 name=$H nargs=3
name id=1 value=$H
name kind=comm id=1 value="\x1b]0;\x07\nFORGED"
pair pid=5 nr=0 path=1 path2=1 comm=1 latency=1000
trailer
EOF
}

@test "hostile strings: --csv escapes them into one line of valid UTF-8, --rows and --timeline into valid JSON of the same bytes as --json" {
	hostile
	run --separate-stderr "$IOR_BIN/ior-dump" --csv "$T/hostile.ior"
	assert_success
	[ "${#lines[@]}" = 2 ] || fail "${#lines[@]} lines: $output"
	assert_line --index 1 "1,$H_CSV,1000,1970-01-01T00:00:00.000001000Z,1000,5,5,\\x1b]0;\\x07\\nFORGED,$H_CSV,other,-1,$H_CSV,0,\"\",0,1000,,$H_CSV,0,0,0,0,0,0,0,0,0,0,0,0"
	printf '%s\n' "$output" | iconv -f UTF-8 -t UTF-8 > /dev/null
	# Python's csv module reads the escaped bytes back as one field.
	run python3 -c 'import csv, sys
r = list(csv.reader(open(sys.argv[1], newline="")))
print(len(r), len(r[1]), r[1][11])' <(printf '%s\n' "$output")
	assert_output '2 30 \x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff"x,y\\z '

	"$IOR_BIN/ior-dump" --json "$T/hostile.ior" > "$T/hostile.json"
	"$IOR_BIN/ior-dump" --rows "$T/hostile.ior" > "$T/hostile.rows"
	"$IOR_BIN/ior-dump" --timeline "$T/hostile.ior" > "$T/hostile.trace"
	[ "$(wc -l < "$T/hostile.rows")" = 1 ]
	for k in path path2 comm syscall; do
		jq -j "select(.type == \"pair\") | .$k" "$T/hostile.json" > "$T/want"
		jq -j ".$k" "$T/hostile.rows" > "$T/got"
		cmp "$T/want" "$T/got" || fail "--rows: $k differs from --json"
	done
	jq -j 'select(.type == "section") | .hostname' "$T/hostile.json" > "$T/want"
	jq -j .host "$T/hostile.rows" > "$T/got"
	cmp "$T/want" "$T/got"
	jq -j 'select(.type == "pair") | .path' "$T/hostile.json" > "$T/want"
	jq -j '.traceEvents[] | select(.ph == "X") | .args.path' "$T/hostile.trace" > "$T/got"
	cmp "$T/want" "$T/got"
	jq -j 'select(.type == "pair") | .comm' "$T/hostile.json" > "$T/want"
	jq -j '.traceEvents[] | select(.name == "thread_name") | .args.name' "$T/hostile.trace" > "$T/got"
	cmp "$T/want" "$T/got"
	# No raw control byte, invalid UTF-8 or forged line in any of them.
	for f in hostile.rows hostile.trace; do
		run grep -c -P '[\x00-\x1f]|^FORGED' "$T/$f"
		assert_output 0
		iconv -f UTF-8 -t UTF-8 "$T/$f" > /dev/null
	done
}

# timeline_check TRACE JSON: one complete event per pair of JSON, at its
# time from the first section's anchor, with its duration, on its pid and
# tid; every thread and process of them named by a metadata event.
timeline_check() {
	run jq -n -r '
		input as $t | [inputs] as $r
		| ($r | map(select(.type == "section")) | first.anchor_realtime_ns) as $origin
		| [$r | reduce .[] as $x ({out: []};
			if $x.type == "section" then .s = $x
			elif $x.type == "pair" then .out += [{
				name: $x.syscall, cat: $x.family, pid: $x.pid,
				tid: $x.tid, seq: $x.seq, comm: $x.comm,
				ts: ((.s.anchor_realtime_ns - $origin) + ($x.time_ns - .s.anchor_clock_ns)),
				dur: $x.latency_ns}]
			else . end) | .out[]] as $want
		| [$t.traceEvents[] | select(.ph == "X") | {name, cat, pid, tid,
			seq: .args.seq, ts: (.ts * 1000 | round),
			dur: (.dur * 1000 | round)}] as $got
		| [$t.traceEvents[] | select(.ph == "M" and .name == "thread_name")
			| [.pid, .tid]] as $threads
		| [$t.traceEvents[] | select(.ph == "M" and .name == "process_name")
			| .pid] as $procs
		| "events \($got | length) of \($want | length)",
		  "same \($got == [$want[] | del(.comm)])",
		  "unnamed threads \([$got[] | [.pid, .tid]] | unique - $threads | length)",
		  "unnamed processes \([$got[].pid] | unique - $procs | length)",
		  "other events \([$t.traceEvents[] | select(.ph != "X" and .ph != "M")] | length)",
		  "unit \($t.displayTimeUnit)"' "$1" "$2"
	assert_line --index 1 "same true"
	assert_line --index 2 "unnamed threads 0"
	assert_line --index 3 "unnamed processes 0"
	assert_line --index 4 "other events 0"
	assert_line --index 5 "unit ns"
}

@test "--timeline: a Chrome trace-event document, one complete event per call with its duration, on named process and thread tracks" {
	mk multi <<'EOF'
section anchor=1000000000,5000000000 host=a
syscall name=read nargs=3
name kind=comm id=1 value=main
name kind=comm id=2 value=helper
name id=1 value=/x
pair t=1000001000 pid=30 nr=read latency=1500 comm=1 path=1 fd=3 bytes=10 pflags=2
pair t=1000002000 pid=30 tid=31 nr=read latency=2 comm=2
pair t=1000003000 pid=30 tid=32 nr=read latency=123456789 comm=2 ret=-EIO
trailer
section anchor=7000000000,5000500000 host=b
syscall name=read nargs=3
name kind=comm id=1 value=other
pair t=7000000100 pid=40 tid=41 nr=read latency=3 comm=1
trailer
EOF
	run --separate-stderr "$IOR_BIN/ior-dump" --timeline "$T/multi.ior"
	assert_success
	printf '%s\n' "$output" > "$T/multi.trace"
	"$IOR_BIN/ior-dump" --json "$T/multi.ior" > "$T/multi.json"
	timeline_check "$T/multi.trace" "$T/multi.json"
	assert_line --index 0 "events 4 of 4"
	# Times are exact decimal microseconds from the first anchor; the
	# second section sits on the same axis by its own anchor.
	run jq -c '.traceEvents[] | select(.ph == "X") | [.ts, .dur, .args.errno]' "$T/multi.trace"
	assert_output - <<'EOF'
[1,1.5,null]
[2,0.002,null]
[3,123456.789,"EIO"]
[500.1,0.003,null]
EOF
	grep -q '"ts":500.100,"dur":0.003,' "$T/multi.trace"
	# Names: the process by its main thread, a thread by its comm; a
	# process whose main thread made no call by its first thread's.
	run jq -c '.traceEvents[] | select(.ph == "M") | [.name, .pid, .tid, .args.name]' "$T/multi.trace"
	assert_output - <<'EOF'
["thread_name",30,30,"main"]
["process_name",30,30,"main"]
["thread_name",30,31,"helper"]
["thread_name",30,32,"helper"]
["thread_name",40,41,"other"]
["process_name",40,40,"other"]
EOF
	run jq -c .otherData "$T/multi.trace"
	assert_output '{"tool":"ior-dump","origin_realtime_ns":5000000000,"origin":"1970-01-01T00:00:05.000000000Z","host":"a"}'
}

@test "live: --timeline of a threaded capture has one event per pair and a named track per thread" {
	require_bpf
	mkdir "$T/w"
	capture -- "$IOR_BIN/workload" threads "$T/w" 0.3 ||
		fail "capture failed: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/run.pairs"
	"$IOR_BIN/ior-dump" --json "$T/run.pairs" > "$T/run.json"
	"$IOR_BIN/ior-dump" --timeline "$T/run.pairs" > "$T/run.trace"
	n=$(jq -s 'map(select(.type == "pair")) | length' "$T/run.json")
	timeline_check "$T/run.trace" "$T/run.json"
	assert_line --index 0 "events $n of $n"
	# The workload's two threads, each a track with its preads (10 and
	# 20 bytes).
	run jq -r '[.traceEvents[] | select(.ph == "X" and .name == "pread64"
		and (.args.bytes == 10 or .args.bytes == 20)) | .tid] | group_by(.) | map(length > 3) | [length, all] | @text' "$T/run.trace"
	assert_output '[2,true]'
	run jq '[.traceEvents[] | select(.name == "thread_name")] | length' "$T/run.trace"
	[ "$output" -ge 3 ] || fail "$output thread tracks"
}

@test "a truncated stream: the rows and events before the cut, a complete document, one message, status 1" {
	mixed
	# Cut inside the second section's pair.
	size=$(stat -c %s "$T/mixed.ior")
	head -c $((size - 150)) "$T/mixed.ior" > "$T/cut.ior"
	for mode in --csv --rows --timeline; do
		run --separate-stderr "$IOR_BIN/ior-dump" $mode "$T/cut.ior"
		assert_failure 1
		[ "${#stderr_lines[@]}" = 1 ] || fail "$mode said: $stderr"
		[[ $stderr == "ior-dump: $T/cut.ior: "*" at offset "* ]] ||
			fail "$mode said: $stderr"
		printf '%s\n' "$output" > "$T/cut.out"
		case $mode in
		--csv) [ "${#lines[@]}" = 9 ] || fail "--csv: ${#lines[@]} lines" ;;
		--rows) [ "$(jq -s length "$T/cut.out")" = 8 ] ;;
		--timeline)
			run jq '[.traceEvents[] | select(.ph == "X")] | length' "$T/cut.out"
			assert_output 8 ;;
		esac
	done
}

@test "--csv writes one header for many inputs; -F keeps only the pairs it matches" {
	mixed
	run "$IOR_BIN/ior-dump" --csv "$T/mixed.ior" "$T/mixed.ior"
	assert_success
	[ "${#lines[@]}" = 19 ]
	run grep -c '^seq,' <(printf '%s\n' "$output")
	assert_output 1
	run "$IOR_BIN/ior-dump" --csv -F 'errno=ENOENT or path~^/var' "$T/mixed.ior"
	assert_success
	[ "${#lines[@]}" = 3 ] || fail "$output"
	assert_line --index 1 --partial ',openat,open,-1,/srv/out.bin,-2,ENOENT,'
	assert_line --index 2 --partial ',db2,'
}

@test "a raw stream has no rows: a header only, one message, status 1" {
	echo "section anchor=1,1
syscall name=read nargs=3
enter pid=1 nr=read args=3,0,10
exit pid=1 nr=read ret=10
trailer" | mk raw
	# The first enter's offset (the header holds iorgen's own path).
	off=$("$IOR_BIN/ior-dump" --json "$T/raw.ior" | jq -s 'map(select(.type == "enter"))[0].offset')
	run --separate-stderr "$IOR_BIN/ior-dump" --csv "$T/raw.ior"
	assert_failure 1
	[ "${#lines[@]}" = 1 ]
	[[ $output == seq,host,* ]]
	[ "$stderr" = "ior-dump: $T/raw.ior: raw syscall events at offset $off (pipe them through ior-pair first)" ] ||
		fail "said: $stderr"
	run --separate-stderr "$IOR_BIN/ior-dump" --timeline "$T/raw.ior"
	assert_failure 1
	jq -e '.traceEvents == []' <<< "$output"
}

@test "an empty paired stream: --timeline is still one valid document" {
	echo "section anchor=1,1
trailer" | mk empty
	run "$IOR_BIN/ior-dump" --timeline "$T/empty.ior"
	assert_success
	jq -e '.traceEvents == [] and .otherData.origin_realtime_ns == 1' <<< "$output"
	run "$IOR_BIN/ior-dump" --rows "$T/empty.ior"
	assert_success
	assert_output ""
}

@test "--csv, --rows and --timeline exclude each other, --json and --stats: usage error, status 2" {
	mixed
	for opts in "--csv --rows" "--rows --timeline" "--csv --json" \
		    "--timeline --stats" "--rows -j"; do
		run --separate-stderr "$IOR_BIN/ior-dump" $opts "$T/mixed.ior"
		[ "$status" = 2 ] || fail "$opts: status $status"
		[ -z "$output" ] || fail "$opts printed: $output"
		[[ $stderr == usage:* ]] || fail "$opts said: $stderr"
	done
}

@test "the columns of --csv are the ones docs/ior-dump.md lists, in its order" {
	mixed
	local doc=$BATS_TEST_DIRNAME/../docs/ior-dump.md
	# The table of columns: its rows start "| N | `name` |".
	run sh -c "grep -E '^\| [0-9]+ \| \`' '$doc' | cut -d'\`' -f2 | paste -sd,"
	assert_success
	[ -n "$output" ]
	assert_output "$("$IOR_BIN/ior-dump" --csv "$T/mixed.ior" | head -1)"
	run sh -c "grep -E '^\| [0-9]+ \| \`' '$doc' | cut -d'|' -f2 | tr -d ' ' | paste -sd,"
	assert_output "$(seq -s, 1 30)"
}

@test "a full disk and a reader that goes away, in every mode" {
	{
		echo "section anchor=1,1"
		echo "syscall name=read nargs=3"
		echo "name id=1 value=/data/file.bin"
		echo "name kind=comm id=1 value=worker"
		for ((i = 1; i <= 2000; i++)); do
			echo "pair pid=$((100 + i % 7)) nr=read path=1 comm=1 latency=$i ret=1 bytes=1 pflags=2"
		done
		echo "trailer"
	} | mk many
	for mode in --csv --rows --timeline; do
		run --separate-stderr sh -c '"$@" > /dev/full' _ \
			"$IOR_BIN/ior-dump" $mode "$T/many.ior"
		[ "$status" = 1 ] || fail "$mode > /dev/full: status $status"
		[[ $stderr == "ior-dump: <stdout>: write error"*"No space left on device" ]] ||
			fail "$mode > /dev/full said: $stderr"
		run bash -c '"$@" 2> "$T/closed.err" | head -c1 > /dev/null
			echo "${PIPESTATUS[0]}"' _ "$IOR_BIN/ior-dump" $mode "$T/many.ior"
		assert_output 0
		[ ! -s "$T/closed.err" ] || fail "$mode | head -c1 said: $(cat "$T/closed.err")"
	done
}
