#!/usr/bin/env bats
# ior-pair on streams written by iorgen (no root needed): each rule of the
# fd table, each edge case of pairing, and bad input.  Every fixture goes
# iorgen | ior-pair | ior-dump --json, and the tests read the pairs back
# field by field.  lib/ior_format.h (IOR_NAME, IOR_PAIR, IOR_PAIR_TOTALS)
# and docs/ior-dump.md (their JSON) are the contract.

load helpers

# The section header and the syscall table every fixture starts with.  The
# numbers are given, so the fixtures mean the same on any machine (ior-pair
# goes by the names of the stream's table); they are x86_64's.
prologue() {
	cat <<'EOF'
section anchor=1,1
syscall nr=0 name=read nargs=3
syscall nr=1 name=write nargs=3
syscall nr=3 name=close nargs=1
syscall nr=17 name=pread64 nargs=4
syscall nr=20 name=writev nargs=3
syscall nr=32 name=dup nargs=1
syscall nr=33 name=dup2 nargs=2
syscall nr=40 name=sendfile nargs=4
syscall nr=41 name=socket nargs=3
syscall nr=56 name=clone nargs=5
syscall nr=59 name=execve nargs=3 paths=0
syscall nr=60 name=exit nargs=1
syscall nr=72 name=fcntl nargs=3
syscall nr=80 name=chdir nargs=1 paths=0
syscall nr=81 name=fchdir nargs=1
syscall nr=82 name=rename nargs=2 paths=0,1
syscall nr=85 name=creat nargs=2 paths=0
syscall nr=231 name=exit_group nargs=1
syscall nr=257 name=openat nargs=4 paths=1
syscall nr=262 name=newfstatat nargs=4 paths=1
syscall nr=264 name=renameat nargs=4 paths=1,3
syscall nr=292 name=dup3 nargs=3
syscall nr=316 name=renameat2 nargs=5 paths=1,3
syscall nr=326 name=copy_file_range nargs=6
syscall nr=436 name=close_range nargs=3
syscall nr=437 name=openat2 nargs=4 paths=1
EOF
}

# Definitions for jqp, on top of helpers.bash's:
#   pairs          the pair records
#   totals         the (last) pair_totals record without type and offset
#   name_problems  a message for each name record out of place: an id or a
#                  value written twice in a section, or a pair whose path,
#                  path2 or comm has no name record before it in its section
#                  (ior-dump resolves ids by the names it has read, so a
#                  pair whose id has no name yet reads null: pair() also
#                  looks for ior-dump's text form of that, ?ID)
PAIR_JQ_DEFS='
def pairs: of("pair");
def totals: [of("pair_totals")] | last | del(.type, .offset);
def sectioned:
	reduce .[] as $r ({n: 0, out: []};
		(if $r.type == "section" then .n += 1 else . end)
		| .out += [$r + {sec: .n}])
	| .out;
def name_problems:
	sectioned as $all
	| [$all[] | select(.type == "name")] as $names
	| ($names | group_by([.sec, .kind, .id])[] | select(length > 1)
	   | "\(.[0].kind) id \(.[0].id) defined \(length) times"),
	  ($names | group_by([.sec, .kind, .value])[] | select(length > 1)
	   | "\(.[0].kind) \(.[0].value) written \(length) times"),
	  ($all[] | select(.type == "pair") as $p
	   | (["path", $p.path], ["path", $p.path2], ["comm", $p.comm])
	   | select(.[1] != null) as [$k, $v]
	   | select([$names[] | select(.sec == $p.sec and .kind == $k
			and .value == $v and .offset < $p.offset)] | length == 0)
	   | "the pair at offset \($p.offset) uses \($k) \($v) before its name");
'

# jqp [JQ-OPTION...] FILTER: jqs with the definitions above.
jqp() {
	local filter=${*: -1}

	jq -s "${@:1:$#-1}" "$IOR_JQ_DEFS $PAIR_JQ_DEFS $filter" "$JSON"
}

# pair NAME: the fixture text on standard input, after prologue(), into
# $T/NAME.txt, then iorgen, ior-pair and ior-dump --json; $JSON is the
# result for jqp.  Fails the test when a stage fails or says anything, or
# when a name record is out of place.
pair() {
	local name=$1 rc=0

	{ prologue; cat; } > "$T/$name.txt"
	"$IOR_BIN/iorgen" "$T/$name.txt" > "$T/$name.ior" ||
		fail "iorgen failed on $name.txt"
	"$IOR_BIN/ior-pair" "$T/$name.ior" > "$T/$name.pair" \
		2> "$T/$name.err" || rc=$?
	((rc == 0)) || fail "ior-pair exited $rc on $name.txt: $(cat "$T/$name.err")"
	[ ! -s "$T/$name.err" ] ||
		fail "ior-pair said on $name.txt: $(cat "$T/$name.err")"
	dump_json "$T/$name.pair"
	run jqp -r 'name_problems'
	assert_output ""
	# In text, ior-dump shows a path id that has no name yet as ?ID.
	"$IOR_BIN/ior-dump" "$T/$name.pair" > "$T/$name.text"
	run grep -E '(\(| |-> )\?[0-9]+(\)| ->)' "$T/$name.text"
	assert_output ""
}

# --- paths: cwd, dirfd, chdir, fchdir ---------------------------------

@test "openat resolves a relative path against the cwd of the process record, . and .. folded" {
	pair cwd <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,0,0 str1=a/./b/../c.txt
exit t=1500 pid=10 nr=openat ret=3
enter t=2000 pid=10 nr=openat args=0xffffff9c,0,0101,0644 str1=../../etc/x
exit t=2100 pid=10 nr=openat ret=4
enter t=3000 pid=10 nr=openat args=-100,0,0,0 str1=../../../..
exit t=3100 pid=10 nr=openat ret=5
enter t=4000 pid=10 nr=openat args=-100,0,0,0 str1=.
exit t=4100 pid=10 nr=openat ret=6
enter t=5000 pid=10 nr=openat args=-100,0,0,0 str1=sub//x/
exit t=5100 pid=10 nr=openat ret=7
enter t=6000 pid=10 nr=openat args=-100,0,0,0 str1=nope
exit t=6400 pid=10 nr=openat ret=-ENOENT
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .flags, .ret, .errno, .comm]'
	assert_output - <<'EOF'
["openat",3,"/home/u/a/c.txt",0,3,null,"sh"]
["openat",4,"/etc/x",65,4,null,"sh"]
["openat",5,"/",0,5,null,"sh"]
["openat",6,"/home/u",0,6,null,"sh"]
["openat",7,"/home/u/sub/x",0,7,null,"sh"]
["openat",-1,"/home/u/nope",0,-2,"ENOENT","sh"]
EOF
	# Latency is exit - enter; the gap runs from the previous exit.
	run jqp -c '[pairs | [.time_ns, .latency_ns, .gap_ns, .bytes, .read, .write]]'
	assert_output '[[1000,500,null,0,false,false],[2000,100,500,0,false,false],[3000,100,900,0,false,false],[4000,100,900,0,false,false],[5000,100,900,0,false,false],[6000,400,900,0,false,false]]'
	run jqp -c 'totals'
	assert_output '{"pairs":6,"unmatched_exits":0,"unmatched_enters":0,"lost":0,"fd_unknown":0,"missed":0}'
}

@test "an absolute path's .. at the root stays at the root" {
	# The first path of the stream, so nothing earlier can help.
	pair root <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,0,0 str1=/../etc/passwd
exit t=1100 pid=10 nr=openat ret=3
enter t=2000 pid=10 nr=openat args=-100,0,0,0 str1=/./../x/../y
exit t=2100 pid=10 nr=openat ret=4
enter t=3000 pid=10 nr=chdir args=0 str0=/..
exit t=3100 pid=10 nr=chdir ret=0
enter t=4000 pid=10 nr=openat args=-100,0,0,0 str1=z
exit t=4100 pid=10 nr=openat ret=5
trailer
EOF
	run jqp -c 'pairs | [.syscall, .path]'
	assert_output - <<'EOF'
["openat","/etc/passwd"]
["openat","/y"]
["chdir","/"]
["openat","/z"]
EOF
}

@test "openat relative to a dirfd joins the dirfd's path; an absolute path ignores the dirfd" {
	pair dirfd <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/srv flags=0200000
snapshot_end
enter t=1000 pid=10 nr=openat args=3,0,0,0 str1=x/../y.txt
exit t=1100 pid=10 nr=openat ret=4
enter t=2000 pid=10 nr=openat args=3,0,0,0 str1=/abs/z
exit t=2100 pid=10 nr=openat ret=5
enter t=3000 pid=10 nr=openat args=99,0,0,0 str1=/abs/w
exit t=3100 pid=10 nr=openat ret=6
enter t=4000 pid=10 nr=newfstatat args=3,0,0,0x1000 str1=""
exit t=4100 pid=10 nr=newfstatat ret=0
enter t=5000 pid=10 nr=read args=4,0,10
exit t=5100 pid=10 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .ret, .fd_unknown]'
	assert_output - <<'EOF'
["openat",4,"/srv/y.txt",4,null]
["openat",5,"/abs/z",5,null]
["openat",6,"/abs/w",6,null]
["newfstatat",-1,"/srv",0,null]
["read",4,"/srv/y.txt",10,null]
EOF
	run jqp -c 'totals.fd_unknown'
	assert_output 0
}

