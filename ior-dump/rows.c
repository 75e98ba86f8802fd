/* SPDX-License-Identifier: MIT */
/*
 * rows.c - the pairs of a stream as CSV, flat JSON lines or a Chrome
 * trace-event timeline, for spreadsheets, databases (ClickHouse's
 * JSONEachRow, DuckDB's read_json) and trace viewers (Perfetto UI,
 * chrome://tracing).  rows.h says what goes in, docs/ior-dump.md what
 * comes out.
 */
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errname.h"
#include "escape.h"
#include "rows.h"
#include "syscalls.h"

/*
 * The columns of --csv and --rows, in order.  A contract with every
 * table and script built on them: a column is never renamed, removed or
 * moved, and a new one only ever goes at the end.
 */
static const char *const columns[] = {
	"seq", "host", "wall_ns", "wall_time", "time_ns", "pid", "tid",
	"comm", "syscall", "family", "fd", "path", "ret", "errno", "bytes",
	"latency_ns", "gap_ns", "path2", "nr", "flags", "err", "bytes_read",
	"bytes_written", "read", "write", "restart", "noreturn", "fd_unknown",
	"cwd_unknown", "unfinished",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static int
track_cmp(const struct rows_track *a, const struct rows_track *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}
/* As lib/names.c: libbsd's RB_GENERATE_STATIC needs an undefined __unused. */
RB_GENERATE_INTERNAL(rows_tracks, rows_track, link, track_cmp,
		     __attribute__((unused)) static)

/* A copy of len bytes (len may be 0), which the caller frees. */
static char *
copy_bytes(const void *bytes, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		err(1, "malloc");
	memcpy(s, bytes, len);
	s[len] = '\0';
	return s;
}

/* Column i's separator, then the column's name in --rows. */
static void
key(struct rows *w, unsigned i)
{
	if (w->mode == ROWS_CSV) {
		if (i > 0)
			putc(',', w->out);
	} else {
		fprintf(w->out, "%s\"%s\":", i > 0 ? "," : "", columns[i]);
	}
}

/* A string column; NULL bytes: absent (null, or an empty CSV field). */
static void
col_string(struct rows *w, unsigned i, const void *bytes, size_t len)
{
	key(w, i);
	if (w->mode == ROWS_CSV) {
		if (bytes != NULL)
			put_csv_string(w->out, bytes, len);
	} else if (bytes != NULL) {
		put_json_string(w->out, bytes, len);
	} else {
		fputs("null", w->out);
	}
}

/* A string of our own (a family or errno name): plain ASCII. */
static void
col_word(struct rows *w, unsigned i, const char *s)
{
	col_string(w, i, s, strlen(s));
}

static void
col_u64(struct rows *w, unsigned i, uint64_t v)
{
	key(w, i);
	fprintf(w->out, "%" PRIu64, v);
}

static void
col_i64(struct rows *w, unsigned i, int64_t v)
{
	key(w, i);
	fprintf(w->out, "%" PRId64, v);
}

/* An integer that may be unknown: null, or an empty CSV field. */
static void
col_u64_or_null(struct rows *w, unsigned i, bool known, uint64_t v)
{
	if (known) {
		col_u64(w, i, v);
		return;
	}
	key(w, i);
	if (w->mode != ROWS_CSV)
		fputs("null", w->out);
}

/*
 * A wall-clock time in ISO 8601, UTC, to the nanosecond, as
 * 2026-12-02T16:43:26.123456789Z: exact, where a float of seconds would
 * round, and sortable as text.
 */
static void
iso_time(char buf[64], uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	size_t n;

	if (gmtime_r(&secs, &tm) == NULL ||
	    (n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf + n, 64 - n, ".%09uZ", (unsigned)(ns % 1000000000u));
}

/* A thread's wall-clock time: the section's anchor pair converts it. */
static uint64_t
wall_of(const struct rows *w, uint64_t t)
{
	return w->anchor_realtime + (t - w->anchor_clock);
}

static void
write_row(struct rows *w, const struct ior_pair *p,
	  const struct name_table *names)
{
	char nbuf[24], when[64];
	const char *syscall = sysnames_get(&w->sysnames, p->header.misc, nbuf);
	const char *fam = family_name(p->family);
	char ebuf[ERRNO_NAME_LEN];
	const char *ename = p->err ? errno_name(p->err, ebuf) : NULL;
	size_t comm_len = 0, path_len = 0, path2_len = 0;
	const char *comm = name_table_get(names, IOR_NAME_COMM, p->comm_id,
					  &comm_len);
	const char *path = name_table_get(names, IOR_NAME_PATH, p->path_id,
					  &path_len);
	const char *path2 = name_table_get(names, IOR_NAME_PATH, p->path2_id,
					   &path2_len);
	uint64_t wall = wall_of(w, p->time_ns);
	uint8_t fl = p->pair_flags;
	uint64_t rd = fl & IOR_PAIR_READ ? p->bytes : 0;
	uint64_t wr = fl & IOR_PAIR_WRITE ? p->bytes : 0;
	unsigned i = 0;

	iso_time(when, wall);
	if (w->mode == ROWS_JSON)
		putc('{', w->out);
	/* 0 is a 1.0 stream's pair, which has no sequence number. */
	col_u64_or_null(w, i++, p->seq != 0, p->seq);
	col_string(w, i++, w->host ? w->host : "", w->host_len);
	col_u64(w, i++, wall);
	col_word(w, i++, when);
	col_u64(w, i++, p->time_ns);
	col_u64(w, i++, p->pid);
	col_u64(w, i++, p->tid);
	col_string(w, i++, comm, comm_len);
	col_string(w, i++, syscall, strlen(syscall));
	col_word(w, i++, fam ? fam : "unknown");
	col_i64(w, i++, p->fd);
	col_string(w, i++, path, path_len);
	col_i64(w, i++, p->ret);
	col_word(w, i++, ename ? ename : "");
	col_u64(w, i++, p->bytes);
	col_u64(w, i++, p->latency_ns);
	col_u64_or_null(w, i++, fl & IOR_PAIR_GAP_KNOWN, p->gap_ns);
	col_string(w, i++, path2, path2_len);
	col_u64(w, i++, p->header.misc);
	col_u64(w, i++, p->flags);
	col_u64(w, i++, p->err);
	col_u64(w, i++, rd);
	col_u64(w, i++, wr);
	col_u64(w, i++, !!(fl & IOR_PAIR_READ));
	col_u64(w, i++, !!(fl & IOR_PAIR_WRITE));
	col_u64(w, i++, !!(fl & IOR_PAIR_RESTART));
	col_u64(w, i++, !!(fl & IOR_PAIR_NORETURN));
	col_u64(w, i++, !!(fl & IOR_PAIR_FD_UNKNOWN));
	col_u64(w, i++, !!(fl & IOR_PAIR_CWD_UNKNOWN));
	col_u64(w, i++, !!(fl & IOR_PAIR_UNFINISHED));
	if (w->mode == ROWS_JSON)
		putc('}', w->out);
	putc('\n', w->out);
}

/* A signed count of nanoseconds as microseconds, exactly: -12.345. */
static void
put_us(FILE *f, uint64_t ns, bool negative)
{
	fprintf(f, "%s%" PRIu64 ".%03u", negative ? "-" : "", ns / 1000,
		(unsigned)(ns % 1000));
}

/* The separator before every timeline event but the first. */
static void
next_event(struct rows *w)
{
	fputs(w->events++ ? ",\n" : "\n", w->out);
}

static void
metadata(struct rows *w, const char *what, uint32_t pid, uint32_t tid,
	 const char *name, size_t len)
{
	next_event(w);
	fprintf(w->out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,"
		"\"args\":{\"name\":", what, pid, tid);
	put_json_string(w->out, name, len);
	fputs("}}", w->out);
}

/*
 * Name the track of (pid, tid) name, unless it already has that name.
 * Returns the track.  A comm that changes (an exec, a prctl) renames it:
 * viewers show the last name they read.
 */
static struct rows_track *
name_track(struct rows *w, uint32_t pid, uint32_t tid, const char *name,
	   size_t len)
{
	struct rows_track key = { .pid = pid, .tid = tid }, *t;

	if ((t = RB_FIND(rows_tracks, &w->tracks, &key)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			err(1, "malloc");
		t->pid = pid;
		t->tid = tid;
		RB_INSERT(rows_tracks, &w->tracks, t);
	}
	if (t->name != NULL && t->len == len && memcmp(t->name, name, len) == 0)
		return t;
	free(t->name);
	t->name = copy_bytes(name, len);
	t->len = len;
	metadata(w, tid ? "thread_name" : "process_name", pid, tid ? tid : pid,
		 name, len);
	return t;
}

/*
 * The tracks of a call's thread and process.  A process is named by its
 * main thread's comm (tid == pid) once a call of it is seen, until then by
 * the first comm of its threads.  A thread of tid 0 (a hostile stream)
 * cannot be told from the process's own track and is left unnamed.
 */
static void
timeline_tracks(struct rows *w, const struct ior_pair *p, const char *comm,
		size_t len)
{
	struct rows_track key = { .pid = p->pid, .tid = 0 }, *proc;
	bool main_thread = p->tid == p->pid;

	if (comm == NULL)
		return;
	if (p->tid != 0)
		name_track(w, p->pid, p->tid, comm, len);
	proc = RB_FIND(rows_tracks, &w->tracks, &key);
	if (proc == NULL || (main_thread && !proc->from_main) ||
	    (main_thread && (proc->len != len ||
			     memcmp(proc->name, comm, len) != 0))) {
		proc = name_track(w, p->pid, 0, comm, len);
		proc->from_main = main_thread;
	}
}

static void
write_event(struct rows *w, const struct ior_pair *p,
	    const struct name_table *names)
{
	char nbuf[24];
	const char *syscall = sysnames_get(&w->sysnames, p->header.misc, nbuf);
	const char *fam = family_name(p->family);
	size_t comm_len = 0, path_len = 0, path2_len = 0;
	const char *comm = name_table_get(names, IOR_NAME_COMM, p->comm_id,
					  &comm_len);
	const char *path = name_table_get(names, IOR_NAME_PATH, p->path_id,
					  &path_len);
	const char *path2 = name_table_get(names, IOR_NAME_PATH, p->path2_id,
					   &path2_len);
	uint64_t ts = wall_of(w, p->time_ns) - w->origin;
	bool before = ts >> 63;         /* before the first section's anchor */
	FILE *f = w->out;

	timeline_tracks(w, p, comm, comm_len);
	next_event(w);
	fputs("{\"ph\":\"X\",\"name\":", f);
	put_json_string(f, syscall, strlen(syscall));
	fprintf(f, ",\"cat\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":",
		fam ? fam : "unknown", p->pid, p->tid);
	put_us(f, before ? -ts : ts, before);
	fputs(",\"dur\":", f);
	put_us(f, p->latency_ns, false);
	fputs(",\"args\":{", f);
	if (p->seq)
		fprintf(f, "\"seq\":%" PRIu64 ",", (uint64_t)p->seq);
	fprintf(f, "\"fd\":%d", p->fd);
	if (path != NULL) {
		fputs(",\"path\":", f);
		put_json_string(f, path, path_len);
	}
	if (path2 != NULL) {
		fputs(",\"path2\":", f);
		put_json_string(f, path2, path2_len);
	}
	fprintf(f, ",\"ret\":%" PRId64, (int64_t)p->ret);
	if (p->err) {
		char ebuf[ERRNO_NAME_LEN];

		fprintf(f, ",\"errno\":\"%s\"", errno_name(p->err, ebuf));
	}
	if (p->bytes)
		fprintf(f, ",\"bytes\":%" PRIu64, (uint64_t)p->bytes);
	if (p->pair_flags & IOR_PAIR_GAP_KNOWN)
		fprintf(f, ",\"gap_ns\":%" PRIu64, (uint64_t)p->gap_ns);
	if (p->pair_flags & IOR_PAIR_UNFINISHED)
		fputs(",\"unfinished\":true", f);
	fputs("}}", f);
}

static void
take_section(struct rows *w, const struct ior_section *s,
	     struct name_table *names)
{
	struct string_ref host;

	sysnames_reset(&w->sysnames);
	name_table_reset(names);
	free(w->host);
	w->host = NULL;
	w->host_len = 0;
	if (section_string(s, IOR_HDR_HOSTNAME, &host)) {
		w->host = copy_bytes(host.bytes, host.len);
		w->host_len = host.len;
	}
	w->anchor_clock = s->anchor_clock_ns;
	w->anchor_realtime = s->anchor_realtime_ns;
	if (!w->have_origin) {
		w->have_origin = true;
		w->origin = s->anchor_realtime_ns;
		if (w->host != NULL) {
			w->origin_host = copy_bytes(w->host, w->host_len);
			w->origin_host_len = w->host_len;
		}
	}
}

void
rows_init(struct rows *w, enum rows_mode mode, FILE *out)
{
	*w = (struct rows){ .mode = mode, .out = out };
	RB_INIT(&w->tracks);
	if (mode == ROWS_CSV) {
		for (unsigned i = 0; i < NCOLUMNS; i++)
			fprintf(out, "%s%s", i ? "," : "", columns[i]);
		putc('\n', out);
	} else if (mode == ROWS_TIMELINE) {
		fputs("{\"traceEvents\":[", out);
	}
}

void
rows_record(struct rows *w, const struct stream_reader *in,
	    const struct ior_record *rec, uint16_t type, uint32_t size,
	    struct name_table *names)
{
	switch (type) {
	case STREAM_SECTION:
		take_section(w, (const void *)rec, names);
		break;
	case IOR_SYSCALL_NAME:
		sysnames_add(&w->sysnames, (const void *)rec, size);
		break;
	case IOR_PAIR:
		if (w->mode == ROWS_TIMELINE)
			write_event(w, (const void *)rec, names);
		else
			write_row(w, (const void *)rec, names);
		break;
	case IOR_SYSCALL_ENTER:
	case IOR_SYSCALL_EXIT:
		/* Rows are calls: a raw stream has none yet. */
		if (!w->raw_said) {
			warnx("%s: raw syscall events at offset %" PRIu64
			      " (pipe them through ior-pair first)", in->name,
			      in->record_offset);
			w->raw_said = true;
		}
		break;
	}
}

int
rows_finish(struct rows *w)
{
	struct rows_track *t, *next;

	if (w->mode == ROWS_TIMELINE) {
		char when[64];

		iso_time(when, w->origin);
		fprintf(w->out, "%s],\"displayTimeUnit\":\"ns\",\"otherData\":"
			"{\"tool\":\"ior-dump\"", w->events ? "\n" : "");
		if (w->have_origin) {
			fprintf(w->out, ",\"origin_realtime_ns\":%" PRIu64
				",\"origin\":\"%s\"", w->origin, when);
			if (w->origin_host != NULL) {
				fputs(",\"host\":", w->out);
				put_json_string(w->out, w->origin_host,
						w->origin_host_len);
			}
		}
		fputs("}}\n", w->out);
	}
	RB_FOREACH_SAFE(t, rows_tracks, &w->tracks, next) {
		RB_REMOVE(rows_tracks, &w->tracks, t);
		free(t->name);
		free(t);
	}
	sysnames_reset(&w->sysnames);
	free(w->host);
	free(w->origin_host);
	return w->raw_said ? 1 : 0;
}
