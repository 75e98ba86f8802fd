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
