/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"
#include "syscall_nr.h"

struct nr_entry {
	const char *name;
	int nr;
};

#define NR_ENTRY(name, nr) { name, nr },
static const struct nr_entry by_number[] = {
	IOR_SYSCALL_NUMBERS(NR_ENTRY)
};
#define NSYSCALLS (sizeof(by_number) / sizeof(by_number[0]))

/*
 * The members of each family, space separated.  A syscall this kernel or
 * this architecture lacks is simply never found.
 */
static const struct {
	const char *name;
	bool is_default;
	const char *members;
} families[IOR_FAMILY_COUNT] = {
	[IOR_FAMILY_OTHER] = { "other", false, "" },
	[IOR_FAMILY_OPEN] = { "open", true,
		"open openat openat2 creat name_to_handle_at open_by_handle_at "
		"open_tree fsopen fspick fsmount" },
	[IOR_FAMILY_CLOSE] = { "close", true, "close close_range" },
	[IOR_FAMILY_READ] = { "read", true,
		"read pread64 readv preadv preadv2 readahead" },
	[IOR_FAMILY_WRITE] = { "write", true,
		"write pwrite64 writev pwritev pwritev2" },
	[IOR_FAMILY_TRANSFER] = { "transfer", true,
		"sendfile splice tee vmsplice copy_file_range" },
	[IOR_FAMILY_FD] = { "fd", true,
		"dup dup2 dup3 fcntl ioctl flock" },
	[IOR_FAMILY_SEEK] = { "seek", true, "lseek" },
	[IOR_FAMILY_SYNC] = { "sync", true,
		"fsync fdatasync sync syncfs sync_file_range" },
	[IOR_FAMILY_STAT] = { "stat", true,
		"stat fstat lstat newfstatat statx access faccessat faccessat2 "
		"readlink readlinkat statfs fstatfs ustat file_getattr" },
	[IOR_FAMILY_DIR] = { "dir", true,
		"getdents getdents64 mkdir mkdirat rmdir chdir fchdir getcwd "
		"chroot" },
	[IOR_FAMILY_NAMESPACE] = { "namespace", true,
		"unlink unlinkat rename renameat renameat2 link linkat symlink "
		"symlinkat mknod mknodat" },
	[IOR_FAMILY_ATTR] = { "attr", true,
		"chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat "
		"utime utimes utimensat futimesat truncate ftruncate fallocate "
		"fadvise64 umask file_setattr" },
	[IOR_FAMILY_XATTR] = { "xattr", true,
		"setxattr lsetxattr fsetxattr setxattrat getxattr lgetxattr "
		"fgetxattr getxattrat listxattr llistxattr flistxattr "
		"listxattrat removexattr lremovexattr fremovexattr "
		"removexattrat" },
	[IOR_FAMILY_MMAP] = { "mmap", true, "mmap msync" },
	[IOR_FAMILY_NET] = { "net", false,
		"connect bind listen sendto recvfrom sendmsg recvmsg sendmmsg "
		"recvmmsg shutdown getsockopt setsockopt getsockname "
		"getpeername" },
	[IOR_FAMILY_POLL] = { "poll", false,
		"poll ppoll select pselect6 epoll_wait epoll_pwait epoll_pwait2 "
		"epoll_ctl" },
	[IOR_FAMILY_PROCESS] = { "process", false,
		"execve execveat exit exit_group clone clone3 fork vfork "
		"wait4 waitid rt_sigreturn restart_syscall" },
	/*
	 * Calls that make file descriptors without a path: traced by default
	 * so the fd table knows what an fd is, and they are rare.
	 */
	[IOR_FAMILY_FDNEW] = { "fdnew", true,
		"pipe pipe2 socket socketpair accept accept4 eventfd eventfd2 "
		"memfd_create memfd_secret timerfd_create signalfd signalfd4 "
		"epoll_create epoll_create1 inotify_init inotify_init1 "
		"fanotify_init userfaultfd pidfd_open pidfd_getfd "
		"perf_event_open bpf io_uring_setup" },
};

int
syscall_nr(const char *name)
{
	for (size_t i = 0; i < NSYSCALLS; i++)
		if (strcmp(by_number[i].name, name) == 0)
			return by_number[i].nr;
	return -1;
}

const char *
syscall_name(int nr)
{
	size_t lo = 0, hi = NSYSCALLS;

	/* by_number is sorted by number (gen-syscall-nr.sh sorts it). */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (by_number[mid].nr == nr)
			return by_number[mid].name;
		if (by_number[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool
word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	/* "" would be found at every byte, and p += 0 never moves on. */
	if (n == 0)
		return false;
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

enum ior_family
syscall_family(const char *name)
{
	for (int f = 1; f < IOR_FAMILY_COUNT; f++)
		if (word_in(families[f].members, name))
			return f;
	return IOR_FAMILY_OTHER;
}

const char *
family_name(enum ior_family family)
{
	if ((unsigned)family >= IOR_FAMILY_COUNT)
		return NULL;
	return families[family].name;
}

int
family_by_name(const char *name)
{
	for (int f = 0; f < IOR_FAMILY_COUNT; f++)
		if (strcmp(families[f].name, name) == 0)
			return f;
	return -1;
}

bool
family_is_default(enum ior_family family)
{
	return (unsigned)family < IOR_FAMILY_COUNT &&
	       families[family].is_default;
}

void
syscall_foreach(void (*f)(const char *name, int nr, void *arg), void *arg)
{
	for (size_t i = 0; i < NSYSCALLS; i++)
		f(by_number[i].name, by_number[i].nr, arg);
}
