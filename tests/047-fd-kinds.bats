#!/usr/bin/env bats
# Descriptors without a path: pipes and sockets by inode, as /proc/PID/fd
# shows them, sockets by their address once connect, bind or accept gives
# one, memfds by their name, an O_TMPFILE file as the kernel calls it in
# its directory, anon inodes by the kernel's names, a file opened by handle
# as what it is.  Each test runs a real program (python3, or sh) under
# ior-capture and compares the names ior-pair gives with what the program
# learned from the kernel itself (fstat, /proc/self/fd, getsockname).

load helpers

setup_file() {
	# The pyenv shim takes a second to start: find the interpreter once.
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
}

setup() {
	ior_setup
	# Abstract socket names are global: two runs of this file at once
	# (scripts/run-tests IOR_TEST_JOBS=2) must not take the same ones.
	export TAG=$$
}

# py SCRIPT [CAPTURE-OPTION...]: run SCRIPT under ior-capture with the
# options, pair the stream, dump the pairs ($JSON, for jqs).  The script
# writes what it learned to $T/facts.
py() {
	local script=$1
	shift
	require_bpf
	"$IOR_BIN/ior-capture" -q "$@" -- "$PY" -c "$script" \
		> "$STREAM" 2> "$T/capture.err" 3>&- ||
		fail "ior-capture: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior" ||
		fail "ior-pair exited $?"
	dump_json "$T/paired.ior"
}

# fact NAME: the value the script wrote as "NAME VALUE" to $T/facts.
fact() {
	awk -v k="$1" '$1 == k { sub(/^[^ ]* /, ""); print; exit }' "$T/facts"
}

# paths SYSCALL: the paths of the script's pairs of SYSCALL, one a line.
paths() {
	jqs -r --arg s "$1" 'of("pair") | select(.comm == "python3"
		and .syscall == $s) | .path'
}

@test "two pipes of a shell pipeline are two rows of ior-agg, each pipe:[INO]" {
	require_bpf
	capture -- sh -c 'echo one | cat | cat > /dev/null'
	"$IOR_BIN/ior-pair" "$STREAM" > "$T/paired.ior"
	run "$IOR_BIN/ior-agg" --json "$T/paired.ior"
	assert_success
	echo "$output" > "$T/agg.json"
	run jq -r '[.files[].path | select(startswith("pipe:"))] | sort | .[]' \
		"$T/agg.json"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^pipe:\[[0-9]+\]$'
	assert_line --index 1 --regexp '^pipe:\[[0-9]+\]$'
	[ "${lines[0]}" != "${lines[1]}" ] || fail "one pipe twice: $output"
}

@test "each pipe is named by its inode, both ends alike, as /proc/PID/fd names it" {
	py 'import os
r1, w1 = os.pipe(); r2, w2 = os.pipe()
os.write(w1, b"a"); os.write(w2, b"bb")
f = open(os.environ["T"] + "/facts", "w")
f.write("p1 %s\np2 %s\n" % (os.readlink("/proc/self/fd/%d" % r1),
                            os.readlink("/proc/self/fd/%d" % w2)))'
	p1=$(fact p1) p2=$(fact p2)
	[[ $p1 == pipe:\[* && $p1 != "$p2" ]] || fail "facts: $p1 $p2"
	run jqs -c 'of("pair") | select(.comm == "python3" and (.syscall
		== "pipe2" or .syscall == "write") and (.path | startswith("pipe:")))
		| [.syscall, .path, .ret]'
	assert_output - <<OUT
["pipe2","$p1",0]
["pipe2","$p2",0]
["write","$p1",1]
["write","$p2",2]
OUT
}

@test "a socketpair's ends are named socket:[INO] apiece, their bytes counted on each" {
	py 'import os, socket
a, b = socket.socketpair()
os.write(a.fileno(), b"xyz"); os.read(b.fileno(), 3)
f = open(os.environ["T"] + "/facts", "w")
f.write("a %s\nb %s\n" % (os.readlink("/proc/self/fd/%d" % a.fileno()),
                          os.readlink("/proc/self/fd/%d" % b.fileno())))'
	run jqs -c 'of("pair") | select(.comm == "python3" and (.syscall
		== "read" or .syscall == "write") and (.path | startswith("socket:")))
		| [.syscall, .path, .bytes]'
	assert_output - <<OUT
["write","$(fact a)",3]
["read","$(fact b)",3]
OUT
}

