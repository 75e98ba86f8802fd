/* SPDX-License-Identifier: MIT */
#include "fleet.h"

#include <err.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void
fleet_init(struct fleet *f, const struct agg_fields *fields,
	   uint32_t max_nodes, enum weight w)
{
	memset(f, 0, sizeof(*f));
	f->fields = *fields;
	f->max_nodes = max_nodes;
	f->weight = w;
	strtab_init(&f->names);
	agg_init(&f->pending, fields, 0, w);
}

static void
host_stats_free(struct fleet *f, uint32_t n)
{
	for (uint32_t i = 0; f->host_stats && i < n; i++) {
		hist_release(&f->host_stats[i].latency);
		hist_release(&f->host_stats[i].gap);
		free(f->host_stats[i].errnos);
	}
	free(f->host_stats);
	f->host_stats = NULL;
}

static void
total_free(struct fleet *f)
{
	if (f->total_built)
		agg_release(&f->total);
	f->total_built = false;
}

void
fleet_release(struct fleet *f)
{
	host_stats_free(f, f->n);
	total_free(f);
	for (uint32_t i = 0; i < f->n; i++) {
		agg_release(&f->hosts[i]->a);
		free(f->hosts[i]->name);
		free(f->hosts[i]);
	}
	free(f->hosts);
	agg_release(&f->pending);
	strtab_release(&f->names);
	f->hosts = NULL;
	f->n = 0;
	f->used = 0;
	f->other = NULL;
	f->section = NULL;
}

static bool
has_content(const struct agg *a)
{
	return a->pairs || a->snapshots || a->trie.count > 1;
}

/* The first host whose aggregate holds anything: its fields are the fleet's. */
static const struct agg *
first_with_content(const struct fleet *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (has_content(&f->hosts[i]->a))
			return &f->hosts[i]->a;
	return NULL;
}

/*
 * An aggregate that holds nothing yet takes the fields of those that do,
 * fixed: a snapshot of other fields is then refused as it would be by a
 * lone aggregate, rather than found unmergeable at the end.
 */
static struct agg *
prepare(struct fleet *f, struct agg *a)
{
	const struct agg *model = first_with_content(f);
	if (!model || model == a || has_content(a))
		return a;
	if (strcmp(model->fields.spec, a->fields.spec) != 0) {
		a->fields = model->fields;
		a->generation++;
	}
	a->fields_fixed = true;
	return a;
}

/* A host's records count: it is one of the fleet's. */
static void
mark_used(struct fleet *f, struct fleet_host *h)
{
	if (!h->used)
		f->used++;
	h->used = true;
}

struct agg *
fleet_host(struct fleet *f, const void *name, size_t len)
{
	if (len > IOR_STRING_MAX)
		len = IOR_STRING_MAX;
	uint32_t id = strtab_find(&f->names, name, len);
	if (id)
		return prepare(f, &f->hosts[id - 1]->a);
	if (f->other)
		return prepare(f, &f->other->a);
	bool other = f->n == FLEET_HOSTS_MAX;
	if (other) {
		name = FLEET_HOST_OTHER;
		len = strlen(FLEET_HOST_OTHER);
	} else if (strtab_intern(&f->names, name, len) != f->n + 1) {
		errx(1, "fleet: host table out of step");
	}
	/* The host table goes stale with a new host; it is rebuilt on demand. */
	host_stats_free(f, f->n);
	struct fleet_host **v = reallocarray(f->hosts, f->n + 1, sizeof(*v));
	if (!v)
		err(1, "fleet");
	f->hosts = v;
	struct fleet_host *h = calloc(1, sizeof(*h));
	if (!h || !(h->name = malloc(len ? len : 1)))
		err(1, "fleet");
	memcpy(h->name, name, len);
	h->len = (uint16_t)len;
	agg_init(&h->a, &f->fields, f->max_nodes, f->weight);
	h->a.fields_fixed = f->fields_fixed;
	h->a.trie_only = f->trie_only;
	h->a.host = h->name;
	h->a.host_len = h->len;
	f->hosts[f->n++] = h;
	if (other)
		f->other = h;
	return prepare(f, &h->a);
}

/* The host of one of the hosts' aggregates. */
static struct fleet_host *
host_of(struct agg *a)
{
	return (struct fleet_host *)(void *)((char *)a -
					     offsetof(struct fleet_host, a));
}

/* The filters waiting in f->pending, to a. */
static void
flush_pending(struct fleet *f, struct agg *a)
{
	if (!f->pending.filters)
		return;
	agg_merge(a, &f->pending);
	agg_clear(&f->pending);
	mark_used(f, host_of(a));
}

