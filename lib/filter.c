/* SPDX-License-Identifier: MIT */
/*
 * The filter language: a recursive-descent parser into a tree of nodes in
 * one array, and a matcher over it.  docs/filter.md is the user's
 * reference; the grammar is
 *
 *	expr	:= and ( ("or" | "||") and )*
 *	and	:= unary ( ["and" | "&&"] unary )*	(juxtaposition is and)
 *	unary	:= ("not" | "!") unary | "(" expr ")" | test
 *	test	:= FIELD [ OP VALUE ("," VALUE)* ]
 *	OP	:= "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~" | "=~"
 *
 * A bare FIELD is true when the field is set: a name present, a number
 * other than zero.
 */
#include "filter.h"

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg.h"
#include "stream.h"
#include "syscalls.h"
#include "trie.h"

#define NS_PER_S 1000000000ull
#define DAY_NS (86400ull * NS_PER_S)
#define MAX_NODES 4096          /* bounds a hostile expression's tree */
#define MAX_DEPTH 200           /* and its recursion */

enum field {
	F_COMM, F_PID, F_TID, F_PPID, F_SYSCALL, F_FAMILY, F_CLASS, F_PATH,
	F_DIR, F_BASE, F_FD, F_RET, F_ERRNO, F_ERRORS, F_BYTES, F_READ,
	F_WRITE, F_LATENCY, F_GAP, F_TIME, F_FLAGS, F_HOST, F_SEQ, F_N
};

enum ftype { T_STR, T_NUM, T_SNUM, T_DUR, T_SIZE, T_TIME, T_ERRNO, T_MASK };

static const struct {
	const char *name;
	enum ftype type;
} fields[F_N] = {
	[F_COMM] = { "comm", T_STR }, [F_PID] = { "pid", T_NUM },
	[F_TID] = { "tid", T_NUM }, [F_PPID] = { "ppid", T_NUM },
	[F_SYSCALL] = { "syscall", T_STR }, [F_FAMILY] = { "family", T_MASK },
	[F_CLASS] = { "class", T_MASK }, [F_PATH] = { "path", T_STR },
	[F_DIR] = { "dir", T_STR }, [F_BASE] = { "base", T_STR },
	[F_FD] = { "fd", T_SNUM }, [F_RET] = { "ret", T_SNUM },
	[F_ERRNO] = { "errno", T_ERRNO }, [F_ERRORS] = { "errors", T_NUM },
	[F_BYTES] = { "bytes", T_SIZE }, [F_READ] = { "read", T_SIZE },
	[F_WRITE] = { "write", T_SIZE }, [F_LATENCY] = { "latency", T_DUR },
	[F_GAP] = { "gap", T_DUR }, [F_TIME] = { "time", T_TIME },
	[F_FLAGS] = { "flags", T_NUM }, [F_HOST] = { "host", T_STR },
	[F_SEQ] = { "seq", T_NUM },
};

enum op { OP_SET, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_SUB,
	  OP_NSUB, OP_RE };

static const char *const op_names[] = {
	"", "=", "!=", "<", "<=", ">", ">=", "~", "!~", "=~",
};

enum ntype { N_TEST, N_AND, N_OR, N_NOT };

/* A string to look for: ^ and $ anchor it at either end. */
struct pattern {
	char *bytes;
	size_t len;
	bool head, tail;
};

struct node {
	uint8_t type;           /* enum ntype */
	uint8_t field;          /* N_TEST: enum field */
	uint8_t op;             /* N_TEST: enum op */
	bool negate;            /* OP_NE, OP_NSUB: the list's answer inverted */
	bool wall;              /* F_TIME: value is ns since local midnight */
	uint32_t a, b;          /* children: N_AND, N_OR (a, b), N_NOT (a) */
	uint32_t nvals;
	uint64_t val;           /* the first value, or the time threshold */
	uint64_t *vals;         /* all nvals values, for lists */
	uint64_t mask;          /* T_MASK: families matched (with and
				   without an error, see match_mask) */
	uint64_t mask_err;
	struct pattern *pats;   /* T_STR: nvals patterns, unless regex */
	regex_t *re;
	char *scratch;          /* a name NUL-terminated for regexec */
	size_t scratch_cap;
	uint8_t *memo;          /* by name id: 0 unknown, 1 no, 2 yes */
	uint32_t memo_cap;
	bool host_yes;          /* F_HOST: the answer for this section */
};

struct filter {
	struct node *nodes;
	uint32_t nnodes, cap, root;
	uint64_t generation;    /* of the context the memos belong to */
};

/* ---- the context ---- */

void
filter_context_init(struct filter_context *c)
{
	memset(c, 0, sizeof(*c));
	idmap_init(&c->parents);
	c->generation = 1;
}

void
filter_context_release(struct filter_context *c)
{
	name_table_reset(&c->names);
	sysnames_reset(&c->syscalls);
	idmap_release(&c->parents);
	memset(c, 0, sizeof(*c));
}

/*
 * The parents map stores ppid + 1 as the pointer itself: idmap takes
 * non-NULL pointers, and a pid's parent is one number, not worth a malloc.
 */
static void
set_parent(struct filter_context *c, uint32_t pid, uint32_t ppid)
{
	idmap_put(&c->parents, pid, (void *)((uintptr_t)ppid + 1));
}

