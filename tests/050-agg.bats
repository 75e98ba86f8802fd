#!/usr/bin/env bats
# ior-agg on streams written by iorgen (no root needed) and on a live
# capture of the workload (root and BTF).  docs/ior-agg.md is the contract:
# every statistic of --json, the trie, --folded, aggregate snapshots and
# their merging, the node bound, loss, and bad input.
#
# The fixtures are pseudo-random paired streams: several threads making
# syscalls one after the other, with log-uniform latencies and gaps, errors,
# restarted calls, transfers, pipes and sockets, pairs without a file and
# gaps that are not known.  What ior-agg must make of them is computed by
# aggtest.py (written by setup_file) from the fixture's text alone: exact
# counts, sums, minimums, maximums and bytes, exact nearest-rank
# percentiles (ior-agg's must be within 1/128 of them), the stacks and their
# weights.

load helpers

setup_file() {
	cat > "$BATS_FILE_TMPDIR/aggtest.py" <<'PY'
"""aggtest.py - fixtures for ior-agg and what ior-agg must make of them,
computed from the fixture text alone (docs/ior-agg.md is the contract).

  gen [options]                  an iorgen text fixture of pseudo-random pairs
  check ACTUAL.json PART FIX...  what differs between ior-agg --json and the
                                 expected aggregate of the fixtures; PART is
                                 top, syscalls, processes, files, dirs or trie
  folded FIELDS WEIGHT FIX...    the expected --folded lines, sorted bytewise
  bounded FIELDS WEIGHT ACTUAL FIX...
                                 what is wrong with a folded output whose trie
                                 was bounded: the total, and every stack is a
                                 real one no heavier than exact, or a real
                                 prefix followed by [other]
  total WEIGHT FIX...            the total weight of the fixtures' pairs
  canon ACTUAL.json [KEY...]     the document without KEYs, keys sorted, one
                                 field a line (exact integers, unlike jq 1.6)
Options of check, folded, total: --first K (only the first K pairs),
--fields F, --weight W (check), --min-share PERCENT (folded: as -m).
"""
import argparse
import json
import math
import random
import sys
from fractions import Fraction

# x86_64 numbers; the fixture says them, so they mean the same anywhere.
SYSCALLS = [(0, 'read', 3), (1, 'write', 3), (3, 'close', 1), (8, 'lseek', 3),
            (9, 'mmap', 6), (17, 'pread64', 4), (40, 'sendfile', 4),
            (74, 'fsync', 1), (217, 'getdents64', 3), (257, 'openat', 4),
            (262, 'newfstatat', 4)]
# ior's family of each (lib/ior_format.h, enum ior_family).
FAMILY = {'read': 'read', 'pread64': 'read', 'write': 'write',
          'close': 'close', 'lseek': 'seek', 'mmap': 'mmap',
          'sendfile': 'transfer', 'fsync': 'sync', 'getdents64': 'dir',
          'openat': 'open', 'newfstatat': 'stat'}
# The classes of docs/ior-agg.md, in the order --json lists them.
CLASS_ORDER = ['read', 'write', 'open/close', 'metadata', 'sync', 'other',
               'error']
CLASSES = {'read': ['read'], 'write': ['write'],
           'transfer': ['read', 'write'], 'open': ['open/close'],
           'close': ['open/close'], 'fdnew': ['open/close'],
           'stat': ['metadata'], 'dir': ['metadata'],
           'namespace': ['metadata'], 'attr': ['metadata'],
           'xattr': ['metadata'], 'sync': ['sync']}
ERRNO = {2: 'ENOENT', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN', 13: 'EACCES',
         28: 'ENOSPC'}
# Open flags (x86_64 values) and their frame for -f flags.
OFLAGS = {0: 'O_RDONLY', 2: 'O_RDWR', 577: 'O_WRONLY|O_CREAT|O_TRUNC',
          1026: 'O_RDWR|O_APPEND', 524288: 'O_RDONLY|O_CLOEXEC',
          65536: 'O_RDONLY|O_DIRECTORY'}
PCT = ['50', '90', '99', '99.9']

PATHS = [
    (b'/var/lib/db/base/16384/2619', 1026),
    (b'/var/lib/db/base/16384/2662', 1026),
    (b'/var/lib/db/pg_wal/000000010000000000000001', 577),
    (b'/etc/hosts', 524288),
    (b'/usr/lib/x86_64-linux-gnu/libc.so.6', 524288),
    (b'/tmp/r\xc3\xa9sum\xc3\xa9.txt', 577),
    (b'/data', 65536),
    (b'pipe:[4026]', 0),
    (b'socket:[77123]', 2),
    (b'anon_inode:[eventfd]', 2),
    (b'<unknown fd 9>', 0),
]
HOSTILE = (b'/tmp/h;o\nst\\il\xffe\x7f\t\xc3\xa9/x;y\xc0\xaf', 577)
COMMS = [b'postgres', b'nginx', b'cc1', b'sh', b'python3', b'rsync',
         b'java', b'sqlite3']


def quote(b):
    """A value for iorgen: quoted, every byte outside printable ASCII (and
    the quote and backslash) as \\xNN."""
    return '"' + ''.join(chr(c) if 0x20 < c < 0x7f and c not in (0x22, 0x5c)
                         else '\\x%02x' % c for c in b) + '"'


def gen(o):
    rng = random.Random(o.seed)
    out = ['# ior-agg fixture: seed %d' % o.seed,
           'section anchor=0,1700000000000000000']
    for nr, name, nargs in SYSCALLS:
        out.append('syscall nr=%d name=%s nargs=%d' % (nr, name, nargs))
    paths = rng.sample(PATHS, 8)
    if o.hostile:
        paths.append(HOSTILE)
    comms = rng.sample(COMMS, 5)
    path_ids = {}
    comm_ids = {}
    nthreads = o.threads
    pid_of = [o.pid + (0 if i == 1 else i) for i in range(nthreads)]
    tid_of = [o.pid + i for i in range(nthreads)]
    weights = [('read', 25), ('write', 20), ('pread64', 8), ('openat', 10),
               ('close', 10), ('newfstatat', 8), ('lseek', 5), ('fsync', 3),
               ('mmap', 4), ('sendfile', 3), ('getdents64', 4)]
    names = [n for n, _ in weights]
    wts = [w for _, w in weights]
    pairs = []
    for i in range(nthreads):
        t = o.t0 + rng.randrange(0, 50000)
        for c in range(o.calls):
            comm = comms[pid_of[i] - o.pid if pid_of[i] - o.pid < 4 else 3]
            if i == 2 and c >= o.calls // 2:
                comm = comms[4]         # the process execs: a new comm
            first = c == 0
            gap = int(10 ** rng.uniform(1, 5.3))
            if not first:
                t += gap
            lat = rng.choice([rng.randrange(1, 128),
                              int(10 ** rng.uniform(2, 6.5)),
                              int(10 ** rng.uniform(2, 6.5)),
                              int(10 ** rng.uniform(3, 4))])
            name = rng.choices(names, wts)[0]
            path = rng.choice(paths)
            path2 = None
            if name == 'mmap' and rng.random() < 0.5:
                path = None
            if name == 'sendfile':
                path2 = rng.choice([p for p in paths if p != path])
            known = not first and rng.random() < 0.85
            pflags = 1 if known else 0
            # An unknown gap carries a value that must not count.
            g = gap if known else rng.randrange(1, 10 ** 6)
            err = 0
            ret = 0
            nbytes = 0
            r = rng.random()
            if name in ('openat', 'newfstatat') and r < 0.15:
                err = 2 if r < 0.1 else 13
            elif name == 'read' and path[0][:4] in (b'pipe', b'sock') \
                    and r < 0.2:
                err = 11
            elif name == 'write' and r < 0.03:
                err = 28
            elif name == 'close' and r < 0.03:
                err = 9
            elif r < 0.01:
                err = 5
            elif name in ('read', 'write') and r < 0.04:
                ret = -512              # interrupted, restarted: no error
                pflags |= 8
            if err:
                ret = -err
            elif ret == 0:
                if name in ('read', 'pread64'):
                    nbytes = rng.choice([0, rng.randrange(1, 65537),
                                         rng.randrange(1, 4097)])
                    pflags |= 2 if nbytes else 0
                elif name == 'write':
                    nbytes = rng.randrange(1, 65537)
                    pflags |= 4
                elif name == 'sendfile':
                    nbytes = rng.randrange(1, 1 << 20)
                    pflags |= 6
                elif name == 'openat':
                    ret = rng.randrange(3, 60)
                ret = ret or nbytes
            pairs.append(dict(t=t, lat=lat, gap=g, pid=pid_of[i],
                              tid=tid_of[i], name=name, path=path,
                              path2=path2, comm=comm, err=err, ret=ret,
                              nbytes=nbytes, pflags=pflags))
            t += lat
    # ior-pair writes a pair when its exit is seen.
    pairs.sort(key=lambda p: (p['t'] + p['lat'], p['tid']))
    lost_at = len(pairs) // 3
    for n, p in enumerate(pairs):
        if o.lost and n == lost_at:
            out.append('loss t=%d cpu=1 lost=%d' % (p['t'], o.lost))
        for what, table, kind in (('path', path_ids, 'path'),
                                  ('path2', path_ids, 'path'),
                                  ('comm', comm_ids, 'comm')):
            v = p[what]
            if v is None:
                continue
            key = v[0] if kind == 'path' else v
            if key not in table:
                table[key] = len(table) + 1
                out.append('name kind=%s id=%d value=%s'
                           % (kind, table[key], quote(key)))
        line = ('pair t=%d pid=%d tid=%d nr=%s latency=%d gap=%d ret=%d '
                'err=%d bytes=%d pflags=%d comm=%d'
                % (p['t'], p['pid'], p['tid'], p['name'], p['lat'], p['gap'],
                   p['ret'], p['err'], p['nbytes'], p['pflags'],
                   comm_ids[p['comm']]))
        if p['path']:
            line += ' path=%d flags=%d' % (path_ids[p['path'][0]],
                                           p['path'][1])
        if p['path2']:
            line += ' path2=%d' % path_ids[p['path2'][0]]
        out.append(line)
    ue, uen, fdu = (int(x) for x in o.unpaired.split(','))
    out.append('pair_totals lost=%d unmatched_exits=%d unmatched_enters=%d '
               'fd_unknown=%d' % (o.lost, ue, uen, fdu))
    out.append('trailer')
    print('\n'.join(out))


# ---- reading fixtures ----

ESC = {'n': b'\n', 't': b'\t', 'r': b'\r', '\\': b'\\', '"': b'"',
       '0': b'\0'}


def tokens(line):
    """The words of an iorgen line: (key, bytes) or (word, None)."""
    out = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        buf = bytearray()
        key = None
        while i < n and not line[i].isspace():
            if line[i] == '=' and key is None:
                key = buf.decode()
                buf = bytearray()
                i += 1
                if i < n and line[i] == '"':
                    i += 1
                    while line[i] != '"':
                        if line[i] == '\\':
                            e = line[i + 1]
                            if e == 'x':
                                buf.append(int(line[i + 2:i + 4], 16))
                                i += 4
                            else:
                                buf += ESC[e]
                                i += 2
                            continue
                        buf += line[i].encode()
                        i += 1
                    i += 1
                continue
            buf += line[i].encode()
            i += 1
        out.append((key, bytes(buf)) if key is not None
                   else (buf.decode(), None))
    return out


class Pair:
    pass


class Row:
    def __init__(self):
        self.count = self.errors = self.rd = self.wr = 0
        self.errno = {}
        self.lat = []
        self.gap = []

    def add(self, p, rd, wr):
        self.count += 1
        if p.err:
            self.errors += 1
            name = ERRNO.get(p.err, 'E%d' % p.err)
            self.errno[name] = self.errno.get(name, 0) + 1
        self.rd += rd
        self.wr += wr
        self.lat.append(p.lat)
        if p.gap is not None:
            self.gap.append(p.gap)


def dir_of(path):
    if path.startswith(b'/'):
        i = path.rindex(b'/')
        return path[:i] if i > 0 else b'/'
    colon = path.find(b':')
    if colon >= 0 and not path.startswith(b'<'):
        return path[:colon + 1]
    return b'[other files]'


def read_fixtures(files, first=None):
    """Pairs and totals of the fixtures, as if concatenated."""
    pairs = []
    tot = dict(lost=0, unmatched_exits=0, unmatched_enters=0, fd_unknown=0)
    for f in files:
        names = {}
        sysnames = {}
        c2r = 0
        sec_lost = 0
        for line in open(f, encoding='ascii'):
            line = line.split('#')[0] if not '"' in line else line
            tk = tokens(line.strip())
            if not tk:
                continue
            cmd = tk[0][0]
            a = {k: v for k, v in tk[1:]}
            num = lambda k, d=0: int(a[k].decode(), 0) if k in a else d
            if cmd == 'section':
                names = {}
                sysnames = {}
                clk, real = (int(x) for x in a['anchor'].decode().split(','))
                c2r = real - clk
                sec_lost = 0
            elif cmd == 'syscall':
                sysnames[num('nr')] = a['name'].decode()
            elif cmd == 'name':
                names[(a['kind'].decode(), num('id'))] = a['value']
            elif cmd == 'loss':
                tot['lost'] += num('lost')
                sec_lost += num('lost')
            elif cmd == 'pair_totals':
                for k in ('unmatched_exits', 'unmatched_enters',
                          'fd_unknown'):
                    tot[k] += num(k)
                if num('lost') > sec_lost:
                    tot['lost'] += num('lost') - sec_lost
                    sec_lost = num('lost')
            elif cmd == 'pair':
                if first is not None and len(pairs) == first:
                    continue
                p = Pair()
                nr = a['nr'].decode()
                p.name = sysnames[int(nr)] if nr.isdigit() else nr
                p.family = FAMILY.get(p.name, 'other')
                p.pid = num('pid')
                p.tid = num('tid', p.pid)
                p.t = num('t') + c2r
                p.lat = num('latency')
                ret = num('ret')
                p.err = num('err', -ret if -4095 <= ret < 0 else 0)
                pf = num('pflags')
                p.gap = num('gap') if pf & 1 else None
                nb = num('bytes')
                p.rd = nb if pf & 2 else 0
                p.wr = nb if pf & 4 else 0
                p.path = names.get(('path', num('path'))) if num('path') \
                    else None
                p.path2 = names.get(('path', num('path2'))) \
                    if num('path2') else None
                p.comm = names.get(('comm', num('comm')), b'[unknown comm]')
                p.flags = num('flags')
                pairs.append(p)
    return pairs, tot


def tables(pairs):
    t = {k: {} for k in ('syscalls', 'processes', 'files', 'dirs')}

    def row(kind, key):
        return t[kind].setdefault(key, Row())
    for p in pairs:
        row('syscalls', p.name).add(p, p.rd, p.wr)
        row('processes', (p.pid, jname(p.comm))).add(p, p.rd, p.wr)
        if p.path is None:
            continue
        transfer = p.path2 is not None and p.rd and p.wr
        wr = 0 if transfer else p.wr
        row('files', jname(p.path)).add(p, p.rd, wr)
        row('dirs', jname(dir_of(p.path))).add(p, p.rd, wr)
        if transfer:
            row('files', jname(p.path2)).wr += p.wr
            row('dirs', jname(dir_of(p.path2))).wr += p.wr
    return t


# ---- names ----

def utf8_len(b, i):
    c = b[i]
    n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else \
        4 if 0xf0 <= c <= 0xf4 else 0
    if n == 0 or i + n > len(b):
        return 0
    try:
        b[i:i + n].decode('utf-8')
    except UnicodeDecodeError:
        return 0
    return n


def jname(b):
    """A name as --json's string reads back: a byte that is not valid
    UTF-8 is U+00NN."""
    out = []
    i = 0
    while i < len(b):
        n = utf8_len(b, i) if b[i] >= 0x80 else 1
        if n == 0:
            out.append(chr(b[i]))
            i += 1
        else:
            out.append(b[i:i + n].decode())
            i += n
    return ''.join(out)


def folded_frame(b):
    out = []
    i = 0
    while i < len(b):
        c = b[i]
        n = utf8_len(b, i) if c >= 0x80 else 1
        if n == 0 or c < 0x20 or c == 0x7f or c in b';\\':
            out.append('\\x%02x' % c)
            i += 1
        else:
            out.append(b[i:i + n].decode())
            i += n
    return ''.join(out)


# ---- stacks ----

def frames(p, fields):
    out = []
    for f in fields:
        if f == 'comm':
            out.append(p.comm)
        elif f == 'pid':
            out.append(b'pid %d' % p.pid)
        elif f == 'tid':
            out.append(b'tid %d' % p.tid)
        elif f == 'syscall':
            out.append(p.name.encode())
        elif f == 'family':
            out.append(p.family.encode())
        elif f == 'class':
            c = CLASSES.get(p.family, ['other'])
            out.append('/'.join(c).encode())
        elif f == 'errno':
            out.append(ERRNO.get(p.err, 'E%d' % p.err).encode()
                       if p.err else b'ok')
        elif f == 'flags':
            out.append(OFLAGS[p.flags].encode() if p.path else b'-')
        elif p.path is None:
            out.append(b'[no file]')
        elif f[:3] == 'dir' and f[3:].isdigit():
            d = dir_of(p.path)
            if d.startswith(b'/') and d != b'/':
                d = b'/'.join(d.split(b'/')[:int(f[3:]) + 1])
            out.append(d)
        elif f == 'path':
            out.append(p.path)
        elif f == 'dir':
            out.append(dir_of(p.path))
        elif f == 'base':
            out.append(p.path[p.path.rindex(b'/') + 1:]
                       if p.path.startswith(b'/') else p.path)
        elif f == 'tree':
            if not p.path.startswith(b'/'):
                out += [dir_of(p.path), p.path]
                continue
            parts = p.path[1:].split(b'/')
            if len(parts) == 1:
                out.append(p.path)
            else:
                out.append(b'/' + parts[0] + b'/')
                out += [x + b'/' for x in parts[1:-1]]
                out.append(parts[-1])
        else:
            raise SystemExit('field %s?' % f)
    return tuple(out)


def weigh(p, w):
    return {'count': 1, 'latency': p.lat, 'gap': p.gap or 0,
            'bytes': p.rd + p.wr, 'read': p.rd, 'write': p.wr,
            'errors': 1 if p.err else 0}[w]


def pair_classes(p):
    c = set(CLASSES.get(p.family, ['other']))
    if p.err:
        c.add('error')
    return c


class Node:
    def __init__(self):
        self.children = {}
        self.count = self.errors = self.lat = self.gap = 0
        self.rd = self.wr = 0
        self.classes = set()
        self.own = {}           # weight -> own (not inclusive) weight

    def add(self, p):
        self.count += 1
        self.errors += 1 if p.err else 0
        self.lat += p.lat
        self.gap += p.gap or 0
        self.rd += p.rd
        self.wr += p.wr
        self.classes |= pair_classes(p)

    def weight(self, w):
        return {'count': self.count, 'latency': self.lat, 'gap': self.gap,
                'bytes': self.rd + self.wr, 'read': self.rd,
                'write': self.wr, 'errors': self.errors}[w]


def trie(pairs, fields):
    root = Node()
    for p in pairs:
        n = root
        n.add(p)
        for fr in frames(p, fields):
            n = n.children.setdefault(fr, Node())
            n.add(p)
    return root


def stacks(pairs, fields, w):
    s = {}
    for p in pairs:
        k = frames(p, fields)
        s[k] = s.get(k, 0) + weigh(p, w)
    return s


def line(stack, weight):
    return ';'.join(folded_frame(f) for f in stack) + ' %d' % weight


def print_lines(lines):
    for l in sorted(x.encode() for x in lines):
        sys.stdout.buffer.write(l + b'\n')


def pruned(root, w, min_w):
    """Folded lines after -m: what -m folds goes to [other] under its
    nearest kept ancestor."""
    lines = []

    def walk(n, stack):
        other = 0
        for label, c in n.children.items():
            if c.weight(w) >= min_w:
                walk(c, stack + (label,))
            else:
                other += c.weight(w)
        own = n.weight(w) - sum(c.weight(w) for c in n.children.values())
        if stack and own:
            lines.append(line(stack, own))
        if other:
            lines.append(line(stack + (b'[other]',), other))
    walk(root, ())
    return lines


# ---- checking ----

def nearest_rank(values, p):
    s = sorted(values)
    rank = math.ceil(Fraction(p) / 100 * len(s))
    return s[max(rank, 1) - 1]


def check_hist(where, got, values, problems):
    n = len(values)
    exact = dict(count=n, sum=sum(values), min=min(values) if n else 0,
                 max=max(values) if n else 0)
    for k, v in exact.items():
        if got.get(k) != v:
            problems.append('%s.%s: %r, expected %r' % (where, k, got.get(k),
                                                         v))
    mean = sum(values) / n if n else 0
    if not isinstance(got.get('mean'), (int, float)) or \
            abs(got['mean'] - mean) > 0.051:
        problems.append('%s.mean: %r, expected %.3f' % (where,
                                                         got.get('mean'),
                                                         mean))
    for p in PCT:
        e = nearest_rank(values, p) if n else 0
        g = got.get('p' + p)
        if not isinstance(g, int) or abs(g - e) * 128 > e:
            problems.append('%s.p%s: %r, exact %d (1/128: %.1f)'
                            % (where, p, g, e, e / 128))


def check_table(part, got_rows, expected, problems):
    keyname = {'syscalls': 'syscall', 'processes': 'comm', 'files': 'path',
               'dirs': 'dir'}[part]

    def key(r):
        return (r.get('pid'), r.get(keyname)) if part == 'processes' \
            else r.get(keyname)
    got = {}
    for r in got_rows:
        if key(r) in got:
            problems.append('%s: %r twice' % (part, key(r)))
        got[key(r)] = r
    for k in expected.keys() - got.keys():
        problems.append('%s: no row %r' % (part, k))
    for k in got.keys() - expected.keys():
        problems.append('%s: unexpected row %r' % (part, k))
    for k in sorted(expected.keys() & got.keys(), key=repr):
        e, g = expected[k], got[k]
        where = '%s[%r]' % (part, k)
        for f, v in (('count', e.count), ('errors', e.errors),
                     ('errno', e.errno), ('bytes_read', e.rd),
                     ('bytes_written', e.wr)):
            if g.get(f) != v:
                problems.append('%s.%s: %r, expected %r' % (where, f,
                                                             g.get(f), v))
        check_hist(where + '.latency_ns', g.get('latency_ns', {}), e.lat,
                   problems)
        check_hist(where + '.gap_ns', g.get('gap_ns', {}), e.gap, problems)
    order = [(r['latency_ns']['sum'], r['count']) for r in got_rows
             if 'latency_ns' in r]
    if order != sorted(order, reverse=True):
        problems.append('%s: not sorted by latency sum, then count' % part)


def check_node(where, g, e, w, problems):
    for f, v in (('weight', e.weight(w)), ('count', e.count),
                 ('errors', e.errors), ('latency_ns', e.lat),
                 ('gap_ns', e.gap), ('bytes_read', e.rd),
                 ('bytes_written', e.wr),
                 ('classes', [c for c in CLASS_ORDER if c in e.classes])):
        if g.get(f) != v:
            problems.append('%s.%s: %r, expected %r' % (where, f, g.get(f),
                                                         v))
    kids = {c['name']: c for c in g.get('children', [])}
    want = {jname(k): v for k, v in e.children.items()}
    if kids.keys() != want.keys():
        problems.append('%s: children %r, expected %r'
                        % (where, sorted(kids), sorted(want)))
    ws = [c.get('weight', 0) for c in g.get('children', [])]
    if ws != sorted(ws, reverse=True):
        problems.append('%s: children not heaviest first' % where)
    for k in sorted(kids.keys() & want.keys()):
        check_node(where + '/' + k, kids[k], want[k], w, problems)


def check(o):
    doc = json.load(open(o.actual))
    pairs, tot = read_fixtures(o.fixtures, o.first)
    problems = []
    if o.part == 'top':
        exp = dict(version=1, pairs=len(pairs),
                   start_ns=min(p.t for p in pairs),
                   end_ns=max(p.t + p.lat for p in pairs))
        for k, v in exp.items():
            if doc.get(k) != v:
                problems.append('%s: %r, expected %r' % (k, doc.get(k), v))
        loss = dict(lost_events=tot['lost'],
                    unmatched_exits=tot['unmatched_exits'],
                    unmatched_enters=tot['unmatched_enters'],
                    fd_unknown=tot['fd_unknown'])
        for k, v in loss.items():
            if doc.get('loss', {}).get(k) != v:
                problems.append('loss.%s: %r, expected %r'
                                % (k, doc.get('loss', {}).get(k), v))
    elif o.part == 'trie':
        fields = o.fields.split(';')
        t = doc.get('trie', {})
        if t.get('fields') != fields:
            problems.append('trie.fields: %r' % t.get('fields'))
        if t.get('weight') != o.weight:
            problems.append('trie.weight: %r' % t.get('weight'))
        if t.get('root', {}).get('name') != 'all':
            problems.append('trie.root.name: %r' % t.get('root', {}).get(
                'name'))
        check_node('all', t.get('root', {}), trie(pairs, fields), o.weight,
                   problems)
    else:
        check_table(o.part, doc.get(o.part, []), tables(pairs)[o.part],
                    problems)
    for p in problems[:40]:
        print(p)
    if len(problems) > 40:
        print('... %d more' % (len(problems) - 40))


def folded(o):
    pairs, _ = read_fixtures(o.fixtures, o.first)
    fields = o.fields.split(';')
    if o.min_share is None:
        print_lines(line(k, v) for k, v in
                    stacks(pairs, fields, o.weight).items() if v)
        return
    root = trie(pairs, fields)
    min_w = math.ceil(root.weight(o.weight) * Fraction(o.min_share) / 100)
    print_lines(pruned(root, o.weight, min_w))


def bounded(o):
    pairs, _ = read_fixtures(o.fixtures)
    fields = o.fields.split(';')
    exact = {';'.join(folded_frame(f) for f in k): v
             for k, v in stacks(pairs, fields, o.weight).items()}
    prefixes = {''}
    for k in exact:
        parts = k.split(';')
        for i in range(1, len(parts)):
            prefixes.add(';'.join(parts[:i]))
    total = 0
    problems = []
    for l in open(o.actual, 'rb').read().decode().splitlines():
        stack, _, w = l.rpartition(' ')
        total += int(w)
        if stack.endswith('[other]'):
            head = stack[:-len('[other]')].rstrip(';')
            if head not in prefixes:
                problems.append('[other] under %r, no such stack' % head)
        elif stack not in exact:
            problems.append('stack %r is no stack of the input' % stack)
        elif int(w) > exact[stack]:
            problems.append('%r weighs %s, more than its %d'
                            % (stack, w, exact[stack]))
    want = sum(weigh(p, o.weight) for p in pairs)
    if total != want:
        problems.append('the weights sum to %d, not %d' % (total, want))
    print('\n'.join(problems[:40]) if problems else '', end='')


def total(o):
    pairs, _ = read_fixtures(o.fixtures, o.first)
    print(sum(weigh(p, o.weight) for p in pairs))


def canon(o):
    doc = json.load(open(o.actual))
    for k in o.drop:
        doc.pop(k, None)
    print(json.dumps(doc, sort_keys=True, indent=1))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('gen')
    g.add_argument('--seed', type=int, default=1)
    g.add_argument('--threads', type=int, default=4)
    g.add_argument('--calls', type=int, default=300)
    g.add_argument('--t0', type=int, default=10 ** 9)
    g.add_argument('--pid', type=int, default=1000)
    g.add_argument('--lost', type=int, default=0)
    g.add_argument('--unpaired', default='0,0,0')
    g.add_argument('--hostile', action='store_true')
    c = sub.add_parser('check')
    c.add_argument('actual')
    c.add_argument('part')
    c.add_argument('fixtures', nargs='+')
    c.add_argument('--first', type=int)
    c.add_argument('--fields', default='comm;syscall;path')
    c.add_argument('--weight', default='latency')
    f = sub.add_parser('folded')
    f.add_argument('fields')
    f.add_argument('weight')
    f.add_argument('fixtures', nargs='+')
    f.add_argument('--first', type=int)
    f.add_argument('--min-share')
    b = sub.add_parser('bounded')
    b.add_argument('fields')
    b.add_argument('weight')
    b.add_argument('actual')
    b.add_argument('fixtures', nargs='+')
    t = sub.add_parser('total')
    t.add_argument('weight')
    t.add_argument('fixtures', nargs='+')
    t.add_argument('--first', type=int)
    c = sub.add_parser('canon')
    c.add_argument('actual')
    c.add_argument('drop', nargs='*')
    o = ap.parse_args()
    {'gen': gen, 'check': check, 'folded': folded, 'bounded': bounded,
     'total': total, 'canon': canon}[o.cmd](o)


main()
PY
}

