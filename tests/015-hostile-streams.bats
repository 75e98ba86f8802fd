#!/usr/bin/env bats
# Streams written to hurt the reader (issue 13): huge name ids, enter
# records with more arguments than any syscall has, strings longer than
# the format allows.  Every reading tool either takes them within memory
# that follows what the stream holds, or stops at them with one line
# `TOOL: STREAM: WHAT at offset N (DETAIL)`, exit 1, and everything before
# the damage output.  The limits are rules of lib/ior_format.h that
# stream_next() enforces; docs/format.md explains them.

load helpers

# mk NAME: the stream described on stdin, into $T/NAME.ior.  Read from
# stdin, every section header iorgen writes has the same size, so the
# size of a stream's head is the offset of the record after it.
mk() {
	"$IOR_BIN/iorgen" > "$T/$1.ior"
}

size_of() {
	stat -c %s "$1"
}

# bytes N C: N bytes C.
bytes() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# name_stream ID: a paired stream whose only path and comm have id ID.
name_stream() {
	cat <<EOF
section anchor=1000000000,1700000000000000000
syscall name=read nargs=3
name id=$1 value=/a
name kind=comm id=$1 value=c
pair t=1000000000 pid=7 nr=read ret=5 bytes=5 latency=2000 path=$1 comm=$1 fd=3 pflags=2
trailer
EOF
}

# rss_of TOOL [ARG...]: run TOOL ARG... (stdout to $T/out, stderr to
# $T/err) for at most 60 s, its peak RSS in KiB in $RSS and its status in
# $STATUS.  Memory is capped at 1 GiB so that a regression fails quickly
# instead of taking the machine: by ulimit -v for a normal build, by ASan's
# hard_rss_limit_mb for a sanitizer build (ASan reserves terabytes of
# address space, so it cannot run under ulimit -v).  ASan's quarantine
# holds freed memory back on purpose, so it is switched off: what is
# measured is the tool's.
rss_of() {
	local limit="ulimit -v $((1024 * 1024))"

	if ldd "$1" | grep -q libasan; then
		limit=:
	fi
	STATUS=0
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0:hard_rss_limit_mb=1024" \
		bash -c "$limit"' && exec "$@"' rss_of \
		timeout 60 /usr/bin/time -f %M -o "$T/rss" "$@" \
		> "$T/out" 2> "$T/err" || STATUS=$?
	RSS=$(tail -n 1 "$T/rss")
}

@test "name ids up to 2^32-1 cost the names the stream holds, not a table as large as the id" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time (package time: make deps)"
	local id tool
	# Two name records of id 2^28 made each reader zero a table of 2^28
	# entries: 8 GB for a stream of 300 bytes.
	for id in $((1 << 28)) $((1 << 30)) 4294967295; do
		name_stream "$id" | mk "id$id"
		for tool in "ior-dump" "ior-dump --json" "ior-agg --json" \
			    "ior-flame" "ior-top -b -n 1"; do
			# shellcheck disable=SC2086
			rss_of $IOR_BIN/$tool "$T/id$id.ior"
			echo "# $tool, id $id: status $STATUS, peak RSS $RSS KiB" >&3
			((STATUS == 0)) ||
				fail "$tool on ids $id: status $STATUS: $(cat "$T/err")"
			((RSS < 64 * 1024)) ||
				fail "$tool on ids $id: peak RSS $RSS KiB"
		done
		# And the names are there to be used.
		run jq -c 'select(.type == "pair") | [.path, .comm]' \
			< <("$IOR_BIN/ior-dump" --json "$T/id$id.ior")
		assert_output '["/a","c"]'
		run jq -c '[.files[].path, .processes[].comm]' \
			< <("$IOR_BIN/ior-agg" --json "$T/id$id.ior")
		assert_output '["/a","c"]'
	done
}

@test "sparse name ids, many, out of order and redefined, resolve to their latest value" {
	# ior-pair defines a name when a pair first uses it: ids come with
	# gaps and out of order.  Ids high above the count of names held go
	# to the tree; once enough names are held the array covers them and
	# takes them over.  A redefinition replaces the value, and many
	# redefinitions of long values reclaim the replaced bytes.
	{
		echo "section anchor=1,1"
		echo "syscall name=read nargs=3"
		awk 'BEGIN {
			for (i = 0; i < 3000; i++)
				printf "name id=%d value=/high/%d\n", 90000 - 7 * i, 90000 - 7 * i
			for (i = 1; i <= 12000; i++)
				printf "name id=%d value=/low/%d\n", i, i
			long = sprintf("%4000s", "")
			gsub(/ /, "x", long)
			for (i = 0; i < 200; i++)
				printf "name id=5 value=/again/%d/%s\n", i, long
			printf "name id=5 value=/last\n"
			for (i = 0; i < 3000; i += 97)
				printf "pair pid=1 nr=read path=%d comm=0\n", 90000 - 7 * i
			for (i = 1; i <= 12000; i += 997)
				printf "pair pid=1 nr=read path=%d comm=0\n", i
			printf "pair pid=1 nr=read path=5 comm=0\n"
		}'
		echo "trailer"
	} | mk sparse
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/sparse.ior"
	assert_success
	printf '%s\n' "$output" > "$T/sparse.json"
	run jq -r 'select(.type == "pair") | .path' "$T/sparse.json"
	local expect
	expect=$(awk 'BEGIN {
		for (i = 0; i < 3000; i += 97)
			printf "/high/%d\n", 90000 - 7 * i
		for (i = 1; i <= 12000; i += 997)
			printf "/low/%d\n", i
		print "/last"
	}')
	assert_output "$expect"
}

