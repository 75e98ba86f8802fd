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
};

static struct stream_reader reader;
static struct agg_input input;
/* -F and the / prompt: pairs are filtered before they are counted. */
static struct filter_stage pairs_filter;
static FILE *tty;
static bool curses_on, help_shown, editing;
static bool input_ok = true;  /* the exit status after q */
static char edit_buf[sizeof(top.filter)];
static volatile sig_atomic_t quit_signal;
static char stderr_buf[8192];

/* Interval state, on the stream's clock. */
static uint64_t interval_ns, boundary, last_pair_end;
static int64_t clock_to_real;
static struct timespec last_frame;

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-top [-b] [-n COUNT] [-d SECONDS] [-v VIEW] [-s COLUMN] [-r]\n"
"               [-F EXPR] [FILE]\n"
"A live view of a paired ior stream (ior-pair) or of aggregate snapshots\n"
"(ior-agg -i), read from FILE or stdin; keys are read from the terminal.\n"
"\n"
"  -d SECONDS  the interval (default 1; -i is the same)\n"
"  -b          batch mode: plain text frames on stdout, no terminal\n"
"  -n COUNT    stop after COUNT frames\n"
"  -v VIEW     syscalls (default), files, processes, dirs\n"
"  -s COLUMN   sort by name, rate, read, write, errors, time (default),\n"
"              p50, p99, max, total, total_p99, total_max\n"
"  -r          reverse the sort\n"
"  -F EXPR     only the pairs EXPR matches, as ior-grep EXPR would keep\n"
"              (--filter; docs/filter.md); the / key changes it\n"
"  -h          this help\n"
"\n"
"Keys: s f p d (or Tab) switch view, < > sort column, r reverse, / filter,\n"
"space pause, c reset totals, h help, q quit.\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture | ior-pair | ior-top\n"
"  ior-pair run.ior | ior-top -b -n 1 -v files -s p99\n");
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
	top_end_interval(&top, seconds, end_ns);
	/* The input's caches point into the old aggregate. */
	top.current.generation = generation + 1;
	frame();
}

static void
next_view(int v)
{
	top.view = (enum view)v;
	if (top.sort == COL_NAME)
		top.reverse = false;
}

static void
handle_key(int ch)
{
	if (editing) {
		size_t len = strlen(edit_buf);
		char msg[200];

		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			/* A mistake is shown in place; the old filter stays. */
			if (!filter_stage_try(&pairs_filter, edit_buf, msg,
					      sizeof(msg))) {
				snprintf(top.status, sizeof(top.status),
					 "filter: %s (Esc keeps the old): %s_",
					 msg, edit_buf);
				top_draw(&top, false);
				return;
			}
			strlcpy(top.filter, edit_buf, sizeof(top.filter));
			pairs_filter.expr = top.filter;
			/*
			 * The figures so far are of another filter and the
			 * pairs are gone: start again from the next pair.
			 */
			struct agg_fields fields = top.last.fields;
			agg_release(&top.last);
			agg_init(&top.last, &fields, 64, WEIGHT_COUNT);
			top_reset(&top);
			editing = false;
			top.status[0] = '\0';
		} else if (ch == 27) {
			editing = false;
			top.status[0] = '\0';
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len) {
			edit_buf[len - 1] = '\0';
		} else if (ch >= 0x20 && ch < 0x100 && ch != 127 &&
			   len + 1 < sizeof(edit_buf)) {
			edit_buf[len] = (char)ch;
			edit_buf[len + 1] = '\0';
		}
		if (editing)
			snprintf(top.status, sizeof(top.status),
				 "filter (Enter applies, Esc cancels): %s_",
				 edit_buf);
		top_draw(&top, false);
		return;
	}
	if (help_shown && ch != KEY_RESIZE) {
		help_shown = false;
		top_draw(&top, false);
		return;
	}
	switch (ch) {
	case 'q': case 'Q': finish(input_ok ? 0 : 1); break;
	case 's': next_view(VIEW_SYSCALLS); break;
	case 'f': next_view(VIEW_FILES); break;
	case 'p': next_view(VIEW_PROCESSES); break;
	case 'd': next_view(VIEW_DIRS); break;
	case '\t': next_view((top.view + 1) % VIEW_N); break;
	case '<': case ',':
		top.sort = (enum column)((top.sort + COL_N - 1) % COL_N);
		break;
	case '>': case '.':
		top.sort = (enum column)((top.sort + 1) % COL_N);
		break;
	case 'r': top.reverse = !top.reverse; break;
	case ' ': top.paused = !top.paused; break;
	case 'c': top_reset(&top); break;
	case 'h': case '?': help_shown = true; break;
	case '/':
		editing = true;
		strlcpy(edit_buf, top.filter, sizeof(edit_buf));
		snprintf(top.status, sizeof(top.status),
			 "filter (Enter applies, Esc cancels): %s_", edit_buf);
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

static void
before_read(void *arg)
{
	(void)arg;
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
		boundary = 0;
		break;
	}
	case IOR_PAIR: {
		const struct ior_pair *p = (const void *)rec;
		if (!boundary)
			boundary = p->time_ns + interval_ns;
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
		if (p->time_ns + p->latency_ns > last_pair_end)
			last_pair_end = p->time_ns + p->latency_ns;
		break;
	}
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
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	output_init();
	while ((ch = getopt_long(argc, argv, "bn:d:i:v:s:rF:h", longopts,
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
		case 'F': expr = optarg; break;
		case 'h': usage(stdout, 0); break;
		case VERSION_OPT: version_exit("ior-top");
		default: usage(stderr, 2);
		}
	}
	if (argc - optind > 1)
		usage(stderr, 2);
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
	agg_fields_parse("comm", &fields, why, sizeof(why));
	agg_init(&top.current, &fields, 64, WEIGHT_COUNT);
	agg_init(&top.last, &fields, 64, WEIGHT_COUNT);
	agg_init(&top.total, &fields, 64, WEIGHT_COUNT);
	for (int v = 0; v < VIEW_N; v++)
		strtab_init(&top.history[v].keys);

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

	const struct ior_record *rec;
	unsigned n = 0;
	while ((rec = stream_next(&reader))) {
		const struct ior_record *f;

		if ((f = filter_stage_before(&pairs_filter, reader.type)) != NULL)
			on_other_record(f, IOR_FILTER);
		if ((f = filter_stage_pass(&pairs_filter, reader.type, rec,
					   reader.size)) == rec)
			on_record(rec);
		else if (f != NULL)
			on_other_record(f, reader.type);
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
	}
	if (!ok && curses_on) {
		snprintf(top.status, sizeof(top.status),
			 "input damaged (the message follows on exit); q quits");
		top_draw(&top, false);
	}
	if (top.batch)
		finish(ok ? 0 : 1);
	/* Interactive: the last figures stay on screen until q. */
	top_draw(&top, help_shown);
	for (;;)
		wait_input(-1);
}
