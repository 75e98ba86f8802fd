/* SPDX-License-Identifier: MIT */
/*
 * fdtable.h - what each file descriptor of a process refers to.
 *
 * Tables are reference counted: threads share their process's table and
 * clone(CLONE_FILES) shares it across processes; fork copies it.  An entry
 * holds an interned path id (lib/strtab.h) and the O_* flags the file was
 * opened with, O_CLOEXEC included.  fdtable_unref() frees the table when
 * the last reference goes.
 */
#ifndef IOR_FDTABLE_H
#define IOR_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Descriptors at or above this are not tracked (garbage, not real fds). */
#define FDTABLE_MAX_FD (1 << 20)

struct fd_entry {
	uint32_t path_id;       /* 0: the slot is closed */
	uint32_t flags;
};

struct fdtable {
	unsigned refs;
	uint32_t stamp;         /* free for the owner's bookkeeping */
	uint32_t size;          /* entries allocated */
	uint32_t open;          /* entries in use */
	struct fd_entry *entries;
};

struct fdtable *fdtable_new(void);
struct fdtable *fdtable_copy(const struct fdtable *t);
struct fdtable *fdtable_ref(struct fdtable *t);
void fdtable_unref(struct fdtable *t);

/* The entry of fd, or NULL if the table has no open file there. */
const struct fd_entry *fdtable_get(const struct fdtable *t, int64_t fd);
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

#endif /* IOR_FDTABLE_H */
