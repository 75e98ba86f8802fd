// SPDX-License-Identifier: GPL-2.0
/*
 * ior.bpf.c - the kernel half of ior-capture.
 *
 * Syscalls are caught on the raw syscall tracepoints (tp_btf/sys_enter and
 * sys_exit), not on the per-syscall syscalls:sys_enter_* events: measured
 * here, the per-syscall events cost 1.8x an untraced pread loop with empty
 * programs against 1.4x for tp_btf, because the kernel formats a perf record
 * before it runs the program.  The price is that every syscall runs the
 * program, which returns after one rodata load for untraced numbers.
 *
 * Records are written to the ring buffer in the wire format of
 * lib/ior_format.h, so user space copies them to the stream unchanged.
 * Nothing wakes the reader: it drains the ring on its own clock, which keeps
 * the wakeup cost off the traced thread.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "ior_format.h"
#include "ior.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by ior-capture before load. */
const volatile __u32 syscall_conf[IOR_NR_MAX];
const volatile __u32 self_tgid;
const volatile __u32 filter_pid;        /* 0: any */
const volatile __u32 filter_tid;        /* 0: any */
const volatile __u8 use_scope_map;      /* -f, or a launched command */
const volatile __u8 follow_forks;       /* new processes join the scope */
const volatile __u8 filter_comm_len;    /* 0: any comm */
const volatile char filter_comm[IOR_COMM_LEN];
/* rt_sigreturn's number when it is traced, else IOR_NR_MAX */
const volatile __u32 sigreturn_nr = IOR_NR_MAX;

/*
 * Set after load, once the pipeline around ior-capture is known: the
 * processes reading its output, which must not trace themselves.
 */
__u32 excluded_tgids[IOR_EXCLUDED_MAX];

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);          /* resized before load */
} events SEC(".maps");

/* Events the ring buffer had no room for, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Thread group ids in scope when use_scope_map is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} scope SEC(".maps");

/*
 * The scope map is asked twice per syscall of every process on the
 * machine, and a hash lookup is a good part of what a traced syscall
 * costs.  Each CPU remembers its last answer, good while no process has
 * joined or left the scope since (scope_changes counts those).  The
 * answer is one word, written in one store: the tgid, the count of
 * changes it was asked at (31 bits), whether it is traced.
 */
__u32 scope_changes;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scope_cache SEC(".maps");

static __always_inline void
scope_changed(void)
{
	__sync_fetch_and_add(&scope_changes, 1);
}

static __always_inline bool
scope_traced(__u32 tgid)
{
	__u32 zero = 0, changes = scope_changes & 0x7fffffff;
	__u64 *answer = bpf_map_lookup_elem(&scope_cache, &zero);
	__u64 asked = (__u64)tgid << 32 | changes << 1;
	__u8 *state;
	bool traced;

	if (answer) {
		__u64 last = *answer;

		if ((last & ~1ull) == asked)
			return last & 1;
	}
	state = bpf_map_lookup_elem(&scope, &tgid);
	traced = state && *state == IOR_SCOPE_TRACED;
	if (answer)
		*answer = asked | traced;
	return traced;
}

/*
 * Enter records with strings are built here, then copied to the ring with
 * their real size: two paths may each take IOR_PATH_CAP bytes.
 */
#define ARGS_END (sizeof(struct ior_syscall_enter) + 6 * 8)
#define STRING1_MAX_OFF ARGS_END
#define STRING2_MAX_OFF (STRING1_MAX_OFF + 4 + IOR_PATH_CAP)
#define SCRATCH_SIZE (STRING2_MAX_OFF + 4 + IOR_PATH_CAP + 16)

struct scratch {
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * A path on a page that is not resident cannot be read at sys_enter: a
 * BPF program may not fault the page in.  The syscall itself does, so the
 * same pointer reads at sys_exit.  The thread remembers the pointers of
 * the strings that failed, here, only when one failed: the exit of a
 * string syscall asks its task's storage (a pointer away, no hashing) and
 * finds nothing in the common case.
 */
struct refetch {
	__u64 ptr[2];
	__u8 tag[2];
	__u8 n;                 /* strings to read again, 0 none */
	__u8 reserved;
	__u32 nr;               /* the syscall they belong to */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct refetch);
} refetch SEC(".maps");

/* The exit's strings record is built here: not in the enter's scratch. */
#define XSTRING1_MAX_OFF sizeof(struct ior_syscall_strings)
#define XSTRING2_MAX_OFF (XSTRING1_MAX_OFF + 4 + IOR_PATH_CAP)
#define XSCRATCH_SIZE (XSTRING2_MAX_OFF + 4 + IOR_PATH_CAP + 16)

struct exit_scratch {
	__u8 buf[XSCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exit_scratch);
} exit_scratch SEC(".maps");

/* The syscall number and the six argument registers of the user regs. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARGS(regs, a) do { \
	a[0] = (regs)->di; a[1] = (regs)->si; a[2] = (regs)->dx; \
	a[3] = (regs)->r10; a[4] = (regs)->r8; a[5] = (regs)->r9; \
} while (0)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define SYSCALL_ARGS(regs, a) do { \
	a[0] = (regs)->orig_x0; \
	for (int i_ = 1; i_ < 6; i_++) a[i_] = (regs)->regs[i_]; \
} while (0)
#else
#error "ior: add this architecture's syscall number register"
#endif

static __always_inline void
count_loss(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

static __always_inline bool
comm_matches(const char *comm)
{
#pragma unroll
	for (int i = 0; i < IOR_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (comm[i] == '\0')
			return true;
	}
	return true;
}

static __always_inline bool
in_scope(__u32 tgid, __u32 tid, bool check_comm)
{
	if (tgid == self_tgid)
		return false;
#pragma unroll
	for (int i = 0; i < IOR_EXCLUDED_MAX; i++) {
		if (excluded_tgids[i] == 0)
			break;
		if (excluded_tgids[i] == tgid)
			return false;
	}
	if (filter_tid && tid != filter_tid)
		return false;
	if (filter_pid && tgid != filter_pid)
		return false;
	if (use_scope_map && !scope_traced(tgid))
		return false;
	if (check_comm && filter_comm_len) {
		char comm[IOR_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	return true;
}

static __always_inline bool
current_in_scope(__u64 *pid_tgid)
{
	*pid_tgid = bpf_get_current_pid_tgid();
	return in_scope(*pid_tgid >> 32, (__u32)*pid_tgid, true);
}

/*
 * Copy one user string to buf at off (a struct ior_string, then the bytes)
 * and return where the next string starts.  The bytes after the string are
 * zeroed so the record's padding is zero.
 */
