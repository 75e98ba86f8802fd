/* SPDX-License-Identifier: MIT */
/*
 * loop - the syscall-heavy workloads the overhead and rate benchmarks
 * trace.  The time is measured inside, around the loop only, so a
 * tracer's start-up and exit do not count; the result goes to FILE (the
 * tracers own standard output and error).
 *
 *   loop FILE pread N          N one-byte preads of a cached file
 *   loop FILE rw N             N/2 4 KiB pwrites and N/2 4 KiB preads of a
 *                              temporary file, alternating
 *   loop FILE rate N PER_SEC [THREADS]
 *                              N one-byte preads paced at PER_SEC in all,
 *                              in batches of 64 (0: as fast as it can), by
 *                              THREADS threads (1)
 *
 * FILE gets one line: "<syscalls> <ns> <ns per syscall>".
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A file of 4 KiB, written and read once so its page is cached. */
static int
cached_file(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, len, "%s/ior-bench-loop.XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		err(1, "mkstemp %s", path);
	static char block[4096];
	memset(block, 'x', sizeof(block));
	if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) ||
	    pread(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block))
		err(1, "%s", path);
	return fd;
}

struct pacer {
	int fd;
	uint64_t n, per_sec, start;
};

/* Batch i may not start before start + i * 64 / PER_SEC. */
static void *
paced_preads(void *arg)
{
	const struct pacer *p = arg;
	char byte;
	for (uint64_t i = 0; i < p->n; i += 64) {
		if (p->per_sec)
			while (now_ns() - p->start < i * 1000000000u / p->per_sec)
				;
		for (uint64_t j = i; j < i + 64 && j < p->n; j++)
			if (pread(p->fd, &byte, 1, 0) != 1)
				err(1, "pread");
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc < 4)
		errx(2, "usage: loop FILE pread|rw|rate N [PER_SEC]");
	const char *out = argv[1], *mode = argv[2];
	uint64_t n = strtoull(argv[3], NULL, 10);
	uint64_t per_sec = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
	char path[256];
	int fd = cached_file(path, sizeof(path));
	static char block[4096];
	uint64_t start = now_ns();

	if (strcmp(mode, "pread") == 0) {
		for (uint64_t i = 0; i < n; i++)
			if (pread(fd, block, 1, 0) != 1)
				err(1, "pread");
	} else if (strcmp(mode, "rw") == 0) {
		for (uint64_t i = 0; i < n / 2; i++)
			if (pwrite(fd, block, sizeof(block), 0) != 4096 ||
			    pread(fd, block, sizeof(block), 0) != 4096)
				err(1, "pwrite/pread");
	} else if (strcmp(mode, "rate") == 0) {
		unsigned nthreads = argc > 5 ? (unsigned)atoi(argv[5]) : 1;
		if (nthreads < 1 || nthreads > 64)
			errx(2, "threads: 1 to 64");
		pthread_t threads[64];
		struct pacer p = { fd, n / nthreads, per_sec / nthreads, start };
		for (unsigned t = 0; t < nthreads; t++)
			if ((errno = pthread_create(&threads[t], NULL,
						    paced_preads, &p)))
				err(1, "pthread_create");
		for (unsigned t = 0; t < nthreads; t++)
			pthread_join(threads[t], NULL);
		n = p.n * nthreads;
	} else {
		errx(2, "unknown mode '%s'", mode);
	}

	uint64_t spent = now_ns() - start;
	uint64_t calls = strcmp(mode, "rw") == 0 ? n / 2 * 2 : n;
	unlink(path);
	FILE *f = fopen(out, "w");
	if (!f)
		err(1, "%s", out);
	fprintf(f, "%llu %llu %.1f\n", (unsigned long long)calls,
		(unsigned long long)spent, calls ? (double)spent / calls : 0.0);
	if (fclose(f) == EOF)
		err(1, "%s", out);
	return 0;
}
