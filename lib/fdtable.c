/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fdtable.h"

struct fdtable *
fdtable_new(void)
{
	struct fdtable *t = calloc(1, sizeof(*t));

	if (t == NULL)
		err(1, "calloc");
	t->refs = 1;
	return t;
}

struct fdtable *
fdtable_copy(const struct fdtable *t)
{
	struct fdtable *c = fdtable_new();

	if (t->size > 0) {
		c->entries = reallocarray(NULL, t->size, sizeof(*c->entries));
		if (c->entries == NULL)
			err(1, "reallocarray");
		memcpy(c->entries, t->entries, t->size * sizeof(*c->entries));
		c->size = t->size;
		c->open = t->open;
	}
	return c;
}

struct fdtable *
fdtable_ref(struct fdtable *t)
{
	t->refs++;
	return t;
}

void
fdtable_unref(struct fdtable *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	free(t->entries);
	free(t);
}

const struct fd_entry *
fdtable_get(const struct fdtable *t, int64_t fd)
{
	if (fd < 0 || fd >= t->size || t->entries[fd].path_id == 0)
		return NULL;
	return &t->entries[fd];
}

void
fdtable_set(struct fdtable *t, int64_t fd, uint32_t path_id, uint32_t flags)
{
	if (fd < 0 || fd >= FDTABLE_MAX_FD || path_id == 0)
		return;
	if (fd >= t->size) {
		uint32_t size = t->size ? t->size : 16;

		while (size <= fd)
			size *= 2;
		t->entries = reallocarray(t->entries, size, sizeof(*t->entries));
		if (t->entries == NULL)
			err(1, "reallocarray");
		memset(t->entries + t->size, 0,
		       (size - t->size) * sizeof(*t->entries));
		t->size = size;
	}
	if (t->entries[fd].path_id == 0)
		t->open++;
	t->entries[fd].path_id = path_id;
	t->entries[fd].flags = flags;
}

void
fdtable_close(struct fdtable *t, int64_t fd)
{
	if (fd < 0 || fd >= t->size || t->entries[fd].path_id == 0)
		return;
	t->entries[fd].path_id = 0;
	t->entries[fd].flags = 0;
	t->open--;
}

void
fdtable_close_range(struct fdtable *t, uint64_t first, uint64_t last,
		    bool cloexec_only)
{
	for (uint64_t fd = first; fd <= last && fd < t->size; fd++) {
		if (cloexec_only)
			fdtable_set_cloexec(t, fd, true);
		else
			fdtable_close(t, fd);
	}
}

void
fdtable_set_cloexec(struct fdtable *t, int64_t fd, bool on)
{
	if (fd < 0 || fd >= t->size || t->entries[fd].path_id == 0)
		return;
	if (on)
		t->entries[fd].flags |= O_CLOEXEC;
	else
		t->entries[fd].flags &= ~(uint32_t)O_CLOEXEC;
}

void
fdtable_exec(struct fdtable *t)
{
	for (uint32_t fd = 0; fd < t->size; fd++)
		if (t->entries[fd].flags & O_CLOEXEC)
			fdtable_close(t, fd);
}

void
fdtable_map_paths(struct fdtable *t, uint32_t (*map)(uint32_t id, void *arg),
		  void *arg)
{
	for (uint32_t fd = 0; fd < t->size; fd++)
		if (t->entries[fd].path_id != 0)
			t->entries[fd].path_id = map(t->entries[fd].path_id, arg);
}
