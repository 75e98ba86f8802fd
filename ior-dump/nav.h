/* SPDX-License-Identifier: MIT */
/*
 * nav.h - which records of a stream ior-dump shows: the one selection step
 * in front of every output mode (text, JSON, --stats and any other
 * writer), so a writer only ever sees fewer pairs.
 *
 *   -F EXPR       pairs EXPR matches, as `ior-grep EXPR | ior-dump` shows
 *                 them (lib/filterstage.h: the IOR_FILTER record included);
 *   --from/--to   a window of sequence numbers or times, both ends
 *                 included, compiled as the filter tests `seq>=N`,
 *                 `time>=T`, `seq<=N`, `time<=T` (lib/filter.h parses
 *                 them; nothing here reads a time);
 *   -A/-B N       pairs around the -F matches, counted in pairs, with a
 *                 group break between groups that are not adjacent.
 *
 * The filter runs first and the window after it, as in `ior-grep EXPR |
 * ior-dump --from ...`: the IOR_FILTER record counts the pairs EXPR
 * matched in the whole section.  The window also bounds what is shown as
 * context, and in a raw stream the events (enter, exit, strings,
 * task_new, exec, task_exit, comm) by their time; every other record
 * (headers, names, processes, fds, loss, totals, trailers, aggregates)
 * always passes.
 *
 * Ownership: a struct nav is caller-owned (static: it holds a filter
 * stage); nav_release() frees what nav_init() made.  The -B ring grows as
 * pairs arrive, up to N, so memory follows the stream as well as N.
 */
#ifndef IOR_DUMP_NAV_H
#define IOR_DUMP_NAV_H

#include <stdbool.h>
#include <stdint.h>

#include "filterstage.h"
#include "ior_format.h"
#include "names.h"

struct nav_opts {
	const char *filter;     /* -F EXPR, or NULL */
	const char *from, *to;  /* --from, --to, or NULL */
	uint32_t before, after; /* -B, -A pairs of context (need -F) */
};

enum {
	NAV_CONTEXT = 1 << 0,   /* a pair shown as context, not a match */
	NAV_BREAK = 1 << 1,     /* no record: the `--` between two groups */
};

/*
 * Called for each record to show, in order, with its offset in the input
 * (a record nav makes, the IOR_FILTER, has that of the record it goes
 * before).  With NAV_BREAK rec is NULL and type, size and offset are 0.
 */
typedef void nav_show_fn(void *arg, const struct ior_record *rec,
			 uint16_t type, uint32_t size, uint64_t offset,
			 unsigned flags);

struct nav_pair {
	struct ior_pair p;
	uint32_t size;
	uint64_t offset;
};

struct nav {
	bool active;            /* any of -F, --from, --to */
	struct filter *from, *to;
	bool from_time, to_time;        /* else by seq */
	uint64_t to_seq;
	const struct name_table *names; /* the shower's, for -B */

	/* per section */
	uint64_t last_seq;
	bool ordered;           /* every pair's seq above the one before */
	bool shown;             /* a pair was shown */
	bool omitted;           /* a pair was left out since the last shown */
	uint32_t after_left;

	/* -A/-B */
	uint32_t before, after;
	struct nav_pair *ring;  /* the last pairs left out, oldest at head */
	uint32_t ring_cap, ring_len, ring_head;

	struct filter_stage stage;      /* last: it is big (a record) */
};

/*
 * On a mistake (a bad --from or --to, a bad EXPR) print one line and
 * exit 2.  names is the table the show function resolves pairs' names
 * with; it must be the state of the stream when each record is handed in.
 */
void nav_init(struct nav *n, const struct nav_opts *o,
	      const struct name_table *names);
void nav_release(struct nav *n);

/*
 * Every record stream_next() returns, in order.  Returns false when the
 * rest of the input cannot hold a pair to show (past a --to sequence
 * number in a section whose pairs are in order): the caller stops
 * reading it and calls nav_end().
 */
bool nav_record(struct nav *n, uint16_t type, const struct ior_record *rec,
		uint32_t size, uint64_t offset, nav_show_fn *show, void *arg);
/* At the end of an input (or its early stop), offset where it ended. */
void nav_end(struct nav *n, uint64_t offset, nav_show_fn *show, void *arg);

#endif /* IOR_DUMP_NAV_H */
