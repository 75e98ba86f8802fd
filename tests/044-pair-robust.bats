#!/usr/bin/env bats
# ior-pair under streams that try its limits: memory per fork with a huge
# fd (the fd table is shared until written), copy-on-write correctness,
# and relative paths whose cwd the trace cannot know for certain.

load helpers

# The syscall table of the fixtures (x86_64 numbers, given so that the
# fixtures mean the same anywhere).  chdir and fchdir are left to each test:
# whether they were traced decides whether the cwd is known.
prologue() {
	cat <<'EOF'
section anchor=1,1
syscall nr=0 name=read nargs=3
syscall nr=3 name=close nargs=1
syscall nr=33 name=dup2 nargs=2
syscall nr=56 name=clone nargs=5
syscall nr=59 name=execve nargs=3 paths=0
syscall nr=72 name=fcntl nargs=3
syscall nr=257 name=openat nargs=4 paths=1
syscall nr=262 name=newfstatat nargs=4 paths=1
EOF
}

CWD_SYSCALLS='syscall nr=80 name=chdir nargs=1 paths=0
syscall nr=81 name=fchdir nargs=1'

# pair NAME: prologue and the fixture on standard input -> iorgen ->
# ior-pair -> ior-dump --json; $JSON for jqs.  Fails on any stage's error.
pair() {
	local name=$1 rc=0

	{ prologue; cat; } > "$T/$name.txt"
	"$IOR_BIN/iorgen" "$T/$name.txt" > "$T/$name.ior" ||
		fail "iorgen failed on $name.txt"
	"$IOR_BIN/ior-pair" "$T/$name.ior" > "$T/$name.pair" \
		2> "$T/$name.err" || rc=$?
	((rc == 0)) || fail "ior-pair exited $rc: $(cat "$T/$name.err")"
	[ ! -s "$T/$name.err" ] || fail "ior-pair said: $(cat "$T/$name.err")"
	dump_json "$T/$name.pair"
}

# reads PID FD...: a read of each fd by PID, one after the other.
reads() {
	local pid=$1 fd
	shift
	for fd; do
		echo "enter pid=$pid nr=read args=$fd,0,1"
		echo "exit pid=$pid nr=read ret=1"
	done
}

# --- memory: the fd table per fork -------------------------------------

@test "300 forks of a process holding fd 1048575 keep ior-pair small, and the children name the inherited file" {
	[ -x /usr/bin/time ] || fail "no /usr/bin/time (package time: make deps)"
	{
		notrace
		prologue
		echo "process pid=10 comm=big exe=/bin/big cwd=/home/u"
		echo "fd pid=10 fd=1 path=/dev/pts/0"
		echo "fd pid=10 fd=1048575 path=/data/big"
		echo "snapshot_end"
		for ((c = 1000; c < 1300; c++)); do
			echo "task_new parent=10 child=$c flags=0x1200011"
			reads $c 1048575
			# Each child writes its table too: one open, one close.
			echo "enter pid=$c nr=openat args=-100,0,0,0 str1=/data/c$c"
			echo "exit pid=$c nr=openat ret=3"
			echo "enter pid=$c nr=close args=1"
			echo "exit pid=$c nr=close ret=0"
			reads $c 3 1
		done
		reads 10 1048575 1 3
		echo "trailer"
	} > "$T/forks.txt"
	"$IOR_BIN/iorgen" "$T/forks.txt" > "$T/forks.ior"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
		/usr/bin/time -f %M -o "$T/rss" "$IOR_BIN/ior-pair" "$T/forks.ior" \
		> "$T/forks.pair" || fail "ior-pair failed"
	local rss
	rss=$(tail -n 1 "$T/rss")
	echo "# ior-pair peak RSS: $rss KiB" >&3
	((rss < 100 * 1024)) || fail "peak RSS $rss KiB for 300 forks"
	dump_json "$T/forks.pair"
	# Every child's read of 1048575 names the parent's file; its own open
	# names its own, its close of 1 leaves fd 1 unknown to it alone.
	run jqs -c '[of("pair") | select(.syscall == "read" and .pid != 10
		and .fd == 1048575) | .path] | [length, unique]'
	assert_output '[300,["/data/big"]]'
	run jqs -c '[of("pair") | select(.syscall == "read" and .pid != 10
		and .fd == 3) | select(.path != "/data/c\(.pid)")] | length'
	assert_output 0
	run jqs -c '[of("pair") | select(.syscall == "read" and .pid != 10
		and .fd == 1) | .path] | unique'
	assert_output '["<unknown fd 1>"]'
	run jqs -c '[of("pair") | select(.pid == 10) | [.fd, .path]]'
	assert_output '[[1048575,"/data/big"],[1,"/dev/pts/0"],[3,"<unknown fd 3>"]]'
}

