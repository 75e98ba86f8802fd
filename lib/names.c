/* SPDX-License-Identifier: MIT */
#include "names.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/*
 * The array of ids grows (by powers of two) to cover an id only while it
 * stays within this many slots per name held, or the minimum: a stream
 * that defines a few names of huge ids gets a tree, not gigabytes.
 */
#define DENSE_MIN 1024u
#define DENSE_PER_NAME 8u
/* Replaced strings are reclaimed when they pass both of these. */
#define DEAD_MIN (64u * 1024)

static int
name_cmp(const struct name_node *a, const struct name_node *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * RB_GENERATE_STATIC marks the functions __unused, which libbsd leaves
 * undefined (it clashes with a Linux header): say it directly.
 */
RB_GENERATE_INTERNAL(name_tree, name_node, link, name_cmp,
		     __attribute__((unused)) static)

void
name_table_reset(struct name_table *t)
{
	for (unsigned k = 0; k <= IOR_NAME_COMM; k++) {
		struct name_node *n, *next;

		RB_FOREACH_SAFE(n, name_tree, &t->kind[k].sparse, next) {
			RB_REMOVE(name_tree, &t->kind[k].sparse, n);
			free(n);
		}
		free(t->kind[k].arena);
		free(t->kind[k].refs);
	}
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k <= IOR_NAME_COMM; k++)
		RB_INIT(&t->kind[k].sparse);
}

/* Where id's name is or would be kept, if it is kept already; else NULL. */
static struct name_ref *
find(const struct name_kind *k, uint32_t id)
{
	struct name_node key = { .id = id }, *n;

	if (id < k->nrefs)
		return &k->refs[id];
	n = RB_FIND(name_tree, (struct name_tree *)&k->sparse, &key);
	return n ? &n->ref : NULL;
}

/*
 * Make the array cover id if it may (see DENSE_PER_NAME), moving the
 * tree's ids it now covers into it.  False if id stays in the tree.
 */
static bool
grow_dense(struct name_kind *k, uint32_t id)
{
	uint64_t n = k->nrefs ? k->nrefs : 64, limit;
	struct name_node *x;
	struct name_ref *refs;

	while (n <= id)
		n *= 2;
	limit = (uint64_t)DENSE_PER_NAME * (k->held + 1);
	if (n > DENSE_MIN && n > limit)
		return false;
	if ((refs = reallocarray(k->refs, n, sizeof(*refs))) == NULL)
		err(1, "names");
	memset(refs + k->nrefs, 0, (n - k->nrefs) * sizeof(*refs));
	k->refs = refs;
	k->nrefs = (uint32_t)n;
	while ((x = RB_MIN(name_tree, &k->sparse)) != NULL && x->id < n) {
		RB_REMOVE(name_tree, &k->sparse, x);
		k->refs[x->id] = x->ref;
		free(x);
	}
	return true;
}

/* A slot for id, new and empty unless id is kept already. */
static struct name_ref *
slot(struct name_kind *k, uint32_t id)
{
	struct name_ref *ref = find(k, id);
	struct name_node *n;

	if (ref != NULL)
		return ref;
	if (grow_dense(k, id))
		return &k->refs[id];
	if ((n = calloc(1, sizeof(*n))) == NULL)
		err(1, "names");
	n->id = id;
	RB_INSERT(name_tree, &k->sparse, n);
	return &n->ref;
}

static void
move_live(char *to, size_t *len, const char *from, struct name_ref *ref)
{
	if (ref->len == 0)
		return;
	memcpy(to + *len, from + ref->off, ref->len - 1);
	ref->off = (uint32_t)*len;
	*len += ref->len - 1;
}

/* Copy the live strings into a new arena: replaced ones take no room. */
static void
compact(struct name_kind *k)
{
	char *arena = malloc(k->cap);
	struct name_node *n;
	size_t len = 0;

	if (arena == NULL)
		err(1, "names");
	for (uint32_t id = 0; id < k->nrefs; id++)
		move_live(arena, &len, k->arena, &k->refs[id]);
	RB_FOREACH(n, name_tree, &k->sparse)
		move_live(arena, &len, k->arena, &n->ref);
	free(k->arena);
	k->arena = arena;
	k->len = len;
	k->dead = 0;
}

const char *
name_table_add(struct name_table *t, const struct ior_name *rec,
	       uint32_t size)
{
	struct string_ref s;
	unsigned kind = rec->header.misc;
	struct name_kind *k;
	struct name_ref *ref;

	if (kind == 0 || kind > IOR_NAME_COMM)
		return NULL;    /* a kind of a later version: skipped */
	if (rec->id == 0)
		return "name record with id 0";
	if (!record_string_at(rec, size, rec->str_off, rec->nstrings, 0, &s))
		return "name record without its string";
	k = &t->kind[kind];
	ref = slot(k, rec->id);
	if (ref->len != 0) {
		k->dead += ref->len - 1;
		ref->len = 0;
	} else {
		k->held++;
	}
	if (k->dead >= DEAD_MIN && k->dead > k->len / 2)
		compact(k);
	if (k->len + s.len > UINT32_MAX)
		return "names of a section over 4 GiB";
	/* An arena even for an empty name: get() tells defined by non-NULL. */
	if (k->arena == NULL || k->len + s.len > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		char *arena;

		while (cap < k->len + s.len)
			cap *= 2;
		if ((arena = realloc(k->arena, cap)) == NULL)
			err(1, "names");
		k->arena = arena;
		k->cap = cap;
	}
	if (s.len > 0)
		memcpy(k->arena + k->len, s.bytes, s.len);
	/* s.len <= IOR_STRING_MAX, as record_string_at() checked. */
	*ref = (struct name_ref){ (uint32_t)k->len, (uint16_t)(s.len + 1),
				  s.flags };
	k->len += s.len;
	return NULL;
}

const char *
name_table_get_flags(const struct name_table *t, unsigned kind, uint32_t id,
		     size_t *len, uint8_t *flags)
{
	const struct name_ref *ref;

	if (kind > IOR_NAME_COMM || id == 0)
		return NULL;
	ref = find(&t->kind[kind], id);
	if (ref == NULL || ref->len == 0)
		return NULL;
	*len = ref->len - 1u;
	*flags = ref->flags;
	return t->kind[kind].arena + ref->off;
}

const char *
name_table_get(const struct name_table *t, unsigned kind, uint32_t id,
	       size_t *len)
{
	uint8_t flags;

	return name_table_get_flags(t, kind, id, len, &flags);
}

uint32_t
name_table_dense_ids(const struct name_table *t, unsigned kind)
{
	return kind <= IOR_NAME_COMM ? t->kind[kind].nrefs : 0;
}
