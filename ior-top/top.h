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

#define SPARK_LEN 12            /* intervals of rate history per row */

enum view { VIEW_SYSCALLS, VIEW_FILES, VIEW_PROCESSES, VIEW_DIRS, VIEW_N };

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

/* The rate history of one row, by view and key. */
struct history {
	struct strtab keys;
	float (*rates)[SPARK_LEN];      /* rates[key - 1], oldest first */
	uint32_t cap;
};

struct row {
	const char *key;
	size_t keylen;
	uint32_t pid;
	double rate, read_bps, write_bps, error_rate, time_share;
	uint64_t p50, p99, max;
	uint64_t total, total_p99, total_max;
	const float *spark;
};

struct top {
	/* Settings. */
	double interval_s;
	bool batch;
	long frames_left;       /* -n; <0: no limit */
	enum view view;
	enum column sort;
	bool reverse;
	char filter[128];
	bool utf8;

	/* Data. */
	struct agg current;     /* being filled */
	struct agg last;        /* the last complete interval */
	struct agg total;       /* since start (or the last reset) */
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
};

extern const char *const view_names[VIEW_N];
extern const char *const column_names[COL_N];

/* Fold the current interval into last/total/history; seconds: its length. */
void top_end_interval(struct top *t, double seconds, uint64_t end_ns);
/* Forget the totals and history (the "reset" key). */
void top_reset(struct top *t);
/* Rebuild t->rows for the current view, filter and sort. */
void top_rows(struct top *t);
/* A plain-text frame (batch mode). */
void top_print(struct top *t, FILE *f);
/* The full-screen frame (ncurses). */
void top_draw(struct top *t, bool help);

#endif /* IOR_TOP_H */
