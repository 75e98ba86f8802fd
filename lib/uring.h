/* SPDX-License-Identifier: MIT */
/*
 * uring.h - io_uring opcodes as ior names them: the "syscall" an
 * io_uring operation is counted as (IOR_URING_NR_BASE + opcode, named
 * "io_uring:read" ...) and its family.  Opcodes are the kernel's ABI
 * (IORING_OP_*), so the table holds for every kernel; an opcode newer
 * than it is named "io_uring:op_N".  Strings returned are static.
 */
#ifndef IOR_URING_H
#define IOR_URING_H

#include <stdbool.h>

#include "ior_format.h"

/* "io_uring:read" for IORING_OP_READ, or NULL for an opcode it lacks. */
const char *uring_op_name(unsigned opcode);
/* The family an opcode's pairs count in (IOR_FAMILY_OTHER if none). */
enum ior_family uring_op_family(unsigned opcode);
/* Whether its submit record carries a path (openat, openat2, statx). */
bool uring_op_has_path(unsigned opcode);
/* Opcodes the table knows: 0 .. uring_op_count() - 1. */
unsigned uring_op_count(void);

#endif /* IOR_URING_H */
