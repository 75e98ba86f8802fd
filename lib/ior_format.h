/* SPDX-License-Identifier: MIT */
/*
 * ior_format.h - the ior record stream, version 1.2.  This header is the
 * normative specification; docs/format.md explains it in prose.  It is
 * included by the BPF program as well as by user space, so it may use only
 * <linux/types.h> types.
 *
 * A stream is a sequence of sections.  A section is a section header
 * followed by records and, on a clean end, a trailer.  Streams may be
 * concatenated: a section header at a record boundary starts a new section.
 *
 * Framing rules (every record, every version):
 *  - Every record starts with struct ior_record: a 16-bit type, a 16-bit
 *    type-specific "misc" field and a 32-bit size.  The size counts the whole
 *    record including its frame, is a multiple of 8, at least 8 and at most
 *    IOR_RECORD_MAX.  Records are therefore 8-byte aligned in the stream.
 *  - The one exception is the section header, whose first 8 bytes are the
 *    magic instead of a frame; a reader recognises it by those bytes.
 *  - All padding, named or trailing, is written as zero bytes, so a stream
 *    is byte-reproducible from its content.
 *  - Readers skip records of unknown type by their size.
 *  - Fields are only ever appended to a record (a minor version bump).  A
 *    reader takes the fields it knows and ignores the rest of the size; a
 *    field beyond a short record's size reads as zero.  Records that carry
 *    strings say where the strings start (str_off), so appended fixed fields
 *    go before the strings and old readers still find them.
 *  - Integers are in the producer's byte order, announced by the section
 *    header's byte_order sentinel.  Readers refuse a foreign byte order.
 *
 * Strings are bytes, not text: no NUL terminator, no encoding assumed.  Each
 * is a struct ior_string (4 bytes) followed by len bytes; the next string
 * starts at the following 4-byte boundary.  After the last string the record
 * is zero-padded to its size.  A string is at most IOR_STRING_MAX bytes
 * (a producer cuts a longer source and flags it IOR_STRING_TRUNCATED) and
 * lies wholly within its record: readers report a longer string, or one
 * that runs past its record's size, as damage, so no consumer sees one.
 *
 * Times are nanoseconds of the clock named in the section header (the
 * kernel's CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns()).  The header's
 * anchor pair converts them to wall-clock time:
 *     realtime = anchor_realtime_ns + (time_ns - anchor_clock_ns)
 */
#ifndef IOR_FORMAT_H
#define IOR_FORMAT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IOR_VERSION_MAJOR 1
#define IOR_VERSION_MINOR 2

/*
 * The magic, as in PNG: a high-bit byte catches 7-bit channels, CR LF and
 * LF catch line-ending conversion, ^Z stops a DOS "type".
 */
#define IOR_MAGIC "\x89IOR\r\n\x1a\n"
#define IOR_MAGIC_LEN 8
#define IOR_BYTE_ORDER 0x01020304u

#define IOR_RECORD_MAX (1u << 20)   /* largest legal record size */
#define IOR_STRING_MAX 4096         /* longest legal string */
#define IOR_ARGS_MAX 6              /* most arguments of an enter record */
#define IOR_COMM_LEN 16             /* the kernel's TASK_COMM_LEN */

struct ior_record {
	__u16 type;     /* enum ior_record_type */
	__u16 misc;     /* type-specific, see each record */
	__u32 size;     /* whole record in bytes, multiple of 8 */
};

struct ior_string {
	__u16 len;      /* bytes that follow (no NUL) */
	__u8 flags;     /* IOR_STRING_* */
	__u8 tag;       /* what the string is: see each record */
};

enum ior_string_flags {
	IOR_STRING_TRUNCATED = 1 << 0,  /* the source was longer than len */
	IOR_STRING_FAULT = 1 << 1,      /* the source could not be read */
};

/*
 * Record types.  Ranges: 0x00xx stream and context records, 0x01xx raw
 * events from the kernel, 0x02xx paired records, 0x03xx aggregate records.
 * IOR_TYPE_RESERVED can never be a type: those are the first bytes of the
 * magic; readers report a record of that type as damage.
 */
#define IOR_TYPE_RESERVED 0x4989u
enum ior_record_type {
	IOR_SYSCALL_NAME = 0x0001,
	IOR_PROCESS = 0x0002,
	IOR_FD = 0x0003,
	IOR_SNAPSHOT_END = 0x0004,
	IOR_LOSS = 0x0005,
	IOR_TRAILER = 0x0006,
	IOR_MISS = 0x0007,               /* 1.1 */

