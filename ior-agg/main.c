/* SPDX-License-Identifier: MIT */
/*
 * ior-agg - statistics and stack tries of paired syscall streams.
 *
 * Reads pairs (from ior-pair) and aggregate snapshots (from ior-agg) and
 * merges them all: per syscall, process, file and directory counts, errors,
 * bytes and latency and gap histograms, and a trie of stacks keyed by the
 * -f fields.  Writes a text report, one JSON document, folded stacks, or
 * aggregate snapshots on an ior stream (for ior-flame, ior-top, or a later
 * ior-agg), once at the end or every -i interval.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "aggthread.h"
#include "escape.h"
#include "filterstage.h"
#include "fleet.h"
#include "output.h"
#include "stream.h"
#include "units.h"
#include "version.h"

enum output { OUT_AUTO, OUT_TEXT, OUT_JSON, OUT_FOLDED, OUT_STREAM };

struct options {
	enum output output;
	const char *stream_path;        /* -o */
	double interval_s;              /* -i */
	unsigned top;                   /* -n rows per table, 0 all */
	bool top_given;
	bool by_host;                   /* --by host */
	unsigned threads;               /* --threads; 0: chosen */
	double min_share;               /* -m percent of the root */
	int argc;
	char **argv;
};

struct agg_run {
	struct options opt;
	struct fleet fleet;     /* the figures, by host */
	struct agg *a;          /* what a report shows: all hosts, or one */
	struct agg_input in;
	struct stream_reader *r;
	struct filter_stage *filter;    /* -F, or NULL */
	/* Output. */
	enum output output;             /* decided at the first write */
	FILE *out;
	struct stream_writer w;
	bool writer_open;
	uint32_t sequence;
	unsigned sections;      /* read from all inputs */
	uint64_t total_pairs, total_lost;
	uint32_t stop_reason;
	int32_t stop_status;
	/* Intervals: stream-clock boundary, and the wall clock for idle input. */
	uint64_t interval_ns;
	uint64_t boundary;              /* monotonic ns of the stream, 0 unset */
	int64_t clock_to_real;
	struct timespec last_emit;
};

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-agg [options] [FILE...]\n"
"Statistics and stack tries of a paired ior stream (from ior-pair) or of\n"
"aggregate snapshots (from ior-agg), read from the FILEs or stdin.\n"
"\n"
"  -f FIELDS   stack fields, ';'-separated (default %s):\n%s"
"  -w WEIGHT   what the trie weighs and prunes by: count, latency, gap,\n"
"              bytes, read, write, errors (default latency)\n"
"  -N NODES    bound on trie nodes; the lightest fold into [other] with\n"
"              exact totals (default %d, 0 unbounded)\n"
"  -m PERCENT  fold stacks lighter than this share of the total (default 0)\n"
"  -n ROWS     rows per table of the text report (default 10, 0 all)\n"
"  -F EXPR     only the pairs EXPR matches, as ior-grep EXPR would keep\n"
"              (--filter; docs/filter.md)\n"
"  --by host   the text and JSON reports also per host, each host's own\n"
"              figures after those of all (docs/fleet.md)\n"
"  --text      the text report (the default when stdout is a terminal)\n"
"  --json      one JSON document (docs/ior-agg.md)\n"
"  --folded    folded stacks: flamegraph.pl, inferno, speedscope\n"
"  -o FILE     aggregate snapshots as an ior stream to FILE ('-': stdout);\n"
"              without --text, --json or --folded a stdout that is not a\n"
"              terminal (pipe, file) gets this stream\n"
"  -i SECONDS  a snapshot (or report) every interval of stream time, and\n"
"              on idle input every interval of wall time\n"
"  --threads N 1: one thread; 2: a second adds the rows' statistics.\n"
"              Default 2 when 2 CPUs are allowed and every input is a\n"
"              regular file (a pipe's writer wants the other CPU)\n"
"  -h          this help\n"
"\n"
"Latency percentiles come from log-linear histograms: within 0.8%% of the\n"
"exact nearest-rank value; min, max, mean and totals are exact.\n"
"\n"
"EXAMPLES\n"
"  ior-pair run.ior | ior-agg\n"
"  ior-pair run.ior | ior-agg -f 'comm;path' -w bytes -n 20 --text\n"
"  ior-pair run.ior | ior-agg --json | jq '.syscalls[0]'\n"
"  ior-pair run.ior | ior-agg -o host1.agg; ior-agg host1.agg host2.agg\n"
"  ior-agg --by host host1.agg host2.agg\n",
		AGG_FIELDS_DEFAULT, agg_fields_help, AGG_MAX_NODES_DEFAULT);
	exit(status);
}

