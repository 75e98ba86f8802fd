/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"

_Static_assert(sizeof(struct ior_record) == 8, "frame");
_Static_assert(sizeof(struct ior_string) == 4, "string header");
_Static_assert(sizeof(struct ior_section) == 48, "section");
_Static_assert(sizeof(struct ior_syscall_name) == 24, "syscall name");
_Static_assert(sizeof(struct ior_process) == 56, "process");
_Static_assert(sizeof(struct ior_fd) == 48, "fd");
_Static_assert(sizeof(struct ior_snapshot_end) == 24, "snapshot end");
_Static_assert(sizeof(struct ior_syscall_enter) == 32, "enter");
_Static_assert(sizeof(struct ior_syscall_exit) == 32, "exit");
_Static_assert(sizeof(struct ior_uring_submit) == 56, "uring submit");
_Static_assert(sizeof(struct ior_uring_complete) == 56, "uring complete");
_Static_assert(sizeof(struct ior_task_new) == 56, "task new");
_Static_assert(sizeof(struct ior_exec) == 48, "exec");
_Static_assert(sizeof(struct ior_task_exit) == 32, "task exit");
_Static_assert(sizeof(struct ior_comm) == 40, "comm");
_Static_assert(sizeof(struct ior_syscall_strings) == 32, "syscall strings");
_Static_assert(sizeof(struct ior_miss) == 40, "miss");
_Static_assert(sizeof(struct ior_loss) == 40, "loss");
_Static_assert(sizeof(struct ior_trailer) == 56, "trailer");
_Static_assert(sizeof(struct ior_name) == 16, "name");
_Static_assert(sizeof(struct ior_pair) == 88, "pair");
_Static_assert(offsetof(struct ior_pair, seq) == 80, "pair seq (1.1)");
_Static_assert(sizeof(struct ior_filter) == 32, "filter");
_Static_assert(sizeof(struct ior_pair_totals) == 56, "pair totals");

/*
 * Reads of 64 KiB: the buffer they land in stays in the cache between
 * one read and the parsing of its records, which larger reads defeat.
 */
#define READ_CHUNK (64u * 1024)
#define WRITE_BLOCK STREAM_WRITE_BLOCK

#define SLOT(type) (((type) >> 4) | ((type) & 15))
#define WORDS(type, st) [SLOT(type)] = sizeof(struct st) / 8
/* Types with strings or arguments, which stream_next() checks. */
#define VAR_WORDS(type, st) [SLOT(type)] = sizeof(struct st) / 8 | \
					   STREAM_KNOWN_VAR

_Static_assert(sizeof(struct ior_agg_begin) / 8 < STREAM_KNOWN_VAR,
	       "the largest fixed part fits beside the flag");

const uint8_t stream_known_words[64] = {
	VAR_WORDS(IOR_SYSCALL_NAME, ior_syscall_name),
	VAR_WORDS(IOR_PROCESS, ior_process),
	VAR_WORDS(IOR_FD, ior_fd),
	WORDS(IOR_SNAPSHOT_END, ior_snapshot_end),
	WORDS(IOR_LOSS, ior_loss),
	WORDS(IOR_TRAILER, ior_trailer),
	VAR_WORDS(IOR_MISS, ior_miss),
	VAR_WORDS(IOR_SYSCALL_ENTER, ior_syscall_enter),
	WORDS(IOR_SYSCALL_EXIT, ior_syscall_exit),
	WORDS(IOR_TASK_NEW, ior_task_new),
	VAR_WORDS(IOR_EXEC, ior_exec),
	WORDS(IOR_TASK_EXIT, ior_task_exit),
	WORDS(IOR_COMM, ior_comm),
	VAR_WORDS(IOR_SYSCALL_STRINGS, ior_syscall_strings),
	VAR_WORDS(IOR_URING_SUBMIT, ior_uring_submit),
	WORDS(IOR_URING_COMPLETE, ior_uring_complete),
	WORDS(IOR_SYSCALL_INODES, ior_syscall_inodes),
	WORDS(IOR_SYSCALL_SOCKADDR, ior_syscall_sockaddr),
	VAR_WORDS(IOR_NAME, ior_name),
	WORDS(IOR_PAIR, ior_pair),
	WORDS(IOR_PAIR_TOTALS, ior_pair_totals),
	VAR_WORDS(IOR_FILTER, ior_filter),
	VAR_WORDS(IOR_AGG_BEGIN, ior_agg_begin),
	VAR_WORDS(IOR_AGG_STAT, ior_agg_stat),
	VAR_WORDS(IOR_AGG_NODE, ior_agg_node),
	WORDS(IOR_AGG_END, ior_agg_end),
};

