/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "uring.h"

/*
 * In opcode order (include/uapi/linux/io_uring.h); the names are the
 * kernel's own (io_uring/opdef.c), lower-cased, after "io_uring:".
 */
static const struct {
	const char *name;
	enum ior_family family;
	bool path;              /* carries a path (IOR_URING_SUBMIT string 1) */
} ops[] = {
	{ "io_uring:nop", IOR_FAMILY_OTHER },
	{ "io_uring:readv", IOR_FAMILY_READ },
	{ "io_uring:writev", IOR_FAMILY_WRITE },
	{ "io_uring:fsync", IOR_FAMILY_SYNC },
	{ "io_uring:read_fixed", IOR_FAMILY_READ },
	{ "io_uring:write_fixed", IOR_FAMILY_WRITE },
	{ "io_uring:poll_add", IOR_FAMILY_POLL },
	{ "io_uring:poll_remove", IOR_FAMILY_POLL },
	{ "io_uring:sync_file_range", IOR_FAMILY_SYNC },
	{ "io_uring:sendmsg", IOR_FAMILY_NET },
	{ "io_uring:recvmsg", IOR_FAMILY_NET },
	{ "io_uring:timeout", IOR_FAMILY_OTHER },
	{ "io_uring:timeout_remove", IOR_FAMILY_OTHER },
	{ "io_uring:accept", IOR_FAMILY_NET },
	{ "io_uring:async_cancel", IOR_FAMILY_OTHER },
	{ "io_uring:link_timeout", IOR_FAMILY_OTHER },
	{ "io_uring:connect", IOR_FAMILY_NET },
	{ "io_uring:fallocate", IOR_FAMILY_ATTR },
	{ "io_uring:openat", IOR_FAMILY_OPEN, true },
	{ "io_uring:close", IOR_FAMILY_CLOSE },
	{ "io_uring:files_update", IOR_FAMILY_OTHER },
	{ "io_uring:statx", IOR_FAMILY_STAT, true },
	{ "io_uring:read", IOR_FAMILY_READ },
	{ "io_uring:write", IOR_FAMILY_WRITE },
	{ "io_uring:fadvise", IOR_FAMILY_ATTR },
	{ "io_uring:madvise", IOR_FAMILY_MMAP },
	{ "io_uring:send", IOR_FAMILY_NET },
	{ "io_uring:recv", IOR_FAMILY_NET },
	{ "io_uring:openat2", IOR_FAMILY_OPEN, true },
	{ "io_uring:epoll_ctl", IOR_FAMILY_POLL },
	{ "io_uring:splice", IOR_FAMILY_TRANSFER },
	{ "io_uring:provide_buffers", IOR_FAMILY_OTHER },
	{ "io_uring:remove_buffers", IOR_FAMILY_OTHER },
	{ "io_uring:tee", IOR_FAMILY_TRANSFER },
	{ "io_uring:shutdown", IOR_FAMILY_NET },
	{ "io_uring:renameat", IOR_FAMILY_NAMESPACE },
	{ "io_uring:unlinkat", IOR_FAMILY_NAMESPACE },
	{ "io_uring:mkdirat", IOR_FAMILY_DIR },
	{ "io_uring:symlinkat", IOR_FAMILY_NAMESPACE },
	{ "io_uring:linkat", IOR_FAMILY_NAMESPACE },
	{ "io_uring:msg_ring", IOR_FAMILY_OTHER },
	{ "io_uring:fsetxattr", IOR_FAMILY_XATTR },
	{ "io_uring:setxattr", IOR_FAMILY_XATTR },
	{ "io_uring:fgetxattr", IOR_FAMILY_XATTR },
	{ "io_uring:getxattr", IOR_FAMILY_XATTR },
	{ "io_uring:socket", IOR_FAMILY_NET },
	{ "io_uring:uring_cmd", IOR_FAMILY_OTHER },
	{ "io_uring:send_zc", IOR_FAMILY_NET },
	{ "io_uring:sendmsg_zc", IOR_FAMILY_NET },
	{ "io_uring:read_multishot", IOR_FAMILY_READ },
	{ "io_uring:waitid", IOR_FAMILY_PROCESS },
	{ "io_uring:futex_wait", IOR_FAMILY_OTHER },
	{ "io_uring:futex_wake", IOR_FAMILY_OTHER },
	{ "io_uring:futex_waitv", IOR_FAMILY_OTHER },
	{ "io_uring:fixed_fd_install", IOR_FAMILY_FD },
	{ "io_uring:ftruncate", IOR_FAMILY_ATTR },
	{ "io_uring:bind", IOR_FAMILY_NET },
	{ "io_uring:listen", IOR_FAMILY_NET },
	{ "io_uring:recv_zc", IOR_FAMILY_NET },
	{ "io_uring:epoll_wait", IOR_FAMILY_POLL },
	{ "io_uring:readv_fixed", IOR_FAMILY_READ },
	{ "io_uring:writev_fixed", IOR_FAMILY_WRITE },
	{ "io_uring:pipe", IOR_FAMILY_FDNEW },
};

const char *
uring_op_name(unsigned opcode)
{
	return opcode < sizeof(ops) / sizeof(ops[0]) ? ops[opcode].name : NULL;
}

enum ior_family
uring_op_family(unsigned opcode)
{
	return opcode < sizeof(ops) / sizeof(ops[0]) ? ops[opcode].family :
	       IOR_FAMILY_OTHER;
}

bool
uring_op_has_path(unsigned opcode)
{
	return opcode < sizeof(ops) / sizeof(ops[0]) && ops[opcode].path;
}

unsigned
uring_op_count(void)
{
	return sizeof(ops) / sizeof(ops[0]);
}
