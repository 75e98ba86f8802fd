#!/usr/bin/env bats
# ior-pair on a real capture: ior-capture -- workload DIR | ior-pair.  Every
# call tests/workload.c documents must come out as a pair with its path,
# bytes, errno and a latency, the child's calls included, and nothing may
# be left unmatched or lost.  Needs root and BTF (require_bpf).

load helpers

# The workload runs once for the whole file, with the default syscalls;
# ior-pair's output, its status and its standard error are kept.
setup_file() {
	export W=$BATS_FILE_TMPDIR/work
	export WRAW=$BATS_FILE_TMPDIR/workload.ior
	export WPAIR=$BATS_FILE_TMPDIR/workload.pair
	mkdir -p "$W"
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] || return 0
	"$IOR_BIN/ior-capture" -q -- "$IOR_BIN/workload" "$W" \
		> "$WRAW" 2> "$BATS_FILE_TMPDIR/capture.err" 3>&-
	"$IOR_BIN/ior-pair" "$WRAW" > "$WPAIR" \
		2> "$BATS_FILE_TMPDIR/pair.err" 3>&-
	echo $? > "$BATS_FILE_TMPDIR/pair.status"
}

# The paired stream as $JSON, and in P and K the pids of the workload and
# of the child it forks.
paired_stream() {
	require_bpf
	[ -s "$WPAIR" ] || fail "no paired stream: $(cat "$BATS_FILE_TMPDIR/capture.err" "$BATS_FILE_TMPDIR/pair.err")"
	cp "$WPAIR" "$T/workload.pair"
	dump_json "$T/workload.pair"
	workload_pids
}

# jqw FILTER: jqs with $p, $k (the pids), $w (the work directory) and
#   wl      the pairs of the workload and its child
#   at($n)  the pairs of the workload on the path $w/$n
jqw() {
	local filter=${*: -1}

	jqs --argjson p "$P" --argjson k "$K" --arg w "$W" "${@:1:$#-1}" '
		def wl: of("pair") | select(.pid == $p or .pid == $k);
		def at($n): wl | select(.path == $w + "/" + $n);
		'"$filter"
}

@test "ior-pair reads the capture without a word and exits 0" {
	require_bpf
	run cat "$BATS_FILE_TMPDIR/pair.status"
	assert_output 0
	run cat "$BATS_FILE_TMPDIR/pair.err"
	assert_output ""
}

@test "nothing is unmatched or lost, and the trailer says so too" {
	paired_stream
	run jqw -c '[of("pair_totals")] | last | del(.type, .offset, .pairs)'
	assert_output '{"unmatched_exits":0,"unmatched_enters":0,"lost":0,"fd_unknown":0,"missed":0}'
	run jqw -c 'trailer | [.lost, .reason, .status]'
	assert_output '[0,"command",0]'
}

@test "every call of the capture is one pair, with its enter time, thread and result" {
	paired_stream
	# The raw stream, paired by helpers.bash's calls, against ior-pair.
	dump_json "$WRAW"
	jqs -c '[calls | [.time_ns, .pid, .tid, .nr, .ret]] | sort' > "$T/calls"
	dump_json "$T/workload.pair"
	jqs -c '[of("pair") | [.time_ns, .pid, .tid, .nr, .ret]] | sort' > "$T/pairs"
	run jq 'length > 40' "$T/pairs"
	assert_output true
	assert_equal "$(cat "$T/pairs")" "$(cat "$T/calls")"
}

@test "every pair of the workload has a latency, its comm, and a gap after its thread's first" {
	paired_stream
	run jqw -c '[wl | select(.latency_ns <= 0 or .comm != "workload")] | length'
	assert_output 0
	# Per thread, the first pair has no gap and every later one has one.
	run jqw -c '[wl] | group_by(.tid)
		| map([(.[0].gap_ns == null), (.[1:] | all(.gap_ns != null and .gap_ns >= 0))])'
	assert_output '[[true,true],[true,true]]'
}

@test "each path's name record is written once, before its first pair" {
	paired_stream
	run jqw -c '[of("name")] | group_by([.kind, .value]) | map(select(length > 1) | .[0].value)'
	assert_output '[]'
	run jqw -c '[of("name")] | group_by([.kind, .id]) | map(select(length > 1) | .[0].id)'
	assert_output '[]'
	run jqw -c '. as $all | [at("data.bin") | .offset] | first as $first
		| [$all[] | select(.type == "name" and .value == $w + "/data.bin")
		   | .offset < $first]'
	assert_output '[true]'
}

@test "both opens of data.bin: its path, the flags, the fd made, a latency" {
	paired_stream
	# O_CREAT|O_WRONLY|O_TRUNC is 577, O_RDONLY 0.
	run jqw -c '[at("data.bin") | select(.syscall == "openat")
		| [.flags, .ret >= 0, .fd == .ret, .errno, .latency_ns > 0]]'
	assert_output '[[577,true,true,null,true],[0,true,true,null,true]]'
}

@test "the writes to data.bin carry its path and 4096, 4096 and 100 bytes written" {
	paired_stream
	run jqw -c '([at("data.bin") | select(.syscall == "openat")] | first.ret) as $fd
		| [at("data.bin") | select(.syscall == "write")
		   | [.fd == $fd, .flags, .ret, .bytes, .write, .read, .latency_ns > 0]]'
	assert_output '[[true,577,4096,4096,true,false,true],[true,577,4096,4096,true,false,true],[true,577,100,100,true,false,true]]'
}

