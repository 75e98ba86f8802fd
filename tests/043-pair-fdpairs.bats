#!/usr/bin/env bats
# pipe, pipe2 and socketpair return their fds in user memory: ior-capture
# reads them at exit, ior-pair names them, so I/O on them is never unknown.

load helpers

pairs_json() {
	"$IOR_BIN/ior-pair" "$STREAM" | "$IOR_BIN/ior-dump" --json > "$T/pairs.jsonl"
}

@test "the exit of pipe2 carries the two fds it made" {
	require_bpf
	capture -- sh -c 'echo hi | cat > /dev/null'
	"$IOR_BIN/ior-dump" --json "$STREAM" > "$T/raw.jsonl"
	run jq -c 'select(.type == "exit" and .syscall == "pipe2") | .fds | length' "$T/raw.jsonl"
	assert_success
	assert_line 2
}

@test "I/O on a pipe's fds is named pipe:[INO], and no fd is unknown" {
	require_bpf
	capture -- sh -c 'echo hi | cat > /dev/null'
	pairs_json
	run jq -r 'select(.type == "pair" and (.path | test("^pipe:\\[[0-9]+\\]$"))) | .syscall' "$T/pairs.jsonl"
	assert_success
	assert_line pipe2
	assert_line close
	run jq -r 'select(.type == "pair_totals") | .fd_unknown' "$T/pairs.jsonl"
	assert_output 0
}

@test "bytes written to one end of a socketpair and read from the other are counted on socket:[INO]" {
	require_bpf
	capture -- python3 -c 'import socket, os
a, b = socket.socketpair()
os.write(a.fileno(), b"xyz")
os.read(b.fileno(), 3)'
	pairs_json
	run jq -c 'select(.type == "pair" and (.path | test("^socket:\\[[0-9]+\\]$")) and (.syscall == "read" or .syscall == "write")) | [.syscall, .bytes]' "$T/pairs.jsonl"
	assert_success
	assert_line '["write",3]'
	assert_line '["read",3]'
}

@test "a 40-byte pipe2 exit names both ends; a failed pipe2 names none" {
	# exit body: time 2000, pid 10, tid 10, ret 0, fds 3 and 4
	"$IOR_BIN/iorgen" > "$T/in.ior" <<'IN'
section
syscall nr=293 name=pipe2 nargs=2
syscall nr=0 name=read nargs=3
process pid=10 comm=sh cwd=/
enter t=1000 pid=10 nr=pipe2 args=0x1000,0
record type=0x0102 misc=293 fill=d0070000000000000a0000000a00000000000000000000000300000004000000
enter t=3000 pid=10 nr=read args=4,0,1
exit t=4000 pid=10 nr=read ret=1
enter t=5000 pid=10 nr=pipe2 args=0,0
exit t=6000 pid=10 nr=pipe2 ret=-EFAULT
enter t=7000 pid=10 nr=read args=5,0,1
exit t=8000 pid=10 nr=read ret=1
trailer
IN
	"$IOR_BIN/ior-pair" "$T/in.ior" | "$IOR_BIN/ior-dump" --json > "$T/out.jsonl"
	run jq -c 'select(.type == "pair") | [.syscall, .fd, .path, .ret]' "$T/out.jsonl"
	assert_success
	assert_output - <<'OUT'
["pipe2",3,"pipe:",0]
["read",4,"pipe:",1]
["pipe2",-1,"pipe:",-14]
["read",5,"<unknown fd 5>",1]
OUT
}