@test "a name record with id 0 is damage: one line with its offset, and the records before it" {
	local head at tool
	head='section anchor=1,1
syscall name=read nargs=3
name id=1 value=/a
pair pid=7 nr=read path=1'
	printf '%s\n' "$head" | mk before
	printf '%s\nname id=0 value=/zero\npair pid=7 nr=read path=1\ntrailer\n' "$head" | mk zero
	at=$(size_of "$T/before.ior")
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/zero.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/zero.ior: name record with id 0 at offset $at"
	run jq -r '.type' <<< "$output"
	assert_equal "${lines[*]}" "section syscall_name name pair"
	for tool in ior-agg ior-flame; do
		run --separate-stderr "$IOR_BIN/$tool" "$T/zero.ior"
		assert_failure 1
		assert_equal "$stderr" "$tool: $T/zero.ior: name record with id 0 at offset $at"
	done
	# Without its string, the same.
	printf '%s\nname id=2\ntrailer\n' "$head" | mk nostring
	run --separate-stderr "$IOR_BIN/ior-dump" "$T/nostring.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/nostring.ior: name record without its string at offset $at"
}

@test "an enter record with more than 6 arguments is damage to ior-dump and ior-pair" {
	local head at nargs
	# Six is the most any syscall has, and what the kernel gives.
	head='section anchor=1,1
syscall name=openat nargs=4
syscall name=chdir nargs=1 paths=0
syscall name=fchdir nargs=1
process pid=1 cwd=/tmp
snapshot_end
enter pid=1 nr=openat args=-100,1,0,0,5,6 str1=six
exit pid=1 nr=openat ret=3'
	printf '%s\n' "$head" | mk before
	at=$(size_of "$T/before.ior")
	for nargs in 7 9 255; do
		printf '%s\nenter pid=1 nr=openat args=-100,1,0,0 nargs=%s str1=/x str%s=last\nexit pid=1 nr=openat ret=4\ntrailer\n' \
			"$head" "$nargs" "$((nargs - 1))" | mk many
		run --separate-stderr "$IOR_BIN/ior-dump" "$T/many.ior"
		assert_failure 1
		assert_equal "$stderr" "ior-dump: $T/many.ior: enter record with too many arguments at offset $at ($nargs, the limit is 6)"
		assert_line --partial '> openat(-100, "six", 0, 0, 5, 6)'
		assert_equal "${#lines[@]}" 9

		run --separate-stderr "$IOR_BIN/ior-pair" "$T/many.ior"
		assert_failure 1
		assert_equal "$stderr" "ior-pair: $T/many.ior: enter record with too many arguments at offset $at ($nargs, the limit is 6)"
		# The call before the damage was paired and written.
		run jq -r 'select(.type == "pair") | .path' < <("$IOR_BIN/ior-pair" "$T/many.ior" 2>/dev/null | "$IOR_BIN/ior-dump" --json 2>/dev/null)
		assert_output "/tmp/six"
	done
}

@test "a string over 4096 bytes in an aggregate snapshot is damage to every reader, not an overflow" {
	local key at tool
	key=/$(bytes 19999 k)
	printf 'section anchor=1,1\nagg_begin stats=2\nagg_stat kind=file key=/ok\n' | mk before
	at=$(size_of "$T/before.ior")
	{
		printf 'section anchor=1,1\nagg_begin stats=2\nagg_stat kind=file key=/ok\n'
		printf 'agg_stat kind=process pid=3 key=%s overlong=key\n' "$key"
		printf 'agg_end\ntrailer\n'
	} | mk snap
	for tool in "ior-agg" "ior-agg --json" "ior-flame" "ior-top -b" "ior-dump"; do
		# shellcheck disable=SC2086
		run --separate-stderr $IOR_BIN/$tool "$T/snap.ior"
		assert_failure 1
		assert_equal "$stderr" "${tool%% *}: $T/snap.ior: string too long at offset $at (20000 bytes, the limit is 4096)"
	done
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/snap.ior"
	run jq -r '[.type, .key // ""] | join(" ")' <<< "$output"
	assert_output - <<'EOF'
section 
agg_begin 
agg_stat /ok
EOF
}

