/* SPDX-License-Identifier: MIT */
/*
 * ior.bpf.h - what the BPF program and ior-capture agree on beyond the wire
 * format: the per-syscall configuration word and the scope map values.
 */
#ifndef IOR_BPF_H
#define IOR_BPF_H

/* Syscall numbers at or above this are never traced (x32 and compat). */
#define IOR_NR_MAX 512

/*
 * syscall_conf[nr]: bit 0 traced; bits 1..3 the declared argument count;
 * bits 8..15 which arguments are strings to copy (at most two are read).
 */
#define IOR_CONF_TRACED 1u
#define IOR_CONF_NARGS(c) (((c) >> 1) & 7u)
#define IOR_CONF_STRINGS(c) (((c) >> 8) & 0xffu)
/* bits 16..18: 1 + the index of an int[2] argument the call fills */
#define IOR_CONF_FDPAIR(c) (((c) >> 16) & 7u)
#define IOR_CONF_FDPAIR_ARG(arg) (((arg) + 1u) << 16)
/*
 * bit 19: never read a string argument again at exit (execve: after a
 * successful exec the pointer belongs to the old address space)
 */
#define IOR_CONF_NOREREAD (1u << 19)
/*
 * Descriptors without a path (1.2): bit 24: at a successful exit, write
 * the inodes of the fds the call made (ret, or the int[2] of
 * IOR_CONF_FDPAIR); bits 25..27: 1 + the index of an open flags argument,
 * the inode of the fd returned is written when the flags have O_TMPFILE;
 * bits 28..30: 1 + the index of a struct sockaddr argument, its length in
 * the next argument (connect, bind: read at the enter); bit 31: read it at
 * the exit instead, and the next argument points at its length (accept):
 * the length it holds at the enter, the caller's buffer, bounds the read.
 */
#define IOR_CONF_INODES (1u << 24)
#define IOR_CONF_TMPFILE(c) (((c) >> 25) & 7u)
#define IOR_CONF_TMPFILE_ARG(arg) (((arg) + 1u) << 25)
#define IOR_CONF_SOCKADDR(c) (((c) >> 28) & 7u)
#define IOR_CONF_SOCKADDR_ARG(arg) (((arg) + 1u) << 28)
#define IOR_CONF_SOCKADDR_EXIT (1u << 31)
/* Any of them: the exit has facts to read. */
#define IOR_CONF_FD_FACTS (IOR_CONF_INODES | 7u << 25 | 7u << 28)
/* __O_TMPFILE, the bit every architecture's O_TMPFILE has */
#define IOR_O_TMPFILE_BIT 020000000u
#define IOR_CONF(nargs, strings) \
	(IOR_CONF_TRACED | ((nargs) & 7u) << 1 | ((strings) & 0xffu) << 8)

/* Values of the scope map (thread group id -> state). */
#define IOR_SCOPE_TRACED 1      /* trace this process */
#define IOR_SCOPE_ARMED 2       /* trace it from its next exec */

/* Processes whose syscalls are never traced: ior-capture's own pipeline. */
#define IOR_EXCLUDED_MAX 16

/* How many bytes of one string argument the kernel copies. */
#define IOR_PATH_CAP 4096

#endif /* IOR_BPF_H */
