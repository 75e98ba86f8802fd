#!/usr/bin/env bats
# Navigating a recording with ior-dump: --from/--to by sequence number or
# time, grep-style context (-A/-B/-C) around -F matches, strace-like -s N
# and colour (--color, NO_COLOR).

load helpers

setup() {
	ior_setup
	FIX=$T/fix.ior
	# Nine pairs, 1 ms apart from +1ms; #2 is slow (20 ms), #4 and #8
	# fail; a loss record sits between #5 and #6.
	cat > "$T/fix.txt" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
syscall name=read
process pid=10 ppid=1 comm=cat exe=/bin/cat cwd=/home/someone
snapshot_end
name kind=comm id=1 value=cat
name id=1 value=/var/log/syslog
name id=2 value=/etc/passwd
pair t=1001000000 pid=10 nr=openat fd=3 ret=3 path=1 comm=1 latency=5000
pair t=1002000000 pid=10 nr=read fd=3 ret=10 bytes=10 path=1 comm=1 latency=20000000 pflags=3
pair t=1003000000 pid=10 nr=read fd=3 ret=10 bytes=10 path=1 comm=1 latency=2000 pflags=3
pair t=1004000000 pid=10 nr=openat ret=-2 path=2 comm=1 latency=1000
pair t=1005000000 pid=10 nr=read fd=3 ret=10 bytes=10 path=1 comm=1 latency=2000 pflags=3
loss lost=3
pair t=1006000000 pid=10 nr=read fd=3 ret=10 bytes=10 path=1 comm=1 latency=2000 pflags=3
pair t=1007000000 pid=10 nr=read fd=3 ret=10 bytes=10 path=1 comm=1 latency=2000 pflags=3
pair t=1008000000 pid=10 nr=openat ret=-2 path=2 comm=1 latency=1000
pair t=1009000000 pid=10 nr=read fd=3 ret=0 path=1 comm=1 latency=2000 pflags=3
pair_totals
trailer
GEN
	"$IOR_BIN/iorgen" "$T/fix.txt" > "$FIX"
}

# seqs ARG...: ior-dump ARG... must succeed; prints its pairs' sequence
# numbers and `--` lines, space-separated, in order.
seqs() {
	run --separate-stderr "$IOR_BIN/ior-dump" "$@"
	[ "$status" = 0 ] || fail "ior-dump $* exited $status: $stderr"
	[ -z "$stderr" ] || fail "ior-dump $* said: $stderr"
	sed -n 's/.* #\([0-9]*\)$/\1/p; /^--$/p' <<< "$output" | tr '\n' ' ' |
		sed 's/ $//'
}

@test "--from and --to by sequence number show those pairs, both ends included" {
	assert_equal "$(seqs --from 3 --to 5 "$FIX")" "3 4 5"
	assert_equal "$(seqs --from '#8' "$FIX")" "8 9"
	assert_equal "$(seqs --to '#2' "$FIX")" "1 2"
	assert_equal "$(seqs --from 6 --to 6 "$FIX")" "6"
	assert_equal "$(seqs --from 7 --to 5 "$FIX")" ""
	# Context records pass: the process line and the loss in the window.
	run "$IOR_BIN/ior-dump" --from 5 --to 6 "$FIX"
	assert_line --partial '# process 10 (cat)'
	assert_line '# loss: cpu 0 lost 3 (total 3)'
	# JSON says the same.
	"$IOR_BIN/ior-dump" --json --from 3 --to 5 "$FIX" > "$T/j"
	assert_equal "$(jq -c 'select(.type == "pair") | .seq' "$T/j" | tr '\n' ' ')" "3 4 5 "
}

@test "--from and --to by time: from the start with a unit, or by the wall clock" {
	assert_equal "$(seqs --from +3ms --to +5ms "$FIX")" "3 4 5"
	assert_equal "$(seqs --from 0.0035s --to 5500us "$FIX")" "4 5"
	assert_equal "$(seqs --from +8500000ns "$FIX")" "9"
	# The anchor is 22:13:20 UTC: pair #N began N ms later.
	export TZ=UTC
	assert_equal "$(seqs --from 22:13:20.002 --to 22:13:20.0041 "$FIX")" "2 3 4"
	assert_equal "$(seqs --wall --to 22:13:20.001 "$FIX")" "1"
	# Mixed: a sequence number and a time.
	assert_equal "$(seqs --from 2 --to +3ms "$FIX")" "2 3"
	# -F first, then the window; the filter line counts the whole section.
	run "$IOR_BIN/ior-dump" -F errors --from 5 "$FIX"
	assert_equal "$(grep -c ' #[0-9]*$' <<< "$output")" 1
	assert_line --partial '#8'
	assert_line '# filter: kept 2 of 9 pairs: "errors"'
}

