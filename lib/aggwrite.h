/* SPDX-License-Identifier: MIT */
/*
 * aggwrite.h - encoding an aggregate as a snapshot, the records that
 * aggread.h decodes.
 */
#ifndef IOR_AGGWRITE_H
#define IOR_AGGWRITE_H

#include <stdint.h>

struct agg;
struct stream_writer;

/* Write the aggregate as one snapshot (IOR_AGG_BEGIN ... IOR_AGG_END). */
void agg_write_snapshot(struct agg *a, struct stream_writer *w,
			uint32_t sequence, uint32_t interval_ms,
			uint16_t flags);

#endif /* IOR_AGGWRITE_H */