# py COMMAND [ARG...]: aggtest.py (its docstring says the commands).
py() {
	python3 "$BATS_FILE_TMPDIR/aggtest.py" "$@"
}

# fixture NAME [GEN-OPTION...]: a pseudo-random fixture, its text in
# $T/NAME.txt and the stream in $T/NAME.ior.
fixture() {
	local name=$1

	shift
	py gen "$@" > "$T/$name.txt" || fail "aggtest.py gen $* failed"
	"$IOR_BIN/iorgen" "$T/$name.txt" > "$T/$name.ior" ||
		fail "iorgen failed on $name.txt"
}

# stream NAME: the fixture text on standard input, into $T/NAME.txt and
# $T/NAME.ior.
stream() {
	cat > "$T/$1.txt"
	"$IOR_BIN/iorgen" "$T/$1.txt" > "$T/$1.ior" ||
		fail "iorgen failed on $1.txt"
}

# agg OUT [ARG...]: ior-agg ARG... with its output in OUT.  Fails the test
# unless it exits 0 and says nothing on standard error.
agg() {
	local out=$1 rc=0

	shift
	"$IOR_BIN/ior-agg" "$@" > "$out" 2> "$out.err" || rc=$?
	((rc == 0)) || fail "ior-agg $* exited $rc: $(cat "$out.err")"
	[ ! -s "$out.err" ] || fail "ior-agg $* said: $(cat "$out.err")"
}