/* ---- text ---- */

static void
text_errnos(FILE *f, const struct agg_stat *s)
{
	for (uint32_t i = 0; i < s->nerrno; i++) {
		const char *name = strerrorname_np(s->errnos[i].err);
		if (name)
			fprintf(f, " %s:%" PRIu64, name, s->errnos[i].count);
		else
			fprintf(f, " E%u:%" PRIu64, s->errnos[i].err,
				s->errnos[i].count);
	}
}

/*
 * The table of hosts is the fleet's (lib/fleet.h), beside the aggregate's
 * four kinds: KIND_HOST is no enum ior_agg_kind.
 */
#define KIND_HOST 0

static struct agg_stat **
table_rows(struct agg_run *ar, enum ior_agg_kind kind, uint32_t *n)
{
	if (kind == KIND_HOST)
		return fleet_host_stats(&ar->fleet, n);
	return agg_stats(ar->a, kind, n);
}

static const char *
row_key(struct agg_run *ar, enum ior_agg_kind kind, const struct agg_stat *s,
	size_t *len)
{
	if (kind == KIND_HOST)
		return fleet_host_name(ar->fleet.hosts[s->key - 1], len);
	return agg_stat_key(ar->a, kind, s, len);
}

static void
text_table(struct agg_run *ar, enum ior_agg_kind kind, const char *title)
{
	FILE *f = ar->out;
	uint32_t n;
	struct agg_stat **v = table_rows(ar, kind, &n);
	if (n == 0) {
		free(v);
		return;
	}
	/* Syscalls and processes lead with their name; paths, long, come last. */
	bool named_first = kind == IOR_AGG_SYSCALL ||
			   kind == IOR_AGG_PROCESS || kind == KIND_HOST;
	int key_width = kind == IOR_AGG_SYSCALL ? 16 : 24;
	uint32_t rows = ar->opt.top && ar->opt.top < n ? ar->opt.top : n;
	fputc('\n', f);
	if (named_first)
		fprintf(f, "%-*s ", key_width, title);
	fprintf(f, "%10s %6s %7s %7s %7s %7s %7s %7s %7s %7s %7s  %s%s\n",
		"COUNT", "ERRS", "READ", "WRITTEN", "TOTAL", "MEAN", "P50",
		"P90", "P99", "P99.9", "MAX", named_first ? "ERRNO" : title,
		named_first ? "" : "  ERRNO");
	for (uint32_t i = 0; i < rows; i++) {
		const struct agg_stat *s = v[i];
		const struct hist *h = &s->latency;
		char b[11][UNITS_LEN];
		size_t len;
		const char *key = row_key(ar, kind, s, &len);
		/* The name's column and the space after it. */
		if (kind == IOR_AGG_SYSCALL) {
			put_text_column(f, key, len, 0, 17);
		} else if (kind == KIND_HOST) {
			put_text_column(f, key, len, 0, 25);
		} else if (kind == IOR_AGG_PROCESS) {
			int n = fprintf(f, "%" PRIu32 " ", s->pid);
			put_text_column(f, key, len, 0, n < 25 ? 25 - n : 0);
		}
		fprintf(f, "%10s %6" PRIu64 " %7s %7s %7s %7s %7s %7s %7s %7s %7s ",
			units_count(s->count, b[0]), s->errors,
			units_bytes(s->bytes_read, b[1]),
			units_bytes(s->bytes_written, b[2]),
			units_ns(h->sum, b[3]),
			units_ns((uint64_t)hist_mean(h), b[4]),
			units_ns(hist_percentile(h, 50), b[5]),
			units_ns(hist_percentile(h, 90), b[6]),
			units_ns(hist_percentile(h, 99), b[7]),
			units_ns(hist_percentile(h, 99.9), b[8]),
			units_ns(h->count ? h->max : 0, b[9]));
		if (!named_first) {
			fputc(' ', f);
			put_text(f, key, len, TEXT_QUOTE);
		}
		text_errnos(f, s);
		fputc('\n', f);
	}
	if (rows < n)
		fprintf(f, "(%u more; -n 0 shows all)\n", n - rows);
	free(v);
}

