/* SPDX-License-Identifier: MIT */
/*
 * ior-pair - join raw syscall enter and exit records into pairs with paths,
 * latency, bytes and errno.
 *
 * It keeps, per process, the fd table (from the capture's snapshot and from
 * the opens, dups and closes it sees) and the cwd, and per thread the
 * syscall in flight and its comm.  State lives only as long as the threads
 * and processes it describes, so memory follows live state, not the length
 * of the stream.  Context records pass through; enter/exit become IOR_PAIR
 * records with interned paths (IOR_NAME, written once before first use).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdtable.h"
#include "idmap.h"
#include "output.h"
#include "rules.h"
#include "sockname.h"
#include "stream.h"
#include "strtab.h"
#include "sysnames.h"
#include "version.h"

#define AT_FDCWD_INT (-100)
#define MAX_ERRNO 4095

/*
 * The kernel's restart codes (include/linux/errno.h): a syscall a signal
 * interrupted exits with one, and the kernel either runs it again or turns
 * the code into EINTR for the program.  They never reach the program.
 */
#define ERESTARTSYS_INT 512
#define ERESTARTNOINTR_INT 513
#define ERESTARTNOHAND_INT 514
#define ERESTART_RESTARTBLOCK_INT 516

static bool
is_restart_code(int64_t ret)
{
	return ret == -ERESTARTSYS_INT || ret == -ERESTARTNOINTR_INT ||
	       ret == -ERESTARTNOHAND_INT || ret == -ERESTART_RESTARTBLOCK_INT;
}

struct process {
	uint32_t pid;
	struct fdtable *fds;
	uint32_t cwd_id;        /* path id, 0 unknown */
	uint32_t comm_id;
	/*
	 * One reference for the process map, one per thread.  An exited
	 * process leaves the map but lives on, marked dead, while threads
	 * whose exits were lost still point at it.
	 */
	unsigned refs;
	bool dead;
};

struct pending {
	uint64_t time_ns;
	uint64_t exec_ns;       /* execve: when the exec event came, 0 none */
	uint16_t nr;
	uint16_t exit_nr;       /* the number its exit carries */
	bool restarted;         /* a restart of an interrupted attempt */
	uint8_t nargs;
	uint64_t args[IOR_ARGS_MAX];
	uint32_t str_id[IOR_ARGS_MAX];  /* path ids of string args, 0 none */
	uint32_t resolved[2];   /* path, path2 resolved at enter */
	uint32_t comm_id;       /* the thread's comm when it entered */
	bool dirfd_unknown;     /* a path was resolved against an unknown fd */
	bool cwd_unknown;       /* ... or against a cwd not known for certain */
	bool has_fdpair;        /* the exit carried two new fds */
	int32_t fdpair[2];
	const struct rule *rule;        /* instead of the number's, or NULL */
	bool has_inodes;        /* an IOR_SYSCALL_INODES came: */
	int32_t ino_fd[2];      /* ...these fds (-1 none)... */
	uint64_t ino[2];        /* ...are these inodes (0 unknown) */
	uint32_t sock_id;       /* path id of the socket address, 0 none */
};

struct thread {
	uint32_t tid;
	struct process *proc;
	uint32_t comm_id;
	bool busy;              /* an enter is pending */
	bool new_child;         /* its first exit may be clone's return */
	bool gap_known;
	uint64_t last_exit_ns;
	struct pending p;
	/*
	 * A call that exited with a restart code: its restart (or the
	 * EINTR it becomes) is still to come, maybe after a signal
	 * handler's own calls on this thread.
	 */
	bool interrupted;
	uint64_t interrupted_exit_ns;
	int64_t interrupted_ret;
	bool interrupted_gap_known;
	uint64_t interrupted_last_exit_ns;
	struct pending ip;
};

/*
 * An io_uring request in flight: submitted, its completion not seen.  It
 * pairs as a call of its own, on a thread of its own that stands for the
 * submitter (same process, fd table, comm, tid): a thread may have many
 * requests in flight, and they complete in any order, anywhere.
 */
struct uring_req {
	uint64_t ring, req;
	struct uring_req *next_free;    /* on uring_map's free list */
	struct thread t;
};

/*
 * The requests in flight by (ring, request): open addressing, linear
 * probing and backward-shift deletion as lib/idmap.c, so a submit and a
 * completion each cost one probe run.  Requests come and go at the
 * io_uring's rate: a completed one goes on a free list for the next
 * submit, and no request is allocated once the peak in flight is.  The
 * section's end or a loss gives everything back.
 */
struct uring_slot {
	uint64_t ring, req;
	struct uring_req *u;            /* NULL: the slot is empty */
};

struct uring_map {
	struct uring_slot *slots;
	size_t mask;                    /* capacity - 1, a power of two */
	size_t count;
	struct uring_req *free;
};

#define URING_MAP_MIN 64u

static size_t
uring_hash(const struct uring_map *m, uint64_t ring, uint64_t req)
{
	/* Kernel addresses: the low bits are alignment, mix in the high. */
	uint64_t h = (req ^ (ring * 0xc2b2ae3d27d4eb4full)) *
		     0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & m->mask;
}

/* The slot of (ring, req), or the empty slot where it would go. */
static struct uring_slot *
uring_slot(const struct uring_map *m, uint64_t ring, uint64_t req)
{
	for (size_t i = uring_hash(m, ring, req);; i = (i + 1) & m->mask) {
		struct uring_slot *s = &m->slots[i];

		if (s->u == NULL || (s->req == req && s->ring == ring))
			return s;
	}
}

/* Room for one more entry, the table at most three quarters full. */
static void
uring_reserve(struct uring_map *m)
{
	struct uring_slot *old = m->slots;
	size_t old_cap = old != NULL ? m->mask + 1 : 0, cap;

	if (old != NULL && (m->count + 1) * 4 <= old_cap * 3)
		return;
	cap = old != NULL ? old_cap * 2 : URING_MAP_MIN;
	if ((m->slots = calloc(cap, sizeof(*m->slots))) == NULL)
		err(1, "calloc");
	m->mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].u != NULL)
			*uring_slot(m, old[i].ring, old[i].req) = old[i];
	free(old);
}

/* Empty slot s, shifting later members of its probe run back. */
static void
uring_slot_clear(struct uring_map *m, struct uring_slot *s)
{
	size_t i = (size_t)(s - m->slots), j;

	for (j = (i + 1) & m->mask; m->slots[j].u != NULL;
	     j = (j + 1) & m->mask) {
		size_t home = uring_hash(m, m->slots[j].ring,
					 m->slots[j].req);

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].u = NULL;
	m->count--;
}

/* The order requests in flight end in: (request, ring), as ever. */
static int
uring_req_cmp(const void *a, const void *b)
{
	const struct uring_req *x = *(struct uring_req *const *)a;
	const struct uring_req *y = *(struct uring_req *const *)b;

	if (x->req != y->req)
		return x->req < y->req ? -1 : 1;
	return x->ring < y->ring ? -1 : x->ring > y->ring;
}

struct pairer {
	struct stream_writer out;
	/* Pairs written this section, unfinished ones too: the next seq. */
	uint64_t written;
	struct uring_map uring;         /* requests in flight */
	struct sysnames names;
	const struct rule *rule[SYSNAMES_MAX];
	struct idmap threads, processes;
	struct thread *last_thread;     /* thread_get's last answer */
	struct strtab paths, comms;
	uint8_t *path_written, *comm_written;   /* per id: IOR_NAME sent */
	uint32_t path_written_cap, comm_written_cap;
	struct ior_pair_totals totals;
	/*
	 * Which of chdir and fchdir (enum rule_kind bits) the stream says
	 * were traced.  Unless both were, the cwd may have moved unseen, and
	 * no relative path is resolved against it.
	 */
	unsigned cwd_traced;
	uint64_t anchor_clock, anchor_realtime;
	uint64_t end_ns;        /* the trailer's time, for unfinished calls */
	bool section_open;
	int argc;
	char **argv;
};