# expect JSON PART FIXTURE... [OPTION...]: nothing of PART of the --json
# document JSON differs from aggtest.py's computation.
expect() {
	run py check "$@"
	assert_success
	assert_output ""
}

# The section header and syscall table of the hand-written fixtures.
prologue() {
	cat <<'TXT'
section anchor=0,1700000000000000000
syscall nr=0 name=read nargs=3
syscall nr=1 name=write nargs=3
syscall nr=40 name=sendfile nargs=4
syscall nr=257 name=openat nargs=4 paths=1
TXT
}

# --- every statistic of --json --------------------------------------------

# The fixtures have 11 syscalls: -n 0 asks for every row in all versions
# (see the test of the default below).

@test "--json syscall rows: count, errors, errno, bytes, latency and gap statistics of the pairs" {
	fixture f --seed 1
	agg "$T/f.json" -n 0 --json "$T/f.ior"
	run jq '.syscalls | length' "$T/f.json"
	assert_output 11
	expect "$T/f.json" syscalls "$T/f.txt"
}

@test "--json process rows: one per pid and comm, a process that execs once per program" {
	fixture f --seed 2
	agg "$T/f.json" -n 0 --json "$T/f.ior"
	expect "$T/f.json" processes "$T/f.txt"
	# Thread 2 (pid 1002) changes its comm half way: two rows.
	run jq -c '[.processes[] | select(.pid == 1002) | .count]' "$T/f.json"
	assert_output '[150,150]'
}

