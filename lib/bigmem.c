/* SPDX-License-Identifier: MIT */
#include "bigmem.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* Below this a table fits a few huge pages at most: not worth a call. */
#define BIG_MIN (4 * HUGE_PAGE)

/* Ask for huge pages on the whole huge pages inside [p, p + len). */
static void
hint_huge(void *p, size_t len)
{
	if (!p || len < BIG_MIN)
		return;
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

static void *
big_alloc(size_t n, size_t size, const char *what)
{
	void *q = reallocarray(NULL, n, size);
	if (!q)
		err(1, "%s", what);
	hint_huge(q, n * size);
	return q;
}

void *
big_grow(void *p, size_t old, size_t n, size_t size, const char *what)
{
	if (n * size < BIG_MIN) {
		void *q = reallocarray(p, n, size);
		if (!q)
			err(1, "%s", what);
		return q;
	}
	void *q = big_alloc(n, size, what);
	if (old)
		memcpy(q, p, old * size);
	free(p);
	return q;
}

void *
big_calloc(size_t n, size_t size, const char *what)
{
	void *q = big_alloc(n, size, what);
	memset(q, 0, n * size);
	return q;
}
