/* SPDX-License-Identifier: MIT */
/*
 * escape.h - writing byte strings (paths, comms) safely.  Paths are bytes,
 * not text: nothing here assumes a NUL terminator or valid UTF-8.
 */
#ifndef IOR_ESCAPE_H
#define IOR_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * For a terminal, between double quotes: printable ASCII as is, \" \\ \n
 * \t \r, every other byte as \xNN.  Prints the quotes too.
 */
void put_quoted(FILE *f, const void *bytes, size_t len);

/*
 * A JSON string with its quotes.  Valid UTF-8 passes through; control
 * characters and bytes that are not valid UTF-8 become \u00NN, so the
 * output is always valid JSON and a byte maps to one escape.
 */
void put_json_string(FILE *f, const void *bytes, size_t len);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if there is none. */
size_t utf8_sequence_len(const unsigned char *p, size_t avail);

/*
 * A frame of a folded stack (flamegraph.pl's format): ';' (the separator),
 * '\\', control characters and bytes that are not valid UTF-8 become \xNN,
 * so a frame is one line and one frame.  unescape_folded_frame() undoes it
 * in place and returns the new length.
 */
void put_folded_frame(FILE *f, const void *bytes, size_t len);
size_t unescape_folded_frame(char *s, size_t len);

/*
 * XML character data or attribute text: & < > " ' as entities; control
 * characters (which XML 1.0 cannot hold) and bytes that are not valid
 * UTF-8 become the visible text \xNN.
 */
void put_xml_text(FILE *f, const void *bytes, size_t len);

#endif /* IOR_ESCAPE_H */
