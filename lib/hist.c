/* SPDX-License-Identifier: MIT */
#include "hist.h"

#include <err.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HALF (1u << (HIST_SUB_BITS - 1))        /* buckets per octave */
#define BLOCK (1u << HIST_BLOCK_BITS)

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
hist_release(struct hist *h)
{
	if (h->width)
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

/* The counter of bucket b if its block exists, else NULL. */
static HIST_HOT void *
hist_counter(const struct hist *h, unsigned b)
{
	struct hist_value v = {
		.bit = UINT64_C(1) << (b >> HIST_BLOCK_BITS),
		.bucket = b,
		.sub = b & (BLOCK - 1),
	};
	if (h->width == 0 || !(h->blocks & v.bit))
		return NULL;
	return (char *)h->counts + hist_index_of(h, &v) * h->width;
}

static uint64_t
counter_get(const void *c, unsigned width)
{
	switch (width) {
	case 1: return *(const uint8_t *)c;
	case 2: return *(const uint16_t *)c;
	case 4: return *(const uint32_t *)c;
	default: return *(const uint64_t *)c;
	}
}

static void
counter_set(void *c, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: *(uint8_t *)c = (uint8_t)v; break;
	case 2: *(uint16_t *)c = (uint16_t)v; break;
	case 4: *(uint32_t *)c = (uint32_t)v; break;
	default: *(uint64_t *)c = v; break;
	}
}

static uint64_t
width_max(unsigned width)
{
	return width == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * width)) - 1;
}

/*
 * Room for n blocks: a power of two, so that a histogram's counts move
 * a handful of times in its life rather than once per octave it sees.
 */
static size_t
blocks_room(size_t n)
{
	size_t room = 1;
	while (room < n)
		room *= 2;
	return room;
}

/* Every counter twice as wide. */
static HIST_HOT void
widen(struct hist *h)
{
	size_t n = (size_t)hist_popcount(h->blocks) * BLOCK;
	unsigned width = h->width * 2u;
	unsigned char *c = reallocarray(NULL, blocks_room(n / BLOCK) * BLOCK,
					width);
	if (!c)
		err(1, "hist");
	for (size_t i = 0; i < n; i++)
		counter_set(c + i * width, width,
			    counter_get((char *)h->counts + i * h->width,
					h->width));
	free(h->counts);
	h->counts = c;
	h->width = (uint8_t)width;
}

/* Make block blk exist, zeroed, in its place among the others. */
static HIST_HOT void
add_block(struct hist *h, unsigned blk)
{
	uint64_t bit = UINT64_C(1) << blk;
	size_t n = (size_t)hist_popcount(h->blocks);
	size_t at = (size_t)hist_popcount(h->blocks & (bit - 1));
	size_t bytes = (size_t)BLOCK * h->width;
	unsigned char *c = h->counts;
	if (n == 0 || blocks_room(n + 1) > blocks_room(n)) {
		c = reallocarray(c, blocks_room(n + 1), bytes);
		if (!c)
			err(1, "hist");
	}
	memmove(c + (at + 1) * bytes, c + at * bytes, (n - at) * bytes);
	memset(c + at * bytes, 0, bytes);
	h->counts = c;
	h->blocks |= bit;
}

/* From pairs in the struct to blocks of 8-bit counts. */
static void
to_blocks(struct hist *h)
{
	struct hist_few few[HIST_FEW];
	unsigned n = h->nfew;
	memcpy(few, h->few, sizeof(few));
	h->width = 1;
	h->nfew = 0;
	h->blocks = 0;
	h->counts = NULL;
	for (unsigned i = 0; i < n; i++)
		hist_bucket_add(h, few[i].bucket, few[i].count);
}

