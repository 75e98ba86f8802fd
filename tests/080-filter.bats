#!/usr/bin/env bats
# The filter language (lib/filter.c, docs/filter.md), through ior-grep on
# one fixture of seven pairs whose every field is known.  Each test names
# the pairs an expression must keep by their sequence numbers.

load helpers

setup() {
	ior_setup
	FIX=$T/fix.ior
	# Anchor: clock 1 s is 2023-11-14 22:13:20 UTC.
	"$IOR_BIN/iorgen" > "$FIX" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
syscall name=read
syscall name=write
syscall name=pread64
syscall name=renameat
syscall name=close
process pid=10 ppid=1 comm=cat
process pid=11 ppid=1 comm=nginx
process pid=12 ppid=11 comm=cat
task_new t=1000000500 parent=10 child=13 comm=cat
name kind=comm id=1 value=cat
name kind=comm id=2 value=nginx
name id=1 value=/var/log/syslog
name id=2 value=/etc/passwd
name id=3 value=/tmp/out.log
name id=4 value=/var/lib/x
name id=5 value=/home/a
name id=6 value=/tmp/b
pair t=1001000000 pid=10 nr=openat fd=3 ret=3 path=1 comm=1 latency=5000 flags=0x80000
pair t=1002000000 pid=10 nr=read fd=3 ret=4096 bytes=4096 path=1 comm=1 latency=20000000 gap=1000 pflags=3
pair t=3600000000 pid=11 nr=openat ret=-2 path=2 comm=2 latency=1000
pair t=4000000000 pid=11 tid=14 nr=write fd=1 ret=1048576 bytes=1048576 path=3 comm=2 latency=250000 gap=500000000 pflags=5
pair t=5000000000 pid=12 nr=pread64 fd=5 ret=-13 path=4 comm=1 latency=1000000
pair t=6000000000 pid=12 nr=renameat ret=0 path=5 path2=6 comm=1 latency=2000000
pair t=7000000000 pid=13 nr=close fd=3 ret=0 comm=1 latency=3000
pair_totals
trailer
GEN
}

# kept EXPR: the sequence numbers of the pairs ior-grep keeps, in $output.
kept() {
	local st=0

	"$IOR_BIN/ior-grep" "$1" "$FIX" > "$T/out.ior" 2> "$T/err" || st=$?
	[ "$st" -eq 0 ] || { echo "ior-grep '$1': status $st: $(cat "$T/err")"; return 1; }
	[ ! -s "$T/err" ] || { echo "ior-grep '$1': $(cat "$T/err")"; return 1; }
	"$IOR_BIN/ior-dump" --json "$T/out.ior" > "$T/out.json"
	output=$(jq -r 'select(.type == "pair") | .seq' "$T/out.json" | paste -sd' ')
}

# refused EXPR MESSAGE: exit 2, one line, nothing on standard output.
refused() {
	run --separate-stderr "$IOR_BIN/ior-grep" "$1" "$FIX"
	assert_equal "$status" 2
	assert_equal "$stderr" "ior-grep: filter: $2"
	assert_equal "$output" ""
}

@test "numbers compare with = != < <= > >=" {
	kept 'pid=10';          assert_output "1 2"
	kept 'pid!=10';         assert_output "3 4 5 6 7"
	kept 'tid>11';          assert_output "4 5 6 7"
	kept 'tid>=12';         assert_output "4 5 6 7"
	kept 'pid<11';          assert_output "1 2"
	kept 'pid<=11';         assert_output "1 2 3 4"
	kept 'tid=14';          assert_output "4"
	kept 'fd=3';            assert_output "1 2 7"
	kept 'fd<0';            assert_output "3 6"
	kept 'ret<0';           assert_output "3 5"
	kept 'ret=-13';         assert_output "5"
	kept 'flags=0x80000';   assert_output "1"
	kept 'seq>=6';          assert_output "6 7"
}

@test "durations take ns us ms s, sizes K M G, a bare number is ns or bytes" {
	kept 'latency>=10ms';   assert_output "2"
	kept 'latency<1ms';     assert_output "1 3 4 7"
	kept 'latency<=1ms';    assert_output "1 3 4 5 7"
	kept 'latency>250us';   assert_output "2 5 6"
	kept 'latency=250us';   assert_output "4"
	kept 'latency=250000';  assert_output "4"
	kept 'latency=250000ns'; assert_output "4"
	kept 'latency>=0.02s';  assert_output "2"
	kept 'latency>=1.5ms';  assert_output "2 6"
	kept 'latency<1m';      assert_output "1 2 3 4 5 6 7"
	kept 'latency>1h';      assert_output ""
	kept 'bytes>=4K';       assert_output "2 4"
	kept 'bytes=1M';        assert_output "4"
	kept 'bytes>4096';      assert_output "4"
	kept 'bytes<1G';        assert_output "1 2 3 4 5 6 7"
	kept 'bytes>=0.5M';     assert_output "4"
	kept 'read=4K';         assert_output "2"
	kept 'write>=1M';       assert_output "4"
	kept 'read';            assert_output "2"
}

