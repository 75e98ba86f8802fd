/* SPDX-License-Identifier: MIT */
#include "labels.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agg.h"
#include "errname.h"
#include "syscalls.h"

static void
frame(struct label_buf *b, const void *bytes, size_t len)
{
	if (b->n == sizeof(b->start) / sizeof(b->start[0]))
		return;
	if (len > sizeof(b->buf) - b->len)
		len = sizeof(b->buf) - b->len;
	memcpy(b->buf + b->len, bytes, len);
	b->start[b->n] = (uint32_t)b->len;
	b->len += len;
	b->end[b->n++] = (uint32_t)b->len;
}

static void
framef(struct label_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
framef(struct label_buf *b, const char *fmt, ...)
{
	char s[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	frame(b, s, n < 0 ? 0 : (size_t)n < sizeof(s) ? (size_t)n :
	      sizeof(s) - 1);
}

/* Length of the directory part of an absolute path ("/" for "/x"). */
size_t
path_dir_len(const char *path, size_t len)
{
	if (len == 0 || path[0] != '/')
		return 0;
	size_t i = len;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return i > 1 ? i - 1 : 1;
}

/* What stands for the directory of a name that is not a path. */
size_t
path_pseudo_dir(const char *name, size_t len, const char **out)
{
	const char *colon = memchr(name, ':', len);
	if (colon && name[0] != '<') {
		*out = name;
		return (size_t)(colon - name) + 1;     /* "pipe:", "socket:" */
	}
	*out = "[other files]";
	return strlen(*out);
}

static void
flags_frame(struct label_buf *b, const struct ior_pair *p, bool has_file)
{
	if (!has_file) {
		frame(b, "-", 1);
		return;
	}
	static const struct { unsigned flag; const char *name; } names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" },
		{ O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
		{ O_DIRECT, "O_DIRECT" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_SYNC & ~O_DSYNC, "O_SYNC" },
		{ O_PATH, "O_PATH" }, { O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE" },
	};
	static const char *const access[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					      "O_ACCMODE" };
	char s[256];
	size_t len = strlcpy(s, access[p->flags & O_ACCMODE], sizeof(s));
	unsigned rest = p->flags & ~(unsigned)O_ACCMODE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((rest & names[i].flag) == names[i].flag) {
			len += (size_t)snprintf(s + len, sizeof(s) - len, "|%s",
						names[i].name);
			rest &= ~names[i].flag;
		}
	if (rest)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "|%#o", rest);
	frame(b, s, len < sizeof(s) ? len : sizeof(s) - 1);
}

void
pair_frames(const struct agg_input *in, const struct ior_pair *p,
	    struct label_buf *b)
{
	const struct agg_fields *f = &in->a->fields;
	size_t plen = 0, clen = 0;
	const char *path = agg_input_name(in, IOR_NAME_PATH, p->path_id, &plen);
	const char *comm = agg_input_name(in, IOR_NAME_COMM, p->comm_id, &clen);
	char nrbuf[24];
	b->n = 0;
	b->len = 0;
	for (unsigned i = 0; i < f->n; i++) {
		switch (f->field[i]) {
		case FIELD_COMM:
			if (comm)
				frame(b, comm, clen);
			else
				frame(b, "[unknown comm]", 14);
			break;
		case FIELD_PID:
			framef(b, "pid %" PRIu32, p->pid);
			break;
		case FIELD_TID:
			framef(b, "tid %" PRIu32, p->tid);
			break;
		case FIELD_SYSCALL: {
			const char *name = sysnames_get(&in->sysnames,
							p->header.misc, nrbuf);
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_CLASS: {
			uint16_t c = family_classes(p->family);
			const char *name = c == (1u << CLASS_READ |
						 1u << CLASS_WRITE) ?
				"read/write" :
				class_name((enum syscall_class)
					   __builtin_ctz(c));
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_FAMILY: {
			const char *name = family_name(p->family);
			if (!name)
				name = "other";
			frame(b, name, strlen(name));
			break;
		}
		case FIELD_ERRNO:
			if (!p->err) {
				frame(b, "ok", 2);
			} else {
				char ebuf[ERRNO_NAME_LEN];
				const char *name = errno_name(p->err, ebuf);

				frame(b, name, strlen(name));
			}
			break;
		case FIELD_HOST:
			if (in->host_known)
				frame(b, in->host, in->host_len);
			else
				frame(b, AGG_HOST_UNKNOWN,
				      strlen(AGG_HOST_UNKNOWN));
			break;
		case FIELD_FLAGS:
			flags_frame(b, p, path != NULL);
			break;
		default: {
			/* Fields of the path. */
			if (!path) {
				frame(b, "[no file]", 9);
				break;
			}
			size_t dl = path_dir_len(path, plen);
			const char *pd = NULL;
			if (f->field[i] == FIELD_PATH) {
				frame(b, path, plen);
			} else if (f->field[i] == FIELD_BASE) {
				size_t skip = dl ? (dl == 1 ? 1 : dl + 1) : 0;
				frame(b, path + skip, plen - skip);
			} else if (!dl) {
				size_t n = path_pseudo_dir(path, plen, &pd);
				frame(b, pd, n);
				if (f->field[i] == FIELD_TREE)
					frame(b, path, plen);
			} else if (f->field[i] == FIELD_DIR) {
				frame(b, path, dl);
			} else if (f->field[i] == FIELD_DIRN) {
				/* The first N levels: "/usr/lib" for dir2. */
				size_t end = 0;
				unsigned levels = 0;
				while (end < dl && levels < f->levels[i]) {
					end++;
					while (end < dl && path[end] != '/')
						end++;
					levels++;
				}
				frame(b, path, end ? end : 1);
			} else {
				/* tree: "/usr/", "lib/", "libc.so.6" */
				size_t s = 0;
				for (size_t j = 1; j <= plen; j++)
					if (j == plen || path[j] == '/') {
						size_t e = j < plen ? j + 1 : j;
						if (e > s)
							frame(b, path + s, e - s);
						s = e;
					}
			}
		}
		}
	}
}
