/* SPDX-License-Identifier: MIT */
/*
 * iorgen - write an ior stream described by a short text, for tests.
 *
 * Reads FILE (or standard input), one record per line, and writes the
 * stream to standard output through lib/stream.h, so fixtures are made by
 * the same code as real streams and never hand-edited as hex.  usage()
 * below is the syntax reference.  Errors name the input line and exit 2.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"
#include "syscalls.h"

static const char usage_text[] =
"usage: iorgen [FILE]\n"
"\n"
"One record per line; '#' starts a comment; blank lines are ignored.\n"
"  section [anchor=CLOCK,REALTIME] [version=MAJ.MIN] [byte_order=N] [pid=N]\n"
"          [clock=N]                  (no anchor: both clocks read now)\n"
"          [tool= cmdline= host= release= kversion= machine=]  (strings in\n"
"          place of this program's and this machine's)\n"
"  syscall nr=N|name=S [nargs=6] [family=NAME|N] [paths=I,..] [missing]\n"
"          [flags=N]                  (nr, name, family default from each other)\n"
"  process pid= [ppid=0 uid=0 threads=1 comm= exe= cwd= cmdline=]\n"
"  fd pid= fd= [path= flags=0 pos=0]\n"
"  snapshot_end [processes=N fds=N]   (default: counts in this section)\n"
"  enter pid= [tid=PID] nr=N|NAME [args=A,..] [nargs=N] [strI=S ..]\n"
"          (strI: a string read from argument I; nargs defaults to the\n"
"          syscall line's, else to the count of args)\n"
"  exit pid= [tid=PID] nr=N|NAME [ret=0|-ENAME]\n"
"  uring_submit pid= [tid=PID] op=N ring=N req=N [user_data=0 flags=0]\n"
"          [args=FD,-1,0] [nargs=3] [str1=PATH]   (an io_uring request)\n"
"  uring_complete pid= [tid=PID] op=N ring=N req=N [res=0|-ENAME]\n"
"          [cflags=0 exec_tid=TID]\n"
"  task_new parent= [parent_tid=] child= [child_tid=] [flags=0] [comm=]\n"
"  exec pid= [old_tid=PID] [file=] [comm=basename of file]\n"
"  task_exit pid= [tid=PID] [code=0] [last]\n"
"  comm pid= [tid=PID] comm=\n"
"  loss [cpu=0] lost=N [total=running sum of this cpu]\n"
"  miss missed=N [total=running sum] [program=S]  (skipped program runs)\n"
"  name [kind=path|comm|N] id=N value=S    (an interned string)\n"
"  pair pid= [tid=PID] nr=N|NAME [ret=0 latency=0 gap=0 bytes=0 path=ID\n"
"          path2=ID comm=ID fd=-1 flags=0 err=-ret family=of nr pflags=0\n"
"          seq=1, 2, ... in this section]\n"
"  pair_totals [pairs=N unmatched_exits=0 unmatched_enters=0 lost=0\n"
"          fd_unknown=0]              (pairs: counted in this section)\n"
"  filter [seen=0 kept=0 expr=S]      (a filter's provenance)\n"
"  trailer [records= events= lost= missed=]  (default: counted in this\n"
"          section)\n"
"          [reason=end|signal|duration|command|target|N] [status=0]\n"
"  agg_begin [fields=comm;syscall;path sequence=1 stats=0 nodes=0 pairs=0\n"
"          lost=0 start=0 end=0 interval=0 max_nodes=0 weight=0] [final]\n"
"          [periodic] [cut_short]     (stats=, nodes=: of the snapshot)\n"
"  agg_stat kind=syscall|process|file|dir|N key=S [pid=0 count=0 errors=0\n"
"          read=0 written=0]          (no errnos, empty histograms)\n"
"  agg_node [parent=0] label=S [count=0 errors=0 latency=0]\n"
"  agg_end [sequence=1]\n"
"  record type=N [fill=HEX]           (any type, body of fill bytes)\n"
"  raw HEX|\"STRING\" ...               (bytes as they are, no framing)\n"
"Records with a time take t=NS (default: the previous t + 1000).  All but\n"
"section and raw take misc=N, len=N (bytes on the wire: cut, or zero-padded)\n"
"and size=N (the frame's size field only, to lie; section takes size= too).\n"
"Strings are written in line order, only those given; truncated=KEY,.. and\n"
"fault=KEY,.. flag them; overlong=KEY,.. writes them whole past the\n"
"IOR_STRING_MAX bytes a producer may write (up to 65535).  Numbers are C literals (0x.., 0.. octal) and may\n"
"be negative.  Values may be \"quoted\" with the escapes \\n \\t \\r \\\\ \\\"\n"
"\\xNN and \\0 (one NUL byte).  The section header names the tool iorgen,\n"
"its command line and this machine, like any producer's.\n";

#define MAX_TOKENS 512
#define MAX_SYSCALLS 1024
#define MAX_CPUS 1024

struct token {
	const char *key;        /* "" for a bare quoted string */
	unsigned char *val;     /* NULL for a bare word; NUL-terminated */
	size_t len;
	bool used;
};

