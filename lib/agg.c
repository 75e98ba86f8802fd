/* SPDX-License-Identifier: MIT */
#include "agg.h"

#include <err.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "syscalls.h"

static const char *const field_names[FIELD_N] = {
	[FIELD_COMM] = "comm",
	[FIELD_PID] = "pid",
	[FIELD_TID] = "tid",
	[FIELD_SYSCALL] = "syscall",
	[FIELD_CLASS] = "class",
	[FIELD_FAMILY] = "family",
	[FIELD_PATH] = "path",
	[FIELD_DIR] = "dir",
	[FIELD_BASE] = "base",
	[FIELD_TREE] = "tree",
	[FIELD_DIRN] = "dirN",
	[FIELD_ERRNO] = "errno",
	[FIELD_FLAGS] = "flags",
	[FIELD_HOST] = "host",
};

const char agg_fields_help[] =
"  comm     the thread's command name      pid, tid  \"pid 42\", \"tid 43\"\n"
"  syscall  the syscall's name              class     read, write, open/close,\n"
"  family   ior's syscall family                      metadata, sync, other\n"
"  path     the file, one frame             dir       its directory\n"
"  base     its last component              tree      a frame per directory\n"
"  dirN     its first N directory levels              level, then the file\n"
"  errno    \"ok\" or the error's name         flags     the file's open flags\n"
"  host     the host the stream came from (docs/fleet.md)\n";

/* What decides a field's frames, as a place in the pair record. */
static struct agg_field_value
field_value(int field)
{
#define AT(member, shift, mask) (struct agg_field_value){ \
	offsetof(struct ior_pair, member), shift, 0, mask }
	switch (field) {
	case FIELD_COMM: return AT(comm_id, 0, ~0u);
	case FIELD_PID: return AT(pid, 0, ~0u);
	case FIELD_TID: return AT(tid, 0, ~0u);
	case FIELD_SYSCALL: return AT(header.type, 16, 0xffff); /* misc */
	case FIELD_CLASS:
	case FIELD_FAMILY: return AT(err, 16, 0xff);    /* family */
	case FIELD_ERRNO: return AT(err, 0, 0xffff);
	/* One host a section, and the caches start again at each section. */
	case FIELD_HOST: return AT(path_id, 0, 0);
	case FIELD_FLAGS: {
		struct agg_field_value v = AT(flags, 0, ~0u);
		v.no_file = 1;
		return v;
	}
	default: return AT(path_id, 0, ~0u);
	}
#undef AT
}

_Static_assert(offsetof(struct ior_pair, header.misc) ==
	       offsetof(struct ior_pair, header.type) + 2, "misc");
_Static_assert(offsetof(struct ior_pair, family) ==
	       offsetof(struct ior_pair, err) + 2, "family");

bool
agg_fields_parse(const char *spec, struct agg_fields *out, char *why,
		 size_t whylen)
{
	memset(out, 0, sizeof(*out));
	char buf[256];
	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		snprintf(why, whylen, "field list too long");
		return false;
	}
	char *save = NULL;
	for (char *f = strtok_r(buf, ";,", &save); f;
	     f = strtok_r(NULL, ";,", &save)) {
		if (out->n == AGG_FIELDS_MAX) {
			snprintf(why, whylen, "more than %d fields",
				 AGG_FIELDS_MAX);
			return false;
		}
		int found = -1;
		unsigned levels = 0;
		for (int i = 0; i < FIELD_N; i++)
			if (i != FIELD_DIRN && strcmp(f, field_names[i]) == 0)
				found = i;
		if (found < 0 && strncmp(f, "dir", 3) == 0 && f[3] >= '1' &&
		    f[3] <= '9' && f[4] == '\0') {
			found = FIELD_DIRN;
			levels = (unsigned)(f[3] - '0');
		}
		if (found < 0) {
			/* A snapshot's fields come from its stream: escaped. */
			char shown[64];
			text_escape(shown, sizeof(shown), f, strlen(f),
				    TEXT_QUOTE);
			snprintf(why, whylen, "unknown field %s", shown);
			return false;
		}
		out->field[out->n] = (uint8_t)found;
		out->levels[out->n] = (uint8_t)levels;
		out->value[out->n] = field_value(found);
		out->n++;
		size_t len = strlen(out->spec);
		snprintf(out->spec + len, sizeof(out->spec) - len, "%s%s",
			 len ? ";" : "", f);
	}
	if (out->n == 0) {
		snprintf(why, whylen, "no fields");
		return false;
	}
	return true;
}

uint16_t
family_classes(enum ior_family family)
{
	switch (family) {
	case IOR_FAMILY_READ: return 1u << CLASS_READ;
	case IOR_FAMILY_WRITE: return 1u << CLASS_WRITE;
	case IOR_FAMILY_TRANSFER: return 1u << CLASS_READ | 1u << CLASS_WRITE;
	case IOR_FAMILY_OPEN:
	case IOR_FAMILY_CLOSE:
	case IOR_FAMILY_FDNEW: return 1u << CLASS_OPENCLOSE;
	case IOR_FAMILY_STAT:
	case IOR_FAMILY_DIR:
	case IOR_FAMILY_NAMESPACE:
	case IOR_FAMILY_ATTR:
	case IOR_FAMILY_XATTR: return 1u << CLASS_META;
	case IOR_FAMILY_SYNC: return 1u << CLASS_SYNC;
	default: return 1u << CLASS_OTHER;
	}
}

/* ---- the aggregate ---- */

static void
table_init(struct agg_table *t)
{
	memset(t, 0, sizeof(*t));
	strtab_init(&t->keys);
}

static void
table_release(struct agg_table *t)
{
	for (uint32_t i = 0; i < t->keys.count; i++) {
		hist_release(&t->stats[i].latency);
		hist_release(&t->stats[i].gap);
		free(t->stats[i].errnos);
	}
	free(t->stats);
	strtab_release(&t->keys);
	memset(t, 0, sizeof(*t));
}

/* The stat of key, created empty if new. */
static struct agg_stat *
table_stat(struct agg_table *t, const void *key, size_t len)
{
	uint32_t before = t->keys.count;
	uint32_t id = strtab_intern(&t->keys, key, len);
	if (id > t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct agg_stat *s = reallocarray(t->stats, cap, sizeof(*s));
		if (!s)
			err(1, "agg");
		t->stats = s;
		t->cap = cap;
	}
	struct agg_stat *s = &t->stats[id - 1];
	if (t->keys.count != before) {
		memset(s, 0, sizeof(*s));
		s->key = id;
		hist_init(&s->latency);
		hist_init(&s->gap);
	}
	return s;
}

