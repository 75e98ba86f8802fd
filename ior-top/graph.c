/* SPDX-License-Identifier: MIT */
/*
 * graph.c - ior-top's flame and latency views.
 *
 * Flame: the stack trie of the totals (comm;syscall;path) as an icicle,
 * the root on top and each node as wide as its share of the weight
 * (count, time or bytes), children heaviest first.  Latency: the latency
 * and gap histograms of every call counted (the filter's selection), by
 * octave, with percentiles, and the rate and p99 of the last intervals.
 */
#include <curses.h>
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "output.h"
#include "top.h"
#include "units.h"

/* ---- flame ---- */

struct box {
	uint32_t node, depth;
	int x, w;
	uint64_t weight;
};

static struct box *boxes;
static uint32_t nboxes, boxes_cap, box_depths;
static struct totals *inclusive;
static uint64_t root_weight;

struct weighted { uint64_t w; uint32_t node; };

static int
heaviest(const void *x, const void *y)
{
	const struct weighted *a = x, *b = y;
	return a->w < b->w ? 1 : a->w > b->w ? -1 :
	       a->node > b->node ? 1 : a->node < b->node ? -1 : 0;
}

static void
add_box(uint32_t node, uint32_t depth, int x, int w, uint64_t weight)
{
	if (nboxes == boxes_cap) {
		boxes_cap = boxes_cap ? 2 * boxes_cap : 256;
		boxes = reallocarray(boxes, boxes_cap, sizeof(*boxes));
		if (!boxes)
			err(1, "ior-top");
	}
	boxes[nboxes++] = (struct box){ node, depth, x, w, weight };
	if (depth + 1 > box_depths)
		box_depths = depth + 1;
}

/* Lay node out in [x, x + w) at depth, then its children, depth first. */
static void
layout(const struct trie *tr, enum weight wt, uint32_t node, uint32_t depth,
       int x, int w, uint32_t max_depth)
{
	add_box(node, depth, x, w, totals_weight(&inclusive[node], wt));
	if (depth + 1 >= max_depth || !root_weight)
		return;
	uint32_t n = tr->nodes[node].nchildren, k = 0;
	struct weighted *v = calloc(n + 1, sizeof(*v));
	if (!v)
		err(1, "ior-top");
	for (uint32_t c = tr->nodes[node].first_child; c;
	     c = tr->nodes[c].next_sibling)
		v[k++] = (struct weighted){ totals_weight(&inclusive[c], wt), c };
	qsort(v, k, sizeof(*v), heaviest);
	/* Widths from the cumulative weight, so rounding never adds up. */
	uint64_t before = 0, pw = totals_weight(&inclusive[node], wt);
	for (uint32_t i = 0; i < k && pw; i++) {
		int x0 = x + (int)((double)before / (double)pw * w);
		before += v[i].w;
		int x1 = x + (int)((double)before / (double)pw * w);
		if (x1 - x0 >= 1)
			layout(tr, wt, v[i].node, depth + 1, x0, x1 - x0,
			       max_depth);
	}
	free(v);
}

/*
 * The boxes of the icicle of width cols and at most rows levels.  A key
 * lays it out again several times (moving asks for the boxes, drawing
 * too): the last layout stands while the totals, the zoom, the weight
 * and the size are those it was made of, so a key costs the boxes drawn.
 */
static void
flame_layout(struct top *t, int cols, uint32_t rows)
{
	static struct { uint64_t gen; uint32_t root, rows; int cols;
			enum weight w; bool valid; } laid;
	const struct trie *tr = &t->total.trie;
	if (t->flame_root >= tr->count)
		t->flame_root = 0;
	if (laid.valid && laid.gen == t->total_gen && laid.cols == cols &&
	    laid.rows == rows && laid.root == t->flame_root &&
	    laid.w == t->flame_weight)
		return;
	free(inclusive);
	inclusive = trie_inclusive(tr);
	nboxes = box_depths = 0;
	root_weight = totals_weight(&inclusive[t->flame_root], t->flame_weight);
	layout(tr, t->flame_weight, t->flame_root, 0, 0, cols, rows);
	laid.valid = true;
	laid.gen = t->total_gen;
	laid.cols = cols;
	laid.rows = rows;
	laid.root = t->flame_root;
	laid.w = t->flame_weight;
}

/* The label of a box, escaped, into buf: "all" for the root. */
static void
box_label(const struct top *t, const struct box *b, char *buf, size_t size,
	  unsigned flags)
{
	size_t len;
	if (b->node == 0) {
		strlcpy(buf, "all", size);
		return;
	}
	const char *l = trie_label(&t->total.trie, b->node, &len);
	text_escape(buf, size, l, len, flags);
}

