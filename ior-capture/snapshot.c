/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - the processes in scope and their open files at capture
 * start, read from /proc, so a stream stands alone: a reader knows what
 * fd 3 of a process was even though the open happened before the capture.
 * It runs after the BPF programs are attached, so nothing falls between the
 * snapshot and the first event; a reader takes later events over it.
 */
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define PF_KTHREAD 0x00200000u

struct proc_stat {
	pid_t ppid;
	unsigned flags;
	char comm[IOR_COMM_LEN];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static ssize_t
read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static bool
read_stat(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024], *open_paren, *close_paren;
	size_t len;
	int state;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	if ((open_paren = strchr(buf, '(')) == NULL ||
	    (close_paren = strrchr(buf, ')')) == NULL)
		return false;
	len = close_paren - open_paren - 1;
	if (len >= IOR_COMM_LEN)
		len = IOR_COMM_LEN - 1;
	memset(st->comm, 0, sizeof(st->comm));
	memcpy(st->comm, open_paren + 1, len);
	return sscanf(close_paren + 1, " %c %d %*d %*d %*d %*d %u", (char *)&state,
		      &st->ppid, &st->flags) == 3;
}

static bool
is_pid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool
pid_listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

void
scope_add_descendants(struct scope *sc)
{
	struct { pid_t pid, ppid; } *all = NULL;
	size_t nall = 0, capall = 0;
	struct dirent *de;
	bool grew = true;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		err(1, "/proc");
	while ((de = readdir(d)) != NULL) {
		struct proc_stat st;
		pid_t pid;

		if (!is_pid_name(de->d_name))
			continue;
		pid = atoi(de->d_name);
		if (!read_stat(pid, &st))
			continue;
		if (nall == capall) {
			capall = capall ? capall * 2 : 256;
			all = reallocarray(all, capall, sizeof(*all));
			if (all == NULL)
				err(1, "reallocarray");
		}
		all[nall].pid = pid;
		all[nall].ppid = st.ppid;
		nall++;
	}
	closedir(d);
	/* Parents may be listed after their children: repeat to a fixpoint. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < nall; i++) {
			if (!pid_listed(sc->pids, sc->npids, all[i].ppid) ||
			    pid_listed(sc->pids, sc->npids, all[i].pid))
				continue;
			sc->pids = reallocarray(sc->pids, sc->npids + 1,
						sizeof(*sc->pids));
			if (sc->pids == NULL)
				err(1, "reallocarray");
			sc->pids[sc->npids++] = all[i].pid;
			grew = true;
		}
	}
	free(all);
}

static void
add_link_string(void *rec, uint32_t *off, const char *link, uint8_t tag)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target));

	if (n < 0)
		record_add_string(rec, off, "", 0, tag, IOR_STRING_FAULT);
	else
		record_add_string(rec, off, target, n, tag,
				  n == sizeof(target) ? IOR_STRING_TRUNCATED : 0);
}

static void
read_status(pid_t pid, uint32_t *uid, uint32_t *threads)
{
	char path[64], buf[4096], *p;

	*uid = 0;
	*threads = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return;
	if ((p = strstr(buf, "\nUid:")) != NULL)
		*uid = strtoul(p + 5, NULL, 10);
	if ((p = strstr(buf, "\nThreads:")) != NULL)
		*threads = strtoul(p + 9, NULL, 10);
}

static unsigned
write_fds(pid_t pid, struct stream_writer *w, unsigned char *buf)
{
	char dir[64], link[96], info[128], text[512], *p;
	struct dirent *de;
	unsigned count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct ior_fd *f = (void *)buf;
		uint32_t off = sizeof(*f);

		if (!is_pid_name(de->d_name))
			continue;
		memset(f, 0, sizeof(*f));
		f->header.type = IOR_FD;
		f->time_ns = now_ns();
		f->pid = pid;
		f->fd = atoi(de->d_name);
		snprintf(info, sizeof(info), "/proc/%d/fdinfo/%d", pid, f->fd);
		if (read_file(info, text, sizeof(text)) > 0) {
			if ((p = strstr(text, "pos:")) != NULL)
				f->pos = strtoull(p + 4, NULL, 10);
			if ((p = strstr(text, "flags:")) != NULL)
				f->flags = strtoul(p + 6, NULL, 8);
		}
		f->str_off = sizeof(*f);
		f->nstrings = 1;
		snprintf(link, sizeof(link), "%s/%d", dir, f->fd);
		add_link_string(f, &off, link, 0);
		stream_put(w, f, record_finish(f, off));
		count++;
	}
	closedir(d);
	return count;
}

static bool
write_process(pid_t pid, struct stream_writer *w, unsigned char *buf,
	      unsigned *fds)
{
	struct ior_process *p = (void *)buf;
	char path[64], cmdline[IOR_STRING_MAX];
	uint32_t off = sizeof(*p);
	struct proc_stat st;
	ssize_t n;

	if (!read_stat(pid, &st) || (st.flags & PF_KTHREAD))
		return false;
	memset(p, 0, sizeof(*p));
	p->header.type = IOR_PROCESS;
	p->time_ns = now_ns();
	p->pid = pid;
	p->ppid = st.ppid;
	read_status(pid, &p->uid, &p->nthreads);
	memcpy(p->comm, st.comm, sizeof(p->comm));
	p->str_off = sizeof(*p);
	p->nstrings = 3;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	add_link_string(p, &off, path, IOR_PROC_EXE);
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	add_link_string(p, &off, path, IOR_PROC_CWD);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_file(path, cmdline, sizeof(cmdline));
	if (n > 0 && cmdline[n - 1] == '\0')
		n--;
	record_add_string(p, &off, cmdline, n > 0 ? n : 0, IOR_PROC_CMDLINE,
			  n < 0 ? IOR_STRING_FAULT : 0);
	stream_put(w, p, record_finish(p, off));
	*fds += write_fds(pid, w, buf);
	return true;
}

static bool
wanted(const struct scope *sc, pid_t pid)
{
	struct proc_stat st;

	if (pid == sc->self || pid_listed(sc->excluded, sc->nexcluded, pid))
		return false;
	if (sc->npids > 0 && !pid_listed(sc->pids, sc->npids, pid))
		return false;
	if (sc->tid > 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, sc->tid);
		if (access(path, F_OK) == -1)
			return false;
	}
	if (sc->comm != NULL) {
		if (!read_stat(pid, &st) ||
		    strncmp(st.comm, sc->comm, IOR_COMM_LEN - 1) != 0)
			return false;
	}
	return true;
}

void
snapshot_write(struct scope *sc, struct stream_writer *w)
{
	static unsigned char buf[IOR_RECORD_MAX];
	struct ior_snapshot_end *end;
	unsigned processes = 0, fds = 0;
	struct dirent *de;
	DIR *d;

	if (sc->follow)
		scope_add_descendants(sc);
	if ((d = opendir("/proc")) == NULL)
		err(1, "/proc");
	while ((de = readdir(d)) != NULL) {
		pid_t pid;

		if (!is_pid_name(de->d_name))
			continue;
		pid = atoi(de->d_name);
		if (wanted(sc, pid) && write_process(pid, w, buf, &fds))
			processes++;
	}
	closedir(d);
	end = stream_reserve(w, IOR_SNAPSHOT_END, 0, sizeof(*end));
	end->time_ns = now_ns();
	end->processes = processes;
	end->fds = fds;
}

/* The inode of the pipe fd refers to, or 0. */
static unsigned long
pipe_inode_of(const char *link)
{
	char target[64];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	unsigned long ino;

	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (sscanf(target, "pipe:[%lu]", &ino) != 1)
		return 0;
	return ino;
}

size_t
pipeline_readers(int fd, pid_t self, pid_t *out, size_t max)
{
	unsigned long inodes[IOR_EXCLUDED_MAX];
	size_t ninodes = 0, nout = 0;
	char link[96];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((inodes[0] = pipe_inode_of(link)) == 0)
		return 0;
	ninodes = 1;
	/*
	 * Each round finds the processes whose stdin is a pipe we know and
	 * adds the pipe on their stdout: ior-capture | tee | ior-pair | ...
	 */
	for (size_t round = 0; round < IOR_EXCLUDED_MAX && nout < max; round++) {
		size_t before = nout;
		struct dirent *de;
		DIR *d;

		if ((d = opendir("/proc")) == NULL)
			return nout;
		while ((de = readdir(d)) != NULL && nout < max) {
			unsigned long in, outino;
			pid_t pid;

			if (!is_pid_name(de->d_name))
				continue;
			pid = atoi(de->d_name);
			if (pid == self || pid_listed(out, nout, pid))
				continue;
			snprintf(link, sizeof(link), "/proc/%d/fd/0", pid);
			in = pipe_inode_of(link);
			bool reads_ours = false;
			for (size_t i = 0; i < ninodes; i++)
				if (in != 0 && in == inodes[i])
					reads_ours = true;
			if (!reads_ours)
				continue;
			out[nout++] = pid;
			snprintf(link, sizeof(link), "/proc/%d/fd/1", pid);
			outino = pipe_inode_of(link);
			if (outino != 0 && ninodes < IOR_EXCLUDED_MAX)
				inodes[ninodes++] = outino;
		}
		closedir(d);
		if (nout == before)
			break;
	}
	return nout;
}
