#!/usr/bin/env bats
# ior-diff: two runs compared (docs/analysis.md).  Fixtures written by
# iorgen with known answers, aggregate snapshots of the same pairs, bad
# input, and two real captures of the same program writing different sizes.

load helpers

# before/after: the same program; after reads twice as often, one file
# appears, one vanishes, openat stops failing.
write_runs() {
	cat > "$T/before.txt" <<'TXT'
section anchor=0,1000000000
syscall name=read nargs=3 family=read
syscall name=openat nargs=4 paths=1 family=open
name kind=comm id=1 value=prog
name id=1 value="/data/in"
name id=2 value="/data/gone"
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=10 nr=openat ret=-2 latency=500 path=2 comm=1
trailer
TXT
	cat > "$T/after.txt" <<'TXT'
section anchor=0,1000000000
syscall name=read nargs=3 family=read
syscall name=openat nargs=4 paths=1 family=open
name kind=comm id=1 value=prog
name id=1 value="/data/in"
name id=3 value="/data/new\nline"
pair pid=20 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=20 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=20 nr=read ret=100 bytes=100 latency=1000 path=1 comm=1 fd=3 pflags=2
pair pid=20 nr=read ret=100 bytes=100 latency=5000 path=1 comm=1 fd=3 pflags=2
pair pid=20 nr=openat ret=3 latency=700 path=3 comm=1 fd=3
trailer
TXT
	"$IOR_BIN/iorgen" "$T/before.txt" > "$T/before.ior" || fail "iorgen"
	"$IOR_BIN/iorgen" "$T/after.txt" > "$T/after.ior" || fail "iorgen"
}

@test "each syscall's count, bytes, errors, time, p50 and p99 before and after, with the change and the ratio" {
	write_runs
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.ior" "$T/after.ior"
	assert_success
	echo "$output" > "$T/d.json"
	run jq -c '.syscalls[] | select(.key == "read") | [.state, .before.count, .after.count, .before.bytes, .after.bytes, .before.time_ns, .after.time_ns, .change.time_ns, .ratio.time, .change.count, .ratio.count, .after.p50_ns, .after.p99_ns]' "$T/d.json"
	assert_output '["changed",2,4,200,400,2000,8000,6000,4,2,2,1003,5000]'
	run jq -c '.syscalls[] | select(.key == "openat") | [.before.errors, .after.errors, .change.errors]' "$T/d.json"
	assert_output '[1,0,-1]'
	# Sorted by the largest change in time: read (+6 us) before openat.
	run jq -c '[.syscalls[].key]' "$T/d.json"
	assert_output '["read","openat"]'
	# Processes compare by comm: pid 10 and pid 20 are the same program.
	run jq -c '[.processes[] | [.key, .state, .change.count]]' "$T/d.json"
	assert_output '[["prog","changed",2]]'
}

@test "files and directories that appear are new, those that vanish are gone" {
	write_runs
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.ior" "$T/after.ior"
	assert_success
	run jq -c '[.files[] | [.key, .state, .before == null, .after == null]]' <<< "$output"
	assert_output '[["/data/in","changed",false,false],["/data/new\nline","new",true,false],["/data/gone","gone",false,true]]'
	run --separate-stderr "$IOR_BIN/ior-diff" "$T/before.ior" "$T/after.ior"
	assert_success
	# Text: every stream byte escaped, the newline too.
	assert_line --regexp '^new .* "/data/new\\nline"$'
	assert_line --regexp '^gone .* /data/gone$'
	assert_line --regexp '^changed +2.00us +8.00us +\+6.00us +x4.00 +2 +4 .* read$'
}