void
filter_context_add(struct filter_context *c, uint16_t type, const void *rec,
		   uint32_t size)
{
	switch (type) {
	case STREAM_SECTION: {
		const struct ior_section *s = rec;
		struct string_ref host;

		name_table_reset(&c->names);
		sysnames_reset(&c->syscalls);
		idmap_release(&c->parents);
		c->anchor_clock = s->anchor_clock_ns;
		c->anchor_realtime = s->anchor_realtime_ns;
		c->host_len = 0;
		if (section_string(s, IOR_HDR_HOSTNAME, &host)) {
			c->host_len = host.len < sizeof(c->host) ?
				      host.len : sizeof(c->host);
			memcpy(c->host, host.bytes, c->host_len);
		}
		c->generation++;
		break;
	}
	case IOR_NAME: {
		const struct ior_name *n = rec;
		size_t len;

		/* A redefined id: what the filter remembered of it is stale. */
		if (name_table_get(&c->names, n->header.misc, n->id, &len))
			c->generation++;
		name_table_add(&c->names, n, size);
		break;
	}
	case IOR_SYSCALL_NAME:
		sysnames_add(&c->syscalls, rec, size);
		c->generation++;
		break;
	case IOR_PROCESS: {
		const struct ior_process *p = rec;

		set_parent(c, p->pid, p->ppid);
		break;
	}
	case IOR_TASK_NEW: {
		const struct ior_task_new *t = rec;

		if (t->child_pid != t->parent_pid)
			set_parent(c, t->child_pid, t->parent_pid);
		break;
	}
	case IOR_TASK_EXIT: {
		const struct ior_task_exit *t = rec;

		/* The last thread: the pid may come back as another process. */
		if (t->header.misc == 1)
			(void)idmap_remove(&c->parents, t->pid);
		break;
	}
	}
}

/* ---- errors ---- */

struct parser {
	const char *s;
	size_t len, pos;
	struct filter *f;
	char *err;
	size_t errlen;
	bool failed;
	unsigned depth;
};

/* Up to 40 bytes of a token, escaped, for a message. */
static void
quote_token(char *out, size_t outlen, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 8 < outlen; i++) {
		unsigned char ch = s[i];

		if (i == 40) {
			o += snprintf(out + o, outlen - o, "...");
			break;
		}
		if (isprint(ch) && ch != '\\' && ch != '\'')
			out[o++] = ch;
		else
			o += snprintf(out + o, outlen - o, "\\x%02x", ch);
	}
	out[o] = '\0';
}

/* The message, then " at column N" unless it says where itself. */
static void __attribute__((format(printf, 4, 5)))
fail_how(struct parser *p, size_t at, bool where, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	n = vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	if (where && n >= 0 && (size_t)n < p->errlen)
		snprintf(p->err + n, p->errlen - n, " at column %zu", at + 1);
}
#define fail(p, at, ...) fail_how(p, at, true, __VA_ARGS__)
#define failc(p, at, ...) fail_how(p, at, false, __VA_ARGS__)

/* Levenshtein distance, for "did you mean"; names are short. */
static unsigned
distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (tolower((unsigned char)a[i - 1]) !=
						tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

struct suggestion {
	const char *word;
	size_t len;
	const char *best;
	unsigned dist;
};

static void
consider(struct suggestion *s, const char *name)
{
	unsigned d = distance(s->word, s->len, name, strlen(name));

	if (d < s->dist) {
		s->dist = d;
		s->best = name;
	}
}

/* " (did you mean X?)" when a name is close enough to be a typo. */
static const char *
did_you_mean(const struct suggestion *s, char *buf, size_t len)
{
	unsigned limit = s->len <= 3 ? 1 : s->len <= 6 ? 2 : 3;

	if (s->best == NULL || s->dist > limit)
		return "";
	snprintf(buf, len, " (did you mean %s?)", s->best);
	return buf;
}

static void
consider_syscall(const char *name, int nr, void *arg)
{
	(void)nr;
	consider(arg, name);
}

/* ---- the tree ---- */

static uint32_t
node_new(struct parser *p, enum ntype type)
{
	struct filter *f = p->f;

	if (f->nnodes == MAX_NODES) {
		fail(p, p->pos, "expression too long");
		return 0;
	}
	if (f->nnodes == f->cap) {
		uint32_t cap = f->cap ? f->cap * 2 : 16;
		struct node *n = reallocarray(f->nodes, cap, sizeof(*n));

		if (n == NULL)
			err(1, "filter");
		f->nodes = n;
		f->cap = cap;
	}
	memset(&f->nodes[f->nnodes], 0, sizeof(f->nodes[0]));
	f->nodes[f->nnodes].type = type;
	return f->nnodes++;
}

/* ---- the lexer ---- */

static void
skip_space(struct parser *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static bool
at_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n) != 0)
		return false;
	if (p->pos + n == p->len)
		return true;
	/* A keyword ends where a word would: "order" is no "or". */
	return !isalnum((unsigned char)p->s[p->pos + n]) &&
	       p->s[p->pos + n] != '_';
}

