# helpers.bash - loaded by every tests/*.bats file: `load helpers`.
#
# IOR_BIN is the directory of the tools under test (scripts/run-tests sets
# it for each build); by default the repository's build/bin.
#
# Every test gets $T, a fresh directory ($BATS_TEST_TMPDIR).  A file that
# defines its own setup() or teardown() calls ior_setup / ior_teardown from
# it.

# bats-support's and bats-assert's load.bash name each of their files as
# "$(dirname "${BASH_SOURCE[0]}")/src/...": about 15 forks and execs of
# dirname in every test, which cost more than most tests' own commands.
# Their src/*.bash only define functions, so sourcing them is loading them.
for _ior_lib in /usr/lib/bats/bats-support/src/*.bash \
		/usr/lib/bats/bats-assert/src/*.bash; do
	source "$_ior_lib"
done
unset _ior_lib

bats_require_minimum_version 1.5.0      # run --separate-stderr

IOR_BIN=${IOR_BIN:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build/bin}
export IOR_BIN

ior_setup() {
	export T=$BATS_TEST_TMPDIR
	export STREAM=$T/stream.ior
	BG_PIDS=()
	# Sanitizer reports go to files in the test's directory, where
	# ior_teardown finds them: a leak in a program whose exit status a
	# test does not look at (the upstream side of a pipe) fails the test
	# all the same.
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$T/sanitizer"
	fi
	if [ -n "${UBSAN_OPTIONS:-}" ]; then
		export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$T/sanitizer"
	fi
}

ior_teardown() {
	local pid report bad=0

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	for report in "$T"/sanitizer.*; do
		[ -e "$report" ] || continue
		echo "# sanitizer report $report:"
		cat "$report"
		bad=1
	done
	return $bad
}

setup() {
	ior_setup
}

teardown() {
	ior_teardown
}

# bg COMMAND [ARG...]: start a command in the background, its output in
# $T/bg.N.out, and remember its pid ($BG_PID) for teardown to kill.  Bats
# waits for whoever holds its descriptors, so the command gets none of them.
bg() {
	local n=${#BG_PIDS[@]}

	"$@" > "$T/bg.$n.out" 2>&1 < /dev/null 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_loop SCRIPT: a background sh running `while :; do SCRIPT; sleep 0.05;
# done`, so a capture of any second or so sees it several times.
bg_loop() {
	bg sh -c "while :; do $1; sleep 0.05; done"
}

# require_bpf: skip the test unless capturing is possible here: root and a
# kernel with BTF.  In CI (CI=true) the suite must prove the capture works,
# so there the test fails instead.
require_bpf() {
	local why=

	if [ "$(id -u)" != 0 ]; then
		why="not root"
	elif [ ! -r /sys/kernel/btf/vmlinux ]; then
		why="no /sys/kernel/btf/vmlinux"
	fi
	[ -z "$why" ] && return 0
	if [ "${CI:-}" = true ]; then
		fail "capture is impossible here ($why), and CI=true requires it"
	fi
	skip "capture needs root and BTF: $why"
}

# notrace: bats runs a DEBUG trap before every simple command of a test, a
# millisecond or more each, so a loop of thousands of commands costs
# seconds of bats rather than of the tools.  Such a loop runs in a subshell
# that starts with notrace:  ( notrace; for ...; done; ((fails == 0)) )
# or as a pipeline's writer:  { notrace; for ...; done; } | iorgen
# A failing command in it still fails the test (set -e holds); bats only
# loses the line number.
notrace() {
	trap - DEBUG
}

# bytes_escaped FILE: FILE's bytes in the array BYTES, each as a printf
# escape \xHH.  With IFS empty, printf "${BYTES[*]:0:N}" > CUT writes the
# first N bytes without a fork, for tests that cut a stream at every offset.
bytes_escaped() {
	mapfile -t BYTES < <(od -An -v -tx1 -w1 "$1")
	BYTES=("${BYTES[@]/# /\\x}")
}

# capture [ARG...]: ior-capture -q ARG... with the stream in $STREAM and
# its standard error in $T/capture.err.  Returns ior-capture's status.
capture() {
	"$IOR_BIN/ior-capture" -q "$@" > "$STREAM" 2> "$T/capture.err"
}

# capture_started FILE: wait up to 10 s for a capture writing to FILE to
# trace: ior-capture flushes the section header and the snapshot once its
# programs are attached, so a non-empty FILE is a capture that sees what
# runs from now on.  Fails the test if FILE stays empty.
capture_started() {
	local i

	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "the capture did not start in 10 s"
}

# dump_json FILE: the records of FILE as JSON lines, in FILE.json, which
# becomes $JSON for jqs.  Fails the test if ior-dump does not exit 0 or
# says anything on standard error.
dump_json() {
	local file=$1

	JSON=$file.json
	"$IOR_BIN/ior-dump" --json "$file" > "$JSON" 2> "$file.dump-err" ||
		fail "ior-dump --json $file exited $?: $(cat "$file.dump-err")"
	[ ! -s "$file.dump-err" ] ||
		fail "ior-dump --json $file said: $(cat "$file.dump-err")"
}

# Definitions for jqs: the input is the array of all records.
#   calls      the syscalls, each an enter record with the "ret" (and
#              "errno") of its exit: an enter and the next exit of the same
#              thread with the same number.  Enters without an exit
#              (exit_group, a capture that stopped) are left out.
#   of(type)   the records of that type
#   trailer    the (last) trailer
#   tree($pid) the pids of $pid and its descendants: the children the
#              snapshot found (process records, by ppid) and those created
#              during the capture (task_new records), transitively
#   events     the records of events: enter, exit, task_new, exec,
#              task_exit, comm
#   early      the pids whose events all came before the snapshot's end: a
#              process in scope that exits between the attach and the
#              snapshot has events but no process record
IOR_JQ_DEFS='
def of($t): .[] | select(.type == $t);
def trailer: [of("trailer")] | last;
def events: .[] | select(.type == "enter" or .type == "exit"
	or .type == "task_new" or .type == "exec" or .type == "task_exit"
	or .type == "comm");
def tree($root):
	([of("process") | [.ppid, .pid]]
	 + [of("task_new") | [.parent_pid, .child_pid]]) as $edges
	| def grow: . as $t
		| ($t + [$edges[] | select(.[0] as $p | any($t[]; . == $p))
			 | .[1]] | unique) as $n
		| if $n == $t then $t else $n | grow end;
	  [$root] | grow;
def early:
	([of("snapshot_end")] | first.time_ns) as $snap
	| ([events | .pid // .parent_pid] | unique)
	  - ([events | select(.time_ns >= $snap) | .pid // .parent_pid] | unique);
def calls:
	reduce (.[] | select(.type == "enter" or .type == "exit")) as $r
		({open: {}, out: []};
		 ($r.tid | tostring) as $t
		 | if $r.type == "enter" then .open[$t] = $r
		   elif .open[$t] != null and .open[$t].nr == $r.nr then
			.out += [.open[$t] + {ret: $r.ret}
				 + if $r.errno then {errno: $r.errno} else {} end]
			| .open[$t] = null
		   else . end)
	| .out[];
'

# jqs [JQ-OPTION...] FILTER: jq over the records of the last dump_json,
# slurped into one array, with the definitions above.  Options before the
# filter (such as --arg or -r) go to jq.
jqs() {
	local filter=${*: -1}

	jq -s "${@:1:$#-1}" "$IOR_JQ_DEFS $filter" "$JSON"
}

# workload_pids: after dump_json of a capture of the workload, set P to
# the workload's pid (from its exec record) and K to the pid of the child
# it forks (its first task_new).  Fails the test if either is missing.
workload_pids() {
	P=$(jqs --arg f "$IOR_BIN/workload" \
		'[of("exec") | select(.filename == $f) | .pid] | first')
	[ "$P" != null ] || fail "no exec record of $IOR_BIN/workload"
	K=$(jqs --argjson p "$P" \
		'[of("task_new") | select(.parent_pid == $p) | .child_pid] | first')
	[ "$K" != null ] || fail "no task_new record from the workload ($P)"
}
