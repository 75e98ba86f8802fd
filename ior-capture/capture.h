/* SPDX-License-Identifier: MIT */
/* capture.h - the parts of ior-capture, shared between its files. */
#ifndef IOR_CAPTURE_H
#define IOR_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ior.bpf.h"
#include "stream.h"

/* What -e selected, resolved against the running kernel. */
struct selection {
	uint32_t conf[IOR_NR_MAX];      /* syscall_conf for the BPF program */
	uint8_t family[IOR_NR_MAX];
	bool wanted[IOR_NR_MAX];        /* selected, whether or not present */
	unsigned traced, missing;
	char missing_names[512];        /* for the note on stderr */
	/*
	 * io_uring operations traced, by opcode: those of a selected family,
	 * every one when io_uring_enter is selected; none when the kernel
	 * has no io_uring tracepoints (uring_missing).  Without any, the
	 * io_uring programs are not loaded.
	 */
	uint8_t uring[IOR_URING_OP_MAX];
	bool uring_missing, uring_any;
	bool uring_submit_sqe;  /* the submit tracepoint's name before 6.4 */
};

/*
 * Parse an -e list (NULL: the default families) and look every selected
 * syscall up in tracefs for its argument count and string arguments.
 * Exits 2 on an unknown name.
 */
void selection_build(struct selection *sel, const char *list);
/* One IOR_SYSCALL_NAME record per selected syscall. */
void selection_write(const struct selection *sel, struct stream_writer *w);
/* Mount tracefs if no tracing directory is visible; its path. */
const char *tracefs_dir(void);

/* Who the snapshot covers. */
struct scope {
	pid_t *pids;            /* -p targets, or the launched command */
	size_t npids;
	bool follow;            /* and their descendants */
	pid_t tid;              /* -t */
	const char *comm;       /* -n */
	pid_t self;
	const pid_t *excluded;  /* the pipeline around us */
	size_t nexcluded;
};

/*
 * Write IOR_PROCESS and IOR_FD records for every process in scope, then
 * IOR_SNAPSHOT_END.  Processes that vanish while being read are skipped.
 * With follow set, descendants found are appended to sc->pids (realloc'd).
 */
void snapshot_write(struct scope *sc, struct stream_writer *w);
/* The descendants of sc->pids at this moment, appended to sc->pids. */
void scope_add_descendants(struct scope *sc);

/*
 * The processes downstream of fd: those reading the pipe it writes to, and
 * recursively the readers of their standard output.  Up to max pids are
 * stored in out; returns the count.
 */
size_t pipeline_readers(int fd, pid_t self, pid_t *out, size_t max);

/*
 * Open the file of -o for writing: created 0600; an existing file only if
 * it is a regular file of the caller's (not a symbolic link).  Exits 1 with
 * one line otherwise.  Returns the fd (close-on-exec).
 */
int outfile_open(const char *path);

/*
 * Give up every capability, set no_new_privs and make the process
 * undumpable; with drop_root, and running as root, become nobody too.
 * Exits 1 if any of it fails: a capture never runs on with privileges it
 * meant to drop.
 */
void privilege_drop(bool drop_root);

/* The BPF ring buffer, mapped (ring.c). */
struct ring {
	unsigned long *consumer;        /* written by us */
	const unsigned long *producer;  /* then the data */
	const unsigned char *data;
	size_t page, size, mask;
};

/* Map the ring of map_fd, of size bytes (a power of two); exits on error. */
void ring_open(struct ring *r, int map_fd, size_t size);
void ring_close(struct ring *r);
/*
 * Copy every complete record in the ring to out, counting them in
 * *records; returns the bytes copied.
 */
uint64_t ring_drain(struct ring *r, struct stream_writer *out,
		    uint64_t *records);

#endif /* IOR_CAPTURE_H */
