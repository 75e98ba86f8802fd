/* SPDX-License-Identifier: MIT */
/*
 * trie.h - a trie of stacks (comm;syscall;path ...) with exact totals.
 *
 * Each node has a label and its own ("self") totals; a node's inclusive
 * totals are its self totals plus its children's.  The node count is
 * bounded: near max_nodes, a new label goes to its parent's "[other]"
 * child instead (or its nearest ancestor's, when no room is left for one),
 * and each time the calls counted have doubled, the lightest subtrees (by
 * the chosen weight) fold into "[other]", so that stacks that grew heavy
 * late get nodes of their own.  Totals stay exact throughout.  Nodes are
 * numbered in creation order: a parent always comes before its children.
 * Node 0 is the root, with an empty label.
 */
#ifndef IOR_TRIE_H
#define IOR_TRIE_H

#include <stdbool.h>
#include <stdint.h>

#include "ior_format.h"
#include "strtab.h"

#define TRIE_OTHER "[other]"

struct totals {
	uint64_t count;
	uint64_t errors;
	uint64_t latency_ns;
	uint64_t gap_ns;
	uint64_t bytes_read;
	uint64_t bytes_written;
};

struct trie_node {
	uint32_t parent;
	uint32_t label;         /* id in trie.labels */
	uint32_t first_child, next_sibling;     /* 0: none */
	uint32_t nchildren;
	uint16_t classes;       /* 1 << enum syscall_class, of the subtree */
	struct totals self;
};

struct trie {
	struct trie_node *nodes;
	uint32_t count, cap;
	struct strtab labels;
	uint32_t other_label;   /* id of TRIE_OTHER in labels */
	uint32_t *index;        /* (parent, label) -> node + 1; 0 empty */
	uint32_t index_mask;
	uint32_t max_nodes;     /* 0: unbounded */
	enum weight weight;     /* what pruning keeps the heaviest of */
	uint64_t calls;         /* counted in all nodes */
	uint64_t rebalance_at;  /* fold the lightest when calls reach it */
	/*
	 * After a fold: remap[old node] is the node's new number, with
	 * TRIE_REMAP_OTHER set if it went (or was) an [other] node.
	 * remap_count old nodes; NULL before the first fold.
	 */
	uint32_t *remap;
	uint32_t remap_count;
};

#define TRIE_REMAP_OTHER 0x80000000u

/*
 * Whether a new label would get a node of its own; when false, new labels
 * go to [other].
 */
static inline bool
trie_has_room(const struct trie *t)
{
	uint32_t reserve = t->max_nodes / 8 ? t->max_nodes / 8 : 1;
	return !t->max_nodes || t->count + reserve < t->max_nodes;
}

void trie_init(struct trie *t, uint32_t max_nodes, enum weight w);
void trie_release(struct trie *t);
/*
 * The child of parent labelled label, created if absent; at the node
 * bound, the parent's "[other]" child instead.
 */
uint32_t trie_child(struct trie *t, uint32_t parent, const void *label,
		    size_t len);
/* The existing child, or 0. */
uint32_t trie_find(const struct trie *t, uint32_t parent, const void *label,
		   size_t len);
static inline void trie_add(struct trie *t, uint32_t node,
			    const struct totals *v, uint16_t classes);
/*
 * At the node bound, and once the calls counted have doubled since the
 * last time, keep the heaviest half of the nodes and fold the rest.
 * Returns true if nodes were folded: node numbers changed, and callers
 * translate or drop cached node numbers (t->remap).
 */
static inline bool trie_bound(struct trie *t);
bool trie_rebalance(struct trie *t);    /* trie_bound's work */
/*
 * Fold every node whose inclusive weight is below min_weight into an
 * "[other]" child of its parent, as the bound does.  Returns true if any
 * node was folded.
 */
bool trie_prune_below(struct trie *t, uint64_t min_weight);
/* dst += src, matching nodes by their label paths. */
void trie_merge(struct trie *dst, const struct trie *src);

/* Inclusive totals of every node; a caller-freed array of t->count. */
struct totals *trie_inclusive(const struct trie *t);
const char *trie_label(const struct trie *t, uint32_t node, size_t *len);

static inline void
totals_add(struct totals *dst, const struct totals *src)
{
	dst->count += src->count;
	dst->errors += src->errors;
	dst->latency_ns += src->latency_ns;
	dst->gap_ns += src->gap_ns;
	dst->bytes_read += src->bytes_read;
	dst->bytes_written += src->bytes_written;
}

static inline void
trie_add(struct trie *t, uint32_t node, const struct totals *v,
	 uint16_t classes)
{
	totals_add(&t->nodes[node].self, v);
	t->calls += v->count;
	/* Ancestors' class masks hold their subtree's classes. */
	for (uint32_t n = node; (t->nodes[n].classes & classes) != classes;
	     n = t->nodes[n].parent) {
		t->nodes[n].classes |= classes;
		if (n == 0)
			break;
	}
}

static inline bool
trie_bound(struct trie *t)
{
	if (!t->max_nodes || t->count < t->max_nodes ||
	    t->calls < t->rebalance_at)
		return false;
	return trie_rebalance(t);
}
uint64_t totals_weight(const struct totals *v, enum weight w);
/* "count", "latency" ... ; weight_parse returns -1 for an unknown name. */
const char *weight_name(enum weight w);
int weight_parse(const char *name);
const char *class_name(enum syscall_class c);

#endif /* IOR_TRIE_H */
