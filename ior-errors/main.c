/* SPDX-License-Identifier: MIT */
/*
 * ior-errors - failed calls told as stories.
 *
 * Reads a paired stream and follows each thread's failed calls:
 *  - a search through a path list (the dynamic loader, $PATH, include
 *    directories, Python's sys.path) is one story: the failed opens, stats
 *    and execs of one name (its stem: the basename up to its first dot
 *    after the first character, so libfoo.so.1 and libfoo.so are one
 *    search) in one directory after another, ended by a success on that
 *    name or by giving up;
 *  - a retry loop: EAGAIN, EINTR or a restarted call, again and again on
 *    the same syscall and fd;
 *  - a permission failure (EACCES, EPERM, EROFS) and any other call that
 *    failed once and was never retried.
 * Identical stories (the same name searched through the same directories,
 * the same call failing the same way) are told once with their count.
 * Stories are ranked by the time lost (docs/analysis.md).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"
#include "escape.h"
#include "output.h"
#include "idmap.h"
#include "names.h"
#include "stream.h"
#include "strtab.h"
#include "sysnames.h"
#include "units.h"
#include "version.h"

#define CHAIN_DIRS 64           /* directories a story keeps, in order */
#define CHAIN_VIA 4             /* other files opened along the way */
#define CHAIN_PATIENCE 8        /* other successful calls a search outlives */

enum kind { K_SEARCH, K_RETRY, K_DENIED, K_FAILED };
static const char *const kind_name[] = { "search", "retry", "denied",
					 "failed" };

/* A search in progress on one thread. */
struct chain {
	bool active;
	uint32_t stem;          /* id in strs */
	uint32_t name, nr, comm, pid, last_path;
	uint64_t start_ns, lost_ns;
	uint32_t tries, checks, patience;
	uint32_t dirs[CHAIN_DIRS], ndirs, more_dirs;
	uint32_t via[CHAIN_VIA], nvia;
	uint16_t err;           /* the first errno */
	uint32_t nerr;          /* failures with that errno */
};

/* A retry loop in progress on one thread. */
struct loop {
	bool active, succeeded;
	uint32_t nr, path, comm, pid;
	int32_t fd;
	uint16_t err;
	uint32_t count;
	uint64_t start_ns, end_ns, lost_ns;
};

struct thread {
	struct chain c;
	struct loop l;
};

/* A story, told once however often it happened. */
struct story {
	enum kind kind;
	uint32_t key;           /* id in keys: what makes two stories one */
	uint32_t name, syscall, path, found, comm, pid;
	uint16_t err;
	bool found_it;
	uint32_t tries, nerr, checks;
	uint32_t dirs[CHAIN_DIRS], ndirs, more_dirs;
	uint32_t via[CHAIN_VIA], nvia;
	uint64_t times, lost_ns, span_ns, first_ns;
};

static struct {
	bool json;
	unsigned top;
} opt = { .top = 20 };

static struct {
	struct idmap threads;
	struct strtab strs, keys;
	struct name_table names;
	struct sysnames sysnames;
	struct story *v;
	uint32_t n, cap;
	uint64_t pairs, failed, t0;
	bool t0_known, trailer_seen;
} er;

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-errors [-n ROWS] [--json] [FILE...]\n"
"Failed calls of a paired stream (ior-pair's output) told as stories,\n"
"ranked by the time lost: searches through a path list (one name tried in\n"
"directory after directory, found or given up), retry loops (EAGAIN, EINTR,\n"
"restarts), permission failures, and calls that failed and were never\n"
"retried.\n"
"\n"
"  -n, --rows ROWS\n"
"            stories in the text (default 20, 0 all)\n"
"  --json    one JSON document (docs/analysis.md)\n"
"  -h        this help\n"
"\n"
"EXAMPLES\n"
"  ior-capture -o run.ior -- ./prog; ior-pair run.ior | ior-errors\n"
"  ior-pair run.ior | ior-errors --json | jq '.stories[] | select(.kind == \"search\")'\n");
	exit(status);
}

/* ---- escaping: the only places stream bytes are written ---- */

static void
put_str(FILE *f, uint32_t id)
{
	size_t len = 0;
	const char *s = id ? strtab_get(&er.strs, id, &len) : "";

	put_word_or_json(f, s, len, opt.json);
}

