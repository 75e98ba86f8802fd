/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <ctype.h>
#include <stdio.h>

void
put_quoted(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;

	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				putc(c, f);
			else
				fprintf(f, "\\x%02x", c);
		}
	}
	putc('"', f);
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
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((n = utf8_sequence_len(p + i, len - i)) == 0) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
	putc('"', f);
}

void
put_folded_frame(FILE *f, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < len;) {
		size_t n = p[i] >= 0x80 ? utf8_sequence_len(p + i, len - i) : 1;
		if (n == 0 || p[i] < 0x20 || p[i] == 0x7f || p[i] == ';' ||
		    p[i] == '\\') {
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
		size_t n = p[i] >= 0x80 ? utf8_sequence_len(p + i, len - i) : 1;
		unsigned char c = p[i];
		/* U+FFFE and U+FFFF are UTF-8 but not XML characters. */
		if (n == 3 && c == 0xef && p[i + 1] == 0xbf && p[i + 2] >= 0xbe)
			n = 0;
		if (n == 0 || (c < 0x20) || c == 0x7f) {
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
