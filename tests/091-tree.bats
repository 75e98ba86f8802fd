#!/usr/bin/env bats
# ior-tree: the process tree, its critical path, --folded, and the calls in
# flight (--inflight, --at), with ior-pair's unfinished pairs behind them
# (docs/analysis.md, docs/format.md).  Fixtures written by iorgen with known
# answers; real captures of a make -j2 and of a reader blocked on a pipe.

load helpers

# A build: make (100) starts two compilers at 0.1 s, a fast one (101) and
# a slow one (102, reading slow.c for 0.9 s); when both are done it starts
# the linker (103), which exits 1.  A logger (104) it started at 0.15 s is
# left in a read on a pipe when the capture ends.  Times are ns of the
# capture's clock; make's snapshot is at 1 s, the trailer at 3.2 s.
write_build() {
	cat > "$T/build.txt" <<'TXT'
section anchor=0,1000000000
syscall name=read nargs=3 family=read
syscall name=openat nargs=4 paths=1 family=open
syscall name=close nargs=1 family=close
process pid=100 comm=make cmdline="make\0-j2" exe=/usr/bin/make t=1000000000
fd pid=100 fd=0 path="/dev/null"
fd pid=100 fd=4 path="pipe:[9]"
snapshot_end
task_new parent=100 child=101 t=1100000000
exec pid=101 file=/usr/bin/cc t=1100100000
task_new parent=100 child=102 t=1100000000
exec pid=102 file=/usr/bin/cc t=1100200000
task_new parent=100 child=104 t=1150000000
comm pid=104 comm=logger t=1150000100
enter pid=101 nr=openat args=-100,0,0,0 str1="/p/a.c" t=1200000000
exit pid=101 nr=openat ret=3 t=1200001000
enter pid=101 nr=read args=3,0,4096 t=1200100000
exit pid=101 nr=read ret=50 t=1200102000
task_exit pid=101 last t=1300000000
enter pid=102 nr=openat args=-100,0,0,0 str1="/p/slow.c" t=1200000000
exit pid=102 nr=openat ret=3 t=1200001000
enter pid=102 nr=read args=3,0,4096 t=1200100000
exit pid=102 nr=read ret=-EIO t=2100100000
task_exit pid=102 last t=2200000000
task_new parent=100 child=103 t=2210000000
exec pid=103 file=/usr/bin/ld comm="l d" t=2210100000
enter pid=103 nr=close args=0 t=2300000000
exit pid=103 nr=close ret=0 t=2300001000
enter pid=104 nr=read args=4,0,4096 t=2300100000
task_exit pid=103 last code=256 t=3000000000
task_exit pid=100 last t=3100000000
trailer t=3200000000
TXT
	"$IOR_BIN/iorgen" "$T/build.txt" > "$T/build.raw" || fail "iorgen"
	"$IOR_BIN/ior-pair" "$T/build.raw" > "$T/build.ior" || fail "ior-pair"
}

