#!/usr/bin/env bats
# io_uring operations never pass through a syscall: the capture takes them
# from the kernel's io_uring tracepoints, and ior-pair makes each one a
# call named io_uring:OP with its fd, path, bytes, errno and latency from
# submission to completion, belonging to the process that submitted it
# (not the io-wq worker or the SQPOLL thread that ran it).  Real programs:
# tests/uring.c (liburing) and fio, which need root and BTF (require_uring);
# the pairing rules on iorgen fixtures.

load helpers

setup() {
	ior_setup
	mkdir -p "$T/w"
}

teardown() {
	ior_teardown
}

require_uring() {
	require_bpf
	[ -d /sys/kernel/tracing/events ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	[ -d /sys/kernel/tracing/events/io_uring ] ||
		skip "this kernel has no io_uring tracepoints"
}

# fixture: a stream of io_uring records on stdin's text after a context
# of names (as ior-capture writes them), a process 10 in /w with fd 3 on
# /w/a; written to $T/f.ior and (unless the argument is "raw") paired into
# $T/f.pairs, dumped to $JSON.
fixture() {
	{
		cat <<-END
		section anchor=1000000000,1700000000000000000 pid=42
		syscall name=chdir
		syscall name=fchdir
		syscall nr=790 name=io_uring:read nargs=3 family=read
		syscall nr=786 name=io_uring:openat nargs=3 family=open paths=1
		syscall nr=787 name=io_uring:close nargs=3 family=close
		process t=500 pid=10 ppid=1 comm=app cwd=/w
		fd t=600 pid=10 fd=3 path=/w/a
		snapshot_end t=700
		END
		cat
		echo "trailer t=2000000000 reason=command"
	} > "$T/f.txt"
	"$IOR_BIN/iorgen" "$T/f.txt" > "$T/f.ior" || fail "iorgen"
	[ "${1:-}" != raw ] || return 0
	"$IOR_BIN/ior-pair" "$T/f.ior" > "$T/f.pairs" || fail "ior-pair exited $?"
	dump_json "$T/f.pairs"
}

# uring_pairs [MODE [CAPTURE-OPTION...]]: tests/uring.c (in MODE) under
# ior-capture, paired; $JSON holds the pairs, P the program's pid,
# $T/raw.json the raw records.
uring_pairs() {
	local mode=${1:-}

	shift || true
	require_uring
	"$IOR_BIN/ior-capture" -q "$@" -- "$IOR_BIN/uring" "$T/w" $mode \
		> "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	dump_json "$STREAM"
	cp "$JSON" "$T/raw.json"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior" ||
		fail "ior-pair exited $?"
	dump_json "$T/paired.ior"
	P=$(jqs --arg f "$IOR_BIN/uring" \
		'[of("exec") | select(.filename == $f) | .pid] | first')
	[ "$P" != null ] || fail "no exec record of the program"
}

# jqu FILTER: jqs with u, the io_uring pairs of the program, and $d, the
# path of its data file.
jqu() {
	local filter=${*: -1}

	jqs --argjson p "$P" --arg d "$T/w/data" "${@:1:$#-1}" '
		def u: of("pair") | select(.pid == $p
			and (.syscall | startswith("io_uring:")));
		'"$filter"
}

@test "io_uring operations are calls of their own: openat with its path and fd, reads with their bytes, close, errno" {
	uring_pairs
	run jqu -c '[u | select(.syscall == "io_uring:openat")
		| [.path, .ret == .fd, .family]]'
	assert_output "[[\"$T/w/data\",true,\"open\"]]"
	# two linked 4096-byte reads, 3000 and 2000 through the registered file
	run jqu -c '[u | select(.syscall == "io_uring:read" and .ret >= 0
		and .path == $d and .bytes != 1000) | .bytes] | sort'
	assert_output '[3000,4096,4096]'
	run jqu -c '[u | select(.errno) | [.syscall, .fd, .errno]]'
	assert_output '[["io_uring:read",999,"EBADF"]]'
	run jqu -c '[u | select(.syscall == "io_uring:close") | [.path, .ret]]'
	assert_output "[[\"$T/w/data\",0]]"
	# counted in the statistics as read(2) is (1000 more with SQPOLL)
	run "$IOR_BIN/ior-agg" --json "$T/paired.ior"
	assert_success
	run jq -c '[.syscalls[] | select(.syscall == "io_uring:read")
		| [.count, .errors, .bytes_read]] | first' <<< "$output"
	if grep -q "sqpoll read 1000" "$T/capture.err"; then
		assert_output '[6,1,14192]'
	else
		assert_output '[5,1,13192]'
	fi
}

