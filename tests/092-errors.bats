#!/usr/bin/env bats
# ior-errors: failed calls told as stories (docs/analysis.md).  Fixtures
# written by iorgen with known answers; a real program run with
# LD_LIBRARY_PATH naming three empty directories.

load helpers

# One thread of prog (10): the loader's search for libfoo.so.1 through
# /e1, /e2 (with the stat of the directory it failed in) and /e3, the
# cache, then found in /usr/lib; three EAGAIN reads then a good one;
# /etc/shadow denied; an unlink that fails once.  A second thread (11)
# interleaves its own search for "mod" (mod.py, then mod.so found), which
# must not break the first.
write_errors() {
	cat > "$T/e.txt" <<'TXT'
section anchor=0,1000000000
syscall name=read nargs=3 family=read
syscall name=openat nargs=4 paths=1 family=open
syscall name=newfstatat nargs=4 paths=1 family=stat
syscall name=unlink nargs=1 paths=0 family=namespace
name kind=comm id=1 value=prog
name kind=comm id=2 value=py
name id=1 value="/e1/libfoo.so.1"
name id=2 value="/e2/libfoo.so.1"
name id=3 value="/e3/libfoo.so.1"
name id=4 value="/etc/ld.so.cache"
name id=5 value="/usr/lib/libfoo.so.1"
name id=6 value="pipe:[3]"
name id=7 value="/etc/shadow"
name id=8 value="/tmp/x"
name id=9 value="/e2"
name id=10 value="/s1/mod.py"
name id=11 value="/s2/mod.so"
pair pid=10 nr=openat ret=-ENOENT latency=10000 path=1 comm=1 t=1000000
pair pid=10 tid=11 nr=openat ret=-ENOENT latency=7000 path=10 comm=2 t=1001000
pair pid=10 nr=openat ret=-ENOENT latency=10000 path=2 comm=1 t=1002000
pair pid=10 nr=newfstatat ret=-ENOENT latency=500 path=9 comm=1 t=1003000
pair pid=10 tid=11 nr=openat ret=3 fd=3 latency=1000 path=11 comm=2 t=1004000
pair pid=10 nr=openat ret=-ENOTDIR latency=10000 path=3 comm=1 t=1005000
pair pid=10 nr=openat ret=3 fd=3 latency=10000 path=4 comm=1 t=1006000
pair pid=10 nr=openat ret=3 fd=3 latency=10000 path=5 comm=1 t=1007000
pair pid=10 nr=read ret=-EAGAIN fd=0 path=6 latency=1000 comm=1 t=2000000
pair pid=10 nr=read ret=-EAGAIN fd=0 path=6 latency=1000 comm=1 t=2100000
pair pid=10 nr=read ret=-EAGAIN fd=0 path=6 latency=1000 comm=1 t=2200000
pair pid=10 nr=read ret=5 bytes=5 pflags=2 fd=0 path=6 latency=1000 comm=1 t=2300000
pair pid=10 nr=openat ret=-EACCES latency=3000 path=7 comm=1 t=3000000
pair pid=10 nr=unlink ret=-ENOENT latency=2000 path=8 comm=1 t=3100000
pair pid=10 nr=openat ret=-EACCES latency=3000 path=7 comm=1 t=3200000
trailer
TXT
	"$IOR_BIN/iorgen" "$T/e.txt" > "$T/e.ior" || fail "iorgen"
}

@test "a search through a path list is one story: its tries, directories, the cache, where it was found, the time lost" {
	write_errors
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/e.ior"
	assert_success
	echo "$output" > "$T/e.json"
	run jq -c '.stories[] | select(.kind == "search" and .name == "libfoo.so.1") | [.syscall, .tries, .failures, .dirs, .roots, .via, .found, .errno, .checks, .time_lost_ns, .times, .pid, .comm]' "$T/e.json"
	assert_output '["openat",4,3,["/e1","/e2","/e3"],["/e1","/e2","/e3"],["/etc/ld.so.cache"],"/usr/lib","ENOENT",1,30500,1,10,"prog"]'
	# the other thread's search, by stem: mod.py then mod.so
	run jq -c '.stories[] | select(.kind == "search" and .name == "mod.py") | [.tries, .dirs, .found, .time_lost_ns, .comm]' "$T/e.json"
	assert_output '[2,["/s1"],"/s2",7000,"py"]'
	run --separate-stderr "$IOR_BIN/ior-errors" "$T/e.ior"
	assert_success
	assert_line --regexp '^ +30\.5us  search  libfoo\.so\.1: 4 tries over /e1, /e2, /e3 and /etc/ld\.so\.cache, found in /usr/lib after 2 ENOENT and 1 other errors \(\+1 directory checks\) \[10 prog at 0\.000 s\]$'
}

@test "retry loops, permission failures and calls never retried, each with its count, ranked by time lost" {
	write_errors
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/e.ior"
	assert_success
	echo "$output" > "$T/e.json"
	run jq -c '[.stories[] | [.kind, .time_lost_ns]]' "$T/e.json"
	assert_output '[["retry",301000],["search",30500],["search",7000],["denied",6000],["failed",2000]]'
	run jq -c '.stories[] | select(.kind == "retry") | [.syscall, .path, .errno, .tries, .succeeded, .span_ns]' "$T/e.json"
	assert_output '["read","pipe:[3]","EAGAIN",3,true,301000]'
	run jq -c '.stories[] | select(.kind == "denied") | [.syscall, .path, .errno, .times]' "$T/e.json"
	assert_output '["openat","/etc/shadow","EACCES",2]'
	run jq -c '.stories[] | select(.kind == "failed") | [.syscall, .path, .errno, .times]' "$T/e.json"
	assert_output '["unlink","/tmp/x","ENOENT",1]'
	run jq -c '[.pairs, .failed, .time_lost_ns]' "$T/e.json"
	assert_output '[15,11,346500]'
	run --separate-stderr "$IOR_BIN/ior-errors" "$T/e.ior"
	assert_line -n 0 '11 failed calls of 15, 346us lost, in 5 stories'
	assert_line --regexp '^ +301us  retry   read\(pipe:\[3\]\): 3 EAGAIN over 301us, then it succeeded \[10 prog at 0\.001 s\]$'
	assert_line --regexp '^ +6\.00us  denied  openat\(/etc/shadow\): EACCES \(Permission denied\), 2 times '
}

