/* SPDX-License-Identifier: MIT */
/*
 * genstream - write large raw ior streams for the benchmarks, shaped like
 * real captures, fast: the stage-throughput and memory figures need tens
 * of millions of records.
 *
 *   genstream mix N      N syscalls by 64 processes x 4 threads of 8
 *                        programs, each program over its own 2,500 files
 *                        in 50 directories and 10% of the time 500 shared
 *                        ones, picked Zipf-like (the k-th most used file is
 *                        used 1/k as often): open, reads, writes, stats,
 *                        seeks, fsync, close, with log-normal-ish latencies
 *   genstream uniform N  the same calls, but any process on any of 20,000
 *                        files, equally likely, nearly each in a directory
 *                        of its own: no locality at all, the aggregators'
 *                        worst case
 *   genstream loop N     N one-byte preads of one file by one thread, as
 *                        bench/loop makes them: the hot case
 *   genstream paths N    N opens and closes of N distinct paths
 *   genstream threads N  N threads each with a syscall in flight at once
 *   genstream procs N    N short-lived processes (fork, open, read, close,
 *                        exit), pids reused
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"
#include "syscalls.h"

static struct stream_writer out;
static uint64_t now_ns = 1000000000;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t records;

enum call { C_READ, C_PREAD, C_WRITE, C_OPENAT, C_CLOSE, C_FSTAT, C_LSEEK,
	    C_FSYNC, C_N };
static const struct { const char *name; uint8_t nargs, paths; } calls[C_N] = {
	[C_READ] = { "read", 3, 0 },
	[C_PREAD] = { "pread64", 4, 0 },
	[C_WRITE] = { "write", 3, 0 },
	[C_OPENAT] = { "openat", 4, 1u << 1 },
	[C_CLOSE] = { "close", 1, 0 },
	[C_FSTAT] = { "fstat", 2, 0 },
	[C_LSEEK] = { "lseek", 3, 0 },
	[C_FSYNC] = { "fsync", 1, 0 },
};
static int nr[C_N];

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Log-normal-ish latencies by kind of call: 95% within two octaves of a
 * floor (a page-cache hit), the rest a tail up to 2^11 times longer (the
 * disk).  Reads and metadata from 300 ns, writes, opens and closes from
 * 1 us, fsync from 100 us.
 */
static uint64_t
latency(enum call c)
{
	uint64_t floor = c == C_FSYNC ? 100000 :
			 c == C_WRITE || c == C_OPENAT || c == C_CLOSE ? 1000 :
			 300;
	uint64_t r = next_random();
	unsigned octave = (unsigned)(r % 100 < 95 ? r % 2 : 2 + r % 10);
	return (floor << octave) + (r >> 40) % (floor << octave);
}

static void
syscall_names(void)
{
	for (int c = 0; c < C_N; c++) {
		_Alignas(8) unsigned char buf[128];
		struct ior_syscall_name *r = (void *)buf;
		memset(buf, 0, sizeof(buf));
		nr[c] = syscall_nr(calls[c].name);
		if (nr[c] < 0)
			errx(1, "no syscall %s here", calls[c].name);
		r->header.type = IOR_SYSCALL_NAME;
		r->nr = (uint32_t)nr[c];
		r->nargs = calls[c].nargs;
		r->family = (uint8_t)syscall_family(calls[c].name);
		r->path_args = calls[c].paths;
		r->flags = IOR_SYSNAME_TRACED;
		r->str_off = sizeof(*r);
		r->nstrings = 1;
		uint32_t off = sizeof(*r);
		record_add_string(r, &off, calls[c].name, strlen(calls[c].name),
				  0, 0);
		stream_put(&out, r, record_finish(r, off));
	}
}

static void
enter(uint32_t pid, uint32_t tid, enum call c, uint64_t a0, uint64_t a1,
      uint64_t a2, const char *path)
{
	_Alignas(8) unsigned char buf[512];
	struct ior_syscall_enter *e = (void *)buf;
	memset(buf, 0, sizeof(*e) + 8 * calls[c].nargs);
	e->header.type = IOR_SYSCALL_ENTER;
	e->header.misc = (uint16_t)nr[c];
	e->time_ns = now_ns;
	e->pid = pid;
	e->tid = tid;
	e->nargs = calls[c].nargs;
	uint64_t *args = (uint64_t *)(e + 1);
	args[0] = a0;
	if (e->nargs > 1)
		args[1] = a1;
	if (e->nargs > 2)
		args[2] = a2;
	uint32_t off = sizeof(*e) + 8u * e->nargs;
	e->str_off = (uint16_t)off;
	if (path) {
		e->nstrings = 1;
		record_add_string(e, &off, path, strlen(path), 1, 0);
	}
	stream_put(&out, e, record_finish(e, off));
	records++;
}