@test "a read forced into an io-wq worker belongs to its submitter, with the latency to its completion" {
	uring_pairs
	# the raw completion ran in another thread of the process ...
	JSON=$T/raw.json
	run jqs --argjson p "$P" -c '[of("uring_complete")
		| select(.pid == $p and .exec_tid != .tid)] | length > 0'
	assert_output true
	# ... and its pair is the submitter's
	dump_json "$T/paired.ior"
	run jqu -c '[u | select(.syscall == "io_uring:read" and .bytes == 4096)
		| [.tid == $p, .comm, .latency_ns > 0]] | unique'
	assert_output '[[true,"uring",true]]'
}

@test "a registered file reads as the fd the process holds it at, and as <fixed file N> once that fd is closed" {
	uring_pairs
	run jqu -c '[u | select(.syscall == "io_uring:read" and .bytes == 3000)
		| [.path == $d, .fd >= 0]]'
	assert_output '[[true,true]]'
	run jqu -c '[u | select(.syscall == "io_uring:read" and .bytes == 2000)
		| .path]'
	assert_output '["<fixed file 0>"]'
}

@test "an SQPOLL ring's reads belong to the thread that made the ring, not the kernel's iou-sqp thread" {
	uring_pairs
	local tid
	tid=$(sed -n 's/^uring: sqpoll read 1000 in tid //p' "$T/capture.err")
	[ -n "$tid" ] ||
		skip "this kernel refused an SQPOLL ring: $(cat "$T/capture.err")"
	[ "$tid" != "$P" ] || fail "the ring was made on the main thread"
	JSON=$T/raw.json
	run jqs --argjson p "$P" -c '[of("uring_submit")
		| select(.pid == $p and .flags == 2) | .tid]'
	assert_output "[$tid]"
	dump_json "$T/paired.ior"
	run jqu -c '[u | select(.bytes == 1000) | [.tid, .comm, .path == $d]]'
	assert_output "[[$tid,\"uring\",true]]"
}

@test "an io_uring accept into a direct descriptor (a fixed slot) is a call on its listener: its result is no fd, fd 0 stays what it was" {
	uring_pairs direct-accept -e '%default,%net'
	l=$(sed -n 's/^uring: listener fd //p' "$T/capture.err")
	[ -n "$l" ] || fail "stderr: $(cat "$T/capture.err")"
	JSON=$T/raw.json run jqs -c '[of("uring_submit")
		| select(.syscall == "io_uring:accept") | .flags]'
	assert_output '[16]'
	run jqu -c '[u | select(.syscall == "io_uring:accept")
		| [.fd, .path, .ret]]'
	assert_output "[[$l,\"tcp:127.0.0.1:0\",0]]"
	run jqs -c --argjson p "$P" '[of("pair") | select(.pid == $p
		and .syscall == "read" and .fd == 0) | .path]'
	assert_output '["/dev/null"]'
}

@test "a request that posts no completion (IOSQE_CQE_SKIP_SUCCESS) is not completed by an untraced request at its address" {
	# The read completes unseen; the nop after it (untraced by default)
	# takes its request's place and posts the only completion.
	uring_pairs skip
	JSON=$T/raw.json run jqs -c '[of("uring_submit", "uring_complete")
		| .syscall]'
	assert_output '["io_uring:read"]'
	run jqu -c '[u | [.syscall, .unfinished]]'
	assert_output '[["io_uring:read",true]]'
}

