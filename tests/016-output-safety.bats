#!/usr/bin/env bats
# 016-output-safety: what the tools write is safe to read and never lost.
#
# A traced program chooses bytes that end up in a stream (its comm, its
# paths, its argv), and a stream may come from anywhere (its host name,
# kernel strings, syscall names): none of them may reach a reader's terminal
# as a control sequence, a forged line or invalid UTF-8.  A write error on
# the output is reported and fails the tool; a reader that goes away ends it
# quietly with status 0.  Input that is not what a tool reads is an error,
# not an empty result.

load helpers

# The hostile string: an escape sequence, a bell, a newline starting a
# forged line, a carriage return, a C1 CSI (valid UTF-8), a right-to-left
# override, a byte that is not UTF-8.  HC is the same in the 15 bytes of a
# comm.
H='"\x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff"'
HC='"\x1b]0;\x07\nFORGED\xc2\x9b"'
# How text output spells them.
H_TEXT='\x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff'
HC_TEXT='\x1b]0;\x07\nFORGED\xc2\x9b'

# re TEXT: TEXT as an extended regular expression matching itself.
re() {
	sed 's/[][\\.*^$()+?{}|]/\\&/g' <<< "$1"
}

# mk NAME: the iorgen text on stdin as $T/NAME.ior.
mk() {
	"$IOR_BIN/iorgen" > "$T/$1.ior" || fail "iorgen $1 failed"
}

# A raw stream with H in every string a stream carries: the section's
# tool, command line, host and kernel strings, a syscall's name, a
# process's comm, exe, cwd and command line, an fd's path, an enter's
# string argument, comm, fork and exec records.
hostile_raw() {
	mk raw <<TXT
section anchor=1000000000,1700000000000000000 tool=$H host=$H release=$H kversion=$H machine=$H cmdline="ior-x\0\x1b[31m\x07\nFORGED\r\xc2\x9b\xe2\x80\xae\xff\0a b"
syscall name=openat nargs=4 paths=1
syscall name=read nargs=3
syscall name=close nargs=1
syscall name=chdir nargs=1 paths=0
syscall name=fchdir nargs=1
syscall nr=400 name=$H nargs=1
process pid=10 ppid=1 comm=$HC exe=$H cwd=$H cmdline=$H
fd pid=10 fd=3 path=$H
snapshot_end
comm pid=10 comm=$HC
enter pid=10 nr=openat args=-100,0x1000,0,0 str1=$H
exit pid=10 nr=openat ret=4
enter pid=10 nr=read args=4,0x1000,10
exit pid=10 nr=read ret=10
enter pid=10 nr=400 args=1
exit pid=10 nr=400 ret=0
task_new parent=10 child=11 comm=$HC
exec pid=11 file=$H comm=$HC
enter pid=11 nr=close args=3
exit pid=11 nr=close ret=0
trailer
TXT
}

# assert_safe_text FILE: every line of FILE is valid UTF-8 without a control
# character (tabs aside), a C1 control, an invisible or bidirectional
# formatting character, and no line was forged by a newline in a string.
assert_safe_text() {
	run perl -MEncode -ne '
		my $l = $_; chomp $l;
		my $u = eval { Encode::decode("UTF-8", "$l", Encode::FB_CROAK) };
		if (!defined $u) { print "line $.: invalid UTF-8\n"; next }
		print "line $.: control character\n"
			if $u =~ /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
		print "line $.: invisible or bidi character\n"
			if $u =~ /[\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2066}-\x{2069}\x{feff}]/;
		print "line $.: forged line\n" if $u =~ /^FORGED/;
	' "$1"
	[ -z "$output" ] || fail "$1: $output"
}

# tool_safe OUT ERR TOOL [ARG...]: run TOOL, output in OUT, stderr in ERR;
# both must be safe text and TOOL must succeed.
tool_safe() {
	local out=$1 err=$2
	shift 2
	"$@" > "$out" 2> "$err" || fail "$* exited $?: $(cat "$err")"
	assert_safe_text "$out"
	assert_safe_text "$err"
}

