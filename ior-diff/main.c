/* SPDX-License-Identifier: MIT */
/*
 * ior-diff - what changed between two runs.
 *
 * Reads BEFORE and AFTER, each a paired stream (ior-pair) or aggregate
 * snapshots (ior-agg -o), aggregates each with lib/agg.h, and compares
 * them row by row: per syscall, process (by comm, so runs with other pids
 * compare), file and directory, or with -f per stack of the chosen
 * fields.  Each row gives count, bytes, errors, total time, p50 and p99
 * before and after, the change and the ratio; rows that appear or vanish
 * say so.  Rows are sorted by the largest change in time.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "aggthread.h"
#include "escape.h"
#include "output.h"
#include "stream.h"
#include "units.h"
#include "version.h"

/* One side of a row. */
struct side {
	bool present;
	uint64_t count, errors, bytes_read, bytes_written, time_ns;
	struct hist latency;
	bool has_hist;          /* trie rows have no histograms */
};

struct row {
	uint32_t key;           /* id in the table's keys */
	struct side s[2];       /* before, after */
};

/* Rows of one table: a key -> row map for the two runs. */
struct rows {
	const char *name;       /* "syscalls", ... for JSON */
	const char *title;      /* "SYSCALL", ... for text */
	bool stacks;            /* keys are NUL-separated frames */
	struct strtab keys;
	struct row *v;
	uint32_t n, cap;
};

static struct {
	const char *fields_spec;
	unsigned top;
	bool json;
} opt = { .top = 20 };

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-diff [-f FIELDS] [-n ROWS] [--json] BEFORE AFTER\n"
"Compare two runs: each a paired stream (ior-pair) or aggregate snapshots\n"
"(ior-agg -o).  Per syscall, process (comm), file and directory, or per\n"
"stack of -f FIELDS: count, bytes, errors, total time, p50 and p99 before\n"
"and after, the change and the ratio, sorted by the largest change in\n"
"time.  Rows only in AFTER are \"new\", only in BEFORE \"gone\".\n"
"\n"
"  -f, --fields FIELDS\n"
"              compare by these fields, ';'-separated, as ior-agg -f:\n%s"
"              (no percentiles: stacks keep totals, not histograms)\n"
"  -n, --rows ROWS\n"
"              rows per table in the text (default 20, 0 all)\n"
"  --json      one JSON document (docs/analysis.md)\n"
"  -h          this help\n"
"\n"
"EXAMPLES\n"
"  ior-pair < old.ior > old.pairs; ior-pair < new.ior > new.pairs\n"
"  ior-diff old.pairs new.pairs\n"
"  ior-diff -f 'comm;syscall' --json old.pairs new.pairs | jq '.stacks[0]'\n",
		agg_fields_help);
	exit(status);
}

/* ---- escaping: the only places stream bytes are written ---- */

static void
put_key(FILE *f, const char *bytes, size_t len)
{
	put_word_or_json(f, bytes, len, opt.json);
}

/* A stack's frames are NUL-separated: a JSON array, or "a";"b" text. */
static void
put_stack(FILE *f, const char *bytes, size_t len)
{
	const char *end = bytes + len;

	fputs(opt.json ? "[" : "", f);
	for (const char *p = bytes;; ) {
		const char *q = memchr(p, '\0', (size_t)(end - p));

		put_key(f, p, (size_t)((q ? q : end) - p));
		if (q == NULL)
			break;
		fputs(opt.json ? "," : ";", f);
		p = q + 1;
	}
	fputs(opt.json ? "]" : "", f);
}

/* ---- reading ---- */

static bool
read_run(struct agg *a, const char *path)
{
	struct stream_reader r;
	struct agg_input in;
	const struct ior_record *rec;
	bool ok = true;

	stream_reader_open(&r, path);
	agg_input_init(&in, a, &r);
	/* A second thread adds the rows, as ior-agg's does (aggthread.h). */
	char *const paths[] = { (char *)path };
	if (agg_threads_pay(1, paths) && !agg_files_start(&in))
		warnx("no second thread; going on with one");
	while ((rec = stream_next(&r)) != NULL)
		if (!agg_input_record(&in, rec))
			ok = false;
	agg_files_stop(&in);
	agg_input_finish(&in);
	agg_input_release(&in);
	ok = ok && r.status != STREAM_ERROR;
	stream_reader_close(&r);
	return ok;
}

