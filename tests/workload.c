/* SPDX-License-Identifier: MIT */
/*
 * workload - make a known sequence of I/O syscalls, for the capture tests.
 *
 *	workload [-v] DIR
 *	workload [-v] threads DIR SECONDS
 *	workload [-v] fault|futimens|umount DIR
 *	workload [-v] signal DIR restart|intr
 *	workload [-v] comm DIR NAME
 *
 * Every step below is one syscall made through syscall(2), so that what the
 * C library would substitute (glibc's open() is openat, rename() may be
 * renameat2 on some architectures) cannot change what the tests see.  The
 * paths are DIR joined with a name, exactly as given, so a test can compare
 * the path strings of the stream with "$DIR/data.bin".  Nothing is written
 * to standard output unless -v is given; with -v each step is described on
 * standard output after it is made.
 *
 * Main process (pid P, single-threaded):
 *   1  openat(AT_FDCWD, "DIR/data.bin", O_CREAT|O_WRONLY|O_TRUNC, 0644) = A
 *   2  write(A, buf, 4096) = 4096
 *   3  write(A, buf, 4096) = 4096
 *   4  write(A, buf, 100) = 100             (the file now holds 8292 bytes)
 *   5  fsync(A) = 0
 *   6  close(A) = 0
 *   7  openat(AT_FDCWD, "DIR/data.bin", O_RDONLY) = B
 *   8  read(B, buf, 1000) until it returns 0: the file holds 8292 bytes, so
 *        the reads return 1000 eight times, then 292, then 0 (ten reads)
 *   9  pread64(B, buf, 512, 4000) = 512
 *  10  dup(B) = C                           (C is a new fd number, C != B)
 *  11  lseek(C, 0, SEEK_SET) = 0
 *  12  read(C, buf, 1) = 1
 *  13  close(C) = 0, close(B) = 0
 *  14  rename("DIR/data.bin", "DIR/renamed.bin") = 0
 *        (on architectures without rename: renameat2(AT_FDCWD, ...,
 *        AT_FDCWD, ..., 0), whose path strings are args 1 and 3)
 *  15  openat(AT_FDCWD, "DIR/does-not-exist", O_RDONLY) = -ENOENT
 *  16  openat(AT_FDCWD, "DIR/inherited.txt", O_CREAT|O_WRONLY|O_TRUNC,
 *             0644) = I
 *  17  fork(): glibc's fork() is clone() (clone3 on none of our targets);
 *        the stream has a task_new record with child_pid K != P
 *  18  wait4(K, ...) = K, close(I) = 0, exit_group(0)
 *
 * Child process (pid K), between 17 and 18:
 *  c1  openat(AT_FDCWD, "DIR/child.txt", O_CREAT|O_WRONLY|O_TRUNC, 0644) = D
 *  c2  write(D, buf, 12345) = 12345
 *  c3  close(D) = 0
 *  c4  write(I, "hello from child\n", 17) = 17    (I inherited from P)
 *  c5  exit_group(0) through _exit, so no stdio buffers are flushed twice
 *
 * Files left in DIR: renamed.bin (8292 bytes), child.txt (12345 bytes),
 * inherited.txt (17 bytes).  Nothing is unlinked.
 *
 * The dynamic loader's own syscalls come before step 1 (openat of the
 * libraries, a read of 832 bytes of each ELF header, mmap, close); the
 * tests pick the steps above out by path and by fd, not by position.
 *
 * threads mode: create DIR/threads.bin (64 bytes), start two threads and
 * print "thread N tid T" on standard error for each (N is 1 or 2) once both
 * run; thread N then repeats pread64(fd, buf, 10 * N, 0) = 10 * N every 20
 * ms until SECONDS have passed.  So thread 1's reads return 10 and thread
 * 2's return 20: a test tells them apart by tid and by byte count.
 *
 * fault mode: the paths of four calls lie on pages this process has never
 * touched, each the only page of a mapping of its own file (so that the
 * kernel's fault-around cannot bring one in with another): the first touch
 * of each is inside the syscall, and a BPF program at sys_enter cannot read
 * the path.  DIR/fault.txt is created first (openat, write 5, close) with
 * ordinary paths; then, with the mapped paths:
 *   f1  openat(AT_FDCWD, "DIR/fault.txt", O_RDONLY) = F; read(F, buf, 100)
 *         = 5; close(F)
 *   f2  rename("DIR/fault.txt", "DIR/fault-renamed.txt") = 0 (renameat2
 *         where there is no rename), both paths mapped
 *   f3  statfs("DIR", buf) = 0
 *
 * futimens mode: openat(AT_FDCWD, "DIR/futimens.txt", O_CREAT|O_WRONLY|
 * O_TRUNC, 0644) = U; utimensat(U, NULL, NULL, 0) = 0 (what futimens(3)
 * makes); close(U).
 *
 * signal mode (signal DIR restart|intr): a pipe; SIGALRM's handler (with
 * SA_RESTART for restart) writes one byte to the pipe's write end; a
 * 200 ms timer (setitimer) is started and read(pipe, buf, 10) blocks until
 * the signal.  With restart the kernel restarts the read, which returns 1;
 * with intr it fails with EINTR, and a second read returns 1.  Then it
 * closes both ends.
 *
 * umount mode: mount("none", "DIR/mnt", "tmpfs", 0, NULL) = 0 and
 * umount2("DIR/mnt", 0) = 0 (DIR/mnt is made if missing).
 *
 * comm mode: a traced program choosing the bytes a reader sees.  Set the
 * thread's comm to NAME with prctl(PR_SET_NAME) (the kernel keeps 15
 * bytes), then openat(AT_FDCWD, "DIR/NAME", O_CREAT|O_WRONLY|O_TRUNC,
 * 0644) = F, write(F, NAME, strlen(NAME)), close(F), all under that comm.
 *
 * Exit status: 0 when every step returned what is documented above, 1
 * otherwise (with a message on standard error), 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool verbose;
static char buf[16384];

static void
usage(void)
{
	fprintf(stderr, "usage: workload [-v] DIR\n"
		"       workload [-v] threads DIR SECONDS\n"
		"       workload [-v] fault|futimens|umount DIR\n"
		"       workload [-v] signal DIR restart|intr\n"
		"       workload [-v] comm DIR NAME\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "workload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* One syscall's result, checked against what the header promises. */
