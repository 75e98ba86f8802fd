#!/usr/bin/env bats
# What a capture must not get wrong on real programs: paths on pages not
# yet resident at the syscall's enter, futimens, umount2, a read a signal
# interrupts (restarted, or EINTR), the calls that never return, and the
# kernel's skipped program runs.  Each test runs tests/workload.c in one of
# its modes under ior-capture, pairs the stream, and looks at the pairs of
# the workload.  Needs root and BTF (require_bpf).

load helpers

setup() {
	ior_setup
	require_bpf
	mkdir -p "$T/w"
}

# pairs_of MODE [ARG...]: workload MODE $T/w ARG... under ior-capture -e
# all, paired; $JSON holds the pairs, P the workload's pid.
pairs_of() {
	local mode=$1
	shift
	"$IOR_BIN/ior-capture" -q -e all -- "$IOR_BIN/workload" "$mode" \
		"$T/w" "$@" > "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior" ||
		fail "ior-pair exited $?"
	dump_json "$T/paired.ior"
	P=$(jqs --arg f "$IOR_BIN/workload" \
		'[of("exec") | select(.filename == $f) | .pid] | first')
	[ "$P" != null ] || fail "no exec record of the workload"
}

# jqp FILTER: jqs with wl, the workload's pairs, and $w, its directory.
jqp() {
	local filter=${*: -1}

	jqs --argjson p "$P" --arg w "$T/w" "${@:1:$#-1}" '
		def wl: of("pair") | select(.pid == $p);
		'"$filter"
}

@test "paths on pages first touched inside the syscall are read at its exit: openat, both of rename, statfs" {
	pairs_of fault
	# The enter could not read them (or the test proves nothing) ...
	dump_json "$STREAM"
	run jqs -c '[of("enter") | select(.syscall == "rename"
		or .syscall == "renameat2" or .syscall == "statfs")
		| .strings[] | .fault] | unique'
	assert_output '[true]'
	dump_json "$T/paired.ior"
	run jqp -c '[wl | select(.syscall == "openat"
		and (.path | endswith("/fault.txt")))] | length'
	assert_output 2
	run jqp -r '[wl | select(.syscall == "rename" or .syscall == "renameat2")
		| "\(.path) \(.path2)"] | .[]'
	assert_output "$T/w/fault.txt $T/w/fault-renamed.txt"
	run jqp -r '[wl | select(.syscall == "statfs") | .path] | .[]'
	assert_output "$T/w"
	# The fd opened through the late path carries it to its read.
	run jqp -c '[wl | select(.syscall == "read" and .bytes == 5) | .path]'
	assert_output "[\"$T/w/fault.txt\"]"
	run jqp -c '[wl | select(.path == "<unreadable path>")] | length'
	assert_output 0
}

@test "utimensat(fd, NULL) (futimens) names the fd and its file" {
	pairs_of futimens
	run jqp -c '[wl | select(.syscall == "openat"
		and (.path | endswith("/futimens.txt"))) | .fd] as $fd
		| [wl | select(.syscall == "utimensat") | [.fd == $fd[0], .path, .ret]]'
	assert_output "[[true,\"$T/w/futimens.txt\",0]]"
}

@test "umount2 is traced on this kernel, with its path" {
	pairs_of umount
	run grep -c umount2 "$T/capture.err"
	assert_output 0
	run jqp -c '[wl | select(.syscall == "mount" or .syscall == "umount2")
		| [.syscall, .path, .ret]]'
	assert_output "[[\"mount\",\"$T/w/mnt\",0],[\"umount2\",\"$T/w/mnt\",0]]"
}