static bool
at_ident(const struct parser *p)
{
	return p->pos < p->len && (isalpha((unsigned char)p->s[p->pos]) ||
				   p->s[p->pos] == '_');
}

static enum op
lex_op(struct parser *p)
{
	static const struct { const char *s; enum op op; } ops[] = {
		{ "=~", OP_RE }, { "!~", OP_NSUB }, { "!=", OP_NE },
		{ "<=", OP_LE }, { ">=", OP_GE }, { "==", OP_EQ },
		{ "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT }, { "~", OP_SUB },
	};
	size_t save = p->pos;

	skip_space(p);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].s);

		if (p->len - p->pos >= n &&
		    memcmp(p->s + p->pos, ops[i].s, n) == 0) {
			p->pos += n;
			return ops[i].op;
		}
	}
	p->pos = save;
	return OP_SET;
}

/*
 * One value: 'quoted' (bytes as they are), "quoted" (with \" and \\), or
 * bare up to a space, a comma or a parenthesis.  The bytes go to a buffer
 * the caller frees; *start is the value's offset, for messages.
 */
static char *
lex_value(struct parser *p, size_t *len, size_t *start, bool *quoted)
{
	char *out;
	size_t o = 0;

	skip_space(p);
	*start = p->pos;
	*quoted = false;
	if ((out = malloc(p->len - p->pos + 1)) == NULL)
		err(1, "filter");
	if (p->pos < p->len && (p->s[p->pos] == '\'' || p->s[p->pos] == '"')) {
		char q = p->s[p->pos++];

		*quoted = true;
		for (;;) {
			if (p->pos == p->len) {
				fail(p, *start, "unterminated quote");
				break;
			}
			if (p->s[p->pos] == q) {
				p->pos++;
				break;
			}
			if (q == '"' && p->s[p->pos] == '\\' &&
			    p->pos + 1 < p->len &&
			    (p->s[p->pos + 1] == '"' || p->s[p->pos + 1] == '\\'))
				p->pos++;
			out[o++] = p->s[p->pos++];
		}
	} else {
		while (p->pos < p->len) {
			char ch = p->s[p->pos];

			if (isspace((unsigned char)ch) || ch == ',' ||
			    ch == '(' || ch == ')')
				break;
			out[o++] = ch;
			p->pos++;
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* ---- values ---- */

/*
 * A number with an optional fraction and unit: "10", "0x1f", "-2",
 * "2.5s", "4K", "1.5M".  units lists the suffixes with their multipliers;
 * with no units the number must be an integer.
 */
struct unit {
	const char *suffix;
	uint64_t mult;
};

static const struct unit dur_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
	{ "ms", 1000000 }, { "s", NS_PER_S }, { "m", 60 * NS_PER_S },
	{ "h", 3600 * NS_PER_S }, { "", 1 }, { NULL, 0 },
};
static const struct unit size_units[] = {
	{ "", 1 }, { "B", 1 }, { "K", 1ull << 10 }, { "KB", 1ull << 10 },
	{ "KiB", 1ull << 10 }, { "k", 1ull << 10 }, { "M", 1ull << 20 },
	{ "MB", 1ull << 20 }, { "MiB", 1ull << 20 }, { "G", 1ull << 30 },
	{ "GB", 1ull << 30 }, { "GiB", 1ull << 30 }, { "T", 1ull << 40 },
	{ "TB", 1ull << 40 }, { "TiB", 1ull << 40 }, { NULL, 0 },
};

static bool
parse_number(const char *s, size_t len, const struct unit *units,
	     bool sign_ok, uint64_t *out)
{
	size_t i = 0, digits = 0;
	bool neg = false, frac = false;
	uint64_t v = 0;
	double d;
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '-' || buf[0] == '+') {
		if (buf[0] == '-' && !sign_ok)
			return false;
		neg = buf[0] == '-';
		i++;
	}
	if (units == NULL) {
		char *end;
		unsigned long long u;

		if (!isdigit((unsigned char)buf[i]))
			return false;
		errno = 0;
		u = strtoull(buf + i, &end, 0);
		if (*end != '\0' || errno == ERANGE)
			return false;
		*out = neg ? -(uint64_t)u : u;
		return true;
	}
	while (isdigit((unsigned char)buf[i + digits]))
		digits++;
	if (buf[i + digits] == '.') {
		frac = true;
		while (isdigit((unsigned char)buf[i + digits + 1]))
			digits++;
		digits++;
	}
	if (digits == 0 || (frac && digits == 1))
		return false;
	for (const struct unit *u = units; u->suffix; u++) {
		if (strcmp(buf + i + digits, u->suffix) != 0)
			continue;
		buf[i + digits] = '\0';
		if (frac) {
			d = strtod(buf + i, NULL) * (double)u->mult;
			if (!(d < 18446744073709551615.0))
				return false;
			v = (uint64_t)(d + 0.5);
		} else {
			errno = 0;
			v = strtoull(buf + i, NULL, 10);
			if (errno == ERANGE || (v && u->mult > UINT64_MAX / v))
				return false;
			v *= u->mult;
		}
		*out = neg ? -v : v;
		return !neg || sign_ok;
	}
	return false;
}

/* "10:42:07.5" or "10:42" as ns since midnight. */
static bool
parse_clock(const char *s, size_t len, uint64_t *out)
{
	unsigned h = 0, m = 0, sec = 0;
	uint64_t frac = 0, scale = NS_PER_S;
	size_t i = 0;
	int part = 0;
	unsigned *slot[3] = { &h, &m, &sec };

	while (part < 3) {
		size_t n = 0;

		while (i < len && isdigit((unsigned char)s[i]) && n < 2) {
			*slot[part] = *slot[part] * 10 + (s[i++] - '0');
			n++;
		}
		if (n == 0)
			return false;
		part++;
		if (i == len || s[i] != ':')
			break;
		i++;
	}
	if (part < 2 || h > 23 || m > 59 || sec > 60)
		return false;
	if (part == 3 && i < len && s[i] == '.') {
		i++;
		if (i == len)
			return false;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(s[i] - '0') * scale;
			}
			i++;
		}
	}
	if (i != len)
		return false;
	*out = ((uint64_t)h * 3600 + m * 60 + sec) * NS_PER_S + frac;
	return true;
}

