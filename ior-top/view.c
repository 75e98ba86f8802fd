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
	[VIEW_STREAM] = "stream",
	[VIEW_FLAME] = "flame",
	[VIEW_LATENCY] = "latency",
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

static const enum ior_agg_kind view_kind[VIEW_TABLES] = {
	[VIEW_SYSCALLS] = IOR_AGG_SYSCALL,
	[VIEW_FILES] = IOR_AGG_FILE,
	[VIEW_PROCESSES] = IOR_AGG_PROCESS,
	[VIEW_DIRS] = IOR_AGG_DIR,
};

/* Histories for rows 1..n, the new ones zero. */
static void
history_grow(struct history *h, uint32_t n)
{
	if (n > h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 256;
		while (cap < n)
			cap *= 2;
		float (*r)[SPARK_LEN] = reallocarray(h->rates, cap, sizeof(*r));
		if (!r)
			err(1, "ior-top");
		h->rates = r;
		h->cap = cap;
	}
	if (n > h->n)
		memset(h->rates + h->n, 0, (n - h->n) * sizeof(*h->rates));
	h->n = n;
}

/* The raw key bytes of a table (a process's includes its pid). */
static const char *
raw_key(const struct agg *a, enum ior_agg_kind kind, const struct agg_stat *s,
	size_t *len)
{
	return strtab_get(&a->tables[kind].keys, s->key, len);
}

/* The exited processes aged out, gathered by forget_gone(). */
struct aged {
	const struct top *t;
	uint32_t *pids;
	size_t n, cap;
};

static void
collect_aged(uint32_t pid, void *value, void *arg)
{
	struct aged *a = arg;
	if (a->t->intervals < (uintptr_t)value + a->t->age_out)
		return;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->pids = reallocarray(a->pids, a->cap, sizeof(*a->pids));
		if (!a->pids)
			err(1, "ior-top");
	}
	a->pids[a->n++] = pid;
}

/*
 * The exits and parents of processes no frame can show any more go, so
 * they follow the processes listed, not every pid ever seen.  An exit
 * stays while its process has a row in the totals (it hides the row once
 * aged out, or marks it "exited" with x); the parent stays while the row
 * can be shown (x then lists an aged-out one as a root of the tree).  A
 * row a new filter brings back from the calls kept for a process forgotten
 * so shows as not exited.  The cost is the processes' rows and exits, as
 * a processes frame's.
 */
static void
forget_gone(struct top *t)
{
	if (!t->exited.count)
		return;
	struct aged a = { .t = t };
	idmap_foreach(&t->exited, collect_aged, &a);
	if (!a.n)
		return;
	struct idmap rowed;
	idmap_init(&rowed);
	const struct agg_table *pt = &t->total.tables[IOR_AGG_PROCESS];
	for (uint32_t i = 0; i < pt->keys.count; i++)
		idmap_put(&rowed, pt->stats[i].pid, (void *)1);
	for (size_t i = 0; i < a.n; i++) {
		bool row = idmap_get(&rowed, a.pids[i]) != NULL;
		if (!row)
			idmap_remove(&t->exited, a.pids[i]);
		if (!row || !t->keep_exited)
			idmap_remove(&t->parents, a.pids[i]);
	}
	idmap_release(&rowed);
	free(a.pids);
}

