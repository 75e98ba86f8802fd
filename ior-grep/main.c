/* SPDX-License-Identifier: MIT */
/*
 * ior-grep - keep the pairs a filter expression matches.
 *
 * Reads paired streams (ior-pair's output) and writes one: the pairs the
 * expression matches, and every other record as it came (section headers,
 * names, process and fd facts, loss, totals, aggregate records, types it
 * does not know), so every ior tool reads the result.  Before each
 * trailer it writes an IOR_FILTER record, the expression and how many
 * pairs it saw and kept, so a report on the output can say that it was
 * filtered.  The section header passes through unchanged: the stream
 * still comes from the host and capture it names.  docs/filter.md is the
 * language.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "stream.h"
#include "output.h"
#include "version.h"

struct grep {
	struct filter *filter;
	const char *expr;
	struct filter_context ctx;
	struct stream_writer out;
	bool section_open, invert;
	uint64_t seen, kept;    /* pairs of the current section */
};

/*
 * The expression of -f: the whole file, its newlines the whitespace
 * between tests.  Bounded, as any input; a NUL byte cannot be part of an
 * expression that travels in the stream as text.
 */
static char *
read_expr_file(const char *path)
{
	enum { EXPR_FILE_MAX = 64 * 1024 };
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		err(2, "%s", path);
	if ((buf = malloc(EXPR_FILE_MAX + 1)) == NULL)
		err(1, "malloc");
	n = fread(buf, 1, EXPR_FILE_MAX + 1, f);
	if (ferror(f))
		err(2, "%s", path);
	fclose(f);
	if (n > EXPR_FILE_MAX) {
		free(buf);
		errx(2, "%s: an expression of more than %d bytes", path,
		     EXPR_FILE_MAX);
	}
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		errx(2, "%s: a NUL byte in the expression", path);
	}
	buf[n] = '\0';
	return buf;
}

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: ior-grep [-v] EXPR [FILE ...]\n"
	    "       ior-grep [-v] -f EXPRFILE [FILE ...]\n");
	if (status != 0)
		exit(status);
	fprintf(f, "\n"
"Keep the pairs EXPR matches (-v: those it does not) and every other\n"
"record, so the output is a stream any ior tool reads.  How many pairs\n"
"were dropped, and by what expression, travels in the stream.\n"
"-f EXPRFILE reads EXPR from a file (its lines are one expression).\n"
"\n"
"EXPR is tests joined by and (or juxtaposition), or, not and parentheses.\n"
"A test is FIELD OP VALUE[,VALUE...] or a bare FIELD (set, non-zero).\n"
"  strings  comm syscall family class path dir base host\n"
"           = exact, != , ~ substring (^ and $ anchor), !~, =~'regex'\n"
"  numbers  pid tid ppid fd ret errno errors flags seq\n"
"           bytes read write (4K 1M), latency gap (250us 10ms 2s)\n"
"           time (+2.5s from the start, or wall clock 10:42:07.5)\n"
"           = != < <= > >=; lists: syscall=read,pread64 errno=ENOENT,EACCES\n"
"\n"
"EXAMPLES\n"
"  ior-pair < run.ior | ior-grep 'latency>=10ms' | ior-flame > slow.svg\n"
"  ior-grep 'comm=nginx path~^/var/log' run.pairs | ior-dump\n"
"  ior-grep 'errno=ENOENT,EACCES or (write>=1M and not path~.log$)' run.pairs |\n"
"      ior-agg\n"
"  ior-grep 'time>=+2.5s time<+3s' run.pairs | ior-dump\n");
	exit(status);
}

static void
write_filter(struct grep *g)
{
	static _Alignas(8) unsigned char rec[IOR_RECORD_MAX];
	struct ior_filter *r = (void *)rec;
	uint32_t off = sizeof(*r);

	memset(r, 0, sizeof(*r));
	r->header.type = IOR_FILTER;
	r->seen = g->seen;
	r->kept = g->kept;
	r->str_off = off;
	r->nstrings = 1;
	record_add_string(rec, &off, g->expr, strlen(g->expr),
			  IOR_FILTER_EXPR, 0);
	r->header.size = record_finish(rec, off);
	stream_put(&g->out, rec, r->header.size);
}

