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
 * An aggregate keeps two histograms per syscall, process, file and
 * directory, and what one costs is the memory and the cache lines an
 * update touches: an aggregator of millions of pairs a second has about
 * one cache miss to spend on each.  So the counts are stored by *block*:
 * the 64 buckets of one octave (block 0 holds values 0..63, block 1
 * 64..127), allocated only for the octaves a histogram has seen, packed
 * in ascending order behind a bitmap of which blocks exist.  An update
 * reads the bitmap (in the struct) and one counter (a block of 8-bit
 * counts is one cache line).  Counts start 8 bits wide; when one would
 * overflow, every block of that histogram widens to 16, 32, then 64 bits.
 * Histograms of up to HIST_FEW distinct buckets (most of them, in a
 * stream of many files) keep (bucket, count) pairs inside the struct and
 * allocate nothing.
 *
 * A histogram owns its counts: copying a struct hist copies the pointer,
 * so copies must not outlive or be released beside the original.
 */
#ifndef IOR_HIST_H
#define IOR_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HIST_SUB_BITS 7                 /* 128 exact values, then 64 per octave */
#define HIST_BUCKETS 3776               /* bucket_of(UINT64_MAX) + 1 */
#define HIST_RELATIVE_ERROR (1.0 / 128)
#define HIST_BLOCK_BITS 6               /* 64 buckets a block */
#define HIST_FEW 4                      /* buckets kept inside the struct */

struct hist_few { uint16_t bucket, count; };

struct hist {
	uint64_t count;
	uint64_t sum;           /* saturates at UINT64_MAX */
	uint64_t min, max;      /* exact; min is UINT64_MAX when empty */
	union {
		struct hist_few few[HIST_FEW];  /* width 0: nfew of them, sorted */
		struct {
			uint64_t blocks;        /* bit k: block k is in counts */
			void *counts;           /* 64 counters a block */
		};
	};
	uint8_t width;          /* bytes a counter: 0 (few), 1, 2, 4, 8 */
	uint8_t nfew;
};

/*
 * Finding a block is a population count.  The x86-64 baseline has no
 * popcnt instruction, and without it GCC calls libgcc: functions that add
 * to histograms in a loop are marked HIST_HOT, which builds them twice
 * and picks the popcnt version at load time on CPUs that have it (all
 * since 2008).
 *
 * The compilers disagree on declarations.  Clang refuses to make a
 * function multiversioned after a call to it has been seen (the inline
 * hist_add_value below calls hist_bucket_add), so under clang the public
 * HIST_HOT functions are declared so (HIST_HOT_DECL).  GCC, given the
 * attribute on a declaration, makes every includer emit a resolver for
 * clones only hist.o has, so under GCC only the definition carries it.
 * AFL++ 4.04c's instrumentation pass (afl-clang-fast) aborts on any ifunc
 * in a module (an LLVM assertion in User.h), so fuzzing builds, whose
 * speed is the fuzzer's business, go without.
 */
#if defined(__x86_64__) && !defined(__POPCNT__) && \
    !defined(__AFL_COMPILER) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define HIST_HOT __attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef HIST_HOT
#define HIST_HOT
#endif
#ifdef __clang__
#define HIST_HOT_DECL HIST_HOT
#else
#define HIST_HOT_DECL
#endif

void hist_init(struct hist *h);
void hist_release(struct hist *h);
/* Add a bucket's count directly, as read from an aggregate record. */
void hist_add_bucket(struct hist *h, uint32_t bucket, uint64_t count);
/* dst += src, exactly; min, max, sum and count too. */
HIST_HOT_DECL void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The non-empty buckets in ascending order:
 *	for (uint32_t i = 0, b; (b = hist_next(h, &i, &count)) != UINT32_MAX;)
 */
HIST_HOT_DECL uint32_t hist_next(const struct hist *h, uint32_t *cursor,
    uint64_t *count);