@test "--json file and directory rows: transfers credit their sink, non-files get a pseudo-directory" {
	fixture f --seed 11 --threads 6 --calls 200
	agg "$T/f.json" -n 0 --json "$T/f.ior"
	expect "$T/f.json" files "$T/f.txt"
	expect "$T/f.json" dirs "$T/f.txt"
	# This seed has sendfile pairs, and paths that are not files.
	run jq -c '[.dirs[].dir | select(. == "pipe:" or . == "socket:"
		or . == "anon_inode:" or . == "[other files]" or . == "/")] | sort' \
		"$T/f.json"
	assert_output '["/","[other files]","anon_inode:","pipe:","socket:"]'
	run grep -c 'nr=sendfile' "$T/f.txt"
	refute_output 0
}

@test "--json header and trie: pairs, span, unpaired counts, every node's inclusive totals and classes" {
	fixture f --seed 4 --unpaired 5,6,7
	agg "$T/f.json" -n 0 --json "$T/f.ior"
	expect "$T/f.json" top "$T/f.txt"
	expect "$T/f.json" trie "$T/f.txt"
	agg "$T/g.json" -n 0 --json -f 'comm;pid;tree' -w count "$T/f.ior"
	expect "$T/g.json" trie "$T/f.txt" --fields 'comm;pid;tree' --weight count
	agg "$T/h.json" -n 0 --json -f 'class;dir;errno' -w gap "$T/f.ior"
	expect "$T/h.json" trie "$T/f.txt" --fields 'class;dir;errno' --weight gap
}

@test "errors are counted per errno, restarted calls are no errors, and only known gaps count" {
	stream e < <(prologue; cat <<'TXT'
name kind=comm id=1 value=cat
name kind=path id=1 value=/etc/shadow
pair t=1000 pid=7 nr=openat latency=100 path=1 comm=1 ret=-2
pair t=2000 pid=7 nr=openat latency=200 path=1 comm=1 ret=-13 gap=900 pflags=1
pair t=3000 pid=7 nr=openat latency=300 path=1 comm=1 ret=-2 gap=800 pflags=1
pair t=4000 pid=7 nr=openat latency=400 path=1 comm=1 ret=3 gap=5000
pair t=5000 pid=7 nr=read latency=500 path=1 comm=1 ret=-512 err=0 gap=600 pflags=9
pair t=6000 pid=7 nr=read latency=600 path=1 comm=1 ret=10 bytes=10 gap=500 pflags=3
trailer
TXT
)
	agg "$T/e.json" --json "$T/e.ior"
	run jq -c '.syscalls[] | [.syscall, .count, .errors, .errno, .bytes_read,
		.gap_ns.count, .gap_ns.sum, .gap_ns.min, .gap_ns.max]' "$T/e.json"
	assert_output - <<'TXT'