static struct row *
row_get(struct rows *t, const void *key, size_t len)
{
	uint32_t id = strtab_intern(&t->keys, key, len);

	if (id > t->n) {
		if (id > t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 64;

			t->v = reallocarray(t->v, cap, sizeof(*t->v));
			if (t->v == NULL)
				err(1, "rows");
			t->cap = cap;
		}
		memset(&t->v[id - 1], 0, sizeof(*t->v));
		t->v[id - 1].key = id;
		hist_init(&t->v[id - 1].s[0].latency);
		hist_init(&t->v[id - 1].s[1].latency);
		t->n = id;
	}
	return &t->v[id - 1];
}

/* A table's stats into side i; processes add up by comm. */
static void
rows_from_table(struct rows *t, struct agg *a, enum ior_agg_kind kind,
		int i)
{
	uint32_t n;
	struct agg_stat **v = agg_stats(a, kind, &n);

	for (uint32_t k = 0; k < n; k++) {
		size_t len;
		const char *key = agg_stat_key(a, kind, v[k], &len);
		struct side *s = &row_get(t, key, len)->s[i];

		s->present = true;
		s->has_hist = true;
		s->count += v[k]->count;
		s->errors += v[k]->errors;
		s->bytes_read += v[k]->bytes_read;
		s->bytes_written += v[k]->bytes_written;
		s->time_ns += v[k]->latency.sum;
		hist_merge(&s->latency, &v[k]->latency);
	}
	free(v);
}

/* Every trie node with calls of its own, keyed by its stack. */
static void
rows_from_trie(struct rows *t, const struct trie *tr, int i)
{
	char *stack = NULL;
	size_t cap = 0;

	for (uint32_t node = 1; node < tr->count; node++) {
		const struct totals *v = &tr->nodes[node].self;
		size_t need = 0, at;
		struct side *s;

		if (v->count == 0)
			continue;
		/* The stack is its labels, root first, joined by ';' (escaped
		   as in folded stacks: a label may hold ';'). */
		for (uint32_t x = node; x != 0; x = tr->nodes[x].parent) {
			size_t len;

			trie_label(tr, x, &len);
			need += len + 1;
		}
		if (need > cap) {
			cap = need * 2;
			if ((stack = realloc(stack, cap)) == NULL)
				err(1, "stack");
		}
		at = need;
		for (uint32_t x = node; x != 0; x = tr->nodes[x].parent) {
			size_t len;
			const char *l = trie_label(tr, x, &len);

			at -= len + 1;
			stack[at] = '\0';       /* frame separator: never in a label */
			memcpy(stack + at + 1, l, len);
		}
		s = &row_get(t, stack + 1, need - 1)->s[i];
		s->present = true;
		s->count += v->count;
		s->errors += v->errors;
		s->bytes_read += v->bytes_read;
		s->bytes_written += v->bytes_written;
		s->time_ns += v->latency_ns;
	}
	free(stack);
}

/* ---- comparing ---- */

static int64_t
delta(uint64_t b, uint64_t a)
{
	return (int64_t)(a - b);
}