static int
errno_by_name(const char *name)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n != NULL && strcmp(n, name) == 0)
			return e;
	}
	return -1;
}

static bool
pattern_match(const struct pattern *pt, const char *s, size_t len)
{
	if (pt->len > len)
		return false;
	if (pt->head && pt->tail)
		return pt->len == len && memcmp(s, pt->bytes, len) == 0;
	if (pt->head)
		return memcmp(s, pt->bytes, pt->len) == 0;
	if (pt->tail)
		return memcmp(s + len - pt->len, pt->bytes, pt->len) == 0;
	return memmem(s, len, pt->bytes, pt->len) != NULL;
}

/*
 * Does the string s (len bytes, NULL: absent) pass test n?  Names are
 * bytes with no NUL after them: a regex gets a terminated copy (once per
 * name, as answers are remembered) unless s is a C string already.
 */
static bool
string_test(struct node *n, const char *s, size_t len, bool terminated)
{
	bool any = false;

	if (n->op == OP_SET)
		return s != NULL && len > 0;
	if (s == NULL)
		return n->negate;
	if (n->re != NULL) {
		regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)len };

		if (!terminated) {
			if (len + 1 > n->scratch_cap) {
				char *b = realloc(n->scratch, len + 1);

				if (b == NULL)
					err(1, "filter");
				n->scratch = b;
				n->scratch_cap = len + 1;
			}
			memcpy(n->scratch, s, len);
			n->scratch[len] = '\0';
			s = n->scratch;
		}
		/* REG_STARTEND: a NUL inside a name does not end it. */
		return regexec(n->re, s, 1, &m, REG_STARTEND) == 0;
	}
	for (uint32_t i = 0; i < n->nvals && !any; i++)
		any = pattern_match(&n->pats[i], s, len);
	return any != n->negate;
}

/* The families whose (class) name passes the test, as a mask. */
static uint64_t
mask_of(struct node *n, bool with_error)
{
	uint64_t mask = 0;

	for (unsigned fam = 0; fam < IOR_FAMILY_COUNT; fam++) {
		bool yes;

		if (n->field == F_FAMILY) {
			const char *name = family_name(fam);

			yes = string_test(n, name, strlen(name), true);
		} else {
			uint16_t classes = family_classes(fam);
			bool any = false;

			if (with_error)
				classes |= 1u << CLASS_ERROR;
			for (unsigned c = 0; c < CLASS_N; c++) {
				const char *name = class_name(c);
				struct node pos = *n;

				if (!(classes & 1u << c))
					continue;
				/* Any of the pair's classes, then negate. */
				pos.negate = false;
				if (n->op == OP_SET)
					pos.op = OP_SET;
				any |= string_test(&pos, name, strlen(name), true);
			}
			yes = any != n->negate;
		}
		if (yes)
			mask |= 1ull << fam;
	}
	return mask;
}

/* A name for a T_MASK field must be one of its names. */
static bool
check_mask_name(struct parser *p, const struct node *n, const char *v,
		size_t start)
{
	struct suggestion sg = { v, strlen(v), NULL, 99 };
	char buf[64], tok[200];

	if (n->field == F_FAMILY) {
		if (family_by_name(v) >= 0)
			return true;
		for (unsigned fam = 0; fam < IOR_FAMILY_COUNT; fam++)
			consider(&sg, family_name(fam));
	} else {
		for (unsigned c = 0; c < CLASS_N; c++) {
			if (strcmp(class_name(c), v) == 0)
				return true;
			consider(&sg, class_name(c));
		}
	}
	quote_token(tok, sizeof(tok), v, strlen(v));
	failc(p, start, "unknown %s '%s' at column %zu%s",
	     fields[n->field].name, tok, start + 1,
	     did_you_mean(&sg, buf, sizeof(buf)));
	return false;
}

