#!/usr/bin/env bats
# ior-grep as a stage: what it keeps and passes on, the provenance it
# writes, sequence numbers, every reader of its output, bad input, and a
# real capture filtered by comm, path and errno.

load helpers

setup() {
	ior_setup
	FIX=$T/fix.ior
	"$IOR_BIN/iorgen" > "$FIX" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
syscall name=read
process pid=10 ppid=1 comm=cat exe=/bin/cat
fd pid=10 fd=0 path=/dev/null
snapshot_end
name kind=comm id=1 value=cat
name id=1 value=/var/log/syslog
name id=2 value=/etc/passwd
pair t=1001000000 pid=10 nr=openat fd=3 ret=3 path=1 comm=1 latency=5000
loss lost=3
pair t=1002000000 pid=10 nr=read fd=3 ret=4096 bytes=4096 path=1 comm=1 latency=20000000 pflags=3 gap=1000
record type=0x0099 fill=abcdef
pair t=1003000000 pid=10 nr=openat ret=-2 path=2 comm=1 latency=15000000
pair_totals
trailer
GEN
}

# grep_to OUT ARG...: ior-grep ARG... > OUT; its status in $st, its
# standard error in $T/err.
grep_to() {
	local out=$1

	shift
	st=0
	"$IOR_BIN/ior-grep" "$@" > "$out" 2> "$T/err" || st=$?
}

@test "every record but the dropped pairs passes through as it was" {
	grep_to "$T/out.ior" 'latency>=10ms' "$FIX"
	assert_equal "$st" 0
	assert_equal "$(cat "$T/err")" ""
	dump_json "$FIX"; IN=$JSON
	dump_json "$T/out.ior"; OUT=$JSON
	# The same records in the same order, bar two pairs, offsets, the new
	# filter record and the trailer's record count.
	run diff <(jq -c 'select(.type != "trailer") | del(.offset)' "$IN" | grep -v '"seq":1,') \
		 <(jq -c 'select(.type != "trailer" and .type != "filter") | del(.offset)' "$OUT")
	assert_success
	run jq -r 'select(.type == "unknown") | "\(.record_type) \(.size)"' "$OUT"
	assert_output "153 16"
}

