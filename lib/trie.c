/* SPDX-License-Identifier: MIT */
#include "trie.h"

#include "bigmem.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

static const char *const weight_names[WEIGHT_N] = {
	[WEIGHT_COUNT] = "count",
	[WEIGHT_LATENCY] = "latency",
	[WEIGHT_GAP] = "gap",
	[WEIGHT_BYTES] = "bytes",
	[WEIGHT_READ] = "read",
	[WEIGHT_WRITE] = "write",
	[WEIGHT_ERRORS] = "errors",
};

static const char *const class_names[CLASS_N] = {
	[CLASS_READ] = "read",
	[CLASS_WRITE] = "write",
	[CLASS_OPENCLOSE] = "open/close",
	[CLASS_META] = "metadata",
	[CLASS_SYNC] = "sync",
	[CLASS_OTHER] = "other",
	[CLASS_ERROR] = "error",
};

const char *
weight_name(enum weight w)
{
	return w < WEIGHT_N ? weight_names[w] : "?";
}

int
weight_parse(const char *name)
{
	/* "lat" and "latency", "bytes" and "byte": a prefix of 3+ letters. */
	size_t len = strlen(name);
	for (int w = 0; w < WEIGHT_N; w++)
		if (len >= 3 && strncmp(weight_names[w], name, len) == 0)
			return w;
	return -1;
}

const char *
class_name(enum syscall_class c)
{
	return c < CLASS_N ? class_names[c] : "?";
}

uint64_t
totals_weight(const struct totals *v, enum weight w)
{
	switch (w) {
	case WEIGHT_COUNT: return v->count;
	case WEIGHT_LATENCY: return v->latency_ns;
	case WEIGHT_GAP: return v->gap_ns;
	case WEIGHT_BYTES: return v->bytes_read + v->bytes_written;
	case WEIGHT_READ: return v->bytes_read;
	case WEIGHT_WRITE: return v->bytes_written;
	case WEIGHT_ERRORS: return v->errors;
	default: return 0;
	}
}

static void
add_root(struct trie *t)
{
	t->nodes = calloc(16, sizeof(*t->nodes));
	if (!t->nodes)
		err(1, "trie");
	t->cap = 16;
	t->count = 1;
	t->nodes[0].label = strtab_intern(&t->labels, "", 0);
	t->other_label = strtab_intern(&t->labels, TRIE_OTHER,
				       strlen(TRIE_OTHER));
}

void
trie_init(struct trie *t, uint32_t max_nodes, enum weight w)
{
	memset(t, 0, sizeof(*t));
	strtab_init(&t->labels);
	t->max_nodes = max_nodes;
	t->weight = w;
	add_root(t);
}

void
trie_release(struct trie *t)
{
	free(t->nodes);
	free(t->index);
	free(t->remap);
	strtab_release(&t->labels);
	memset(t, 0, sizeof(*t));
}

static uint32_t
slot_hash(uint32_t parent, uint32_t label)
{
	uint64_t k = ((uint64_t)parent << 32 | label) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 32);
}

static void
index_insert(struct trie *t, uint32_t node)
{
	const struct trie_node *n = &t->nodes[node];
	uint32_t i = slot_hash(n->parent, n->label) & t->index_mask;
	while (t->index[i])
		i = (i + 1) & t->index_mask;
	t->index[i] = node + 1;
}

static void
index_grow(struct trie *t)
{
	uint32_t cap = t->index ? (t->index_mask + 1) * 2 : 64;
	free(t->index);
	t->index = calloc(cap, sizeof(*t->index));
	if (!t->index)
		err(1, "trie");
	t->index_mask = cap - 1;
	for (uint32_t n = 1; n < t->count; n++)
		index_insert(t, n);
}

static uint32_t
lookup(const struct trie *t, uint32_t parent, uint32_t label)
{
	if (!t->index)
		return 0;
	uint32_t i = slot_hash(parent, label) & t->index_mask;
	for (uint32_t v; (v = t->index[i]); i = (i + 1) & t->index_mask) {
		const struct trie_node *n = &t->nodes[v - 1];
		if (n->parent == parent && n->label == label)
			return v - 1;
	}
	return 0;
}

uint32_t
trie_find(const struct trie *t, uint32_t parent, const void *label,
	  size_t len)
{
	uint32_t id = strtab_find(&t->labels, label, len);
	return id ? lookup(t, parent, id) : 0;
}

static uint32_t
new_node(struct trie *t, uint32_t parent, uint32_t id)
{
	if (t->count == t->cap) {
		t->nodes = big_grow(t->nodes, t->cap, (size_t)t->cap * 2,
				    sizeof(*t->nodes), "trie");
		t->cap *= 2;
	}
	uint32_t node = t->count++;
	struct trie_node *n = &t->nodes[node], *p = &t->nodes[parent];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->label = id;
	n->next_sibling = p->first_child;
	p->first_child = node;
	p->nchildren++;
	if ((uint64_t)t->count * 2 > (uint64_t)t->index_mask + 1 || !t->index)
		index_grow(t);
	else
		index_insert(t, node);
	return node;
}

