/* SPDX-License-Identifier: MIT */
/*
 * stream.c - ior-top's stream view: the last calls as strace-like lines,
 * one call in full, and the search of the lines.
 *
 * The calls are kept in a ring (top.h) as read, before the filter, with
 * a bit each for whether the filter keeps it, so a new filter (a drill
 * down) applies to them again and stepping back out restores them.  A
 * frame looks at the lines it shows (top.h: the ranks), never at the
 * whole ring; a search and a new filter walk the ring once.
 */
#include <curses.h>
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errname.h"
#include "escape.h"
#include "output.h"
#include "top.h"
#include "units.h"

void
calls_keep(struct calls *c, const struct ior_pair *p)
{
	if (!c->ring) {
		/* Only a stream of pairs pays for the ring. */
		c->ring = calloc(TOP_KEEP, sizeof(*c->ring));
		c->pass = calloc(TOP_KEEP / 64, sizeof(*c->pass));
		c->rank = calloc(TOP_KEEP, sizeof(*c->rank));
		if (!c->ring || !c->pass || !c->rank)
			err(1, "ior-top");
	}
	size_t size = p->header.size < sizeof(*p) ? p->header.size : sizeof(*p);
	struct ior_pair *slot = &c->ring[c->n % TOP_KEEP];
	/* A 1.0 pair (80 bytes) has no seq: it reads as 0. */
	memset(slot, 0, sizeof(*slot));
	memcpy(slot, p, size);
	calls_set_pass(c, c->n, false);
	c->rank[c->n % TOP_KEEP] = c->passed;
	c->n++;
}

void
calls_pass_last(struct calls *c)
{
	calls_set_pass(c, c->n - 1, true);
	c->passed++;
}

void
calls_rerank(struct calls *c)
{
	uint32_t r = 0;
	for (uint64_t i = calls_first(c); i < c->n; i++) {
		c->rank[i % TOP_KEEP] = r;
		r += calls_passes(c, i);
	}
	c->passed = r;
}

/* The rank of call i, for i from calls_first() to n. */
static uint32_t
calls_rank(const struct calls *c, uint64_t i)
{
	return i < c->n ? c->rank[i % TOP_KEEP] : c->passed;
}

void
calls_release(struct calls *c)
{
	free(c->ring);
	free(c->pass);
	free(c->rank);
	memset(c, 0, sizeof(*c));
}

bool
top_call_passes(const struct top *t, const struct ior_pair *p)
{
	const struct filter_stage *s = t->pairs_filter;
	return !s || !s->filter || filter_match(s->filter, &s->ctx, p);
}

static uint64_t
stream_end(const struct top *t)
{
	return t->paused && t->stream_frozen <= t->calls.n ? t->stream_frozen :
	       t->calls.n;
}

uint32_t
top_view_lines(struct top *t)
{
	if (t->view == VIEW_FLAME)
		return top_flame_lines(t);
	if (t->view == VIEW_LATENCY)
		return 1;
	uint64_t n = 0, first = calls_first(&t->calls), e = stream_end(t);
	if (t->calls.ring && e > first)
		n = (uint32_t)(calls_rank(&t->calls, e) -
			       calls_rank(&t->calls, first));
	if (t->stream_follow && n)
		t->sel[VIEW_STREAM] = (uint32_t)(n - 1);
	return (uint32_t)n;
}

/*
 * The index of the k-th line (the k-th call the filter keeps), or ~0.
 * It is the last call whose rank (counted from the first kept) is k.
 */