["read",2,0,{},10,2,1100,500,600]
["openat",4,3,{"ENOENT":2,"EACCES":1},0,2,1700,800,900]
TXT
	run jq -c '.files[] | [.path, .count, .errors, .errno, .gap_ns.count]' "$T/e.json"
	assert_output '["/etc/shadow",6,3,{"ENOENT":2,"EACCES":1},4]'
	run jq -c '.trie.root | [.errors, .gap_ns, .classes]' "$T/e.json"
	assert_output '[3,2800,["read","open/close","error"]]'
}

@test "percentiles are nearest-rank within 1/128: 100 latencies of 1 to 100 us" {
	{
		notrace
		prologue
		echo 'name kind=comm id=1 value=cat'
		for i in $(seq 100 -1 1); do
			echo "pair t=$((i * 1000000)) pid=7 nr=read latency=$((i * 1000)) comm=1"
		done
		echo trailer
	} | stream p
	agg "$T/p.json" --json "$T/p.ior"
	run jq -c '.syscalls[0].latency_ns | [.count, .sum, .min, .max, .mean]' "$T/p.json"
	assert_output '[100,5050000,1000,100000,50500]'
	# Ranks 50, 90, 99 and 100: 50, 90, 99 and 100 us.
	run jq -c '.syscalls[0].latency_ns as $l
		| [["p50", 50000], ["p90", 90000], ["p99", 99000], ["p99.9", 100000]]
		| map(.[0] as $k | .[1] as $x
		      | select(($l[$k] - $x) * 128 | fabs > $x) | [$k, $l[$k], $x])' \
		"$T/p.json"
	assert_output '[]'
}

@test "p99.9 of 1000 calls is the 999th smallest latency, not the largest" {
	{
		notrace
		prologue
		echo 'name kind=comm id=1 value=cat'
		for i in $(seq 1 999); do
			echo "pair t=$((i * 10000)) pid=7 nr=read latency=1000 comm=1"
		done
		echo 'pair t=20000000 pid=7 nr=read latency=1000000 comm=1'
		echo trailer
	} | stream r
	agg "$T/r.json" --json "$T/r.ior"
	# Nearest rank: ceil(99.9 / 100 * 1000) = 999, a latency of 1000 ns.
	run jq -c '.syscalls[0].latency_ns | [.count, .max, .["p99.9"] <= 1008]' "$T/r.json"
	assert_output '[1000,1000000,true]'
}

@test "a bucket counted past 255 and 65535 keeps its exact count, alone or merged from snapshots" {
	# 70000 calls of 2 us on one file, 300 of 100 ns, 5 of 5 ms: counts
	# outgrow 8 and 16 bits in one bucket; the file's row and its
	# directory's (summed from it) must agree with the syscall's.
	{
		notrace
		prologue
		echo 'name kind=comm id=1 value=cat'
		echo 'name kind=path id=1 value=/data/big'
		for _ in $(seq 300); do
			echo 'pair pid=7 nr=read latency=100 gap=50 pflags=1 path=1 comm=1'
		done
		yes 'pair pid=7 nr=read latency=2000 gap=50 pflags=1 path=1 comm=1' |
			head -n 70000
		for _ in 1 2 3 4 5; do
			echo 'pair pid=7 nr=read latency=5000000 path=1 comm=1'
		done
		echo trailer
	} | stream w
	agg "$T/w.json" --json "$T/w.ior"
	run jq -c '[.syscalls[0], .files[0], .dirs[0]] | map(.latency_ns
		| [.count, .min, .max, .p50 >= 1984 and .p50 <= 2016,
		   .["p99.9"] >= 1984 and .["p99.9"] <= 2016]) | unique' \
		"$T/w.json"
	assert_output '[[70305,100,5000000,true,true]]'
	run jq -c '.files[0].gap_ns | [.count, .min, .max]' "$T/w.json"
	assert_output '[70300,50,50]'
	# Split in two snapshots and merged: the same document.
	agg "$T/w.out" -o "$T/w.agg" "$T/w.ior"
	agg "$T/w2.json" --json "$T/w.agg" "$T/w.agg"
	run jq -c '.files[0].latency_ns | [.count, .p50 >= 1984 and .p50 <= 2016]' \
		"$T/w2.json"
	assert_output '[140610,true]'
}

@test "--json lists every row when -n is not given" {
	fixture f --seed 1
	agg "$T/f.json" --json "$T/f.ior"
	run jq -c '[.syscalls, .files] | map(length)' "$T/f.json"
	assert_output '[11,8]'
}

@test "-n ROWS limits every table of --json and of the text report" {
	fixture f --seed 1
	agg "$T/f.json" -n 2 --json "$T/f.ior"
	run jq -c '[.syscalls, .processes, .files, .dirs] | map(length)' "$T/f.json"
	assert_output '[2,2,2,2]'
	# The rows kept are the heaviest by latency.
	agg "$T/all.json" -n 0 --json "$T/f.ior"
	run jq -c '[.syscalls[:2][].syscall]' "$T/all.json"
	assert_output "$(jq -c '[.syscalls[].syscall]' "$T/f.json")"
	agg "$T/f.text" -n 3 --text "$T/f.ior"
	run grep -c '^([0-9]* more; -n 0 shows all)$' "$T/f.text"
	assert_output 4
	agg "$T/all.text" -n 0 --text "$T/f.ior"
	run grep -c 'more; -n 0 shows all' "$T/all.text"
	assert_output 0
}

# --- merging ---------------------------------------------------------------

@test "aggregates merge exactly: ior-agg A B equals the aggregate of both streams concatenated" {
	fixture f1 --seed 1
	# Other pids, later, some loss; name ids 1.. mean other paths.
	fixture f2 --seed 7 --pid 1001 --t0 2000000000 --lost 2 --unpaired 1,0,4
	agg "$T/A" -o "$T/A.agg" "$T/f1.ior"
	agg "$T/B" -o "$T/B.agg" "$T/f2.ior"
	agg "$T/merged.json" -n 0 --json "$T/A.agg" "$T/B.agg"
	cat "$T/f1.ior" "$T/f2.ior" > "$T/both.ior"
	agg "$T/both.json" -n 0 --json "$T/both.ior"
	run diff <(jq -S . "$T/merged.json") <(jq -S . "$T/both.json")
	assert_success
	# jq 1.6 rounds the nanoseconds; compared exactly:
	run diff <(py canon "$T/merged.json") <(py canon "$T/both.json")
	assert_success
	# The same from the snapshots concatenated on stdin, and from a
	# snapshot and a paired stream mixed.
	cat "$T/A.agg" "$T/B.agg" | agg "$T/stdin.json" -n 0 --json
	agg "$T/mixed1.json" -n 0 --json "$T/A.agg" "$T/f2.ior"
	agg "$T/mixed2.json" -n 0 --json "$T/f1.ior" "$T/B.agg"
	for j in stdin mixed1 mixed2; do
		run diff <(py canon "$T/$j.json") <(py canon "$T/both.json")
		assert_success
	done
	for part in top syscalls processes files dirs trie; do
		expect "$T/merged.json" "$part" "$T/f1.txt" "$T/f2.txt"
	done
}

@test "merging the snapshots of a periodic run gives the one-shot aggregate" {
	fixture f --seed 5
	agg "$T/one.json" -n 0 --json "$T/f.ior"
	agg "$T/out" -i 0.01 -o "$T/p.agg" "$T/f.ior"
	# The fixture spans some 60 ms: a snapshot per 10 ms, numbered, the
	# last one final, and their pairs add up.
	dump_json "$T/p.agg"
	run jqs -c '[of("agg_begin")] | [length > 3,
		(map(.sequence) == [range(1; length + 1)]),
		(map([.periodic, .final, .interval_ms]) | unique),
		(last | .final), (map(.pairs) | add)]'
	assert_output '[true,true,[[true,false,10],[true,true,10]],true,1200]'
	agg "$T/merged.json" -n 0 --json "$T/p.agg"
	run diff <(py canon "$T/merged.json" start_ns) <(py canon "$T/one.json" start_ns)
	assert_success
}