void
agg_init(struct agg *a, const struct agg_fields *fields, uint32_t max_nodes,
	 enum weight w)
{
	memset(a, 0, sizeof(*a));
	a->fields = *fields;
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++)
		table_init(&a->tables[k]);
	trie_init(&a->trie, max_nodes, w);
}

void
agg_release(struct agg *a)
{
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++)
		table_release(&a->tables[k]);
	trie_release(&a->trie);
	free(a->dir_of);
	a->dir_of = NULL;
	a->dir_of_cap = 0;
}

void
agg_clear(struct agg *a)
{
	struct agg_fields fields = a->fields;
	bool fixed = a->fields_fixed, trie_only = a->trie_only;
	uint32_t max_nodes = a->trie.max_nodes, generation = a->generation;
	enum weight w = a->trie.weight;
	const char *host = a->host;
	uint16_t host_len = a->host_len;
	agg_release(a);
	agg_init(a, &fields, max_nodes, w);
	a->host = host;
	a->host_len = host_len;
	a->fields_fixed = fixed;
	a->trie_only = trie_only;
	a->generation = generation + 1;
}

const char *
agg_stat_key(const struct agg *a, enum ior_agg_kind kind,
	     const struct agg_stat *s, size_t *len)
{
	const char *key = strtab_get(&a->tables[kind].keys, s->key, len);
	if (kind == IOR_AGG_PROCESS && key && *len >= 4) {
		*len -= 4;
		return key + 4;
	}
	return key;
}

static int
heaviest_stat(const void *x, const void *y)
{
	const struct agg_stat *a = *(struct agg_stat *const *)x;
	const struct agg_stat *b = *(struct agg_stat *const *)y;
	if (a->latency.sum != b->latency.sum)
		return a->latency.sum > b->latency.sum ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

struct agg_stat **
agg_stats(struct agg *a, enum ior_agg_kind kind, uint32_t *n)
{
	agg_settle(a);
	const struct agg_table *t = &a->tables[kind];
	struct agg_stat **v = calloc(t->keys.count + 1, sizeof(*v));
	if (!v)
		err(1, "agg");
	for (uint32_t i = 0; i < t->keys.count; i++)
		v[i] = &t->stats[i];
	qsort(v, t->keys.count, sizeof(*v), heaviest_stat);
	*n = t->keys.count;
	return v;
}

static void
stat_add_errno(struct agg_stat *s, uint16_t e, uint64_t count)
{
	for (uint32_t i = 0; i < s->nerrno; i++)
		if (s->errnos[i].err == e) {
			s->errnos[i].count += count;
			return;
		}
	struct agg_errno *v = reallocarray(s->errnos, s->nerrno + 1,
					   sizeof(*v));
	if (!v)
		err(1, "agg");
	s->errnos = v;
	s->errnos[s->nerrno++] = (struct agg_errno){ e, count };
}

static void
stat_merge(struct agg_stat *dst, const struct agg_stat *src)
{
	dst->count += src->count;
	dst->errors += src->errors;
	dst->bytes_read += src->bytes_read;
	dst->bytes_written += src->bytes_written;
	hist_merge(&dst->latency, &src->latency);
	hist_merge(&dst->gap, &src->gap);
	for (uint32_t i = 0; i < src->nerrno; i++)
		stat_add_errno(dst, src->errnos[i].err, src->errnos[i].count);
}

void
agg_stat_merge(struct agg_stat *dst, const struct agg_stat *src)
{
	stat_merge(dst, src);
}

static void
span_extend(struct agg *a, uint64_t start, uint64_t end)
{
	if (start && (!a->start_ns || start < a->start_ns))
		a->start_ns = start;
	if (end > a->end_ns)
		a->end_ns = end;
}

void
agg_merge(struct agg *a, struct agg *b)
{
	agg_settle(b);
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++) {
		const struct agg_table *t = &b->tables[k];
		for (uint32_t i = 0; i < t->keys.count; i++) {
			size_t len;
			const char *key = strtab_get(&t->keys, i + 1, &len);
			struct agg_stat *s = table_stat(&a->tables[k], key, len);
			s->pid = t->stats[i].pid;
			stat_merge(s, &t->stats[i]);
		}
	}
	trie_merge(&a->trie, &b->trie);
	trie_bound(&a->trie);
	a->generation++;
	span_extend(a, b->start_ns, b->end_ns);
	a->pairs += b->pairs;
	a->lost += b->lost;
	a->unmatched_exits += b->unmatched_exits;
	a->unmatched_enters += b->unmatched_enters;
	a->fd_unknown += b->fd_unknown;
	a->truncated |= b->truncated;
	a->snapshots += b->snapshots;
	if (b->filters)
		agg_add_filter(a, b->filter_seen, b->filter_kept,
			       b->filter_expr, strlen(b->filter_expr));
	a->filters += b->filters ? b->filters - 1 : 0;
	a->filter_several |= b->filter_several;
}

void
agg_add_filter(struct agg *a, uint64_t seen, uint64_t kept, const char *expr,
	       size_t len)
{
	if (len >= sizeof(a->filter_expr))
		len = sizeof(a->filter_expr) - 1;
	if (a->filters++ == 0) {
		memcpy(a->filter_expr, expr, len);
		a->filter_expr[len] = '\0';
	} else if (strlen(a->filter_expr) != len ||
		   memcmp(a->filter_expr, expr, len) != 0) {
		a->filter_several = true;
	}
	a->filter_seen += seen;
	a->filter_kept += kept;
}

/* ---- input ---- */

static const char *
name_get(const struct agg_input *in, unsigned kind, uint32_t id, size_t *len)
{
	return name_table_get(&in->names, kind, id, len);
}

/* Drop every cache from input ids to stats and nodes. */
static void
caches_reset(struct agg_input *in)
{
	memset(in->syscall_stat, 0, sizeof(in->syscall_stat));
	free(in->path_stat);
	in->path_stat = NULL;
	in->path_cap = 0;
	memset(in->process_cache, 0, sizeof(in->process_cache));
	free(in->leaves.slots);
	memset(&in->leaves, 0, sizeof(in->leaves));
	in->generation = in->a->generation;
}

void
agg_input_init(struct agg_input *in, struct agg *a, struct stream_reader *r)
{
	memset(in, 0, sizeof(*in));
	in->a = a;
	in->r = r;
	in->generation = a->generation;
}

void
agg_input_release(struct agg_input *in)
{
	caches_reset(in);
	name_table_reset(&in->names);
	sysnames_reset(&in->sysnames);
	free(in->snap_map);
}

/* ---- labels of the trie's frames ---- */

