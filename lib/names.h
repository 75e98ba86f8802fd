/* SPDX-License-Identifier: MIT */
/*
 * names.h - the IOR_NAME strings of a section (paths and comms that pairs
 * refer to by id), as a reader keeps them.  A later definition of an id
 * replaces the earlier one.  name_table_reset() frees everything and
 * leaves an empty table for the next section.
 *
 * Ids may be sparse (ior-pair numbers every string it interns but writes
 * only those a pair uses), so memory follows the names held, never the
 * size of an id: ids below a bound that grows with the count of names
 * held are found in an array, the others in a search tree.  Replaced
 * strings are reclaimed once they outweigh the live ones.
 */
#ifndef IOR_NAMES_H
#define IOR_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/tree.h>

#include "ior_format.h"

struct name_ref {
	uint32_t off;           /* in the kind's arena */
	uint16_t len;           /* + 1: 0 marks an id never defined */
	uint8_t flags;          /* its string's IOR_STRING_* */
};

struct name_node {
	RB_ENTRY(name_node) link;
	uint32_t id;
	struct name_ref ref;
};
RB_HEAD(name_tree, name_node);

struct name_table {
	struct name_kind {
		char *arena;            /* every string, back to back */
		size_t len, cap;
		size_t dead;            /* bytes of replaced strings */
		struct name_ref *refs;  /* ids below nrefs, by id */
		uint32_t nrefs;
		struct name_tree sparse;        /* ids from nrefs up */
		uint32_t held;          /* ids defined */
	} kind[IOR_NAME_COMM + 1];
};

void name_table_reset(struct name_table *t);
/*
 * Take an IOR_NAME record of size bytes.  NULL when it is taken (or of a
 * kind this reader does not know, which it skips); else what is wrong
 * with it, for the caller to report as damage: id 0, no string.
 */
const char *name_table_add(struct name_table *t, const struct ior_name *rec,
			   uint32_t size);
/* The bytes of the name, *len set; NULL for id 0 or an undefined one. */
const char *name_table_get(const struct name_table *t, unsigned kind,
			   uint32_t id, size_t *len);
/* The same, *flags set to its string's IOR_STRING_* (a cut path). */
const char *name_table_get_flags(const struct name_table *t, unsigned kind,
				 uint32_t id, size_t *len, uint8_t *flags);
/*
 * Ids of kind below this are held in an array: a caller may keep its own
 * per-id array up to here and stay within memory in proportion to the
 * names held.
 */
uint32_t name_table_dense_ids(const struct name_table *t, unsigned kind);

#endif /* IOR_NAMES_H */
