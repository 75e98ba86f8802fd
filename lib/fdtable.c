/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fdtable.h"

#define SLOT(fd) ((uint32_t)((uint64_t)(fd) >> FDTABLE_LEAF_SHIFT))
#define INDEX(fd) ((uint32_t)((uint64_t)(fd) & (FDTABLE_LEAF - 1)))

static void
leaf_unref(struct fd_leaf *l)
{
	if (l != NULL && --l->refs == 0)
		free(l);
}

static void
dir_unref(struct fd_dir *d)
{
	if (d == NULL || --d->refs > 0)
		return;
	for (uint32_t i = 0; i < d->len; i++)
		leaf_unref(d->leaf[i]);
	free(d);
}

static struct fd_dir *
dir_resize(struct fd_dir *d, uint32_t len)
{
	d = realloc(d, sizeof(*d) + (size_t)len * sizeof(d->leaf[0]));
	if (d == NULL)
		err(1, "realloc");
	return d;
}

/*
 * Make t's directory its own and at least len slots long; return it.  A
 * shared directory is copied, and the copy holds one more reference to
 * each of its leaves: they are shared now, not the directory.
 */
static struct fd_dir *
own_dir(struct fdtable *t, uint32_t len)
{
	struct fd_dir *d = t->dir;
	uint32_t old = d != NULL ? d->len : 0;

	if (len < old)
		len = old;
	if (d != NULL && d->refs > 1) {
		struct fd_dir *c = dir_resize(NULL, len);

		for (uint32_t i = 0; i < old; i++)
			if ((c->leaf[i] = d->leaf[i]) != NULL)
				c->leaf[i]->refs++;
		d->refs--;      /* others still hold it */
		d = c;
	} else if (len > old) {
		d = dir_resize(d, len);
	} else {
		return d;
	}
	memset(d->leaf + old, 0, (size_t)(len - old) * sizeof(d->leaf[0]));
	d->refs = 1;
	d->len = len;
	t->dir = d;
	t->nleaves = len;
	return d;
}

static struct fd_leaf *
leaf_resize(struct fd_leaf *l, uint32_t size)
{
	l = realloc(l, sizeof(*l) + (size_t)size * sizeof(l->entry[0]));
	if (l == NULL)
		err(1, "realloc");
	return l;
}

/*
 * The leaf of slot i, t's own and with room for entry j: made if absent,
 * copied if shared, grown if short.
 */
static struct fd_leaf *
own_leaf(struct fdtable *t, uint32_t i, uint32_t j)
{
	struct fd_dir *d = own_dir(t, i + 1);
	struct fd_leaf *l = d->leaf[i];
	uint32_t old = l != NULL ? l->size : 0, size = old ? old : 16;

	while (size <= j)
		size *= 2;
	if (l != NULL && l->refs > 1) {
		struct fd_leaf *c = leaf_resize(NULL, size);

		memcpy(c, l, sizeof(*l) + old * sizeof(l->entry[0]));
		l->refs--;      /* others still hold it */
		l = c;
	} else if (size > old) {
		l = leaf_resize(l, size);
		if (old == 0)
			l->open = 0;
	} else {
		return l;
	}
	memset(l->entry + old, 0, (size - old) * sizeof(l->entry[0]));
	l->refs = 1;
	l->size = size;
	d->leaf[i] = l;
	return l;
}

/*
 * The last open entry of the leaf of slot i is closing: let go of the
 * leaf and shrink the directory to the last leaf still in use, so that
 * closing files gives their memory back; a shared leaf need not be copied
 * to be emptied.  Returns false, changing nothing, for a first leaf
 * (fds 0 to 255) t holds alone: it stays for the fds nearly every process
 * opens again soon, so that opening and closing one file costs no
 * allocation.
 */
static bool
drop_leaf(struct fdtable *t, uint32_t i)
{
	struct fd_dir *d;
	uint32_t len;

	if (i == 0 && t->dir->refs == 1 && t->dir->leaf[0]->refs == 1)
		return false;
	d = own_dir(t, 0);
	len = d->len;
	leaf_unref(d->leaf[i]);
	d->leaf[i] = NULL;
	while (len > 0 && d->leaf[len - 1] == NULL)
		len--;
	if (len == 0) {
		free(d);
		d = NULL;
	} else if (len < d->len) {
		d = dir_resize(d, len);
		d->len = len;
	}
	t->dir = d;
	t->nleaves = len;
	return true;
}

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

	if (t->dir != NULL) {
		t->dir->refs++;
		c->dir = t->dir;
		c->nleaves = t->nleaves;
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
	dir_unref(t->dir);
	free(t);
}