@test "a memfd is named memfd:NAME, as /proc/PID/fd shows it without its / and (deleted)" {
	py 'import os
m = os.memfd_create("ior-test-memfd"); os.write(m, b"xyz")
open(os.environ["T"] + "/facts", "w").write("link %s\n" % os.readlink("/proc/self/fd/%d" % m))'
	assert_equal "$(fact link)" "/memfd:ior-test-memfd (deleted)"
	run paths memfd_create
	assert_output "memfd:ior-test-memfd"
	run paths write
	assert_line "memfd:ior-test-memfd"
}

@test "an O_TMPFILE file is DIR/#INO in its directory, not the directory, and two are two files" {
	mkdir "$T/dir"
	py 'import os
d = os.environ["T"] + "/dir"
a = os.open(d, os.O_TMPFILE | os.O_RDWR); os.write(a, b"one")
b = os.open(d, os.O_TMPFILE | os.O_WRONLY); os.write(b, b"two!")
open(os.environ["T"] + "/facts", "w").write("a %d\nb %d\n" % (os.fstat(a).st_ino, os.fstat(b).st_ino))'
	run jqs -c 'of("pair") | select(.comm == "python3" and .syscall == "write"
		and (.path | contains("/dir"))) | [.path, .bytes]'
	assert_output - <<OUT
["$T/dir/#$(fact a)",3]
["$T/dir/#$(fact b)",4]
OUT
}

@test "eventfd, timerfd, signalfd, pidfd, inotify, fanotify and epoll fds have the kernel's anon_inode names" {
	py 'import ctypes, os, select
libc = ctypes.CDLL(None, use_errno=True)
ep = select.epoll()
fds = {"eventfd2": os.eventfd(0),
       "timerfd_create": libc.timerfd_create(1, 0),
       "signalfd4": libc.signalfd(-1, ctypes.create_string_buffer(128), 0),
       "pidfd_open": os.pidfd_open(os.getpid()),
       "inotify_init1": libc.inotify_init1(0),
       "fanotify_init": libc.fanotify_init(0, 0),
       "epoll_create1": ep.fileno()}
f = open(os.environ["T"] + "/facts", "w")
for name, fd in fds.items():
    f.write("%s %s\n" % (name, os.readlink("/proc/self/fd/%d" % fd)))'
	for call in eventfd2 timerfd_create signalfd4 pidfd_open inotify_init1 \
		    fanotify_init epoll_create1; do
		want=$(fact "$call")
		[[ $want == anon_inode:* ]] || fail "$call: $want"
		run paths "$call"
		assert_output "$want"
	done
}

@test "TCP: connect names its socket by the peer, bind by its address, accept by the peer; their I/O too" {
	py 'import os, socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.socket(); c.connect(l.getsockname()); s, peer = l.accept()
c.send(b"hello"); s.recv(5)
f = open(os.environ["T"] + "/facts", "w")
f.write("server %d\nclient %d\n" % (l.getsockname()[1], peer[1]))' \
		-e '%default,%net'
	run paths bind
	assert_output "tcp:127.0.0.1:0"
	run paths connect
	assert_output "tcp:127.0.0.1:$(fact server)"
	run paths accept4
	assert_output "tcp:127.0.0.1:$(fact client)"
	run paths sendto
	assert_output "tcp:127.0.0.1:$(fact server)"
	run paths recvfrom
	assert_output "tcp:127.0.0.1:$(fact client)"
}

@test "UDP and IPv6 addresses: udp:ADDR:PORT and tcp6:[ADDR]:PORT" {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 here"
	py 'import os, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(("127.0.0.1", 9))
l = socket.socket(socket.AF_INET6); l.bind(("::1", 0)); l.listen()
c = socket.socket(socket.AF_INET6); c.connect(l.getsockname())
open(os.environ["T"] + "/facts", "w").write("port6 %d\n" % l.getsockname()[1])' \
		-e '%default,%net'
	run paths connect
	assert_line --index 0 "udp:127.0.0.1:9"
	assert_line --index 1 "tcp6:[::1]:$(fact port6)"
}

@test "unix sockets: unix:PATH for a path, unix:@NAME for an abstract name, the accepted end by its listener" {
	py 'import os, socket
p = os.environ["T"] + "/facts.sock"
l = socket.socket(socket.AF_UNIX); l.bind(p); l.listen()
c = socket.socket(socket.AF_UNIX); c.connect(p); s, _ = l.accept()
c.send(b"hi"); s.recv(2)
a = socket.socket(socket.AF_UNIX); a.bind("\0ior-abstract-" + os.environ["TAG"])
# bound with the whole sun_path, as C programs often do: NUL padding
z = socket.socket(socket.AF_UNIX); z.bind(b"\0ior-padded-" + os.environ["TAG"].encode() + b"\0" * 40)
open(os.environ["T"] + "/facts", "w").write("padded %s\n"
    % z.getsockname().rstrip(b"\0").replace(b"\0", b"@", 1).decode())' \
		-e '%default,%net'
	[ "$(fact padded)" = "@ior-padded-$TAG" ] || fail "the program saw $(fact padded)"
	run paths connect
	assert_output "unix:$T/facts.sock"
	# (JSON: a NUL would not survive the shell)
	run jqs -c '[of("pair") | select(.comm == "python3" and .syscall
		== "bind") | .path]'
	assert_output "[\"unix:$T/facts.sock\",\"unix:@ior-abstract-$TAG\",\"unix:$(fact padded)\"]"
	run paths accept4
	assert_output "unix:$T/facts.sock"
	run paths recvfrom
	assert_output "unix:$T/facts.sock"
}