HIST_HOT void
hist_bucket_add(struct hist *h, uint32_t b, uint64_t k)
{
	if (h->width == 0) {
		unsigned i = 0;
		while (i < h->nfew && h->few[i].bucket < b)
			i++;
		if (i < h->nfew && h->few[i].bucket == b) {
			if (k <= (uint64_t)(UINT16_MAX - h->few[i].count)) {
				h->few[i].count += (uint16_t)k;
				return;
			}
		} else if (h->nfew < HIST_FEW && k <= UINT16_MAX) {
			memmove(h->few + i + 1, h->few + i,
				(h->nfew - i) * sizeof(h->few[0]));
			h->few[i] = (struct hist_few){ (uint16_t)b, (uint16_t)k };
			h->nfew++;
			return;
		}
		to_blocks(h);
	}
	if (!(h->blocks & (UINT64_C(1) << (b >> HIST_BLOCK_BITS))))
		add_block(h, b >> HIST_BLOCK_BITS);
	void *c = hist_counter(h, b);
	uint64_t v = counter_get(c, h->width);
	while (k > width_max(h->width) - v && h->width < 8) {
		widen(h);
		c = hist_counter(h, b);
	}
	counter_set(c, h->width, k > UINT64_MAX - v ? UINT64_MAX : v + k);
}

HIST_HOT uint32_t
hist_next(const struct hist *h, uint32_t *cursor, uint64_t *count)
{
	if (h->width == 0) {
		if (*cursor >= h->nfew)
			return UINT32_MAX;
		*count = h->few[*cursor].count;
		return h->few[(*cursor)++].bucket;
	}
	/*
	 * Most counters of a block are zero (a file's latencies fill a few
	 * buckets of each octave): within a block, eight zero bytes are
	 * skipped at a time, which made writing a snapshot of a stream of
	 * 20,000 files half of ior-agg's instructions.
	 */
	unsigned width = h->width;
	while (*cursor < HIST_BUCKETS) {
		uint32_t b = *cursor;
		uint64_t rest = h->blocks >> (b >> HIST_BLOCK_BITS);
		if (!rest)
			break;
		if (!(rest & 1))        /* on to the next block there is */
			b = ((b >> HIST_BLOCK_BITS) +
			     (unsigned)__builtin_ctzll(rest)) << HIST_BLOCK_BITS;
		const unsigned char *block = hist_counter(h, b & ~(BLOCK - 1));
		unsigned off = (b & (BLOCK - 1)) * width;
		while (off < BLOCK * width) {
			uint64_t word;
			if (off % 8 == 0 &&
			    (memcpy(&word, block + off, 8), word == 0)) {
				off += 8;
				continue;
			}
			uint64_t k = counter_get(block + off, width);
			unsigned sub = off / width;
			off += width;
			if (k) {
				b = (b & ~(BLOCK - 1)) + sub;
				*cursor = b + 1;
				*count = k;
				return b;
			}
		}
		*cursor = (b & ~(BLOCK - 1)) + BLOCK;
	}
	*cursor = HIST_BUCKETS;
	return UINT32_MAX;
}

HIST_HOT unsigned
hist_next_block(const struct hist *h, unsigned *cursor,
		uint32_t bucket[HIST_BLOCK], uint64_t count[HIST_BLOCK])
{
	unsigned n = 0;
	if (h->width == 0) {
		for (; *cursor == 0 && n < h->nfew; n++) {
			bucket[n] = h->few[n].bucket;
			count[n] = h->few[n].count;
		}
		*cursor = 64;
		return n;
	}
	while (*cursor < 64 && (h->blocks >> *cursor)) {
		unsigned blk = *cursor + (unsigned)__builtin_ctzll(h->blocks >>
								  *cursor);
		*cursor = blk + 1;
		unsigned width = h->width, base = blk * BLOCK;
		const unsigned char *c = (const unsigned char *)h->counts +
			(size_t)hist_popcount(h->blocks & ((UINT64_C(1) << blk) - 1)) *
			BLOCK * width;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (width == 1) {
			/* Eight counts a word, the non-zero ones by their bytes. */
			for (unsigned w = 0; w < BLOCK; w += 8) {
				uint64_t word;
				memcpy(&word, c + w, 8);
				while (word) {
					unsigned shift = (unsigned)__builtin_ctzll(word) & ~7u;
					bucket[n] = base + w + shift / 8;
					count[n++] = word >> shift & 0xff;
					word &= ~(UINT64_C(0xff) << shift);
				}
			}
		} else
#endif
		for (unsigned i = 0; i < BLOCK; i++) {
			uint64_t k = counter_get(c + i * width, width);
			if (k) {
				bucket[n] = base + i;
				count[n++] = k;
			}
		}
		if (n)
			return n;
	}
	*cursor = 64;
	return 0;
}