@test "a read restarted after an SA_RESTART handler is one pair, marked restarted, with the whole latency" {
	pairs_of signal restart
	# The handler's write and its rt_sigreturn pair on their own ...
	run jqp -c '[wl | select(.syscall == "write" and .fd >= 0
		and (.path | startswith("pipe:["))) | .bytes]'
	assert_output '[1]'
	# ... and the read is one call that returned the handler's byte,
	# from before the 200 ms timer to after the handler.
	run jqp -c '[wl | select(.syscall == "read" and (.path | startswith("pipe:[")))
		| [.ret, .restart, .errno, (.latency_ns >= 190000000)]]'
	assert_output '[[1,true,null,true]]'
	run jqp -c '[wl | select(.syscall == "rt_sigreturn")
		| [.noreturn, .ret, .errno]]'
	assert_output '[[true,0,null]]'
	run jqp -c '[of("pair_totals")] | last
		| [.unmatched_exits, .unmatched_enters, .lost]'
	assert_output '[0,0,0]'
	run "$IOR_BIN/ior-dump" "$T/paired.ior"
	refute_output --partial "Unknown error"
	run "$IOR_BIN/ior-dump" "$STREAM"
	refute_output --partial "Unknown error"
	assert_output --partial "ERESTARTSYS"
}

@test "a read interrupted by a handler without SA_RESTART is one pair that fails with EINTR" {
	pairs_of signal intr
	run jqp -c '[wl | select(.syscall == "read" and (.path | startswith("pipe:[")))
		| [.ret, .errno, .restart, (.latency_ns >= 190000000)]]'
	assert_output '[[-4,"EINTR",null,true],[1,null,null,false]]'
	run jqp -c '[of("pair_totals")] | last
		| [.unmatched_exits, .unmatched_enters]'
	assert_output '[0,0]'
}

@test "rt_sigreturn, exit_group and a successful execve are pairs that do not return, none unmatched" {
	pairs_of signal restart
	run jqp -c '[wl | select(.noreturn) | .syscall] | sort'
	assert_output '["exit_group","rt_sigreturn"]'
	# A process the capture follows through its exec: sh runs the workload.
	"$IOR_BIN/ior-capture" -q -e all -- sh -c "$IOR_BIN/workload futimens $T/w; :" \
		> "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior"
	dump_json "$T/paired.ior"
	run jqs -c --arg f "$IOR_BIN/workload" '[of("pair")
		| select(.syscall == "execve" and .path == $f)
		| [.ret, .noreturn]]'
	assert_output '[[0,true]]'
	run jqs -c '[of("pair_totals")] | last | [.unmatched_exits, .unmatched_enters]'
	assert_output '[0,0]'
}

@test "the kernel's skipped program runs are in the stream: 0 normally, and the counts say so" {
	pairs_of futimens
	dump_json "$STREAM"
	run jqs -c 'trailer | [.lost, .missed]'
	assert_output '[0,0]'
	run jqs -c '[of("miss")] | length'
	assert_output 0
	dump_json "$T/paired.ior"
	run jqs -c '[of("pair_totals")] | last | [.lost, .missed]'
	assert_output '[0,0]'
	run "$IOR_BIN/ior-dump" "$T/paired.ior"
	assert_output --partial "skipped 0"
}

@test "skipped runs count as lost in ior-pair's totals and ior-agg's loss line" {
	# A stream with a miss record, as ior-capture writes when the kernel
	# skipped a program: written through the test writer.
	"$IOR_BIN/iorgen" > "$T/miss.ior" <<-EOF
	section anchor=1000000000,1700000000000000000 pid=42
	syscall name=read nargs=3
	miss t=1000500000 missed=3 total=3 program=ior_sys_enter
	enter t=1001000000 pid=10 nr=read args=3,0,10
	exit t=1001100000 pid=10 nr=read ret=10
	trailer t=1002000000 missed=3
	EOF
	run "$IOR_BIN/ior-dump" "$T/miss.ior"
	assert_success
	assert_output --partial '# miss: program "ior_sys_enter" skipped 3 (total 3)'
	assert_output --partial "3 lost (3 skipped by the kernel)"
	"$IOR_BIN/ior-pair" "$T/miss.ior" > "$T/p.ior"
	dump_json "$T/p.ior"
	run jqs -c '[of("pair_totals")] | last | [.lost, .missed, .pairs]'
	assert_output '[3,3,1]'
	run "$IOR_BIN/ior-agg" --text "$T/p.ior"
	assert_output --partial "LOST: 3 events"
	run "$IOR_BIN/ior-dump" --stats "$T/miss.ior"
	assert_line --regexp '^lost +3$'
}
