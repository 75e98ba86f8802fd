#!/usr/bin/env bats
# -F EXPR (--filter) in ior-dump, ior-agg, ior-flame and ior-top: the
# language of ior-grep, the same answer as `ior-grep EXPR | TOOL`.  Then
# ior-agg's output format, chosen by what stdout is, and live text.

load helpers

setup() {
	ior_setup
	FIX=$T/fix.ior
	"$IOR_BIN/iorgen" > "$FIX" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
syscall name=read
syscall name=write
process pid=10 ppid=1 comm=cat exe=/bin/cat
process pid=11 ppid=1 comm=nginx exe=/usr/sbin/nginx
fd pid=10 fd=0 path=/dev/null
snapshot_end
name kind=comm id=1 value=cat
name kind=comm id=2 value=nginx
name id=1 value=/var/log/syslog
name id=2 value=/etc/passwd
pair t=1001000000 pid=10 nr=openat fd=3 ret=3 path=1 comm=1 latency=5000
loss lost=3
pair t=1002000000 pid=10 nr=read fd=3 ret=4096 bytes=4096 path=1 comm=1 latency=20000000 pflags=3 gap=1000
pair t=1002500000 pid=11 nr=write fd=4 ret=100 bytes=100 path=1 comm=2 latency=2000 pflags=4
pair t=1003000000 pid=10 nr=openat ret=-2 path=2 comm=1 latency=15000000
pair t=1004000000 pid=11 nr=read fd=4 ret=10 bytes=10 path=2 comm=2 latency=12000000 pflags=3
pair_totals
trailer
GEN
	EXPRS=('latency>=10ms' 'comm=nginx' 'syscall=read,write and not path~^/etc'
	       'errno=ENOENT' 'pid=99')
}

# same_as_grep FILE TOOL [ARG...]: TOOL ARG... -F EXPR FILE and
# ior-grep EXPR FILE | TOOL ARG... write the same bytes, for every EXPR of
# $EXPRS; $FILTER_SED, if set, edits the -F output first.
same_as_grep() {
	local file=$1 e

	shift
	for e in "${EXPRS[@]}"; do
		"$@" -F "$e" "$file" > "$T/flag.out" ||
			fail "$* -F '$e' failed"
		"$IOR_BIN/ior-grep" "$e" "$file" | "$@" > "$T/grep.out" ||
			fail "ior-grep '$e' | $* failed"
		[ -s "$T/grep.out" ] || fail "nothing from ior-grep '$e' | $*"
		if [ -n "${FILTER_SED:-}" ]; then
			sed -i "$FILTER_SED" "$T/flag.out"
		fi
		cmp -s "$T/flag.out" "$T/grep.out" ||
			fail "$* -F '$e' differs from ior-grep: $(diff "$T/flag.out" "$T/grep.out" | head -20)"
	done
}

@test "ior-agg -F EXPR reports what ior-grep EXPR | ior-agg reports, in JSON and text" {
	same_as_grep "$FIX" "$IOR_BIN/ior-agg" --json
	same_as_grep "$FIX" "$IOR_BIN/ior-agg" --text
	"$IOR_BIN/ior-agg" --text --filter 'comm=nginx' "$FIX" > "$T/out"
	grep -q '^FILTERED: 2 of 5 pairs kept by "comm=nginx"' "$T/out"
}

@test "ior-dump -F EXPR prints the lines ior-grep EXPR | ior-dump prints" {
	same_as_grep "$FIX" "$IOR_BIN/ior-dump"
	same_as_grep "$FIX" "$IOR_BIN/ior-dump" --stats
	# JSON too, but for offsets, which are of the input read.
	FILTER_SED= same_as_grep "$FIX" sh -c \
		'"$IOR_BIN/ior-dump" --json "$@" | sed "s/\"offset\":[0-9]*,//"' sh
	run "$IOR_BIN/ior-dump" -F 'latency>=10ms' "$FIX"
	assert_success
	assert_equal "$(grep -c ' <0\.0' <<< "$output")" 3
	assert_line '# filter: kept 3 of 5 pairs: "latency>=10ms"'
	# Context records pass: the process, the fd, the loss.
	assert_line --partial '# process 11 (nginx)'
	assert_line --partial '# loss: cpu 0 lost 3'
}

@test "ior-flame -F EXPR draws what ior-grep EXPR | ior-flame draws, and says FILTERED" {
	same_as_grep "$FIX" "$IOR_BIN/ior-flame"
	"$IOR_BIN/ior-flame" -F 'comm=nginx' "$FIX" > "$T/f.svg"
	grep -q 'FILTERED: 2 of 5 pairs kept by comm=nginx' "$T/f.svg"
	# Folded stacks have no pairs to filter.
	printf 'a;b 3\n' > "$T/stacks"
	run -1 "$IOR_BIN/ior-flame" -F 'comm=nginx' "$T/stacks"
	assert_output --partial "folded stacks, which -F cannot filter"
}