@test "a relative path against a dirfd the table does not know is marked and flagged unknown" {
	pair dirfd-unknown <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=9,0,0,0 str1=z.txt
exit t=1100 pid=10 nr=openat ret=4
trailer
EOF
	# Never /home/u/z.txt: the dirfd is not the cwd.
	run jqp -c 'pairs | [.fd, (.path | startswith("<unknown fd 9>")), .fd_unknown]'
	assert_output '[4,true,true]'
	run jqp -c 'totals.fd_unknown'
	assert_output 1
}

@test "a relative path in a process whose cwd is not known is marked unknown" {
	pair cwd-unknown <<'EOF'
enter t=1000 pid=77 nr=openat args=-100,0,0,0 str1=../y
exit t=1100 pid=77 nr=openat ret=3
trailer
EOF
	run jqp -c 'pairs | [.pid, .fd, (.path | startswith("<unknown")), (.path | endswith("/../y"))]'
	assert_output '[77,3,true,true]'
}

@test "chdir moves the cwd for later relative paths; a failed chdir does not" {
	pair chdir <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=chdir args=0 str0=sub
exit t=1100 pid=10 nr=chdir ret=0
enter t=2000 pid=10 nr=openat args=-100,0,0,0 str1=f.txt
exit t=2100 pid=10 nr=openat ret=3
enter t=3000 pid=10 nr=chdir args=0 str0=/nonexistent
exit t=3100 pid=10 nr=chdir ret=-ENOENT
enter t=4000 pid=10 nr=openat args=-100,0,0,0 str1=g.txt
exit t=4100 pid=10 nr=openat ret=4
enter t=5000 pid=10 nr=chdir args=0 str0=../v/./w
exit t=5100 pid=10 nr=chdir ret=0
enter t=6000 pid=10 nr=creat args=0,0644 str0=new.txt
exit t=6100 pid=10 nr=creat ret=5
enter t=7000 pid=10 nr=openat2 args=-100,0,0,24 str1=o2.txt
exit t=7100 pid=10 nr=openat2 ret=6
enter t=8000 pid=10 nr=write args=5,0,3
exit t=8100 pid=10 nr=write ret=3
trailer
EOF
	# creat is open(O_CREAT|O_WRONLY|O_TRUNC): flags 577.
	run jqp -c 'pairs | [.syscall, .fd, .path, .flags, .ret, .errno]'
	assert_output - <<'EOF'
["chdir",-1,"/home/u/sub",0,0,null]
["openat",3,"/home/u/sub/f.txt",0,3,null]
["chdir",-1,"/nonexistent",0,-2,"ENOENT"]
["openat",4,"/home/u/sub/g.txt",0,4,null]
["chdir",-1,"/home/u/v/w",0,0,null]
["creat",5,"/home/u/v/w/new.txt",577,5,null]
["openat2",6,"/home/u/v/w/o2.txt",0,6,null]
["write",5,"/home/u/v/w/new.txt",577,3,null]
EOF
}

@test "the cwd is shared by threads and copied by fork" {
	pair cwd-share <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1000 pid=10 tid=11 nr=chdir args=0 str0=/tmp
exit t=1100 pid=10 tid=11 nr=chdir ret=0
enter t=2000 pid=10 nr=openat args=-100,0,0,0 str1=a
exit t=2100 pid=10 nr=openat ret=3
task_new t=2500 parent=10 child=20 flags=0x1200011
enter t=3000 pid=20 nr=chdir args=0 str0=/var
exit t=3100 pid=20 nr=chdir ret=0
enter t=4000 pid=20 nr=openat args=-100,0,0,0 str1=b
exit t=4100 pid=20 nr=openat ret=4
enter t=5000 pid=10 nr=openat args=-100,0,0,0 str1=c
exit t=5100 pid=10 nr=openat ret=4
trailer
EOF
	run jqp -c 'pairs | [.pid, .tid, .syscall, .path]'
	assert_output - <<'EOF'
[10,11,"chdir","/tmp"]
[10,10,"openat","/tmp/a"]
[20,20,"chdir","/var"]
[20,20,"openat","/var/b"]
[10,10,"openat","/tmp/c"]
EOF
}

@test "fchdir to a known directory fd moves the cwd there" {
	pair fchdir <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,0200000,0 str1=/srv/data
exit t=1100 pid=10 nr=openat ret=3
enter t=2000 pid=10 nr=fchdir args=3
exit t=2100 pid=10 nr=fchdir ret=0
enter t=3000 pid=10 nr=openat args=-100,0,0,0 str1=g.txt
exit t=3100 pid=10 nr=openat ret=4
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .ret]'
	assert_output - <<'EOF'
["openat",3,"/srv/data",3]
["fchdir",3,"/srv/data",0]
["openat",4,"/srv/data/g.txt",4]
EOF
}

@test "fchdir to an fd the table does not know leaves no stale cwd behind" {
	pair fchdir-unknown <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=fchdir args=9
exit t=1100 pid=10 nr=fchdir ret=0
enter t=2000 pid=10 nr=openat args=-100,0,0,0 str1=x
exit t=2100 pid=10 nr=openat ret=3
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "fchdir") | [.fd, .path, .ret, .fd_unknown]'
	assert_output '[9,"<unknown fd 9>",0,true]'
	# The cwd is now the unknown directory fd 9 named, not /home/u.
	run jqp -r 'pairs | select(.syscall == "openat") | .path'
	refute_output "/home/u/x"
	assert_output --regexp '^<unknown'
}

# --- the fd table: dup, close, exec ------------------------------------

@test "dup, dup2, dup3 and fcntl F_DUPFD name the same file; exec drops the close-on-exec ones" {
	# O_CLOEXEC is 02000000; F_DUPFD 0, F_DUPFD_CLOEXEC 1030, F_SETFD 2.
	pair dup <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=7 path=/other
fd pid=10 fd=8 path=/eight
fd pid=10 fd=9 path=/nine flags=02000000
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,02000002,0 str1=/data/f
exit t=1100 pid=10 nr=openat ret=3
enter t=1200 pid=10 nr=dup args=3
exit t=1300 pid=10 nr=dup ret=4
enter t=1400 pid=10 nr=dup2 args=3,5
exit t=1500 pid=10 nr=dup2 ret=5
enter t=1600 pid=10 nr=dup3 args=3,6,02000000
exit t=1700 pid=10 nr=dup3 ret=6
enter t=1800 pid=10 nr=fcntl args=3,0,10
exit t=1900 pid=10 nr=fcntl ret=10
enter t=2000 pid=10 nr=fcntl args=3,1030,20
exit t=2100 pid=10 nr=fcntl ret=20
enter t=2200 pid=10 nr=dup2 args=3,7
exit t=2300 pid=10 nr=dup2 ret=7
enter t=2400 pid=10 nr=fcntl args=8,2,1
exit t=2500 pid=10 nr=fcntl ret=0
enter t=2600 pid=10 nr=fcntl args=9,2,0
exit t=2700 pid=10 nr=fcntl ret=0
enter t=3000 pid=10 nr=read args=7,0,10
exit t=3100 pid=10 nr=read ret=10
enter t=4000 pid=10 nr=execve args=1,2,3 str0=/bin/cat
exec t=4050 pid=10 file=/bin/cat
exit t=4100 pid=10 nr=execve ret=0
enter t=5000 pid=10 nr=read args=3,0,1
exit t=5010 pid=10 nr=read ret=-EBADF
enter t=5100 pid=10 nr=read args=4,0,1
exit t=5110 pid=10 nr=read ret=1
enter t=5200 pid=10 nr=read args=5,0,1
exit t=5210 pid=10 nr=read ret=1
enter t=5300 pid=10 nr=read args=6,0,1
exit t=5310 pid=10 nr=read ret=-EBADF
enter t=5400 pid=10 nr=read args=10,0,1
exit t=5410 pid=10 nr=read ret=1
enter t=5500 pid=10 nr=read args=20,0,1
exit t=5510 pid=10 nr=read ret=-EBADF
enter t=5600 pid=10 nr=read args=7,0,1
exit t=5610 pid=10 nr=read ret=1
enter t=5700 pid=10 nr=read args=8,0,1
exit t=5710 pid=10 nr=read ret=-EBADF
enter t=5800 pid=10 nr=read args=9,0,1
exit t=5810 pid=10 nr=read ret=1
trailer
EOF
	# Each duplicate names /data/f and returns the new fd.
	run jqp -c 'pairs | select(.time_ns < 2400) | [.syscall, .path, .ret]'
	assert_output - <<'EOF'
["openat","/data/f",3]
["dup","/data/f",4]
["dup2","/data/f",5]
["dup3","/data/f",6]
["fcntl","/data/f",10]
["fcntl","/data/f",20]
["dup2","/data/f",7]
EOF
	# dup2 onto the open fd 7 replaced /other.
	run jqp -c 'pairs | select(.time_ns == 3000) | [.fd, .path, .bytes]'
	assert_output '[7,"/data/f",10]'
	# After exec: 3 (O_CLOEXEC), 6 (dup3 O_CLOEXEC), 20 (F_DUPFD_CLOEXEC)
	# and 8 (F_SETFD FD_CLOEXEC) are gone; dup, dup2 and F_DUPFD made fds
	# without the flag, and F_SETFD 0 cleared it on 9.
	run jqp -c 'pairs | select(.time_ns >= 5000) | [.fd, .path, .fd_unknown]'
	assert_output - <<'EOF'
[3,"<unknown fd 3>",true]
[4,"/data/f",null]
[5,"/data/f",null]
[6,"<unknown fd 6>",true]
[10,"/data/f",null]
[20,"<unknown fd 20>",true]
[7,"/data/f",null]
[8,"<unknown fd 8>",true]
[9,"/nine",null]
EOF
	# The flags of the file, as opened, come with it (O_RDWR is 2).
	run jqp -c '[pairs | select(.time_ns == 3000 or .time_ns == 5100) | .flags]'
	assert_output '[2,2]'
	run jqp -c 'totals'
	assert_output '{"pairs":20,"unmatched_exits":0,"unmatched_enters":0,"lost":0,"fd_unknown":4,"missed":0}'
}

