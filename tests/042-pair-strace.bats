#!/usr/bin/env bats
# ior-capture | ior-pair against strace, on real programs nobody here wrote:
# tar, cp -r and find over a small generated tree, and a C compiler.  Each program runs twice on
# the same input, once under each tracer, writing into a fresh directory;
# the calls of the traced process tree must agree exactly: each syscall's
# count and failures, the bytes read and written, and the calls in order.
# Needs root and BTF (require_bpf) and strace.

load helpers

# The syscalls compared: ones whose count a single-threaded program makes
# the same way every run.  (Not mmap, brk, futex or getrandom, which the
# C library may make differently under another tracer.)
SYSCALLS=openat,creat,read,pread64,write,close,newfstatat,getdents64,lseek,fcntl,copy_file_range,mkdirat,fadvise64,statfs

# The input, made once for the file's tests, which only read it: $IN/src,
# three directories of twelve files of known sizes, an empty file and one
# larger than tar's 10240-byte records.
setup_file() {
	export IN=$BATS_FILE_TMPDIR/in
	mkdir -p "$IN/src"
	for d in 1 2 3; do
		mkdir "$IN/src/d$d"
		for f in $(seq 1 12); do
			head -c $((d * 1000 + f * 517)) /dev/urandom \
				> "$IN/src/d$d/f$f"
		done
	done
	: > "$IN/src/empty"
	head -c 100000 /dev/urandom > "$IN/src/big"
}

setup() {
	ior_setup
	require_bpf
	command -v strace > /dev/null || skip "no strace"
	export LC_ALL=C
}

# tree_size: the bytes in the files of the tree.
tree_size() {
	find "$IN/src" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'
}

# Both summaries below have the same form: one line per call in order,
# "NAME RESULT" where RESULT is the errno name of a failure, the byte
# count of a read, write or copy, else "ok"; then "= NAME COUNT FAILURES"
# per syscall (sorted), and "= read BYTES" and "= written BYTES".

# ior_calls CMD...: CMD under ior-capture -e $SYSCALLS | ior-pair, summed
# up on standard output.  Fails if anything was lost or left unmatched.
ior_calls() {
	"$IOR_BIN/ior-capture" -q -e "$SYSCALLS" -- "$@" > "$T/raw.ior" \
		2> "$T/capture.err" 3>&- || fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$T/raw.ior" > "$T/paired.ior" ||
		fail "ior-pair exited $?"
	dump_json "$T/paired.ior"
	# The launched command is the process that exec'd it.
	local root
	root=$(jqs --arg f "$1" '[of("exec") | select(.filename == $f) | .pid] | first')
	[ "$root" != null ] || fail "no exec of $1"
	run jqs -c '[([of("pair_totals")] | last | .lost, .unmatched_exits,
		.unmatched_enters), trailer.lost]'
	assert_output '[0,0,0,0]'
	# Every path was read, at the enter or, on a page the call itself
	# brought in, at the exit.
	run jqs -c '[of("pair") | select(.path == "<unreadable path>"
		or .path2 == "<unreadable path>") | .syscall]'
	assert_output '[]'
	jqs -r --argjson root "$root" 'tree($root) as $tree
		| [of("pair") | select(.pid as $p | any($tree[]; . == $p))] as $c
		| ($c[] | "\(.syscall) \(.errno // (if .read or .write
			or (.syscall | test("^(p?read|write|copy_file_range)"))
			then .bytes else "ok" end))"),
		  ($c | group_by(.syscall)[]
		   | "= \(.[0].syscall) \(length) \(map(select(.errno)) | length)"),
		  "= read \($c | map(select(.read) | .bytes) | add // 0)",
		  "= written \($c | map(select(.write) | .bytes) | add // 0)"'
}