@test "a time window bounds a raw stream's events by their time; other records pass" {
	"$IOR_BIN/iorgen" > "$T/raw.ior" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat nargs=4 paths=1
process pid=5 comm=sh
snapshot_end
enter t=1001000000 pid=5 nr=openat args=0,0,0,0 str1=/one
exit t=1001500000 pid=5 nr=openat ret=3
enter t=1003000000 pid=5 nr=openat args=0,0,0,0 str1=/two
loss t=1003200000 lost=1
exit t=1003500000 pid=5 nr=openat ret=-2
enter t=1005000000 pid=5 nr=openat args=0,0,0,0 str1=/three
exit t=1005500000 pid=5 nr=openat ret=4
trailer
GEN
	run --separate-stderr "$IOR_BIN/ior-dump" --from +2ms --to +4ms "$T/raw.ior"
	assert_success
	assert_equal "$(grep -c '^ *[0-9.]* 5/5 ' <<< "$output")" 2
	assert_line --partial '> openat(0, "/two", 0, 0)'
	assert_line --partial '< openat = -1 ENOENT'
	refute_output --partial '/one'
	refute_output --partial '/three'
	assert_line --partial '# loss: cpu 0 lost 1'
	assert_line --partial '# trailer:'
	# A sequence number bounds pairs only: every event of a raw stream passes.
	run "$IOR_BIN/ior-dump" --to 1 "$T/raw.ior"
	assert_equal "$(grep -c '^ *[0-9.]* 5/5 ' <<< "$output")" 6
}

@test "past a --to sequence number ior-dump stops reading, so a live pipe ends" {
	# A writer that never closes the pipe: reading on would hang.
	mkfifo "$T/fifo"
	exec 5<> "$T/fifo"
	cat "$FIX" >&5
	run --separate-stderr timeout 10 "$IOR_BIN/ior-dump" --to 3 < "$T/fifo"
	exec 5>&-
	assert_success
	assert_equal "$(sed -n 's/.* #\([0-9]*\)$/\1/p' <<< "$output" | tr '\n' ' ')" "1 2 3 "
	refute_output --partial '# trailer'
	assert_equal "$stderr" ""
	# With -F its filter line still ends the output, of the pairs seen.
	run "$IOR_BIN/ior-dump" -F errors --to 5 "$FIX"
	assert_success
	assert_line '# filter: kept 1 of 6 pairs: "errors"'
	# A time --to reads on: pairs are written as calls return.
	run "$IOR_BIN/ior-dump" --to +3ms "$FIX"
	assert_line --partial '# trailer'
}

@test "a section seen out of sequence order is read to its end" {
	"$IOR_BIN/iorgen" > "$T/shuffled.ior" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=read
pair pid=1 nr=read seq=2
pair pid=1 nr=read seq=1
pair pid=1 nr=read seq=4
pair pid=1 nr=read seq=3
pair pid=1 nr=read seq=5
trailer
GEN
	assert_equal "$(seqs --to 3 "$T/shuffled.ior")" "2 1 3"
	run "$IOR_BIN/ior-dump" --to 3 "$T/shuffled.ior"
	assert_line --partial '# trailer'
}

@test "-A, -B and -C show pairs around each -F match, with -- between groups that do not touch" {
	assert_equal "$(seqs -F errors -C 1 "$FIX")" "3 4 5 -- 7 8 9"
	assert_equal "$(seqs -F errors -A 1 "$FIX")" "4 5 -- 8 9"
	assert_equal "$(seqs -F errors -B 2 "$FIX")" "2 3 4 -- 6 7 8"
	# Groups that overlap or touch are one.
	assert_equal "$(seqs -F errors -C 2 "$FIX")" "2 3 4 5 6 7 8 9"
	assert_equal "$(seqs -F errors -A 1 -B 2 "$FIX")" "2 3 4 5 6 7 8 9"
	assert_equal "$(seqs -F errors -B 9 "$FIX")" "1 2 3 4 5 6 7 8"
	# -A and -B win over -C, before or after it.
	assert_equal "$(seqs -F errors -A 0 -C 2 "$FIX")" "2 3 4 -- 6 7 8"
	assert_equal "$(seqs -F errors -C 2 -B 0 "$FIX")" "4 5 6 -- 8 9"
	# No context asked: no -- lines.
	assert_equal "$(seqs -F errors "$FIX")" "4 8"
	# The window bounds the context too.
	assert_equal "$(seqs -F errors -C 2 --from 3 --to 8 "$FIX")" "3 4 5 6 7 8"
	# Context counts pairs: the loss line between #5 and #6 shows as
	# always, inside the first group, before the --.
	run "$IOR_BIN/ior-dump" -F errors -C 1 "$FIX"
	assert_equal "$(grep -E ' #5$|^# loss|^--$' <<< "$output" | cut -c1-8)" \
		"$(printf '  0.0050\n# loss: \n--')"
}