@test "-i with --json prints one report per interval, and the reports add up to the whole" {
	fixture f --seed 5
	agg "$T/i.json" -n 0 -i 0.01 --json "$T/f.ior"
	# Exact integers: jq 1.6 would round the nanoseconds.
	run python3 -c 'import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
print(len(docs) > 3, [d["sequence"] for d in docs] == list(range(1, len(docs) + 1)),
      sum(d["pairs"] for d in docs), sum(r["count"] for d in docs for r in d["syscalls"]),
      {d["end_ns"] - d["start_ns"] for d in docs[:-1]},
      all(a["end_ns"] == b["start_ns"] for a, b in zip(docs, docs[1:])))' "$T/i.json"
	assert_output 'True True 1200 1200 {10000000} True'
	# Each interval's report is right about the pairs in it: together,
	# they are the whole.
	run jq -s -c 'map(.files[] | [.path, .count]) | group_by(.[0])
		| map([.[0][0], (map(.[1]) | add)])' "$T/i.json"
	assert_output "$(jq -c '[.files[] | [.path, .count]] | sort' <("$IOR_BIN/ior-agg" -n 0 --json "$T/f.ior"))"
}

@test "idle input: a snapshot every interval of wall time, each covering its interval" {
	fixture f --seed 1
	# The stream, then a second of silence on the pipe.
	(cat "$T/f.ior"; sleep 1.1) | agg "$T/idle.json" -n 0 -i 0.25 --json
	run python3 -c 'import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
print(len(docs) >= 3, [d["pairs"] for d in docs[1:]] == [0] * (len(docs) - 1),
      all(a["end_ns"] == b["start_ns"] for a, b in zip(docs, docs[1:])))' "$T/idle.json"
	assert_output 'True True True'
	run python3 -c 'import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
print([d["end_ns"] >= d["start_ns"] for d in docs])' "$T/idle.json"
	refute_output --partial False
}

@test "the output is the aggregate stream when stdout is not a terminal, unless a report is asked for" {
	fixture f --seed 1
	"$IOR_BIN/ior-agg" "$T/f.ior" | "$IOR_BIN/ior-dump" --json > "$T/piped.json"
	JSON=$T/piped.json
	run jqs -c '[of("agg_begin") | [.pairs, .final]]'
	assert_output '[[1200,true]]'
	run jqs -c '[of("trailer")] | length'
	assert_output 1
	# Whoever reads: cat gets the stream too.
	"$IOR_BIN/ior-agg" "$T/f.ior" | cat > "$T/cat.agg"
	dump_json "$T/cat.agg"
	run jqs -c '[of("agg_begin") | .pairs]'
	assert_output '[1200]'
	"$IOR_BIN/ior-agg" --text "$T/f.ior" | cat > "$T/cat.text"
	run head -1 "$T/cat.text"
	assert_output --partial 'ior-agg: 1,200 syscalls from '
	# -o - writes the stream to stdout whatever it is.
	agg "$T/dash.agg" -o - "$T/f.ior"
	dump_json "$T/dash.agg"
	run jqs -c '[of("agg_begin") | .pairs]'
	assert_output '[1200]'
}

# --- folded ----------------------------------------------------------------

# folded NAME FIELDS WEIGHT [ARG...]: ior-agg --folded -f FIELDS -w WEIGHT
# ARG... of $T/NAME.ior, sorted bytewise, against aggtest.py's lines.
folded() {
	local name=$1 fields=$2 weight=$3

	shift 3
	agg "$T/$name.folded" --folded -f "$fields" -w "$weight" "$@" "$T/$name.ior"
	LC_ALL=C sort "$T/$name.folded" > "$T/$name.sorted"
	py folded "$fields" "$weight" "$T/$name.txt" > "$T/$name.expected"
	run diff "$T/$name.expected" "$T/$name.sorted"
	assert_success
	run wc -l < "$T/$name.expected"
	refute_output 0
}

@test "--folded, default fields and weight: a line per comm;syscall;path, weighing its latency" {
	fixture f --seed 1
	agg "$T/default.folded" --folded "$T/f.ior"
	LC_ALL=C sort "$T/default.folded" > "$T/default.sorted"
	run diff <(py folded 'comm;syscall;path' latency "$T/f.txt") "$T/default.sorted"
	assert_success
	# The lines weigh all the latency there is.
	run awk '{ s += $NF } END { printf "%d\n", s }' "$T/default.folded"
	assert_output "$(py total latency "$T/f.txt")"
}

@test "--folded -w count with -f comm;pid;tree: one frame per directory level" {
	fixture f --seed 2
	folded f 'comm;pid;tree' count
	run grep -c '^[^;]*;pid [0-9]*;/var/;lib/;db/;base/;16384/;26[0-9]* [0-9]*$' "$T/f.folded"
	refute_output 0
}

@test "--folded -f syscall;errno with -w count and -w errors, class;dir;base by bytes, flags;syscall by gap" {
	fixture f --seed 3
	folded f 'syscall;errno' count
	run grep -c ';ENOENT ' "$T/f.folded"
	refute_output 0
	folded f 'syscall;errno' errors
	run grep -c ';ok ' "$T/f.folded"
	assert_output 0
	folded f 'class;dir;base' bytes
	folded f 'flags;syscall' gap
	folded f 'pid;tid;dir2;base' latency
	folded f 'comm;path' read
	folded f 'comm;path' write
}

@test "--folded escapes ';', '\\', control characters and bad UTF-8 as \\xNN; --json and the text report keep the bytes" {
	stream h < <(prologue; cat <<'TXT'
name kind=comm id=1 value="x;y\\z"
name kind=path id=1 value="/tmp/a;b\nc\\d\xff\x7f\xc3\xa9/e;f\xc0\xaf"
pair t=1000 pid=7 nr=openat latency=700 path=1 comm=1 ret=3
pair t=3000 pid=7 nr=write latency=300 path=1 comm=1 bytes=5 pflags=5 ret=5 gap=10
trailer
TXT
)
	agg "$T/h.folded" --folded "$T/h.ior"
	assert_equal "$(LC_ALL=C sort "$T/h.folded")" \
'x\x3by\x5cz;openat;/tmp/a\x3bb\x0ac\x5cd\xff\x7fé/e\x3bf\xc0\xaf 700
x\x3by\x5cz;write;/tmp/a\x3bb\x0ac\x5cd\xff\x7fé/e\x3bf\xc0\xaf 300'
	agg "$T/t.folded" --folded -f 'syscall;tree' -w count "$T/h.ior"
	assert_equal "$(LC_ALL=C sort "$T/t.folded")" \
'openat;/tmp/;a\x3bb\x0ac\x5cd\xff\x7fé/;e\x3bf\xc0\xaf 1
write;/tmp/;a\x3bb\x0ac\x5cd\xff\x7fé/;e\x3bf\xc0\xaf 1'
	# JSON: a byte that is not UTF-8 reads back as U+00NN.
	agg "$T/h.json" --json "$T/h.ior"
	run jq '[.files[].path, .dirs[].dir, .processes[].comm]
		== ["/tmp/a;b\nc\\d\u00ff\u007fé/e;f\u00c0\u00af", "/tmp/a;b\nc\\d\u00ff\u007fé", "x;y\\z"]' "$T/h.json"
	assert_output true
	# The text report quotes paths with C escapes; valid UTF-8 stays.
	agg "$T/h.text" --text "$T/h.ior"
	run grep -cF '"/tmp/a;b\nc\\d\xff\x7fé/e;f\xc0\xaf"' "$T/h.text"
	assert_output 1
	# Hostile paths among the random ones.
	fixture r --seed 6 --hostile
	folded r 'comm;syscall;path' latency
	folded r 'syscall;tree' count
	agg "$T/r.json" -n 0 --json "$T/r.ior"
	expect "$T/r.json" files "$T/r.txt"
	expect "$T/r.json" dirs "$T/r.txt"
}

# --- the bound on the trie -------------------------------------------------

@test "-N bounds the trie: [other] frames appear and the folded weights still sum to the total" {
	fixture f --seed 1
	for n in 8 20 50; do
		for w in latency count; do
			agg "$T/b.folded" --folded -N "$n" -w "$w" "$T/f.ior"
			run grep -c '\[other\] [0-9]*$' "$T/b.folded"
			refute_output 0
			# Every line is a stack of the input no heavier than its
			# exact weight, or a prefix of one and [other]; the sum
			# is exact.
			run py bounded 'comm;syscall;path' "$w" "$T/b.folded" "$T/f.txt"
			assert_output ""
			agg "$T/b.json" --json -N "$n" -w "$w" "$T/f.ior"
			run jq -c --argjson n "$n" '.trie | [.max_nodes == $n, .nodes <= $n, .root.weight]' "$T/b.json"
			assert_output "[true,true,$(py total "$w" "$T/f.txt")]"
		done
	done
	# Bounded snapshots merge into a bounded trie with exact totals.
	fixture g --seed 7 --pid 1001
	agg "$T/A" -N 20 -o "$T/A.agg" "$T/f.ior"
	agg "$T/B" -N 20 -o "$T/B.agg" "$T/g.ior"
	agg "$T/m.folded" --folded -N 20 "$T/A.agg" "$T/B.agg"
	run py bounded 'comm;syscall;path' latency "$T/m.folded" "$T/f.txt" "$T/g.txt"
	assert_output ""
}

