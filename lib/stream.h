/* SPDX-License-Identifier: MIT */
/*
 * stream.h - buffered, bounds-checked reading and writing of ior streams.
 *
 * Every tool reads and writes records through these two structs.  Errors
 * are reported once, on stderr, in the form
 *     TOOL: STREAM: WHAT at offset N (DETAIL)
 * and leave the reader in a failed state; the caller flushes what it has
 * produced and exits 1, so nothing read before the damage is lost.
 */
#ifndef IOR_STREAM_H
#define IOR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ior_format.h"

/*
 * What stream_next() reports as the type of a section header: the one
 * value no record may have (the first two bytes of the magic).
 */
#define STREAM_SECTION IOR_TYPE_RESERVED

enum stream_status {
	STREAM_OK = 0,          /* records may follow */
	STREAM_END = 1,         /* clean end of input after a trailer */
	STREAM_ERROR = 2,       /* damage reported; no more records */
};

/*
 * A reader owns its buffer; the record stream_next() returns points into
 * it and stays valid until the next call.  Records of known types shorter
 * than this reader's struct are returned zero-extended, so callers may read
 * every field they know.  stream_reader_release() frees the buffer and the
 * copy of the current section header but does not close fd.
 */
struct stream_reader {
	const char *name;       /* for messages: a path or "<stdin>" */
	int fd;
	unsigned char *buf;
	size_t cap, head, tail; /* unread bytes are buf[head..tail) */
	uint64_t offset;        /* stream offset of buf[head] */
	bool eof;
	enum stream_status status;

	uint64_t record_offset; /* offset of the record last returned */
	uint16_t type;          /* its type (STREAM_SECTION for a header) */
	uint32_t size;          /* its size on the wire */

	struct ior_section *section;    /* current header, strings included */
	bool in_section;
	bool trailer_seen;      /* the current section ended cleanly */
	unsigned sections;
	uint64_t section_records;       /* records since the section header */

	unsigned char *scratch; /* zero-extension of short records */

	/*
	 * Called before every read(2), which may block: a filter flushes its
	 * output here, so records flow downstream as soon as input pauses.
	 */
	void (*before_read)(void *arg);
	void *before_read_arg;
};

/*
 * Give back bytes the caller read from fd itself (to sniff the format):
 * they are read first.  Only before the first stream_next(), at most 4 KiB.
 */
void stream_reader_unread(struct stream_reader *r, const void *bytes,
			  size_t len);

/* Open path ("-" or NULL for stdin); exits 1 with a message if it cannot. */
void stream_reader_open(struct stream_reader *r, const char *path);
/*
 * Does an input that is not a stream start as ior-agg's text report does?
 * Then the reader says so (STREAM_AGG_TEXT) rather than "bad magic": the
 * report went where its stream was meant to.
 */
#define STREAM_AGG_TEXT "ior-agg's text report, not a stream: use " \
	"ior-agg -o - or no --text"
bool stream_agg_text(const void *buf, size_t len);
void stream_reader_init(struct stream_reader *r, int fd, const char *name);
void stream_reader_release(struct stream_reader *r);
/* Release, and close the fd unless it is standard input. */
void stream_reader_close(struct stream_reader *r);

/*
 * The next record, or NULL when r->status is STREAM_END or STREAM_ERROR.
 * The section header comes back as a record too (r->type ==
 * STREAM_SECTION; cast to struct ior_section).
 */
static inline const struct ior_record *stream_next(struct stream_reader *r);
/* stream_next() for all but a whole, ordinary record in the buffer. */
const struct ior_record *stream_next_slow(struct stream_reader *r);

