/* SPDX-License-Identifier: MIT */
/*
 * ior-tree - the fork/exec tree of a capture, its critical path, and the
 * calls in flight.
 *
 * Reads a paired stream (ior-pair passes the context records through:
 * the process snapshot, forks, execs, exits, comms) and tells each
 * process's command, start and end, exit status, wall time, calls, errors,
 * time in syscalls and bytes, its own and with its descendants; the
 * critical path (docs/analysis.md defines it); with --folded the tree as
 * folded stacks for ior-flame; with --inflight the calls the capture ended
 * inside; with --at TIME each process's open files and the call it was in
 * at that time.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "output.h"
#include "fdtable.h"
#include "idmap.h"
#include "names.h"
#include "stream.h"
#include "strtab.h"
#include "sysnames.h"
#include "trie.h"
#include "units.h"
#include "version.h"

#define CLONE_FILES_FLAG 0x400  /* <linux/sched.h>'s CLONE_FILES */
#define CRIT_DEPTH_MAX 1000     /* deeper chains are cut, and say so */

struct sums {
	uint64_t calls, errors, time_ns, bytes_read, bytes_written;
};

struct proc {
	uint32_t pid, ppid;
	int32_t parent;         /* index, -1 for a root */
	uint64_t start_ns, end_ns;
	bool from_snapshot;     /* running when the capture began */
	bool ended;
	int32_t exit_code;
	uint32_t comm, exe, cmdline;    /* ids in strs, 0 none */
	uint32_t execs;
	struct sums own, all;
	uint32_t kids_off, nkids;       /* into kids[] */
	struct fdtable *fds;    /* --at: the table as of TIME */
};

/* A call in flight: at the end of the capture, or at --at TIME. */
struct call {
	uint32_t proc;          /* index */
	uint32_t pid, tid, syscall, path, comm; /* ids in strs */
	int32_t fd;
	uint64_t time_ns, latency_ns;
	bool unfinished;
};

static struct {
	bool json, folded, inflight;
	bool at_given;
	double at_s;
	enum weight weight;
} opt = { .weight = WEIGHT_LATENCY };

static struct {
	struct proc *v;
	uint32_t n, cap;
	uint32_t *kids;
	struct idmap by_pid;            /* pid -> index + 1 */
	struct strtab strs;
	struct name_table names;        /* this section's IOR_NAMEs */
	struct sysnames sysnames;
	uint64_t t0, end_ns;            /* first and last time seen */
	bool t0_known, trailer_seen;
	uint64_t at_ns;                 /* absolute --at, once t0 is known */
	struct call *calls;
	uint32_t ncalls, calls_cap;
	uint64_t pairs, unfinished;
	/* The critical path, in time order. */
	struct crit { uint32_t proc, depth; } *crit;
	uint32_t ncrit, crit_cap;
	bool crit_cut;
} tr;

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-tree [--json | --folded [-w WEIGHT]] [FILE...]\n"
"       ior-tree --inflight [--json] [FILE...]\n"
"       ior-tree --at SECONDS [--json] [FILE...]\n"
"The fork/exec tree of a paired stream (ior-pair's output): each process's\n"
"command, start, end, exit status, wall time, calls, errors, time in\n"
"syscalls and bytes read and written, its own and with its descendants,\n"
"then the critical path: the chain of processes that held the end of the\n"
"run (docs/analysis.md), and the time in syscalls on it.\n"
"\n"
"  --json        one JSON document (docs/analysis.md)\n"
"  --folded      the tree as folded stacks of comms, for ior-flame\n"
"  -w, --weight WEIGHT\n"
"                what --folded weighs: latency (default), count, bytes,\n"
"                errors\n"
"  --inflight    the calls that entered and had not returned when the\n"
"                capture ended (what a hung process waits on)\n"
"  --at SECONDS  each process alive SECONDS after the capture's start: its\n"
"                open files and the call it was in\n"
"  -h            this help\n"
"\n"
"EXAMPLES\n"
"  ior-capture -o build.ior -- make -j2; ior-pair build.ior > build.pairs\n"
"  ior-tree build.pairs\n"
"  ior-tree --folded build.pairs | ior-flame -t 'make -j2' > tree.svg\n"
"  ior-tree --inflight hung.pairs\n");
	exit(status);
}

/* ---- escaping: the only places stream bytes are written ---- */

static void
put_str(FILE *f, uint32_t id)
{
	size_t len = 0;
	const char *s = id ? strtab_get(&tr.strs, id, &len) : "";

	put_word_or_json(f, s, len, opt.json);
}