uint32_t
record_known_size(uint16_t type)
{
	return (type & 0xfcf0) == 0 ?
	       (stream_known_words[SLOT(type)] & ~STREAM_KNOWN_VAR) * 8u : 0;
}

const char *
record_type_name(uint16_t type)
{
	switch (type) {
	case STREAM_SECTION: return "section";
	case IOR_SYSCALL_NAME: return "syscall_name";
	case IOR_PROCESS: return "process";
	case IOR_FD: return "fd";
	case IOR_SNAPSHOT_END: return "snapshot_end";
	case IOR_LOSS: return "loss";
	case IOR_TRAILER: return "trailer";
	case IOR_MISS: return "miss";
	case IOR_FILTER: return "filter";
	case IOR_SYSCALL_ENTER: return "enter";
	case IOR_SYSCALL_EXIT: return "exit";
	case IOR_TASK_NEW: return "task_new";
	case IOR_EXEC: return "exec";
	case IOR_TASK_EXIT: return "task_exit";
	case IOR_COMM: return "comm";
	case IOR_SYSCALL_STRINGS: return "strings";
	case IOR_URING_SUBMIT: return "uring_submit";
	case IOR_URING_COMPLETE: return "uring_complete";
	case IOR_SYSCALL_INODES: return "inodes";
	case IOR_SYSCALL_SOCKADDR: return "sockaddr";
	case IOR_NAME: return "name";
	case IOR_PAIR: return "pair";
	case IOR_PAIR_TOTALS: return "pair_totals";
	case IOR_AGG_BEGIN: return "agg_begin";
	case IOR_AGG_STAT: return "agg_stat";
	case IOR_AGG_NODE: return "agg_node";
	case IOR_AGG_END: return "agg_end";
	}
	return NULL;
}

/*
 * Step over the string header at *off: false if it or its bytes run past
 * size or it is longer than IOR_STRING_MAX.  *s is the header read.
 */
static inline bool
string_step(const unsigned char *base, uint32_t size, uint32_t *off,
	    struct ior_string *s)
{
	if (*off + sizeof(*s) > size)
		return false;
	memcpy(s, base + *off, sizeof(*s));
	if (s->len > IOR_STRING_MAX || *off + sizeof(*s) + s->len > size)
		return false;
	*off = IOR_ALIGN4(*off + sizeof(*s) + s->len);
	return true;
}

/* The string whose header string_step() read at offset at. */
static struct string_ref
string_ref_of(const unsigned char *base, uint32_t at,
	      const struct ior_string *s)
{
	return (struct string_ref){ .bytes = base + at + sizeof(*s),
				    .len = s->len, .flags = s->flags,
				    .tag = s->tag };
}

bool
record_string_at(const void *rec, uint32_t size, unsigned str_off,
		 unsigned nstrings, unsigned index, struct string_ref *out)
{
	const unsigned char *base = rec;
	uint32_t off = str_off;

	for (unsigned i = 0; i < nstrings && i <= index; i++) {
		uint32_t at = off;
		struct ior_string s;

		if (!string_step(base, size, &off, &s))
			return false;
		if (i == index) {
			*out = string_ref_of(base, at, &s);
			return true;
		}
	}
	return false;
}

bool
record_string_by_tag(const void *rec, uint32_t size, unsigned str_off,
		     unsigned nstrings, unsigned tag, struct string_ref *out)
{
	const unsigned char *base = rec;
	uint32_t off = str_off;

	/* One pass: a record of 65535 strings costs 65535 steps, not 2^31. */
	for (unsigned i = 0; i < nstrings; i++) {
		uint32_t at = off;
		struct ior_string s;

		if (!string_step(base, size, &off, &s))
			return false;
		if (s.tag == tag) {
			*out = string_ref_of(base, at, &s);
			return true;
		}
	}
	return false;
}

