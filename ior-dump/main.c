/* SPDX-License-Identifier: MIT */
/*
 * ior-dump - print any ior stream as strace-like text or JSON lines, or
 * count its records, or give its pairs to other tools as CSV, flat rows or
 * a timeline (rows.c).  docs/ior-dump.md is the output contract.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errname.h"
#include "escape.h"
#include "names.h"
#include "nav.h"
#include "output.h"
#include "rows.h"
#include "sockname.h"
#include "stream.h"
#include "trie.h"
#include "syscalls.h"
#include "sysnames.h"
#include "version.h"

#define TYPE_SLOTS 22   /* known types counted by slot, the rest as unknown */

/*
 * Colour (text on a terminal, --color): SGR sequences go around text that
 * is already escaped, never inside a string from the stream, so no stream
 * byte can open, close or extend one.
 */
#define SGR_ERROR "\033[1;31m"  /* a failed call; loss */
#define SGR_SLOW "\033[33m"     /* the latency of a slow call */
#define SGR_BREAK "\033[36m"    /* the `--` between context groups */
#define SGR_OFF "\033[m"
#define SLOW_NS 10000000u       /* 10 ms: a disk seek, a lock wait */

struct dump {
	bool json, stats, wall;
	bool color;                     /* --color */
	bool context;                   /* the record shown is -A/-B context */
	uint64_t offset;                /* the input offset of the one shown */
	int strsize;                    /* -s N, or -1: strings whole */
	bool bad_name;                  /* an IOR_NAME record was damage */
	FILE *out;
	struct nav *nav;                /* -F, --from, --to, -A, -B */
	struct rows *rows;              /* --csv, --rows, --timeline, or NULL */
	struct sysnames names;
	struct stream_reader *in;      /* the input being read */
	struct name_table strings;      /* IOR_NAME strings by kind and id */
	uint64_t anchor_clock, anchor_realtime;

	/* --stats */
	uint64_t counts[TYPE_SLOTS + 1];
	uint64_t lost, bytes;
	unsigned sections;
	bool all_trailers;
};

static const uint16_t counted_types[TYPE_SLOTS] = {
	STREAM_SECTION, IOR_SYSCALL_NAME, IOR_PROCESS, IOR_FD,
	IOR_SNAPSHOT_END, IOR_SYSCALL_ENTER, IOR_SYSCALL_EXIT, IOR_TASK_NEW,
	IOR_EXEC, IOR_TASK_EXIT, IOR_COMM, IOR_LOSS, IOR_TRAILER, IOR_NAME,
	IOR_PAIR, IOR_PAIR_TOTALS, IOR_MISS, IOR_SYSCALL_STRINGS,
	IOR_SYSCALL_INODES, IOR_SYSCALL_SOCKADDR, IOR_URING_SUBMIT,
	IOR_URING_COMPLETE,
};

/*
 * The kernel's restart codes: a syscall interrupted by a signal exits with
 * one, and the program sees either the restarted call or EINTR, never the
 * code, so strerror() has no text for them.
 */
static const char *
restart_name(int64_t ret)
{
	switch (ret) {
	case -512: return "ERESTARTSYS";
	case -513: return "ERESTARTNOINTR";
	case -514: return "ERESTARTNOHAND";
	case -516: return "ERESTART_RESTARTBLOCK";
	}
	return NULL;
}

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: ior-dump [--json] [--stats] [--wall] [-F EXPR] "
		"[-A N] [-B N] [-C N]\n"
		"                [--from SEQ|TIME] [--to SEQ|TIME] [-s N] "
		"[--color[=WHEN]] [FILE ...]\n"
		"       ior-dump --csv | --rows | --timeline [-F EXPR] "
		"[-A N] [-B N] [-C N]\n"
		"                [--from SEQ|TIME] [--to SEQ|TIME] [FILE ...]\n");
	if (status != 0)
		exit(status);
	fprintf(f, "\n"
"Print an ior stream (raw, paired or aggregate) as strace-like text, or as\n"
"JSON lines with --json.  --stats counts records by type and reports loss\n"
"and whether the stream ended cleanly.  --wall shows wall-clock times.\n"
"-F EXPR (--filter) shows only the pairs EXPR matches, as ior-grep EXPR\n"
"would (docs/filter.md); other records all pass.\n"
"-A N, -B N, -C N: also N pairs after, before, or around each match of -F,\n"
"with a -- line between groups that do not touch (text only).\n"
"--from X, --to X: only pairs from/to X, both included: a sequence number\n"
"(17 or #17) or a time, +2.5s from the start or 10:42:07.5 by the clock\n"
"(the filter tests seq>=X, time<=X...).  Past a --to sequence number in\n"
"a section ior-pair numbered in order, the rest of the input is not read.\n"
"-s N cuts each quoted string (paths, arguments) to N bytes, then '...'\n"
"(default: whole).  --color=auto|always|never: failed calls in red, calls\n"
"of 10 ms or more with a yellow latency; auto (the default, as --color)\n"
"means on a terminal unless NO_COLOR is set and not empty.\n"
"\n"
"For other tools, the pairs only, with the host and wall-clock time of\n"
"their section: --csv, one row per call under a header line (RFC 4180);\n"
"--rows, the same columns as flat JSON lines (ClickHouse's JSONEachRow,\n"
"DuckDB's read_json); --timeline, a Chrome trace-event JSON document,\n"
"one slice per call on its thread, for Perfetto UI or chrome://tracing.\n"
"-F, --from, --to and -A/-B/-C choose their pairs as the text's.\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture -- ls | ior-dump\n"
"  ior-dump --json run.ior | jq 'select(.type == \"exit\" and .errno)'\n"
"  ior-dump --stats run.ior\n"
"  ior-dump -F errors -B 3 run.pairs      # each failure and what led to it\n"
"  ior-dump --from +2s --to +2.5s -s 40 run.pairs\n"
"  ior-dump --from 1200 --to 1300 run.pairs\n"
"  ior-pair run.ior | ior-dump --csv > calls.csv\n"
"  ior-pair run.ior | ior-dump --rows |\n"
"      clickhouse-client --query 'INSERT INTO ior.pairs FORMAT JSONEachRow'\n"
"  ior-pair run.ior | ior-dump --timeline > run.trace.json\n");
	exit(status);
}


/* A wait(2) status as a person reads it. */
static void
text_wait_status(FILE *f, int status)
{
	if (WIFSIGNALED(status))
		fprintf(f, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			sigabbrev_np(WTERMSIG(status)) : "?");
	else
		fprintf(f, "exited %d", WEXITSTATUS(status));
}

static const char *
stop_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		"end", "signal", "duration", "command", "target",
	};

	return reason < 5 ? names[reason] : "unknown";
}

static const char *
comm_of(const uint8_t comm[IOR_COMM_LEN], char buf[IOR_COMM_LEN + 1])
{
	memcpy(buf, comm, IOR_COMM_LEN);
	buf[IOR_COMM_LEN] = '\0';
	return buf;
}

/* JSON helpers: a key and a byte string; a key and NUL-separated args. */
static void
json_bytes(FILE *f, const char *key, const void *bytes, size_t len)
{
	fprintf(f, ",\"%s\":", key);
	put_json_string(f, bytes, len);
}

static void
json_strz(FILE *f, const char *key, const char *s)
{
	json_bytes(f, key, s, strlen(s));
}