static const char *input_name = "<stdin>";
static unsigned long lineno;
static struct token tok[MAX_TOKENS];
static int ntok;

static struct stream_writer out;
static _Alignas(8) unsigned char rec[IOR_RECORD_MAX];
static uint64_t missed_sum;     /* miss records in this section */

/* State that gives defaults to later lines. */
static uint64_t clock_ns;       /* t of the last timed record */
static struct {
	uint32_t nr;
	uint8_t nargs;
	char name[64];
} sysnames[MAX_SYSCALLS];
static int nsysnames;
static uint64_t events, lost_sum, nprocesses, nfds, npairs;     /* section */
static uint64_t cpu_total[MAX_CPUS];

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iorgen: %s:%lu: ", input_name, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Decode the quoted string at p into t, in place; returns what follows. */
static char *
unquote(char *p, struct token *t)
{
	unsigned char *o = (unsigned char *)p;

	t->val = o;
	for (p++;;) {
		int c = (unsigned char)*p++;

		if (c == '\0')
			fail("unterminated string");
		if (c == '"')
			break;
		if (c == '\\') {
			switch (c = (unsigned char)*p++) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case '\\': case '"': break;
			case 'x':
				if (!isxdigit((unsigned char)p[0]) ||
				    !isxdigit((unsigned char)p[1]))
					fail("bad \\x escape");
				c = hexval(p[0]) * 16 + hexval(p[1]);
				p += 2;
				break;
			default:
				fail("unknown escape \\%c", c ? c : '0');
			}
		}
		*o++ = c;
	}
	t->len = o - t->val;
	*o = '\0';      /* the quotes were dropped, so o is before p */
	if (*p != '\0' && !isspace((unsigned char)*p))
		fail("junk after closing quote");
	return p;
}

/* Split a line into words, key=value and key="quoted" tokens. */
static void
tokenize(char *p)
{
	for (ntok = 0;;) {
		struct token *t;
		char *start;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			return;
		if (ntok == MAX_TOKENS)
			fail("more than %d fields", MAX_TOKENS);
		t = &tok[ntok++];
		*t = (struct token){ .key = "" };
		if (*p != '"') {
			for (start = p; *p && *p != '=' && !isspace((unsigned char)*p); p++)
				;
			t->key = start;
			if (*p != '=') {        /* a bare word */
				if (*p)
					*p++ = '\0';
				continue;
			}
			*p++ = '\0';
		}
		if (*p == '"') {
			p = unquote(p, t);
			continue;
		}
		for (t->val = (unsigned char *)p; *p && !isspace((unsigned char)*p); p++)
			;
		t->len = p - (char *)t->val;
		if (*p)
			*p++ = '\0';
	}
}

/* The token key=... (want_value) or the bare word key, or NULL. */
static struct token *
get(const char *key, bool want_value)
{
	struct token *found = NULL;

	for (int i = 1; i < ntok; i++) {
		if (strcmp(tok[i].key, key) != 0)
			continue;
		if (found != NULL)
			fail("%s given twice", key);
		found = &tok[i];
	}
	if (found == NULL)
		return NULL;
	if ((found->val != NULL) != want_value)
		fail(want_value ? "%s needs a value" : "%s takes no value", key);
	found->used = true;
	return found;
}

static uint64_t
parse_num(const char *key, const char *s, size_t len, int bits)
{
	bool neg = len > 0 && s[0] == '-';
	const char *d = s + neg;
	uint64_t v;
	char *end;

	if (d < s + len && *d == 'E') {         /* -ENOENT */
		int e;

		for (e = 1; e < 4096; e++)
			if (strerrorname_np(e) != NULL &&
			    strlen(strerrorname_np(e)) == len - neg &&
			    memcmp(strerrorname_np(e), d, len - neg) == 0)
				break;
		if (e == 4096)
			fail("%s: unknown errno name %.*s", key, (int)len, s);
		v = e;
	} else {
		errno = 0;
		v = strtoull(d, &end, 0);
		if (d == s + len || !isdigit((unsigned char)*d) || errno ||
		    end != s + len)
			fail("%s: bad number \"%.*s\"", key, (int)len, s);
	}
	if (neg ? v > 1ull << (bits - 1) : bits < 64 && v >> bits)
		fail("%s: %.*s does not fit in %d bits", key, (int)len, s, bits);
	return neg ? -v : v;
}

/* Parse key=A<sep>B<sep>... into v; returns the count. */
static int
parse_list(const struct token *t, uint64_t *v, int max, int bits, char sep)
{
	const char *p = (const char *)t->val, *end = p + t->len;
	int n = 0;

	while (p < end) {
		const char *q = memchr(p, sep, end - p);

		if (q == NULL)
			q = end;
		if (n == max)
			fail("%s: more than %d values", t->key, max);
		v[n++] = parse_num(t->key, p, q - p, bits);
		p = q + (q < end);
	}
	return n;
}

