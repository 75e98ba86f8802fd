/* SPDX-License-Identifier: MIT */
/*
 * ring.c - the BPF ring buffer, read straight from its mapping.
 *
 * libbpf's consumer stores the consumer position after every record.  The
 * BPF program reads that position on every reserve, from another CPU, so
 * each store costs the traced thread a cache miss.  Here the position moves
 * once per batch (RING_BATCH bytes, or a quarter of a smaller ring), and
 * records are copied to the stream without a callback each.  The layout is
 * the kernel's ABI (Documentation/bpf/ringbuf.rst): a consumer page the
 * reader may write, then a producer page and the data, mapped twice over so
 * that a record that wraps around the end reads as one piece.
 */
#include <err.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"

/* Release consumed space to the producers at least this often. */
#define RING_BATCH (1u << 20)

void
ring_open(struct ring *r, int map_fd, size_t size)
{
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->size = size;
	r->mask = size - 1;
	r->consumer = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED,
			   map_fd, 0);
	if (r->consumer == MAP_FAILED)
		err(1, "mmap ring buffer consumer page");
	r->producer = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED,
			   map_fd, (off_t)r->page);
	if (r->producer == MAP_FAILED)
		err(1, "mmap ring buffer data");
	r->data = (const unsigned char *)r->producer + r->page;
}

void
ring_close(struct ring *r)
{
	munmap(r->consumer, r->page);
	munmap((void *)r->producer, r->page + 2 * r->size);
}

uint64_t
ring_drain(struct ring *r, struct stream_writer *out, uint64_t *records)
{
	unsigned long cons = *r->consumer, released = cons, prod;
	/* A small ring needs its space back sooner. */
	unsigned long batch = r->size / 4 < RING_BATCH ? r->size / 4 :
			      RING_BATCH;
	uint64_t bytes = 0;

	while (cons < (prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE))) {
		while (cons < prod) {
			const uint32_t *hdr = (const void *)(r->data +
							     (cons & r->mask));
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out;       /* still being written */
			bool discarded = len & BPF_RINGBUF_DISCARD_BIT;

			len &= ~(uint32_t)BPF_RINGBUF_DISCARD_BIT;
			if (!discarded) {
				const struct ior_record *rec =
					(const void *)(hdr + 2);
				/* The program sizes each record; trust but
				 * keep the stream framed. */
				uint32_t size = rec->size <= len &&
						rec->size >= sizeof(*rec) ?
						rec->size : len & ~7u;
				stream_put(out, rec, size);
				(*records)++;
				bytes += size;
			}
			cons += (BPF_RINGBUF_HDR_SZ + len + 7) & ~7ul;
			if (cons - released >= batch) {
				__atomic_store_n(r->consumer, cons,
						 __ATOMIC_RELEASE);
				released = cons;
			}
		}
	}
out:
	if (cons != released)
		__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
	return bytes;
}
