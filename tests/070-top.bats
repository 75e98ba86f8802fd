#!/usr/bin/env bats
# ior-top, docs/ior-top.md: batch frames (-b) checked row by row against
# what a model computes from the pairs of a generated fixture, the same
# frames from ior-agg -i snapshots, the interactive screen driven in tmux,
# a live capture of tests/workload, and bad input.
#
# The fixture (model.py gen, below) has four processes, nine syscalls and
# nine files over three full seconds of the stream's clock and 0.6 s more,
# so -d 1 cuts it into three full intervals and a partial one.  model.py
# check recomputes every frame from the same pairs: the header lines, the
# rows and their order, and each cell: rates, bytes, TIME and MAX and the
# totals as exact strings (lib/units.c's formats), P50/P99/TOT.P99 within
# 1/128 of the exact nearest-rank value plus the rounding of the display.

load helpers
load tmux

setup_file() {
	export TZ=UTC            # the header's TIME is local time
	export MODEL=$BATS_FILE_TMPDIR/model.py
	export FIX=$BATS_FILE_TMPDIR/top.ior LOSSY=$BATS_FILE_TMPDIR/lossy.ior
	cat > "$MODEL" <<'EOF'
import functools, math, random, re, sys, time

# The fixture: four processes, nine syscalls, eight files (one never
# named), pairs over three full seconds of the stream's clock and 0.6 s
# more.  T0 is the first pair; REAL is the realtime of clock 0.
T0 = 1_000_000_000
SEC = 1_000_000_000
REAL = 1_700_000_000_000_000_000
NR = {"read": 0, "write": 1, "close": 3, "mmap": 9, "pread64": 17,
      "pwrite64": 18, "fsync": 74, "openat": 257, "newfstatat": 262}
READS = {"read", "pread64"}
WRITES = {"write", "pwrite64"}
PATHS = {1: "/srv/db/main.db", 2: "/srv/db/wal.log",
         3: "/var/log/nginx/access.log", 4: "/etc/hosts",
         5: "/backup/dump.tar", 6: "socket:[4242]", 7: "/var/www/missing.html",
         8: "pipe:[777]"}          # 9 is used without a name record
COMMS = {1: "postgres", 2: "nginx", 3: "backup"}


def pairs():
    # Only random() is promised the same sequence in every Python.
    rnd = random.Random(7001)

    def below(n):
        return int(rnd.random() * n)

    def lat(lo, hi):
        return int(math.exp(math.log(lo) + rnd.random() * math.log(hi / lo)))

    out = []

    def add(t, pid, comm, sc, path, latency, nbytes=0, err=None):
        out.append(dict(t=t, pid=pid, comm=comm, sc=sc, path=path,
                        lat=latency, bytes=nbytes, err=err))

    for sec in range(4):
        base = T0 + sec * SEC
        span = SEC if sec < 3 else 600_000_000
        for i in range(240 if sec < 3 else 90):
            t = base + below(span)
            k = rnd.random()
            if k < 0.35:
                add(t, 100, 1, "pread64", 1, lat(800, 90_000), (4096, 8192, 8192)[below(3)])
            elif k < 0.5:
                add(t, 100, 1, "pwrite64", 2, lat(3_000, 400_000), 100 + below(19900))
            elif k < 0.55:
                add(t, 100, 1, "fsync", 2, lat(500_000, 9_000_000))
            elif k < 0.62:
                add(t, 100, 1, "mmap", None, lat(300, 4_000))
            elif k < 0.72:
                e = "EAGAIN" if rnd.random() < 0.3 else None
                add(t, 200, 2, "read", 6, lat(200, 30_000), 0 if e else 1 + below(2999), e)
            elif k < 0.8:
                add(t, 200, 2, "write", 3, lat(2_000, 60_000), 80 + below(220))
            elif k < 0.84:
                add(t, 200, 2, "openat", 4, lat(5_000, 40_000))
            elif k < 0.87:
                add(t, 200, 2, "openat", 7, lat(3_000, 20_000), 0, "ENOENT")
            elif k < 0.9:
                add(t, 200, 2, "close", 9, lat(100, 900))
            elif k < 0.93:
                add(t, 200, 2, "read", 8, lat(1_000, 20_000), below(65536))
            elif sec == 1 or sec == 3:
                # backup runs in the second and the last interval only
                if rnd.random() < 0.5:
                    add(t, 300, 3, "read", 1, lat(50_000, 3_000_000), 1 << 20)
                else:
                    add(t, 300, 3, "write", 5, lat(200_000, 30_000_000), 1 << 20)
            elif sec != 1:
                # pid 101, also postgres, is idle in the second interval
                e = "ENOENT" if rnd.random() < 0.25 else None
                add(t, 101, 1, "newfstatat", 2, lat(700, 15_000), 0, e)
    out.sort(key=lambda p: p["t"])
    # distinct times, so the order is the order of the file
    for i in range(1, len(out)):
        if out[i]["t"] <= out[i - 1]["t"]:
            out[i]["t"] = out[i - 1]["t"] + 1
    out[0]["t"] = T0
    return out


LOSS_AT = T0 + SEC + 500_000_000     # the loss record: second interval
LOST = 7


def gen(loss):
    print("section anchor=0,%d" % REAL)
    for name, nr in NR.items():
        print("syscall nr=%d name=%s" % (nr, name))
    for i, p in PATHS.items():
        print("name kind=path id=%d value=%s" % (i, p))
    for i, c in COMMS.items():
        print("name kind=comm id=%d value=%s" % (i, c))
    lossed = not loss
    for p in pairs():
        if not lossed and p["t"] > LOSS_AT:
            print("loss t=%d lost=%d" % (p["t"] - 1, LOST))
            lossed = True
        pf = 1 | (2 if p["sc"] in READS else 4 if p["sc"] in WRITES else 0)
        line = "pair pid=%d tid=%d nr=%s t=%d latency=%d gap=100 bytes=%d comm=%d pflags=%d" % (
            p["pid"], p["pid"], p["sc"], p["t"], p["lat"], p["bytes"], p["comm"], pf)
        if p["path"]:
            line += " path=%d" % p["path"]
        if p["err"]:
            line += " ret=-%s" % p["err"]
        else:
            line += " ret=%d" % p["bytes"]
        print(line)
    print("pair_totals")
    print("trailer")


# ---- lib/units.c, in Python ----

def scaled(v, unit):
    fmt = "%.2f%s" if v < 9.995 else "%.1f%s" if v < 99.95 else "%.0f%s"
    return fmt % (v, unit)


def units_ns(ns):
    if ns < 1000:
        return "%dns" % ns
    if ns < 999500:
        return scaled(ns / 1e3, "us")
    if ns < 999500000:
        return scaled(ns / 1e6, "ms")
    return scaled(ns / 1e9, "s")


def units_bytes(b):
    if b < 1024:
        return "%dB" % b if b else "0"
    v = b / 1024
    u = 0
    while v >= 1023.5 and u < 5:
        v /= 1024
        u += 1
    return scaled(v, "KMGTPE"[u])


def units_count(n):
    return "{:,}".format(n)


def rate_text(v):
    return ("%.1f" if 0 < v < 9.95 else "%.0f") % v


def parse_ns(s):
    """The value shown and half its last digit, in ns."""
    m = re.fullmatch(r"([0-9]+)(?:\.([0-9]+))?(ns|us|ms|s)", s)
    if not m:
        raise ValueError("not a latency: %r" % s)
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[m.group(3)]
    dec = len(m.group(2) or "")
    return float(m.group(1) + "." + (m.group(2) or "0")) * scale, 0.5 * 10 ** -dec * scale


# ---- the expected frame ----

def dir_of(path):
    if not path.startswith("/"):
        c = path.find(":")
        return path[:c + 1] if c >= 0 and not path.startswith("<") else "[other files]"
    i = path.rfind("/")
    return path[:i] if i > 0 else "/"


def keys_of(p, view):
    """(sort key, shown name, filter text) of the rows a pair counts in."""
    if view == "syscalls":
        return [((p["sc"].encode(), 0), p["sc"], p["sc"])]
    if view == "processes":
        c = COMMS[p["comm"]]
        return [((c.encode(), p["pid"]), "%d %s" % (p["pid"], c), c)]
    if p["path"] is None:
        return []
    path = PATHS.get(p["path"], "[unnamed file]")
    k = path if view == "files" else dir_of(path)
    return [((k.encode(), 0), k, k)]


def pct(vals, p):
    v = sorted(vals)
    rank = max(1, min(len(v), math.ceil(p / 100.0 * len(v))))
    return v[rank - 1]


class Stat:
    def __init__(self):
        self.n = self.err = self.rd = self.wr = 0
        self.lats = []

    def add(self, p):
        self.n += 1
        self.err += p["err"] is not None
        if p["sc"] in READS:
            self.rd += p["bytes"]
        if p["sc"] in WRITES:
            self.wr += p["bytes"]
        self.lats.append(p["lat"])


def table(ps, view):
    t = {}
    for p in ps:
        for k, name, text in keys_of(p, view):
            t.setdefault(k, (name, text, Stat()))[2].add(p)
    return t


def expected(all_pairs, start, end, secs, view, sort, reverse, filt, lost, lost_total, last):
    """The header lines and the rows of the frame of [start, end), whose
    rates are over secs: every row seen since start, filtered, sorted by
    the column (ties by TOTAL, then name: comm, then pid for processes),
    its cells as strings, or as the exact value for P50, P99, TOT.P99.
    The arithmetic is ior-top's, in doubles, so that the strings agree."""
    inter = [p for p in all_pairs if start <= p["t"] < end]
    since = [p for p in all_pairs if p["t"] < end]
    it, tt = table(inter, view), table(since, view)
    rows = []
    for k, (name, text, tot) in tt.items():
        if filt and filt not in text:
            continue
        s = it[k][2] if k in it else Stat()
        r = dict(key=k, name=name, rate=float(s.n) / secs, rd=float(s.rd) / secs,
                 wr=float(s.wr) / secs, errs=float(s.err) / secs,
                 time=float(sum(s.lats)) / (secs * 1e9),
                 p50=pct(s.lats, 50) if s.n else 0, p99=pct(s.lats, 99) if s.n else 0,
                 max=max(s.lats) if s.n else 0, total=tot.n,
                 tp99=pct(tot.lats, 99), tmax=max(tot.lats))
        r["cells"] = [rate_text(r["rate"]), units_bytes(int(r["rd"])),
                      units_bytes(int(r["wr"])), rate_text(r["errs"]),
                      "%.1f%%" % (100 * r["time"]), r["p50"], r["p99"],
                      units_ns(r["max"]), units_count(r["total"]), r["tp99"],
                      units_ns(r["tmax"])]
        rows.append(r)
    col = {"rate": "rate", "read": "rd", "write": "wr", "errors": "errs",
           "time": "time", "max": "max", "total": "total", "total_max": "tmax"}

    def cmp(a, b):
        if sort == "name":
            c = (a["key"] > b["key"]) - (a["key"] < b["key"])
        else:
            va, vb = a[col[sort]], b[col[sort]]
            c = -1 if va > vb else 1 if va < vb else 0
            if not c:
                c = -1 if a["total"] > b["total"] else 1 if a["total"] < b["total"] else 0
            if not c:
                c = (a["key"] > b["key"]) - (a["key"] < b["key"])
        return -c if reverse else c
    rows.sort(key=functools.cmp_to_key(cmp))

    # the header
    syscalls = table(inter, "syscalls")
    rd = sum(s.rd for _, _, s in syscalls.values())
    wr = sum(s.wr for _, _, s in syscalls.values())
    er = sum(s.err for _, _, s in syscalls.values())
    t = (REAL + end) // 1_000_000
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t // 1000)) + ".%03d" % (t % 1000)
    line1 = "ior-top %s  interval %.3gs  %s/s calls  read %s/s  written %s/s  %.1f errors/s" % (
        when, secs, units_count(int(float(len(inter)) / secs + 0.5)),
        units_bytes(int(float(rd) / secs)), units_bytes(int(float(wr) / secs)), float(er) / secs)
    line2 = "processes %d  files %d in the interval (%d, %d since start)  view: %s  sort: %s%s%s%s" % (
        len(table(inter, "processes")), len(table(inter, "files")),
        len(table(since, "processes")), len(table(since, "files")),
        view, sort, " (reversed)" if reverse else "",
        "  filter: " + filt if filt else "", "  input ended" if last else "")
    if lost or lost_total:
        loss = "LOST %d events in the interval, %d since start" % (lost, lost_total)
    else:
        loss = "lost 0 events"
    return [line1, line2, loss], rows


def check(out, view, sort, reverse, filt, loss, nframes):
    ps = pairs()
    text = open(out).read()
    frames = [f for f in re.split(r"(?m)^(?=ior-top )", text) if f]
    # -d 1: three full intervals, then the partial one, whose rates are
    # over the time from its start to the last exit
    bounds = [(T0 + k * SEC, T0 + (k + 1) * SEC, 1.0) for k in range(3)]
    last_end = max(p["t"] + p["lat"] for p in ps)
    start = T0 + 3 * SEC
    bounds.append((start, last_end, float(last_end - start) / 1e9))
    want = nframes or len(bounds)
    bad = []
    if len(frames) != want:
        bad.append("%d frames, expected %d" % (len(frames), want))
    nrows = 0
    for i, (f, (s, e, secs)) in enumerate(zip(frames, bounds)):
        lines = f.split("\n")
        lost = LOST if loss and s <= LOSS_AT < e else 0
        lost_total = LOST if loss and LOSS_AT < e else 0
        head, rows = expected(ps, s, e, secs, view, sort, reverse, filt, lost, lost_total,
                              i == len(bounds) - 1)
        for j, h in enumerate(head):
            if lines[j] != h:
                bad.append("frame %d line %d: %r, expected %r" % (i + 1, j + 1, lines[j], h))
        if lines[3] != "":
            bad.append("frame %d: no blank line after the header" % (i + 1))
        colhead = {"syscalls": "SYSCALL", "files": "FILE", "processes": "PID COMM", "dirs": "DIRECTORY"}[view]
        if lines[4].split() != "CALLS/s READ/s WRITE/s ERR/s TIME P50 P99 MAX TOTAL TOT.P99 TOT.MAX".split() + colhead.split():
            bad.append("frame %d: column header %r" % (i + 1, lines[4]))
        got = [l for l in lines[5:] if l]
        if lines[5 + len(got):] != ["", ""] and lines[5 + len(got):] != [""]:
            bad.append("frame %d: does not end with one blank line: %r" % (i + 1, lines[5 + len(got):]))
        if [g.split(None, 11)[11] for g in got] != [r["name"] for r in rows]:
            bad.append("frame %d: rows %r, expected %r" % (
                i + 1, [g.split(None, 11)[11] for g in got], [r["name"] for r in rows]))
            continue
        for g, r in zip(got, rows):
            cells = g.split(None, 11)[:11]
            for c, (name, w) in enumerate(zip(
                    "CALLS/s READ/s WRITE/s ERR/s TIME P50 P99 MAX TOTAL TOT.P99 TOT.MAX".split(),
                    r["cells"])):
                if isinstance(w, int):
                    v, half = parse_ns(cells[c])
                    if abs(v - w) > w / 128 + half + 1:
                        bad.append("frame %d %s %s: %s, exact %d ns" % (i + 1, r["name"], name, cells[c], w))
                elif cells[c] != w:
                    bad.append("frame %d %s %s: %s, expected %s" % (i + 1, r["name"], name, cells[c], w))
            nrows += 1
    if bad:
        print("\n".join(bad[:30]))
        sys.exit(1)
    print("%d frames, %d rows as computed" % (len(frames), nrows))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--loss", action="store_true")
    ap.add_argument("-v", default="syscalls")
    ap.add_argument("-s", default="time")
    ap.add_argument("-r", action="store_true")
    ap.add_argument("-F", default="")
    ap.add_argument("-n", type=int, default=0)
    a = ap.parse_args()
    if a.cmd == "gen":
        gen(a.loss)
    elif a.cmd == "check":
        check(a.out, a.v, a.s, a.r, a.F, a.loss, a.n)
    elif a.cmd == "names":
        # the names of the rows of the last frame of a batch output
        f = re.split(r"(?m)^(?=ior-top )", open(a.out).read())[-1]
        for line in f.split("\n")[5:]:
            if line:
                print(line.split(None, 11)[11])
    elif a.cmd == "screen":
        # name and TOTAL of each row of a captured screen: the name
        # starts after the 11 numbers, the RATE sparkline and two spaces
        for line in open(a.out).read().split("\n")[5:]:
            if line[107:].strip():
                print("%s|%s" % (line[107:].rstrip(), line.split()[8]))
    elif a.cmd == "last":
        # name and number of calls of each row of the last interval
        ps = [p for p in pairs() if p["t"] >= T0 + 3 * SEC]
        for k, (name, text, s) in sorted(table(ps, a.v).items()):
            print("%s|%s" % (name, units_count(s.n)))
EOF
	python3 "$MODEL" gen > "$BATS_FILE_TMPDIR/top.txt" &&
		"$IOR_BIN/iorgen" "$BATS_FILE_TMPDIR/top.txt" > "$FIX" || rm -f "$FIX"
	python3 "$MODEL" gen --loss > "$BATS_FILE_TMPDIR/lossy.txt" &&
		"$IOR_BIN/iorgen" "$BATS_FILE_TMPDIR/lossy.txt" > "$LOSSY" ||
		rm -f "$LOSSY"
	printf 'section anchor=0,1700000000000000000\ntrailer\n' |
		"$IOR_BIN/iorgen" > "$BATS_FILE_TMPDIR/empty.ior"
}

