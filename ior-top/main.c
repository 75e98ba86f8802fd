/* SPDX-License-Identifier: MIT */
/*
 * ior-top - a live, top-like view of which syscalls, files, processes and
 * directories are doing I/O right now.
 *
 * Records come from stdin (pairs from ior-pair, or snapshots from
 * ior-agg -i); keys come from the terminal (/dev/tty).  Intervals follow the
 * stream's clock, so a replay shows what the live run showed, and the wall
 * clock when input is idle.  -b prints plain text frames instead.
 */
#include <curses.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "escape.h"
#include "output.h"
#include "stream.h"
#include "top.h"
#include "units.h"
#include "filterstage.h"
#include "version.h"

static struct top top = {
	.interval_s = 1,
	.frames_left = -1,
	.sort = COL_TIME,
	.flame_weight = WEIGHT_LATENCY,
	.stream_follow = true,
	.age_out = 10,
};

static struct stream_reader reader;
static struct agg_input input;
/* -F and the / prompt: pairs are filtered before they are counted. */
static struct filter_stage pairs_filter;
static FILE *tty;
static bool curses_on, help_shown;
/* The prompt being typed: a filter, or a search of the stream view. */
static enum { EDIT_NONE, EDIT_FILTER, EDIT_SEARCH } editing;
static bool input_ok = true;  /* the exit status after q */
static char edit_buf[sizeof(top.filter)];
static volatile sig_atomic_t quit_signal;
static char stderr_buf[8192];

/*
 * Drilling down: the filters stepped into, the outermost first; Backspace
 * goes back to the last one.
 */
#define DRILL_MAX 64
static char *drill_stack[DRILL_MAX];
static unsigned drill_depth;
/* Snapshots hold no calls: a new filter can only start counting again. */
static bool snapshots_seen;

/* Interval state, on the stream's clock. */
static uint64_t interval_ns, boundary, last_pair_end;
/* Where the current and the last interval start (stream clock). */
static uint64_t cur_start_clk, last_start_clk;
static int64_t clock_to_real;
static struct timespec last_frame;

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-top [-br] [--json] [-n COUNT] [-d SECONDS] [-v VIEW] [-s COLUMN]\n"
"               [-w WEIGHT] [-F EXPR] [--keep-exited] [--tree] [FILE]\n"
"A live view of a paired ior stream (ior-pair) or of aggregate snapshots\n"
"(ior-agg -i), read from FILE or stdin; keys are read from the terminal.\n"
"\n"
"  -d SECONDS  the interval (default 1; -i is the same)\n"
"  -b          batch mode: plain text frames on stdout, no terminal\n"
"  --json      with -b: a JSON document a frame, one a line\n"
"  -n COUNT    stop after COUNT frames\n"
"  -v VIEW     syscalls (default), files, processes, dirs, stream (the\n"
"              calls as lines), flame (the stacks as an icicle), latency\n"
"              (latency and gap histograms)\n"
"  -s COLUMN   sort by name, rate, read, write, errors, time (default),\n"
"              p50, p99, max, total, total_p99, total_max\n"
"  -r          reverse the sort\n"
"  -w WEIGHT   the flame's weight: latency (default), count or bytes\n"
"  --keep-exited  processes that exited stay listed (else they leave\n"
"              after 10 intervals)\n"
"  --tree      processes under their parents\n"
"  -F EXPR     only the pairs EXPR matches, as ior-grep EXPR would keep\n"
"              (--filter; docs/filter.md); the / key changes it\n"
"  -h          this help\n"
"\n"
"Keys: s f p d e g l (or Tab) switch view, arrows j k PgUp PgDn Home End\n"
"move, Enter narrows to the row, Backspace or Esc steps back, < > sort\n"
"column, r reverse, / filter (stream: search), space pause, c reset totals,\n"
"h help, q quit.\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture | ior-pair | ior-top\n"
"  ior-pair run.ior | ior-top -b -n 1 -v files -s p99\n"
"  ior-pair run.ior | ior-top -b -v stream -F 'errors'\n"
"  ior-pair run.ior | ior-top -b --json -n 1 | jq '.rows[0]'\n");
	exit(status);
}