	IOR_SYSCALL_ENTER = 0x0101,
	IOR_SYSCALL_EXIT = 0x0102,
	IOR_TASK_NEW = 0x0103,
	IOR_EXEC = 0x0104,
	IOR_TASK_EXIT = 0x0105,
	IOR_COMM = 0x0106,
	IOR_SYSCALL_STRINGS = 0x0107,    /* 1.1 */
	IOR_URING_SUBMIT = 0x0108,       /* 1.2 */
	IOR_URING_COMPLETE = 0x0109,     /* 1.2 */
	IOR_SYSCALL_INODES = 0x010C,     /* 1.2 */
	IOR_SYSCALL_SOCKADDR = 0x010D,   /* 1.2 */

	IOR_NAME = 0x0201,
	IOR_PAIR = 0x0202,
	IOR_PAIR_TOTALS = 0x0203,
	IOR_FILTER = 0x0204,             /* 1.1 */

	IOR_AGG_BEGIN = 0x0301,
	IOR_AGG_STAT = 0x0302,
	IOR_AGG_NODE = 0x0303,
	IOR_AGG_END = 0x0304,
};

/*
 * Section header.  First record of every section.  Strings, in order, with
 * these tags: IOR_HDR_TOOL (producing tool), IOR_HDR_CMDLINE (its argv joined
 * by NUL bytes), IOR_HDR_HOSTNAME, IOR_HDR_KERNEL_RELEASE (uname -r),
 * IOR_HDR_KERNEL_VERSION (uname -v), IOR_HDR_MACHINE (uname -m).  Readers
 * look strings up by tag, not by position.
 *
 *	offset	field
 *	0	magic[8]
 *	8	byte_order	IOR_BYTE_ORDER in the producer's order
 *	12	size		whole record, multiple of 8
 *	16	version_major	a reader refuses a major it does not know
 *	18	version_minor	a newer minor only appends
 *	20	str_off		offset of the first string
 *	22	nstrings
 *	24	clock_id	CLOCK_MONOTONIC (1) for kernel timestamps
 *	28	producer_pid
 *	32	anchor_clock_ns	the clock at the moment of...
 *	40	anchor_realtime_ns	...this CLOCK_REALTIME reading
 *	48	strings
 */
struct ior_section {
	__u8 magic[IOR_MAGIC_LEN];
	__u32 byte_order;
	__u32 size;
	__u16 version_major;
	__u16 version_minor;
	__u16 str_off;
	__u16 nstrings;
	__u32 clock_id;
	__u32 producer_pid;
	__u64 anchor_clock_ns;
	__u64 anchor_realtime_ns;
};

enum ior_section_string {
	IOR_HDR_TOOL = 1,
	IOR_HDR_CMDLINE = 2,
	IOR_HDR_HOSTNAME = 3,
	IOR_HDR_KERNEL_RELEASE = 4,
	IOR_HDR_KERNEL_VERSION = 5,
	IOR_HDR_MACHINE = 6,
};

/*
 * IOR_SYSCALL_NAME: one entry of the syscall number -> name table, written
 * before any event that uses the number.  misc: 0.
 *	8	nr		syscall number on this machine
 *	12	nargs		argument count the kernel declares
 *	13	family		enum ior_family of ior's classification
 *	14	path_args	bit i set: argument i is a path string
 *	15	flags		IOR_SYSNAME_*
 *	16	str_off, nstrings (1 string, tag 0: the name)
 */
struct ior_syscall_name {
	struct ior_record header;
	__u32 nr;
	__u8 nargs;
	__u8 family;
	__u8 path_args;
	__u8 flags;
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};

enum ior_sysname_flags {
	IOR_SYSNAME_TRACED = 1 << 0,    /* selected and attached */
	IOR_SYSNAME_MISSING = 1 << 1,   /* selected, the kernel lacks it */
};