static uint64_t
num(const char *key, uint64_t def, int bits)
{
	struct token *t = get(key, true);

	return t ? parse_num(key, (const char *)t->val, t->len, bits) : def;
}

static uint64_t
need(const char *key, int bits)
{
	struct token *t = get(key, true);

	if (t == NULL)
		fail("%s= is required", key);
	return parse_num(key, (const char *)t->val, t->len, bits);
}

/* The record's time: t=, else 1000 after the previous record's. */
static uint64_t
when(void)
{
	return clock_ns = num("t", clock_ns + 1000, 64);
}

/* A syscall number: a number, or a name from the stream's table or ours. */
static uint32_t
syscall_by(const char *key)
{
	struct token *t = get(key, true);
	const char *name;

	if (t == NULL)
		fail("%s= is required", key);
	name = (const char *)t->val;
	if (isdigit((unsigned char)name[0]))
		return parse_num(key, name, t->len, 32);
	for (int i = 0; i < nsysnames; i++)
		if (strcmp(sysnames[i].name, name) == 0)
			return sysnames[i].nr;
	if (syscall_nr(name) < 0)
		fail("%s: unknown syscall %s", key, name);
	return syscall_nr(name);
}

/* family= by name or number, else the family of the syscall called name. */
static uint8_t
family(const char *name)
{
	struct token *t = get("family", true);
	int f;

	if (t == NULL)
		return name ? syscall_family(name) : IOR_FAMILY_OTHER;
	if ((f = family_by_name((char *)t->val)) >= 0)
		return f;
	return parse_num("family", (char *)t->val, t->len, 8);
}

/*
 * Fill comm[16] from comm= (at most 16 bytes), else from the base name of
 * path cut to 15 bytes, as the kernel names a task after exec.
 */
static void
set_comm(uint8_t *comm, const struct token *path)
{
	const struct token *t = get("comm", true);
	const unsigned char *p = (const unsigned char *)"", *slash;
	size_t len = 0;

	if (t != NULL || path != NULL) {
		p = t ? t->val : path->val;
		len = t ? t->len : path->len;
	}
	if (t == NULL && (slash = memrchr(p, '/', len)) != NULL) {
		len -= slash + 1 - p;
		p = slash + 1;
	}
	if (t != NULL && len > IOR_COMM_LEN)
		fail("comm: longer than %d bytes", IOR_COMM_LEN);
	memcpy(comm, p, t == NULL && len >= IOR_COMM_LEN ? IOR_COMM_LEN - 1 : len);
}

/* Start building a record of type in rec: frame and zeroed fixed part. */
static void *
start(uint16_t type, uint16_t misc, uint32_t fixed)
{
	struct ior_record *h = (void *)rec;

	memset(rec, 0, fixed);
	h->type = type;
	h->misc = misc;
	h->size = fixed;
	return rec;
}

