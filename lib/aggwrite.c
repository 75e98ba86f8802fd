/* SPDX-License-Identifier: MIT */
#include "aggwrite.h"

#include <string.h>

#include "agg.h"

static unsigned char *
put_hist(unsigned char *pos, const struct hist *h)
{
	struct ior_agg_hist hh = { 0, 0 };
	unsigned char *head = pos;
	pos += sizeof(hh);
	uint32_t bucket[HIST_BLOCK];
	uint64_t count[HIST_BLOCK];
	for (unsigned i = 0, n; (n = hist_next_block(h, &i, bucket, count));)
		for (unsigned j = 0; j < n; j++) {
			struct ior_agg_bucket b = { bucket[j], 0, count[j] };
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