static void
text_gaps(struct agg_run *ar)
{
	FILE *f = ar->out;
	uint32_t n;
	struct agg_stat **v = agg_stats(ar->a, IOR_AGG_SYSCALL, &n);
	uint32_t rows = ar->opt.top && ar->opt.top < n ? ar->opt.top : n;
	if (n)
		fprintf(f, "\n%-16s %10s %7s %7s %7s %7s %7s %7s   (time since the "
			"thread's previous syscall)\n", "GAP BEFORE", "COUNT",
			"MIN", "MEAN", "P50", "P90", "P99", "MAX");
	for (uint32_t i = 0; i < rows; i++) {
		const struct hist *h = &v[i]->gap;
		char b[7][UNITS_LEN];
		size_t len;
		const char *key = agg_stat_key(ar->a, IOR_AGG_SYSCALL, v[i],
					       &len);
		put_text_column(f, key, len, 0, 17);
		fprintf(f, "%10s %7s %7s %7s %7s %7s %7s\n",
			units_count(h->count, b[0]),
			units_ns(h->count ? h->min : 0, b[1]),
			units_ns((uint64_t)hist_mean(h), b[2]),
			units_ns(hist_percentile(h, 50), b[3]),
			units_ns(hist_percentile(h, 90), b[4]),
			units_ns(hist_percentile(h, 99), b[5]),
			units_ns(h->count ? h->max : 0, b[6]));
	}
	free(v);
}

static void
put_stack(FILE *f, const struct trie *t, uint32_t node)
{
	if (node == 0)
		return;
	put_stack(f, t, t->nodes[node].parent);
	size_t len;
	const char *label = trie_label(t, node, &len);
	if (t->nodes[node].parent)
		fputc(';', f);
	put_folded_frame(f, label, len);
}

struct weighted {
	uint64_t weight;
	uint32_t node;
};

static int
heaviest(const void *x, const void *y)
{
	const struct weighted *a = x, *b = y;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->node < b->node ? -1 : 1;
}

static void
text_stacks(struct agg_run *ar)
{
	FILE *f = ar->out;
	const struct trie *t = &ar->a->trie;
	struct totals *inc = trie_inclusive(t);
	uint64_t total = totals_weight(&inc[0], t->weight);
	struct weighted *v = calloc(t->count, sizeof(*v));
	if (!v)
		err(1, "ior-agg");
	uint32_t n = 0;
	for (uint32_t i = 1; i < t->count; i++) {
		uint64_t w = totals_weight(&t->nodes[i].self, t->weight);
		if (w)
			v[n++] = (struct weighted){ w, i };
	}
	qsort(v, n, sizeof(*v), heaviest);
	uint32_t rows = ar->opt.top && ar->opt.top < n ? ar->opt.top : n;
	if (rows)
		fprintf(f, "\nHEAVIEST STACKS by %s (%s)\n",
			weight_name(t->weight), ar->a->fields.spec);
	for (uint32_t i = 0; i < rows; i++) {
		char b[UNITS_LEN];
		uint64_t w = v[i].weight;
		const char *shown = t->weight == WEIGHT_LATENCY ||
				    t->weight == WEIGHT_GAP ? units_ns(w, b) :
				    t->weight == WEIGHT_COUNT ||
				    t->weight == WEIGHT_ERRORS ?
				    units_count(w, b) : units_bytes(w, b);
		fprintf(f, "%6.2f%% %9s  ", total ? 100.0 * (double)w /
			(double)total : 0.0, shown);
		put_stack(f, t, v[i].node);
		fputc('\n', f);
	}
	free(v);
	free(inc);
}

static void
text_loss(struct agg_run *ar)
{
	const struct agg *a = ar->a;
	FILE *f = ar->out;
	char b[4][UNITS_LEN];
	if (a->lost)
		fprintf(f, "LOST: %s events were lost by the kernel; the "
			"figures below miss them\n", units_count(a->lost, b[0]));
	else
		fprintf(f, "lost: 0 events\n");
	if (a->unmatched_exits || a->unmatched_enters || a->fd_unknown)
		fprintf(f, "unpaired: %s exits without enter, %s enters without "
			"exit; %s pairs on fds of unknown files\n",
			units_count(a->unmatched_exits, b[1]),
			units_count(a->unmatched_enters, b[2]),
			units_count(a->fd_unknown, b[3]));
	if (a->truncated)
		fprintf(f, "TRUNCATED: the input ended without its trailer\n");
	if (a->filters) {
		fprintf(f, "FILTERED: %s of %s pairs kept by ",
			units_count(a->filter_kept, b[0]),
			units_count(a->filter_seen, b[1]));
		put_text_str(f, a->filter_expr, TEXT_QUOTE);
		fputs(a->filter_several ? " and other filters\n" : "\n", f);
	}
}