@test "close forgets the fd: a later call on it gets the unknown marker" {
	pair close <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a flags=0
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=read ret=10
enter t=2000 pid=10 nr=close args=3
exit t=2100 pid=10 nr=close ret=0
enter t=3000 pid=10 nr=read args=3,0,10
exit t=3100 pid=10 nr=read ret=-EBADF
enter t=4000 pid=10 nr=close args=3
exit t=4100 pid=10 nr=close ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .ret, .errno, .fd_unknown]'
	assert_output - <<'EOF'
["read",3,"/data/a",10,null,null]
["close",3,"/data/a",0,null,null]
["read",3,"<unknown fd 3>",-9,"EBADF",true]
["close",3,"<unknown fd 3>",-9,"EBADF",true]
EOF
	run jqp -c 'totals.fd_unknown'
	assert_output 2
}

@test "dup2 of an fd onto itself changes nothing: its close-on-exec flag stays" {
	# dup2(fd, fd) returns fd and, unlike dup2 onto another fd, leaves
	# FD_CLOEXEC as it was.
	pair dup2-self <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,02000000,0 str1=/data/f
exit t=1100 pid=10 nr=openat ret=3
enter t=1200 pid=10 nr=dup2 args=3,3
exit t=1300 pid=10 nr=dup2 ret=3
enter t=2000 pid=10 nr=execve args=1,2,3 str0=/bin/cat
exec t=2050 pid=10 file=/bin/cat
exit t=2100 pid=10 nr=execve ret=0
enter t=3000 pid=10 nr=read args=3,0,1
exit t=3100 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .ret]'
	assert_output - <<'EOF'
["openat",3,"/data/f",3]
["dup2",3,"/data/f",3]
["execve",-1,"/bin/cat",0]
["read",3,"<unknown fd 3>",-9]
EOF
}

@test "a close that fails with EIO or EINTR still frees the fd, as Linux always does" {
	# Only EBADF leaves the table as it was: close(2), "Dealing with
	# error returns from close()".
	pair close-error <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
fd pid=10 fd=4 path=/data/b
snapshot_end
enter t=1000 pid=10 nr=close args=3
exit t=1100 pid=10 nr=close ret=-EIO
enter t=1200 pid=10 nr=close args=4
exit t=1300 pid=10 nr=close ret=-EINTR
enter t=2000 pid=10 nr=read args=3,0,1
exit t=2100 pid=10 nr=read ret=-EBADF
enter t=2200 pid=10 nr=read args=4,0,1
exit t=2300 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .errno]'
	assert_output - <<'EOF'
["close",3,"/data/a","EIO"]
["close",4,"/data/b","EINTR"]
["read",3,"<unknown fd 3>","EBADF"]
["read",4,"<unknown fd 4>","EBADF"]
EOF
}

# reads_of FDS...: enter/exit lines of a 1-byte read on each fd, by pid 10,
# from t=10000 on.
reads_of() {
	local fd t=10000

	for fd; do
		echo "enter t=$t pid=${PID:-10} nr=read args=$fd,0,1"
		echo "exit t=$((t + 10)) pid=${PID:-10} nr=read ret=1"
		t=$((t + 100))
	done
}

@test "close_range closes every fd in its range and no other" {
	pair close-range <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/f3
fd pid=10 fd=4 path=/f4
fd pid=10 fd=5 path=/f5
fd pid=10 fd=6 path=/f6
snapshot_end
enter t=1000 pid=10 nr=close_range args=4,5,0
exit t=1100 pid=10 nr=close_range ret=0
$(reads_of 3 4 5 6)
enter t=20000 pid=10 nr=close_range args=3,0xffffffff,0
exit t=20100 pid=10 nr=close_range ret=0
enter t=21000 pid=10 nr=read args=3,0,1
exit t=21010 pid=10 nr=read ret=-EBADF
enter t=21100 pid=10 nr=read args=6,0,1
exit t=21110 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "read") | [.fd, .path]'
	assert_output - <<'EOF'
[3,"/f3"]
[4,"<unknown fd 4>"]
[5,"<unknown fd 5>"]
[6,"/f6"]
[3,"<unknown fd 3>"]
[6,"<unknown fd 6>"]
EOF
}

@test "close_range with CLOSE_RANGE_CLOEXEC closes them at exec, not before" {
	pair close-range-cloexec <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/f3
fd pid=10 fd=4 path=/f4
fd pid=10 fd=5 path=/f5
snapshot_end
enter t=1000 pid=10 nr=close_range args=4,5,4
exit t=1100 pid=10 nr=close_range ret=0
enter t=2000 pid=10 nr=read args=4,0,1
exit t=2100 pid=10 nr=read ret=1
enter t=3000 pid=10 nr=execve args=0,0,0 str0=/bin/true
exec t=3050 pid=10 file=/bin/true
exit t=3100 pid=10 nr=execve ret=0
$(reads_of 3 4 5)
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "read") | [.comm, .fd, .path]'
	assert_output - <<'EOF'
["sh",4,"/f4"]
["true",3,"/f3"]
["true",4,"<unknown fd 4>"]
["true",5,"<unknown fd 5>"]
EOF
}

@test "close_range with CLOSE_RANGE_UNSHARE leaves the table it shared with another process alone" {
	# 30 shares 10's table (CLONE_FILES), then close_range(3, 4,
	# CLOSE_RANGE_UNSHARE): 30 gets its own copy and closes in it.
	pair close-range-unshare <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/f3
fd pid=10 fd=4 path=/f4
snapshot_end
task_new t=900 parent=10 child=30 flags=0x400
enter t=1000 pid=30 nr=close_range args=3,4,2
exit t=1100 pid=30 nr=close_range ret=0
$(reads_of 3 4)
$(PID=30 reads_of 3)
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "read") | [.pid, .fd, .path]'
	assert_output - <<'EOF'
[10,3,"/f3"]
[10,4,"/f4"]
[30,3,"<unknown fd 3>"]
EOF
}

# --- the fd table across processes and threads ---------------------------

@test "fork copies the fd table: the child's close and open do not touch the parent's" {
	pair fork <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
task_new t=1000 parent=10 child=20 flags=0x1200011 comm=sh
enter t=1100 pid=20 nr=read args=3,0,10
exit t=1200 pid=20 nr=read ret=10
enter t=1300 pid=20 nr=close args=3
exit t=1400 pid=20 nr=close ret=0
enter t=1500 pid=20 nr=openat args=-100,0,0,0 str1=/data/child
exit t=1600 pid=20 nr=openat ret=4
enter t=1700 pid=20 nr=read args=3,0,10
exit t=1800 pid=20 nr=read ret=-EBADF
enter t=2000 pid=10 nr=read args=3,0,10
exit t=2100 pid=10 nr=read ret=7
enter t=2200 pid=10 nr=read args=4,0,10
exit t=2300 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.pid, .comm, .syscall, .fd, .path, .ret]'
	assert_output - <<'EOF'
[20,"sh","read",3,"/data/a",10]
[20,"sh","close",3,"/data/a",0]
[20,"sh","openat",4,"/data/child",4]
[20,"sh","read",3,"<unknown fd 3>",-9]
[10,"sh","read",3,"/data/a",7]
[10,"sh","read",4,"<unknown fd 4>",-9]
EOF
}

@test "CLONE_FILES shares the fd table: the child's open and close are the parent's too" {
	pair clone-files <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
task_new t=1000 parent=10 child=30 flags=0x400
enter t=1100 pid=30 nr=openat args=-100,0,0,0 str1=/data/shared
exit t=1200 pid=30 nr=openat ret=4
enter t=1300 pid=10 nr=write args=4,0,10
exit t=1400 pid=10 nr=write ret=10
enter t=1500 pid=30 nr=close args=3
exit t=1600 pid=30 nr=close ret=0
enter t=1700 pid=10 nr=read args=3,0,10
exit t=1800 pid=10 nr=read ret=-EBADF
task_exit t=1900 pid=30 last
enter t=2000 pid=10 nr=write args=4,0,10
exit t=2100 pid=10 nr=write ret=10
trailer
EOF
	# The table outlives the child's exit: the parent still holds it.
	run jqp -c 'pairs | [.pid, .syscall, .fd, .path, .bytes, .write]'
	assert_output - <<'EOF'
[30,"openat",4,"/data/shared",0,false]
[10,"write",4,"/data/shared",10,true]
[30,"close",3,"/data/a",0,false]
[10,"read",3,"<unknown fd 3>",0,false]
[10,"write",4,"/data/shared",10,true]
EOF
}

@test "threads share the fd table; a thread's exit leaves it to the others" {
	pair threads <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
task_new t=1000 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1100 pid=10 tid=11 nr=openat args=-100,0,0,0 str1=/data/thr
exit t=1200 pid=10 tid=11 nr=openat ret=5
enter t=1300 pid=10 tid=10 nr=read args=5,0,10
exit t=1400 pid=10 tid=10 nr=read ret=3
task_exit t=1500 pid=10 tid=11
enter t=1600 pid=10 tid=10 nr=read args=5,0,10
exit t=1700 pid=10 tid=10 nr=read ret=2
trailer
EOF
	run jqp -c 'pairs | [.pid, .tid, .comm, .syscall, .fd, .path, .bytes]'
	assert_output - <<'EOF'
[10,11,"sh","openat",5,"/data/thr",0]
[10,10,"sh","read",5,"/data/thr",3]
[10,10,"sh","read",5,"/data/thr",2]
EOF
}