uint32_t
top_flame_lines(struct top *t)
{
	flame_layout(t, t->batch ? 160 : COLS, t->batch ? 64 :
		     (uint32_t)top_page(t));
	return nboxes;
}

/* A box's text cut or padded to its width, a '|' closing it. */
static void
box_text(const struct top *t, const struct box *b, char *out, unsigned flags)
{
	char label[3 * 4096 + 16];
	box_label(t, b, label, sizeof(label), flags);
	int w = b->w - 1;
	if (w <= 0) {
		strlcpy(out, b->w == 1 ? "|" : "", 4);
		return;
	}
	/* Cut on a character, not inside one. */
	int n = 0, cut = 0;
	size_t left = strlen(label);
	for (const char *p = label; left && n < w; n++) {
		size_t c = utf8_sequence_len((const unsigned char *)p, left);
		c = c ? c : 1;
		p += c;
		left -= c;
		cut = (int)(p - label);
	}
	memcpy(out, label, (size_t)cut);
	memset(out + cut, ' ', (size_t)(w - n));
	out[cut + w - n] = '|';
	out[cut + w - n + 1] = '\0';
}

void
top_flame_print(struct top *t, FILE *f)
{
	flame_layout(t, 160, 64);
	char text[3 * 4096 + 256];
	/* The icicle, a line a level. */
	for (uint32_t d = 0; d < box_depths; d++) {
		int x = 0;
		for (uint32_t i = 0; i < nboxes; i++) {
			const struct box *b = &boxes[i];
			if (b->depth != d)
				continue;
			for (; x < b->x; x++)
				fputc(' ', f);
			box_text(t, b, text, 0);
			fputs(text, f);
			x = b->x + b->w;
		}
		fputc('\n', f);
	}
	/* Then each node with its weight and share, as a list. */
	fprintf(f, "\n%12s %7s  STACK (%s)\n", "WEIGHT", "SHARE",
		weight_name(t->flame_weight));
	for (uint32_t i = 0; i < nboxes; i++) {
		const struct box *b = &boxes[i];
		box_label(t, b, text, sizeof(text), 0);
		fprintf(f, "%12" PRIu64 " %6.1f%%  %*s%s\n", b->weight,
			root_weight ? 100.0 * (double)b->weight /
			(double)root_weight : 0.0, 2 * (int)b->depth, "", text);
	}
}

void
top_flame_json(struct top *t, FILE *f)
{
	flame_layout(t, 160, 64);
	fprintf(f, ",\"flame\":{\"weight\":\"%s\",\"nodes\":[",
		weight_name(t->flame_weight));
	for (uint32_t i = 0; i < nboxes; i++) {
		const struct box *b = &boxes[i];
		size_t len = 3;
		const char *l = b->node ? trie_label(&t->total.trie, b->node,
						     &len) : "all";
		fprintf(f, "%s{\"name\":", i ? "," : "");
		put_json_string(f, l, len);
		const struct totals *v = &inclusive[b->node];
		fprintf(f, ",\"depth\":%" PRIu32 ",\"weight\":%" PRIu64
			",\"count\":%" PRIu64 ",\"errors\":%" PRIu64
			",\"latency_ns\":%" PRIu64 ",\"bytes_read\":%" PRIu64
			",\"bytes_written\":%" PRIu64 "}", b->depth, b->weight,
			v->count, v->errors, v->latency_ns, v->bytes_read,
			v->bytes_written);
	}
	fputs("]}", f);
}

void
top_flame_draw(struct top *t)
{
	int cols = COLS;
	top_move(t, 0);
	flame_layout(t, cols, (uint32_t)top_page(t));
	attron(A_REVERSE);
	move(4, 0);
	clrtoeol();
	char line[256];
	snprintf(line, sizeof(line), "FLAME by %s: comm, syscall, path  "
		 "(Enter zooms in, Backspace out, w: weight)",
		 weight_name(t->flame_weight));
	mvaddnstr(4, 0, line, cols);
	attroff(A_REVERSE);
	char text[3 * 4096 + 256];
	for (uint32_t i = 0; i < nboxes; i++) {
		const struct box *b = &boxes[i];
		box_text(t, b, text, t->utf8 ? 0 : TEXT_ASCII);
		bool sel = i == t->sel[VIEW_FLAME];
		attr_t a = sel ? A_REVERSE | A_BOLD : b->depth % 2 ?
			   A_UNDERLINE : A_NORMAL;
		attron(a);
		mvaddnstr(5 + (int)b->depth, b->x, text, cols - b->x);
		attroff(a);
	}
	if (t->sel[VIEW_FLAME] < nboxes) {
		const struct box *b = &boxes[t->sel[VIEW_FLAME]];
		char label[3 * 4096 + 16], w[UNITS_LEN];
		box_label(t, b, label, sizeof(label), t->utf8 ? 0 : TEXT_ASCII);
		const struct totals *v = &inclusive[b->node];
		snprintf(line, sizeof(line), "%.120s: %s calls, %s, %.1f%% of "
			 "the %s", label, units_count(v->count, w),
			 units_ns(v->latency_ns, (char[UNITS_LEN]){ 0 }),
			 root_weight ? 100.0 * (double)b->weight /
			 (double)root_weight : 0.0, weight_name(t->flame_weight));
		mvaddnstr(3, 0, line, cols);
	}
	if (!root_weight)
		mvaddnstr(6, 2, "waiting for syscalls...", cols - 2);
}