@test "hostile strings of a raw stream reach ior-dump's text only escaped: comm, exe, cwd, cmdline, host, tool, kernel, syscall names, paths" {
	hostile_raw
	tool_safe "$T/raw.txt" "$T/raw.err" "$IOR_BIN/ior-dump" "$T/raw.ior"
	run cat "$T/raw.txt"
	# Each string is there, escaped, in its place.
	assert_line --partial "# section 1: \"$H_TEXT\" 1.2 on \"$H_TEXT\", Linux \"$H_TEXT\" \"$H_TEXT\","
	assert_line "# cmdline: ior-x \"$H_TEXT\" \"a b\""
	assert_line "# syscall 400 \"$H_TEXT\": 1 args, family other"
	assert_line "# process 10 (\"$HC_TEXT\") ppid 1 uid 0 exe \"$H_TEXT\" cwd \"$H_TEXT\""
	assert_line "# fd 10 3 \"$H_TEXT\" flags 00 pos 0"
	assert_line --partial "comm \"$HC_TEXT\""
	assert_line --partial "> openat(-100, \"$H_TEXT\", 0, 0)"
	assert_line --partial "> \"$H_TEXT\"(1)"
	assert_line --partial "< \"$H_TEXT\" = 0"
	assert_line --partial "exec \"$H_TEXT\" (\"$HC_TEXT\")"
	# Ordinary names stay bare and readable.
	assert_line --partial "> read(4, 4096, 10)"
	# JSON keeps every byte, and is safe to print too.
	tool_safe "$T/raw.json" "$T/raw.jerr" "$IOR_BIN/ior-dump" --json "$T/raw.ior"
	run jq -r 'select(.type == "process") | .comm' "$T/raw.json"
	assert_output "$(printf '\033]0;\a\nFORGED\302\233')"
}

@test "hostile strings of paired streams and snapshots are escaped by ior-dump, ior-agg (text, folded) and ior-top -b" {
	hostile_raw
	"$IOR_BIN/ior-pair" "$T/raw.ior" > "$T/p.ior"
	tool_safe "$T/p.txt" "$T/p.err" "$IOR_BIN/ior-dump" "$T/p.ior"
	run cat "$T/p.txt"
	# The comm column, the syscall and the path (cwd joined with H).
	assert_line --partial "\"$HC_TEXT\" openat(4 \"$H_TEXT/$H_TEXT\") = 4"
	assert_line --partial "\"$HC_TEXT\" \"$H_TEXT\"() = 0"
	for mode in --text --folded --json; do
		tool_safe "$T/a.out" "$T/a.err" "$IOR_BIN/ior-agg" -n 0 $mode "$T/p.ior"
	done
	tool_safe "$T/a.txt" "$T/a.err" "$IOR_BIN/ior-agg" -n 0 --text "$T/p.ior"
	run cat "$T/a.txt"
	assert_line --regexp "^\"$(re "$H_TEXT")\" +1 "
	assert_line --regexp "^10 \"$(re "$HC_TEXT")\" +3 "
	for view in syscalls files processes dirs; do
		tool_safe "$T/top.$view" "$T/top.err" "$IOR_BIN/ior-top" -b -v "$view" "$T/p.ior"
	done
	run cat "$T/top.processes"
	assert_line --regexp " 10 \"$(re "$HC_TEXT")\"$"
	run cat "$T/top.syscalls"
	assert_line --regexp " \"$(re "$H_TEXT")\"$"
	assert_line --regexp " openat$"
	# Aggregate snapshots: their keys and labels come from a stream too.
	"$IOR_BIN/ior-agg" -o "$T/s.agg" "$T/p.ior"
	tool_safe "$T/s.txt" "$T/s.err" "$IOR_BIN/ior-dump" "$T/s.agg"
	run grep -cF "\"$HC_TEXT\"" "$T/s.txt"
	refute_output 0
	tool_safe "$T/s.top" "$T/s.err" "$IOR_BIN/ior-top" -b -v processes "$T/s.agg"
	tool_safe "$T/s.agg.txt" "$T/s.err" "$IOR_BIN/ior-agg" --text "$T/s.agg"
	# An SVG holds no control character either.
	"$IOR_BIN/ior-flame" "$T/p.ior" > "$T/p.svg"
	assert_safe_text "$T/p.svg"
}

