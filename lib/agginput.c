/* SPDX-License-Identifier: MIT */
#include "agg.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "aggread.h"
#include "aggthread.h"
#include "leafcache.h"

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
		agg_stat_add_errno(s, v.err, 1);
	}
	s->bytes_read += v.rd;
	s->bytes_written += wr;
	hist_add_value(&s->latency, &v.latency);
	if (v.gap_known)
		hist_add_value(&s->gap, &v.gap);
}

/*
 * The file stat key of a path id met for the first time: interned in the
 * file table's keys (the reader's even with a worker; its stat is
 * made by whoever adds to it).
 */
static uint32_t
file_key_new(struct agg_input *in, uint32_t path_id)
{
	struct strtab *keys = &in->a->tables[IOR_AGG_FILE].keys;
	size_t len;
	const char *path = agg_input_name(in, IOR_NAME_PATH, path_id, &len);
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
		return strtab_intern(keys, path, len);
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
	return in->path_stat[path_id] = strtab_intern(keys, path, len);
}

static inline uint32_t
file_key(struct agg_input *in, uint32_t path_id)
{
	uint32_t key = path_id < in->path_cap ? in->path_stat[path_id] : 0;
	return key ? key : file_key_new(in, path_id);
}

static inline struct agg_stat *
file_stat(struct agg_input *in, uint32_t path_id)
{
	return agg_table_at(&in->a->tables[IOR_AGG_FILE],
			    file_key(in, path_id));
}

/* The process key of p (pid, comm) met for the first time. */
static uint32_t
process_key_new(struct agg_input *in, const struct ior_pair *p,
		struct process_slot *c)
{
	char key[4 + 4096];
	size_t len = 0;
	const char *comm = agg_input_name(in, IOR_NAME_COMM, p->comm_id, &len);
	if (!comm) {
		comm = "[unknown comm]";
		len = strlen(comm);
	}
	if (len > sizeof(key) - 4)
		len = sizeof(key) - 4;
	memcpy(key, &p->pid, 4);
	memcpy(key + 4, comm, len);
	uint32_t id = strtab_intern(&in->a->tables[IOR_AGG_PROCESS].keys, key,
				    4 + len);
	*c = (struct process_slot){ p->pid, p->comm_id, id };
	return id;
}

static inline uint32_t
process_key(struct agg_input *in, const struct ior_pair *p)
{
	struct process_slot *c = &in->process_cache[p->pid %
						    AGG_PROCESS_CACHE];
	if (c->key && c->pid == p->pid && c->comm_id == p->comm_id)
		return c->key;
	return process_key_new(in, p, c);
}

static uint32_t
syscall_key_new(struct agg_input *in, unsigned nr)
{
	char buf[24];
	const char *name = sysnames_get(&in->sysnames, nr, buf);
	uint32_t id = strtab_intern(&in->a->tables[IOR_AGG_SYSCALL].keys, name,
				    strlen(name));
	if (nr < SYSNAMES_MAX)
		in->syscall_stat[nr] = id;
	return id;
}

static inline uint32_t
syscall_key(struct agg_input *in, unsigned nr)
{
	uint32_t key = nr < SYSNAMES_MAX ? in->syscall_stat[nr] : 0;
	return key ? key : syscall_key_new(in, nr);
}

