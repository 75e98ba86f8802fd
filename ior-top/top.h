/* SPDX-License-Identifier: MIT */
/*
 * top.h - ior-top's state: the interval being filled, the last complete
 * interval and the totals since start, and how they are shown.
 */
#ifndef IOR_TOP_H
#define IOR_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agg.h"
#include "filterstage.h"
#include "idmap.h"

#define SPARK_LEN 12            /* intervals of rate history per row */
#define TOP_NODES 4096          /* the flame's stack trie, at most */

/*
 * The views.  The first four are tables of the aggregate; the others are
 * drawn from the calls kept (stream), the stack trie (flame) and the
 * histograms of everything counted (latency).
 */
enum view {
	VIEW_SYSCALLS, VIEW_FILES, VIEW_PROCESSES, VIEW_DIRS,
	VIEW_STREAM, VIEW_FLAME, VIEW_LATENCY, VIEW_N
};
#define VIEW_TABLES (VIEW_DIRS + 1)

/*
 * The last calls, as read (before the filter), for the stream view and
 * for drilling down: a new filter is applied to them again.  A ring of
 * TOP_KEEP pairs (88 bytes each: 11 MiB), so memory stays bounded
 * whatever the stream's length.
 *
 * The stream view's lines are the calls the filter keeps.  Each call
 * holds its rank, the count of calls kept before it (modulo 2^32: only
 * differences within the ring mean anything), so the lines between two
 * calls are a subtraction and the call of a line a binary search: a frame
 * costs the lines it shows, not a walk of the ring.
 */
#define TOP_KEEP (1u << 17)
struct calls {
	struct ior_pair *ring;
	uint64_t *pass;         /* bit i % TOP_KEEP: the filter keeps it */
	uint32_t *rank;         /* rank[i % TOP_KEEP]: of call i */
	uint32_t passed;        /* the rank of call n (the next) */
	uint64_t n;             /* pairs ever kept; ring[i % TOP_KEEP] */
	uint64_t base;          /* the first of this section's */
	uint64_t printed;       /* batch: calls before this are printed */
	uint64_t cut;           /* batch: the frame shows calls before it */
	/*
	 * Batch: the calls of ended sections not shown yet, printed while
	 * their section's names last, for the next frame.
	 */
	FILE *held;
	char *held_buf;
	size_t held_len;
};

static inline const struct ior_pair *
calls_get(const struct calls *c, uint64_t i)
{
	return &c->ring[i % TOP_KEEP];
}

/*
 * The oldest call still kept.  Calls name their comm and path by the ids
 * of their section, whose names go with it: a new section starts afresh.
 */
static inline uint64_t
calls_first(const struct calls *c)
{
	uint64_t first = c->n > TOP_KEEP ? c->n - TOP_KEEP : 0;
	return first > c->base ? first : c->base;
}

enum column {
	COL_NAME,
	COL_RATE,       /* calls per second in the interval */
	COL_READ,       /* bytes read per second */
	COL_WRITE,
	COL_ERRORS,     /* errors per second */
	COL_TIME,       /* share of the interval spent in the syscalls */
	COL_P50,
	COL_P99,
	COL_MAX,
	COL_TOTAL,      /* calls since start */
	COL_TOTAL_P99,
	COL_TOTAL_MAX,
	COL_N
};

/*
 * The rate histories of a view's rows, by the key of the row in the
 * totals' table: a key stays until the totals are replaced, and the
 * histories are forgotten with them.
 */
struct history {
	float (*rates)[SPARK_LEN];      /* rates[key - 1], oldest first */
	uint32_t n, cap;                /* rows with a history */
};

struct row {
	const char *key;
	const char *raw;        /* the table's key bytes, for the history */
	size_t rawlen;
	size_t keylen;
	uint32_t pid;
	double rate, read_bps, write_bps, error_rate, time_share;
	uint64_t p50, p99, max;
	uint64_t total, total_p99, total_max;
	const float *spark;
	bool exited;            /* processes: its exit was seen */
	uint32_t depth;         /* processes as a tree: the indent */
};

struct top {
	/* Settings. */
	double interval_s;
	bool batch;
	long frames_left;       /* -n; <0: no limit */
	enum view view;
	enum column sort;
	bool reverse;
	char filter[8192];
	bool utf8;
	bool json;              /* -b --json */
	enum weight flame_weight;       /* count, latency or bytes */
	bool keep_exited;       /* processes gone stay listed */
	bool tree;              /* processes by parent */

	/* Data. */
	struct agg current;     /* being filled */
	struct agg last;        /* the last complete interval */
	struct agg total;       /* since start (or the last reset) */
	/*
	 * What the interval's aggregates (current, last) and the totals
	 * keep (AGG_KEEP_*): what the frames can show (top_keep()).
	 */
	unsigned keep_interval, keep_total;
	uint64_t total_gen;     /* changes with total: for caches of it */
	double last_seconds;    /* the length of the last interval */
	uint64_t last_end_ns;   /* realtime end of the last interval */
	uint32_t intervals;
	struct history history[VIEW_N];
	bool input_ended;
	bool paused;
	char status[256];       /* a message for the header, e.g. an error */

	/* Rows of the current view, rebuilt at every frame. */
	struct row *rows;
	uint32_t nrows, rows_cap;

