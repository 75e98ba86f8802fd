/* SPDX-License-Identifier: MIT */
/*
 * rows.h - ior-dump's outputs for other tools: the pairs of a stream as CSV
 * (--csv), as flat JSON lines (--rows) or as a Chrome trace-event timeline
 * (--timeline).  docs/ior-dump.md is their contract: the columns, their
 * order (new ones only ever appended) and how stream bytes are escaped.
 *
 * Only pairs make rows.  The other records give them their context: the
 * section header its host and wall-clock anchor, IOR_SYSCALL_NAME the
 * syscall names, IOR_NAME the paths and comms (the caller keeps those in
 * a name_table, checked, before it hands the record over).
 *
 * A struct rows is the caller's: rows_init() before the first record,
 * rows_finish() after the last, which writes what ends the output (the
 * timeline's closing brackets, even after damage, so what was read is a
 * valid document) and frees everything rows_init() and rows_record()
 * allocated.
 */
#ifndef IOR_DUMP_ROWS_H
#define IOR_DUMP_ROWS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/tree.h>

#include "names.h"
#include "stream.h"
#include "sysnames.h"

/*
 * The modes, also getopt_long's values for their long options: above
 * VERSION_OPT (0x100) and the few long-only options ior-dump's other
 * options might take after it, so no two ever collide.
 */
enum rows_mode {
	ROWS_CSV = 0x210,
	ROWS_JSON,
	ROWS_TIMELINE,
};
#define ROWS_LONGOPTS \
	{ "csv", no_argument, NULL, ROWS_CSV }, \
	{ "rows", no_argument, NULL, ROWS_JSON }, \
	{ "timeline", no_argument, NULL, ROWS_TIMELINE }

/* A thread or process of the timeline, and the name last given to it. */
struct rows_track {
	RB_ENTRY(rows_track) link;
	uint32_t pid, tid;      /* tid 0: the process's own track */
	bool from_main;         /* a process named by its main thread's comm */
	size_t len;
	char *name;             /* len bytes, NULL while unnamed */
};
RB_HEAD(rows_tracks, rows_track);

struct rows {
	enum rows_mode mode;
	FILE *out;
	struct sysnames sysnames;
	/* The current section's context. */
	char *host;             /* NULL when the header has no host name */
	size_t host_len;
	uint64_t anchor_clock, anchor_realtime;
	/* The timeline's: its time origin and tracks. */
	bool have_origin;
	uint64_t origin;        /* wall-clock ns of the first section's anchor */
	char *origin_host;
	size_t origin_host_len;
	uint64_t events;
	struct rows_tracks tracks;
	/* Raw events met with no pair to show: said once, exit status 1. */
	bool raw_said;
};

void rows_init(struct rows *w, enum rows_mode mode, FILE *out);
/*
 * One record of in, as stream_next() returned it (size: its size).  names
 * holds the section's IOR_NAME strings; a section header resets it.
 */
void rows_record(struct rows *w, const struct stream_reader *in,
		 const struct ior_record *rec, uint16_t type, uint32_t size,
		 struct name_table *names);
/* End the output; 1 when raw events were met (no pairs to show), else 0. */
int rows_finish(struct rows *w);

#endif /* IOR_DUMP_ROWS_H */