setup() {
	ior_setup
	[ -s "$FIX" ] && [ -s "$LOSSY" ] || fail "the fixtures were not generated"
	tmux_setup
}

teardown() {
	tmux_teardown
	ior_teardown
}


# top_b [ARG...]: ior-top -b ARG... with stdout in $T/out, stderr in
# $T/err; the status in $status.
top_b() {
	status=0
	"$IOR_BIN/ior-top" -b "$@" > "$T/out" 2> "$T/err" || status=$?
}

# check [MODEL-OPTION...]: model.py check of $T/out.
check() {
	run python3 "$MODEL" check "$T/out" "$@"
}

# frames FILE: the number of frames in a batch output.
frames() {
	grep -c '^ior-top ' "$1"
}

# names FILE: the row names of the last frame of a batch output.
names() {
	python3 "$MODEL" names "$1"
}

# ---- batch mode on the fixture ----

@test "-b prints a frame per full second of the stream and the partial last one, and exits 0" {
	top_b "$FIX"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/err")" ""
	run frames "$T/out"
	assert_output 4
	# The first interval starts at the first pair (clock 1 s, realtime
	# 22:13:21 UTC); the last runs from 4 s to the last exit, 4.599 s.
	run grep -o '^ior-top [-0-9: .]* interval [0-9.]*s' "$T/out"
	assert_output - <<'EOF'
ior-top 2023-11-14 22:13:22.000  interval 1s
ior-top 2023-11-14 22:13:23.000  interval 1s
ior-top 2023-11-14 22:13:24.000  interval 1s
ior-top 2023-11-14 22:13:24.599  interval 0.6s
EOF
	run grep -c 'input ended$' "$T/out"
	assert_output 1
	run bash -c "grep '^processes' '$T/out' | tail -1"
	assert_output --regexp 'input ended$'
}

