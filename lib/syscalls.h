/* SPDX-License-Identifier: MIT */
/*
 * syscalls.h - syscall names, numbers and ior's families.
 *
 * Numbers are those of the build machine (lib/gen-syscall-nr.sh); streams
 * carry their own name table, so readers use these only as a fallback.
 * Families group syscalls the way -e %family selects them.  All strings
 * returned are static.
 */
#ifndef IOR_SYSCALLS_H
#define IOR_SYSCALLS_H

#include <stdbool.h>

#include "ior_format.h"

/* The build machine's number for name, or -1. */
int syscall_nr(const char *name);
/* The build machine's name for nr, or NULL. */
const char *syscall_name(int nr);

/* The family of a syscall name; IOR_FAMILY_OTHER if ior has none for it. */
enum ior_family syscall_family(const char *name);
/* "read", "open", ... or NULL for an out-of-range value. */
const char *family_name(enum ior_family family);
/* The family called name, or -1. */
int family_by_name(const char *name);
/* Families traced when -e is not given: the file I/O families. */
bool family_is_default(enum ior_family family);

/* Calls f for every syscall name of the build machine. */
void syscall_foreach(void (*f)(const char *name, int nr, void *arg),
		     void *arg);

#endif /* IOR_SYSCALLS_H */