static bool
add_value(struct parser *p, struct node *n, char *v, size_t len,
	  size_t start, bool quoted)
{
	enum ftype type = fields[n->field].type;
	char tok[200], buf[64];
	uint64_t x = 0;

	(void)quoted;   /* quoting keeps spaces and commas, not ^ and $ */
	quote_token(tok, sizeof(tok), v, len);
	if (type == T_STR || type == T_MASK) {
		struct pattern *pt;
		struct pattern *pats = reallocarray(n->pats, n->nvals + 1,
						    sizeof(*pats));
		if (pats == NULL)
			err(1, "filter");
		n->pats = pats;
		pt = &pats[n->nvals++];
		memset(pt, 0, sizeof(*pt));
		pt->bytes = v;
		pt->len = len;
		if (n->op == OP_EQ || n->op == OP_NE) {
			pt->head = pt->tail = true;
		} else {
			/* ~^/var/log, ~.log$: anchors, not bytes. */
			if (pt->len > 0 && pt->bytes[0] == '^') {
				pt->head = true;
				memmove(pt->bytes, pt->bytes + 1, --pt->len);
			}
			if (pt->len > 0 && pt->bytes[pt->len - 1] == '$') {
				pt->tail = true;
				pt->len--;
			}
		}
		if (type == T_MASK && pt->head && pt->tail &&
		    (memchr(v, '\0', len) != NULL ||
		     !check_mask_name(p, n, v, start)))
			return false;
		if (n->field == F_SYSCALL && pt->head && pt->tail &&
		    syscall_nr(v) < 0 && strncmp(v, "syscall_", 8) != 0) {
			struct suggestion sg = { v, len, NULL, 99 };

			syscall_foreach(consider_syscall, &sg);
			failc(p, start, "unknown syscall '%s' at column %zu%s",
			     tok, start + 1, did_you_mean(&sg, buf, sizeof(buf)));
			return false;
		}
		return true;
	}
	switch (type) {
	case T_NUM:
		if (!parse_number(v, len, NULL, false, &x)) {
			fail(p, start, "bad number '%s' for %s", tok,
			     fields[n->field].name);
			return false;
		}
		break;
	case T_SNUM:
		if (!parse_number(v, len, NULL, true, &x)) {
			fail(p, start, "bad number '%s' for %s", tok,
			     fields[n->field].name);
			return false;
		}
		break;
	case T_DUR:
		if (!parse_number(v, len, dur_units, false, &x)) {
			fail(p, start, "bad duration '%s' (use ns, us, ms, s, "
			     "m or h, as in 10ms)", tok);
			return false;
		}
		break;
	case T_SIZE:
		if (!parse_number(v, len, size_units, false, &x)) {
			fail(p, start, "bad size '%s' (use K, M, G or T, as "
			     "in 4K)", tok);
			return false;
		}
		break;
	case T_TIME:
		if (memchr(v, ':', len) != NULL) {
			n->wall = true;
			if (!parse_clock(v, len, &x)) {
				fail(p, start, "bad time '%s' (use +2.5s from "
				     "the start or 10:42:07.5)", tok);
				return false;
			}
		} else if (!parse_number(v, len, dur_units, false, &x)) {
			fail(p, start, "bad time '%s' (use +2.5s from the "
			     "start or 10:42:07.5)", tok);
			return false;
		}
		break;
	case T_ERRNO:
		if (isalpha((unsigned char)v[0])) {
			int e = memchr(v, '\0', len) ? -1 : errno_by_name(v);

			if (e < 0) {
				struct suggestion sg = { v, len, NULL, 99 };

				for (int i = 1; i < 4096; i++)
					if (strerrorname_np(i))
						consider(&sg, strerrorname_np(i));
				failc(p, start, "unknown errno '%s' at column "
				     "%zu%s", tok, start + 1,
				     did_you_mean(&sg, buf, sizeof(buf)));
				return false;
			}
			x = e;
		} else if (!parse_number(v, len, NULL, false, &x)) {
			fail(p, start, "bad errno '%s' (a name such as ENOENT "
			     "or a number)", tok);
			return false;
		}
		break;
	default:
		break;
	}
	free(v);
	{
		uint64_t *vals = reallocarray(n->vals, n->nvals + 1,
					      sizeof(*vals));
		if (vals == NULL)
			err(1, "filter");
		n->vals = vals;
		vals[n->nvals++] = x;
		n->val = vals[0];
	}
	return true;
}

static bool
op_fits(enum ftype type, enum op op)
{
	switch (op) {
	case OP_SET: case OP_EQ: case OP_NE:
		return true;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		return type != T_STR && type != T_MASK;
	default:
		return type == T_STR || type == T_MASK;
	}
}

static uint32_t parse_or(struct parser *p);