/* Syscall families, as -e %family selects them. */
enum ior_family {
	IOR_FAMILY_OTHER = 0,
	IOR_FAMILY_OPEN,        /* open, openat, openat2, creat, name_to_handle */
	IOR_FAMILY_CLOSE,       /* close, close_range */
	IOR_FAMILY_READ,        /* read, pread64, readv, preadv, preadv2 */
	IOR_FAMILY_WRITE,       /* write, pwrite64, writev, pwritev, pwritev2 */
	IOR_FAMILY_TRANSFER,    /* sendfile, splice, tee, copy_file_range */
	IOR_FAMILY_FD,          /* dup, dup2, dup3, fcntl, ioctl, flock */
	IOR_FAMILY_SEEK,        /* lseek */
	IOR_FAMILY_SYNC,        /* fsync, fdatasync, sync, syncfs, sync_file_range */
	IOR_FAMILY_STAT,        /* stat family, access, readlink, statfs */
	IOR_FAMILY_DIR,         /* getdents, mkdir, rmdir, chdir, fchdir, getcwd */
	IOR_FAMILY_NAMESPACE,   /* unlink, rename, link, symlink, mknod families */
	IOR_FAMILY_ATTR,        /* chmod, chown, utime, truncate, fallocate, fadvise */
	IOR_FAMILY_XATTR,       /* setxattr, getxattr, listxattr, removexattr families */
	IOR_FAMILY_MMAP,        /* mmap, munmap, msync, madvise of files */
	IOR_FAMILY_NET,         /* socket, connect, accept, send, recv ... */
	IOR_FAMILY_POLL,        /* poll, select, epoll_* */
	IOR_FAMILY_PROCESS,     /* execve, exit_group, clone ... (noreturn aware) */
	IOR_FAMILY_FDNEW,       /* pipe, socket, eventfd, memfd_create ... */
	IOR_FAMILY_COUNT
};

/*
 * IOR_PROCESS: a process in scope at capture start, from /proc.  misc: 0.
 * Strings: tag IOR_PROC_EXE (readlink of /proc/PID/exe), IOR_PROC_CWD,
 * IOR_PROC_CMDLINE (argv joined by NUL bytes).
 */
struct ior_process {
	struct ior_record header;
	__u64 time_ns;          /* when /proc was read */
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 nthreads;
	__u8 comm[IOR_COMM_LEN];        /* NUL-padded */
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};

enum ior_process_string {
	IOR_PROC_EXE = 1,
	IOR_PROC_CWD = 2,
	IOR_PROC_CMDLINE = 3,
};

/*
 * IOR_FD: an open file descriptor of a process in scope at capture start.
 * misc: 0.  One string, tag 0: the link target of /proc/PID/fd/FD ("pipe:[N]",
 * "socket:[N]", "anon_inode:[...]" for non-files).
 */
struct ior_fd {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__s32 fd;
	__u32 flags;            /* O_* flags from /proc/PID/fdinfo/FD */
	__u32 reserved;
	__u64 pos;              /* file position from fdinfo */
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved2;
};

/* IOR_SNAPSHOT_END: the start-of-capture snapshot is complete.  misc: 0. */
struct ior_snapshot_end {
	struct ior_record header;
	__u64 time_ns;
	__u32 processes;
	__u32 fds;
};

/*
 * IOR_SYSCALL_ENTER: a traced thread entered a syscall.  misc: the syscall
 * number.  The args start at offset 32; strings at str_off.  Each string's
 * tag is the index of the argument it was read from (a path or a name).
 *
 *	0	header
 *	8	time_ns
 *	16	pid		thread group id
 *	20	tid
 *	24	nargs		count of args[] (the syscall's declared count),
 *				at most IOR_ARGS_MAX as for the kernel; more is
 *				damage
 *	25	nstrings
 *	26	str_off
 *	28	reserved
 *	32	args[nargs]	raw register values
 *	str_off	strings
 */
struct ior_syscall_enter {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u8 nargs;
	__u8 nstrings;
	__u16 str_off;
	__u32 reserved;
	/* __u64 args[nargs] follow, then the strings */
};

/*
 * IOR_SYSCALL_EXIT: a traced thread left a syscall.  misc: the syscall
 * number.  For rt_sigreturn (1.1), whose exit the kernel reports with
 * no syscall number, ret is the value the signal frame put back in the
 * return register: -EINTR (-4) when the call the signal interrupted fails
 * with EINTR, its syscall number when it is restarted.
 * 32 bytes; 40 when the syscall filled an array of two fds (pipe, pipe2,
 * socketpair) and it succeeded: the fds follow, read from
 * user memory at exit.  A reader tells by the record's size.
 */
struct ior_syscall_exit {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__s64 ret;              /* raw return value: -4095..-1 is -errno */
};

struct ior_syscall_exit_fds {
	struct ior_syscall_exit exit;
	__s32 fds[2];           /* -1 when they could not be read */
};

/*
 * IOR_TASK_NEW: a traced thread created a task (fork, vfork, clone, clone3).
 * misc: 0.  Written in the parent's context; a new thread has child_pid ==
 * parent_pid.  The child's fd table is shared when CLONE_FILES is set.
 */