@test "a hand-computed stream: the frame shows each syscall's rates, time share, latencies and totals" {
	"$IOR_BIN/iorgen" > "$T/hand.ior" <<'EOF'
section anchor=0,1700000000000000000
syscall nr=0 name=read
syscall nr=1 name=write
syscall nr=257 name=openat
name id=1 value=/data/a.bin
name id=2 value=/data/logs/b.log
name id=3 value=/data/nope
name kind=comm id=1 value=cat
name kind=comm id=2 value=dd
pair pid=10 nr=read t=1000000000 latency=50000000 bytes=65536 path=1 comm=1 pflags=2
pair pid=20 nr=write t=1100000000 latency=250000000 bytes=3000 path=2 comm=2 pflags=4
pair pid=10 nr=read t=1400000000 latency=50000000 bytes=65536 path=1 comm=1 pflags=2
pair pid=20 nr=openat t=1900000000 latency=2000000 path=3 comm=2 ret=-ENOENT
pair pid=10 nr=read t=2500000000 latency=10000000 bytes=65536 path=1 comm=1 pflags=2
pair_totals
trailer
EOF
	top_b "$T/hand.ior"
	assert_equal "$status" 0
	# In [1 s, 2 s): 4 calls, 128 KiB read, 3000 bytes written, one
	# error; write spent 25% of the second, read 2 x 50 ms = 10%.  The
	# last interval runs from 2 s to the read's exit at 2.51 s: one call
	# in 0.51 s is 1.96/s, 64 KiB / 0.51 s = 125.5 KiB/s, 10 ms = 2.0%.
	run cat "$T/out"
	assert_output - <<'EOF'
ior-top 2023-11-14 22:13:22.000  interval 1s  4/s calls  read 128K/s  written 2.93K/s  1.0 errors/s
processes 2  files 3 in the interval (2, 3 since start)  view: syscalls  sort: time
lost 0 events

  CALLS/s  READ/s WRITE/s   ERR/s   TIME     P50     P99     MAX      TOTAL TOT.P99 TOT.MAX  SYSCALL
      1.0       0   2.93K       0  25.0%   250ms   250ms   250ms          1   250ms   250ms  write
      2.0    128K       0       0  10.0%  50.0ms  50.0ms  50.0ms          2  50.0ms  50.0ms  read
      1.0       0       0     1.0   0.2%  2.00ms  2.00ms  2.00ms          1  2.00ms  2.00ms  openat

ior-top 2023-11-14 22:13:22.510  interval 0.51s  2/s calls  read 125K/s  written 0/s  0.0 errors/s
processes 1  files 1 in the interval (2, 3 since start)  view: syscalls  sort: time  input ended
lost 0 events

  CALLS/s  READ/s WRITE/s   ERR/s   TIME     P50     P99     MAX      TOTAL TOT.P99 TOT.MAX  SYSCALL
      2.0    125K       0       0   2.0%  10.0ms  10.0ms  10.0ms          3  50.0ms  50.0ms  read
        0       0       0       0   0.0%     0ns     0ns     0ns          1  2.00ms  2.00ms  openat
        0       0       0       0   0.0%     0ns     0ns     0ns          1   250ms   250ms  write

EOF
}

