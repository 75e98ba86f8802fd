/* SPDX-License-Identifier: MIT */
#include "aggfields.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

static const char *const field_names[FIELD_N] = {
	[FIELD_COMM] = "comm",
	[FIELD_PID] = "pid",
	[FIELD_TID] = "tid",
	[FIELD_SYSCALL] = "syscall",
	[FIELD_CLASS] = "class",
	[FIELD_FAMILY] = "family",
	[FIELD_PATH] = "path",
	[FIELD_DIR] = "dir",
	[FIELD_BASE] = "base",
	[FIELD_TREE] = "tree",
	[FIELD_DIRN] = "dirN",
	[FIELD_ERRNO] = "errno",
	[FIELD_FLAGS] = "flags",
	[FIELD_HOST] = "host",
};

const char agg_fields_help[] =
"  comm     the thread's command name      pid, tid  \"pid 42\", \"tid 43\"\n"
"  syscall  the syscall's name              class     read, write, open/close,\n"
"  family   ior's syscall family                      metadata, sync, other\n"
"  path     the file, one frame             dir       its directory\n"
"  base     its last component              tree      a frame per directory\n"
"  dirN     its first N directory levels              level, then the file\n"
"  errno    \"ok\" or the error's name         flags     the file's open flags\n"
"  host     the host the stream came from (docs/fleet.md)\n";

/* What decides a field's frames, as a place in the pair record. */
static struct agg_field_value
field_value(int field)
{
#define AT(member, shift, mask) (struct agg_field_value){ \
	offsetof(struct ior_pair, member), shift, 0, mask }
	switch (field) {
	case FIELD_COMM: return AT(comm_id, 0, ~0u);
	case FIELD_PID: return AT(pid, 0, ~0u);
	case FIELD_TID: return AT(tid, 0, ~0u);
	case FIELD_SYSCALL: return AT(header.type, 16, 0xffff); /* misc */
	case FIELD_CLASS:
	case FIELD_FAMILY: return AT(err, 16, 0xff);    /* family */
	case FIELD_ERRNO: return AT(err, 0, 0xffff);
	/* One host a section, and the caches start again at each section. */
	case FIELD_HOST: return AT(path_id, 0, 0);
	case FIELD_FLAGS: {
		struct agg_field_value v = AT(flags, 0, ~0u);
		v.no_file = 1;
		return v;
	}
	default: return AT(path_id, 0, ~0u);
	}
#undef AT
}

_Static_assert(offsetof(struct ior_pair, header.misc) ==
	       offsetof(struct ior_pair, header.type) + 2, "misc");
_Static_assert(offsetof(struct ior_pair, family) ==
	       offsetof(struct ior_pair, err) + 2, "family");

bool
agg_fields_parse(const char *spec, struct agg_fields *out, char *why,
		 size_t whylen)
{
	memset(out, 0, sizeof(*out));
	char buf[256];
	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		snprintf(why, whylen, "field list too long");
		return false;
	}
	char *save = NULL;
	for (char *f = strtok_r(buf, ";,", &save); f;
	     f = strtok_r(NULL, ";,", &save)) {
		if (out->n == AGG_FIELDS_MAX) {
			snprintf(why, whylen, "more than %d fields",
				 AGG_FIELDS_MAX);
			return false;
		}
		int found = -1;
		unsigned levels = 0;
		for (int i = 0; i < FIELD_N; i++)
			if (i != FIELD_DIRN && strcmp(f, field_names[i]) == 0)
				found = i;
		if (found < 0 && strncmp(f, "dir", 3) == 0 && f[3] >= '1' &&
		    f[3] <= '9' && f[4] == '\0') {
			found = FIELD_DIRN;
			levels = (unsigned)(f[3] - '0');
		}
		if (found < 0) {
			/* A snapshot's fields come from its stream: escaped. */
			char shown[64];
			text_escape(shown, sizeof(shown), f, strlen(f),
				    TEXT_QUOTE);
			snprintf(why, whylen, "unknown field %s", shown);
			return false;
		}
		out->field[out->n] = (uint8_t)found;
		out->levels[out->n] = (uint8_t)levels;
		out->value[out->n] = field_value(found);
		out->n++;
		size_t len = strlen(out->spec);
		snprintf(out->spec + len, sizeof(out->spec) - len, "%s%s",
			 len ? ";" : "", f);
	}
	if (out->n == 0) {
		snprintf(why, whylen, "no fields");
		return false;
	}
	return true;
}

uint16_t
family_classes(enum ior_family family)
{
	switch (family) {
	case IOR_FAMILY_READ: return 1u << CLASS_READ;
	case IOR_FAMILY_WRITE: return 1u << CLASS_WRITE;
	case IOR_FAMILY_TRANSFER: return 1u << CLASS_READ | 1u << CLASS_WRITE;
	case IOR_FAMILY_OPEN:
	case IOR_FAMILY_CLOSE:
	case IOR_FAMILY_FDNEW: return 1u << CLASS_OPENCLOSE;
	case IOR_FAMILY_STAT:
	case IOR_FAMILY_DIR:
	case IOR_FAMILY_NAMESPACE:
	case IOR_FAMILY_ATTR:
	case IOR_FAMILY_XATTR: return 1u << CLASS_META;
	case IOR_FAMILY_SYNC: return 1u << CLASS_SYNC;
	default: return 1u << CLASS_OTHER;
	}
}
