/* SPDX-License-Identifier: MIT */
/*
 * filter.h - the filter language of ior-grep (docs/filter.md): an
 * expression such as
 *     comm~nginx and (latency>=10ms or errno=ENOENT,EACCES)
 * compiled once into a predicate over IOR_PAIR records.
 *
 * Matching a pair parses nothing and allocates nothing per record.  Tests
 * on comms, paths and syscall names remember their answer per interned
 * name id (per syscall number), so each distinct name is matched once per
 * section; a pair costs a few loads and compares.
 *
 * A pair's comm, path, ppid, start time and host are not in the pair: they
 * come from the records before it.  struct filter_context holds them; the
 * reader hands it every record it reads (filter_context_add) and the
 * filter checks the context's generation on each match, so a new section
 * or a redefined name resets what the filter remembered.
 *
 * Ownership: filter_compile() returns a heap object that filter_free()
 * releases (regexes, lists and memos included).  A context is caller-owned;
 * filter_context_release() frees its tables and leaves it ready for
 * filter_context_init() again.
 */
#ifndef IOR_FILTER_H
#define IOR_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "ior_format.h"
#include "names.h"
#include "sysnames.h"

struct filter_context {
	struct name_table names;        /* IOR_NAME strings of the section */
	struct sysnames syscalls;       /* the stream's syscall names */
	struct idmap parents;           /* pid -> ppid + 1 (see filter.c) */
	uint64_t anchor_clock, anchor_realtime;
	char host[256];                 /* the section's hostname, bytes */
	size_t host_len;
	uint64_t generation;            /* bumped when a memo goes stale */
};

void filter_context_init(struct filter_context *c);
void filter_context_release(struct filter_context *c);
/*
 * Every record the reader sees, in order (type as stream_next() reports
 * it, so STREAM_SECTION for a header); all but the context records are
 * ignored, so a caller may pass everything.
 */
void filter_context_add(struct filter_context *c, uint16_t type,
			const void *rec, uint32_t size);

struct filter;

/*
 * Compile len bytes of expr (any bytes: a NUL ends nothing).  On a mistake
 * returns NULL and writes one line, without the tool's name, to err:
 *     unknown field 'lantency' at column 1 (did you mean latency?)
 */
struct filter *filter_compile(const char *expr, size_t len, char *err,
			      size_t errlen);
void filter_free(struct filter *f);

/* Does the pair match?  c must have seen every record before p. */
bool filter_match(struct filter *f, const struct filter_context *c,
		  const struct ior_pair *p);

#endif /* IOR_FILTER_H */