# strace_calls CMD...: CMD under strace -f -e trace=$SYSCALLS, summed up
# the same way.
strace_calls() {
	strace -f -qq -s 0 -e trace="$SYSCALLS" -o "$T/strace.out" "$@" \
		3>&- || fail "strace $* exited $?"
	awk '
	# A call another process interrupts is split over two lines, "PID
	# name(... <unfinished ...>" and "PID <... name resumed>...) = RET"
	# (a parent reads the pipe posix_spawn reports exec errors on while
	# its child runs): it is counted once, at its resumed line.
	/<unfinished \.\.\.>$/ { next }
	/^[0-9]+ +<\.\.\. [a-z_0-9]+ resumed>/ {
		$0 = $1 " " $3 "(" substr($0, index($0, "resumed>") + 8)
	}
	/^[0-9]+ +[a-z_0-9]+\(/ {
		name = $2
		sub(/\(.*/, "", name)
		ret = $0
		sub(/.*\) += /, "", ret)
		n[name]++
		if (ret ~ /^-1 E/) {
			split(ret, w, " ")
			print name, w[2]
			failed[name]++
			next
		}
		if (name ~ /^(p?read|write|copy_file_range)/) {
			print name, ret + 0
			if (name != "write")
				read += ret
			if (name !~ /read/)
				written += ret
		} else {
			print name, "ok"
		}
	}
	END {
		for (s in n)
			printf "= %s %d %d\n", s, n[s], failed[s] + 0 | "sort"
		close("sort")
		printf "= read %d\n= written %d\n", read, written
	}' "$T/strace.out"
}

# compare NAME [unordered]: the two summaries in $T/NAME.ior-calls and
# $T/NAME.strace-calls are the same; the totals are shown either way.
# unordered: the same calls in any order, for programs whose processes
# run side by side (their interleaving differs from run to run).
compare() {
	grep '^= ' "$T/$1.ior-calls" | sed 's/^/# ior:    /' >&3
	grep '^= ' "$T/$1.strace-calls" | sed 's/^/# strace: /' >&3
	if [ "${2-}" = unordered ]; then
		sort -o "$T/$1.strace-calls" "$T/$1.strace-calls"
		sort -o "$T/$1.ior-calls" "$T/$1.ior-calls"
	fi
	run diff "$T/$1.strace-calls" "$T/$1.ior-calls"
	assert_success
}

@test "tar -cf: ior-pair's calls, counts and bytes are strace's" {
	local tar
	tar=$(command -v tar) || skip "no tar"
	mkdir "$T/out1" "$T/out2"
	ior_calls "$tar" -cf "$T/out1/a.tar" -C "$IN" src > "$T/tar.ior-calls"
	strace_calls "$tar" -cf "$T/out2/a.tar" -C "$IN" src > "$T/tar.strace-calls"
	cmp "$T/out1/a.tar" "$T/out2/a.tar"
	compare tar
	# And the paths are right: the files of the tree were read whole, the
	# archive was written whole.
	run jqs -c --arg in "$IN/src/" --arg out "$T/out1/a.tar" '
		[of("pair") | select(.read and (.path | startswith($in))) | .bytes]
			as $r
		| [of("pair") | select(.write and .path == $out) | .bytes] as $w
		| [($r | add), ($w | add)]'
	assert_output "[$(tree_size),$(stat -c %s "$T/out1/a.tar")]"
}

@test "cp -r: ior-pair's calls, counts and bytes are strace's, copy_file_range on both sides" {
	local cp
	cp=$(command -v cp) || skip "no cp"
	mkdir "$T/out1" "$T/out2"
	ior_calls "$cp" -r "$IN/src" "$T/out1/" > "$T/cp.ior-calls"
	strace_calls "$cp" -r "$IN/src" "$T/out2/" > "$T/cp.strace-calls"
	diff -r "$T/out1/src" "$T/out2/src"
	compare cp
	# cp copies each byte of the tree once, from its file to the copy.
	run jqs -c --arg in "$IN/src/" --arg out "$T/out1/src/" '
		[of("pair") | select(.read and .write) | .bytes] as $all
		| [of("pair") | select(.read and .write
			and (.path | startswith($in)) and (.path2 | startswith($out))
			and (.path | ltrimstr($in)) == (.path2 | ltrimstr($out)))
		   | .bytes] as $same
		| [($all | add), ($same | add)]'
	assert_output "[$(tree_size),$(tree_size)]"
}

@test "find: ior-pair's calls, counts and bytes are strace's" {
	local find
	find=$(command -v find) || skip "no find"
	ior_calls "$find" "$IN/src" -name 'f1*' -size +1k \
		-fprint "$T/found1" > "$T/find.ior-calls"
	strace_calls "$find" "$IN/src" -name 'f1*' -size +1k \
		-fprint "$T/found2" > "$T/find.strace-calls"
	cmp "$T/found1" "$T/found2"
	compare find
	# It read every directory of the tree.
	run jqs -c --arg in "$IN/src" '[of("pair")
		| select(.syscall == "getdents64" and .ret > 0) | .path]
		| unique | length'
	assert_output 4
}

@test "cc -c: ior-pair's calls, counts and bytes are strace's, through the compiler's processes" {
	local cc
	cc=$(command -v cc) || skip "no cc"
	mkdir "$T/out1" "$T/out2"
	printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' \
		> "$T/hello.c"
	ior_calls "$cc" -c -o "$T/out1/hello.o" "$T/hello.c" > "$T/cc.ior-calls"
	strace_calls "$cc" -c -o "$T/out2/hello.o" "$T/hello.c" > "$T/cc.strace-calls"
	compare cc unordered
	# The source was read and the object written, by path.
	run jqs -c --arg src "$T/hello.c" --arg obj "$T/out1/hello.o" '
		[([of("pair") | select(.read and .path == $src)] | length > 0),
		 ([of("pair") | select(.write and .path == $obj)] | length > 0)]'
	assert_output '[true,true]'
}