static void
restore_terminal(void)
{
	if (!curses_on)
		return;
	curses_on = false;
	endwin();
	/* Messages written while the screen was ours come out now. */
	fflush(stderr);
	setvbuf(stderr, NULL, _IONBF, 0);
}

static void
on_signal(int sig)
{
	quit_signal = sig;
}

static void
finish(int status)
{
	restore_terminal();
	if (quit_signal) {
		signal(quit_signal, SIG_DFL);
		raise(quit_signal);
	}
	if (top.batch)
		status = output_close(stdout, "<stdout>", status);
	exit(status);
}

static void
frame(void)
{
	clock_gettime(CLOCK_MONOTONIC, &last_frame);
	if (top.batch) {
		if (top.json)
			top_print_json(&top, stdout);
		else
			top_print(&top, stdout);
		output_flush(stdout, "<stdout>");
		/* The last frame: damage read before it still fails the run. */
		if (top.frames_left > 0 && --top.frames_left == 0)
			finish(reader.status == STREAM_ERROR ? 1 : 0);
		return;
	}
	if (!top.paused)
		top_draw(&top, help_shown);
}

static void
end_interval(double seconds, uint64_t end_ns)
{
	uint32_t generation = top.current.generation;
	/* The stream clock of the cut, for applying a filter again. */
	last_start_clk = cur_start_clk;
	/* Unsigned: a forged anchor must wrap, not overflow. */
	cur_start_clk = end_ns ? end_ns - (uint64_t)clock_to_real :
			cur_start_clk;
	top_end_interval(&top, seconds, end_ns);
	/* The input's caches point into the old aggregate. */
	top.current.generation = generation + 1;
	frame();
}

static void
next_view(int v)
{
	top.view = (enum view)v;
	top.detail = false;
	if (top.sort == COL_NAME)
		top.reverse = false;
}

/* The figures of the old filter, emptied: the next pairs count anew. */
static void
restart_counting(void)
{
	struct agg_fields fields = top.last.fields;
	agg_release(&top.last);
	top_agg_init(&top, &top.last, &fields, false);
	top_reset(&top);
}

/* Carry the loss figures of one aggregate over to its rebuilt self. */
static void
keep_loss(struct agg *to, const struct agg *from)
{
	to->lost = from->lost;
	to->unmatched_exits = from->unmatched_exits;
	to->unmatched_enters = from->unmatched_enters;
	to->fd_unknown = from->fd_unknown;
	to->truncated = from->truncated;
}

/* Count into dst from now on (its caches are not the input's). */
static void
count_into(struct agg *dst)
{
	input.a = dst;
	dst->generation = input.generation + 1;
}

/*
 * A new filter over the calls kept: the totals, the last and the current
 * interval are counted again from them, each call into the interval it
 * was counted in, so drilling down (and back out) shows at once what the
 * new filter selects.  Older calls than the ring holds are gone: the
 * totals then cover the calls kept, as the status line says.
 */
static void
rebuild(void)
{
	if (snapshots_seen || !top.calls.ring) {
		restart_counting();
		return;
	}
	struct agg_fields fields = top.total.fields;
	struct agg older, last, cur;
	top_agg_init(&top, &older, &fields, true);
	top_agg_init(&top, &last, &fields, false);
	top_agg_init(&top, &cur, &fields, false);
	uint16_t was_type = reader.type;
	uint32_t was_size = reader.size;
	reader.type = IOR_PAIR;
	for (uint64_t i = calls_first(&top.calls); i < top.calls.n; i++) {
		const struct ior_pair *p = calls_get(&top.calls, i);
		bool pass = top_call_passes(&top, p);
		calls_set_pass(&top.calls, i, pass);
		if (!pass)
			continue;
		struct agg *dst = p->time_ns >= cur_start_clk ? &cur :
				  p->time_ns >= last_start_clk ? &last : &older;
		if (input.a != dst)
			count_into(dst);
		reader.size = p->header.size;
		agg_input_record(&input, (const void *)p);
	}
	calls_rerank(&top.calls);
	reader.type = was_type;
	reader.size = was_size;
	keep_loss(&last, &top.last);
	keep_loss(&cur, &top.current);
	agg_merge(&older, &last);
	keep_loss(&older, &top.total);
	agg_release(&top.total);
	agg_release(&top.last);
	agg_release(&top.current);
	top.total = older;
	top.total_gen++;
	top.last = last;
	top.current = cur;
	count_into(&top.current);
	/* The sparklines were of the old filter. */
	top_forget_history(&top);
	top.flame_root = 0;
	if (calls_first(&top.calls) > 0)
		snprintf(top.status, sizeof(top.status), "the totals are of the "
			 "last %u calls, those kept", TOP_KEEP);
}