struct ior_task_new {
	struct ior_record header;
	__u64 time_ns;
	__u32 parent_pid;
	__u32 parent_tid;
	__u32 child_pid;
	__u32 child_tid;
	__u64 clone_flags;
	__u8 comm[IOR_COMM_LEN];
};

/*
 * IOR_EXEC: a traced process executed a new program.  misc: 0.  One string,
 * tag 0: the filename as given to execve.  old_tid is the thread that called
 * execve (it takes over the thread group id).
 */
struct ior_exec {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 old_tid;
	__u8 comm[IOR_COMM_LEN];        /* the comm after exec */
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};

/*
 * IOR_TASK_EXIT: a traced thread exited.  misc: 1 when it was the last
 * thread of its process (the process and its fd table are gone).
 */
struct ior_task_exit {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__s32 exit_code;        /* as wait(2) reports it */
	__u32 reserved;
};

/* IOR_COMM: a traced thread changed its comm (prctl, /proc/.../comm). */
struct ior_comm {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u8 comm[IOR_COMM_LEN];
};

/*
 * IOR_SYSCALL_STRINGS (1.1): strings of a syscall's arguments that the
 * enter record could not read (IOR_STRING_FAULT: the page was not resident
 * yet), read again at the syscall's exit, when the syscall itself has
 * brought the page in.  misc: the syscall number.  Written just before the
 * exit record of the same thread; only for arguments whose enter string
 * had IOR_STRING_FAULT.  A reader replaces the enter's string of the same
 * tag with this one.  Layout as IOR_SYSCALL_ENTER without the args.
 *
 *	8	time_ns		when the strings were read (the exit)
 *	16	pid, tid
 *	24	nstrings
 *	25	reserved
 *	26	str_off		32
 *	28	reserved2
 *	32	strings		tag: the argument index
 */
struct ior_syscall_strings {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u8 nstrings;
	__u8 reserved;
	__u16 str_off;
	__u32 reserved2;
};

/*
 * io_uring (1.2).  An io_uring operation never enters a syscall of its own:
 * the kernel takes it from the submission ring (in io_uring_enter, or in
 * an SQPOLL thread) and completes it later, maybe in an io-wq worker
 * thread.  Each operation is an IOR_URING_SUBMIT and an IOR_URING_COMPLETE
 * record, joined by (ring, req), the kernel addresses of the ring and of
 * the request; ior-pair turns them into one IOR_PAIR whose syscall number
 * is IOR_URING_NR_BASE + the opcode.  The capture writes an
 * IOR_SYSCALL_NAME record for each such number ("io_uring:read",
 * "io_uring:openat", ...), so readers name them as any syscall.  The
 * opcodes are the kernel's ABI (IORING_OP_*), so a number means the same
 * operation in every stream.  A request address is reused once the
 * request is done: a submit for a (ring, req) still in flight replaces it.
 */
#define IOR_URING_NR_BASE 768   /* above every syscall number (< 512) */
#define IOR_URING_OP_MAX 256    /* opcodes are 8 bits */

/*
 * IOR_URING_SUBMIT (1.2): a request was submitted.  misc: the opcode.  Laid
 * out as IOR_SYSCALL_ENTER, with the ring fields between the fixed part
 * and the arguments, so an operation reads as a call:
 *
 *	8	time_ns		submission
 *	16	pid, tid	the process and thread that submitted it: for an
 *				SQPOLL ring, the ring's creator, not the kernel
 *				thread that took it from the ring
 *	24	nargs		IOR_URING_ARGS
 *	25	nstrings
 *	26	str_off
 *	28	flags		IOR_URING_*
 *	32	ring		the ring (struct io_ring_ctx address)
 *	40	req		the request (struct io_kiocb address)
 *	48	user_data	the submitter's tag, as the completion carries it
 *	56	args[nargs]	[0] the fd (openat: the dirfd; a fixed file: the
 *				process fd of the same open file, -1 when none
 *				is), [1] the fixed-file index (-1 none), [2]
 *				the open flags (openat, openat2), else 0
 *	str_off	strings		tag 1: the path (openat, openat2, statx, ...)
 */
#define IOR_URING_ARGS 3

struct ior_uring_submit {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u8 nargs;
	__u8 nstrings;
	__u16 str_off;
	__u32 flags;
	__u64 ring;
	__u64 req;
	__u64 user_data;
	/* __u64 args[nargs] follow, then the strings */
};

