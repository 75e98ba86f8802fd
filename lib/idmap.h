/* SPDX-License-Identifier: MIT */
/*
 * idmap.h - a hash map from 32-bit ids (pids, tids) to pointers.
 *
 * Open addressing with linear probing and backward-shift deletion, so it
 * holds no tombstones and its size follows the live entries.  The map does
 * not own the values.  idmap_release() frees the slots and leaves an empty
 * map that may be used again.
 */
#ifndef IOR_IDMAP_H
#define IOR_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint32_t key;
	void *value;            /* NULL: the slot is empty */
};

struct idmap {
	struct idmap_slot *slots;
	size_t mask;            /* capacity - 1, capacity a power of two */
	size_t count;
};

void idmap_init(struct idmap *m);
void idmap_release(struct idmap *m);
void *idmap_get(const struct idmap *m, uint32_t key);
/* Insert or replace; value must not be NULL. */
void idmap_put(struct idmap *m, uint32_t key, void *value);
/* Remove and return the value, or NULL if key was absent. */
void *idmap_remove(struct idmap *m, uint32_t key);
/* Call f for each entry; f must not change the map. */
void idmap_foreach(const struct idmap *m,
		   void (*f)(uint32_t key, void *value, void *arg), void *arg);

#endif /* IOR_IDMAP_H */