@test "a gap that is not known passes no test on it" {
	kept 'gap>=1ms';        assert_output "4"
	kept 'gap<1ms';         assert_output "2"
	kept 'gap';             assert_output "2 4"
	kept 'not gap';         assert_output "1 3 5 6 7"
}

@test "strings: = exact, ~ substring with ^ and \$ anchors, !~, =~ regex" {
	kept 'comm=cat';        assert_output "1 2 5 6 7"
	kept 'comm=ca';         assert_output ""
	kept 'comm!=cat';       assert_output "3 4"
	kept 'comm~gin';        assert_output "3 4"
	kept 'comm~^ng';        assert_output "3 4"
	kept 'comm~^gin';       assert_output ""
	kept 'comm~x$';         assert_output "3 4"
	kept 'comm~^cat$';      assert_output "1 2 5 6 7"
	kept 'comm!~a';         assert_output "3 4"
	kept "comm=~'^n.*x\$'"; assert_output "3 4"
	kept 'path~^/var';      assert_output "1 2 5"
	kept 'path~log$';       assert_output "1 2 4"
	kept 'path=/etc/passwd'; assert_output "3"
	kept "path='/etc/passwd'"; assert_output "3"
	kept 'path=~"^/(etc|home)/"'; assert_output "3 6"
	kept 'dir=/var/log';    assert_output "1 2"
	kept 'dir~^/tmp';       assert_output "4 6"
	kept 'base=passwd';     assert_output "3"
	kept 'base~^x$';        assert_output "5"
	kept 'syscall=read';    assert_output "2"
	kept 'syscall~open';    assert_output "1 3"
	kept "host=$(uname -n)"; assert_output "1 2 3 4 5 6 7"
	kept "host!=$(uname -n)"; assert_output ""
}

@test "a path test looks at both files of a rename; a missing path is no match" {
	kept 'path~/tmp';       assert_output "4 6"
	kept 'path=/home/a';    assert_output "6"
	kept 'path!~/tmp';      assert_output "1 2 3 5 7"
	kept 'path';            assert_output "1 2 3 4 5 6"
	kept 'not path';        assert_output "7"
}

@test "families and classes by name, errors by errno name or number" {
	kept 'family=read';     assert_output "2 5"
	kept 'family=write';    assert_output "4"
	kept 'family!=open';    assert_output "2 4 5 6 7"
	kept 'family~name';     assert_output "6"
	kept 'class=error';     assert_output "3 5"
	kept 'class=metadata';  assert_output "6"
	kept 'class=open/close'; assert_output "1 3 7"
	kept 'class~open';     assert_output "1 3 7"
	kept 'class!=error';    assert_output "1 2 4 6 7"
	kept 'errno=ENOENT';    assert_output "3"
	kept 'errno=2';         assert_output "3"
	kept 'errno!=ENOENT';   assert_output "1 2 4 5 6 7"
	kept 'errors';          assert_output "3 5"
	kept 'errors=0';        assert_output "1 2 4 6 7"
}

@test "lists: any of the values, != none of them" {
	kept 'syscall=read,pread64';    assert_output "2 5"
	kept 'errno=ENOENT,EACCES';     assert_output "3 5"
	kept 'pid=10,13';               assert_output "1 2 7"
	kept 'pid!=10,13';              assert_output "3 4 5 6"
	kept 'comm~ngi,zzz';            assert_output "3 4"
	kept 'latency=5us,1us';         assert_output "1 3"
}

@test "ppid comes from the process and task records before the pairs" {
	kept 'ppid=1';          assert_output "1 2 3 4"
	kept 'ppid=11';         assert_output "5 6"
	kept 'ppid=10';         assert_output "7"
}

@test "time relative to the start of the stream" {
	kept 'time>=+2.5s';     assert_output "3 4 5 6 7"
	kept 'time<+3s';        assert_output "1 2 3"
	kept 'time>=+2.5s time<+3s';    assert_output "3"
	kept 'time>=2600ms';    assert_output "3 4 5 6 7"
	kept 'time>+2.6s';      assert_output "4 5 6 7"
}

@test "wall-clock times are local times of the day the section's anchor names" {
	TZ=UTC kept 'time>=22:13:23';           assert_output "4 5 6 7"
	TZ=UTC kept 'time<22:13:22.6';          assert_output "1 2"
	TZ=UTC kept 'time<22:13:22.600001';     assert_output "1 2 3"
	TZ=UTC kept 'time>=22:00';              assert_output "1 2 3 4 5 6 7"
	TZ=UTC kept 'time<22:13';               assert_output ""
	TZ=Asia/Tokyo kept 'time>=07:13:23';    assert_output "4 5 6 7"
	# Past midnight: the capture started late in the day.
	TZ=Asia/Tokyo kept 'time<07:13:24';     assert_output "1 2 3 4"
	TZ=UTC kept 'time>=08:00';              assert_output ""
}