enum ior_uring_flags {
	IOR_URING_FIXED = 1 << 0,       /* a registered (fixed) file */
	IOR_URING_SQPOLL = 1 << 1,      /* taken from the ring by its SQPOLL
					   thread */
	IOR_URING_FORCE_ASYNC = 1 << 2, /* IOSQE_ASYNC: run in io-wq */
	IOR_URING_LINK = 1 << 3,        /* IOSQE_IO_LINK or IOSQE_IO_HARDLINK */
	IOR_URING_DIRECT = 1 << 4,      /* the result is a direct descriptor
					   (a fixed-file slot), not an fd:
					   openat, openat2, accept given a
					   file_index */
};

/*
 * IOR_URING_COMPLETE (1.2): a request completed (its CQE was posted).
 * misc: the opcode.  Written only for requests whose submit was in scope.
 *
 *	8	time_ns		completion
 *	16	pid, tid	the submitter, as in its IOR_URING_SUBMIT
 *	24	ring, req
 *	40	res		the CQE's result: -errno, or bytes, or an fd
 *	44	cflags		the CQE's flags; IORING_CQE_F_MORE (2): more
 *				completions of this request follow (multishot)
 *	48	exec_tid	the thread that completed it (an io-wq worker,
 *				the submitter, ...)
 *	52	reserved
 */
struct ior_uring_complete {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u64 ring;
	__u64 req;
	__s32 res;
	__u32 cflags;
	__u32 exec_tid;
	__u32 reserved;
};

#define IOR_URING_CQE_F_MORE 2u

/*
 * IOR_SYSCALL_INODES (1.2): the inodes of the files behind the fds a
 * syscall made, read from the thread's fd table at the syscall's exit.
 * Written just before the exit record of the same thread, only when the
 * syscall succeeded and only for calls whose fds have no path to tell
 * them apart: pipe, pipe2 and socketpair (both fds), socket, and an open
 * with O_TMPFILE (the fd it returned).  misc: the syscall number.  A
 * reader names a pipe "pipe:[INO]" and a socket "socket:[INO]", as
 * /proc/PID/fd shows them, and an O_TMPFILE file "DIR/#INO" (the kernel's
 * name for it, without its " (deleted)").  48 bytes.
 *
 *	8	time_ns		the exit
 *	16	pid, tid
 *	24	fd[2]		the fds, -1 for none (one-fd calls: fd[1])
 *	32	ino[2]		their inode numbers, 0 when unreadable
 */
struct ior_syscall_inodes {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__s32 fd[2];
	__u64 ino[2];
};

/*
 * IOR_SYSCALL_SOCKADDR (1.2): a socket address a syscall took or gave:
 * connect's and bind's (read at the enter, written just after the enter
 * record), accept's and accept4's peer (read at the exit, which fills it,
 * and written just before the exit record).  misc: the syscall number.
 * The address is the struct sockaddr as the program's memory held it:
 * len bytes of it (at most IOR_SOCKADDR_MAX, and for accept at most the
 * caller's buffer), zero-padded to the record's size.
 *
 *	8	time_ns
 *	16	pid, tid
 *	24	addrlen		the length the call gave or returned
 *	28	len		bytes of the address that follow
 *	30	arg		the argument index it was read from
 *	31	flags		IOR_STRING_FAULT: could not be read (len 0);
 *				IOR_STRING_TRUNCATED: addrlen > len
 *	32	socktype	SOCK_STREAM, SOCK_DGRAM ... of the socket
 *				(argument 0), from the kernel; 0 unknown.  A
 *				sockaddr says the address family, not tcp
 *				or udp.
 *	34	reserved[3]
 *	40	addr[len]
 */
#define IOR_SOCKADDR_MAX 128    /* sizeof(struct sockaddr_storage) */
struct ior_syscall_sockaddr {
	struct ior_record header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u32 addrlen;
	__u16 len;
	__u8 arg;
	__u8 flags;
	__u16 socktype;
	__u16 reserved[3];
	/* __u8 addr[len] follow */
};

/*
 * IOR_NAME: an interned string, defined once before the first record that
 * uses its id.  misc: enum ior_name_kind.  Ids are per section and per
 * kind, starting at 1; 0 means "none".  One string, tag 0.
 *
 * Ids may be sparse and come in any order: ior-pair numbers every string
 * it meets but defines only those a pair uses, when first used, so a
 * stream may define path 7 and never 1 to 6.  A reader's memory for names
 * therefore follows the names defined, never the largest id.  A later
 * definition of an id in the same section replaces the earlier one.  A
 * name record with id 0 or without its string is damage; one of a kind a
 * reader does not know is skipped.
 */