void
record_strings_by_arg(const void *rec, uint32_t size, unsigned str_off,
		      unsigned nstrings, struct string_ref strs[IOR_ARGS_MAX],
		      bool have[IOR_ARGS_MAX])
{
	const unsigned char *base = rec;
	uint32_t off = str_off;

	memset(have, 0, IOR_ARGS_MAX * sizeof(*have));
	for (unsigned i = 0; i < nstrings; i++) {
		uint32_t at = off;
		struct ior_string s;

		if (!string_step(base, size, &off, &s))
			return;
		if (s.tag < IOR_ARGS_MAX && !have[s.tag]) {
			strs[s.tag] = string_ref_of(base, at, &s);
			have[s.tag] = true;
		}
	}
}

void
string_iter_init(struct string_iter *it, const void *rec, uint32_t size,
		 unsigned str_off, unsigned nstrings)
{
	it->base = rec;
	it->size = size;
	it->off = str_off;
	it->left = nstrings;
}

bool
string_iter_next(struct string_iter *it, struct string_ref *out)
{
	uint32_t at = it->off;
	struct ior_string s;

	if (it->left == 0 || !string_step(it->base, it->size, &it->off, &s)) {
		it->left = 0;
		return false;
	}
	it->left--;
	*out = string_ref_of(it->base, at, &s);
	return true;
}

/* Every string of a record within its size and the length limit. */
static const char *
check_strings(const void *rec, uint32_t size, unsigned str_off,
	      unsigned nstrings, char *detail, size_t len)
{
	const unsigned char *base = rec;
	uint32_t off = str_off;

	for (unsigned i = 0; i < nstrings; i++) {
		uint32_t at = off;
		struct ior_string s;

		if (string_step(base, size, &off, &s))
			continue;
		if (at + sizeof(s) <= size && s.len > IOR_STRING_MAX) {
			if (detail != NULL)
				snprintf(detail, len, "%u bytes, the limit is "
					 "%u", s.len, IOR_STRING_MAX);
			return "string too long";
		}
		if (detail != NULL)
			snprintf(detail, len, "string %u of %u at byte %u of "
				 "%u", i + 1, nstrings, at, size);
		return "string past the end of its record";
	}
	return NULL;
}

const char *
record_check(const struct ior_record *rec, uint32_t size, char *detail,
	     size_t len)
{
#define STRINGS(st) do { \
	const struct st *r_ = (const void *)rec; \
	return check_strings(rec, size, r_->str_off, r_->nstrings, detail, \
			     len); \
} while (0)
	switch (rec->type) {
	case IOR_SYSCALL_NAME: STRINGS(ior_syscall_name);
	case IOR_PROCESS: STRINGS(ior_process);
	case IOR_FD: STRINGS(ior_fd);
	case IOR_EXEC: STRINGS(ior_exec);
	case IOR_NAME: STRINGS(ior_name);
	case IOR_MISS: STRINGS(ior_miss);
	case IOR_SYSCALL_STRINGS: STRINGS(ior_syscall_strings);
	case IOR_FILTER: STRINGS(ior_filter);
	case IOR_AGG_BEGIN: STRINGS(ior_agg_begin);
	case IOR_AGG_STAT: STRINGS(ior_agg_stat);
	case IOR_AGG_NODE: STRINGS(ior_agg_node);
	case IOR_URING_SUBMIT: {
		const struct ior_uring_submit *u = (const void *)rec;

		if (u->nargs > IOR_ARGS_MAX) {
			if (detail != NULL)
				snprintf(detail, len, "%u, the limit is %u",
					 u->nargs, IOR_ARGS_MAX);
			return "uring submit record with too many arguments";
		}
		STRINGS(ior_uring_submit);
	}
	case IOR_SYSCALL_ENTER: {
		const struct ior_syscall_enter *e = (const void *)rec;

		if (e->nargs > IOR_ARGS_MAX) {
			if (detail != NULL)
				snprintf(detail, len, "%u, the limit is %u",
					 e->nargs, IOR_ARGS_MAX);
			return "enter record with too many arguments";
		}
		STRINGS(ior_syscall_enter);
	}
	}
#undef STRINGS
	return NULL;
}

void
stream_reader_init(struct stream_reader *r, int fd, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
	r->cap = READ_CHUNK * 2;
	if ((r->buf = malloc(r->cap)) == NULL)
		err(1, "malloc");
}

void
stream_reader_unread(struct stream_reader *r, const void *bytes, size_t len)
{
	if (r->tail != r->head || len > r->cap)
		errx(1, "stream_reader_unread: misuse");
	memcpy(r->buf, bytes, len);
	r->head = 0;
	r->tail = len;
}