static int
by_change(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	uint64_t da = (uint64_t)llabs(delta(a->s[0].time_ns, a->s[1].time_ns));
	uint64_t db = (uint64_t)llabs(delta(b->s[0].time_ns, b->s[1].time_ns));

	if (da != db)
		return da > db ? -1 : 1;
	/* then by the larger count change, then by key for a stable order */
	da = (uint64_t)llabs(delta(a->s[0].count, a->s[1].count));
	db = (uint64_t)llabs(delta(b->s[0].count, b->s[1].count));
	if (da != db)
		return da > db ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static const char *
state_of(const struct row *r)
{
	if (!r->s[0].present)
		return "new";
	if (!r->s[1].present)
		return "gone";
	if (r->s[0].count == r->s[1].count &&
	    r->s[0].time_ns == r->s[1].time_ns &&
	    r->s[0].bytes_read + r->s[0].bytes_written ==
	    r->s[1].bytes_read + r->s[1].bytes_written &&
	    r->s[0].errors == r->s[1].errors)
		return "same";
	return "changed";
}

static uint64_t
p_of(const struct side *s, double p)
{
	return s->latency.count ? hist_percentile(&s->latency, p) : 0;
}

/* after / before, or NaN when before is 0. */
static double
ratio(uint64_t b, uint64_t a)
{
	return b ? (double)a / (double)b : NAN;
}

/* ---- text ---- */

static const char *
signed_units(int64_t d, bool ns, char buf[UNITS_LEN])
{
	char tmp[UNITS_LEN];
	uint64_t m = (uint64_t)(d < 0 ? -d : d);

	snprintf(buf, UNITS_LEN, "%c%s", d < 0 ? '-' : '+',
		 ns ? units_ns(m, tmp) : units_bytes(m, tmp));
	return buf;
}

static void
text_rows(FILE *f, struct rows *t)
{
	uint32_t rows = opt.top && opt.top < t->n ? opt.top : t->n;

	if (t->n == 0)
		return;
	fprintf(f, "\n%-8s %7s %7s %8s %6s %9s %9s %7s %7s %5s %5s %7s %7s "
		"%7s %7s  %s\n", "STATE", "TIME", "->", "CHANGE", "RATIO",
		"COUNT", "->", "BYTES", "->", "ERRS", "->", "P50", "->", "P99",
		"->", t->title);
	for (uint32_t i = 0; i < rows; i++) {
		const struct row *r = &t->v[i];
		const struct side *b = &r->s[0], *a = &r->s[1];
		char u[10][UNITS_LEN], rb[16];
		double q = ratio(b->time_ns, a->time_ns);
		size_t len;
		const char *key = strtab_get(&t->keys, r->key, &len);

		if (isnan(q))
			snprintf(rb, sizeof(rb), "-");
		else
			snprintf(rb, sizeof(rb), "x%.2f", q);
		fprintf(f, "%-8s %7s %7s %8s %6s %9" PRIu64 " %9" PRIu64
			" %7s %7s %5" PRIu64 " %5" PRIu64 " %7s %7s %7s %7s  ",
			state_of(r), units_ns(b->time_ns, u[0]),
			units_ns(a->time_ns, u[1]),
			signed_units(delta(b->time_ns, a->time_ns), true, u[2]),
			rb, b->count, a->count,
			units_bytes(b->bytes_read + b->bytes_written, u[3]),
			units_bytes(a->bytes_read + a->bytes_written, u[4]),
			b->errors, a->errors,
			b->has_hist ? units_ns(p_of(b, 50), u[5]) : "-",
			a->has_hist ? units_ns(p_of(a, 50), u[6]) : "-",
			b->has_hist ? units_ns(p_of(b, 99), u[7]) : "-",
			a->has_hist ? units_ns(p_of(a, 99), u[8]) : "-");
		(t->stacks ? put_stack : put_key)(f, key, len);
		fputc('\n', f);
	}
	if (rows < t->n)
		fprintf(f, "(%u more rows; -n 0 shows all)\n", t->n - rows);
}

static void
text_run(FILE *f, const char *what, const char *path, const struct agg *a)
{
	char u[2][UNITS_LEN];

	fprintf(f, "%-6s ", what);
	put_text_str(f, path, TEXT_WORD);
	fprintf(f, ": %s calls over %s", units_count(a->pairs, u[0]),
		units_ns(a->end_ns > a->start_ns ? a->end_ns - a->start_ns : 0,
			 u[1]));
	if (a->lost || a->unmatched_enters || a->truncated)
		fprintf(f, " (lost %" PRIu64 ", unmatched enters %" PRIu64 "%s)",
			a->lost, a->unmatched_enters,
			a->truncated ? ", truncated" : "");
	fputc('\n', f);
}

/* ---- JSON ---- */

static void
json_num(FILE *f, const char *name, double v)
{
	if (isnan(v))
		fprintf(f, "\"%s\":null", name);
	else
		fprintf(f, "\"%s\":%.6g", name, v);
}

static void
json_side(FILE *f, const char *name, const struct side *s)
{
	if (!s->present) {
		fprintf(f, "\"%s\":null", name);
		return;
	}
	fprintf(f, "\"%s\":{\"count\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64
		",\"bytes\":%" PRIu64 ",\"time_ns\":%" PRIu64, name, s->count,
		s->errors, s->bytes_read, s->bytes_written,
		s->bytes_read + s->bytes_written, s->time_ns);
	if (s->has_hist)
		fprintf(f, ",\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64,
			p_of(s, 50), p_of(s, 99));
	fputc('}', f);
}

static void
json_rows(FILE *f, struct rows *t)
{
	fprintf(f, ",\"%s\":[", t->name);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct row *r = &t->v[i];
		const struct side *b = &r->s[0], *a = &r->s[1];
		size_t len;
		const char *key = strtab_get(&t->keys, r->key, &len);

		fputs(i ? ",{\"key\":" : "{\"key\":", f);
		(t->stacks ? put_stack : put_key)(f, key, len);
		fprintf(f, ",\"state\":\"%s\",", state_of(r));
		json_side(f, "before", b);
		fputc(',', f);
		json_side(f, "after", a);
		fprintf(f, ",\"change\":{\"count\":%" PRId64 ",\"errors\":%"
			PRId64 ",\"bytes\":%" PRId64 ",\"time_ns\":%" PRId64 "}",
			delta(b->count, a->count), delta(b->errors, a->errors),
			delta(b->bytes_read + b->bytes_written,
			      a->bytes_read + a->bytes_written),
			delta(b->time_ns, a->time_ns));
		fputs(",\"ratio\":{", f);
		json_num(f, "count", ratio(b->count, a->count));
		fputc(',', f);
		json_num(f, "bytes", ratio(b->bytes_read + b->bytes_written,
					   a->bytes_read + a->bytes_written));
		fputc(',', f);
		json_num(f, "time", ratio(b->time_ns, a->time_ns));
		fputs("}}", f);
	}
	fputc(']', f);
}