struct ior_name {
	struct ior_record header;
	__u32 id;
	__u16 str_off;
	__u16 nstrings;
};

enum ior_name_kind {
	IOR_NAME_PATH = 1,      /* a file's path, or "pipe:", "socket:" ... */
	IOR_NAME_COMM = 2,      /* a thread's comm */
};

/*
 * IOR_PAIR: one completed syscall, written by ior-pair when the exit is
 * seen.  misc: the syscall number.  Fixed size; strings are interned.
 *
 *	8	time_ns		enter time
 *	16	latency_ns	exit - enter
 *	24	gap_ns		enter - this thread's previous exit
 *	32	pid, tid
 *	40	ret		raw return value
 *	48	bytes		bytes moved (reads, writes, transfers)
 *	56	path_id		IOR_NAME_PATH: the file (source of a transfer)
 *	60	path2_id	the second file: rename target, transfer sink
 *	64	comm_id		IOR_NAME_COMM: the thread's comm at the time
 *	68	fd		the fd the syscall used or made, -1 if none
 *	72	flags		open flags of the file (O_*), as known
 *	76	err		errno, 0 on success and for restart codes
 *	78	family		enum ior_family
 *	79	pair_flags	IOR_PAIR_*
 *	80	seq		1, 2, ... in the order ior-pair wrote the pairs of
 *				this section; it stays with the pair through
 *				every filter, so a pair is found again by it.
 *				0: a 1.0 stream (80-byte pairs) has none.
 */
struct ior_pair {
	struct ior_record header;
	__u64 time_ns;
	__u64 latency_ns;
	__u64 gap_ns;
	__u32 pid;
	__u32 tid;
	__s64 ret;
	__u64 bytes;
	__u32 path_id;
	__u32 path2_id;
	__u32 comm_id;
	__s32 fd;
	__u32 flags;
	__u16 err;
	__u8 family;
	__u8 pair_flags;
	__u64 seq;              /* since 1.1 */
};

enum ior_pair_flags {
	IOR_PAIR_GAP_KNOWN = 1 << 0,    /* gap_ns is meaningful */
	IOR_PAIR_READ = 1 << 1,         /* bytes were read (path_id side) */
	IOR_PAIR_WRITE = 1 << 2,        /* bytes were written (path2_id side
					   for a transfer, else path_id) */
	IOR_PAIR_RESTART = 1 << 3,      /* restarted after a signal: time_ns is
					   the first attempt's enter, ret the
					   last attempt's */
	IOR_PAIR_NORETURN = 1 << 4,     /* no return to the caller: exit,
					   exit_group (ended by the task's exit),
					   execve (by the exec), rt_sigreturn */
	IOR_PAIR_FD_UNKNOWN = 1 << 5,   /* the fd was not in the fd table */
	IOR_PAIR_CWD_UNKNOWN = 1 << 6,  /* a relative path met a cwd not known
					   for certain: "<unknown cwd>/..." */
	IOR_PAIR_UNFINISHED = 1 << 7,   /* entered, never returned by the end
					   of the section: ret, err and bytes
					   are 0, latency_ns = trailer time -
					   enter.  Not a completed call:
					   counted in unmatched_enters, not
					   in pairs */
};

/*
 * IOR_PAIR_TOTALS: what ior-pair could not pair, written before its
 * trailer.  misc: 0.
 */
struct ior_pair_totals {
	struct ior_record header;
	__u64 pairs;
	__u64 unmatched_exits;  /* exit without its enter (began before
				   capture, or the enter was lost) */
	__u64 unmatched_enters; /* enter whose exit never came */
	__u64 lost;             /* events the kernel lost (input loss and,
				   from 1.1, program runs it skipped) */
	__u64 fd_unknown;       /* pairs on an fd the table did not know */
	__u64 missed;           /* 1.1: of lost, the runs the kernel skipped
				   (IOR_MISS records of the input) */
};

/*
 * IOR_LOSS: events the kernel could not deliver because the ring buffer was
 * full, counted per CPU.  misc: 0.  Written whenever a CPU's count grew;
 * lost_total is cumulative for that CPU since capture start, so a reader that
 * missed a loss record still learns the total from the next one.
 */
struct ior_loss {
	struct ior_record header;
	__u64 time_ns;          /* when the count was read */
	__u32 cpu;
	__u32 reserved;
	__u64 lost;             /* lost since the previous loss record of this cpu */
	__u64 lost_total;
};