@test "not binds tighter than and, and tighter than or; parentheses regroup" {
	kept 'comm=cat or comm=nginx and errors';       assert_output "1 2 3 5 6 7"
	kept '(comm=cat or comm=nginx) and errors';     assert_output "3 5"
	kept 'comm=cat errors';                         assert_output "5"
	kept 'comm=cat && errors';                      assert_output "5"
	kept 'not comm=cat and errors';                 assert_output "3"
	kept 'not (comm=cat and errors)';               assert_output "1 2 3 4 6 7"
	kept '!errors';                                 assert_output "1 2 4 6 7"
	kept 'pid=10 || pid=13';                        assert_output "1 2 7"
	kept 'not not errors';                          assert_output "3 5"
	kept '((pid=10)) or (seq=4 or (seq=5))';        assert_output "1 2 4 5"
	kept 'latency >= 10ms';                         assert_output "2"
}

@test "ior-grep -v keeps the pairs the expression does not match" {
	"$IOR_BIN/ior-grep" -v 'comm=cat' "$FIX" > "$T/v.ior"
	run sh -c "'$IOR_BIN/ior-dump' --json '$T/v.ior' | jq -r 'select(.type == \"pair\" or .type == \"filter\") | .seq // .expr' | paste -sd' '"
	assert_output "3 4 not (comm=cat)"
}

@test "an unknown field is named at its column with a suggestion, exit 2" {
	refused 'lantency>1' "unknown field 'lantency' at column 1 (did you mean latency?)"
	refused 'comm=cat and lantency>1ms' "unknown field 'lantency' at column 14 (did you mean latency?)"
	refused 'xyzzy' "unknown field 'xyzzy' at column 1"
	refused 'syscall=opne' "unknown syscall 'opne' at column 9 (did you mean open?)"
	refused 'errno=ENOENTT' "unknown errno 'ENOENTT' at column 7 (did you mean ENOENT?)"
	refused 'family=raed' "unknown family 'raed' at column 8 (did you mean read?)"
	refused 'class=errror' "unknown class 'errror' at column 7 (did you mean error?)"
}

@test "an operator or value that does not fit is named at its column" {
	refused 'comm<3' "'<' does not apply to comm at column 5 (use = != ~ !~ =~)"
	refused 'latency~3' "'~' does not apply to latency at column 8 (use = != < <= > >=)"
	refused 'latency>10xs' "bad duration '10xs' (use ns, us, ms, s, m or h, as in 10ms) at column 9"
	refused 'bytes>4Q' "bad size '4Q' (use K, M, G or T, as in 4K) at column 7"
	refused 'pid=abc' "bad number 'abc' for pid at column 5"
	refused 'pid=-1' "bad number '-1' for pid at column 5"
	refused 'errno=-1' "bad errno '-1' (a name such as ENOENT or a number) at column 7"
	refused 'time>=25:00' "bad time '25:00' (use +2.5s from the start or 10:42:07.5) at column 7"
	refused 'time>=+2.5x' "bad time '+2.5x' (use +2.5s from the start or 10:42:07.5) at column 7"
	refused 'latency<1,2' "a list needs = != ~ or !~, not '<' at column 10"
	refused 'pid=' "expected a value after '=' at column 5"
}

@test "syntax errors: parentheses, quotes, regexes, empty input, stray bytes" {
	refused '(pid=1' "unbalanced '(' at column 1"
	refused 'pid=1)' "unexpected ')' at column 6"
	refused '' "empty expression"
	refused '   ' "empty expression"
	refused 'pid=1 and' "expression ends where a test should be at column 10"
	refused "comm='abc" "unterminated quote at column 6"
	refused 'pid=1 , pid=2' "expected a test (a field such as latency), not ',' at column 7"
	refused $'\x01pid' "expected a test (a field such as latency), not '\\x01' at column 1"
	run --separate-stderr "$IOR_BIN/ior-grep" "path=~'('" "$FIX"
	assert_equal "$status" 2
	[[ "$stderr" == "ior-grep: filter: bad regex '(': "*" at column 7" ]]
}

@test "a name redefined in the stream is matched again, not from memory" {
	"$IOR_BIN/iorgen" > "$T/redef.ior" <<'GEN'
section anchor=1,1
syscall name=read
name kind=comm id=1 value=cat
pair pid=1 nr=read comm=1
name kind=comm id=1 value=nginx
pair pid=1 nr=read comm=1
trailer
section anchor=1,1
syscall name=read
name kind=comm id=1 value=nginx
pair pid=1 nr=read comm=1
trailer
GEN
	FIX=$T/redef.ior
	kept 'comm=cat';        assert_output "1"
	kept 'comm=nginx';      assert_output "2 1"
}
