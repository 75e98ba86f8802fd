/* SPDX-License-Identifier: MIT */
/*
 * ior-flame - a self-contained, interactive flame graph SVG of where
 * syscall time (or count, bytes, gaps, errors) goes.
 *
 * Reads paired streams, aggregate snapshots or folded stacks, builds the
 * stack trie of lib/agg, and writes one SVG with its script inline: no
 * network, nothing external.  Frames are coloured by syscall class; with
 * -D, by growth and shrink between two inputs.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "escape.h"
#include "filterstage.h"
#include "output.h"
#include "stream.h"
#include "syscalls.h"
#include "units.h"
#include "version.h"

#define FRAME_HEIGHT 16
#define FONT_SIZE 12
#define CHAR_WIDTH 7.22         /* of 12px monospace, for truncating labels */
#define XPAD 10
#define HEADER 84               /* title, subtitle, legend, buttons */
#define FOOTER 34               /* details line */

struct options {
	const char *title;
	double width;
	double min_width;
	bool inverted;
	bool differential;
	enum weight weight;
	bool weight_given;
	const char *fields_spec;
	struct filter_stage *filter;    /* -F, or NULL */
	int argc;
	char **argv;
};

struct input {
	struct agg a;
	bool folded;            /* stacks came from folded text */
	uint64_t folded_lines;
	const char *names;      /* for the subtitle */
	bool ok;
};

static struct options opt = {
	.width = 1200,
	.min_width = 0.1,
	.weight = WEIGHT_LATENCY,
};

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-flame [options] [FILE...]\n"
"       ior-flame [options] -D BEFORE AFTER\n"
"A self-contained interactive flame graph (SVG, on stdout) of a paired ior\n"
"stream (from ior-pair), aggregate snapshots (from ior-agg) or folded stacks.\n"
"\n"
"  -f FIELDS   stack fields, ';'-separated (default %s):\n%s"
"  -w WEIGHT   frame widths: count, latency, gap, bytes, read, write,\n"
"              errors (default latency)\n"
"  -t TITLE    the title (default: what the weight measures)\n"
"  -W PIXELS   image width (default 1200)\n"
"  -M PIXELS   frames narrower than this fold into [other] (default 0.1)\n"
"  -F EXPR     only the pairs EXPR matches, as ior-grep EXPR would keep\n"
"              (--filter; docs/filter.md)\n"
"  -I, --inverted  icicle layout: roots at the top\n"
"  -D          differential: widths from AFTER, red where it grew over\n"
"              BEFORE, blue where it shrank\n"
"  -h          this help\n"
"\n"
"In the browser: hover for details, click a frame to zoom, Search (or\n"
"Ctrl-F) highlights matches and their share, Reset Zoom or Esc resets.\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture -- make | ior-pair | ior-flame > io.svg\n"
"  ior-pair run.ior | ior-flame -f 'comm;dir;syscall' -w bytes > bytes.svg\n"
"  ior-flame -D old.pairs new.pairs > diff.svg\n",
		AGG_FIELDS_DEFAULT, agg_fields_help);
	exit(status);
}

/* ---- input ---- */

/*
 * One line of folded stacks, "a;b;c 123": false if it is not one.  Blank
 * lines and '#' comments are allowed; anything else must end in a space
 * and a count, with a non-empty stack of text before it.
 */
static bool
add_folded_line(struct input *in, char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0 || line[0] == '#')
		return true;
	/* The frames are text: a NUL or a control byte is not folded stacks. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return false;
	/* The weight follows the last space. */
	size_t sp = len;
	while (sp > 0 && line[sp - 1] != ' ')
		sp--;
	char *end;
	errno = 0;
	line[len] = '\0';
	double v = sp > 1 ? round(strtod(line + sp, &end)) : 0;
	/* A weight is a count: one that no uint64_t holds is not one. */
	if (sp <= 1 || end == line + sp || *end || errno || !(v >= 0) ||
	    !(v < 0x1p64) || !isdigit((unsigned char)line[sp]))
		return false;
	uint64_t w = (uint64_t)v;
	in->folded_lines++;
	struct trie *t = &in->a.trie;
	uint32_t node = 0;
	uint16_t classes = 0;
	size_t start = 0;
	for (size_t i = 0; i < sp; i++) {
		if (i != sp - 1 && line[i] != ';')
			continue;
		char *frame = line + start;
		size_t flen = unescape_folded_frame(frame, i - start);
		node = trie_child(t, node, frame, flen);
		/* A frame named like a syscall or an errno gives the class. */
		char name[64];
		if (flen < sizeof(name)) {
			memcpy(name, frame, flen);
			name[flen] = '\0';
			if (syscall_nr(name) >= 0)
				classes |= family_classes(syscall_family(name));
			else if (flen > 2 && name[0] == 'E' &&
				 strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == flen)
				classes |= 1u << CLASS_ERROR;
		}
		start = i + 1;
	}
	struct totals v0 = { 0 };
	switch (opt.weight) {
	case WEIGHT_COUNT: v0.count = w; break;
	case WEIGHT_GAP: v0.gap_ns = w; break;
	case WEIGHT_BYTES:
	case WEIGHT_READ: v0.bytes_read = w; break;
	case WEIGHT_WRITE: v0.bytes_written = w; break;
	case WEIGHT_ERRORS: v0.errors = w; break;
	default: v0.latency_ns = w; break;
	}
	trie_add(t, node, &v0, classes ? classes : 1u << CLASS_OTHER);
	trie_bound(t);
	return true;
}