@test "how many pairs were dropped, and by what, is a filter record before the trailer" {
	grep_to "$T/out.ior" 'latency>=10ms' "$FIX"
	dump_json "$T/out.ior"
	run jq -c 'select(.type == "filter") | del(.offset)' "$JSON"
	assert_output '{"type":"filter","seen":3,"kept":2,"dropped":1,"expr":"latency>=10ms"}'
	run jq -r '.type' "$JSON"
	assert_line --index $(( ${#lines[@]} - 2 )) filter
	run "$IOR_BIN/ior-dump" "$T/out.ior"
	assert_line '# filter: kept 2 of 3 pairs: "latency>=10ms"'
}

@test "the trailer counts the records ior-grep wrote, and the output ends cleanly" {
	grep_to "$T/out.ior" 'errors' "$FIX"
	dump_json "$T/out.ior"
	run jq -s '(map(select(.type != "section" and .type != "trailer")) | length) == (map(select(.type == "trailer")) | .[0].records)' "$JSON"
	assert_output true
	run --separate-stderr "$IOR_BIN/ior-dump" --stats "$T/out.ior"
	assert_success
	assert_equal "$stderr" ""
}

@test "sequence numbers stay with their pairs through ior-grep, twice" {
	"$IOR_BIN/ior-grep" 'latency>=10ms' "$FIX" > "$T/a.ior"
	"$IOR_BIN/ior-grep" 'errors' "$T/a.ior" > "$T/b.ior"
	dump_json "$T/b.ior"
	run jq -r 'select(.type == "pair") | .seq' "$JSON"
	assert_output 3
	run jq -r 'select(.type == "filter") | "\(.expr) \(.seen) \(.kept)"' "$JSON"
	assert_output $'latency>=10ms 3 2\nerrors 2 1'
	run "$IOR_BIN/ior-dump" "$T/b.ior"
	assert_line --regexp '^  0\.003000 10/10 +cat +openat\("/etc/passwd"\) = -1 ENOENT .* <0\.015000> #3$'
}

@test "ior-pair numbers the pairs of each section 1, 2, ..." {
	"$IOR_BIN/iorgen" > "$T/raw.ior" <<'GEN'
section anchor=1,1
syscall name=read
enter pid=5 nr=read args=0,0,1
exit pid=5 nr=read ret=1
enter pid=5 nr=read args=0,0,1
exit pid=5 nr=read ret=1
trailer
section anchor=1,1
syscall name=read
enter pid=5 nr=read args=0,0,1
exit pid=5 nr=read ret=1
trailer
GEN
	"$IOR_BIN/ior-pair" "$T/raw.ior" > "$T/p.ior"
	dump_json "$T/p.ior"
	run jq -r 'select(.type == "pair") | .seq' "$JSON"
	assert_output $'1\n2\n1'
}

@test "pairs of a 1.0 stream (80 bytes, no sequence number) pass unchanged, seq 0" {
	"$IOR_BIN/iorgen" > "$T/old.ior" <<'GEN'
section anchor=1,1 version=1.0
syscall name=read
pair pid=1 nr=read len=80 latency=5
pair pid=2 nr=read len=80 latency=50
trailer
GEN
	grep_to "$T/out.ior" 'seq=0 latency>10' "$T/old.ior"
	assert_equal "$st" 0
	dump_json "$T/out.ior"
	run jq -c 'select(.type == "pair") | [.pid, .seq]' "$JSON"
	assert_output '[2,null]'
	# The record after the kept pair starts 80 bytes after it.
	run jq -r '[.type, .offset] | @tsv' "$JSON"
	assert_line --regexp "^filter	$(( $(jq -r 'select(.type == "pair") | .offset' "$JSON") + 80 ))\$"
}

@test "ior-dump, ior-agg, ior-flame and ior-top -b read the output, and say it was filtered" {
	"$IOR_BIN/ior-grep" 'latency>=10ms' "$FIX" > "$T/out.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/out.ior"
	assert_success
	run jq -c '[.pairs, .filter]' <<< "$output"
	assert_output '[2,{"seen":3,"kept":2,"expr":"latency>=10ms","several":false}]'
	run --separate-stderr "$IOR_BIN/ior-agg" --text "$T/out.ior"
	assert_success
	assert_line 'FILTERED: 2 of 3 pairs kept by "latency>=10ms"'
	assert_line --regexp '^read +1 '
	refute_line --regexp '^openat +1 +0 '
	run --separate-stderr "$IOR_BIN/ior-flame" "$T/out.ior"
	assert_success
	assert_output --partial 'FILTERED: 2 of 3 pairs kept by latency&gt;=10ms'
	# Through an aggregate: ior-agg passes the provenance on to ior-flame.
	"$IOR_BIN/ior-agg" -o "$T/agg.ior" "$T/out.ior" > /dev/null
	run --separate-stderr "$IOR_BIN/ior-flame" "$T/agg.ior"
	assert_success
	assert_output --partial 'FILTERED: 2 of 3 pairs kept by latency&gt;=10ms'
	run --separate-stderr "$IOR_BIN/ior-top" -b "$T/out.ior"
	assert_success
	assert_output --partial 'read'
	assert_output --partial 'openat'
	grep_to "$T/r.ior" 'syscall=read' "$FIX"
	run --separate-stderr "$IOR_BIN/ior-top" -b "$T/r.ior"
	assert_success
	refute_output --partial 'openat'
}

@test "aggregate records pass through as they are" {
	"$IOR_BIN/ior-agg" -o "$T/agg.ior" "$FIX" > /dev/null
	grep_to "$T/out.ior" 'pid=999' "$T/agg.ior"
	assert_equal "$st" 0
	dump_json "$T/agg.ior"; IN=$JSON
	dump_json "$T/out.ior"
	run diff <(jq -c 'select(.type | startswith("agg_"))' "$IN") \
		 <(jq -c 'select(.type | startswith("agg_"))' "$JSON")
	assert_success
}

@test "each section gets its own counts" {
	cat "$FIX" "$FIX" > "$T/two.ior"
	grep_to "$T/out.ior" 'errors' "$T/two.ior"
	dump_json "$T/out.ior"
	run jq -r 'select(.type == "filter" or .type == "section" or .type == "trailer") | [.type, .seen // .records // "-"] | @tsv' "$JSON"
	assert_output $'section\t-\nfilter\t3\ntrailer\t13\nsection\t-\nfilter\t3\ntrailer\t13'
}

@test "a raw stream is refused at its first event, after what came before" {
	"$IOR_BIN/iorgen" > "$T/raw.ior" <<'GEN'
section anchor=1,1
syscall name=read
enter pid=5 nr=read args=0,0,1
exit pid=5 nr=read ret=1
trailer
GEN
	grep_to "$T/out.ior" 'pid=5' "$T/raw.ior"
	assert_equal "$st" 1
	dump_json "$T/raw.ior"
	at=$(jq -r 'select(.type == "enter") | .offset' "$JSON")
	assert_equal "$(cat "$T/err")" "ior-grep: $T/raw.ior: raw event at offset $at: ior-grep reads pairs (pipe it through ior-pair first)"
	run "$IOR_BIN/ior-dump" "$T/out.ior"
	assert_line --regexp '^# syscall [0-9]+ read'
}

@test "a truncated input: one line with the offset, exit 1, the pairs before it kept" {
	size=$(stat -c %s "$FIX")
	head -c $(( size - 60 )) "$FIX" > "$T/cut.ior"
	grep_to "$T/out.ior" 'pid=10' "$T/cut.ior"
	assert_equal "$st" 1
	run cat "$T/err"
	assert_output --regexp "^ior-grep: $T/cut.ior: truncated record at offset [0-9]+ \(need [0-9]+ bytes, have [0-9]+\)\$"
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/out.ior"
	assert_equal "$status" 1
	run jq -r 'select(.type == "pair" or .type == "filter" or .type == "trailer") | .seq // .type' <<< "$output"
	assert_output $'1\n2\n3\nfilter'
}

@test "not a stream, usage errors, -h, /dev/full and a reader that goes away" {
	echo hello > "$T/text"
	grep_to "$T/out.ior" 'pid=1' "$T/text"
	assert_equal "$st" 1
	assert_equal "$(cat "$T/err")" "ior-grep: $T/text: not an ior stream (bad magic) at offset 0"
	run --separate-stderr "$IOR_BIN/ior-grep"
	assert_equal "$status" 2
	assert_equal "$stderr" "usage: ior-grep [-v] EXPR [FILE ...]
       ior-grep [-v] -f EXPRFILE [FILE ...]"
	run --separate-stderr "$IOR_BIN/ior-grep" -h
	assert_success
	assert_output --partial EXAMPLES
	run --separate-stderr "$IOR_BIN/ior-grep" 'pid=1' "$T/missing"
	assert_equal "$status" 1
	assert_equal "$stderr" "ior-grep: $T/missing: No such file or directory"
	run --separate-stderr sh -c "'$IOR_BIN/ior-grep' 'pid=10' '$FIX' > /dev/full"
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$stderr" "ior-grep: <stdout>: write error at offset 0: No space left on device"
	run sh -c "'$IOR_BIN/ior-grep' 'pid=10' '$FIX' 2> '$T/err2' | head -c1 > /dev/null"
	assert_success
	assert_equal "$(cat "$T/err2")" ""
}

@test "a real capture filtered by comm, path and errno" {
	require_bpf
	mkdir -p "$T/w"
	capture -- "$IOR_BIN/workload" "$T/w"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior"
	grep_to "$T/e.ior" "comm=workload errno=ENOENT path~^$T/w/" "$T/p.ior"
	assert_equal "$st" 0
	dump_json "$T/e.ior"
	run jq -r 'select(.type == "pair") | [.syscall, .path, .errno] | @tsv' "$JSON"
	assert_output "openat	$T/w/does-not-exist	ENOENT"
	grep_to "$T/d.ior" "path=$T/w/data.bin and syscall=write" "$T/p.ior"
	assert_equal "$st" 0
	dump_json "$T/d.ior"
	run jq -r 'select(.type == "pair") | .bytes' "$JSON"
	assert_output $'4096\n4096\n100'
	# Sequence numbers of the filtered pairs are those ior-pair gave them.
	dump_json "$T/p.ior"
	run jq -r --arg p "$T/w/data.bin" 'select(.type == "pair" and .path == $p and .syscall == "write") | .seq' "$JSON"
	want=$output
	dump_json "$T/d.ior"
	run jq -r 'select(.type == "pair") | .seq' "$JSON"
	assert_output "$want"
}

@test "-f EXPRFILE reads the expression from a file, its lines one expression" {
	printf 'section anchor=1,1\nname id=1 value=/a\nname id=2 value=/b\npair pid=1 nr=read path=1 ret=1 bytes=1\npair pid=1 nr=openat path=2 ret=-2\npair pid=2 nr=close path=1\ntrailer\n' |
		"$IOR_BIN/iorgen" > "$T/p.ior"
	printf 'errno=ENOENT\nor pid=2\n' > "$T/expr"
	run sh -c '"$1" -f "$2" "$3" | "$4" --json' _ "$IOR_BIN/ior-grep" "$T/expr" "$T/p.ior" "$IOR_BIN/ior-dump"
	assert_success
	run jq -c 'select(.type == "pair") | [.errno, .pid]' <<< "$output"
	assert_output '["ENOENT",1]
[null,2]'
	printf 'lantency>1ms\n' > "$T/bad"
	run --separate-stderr "$IOR_BIN/ior-grep" -f "$T/bad" "$T/p.ior"
	assert_equal "$status" 2
	assert_equal "$stderr" "ior-grep: filter: unknown field 'lantency' at column 1 (did you mean latency?)"
	printf 'pid=1\0' > "$T/nul"
	run --separate-stderr "$IOR_BIN/ior-grep" -f "$T/nul" "$T/p.ior"
	assert_equal "$status" 2
	assert_equal "$stderr" "ior-grep: $T/nul: a NUL byte in the expression"
}