@test "accept with a buffer shorter than the peer's address: no byte past the buffer is read, the cut address names nothing" {
	# The buffer is 64 bytes of 0xff, its addrlen says 4: the kernel
	# writes the family and port there and returns 16.  Read past the
	# 4 bytes, the address would be 255.255.255.255.
	py 'import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.socket(); c.connect(l.getsockname())
buf = ctypes.create_string_buffer(b"\xff" * 64, 64)
n = ctypes.c_uint(4)
fd = libc.accept4(l.fileno(), buf, ctypes.byref(n), 0)
assert fd >= 0, ctypes.get_errno()
c.send(b"x"); os.read(fd, 1)
open(os.environ["T"] + "/facts", "w").write("addrlen %d\nfd %d\nport %d\n"
    % (n.value, fd, c.getsockname()[1]))' \
		-e '%default,%net'
	[ "$(fact addrlen)" = 16 ] || fail "addrlen $(fact addrlen)"
	dump_json "$STREAM"
	run jqs -c '[of("sockaddr") | select(.syscall == "accept4")
		| [.addrlen, .truncated, .addr]]'
	assert_output "[[16,true,\"tcp:0.0.0.0:$(fact port)\"]]"
	run "$IOR_BIN/ior-dump" "$STREAM"
	assert_line --partial "= accept4 arg 1 tcp:0.0.0.0:$(fact port) (socket address, 4 of 16 bytes)"
	dump_json "$T/paired.ior"
	# named as an accept without a buffer is: by its listener
	run jqs -c --argjson fd "$(fact fd)" '[of("pair") | select(.comm ==
		"python3" and .fd == $fd and (.syscall == "accept4" or .syscall
		== "read")) | [.syscall, .fd, .path]]'
	assert_output "[[\"accept4\",$(fact fd),\"tcp:127.0.0.1:0\"],[\"read\",$(fact fd),\"tcp:127.0.0.1:0\"]]"
}

@test "-e %net alone still names its sockets: socket and accept come with it" {
	py 'import os, socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.socket(); c.connect(l.getsockname()); s, peer = l.accept()
c.send(b"hello"); s.recv(5)
open(os.environ["T"] + "/facts", "w").write("client %d\n" % peer[1])' -e %net
	run jqs -r 'of("syscall_name") | select(.name == "socket"
		or .name == "accept4") | [.name, .traced] | @tsv'
	assert_line "$(printf 'socket\ttrue')"
	assert_line "$(printf 'accept4\ttrue')"
	run paths recvfrom
	assert_output "tcp:127.0.0.1:$(fact client)"
	run jqs '[of("pair") | select(.comm == "python3" and .fd_unknown)
		| .syscall]'
	assert_output '[]'
}

@test "open_by_handle_at names a file handle as one, on its mount, with the inode: not the mount's path" {
	echo hello > "$T/f"
	py 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class FH(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int),
                ("handle", ctypes.c_ubyte * 128)]
h = FH(); h.bytes = 128; mnt = ctypes.c_int()
path = os.environ["T"] + "/f"
assert libc.name_to_handle_at(-100, path.encode(), ctypes.byref(h), ctypes.byref(mnt), 0) == 0
m = os.open("/", os.O_RDONLY)
fd = libc.open_by_handle_at(m, ctypes.byref(h), os.O_RDONLY)
os.read(fd, 5)
open(os.environ["T"] + "/facts", "w").write("ino %d\n" % os.fstat(fd).st_ino)'
	run paths open_by_handle_at
	assert_output "<file handle on /, inode $(fact ino)>"
	run paths read
	assert_line "<file handle on /, inode $(fact ino)>"
}

