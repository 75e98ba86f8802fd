/* SPDX-License-Identifier: MIT */
/*
 * bigmem.h - the aggregators' large tables in huge pages.
 *
 * The leaf cache, the rows of files and the trie nodes are read at
 * random, about a line of each a pair on a stream of many files.  In
 * 4 KiB pages each such line is also a TLB miss (in a VM, a walk of two
 * page tables), and filling a table is a page fault every 4 KiB.  Where
 * the system gives transparent huge pages on request (madvise mode, the
 * Debian default) both shrink 512 times.  A hint: where it is refused the
 * tables work as before.
 */
#ifndef IOR_BIGMEM_H
#define IOR_BIGMEM_H

#include <stddef.h>

/*
 * An array of n elements of size bytes holding the first old of p's (p is
 * freed), or zeroed for big_calloc; exits with a message naming what if
 * there is no memory.  The new pages are hinted before they are touched,
 * as a hint on pages already faulted in does nothing until khugepaged.
 */
void *big_grow(void *p, size_t old, size_t n, size_t size, const char *what);
void *big_calloc(size_t n, size_t size, const char *what);

#endif /* IOR_BIGMEM_H */