/* argv is NUL-joined: a JSON array of its words, or the words spaced. */
static void
put_argv(FILE *f, uint32_t id)
{
	size_t len;
	const char *s = strtab_get(&tr.strs, id, &len), *end = s + len;

	fputs(opt.json ? "[" : "", f);
	for (const char *p = s; p < end;) {
		const char *q = memchr(p, '\0', (size_t)(end - p));
		size_t n = (size_t)((q ? q : end) - p);

		if (p != s)
			fputc(opt.json ? ',' : ' ', f);
		put_word_or_json(f, p, n, opt.json);
		p += n + 1;
	}
	fputs(opt.json ? "]" : "", f);
}

/* The command: argv from the snapshot, else the program exec'd. */
static void
put_command(FILE *f, uint32_t cmdline, uint32_t exe)
{
	if (cmdline)
		put_argv(f, cmdline);
	else
		put_str(f, exe);
}

/* ---- reading ---- */

static uint32_t
intern(const void *bytes, size_t len)
{
	return strtab_intern(&tr.strs, bytes, len);
}

static uint32_t
intern_comm(const uint8_t comm[IOR_COMM_LEN])
{
	return intern(comm, strnlen((const char *)comm, IOR_COMM_LEN));
}

static void
seen(uint64_t t)
{
	if (!tr.t0_known) {
		tr.t0 = t;
		tr.t0_known = true;
		tr.at_ns = t + (uint64_t)(opt.at_s * 1e9);
	}
	if (t > tr.end_ns)
		tr.end_ns = t;
}

static bool
before_at(uint64_t t)
{
	return opt.at_given && t <= tr.at_ns;
}

static struct proc *
proc_of(uint32_t pid)
{
	uintptr_t i = (uintptr_t)idmap_get(&tr.by_pid, pid);

	return i ? &tr.v[i - 1] : NULL;
}

static struct proc *
proc_new(uint32_t pid, uint32_t ppid, uint64_t start)
{
	struct proc *parent = proc_of(ppid), *p;

	if (tr.n == tr.cap) {
		tr.cap = tr.cap ? tr.cap * 2 : 64;
		tr.v = reallocarray(tr.v, tr.cap, sizeof(*tr.v));
		if (tr.v == NULL)
			err(1, "processes");
		parent = proc_of(ppid);
	}
	p = &tr.v[tr.n];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->parent = parent && parent->pid != pid ? (int32_t)(parent - tr.v) : -1;
	p->start_ns = start;
	idmap_put(&tr.by_pid, pid, (void *)(uintptr_t)++tr.n);
	return p;
}

/* The process of a pid seen without its fork: it began before the capture. */
static struct proc *
proc_get(uint32_t pid, uint64_t t)
{
	struct proc *p = proc_of(pid);

	if (p == NULL) {
		p = proc_new(pid, 0, t);
		p->from_snapshot = true;
		if (opt.at_given)
			p->fds = fdtable_new();
	}
	return p;
}

static void
on_process(const struct ior_process *r, uint32_t size)
{
	struct proc *p = proc_of(r->pid);
	struct string_ref s;

	seen(r->time_ns);
	if (p == NULL || p->ended)
		p = proc_new(r->pid, r->ppid, r->time_ns);
	p->from_snapshot = true;
	p->comm = intern_comm(r->comm);
	if (record_string_by_tag(r, size, r->str_off, r->nstrings,
				 IOR_PROC_CMDLINE, &s) && s.len)
		p->cmdline = intern(s.bytes, s.len);
	if (record_string_by_tag(r, size, r->str_off, r->nstrings,
				 IOR_PROC_EXE, &s) && s.len)
		p->exe = intern(s.bytes, s.len);
	if (opt.at_given && p->fds == NULL)
		p->fds = fdtable_new();
}

static void
on_fd(const struct ior_fd *r, uint32_t size)
{
	struct proc *p;
	struct string_ref s;

	seen(r->time_ns);
	if (!opt.at_given || !before_at(r->time_ns))
		return;
	p = proc_get(r->pid, r->time_ns);
	if (p->fds && record_string_at(r, size, r->str_off, r->nstrings, 0, &s))
		fdtable_set(p->fds, r->fd, intern(s.bytes, s.len), r->flags);
}

static void
on_task_new(const struct ior_task_new *r)
{
	struct proc *parent, *p;

	seen(r->time_ns);
	if (r->child_pid == r->parent_pid)
		return;         /* a thread */
	parent = proc_get(r->parent_pid, r->time_ns);
	(void)parent;
	p = proc_new(r->child_pid, r->parent_pid, r->time_ns);
	parent = proc_of(r->parent_pid);
	p->comm = parent->comm;
	p->exe = parent->exe;
	p->cmdline = parent->cmdline;
	if (opt.at_given && before_at(r->time_ns) && parent->fds)
		p->fds = (r->clone_flags & CLONE_FILES_FLAG) ?
			 fdtable_ref(parent->fds) : fdtable_copy(parent->fds);
}