@test "each process with its command, start, end, status, wall time and its own and subtree totals" {
	write_build
	run --separate-stderr "$IOR_BIN/ior-tree" --json "$T/build.ior"
	assert_success
	echo "$output" > "$T/t.json"
	# ids are in order of creation: the logger (104) was forked before 103
	run jq -c '.processes | sort_by(.pid)[] | [.pid, .parent, .comm, .exe, .argv, .start_s, .end_s, .wall_ns, .status, .exit_code, .children]' "$T/t.json"
	assert_line -n 0 '[100,null,"make","/usr/bin/make",["make","-j2"],0,2.1,2100000000,"exit 0",0,[1,2,3,4]]'
	assert_line -n 1 '[101,0,"cc","/usr/bin/cc",null,0.1,0.3,200000000,"exit 0",0,[]]'
	assert_line -n 2 '[102,0,"cc","/usr/bin/cc",null,0.1,1.2,1100000000,"exit 0",0,[]]'
	assert_line -n 3 '[103,0,"l d","/usr/bin/ld",null,1.21,2,790000000,"exit 1",256,[]]'
	# the logger never ended: it runs to the end of the capture
	assert_line -n 4 '[104,0,"logger","/usr/bin/make",["make","-j2"],0.15,2.2,2050000000,"running",null,[]]'
	run jq -c '.processes | sort_by(.pid)[] | [.own.calls, .own.errors, .own.time_ns, .own.bytes_read, .all.calls, .all.errors, .all.time_ns, .all.bytes_read]' "$T/t.json"
	assert_line -n 0 '[0,0,0,0,5,1,900005000,50]'
	assert_line -n 1 '[2,0,3000,50,2,0,3000,50]'
	assert_line -n 2 '[2,1,900001000,0,2,1,900001000,0]'
	assert_line -n 3 '[1,0,1000,0,1,0,1000,0]'
	# the read left unfinished is not a completed call: the logger made none
	assert_line -n 4 '[0,0,0,0,0,0,0,0]'
	run jq -c '[.pairs, .unfinished]' "$T/t.json"
	assert_output '[5,1]'
	run --separate-stderr "$IOR_BIN/ior-tree" "$T/build.ior"
	assert_success
	assert_line --regexp '^ +0\.000 +2\.100 +2\.10s exit 0 .* 100 make make -j2$'
	assert_line --regexp '^ +1\.210 +2\.000 +790ms exit 1 .*    103 "l d" /usr/bin/ld$'
	assert_line --regexp '^ +0\.150 +2\.200 +2\.05s running .*    104 logger make -j2$'
}

@test "the critical path follows the child each process waited for last: make, the slow compiler, the linker" {
	write_build
	run --separate-stderr "$IOR_BIN/ior-tree" --json "$T/build.ior"
	assert_success
	run jq -c '.critical_path | [.io_ns, [.processes[] | [.pid, .depth]]]' <<< "$output"
	# the logger ran past make's end: it held nothing make waited for
	assert_output '[900002000,[[100,0],[102,1],[103,1]]]'
	run --separate-stderr "$IOR_BIN/ior-tree" "$T/build.ior"
	assert_success
	assert_line 'critical path: 2.10s from 0.000 to 2.100, 900ms in syscalls on it (3 processes)'
	assert_line --regexp '^ +1\.210 +2\.000 +790ms +1\.00us +103 "l d" /usr/bin/ld$'
}

@test "--folded: the tree as stacks of comms weighted by time in syscalls, for ior-flame" {
	write_build
	run --separate-stderr "$IOR_BIN/ior-tree" --folded "$T/build.ior"
	assert_success
	assert_output "make;cc 3000
make;cc 900001000
make;l d 1000"
	run --separate-stderr "$IOR_BIN/ior-tree" --folded -w count "$T/build.ior"
	assert_output "make;cc 2
make;cc 2
make;l d 1"
	"$IOR_BIN/ior-tree" --folded -w count "$T/build.ior" | "$IOR_BIN/ior-flame" > "$T/tree.svg"
	grep -q 'l d' "$T/tree.svg" || fail "no frame of the linker in the SVG"
}

@test "ior-pair flags the call the capture ended inside; ior-agg does not count it, ior-dump says <unfinished ...>" {
	write_build
	dump_json "$T/build.ior"
	run jqs -c '[of("pair") | select(.unfinished) | [.pid, .syscall, .fd, .path, .ret, .latency_ns]]'
	assert_output '[[104,"read",4,"pipe:[9]",0,899900000]]'
	run jqs -c '[of("pair_totals") | [.pairs, .unmatched_enters]]'
	assert_output '[[5,1]]'
	run jqs -c '[of("trailer") | .events]'
	assert_output '[5]'
	run --separate-stderr "$IOR_BIN/ior-dump" "$T/build.ior"
	assert_line --regexp 'logger +read\(4 "pipe:\[9\]" <unfinished \.\.\.> <0\.899900>$'
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/build.ior"
	assert_success
	run jq -c '[.pairs, (.syscalls[] | select(.syscall == "read") | .count)]' <<< "$output"
	assert_output '[5,2]'
	# A stream cut short has no end time: its pending enters are only counted.
	grep -v '^trailer' "$T/build.txt" > "$T/cut.txt"
	"$IOR_BIN/iorgen" "$T/cut.txt" > "$T/cut.raw"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/cut.raw"
	assert_failure 1
	echo "$output" > "$T/cut.ior"
	dump_json "$T/cut.ior" 2> /dev/null || true
	run jqs -c '[of("pair") | select(.unfinished)] | length'
	assert_output 0
}