void
stream_reader_open(struct stream_reader *r, const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		stream_reader_init(r, STDIN_FILENO, "<stdin>");
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	stream_reader_init(r, fd, path);
}

void
stream_reader_release(struct stream_reader *r)
{
	free(r->buf);
	free(r->section);
	free(r->scratch);
	r->buf = NULL;
	r->section = NULL;
	r->scratch = NULL;
}

void
stream_reader_close(struct stream_reader *r)
{
	if (r->fd != STDIN_FILENO)
		close(r->fd);
	stream_reader_release(r);
}

void
stream_damage(struct stream_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->status == STREAM_ERROR)
		return;
	fprintf(stderr, "%s: %s: ", getprogname(), r->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->status = STREAM_ERROR;
}

/* Make at least want bytes available at buf[head]; false at end of input. */
static bool
fill(struct stream_reader *r, size_t want)
{
	while (r->tail - r->head < want) {
		ssize_t n;

		if (r->eof)
			return false;
		if (r->head > 0 && r->cap - r->tail < READ_CHUNK) {
			memmove(r->buf, r->buf + r->head, r->tail - r->head);
			r->tail -= r->head;
			r->head = 0;
		}
		if (r->cap - r->tail < want) {
			size_t cap = r->cap;
			unsigned char *p;

			while (cap - r->tail < want + READ_CHUNK)
				cap *= 2;
			if ((p = realloc(r->buf, cap)) == NULL)
				err(1, "realloc");
			r->buf = p;
			r->cap = cap;
		}
		if (r->before_read != NULL)
			r->before_read(r->before_read_arg);
		n = read(r->fd, r->buf + r->tail, r->cap - r->tail);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			stream_damage(r, "read error at offset %llu: %s",
				      (unsigned long long)(r->offset +
							   r->tail - r->head),
				      strerror(errno));
			return false;
		}
		if (n == 0)
			r->eof = true;
		r->tail += n;
	}
	return true;
}

static void
consume(struct stream_reader *r, size_t n)
{
	r->head += n;
	r->offset += n;
}

static bool
is_text_mode_damage(const unsigned char *p, size_t avail)
{
	static const char lf_only[] = "\x89IOR\n\x1a\n";

	return avail >= 7 && memcmp(p, lf_only, 7) == 0;
}

static const struct ior_record *
read_section(struct stream_reader *r)
{
	const struct ior_section *s = (const void *)(r->buf + r->head);
	const char *what;
	char detail[80];
	uint32_t size;

	if (!fill(r, sizeof(*s))) {
		if (r->status != STREAM_ERROR)
			stream_damage(r, "truncated section header at offset "
				      "%llu (need %zu bytes, have %zu)",
				      (unsigned long long)r->offset,
				      sizeof(*s), r->tail - r->head);
		return NULL;
	}
	s = (const void *)(r->buf + r->head);
	if (s->byte_order != IOR_BYTE_ORDER) {
		stream_damage(r, "foreign byte order at offset %llu "
			      "(sentinel 0x%08x; streams are read on a machine "
			      "of the producer's byte order)",
			      (unsigned long long)r->offset, s->byte_order);
		return NULL;
	}
	if (s->version_major != IOR_VERSION_MAJOR) {
		stream_damage(r, "unsupported stream version %u.%u at offset "
			      "%llu (this reader knows %u.x)", s->version_major,
			      s->version_minor, (unsigned long long)r->offset,
			      IOR_VERSION_MAJOR);
		return NULL;
	}
	size = s->size;
	if (size < sizeof(*s) || size % 8 || size > IOR_RECORD_MAX ||
	    s->str_off < sizeof(*s) || s->str_off > size) {
		stream_damage(r, "bad section header size %u at offset %llu",
			      size, (unsigned long long)r->offset);
		return NULL;
	}
	if (!fill(r, size)) {
		if (r->status != STREAM_ERROR)
			stream_damage(r, "truncated section header at offset "
				      "%llu (need %u bytes, have %zu)",
				      (unsigned long long)r->offset, size,
				      r->tail - r->head);
		return NULL;
	}
	s = (const void *)(r->buf + r->head);
	what = check_strings(s, size, s->str_off, s->nstrings, detail,
			     sizeof(detail));
	if (what != NULL) {
		stream_damage(r, "%s at offset %llu (%s)", what,
			      (unsigned long long)r->offset, detail);
		return NULL;
	}
	free(r->section);
	if ((r->section = malloc(size)) == NULL)
		err(1, "malloc");
	memcpy(r->section, r->buf + r->head, size);
	r->in_section = true;
	r->trailer_seen = false;
	r->sections++;
	r->section_records = 0;
	r->record_offset = r->offset;
	r->type = STREAM_SECTION;
	r->size = size;
	consume(r, size);
	return (const struct ior_record *)r->section;
}