static void
on_exec(const struct ior_exec *r, uint32_t size)
{
	struct proc *p = proc_get(r->pid, r->time_ns);
	struct string_ref s;

	seen(r->time_ns);
	p->comm = intern_comm(r->comm);
	p->cmdline = 0;         /* the snapshot's argv was the old program's */
	p->execs++;
	if (record_string_at(r, size, r->str_off, r->nstrings, 0, &s))
		p->exe = intern(s.bytes, s.len);
	if (p->fds && before_at(r->time_ns)) {
		if (p->fds->refs > 1) {
			struct fdtable *own = fdtable_copy(p->fds);

			fdtable_unref(p->fds);
			p->fds = own;
		}
		fdtable_exec(p->fds);
	}
}

static void
on_task_exit(const struct ior_task_exit *r)
{
	struct proc *p;

	seen(r->time_ns);
	if (!r->header.misc || (p = proc_of(r->pid)) == NULL)
		return;         /* a thread, not the last; or never seen */
	p->ended = true;
	p->end_ns = r->time_ns;
	p->exit_code = r->exit_code;
	if (p->fds && before_at(r->time_ns)) {
		fdtable_unref(p->fds);
		p->fds = NULL;
	}
	idmap_remove(&tr.by_pid, r->pid);
}

static uint32_t
name_id(unsigned kind, uint32_t id)
{
	size_t len;
	const char *s = name_table_get(&tr.names, kind, id, &len);

	return s ? intern(s, len) : 0;
}

static void
add_call(struct proc *p, const struct ior_pair *r)
{
	struct call *c;
	char buf[24];
	const char *name = sysnames_get(&tr.sysnames, r->header.misc, buf);

	if (tr.ncalls == tr.calls_cap) {
		tr.calls_cap = tr.calls_cap ? tr.calls_cap * 2 : 16;
		tr.calls = reallocarray(tr.calls, tr.calls_cap, sizeof(*c));
		if (tr.calls == NULL)
			err(1, "calls");
	}
	c = &tr.calls[tr.ncalls++];
	c->proc = (uint32_t)(p - tr.v);
	c->pid = r->pid;
	c->tid = r->tid;
	c->syscall = intern(name, strlen(name));
	c->path = name_id(IOR_NAME_PATH, r->path_id);
	c->comm = name_id(IOR_NAME_COMM, r->comm_id);
	c->fd = r->fd;
	c->time_ns = r->time_ns;
	c->latency_ns = r->latency_ns;
	c->unfinished = r->pair_flags & IOR_PAIR_UNFINISHED;
}

/* What a completed call did to its process's fd table, as pairs tell it. */
static void
apply_fds(struct proc *p, const struct ior_pair *r)
{
	char buf[24];
	const char *name;

	if (r->err || r->ret < 0)
		return;
	switch (r->family) {
	case IOR_FAMILY_OPEN:
	case IOR_FAMILY_FDNEW:
		if (r->fd >= 0)
			fdtable_set(p->fds, r->fd,
				    name_id(IOR_NAME_PATH, r->path_id), r->flags);
		break;
	case IOR_FAMILY_CLOSE:
		if (r->fd >= 0)
			fdtable_close(p->fds, r->fd);
		break;
	case IOR_FAMILY_FD:
		name = sysnames_get(&tr.sysnames, r->header.misc, buf);
		if (strncmp(name, "dup", 3) == 0 && r->path_id)
			fdtable_set(p->fds, r->ret,
				    name_id(IOR_NAME_PATH, r->path_id), 0);
		break;
	default:
		break;
	}
}

static void
on_pair(const struct ior_pair *r)
{
	struct proc *p = proc_get(r->pid, r->time_ns);
	uint64_t exit_ns = r->time_ns + r->latency_ns;

	seen(r->time_ns);
	if (r->pair_flags & IOR_PAIR_UNFINISHED) {
		/* it runs to the end of the capture's section */
		seen(exit_ns);
		tr.unfinished++;
		if (opt.inflight || (opt.at_given && r->time_ns <= tr.at_ns))
			add_call(p, r);
		return;
	}
	seen(exit_ns);
	tr.pairs++;
	p->own.calls++;
	p->own.errors += r->err != 0;
	p->own.time_ns += r->latency_ns;
	if (r->pair_flags & IOR_PAIR_READ)
		p->own.bytes_read += r->bytes;
	if (r->pair_flags & IOR_PAIR_WRITE)
		p->own.bytes_written += r->bytes;
	if (!opt.at_given)
		return;
	if (exit_ns <= tr.at_ns) {
		if (p->fds)
			apply_fds(p, r);
	} else if (r->time_ns <= tr.at_ns) {
		add_call(p, r);
	}
}

