#!/usr/bin/env bats
# ior-dump on streams written by iorgen (no root needed): what it prints for
# good streams, and for damaged ones the message, the exit status and the
# records before the damage.  docs/ior-dump.md is the contract; the reader's
# messages come from lib/stream.c.

load helpers

setup() {
	ior_setup
	DUMP=$IOR_BIN/ior-dump
	GEN=$IOR_BIN/iorgen
}

# mk NAME: the stream described on stdin, into $T/NAME.ior.  Read from
# stdin, every section header iorgen writes has the same size.
mk() {
	"$GEN" > "$T/$1.ior"
}

size_of() {
	stat -c %s "$1"
}

# patch FILE OFFSET OCTAL-ESCAPES: overwrite bytes in place.
patch() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# A section, the snapshot and two openat calls, one failing: 10 records.
small_head() {
	cat <<'EOF'
section anchor=1000000000,1700000000000000000 pid=42
syscall name=openat nargs=4 paths=1
process t=500 pid=10 ppid=1 exe=/bin/cat cwd=/tmp cmdline="cat\0/tmp/x"
fd t=600 pid=10 fd=3 path=/tmp/x flags=0100002 pos=42
snapshot_end t=700
EOF
}
small_tail() {
	cat <<'EOF'
enter t=1001234000 pid=10 tid=11 nr=openat args=-100,0x7f0000001000,0x80000,0 str1=/tmp/x
exit t=1001240000 pid=10 tid=11 nr=openat ret=3
enter t=1001300000 pid=10 tid=11 nr=openat args=-100,0x7f0000002000,0,0 str1=/nope
exit t=1001310000 pid=10 tid=11 nr=openat ret=-ENOENT
trailer t=1002000000
EOF
}
small_stream() {
	small_head
	small_tail
}

# Every record type once (plus a thread, a missing syscall and a failure).
all_types() {
	cat <<'EOF'
section anchor=1000000000,1700000000000000000 pid=42
syscall name=openat nargs=4 paths=1
syscall nr=0 name=read nargs=3 family=read
syscall nr=999 name=frobnicate nargs=2 missing
process t=500 pid=10 ppid=1 uid=1000 threads=2 comm=cat exe=/bin/cat cwd=/tmp cmdline="cat\0/tmp/x"
fd t=600 pid=10 fd=3 path=/tmp/x flags=0100002 pos=42
snapshot_end t=700
enter t=1001234000 pid=10 tid=11 nr=openat args=-100,0x7f0000001000,0x80000,0 str1=/tmp/x
exit t=1001240000 pid=10 tid=11 nr=openat ret=3
enter t=1001300000 pid=10 tid=11 nr=openat args=-100,0x7f0000002000,0,0 str1=/nope
exit t=1001310000 pid=10 tid=11 nr=openat ret=-ENOENT
enter t=1001400000 pid=10 tid=11 nr=read args=3,0x7f0000003000,4096
exit t=1001500000 pid=10 tid=11 nr=read ret=4096
task_new t=1002000000 parent=10 parent_tid=11 child=12 flags=0x1200011 comm=cat
task_new t=1002100000 parent=10 child=10 child_tid=13 flags=0x3d0f00 comm=cat
exec t=1002200000 pid=12 file=/usr/bin/head
comm t=1002300000 pid=10 tid=13 comm=worker
task_exit t=1003000000 pid=12 code=256 last
task_exit t=1003100000 pid=10 tid=13 code=0
loss t=1003200000 cpu=1 lost=12
trailer t=1004000000 reason=command status=256
EOF
}

