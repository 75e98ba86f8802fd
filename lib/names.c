/* SPDX-License-Identifier: MIT */
#include "names.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

void
name_table_reset(struct name_table *t)
{
	for (unsigned k = 0; k <= IOR_NAME_COMM; k++) {
		free(t->kind[k].arena);
		free(t->kind[k].refs);
	}
	memset(t, 0, sizeof(*t));
}

void
name_table_add(struct name_table *t, const struct ior_name *rec,
	       uint32_t size)
{
	struct string_ref s;
	unsigned kind = rec->header.misc;
	uint32_t id = rec->id;
	if (kind > IOR_NAME_COMM || id == 0 || id > 1u << 30 ||
	    !record_string_at(rec, size, rec->str_off, rec->nstrings, 0, &s))
		return;
	struct name_kind *k = &t->kind[kind];
	if (id >= k->nrefs) {
		uint32_t n = k->nrefs ? k->nrefs : 64;
		while (n <= id)
			n *= 2;
		struct name_ref *refs = reallocarray(k->refs, n, sizeof(*refs));
		if (!refs)
			err(1, "names");
		memset(refs + k->nrefs, 0, (n - k->nrefs) * sizeof(*refs));
		k->refs = refs;
		k->nrefs = n;
	}
	if (k->len + s.len > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		while (cap < k->len + s.len)
			cap *= 2;
		char *arena = realloc(k->arena, cap);
		if (!arena)
			err(1, "names");
		k->arena = arena;
		k->cap = cap;
	}
	memcpy(k->arena + k->len, s.bytes, s.len);
	k->refs[id] = (struct name_ref){ (uint32_t)k->len, (uint32_t)s.len + 1 };
	k->len += s.len;
}

const char *
name_table_get(const struct name_table *t, unsigned kind, uint32_t id,
	       size_t *len)
{
	if (kind > IOR_NAME_COMM)
		return NULL;
	const struct name_kind *k = &t->kind[kind];
	if (id == 0 || id >= k->nrefs || k->refs[id].len == 0)
		return NULL;
	*len = k->refs[id].len - 1;
	return k->arena + k->refs[id].off;
}
