/* SPDX-License-Identifier: MIT */
/*
 * fdtable.h - what each file descriptor of a process refers to.
 *
 * A struct fdtable is one table as the kernel has it: threads share their
 * process's table and clone(CLONE_FILES) shares it across processes, so a
 * change through one holder is seen by all; it is reference counted
 * (fdtable_ref/fdtable_unref) and freed with its last holder.
 *
 * fork gives the child a table of its own with the parent's contents.
 * Copying them would cost the size of the table per fork (a process
 * holding fd 1048575 that forks 300 times would need 300 copies of a
 * million entries), so fdtable_copy() shares them instead and each side
 * copies only what it writes, when it writes it (copy on write).
 *
 * The entries live in leaves of up to FDTABLE_LEAF consecutive fds,
 * reached through a directory indexed by fd / FDTABLE_LEAF.  A leaf is as
 * long as its highest open fd needs and exists only while it holds one
 * (but for the first, fds 0 to 255, kept for the next open); the
 * directory is as long as the highest leaf in use.  So memory follows the
 * fds that are open, not the highest number ever used, and a fork costs
 * nothing until one side writes, then one directory and one leaf.  Leaves
 * and directories count the holders that point at them; a holder writes
 * only what it holds alone, copying first what it shares.  A lookup is
 * three dependent loads and stays O(1).
 *
 * An entry holds an interned path id (lib/strtab.h) and the O_* flags the
 * file was opened with, O_CLOEXEC included.  An entry fdtable_get()
 * returns stays valid until the next change to that table.
 */
#ifndef IOR_FDTABLE_H
#define IOR_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Descriptors at or above this are not tracked (garbage, not real fds). */
#define FDTABLE_MAX_FD (1 << 20)

/*
 * Up to 256 entries (2 KiB) a leaf, grown by doubling from 16 as the
 * fds in it need: most processes fit in one small leaf, and the directory
 * of a table holding fd 1048575 is 4096 pointers (32 KiB).
 */
#define FDTABLE_LEAF_SHIFT 8
#define FDTABLE_LEAF (1u << FDTABLE_LEAF_SHIFT)

struct fd_entry {
	uint32_t path_id;       /* 0: the slot is closed */
	uint32_t flags;
};

struct fd_leaf {
	uint32_t refs;          /* directories pointing here */
	uint16_t open;          /* entries in use: 0 only in a first leaf */
	uint16_t size;          /* entries allocated, 16 to FDTABLE_LEAF */
	struct fd_entry entry[];
};

struct fd_dir {
	unsigned refs;          /* tables pointing here */
	uint32_t len;           /* leaf slots; the last one is not NULL */
	struct fd_leaf *leaf[];
};

struct fdtable {
	unsigned refs;          /* holders: processes (and their threads) */
	uint32_t stamp;         /* free for the owner's bookkeeping */
	uint32_t open;          /* entries in use */
	uint32_t nleaves;       /* dir->len, or 0 without a directory */
	struct fd_dir *dir;     /* NULL while nothing is open */
};

struct fdtable *fdtable_new(void);
/* A table with t's entries for a forked child: O(1), shared until written. */
struct fdtable *fdtable_copy(const struct fdtable *t);
struct fdtable *fdtable_ref(struct fdtable *t);
void fdtable_unref(struct fdtable *t);

/* The entry of fd, or NULL if the table has no open file there. */
static inline const struct fd_entry *
fdtable_get(const struct fdtable *t, int64_t fd)
{
	/* A negative fd becomes huge and fails the bound check. */
	uint64_t i = (uint64_t)fd >> FDTABLE_LEAF_SHIFT;
	uint32_t j = (uint64_t)fd & (FDTABLE_LEAF - 1);
	const struct fd_leaf *l;
	const struct fd_entry *e;

	if (i >= t->nleaves || (l = t->dir->leaf[i]) == NULL || j >= l->size)
		return NULL;
	e = &l->entry[j];
	return e->path_id != 0 ? e : NULL;
}

void fdtable_set(struct fdtable *t, int64_t fd, uint32_t path_id,
		 uint32_t flags);
void fdtable_close(struct fdtable *t, int64_t fd);
/* close_range(first, last); with cloexec_only, mark them O_CLOEXEC. */
void fdtable_close_range(struct fdtable *t, uint64_t first, uint64_t last,
			 bool cloexec_only);
void fdtable_set_cloexec(struct fdtable *t, int64_t fd, bool on);
/* What exec does: close every O_CLOEXEC entry. */
void fdtable_exec(struct fdtable *t);
/* Replace every open entry's path id by map(id, arg) (renames). */
void fdtable_map_paths(struct fdtable *t,
		       uint32_t (*map)(uint32_t id, void *arg), void *arg);
/* The lowest open fd at or above from, or -1: for (fd = fdtable_next(t, 0);
 * fd >= 0; fd = fdtable_next(t, fd + 1)) visits every open fd in order. */
int64_t fdtable_next(const struct fdtable *t, int64_t from);

#endif /* IOR_FDTABLE_H */
