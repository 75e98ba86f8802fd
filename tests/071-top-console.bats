#!/usr/bin/env bats
# ior-top as a console (docs/ior-top.md): the selection and scrolling, the
# drill-down into a row and back out, the stream, flame and latency views
# with their first frames, pausing and searching the stream, resizing, the
# terminal given back after q and ^C, batch frames of every view and
# -b --json checked with jq against a fixture whose answers are known.
#
# The fixture (gen_fixture below): pid 100 "alpha" reads each of 80 files
# /data/f01 .. /data/f80 once (fd 3; file i: 10*i bytes, i us), pid 200
# "beta" writes /logs/app.log 20 times (fd 5, 100 bytes, 5 us each), pid
# 300, whose comm holds an escape byte ("gam\033ma"), fails to open
# /etc/missing 5 times (ENOENT, 1 us) and exits at 1.37 s; all between 1 s
# and 1.84 s of the stream's clock, a call each 8 ms, then one last read by
# alpha at 2.5 s.

load helpers
load tmux

gen_fixture() {
	local i t
	echo "section anchor=0,1700000000000000000"
	echo "syscall nr=0 name=read"
	echo "syscall nr=1 name=write"
	echo "syscall nr=257 name=openat"
	for ((i = 1; i <= 80; i++)); do
		printf 'name kind=path id=%d value=/data/f%02d\n' "$i" "$i"
	done
	echo "name kind=path id=81 value=/logs/app.log"
	echo "name kind=path id=82 value=/etc/missing"
	echo "name kind=comm id=1 value=alpha"
	echo "name kind=comm id=2 value=beta"
	echo 'name kind=comm id=3 value="gam\x1bma"'
	t=1000000000
	for ((i = 1; i <= 80; i++)); do
		echo "pair pid=100 nr=read t=$t latency=$((i * 1000)) bytes=$((i * 10)) ret=$((i * 10)) path=$i comm=1 fd=3 pflags=2"
		t=$((t + 8000000))
		if ((i % 4 == 0)); then
			echo "pair pid=200 nr=write t=$t latency=5000 bytes=100 ret=100 path=81 comm=2 fd=5 pflags=4"
			t=$((t + 8000000))
		fi
		if ((i % 8 == 1 && i <= 33)); then
			echo "pair pid=300 nr=openat t=$t latency=1000 path=82 comm=3 ret=-ENOENT"
			t=$((t + 8000000))
		fi
		((i == 33)) && echo "task_exit pid=300 t=$t last"
	done
	echo "pair pid=100 nr=read t=2500000000 latency=81000 bytes=810 ret=810 path=1 comm=1 fd=3 pflags=2"
	echo "pair_totals"
	echo "trailer"
}

setup_file() {
	export FIX=$BATS_FILE_TMPDIR/console.ior
	gen_fixture > "$BATS_FILE_TMPDIR/console.txt" &&
		"$IOR_BIN/iorgen" "$BATS_FILE_TMPDIR/console.txt" > "$FIX" ||
		rm -f "$FIX"
}

setup() {
	ior_setup
	[ -s "$FIX" ] || fail "the fixture was not generated"
	tmux_setup
}

teardown() {
	tmux_teardown
	ior_teardown
}

# tmux_top, tm, keys, wait_screen, eventually_fits: tests/tmux.bash.