/* ---- stories ---- */

static uint32_t
intern(const void *s, size_t len)
{
	return strtab_intern(&er.strs, s, len);
}

/*
 * The story with this key, new or not.  The key is the kind and the ids
 * that make two stories the same, as bytes.
 */
static struct story *
story_get(enum kind kind, const uint32_t *ids, size_t nids, bool *fresh)
{
	uint32_t buf[4 + CHAIN_DIRS + CHAIN_VIA];
	uint32_t id;

	buf[0] = kind;
	memcpy(buf + 1, ids, nids * sizeof(*ids));
	id = strtab_intern(&er.keys, buf, (nids + 1) * sizeof(*buf));
	*fresh = id > er.n;
	if (*fresh) {
		if (id > er.cap) {
			er.cap = er.cap ? er.cap * 2 : 64;
			er.v = reallocarray(er.v, er.cap, sizeof(*er.v));
			if (er.v == NULL)
				err(1, "stories");
		}
		memset(&er.v[id - 1], 0, sizeof(*er.v));
		er.v[id - 1].kind = kind;
		er.v[id - 1].key = id;
		er.n = id;
	}
	return &er.v[id - 1];
}

static void
single(enum kind kind, uint32_t nr, uint32_t path, uint16_t err, uint32_t pid,
       uint32_t comm, uint64_t t, uint64_t latency, uint32_t times)
{
	uint32_t ids[3] = { nr, path, err };
	bool fresh;
	struct story *s = story_get(kind, ids, 3, &fresh);

	if (fresh) {
		s->syscall = nr;
		s->path = path;
		s->err = err;
		s->pid = pid;
		s->comm = comm;
		s->first_ns = t;
	}
	s->times += times;
	s->tries += times;
	s->lost_ns += latency;
	s->span_ns += latency;
}

static bool
is_denied(uint16_t e)
{
	return e == EACCES || e == EPERM || e == EROFS;
}

static void
chain_end(struct chain *c, uint32_t found, uint64_t end_ns)
{
	if (!c->active)
		return;
	c->active = false;
	/*
	 * A search looks in two places at least: the same name failing in
	 * one directory (and maybe found there later) is a failure, repeated.
	 */
	if ((c->ndirs < 2 && !found) ||
	    (c->ndirs == 1 && found == c->dirs[0])) {
		single(is_denied(c->err) ? K_DENIED : K_FAILED, c->nr,
		       c->last_path, c->err, c->pid, c->comm, c->start_ns,
		       c->lost_ns, c->tries);
		return;
	}
	{
		uint32_t ids[3 + CHAIN_DIRS + CHAIN_VIA];
		size_t n = 0;
		bool fresh;
		struct story *s;

		ids[n++] = c->stem;
		ids[n++] = found;
		ids[n++] = c->ndirs;
		memcpy(ids + n, c->dirs, c->ndirs * sizeof(*ids));
		n += c->ndirs;
		memcpy(ids + n, c->via, c->nvia * sizeof(*ids));
		n += c->nvia;
		s = story_get(K_SEARCH, ids, n, &fresh);
		if (fresh) {
			s->name = c->name;
			s->syscall = c->nr;
			s->found = found;
			s->found_it = found != 0;
			s->err = c->err;
			s->nerr = c->nerr;
			s->tries = c->tries + (found != 0);
			s->checks = c->checks;
			memcpy(s->dirs, c->dirs, sizeof(s->dirs));
			s->ndirs = c->ndirs;
			s->more_dirs = c->more_dirs;
			memcpy(s->via, c->via, sizeof(s->via));
			s->nvia = c->nvia;
			s->pid = c->pid;
			s->comm = c->comm;
			s->first_ns = c->start_ns;
		}
		s->times++;
		s->lost_ns += c->lost_ns;
		s->span_ns += end_ns - c->start_ns;
	}
}

