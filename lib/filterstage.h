/* SPDX-License-Identifier: MIT */
/*
 * filterstage.h - ior-grep inside a reading tool: the -F EXPR of ior-dump,
 * ior-agg, ior-flame and ior-top.
 *
 * `TOOL -F EXPR` must answer exactly as `ior-grep EXPR | TOOL`, so this
 * does what ior-grep does, in the reader's loop: pairs the expression
 * does not match are dropped, every other record passes, and at the end
 * of each section (before its trailer, before the next section header, or
 * at the end of the input) the tool is handed the IOR_FILTER record
 * ior-grep would have written, so its report says it was filtered.
 *
 * Use, for every record stream_next() returns:
 *     if ((f = filter_stage_before(s, type)) != NULL)
 *             handle(f);
 *     if ((rec = filter_stage_pass(s, type, rec, size)) == NULL)
 *             continue;
 * and at the end of an input, filter_stage_end() the same way.  A record
 * handed back from s lives there until the next call.  A trailer comes
 * back rewritten, its record count that of the filtered section, as
 * ior-grep writes it.
 */
#ifndef IOR_FILTERSTAGE_H
#define IOR_FILTERSTAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "filter.h"
#include "ior_format.h"

struct filter_stage {
	struct filter *filter;  /* NULL: every pair passes, no IOR_FILTER */
	const char *expr;
	struct filter_context ctx;
	bool ctx_ready;
	bool section_open;
	uint64_t seen, kept;    /* pairs of the current section */
	uint64_t records;       /* records passed since its header */
	struct ior_trailer trailer;
	_Alignas(8) unsigned char rec[IOR_RECORD_MAX];
};

/*
 * Compile expr; on a mistake, print `TOOL: filter: WHAT` and exit 2.
 * expr must outlive s (it is the text of the IOR_FILTER record).
 */
void filter_stage_init(struct filter_stage *s, const char *expr);
/*
 * Compile expr into s (zeroed, or used before: a new expression over the
 * same stream keeps the context it has read, as ior-top's prompt needs);
 * on a mistake return false with the message in err and leave s as it
 * was.  An empty expr (only blanks) removes the filter.
 */
bool filter_stage_try(struct filter_stage *s, const char *expr, char *err,
		      size_t errlen);
void filter_stage_release(struct filter_stage *s);

/* The IOR_FILTER record that goes before a record of this type, or NULL. */
const struct ior_record *filter_stage_before(struct filter_stage *s,
					     uint16_t type);
/*
 * The record to handle in place of rec (rec itself, or a trailer
 * rewritten), or NULL when it is dropped.  Every record the reader sees
 * comes here.
 */
const struct ior_record *filter_stage_pass(struct filter_stage *s,
					   uint16_t type, const void *rec,
					   uint32_t size);
/* The IOR_FILTER record that ends an input, or NULL. */
const struct ior_record *filter_stage_end(struct filter_stage *s);

/*
 * For the tools that read through agg_input: agg_input_record() of the
 * reader's current record rec with s (NULL: no filter) in front of it:
 * the IOR_FILTER record before it, then rec unless it is dropped.  Its
 * answer is agg_input_record()'s.  filter_stage_agg_end() at the end of
 * the input.
 */
bool filter_stage_agg(struct filter_stage *s, struct agg_input *in,
		      const struct ior_record *rec);
bool filter_stage_agg_end(struct filter_stage *s, struct agg_input *in);
/* agg_input_record() of a record that is not the reader's current one. */
bool filter_stage_agg_other(struct agg_input *in, const struct ior_record *rec,
			    uint16_t type);

#endif /* IOR_FILTERSTAGE_H */