@test "a path over 4096 bytes in an openat is damage to ior-pair and ior-dump" {
	local head at tool
	head='section anchor=1,1
syscall name=openat nargs=4
process pid=1 cwd=/tmp
snapshot_end'
	printf '%s\n' "$head" | mk before
	at=$(size_of "$T/before.ior")
	printf '%s\nenter pid=1 nr=openat args=-100,1,0,0 str1=%s overlong=str1\nexit pid=1 nr=openat ret=3\ntrailer\n' \
		"$head" "$(bytes 30000 r)" | mk long
	for tool in ior-pair ior-dump; do
		run --separate-stderr "$IOR_BIN/$tool" "$T/long.ior"
		assert_failure 1
		assert_equal "$stderr" "$tool: $T/long.ior: string too long at offset $at (30000 bytes, the limit is 4096)"
	done
}

@test "a string of 4096 bytes is legal, of 4097 damage, in any record with strings" {
	local at
	printf 'section anchor=1,1\nsyscall name=openat nargs=4\n' | mk before
	at=$(size_of "$T/before.ior")
	{
		printf 'section anchor=1,1\nsyscall name=openat nargs=4\n'
		printf 'enter pid=1 nr=openat args=-100,1,0,0 str1=%s\n' "$(bytes 4096 e)"
		printf 'process pid=1 cwd=%s exe=%s\n' "$(bytes 4096 c)" "$(bytes 4096 x)"
		printf 'name id=1 value=%s\n' "$(bytes 4096 n)"
		printf 'exec pid=1 file=%s\n' "$(bytes 4096 f)"
		printf 'fd pid=1 fd=3 path=%s\n' "$(bytes 4096 p)"
		printf 'trailer\n'
	} | mk max
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/max.ior"
	assert_success
	run jq -c '[.path // .cwd // .value // .filename | length]' <<< "$output"
	assert_equal "${lines[*]}" "[0] [0] [4096] [4096] [4096] [4096] [4096] [0]"

	local rec
	for rec in "enter pid=1 nr=openat args=-100,1,0,0 str1=S overlong=str1" \
		   "process pid=1 cwd=S overlong=cwd" "name id=1 value=S overlong=value" \
		   "exec pid=1 file=S overlong=file" "fd pid=1 fd=3 path=S overlong=path"; do
		printf 'section anchor=1,1\nsyscall name=openat nargs=4\n%s\ntrailer\n' \
			"${rec/=S /=$(bytes 4097 s) }" | mk over
		run --separate-stderr "$IOR_BIN/ior-dump" "$T/over.ior"
		assert_failure 1
		assert_equal "$stderr" "ior-dump: $T/over.ior: string too long at offset $at (4097 bytes, the limit is 4096)"
	done
}

@test "a string that runs past the end of its record is damage" {
	local at
	printf 'section anchor=1,1\nname id=1 value=/a\n' | mk before
	at=$(size_of "$T/before.ior")
	# A 300-byte value in a record cut to 48 bytes.
	printf 'section anchor=1,1\nname id=1 value=/a\nname id=2 value=/%s len=48\ntrailer\n' \
		"$(bytes 299 v)" | mk cut
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/cut.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-dump: $T/cut.ior: string past the end of its record at offset $at (string 1 of 1 at byte 16 of 48)"
	run jq -r .type <<< "$output"
	assert_equal "${lines[*]}" "section name"
}

@test "ior-pair cuts a joined path over 4096 bytes and flags it truncated" {
	# The cwd and the relative path are each within the limit; joined
	# they are not.
	{
		echo "section anchor=1,1"
		echo "syscall name=openat nargs=4"
		echo "syscall name=chdir nargs=1 paths=0"
		echo "syscall name=fchdir nargs=1"
		printf 'process pid=1 cwd=/%s\n' "$(bytes 3999 c)"
		echo "snapshot_end"
		printf 'enter pid=1 nr=openat args=-100,1,0,0 str1=%s/%s\n' "$(bytes 2000 a)" "$(bytes 2000 b)"
		echo "exit pid=1 nr=openat ret=3"
		echo "enter pid=1 nr=openat args=-100,1,0,0 str1=../x"
		echo "exit pid=1 nr=openat ret=4"
		echo "trailer"
	} | mk join
	"$IOR_BIN/ior-pair" "$T/join.ior" > "$T/pairs.ior"
	dump_json "$T/pairs.ior"
	run jqs -c '[of("name") | select(.kind == "path")
		     | [.id, (.value | length), .truncated, .value[-3:]]]'
	assert_output '[[2,4096,true,"aaa"],[3,2,null,"/x"]]'
	run jqs -r '[of("name") | select(.id == 2 and .kind == "path") | .value] | first'
	assert_output "/$(bytes 3999 c)/$(bytes 95 a)"
}