@test "-v syscalls (the default): every frame's header and rows are those computed from the pairs" {
	top_b "$FIX"
	assert_equal "$status" 0
	check
	assert_success
	assert_output --regexp '^4 frames, [1-9][0-9]* rows as computed$'
	# Every syscall of the fixture is a row.
	run names "$T/out"
	assert_equal "$(sort <<< "$output" | tr '\n' ' ')" \
		"close fsync mmap newfstatat openat pread64 pwrite64 read write "
}

@test "-v files: every frame's rows are the files' rates, latencies and totals computed from the pairs" {
	top_b -v files "$FIX"
	assert_equal "$status" 0
	check -v files
	assert_success
	assert_output --regexp '^4 frames, [1-9][0-9]* rows as computed$'
	# The pair whose path has no name record counts as [unnamed file].
	run names "$T/out"
	assert_line '[unnamed file]'
	assert_line 'socket:[4242]'
	assert_line '/var/www/missing.html'
}

@test "-v processes: a row per pid and comm, PID COMM, with the rates and totals computed from the pairs" {
	top_b -v processes "$FIX"
	assert_equal "$status" 0
	check -v processes
	assert_success
	assert_output --regexp '^4 frames, [1-9][0-9]* rows as computed$'
	run names "$T/out"
	assert_equal "$(sort <<< "$output" | tr '\n' ' ')" \
		"100 postgres 101 postgres 200 nginx 300 backup "
	# backup (300) starts in the second interval, 101 is idle there.
	run grep -c ' 300 backup$' "$T/out"
	assert_output 3
	# An idle row shows zero rates and keeps its totals.
	run bash -c "awk '/^ior-top /{n++} n==1' '$T/out' | grep ' 101 postgres\$'"
	read -r -a first <<< "$output"
	run bash -c "awk '/^ior-top /{n++} n==2' '$T/out' | grep ' 101 postgres\$'"
	assert_output --regexp "^ +0 +0 +0 +0 +0\.0% +0ns +0ns +0ns +${first[8]} +${first[9]} +${first[10]} +101 postgres\$"
}

@test "-v dirs: a row per directory (pipe: and socket: for those), with the rates computed from the pairs" {
	top_b -v dirs "$FIX"
	assert_equal "$status" 0
	check -v dirs
	assert_success
	assert_output --regexp '^4 frames, [1-9][0-9]* rows as computed$'
	run names "$T/out"
	assert_equal "$(sort <<< "$output" | tr '\n' ' ')" \
		"/backup /etc /srv/db /var/log/nginx /var/www [other files] pipe: socket: "
}

@test "the header: calls/s, read and written bytes/s, errors/s, processes and files, in and since the interval" {
	top_b "$FIX"
	# check compares the three header lines of every frame too; here
	# the first frame's, spelled out: 240 pairs in the second.
	check
	assert_success
	run sed -n 1,3p "$T/out"
	assert_line --index 0 --regexp '^ior-top 2023-11-14 22:13:22\.000  interval 1s  240/s calls  read [0-9.]+[KM]/s  written [0-9.]+[KM]/s  [0-9]+\.[0-9] errors/s$'
	assert_line --index 1 'processes 3  files 8 in the interval (3, 8 since start)  view: syscalls  sort: time'
	assert_line --index 2 'lost 0 events'
}

@test "the default sort is TIME, largest first" {
	top_b -v files "$FIX"
	run bash -c "awk '/^ior-top /{n++} n==1 && /%/ {print \$5}' '$T/out' | tr -d %"
	assert [ "${#lines[@]}" -ge 8 ]
	sort -g -r -c <<< "$output"
	check -v files -s time
	assert_success
}

@test "-s name sorts A to Z, in every view" {
	for v in syscalls files processes dirs; do
		top_b -v "$v" -s name "$FIX"
		assert_equal "$status" 0
		run names "$T/out"
		[ "${#lines[@]}" -ge 4 ] || fail "$v: ${#lines[@]} rows"
		if [ "$v" = processes ]; then
			# by comm, then pid
			LC_ALL=C sort -c -k2,2 -k1,1n <<< "$output" || fail "$v: $output"
		else
			LC_ALL=C sort -c <<< "$output" || fail "$v: $output"
		fi
		check -v "$v" -s name
		assert_success
	done
	grep -q 'sort: name$' "$T/out"
}