uint32_t
trie_child(struct trie *t, uint32_t parent, const void *label, size_t len)
{
	uint32_t id = strtab_find(&t->labels, label, len);
	uint32_t found = id ? lookup(t, parent, id) : 0;
	if (found)
		return found;
	/*
	 * Near the bound, new labels go to [other]: the parent's, made while
	 * the last eighth of the bound is free, else the nearest ancestor's.
	 */
	if (!trie_has_room(t)) {
		uint32_t oid = t->other_label;
		if (t->nodes[parent].label == oid)
			return parent;
		/* The last free node is kept for the root's [other]. */
		uint32_t spare = lookup(t, 0, oid) ? 0 : 1;
		for (uint32_t p = parent;; p = t->nodes[p].parent) {
			if ((found = lookup(t, p, oid)))
				return found;
			if (t->count + (p ? spare : 0) < t->max_nodes)
				return new_node(t, p, oid);
			if (p == 0)
				return 0;       /* a bound too small to fold */
		}
	}
	return new_node(t, parent, id ? id : strtab_intern(&t->labels, label,
							     len));
}

struct totals *
trie_inclusive(const struct trie *t)
{
	struct totals *inc = calloc(t->count, sizeof(*inc));
	if (!inc)
		err(1, "trie");
	for (uint32_t n = 0; n < t->count; n++)
		inc[n] = t->nodes[n].self;
	for (uint32_t n = t->count; n-- > 1;)
		totals_add(&inc[t->nodes[n].parent], &inc[n]);
	return inc;
}

const char *
trie_label(const struct trie *t, uint32_t node, size_t *len)
{
	return strtab_get(&t->labels, t->nodes[node].label, len);
}

/*
 * Rebuild t keeping the nodes marked in keep (closed under ancestors: a
 * kept node's parent is kept), folding each other subtree into "[other]"
 * under its nearest kept ancestor.
 */
static void
fold(struct trie *t, const bool *keep)
{
	struct trie old = *t;
	uint32_t *map = calloc(old.count, sizeof(*map));
	if (!map)
		err(1, "trie");
	/* Unbounded while rebuilding: the kept nodes must keep their labels. */
	trie_init(t, 0, old.weight);
	t->calls = old.calls;
	t->rebalance_at = old.rebalance_at;
	t->nodes[0].self = old.nodes[0].self;
	t->nodes[0].classes = old.nodes[0].classes;
	for (uint32_t n = 1; n < old.count; n++) {
		const struct trie_node *o = &old.nodes[n];
		uint32_t parent = map[o->parent];
		if (keep[n]) {
			size_t len;
			const char *label = strtab_get(&old.labels, o->label,
						       &len);
			map[n] = trie_child(t, parent, label, len);
		} else if (keep[o->parent]) {
			map[n] = trie_child(t, parent, TRIE_OTHER,
					    strlen(TRIE_OTHER));
		} else {
			map[n] = parent;        /* already an [other] */
		}
		totals_add(&t->nodes[map[n]].self, &o->self);
		t->nodes[map[n]].classes |= o->classes;
	}
	for (uint32_t n = 1; n < old.count; n++)
		if (!keep[n] || old.nodes[n].label == old.other_label)
			map[n] |= TRIE_REMAP_OTHER;
	t->remap = map;
	t->remap_count = old.count;
	t->max_nodes = old.max_nodes;
	trie_release(&old);
}

struct ranked {
	uint64_t weight;
	uint32_t node;
};

static int
heaviest_first(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

bool
trie_rebalance(struct trie *t)
{
	t->rebalance_at = t->calls * 2;
	/*
	 * Keep the heaviest half; the [other] nodes this adds are at most as
	 * many again.  Ties rank parents first (a parent weighs at least as
	 * much as its child and has the lower number), so the kept set is
	 * closed under ancestors.
	 */
	struct totals *inc = trie_inclusive(t);
	struct ranked *rank = calloc(t->count, sizeof(*rank));
	bool *keep = calloc(t->count, sizeof(*keep));
	if (!rank || !keep)
		err(1, "trie");
	for (uint32_t n = 0; n < t->count; n++)
		rank[n] = (struct ranked){ totals_weight(&inc[n], t->weight),
					   n };
	rank[0].weight = UINT64_MAX;
	qsort(rank, t->count, sizeof(*rank), heaviest_first);
	uint32_t kept = t->max_nodes / 2 > 1 ? t->max_nodes / 2 : 1;
	for (uint32_t i = 0; i < kept; i++)
		keep[rank[i].node] = true;
	free(rank);
	free(inc);
	fold(t, keep);
	free(keep);
	return true;
}

bool
trie_prune_below(struct trie *t, uint64_t min_weight)
{
	struct totals *inc = trie_inclusive(t);
	bool *keep = calloc(t->count, sizeof(*keep));
	if (!keep)
		err(1, "trie");
	bool folds = false;
	keep[0] = true;
	for (uint32_t n = 1; n < t->count; n++) {
		keep[n] = keep[t->nodes[n].parent] &&
			  totals_weight(&inc[n], t->weight) >= min_weight;
		folds |= !keep[n];
	}
	free(inc);
	if (folds)
		fold(t, keep);
	free(keep);
	return folds;
}

void
trie_merge(struct trie *dst, const struct trie *src)
{
	uint32_t *map = calloc(src->count, sizeof(*map));
	if (!map)
		err(1, "trie");
	trie_add(dst, 0, &src->nodes[0].self, src->nodes[0].classes);
	for (uint32_t n = 1; n < src->count; n++) {
		size_t len;
		const char *label = trie_label(src, n, &len);
		map[n] = trie_child(dst, map[src->nodes[n].parent], label,
				    len);
		trie_add(dst, map[n], &src->nodes[n].self,
			 src->nodes[n].classes);
	}
	free(map);
}