static void
leave(uint32_t pid, uint32_t tid, enum call c, int64_t ret)
{
	struct ior_syscall_exit *x = stream_reserve(&out, IOR_SYSCALL_EXIT,
						    (uint16_t)nr[c], sizeof(*x));
	x->time_ns = now_ns;
	x->pid = pid;
	x->tid = tid;
	x->ret = ret;
	records++;
}

static void
call(uint32_t pid, uint32_t tid, enum call c, uint64_t a0, uint64_t a1,
     uint64_t a2, const char *path, int64_t ret)
{
	enter(pid, tid, c, a0, a1, a2, path);
	now_ns += latency(c);
	leave(pid, tid, c, ret);
	now_ns += 50 + next_random() % 500;
}

static void
task_new(uint32_t parent, uint32_t child)
{
	struct ior_task_new *t = stream_reserve(&out, IOR_TASK_NEW, 0,
						sizeof(*t));
	t->time_ns = now_ns;
	t->parent_pid = t->parent_tid = parent;
	t->child_pid = t->child_tid = child;
	memcpy(t->comm, "worker", 7);
	records++;
}

static void
task_exit(uint32_t pid)
{
	struct ior_task_exit *t = stream_reserve(&out, IOR_TASK_EXIT, 1,
						 sizeof(*t));
	t->time_ns = now_ns;
	t->pid = t->tid = pid;
	records++;
}

static void
process(uint32_t pid, const char *comm)
{
	struct ior_process *p = stream_reserve(&out, IOR_PROCESS, 0,
					       sizeof(*p));
	p->time_ns = now_ns;
	p->pid = pid;
	p->ppid = 1;
	p->nthreads = 1;
	strlcpy((char *)p->comm, comm, sizeof(p->comm));
	p->str_off = sizeof(*p);
	records++;
}

static void
fd_record(uint32_t pid, int32_t fd, const char *path)
{
	_Alignas(8) unsigned char buf[256];
	struct ior_fd *f = (void *)buf;
	memset(buf, 0, sizeof(buf));
	f->header.type = IOR_FD;
	f->time_ns = now_ns;
	f->pid = pid;
	f->fd = fd;
	f->flags = O_RDWR;
	f->str_off = sizeof(*f);
	f->nstrings = 1;
	uint32_t off = sizeof(*f);
	record_add_string(f, &off, path, strlen(path), 0, 0);
	stream_put(&out, f, record_finish(f, off));
	records++;
}

static void
snapshot_end(void)
{
	struct ior_snapshot_end *s = stream_reserve(&out, IOR_SNAPSHOT_END, 0,
						    sizeof(*s));
	s->time_ns = now_ns;
	records++;
}

/* File ranks with P(k) proportional to 1/k, by inverting the CDF. */
struct zipf {
	size_t n;
	double *cdf;
};

static void
zipf_init(struct zipf *z, size_t n)
{
	z->n = n;
	z->cdf = calloc(n, sizeof(*z->cdf));
	if (!z->cdf)
		err(1, "zipf");
	double sum = 0;
	for (size_t k = 0; k < n; k++)
		z->cdf[k] = sum += 1.0 / (double)(k + 1);
	for (size_t k = 0; k < n; k++)
		z->cdf[k] /= sum;
}

static unsigned
zipf_pick(const struct zipf *z)
{
	double u = (double)(next_random() >> 11) / 9007199254740992.0;
	size_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Scattered, so that the hot files are not all in one directory. */
	return (unsigned)(lo * 7919 % z->n);
}

