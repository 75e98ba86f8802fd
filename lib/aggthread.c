/* SPDX-License-Identifier: MIT */
#include "aggthread.h"

#include <err.h>
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The one worker (aggthread.h), for agg_files_drain. */
static struct agg_files *running;
static pthread_t worker;

static void
futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL,
		NULL, 0);
}

static void
futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL,
		NULL, 0);
}

/*
 * Wait until *word is no longer seen.  A short spin first: the other side
 * is usually a batch away.  Then sleep, announced in *sleeps before the
 * last look, so that the other side (which stores its counter and then
 * reads *sleeps, both sequentially consistent) either is seen to have
 * moved or sees the sleeper and wakes it; the futex rechecks the word.
 */
static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static void
wait_moved(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *sleeps)
{
	for (int i = 0; i < 256; i++) {
		if (atomic_load_explicit(word, memory_order_acquire) != seen)
			return;
		cpu_relax();
	}
	while (atomic_load(word) == seen) {
		atomic_store(sleeps, 1);
		if (atomic_load(word) == seen)
			futex_wait(word, seen);
		atomic_store(sleeps, 0);
	}
}

static void
advance(_Atomic uint32_t *word, _Atomic uint32_t *sleeps)
{
	atomic_fetch_add(word, 1);
	if (atomic_load(sleeps))
		futex_wake(word);
}

static void *
work(void *arg)
{
	struct agg_files *f = arg;
	uint32_t tail = atomic_load_explicit(&f->tail, memory_order_relaxed);
	for (;;) {
		uint32_t head = atomic_load_explicit(&f->head,
						     memory_order_acquire);
		if (head == tail) {
			wait_moved(&f->head, head, &f->worker_sleeps);
			continue;
		}
		for (; tail != head; tail++) {
			const struct agg_batch *b = &f->ring[tail % AGG_RING];
			if (!b->a)
				return NULL;    /* agg_files_stop()'s */
			agg_files_apply(b);
			advance(&f->tail, &f->reader_sleeps);
		}
	}
}

/* Wait until at most ahead batches are published and not yet applied. */
static void
wait_applied(struct agg_files *f, uint32_t ahead)
{
	uint32_t head = atomic_load_explicit(&f->head, memory_order_relaxed);
	for (;;) {
		uint32_t tail = atomic_load_explicit(&f->tail,
						     memory_order_acquire);
		if (head - tail <= ahead)
			return;
		wait_moved(&f->tail, tail, &f->reader_sleeps);
	}
}

static void
publish(struct agg_files *f)
{
	if (f->cur->n == 0)
		return;
	struct agg *a = f->cur->a;
	advance(&f->head, &f->worker_sleeps);
	wait_applied(f, AGG_RING - 1);
	f->cur = &f->ring[atomic_load_explicit(&f->head, memory_order_relaxed) %
			  AGG_RING];
	f->cur->a = a;
	f->cur->n = 0;
}

struct agg_batch *
agg_files_next(struct agg_files *f, struct agg *a)
{
	publish(f);
	f->cur->a = a;
	return f->cur;
}

static void
drain(void)
{
	struct agg_files *f = running;
	if (f->cur->n == 0 &&
	    atomic_load_explicit(&f->tail, memory_order_acquire) ==
	    atomic_load_explicit(&f->head, memory_order_relaxed))
		return;
	publish(f);
	wait_applied(f, 0);
}

static unsigned
cpus_allowed(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

bool
agg_threads_pay(int n, char *const *paths)
{
	if (cpus_allowed() < 2)
		return false;
	for (int i = 0; i < (n ? n : 1); i++) {
		struct stat st;
		bool stdin_ = !n || strcmp(paths[i], "-") == 0;
		if ((stdin_ ? fstat(STDIN_FILENO, &st) : stat(paths[i], &st)) != 0 ||
		    !S_ISREG(st.st_mode))
			return false;
	}
	return true;
}

bool
agg_files_start(struct agg_input *in)
{
	if (running)
		errx(1, "agg: one worker at a time");
	struct agg_files *f = calloc(1, sizeof(*f));
	if (!f || !(f->ring = calloc(AGG_RING, sizeof(*f->ring))))
		err(1, "agg");
	f->cur = &f->ring[0];
	int e = pthread_create(&worker, NULL, work, f);
	if (e) {
		free(f->ring);
		free(f);
		return false;
	}
	running = f;
	agg_files_drain = drain;
	in->files = f;
	return true;
}

void
agg_files_stop(struct agg_input *in)
{
	struct agg_files *f = running;
	if (!f)
		return;
	drain();
	/* A batch of no table, after the drain in a free slot: stop. */
	f->cur->a = NULL;
	advance(&f->head, &f->worker_sleeps);
	int e = pthread_join(worker, NULL);
	if (e)
		errx(1, "agg: worker: %s", strerror(e));
	agg_files_drain = NULL;
	running = NULL;
	in->files = NULL;
	free(f->ring);
	free(f);
}