static uint64_t
saturating_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

void
hist_add_bucket(struct hist *h, uint32_t bucket, uint64_t count)
{
	if (count == 0 || bucket >= HIST_BUCKETS)
		return;
	hist_bucket_add(h, bucket, count);
	h->count += count;
}

/*
 * dst's block += src's block, counter by counter, if every sum fits dst's
 * width; false (and dst unchanged) if one does not.
 */
#define ADD_BLOCK(dtype, stype) do { \
	dtype *d = dst; \
	const stype *s = src; \
	uint64_t over = 0; \
	for (unsigned i = 0; i < BLOCK; i++) \
		over |= (uint64_t)d[i] + s[i]; \
	if (over > (dtype)~(dtype)0) \
		return false; \
	for (unsigned i = 0; i < BLOCK; i++) \
		d[i] = (dtype)(d[i] + s[i]); \
	return true; \
} while (0)

static bool
add_block_counts(void *dst, unsigned dw, const void *src, unsigned sw)
{
	switch (dw * 16 + sw) {
	case 0x11: ADD_BLOCK(uint8_t, uint8_t);
	case 0x21: ADD_BLOCK(uint16_t, uint8_t);
	case 0x22: ADD_BLOCK(uint16_t, uint16_t);
	case 0x41: ADD_BLOCK(uint32_t, uint8_t);
	case 0x42: ADD_BLOCK(uint32_t, uint16_t);
	case 0x44: ADD_BLOCK(uint32_t, uint32_t);
	}
	uint64_t t[BLOCK];
	for (unsigned i = 0; i < BLOCK; i++) {
		uint64_t a = counter_get((char *)dst + i * dw, dw);
		uint64_t b = counter_get((const char *)src + i * sw, sw);
		if (b > width_max(dw) - a && dw < 8)
			return false;
		/* 64 bits: only forged snapshots get here; saturate. */
		t[i] = b > UINT64_MAX - a ? UINT64_MAX : a + b;
	}
	for (unsigned i = 0; i < BLOCK; i++)
		counter_set((char *)dst + i * dw, dw, t[i]);
	return true;
}

HIST_HOT void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	if (src->width == 0) {
		for (unsigned i = 0; i < src->nfew; i++)
			hist_bucket_add(dst, src->few[i].bucket,
					src->few[i].count);
	} else {
		/* Block by block: a directory sums thousands of files. */
		if (dst->width == 0)
			to_blocks(dst);
		while (dst->width < src->width)
			widen(dst);
		uint64_t rest = src->blocks;
		for (size_t j = 0; rest; j++, rest &= rest - 1) {
			unsigned blk = (unsigned)__builtin_ctzll(rest);
			const char *sb = (const char *)src->counts +
					 j * BLOCK * src->width;
			if (!(dst->blocks & (UINT64_C(1) << blk)))
				add_block(dst, blk);
			while (!add_block_counts(hist_counter(dst, blk * BLOCK),
						 dst->width, sb, src->width))
				widen(dst);
		}
	}
	dst->count += src->count;
	dst->sum = saturating_add(dst->sum, src->sum);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* The nearest rank of percentile p among count values (1 at least). */
