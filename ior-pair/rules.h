/* SPDX-License-Identifier: MIT */
/*
 * rules.h - what each syscall means to the fd table and to a pair: which
 * argument is the fd, the dirfd and the path, whether it makes, closes or
 * duplicates a descriptor, and how its bytes count.
 */
#ifndef IOR_PAIR_RULES_H
#define IOR_PAIR_RULES_H

#include <stdbool.h>
#include <stdint.h>

enum rule_kind {
	K_NONE,         /* no fd, no path (sync, umask, ...) */
	K_FD,           /* uses fd: fsync, fstat, lseek, ioctl ... */
	K_READ,         /* reads ret bytes from fd */
	K_WRITE,        /* writes ret bytes to fd */
	K_TRANSFER,     /* reads ret bytes from fd, writes them to fd2 */
	K_PATH,         /* names a path: stat, mkdir, unlink ... */
	K_OPEN,         /* path -> new fd (ret) */
	K_CLOSE,
	K_CLOSE_RANGE,
	K_DUP,          /* dup(fd) -> ret */
	K_DUP2,         /* dup2/dup3(fd, fd2) -> fd2 */
	K_FCNTL,
	K_RENAME,       /* path -> path2, open fds follow */
	K_LINK,         /* path2 made from path (link, symlink) */
	K_CHDIR,
	K_FCHDIR,
	K_MMAP,
	K_NEWFD,        /* ret is a new fd that has no path (socket ...) */
	K_NAMEDFD,      /* ret is a new fd named newfd_name + the string of
			   argument 0 (memfd_create: "memfd:NAME") */
	K_SOCKNAME,     /* fd takes the name of the address it was given
			   (connect, bind) */
	K_FDPAIR,       /* two new fds in the exit record (pipe, socketpair) */
	K_EXEC,
	K_EXIT,         /* exit, exit_group: no exit event follows */
	K_SIGRETURN,    /* rt_sigreturn: returns to where the signal came */
	K_RESTART,      /* restart_syscall: the restart of another call */
};

struct rule {
	const char *name;
	uint8_t kind;
	int8_t fd;              /* argument index of the fd, -1 none */
	int8_t dirfd;           /* of the dirfd for path, -1: cwd */
	int8_t path;            /* of the path string, -1 none */
	int8_t fd2;             /* second fd (transfer sink, dup target) */
	int8_t dirfd2;
	int8_t path2;
	int8_t flags;           /* of the open flags, -1 none */
	const char *newfd_name; /* K_NEWFD: what the new fd is */
	bool null_is_fd;        /* a NULL path names the dirfd itself */
};

/* The rule for a syscall name; a K_NONE rule for names it does not know. */
const struct rule *rule_for(const char *name);

#endif /* IOR_PAIR_RULES_H */