/* Report damage at the current record and put r into STREAM_ERROR. */
void stream_damage(struct stream_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Strings of a record.  record_string_at() finds the string at index
 * (0 for the first), record_string_by_tag() the first string tagged tag;
 * both return false if the record has no such string or a string before
 * it runs past size or is longer than IOR_STRING_MAX.  Records that
 * stream_next() returns have passed record_check(), so for them false
 * means only "no such string".
 */
struct string_ref {
	const unsigned char *bytes;
	uint16_t len;
	uint8_t flags;
	uint8_t tag;
};
bool record_string_at(const void *rec, uint32_t size, unsigned str_off,
		      unsigned nstrings, unsigned index, struct string_ref *out);
bool record_string_by_tag(const void *rec, uint32_t size, unsigned str_off,
			  unsigned nstrings, unsigned tag, struct string_ref *out);
/*
 * The first string of each tag below IOR_ARGS_MAX, in one pass: strs[tag]
 * and have[tag] = true (have[] cleared first).  Strings of other tags, and
 * those after a damaged one, are left out.
 */
void record_strings_by_arg(const void *rec, uint32_t size, unsigned str_off,
			   unsigned nstrings, struct string_ref strs[IOR_ARGS_MAX],
			   bool have[IOR_ARGS_MAX]);
/*
 * Every string of a record in order, one step each: string_iter_next()
 * gives the next one, false after the last or at a damaged one.
 */
struct string_iter {
	const unsigned char *base;
	uint32_t size, off;
	unsigned left;
};
void string_iter_init(struct string_iter *it, const void *rec, uint32_t size,
		      unsigned str_off, unsigned nstrings);
bool string_iter_next(struct string_iter *it, struct string_ref *out);
/* For a section header. */
bool section_string(const struct ior_section *s, unsigned tag,
		    struct string_ref *out);

/*
 * The minimum wire size of each known record type, 0 for unknown types.
 * Used to check input and by the zero-extension rule above.
 */
uint32_t record_known_size(uint16_t type);
/* "enter", "exit", "section" ... as ior-dump names them; NULL if unknown. */
const char *record_type_name(uint16_t type);

/*
 * The limits of a record's variable part, which stream_next() enforces
 * on every record it returns (and the section header): each string lies
 * within the record and is at most IOR_STRING_MAX bytes; an enter record
 * has at most IOR_ARGS_MAX arguments.  A reader may therefore copy any
 * string into an IOR_STRING_MAX buffer and index an IOR_ARGS_MAX array by
 * argument.  NULL if rec of size bytes (zero-extended to its type's known
 * size) keeps them, else what is wrong, with the numbers in detail (when
 * not NULL) for a damage message.
 */
const char *record_check(const struct ior_record *rec, uint32_t size,
			 char *detail, size_t len);

/*
 * record_known_size() / 8 by type, for the types 0xTT0N with TT < 4 and
 * N < 16 (all there are), at index TT * 16 + N; with STREAM_KNOWN_VAR set
 * for the types record_check() looks into.
 */
extern const uint8_t stream_known_words[64];
#define STREAM_KNOWN_VAR 0x80u

/*
 * The common case, inline: a readers' loop does little else per record.
 * Anything unusual (a section header, the trailer, a short record, a
 * record not yet all in the buffer, damage) takes the slow path, which
 * checks everything.
 */
static inline const struct ior_record *
stream_next(struct stream_reader *r)
{
	size_t avail = r->tail - r->head;
	if (r->status == STREAM_OK && r->in_section && !r->trailer_seen &&
	    avail >= sizeof(struct ior_record)) {
		const struct ior_record *rec = (const void *)(r->buf + r->head);
		uint32_t size = rec->size, type = rec->type;
		uint32_t words = (type & 0xfcf0) == 0 ?
				 stream_known_words[(type >> 4) | (type & 15)] : 0;
		uint32_t known = (words & ~STREAM_KNOWN_VAR) * 8u;
		if (size <= avail && size >= sizeof(*rec) && size % 8 == 0 &&
		    size <= IOR_RECORD_MAX && size >= known &&
		    type != IOR_TYPE_RESERVED && type != IOR_TRAILER &&
		    (!(words & STREAM_KNOWN_VAR) ||
		     record_check(rec, size, NULL, 0) == NULL)) {
			r->record_offset = r->offset;
			r->type = (uint16_t)type;
			r->size = size;
			r->head += size;
			r->offset += size;
			r->section_records++;
			return rec;
		}
	}
	return stream_next_slow(r);
}

/*
 * A writer buffers records and writes them in large blocks.  A closed pipe
 * (EPIPE) ends the calling program quietly with status 0, as a filter should
 * when its reader goes away; any other write error is reported with the
 * stream name and exits 1.  stream_writer_release() flushes, frees the
 * buffer, and does not close fd.
 */
struct stream_writer {
	const char *name;
	int fd;
	unsigned char *buf;
	size_t len, cap;
	uint64_t offset;        /* bytes written before buf[0] */
	uint64_t section_records;       /* records since the section header */
};

void stream_writer_init(struct stream_writer *w, int fd, const char *name);
void stream_writer_release(struct stream_writer *w);
void stream_writer_flush(struct stream_writer *w);

/*
 * A filter's output flows as soon as its input pauses: r flushes w before
 * every read(2) that may block (r->before_read), and only then, so big
 * blocks are kept while input keeps coming.
 */
void stream_flush_when_idle(struct stream_reader *r, struct stream_writer *w);

/*
 * Space for a record of size bytes (a multiple of 8), zeroed, with its frame
 * filled in.  Valid until the next call on w.
 */
void *stream_reserve(struct stream_writer *w, uint16_t type, uint16_t misc,
		     uint32_t size);
/* Copy a complete, framed record. */
static inline void stream_put(struct stream_writer *w, const void *rec,
			      uint32_t size);
/* Writers flush in blocks of this; the buffer holds one record more. */
#define STREAM_WRITE_BLOCK (256u * 1024)

/*
 * Write a section header for this tool.  argv is the tool's command line.
 * clock_ns and realtime_ns are the anchor pair; pass the input's anchor when
 * the tool passes kernel times through, or 0, 0 to read both clocks now.
 */
void stream_write_section(struct stream_writer *w, int argc, char **argv,
			  uint64_t anchor_clock_ns, uint64_t anchor_realtime_ns);
/*
 * The same for a filter of the stream whose section header is from: its
 * anchor, and the machine it names (hostname, kernel release and version,
 * machine) where this one's would go, since the events happened there
 * (docs/fleet.md).  A machine string from lacks is left out, not taken
 * from this machine.
 */
void stream_write_section_from(struct stream_writer *w, int argc,
			       char **argv, const struct ior_section *from);
/* The trailer, valid until the next call on w (to set fields such as missed). */
struct ior_trailer *stream_write_trailer(struct stream_writer *w,
					 uint64_t events, uint64_t lost,
					 uint32_t reason, int32_t status);

/*
 * Building records with strings: a caller-owned buffer of IOR_RECORD_MAX
 * bytes.  record_add_string() appends at *off (4-byte aligned) and advances
 * *off; strings longer than IOR_STRING_MAX are cut and flagged truncated.
 * record_finish() zero-pads to 8 and returns the final size.
 */
void record_add_string(void *rec, uint32_t *off, const void *bytes,
		       size_t len, uint8_t tag, uint8_t flags);
uint32_t record_finish(void *rec, uint32_t off);

static inline void
stream_put(struct stream_writer *w, const void *rec, uint32_t size)
{
	if (w->len >= STREAM_WRITE_BLOCK)
		stream_writer_flush(w);
	memcpy(w->buf + w->len, rec, size);
	w->len += size;
	w->section_records++;
}

/* Both clocks read back to back, for anchors. */
void clock_anchor(uint64_t *clock_ns, uint64_t *realtime_ns);

#endif /* IOR_STREAM_H */