@test "ior-top -F EXPR prints the frames of ior-grep EXPR | ior-top but for the header's filter" {
	local e all=("${EXPRS[@]}")
	for e in "${all[@]}"; do
		EXPRS=("$e")
		FILTER_SED="s|  filter: $e||"
		same_as_grep "$FIX" "$IOR_BIN/ior-top" -b -v files
	done
}

@test "a mistake in -F EXPR is one line naming the tool and where, exit 2" {
	local tool
	for tool in ior-dump ior-agg ior-flame ior-top; do
		run --separate-stderr "$IOR_BIN/$tool" -F 'lantency>1ms' "$FIX"
		assert_equal "$status" 2
		assert_equal "$stderr" "$tool: filter: unknown field 'lantency' at column 1 (did you mean latency?)"
		assert_equal "$output" ""
	done
}

@test "-F on a real capture: ior-agg, ior-dump and ior-flame answer as ior-grep does" {
	require_bpf
	mkdir -p "$T/w"
	capture -- "$IOR_BIN/workload" "$T/w"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior"
	EXPRS=("path~^$T/w/" 'syscall=write,openat' 'errors' 'comm=workload latency>=1us')
	same_as_grep "$T/p.ior" "$IOR_BIN/ior-agg" --json
	same_as_grep "$T/p.ior" "$IOR_BIN/ior-dump"
	same_as_grep "$T/p.ior" "$IOR_BIN/ior-flame"
	# And the filter kept something and dropped something.
	"$IOR_BIN/ior-dump" -F "path~^$T/w/" "$T/p.ior" > "$T/out"
	grep -q "$T/w/data.bin" "$T/out"
	run grep -c '^# filter: kept [1-9][0-9]* of [1-9][0-9]* pairs' "$T/out"
	assert_output 1
}

# ---- ior-agg's output, by what stdout is ----

@test "ior-agg x | ior-flame and ior-agg x | ior-dump get the aggregate stream, 50 times out of 50" {
	"$IOR_BIN/ior-grep" 'pid>0' "$FIX" > /dev/null   # a warm cache
	for i in $(seq 50); do
		"$IOR_BIN/ior-agg" "$FIX" | "$IOR_BIN/ior-flame" > "$T/f.svg" ||
			fail "run $i: ior-agg | ior-flame failed"
		grep -q '<svg' "$T/f.svg" && grep -q 'openat' "$T/f.svg" ||
			fail "run $i: an empty graph"
		"$IOR_BIN/ior-agg" "$FIX" | "$IOR_BIN/ior-dump" > "$T/d.txt" ||
			fail "run $i: ior-agg | ior-dump failed: $(head -2 "$T/d.txt")"
		grep -q '^# aggregate' "$T/d.txt" ||
			fail "run $i: no aggregate: $(head -3 "$T/d.txt")"
	done
}

@test "ior-agg x > f writes the stream, so ior-agg f reports it; --text to a file writes the report" {
	"$IOR_BIN/ior-agg" "$FIX" > "$T/merged"
	"$IOR_BIN/ior-agg" --json "$T/merged" > "$T/from-agg.json"
	"$IOR_BIN/ior-agg" --json "$FIX" > "$T/direct.json"
	assert_equal "$(jq -c '.syscalls' "$T/from-agg.json")" \
		"$(jq -c '.syscalls' "$T/direct.json")"
	run "$IOR_BIN/ior-agg" --text "$T/merged"
	assert_success
	assert_line -n 0 --partial 'ior-agg: 5 syscalls'
	"$IOR_BIN/ior-agg" --text "$FIX" > "$T/report"
	run head -1 "$T/report"
	assert_output --partial 'ior-agg: 5 syscalls'
	# /dev/null is not a terminal either: the stream, no report text.
	run --separate-stderr "$IOR_BIN/ior-agg" "$FIX"
	assert_success
	[[ $output != *syscalls* ]] || fail "a report in a pipe: $output"
}

@test "a tool handed ior-agg's text report says what it is and what to do, exit 1" {
	"$IOR_BIN/ior-agg" --text "$FIX" > "$T/report"
	local tool
	for tool in "ior-flame" "ior-top -b" "ior-agg" "ior-dump"; do
		run --separate-stderr $IOR_BIN/$tool < "$T/report"
		assert_equal "$status" 1
		assert_equal "$stderr" "${tool%% *}: <stdin>: ior-agg's text report, not a stream: use ior-agg -o - or no --text at offset 0"
	done
}

# ---- live text ----

@test "live: ior-capture | ior-pair | ior-dump shows a call while the command still runs" {
	require_bpf
	"$IOR_BIN/ior-capture" -q -- sh -c "echo live > '$T/live.txt'; sleep 5" 2> "$T/cap.err" |
		"$IOR_BIN/ior-pair" | "$IOR_BIN/ior-dump" > "$T/out" &
	local pid=$! i
	BG_PIDS+=("$pid")
	# The write is done within a second; the command runs 5 s more.
	for i in $(seq 20); do
		grep -q "write(1 \"$T/live.txt\"" "$T/out" && break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null || fail "the pipeline ended already"
	grep -q "write(1 \"$T/live.txt\"" "$T/out" ||
		fail "no write line while the command runs: $(tail -3 "$T/out")"
	wait "$pid"
}
