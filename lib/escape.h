/* SPDX-License-Identifier: MIT */
/*
 * escape.h - writing byte strings from a stream (paths, comms, command
 * lines, host and syscall names) safely.  They are bytes, not text:
 * nothing here assumes a NUL terminator or valid UTF-8, and a traced
 * program chooses some of them (its comm, its paths, its argv), so none
 * may reach a terminal as a control sequence, a forged line or a
 * misleading character.
 *
 * Every writer below agrees on what may pass as it is (text_char_len());
 * they differ only in how the rest is spelled, as their format requires.
 */
#ifndef IOR_ESCAPE_H
#define IOR_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The length of the character at p (1-4 bytes) if it may be shown as it
 * is, else 0: printable ASCII, or valid UTF-8 of a character that is not a
 * control (C0, DEL, C1), not invisible or layout-changing (bidi controls,
 * zero-width characters, line and paragraph separators, spaces other than
 * U+0020, variation selectors, tags) and not a noncharacter or private use
 * of the supplementary planes.  What is shown is what the bytes are.
 */
size_t text_char_len(const unsigned char *p, size_t avail);

/*
 * Text for a person's terminal, one string in one column:
 *   - shown characters (above) as they are, but '\\' as \\ (and '"' as \"
 *     inside quotes);
 *   - \n \t \r for those bytes, \xNN for every other byte not shown;
 *   - between double quotes when anything was escaped or the string holds
 *     a '"' (so a bare string never needed escaping and never starts with
 *     a quote), always with TEXT_QUOTE, and also when it holds a space or
 *     is empty with TEXT_WORD (words of a command line).
 * The result never holds a control byte, a newline or invalid UTF-8, and
 * maps back to exactly one byte string.  TEXT_ASCII escapes every byte
 * above 0x7f too, for a terminal that is not UTF-8.
 */
enum {
	TEXT_QUOTE = 1,
	TEXT_WORD = 2,
	TEXT_ASCII = 4,
};
size_t put_text(FILE *f, const void *bytes, size_t len, unsigned flags);

/*
 * put_text() padded with spaces to width columns, and followed by one
 * space if it fills them, so the next column never touches it.
 */
void put_text_column(FILE *f, const void *bytes, size_t len, unsigned flags,
		     size_t width);

/*
 * The same into buf (of size bytes, NUL-terminated, size > 0), cut only
 * between escapes; returns the length the whole text needs, as snprintf
 * does.  For messages and screens built in memory.
 */
size_t text_escape(char *buf, size_t size, const void *bytes, size_t len,
		   unsigned flags);

/*
 * The columns text from put_text() or text_escape() takes on a terminal:
 * its characters, not its bytes (wide characters count one).
 */
size_t text_width(const char *s);

/*
 * put_text() of s up to its NUL; the common case of C strings.  Both
 * return the columns written (characters, not bytes).
 */
size_t put_text_str(FILE *f, const char *s, unsigned flags);

/*
 * A JSON string with its quotes.  Shown characters pass through; others
 * that are valid UTF-8 become their \uXXXX escape (lossless); control
 * bytes and bytes that are not valid UTF-8 become \u00NN, so the output
 * is always valid JSON.
 */
void put_json_string(FILE *f, const void *bytes, size_t len);

/*
 * A string field of a CSV record (RFC 4180), spelled as put_text() spells
 * it but for '"', which is doubled: a field holding a comma or a double
 * quote, an empty one (so it differs from an absent, empty field) and one
 * with a space at either end (which some readers trim) go between double
 * quotes.  So a record is one line of valid UTF-8 with no control byte,
 * and a field maps back to exactly one byte string.
 */
void put_csv_string(FILE *f, const void *bytes, size_t len);

/*
 * One string of a report that is JSON or text: put_json_string(), or
 * put_text() as a word (quoted when it holds a space or is empty).
 */
void put_word_or_json(FILE *f, const void *bytes, size_t len, bool json);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if there is none. */
size_t utf8_sequence_len(const unsigned char *p, size_t avail);

/*
 * A frame of a folded stack (flamegraph.pl's format): ';' (the separator),
 * '\\' and every byte not shown become \xNN, so a frame is one line and
 * one frame.  unescape_folded_frame() undoes it in place and returns the
 * new length.
 */
void put_folded_frame(FILE *f, const void *bytes, size_t len);
size_t unescape_folded_frame(char *s, size_t len);

/*
 * XML character data or attribute text: & < > " ' as entities; every byte
 * not shown (XML 1.0 cannot hold control characters at all) becomes the
 * visible text \xNN.
 */
void put_xml_text(FILE *f, const void *bytes, size_t len);

#endif /* IOR_ESCAPE_H */