/* The report of ar->a; all: of every host, with the table of hosts. */
static void
text_body(struct agg_run *ar, bool all)
{
	const struct agg *a = ar->a;
	FILE *f = ar->out;
	char b[3][UNITS_LEN], t0[UNITS_LEN * 2], t1[UNITS_LEN * 2];
	fprintf(f, "ior-agg: %s syscalls", units_count(a->pairs, b[0]));
	if (all && fleet_hosts_used(&ar->fleet) > 1)
		fprintf(f, " on %u hosts", fleet_hosts_used(&ar->fleet));
	if (a->start_ns)
		fprintf(f, " from %s to %s (%s)", units_realtime(a->start_ns, t0),
			units_realtime(a->end_ns, t1) + 11,
			units_ns(a->end_ns - a->start_ns, b[1]));
	fputc('\n', f);
	if (all && ar->fleet.other)
		fprintf(f, "HOSTS: more than %u; those after the first %u are "
			"counted together as %s\n", FLEET_HOSTS_MAX,
			FLEET_HOSTS_MAX, FLEET_HOST_OTHER);
	text_loss(ar);
	/* One host's report is the report of a lone host, as it always was. */
	if (all && fleet_hosts_used(&ar->fleet) > 1)
		text_table(ar, KIND_HOST, "HOST");
	text_table(ar, IOR_AGG_SYSCALL, "SYSCALL");
	text_table(ar, IOR_AGG_PROCESS, "PROCESS (PID COMM)");
	text_table(ar, IOR_AGG_FILE, "FILE");
	text_table(ar, IOR_AGG_DIR, "DIRECTORY");
	text_gaps(ar);
	text_stacks(ar);
}

static void
text_report(struct agg_run *ar)
{
	FILE *f = ar->out;
	text_body(ar, true);
	if (ar->opt.by_host) {
		struct agg *all = ar->a;
		for (uint32_t i = 0; i < ar->fleet.n; i++) {
			size_t len;
			const char *name = fleet_host_name(ar->fleet.hosts[i],
							   &len);
			if (!ar->fleet.hosts[i]->used)
				continue;
			fputs("\n=== host ", f);
			put_text(f, name, len, TEXT_QUOTE);
			fputs(" ===\n", f);
			ar->a = &ar->fleet.hosts[i]->a;
			text_body(ar, false);
		}
		ar->a = all;
	}
	fprintf(f, "\nLatency percentiles within 0.8%% (log-linear histograms); "
		"tables sorted by total latency.\n");
}

/* ---- JSON ---- */

static void
json_table(struct agg_run *ar, enum ior_agg_kind kind, const char *name,
	   const char *keyname)
{
	FILE *f = ar->out;
	uint32_t n;
	struct agg_stat **v = table_rows(ar, kind, &n);
	/* JSON has every row unless -n was given. */
	uint32_t rows = ar->opt.top_given && ar->opt.top && ar->opt.top < n ?
			ar->opt.top : n;
	fprintf(f, ",\"%s\":[", name);
	for (uint32_t i = 0; i < rows; i++) {
		const struct agg_stat *s = v[i];
		size_t len;
		const char *key = row_key(ar, kind, s, &len);
		fprintf(f, "%s{", i ? "," : "");
		if (kind == IOR_AGG_PROCESS)
			fprintf(f, "\"pid\":%" PRIu32 ",", s->pid);
		fprintf(f, "\"%s\":", keyname);
		put_json_string(f, key, len);
		fputc(',', f);
		agg_stat_put_json(f, s);
		fputc('}', f);
	}
	fprintf(f, "]");
	free(v);
}

static void
json_totals(FILE *f, const struct totals *t)
{
	fprintf(f, "\"count\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"latency_ns\":%" PRIu64 ",\"gap_ns\":%" PRIu64
		",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64,
		t->count, t->errors, t->latency_ns, t->gap_ns, t->bytes_read,
		t->bytes_written);
}

static void
json_node(FILE *f, const struct trie *t, const struct totals *inc,
	  uint32_t node)
{
	size_t len;
	const char *label = node ? trie_label(t, node, &len) : "all";
	if (!node)
		len = 3;
	fputs("{\"name\":", f);
	put_json_string(f, label, len);
	fprintf(f, ",\"weight\":%" PRIu64 ",",
		totals_weight(&inc[node], t->weight));
	json_totals(f, &inc[node]);
	fputs(",\"classes\":[", f);
	bool first = true;
	for (int c = 0; c < CLASS_N; c++)
		if (t->nodes[node].classes & 1u << c) {
			fprintf(f, "%s\"%s\"", first ? "" : ",",
				class_name((enum syscall_class)c));
			first = false;
		}
	fputs("],\"children\":[", f);
	/* Children heaviest first, as a reader expects. */
	uint32_t n = t->nodes[node].nchildren, k = 0;
	struct weighted *v = calloc(n + 1, sizeof(*v));
	if (!v)
		err(1, "ior-agg");
	for (uint32_t c = t->nodes[node].first_child; c;
	     c = t->nodes[c].next_sibling)
		v[k++] = (struct weighted){ totals_weight(&inc[c], t->weight), c };
	qsort(v, k, sizeof(*v), heaviest);
	for (uint32_t i = 0; i < k; i++) {
		if (i)
			fputc(',', f);
		json_node(f, t, inc, v[i].node);
	}
	free(v);
	fputs("]}", f);
}