@test "a kernel that refuses the io_uring programs: the capture goes on without io_uring operations, and says so once" {
	require_uring
	# IOR_TEST_URING_REFUSED aims the completion program at a tracepoint
	# with fewer arguments: the verifier refuses it, as a kernel whose
	# io_uring differs from what the program knows would.
	IOR_TEST_URING_REFUSED=1 "$IOR_BIN/ior-capture" -- \
		"$IOR_BIN/uring" "$T/w" > "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	run grep -c 'io_uring operations are not traced' "$T/capture.err"
	assert_output 1
	dump_json "$STREAM"
	run jqs -c '[of("uring_submit", "uring_complete")] | length'
	assert_output 0
	run jqs -c '[of("syscall_name") | select(.name | startswith("io_uring:"))]
		| length'
	assert_output 0
	# the syscalls are traced as ever
	run jqs -c --arg d "$T/w/data" '[calls | select(.syscall == "openat"
		and .path == $d)] | length > 0'
	assert_output true
}

@test "io_uring operations of processes out of scope are not captured" {
	require_uring
	local sleeper pid status=0

	bg sleep 100
	sleeper=$BG_PID
	bg "$IOR_BIN/ior-capture" -q -p "$sleeper" -o "$STREAM"
	pid=$BG_PID
	# The program runs from the moment the capture traces until it is
	# stopped: the capture sees all of it (or would).
	capture_started "$STREAM"
	"$IOR_BIN/uring" "$T/w" 2> /dev/null || fail "uring exited $?"
	kill -INT "$pid"
	wait "$pid" || status=$?
	BG_PIDS=("$sleeper")
	assert_equal "$status" 0
	dump_json "$STREAM"
	run jqs -r 'trailer.reason'
	assert_output signal
	run jqs -c '[of("uring_submit"), of("uring_complete")] | length'
	assert_output 0
	# and the same program in scope is (the test can fail)
	uring_pairs
	run jqu '[u] | length > 5'
	assert_output true
}

@test "-e selects io_uring operations by family: %close traces io_uring:close and no read, io_uring_enter every one" {
	require_uring
	capture -e %close -- "$IOR_BIN/uring" "$T/w" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	dump_json "$STREAM"
	run jqs -c '[of("uring_submit") | .syscall] | unique'
	assert_output '["io_uring:close"]'
	capture -e io_uring_enter -- "$IOR_BIN/uring" "$T/w" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	dump_json "$STREAM"
	run jqs -c '[of("uring_submit") | .syscall] | unique'
	assert_output '["io_uring:close","io_uring:openat","io_uring:read"]'
}

@test "-n COMM keeps the io_uring operations of that comm, those its SQPOLL thread (named iou-sqp-PID) takes from the ring too" {
	require_uring
	cp "$IOR_BIN/uring" "$T/iorurcomm"
	bg_loop "'$T/iorurcomm' '$T/w' 2>> '$T/loop.err'"
	run capture -n iorurcomm -d 1.5
	assert_success
	grep -q "sqpoll read 1000" "$T/loop.err" ||
		skip "this kernel refused an SQPOLL ring: $(cat "$T/loop.err")"
	dump_json "$STREAM"
	run jqs -c '[of("uring_submit") | .flags] | [(map(select(. == 2))
		| length > 0), (map(select(. == 0)) | length > 0)]'
	assert_output '[true,true]'
	# and no other process's
	run jqs -c '([.[] | select((.type == "exec" or .type == "process")
			and .comm == "iorurcomm") | .pid]) as $mine
		| [of("uring_submit") | .pid] | unique | . - $mine'
	assert_output '[]'
}

@test "fio --ioengine=io_uring with registered files and an SQPOLL thread: its reads are io_uring:read calls of its file, adding up to its size" {
	require_uring
	command -v fio > /dev/null || skip "no fio"
	head -c 262144 /dev/urandom > "$T/w/fio.dat"
	cat > "$T/job.fio" <<-END
	[r]
	ioengine=io_uring
	rw=read
	bs=4k
	size=256k
	filename=$T/w/fio.dat
	registerfiles=1
	sqthread_poll=1
	END
	"$IOR_BIN/ior-capture" -q -- fio --output=/dev/null "$T/job.fio" \
		> "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior"
	dump_json "$T/paired.ior"
	run jqs -c --arg f "$T/w/fio.dat" '[of("pair")
		| select(.syscall == "io_uring:read")]
		| [(map(.bytes) | add), (map(.path) | unique),
		   (map(.comm) | unique)]'
	assert_output "[262144,[\"$T/w/fio.dat\"],[\"fio\"]]"
}

