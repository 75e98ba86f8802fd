/* SPDX-License-Identifier: GPL-2.0 */
/*
 * floor.bpf.c - BPF programs that do nothing, on the tracepoints ior and
 * its peers attach to: what merely switching them on costs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The raw syscall tracepoints ior-capture uses: every syscall. */
SEC("tp_btf/sys_enter")
int raw_enter(void *ctx)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int raw_exit(void *ctx)
{
	return 0;
}

/* Per-syscall tracepoints, as strace-like BPF tools use: the loops' two. */
SEC("tracepoint/syscalls/sys_enter_pread64")
int tp_enter_pread(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int tp_exit_pread(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pwrite64")
int tp_enter_pwrite(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pwrite64")
int tp_exit_pwrite(void *ctx)
{
	return 0;
}