static void
json_string_ref(FILE *f, const char *key, bool found,
		const struct string_ref *s)
{
	if (found)
		json_bytes(f, key, s->bytes, s->len);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void
json_argv(FILE *f, const char *key, const struct string_ref *s, bool found)
{
	size_t start = 0;

	fprintf(f, ",\"%s\":[", key);
	if (found && s->len > 0) {
		for (size_t i = 0; i <= s->len; i++) {
			if (i < s->len && s->bytes[i] != '\0')
				continue;
			if (start > 0)
				putc(',', f);
			put_json_string(f, s->bytes + start, i - start);
			start = i + 1;
		}
	}
	putc(']', f);
}

/*
 * A quoted string from the stream, cut to -s N bytes as strace does:
 * `"/var/lo"...`.  A character of valid UTF-8 is never cut in two (its
 * bytes would show as \xNN escapes); it is left out whole.
 */
static void
text_quoted(struct dump *d, const void *bytes, size_t len, bool truncated)
{
	const unsigned char *b = bytes;
	size_t n = len;

	if (d->strsize >= 0 && len > (size_t)d->strsize) {
		n = 0;
		while (n < len) {
			size_t l = utf8_sequence_len(b + n, len - n);

			if (l == 0)
				l = 1;
			if (n + l > (size_t)d->strsize)
				break;
			n += l;
		}
		truncated = true;
	}
	put_text(d->out, b, n, TEXT_QUOTE);
	if (truncated)
		fputs("...", d->out);
}

static void
text_string_ref(struct dump *d, bool found, const struct string_ref *s)
{
	if (!found) {
		fputs("?", d->out);
		return;
	}
	text_quoted(d, s->bytes, s->len, s->flags & IOR_STRING_TRUNCATED);
}

static void
color_on(struct dump *d, const char *sgr)
{
	if (d->color)
		fputs(sgr, d->out);
}

static void
color_off(struct dump *d)
{
	if (d->color)
		fputs(SGR_OFF, d->out);
}

/* A pair's latency as strace -T shows it, in colour when it is slow. */
static void
text_latency(struct dump *d, uint64_t ns)
{
	bool slow = ns >= SLOW_NS;

	if (slow)
		color_on(d, SGR_SLOW);
	fprintf(d->out, "<%.6f>", ns / 1e9);
	if (slow)
		color_off(d);
}

static void
text_time(struct dump *d, uint64_t t)
{
	if (d->wall) {
		uint64_t real = d->anchor_realtime + (t - d->anchor_clock);
		time_t secs = real / 1000000000u;
		struct tm tm;

		localtime_r(&secs, &tm);
		fprintf(d->out, "%02d:%02d:%02d.%06u ", tm.tm_hour, tm.tm_min,
			tm.tm_sec, (unsigned)(real % 1000000000u / 1000));
	} else {
		fprintf(d->out, "%10.6f ",
			(double)(int64_t)(t - d->anchor_clock) / 1e9);
	}
}

static void
text_who(struct dump *d, uint64_t t, uint32_t pid, uint32_t tid)
{
	char who[32];

	text_time(d, t);
	snprintf(who, sizeof(who), "%u/%u", pid, tid);
	fprintf(d->out, "%-13s ", who);
}

/* A register value the way a person reads it: small signed, else hex. */
static void
text_arg(FILE *f, uint64_t v)
{
	if (v >= (uint64_t)-4096)
		fprintf(f, "%" PRId64, (int64_t)v);
	else if (v <= 0xffffffffu && (int32_t)v < 0 && (int32_t)v >= -4096)
		fprintf(f, "%d", (int32_t)v);
	else if (v < 0x100000)
		fprintf(f, "%" PRIu64, v);
	else
		fprintf(f, "0x%" PRIx64, v);
}

/*
 * NAME(ARG, ...) of an enter or an io_uring submission: each argument as
 * a number, or as the string the record holds for it (is_str[i]).
 */
static void
text_call(struct dump *d, const char *name, const uint64_t *args,
	  unsigned nargs, const struct string_ref *strs, const bool *is_str)
{
	FILE *f = d->out;

	put_text_str(f, name, 0);
	putc('(', f);
	for (unsigned i = 0; i < nargs; i++) {
		if (i)
			fputs(", ", f);
		if (is_str[i])
			text_string_ref(d, true, &strs[i]);
		else
			text_arg(f, args[i]);
	}
	putc(')', f);
}

static void
dump_section(struct dump *d, const struct ior_section *s)
{
	struct string_ref tool, cmd, host, rel, ver, mach;
	bool has_tool = section_string(s, IOR_HDR_TOOL, &tool);
	bool has_cmd = section_string(s, IOR_HDR_CMDLINE, &cmd);
	bool has_host = section_string(s, IOR_HDR_HOSTNAME, &host);
	bool has_rel = section_string(s, IOR_HDR_KERNEL_RELEASE, &rel);
	bool has_ver = section_string(s, IOR_HDR_KERNEL_VERSION, &ver);
	bool has_mach = section_string(s, IOR_HDR_MACHINE, &mach);
	FILE *f = d->out;

	d->anchor_clock = s->anchor_clock_ns;
	d->anchor_realtime = s->anchor_realtime_ns;
	sysnames_reset(&d->names);
	name_table_reset(&d->strings);
	if (d->json) {
		fprintf(f, ",\"version\":\"%u.%u\"", s->version_major,
			s->version_minor);
		json_string_ref(f, "tool", has_tool, &tool);
		json_argv(f, "cmdline", &cmd, has_cmd);
		json_string_ref(f, "hostname", has_host, &host);
		json_string_ref(f, "kernel_release", has_rel, &rel);
		json_string_ref(f, "kernel_version", has_ver, &ver);
		json_string_ref(f, "machine", has_mach, &mach);
		fprintf(f, ",\"clock\":\"%s\",\"anchor_clock_ns\":%" PRIu64
			",\"anchor_realtime_ns\":%" PRIu64 ",\"producer_pid\":%u",
			s->clock_id == 1 ? "monotonic" : "unknown",
			(uint64_t)s->anchor_clock_ns,
			(uint64_t)s->anchor_realtime_ns, s->producer_pid);
		return;
	}
	{
		time_t secs = s->anchor_realtime_ns / 1000000000u;
		char when[64];
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "# section %u: ", d->in->sections);
		if (has_tool)
			put_text(f, tool.bytes, tool.len, TEXT_WORD);
		fprintf(f, " %u.%u on ", s->version_major, s->version_minor);
		if (has_host)
			put_text(f, host.bytes, host.len, TEXT_WORD);
		fputs(", Linux ", f);
		if (has_rel)
			put_text(f, rel.bytes, rel.len, TEXT_WORD);
		putc(' ', f);
		if (has_mach)
			put_text(f, mach.bytes, mach.len, TEXT_WORD);
		fprintf(f, ", %s.%06u UTC\n", when,
			(unsigned)(s->anchor_realtime_ns % 1000000000u / 1000));
	}
	if (has_cmd) {
		fputs("# cmdline:", f);
		for (size_t i = 0, start = 0; i <= cmd.len; i++) {
			if (i < cmd.len && cmd.bytes[i] != '\0')
				continue;
			putc(' ', f);
			put_text(f, cmd.bytes + start, i - start, TEXT_WORD);
			start = i + 1;
		}
		putc('\n', f);
	}
}

static void
dump_syscall_name(struct dump *d, const struct ior_syscall_name *s,
		  uint32_t size)
{
	struct string_ref name;
	bool has = record_string_at(s, size, s->str_off, s->nstrings, 0, &name);
	const char *fam = family_name(s->family);
	FILE *f = d->out;

	sysnames_add(&d->names, s, size);
	if (d->json) {
		fprintf(f, ",\"nr\":%u", s->nr);
		json_string_ref(f, "name", has, &name);
		fprintf(f, ",\"nargs\":%u,\"family\":\"%s\",\"path_args\":[",
			s->nargs, fam ? fam : "unknown");
		for (unsigned i = 0, n = 0; i < 8; i++)
			if (s->path_args & (1u << i))
				fprintf(f, "%s%u", n++ ? "," : "", i);
		fprintf(f, "],\"traced\":%s,\"missing\":%s",
			s->flags & IOR_SYSNAME_TRACED ? "true" : "false",
			s->flags & IOR_SYSNAME_MISSING ? "true" : "false");
		return;
	}
	fprintf(f, "# syscall %u ", s->nr);
	if (has)
		put_text(f, name.bytes, name.len, TEXT_WORD);
	if (s->flags & IOR_SYSNAME_MISSING) {
		fputs(": missing from this kernel\n", f);
		return;
	}
	fprintf(f, ": %u args, family %s", s->nargs, fam ? fam : "unknown");
	if (s->path_args) {
		fputs(", strings in arg", f);
		for (unsigned i = 0, n = 0; i < 8; i++)
			if (s->path_args & (1u << i))
				fprintf(f, "%s%u", n++ ? "," : " ", i);
	}
	putc('\n', f);
}