/* Make expr the filter; false and why in msg when it is no expression. */
static bool
apply_filter(const char *expr, char *msg, size_t len)
{
	if (!filter_stage_try(&pairs_filter, expr, msg, len))
		return false;
	if (expr != top.filter)
		strlcpy(top.filter, expr, sizeof(top.filter));
	pairs_filter.expr = top.filter;
	top.status[0] = '\0';
	rebuild();
	return true;
}

/* Step into a filter, remembering the one it replaces. */
static bool
push_filter(const char *expr, char *msg, size_t len)
{
	char *was = strdup(top.filter);
	if (!was)
		err(1, "ior-top");
	if (!apply_filter(expr, msg, len)) {
		free(was);
		return false;
	}
	if (drill_depth == DRILL_MAX) {
		free(drill_stack[0]);
		memmove(drill_stack, drill_stack + 1,
			(DRILL_MAX - 1) * sizeof(*drill_stack));
		drill_depth--;
	}
	drill_stack[drill_depth++] = was;
	return true;
}

static bool
pop_filter(void)
{
	if (!drill_depth)
		return false;
	char *was = drill_stack[--drill_depth], msg[200];
	/* It compiled before; it compiles again. */
	if (!apply_filter(was, msg, sizeof(msg)))
		snprintf(top.status, sizeof(top.status), "filter: %s", msg);
	free(was);
	return true;
}

/* Narrow every view to the selected row (stream: the call's open file). */
static void
drill(void)
{
	char test[sizeof(top.filter)], msg[200];
	if (!top_drill_expr(&top, test, sizeof(test))) {
		strlcpy(top.status, test, sizeof(top.status));
		return;
	}
	char expr[sizeof(top.filter)];
	int n = top.filter[0] ?
		snprintf(expr, sizeof(expr), "(%s) and %s", top.filter, test) :
		snprintf(expr, sizeof(expr), "%s", test);
	if (n < 0 || (size_t)n >= sizeof(expr)) {
		snprintf(top.status, sizeof(top.status), "the filter would be "
			 "too long");
		return;
	}
	if (!push_filter(expr, msg, sizeof(msg)))
		snprintf(top.status, sizeof(top.status), "filter: %s", msg);
	top.detail = false;
	top.sel[top.view] = top.first[top.view] = 0;
	top.stream_follow = true;
}

/* The prompt on the status line, escaped: it may hold a drilled path. */
static void
show_prompt(const char *what)
{
	char esc[sizeof(top.status) - 64];
	text_escape(esc, sizeof(esc), edit_buf, strlen(edit_buf),
		    top.utf8 ? 0 : TEXT_ASCII);
	snprintf(top.status, sizeof(top.status), "%.60s: %s_", what, esc);
}

static void
handle_edit(int ch)
{
	size_t len = strlen(edit_buf);
	char msg[200];

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (editing == EDIT_SEARCH) {
			strlcpy(top.search, edit_buf, sizeof(top.search));
			editing = EDIT_NONE;
			top.status[0] = '\0';
			if (top.search[0] && !top_stream_search(&top))
				snprintf(top.status, sizeof(top.status),
					 "search: not found");
			top_draw(&top, false);
			return;
		}
		/* A mistake is shown in place; the old filter stays. */
		if (!push_filter(edit_buf, msg, sizeof(msg))) {
			char esc[128];
			text_escape(esc, sizeof(esc), edit_buf, strlen(edit_buf),
				    top.utf8 ? 0 : TEXT_ASCII);
			snprintf(top.status, sizeof(top.status),
				 "filter: %.90s (Esc keeps the old): %s_", msg,
				 esc);
			top_draw(&top, false);
			return;
		}
		editing = EDIT_NONE;
		top_draw(&top, false);
		return;
	} else if (ch == 27) {
		editing = EDIT_NONE;
		top.status[0] = '\0';
	} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len) {
		edit_buf[len - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x100 && ch != 127 &&
		   len + 1 < (editing == EDIT_SEARCH ? sizeof(top.search) :
			      sizeof(edit_buf))) {
		edit_buf[len] = (char)ch;
		edit_buf[len + 1] = '\0';
	}
	if (editing == EDIT_FILTER)
		show_prompt("filter (Enter applies, Esc cancels)");
	else if (editing == EDIT_SEARCH)
		show_prompt("search (Enter finds, Esc cancels)");
	top_draw(&top, false);
}