@test "every record type comes out of --json with its fields" {
	all_types | mk all
	run --separate-stderr "$DUMP" --json "$T/all.ior"
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$T/all.json"

	# The section: fields from the header, big numbers checked as text
	# because jq 1.6 rounds integers beyond 2^53.
	run jq -c 'select(.type == "section") | [.offset, .version, .tool,
		.cmdline[0], .hostname, .kernel_release, .machine, .clock,
		.anchor_clock_ns, .producer_pid]' "$T/all.json"
	assert_output "[0,\"1.2\",\"iorgen\",\"$GEN\",\"$(uname -n)\",\"$(uname -r)\",\"$(uname -m)\",\"monotonic\",1000000000,42]"
	run grep -c '"anchor_realtime_ns":1700000000000000000,' "$T/all.json"
	assert_output 1
	# -100 is a 64-bit register value: unsigned in JSON.
	run grep -c '"args":\[18446744073709551516,139637976731648,524288,0\]' "$T/all.json"
	assert_output 1

	run jq -S -c 'select(.type != "section") | del(.offset)' "$T/all.json"
	jq -S -c . > "$T/want.json" <<'EOF'
{"type":"syscall_name","nr":257,"name":"openat","nargs":4,"family":"open","path_args":[1],"traced":true,"missing":false}
{"type":"syscall_name","nr":0,"name":"read","nargs":3,"family":"read","path_args":[],"traced":true,"missing":false}
{"type":"syscall_name","nr":999,"name":"frobnicate","nargs":2,"family":"other","path_args":[],"traced":false,"missing":true}
{"type":"process","time_ns":500,"pid":10,"ppid":1,"uid":1000,"threads":2,"comm":"cat","exe":"/bin/cat","cwd":"/tmp","cmdline":["cat","/tmp/x"]}
{"type":"fd","time_ns":600,"pid":10,"fd":3,"flags":32770,"pos":42,"path":"/tmp/x"}
{"type":"snapshot_end","time_ns":700,"processes":1,"fds":1}
{"type":"enter","time_ns":1001234000,"pid":10,"tid":11,"nr":257,"syscall":"openat","args":[18446744073709551516,139637976731648,524288,0],"strings":[{"arg":1,"value":"/tmp/x"}],"path":"/tmp/x"}
{"type":"exit","time_ns":1001240000,"pid":10,"tid":11,"nr":257,"syscall":"openat","ret":3}
{"type":"enter","time_ns":1001300000,"pid":10,"tid":11,"nr":257,"syscall":"openat","args":[18446744073709551516,139637976735744,0,0],"strings":[{"arg":1,"value":"/nope"}],"path":"/nope"}
{"type":"exit","time_ns":1001310000,"pid":10,"tid":11,"nr":257,"syscall":"openat","ret":-2,"errno":"ENOENT"}
{"type":"enter","time_ns":1001400000,"pid":10,"tid":11,"nr":0,"syscall":"read","args":[3,139637976739840,4096],"strings":[]}
{"type":"exit","time_ns":1001500000,"pid":10,"tid":11,"nr":0,"syscall":"read","ret":4096}
{"type":"task_new","time_ns":1002000000,"parent_pid":10,"parent_tid":11,"child_pid":12,"child_tid":12,"clone_flags":18874385,"thread":false,"comm":"cat"}
{"type":"task_new","time_ns":1002100000,"parent_pid":10,"parent_tid":10,"child_pid":10,"child_tid":13,"clone_flags":4001536,"thread":true,"comm":"cat"}
{"type":"exec","time_ns":1002200000,"pid":12,"old_tid":12,"comm":"head","filename":"/usr/bin/head"}
{"type":"comm","time_ns":1002300000,"pid":10,"tid":13,"comm":"worker"}
{"type":"task_exit","time_ns":1003000000,"pid":12,"tid":12,"exit_code":256,"group_dead":true}
{"type":"task_exit","time_ns":1003100000,"pid":10,"tid":13,"exit_code":0,"group_dead":false}
{"type":"loss","time_ns":1003200000,"cpu":1,"lost":12,"lost_total":12}
{"type":"trailer","time_ns":1004000000,"records":19,"events":12,"lost":12,"missed":0,"reason":"command","status":256}
EOF
	assert_output "$(cat "$T/want.json")"
}

@test "--json offsets are the records' byte offsets, back to back" {
	small_stream | mk small
	"$DUMP" --json "$T/small.ior" > "$T/small.json"
	run jq -r '.offset' "$T/small.json"
	assert_line --index 0 0
	assert_equal "${#lines[@]}" 10
	# The trailer is the last 56 bytes.
	assert_equal "${lines[9]}" "$(( $(size_of "$T/small.ior") - 56 ))"
	# Each record starts 8-aligned, after the one before.
	for ((i = 1; i < 10; i++)); do
		(( lines[i] % 8 == 0 && lines[i] > lines[i - 1] ))
	done
}