static void
dump_process(struct dump *d, const struct ior_process *p, uint32_t size)
{
	struct string_ref exe, cwd, cmd;
	bool has_exe = record_string_by_tag(p, size, p->str_off, p->nstrings,
					    IOR_PROC_EXE, &exe);
	bool has_cwd = record_string_by_tag(p, size, p->str_off, p->nstrings,
					    IOR_PROC_CWD, &cwd);
	bool has_cmd = record_string_by_tag(p, size, p->str_off, p->nstrings,
					    IOR_PROC_CMDLINE, &cmd);
	char comm[IOR_COMM_LEN + 1];
	FILE *f = d->out;

	comm_of(p->comm, comm);
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"ppid\":%u,"
			"\"uid\":%u,\"threads\":%u", (uint64_t)p->time_ns,
			p->pid, p->ppid, p->uid, p->nthreads);
		json_strz(f, "comm", comm);
		json_string_ref(f, "exe", has_exe, &exe);
		json_string_ref(f, "cwd", has_cwd, &cwd);
		json_argv(f, "cmdline", &cmd, has_cmd);
		return;
	}
	fprintf(f, "# process %u (", p->pid);
	put_text_str(f, comm, 0);
	fprintf(f, ") ppid %u uid %u exe ", p->ppid, p->uid);
	text_string_ref(d, has_exe, &exe);
	fputs(" cwd ", f);
	text_string_ref(d, has_cwd, &cwd);
	putc('\n', f);
}

static void
dump_fd(struct dump *d, const struct ior_fd *r, uint32_t size)
{
	struct string_ref path;
	bool has = record_string_at(r, size, r->str_off, r->nstrings, 0, &path);
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"fd\":%d,"
			"\"flags\":%u,\"pos\":%" PRIu64, (uint64_t)r->time_ns,
			r->pid, r->fd, r->flags, (uint64_t)r->pos);
		json_string_ref(f, "path", has, &path);
		return;
	}
	fprintf(f, "# fd %u %d ", r->pid, r->fd);
	text_string_ref(d, has, &path);
	fprintf(f, " flags 0%o pos %" PRIu64 "\n", r->flags, (uint64_t)r->pos);
}

static void
dump_enter(struct dump *d, const struct ior_syscall_enter *e, uint32_t size)
{
	const uint64_t *args = (const void *)(e + 1);
	unsigned nargs = e->nargs;
	char nbuf[24];
	const char *name = sysnames_get(&d->names, e->header.misc, nbuf);
	struct string_ref s, strs[IOR_ARGS_MAX];
	struct string_iter it;
	bool is_str[IOR_ARGS_MAX];
	FILE *f = d->out;

	/* The reader refuses more than IOR_ARGS_MAX; the cut keeps it so. */
	if (nargs > IOR_ARGS_MAX)
		nargs = IOR_ARGS_MAX;
	if (sizeof(*e) + nargs * 8u > size)
		nargs = size > sizeof(*e) ? (size - sizeof(*e)) / 8 : 0;
	record_strings_by_arg(e, size, e->str_off, e->nstrings, strs, is_str);
	if (d->json) {
		bool first = true;

		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u", (uint64_t)e->time_ns, e->pid, e->tid,
			e->header.misc);
		json_strz(f, "syscall", name);
		fputs(",\"args\":[", f);
		for (unsigned i = 0; i < nargs; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "", args[i]);
		fputs("],\"strings\":[", f);
		string_iter_init(&it, e, size, e->str_off, e->nstrings);
		while (string_iter_next(&it, &s)) {
			fprintf(f, "%s{\"arg\":%u,\"value\":", first ? "" : ",",
				s.tag);
			put_json_string(f, s.bytes, s.len);
			if (s.flags & IOR_STRING_TRUNCATED)
				fputs(",\"truncated\":true", f);
			if (s.flags & IOR_STRING_FAULT)
				fputs(",\"fault\":true", f);
			putc('}', f);
			if (first)
				first = false;
		}
		putc(']', f);
		if (e->nstrings > 0 &&
		    record_string_at(e, size, e->str_off, e->nstrings, 0, &s))
			json_bytes(f, "path", s.bytes, s.len);
		return;
	}
	text_who(d, e->time_ns, e->pid, e->tid);
	fputs("> ", f);
	text_call(d, name, args, nargs, strs, is_str);
	putc('\n', f);
}

static void
dump_strings(struct dump *d, const struct ior_syscall_strings *x,
	     uint32_t size)
{
	char nbuf[24];
	const char *name = sysnames_get(&d->names, x->header.misc, nbuf);
	struct string_ref s;
	struct string_iter it;
	FILE *f = d->out;

	if (d->json) {
		bool first = true;

		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u", (uint64_t)x->time_ns, x->pid, x->tid,
			x->header.misc);
		json_strz(f, "syscall", name);
		fputs(",\"strings\":[", f);
		string_iter_init(&it, x, size, x->str_off, x->nstrings);
		while (string_iter_next(&it, &s)) {
			fprintf(f, "%s{\"arg\":%u,\"value\":", first ? "" : ",",
				s.tag);
			put_json_string(f, s.bytes, s.len);
			if (s.flags & IOR_STRING_TRUNCATED)
				fputs(",\"truncated\":true", f);
			if (s.flags & IOR_STRING_FAULT)
				fputs(",\"fault\":true", f);
			putc('}', f);
			first = false;
		}
		putc(']', f);
		return;
	}
	text_who(d, x->time_ns, x->pid, x->tid);
	fprintf(f, "= %s", name);
	string_iter_init(&it, x, size, x->str_off, x->nstrings);
	while (string_iter_next(&it, &s)) {
		fprintf(f, " arg %u ", s.tag);
		text_string_ref(d, true, &s);
	}
	fputs(" (read at exit)\n", f);
}

static void
text_uring_flags(FILE *f, uint32_t flags)
{
	static const char *const names[] = { "fixed", "sqpoll", "async",
					     "link", "direct" };
	const char *sep = " [";

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1u << i)) {
			fprintf(f, "%s%s", sep, names[i]);
			sep = ",";
		}
	if (sep[0] == ',')
		putc(']', f);
}

/* An io_uring submission: read as an enter, the ring fields after it. */
static void
dump_uring_submit(struct dump *d, const struct ior_uring_submit *u,
		  uint32_t size)
{
	const uint64_t *args = (const void *)(u + 1);
	unsigned nargs = u->nargs > IOR_ARGS_MAX ? IOR_ARGS_MAX : u->nargs;
	char nbuf[24];
	unsigned nr = IOR_URING_NR_BASE + u->header.misc;
	const char *name = sysnames_get(&d->names, nr, nbuf);
	/* Argument 1, the path of an open, is the one string an op has. */
	struct string_ref strs[IOR_ARGS_MAX];
	bool is_str[IOR_ARGS_MAX] = { false };
	FILE *f = d->out;

	is_str[1] = record_string_by_tag(u, size, u->str_off, u->nstrings, 1,
					 &strs[1]);
	if (sizeof(*u) + nargs * 8u > size)
		nargs = size > sizeof(*u) ? (size - sizeof(*u)) / 8 : 0;
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u,\"opcode\":%u", (uint64_t)u->time_ns, u->pid,
			u->tid, nr, u->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"ring\":%" PRIu64 ",\"req\":%" PRIu64
			",\"user_data\":%" PRIu64 ",\"flags\":%u,\"args\":[",
			(uint64_t)u->ring, (uint64_t)u->req,
			(uint64_t)u->user_data, u->flags);
		for (unsigned i = 0; i < nargs; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "", args[i]);
		putc(']', f);
		if (is_str[1]) {
			json_bytes(f, "path", strs[1].bytes, strs[1].len);
			if (strs[1].flags & IOR_STRING_TRUNCATED)
				fputs(",\"truncated\":true", f);
			if (strs[1].flags & IOR_STRING_FAULT)
				fputs(",\"fault\":true", f);
		}
		return;
	}
	text_who(d, u->time_ns, u->pid, u->tid);
	fputs("> ", f);
	text_call(d, name, args, nargs, strs, is_str);
	fprintf(f, " ring 0x%" PRIx64 " req 0x%" PRIx64 " user_data 0x%"
		PRIx64, (uint64_t)u->ring, (uint64_t)u->req,
		(uint64_t)u->user_data);
	text_uring_flags(f, u->flags);
	putc('\n', f);
}