void
top_flame_zoom_in(struct top *t)
{
	top_flame_lines(t);
	if (t->sel[VIEW_FLAME] < nboxes) {
		t->flame_root = boxes[t->sel[VIEW_FLAME]].node;
		t->sel[VIEW_FLAME] = 0;
		t->first[VIEW_FLAME] = 0;
	}
}

bool
top_flame_zoom_out(struct top *t)
{
	if (t->flame_root == 0 || t->flame_root >= t->total.trie.count)
		return false;
	t->flame_root = t->total.trie.nodes[t->flame_root].parent;
	t->sel[VIEW_FLAME] = 0;
	return true;
}

/* ---- latency ---- */

/* Every call counted: the sum of the syscalls' histograms. */
static void
all_calls(struct agg *a, struct hist *lat, struct hist *gap)
{
	hist_init(lat);
	hist_init(gap);
	const struct agg_table *st = &a->tables[IOR_AGG_SYSCALL];
	for (uint32_t i = 0; i < st->keys.count; i++) {
		hist_merge(lat, &st->stats[i].latency);
		hist_merge(gap, &st->stats[i].gap);
	}
}

void
top_latency_interval(struct top *t)
{
	struct hist lat, gap;
	all_calls(&t->last, &lat, &gap);
	enum { N = sizeof(t->rate_hist) / sizeof(t->rate_hist[0]) };
	if (t->nhist == N) {
		memmove(t->rate_hist, t->rate_hist + 1, (N - 1) * sizeof(float));
		memmove(t->p99_hist, t->p99_hist + 1, (N - 1) * sizeof(float));
		t->nhist--;
	}
	t->rate_hist[t->nhist] = (float)((double)t->last.pairs /
					 (t->last_seconds > 0 ?
					  t->last_seconds : 1));
	t->p99_hist[t->nhist] = (float)hist_percentile(&lat, 99);
	t->nhist++;
	hist_release(&lat);
	hist_release(&gap);
}

/* Counts by octave: [k] holds values in [2^(k-1), 2^k), [0] zero. */
static void
octaves(const struct hist *h, uint64_t oct[65], int *lo, int *hi)
{
	memset(oct, 0, 65 * sizeof(*oct));
	*lo = 65;
	*hi = -1;
	uint64_t count;
	for (uint32_t i = 0, b; (b = hist_next(h, &i, &count)) != UINT32_MAX;) {
		uint64_t low = hist_bucket_low(b);
		int k = low ? 64 - __builtin_clzll(low) : 0;
		oct[k] += count;
		if (k < *lo)
			*lo = k;
		if (k > *hi)
			*hi = k;
	}
}

struct lat_line { char text[256]; double bar; };

/*
 * The lines of one histogram: a summary, then an octave a line with its
 * count; bar is the share of the fullest octave (for the bars).
 */
static uint32_t
hist_lines(const char *what, const struct hist *h, struct lat_line *out,
	   uint32_t max)
{
	uint32_t n = 0;
	char b[6][UNITS_LEN];
	snprintf(out[n].text, sizeof(out[n].text), "%s  %s calls  p50 %s  "
		 "p99 %s  p99.9 %s  max %s", what, units_count(h->count, b[0]),
		 units_ns(hist_percentile(h, 50), b[1]),
		 units_ns(hist_percentile(h, 99), b[2]),
		 units_ns(hist_percentile(h, 99.9), b[3]),
		 units_ns(h->count ? h->max : 0, b[4]));
	out[n++].bar = -1;
	uint64_t oct[65], top = 0;
	int lo, hi;
	octaves(h, oct, &lo, &hi);
	for (int k = lo; k <= hi; k++)
		if (oct[k] > top)
			top = oct[k];
	for (int k = lo; k <= hi && n < max; k++) {
		uint64_t from = k ? 1ull << (k - 1) : 0;
		uint64_t to = k ? (k < 64 ? 1ull << k : UINT64_MAX) : 1;
		snprintf(out[n].text, sizeof(out[n].text), "%9s - %-9s %12"
			 PRIu64 "  ", units_ns(from, b[0]), units_ns(to, b[1]),
			 oct[k]);
		out[n++].bar = top ? (double)oct[k] / (double)top : 0;
	}
	return n;
}