/* Whether key is one of the comma-separated names of list=. */
static bool
listed(const struct token *list, const char *key)
{
	const char *p = list ? (const char *)list->val : "";
	size_t n = strlen(key);

	for (; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, key, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/*
 * Append the line's string tokens to rec at *off, in line order: those
 * named in keys (tag = index), or strI (tag I) when keys is NULL.  The names
 * in truncated= and fault= set those flags.  Returns the count.
 */
/* A string written whole, as record_add_string() would not past the limit. */
static void
add_whole_string(uint32_t *off, const struct token *t, uint8_t tag,
		 uint8_t flags)
{
	struct ior_string h = { (uint16_t)t->len, flags, tag };

	if (t->len > UINT16_MAX)
		fail("%s: longer than %u bytes", t->key, UINT16_MAX);
	memcpy(rec + *off, &h, sizeof(h));
	memcpy(rec + *off + sizeof(h), t->val, t->len);
	memset(rec + *off + sizeof(h) + t->len, 0, IOR_ALIGN4(t->len) - t->len);
	*off = IOR_ALIGN4(*off + sizeof(h) + t->len);
}

static unsigned
add_strings(uint32_t *off, const char *const *keys, int nkeys)
{
	struct token *trunc = get("truncated", true), *fault = get("fault", true);
	struct token *overlong = get("overlong", true);
	unsigned n = 0, flagged = 0, names = 0, whole = 0, nwhole = 0;

	for (int i = 1; i < ntok; i++) {
		struct token *t = &tok[i];
		uint8_t flags = 0;
		int tag = -1;
		char *end;

		if (keys == NULL && strncmp(t->key, "str", 3) == 0 &&
		    isdigit((unsigned char)t->key[3])) {
			tag = strtol(t->key + 3, &end, 10);
			if (*end || tag > 255)
				fail("bad string key %s", t->key);
		}
		for (int k = 0; keys && k < nkeys; k++)
			if (keys[k] && strcmp(t->key, keys[k]) == 0)
				tag = k;
		if (tag < 0 || t->val == NULL)
			continue;
		if (*off + sizeof(struct ior_string) + t->len > IOR_RECORD_MAX - 8)
			fail("strings do not fit in one record");
		if (listed(trunc, t->key) && ++flagged)
			flags |= IOR_STRING_TRUNCATED;
		if (listed(fault, t->key) && ++flagged)
			flags |= IOR_STRING_FAULT;
		if (listed(overlong, t->key) && ++whole)
			add_whole_string(off, t, tag, flags);
		else
			record_add_string(rec, off, t->val, t->len, tag, flags);
		t->used = true;
		n++;
	}
	for (size_t i = 0; overlong && i < overlong->len; i++)
		nwhole += i == 0 || overlong->val[i] == ',';
	if (whole != nwhole)
		fail("overlong= names only strings of this record");
	for (int k = 0; k < 2; k++) {
		const struct token *l = k ? fault : trunc;

		for (size_t i = 0; l && i < l->len; i++)
			names += i == 0 || l->val[i] == ',';
	}
	if (flagged != names)
		fail("truncated= and fault= name only strings of this record");
	return n;
}

/*
 * Write the record built in rec, of natural size n, applying the overrides
 * every record takes: misc=, len= (bytes written) and size= (frame only).
 */
static void
emit(uint32_t n)
{
	struct ior_record *h = (void *)rec;
	uint64_t len = num("len", n, 32);

	if (len < sizeof(*h) || len > IOR_RECORD_MAX)
		fail("len must be 8..%u", IOR_RECORD_MAX);
	if (len > n)
		memset(rec + n, 0, len - n);
	h->size = len;
	h->misc = num("misc", h->misc, 16);
	h->size = num("size", h->size, 32);
	stream_put(&out, rec, len);
}

/*
 * Rewrite the header at out.buf[0] with the strings the line gives in
 * place of the writer's own, in tag order, the others kept.
 */
static void
section_strings(void)
{
	static const char *const keys[] = {
		[IOR_HDR_TOOL] = "tool", [IOR_HDR_CMDLINE] = "cmdline",
		[IOR_HDR_HOSTNAME] = "host", [IOR_HDR_KERNEL_RELEASE] = "release",
		[IOR_HDR_KERNEL_VERSION] = "kversion",
		[IOR_HDR_MACHINE] = "machine",
	};
	const unsigned ntags = sizeof(keys) / sizeof(keys[0]);
	struct token *given[sizeof(keys) / sizeof(keys[0])] = { NULL };
	struct ior_section *old = (void *)out.buf, *s = (void *)rec;
	bool any = false;
	uint32_t off = sizeof(*s);

	for (unsigned tag = 1; tag < ntags; tag++)
		any |= (given[tag] = get(keys[tag], true)) != NULL;
	if (!any)
		return;
	memcpy(s, old, sizeof(*s));
	s->nstrings = 0;
	for (unsigned tag = 1; tag < ntags; tag++) {
		struct string_ref str;

		if (given[tag])
			record_add_string(s, &off, given[tag]->val,
					  given[tag]->len, tag, 0);
		else if (section_string(old, tag, &str))
			record_add_string(s, &off, str.bytes, str.len, tag,
					  str.flags);
		else
			continue;
		s->nstrings++;
	}
	uint32_t size = IOR_ALIGN8(off);

	memset(rec + off, 0, size - off);
	s->size = size;
	memcpy(out.buf, s, size);
	out.len = size;
}

static void
cmd_section(int argc, char **argv)
{
	struct ior_section *s;
	struct token *t;
	uint64_t v[2];

	/* Flushed first, the header is at out.buf[0] to be patched. */
	stream_writer_flush(&out);
	stream_write_section(&out, argc, argv, 0, 0);
	s = (void *)out.buf;
	if ((t = get("anchor", true)) != NULL) {
		if (parse_list(t, v, 2, 64, ',') != 2)
			fail("anchor=CLOCK_NS,REALTIME_NS");
		s->anchor_clock_ns = v[0];
		s->anchor_realtime_ns = v[1];
	}
	if ((t = get("version", true)) != NULL) {
		if (parse_list(t, v, 2, 16, '.') != 2)
			fail("version=MAJOR.MINOR");
		s->version_major = v[0];
		s->version_minor = v[1];
	}
	s->byte_order = num("byte_order", s->byte_order, 32);
	s->producer_pid = num("pid", s->producer_pid, 32);
	s->clock_id = num("clock", s->clock_id, 32);
	section_strings();
	s = (void *)out.buf;
	s->size = num("size", s->size, 32);
	events = lost_sum = missed_sum = nprocesses = nfds = npairs = 0;
	memset(cpu_total, 0, sizeof(cpu_total));
}

static void
cmd_syscall(void)
{
	struct ior_syscall_name *r;
	struct token *name = get("name", true);
	struct token *paths = get("paths", true);
	uint32_t off = sizeof(*r);
	uint64_t v[8];
	const char *s;
	int nr = name ? syscall_nr((char *)name->val) : -1;

	r = start(IOR_SYSCALL_NAME, 0, sizeof(*r));
	if (get("nr", true) == NULL && name == NULL)
		fail("nr= or name= is required");
	if (get("nr", true) == NULL && nr < 0)
		fail("no syscall %s on this machine: give nr=", name->val);
	r->nr = num("nr", nr, 32);
	s = name ? (const char *)name->val : syscall_name(r->nr);
	if (s == NULL)
		fail("no name for syscall %u on this machine: give name=", r->nr);
	r->family = family(s);
	r->nargs = num("nargs", 6, 8);
	for (int i = 0, n = paths ? parse_list(paths, v, 8, 8, ',') : 0; i < n; i++) {
		if (v[i] > 7)
			fail("paths: argument index %llu > 7", (unsigned long long)v[i]);
		r->path_args |= 1u << v[i];
	}
	r->flags = get("missing", false) ? IOR_SYSNAME_MISSING : IOR_SYSNAME_TRACED;
	r->flags = num("flags", r->flags, 8);
	r->str_off = off;
	r->nstrings = 1;
	record_add_string(rec, &off, s, name ? name->len : strlen(s), 0, 0);
	if (nsysnames < MAX_SYSCALLS) {
		sysnames[nsysnames].nr = r->nr;
		sysnames[nsysnames].nargs = r->nargs;
		strlcpy(sysnames[nsysnames++].name, s, sizeof(sysnames[0].name));
	}
	emit(record_finish(rec, off));
}

static void
cmd_process(void)
{
	static const char *const keys[] = { NULL, "exe", "cwd", "cmdline" };
	struct ior_process *r = start(IOR_PROCESS, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->time_ns = when();
	r->pid = need("pid", 32);
	r->ppid = num("ppid", 0, 32);
	r->uid = num("uid", 0, 32);
	r->nthreads = num("threads", 1, 32);
	set_comm(r->comm, get("exe", true));
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 4);
	nprocesses++;
	emit(record_finish(rec, off));
}

static void
cmd_fd(void)
{
	static const char *const keys[] = { "path" };
	struct ior_fd *r = start(IOR_FD, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->time_ns = when();
	r->pid = need("pid", 32);
	r->fd = need("fd", 32);
	r->flags = num("flags", 0, 32);
	r->pos = num("pos", 0, 64);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 1);
	nfds++;
	emit(record_finish(rec, off));
}

static void
cmd_snapshot_end(void)
{
	struct ior_snapshot_end *r = start(IOR_SNAPSHOT_END, 0, sizeof(*r));

	r->time_ns = when();
	r->processes = num("processes", nprocesses, 32);
	r->fds = num("fds", nfds, 32);
	emit(sizeof(*r));
}

static void
cmd_enter(void)
{
	struct ior_syscall_enter *r;
	struct token *args = get("args", true);
	uint64_t v[255] = { 0 }, nargs;
	uint32_t nr = syscall_by("nr"), off;
	int n = args ? parse_list(args, v, 255, 64, ',') : 0;

	nargs = n;
	for (int i = 0; i < nsysnames; i++)
		if (sysnames[i].nr == nr && sysnames[i].nargs > n)
			nargs = sysnames[i].nargs;
	nargs = num("nargs", nargs, 8);
	if ((int)nargs < n)
		fail("%d args but nargs=%d", n, (int)nargs);
	r = start(IOR_SYSCALL_ENTER, nr, sizeof(*r) + nargs * 8);
	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->nargs = nargs;
	memcpy(r + 1, v, nargs * 8);
	off = r->str_off = sizeof(*r) + nargs * 8;
	r->nstrings = add_strings(&off, NULL, 0);
	events++;
	emit(record_finish(rec, off));
}

static void
cmd_exit(void)
{
	struct ior_syscall_exit *r = start(IOR_SYSCALL_EXIT, 0, sizeof(*r));

	r->header.misc = syscall_by("nr");
	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->ret = num("ret", 0, 64);
	events++;
	emit(sizeof(*r));
}

static void
cmd_uring_submit(void)
{
	struct ior_uring_submit *r;
	struct token *args = get("args", true);
	uint64_t v[255] = { (uint64_t)-1, (uint64_t)-1, 0 }, nargs;
	int n = args ? parse_list(args, v, 255, 64, ',') : 0;
	uint32_t off;

	nargs = num("nargs", n > IOR_URING_ARGS ? n : IOR_URING_ARGS, 8);
	if ((int)nargs < n)
		fail("%d args but nargs=%d", n, (int)nargs);
	r = start(IOR_URING_SUBMIT, need("op", 8), sizeof(*r) + nargs * 8);
	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->nargs = nargs;
	r->flags = num("flags", 0, 32);
	r->ring = need("ring", 64);
	r->req = need("req", 64);
	r->user_data = num("user_data", 0, 64);
	memcpy(r + 1, v, nargs * 8);
	off = r->str_off = sizeof(*r) + nargs * 8;
	r->nstrings = add_strings(&off, NULL, 0);
	events++;
	emit(record_finish(rec, off));
}

static void
cmd_uring_complete(void)
{
	struct ior_uring_complete *r = start(IOR_URING_COMPLETE,
					     need("op", 8), sizeof(*r));

	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->ring = need("ring", 64);
	r->req = need("req", 64);
	r->res = num("res", 0, 32);
	r->cflags = num("cflags", 0, 32);
	r->exec_tid = num("exec_tid", r->tid, 32);
	events++;
	emit(sizeof(*r));
}

static void
cmd_task_new(void)
{
	struct ior_task_new *r = start(IOR_TASK_NEW, 0, sizeof(*r));

	r->time_ns = when();
	r->parent_pid = need("parent", 32);
	r->parent_tid = num("parent_tid", r->parent_pid, 32);
	r->child_pid = need("child", 32);
	r->child_tid = num("child_tid", r->child_pid, 32);
	r->clone_flags = num("flags", 0, 64);
	set_comm(r->comm, NULL);
	events++;
	emit(sizeof(*r));
}

static void
cmd_exec(void)
{
	static const char *const keys[] = { "file" };
	struct ior_exec *r = start(IOR_EXEC, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->time_ns = when();
	r->pid = need("pid", 32);
	r->old_tid = num("old_tid", r->pid, 32);
	set_comm(r->comm, get("file", true));
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 1);
	events++;
	emit(record_finish(rec, off));
}

static void
cmd_task_exit(void)
{
	struct ior_task_exit *r = start(IOR_TASK_EXIT, 0, sizeof(*r));

	r->header.misc = get("last", false) != NULL;
	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->exit_code = num("code", 0, 32);
	events++;
	emit(sizeof(*r));
}

static void
cmd_comm(void)
{
	struct ior_comm *r = start(IOR_COMM, 0, sizeof(*r));

	r->time_ns = when();
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	if (get("comm", true) == NULL)
		fail("comm= is required");
	set_comm(r->comm, NULL);
	events++;
	emit(sizeof(*r));
}

static void
cmd_loss(void)
{
	struct ior_loss *r = start(IOR_LOSS, 0, sizeof(*r));

	r->time_ns = when();
	r->cpu = num("cpu", 0, 32);
	r->lost = need("lost", 64);
	r->lost_total = r->lost;
	if (r->cpu < MAX_CPUS)
		r->lost_total = cpu_total[r->cpu] += r->lost;
	r->lost_total = num("total", r->lost_total, 64);
	lost_sum += r->lost;
	emit(sizeof(*r));
}

static void
cmd_miss(void)
{
	struct ior_miss *r = start(IOR_MISS, 0, sizeof(*r));
	struct token *prog = get("program", true);
	uint32_t off = sizeof(*r);

	r->time_ns = when();
	r->missed = need("missed", 64);
	missed_sum += r->missed;
	r->missed_total = num("total", missed_sum, 64);
	r->str_off = off;
	r->nstrings = 1;
	record_add_string(rec, &off, prog ? (const char *)prog->val :
			  "ior_sys_enter", prog ? prog->len : 13, 0, 0);
	emit(record_finish(rec, off));
}

static void
cmd_name(void)
{
	static const char *const keys[] = { "value" };
	struct ior_name *r = start(IOR_NAME, 0, sizeof(*r));
	struct token *kind = get("kind", true);
	uint32_t off = sizeof(*r);

	r->header.misc = IOR_NAME_PATH;
	if (kind != NULL && strcmp((char *)kind->val, "path") != 0)
		r->header.misc = strcmp((char *)kind->val, "comm") == 0 ?
			IOR_NAME_COMM : parse_num("kind", (char *)kind->val, kind->len, 16);
	r->id = need("id", 32);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 1);
	emit(record_finish(rec, off));
}

static void
cmd_pair(void)
{
	struct ior_pair *r = start(IOR_PAIR, 0, sizeof(*r));
	const char *name = NULL;

	r->header.misc = syscall_by("nr");
	r->time_ns = when();
	r->latency_ns = num("latency", 0, 64);
	r->gap_ns = num("gap", 0, 64);
	r->pid = need("pid", 32);
	r->tid = num("tid", r->pid, 32);
	r->ret = num("ret", 0, 64);
	r->bytes = num("bytes", 0, 64);
	r->path_id = num("path", 0, 32);
	r->path2_id = num("path2", 0, 32);
	r->comm_id = num("comm", 0, 32);
	r->fd = num("fd", -1, 32);
	r->flags = num("flags", 0, 32);
	r->err = num("err", r->ret < 0 && r->ret >= -4095 ? -r->ret : 0, 16);
	for (int i = 0; i < nsysnames; i++)
		if (sysnames[i].nr == r->header.misc)
			name = sysnames[i].name;
	if (name == NULL)
		name = syscall_name(r->header.misc);
	r->family = family(name);
	r->pair_flags = num("pflags", 0, 8);
	npairs++;
	r->seq = num("seq", npairs, 64);
	emit(sizeof(*r));
}

static void
cmd_filter(void)
{
	static const char *const keys[] = { NULL, "expr" };
	struct ior_filter *r = start(IOR_FILTER, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->seen = num("seen", 0, 64);
	r->kept = num("kept", 0, 64);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 2);
	emit(record_finish(rec, off));
}

static void
cmd_pair_totals(void)
{
	struct ior_pair_totals *r = start(IOR_PAIR_TOTALS, 0, sizeof(*r));

	r->pairs = num("pairs", npairs, 64);
	r->unmatched_exits = num("unmatched_exits", 0, 64);
	r->unmatched_enters = num("unmatched_enters", 0, 64);
	r->lost = num("lost", 0, 64);
	r->fd_unknown = num("fd_unknown", 0, 64);
	emit(sizeof(*r));
}

static void
cmd_trailer(void)
{
	static const char *const reasons[] = {
		"end", "signal", "duration", "command", "target",
	};
	struct ior_trailer *r = (void *)rec;
	struct token *t = get("reason", true);
	uint64_t reason = IOR_STOP_END, time = when();

	if (t != NULL) {
		for (reason = 0; reason < 5; reason++)
			if (strcmp((char *)t->val, reasons[reason]) == 0)
				break;
		if (reason == 5)
			reason = parse_num("reason", (char *)t->val, t->len, 32);
	}
	stream_write_trailer(&out, num("events", events, 64),
			     num("lost", lost_sum, 64), reason,
			     num("status", 0, 32));
	/* Taken back from the writer to apply overrides like any record. */
	out.len -= sizeof(*r);
	memcpy(rec, out.buf + out.len, sizeof(*r));
	r->time_ns = time;
	r->records = num("records", r->records, 64);
	r->missed = num("missed", missed_sum, 64);
	emit(sizeof(*r));
}

static uint16_t
agg_flag(const char *word, uint16_t flag)
{
	return get(word, false) ? flag : 0;
}

static void
cmd_agg_begin(void)
{
	static const char *const keys[] = { NULL, "fields" };
	static const char fields[] = "comm;syscall;path";
	struct ior_agg_begin *r = start(IOR_AGG_BEGIN, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->header.misc = agg_flag("final", IOR_AGG_FINAL) |
			 agg_flag("periodic", IOR_AGG_PERIODIC) |
			 agg_flag("cut_short", IOR_AGG_TRUNCATED);
	r->start_ns = num("start", 0, 64);
	r->end_ns = num("end", 0, 64);
	r->pairs = num("pairs", 0, 64);
	r->lost = num("lost", 0, 64);
	r->sequence = num("sequence", 1, 32);
	r->interval_ms = num("interval", 0, 32);
	r->stats = num("stats", 0, 32);
	r->nodes = num("nodes", 0, 32);
	r->max_nodes = num("max_nodes", 0, 32);
	r->weight = num("weight", 0, 8);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 2);
	if (r->nstrings == 0) {
		record_add_string(rec, &off, fields, strlen(fields),
				  IOR_AGG_STR_FIELDS, 0);
		r->nstrings = 1;
	}
	emit(record_finish(rec, off));
}

static void
cmd_agg_stat(void)
{
	static const char *const keys[] = { NULL, NULL, "key" };
	static const char *const kinds[] = { "syscall", "process", "file", "dir" };
	struct ior_agg_stat *r = start(IOR_AGG_STAT, 0, sizeof(*r));
	struct token *kind = get("kind", true);
	uint32_t off = sizeof(*r);

	if (kind == NULL)
		fail("kind= is required");
	for (unsigned k = 0; k < 4 && r->header.misc == 0; k++)
		if (strcmp((char *)kind->val, kinds[k]) == 0)
			r->header.misc = IOR_AGG_SYSCALL + k;
	if (r->header.misc == 0)
		r->header.misc = parse_num("kind", (char *)kind->val, kind->len, 16);
	r->pid = num("pid", 0, 32);
	r->count = num("count", 0, 64);
	r->errors = num("errors", 0, 64);
	r->bytes_read = num("read", 0, 64);
	r->bytes_written = num("written", 0, 64);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 3);
	/* No errnos; the latency and gap histograms, empty. */
	off = IOR_ALIGN8(off);
	if (off > UINT16_MAX)
		fail("strings too long for hist_off");
	r->hist_off = off;
	memset(rec + off, 0, 2 * sizeof(struct ior_agg_hist));
	emit(record_finish(rec, off + 2 * sizeof(struct ior_agg_hist)));
}

