/* SPDX-License-Identifier: MIT */
/*
 * hist.h - log-linear histograms of nanosecond values, HDR-histogram style.
 *
 * Values below 128 have a bucket each; above, every power of two is split
 * into 64 equal buckets.  A bucket's width is at most 1/64 of its lowest
 * value, and a percentile is reported as its bucket's midpoint (clamped to
 * the exact min and max), so it is within 1/128 (0.79%) of the true
 * nearest-rank value.  Buckets are absolute, so two histograms merge
 * exactly by adding counts.  Only the range of buckets between the lowest
 * and highest used is allocated: a histogram of one value costs one count.
 */
#ifndef IOR_HIST_H
#define IOR_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7                 /* 128 exact values, then 64 per octave */
#define HIST_BUCKETS 3776               /* bucket_of(UINT64_MAX) + 1 */
#define HIST_RELATIVE_ERROR (1.0 / 128)

struct hist {
	uint64_t count;
	uint64_t sum;           /* saturates at UINT64_MAX */
	uint64_t min, max;      /* exact; min is UINT64_MAX when empty */
	uint32_t lo, n;         /* counts[i] is bucket lo + i */
	uint64_t *counts;
};

void hist_init(struct hist *h);
void hist_release(struct hist *h);
void hist_add(struct hist *h, uint64_t value);
/* Add a bucket's count directly, as read from an aggregate record. */
void hist_add_bucket(struct hist *h, uint32_t bucket, uint64_t count);
/* dst += src, exactly; min, max, sum and count too. */
void hist_merge(struct hist *dst, const struct hist *src);

unsigned hist_bucket_of(uint64_t value);
uint64_t hist_bucket_low(unsigned bucket);
uint64_t hist_bucket_high(unsigned bucket);    /* inclusive */

/*
 * The nearest-rank percentile: the value v such that ceil(p/100 * count)
 * values are <= v, as the midpoint of its bucket clamped to [min, max].
 * 0 for an empty histogram.  p in [0, 100].
 */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

#endif /* IOR_HIST_H */