static void
loop_end(struct loop *l)
{
	uint32_t ids[4];
	bool fresh;
	struct story *s;

	if (!l->active)
		return;
	l->active = false;
	if (l->count < 2 && !l->succeeded) {
		single(K_FAILED, l->nr, l->path, l->err, l->pid, l->comm,
		       l->start_ns, l->lost_ns, 1);
		return;
	}
	ids[0] = l->nr;
	ids[1] = l->path;
	ids[2] = l->err;
	ids[3] = l->succeeded;
	s = story_get(K_RETRY, ids, 4, &fresh);
	if (fresh) {
		s->syscall = l->nr;
		s->path = l->path;
		s->err = l->err;
		s->found_it = l->succeeded;
		s->pid = l->pid;
		s->comm = l->comm;
		s->first_ns = l->start_ns;
	}
	s->times++;
	s->tries += l->count;
	s->lost_ns += l->end_ns - l->start_ns;
	s->span_ns += l->end_ns - l->start_ns;
}

/* ---- reading ---- */

static struct thread *
thread_of(uint32_t tid)
{
	struct thread *t = idmap_get(&er.threads, tid);

	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			err(1, "threads");
		idmap_put(&er.threads, tid, t);
	}
	return t;
}

static void
thread_end(uint32_t tid, void *value, void *arg)
{
	struct thread *t = value;

	(void)tid;
	(void)arg;
	chain_end(&t->c, 0, t->c.start_ns + t->c.lost_ns);
	loop_end(&t->l);
	free(t);
}

/* The stem of a path's basename: "libfoo.so.1" -> "libfoo". */
static const char *
stem_of(const char *path, size_t len, size_t *stem_len, size_t *base_len)
{
	const char *base = path, *dot;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/' && i + 1 < len)
			base = path + i + 1;
	*base_len = len - (size_t)(base - path);
	while (*base_len > 1 && base[*base_len - 1] == '/')
		(*base_len)--;
	dot = *base_len > 1 ? memchr(base + 1, '.', *base_len - 1) : NULL;
	*stem_len = dot ? (size_t)(dot - base) : *base_len;
	return base;
}

/* Whether path is the directory dir or one of its ancestors. */
static bool
is_dir_of(const char *path, size_t len, uint32_t dir)
{
	size_t dlen;
	const char *d = strtab_get(&er.strs, dir, &dlen);

	return d && len <= dlen && memcmp(d, path, len) == 0 &&
	       (len == dlen || d[len] == '/');
}

/* Whether path lies below the directory dir. */
static bool
is_below(const char *path, size_t len, uint32_t dir)
{
	size_t dlen;
	const char *d = strtab_get(&er.strs, dir, &dlen);

	return d && len > dlen && memcmp(d, path, dlen) == 0 &&
	       (path[dlen] == '/' || (dlen == 1 && d[0] == '/'));
}

static bool
retryable(const struct ior_pair *p)
{
	return p->err == EAGAIN || p->err == EINTR ||
	       (p->pair_flags & IOR_PAIR_RESTART);
}

/* Calls that look a name up by its path: opens, stats, execs. */
static bool
path_lookup(const struct ior_pair *p, const char *name)
{
	if (p->path_id == 0)
		return false;
	if (p->family == IOR_FAMILY_OPEN)
		return true;
	if (p->family == IOR_FAMILY_STAT)
		return p->fd < 0;       /* fstat names its fd, not a path */
	return strncmp(name, "exec", 4) == 0;
}