void
fleet_route(struct fleet *f, struct agg_input *in,
	    const struct ior_record *rec, uint16_t type)
{
	struct string_ref s;
	/* Pairs of the section's host, the common case, cost one test. */
	if (in->in_snapshot || (type == IOR_PAIR && in->a == f->section &&
				host_of(f->section)->used))
		return;
	if (type == IOR_FILTER && f->section) {
		in->a = &f->pending;
		return;
	}
	struct agg *to = f->section;
	if (type == STREAM_SECTION) {
		if (f->section)
			flush_pending(f, f->section);
		const struct ior_section *sec = (const void *)rec;
		if (!section_string(sec, IOR_HDR_HOSTNAME, &s))
			s.len = 0;
		to = f->section = fleet_host(f, s.len ? (const void *)s.bytes :
					     "", s.len);
	} else if (type == IOR_AGG_BEGIN &&
		   record_string_by_tag(rec, rec->size,
					((const struct ior_agg_begin *)rec)->str_off,
					((const struct ior_agg_begin *)rec)->nstrings,
					IOR_AGG_STR_HOST, &s)) {
		/* A snapshot that names its host is that host's. */
		to = fleet_host(f, s.len ? (const void *)s.bytes : "", s.len);
	}
	if (to == NULL)
		return;
	flush_pending(f, to);
	if (type != STREAM_SECTION && type != IOR_TRAILER &&
	    type != IOR_SYSCALL_NAME && type != IOR_NAME)
		mark_used(f, host_of(to));
	in->a = to == in->a ? to : prepare(f, to);
}

void
fleet_settle(struct fleet *f, struct agg_input *in)
{
	if (!f->section)
		return;
	flush_pending(f, f->section);
	if (!in->in_snapshot)
		in->a = f->section;
}

uint32_t
fleet_hosts_used(const struct fleet *f)
{
	return f->used;
}

struct agg *
fleet_total(struct fleet *f)
{
	total_free(f);
	if (f->section)
		flush_pending(f, f->section);
	if (f->n == 1)
		return &f->hosts[0]->a;
	const struct agg *model = first_with_content(f);
	agg_init(&f->total, model ? &model->fields : &f->fields, f->max_nodes,
		 f->weight);
	f->total_built = true;
	for (uint32_t i = 0; i < f->n; i++) {
		struct agg *a = &f->hosts[i]->a;
		if (has_content(a) &&
		    strcmp(a->fields.spec, f->total.fields.spec) != 0)
			errx(1, "hosts aggregated by fields %s and %s cannot "
			     "merge", a->fields.spec, f->total.fields.spec);
		agg_merge(&f->total, a);
	}
	return &f->total;
}

const char *
fleet_host_name(const struct fleet_host *h, size_t *len)
{
	if (h->len == 0) {
		*len = strlen(AGG_HOST_UNKNOWN);
		return AGG_HOST_UNKNOWN;
	}
	*len = h->len;
	return h->name;
}

struct agg_stat **
fleet_host_stats(struct fleet *f, uint32_t *n)
{
	host_stats_free(f, f->n);
	f->host_stats = calloc(f->n + 1, sizeof(*f->host_stats));
	struct agg_stat **v = calloc(f->n + 1, sizeof(*v));
	if (!f->host_stats || !v)
		err(1, "fleet");
	for (uint32_t i = 0; i < f->n; i++) {
		struct agg_stat *s = &f->host_stats[i];
		agg_sync(&f->hosts[i]->a);
		const struct agg_table *t = &f->hosts[i]->a.tables[IOR_AGG_SYSCALL];
		s->key = i + 1;
		hist_init(&s->latency);
		hist_init(&s->gap);
		for (uint32_t k = 0; k < t->keys.count; k++)
			agg_stat_merge(s, &t->stats[k]);
	}
	*n = 0;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->hosts[i]->used)
			v[(*n)++] = &f->host_stats[i];
	qsort(v, *n, sizeof(*v), agg_stat_heavier);
	return v;
}

void
fleet_clear(struct fleet *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		agg_clear(&f->hosts[i]->a);
}

void
fleet_set_span(struct fleet *f, uint64_t start_ns, uint64_t end_ns)
{
	for (uint32_t i = 0; i < f->n; i++) {
		struct agg *a = &f->hosts[i]->a;
		a->start_ns = start_ns;
		if (end_ns || a->end_ns < start_ns)
			a->end_ns = end_ns ? end_ns : start_ns;
	}
}

void
fleet_set_truncated(struct fleet *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		f->hosts[i]->a.truncated = true;
}

void
fleet_write_snapshots(struct fleet *f, struct stream_writer *w,
		      uint32_t sequence, uint32_t interval_ms, uint16_t flags)
{
	if (f->section)
		flush_pending(f, f->section);
	uint32_t last_used = 0;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->hosts[i]->used)
			last_used = i;
	for (uint32_t i = 0; i < f->n; i++) {
		/* The merging machine's own section header is no host. */
		if (!f->hosts[i]->used && (i != last_used || f->used))
			continue;
		bool last = i == last_used;
		uint16_t fl = last ? flags : (uint16_t)((flags & ~IOR_AGG_FINAL) |
							IOR_AGG_CONTINUED);
		agg_write_snapshot(&f->hosts[i]->a, w, sequence, interval_ms,
				   fl);
	}
}
