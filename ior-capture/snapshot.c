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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "capture.h"
#include "sockname.h"

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

/*
 * The sockets of one network namespace, inode -> name, read from
 * /proc/PID/net once per namespace met (the last one is kept: processes
 * listed together mostly share one).
 */
struct sock_entry {
	unsigned long ino;
	char name[SOCKNAME_MAX];
	size_t len;
};

static struct {
	char netns[64];
	struct sock_entry *v;
	size_t n, cap;
} socks;

static struct sock_entry *
sock_add(unsigned long ino)
{
	if (socks.n == socks.cap) {
		socks.cap = socks.cap ? socks.cap * 2 : 64;
		socks.v = reallocarray(socks.v, socks.cap, sizeof(*socks.v));
		if (socks.v == NULL)
			err(1, "reallocarray");
	}
	socks.v[socks.n].ino = ino;
	return &socks.v[socks.n++];
}

/* A /proc/net address, hex words in the kernel's byte order, as bytes. */
static bool
proc_net_addr(const char *hex, void *out, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		char word[9];
		uint32_t v;

		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		if (sscanf(word, "%8x", &v) != 1)
			return false;
		memcpy((char *)out + i * 4, &v, 4);
	}
	return true;
}

/*
 * /proc/PID/net/tcp, tcp6, udp, udp6: a connected socket is named by its
 * peer, as connect and accept name it; a listening or unconnected one by
 * its local address, as bind names it.
 */
static void
sock_load_inet(pid_t pid, const char *file, int family, int socktype)
{
	char path[64], line[512], local[40], remote[40];
	unsigned lport, rport, state;
	unsigned long ino;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, file);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
		struct sockaddr_in in = { .sin_family = AF_INET };
		size_t words = family == AF_INET ? 1 : 4;
		bool connected;
		const char *addr;

		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x "
			   "%*s %*s %*s %*u %*u %lu", local, &lport, remote,
			   &rport, &state, &ino) != 6 ||
		    strlen(local) != words * 8 || strlen(remote) != words * 8)
			continue;
		connected = rport != 0;
		addr = connected ? remote : local;
		if (family == AF_INET) {
			if (!proc_net_addr(addr, &in.sin_addr, 1))
				continue;
			in.sin_port = htons(connected ? rport : lport);
		} else {
			if (!proc_net_addr(addr, &in6.sin6_addr, 4))
				continue;
			in6.sin6_port = htons(connected ? rport : lport);
		}
		struct sock_entry *e = sock_add(ino);
		e->len = family == AF_INET ?
			 sockname_format(e->name, &in, sizeof(in), socktype) :
			 sockname_format(e->name, &in6, sizeof(in6), socktype);
	}
	fclose(f);
}

/*
 * /proc/PID/net/unix: a bound socket's path ("@name" when abstract, each
 * NUL in the name an '@' too).  The '@'s that end an abstract name are
 * the NULs that padded it (bound with the whole sun_path), left out as
 * sockname_format leaves them out; a name's own NUL stays an '@' here.
 */
static void
sock_load_unix(pid_t pid)
{
	char path[64], line[512];
	unsigned long ino;
	int off;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/unix", pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t len;

		off = 0;
		if (sscanf(line, "%*x: %*x %*x %*x %*x %*x %lu %n", &ino,
			   &off) != 1 || off == 0)
			continue;
		len = strcspn(line + off, "\n");
		if (line[off] == '@')
			while (len > 1 && line[off + len - 1] == '@')
				len--;
		if (len == 0 || len > SOCKNAME_MAX - 6)
			continue;       /* unnamed: socket:[INO] it stays */
		struct sock_entry *e = sock_add(ino);
		e->len = snprintf(e->name, sizeof(e->name), "unix:%.*s",
				  (int)len, line + off);
	}
	fclose(f);
}

static int
sock_cmp(const void *a, const void *b)
{
	const struct sock_entry *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The name of socket inode ino of pid, or NULL. */
static const struct sock_entry *
sock_lookup(pid_t pid, unsigned long ino)
{
	char link[64], netns[64];
	ssize_t n;
	struct sock_entry key = { .ino = ino };

	snprintf(link, sizeof(link), "/proc/%d/ns/net", pid);
	if ((n = readlink(link, netns, sizeof(netns) - 1)) <= 0)
		return NULL;
	netns[n] = '\0';
	if (strcmp(netns, socks.netns) != 0) {
		socks.n = 0;
		strlcpy(socks.netns, netns, sizeof(socks.netns));
		sock_load_inet(pid, "tcp", AF_INET, SOCK_STREAM);
		sock_load_inet(pid, "tcp6", AF_INET6, SOCK_STREAM);
		sock_load_inet(pid, "udp", AF_INET, SOCK_DGRAM);
		sock_load_inet(pid, "udp6", AF_INET6, SOCK_DGRAM);
		sock_load_unix(pid);
		qsort(socks.v, socks.n, sizeof(*socks.v), sock_cmp);
	}
	return socks.n ? bsearch(&key, socks.v, socks.n, sizeof(*socks.v),
				 sock_cmp) : NULL;
}

/*
 * An fd's link target under the names ior-pair gives such fds as they are
 * made (docs/format.md): "socket:[INO]" by its address when /proc/net
 * has one, "/memfd:NAME (deleted)" as "memfd:NAME", an O_TMPFILE file
 * "DIR/#INO (deleted)" as "DIR/#INO".  Pipes and anon inodes keep the
 * kernel's names, which ior-pair uses too.
 */
static size_t
fd_name(pid_t pid, char *target, size_t n)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	unsigned long ino;
	char *hash;

	if (n > 8 && memcmp(target, "socket:[", 8) == 0) {
		const struct sock_entry *e;
		char tail;

		target[n] = '\0';
		if (sscanf(target, "socket:[%lu%c", &ino, &tail) == 2 &&
		    tail == ']' && (e = sock_lookup(pid, ino)) != NULL &&
		    e->len > 0) {
			memcpy(target, e->name, e->len);
			return e->len;
		}
		return n;
	}
	if (n <= dlen || memcmp(target + n - dlen, deleted, dlen) != 0)
		return n;
	if (n > 7 && memcmp(target, "/memfd:", 7) == 0) {
		memmove(target, target + 1, n - dlen - 1);
		return n - dlen - 1;
	}
	target[n - dlen] = '\0';
	if ((hash = strrchr(target, '/')) != NULL && hash[1] == '#' &&
	    hash[2] != '\0' &&
	    strspn(hash + 2, "0123456789") == strlen(hash + 2))
		return n - dlen;
	target[n - dlen] = deleted[0];
	return n;
}

static void
add_fd_string(void *rec, uint32_t *off, pid_t pid, const char *link)
{
	char target[PATH_MAX + 1];
	ssize_t n = readlink(link, target, sizeof(target) - 1);

	if (n < 0)
		record_add_string(rec, off, "", 0, 0, IOR_STRING_FAULT);
	else if (n == sizeof(target) - 1)
		record_add_string(rec, off, target, n, 0, IOR_STRING_TRUNCATED);
	else
		record_add_string(rec, off, target, fd_name(pid, target, n),
				  0, 0);
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
		add_fd_string(f, &off, pid, link);
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