/* The rule of a syscall number the stream named, or NULL. */
static const struct rule *
rule_of(const struct pairer *pr, unsigned nr)
{
	return nr < SYSNAMES_MAX ? pr->rule[nr] : NULL;
}

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: ior-pair [FILE ...]\n");
	if (status != 0)
		exit(status);
	fprintf(f,
"\n"
"Join the raw enter and exit records of an ior stream into one record per\n"
"syscall with its file's path, latency, bytes and errno.  Reads standard\n"
"input when no FILE is given; writes a paired ior stream to standard output.\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture -- make | ior-pair | ior-dump\n"
"  ior-pair < run.ior | ior-agg --json\n");
	exit(0);
}

/* Strings: interned, and their IOR_NAME written before first use. */

static uint32_t
mark_written(uint8_t **flags, uint32_t *cap, uint32_t id)
{
	if (id >= *cap) {
		uint32_t n = *cap ? *cap : 1024;

		while (n <= id)
			n *= 2;
		if ((*flags = realloc(*flags, n)) == NULL)
			err(1, "realloc");
		memset(*flags + *cap, 0, n - *cap);
		*cap = n;
	}
	if ((*flags)[id])
		return 0;
	(*flags)[id] = 1;
	return 1;
}

static void
emit_name(struct pairer *pr, uint16_t kind, uint32_t id, const char *bytes,
	  size_t len)
{
	struct ior_name *n;
	/* A longer name (a joined or moved path) is cut and flagged. */
	uint32_t size = IOR_ALIGN8(sizeof(*n) + sizeof(struct ior_string) +
				   (len > IOR_STRING_MAX ? IOR_STRING_MAX : len));
	uint32_t off = sizeof(*n);

	n = stream_reserve(&pr->out, IOR_NAME, kind, size);
	n->id = id;
	n->str_off = sizeof(*n);
	n->nstrings = 1;
	record_add_string(n, &off, bytes, len, 0, 0);
}

static void
write_name(struct pairer *pr, uint16_t kind, uint32_t id)
{
	bool path = kind == IOR_NAME_PATH;
	const struct strtab *t = path ? &pr->paths : &pr->comms;
	size_t len;
	const char *s;

	if (!mark_written(path ? &pr->path_written : &pr->comm_written,
			  path ? &pr->path_written_cap : &pr->comm_written_cap,
			  id))
		return;
	s = strtab_get(t, id, &len);
	emit_name(pr, kind, id, s, len);
}

/* Write the IOR_NAME of id unless it is out already (most are). */
static inline void
need_name(struct pairer *pr, uint16_t kind, uint32_t id)
{
	const uint8_t *written = kind == IOR_NAME_PATH ? pr->path_written :
				 pr->comm_written;
	uint32_t cap = kind == IOR_NAME_PATH ? pr->path_written_cap :
		       pr->comm_written_cap;

	if (id != 0 && (id >= cap || !written[id]))
		write_name(pr, kind, id);
}

static uint32_t
intern_comm(struct pairer *pr, const uint8_t comm[IOR_COMM_LEN])
{
	return strtab_intern(&pr->comms, comm, strnlen((const char *)comm,
						       IOR_COMM_LEN));
}

static uint32_t
intern_str(struct strtab *t, const char *s)
{
	return strtab_intern(t, s, strlen(s));
}

/*
 * Append len bytes to the path in buf (n bytes), as many as fit in
 * IOR_STRING_MAX + 1; false when they did not all fit.
 */
static bool
path_put(char *buf, size_t *n, const char *bytes, size_t len)
{
	size_t room = IOR_STRING_MAX + 1 - *n;
	bool fits = len <= room;

	memcpy(buf + *n, bytes, fits ? len : room);
	*n += fits ? len : room;
	return fits;
}

/*
 * Join base and a relative path, dropping "." components and folding ".."
 * lexically, as a person reads the path.  Symlinks are not followed: the
 * trace has no way to know them.  A path longer than IOR_STRING_MAX is
 * kept as its first IOR_STRING_MAX + 1 bytes and no more is folded (a ".."
 * cannot undo a cut); emit_name() writes it cut to the limit and flagged
 * truncated.
 */