void
top_keep(struct top *t)
{
	/* The latency view's: every call's latency and gap. */
	const unsigned calls = AGG_KEEP_FIGURES(IOR_AGG_SYSCALL) |
			       AGG_KEEP_GAPS(IOR_AGG_SYSCALL);
	if (!t->batch) {
		/*
		 * Any view may come next.  None shows the gaps of a row
		 * but the latency view's sum of the syscalls'.
		 */
		t->keep_interval = t->keep_total = AGG_KEEP_TABLES | calls |
						   AGG_KEEP_TRIE;
		return;
	}
	/* Batch mode has no keys: its one view is all that is shown. */
	unsigned trie = t->view == VIEW_FLAME ? AGG_KEEP_TRIE : 0;
	if (t->json) {
		/* Every row of both, gaps too; the trie is the flame's. */
		t->keep_interval = t->keep_total =
			(AGG_KEEP_ALL & ~AGG_KEEP_TRIE) | trie;
		return;
	}
	unsigned view = t->view < VIEW_TABLES ?
			AGG_KEEP_FIGURES(view_kind[t->view]) :
			t->view == VIEW_LATENCY ? calls : 0;
	/*
	 * The header sums the interval's syscalls (and the latency view's
	 * history takes their p99); the dirs are settled from the files.
	 * The other tables keep their rows alone: the header counts them.
	 */
	t->keep_interval = AGG_KEEP_FIGURES(IOR_AGG_SYSCALL) | view | trie |
			   (t->view == VIEW_DIRS ?
			    AGG_KEEP_FIGURES(IOR_AGG_FILE) : 0);
	t->keep_total = view | trie;
}

void
top_agg_init(const struct top *t, struct agg *a,
	     const struct agg_fields *fields, bool total)
{
	agg_init(a, fields, TOP_NODES, WEIGHT_COUNT);
	a->keep = total ? t->keep_total : t->keep_interval;
}

void
top_end_interval(struct top *t, double seconds, uint64_t end_ns)
{
	agg_release(&t->last);
	t->last = t->current;
	struct agg_fields fields = t->last.fields;
	top_agg_init(t, &t->current, &fields, false);
	agg_merge(&t->total, &t->last);
	t->total_gen++;
	t->last_seconds = seconds > 0 ? seconds : t->interval_s;
	t->last_end_ns = end_ns;
	t->intervals++;
	top_latency_interval(t);
	/*
	 * Every row known so far moves its history on by one interval.
	 * Only the screen draws it (batch frames have no sparklines).
	 */
	for (int v = 0; v < VIEW_TABLES && !t->batch; v++) {
		enum ior_agg_kind kind = view_kind[v];
		const struct agg_table *tt = &t->total.tables[kind];
		const struct agg_table *lt = &t->last.tables[kind];
		struct history *h = &t->history[v];
		history_grow(h, tt->keys.count);
		for (uint32_t i = 0; i < h->n; i++) {
			memmove(h->rates[i], h->rates[i] + 1,
				(SPARK_LEN - 1) * sizeof(float));
			h->rates[i][SPARK_LEN - 1] = 0;
		}
		/* The interval's rows are all in the totals (merged above). */
		for (uint32_t i = 0; i < lt->keys.count; i++) {
			size_t len;
			const char *key = strtab_get(&lt->keys, i + 1, &len);
			uint32_t id = strtab_find(&tt->keys, key, len);
			if (id)
				h->rates[id - 1][SPARK_LEN - 1] = (float)((double)
					lt->stats[i].count / t->last_seconds);
		}
	}
	forget_gone(t);
}

void
top_reset(struct top *t)
{
	struct agg_fields fields = t->total.fields;
	agg_release(&t->total);
	top_agg_init(t, &t->total, &fields, true);
	agg_merge(&t->total, &t->last);
	t->total_gen++;
	top_forget_history(t);
}