@test "submit and completion pair by ring and request: fd, path, bytes, errno, latency, the submitter's thread and comm" {
	fixture <<-END
	uring_submit t=1000000000 pid=10 op=22 ring=0x100 req=0x200 args=3,-1,0
	uring_submit t=1000001000 pid=10 op=22 ring=0x101 req=0x200 args=3,-1,0
	uring_complete t=1000007000 pid=10 op=22 ring=0x101 req=0x200 res=-EIO exec_tid=99
	uring_complete t=1000005000 pid=10 op=22 ring=0x100 req=0x200 res=512 exec_tid=99
	END
	run jqs -c '[of("pair") | [.syscall, .family, .tid, .comm, .fd, .path,
		.bytes, .read, .errno, .latency_ns, .gap_ns]]'
	assert_output '[["io_uring:read","read",10,"app",3,"/w/a",0,false,"EIO",6000,null],["io_uring:read","read",10,"app",3,"/w/a",512,true,null,5000,null]]'
}

@test "an io_uring openat adds its fd to the table and close removes it; a direct-descriptor open (a fixed slot) leaves it alone" {
	fixture <<-END
	uring_submit pid=10 op=18 ring=1 req=2 args=-100,-1,0 str1=b
	uring_complete pid=10 op=18 ring=1 req=2 res=4
	uring_submit pid=10 op=22 ring=1 req=2 args=4,-1,0
	uring_complete pid=10 op=22 ring=1 req=2 res=7
	uring_submit pid=10 op=19 ring=1 req=2 args=4,-1,0
	uring_complete pid=10 op=19 ring=1 req=2 res=0
	uring_submit pid=10 op=22 ring=1 req=2 args=4,-1,0
	uring_complete pid=10 op=22 ring=1 req=2 res=-EBADF
	uring_submit pid=10 op=18 ring=1 req=2 args=-100,0,0 str1=c flags=1
	uring_complete pid=10 op=18 ring=1 req=2 res=0
	uring_submit pid=10 op=22 ring=1 req=2 args=0,-1,0
	uring_complete pid=10 op=22 ring=1 req=2 res=-EBADF
	END
	run jqs -c '[of("pair") | [.syscall, .fd, .path, .ret]]'
	assert_output '[["io_uring:openat",4,"/w/b",4],["io_uring:read",4,"/w/b",7],["io_uring:close",4,"/w/b",0],["io_uring:read",4,"<unknown fd 4>",-9],["io_uring:openat",-1,"/w/c",0],["io_uring:read",0,"<unknown fd 0>",-9]]'
}

@test "a registered file no fd holds reads as <fixed file N>" {
	fixture <<-END
	uring_submit pid=10 op=22 ring=1 req=2 args=-1,5,0 flags=1
	uring_complete pid=10 op=22 ring=1 req=2 res=100
	END
	run jqs -c '[of("pair") | [.fd, .path, .bytes]]'
	assert_output '[[-1,"<fixed file 5>",100]]'
}

@test "a multishot request is one call per completion, each timed from the one before" {
	fixture <<-END
	uring_submit t=1000000000 pid=10 op=22 ring=1 req=2 args=3,-1,0
	uring_complete t=1000001000 pid=10 op=22 ring=1 req=2 res=10 cflags=2
	uring_complete t=1000003000 pid=10 op=22 ring=1 req=2 res=20 cflags=2
	uring_complete t=1000006000 pid=10 op=22 ring=1 req=2 res=30
	uring_complete t=1000007000 pid=10 op=22 ring=1 req=2 res=40
	END
	run jqs -c '[of("pair") | [.bytes, .latency_ns]]'
	assert_output '[[10,1000],[20,2000],[30,3000]]'
	run jqs -c 'of("pair_totals") | [.pairs, .unmatched_exits, .unmatched_enters]'
	assert_output '[3,1,0]'
}

@test "a request in flight at the end is an unfinished call; a request address reused before its completion counts as unmatched" {
	fixture <<-END
	uring_submit t=1000000000 pid=10 op=22 ring=1 req=2 args=3,-1,0
	uring_submit t=1000001000 pid=10 op=22 ring=1 req=2 args=3,-1,0
	END
	run jqs -c '[of("pair") | [.syscall, .unfinished, .latency_ns, .ret]]'
	assert_output '[["io_uring:read",true,999999000,0]]'
	run jqs -c 'of("pair_totals") | [.pairs, .unmatched_exits, .unmatched_enters]'
	assert_output '[0,0,2]'
}

