#!/usr/bin/env bats
# ior-capture's filters (-p, -f, -n, -t): each one lets its target through
# and keeps out a process doing the same thing next to it.  The processes
# run in background loops; every capture is bounded by -d 1.

load helpers

# loop_reading FILE [PROGRAM]: a background shell that, every 50 ms, opens
# FILE itself (read's redirection is done by the shell) and runs PROGRAM
# (default cat) on it in a child.  Its pid is $BG_PID.
loop_reading() {
	local file=$1 program=${2:-cat}

	printf 'x\n' > "$file"
	bg_loop "read x < '$file'; '$program' '$file' > /dev/null"
}

@test "-p PID traces that process and not its children or other processes" {
	require_bpf
	local a b

	loop_reading "$T/a.txt"
	a=$BG_PID
	loop_reading "$T/b.txt"
	b=$BG_PID
	run capture -p "$a" -d 1
	assert_success
	dump_json "$STREAM"
	# The loop's own opens of a.txt are there...
	run jqs --arg f "$T/a.txt" -c '[calls | select(.path == $f)
		| .pid] | unique'
	assert_output "[$a]"
	# ...and nothing else: not the cat it forks, not the other loop.
	run jqs -c '[.[] | select(.type == "enter" or .type == "exit")
		| .pid] | unique'
	assert_output "[$a]"
	run jqs --arg f "$T/b.txt" --argjson b "$b" '[events
		| select(.pid == $b or .path == $f)] | length'
	assert_output 0
}

@test "-p PID -f also traces the processes it forks, and still no other" {
	require_bpf
	local a b

	loop_reading "$T/a.txt"
	a=$BG_PID
	loop_reading "$T/b.txt"
	b=$BG_PID
	run capture -p "$a" -f -d 1
	assert_success
	dump_json "$STREAM"
	# cat, a child of the loop, opened a.txt too.
	run jqs --arg f "$T/a.txt" --argjson a "$a" '[calls
		| select(.path == $f and .pid != $a)] | length > 0'
	assert_output true
	# Every pid is the loop or one of its descendants; one that exited
	# before the snapshot read /proc is not known to be, nor to be not.
	run jqs -c --argjson a "$a" 'tree($a) as $tree | early as $early
		| [events | .pid // .parent_pid] | unique | . - $tree - $early'
	assert_output '[]'
	# The other loop is not: neither its shell nor its cats.
	run jqs -c --arg f "$T/b.txt" --argjson b "$b" '[events
		| select(.pid == $b or .parent_pid == $b or .path == $f)]'
	assert_output '[]'
}

@test "-n COMM traces the processes of that comm and not others" {
	require_bpf
	local loop
	# Two copies of cat whose comm no other process has.
	cp /bin/cat "$T/iorcomm1"
	cp /bin/cat "$T/iorcomm2"
	loop_reading "$T/one.txt" "$T/iorcomm1"
	loop=$BG_PID
	loop_reading "$T/two.txt" "$T/iorcomm2"
	run capture -n iorcomm1 -d 1
	assert_success
	dump_json "$STREAM"
	# iorcomm1 opened one.txt, and only iorcomm1 processes were traced:
	# each pid is one that was exec'd as iorcomm1 during the capture or
	# was running as iorcomm1 at its start (or exited before the snapshot
	# could say so).
	run jqs --arg f "$T/one.txt" '[calls | select(.path == $f)
		| .ret >= 0] | length > 0 and all'
	assert_output true
	run jqs -c '([.[] | select((.type == "exec" or .type == "process")
			and .comm == "iorcomm1") | .pid]) as $mine
		| early as $early
		| [.[] | select(.type == "enter" or .type == "exit") | .pid]
		| unique | . - $mine - $early'
	assert_output '[]'
	# The shell running the loop opens one.txt too, but is not iorcomm1.
	run jqs --argjson l "$loop" '[.[] | select(.type == "enter"
		and .pid == $l)] | length'
	assert_output 0
	run jqs --arg f "$T/two.txt" '[of("enter") | select(.path == $f)] | length'
	assert_output 0
	run jqs '[.[] | select(.comm == "iorcomm2" and .type != "comm")] | length'
	assert_output 0
}

@test "-t TID traces that thread and not the other threads of its process" {
	require_bpf
	local i tid1 tid2 pid

	loop_reading "$T/other.txt"
	bg "$IOR_BIN/workload" threads "$T" 10
	pid=$BG_PID
	for ((i = 0; i < 50; i++)); do
		grep -q '^thread 2 tid ' "$T/bg.1.out" && break
		sleep 0.1
	done
	tid1=$(awk '$1 == "thread" && $2 == 1 { print $4 }' "$T/bg.1.out")
	tid2=$(awk '$1 == "thread" && $2 == 2 { print $4 }' "$T/bg.1.out")
	[ -n "$tid1" ] && [ -n "$tid2" ] ||
		fail "the threads did not start: $(cat "$T/bg.1.out")"
	run capture -t "$tid1" -d 1
	assert_success
	dump_json "$STREAM"
	# Thread 1 reads 10 bytes at a time, thread 2 20: only 10s here.
	run jqs -c '[calls | select(.syscall == "pread64") | .ret] | unique'
	assert_output '[10]'
	run jqs -c '[.[] | select(.type == "enter" or .type == "exit")
		| [.pid, .tid]] | unique'
	assert_output "[[$pid,$tid1]]"
	run jqs --arg f "$T/other.txt" '[of("enter") | select(.path == $f)]
		| length'
	assert_output 0
}

@test "-n COMM records no comm changes of processes that never had that comm" {
	require_bpf
	cp /bin/cat "$T/iorcomm1"
	loop_reading "$T/one.txt" "$T/iorcomm1"
	run capture -n iorcomm1 -d 1
	assert_success
	dump_json "$STREAM"
	# The loop's sleep and its forked shells are not iorcomm1: a comm
	# record of one of them ("sleep" after its exec) is out of scope.  A
	# rename to iorcomm1 is in scope by itself: an exec renames before
	# its exec record, and a capture that ends between the two has the
	# rename alone.
	run jqs -c '([.[] | select((.type == "exec" or .type == "process")
			and .comm == "iorcomm1") | .pid] + early) as $mine
		| [of("comm") | select(.comm != "iorcomm1")
		   | select(.pid as $p | any($mine[]; . == $p) | not)
		   | .comm] | unique'
	assert_output '[]'
}