static uint32_t
join_path(struct pairer *pr, uint32_t base_id, const char *base_if_unknown,
	  const char *rel, size_t rel_len)
{
	static char buf[IOR_STRING_MAX + 1];
	size_t base_len, n = 0;
	const char *base = base_id ? strtab_get(&pr->paths, base_id, &base_len)
				   : NULL;
	bool whole;

	if (base == NULL) {
		base = base_if_unknown;
		base_len = strlen(base);
	}
	if (rel_len > 0 && rel[0] == '/') {
		base = "/";
		base_len = 1;
	}
	whole = path_put(buf, &n, base, base_len);
	for (size_t i = 0; whole && i < rel_len;) {
		size_t j = i;

		while (j < rel_len && rel[j] != '/')
			j++;
		if (j - i == 0 || (j - i == 1 && rel[i] == '.')) {
			/* empty or "." */
		} else if (j - i == 2 && rel[i] == '.' && rel[i + 1] == '.' &&
			   n > 0 && buf[0] == '/') {
			/* ".." folds; at the root it stays there */
			while (n > 1 && buf[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else {
			if ((n == 0 || buf[n - 1] != '/') &&
			    !path_put(buf, &n, "/", 1))
				break;
			whole = path_put(buf, &n, rel + i, j - i);
		}
		i = j + 1;
	}
	return strtab_intern(&pr->paths, buf, n);
}

static struct process *
process_get(struct pairer *pr, uint32_t pid)
{
	struct process *p = idmap_get(&pr->processes, pid);

	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			err(1, "calloc");
		p->pid = pid;
		p->fds = fdtable_new();
		p->refs = 1;
		idmap_put(&pr->processes, pid, p);
	}
	return p;
}

static void
process_unref(struct process *p)
{
	if (--p->refs > 0)
		return;
	fdtable_unref(p->fds);
	free(p);
}

/* The process exited: later events under its pid are another process's. */
static void
process_end(struct pairer *pr, struct process *p)
{
	idmap_remove(&pr->processes, p->pid);
	p->dead = true;
	process_unref(p);
}

static struct thread *
thread_get(struct pairer *pr, uint32_t pid, uint32_t tid)
{
	/* A syscall's exit mostly follows its enter: ask the map once. */
	struct thread *t = pr->last_thread && pr->last_thread->tid == tid ?
			   pr->last_thread : idmap_get(&pr->threads, tid);

	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			err(1, "calloc");
		t->tid = tid;
		t->proc = process_get(pr, pid);
		t->proc->refs++;
		t->comm_id = t->proc->comm_id;
		idmap_put(&pr->threads, tid, t);
	} else if (t->proc->pid != pid || t->proc->dead) {
		/* A reused tid, or its process is gone: a different thread. */
		process_unref(t->proc);
		t->proc = process_get(pr, pid);
		t->proc->refs++;
		t->busy = false;
		t->gap_known = false;
		t->comm_id = t->proc->comm_id;
	}
	pr->last_thread = t;
	return t;
}

static void
thread_free(struct pairer *pr, struct thread *t)
{
	if (pr->last_thread == t)
		pr->last_thread = NULL;
	idmap_remove(&pr->threads, t->tid);
	process_unref(t->proc);
	free(t);
}

/* The path id an fd names in t's process, or an unknown marker. */
static uint32_t
fd_path(struct pairer *pr, struct thread *t, int64_t fd, bool *unknown)
{
	const struct fd_entry *e = fdtable_get(t->proc->fds, fd);
	char name[48];

	if (e != NULL)
		return e->path_id;
	if (fd < 0)
		return 0;       /* close(-1) and the like name no file */
	*unknown = true;
	snprintf(name, sizeof(name), "<unknown fd %" PRId64 ">", fd);
	return intern_str(&pr->paths, name);
}

/* An fd argument as the int the kernel reads (upper bits are garbage). */
static int64_t
fd_arg(uint64_t v)
{
	return (int32_t)(uint32_t)v;
}

#define CWD_TRACED_ALL (1u << K_CHDIR | 1u << K_FCHDIR)
#define UNKNOWN_CWD "<unknown cwd>"

/* Note what a syscall name record says: a cwd-changing syscall traced? */
static void
note_traced(struct pairer *pr, const struct rule *r, uint8_t flags)
{
	if ((r->kind == K_CHDIR || r->kind == K_FCHDIR) &&
	    (flags & IOR_SYSNAME_TRACED))
		pr->cwd_traced |= 1u << r->kind;
}

/*
 * The cwd of t's process if it is known for certain, else 0: a relative
 * path is never resolved against a cwd that may have moved without the
 * trace seeing it.  *unsure is set unless the cwd is an absolute path
 * (not one made from an unknown fd or cwd).
 */
static uint32_t
cwd_of(struct pairer *pr, const struct thread *t, bool *unsure)
{
	uint32_t cwd = pr->cwd_traced == CWD_TRACED_ALL ? t->proc->cwd_id : 0;
	size_t len;
	const char *s = cwd ? strtab_get(&pr->paths, cwd, &len) : NULL;

	if (s == NULL || len == 0 || s[0] != '/')
		*unsure = true;
	return cwd;
}

/* A directory fd opened relative to a cwd not known for certain? */
static bool
under_unknown_cwd(struct pairer *pr, uint32_t id)
{
	size_t len;
	const char *s = strtab_get(&pr->paths, id, &len);

	return s != NULL && len >= sizeof(UNKNOWN_CWD) - 1 &&
	       memcmp(s, UNKNOWN_CWD, sizeof(UNKNOWN_CWD) - 1) == 0;
}

/* prefix followed by len bytes, interned: "memfd:" + a memfd's name. */
static uint32_t
prefixed_name(struct pairer *pr, const char *prefix, const void *bytes,
	      size_t len)
{
	char buf[IOR_STRING_MAX + 1];
	size_t n = strlen(prefix);

	if (len > sizeof(buf) - n)
		len = sizeof(buf) - n;
	memcpy(buf, prefix, n);
	memcpy(buf + n, bytes, len);
	return strtab_intern(&pr->paths, buf, n + len);
}

/*
 * The name of new fd of the pending call of t: KIND:[INO] as
 * /proc/PID/fd shows a pipe or a socket, when the kernel told its inode;
 * else fallback (the rule's name: all such fds alike).
 */
static uint32_t
inode_name(struct pairer *pr, const struct thread *t, int32_t fd,
	   const char *fallback)
{
	char name[64];
	size_t kind = strcspn(fallback, ":");

	for (int i = 0; t->p.has_inodes && i < 2; i++) {
		if (t->p.ino_fd[i] != fd || fd < 0 || t->p.ino[i] == 0)
			continue;
		snprintf(name, sizeof(name), "%.*s:[%" PRIu64 "]", (int)kind,
			 fallback, t->p.ino[i]);
		return intern_str(&pr->paths, name);
	}
	return intern_str(&pr->paths, fallback);
}

static uint32_t
resolve(struct pairer *pr, struct thread *t, int dirfd_arg, int path_arg,
	const struct string_ref *strs, const bool *have)
{
	const struct string_ref *s;
	bool unknown = false;

	if (path_arg < 0 || !have[path_arg])
		return 0;
	s = &strs[path_arg];
	if (s->flags & IOR_STRING_FAULT)
		return intern_str(&pr->paths, "<unreadable path>");
	if (s->len > 0 && s->bytes[0] == '/')
		return join_path(pr, 0, "/", (const char *)s->bytes, s->len);
	if (dirfd_arg < 0 || fd_arg(t->p.args[dirfd_arg]) == AT_FDCWD_INT)
		return join_path(pr, cwd_of(pr, t, &t->p.cwd_unknown),
				 UNKNOWN_CWD, (const char *)s->bytes, s->len);
	/* Relative to a directory fd; "" (AT_EMPTY_PATH) is the fd itself. */
	{
		uint32_t dir = fd_path(pr, t, fd_arg(t->p.args[dirfd_arg]),
				       &unknown);

		t->p.dirfd_unknown |= unknown;
		t->p.cwd_unknown |= !unknown && under_unknown_cwd(pr, dir);
		return join_path(pr, dir, "", (const char *)s->bytes, s->len);
	}
}

static void emit_pair(struct pairer *pr, struct thread *t, uint64_t exit_ns,
		      int64_t ret, uint8_t extra_flags);

/* Pair the interrupted call of t now, as ret at exit_ns. */
static void
flush_interrupted(struct pairer *pr, struct thread *t, uint64_t exit_ns,
		  int64_t ret, uint8_t flags)
{
	struct pending cur = t->p;
	bool busy = t->busy, gap_known = t->gap_known;
	uint64_t last_exit = t->last_exit_ns;

	if (!t->interrupted)
		return;
	t->interrupted = false;
	t->p = t->ip;
	t->gap_known = t->interrupted_gap_known;
	t->last_exit_ns = t->interrupted_last_exit_ns;
	emit_pair(pr, t, exit_ns, ret, flags);
	/* The thread's own state is its latest call's, not this one's. */
	t->p = cur;
	t->busy = busy;
	t->gap_known = gap_known;
	t->last_exit_ns = last_exit > exit_ns ? last_exit : exit_ns;
}

/* Is the enter of t->p the kernel's restart of t's interrupted call? */
static bool
is_restart_of(struct pairer *pr, const struct thread *t)
{
	const struct rule *r = rule_of(pr, t->p.nr);

	/* ERESTART_RESTARTBLOCK comes back as restart_syscall, only */
	if (r != NULL && r->kind == K_RESTART)
		return t->interrupted_ret == -ERESTART_RESTARTBLOCK_INT;
	if (t->interrupted_ret == -ERESTART_RESTARTBLOCK_INT ||
	    t->p.nr != t->ip.nr || t->p.nargs != t->ip.nargs)
		return false;
	for (unsigned i = 0; i < t->p.nargs; i++)
		if (t->p.args[i] != t->ip.args[i])
			return false;
	return true;
}

/* A call whose exit never comes as an exit record, paired as it ends. */
static bool
pair_noreturn(struct pairer *pr, struct thread *t)
{
	const struct rule *r = rule_of(pr, t->p.nr);

	if (!t->busy || r == NULL)
		return false;
	if (r->kind == K_SIGRETURN) {
		/* A stream without rt_sigreturn's exit: it ended by now. */
		emit_pair(pr, t, t->p.time_ns, 0, IOR_PAIR_NORETURN);
		return true;
	}
	if (r->kind == K_EXEC && t->p.exec_ns) {
		emit_pair(pr, t, t->p.exec_ns, 0, IOR_PAIR_NORETURN);
		return true;
	}
	return false;
}

static void
on_enter(struct pairer *pr, const struct ior_syscall_enter *e, uint32_t size)
{
	struct thread *t = thread_get(pr, e->pid, e->tid);
	const struct rule *r = rule_of(pr, e->header.misc);
	const uint64_t *args = (const void *)(e + 1);
	struct string_ref strs[IOR_ARGS_MAX];
	bool have[IOR_ARGS_MAX];
	/* The reader refuses more than IOR_ARGS_MAX; the cut keeps it so. */
	unsigned nargs = e->nargs > IOR_ARGS_MAX ? IOR_ARGS_MAX : e->nargs;

	if (t->busy && !pair_noreturn(pr, t))
		pr->totals.unmatched_enters++;  /* its exit never came */
	if (sizeof(*e) + nargs * 8u > size)
		nargs = size > sizeof(*e) ? (size - sizeof(*e)) / 8 : 0;
	memset(&t->p, 0, sizeof(t->p));
	t->busy = true;
	t->new_child = false;
	t->p.time_ns = e->time_ns;
	t->p.nr = e->header.misc;
	t->p.exit_nr = e->header.misc;
	t->p.nargs = nargs;
	t->p.comm_id = t->comm_id;
	for (unsigned i = 0; i < nargs; i++)    /* a loop: no libc call */
		t->p.args[i] = args[i];
	if (t->interrupted && is_restart_of(pr, t)) {
		/*
		 * The kernel runs the interrupted call again: one call to
		 * the program, from its first enter to the last exit, with
		 * the paths of its first attempt.
		 */
		uint16_t exit_nr = t->p.nr;

		t->interrupted = false;
		t->p = t->ip;
		t->p.exit_nr = exit_nr;
		t->p.restarted = true;
		t->gap_known = t->interrupted_gap_known;
		t->last_exit_ns = t->interrupted_last_exit_ns;
		return;
	}
	record_strings_by_arg(e, size, e->str_off, e->nstrings, strs, have);
	if (r == NULL)
		return;
	/* utimensat(fd, NULL, ...): no path to read; apply() names the fd */
	if (r->null_is_fd && r->path >= 0 && t->p.args[r->path] == 0)
		have[r->path] = false;
	/*
	 * Paths resolve against the fd table and cwd as they are at enter:
	 * another thread may change them before the exit.
	 */
	t->p.resolved[0] = resolve(pr, t, r->dirfd, r->path, strs, have);
	t->p.resolved[1] = resolve(pr, t, r->dirfd2, r->path2, strs, have);
	if (r->kind == K_NAMEDFD && have[0] &&
	    !(strs[0].flags & IOR_STRING_FAULT))
		t->p.resolved[0] = prefixed_name(pr, r->newfd_name,
						 strs[0].bytes, strs[0].len);
}

/*
 * The inodes of the fds the call made, read by the kernel at its exit,
 * just before the exit record.
 */
static void
on_inodes(struct pairer *pr, const struct ior_syscall_inodes *x,
	  uint32_t size)
{
	struct thread *t;

	if (size < sizeof(*x))
		return;
	t = thread_get(pr, x->pid, x->tid);
	if (!t->busy || t->p.exit_nr != x->header.misc)
		return;
	t->p.has_inodes = true;
	for (int i = 0; i < 2; i++) {
		t->p.ino_fd[i] = x->fd[i];
		t->p.ino[i] = x->ino[i];
	}
}

/*
 * A socket address: connect's or bind's just after the enter, accept's
 * just before the exit.
 */
static void
on_sockaddr(struct pairer *pr, const struct ior_syscall_sockaddr *x,
	    uint32_t size)
{
	char name[SOCKNAME_MAX];
	struct thread *t;
	size_t len;

	if (size < sizeof(*x) || x->len > size - sizeof(*x))
		return;
	t = thread_get(pr, x->pid, x->tid);
	if (!t->busy || t->p.exit_nr != x->header.misc || t->p.restarted)
		return;
	/*
	 * Part of an address (accept's buffer was shorter) would read as
	 * another address: it names nothing, as no address does.
	 */
	len = x->flags & IOR_STRING_TRUNCATED ? 0 :
	      sockname_format(name, x + 1, x->len, x->socktype);
	/* An unnamed unix peer (accept's usual one) names nothing. */
	t->p.sock_id = len > 0 && strcmp(name, "unix:") != 0 ?
		       strtab_intern(&pr->paths, name, len) : 0;
}

/*
 * Strings the enter could not read (the page was not resident), read
 * again at the exit: the paths resolve now, against the same tables.
 */
static void
on_strings(struct pairer *pr, const struct ior_syscall_strings *x,
	   uint32_t size)
{
	struct thread *t = thread_get(pr, x->pid, x->tid);
	const struct rule *r = rule_of(pr, t->p.nr);
	struct string_ref strs[IOR_ARGS_MAX];
	bool have[IOR_ARGS_MAX];

	if (!t->busy || t->p.exit_nr != x->header.misc || r == NULL ||
	    t->p.restarted)
		return;

	record_strings_by_arg(x, size, x->str_off, x->nstrings, strs, have);
	/* A string the exit could not read either changes nothing. */
	for (unsigned tag = 0; tag < IOR_ARGS_MAX; tag++)
		if (have[tag] && (strs[tag].flags & IOR_STRING_FAULT))
			have[tag] = false;
	if (r->path >= 0 && r->path < IOR_ARGS_MAX && have[r->path])
		t->p.resolved[0] = resolve(pr, t, r->dirfd, r->path, strs,
					   have);
	if (r->path2 >= 0 && r->path2 < IOR_ARGS_MAX && have[r->path2])
		t->p.resolved[1] = resolve(pr, t, r->dirfd2, r->path2, strs,
					   have);
}

struct rename {
	struct pairer *pr;
	uint32_t from, to;      /* path ids */
	bool exchange;          /* RENAME_EXCHANGE: to becomes from too */
	uint32_t stamp;         /* fd tables already mapped in this pass */
};

/* id under "from" maps to the same place under "to": a dir moves its files. */
static uint32_t
move_under(struct pairer *pr, uint32_t id, uint32_t from, uint32_t to)
{
	size_t len, from_len, to_len;
	const char *path = strtab_get(&pr->paths, id, &len);
	const char *from_path = strtab_get(&pr->paths, from, &from_len);
	const char *to_path;
	char *buf;
	uint32_t moved;

	if (id == from)
		return to;
	if (path == NULL || from_path == NULL || len <= from_len ||
	    path[from_len] != '/' || memcmp(path, from_path, from_len) != 0)
		return 0;
	to_path = strtab_get(&pr->paths, to, &to_len);
	if ((buf = malloc(to_len + len - from_len)) == NULL)
		err(1, "malloc");
	memcpy(buf, to_path, to_len);
	memcpy(buf + to_len, path + from_len, len - from_len);
	moved = strtab_intern(&pr->paths, buf, to_len + len - from_len);
	free(buf);
	return moved;
}

static uint32_t
map_renamed(uint32_t id, void *arg)
{
	struct rename *rn = arg;
	uint32_t moved = move_under(rn->pr, id, rn->from, rn->to);

	if (moved == 0 && rn->exchange)
		moved = move_under(rn->pr, id, rn->to, rn->from);
	return moved ? moved : id;
}

static void
rename_open_files(uint32_t key, void *value, void *arg)
{
	struct process *p = value;
	struct rename *rn = arg;

	(void)key;
	if (p->fds->stamp != rn->stamp) {
		/* A table shared by CLONE_FILES is mapped once. */
		p->fds->stamp = rn->stamp;
		fdtable_map_paths(p->fds, map_renamed, rn);
	}
	if (p->cwd_id)
		p->cwd_id = map_renamed(p->cwd_id, rn);
}

/*
 * open_by_handle_at: the handle names a file the trace cannot resolve to
 * a path (the kernel resolves it by inode, with no path on the way); the
 * name says so, with the mount the handle is on and the inode the kernel
 * opened when it told it.
 */
static uint32_t
handle_name(struct pairer *pr, const struct thread *t, uint32_t mount_id,
	    int64_t ret)
{
	char name[IOR_STRING_MAX + 64], tail[40] = ">";
	size_t len = 0, n;
	const char *mount = mount_id ? strtab_get(&pr->paths, mount_id, &len)
				     : NULL;

	if (mount == NULL) {
		mount = "?";
		len = 1;
	}
	if (len > IOR_STRING_MAX)
		len = IOR_STRING_MAX;
	for (int i = 0; t->p.has_inodes && i < 2; i++)
		if (t->p.ino_fd[i] == ret && ret >= 0 && t->p.ino[i])
			snprintf(tail, sizeof(tail), ", inode %" PRIu64 ">",
				 t->p.ino[i]);
	/* the mount's path is bytes: copied, not formatted */
	n = strlen("<file handle on ");
	memcpy(name, "<file handle on ", n);
	memcpy(name + n, mount, len);
	memcpy(name + n + len, tail, strlen(tail));
	return strtab_intern(&pr->paths, name, n + len + strlen(tail));
}

/*
 * An O_TMPFILE file has no name in its directory; the kernel calls it
 * "#INO" there ("/tmp/#1234 (deleted)" in /proc/PID/fd): so does ior,
 * without the " (deleted)", or "#tmpfile" when the inode is not known.
 */
static uint32_t
tmpfile_name(struct pairer *pr, const struct thread *t, uint32_t dir_id,
	     int64_t ret)
{
	char name[32] = "#tmpfile";

	for (int i = 0; t->p.has_inodes && i < 2; i++)
		if (t->p.ino_fd[i] == ret && t->p.ino[i])
			snprintf(name, sizeof(name), "#%" PRIu64, t->p.ino[i]);
	return join_path(pr, dir_id, UNKNOWN_CWD, name, strlen(name));
}

/* Is id a socket's address ("tcp:...", "unix:/x"), not "socket:[INO]"? */
static bool
is_address_name(struct pairer *pr, uint32_t id)
{
	size_t len;
	const char *s = strtab_get(&pr->paths, id, &len);

	return s != NULL && len > 0 && s[0] != '<' && s[0] != '/' &&
	       memchr(s, ':', len) != NULL &&
	       !(len >= 7 && memcmp(s, "socket:", 7) == 0);
}

/* Apply a successful syscall to the fd table and fill in the pair. */
static void
apply(struct pairer *pr, struct thread *t, const struct rule *r,
      int64_t ret, struct ior_pair *p)
{
	const uint64_t *a = t->p.args;
	struct fdtable *fds = t->proc->fds;
	bool unknown = false, ok = ret >= 0 || ret < -MAX_ERRNO;
	const struct fd_entry *e;
	uint32_t flags;

	if (r->null_is_fd && r->path >= 0 && a[r->path] == 0) {
		p->fd = fd_arg(a[r->dirfd]);
		p->path_id = fd_path(pr, t, p->fd, &unknown);
	}
	if (r->fd >= 0) {
		p->fd = fd_arg(a[r->fd]);
		if (r->kind != K_MMAP || !(a[3] & 0x20 /* MAP_ANONYMOUS */)) {
			/* One lookup for both on the hot path. */
			if ((e = fdtable_get(fds, p->fd)) != NULL) {
				p->path_id = e->path_id;
				p->flags = e->flags;
			} else {
				p->path_id = fd_path(pr, t, p->fd, &unknown);
			}
		} else {
			p->fd = -1;
		}
	}
	unknown |= t->p.dirfd_unknown;
	if (t->p.resolved[0])
		p->path_id = t->p.resolved[0];
	if (t->p.resolved[1])
		p->path2_id = t->p.resolved[1];

	switch (r->kind) {
	case K_READ:
		if (ok && ret > 0) {
			p->bytes = ret;
			p->pair_flags |= IOR_PAIR_READ;
		}
		break;
	case K_WRITE:
		if (ok && ret > 0) {
			p->bytes = ret;
			p->pair_flags |= IOR_PAIR_WRITE;
		}
		break;
	case K_TRANSFER:
		p->path2_id = fd_path(pr, t, fd_arg(a[r->fd2]), &unknown);
		if (ok && ret > 0) {
			p->bytes = ret;
			p->pair_flags |= IOR_PAIR_READ | IOR_PAIR_WRITE;
		}
		break;
	case K_OPEN:
		flags = r->flags >= 0 ? (uint32_t)a[r->flags] :
			strcmp(r->name, "creat") == 0 ?
				O_CREAT | O_WRONLY | O_TRUNC : 0;
		p->flags = flags;
		if (r->path < 0)
			p->path_id = handle_name(pr, t, p->path_id, ret);
		else if (ok && (flags & O_TMPFILE) == O_TMPFILE)
			p->path_id = tmpfile_name(pr, t, p->path_id, ret);
		if (ok) {
			p->fd = ret;
			fdtable_set(fds, ret, p->path_id, flags);
		}
		break;
	case K_CLOSE:
		/* Linux frees the fd on every error but EBADF (EIO, EINTR). */
		if (ok || ret != -EBADF)
			fdtable_close(fds, p->fd);
		break;
	case K_CLOSE_RANGE:
		if (ok && (a[2] & 2 /* CLOSE_RANGE_UNSHARE */) && fds->refs > 1) {
			struct fdtable *own = fdtable_copy(fds);

			fdtable_unref(fds);
			t->proc->fds = fds = own;
		}
		if (ok)
			fdtable_close_range(fds, (uint32_t)a[0], (uint32_t)a[1],
					    a[2] & 4 /* CLOSE_RANGE_CLOEXEC */);
		break;
	case K_DUP:
		if (ok && (e = fdtable_get(fds, p->fd)) != NULL)
			fdtable_set(fds, ret, e->path_id,
				    e->flags & ~(uint32_t)O_CLOEXEC);
		if (ok)
			p->fd = ret;
		break;
	case K_DUP2:
		if (ok && ret == p->fd) {
			/* dup2(fd, fd) changes nothing, not even O_CLOEXEC */
		} else if (ok && (e = fdtable_get(fds, p->fd)) != NULL) {
			uint32_t path = e->path_id;

			flags = e->flags & ~(uint32_t)O_CLOEXEC;
			if (r->flags >= 0 && (a[r->flags] & O_CLOEXEC))
				flags |= O_CLOEXEC;
			fdtable_set(fds, ret, path, flags);
		} else if (ok) {
			fdtable_close(fds, ret);
		}
		if (ok)
			p->fd = ret;
		break;
	case K_FCNTL:
		switch ((int)a[1]) {
		case F_DUPFD:
		case F_DUPFD_CLOEXEC:
			if (ok && (e = fdtable_get(fds, p->fd)) != NULL)
				fdtable_set(fds, ret, e->path_id,
					    (e->flags & ~(uint32_t)O_CLOEXEC) |
					    ((int)a[1] == F_DUPFD_CLOEXEC ?
					     O_CLOEXEC : 0));
			break;
		case F_SETFD:
			if (ok)
				fdtable_set_cloexec(fds, p->fd, a[2] & FD_CLOEXEC);
			break;
		}
		break;
	case K_RENAME:
		if (ok && p->path_id && p->path2_id) {
			static uint32_t stamp;
			struct rename rn = {
				pr, p->path_id, p->path2_id,
				strcmp(r->name, "renameat2") == 0 &&
					(a[4] & 2 /* RENAME_EXCHANGE */),
				++stamp,
			};

			idmap_foreach(&pr->processes, rename_open_files, &rn);
		}
		break;
	case K_CHDIR:
		if (ok && p->path_id)
			t->proc->cwd_id = p->path_id;
		break;
	case K_FCHDIR:
		/* To an fd we do not know: the cwd is unknown, not the old one. */
		if (ok)
			t->proc->cwd_id = unknown ? 0 : p->path_id;
		break;
	case K_FDPAIR:
		p->path_id = intern_str(&pr->paths, r->newfd_name);
		if (ok && t->p.has_fdpair && t->p.fdpair[0] >= 0) {
			flags = r->flags >= 0 ? (uint32_t)a[r->flags] & O_CLOEXEC
					      : 0;
			p->fd = t->p.fdpair[0];
			/* a pipe's ends share an inode, a socketpair's not */
			for (int i = 1; i >= 0; i--) {
				p->path_id = inode_name(pr, t, t->p.fdpair[i],
							r->newfd_name);
				fdtable_set(fds, t->p.fdpair[i], p->path_id,
					    flags);
			}
		}
		break;
	case K_NEWFD: {
		/* accept's fd 0 is the listening socket */
		uint32_t listener = r->fd >= 0 ? p->path_id : 0;

		p->path_id = intern_str(&pr->paths, r->newfd_name);
		if (!ok)
			break;
		p->fd = ret;
		if (t->p.sock_id)
			p->path_id = t->p.sock_id;
		else if (listener && is_address_name(pr, listener))
			p->path_id = listener;
		else
			p->path_id = inode_name(pr, t, ret, r->newfd_name);
		fdtable_set(fds, ret, p->path_id,
			    r->flags >= 0 ? (uint32_t)a[r->flags] : 0);
		break;
	}
	case K_NAMEDFD:
		if (p->path_id == 0)
			p->path_id = intern_str(&pr->paths, r->newfd_name);
		if (ok) {
			p->fd = ret;
			/* MFD_CLOEXEC is 1 */
			fdtable_set(fds, ret, p->path_id,
				    (a[1] & 1) ? O_CLOEXEC : 0);
		}
		break;
	case K_SOCKNAME:
		/* A non-blocking connect goes on after EINPROGRESS. */
		if (t->p.sock_id && (ok || ret == -EINPROGRESS)) {
			e = fdtable_get(fds, p->fd);
			flags = e != NULL ? e->flags : 0;
			p->path_id = t->p.sock_id;
			fdtable_set(fds, p->fd, p->path_id, flags);
		}
		break;
	default:
		break;
	}
	if (unknown) {
		p->pair_flags |= IOR_PAIR_FD_UNKNOWN;
		pr->totals.fd_unknown++;
	}
	if (t->p.cwd_unknown)
		p->pair_flags |= IOR_PAIR_CWD_UNKNOWN;
}

static void
emit_pair(struct pairer *pr, struct thread *t, uint64_t exit_ns, int64_t ret,
	  uint8_t extra_flags)
{
	const struct rule *r = t->p.rule ? t->p.rule : rule_of(pr, t->p.nr);
	struct ior_pair *p, tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.fd = -1;
	tmp.pair_flags = extra_flags;
	if (r != NULL)
		apply(pr, t, r, ret, &tmp);
	need_name(pr, IOR_NAME_PATH, tmp.path_id);
	need_name(pr, IOR_NAME_PATH, tmp.path2_id);
	need_name(pr, IOR_NAME_COMM, t->p.comm_id);

	p = &tmp;
	p->header = (struct ior_record){ .type = IOR_PAIR, .misc = t->p.nr,
					 .size = sizeof(*p) };
	p->time_ns = t->p.time_ns;
	p->latency_ns = exit_ns >= t->p.time_ns ? exit_ns - t->p.time_ns : 0;
	if (t->gap_known && t->p.time_ns >= t->last_exit_ns) {
		p->gap_ns = t->p.time_ns - t->last_exit_ns;
		p->pair_flags |= IOR_PAIR_GAP_KNOWN;
	}
	p->pid = t->proc->pid;
	p->tid = t->tid;
	p->ret = ret;
	p->comm_id = t->p.comm_id;
	if (t->p.restarted)
		p->pair_flags |= IOR_PAIR_RESTART;
	if (extra_flags & IOR_PAIR_UNFINISHED) {
		p->ret = 0;     /* it never returned: no value, no error */
	} else if (r != NULL && (r->kind == K_SIGRETURN ||
			  (r->kind == K_EXEC && ret == 0))) {
		/* No return to the caller; rt_sigreturn's ret is the frame's */
		p->pair_flags |= IOR_PAIR_NORETURN;
		p->ret = 0;
	} else if (is_restart_code(ret)) {
		/* interrupted, and neither its restart nor EINTR was seen */
		p->pair_flags |= IOR_PAIR_RESTART;
	} else if (ret < 0 && ret >= -MAX_ERRNO) {
		p->err = -ret;
	}
	p->family = t->p.nr < SYSNAMES_MAX ? pr->names.family[t->p.nr] : 0;
	/* 1, 2, ... per section: the pair's name in every view downstream. */
	p->seq = ++pr->written;
	stream_put(&pr->out, p, sizeof(*p));
	pr->totals.pairs++;
	t->busy = false;
	t->gap_known = true;
	t->last_exit_ns = exit_ns;
}

static void
on_exit_record(struct pairer *pr, const struct ior_syscall_exit *x,
	       uint32_t size)
{
	struct thread *t = thread_get(pr, x->pid, x->tid);
	bool clone_return = t->new_child && !t->busy && x->ret == 0;
	const struct rule *r;

	t->new_child = false;
	if (clone_return) {
		/* A new task starts by returning 0 from its parent's clone. */
		t->gap_known = true;
		t->last_exit_ns = x->time_ns;
		return;
	}
	if (!t->busy && x->ret == 0 && t->p.exec_ns &&
	    (r = rule_of(pr, x->header.misc)) != NULL && r->kind == K_EXEC) {
		/*
		 * The return of an exec whose enter came before the process
		 * was in scope (a launched command is traced from its exec).
		 */
		t->p.exec_ns = 0;
		t->gap_known = true;
		t->last_exit_ns = x->time_ns;
		return;
	}
	if (!t->busy || t->p.exit_nr != x->header.misc) {
		if (t->busy)
			pr->totals.unmatched_enters++;
		pr->totals.unmatched_exits++;
		t->busy = false;
		/* The gap is from this exit on, even without a pair. */
		t->gap_known = true;
		t->last_exit_ns = x->time_ns;
		return;
	}
	if (size >= sizeof(struct ior_syscall_exit_fds)) {
		const struct ior_syscall_exit_fds *xf = (const void *)x;

		t->p.has_fdpair = true;
		t->p.fdpair[0] = xf->fds[0];
		t->p.fdpair[1] = xf->fds[1];
	}
	if (is_restart_code(x->ret)) {
		/*
		 * Interrupted by a signal: the call goes on in its restart,
		 * or fails with EINTR when the handler returns (rt_sigreturn
		 * says which).  Keep it aside; the handler's calls pair as
		 * usual meanwhile.
		 */
		flush_interrupted(pr, t, t->interrupted_exit_ns,
				  t->interrupted_ret, 0);
		t->interrupted = true;
		t->ip = t->p;
		t->interrupted_exit_ns = x->time_ns;
		t->interrupted_ret = x->ret;
		t->interrupted_gap_known = t->gap_known;
		t->interrupted_last_exit_ns = t->last_exit_ns;
		t->busy = false;
		t->gap_known = true;
		t->last_exit_ns = x->time_ns;
		return;
	}
	{
		r = rule_of(pr, t->p.nr);
		emit_pair(pr, t, x->time_ns, x->ret, 0);
		/*
		 * The handler returns: the interrupted call fails with EINTR
		 * now if the frame says so, else its restart follows.
		 */
		if (r != NULL && r->kind == K_SIGRETURN && t->interrupted &&
		    x->ret == -EINTR)
			flush_interrupted(pr, t, x->time_ns, -EINTR, 0);
	}
}

/* Direct descriptors (a fixed-file slot, no fd): the table stays. */
static const struct rule uring_direct_open = {
	"io_uring:openat", K_PATH, -1, 0, 1, -1, -1, -1, 2, NULL, false
};
static const struct rule uring_direct_close = {
	"io_uring:close", K_NONE, -1, -1, -1, -1, -1, -1, -1, NULL, false
};
/* An accept into a slot: a call on its listener, ret no fd. */
static const struct rule uring_direct_accept = {
	"io_uring:accept", K_FD, 0, -1, -1, -1, -1, -1, -1, NULL, false
};

/* Request u is done: its node goes on the free list. */
static void
uring_req_done(struct pairer *pr, struct uring_req *u)
{
	process_unref(u->t.proc);
	u->next_free = pr->uring.free;
	pr->uring.free = u;
}

/*
 * An io_uring submission: an enter on the request's own thread.  Its
 * path resolves now, against the tables as they are at submission.
 */
static void
on_uring_submit(struct pairer *pr, const struct ior_uring_submit *e,
		uint32_t size)
{
	struct thread *owner = thread_get(pr, e->pid, e->tid);
	struct uring_slot *s;
	struct uring_req *u;
	const struct rule *r;
	const uint64_t *args = (const void *)(e + 1);
	struct string_ref strs[IOR_ARGS_MAX];
	bool have[IOR_ARGS_MAX];
	unsigned nargs = e->nargs > IOR_ARGS_MAX ? IOR_ARGS_MAX : e->nargs;

	if (sizeof(*e) + nargs * 8u > size)
		nargs = size > sizeof(*e) ? (size - sizeof(*e)) / 8 : 0;
	uring_reserve(&pr->uring);
	s = uring_slot(&pr->uring, e->ring, e->req);
	if ((u = s->u) != NULL) {
		/* The address was reused: its completion never came. */
		pr->totals.unmatched_enters++;
		process_unref(u->t.proc);
	} else {
		if ((u = pr->uring.free) != NULL)
			pr->uring.free = u->next_free;
		else if ((u = malloc(sizeof(*u))) == NULL)
			err(1, "malloc");
		s->ring = e->ring;
		s->req = e->req;
		s->u = u;
		pr->uring.count++;
	}
	memset(u, 0, sizeof(*u));
	u->ring = e->ring;
	u->req = e->req;
	u->t.tid = owner->tid;
	u->t.proc = owner->proc;
	u->t.proc->refs++;
	u->t.comm_id = owner->comm_id;
	u->t.busy = true;
	u->t.p.time_ns = e->time_ns;
	u->t.p.nr = IOR_URING_NR_BASE + e->header.misc;
	u->t.p.exit_nr = u->t.p.nr;
	u->t.p.nargs = nargs;
	u->t.p.comm_id = owner->comm_id;
	for (unsigned i = 0; i < nargs; i++)
		u->t.p.args[i] = args[i];
	if ((r = rule_of(pr, u->t.p.nr)) == NULL)
		return;
	if ((e->flags & IOR_URING_DIRECT) && r->kind == K_NEWFD)
		r = u->t.p.rule = &uring_direct_accept;
	if (e->flags & IOR_URING_FIXED) {
		if (r->kind == K_OPEN)
			r = u->t.p.rule = &uring_direct_open;
		else if (r->kind == K_CLOSE)
			r = u->t.p.rule = &uring_direct_close;
		else if (nargs > 1 && r->fd >= 0 &&
			 fd_arg(u->t.p.args[r->fd]) < 0) {
			/* Registered, and no fd of the process holds it. */
			char name[48];

			snprintf(name, sizeof(name), "<fixed file %" PRId64 ">",
				 (int64_t)u->t.p.args[1]);
			u->t.p.resolved[0] = intern_str(&pr->paths, name);
			return;
		}
	}
	record_strings_by_arg(e, size, e->str_off, e->nstrings, strs, have);
	u->t.p.resolved[0] = resolve(pr, &u->t, r->dirfd, r->path, strs, have);
}

static void
on_uring_complete(struct pairer *pr, const struct ior_uring_complete *c)
{
	struct uring_slot *s;
	struct uring_req *u;

	if (pr->uring.slots == NULL ||
	    (u = (s = uring_slot(&pr->uring, c->ring, c->req))->u) == NULL) {
		pr->totals.unmatched_exits++;   /* its submit was lost */
		return;
	}
	emit_pair(pr, &u->t, c->time_ns, c->res, 0);
	if (c->cflags & IOR_URING_CQE_F_MORE) {
		/* Multishot: the next completion counts from this one. */
		u->t.busy = true;
		u->t.p.time_ns = c->time_ns;
		return;
	}
	uring_slot_clear(&pr->uring, s);
	uring_req_done(pr, u);
}

/*
 * The section ends: requests in flight are unfinished calls, or dropped.
 * Loss drops them too: the completion of any may be what was lost, and an
 * unfinished call would be invented.  Everything goes back: the next
 * section, or the stream after a loss, starts from nothing.
 */
static void
end_uring(struct pairer *pr, bool clean)
{
	struct uring_map *m = &pr->uring;
	struct uring_req **live = NULL, *u;
	size_t n = 0;

	if (m->count > 0) {
		if ((live = calloc(m->count, sizeof(*live))) == NULL)
			err(1, "calloc");
		for (size_t i = 0; i <= m->mask; i++)
			if (m->slots[i].u != NULL)
				live[n++] = m->slots[i].u;
		qsort(live, n, sizeof(*live), uring_req_cmp);
	}
	for (size_t i = 0; i < n; i++) {
		if (clean) {
			emit_pair(pr, &live[i]->t, pr->end_ns, -512,
				  IOR_PAIR_UNFINISHED);
			pr->totals.pairs--;
		}
		pr->totals.unmatched_enters++;
		uring_req_done(pr, live[i]);
	}
	free(live);
	while ((u = m->free) != NULL) {
		m->free = u->next_free;
		free(u);
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static void
on_task_new(struct pairer *pr, const struct ior_task_new *n)
{
	struct thread *parent = thread_get(pr, n->parent_pid, n->parent_tid);
	struct thread *child;

	if (n->child_pid != n->parent_pid) {
		struct process *old = idmap_get(&pr->processes, n->child_pid);
		struct process *cp;

		if (old != NULL)
			process_end(pr, old);   /* a stale pid reused */
		cp = process_get(pr, n->child_pid);
		fdtable_unref(cp->fds);
		cp->fds = (n->clone_flags & 0x400 /* CLONE_FILES */) ?
			  fdtable_ref(parent->proc->fds) :
			  fdtable_copy(parent->proc->fds);
		cp->cwd_id = parent->proc->cwd_id;
		cp->comm_id = parent->comm_id;
	}
	child = thread_get(pr, n->child_pid, n->child_tid);
	child->comm_id = parent->comm_id;
	child->busy = false;
	child->gap_known = false;
	child->new_child = true;
}

static void
on_exec(struct pairer *pr, const struct ior_exec *x)
{
	struct process *p = process_get(pr, x->pid);
	struct thread *t;
	uint32_t comm = intern_comm(pr, x->comm);

	/* exec unshares the fd table, then closes what is close-on-exec */
	if (p->fds->refs > 1) {
		struct fdtable *own = fdtable_copy(p->fds);

		fdtable_unref(p->fds);
		p->fds = own;
	}
	fdtable_exec(p->fds);
	p->comm_id = comm;
	/* A non-leader thread that execs takes over the thread group id. */
	if (x->old_tid != x->pid) {
		struct thread *old = idmap_get(&pr->threads, x->old_tid);

		t = thread_get(pr, x->pid, x->pid);
		if (old != NULL) {
			t->busy = old->busy;
			t->p = old->p;
			t->p.exec_ns = x->time_ns;
			t->gap_known = old->gap_known;
			t->last_exit_ns = old->last_exit_ns;
			thread_free(pr, old);
		}
	} else {
		t = thread_get(pr, x->pid, x->pid);
		t->p.exec_ns = x->time_ns;
	}
	t->comm_id = comm;
}

static void
on_task_exit(struct pairer *pr, const struct ior_task_exit *x)
{
	struct thread *t = idmap_get(&pr->threads, x->tid);
	struct process *p;

	if (t != NULL) {
		const struct rule *r = rule_of(pr, t->p.nr);

		flush_interrupted(pr, t, t->interrupted_exit_ns,
				  t->interrupted_ret, 0);
		if (t->busy && r != NULL && r->kind == K_EXIT)
			emit_pair(pr, t, x->time_ns, 0, IOR_PAIR_NORETURN);
		else if (t->busy)
			pr->totals.unmatched_enters++;
		thread_free(pr, t);
	}
	if (x->header.misc && (p = idmap_get(&pr->processes, x->pid)) != NULL)
		process_end(pr, p);
}

static void
on_process(struct pairer *pr, const struct ior_process *rec, uint32_t size)
{
	struct process *p = process_get(pr, rec->pid);
	struct string_ref cwd;

	p->comm_id = intern_comm(pr, rec->comm);
	if (record_string_by_tag(rec, size, rec->str_off, rec->nstrings,
				 IOR_PROC_CWD, &cwd) &&
	    !(cwd.flags & IOR_STRING_FAULT) && cwd.len > 0)
		p->cwd_id = strtab_intern(&pr->paths, cwd.bytes, cwd.len);
	thread_get(pr, rec->pid, rec->pid)->comm_id = p->comm_id;
}

static void
on_fd(struct pairer *pr, const struct ior_fd *rec, uint32_t size)
{
	struct process *p = process_get(pr, rec->pid);
	struct string_ref path;

	if (!record_string_at(rec, size, rec->str_off, rec->nstrings, 0, &path))
		return;
	fdtable_set(p->fds, rec->fd,
		    strtab_intern(&pr->paths, path.bytes, path.len),
		    rec->flags);
}

static void
on_comm(struct pairer *pr, const struct ior_comm *c)
{
	thread_get(pr, c->pid, c->tid)->comm_id = intern_comm(pr, c->comm);
}

/*
 * Loss: an enter in flight may have lost its exit, and its thread's next
 * exit must not be joined to it.  Drop them rather than invent pairs.
 */
static void
drop_pending(uint32_t key, void *value, void *arg)
{
	struct thread *t = value;
	struct pairer *pr = arg;

	(void)key;
	flush_interrupted(pr, t, t->interrupted_exit_ns, t->interrupted_ret,
			  0);
	if (t->busy) {
		t->busy = false;
		pr->totals.unmatched_enters++;
	}
}

/*
 * A clean end: an enter still pending is a call the capture ended inside
 * (a hung read, a wait).  Say so with a pair flagged unfinished, its
 * latency running to the trailer, rather than dropping it silently.  A
 * restart code as its return keeps apply() from changing the fd table.
 */
static void
end_pending(uint32_t key, void *value, void *arg)
{
	struct thread *t = value;
	struct pairer *pr = arg;

	(void)key;
	flush_interrupted(pr, t, t->interrupted_exit_ns, t->interrupted_ret,
			  0);
	if (t->busy) {
		emit_pair(pr, t, pr->end_ns, -512, IOR_PAIR_UNFINISHED);
		pr->totals.pairs--;
		pr->totals.unmatched_enters++;
	}
}

static void
free_thread(uint32_t key, void *value, void *arg)
{
	struct thread *t = value;

	(void)key;
	(void)arg;
	process_unref(t->proc);
	free(t);
}

static void
free_process(uint32_t key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	process_unref(value);
}

static void
reset_state(struct pairer *pr)
{
	idmap_foreach(&pr->threads, free_thread, NULL);
	idmap_foreach(&pr->processes, free_process, NULL);
	pr->last_thread = NULL;
	idmap_release(&pr->threads);
	idmap_release(&pr->processes);
	strtab_release(&pr->paths);
	strtab_release(&pr->comms);
	free(pr->path_written);
	free(pr->comm_written);
	pr->path_written = pr->comm_written = NULL;
	pr->path_written_cap = pr->comm_written_cap = 0;
	sysnames_reset(&pr->names);
	memset(pr->rule, 0, sizeof(pr->rule));
	pr->cwd_traced = 0;
}

/*
 * End the output section.  The trailer is written only for an input
 * section that ended cleanly: a truncated input stays truncated downstream.
 */
static void
close_section(struct pairer *pr, const struct ior_trailer *in)
{
	struct ior_pair_totals *t;

	if (!pr->section_open)
		return;
	pr->end_ns = in != NULL ? in->time_ns : 0;
	idmap_foreach(&pr->threads, in != NULL ? end_pending : drop_pending,
		      pr);
	end_uring(pr, in != NULL);
	t = stream_reserve(&pr->out, IOR_PAIR_TOTALS, 0, sizeof(*t));
	memcpy((char *)t + sizeof(t->header),
	       (char *)&pr->totals + sizeof(t->header),
	       sizeof(*t) - sizeof(t->header));
	if (in != NULL)
		stream_write_trailer(&pr->out, pr->totals.pairs,
				     pr->totals.lost - pr->totals.missed,
				     in->reason, in->status)->missed =
			pr->totals.missed;
	pr->section_open = false;
	reset_state(pr);
}

static void
open_section(struct pairer *pr, const struct ior_section *s)
{
	close_section(pr, NULL);
	memset(&pr->totals, 0, sizeof(pr->totals));
	pr->written = 0;
	pr->totals.header.type = IOR_PAIR_TOTALS;
	pr->totals.header.size = sizeof(pr->totals);
	/*
	 * Pairs keep the capture's kernel times, so keep its anchor too, and
	 * the machine they happened on, wherever they are paired.
	 */
	stream_write_section_from(&pr->out, pr->argc, pr->argv, s);
	pr->section_open = true;
}

static int
pair_input(struct pairer *pr, const char *path)
{
	struct stream_reader r;
	const struct ior_record *rec;
	int status;

	stream_reader_open(&r, path);
	stream_flush_when_idle(&r, &pr->out);
	while ((rec = stream_next(&r)) != NULL) {
		switch (r.type) {
		case STREAM_SECTION:
			open_section(pr, (const void *)rec);
			continue;
		case IOR_SYSCALL_ENTER:
			on_enter(pr, (const void *)rec, r.size);
			continue;
		case IOR_SYSCALL_EXIT:
			on_exit_record(pr, (const void *)rec, r.size);
			continue;
		case IOR_TRAILER:
			close_section(pr, (const void *)rec);
			continue;
		case IOR_SYSCALL_NAME: {
			const struct ior_syscall_name *n = (const void *)rec;
			char buf[24];

			sysnames_add(&pr->names, n, r.size);
			if (n->nr < SYSNAMES_MAX) {
				pr->rule[n->nr] = rule_for(
					sysnames_get(&pr->names, n->nr, buf));
				note_traced(pr, pr->rule[n->nr], n->flags);
			}
			break;
		}
		case IOR_PROCESS:
			on_process(pr, (const void *)rec, r.size);
			break;
		case IOR_FD:
			on_fd(pr, (const void *)rec, r.size);
			break;
		case IOR_TASK_NEW:
			on_task_new(pr, (const void *)rec);
			break;
		case IOR_EXEC:
			on_exec(pr, (const void *)rec);
			break;
		case IOR_TASK_EXIT:
			on_task_exit(pr, (const void *)rec);
			break;
		case IOR_COMM:
			on_comm(pr, (const void *)rec);
			break;
		case IOR_LOSS:
			pr->totals.lost += ((const struct ior_loss *)rec)->lost;
			idmap_foreach(&pr->threads, drop_pending, pr);
			end_uring(pr, false);
			break;
		case IOR_MISS: {
			/* Skipped program runs are events lost as well. */
			uint64_t n = ((const struct ior_miss *)rec)->missed;

			pr->totals.lost += n;
			pr->totals.missed += n;
			idmap_foreach(&pr->threads, drop_pending, pr);
			end_uring(pr, false);
			break;
		}
		case IOR_SYSCALL_STRINGS:
			on_strings(pr, (const void *)rec, r.size);
			continue;
		case IOR_URING_SUBMIT:
			on_uring_submit(pr, (const void *)rec, r.size);
			continue;
		case IOR_URING_COMPLETE:
			on_uring_complete(pr, (const void *)rec);
			continue;
		case IOR_SYSCALL_INODES:
			on_inodes(pr, (const void *)rec, r.size);
			continue;
		case IOR_SYSCALL_SOCKADDR:
			on_sockaddr(pr, (const void *)rec, r.size);
			continue;
		default:
			break;
		}
		/* Context records pass through for the tools downstream. */
		stream_put(&pr->out, rec, r.size);
	}
	status = r.status == STREAM_END ? 0 : 1;
	close_section(pr, NULL);
	stream_reader_close(&r);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	struct pairer pr;
	int ch, status = 0;

	output_init();
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case VERSION_OPT: version_exit("ior-pair");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write a binary stream to a "
			"terminal (pipe it to ior-dump or ior-agg)\n",
			getprogname());
		return 2;
	}
	memset(&pr, 0, sizeof(pr));
	pr.argc = argc;
	pr.argv = argv;
	idmap_init(&pr.threads);
	idmap_init(&pr.processes);
	strtab_init(&pr.paths);
	strtab_init(&pr.comms);
	stream_writer_init(&pr.out, STDOUT_FILENO, "<stdout>");
	if (optind == argc)
		status |= pair_input(&pr, NULL);
	for (int i = optind; i < argc; i++)
		status |= pair_input(&pr, argv[i]);
	stream_writer_release(&pr.out);
	reset_state(&pr);
	return status;
}
