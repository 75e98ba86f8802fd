/* SPDX-License-Identifier: MIT */
/*
 * floor - run a command with BPF programs that do nothing attached to the
 * syscall tracepoints: the overhead floor of any BPF syscall tracer.
 *
 *   floor raw COMMAND [ARG...]   on the raw sys_enter/sys_exit tracepoints
 *                                (every syscall: what ior-capture uses)
 *   floor tp COMMAND [ARG...]    on sys_{enter,exit}_{pread64,pwrite64}
 */
#include <err.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

int
main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "raw") && strcmp(argv[1], "tp")))
		errx(2, "usage: floor raw|tp COMMAND [ARG...]");
	bool raw = strcmp(argv[1], "raw") == 0;
	struct floor_bpf *skel = floor_bpf__open();
	if (!skel)
		errx(1, "cannot open the BPF object");
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj) {
		bool is_raw = strncmp(bpf_program__name(prog), "raw_", 4) == 0;
		bpf_program__set_autoload(prog, is_raw == raw);
	}
	if (floor_bpf__load(skel) || floor_bpf__attach(skel))
		errx(1, "cannot load or attach the BPF programs");
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		err(127, "%s", argv[2]);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		err(1, "waitpid");
	floor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