static uint32_t
parse_test(struct parser *p)
{
	size_t start = p->pos, end = p->pos;
	uint32_t id;
	struct node *n;
	enum op op;
	int field = -1;
	char tok[200];

	while (end < p->len && (isalnum((unsigned char)p->s[end]) ||
				p->s[end] == '_'))
		end++;
	for (int i = 0; i < F_N; i++)
		if (strlen(fields[i].name) == end - start &&
		    memcmp(fields[i].name, p->s + start, end - start) == 0)
			field = i;
	quote_token(tok, sizeof(tok), p->s + start, end - start);
	if (field < 0) {
		struct suggestion sg = { p->s + start, end - start, NULL, 99 };
		char buf[64];

		for (int i = 0; i < F_N; i++)
			consider(&sg, fields[i].name);
		failc(p, start, "unknown field '%s' at column %zu%s", tok,
		     start + 1, did_you_mean(&sg, buf, sizeof(buf)));
		return 0;
	}
	p->pos = end;
	op = lex_op(p);
	id = node_new(p, N_TEST);
	if (p->failed)
		return 0;
	n = &p->f->nodes[id];
	n->field = field;
	n->op = op;
	n->negate = op == OP_NE || op == OP_NSUB;
	if (!op_fits(fields[field].type, op)) {
		failc(p, 0, "'%s' does not apply to %s at column %zu (use %s)",
		     op_names[op], tok, p->pos - strlen(op_names[op]) + 1,
		     fields[field].type == T_STR || fields[field].type == T_MASK
		     ? "= != ~ !~ =~" : "= != < <= > >=");
		return 0;
	}
	if (op == OP_SET)
		return id;
	for (;;) {
		size_t vstart, vlen;
		bool quoted;
		char *v = lex_value(p, &vlen, &vstart, &quoted);

		if (p->failed) {
			free(v);
			return 0;
		}
		if (vlen == 0 && !quoted) {
			free(v);
			fail(p, vstart, "expected a value after '%s'",
			     op_names[op]);
			return 0;
		}
		n = &p->f->nodes[id];
		if (op == OP_RE) {
			int rc;
			char msg[128];

			if ((n->re = calloc(1, sizeof(*n->re))) == NULL)
				err(1, "filter");
			if (memchr(v, '\0', vlen) != NULL)
				rc = REG_BADPAT;
			else
				rc = regcomp(n->re, v, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				regerror(rc, n->re, msg, sizeof(msg));
				free(n->re);
				n->re = NULL;
				quote_token(tok, sizeof(tok), v, vlen);
				free(v);
				fail(p, vstart, "bad regex '%s': %s", tok, msg);
				return 0;
			}
			free(v);
			n->nvals = 1;
			break;
		}
		if (!add_value(p, n, v, vlen, vstart, quoted)) {
			if (fields[field].type != T_STR &&
			    fields[field].type != T_MASK)
				free(v);
			return 0;
		}
		if (p->pos < p->len && p->s[p->pos] == ',') {
			if (op != OP_EQ && op != OP_NE && op != OP_SUB &&
			    op != OP_NSUB) {
				fail(p, p->pos, "a list needs = != ~ or !~, "
				     "not '%s'", op_names[op]);
				return 0;
			}
			p->pos++;
			continue;
		}
		break;
	}
	n = &p->f->nodes[id];
	if (fields[field].type == T_MASK) {
		n->mask = mask_of(n, false);
		n->mask_err = mask_of(n, true);
	}
	if (n->field == F_TIME && n->nvals > 1) {
		fail(p, start, "a list of times makes no sense");
		return 0;
	}
	return id;
}

static uint32_t
parse_unary(struct parser *p)
{
	uint32_t id, child;

	skip_space(p);
	if (p->failed)
		return 0;
	if (++p->depth > MAX_DEPTH) {
		fail(p, p->pos, "expression nested too deeply");
		return 0;
	}
	if (at_word(p, "not") || (p->pos < p->len && p->s[p->pos] == '!' &&
				  !(p->pos + 1 < p->len &&
				    (p->s[p->pos + 1] == '=' ||
				     p->s[p->pos + 1] == '~')))) {
		p->pos += p->s[p->pos] == '!' ? 1 : 3;
		child = parse_unary(p);
		id = node_new(p, N_NOT);
		if (p->failed)
			return 0;
		p->f->nodes[id].a = child;
	} else if (p->pos < p->len && p->s[p->pos] == '(') {
		size_t open = p->pos++;

		id = parse_or(p);
		skip_space(p);
		if (!p->failed && (p->pos == p->len || p->s[p->pos] != ')'))
			fail(p, open, "unbalanced '('");
		p->pos++;
	} else if (at_ident(p) && !at_word(p, "and") && !at_word(p, "or")) {
		id = parse_test(p);
	} else if (p->pos == p->len) {
		fail(p, p->pos, "expression ends where a test should be");
		id = 0;
	} else {
		char tok[16];

		quote_token(tok, sizeof(tok), p->s + p->pos, 1);
		fail(p, p->pos, "expected a test (a field such as latency), "
		     "not '%s'", tok);
		id = 0;
	}
	p->depth--;
	return id;
}

static uint32_t
binary(struct parser *p, enum ntype type, uint32_t a, uint32_t b)
{
	uint32_t id = node_new(p, type);

	if (p->failed)
		return 0;
	p->f->nodes[id].a = a;
	p->f->nodes[id].b = b;
	return id;
}

static uint32_t
parse_and(struct parser *p)
{
	uint32_t left = parse_unary(p);

	for (;;) {
		skip_space(p);
		if (p->failed || p->pos == p->len || p->s[p->pos] == ')' ||
		    at_word(p, "or") || (p->len - p->pos >= 2 &&
					 memcmp(p->s + p->pos, "||", 2) == 0))
			return left;
		if (at_word(p, "and"))
			p->pos += 3;
		else if (p->len - p->pos >= 2 &&
			 memcmp(p->s + p->pos, "&&", 2) == 0)
			p->pos += 2;
		left = binary(p, N_AND, left, parse_unary(p));
	}
}