struct label_buf {
	char buf[8192];
	size_t len;
	/* Frames: [start, end) in buf. */
	uint32_t start[AGG_FIELDS_MAX * 64], end[AGG_FIELDS_MAX * 64];
	unsigned n;
};

static void
frame(struct label_buf *b, const void *bytes, size_t len)
{
	if (b->n == sizeof(b->start) / sizeof(b->start[0]))
		return;
	if (len > sizeof(b->buf) - b->len)
		len = sizeof(b->buf) - b->len;
	memcpy(b->buf + b->len, bytes, len);
	b->start[b->n] = (uint32_t)b->len;
	b->len += len;
	b->end[b->n++] = (uint32_t)b->len;
}

static void
framef(struct label_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
framef(struct label_buf *b, const char *fmt, ...)
{
	char s[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	frame(b, s, n < 0 ? 0 : (size_t)n < sizeof(s) ? (size_t)n :
	      sizeof(s) - 1);
}

/* Length of the directory part of an absolute path ("/" for "/x"). */
static size_t
dir_len(const char *path, size_t len)
{
	if (len == 0 || path[0] != '/')
		return 0;
	size_t i = len;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return i > 1 ? i - 1 : 1;
}

/* What stands for the directory of a name that is not a path. */
static size_t
pseudo_dir(const char *name, size_t len, const char **out)
{
	const char *colon = memchr(name, ':', len);
	if (colon && name[0] != '<') {
		*out = name;
		return (size_t)(colon - name) + 1;     /* "pipe:", "socket:" */
	}
	*out = "[other files]";
	return strlen(*out);
}

/* The directory of a file's key: its path's, or the kind of a non-file. */
static uint32_t
dir_of_file(struct agg *a, uint32_t file_key)
{
	size_t len;
	const char *path = strtab_get(&a->tables[IOR_AGG_FILE].keys, file_key,
				      &len);
	size_t dl = dir_len(path, len);
	const char *d = path;
	if (!dl)
		dl = pseudo_dir(path, len, &d);
	return table_stat(&a->tables[IOR_AGG_DIR], d, dl)->key;
}

static void
stat_clear(struct agg_stat *s)
{
	uint32_t key = s->key;
	hist_release(&s->latency);
	hist_release(&s->gap);
	free(s->errnos);
	memset(s, 0, sizeof(*s));
	s->key = key;
	hist_init(&s->latency);
	hist_init(&s->gap);
}

void
agg_settle(struct agg *a)
{
	if (!a->dirs_stale)
		return;
	struct agg_table *files = &a->tables[IOR_AGG_FILE];
	struct agg_table *dirs = &a->tables[IOR_AGG_DIR];
	if (files->keys.count > a->dir_of_cap) {
		uint32_t cap = files->cap;
		uint32_t *d = reallocarray(a->dir_of, cap, sizeof(*d));
		if (!d)
			err(1, "agg");
		memset(d + a->dir_of_cap, 0, (cap - a->dir_of_cap) * sizeof(*d));
		a->dir_of = d;
		a->dir_of_cap = cap;
	}
	for (uint32_t i = 0; i < dirs->keys.count; i++)
		stat_clear(&dirs->stats[i]);
	for (uint32_t i = 0; i < files->keys.count; i++) {
		if (!a->dir_of[i])
			a->dir_of[i] = dir_of_file(a, i + 1);
		stat_merge(&dirs->stats[a->dir_of[i] - 1], &files->stats[i]);
	}
	a->dirs_stale = false;
}

static void
flags_frame(struct label_buf *b, const struct ior_pair *p, bool has_file)
{
	if (!has_file) {
		frame(b, "-", 1);
		return;
	}
	static const struct { unsigned flag; const char *name; } names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" },
		{ O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
		{ O_DIRECT, "O_DIRECT" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_SYNC & ~O_DSYNC, "O_SYNC" },
		{ O_PATH, "O_PATH" }, { O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE" },
	};
	static const char *const access[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					      "O_ACCMODE" };
	char s[256];
	size_t len = strlcpy(s, access[p->flags & O_ACCMODE], sizeof(s));
	unsigned rest = p->flags & ~(unsigned)O_ACCMODE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((rest & names[i].flag) == names[i].flag) {
			len += (size_t)snprintf(s + len, sizeof(s) - len, "|%s",
						names[i].name);
			rest &= ~names[i].flag;
		}
	if (rest)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "|%#o", rest);
	frame(b, s, len < sizeof(s) ? len : sizeof(s) - 1);
}

static void
pair_frames(const struct agg_input *in, const struct ior_pair *p,
	    struct label_buf *b)
{
	const struct agg_fields *f = &in->a->fields;
	size_t plen = 0, clen = 0;
	const char *path = name_get(in, IOR_NAME_PATH, p->path_id, &plen);
	const char *comm = name_get(in, IOR_NAME_COMM, p->comm_id, &clen);
	char nrbuf[24];
	b->n = 0;
	b->len = 0;
	for (unsigned i = 0; i < f->n; i++) {
		switch (f->field[i]) {
		case FIELD_COMM:
			if (comm)
				frame(b, comm, clen);
			else
				frame(b, "[unknown comm]", 14);
			break;
		case FIELD_PID:
			framef(b, "pid %" PRIu32, p->pid);
			break;
		case FIELD_TID:
			framef(b, "tid %" PRIu32, p->tid);
			break;
		case FIELD_SYSCALL: {
			const char *name = sysnames_get(&in->sysnames,
							p->header.misc, nrbuf);
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_CLASS: {
			uint16_t c = family_classes(p->family);
			const char *name = c == (1u << CLASS_READ |
						 1u << CLASS_WRITE) ?
				"read/write" :
				class_name((enum syscall_class)
					   __builtin_ctz(c));
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_FAMILY: {
			const char *name = family_name(p->family);
			if (!name)
				name = "other";
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_ERRNO:
			if (!p->err) {
				frame(b, "ok", 2);
			} else {
				const char *name = strerrorname_np(p->err);
				if (name)
					frame(b, name, strlen(name));
				else
					framef(b, "E%u", p->err);
			}
			break;
		case FIELD_FLAGS:
			flags_frame(b, p, path != NULL);
			break;
		case FIELD_HOST:
			if (in->host_known)
				frame(b, in->host, in->host_len);
			else
				frame(b, AGG_HOST_UNKNOWN,
				      strlen(AGG_HOST_UNKNOWN));
			break;
		default: {
			/* Fields of the path. */
			if (!path) {
				frame(b, "[no file]", 9);
				break;
			}
			size_t dl = dir_len(path, plen);
			const char *pd = NULL;
			if (f->field[i] == FIELD_PATH) {
				frame(b, path, plen);
			} else if (f->field[i] == FIELD_BASE) {
				size_t skip = dl ? (dl == 1 ? 1 : dl + 1) : 0;
				frame(b, path + skip, plen - skip);
			} else if (!dl) {
				size_t n = pseudo_dir(path, plen, &pd);
				frame(b, pd, n);
				if (f->field[i] == FIELD_TREE)
					frame(b, path, plen);
			} else if (f->field[i] == FIELD_DIR) {
				frame(b, path, dl);
			} else if (f->field[i] == FIELD_DIRN) {
				/* The first N levels: "/usr/lib" for dir2. */
				size_t end = 0;
				unsigned levels = 0;
				while (end < dl && levels < f->levels[i]) {
					end++;
					while (end < dl && path[end] != '/')
						end++;
					levels++;
				}
				frame(b, path, end ? end : 1);
			} else {
				/* tree: "/usr/", "lib/", "libc.so.6" */
				size_t s = 0;
				for (size_t j = 1; j <= plen; j++)
					if (j == plen || path[j] == '/') {
						size_t e = j < plen ? j + 1 : j;
						if (e > s)
							frame(b, path + s, e - s);
						s = e;
					}
			}
		}
		}
	}
}

/* ---- pairs ---- */

/*
 * A pair's stack is found through the leaf cache: the values of its
 * fields (input ids: comm, path, syscall number ...) hashed to the trie
 * node.  Only a miss formats the frames and walks the trie.
 */
#define LEAF_HASH_SEED 0x9e3779b97f4a7c15ull

static inline uint64_t
leaf_mix(uint64_t h, uint32_t v)
{
	return (h ^ v) * 0xff51afd7ed558ccdull;
}

static inline uint32_t
leaf_hash(const uint32_t *key, unsigned n)
{
	uint64_t h = LEAF_HASH_SEED;
	for (unsigned i = 0; i < n; i++)
		h = leaf_mix(h, key[i]);
	return (uint32_t)(h >> 32);
}

/* The key of a pair and its hash, leaf_hash's, in one pass. */
static inline uint32_t
leaf_key(const struct agg_fields *f, const struct ior_pair *p, uint32_t *key)
{
	uint64_t h = LEAF_HASH_SEED;
	uint32_t no_file = p->path_id ? 0 : ~0u;
	for (unsigned i = 0; i < f->n; i++) {
		const struct agg_field_value *fv = &f->value[i];
		uint32_t v;
		memcpy(&v, (const char *)p + fv->offset, sizeof(v));
		v = (v >> fv->shift & fv->mask) |
		    (no_file & -(uint32_t)fv->no_file);
		key[i] = v;
		h = leaf_mix(h, v);
	}
	return (uint32_t)(h >> 32);
}

/*
 * The cache is set-associative: a key hashes to a set of LEAF_WAYS slots
 * side by side (one cache line for three fields), the newest first.  When
 * a set is full, a new key takes the place of its oldest, unless the
 * cache is three quarters full, when it doubles, up to
 * LEAF_CACHE_PER_NODE slots a trie node (LEAF_CACHE_MIN at least).  A
 * stream may hold millions of distinct stacks (every path a new one) that
 * the bounded trie folds into a few [other] nodes: memory follows the
 * trie, not the stream.
 */
#define LEAF_WAYS 4
#define LEAF_CACHE_PER_NODE 16
#define LEAF_CACHE_MIN (1u << 20)

/*
 * A leaf cache entry is the node + 1, flagged LEAF_OTHER when the stack
 * went to an [other] node for want of room: it is looked up again while
 * the trie has room, so that the room a fold makes goes to whichever
 * stacks come next, and taken as it is when the trie is full.
 */
#define LEAF_OTHER TRIE_REMAP_OTHER

static inline uint32_t *
leaf_set(const struct leaf_cache *c, uint32_t hash)
{
	return c->slots + (size_t)(hash & c->sets_mask) * LEAF_WAYS * c->stride;
}

/* Make room at the front of entry e's set and put it there. */
static uint32_t *
leaf_cache_insert(struct leaf_cache *c, const uint32_t *e, uint32_t hash)
{
	uint32_t *set = leaf_set(c, hash);
	size_t bytes = (size_t)c->stride * sizeof(*set);
	if (!set[(LEAF_WAYS - 1) * c->stride])
		c->count++;
	memmove(set + c->stride, set, (LEAF_WAYS - 1) * bytes);
	memcpy(set, e, bytes);
	return set;
}

static void
leaf_cache_grow(struct leaf_cache *c, const struct agg_fields *f)
{
	uint32_t sets = c->slots ? (c->sets_mask + 1) * 2 : 256;
	struct leaf_cache old = *c;
	c->stride = f->n + 1;
	c->slots = calloc((size_t)sets * LEAF_WAYS, c->stride * sizeof(uint32_t));
	if (!c->slots)
		err(1, "agg");
	c->sets_mask = sets - 1;
	c->count = 0;
	/* Oldest first, so that each set keeps its order. */
	for (uint32_t s = 0; old.slots && s <= old.sets_mask; s++)
		for (unsigned w = LEAF_WAYS; w-- > 0;) {
			const uint32_t *e = old.slots + ((size_t)s * LEAF_WAYS + w) *
						  old.stride;
			if (e[0])
				leaf_cache_insert(c, e, leaf_hash(e + 1, f->n));
		}
	free(old.slots);
}

/* A set is full: double the cache if it is full enough and allowed. */
static void
leaf_cache_full(struct leaf_cache *c, const struct agg_fields *f,
		const struct trie *t)
{
	uint64_t nodes = t->max_nodes > t->count ? t->max_nodes : t->count;
	uint64_t limit = nodes * LEAF_CACHE_PER_NODE;
	uint64_t slots = ((uint64_t)c->sets_mask + 1) * LEAF_WAYS;
	if (limit < LEAF_CACHE_MIN)
		limit = LEAF_CACHE_MIN;
	if (slots < limit && (uint64_t)c->count * 4 >= slots * 3)
		leaf_cache_grow(c, f);
}

/* After a fold: every entry, renumbered. */
static void
leaf_cache_remap(struct leaf_cache *c, const struct trie *t)
{
	if (!c->slots)
		return;
	for (size_t i = 0; i < ((size_t)c->sets_mask + 1) * LEAF_WAYS; i++) {
		uint32_t *e = c->slots + i * c->stride;
		uint32_t node = (e[0] & ~LEAF_OTHER) - 1;
		/* The root stays the root, and stays to be looked up again. */
		if (e[0] && node)
			e[0] = t->remap[node] + 1;
	}
}

/* A stack not in the leaf cache, or in [other]: through the trie. */
static uint32_t
leaf_resolve(struct agg_input *in, const struct ior_pair *p, uint32_t *e,
	     const uint32_t *key, uint32_t hash)
{
	static struct label_buf b;
	struct trie *t = &in->a->trie;
	struct leaf_cache *c = &in->leaves;
	pair_frames(in, p, &b);
	uint32_t node = 0;
	for (unsigned j = 0; j < b.n; j++)
		node = trie_child(t, node, b.buf + b.start[j],
				  b.end[j] - b.start[j]);
	uint32_t entry[1 + AGG_FIELDS_MAX];
	entry[0] = (node + 1) |
		   (t->nodes[node].label == t->other_label || !node ?
		    LEAF_OTHER : 0);
	memcpy(entry + 1, key, in->a->fields.n * sizeof(*key));
	if (e) {
		memcpy(e, entry, c->stride * sizeof(*e));
		return node;
	}
	if (leaf_set(c, hash)[(LEAF_WAYS - 1) * c->stride])
		leaf_cache_full(c, &in->a->fields, t);
	leaf_cache_insert(c, entry, hash);
	return node;
}

static inline uint32_t
leaf_node(struct agg_input *in, const struct ior_pair *p)
{
	struct leaf_cache *c = &in->leaves;
	unsigned nkey = in->a->fields.n;
	uint32_t key[AGG_FIELDS_MAX];
	uint32_t hash = leaf_key(&in->a->fields, p, key);
	if (!c->slots)
		leaf_cache_grow(c, &in->a->fields);
	uint32_t *e = leaf_set(c, hash);
	for (unsigned w = 0; w < LEAF_WAYS; w++, e += c->stride) {
		if (!e[0])
			break;
		unsigned k = 0;
		while (k < nkey && e[1 + k] == key[k])
			k++;
		if (k < nkey)
			continue;
		if ((e[0] & LEAF_OTHER) && trie_has_room(&in->a->trie))
			return leaf_resolve(in, p, e, key, hash);
		return (e[0] & ~LEAF_OTHER) - 1;
	}
	return leaf_resolve(in, p, NULL, key, hash);
}

/* What a pair adds to each of its stats, worked out once. */
struct pair_values {
	struct hist_value latency, gap;
	uint64_t rd, wr;
	uint16_t err;
	bool gap_known;
};

static inline __attribute__((always_inline)) void
stat_add_pair(struct agg_stat *s, const struct pair_values v, uint64_t wr)
{
	s->count++;
	if (v.err) {
		s->errors++;
		stat_add_errno(s, v.err, 1);
	}
	s->bytes_read += v.rd;
	s->bytes_written += wr;
	hist_add_value(&s->latency, &v.latency);
	if (v.gap_known)
		hist_add_value(&s->gap, &v.gap);
}

/* The file stat of a path id met for the first time. */
static struct agg_stat *
file_stat_new(struct agg_input *in, uint32_t path_id)
{
	size_t len;
	const char *path = name_get(in, IOR_NAME_PATH, path_id, &len);
	if (!path || path_id >= name_table_dense_ids(&in->names, IOR_NAME_PATH)) {
		/*
		 * Ids no name record gave, and ids beyond those the name
		 * table keeps in an array (sparse ones, or forged), are not
		 * cached: the cache is sized by the ids, so its memory must
		 * follow the names held, as the table's does (a lone pair of
		 * id 2^27 once made it 1 GiB).
		 */
		if (!path) {
			path = "[unnamed file]";
			len = strlen(path);
		}
		return table_stat(&in->a->tables[IOR_AGG_FILE], path, len);
	}
	if (path_id >= in->path_cap) {
		uint32_t cap = in->path_cap ? in->path_cap : 256;
		while (cap <= path_id)
			cap *= 2;
		uint32_t *ps = reallocarray(in->path_stat, cap, sizeof(*ps));
		if (!ps)
			err(1, "agg");
		memset(ps + in->path_cap, 0,
		       (cap - in->path_cap) * sizeof(*ps));
		in->path_stat = ps;
		in->path_cap = cap;
	}
	struct agg_stat *s = table_stat(&in->a->tables[IOR_AGG_FILE], path,
					len);
	in->path_stat[path_id] = s->key;
	return s;
}

static inline struct agg_stat *
file_stat(struct agg_input *in, uint32_t path_id)
{
	uint32_t key = path_id < in->path_cap ? in->path_stat[path_id] : 0;
	return key ? &in->a->tables[IOR_AGG_FILE].stats[key - 1] :
		     file_stat_new(in, path_id);
}

static struct agg_stat *
process_stat_new(struct agg_input *in, const struct ior_pair *p,
		 struct process_slot *c)
{
	char key[4 + 4096];
	size_t len = 0;
	const char *comm = name_get(in, IOR_NAME_COMM, p->comm_id, &len);
	if (!comm) {
		comm = "[unknown comm]";
		len = strlen(comm);
	}
	if (len > sizeof(key) - 4)
		len = sizeof(key) - 4;
	memcpy(key, &p->pid, 4);
	memcpy(key + 4, comm, len);
	struct agg_stat *s = table_stat(&in->a->tables[IOR_AGG_PROCESS], key,
					4 + len);
	s->pid = p->pid;
	*c = (struct process_slot){ p->pid, p->comm_id, s->key };
	return s;
}

static inline struct agg_stat *
process_stat(struct agg_input *in, const struct ior_pair *p)
{
	struct process_slot *c = &in->process_cache[p->pid %
						    AGG_PROCESS_CACHE];
	if (c->key && c->pid == p->pid && c->comm_id == p->comm_id)
		return &in->a->tables[IOR_AGG_PROCESS].stats[c->key - 1];
	return process_stat_new(in, p, c);
}

static struct agg_stat *
syscall_stat_new(struct agg_input *in, unsigned nr)
{
	char buf[24];
	const char *name = sysnames_get(&in->sysnames, nr, buf);
	struct agg_stat *s = table_stat(&in->a->tables[IOR_AGG_SYSCALL], name,
					strlen(name));
	if (nr < SYSNAMES_MAX)
		in->syscall_stat[nr] = s->key;
	return s;
}

static inline struct agg_stat *
syscall_stat(struct agg_input *in, unsigned nr)
{
	uint32_t key = nr < SYSNAMES_MAX ? in->syscall_stat[nr] : 0;
	return key ? &in->a->tables[IOR_AGG_SYSCALL].stats[key - 1] :
		     syscall_stat_new(in, nr);
}

static inline __attribute__((always_inline)) void
stats_add_pair(struct agg_input *in, const struct ior_pair *p,
	       const struct pair_values v)
{
	stat_add_pair(syscall_stat(in, p->header.misc), v, v.wr);
	stat_add_pair(process_stat(in, p), v, v.wr);
	if (p->path_id) {
		/* A transfer's written bytes belong to its sink. */
		bool transfer = p->path2_id && v.rd && v.wr;
		stat_add_pair(file_stat(in, p->path_id), v,
			      transfer ? 0 : v.wr);
		if (transfer)
			file_stat(in, p->path2_id)->bytes_written += v.wr;
		in->a->dirs_stale = true;
	}
}

static HIST_HOT void
add_pair(struct agg_input *in, const struct ior_pair *p)
{
	struct agg *a = in->a;
	if (in->generation != a->generation)
		caches_reset(in);
	struct pair_values v = {
		.latency = hist_value_of(p->latency_ns),
		.rd = p->pair_flags & IOR_PAIR_READ ? p->bytes : 0,
		.wr = p->pair_flags & IOR_PAIR_WRITE ? p->bytes : 0,
		.err = p->err,
		.gap_known = p->pair_flags & IOR_PAIR_GAP_KNOWN,
	};
	if (v.gap_known)
		v.gap = hist_value_of(p->gap_ns);
	if (!a->trie_only)
		stats_add_pair(in, p, v);

	struct totals t = {
		.count = 1,
		.errors = v.err != 0,
		.latency_ns = p->latency_ns,
		.gap_ns = v.gap_known ? p->gap_ns : 0,
		.bytes_read = v.rd,
		.bytes_written = v.wr,
	};
	uint16_t classes = family_classes(p->family) |
			   (v.err ? 1u << CLASS_ERROR : 0);
	trie_add(&a->trie, leaf_node(in, p), &t, classes);
	if (trie_bound(&a->trie)) {
		/* Only node numbers changed: the stats' caches stay good. */
		leaf_cache_remap(&in->leaves, &a->trie);
		in->generation = ++a->generation;
	}

	uint64_t start = p->time_ns + in->clock_to_real;
	span_extend(a, start, start + p->latency_ns);
	a->pairs++;
}

/* ---- aggregate snapshots ---- */

static bool
bad(struct agg_input *in, const char *what)
{
	stream_damage(in->r, "%s at offset %llu", what,
		      (unsigned long long)in->r->record_offset);
	return false;
}

static bool
read_hist(const unsigned char **pos, const unsigned char *end,
	  struct hist *h)
{
	struct ior_agg_hist hh;
	if ((size_t)(end - *pos) < sizeof(hh))
		return false;
	memcpy(&hh, *pos, sizeof(hh));
	*pos += sizeof(hh);
	if ((size_t)(end - *pos) / sizeof(struct ior_agg_bucket) < hh.nbuckets)
		return false;
	for (uint32_t i = 0; i < hh.nbuckets; i++) {
		struct ior_agg_bucket b;
		memcpy(&b, *pos, sizeof(b));
		*pos += sizeof(b);
		if (b.bucket >= HIST_BUCKETS)
			return false;
		hist_add_bucket(h, b.bucket, b.count);
	}
	return true;
}

static bool
read_stat(struct agg_input *in, const struct ior_agg_stat *rec)
{
	struct agg *a = in->a;
	unsigned kind = rec->header.misc;
	uint32_t size = in->r->size;
	struct string_ref key;
	if (kind < IOR_AGG_SYSCALL || kind > IOR_AGG_DIR)
		return bad(in, "bad aggregate kind");
	if (!record_string_by_tag(rec, size, rec->str_off, rec->nstrings,
				  IOR_AGG_STR_KEY, &key))
		return bad(in, "aggregate stat without its key");
	if (rec->hist_off < sizeof(*rec) || rec->hist_off > size)
		return bad(in, "aggregate stat histograms out of bounds");

	struct agg_stat s = { .pid = rec->pid, .count = rec->count,
			      .errors = rec->errors,
			      .bytes_read = rec->bytes_read,
			      .bytes_written = rec->bytes_written };
	hist_init(&s.latency);
	hist_init(&s.gap);
	const unsigned char *pos = (const unsigned char *)rec + rec->hist_off;
	const unsigned char *end = (const unsigned char *)rec + size;
	bool ok = (size_t)(end - pos) / sizeof(struct ior_agg_errno) >=
		  rec->nerrno;
	for (unsigned i = 0; ok && i < rec->nerrno; i++) {
		struct ior_agg_errno e;
		memcpy(&e, pos, sizeof(e));
		pos += sizeof(e);
		stat_add_errno(&s, e.err, e.count);
	}
	ok = ok && read_hist(&pos, end, &s.latency) &&
	     read_hist(&pos, end, &s.gap);
	if (ok && (s.latency.count != rec->count ||
		   s.gap.count != rec->gap_count))
		ok = false;
	if (ok) {
		s.latency.sum = rec->latency_sum;
		s.latency.min = rec->count ? rec->latency_min : UINT64_MAX;
		s.latency.max = rec->latency_max;
		s.gap.sum = rec->gap_sum;
		s.gap.min = rec->gap_count ? rec->gap_min : UINT64_MAX;
		s.gap.max = rec->gap_max;
		char k[4 + IOR_STRING_MAX];
		size_t len = 0;
		if (kind == IOR_AGG_PROCESS) {
			memcpy(k, &rec->pid, 4);
			len = 4;
		}
		memcpy(k + len, key.bytes, key.len);
		struct agg_stat *dst = table_stat(&a->tables[kind], k,
						  len + key.len);
		dst->pid = rec->pid;
		stat_merge(dst, &s);
	}
	hist_release(&s.latency);
	hist_release(&s.gap);
	free(s.errnos);
	return ok ? true : bad(in, "aggregate histograms do not add up");
}

static bool
read_node(struct agg_input *in, const struct ior_agg_node *rec)
{
	struct agg *a = in->a;
	struct string_ref label;
	uint32_t n = ++in->snap_nodes;
	if (rec->parent >= n)
		return bad(in, "aggregate node before its parent");
	if (!record_string_by_tag(rec, in->r->size, rec->str_off,
				  rec->nstrings, IOR_AGG_STR_LABEL, &label))
		return bad(in, "aggregate node without its label");
	if (n >= in->snap_map_cap) {
		uint32_t cap = in->snap_map_cap ? in->snap_map_cap * 2 : 1024;
		uint32_t *m = reallocarray(in->snap_map, cap, sizeof(*m));
		if (!m)
			err(1, "agg");
		in->snap_map = m;
		in->snap_map_cap = cap;
	}
	in->snap_map[0] = 0;
	uint32_t node = trie_child(&a->trie, in->snap_map[rec->parent],
				   label.bytes, label.len);
	in->snap_map[n] = node;
	struct totals v = { rec->count, rec->errors, rec->latency_ns,
			    rec->gap_ns, rec->bytes_read, rec->bytes_written };
	trie_add(&a->trie, node, &v, rec->classes);
	return true;
}

static bool
begin_snapshot(struct agg_input *in, const struct ior_agg_begin *rec)
{
	struct agg *a = in->a;
	struct string_ref fs;
	struct agg_fields fields;
	char why[320], spec[256];
	if (in->in_snapshot)
		return bad(in, "aggregate snapshot inside another");
	if (!record_string_by_tag(rec, in->r->size, rec->str_off,
				  rec->nstrings, IOR_AGG_STR_FIELDS, &fs))
		return bad(in, "aggregate snapshot without its fields");
	snprintf(spec, sizeof(spec), "%.*s", (int)fs.len, fs.bytes);
	if (!agg_fields_parse(spec, &fields, why, sizeof(why)))
		return bad(in, why);
	if (strcmp(fields.spec, a->fields.spec) != 0) {
		/* An aggregate that has seen nothing takes the input's fields. */
		if (a->fields_fixed || a->pairs || a->snapshots ||
		    a->trie.count > 1) {
			snprintf(why, sizeof(why),
				 "snapshot of fields %s cannot merge into %s",
				 fields.spec, a->fields.spec);
			return bad(in, why);
		}
		a->fields = fields;
		a->generation++;
	}
	in->in_snapshot = true;
	in->snap_nodes = 0;
	in->snap_begin = *rec;
	/* The loss and pair counts are the producer's: they add up. */
	span_extend(a, rec->start_ns, rec->end_ns);
	a->pairs += rec->pairs;
	a->lost += rec->lost;
	a->unmatched_exits += rec->unmatched_exits;
	a->unmatched_enters += rec->unmatched_enters;
	a->fd_unknown += rec->fd_unknown;
	a->truncated |= (rec->header.misc & IOR_AGG_TRUNCATED) != 0;
	return true;
}

static bool
end_snapshot(struct agg_input *in, const struct ior_agg_end *rec)
{
	struct agg *a = in->a;
	if (!in->in_snapshot)
		return bad(in, "aggregate snapshot end without its start");
	if (rec->sequence != in->snap_begin.sequence ||
	    in->snap_nodes != in->snap_begin.nodes ||
	    in->snap_stats != in->snap_begin.stats)
		return bad(in, "aggregate snapshot incomplete");
	in->in_snapshot = false;
	in->snap_stats = 0;
	a->snapshots++;
	if (trie_bound(&a->trie))
		a->generation++;
	return true;
}

bool
agg_input_record(struct agg_input *in, const struct ior_record *rec)
{
	struct agg *a = in->a;
	struct stream_reader *r = in->r;
	if (r->type == IOR_PAIR && !in->in_snapshot) {
		/* A call the capture ended inside is no completed call. */
		if (!(((const struct ior_pair *)rec)->pair_flags &
		      IOR_PAIR_UNFINISHED))
			add_pair(in, (const void *)rec);
		return true;
	}
	if (in->in_snapshot && r->type != IOR_AGG_STAT &&
	    r->type != IOR_AGG_NODE && r->type != IOR_AGG_END)
		return bad(in, "aggregate snapshot cut short");
	switch (r->type) {
	case STREAM_SECTION: {
		const struct ior_section *s = (const void *)rec;
		name_table_reset(&in->names);
		sysnames_reset(&in->sysnames);
		a->generation++;
		caches_reset(in);
		in->clock_to_real = (int64_t)(s->anchor_realtime_ns -
					      s->anchor_clock_ns);
		in->section_lost = 0;
		struct string_ref host;
		in->host_known = section_string(s, IOR_HDR_HOSTNAME, &host);
		in->host_len = in->host_known ? host.len : 0;
		if (in->host_known)
			memcpy(in->host, host.bytes, host.len);
		return true;
	}
	case IOR_SYSCALL_NAME:
		sysnames_add(&in->sysnames, (const void *)rec, r->size);
		return true;
	case IOR_NAME: {
		const char *why = name_table_add(&in->names, (const void *)rec,
						 r->size);
		if (why == NULL)
			return true;
		stream_damage(r, "%s at offset %llu", why,
			      (unsigned long long)r->record_offset);
		return false;
	}
	case IOR_LOSS: {
		const struct ior_loss *l = (const void *)rec;
		a->lost += l->lost;
		in->section_lost += l->lost;
		return true;
	}
	case IOR_MISS: {
		/* Program runs the kernel skipped: events lost all the same. */
		const struct ior_miss *m = (const void *)rec;
		a->lost += m->missed;
		in->section_lost += m->missed;
		return true;
	}
	case IOR_PAIR_TOTALS: {
		const struct ior_pair_totals *t = (const void *)rec;
		a->unmatched_exits += t->unmatched_exits;
		a->unmatched_enters += t->unmatched_enters;
		a->fd_unknown += t->fd_unknown;
		if (t->lost > in->section_lost) {
			a->lost += t->lost - in->section_lost;
			in->section_lost = t->lost;
		}
		return true;
	}
	case IOR_FILTER: {
		const struct ior_filter *f = (const void *)rec;
		struct string_ref e = { (const unsigned char *)"", 0, 0, 0 };
		(void)record_string_by_tag(f, r->size, f->str_off, f->nstrings,
					   IOR_FILTER_EXPR, &e);
		agg_add_filter(a, f->seen, f->kept, (const char *)e.bytes,
			       e.len);
		return true;
	}
	case IOR_SYSCALL_ENTER:
	case IOR_SYSCALL_EXIT:
		if (!in->raw_seen) {
			in->raw_seen = true;
			return bad(in, "raw syscall events (pipe them through "
				   "ior-pair first)");
		}
		return true;
	case IOR_AGG_BEGIN:
		return begin_snapshot(in, (const void *)rec);
	case IOR_AGG_STAT:
		if (!in->in_snapshot)
			return bad(in, "aggregate stat outside a snapshot");
		in->snap_stats++;
		return read_stat(in, (const void *)rec);
	case IOR_AGG_NODE:
		if (!in->in_snapshot)
			return bad(in, "aggregate node outside a snapshot");
		return read_node(in, (const void *)rec);
	case IOR_AGG_END:
		return end_snapshot(in, (const void *)rec);
	default:
		return true;
	}
}

void
agg_input_finish(struct agg_input *in)
{
	if (in->r->status != STREAM_END || !in->r->trailer_seen)
		in->a->truncated = true;
}

/* ---- writing snapshots ---- */

static unsigned char *
put_hist(unsigned char *pos, const struct hist *h)
{
	struct ior_agg_hist hh = { 0, 0 };
	unsigned char *head = pos;
	pos += sizeof(hh);
	uint64_t k;
	for (uint32_t i = 0, bucket;
	     (bucket = hist_next(h, &i, &k)) != UINT32_MAX;) {
		struct ior_agg_bucket b = { bucket, 0, k };
		memcpy(pos, &b, sizeof(b));
		pos += sizeof(b);
		hh.nbuckets++;
	}
	memcpy(head, &hh, sizeof(hh));
	return pos;
}

static void
write_stat(const struct agg *a, struct stream_writer *w,
	   enum ior_agg_kind kind, const struct agg_stat *s)
{
	static unsigned char buf[IOR_RECORD_MAX];
	struct ior_agg_stat *rec = (void *)buf;
	memset(rec, 0, sizeof(*rec));
	rec->header.type = IOR_AGG_STAT;
	rec->header.misc = (uint16_t)kind;
	rec->count = s->count;
	rec->errors = s->errors;
	rec->bytes_read = s->bytes_read;
	rec->bytes_written = s->bytes_written;
	rec->latency_sum = s->latency.sum;
	rec->latency_min = s->latency.count ? s->latency.min : 0;
	rec->latency_max = s->latency.max;
	rec->gap_count = s->gap.count;
	rec->gap_sum = s->gap.sum;
	rec->gap_min = s->gap.count ? s->gap.min : 0;
	rec->gap_max = s->gap.max;
	rec->pid = s->pid;
	rec->nerrno = (uint16_t)(s->nerrno < 1000 ? s->nerrno : 1000);
	rec->str_off = sizeof(*rec);
	rec->nstrings = 1;
	size_t len;
	const char *key = agg_stat_key(a, kind, s, &len);
	uint32_t off = sizeof(*rec);
	record_add_string(rec, &off, key, len, IOR_AGG_STR_KEY, 0);
	memset(buf + off, 0, IOR_ALIGN8(off) - off);
	off = IOR_ALIGN8(off);
	rec->hist_off = (uint16_t)off;
	unsigned char *pos = buf + off;
	for (unsigned i = 0; i < rec->nerrno; i++) {
		struct ior_agg_errno e = { .err = s->errnos[i].err,
					   .count = s->errnos[i].count };
		memcpy(pos, &e, sizeof(e));
		pos += sizeof(e);
	}
	pos = put_hist(pos, &s->latency);
	pos = put_hist(pos, &s->gap);
	uint32_t size = record_finish(rec, (uint32_t)(pos - buf));
	stream_put(w, rec, size);
}

void
agg_write_snapshot(struct agg *a, struct stream_writer *w,
		   uint32_t sequence, uint32_t interval_ms, uint16_t flags)
{
	agg_settle(a);
	/* The filter's provenance goes with the pairs it left. */
	if (a->filters) {
		_Alignas(8) unsigned char fbuf[sizeof(struct ior_filter) + 8 +
					       sizeof(a->filter_expr)];
		struct ior_filter *f = (void *)fbuf;
		uint32_t off = sizeof(*f);
		memset(fbuf, 0, sizeof(fbuf));
		f->header.type = IOR_FILTER;
		f->seen = a->filter_seen;
		f->kept = a->filter_kept;
		f->str_off = off;
		f->nstrings = 1;
		record_add_string(fbuf, &off, a->filter_expr,
				  strlen(a->filter_expr), IOR_FILTER_EXPR, 0);
		f->header.size = record_finish(fbuf, off);
		stream_put(w, fbuf, f->header.size);
	}
	/* The fields, and a host's name as long as a stream's string. */
	static _Alignas(8) unsigned char buf[sizeof(struct ior_agg_begin) +
					     2 * (8 + IOR_STRING_MAX)];
	struct ior_agg_begin *b = (void *)buf;
	uint32_t stats = 0;
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++)
		stats += a->tables[k].keys.count;
	memset(buf, 0, sizeof(buf));
	b->header.type = IOR_AGG_BEGIN;
	b->header.misc = flags | (a->truncated ? IOR_AGG_TRUNCATED : 0);
	b->start_ns = a->start_ns;
	b->end_ns = a->end_ns;
	b->pairs = a->pairs;
	b->lost = a->lost;
	b->unmatched_exits = a->unmatched_exits;
	b->unmatched_enters = a->unmatched_enters;
	b->fd_unknown = a->fd_unknown;
	b->sequence = sequence;
	b->interval_ms = interval_ms;
	b->stats = stats;
	b->nodes = a->trie.count - 1;
	b->max_nodes = a->trie.max_nodes;
	b->weight = (uint8_t)a->trie.weight;
	b->str_off = sizeof(*b);
	b->nstrings = 1;
	uint32_t off = sizeof(*b);
	record_add_string(b, &off, a->fields.spec, strlen(a->fields.spec),
			  IOR_AGG_STR_FIELDS, 0);
	if (a->host) {
		record_add_string(b, &off, a->host, a->host_len,
				  IOR_AGG_STR_HOST, 0);
		b->nstrings++;
	}
	stream_put(w, b, record_finish(b, off));

	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++) {
		const struct agg_table *t = &a->tables[k];
		for (uint32_t i = 0; i < t->keys.count; i++)
			write_stat(a, w, k, &t->stats[i]);
	}
	for (uint32_t n = 1; n < a->trie.count; n++) {
		static unsigned char nb[sizeof(struct ior_agg_node) + 8 +
					IOR_STRING_MAX + 8];
		struct ior_agg_node *rec = (void *)nb;
		const struct trie_node *tn = &a->trie.nodes[n];
		memset(rec, 0, sizeof(*rec));
		rec->header.type = IOR_AGG_NODE;
		rec->parent = tn->parent;
		rec->classes = tn->classes;
		rec->str_off = sizeof(*rec);
		rec->nstrings = 1;
		rec->count = tn->self.count;
		rec->errors = tn->self.errors;
		rec->latency_ns = tn->self.latency_ns;
		rec->gap_ns = tn->self.gap_ns;
		rec->bytes_read = tn->self.bytes_read;
		rec->bytes_written = tn->self.bytes_written;
		size_t len;
		const char *label = trie_label(&a->trie, n, &len);
		off = sizeof(*rec);
		record_add_string(rec, &off, label, len, IOR_AGG_STR_LABEL, 0);
		stream_put(w, rec, record_finish(rec, off));
	}
	struct ior_agg_end *e = stream_reserve(w, IOR_AGG_END, 0, sizeof(*e));
	e->sequence = sequence;
}
