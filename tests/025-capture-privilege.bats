#!/usr/bin/env bats
# ior-capture runs as root; what the README's "Privileges and files" section
# promises: once the capture runs it holds no capability (and, without a
# command, is no longer root) and still captures; -o never writes through a
# symbolic link, into a device or into another user's file, and makes the
# stream 0600; a launched command gets only the fds it was given and does
# not outlive ior-capture.

load helpers

# status_of PID FIELD...: those lines of /proc/PID/status, "Field: value"
# with each run of blanks made one space, one a line.
status_of() {
	local pid=$1 f

	shift
	for f in "$@"; do
		sed -n "s/^$f:[[:space:]]*/$f: /p" "/proc/$pid/status" |
			tr -s '\t ' '  '
	done
}

# wait_dropped PID: wait up to 10 s for the capture PID to run as nobody.
wait_dropped() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ "$(status_of "$1" Uid)" = "Uid: 65534 65534 65534 65534" ] &&
			return 0
		sleep 0.1
	done
	fail "ior-capture $1 still runs as $(status_of "$1" Uid) after 10 s"
}

# gone_within PID TENTHS: whether PID has ended (gone, or a zombie waiting
# to be reaped) within TENTHS tenths of a second.
gone_within() {
	local i state

	for ((i = 0; i <= $2; i++)); do
		state=$(ps -o stat= -p "$1") || return 0
		[[ $state == Z* ]] && return 0
		sleep 0.1
	done
	return 1
}

@test "a capture with -p drops every capability and root, sets no_new_privs, and still captures" {
	require_bpf
	local pid target status=0

	bg_loop "cat /etc/hostname > /dev/null"
	target=$BG_PID
	bg "$IOR_BIN/ior-capture" -q -d 20 -o "$STREAM" -p "$target" -f
	pid=$BG_PID
	wait_dropped "$pid"
	run status_of "$pid" Gid CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs
	assert_output "Gid: 65534 65534 65534 65534
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 1"
	# Its fds are out of reach of other processes of uid nobody.
	run stat -c %U "/proc/$pid/fd"
	assert_output root
	sleep 0.5
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 0
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"signal","status":0}'
	# -f still follows: the cats the loop forks after the drop are traced.
	run jqs --argjson a "$target" '([of("snapshot_end")] | first.time_ns)
		as $snap | [calls | select(.path == "/etc/hostname"
			and .pid != $a and .time_ns > $snap)] | length > 0'
	assert_output true
}

@test "a capture with a command drops every capability but stays uid 0, and the command keeps its own" {
	require_bpf
	local mine

	mine=$(status_of $$ CapEff)
	# The command reads its parent's status once it runs, which is after
	# ior-capture has dropped what it drops.
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$STREAM" -- sh -c \
		'grep -E "^(Uid|CapPrm|CapEff|CapBnd|NoNewPrivs):" /proc/$PPID/status
		 grep -E "^(CapEff|NoNewPrivs):" /proc/self/status' 3>&-
	assert_success
	assert_output "$(printf 'Uid:\t0\t0\t0\t0
CapPrm:\t0000000000000000
CapEff:\t0000000000000000
CapBnd:\t0000000000000000
NoNewPrivs:\t1
%s
NoNewPrivs:\t0' "$(sed 's/ /\t/' <<< "$mine")")"
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason, status}'
	assert_output '{"reason":"command","status":0}'
	# Its children are traced: grep is one.
	run jqs '[of("exec") | select(.filename | endswith("/grep"))] | length'
	assert_output 2
}

@test "without root, CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE capture, then go too" {
	require_bpf
	command -v setpriv > /dev/null || skip "no setpriv(1)"
	local caps=+bpf,+perfmon,+dac_read_search,+sys_ptrace n

	n=$(id -u nobody)

	# As nobody with those capabilities alone (ambient, so they survive
	# the execve); the root shell opens the stream for it.
	run --separate-stderr bash -c 'setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps='$caps' --ambient-caps='$caps' \
		"$IOR_BIN/ior-capture" -q -- sh -c \
		"grep -E \"^(Uid|CapEff|NoNewPrivs):\" /proc/\$PPID/status
		 cat /etc/hostname > /dev/null" > "$STREAM"'
	assert_success
	assert_equal "$stderr" "$(printf 'Uid:\t%s\t%s\t%s\t%s
CapEff:\t0000000000000000
NoNewPrivs:\t1' $n $n $n $n)"
	dump_json "$STREAM"
	run jqs '[calls | select(.path == "/etc/hostname")] | length'
	assert_output 1
}

@test "loss is still counted and written once the capture has no privilege" {
	require_bpf
	local pid status=0

	bg dd if=/dev/zero of=/dev/null bs=1 count=100000000
	bg "$IOR_BIN/ior-capture" -q -b 1 -d 20 -o "$STREAM" -p "$BG_PID"
	pid=$BG_PID
	wait_dropped "$pid"
	# A stopped reader lets dd's ~200,000 syscalls a second fill 1 MiB.
	kill -STOP "$pid"
	sleep 1
	kill -CONT "$pid"
	sleep 0.3
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 0
	dump_json "$STREAM"
	# The stream holds dd's calls by the hundred thousand: only the loss
	# records and the trailer go on to jq, which slurps what it reads.
	grep -E '^\{"type":"(loss|trailer)"' "$JSON" > "$T/loss.json" ||
		fail "no loss record and no trailer"
	JSON=$T/loss.json
	run jqs 'trailer.lost as $total | [of("loss") | .lost] | add
		| . > 0 and . == $total'
	assert_output true
}