/* The members of a report of ar->a, after the opening brace. */
static void
json_body(struct agg_run *ar)
{
	const struct agg *a = ar->a;
	FILE *f = ar->out;
	fprintf(f, "\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64
		",\"pairs\":%" PRIu64, a->start_ns, a->end_ns, a->pairs);
	if (ar->opt.interval_s > 0)
		fprintf(f, ",\"sequence\":%" PRIu32, ar->sequence);
	fprintf(f, ",\"loss\":{\"lost_events\":%" PRIu64
		",\"unmatched_exits\":%" PRIu64 ",\"unmatched_enters\":%" PRIu64
		",\"fd_unknown\":%" PRIu64 ",\"truncated\":%s}", a->lost,
		a->unmatched_exits, a->unmatched_enters, a->fd_unknown,
		a->truncated ? "true" : "false");
	if (a->filters) {
		fprintf(f, ",\"filter\":{\"seen\":%" PRIu64 ",\"kept\":%" PRIu64
			",\"expr\":", a->filter_seen, a->filter_kept);
		put_json_string(f, a->filter_expr, strlen(a->filter_expr));
		fprintf(f, ",\"several\":%s}",
			a->filter_several ? "true" : "false");
	}
	fprintf(f, ",\"histograms\":{\"relative_error\":%.7f,"
		"\"percentile\":\"nearest-rank\"}", HIST_RELATIVE_ERROR);
	json_table(ar, IOR_AGG_SYSCALL, "syscalls", "syscall");
	json_table(ar, IOR_AGG_PROCESS, "processes", "comm");
	json_table(ar, IOR_AGG_FILE, "files", "path");
	json_table(ar, IOR_AGG_DIR, "dirs", "dir");
	const struct trie *t = &a->trie;
	struct totals *inc = trie_inclusive(t);
	fputs(",\"trie\":{\"fields\":[", f);
	for (unsigned i = 0; i < a->fields.n; i++) {
		char spec[sizeof(a->fields.spec)];
		strlcpy(spec, a->fields.spec, sizeof(spec));
		char *save = NULL, *fld = strtok_r(spec, ";", &save);
		for (unsigned j = 0; j < i && fld; j++)
			fld = strtok_r(NULL, ";", &save);
		fprintf(f, "%s\"%s\"", i ? "," : "", fld ? fld : "?");
	}
	fprintf(f, "],\"weight\":\"%s\",\"max_nodes\":%" PRIu32
		",\"nodes\":%" PRIu32 ",\"root\":", weight_name(t->weight),
		t->max_nodes, t->count);
	json_node(f, t, inc, 0);
	fputc('}', f);
	free(inc);
}

static void
json_report(struct agg_run *ar)
{
	FILE *f = ar->out;
	fputs("{\"version\":1,", f);
	json_body(ar);
	/* Each host's totals, and with --by host each one's whole report. */
	json_table(ar, KIND_HOST, "hosts", "host");
	/* Past the bound, the further hosts are the row FLEET_HOST_OTHER. */
	if (ar->fleet.other)
		fprintf(f, ",\"hosts_capped\":%u", FLEET_HOSTS_MAX);
	if (ar->opt.by_host) {
		struct agg *all = ar->a;
		fputs(",\"by_host\":[", f);
		for (uint32_t i = 0, k = 0; i < ar->fleet.n; i++) {
			size_t len;
			const char *name = fleet_host_name(ar->fleet.hosts[i],
							   &len);
			if (!ar->fleet.hosts[i]->used)
				continue;
			fputs(k++ ? ",{\"host\":" : "{\"host\":", f);
			put_json_string(f, name, len);
			fputc(',', f);
			ar->a = &ar->fleet.hosts[i]->a;
			json_body(ar);
			fputc('}', f);
		}
		fputc(']', f);
		ar->a = all;
	}
	fputs("}\n", f);
}

/* ---- folded ---- */

