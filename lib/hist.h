/* SPDX-License-Identifier: MIT */
/*
 * hist.h - log-linear histograms of nanosecond values, HDR-histogram style.
 *
 * Values below 128 have a bucket each; above, every power of two is split
 * into 64 equal buckets.  A bucket's width is at most 1/64 of its lowest
 * value, and a percentile is reported as its bucket's midpoint (clamped to
 * the exact min and max), so it is within 1/128 (0.79%) of the true
 * nearest-rank value.  Buckets are absolute, so two histograms merge
 * exactly by adding counts.
 *
 * An aggregate keeps histograms per file and directory, and what one
 * costs is the memory and cache lines it touches.  So a histogram starts
 * sparse: up to HIST_SPARSE_MAX (bucket, 16-bit count) pairs, sorted, in
 * two cache lines.  Past that (or when a count would pass 65535) it turns
 * dense: 32-bit counts for the range of buckets between the lowest and
 * highest used, allocated in 16-bucket blocks, widened to 64 bits when a
 * count would overflow.
 */
#ifndef IOR_HIST_H
#define IOR_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 7                 /* 128 exact values, then 64 per octave */
#define HIST_BUCKETS 3776               /* bucket_of(UINT64_MAX) + 1 */
#define HIST_RELATIVE_ERROR (1.0 / 128)

struct hist {
	uint64_t count;
	uint64_t sum;           /* saturates at UINT64_MAX */
	uint64_t min, max;      /* exact; min is UINT64_MAX when empty */
	uint32_t lo, n;         /* dense: buckets lo .. lo + n - 1; sparse: n used */
	uint8_t form;           /* enum hist_form */
	void *counts;
};

enum hist_form { HIST_SPARSE, HIST_DENSE32, HIST_DENSE64 };
#define HIST_SPARSE_MAX 32
struct hist_sparse { uint16_t bucket, count; };

void hist_init(struct hist *h);
void hist_release(struct hist *h);
void hist_add(struct hist *h, uint64_t value);
/* Add a bucket's count directly, as read from an aggregate record. */
void hist_add_bucket(struct hist *h, uint32_t bucket, uint64_t count);
/* dst += src, exactly; min, max, sum and count too. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The non-empty buckets in ascending order:
 *	for (uint32_t i = 0, b; (b = hist_next(h, &i, &count)) != UINT32_MAX;)
 */
uint32_t hist_next(const struct hist *h, uint32_t *cursor, uint64_t *count);

static inline unsigned
hist_bucket_of(uint64_t value)
{
	const unsigned half = 1u << (HIST_SUB_BITS - 1);
	if (value < 2 * half)
		return (unsigned)value;
	unsigned msb = 63 - (unsigned)__builtin_clzll(value);
	unsigned shift = msb - (HIST_SUB_BITS - 1);
	return (shift + 1) * half + (unsigned)(value >> shift) - half;
}

/* Start loading the count value goes to: an update soon will need it. */
static inline void
hist_prefetch(const struct hist *h, uint64_t value)
{
	uint32_t i = hist_bucket_of(value) - h->lo;
	if (h->form == HIST_SPARSE)
		__builtin_prefetch(h->counts, 1);
	else if (i < h->n)
		__builtin_prefetch((const char *)h->counts +
				   (size_t)i * (h->form == HIST_DENSE64 ? 8 : 4),
				   1);
}
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