static uint64_t
rank_of(uint64_t count, double p)
{
	/*
	 * In integers: p/100 * count in floating point lands just above a
	 * whole rank (99.9% of 1000 is 999.0000000000001).  p has at most
	 * four decimals that matter.
	 */
	unsigned __int128 ppm = (unsigned __int128)llround(p * 10000.0);
	uint64_t rank = (uint64_t)((ppm * count + 999999) / 1000000);
	if (rank < 1)
		rank = 1;
	return rank > count ? count : rank;
}

/* What a percentile in bucket b reports: its midpoint, within [min, max]. */
static uint64_t
bucket_value(const struct hist *h, unsigned b)
{
	uint64_t lo = hist_bucket_low(b), hi = hist_bucket_high(b);
	uint64_t v = lo + (hi - lo) / 2;
	if (v < h->min)
		v = h->min;
	return v > h->max ? h->max : v;
}

/* The sum of a block's counts. */
static uint64_t
block_sum(const unsigned char *c, unsigned width)
{
	uint64_t sum = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (width == 1) {
		/* Bytes summed in pairs, then the pairs in a multiply. */
		for (unsigned w = 0; w < BLOCK; w += 8) {
			uint64_t x;
			memcpy(&x, c + w, 8);
			x = (x & UINT64_C(0x00ff00ff00ff00ff)) +
			    (x >> 8 & UINT64_C(0x00ff00ff00ff00ff));
			sum += (x * UINT64_C(0x0001000100010001)) >> 48;
		}
		return sum;
	}
#endif
	for (unsigned i = 0; i < BLOCK; i++)
		sum += counter_get(c + i * width, width);
	return sum;
}

HIST_HOT void
hist_percentiles(const struct hist *h, const double *p, unsigned n,
		 uint64_t *out)
{
	unsigned k = 0;
	uint64_t seen = 0, rank = n && h->count ? rank_of(h->count, p[0]) : 0;
	if (h->width == 0) {
		for (unsigned j = 0; j < h->nfew && k < n; j++) {
			seen += h->few[j].count;
			for (; k < n && seen >= rank; k++,
			     rank = k < n ? rank_of(h->count, p[k]) : 0)
				out[k] = bucket_value(h, h->few[j].bucket);
		}
	}
	/*
	 * Block by block, a block's sum first: only the blocks a rank falls
	 * in are walked counter by counter.
	 */
	size_t at = 0;
	for (uint64_t rest = h->width && h->count ? h->blocks : 0;
	     rest && k < n; rest &= rest - 1, at++) {
		unsigned blk = (unsigned)__builtin_ctzll(rest);
		const unsigned char *c = (const unsigned char *)h->counts +
					 at * BLOCK * h->width;
		uint64_t sum = block_sum(c, h->width);
		if (seen + sum < rank) {
			seen += sum;
			continue;
		}
		for (unsigned i = 0; i < BLOCK && k < n; i++) {
			seen += counter_get(c + i * h->width, h->width);
			for (; k < n && seen >= rank; k++,
			     rank = k < n ? rank_of(h->count, p[k]) : 0)
				out[k] = bucket_value(h, blk * BLOCK + i);
		}
	}
	for (; k < n; k++)
		out[k] = h->count ? h->max : 0;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t v;
	hist_percentiles(h, &p, 1, &v);
	return v;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

void
hist_put_json(FILE *f, const char *name, const struct hist *h)
{
	static const double p[] = { 50, 90, 99, 99.9 };
	uint64_t v[4];
	hist_percentiles(h, p, 4, v);
	fprintf(f, "\"%s\":{\"count\":%" PRIu64 ",\"sum\":%" PRIu64
		",\"min\":%" PRIu64 ",\"mean\":%.1f,\"p50\":%" PRIu64
		",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p99.9\":%" PRIu64
		",\"max\":%" PRIu64 "}", name, h->count, h->sum,
		h->count ? h->min : 0, hist_mean(h), v[0], v[1], v[2], v[3],
		h->count ? h->max : 0);
}