/*
 * IOR_MISS (1.1): runs of a BPF program the kernel skipped.  The kernel
 * does not run a tracing program that is already running on the same CPU
 * (a probe hit inside the program itself, or from an interrupt while it
 * runs): the event is lost without reaching the ring buffer.  Counted per
 * program (recursion_misses of bpf_prog_info); written whenever a count
 * grew, like IOR_LOSS.  misc: 0.  One string, tag 0: the program's name.
 */
struct ior_miss {
	struct ior_record header;
	__u64 time_ns;          /* when the count was read */
	__u64 missed;           /* since the previous miss record of this program */
	__u64 missed_total;
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};

/*
 * IOR_FILTER: a filter (ior-grep) dropped pairs of this section.  Written by
 * the filter at the end of its output section, before the trailer; a
 * stream filtered twice carries one record per filter, the earlier first.
 * misc: 0.  One string, tag IOR_FILTER_EXPR: the expression as given.
 *
 *	8	seen		pairs the filter read in this section
 *	16	kept		pairs it wrote (seen - kept were dropped)
 *	24	str_off, nstrings
 */
struct ior_filter {
	struct ior_record header;
	__u64 seen;
	__u64 kept;
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};

enum ior_filter_string {
	IOR_FILTER_EXPR = 1,
};

/*
 * IOR_TRAILER: a clean end of the section.  misc: 0.  A reader that reaches
 * the end of input (or a new section header) without a trailer reports the
 * section as truncated.
 */
struct ior_trailer {
	struct ior_record header;
	__u64 time_ns;
	__u64 records;          /* records in this section before the trailer */
	__u64 events;           /* event records delivered by the kernel */
	__u64 lost;             /* events lost, all CPUs */
	__u32 reason;           /* enum ior_stop_reason */
	__s32 status;           /* launched command's wait status, else 0 */
	__u64 missed;           /* 1.1: program runs the kernel skipped, all
				   programs: the sum of the IOR_MISS records */
};

enum ior_stop_reason {
	IOR_STOP_END = 0,       /* end of input (filters) */
	IOR_STOP_SIGNAL = 1,    /* SIGINT or SIGTERM */
	IOR_STOP_DURATION = 2,  /* -d elapsed */
	IOR_STOP_COMMAND = 3,   /* the launched command exited */
	IOR_STOP_TARGET = 4,    /* every traced process exited */
};

/*
 * Aggregate records, written by ior-agg.  A snapshot is IOR_AGG_BEGIN, its
 * IOR_AGG_STAT and IOR_AGG_NODE records, then IOR_AGG_END.  A snapshot
 * covers the pairs since the previous snapshot of the same producer (all
 * of them when there is one snapshot), so snapshots add up: merging every
 * snapshot of a stream gives the aggregate of the whole input.  Strings
 * are inline; a snapshot does not depend on IOR_NAME records.
 *
 * IOR_AGG_BEGIN: misc: IOR_AGG_* flags.  Strings: tag IOR_AGG_STR_FIELDS,
 * the trie's fields joined by ';' ("comm;syscall;path"), and, from ior-agg
 * with fleet merging, tag IOR_AGG_STR_HOST: the host whose pairs the
 * snapshot holds (the hostname of the section header the pairs came in;
 * empty: a section that named none).  A snapshot without IOR_AGG_STR_HOST
 * is of the host its own section header names.  An aggregate of several
 * hosts is written as one snapshot per host, each but the last flagged
 * IOR_AGG_CONTINUED, so hosts stay apart through any number of merges.
 * (Old readers skip the string and the flag; no version change.)
 * Times are CLOCK_REALTIME ns, so snapshots from many hosts combine.
 *
 *	8	start_ns, end_ns	the span covered: the interval, or the
 *				first enter to the last exit
 *	24	pairs		pairs aggregated
 *	32	lost		events the kernel lost in the span
 *	40	unmatched_exits, unmatched_enters, fd_unknown (ior-pair's)
 *	64	sequence	1, 2, ... per producer
 *	68	interval_ms	0 unless periodic
 *	72	stats, nodes	counts of the records that follow
 *	80	max_nodes	the trie's node bound, 0 none
 *	84	weight		enum weight (below) the trie was pruned by
 *	85	reserved
 *	86	str_off, nstrings
 */