static __always_inline __u32
put_string(__u8 *buf, __u32 off, __u32 max_off, const void *uptr, __u8 tag,
	   bool *fault)
{
	struct ior_string *s;
	long n;
	__u32 len;
	__u8 flags = 0;

	if (off > max_off)
		return off;
	s = (void *)(buf + off);
	n = bpf_probe_read_user_str(buf + off + 4, IOR_PATH_CAP, uptr);
	if (n <= 0) {
		len = 0;
		flags = IOR_STRING_FAULT;
		*fault = true;
	} else {
		len = n - 1;
		if (n >= IOR_PATH_CAP)
			flags = IOR_STRING_TRUNCATED;
	}
	len &= IOR_PATH_CAP - 1;
	s->len = len;
	s->flags = flags;
	s->tag = tag;
	*(__u64 *)(buf + off + 4 + len) = 0;
	return (off + 4 + len + 3) & ~3u;
}

/* Remember the strings of this enter that could not be read. */
static __always_inline void
remember_faults(__u32 nr, __u64 *args, __u32 strings, bool *fault)
{
	struct refetch *r;
	__u32 nstr = 0, n = 0;

	r = bpf_task_storage_get(&refetch, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!r)
		return;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (!(strings & (1u << i)))
			continue;
		/* NULL is no path to read again (utimensat's "the fd") */
		if (fault[nstr] && args[i] && n < 2) {
			r->ptr[n & 1] = args[i];
			r->tag[n & 1] = i;
			n++;
		}
		if (++nstr == 2)
			break;
	}
	r->nr = nr;
	r->n = n;
}

static __always_inline int
enter_with_strings(struct pt_regs *regs, __u64 pid_tgid, __u32 nr,
		   __u32 nargs, __u32 conf, __u64 *args)
{
	struct ior_syscall_enter *e;
	struct scratch *sc;
	__u32 zero = 0, off, size, nstr = 0, strings = IOR_CONF_STRINGS(conf);
	bool fault[2] = { false, false };

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	e = (void *)sc->buf;
	e->header.type = IOR_SYSCALL_ENTER;
	e->header.misc = nr;
	e->time_ns = bpf_ktime_get_ns();
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->nargs = nargs;
	e->reserved = 0;
#pragma unroll
	for (int i = 0; i < 6; i++)
		*(__u64 *)(sc->buf + sizeof(*e) + i * 8) = args[i];
	off = sizeof(*e) + nargs * 8;
	e->str_off = off;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (!(strings & (1u << i)))
			continue;
		if (nstr == 0)
			off = put_string(sc->buf, off, STRING1_MAX_OFF,
					 (const void *)args[i], i, &fault[0]);
		else
			off = put_string(sc->buf, off, STRING2_MAX_OFF,
					 (const void *)args[i], i, &fault[1]);
		if (++nstr == 2)
			break;
	}
	e->nstrings = nstr;
	size = (off + 7) & ~7u;
	if (size > SCRATCH_SIZE)
		return 0;
	e->header.size = size;
	if (bpf_ringbuf_output(&events, sc->buf, size, BPF_RB_NO_WAKEUP)) {
		count_loss();
		return 0;
	}
	if ((fault[0] || fault[1]) && !(conf & IOR_CONF_NOREREAD))
		remember_faults(nr, args, strings, fault);
	return 0;
}

/*
 * At the exit of a syscall whose enter could not read a string: read it
 * again and write an IOR_SYSCALL_STRINGS record ahead of the exit.
 */
static __always_inline void
exit_strings(__u64 pid_tgid, __u32 nr)
{
	struct refetch *r;
	struct ior_syscall_strings *s;
	struct exit_scratch *sc;
	__u32 zero = 0, off, size, n;
	bool fault[2] = { false, false };

	r = bpf_task_storage_get(&refetch, bpf_get_current_task_btf(), 0, 0);
	if (!r || r->n == 0)
		return;
	n = r->n;
	r->n = 0;
	if (r->nr != nr)
		return;         /* left by a call whose exit was not seen */
	sc = bpf_map_lookup_elem(&exit_scratch, &zero);
	if (!sc)
		return;
	s = (void *)sc->buf;
	s->header.type = IOR_SYSCALL_STRINGS;
	s->header.misc = nr;
	s->time_ns = bpf_ktime_get_ns();
	s->pid = pid_tgid >> 32;
	s->tid = (__u32)pid_tgid;
	s->reserved = 0;
	s->reserved2 = 0;
	s->str_off = sizeof(*s);
	off = put_string(sc->buf, sizeof(*s), XSTRING1_MAX_OFF,
			 (const void *)r->ptr[0], r->tag[0], &fault[0]);
	if (n > 1)
		off = put_string(sc->buf, off, XSTRING2_MAX_OFF,
				 (const void *)r->ptr[1], r->tag[1], &fault[1]);
	s->nstrings = n > 1 ? 2 : 1;
	size = (off + 7) & ~7u;
	if (size > XSCRATCH_SIZE)
		return;
	s->header.size = size;
	if (bpf_ringbuf_output(&events, sc->buf, size, BPF_RB_NO_WAKEUP))
		count_loss();
}