static void
on_pair(const struct ior_pair *p)
{
	struct thread *t;
	char buf[24];
	const char *name;
	size_t len = 0, stem_len, base_len;
	const char *path;
	uint64_t end = p->time_ns + p->latency_ns;

	if (p->pair_flags & IOR_PAIR_UNFINISHED)
		return;
	er.pairs++;
	if (!er.t0_known) {
		er.t0 = p->time_ns;
		er.t0_known = true;
	}
	t = thread_of(p->tid);
	name = sysnames_get(&er.sysnames, p->header.misc, buf);
	path = name_table_get(&er.names, IOR_NAME_PATH, p->path_id, &len);
	if (p->err || (p->pair_flags & IOR_PAIR_RESTART))
		er.failed++;

	/* Retry loops: the same call failing softly, again and again. */
	if (retryable(p)) {
		uint32_t nr = intern(name, strlen(name));
		uint32_t pid = path ? intern(path, len) : 0;

		if (!t->l.active || t->l.nr != nr || t->l.fd != p->fd ||
		    t->l.path != pid) {
			loop_end(&t->l);
			t->l = (struct loop){
				.active = true, .nr = nr, .path = pid,
				.fd = p->fd, .pid = p->pid, .start_ns = p->time_ns,
				.err = p->err ? p->err : 512 /* ERESTARTSYS */,
				.comm = 0,
			};
			{
				size_t cl;
				const char *c = name_table_get(&er.names,
					IOR_NAME_COMM, p->comm_id, &cl);

				t->l.comm = c ? intern(c, cl) : 0;
			}
		}
		t->l.count++;
		t->l.end_ns = end;
		t->l.lost_ns += p->latency_ns;
		return;
	}
	if (t->l.active && p->fd == t->l.fd &&
	    strtab_find(&er.strs, name, strlen(name)) == t->l.nr) {
		t->l.succeeded = !p->err;
		t->l.end_ns = end;
		loop_end(&t->l);
		if (!p->err)
			return;
	}

	/* Searches: one name looked up in one place after another. */
	if (path != NULL && path_lookup(p, name)) {
		const char *base = stem_of(path, len, &stem_len, &base_len);
		uint32_t stem = intern(base, stem_len);
		struct chain *c = &t->c;

		if (p->err && c->active && c->stem != stem && c->ndirs &&
		    is_dir_of(path, len, c->dirs[c->ndirs - 1])) {
			/*
			 * The loader stats a directory its try failed in, to
			 * skip it next time: part of the same search.
			 */
			c->checks++;
			c->lost_ns += p->latency_ns;
			return;
		}
		if (p->err) {
			size_t dl = (size_t)(base - path);
			uint32_t dir = intern(path, dl > 1 ? dl - 1 : dl);

			if (c->active && c->stem != stem)
				chain_end(c, 0, c->start_ns + c->lost_ns);
			if (!c->active) {
				size_t cl;
				const char *cm = name_table_get(&er.names,
					IOR_NAME_COMM, p->comm_id, &cl);

				memset(c, 0, sizeof(*c));
				c->active = true;
				c->stem = stem;
				c->name = intern(base, base_len);
				c->nr = intern(name, strlen(name));
				c->pid = p->pid;
				c->comm = cm ? intern(cm, cl) : 0;
				c->start_ns = p->time_ns;
				c->err = p->err;
			}
			c->tries++;
			c->patience = 0;
			c->lost_ns += p->latency_ns;
			c->last_path = intern(path, len);
			c->nerr += p->err == c->err;
			if (c->ndirs == 0 || c->dirs[c->ndirs - 1] != dir) {
				if (c->ndirs < CHAIN_DIRS)
					c->dirs[c->ndirs++] = dir;
				else
					c->more_dirs++;
			}
			return;
		}
		if (c->active && c->stem == stem) {
			size_t dl = (size_t)(base - path);

			chain_end(c, intern(path, dl > 1 ? dl - 1 : dl), end);
			return;
		}
		/* Another file opened on the way (the loader's cache). */
		if (c->active && c->nvia < CHAIN_VIA && p->family ==
		    IOR_FAMILY_OPEN)
			c->via[c->nvia++] = intern(path, len);
	}
	if (t->c.active && !p->err && ++t->c.patience > CHAIN_PATIENCE)
		chain_end(&t->c, 0, t->c.start_ns + t->c.lost_ns);
	if (p->err) {
		size_t cl;
		const char *cm = name_table_get(&er.names, IOR_NAME_COMM,
						p->comm_id, &cl);

		single(is_denied(p->err) ? K_DENIED : K_FAILED,
		       intern(name, strlen(name)), path ? intern(path, len) : 0,
		       p->err, p->pid, cm ? intern(cm, cl) : 0, p->time_ns,
		       p->latency_ns, 1);
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
			/* Another capture: its threads and names are new. */
			idmap_foreach(&er.threads, thread_end, NULL);
			idmap_release(&er.threads);
			name_table_reset(&er.names);
			sysnames_reset(&er.sysnames);
			break;
		case IOR_NAME:
			name_table_add(&er.names, (const void *)rec, r.size);
			break;
		case IOR_SYSCALL_NAME:
			sysnames_add(&er.sysnames, (const void *)rec, r.size);
			break;
		case IOR_TASK_EXIT: {
			const struct ior_task_exit *x = (const void *)rec;
			struct thread *t = idmap_remove(&er.threads, x->tid);

			if (t != NULL)
				thread_end(x->tid, t, NULL);
			break;
		}
		case IOR_TRAILER:
			er.trailer_seen = true;
			break;
		default:
			break;
		}
	}
	ok = r.status != STREAM_ERROR;
	stream_reader_close(&r);
	return ok;
}