@test "-f 'comm;syscall' compares stacks of the chosen fields" {
	write_runs
	run --separate-stderr "$IOR_BIN/ior-diff" -f 'comm;syscall' --json "$T/before.ior" "$T/after.ior"
	assert_success
	run jq -c '.fields, [.stacks[] | [.key, .before.count, .after.count, .change.time_ns]]' <<< "$output"
	assert_line -n 0 '"comm;syscall"'
	assert_line -n 1 '[[["prog","read"],2,4,6000],[["prog","openat"],1,1,200]]'
	run --separate-stderr "$IOR_BIN/ior-diff" -f 'syscall;errno' "$T/before.ior" "$T/after.ior"
	assert_success
	assert_line --regexp '^gone .* openat;ENOENT$'
	assert_line --regexp '^new .* openat;ok$'
}

@test "aggregate snapshots compare as the pairs they came from" {
	write_runs
	"$IOR_BIN/ior-agg" -o "$T/before.agg" "$T/before.ior"
	"$IOR_BIN/ior-agg" -o "$T/after.agg" "$T/after.ior"
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.ior" "$T/after.ior"
	assert_success
	pairs=$(jq -c 'del(.before, .after)' <<< "$output")
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.agg" "$T/after.ior"
	assert_success
	assert_equal "$(jq -c 'del(.before, .after)' <<< "$output")" "$pairs"
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.agg" "$T/after.agg"
	assert_success
	assert_equal "$(jq -c 'del(.before, .after)' <<< "$output")" "$pairs"
}

@test "bad input: one line naming the stream and the offset, exit 1, what was read still compared; usage exit 2" {
	write_runs
	size=$(stat -c %s "$T/after.ior")
	head -c $((size - 13)) "$T/after.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/before.ior" "$T/cut.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-diff: $T/cut.ior: "*"at offset "[0-9]* ]] ||
		fail "the error line: $stderr"
	run jq -c '.after.truncated, (.syscalls[] | select(.key == "read") | .after.count)' <<< "$output"
	assert_line -n 0 true
	assert_line -n 1 4
	printf 'not a stream at all' > "$T/junk"
	run --separate-stderr "$IOR_BIN/ior-diff" "$T/junk" "$T/after.ior"
	assert_failure 1
	[[ $stderr == "ior-diff: $T/junk: "*"at offset 0"* ]] || fail "$stderr"
	run --separate-stderr "$IOR_BIN/ior-diff" "$T/before.ior"
	assert_failure 2
	run --separate-stderr "$IOR_BIN/ior-diff" -f 'nosuch' "$T/before.ior" "$T/after.ior"
	assert_failure 2
	run "$IOR_BIN/ior-diff" -h
	assert_success
	assert_output --partial EXAMPLES
}

@test "two real runs of dd writing 10 and 40 blocks: the writes and bytes of the file grow by 30 and 120 KiB" {
	require_bpf
	for n in 10 40; do
		"$IOR_BIN/ior-capture" -q -o "$T/run$n.ior" -- \
			dd if=/dev/zero of="$T/out" bs=4096 count=$n status=none \
			2> "$T/capture.err" || fail "ior-capture: $(cat "$T/capture.err")"
		"$IOR_BIN/ior-pair" "$T/run$n.ior" > "$T/run$n.pairs" || fail "ior-pair"
	done
	run --separate-stderr "$IOR_BIN/ior-diff" --json "$T/run10.pairs" "$T/run40.pairs"
	assert_success
	echo "$output" > "$T/d.json"
	run jq -c --arg f "$T/out" '.files[] | select(.key == $f) | [.before.count, .after.count, .change.bytes, .before.bytes_written, .after.bytes_written]' "$T/d.json"
	# the file: one openat and the writes (dd's ftruncate and close too)
	[[ $output =~ ^\[([0-9]+),([0-9]+),122880,40960,163840\]$ ]] ||
		fail "the file's row: $output"
	assert_equal $((BASH_REMATCH[2] - BASH_REMATCH[1])) 30
	run jq -c '.syscalls[] | select(.key == "write") | [.change.count, .change.bytes, .ratio.bytes]' "$T/d.json"
	assert_output '[30,122880,4]'
	run jq -c '[.processes[] | select(.key == "dd") | .state]' "$T/d.json"
	assert_output '["changed"]'
}