struct ior_agg_begin {
	struct ior_record header;
	__u64 start_ns;
	__u64 end_ns;
	__u64 pairs;
	__u64 lost;
	__u64 unmatched_exits;
	__u64 unmatched_enters;
	__u64 fd_unknown;
	__u32 sequence;
	__u32 interval_ms;
	__u32 stats;
	__u32 nodes;
	__u32 max_nodes;
	__u8 weight;
	__u8 reserved;
	__u16 str_off;
	__u16 nstrings;
	__u16 reserved2[3];
};
enum ior_agg_flags {
	IOR_AGG_PERIODIC = 1 << 0,      /* one of a series (-i) */
	IOR_AGG_FINAL = 1 << 1,         /* the producer's last snapshot */
	IOR_AGG_TRUNCATED = 1 << 2,     /* its input ended without a trailer */
	IOR_AGG_CONTINUED = 1 << 3,     /* the next snapshot is of the same
					   span, another host's: a reader
					   that shows intervals waits for the
					   last */
};
enum ior_agg_string {
	IOR_AGG_STR_FIELDS = 1,
	IOR_AGG_STR_KEY = 2,            /* an IOR_AGG_STAT's key */
	IOR_AGG_STR_LABEL = 3,          /* an IOR_AGG_NODE's label */
	IOR_AGG_STR_HOST = 4,           /* an IOR_AGG_BEGIN's host */
};
/*
 * IOR_AGG_STAT: the statistics of one syscall, process, file or directory.
 * misc: enum ior_agg_kind.  One string, tag IOR_AGG_STR_KEY: the syscall
 * name, the process's comm, the path or the directory.  Then, at hist_off,
 * nerrno entries of struct ior_agg_errno, the latency histogram and the
 * gap histogram, each a struct ior_agg_hist followed by its nbuckets
 * non-empty buckets in increasing order (lib/hist.h defines the buckets).
 */
struct ior_agg_stat {
	struct ior_record header;
	__u64 count;
	__u64 errors;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 latency_sum, latency_min, latency_max;
	__u64 gap_count, gap_sum, gap_min, gap_max;
	__u32 pid;              /* IOR_AGG_PROCESS */
	__u16 nerrno;
	__u16 hist_off;
	__u16 str_off;
	__u16 nstrings;
	__u32 reserved;
};
enum ior_agg_kind {
	IOR_AGG_SYSCALL = 1,
	IOR_AGG_PROCESS = 2,
	IOR_AGG_FILE = 3,
	IOR_AGG_DIR = 4,
};
struct ior_agg_errno {
	__u16 err;
	__u16 reserved[3];
	__u64 count;
};
struct ior_agg_hist {
	__u32 nbuckets;
	__u32 reserved;
};
struct ior_agg_bucket {
	__u32 bucket;
	__u32 reserved;
	__u64 count;
};
/*
 * IOR_AGG_NODE: one node of the trie, in creation order (a parent before
 * its children); the root is node 0 and is not written, so the first
 * record is node 1.  misc: 0.  One string, tag IOR_AGG_STR_LABEL.  Totals
 * are the node's own, not its subtree's.
 */
struct ior_agg_node {
	struct ior_record header;
	__u32 parent;
	__u16 classes;          /* bit per enum syscall_class (below) */
	__u16 str_off;
	__u16 nstrings;
	__u16 reserved[3];
	__u64 count;
	__u64 errors;
	__u64 latency_ns;
	__u64 gap_ns;
	__u64 bytes_read;
	__u64 bytes_written;
};
/* IOR_AGG_END: the snapshot is complete.  misc: 0. */
struct ior_agg_end {
	struct ior_record header;
	__u32 sequence;
	__u32 reserved;
};

/*
 * What an aggregate's trie was pruned by (ior_agg_begin.weight): the
 * heaviest subtrees by this measure keep nodes of their own.
 */
enum weight {
	WEIGHT_COUNT,
	WEIGHT_LATENCY,
	WEIGHT_GAP,
	WEIGHT_BYTES,           /* read + written */
	WEIGHT_READ,
	WEIGHT_WRITE,
	WEIGHT_ERRORS,
	WEIGHT_N
};

/*
 * Syscall classes, for colours and legends: bit 1 << class of
 * ior_agg_node.classes is set when the node's subtree holds a call of it.
 */
enum syscall_class {
	CLASS_READ,
	CLASS_WRITE,
	CLASS_OPENCLOSE,
	CLASS_META,
	CLASS_SYNC,
	CLASS_OTHER,
	CLASS_ERROR,            /* the syscall failed, whatever its kind */
	CLASS_N
};

#define IOR_ALIGN8(n) (((n) + 7u) & ~7u)
#define IOR_ALIGN4(n) (((n) + 3u) & ~3u)

#endif /* IOR_FORMAT_H */
