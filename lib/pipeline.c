/* SPDX-License-Identifier: MIT */
#include "pipeline.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool
pipe_feeds_ior_tool(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return false;
	char want[64];
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	DIR *proc = opendir("/proc");
	if (!proc)
		return false;
	bool found = false;
	pid_t self = getpid();
	for (struct dirent *d; !found && (d = readdir(proc));) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char path[64], link[64], comm[32] = "";
		snprintf(path, sizeof(path), "/proc/%ld/fd/0", pid);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		FILE *f = fopen(path, "r");
		if (f) {
			found = fgets(comm, sizeof(comm), f) &&
				strncmp(comm, "ior-", 4) == 0;
			fclose(f);
		}
	}
	closedir(proc);
	return found;
}