# --- copy on write: each side sees only its own writes -------------------

@test "after fork, the child's closes, opens and dups do not change the parent's table, nor the parent's the child's" {
	# Fds in the first leaf (3), another (300) and the last (1048575).
	pair cow <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/p3
fd pid=10 fd=300 path=/p300
fd pid=10 fd=1048575 path=/pbig
snapshot_end
task_new parent=10 child=20 flags=0x1200011
enter pid=20 nr=close args=3
exit pid=20 nr=close ret=0
enter pid=20 nr=openat args=-100,0,0,0 str1=/c300
exit pid=20 nr=openat ret=300
enter pid=20 nr=dup2 args=300,1048575
exit pid=20 nr=dup2 ret=1048575
enter pid=10 nr=close args=300
exit pid=10 nr=close ret=0
enter pid=10 nr=openat args=-100,0,0,0 str1=/p4
exit pid=10 nr=openat ret=4
task_new parent=20 child=30 flags=0x1200011
enter pid=30 nr=openat args=-100,0,0,0 str1=/g3
exit pid=30 nr=openat ret=3
$(reads 10 3 4 300 1048575)
$(reads 20 3 4 300 1048575)
$(reads 30 3 4 300 1048575)
trailer
EOF
	run jqs -c 'of("pair") | select(.syscall == "read") | [.pid, .fd, .path]'
	assert_output - <<'EOF'
[10,3,"/p3"]
[10,4,"/p4"]
[10,300,"<unknown fd 300>"]
[10,1048575,"/pbig"]
[20,3,"<unknown fd 3>"]
[20,4,"<unknown fd 4>"]
[20,300,"/c300"]
[20,1048575,"/c300"]
[30,3,"/g3"]
[30,4,"<unknown fd 4>"]
[30,300,"/c300"]
[30,1048575,"/c300"]
EOF
}

@test "CLONE_FILES shares writes both ways while a forked child keeps its copy; exec closes close-on-exec fds only in its own table" {
	# 20 is forked (copy), then 30 shares 10's table (CLONE_FILES).  30's
	# open shows in 10, not in 20.  20 marks fd 5 close-on-exec (F_SETFD)
	# and execs: only 20 loses it.  Then 30 execs: exec unshares, so its
	# close-on-exec fd 6 closes for 30 alone.
	pair cow-share <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=5 path=/p5
fd pid=10 fd=6 path=/p6 flags=02000000
snapshot_end
task_new parent=10 child=20 flags=0x1200011
task_new parent=10 child=30 flags=0x400
enter pid=30 nr=openat args=-100,0,0,0 str1=/shared7
exit pid=30 nr=openat ret=7
enter pid=20 nr=fcntl args=5,2,1
exit pid=20 nr=fcntl ret=0
enter pid=20 nr=execve args=0,0,0 str0=/bin/true
exec pid=20 file=/bin/true
exit pid=20 nr=execve ret=0
$(reads 10 5 6 7)
$(reads 20 5 6 7)
enter pid=30 nr=execve args=0,0,0 str0=/bin/true
exec pid=30 file=/bin/true
exit pid=30 nr=execve ret=0
$(reads 30 5 6 7)
$(reads 10 5 6 7)
trailer
EOF
	run jqs -c 'of("pair") | select(.syscall == "read") | [.pid, .fd, .path]'
	assert_output - <<'EOF'
[10,5,"/p5"]
[10,6,"/p6"]
[10,7,"/shared7"]
[20,5,"<unknown fd 5>"]
[20,6,"<unknown fd 6>"]
[20,7,"<unknown fd 7>"]
[30,5,"/p5"]
[30,6,"<unknown fd 6>"]
[30,7,"/shared7"]
[10,5,"/p5"]
[10,6,"/p6"]
[10,7,"/shared7"]
EOF
}

# --- relative paths and a cwd the trace may not know --------------------