static uint64_t
line_call(const struct top *t, uint64_t k)
{
	const struct calls *c = &t->calls;
	uint64_t lo = calls_first(c), hi = stream_end(t);
	if (!c->ring || lo >= hi || k >= UINT32_MAX)
		return UINT64_MAX;
	uint32_t r0 = calls_rank(c, lo);
	if ((uint32_t)(calls_rank(c, hi) - r0) <= k)
		return UINT64_MAX;
	/* The last i in [lo, hi) with rank - r0 <= k. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)(calls_rank(c, mid) - r0) <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

const struct ior_pair *
top_selected_call(struct top *t)
{
	uint64_t i = line_call(t, t->sel[VIEW_STREAM]);
	return i == UINT64_MAX ? NULL : calls_get(&t->calls, i);
}

void
top_stream_added(struct top *t)
{
	calls_pass_last(&t->calls);
}

/* ---- one call ---- */

static const char *
syscall_name(const struct top *t, const struct ior_pair *p, char buf[24])
{
	return sysnames_get(&t->input->sysnames, p->header.misc, buf);
}

/* Append len bytes of a stream string to buf, escaped. */
static size_t
put_escaped(char *buf, size_t size, size_t o, const char *s, size_t len,
	    unsigned flags)
{
	if (o >= size)
		return o;
	size_t need = text_escape(buf + o, size - o, s, len, flags);
	return o + (need < size - o ? need : strlen(buf + o));
}

static size_t
put_fmt(char *buf, size_t size, size_t o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t
put_fmt(char *buf, size_t size, size_t o, const char *fmt, ...)
{
	if (o >= size)
		return o;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + o, size - o, fmt, ap);
	va_end(ap);
	if (n < 0)
		return o;
	return (size_t)n < size - o ? o + (size_t)n : size - 1;
}

static size_t
put_path(const struct top *t, char *buf, size_t size, size_t o, uint32_t id,
	 unsigned flags)
{
	size_t len;
	const char *path = name_table_get(&t->input->names, IOR_NAME_PATH, id,
					  &len);
	if (!path)
		return put_fmt(buf, size, o, "?");
	return put_escaped(buf, size, o, path, len, flags);
}

/*
 *   22:13:21.000123   100/100     postgres        pread64(3</srv/db/main.db>) = 4096  <12.3us>
 * as strace -y writes a call, after the time, the pid/tid and the comm.
 */
size_t
call_line(const struct top *t, const struct ior_pair *p, char *buf,
	  size_t size, bool ascii)
{
	unsigned flags = ascii ? TEXT_ASCII : 0;
	size_t o = 0;
	char when[32], sc[24], b[UNITS_LEN];
	uint64_t real = p->time_ns + (uint64_t)t->input->clock_to_real;
	time_t s = (time_t)(real / 1000000000);
	struct tm tm;
	if (localtime_r(&s, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	else
		strlcpy(when, "?", sizeof(when));
	buf[0] = '\0';
	o = put_fmt(buf, size, o, "%s.%06u %7" PRIu32 "/%-7" PRIu32 " ", when,
		    (unsigned)(real % 1000000000 / 1000), p->pid, p->tid);
	size_t clen;
	const char *comm = name_table_get(&t->input->names, IOR_NAME_COMM,
					  p->comm_id, &clen);
	size_t at = o;
	o = comm ? put_escaped(buf, size, o, comm, clen, flags) :
		   put_fmt(buf, size, o, "?");
	o = put_fmt(buf, size, o, "%*s", o - at < 16 ? (int)(16 - (o - at)) : 1,
		    "");
	o = put_fmt(buf, size, o, "%s(", syscall_name(t, p, sc));
	if (p->fd >= 0)
		o = put_fmt(buf, size, o, "%" PRId32 "%s", p->fd,
			    p->path_id ? "<" : "");
	if (p->path_id) {
		o = put_path(t, buf, size, o, p->path_id, flags);
		if (p->fd >= 0)
			o = put_fmt(buf, size, o, ">");
	}
	if (p->path2_id) {
		o = put_fmt(buf, size, o, ", ");
		o = put_path(t, buf, size, o, p->path2_id, flags);
	}
	char en[16];
	/* Entered, never returned by the end of its section: no result. */
	if (p->pair_flags & IOR_PAIR_UNFINISHED)
		return put_fmt(buf, size, o, ") = ? <unfinished after %s>",
			       units_ns(p->latency_ns, b));
	if (p->err)
		o = put_fmt(buf, size, o, ") = -1 %s", errno_name(p->err, en));
	else
		o = put_fmt(buf, size, o, ") = %" PRId64, (int64_t)p->ret);
	if (p->pair_flags & (IOR_PAIR_READ | IOR_PAIR_WRITE))
		o = put_fmt(buf, size, o, "  %s %s", p->pair_flags &
			    IOR_PAIR_READ ? "read" : "written",
			    units_bytes(p->bytes, b));
	o = put_fmt(buf, size, o, "  <%s>", units_ns(p->latency_ns, b));
	return o;
}

/* ---- batch ---- */

static void
json_string_name(FILE *f, const struct top *t, unsigned kind, uint32_t id)
{
	size_t len;
	const char *s = name_table_get(&t->input->names, kind, id, &len);
	if (s)
		put_json_string(f, s, len);
	else
		fputs("null", f);
}

/* One call as a JSON object, after a comma unless first. */
static void
call_json(const struct top *t, const struct ior_pair *p, FILE *f, bool first)
{
	char sc[24], en[16];
	fprintf(f, "%s{\"time_ns\":%" PRIu64 ",\"pid\":%" PRIu32
		",\"tid\":%" PRIu32 ",\"comm\":", first ? "" : ",",
		(uint64_t)(p->time_ns + (uint64_t)t->input->clock_to_real),
		p->pid, p->tid);
	json_string_name(f, t, IOR_NAME_COMM, p->comm_id);
	fputs(",\"syscall\":", f);
	const char *name = syscall_name(t, p, sc);
	put_json_string(f, name, strlen(name));
	fprintf(f, ",\"fd\":%" PRId32 ",\"path\":", p->fd);
	if (p->path_id)
		json_string_name(f, t, IOR_NAME_PATH, p->path_id);
	else
		fputs("null", f);
	fprintf(f, ",\"ret\":%" PRId64 ",\"errno\":", (int64_t)p->ret);
	if (p->err)
		fprintf(f, "\"%s\"", errno_name(p->err, en));
	else
		fputs("null", f);
	fprintf(f, ",\"bytes\":%" PRIu64 ",\"latency_ns\":%" PRIu64
		",\"seq\":%" PRIu64 "%s}", (uint64_t)p->bytes,
		(uint64_t)p->latency_ns, (uint64_t)p->seq,
		/* Entered, never returned: ret means nothing. */
		p->pair_flags & IOR_PAIR_UNFINISHED ? ",\"unfinished\":true" :
		"");
}

/*
 * The calls not printed yet, up to to, as lines or JSON objects (*first:
 * none written yet); the ring's calls read while the frames were behind
 * are said to be gone (text).
 */
static void
print_calls(struct top *t, FILE *f, uint64_t to, bool *first)
{
	struct calls *c = &t->calls;
	uint64_t from = c->printed;
	if (from < calls_first(c)) {
		if (!t->json)
			fprintf(f, "(%" PRIu64 " calls read while the screen "
				"was behind are not kept)\n",
				calls_first(c) - from);
		from = calls_first(c);
	}
	char line[3 * 4096 + 256];
	for (uint64_t i = from; i < to; i++) {
		if (!calls_passes(c, i))
			continue;
		if (t->json) {
			call_json(t, calls_get(c, i), f, *first);
			*first = false;
			continue;
		}
		call_line(t, calls_get(c, i), line, sizeof(line), false);
		fputs(line, f);
		fputc('\n', f);
	}
	if (to > c->printed)
		c->printed = to;
}

void
top_stream_section_end(struct top *t)
{
	struct calls *c = &t->calls;
	if (!c->ring || c->printed >= c->n)
		return;
	if (!c->held && !(c->held = open_memstream(&c->held_buf,
						   &c->held_len)))
		err(1, "ior-top");
	/* Each object after a comma: put_held() drops the first. */
	bool first = false;
	print_calls(t, c->held, c->n, &first);
}

/* The calls held from ended sections, then these; false: none held. */
static bool
put_held(struct calls *c, FILE *f, bool json)
{
	if (!c->held)
		return false;
	if (fclose(c->held) != 0)
		err(1, "ior-top");
	c->held = NULL;
	/* JSON: the first object's comma goes. */
	size_t skip = json && c->held_len ? 1 : 0;
	fwrite(c->held_buf + skip, 1, c->held_len - skip, f);
	bool any = c->held_len > 0;
	free(c->held_buf);
	c->held_buf = NULL;
	c->held_len = 0;
	return any;
}

void
top_stream_print(struct top *t, FILE *f)
{
	struct calls *c = &t->calls;
	bool first = true;
	put_held(c, f, false);
	print_calls(t, f, c->cut < c->n ? c->cut : c->n, &first);
}

void
top_stream_json(struct top *t, FILE *f)
{
	struct calls *c = &t->calls;
	fputs(",\"calls\":[", f);
	bool first = !put_held(c, f, true);
	print_calls(t, f, c->cut < c->n ? c->cut : c->n, &first);
	fputc(']', f);
}

/* ---- the screen ---- */

static void
draw_detail(struct top *t, const struct ior_pair *p)
{
	char line[3 * 4096 + 256], b[UNITS_LEN], sc[24], en[16];
	bool ascii = !t->utf8;
	int y = 5, cols = COLS;
	attron(A_REVERSE);
	mvaddnstr(4, 0, "the call in full  (t: every call on its file, "
		  "Esc or Enter: back)", cols);
	attroff(A_REVERSE);
	call_line(t, p, line, sizeof(line), ascii);
	mvaddnstr(y++, 0, line, cols);
	y++;
#define FIELD(...) do { snprintf(line, sizeof(line), __VA_ARGS__); \
	mvaddnstr(y++, 2, line, cols - 2); } while (0)
	char when[UNITS_LEN * 2];
	units_realtime(p->time_ns + (uint64_t)t->input->clock_to_real, when);
	FIELD("syscall    %s (%u)", syscall_name(t, p, sc), p->header.misc);
	FIELD("entered    %s (clock %" PRIu64 " ns)", when, (uint64_t)p->time_ns);
	FIELD("latency    %s (%" PRIu64 " ns)", units_ns(p->latency_ns, b),
	      (uint64_t)p->latency_ns);
	if (p->pair_flags & IOR_PAIR_GAP_KNOWN)
		FIELD("gap        %s since the thread's previous call",
		      units_ns(p->gap_ns, b));
	FIELD("pid/tid    %" PRIu32 "/%" PRIu32, p->pid, p->tid);
	size_t len;
	const char *s = name_table_get(&t->input->names, IOR_NAME_COMM,
				       p->comm_id, &len);
	char esc[3 * 4096 + 16];
	text_escape(esc, sizeof(esc), s ? s : "?", s ? len : 1,
		    ascii ? TEXT_ASCII : 0);
	FIELD("comm       %s", esc);
	FIELD("fd         %" PRId32, p->fd);
	for (int k = 0; k < 2; k++) {
		uint32_t id = k ? p->path2_id : p->path_id;
		if (!id)
			continue;
		s = name_table_get(&t->input->names, IOR_NAME_PATH, id, &len);
		text_escape(esc, sizeof(esc), s ? s : "?", s ? len : 1,
			    ascii ? TEXT_ASCII : 0);
		FIELD("%s %s", k ? "path2     " : "path      ", esc);
	}
	FIELD("result     %" PRId64 "%s%s", (int64_t)p->ret, p->err ? "  errno " : "",
	      p->err ? errno_name(p->err, en) : "");
	FIELD("bytes      %" PRIu64 "%s", (uint64_t)p->bytes, p->pair_flags &
	      IOR_PAIR_READ ? " read" : p->pair_flags & IOR_PAIR_WRITE ?
	      " written" : "");
	FIELD("open flags 0x%" PRIx32, p->flags);
	FIELD("pair flags 0x%x%s%s%s", p->pair_flags,
	      p->pair_flags & IOR_PAIR_RESTART ? " restarted" : "",
	      p->pair_flags & IOR_PAIR_NORETURN ? " no-return" : "",
	      p->pair_flags & IOR_PAIR_FD_UNKNOWN ? " fd-unknown" : "");
	FIELD("seq        %" PRIu64, (uint64_t)p->seq);
#undef FIELD
}

void
top_stream_draw(struct top *t)
{
	int cols = COLS, page = top_page(t);
	uint32_t n = top_view_lines(t);
	top_move(t, 0);
	if (t->detail) {
		const struct ior_pair *p = top_selected_call(t);
		if (p) {
			draw_detail(t, p);
			return;
		}
		t->detail = false;
	}
	attron(A_REVERSE);
	move(4, 0);
	clrtoeol();
	mvaddnstr(4, 0, "TIME                PID/TID     COMM            "
		  "CALL = RESULT  BYTES  <LATENCY>", cols);
	attroff(A_REVERSE);
	uint32_t first = t->first[VIEW_STREAM];
	char line[3 * 4096 + 256];
	/* A line's call by its rank: no walk over the calls between. */
	for (int y = 0; y < page && first + (uint32_t)y < n; y++) {
		uint64_t i = line_call(t, first + (uint32_t)y);
		if (i == UINT64_MAX)
			break;
		call_line(t, calls_get(&t->calls, i), line, sizeof(line),
			  !t->utf8);
		bool sel = first + (uint32_t)y == t->sel[VIEW_STREAM];
		if (sel)
			attron(A_REVERSE | A_BOLD);
		mvaddnstr(5 + y, 0, line, cols);
		if (sel) {
			int cy, cx;
			getyx(stdscr, cy, cx);
			(void)cy;
			for (; cx < cols && cx > 0; cx++)
				addch(' ');
			attroff(A_REVERSE | A_BOLD);
		}
	}
	if (n == 0)
		mvaddnstr(6, 2, t->filter[0] ? "no calls match the filter" :
			  "waiting for syscalls...", cols - 2);
}

bool
top_stream_search(struct top *t)
{
	if (!t->search[0] || !t->calls.ring)
		return false;
	char line[3 * 4096 + 256];
	uint32_t from = t->sel[VIEW_STREAM], k = 0;
	uint64_t before = UINT64_MAX, last = UINT64_MAX;
	/*
	 * The nearest line above the selection that holds the text, else
	 * the last one (the search goes round): one pass over the ring.
	 */
	for (uint64_t i = calls_first(&t->calls), e = stream_end(t); i < e; i++) {
		if (!calls_passes(&t->calls, i))
			continue;
		call_line(t, calls_get(&t->calls, i), line, sizeof(line),
			  !t->utf8);
		if (strstr(line, t->search)) {
			if (k < from)
				before = k;
			last = k;
		}
		k++;
	}
	uint64_t found = before != UINT64_MAX ? before : last;
	if (found == UINT64_MAX)
		return false;
	t->sel[VIEW_STREAM] = (uint32_t)found;
	t->stream_follow = false;
	top_move(t, 0);
	return true;
}