static void
dump_uring_complete(struct dump *d, const struct ior_uring_complete *c)
{
	char nbuf[24];
	unsigned nr = IOR_URING_NR_BASE + c->header.misc;
	const char *name = sysnames_get(&d->names, nr, nbuf);
	bool failed = c->res < 0 && c->res >= -4095;
	char ebuf[ERRNO_NAME_LEN];
	const char *ename = failed ? errno_name((unsigned)-c->res, ebuf) : NULL;
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u,\"opcode\":%u", (uint64_t)c->time_ns, c->pid,
			c->tid, nr, c->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"ring\":%" PRIu64 ",\"req\":%" PRIu64
			",\"ret\":%d,\"cflags\":%u,\"exec_tid\":%u",
			(uint64_t)c->ring, (uint64_t)c->req, c->res, c->cflags,
			c->exec_tid);
		if (failed)
			json_strz(f, "errno", ename);
		return;
	}
	text_who(d, c->time_ns, c->pid, c->tid);
	fputs("< ", f);
	put_text_str(f, name, 0);
	if (failed)
		fprintf(f, " = -1 %s", ename);
	else
		fprintf(f, " = %d", c->res);
	fprintf(f, " req 0x%" PRIx64, (uint64_t)c->req);
	if (c->exec_tid != c->tid)
		fprintf(f, " (in tid %u)", c->exec_tid);
	if (c->cflags & IOR_URING_CQE_F_MORE)
		fputs(" [more]", f);
	putc('\n', f);
}

static void
dump_inodes(struct dump *d, const struct ior_syscall_inodes *x, uint32_t size)
{
	char nbuf[24];
	const char *name = sysnames_get(&d->names, x->header.misc, nbuf);
	FILE *f = d->out;

	if (size < sizeof(*x)) {
		if (d->json)
			fprintf(f, ",\"size\":%u", size);
		else
			fprintf(f, "# inodes record of %u bytes\n", size);
		return;
	}
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u", (uint64_t)x->time_ns, x->pid, x->tid,
			x->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"fds\":[%d,%d],\"inodes\":[%" PRIu64 ",%" PRIu64
			"]", x->fd[0], x->fd[1], (uint64_t)x->ino[0],
			(uint64_t)x->ino[1]);
		return;
	}
	text_who(d, x->time_ns, x->pid, x->tid);
	fputs("= ", f);
	put_text_str(f, name, 0);
	for (int i = 0; i < 2; i++)
		if (x->fd[i] >= 0)
			fprintf(f, " fd %d inode %" PRIu64, x->fd[i],
				(uint64_t)x->ino[i]);
	fputs(" (read at exit)\n", f);
}

static void
dump_sockaddr(struct dump *d, const struct ior_syscall_sockaddr *x,
	      uint32_t size)
{
	char nbuf[24], addr[SOCKNAME_MAX];
	const char *name = sysnames_get(&d->names, x->header.misc, nbuf);
	size_t len = 0;
	FILE *f = d->out;

	if (size < sizeof(*x) || x->len > size - sizeof(*x)) {
		if (d->json)
			fprintf(f, ",\"size\":%u", size);
		else
			fprintf(f, "# sockaddr record of %u bytes\n", size);
		return;
	}
	len = sockname_format(addr, x + 1, x->len, x->socktype);
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u", (uint64_t)x->time_ns, x->pid, x->tid,
			x->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"arg\":%u,\"addrlen\":%u,\"socktype\":%u",
			x->arg, x->addrlen, x->socktype);
		if (len > 0)
			json_bytes(f, "addr", addr, len);
		if (x->flags & IOR_STRING_TRUNCATED)
			fputs(",\"truncated\":true", f);
		if (x->flags & IOR_STRING_FAULT)
			fputs(",\"fault\":true", f);
		return;
	}
	text_who(d, x->time_ns, x->pid, x->tid);
	fputs("= ", f);
	put_text_str(f, name, 0);
	fprintf(f, " arg %u ", x->arg);
	if (x->flags & IOR_STRING_FAULT)
		fputs("<unreadable address>", f);
	else if (len > 0)
		put_text(f, addr, len, 0);
	else
		fputs("<no address>", f);
	if (x->flags & IOR_STRING_TRUNCATED)
		fprintf(f, " (socket address, %u of %u bytes)\n", x->len,
			x->addrlen);
	else
		fputs(" (socket address)\n", f);
}

static void
dump_exit(struct dump *d, const struct ior_syscall_exit *x, uint32_t size)
{
	const struct ior_syscall_exit_fds *xf = (const void *)x;
	bool has_fds = size >= sizeof(*xf);
	char nbuf[24];
	const char *name = sysnames_get(&d->names, x->header.misc, nbuf);
	const char *restart = restart_name(x->ret);
	bool failed = x->ret < 0 && x->ret >= -4095 && restart == NULL;
	char ebuf[ERRNO_NAME_LEN];
	const char *ename = failed ? errno_name((unsigned)-x->ret, ebuf) : NULL;
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"nr\":%u", (uint64_t)x->time_ns, x->pid, x->tid,
			x->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"ret\":%" PRId64, (int64_t)x->ret);
		if (failed)
			json_strz(f, "errno", ename);
		if (restart)
			json_strz(f, "restart", restart);
		if (has_fds)
			fprintf(f, ",\"fds\":[%d,%d]", xf->fds[0], xf->fds[1]);
		return;
	}
	text_who(d, x->time_ns, x->pid, x->tid);
	fputs("< ", f);
	put_text_str(f, name, 0);
	fputs(" = ", f);
	if (has_fds) {
		fprintf(f, "%" PRId64 " [%d, %d]\n", (int64_t)x->ret, xf->fds[0],
			xf->fds[1]);
		return;
	}
	if (restart)
		fprintf(f, "? %s (to be restarted, or EINTR)\n", restart);
	else if (failed) {
		color_on(d, SGR_ERROR);
		fprintf(f, "-1 %s (%s)", ename != ebuf ? ename : "E?",
			strerror(-x->ret));
		color_off(d);
		putc('\n', f);
	}
	else if ((uint64_t)x->ret > 0xffffffffu)
		fprintf(f, "0x%" PRIx64 "\n", (uint64_t)x->ret);
	else
		fprintf(f, "%" PRId64 "\n", (int64_t)x->ret);
}

static void
dump_task_new(struct dump *d, const struct ior_task_new *t)
{
	char comm[IOR_COMM_LEN + 1];
	bool thread = t->child_pid == t->parent_pid;
	FILE *f = d->out;

	comm_of(t->comm, comm);
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"parent_pid\":%u,"
			"\"parent_tid\":%u,\"child_pid\":%u,\"child_tid\":%u,"
			"\"clone_flags\":%" PRIu64 ",\"thread\":%s",
			(uint64_t)t->time_ns, t->parent_pid, t->parent_tid,
			t->child_pid, t->child_tid, (uint64_t)t->clone_flags,
			thread ? "true" : "false");
		json_strz(f, "comm", comm);
		return;
	}
	text_who(d, t->time_ns, t->parent_pid, t->parent_tid);
	fprintf(f, "%s %u/%u flags 0x%" PRIx64 "\n", thread ? "thread" : "fork",
		t->child_pid, t->child_tid, (uint64_t)t->clone_flags);
}