@test "ior-top's screen shows hostile names escaped, not as the bytes a terminal would obey" {
	mk h <<'TXT'
section anchor=1000000000,1700000000000000000
syscall name=openat nargs=4 paths=1
name kind=comm id=1 value="\x1b]0;\x07\nFORGED\xc2\x9b"
name kind=path id=1 value="/a\xe2\x80\xae\xff\x1b[2J"
pair pid=5 nr=openat path=1 comm=1 latency=100 ret=3
trailer
TXT
	# A terminal of its own (script(1)): the files view, then processes, q.
	{ sleep 1; printf p; sleep 0.5; printf q; } |
		TERM=xterm LANG=C.UTF-8 timeout 20 script -qfec \
		"stty cols 200 rows 30; '$IOR_BIN/ior-top' -d 0.2 -v files '$T/h.ior'" \
		/dev/null > "$T/screen"
	grep -qaF '/a\xe2\x80\xae\xff\x1b[2J' "$T/screen" || fail "no escaped path on the screen"
	grep -qaF '\x1b]0;\x07\nFORGED\xc2\x9b' "$T/screen" || fail "no escaped comm on the screen"
	# The right-to-left override and the byte that is not UTF-8 never.
	run env LC_ALL=C grep -ca $'\xe2\x80\xae\|\xff' "$T/screen"
	assert_output 0
}

@test "live: a program that names itself with escapes and a newline (prctl PR_SET_NAME) shows up escaped in every tool" {
	require_bpf
	local name=$'\e[31m\a\nFORGED\xc2\x9b' shown='\x1b[31m\x07\nFORGED\xc2\x9b'
	mkdir "$T/d"
	capture -- "$IOR_BIN/workload" comm "$T/d" "$name" ||
		fail "capture: $(cat "$T/capture.err")"
	[ -e "$T/d/$name" ] || fail "the workload did not run"
	tool_safe "$T/raw.txt" "$T/raw.err" "$IOR_BIN/ior-dump" "$STREAM"
	run cat "$T/raw.txt"
	assert_line --partial "comm \"$shown\""
	assert_line --partial "\"$T/d/$shown\""
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior"
	tool_safe "$T/p.txt" "$T/p.err" "$IOR_BIN/ior-dump" "$T/p.ior"
	run cat "$T/p.txt"
	assert_line --regexp "^ .* \"$(re "$shown")\" write\([0-9]+ \"$(re "$T/d/$shown")\"\) = 15 \[15 B written\]"
	tool_safe "$T/a.txt" "$T/a.err" "$IOR_BIN/ior-agg" --text -n 0 "$T/p.ior"
	run grep -cF "\"$shown\"" "$T/a.txt"
	refute_output 0
	tool_safe "$T/top.txt" "$T/top.err" "$IOR_BIN/ior-top" -b -v processes "$T/p.ior"
	run grep -cF "\"$shown\"" "$T/top.txt"
	refute_output 0
}

# --- write errors ----------------------------------------------------------

# A paired stream of N distinct files, one pair each: enough output from
# every tool (with -n 0) to fill a pipe.
many_pairs() {
	local n=$1
	{
		echo "section anchor=1000000000,1700000000000000000"
		echo "syscall name=openat nargs=4 paths=1"
		for ((i = 1; i <= n; i++)); do
			echo "name kind=path id=$i value=/data/dir$((i % 50))/file-$i.bin"
		done
		echo "name kind=comm id=1 value=worker"
		for ((i = 1; i <= n; i++)); do
			echo "pair pid=$((100 + i % 20)) nr=openat path=$i comm=1 latency=$((1000 + i)) ret=3"
		done
		echo "trailer"
	} | mk many
}

