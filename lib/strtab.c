/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

/*
 * Eight bytes a step, multiplied and folded, then a final mix so that the
 * low bits (the index) depend on every byte: paths are hashed once per
 * open in ior-pair, once per new file or stack in the aggregators.
 */
static uint64_t
hash_bytes(const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (w = 0; len > 0; len--)
		w = w << 8 | p[len - 1];
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 32;
}

void
strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
strtab_release(struct strtab *t)
{
	free(t->arena);
	free(t->entries);
	free(t->index);
	strtab_init(t);
}

static uint32_t
lookup(const struct strtab *t, const void *bytes, size_t len, uint64_t h,
       size_t *slot)
{
	for (size_t i = h & t->index_mask;; i = (i + 1) & t->index_mask) {
		uint32_t id = t->index[i];
		const struct strtab_entry *e;

		if (id == 0) {
			*slot = i;
			return 0;
		}
		e = &t->entries[id - 1];
		/* A table of empty strings only has no arena. */
		if (e->hash == h && e->len == len &&
		    (len == 0 || memcmp(t->arena + e->off, bytes, len) == 0))
			return id;
	}
}

static void
grow_index(struct strtab *t)
{
	size_t cap = t->index ? (t->index_mask + 1) * 2 : 1024;

	free(t->index);
	if ((t->index = calloc(cap, sizeof(*t->index))) == NULL)
		err(1, "calloc");
	t->index_mask = cap - 1;
	for (uint32_t id = 1; id <= t->count; id++) {
		size_t i = t->entries[id - 1].hash & t->index_mask;

		while (t->index[i] != 0)
			i = (i + 1) & t->index_mask;
		t->index[i] = id;
	}
}

uint32_t
strtab_find(const struct strtab *t, const void *bytes, size_t len)
{
	size_t slot;

	if (t->index == NULL)
		return 0;
	return lookup(t, bytes, len, hash_bytes(bytes, len), &slot);
}

uint32_t
strtab_intern(struct strtab *t, const void *bytes, size_t len)
{
	uint64_t h = hash_bytes(bytes, len);
	struct strtab_entry *e;
	size_t slot;
	uint32_t id;

	if (t->index == NULL || (size_t)(t->count + 1) * 2 > t->index_mask + 1)
		grow_index(t);
	if ((id = lookup(t, bytes, len, h, &slot)) != 0)
		return id;
	if (t->arena_len + len > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 65536;

		while (cap < t->arena_len + len)
			cap *= 2;
		if ((t->arena = realloc(t->arena, cap)) == NULL)
			err(1, "realloc");
		t->arena_cap = cap;
	}
	if (t->count == t->entries_cap) {
		t->entries_cap = t->entries_cap ? t->entries_cap * 2 : 1024;
		t->entries = reallocarray(t->entries, t->entries_cap,
					  sizeof(*t->entries));
		if (t->entries == NULL)
			err(1, "reallocarray");
	}
	if (len > 0)
		memcpy(t->arena + t->arena_len, bytes, len);
	e = &t->entries[t->count];
	e->hash = h;
	e->off = t->arena_len;
	e->len = len;
	t->arena_len += len;
	id = ++t->count;
	t->index[slot] = id;
	return id;
}

const char *
strtab_get(const struct strtab *t, uint32_t id, size_t *len)
{
	if (id == 0 || id > t->count)
		return NULL;
	*len = t->entries[id - 1].len;
	/* Only empty strings interned: no arena, and NULL + 0 is undefined. */
	return t->arena != NULL ? t->arena + t->entries[id - 1].off : "";
}