static bool
read_input(const char *path)
{
	struct stream_reader r;
	const struct ior_record *rec;
	bool ok;

	stream_reader_open(&r, path);
	while ((rec = stream_next(&r)) != NULL) {
		switch (r.type) {
		case IOR_PAIR:
			on_pair((const void *)rec);
			break;
		case STREAM_SECTION:
			/* pids and name ids begin again; processes stay */
			idmap_release(&tr.by_pid);
			name_table_reset(&tr.names);
			sysnames_reset(&tr.sysnames);
			break;
		case IOR_NAME:
			name_table_add(&tr.names, (const void *)rec, r.size);
			break;
		case IOR_SYSCALL_NAME:
			sysnames_add(&tr.sysnames, (const void *)rec, r.size);
			break;
		case IOR_PROCESS:
			on_process((const void *)rec, r.size);
			break;
		case IOR_FD:
			on_fd((const void *)rec, r.size);
			break;
		case IOR_TASK_NEW:
			on_task_new((const void *)rec);
			break;
		case IOR_EXEC:
			on_exec((const void *)rec, r.size);
			break;
		case IOR_TASK_EXIT:
			on_task_exit((const void *)rec);
			break;
		case IOR_COMM: {
			const struct ior_comm *c = (const void *)rec;

			seen(c->time_ns);
			if (c->pid == c->tid)
				proc_get(c->pid, c->time_ns)->comm =
					intern_comm(c->comm);
			break;
		}
		case IOR_TRAILER:
			/*
			 * Not its time: a filter's trailer has its own clock's
			 * time of writing it, not the capture's end.
			 */
			tr.trailer_seen = true;
			break;
		default:
			break;
		}
	}
	ok = r.status != STREAM_ERROR;
	stream_reader_close(&r);
	return ok;
}

/* ---- the tree ---- */