@test "context does not cross a section header and -- never starts a section" {
	{ cat "$FIX"; "$IOR_BIN/iorgen" "$T/fix.txt"; } > "$T/two.ior"
	assert_equal "$(seqs -F errors -B 1 "$T/two.ior")" "3 4 -- 7 8 3 4 -- 7 8"
	assert_equal "$(seqs -F 'seq=1' -A 1 "$T/two.ior")" "1 2 1 2"
	run "$IOR_BIN/ior-dump" -F errors -B 1 "$T/two.ior"
	assert_equal "$(grep -A1 '^# trailer' <<< "$output" | sed -n 2p | cut -c1-11)" "# section 2"
}

@test "in JSON, context pairs say \"context\":true and groups have no separator line" {
	"$IOR_BIN/ior-dump" --json -F errors -C 1 "$FIX" > "$T/j"
	jq -e . "$T/j" > /dev/null
	assert_equal "$(jq -r 'select(.type == "pair") | "\(.seq)\(if .context then "c" else "" end)"' "$T/j" | tr '\n' ' ')" \
		"3c 4 5c 7c 8 9c "
	run grep -c '^--' "$T/j"
	assert_output 0
	# Offsets are each pair's own, held back by -B or not.
	assert_equal "$(jq -r 'select(.type == "pair") | .offset' "$T/j" | sort -un | wc -l)" 6
	"$IOR_BIN/ior-dump" --json "$FIX" | jq -c 'select(.type == "pair") | [.seq, .offset]' > "$T/all"
	"$IOR_BIN/ior-dump" --json -F errors -B 1 "$FIX" | jq -c 'select(.type == "pair") | [.seq, .offset]' > "$T/ctx"
	grep -Fxf "$T/ctx" "$T/all" > "$T/both"
	cmp "$T/ctx" "$T/both"
}

@test "--csv, --rows and --timeline see the pairs -F, --from/--to and context choose, with no -- line" {
	"$IOR_BIN/ior-dump" --csv --from 3 --to 5 "$FIX" > "$T/csv"
	assert_equal "$(cut -d, -f1 "$T/csv" | tr '\n' ' ')" "seq 3 4 5 "
	"$IOR_BIN/ior-dump" --rows -F errors -C 1 "$FIX" > "$T/rows"
	assert_equal "$(jq -c .seq "$T/rows" | tr '\n' ' ')" "3 4 5 7 8 9 "
	"$IOR_BIN/ior-dump" --timeline --from +3ms --to +4ms "$FIX" > "$T/tl"
	assert_equal "$(jq -c '[.traceEvents[] | select(.ph == "X") | .args.seq]' "$T/tl")" "[3,4]"
	"$IOR_BIN/ior-dump" --csv --color=always -s 2 -F errors -B 1 "$FIX" > "$T/csv"
	assert_equal "$(cut -d, -f1 "$T/csv" | tr '\n' ' ')" "seq 3 4 7 8 "
	run grep -c $'\e' "$T/csv"
	assert_output 0
}