#define LAT_LINES 140

static uint32_t
latency_lines(struct top *t, struct lat_line *out)
{
	struct hist lat, gap;
	all_calls(&t->total, &lat, &gap);
	uint32_t n = hist_lines("LATENCY since start:", &lat, out, LAT_LINES / 2);
	out[n].text[0] = '\0';
	out[n++].bar = -1;
	n += hist_lines("GAP (between a thread's calls):", &gap, out + n,
			LAT_LINES / 2 - 2);
	hist_release(&lat);
	hist_release(&gap);
	return n;
}

static void
spark_text(const float *v, uint32_t n, char *out)
{
	static const char ascii[] = " .:-=+*#%@";
	float max = 0;
	for (uint32_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (uint32_t i = 0; i < n; i++) {
		float x = max > 0 ? v[i] / max : 0;
		out[i] = ascii[x > 0 ? 1 + (int)(x * 8.999f) : 0];
	}
	out[n] = '\0';
}

void
top_latency_print(struct top *t, FILE *f)
{
	struct lat_line *l = calloc(LAT_LINES, sizeof(*l));
	if (!l)
		err(1, "ior-top");
	uint32_t n = latency_lines(t, l);
	for (uint32_t i = 0; i < n; i++) {
		fputs(l[i].text, f);
		if (l[i].bar >= 0) {
			int w = (int)(l[i].bar * 50 + 0.5);
			for (int k = 0; k < w; k++)
				fputc('#', f);
		}
		fputc('\n', f);
	}
	char s[64], b[2][UNITS_LEN];
	uint32_t h = t->nhist;
	spark_text(t->rate_hist, h, s);
	fprintf(f, "\ncalls/s by interval  [%s]  last %.1f\n", s,
		h ? t->rate_hist[h - 1] : 0.0);
	spark_text(t->p99_hist, h, s);
	fprintf(f, "p99 by interval      [%s]  last %s\n", s,
		units_ns(h ? count_of(t->p99_hist[h - 1]) : 0, b[0]));
	free(l);
}

void
top_latency_json(struct top *t, FILE *f)
{
	fputs(",\"rate_by_interval\":[", f);
	for (uint32_t i = 0; i < t->nhist; i++)
		fprintf(f, "%s%.3f", i ? "," : "", t->rate_hist[i]);
	fputs("],\"p99_ns_by_interval\":[", f);
	for (uint32_t i = 0; i < t->nhist; i++)
		fprintf(f, "%s%.0f", i ? "," : "", t->p99_hist[i]);
	fputc(']', f);
}

void
top_latency_draw(struct top *t)
{
	int cols = COLS, rows = LINES;
	attron(A_REVERSE);
	move(4, 0);
	clrtoeol();
	mvaddnstr(4, 0, "LATENCY and GAP of every call counted (the filter's "
		  "selection), by octave", cols);
	attroff(A_REVERSE);
	int y = 5;
	char b[UNITS_LEN];
	mvprintw(y, 0, "calls/s  ");
	top_spark(t, t->rate_hist, (int)t->nhist);
	printw("  last %.1f", t->nhist ? t->rate_hist[t->nhist - 1] : 0.0);
	mvprintw(++y, 0, "p99      ");
	top_spark(t, t->p99_hist, (int)t->nhist);
	printw("  last %s", units_ns(t->nhist ?
				     count_of(t->p99_hist[t->nhist - 1]) : 0, b));
	y += 2;
	struct lat_line *l = calloc(LAT_LINES, sizeof(*l));
	if (!l)
		err(1, "ior-top");
	uint32_t n = latency_lines(t, l);
	for (uint32_t i = 0; i < n && y < rows; i++, y++) {
		mvaddnstr(y, 0, l[i].text, cols);
		if (l[i].bar >= 0) {
			int x = getcurx(stdscr);
			int w = (int)(l[i].bar * (cols - x - 1) + 0.5);
			attron(A_REVERSE);
			for (int k = 0; k < w; k++)
				addch(' ');
			attroff(A_REVERSE);
		}
	}
	free(l);
}