/* Backspace or Esc: out of the call's detail, the zoom, then the filter. */
static void
step_back(void)
{
	if (top.view == VIEW_STREAM && top.detail)
		top.detail = false;
	else if (top.view == VIEW_FLAME && top_flame_zoom_out(&top))
		;
	else if (!pop_filter())
		snprintf(top.status, sizeof(top.status), "no filter to step "
			 "back from");
}

static void
handle_key(int ch)
{
	if (editing) {
		handle_edit(ch);
		return;
	}
	if (help_shown && ch != KEY_RESIZE) {
		help_shown = false;
		top_draw(&top, false);
		return;
	}
	if (ch != KEY_RESIZE && !(top.status[0] && strncmp(top.status,
	    "the totals", 10) == 0))
		top.status[0] = '\0';
	long page = top_page(&top);
	switch (ch) {
	case 'q': case 'Q': finish(input_ok ? 0 : 1); break;
	case 's': next_view(VIEW_SYSCALLS); break;
	case 'f': next_view(VIEW_FILES); break;
	case 'p': next_view(VIEW_PROCESSES); break;
	case 'd': next_view(VIEW_DIRS); break;
	case 'e': next_view(VIEW_STREAM); break;
	case 'g': next_view(VIEW_FLAME); break;
	case 'l': next_view(VIEW_LATENCY); break;
	case '\t': next_view((top.view + 1) % VIEW_N); break;
	case KEY_BTAB: next_view((top.view + VIEW_N - 1) % VIEW_N); break;
	case KEY_UP: case 'k': top_move(&top, -1); break;
	case KEY_DOWN: case 'j': top_move(&top, 1); break;
	case KEY_PPAGE: top_move(&top, -page); break;
	case KEY_NPAGE: top_move(&top, page); break;
	case KEY_HOME: top_move(&top, -(long)UINT32_MAX); break;
	case KEY_END: top_move(&top, UINT32_MAX); break;
	case '\n': case '\r': case KEY_ENTER:
		if (top.view == VIEW_STREAM)
			top.detail = !top.detail;
		else if (top.view == VIEW_FLAME)
			top_flame_zoom_in(&top);
		else if (top.view < VIEW_TABLES)
			drill();
		break;
	case KEY_BACKSPACE: case 127: case 8: case 27:
		step_back();
		break;
	case 't':
		if (top.view == VIEW_STREAM)
			drill();
		break;
	case 'n':
		if (top.view == VIEW_STREAM && !top_stream_search(&top))
			snprintf(top.status, sizeof(top.status),
				 "search: not found");
		break;
	case 'w':
		top.flame_weight = top.flame_weight == WEIGHT_LATENCY ?
				   WEIGHT_COUNT : top.flame_weight ==
				   WEIGHT_COUNT ? WEIGHT_BYTES : WEIGHT_LATENCY;
		break;
	case 'x': top.keep_exited = !top.keep_exited; break;
	case 'T': top.tree = !top.tree; break;
	case '<': case ',':
		top.sort = (enum column)((top.sort + COL_N - 1) % COL_N);
		break;
	case '>': case '.':
		top.sort = (enum column)((top.sort + 1) % COL_N);
		break;
	case 'r': top.reverse = !top.reverse; break;
	case ' ':
		top.paused = !top.paused;
		top.stream_frozen = top.calls.n;
		break;
	case 'c': top_reset(&top); break;
	case 'h': case '?': help_shown = true; break;
	case '/':
		if (top.view == VIEW_STREAM) {
			editing = EDIT_SEARCH;
			strlcpy(edit_buf, top.search, sizeof(edit_buf));
			show_prompt("search (Enter finds, Esc cancels)");
		} else {
			editing = EDIT_FILTER;
			strlcpy(edit_buf, top.filter, sizeof(edit_buf));
			show_prompt("filter (Enter applies, Esc cancels)");
		}
		break;
	case KEY_RESIZE: break;
	default: return;
	}
	/* A key always shows its effect, paused or not. */
	top_draw(&top, help_shown);
}

