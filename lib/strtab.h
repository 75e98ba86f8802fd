/* SPDX-License-Identifier: MIT */
/*
 * strtab.h - interning byte strings (paths, comms) as small integer ids.
 *
 * Ids start at 1 and are dense, so callers may keep per-id arrays (for
 * example "already written to the output").  Strings are bytes and may
 * hold NULs.  The table owns copies of its strings; strtab_release() frees
 * them all and leaves an empty table that may be used again.
 */
#ifndef IOR_STRTAB_H
#define IOR_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char *arena;            /* the bytes of every string, back to back */
	size_t arena_len, arena_cap;
	struct strtab_entry {
		uint64_t hash;
		size_t off;
		uint32_t len;
	} *entries;             /* entries[id - 1] */
	uint32_t count, entries_cap;
	uint32_t *index;        /* open addressing: ids, 0 empty */
	size_t index_mask;
};

void strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);
/* The id of bytes, adding it if new. */
uint32_t strtab_intern(struct strtab *t, const void *bytes, size_t len);
/* The id of bytes, or 0 if absent. */
uint32_t strtab_find(const struct strtab *t, const void *bytes, size_t len);
/* The bytes of id (valid until the next intern); len set. NULL if bad id. */
const char *strtab_get(const struct strtab *t, uint32_t id, size_t *len);

#endif /* IOR_STRTAB_H */
