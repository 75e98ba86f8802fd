/* SPDX-License-Identifier: MIT */
/*
 * outfile.c - open the file of -o.
 *
 * ior-capture runs as root, and the stream holds every path and command
 * line it traced.  So the file is created 0600 (as perf creates perf.data),
 * a symbolic link is never followed (root writing through a link someone
 * planted in /tmp overwrites whatever it points at), and an existing file is
 * replaced only if it is a regular file of the user running ior-capture
 * (root, or the user sudo ran it for): it is never truncated before it has
 * been checked, and then it is left 0600 too.  A pipe or a device is not a
 * file to replace; standard output takes those.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"

/* The owner of a file ior-capture may replace: the caller, or sudo's user. */
static bool
own_uid(uid_t owner)
{
	const char *sudo = getenv("SUDO_UID"), *errstr;
	long long sudo_uid;

	if (owner == getuid())
		return true;
	if (sudo == NULL)
		return false;
	sudo_uid = strtonum(sudo, 0, UINT_MAX - 1, &errstr);
	return errstr == NULL && owner == (uid_t)sudo_uid;
}

int
outfile_open(const char *path)
{
	char proc_path[64];
	struct stat st;
	int fd, pfd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd != -1)
		return fd;
	if (errno != EEXIST)
		err(1, "%s", path);
	/*
	 * It exists (O_EXCL also refuses a symbolic link, dangling or not).
	 * Look at it through a handle that opens nothing (a FIFO would block
	 * and a device could act on an open), then reopen that very inode, so
	 * what was checked is what gets written.
	 */
	if ((pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(pfd, &st) == -1)
		err(1, "%s", path);
	if (S_ISLNK(st.st_mode))
		errx(1, "%s: is a symbolic link, not following it", path);
	if (!S_ISREG(st.st_mode))
		errx(1, "%s: not a regular file, not replacing it (write to "
		     "standard output for a pipe or a device)", path);
	if (!own_uid(st.st_uid))
		errx(1, "%s: owned by uid %u, not replacing another user's "
		     "file", path, (unsigned)st.st_uid);
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", pfd);
	if ((fd = open(proc_path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    ftruncate(fd, 0) == -1 || fchmod(fd, 0600) == -1)
		err(1, "%s", path);
	close(pfd);
	return fd;
}