bool
stream_agg_text(const void *buf, size_t len)
{
	static const char head[] = "ior-agg:";

	return len >= sizeof(head) - 1 && memcmp(buf, head, sizeof(head) - 1) == 0;
}

const struct ior_record *
stream_next_slow(struct stream_reader *r)
{
	const struct ior_record *rec;
	const char *what;
	char detail[80];
	uint32_t size, known;

	if (r->status != STREAM_OK)
		return NULL;
	if (!fill(r, sizeof(*rec))) {
		size_t have = r->tail - r->head;

		if (r->status == STREAM_ERROR)
			return NULL;
		if (have > 0 && r->sections == 0 &&
		    memcmp(r->buf + r->head, IOR_MAGIC, have) != 0)
			stream_damage(r, "%s at offset %llu",
				      stream_agg_text(r->buf + r->head, have) ?
				      STREAM_AGG_TEXT :
				      "not an ior stream (bad magic)",
				      (unsigned long long)r->offset);
		else if (have > 0)
			stream_damage(r, "truncated record at offset %llu "
				      "(need 8 bytes, have %zu)",
				      (unsigned long long)r->offset, have);
		else if (r->sections == 0)
			stream_damage(r, "empty input: not an ior stream");
		else if (!r->trailer_seen)
			stream_damage(r, "truncated stream at offset %llu: "
				      "no trailer after %llu records",
				      (unsigned long long)r->offset,
				      (unsigned long long)r->section_records);
		else
			r->status = STREAM_END;
		return NULL;
	}
	rec = (const void *)(r->buf + r->head);
	if (memcmp(rec, IOR_MAGIC, IOR_MAGIC_LEN) == 0) {
		if (r->in_section && !r->trailer_seen) {
			stream_damage(r, "truncated section before offset "
				      "%llu: no trailer after %llu records",
				      (unsigned long long)r->offset,
				      (unsigned long long)r->section_records);
			return NULL;
		}
		return read_section(r);
	}
	if (!r->in_section || r->trailer_seen) {
		const char *what = r->sections == 0 ?
			"not an ior stream (bad magic)" :
			"record after the trailer (no section header)";

		if (r->sections == 0 &&
		    is_text_mode_damage(r->buf + r->head, r->tail - r->head))
			what = "not an ior stream (magic damaged by "
			       "line-ending conversion)";
		if (r->sections == 0 &&
		    stream_agg_text(r->buf + r->head, r->tail - r->head))
			what = STREAM_AGG_TEXT;
		stream_damage(r, "%s at offset %llu", what,
			      (unsigned long long)r->offset);
		return NULL;
	}
	if (rec->type == IOR_TYPE_RESERVED) {
		stream_damage(r, "reserved record type 0x%04x at offset %llu",
			      rec->type, (unsigned long long)r->offset);
		return NULL;
	}
	size = rec->size;
	if (size < sizeof(*rec) || size % 8 || size > IOR_RECORD_MAX) {
		stream_damage(r, "bad record length %u at offset %llu "
			      "(type 0x%04x)", size,
			      (unsigned long long)r->offset, rec->type);
		return NULL;
	}
	if (!fill(r, size)) {
		if (r->status != STREAM_ERROR)
			stream_damage(r, "truncated record at offset %llu "
				      "(need %u bytes, have %zu)",
				      (unsigned long long)r->offset, size,
				      r->tail - r->head);
		return NULL;
	}
	rec = (const void *)(r->buf + r->head);
	r->record_offset = r->offset;
	r->type = rec->type;
	r->size = size;
	consume(r, size);
	if (rec->type == IOR_TRAILER)
		r->trailer_seen = true;
	else
		r->section_records++;

	known = record_known_size(rec->type);
	if (size < known) {
		if (r->scratch == NULL &&
		    (r->scratch = malloc(IOR_RECORD_MAX)) == NULL)
			err(1, "malloc");
		memcpy(r->scratch, rec, size);
		memset(r->scratch + size, 0, known - size);
		rec = (const void *)r->scratch;
	}
	if ((what = record_check(rec, size, detail, sizeof(detail))) != NULL) {
		stream_damage(r, "%s at offset %llu (%s)", what,
			      (unsigned long long)r->record_offset, detail);
		return NULL;
	}
	return rec;
}