@test "a full disk is an error for every tool and mode: one line naming <stdout>, status 1" {
	many_pairs 200
	local enospc='No space left on device'
	for cmd in "ior-dump" "ior-dump --json" "ior-dump --stats" \
		   "ior-agg --text" "ior-agg --json" "ior-agg --folded" \
		   "ior-agg -o -" "ior-flame" "ior-top -b" "ior-top -b -n 1" \
		   "ior-pair"; do
		set -- $cmd
		local tool=$1
		shift
		run --separate-stderr sh -c '"$@" > /dev/full' _ \
			"$IOR_BIN/$tool" "$@" "$T/many.ior"
		[ "$status" = 1 ] || fail "$cmd > /dev/full: status $status"
		[ "${#stderr_lines[@]}" = 1 ] ||
			fail "$cmd > /dev/full: ${#stderr_lines[@]} lines: $stderr"
		[[ $stderr == "$tool: <stdout>: write error"*": $enospc" ]] ||
			fail "$cmd > /dev/full said: $stderr"
	done
	# -o FILE: the file's name.
	run --separate-stderr "$IOR_BIN/ior-agg" -o /dev/full "$T/many.ior"
	assert_failure 1
	[[ $stderr == "ior-agg: /dev/full: write error"*": $enospc" ]] ||
		fail "ior-agg -o /dev/full said: $stderr"
}

@test "live: ior-capture on a full disk says so and fails, on stdout and with -o" {
	require_bpf
	run --separate-stderr sh -c '"$@" > /dev/full' _ \
		"$IOR_BIN/ior-capture" -q -- true
	assert_failure 1
	[[ $stderr == "ior-capture: <stdout>: "*"No space left on device" ]] ||
		fail "ior-capture > /dev/full said: $stderr"
	# -o refuses a device (025), so a real full disk: a one-page tmpfs.
	mkdir "$T/full"
	mount -t tmpfs -o size=4k none "$T/full" || skip "cannot mount a tmpfs"
	run --separate-stderr "$IOR_BIN/ior-capture" -q -o "$T/full/run.ior" -- true
	umount "$T/full"
	assert_failure 1
	[[ $stderr == "ior-capture: $T/full/run.ior"*"No space left on device" ]] ||
		fail "ior-capture -o FILE on a full disk said: $stderr"
}

# closed_reader CMD...: CMD | head -c1, its own status (not head's) in
# $status and its stderr in $T/closed.err.
closed_reader() {
	run bash -c '"$@" 2> "$T/closed.err" | head -c1 > /dev/null
		echo "${PIPESTATUS[0]}"' _ "$@"
}

@test "a reader that goes away (| head -c1) ends every tool quietly with status 0" {
	many_pairs 3000
	local size
	for cmd in "ior-dump" "ior-dump --json" "ior-dump --stats" \
		   "ior-agg -n 0 --text" "ior-agg --json" "ior-agg --folded" \
		   "ior-agg -o -" "ior-flame -M 0" "ior-top -b -v files" \
		   "ior-pair"; do
		set -- $cmd
		local tool=$1
		shift
		# Enough output to fill the pipe: the reader goes first.
		size=$("$IOR_BIN/$tool" "$@" "$T/many.ior" | wc -c)
		[ "$tool $*" = "ior-dump --stats" ] || [ "$size" -gt 100000 ] ||
			fail "$cmd writes only $size bytes"
		closed_reader "$IOR_BIN/$tool" "$@" "$T/many.ior"
		[ "$output" = 0 ] || fail "$cmd | head -c1: status $output"
		[ ! -s "$T/closed.err" ] || fail "$cmd | head -c1 said: $(cat "$T/closed.err")"
	done
}