@test "a -p capture run as nobody still ends when its root target exits" {
	require_bpf
	local start=$SECONDS

	bg sleep 1
	run capture -d 20 -p "$BG_PID"
	assert_success
	[ $((SECONDS - start)) -le 10 ] || fail "took $((SECONDS - start)) s"
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason}'
	assert_output '{"reason":"target"}'
}

@test "-o creates the stream 0600 whatever the umask" {
	require_bpf
	run bash -c 'umask 0; "$IOR_BIN/ior-capture" -q -o "$STREAM" -- true'
	assert_success
	run stat -c %a "$STREAM"
	assert_output 600
}

@test "-o refuses a symbolic link and leaves its target alone" {
	require_bpf
	echo precious > "$T/target"
	ln -s target "$T/link"
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$T/link" -- true
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" \
		"ior-capture: $T/link: is a symbolic link, not following it"
	run cat "$T/target"
	assert_output precious
	run stat -c %a "$T/target"
	assert_output 644
}

@test "-o refuses a dangling symbolic link and creates nothing where it points" {
	require_bpf
	ln -s made-by-root "$T/link"
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$T/link" -- true
	assert_failure 1
	assert_equal "$stderr" \
		"ior-capture: $T/link: is a symbolic link, not following it"
	[ ! -e "$T/made-by-root" ] || fail "it wrote through the link"
}

@test "-o refuses to replace a file another user owns, and leaves it as it was" {
	require_bpf
	echo theirs > "$T/f"
	chown nobody "$T/f"
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$T/f" -- true
	assert_failure 1
	assert_equal "$stderr" "ior-capture: $T/f: owned by uid $(id -u nobody), not replacing another user's file"
	run cat "$T/f"
	assert_output theirs
}

@test "-o replaces a file of the user sudo ran it for" {
	require_bpf
	echo old > "$T/f"
	chown nobody "$T/f"
	SUDO_UID=$(id -u nobody) run capture -o "$T/f" -- true
	assert_success
	dump_json "$T/f"
	run jqs -c 'trailer | {reason}'
	assert_output '{"reason":"command"}'
}

@test "-o replaces an existing file of the caller's and leaves it 0600" {
	require_bpf
	printf 'an old run, longer than a whole stream would be %0100000d' 0 \
		> "$T/f"
	chmod 644 "$T/f"
	run capture -o "$T/f" -- true
	assert_success
	run stat -c %a "$T/f"
	assert_output 600
	# What was there is gone: the file is one stream, from its first byte.
	dump_json "$T/f"
	run jqs -r '[first.type, last.type] | join(" ")'
	assert_output "section trailer"
}

@test "-o refuses a FIFO at once, without opening it, and a directory" {
	require_bpf
	mkfifo "$T/fifo"
	run --separate-stderr timeout 20 "$IOR_BIN/ior-capture" -q \
		-o "$T/fifo" -- true
	assert_failure 1
	assert_equal "$stderr" "ior-capture: $T/fifo: not a regular file, not replacing it (write to standard output for a pipe or a device)"
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$T" -- true
	assert_failure 1
	assert_equal "$stderr" "ior-capture: $T: not a regular file, not replacing it (write to standard output for a pipe or a device)"
}

@test "a launched command has exactly the fds its caller gave ior-capture" {
	require_bpf
	# Close every fd above 2 (bats holds some), pass 7, and have ls list
	# its own: 3 is the directory ls reads /proc/self/fd through.
	run --separate-stderr bash -c '
		for f in /proc/$$/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] && eval "exec $n>&-"
		done
		exec 7< /dev/null
		exec "$IOR_BIN/ior-capture" -q -o "$STREAM" -- ls /proc/self/fd'
	assert_success
	assert_equal "$(echo $output)" "0 1 2 3 7"
}

@test "SIGKILL of ior-capture kills the command it launched within a second" {
	require_bpf
	local pid child i

	bg "$IOR_BIN/ior-capture" -q -o "$STREAM" -- sleep 100
	pid=$BG_PID
	for ((i = 0; i < 100; i++)); do
		child=$(pgrep -P "$pid" -x sleep) && break
		sleep 0.1
	done
	[ -n "$child" ] || fail "no sleep started by ior-capture $pid"
	BG_PIDS+=("$child")
	kill -KILL "$pid"
	gone_within "$child" 10 || fail "sleep $child still runs: $(
		ps -o pid,ppid,stat,comm -p "$child")"
}

@test "a command still running when -d ends the capture does not run on untraced" {
	require_bpf
	local child

	run capture -d 1 -- sh -c 'echo $$ >&2; exec sleep 100'
	assert_success
	child=$(head -n 1 "$T/capture.err")
	BG_PIDS+=("$child")
	gone_within "$child" 10 || fail "sleep $child still runs"
	dump_json "$STREAM"
	run jqs -c 'trailer | {reason}'
	assert_output '{"reason":"duration"}'
}