@test "a thread of a snapshot process, first seen in a call, shares the process's table and comm" {
	pair snapshot-thread <<'EOF'
process pid=20 comm=worker exe=/bin/w cwd=/home/u threads=2
fd pid=20 fd=5 path=/snap
snapshot_end
enter t=1000 pid=20 tid=21 nr=read args=5,0,1
exit t=1100 pid=20 tid=21 nr=read ret=1
trailer
EOF
	run jqp -c 'pairs | [.pid, .tid, .comm, .fd, .path]'
	assert_output '[20,21,"worker",5,"/snap"]'
}

@test "exec in a process that shares its table by CLONE_FILES unshares it first" {
	# 30 execs: its close-on-exec fd closes in its own copy; 10 keeps it.
	pair exec-unshare <<EOF
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/f3 flags=02000000
snapshot_end
task_new t=900 parent=10 child=30 flags=0x400
enter t=1000 pid=30 nr=execve args=0,0,0 str0=/bin/true
exec t=1050 pid=30 file=/bin/true
exit t=1100 pid=30 nr=execve ret=0
$(reads_of 3)
$(PID=30 reads_of 3)
enter t=30000 pid=30 nr=openat args=-100,0,0,0 str1=/f4
exit t=30100 pid=30 nr=openat ret=4
enter t=31000 pid=10 nr=read args=4,0,1
exit t=31100 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "read") | [.pid, .fd, .path]'
	assert_output - <<'EOF'
[10,3,"/f3"]
[30,3,"<unknown fd 3>"]
[10,4,"<unknown fd 4>"]
EOF
}

@test "the last thread's exit frees the process: a pid used again does not see the old fds" {
	pair pid-reuse <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
process pid=40 comm=other exe=/bin/other cwd=/
fd pid=10 fd=3 path=/data/a
snapshot_end
task_new t=1000 parent=10 child=20 flags=0x1200011
enter t=1100 pid=20 nr=read args=3,0,10
exit t=1200 pid=20 nr=read ret=10
task_exit t=1300 pid=20 last
task_new t=2000 parent=40 child=20 flags=0x1200011
enter t=2100 pid=20 nr=read args=3,0,10
exit t=2200 pid=20 nr=read ret=-EBADF
task_exit t=2300 pid=20 last
enter t=3100 pid=20 nr=read args=3,0,10
exit t=3200 pid=20 nr=read ret=-EBADF
trailer
EOF
	# The third 20 came without a task_new (its creation was not seen).
	run jqp -c 'pairs | [.pid, .comm, .fd, .path, .fd_unknown]'
	assert_output - <<'EOF'
[20,"sh",3,"/data/a",null]
[20,"other",3,"<unknown fd 3>",true]
[20,null,3,"<unknown fd 3>",true]
EOF
}

@test "a pid reused after its process's exit was lost gets the new process's fds" {
	# 20's task_exit was lost (or never traced); a fork of 40 gets pid 20.
	pair pid-reuse-lost <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
process pid=40 comm=other exe=/bin/other cwd=/
fd pid=10 fd=3 path=/data/a
fd pid=40 fd=3 path=/data/forty
snapshot_end
task_new t=1000 parent=10 child=20 flags=0x1200011
enter t=1100 pid=20 nr=read args=3,0,10
exit t=1200 pid=20 nr=read ret=10
task_new t=2000 parent=40 child=20 flags=0x1200011
enter t=2100 pid=20 nr=read args=3,0,10
exit t=2200 pid=20 nr=read ret=5
trailer
EOF
	run jqp -c 'pairs | [.pid, .comm, .fd, .path]'
	assert_output - <<'EOF'
[20,"sh",3,"/data/a"]
[20,"other",3,"/data/forty"]
EOF
}

@test "a thread whose exit was lost does not keep its freed process" {
	# Thread 11's task_exit was lost; the leader's is the last.  A later
	# pid 10 (reused) must not reach the old table through thread 11.
	pair thread-lost <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
task_new t=1000 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1100 pid=10 tid=11 nr=read args=3,0,10
exit t=1200 pid=10 tid=11 nr=read ret=10
task_exit t=1300 pid=10 tid=10 last
enter t=2100 pid=10 tid=11 nr=read args=3,0,10
exit t=2200 pid=10 tid=11 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.pid, .tid, .fd, .path, .fd_unknown]'
	assert_output - <<'EOF'
[10,11,3,"/data/a",null]
[10,11,3,"<unknown fd 3>",true]
EOF
}

@test "a process the stream never introduced gets unknown fds, never another process's" {
	pair stranger <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=77 tid=78 nr=read args=3,0,10
exit t=1100 pid=77 tid=78 nr=read ret=10
enter t=1200 pid=77 tid=78 nr=write args=1,0,10
exit t=1300 pid=77 tid=78 nr=write ret=10
trailer
EOF
	run jqp -c 'pairs | [.pid, .tid, .fd, .path, .bytes, .fd_unknown]'
	assert_output - <<'EOF'
[77,78,3,"<unknown fd 3>",10,true]
[77,78,1,"<unknown fd 1>",10,true]
EOF
	run jqp -c 'totals'
	assert_output '{"pairs":2,"unmatched_exits":0,"unmatched_enters":0,"lost":0,"fd_unknown":2,"missed":0}'
}

@test "socket makes an fd named socket:" {
	pair socket <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=socket args=2,1,0
exit t=1100 pid=10 nr=socket ret=3
enter t=1200 pid=10 nr=write args=3,0,5
exit t=1300 pid=10 nr=write ret=5
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .ret, .bytes, .fd_unknown]'
	assert_output - <<'EOF'
["socket",3,"socket:",3,0,null]
["write",3,"socket:",5,5,null]
EOF
}

# --- rename ------------------------------------------------------------

@test "rename of an open file renames it in every process that has it open" {
	pair rename <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=6 path=/data
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,0,0 str1=a.txt
exit t=1100 pid=10 nr=openat ret=3
task_new t=1200 parent=10 child=20 flags=0x1200011
enter t=2000 pid=10 nr=rename args=0,0 str0=/home/u/a.txt str1=../u/./b.txt
exit t=2100 pid=10 nr=rename ret=0
enter t=3000 pid=10 nr=read args=3,0,10
exit t=3100 pid=10 nr=read ret=10
enter t=3200 pid=20 nr=read args=3,0,10
exit t=3300 pid=20 nr=read ret=10
enter t=4000 pid=10 nr=rename args=0,0 str0=b.txt str1=/nope/c.txt
exit t=4100 pid=10 nr=rename ret=-EACCES
enter t=4200 pid=10 nr=read args=3,0,10
exit t=4300 pid=10 nr=read ret=10
enter t=5000 pid=10 nr=renameat args=-100,0,6,0 str1=b.txt str3=d.txt
exit t=5100 pid=10 nr=renameat ret=0
enter t=5200 pid=20 nr=read args=3,0,10
exit t=5300 pid=20 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | [.pid, .syscall, .fd, .path, .path2, .ret, .errno]'
	assert_output - <<'EOF'
[10,"openat",3,"/home/u/a.txt",null,3,null]
[10,"rename",-1,"/home/u/a.txt","/home/u/b.txt",0,null]
[10,"read",3,"/home/u/b.txt",null,10,null]
[20,"read",3,"/home/u/b.txt",null,10,null]
[10,"rename",-1,"/home/u/b.txt","/nope/c.txt",-13,"EACCES"]
[10,"read",3,"/home/u/b.txt",null,10,null]
[10,"renameat",-1,"/home/u/b.txt","/data/d.txt",0,null]
[20,"read",3,"/data/d.txt",null,10,null]
EOF
}

@test "rename of a directory renames the open files and the cwd under it" {
	pair rename-dir <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=openat args=-100,0,0,0 str1=/d/sub/f
exit t=1100 pid=10 nr=openat ret=5
enter t=1200 pid=10 nr=openat args=-100,0,0,0 str1=/d/subway
exit t=1300 pid=10 nr=openat ret=6
enter t=1400 pid=10 nr=chdir args=0 str0=/d/sub/deep
exit t=1500 pid=10 nr=chdir ret=0
enter t=2000 pid=10 nr=rename args=0,0 str0=/d/sub str1=/d/new
exit t=2100 pid=10 nr=rename ret=0
enter t=3000 pid=10 nr=read args=5,0,1
exit t=3100 pid=10 nr=read ret=1
enter t=3200 pid=10 nr=read args=6,0,1
exit t=3300 pid=10 nr=read ret=1
enter t=3400 pid=10 nr=openat args=-100,0,0,0 str1=x
exit t=3500 pid=10 nr=openat ret=7
trailer
EOF
	# /d/subway is not under /d/sub.
	run jqp -c 'pairs | select(.time_ns >= 3000) | [.syscall, .fd, .path]'
	assert_output - <<'EOF'
["read",5,"/d/new/f"]
["read",6,"/d/subway"]
["openat",7,"/d/new/deep/x"]
EOF
}

