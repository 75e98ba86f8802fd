/* SPDX-License-Identifier: MIT */
#include "pipeline.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The comm of pid, "" if unknown. */
static void
comm_of(long pid, char comm[32])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	comm[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, 32, f))
			comm[0] = '\0';
		fclose(f);
	}
}

/* 1: an ior tool reads it; 0: something else; -1: a reader still forking. */
static int
readers_of(const char *want, const char *shell)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return 0;
	int verdict = 0;
	pid_t self = getpid();
	for (struct dirent *d; verdict != 1 && (d = readdir(proc));) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char path[64], link[64], comm[32];
		snprintf(path, sizeof(path), "/proc/%ld/fd/0", pid);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) != 0)
			continue;
		comm_of(pid, comm);
		if (strncmp(comm, "ior-", 4) == 0)
			verdict = 1;
		else if (shell[0] && strcmp(comm, shell) == 0)
			verdict = -1;
	}
	closedir(proc);
	return verdict;
}

bool
pipe_feeds_ior_tool(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return false;
	char want[64], shell[32];
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	/*
	 * A reader with the comm of our parent (the shell) has been forked
	 * but not yet exec'd: give it a moment to become what it will be.
	 */
	comm_of(getppid(), shell);
	for (int tries = 0; tries < 50; tries++) {
		int verdict = readers_of(want, shell);
		if (verdict >= 0)
			return verdict == 1;
		usleep(10000);
	}
	return false;
}