@test "text mode prints strace-like lines" {
	all_types | mk all
	run --separate-stderr "$DUMP" "$T/all.ior"
	assert_success
	assert_line --index 0 "# section 1: iorgen 1.2 on $(uname -n), Linux $(uname -r) $(uname -m), 2023-11-14 22:13:20.000000 UTC"
	assert_line --index 1 "# cmdline: $GEN"
	assert_line "# syscall 257 openat: 4 args, family open, strings in arg 1"
	assert_line '# process 10 (cat) ppid 1 uid 1000 exe "/bin/cat" cwd "/tmp"'
	assert_line '# fd 10 3 "/tmp/x" flags 0100002 pos 42'
	assert_line '# snapshot: 1 processes, 1 fds'
	# (0x80000 is the contract's; see the next test.)
	assert_line --regexp '^  0\.001234 10/11         > openat\(-100, "/tmp/x", (0x80000|524288), 0\)$'
	assert_line '  0.001240 10/11         < openat = 3'
	assert_line '  0.001310 10/11         < openat = -1 ENOENT (No such file or directory)'
	assert_line --regexp '^  0\.001500 10/11 +< read = 4096$'
	assert_line --regexp '^  0\.002000 10/11 +fork 12/12 flags 0x1200011$'
	assert_line --regexp '^  0\.002200 12/12 +exec "/usr/bin/head" \(head\)$'
	assert_line --regexp '^  0\.002300 10/13 +comm "worker"$'
	assert_line --regexp '^  0\.003100 10/13 +exit 0 \(thread\)$'
	assert_line '# loss: cpu 1 lost 12 (total 12)'
	assert_line --regexp '^# trailer: 19 records, 12 events, 12 lost, stopped: command '
}

@test "text mode shows wait statuses as exit codes" {
	all_types | mk all
	run "$DUMP" "$T/all.ior"
	assert_success
	# task_exit code=256 and trailer status=256 are wait(2) statuses of
	# exit(1): "exited 256" would name a code no process can have.
	assert_line --regexp '^  0\.003000 12/12 +exit 1 \(process\)$'
	assert_line '# trailer: 19 records, 12 events, 12 lost, stopped: command exited 1'
}

@test "text mode shows the openat arguments as the contract's example does" {
	small_stream | mk small
	run "$DUMP" "$T/small.ior"
	assert_success
	# docs/ior-dump.md: > openat(-100, "/tmp/x", 524288, 0)
	assert_line --partial '> openat(-100, "/tmp/x", 524288, 0)'
}

@test "--stats counts records by type, sections, loss and the trailer" {
	all_types | mk all
	run "$DUMP" --stats "$T/all.ior"
	assert_success
	assert_line --regexp '^section +1$'
	assert_line --regexp '^syscall_name +3$'
	assert_line --regexp '^enter +3$'
	assert_line --regexp '^exit +3$'
	assert_line --regexp '^task_new +2$'
	assert_line --regexp '^task_exit +2$'
	assert_line --regexp '^loss +1$'
	assert_line --regexp '^sections +1$'
	assert_line --regexp '^lost +12$'
	assert_line --regexp '^trailer +yes$'

	run "$DUMP" --stats --json "$T/all.ior"
	assert_success
	assert_equal "${#lines[@]}" 1
	run jq -c '[.records.enter, .records.exit, .records.process, .sections,
		.lost, .trailer, .bytes]' <<< "$output"
	assert_output "[3,3,1,1,12,true,$(size_of "$T/all.ior")]"
}

@test "--stats says when a section has no trailer" {
	small_head | mk notrailer
	run --separate-stderr "$DUMP" --stats "$T/notrailer.ior"
	assert_failure 1
	assert_line --regexp '^trailer +no$'
	assert_equal "$stderr" "ior-dump: $T/notrailer.ior: truncated stream at offset $(size_of "$T/notrailer.ior"): no trailer after 4 records"
}

