#!/usr/bin/env bats
# The command line people expect: every tool answers --version and --help
# (with examples) and exits 2 on a usage error; every tool, the stream
# format and the filter language have an mdoc man page that mandoc lints
# clean, and make install puts binaries and pages where man finds them.

load helpers

TOOLS=(ior-capture ior-dump ior-pair ior-grep ior-agg ior-flame ior-top
	ior-diff ior-tree ior-errors)
REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PAGES=("${TOOLS[@]/%/.1}" ior-format.5 ior-filter.7)

# The version, from the one place it is defined.
ior_version() {
	sed -n 's/^#define IOR_VERSION "\(.*\)"$/\1/p' "$REPO/lib/version.h"
}

@test "every tool's --version prints 'TOOL (ior) VERSION' with the version of lib/version.h and exits 0" {
	local v t
	v=$(ior_version)
	[ -n "$v" ]
	for t in "${TOOLS[@]}"; do
		run --separate-stderr "$IOR_BIN/$t" --version
		assert_success
		assert_output "$t (ior) $v"
		[ -z "$stderr" ]
	done
}

@test "--version that cannot be written is an error, not a silent success" {
	local t
	for t in "${TOOLS[@]}"; do
		run --separate-stderr sh -c '"$1" --version > /dev/full' sh \
			"$IOR_BIN/$t"
		[ "$status" -eq 1 ] || { echo "$t: status $status"; false; }
		[ "$stderr" = "$t: <stdout>: write error: No space left on device" ]
	done
}

@test "every tool's --help and -h print the usage with examples on stdout and exit 0" {
	local t
	for t in "${TOOLS[@]}"; do
		for opt in --help -h; do
			run --separate-stderr "$IOR_BIN/$t" "$opt"
			assert_success
			assert_line --index 0 --regexp "^usage: $t "
			assert_line "EXAMPLES"
			assert_line --regexp "^  .*$t"
			[ -z "$stderr" ]
		done
	done
}

@test "an unknown option is a usage error: status 2, the usage on stderr, nothing on stdout" {
	local t
	for t in "${TOOLS[@]}"; do
		run --separate-stderr "$IOR_BIN/$t" --no-such-option
		[ "$status" -eq 2 ] || { echo "$t: status $status"; false; }
		[ -z "$output" ]
		[[ $stderr == *"usage: $t"* ]]
		run --separate-stderr "$IOR_BIN/$t" -Z
		[ "$status" -eq 2 ] || { echo "$t -Z: status $status"; false; }
		[ -z "$output" ]
	done
}

@test "missing operands and option arguments are usage errors (status 2)" {
	run "$IOR_BIN/ior-grep"
	assert_failure 2
	run "$IOR_BIN/ior-diff" only-one-file
	assert_failure 2
	run "$IOR_BIN/ior-top" a b
	assert_failure 2
	run "$IOR_BIN/ior-agg" -f
	assert_failure 2
	run "$IOR_BIN/ior-capture" -p
	assert_failure 2
	run "$IOR_BIN/ior-tree" --at
	assert_failure 2
}

@test "ior-capture takes long options as well as short ones" {
	# Checked before anything is loaded: a bad value is a usage error
	# whichever spelling named it.
	run "$IOR_BIN/ior-capture" --buffer=3
	assert_failure 2
	assert_output --partial "ring size '3'"
	run "$IOR_BIN/ior-capture" --duration -1
	assert_failure 2
	assert_output --partial "duration '-1'"
	run "$IOR_BIN/ior-capture" --comm=0123456789abcdefg
	assert_failure 2
	assert_output --partial "longer than"
}

@test "every man page passes mandoc -T lint -W warning with no output" {
	local p
	[ "$(ls "$REPO"/man | wc -l)" -eq "${#PAGES[@]}" ]
	for p in "${PAGES[@]}"; do
		run mandoc -T lint -W warning "$REPO/man/$p"
		[ "$status" -eq 0 ] && [ -z "$output" ] ||
			{ echo "$p: $output"; false; }
	done
}

@test "each tool's page has the sections a user looks for" {
	local t s
	for t in "${TOOLS[@]}"; do
		mandoc -T ascii "$REPO/man/$t.1" | col -b > "$T/$t.txt"
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" \
		    EXAMPLES "SEE ALSO"; do
			grep -qx "$s" "$T/$t.txt" ||
				{ echo "$t.1: no $s"; false; }
		done
		# The exit statuses the tools share.
		sed -n '/^EXIT STATUS$/,/^EXAMPLES$/p' "$T/$t.txt" | tr -s ' \n' '  ' |
			grep -q "2 on a usage error" ||
			{ echo "$t.1: exit status 2 not documented"; false; }
	done
	for p in ior-format.5 ior-filter.7; do
		mandoc -T ascii "$REPO/man/$p" | col -b > "$T/$p.txt"
		for s in NAME DESCRIPTION EXAMPLES "SEE ALSO"; do
			grep -qx "$s" "$T/$p.txt" || { echo "$p: no $s"; false; }
		done
	done
}

@test "every option a tool's --help names is documented in its man page" {
	local t o
	for t in "${TOOLS[@]}"; do
		mandoc -T ascii "$REPO/man/$t.1" | col -b > "$T/$t.txt"
		"$IOR_BIN/$t" --help |
			grep -oE '(^|[][ ,(])--?[a-zA-Z][a-z-]*\b' |
			sed 's/^[][ ,(]//' | sort -u > "$T/$t.opts"
		[ -s "$T/$t.opts" ]
		while read -r o; do
			grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|$)" "$T/$t.txt" ||
				{ echo "$t: $o is not in $t.1"; false; }
		done < "$T/$t.opts"
		grep -q -- "--version" "$T/$t.txt" ||
			{ echo "$t: --version is not in $t.1"; false; }
	done
}

@test "make install puts binaries and man pages under DESTDIR and PREFIX, where man finds them; uninstall removes them" {
	local t p bins=()
	for t in "${TOOLS[@]}"; do
		bins+=("$IOR_BIN/$t")
	done
	# BINS names the binaries under test, so make builds nothing.
	run make -s -C "$REPO" install DESTDIR="$T/root" PREFIX=/usr \
		BINS="${bins[*]}"
	assert_success
	for t in "${TOOLS[@]}"; do
		[ -x "$T/root/usr/bin/$t" ]
		run "$T/root/usr/bin/$t" --version
		assert_success
	done
	export MANPATH=$T/root/usr/share/man
	for p in "${PAGES[@]}"; do
		local name=${p%.*} sec=${p##*.}
		[ -f "$MANPATH/man$sec/$p" ]
		run man -w "$sec" "$name"
		assert_success
		assert_output "$MANPATH/man$sec/$p"
		mandoc -T ascii "$MANPATH/man$sec/$p" | col -b > "$T/$p.txt"
		grep -q "^ *$name - " "$T/$p.txt"
	done
	run make -s -C "$REPO" uninstall DESTDIR="$T/root" PREFIX=/usr
	assert_success
	[ -z "$(find "$T/root" -type f)" ]
}