@test "renameat2 RENAME_EXCHANGE swaps the names of two open files" {
	pair rename-exchange <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/d/a
fd pid=10 fd=4 path=/d/b
snapshot_end
enter t=1000 pid=10 nr=renameat2 args=-100,0,-100,0,2 str1=/d/a str3=/d/b
exit t=1100 pid=10 nr=renameat2 ret=0
enter t=2000 pid=10 nr=read args=3,0,10
exit t=2100 pid=10 nr=read ret=10
enter t=2200 pid=10 nr=read args=4,0,10
exit t=2300 pid=10 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "read") | [.fd, .path]'
	assert_output - <<'EOF'
[3,"/d/b"]
[4,"/d/a"]
EOF
}

# --- bytes -------------------------------------------------------------

@test "reads and writes count the bytes they moved; failed and empty ones count none" {
	pair bytes <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/in flags=0
fd pid=10 fd=4 path=/data/out flags=02101
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,4096
exit t=1100 pid=10 nr=read ret=4096
enter t=1200 pid=10 nr=pread64 args=3,0,512,4000
exit t=1300 pid=10 nr=pread64 ret=512
enter t=1400 pid=10 nr=read args=3,0,4096
exit t=1500 pid=10 nr=read ret=0
enter t=1600 pid=10 nr=read args=3,0,4096
exit t=1700 pid=10 nr=read ret=-EIO
enter t=1800 pid=10 nr=write args=4,0,100
exit t=1900 pid=10 nr=write ret=100
enter t=2000 pid=10 nr=writev args=4,0,3
exit t=2100 pid=10 nr=writev ret=12345
enter t=2200 pid=10 nr=write args=4,0,100
exit t=2300 pid=10 nr=write ret=-EAGAIN
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .flags, .ret, .errno, .bytes, .read, .write]'
	assert_output - <<'EOF'
["read",3,"/data/in",0,4096,null,4096,true,false]
["pread64",3,"/data/in",0,512,null,512,true,false]
["read",3,"/data/in",0,0,null,0,false,false]
["read",3,"/data/in",0,-5,"EIO",0,false,false]
["write",4,"/data/out",1089,100,null,100,false,true]
["writev",4,"/data/out",1089,12345,null,12345,false,true]
["write",4,"/data/out",1089,-11,"EAGAIN",0,false,false]
EOF
}

@test "sendfile and copy_file_range count their bytes on both sides: read from the source, written to the sink" {
	pair transfer <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/src
fd pid=10 fd=4 path=/data/sink
snapshot_end
enter t=1000 pid=10 nr=sendfile args=4,3,0,1000
exit t=1100 pid=10 nr=sendfile ret=700
enter t=2000 pid=10 nr=copy_file_range args=3,0,4,0,500,0
exit t=2100 pid=10 nr=copy_file_range ret=500
enter t=3000 pid=10 nr=copy_file_range args=3,0,4,0,500,0
exit t=3100 pid=10 nr=copy_file_range ret=-EXDEV
enter t=4000 pid=10 nr=sendfile args=9,3,0,1000
exit t=4100 pid=10 nr=sendfile ret=300
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .path2, .ret, .bytes, .read, .write, .fd_unknown]'
	assert_output - <<'EOF'
["sendfile",3,"/data/src","/data/sink",700,700,true,true,null]
["copy_file_range",3,"/data/src","/data/sink",500,500,true,true,null]
["copy_file_range",3,"/data/src","/data/sink",-18,0,false,false,null]
["sendfile",3,"/data/src","<unknown fd 9>",300,300,true,true,true]
EOF
}

# --- pairing edge cases ------------------------------------------------

@test "an exit whose enter was not seen is counted, not paired, and opens no fd" {
	pair exit-only <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
exit t=1000 pid=10 nr=openat ret=5
enter t=1500 pid=10 nr=read args=5,0,10
exit t=1600 pid=10 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | [.syscall, .fd, .path, .fd_unknown, .time_ns, .latency_ns, .gap_ns]'
	assert_output '["read",5,"<unknown fd 5>",true,1500,100,500]'
	run jqp -c 'totals'
	assert_output '{"pairs":1,"unmatched_exits":1,"unmatched_enters":0,"lost":0,"fd_unknown":1,"missed":0}'
}

@test "an enter whose exit never came is counted, and the thread's next call pairs with its own enter" {
	pair enter-only <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
enter t=2000 pid=10 nr=write args=3,0,10
exit t=2100 pid=10 nr=write ret=5
enter t=3000 pid=10 nr=read args=3,0,10
trailer
EOF
	run jqp -c 'pairs | [.syscall, .time_ns, .latency_ns, .ret, .bytes, .write, .unfinished]'
	# The last read was open at the trailer: a pair flagged unfinished,
	# its latency running to the trailer's time (docs/format.md).
	assert_output - <<'OUT'
["write",2000,100,5,5,true,null]
["read",3000,1000,0,0,false,true]
OUT
	# Both reads: the first was overtaken, the last was open at the end.
	run jqp -c 'totals'
	assert_output '{"pairs":1,"unmatched_exits":0,"unmatched_enters":2,"lost":0,"fd_unknown":0,"missed":0}'
}

@test "calls open at the trailer in several threads each get a sequence number of their own" {
	pair unfinished-seq <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=read ret=10
enter t=2000 pid=10 tid=11 nr=read args=3,0,10
enter t=2500 pid=10 tid=12 nr=read args=3,0,10
enter t=3000 pid=10 nr=read args=3,0,10
trailer
EOF
	run jqp -c '[pairs | .seq]'
	assert_output '[1,2,3,4]'
}

@test "an exit with another syscall's number pairs with nothing" {
	pair mismatch <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=write ret=10
enter t=2000 pid=10 nr=read args=3,0,10
exit t=2100 pid=10 nr=read ret=7
trailer
EOF
	run jqp -c 'pairs | [.syscall, .time_ns, .latency_ns, .ret, .bytes]'
	assert_output '["read",2000,100,7,7]'
	run jqp -c 'totals'
	assert_output '{"pairs":1,"unmatched_exits":1,"unmatched_enters":1,"lost":0,"fd_unknown":0,"missed":0}'
}

@test "a syscall number the table does not name gets no other syscall's rule" {
	# 1281 is 1024 + 257 (openat): it must not open an fd.
	pair nr-alias <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=1281 args=-100,0,0,0 str1=/etc/passwd
exit t=1100 pid=10 nr=1281 ret=5
enter t=2000 pid=10 nr=read args=5,0,10
exit t=2100 pid=10 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | [.syscall, .family, .fd, .path, .ret]'
	assert_output - <<'EOF'
["syscall_1281","other",-1,null,5]
["read","read",5,"<unknown fd 5>",10]
EOF
}

@test "the child's return from clone is not an unmatched exit" {
	# A fork child leaves clone with 0 though it never entered it.
	pair clone-child <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=clone args=0x1200011,0,0,0,0
task_new t=1100 parent=10 child=20 flags=0x1200011
exit t=1200 pid=20 nr=clone ret=0
exit t=1300 pid=10 nr=clone ret=20
enter t=1400 pid=20 nr=exit_group args=0
task_exit t=1500 pid=20 code=0 last
trailer
EOF
	run jqp -c 'pairs | select(.pid == 10) | [.syscall, .ret, .latency_ns]'
	assert_output '["clone",20,300]'
	run jqp -c 'totals | [.unmatched_exits, .unmatched_enters]'
	assert_output '[0,0]'
}

@test "execve pairs with its exit after the exec record, and the new program starts without close-on-exec fds" {
	pair execve <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/keep flags=0
fd pid=10 fd=4 path=/data/cloexec flags=02000000
snapshot_end
enter t=1000 pid=10 nr=execve args=1,2,3 str0=/nope/cat
exit t=1100 pid=10 nr=execve ret=-ENOENT
enter t=2000 pid=10 nr=execve args=1,2,3 str0=/bin/cat
exec t=2400 pid=10 file=/bin/cat
exit t=2500 pid=10 nr=execve ret=0
enter t=3000 pid=10 nr=read args=3,0,10
exit t=3100 pid=10 nr=read ret=10
enter t=3200 pid=10 nr=read args=4,0,10
exit t=3300 pid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | [.syscall, .pid, .tid, .fd, .path, .ret, .errno, .time_ns, .latency_ns, .gap_ns]'
	assert_output - <<'EOF'
["execve",10,10,-1,"/nope/cat",-2,"ENOENT",1000,100,null]
["execve",10,10,-1,"/bin/cat",0,null,2000,500,900]
["read",10,10,3,"/data/keep",10,null,3000,100,500]
["read",10,10,4,"<unknown fd 4>",-9,"EBADF",3200,100,100]
EOF
	run jqp -c 'totals'
	assert_output '{"pairs":4,"unmatched_exits":0,"unmatched_enters":0,"lost":0,"fd_unknown":1,"missed":0}'
}

@test "the execve pair carries its caller's comm, the calls after it the new program's" {
	pair execve-comm <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
snapshot_end
enter t=1000 pid=10 nr=execve args=1,2,3 str0=/bin/cat
exec t=1400 pid=10 file=/bin/cat
exit t=1500 pid=10 nr=execve ret=0
enter t=2000 pid=10 nr=read args=0,0,10
exit t=2100 pid=10 nr=read ret=10
trailer
EOF
	run jqp -c 'pairs | [.syscall, .comm]'
	assert_output - <<'EOF'
["execve","sh"]
["read","cat"]
EOF
}