static inline __attribute__((always_inline)) void
stats_add_pair(struct agg_input *in, const struct ior_pair *p,
	       struct pair_values v)
{
	/* A transfer's written bytes belong to its sink. */
	bool transfer = p->path_id && p->path2_id && v.rd && v.wr;
	struct agg *a = in->a;
	if (in->files) {
		/*
		 * ior-agg's worker adds the pair to every table, and keeps
		 * every figure: the reader only finds the keys.
		 */
		struct agg_update u = {
			.syscall = syscall_key(in, p->header.misc),
			.process = process_key(in, p),
			.pid = p->pid,
			.file = p->path_id ? file_key(in, p->path_id) : 0,
			.sink = transfer ? file_key(in, p->path2_id) : 0,
			.latency_ns = v.latency.value,
			.gap_ns = v.gap.value,
			.rd = v.rd, .wr = v.wr, .err = v.err,
			.gap_known = v.gap_known,
		};
		agg_files_push(in->files, a, &u);
		a->dirs_stale |= p->path_id != 0;
		return;
	}
	/* A table whose figures are not kept still has its rows. */
	unsigned keep = a->keep;
	bool gap = v.gap_known;
	struct agg_stat *s = agg_table_at(&a->tables[IOR_AGG_SYSCALL],
					  syscall_key(in, p->header.misc));
	v.gap_known = gap && keep & AGG_KEEP_GAPS(IOR_AGG_SYSCALL);
	if (keep & AGG_KEEP_FIGURES(IOR_AGG_SYSCALL))
		stat_add_pair(s, v, v.wr);
	s = agg_table_at(&a->tables[IOR_AGG_PROCESS], process_key(in, p));
	s->pid = p->pid;
	v.gap_known = gap && keep & AGG_KEEP_GAPS(IOR_AGG_PROCESS);
	if (keep & AGG_KEEP_FIGURES(IOR_AGG_PROCESS))
		stat_add_pair(s, v, v.wr);
	if (p->path_id) {
		bool figures = keep & AGG_KEEP_FIGURES(IOR_AGG_FILE);
		s = file_stat(in, p->path_id);
		v.gap_known = gap && keep & AGG_KEEP_GAPS(IOR_AGG_FILE);
		if (figures)
			stat_add_pair(s, v, transfer ? 0 : v.wr);
		if (transfer) {
			s = file_stat(in, p->path2_id);
			if (figures)
				s->bytes_written += v.wr;
		}
		a->dirs_stale = true;
	}
}

/*
 * The worker's part (aggthread.h).  Its file rows are the cache misses
 * the reader no longer waits for; the worker asks for them a few updates
 * ahead, as the reader does for its own rows (prefetch_ahead below).
 */
#define APPLY_AHEAD 8

HIST_HOT void
agg_files_apply(const struct agg_batch *b)
{
	struct agg_table *t = &b->a->tables[IOR_AGG_FILE];
	struct agg_table *sys = &b->a->tables[IOR_AGG_SYSCALL];
	struct agg_table *proc = &b->a->tables[IOR_AGG_PROCESS];
	for (uint32_t i = 0; i < b->n; i++) {
		const struct agg_update *u = &b->u[i];
		if (i + APPLY_AHEAD < b->n) {
			uint32_t k = b->u[i + APPLY_AHEAD].file;
			if (k && k <= t->ready) {
				const char *s = (const char *)&t->stats[k - 1];
				__builtin_prefetch(s, 1);
				__builtin_prefetch(s + 64, 1);
				__builtin_prefetch(s + sizeof(struct agg_stat) - 1,
						   1);
			}
		}
		struct pair_values v = {
			.latency = hist_value_of(u->latency_ns),
			.rd = u->rd,
			.err = u->err,
			.gap_known = u->gap_known,
		};
		if (v.gap_known)
			v.gap = hist_value_of(u->gap_ns);
		stat_add_pair(agg_table_at(sys, u->syscall), v, u->wr);
		struct agg_stat *s = agg_table_at(proc, u->process);
		s->pid = u->pid;
		stat_add_pair(s, v, u->wr);
		if (!u->file)
			continue;
		stat_add_pair(agg_table_at(t, u->file), v, u->sink ? 0 : u->wr);
		if (u->sink)
			agg_table_at(t, u->sink)->bytes_written += u->wr;
	}
}

/*
 * On a stream of many files a pair's file row and its leaf cache set are
 * in cache lines no recent pair touched: misses of about 100 ns each,
 * which one pair's work waits for one after another.  The pairs after it
 * are already in the reader's buffer, so their lines are asked for
 * AHEAD_BYTES (about a dozen pairs) early and arrive while earlier pairs
 * are added.  Hints only: nothing is looked up that could create a row,
 * and a line fetched in vain costs only the fetch.  (A second, nearer
 * pass for the histograms' counters and the trie node cost more in
 * instructions than it saved: docs/performance.md.)
 */
#define AHEAD_BYTES 1024