static void
cmd_agg_node(void)
{
	static const char *const keys[] = { NULL, NULL, NULL, "label" };
	struct ior_agg_node *r = start(IOR_AGG_NODE, 0, sizeof(*r));
	uint32_t off = sizeof(*r);

	r->parent = num("parent", 0, 32);
	r->count = num("count", 0, 64);
	r->errors = num("errors", 0, 64);
	r->latency_ns = num("latency", 0, 64);
	r->str_off = off;
	r->nstrings = add_strings(&off, keys, 4);
	emit(record_finish(rec, off));
}

static void
cmd_agg_end(void)
{
	struct ior_agg_end *r = start(IOR_AGG_END, 0, sizeof(*r));

	r->sequence = num("sequence", 1, 32);
	emit(sizeof(*r));
}

static void
cmd_record(void)
{
	struct token *fill = get("fill", true);
	size_t n = 0;

	start(need("type", 16), 0, sizeof(struct ior_record));
	for (size_t i = 0; fill && i < fill->len; i += 2, n++) {
		if (!isxdigit(fill->val[i]) || !isxdigit(fill->val[i + 1]))
			fail("fill: not an even count of hex digits");
		if (n >= IOR_RECORD_MAX - 16)
			fail("fill: too long");
		rec[8 + n] = hexval(fill->val[i]) * 16 + hexval(fill->val[i + 1]);
	}
	memset(rec + 8 + n, 0, 8);
	emit(IOR_ALIGN8(8 + n));
}

