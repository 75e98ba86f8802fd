/* SPDX-License-Identifier: MIT */
/*
 * uring - a small io_uring workload for the tests: every operation ior
 * must attribute, with sizes the tests check.
 *
 *	uring DIR
 *
 * In DIR: opens "data" (8192 bytes it writes first) through io_uring
 * (openat), reads it in two 4096-byte reads, one forced async (io-wq),
 * linked to the next; reads it through a registered (fixed) file while
 * the fd is open, then again after closing the fd; fails a read on fd
 * 999 (EBADF); closes through io_uring (close); and, when the kernel
 * lets it, reads 1000 bytes through an SQPOLL ring that a second thread
 * makes ("uring: sqpoll read 1000 in tid N" on stderr).  Exits 1 on an
 * unexpected result.
 *
 *	uring DIR direct-accept
 *
 * Opens /dev/null as fd 0, accepts a TCP connection into slot 0 of the
 * ring's file table (a direct descriptor: no fd), then reads fd 0
 * ("uring: listener fd N" on stderr).
 *
 *	uring DIR skip
 *
 * Reads 100 bytes of DIR/data with IOSQE_CQE_SKIP_SUCCESS (no completion
 * is posted), then runs a nop, whose request takes the read's place.
 */
#include <arpa/inet.h>
#include <err.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[2][4096];
static char path[4096];

static int
wait_one(struct io_uring *r)
{
	struct io_uring_cqe *c;
	int res;

	if (io_uring_wait_cqe(r, &c) != 0)
		errx(1, "wait_cqe");
	res = c->res;
	io_uring_cqe_seen(r, c);
	return res;
}

static struct io_uring_sqe *
sqe(struct io_uring *r)
{
	struct io_uring_sqe *s = io_uring_get_sqe(r);

	if (s == NULL)
		errx(1, "no sqe");
	return s;
}

/* A thread of its own makes the SQPOLL ring: the reads are that thread's. */
static void *
sqpoll(void *arg)
{
	struct io_uring sq;
	struct io_uring_params p;
	int fd, res;

	(void)arg;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1000;
	if ((res = io_uring_queue_init_params(8, &sq, &p)) != 0) {
		fprintf(stderr, "uring: no SQPOLL ring: %s\n", strerror(-res));
		return NULL;
	}
	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	io_uring_prep_read(sqe(&sq), fd, buf[0], 1000, 0);
	io_uring_submit(&sq);
	if ((res = wait_one(&sq)) != 1000)
		errx(1, "sqpoll read: %d", res);
	close(fd);
	io_uring_queue_exit(&sq);
	fprintf(stderr, "uring: sqpoll read 1000 in tid %d\n", gettid());
	return NULL;
}

static int
direct_accept(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct io_uring r;
	int l, c, fd, res;
	char b;

	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1)
		err(1, "/dev/null");
	close(fd);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) == -1 ||
	    (c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) == -1)
		err(1, "socket");
	if ((res = io_uring_queue_init(8, &r, 0)) != 0)
		errx(1, "io_uring_queue_init: %s", strerror(-res));
	if ((res = io_uring_register_files_sparse(&r, 4)) != 0)
		errx(1, "register_files_sparse: %s", strerror(-res));
	io_uring_prep_accept_direct(sqe(&r), l, NULL, NULL, 0, 0);
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != 0)
		errx(1, "accept_direct: %d", res);
	if (read(0, &b, 1) != 0)
		errx(1, "read of /dev/null");
	io_uring_queue_exit(&r);
	fprintf(stderr, "uring: listener fd %d\n", l);
	return 0;
}

static int
skip_success(void)
{
	struct io_uring r;
	struct io_uring_sqe *s;
	int fd, res;

	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	if ((res = io_uring_queue_init(8, &r, 0)) != 0)
		errx(1, "io_uring_queue_init: %s", strerror(-res));
	s = sqe(&r);
	io_uring_prep_read(s, fd, buf[0], 100, 0);
	s->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_submit(&r);
	io_uring_prep_nop(sqe(&r));
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != 0)
		errx(1, "nop after a skipped read: %d", res);
	io_uring_queue_exit(&r);
	return 0;
}

int
main(int argc, char **argv)
{
	struct io_uring r;
	struct io_uring_sqe *s;
	pthread_t t;
	int fd, res;

	if (argc != 2 && argc != 3)
		errx(2, "usage: uring DIR [direct-accept|skip]");
	snprintf(path, sizeof(path), "%s/data", argv[1]);
	if (argc == 3 && strcmp(argv[2], "direct-accept") == 0)
		return direct_accept();
	memset(buf, 'x', sizeof(buf));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || close(fd))
		err(1, "%s", path);
	if (argc == 3 && strcmp(argv[2], "skip") == 0)
		return skip_success();
	else if (argc == 3)
		errx(2, "usage: uring DIR [direct-accept|skip]");
	if ((res = io_uring_queue_init(8, &r, 0)) != 0)
		errx(1, "io_uring_queue_init: %s", strerror(-res));

	io_uring_prep_openat(sqe(&r), AT_FDCWD, path, O_RDONLY, 0);
	io_uring_submit(&r);
	if ((fd = wait_one(&r)) < 0)
		errx(1, "openat: %s", strerror(-fd));

	/* linked: the second starts when the first (forced async) is done */
	s = sqe(&r);
	io_uring_prep_read(s, fd, buf[0], 4096, 0);
	s->flags |= IOSQE_IO_LINK | IOSQE_ASYNC;
	io_uring_prep_read(sqe(&r), fd, buf[1], 4096, 4096);
	io_uring_submit(&r);
	if ((res = wait_one(&r) + wait_one(&r)) != 8192)
		errx(1, "linked reads: %d", res);

	if (io_uring_register_files(&r, &fd, 1) != 0)
		errx(1, "register_files");
	s = sqe(&r);
	io_uring_prep_read(s, 0, buf[0], 3000, 0);
	s->flags |= IOSQE_FIXED_FILE;
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != 3000)
		errx(1, "fixed read: %d", res);

	io_uring_prep_read(sqe(&r), 999, buf[0], 10, 0);
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != -EBADF)
		errx(1, "read of fd 999: %d", res);

	io_uring_prep_close(sqe(&r), fd);
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != 0)
		errx(1, "close: %s", strerror(-res));

	/* the fd is closed; the registered file is still open */
	s = sqe(&r);
	io_uring_prep_read(s, 0, buf[0], 2000, 0);
	s->flags |= IOSQE_FIXED_FILE;
	io_uring_submit(&r);
	if ((res = wait_one(&r)) != 2000)
		errx(1, "fixed read after close: %d", res);
	io_uring_queue_exit(&r);

	if ((res = pthread_create(&t, NULL, sqpoll, NULL)) != 0 ||
	    (res = pthread_join(t, NULL)) != 0)
		errx(1, "thread: %s", strerror(res));
	return 0;
}