@test "-s rate sorts by CALLS/s, and the other columns each by their own value" {
	top_b -s rate "$FIX"
	run bash -c "awk '/^ior-top /{n++} n==2 && /%/ {print \$1}' '$T/out'"
	sort -g -r -c <<< "$output"
	check -s rate
	assert_success
	# The order differs from the default (TIME) one.
	top_b "$FIX"
	names "$T/out" > "$T/by-time"
	top_b -s rate "$FIX"
	names "$T/out" > "$T/by-rate"
	cmp -s "$T/by-time" "$T/by-rate" && fail "-s rate gives the order of -s time"
	for s in read write errors max total total_max; do
		top_b -v files -s "$s" "$FIX"
		grep -q "sort: $s\$" "$T/out" || fail "no 'sort: $s' in the header"
		check -v files -s "$s"
		assert_success
	done
}

@test "-r reverses the sort exactly, and says so" {
	for s in time name rate; do
		top_b -v files -s "$s" "$FIX"
		names "$T/out" > "$T/forward"
		top_b -v files -s "$s" -r "$FIX"
		assert_equal "$status" 0
		names "$T/out" > "$T/reversed"
		assert_equal "$(tac "$T/reversed")" "$(cat "$T/forward")"
		grep -q "sort: $s (reversed)" "$T/out" || fail "no (reversed) in the header"
		check -v files -s "$s" -r
		assert_success
	done
}

@test "-F EXPR counts only the pairs EXPR matches, as ior-grep EXPR | ior-top does, and the header says so" {
	local e
	for e in 'path~log' 'comm=postgres' 'syscall=pread64' 'latency>=1ms'; do
		top_b -v files -F "$e" "$FIX"
		assert_equal "$status" 0
		run grep -cF "  filter: $e" "$T/out"
		assert_output "$(frames "$T/out")"
		"$IOR_BIN/ior-grep" "$e" "$FIX" | "$IOR_BIN/ior-top" -b -v files \
			> "$T/grep.out"
		# The same frames, but for the header's word on the filter.
		assert_equal "$(sed "s/  filter: $e//" "$T/out")" \
			"$(cat "$T/grep.out")"
	done
	top_b -v files -F 'path~log' "$FIX"
	run names "$T/out"
	assert_output - <<'EOF'
/srv/db/wal.log
/var/log/nginx/access.log
EOF
	# Pairs, not rows: the header counts only what matched.
	top_b -F pread "$FIX"
	assert_equal "$status" 2
	grep -q "^ior-top: filter: .*pread" "$T/err"
	top_b -F syscall=pread64 "$FIX"
	run grep -c '  240/s calls' "$T/out"
	assert_output 0
}

@test "-n COUNT stops after COUNT frames, which are the first COUNT frames" {
	top_b "$FIX"
	cp "$T/out" "$T/all"
	top_b -n 2 "$FIX"
	assert_equal "$status" 0
	run frames "$T/out"
	assert_output 2
	assert_equal "$(cat "$T/out")" "$(awk '/^ior-top /{n++} n<=2' "$T/all")"
	check -n 2
	assert_success
	top_b -n 1 -v dirs "$FIX"
	run frames "$T/out"
	assert_output 1
}