/*
 * The non-empty buckets of the next block that has any, ascending, from
 * *cursor (0 at first): up to HIST_BLOCK of them into bucket[] and
 * count[]; 0 at the end.  A snapshot writes every bucket of every row,
 * and block by block that costs a few instructions a bucket where
 * hist_next, which finds its place again at each call, costs a hundred.
 */
#define HIST_BLOCK (1u << HIST_BLOCK_BITS)
HIST_HOT_DECL unsigned hist_next_block(const struct hist *h, unsigned *cursor,
    uint32_t bucket[HIST_BLOCK], uint64_t count[HIST_BLOCK]);
/* Bucket b += k: the general case of hist_add. */
HIST_HOT_DECL void hist_bucket_add(struct hist *h, uint32_t b, uint64_t k);
uint64_t hist_bucket_low(unsigned bucket);

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

static inline unsigned
hist_popcount(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

/*
 * A value and where it goes, worked out once: an aggregate adds the same
 * latency to the histograms of a syscall, a process, a file and a
 * directory.
 */
struct hist_value {
	uint64_t value;
	uint64_t bit;           /* of its block in hist.blocks */
	uint32_t bucket;
	uint32_t sub;           /* its bucket within the block */
};

static inline struct hist_value
hist_value_of(uint64_t value)
{
	unsigned b = hist_bucket_of(value);
	return (struct hist_value){
		.value = value,
		.bit = 1ull << (b >> HIST_BLOCK_BITS),
		.bucket = b,
		.sub = b & ((1u << HIST_BLOCK_BITS) - 1),
	};
}

/* Where v's count is among the blocks (which must include v's). */
static inline size_t
hist_index_of(const struct hist *h, const struct hist_value *v)
{
	return ((size_t)hist_popcount(h->blocks & (v->bit - 1))
		<< HIST_BLOCK_BITS) + v->sub;
}

static inline void
hist_add_value(struct hist *h, const struct hist_value *v)
{
	/*
	 * The common case: the block exists and the count has room.  The
	 * index means nothing for pairs kept in the struct (width 0), and
	 * is not used then.
	 */
	unsigned width = h->width;
	bool in_blocks = (h->blocks & v->bit) != 0;
	size_t i = hist_index_of(h, v);
	if (width == 1 && in_blocks && ((uint8_t *)h->counts)[i] != UINT8_MAX)
		((uint8_t *)h->counts)[i]++;
	else if (width == 2 && in_blocks &&
		 ((uint16_t *)h->counts)[i] != UINT16_MAX)
		((uint16_t *)h->counts)[i]++;
	else if (width == 4 && in_blocks &&
		 ((uint32_t *)h->counts)[i] != UINT32_MAX)
		((uint32_t *)h->counts)[i]++;
	else
		hist_bucket_add(h, v->bucket, 1);
	h->count++;
	uint64_t sum = h->sum + v->value;
	h->sum = sum < v->value ? UINT64_MAX : sum;
	h->min = v->value < h->min ? v->value : h->min;
	h->max = v->value > h->max ? v->value : h->max;
}

static inline void
hist_add(struct hist *h, uint64_t value)
{
	struct hist_value v = hist_value_of(value);
	hist_add_value(h, &v);
}

uint64_t hist_bucket_high(unsigned bucket);    /* inclusive */

/*
 * The nearest-rank percentile: the value v such that ceil(p/100 * count)
 * values are <= v, as the midpoint of its bucket clamped to [min, max].
 * 0 for an empty histogram.  p in [0, 100].
 */
uint64_t hist_percentile(const struct hist *h, double p);
/* Several at once, in one walk: out[i] for p[i], p ascending. */
void hist_percentiles(const struct hist *h, const double *p, unsigned n,
		      uint64_t *out);
double hist_mean(const struct hist *h);
/*
 * "NAME":{count, sum, min, mean, p50, p90, p99, p99.9, max}: a histogram
 * as every --json report writes it (docs/ior-agg.md).
 */
void hist_put_json(FILE *f, const char *name, const struct hist *h);

#endif /* IOR_HIST_H */