bool
section_string(const struct ior_section *s, unsigned tag,
	       struct string_ref *out)
{
	return record_string_by_tag(s, s->size, s->str_off, s->nstrings, tag,
				    out);
}

void
stream_writer_init(struct stream_writer *w, int fd, const char *name)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->name = name;
	w->cap = WRITE_BLOCK + IOR_RECORD_MAX;
	if ((w->buf = malloc(w->cap)) == NULL)
		err(1, "malloc");
	/*
	 * A pipe of the default 64 KiB takes a quarter of a block: the writer
	 * and the reader would take turns four times a block.  Room for
	 * whole blocks lets each run on.  Not being allowed is no error.
	 */
	if (fcntl(fd, F_GETPIPE_SZ) > 0 &&
	    fcntl(fd, F_GETPIPE_SZ) < (int)(4 * WRITE_BLOCK))
		(void)fcntl(fd, F_SETPIPE_SZ, (int)(4 * WRITE_BLOCK));
}

void
stream_writer_flush(struct stream_writer *w)
{
	size_t done = 0;

	while (done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				exit(0);
			err(1, "%s: write error at offset %llu", w->name,
			    (unsigned long long)(w->offset + done));
		}
		done += n;
	}
	w->offset += w->len;
	w->len = 0;
}

void
stream_writer_release(struct stream_writer *w)
{
	if (w->buf == NULL)
		return;
	stream_writer_flush(w);
	free(w->buf);
	w->buf = NULL;
}

void *
stream_reserve(struct stream_writer *w, uint16_t type, uint16_t misc,
	       uint32_t size)
{
	struct ior_record *rec;

	if (size % 8 || size < sizeof(*rec) || size > IOR_RECORD_MAX)
		errx(1, "internal error: record size %u", size);
	if (w->len >= WRITE_BLOCK)
		stream_writer_flush(w);
	rec = (void *)(w->buf + w->len);
	memset(rec, 0, size);
	rec->type = type;
	rec->misc = misc;
	rec->size = size;
	w->len += size;
	w->section_records++;
	return rec;
}

void
clock_anchor(uint64_t *clock_ns, uint64_t *realtime_ns)
{
	struct timespec m1, rt, m2;

	/* Bracket the wall clock with two monotonic reads, use their mean. */
	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	*clock_ns = ((uint64_t)m1.tv_sec * 1000000000u + m1.tv_nsec) / 2 +
		    ((uint64_t)m2.tv_sec * 1000000000u + m2.tv_nsec) / 2;
	*realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + rt.tv_nsec;
}

void
record_add_string(void *rec, uint32_t *off, const void *bytes, size_t len,
		  uint8_t tag, uint8_t flags)
{
	unsigned char *p = (unsigned char *)rec + *off;
	struct ior_string s;

	if (len > IOR_STRING_MAX) {
		len = IOR_STRING_MAX;
		flags |= IOR_STRING_TRUNCATED;
	}
	s.len = len;
	s.flags = flags;
	s.tag = tag;
	memcpy(p, &s, sizeof(s));
	if (len > 0)            /* an empty string may have no bytes at all */
		memcpy(p + sizeof(s), bytes, len);
	memset(p + sizeof(s) + len, 0, IOR_ALIGN4(len) - len);
	*off = IOR_ALIGN4(*off + sizeof(s) + len);
}

uint32_t
record_finish(void *rec, uint32_t off)
{
	uint32_t size = IOR_ALIGN8(off);

	memset((unsigned char *)rec + off, 0, size - off);
	((struct ior_record *)rec)->size = size;
	return size;
}

/*
 * A section header, this tool's; from is the input's header (a filter's)
 * or NULL (a producer's).
 */