@test "every truncation point: exit 1, one message, the records before the cut" {
	small_stream | mk full
	run "$DUMP" --json < "$T/full.ior"
	assert_success
	printf '%s\n' "$output" > "$T/full.json"
	local size n N K X have want got out rc fails=0 IFS=
	local -a all offs ends records
	size=$(size_of "$T/full.ior")
	mapfile -t all < "$T/full.json"
	mapfile -t offs < <(jq .offset "$T/full.json")
	n=${#all[@]}
	ends=("${offs[@]:1}" "$size")
	# The loop runs once per byte: only ior-dump is forked in it.  The
	# cuts are written by printf from the bytes as escapes, and records[K]
	# is the output of the first K records.
	bytes_escaped "$T/full.ior"
	records[0]=
	for ((K = 1; K <= n; K++)); do
		printf -v 'records[K]' '%s\n' "${all[@]:0:K}"
	done
	( notrace
	for ((N = 0; N < size; N++)); do
		printf "${BYTES[*]:0:N}" > "$T/cut.ior"
		rc=0
		"$DUMP" --json < "$T/cut.ior" > "$T/cut.out" 2> "$T/cut.err" ||
			rc=$?
		# K records lie wholly before the cut; the next starts at X.
		for ((K = 0; K < n && ends[K] <= N; K++)); do :; done
		X=$((K ? ends[K - 1] : 0))
		have=$((N - X))
		if ((N == 0)); then
			want="empty input: not an ior stream"
		elif ((K == 0 && N < 8)); then
			want="truncated record at offset 0 (need 8 bytes, have $N)"
		elif ((K == 0)); then
			want="truncated section header at offset 0 (need $((N < 48 ? 48 : ends[0])) bytes, have $N)"
		elif ((have == 0)); then
			want="truncated stream at offset $X: no trailer after $((K - 1)) records"
		else
			want="truncated record at offset $X (need $((have < 8 ? 8 : ends[K] - X)) bytes, have $have)"
		fi
		want="ior-dump: <stdin>: $want"$'\n'
		read -r -d '' got < "$T/cut.err" || :
		read -r -d '' out < "$T/cut.out" || :
		if ((rc != 1)) || [[ $got != "$want" ]] ||
		   [[ $out != "${records[K]}" ]]; then
			echo "cut at $N: status $rc, stderr: $got"
			echo "  expected: $want and $K records"
			((++fails > 5)) && break
		fi
	done
	((fails == 0)) )
}

@test "a foreign file is not an ior stream, and nothing is printed" {
	run --separate-stderr "$DUMP" /etc/passwd
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-dump: /etc/passwd: not an ior stream (bad magic) at offset 0"

	printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0' > "$T/x.png"
	run --separate-stderr "$DUMP" --json < "$T/x.png"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-dump: <stdin>: not an ior stream (bad magic) at offset 0"
}

@test "a foreign file shorter than the magic is not an ior stream" {
	printf 'hi\n' > "$T/short.txt"
	run --separate-stderr "$DUMP" "$T/short.txt"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-dump: $T/short.txt: not an ior stream (bad magic) at offset 0"
}

@test "a magic damaged by CRLF to LF conversion is named as such" {
	small_stream | mk small
	tr -d '\r' < "$T/small.ior" > "$T/lf.ior"
	run --separate-stderr "$DUMP" "$T/lf.ior"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-dump: $T/lf.ior: not an ior stream (magic damaged by line-ending conversion) at offset 0"
}

@test "an unknown major version is refused" {
	small_stream | mk v2
	patch "$T/v2.ior" 16 '\002'
	run --separate-stderr "$DUMP" --json "$T/v2.ior"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-dump: $T/v2.ior: unsupported stream version 2.2 at offset 0 (this reader knows 1.x)"
}

@test "a section of an unknown major version after a good one: the first is printed" {
	small_stream | mk a
	small_stream | mk b
	patch "$T/b.ior" 16 '\003\000\007'
	cat "$T/a.ior" "$T/b.ior" > "$T/ab.ior"
	run --separate-stderr "$DUMP" --json "$T/ab.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/ab.ior: unsupported stream version 3.7 at offset $(size_of "$T/a.ior") (this reader knows 1.x)"
	assert_equal "$output" "$("$DUMP" --json "$T/a.ior")"
}

@test "a newer minor version with longer records is read" {
	{
		echo "section version=1.9 anchor=1,1"
		echo "syscall name=openat nargs=4"
		# Appended fields: the reader takes what it knows.
		echo "exit pid=10 nr=openat ret=3 len=48"
		echo "task_exit pid=10 code=7 last len=64"
		echo "trailer len=56"
	} | mk minor
	run --separate-stderr "$DUMP" --json "$T/minor.ior"
	assert_success
	run jq -c 'select(.type != "section") | [.type, .version, .ret, .exit_code, .records]' <<< "$output"
	assert_output - <<'EOF'
["syscall_name",null,null,null,null]
["exit",null,3,null,null]
["task_exit",null,null,7,null]
["trailer",null,null,null,3]
EOF
	run jq -r 'select(.type == "section") | .version' < <("$DUMP" --json "$T/minor.ior")
	assert_output "1.9"
}

@test "a record shorter than its type reads the missing fields as zero" {
	{
		echo "section anchor=1,1"
		echo "exit pid=10 tid=11 nr=0 ret=-1 len=24"
		echo "trailer"
	} | mk short
	run --separate-stderr "$DUMP" --json "$T/short.ior"
	assert_success
	run jq -c 'select(.type == "exit") | [.pid, .tid, .ret]' <<< "$output"
	assert_output "[10,11,0]"
}

@test "a foreign byte order is refused" {
	small_stream | mk be
	patch "$T/be.ior" 8 '\001\002\003\004'
	run --separate-stderr "$DUMP" --json "$T/be.ior"
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^ior-dump: $T/be.ior: foreign byte order at offset 0 \\(sentinel 0x04030201; .*\\)$"
}

@test "an unknown record type in the middle is skipped" {
	{
		small_head
		echo "record type=0x7777 fill=0102030405060708090a"
		echo "record type=0x0199 misc=5 len=64"
		small_tail
	} | mk unknown
	run --separate-stderr "$DUMP" --json "$T/unknown.ior"
	assert_success
	assert_equal "$stderr" ""
	run jq -c 'select(.type == "unknown") | [.record_type, .size]' <<< "$output"
	assert_output - <<'EOF'
[30583,24]
[409,64]
EOF
	run jq -r .type < <("$DUMP" --json "$T/unknown.ior")
	assert_equal "${lines[*]}" "section syscall_name process fd snapshot_end unknown unknown enter exit enter exit trailer"

	run "$DUMP" "$T/unknown.ior"
	assert_success
	assert_line "# unknown record type 0x7777, 24 bytes"
	assert_line --partial "< openat = -1 ENOENT"
}

@test "an enter record shorter than its fixed part has no arguments" {
	# A reader zero-extends short records: nargs reads 0.  Sizes under
	# 32 must not make the argument count wrap around.
	for len in 8 16 24; do
		{
			echo "section anchor=1,1"
			echo "record type=0x0101 misc=0 len=$len"
			echo "trailer"
		} | mk short
		for opt in --json ""; do
			run --separate-stderr "$DUMP" $opt "$T/short.ior"
			assert_success
			assert_equal "$stderr" ""
		done
		run jq -c 'select(.type == "enter") | [.pid, .args, .strings]' < <("$DUMP" --json "$T/short.ior")
		assert_output "[0,[],[]]"
	done
}

@test "a record of wire type 0xffff is unknown, not a section header" {
	{
		small_head
		echo "record type=0xffff fill=0102030405060708"
		small_tail
	} | mk ffff
	run --separate-stderr "$DUMP" --json "$T/ffff.ior"
	assert_success
	run jq -c 'select(.type == "section" or .type == "unknown") | [.type, .record_type]' <<< "$output"
	assert_output - <<'EOF2'
["section",null]
["unknown",65535]
EOF2
	run "$DUMP" --stats "$T/ffff.ior"
	assert_line --regexp '^sections +1$'
}

# bad_length SIZE: a record whose frame says SIZE after five good ones.
bad_length() {
	small_head | mk before
	{ small_head; echo "exit pid=10 nr=openat ret=0 size=$1"; small_tail; } |
		mk bad
	run --separate-stderr "$DUMP" --json "$T/bad.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/bad.ior: bad record length $1 at offset $(size_of "$T/before.ior") (type 0x0102)"
	assert_equal "$output" "$("$DUMP" --json "$T/before.ior" 2>/dev/null)"
	assert_equal "${#lines[@]}" 5
}

@test "a record length that is not a multiple of 8 stops the dump" {
	bad_length 12
}

@test "a record length under 8 stops the dump" {
	bad_length 4
	bad_length 0
}

@test "a record length over 1 MiB stops the dump" {
	bad_length $((1024 * 1024 + 8))
	bad_length 4294967288
}

@test "a record length past the end of input is a truncation" {
	small_head | mk before
	{ small_head; echo "exit pid=10 nr=openat ret=0 size=4096"; small_tail; } |
		mk long
	run --separate-stderr "$DUMP" --json "$T/long.ior"
	assert_failure 1
	local at
	at=$(size_of "$T/before.ior")
	assert_equal "$stderr" "ior-dump: $T/long.ior: truncated record at offset $at (need 4096 bytes, have $(( $(size_of "$T/long.ior") - at )))"
	assert_equal "${#lines[@]}" 5
}

@test "two concatenated streams are two sections" {
	small_stream | mk a
	all_types | mk b
	cat "$T/a.ior" "$T/b.ior" > "$T/ab.ior"
	run --separate-stderr "$DUMP" --json "$T/ab.ior"
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$T/ab.json"
	run jq -c 'select(.type == "section") | .offset' "$T/ab.json"
	assert_output - <<EOF
0
$(size_of "$T/a.ior")
EOF
	run jq -r 'select(.type == "trailer") | .records' "$T/ab.json"
	assert_output - <<'EOF'
8
19
EOF
	run "$DUMP" --stats "$T/ab.ior"
	assert_line --regexp '^sections +2$'
	assert_line --regexp '^section +2$'
	assert_line --regexp '^trailer +yes$'
	run "$DUMP" "$T/ab.ior"
	assert_line --regexp '^# section 2: iorgen 1.2 '
}

@test "a section without a trailer followed by another is a truncation" {
	small_head | mk a
	small_stream | mk b
	cat "$T/a.ior" "$T/b.ior" > "$T/ab.ior"
	run --separate-stderr "$DUMP" --json "$T/ab.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/ab.ior: truncated section before offset $(size_of "$T/a.ior"): no trailer after 4 records"
	assert_equal "$output" "$("$DUMP" --json "$T/a.ior" 2>/dev/null)"
}

@test "a record after the trailer without a section header is damage" {
	{ small_stream; echo "exit pid=10 nr=openat ret=0"; } | mk after
	small_stream | mk good
	run --separate-stderr "$DUMP" --json "$T/after.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/after.ior: record after the trailer (no section header) at offset $(size_of "$T/good.ior")"
	assert_equal "$output" "$("$DUMP" --json "$T/good.ior")"
}

@test "a damaged second file does not hide the first, and the status is 1" {
	small_stream | mk good
	small_head | mk cut
	run --separate-stderr "$DUMP" --json "$T/good.ior" "$T/cut.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/cut.ior: truncated stream at offset $(size_of "$T/cut.ior"): no trailer after 4 records"
	assert_equal "${#lines[@]}" 15
	assert_equal "$(jq -r 'select(.type == "section") | .offset' <<< "$output" | tr '\n' ' ')" "0 0 "
}

@test "a missing file and a usage error" {
	run --separate-stderr "$DUMP" "$T/nonexistent"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/nonexistent: No such file or directory"
	run --separate-stderr "$DUMP" --no-such-option
	assert_failure 2
	assert_output ""
}

@test "a write error on standard output is reported, status 1" {
	small_stream | mk small
	for opt in "" --json --stats; do
		run --separate-stderr sh -c '"$@" > /dev/full' _ \
			"$DUMP" $opt "$T/small.ior"
		assert_failure 1
		assert_regex "$stderr" '^ior-dump: .*write error.*No space left on device$'
	done
}

@test "a reader that goes away ends ior-dump quietly" {
	{
		notrace
		echo "section"
		echo "syscall name=read nargs=3"
		for ((i = 0; i < 5000; i++)); do
			echo "enter pid=10 nr=read args=3,0x1000,4096"
			echo "exit pid=10 nr=read ret=4096"
		done
		echo "trailer"
	} | mk big
	for opt in "" --json; do
		run bash -c '"$1" $2 "$3" 2> "$4" | head -c1 > /dev/null
			echo "${PIPESTATUS[0]}"' _ "$DUMP" "$opt" "$T/big.ior" "$T/err"
		assert_output --regexp '^(0|141)$'
		assert_equal "$(<"$T/err")" ""
	done
}

@test "hostile strings are escaped in text and valid in JSON" {
	{
		echo "section anchor=1000000000,1"
		echo "syscall name=openat nargs=4 paths=1"
		echo 'enter t=1000000000 pid=1 nr=openat args=-100,1,0,0 str1="a\"b\nc\\d\xff<&>\x01\tz"'
		echo 'fd t=1000000000 pid=1 fd=3 path="caf\xc3\xa9 <&> \x7f"'
		echo 'enter t=1000000000 pid=1 nr=openat args=-100,1,0,0 str1=/very/long truncated=str1'
		echo 'enter t=1000000000 pid=1 nr=openat args=-100,1,0,0 str1= fault=str1'
		echo "trailer"
	} | mk hostile
	run --separate-stderr "$DUMP" "$T/hostile.ior"
	assert_success
	assert_line '  0.000000 1/1           > openat(-100, "a\"b\nc\\d\xff<&>\x01\tz", 0, 0)'
	assert_line '# fd 1 3 "café <&> \x7f" flags 00 pos 0'
	assert_line --partial '> openat(-100, "/very/long"..., 0, 0)'

	run --separate-stderr "$DUMP" --json "$T/hostile.ior"
	assert_success
	printf '%s\n' "$output" > "$T/hostile.json"
	# Every line is JSON; the invalid byte and controls are \u00NN escapes.
	jq -e . "$T/hostile.json" > /dev/null
	run grep -c -F '\u00ff<&>\u0001' "$T/hostile.json"
	assert_output 1
	jq -j -s '[.[] | select(.type == "enter")][0].path' "$T/hostile.json" > "$T/path"
	printf 'a"b\nc\\d\303\277<&>\001\tz' > "$T/want"
	cmp "$T/path" "$T/want"
	# Valid UTF-8 comes back as the same bytes.
	jq -j 'select(.type == "fd") | .path' "$T/hostile.json" > "$T/fdpath"
	printf 'caf\303\251 <&> \177' > "$T/want"
	cmp "$T/fdpath" "$T/want"
	run jq -c 'select(.type == "enter") | .strings[0] | [.value, .truncated, .fault]' "$T/hostile.json"
	assert_line --index 1 '["/very/long",true,null]'
	assert_line --index 2 '["",null,true]'
}

@test "a path its producer cut reads as cut: \"...\"... in text as strace shows it, path_truncated in JSON" {
	{
		echo "section anchor=1,1"
		echo "syscall name=rename nargs=2"
		echo "name id=1 value=/tmp/long/pa truncated=value"
		echo "name id=2 value=/tmp/whole"
		echo "pair pid=3 nr=rename path=1 path2=2"
		echo "pair pid=3 nr=rename path=2 path2=1"
		echo "pair_totals"
		echo "trailer"
	} | mk cut
	run --separate-stderr "$DUMP" "$T/cut.ior"
	assert_success
	local text=$output
	run grep -c -F 'rename("/tmp/long/pa"... -> "/tmp/whole") = 0' <<< "$text"
	assert_output 1
	run grep -c -F 'rename("/tmp/whole" -> "/tmp/long/pa"...) = 0' <<< "$text"
	assert_output 1
	run --separate-stderr "$DUMP" --json "$T/cut.ior"
	assert_success
	run jq -c 'select(.type == "pair") | [.path, .path_truncated, .path2,
		.path2_truncated]' <<< "$output"
	assert_output - <<'EOF2'
["/tmp/long/pa",true,"/tmp/whole",null]
["/tmp/whole",null,"/tmp/long/pa",true]
EOF2
}

@test "paired records are dumped by type, names resolved" {
	{
		echo "section anchor=1,1"
		echo "syscall name=read nargs=3"
		echo "name id=1 value=/tmp/x"
		echo "name kind=comm id=1 value=cat"
		echo "pair pid=3 nr=read ret=-EAGAIN latency=100 path=1 comm=1 fd=3"
		echo "pair_totals"
		echo "trailer"
	} | mk pairs
	run --separate-stderr "$DUMP" --json "$T/pairs.ior"
	assert_success
	run jq -c '[.type, .path, .comm, .errno, .pairs]' <<< "$output"
	assert_output - <<'EOF2'
["section",null,null,null,null]
["syscall_name",null,null,null,null]
["name",null,null,null,null]
["name",null,null,null,null]
["pair","/tmp/x","cat","EAGAIN",null]
["pair_totals",null,null,null,1]
["trailer",null,null,null,null]
EOF2
}