@test "-s N cuts quoted strings to N bytes then ..., as strace; whole by default" {
	"$IOR_BIN/iorgen" > "$T/s.ior" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
name kind=comm id=1 value=a-long-comm-name
name id=1 value="/tmp/\xc3\xa9t\xc3\xa9"
name id=2 value=/tmp/x
name id=3 value=/var/log/syslog
pair pid=1 nr=openat path=1 comm=1 ret=3 fd=3
pair pid=1 nr=openat path=2 comm=1 ret=3 fd=4
pair pid=1 nr=openat path=3 comm=1 ret=3 fd=5
trailer
GEN
	run "$IOR_BIN/ior-dump" "$T/s.ior"
	assert_line --partial 'openat(3 "/tmp/été") = 3'
	assert_line --partial 'openat(4 "/tmp/x") = 3'
	assert_line --partial 'openat(5 "/var/log/syslog") = 3'
	run "$IOR_BIN/ior-dump" -s 5 "$T/s.ior"
	assert_line --partial 'openat(3 "/tmp/"...) = 3'
	assert_line --partial 'openat(5 "/var/"...) = 3'
	# é is two bytes: 6 cannot hold it, 7 can; a character is never cut.
	run "$IOR_BIN/ior-dump" -s 6 "$T/s.ior"
	assert_line --partial 'openat(3 "/tmp/"...) = 3'
	assert_line --partial 'openat(4 "/tmp/x") = 3'
	run "$IOR_BIN/ior-dump" -s 7 "$T/s.ior"
	assert_line --partial 'openat(3 "/tmp/é"...) = 3'
	# Exactly long enough: whole, no ...
	run "$IOR_BIN/ior-dump" -s 15 "$T/s.ior"
	assert_line --partial 'openat(5 "/var/log/syslog") = 3'
	assert_line --partial 'openat(3 "/tmp/été") = 3'
	run "$IOR_BIN/ior-dump" -s 0 "$T/s.ior"
	assert_line --partial 'openat(4 ""...) = 3'
	# Columns (the comm) and JSON are not cut.
	run "$IOR_BIN/ior-dump" -s 2 "$T/s.ior"
	assert_line --partial 'a-long-comm-nam'
	"$IOR_BIN/ior-dump" --json -s 2 "$T/s.ior" > "$T/j"
	assert_equal "$(jq -r 'select(.type == "pair") | .path' "$T/j" | head -1)" "/tmp/été"
}

@test "--color=always colours failed calls, slow latencies and --; never, pipes and JSON are plain" {
	local red=$'\e[1;31m' yellow=$'\e[33m' cyan=$'\e[36m' off=$'\e[m'

	run "$IOR_BIN/ior-dump" --color=always -F 'errors or latency>=10ms' -A 1 "$FIX"
	assert_success
	assert_line --partial "= ${red}-1 ENOENT (No such file or directory)${off} <0.000001> #4"
	assert_line --partial "[10 B read] ${yellow}<0.020000>${off} #2"
	assert_line "${red}# loss: cpu 0 lost 3 (total 3)${off}"
	assert_line "${cyan}--${off}"
	# A fast, successful call has none.
	assert_equal "$(grep ' #5$' <<< "$output" | grep -c $'\e')" 0
	# 10 ms is slow; 9.999 ms is not.
	printf 'section anchor=0,0\nsyscall name=read\npair pid=1 nr=read latency=10000000\npair pid=1 nr=read latency=9999999\ntrailer\n' |
		"$IOR_BIN/iorgen" > "$T/edge.ior"
	run "$IOR_BIN/ior-dump" --colour=always "$T/edge.ior"
	assert_line --partial "${yellow}<0.010000>${off} #1"
	assert_line --partial "= 0 <0.010000> #2"
	# Not a terminal (bats captures through a pipe), never, JSON, --stats.
	for args in "" "--color=never" "--color" "--color=always --json" "--color=always --stats"; do
		# shellcheck disable=SC2086
		"$IOR_BIN/ior-dump" $args "$FIX" > "$T/out"
		run grep -c $'\e' "$T/out"
		assert_output 0
	done
	# always wins over NO_COLOR.
	NO_COLOR=1 "$IOR_BIN/ior-dump" --color=always "$FIX" > "$T/out"
	grep -qF "$red" "$T/out"
}

@test "--color=auto colours a terminal unless NO_COLOR is set and not empty, or TERM is dumb" {
	local red=$'\e[1;31m'
	cmd="'$IOR_BIN/ior-dump' '$FIX'"

	NO_COLOR= TERM=xterm script -qec "$cmd" /dev/null > "$T/tty"
	grep -qF "$red" "$T/tty"
	TERM=xterm script -qec "env -u NO_COLOR $cmd --color=auto" /dev/null > "$T/tty"
	grep -qF "$red" "$T/tty"
	NO_COLOR=1 TERM=xterm script -qec "$cmd" /dev/null > "$T/tty"
	grep -q 'ENOENT' "$T/tty"
	run grep -c $'\e' "$T/tty"
	assert_output 0
	NO_COLOR= TERM=dumb script -qec "$cmd" /dev/null > "$T/tty"
	run grep -c $'\e' "$T/tty"
	assert_output 0
}