@test "fsync and close of data.bin carry its path" {
	paired_stream
	run jqw -c '[at("data.bin") | select(.syscall == "fsync" or .syscall == "close")
		| [.syscall, .ret, .bytes, .latency_ns > 0]]'
	assert_output '[["fsync",0,0,true],["close",0,0,true],["close",0,0,true],["close",0,0,true]]'
}

@test "reading data.bin by 1000 bytes reads 1000 eight times, 292, then nothing" {
	paired_stream
	run jqw -r '[at("data.bin") | select(.syscall == "read" and .bytes != 1)
		| "\(.bytes)/\(.read)"] | join(" ")'
	assert_output "1000/true 1000/true 1000/true 1000/true 1000/true 1000/true 1000/true 1000/true 292/true 0/false"
}

@test "pread64 of data.bin reads 512 bytes" {
	paired_stream
	run jqw -c '[at("data.bin") | select(.syscall == "pread64")
		| [.ret, .bytes, .read, .latency_ns > 0]]'
	assert_output '[[512,512,true,true]]'
}

@test "the dup of data.bin's fd, and the lseek and the read through the new fd, name data.bin" {
	paired_stream
	run jqw -c '[wl | select(.pid == $p)] as $c
		| ($c | map(.syscall == "dup") | index(true)) as $i
		| $c[$i] as $dup
		| [$dup.path == $w + "/data.bin", $dup.ret >= 0]
		  + [$c[$i + 1, $i + 2]
		     | [.syscall, .fd == $dup.ret, .path == $w + "/data.bin",
			.ret, .bytes, .read]]'
	assert_output '[true,true,["lseek",true,true,0,0,false],["read",true,true,1,1,true]]'
}

@test "rename carries the old and the new path" {
	paired_stream
	run jqw -c '[wl | select(.syscall | test("^rename(at2?)?$"))
		| [.path, .path2, .ret, .fd]]'
	assert_output "[[\"$W/data.bin\",\"$W/renamed.bin\",0,-1]]"
}

@test "the open of a missing file fails with ENOENT on its path" {
	paired_stream
	run jqw -c '[at("does-not-exist") | [.syscall, .fd, .ret, .errno, .bytes, .latency_ns > 0]]'
	assert_output '[["openat",-1,-2,"ENOENT",0,true]]'
}

@test "the child opens, writes 12345 bytes to and closes child.txt, in its own pid" {
	paired_stream
	run jqw -c '[at("child.txt") | [.pid == $k, .tid == $k, .comm, .syscall,
		.ret >= 0, .bytes, .write]]'
	assert_output '[[true,true,"workload","openat",true,0,false],[true,true,"workload","write",true,12345,true],[true,true,"workload","close",true,0,false]]'
}

@test "the child's write through the fd it inherited names inherited.txt" {
	paired_stream
	run jqw -c '([at("inherited.txt") | select(.pid == $p and .syscall == "openat")]
			| first.ret) as $fd
		| [at("inherited.txt") | [.pid == $k, .syscall, .fd == $fd, .bytes,
			.write, .fd_unknown]]'
	# The parent's open and close, the child's 17 bytes in between.
	assert_output '[[false,"openat",true,0,false,null],[true,"write",true,17,true,null],[false,"close",true,0,false,null]]'
}

@test "with %process, exit_group pairs as noreturn in both processes and clone returns the child" {
	require_bpf
	mkdir "$T/work"
	"$IOR_BIN/ior-capture" -q -e %default,%process -- \
		"$IOR_BIN/workload" "$T/work" > "$STREAM" 2> "$T/capture.err" 3>&-
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/process.pair"
	dump_json "$T/process.pair"
	P=$(jqs --arg f "$IOR_BIN/workload" \
		'[of("exec") | select(.filename == $f) | .pid] | first')
	K=$(jqs --argjson p "$P" \
		'[of("task_new") | select(.parent_pid == $p) | .child_pid] | first')
	# The first clone and wait4 are the fork and the wait of step 17 (a
	# sanitizer build's leak check forks once more at exit).
	run jqs -c --argjson p "$P" --argjson k "$K" '
		[of("pair") | select(.pid == $p or .pid == $k)] as $wl
		| def of($pid; $s): $wl | map(select(.pid == $pid and .syscall == $s));
		[(of($p; "clone") | first | [.ret == $k, .errno]),
		 (of($p; "wait4") | first | [.ret == $k, .errno]),
		 (of($k; "exit_group") | map([.ret, .errno, .noreturn, .latency_ns > 0])),
		 (of($p; "exit_group") | map([.ret, .errno, .noreturn, .latency_ns > 0]))]'
	assert_output '[[true,null],[true,null],[[0,null,true,true]],[[0,null,true,true]]]'
}

@test "with %process, nothing is unmatched: not the command's own execve, nor the child's return from clone" {
	require_bpf
	mkdir "$T/work"
	"$IOR_BIN/ior-capture" -q -e %default,%process -- \
		"$IOR_BIN/workload" "$T/work" > "$STREAM" 2> "$T/capture.err" 3>&-
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/process.pair"
	# The raw stream has two exits without an enter in their thread: the
	# workload's execve (ior-capture traces the command from its exec, so
	# the call began before the capture; its exit follows the exec record
	# and is the exec's return, not a lost enter) and the fork child's
	# return from clone (the parent's clone is paired: the child's half is
	# no call of its own).  Neither is a call whose enter was lost.
	dump_json "$T/process.pair"
	run jqs -c '[of("pair_totals")] | last | [.unmatched_exits, .unmatched_enters, .lost]'
	assert_output '[0,0,0]'
}