@test "-m PERCENT folds every stack lighter than that share into [other], the totals exact" {
	fixture f --seed 1
	for m in 0.5 2 10; do
		for w in latency count bytes; do
			agg "$T/m.folded" --folded -m "$m" -w "$w" "$T/f.ior"
			run diff <(py folded 'comm;syscall;path' "$w" "$T/f.txt" --min-share "$m") \
				<(LC_ALL=C sort "$T/m.folded")
			assert_success
			run grep -c '\[other\]' "$T/m.folded"
			refute_output 0
			run awk '{ s += $NF } END { printf "%d\n", s }' "$T/m.folded"
			assert_output "$(py total "$w" "$T/f.txt")"
		done
	done
	# With 10%, at most 10 stacks weigh in on their own.
	run grep -vc '\[other\]' "$T/m.folded"
	assert [ "$output" -le 10 ]
}

# --- the formats -----------------------------------------------------------

@test "--json is one line of valid JSON with the documented fields" {
	fixture f --seed 1
	agg "$T/f.json" --json "$T/f.ior"
	run wc -l < "$T/f.json"
	assert_output 1
	run jq -e '
		def hist: keys == (["count","sum","min","mean","p50","p90","p99","p99.9","max"] | sort)
			and all(.[]; type == "number");
		def row($k): (keys - [$k, "pid"]) == (["count","errors","errno","bytes_read",
			"bytes_written","latency_ns","gap_ns"] | sort)
			and (.[$k] | type == "string")
			and (.errno | type == "object") and (.latency_ns | hist) and (.gap_ns | hist);
		def node: keys == (["name","weight","count","errors","latency_ns","gap_ns",
			"bytes_read","bytes_written","classes","children"] | sort)
			and all(.children[]; node);
		keys == (["version","start_ns","end_ns","pairs","loss","histograms","hosts",
			"syscalls","processes","files","dirs","trie"] | sort)
		and all(.hosts[]; row("host")) and (.hosts | map(.count) | add) == 1200
		and .version == 1 and .pairs == 1200 and .start_ns < .end_ns
		and (.loss | keys == (["lost_events","unmatched_exits","unmatched_enters",
			"fd_unknown","truncated"] | sort) and .truncated == false)
		and .histograms == {"relative_error":0.0078125,"percentile":"nearest-rank"}
		and all(.syscalls[]; row("syscall")) and all(.files[]; row("path"))
		and all(.dirs[]; row("dir"))
		and all(.processes[]; row("comm") and (.pid | type == "number"))
		and (.trie | keys == ["fields","max_nodes","nodes","root","weight"]
			and .fields == ["comm","syscall","path"] and .weight == "latency"
			and .max_nodes == 20000 and .root.name == "all" and (.root | node))' \
		"$T/f.json"
	assert_success
}

@test "the text report: syscall count, span, the loss line and the tables" {
	fixture f --seed 1
	agg "$T/f.text" -n 0 --text "$T/f.ior"
	run head -2 "$T/f.text"
	assert_line -n 0 --regexp '^ior-agg: 1,200 syscalls from 2023-11-14 22:13:21\.[0-9]{3} to 22:13:21\.[0-9]{3} \('
	assert_line -n 1 'lost: 0 events'
	for title in SYSCALL 'PROCESS (PID COMM)' FILE DIRECTORY 'GAP BEFORE' 'HEAVIEST STACKS'; do
		run grep -c "$title" "$T/f.text"
		refute_output 0
	done
	# A row per syscall with its count.
	run awk '/^SYSCALL /, /^$/ { if ($1 != "SYSCALL" && NF) print $1, $2 }' "$T/f.text"
	assert_output "$(jq -r '.syscalls[] | "\(.syscall) \(.count)"' <(
		"$IOR_BIN/ior-agg" -n 0 --json "$T/f.ior"))"
}

@test "lost events are reported by every format, and counted once" {
	# A loss record of 7, and ior-pair's totals saying the same 7.
	fixture l --seed 3 --lost 7 --unpaired 3,2,4
	agg "$T/l.text" --text "$T/l.ior"
	run grep -E '^(LOST|unpaired):' "$T/l.text"
	assert_output - <<'TXT'
LOST: 7 events were lost by the kernel; the figures below miss them
unpaired: 3 exits without enter, 2 enters without exit; 4 pairs on fds of unknown files
TXT
	agg "$T/l.json" --json "$T/l.ior"
	run jq -c .loss "$T/l.json"
	assert_output '{"lost_events":7,"unmatched_exits":3,"unmatched_enters":2,"fd_unknown":4,"truncated":false}'
	run --separate-stderr "$IOR_BIN/ior-agg" --folded -w count "$T/l.ior"
	assert_success
	assert_equal "${lines[-1]}" '[lost 7 events] 7'
	assert_equal "$stderr" 'ior-agg: warning: 7 events lost; the stacks miss them'
	run --separate-stderr "$IOR_BIN/ior-agg" --folded "$T/l.ior"
	assert_equal "${lines[-1]}" '[lost 7 events] 0'
	assert_equal "$(grep -c 'lost 7' <<< "$output")" 1
	assert_equal "$stderr" 'ior-agg: warning: 7 events lost; the stacks miss them'
	agg "$T/out" -o "$T/l.agg" "$T/l.ior"
	dump_json "$T/l.agg"
	run jqs -c '[of("agg_begin") | [.lost, .unmatched_exits, .unmatched_enters, .fd_unknown, .truncated]]'
	assert_output '[[7,3,2,4,false]]'
	run jqs -c 'trailer.lost'
	assert_output 7
	agg "$T/back.json" --json "$T/l.agg"
	run jq -c .loss "$T/back.json"
	assert_output '{"lost_events":7,"unmatched_exits":3,"unmatched_enters":2,"fd_unknown":4,"truncated":false}'
}

# --- bad input -------------------------------------------------------------

# pair_offset FILE K: the offset of the K-th pair record (from 0) of FILE.
pair_offset() {
	"$IOR_BIN/ior-dump" --json "$1" |
		jq -s --argjson k "$2" '[.[] | select(.type == "pair")][$k].offset'
}

@test "a stream cut in a record: exit 1, one line naming the offset, and the report of the pairs before it" {
	fixture f --seed 1
	off=$(pair_offset "$T/f.ior" 100)
	head -c $((off + 40)) "$T/f.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" -n 0 --json "$T/cut.ior"
	assert_failure 1
	# "ior-agg: NAME: what at offset N", one line.
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/cut.ior: "*truncated*"at offset $off"* ]] ||
		fail "the error line: $stderr"
	echo "$output" > "$T/cut.json"
	run jq -c '[.pairs, .loss.truncated]' "$T/cut.json"
	assert_output '[100,true]'
	for part in syscalls processes files dirs trie; do
		expect "$T/cut.json" "$part" "$T/f.txt" --first 100
	done
	# The text report says so too.
	run --separate-stderr "$IOR_BIN/ior-agg" --text "$T/cut.ior"
	assert_failure 1
	assert_line -n 0 --partial 'ior-agg: 100 syscalls'
	assert_line 'TRUNCATED: the input ended without its trailer'
}

@test "a stream without its trailer, or damaged in the middle: exit 1, one line, truncated=true" {
	fixture f --seed 1
	off=$(pair_offset "$T/f.ior" 100)
	head -c "$off" "$T/f.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/cut.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/cut.ior: "*"at offset $off"*trailer* ]] ||
		fail "the error line: $stderr"
	run jq -c '[.pairs, .loss.truncated]' <<< "$output"
	assert_output '[100,true]'
	# A record's size of 3 bytes in the middle: the pairs before count.
	cp "$T/f.ior" "$T/bad.ior"
	printf '\003\000\000\000' |
		dd of="$T/bad.ior" bs=1 seek=$((off + 4)) conv=notrunc status=none
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/bad.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/bad.ior: "*length*"at offset $off"* ]] ||
		fail "the error line: $stderr"
	run jq -c '[.pairs, .loss.truncated]' <<< "$output"
	assert_output '[100,true]'
}

@test "-o of a truncated input: the snapshot is marked truncated and has no trailer" {
	fixture f --seed 1
	off=$(pair_offset "$T/f.ior" 100)
	head -c $((off + 40)) "$T/f.ior" > "$T/cut.ior"
	run --separate-stderr "$IOR_BIN/ior-agg" -o "$T/cut.agg" "$T/cut.ior"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	run --separate-stderr "$IOR_BIN/ior-dump" --json "$T/cut.agg"
	assert_failure
	run jq -s -c '[.[] | select(.type != "agg_stat" and .type != "agg_node")
		| [.type, .pairs, .truncated]]' <<< "$output"
	assert_output '[["section",null,null],["agg_begin",100,true],["agg_end",null,null]]'
	# Read back, the aggregate still says it is truncated.
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/cut.agg"
	run jq -c '[.pairs, .loss.truncated]' <<< "$output"
	assert_output '[100,true]'
}

