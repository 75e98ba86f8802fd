/* SPDX-License-Identifier: MIT */
#include "hist.h"

#include <err.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HALF (1u << (HIST_SUB_BITS - 1))        /* buckets per octave */

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
hist_release(struct hist *h)
{
	free(h->counts);
	hist_init(h);
}

uint64_t
hist_bucket_low(unsigned bucket)
{
	if (bucket < 2 * HALF)
		return bucket;
	unsigned shift = bucket / HALF - 1;
	return (uint64_t)(bucket % HALF + HALF) << shift;
}

uint64_t
hist_bucket_high(unsigned bucket)
{
	if (bucket < 2 * HALF)
		return bucket;
	unsigned shift = bucket / HALF - 1;
	return hist_bucket_low(bucket) + ((UINT64_C(1) << shift) - 1);
}

#define BLOCK 16u        /* buckets: a cache line of 32-bit counts */

/* Dense: make buckets first .. last addressable, growing the range. */
static void
cover(struct hist *h, uint32_t first, uint32_t last)
{
	uint32_t lo = first, hi = last + 1;
	if (h->n) {
		if (first >= h->lo && last < h->lo + h->n)
			return;
		if (h->lo < lo)
			lo = h->lo;
		if (h->lo + h->n > hi)
			hi = h->lo + h->n;
	}
	lo &= ~(BLOCK - 1);
	hi = (hi + BLOCK - 1) & ~(BLOCK - 1);
	if (hi > HIST_BUCKETS)
		hi = HIST_BUCKETS;
	size_t width = h->form == HIST_DENSE64 ? sizeof(uint64_t)
					       : sizeof(uint32_t);
	unsigned char *c = calloc(hi - lo, width);
	if (!c)
		err(1, "hist");
	if (h->n)
		memcpy(c + (h->lo - lo) * width, h->counts, h->n * width);
	free(h->counts);
	h->counts = c;
	h->lo = lo;
	h->n = hi - lo;
}

static void
widen(struct hist *h)
{
	uint64_t *c = calloc(h->n, sizeof(*c));
	if (!c)
		err(1, "hist");
	for (uint32_t i = 0; i < h->n; i++)
		c[i] = ((uint32_t *)h->counts)[i];
	free(h->counts);
	h->counts = c;
	h->form = HIST_DENSE64;
}

/* Dense: bucket lo + i += k; it is allocated. */
static inline void
dense_add(struct hist *h, uint32_t i, uint64_t k)
{
	if (h->form == HIST_DENSE32) {
		uint32_t *c = h->counts;
		if (k <= UINT32_MAX - c[i]) {
			c[i] += (uint32_t)k;
			return;
		}
		widen(h);
	}
	((uint64_t *)h->counts)[i] += k;
}

static void
densify(struct hist *h)
{
	struct hist_sparse *e = h->counts;
	uint32_t n = h->n;
	h->counts = NULL;
	h->n = 0;
	h->form = HIST_DENSE32;
	if (n) {
		cover(h, e[0].bucket, e[n - 1].bucket);
		for (uint32_t i = 0; i < n; i++)
			dense_add(h, e[i].bucket - h->lo, e[i].count);
	}
	free(e);
}

/* Bucket b += k, in whichever form. */
static void
bucket_add(struct hist *h, uint32_t b, uint64_t k)
{
	if (h->form == HIST_SPARSE) {
		struct hist_sparse *e = h->counts;
		uint32_t i = 0;
		while (i < h->n && e[i].bucket < b)
			i++;
		if (i < h->n && e[i].bucket == b) {
			if (k <= (uint64_t)(UINT16_MAX - e[i].count)) {
				e[i].count += (uint16_t)k;
				return;
			}
		} else if (h->n < HIST_SPARSE_MAX && k <= UINT16_MAX) {
			/* Room for 4, 8, 16, 32: a histogram of a few calls
			 * is most of them, in a stream of many files. */
			if (h->n < 4 ? !e : (h->n & (h->n - 1)) == 0) {
				uint32_t cap = h->n < 4 ? 4 : h->n * 2;
				e = reallocarray(e, cap, sizeof(*e));
				if (!e)
					err(1, "hist");
				h->counts = e;
			}
			memmove(e + i + 1, e + i, (h->n - i) * sizeof(*e));
			e[i] = (struct hist_sparse){ (uint16_t)b, (uint16_t)k };
			h->n++;
			return;
		}
		densify(h);
	}
	if (b - h->lo >= h->n)          /* also below lo */
		cover(h, b, b);
	dense_add(h, b - h->lo, k);
}

uint32_t
hist_next(const struct hist *h, uint32_t *cursor, uint64_t *count)
{
	if (h->form == HIST_SPARSE) {
		if (*cursor >= h->n)
			return UINT32_MAX;
		const struct hist_sparse *e = h->counts;
		*count = e[*cursor].count;
		return e[(*cursor)++].bucket;
	}
	while (*cursor < h->n) {
		uint32_t i = (*cursor)++;
		uint64_t k = h->form == HIST_DENSE64
				     ? ((const uint64_t *)h->counts)[i]
				     : ((const uint32_t *)h->counts)[i];
		if (k) {
			*count = k;
			return h->lo + i;
		}
	}
	return UINT32_MAX;
}

static uint64_t
saturating_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

void
hist_add(struct hist *h, uint64_t value)
{
	uint32_t b = hist_bucket_of(value);
	if (h->form == HIST_DENSE32 && b - h->lo < h->n &&
	    ((uint32_t *)h->counts)[b - h->lo] != UINT32_MAX)
		((uint32_t *)h->counts)[b - h->lo]++;
	else
		bucket_add(h, b, 1);
	h->count++;
	h->sum = saturating_add(h->sum, value);
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void
hist_add_bucket(struct hist *h, uint32_t bucket, uint64_t count)
{
	if (count == 0 || bucket >= HIST_BUCKETS)
		return;
	bucket_add(h, bucket, count);
	h->count += count;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	uint64_t k;
	for (uint32_t i = 0, b; (b = hist_next(src, &i, &k)) != UINT32_MAX;)
		bucket_add(dst, b, k);
	dst->count += src->count;
	dst->sum = saturating_add(dst->sum, src->sum);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	/*
	 * In integers: p/100 * count in floating point lands just above a
	 * whole rank (99.9% of 1000 is 999.0000000000001).  p has at most
	 * four decimals that matter.
	 */
	unsigned __int128 ppm = (unsigned __int128)llround(p * 10000.0);
	uint64_t rank = (uint64_t)((ppm * h->count + 999999) / 1000000);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	uint64_t seen = 0, k;
	for (uint32_t i = 0, b; (b = hist_next(h, &i, &k)) != UINT32_MAX;) {
		seen += k;
		if (seen >= rank) {
			uint64_t lo = hist_bucket_low(b), hi = hist_bucket_high(b);
			uint64_t v = lo + (hi - lo) / 2;
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