@test "--inflight: the calls entered and never returned, what a hung process waits on" {
	write_build
	run --separate-stderr "$IOR_BIN/ior-tree" --inflight --json "$T/build.ior"
	assert_success
	run jq -c '.inflight[] | [.pid, .tid, .comm, .syscall, .fd, .path, .since_s, .latency_ns, .unfinished]' <<< "$output"
	assert_output '[104,104,"logger","read",4,"pipe:[9]",1.3001,899900000,true]'
	run --separate-stderr "$IOR_BIN/ior-tree" --inflight "$T/build.ior"
	assert_success
	assert_line --regexp '^ +1\.300 +900ms  104/104 logger read\(4 pipe:\[9\] <unfinished \.\.\.>\)$'
}

@test "--at TIME: each live process's open files and the call it was in" {
	write_build
	run --separate-stderr "$IOR_BIN/ior-tree" --at 0.25 --json "$T/build.ior"
	assert_success
	echo "$output" > "$T/at.json"
	run jq -c '.processes[] | [.pid, [.fds[] | [.fd, .path]], [.calls[] | [.syscall, .fd, .path]]]' "$T/at.json"
	assert_line -n 0 '[100,[[0,"/dev/null"],[4,"pipe:[9]"]],[]]'
	assert_line -n 1 '[101,[[0,"/dev/null"],[3,"/p/a.c"],[4,"pipe:[9]"]],[]]'
	assert_line -n 2 '[102,[[0,"/dev/null"],[3,"/p/slow.c"],[4,"pipe:[9]"]],[["read",3,"/p/slow.c"]]]'
	assert_line -n 3 '[104,[[0,"/dev/null"],[4,"pipe:[9]"]],[]]'
	assert_equal "$(jq '.processes | length' "$T/at.json")" 4
	# at 1.5 s the compilers are gone, the linker has closed its fd 0 and
	# the logger is in its hung read
	run --separate-stderr "$IOR_BIN/ior-tree" --at 1.5 --json "$T/build.ior"
	run jq -c '[.processes[] | [.pid, [.fds[].fd], [.calls[] | .unfinished]]]' <<< "$output"
	assert_output '[[100,[0,4],[]],[104,[0,4],[true]],[103,[4],[]]]'
}

@test "bad input: one line naming the stream and the offset, exit 1, the processes read before it told; usage exit 2" {
	write_build
	size=$(stat -c %s "$T/build.ior")
	head -c $((size - 100)) "$T/build.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-tree" --json "$T/cut.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-tree: $T/cut.ior: "*"at offset "[0-9]* ]] ||
		fail "the error line: $stderr"
	run jq -c '[.truncated, ([.processes[].pid] | sort)]' <<< "$output"
	assert_output '[true,[100,101,102,103,104]]'
	run --separate-stderr "$IOR_BIN/ior-tree" --folded --inflight "$T/build.ior"
	assert_failure 2
	run --separate-stderr "$IOR_BIN/ior-tree" --at soon "$T/build.ior"
	assert_failure 2
	run --separate-stderr "$IOR_BIN/ior-tree" -w gap --folded "$T/build.ior"
	assert_failure 2
}

