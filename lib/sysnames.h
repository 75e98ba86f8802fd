/* SPDX-License-Identifier: MIT */
/*
 * sysnames.h - the syscall number -> name table a stream carries in its
 * IOR_SYSCALL_NAME records.  Streams may come from another machine, so
 * readers name syscalls by this table, never by their own headers.
 * A table owns its name strings; sysnames_reset() frees them and leaves an
 * empty table ready for the next section.
 */
#ifndef IOR_SYSNAMES_H
#define IOR_SYSNAMES_H

#include <stdint.h>

#include "ior_format.h"

#define SYSNAMES_MAX 1024

struct sysnames {
	char *name[SYSNAMES_MAX];
	uint8_t nargs[SYSNAMES_MAX];
	uint8_t family[SYSNAMES_MAX];
	uint8_t path_args[SYSNAMES_MAX];
};

void sysnames_reset(struct sysnames *t);
/* Take one IOR_SYSCALL_NAME record of size bytes; ignores bad ones. */
void sysnames_add(struct sysnames *t, const struct ior_syscall_name *rec,
		  uint32_t size);
/* The name of nr, or "syscall_NR" written into buf. */
const char *sysnames_get(const struct sysnames *t, unsigned nr,
			 char buf[24]);

#endif /* IOR_SYSNAMES_H */