static void
folded_report(struct agg_run *ar)
{
	const struct agg *a = ar->a;
	const struct trie *t = &a->trie;
	FILE *f = ar->out;
	for (uint32_t n = 1; n < t->count; n++) {
		uint64_t w = totals_weight(&t->nodes[n].self, t->weight);
		if (!w)
			continue;
		put_stack(f, t, n);
		fprintf(f, " %" PRIu64 "\n", w);
	}
	/*
	 * Loss as a frame of its own: its width is the lost events when the
	 * weight is a count, zero otherwise (what they weighed is unknown).
	 */
	if (a->lost)
		fprintf(f, "[lost %" PRIu64 " events] %" PRIu64 "\n", a->lost,
			t->weight == WEIGHT_COUNT ? a->lost : 0);
	if (a->lost || a->truncated)
		fprintf(stderr, "ior-agg: warning: %" PRIu64 " events lost%s; "
			"the stacks miss them\n", a->lost,
			a->truncated ? ", input truncated" : "");
}

/* ---- output ---- */

static void
open_output(struct agg_run *ar)
{
	if (ar->output != OUT_AUTO)
		return;
	ar->output = ar->opt.output;
	if (ar->output == OUT_AUTO)
		/*
		 * By what stdout is, never by who reads it: the same command
		 * line always writes the same format (docs/ior-agg.md).
		 */
		ar->output = ar->opt.stream_path ? OUT_STREAM :
			     isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_STREAM;
	if (ar->opt.stream_path) {
		int fd = STDOUT_FILENO;
		if (strcmp(ar->opt.stream_path, "-") != 0) {
			fd = open(ar->opt.stream_path,
				  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0)
				err(1, "%s", ar->opt.stream_path);
		}
		stream_writer_init(&ar->w, fd, fd == STDOUT_FILENO ? "<stdout>" :
				   ar->opt.stream_path);
		ar->writer_open = true;
	} else if (ar->output == OUT_STREAM) {
		if (isatty(STDOUT_FILENO))
			errx(1, "refusing to write a binary stream to a "
			     "terminal (use --text, or -o FILE)");
		stream_writer_init(&ar->w, STDOUT_FILENO, "<stdout>");
		ar->writer_open = true;
	}
	if (ar->writer_open)
		stream_write_section(&ar->w, ar->opt.argc, ar->opt.argv, 0, 0);
}

/* -m: fold the stacks lighter than share percent of the total. */
static void
prune(struct agg *a, double share)
{
	struct totals *inc = trie_inclusive(&a->trie);
	uint64_t total = totals_weight(&inc[0], a->trie.weight);
	free(inc);
	trie_prune_below(&a->trie, (uint64_t)ceil((double)total * share /
						  100.0));
}

static void
emit(struct agg_run *ar, uint16_t flags)
{
	open_output(ar);
	struct agg *a = ar->a = fleet_total(&ar->fleet);
	ar->sequence++;
	ar->total_pairs += a->pairs;
	ar->total_lost += a->lost;
	if (ar->opt.interval_s > 0)
		flags |= IOR_AGG_PERIODIC;
	if (ar->writer_open) {
		fleet_write_snapshots(&ar->fleet, &ar->w, ar->sequence,
				      (uint32_t)(ar->opt.interval_s * 1000),
				      flags);
		stream_writer_flush(&ar->w);
	}
	if (ar->output != OUT_STREAM) {
		if (ar->opt.min_share > 0) {
			prune(a, ar->opt.min_share);
			for (uint32_t i = 0; ar->opt.by_host &&
			     a != &ar->fleet.hosts[0]->a && i < ar->fleet.n; i++)
				prune(&ar->fleet.hosts[i]->a, ar->opt.min_share);
		}
		if (ar->output == OUT_JSON)
			json_report(ar);
		else if (ar->output == OUT_FOLDED)
			folded_report(ar);
		else {
			if (ar->sequence > 1)
				fputc('\n', ar->out);
			text_report(ar);
		}
		/* Periodic reports reach their reader now, or the error shows. */
		output_flush(ar->out, "<stdout>");
	}
	clock_gettime(CLOCK_MONOTONIC, &ar->last_emit);
}

/* End the current interval at the stream-clock boundary. */
static void
emit_interval(struct agg_run *ar)
{
	fleet_set_span(&ar->fleet,
		       ar->boundary - ar->interval_ns + ar->clock_to_real,
		       ar->boundary + ar->clock_to_real);
	emit(ar, 0);
	fleet_clear(&ar->fleet);
	ar->boundary += ar->interval_ns;
}

/*
 * Before a read that may block: with intervals, wait for input no longer
 * than the rest of the interval, and end the interval when none comes, so
 * a live consumer sees quiet periods as they happen.
 */
