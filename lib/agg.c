/* SPDX-License-Identifier: MIT */
#include "agg.h"
#include "bigmem.h"

#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errname.h"
#include "labels.h"

static void
table_init(struct agg_table *t)
{
	memset(t, 0, sizeof(*t));
	strtab_init(&t->keys);
}

static void
table_release(struct agg_table *t)
{
	for (uint32_t i = 0; i < t->ready; i++) {
		hist_release(&t->stats[i].latency);
		hist_release(&t->stats[i].gap);
		free(t->stats[i].errnos);
	}
	free(t->stats);
	strtab_release(&t->keys);
	memset(t, 0, sizeof(*t));
}

void (*agg_files_drain)(void);

struct agg_stat *
agg_table_make(struct agg_table *t, uint32_t key)
{
	if (key > t->cap) {
		uint32_t cap = t->cap ? t->cap : 64;
		while (cap < key)
			cap *= 2;
		t->stats = big_grow(t->stats, t->cap, cap, sizeof(*t->stats),
				    "agg");
		t->cap = cap;
	}
	/* Keys are dense: those before key are made with it. */
	for (; t->ready < key; t->ready++) {
		struct agg_stat *s = &t->stats[t->ready];
		memset(s, 0, sizeof(*s));
		s->key = t->ready + 1;
		hist_init(&s->latency);
		hist_init(&s->gap);
	}
	return &t->stats[key - 1];
}

/* The stat of key, created empty if new. */
struct agg_stat *
agg_table_stat(struct agg_table *t, const void *key, size_t len)
{
	return agg_table_at(t, strtab_intern(&t->keys, key, len));
}

void
agg_sync(struct agg *a)
{
	if (agg_files_drain)
		agg_files_drain();
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_FILE; k++) {
		struct agg_table *t = &a->tables[k];
		if (t->keys.count > t->ready)
			agg_table_make(t, t->keys.count);
	}
}

void
agg_init(struct agg *a, const struct agg_fields *fields, uint32_t max_nodes,
	 enum weight w)
{
	memset(a, 0, sizeof(*a));
	a->fields = *fields;
	a->keep = AGG_KEEP_ALL;
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++)
		table_init(&a->tables[k]);
	trie_init(&a->trie, max_nodes, w);
}

void
agg_release(struct agg *a)
{
	if (agg_files_drain)
		agg_files_drain();
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
	unsigned keep = a->keep;
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
	a->keep = keep;
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

void
agg_stat_put_json(FILE *f, const struct agg_stat *s)
{
	fprintf(f, "\"count\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"errno\":{", s->count, s->errors);
	for (uint32_t e = 0; e < s->nerrno; e++) {
		char ebuf[ERRNO_NAME_LEN];

		fprintf(f, "%s\"%s\":%" PRIu64, e ? "," : "",
			errno_name(s->errnos[e].err, ebuf), s->errnos[e].count);
	}
	fprintf(f, "},\"bytes_read\":%" PRIu64 ",\"bytes_written\":%"
		PRIu64 ",", s->bytes_read, s->bytes_written);
	hist_put_json(f, "latency_ns", &s->latency);
	fputc(',', f);
	hist_put_json(f, "gap_ns", &s->gap);
}

int
agg_stat_heavier(const void *x, const void *y)
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
	qsort(v, t->keys.count, sizeof(*v), agg_stat_heavier);
	*n = t->keys.count;
	return v;
}

void
agg_stat_add_errno(struct agg_stat *s, uint16_t e, uint64_t count)
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

void
agg_stat_merge(struct agg_stat *dst, const struct agg_stat *src)
{
	dst->count += src->count;
	dst->errors += src->errors;
	dst->bytes_read += src->bytes_read;
	dst->bytes_written += src->bytes_written;
	hist_merge(&dst->latency, &src->latency);
	hist_merge(&dst->gap, &src->gap);
	for (uint32_t i = 0; i < src->nerrno; i++)
		agg_stat_add_errno(dst, src->errnos[i].err, src->errnos[i].count);
}

void
agg_span_extend(struct agg *a, uint64_t start, uint64_t end)
{
	if (start && (!a->start_ns || start < a->start_ns))
		a->start_ns = start;
	if (end > a->end_ns)
		a->end_ns = end;
}

void
agg_merge(struct agg *a, struct agg *b)
{
	agg_sync(a);
	agg_sync(b);
	bool dirs = a->keep & AGG_KEEP_FIGURES(IOR_AGG_DIR);
	if (dirs)
		agg_settle(b);
	for (unsigned k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++) {
		const struct agg_table *t = &b->tables[k];
		bool figures = a->keep & AGG_KEEP_FIGURES(k);
		if (k == IOR_AGG_DIR && !dirs)
			continue;
		for (uint32_t i = 0; i < t->keys.count; i++) {
			size_t len;
			const char *key = strtab_get(&t->keys, i + 1, &len);
			struct agg_stat *s = agg_table_stat(&a->tables[k], key, len);
			s->pid = t->stats[i].pid;
			if (figures)
				agg_stat_merge(s, &t->stats[i]);
		}
	}
	if (a->keep & AGG_KEEP_TRIE) {
		trie_merge(&a->trie, &b->trie);
		trie_bound(&a->trie);
	}
	a->generation++;
	agg_span_extend(a, b->start_ns, b->end_ns);
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


/* The directory of a file's key: its path's, or the kind of a non-file. */
static uint32_t
dir_of_file(struct agg *a, uint32_t file_key)
{
	size_t len;
	const char *path = strtab_get(&a->tables[IOR_AGG_FILE].keys, file_key,
				      &len);
	size_t dl = path_dir_len(path, len);
	const char *d = path;
	if (!dl)
		dl = path_pseudo_dir(path, len, &d);
	return agg_table_stat(&a->tables[IOR_AGG_DIR], d, dl)->key;
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
	agg_sync(a);
	/* Directories not kept have no rows to settle. */
	if (!a->dirs_stale || !(a->keep & AGG_KEEP_FIGURES(IOR_AGG_DIR)))
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
		agg_stat_merge(&dirs->stats[a->dir_of[i] - 1], &files->stats[i]);
	}
	a->dirs_stale = false;
}