@test "live: ior-capture whose reader goes away ends quietly with status 0" {
	require_bpf
	closed_reader "$IOR_BIN/ior-capture" -q -- sh -c 'ls -lR /usr/include > /dev/null'
	assert_output 0
	[ ! -s "$T/closed.err" ] || fail "ior-capture | head -c1 said: $(cat "$T/closed.err")"
}

# --- input that is not what a tool reads -------------------------------------

@test "ior-flame: a file that is not folded stacks is an error at line 1, not an empty SVG" {
	run --separate-stderr "$IOR_BIN/ior-flame" /etc/passwd
	assert_failure 1
	assert_equal "$stderr" 'ior-flame: /etc/passwd: not a folded stack ("frame;frame COUNT") at line 1'
}

@test "ior-flame: a folded line without its count is an error with its line number; the lines before it are drawn" {
	printf '%s\n' 'a;b 5' '# comment' 'a;c 7' 'a;d' 'a;e 9' > "$T/in.folded"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/in.folded"
	assert_failure 1
	assert_equal "$stderr" "ior-flame: $T/in.folded: not a folded stack (\"frame;frame COUNT\") at line 4"
	for frame in b c; do
		grep -q "<title>$frame$" <<< "$output" || fail "frame $frame not drawn"
	done
	! grep -q "<title>e$" <<< "$output" || fail "a frame after the error was drawn"
	for bad in 'a;b x' 'a;b -1' 'a;b 5 junk' ' 5' $'a\001;b 5'; do
		printf '%s\n' 'a;b 5' "$bad" > "$T/bad.folded"
		run --separate-stderr "$IOR_BIN/ior-flame" "$T/bad.folded"
		assert_failure 1
		assert_equal "$stderr" "ior-flame: $T/bad.folded: not a folded stack (\"frame;frame COUNT\") at line 2"
	done
}

@test "ior-flame: an ior stream with a damaged magic is an error at offset 0, not folded stacks" {
	mk s < "$BATS_TEST_DIRNAME/fixtures/tiny.txt"
	printf '\x88' | dd of="$T/s.ior" bs=1 seek=0 conv=notrunc status=none
	run --separate-stderr "$IOR_BIN/ior-flame" "$T/s.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-flame: $T/s.ior: neither an ior stream (bad magic) nor folded stacks at offset 0"
}

@test "ior-top -b -n 1 on a raw stream fails with one line naming the offset" {
	mk raw < "$BATS_TEST_DIRNAME/fixtures/tiny.txt"
	for n in "-n 1" ""; do
		run --separate-stderr "$IOR_BIN/ior-top" -b $n "$T/raw.ior"
		assert_failure 1
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == "ior-top: $T/raw.ior: raw syscall events (pipe them through ior-pair first) at offset "[0-9]* ]] ||
			fail "ior-top -b $n said: $stderr"
	done
}

@test "ior-capture -p or -t of no such process fails with one line and writes nothing" {
	local pid=999999
	while kill -0 "$pid" 2> /dev/null; do pid=$((pid + 1)); done
	run --separate-stderr sh -c '"$@" > "$0"' "$T/out" "$IOR_BIN/ior-capture" -p "$pid"
	assert_failure 1
	assert_equal "$stderr" "ior-capture: -p $pid: no such process"
	[ ! -s "$T/out" ] || fail "ior-capture wrote a stream"
	run --separate-stderr sh -c '"$@" > "$0"' "$T/out" "$IOR_BIN/ior-capture" -p "$$,$pid"
	assert_failure 1
	assert_equal "$stderr" "ior-capture: -p $pid: no such process"
	run --separate-stderr sh -c '"$@" > "$0"' "$T/out" "$IOR_BIN/ior-capture" -t "$pid"
	assert_failure 1
	assert_equal "$stderr" "ior-capture: -t $pid: no such thread"
}