static long
expect(long got, long want, const char *what)
{
	if (want >= 0 && got != want)
		die("%s returned %ld (%s), expected %ld", what, got,
		    got < 0 ? strerror(errno) : "short", want);
	if (want < 0 && got < 0)
		die("%s failed: %s", what, strerror(errno));
	say("%s = %ld", what, got);
	return got;
}

#define ANY (-1L)       /* any non-negative result, such as a new fd */

static void
join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		die("path too long: %s/%s", dir, name);
}

static long
open_at(const char *path, int flags)
{
	return syscall(SYS_openat, AT_FDCWD, path, flags, 0644);
}

static void
child(const char *dir, int inherited)
{
	static char big[12345];
	char path[4096];
	long fd;

	join(path, sizeof(path), dir, "child.txt");
	memset(big, 'c', sizeof(big));
	fd = expect(open_at(path, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		    "child openat child.txt");
	expect(syscall(SYS_write, fd, big, sizeof(big)), 12345,
	       "child write child.txt");
	expect(syscall(SYS_close, fd), 0, "child close child.txt");
	expect(syscall(SYS_write, inherited, "hello from child\n", 17), 17,
	       "child write inherited.txt");
	_exit(0);
}

static int
run(const char *dir)
{
	char data[4096], renamed[4096], missing[4096], inherited[4096];
	long fd, dupfd, ifd, n;
	int nreads = 0, status;
	pid_t pid;

	join(data, sizeof(data), dir, "data.bin");
	join(renamed, sizeof(renamed), dir, "renamed.bin");
	join(missing, sizeof(missing), dir, "does-not-exist");
	join(inherited, sizeof(inherited), dir, "inherited.txt");
	memset(buf, 'x', sizeof(buf));

	fd = expect(open_at(data, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		    "openat data.bin for writing");
	expect(syscall(SYS_write, fd, buf, 4096), 4096, "write 4096");
	expect(syscall(SYS_write, fd, buf, 4096), 4096, "write 4096");
	expect(syscall(SYS_write, fd, buf, 100), 100, "write 100");
	expect(syscall(SYS_fsync, fd), 0, "fsync");
	expect(syscall(SYS_close, fd), 0, "close");

	fd = expect(open_at(data, O_RDONLY), ANY, "openat data.bin to read");
	do {
		n = syscall(SYS_read, fd, buf, 1000);
		expect(n, nreads < 8 ? 1000 : nreads == 8 ? 292 : 0, "read");
		nreads++;
	} while (n > 0);
	expect(syscall(SYS_pread64, fd, buf, 512, 4000), 512, "pread64");
	dupfd = expect(syscall(SYS_dup, fd), ANY, "dup");
	if (dupfd == fd)
		die("dup returned the same fd");
	expect(syscall(SYS_lseek, dupfd, 0, SEEK_SET), 0, "lseek");
	expect(syscall(SYS_read, dupfd, buf, 1), 1, "read through the dup");
	expect(syscall(SYS_close, dupfd), 0, "close the dup");
	expect(syscall(SYS_close, fd), 0, "close");

#ifdef SYS_rename
	expect(syscall(SYS_rename, data, renamed), 0, "rename");
#else
	expect(syscall(SYS_renameat2, AT_FDCWD, data, AT_FDCWD, renamed, 0), 0,
	       "renameat2");
#endif
	if (open_at(missing, O_RDONLY) != -1 || errno != ENOENT)
		die("openat of %s did not fail with ENOENT", missing);
	say("openat does-not-exist = -1 ENOENT");

	ifd = expect(open_at(inherited, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		     "openat inherited.txt");
	fflush(stdout);
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		child(dir, ifd);
	say("fork = %d", (int)pid);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the child failed (wait status %d)", status);
	expect(syscall(SYS_close, ifd), 0, "close inherited.txt");
	return 0;
}

/* threads mode */

struct reader {
	int n;                  /* 1 or 2: reads 10 * n bytes */
	int fd;
	pid_t tid;
	double seconds;
	pthread_barrier_t *ready;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct timespec tick = { 0, 20 * 1000000L };
	char b[32];
	double end;

	r->tid = gettid();
	pthread_barrier_wait(r->ready);         /* main prints the tids */
	pthread_barrier_wait(r->ready);
	end = now() + r->seconds;
	while (now() < end) {
		if (syscall(SYS_pread64, r->fd, b, 10 * r->n, 0) != 10 * r->n)
			die("thread %d: pread64: %s", r->n, strerror(errno));
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static int
run_threads(const char *dir, const char *secs)
{
	struct reader readers[2];
	pthread_barrier_t ready;
	pthread_t threads[2];
	char path[4096], *end;
	double seconds = strtod(secs, &end);
	long fd;
	int error;

	if (*end != '\0' || !(seconds > 0))
		usage();
	join(path, sizeof(path), dir, "threads.bin");
	memset(buf, 't', 64);
	fd = expect(open_at(path, O_CREAT | O_RDWR | O_TRUNC), ANY,
		    "openat threads.bin");
	expect(syscall(SYS_write, fd, buf, 64), 64, "write 64");
	if ((error = pthread_barrier_init(&ready, NULL, 3)) != 0)
		die("pthread_barrier_init: %s", strerror(error));
	for (int i = 0; i < 2; i++) {
		readers[i] = (struct reader){ .n = i + 1, .fd = fd,
			.seconds = seconds, .ready = &ready };
		if ((error = pthread_create(&threads[i], NULL, reader_main,
					    &readers[i])) != 0)
			die("pthread_create: %s", strerror(error));
	}
	pthread_barrier_wait(&ready);
	for (int i = 0; i < 2; i++)
		fprintf(stderr, "thread %d tid %d\n", i + 1, (int)readers[i].tid);
	pthread_barrier_wait(&ready);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&ready);
	expect(syscall(SYS_close, fd), 0, "close threads.bin");
	return 0;
}

/* fault mode */

/*
 * The path, written to a file of its own and mapped: a page of the page
 * cache that no page table of this process points at yet.
 */
static const char *
untouched(const char *dir, const char *tag, const char *path)
{
	char file[4096];
	void *p;
	int fd;

	join(file, sizeof(file), dir, tag);
	if ((fd = open(file, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		die("%s: %s", file, strerror(errno));
	if (write(fd, path, strlen(path) + 1) != (ssize_t)strlen(path) + 1)
		die("write %s: %s", file, strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s: %s", file, strerror(errno));
	close(fd);
	return p;
}

static int
run_fault(const char *dir)
{
	char path[4096], renamed[4096];
	const char *m_open, *m_from, *m_to, *m_dir;
	struct statfs sfs;
	long fd;

	join(path, sizeof(path), dir, "fault.txt");
	join(renamed, sizeof(renamed), dir, "fault-renamed.txt");
	fd = expect(open_at(path, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		    "openat fault.txt for writing");
	expect(syscall(SYS_write, fd, "fault", 5), 5, "write 5");
	expect(syscall(SYS_close, fd), 0, "close");
	m_open = untouched(dir, ".path-open", path);
	m_from = untouched(dir, ".path-from", path);
	m_to = untouched(dir, ".path-to", renamed);
	m_dir = untouched(dir, ".path-dir", dir);

	fd = expect(open_at(m_open, O_RDONLY), ANY, "openat mapped fault.txt");
	expect(syscall(SYS_read, fd, buf, 100), 5, "read 5");
	expect(syscall(SYS_close, fd), 0, "close");
#ifdef SYS_rename
	expect(syscall(SYS_rename, m_from, m_to), 0, "rename mapped");
#else
	expect(syscall(SYS_renameat2, AT_FDCWD, m_from, AT_FDCWD, m_to, 0), 0,
	       "renameat2 mapped");
#endif
	expect(syscall(SYS_statfs, m_dir, &sfs), 0, "statfs mapped");
	return 0;
}

static int
run_futimens(const char *dir)
{
	char path[4096];
	long fd;

	join(path, sizeof(path), dir, "futimens.txt");
	fd = expect(open_at(path, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		    "openat futimens.txt");
	expect(syscall(SYS_utimensat, fd, NULL, NULL, 0), 0,
	       "utimensat(fd, NULL)");
	expect(syscall(SYS_close, fd), 0, "close");
	return 0;
}

/* signal mode */

static int signal_pipe[2];

static void
on_alarm(int sig)
{
	(void)sig;
	if (syscall(SYS_write, signal_pipe[1], "s", 1) != 1)
		_exit(1);
}

static int
run_signal(const char *how)
{
	bool restart = strcmp(how, "restart") == 0;
	struct itimerval timer = { { 0, 0 }, { 0, 200 * 1000 } };
	struct sigaction sa;
	long n;

	if (!restart && strcmp(how, "intr") != 0)
		usage();
	if (pipe(signal_pipe) == -1)
		die("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == -1)
		die("sigaction: %s", strerror(errno));
	if (setitimer(ITIMER_REAL, &timer, NULL) == -1)
		die("setitimer: %s", strerror(errno));
	n = syscall(SYS_read, signal_pipe[0], buf, 10);
	if (restart) {
		expect(n, 1, "read restarted after the signal");
	} else {
		if (n != -1 || errno != EINTR)
			die("read returned %ld, not EINTR", n);
		say("read = -1 EINTR");
		expect(syscall(SYS_read, signal_pipe[0], buf, 10), 1,
		       "read after EINTR");
	}
	expect(syscall(SYS_close, signal_pipe[0]), 0, "close");
	expect(syscall(SYS_close, signal_pipe[1]), 0, "close");
	return 0;
}

static int
run_umount(const char *dir)
{
	char mnt[4096];

	join(mnt, sizeof(mnt), dir, "mnt");
	if (mkdir(mnt, 0755) == -1 && errno != EEXIST)
		die("mkdir %s: %s", mnt, strerror(errno));
	expect(syscall(SYS_mount, "none", mnt, "tmpfs", 0, NULL), 0, "mount");
	expect(syscall(SYS_umount2, mnt, 0), 0, "umount2");
	return 0;
}

static int
run_comm(const char *dir, const char *name)
{
	char path[4096];
	long fd;

	join(path, sizeof(path), dir, name);
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		die("prctl(PR_SET_NAME): %s", strerror(errno));
	fd = expect(open_at(path, O_CREAT | O_WRONLY | O_TRUNC), ANY,
		    "openat NAME");
	expect(syscall(SYS_write, fd, name, strlen(name)), strlen(name),
	       "write NAME");
	expect(syscall(SYS_close, fd), 0, "close NAME");
	return 0;
}

/*
 * No getopt: the build's libbsd overlay renames it, and this program is
 * linked without libbsd so that it makes no syscalls of libbsd's own.
 */
int
main(int argc, char **argv)
{
	argc--;
	argv++;
	if (argc > 0 && strcmp(argv[0], "-v") == 0) {
		verbose = true;
		argc--;
		argv++;
	}
	if (argc == 1 && argv[0][0] != '-')
		return run(argv[0]);
	if (argc == 3 && strcmp(argv[0], "threads") == 0)
		return run_threads(argv[1], argv[2]);
	if (argc == 2 && strcmp(argv[0], "fault") == 0)
		return run_fault(argv[1]);
	if (argc == 2 && strcmp(argv[0], "futimens") == 0)
		return run_futimens(argv[1]);
	if (argc == 3 && strcmp(argv[0], "signal") == 0)
		return run_signal(argv[2]);
	if (argc == 2 && strcmp(argv[0], "umount") == 0)
		return run_umount(argv[1]);
	if (argc == 3 && strcmp(argv[0], "comm") == 0)
		return run_comm(argv[1], argv[2]);
	usage();
}