static void
read_keys(void)
{
	int ch;
	while (curses_on && (ch = getch()) != ERR)
		handle_key(ch);
}

/*
 * Wait for input (or the interval's end, or a key).  With fd -1, wait for
 * keys only: the input has ended.
 */
static bool
wait_input(int fd)
{
	for (;;) {
		if (quit_signal)
			finish(1);
		uint64_t spent = units_since_ns(&last_frame);
		int wait_ms = spent >= interval_ns ? 0 :
			      (int)((interval_ns - spent) / 1000000) + 1;
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = curses_on ? fileno(tty) : -1, .events = POLLIN },
		};
		int n = poll(p, 2, fd < 0 ? -1 : wait_ms);
		if (n < 0 && errno != EINTR)
			err(1, "poll");
		/* A resize (SIGWINCH) interrupts poll; getch says KEY_RESIZE. */
		if (p[1].revents || (n < 0 && errno == EINTR))
			read_keys();
		if (fd >= 0 && p[0].revents)
			return true;
		if (n == 0 && fd >= 0) {
			/* Idle input: the interval ends on the wall clock. */
			uint64_t start = boundary ? boundary - interval_ns : 0;
			end_interval(top.interval_s, start ? start + interval_ns +
				     clock_to_real : 0);
			if (boundary)
				boundary += interval_ns;
		}
	}
}

/*
 * The stream view is live: between frames, while input keeps coming, its
 * lines are redrawn at most every 100 ms (a frame's work is bounded by the
 * calls kept, not by how many came).
 */
static void
redraw_stream(void)
{
	static uint64_t drawn_at;
	static struct timespec drawn;
	if (!curses_on || top.paused || editing || help_shown ||
	    top.view != VIEW_STREAM || top.detail ||
	    drawn_at == top.calls.n || units_since_ns(&drawn) < 100000000)
		return;
	clock_gettime(CLOCK_MONOTONIC, &drawn);
	drawn_at = top.calls.n;
	top_draw(&top, false);
}

static void
before_read(void *arg)
{
	(void)arg;
	redraw_stream();
	wait_input(reader.fd);
}

/*
 * In batch mode a snapshot's frame waits for the next record, so the last
 * one knows it is the last ("input ended").
 */
static bool frame_pending;
static double pending_seconds;
static uint64_t pending_end_ns;

static void
flush_pending(void)
{
	if (!frame_pending)
		return;
	frame_pending = false;
	end_interval(pending_seconds, pending_end_ns);
}