/* ---- output ---- */

static int
by_lost(const void *x, const void *y)
{
	const struct story *a = x, *b = y;

	if (a->lost_ns != b->lost_ns)
		return a->lost_ns > b->lost_ns ? -1 : 1;
	if (a->times != b->times)
		return a->times > b->times ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static const char *
errname(uint16_t e, char buf[ERRNO_NAME_LEN])
{
	return e == 512 ? "ERESTART" : errno_name(e, buf);
}

/*
 * The directories of a search with none of their subdirectories: the
 * loader tries DIR/glibc-hwcaps/..., DIR/tls/... before DIR itself, and a
 * person thinks of it as trying DIR.  Returns how many, in first-try order.
 */
static uint32_t
search_roots(const struct story *s, uint32_t *roots)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->ndirs; i++) {
		size_t len;
		const char *d = strtab_get(&er.strs, s->dirs[i], &len);
		bool sub = false;

		for (uint32_t j = 0; j < s->ndirs && !sub; j++)
			sub = is_below(d, len, s->dirs[j]);
		for (uint32_t j = 0; j < n && !sub; j++)
			sub = roots[j] == s->dirs[i];
		if (!sub)
			roots[n++] = s->dirs[i];
	}
	return n;
}


/* A later section's clock may start before the first's: negative, not wrapped. */
static double
seconds_since_start(uint64_t ns)
{
	return (double)(int64_t)(ns - er.t0) / 1e9;
}
static void
text_story(FILE *f, const struct story *s)
{
	char u[3][UNITS_LEN], eb[ERRNO_NAME_LEN];

	fprintf(f, "%8s  %-6s  ", units_ns(s->lost_ns, u[0]),
		kind_name[s->kind]);
	switch (s->kind) {
	case K_SEARCH:
		put_str(f, s->name);
		fprintf(f, ": %u tries over ", s->tries);
		{
			uint32_t roots[CHAIN_DIRS], n = search_roots(s, roots);

			for (uint32_t i = 0; i < n; i++) {
				if (i)
					fputs(i + 1 == n && !s->nvia ? " and " :
					      ", ", f);
				put_str(f, roots[i]);
			}
			if (n < s->ndirs || s->more_dirs)
				fprintf(f, " (%u subdirectories)",
					s->ndirs - n + s->more_dirs);
		}
		for (uint32_t i = 0; i < s->nvia; i++) {
			fputs(i + 1 == s->nvia ? " and " : ", ", f);
			put_str(f, s->via[i]);
		}
		if (s->found_it) {
			fputs(", found in ", f);
			put_str(f, s->found);
		} else {
			fputs(", not found", f);
		}
		fprintf(f, " after %u %s", s->nerr, errname(s->err, eb));
		if (s->tries - s->found_it > s->nerr)
			fprintf(f, " and %u other errors",
				s->tries - s->found_it - s->nerr);
		if (s->checks)
			fprintf(f, " (+%u directory checks)", s->checks);
		break;
	case K_RETRY:
		put_str(f, s->syscall);
		fputc('(', f);
		put_str(f, s->path);
		fprintf(f, "): %" PRIu64 " %s", (uint64_t)s->tries,
			errname(s->err, eb));
		fprintf(f, " over %s, %s", units_ns(s->span_ns, u[1]),
			s->found_it ? "then it succeeded" : "never succeeded");
		break;
	default:
		put_str(f, s->syscall);
		fputc('(', f);
		put_str(f, s->path);
		fprintf(f, "): %s (%s)", errname(s->err, eb),
			strerror(s->err));
		break;
	}
	if (s->times > 1)
		fprintf(f, ", %" PRIu64 " times", s->times);
	fprintf(f, " [%u ", s->pid);
	put_str(f, s->comm);
	fprintf(f, " at %.3f s]\n", seconds_since_start(s->first_ns));
}

static void
json_ids(FILE *f, const char *name, const uint32_t *ids, uint32_t n)
{
	fprintf(f, ",\"%s\":[", name);
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		put_str(f, ids[i]);
	}
	fputc(']', f);
}

