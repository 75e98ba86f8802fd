#!/usr/bin/env bats
# Fleet merging (docs/fleet.md, "Mergeable aggregates"): `ior-agg -o -` on
# each host, merged by ior-agg on one machine.  Hosts are streams whose
# section headers name different hosts (iorgen host=), standing for the
# machines `ssh HOST 'ior-pair | ior-agg -o -'` would reach.  The merge
# must be exactly the sum of the hosts' aggregates, and split back into
# each host's own figures.

load helpers

# hostpairs HOST SEED N [LOST]: an iorgen text of N pseudo-random pairs
# made on HOST: several processes and files, log-uniform latencies and
# gaps, reads and writes with bytes, some ENOENT and EACCES.
hostpairs() {
	awk -v host="$1" -v seed="$2" -v n="$3" -v lost="${4:-0}" 'BEGIN {
		srand(seed)
		print "section anchor=1000000,1700000000000000000 host=" host
		ns = split("read write openat close fsync newfstatat", sc, " ")
		for (i = 1; i <= ns; i++)
			print "syscall name=" sc[i]
		np = split("/var/lib/db/base/1 /var/lib/db/base/2 /etc/hosts /tmp/x.log", pth, " ")
		for (i = 1; i <= np; i++)
			print "name kind=path id=" i " value=" pth[i]
		nc = split("postgres nginx cat", cm, " ")
		for (i = 1; i <= nc; i++)
			print "name kind=comm id=" i " value=" cm[i]
		t = 1000000
		for (k = 0; k < n; k++) {
			s = sc[int(rand() * ns) + 1]
			lat = int(exp(rand() * 14)) + 50
			gap = int(exp(rand() * 12))
			c = int(rand() * nc) + 1
			line = "pair t=" t " pid=" (100 + c) " nr=" s " latency=" lat \
			       " gap=" gap " comm=" c " path=" (int(rand() * np) + 1)
			if (rand() < 0.1) {
				line = line " pflags=1 ret=" (rand() < 0.5 ? -2 : -13)
			} else if (s == "read" || s == "write") {
				b = int(rand() * 65536)
				line = line " ret=" b " bytes=" b " pflags=" (s == "read" ? 3 : 5)
			} else {
				line = line " pflags=1 ret=0"
			}
			print line
			t += lat + gap
		}
		if (lost)
			print "loss lost=" lost
		print "pair_totals"
		print "trailer"
	}'
}

# hosts: alpha.pairs, beta.pairs (7 events lost there) and gamma.pairs,
# and each one's aggregate as its host would write it (`ior-agg -o -`).
hosts() {
	hostpairs alpha 1 400 > "$T/alpha.txt"
	hostpairs beta 2 300 7 > "$T/beta.txt"
	hostpairs gamma 3 200 > "$T/gamma.txt"
	for h in alpha beta gamma; do
		"$IOR_BIN/iorgen" "$T/$h.txt" > "$T/$h.pairs"
		# The local equivalent of: ssh $h 'ior-agg -o -' < pairs > $h.agg
		sh -c "\"$IOR_BIN/ior-agg\" -o - < \"$T/$h.pairs\"" > "$T/$h.agg"
	done
}

# agg OUT ARGS...: ior-agg ARGS > OUT, which must succeed quietly.
agg() {
	local out=$1
	shift
	run --separate-stderr "$IOR_BIN/ior-agg" "$@"
	assert_success
	[ -z "$stderr" ] || { echo "stderr: $stderr"; return 1; }
	printf '%s\n' "$output" > "$out"
}

@test "a merge of each host's aggregate is byte for byte the aggregate of all their pairs read together" {
	hosts
	agg "$T/merged.json" --json -n 0 "$T/alpha.agg" "$T/beta.agg" "$T/gamma.agg"
	agg "$T/pairs.json" --json -n 0 "$T/alpha.pairs" "$T/beta.pairs" "$T/gamma.pairs"
	cat "$T/alpha.pairs" "$T/beta.pairs" "$T/gamma.pairs" > "$T/all.pairs"
	agg "$T/cat.json" --json -n 0 "$T/all.pairs"
	cmp "$T/merged.json" "$T/pairs.json"
	cmp "$T/merged.json" "$T/cat.json"
	# Counts, bytes, errors and the loss of beta are in it, once.
	run jq -r '[.pairs, .loss.lost_events, (.syscalls | map(.count) | add),
		    (.hosts | map(.host) | sort | join(","))] | @tsv' "$T/merged.json"
	assert_output "$(printf '900\t7\t900\talpha,beta,gamma')"
	# The text report says the same, with its table of hosts.
	agg "$T/merged.txt" --text -n 0 "$T/alpha.agg" "$T/beta.agg" "$T/gamma.agg"
	agg "$T/pairs.txt" --text -n 0 "$T/alpha.pairs" "$T/beta.pairs" "$T/gamma.pairs"
	cmp "$T/merged.txt" "$T/pairs.txt"
	run grep -c -E '^(alpha|beta|gamma) +[0-9]+ ' "$T/merged.txt"
	assert_output 3
	grep -q '^ior-agg: 900 syscalls on 3 hosts' "$T/merged.txt"
}

