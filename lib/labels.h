/* SPDX-License-Identifier: MIT */
/*
 * labels.h - the frames of a pair's stack: one label per field (a tree
 * field gives one per directory level), formatted into a caller's
 * label_buf, which owns the bytes until the next call fills it again.
 */
#ifndef IOR_LABELS_H
#define IOR_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "aggfields.h"
#include "ior_format.h"

struct agg_input;

struct label_buf {
	char buf[8192];
	size_t len;
	/* Frames: [start, end) in buf. */
	uint32_t start[AGG_FIELDS_MAX * 64], end[AGG_FIELDS_MAX * 64];
	unsigned n;
};

/* The frames of p's stack under in's fields and names. */
void pair_frames(const struct agg_input *in, const struct ior_pair *p,
		 struct label_buf *b);
/* Length of the directory part of an absolute path ("/" for "/x"). */
size_t path_dir_len(const char *path, size_t len);
/*
 * What stands for the directory of a name that is not a path ("pipe:",
 * "[other files]"): its length, and *out pointed at its bytes.
 */
size_t path_pseudo_dir(const char *name, size_t len, const char **out);

#endif /* IOR_LABELS_H */