@test "-d SECONDS sets the interval on the stream's clock" {
	top_b -d 2 "$FIX"
	assert_equal "$status" 0
	# [1 s, 3 s), then 3 s to the last exit at 4.599 s.
	run grep -o '^ior-top [-0-9: .]* interval [0-9.]*s  [0-9,]*/s calls' "$T/out"
	assert_output - <<'EOF'
ior-top 2023-11-14 22:13:23.000  interval 2s  240/s calls
ior-top 2023-11-14 22:13:24.599  interval 1.6s  206/s calls
EOF
	# Half a second: the first frame has the calls of [1 s, 1.5 s).
	top_b -d 0.5 "$FIX"
	run frames "$T/out"
	assert_output 8
	run python3 -c "import sys; sys.path.insert(0, '$BATS_FILE_TMPDIR'); import model
print(sum(1 for p in model.pairs() if p['t'] < model.T0 + model.SEC // 2) * 2)"
	run grep -c "^ior-top 2023-11-14 22:13:21.500  interval 0.5s  $output/s calls" "$T/out"
	assert_output 1
}

@test "a loss record shows as LOST N in its interval and since start; without one, lost 0 events" {
	top_b "$LOSSY"
	assert_equal "$status" 0
	run sed -n '/^ior-top /{n;n;p}' "$T/out"
	assert_output - <<'EOF'
lost 0 events
LOST 7 events in the interval, 7 since start
LOST 0 events in the interval, 7 since start
LOST 0 events in the interval, 7 since start
EOF
	check --loss
	assert_success
	top_b "$FIX"
	run sed -n '/^ior-top /{n;n;p}' "$T/out"
	assert_output - <<'EOF'
lost 0 events
lost 0 events
lost 0 events
lost 0 events
EOF
}

@test "a stream without pairs prints one empty frame and exits 0" {
	top_b "$BATS_FILE_TMPDIR/empty.ior"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/err")" ""
	run cat "$T/out"
	assert_line --index 0 --regexp '^ior-top -  interval 1s  0/s calls'
	assert_line --index 1 --regexp 'input ended$'
	assert_line --index 3 --regexp '^ +CALLS/s .* SYSCALL$'
	assert_equal "${#lines[@]}" 4
}

@test "a silence in a replay: the interval before it keeps its own end, and quiet intervals follow, as ior-agg -i cuts it" {
	"$IOR_BIN/iorgen" > "$T/gap.ior" <<'EOF'
section anchor=0,1700000000000000000
syscall nr=0 name=read
name id=1 value=/d/a
name kind=comm id=1 value=cat
pair pid=10 nr=read t=1000000000 latency=1000 bytes=1024 path=1 comm=1 pflags=2
pair pid=10 nr=read t=1500000000 latency=1000 bytes=1024 path=1 comm=1 pflags=2
pair pid=10 nr=read t=5500000000 latency=1000 bytes=1024 path=1 comm=1 pflags=2
trailer
EOF
	top_b "$T/gap.ior"
	assert_equal "$status" 0
	# [1 s, 2 s) holds two calls and ends at 22:13:22; the stream is
	# quiet until 5.5 s, so at least one frame shows 0 calls before the
	# last one.
	run grep -o '^ior-top [-0-9: .]* interval [0-9.]*s  [0-9]*/s calls' "$T/out"
	assert_line --index 0 'ior-top 2023-11-14 22:13:22.000  interval 1s  2/s calls'
	assert_line --regexp 'interval 1s  0/s calls$'
}

# ---- ior-agg -i snapshots ----

@test "ior-agg -i 1 snapshots show the same frames as the pairs they were made of" {
	for v in syscalls files processes dirs; do
		"$IOR_BIN/ior-agg" -i 1 -o - "$FIX" 3>&- |
			"$IOR_BIN/ior-top" -b -v "$v" > "$T/agg.out" 2> "$T/agg.err" 3>&-
		assert_equal "$(cat "$T/agg.err")" ""
		top_b -v "$v" "$FIX"
		run frames "$T/agg.out"
		assert_output 4
		# The three full intervals, header and all, are the same.
		assert_equal "$(awk '/^ior-top /{n++} n<=3' "$T/agg.out")" \
			"$(awk '/^ior-top /{n++} n<=3' "$T/out")"
		# The partial one: the same rows and rates over the same span.
		assert_equal "$(awk '/^ior-top /{n++} n==4' "$T/agg.out" | sed 1,3d)" \
			"$(awk '/^ior-top /{n++} n==4' "$T/out" | sed 1,3d)"
		assert_equal "$(awk '/^ior-top /{n++} n==4' "$T/agg.out" | sed -n 1p)" \
			"$(awk '/^ior-top /{n++} n==4' "$T/out" | sed -n 1p)"
	done
	# and they are those computed from the pairs
	awk '/^ior-top /{n++} n<=3' "$T/agg.out" > "$T/out"
	check -v dirs -n 3
	assert_success
}

@test "the last frame from ior-agg -i snapshots says input ended, as the one from pairs does" {
	"$IOR_BIN/ior-agg" -i 1 -o - "$FIX" 3>&- | "$IOR_BIN/ior-top" -b > "$T/out" 3>&-
	run bash -c "grep '^processes' '$T/out' | tail -1"
	assert_output --regexp 'input ended$'
}

# ---- interactive, in tmux ----

# tmux_top, tm, keys, wait_screen, eventually_fits: tests/tmux.bash.

# eventually EXPECTED COMMAND...: wait up to 5 s for the output of
# COMMAND, run on a fresh capture of the screen, to be EXPECTED.
eventually() {
	local want=$1 i got
	shift
	for ((i = 0; i < 50; i++)); do
		tm capture-pane -p > "$T/screen"
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	fail "after 5 s, $*:
$got
is not:
$want"
}

# screen_rows: the rows on the screen, NAME|TOTAL each.
screen_rows() {
	python3 "$MODEL" screen "$T/screen"
}

# screen_names: the names of the rows on the screen.
screen_names() {
	screen_rows | sed 's/|[^|]*$//'
}

# assert_rows EXPECTED: the names of the rows on the screen are (or become
# within 5 s) the lines of EXPECTED.
assert_rows() {
	eventually "$1" screen_names
}

sorted_names() {
	screen_names | sort
}

sorted_rows() {
	screen_rows | sort
}

row_count() {
	screen_rows | wc -l
}

# batch_names ARG...: the row names of the last frame of ior-top -b ARG...
# on the fixture.
batch_names() {
	"$IOR_BIN/ior-top" -b "$@" "$FIX" > "$T/batch.out" 3>&- &&
		names "$T/batch.out"
}

@test "interactive: the screen shows the header, the SYSCALL table of the last interval and input ended" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'input ended$'
	batch_names > /dev/null
	# The header is the one of batch mode's last frame, the partial
	# interval (run drops the blank line 4 from $lines).
	run sed -n 1,5p "$T/screen"
	assert_line --index 0 "$(sed -n '/^ior-top .*interval 0\.6s/p' "$T/batch.out")"
	assert_line --index 0 --regexp '^ior-top 2023-11-14 22:13:24\.599  interval 0\.6s  '
	assert_line --index 1 'processes 3  files 9 in the interval (4, 9 since start)  view: syscalls  sort: time  input ended'
	assert_line --index 2 'lost 0 events'
	assert_line --index 3 --regexp '^ +CALLS/s +READ/s +WRITE/s +ERR/s +TIME +P50 +P99 +MAX +TOTAL +TOT\.P99 +TOT\.MAX +RATE +SYSCALL *$'
	# The rows of the batch mode's last frame, in its order.
	assert_rows "$(batch_names)"
	# The first row's numbers are those batch mode prints.
	assert_equal "$(sed -n 6p "$T/screen" | cut -c1-91)" \
		"$(sed -n '/^ior-top .*interval 0\.6s/,$p' "$T/batch.out" | sed -n 6p | cut -c1-91)"
}

@test "interactive: f, p, d and Tab switch to the files, processes and directories views, s back" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'RATE +SYSCALL *$'
	keys f
	wait_screen 'RATE +FILE *$'
	grep -q 'view: files ' "$T/screen"
	assert_rows "$(batch_names -v files)"
	keys p
	wait_screen 'RATE +PID COMM *$'
	grep -q 'view: processes ' "$T/screen"
	assert_rows "$(batch_names -v processes)"
	keys d
	wait_screen 'RATE +DIRECTORY *$'
	grep -q 'view: dirs ' "$T/screen"
	assert_rows "$(batch_names -v dirs)"
	# Tab: the next view: after dirs the stream, flame and latency
	# views (tests/071-top-console.bats), then the first again.
	keys Tab
	wait_screen 'view: stream '
	keys Tab Tab Tab
	wait_screen 'RATE +SYSCALL *$'
	keys Tab
	wait_screen 'RATE +FILE *$'
	keys s
	wait_screen 'RATE +SYSCALL *$'
	assert_rows "$(batch_names)"
}

@test "interactive: > and < sort by the next and the previous column, and the rows follow" {
	tmux_top '"$IOR_BIN/ior-top" -v files < "$FIX"'
	wait_screen 'sort: time  input ended$'
	screen_names > "$T/by-time"
	assert_equal "$(cat "$T/by-time")" "$(batch_names -v files)"
	keys '>'
	wait_screen 'sort: p50  input ended$'
	assert_rows "$(batch_names -v files -s p50)"
	screen_names | cmp -s - "$T/by-time" && fail "p50 gives the order of time"
	keys '<' '<'
	wait_screen 'sort: errors  input ended$'
	assert_rows "$(batch_names -v files -s errors)"
	screen_names | cmp -s - "$T/by-time" && fail "errors gives the order of time"
	# From the first column (name), < goes round to the last.
	keys '<' '<' '<' '<'
	wait_screen 'sort: name  input ended$'
	assert_rows "$(batch_names -v files -s name)"
	keys '<'
	wait_screen 'sort: total_max  input ended$'
	assert_rows "$(batch_names -v files -s total_max)"
}