@test "execve by a thread that is not the leader pairs across the exec, under the pid it takes over" {
	# Thread 11 execs: the kernel ends the leader (10), and 11 goes on as
	# tid 10.  The leader's read never returns.
	pair execve-thread <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/keep
fd pid=10 fd=4 path=/data/cloexec flags=02000000
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=950 pid=10 tid=11 nr=read args=3,0,1
exit t=1000 pid=10 tid=11 nr=read ret=1
enter t=1000 pid=10 tid=10 nr=read args=3,0,10
enter t=2000 pid=10 tid=11 nr=execve args=1,2,3 str0=/bin/cat
task_exit t=2200 pid=10 tid=10
exec t=2300 pid=10 old_tid=11 file=/bin/cat
exit t=2500 pid=10 tid=10 nr=execve ret=0
enter t=3000 pid=10 tid=10 nr=read args=3,0,10
exit t=3100 pid=10 tid=10 nr=read ret=10
enter t=3200 pid=10 tid=10 nr=read args=4,0,10
exit t=3300 pid=10 tid=10 nr=read ret=-EBADF
trailer
EOF
	run jqp -c 'pairs | select(.syscall == "execve") | [.pid, .path, .ret, .time_ns, .latency_ns, .gap_ns]'
	assert_output '[10,"/bin/cat",0,2000,500,1000]'
	run jqp -c 'pairs | select(.time_ns >= 3000) | [.pid, .tid, .comm, .fd, .path, .gap_ns]'
	assert_output - <<'EOF'
[10,10,"cat",3,"/data/keep",500]
[10,10,"cat",4,"<unknown fd 4>",100]
EOF
	run jqp -c 'totals'
	assert_output '{"pairs":4,"unmatched_exits":0,"unmatched_enters":1,"lost":0,"fd_unknown":1,"missed":0}'
}

@test "exit_group and exit pair at the task's exit, with noreturn" {
	pair noreturn <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=0 path=/dev/tty
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
task_new t=950 parent=10 child=10 child_tid=12 flags=0x3d0f00
enter t=1000 pid=10 tid=12 nr=exit args=0
task_exit t=1100 pid=10 tid=12
enter t=2000 pid=10 tid=10 nr=read args=0,0,10
enter t=3000 pid=10 tid=11 nr=exit_group args=3
task_exit t=3300 pid=10 tid=10 code=768
task_exit t=3400 pid=10 tid=11 code=768 last
trailer
EOF
	run jqp -c 'pairs | [.tid, .syscall, .ret, .errno, .time_ns, .latency_ns, .noreturn, .restart]'
	assert_output - <<'EOF'
[12,"exit",0,null,1000,100,true,null]
[11,"exit_group",0,null,3000,400,true,null]
EOF
	# The leader's read was cut short by the exit_group.
	run jqp -c 'totals'
	assert_output '{"pairs":2,"unmatched_exits":0,"unmatched_enters":1,"lost":0,"fd_unknown":0,"missed":0}'
}

@test "a call restarted after a signal is one pair from its first enter, marked restart; restart codes are never errors" {
	pair restart <<'EOF'
syscall nr=15 name=rt_sigreturn nargs=0
syscall nr=35 name=nanosleep nargs=2
syscall nr=219 name=restart_syscall nargs=0
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=0 path=/dev/tty
snapshot_end
enter t=1000 pid=10 nr=read args=0,0,10
exit t=1100 pid=10 nr=read ret=-512
enter t=1150 pid=10 nr=write args=0,0,1
exit t=1160 pid=10 nr=write ret=1
enter t=1170 pid=10 nr=rt_sigreturn
exit t=1180 pid=10 nr=rt_sigreturn ret=0
enter t=1300 pid=10 nr=read args=0,0,10
exit t=1400 pid=10 nr=read ret=7
enter t=2000 pid=10 nr=read args=0,0,10
exit t=2100 pid=10 nr=read ret=-513
enter t=2200 pid=10 nr=read args=0,0,10
exit t=2300 pid=10 nr=read ret=-514
enter t=2310 pid=10 nr=rt_sigreturn
exit t=2320 pid=10 nr=rt_sigreturn ret=-EINTR
enter t=2400 pid=10 nr=nanosleep args=1,0
exit t=2500 pid=10 nr=nanosleep ret=-516
enter t=2600 pid=10 nr=restart_syscall
exit t=2700 pid=10 nr=restart_syscall ret=0
enter t=2800 pid=10 nr=read args=0,0,10
exit t=2900 pid=10 nr=read ret=-511
enter t=3000 pid=10 nr=read args=0,0,10
exit t=3100 pid=10 nr=read ret=-512
trailer
EOF
	run jqp -c 'pairs | [.syscall, .ret, .errno, .restart, .noreturn, .bytes,
		.time_ns, .latency_ns, .gap_ns]'
	assert_output - <<'EOF'
["write",1,null,null,null,1,1150,10,50]
["rt_sigreturn",0,null,null,true,0,1170,10,10]
["read",7,null,true,null,7,1000,400,null]
["rt_sigreturn",0,null,null,true,0,2310,10,10]
["read",-4,"EINTR",true,null,0,2000,320,600]
["nanosleep",0,null,true,null,0,2400,300,80]
["read",-511,"E511",null,null,0,2800,100,100]
["read",-512,null,true,null,0,3000,100,100]
EOF
	run jqp -c '[of("pair_totals")] | last | [.pairs, .unmatched_exits, .unmatched_enters]'
	assert_output '[8,0,0]'
	run "$IOR_BIN/ior-dump" "$T/restart.pair"
	refute_output --regexp 'Unknown error 51[2346]'
	assert_output --partial 'read(0 "/dev/tty") = ? ERESTARTSYS (restart)'
}

@test "a loss record drops the enters in flight instead of pairing them; lost is in pair_totals and the trailer" {
	pair loss <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=0 path=/dev/tty
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1000 pid=10 tid=10 nr=read args=0,0,10
enter t=1050 pid=10 tid=11 nr=write args=0,0,10
loss t=1100 cpu=1 lost=3
exit t=1200 pid=10 tid=10 nr=read ret=5
exit t=1250 pid=10 tid=11 nr=write ret=5
enter t=1300 pid=10 tid=10 nr=read args=0,0,10
loss t=1350 cpu=0 lost=2
loss t=1360 cpu=1 lost=4
exit t=1400 pid=10 tid=10 nr=read ret=-EAGAIN
enter t=1500 pid=10 tid=10 nr=read args=0,0,10
exit t=1600 pid=10 tid=10 nr=read ret=9
trailer reason=command status=256
EOF
	run jqp -c 'pairs | [.tid, .syscall, .ret, .bytes, .time_ns, .latency_ns]'
	assert_output '[10,"read",9,9,1500,100]'
	run jqp -c 'totals'
	assert_output '{"pairs":1,"unmatched_exits":3,"unmatched_enters":3,"lost":9,"fd_unknown":0,"missed":0}'
	# The loss records pass through; the trailer keeps the total, and the
	# input's reason and status.
	run jqp -c '[trailer.lost, ([of("loss") | .lost_total]), trailer.events,
		trailer.reason, trailer.status]'
	assert_output '[9,[3,2,7],1,"command",256]'
}

@test "two interleaved threads pair by tid, in whatever order their records come" {
	pair interleaved <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
fd pid=10 fd=4 path=/data/b
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1000 pid=10 tid=10 nr=read args=3,0,100
enter t=1010 pid=10 tid=11 nr=write args=4,0,200
exit t=1200 pid=10 tid=11 nr=write ret=200
exit t=1100 pid=10 tid=10 nr=read ret=100
enter t=1150 pid=10 tid=10 nr=read args=3,0,100
enter t=1300 pid=10 tid=11 nr=write args=4,0,200
exit t=1400 pid=10 tid=11 nr=write ret=150
exit t=1250 pid=10 tid=10 nr=read ret=0
enter t=1600 pid=10 tid=10 nr=read args=3,0,100
enter t=1610 pid=10 tid=11 nr=read args=3,0,100
exit t=1720 pid=10 tid=11 nr=read ret=30
exit t=1700 pid=10 tid=10 nr=read ret=20
trailer
EOF
	run jqp -c 'pairs | [.tid, .syscall, .path, .ret, .bytes, .time_ns, .latency_ns, .gap_ns]'
	assert_output - <<'EOF'
[11,"write","/data/b",200,200,1010,190,null]
[10,"read","/data/a",100,100,1000,100,null]
[11,"write","/data/b",150,150,1300,100,100]
[10,"read","/data/a",0,0,1150,100,50]
[11,"read","/data/a",30,30,1610,110,210]
[10,"read","/data/a",20,20,1600,100,350]
EOF
	run jqp -c 'totals | [.pairs, .unmatched_exits, .unmatched_enters]'
	assert_output '[6,0,0]'
}

@test "a comm change shows in the thread's later pairs, not in its other threads'" {
	pair comm <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=1 path=/dev/null
snapshot_end
task_new t=900 parent=10 child=10 child_tid=11 flags=0x3d0f00
enter t=1000 pid=10 tid=11 nr=write args=1,0,1
exit t=1100 pid=10 tid=11 nr=write ret=1
comm t=1200 pid=10 tid=11 comm=worker
enter t=1300 pid=10 tid=11 nr=write args=1,0,1
exit t=1400 pid=10 tid=11 nr=write ret=1
enter t=1500 pid=10 tid=10 nr=write args=1,0,1
exit t=1600 pid=10 tid=10 nr=write ret=1
task_new t=1700 parent=10 parent_tid=11 child=20 flags=0x1200011
enter t=1800 pid=20 nr=write args=1,0,1
exit t=1900 pid=20 nr=write ret=1
comm t=2000 pid=10 tid=11 comm=worker-2
enter t=2100 pid=10 tid=11 nr=write args=1,0,1
exit t=2200 pid=10 tid=11 nr=write ret=1
trailer
EOF
	# A fork takes the comm of the thread that forked.
	run jqp -c 'pairs | [.pid, .tid, .comm]'
	assert_output - <<'EOF'
[10,11,"sh"]
[10,11,"worker"]
[10,10,"sh"]
[20,20,"worker"]
[10,11,"worker-2"]
EOF
	run jqp -c '[of("name") | select(.kind == "comm") | .value]'
	assert_output '["sh","worker","worker-2"]'
}

