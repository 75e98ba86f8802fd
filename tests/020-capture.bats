#!/usr/bin/env bats
# ior-capture on real workloads: what tests/workload.c does must come out of
# the stream (read back with ior-dump --json), and the command line, exit
# status and signal behaviour must be what the README promises.

load helpers

# The workload runs once for the whole file; each test reads the stream.
setup_file() {
	export W=$BATS_FILE_TMPDIR/work
	export WSTREAM=$BATS_FILE_TMPDIR/workload.ior
	mkdir -p "$W"
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] || return 0
	"$IOR_BIN/ior-capture" -q -- "$IOR_BIN/workload" "$W" \
		> "$WSTREAM" 2> "$BATS_FILE_TMPDIR/workload.err" 3>&-
	echo $? > "$BATS_FILE_TMPDIR/workload.status"
}

# The workload's stream as $JSON, and in P and K the pids of the workload
# and of the child it forks.
workload_stream() {
	require_bpf
	[ -s "$WSTREAM" ] || fail "the workload capture wrote no stream: $(
		cat "$BATS_FILE_TMPDIR/workload.err")"
	cp "$WSTREAM" "$T/workload.ior"
	dump_json "$T/workload.ior"
	workload_pids
}

# jqw FILTER: jqs with $p, $k (the pids) and $w (the work directory).
jqw() {
	jqs --argjson p "$P" --argjson k "$K" --arg w "$W" "$@"
}

@test "capturing the workload exits 0 and says nothing with -q" {
	require_bpf
	run cat "$BATS_FILE_TMPDIR/workload.status"
	assert_output 0
	run cat "$BATS_FILE_TMPDIR/workload.err"
	assert_output ""
}

@test "the stream has a section, syscall names, a snapshot end and a trailer last" {
	workload_stream
	run jqs -r '[.[].type] | [first,
		(map(select(. == "section")) | length),
		(map(select(. == "syscall_name")) | length > 0),
		(map(select(. == "snapshot_end")) | length),
		(map(select(. == "trailer")) | length), last] | join(" ")'
	assert_output "section 1 true 1 1 trailer"
}

@test "the trailer says the command ended it with status 0" {
	workload_stream
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"command","status":0}'
}

@test "the exec of the workload binary is recorded with its comm" {
	workload_stream
	run jqw -c '[of("exec") | select(.pid == $p) | {comm, filename}]'
	assert_output "[{\"comm\":\"workload\",\"filename\":\"$IOR_BIN/workload\"}]"
}

@test "both openat calls of data.bin carry its path and return an fd" {
	workload_stream
	# O_CREAT|O_WRONLY|O_TRUNC is 577, O_RDONLY 0.
	run jqw -c '[calls | select(.pid == $p and .syscall == "openat"
		and .path == $w + "/data.bin")
		| [.strings[0].arg, .args[2], .ret >= 0]]'
	assert_output '[[1,577,true],[1,0,true]]'
}

@test "the writes to data.bin return 4096, 4096 and 100" {
	workload_stream
	run jqw -c '([calls | select(.pid == $p and .syscall == "openat"
			and .path == $w + "/data.bin")]
			| first.ret) as $fd
		| [calls | select(.pid == $p and .syscall == "write")
		   | [.args[0] == $fd, .args[2], .ret]]'
	assert_output '[[true,4096,4096],[true,4096,4096],[true,100,100]]'
}

@test "fsync of data.bin returns 0" {
	workload_stream
	run jqw -c '([calls | select(.pid == $p and .syscall == "openat"
			and .path == $w + "/data.bin")]
			| first.ret) as $fd
		| [calls | select(.syscall == "fsync")
		   | [.pid == $p, .args[0] == $fd, .ret]]'
	assert_output '[[true,true,0]]'
}

@test "reading data.bin by 1000 bytes returns 1000 eight times, 292, then 0" {
	workload_stream
	run jqw -r '([calls | select(.pid == $p and .syscall == "openat"
			and .path == $w + "/data.bin")]
			| last) as $open
		| [calls | select(.pid == $p and .syscall == "read"
			and .offset > $open.offset and .args[0] == $open.ret
			and .args[2] == 1000) | .ret] | join(" ")'
	assert_output "1000 1000 1000 1000 1000 1000 1000 1000 292 0"
}