static void
before_read(void *arg)
{
	struct agg_run *ar = arg;
	if (!ar->interval_ns || !ar->boundary)
		return;
	for (;;) {
		uint64_t spent = units_since_ns(&ar->last_emit);
		int wait_ms = spent >= ar->interval_ns ? 0 :
			      (int)((ar->interval_ns - spent) / 1000000) + 1;
		struct pollfd p = { .fd = ar->r->fd, .events = POLLIN };
		int n = poll(&p, 1, wait_ms);
		if (n > 0 || (n < 0 && errno != EINTR))
			return;
		if (n == 0)
			emit_interval(ar);
	}
}

static void
on_pair(struct agg_run *ar, const struct ior_pair *p)
{
	if (!ar->interval_ns)
		return;
	if (!ar->boundary)
		ar->boundary = p->time_ns + ar->interval_ns;
	/*
	 * Close the interval; a silence in a replayed stream ends one empty
	 * interval each, up to 1000, then skips to the interval of this pair.
	 */
	for (unsigned n = 0; p->time_ns >= ar->boundary; n++) {
		emit_interval(ar);
		if (n == 1000 && p->time_ns >= ar->boundary)
			ar->boundary += (p->time_ns - ar->boundary) /
					ar->interval_ns * ar->interval_ns;
	}
}

static bool
read_input(struct agg_run *ar, const char *path)
{
	struct stream_reader r;
	stream_reader_open(&r, path);
	r.before_read = before_read;
	r.before_read_arg = ar;
	ar->r = &r;
	ar->in.r = &r;
	const struct ior_record *rec, *got, *f;
	bool ok = true;
	while ((got = rec = stream_next(&r))) {
		/* -F: what `ior-grep EXPR | ior-agg` would have read. */
		if (ar->filter != NULL) {
			f = filter_stage_before(ar->filter, r.type);
			if (f != NULL) {
				fleet_route(&ar->fleet, &ar->in, f, IOR_FILTER);
				if (!filter_stage_agg_other(&ar->in, f,
							    IOR_FILTER))
					ok = false;
			}
			rec = filter_stage_pass(ar->filter, r.type, rec, r.size);
			if (rec == NULL)
				continue;
		}
		/* Each host's records to its own aggregate (lib/fleet.h). */
		fleet_route(&ar->fleet, &ar->in, rec, r.type);
		if (r.type == IOR_PAIR)
			on_pair(ar, (const void *)rec);
		if (r.type == STREAM_SECTION) {
			const struct ior_section *s = (const void *)rec;
			ar->clock_to_real = (int64_t)(s->anchor_realtime_ns -
						      s->anchor_clock_ns);
			ar->boundary = 0;
		}
		if (r.type == IOR_TRAILER) {
			const struct ior_trailer *t = (const void *)rec;
			ar->stop_reason = t->reason;
			ar->stop_status = t->status;
		}
		if (!(rec == got ? agg_input_record(&ar->in, rec) :
		      filter_stage_agg_other(&ar->in, rec, r.type)))
			ok = false;
	}
	if (!filter_stage_agg_end(ar->filter, &ar->in))
		ok = false;
	fleet_settle(&ar->fleet, &ar->in);
	if (r.status == STREAM_ERROR)
		ok = false;
	agg_input_finish(&ar->in);
	ar->sections += r.sections;
	ar->r = NULL;
	stream_reader_close(&r);
	return ok;
}

/*
 * Threads to read with (docs/ior-agg.md): a second one adds the rows'
 * statistics where it pays (agg_threads_pay).  Folded stacks alone keep
 * no rows.
 */
static unsigned
want_threads(const struct agg_run *ar, int n, char **paths)
{
	if (ar->fleet.trie_only)
		return 1;
	if (ar->opt.threads)
		return ar->opt.threads;
	return agg_threads_pay(n, paths) ? 2 : 1;
}

