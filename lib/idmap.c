/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdlib.h>

#include "idmap.h"

#define MIN_CAPACITY 64u

static size_t
slot_of(const struct idmap *m, uint32_t key)
{
	/* Fibonacci hashing spreads sequential pids across the table. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & m->mask;
}

void
idmap_init(struct idmap *m)
{
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

void
idmap_release(struct idmap *m)
{
	free(m->slots);
	idmap_init(m);
}

void *
idmap_get(const struct idmap *m, uint32_t key)
{
	if (m->slots == NULL)
		return NULL;
	for (size_t i = slot_of(m, key);; i = (i + 1) & m->mask) {
		if (m->slots[i].value == NULL)
			return NULL;
		if (m->slots[i].key == key)
			return m->slots[i].value;
	}
}

static void
grow(struct idmap *m, size_t capacity)
{
	struct idmap_slot *old = m->slots;
	size_t old_cap = old ? m->mask + 1 : 0;

	if ((m->slots = calloc(capacity, sizeof(*m->slots))) == NULL)
		err(1, "calloc");
	m->mask = capacity - 1;
	m->count = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].value != NULL)
			idmap_put(m, old[i].key, old[i].value);
	free(old);
}

void
idmap_put(struct idmap *m, uint32_t key, void *value)
{
	size_t i;

	if (m->slots == NULL)
		grow(m, MIN_CAPACITY);
	else if ((m->count + 1) * 4 > (m->mask + 1) * 3)
		grow(m, (m->mask + 1) * 2);
	for (i = slot_of(m, key); m->slots[i].value != NULL;
	     i = (i + 1) & m->mask) {
		if (m->slots[i].key == key) {
			m->slots[i].value = value;
			return;
		}
	}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
}

void *
idmap_remove(struct idmap *m, uint32_t key)
{
	size_t i, j;
	void *value;

	if (m->slots == NULL)
		return NULL;
	for (i = slot_of(m, key);; i = (i + 1) & m->mask) {
		if (m->slots[i].value == NULL)
			return NULL;
		if (m->slots[i].key == key)
			break;
	}
	value = m->slots[i].value;
	/* Shift later members of the probe run back into the hole. */
	for (j = (i + 1) & m->mask; m->slots[j].value != NULL;
	     j = (j + 1) & m->mask) {
		size_t home = slot_of(m, m->slots[j].key);

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].value = NULL;
	m->count--;
	if (m->count == 0) {
		/* A drained map gives its memory back. */
		idmap_release(m);
	}
	return value;
}

void
idmap_foreach(const struct idmap *m,
	      void (*f)(uint32_t key, void *value, void *arg), void *arg)
{
	if (m->slots == NULL)
		return;
	for (size_t i = 0; i <= m->mask; i++)
		if (m->slots[i].value != NULL)
			f(m->slots[i].key, m->slots[i].value, arg);
}
