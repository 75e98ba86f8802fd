/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "sysnames.h"

void
sysnames_reset(struct sysnames *t)
{
	for (unsigned i = 0; i < SYSNAMES_MAX; i++)
		free(t->name[i]);
	memset(t, 0, sizeof(*t));
}

void
sysnames_add(struct sysnames *t, const struct ior_syscall_name *rec,
	     uint32_t size)
{
	struct string_ref s;
	char *name;

	if (rec->nr >= SYSNAMES_MAX ||
	    !record_string_at(rec, size, rec->str_off, rec->nstrings, 0, &s))
		return;
	if ((name = strndup((const char *)s.bytes, s.len)) == NULL)
		err(1, "strndup");
	free(t->name[rec->nr]);
	t->name[rec->nr] = name;
	t->nargs[rec->nr] = rec->nargs;
	t->family[rec->nr] = rec->family;
	t->path_args[rec->nr] = rec->path_args;
}

const char *
sysnames_get(const struct sysnames *t, unsigned nr, char buf[24])
{
	if (nr < SYSNAMES_MAX && t->name[nr] != NULL)
		return t->name[nr];
	snprintf(buf, 24, "syscall_%u", nr);
	return buf;
}
