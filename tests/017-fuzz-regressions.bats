#!/usr/bin/env bats
# Inputs that make fuzz (scripts/fuzz) or a review of its targets' parsers
# found to be mishandled, each kept as a fact the reader must go on
# holding.  Fixtures are iorgen texts or, for folded stacks, text.

load helpers

@test "ior-flame: a folded weight no 64-bit count holds is a bad line, not a wrapped weight" {
	# 1e30 became 2^63 (llround out of range), so the graph's total was
	# 2^63 + 5 and two such lines wrapped round to almost nothing.
	printf 'd;e 5\na;b 1e30\n' > "$T/big.txt"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/big.txt"
	assert_failure 1
	assert_output --partial 'folded stacks, 1 in all; width: syscall count, 5 in all'
	assert_equal "$stderr" "ior-flame: $T/big.txt: not a folded stack (\"frame;frame COUNT\") at line 2"
	# The largest weight a double holds below 2^64 still counts.
	printf 'a;b 18446744073709549568\n' > "$T/max.txt"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/max.txt"
	assert_success
	assert_output --partial 'width: syscall count, 18,446,744,073,709,549,568 in all'
	[ -z "$stderr" ]
}

@test "ior-flame: a count of 19 or 20 digits prints whole, beside the fields after it" {
	# units_count wrote 25 and 26 characters, with their commas, into 24
	# bytes: the tail of the count landed in the next field's buffer.
	# (10^18 + 128: a weight a double holds exactly.)
	printf 'a;b 1000000000000000128\n' > "$T/big.txt"
	run --separate-stderr "$IOR_BIN/ior-flame" -w count "$T/big.txt"
	assert_success
	assert_output --partial '1,000,000,000,000,000,128 calls, 0 errors, 0 read'
}

@test "ior-agg: a pair's path id that no name record gave costs no memory by its size" {
	# The file cache was sized by the id: one pair of path id 2^27 in a
	# 200-byte stream made ior-agg allocate and zero 1 GiB.
	cat > "$T/lone.txt" <<'EOT'
section
syscall nr=0 name=read nargs=3
pair pid=1 nr=read ret=1 bytes=1 path=0x8000000 fd=3
trailer
EOT
	"$IOR_BIN/iorgen" "$T/lone.txt" > "$T/lone.ior"
	run --separate-stderr /usr/bin/time -o "$T/rss" -f %M \
		"$IOR_BIN/ior-agg" --text "$T/lone.ior"
	assert_success
	assert_output --partial '"[unnamed file]"'
	# KiB; the sanitizer build starts at about 30 MiB.
	[ "$(cat "$T/rss")" -lt 102400 ]
}

@test "ior-tree: --at and --inflight of a stream with no calls say so, no qsort of nothing" {
	# Found by make fuzz (tree-at, inflight): qsort(NULL, 0, ...) is
	# undefined, and UBSan stopped the tool on every seed.
	printf 'section anchor=1,1\nprocess pid=7 comm=sh\nsnapshot_end\ntrailer\n' |
		"$IOR_BIN/iorgen" > "$T/raw.ior"
	"$IOR_BIN/ior-pair" "$T/raw.ior" > "$T/p.ior"
	run --separate-stderr "$IOR_BIN/ior-tree" --at 0.000002 "$T/p.ior"
	assert_success
	assert_line --index 0 --partial 'at 0.000 s'
	run --separate-stderr "$IOR_BIN/ior-tree" --inflight --json "$T/p.ior"
	assert_success
	run jq -c '.inflight | length' <<< "$output"
	assert_output 0
	[ -z "$stderr" ]
}

@test "ior-agg: a file whose path is empty is a row of its own, its key empty" {
	# Found by make fuzz (agg-pair): with only empty keys interned, the
	# key table had no arena and the key was NULL + 0 (clang's UBSan).
	printf 'section anchor=1,1\nsyscall nr=257 name=openat nargs=4 family=open\nname id=1 value=""\npair pid=10 nr=257 path=1 ret=3 fd=3\ntrailer\n' |
		"$IOR_BIN/iorgen" > "$T/p.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" --json -f 'comm;pid;class;family;tree;errno;flags' "$T/p.ior"
	assert_success
	run jq -c '[.files[] | [.path, .count]]' <<< "$output"
	assert_output '[["",1]]'
}

@test "ior-agg: a syscall whose name is empty is a row of its own, its key empty" {
	# iorgen looked the family of "" up in lib/syscalls.c's lists, where
	# the empty word matched at every byte and the search never moved on.
	printf 'section anchor=1,1\nsyscall nr=257 name="" nargs=4\nname id=1 value=/tmp/x\npair pid=10 nr=257 path=1 ret=3 fd=3\ntrailer\n' |
		timeout 20 "$IOR_BIN/iorgen" > "$T/p.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/p.ior"
	assert_success
	run jq -c '[.syscalls[] | [.syscall, .count]]' <<< "$output"
	assert_output '[["",1]]'
}
