/* SPDX-License-Identifier: MIT */
/*
 * startup - how long ior-capture takes from its start to the first traced
 * syscall in its stream.
 *
 *   startup IOR_CAPTURE [ARG...]
 *
 * Runs IOR_CAPTURE ARG... with its standard output on a pipe, reads the
 * stream, and prints "<ns to first enter> <ns to end of stream>": the
 * first syscall_enter record's time (the kernel's monotonic clock) less
 * the time just before the fork.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		errx(2, "usage: startup IOR_CAPTURE [ARG...]");
	int fds[2];
	if (pipe(fds) < 0)
		err(1, "pipe");
	uint64_t start = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	close(fds[1]);
	struct stream_reader r;
	stream_reader_init(&r, fds[0], argv[1]);
	uint64_t first = 0;
	const struct ior_record *rec;
	while ((rec = stream_next(&r)))
		if (!first && rec->type == IOR_SYSCALL_ENTER)
			first = ((const struct ior_syscall_enter *)rec)->time_ns;
	uint64_t end = now_ns();
	int status;
	waitpid(pid, &status, 0);
	if (r.status != STREAM_END || !first)
		errx(1, "no traced syscall in the stream");
	stream_reader_release(&r);
	printf("%" PRIu64 " %" PRIu64 "\n", first - start, end - start);
	return 0;
}