static void
prefetch_pair(struct agg_input *in, const struct ior_pair *p)
{
	const struct agg_table *files = &in->a->tables[IOR_AGG_FILE];
	if (in->a->keep & AGG_KEEP_TRIE)
		leaf_prefetch(in, p);
	/* A worker's rows are its own to prefetch (and to move). */
	if (in->a->trie_only || in->files || p->path_id >= in->path_cap)
		return;
	if (!(in->a->keep & AGG_KEEP_FIGURES(IOR_AGG_FILE))) {
		/* The file's row is counted, from the cache alone. */
		__builtin_prefetch(&in->path_stat[p->path_id]);
		return;
	}
	uint32_t key = in->path_stat[p->path_id];
	if (key && key <= files->ready) {
		const char *s = (const char *)&files->stats[key - 1];
		__builtin_prefetch(s, 1);
		__builtin_prefetch(s + 64, 1);
		__builtin_prefetch(s + sizeof(struct agg_stat) - 1, 1);
	}
}

static inline void
prefetch_ahead(struct agg_input *in, const struct ior_pair *p)
{
	struct stream_reader *r = in->r;
	/* Only the reader's own record has the stream after it in view. */
	if (!r || (const unsigned char *)p + r->size != r->buf + r->head)
		return;
	uint64_t next = r->offset, end = next + (r->tail - r->head);
	if (in->ahead < next || in->ahead - next > AHEAD_BYTES + IOR_RECORD_MAX)
		in->ahead = next;
	while (in->ahead - next < AHEAD_BYTES &&
	       end - in->ahead >= sizeof(struct ior_record)) {
		const struct ior_record *rec =
			(const void *)(r->buf + r->head + (in->ahead - next));
		uint32_t size = rec->size;
		if (size < sizeof(*rec) || size % 8 || size > end - in->ahead)
			break;
		if (rec->type == IOR_PAIR && size >= sizeof(struct ior_pair))
			prefetch_pair(in, (const void *)rec);
		in->ahead += size;
	}
}

static HIST_HOT void
add_pair(struct agg_input *in, const struct ior_pair *p)
{
	struct agg *a = in->a;
	if (in->generation != a->generation)
		caches_reset(in);
	prefetch_ahead(in, p);
	struct pair_values v = {
		.latency = hist_value_of(p->latency_ns),
		.rd = p->pair_flags & IOR_PAIR_READ ? p->bytes : 0,
		.wr = p->pair_flags & IOR_PAIR_WRITE ? p->bytes : 0,
		.err = p->err,
		.gap_known = p->pair_flags & IOR_PAIR_GAP_KNOWN,
	};
	/* The trie takes the gap as it is; the tables, if they keep it. */
	if (v.gap_known && a->keep & AGG_KEEP_TABLES << IOR_AGG_DIR)
		v.gap = hist_value_of(p->gap_ns);
	if (!a->trie_only)
		stats_add_pair(in, p, v);

	if (a->keep & AGG_KEEP_TRIE) {
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
			/*
			 * Only node numbers changed: the stats' caches stay
			 * good.
			 */
			leaf_cache_remap(&in->leaves, &a->trie);
			in->generation = ++a->generation;
		}
	}

	uint64_t start = p->time_ns + in->clock_to_real;
	agg_span_extend(a, start, start + p->latency_ns);
	a->pairs++;
}

bool
agg_input_bad(struct agg_input *in, const char *what)
{
	stream_damage(in->r, "%s at offset %llu", what,
		      (unsigned long long)in->r->record_offset);
	return false;
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
		return agg_input_bad(in, "aggregate snapshot cut short");
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
			return agg_input_bad(in, "raw syscall events (pipe them through "
				   "ior-pair first)");
		}
		return true;
	case IOR_AGG_BEGIN:
		return agg_read_begin(in, (const void *)rec);
	case IOR_AGG_STAT:
		if (!in->in_snapshot)
			return agg_input_bad(in, "aggregate stat outside a snapshot");
		in->snap_stats++;
		return agg_read_stat(in, (const void *)rec);
	case IOR_AGG_NODE:
		if (!in->in_snapshot)
			return agg_input_bad(in, "aggregate node outside a snapshot");
		return agg_read_node(in, (const void *)rec);
	case IOR_AGG_END:
		return agg_read_end(in, (const void *)rec);
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