@test "splitting the merge by host gives each host's own report, histograms and all" {
	hosts
	agg "$T/split.json" --json -n 0 --by host "$T/alpha.agg" "$T/beta.agg" "$T/gamma.agg"
	for h in alpha beta gamma; do
		agg "$T/$h.json" --json -n 0 "$T/$h.pairs"
		# A lone host's document, without what only a merge has.
		jq -cS 'del(.version, .hosts)' "$T/$h.json" > "$T/$h.own"
		jq -cS --arg h "$h" '.by_host[] | select(.host == $h) | del(.host)' \
			"$T/split.json" > "$T/$h.split"
		[ -s "$T/$h.split" ]
		cmp "$T/$h.own" "$T/$h.split"
		# Its row in the table of hosts is its syscalls' sum, exactly.
		jq -cS '.hosts[0]' "$T/$h.json" > "$T/$h.row"
		jq -cS --arg h "$h" '.hosts[] | select(.host == $h)' "$T/split.json" > "$T/$h.mrow"
		cmp "$T/$h.row" "$T/$h.mrow"
	done
	run jq -r '.hosts[] | select(.host == "alpha") | .count' "$T/split.json"
	assert_output 400
	run jq -r '[.by_host[] | .loss.lost_events] | @tsv' "$T/split.json"
	assert_output "$(printf '0\t7\t0')"
	# The text report: each host's section, after the whole.
	agg "$T/split.txt" --text --by host "$T/alpha.agg" "$T/beta.agg"
	run grep -E '^=== host "(alpha|beta)" ===$' "$T/split.txt"
	assert_line --index 0 '=== host "alpha" ==='
	assert_line --index 1 '=== host "beta" ==='
	grep -A1 '^=== host "alpha" ===$' "$T/split.txt" | grep -q '^ior-agg: 400 syscalls'
}

@test "hosts stay apart through a merge of merges, written as one snapshot per host" {
	hosts
	"$IOR_BIN/ior-agg" -o "$T/ab.agg" "$T/alpha.agg" "$T/beta.agg"
	"$IOR_BIN/ior-agg" -o "$T/abc.agg" "$T/ab.agg" "$T/gamma.agg"
	run "$IOR_BIN/ior-dump" "$T/abc.agg"
	assert_success
	run grep -o '^# aggregate 1: .*' <<< "$output"
	assert_line --index 0 --regexp 'host "alpha", continued$'
	assert_line --index 1 --regexp 'host "beta", continued$'
	assert_line --index 2 --regexp 'host "gamma", final$'
	agg "$T/two.json" --json -n 0 --by host "$T/abc.agg"
	agg "$T/one.json" --json -n 0 --by host "$T/alpha.agg" "$T/beta.agg" "$T/gamma.agg"
	cmp "$T/two.json" "$T/one.json"
}

@test "a snapshot without a host (ior-agg before fleets) is the host of its section header" {
	hosts
	"$IOR_BIN/iorgen" > "$T/old.agg" <<'TXT'
section host=delta
agg_begin fields=comm;syscall;path stats=1 pairs=5 lost=2 final
agg_stat kind=syscall key=read
agg_end
trailer
TXT
	agg "$T/m.json" --json "$T/old.agg" "$T/alpha.agg"
	run jq -r '([.hosts[].host] | sort | join(",")), .pairs, .loss.lost_events' "$T/m.json"
	assert_output "$(printf 'alpha,delta\n405\n2')"
	# A merging machine's own section header is no host of the fleet.
	"$IOR_BIN/ior-agg" -o "$T/m.agg" "$T/old.agg" "$T/alpha.agg"
	agg "$T/m2.json" --json "$T/m.agg"
	run jq -r '[.hosts[].host] | sort | join(",")' "$T/m2.json"
	assert_output "alpha,delta"
}