@test "the snapshot names a running process's pipes, sockets, memfds and tmpfiles as ior-pair names new ones" {
	require_bpf
	mkdir "$T/dir"
	bg "$PY" -c 'import os, socket, time
f = os.environ["T"] + "/facts"
r, w = os.pipe()
m = os.memfd_create("held")
t = os.open(os.environ["T"] + "/dir", os.O_TMPFILE | os.O_RDWR)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.socket(); c.connect(l.getsockname()); s, peer = l.accept()
u = socket.socket(socket.AF_UNIX); u.bind(b"\0ior-held-" + os.environ["TAG"].encode() + b"\0" * 20)
open(f + ".tmp", "w").write("fds %d %d %d %d %d %d %d\npipe %s\nino %d\nport %d\npeer %d\n"
    % (r, m, t, l.fileno(), c.fileno(), s.fileno(), u.fileno(),
       os.readlink("/proc/self/fd/%d" % r), os.fstat(t).st_ino,
       l.getsockname()[1], peer[1]))
os.rename(f + ".tmp", f)
time.sleep(60)'
	for _ in $(seq 100); do [ -e "$T/facts" ] && break; sleep 0.1; done
	[ -e "$T/facts" ] || fail "the holder never started: $(cat "$T"/bg.*.out)"
	capture -p "$BG_PID" -d 0.2
	dump_json "$STREAM"
	read -r _ r m t l c s u < <(fact fds | sed 's/^/x /')
	port=$(fact port)
	run jqs -r --argjson p "$BG_PID" 'of("fd") | select(.pid == $p)
		| "\(.fd) \(.path)"'
	assert_line "$r $(fact pipe)"
	assert_line "$m memfd:held"
	assert_line "$t $T/dir/#$(fact ino)"
	assert_line "$l tcp:127.0.0.1:$port"
	assert_line "$c tcp:127.0.0.1:$port"
	assert_line "$s tcp:127.0.0.1:$(fact peer)"
	assert_line "$u unix:@ior-held-$TAG"
}

@test "ior-pair names from inodes and sockaddr records; short or overlong ones name nothing" {
	# inodes body: time 1500, pid 10, tid 10, fds 3 and 4, inode 77 twice
	# sockaddr body: time 3500, pid 10, tid 10, addrlen 16, len 16, arg 1,
	# flags 0, SOCK_STREAM, reserved; AF_INET port 443 10.0.0.1
	# At 7000 a sockaddr of len 200 and an inodes record cut after ino[0]:
	# time, pid 10, tid 10, fds 7 and -1, inode 200 (ino[1] missing), which
	# a reader that took it would name "socket:[200]".
	"$IOR_BIN/iorgen" > "$T/in.ior" <<'IN'
section
syscall nr=293 name=pipe2 nargs=2
syscall nr=288 name=accept4 nargs=4
syscall nr=0 name=read nargs=3
process pid=10 comm=srv cwd=/
enter t=1000 pid=10 nr=pipe2 args=0x1000,0
record type=0x010C misc=293 fill=dc050000000000000a0000000a00000003000000040000004d000000000000004d00000000000000
record type=0x0102 misc=293 fill=d0070000000000000a0000000a00000000000000000000000300000004000000
enter t=3000 pid=10 nr=accept4 args=5,0x2000,0x3000,0
record type=0x010D misc=288 fill=ac0d0000000000000a0000000a00000010000000100001000100000000000000020001bb0a0000010000000000000000
exit t=4000 pid=10 nr=accept4 ret=6
enter t=5000 pid=10 nr=read args=6,0,1
exit t=6000 pid=10 nr=read ret=1
enter t=7000 pid=10 nr=accept4 args=5,0x2000,0x3000,0
record type=0x010D misc=288 fill=581b0000000000000a0000000a00000010000000c800010001000000000000000200
record type=0x010C misc=288 fill=581b0000000000000a0000000a00000007000000ffffffffc800000000000000
exit t=8000 pid=10 nr=accept4 ret=7
trailer
IN
	"$IOR_BIN/ior-pair" "$T/in.ior" > "$T/out.ior" 2> "$T/pair.err" ||
		fail "ior-pair exited $?: $(cat "$T/pair.err")"
	[ ! -s "$T/pair.err" ] || fail "ior-pair said: $(cat "$T/pair.err")"
	dump_json "$T/out.ior"
	run jqs -c 'of("pair") | [.syscall, .fd, .path, .ret]'
	assert_output - <<'OUT'
["pipe2",3,"pipe:[77]",0]
["accept4",6,"tcp:10.0.0.1:443",6]
["read",6,"tcp:10.0.0.1:443",1]
["accept4",7,"socket:",7]
OUT
	# ior-dump shows both records, the address as a name
	dump_json "$T/in.ior"
	run jqs -c 'of("sockaddr") | [.syscall, .addr, .socktype]'
	assert_line '["accept4","tcp:10.0.0.1:443",1]'
	run jqs -c 'of("inodes") | .inodes'
	assert_line '[77,77]'
}