/* Folded text: head (the sniffed bytes), then the rest of fd. */
static bool
read_folded(struct input *in, int fd, const char *name, const char *head,
	    size_t headlen)
{
	size_t len = headlen, cap = headlen + 65536;
	char *text = malloc(cap + 1);
	if (!text)
		err(1, "ior-flame");
	memcpy(text, head, headlen);
	bool ok = true;
	for (;;) {
		if (cap - len < 65536) {
			cap *= 2;
			if (!(text = realloc(text, cap + 1)))
				err(1, "ior-flame");
		}
		ssize_t n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "ior-flame: %s: read error at offset %zu: "
				"%s\n", name, len, strerror(errno));
			ok = false;
		}
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	/*
	 * Lines up to the first that does not parse are drawn; that one is
	 * the error, by its number, as a damaged stream's is by its offset.
	 */
	uint64_t lineno = 0;
	for (size_t s = 0; s < len && ok;) {
		char *nl = memchr(text + s, '\n', len - s);
		size_t e = nl ? (size_t)(nl - text) : len;
		lineno++;
		if (!add_folded_line(in, text + s, e - s)) {
			fprintf(stderr, "ior-flame: %s: not a folded stack "
				"(\"frame;frame COUNT\") at line %" PRIu64 "\n",
				name, lineno);
			ok = false;
		}
		s = e + 1;
	}
	free(text);
	in->folded = true;
	return ok;
}

