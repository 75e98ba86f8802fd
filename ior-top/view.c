/* SPDX-License-Identifier: MIT */
/*
 * view.c - ior-top's tables: rows from the last interval and the totals,
 * sorted and filtered, printed as text (batch) or drawn with ncurses.
 */
#include <curses.h>
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "top.h"
#include "units.h"

const char *const view_names[VIEW_N] = {
	[VIEW_SYSCALLS] = "syscalls",
	[VIEW_FILES] = "files",
	[VIEW_PROCESSES] = "processes",
	[VIEW_DIRS] = "dirs",
};

const char *const column_names[COL_N] = {
	[COL_NAME] = "name",
	[COL_RATE] = "rate",
	[COL_READ] = "read",
	[COL_WRITE] = "write",
	[COL_ERRORS] = "errors",
	[COL_TIME] = "time",
	[COL_P50] = "p50",
	[COL_P99] = "p99",
	[COL_MAX] = "max",
	[COL_TOTAL] = "total",
	[COL_TOTAL_P99] = "total_p99",
	[COL_TOTAL_MAX] = "total_max",
};

static const enum ior_agg_kind view_kind[VIEW_N] = {
	[VIEW_SYSCALLS] = IOR_AGG_SYSCALL,
	[VIEW_FILES] = IOR_AGG_FILE,
	[VIEW_PROCESSES] = IOR_AGG_PROCESS,
	[VIEW_DIRS] = IOR_AGG_DIR,
};

static float *
history_of(struct history *h, const char *key, size_t len)
{
	uint32_t id = strtab_intern(&h->keys, key, len);
	if (id > h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 256;
		while (cap < id)
			cap *= 2;
		float (*r)[SPARK_LEN] = reallocarray(h->rates, cap, sizeof(*r));
		if (!r)
			err(1, "ior-top");
		memset(r + h->cap, 0, (cap - h->cap) * sizeof(*r));
		h->rates = r;
		h->cap = cap;
	}
	return h->rates[id - 1];
}

/* The raw key bytes of a table (a process's includes its pid). */
static const char *
raw_key(const struct agg *a, enum ior_agg_kind kind, const struct agg_stat *s,
	size_t *len)
{
	return strtab_get(&a->tables[kind].keys, s->key, len);
}

void
top_end_interval(struct top *t, double seconds, uint64_t end_ns)
{
	agg_release(&t->last);
	t->last = t->current;
	struct agg_fields fields = t->last.fields;
	agg_init(&t->current, &fields, 64, WEIGHT_COUNT);
	agg_merge(&t->total, &t->last);
	t->last_seconds = seconds > 0 ? seconds : t->interval_s;
	t->last_end_ns = end_ns;
	t->intervals++;
	/* Every row known so far moves its history on by one interval. */
	for (int v = 0; v < VIEW_N; v++) {
		enum ior_agg_kind kind = view_kind[v];
		const struct agg_table *tt = &t->total.tables[kind];
		for (uint32_t i = 0; i < tt->keys.count; i++) {
			size_t len;
			const char *key = strtab_get(&tt->keys, i + 1, &len);
			float *h = history_of(&t->history[v], key, len);
			memmove(h, h + 1, (SPARK_LEN - 1) * sizeof(*h));
			uint32_t id = strtab_find(&t->last.tables[kind].keys, key,
						  len);
			h[SPARK_LEN - 1] = id ? (float)((double)t->last.tables
				[kind].stats[id - 1].count / t->last_seconds) : 0;
		}
	}
}

void
top_reset(struct top *t)
{
	struct agg_fields fields = t->total.fields;
	agg_release(&t->total);
	agg_init(&t->total, &fields, 64, WEIGHT_COUNT);
	agg_merge(&t->total, &t->last);
	for (int v = 0; v < VIEW_N; v++) {
		strtab_release(&t->history[v].keys);
		free(t->history[v].rates);
		memset(&t->history[v], 0, sizeof(t->history[v]));
		strtab_init(&t->history[v].keys);
	}
}

static double
column_value(const struct row *r, enum column c)
{
	switch (c) {
	case COL_RATE: return r->rate;
	case COL_READ: return r->read_bps;
	case COL_WRITE: return r->write_bps;
	case COL_ERRORS: return r->error_rate;
	case COL_TIME: return r->time_share;
	case COL_P50: return (double)r->p50;
	case COL_P99: return (double)r->p99;
	case COL_MAX: return (double)r->max;
	case COL_TOTAL: return (double)r->total;
	case COL_TOTAL_P99: return (double)r->total_p99;
	case COL_TOTAL_MAX: return (double)r->total_max;
	default: return 0;
	}
}