@test "a raw capture stream is refused with a hint to pipe it through ior-pair" {
	stream raw <<'TXT'
section anchor=1,1
syscall nr=0 name=read nargs=3
process pid=10 comm=sh exe=/bin/sh cwd=/
snapshot_end
enter t=1000 pid=10 nr=read args=0,0,10
exit t=1500 pid=10 nr=read ret=10
trailer
TXT
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/raw.ior"
	assert_failure
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/raw.ior: "*ior-pair* ]] ||
		fail "the error line: $stderr"
	run --separate-stderr "$IOR_BIN/ior-agg" < "$T/raw.ior"
	assert_failure
	[[ $stderr == *"<stdin>"*ior-pair* ]]
}

@test "garbage and empty input: a non-zero exit and one error line" {
	python3 -c 'import random, sys; r = random.Random(9)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(5000)))' > "$T/garbage"
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$T/garbage"
	assert_failure
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/garbage: not an ior stream"*"offset 0"* ]] ||
		fail "the error line: $stderr"
	printf 'hello\nworld\n' > "$T/text"
	run --separate-stderr "$IOR_BIN/ior-agg" "$T/text"
	assert_failure
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $T/text: not an ior stream"* ]] ||
		fail "the error line: $stderr"
	run --separate-stderr "$IOR_BIN/ior-agg" < /dev/null
	assert_failure
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: <stdin>: "*"not an ior stream"* ]] ||
		fail "the error line: $stderr"
}

@test "--threads 2 (a second thread adds the rows) writes byte for byte what --threads 1 does" {
	fixture f1 --seed 3 --threads 8 --calls 400
	fixture f2 --seed 9 --pid 1001 --t0 2000000000 --lost 2 --unpaired 1,0,4
	# Two hosts of 5000 files each: more file rows than a batch of
	# updates holds, and the table grown while the worker adds to it.
	for h in alpha beta; do
		awk -v host=$h 'BEGIN {
			srand(length(host))
			print "section anchor=1000000,1700000000000000000 host=" host
			print "syscall name=read"
			print "syscall name=write"
			for (i = 1; i <= 5000; i++)
				print "name kind=path id=" i " value=/srv/" host "/d" (i % 37) "/f" i
			print "name kind=comm id=1 value=cat"
			t = 1000000
			for (k = 0; k < 12000; k++) {
				lat = int(exp(rand() * 14)) + 50
				b = int(rand() * 65536)
				print "pair t=" t " pid=7 nr=" (rand() < 0.5 ? "read" : "write") \
				      " latency=" lat " gap=" int(exp(rand() * 10)) " comm=1" \
				      " path=" (int(rand() * 5000) + 1) " ret=" b " bytes=" b \
				      " pflags=" (rand() < 0.5 ? 3 : 5)
				t += lat + 1000
			}
			print "pair_totals"
			print "trailer"
		}' > "$T/$h.txt"
		"$IOR_BIN/iorgen" "$T/$h.txt" > "$T/$h.ior" || fail "iorgen $h"
	done
	agg "$T/out" --threads 1 -o "$T/A.agg" "$T/f1.ior"
	for opts in "-n 0 --json" "-n 0 --text" "--by host --json" "-i 0.005 --json" \
		    "-w bytes -n 3 --text" "-F class==read -n 0 --text"; do
		for t in 1 2; do
			agg "$T/out.$t" --threads $t $opts "$T/f1.ior" "$T/alpha.ior" \
				"$T/A.agg" "$T/beta.ior" "$T/f2.ior" "$T/alpha.ior"
		done
		cmp "$T/out.1" "$T/out.2" || fail "--threads 2 $opts differs"
	done
	# From stdin, and as a snapshot stream (the same command line).
	cat "$T/alpha.ior" "$T/f2.ior" | "$IOR_BIN/ior-agg" --threads 2 -n 0 --json > "$T/in.2"
	cat "$T/alpha.ior" "$T/f2.ior" | "$IOR_BIN/ior-agg" --threads 1 -n 0 --json > "$T/in.1"
	cmp "$T/in.1" "$T/in.2"
	for t in 1 2; do
		"$IOR_BIN/ior-agg" --threads $t -o "$T/s.$t" "$T/alpha.ior" "$T/beta.ior"
		"$IOR_BIN/ior-dump" --json "$T/s.$t" | grep -v '"type":"section"' |
			grep -v '"type":"trailer"' > "$T/s.$t.json"
	done
	cmp "$T/s.1.json" "$T/s.2.json"
	[ "$(grep -c '"type":"agg_stat"' "$T/s.1.json")" -gt 9000 ]
}

@test "bad options: exit 2 with a message" {
	fixture f --seed 1
	for args in "-w bogus" "-N 2" "-f comm;nonsense" "-i 1 --folded" "-m -1" "-i 0" \
		    "--threads 3" "--threads 0"; do
		run --separate-stderr "$IOR_BIN/ior-agg" $args "$T/f.ior"
		assert_failure 2
		[[ $stderr == ior-agg:* ]] || fail "ior-agg $args said: $stderr"
		assert_output ""
	done
}

# --- live ------------------------------------------------------------------

# live: capture the workload in $T/work, pair and aggregate: $T/live.json,
# and $JSON (for jqs) the paired stream; P and K the workload's pids.
live() {
	require_bpf
	mkdir -p "$T/work"
	W=$T/work
	capture -- "$IOR_BIN/workload" "$W" 3>&- ||
		fail "ior-capture exited $?: $(cat "$T/capture.err")"
	"$IOR_BIN/ior-pair" < "$STREAM" > "$T/live.pair" ||
		fail "ior-pair exited $?"
	"$IOR_BIN/ior-pair" < "$STREAM" | "$IOR_BIN/ior-agg" -n 0 --json > "$T/live.json" 2> "$T/agg.err" ||
		fail "ior-agg exited $?: $(cat "$T/agg.err")"
	[ ! -s "$T/agg.err" ] || fail "ior-agg said: $(cat "$T/agg.err")"
	dump_json "$T/live.pair"
	workload_pids
}

@test "live: the workload's files with the bytes it wrote and read, its errors and its process" {
	live
	# tests/workload.c: 4096 + 4096 + 100 bytes written to data.bin, read
	# back as 8 * 1000 + 292, then 512 by pread64 and 1 through the dup.
	run jq -c --arg w "$W" '[.files[] | select(.path | startswith($w + "/"))
		| [.path[($w | length) + 1:], .errors, .errno, .bytes_read, .bytes_written]]
		| sort' "$T/live.json"
	assert_output '[["child.txt",0,{},0,12345],["data.bin",0,{},8805,8292],["does-not-exist",1,{"ENOENT":1},0,0],["inherited.txt",0,{},0,17]]'
	run jq -c --arg w "$W" '.dirs[] | select(.dir == $w) | [.bytes_read, .bytes_written, .errors]' "$T/live.json"
	assert_output '[8805,20654,1]'
	# Counts and latency sums are those of the pairs on each file.
	for name in data.bin child.txt inherited.txt; do
		run jq -c --arg p "$W/$name" '.files[] | select(.path == $p)
			| [.count, .latency_ns.sum, .latency_ns.min, .latency_ns.max]' "$T/live.json"
		assert_output "$(jqs -c --arg p "$W/$name" '[of("pair") | select(.path == $p) | .latency_ns]
			| [length, add, min, max]')"
	done
	# The workload and its child, each a process row of all its pairs.
	for pid in "$P" "$K"; do
		run jq -c --argjson p "$pid" '[.processes[] | select(.pid == $p) | [.comm, .count]]' "$T/live.json"
		assert_output "$(jqs -c --argjson p "$pid" '[of("pair") | select(.pid == $p)] | [["workload", length]]')"
	done
	run jq -c '[.pairs, .loss]' "$T/live.json"
	assert_output "$(jqs -c '[[of("pair")] | length, {lost_events: 0, unmatched_exits: 0, unmatched_enters: 0, fd_unknown: 0, truncated: false}]')"
}

@test "live: ior-agg refuses the raw capture and names ior-pair" {
	require_bpf
	mkdir -p "$T/work"
	capture -- "$IOR_BIN/workload" "$T/work" 3>&- ||
		fail "ior-capture exited $?: $(cat "$T/capture.err")"
	run --separate-stderr "$IOR_BIN/ior-agg" --json "$STREAM"
	assert_failure
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "ior-agg: $STREAM: "*ior-pair* ]] ||
		fail "the error line: $stderr"
}