/*
 * Descriptors without a path.  A pipe, a socket or an O_TMPFILE file has
 * no name a syscall's arguments tell; the kernel tells them apart by
 * inode (/proc/PID/fd shows "pipe:[INO]").  At the exit the new fd is in
 * the thread's fd table: its file's inode number is read from there.
 */
static __always_inline struct file *
fd_file(__s32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt;
	struct file **fda, *file = NULL;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fda = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fda[fd]))
		return NULL;
	return file;
}

static __always_inline __u64
fd_inode(__s32 fd)
{
	struct file *file = fd_file(fd);

	return file ? BPF_CORE_READ(file, f_inode, i_ino) : 0;
}

/*
 * The type (SOCK_STREAM ...) of the socket behind fd, 0 if unknown.  A
 * socket's file keeps its struct socket in private_data; the call fails
 * with ENOTSOCK on any other file, and its pair names nothing then.
 */
static __always_inline __u16
fd_socktype(__s32 fd)
{
	struct file *file = fd_file(fd);
	struct socket *sock;

	if (!file)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	return sock ? BPF_CORE_READ(sock, type) : 0;
}

/* An IOR_SYSCALL_INODES record for fd0 and fd1 (-1: none). */
static __always_inline void
put_inodes(__u64 pid_tgid, __u32 nr, __s32 fd0, __s32 fd1)
{
	struct ior_syscall_inodes *in;

	in = bpf_ringbuf_reserve(&events, sizeof(*in), 0);
	if (!in) {
		count_loss();
		return;
	}
	in->header.type = IOR_SYSCALL_INODES;
	in->header.misc = nr;
	in->header.size = sizeof(*in);
	in->time_ns = bpf_ktime_get_ns();
	in->pid = pid_tgid >> 32;
	in->tid = (__u32)pid_tgid;
	in->fd[0] = fd0;
	in->fd[1] = fd1;
	in->ino[0] = fd_inode(fd0);
	in->ino[1] = fd_inode(fd1);
	bpf_ringbuf_submit(in, BPF_RB_NO_WAKEUP);
}

/*
 * An IOR_SYSCALL_SOCKADDR record: the sockaddr at uptr, addrlen bytes
 * long, of which the caller's buffer holds bufsize (accept writes no more
 * than that, and says the whole length).  The record is reserved at its
 * largest and framed at its real size: the reader of the ring copies
 * header.size bytes.
 */
static __always_inline void
put_sockaddr(__u64 pid_tgid, __u32 nr, __s32 sockfd, __u8 arg,
	     const void *uptr, __u32 addrlen, __u32 bufsize)
{
	struct {
		struct ior_syscall_sockaddr s;
		__u8 addr[IOR_SOCKADDR_MAX];
	} *rec;
	__u64 len = addrlen < bufsize ? addrlen : bufsize;

	if (len > IOR_SOCKADDR_MAX)
		len = IOR_SOCKADDR_MAX;

	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		count_loss();
		return;
	}
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	rec->s.header.type = IOR_SYSCALL_SOCKADDR;
	rec->s.header.misc = nr;
	rec->s.time_ns = bpf_ktime_get_ns();
	rec->s.pid = pid_tgid >> 32;
	rec->s.tid = (__u32)pid_tgid;
	rec->s.addrlen = addrlen;
	rec->s.arg = arg;
	rec->s.flags = addrlen > len ? IOR_STRING_TRUNCATED : 0;
	rec->s.socktype = fd_socktype(sockfd);
	rec->s.reserved[0] = rec->s.reserved[1] = rec->s.reserved[2] = 0;
	/* one register for the test and the read: the verifier sees both */
	asm volatile("" : "+r"(len));
	if (len == 0 || len > IOR_SOCKADDR_MAX ||
	    bpf_probe_read_user(rec->addr, len, uptr)) {
		len = 0;
		rec->s.flags = IOR_STRING_FAULT;
	}
	rec->s.len = len;
	rec->s.header.size = (sizeof(rec->s) + len + 7) & ~7u;
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
}

/* connect, bind: the address they were given, after their enter record. */
static __always_inline void
enter_sockaddr(__u64 pid_tgid, __u32 nr, __u32 conf, const __u64 *args)
{
	__u32 arg = IOR_CONF_SOCKADDR(conf) - 1;

	if (arg > 4)
		return;
	put_sockaddr(pid_tgid, nr, (__s32)args[0], arg,
		     (const void *)args[arg], (__u32)args[arg + 1],
		     (__u32)args[arg + 1]);
}

/*
 * accept's caller says its buffer's size in *addrlen, which the call
 * overwrites with the address's whole length: the size is read at the
 * enter, kept here for the exit.  nr is the syscall's number + 1, 0 none.
 */
struct accept_buf {
	__u32 nr;
	__u32 bufsize;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct accept_buf);
} accept_buf SEC(".maps");