void
top_forget_history(struct top *t)
{
	t->nhist = 0;
	for (int v = 0; v < VIEW_N; v++) {
		free(t->history[v].rates);
		memset(&t->history[v], 0, sizeof(t->history[v]));
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

/* Has this process exited long enough ago to leave the table? */
static bool
aged_out(const struct top *t, uint32_t pid, bool *exited)
{
	uintptr_t at = (uintptr_t)idmap_get(&t->exited, pid);
	*exited = at != 0;
	return at && !t->keep_exited && t->intervals >= at + t->age_out;
}

void
top_rows(struct top *t)
{
	t->nrows = 0;
	if (t->view >= VIEW_TABLES)
		return;
	enum ior_agg_kind kind = view_kind[t->view];
	agg_settle(&t->total);
	agg_settle(&t->last);
	const struct agg_table *tt = &t->total.tables[kind];
	const struct agg_table *lt = &t->last.tables[kind];
	if (tt->keys.count > t->rows_cap) {
		free(t->rows);
		t->rows_cap = tt->keys.count;
		t->rows = calloc(t->rows_cap, sizeof(*t->rows));
		if (!t->rows)
			err(1, "ior-top");
	}
	double secs = t->last_seconds > 0 ? t->last_seconds : 1;
	for (uint32_t i = 0; i < tt->keys.count; i++) {
		const struct agg_stat *s = &tt->stats[i];
		bool exited = false;
		if (kind == IOR_AGG_PROCESS && aged_out(t, s->pid, &exited))
			continue;
		size_t rawlen, len;
		const char *raw = raw_key(&t->total, kind, s, &rawlen);
		const char *key = agg_stat_key(&t->total, kind, s, &len);
		struct row *r = &t->rows[t->nrows++];
		memset(r, 0, sizeof(*r));
		r->key = key;
		r->keylen = len;
		r->raw = raw;
		r->rawlen = rawlen;
		r->pid = s->pid;
		r->exited = exited;
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
		const struct history *h = &t->history[t->view];
		r->spark = s->key <= h->n ? h->rates[s->key - 1] : NULL;
	}
	if (t->nrows)
		qsort_r(t->rows, t->nrows, sizeof(*t->rows), compare_rows, t);
	if (t->view == VIEW_PROCESSES && t->tree)
		top_tree_order(t);
	/* The selection stays on its row when the order changes. */
	if (t->sel_valid && t->sel_view == t->view) {
		for (uint32_t i = 0; i < t->nrows; i++)
			if (t->rows[i].rawlen == t->sel_keylen &&
			    memcmp(t->rows[i].raw, t->sel_key, t->sel_keylen) == 0) {
				t->sel[t->view] = i;
				break;
			}
	}
	top_move(t, 0);
}

/* Remember the selected row's key (after a move or a new order). */
static void
sel_remember(struct top *t)
{
	t->sel_valid = false;
	if (t->view >= VIEW_TABLES || t->sel[t->view] >= t->nrows)
		return;
	const struct row *r = &t->rows[t->sel[t->view]];
	if (r->rawlen > sizeof(t->sel_key))
		return;
	memcpy(t->sel_key, r->raw, r->rawlen);
	t->sel_keylen = r->rawlen;
	t->sel_view = t->view;
	t->sel_valid = true;
}

int
top_page(const struct top *t)
{
	/* Header (3), status, the column header: 5 lines. */
	int n = (t->batch ? 40 : LINES) - 5;
	if (t->view == VIEW_STREAM && t->detail)
		n = 1;
	return n > 1 ? n : 1;
}

void
top_move(struct top *t, long delta)
{
	uint32_t n = t->view < VIEW_TABLES ? t->nrows : top_view_lines(t);
	uint32_t *sel = &t->sel[t->view], *first = &t->first[t->view];
	long s = (long)*sel + delta;
	if (s >= (long)n)
		s = (long)n - 1;
	if (s < 0)
		s = 0;
	*sel = (uint32_t)s;
	uint32_t page = (uint32_t)top_page(t);
	if (*sel < *first)
		*first = *sel;
	else if (*sel >= *first + page)
		*first = *sel - page + 1;
	if (n <= page)
		*first = 0;
	else if (*first > n - page)
		*first = n - page;
	if (t->view == VIEW_STREAM && delta)
		t->stream_follow = n == 0 || *sel + 1 >= n;
	if (delta)
		sel_remember(t);
}

/* ---- drilling down ---- */

/*
 * A filter value for bytes: 'as is' between single quotes when it holds
 * none, else "..." with \" and \\ (docs/filter.md).  NUL cannot be said.
 */
static bool
quote_value(char *buf, size_t size, const char *v, size_t len)
{
	size_t o = 0;
	if (memchr(v, '\0', len))
		return false;
	bool single = !memchr(v, '\'', len);
	char q = single ? '\'' : '"';
	if (o + 1 >= size)
		return false;
	buf[o++] = q;
	for (size_t i = 0; i < len; i++) {
		if (!single && (v[i] == '"' || v[i] == '\\')) {
			if (o + 1 >= size)
				return false;
			buf[o++] = '\\';
		}
		if (o + 1 >= size)
			return false;
		buf[o++] = v[i];
	}
	if (o + 2 > size)
		return false;
	buf[o++] = q;
	buf[o] = '\0';
	return true;
}

static bool
test_of(char *buf, size_t size, const char *field, const char *op,
	const char *v, size_t len)
{
	int n = snprintf(buf, size, "%s%s", field, op);
	return n > 0 && (size_t)n < size &&
	       quote_value(buf + n, size - (size_t)n, v, len);
}

bool
top_drill_expr(struct top *t, char *buf, size_t len)
{
	if (t->view == VIEW_STREAM) {
		const struct ior_pair *p = top_selected_call(t);
		if (!p) {
			snprintf(buf, len, "no call selected");
			return false;
		}
		size_t plen;
		const char *path = name_table_get(&t->input->names,
						  IOR_NAME_PATH, p->path_id,
						  &plen);
		/* A line's open file: its process's fd, while it named the path. */
		if (p->fd < 0) {
			snprintf(buf, len, "that call has no fd");
			return false;
		}
		int n = snprintf(buf, len, "pid=%" PRIu32 " fd=%" PRId32,
				 p->pid, p->fd);
		if (path && (n < 0 || (size_t)n >= len ||
		    !test_of(buf + n, len - (size_t)n, " path", "=", path, plen))) {
			snprintf(buf, len, "the path is too long to filter on");
			return false;
		}
		return true;
	}
	if (t->view >= VIEW_TABLES || t->sel[t->view] >= t->nrows) {
		snprintf(buf, len, "no row selected");
		return false;
	}
	const struct row *r = &t->rows[t->sel[t->view]];
	bool ok;
	switch (t->view) {
	case VIEW_SYSCALLS:
		ok = test_of(buf, len, "syscall", "=", r->key, r->keylen);
		break;
	case VIEW_PROCESSES:
		snprintf(buf, len, "pid=%" PRIu32, r->pid);
		ok = true;
		break;
	case VIEW_FILES:
		if (r->keylen && r->key[0] == '[') {
			snprintf(buf, len, "a file without a name cannot be "
				 "told apart");
			return false;
		}
		ok = test_of(buf, len, "path", "=", r->key, r->keylen);
		break;
	default:
		if (r->keylen && r->key[0] == '[') {
			snprintf(buf, len, "%.*s are not one directory",
				 (int)r->keylen, r->key);
			return false;
		}
		/*
		 * "pipe:" and "socket:" are kinds of path, not directories;
		 * a directory ending in ':' has a '/' in it.
		 */
		if (r->keylen && r->key[r->keylen - 1] == ':' &&
		    memchr(r->key, '/', r->keylen) == NULL) {
			char prefix[64];

			ok = r->keylen + 1 <= sizeof(prefix);
			if (ok) {
				prefix[0] = '^';
				memcpy(prefix + 1, r->key, r->keylen);
				ok = test_of(buf, len, "path", "~", prefix,
					     r->keylen + 1);
			}
		} else {
			ok = test_of(buf, len, "dir", "=", r->key, r->keylen);
		}
	}
	if (!ok)
		snprintf(buf, len, "the name is too long to filter on");
	return ok;
}

/* ---- processes as a tree ---- */

void
top_tree_order(struct top *t)
{
	uint32_t n = t->nrows;

	if (n == 0)             /* no rows: t->rows may be NULL */
		return;
	uint32_t *head = calloc(n + 1, sizeof(*head));
	uint32_t *next = calloc(n + 1, sizeof(*next));
	uint32_t *stack = calloc(n + 1, sizeof(*stack));
	struct row *out = calloc(n + 1, sizeof(*out));
	if (!head || !next || !stack || !out)
		err(1, "ior-top");
	struct idmap row_of;
	idmap_init(&row_of);
	for (uint32_t i = 0; i < n; i++)
		if (!idmap_get(&row_of, t->rows[i].pid))
			idmap_put(&row_of, t->rows[i].pid,
				  (void *)(uintptr_t)(i + 1));
	/*
	 * Children lists, in the sort order: head[p + 1] is row p's first
	 * child, head[0] the roots (rows whose parent is not listed).
	 */
	for (uint32_t k = n; k-- > 0;) {
		uintptr_t pp = (uintptr_t)idmap_get(&t->parents, t->rows[k].pid);
		uintptr_t parent = pp ? (uintptr_t)idmap_get(&row_of,
			(uint32_t)(pp - 1)) : 0;
		if (parent == k + 1)
			parent = 0;
		next[k + 1] = head[parent];
		head[parent] = k + 1;
	}
	/* Depth first from the roots; a cycle cannot come back (visited). */
	uint32_t m = 0, sp = 0;
	bool *seen = calloc(n + 1, sizeof(*seen));
	uint32_t *depth = calloc(n + 1, sizeof(*depth));
	if (!seen || !depth)
		err(1, "ior-top");
	for (uint32_t r = head[0]; r; r = next[r]) {
		stack[sp++] = r;
		while (sp) {
			uint32_t k = stack[--sp];
			if (seen[k])
				continue;
			seen[k] = true;
			out[m] = t->rows[k - 1];
			out[m++].depth = depth[k];
			/* Push the children last first, so the first pops first. */
			uint32_t c, cs[64], nc = 0;
			for (c = head[k]; c; c = next[c]) {
				depth[c] = depth[k] + 1;
				if (nc < 64)
					cs[nc++] = c;
				else if (sp < n)
					stack[sp++] = c;
			}
			while (nc && sp < n)
				stack[sp++] = cs[--nc];
		}
	}
	/* Rows only a cycle reaches: after the others. */
	for (uint32_t k = 1; k <= n; k++)
		if (!seen[k])
			out[m++] = t->rows[k - 1];
	memcpy(t->rows, out, n * sizeof(*out));
	idmap_release(&row_of);
	free(head);
	free(next);
	free(stack);
	free(out);
	free(seen);
	free(depth);
}

/* ---- the header ---- */

struct header {
	char line1[256], line2[512], loss[128];
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
		 units_count(count_of((double)l->pairs / secs + 0.5), b[0]),
		 units_bytes(count_of((double)rd / secs), b[1]),
		 units_bytes(count_of((double)wr / secs), b[2]),
		 (double)errs / secs);
	/* The filter holds stream bytes (drilled paths): escaped. */
	char filter[256];
	text_escape(filter, sizeof(filter), t->filter, strlen(t->filter),
		    t->utf8 || t->batch ? 0 : TEXT_ASCII);
	char sort[64] = "";
	if (t->view < VIEW_TABLES)
		snprintf(sort, sizeof(sort), "  sort: %s%s",
			 column_names[t->sort], t->reverse ? " (reversed)" : "");
	else if (t->view == VIEW_FLAME)
		snprintf(sort, sizeof(sort), "  weight: %s",
			 weight_name(t->flame_weight));
	snprintf(h->line2, sizeof(h->line2),
		 "processes %u  files %u in the interval (%u, %u since start)  "
		 "view: %s%s%s%s%s%s",
		 l->tables[IOR_AGG_PROCESS].keys.count,
		 l->tables[IOR_AGG_FILE].keys.count,
		 t->total.tables[IOR_AGG_PROCESS].keys.count,
		 t->total.tables[IOR_AGG_FILE].keys.count,
		 view_names[t->view], sort,
		 t->filter[0] ? "  filter: " : "", t->filter[0] ? filter : "",
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
	units_bytes(count_of(r->read_bps), b[1]);
	units_bytes(count_of(r->write_bps), b[2]);
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
/* The widths of NUMBER_HEADER, in the order of enum column from COL_RATE. */
static const int col_width[COL_N - 1] = { 9, 7, 7, 7, 6, 7, 7, 7, 10, 7, 7 };

static const char *
name_header(const struct top *t)
{
	return t->view == VIEW_SYSCALLS ? "SYSCALL" : t->view == VIEW_FILES ?
	       "FILE" : t->view == VIEW_PROCESSES ? "PID COMM" : "DIRECTORY";
}

/* The name column's text, escaped, into buf: "PID COMM" for processes. */
static int
name_text(const struct top *t, const struct row *r, char *buf, size_t size,
	  unsigned flags)
{
	int n = 0;
	if (t->view == VIEW_PROCESSES && t->tree)
		n = snprintf(buf, size, "%*s", 2 * (int)r->depth, "");
	if (t->view == VIEW_PROCESSES)
		n += snprintf(buf + n, size - (size_t)n, "%" PRIu32 " ", r->pid);
	size_t need = text_escape(buf + n, size - (size_t)n, r->key, r->keylen,
				  flags);
	n += (int)(need < size - (size_t)n ? need : strlen(buf + n));
	if (r->exited && (size_t)n + 10 < size)
		n += snprintf(buf + n, size - (size_t)n, " (exited)");
	return n;
}

static void
print_table(struct top *t, FILE *f)
{
	fprintf(f, NUMBER_HEADER "  %s\n", "CALLS/s", "READ/s", "WRITE/s",
		"ERR/s", "TIME", "P50", "P99", "MAX", "TOTAL", "TOT.P99", "TOT.MAX",
		name_header(t));
	for (uint32_t i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		char b[11][UNITS_LEN];
		row_numbers(r, b);
		fprintf(f, NUMBER_ROW "  ", b[0], b[1], b[2], b[3], b[4], b[5],
			b[6], b[7], b[8], b[9], b[10]);
		/* Paths and names as they are, quoted only when escaped. */
		char name[4 * 4096 + 64];
		name_text(t, r, name, sizeof(name), 0);
		fputs(name, f);
		fputc('\n', f);
	}
}

void
top_print(struct top *t, FILE *f)
{
	struct header h;
	top_rows(t);
	header_of(t, &h);
	fprintf(f, "%s\n%s\n%s\n\n", h.line1, h.line2, h.loss);
	switch (t->view) {
	case VIEW_STREAM: top_stream_print(t, f); break;
	case VIEW_FLAME: top_flame_print(t, f); break;
	case VIEW_LATENCY: top_latency_print(t, f); break;
	default: print_table(t, f);
	}
	fputc('\n', f);
}

/* ---- JSON ---- */

static void
json_row(FILE *f, struct agg *a, enum ior_agg_kind kind,
	 const struct agg_stat *s, const char *keyname)
{
	size_t len;
	const char *key = agg_stat_key(a, kind, s, &len);
	fputc('{', f);
	if (kind == IOR_AGG_PROCESS)
		fprintf(f, "\"pid\":%" PRIu32 ",", s->pid);
	fprintf(f, "\"%s\":", keyname);
	put_json_string(f, key, len);
	fputc(',', f);
	agg_stat_put_json(f, s);
}

static const char *const table_name[] = {
	[IOR_AGG_SYSCALL] = "syscalls", [IOR_AGG_PROCESS] = "processes",
	[IOR_AGG_FILE] = "files", [IOR_AGG_DIR] = "dirs",
};
static const char *const table_key[] = {
	[IOR_AGG_SYSCALL] = "syscall", [IOR_AGG_PROCESS] = "comm",
	[IOR_AGG_FILE] = "path", [IOR_AGG_DIR] = "dir",
};

/*
 * An aggregate as ior-agg --json names its parts: pairs, loss, the four
 * tables (rows in key order here; ior-top's order is in "rows").
 */
static void
json_agg(FILE *f, struct agg *a)
{
	agg_settle(a);
	fprintf(f, "{\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64
		",\"pairs\":%" PRIu64 ",\"loss\":{\"lost_events\":%" PRIu64
		",\"unmatched_exits\":%" PRIu64 ",\"unmatched_enters\":%"
		PRIu64 ",\"fd_unknown\":%" PRIu64 ",\"truncated\":%s}",
		a->start_ns, a->end_ns, a->pairs, a->lost, a->unmatched_exits,
		a->unmatched_enters, a->fd_unknown,
		a->truncated ? "true" : "false");
	for (int k = IOR_AGG_SYSCALL; k <= IOR_AGG_DIR; k++) {
		const struct agg_table *tt = &a->tables[k];
		fprintf(f, ",\"%s\":[", table_name[k]);
		for (uint32_t i = 0; i < tt->keys.count; i++) {
			if (i)
				fputc(',', f);
			json_row(f, a, (enum ior_agg_kind)k, &tt->stats[i],
				 table_key[k]);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

void
top_print_json(struct top *t, FILE *f)
{
	top_rows(t);
	fprintf(f, "{\"version\":1,\"view\":\"%s\",\"end_ns\":%" PRIu64
		",\"interval_s\":%.9g,\"sort\":\"%s\",\"reverse\":%s,"
		"\"input_ended\":%s,\"filter\":", view_names[t->view],
		t->last_end_ns, t->last_seconds > 0 ? t->last_seconds :
		t->interval_s, column_names[t->sort],
		t->reverse ? "true" : "false",
		t->input_ended ? "true" : "false");
	if (t->filter[0])
		put_json_string(f, t->filter, strlen(t->filter));
	else
		fputs("null", f);
	fprintf(f, ",\"lost_events\":%" PRIu64 ",\"lost_since_start\":%"
		PRIu64, t->last.lost, t->total.lost);
	fputs(",\"interval\":", f);
	json_agg(f, &t->last);
	fputs(",\"total\":", f);
	json_agg(f, &t->total);
	if (t->view < VIEW_TABLES) {
		/*
		 * The view's rows in its order, with the figures the text
		 * frame shows: rates over the interval, totals since start.
		 */
		enum ior_agg_kind kind = view_kind[t->view];
		fputs(",\"rows\":[", f);
		for (uint32_t i = 0; i < t->nrows; i++) {
			const struct row *r = &t->rows[i];
			fprintf(f, "%s{", i ? "," : "");
			if (kind == IOR_AGG_PROCESS)
				fprintf(f, "\"pid\":%" PRIu32 ",", r->pid);
			fprintf(f, "\"%s\":", table_key[kind]);
			put_json_string(f, r->key, r->keylen);
			fprintf(f, ",\"rate\":%.6g,\"read_bps\":%.6g,"
				"\"write_bps\":%.6g,\"error_rate\":%.6g,"
				"\"time_share\":%.6g,\"p50_ns\":%" PRIu64
				",\"p99_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64
				",\"total\":%" PRIu64 ",\"total_p99_ns\":%"
				PRIu64 ",\"total_max_ns\":%" PRIu64 "%s}",
				r->rate, r->read_bps, r->write_bps,
				r->error_rate, r->time_share, r->p50, r->p99,
				r->max, r->total, r->total_p99, r->total_max,
				r->exited ? ",\"exited\":true" : "");
		}
		fputc(']', f);
	}
	switch (t->view) {
	case VIEW_STREAM: top_stream_json(t, f); break;
	case VIEW_FLAME: top_flame_json(t, f); break;
	case VIEW_LATENCY: top_latency_json(t, f); break;
	default: break;
	}
	fputs("}\n", f);
}

/* ---- ncurses ---- */

static void
draw_spark(const struct top *t, const float *h, int n)
{
	static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅",
					      "▆", "▇", "█" };
	static const char ascii[] = " .:-=+*#%@";
	float max = 0;
	for (int i = 0; h && i < n; i++)
		if (h[i] > max)
			max = h[i];
	for (int i = 0; i < n; i++) {
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

void
top_spark(const struct top *t, const float *h, int n)
{
	draw_spark(t, h, n);
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"ior-top keys",
		"",
		"  s f p d     view syscalls, files, processes, directories",
		"  e g l       view the stream of calls, the flame, latency",
		"  Tab         next view",
		"  Up Down j k PgUp PgDn Home End    move the selection",
		"  Enter       narrow every view to the selected row (a filter);",
		"              stream: the call in full; flame: zoom in",
		"  Bksp Esc    step back out (flame: zoom out first)",
		"  < >         sort by the column left / right",
		"  r           reverse the sort",
		"  /           filter pairs: comm~nginx latency>=10ms ...",
		"              (ior-grep's language; Enter applies, empty",
		"              clears, Esc cancels); stream: search the lines",
		"  n           stream: the next line the search finds",
		"  t           stream: every call on the selected call's file",
		"  w           flame: weight by count, time or bytes",
		"  x           processes: keep exited processes listed",
		"  T           processes: as a tree by parent",
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

static void
draw_table(struct top *t)
{
	int rows = LINES, cols = COLS;
	char line[512];
	snprintf(line, sizeof(line), NUMBER_HEADER "  %-*s  %s", "CALLS/s",
		 "READ/s", "WRITE/s", "ERR/s", "TIME", "P50", "P99", "MAX",
		 "TOTAL", "TOT.P99", "TOT.MAX", SPARK_LEN, "RATE",
		 name_header(t));
	attron(A_REVERSE);
	move(4, 0);
	clrtoeol();
	mvaddnstr(4, 0, line, cols);
	attroff(A_REVERSE);
	int fixed = 9 + 7 * 3 + 6 + 7 * 3 + 10 + 7 * 2 + 11 + 2 + SPARK_LEN + 2;
	/* The sorted column's title is marked: bold and underlined. */
	int x = fixed, w = (int)strlen(name_header(t));
	if (t->sort != COL_NAME) {
		x = 0;
		for (int c = 0; c < (int)t->sort - 1; c++)
			x += col_width[c] + 1;
		w = col_width[t->sort - 1];
	}
	if (x < cols)
		mvchgat(4, x, w, A_REVERSE | A_BOLD | A_UNDERLINE, 0, NULL);
	int namew = cols - fixed;
	uint32_t first = t->first[t->view];
	for (uint32_t i = first; i < t->nrows && (int)(i - first) + 5 < rows;
	     i++) {
		const struct row *r = &t->rows[i];
		int y = (int)(i - first) + 5;
		char b[11][UNITS_LEN];
		row_numbers(r, b);
		snprintf(line, sizeof(line), NUMBER_ROW "  ", b[0], b[1], b[2],
			 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10]);
		bool sel = i == t->sel[t->view];
		if (sel)
			attron(A_REVERSE | A_BOLD);
		mvaddnstr(y, 0, line, cols);
		if (cols > fixed - 2)
			draw_spark(t, r->spark, SPARK_LEN);
		if (namew > 2) {
			addstr("  ");
			/* Long names keep their end (the file name), cut on the left. */
			char name[4 * 4096 + 64];
			/* As batch mode writes it; all ASCII if the terminal is not UTF-8. */
			int n = name_text(t, r, name, sizeof(name),
					  t->utf8 ? 0 : TEXT_ASCII);
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
		if (sel) {
			/* The selection is the whole line. */
			int cy, cx;
			getyx(stdscr, cy, cx);
			(void)cy;
			for (; cx < cols; cx++)
				addch(' ');
			attroff(A_REVERSE | A_BOLD);
		}
	}
	if (t->nrows == 0)
		mvaddnstr(6, 2, t->filter[0] ? "no rows match the filter" :
			  "waiting for syscalls...", cols - 2);
	else if (t->nrows > (uint32_t)top_page(t)) {
		/* Where the page is, when the rows do not fit. */
		char where[64];
		snprintf(where, sizeof(where), "rows %" PRIu32 "-%" PRIu32
			 " of %" PRIu32, first + 1, first +
			 (uint32_t)top_page(t), t->nrows);
		if ((int)strlen(where) < cols)
			mvaddstr(3, cols - (int)strlen(where), where);
	}
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
	int cols = COLS;
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
	switch (t->view) {
	case VIEW_STREAM: top_stream_draw(t); break;
	case VIEW_FLAME: top_flame_draw(t); break;
	case VIEW_LATENCY: top_latency_draw(t); break;
	default: draw_table(t);
	}
	refresh();
}