@test "pread64 of 512 bytes at offset 4000 returns 512" {
	workload_stream
	run jqw -c '([calls | select(.pid == $p and .syscall == "openat"
			and .path == $w + "/data.bin")]
			| last.ret) as $fd
		| [calls | select(.pid == $p and .syscall == "pread64"
			and .args[0] == $fd and .args[3] == 4000)
		   | [.args[2], .ret]]'
	assert_output '[[512,512]]'
}

@test "dup returns a new fd, and an lseek and a 1-byte read on it follow" {
	workload_stream
	# The three calls after the dup, as syscall, fd argument, count, ret.
	run jqw -c '[calls | select(.pid == $p)] as $c
		| ($c | map(.syscall == "dup") | index(true)) as $i
		| $c[$i] as $dup
		| [$dup.ret != $dup.args[0], $dup.ret >= 0]
		  + [$c[$i + 1, $i + 2]
		     | [.syscall, .args[0] == $dup.ret, .args[2], .ret]]'
	assert_output '[true,true,["lseek",true,0,0],["read",true,1,1]]'
}

@test "rename carries the old and the new path" {
	workload_stream
	run jqw -c '[calls | select(.pid == $p
			and (.syscall | test("^rename(at2?)?$")))
		| [[.strings[].value], .ret]]'
	assert_output "[[[\"$W/data.bin\",\"$W/renamed.bin\"],0]]"
}

@test "the openat of a missing file fails with ENOENT" {
	workload_stream
	run jqw -c '[calls | select(.pid == $p
			and (.path // "" | endswith("/does-not-exist")))
		| [.syscall, .ret, .errno]]'
	assert_output '[["openat",-2,"ENOENT"]]'
}

@test "the fork is a task_new with a new process as child" {
	workload_stream
	# The first one: a sanitizer build's leak check clones a task of its
	# own at exit.
	run jqw -c '[of("task_new") | select(.parent_pid == $p)] | first
		| [.child_pid != $p, .child_tid == .child_pid, .thread]'
	assert_output '[true,true,false]'
}

@test "the child's single write of 12345 bytes to child.txt returns in the child" {
	workload_stream
	run jqw -c '([calls | select(.pid == $k and .path == $w + "/child.txt")]
			| first.ret) as $fd
		| [calls | select(.syscall == "write" and .ret == 12345)
		   | [.pid == $k, .tid == $k, .args[0] == $fd, .args[2]]]'
	assert_output '[[true,true,true,12345]]'
}

@test "the child writes 17 bytes to the fd it inherited from the parent" {
	workload_stream
	run jqw -c '([calls | select(.pid == $p
			and .path == $w + "/inherited.txt")] | first.ret) as $fd
		| [calls | select(.pid == $k and .syscall == "write"
			and .args[0] == $fd) | [.args[2], .ret]]'
	assert_output '[[17,17]]'
}

@test "nothing from outside the workload's process tree is recorded" {
	workload_stream
	run jqw -c 'tree($p) as $tree
		| [events | .pid // .parent_pid] | unique | . - $tree'
	assert_output '[]'
	# And the workload was seen at all.
	run jqw '[of("enter") | select(.pid == $p)] | length > 20'
	assert_output true
}

@test "a failing command's wait status is in the trailer" {
	require_bpf
	run capture -- sh -c 'exit 3'
	dump_json "$STREAM"
	# The trailer holds the status as wait(2) reports it: exit 3 is 3 << 8.
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"command","status":768}'
}

@test "ior-capture exits 0 when the command fails: the status is data, in the trailer" {
	require_bpf
	run capture -- sh -c 'exit 3'
	assert_success
}