@test "ior-dump shows io_uring records as calls: text and JSON" {
	fixture <<-END
	uring_submit t=1000000000 pid=10 op=18 ring=0x100 req=0x200 args=-100,-1,0 str1=/w/b user_data=7 flags=12
	uring_complete t=1000005000 pid=10 op=18 ring=0x100 req=0x200 res=-ENOENT exec_tid=99 cflags=2
	END
	run "$IOR_BIN/ior-dump" "$T/f.ior"
	assert_success
	assert_line '  0.000000 10/10         > io_uring:openat(-100, "/w/b", 0) ring 0x100 req 0x200 user_data 0x7 [async,link]'
	assert_line '  0.000005 10/10         < io_uring:openat = -1 ENOENT req 0x200 (in tid 99) [more]'
	dump_json "$T/f.ior"
	# (the args are unsigned register values, past what jq keeps exact)
	run jqs -c '[of("uring_submit") | [.syscall, .opcode, .ring, .req, .user_data, .flags, (.args | length), .path]]'
	assert_output '[["io_uring:openat",18,256,512,7,12,3,"/w/b"]]'
	run jqs -c '[of("uring_complete") | [.syscall, .ret, .errno, .cflags, .exec_tid]]'
	assert_output '[["io_uring:openat",-2,"ENOENT",2,99]]'
}

@test "an io_uring path the capture cut reads as cut: \"...\"... in text, truncated in JSON" {
	fixture raw <<-END
	uring_submit pid=10 op=18 ring=1 req=2 args=-100,-1,0 str1=/w/lo truncated=str1
	uring_submit pid=10 op=18 ring=1 req=3 args=-100,-1,0 str1=/w/b
	END
	run "$IOR_BIN/ior-dump" "$T/f.ior"
	assert_success
	assert_line --partial '> io_uring:openat(-100, "/w/lo"..., 0) ring 0x1 req 0x2'
	assert_line --partial '> io_uring:openat(-100, "/w/b", 0) ring 0x1 req 0x3'
	dump_json "$T/f.ior"
	run jqs -c '[of("uring_submit") | [.path, .truncated]]'
	assert_output '[["/w/lo",true],["/w/b",null]]'
}

@test "a submit record with more arguments than the format allows is damage, reported once, after what came before" {
	fixture raw <<-END
	uring_submit pid=10 op=22 ring=1 req=2 args=3,-1,0
	uring_submit pid=10 op=22 ring=1 req=3 nargs=7
	END
	run --separate-stderr "$IOR_BIN/ior-dump" "$T/f.ior"
	assert_failure 1
	assert_line --partial '> io_uring:read(3, -1, 0)'
	[[ "$stderr" =~ ^ior-dump:\ .*/f.ior:\ uring\ submit\ record\ with\ too\ many\ arguments\ at\ offset\ [0-9]+ ]] ||
		fail "stderr: $stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ] || fail "stderr: $stderr"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/f.ior"
	assert_failure 1
	[[ "$stderr" =~ ^ior-pair:\ .*too\ many\ arguments\ at\ offset ]] ||
		fail "stderr: $stderr"
}

@test "after loss, requests in flight are dropped, not paired or left unfinished: their completion may be what was lost" {
	fixture <<-END
	uring_submit t=1000000000 pid=10 op=22 ring=1 req=2 args=3,-1,0
	uring_submit t=1000001000 pid=10 op=22 ring=1 req=3 args=3,-1,0
	uring_complete t=1000002000 pid=10 op=22 ring=1 req=2 res=5
	loss t=1000003000 cpu=0 lost=1
	uring_complete t=1000004000 pid=10 op=22 ring=1 req=3 res=6
	uring_submit t=1000005000 pid=10 op=22 ring=1 req=3 args=3,-1,0
	uring_complete t=1000006000 pid=10 op=22 ring=1 req=3 res=7
	END
	run jqs -c '[of("pair") | [.bytes, .latency_ns]]'
	assert_output '[[5,2000],[7,1000]]'
	run jqs -c 'of("pair_totals") | [.pairs, .unmatched_exits, .unmatched_enters, .lost]'
	assert_output '[2,1,1,1]'
}
