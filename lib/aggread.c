/* SPDX-License-Identifier: MIT */
#include "aggread.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

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

bool
agg_read_stat(struct agg_input *in, const struct ior_agg_stat *rec)
{
	struct agg *a = in->a;
	unsigned kind = rec->header.misc;
	uint32_t size = in->r->size;
	struct string_ref key;
	if (kind < IOR_AGG_SYSCALL || kind > IOR_AGG_DIR)
		return agg_input_bad(in, "bad aggregate kind");
	if (!record_string_by_tag(rec, size, rec->str_off, rec->nstrings,
				  IOR_AGG_STR_KEY, &key))
		return agg_input_bad(in, "aggregate stat without its key");
	if (rec->hist_off < sizeof(*rec) || rec->hist_off > size)
		return agg_input_bad(in, "aggregate stat histograms out of bounds");

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
		agg_stat_add_errno(&s, e.err, e.count);
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
		agg_sync(a);
		struct agg_stat *dst = agg_table_stat(&a->tables[kind], k,
						  len + key.len);
		dst->pid = rec->pid;
		agg_stat_merge(dst, &s);
	}
	hist_release(&s.latency);
	hist_release(&s.gap);
	free(s.errnos);
	return ok ? true : agg_input_bad(in, "aggregate histograms do not add up");
}

bool
agg_read_node(struct agg_input *in, const struct ior_agg_node *rec)
{
	struct agg *a = in->a;
	struct string_ref label;
	uint32_t n = ++in->snap_nodes;
	if (rec->parent >= n)
		return agg_input_bad(in, "aggregate node before its parent");
	if (!record_string_by_tag(rec, in->r->size, rec->str_off,
				  rec->nstrings, IOR_AGG_STR_LABEL, &label))
		return agg_input_bad(in, "aggregate node without its label");
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

bool
agg_read_begin(struct agg_input *in, const struct ior_agg_begin *rec)
{
	struct agg *a = in->a;
	struct string_ref fs;
	struct agg_fields fields;
	char why[320], spec[256];
	if (in->in_snapshot)
		return agg_input_bad(in, "aggregate snapshot inside another");
	if (!record_string_by_tag(rec, in->r->size, rec->str_off,
				  rec->nstrings, IOR_AGG_STR_FIELDS, &fs))
		return agg_input_bad(in, "aggregate snapshot without its fields");
	snprintf(spec, sizeof(spec), "%.*s", (int)fs.len, fs.bytes);
	if (!agg_fields_parse(spec, &fields, why, sizeof(why)))
		return agg_input_bad(in, why);
	if (strcmp(fields.spec, a->fields.spec) != 0) {
		/* An aggregate that has seen nothing takes the input's fields. */
		if (a->fields_fixed || a->pairs || a->snapshots ||
		    a->trie.count > 1) {
			snprintf(why, sizeof(why),
				 "snapshot of fields %s cannot merge into %s",
				 fields.spec, a->fields.spec);
			return agg_input_bad(in, why);
		}
		a->fields = fields;
		a->generation++;
	}
	in->in_snapshot = true;
	in->snap_nodes = 0;
	in->snap_begin = *rec;
	/* The loss and pair counts are the producer's: they add up. */
	agg_span_extend(a, rec->start_ns, rec->end_ns);
	a->pairs += rec->pairs;
	a->lost += rec->lost;
	a->unmatched_exits += rec->unmatched_exits;
	a->unmatched_enters += rec->unmatched_enters;
	a->fd_unknown += rec->fd_unknown;
	a->truncated |= (rec->header.misc & IOR_AGG_TRUNCATED) != 0;
	return true;
}

bool
agg_read_end(struct agg_input *in, const struct ior_agg_end *rec)
{
	struct agg *a = in->a;
	if (!in->in_snapshot)
		return agg_input_bad(in, "aggregate snapshot end without its start");
	if (rec->sequence != in->snap_begin.sequence ||
	    in->snap_nodes != in->snap_begin.nodes ||
	    in->snap_stats != in->snap_begin.stats)
		return agg_input_bad(in, "aggregate snapshot incomplete");
	in->in_snapshot = false;
	in->snap_stats = 0;
	a->snapshots++;
	if (trie_bound(&a->trie))
		a->generation++;
	return true;
}