static void
gen_mix(uint64_t n, int uniform)
{
	enum { PROCS = 64, THREADS = 4, FILES = 20000 };
	static const char *const comms[] = { "postgres", "indexer", "backup",
					     "nginx", "java", "rsync", "make",
					     "cc1" };
	char path[128];
	struct zipf own, shared;
	zipf_init(&own, 2500);
	zipf_init(&shared, 500);
	for (uint32_t p = 0; p < PROCS; p++)
		process(10000 + p, comms[p % 8]);
	snapshot_end();
	for (uint64_t i = 0; i < n;) {
		uint64_t r = next_random();
		uint32_t pid = 10000 + (uint32_t)(r % PROCS);
		uint32_t tid = pid + 100000 * (uint32_t)((r >> 8) % THREADS);
		if (uniform) {
			unsigned file = (unsigned)((r >> 16) % FILES);
			snprintf(path, sizeof(path),
				 "/srv/data/d%02u/s%03u/file%05u.dat",
				 file % 50, file % 997, file);
		} else if ((r >> 16) % 10) {
			unsigned file = zipf_pick(&own);
			snprintf(path, sizeof(path), "/srv/%s/d%02u/f%04u.dat",
				 comms[pid % 8], file / 50, file);
		} else {
			unsigned file = zipf_pick(&shared);
			snprintf(path, sizeof(path), "/usr/share/ior/%u/%03u.db",
				 file % 5, file);
		}
		int fd = 3 + (int)(tid % 61);
		/* One visit: open, a few calls on the fd, close. */
		call(pid, tid, C_OPENAT, (uint64_t)-100, 0, O_RDWR, path, fd);
		i++;
		unsigned visits = 1 + (unsigned)((r >> 32) % 12);
		for (unsigned v = 0; v < visits && i < n; v++, i++) {
			uint64_t k = next_random() % 100;
			if (k < 40)
				call(pid, tid, C_READ, (uint64_t)fd, 0, 4096, NULL,
				     k < 35 ? 4096 : 0);
			else if (k < 55)
				call(pid, tid, C_PREAD, (uint64_t)fd, 0, 512, NULL,
				     512);
			else if (k < 80)
				call(pid, tid, C_WRITE, (uint64_t)fd, 0, 8192, NULL,
				     8192);
			else if (k < 90)
				call(pid, tid, C_FSTAT, (uint64_t)fd, 0, 0, NULL, 0);
			else if (k < 98)
				call(pid, tid, C_LSEEK, (uint64_t)fd, 0, 0, NULL, 0);
			else
				call(pid, tid, C_FSYNC, (uint64_t)fd, 0, 0, NULL,
				     k == 99 && (r & 0xf) == 0 ? -5 : 0);
		}
		if (i < n) {
			call(pid, tid, C_CLOSE, (uint64_t)fd, 0, 0, NULL, 0);
			i++;
		}
	}
	free(own.cdf);
	free(shared.cdf);
}

/* What bench/loop's pread loop looks like captured: one thread, one file. */
static void
gen_loop(uint64_t n)
{
	process(4242, "loop");
	fd_record(4242, 3, "/tmp/ior-bench-loop.dat");
	snapshot_end();
	for (uint64_t i = 0; i < n; i++)
		call(4242, 4242, C_PREAD, 3, 0, 1, NULL, 1);
}

static void
gen_paths(uint64_t n)
{
	snapshot_end();
	char path[128];
	for (uint64_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/srv/many/%03u/%03u/f%llu",
			 (unsigned)(i % 1000), (unsigned)(i / 1000 % 1000),
			 (unsigned long long)i);
		call(4242, 4242, C_OPENAT, (uint64_t)-100, 0, O_RDONLY, path, 3);
		call(4242, 4242, C_CLOSE, 3, 0, 0, NULL, 0);
	}
}

static void
gen_threads(uint64_t n)
{
	snapshot_end();
	/* Every thread enters a read; then every thread leaves it. */
	for (uint64_t i = 0; i < n; i++)
		task_new(4242, 100000 + (uint32_t)i);
	for (uint64_t i = 0; i < n; i++) {
		enter(4242, 100000 + (uint32_t)i, C_READ, 0, 0, 1, NULL);
		now_ns += 10;
	}
	for (uint64_t i = 0; i < n; i++) {
		leave(4242, 100000 + (uint32_t)i, C_READ, 1);
		now_ns += 10;
	}
}

static void
gen_procs(uint64_t n)
{
	snapshot_end();
	for (uint64_t i = 0; i < n; i++) {
		uint32_t pid = 300 + (uint32_t)(i % 30000);
		task_new(1, pid);
		call(pid, pid, C_OPENAT, (uint64_t)-100, 0, O_RDONLY,
		     "/etc/hostname", 3);
		call(pid, pid, C_READ, 3, 0, 64, NULL, 12);
		call(pid, pid, C_CLOSE, 3, 0, 0, NULL, 0);
		task_exit(pid);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3)
		errx(2, "usage: genstream mix|uniform|loop|paths|threads|procs N");
	char *end;
	uint64_t n = strtoull(argv[2], &end, 10);
	if (*end)
		errx(2, "bad count '%s'", argv[2]);
	if (isatty(STDOUT_FILENO))
		errx(2, "refusing to write a binary stream to a terminal");
	stream_writer_init(&out, STDOUT_FILENO, "<stdout>");
	stream_write_section(&out, argc, argv, 0, 0);
	syscall_names();
	if (strcmp(argv[1], "mix") == 0)
		gen_mix(n, 0);
	else if (strcmp(argv[1], "uniform") == 0)
		gen_mix(n, 1);
	else if (strcmp(argv[1], "loop") == 0)
		gen_loop(n);
	else if (strcmp(argv[1], "paths") == 0)
		gen_paths(n);
	else if (strcmp(argv[1], "threads") == 0)
		gen_threads(n);
	else if (strcmp(argv[1], "procs") == 0)
		gen_procs(n);
	else
		errx(2, "unknown shape '%s'", argv[1]);
	stream_write_trailer(&out, records, 0, IOR_STOP_END, 0);
	fprintf(stderr, "genstream: %llu records\n",
		(unsigned long long)records + 1);

	stream_writer_release(&out);
	return 0;
}