# cwd_fixture EXTRA: a process whose snapshot cwd is /home/u opens a
# relative path, opens a directory relative to the cwd and a file in it,
# and stats an absolute path; EXTRA goes after the syscall table.
cwd_fixture() {
	cat <<EOF
$1
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter pid=10 nr=openat args=-100,0,0,0 str1=f.txt
exit pid=10 nr=openat ret=3
enter pid=10 nr=openat args=-100,0,0200000,0 str1=sub
exit pid=10 nr=openat ret=4
enter pid=10 nr=openat args=4,0,0,0 str1=g.txt
exit pid=10 nr=openat ret=5
enter pid=10 nr=newfstatat args=-100,0,0,0 str1=/etc/passwd
exit pid=10 nr=newfstatat ret=0
$(reads 10 3)
trailer
EOF
}

@test "without chdir traced, a relative path is marked <unknown cwd>, never guessed from the old cwd" {
	cwd_fixture "" > "$T/in"
	pair nochdir < "$T/in"
	run jqs -c 'of("pair") | [.syscall, .fd, .path, .cwd_unknown]'
	assert_output - <<'EOF'
["openat",3,"<unknown cwd>/f.txt",true]
["openat",4,"<unknown cwd>/sub",true]
["openat",5,"<unknown cwd>/sub/g.txt",true]
["newfstatat",-1,"/etc/passwd",null]
["read",3,"<unknown cwd>/f.txt",null]
EOF
	# The text output carries the same mark.
	run "$IOR_BIN/ior-dump" "$T/nochdir.pair"
	assert_line --partial 'openat(3 "<unknown cwd>/f.txt") = 3'
}

@test "with chdir but not fchdir traced, or either only selected but missing, the cwd is still not known" {
	cwd_fixture "syscall nr=80 name=chdir nargs=1 paths=0" > "$T/in"
	pair chdir-only < "$T/in"
	run jqs -r '[of("pair") | select(.fd == 3) | .path] | unique[]'
	assert_output "<unknown cwd>/f.txt"
	cwd_fixture "syscall nr=80 name=chdir nargs=1 paths=0
syscall nr=81 name=fchdir nargs=1 missing" > "$T/in"
	pair fchdir-missing < "$T/in"
	run jqs -r '[of("pair") | select(.fd == 3) | .path] | unique[]'
	assert_output "<unknown cwd>/f.txt"
}

@test "with chdir and fchdir traced, relative paths resolve against the cwd, unmarked" {
	cwd_fixture "$CWD_SYSCALLS" > "$T/in"
	pair traced < "$T/in"
	run jqs -c 'of("pair") | [.syscall, .fd, .path, .cwd_unknown]'
	assert_output - <<'EOF'
["openat",3,"/home/u/f.txt",null]
["openat",4,"/home/u/sub",null]
["openat",5,"/home/u/sub/g.txt",null]
["newfstatat",-1,"/etc/passwd",null]
["read",3,"/home/u/f.txt",null]
EOF
}

# A real capture: sh cds into a directory (a chdir syscall) and cat opens a
# file there by a relative name.
cd_and_cat() {
	mkdir -p "$T/dir"
	echo hello > "$T/dir/rel.txt"
	capture "$@" -- sh -c "cd '$T/dir' && cat rel.txt > /dev/null" ||
		fail "ior-capture failed: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/cap.pair" || fail "ior-pair failed"
	dump_json "$T/cap.pair"
}

@test "a capture without chdir (-e '%open,%read,%close') marks the relative open after cd" {
	require_bpf
	cd_and_cat -e '%open,%read,%close'
	run jqs -r '[of("pair") | select(.syscall | startswith("open"))
		| select(.path | endswith("/rel.txt")) | .path] | unique[]'
	assert_output "<unknown cwd>/rel.txt"
	run jqs -r --arg p "$T/dir/rel.txt" '[of("pair") | select(.path == $p)] | length'
	assert_output 0
}

@test "a capture with the default syscalls resolves the relative open after cd, unmarked" {
	require_bpf
	cd_and_cat
	run jqs -r '[of("pair") | select(.syscall | startswith("open"))
		| select(.path | endswith("/rel.txt"))
		| [.path, .cwd_unknown]] | unique[] | @tsv'
	assert_output "$T/dir/rel.txt	"
}