static void
on_record(const struct ior_record *rec)
{
	if (reader.type == IOR_AGG_BEGIN || reader.type == IOR_PAIR)
		flush_pending();
	switch (reader.type) {
	case STREAM_SECTION: {
		const struct ior_section *s = (const void *)rec;
		clock_to_real = (int64_t)(s->anchor_realtime_ns -
					  s->anchor_clock_ns);
		/*
		 * The calls of the section that ends (its unfinished ones
		 * last) leave the ring with its names: a frame to come still
		 * lists them.
		 */
		if (top.batch && top.view == VIEW_STREAM)
			top_stream_section_end(&top);
		top.calls.base = top.calls.n;
		boundary = 0;
		break;
	}
	case IOR_PAIR: {
		const struct ior_pair *p = (const void *)rec;
		if (!boundary)
			boundary = p->time_ns + interval_ns;
		/* A frame ends before this pair (kept already). */
		top.calls.cut = top.calls.n ? top.calls.n - 1 : 0;
		/*
		 * Close the interval, then show a long silence in a replay as
		 * one quiet frame, and skip to the interval of this pair.
		 */
		for (unsigned frames = 0; p->time_ns >= boundary; frames++) {
			end_interval(top.interval_s, boundary + clock_to_real);
			boundary += interval_ns;
			if (frames == 1 && p->time_ns >= boundary)
				boundary += (p->time_ns - boundary) /
					    interval_ns * interval_ns;
		}
		top.calls.cut = UINT64_MAX;
		if (p->time_ns + p->latency_ns > last_pair_end)
			last_pair_end = p->time_ns + p->latency_ns;
		/* A pid seen again after its exit is a new process. */
		if (top.exited.count)
			idmap_remove(&top.exited, p->pid);
		break;
	}
	case IOR_TASK_EXIT: {
		const struct ior_task_exit *x = (const void *)rec;
		/* misc 1: the process's last thread. */
		if (rec->misc == 1)
			idmap_put(&top.exited, x->pid,
				  (void *)(uintptr_t)(top.intervals + 1));
		break;
	}
	case IOR_PROCESS: {
		const struct ior_process *pr = (const void *)rec;
		if (pr->ppid)
			idmap_put(&top.parents, pr->pid,
				  (void *)(uintptr_t)(pr->ppid + 1ull));
		break;
	}
	case IOR_TASK_NEW: {
		const struct ior_task_new *tn = (const void *)rec;
		if (tn->child_pid != tn->parent_pid)
			idmap_put(&top.parents, tn->child_pid,
				  (void *)(uintptr_t)(tn->parent_pid + 1ull));
		break;
	}
	case IOR_AGG_BEGIN:
		snapshots_seen = true;
		break;
	}
	if (!agg_input_record(&input, rec))
		return;
	if (reader.type == IOR_AGG_END &&
	    !(input.snap_begin.header.misc & IOR_AGG_CONTINUED)) {
		/*
		 * A snapshot from ior-agg is one interval; one of several
		 * hosts' (docs/fleet.md) ends it with the last host's.
		 */
		const struct ior_agg_begin *b = &input.snap_begin;
		double secs = b->end_ns > b->start_ns ?
			      (double)(b->end_ns - b->start_ns) / 1e9 : 0;
		if (top.batch) {
			frame_pending = true;
			pending_seconds = secs;
			pending_end_ns = b->end_ns;
		} else {
			end_interval(secs, b->end_ns);
		}
	}
}

/* on_record() of a record the filter made: it reads the reader's type. */
static void
on_other_record(const struct ior_record *rec, uint16_t type)
{
	uint16_t was_type = reader.type;
	uint32_t was_size = reader.size;

	reader.type = type;
	reader.size = rec->size;
	on_record(rec);
	reader.type = was_type;
	reader.size = was_size;
}

static void
start_terminal(void)
{
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		err(1, "/dev/tty (use -b for batch mode without a terminal)");
	setlocale(LC_ALL, "");
	top.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	SCREEN *screen = newterm(NULL, tty, tty);
	if (!screen)
		errx(1, "cannot drive this terminal (TERM=%s); use -b",
		     getenv("TERM") ? getenv("TERM") : "");
	curses_on = true;
	atexit(restore_terminal);
	/* Hold messages until the terminal is restored. */
	setvbuf(stderr, stderr_buf, _IOFBF, sizeof(stderr_buf));
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	top_draw(&top, false);
}

static int
parse_choice(const char *s, const char *const *names, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	errx(2, "unknown %s '%s'", what, s);
}