# The selected line of the last -e capture (bold and reverse video, from
# the sixth line on), as text: the attributes carry over from line to line
# as tmux writes them, so they are followed through every SGR sequence.
selected_line() {
	perl -ne '
		my ($bold, $rev) = ($b // 0, $r // 0);
		my $first;
		my $text = "";
		while (/\G(?:\e\[([0-9;]*)m|(.))/gcs) {
			if (defined $1) {
				for my $p (split /;/, $1 eq "" ? "0" : $1) {
					if ($p == 0) { $bold = $rev = 0 }
					elsif ($p == 1) { $bold = 1 }
					elsif ($p == 7) { $rev = 1 }
					elsif ($p == 22) { $bold = 0 }
					elsif ($p == 27) { $rev = 0 }
				}
			} else {
				$first //= $bold && $rev;
				$text .= $2;
			}
		}
		($b, $r) = ($bold, $rev);
		$text =~ s/\s+$//;
		print "$text\n" if $. >= 6 && $first;
	' "$T/screen"
}

# wait_selected REGEX: wait up to 10 s for the selected line to match.
wait_selected() {
	local i
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p -e > "$T/screen"
		selected_line | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	fail "after 10 s the selected line is not /$1/: $(selected_line)"
}

# ---- navigation ----

@test "a table longer than the screen scrolls: Down, PgDn, End and Home move a visible selection and the rows follow it" {
	tmux_top '"$IOR_BIN/ior-top" -v files -s name < "$FIX"'
	wait_screen 'input ended$'
	# 82 files on 35 lines: the first page, and where it is.
	grep -q ' /data/f01$' "$T/screen"
	grep -q ' /logs/app.log$' "$T/screen" && fail "the last row fits?"
	grep -Eq ' rows 1-35 of 82$' "$T/screen"
	# The selection is the first row, in bold reverse video, alone.
	wait_selected ' /data/f01$'
	run selected_line
	assert_equal "${#lines[@]}" 1
	keys Down j j
	wait_selected ' /data/f04$'
	keys PageDown
	wait_screen ' rows 5-39 of 82$'
	grep -q ' /data/f01$' "$T/screen" && fail "the first row is still shown"
	wait_selected ' /data/f39$'
	keys End
	wait_screen ' /logs/app.log$'
	grep -Eq ' rows 48-82 of 82$' "$T/screen"
	wait_selected ' /logs/app.log$'
	keys k
	wait_selected ' /etc/missing$'
	keys Up PageUp
	wait_selected ' /data/f45$'
	keys Home
	wait_screen ' rows 1-35 of 82$'
	wait_selected ' /data/f01$'
}

@test "the sorted column's title is marked (bold, underlined) and the mark follows < and >" {
	tmux_top '"$IOR_BIN/ior-top" -v files < "$FIX"'
	wait_screen 'input ended$'
	# TIME is the default: its title alone is underlined (SGR 4).
	wait_screen -e $'\e\\[([0-9]+;)*4(;[0-9]+)*m *TIME\e'
	run grep -Ec $'\e\\[([0-9]+;)*4(;[0-9]+)*m' "$T/screen"
	assert_output 1
	keys '>'
	wait_screen -e $'\e\\[([0-9]+;)*4(;[0-9]+)*m *P50\e'
	grep -Eq $'\e\\[([0-9]+;)*4(;[0-9]+)*m *TIME' "$T/screen" && fail "TIME is still marked"
	true
}

# ---- drilling down ----

@test "Enter on a syscall narrows every view to it; Backspace steps back out; the filter is on screen throughout" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'input ended$'
	# read has the most time: the first row, selected.
	wait_screen ' read$'
	keys Enter
	wait_screen "filter: syscall='read'  input ended$"
	# Every view is narrowed: processes holds alpha alone.
	keys p
	wait_screen 'PID COMM *$'
	grep -q " 100 alpha$" "$T/screen"
	grep -Eq ' 200 beta$| 300 ' "$T/screen" && fail "other processes shown"
	grep -q "filter: syscall='read'" "$T/screen"
	# Its totals are those of the calls: 81 reads.
	grep -Eq '^ +[0-9.]+ .* 81 +[0-9.]+[mun]?s +[0-9.]+[mun]?s .* 100 alpha$' "$T/screen" ||
		fail "alpha's TOTAL is not 81: $(grep alpha "$T/screen")"
	# Into a second level: beta is not there; drill into alpha's files.
	keys Enter
	wait_screen "filter: \\(syscall='read'\\) and pid=100"
	keys f
	wait_screen 'FILE *$'
	grep -q ' /logs/app.log$' "$T/screen" && fail "a write of beta's shown"
	# Back out, one level at a time.
	keys BSpace
	wait_screen "filter: syscall='read'  input ended$"
	keys Escape
	wait_screen 'view: files  sort: time  input ended$'
	grep -q ' /logs/app.log$' "$T/screen"
	keys p
	wait_screen ' 200 beta$'
	grep -q ' 100 alpha$' "$T/screen"
}

@test "Enter on a directory, a process or a file narrows to it with dir=, pid= and path=" {
	tmux_top '"$IOR_BIN/ior-top" -v dirs -s name < "$FIX"'
	wait_screen 'input ended$'
	# /data, /etc, /logs: the second is /etc.
	keys Down Enter
	wait_screen "filter: dir='/etc'"
	keys s
	wait_screen ' openat$'
	grep -Eq ' (read|write)$' "$T/screen" && fail "not only /etc's calls"
	keys Escape f
	wait_screen 'view: files  sort: name  input ended$'
	keys End Enter
	wait_screen "filter: path='/logs/app.log'"
	keys p
	wait_screen ' 200 beta$'
	grep -q ' 100 alpha$' "$T/screen" && fail "alpha shown"
	true
}

# ---- the stream view ----

@test "the stream view's first frame: the newest calls as strace-like lines, the newest last and selected" {
	tmux_top '"$IOR_BIN/ior-top" -v stream < "$FIX"'
	wait_screen 'input ended$'
	grep -Eq '^TIME +PID/TID +COMM +CALL = RESULT' "$T/screen"
	# The last line of the table is the last call.
	run bash -c "grep -E '^[0-9]{2}:[0-9]{2}' '$T/screen' | tail -1"
	assert_output --regexp '^22:13:22\.500000 +100/100 +alpha +read\(3</data/f01>\) = 810  read 810B  <81\.0us>$'
	wait_selected 'read\(3</data/f01>\) = 810  read 810B'
	# Home: the oldest calls, gamma's among them.  What ior-top writes to
	# the terminal from now on is kept in $T/raw.
	tm pipe-pane -O "cat > '$T/raw'"
	keys Home
	wait_screen ' openat\(/etc/missing\) = -1 ENOENT  <1\.00us>$'
	run bash -c "grep -E '^[0-9]{2}:[0-9]{2}' '$T/screen' | head -1"
	assert_output --regexp '^22:13:21\.000000 +100/100 +alpha +read\(3</data/f01>\) = 10  read 10B  <1\.00us>$'
	# Gamma's escape byte did not reach the terminal: ior-top's output
	# never has gam followed by ESC (nor by ncurses' ^[ for the byte).
	for ((i = 0; i < 50; i++)); do
		grep -aq 'openat(/etc/missing)' "$T/raw" && break
		sleep 0.1
	done
	grep -aq 'openat(/etc/missing)' "$T/raw" || fail "the pane's output was not recorded"
	grep -aq $'gam\e\\|gam^\\[' "$T/raw" && fail "an escape byte reached the terminal"
	# On the screen the comm is escaped, and nothing else.
	run grep -a 'gam' "$T/screen"
	refute_line --regexp 'gam($|[^\\]|\\[^x])'
	grep -Eq '"gam\\x1bma" +openat\(/etc/missing\) = -1 ENOENT  <1\.00us>$' "$T/screen" ||
		fail "gamma's comm is not shown escaped: $(grep -a gam "$T/screen")"
	true
}

@test "stream: space pauses while calls go on arriving, space again shows them" {
	mkfifo "$T/more"
	tmux_top '{ cat "$FIX"; cat more; } | "$IOR_BIN/ior-top" -v stream'
	wait_screen '= 810  read 810B'
	keys Space
	wait_screen 'PAUSED'
	cp "$T/screen" "$T/paused"
	# A second section with a new call comes while paused: the screen
	# holds (a second is long enough to see it would not).
	sed 's#value=/data/f01$#value=/data/late#' "$BATS_FILE_TMPDIR/console.txt" |
		"$IOR_BIN/iorgen" > "$T/late.ior"
	cat "$T/late.ior" > "$T/more"
	sleep 1
	tm capture-pane -p > "$T/screen"
	assert_equal "$(cat "$T/screen")" "$(cat "$T/paused")"
	# Space: the calls read meanwhile, the newest last.
	keys Space
	wait_screen 'view: stream  input ended$'
	run bash -c "grep -E '^[0-9]{2}:' '$T/screen' | tail -1"
	assert_output --partial 'read(3</data/late>) = 810'
}

@test "stream: / searches the lines, n finds the next, Enter shows the call in full, t traces its file" {
	tmux_top '"$IOR_BIN/ior-top" -v stream < "$FIX"'
	wait_screen 'input ended$'
	keys / f 4 2
	wait_screen '^search \(Enter finds, Esc cancels\): f42_'
	keys Enter
	wait_selected 'read\(3</data/f42>\) = 420'
	# Enter: the call in full.
	keys Enter
	wait_screen '^ +path +/data/f42$'
	grep -Eq '^ +pid/tid +100/100$' "$T/screen"
	grep -Eq '^ +bytes +420 read$' "$T/screen"
	grep -Eq '^ +latency +42\.0us \(42000 ns\)$' "$T/screen"
	grep -Eq '^ +fd +3$' "$T/screen"
	# t: every call on the same open file (pid 100's fd 3 on /data/f42).
	keys t
	wait_screen "filter: pid=100 fd=3 path='/data/f42'"
	run bash -c "grep -cE '^[0-9]{2}:[0-9]{2}' '$T/screen'"
	assert_output 1
	keys BSpace
	wait_screen -v 'filter:'
	# A search for what no line holds says so and keeps the selection.
	keys / BSpace BSpace BSpace n o p e Enter
	wait_screen '^search: not found'
	# n: the search for "write" goes from line to line, upwards.
	keys / BSpace BSpace BSpace BSpace w r i t e Enter
	wait_selected 'write\(5</logs/app.log>\)'
	selected_line > "$T/first"
	keys n
	for ((i = 0; i < 50; i++)); do
		tm capture-pane -p -e > "$T/screen"
		[ "$(selected_line)" != "$(cat "$T/first")" ] && break
		sleep 0.1
	done
	run selected_line
	assert_output --partial 'write(5</logs/app.log>)'
	assert_not_equal "$output" "$(cat "$T/first")"
}

# ---- flame and latency ----

@test "the flame view's first frame: an icicle of comm, syscall and path; Enter zooms, Backspace zooms out, w changes the weight" {
	tmux_top '"$IOR_BIN/ior-top" -v flame < "$FIX"'
	wait_screen 'input ended$'
	grep -q '^FLAME by latency' "$T/screen"
	sed -n 6p "$T/screen" | grep -q '^all  '
	# Level 1: alpha's reads have most of the time, and come first.
	sed -n 7p "$T/screen" | grep -Eq '^alpha +\|'
	sed -n 8p "$T/screen" | grep -Eq '^read +\|'
	keys w
	wait_screen 'weight: count'
	keys w
	wait_screen 'weight: bytes'
	# Down to alpha, then zoom: alpha is the whole width.
	keys Down Enter
	wait_screen '^alpha {100,}\|$'
	keys BSpace
	wait_screen '^all {100,}\|$'
}

@test "the latency view's first frame: p50, p99, p99.9 of every call, octaves, and the rate by interval" {
	tmux_top '"$IOR_BIN/ior-top" -v latency < "$FIX"'
	wait_screen 'input ended$'
	grep -Eq '^LATENCY since start:  106 calls  p50 ' "$T/screen"
	grep -Eq '^calls/s ' "$T/screen"
	grep -Eq '^p99 ' "$T/screen"
	grep -q 'GAP' "$T/screen"
	# Narrowed to beta: 20 calls of 5 us.
	keys p
	wait_screen ' 200 beta$'
	keys / p i d = 2 0 0 Enter l
	wait_screen '^LATENCY since start:  20 calls  p50 5\.00us  p99 5\.00us  p99\.9 5\.00us  max 5\.00us'
}

# ---- processes ----

@test "an exited process is marked, leaves after 10 intervals, and --keep-exited (or x) keeps it" {
	run --separate-stderr "$IOR_BIN/ior-top" -b -v processes -s name "$FIX"
	assert_success
	assert_line --partial ' 300 "gam\x1bma" (exited)'
	# -d 0.02: gamma exits 0.47 s, 23 intervals, before the calls end.
	run --separate-stderr "$IOR_BIN/ior-top" -b -d 0.02 -v processes "$FIX"
	assert_success
	run bash -c "awk '/^ior-top /{n++} END {print n}' <<< '$output'"
	[ "$output" -gt 40 ] || fail "$output frames"
	# Ten frames after the exit it is still listed, in the last not.
	run --separate-stderr bash -c "'$IOR_BIN/ior-top' -b -d 0.02 -v processes '$FIX' | grep -c ' 300 .*(exited)\$'"
	assert_output 10
	run --separate-stderr bash -c "'$IOR_BIN/ior-top' -b -d 0.02 -v processes '$FIX' | awk '/^ior-top /{f=\"\"} {f=f \$0 \"\n\"} END {printf \"%s\", f}'"
	refute_output --partial ' 300 '
	assert_output --partial ' 100 alpha'
	run --separate-stderr bash -c "'$IOR_BIN/ior-top' -b -d 0.02 --keep-exited -v processes '$FIX' | awk '/^ior-top /{f=\"\"} {f=f \$0 \"\n\"} END {printf \"%s\", f}'"
	assert_output --partial ' 300 "gam\x1bma" (exited)'
}

@test "--tree lists processes under their parents" {
	{ sed '/^pair_totals/,$d' "$BATS_FILE_TMPDIR/console.txt"
	  echo "task_new parent=100 child=400"
	  echo "pair pid=400 nr=read t=2600000000 latency=1000 path=2 comm=1 fd=3 pflags=2"
	  echo "task_new parent=200 child=500"
	  echo "pair pid=500 nr=read t=2700000000 latency=1000 path=2 comm=2 fd=3 pflags=2"
	  echo "pair_totals"; echo trailer; } | "$IOR_BIN/iorgen" > "$T/tree.ior"
	run --separate-stderr "$IOR_BIN/ior-top" -b -v processes -s name --tree "$T/tree.ior"
	assert_success
	run bash -c "awk '/^ior-top /{f=\"\"} {f=f \$0 \"\n\"} END {printf \"%s\", f}' <<< '$output' | sed -n '6,\$p' | awk 'NF' | cut -c94-"
	assert_output - <<'EOS'
100 alpha
  400 alpha
200 beta
  500 beta
300 "gam\x1bma" (exited)
EOS
}

# ---- resize and the terminal ----

@test "resizing redraws the stream view to the new size, the newest call still last" {
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top" -v stream'
	wait_screen '= 810  read 810B'
	tm resize-window -x 90 -y 15
	wait_screen '^TIME +PID/TID'
	eventually_fits 15 90
	run bash -c "grep -E '^[0-9]{2}:' '$T/screen' | tail -1"
	assert_output --partial 'read(3</data/f01>) = 810'
	# Back to 40 lines: 35 calls again.
	tm resize-window -x 160 -y 40
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p > "$T/screen"
		[ "$(grep -cE '^[0-9]{2}:' "$T/screen")" = 35 ] && break
		sleep 0.1
	done
	run bash -c "grep -cE '^[0-9]{2}:' '$T/screen'"
	assert_output 35
}

@test "q in the stream view's detail, and ^C in the flame view, give the terminal back as it was" {
	tmux_top '"$IOR_BIN/ior-top" -v stream < "$FIX"'
	wait_screen 'input ended$'
	keys Enter
	wait_screen '^ +pid/tid '
	keys q
	wait_screen '^EXIT='
	run grep -v '^$' "$T/screen"
	assert_output 'EXIT=0'
	for ((i = 0; i < 50; i++)); do
		[ -s "$T/stty.after" ] && break
		sleep 0.1
	done
	assert_equal "$(cat "$T/stty.after")" "$(cat "$T/stty.before")"
	tm kill-server
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top" -v flame'
	wait_screen '^FLAME'
	keys C-c
	wait_screen '^EXIT='
	run grep -v '^$' "$T/screen"
	assert_output 'EXIT=130'
	for ((i = 0; i < 50; i++)); do
		[ -s "$T/stty.after" ] && break
		sleep 0.1
	done
	assert_equal "$(cat "$T/stty.after")" "$(cat "$T/stty.before")"
}

# ---- batch ----

@test "-b -v stream prints each frame's calls as lines, every byte escaped, and -F narrows them" {
	run --separate-stderr env TZ=UTC "$IOR_BIN/ior-top" -b -v stream "$FIX"
	assert_success
	# Two frames: [1 s, 2 s) with 105 calls, then the last one.
	run bash -c "grep -cE '^[0-9]{2}:[0-9]{2}:' <<< '$output'"
	assert_output 106
	run --separate-stderr env TZ=UTC "$IOR_BIN/ior-top" -b -v stream -F 'comm~gam' "$FIX"
	assert_success
	run bash -c "grep -E '^[0-9]{2}:[0-9]{2}:' <<< '$output'"
	assert_equal "${#lines[@]}" 5
	assert_line --index 0 --regexp '^22:13:21\.[0-9]{6} +300/300 +"gam\\x1bma" +openat\(/etc/missing\) = -1 ENOENT  <1\.00us>$'
	[[ $output != *$'\e'* ]] || fail "an escape byte in the output"
	# A call the section ended inside has no result to show.
	printf '%s\n' 'section anchor=0,1700000000000000000' \
		'syscall nr=0 name=read' 'name kind=comm id=1 value=x' \
		'pair pid=1 nr=read t=1000 latency=500 comm=1 fd=0 pflags=128' \
		pair_totals trailer | "$IOR_BIN/iorgen" > "$T/unfinished.ior"
	run --separate-stderr env TZ=UTC "$IOR_BIN/ior-top" -b -v stream "$T/unfinished.ior"
	assert_success
	assert_line --regexp '^22:13:20\.000001 +1/1 +x +read\(0\) = \? <unfinished after 500ns>$'
}

@test "-b -v flame and -v latency print the icicle and the histograms" {
	run --separate-stderr "$IOR_BIN/ior-top" -b -n 1 -v flame -w count "$FIX"
	assert_success
	assert_line --regexp '^ +105 +100\.0%  all$'
	assert_line --regexp '^ +80 +76\.2%    alpha$'
	assert_line --regexp '^ +20 +19\.0%      write$'
	assert_line --regexp '^ +5 +4\.8%        /etc/missing$'
	run --separate-stderr "$IOR_BIN/ior-top" -b -n 1 -v latency "$FIX"
	assert_success
	assert_line --regexp '^LATENCY since start:  105 calls  p50 '
	assert_line --regexp '^calls/s by interval  \[.\]  last 105\.0$'
}

@test "-b --json: one JSON document a frame, with ior-agg's names and the known answers" {
	run --separate-stderr "$IOR_BIN/ior-top" -b --json "$FIX"
	assert_success
	echo "$output" > "$T/out.json"
	# Each line is one document.
	run jq -s length "$T/out.json"
	assert_output 2
	assert_equal "$(wc -l < "$T/out.json")" 2
	run jq -r -s '.[0] | [.view, .interval.pairs, .total.pairs, .lost_events, .input_ended] | @tsv' "$T/out.json"
	assert_output $'syscalls\t105\t105\t0\tfalse'
	run jq -r -s '.[1].total.syscalls[] | select(.syscall == "read") | [.count, .bytes_read, .latency_ns.sum, .latency_ns.max] | @tsv' "$T/out.json"
	# 81 reads: 10 * (1 + ... + 80) + 810 bytes, (1 + ... + 80) us + 81 us.
	assert_output $'81\t33210\t3321000\t81000'
	run jq -r -s '.[1].total.syscalls[] | select(.syscall == "openat") | [.count, .errors, .errno.ENOENT] | @tsv' "$T/out.json"
	assert_output $'5\t5\t5'
	run jq -r -s '.[1].total.processes | map("\(.pid) \(.comm) \(.count)") | sort | join(",")' "$T/out.json"
	assert_output $'100 alpha 81,200 beta 20,300 gam\ema 5'
	run jq -s '.[1].total.files | length' "$T/out.json"
	assert_output 82
	# The rows in the view's order, as the text frame has them.
	run jq -r -s '.[0].rows | map(.syscall) | join(" ")' "$T/out.json"
	assert_output 'read write openat'
	run jq -r -s '.[0].rows[0] | [.total, .time_share, .max_ns] | @tsv' "$T/out.json"
	assert_output $'80\t0.00324\t80000'
	# The stream view adds the frame's calls.
	run --separate-stderr "$IOR_BIN/ior-top" -b --json -v stream -F errors "$FIX"
	assert_success
	run jq -r -s '[.[].calls[]] | map("\(.pid) \(.syscall) \(.path) \(.errno)") | unique | join(",")' <<< "$output"
	assert_output '300 openat /etc/missing ENOENT'
	# Flame and latency too.
	run --separate-stderr "$IOR_BIN/ior-top" -b --json -n 1 -v flame -w bytes "$FIX"
	run jq -r '.flame.weight, (.flame.nodes[0] | [.name, .weight] | @tsv)' <<< "$output"
	assert_output $'bytes\nall\t34400'
	run --separate-stderr "$IOR_BIN/ior-top" -b --json -n 1 -v latency "$FIX"
	run jq -c '.rate_by_interval' <<< "$output"
	assert_output '[105]'
}

@test "--json without -b, and an unknown -w, are usage errors" {
	run --separate-stderr "$IOR_BIN/ior-top" --json "$FIX"
	assert_failure 2
	run --separate-stderr "$IOR_BIN/ior-top" -b -w gap "$FIX"
	assert_failure 2
	assert_equal "$stderr" "ior-top: unknown weight 'gap' (count, latency or bytes)"
}

@test "inputs the fuzzer found: a tree of no rows, a nanosecond interval, an empty key looked up in a table of empty keys, a forged clock anchor, a byte rate or a p99 past 2^64 end in a report, not undefined behaviour" {
	for f in "$BATS_TEST_DIRNAME"/fuzz/regress/top-*.ior; do
		for view in "--json -v processes --tree" "-v latency" "-v files"; do
			# shellcheck disable=SC2086
			run --separate-stderr "$IOR_BIN/ior-top" -b -n 20 $view "$f"
			# 0, or 1 with one line for damage; a sanitizer aborts (134)
			# or, for a float that does not convert, reports and exits 1.
			[ "$status" -le 1 ] || fail "ior-top $view $f: status $status: $stderr"
			[[ "$stderr" != *"runtime error"* ]] || fail "ior-top $view $f: $stderr"
		done
	done
}

@test "-b -v stream: the calls of a section that ends before the next frame, its unfinished one last, are listed by that frame" {
	# Two sections: each's calls are named by its own names.
	printf '%s\n' 'section anchor=0,1700000000000000000' \
		'syscall nr=0 name=read' 'name kind=comm id=1 value=x' \
		'name kind=path id=1 value=/a' \
		'pair pid=1 nr=read t=1000 latency=100 comm=1 fd=3 path=1 ret=5 bytes=5 pflags=3' \
		'pair pid=1 nr=read t=2000 latency=500 comm=1 fd=0 pflags=128' \
		pair_totals trailer \
		'section anchor=0,1700000100000000000' 'syscall nr=0 name=read' \
		'name kind=comm id=1 value=y' \
		'pair pid=2 nr=read t=3000 latency=100 comm=1 fd=4 ret=0 pflags=1' \
		pair_totals trailer | "$IOR_BIN/iorgen" > "$T/sections.ior"
	run --separate-stderr env TZ=UTC "$IOR_BIN/ior-top" -b -v stream "$T/sections.ior"
	assert_success
	assert_line --index 3 --regexp '^22:13:20\.000001 +1/1 +x +read\(3</a>\) = 5  read 5B  <100ns>$'
	assert_line --index 4 --regexp '^22:13:20\.000002 +1/1 +x +read\(0\) = \? <unfinished after 500ns>$'
	assert_line --index 5 --regexp '^22:15:00\.000003 +2/2 +y +read\(4\) = 0  <100ns>$'
	refute_output --partial 'not kept'
	run --separate-stderr "$IOR_BIN/ior-top" -b --json -v stream "$T/sections.ior"
	assert_success
	run jq -c '[.calls[] | [.pid, .comm, .path, .ret, .unfinished]]' <<< "$output"
	assert_output '[[1,"x","/a",5,null],[1,"x",null,0,true],[2,"y",null,0,null]]'
}
