/* SPDX-License-Identifier: MIT */
#include "leafcache.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "bigmem.h"
#include "labels.h"

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
	c->slots = big_calloc((size_t)sets * LEAF_WAYS,
			      c->stride * sizeof(uint32_t), "agg");
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
void
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

void
leaf_prefetch(struct agg_input *in, const struct ior_pair *p)
{
	struct leaf_cache *c = &in->leaves;
	uint32_t key[AGG_FIELDS_MAX];
	if (c->slots)
		__builtin_prefetch(leaf_set(c, leaf_key(&in->a->fields, p, key)));
}

uint32_t
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