@test "interactive: r reverses the sort and shows (reversed), r again restores it" {
	tmux_top '"$IOR_BIN/ior-top" -v files < "$FIX"'
	wait_screen 'sort: time  input ended$'
	screen_names > "$T/forward"
	keys r
	wait_screen 'sort: time \(reversed\)  input ended$'
	assert_rows "$(tac "$T/forward")"
	keys r
	wait_screen 'sort: time  input ended$'
	assert_rows "$(cat "$T/forward")"
}

@test "interactive: / takes a filter expression for the pairs read after Enter, shows a mistake in place, Esc cancels, an empty text clears" {
	mkfifo "$T/more"
	# A second copy of the stream comes when the test writes it.
	tmux_top '{ cat "$FIX"; cat more; } | "$IOR_BIN/ior-top" -v files'
	wait_screen ' /var/log/nginx/access.log$'
	screen_names > "$T/all"
	keys /
	wait_screen '^filter \(Enter applies, Esc cancels\): _'
	keys p a t h '~' d b
	wait_screen '^filter \(Enter applies, Esc cancels\): path~db_'
	# Nothing is filtered until Enter.
	assert_equal "$(screen_names | sort)" "$(sort "$T/all")"
	keys Enter
	wait_screen 'sort: time  filter: path~db'
	grep -q '^filter (Enter' "$T/screen" && fail "the prompt stayed"
	# A mistake: the error in place, the old filter kept.
	keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace p a x h '~' d b Enter
	wait_screen "^filter: unknown field 'paxh' at column 1.*: paxh~db_"
	grep -q 'filter: path~db' "$T/screen"
	# Esc leaves the filter as it was.
	keys Escape
	wait_screen -v '^filter'
	grep -q 'filter: path~db' "$T/screen"
	# The pairs that come now are filtered.
	cat "$FIX" > "$T/more"
	wait_screen 'filter: path~db  input ended$'
	assert_equal "$(screen_names | sort)" \
		"$(printf '%s\n' /srv/db/main.db /srv/db/wal.log)"
	# An empty text clears the filter.
	keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
	wait_screen 'sort: time  input ended$'
}

@test "interactive: h shows the help and any key leaves it" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'input ended$'
	keys h
	wait_screen '^ *ior-top keys$'
	grep -Eq '^ +q +quit$' "$T/screen"
	grep -q 'CALLS/s' "$T/screen" && fail "the table is still shown under the help"
	keys x
	wait_screen 'RATE +SYSCALL *$'
	grep -q 'ior-top keys' "$T/screen" && fail "the help is still shown"
	keys '?'
	wait_screen '^ *ior-top keys$'
	keys Space
	wait_screen 'RATE +SYSCALL *$'
}

@test "interactive: space holds the screen while input goes on, and space again resumes it" {
	# Input stays open and quiet: every second of wall time is an
	# interval, and the header's time moves on.
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top"'
	wait_screen ' 0/s calls'
	keys Space
	sleep 0.5
	tm capture-pane -p > "$T/paused"
	sleep 2.2
	tm capture-pane -p > "$T/screen"
	assert_equal "$(cat "$T/screen")" "$(cat "$T/paused")"
	# Input was still read: the frame after the pause is a later one.
	keys Space
	for ((i = 0; i < 30; i++)); do
		tm capture-pane -p > "$T/screen"
		[ "$(head -1 "$T/screen")" != "$(head -1 "$T/paused")" ] && break
		sleep 0.1
	done
	assert_not_equal "$(head -1 "$T/screen")" "$(head -1 "$T/paused")"
	eventually "$(batch_names | sort)" sorted_names
}

@test "interactive: space shows PAUSED in the header" {
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top"'
	wait_screen ' 0/s calls'
	keys Space
	wait_screen 'sort: time  PAUSED$'
	keys Space
	wait_screen -v 'PAUSED'
}

@test "interactive: c resets the since-start columns to the last interval" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'input ended$'
	# newfstatat is idle in the last interval: since start only.
	screen_names | grep -qx newfstatat
	keys c
	wait_screen -v ' newfstatat$'
	eventually "$(python3 "$MODEL" last -v syscalls | sort)" sorted_rows
}

@test "interactive: q quits with status 0 and gives the terminal back as it was" {
	tmux_top '"$IOR_BIN/ior-top" < "$FIX"'
	wait_screen 'input ended$'
	# While ior-top runs, the terminal neither echoes nor waits for lines.
	run stty -a -F "$(tm display -p '#{pane_tty}')"
	assert_output --regexp '(^| )-icanon( |$)'
	assert_output --regexp '(^| )-echo( |$)'
	keys q
	wait_screen '^EXIT='
	run grep -v '^$' "$T/screen"
	assert_output 'EXIT=0'
	for ((i = 0; i < 50; i++)); do
		[ -s "$T/stty.after" ] && break
		sleep 0.1
	done
	run cat "$T/stty.after"
	assert_output --regexp '(^| )icanon( |$)'
	assert_output --regexp '(^| )echo( |$)'
	assert_equal "$(cat "$T/stty.after")" "$(cat "$T/stty.before")"
}