void
fdtable_set(struct fdtable *t, int64_t fd, uint32_t path_id, uint32_t flags)
{
	struct fd_leaf *l;
	struct fd_entry *e;

	if (fd < 0 || fd >= FDTABLE_MAX_FD || path_id == 0)
		return;
	l = own_leaf(t, SLOT(fd), INDEX(fd));
	e = &l->entry[INDEX(fd)];
	if (e->path_id == 0) {
		l->open++;
		t->open++;
	}
	e->path_id = path_id;
	e->flags = flags;
}

void
fdtable_close(struct fdtable *t, int64_t fd)
{
	struct fd_leaf *l;

	if (fdtable_get(t, fd) == NULL)
		return;
	t->open--;
	if (t->dir->leaf[SLOT(fd)]->open == 1 && drop_leaf(t, SLOT(fd)))
		return;
	l = own_leaf(t, SLOT(fd), INDEX(fd));
	l->entry[INDEX(fd)] = (struct fd_entry){ 0, 0 };
	l->open--;
}

void
fdtable_close_range(struct fdtable *t, uint64_t first, uint64_t last,
		    bool cloexec_only)
{
	/* Only fds in leaves that exist can be open: skip the others. */
	for (uint64_t fd = first; fd <= last && SLOT(fd) < t->nleaves; fd++) {
		const struct fd_leaf *l = t->dir->leaf[SLOT(fd)];

		if (l == NULL || INDEX(fd) >= l->size)
			fd |= FDTABLE_LEAF - 1;
		else if (cloexec_only)
			fdtable_set_cloexec(t, fd, true);
		else
			fdtable_close(t, fd);
	}
}

void
fdtable_set_cloexec(struct fdtable *t, int64_t fd, bool on)
{
	const struct fd_entry *e = fdtable_get(t, fd);
	uint32_t flags;

	if (e == NULL)
		return;
	flags = on ? e->flags | O_CLOEXEC : e->flags & ~(uint32_t)O_CLOEXEC;
	if (flags != e->flags)  /* unchanged: no copy of a shared leaf */
		own_leaf(t, SLOT(fd), INDEX(fd))->entry[INDEX(fd)].flags = flags;
}

void
fdtable_exec(struct fdtable *t)
{
	for (uint64_t fd = 0; SLOT(fd) < t->nleaves; fd++) {
		const struct fd_leaf *l = t->dir->leaf[SLOT(fd)];

		if (l == NULL || INDEX(fd) >= l->size)
			fd |= FDTABLE_LEAF - 1;
		else if (l->entry[INDEX(fd)].flags & O_CLOEXEC)
			fdtable_close(t, fd);
	}
}

void
fdtable_map_paths(struct fdtable *t, uint32_t (*map)(uint32_t id, void *arg),
		  void *arg)
{
	for (uint64_t fd = 0; SLOT(fd) < t->nleaves; fd++) {
		const struct fd_leaf *l = t->dir->leaf[SLOT(fd)];
		uint32_t id, to;

		if (l == NULL || INDEX(fd) >= l->size) {
			fd |= FDTABLE_LEAF - 1;
			continue;
		}
		id = l->entry[INDEX(fd)].path_id;
		/* Only a changed entry is written: no copy for the others. */
		if (id != 0 && (to = map(id, arg)) != id && to != 0)
			own_leaf(t, SLOT(fd), INDEX(fd))->entry[INDEX(fd)].path_id = to;
	}
}

int64_t
fdtable_next(const struct fdtable *t, int64_t from)
{
	for (uint64_t fd = from < 0 ? 0 : (uint64_t)from;
	     SLOT(fd) < t->nleaves; fd++) {
		const struct fd_leaf *l = t->dir->leaf[SLOT(fd)];

		if (l == NULL || INDEX(fd) >= l->size) {
			fd |= FDTABLE_LEAF - 1;
			continue;
		}
		if (l->entry[INDEX(fd)].path_id != 0)
			return (int64_t)fd;
	}
	return -1;
}
