/* SPDX-License-Identifier: MIT */
/*
 * aggfields.h - the fields an aggregate's trie is keyed by ("comm;syscall;
 * path"), parsed from a spec, and where each one's value is in a pair.
 * A struct agg_fields is a plain value: it owns nothing.
 */
#ifndef IOR_AGGFIELDS_H
#define IOR_AGGFIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ior_format.h"

#define AGG_FIELDS_MAX 8
#define AGG_FIELDS_DEFAULT "comm;syscall;path"

enum agg_field {
	FIELD_COMM,
	FIELD_PID,
	FIELD_TID,
	FIELD_SYSCALL,
	FIELD_CLASS,            /* read, write, open/close ... */
	FIELD_FAMILY,           /* ior's syscall family */
	FIELD_PATH,             /* the whole path, one frame */
	FIELD_DIR,              /* the directory of the path */
	FIELD_BASE,             /* the last component of the path */
	FIELD_TREE,             /* a frame per directory level, then the file */
	FIELD_DIRN,             /* the first N directory levels ("dir2") */
	FIELD_ERRNO,            /* "ok" or ENOENT ... */
	FIELD_FLAGS,            /* the file's open flags */
	FIELD_HOST,             /* the host of the section (its header) */
	FIELD_N
};

struct agg_fields {
	unsigned n;
	uint8_t field[AGG_FIELDS_MAX];
	uint8_t levels[AGG_FIELDS_MAX];         /* N of FIELD_DIRN */
	char spec[128];                         /* canonical "a;b;c" */
	/*
	 * Where each field's value is in a pair record: the 32 bits at
	 * offset, shifted right and masked.  flags is ~0 without a file.
	 */
	struct agg_field_value {
		uint8_t offset, shift, no_file;
		uint32_t mask;
	} value[AGG_FIELDS_MAX];
};

/* Parse "comm;syscall;path" (',' also separates); false and a message. */
bool agg_fields_parse(const char *spec, struct agg_fields *out,
		      char *why, size_t whylen);
/* One line per field, for --help. */
extern const char agg_fields_help[];

/* The class of a family, as a bit mask (a transfer reads and writes). */
uint16_t family_classes(enum ior_family family);

#endif /* IOR_AGGFIELDS_H */
