/* SPDX-License-Identifier: MIT */
#include "output.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void
output_init(void)
{
	signal(SIGPIPE, SIG_IGN);
}

static void __attribute__((noreturn))
output_failed(const char *name, int status, int e)
{
	if (e == EPIPE)
		exit(status);
	fprintf(stderr, "%s: %s: write error: %s\n", getprogname(), name,
		strerror(e ? e : EIO));
	exit(1);
}

/*
 * fflush(f), and the errno of its failure (0 if none).  ferror() does not
 * keep the errno of a failed write; stdio does keep what it could not
 * write after an implicit flush, so flushing again repeats that write and
 * brings its errno back.
 */
static int
flush_errno(FILE *f)
{
	errno = 0;
	if (fflush(f) == EOF)
		return errno ? errno : EIO;
	return 0;
}

void
output_check(FILE *f, const char *name)
{
	if (ferror_unlocked(f))
		output_failed(name, 0, flush_errno(f));
}

void
output_flush(FILE *f, const char *name)
{
	int e = flush_errno(f);
	if (e || ferror(f))
		output_failed(name, 0, e);
}

int
output_close(FILE *f, const char *name, int status)
{
	int e = flush_errno(f);
	if (e || ferror(f))
		output_failed(name, status, e);
	errno = 0;
	if (fclose(f) == EOF)
		output_failed(name, status, errno);
	return status;
}