int
main(int argc, char **argv)
{
	static struct agg_run ar;
	static const struct option longopts[] = {
		{ "text", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "folded", no_argument, NULL, 'L' },
		{ "filter", required_argument, NULL, 'F' },
		{ "by", required_argument, NULL, 'B' },
		{ "threads", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	const char *fields_spec = NULL;
	int weight = WEIGHT_LATENCY;
	double max_nodes = AGG_MAX_NODES_DEFAULT;
	output_init();
	ar.opt.top = 10;
	ar.opt.argc = argc;
	ar.opt.argv = argv;
	int ch;
	const char *expr = NULL;
	while ((ch = getopt_long(argc, argv, "f:w:N:m:n:o:i:F:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'f': fields_spec = optarg; break;
		case 'w':
			if ((weight = weight_parse(optarg)) < 0)
				errx(2, "unknown weight '%s' (count, latency, "
				     "gap, bytes, read, write, errors)", optarg);
			break;
		case 'N': max_nodes = units_parse(optarg, "node bound", 0); break;
		case 'm': ar.opt.min_share = units_parse(optarg, "share", 0); break;
		case 'n':
			ar.opt.top = (unsigned)units_parse(optarg, "rows", 0);
			ar.opt.top_given = true;
			break;
		case 'o': ar.opt.stream_path = optarg; break;
		case 'i': ar.opt.interval_s = units_parse(optarg, "interval",
							   0.001);
			break;
		case 'T': ar.opt.output = OUT_TEXT; break;
		case 'J': ar.opt.output = OUT_JSON; break;
		case 'L': ar.opt.output = OUT_FOLDED; break;
		case 'F': expr = optarg; break;
		case 'B':
			if (strcmp(optarg, "host") != 0)
				errx(2, "--by: unknown dimension '%s' (host)",
				     optarg);
			ar.opt.by_host = true;
			break;
		case 'P':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
				errx(2, "--threads: 1 or 2, not '%s'", optarg);
			ar.opt.threads = (unsigned)(optarg[0] - '0');
			break;
		case VERSION_OPT: version_exit("ior-agg");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (ar.opt.by_host && ar.opt.output == OUT_FOLDED)
		errx(2, "--by host splits the text and JSON reports; folded "
		     "stacks split by -f 'host;...'");
	if (ar.opt.output == OUT_FOLDED && ar.opt.interval_s > 0)
		errx(2, "--folded makes one set of stacks; it cannot be periodic");
	if (max_nodes > 0 && max_nodes < 4)
		errx(2, "a node bound below 4 leaves no room to fold");
	if (max_nodes > UINT32_MAX / 4)
		errx(2, "node bound too large");

	static struct filter_stage filter;
	if (expr != NULL) {
		filter_stage_init(&filter, expr);
		ar.filter = &filter;
	}
	struct agg_fields fields;
	char why[128];
	if (!agg_fields_parse(fields_spec ? fields_spec : AGG_FIELDS_DEFAULT,
			      &fields, why, sizeof(why)))
		errx(2, "-f: %s", why);
	fleet_init(&ar.fleet, &fields, (uint32_t)max_nodes,
		   (enum weight)weight);
	ar.fleet.fields_fixed = fields_spec != NULL;
	/* Folded stacks are the trie alone (a snapshot with -o is not). */
	ar.fleet.trie_only = ar.opt.output == OUT_FOLDED && !ar.opt.stream_path;
	/* The first record, a section header, routes it to its host's. */
	agg_input_init(&ar.in, fleet_total(&ar.fleet), NULL);
	ar.out = stdout;
	ar.interval_ns = (uint64_t)(ar.opt.interval_s * 1e9);
	clock_gettime(CLOCK_MONOTONIC, &ar.last_emit);

	if (want_threads(&ar, argc - optind, argv + optind) == 2 &&
	    !agg_files_start(&ar.in))
		warnx("no second thread; going on with one");

	bool ok = true;
	if (optind == argc)
		ok = read_input(&ar, "-");
	for (int i = optind; i < argc && ok; i++)
		ok = read_input(&ar, argv[i]);

	/* What was read before any damage is reported, marked truncated. */
	if (!ok)
		fleet_set_truncated(&ar.fleet);
	if (ar.interval_ns && ar.boundary)
		/* The last interval ends at its last exit, or where it began. */
		fleet_set_span(&ar.fleet, ar.boundary - ar.interval_ns +
			       ar.clock_to_real, 0);
	if (ar.sections)
		emit(&ar, IOR_AGG_FINAL);
	agg_files_stop(&ar.in);
	if (ar.writer_open) {
		/* A truncated input leaves a truncated output, as ior-pair does. */
		if (ok && !(ar.a && ar.a->truncated))
			stream_write_trailer(&ar.w, ar.total_pairs, ar.total_lost,
					     ar.stop_reason, ar.stop_status);
		stream_writer_release(&ar.w);
		if (ar.w.fd != STDOUT_FILENO && close(ar.w.fd) < 0)
			err(1, "%s", ar.opt.stream_path);
	}
	agg_input_release(&ar.in);
	fleet_release(&ar.fleet);
	filter_stage_release(&filter);
	return output_close(stdout, "<stdout>", ok ? 0 : 1);
}