static void
cmd_raw(void)
{
	size_t n = 0;

	for (int i = 1; i < ntok; i++) {
		struct token *t = &tok[i];
		const unsigned char *p = t->val;
		size_t len = t->len;

		t->used = true;
		if (t->val == NULL) {           /* hex digits */
			p = (const unsigned char *)t->key;
			len = strlen(t->key);
		} else if (*t->key != '\0') {
			fail("raw takes hex bytes and \"strings\", not %s=", t->key);
		}
		if (n + len > sizeof(rec))
			fail("raw: too long");
		if (t->val != NULL) {
			memcpy(rec + n, p, len);
			n += len;
			continue;
		}
		for (size_t j = 0; j < len; j += 2) {
			if (!isxdigit(p[j]) || !isxdigit(p[j + 1]))
				fail("raw: %s is not an even count of hex digits", t->key);
			rec[n++] = hexval(p[j]) * 16 + hexval(p[j + 1]);
		}
	}
	stream_put(&out, rec, n);
	out.section_records--;          /* bytes, not a record */
}

static const struct {
	const char *name;
	void (*fn)(void);
} commands[] = {
	{ "syscall", cmd_syscall }, { "process", cmd_process },
	{ "fd", cmd_fd }, { "snapshot_end", cmd_snapshot_end },
	{ "enter", cmd_enter }, { "exit", cmd_exit },
	{ "uring_submit", cmd_uring_submit },
	{ "uring_complete", cmd_uring_complete },
	{ "task_new", cmd_task_new }, { "exec", cmd_exec },
	{ "task_exit", cmd_task_exit }, { "comm", cmd_comm },
	{ "loss", cmd_loss }, { "miss", cmd_miss }, { "trailer", cmd_trailer },
	{ "name", cmd_name }, { "pair", cmd_pair },
	{ "pair_totals", cmd_pair_totals }, { "filter", cmd_filter },
	{ "agg_begin", cmd_agg_begin }, { "agg_stat", cmd_agg_stat },
	{ "agg_node", cmd_agg_node }, { "agg_end", cmd_agg_end },
	{ "record", cmd_record }, { "raw", cmd_raw },
};