static void
dump_exec(struct dump *d, const struct ior_exec *x, uint32_t size)
{
	struct string_ref file;
	bool has = record_string_at(x, size, x->str_off, x->nstrings, 0, &file);
	char comm[IOR_COMM_LEN + 1];
	FILE *f = d->out;

	comm_of(x->comm, comm);
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"old_tid\":%u",
			(uint64_t)x->time_ns, x->pid, x->old_tid);
		json_strz(f, "comm", comm);
		json_string_ref(f, "filename", has, &file);
		return;
	}
	text_who(d, x->time_ns, x->pid, x->pid);
	fputs("exec ", f);
	text_string_ref(d, has, &file);
	fputs(" (", f);
	put_text_str(f, comm, 0);
	fputs(")\n", f);
}

static void
dump_task_exit(struct dump *d, const struct ior_task_exit *x)
{
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"exit_code\":%d,\"group_dead\":%s",
			(uint64_t)x->time_ns, x->pid, x->tid, x->exit_code,
			x->header.misc ? "true" : "false");
		return;
	}
	text_who(d, x->time_ns, x->pid, x->tid);
	if (WIFSIGNALED(x->exit_code))
		text_wait_status(f, x->exit_code);
	else
		fprintf(f, "exit %d", WEXITSTATUS(x->exit_code));
	fprintf(f, " (%s)\n", x->header.misc ? "process" : "thread");
}

static void
dump_comm(struct dump *d, const struct ior_comm *c)
{
	char comm[IOR_COMM_LEN + 1];
	FILE *f = d->out;

	comm_of(c->comm, comm);
	if (d->json) {
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u",
			(uint64_t)c->time_ns, c->pid, c->tid);
		json_strz(f, "comm", comm);
		return;
	}
	text_who(d, c->time_ns, c->pid, c->tid);
	fputs("comm ", f);
	put_text_str(f, comm, TEXT_QUOTE);
	putc('\n', f);
}

static void
dump_name(struct dump *d, const struct ior_name *n, uint32_t size)
{
	struct string_ref s;
	bool has = record_string_at(n, size, n->str_off, n->nstrings, 0, &s);
	unsigned kind = n->header.misc;
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"kind\":\"%s\",\"id\":%u",
			kind == IOR_NAME_PATH ? "path" :
			kind == IOR_NAME_COMM ? "comm" : "unknown", n->id);
		json_string_ref(f, "value", has, &s);
		if (has && (s.flags & IOR_STRING_TRUNCATED))
			fputs(",\"truncated\":true", f);
	}
	/* Text mode: names show up inside the pairs that use them. */
}

/* A name, and KEY_truncated when its string was cut (a long path). */
static void
json_name(struct dump *d, const char *key, unsigned kind, uint32_t id)
{
	size_t len;
	uint8_t flags;
	const char *name = name_table_get_flags(&d->strings, kind, id, &len,
						&flags);

	if (name == NULL) {
		fprintf(d->out, ",\"%s\":null", key);
		return;
	}
	json_bytes(d->out, key, name, len);
	if (flags & IOR_STRING_TRUNCATED)
		fprintf(d->out, ",\"%s_truncated\":true", key);
}

/* A name; a cut one ends "...", as strace shows a string it cut. */
static void
text_name(struct dump *d, unsigned kind, uint32_t id)
{
	size_t len;
	uint8_t flags;
	const char *name = name_table_get_flags(&d->strings, kind, id, &len,
						&flags);

	if (name != NULL)
		text_quoted(d, name, len, flags & IOR_STRING_TRUNCATED);
	else
		fprintf(d->out, "?%u", id);
}

static void
dump_pair(struct dump *d, const struct ior_pair *p)
{
	char nbuf[24];
	const char *name = sysnames_get(&d->names, p->header.misc, nbuf);
	const char *fam = family_name(p->family);
	char ebuf[ERRNO_NAME_LEN];
	const char *ename = p->err ? errno_name(p->err, ebuf) : NULL;
	FILE *f = d->out;

	if (d->json) {
		/* 0 is a 1.0 stream's pair, which has no sequence number. */
		if (p->seq)
			fprintf(f, ",\"seq\":%" PRIu64, (uint64_t)p->seq);
		else
			fputs(",\"seq\":null", f);
		fprintf(f, ",\"time_ns\":%" PRIu64 ",\"latency_ns\":%" PRIu64,
			(uint64_t)p->time_ns, (uint64_t)p->latency_ns);
		if (p->pair_flags & IOR_PAIR_GAP_KNOWN)
			fprintf(f, ",\"gap_ns\":%" PRIu64, (uint64_t)p->gap_ns);
		else
			fputs(",\"gap_ns\":null", f);
		fprintf(f, ",\"pid\":%u,\"tid\":%u", p->pid, p->tid);
		json_name(d, "comm", IOR_NAME_COMM, p->comm_id);
		fprintf(f, ",\"nr\":%u", p->header.misc);
		json_strz(f, "syscall", name);
		fprintf(f, ",\"family\":\"%s\",\"fd\":%d", fam ? fam : "unknown",
			p->fd);
		json_name(d, "path", IOR_NAME_PATH, p->path_id);
		if (p->path2_id)
			json_name(d, "path2", IOR_NAME_PATH, p->path2_id);
		fprintf(f, ",\"flags\":%u,\"ret\":%" PRId64 ",\"bytes\":%" PRIu64,
			p->flags, (int64_t)p->ret, (uint64_t)p->bytes);
		if (p->err)
			json_strz(f, "errno", ename);
		fprintf(f, ",\"read\":%s,\"write\":%s",
			p->pair_flags & IOR_PAIR_READ ? "true" : "false",
			p->pair_flags & IOR_PAIR_WRITE ? "true" : "false");
		if (p->pair_flags & IOR_PAIR_RESTART)
			fputs(",\"restart\":true", f);
		if (p->pair_flags & IOR_PAIR_NORETURN)
			fputs(",\"noreturn\":true", f);
		if (p->pair_flags & IOR_PAIR_FD_UNKNOWN)
			fputs(",\"fd_unknown\":true", f);
		if (p->pair_flags & IOR_PAIR_UNFINISHED)
			fputs(",\"unfinished\":true", f);
		if (p->pair_flags & IOR_PAIR_CWD_UNKNOWN)
			fputs(",\"cwd_unknown\":true", f);
		if (d->context)
			fputs(",\"context\":true", f);
		return;
	}
	text_who(d, p->time_ns, p->pid, p->tid);
	{
		size_t len;
		const char *comm = name_table_get(&d->strings, IOR_NAME_COMM,
						  p->comm_id, &len);
		/* A column of 16 characters, whatever bytes make them up. */
		if (comm)
			put_text_column(f, comm, len < IOR_COMM_LEN ? len :
					IOR_COMM_LEN, 0, 16);
		else
			fprintf(f, "%-16s", "?");
	}
	put_text_str(f, name, 0);
	putc('(', f);
	if (p->fd >= 0)
		fprintf(f, "%d", p->fd);
	if (p->path_id) {
		fputs(p->fd >= 0 ? " " : "", f);
		text_name(d, IOR_NAME_PATH, p->path_id);
	}
	if (p->path2_id) {
		fputs(" -> ", f);
		text_name(d, IOR_NAME_PATH, p->path2_id);
	}
	if (p->pair_flags & IOR_PAIR_UNFINISHED) {
		/* as strace shows a call the trace ended inside */
		fputs(" <unfinished ...> ", f);
		text_latency(d, p->latency_ns);
		putc('\n', f);
		return;
	}
	fputs(") = ", f);
	if (p->err) {
		color_on(d, SGR_ERROR);
		fprintf(f, "-1 %s (%s)", ename != ebuf ? ename : "E?",
			strerror(p->err));
		color_off(d);
	} else if (restart_name(p->ret))
		fprintf(f, "? %s", restart_name(p->ret));
	else if ((uint64_t)p->ret > 0xffffffffu)
		fprintf(f, "0x%" PRIx64, (uint64_t)p->ret);
	else
		fprintf(f, "%" PRId64, (int64_t)p->ret);
	if (p->pair_flags & IOR_PAIR_RESTART)
		fputs(" (restart)", f);
	if (p->bytes)
		fprintf(f, " [%" PRIu64 " B %s]", (uint64_t)p->bytes,
			(p->pair_flags & (IOR_PAIR_READ | IOR_PAIR_WRITE)) ==
			(IOR_PAIR_READ | IOR_PAIR_WRITE) ? "moved" :
			p->pair_flags & IOR_PAIR_READ ? "read" : "written");
	putc(' ', f);
	text_latency(d, p->latency_ns);
	if (p->seq)
		fprintf(f, " #%" PRIu64, (uint64_t)p->seq);
	putc('\n', f);
}