int
main(int argc, char **argv)
{
	int ch;
	const char *expr = NULL;
	enum { OPT_JSON = VERSION_OPT + 1, OPT_KEEP, OPT_TREE };
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "keep-exited", no_argument, NULL, OPT_KEEP },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	output_init();
	while ((ch = getopt_long(argc, argv, "bn:d:i:v:s:rw:F:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'b': top.batch = true; break;
		case 'n': {
			char *end;
			top.frames_left = strtol(optarg, &end, 10);
			if (*end || top.frames_left < 1)
				errx(2, "bad frame count '%s'", optarg);
			break;
		}
		case 'd':
		case 'i':
			top.interval_s = units_parse(optarg, "interval", 0.01);
			if (top.interval_s > 86400)
				errx(2, "bad interval '%s'", optarg);
			break;
		case 'v':
			top.view = (enum view)parse_choice(optarg, view_names,
							   VIEW_N, "view");
			break;
		case 's':
			top.sort = (enum column)parse_choice(optarg, column_names,
							     COL_N, "column");
			break;
		case 'r': top.reverse = true; break;
		case 'w': {
			int w = weight_parse(optarg);
			if (w != WEIGHT_COUNT && w != WEIGHT_LATENCY &&
			    w != WEIGHT_BYTES)
				errx(2, "unknown weight '%s' (count, latency "
				     "or bytes)", optarg);
			top.flame_weight = (enum weight)w;
			break;
		}
		case OPT_JSON: top.json = true; break;
		case OPT_KEEP: top.keep_exited = true; break;
		case OPT_TREE: top.tree = true; break;
		case 'F': expr = optarg; break;
		case 'h': usage(stdout, 0); break;
		case VERSION_OPT: version_exit("ior-top");
		default: usage(stderr, 2);
		}
	}
	if (argc - optind > 1)
		usage(stderr, 2);
	if (top.json && !top.batch)
		errx(2, "--json is for batch mode (-b)");
	if (expr != NULL) {
		filter_stage_init(&pairs_filter, expr);
		strlcpy(top.filter, expr, sizeof(top.filter));
	} else {
		char msg[8];

		(void)filter_stage_try(&pairs_filter, "", msg, sizeof(msg));
	}
	interval_ns = (uint64_t)(top.interval_s * 1e9);

	struct agg_fields fields;
	char why[64];
	/* The flame view's stacks. */
	agg_fields_parse("comm;syscall;path", &fields, why, sizeof(why));
	top_keep(&top);
	top_agg_init(&top, &top.current, &fields, false);
	top_agg_init(&top, &top.last, &fields, false);
	top_agg_init(&top, &top.total, &fields, true);
	idmap_init(&top.exited);
	idmap_init(&top.parents);
	top.calls.cut = UINT64_MAX;
	top.input = &input;
	top.pairs_filter = &pairs_filter;

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	stream_reader_open(&reader, optind < argc ? argv[optind] : "-");
	agg_input_init(&input, &top.current, &reader);
	reader.before_read = before_read;
	clock_gettime(CLOCK_MONOTONIC, &last_frame);
	if (!top.batch)
		start_terminal();

	/*
	 * Batch mode has no keys: no drill down, no other view.  Only the
	 * stream view there reads the calls kept; the others skip the copy
	 * into the ring (and its 11 MiB).
	 */
	bool keep_calls = !top.batch || top.view == VIEW_STREAM;
	const struct ior_record *rec;
	unsigned n = 0;
	while ((rec = stream_next(&reader))) {
		const struct ior_record *f;

		if ((f = filter_stage_before(&pairs_filter, reader.type)) != NULL)
			on_other_record(f, IOR_FILTER);
		/* Every call is kept, for the stream view and a new filter. */
		bool pair = reader.type == IOR_PAIR && keep_calls;
		if (pair)
			calls_keep(&top.calls, (const void *)rec);
		if ((f = filter_stage_pass(&pairs_filter, reader.type, rec,
					   reader.size)) == rec) {
			if (pair)
				top_stream_added(&top);
			on_record(rec);
		} else if (f != NULL) {
			on_other_record(f, reader.type);
		}
		/* Keys and signals stay live while input streams in. */
		if ((++n & 4095) == 0) {
			if (quit_signal)
				finish(1);
			if (curses_on)
				read_keys();
		}
	}
	if ((rec = filter_stage_end(&pairs_filter)) != NULL)
		on_other_record(rec, IOR_FILTER);
	bool ok = input_ok = reader.status != STREAM_ERROR;
	agg_input_finish(&input);
	top.input_ended = true;
	flush_pending();
	/* The last, partial interval, over the time it covers. */
	if (top.current.pairs || top.current.lost || top.intervals == 0) {
		uint64_t start = boundary ? boundary - interval_ns : 0;
		double secs = start && last_pair_end > start ?
			      (double)(last_pair_end - start) / 1e9 : top.interval_s;
		end_interval(secs, last_pair_end ? last_pair_end + clock_to_real : 0);
		/* Every call kept is in an interval shown. */
		cur_start_clk = last_pair_end + 1;
	}
	if (!ok && curses_on) {
		snprintf(top.status, sizeof(top.status),
			 "input damaged (the message follows on exit); q quits");
		top_draw(&top, false);
	}
	if (top.batch)
		finish(ok ? 0 : 1);
	/* Interactive: the last figures stay on screen until q (paused: held). */
	if (!top.paused)
		top_draw(&top, help_shown);
	for (;;)
		wait_input(-1);
}
