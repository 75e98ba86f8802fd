/* SPDX-License-Identifier: MIT */
/*
 * aggread.h - decoding aggregate snapshots (IOR_AGG_BEGIN, _STAT, _NODE,
 * _END) into an agg_input's aggregate; agg_input_record() calls these.
 * Each returns false after reporting bad input.
 */
#ifndef IOR_AGGREAD_H
#define IOR_AGGREAD_H

#include <stdbool.h>

#include "ior_format.h"

struct agg_input;

bool agg_read_begin(struct agg_input *in, const struct ior_agg_begin *rec);
bool agg_read_stat(struct agg_input *in, const struct ior_agg_stat *rec);
bool agg_read_node(struct agg_input *in, const struct ior_agg_node *rec);
bool agg_read_end(struct agg_input *in, const struct ior_agg_end *rec);

#endif /* IOR_AGGREAD_H */
