/* SPDX-License-Identifier: MIT */
/*
 * names.h - the IOR_NAME strings of a section (paths and comms that pairs
 * refer to by id), as a reader keeps them.  A later definition of an id
 * replaces the earlier one.  name_table_reset() frees everything and
 * leaves an empty table for the next section.
 */
#ifndef IOR_NAMES_H
#define IOR_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "ior_format.h"

struct name_table {
	struct name_kind {
		char *arena;            /* every string, back to back */
		size_t len, cap;
		struct name_ref {
			uint32_t off;
			uint32_t len;   /* + 1: 0 marks an id never defined */
		} *refs;                /* by id */
		uint32_t nrefs;
	} kind[IOR_NAME_COMM + 1];
};

void name_table_reset(struct name_table *t);
/* Take an IOR_NAME record of size bytes; ignores a bad one. */
void name_table_add(struct name_table *t, const struct ior_name *rec,
		    uint32_t size);
/* The bytes of the name, *len set; NULL for id 0 or an undefined one. */
const char *name_table_get(const struct name_table *t, unsigned kind,
			   uint32_t id, size_t *len);

#endif /* IOR_NAMES_H */
