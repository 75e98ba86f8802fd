#!/usr/bin/env bats
# io_uring operations never pass through a syscall: the capture takes them
# from the kernel's io_uring tracepoints, and ior-pair makes each one a
# call named io_uring:OP with its fd, path, bytes, errno and latency from
# submission to completion, belonging to the process that submitted it
# (not the io-wq worker or the SQPOLL thread that ran it).  Real programs:
# tests/uring.c (liburing) and fio.  Needs root and BTF (require_bpf).

load helpers

setup() {
	ior_setup
	require_bpf
	[ -d /sys/kernel/tracing/events/io_uring ] ||
		[ -d /sys/kernel/debug/tracing/events/io_uring ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	[ -d /sys/kernel/tracing/events/io_uring ] ||
		skip "this kernel has no io_uring tracepoints"
	mkdir -p "$T/w"
}

teardown() {
	ior_teardown
}

# uring_pairs: tests/uring.c under ior-capture, paired; $JSON holds the
# pairs, P the program's pid, $T/raw.json the raw records.
uring_pairs() {
	"$IOR_BIN/ior-capture" -q -- "$IOR_BIN/uring" "$T/w" \
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

@test "an SQPOLL ring's reads belong to the process's thread that made the ring, not the kernel's iou-sqp thread" {
	uring_pairs
	grep -q "sqpoll read 1000" "$T/capture.err" ||
		skip "this kernel refused an SQPOLL ring: $(cat "$T/capture.err")"
	JSON=$T/raw.json
	run jqs --argjson p "$P" -c '[of("uring_submit")
		| select(.pid == $p and .flags == 2) | .tid == $p]'
	assert_output '[true]'
	dump_json "$T/paired.ior"
	run jqu -c '[u | select(.bytes == 1000) | [.tid == $p, .comm, .path == $d]]'
	assert_output '[[true,"uring",true]]'
}

@test "io_uring operations of processes out of scope are not captured" {
	sleep 5 &
	BG_PIDS+=($!)
	"$IOR_BIN/ior-capture" -q -p $! -d 1.5 > "$STREAM" 2> "$T/capture.err" &
	BG_PIDS+=($!)
	sleep 0.5
	"$IOR_BIN/uring" "$T/w" 2> /dev/null
	wait "${BG_PIDS[1]}"
	dump_json "$STREAM"
	run jqs -c '[of("uring_submit"), of("uring_complete")] | length'
	assert_output 0
	# and the same program in scope is (the test can fail)
	uring_pairs
	run jqu '[u] | length > 5'
	assert_output true
}

@test "fio --ioengine=io_uring with registered files and an SQPOLL thread: its reads are io_uring:read calls of its file, adding up to its size" {
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