static bool
read_input(struct input *in, const char *path)
{
	struct stream_reader r;
	stream_reader_open(&r, path);
	/* Sniff: an ior stream starts with its magic, anything else is text. */
	char head[IOR_MAGIC_LEN];
	size_t got = 0;
	while (got < sizeof(head)) {
		ssize_t n = read(r.fd, head + got, sizeof(head) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	bool ok;
	/*
	 * An ior stream whose magic is damaged is neither, and said to be so
	 * at offset 0: a byte of the magic changed leaves its first byte
	 * (0x89, which cannot start UTF-8 text) or its ^Z, and records hold
	 * NULs.  Other bytes text cannot hold are errors of their line.
	 */
	bool magic = got == sizeof(head) &&
		     memcmp(head, IOR_MAGIC, IOR_MAGIC_LEN) == 0;
	bool binary = !magic && got > 0 &&
		      (((unsigned char)head[0] >= 0x80 &&
			(unsigned char)head[0] < 0xc2) ||
		       memchr(head, '\0', got) || memchr(head, '\x1a', got));
	if (stream_agg_text(head, got)) {
		/* Not folded stacks either: its lines would be errors. */
		fprintf(stderr, "ior-flame: %s: %s at offset 0\n", r.name,
			STREAM_AGG_TEXT);
		ok = false;
	} else if (binary) {
		fprintf(stderr, "ior-flame: %s: neither an ior stream (bad magic) "
			"nor folded stacks at offset 0\n", r.name);
		ok = false;
	} else if (magic) {
		stream_reader_unread(&r, head, got);
		struct agg_input ai;
		agg_input_init(&ai, &in->a, &r);
		const struct ior_record *rec;
		ok = true;
		while ((rec = stream_next(&r)))
			if (!filter_stage_agg(opt.filter, &ai, rec))
				ok = false;
		if (!filter_stage_agg_end(opt.filter, &ai))
			ok = false;
		ok = ok && r.status != STREAM_ERROR;
		agg_input_finish(&ai);
		agg_input_release(&ai);
	} else if (got == 0) {
		fprintf(stderr, "ior-flame: %s: empty input\n", r.name);
		ok = false;
	} else if (opt.filter != NULL) {
		/* As ior-grep would: a filter reads pairs, not stacks. */
		fprintf(stderr, "ior-flame: %s: folded stacks, which -F cannot "
			"filter (it keeps pairs of an ior stream)\n", r.name);
		ok = false;
	} else {
		ok = read_folded(in, r.fd, r.name, head, got);
	}
	stream_reader_close(&r);
	return ok;
}

static void
input_init(struct input *in, const struct agg_fields *fields)
{
	memset(in, 0, sizeof(*in));
	agg_init(&in->a, fields, AGG_MAX_NODES_DEFAULT * 5, opt.weight);
	in->a.fields_fixed = opt.fields_spec != NULL;
	in->a.trie_only = true;
}

/* ---- layout ---- */

struct layout {
	const struct trie *t;
	struct totals *inc;
	double *weight;         /* inclusive weight of each node */
	double scale;           /* pixels per unit of weight */
	unsigned max_depth;
	uint32_t drawn;
	/* Differential: the BEFORE weight of each AFTER node, or -1. */
	double *before;
	double max_delta;
};

static double
weight_of(const struct totals *v)
{
	return (double)totals_weight(v, opt.weight);
}

/* Children sorted by label, as flame graphs do: the order means nothing. */
static int
by_label(const void *x, const void *y, void *arg)
{
	const struct trie *t = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	size_t la, lb;
	const char *sa = trie_label(t, a, &la), *sb = trie_label(t, b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

static uint32_t *
sorted_children(const struct trie *t, uint32_t node, uint32_t *n)
{
	uint32_t *v = calloc(t->nodes[node].nchildren + 1, sizeof(*v));
	if (!v)
		err(1, "ior-flame");
	*n = 0;
	for (uint32_t c = t->nodes[node].first_child; c;
	     c = t->nodes[c].next_sibling)
		v[(*n)++] = c;
	qsort_r(v, *n, sizeof(*v), by_label, (void *)t);
	return v;
}

static void
measure(struct layout *l, uint32_t node, unsigned depth)
{
	if (l->weight[node] * l->scale < opt.min_width)
		return;
	if (depth > l->max_depth)
		l->max_depth = depth;
	for (uint32_t c = l->t->nodes[node].first_child; c;
	     c = l->t->nodes[c].next_sibling)
		measure(l, c, depth + 1);
}

/* ---- SVG ---- */

struct hsl { int h, s, l; };

static const struct hsl class_colour[CLASS_N + 1] = {
	[CLASS_READ] = { 210, 65, 62 },
	[CLASS_WRITE] = { 22, 85, 60 },
	[CLASS_OPENCLOSE] = { 130, 45, 55 },
	[CLASS_META] = { 275, 45, 68 },
	[CLASS_SYNC] = { 50, 85, 55 },
	[CLASS_OTHER] = { 0, 0, 70 },
	[CLASS_ERROR] = { 355, 80, 55 },
	[CLASS_N] = { 35, 35, 70 },     /* mixed */
};

static unsigned
frame_class(const struct trie_node *n, const struct totals *inc)
{
	uint16_t c = n->classes & ~(1u << CLASS_ERROR);
	if (inc->count && inc->errors == inc->count)
		return CLASS_ERROR;
	if (inc->count == 0 && (n->classes & 1u << CLASS_ERROR) &&
	    inc->errors)
		return CLASS_ERROR;
	if (c && !(c & (c - 1)))
		return (unsigned)__builtin_ctz(c);
	return c ? CLASS_N : CLASS_OTHER;
}

static uint32_t
label_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void
put_fill(FILE *f, const struct layout *l, uint32_t node, const char *label,
	 size_t len)
{
	if (l->before) {
		double before = l->before[node] < 0 ? 0 : l->before[node];
		double delta = l->weight[node] - before;
		int k = l->max_delta > 0 ?
			(int)lround(200.0 * fabs(delta) / l->max_delta) : 0;
		if (delta > 0)
			fprintf(f, "rgb(255,%d,%d)", 255 - k, 255 - k);
		else if (delta < 0)
			fprintf(f, "rgb(%d,%d,255)", 255 - k, 255 - k);
		else
			fputs("rgb(235,235,235)", f);
		return;
	}
	const struct hsl *c = &class_colour[frame_class(&l->t->nodes[node],
							&l->inc[node])];
	/* Neighbours differ a little in lightness so frames stay apart. */
	int light = c->l - 6 + (int)(label_hash(label, len) % 13);
	fprintf(f, "hsl(%d,%d%%,%d%%)", c->h, c->s, light);
}

/* The label cut to fit width pixels, as the script does it. */
static void
put_fitted(FILE *f, const char *label, size_t len, double width)
{
	int chars = (int)floor((width - 6) / CHAR_WIDTH);
	if (chars < 3)
		return;
	if (len <= (size_t)chars) {
		put_xml_text(f, label, len);
		return;
	}
	/* Cut at a UTF-8 boundary. */
	size_t cut = (size_t)chars - 2;
	while (cut > 0 && ((unsigned char)label[cut] & 0xc0) == 0x80)
		cut--;
	put_xml_text(f, label, cut);
	fputs("..", f);
}

static void
put_details(FILE *f, const struct layout *l, uint32_t node, double total)
{
	const struct totals *v = &l->inc[node];
	char b[6][UNITS_LEN];
	fprintf(f, "\n%s calls, %s errors, %s read, %s written, latency %s "
		"(%.2f%%)", units_count(v->count, b[0]),
		units_count(v->errors, b[1]), units_bytes(v->bytes_read, b[2]),
		units_bytes(v->bytes_written, b[3]),
		units_ns(v->latency_ns, b[4]),
		l->inc[0].latency_ns ? 100.0 * (double)v->latency_ns /
		(double)l->inc[0].latency_ns : 0.0);
	if (opt.weight != WEIGHT_LATENCY)
		fprintf(f, ", %s %.2f%%", weight_name(opt.weight),
			total > 0 ? 100.0 * l->weight[node] / total : 0.0);
	if (l->before) {
		double before = l->before[node] < 0 ? 0 : l->before[node];
		fprintf(f, "\nbefore %.0f, after %.0f: %s%.2f%%",
			before, l->weight[node],
			l->weight[node] >= before ? "+" : "",
			before > 0 ? 100.0 * (l->weight[node] - before) / before :
			100.0);
	}
}

static void
put_stack(FILE *f, const struct trie *t, uint32_t node)
{
	if (t->nodes[node].parent)
		put_stack(f, t, t->nodes[node].parent);
	size_t len;
	const char *label = trie_label(t, node, &len);
	if (t->nodes[node].parent)
		fputs(";", f);
	/* As in folded stacks: a ';' or '\\' inside a frame is \xNN. */
	size_t start = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || label[i] == ';' || label[i] == '\\') {
			put_xml_text(f, label + start, i - start);
			if (i < len)
				fprintf(f, "\\x%02x", (unsigned char)label[i]);
			start = i + 1;
		}
}

static void
draw(FILE *f, struct layout *l, uint32_t node, unsigned depth, double x,
     double total, double height, long parent_frame, double parent_end)
{
	double w = l->weight[node] * l->scale;
	if (w < opt.min_width)
		return;
	long this_frame = (long)l->drawn;
	double y = opt.inverted ? HEADER + depth * FRAME_HEIGHT :
		   height - FOOTER - (depth + 1) * FRAME_HEIGHT;
	size_t len;
	const char *label = node ? trie_label(l->t, node, &len) : "all";
	if (!node)
		len = 3;
	l->drawn++;
	/* The parent's frame number: zooming follows the tree, not pixels. */
	fprintf(f, "<g class=\"f\" data-p=\"%ld\"><title>", parent_frame);
	/* The label, the numbers, then the whole stack. */
	put_xml_text(f, label, len);
	put_details(f, l, node, total);
	if (l->t->nodes[node].parent) {
		fputs("\nstack: ", f);
		put_stack(f, l->t, node);
	}
	/*
	 * Both ends rounded to the 0.01 px written, the end no further than
	 * the parent's: a frame never pokes out of its parent by rounding.
	 */
	double x0 = round(x * 100) / 100, x1 = round((x + w) * 100) / 100;
	if (x1 > parent_end)
		x1 = parent_end;
	fputs("</title><rect x=\"", f);
	fprintf(f, "%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"",
		x0, y, x1 - x0, FRAME_HEIGHT - 1);
	put_fill(f, l, node, label, len);
	fprintf(f, "\"/><text x=\"%.2f\" y=\"%.1f\">", x + 3,
		y + FRAME_HEIGHT - 4.5);
	put_fitted(f, label, len, w);
	fputs("</text></g>\n", f);

	uint32_t n;
	uint32_t *kids = sorted_children(l->t, node, &n);
	/* A frame's own weight leaves room beside its children. */
	for (uint32_t i = 0; i < n; i++) {
		draw(f, l, kids[i], depth + 1, x, total, height, this_frame,
		     x1);
		x += l->weight[kids[i]] * l->scale;
	}
	free(kids);
}

static const char script[] =
"<script type=\"text/ecmascript\"><![CDATA[\n"
"\"use strict\";\n"
"var svg, frames, details, matched, unzoombtn, W, zoomed = null, re = null;\n"
"var XPAD = 10, CHARW = 7.22;\n"
"function init() {\n"
"  svg = document.documentElement;\n"
"  details = document.getElementById(\"details\").firstChild;\n"
"  matched = document.getElementById(\"matched\");\n"
"  unzoombtn = document.getElementById(\"unzoom\");\n"
"  W = +svg.getAttribute(\"width\");\n"
"  frames = Array.prototype.slice.call(document.querySelectorAll(\"g.f\"));\n"
"  frames.forEach(function (g) {\n"
"    var p = +g.getAttribute(\"data-p\");\n"
"    g._parent = p >= 0 ? frames[p] : null;\n"
"    var r = g.querySelector(\"rect\");\n"
"    g._x = +r.getAttribute(\"x\"); g._w = +r.getAttribute(\"width\");\n"
"    g._y = +r.getAttribute(\"y\"); g._fill = r.getAttribute(\"fill\");\n"
"    var t = g.querySelector(\"title\").textContent;\n"
"    g._name = t.split(\"\\n\")[0]; g._info = t.replace(/\\n/g, \"  |  \");\n"
"  });\n"
"}\n"
"function frame_of(e) {\n"
"  for (; e && e !== svg; e = e.parentNode)\n"
"    if (e.classList && e.classList.contains(\"f\")) return e;\n"
"  return null;\n"
"}\n"
"function under(g, a) {\n"
"  for (g = g._parent; g; g = g._parent) if (g === a) return true;\n"
"  return false;\n"
"}\n"
"function fit(name, w) {\n"
"  var n = Math.floor((w - 6) / CHARW);\n"
"  if (n < 3) return \"\";\n"
"  return name.length <= n ? name : name.substr(0, n - 2) + \"..\";\n"
"}\n"
"function place(g, x, w) {\n"
"  var r = g.querySelector(\"rect\"), t = g.querySelector(\"text\");\n"
"  r.setAttribute(\"x\", x.toFixed(2)); r.setAttribute(\"width\", w.toFixed(2));\n"
"  t.setAttribute(\"x\", (x + 3).toFixed(2)); t.textContent = fit(g._name, w);\n"
"}\n"
"function zoom(z) {\n"
"  var x0 = z._x, ratio = (W - 2 * XPAD) / z._w;\n"
"  zoomed = z;\n"
"  unzoombtn.classList.remove(\"hide\");\n"
"  frames.forEach(function (g) {\n"
"    g.classList.remove(\"parent\"); g.classList.remove(\"hide\");\n"
"    if (g === z || under(g, z)) {\n"
"      place(g, XPAD + (g._x - x0) * ratio, g._w * ratio);\n"
"    } else if (under(z, g)) {\n"
"      g.classList.add(\"parent\"); place(g, XPAD, W - 2 * XPAD);\n"
"    } else {\n"
"      g.classList.add(\"hide\");\n"
"    }\n"
"  });\n"
"  if (re) search(re);\n"
"}\n"
"function unzoom() {\n"
"  zoomed = null;\n"
"  unzoombtn.classList.add(\"hide\");\n"
"  frames.forEach(function (g) {\n"
"    g.classList.remove(\"parent\"); g.classList.remove(\"hide\");\n"
"    place(g, g._x, g._w);\n"
"  });\n"
"  if (re) search(re);\n"
"}\n"
"function search(r) {\n"
"  re = r;\n"
"  var spans = [];\n"
"  frames.forEach(function (g) {\n"
"    var rect = g.querySelector(\"rect\");\n"
"    if (r.test(g._name)) {\n"
"      rect.setAttribute(\"fill\", \"rgb(230,0,230)\");\n"
"      if (!g.classList.contains(\"hide\") && !g.classList.contains(\"parent\"))\n"
"        spans.push([+rect.getAttribute(\"x\"), +rect.getAttribute(\"width\")]);\n"
"    } else {\n"
"      rect.setAttribute(\"fill\", g._fill);\n"
"    }\n"
"  });\n"
"  /* Nested matches overlap: count each pixel once. */\n"
"  spans.sort(function (a, b) { return a[0] - b[0]; });\n"
"  var sum = 0, end = -1;\n"
"  spans.forEach(function (s) {\n"
"    var a = Math.max(s[0], end), b = s[0] + s[1];\n"
"    if (b > a) { sum += b - a; end = b; }\n"
"  });\n"
"  matched.textContent = \"Matched: \" + (100 * sum / (W - 2 * XPAD)).toFixed(2) + \"%\";\n"
"  matched.classList.remove(\"hide\");\n"
"  document.getElementById(\"resetsearch\").classList.remove(\"hide\");\n"
"}\n"
"function reset_search() {\n"
"  re = null;\n"
"  frames.forEach(function (g) { g.querySelector(\"rect\").setAttribute(\"fill\", g._fill); });\n"
"  matched.classList.add(\"hide\");\n"
"  document.getElementById(\"resetsearch\").classList.add(\"hide\");\n"
"}\n"
"function ask() {\n"
"  var term = prompt(\"Search frames (regular expression):\", \"\");\n"
"  if (!term) return;\n"
"  try { search(new RegExp(term)); } catch (e) { alert(e.message); }\n"
"}\n"
"window.addEventListener(\"load\", init);\n"
"window.addEventListener(\"click\", function (e) {\n"
"  var id = e.target.id || (e.target.parentNode && e.target.parentNode.id);\n"
"  if (id === \"unzoom\") { unzoom(); return; }\n"
"  if (id === \"search\") { ask(); return; }\n"
"  if (id === \"resetsearch\") { reset_search(); return; }\n"
"  var g = frame_of(e.target);\n"
"  if (!g) return;\n"
"  if (g.classList.contains(\"parent\") && g._y === frames[0]._y) unzoom();\n"
"  else zoom(g);\n"
"});\n"
"window.addEventListener(\"mouseover\", function (e) {\n"
"  var g = frame_of(e.target);\n"
"  if (g) details.nodeValue = g._info;\n"
"});\n"
"window.addEventListener(\"mouseout\", function (e) {\n"
"  if (frame_of(e.target)) details.nodeValue = \" \";\n"
"});\n"
"window.addEventListener(\"keydown\", function (e) {\n"
"  if ((e.ctrlKey || e.metaKey) && e.key === \"f\") { e.preventDefault(); ask(); }\n"
"  else if (e.key === \"Escape\") { reset_search(); unzoom(); }\n"
"});\n"
"]]></script>\n";

static const char style[] =
"<style type=\"text/css\">\n"
"text { font-family: monospace; font-size: 12px; fill: rgb(0,0,0); }\n"
"g.f text { pointer-events: none; }\n"
"g.f:hover rect { stroke: rgb(40,40,40); stroke-width: 0.6; cursor: pointer; }\n"
".title { font-size: 17px; font-weight: bold; }\n"
".sub { font-size: 12px; fill: rgb(70,70,70); }\n"
".button { cursor: pointer; fill: rgb(20,20,160); }\n"
".parent { opacity: 0.5; }\n"
".hide { display: none; }\n"
"</style>\n";

static const char *
weight_unit(void)
{
	switch (opt.weight) {
	case WEIGHT_LATENCY: return "time spent in syscalls";
	case WEIGHT_GAP: return "time between a thread's syscalls";
	case WEIGHT_COUNT: return "syscall count";
	case WEIGHT_BYTES: return "bytes read and written";
	case WEIGHT_READ: return "bytes read";
	case WEIGHT_WRITE: return "bytes written";
	case WEIGHT_ERRORS: return "failed syscalls";
	default: return "?";
	}
}

static void
put_weight(FILE *f, double v)
{
	char b[UNITS_LEN];
	uint64_t u = (uint64_t)v;
	fputs(opt.weight == WEIGHT_LATENCY || opt.weight == WEIGHT_GAP ?
	      units_ns(u, b) : opt.weight == WEIGHT_COUNT ||
	      opt.weight == WEIGHT_ERRORS ? units_count(u, b) :
	      units_bytes(u, b), f);
}

static void
put_subtitle(FILE *f, const struct input *in, const struct input *before,
	     double total)
{
	const struct agg *a = &in->a;
	char b[4][UNITS_LEN], t0[UNITS_LEN * 2], t1[UNITS_LEN * 2];
	fprintf(f, "<text class=\"sub\" x=\"%.1f\" y=\"44\" text-anchor=\"middle\">",
		opt.width / 2);
	if (in->folded)
		fprintf(f, "folded stacks, %s in all",
			units_count(in->folded_lines, b[0]));
	else
		fprintf(f, "%s syscalls by ", units_count(a->pairs, b[0]));
	if (!in->folded)
		put_xml_text(f, a->fields.spec, strlen(a->fields.spec));
	fprintf(f, "; width: %s, ", weight_unit());
	put_weight(f, total);
	fputs(" in all", f);
	if (a->start_ns)
		fprintf(f, "; %s to %s (%s)", units_realtime(a->start_ns, t0),
			units_realtime(a->end_ns, t1) + 11,
			units_ns(a->end_ns - a->start_ns, b[1]));
	uint64_t lost = a->lost + (before ? before->a.lost : 0);
	if (!in->folded || lost)
		fprintf(f, "; %s%s events lost", lost ? "LOST: " : "",
			units_count(lost, b[2]));
	if (a->truncated || (before && before->a.truncated))
		fputs("; TRUNCATED input", f);
	if (a->filters) {
		fprintf(f, "; FILTERED: %s of %s pairs kept by ",
			units_count(a->filter_kept, b[3]),
			units_count(a->filter_seen, b[0]));
		put_xml_text(f, a->filter_expr, strlen(a->filter_expr));
		if (a->filter_several)
			fputs(" and other filters", f);
	}
	fputs("</text>\n", f);
}

static void
put_legend(FILE *f, bool differential)
{
	static const char *const diff_names[] = { "grew", "shrank", "same" };
	static const char *const diff_fill[] = { "rgb(255,80,80)",
						 "rgb(80,80,255)",
						 "rgb(235,235,235)" };
	double x = XPAD;
	unsigned n = differential ? 3 : CLASS_N + 1;
	for (unsigned i = 0; i < n; i++) {
		const char *name = differential ? diff_names[i] :
				   i == CLASS_N ? "mixed" :
				   class_name((enum syscall_class)i);
		fprintf(f, "<g class=\"legend\"><rect x=\"%.1f\" y=\"56\" "
			"width=\"12\" height=\"12\" fill=\"", x);
		if (differential)
			fputs(diff_fill[i], f);
		else
			fprintf(f, "hsl(%d,%d%%,%d%%)", class_colour[i].h,
				class_colour[i].s, class_colour[i].l);
		fprintf(f, "\"/><text x=\"%.1f\" y=\"66\">%s</text></g>\n",
			x + 16, name);
		x += 16 + CHAR_WIDTH * (double)strlen(name) + 18;
	}
}

static void
write_svg(FILE *f, struct input *in, const struct input *before)
{
	struct layout l = { .t = &in->a.trie };
	const struct trie *t = l.t;
	/* Frames too narrow to see fold into [other], keeping their width. */
	l.inc = trie_inclusive(t);
	double usable = opt.width - 2 * XPAD, root = weight_of(&l.inc[0]);
	free(l.inc);
	if (root > 0 && opt.min_width > 0)
		trie_prune_below(&in->a.trie, (uint64_t)ceil(opt.min_width *
							     root / usable));
	l.inc = trie_inclusive(t);
	l.weight = calloc(t->count, sizeof(*l.weight));
	if (!l.weight)
		err(1, "ior-flame");
	for (uint32_t n = 0; n < t->count; n++)
		l.weight[n] = weight_of(&l.inc[n]);
	double total = l.weight[0];
	l.scale = total > 0 ? usable / total : 0;
	if (before) {
		const struct trie *bt = &before->a.trie;
		struct totals *binc = trie_inclusive(bt);
		l.before = calloc(t->count, sizeof(*l.before));
		uint32_t *map = calloc(t->count, sizeof(*map));
		if (!l.before || !map)
			err(1, "ior-flame");
		l.before[0] = weight_of(&binc[0]);
		l.max_delta = fabs(l.weight[0] - l.before[0]);
		for (uint32_t n = 1; n < t->count; n++) {
			/* The same stack in BEFORE, if it has it (0: no). */
			size_t len;
			const char *label = trie_label(t, n, &len);
			uint32_t parent = t->nodes[n].parent;
			map[n] = parent && !map[parent] ? 0 :
				 trie_find(bt, map[parent], label, len);
			l.before[n] = map[n] ? weight_of(&binc[map[n]]) : -1;
			double d = fabs(l.weight[n] - (l.before[n] < 0 ? 0 :
						       l.before[n]));
			if (d > l.max_delta)
				l.max_delta = d;
		}
		free(map);
		free(binc);
	}
	if (total > 0)
		measure(&l, 0, 0);
	double height = HEADER + (l.max_depth + 1) * FRAME_HEIGHT + FOOTER;

	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" data-inverted=\"%d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", opt.width, height,
		opt.width, height, opt.inverted);
	fputs("<!-- ior-flame: hover for details, click to zoom, Ctrl-F to "
	      "search, Esc to reset. -->\n", f);
	fputs(style, f);
	fputs(script, f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"rgb(250,250,245)\"/>\n", opt.width, height);
	fprintf(f, "<text class=\"title\" x=\"%.1f\" y=\"24\" "
		"text-anchor=\"middle\">", opt.width / 2);
	if (opt.title) {
		put_xml_text(f, opt.title, strlen(opt.title));
	} else if (before) {
		fprintf(f, "Differential flame graph of %s: ", weight_unit());
		put_xml_text(f, before->names, strlen(before->names));
		fputs(" → ", f);
		put_xml_text(f, in->names, strlen(in->names));
	} else {
		fprintf(f, "Flame graph of %s", weight_unit());
	}
	fputs("</text>\n", f);
	put_subtitle(f, in, before, total);
	put_legend(f, before != NULL);
	fprintf(f, "<text id=\"unzoom\" class=\"button hide\" x=\"%d\" "
		"y=\"24\">Reset Zoom</text>\n", XPAD);
	fprintf(f, "<text id=\"search\" class=\"button\" x=\"%.1f\" y=\"24\" "
		"text-anchor=\"end\">Search</text>\n", opt.width - XPAD);
	fprintf(f, "<text id=\"resetsearch\" class=\"button hide\" x=\"%.1f\" "
		"y=\"66\" text-anchor=\"end\">Reset Search</text>\n",
		opt.width - XPAD);
	fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%.0f\"> </text>\n", XPAD,
		height - 12);
	fprintf(f, "<text id=\"matched\" class=\"hide\" x=\"%.1f\" y=\"%.0f\" "
		"text-anchor=\"end\"> </text>\n", opt.width - XPAD, height - 12);
	if (total > 0) {
		fputs("<g id=\"frames\">\n", f);
		draw(f, &l, 0, 0, XPAD, total, height, -1, opt.width - XPAD);
		fputs("</g>\n", f);
	} else {
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">"
			"nothing to show: the %s is 0</text>\n", opt.width / 2,
			HEADER + 20.0, weight_unit());
	}
	fputs("</svg>\n", f);
	free(l.weight);
	free(l.before);
	free(l.inc);
}