int
main(int argc, char **argv)
{
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ch;

	while ((ch = getopt(argc, argv, "h")) != -1) {
		fputs(usage_text, ch == 'h' ? stdout : stderr);
		return ch == 'h' ? 0 : 2;
	}
	if (argc - optind > 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (argc > optind && strcmp(argv[optind], "-") != 0) {
		input_name = argv[optind];
		if ((in = fopen(input_name, "r")) == NULL)
			err(2, "%s", input_name);
	}
	if (isatty(STDOUT_FILENO))
		errx(2, "refusing to write a binary stream to a terminal");
	stream_writer_init(&out, STDOUT_FILENO, "<stdout>");

	while ((len = getline(&line, &cap, in)) != -1) {
		size_t i;

		lineno++;
		if (memchr(line, '\0', len) != NULL)
			fail("NUL byte in the line (write \\0 in a quoted string)");
		tokenize(line);
		if (ntok == 0)
			continue;
		if (tok[0].val != NULL)
			fail("a line starts with a record name, not %s=", tok[0].key);
		if (strcmp(tok[0].key, "section") == 0) {
			cmd_section(argc, argv);
		} else {
			for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (strcmp(tok[0].key, commands[i].name) == 0)
					break;
			if (i == sizeof(commands) / sizeof(commands[0]))
				fail("unknown record %s", tok[0].key);
			commands[i].fn();
		}
		for (int j = 1; j < ntok; j++)
			if (!tok[j].used)
				fail("unknown key %s%s for %s", *tok[j].key ?
				     tok[j].key : "\"...\"", tok[j].val ? "=" : "",
				     tok[0].key);
	}
	if (ferror(in))
		err(2, "%s", input_name);
	free(line);
	stream_writer_release(&out);
	return 0;
}