static void
dump_filter(struct dump *d, const struct ior_filter *r, uint32_t size)
{
	struct string_ref e;
	bool has = record_string_by_tag(r, size, r->str_off, r->nstrings,
					IOR_FILTER_EXPR, &e);
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, ",\"seen\":%" PRIu64 ",\"kept\":%" PRIu64
			",\"dropped\":%" PRIu64, (uint64_t)r->seen,
			(uint64_t)r->kept,
			(uint64_t)(r->seen >= r->kept ? r->seen - r->kept : 0));
		json_string_ref(f, "expr", has, &e);
		return;
	}
	fprintf(f, "# filter: kept %" PRIu64 " of %" PRIu64 " pairs: ",
		(uint64_t)r->kept, (uint64_t)r->seen);
	text_string_ref(d, has, &e);
	putc('\n', f);
}

static const char *
agg_kind_name(unsigned kind)
{
	switch (kind) {
	case IOR_AGG_SYSCALL: return "syscall";
	case IOR_AGG_PROCESS: return "process";
	case IOR_AGG_FILE: return "file";
	case IOR_AGG_DIR: return "dir";
	}
	return "unknown";
}

static void
dump_agg_begin(struct dump *d, const struct ior_agg_begin *b, uint32_t size)
{
	FILE *f = d->out;
	struct string_ref fields;
	bool found = record_string_by_tag(b, size, b->str_off, b->nstrings,
					  IOR_AGG_STR_FIELDS, &fields);
	/* fleet merging (docs/fleet.md): the host the snapshot is of. */
	struct string_ref host;
	bool host_found = record_string_by_tag(b, size, b->str_off,
					       b->nstrings, IOR_AGG_STR_HOST,
					       &host);
	if (d->json) {
		fprintf(f, ",\"sequence\":%u,\"start_ns\":%" PRIu64
			",\"end_ns\":%" PRIu64 ",\"pairs\":%" PRIu64
			",\"lost\":%" PRIu64 ",\"unmatched_exits\":%" PRIu64
			",\"unmatched_enters\":%" PRIu64 ",\"fd_unknown\":%"
			PRIu64 ",\"interval_ms\":%u,\"stats\":%u,\"nodes\":%u"
			",\"max_nodes\":%u,\"weight\":\"%s\",\"periodic\":%s"
			",\"final\":%s,\"truncated\":%s", b->sequence,
			(uint64_t)b->start_ns, (uint64_t)b->end_ns,
			(uint64_t)b->pairs, (uint64_t)b->lost,
			(uint64_t)b->unmatched_exits,
			(uint64_t)b->unmatched_enters, (uint64_t)b->fd_unknown,
			b->interval_ms, b->stats, b->nodes, b->max_nodes,
			weight_name(b->weight),
			b->header.misc & IOR_AGG_PERIODIC ? "true" : "false",
			b->header.misc & IOR_AGG_FINAL ? "true" : "false",
			b->header.misc & IOR_AGG_TRUNCATED ? "true" : "false");
		json_string_ref(f, "fields", found, &fields);
		if (host_found)
			json_string_ref(f, "host", true, &host);
		fprintf(f, ",\"continued\":%s",
			b->header.misc & IOR_AGG_CONTINUED ? "true" : "false");
		return;
	}
	fprintf(f, "# aggregate %u: %" PRIu64 " pairs, %" PRIu64 " lost, %u "
		"stats, %u nodes by %s of ", b->sequence, (uint64_t)b->pairs,
		(uint64_t)b->lost, b->stats, b->nodes, weight_name(b->weight));
	text_string_ref(d, found, &fields);
	if (host_found) {
		fputs(", host ", f);
		text_string_ref(d, true, &host);
	}
	fprintf(f, "%s%s%s\n", b->header.misc & IOR_AGG_CONTINUED ?
		", continued" : "",
		b->header.misc & IOR_AGG_FINAL ? ", final" : "",
		b->header.misc & IOR_AGG_TRUNCATED ? ", TRUNCATED" : "");
}

static void
dump_agg_stat(struct dump *d, const struct ior_agg_stat *s, uint32_t size)
{
	FILE *f = d->out;
	struct string_ref key;
	bool found = record_string_by_tag(s, size, s->str_off, s->nstrings,
					  IOR_AGG_STR_KEY, &key);
	const char *kind = agg_kind_name(s->header.misc);
	if (d->json) {
		fprintf(f, ",\"kind\":\"%s\"", kind);
		json_string_ref(f, "key", found, &key);
		if (s->header.misc == IOR_AGG_PROCESS)
			fprintf(f, ",\"pid\":%u", s->pid);
		fprintf(f, ",\"count\":%" PRIu64 ",\"errors\":%" PRIu64
			",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64
			",\"latency_sum\":%" PRIu64 ",\"latency_min\":%" PRIu64
			",\"latency_max\":%" PRIu64 ",\"gap_count\":%" PRIu64
			",\"gap_sum\":%" PRIu64 ",\"nerrno\":%u",
			(uint64_t)s->count, (uint64_t)s->errors,
			(uint64_t)s->bytes_read, (uint64_t)s->bytes_written,
			(uint64_t)s->latency_sum, (uint64_t)s->latency_min,
			(uint64_t)s->latency_max, (uint64_t)s->gap_count,
			(uint64_t)s->gap_sum, s->nerrno);
		return;
	}
	fprintf(f, "# agg %-7s ", kind);
	if (s->header.misc == IOR_AGG_PROCESS)
		fprintf(f, "%u ", s->pid);
	text_string_ref(d, found, &key);
	fprintf(f, ": %" PRIu64 " calls, %" PRIu64 " errors, %" PRIu64
		" B read, %" PRIu64 " B written, latency %" PRIu64 " ns in all\n",
		(uint64_t)s->count, (uint64_t)s->errors,
		(uint64_t)s->bytes_read, (uint64_t)s->bytes_written,
		(uint64_t)s->latency_sum);
}

static void
dump_agg_node(struct dump *d, const struct ior_agg_node *n, uint32_t size)
{
	FILE *f = d->out;
	struct string_ref label;
	bool found = record_string_by_tag(n, size, n->str_off, n->nstrings,
					  IOR_AGG_STR_LABEL, &label);
	if (d->json) {
		fprintf(f, ",\"parent\":%u", n->parent);
		json_string_ref(f, "label", found, &label);
		fprintf(f, ",\"classes\":%u,\"count\":%" PRIu64 ",\"errors\":%"
			PRIu64 ",\"latency_ns\":%" PRIu64 ",\"gap_ns\":%" PRIu64
			",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64,
			n->classes, (uint64_t)n->count, (uint64_t)n->errors,
			(uint64_t)n->latency_ns, (uint64_t)n->gap_ns,
			(uint64_t)n->bytes_read, (uint64_t)n->bytes_written);
		return;
	}
	fprintf(f, "# agg node under %u ", n->parent);
	text_string_ref(d, found, &label);
	fprintf(f, ": %" PRIu64 " calls, %" PRIu64 " ns\n",
		(uint64_t)n->count, (uint64_t)n->latency_ns);
}