static void
json_run(FILE *f, const char *what, const char *path, const struct agg *a)
{
	fprintf(f, "\"%s\":{\"input\":", what);
	put_key(f, path, strlen(path));
	fprintf(f, ",\"pairs\":%" PRIu64 ",\"lost\":%" PRIu64
		",\"unmatched_enters\":%" PRIu64 ",\"truncated\":%s}",
		a->pairs, a->lost, a->unmatched_enters,
		a->truncated ? "true" : "false");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "text", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "fields", required_argument, NULL, 'f' },
		{ "rows", required_argument, NULL, 'n' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	static struct rows tables[] = {
		{ "syscalls", "SYSCALL" }, { "processes", "COMM" },
		{ "files", "FILE" }, { "dirs", "DIR" }, { "stacks", "STACK", true },
	};
	static const enum ior_agg_kind kinds[] = {
		IOR_AGG_SYSCALL, IOR_AGG_PROCESS, IOR_AGG_FILE, IOR_AGG_DIR,
	};
	struct agg_fields fields;
	struct agg run[2];
	char why[128];
	int ch;
	bool ok = true;

	output_init();
	while ((ch = getopt_long(argc, argv, "f:n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': opt.fields_spec = optarg; break;
		case 'n': opt.top = (unsigned)units_parse(optarg, "rows", 0); break;
		case 'J': opt.json = true; break;
		case 'T': opt.json = false; break;
		case VERSION_OPT: version_exit("ior-diff");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (argc - optind != 2)
		usage(stderr, 2);
	/*
	 * Without -f the tables are compared and the trie is not read: key
	 * it by syscall alone, a few nodes, rather than by every path.
	 */
	if (!agg_fields_parse(opt.fields_spec ? opt.fields_spec : "syscall",
			      &fields, why, sizeof(why))) {
		fprintf(stderr, "ior-diff: %s\n", why);
		return 2;
	}
	for (unsigned k = 0; k < 5; k++)
		strtab_init(&tables[k].keys);
	for (int i = 0; i < 2; i++) {
		/* No node bound: every stack compares, memory follows them. */
		agg_init(&run[i], &fields, 0, WEIGHT_LATENCY);
		run[i].fields_fixed = opt.fields_spec != NULL;
		run[i].trie_only = false;
		/* What was read before damage is still compared. */
		ok = read_run(&run[i], argv[optind + i]) && ok;
		for (unsigned k = 0; k < 4; k++)
			if (!opt.fields_spec)
				rows_from_table(&tables[k], &run[i], kinds[k], i);
		if (opt.fields_spec)
			rows_from_trie(&tables[4], &run[i].trie, i);
	}
	for (unsigned k = 0; k < 5; k++)
		if (tables[k].n)
			qsort(tables[k].v, tables[k].n, sizeof(*tables[k].v),
			      by_change);

	if (opt.json) {
		fputs("{\"version\":1,", stdout);
		json_run(stdout, "before", argv[optind], &run[0]);
		fputc(',', stdout);
		json_run(stdout, "after", argv[optind + 1], &run[1]);
		if (opt.fields_spec) {
			fputs(",\"fields\":", stdout);
			fprintf(stdout, "\"%s\"", fields.spec);
			json_rows(stdout, &tables[4]);
		} else {
			for (unsigned k = 0; k < 4; k++)
				json_rows(stdout, &tables[k]);
		}
		fputs("}\n", stdout);
	} else {
		text_run(stdout, "before", argv[optind], &run[0]);
		text_run(stdout, "after", argv[optind + 1], &run[1]);
		for (unsigned k = opt.fields_spec ? 4 : 0;
		     k < (opt.fields_spec ? 5u : 4u); k++)
			text_rows(stdout, &tables[k]);
	}
	for (unsigned k = 0; k < 5; k++) {
		for (uint32_t i = 0; i < tables[k].n; i++) {
			hist_release(&tables[k].v[i].s[0].latency);
			hist_release(&tables[k].v[i].s[1].latency);
		}
		free(tables[k].v);
		strtab_release(&tables[k].keys);
	}
	agg_release(&run[0]);
	agg_release(&run[1]);
	return output_close(stdout, "<stdout>", ok ? 0 : 1);
}