static int
by_start(const void *x, const void *y)
{
	const struct proc *a = &tr.v[*(const uint32_t *)x];
	const struct proc *b = &tr.v[*(const uint32_t *)y];

	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

static void
sums_add(struct sums *d, const struct sums *s)
{
	d->calls += s->calls;
	d->errors += s->errors;
	d->time_ns += s->time_ns;
	d->bytes_read += s->bytes_read;
	d->bytes_written += s->bytes_written;
}

/*
 * Children lists, and the totals with descendants.  A child always has a
 * higher index than its parent (it is made after it), so one backward pass
 * adds every subtree into its parent.
 */
static void
build_tree(void)
{
	uint32_t *count = calloc(tr.n + 1, sizeof(*count));

	tr.kids = reallocarray(NULL, tr.n + 1, sizeof(*tr.kids));
	if (count == NULL || tr.kids == NULL)
		err(1, "tree");
	for (uint32_t i = 0; i < tr.n; i++) {
		struct proc *p = &tr.v[i];

		if (!p->ended)
			p->end_ns = tr.end_ns;
		p->all = p->own;
		if (p->parent >= 0)
			tr.v[p->parent].nkids++;
	}
	for (uint32_t i = 0, off = 0; i < tr.n; i++) {
		tr.v[i].kids_off = off;
		off += tr.v[i].nkids;
	}
	for (uint32_t i = 0; i < tr.n; i++) {
		struct proc *p = &tr.v[i];

		if (p->parent >= 0) {
			struct proc *q = &tr.v[p->parent];

			tr.kids[q->kids_off + count[p->parent]++] = i;
		}
	}
	for (uint32_t i = tr.n; i-- > 0;)
		if (tr.v[i].parent >= 0)
			sums_add(&tr.v[tr.v[i].parent].all, &tr.v[i].all);
	/* qsort and memcpy take no NULL, even for nothing: tr.kids may be. */
	for (uint32_t i = 0; i < tr.n; i++)
		if (tr.v[i].nkids > 1)
			qsort(tr.kids + tr.v[i].kids_off, tr.v[i].nkids,
			      sizeof(*tr.kids), by_start);
	free(count);
}

/* ---- the critical path ---- */

static void
crit_push(uint32_t proc, uint32_t depth)
{
	if (tr.ncrit == tr.crit_cap) {
		tr.crit_cap = tr.crit_cap ? tr.crit_cap * 2 : 16;
		tr.crit = reallocarray(tr.crit, tr.crit_cap, sizeof(*tr.crit));
		if (tr.crit == NULL)
			err(1, "critical path");
	}
	tr.crit[tr.ncrit++] = (struct crit){ proc, depth };
}

static int
by_end_desc(const void *x, const void *y)
{
	const struct proc *a = &tr.v[*(const uint32_t *)x];
	const struct proc *b = &tr.v[*(const uint32_t *)y];

	if (a->end_ns != b->end_ns)
		return a->end_ns > b->end_ns ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

/*
 * The critical path of a process: the child that ended last, no later
 * than the process itself did (what it waited for last), then, before
 * that child started, the child that ended last before that start (what
 * the process waited for before it could start it), and so on back to the
 * process's start; each of those children's own critical path in turn.
 */
static void
crit_of(uint32_t i, uint32_t depth)
{
	const struct proc *p = &tr.v[i];
	uint32_t *order, *chain, n = 0;
	uint64_t until = p->end_ns;

	crit_push(i, depth);
	if (p->nkids == 0)
		return;
	if (depth >= CRIT_DEPTH_MAX) {
		tr.crit_cut = true;
		return;
	}
	order = reallocarray(NULL, p->nkids, sizeof(*order));
	chain = reallocarray(NULL, p->nkids, sizeof(*chain));
	if (order == NULL || chain == NULL)
		err(1, "critical path");
	if (p->nkids > 0) {
		memcpy(order, tr.kids + p->kids_off, p->nkids * sizeof(*order));
		qsort(order, p->nkids, sizeof(*order), by_end_desc);
	}
	for (uint32_t j = 0; j < p->nkids; j++) {
		const struct proc *c = &tr.v[order[j]];

		if (c->end_ns <= until && c->start_ns >= p->start_ns) {
			chain[n++] = order[j];
			until = c->start_ns;
		}
	}
	free(order);
	while (n-- > 0)
		crit_of(chain[n], depth + 1);
	free(chain);
}

/* The root that ended last: the run's end was held there. */
static void
critical_path(void)
{
	int64_t best = -1;

	for (uint32_t i = 0; i < tr.n; i++)
		if (tr.v[i].parent < 0 &&
		    (best < 0 || tr.v[i].end_ns > tr.v[best].end_ns ||
		     (tr.v[i].end_ns == tr.v[best].end_ns &&
		      tr.v[i].start_ns < tr.v[best].start_ns)))
			best = i;
	if (best >= 0)
		crit_of((uint32_t)best, 0);
}

/* ---- output ---- */

static double
rel_s(uint64_t t)
{
	return t >= tr.t0 ? (double)(t - tr.t0) / 1e9 : -(double)(tr.t0 - t) / 1e9;
}

static const char *
status_of(const struct proc *p, char buf[32])
{
	int code = p->exit_code;

	if (!p->ended)
		snprintf(buf, 32, "running");
	else if ((code & 0x7f) == 0)
		snprintf(buf, 32, "exit %d", (code >> 8) & 0xff);
	else
		snprintf(buf, 32, "SIG%s", sigabbrev_np(code & 0x7f) ?
			 sigabbrev_np(code & 0x7f) : "?");
	return buf;
}


static void
text_proc(FILE *f, uint32_t i, unsigned depth)
{
	const struct proc *p = &tr.v[i];
	char u[8][UNITS_LEN], st[32];

	fprintf(f, "%9.3f %9.3f %7s %-8s %7s %5" PRIu64 " %7s %7s %7s  %7s "
		"%7s %7s  %*s%u ", rel_s(p->start_ns), rel_s(p->end_ns),
		units_ns(p->end_ns - p->start_ns, u[0]), status_of(p, st),
		units_count(p->own.calls, u[1]), p->own.errors,
		units_bytes(p->own.bytes_read, u[2]),
		units_bytes(p->own.bytes_written, u[3]),
		units_ns(p->own.time_ns, u[4]), units_count(p->all.calls, u[5]),
		units_ns(p->all.time_ns, u[6]),
		units_bytes(p->all.bytes_read + p->all.bytes_written, u[7]),
		depth * 2, "", p->pid);
	put_str(f, p->comm);
	if (p->cmdline || p->exe) {
		fputc(' ', f);
		put_command(f, p->cmdline, p->exe);
	}
	fputc('\n', f);
}

/* Preorder, with an explicit stack: a stream may nest deeper than C may. */
static void
walk(void (*visit)(uint32_t i, unsigned depth, void *arg), void *arg)
{
	struct frame { uint32_t i; unsigned depth; } *stack;
	uint32_t n = 0;

	stack = reallocarray(NULL, tr.n + 1, sizeof(*stack));
	if (stack == NULL)
		err(1, "tree");
	for (uint32_t r = tr.n; r-- > 0;)
		if (tr.v[r].parent < 0)
			stack[n++] = (struct frame){ r, 0 };
	/* roots in start order: they were pushed last first */
	while (n > 0) {
		struct frame fr = stack[--n];
		const struct proc *p = &tr.v[fr.i];

		visit(fr.i, fr.depth, arg);
		for (uint32_t k = p->nkids; k-- > 0;)
			stack[n++] = (struct frame){ tr.kids[p->kids_off + k],
						     fr.depth + 1 };
	}
	free(stack);
}

static void
visit_text(uint32_t i, unsigned depth, void *arg)
{
	text_proc(arg, i, depth);
}

static void
text_tree(FILE *f)
{
	char u[4][UNITS_LEN];
	uint64_t io = 0, all = 0;

	for (uint32_t i = 0; i < tr.n; i++)
		all += tr.v[i].own.time_ns;
	fprintf(f, "%u processes over %s, %s calls, %s in syscalls%s\n\n", tr.n,
		units_ns(tr.end_ns - tr.t0, u[0]), units_count(tr.pairs, u[1]),
		units_ns(all, u[2]),
		tr.trailer_seen ? "" : " (input truncated)");
	fprintf(f, "%9s %9s %7s %-8s %7s %5s %7s %7s %7s  %7s %7s %7s  %s\n",
		"START", "END", "WALL", "STATUS", "CALLS", "ERRS", "READ",
		"WRITTEN", "SYSTIME", "+CALLS", "+SYSTIME", "+BYTES",
		"PID COMM COMMAND");
	walk(visit_text, f);
	for (uint32_t k = 0; k < tr.ncrit; k++)
		io += tr.v[tr.crit[k].proc].own.time_ns;
	if (tr.ncrit == 0)
		return;
	fprintf(f, "\ncritical path: %s from %.3f to %.3f, %s in syscalls on "
		"it (%u processes)%s\n",
		units_ns(tr.v[tr.crit[0].proc].end_ns -
			 tr.v[tr.crit[0].proc].start_ns, u[0]),
		rel_s(tr.v[tr.crit[0].proc].start_ns),
		rel_s(tr.v[tr.crit[0].proc].end_ns), units_ns(io, u[1]),
		tr.ncrit, tr.crit_cut ? " (cut at depth 1000)" : "");
	for (uint32_t k = 0; k < tr.ncrit; k++) {
		const struct proc *p = &tr.v[tr.crit[k].proc];

		fprintf(f, "%9.3f %9.3f %7s %7s  %*s%u ", rel_s(p->start_ns),
			rel_s(p->end_ns), units_ns(p->end_ns - p->start_ns, u[2]),
			units_ns(p->own.time_ns, u[3]), tr.crit[k].depth * 2, "",
			p->pid);
		put_str(f, p->comm);
		if (p->cmdline || p->exe) {
			fputc(' ', f);
			put_command(f, p->cmdline, p->exe);
		}
		fputc('\n', f);
	}
}

static void
json_sums(FILE *f, const char *name, const struct sums *s)
{
	fprintf(f, "\"%s\":{\"calls\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"time_ns\":%" PRIu64 ",\"bytes_read\":%" PRIu64
		",\"bytes_written\":%" PRIu64 "}", name, s->calls, s->errors,
		s->time_ns, s->bytes_read, s->bytes_written);
}

static void
json_tree(FILE *f)
{
	uint64_t io = 0;

	fprintf(f, "{\"version\":1,\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64
		",\"truncated\":%s,\"pairs\":%" PRIu64 ",\"unfinished\":%"
		PRIu64 ",\"processes\":[", tr.t0, tr.end_ns,
		tr.trailer_seen ? "false" : "true", tr.pairs, tr.unfinished);
	for (uint32_t i = 0; i < tr.n; i++) {
		const struct proc *p = &tr.v[i];
		char st[32];

		fprintf(f, "%s{\"id\":%u,\"pid\":%u,\"ppid\":%u,\"parent\":", i ?
			"," : "", i, p->pid, p->ppid);
		if (p->parent >= 0)
			fprintf(f, "%d", p->parent);
		else
			fputs("null", f);
		fputs(",\"comm\":", f);
		put_str(f, p->comm);
		fputs(",\"exe\":", f);
		if (p->exe)
			put_str(f, p->exe);
		else
			fputs("null", f);
		fputs(",\"argv\":", f);
		if (p->cmdline)
			put_argv(f, p->cmdline);
		else
			fputs("null", f);
		fprintf(f, ",\"execs\":%u,\"before_capture\":%s,\"start_ns\":%"
			PRIu64 ",\"end_ns\":%" PRIu64 ",\"start_s\":%.9f,"
			"\"end_s\":%.9f,\"wall_ns\":%" PRIu64 ",\"status\":\"%s\","
			"\"exit_code\":", p->execs,
			p->from_snapshot ? "true" : "false", p->start_ns,
			p->end_ns, rel_s(p->start_ns), rel_s(p->end_ns),
			p->end_ns - p->start_ns, status_of(p, st));
		if (p->ended)
			fprintf(f, "%d", p->exit_code);
		else
			fputs("null", f);
		fputc(',', f);
		json_sums(f, "own", &p->own);
		fputc(',', f);
		json_sums(f, "all", &p->all);
		fputs(",\"children\":[", f);
		for (uint32_t k = 0; k < p->nkids; k++)
			fprintf(f, "%s%u", k ? "," : "", tr.kids[p->kids_off + k]);
		fputs("]}", f);
	}
	for (uint32_t k = 0; k < tr.ncrit; k++)
		io += tr.v[tr.crit[k].proc].own.time_ns;
	fprintf(f, "],\"critical_path\":{\"io_ns\":%" PRIu64 ",\"cut\":%s,"
		"\"processes\":[", io, tr.crit_cut ? "true" : "false");
	for (uint32_t k = 0; k < tr.ncrit; k++)
		fprintf(f, "%s{\"id\":%u,\"pid\":%u,\"depth\":%u}", k ? "," : "",
			tr.crit[k].proc, tr.v[tr.crit[k].proc].pid,
			tr.crit[k].depth);
	fputs("]}}\n", f);
}

static uint64_t
folded_weight(const struct sums *s)
{
	switch (opt.weight) {
	case WEIGHT_COUNT: return s->calls;
	case WEIGHT_BYTES: return s->bytes_read + s->bytes_written;
	case WEIGHT_ERRORS: return s->errors;
	default: return s->time_ns;
	}
}

static void
folded(FILE *f)
{
	uint32_t *path = reallocarray(NULL, tr.n + 1, sizeof(*path));

	if (path == NULL)
		err(1, "folded");
	for (uint32_t i = 0; i < tr.n; i++) {
		uint64_t w = folded_weight(&tr.v[i].own);
		uint32_t n = 0;

		if (w == 0)
			continue;
		for (int32_t x = (int32_t)i; x >= 0 && n <= tr.n;
		     x = tr.v[x].parent)
			path[n++] = (uint32_t)x;
		while (n-- > 0) {
			size_t len;
			const char *s = strtab_get(&tr.strs, tr.v[path[n]].comm,
						   &len);

			put_folded_frame(f, s ? s : "?", s ? len : 1);
			fputc(n ? ';' : ' ', f);
		}
		fprintf(f, "%" PRIu64 "\n", w);
	}
	free(path);
}

static int
by_time(const void *x, const void *y)
{
	const struct call *a = x, *b = y;

	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns ? -1 : 1;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}

/* One call: a JSON object, or "SINCE FOR PID/TID COMM call(fd path)". */
static void
put_call(FILE *f, const struct call *c, bool json, bool first)
{
	char u[UNITS_LEN];
	uint64_t held = c->unfinished ? tr.end_ns - c->time_ns : c->latency_ns;

	if (json) {
		fprintf(f, "%s{\"pid\":%u,\"tid\":%u,\"comm\":", first ? "" : ",",
			c->pid, c->tid);
		put_str(f, c->comm);
		fputs(",\"syscall\":", f);
		put_str(f, c->syscall);
		fprintf(f, ",\"fd\":%d,\"path\":", c->fd);
		if (c->path)
			put_str(f, c->path);
		else
			fputs("null", f);
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"since_s\":%.9f,"
			"\"latency_ns\":%" PRIu64 ",\"unfinished\":%s}",
			c->time_ns, rel_s(c->time_ns), c->latency_ns,
			c->unfinished ? "true" : "false");
		return;
	}
	fprintf(f, "%9.3f %9s  %u/%u ", rel_s(c->time_ns), units_ns(held, u),
		c->pid, c->tid);
	put_str(f, c->comm);
	fputc(' ', f);
	put_str(f, c->syscall);
	fputc('(', f);
	if (c->fd >= 0)
		fprintf(f, "%d%s", c->fd, c->path ? " " : "");
	if (c->path)
		put_str(f, c->path);
	fputs(c->unfinished ? " <unfinished ...>)\n" : ")\n", f);
}

static void
calls_out(FILE *f, const char *title, bool json)
{
	if (tr.ncalls > 1)
		qsort(tr.calls, tr.ncalls, sizeof(*tr.calls), by_time);
	if (!json && tr.ncalls == 0) {
		fprintf(f, "%s: none\n", title);
		return;
	}
	if (!json)
		fprintf(f, "%s:\n%9s %9s  %s\n", title, "SINCE", "FOR",
			"PID/TID COMM CALL");
	for (uint32_t k = 0; k < tr.ncalls; k++)
		put_call(f, &tr.calls[k], json, k == 0);
}

static void
at_out(FILE *f)
{
	char u[UNITS_LEN];
	bool any = false;

	if (tr.ncalls > 1)
		qsort(tr.calls, tr.ncalls, sizeof(*tr.calls), by_time);
	if (opt.json)
		fprintf(f, "{\"version\":1,\"at_s\":%.9f,\"at_ns\":%" PRIu64
			",\"processes\":[", opt.at_s, tr.at_ns);
	else
		fprintf(f, "at %.3f s (%s after the start):\n", opt.at_s,
			units_ns(tr.at_ns - tr.t0, u));
	for (uint32_t i = 0; i < tr.n; i++) {
		const struct proc *p = &tr.v[i];
		bool first = true;

		if (p->start_ns > tr.at_ns || (p->ended && p->end_ns <= tr.at_ns))
			continue;
		if (opt.json) {
			fprintf(f, "%s{\"pid\":%u,\"comm\":", any ? "," : "",
				p->pid);
			put_str(f, p->comm);
			fputs(",\"fds\":[", f);
		} else {
			fprintf(f, "\n%u ", p->pid);
			put_str(f, p->comm);
			fputc('\n', f);
		}
		any = true;
		for (int64_t fd = p->fds ? fdtable_next(p->fds, 0) : -1; fd >= 0;
		     fd = fdtable_next(p->fds, fd + 1)) {
			const struct fd_entry *e = fdtable_get(p->fds, fd);

			if (opt.json) {
				fprintf(f, "%s{\"fd\":%" PRId64 ",\"path\":", first ? "" :
					",", fd);
				put_str(f, e->path_id);
				fputc('}', f);
			} else {
				fprintf(f, "  fd %-4" PRId64 " ", fd);
				put_str(f, e->path_id);
				fputc('\n', f);
			}
			first = false;
		}
		if (opt.json)
			fputs("],\"calls\":[", f);
		first = true;
		for (uint32_t k = 0; k < tr.ncalls; k++) {
			const struct call *c = &tr.calls[k];

			if (c->proc != i)
				continue;
			if (!opt.json)
				fputs("  in call ", f);
			put_call(f, c, opt.json, first);
			first = false;
		}
		if (opt.json)
			fputs("]}", f);
	}
	if (opt.json)
		fputs("]}\n", f);
	else if (!any)
		fputs("no process in the capture then\n", f);
}

static void
release(void)
{
	for (uint32_t i = 0; i < tr.n; i++)
		if (tr.v[i].fds)
			fdtable_unref(tr.v[i].fds);
	free(tr.v);
	free(tr.kids);
	free(tr.calls);
	free(tr.crit);
	idmap_release(&tr.by_pid);
	strtab_release(&tr.strs);
	name_table_reset(&tr.names);
	sysnames_reset(&tr.sysnames);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "folded", no_argument, NULL, 'F' },
		{ "inflight", no_argument, NULL, 'I' },
		{ "at", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "weight", required_argument, NULL, 'w' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	bool ok = true;
	int ch, w;

	output_init();
	while ((ch = getopt_long(argc, argv, "w:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J': opt.json = true; break;
		case 'F': opt.folded = true; break;
		case 'I': opt.inflight = true; break;
		case 'A':
			opt.at_given = true;
			opt.at_s = units_parse(optarg, "time", 0);
			break;
		case 'w':
			w = weight_parse(optarg);
			if (w != WEIGHT_COUNT && w != WEIGHT_LATENCY &&
			    w != WEIGHT_BYTES && w != WEIGHT_ERRORS) {
				fprintf(stderr, "ior-tree: bad weight '%s'\n",
					optarg);
				return 2;
			}
			opt.weight = (enum weight)w;
			break;
		case VERSION_OPT: version_exit("ior-tree");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (opt.folded + opt.inflight + opt.at_given > 1 ||
	    (opt.folded && opt.json)) {
		fprintf(stderr, "ior-tree: --folded, --inflight and --at are "
			"separate views\n");
		usage(stderr, 2);
	}
	strtab_init(&tr.strs);
	idmap_init(&tr.by_pid);
	if (optind == argc)
		ok = read_input(NULL);
	/* What was read before damage is still told. */
	for (int i = optind; i < argc && ok; i++)
		ok = read_input(argv[i]);
	build_tree();
	critical_path();
	if (opt.inflight && opt.json) {
		fputs("{\"version\":1,\"end_ns\":", stdout);
		fprintf(stdout, "%" PRIu64 ",\"truncated\":%s,\"inflight\":[",
			tr.end_ns, tr.trailer_seen ? "false" : "true");
		calls_out(stdout, "", true);
		fputs("]}\n", stdout);
	} else if (opt.inflight) {
		calls_out(stdout, tr.trailer_seen ? "in flight at the end" :
			  "in flight at the end (input truncated: only calls "
			  "ior-pair saw end)", false);
	} else if (opt.at_given) {
		at_out(stdout);
	} else if (opt.folded) {
		folded(stdout);
	} else if (opt.json) {
		json_tree(stdout);
	} else {
		text_tree(stdout);
	}
	release();
	return output_close(stdout, "<stdout>", ok ? 0 : 1);
}