static uint32_t
parse_or(struct parser *p)
{
	uint32_t left = parse_and(p);

	for (;;) {
		skip_space(p);
		if (p->failed)
			return left;
		if (at_word(p, "or"))
			p->pos += 2;
		else if (p->len - p->pos >= 2 &&
			 memcmp(p->s + p->pos, "||", 2) == 0)
			p->pos += 2;
		else
			return left;
		left = binary(p, N_OR, left, parse_and(p));
	}
}

struct filter *
filter_compile(const char *expr, size_t len, char *errbuf, size_t errlen)
{
	struct parser p = { .s = expr, .len = len, .err = errbuf,
			    .errlen = errlen };
	char dummy[1];

	if (errlen == 0) {
		p.err = dummy;
		p.errlen = sizeof(dummy);
	}
	if ((p.f = calloc(1, sizeof(*p.f))) == NULL)
		err(1, "filter");
	skip_space(&p);
	if (p.pos == p.len)
		failc(&p, 0, "empty expression");
	else
		p.f->root = parse_or(&p);
	skip_space(&p);
	if (!p.failed && p.pos < p.len) {
		if (p.s[p.pos] == ')')
			fail(&p, p.pos, "unexpected ')'");
		else
			fail(&p, p.pos, "expected and, or or the end");
	}
	if (p.failed) {
		filter_free(p.f);
		return NULL;
	}
	return p.f;
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	for (uint32_t i = 0; i < f->nnodes; i++) {
		struct node *n = &f->nodes[i];

		if (n->re != NULL) {
			regfree(n->re);
			free(n->re);
		}
		if (fields[n->field].type == T_STR ||
		    fields[n->field].type == T_MASK)
			for (uint32_t j = 0; n->pats && j < n->nvals; j++)
				free(n->pats[j].bytes);
		free(n->pats);
		free(n->vals);
		free(n->memo);
		free(n->scratch);
	}
	free(f->nodes);
	free(f);
}

/* ---- matching ---- */

/* The clock time of a wall-clock time of day, near the section's anchor. */
static uint64_t
wall_threshold(const struct filter_context *c, uint64_t tod_ns)
{
	time_t secs = c->anchor_realtime / NS_PER_S;
	struct tm tm;
	int64_t target, diff;

	if (localtime_r(&secs, &tm) == NULL)
		return 0;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	target = (int64_t)mktime(&tm) * (int64_t)NS_PER_S + (int64_t)tod_ns;
	/* The day that puts the time nearest the start: captures that run
	   past midnight, times asked before the capture began. */
	diff = target - (int64_t)c->anchor_realtime;
	if (diff > (int64_t)DAY_NS / 2)
		diff -= DAY_NS;
	else if (diff < -(int64_t)DAY_NS / 2)
		diff += DAY_NS;
	if (diff < 0 && (uint64_t)-diff > c->anchor_clock)
		return 0;
	return c->anchor_clock + diff;
}

/* A new section, or a name that changed: forget what names answered. */
static void __attribute__((noinline, cold))
prepare(struct filter *f, const struct filter_context *c)
{
	for (uint32_t i = 0; i < f->nnodes; i++) {
		struct node *n = &f->nodes[i];

		if (n->memo != NULL)
			memset(n->memo, 0, n->memo_cap);
		if (n->type != N_TEST)
			continue;
		if (n->field == F_TIME && n->op != OP_SET) {
			uint64_t v = n->vals[0];

			n->val = n->wall ? wall_threshold(c, v) :
				 c->anchor_clock + v < c->anchor_clock ?
				 UINT64_MAX : c->anchor_clock + v;
		}
		if (n->field == F_HOST)
			n->host_yes = string_test(n, c->host, c->host_len, false);
	}
	f->generation = c->generation;
}

static bool
compare(const struct node *n, uint64_t v)
{
	switch (n->op) {
	case OP_SET: return v != 0;
	case OP_LT: return v < n->val;
	case OP_LE: return v <= n->val;
	case OP_GT: return v > n->val;
	case OP_GE: return v >= n->val;
	default: break;
	}
	for (uint32_t i = 0; i < n->nvals; i++)
		if (v == n->vals[i])
			return !n->negate;
	return n->negate;
}

static bool
scompare(const struct node *n, int64_t v)
{
	int64_t x = (int64_t)n->val;

	switch (n->op) {
	case OP_LT: return v < x;
	case OP_LE: return v <= x;
	case OP_GT: return v > x;
	case OP_GE: return v >= x;
	default: return compare(n, (uint64_t)v);
	}
}

static const char *
path_part(enum field field, const char *s, size_t *len)
{
	const char *slash = memrchr(s, '/', *len);

	if (field == F_DIR) {
		if (slash == NULL)
			return NULL;
		/* "/x" is in "/", not in "". */
		*len = slash == s ? 1 : (size_t)(slash - s);
		return s;
	}
	if (field == F_BASE && slash != NULL) {
		*len -= slash + 1 - s;
		return slash + 1;
	}
	return s;
}

