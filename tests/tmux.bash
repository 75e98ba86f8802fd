# tmux.bash - ior-top's screen driven in tmux, for the files that test it
# (070-top.bats, 071-top-console.bats): `load tmux` after `load helpers`.
# Their setup() calls tmux_setup and their teardown() tmux_teardown, which
# ends the test's tmux server.

tmux_setup() {
	TMUX_SOCK= TMUX_PATH=
}

tmux_teardown() {
	if [ -n "$TMUX_SOCK" ]; then
		tm kill-server 2>/dev/null
		rm -f "$TMUX_PATH"
	fi
}

# tmux_top COMMAND: run COMMAND (a shell command line, IOR_BIN and FIX in
# its environment) in a detached tmux session of 160 x 40, on a private
# server, through a script that ignores SIGINT itself (so ^C reaches
# ior-top alone), records the terminal's settings before and after
# (stty.before, stty.after), says EXIT=status when COMMAND ends and keeps
# the pane open.  The C locale makes the RATE sparklines ASCII, one column
# a character.
tmux_top() {
	cat > "$T/pane.sh" <<EOS
trap : INT
cd "$T"
stty -a > stty.before
$1
echo "EXIT=\$?"
stty -a > stty.after
exec sleep 600
EOS
	TMUX_SOCK=ior-$(basename "$BATS_TEST_FILENAME" .bats)-$$-$BATS_TEST_NUMBER
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 160 -y 40 \
		"env LC_ALL=C TZ=UTC IOR_BIN='$IOR_BIN' FIX='$FIX' sh '$T/pane.sh'" 3>&- ||
		fail "tmux did not start"
	TMUX_PATH=$(tm display -p '#{socket_path}')
}

# tm ARG...: tmux on the test's server.
tm() {
	tmux -L "$TMUX_SOCK" "$@"
}

# keys KEY...: tmux send-keys.
keys() {
	tm send-keys "$@"
}

# wait_screen [-v] [-e] REGEX: wait up to 10 s for a line of the screen to
# match the extended REGEX (-v: for none to), on two captures in a row
# 0.1 s apart that agree (not in the middle of a redraw); -e: the capture
# keeps the attributes as escape sequences.  The screen is then in
# $T/screen.
wait_screen() {
	local neg= esc= i prev=
	while [ "${1#-}" != "$1" ]; do
		case $1 in -v) neg=1 ;; -e) esc=-e ;; esac
		shift
	done
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p $esc > "$T/screen"
		if grep -Eq -- "$1" "$T/screen"; then
			[ -z "$neg" ] && [ "$(cat "$T/screen")" = "$prev" ] && return 0
		else
			[ -n "$neg" ] && [ "$(cat "$T/screen")" = "$prev" ] && return 0
		fi
		prev=$(cat "$T/screen")
		sleep 0.1
	done
	fail "after 10 s the screen ${neg:+still }matches${neg:+ }${neg:-not} /$1/:
$(cat "$T/screen")"
}

# eventually_fits ROWS COLS: wait up to 5 s for the screen to be drawn for
# ROWS x COLS.  A capture is never wider than the pane, but text written
# past its right edge wraps onto the next line, and -J joins it back: a
# line longer than COLS is ior-top drawing for a wider screen than it has.
eventually_fits() {
	local i
	for ((i = 0; i < 50; i++)); do
		tm capture-pane -p -J > "$T/screen"
		[ "$(wc -l < "$T/screen")" -le "$1" ] &&
			[ -z "$(awk -v w="$2" 'length > w' "$T/screen")" ] && return 0
		sleep 0.1
	done
	fail "the screen is not $1 x $2:
$(cat "$T/screen")"
}