static void
write_section(struct stream_writer *w, int argc, char **argv,
	      uint64_t anchor_clock_ns, uint64_t anchor_realtime_ns,
	      const struct ior_section *from)
{
	static unsigned char buf[IOR_RECORD_MAX];
	struct ior_section *s = (void *)buf;
	char cmdline[IOR_STRING_MAX], host[256];
	struct utsname u;
	uint32_t off = sizeof(*s), size;
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	memcpy(s->magic, IOR_MAGIC, IOR_MAGIC_LEN);
	s->byte_order = IOR_BYTE_ORDER;
	s->version_major = IOR_VERSION_MAJOR;
	s->version_minor = IOR_VERSION_MINOR;
	s->str_off = sizeof(*s);
	s->clock_id = CLOCK_MONOTONIC;
	s->producer_pid = getpid();
	if (anchor_clock_ns == 0 && anchor_realtime_ns == 0)
		clock_anchor(&anchor_clock_ns, &anchor_realtime_ns);
	s->anchor_clock_ns = anchor_clock_ns;
	s->anchor_realtime_ns = anchor_realtime_ns;

	for (int i = 0; i < argc && len < sizeof(cmdline); i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n > sizeof(cmdline) - len)
			n = sizeof(cmdline) - len;
		memcpy(cmdline + len, argv[i], n);
		len += n;
	}
	if (len > 0)
		len--;          /* no separator after the last argument */
	record_add_string(s, &off, getprogname(), strlen(getprogname()),
			  IOR_HDR_TOOL, 0);
	record_add_string(s, &off, cmdline, len, IOR_HDR_CMDLINE, 0);
	s->nstrings = 2;
	if (from != NULL) {
		static const uint8_t machine[] = {
			IOR_HDR_HOSTNAME, IOR_HDR_KERNEL_RELEASE,
			IOR_HDR_KERNEL_VERSION, IOR_HDR_MACHINE,
		};

		for (size_t i = 0; i < sizeof(machine); i++) {
			struct string_ref r;

			if (!section_string(from, machine[i], &r))
				continue;
			record_add_string(s, &off, r.bytes, r.len, machine[i],
					  r.flags);
			s->nstrings++;
		}
	} else {
		if (uname(&u) == -1)
			err(1, "uname");
		if (gethostname(host, sizeof(host)) == -1)
			strlcpy(host, u.nodename, sizeof(host));
		host[sizeof(host) - 1] = '\0';
		record_add_string(s, &off, host, strlen(host),
				  IOR_HDR_HOSTNAME, 0);
		record_add_string(s, &off, u.release, strlen(u.release),
				  IOR_HDR_KERNEL_RELEASE, 0);
		record_add_string(s, &off, u.version, strlen(u.version),
				  IOR_HDR_KERNEL_VERSION, 0);
		record_add_string(s, &off, u.machine, strlen(u.machine),
				  IOR_HDR_MACHINE, 0);
		s->nstrings += 4;
	}
	size = IOR_ALIGN8(off);
	memset(buf + off, 0, size - off);
	s->size = size;
	if (w->len + size > w->cap)
		stream_writer_flush(w);
	memcpy(w->buf + w->len, buf, size);
	w->len += size;
	w->section_records = 0;
}

void
stream_write_section(struct stream_writer *w, int argc, char **argv,
		     uint64_t anchor_clock_ns, uint64_t anchor_realtime_ns)
{
	write_section(w, argc, argv, anchor_clock_ns, anchor_realtime_ns,
		      NULL);
}

void
stream_write_section_from(struct stream_writer *w, int argc, char **argv,
			  const struct ior_section *from)
{
	write_section(w, argc, argv, from->anchor_clock_ns,
		      from->anchor_realtime_ns, from);
}

struct ior_trailer *
stream_write_trailer(struct stream_writer *w, uint64_t events, uint64_t lost,
		     uint32_t reason, int32_t status)
{
	uint64_t records = w->section_records;
	struct ior_trailer *t;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = stream_reserve(w, IOR_TRAILER, 0, sizeof(*t));
	t->time_ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	t->records = records;
	t->events = events;
	t->lost = lost;
	t->reason = reason;
	t->status = status;
	return t;
}

static void
flush_writer(void *arg)
{
	struct stream_writer *w = arg;

	if (w->len > 0)
		stream_writer_flush(w);
}

void
stream_flush_when_idle(struct stream_reader *r, struct stream_writer *w)
{
	r->before_read = flush_writer;
	r->before_read_arg = w;
}