/* A name test, remembered per id so each name is matched once. */
static bool
name_test(struct node *n, const struct filter_context *c, unsigned kind,
	  uint32_t id)
{
	size_t len = 0;
	const char *s = name_table_get(&c->names, kind, id, &len);
	bool yes;

	/* Not remembered: a name defined later must not find an answer. */
	if (s == NULL)
		return string_test(n, NULL, 0, false);
	if (id < n->memo_cap && n->memo[id])
		return n->memo[id] == 2;
	if (kind == IOR_NAME_PATH)
		s = path_part(n->field, s, &len);
	yes = string_test(n, s, len, false);
	if (id >= n->memo_cap && id < c->names.kind[kind].nrefs) {
		/* Grows with the name table, which the stream bounds. */
		uint32_t cap = c->names.kind[kind].nrefs;
		uint8_t *m = realloc(n->memo, cap);

		if (m == NULL)
			err(1, "filter");
		memset(m + n->memo_cap, 0, cap - n->memo_cap);
		n->memo = m;
		n->memo_cap = cap;
	}
	if (id < n->memo_cap)
		n->memo[id] = yes ? 2 : 1;
	return yes;
}

static bool
syscall_test(struct node *n, const struct filter_context *c, unsigned nr)
{
	char buf[24];
	const char *name;
	bool yes;

	if (nr < n->memo_cap && n->memo[nr])
		return n->memo[nr] == 2;
	/* A stream with no name table: the build machine's names. */
	if ((nr >= SYSNAMES_MAX || c->syscalls.name[nr] == NULL) &&
	    syscall_name(nr) != NULL)
		name = syscall_name(nr);
	else
		name = sysnames_get(&c->syscalls, nr, buf);
	yes = string_test(n, name, strlen(name), true);
	if (n->memo == NULL) {
		if ((n->memo = calloc(1, SYSNAMES_MAX)) == NULL)
			err(1, "filter");
		n->memo_cap = SYSNAMES_MAX;
	}
	if (nr < n->memo_cap)
		n->memo[nr] = yes ? 2 : 1;
	return yes;
}

static bool
path_test(struct node *n, const struct filter_context *c,
	  const struct ior_pair *p)
{
	/* Either file of a rename or a transfer; negations ask both. */
	bool first = name_test(n, c, IOR_NAME_PATH, p->path_id);

	if (p->path2_id == 0)
		return first;
	if (n->negate || n->op == OP_NSUB)
		return first && name_test(n, c, IOR_NAME_PATH, p->path2_id);
	return first || name_test(n, c, IOR_NAME_PATH, p->path2_id);
}

static bool
test(struct node *n, const struct filter_context *c, const struct ior_pair *p)
{
	switch (n->field) {
	case F_COMM: return name_test(n, c, IOR_NAME_COMM, p->comm_id);
	case F_PID: return compare(n, p->pid);
	case F_TID: return compare(n, p->tid);
	case F_PPID: {
		uintptr_t v = (uintptr_t)idmap_get(&c->parents, p->pid);

		return compare(n, v ? v - 1 : 0);
	}
	case F_SYSCALL: return syscall_test(n, c, p->header.misc);
	case F_FAMILY:
	case F_CLASS:
		return p->family < 64 &&
		       ((p->err ? n->mask_err : n->mask) >> p->family & 1);
	case F_PATH:
	case F_DIR:
	case F_BASE: return path_test(n, c, p);
	case F_FD: return scompare(n, p->fd);
	case F_RET: return scompare(n, p->ret);
	case F_ERRNO: return compare(n, p->err);
	case F_ERRORS: return compare(n, p->err != 0);
	case F_BYTES: return compare(n, p->bytes);
	case F_READ:
		return compare(n, p->pair_flags & IOR_PAIR_READ ? p->bytes : 0);
	case F_WRITE:
		return compare(n, p->pair_flags & IOR_PAIR_WRITE ? p->bytes : 0);
	case F_LATENCY: return compare(n, p->latency_ns);
	case F_GAP:
		/* An unknown gap passes no test on it. */
		return (p->pair_flags & IOR_PAIR_GAP_KNOWN) &&
		       compare(n, p->gap_ns);
	case F_TIME:
		/* n->val is this section's threshold, not the value given. */
		if (n->op == OP_EQ || n->op == OP_NE)
			return (p->time_ns == n->val) != n->negate;
		return n->op == OP_SET || compare(n, p->time_ns);
	case F_FLAGS: return compare(n, p->flags);
	case F_HOST: return n->host_yes;
	case F_SEQ: return compare(n, p->seq);
	}
	return false;
}

static bool
eval(struct filter *f, uint32_t i, const struct filter_context *c,
     const struct ior_pair *p)
{
	struct node *n = &f->nodes[i];

	switch (n->type) {
	case N_AND: return eval(f, n->a, c, p) && eval(f, n->b, c, p);
	case N_OR: return eval(f, n->a, c, p) || eval(f, n->b, c, p);
	case N_NOT: return !eval(f, n->a, c, p);
	default: return test(n, c, p);
	}
}

bool
filter_match(struct filter *f, const struct filter_context *c,
	     const struct ior_pair *p)
{
	const struct node *root = &f->nodes[f->root];

	if (__builtin_expect(f->generation != c->generation, 0))
		prepare(f, c);
	/* One test, the common case: no walk of the tree. */
	if (root->type == N_TEST)
		return test(&f->nodes[f->root], c, p);
	return eval(f, f->root, c, p);
}