@test "colour never lets a stream's bytes start, end or change an escape sequence" {
	"$IOR_BIN/iorgen" > "$T/evil.ior" <<'GEN'
section anchor=1000000000,1700000000000000000
syscall name=openat
name kind=comm id=1 value="\x1b[m\x1b]0;x\x07"
name id=1 value="/tmp/\x1b[2J\x1b[32mok\x1b[m\x9b1m"
pair pid=1 nr=openat path=1 comm=1 ret=-2 latency=20000000
miss missed=1 program="\x1b[0m"
trailer
GEN
	run "$IOR_BIN/ior-dump" --color=always -s 9 "$T/evil.ior"
	assert_success
	# Every escape sequence is one ior-dump wrote.
	assert_equal "$(sed 's/\x1b\[1;31m//g; s/\x1b\[33m//g; s/\x1b\[m//g' <<< "$output" |
		grep -c $'\e\|\x9b\|\x07')" 0
	assert_line --partial '"/tmp/\x1b[2J"...'
	assert_line --partial $'\e[1;31m# miss: program "\\x1b[0m" skipped 1'
}

@test "bad arguments are one line and exit 2" {
	local -A cases=(
		["--from x"]="ior-dump: --from: bad time 'x' (use a sequence number such as 17, +2.5s from the start or 10:42:07.5)"
		["--to +2"]="ior-dump: --to: bad time '+2' (use a sequence number such as 17, +2.5s from the start or 10:42:07.5)"
		["--from 1s||pid=1"]="ior-dump: --from: bad time '1s||pid=1' (use a sequence number such as 17, +2.5s from the start or 10:42:07.5)"
		["--to 25:00"]="ior-dump: --to: bad time '25:00' (use +2.5s from the start or 10:42:07.5)"
		["--from 99999999999999999999999"]="ior-dump: --from: bad sequence number '99999999999999999999999'"
		["-F errors -A x"]="ior-dump: -A: count 'x' is invalid"
		["-F errors -C -1"]="ior-dump: -C: count '-1' is too small"
		["-B 2"]="ior-dump: -A, -B and -C show pairs around the matches of -F EXPR, and there is no -F"
		["-s 1e3"]="ior-dump: -s: count '1e3' is invalid"
		["--color=sometimes"]="ior-dump: --color: bad value 'sometimes' (use auto, always or never)"
	)
	local args
	for args in "${!cases[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$IOR_BIN/ior-dump" $args "$FIX"
		assert_equal "$status" 2
		assert_equal "$stderr" "${cases[$args]}"
		assert_equal "$output" ""
	done
}

@test "navigation on a real capture: --from/--to, -B around a failure, -s and a time window agree with the JSON" {
	require_bpf
	mkdir -p "$T/w"
	capture -- "$IOR_BIN/workload" "$T/w"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/p.ior"
	dump_json "$T/p.ior"
	miss=$T/w/does-not-exist
	S=$(jqs --arg p "$miss" '[of("pair") | select(.path == $p) | .seq] | first')
	[ "$S" != null ] || fail "no pair on $miss"
	prev=$(jqs -r --argjson s "$((S - 1))" '[of("pair") | select(.seq == $s) | .syscall] | first')
	[ "$prev" != null ] || fail "no pair #$((S - 1))"

	# --from/--to: those two pairs.
	assert_equal "$(seqs --from $((S - 1)) --to "$S" "$T/p.ior")" "$((S - 1)) $S"
	# -B 1 around the failure: the pair before it, then it.
	run "$IOR_BIN/ior-dump" -F "path=$miss" -B 1 "$T/p.ior"
	assert_success
	assert_equal "$(grep -c ' #[0-9]*$' <<< "$output")" 2
	assert_equal "$(grep ' #[0-9]*$' <<< "$output" | sed -n 1p | awk '{print $4}' | cut -d'(' -f1)" "$prev"
	assert_line --regexp "openat\\(\"$miss\"\\) = -1 ENOENT .* #$S\$"
	# A time window of exactly the failure's enter time holds it.
	rel=$(jqs --arg p "$miss" '([of("section")] | first.anchor_clock_ns) as $a
		| [of("pair") | select(.path == $p) | .time_ns - $a] | first')
	n=$(jqs --argjson t "$((rel + $(jqs '[of("section")] | first.anchor_clock_ns')))" \
		'[of("pair") | select(.time_ns == $t)] | length')
	run "$IOR_BIN/ior-dump" --from "+${rel}ns" --to "+${rel}ns" "$T/p.ior"
	assert_equal "$(grep -c ' #[0-9]*$' <<< "$output")" "$n"
	assert_line --partial "\"$miss\") = -1 ENOENT"
	# -s 8: the first 8 bytes of the path.
	run "$IOR_BIN/ior-dump" -s 8 --from "$S" --to "$S" "$T/p.ior"
	assert_line --partial "openat(\"${miss:0:8}\"...) = -1 ENOENT"
}
