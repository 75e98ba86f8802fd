/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point of the valid UTF-8 sequence of n bytes at p. */
static uint32_t
utf8_decode(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

size_t
utf8_sequence_len(const unsigned char *p, size_t avail)
{
	size_t n;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Characters above ASCII that are not shown as they are: they control the
 * terminal (C1: U+009B is CSI on some terminals), are invisible, reorder
 * or break the line (bidi controls, U+2028), or look like a plain space.
 * A person reading a trace must see which bytes a name holds.
 */
static const struct { uint32_t lo, hi; } hidden[] = {
	{ 0x0080, 0x00a0 },     /* C1 controls, no-break space */
	{ 0x00ad, 0x00ad },     /* soft hyphen */
	{ 0x034f, 0x034f },     /* combining grapheme joiner */
	{ 0x061c, 0x061c },     /* Arabic letter mark */
	{ 0x115f, 0x1160 },     /* Hangul fillers */
	{ 0x1680, 0x1680 },     /* Ogham space */
	{ 0x180b, 0x180e },     /* Mongolian selectors, vowel separator */
	{ 0x2000, 0x200f },     /* spaces, zero-width, LRM, RLM */
	{ 0x2028, 0x202f },     /* line/paragraph separators, bidi, space */
	{ 0x205f, 0x206f },     /* space, invisible operators, bidi isolates */
	{ 0x3000, 0x3000 },     /* ideographic space */
	{ 0x3164, 0x3164 },     /* Hangul filler */
	{ 0xfe00, 0xfe0f },     /* variation selectors */
	{ 0xfeff, 0xfeff },     /* byte order mark, zero-width no-break */
	{ 0xffa0, 0xffa0 },     /* halfwidth Hangul filler */
	{ 0xfff0, 0xffff },     /* specials, noncharacters */
	{ 0xe0000, 0xe0fff },   /* tags, variation selectors supplement */
	{ 0xf0000, 0x10ffff },  /* supplementary private use */
};

size_t
text_char_len(const unsigned char *p, size_t avail)
{
	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] < 0x7f ? 1 : 0;
	size_t n = utf8_sequence_len(p, avail);
	if (n == 0)
		return 0;
	uint32_t cp = utf8_decode(p, n);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (cp >= hidden[i].lo && cp <= hidden[i].hi)
			return 0;
	/* Noncharacters at the end of every plane. */
	if ((cp & 0xfffe) == 0xfffe)
		return 0;
	return n;
}

/*
 * The spelling of the text at p: into out (at most 4 bytes, or the
 * character itself), its length returned and the bytes it stands for in
 * *used.  The one place that decides what text output looks like.
 */
static size_t
text_unit(const unsigned char *p, size_t avail, unsigned flags, char out[8],
	  size_t *used)
{
	size_t n = (flags & TEXT_ASCII) && p[0] >= 0x80 ? 0 :
		   text_char_len(p, avail);

	*used = n ? n : 1;
	if (p[0] == '\\' || (p[0] == '"' && (flags & TEXT_QUOTE))) {
		out[0] = '\\';
		out[1] = (char)p[0];
		return 2;
	}
	if (n) {
		memcpy(out, p, n);
		return n;
	}
	out[0] = '\\';
	switch (p[0]) {
	case '\n': out[1] = 'n'; return 2;
	case '\t': out[1] = 't'; return 2;
	case '\r': out[1] = 'r'; return 2;
	}
	snprintf(out, 8, "\\x%02x", p[0]);
	return 4;
}

/* Whether put_text() must quote: see escape.h. */
static bool
text_quoted(const unsigned char *p, size_t len, unsigned flags)
{
	if (flags & TEXT_QUOTE)
		return true;
	if ((flags & TEXT_WORD) && len == 0)
		return true;
	for (size_t i = 0; i < len;) {
		size_t n = (flags & TEXT_ASCII) && p[i] >= 0x80 ? 0 :
			   text_char_len(p + i, len - i);
		if (n == 0 || p[i] == '\\' || p[i] == '"' ||
		    ((flags & TEXT_WORD) && p[i] == ' '))
			return true;
		i += n;
	}
	return false;
}

size_t
put_text(FILE *f, const void *bytes, size_t len, unsigned flags)
{
	const unsigned char *p = bytes;
	bool quoted = text_quoted(p, len, flags);
	size_t width = 0;

	if (quoted) {
		flags |= TEXT_QUOTE;
		putc('"', f);
		width += 2;
	}
	for (size_t i = 0; i < len;) {
		char out[8];
		size_t used, n = text_unit(p + i, len - i, flags, out, &used);

		fwrite(out, 1, n, f);
		/* A character shown as it is takes one column. */
		width += n == used && p[i] >= 0x80 ? 1 : n;
		i += used;
	}
	if (quoted)
		putc('"', f);
	return width;
}

void
put_text_column(FILE *f, const void *bytes, size_t len, unsigned flags,
		size_t width)
{
	size_t n = put_text(f, bytes, len, flags);

	/* A text that fills the column still ends before the next one. */
	if (n >= width)
		putc(' ', f);
	for (; n < width; n++)
		putc(' ', f);
}

size_t
put_text_str(FILE *f, const char *s, unsigned flags)
{
	return put_text(f, s, strlen(s), flags);
}

size_t
text_escape(char *buf, size_t size, const void *bytes, size_t len,
	    unsigned flags)
{
	const unsigned char *p = bytes;
	bool quoted = text_quoted(p, len, flags), fits = true;
	size_t need = 0, at = 0;

	if (quoted)
		flags |= TEXT_QUOTE;
	/* The closing quote is kept room for, so a cut text still ends. */
	size_t room = size - 1 - quoted;
	if (quoted && size > 2)
		buf[at++] = '"', need++;
	else if (quoted)
		fits = false, need++;
	for (size_t i = 0; i < len;) {
		char out[8];
		size_t used, n = text_unit(p + i, len - i, flags, out, &used);

		if (fits && at + n <= room) {
			memcpy(buf + at, out, n);
			at += n;
		} else {
			fits = false;
		}
		need += n;
		i += used;
	}
	if (quoted) {
		if (at > 0)     /* the opening quote was written: room kept */
			buf[at++] = '"';
		need++;
	}
	buf[at] = '\0';
	return need;
}

void
put_csv_string(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	bool quote = len == 0 || p[0] == ' ' || p[len - 1] == ' ' ||
		     memchr(p, ',', len) != NULL || memchr(p, '"', len) != NULL;

	if (quote)
		putc('"', f);
	for (size_t i = 0; i < len;) {
		char out[8];
		size_t used, n;

		if (p[i] == '"') {
			fputs("\"\"", f);
			i++;
			continue;
		}
		n = text_unit(p + i, len - i, 0, out, &used);
		fwrite(out, 1, n, f);
		i += used;
	}
	if (quote)
		putc('"', f);
}

size_t
text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A code point as JSON's \uXXXX, a surrogate pair above the BMP. */
static void
json_code_point(FILE *f, uint32_t cp)
{
	if (cp > 0xffff) {
		cp -= 0x10000;
		fprintf(f, "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
			0xdc00 + (cp & 0x3ff));
	} else {
		fprintf(f, "\\u%04x", cp);
	}
}

void
put_json_string(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;

	putc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n;

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if ((n = text_char_len(p + i, len - i)) != 0) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else if (c >= 0x80 &&
			   (n = utf8_sequence_len(p + i, len - i)) != 0) {
			/* Valid but not to be shown raw: the same character. */
			json_code_point(f, utf8_decode(p + i, n));
			i += n;
		} else {
			fprintf(f, "\\u%04x", c);
			i++;
		}
	}
	putc('"', f);
}

void
put_folded_frame(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < len;) {
		size_t n = text_char_len(p + i, len - i);
		if (n == 0 || p[i] == ';' || p[i] == '\\') {
			fprintf(f, "\\x%02x", p[i]);
			i++;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
}

size_t
unescape_folded_frame(char *s, size_t len)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &v) == 1 &&
		    isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3])) {
			s[out++] = (char)v;
			i += 3;
		} else {
			s[out++] = s[i];
		}
	}
	return out;
}

void
put_xml_text(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < len;) {
		size_t n = text_char_len(p + i, len - i);
		unsigned char c = p[i];
		if (n == 0) {
			/* XML 1.0 cannot hold control characters at all. */
			fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fwrite(p + i, 1, n, f);
		}
		i += n;
	}
}

void
put_word_or_json(FILE *f, const void *bytes, size_t len, bool json)
{
	if (json)
		put_json_string(f, bytes, len);
	else
		put_text(f, bytes, len, TEXT_WORD);
}
