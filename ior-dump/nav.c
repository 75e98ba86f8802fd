/* SPDX-License-Identifier: MIT */
/* nav.c - see nav.h: -F, --from/--to and -A/-B of ior-dump. */
#include <ctype.h>
#include <err.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "nav.h"
#include "stream.h"

/*
 * A bound of --from or --to as a filter test.  The syntax decides the
 * kind: digits (optionally after '#', as text output shows a pair) are a
 * sequence number; anything else is a time as the filter reads it,
 * `+2.5s` from the section's start or `10:42:07.5` by the clock.  A time
 * with neither a unit nor a colon (`+2`) is refused rather than read as
 * nanoseconds, the filter's reading of a bare number, which nobody
 * typing --from +2 means.  Only the characters of a number, a unit and
 * a clock reach the filter, so a bound can never add a test of its own
 * (`--from '1s or pid=1'`).
 */
static struct filter *
compile_bound(const char *opt, const char *arg, const char *op, bool *is_time,
	      uint64_t *seq)
{
	const char *v = arg[0] == '#' ? arg + 1 : arg;
	char expr[96], msg[256];
	struct filter *f;
	size_t len = strlen(arg);

	*is_time = v[0] == '\0' || v[strspn(v, "0123456789")] != '\0';
	if (!*is_time) {
		*seq = strtoull(v, NULL, 10);
		if (len > 20 || *seq == UINT64_MAX)
			errx(2, "%s: bad sequence number '%s'", opt, arg);
	} else if (arg[0] == '#' || len == 0 || len > 40 ||
		   arg[strspn(arg, "+0123456789.:nsumh")] != '\0' ||
		   (strchr(arg, ':') == NULL &&
		    isdigit((unsigned char)arg[len - 1]))) {
		errx(2, "%s: bad time '%s' (use a sequence number such as 17, "
		     "+2.5s from the start or 10:42:07.5)", opt, arg);
	}
	snprintf(expr, sizeof(expr), "%s%s%s", *is_time ? "time" : "seq", op,
		 v);
	f = filter_compile(expr, strlen(expr), msg, sizeof(msg));
	if (f == NULL) {
		/* The column is the synthesized expression's: not the user's. */
		char *at = strstr(msg, " at column ");

		if (at != NULL && at[11 + strspn(at + 11, "0123456789")] == '\0')
			*at = '\0';
		errx(2, "%s: %s", opt, msg);
	}
	return f;
}

void
nav_init(struct nav *n, const struct nav_opts *o,
	 const struct name_table *names)
{
	char msg[512];

	/* The stage's record buffer needs no zeroing, and is 1 MiB. */
	memset(n, 0, offsetof(struct nav, stage));
	memset(&n->stage, 0, offsetof(struct filter_stage, rec));
	n->names = names;
	n->before = o->before;
	n->after = o->after;
	n->ordered = true;
	if (o->from != NULL)
		n->from = compile_bound("--from", o->from, ">=", &n->from_time,
					&(uint64_t){ 0 });
	if (o->to != NULL)
		n->to = compile_bound("--to", o->to, "<=", &n->to_time,
				      &n->to_seq);
	if (o->filter != NULL) {
		filter_stage_init(&n->stage, o->filter);
		n->active = true;
	} else if (n->from != NULL || n->to != NULL) {
		/* No filter, but the window's tests need the context. */
		if (!filter_stage_try(&n->stage, "", msg, sizeof(msg)))
			errx(1, "filter: %s", msg);
		n->active = true;
	}
}

void
nav_release(struct nav *n)
{
	if (n->active)
		filter_stage_release(&n->stage);
	filter_free(n->from);
	filter_free(n->to);
	free(n->ring);
	n->from = n->to = NULL;
	n->ring = NULL;
	n->active = false;
}

static void
forget_before(struct nav *n)
{
	if (n->ring_len > 0)
		n->omitted = true;
	n->ring_len = n->ring_head = 0;
}

static void
section_reset(struct nav *n)
{
	forget_before(n);
	n->last_seq = 0;
	n->ordered = true;
	n->shown = n->omitted = false;
	n->after_left = 0;
}

static void
show_pair(struct nav *n, const struct ior_pair *p, uint32_t size,
	  uint64_t offset, unsigned flags, nav_show_fn *show, void *arg)
{
	bool context = n->before > 0 || n->after > 0;

	/* As grep: `--` only with context asked for, only between groups. */
	if (context && n->shown && n->omitted)
		show(arg, NULL, 0, 0, 0, NAV_BREAK);
	show(arg, &p->header, IOR_PAIR, size, offset, flags);
	n->shown = true;
	n->omitted = false;
}

