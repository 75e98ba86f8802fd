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

unsigned
hist_bucket_of(uint64_t value)
{
	if (value < 2 * HALF)
		return (unsigned)value;
	unsigned msb = 63 - (unsigned)__builtin_clzll(value);
	unsigned shift = msb - (HIST_SUB_BITS - 1);
	return (shift + 1) * HALF + (unsigned)(value >> shift) - HALF;
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

/* Make bucket b addressable, growing the allocated range. */
static uint64_t *
slot(struct hist *h, uint32_t b)
{
	if (h->n == 0) {
		h->counts = calloc(1, sizeof(*h->counts));
		if (!h->counts)
			err(1, "hist");
		h->lo = b;
		h->n = 1;
	} else if (b < h->lo || b >= h->lo + h->n) {
		uint32_t lo = b < h->lo ? b : h->lo;
		uint32_t hi = b >= h->lo + h->n ? b + 1 : h->lo + h->n;
		uint64_t *c = calloc(hi - lo, sizeof(*c));
		if (!c)
			err(1, "hist");
		memcpy(c + (h->lo - lo), h->counts, h->n * sizeof(*c));
		free(h->counts);
		h->counts = c;
		h->lo = lo;
		h->n = hi - lo;
	}
	return &h->counts[b - h->lo];
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
	if (h->n && b >= h->lo && b < h->lo + h->n)
		h->counts[b - h->lo]++;
	else
		++*slot(h, b);
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
	*slot(h, bucket) += count;
	h->count += count;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	if (src->n) {
		slot(dst, src->lo);
		slot(dst, src->lo + src->n - 1);
		for (uint32_t i = 0; i < src->n; i++)
			dst->counts[src->lo + i - dst->lo] += src->counts[i];
	}
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
	uint64_t seen = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			unsigned b = h->lo + i;
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
