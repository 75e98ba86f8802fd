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
#include "stream.h"
#include "strtab.h"
#include "sysnames.h"

#define AT_FDCWD_INT (-100)
#define MAX_ERRNO 4095

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
	uint16_t nr;
	uint8_t nargs;
	uint64_t args[6];
	uint32_t str_id[6];     /* path ids of string args, 0 none */
	uint32_t resolved[2];   /* path, path2 resolved at enter */
	uint32_t comm_id;       /* the thread's comm when it entered */
	bool dirfd_unknown;     /* a path was resolved against an unknown fd */
	bool has_fdpair;        /* the exit carried two new fds */
	int32_t fdpair[2];
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
};

struct pairer {
	struct stream_writer out;
	struct sysnames names;
	const struct rule *rule[SYSNAMES_MAX];
	struct idmap threads, processes;
	struct thread *last_thread;     /* thread_get's last answer */
	struct strtab paths, comms;
	uint8_t *path_written, *comm_written;   /* per id: IOR_NAME sent */
	uint32_t path_written_cap, comm_written_cap;
	struct ior_pair_totals totals;
	uint64_t anchor_clock, anchor_realtime;
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
	uint32_t size = IOR_ALIGN8(sizeof(*n) + sizeof(struct ior_string) + len);
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
 * Join base and a relative path, dropping "." components and folding ".."
 * lexically, as a person reads the path.  Symlinks are not followed: the
 * trace has no way to know them.
 */
static uint32_t
join_path(struct pairer *pr, uint32_t base_id, const char *base_if_unknown,
	  const char *rel, size_t rel_len)
{
	static char buf[2 * IOR_STRING_MAX + 64];
	size_t base_len, n = 0;
	const char *base = base_id ? strtab_get(&pr->paths, base_id, &base_len)
				   : NULL;

	if (base == NULL) {
		base = base_if_unknown;
		base_len = strlen(base);
	}
	if (rel_len > 0 && rel[0] == '/') {
		base = "/";
		base_len = 1;
	}
	if (base_len > IOR_STRING_MAX)
		base_len = IOR_STRING_MAX;
	memcpy(buf, base, base_len);
	n = base_len;
	for (size_t i = 0; i < rel_len;) {
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
			if (n == 0 || buf[n - 1] != '/')
				buf[n++] = '/';
			memcpy(buf + n, rel + i, j - i);
			n += j - i;
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
		return join_path(pr, t->proc->cwd_id, "<unknown cwd>",
				 (const char *)s->bytes, s->len);
	/* Relative to a directory fd; "" (AT_EMPTY_PATH) is the fd itself. */
	{
		uint32_t dir = fd_path(pr, t, fd_arg(t->p.args[dirfd_arg]),
				       &unknown);

		t->p.dirfd_unknown |= unknown;
		return join_path(pr, dir, "", (const char *)s->bytes, s->len);
	}
}

static void
on_enter(struct pairer *pr, const struct ior_syscall_enter *e, uint32_t size)
{
	struct thread *t = thread_get(pr, e->pid, e->tid);
	const struct rule *r = rule_of(pr, e->header.misc);
	const uint64_t *args = (const void *)(e + 1);
	struct string_ref strs[6];
	bool have[6] = { false };
	unsigned nargs = e->nargs > 6 ? 6 : e->nargs;

	if (t->busy)
		pr->totals.unmatched_enters++;  /* its exit never came */
	if (sizeof(*e) + nargs * 8u > size)
		nargs = size > sizeof(*e) ? (size - sizeof(*e)) / 8 : 0;
	memset(&t->p, 0, sizeof(t->p));
	t->busy = true;
	t->new_child = false;
	t->p.time_ns = e->time_ns;
	t->p.nr = e->header.misc;
	t->p.nargs = nargs;
	t->p.comm_id = t->comm_id;
	for (unsigned i = 0; i < nargs; i++)    /* a loop: no libc call */
		t->p.args[i] = args[i];
	for (unsigned i = 0; i < e->nstrings; i++) {
		struct string_ref s;

		if (record_string_at(e, size, e->str_off, e->nstrings, i, &s) &&
		    s.tag < 6) {
			strs[s.tag] = s;
			have[s.tag] = true;
		}
	}
	if (r == NULL)
		return;
	/*
	 * Paths resolve against the fd table and cwd as they are at enter:
	 * another thread may change them before the exit.
	 */
	t->p.resolved[0] = resolve(pr, t, r->dirfd, r->path, strs, have);
	t->p.resolved[1] = resolve(pr, t, r->dirfd2, r->path2, strs, have);
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

	if (r->fd >= 0) {
		p->fd = fd_arg(a[r->fd]);
		if (r->kind != K_MMAP || !(a[3] & 0x20 /* MAP_ANONYMOUS */)) {
			p->path_id = fd_path(pr, t, p->fd, &unknown);
			if ((e = fdtable_get(fds, p->fd)) != NULL)
				p->flags = e->flags;
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
		if (r->path < 0 && p->path_id == 0)
			p->path_id = intern_str(&pr->paths, "<file handle>");
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
			fdtable_set(fds, t->p.fdpair[0], p->path_id, flags);
			fdtable_set(fds, t->p.fdpair[1], p->path_id, flags);
		}
		break;
	case K_NEWFD:
		p->path_id = intern_str(&pr->paths, r->newfd_name);
		if (ok) {
			p->fd = ret;
			fdtable_set(fds, ret, p->path_id,
				    r->flags >= 0 ? (uint32_t)a[r->flags] : 0);
		}
		break;
	default:
		break;
	}
	if (unknown) {
		p->pair_flags |= IOR_PAIR_FD_UNKNOWN;
		pr->totals.fd_unknown++;
	}
}

static void
emit_pair(struct pairer *pr, struct thread *t, uint64_t exit_ns, int64_t ret,
	  uint8_t extra_flags)
{
	const struct rule *r = rule_of(pr, t->p.nr);
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
	/* -512..-516 are restart codes: the syscall will run again. */
	if (ret <= -512 && ret >= -516)
		p->pair_flags |= IOR_PAIR_RESTART;
	else if (ret < 0 && ret >= -MAX_ERRNO)
		p->err = -ret;
	p->family = t->p.nr < SYSNAMES_MAX ? pr->names.family[t->p.nr] : 0;
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

	t->new_child = false;
	if (clone_return) {
		/* A new task starts by returning 0 from its parent's clone. */
		t->gap_known = true;
		t->last_exit_ns = x->time_ns;
		return;
	}
	if (!t->busy || t->p.nr != x->header.misc) {
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
	emit_pair(pr, t, x->time_ns, x->ret, 0);
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
			t->gap_known = old->gap_known;
			t->last_exit_ns = old->last_exit_ns;
			thread_free(pr, old);
		}
	} else {
		t = thread_get(pr, x->pid, x->pid);
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
	if (t->busy) {
		t->busy = false;
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
	idmap_foreach(&pr->threads, drop_pending, pr);
	t = stream_reserve(&pr->out, IOR_PAIR_TOTALS, 0, sizeof(*t));
	memcpy((char *)t + sizeof(t->header),
	       (char *)&pr->totals + sizeof(t->header),
	       sizeof(*t) - sizeof(t->header));
	if (in != NULL)
		stream_write_trailer(&pr->out, pr->totals.pairs,
				     pr->totals.lost, in->reason, in->status);
	pr->section_open = false;
	reset_state(pr);
}

static void
open_section(struct pairer *pr, const struct ior_section *s)
{
	close_section(pr, NULL);
	memset(&pr->totals, 0, sizeof(pr->totals));
	pr->totals.header.type = IOR_PAIR_TOTALS;
	pr->totals.header.size = sizeof(pr->totals);
	/* Pairs keep the capture's kernel times, so keep its anchor too. */
	stream_write_section(&pr->out, pr->argc, pr->argv, s->anchor_clock_ns,
			     s->anchor_realtime_ns);
	pr->section_open = true;
}

static void
flush_output(void *arg)
{
	struct pairer *pr = arg;

	if (pr->out.len > 0)
		stream_writer_flush(&pr->out);
}

static int
pair_input(struct pairer *pr, const char *path)
{
	struct stream_reader r;
	const struct ior_record *rec;
	int status;

	stream_reader_open(&r, path);
	r.before_read = flush_output;
	r.before_read_arg = pr;
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
			if (n->nr < SYSNAMES_MAX)
				pr->rule[n->nr] = rule_for(
					sysnames_get(&pr->names, n->nr, buf));
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
			break;
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
		{ NULL, 0, NULL, 0 },
	};
	struct pairer pr;
	int ch, status = 0;

	output_init();
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
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