@test "a path's name record is written once, before the first pair that uses it" {
	pair names <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
fd pid=10 fd=4 path=/data/b
snapshot_end
enter t=1000 pid=10 nr=read args=4,0,1
exit t=1100 pid=10 nr=read ret=1
enter t=1200 pid=10 nr=read args=3,0,1
exit t=1300 pid=10 nr=read ret=1
task_new t=1400 parent=10 child=20 flags=0x1200011
enter t=1500 pid=20 nr=read args=3,0,1
exit t=1600 pid=20 nr=read ret=1
enter t=1700 pid=20 nr=openat args=-100,0,0,0 str1=../../data/a
exit t=1800 pid=20 nr=openat ret=5
enter t=1900 pid=10 nr=sendfile args=4,3,0,1
exit t=2000 pid=10 nr=sendfile ret=1
enter t=2100 pid=10 nr=read args=9,0,1
exit t=2200 pid=10 nr=read ret=1
enter t=2300 pid=10 nr=read args=9,0,1
exit t=2400 pid=10 nr=read ret=1
trailer
EOF
	# Each value once, and before the first pair naming it (pair()
	# checks that for every fixture); here the order is the first use.
	run jqp -c '[.[] | select(.type == "name" or .type == "pair")
		| if .type == "name" then "name \(.kind) \(.value)"
		  else "pair \(.path)" end]'
	assert_output '["name path /data/b","name comm sh","pair /data/b","name path /data/a","pair /data/a","pair /data/a","pair /data/a","pair /data/a","name path <unknown fd 9>","pair <unknown fd 9>","pair <unknown fd 9>"]'
}

@test "concatenated sections are paired apart: names, fd tables and totals start over" {
	{
		prologue
		cat <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=read ret=10
enter t=1200 pid=10 nr=read args=3,0,10
trailer
EOF
	} | "$IOR_BIN/iorgen" > "$T/one.ior"
	{
		prologue
		cat <<'EOF'
enter t=2000 pid=10 nr=read args=3,0,10
exit t=2100 pid=10 nr=read ret=5
exit t=2200 pid=10 nr=read ret=5
enter t=2300 pid=10 nr=openat args=-100,0,0,0 str1=/data/z
exit t=2400 pid=10 nr=openat ret=4
trailer
EOF
	} | "$IOR_BIN/iorgen" > "$T/two.ior"
	cat "$T/one.ior" "$T/two.ior" > "$T/both.ior"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/both.ior"
	assert_success
	assert_equal "$stderr" ""
	"$IOR_BIN/ior-pair" < "$T/both.ior" > "$T/both.pair"
	dump_json "$T/both.pair"
	run jqp -r 'name_problems'
	assert_output ""
	# The second section knows neither pid 10's fd 3 nor its comm.
	run jqp -c '.[] | select(.type == "section" or .type == "pair"
		or .type == "pair_totals" or .type == "trailer" or .type == "name")
		| [.type, .id, .value, .pid, .path, .comm, .ret, .pairs,
		   .unmatched_exits, .unmatched_enters, .events]
		| map(select(. != null))'
	assert_output - <<'EOF'
["section"]
["name",2,"/data/a"]
["name",1,"sh"]
["pair",10,"/data/a","sh",10]
["pair",10,"/data/a","sh",0]
["pair_totals",1,0,1]
["trailer",1]
["section"]
["name",1,"<unknown fd 3>"]
["pair",10,"<unknown fd 3>",5]
["name",2,"/data/z"]
["pair",10,"/data/z",4]
["pair_totals",2,1,0]
["trailer",2]
EOF
	# Two files are read like their concatenation.
	"$IOR_BIN/ior-pair" "$T/one.ior" "$T/two.ior" > "$T/files.pair"
	run bash -c '"$1" --json "$2" | jq -c "del(.offset, .producer_pid, .cmdline, .time_ns)"' _ "$IOR_BIN/ior-dump" "$T/files.pair"
	local files=$output
	run bash -c '"$1" --json "$2" | jq -c "del(.offset, .producer_pid, .cmdline, .time_ns)"' _ "$IOR_BIN/ior-dump" "$T/both.pair"
	assert_equal "$files" "$output"
}

# --- bad input ---------------------------------------------------------

# A stream of one section with four pairs, in $T/good.ior.
good_stream() {
	{
		prologue
		cat <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=read ret=1
enter t=1200 pid=10 nr=read args=3,0,10
exit t=1300 pid=10 nr=read ret=2
enter t=1400 pid=10 nr=read args=3,0,10
exit t=1500 pid=10 nr=read ret=3
enter t=1600 pid=10 nr=read args=3,0,10
exit t=1700 pid=10 nr=read ret=4
trailer
EOF
	} | "$IOR_BIN/iorgen" > "$T/good.ior"
}

@test "a truncated input: exit 1, one message with the offset, the pairs before the cut and no trailer" {
	good_stream
	local at cut
	# Cut 20 bytes into the third exit record (32 bytes).
	at=$("$IOR_BIN/ior-dump" --json "$T/good.ior" |
		jq -s '[.[] | select(.type == "exit")][2].offset')
	cut=$((at + 20))
	head -c "$cut" "$T/good.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/cut.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-pair: $T/cut.ior: truncated record at offset $at (need 32 bytes, have 20)"
	"$IOR_BIN/ior-pair" < "$T/cut.ior" > "$T/cut.pair" 2> /dev/null || true
	# The two pairs before the cut came through, and no trailer: the
	# reader downstream sees the truncation too.
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/cut.pair"
	assert_failure 1
	assert_regex "$stderr" "^ior-dump: $T/cut.pair: truncated stream at offset [0-9]+: no trailer after [0-9]+ records\$"
	run jq -c 'select(.type == "pair") | [.path, .ret]' <<< "$output"
	assert_output - <<'EOF'
["/data/a",1]
["/data/a",2]
EOF
	run bash -c '"$1" --json "$2" 2>/dev/null | jq -r .type | grep -c "^trailer$"' _ "$IOR_BIN/ior-dump" "$T/cut.pair"
	assert_output 0
}

