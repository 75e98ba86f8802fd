/* SPDX-License-Identifier: MIT */
/*
 * aggthread.h - a pair's rows' statistics added by a second thread.
 *
 * On a stream of many files most of an aggregator's time per pair goes
 * to its rows: two histograms in each of its syscall's, its process's
 * and its file's, the file's one of tens of thousands of rows, cache
 * lines no recent pair touched.  With a CPU to spare (ior-agg --threads)
 * the reading thread decodes, adds the pair to the trie and finds the
 * rows' keys (the key tables stay the reader's), and hands each pair's
 * update to a worker that makes the rows and alone reads or writes the
 * three tables' stats until it is drained.  (With the file rows alone in
 * the worker, the reader was two thirds of the work and set the pace.)
 *
 * The updates go in batches through a ring of one producer and one
 * consumer: a batch is handed over by a release store of a counter, and
 * a futex is woken only when the other side sleeps, so the hot path
 * takes no lock and makes no system call.  agg_sync() drains the worker
 * (through agg_files_drain) before anything else touches the tables'
 * stats: reports, snapshots, merges, a clear, a snapshot's rows read in,
 * the hosts' totals.  Directories are summed from the files at settle
 * time, after the drain, so the worker never touches them.
 *
 * One worker per process: the updates of every aggregate go through it,
 * each batch naming the aggregate its updates belong to.
 */
#ifndef IOR_AGGTHREAD_H
#define IOR_AGGTHREAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "agg.h"

/* What one pair adds to the tables: 56 bytes. */
struct agg_update {
	uint32_t syscall, process;      /* the stat keys of its rows */
	uint32_t pid;                   /* of the process row */
	uint32_t file;                  /* the file's stat key, 0: none */
	uint32_t sink;          /* a transfer's sink's key (written bytes), 0 */
	uint16_t err;
	bool gap_known;
	uint64_t latency_ns, gap_ns;
	uint64_t rd, wr;
};

/*
 * 2048 updates (96 KiB) a batch: the handover costs a few hundred ns at
 * most (a futex wake when the worker sleeps), spread over the batch.  64
 * of them (6 MiB, about 13 ms of pairs) in flight: on a shared machine
 * the worker is sometimes descheduled for a time slice, and the reader
 * should not wait for it then (mix10 at load 1.7: 8 batches 1.74 s,
 * 64 batches 1.57 s wall).
 */
#define AGG_BATCH 2048
#define AGG_RING 64             /* batches in flight, a power of two */

struct agg_batch {
	struct agg *a;
	uint32_t n;
	struct agg_update u[AGG_BATCH];
};

struct agg_files {
	struct agg_batch *cur;  /* the producer's, being filled */
	/* Batches published by the reader, and applied by the worker. */
	_Alignas(64) _Atomic uint32_t head;
	_Alignas(64) _Atomic uint32_t tail;
	/* Set by a side about to sleep on the other's counter. */
	_Alignas(64) _Atomic uint32_t worker_sleeps, reader_sleeps;
	struct agg_batch *ring;
};

/*
 * Whether a second thread pays for reading these n paths ("-" or none:
 * stdin): only on a CPU of its own, so when two are allowed and every
 * input is a regular file.  A pipe's writer (ior-pair, and under it a
 * live capture) wants the other CPU, and a second thread there would
 * take turns with it rather than run beside it.
 */
bool agg_threads_pay(int n, char *const *paths);

/*
 * Start the worker; in's pairs then send their row updates to it.
 * Returns false (and in stays single-threaded) if no thread could start.
 */
bool agg_files_start(struct agg_input *in);
/* Drain and join the worker; in adds file stats itself again. */
void agg_files_stop(struct agg_input *in);

/* The batch after f->cur is full or of another table: out of line. */
struct agg_batch *agg_files_next(struct agg_files *f, struct agg *a);

static inline void
agg_files_push(struct agg_files *f, struct agg *a, const struct agg_update *u)
{
	struct agg_batch *b = f->cur;
	if (__builtin_expect(b->n == AGG_BATCH || b->a != a, 0))
		b = agg_files_next(f, a);
	b->u[b->n++] = *u;
}

/* The worker's part, in agginput.c: a batch's updates added to b->a. */
HIST_HOT_DECL void agg_files_apply(const struct agg_batch *b);

#endif /* IOR_AGGTHREAD_H */