/*
 * The end of an input section: the provenance, then (on a clean end) the
 * trailer, its record count our own.  A truncated input section stays
 * truncated downstream.
 */
static void
close_section(struct grep *g, const struct ior_trailer *in)
{
	struct ior_trailer *t;
	uint64_t records;

	if (!g->section_open)
		return;
	write_filter(g);
	if (in != NULL) {
		records = g->out.section_records;
		t = stream_reserve(&g->out, IOR_TRAILER, 0, sizeof(*t));
		memcpy((char *)t + sizeof(t->header),
		       (const char *)in + sizeof(in->header),
		       sizeof(*t) - sizeof(t->header));
		t->records = records;
	}
	g->section_open = false;
}

static int
grep_input(struct grep *g, const char *path)
{
	struct stream_reader r;
	const struct ior_record *rec;
	int status;

	stream_reader_open(&r, path);
	stream_flush_when_idle(&r, &g->out);
	while ((rec = stream_next(&r)) != NULL) {
		switch (r.type) {
		case IOR_PAIR:
			g->seen++;
			if (filter_match(g->filter, &g->ctx,
					 (const void *)rec) == g->invert)
				continue;
			g->kept++;
			/* As it came: a longer pair keeps its newer fields. */
			stream_put(&g->out, rec, r.size);
			continue;
		case STREAM_SECTION:
			close_section(g, NULL);
			filter_context_add(&g->ctx, r.type, rec, r.size);
			stream_put(&g->out, rec, r.size);
			g->out.section_records = 0;
			g->section_open = true;
			g->seen = g->kept = 0;
			continue;
		case IOR_TRAILER:
			close_section(g, (const void *)rec);
			continue;
		case IOR_SYSCALL_ENTER:
		case IOR_SYSCALL_EXIT:
			stream_damage(&r, "raw event at offset %llu: ior-grep "
				      "reads pairs (pipe it through ior-pair "
				      "first)",
				      (unsigned long long)r.record_offset);
			continue;
		default:
			filter_context_add(&g->ctx, r.type, rec, r.size);
			stream_put(&g->out, rec, r.size);
		}
	}
	status = r.status == STREAM_END ? 0 : 1;
	close_section(g, NULL);
	stream_reader_close(&r);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "invert-match", no_argument, NULL, 'v' },
		{ "file", required_argument, NULL, 'f' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	struct grep g;
	char msg[512], *inverted = NULL, *from_file = NULL;
	const char *expr_file = NULL;
	bool invert = false;
	int ch, status = 0;

	output_init();
	while ((ch = getopt_long(argc, argv, "+f:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case VERSION_OPT: version_exit("ior-grep");
		case 'h': usage(stdout, 0); break;
		case 'v': invert = true; break;
		case 'f': expr_file = optarg; break;
		default: usage(stderr, 2);
		}
	}
	if (expr_file == NULL && optind == argc)
		usage(stderr, 2);
	memset(&g, 0, sizeof(g));
	if (expr_file != NULL)
		g.expr = from_file = read_expr_file(expr_file);
	else
		g.expr = argv[optind++];
	g.filter = filter_compile(g.expr, strlen(g.expr), msg, sizeof(msg));
	if (g.filter == NULL) {
		fprintf(stderr, "%s: filter: %s\n", getprogname(), msg);
		free(from_file);
		return 2;
	}
	g.invert = invert;
	/* The provenance says what was kept, -v or not. */
	if (invert && asprintf(&inverted, "not (%s)", g.expr) == -1)
		err(1, "asprintf");
	if (invert)
		g.expr = inverted;
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write a binary stream to a "
			"terminal (pipe it to ior-dump or ior-agg)\n",
			getprogname());
		status = 2;
		goto out;
	}
	filter_context_init(&g.ctx);
	stream_writer_init(&g.out, STDOUT_FILENO, "<stdout>");
	if (optind == argc)
		status |= grep_input(&g, NULL);
	for (int i = optind; i < argc; i++)
		status |= grep_input(&g, argv[i]);
	stream_writer_release(&g.out);
	filter_context_release(&g.ctx);
out:
	filter_free(g.filter);
	free(inverted);
	free(from_file);
	return status;
}