@test "every cut point of the input: status 1, the message, the pairs before the cut" {
	good_stream
	"$IOR_BIN/ior-dump" --json "$T/good.ior" > "$T/good.json"
	"$IOR_BIN/ior-pair" "$T/good.ior" | "$IOR_BIN/ior-dump" --json |
		jq -c 'select(.type == "pair") | [.path, .ret, .time_ns]' \
		> "$T/all-pairs"
	local size N K X e have want rc fails=0 npairs got_pairs want_pairs got IFS=
	local -a offs ends exit_ends all_pairs
	size=$(stat -c %s "$T/good.ior")
	mapfile -t offs < <(jq .offset "$T/good.json")
	mapfile -t exit_ends < <(jq 'select(.type == "exit") | .offset + 32' "$T/good.json")
	mapfile -t all_pairs < "$T/all-pairs"
	ends=("${offs[@]:1}" "$size")
	# Every record boundary, and the middle of every record.
	local -a cuts=()
	for ((K = 0; K < ${#offs[@]}; K++)); do
		cuts+=("${offs[K]}" $(( (offs[K] + ends[K]) / 2 )))
	done
	# The cuts are written by printf, without a fork (helpers.bash).
	bytes_escaped "$T/good.ior"
	( notrace
	for N in "${cuts[@]}"; do
		printf "${BYTES[*]:0:N}" > "$T/cut.ior"
		rc=0
		"$IOR_BIN/ior-pair" < "$T/cut.ior" > "$T/cut.pair" 2> "$T/cut.err" ||
			rc=$?
		for ((K = 0; K < ${#offs[@]} && ends[K] <= N; K++)); do :; done
		X=$((K ? ends[K - 1] : 0))
		have=$((N - X))
		if ((N == 0)); then
			want="empty input: not an ior stream"
		elif ((K == 0)); then
			want="truncated section header at offset 0 (need $((N < 48 ? 48 : ends[0])) bytes, have $N)"
			((N < 8)) && want="truncated record at offset 0 (need 8 bytes, have $N)"
		elif ((have == 0)); then
			want="truncated stream at offset $X: no trailer after $((K - 1)) records"
		else
			want="truncated record at offset $X (need $((have < 8 ? 8 : ends[K] - X)) bytes, have $have)"
		fi
		want="ior-pair: <stdin>: $want"$'\n'
		npairs=0
		for e in "${exit_ends[@]}"; do ((e <= N)) && npairs=$((npairs + 1)); done
		# The pairs, and a line "trailer" for a trailer, which there
		# must not be.
		"$IOR_BIN/ior-dump" --json "$T/cut.pair" 2> /dev/null |
			jq -c 'if .type == "pair" then [.path, .ret, .time_ns]
				elif .type == "trailer" then "trailer" else empty end' \
			> "$T/cut.pairs"
		read -r -d '' got_pairs < "$T/cut.pairs" || :
		read -r -d '' got < "$T/cut.err" || :
		want_pairs=
		((npairs)) && printf -v want_pairs '%s\n' "${all_pairs[@]:0:npairs}"
		if ((rc != 1)) || [[ $got != "$want" ]] ||
		   [[ $got_pairs != "$want_pairs" ]]; then
			echo "cut at $N: status $rc, stderr: $got"
			echo "  pairs: $got_pairs"
			echo "  expected: $want and $npairs pairs"
			((++fails > 5)) && break
		fi
	done
	((fails == 0)) )
}

@test "a bad record length stops ior-pair after the pairs before it" {
	good_stream
	{
		prologue
		cat <<'EOF'
process pid=10 comm=sh exe=/bin/sh cwd=/home/u
fd pid=10 fd=3 path=/data/a
snapshot_end
enter t=1000 pid=10 nr=read args=3,0,10
exit t=1100 pid=10 nr=read ret=1
enter t=1200 pid=10 nr=read args=3,0,10
exit t=1300 pid=10 nr=read ret=2 size=12
enter t=1400 pid=10 nr=read args=3,0,10
exit t=1500 pid=10 nr=read ret=3
trailer
EOF
	} | "$IOR_BIN/iorgen" > "$T/bad.ior"
	local at
	at=$(( $("$IOR_BIN/ior-dump" --json "$T/good.ior" |
		jq -s '[.[] | select(.type == "exit")][1].offset') ))
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/bad.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-pair: $T/bad.ior: bad record length 12 at offset $at (type 0x0102)"
	"$IOR_BIN/ior-pair" "$T/bad.ior" 2> /dev/null > "$T/bad.pair" || true
	run bash -c '"$1" --json "$2" 2>/dev/null | jq -c "select(.type == \"pair\" or .type == \"trailer\") | [.type, .ret]"' _ "$IOR_BIN/ior-dump" "$T/bad.pair"
	assert_output '["pair",1]'
}

@test "a file that is not an ior stream: status 1, a message, nothing written" {
	run --separate-stderr "$IOR_BIN/ior-pair" /etc/passwd
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-pair: /etc/passwd: not an ior stream (bad magic) at offset 0"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/nonexistent"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "ior-pair: $T/nonexistent: No such file or directory"
}

@test "a section cut short and followed by another: the pairs before the cut, status 1" {
	good_stream
	local size
	size=$(stat -c %s "$T/good.ior")
	# Without its trailer: a truncated section, then a good one.
	head -c $((size - 56)) "$T/good.ior" > "$T/notrailer.ior"
	cat "$T/notrailer.ior" "$T/good.ior" > "$T/two.ior"
	run --separate-stderr "$IOR_BIN/ior-pair" "$T/two.ior"
	assert_failure 1
	assert_equal "$stderr" "ior-pair: $T/two.ior: truncated section before offset $((size - 56)): no trailer after $(( $("$IOR_BIN/ior-dump" --json "$T/good.ior" | wc -l) - 2 )) records"
	"$IOR_BIN/ior-pair" "$T/two.ior" > "$T/two.pair" 2> /dev/null || true
	# The first section's pairs, and no trailer after them.
	run bash -c '"$1" --json "$2" 2>/dev/null | jq -c "select(.type == \"pair\" or .type == \"trailer\") | [.type, .ret]" | head -n 5' _ "$IOR_BIN/ior-dump" "$T/two.pair"
	assert_output - <<'EOF'
["pair",1]
["pair",2]
["pair",3]
["pair",4]
EOF
}

@test "a write error on standard output is reported, status 1" {
	good_stream
	run --separate-stderr sh -c '"$1" "$2" > /dev/full' _ "$IOR_BIN/ior-pair" "$T/good.ior"
	assert_failure 1
	assert_regex "$stderr" '^ior-pair: .*write error.*No space left on device$'
}

@test "a reader that goes away ends ior-pair quietly" {
	{
		notrace
		prologue
		echo "fd pid=10 fd=3 path=/data/a"
		for ((i = 0; i < 5000; i++)); do
			echo "enter pid=10 nr=read args=3,0,4096"
			echo "exit pid=10 nr=read ret=4096"
		done
		echo "trailer"
	} | "$IOR_BIN/iorgen" > "$T/big.ior"
	run bash -c '"$1" "$2" 2> "$3" | head -c1 > /dev/null
		echo "${PIPESTATUS[0]}"' _ "$IOR_BIN/ior-pair" "$T/big.ior" "$T/err"
	assert_output --regexp '^(0|141)$'
	assert_equal "$(<"$T/err")" ""
}

@test "-h prints the usage with EXAMPLES on standard output; a bad option exits 2" {
	run --separate-stderr "$IOR_BIN/ior-pair" -h
	assert_success
	assert_line --index 0 --regexp '^usage: ior-pair '
	assert_line EXAMPLES
	assert_equal "$stderr" ""
	run --separate-stderr "$IOR_BIN/ior-pair" -Z
	assert_failure 2
	assert_output ""
}

# --- memory ------------------------------------------------------------

# processes N: a stream of N short-lived processes, each forked by pid 1
# (which has three fds), opening a file, reading it, closing it, starting
# a thread that writes once and ends, and exiting.  Pids wrap at 100000,
# so later ones reuse earlier pids (and tids).
processes() {
	{
		prologue
		echo "process pid=1 comm=init exe=/sbin/init cwd=/"
		echo "fd pid=1 fd=0 path=/dev/null"
		echo "fd pid=1 fd=1 path=/dev/console"
		echo "fd pid=1 fd=2 path=/dev/console"
		echo "snapshot_end"
		awk -v n="$1" 'BEGIN {
			t = 1000000
			for (i = 0; i < n; i++) {
				p = 1000 + i % 100000
				printf "task_new t=%d parent=1 child=%d flags=0x1200011\n", t, p
				printf "enter t=%d pid=%d nr=openat args=-100,0,0,0 str1=etc/motd\n", t + 100, p
				printf "exit t=%d pid=%d nr=openat ret=3\n", t + 200, p
				printf "enter t=%d pid=%d nr=read args=3,0,4096\n", t + 300, p
				printf "exit t=%d pid=%d nr=read ret=100\n", t + 400, p
				printf "enter t=%d pid=%d nr=close args=3\n", t + 500, p
				printf "exit t=%d pid=%d nr=close ret=0\n", t + 600, p
				printf "task_new t=%d parent=%d child=%d child_tid=%d flags=0x3d0f00\n", t + 610, p, p, p + 200000
				printf "enter t=%d pid=%d tid=%d nr=write args=1,0,10\n", t + 620, p, p + 200000
				printf "exit t=%d pid=%d tid=%d nr=write ret=10\n", t + 630, p, p + 200000
				printf "task_exit t=%d pid=%d tid=%d\n", t + 640, p, p + 200000
				printf "enter t=%d pid=%d nr=exit_group args=0\n", t + 700, p
				printf "task_exit t=%d pid=%d last\n", t + 800, p
				t += 1000
			}
		}'
		echo "trailer"
	} | "$IOR_BIN/iorgen"
}

# peak_rss N: ior-pair's peak RSS in KiB over processes N, in $RSS; the
# output's statistics in $T/stats.N.  ASan's quarantine holds freed memory
# back on purpose, so it is switched off: what is measured is ior-pair's.
peak_rss() {
	processes "$1" |
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
		/usr/bin/time -f %M -o "$T/rss.$1" "$IOR_BIN/ior-pair" |
		"$IOR_BIN/ior-dump" --stats --json > "$T/stats.$1" ||
		fail "processes $1 | ior-pair | ior-dump failed"
	RSS=$(tail -n 1 "$T/rss.$1")
}

@test "a million short-lived processes do not grow ior-pair's memory" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time (package time: make deps)"
	local small big n=1000000
	# The ASan/UBSan build (its runtime is in ior-pair) gets 200000: its
	# sanitizers see every path there, each pid and tid taken again, at a
	# fifth of the cost of a stream that takes 20 s to make and read under
	# them.  The million is the normal build's, whose memory is ior-pair's
	# alone.
	if grep -q -a __asan_init "$IOR_BIN/ior-pair"; then
		n=200000
	fi
	peak_rss 10000
	small=$RSS
	peak_rss $n
	big=$RSS
	echo "# peak RSS: $small KiB for 10000 processes, $big KiB for $n" >&3
	# Every call was paired: 5 per process (exit_group at its task_exit).
	run jq -c '[.records.pair, .trailer]' "$T/stats.$n"
	assert_output "[$((5 * n)),true]"
	((big < 50 * 1024)) || fail "peak RSS $big KiB for $n processes"
	((big < small + 8 * 1024)) ||
		fail "peak RSS $big KiB for $n processes, $small KiB for 10000"
}

@test "the pairs' header names the capture's machine, not the pairing one: hostname, kernel release and version, machine" {
	"$IOR_BIN/iorgen" > "$T/m.ior" <<'EOF'
section anchor=5,6 host=db1 release=4.19.0-remote kversion="#1 SMP remote" machine=aarch64
syscall nr=0 name=read nargs=3
enter pid=9 nr=read args=3,0,10
exit pid=9 nr=read ret=10
trailer
EOF
	"$IOR_BIN/ior-pair" "$T/m.ior" > "$T/m.pair"
	dump_json "$T/m.pair"
	run jqp -c '[of("section") | [.tool, .hostname, .kernel_release,
		.kernel_version, .machine, .anchor_clock_ns,
		.anchor_realtime_ns]]'
	assert_output '[["ior-pair","db1","4.19.0-remote","#1 SMP remote","aarch64",5,6]]'
}