static void
json_story(FILE *f, const struct story *s, bool first)
{
	char eb[ERRNO_NAME_LEN];

	fprintf(f, "%s{\"kind\":\"%s\",\"syscall\":", first ? "" : ",",
		kind_name[s->kind]);
	put_str(f, s->syscall);
	fprintf(f, ",\"errno\":\"%s\",\"times\":%" PRIu64 ",\"tries\":%u,"
		"\"time_lost_ns\":%" PRIu64 ",\"span_ns\":%" PRIu64 ",\"pid\":%u,"
		"\"comm\":", errname(s->err, eb), s->times, s->tries, s->lost_ns,
		s->span_ns, s->pid);
	put_str(f, s->comm);
	fprintf(f, ",\"first_s\":%.9f", seconds_since_start(s->first_ns));
	if (s->kind == K_SEARCH) {
		fputs(",\"name\":", f);
		put_str(f, s->name);
		json_ids(f, "dirs", s->dirs, s->ndirs);
		{
			uint32_t roots[CHAIN_DIRS];

			json_ids(f, "roots", roots, search_roots(s, roots));
		}
		fprintf(f, ",\"checks\":%u", s->checks);
		fprintf(f, ",\"more_dirs\":%u", s->more_dirs);
		json_ids(f, "via", s->via, s->nvia);
		fputs(",\"found\":", f);
		if (s->found_it)
			put_str(f, s->found);
		else
			fputs("null", f);
		fprintf(f, ",\"failures\":%u", s->tries - s->found_it);
	} else {
		fputs(",\"path\":", f);
		if (s->path)
			put_str(f, s->path);
		else
			fputs("null", f);
		if (s->kind == K_RETRY)
			fprintf(f, ",\"succeeded\":%s",
				s->found_it ? "true" : "false");
	}
	fputc('}', f);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "rows", required_argument, NULL, 'n' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	bool ok = true;
	int ch;

	output_init();
	while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': opt.top = (unsigned)units_parse(optarg, "rows", 0); break;
		case 'J': opt.json = true; break;
		case VERSION_OPT: version_exit("ior-errors");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	idmap_init(&er.threads);
	strtab_init(&er.strs);
	strtab_init(&er.keys);
	if (optind == argc)
		ok = read_input(NULL);
	/* What was read before damage is still told. */
	for (int i = optind; i < argc && ok; i++)
		ok = read_input(argv[i]);
	idmap_foreach(&er.threads, thread_end, NULL);
	idmap_release(&er.threads);
	if (er.n)
		qsort(er.v, er.n, sizeof(*er.v), by_lost);
	if (opt.json) {
		uint64_t lost = 0;

		for (uint32_t i = 0; i < er.n; i++)
			lost += er.v[i].lost_ns;
		printf("{\"version\":1,\"pairs\":%" PRIu64 ",\"failed\":%" PRIu64
		       ",\"time_lost_ns\":%" PRIu64 ",\"truncated\":%s,"
		       "\"stories\":[", er.pairs, er.failed, lost,
		       er.trailer_seen ? "false" : "true");
		for (uint32_t i = 0; i < er.n; i++)
			json_story(stdout, &er.v[i], i == 0);
		fputs("]}\n", stdout);
	} else {
		uint32_t rows = opt.top && opt.top < er.n ? opt.top : er.n;
		uint64_t lost = 0;
		char u[2][UNITS_LEN];

		for (uint32_t i = 0; i < er.n; i++)
			lost += er.v[i].lost_ns;
		printf("%s failed calls of %s, %s lost, in %u stories%s\n",
		       units_count(er.failed, u[0]), units_count(er.pairs, u[1]),
		       units_ns(lost, (char[UNITS_LEN]){ 0 }), er.n,
		       er.trailer_seen ? "" : " (input truncated)");
		if (rows)
			printf("\n%8s  %-6s  %s\n", "LOST", "KIND", "STORY");
		for (uint32_t i = 0; i < rows; i++)
			text_story(stdout, &er.v[i]);
		if (rows < er.n)
			printf("(%u more; -n 0 shows all)\n", er.n - rows);
	}
	free(er.v);
	strtab_release(&er.strs);
	strtab_release(&er.keys);
	name_table_reset(&er.names);
	sysnames_reset(&er.sysnames);
	return output_close(stdout, "<stdout>", ok ? 0 : 1);
}