static __always_inline void
enter_accept(__u32 nr, __u32 conf, const __u64 *args)
{
	__u32 arg = IOR_CONF_SOCKADDR(conf) - 1, bufsize;
	struct accept_buf *b;

	/* accept(fd, NULL, NULL) asks for no address */
	if (arg > 4 || !args[arg] || !args[arg + 1] ||
	    bpf_probe_read_user(&bufsize, sizeof(bufsize),
				(const void *)args[arg + 1]))
		return;
	b = bpf_task_storage_get(&accept_buf, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (b) {
		b->nr = nr + 1;
		b->bufsize = bufsize;
	}
}

/*
 * At accept's exit: the peer's address, at most the bytes the caller's
 * buffer holds.  Without the enter's size (the call began before the
 * capture) nothing is read: the buffer could be shorter than the address.
 */
static __always_inline void
exit_accept(__u64 pid_tgid, __u32 nr, __u32 conf, const __u64 *args,
	    long ret)
{
	__u32 arg = IOR_CONF_SOCKADDR(conf) - 1, addrlen = 0, bufsize;
	struct accept_buf *b;

	b = bpf_task_storage_get(&accept_buf, bpf_get_current_task_btf(), 0, 0);
	if (!b || b->nr != nr + 1)
		return;
	b->nr = 0;
	bufsize = b->bufsize;
	if (ret < 0 || arg > 4 ||
	    bpf_probe_read_user(&addrlen, sizeof(addrlen),
				(const void *)args[arg + 1]))
		return;
	put_sockaddr(pid_tgid, nr, (__s32)args[0], arg,
		     (const void *)args[arg], addrlen, bufsize);
}

/*
 * At a successful exit: the facts of the fds the call made, ahead of its
 * exit record.  The syscall ABI keeps the argument registers intact, so
 * the arguments are read again from the user registers.
 */
static __always_inline void
exit_fd_facts(struct pt_regs *regs, __u64 pid_tgid, __u32 nr, __u32 conf,
	      long ret)
{
	__u64 args[6];
	__u32 arg;

	SYSCALL_ARGS(regs, args);
	if (IOR_CONF_SOCKADDR(conf) && (conf & IOR_CONF_SOCKADDR_EXIT))
		exit_accept(pid_tgid, nr, conf, args, ret);
	if (ret < 0)
		return;
	if ((arg = IOR_CONF_TMPFILE(conf)) && arg <= 6 &&
	    (args[(arg - 1) & 7] & IOR_O_TMPFILE_BIT))
		put_inodes(pid_tgid, nr, -1, ret);
	if (conf & IOR_CONF_INODES) {
		__s32 fds[2] = { -1, (__s32)ret };

		if ((arg = IOR_CONF_FDPAIR(conf)) && arg <= 6 &&
		    bpf_probe_read_user(fds, sizeof(fds),
					(const void *)args[(arg - 1) & 7]))
			return;
		put_inodes(pid_tgid, nr, fds[0], fds[1]);
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ior_sys_enter, struct pt_regs *regs, long id)
{
	struct {
		struct ior_syscall_enter e;
		__u64 args[6];
	} rec;
	__u64 pid_tgid;
	__u32 conf, nargs, size;

	if ((unsigned long)id >= IOR_NR_MAX)
		return 0;
	conf = syscall_conf[id];
	if (!(conf & IOR_CONF_TRACED))
		return 0;
	if (!current_in_scope(&pid_tgid))
		return 0;

	SYSCALL_ARGS(regs, rec.args);
	nargs = IOR_CONF_NARGS(conf);
	if (nargs > 6)
		nargs = 6;
	if (IOR_CONF_STRINGS(conf))
		return enter_with_strings(regs, pid_tgid, id, nargs, conf,
					  rec.args);

	size = sizeof(rec.e) + nargs * 8;
	rec.e.header.type = IOR_SYSCALL_ENTER;
	rec.e.header.misc = id;
	rec.e.header.size = size;
	rec.e.time_ns = bpf_ktime_get_ns();
	rec.e.pid = pid_tgid >> 32;
	rec.e.tid = (__u32)pid_tgid;
	rec.e.nargs = nargs;
	rec.e.nstrings = 0;
	rec.e.str_off = size;
	rec.e.reserved = 0;
	if (bpf_ringbuf_output(&events, &rec, size, BPF_RB_NO_WAKEUP))
		count_loss();
	else if (IOR_CONF_SOCKADDR(conf) && !(conf & IOR_CONF_SOCKADDR_EXIT))
		enter_sockaddr(pid_tgid, id, conf, rec.args);
	else if (IOR_CONF_SOCKADDR(conf))
		enter_accept(id, conf, rec.args);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ior_sys_exit, struct pt_regs *regs, long ret)
{
	struct ior_syscall_exit *x;
	__u64 pid_tgid;
	unsigned long nr = SYSCALL_NR(regs);

	__u32 conf, fdpair;

	if (nr >= IOR_NR_MAX) {
		/*
		 * rt_sigreturn restores the registers of the signal frame and
		 * marks the syscall number as none (-1) on its way out: that
		 * exit is rt_sigreturn's, its ret the restored return value.
		 */
		if (nr != (unsigned long)-1 || sigreturn_nr >= IOR_NR_MAX)
			return 0;
		nr = sigreturn_nr;
	}
	if (!((conf = syscall_conf[nr]) & IOR_CONF_TRACED))
		return 0;
	if (!current_in_scope(&pid_tgid))
		return 0;
	if (IOR_CONF_STRINGS(conf) && !(conf & IOR_CONF_NOREREAD))
		exit_strings(pid_tgid, nr);
	if (conf & IOR_CONF_FD_FACTS)
		exit_fd_facts(regs, pid_tgid, nr, conf, ret);
	fdpair = IOR_CONF_FDPAIR(conf);
	if (fdpair && ret == 0) {
		/*
		 * The syscall ABI keeps the argument registers intact, so the
		 * int[2] it filled is still where its argument points.
		 */
		struct ior_syscall_exit_fds *xf;
		__u32 arg = fdpair - 1;
		__u64 args[6];

		xf = bpf_ringbuf_reserve(&events, sizeof(*xf), 0);
		if (!xf) {
			count_loss();
			return 0;
		}
		SYSCALL_ARGS(regs, args);
		if (arg > 5)
			arg = 5;
		xf->exit.header.type = IOR_SYSCALL_EXIT;
		xf->exit.header.misc = nr;
		xf->exit.header.size = sizeof(*xf);
		xf->exit.time_ns = bpf_ktime_get_ns();
		xf->exit.pid = pid_tgid >> 32;
		xf->exit.tid = (__u32)pid_tgid;
		xf->exit.ret = ret;
		if (bpf_probe_read_user(xf->fds, sizeof(xf->fds),
					(const void *)args[arg]))
			xf->fds[0] = xf->fds[1] = -1;
		bpf_ringbuf_submit(xf, BPF_RB_NO_WAKEUP);
		return 0;
	}
	x = bpf_ringbuf_reserve(&events, sizeof(*x), 0);
	if (!x) {
		count_loss();
		return 0;
	}
	x->header.type = IOR_SYSCALL_EXIT;
	x->header.misc = nr;
	x->header.size = sizeof(*x);
	x->time_ns = bpf_ktime_get_ns();
	x->pid = pid_tgid >> 32;
	x->tid = (__u32)pid_tgid;
	x->ret = ret;
	bpf_ringbuf_submit(x, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(ior_task_newtask, struct task_struct *task, __u64 clone_flags)
{
	struct ior_task_new *t;
	__u64 pid_tgid;
	__u32 child_pid = task->tgid;

	if (!current_in_scope(&pid_tgid))
		return 0;
	if (use_scope_map && follow_forks && child_pid != pid_tgid >> 32) {
		__u8 traced = IOR_SCOPE_TRACED;

		bpf_map_update_elem(&scope, &child_pid, &traced, BPF_ANY);
		scope_changed();
	}
	t = bpf_ringbuf_reserve(&events, sizeof(*t), 0);
	if (!t) {
		count_loss();
		return 0;
	}
	t->header.type = IOR_TASK_NEW;
	t->header.misc = 0;
	t->header.size = sizeof(*t);
	t->time_ns = bpf_ktime_get_ns();
	t->parent_pid = pid_tgid >> 32;
	t->parent_tid = (__u32)pid_tgid;
	t->child_pid = child_pid;
	t->child_tid = task->pid;
	t->clone_flags = clone_flags;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	bpf_ringbuf_submit(t, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ior_exec, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct {
		struct ior_exec x;
		struct ior_string s;
		char name[IOR_PATH_CAP];
	} *rec;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, zero = 0, len, size;
	struct scratch *sc;
	long n;

	if (use_scope_map) {
		__u8 *state = bpf_map_lookup_elem(&scope, &tgid);

		if (state && *state == IOR_SCOPE_ARMED) {
			*state = IOR_SCOPE_TRACED;
			scope_changed();
		}
	}
	if (!in_scope(tgid, (__u32)pid_tgid, true))
		return 0;
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	rec = (void *)sc->buf;
	rec->x.header.type = IOR_EXEC;
	rec->x.header.misc = 0;
	rec->x.time_ns = bpf_ktime_get_ns();
	rec->x.pid = tgid;
	rec->x.old_tid = old_pid;
	bpf_get_current_comm(rec->x.comm, sizeof(rec->x.comm));
	rec->x.str_off = sizeof(rec->x);
	rec->x.nstrings = 1;
	rec->x.reserved = 0;
	n = bpf_probe_read_kernel_str(rec->name, sizeof(rec->name),
				      BPF_CORE_READ(bprm, filename));
	len = n > 0 ? n - 1 : 0;
	len &= IOR_PATH_CAP - 1;
	rec->s.len = len;
	rec->s.flags = n <= 0 ? IOR_STRING_FAULT :
		       n >= IOR_PATH_CAP ? IOR_STRING_TRUNCATED : 0;
	rec->s.tag = 0;
	*(__u64 *)(rec->name + len) = 0;
	size = (sizeof(rec->x) + sizeof(rec->s) + len + 7) & ~7u;
	if (size > sizeof(*rec))
		return 0;
	rec->x.header.size = size;
	if (bpf_ringbuf_output(&events, rec, size, BPF_RB_NO_WAKEUP))
		count_loss();
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ior_exit, struct task_struct *task, bool group_dead)
{
	struct ior_task_exit *x;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;

	if (!in_scope(tgid, (__u32)pid_tgid, true))
		return 0;
	x = bpf_ringbuf_reserve(&events, sizeof(*x), 0);
	if (!x) {
		count_loss();
	} else {
		x->header.type = IOR_TASK_EXIT;
		x->header.misc = group_dead;
		x->header.size = sizeof(*x);
		x->time_ns = bpf_ktime_get_ns();
		x->pid = tgid;
		x->tid = (__u32)pid_tgid;
		x->exit_code = task->exit_code;
		x->reserved = 0;
		bpf_ringbuf_submit(x, BPF_RB_NO_WAKEUP);
	}
	if (use_scope_map && group_dead) {
		bpf_map_delete_elem(&scope, &tgid);
		scope_changed();
	}
	return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(ior_task_rename, struct task_struct *task, const char *comm)
{
	struct ior_comm *c;
	__u32 tgid = task->tgid, tid = task->pid;

	if (!in_scope(tgid, tid, false))
		return 0;
	/*
	 * Under -n, a rename matters when the thread had the comm or takes
	 * it; the task need not be current (/proc/PID/comm), so the comm is
	 * read from the task and the argument, not bpf_get_current_comm.
	 */
	if (filter_comm_len) {
		char before[IOR_COMM_LEN] = {}, after[IOR_COMM_LEN] = {};

		bpf_probe_read_kernel_str(before, sizeof(before), task->comm);
		bpf_probe_read_kernel_str(after, sizeof(after), comm);
		if (!comm_matches(before) && !comm_matches(after))
			return 0;
	}
	c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
	if (!c) {
		count_loss();
		return 0;
	}
	c->header.type = IOR_COMM;
	c->header.misc = 0;
	c->header.size = sizeof(*c);
	c->time_ns = bpf_ktime_get_ns();
	c->pid = tgid;
	c->tid = tid;
	__builtin_memset(c->comm, 0, sizeof(c->comm));
	bpf_probe_read_kernel_str(c->comm, sizeof(c->comm), comm);
	bpf_ringbuf_submit(c, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * io_uring.  An io_uring operation passes through no syscall tracepoint:
 * the kernel takes it from the submission ring inside io_uring_enter (or
 * in the ring's SQPOLL thread) and completes it later, inline, from task
 * work or in an io-wq worker thread.  Its own tracepoints frame it:
 * io_uring_submit_req when it is taken (its op-specific fields prepared:
 * the fd, the open path copied in), io_uring_complete when its CQE is
 * posted.  The submit is scoped as a syscall of the submitter is; a
 * request in scope is remembered by its address, and only its completion
 * is written, wherever it runs.  These programs run on io_uring events
 * only: nothing here touches the syscall path.
 */

/* uring_traced[opcode]: 1 when the selection traces that operation. */
const volatile __u8 uring_traced[IOR_URING_OP_MAX];

/* The kernel's io_uring constants the programs need (not in BTF). */
#define IOR_PF_IO_WORKER 0x00000010     /* SQPOLL and io-wq threads */
#define IOR_SETUP_SQPOLL (1u << 1)
#define IOR_REQ_F_FIXED_FILE (1ull << 0)
#define IOR_REQ_F_IO_LINK (1ull << 2)
#define IOR_REQ_F_FORCE_ASYNC (1ull << 4)
#define IOR_REQ_F_HARDLINK (1ull << 5)
/* flag bits of a fixed file's file_ptr (2 or 3 of them, by version) */
#define IOR_FFS_MASK (~7ul)
#define IOR_REQ_F_CQE_SKIP (1ull << 6)  /* IOSQE_CQE_SKIP_SUCCESS */
#define IOR_OP_ACCEPT 13
#define IOR_OP_OPENAT 18
#define IOR_OP_CLOSE 19
#define IOR_OP_STATX 21
#define IOR_OP_OPENAT2 28

/*
 * The task that made a ring (io_uring_setup): an SQPOLL thread submits
 * for it.  Rings made before the capture are not in it; their SQPOLL
 * submissions are the process's, on its main thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* struct io_ring_ctx * */
	__type(value, __u64);           /* pid_tgid of its maker */
} uring_owner SEC(".maps");

struct uring_inflight {
	__u32 pid;
	__u32 tid;
	__u64 ring;
};

/*
 * Requests in scope, submitted and not yet completed.  LRU: a request
 * that posts no completion (IOSQE_CQE_SKIP_SUCCESS) is forgotten when
 * its address is reused or the map is full, never blocks a new one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);             /* struct io_kiocb * */
	__type(value, struct uring_inflight);
} uring_inflight SEC(".maps");

/*
 * Set once a request in uring_inflight may post no completion: from then
 * on a submit that is not traced forgets its address too, or the
 * completion of that other request (another opcode, another process)
 * would be written as the old one's.  Until then no untraced submit pays
 * for it.
 */
__u8 uring_skip_seen;

/*
 * A fixed file is an index into the ring's file table; the process knows
 * the file by an fd, if it kept one open.  uring_fd_cache remembers the
 * fd a file was found at; it is checked against the fd table before use.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* struct file * */
	__type(value, __s32);
} uring_fd_cache SEC(".maps");

#define URING_FD_SCAN 256       /* fds searched for a fixed file's fd */

/*
 * The fds are read URING_FD_CHUNK at a time, one helper call for each
 * instead of one per fd: a fixed file that no fd holds costs 4 reads, not
 * 256.  The kernel sizes an fd array in multiples of BITS_PER_LONG (64)
 * entries, so a chunk below max_fds ends within it.
 */
#define URING_FD_CHUNK 64

struct uring_fds {
	struct file *f[URING_FD_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uring_fds);
} uring_fds SEC(".maps");

#define URING_STR_OFF (sizeof(struct ior_uring_submit) + IOR_URING_ARGS * 8)
#define URING_SCRATCH_SIZE (URING_STR_OFF + 4 + IOR_PATH_CAP + 16)

struct uring_scratch {
	__u8 buf[URING_SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uring_scratch);
} uring_scratch SEC(".maps");

static __always_inline struct file *
fdarray_file(struct file **fds, __u32 fd)
{
	struct file *f = NULL;

	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The fd of task's process at which file is open, or -1. */
static __always_inline __s32
uring_fd_of(struct task_struct *task, struct file *file)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	__u32 max = BPF_CORE_READ(fdt, max_fds);
	__u64 key = (__u64)file;
	__s32 *cached, fd = -1;
	__u32 zero = 0;
	struct uring_fds *c;

	if (file == NULL || fds == NULL)
		return -1;
	cached = bpf_map_lookup_elem(&uring_fd_cache, &key);
	if (cached && *cached >= 0 && (__u32)*cached < max &&
	    fdarray_file(fds, *cached) == file)
		return *cached;
	if ((c = bpf_map_lookup_elem(&uring_fds, &zero)) == NULL)
		return -1;
	for (__u32 base = 0; base < URING_FD_SCAN; base += URING_FD_CHUNK) {
		if (base >= max)
			break;
		/* On a fault the chunk reads as empty, as each fd did. */
		bpf_probe_read_kernel(c->f, sizeof(c->f), &fds[base]);
		for (__u32 j = 0; j < URING_FD_CHUNK; j++) {
			if (base + j >= max)
				break;
			if (c->f[j] == file) {
				fd = base + j;
				break;
			}
		}
		if (fd >= 0)
			break;
	}
	if (fd >= 0)
		bpf_map_update_elem(&uring_fd_cache, &key, &fd, BPF_ANY);
	return fd;
}

/*
 * Kernels before 6.13 kept a ring's fixed files in an array of struct
 * io_fixed_file, ctx->nr_user_files long; 6.13 made it an array of
 * io_rsrc_node pointers (file_table.data).  CO-RE finds the kernel's
 * fields under these names; the branch of the other layout is never run
 * (and its relocations, which cannot resolve, never checked).
 */
struct io_fixed_file___old {
	unsigned long file_ptr;
};

struct io_file_table___old {
	struct io_fixed_file___old *files;
};

struct io_ring_ctx___old {
	struct io_file_table___old file_table;
	unsigned int nr_user_files;
};

/*
 * io_uring_complete's arguments changed in the same release (6.13): (ctx,
 * req, cqe), where they were (ctx, req, user_data, res, cflags, extra1,
 * extra2).  Should a kernel have one change without the other, the
 * program does not load (its cqe is read as a pointer the verifier
 * checks, its res and cflags past the last argument), and ior-capture
 * goes on without io_uring: never a wrong read.
 */
static __always_inline bool
uring_new_layout(void)
{
	return bpf_core_field_exists(struct io_file_table, data);
}

/* The file at a fixed-file index of the ring, or NULL. */
static __always_inline struct file *
uring_fixed_file(struct io_ring_ctx *ctx, __u32 idx)
{
	unsigned long ptr = 0;

	if (uring_new_layout()) {
		struct io_rsrc_node **nodes, *node = NULL;

		if (idx >= BPF_CORE_READ(ctx, file_table.data.nr))
			return NULL;
		nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
		bpf_probe_read_kernel(&node, sizeof(node), &nodes[idx]);
		if (node == NULL)
			return NULL;
		ptr = BPF_CORE_READ(node, file_ptr);
	} else {
		struct io_ring_ctx___old *old = (void *)ctx;
		struct io_fixed_file___old *files;

		if (idx >= BPF_CORE_READ(old, nr_user_files))
			return NULL;
		files = BPF_CORE_READ(old, file_table.files);
		if (files == NULL)
			return NULL;
		ptr = BPF_CORE_READ(files + idx, file_ptr);
	}
	return (struct file *)(ptr & IOR_FFS_MASK);
}

/* A kernel string (a struct filename's name) as string tag 1 at off. */
static __always_inline __u32
uring_put_kstring(__u8 *buf, __u32 off, const char *kptr)
{
	struct ior_string *s = (void *)(buf + off);
	long n = bpf_probe_read_kernel_str(buf + off + 4, IOR_PATH_CAP, kptr);
	__u32 len = n > 0 ? n - 1 : 0;

	len &= IOR_PATH_CAP - 1;
	s->len = len;
	s->flags = n <= 0 ? IOR_STRING_FAULT :
		   n >= IOR_PATH_CAP ? IOR_STRING_TRUNCATED : 0;
	s->tag = 1;
	*(__u64 *)(buf + off + 4 + len) = 0;
	return (off + 4 + len + 3) & ~3u;
}

SEC("tp_btf/io_uring_create")
int BPF_PROG(ior_uring_create, int fd, void *ring, __u32 sq_entries,
	     __u32 cq_entries, __u32 flags)
{
	__u64 pid_tgid, key = (__u64)ring;

	if (current_in_scope(&pid_tgid))
		bpf_map_update_elem(&uring_owner, &key, &pid_tgid, BPF_ANY);
	return 0;
}

/*
 * A request taken from the ring, its op-specific part prepared.  req is
 * read directly, not through a probe: the verifier then checks it is the
 * struct io_kiocb the tracepoint passes (a kernel whose tracepoint passes
 * other arguments refuses the program), and CO-RE sizes the load of
 * flags (unsigned int before 6.10, 64 bits since).
 */
static __always_inline int
uring_submit(struct io_kiocb *req)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ring, key = (__u64)req;
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid, zero = 0, off;
	__u32 opcode = req->opcode, flags = 0, size;
	__u64 req_flags = req->flags;
	struct io_ring_ctx *rctx = BPF_CORE_READ(req, ctx);
	struct uring_inflight in;
	struct ior_uring_submit *u;
	struct uring_scratch *sc;
	__u64 *args;
	bool io_thread = BPF_CORE_READ(task, flags) & IOR_PF_IO_WORKER;

	if (opcode >= IOR_URING_OP_MAX || !uring_traced[opcode & 0xff])
		goto untraced;
	ring = (__u64)rctx;
	if (io_thread) {
		/*
		 * The SQPOLL thread took it from the ring: a thread of the
		 * ring's process, but the submitter is who made the ring.
		 */
		__u64 *owner = bpf_map_lookup_elem(&uring_owner, &ring);

		tid = owner && (*owner >> 32) == tgid ? (__u32)*owner : tgid;
		flags |= IOR_URING_SQPOLL;
	}
	if (!in_scope(tgid, tid, false))
		goto untraced;
	if (filter_comm_len) {
		char comm[IOR_COMM_LEN];

		/* An SQPOLL thread is "iou-sqp-PID": ask its process's. */
		if (io_thread)
			BPF_CORE_READ_STR_INTO(&comm, task, group_leader, comm);
		else
			bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			goto untraced;
	}
	if (req_flags & IOR_REQ_F_FORCE_ASYNC)
		flags |= IOR_URING_FORCE_ASYNC;
	if (req_flags & (IOR_REQ_F_IO_LINK | IOR_REQ_F_HARDLINK))
		flags |= IOR_URING_LINK;

	sc = bpf_map_lookup_elem(&uring_scratch, &zero);
	if (!sc)
		goto untraced;
	u = (void *)sc->buf;
	args = (void *)(sc->buf + sizeof(*u));
	u->header.type = IOR_URING_SUBMIT;
	u->header.misc = opcode;
	u->time_ns = bpf_ktime_get_ns();
	u->pid = tgid;
	u->tid = tid;
	u->nargs = IOR_URING_ARGS;
	u->nstrings = 0;
	u->str_off = URING_STR_OFF;
	u->ring = ring;
	u->req = key;
	u->user_data = BPF_CORE_READ(req, cqe.user_data);
	/* Set by io_init_req for operations on a file; else not an fd. */
	args[0] = (__u64)(__s64)BPF_CORE_READ(req, cqe.fd);
	args[1] = (__u64)-1;
	args[2] = 0;
	off = URING_STR_OFF;
	/* The request's op-specific part (io_kiocb_to_cmd) is prepared. */
	if (opcode == IOR_OP_OPENAT || opcode == IOR_OP_OPENAT2) {
		struct io_open *o = (void *)&req->cmd;
		__u32 slot = BPF_CORE_READ(o, file_slot);

		args[0] = (__u64)(__s64)BPF_CORE_READ(o, dfd);
		args[2] = BPF_CORE_READ(o, how.flags);
		if (slot) {     /* a direct descriptor: no fd in the table */
			args[1] = slot - 1;
			flags |= IOR_URING_FIXED | IOR_URING_DIRECT;
		}
		off = uring_put_kstring(sc->buf, off,
					BPF_CORE_READ(o, filename, name));
		u->nstrings = 1;
	} else if (opcode == IOR_OP_STATX) {
		struct io_statx *x = (void *)&req->cmd;

		args[0] = (__u64)(__s64)BPF_CORE_READ(x, dfd);
		off = uring_put_kstring(sc->buf, off,
					BPF_CORE_READ(x, filename, name));
		u->nstrings = 1;
	} else if (opcode == IOR_OP_CLOSE) {
		struct io_close *c = (void *)&req->cmd;
		__u32 slot = BPF_CORE_READ(c, file_slot);

		args[0] = (__u64)(__s64)BPF_CORE_READ(c, fd);
		if (slot) {
			args[0] = (__u64)-1;
			args[1] = slot - 1;
			flags |= IOR_URING_FIXED;
		}
	} else if (req_flags & IOR_REQ_F_FIXED_FILE) {
		__u32 idx = (__u32)args[0];

		args[1] = idx;
		args[0] = (__u64)(__s64)uring_fd_of(task,
						    uring_fixed_file(rctx, idx));
		flags |= IOR_URING_FIXED;
	}
	/* accept's file_index: the new socket goes to a slot, not an fd */
	if (opcode == IOR_OP_ACCEPT &&
	    BPF_CORE_READ((struct io_accept *)&req->cmd, file_slot))
		flags |= IOR_URING_DIRECT;
	u->flags = flags;
	size = (off + 7) & ~7u;
	if (size > URING_SCRATCH_SIZE)
		goto untraced;
	u->header.size = size;
	in.pid = tgid;
	in.tid = tid;
	in.ring = ring;
	if (req_flags & IOR_REQ_F_CQE_SKIP)
		uring_skip_seen = 1;
	if (bpf_map_update_elem(&uring_inflight, &key, &in, BPF_ANY))
		goto untraced;
	if (bpf_ringbuf_output(&events, sc->buf, size, BPF_RB_NO_WAKEUP)) {
		count_loss();
		bpf_map_delete_elem(&uring_inflight, &key);
	}
	return 0;
untraced:
	if (uring_skip_seen)
		bpf_map_delete_elem(&uring_inflight, &key);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ior_uring_submit, struct io_kiocb *req)
{
	return uring_submit(req);
}

/* The same tracepoint before 6.4: (req, force_nonblock). */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(ior_uring_submit_sqe, struct io_kiocb *req)
{
	return uring_submit(req);
}

/* Its arguments by position: their number depends on the kernel. */
SEC("tp_btf/io_uring_complete")
int ior_uring_complete(__u64 *ctx)
{
	void *req = (void *)ctx[1];
	__u64 key = (__u64)req;
	struct uring_inflight *in = bpf_map_lookup_elem(&uring_inflight, &key);
	struct ior_uring_complete *c;
	__u32 cflags;
	__s32 res;

	if (!in)
		return 0;
	if (uring_new_layout()) {
		struct io_uring_cqe *cqe = (void *)ctx[2];

		res = cqe->res;
		cflags = cqe->flags;
	} else {
		res = (__s32)ctx[3];
		cflags = (__u32)ctx[4];
	}
	c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
	if (!c) {
		count_loss();
	} else {
		c->header.type = IOR_URING_COMPLETE;
		c->header.misc = BPF_CORE_READ((struct io_kiocb *)req, opcode);
		c->header.size = sizeof(*c);
		c->time_ns = bpf_ktime_get_ns();
		c->pid = in->pid;
		c->tid = in->tid;
		c->ring = in->ring;
		c->req = key;
		c->res = res;
		c->cflags = cflags;
		c->exec_tid = (__u32)bpf_get_current_pid_tgid();
		c->reserved = 0;
		bpf_ringbuf_submit(c, BPF_RB_NO_WAKEUP);
	}
	if (!(cflags & IOR_URING_CQE_F_MORE))
		bpf_map_delete_elem(&uring_inflight, &key);
	return 0;
}
