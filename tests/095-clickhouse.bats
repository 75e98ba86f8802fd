#!/usr/bin/env bats
# ior-dump --rows into a real ClickHouse, as docs/fleet.md ("Rows into
# ClickHouse") sets it up: its table definitions, its insert command and
# its queries, taken from the page itself, run against a clickhouse-server
# started for this file (a private port and data directory, stopped in
# teardown_file).  The answers of its GROUP BY queries must be ior-agg's
# numbers for the same capture.

load helpers

CH_BIN=${CH_BIN:-clickhouse-server}
FLEET=$BATS_TEST_DIRNAME/../docs/fleet.md

# A free TCP port on 127.0.0.1 from the ephemeral range's neighbourhood.
free_port() {
	local p

	for ((p = 30000 + $$ % 10000; p < 65000; p += 97)); do
		[ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
	done
	return 1
}

setup_file() {
	export CH=$BATS_FILE_TMPDIR/ch
	export RUN=$BATS_FILE_TMPDIR/run
	mkdir -p "$CH/data" "$RUN/w"

	# The capture first: a small command with known reads and writes
	# (tests/workload.c) and a transfer (cp's copy_file_range).
	if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
		"$IOR_BIN/ior-capture" -q -- sh -c '"$1" "$2" && cp "$2/renamed.bin" "$2/copy.bin"' \
			_ "$IOR_BIN/workload" "$RUN/w" > "$RUN/run.ior" \
			2> "$RUN/capture.err" 3>&- &&
		"$IOR_BIN/ior-pair" "$RUN/run.ior" > "$RUN/run.pairs" \
			2>> "$RUN/capture.err" 3>&-
		echo $? > "$RUN/status"
	fi

	command -v "$CH_BIN" > /dev/null && command -v clickhouse-client > /dev/null ||
		return 0
	CH_PORT=$(free_port) || return 0
	echo "$CH_PORT" > "$CH/port"
	# The least a server needs, all under $CH: no systemd, no
	# /etc/clickhouse-server, no /var/lib/clickhouse.  ClickHouse 18.16
	# runs as root as it runs as anyone (the data directory is the
	# caller's); it listens on 127.0.0.1 and this port only.  The
	# cluster of docs/fleet.md, ior_fleet, has one shard: this server.
	cat > "$CH/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$CH/server.log</log>
        <errorlog>$CH/server.err.log</errorlog>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$CH_PORT</tcp_port>
    <path>$CH/data/</path>
    <tmp_path>$CH/data/tmp/</tmp_path>
    <user_files_path>$CH/data/user_files/</user_files_path>
    <format_schema_path>$CH/data/format_schemas/</format_schema_path>
    <users_config>$CH/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>67108864</mark_cache_size>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <remote_servers>
        <ior_fleet>
            <shard><replica><host>127.0.0.1</host><port>$CH_PORT</port></replica></shard>
        </ior_fleet>
    </remote_servers>
</yandex>
EOF
	cat > "$CH/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default></default></quotas>
</yandex>
EOF
	local start=$(date +%s%N) i
	"$CH_BIN" --config-file="$CH/config.xml" > "$CH/server.out" 2>&1 \
		< /dev/null 3>&- &
	echo $! > "$CH/pid"
	for ((i = 0; i < 600; i++)); do
		clickhouse-client --host 127.0.0.1 --port "$CH_PORT" \
			--query 'SELECT 1' > /dev/null 2>&1 && break
		kill -0 "$(cat "$CH/pid")" 2> /dev/null || break
		sleep 0.05
	done
	echo $(( ($(date +%s%N) - start) / 1000000 )) > "$CH/startup_ms"
	echo "# clickhouse-server answered after $(cat "$CH/startup_ms") ms" >&3
}

teardown_file() {
	local pid i

	[ -f "$CH/pid" ] || return 0
	pid=$(cat "$CH/pid")
	# SIGTERM, then SIGKILL after a second: the data is thrown away, and
	# 18.16 lingers five seconds over its idle connections.
	kill "$pid" 2> /dev/null
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2> /dev/null || return 0
		sleep 0.05
	done
	kill -9 "$pid" 2> /dev/null
}

# require_clickhouse: skip unless the server of setup_file answers (fail
# in CI, which installs it: scripts/install-deps).
require_clickhouse() {
	local why=

	if ! command -v "$CH_BIN" > /dev/null; then
		why="$CH_BIN is not installed"
	elif [ ! -f "$CH/port" ]; then
		why="no free port"
	elif ! ch --query 'SELECT 1' > /dev/null 2>&1; then
		why="the server did not start: $(tail -5 "$CH/server.out" "$CH/server.err.log" 2> /dev/null)"
	fi
	[ -z "$why" ] && return 0
	[ "${CI:-}" = true ] && fail "ClickHouse: $why, and CI=true requires it"
	skip "ClickHouse: $why"
}

ch() {
	clickhouse-client --host 127.0.0.1 --port "$(cat "$CH/port")" "$@"
}

# fleet_sql NAME: the SQL block of docs/fleet.md that starts with the line
# "-- fleet.md: NAME", up to its closing fence.
fleet_sql() {
	awk -v want="-- fleet.md: $1" '
		$0 == want { on = 1; next }
		on && /^```/ { exit }
		on { print }' "$FLEET"
}

# The capture, loaded once through the documented tables and command.
loaded() {
	require_bpf
	require_clickhouse
	[ "$(cat "$RUN/status" 2> /dev/null)" = 0 ] ||
		fail "the capture failed: $(cat "$RUN/capture.err")"
	[ -f "$CH/loaded" ] && return 0
	fleet_sql pairs_local > "$CH/pairs_local.sql"
	fleet_sql pairs > "$CH/pairs.sql"
	[ -s "$CH/pairs_local.sql" ] && [ -s "$CH/pairs.sql" ] ||
		fail "docs/fleet.md has no table definitions"
	# One client for the three statements: each start of one costs.
	{ echo 'CREATE DATABASE IF NOT EXISTS ior;'
	  cat "$CH/pairs_local.sql"; echo ';'
	  cat "$CH/pairs.sql"; echo ';'; } | ch --multiquery
	# The page's insert command (through the Distributed table), told to
	# wait until the shard has the rows.
	"$IOR_BIN/ior-dump" --rows "$RUN/run.pairs" |
		ch --insert_distributed_sync=1 --query 'INSERT INTO ior.pairs FORMAT JSONEachRow'
	[ "${PIPESTATUS[*]}" = "0 0" ] || fail "the insert failed: ${PIPESTATUS[*]}"
	"$IOR_BIN/ior-agg" --json "$RUN/run.pairs" > "$RUN/agg.json"
	touch "$CH/loaded"
}

# query NAME COLUMNS: the page's query NAME, its COLUMNS as TSV lines,
# sorted.
query() {
	{ echo "SELECT $2 FROM ("; fleet_sql "$1"; echo ")"; } > "$T/$1.sql"
	ch --format TSV < "$T/$1.sql" | LC_ALL=C sort
}

@test "clickhouse-server starts from a private config and data directory, as this user (root in CI), within 30 s" {
	require_clickhouse
	run ch --query 'SELECT version()'
	assert_success
	[ "$(cat "$CH/startup_ms")" -lt 30000 ]
	# Its files are in the test's directory, nowhere else.
	[ -d "$CH/data/metadata" ]
}

@test "the documented tables take ior-dump --rows as it is: every pair is a row, through the Distributed table, with its exact times" {
	loaded
	n=$("$IOR_BIN/ior-dump" --json "$RUN/run.pairs" | jq -s 'map(select(.type == "pair")) | length')
	[ "$n" -gt 50 ] || fail "only $n pairs"
	# Every pair once, stored on the shard (not only queued), with the
	# host of its section.
	run ch --query 'SELECT count(), uniqExact(seq), min(seq), max(seq),
		(SELECT count() FROM ior.pairs_local), groupUniqArray(host)
		FROM ior.pairs'
	assert_output "$n	$n	1	$n	$n	['$(uname -n)']"
	# Nanoseconds to the last digit, as the CSV has them.
	"$IOR_BIN/ior-dump" --csv "$RUN/run.pairs" | tail -n +2 | cut -d, -f1,3,4 |
		LC_ALL=C sort > "$T/want"
	ch --format CSV --query 'SELECT seq, wall_ns, wall_time FROM ior.pairs' |
		tr -d '"' | LC_ALL=C sort > "$T/got"
	diff "$T/want" "$T/got"
	# The workload's writes to data.bin, and cp's transfer to its copy.
	run ch --query "SELECT sum(bytes_written) FROM ior.pairs WHERE path = '$RUN/w/data.bin'"
	assert_output 8292
	run ch --query "SELECT syscall, bytes FROM ior.pairs WHERE path2 = '$RUN/w/copy.bin' AND bytes > 0"
	assert_output "copy_file_range	8292"
}

@test "the per-syscall query gives ior-agg's syscall table: counts, errors, bytes, latency and gap sums, minima, maxima" {
	loaded
	query per-syscall 'syscall, count, errors, bytes_read, bytes_written,
		latency_sum, latency_min, latency_max, gap_count, gap_sum,
		gap_min, gap_max' > "$T/ch.tsv"
	jq -r '.syscalls[] | [.syscall, .count, .errors, .bytes_read,
		.bytes_written, .latency_ns.sum, .latency_ns.min,
		.latency_ns.max, .gap_ns.count, .gap_ns.sum, .gap_ns.min,
		.gap_ns.max] | @tsv' "$RUN/agg.json" | LC_ALL=C sort > "$T/agg.tsv"
	[ "$(wc -l < "$T/agg.tsv")" -gt 10 ]
	diff "$T/agg.tsv" "$T/ch.tsv"
}

@test "the per-syscall percentiles are exact nearest-rank ones, and ior-agg's are within 1/128 of them" {
	loaded
	{ echo "SELECT syscall, latency_p50, latency_p90, latency_p99 FROM ("
	  fleet_sql per-syscall; echo ")"; } > "$T/p.sql"
	ch --format JSONEachRow --output_format_json_quote_64bit_integers=0 \
		< "$T/p.sql" > "$T/ch.json"
	run jq -n -r --slurpfile agg "$RUN/agg.json" '
		[inputs] as $ch | $agg[0].syscalls as $a
		| [$ch[] | . as $c | ($a[] | select(.syscall == $c.syscall)) as $r
		   | ["p50", "p90", "p99"][] as $p
		   | ($c["latency_" + $p]) as $exact
		   | select(($r.latency_ns[$p] - $exact | fabs) > $exact / 128 + 1)
		   | "\($c.syscall) \($p): ior-agg \($r.latency_ns[$p]), exact \($exact)"]
		| "\($ch | length) syscalls", .[]' "$T/ch.json"
	assert_output "$(jq '.syscalls | length' "$RUN/agg.json") syscalls"
}

@test "the per-file query gives ior-agg's file table, a transfer's written bytes on its sink" {
	loaded
	query per-file 'path, count, errors, bytes_read, bytes_written,
		latency_sum, latency_min, latency_max' > "$T/ch.tsv"
	jq -r '.files[] | [.path, .count, .errors, .bytes_read,
		.bytes_written, .latency_ns.sum, .latency_ns.min,
		.latency_ns.max] | @tsv' "$RUN/agg.json" | LC_ALL=C sort > "$T/agg.tsv"
	[ "$(wc -l < "$T/agg.tsv")" -gt 5 ]
	diff "$T/agg.tsv" "$T/ch.tsv"
	run grep -c "^$RUN/w/copy.bin	.*	8292	" "$T/ch.tsv"
	assert_output 1
}

@test "the per-process query gives ior-agg's process table" {
	loaded
	query per-process 'pid, command, count, errors, bytes_read,
		bytes_written, latency_sum' > "$T/ch.tsv"
	jq -r '.processes[] | [.pid, .comm, .count, .errors, .bytes_read,
		.bytes_written, .latency_ns.sum] | @tsv' "$RUN/agg.json" |
		LC_ALL=C sort > "$T/agg.tsv"
	[ "$(wc -l < "$T/agg.tsv")" -ge 3 ]
	diff "$T/agg.tsv" "$T/ch.tsv"
}

@test "hostile bytes in host, comm, syscall and paths: ClickHouse stores what jq reads from --rows" {
	require_clickhouse
	local h='"q\"uo,te\\b\nnl\tt\x01\x1b[31m\xff\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80"'
	"$IOR_BIN/iorgen" > "$T/h.ior" <<EOF
section anchor=1,1 host=$h
syscall nr=0 name=$h nargs=3
name id=1 value=$h
name kind=comm id=1 value="c,\x1b\xff"
pair pid=5 nr=0 path=1 path2=1 comm=1 latency=7
pair pid=5 nr=0 latency=8
trailer
EOF
	{ echo 'CREATE DATABASE IF NOT EXISTS ior_hostile;'
	  fleet_sql pairs_local | sed 's/ior\.pairs_local/ior_hostile.pairs_local/'
	  echo ';'; } | ch --multiquery
	"$IOR_BIN/ior-dump" --rows "$T/h.ior" > "$T/h.rows"
	ch --query 'INSERT INTO ior_hostile.pairs_local FORMAT JSONEachRow' < "$T/h.rows"
	# Each string's bytes in hex, a row a line: jq's, then ClickHouse's.
	jq -r '[.host, .comm // "NULL", .syscall, .path // "NULL", .path2 // "NULL"]
		| map(@base64) | join(" ")' "$T/h.rows" |
		while read -r line; do
			for f in $line; do
				printf '%s' "$f" | base64 -d | od -An -tx1 | tr -d ' \n'
				printf ' '
			done
			echo
		done > "$T/want"
	ch --format TSV --query "SELECT concat(hex(host), ' ', hex(ifNull(comm,
		'NULL')), ' ', hex(syscall), ' ', hex(ifNull(path, 'NULL')), ' ',
		hex(ifNull(path2, 'NULL')), ' ') FROM ior_hostile.pairs_local
		ORDER BY latency_ns" | tr 'A-F' 'a-f' > "$T/got"
	[ "$(wc -l < "$T/want")" = 2 ]
	diff "$T/want" "$T/got"
}
