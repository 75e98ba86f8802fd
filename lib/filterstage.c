/* SPDX-License-Identifier: MIT */
/* filterstage.c - see filterstage.h; ior-grep/main.c is its model. */
#include <err.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filterstage.h"
#include "stream.h"

void
filter_stage_init(struct filter_stage *s, const char *expr)
{
	char msg[512];
	struct filter *f = NULL;
	bool ok;

	memset(s, 0, offsetof(struct filter_stage, rec));
	/* Blank is an error here, as in ior-grep; only a prompt clears. */
	if (expr[strspn(expr, " \t\n")] == '\0')
		ok = (f = filter_compile(expr, strlen(expr), msg,
					 sizeof(msg))) != NULL;
	else
		ok = filter_stage_try(s, expr, msg, sizeof(msg));
	filter_free(f);
	if (ok && !s->ctx_ready)
		ok = filter_stage_try(s, expr, msg, sizeof(msg));
	if (!ok) {
		fprintf(stderr, "%s: filter: %s\n", getprogname(), msg);
		exit(2);
	}
}

bool
filter_stage_try(struct filter_stage *s, const char *expr, char *err,
		 size_t errlen)
{
	struct filter *f = NULL;

	if (expr[strspn(expr, " \t\n")] != '\0' &&
	    (f = filter_compile(expr, strlen(expr), err, errlen)) == NULL)
		return false;
	if (s->filter != NULL)
		filter_free(s->filter);
	if (!s->ctx_ready)
		filter_context_init(&s->ctx);
	s->ctx_ready = true;
	s->filter = f;
	s->expr = expr;
	return true;
}

void
filter_stage_release(struct filter_stage *s)
{
	if (s->filter != NULL)
		filter_free(s->filter);
	if (s->ctx_ready)
		filter_context_release(&s->ctx);
	s->filter = NULL;
	s->ctx_ready = false;
}

/* What ior-grep's write_filter() writes. */
static const struct ior_record *
close_section(struct filter_stage *s)
{
	struct ior_filter *r = (void *)s->rec;
	uint32_t off = sizeof(*r);

	if (!s->section_open)
		return NULL;
	s->section_open = false;
	if (s->filter == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->header.type = IOR_FILTER;
	r->seen = s->seen;
	r->kept = s->kept;
	r->str_off = off;
	r->nstrings = 1;
	record_add_string(s->rec, &off, s->expr, strlen(s->expr),
			  IOR_FILTER_EXPR, 0);
	r->header.size = record_finish(s->rec, off);
	s->records++;
	return (const void *)s->rec;
}

const struct ior_record *
filter_stage_before(struct filter_stage *s, uint16_t type)
{
	if (type == STREAM_SECTION || type == IOR_TRAILER)
		return close_section(s);
	return NULL;
}

const struct ior_record *
filter_stage_pass(struct filter_stage *s, uint16_t type, const void *rec,
		  uint32_t size)
{
	switch (type) {
	case IOR_PAIR:
		s->seen++;
		if (s->filter != NULL && !filter_match(s->filter, &s->ctx, rec))
			return NULL;
		s->kept++;
		s->records++;
		return rec;
	case STREAM_SECTION:
		s->section_open = true;
		s->seen = s->kept = s->records = 0;
		break;
	case IOR_TRAILER:
		if (s->filter == NULL)
			return rec;
		/* The fields ior-grep copies; a longer trailer's rest goes. */
		memset(&s->trailer, 0, sizeof(s->trailer));
		memcpy(&s->trailer, rec, size < sizeof(s->trailer) ? size :
		       sizeof(s->trailer));
		s->trailer.header.size = sizeof(s->trailer);
		s->trailer.records = s->records;
		return &s->trailer.header;
	default:
		s->records++;
	}
	filter_context_add(&s->ctx, type, rec, size);
	return rec;
}

const struct ior_record *
filter_stage_end(struct filter_stage *s)
{
	return close_section(s);
}

bool
filter_stage_agg_other(struct agg_input *in, const struct ior_record *rec,
		       uint16_t type)
{
	struct stream_reader *r = in->r;
	uint16_t was_type = r->type;
	uint32_t was_size = r->size;
	bool ok;

	/* agg_input_record() takes the type and size from the reader. */
	r->type = type;
	r->size = rec->size;
	ok = agg_input_record(in, rec);
	r->type = was_type;
	r->size = was_size;
	return ok;
}

bool
filter_stage_agg(struct filter_stage *s, struct agg_input *in,
		 const struct ior_record *rec)
{
	const struct ior_record *f, *kept;
	uint16_t type = in->r->type;

	if (s == NULL)
		return agg_input_record(in, rec);
	if ((f = filter_stage_before(s, type)) != NULL &&
	    !filter_stage_agg_other(in, f, IOR_FILTER))
		return false;
	if ((kept = filter_stage_pass(s, type, rec, in->r->size)) == NULL)
		return true;
	if (kept != rec)
		return filter_stage_agg_other(in, kept, type);
	return agg_input_record(in, rec);
}

bool
filter_stage_agg_end(struct filter_stage *s, struct agg_input *in)
{
	const struct ior_record *f;

	if (s == NULL || (f = filter_stage_end(s)) == NULL)
		return true;
	return filter_stage_agg_other(in, f, IOR_FILTER);
}