@test "the host stack field: -f 'host;comm;syscall' splits stacks by host in ior-agg, ior-flame and ior-top" {
	hosts
	for h in alpha gamma; do
		"$IOR_BIN/ior-agg" -f 'host;comm;syscall' -o "$T/$h.hagg" "$T/$h.pairs"
	done
	"$IOR_BIN/ior-agg" -o "$T/merged.hagg" "$T/alpha.hagg" "$T/gamma.hagg"
	agg "$T/snap.folded" --folded -w count "$T/merged.hagg"
	agg "$T/pairs.folded" --folded -w count -f 'host;comm;syscall' "$T/alpha.pairs" "$T/gamma.pairs"
	cmp "$T/snap.folded" "$T/pairs.folded"
	# Every stack starts with its host, whose weights add up to its pairs.
	run awk '{ split($1, f, ";"); n[f[1]] += $2 } END { print n["alpha"], n["gamma"], length(n) }' "$T/snap.folded"
	assert_output "400 200 2"
	# ior-flame draws the hosts as frames.
	run "$IOR_BIN/ior-flame" -w count "$T/merged.hagg"
	assert_success
	grep -q '>alpha<' <<< "$output"
	grep -q '>gamma<' <<< "$output"
	# ior-top shows the two hosts' snapshots as one interval of their sum.
	run "$IOR_BIN/ior-top" -b "$T/merged.hagg"
	assert_success
	run grep -c '^ior-top ' <<< "$output"
	assert_output 1
	run awk '$NF ~ /^(read|write|openat|close|fsync|newfstatat)$/ { n += $(NF-3) } END { print n }' <<< "$("$IOR_BIN/ior-top" -b "$T/merged.hagg")"
	assert_output 600
}

@test "ior-pair keeps the host of the capture, wherever it pairs" {
	"$IOR_BIN/iorgen" > "$T/raw.ior" <<'TXT'
section host=epsilon
syscall name=read
enter pid=9 nr=read args=3,0,10
exit pid=9 nr=read ret=10
trailer
TXT
	"$IOR_BIN/ior-pair" "$T/raw.ior" > "$T/raw.pairs"
	agg "$T/e.json" --json -f 'host;syscall' "$T/raw.pairs"
	run jq -r '.hosts[0].host, .trie.root.children[0].name' "$T/e.json"
	assert_output "$(printf 'epsilon\nepsilon')"
	run "$IOR_BIN/ior-grep" host=epsilon "$T/raw.pairs"
	assert_success
	run "$IOR_BIN/ior-dump" --stats <("$IOR_BIN/ior-grep" host=epsilon "$T/raw.pairs")
	assert_output --regexp 'pair +1'
}

@test "--by takes only host, and not with --folded: exit 2" {
	run --separate-stderr "$IOR_BIN/ior-agg" --by comm /dev/null
	assert_failure 2
	[[ $stderr == *"--by: unknown dimension 'comm' (host)"* ]]
	run --separate-stderr "$IOR_BIN/ior-agg" --by host --folded /dev/null
	assert_failure 2
	[[ $stderr == *"--by host splits the text and JSON reports"* ]]
}

# manyhosts N: an iorgen text of N sections, host h0 .. h(N-1), the k-th
# with k % 3 + 1 reads (so every host's count is known), and one more
# section of host "[other]" (a name like any other) first.
manyhosts() {
	awk -v n="$1" 'function sec(h, c,   i) {
		print "section anchor=1000000,1700000000000000000 host=" h
		print "syscall nr=0 name=read"
		print "name kind=comm id=1 value=c"
		for (i = 0; i < c; i++)
			print "pair t=" (1000000 + i) " pid=7 nr=read latency=100 comm=1 fd=3 ret=1 bytes=1 pflags=3"
		print "pair_totals"
		print "trailer"
	}
	BEGIN { sec("[other]", 5); for (k = 0; k < n; k++) sec("h" k, k % 3 + 1) }'
}

@test "past 1024 hosts, the further ones are counted together as [other], and the report says so" {
	# 1 + 1029 hosts: [other] and h0 .. h1022 are the first 1024.
	manyhosts 1029 | "$IOR_BIN/iorgen" > "$T/many.pairs"
	agg "$T/many.txt" --text "$T/many.pairs"
	run head -2 "$T/many.txt"
	assert_line --index 0 --regexp '^ior-agg: 2,063 syscalls on 1025 hosts '
	assert_line --index 1 'HOSTS: more than 1024; those after the first 1024 are counted together as [other]'
	agg "$T/many.json" --json "$T/many.pairs"
	# h1023 .. h1028 (1023 % 3 + 1 = 1 ...: 1+2+3+1+2+3 = 12 calls) are
	# one row; the host named "[other]" in the stream keeps its own.
	run jq -c '[.hosts_capped, (.hosts | length), .pairs, ([.hosts[].count] | add),
		    ([.hosts[] | select(.host == "[other]") | .count] | sort),
		    ([.hosts[] | select(.host == "h1022" or .host == "h1023") | .host])]' "$T/many.json"
	assert_output '[1024,1025,2063,2063,[5,12],["h1022"]]'
	# Under the bound, no word of it.
	manyhosts 3 | "$IOR_BIN/iorgen" > "$T/few.pairs"
	agg "$T/few.json" --json "$T/few.pairs"
	run jq -c '[.hosts_capped, (.hosts | length)]' "$T/few.json"
	assert_output '[null,4]'
}
