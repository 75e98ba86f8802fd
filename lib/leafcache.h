/* SPDX-License-Identifier: MIT */
/*
 * leafcache.h - from a pair's field values (input ids) to its trie leaf,
 * without formatting its frames: a set-associative cache, bounded by the
 * trie's node bound (leafcache.c).  The cache belongs to an agg_input,
 * which frees its slots.
 */
#ifndef IOR_LEAFCACHE_H
#define IOR_LEAFCACHE_H

#include <stdint.h>

#include "ior_format.h"

struct agg_input;
struct trie;

/*
 * Field values -> trie node, sets of a few entries side by side.  An
 * entry is stride words, node + 1 (0: empty) then the fields.n key words.
 */
struct leaf_cache {
	uint32_t *slots;
	uint32_t stride, count, sets_mask;
};

/* The trie node of p's stack, created if new. */
uint32_t leaf_node(struct agg_input *in, const struct ior_pair *p);
/* Start loading the cache line leaf_node(p) will read. */
void leaf_prefetch(struct agg_input *in, const struct ior_pair *p);
/* After a fold of t (t->remap): every entry, renumbered. */
void leaf_cache_remap(struct leaf_cache *c, const struct trie *t);

#endif /* IOR_LEAFCACHE_H */