static void
dump_record(struct dump *d, const struct ior_record *rec, uint16_t type,
	    uint32_t size)
{
	const char *name = record_type_name(type);
	FILE *f = d->out;

	if (d->json) {
		fprintf(f, "{\"type\":\"%s\",\"offset\":%" PRIu64,
			name ? name : "unknown", d->offset);
	}
	switch (type) {
	case STREAM_SECTION:
		dump_section(d, (const void *)rec);
		break;
	case IOR_SYSCALL_NAME:
		dump_syscall_name(d, (const void *)rec, size);
		break;
	case IOR_PROCESS:
		dump_process(d, (const void *)rec, size);
		break;
	case IOR_FD:
		dump_fd(d, (const void *)rec, size);
		break;
	case IOR_SNAPSHOT_END: {
		const struct ior_snapshot_end *s = (const void *)rec;

		if (d->json)
			fprintf(f, ",\"time_ns\":%" PRIu64 ",\"processes\":%u,"
				"\"fds\":%u", (uint64_t)s->time_ns,
				s->processes, s->fds);
		else
			fprintf(f, "# snapshot: %u processes, %u fds\n",
				s->processes, s->fds);
		break;
	}
	case IOR_SYSCALL_ENTER:
		dump_enter(d, (const void *)rec, size);
		break;
	case IOR_SYSCALL_EXIT:
		dump_exit(d, (const void *)rec, size);
		break;
	case IOR_TASK_NEW:
		dump_task_new(d, (const void *)rec);
		break;
	case IOR_EXEC:
		dump_exec(d, (const void *)rec, size);
		break;
	case IOR_TASK_EXIT:
		dump_task_exit(d, (const void *)rec);
		break;
	case IOR_COMM:
		dump_comm(d, (const void *)rec);
		break;
	case IOR_LOSS: {
		const struct ior_loss *l = (const void *)rec;

		if (d->json)
			fprintf(f, ",\"time_ns\":%" PRIu64 ",\"cpu\":%u,"
				"\"lost\":%" PRIu64 ",\"lost_total\":%" PRIu64,
				(uint64_t)l->time_ns, l->cpu,
				(uint64_t)l->lost, (uint64_t)l->lost_total);
		else {
			color_on(d, SGR_ERROR);
			fprintf(f, "# loss: cpu %u lost %" PRIu64 " (total %"
				PRIu64 ")", l->cpu, (uint64_t)l->lost,
				(uint64_t)l->lost_total);
			color_off(d);
			putc('\n', f);
		}
		break;
	}
	case IOR_MISS: {
		const struct ior_miss *m = (const void *)rec;
		struct string_ref prog;
		bool has = record_string_at(m, size, m->str_off, m->nstrings, 0,
					    &prog);

		if (d->json) {
			fprintf(f, ",\"time_ns\":%" PRIu64 ",\"missed\":%" PRIu64
				",\"missed_total\":%" PRIu64,
				(uint64_t)m->time_ns, (uint64_t)m->missed,
				(uint64_t)m->missed_total);
			json_string_ref(f, "program", has, &prog);
		} else {
			color_on(d, SGR_ERROR);
			fputs("# miss: program ", f);
			text_string_ref(d, has, &prog);
			fprintf(f, " skipped %" PRIu64 " (total %" PRIu64 ")",
				(uint64_t)m->missed, (uint64_t)m->missed_total);
			color_off(d);
			putc('\n', f);
		}
		break;
	}
	case IOR_URING_SUBMIT:
		dump_uring_submit(d, (const void *)rec, size);
		break;
	case IOR_URING_COMPLETE:
		dump_uring_complete(d, (const void *)rec);
		break;
	case IOR_SYSCALL_STRINGS:
		dump_strings(d, (const void *)rec, size);
		break;
	case IOR_SYSCALL_INODES:
		dump_inodes(d, (const void *)rec, size);
		break;
	case IOR_SYSCALL_SOCKADDR:
		dump_sockaddr(d, (const void *)rec, size);
		break;
	case IOR_TRAILER: {
		const struct ior_trailer *t = (const void *)rec;

		if (d->json) {
			fprintf(f, ",\"time_ns\":%" PRIu64 ",\"records\":%" PRIu64
				",\"events\":%" PRIu64 ",\"lost\":%" PRIu64
				",\"missed\":%" PRIu64,
				(uint64_t)t->time_ns, (uint64_t)t->records,
				(uint64_t)t->events, (uint64_t)t->lost,
				(uint64_t)t->missed);
			fprintf(f, ",\"reason\":\"%s\",\"status\":%d",
				stop_reason_name(t->reason), t->status);
			break;
		}
		fprintf(f, "# trailer: %" PRIu64 " records, %" PRIu64
			" events, %" PRIu64 " lost", (uint64_t)t->records,
			(uint64_t)t->events, (uint64_t)(t->lost + t->missed));
		if (t->missed)
			fprintf(f, " (%" PRIu64 " skipped by the kernel)",
				(uint64_t)t->missed);
		fputs(", stopped: ", f);
		if (t->reason == IOR_STOP_COMMAND) {
			fputs("command ", f);
			text_wait_status(f, t->status);
			putc('\n', f);
		} else
			fprintf(f, "%s\n", stop_reason_name(t->reason));
		break;
	}
	case IOR_NAME:
		dump_name(d, (const void *)rec, size);
		break;
	case IOR_PAIR:
		dump_pair(d, (const void *)rec);
		break;
	case IOR_FILTER:
		dump_filter(d, (const void *)rec, size);
		break;
	case IOR_PAIR_TOTALS: {
		const struct ior_pair_totals *t = (const void *)rec;

		if (d->json)
			fprintf(f, ",\"pairs\":%" PRIu64 ",\"unmatched_exits\":%"
				PRIu64 ",\"unmatched_enters\":%" PRIu64
				",\"lost\":%" PRIu64 ",\"fd_unknown\":%" PRIu64
				",\"missed\":%" PRIu64,
				(uint64_t)t->pairs, (uint64_t)t->unmatched_exits,
				(uint64_t)t->unmatched_enters,
				(uint64_t)t->lost, (uint64_t)t->fd_unknown,
				(uint64_t)t->missed);
		else
			fprintf(f, "# pairs: %" PRIu64 ", unmatched exits %"
				PRIu64 ", unmatched enters %" PRIu64
				", lost %" PRIu64 ", unknown fds %" PRIu64
				", skipped %" PRIu64 "\n",
				(uint64_t)t->pairs, (uint64_t)t->unmatched_exits,
				(uint64_t)t->unmatched_enters,
				(uint64_t)t->lost, (uint64_t)t->fd_unknown,
				(uint64_t)t->missed);
		break;
	}
	case IOR_AGG_BEGIN:
		dump_agg_begin(d, (const void *)rec, size);
		break;
	case IOR_AGG_STAT:
		dump_agg_stat(d, (const void *)rec, size);
		break;
	case IOR_AGG_NODE:
		dump_agg_node(d, (const void *)rec, size);
		break;
	case IOR_AGG_END:
		if (d->json)
			fprintf(f, ",\"sequence\":%u",
				((const struct ior_agg_end *)rec)->sequence);
		else
			fprintf(f, "# aggregate %u end\n",
				((const struct ior_agg_end *)rec)->sequence);
		break;
	default:
		if (d->json)
			fprintf(f, ",\"record_type\":%u,\"size\":%u", type, size);
		else
			fprintf(f, "# unknown record type 0x%04x, %u bytes\n",
				type, size);
	}
	if (d->json)
		fputs("}\n", f);
}