/* A pair left out: kept in the -B ring, the oldest one falling out. */
static void
hold_pair(struct nav *n, const struct ior_pair *p, uint32_t size,
	  uint64_t offset)
{
	struct nav_pair *slot;

	if (n->before == 0) {
		n->omitted = true;
		return;
	}
	if (n->ring_len == n->before) {
		n->ring_head = (n->ring_head + 1) % n->ring_cap;
		n->ring_len--;
		n->omitted = true;
	} else if (n->ring_len == n->ring_cap) {
		/* Grow, the ring unrolled so that head is 0 again. */
		uint32_t cap = n->ring_cap ? n->ring_cap * 2 : 16;
		struct nav_pair *r;

		if (cap > n->before || cap < n->ring_cap)
			cap = n->before;
		r = reallocarray(NULL, cap, sizeof(*r));
		if (r == NULL)
			err(1, "-B");
		for (uint32_t i = 0; i < n->ring_len; i++)
			r[i] = n->ring[(n->ring_head + i) % n->ring_cap];
		free(n->ring);
		n->ring = r;
		n->ring_cap = cap;
		n->ring_head = 0;
	}
	slot = &n->ring[(n->ring_head + n->ring_len) % n->ring_cap];
	/* The reader zero-extends a short pair, so sizeof(*p) is there. */
	memcpy(&slot->p, p, sizeof(slot->p));
	slot->size = size < sizeof(slot->p) ? size : sizeof(slot->p);
	slot->offset = offset;
	n->ring_len++;
}

static void
show_before(struct nav *n, nav_show_fn *show, void *arg)
{
	for (uint32_t i = 0; i < n->ring_len; i++) {
		const struct nav_pair *b =
			&n->ring[(n->ring_head + i) % n->ring_cap];

		show_pair(n, &b->p, b->size, b->offset, NAV_CONTEXT, show,
			  arg);
	}
	n->ring_len = n->ring_head = 0;
}

static bool
in_window(struct nav *n, const struct ior_pair *p)
{
	const struct filter_context *c = &n->stage.ctx;

	return (n->from == NULL || filter_match(n->from, c, p)) &&
	       (n->to == NULL || filter_match(n->to, c, p));
}

/*
 * The time of a raw event, or false for a record that is not one.  Every
 * event record has its time_ns first (lib/ior_format.h).
 */
static bool
event_time(uint16_t type, const struct ior_record *rec, uint64_t *t)
{
	switch (type) {
	case IOR_SYSCALL_ENTER:
	case IOR_SYSCALL_EXIT:
	case IOR_SYSCALL_STRINGS:
	case IOR_TASK_NEW:
	case IOR_EXEC:
	case IOR_TASK_EXIT:
	case IOR_COMM:
		*t = ((const struct ior_comm *)(const void *)rec)->time_ns;
		return true;
	}
	return false;
}

/*
 * A raw event against the time bounds only (a sequence number is a
 * pair's): the filter's time test sees a pair that has just that time.
 */
static bool
event_in_window(struct nav *n, uint64_t t)
{
	const struct filter_context *c = &n->stage.ctx;
	struct ior_pair p = { .time_ns = t };

	return (n->from == NULL || !n->from_time ||
		filter_match(n->from, c, &p)) &&
	       (n->to == NULL || !n->to_time || filter_match(n->to, c, &p));
}

static bool
nav_pair(struct nav *n, const struct ior_pair *p, uint32_t size,
	 uint64_t offset, nav_show_fn *show, void *arg)
{
	bool match = filter_stage_pass(&n->stage, IOR_PAIR, p, size) != NULL;

	/* ior-pair numbers a section's pairs 1, 2, ... as it writes them. */
	if (p->seq == 0 || p->seq <= n->last_seq)
		n->ordered = false;
	n->last_seq = p->seq;
	if (!in_window(n, p)) {
		if (n->to != NULL && !n->to_time && n->ordered &&
		    p->seq > n->to_seq)
			return false;
		n->omitted = true;
		return true;
	}
	if (match) {
		show_before(n, show, arg);
		show_pair(n, p, size, offset, 0, show, arg);
		n->after_left = n->after;
	} else if (n->after_left > 0) {
		n->after_left--;
		show_pair(n, p, size, offset, NAV_CONTEXT, show, arg);
	} else {
		hold_pair(n, p, size, offset);
	}
	return true;
}

bool
nav_record(struct nav *n, uint16_t type, const struct ior_record *rec,
	   uint32_t size, uint64_t offset, nav_show_fn *show, void *arg)
{
	const struct ior_record *r;
	uint64_t t;

	if (!n->active) {
		show(arg, rec, type, size, offset, 0);
		return true;
	}
	if ((r = filter_stage_before(&n->stage, type)) != NULL)
		show(arg, r, r->type, r->size, offset, 0);
	if (type == IOR_PAIR)
		return nav_pair(n, (const void *)rec, size, offset, show, arg);
	if (type == STREAM_SECTION) {
		section_reset(n);
	} else if (type == IOR_NAME && n->ring_len > 0) {
		/*
		 * A name redefined while pairs that may use it wait in the -B
		 * ring: shown later, they would show the new one.  Rare (no
		 * ior tool redefines an id), so they are left out instead.
		 */
		const struct ior_name *nm = (const void *)rec;

		if (name_table_get(n->names, nm->header.misc, nm->id,
				   &(size_t){ 0 }) != NULL)
			forget_before(n);
	}
	r = filter_stage_pass(&n->stage, type, rec, size);
	if (event_time(type, r, &t) && !event_in_window(n, t))
		return true;
	/* A rewritten trailer has its own size. */
	show(arg, r, type, r == rec ? size : r->size, offset, 0);
	return true;
}

void
nav_end(struct nav *n, uint64_t offset, nav_show_fn *show, void *arg)
{
	const struct ior_record *r;

	if (!n->active)
		return;
	if ((r = filter_stage_end(&n->stage)) != NULL)
		show(arg, r, r->type, r->size, offset, 0);
	section_reset(n);
	n->omitted = false;
}