@test "interrupted calls (EINTR, restarts) on one fd make one retry loop; names with any bytes are escaped" {
	cat > "$T/i.txt" <<'TXT'
section anchor=0,1000000000
syscall name=read nargs=3 family=read
syscall name=openat nargs=4 paths=1 family=open
name kind=comm id=1 value="a\x1bb"
name id=1 value="/dev/tty"
name id=2 value="/x/\"q\"\n.so"
name id=3 value="/y/\"q\"\n.so"
pair pid=5 nr=read ret=-EINTR fd=0 path=1 latency=100 comm=1
pair pid=5 nr=read ret=-512 fd=0 path=1 latency=100 comm=1 pflags=8
pair pid=5 nr=read ret=-EINTR fd=0 path=1 latency=100 comm=1
pair pid=5 nr=openat ret=-ENOENT path=2 latency=100 comm=1
pair pid=5 nr=openat ret=3 fd=3 path=3 latency=100 comm=1
trailer
TXT
	"$IOR_BIN/iorgen" "$T/i.txt" > "$T/i.ior"
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/i.ior"
	assert_success
	run jq -c '[.stories[] | [.kind, .tries, .comm, .name // .path, .found // null]]' <<< "$output"
	assert_output '[["retry",3,"a\u001bb","/dev/tty",null],["search",2,"a\u001bb","\"q\"\n.so","/y"]]'
	run --separate-stderr "$IOR_BIN/ior-errors" "$T/i.ior"
	assert_success
	assert_line --partial 'search  "\"q\"\n.so": 2 tries over /x, found in /y after 1 ENOENT [5 "a\x1bb" at'
	assert_line --partial 'retry   read(/dev/tty): 3 EINTR over'
}

@test "bad input: one line naming the stream and the offset, exit 1, the stories before it told; usage exit 2" {
	write_errors
	size=$(stat -c %s "$T/e.ior")
	head -c $((size - 100)) "$T/e.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/cut.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-errors: $T/cut.ior: "*"at offset "[0-9]* ]] ||
		fail "the error line: $stderr"
	run jq -c '[.truncated, ([.stories[].kind] | sort)]' <<< "$output"
	assert_output '[true,["denied","failed","retry","search","search"]]'
	run --separate-stderr "$IOR_BIN/ior-errors" -x
	assert_failure 2
	run "$IOR_BIN/ior-errors" -h
	assert_success
	assert_output --partial EXAMPLES
}

@test "a real program with LD_LIBRARY_PATH naming three empty directories: one search through all three, then found" {
	require_bpf
	mkdir "$T/e1" "$T/e2" "$T/e3"
	LD_LIBRARY_PATH=$T/e1:$T/e2:$T/e3 capture -- /bin/true 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior" || fail "ior-pair"
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/p.ior"
	assert_success
	echo "$output" > "$T/e.json"
	run jq -c '[.stories[] | select(.kind == "search" and .name == "libc.so.6")] | length' "$T/e.json"
	assert_output 1
	run jq -c --arg t "$T" '.stories[] | select(.kind == "search" and .name == "libc.so.6") | [.roots == [$t + "/e1", $t + "/e2", $t + "/e3"], (.found | test("x86_64-linux-gnu$|^/lib|^/usr/lib")), .errno, .failures >= 3, .time_lost_ns > 0]' "$T/e.json"
	assert_output '[true,true,"ENOENT",true,true]'
	# It is the costliest story, and no try in the three is told apart.
	run jq -r '.stories[0].name' "$T/e.json"
	assert_output libc.so.6
	run jq -c --arg t "$T" '[.stories[] | select(.kind != "search") | select((.path // "") | startswith($t))] | length' "$T/e.json"
	assert_output 0
	run --separate-stderr "$IOR_BIN/ior-errors" "$T/p.ior"
	assert_line --regexp "search  libc\.so\.6: [0-9]+ tries over $T/e1, $T/e2, $T/e3 \([0-9]+ subdirectories\)"
}

@test "a failure in a later section whose clock starts before the first's is told at a negative time, not wrapped" {
	cat > "$T/two.txt" <<'TXT'
section anchor=0,1000000000
syscall name=unlink nargs=1 paths=0 family=namespace
name kind=comm id=1 value=prog
name id=1 value="/tmp/x"
pair pid=10 nr=unlink ret=-ENOENT latency=2000 path=1 comm=1 t=5000000000
trailer
section anchor=0,1000000000
syscall name=unlink nargs=1 paths=0 family=namespace
name kind=comm id=1 value=prog
name id=1 value="/tmp/y"
pair pid=20 nr=unlink ret=-ENOENT latency=2000 path=1 comm=1 t=2000000000
trailer
TXT
	"$IOR_BIN/iorgen" "$T/two.txt" > "$T/two.ior" || fail "iorgen"
	run --separate-stderr "$IOR_BIN/ior-errors" --json "$T/two.ior"
	assert_success
	run jq -c '[.stories[] | .first_s] | sort' <<< "$output"
	assert_output '[-3,0]'
}