static void
count_record(struct dump *d, const struct ior_record *rec, uint16_t type,
	     uint32_t size)
{
	unsigned slot = TYPE_SLOTS;

	for (unsigned i = 0; i < TYPE_SLOTS; i++)
		if (counted_types[i] == type)
			slot = i;
	d->counts[slot]++;
	d->bytes += size;
	if (type == STREAM_SECTION)
		d->sections++;
	else if (type == IOR_LOSS)
		d->lost += ((const struct ior_loss *)rec)->lost;
	else if (type == IOR_MISS)      /* skipped runs are lost events too */
		d->lost += ((const struct ior_miss *)rec)->missed;
}

static void
print_stats(struct dump *d)
{
	FILE *f = d->out;
	bool first = true;

	if (d->json)
		fputs("{\"records\":{", f);
	for (unsigned i = 0; i <= TYPE_SLOTS; i++) {
		const char *name = i < TYPE_SLOTS ?
			record_type_name(counted_types[i]) : "unknown";

		if (d->counts[i] == 0 && i == TYPE_SLOTS)
			continue;
		if (d->json)
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", name,
				d->counts[i]);
		else
			fprintf(f, "%-14s %" PRIu64 "\n", name, d->counts[i]);
		first = false;
	}
	if (d->json)
		fprintf(f, "},\"sections\":%u,\"lost\":%" PRIu64 ",\"trailer\":%s,"
			"\"bytes\":%" PRIu64 "}\n", d->sections, d->lost,
			d->all_trailers ? "true" : "false", d->bytes);
	else
		fprintf(f, "%-14s %u\n%-14s %" PRIu64 "\n%-14s %s\n",
			"sections", d->sections, "lost", d->lost, "trailer",
			d->all_trailers ? "yes" : "no");
}

static void
show_record(struct dump *d, const struct ior_record *rec, uint16_t type,
	    uint32_t size)
{
	if (d->stats)
		count_record(d, rec, type, size);
	else if (d->rows != NULL)
		rows_record(d->rows, d->in, rec, type, size, &d->strings);
	else
		dump_record(d, rec, type, size);
	output_check(d->out, "<stdout>");
}

/*
 * Before a read(2) that may block: what was printed goes out now, so a
 * live capture shows each call as it happens; at full rate the input is
 * never idle and the 64 KiB buffer stays full.
 */
static void
flush_output(void *arg)
{
	struct dump *d = arg;

	output_flush(d->out, "<stdout>");
}

/* What nav.h selects, to the output mode. */
static void
show_selected(void *arg, const struct ior_record *rec, uint16_t type,
	      uint32_t size, uint64_t offset, unsigned flags)
{
	struct dump *d = arg;
	const char *bad;

	if (flags & NAV_BREAK) {
		/* As grep's: text only; other outputs are read by programs. */
		if (!d->json && !d->stats && d->rows == NULL) {
			color_on(d, SGR_BREAK);
			fputs("--", d->out);
			color_off(d);
			putc('\n', d->out);
		}
		return;
	}
	/* Taken before it is shown: a bad one is damage, not output. */
	if (type == IOR_NAME &&
	    (bad = name_table_add(&d->strings, (const void *)rec,
				  size)) != NULL) {
		stream_damage(d->in, "%s at offset %llu",
			      bad, (unsigned long long)d->in->record_offset);
		d->bad_name = true;
		return;
	}
	d->context = flags & NAV_CONTEXT;
	d->offset = offset;
	show_record(d, rec, type, size);
	d->context = false;
}

static int
dump_input(struct dump *d, const char *path)
{
	struct stream_reader r;
	const struct ior_record *rec;
	bool stopped = false;
	int status;

	stream_reader_open(&r, path);
	r.before_read = flush_output;
	r.before_read_arg = d;
	d->in = &r;
	d->bad_name = false;
	while ((rec = stream_next(&r)) != NULL) {
		if (!nav_record(d->nav, r.type, rec, r.size, r.record_offset,
				show_selected, d)) {
			stopped = true;         /* past --to: the rest is not read */
			break;
		}
		if (d->bad_name)
			break;
	}
	nav_end(d->nav, r.record_offset, show_selected, d);
	if (r.status != STREAM_END && !stopped)
		d->all_trailers = false;
	status = r.status == STREAM_END || stopped ? 0 : 1;
	stream_reader_close(&r);
	sysnames_reset(&d->names);
	name_table_reset(&d->strings);
	return status;
}

/* A count of -A, -B, -C or -s. */
static long long
count_arg(const char *opt, const char *arg)
{
	const char *why;
	long long n = strtonum(arg, 0, INT_MAX, &why);

	if (why != NULL)
		errx(2, "%s: count '%s' is %s", opt, arg, why);
	return n;
}

/*
 * --color=WHEN.  auto: on a terminal, unless NO_COLOR is set to anything
 * but "" (no-color.org) or TERM is dumb.  always beats NO_COLOR.
 */
static bool
color_wanted(const char *when)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	if (strcmp(when, "auto") != 0)
		errx(2, "--color: bad value '%s' (use auto, always or never)",
		     when);
	return isatty(STDOUT_FILENO) && (no == NULL || no[0] == '\0') &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

int
main(int argc, char **argv)
{
	enum { OPT_STATS = VERSION_OPT + 1, OPT_FROM, OPT_TO, OPT_COLOR };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "wall", no_argument, NULL, 'w' },
		{ "filter", required_argument, NULL, 'F' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		VERSION_LONGOPT,
		ROWS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char outbuf[1 << 16];
	static struct nav nav;
	struct dump d = { .out = stdout, .all_trailers = true, .strsize = -1,
			  .nav = &nav };
	struct nav_opts nopt = { 0 };
	const char *color = "auto";
	long long after = -1, before = -1, around = 0;
	static struct rows rows;
	int ch, status = 0;

	while ((ch = getopt_long(argc, argv, "jwF:A:B:C:s:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'j': d.json = true; break;
		case OPT_STATS: d.stats = true; break;
		case 'w': d.wall = true; break;
		case 'F': nopt.filter = optarg; break;
		case 'A': after = count_arg("-A", optarg); break;
		case 'B': before = count_arg("-B", optarg); break;
		case 'C': around = count_arg("-C", optarg); break;
		case 's': d.strsize = count_arg("-s", optarg); break;
		case OPT_FROM: nopt.from = optarg; break;
		case OPT_TO: nopt.to = optarg; break;
		case OPT_COLOR: color = optarg ? optarg : "auto"; break;
		case VERSION_OPT: version_exit("ior-dump");
		case ROWS_CSV: case ROWS_JSON: case ROWS_TIMELINE:
			if (d.rows != NULL && (int)rows.mode != ch)
				usage(stderr, 2);
			rows.mode = ch;
			d.rows = &rows;
			break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	/* As grep: -A and -B win over -C, whichever comes first. */
	nopt.after = after >= 0 ? after : around;
	nopt.before = before >= 0 ? before : around;
	if ((nopt.after || nopt.before) && nopt.filter == NULL)
		errx(2, "-A, -B and -C show pairs around the matches of -F EXPR, "
		     "and there is no -F");
	d.color = color_wanted(color) && !d.json && !d.stats && !d.rows;
	/* One output format: rows are for programs, not --json's records. */
	if (d.rows != NULL && (d.json || d.stats))
		usage(stderr, 2);
	output_init();
	nav_init(&nav, &nopt, &d.strings);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (d.rows != NULL)
		rows_init(&rows, rows.mode, stdout);
	if (optind == argc)
		status |= dump_input(&d, NULL);
	for (int i = optind; i < argc; i++)
		status |= dump_input(&d, argv[i]);
	if (d.stats)
		print_stats(&d);
	if (d.rows != NULL)
		status |= rows_finish(&rows);
	nav_release(&nav);
	return output_close(stdout, "<stdout>", status);
}