@test "interactive: SIGINT (^C) restores the terminal and ends ior-top by SIGINT" {
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top"'
	wait_screen 'RATE +SYSCALL *$'
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

@test "interactive: resizing the terminal redraws the screen to its new size" {
	tmux_top '(cat "$FIX"; sleep 600) | "$IOR_BIN/ior-top" -v files'
	wait_screen 'RATE +FILE *$'
	tm resize-window -x 120 -y 10
	# Drawn for 120 columns: no line runs past the edge.
	eventually_fits 10 120
	# At 120 columns a name has 12: long paths keep their end.
	wait_screen '  </access\.log$'
	run head -1 "$T/screen"
	assert_output --regexp '^ior-top '
	run sed -n 5p "$T/screen"
	assert_output --regexp '^ +CALLS/s .* RATE +FILE *$'
	# Rows fill the five lines under the table's header.
	eventually 5 row_count
	tm resize-window -x 160 -y 40
	wait_screen '  /var/log/nginx/access\.log$'
	eventually 9 row_count
}

@test "interactive: after input ended, resizing the terminal redraws the screen" {
	tmux_top '"$IOR_BIN/ior-top" -v files < "$FIX"'
	wait_screen 'input ended$'
	tm resize-window -x 120 -y 10
	wait_screen '  </access\.log$'
	run head -1 "$T/screen"
	assert_output --regexp '^ior-top '
}

@test "interactive: a damaged input is marked on screen; q then says why in one line and exits 1" {
	dump_json "$FIX"
	off=$(jqs '[of("pair")][500].offset')
	head -c "$((off + 20))" "$FIX" > "$T/cut.ior"
	tmux_top '"$IOR_BIN/ior-top" < cut.ior'
	wait_screen 'input damaged \(the message follows on exit\); q quits'
	keys q
	wait_screen '^EXIT='
	run grep -v '^$' "$T/screen"
	assert_line --index 0 --regexp "^ior-top: .*truncated record at offset $off\b"
	assert_line --index 1 'EXIT=1'
	assert_equal "${#lines[@]}" 2
}

# ---- a live capture ----

@test "live: the workload's files in -v files, with their calls and the bytes written to them" {
	require_bpf
	mkdir "$T/work"
	"$IOR_BIN/ior-capture" -q -- "$IOR_BIN/workload" "$T/work" 2> "$T/capture.err" 3>&- |
		"$IOR_BIN/ior-pair" 3>&- | tee "$T/run.pair" |
		"$IOR_BIN/ior-top" -b -d 10 -v files > "$T/out" 2> "$T/err" 3>&-
	assert_equal "$(cat "$T/err")" ""
	dump_json "$T/run.pair"
	# The whole run is one partial interval, under 10 s.
	run frames "$T/out"
	assert_output 1
	secs=$(sed -n 's/.*  interval \([0-9.e-]*\)s .*/\1/p' "$T/out")
	for f in data.bin child.txt inherited.txt does-not-exist; do
		calls=$(jqs --arg p "$T/work/$f" '[of("pair") | select(.path == $p)] | length')
		written=$(jqs --arg p "$T/work/$f" \
			'[of("pair") | select(.path == $p and .write) | .bytes] | add // 0')
		run grep " $T/work/$f\$" "$T/out"
		assert_success
		read -r -a cell <<< "$output"
		# TOTAL is the number of calls on the file.
		assert_equal "${cell[8]}" "$calls"
		# WRITE/s over the interval is the bytes written: 8292 to
		# data.bin, 12345 to child.txt, 17 to inherited.txt.
		python3 - "${cell[2]}" "$secs" "$written" <<'EOF' || fail "$f: WRITE/s ${cell[2]} over ${secs}s is not $written bytes"
import sys
s, secs, want = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
scale = {"B": 1, "K": 1024, "M": 1 << 20, "G": 1 << 30}
v = 0.0 if s == "0" else float(s[:-1]) * scale[s[-1]]
sys.exit(0 if abs(v * secs - want) <= 0.012 * want + 1 else 1)
EOF
	done
	assert_equal "$(jqs --arg p "$T/work/data.bin" '[of("pair") | select(.path == $p and .write) | .bytes] | add')" 8292
	run grep " $T/work/child.txt\$" "$T/out"
	assert_output --regexp '^ +[0-9.]+ +0 +[0-9.]+[KM] +0 '
	# The missing file's only call failed.
	run grep " $T/work/does-not-exist\$" "$T/out"
	read -r -a cell <<< "$output"
	assert_equal "${cell[0]}" "${cell[3]}"
}

# ---- bad input ----

@test "a truncated stream: the frame of what was read, one line naming ior-top and the offset, exit 1" {
	dump_json "$FIX"
	# Cut the 600th pair (in the third second) in the middle.
	off=$(jqs '[of("pair")][599].offset')
	head -c "$((off + 20))" "$FIX" > "$T/cut.ior"
	top_b "$T/cut.ior"
	assert_equal "$status" 1
	run cat "$T/err"
	assert_output --regexp "^ior-top: $T/cut.ior: truncated record at offset $off\b"
	assert_equal "${#lines[@]}" 1
	# Two full intervals, then the third up to the cut, marked ended.
	run frames "$T/out"
	assert_output 3
	cp "$T/out" "$T/cut.out"
	top_b -n 2 "$FIX"
	assert_equal "$(awk '/^ior-top /{n++} n<=2' "$T/cut.out")" "$(cat "$T/out")"
	run bash -c "grep '^processes' '$T/cut.out' | tail -1"
	assert_output --regexp 'input ended$'
	# Its TOTALs count the 599 pairs read.
	run awk '/^ior-top /{n++} n==3 && /%/ {gsub(",", "", $9); s += $9} END {print s}' "$T/cut.out"
	assert_output 599
	# The same through a pipe.
	top_b < "$T/cut.ior"
	assert_equal "$status" 1
	assert_equal "$(cat "$T/out")" "$(cat "$T/cut.out")"
	run cat "$T/err"
	assert_output --regexp "^ior-top: .*offset $off\b"
	assert_equal "${#lines[@]}" 1
}

@test "input that is no ior stream: non-zero exit and an error line naming ior-top" {
	printf 'hello, this is not a stream\n' > "$T/garbage"
	top_b "$T/garbage"
	assert [ "$status" -ne 0 ]
	run cat "$T/err"
	assert_output "ior-top: $T/garbage: not an ior stream (bad magic) at offset 0"
	head -c 4096 /dev/urandom > "$T/random"
	top_b "$T/random"
	assert [ "$status" -ne 0 ]
	run cat "$T/err"
	assert_output --regexp "^ior-top: $T/random: .* at offset [0-9]+"
	# A raw stream, not paired, is refused with the hint.
	"$IOR_BIN/iorgen" > "$T/raw.ior" <<'EOF'
section anchor=0,1700000000000000000
syscall nr=0 name=read
enter pid=5 nr=read args=3,0,10 t=1000000000
exit pid=5 nr=read ret=10 t=1000001000
trailer
EOF
	top_b "$T/raw.ior"
	assert [ "$status" -ne 0 ]
	run cat "$T/err"
	assert_output --partial 'ior-pair'
}

@test "without -b and without a terminal, ior-top fails and points at -b" {
	run --separate-stderr setsid -w "$IOR_BIN/ior-top" "$FIX" < /dev/null
	assert_failure
	assert_output ""
	assert_equal "$(wc -l <<< "$stderr")" 1
	[[ $stderr == ior-top:* ]] || fail "stderr: $stderr"
	[[ $stderr == *-b* ]] || fail "stderr: $stderr"
}

@test "bad options are refused with status 2" {
	run --separate-stderr "$IOR_BIN/ior-top" -b -v nope "$FIX"
	assert_failure 2
	assert_equal "$stderr" "ior-top: unknown view 'nope'"
	run --separate-stderr "$IOR_BIN/ior-top" -b -s speed "$FIX"
	assert_failure 2
	assert_equal "$stderr" "ior-top: unknown column 'speed'"
	run --separate-stderr "$IOR_BIN/ior-top" -b -n 0 "$FIX"
	assert_failure 2
	run --separate-stderr "$IOR_BIN/ior-top" -b -d 0 "$FIX"
	assert_failure 2
}