static int
compare_keys(const struct row *a, const struct row *b)
{
	int c = memcmp(a->key, b->key, a->keylen < b->keylen ? a->keylen :
		       b->keylen);
	if (c)
		return c;
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Numbers sort largest first, names A to Z; -r reverses either. */
static int
compare_rows(const void *x, const void *y, void *arg)
{
	const struct top *t = arg;
	const struct row *a = x, *b = y;
	int c;
	if (t->sort == COL_NAME) {
		c = compare_keys(a, b);
	} else {
		double va = column_value(a, t->sort), vb = column_value(b, t->sort);
		c = va > vb ? -1 : va < vb ? 1 : 0;
		if (!c)
			c = a->total > b->total ? -1 : a->total < b->total;
		if (!c)
			c = compare_keys(a, b);
	}
	return t->reverse ? -c : c;
}

void
top_rows(struct top *t)
{
	enum ior_agg_kind kind = view_kind[t->view];
	const struct agg_table *tt = &t->total.tables[kind];
	const struct agg_table *lt = &t->last.tables[kind];
	if (tt->keys.count > t->rows_cap) {
		free(t->rows);
		t->rows_cap = tt->keys.count;
		t->rows = calloc(t->rows_cap, sizeof(*t->rows));
		if (!t->rows)
			err(1, "ior-top");
	}
	t->nrows = 0;
	double secs = t->last_seconds > 0 ? t->last_seconds : 1;
	for (uint32_t i = 0; i < tt->keys.count; i++) {
		const struct agg_stat *s = &tt->stats[i];
		size_t rawlen, len;
		const char *raw = raw_key(&t->total, kind, s, &rawlen);
		const char *key = agg_stat_key(&t->total, kind, s, &len);
		struct row *r = &t->rows[t->nrows++];
		memset(r, 0, sizeof(*r));
		r->key = key;
		r->keylen = len;
		r->pid = s->pid;
		r->total = s->count;
		r->total_p99 = hist_percentile(&s->latency, 99);
		r->total_max = s->latency.count ? s->latency.max : 0;
		uint32_t id = strtab_find(&lt->keys, raw, rawlen);
		if (id) {
			const struct agg_stat *l = &lt->stats[id - 1];
			r->rate = (double)l->count / secs;
			r->read_bps = (double)l->bytes_read / secs;
			r->write_bps = (double)l->bytes_written / secs;
			r->error_rate = (double)l->errors / secs;
			r->time_share = (double)l->latency.sum / (secs * 1e9);
			r->p50 = hist_percentile(&l->latency, 50);
			r->p99 = hist_percentile(&l->latency, 99);
			r->max = l->latency.count ? l->latency.max : 0;
		}
		uint32_t hid = strtab_find(&t->history[t->view].keys, raw, rawlen);
		r->spark = hid ? t->history[t->view].rates[hid - 1] : NULL;
	}
	if (t->nrows)
		qsort_r(t->rows, t->nrows, sizeof(*t->rows), compare_rows, t);
}

/* ---- the header ---- */

struct header {
	char line1[256], line2[256], loss[128];
	bool lossy;
};

static void
header_of(struct top *t, struct header *h)
{
	const struct agg *l = &t->last;
	double secs = t->last_seconds > 0 ? t->last_seconds : 1;
	uint64_t rd = 0, wr = 0, errs = 0;
	const struct agg_table *st = &l->tables[IOR_AGG_SYSCALL];
	for (uint32_t i = 0; i < st->keys.count; i++) {
		rd += st->stats[i].bytes_read;
		wr += st->stats[i].bytes_written;
		errs += st->stats[i].errors;
	}
	char when[UNITS_LEN * 2], b[6][UNITS_LEN];
	if (t->last_end_ns)
		units_realtime(t->last_end_ns, when);
	else
		strlcpy(when, "-", sizeof(when));
	snprintf(h->line1, sizeof(h->line1),
		 "ior-top %s  interval %.3gs  %s/s calls  read %s/s  "
		 "written %s/s  %.1f errors/s", when, t->last_seconds > 0 ?
		 t->last_seconds : t->interval_s,
		 units_count((uint64_t)((double)l->pairs / secs + 0.5), b[0]),
		 units_bytes((uint64_t)((double)rd / secs), b[1]),
		 units_bytes((uint64_t)((double)wr / secs), b[2]),
		 (double)errs / secs);
	snprintf(h->line2, sizeof(h->line2),
		 "processes %u  files %u in the interval (%u, %u since start)  "
		 "view: %s  sort: %s%s%s%s%s%s",
		 l->tables[IOR_AGG_PROCESS].keys.count,
		 l->tables[IOR_AGG_FILE].keys.count,
		 t->total.tables[IOR_AGG_PROCESS].keys.count,
		 t->total.tables[IOR_AGG_FILE].keys.count,
		 view_names[t->view], column_names[t->sort],
		 t->reverse ? " (reversed)" : "",
		 t->filter[0] ? "  filter: " : "", t->filter,
		 t->paused ? "  PAUSED" : "",
		 t->input_ended ? "  input ended" : "");
	h->lossy = l->lost || t->total.lost;
	snprintf(h->loss, sizeof(h->loss),
		 h->lossy ? "LOST %" PRIu64 " events in the interval, %" PRIu64
		 " since start" : "lost 0 events", l->lost, t->total.lost);
}

/* ---- text ---- */

static const char *
rate_text(double v, char buf[UNITS_LEN])
{
	snprintf(buf, UNITS_LEN, v < 9.95 && v > 0 ? "%.1f" : "%.0f", v);
	return buf;
}

static void
row_numbers(const struct row *r, char b[11][UNITS_LEN])
{
	rate_text(r->rate, b[0]);
	units_bytes((uint64_t)r->read_bps, b[1]);
	units_bytes((uint64_t)r->write_bps, b[2]);
	rate_text(r->error_rate, b[3]);
	snprintf(b[4], UNITS_LEN, "%.1f%%", 100 * r->time_share);
	units_ns(r->p50, b[5]);
	units_ns(r->p99, b[6]);
	units_ns(r->max, b[7]);
	units_count(r->total, b[8]);
	units_ns(r->total_p99, b[9]);
	units_ns(r->total_max, b[10]);
}

#define NUMBER_HEADER "%9s %7s %7s %7s %6s %7s %7s %7s %10s %7s %7s"
#define NUMBER_ROW "%9s %7s %7s %7s %6s %7s %7s %7s %10s %7s %7s"

static void
put_name(FILE *f, const struct top *t, const struct row *r)
{
	if (t->view == VIEW_PROCESSES)
		fprintf(f, "%" PRIu32 " ", r->pid);
	/* Paths and names as they are, quoted only when escaped. */
	put_text(f, r->key, r->keylen, 0);
}

void
top_print(struct top *t, FILE *f)
{
	struct header h;
	top_rows(t);
	header_of(t, &h);
	fprintf(f, "%s\n%s\n%s\n\n", h.line1, h.line2, h.loss);
	fprintf(f, NUMBER_HEADER "  %s\n", "CALLS/s", "READ/s", "WRITE/s",
		"ERR/s", "TIME", "P50", "P99", "MAX", "TOTAL", "TOT.P99", "TOT.MAX",
		t->view == VIEW_SYSCALLS ? "SYSCALL" : t->view == VIEW_FILES ?
		"FILE" : t->view == VIEW_PROCESSES ? "PID COMM" : "DIRECTORY");
	for (uint32_t i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		char b[11][UNITS_LEN];
		row_numbers(r, b);
		fprintf(f, NUMBER_ROW "  ", b[0], b[1], b[2], b[3], b[4], b[5],
			b[6], b[7], b[8], b[9], b[10]);
		put_name(f, t, r);
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* ---- ncurses ---- */

static void
draw_spark(const struct top *t, const float *h)
{
	static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅",
					      "▆", "▇", "█" };
	static const char ascii[] = " .:-=+*#%@";
	float max = 0;
	for (int i = 0; h && i < SPARK_LEN; i++)
		if (h[i] > max)
			max = h[i];
	for (int i = 0; i < SPARK_LEN; i++) {
		float v = h && max > 0 ? h[i] / max : 0;
		if (t->utf8) {
			int k = v > 0 ? 1 + (int)(v * 7.999f) : 0;
			addstr(blocks[k]);
		} else {
			int k = v > 0 ? 1 + (int)(v * 8.999f) : 0;
			addch((chtype)(unsigned char)ascii[k]);
		}
	}
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"ior-top keys",
		"",
		"  s f p d     view syscalls, files, processes, directories",
		"  Tab         next view",
		"  < >         sort by the column left / right",
		"  r           reverse the sort",
		"  /           filter pairs: comm~nginx latency>=10ms ...",
		"              (ior-grep's language; Enter applies, empty",
		"              clears, Esc cancels); counting restarts with",
		"              the pairs read after Enter",
		"  space       pause (input is still read, the screen holds)",
		"  c           reset the since-start totals",
		"  h ?         this help",
		"  q           quit",
		"",
		"Rates are per second over the last interval; TIME is the share of",
		"the interval spent inside the syscalls (above 100% with several",
		"threads); TOTAL, TOT.P99 and TOT.MAX are since start.  Press any key.",
	};
	erase();
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mvaddstr((int)i + 1, 2, lines[i]);
	refresh();
}

void
top_draw(struct top *t, bool help)
{
	if (help) {
		draw_help();
		return;
	}
	struct header h;
	top_rows(t);
	header_of(t, &h);
	erase();
	int rows = LINES, cols = COLS;
	attron(A_BOLD);
	mvaddnstr(0, 0, h.line1, cols);
	attroff(A_BOLD);
	mvaddnstr(1, 0, h.line2, cols);
	if (h.lossy)
		attron(A_REVERSE | A_BOLD);
	mvaddnstr(2, 0, h.loss, cols);
	if (h.lossy)
		attroff(A_REVERSE | A_BOLD);
	if (t->status[0])
		mvaddnstr(3, 0, t->status, cols);

	char line[512];
	snprintf(line, sizeof(line), NUMBER_HEADER "  %-*s  %s", "CALLS/s",
		 "READ/s", "WRITE/s", "ERR/s", "TIME", "P50", "P99", "MAX",
		 "TOTAL", "TOT.P99", "TOT.MAX", SPARK_LEN, "RATE",
		 t->view == VIEW_SYSCALLS ? "SYSCALL" : t->view == VIEW_FILES ?
		 "FILE" : t->view == VIEW_PROCESSES ? "PID COMM" : "DIRECTORY");
	attron(A_REVERSE);
	move(4, 0);
	clrtoeol();
	mvaddnstr(4, 0, line, cols);
	attroff(A_REVERSE);
	int fixed = 9 + 7 * 3 + 6 + 7 * 3 + 10 + 7 * 2 + 11 + 2 + SPARK_LEN + 2;
	int namew = cols - fixed;
	for (uint32_t i = 0; i < t->nrows && (int)i + 5 < rows; i++) {
		const struct row *r = &t->rows[i];
		char b[11][UNITS_LEN];
		row_numbers(r, b);
		snprintf(line, sizeof(line), NUMBER_ROW "  ", b[0], b[1], b[2],
			 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10]);
		mvaddnstr((int)i + 5, 0, line, cols);
		if (cols > fixed - 2)
			draw_spark(t, r->spark);
		if (namew <= 2)
			continue;
		addstr("  ");
		/* Long names keep their end (the file name), cut on the left. */
		char name[4 * 4096 + 16];
		int n = t->view == VIEW_PROCESSES ?
			snprintf(name, sizeof(name), "%" PRIu32 " ", r->pid) : 0;
		/* As batch mode writes it; all ASCII if the terminal is not UTF-8. */
		size_t need = text_escape(name + n, sizeof(name) - (size_t)n,
					  r->key, r->keylen,
					  t->utf8 ? 0 : TEXT_ASCII);
		n += (int)(need < sizeof(name) - (size_t)n ? need :
			   strlen(name + n));
		if (n > namew) {
			/* Skip UTF-8 continuation bytes after the cut. */
			int from = n - namew + 1;
			while (from < n && ((unsigned char)name[from] & 0xc0) == 0x80)
				from++;
			addstr(t->utf8 ? "…" : "<");
			addnstr(name + from, namew - 1);
		} else {
			addnstr(name, namew);
		}
	}
	if (t->nrows == 0)
		mvaddnstr(6, 2, t->filter[0] ? "no rows match the filter" :
			  "waiting for syscalls...", cols - 2);
	refresh();
}