static bool
read_all(struct input *in, char **paths, int n)
{
	bool ok = true;
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += strlen(paths[i]) + 2;
	char *names = calloc(1, len + 8);
	if (!names)
		err(1, "ior-flame");
	for (int i = 0; i < n && ok; i++) {
		ok = read_input(in, paths[i]);
		if (i)
			strcat(names, ", ");
		strcat(names, strcmp(paths[i], "-") ? paths[i] : "stdin");
	}
	in->names = names;
	return ok;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "inverted", no_argument, NULL, 'I' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	static struct filter_stage filter;
	const char *expr = NULL;
	int ch;
	output_init();
	while ((ch = getopt_long(argc, argv, "f:w:t:W:M:IDF:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'f': opt.fields_spec = optarg; break;
		case 'w': {
			int w = weight_parse(optarg);
			if (w < 0)
				errx(2, "unknown weight '%s' (count, latency, "
				     "gap, bytes, read, write, errors)", optarg);
			opt.weight = (enum weight)w;
			break;
		}
		case 't': opt.title = optarg; break;
		case 'W': opt.width = units_parse(optarg, "width", 100); break;
		case 'M': opt.min_width = units_parse(optarg, "minimum width", 0);
			break;
		case 'I': opt.inverted = true; break;
		case 'D': opt.differential = true; break;
		case 'F': expr = optarg; break;
		case VERSION_OPT: version_exit("ior-flame");
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (opt.width > 100000)
		errx(2, "width above 100000 pixels");
	if (opt.differential && argc - optind != 2)
		errx(2, "-D takes two inputs: BEFORE AFTER");
	if (expr != NULL) {
		filter_stage_init(&filter, expr);
		opt.filter = &filter;
	}
	if (isatty(STDOUT_FILENO))
		errx(2, "refusing to write an SVG to a terminal: redirect "
		     "stdout to a file (ior-flame ... > out.svg)");

	struct agg_fields fields;
	char why[128];
	if (!agg_fields_parse(opt.fields_spec ? opt.fields_spec :
			      AGG_FIELDS_DEFAULT, &fields, why, sizeof(why)))
		errx(2, "-f: %s", why);

	static struct input after, before;
	input_init(&after, &fields);
	bool ok = true;
	if (opt.differential) {
		input_init(&before, &fields);
		ok = read_all(&before, argv + optind, 1);
		/* Both sides must have the same fields to compare. */
		if (ok) {
			after.a.fields = before.a.fields;
			after.a.fields_fixed = true;
		}
		ok = ok && read_all(&after, argv + optind + 1, 1);
	} else if (optind == argc) {
		char *dash[] = { "-" };
		ok = read_all(&after, dash, 1);
	} else {
		ok = read_all(&after, argv + optind, argc - optind);
	}
	if (!ok)
		after.a.truncated = true;
	/* Draw what was read, even of a damaged input; the status says so. */
	write_svg(stdout, &after, opt.differential ? &before : NULL);
	free((char *)after.names);
	free((char *)before.names);
	agg_release(&after.a);
	if (opt.differential)
		agg_release(&before.a);
	filter_stage_release(&filter);
	return output_close(stdout, "<stdout>", ok ? 0 : 1);
}