@test "a real make -j2: the critical path runs through the slow compile and the link, not the fast compile" {
	require_bpf
	command -v cc > /dev/null && command -v make > /dev/null || skip "no cc or make"
	mkdir "$T/proj"
	printf 'int a(void) { return 1; }\n' > "$T/proj/fast.c"
	printf 'int a(void);\nint main(void) { return a() - 1; }\n' > "$T/proj/slow.c"
	printf 'prog: fast.o slow.o\n\tcc -o prog fast.o slow.o\nfast.o: fast.c\n\tcc -c fast.c\nslow.o: slow.c\n\tsleep 1; cc -c slow.c\n' > "$T/proj/Makefile"
	(cd "$T/proj" && "$IOR_BIN/ior-capture" -q -o "$STREAM" -- make -j2 > /dev/null 2> "$T/capture.err") ||
		fail "ior-capture: $(cat "$T/capture.err")"
	[ -x "$T/proj/prog" ] || fail "the build failed"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior" || fail "ior-pair"
	run --separate-stderr "$IOR_BIN/ior-tree" --json "$T/p.ior"
	assert_success
	echo "$output" > "$T/t.json"
	# which process read which source, and which wrote prog
	dump_json "$T/p.ior"
	fast=$(jqs --arg f "$T/proj/fast.c" '[of("pair") | select(.comm == "cc1" and .path == $f) | .pid] | first')
	slow=$(jqs --arg f "$T/proj/slow.c" '[of("pair") | select(.comm == "cc1" and .path == $f) | .pid] | first')
	link=$(jqs --arg f "$T/proj/prog" '[of("pair") | select((.path == $f or .path == "prog") and .syscall == "openat") | .pid] | last')
	[ "$fast" != null ] && [ "$slow" != null ] && [ "$link" != null ] ||
		fail "no reader of fast.c ($fast), slow.c ($slow) or writer of prog ($link)"
	run jq -c '[.critical_path.processes[].pid]' "$T/t.json"
	crit=$output
	[[ ,${crit:1:-1}, == *",$slow,"* ]] || fail "slow.c's reader $slow not on $crit"
	[[ ,${crit:1:-1}, == *",$link,"* ]] || fail "the linker $link not on $crit"
	[[ ,${crit:1:-1}, != *",$fast,"* ]] || fail "fast.c's reader $fast on $crit"
	# it starts at make, and the sleep of the slow recipe is on it
	run jq -r '.critical_path.processes[0].id as $r | .processes[$r].comm' "$T/t.json"
	assert_output make
	run jq -r '[.critical_path.processes[].id as $i | .processes[$i].comm] | index("sleep") != null' "$T/t.json"
	assert_output true
	run jq -c '.critical_path.io_ns > 0' "$T/t.json"
	assert_output true
	# make's subtree holds every call of the capture
	run jq -c '[.processes[0].all.calls, .pairs]' "$T/t.json"
	[[ $output =~ ^\[([0-9]+),([0-9]+)\]$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
		fail "make's subtree and the capture: $output"
}

@test "a real reader blocked on a pipe when the capture ends: --inflight shows its read" {
	require_bpf
	cat > "$T/blk.sh" <<'SH'
#!/bin/sh
sleep 3 | cat > /dev/null &
sleep 0.5
SH
	chmod +x "$T/blk.sh"
	capture -- "$T/blk.sh" 3>&- || fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior" || fail "ior-pair"
	run --separate-stderr "$IOR_BIN/ior-tree" --inflight --json "$T/p.ior"
	assert_success
	run jq -c '[.inflight[] | select(.comm == "cat") | [.syscall, .fd, (.path | test("^pipe:\\[[0-9]+\\]$")), .unfinished, .latency_ns > 300000000]]' <<< "$output"
	assert_output '[["read",0,true,true,true]]'
	run --separate-stderr "$IOR_BIN/ior-tree" --inflight "$T/p.ior"
	assert_line --regexp ' cat read\(0 pipe:\[[0-9]+\] <unfinished \.\.\.>\)$'
}