@test "the command's standard output goes to standard error, not into the stream" {
	require_bpf
	run --separate-stderr bash -c '"$IOR_BIN/ior-capture" -q -- echo hello \
		> "$STREAM"'
	assert_success
	assert_equal "$stderr" hello
	# The stream is intact: a stray "hello\n" in it would break a record.
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"command","status":0}'
	# And echo's write went to its standard output, fd 1.
	run jqs -c '[calls | select(.syscall == "write") | [.args[0], .ret]]'
	assert_output '[[1,6]]'
}

@test "ior-capture refuses to write the stream to a terminal" {
	command -v script > /dev/null || skip "no script(1) for a pty"
	# script(1) gives the command a pty as standard output; -e passes its
	# exit status through.  The refusal comes before any BPF is loaded.
	run script -qec "$IOR_BIN/ior-capture -d 1" /dev/null
	assert_failure 2
	assert_output --partial "refusing to write a binary stream to a terminal"
}

@test "a system-wide capture with -d 1 ends by itself with reason duration" {
	require_bpf
	local start=$SECONDS
	run capture -d 1
	assert_success
	[ $((SECONDS - start)) -le 5 ] || fail "took $((SECONDS - start)) s"
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"duration","status":0}'
}

@test "SIGINT ends a system-wide capture with exit 0 and reason signal" {
	require_bpf
	local pid status=0

	bg "$IOR_BIN/ior-capture" -q -d 20 -o "$STREAM"
	pid=$BG_PID
	capture_started "$STREAM"
	kill -INT "$pid"
	wait "$pid" || status=$?
	BG_PIDS=()
	assert_equal "$status" 0
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"signal","status":0}'
}

@test "a reader that closes the pipe ends ior-capture quietly" {
	require_bpf
	# Without -q: no summary, no error, only the end of the pipe.
	run --separate-stderr bash -c '"$IOR_BIN/ior-capture" -d 10 |
		head -c 100 > "$T/head"; echo "${PIPESTATUS[*]}"'
	assert_success
	# 0: ior-capture saw EPIPE and left; 141: SIGPIPE, also quiet.
	assert_output --regexp '^(0|141) 0$'
	assert_equal "$stderr" ""
	run wc -c < "$T/head"
	assert_output 100
}

@test "a system-wide capture does not trace itself or the ior-dump reading it" {
	require_bpf
	local dump_pid capture_pid

	bg_loop "cat /etc/hostname > /dev/null"
	# sh writes its pid, then becomes ior-dump (exec keeps the pid).
	run --separate-stderr bash -c '"$IOR_BIN/ior-capture" -q -d 1 |
		sh -c "echo \$\$ > \"$T/dump.pid\"; exec \"$IOR_BIN/ior-dump\" --json" \
		> "$T/system.json"; echo "${PIPESTATUS[*]}"'
	assert_output "0 0"
	assert_equal "$stderr" ""
	JSON=$T/system.json
	dump_pid=$(cat "$T/dump.pid")
	capture_pid=$(jqs 'first.producer_pid')
	[ "$capture_pid" -gt 0 ] || fail "no producer pid in the section"
	run jqs -c --argjson d "$dump_pid" --argjson c "$capture_pid" \
		'[events | select(.pid == $d or .pid == $c
			or .parent_pid == $d or .parent_pid == $c)
		 | {type, pid, syscall}] | unique'
	assert_output '[]'
	# Everything else is traced: the cat loop's opens are there.
	run jqs '[of("enter") | select(.path == "/etc/hostname")] | length > 0'
	assert_output true
	run jqs -c 'trailer | {reason}'
	assert_output '{"reason":"duration"}'
}

@test "a bad option exits 2 with a usage line on standard error" {
	run --separate-stderr "$IOR_BIN/ior-capture" -Z
	assert_failure 2
	assert_output ""
	[[ $stderr == *"usage: ior-capture "* ]] || fail "no usage line: $stderr"
}

@test "-h prints the usage with EXAMPLES on standard output and exits 0" {
	run --separate-stderr "$IOR_BIN/ior-capture" -h
	assert_success
	assert_line --index 0 --regexp '^usage: ior-capture '
	assert_line EXAMPLES
	assert_equal "$stderr" ""
}