	/* Navigation: the selected row and the first shown, by view. */
	uint32_t sel[VIEW_N], first[VIEW_N];
	/* The selected row's key, so the selection follows its row. */
	char sel_key[4200];
	size_t sel_keylen;
	enum view sel_view;
	bool sel_valid;

	/* The calls kept and what names them. */
	struct calls calls;
	const struct agg_input *input;
	struct filter_stage *pairs_filter;
	uint64_t stream_frozen;         /* paused: calls.n when paused */
	bool stream_follow;             /* the selection stays on the newest */
	bool detail;                    /* stream: one call in full */
	char search[128];               /* stream: the / text */

	/* Processes: their exits and their parents. */
	struct idmap exited;            /* pid -> interval of the exit + 1 */
	struct idmap parents;           /* pid -> ppid + 1 */
	uint32_t age_out;               /* intervals an exited one stays */

	/* Flame: the node zoomed into (0: the root). */
	uint32_t flame_root;

	/* Latency: calls/s and p99 of the last intervals, oldest first. */
	float rate_hist[60], p99_hist[60];
	uint32_t nhist;
};

extern const char *const view_names[VIEW_N];
extern const char *const column_names[COL_N];

/* Choose what the aggregates keep, once the settings are known. */
void top_keep(struct top *t);
/* An empty aggregate of the interval's (or of the totals'), keeping theirs. */
void top_agg_init(const struct top *t, struct agg *a,
		  const struct agg_fields *fields, bool total);
/* Fold the current interval into last/total/history; seconds: its length. */
void top_end_interval(struct top *t, double seconds, uint64_t end_ns);
/* Forget the totals and history (the "reset" key). */
void top_reset(struct top *t);
/* Forget the rate histories (sparklines) alone. */
void top_forget_history(struct top *t);
/* Rebuild t->rows for the current view, filter and sort. */
void top_rows(struct top *t);
/* A plain-text frame (batch mode). */
void top_print(struct top *t, FILE *f);
/* The full-screen frame (ncurses). */
void top_draw(struct top *t, bool help);
/* A frame as one JSON document on one line (batch --json). */
void top_print_json(struct top *t, FILE *f);

/* Navigation: move the selection by delta rows (clamped). */
void top_move(struct top *t, long delta);
/* Rows a page holds on the screen. */
int top_page(const struct top *t);
/*
 * The filter expression that narrows to the selected row (a table row, or
 * a stream line's open file) into buf; false with a reason in buf when it
 * cannot.
 */
bool top_drill_expr(struct top *t, char *buf, size_t len);

/* The calls: keep one; the one the stream view has selected (or NULL). */
void calls_keep(struct calls *c, const struct ior_pair *p);
void calls_release(struct calls *c);
static inline bool
calls_passes(const struct calls *c, uint64_t i)
{
	return c->pass[(i % TOP_KEEP) / 64] >> (i % 64) & 1;
}
static inline void
calls_set_pass(struct calls *c, uint64_t i, bool pass)
{
	uint64_t bit = 1ull << (i % 64), *w = &c->pass[(i % TOP_KEEP) / 64];
	*w = pass ? *w | bit : *w & ~bit;
}
/* The last call kept passes the filter (a line more). */
void calls_pass_last(struct calls *c);
/* The ranks again, after calls_set_pass() of the calls kept. */
void calls_rerank(struct calls *c);
const struct ior_pair *top_selected_call(struct top *t);
/* One call as a line: time pid/tid comm call(path) = result bytes latency. */
size_t call_line(const struct top *t, const struct ior_pair *p, char *buf,
		 size_t len, bool ascii);
/* Does the pair pass the current filter? */
bool top_call_passes(const struct top *t, const struct ior_pair *p);

/* Lines a view that is not a table has (for the selection). */
uint32_t top_view_lines(struct top *t);
/* Processes as a tree: rows reordered under their parents. */
void top_tree_order(struct top *t);
/* A sparkline of n values at the cursor. */
void top_spark(const struct top *t, const float *h, int n);

/* stream.c */
void top_stream_print(struct top *t, FILE *f);
void top_stream_draw(struct top *t);
void top_stream_json(struct top *t, FILE *f);
/* Batch: a section ends; its calls not shown yet wait for the next frame. */
void top_stream_section_end(struct top *t);
/* Select the next line (older) whose text holds t->search; false: none. */
bool top_stream_search(struct top *t);
/* A call kept after the filter: the stream view's selection stays put. */
void top_stream_added(struct top *t);

/* graph.c: the flame and latency views. */
void top_flame_print(struct top *t, FILE *f);
void top_flame_draw(struct top *t);
void top_flame_json(struct top *t, FILE *f);
/* The boxes the icicle has on the screen (the flame's selection). */
uint32_t top_flame_lines(struct top *t);
/* Zoom into the selected node; out to the parent (false: at the root). */
void top_flame_zoom_in(struct top *t);
bool top_flame_zoom_out(struct top *t);
void top_latency_interval(struct top *t);
void top_latency_print(struct top *t, FILE *f);
void top_latency_draw(struct top *t);
void top_latency_json(struct top *t, FILE *f);

/*
 * A rate or a float's nanoseconds as a count: a stream's interval can be
 * a nanosecond, and a double past 2^64 does not convert.
 */
static inline uint64_t
count_of(double v)
{
	return v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v;
}

#endif /* IOR_TOP_H */
