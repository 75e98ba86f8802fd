/* SPDX-License-Identifier: MIT */
/*
 * select.c - which syscalls to trace (-e), and what the running kernel says
 * about each: whether it exists, how many arguments it takes, which of them
 * are path strings.  The kernel's own tracefs format files are the source,
 * so a syscall added by a newer kernel is described correctly.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "syscalls.h"
#include "uring.h"

static const char *const tracefs_candidates[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

const char *
tracefs_dir(void)
{
	static const char *found;
	char probe[128];

	if (found)
		return found;
	for (size_t i = 0; i < 2; i++) {
		snprintf(probe, sizeof(probe), "%s/events/syscalls",
			 tracefs_candidates[i]);
		if (faccessat(AT_FDCWD, probe, R_OK, AT_EACCESS) == 0)
			return found = tracefs_candidates[i];
	}
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == -1 &&
	    errno != EBUSY) {
		if (errno == EPERM || errno == EACCES)
			errx(1, "cannot read the kernel's syscall tracepoints: "
			     "%s (run as root, or with CAP_BPF, CAP_PERFMON, "
			     "CAP_DAC_READ_SEARCH and tracefs mounted)",
			     strerror(errno));
		err(1, "mount tracefs on /sys/kernel/tracing");
	}
	if (faccessat(AT_FDCWD, "/sys/kernel/tracing/events/syscalls", R_OK,
		      AT_EACCESS) == -1)
		errx(1, "no syscall tracepoints in tracefs (kernel built "
		     "without CONFIG_FTRACE_SYSCALLS?)");
	return found = "/sys/kernel/tracing";
}

/* Argument names that hold a path or a name worth recording. */
static bool
is_string_arg(const char *name)
{
	static const char *const names[] = {
		"filename", "pathname", "oldname", "newname", "path", "name",
		"to_pathname", "from_pathname", "specialfile", "dir_name",
		"uname",        /* memfd_create's name */
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * Read sys_enter_NAME/format.  Fields after __syscall_nr are the arguments;
 * "const char * NAME" with a path-like NAME is a string argument.  False if
 * the kernel has no such tracepoint.
 */
static bool
read_format(const char *name, unsigned *nargs, unsigned *strings)
{
	char path[256], line[512];
	bool in_args = false;
	FILE *f;

	/*
	 * Some tracepoints keep the kernel's internal name: stat is
	 * sys_enter_newstat, sendfile is sys_enter_sendfile64, umount2 is
	 * sys_enter_umount (SYSCALL_DEFINE2(umount, ...)).
	 */
	static const char *const patterns[] = { "%s", "new%s", "%s64" };
	f = NULL;
	for (size_t i = 0; i < 4 && f == NULL; i++) {
		char tp[64];

		if (i == 3 && strcmp(name, "umount2") != 0)
			break;
		snprintf(tp, sizeof(tp), i < 3 ? patterns[i] : "umount", name);
		snprintf(path, sizeof(path),
			 "%s/events/syscalls/sys_enter_%s/format",
			 tracefs_dir(), tp);
		f = fopen(path, "re");
	}
	if (f == NULL)
		return false;
	*nargs = 0;
	*strings = 0;
	while (fgets(line, sizeof(line), f)) {
		char *field = strstr(line, "field:"), *semi, *arg;

		if (field == NULL)
			continue;
		field += strlen("field:");
		if ((semi = strchr(field, ';')) == NULL)
			continue;
		*semi = '\0';
		if (strstr(field, "__syscall_nr")) {
			in_args = true;
			continue;
		}
		if (!in_args)
			continue;
		arg = strrchr(field, ' ');
		arg = arg ? arg + 1 : field;
		/* mount and umount take their paths as plain char * */
		if ((strncmp(field, "const char * ", 13) == 0 ||
		     (strncmp(field, "char * ", 7) == 0 &&
		      (strcmp(name, "mount") == 0 ||
		       strcmp(name, "umount2") == 0))) &&
		    is_string_arg(arg) && *nargs < 8)
			*strings |= 1u << *nargs;
		(*nargs)++;
	}
	fclose(f);
	if (*nargs > 6)
		*nargs = 6;
	return true;
}

struct build_ctx {
	struct selection *sel;
	const char *item;       /* a name, or a family after '%' */
	bool exclude;
	bool matched;
};

static void
mark(struct selection *sel, int nr, bool on)
{
	if (nr < 0 || nr >= IOR_NR_MAX)
		return;
	sel->wanted[nr] = on;
}

static void
apply_item(const char *name, int nr, void *arg)
{
	struct build_ctx *c = arg;
	enum ior_family fam = syscall_family(name);
	bool hit;

	if (strcmp(c->item, "all") == 0)
		hit = true;
	else if (strcmp(c->item, "%default") == 0)
		hit = family_is_default(fam);
	else if (c->item[0] == '%')
		hit = fam != IOR_FAMILY_OTHER &&
		      strcmp(family_name(fam), c->item + 1) == 0;
	else
		hit = strcmp(name, c->item) == 0;
	if (hit) {
		mark(c->sel, nr, !c->exclude);
		c->matched = true;
	}
}

static void
apply_list(struct selection *sel, const char *list)
{
	char *copy, *item, *save = NULL;
	bool first = true;

	if ((copy = strdup(list)) == NULL)
		err(1, "strdup");
	if (strncmp(copy, "trace=", 6) == 0)
		memmove(copy, copy + 6, strlen(copy + 6) + 1);
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		struct build_ctx c = { sel, item, false, false };

		if (item[0] == '!') {
			c.exclude = true;
			c.item = item + 1;
			/* "-e '!read'" alone means: the default without read */
			if (first)
				apply_list(sel, "%default");
		}
		first = false;
		if (c.item[0] == '%' && strcmp(c.item, "%default") != 0 &&
		    family_by_name(c.item + 1) < 0) {
			fprintf(stderr, "%s: unknown syscall family '%s' "
				"(families:", getprogname(), c.item);
			for (int f = 1; f < IOR_FAMILY_COUNT; f++)
				fprintf(stderr, " %%%s", family_name(f));
			fprintf(stderr, ")\n");
			exit(2);
		}
		syscall_foreach(apply_item, &c);
		if (!c.matched) {
			fprintf(stderr, "%s: unknown syscall '%s'\n",
				getprogname(), c.item);
			exit(2);
		}
	}
	free(copy);
}

/*
 * io_uring operations follow the families selected: -e %read traces
 * io_uring:read as well as read(2).  Selecting io_uring_enter (as "all"
 * does) traces every operation, the family-less ones (nop, timeout ...)
 * too.  A kernel without the io_uring tracepoints (or built without
 * io_uring) traces none, silently: there is nothing of it to miss.
 */
static void
uring_select(struct selection *sel)
{
	bool family[IOR_FAMILY_COUNT] = { false };
	int enter = syscall_nr("io_uring_enter");
	bool all = enter >= 0 && enter < IOR_NR_MAX && sel->wanted[enter];
	char path[256];

	snprintf(path, sizeof(path), "%s/events/io_uring/io_uring_submit_req",
		 tracefs_dir());
	if (access(path, F_OK) != 0) {
		snprintf(path, sizeof(path),
			 "%s/events/io_uring/io_uring_submit_sqe",
			 tracefs_dir());
		sel->uring_submit_sqe = true;
	}
	if (access(path, F_OK) != 0) {
		sel->uring_missing = true;
		return;
	}
	for (int nr = 0; nr < IOR_NR_MAX; nr++)
		if (sel->wanted[nr] && sel->family[nr] < IOR_FAMILY_COUNT)
			family[sel->family[nr]] = true;
	for (unsigned op = 0; op < IOR_URING_OP_MAX; op++) {
		enum ior_family f = uring_op_family(op);

		sel->uring[op] = all || (f != IOR_FAMILY_OTHER && family[f]);
		sel->uring_any |= sel->uring[op];
	}
}

/*
 * The calls of %net use sockets that socket, socketpair, accept and
 * accept4 make (family %fdnew): without them an accepted socket is an
 * unknown fd, so any %net call brings them along.
 */
static void
want_socket_makers(struct selection *sel)
{
	static const char *const makers[] = {
		"socket", "socketpair", "accept", "accept4",
	};
	bool net = false;

	for (int nr = 0; nr < IOR_NR_MAX; nr++) {
		const char *name = syscall_name(nr);

		if (sel->wanted[nr] && name != NULL &&
		    syscall_family(name) == IOR_FAMILY_NET)
			net = true;
	}
	for (size_t i = 0; net && i < sizeof(makers) / sizeof(makers[0]); i++)
		mark(sel, syscall_nr(makers[i]), true);
}

/*
 * What the BPF program reads beyond the arguments of descriptors without
 * a path (ior.bpf.h): the fds of pipes, their inodes, socket addresses.
 */
static uint32_t
fd_facts_conf(const char *name)
{
	static const struct {
		const char *name;
		uint32_t conf;
	} facts[] = {
		{ "pipe", IOR_CONF_FDPAIR_ARG(0) | IOR_CONF_INODES },
		{ "pipe2", IOR_CONF_FDPAIR_ARG(0) | IOR_CONF_INODES },
		{ "socketpair", IOR_CONF_FDPAIR_ARG(3) | IOR_CONF_INODES },
		{ "socket", IOR_CONF_INODES },
		{ "open_by_handle_at", IOR_CONF_INODES },
		{ "open", IOR_CONF_TMPFILE_ARG(1) },
		{ "openat", IOR_CONF_TMPFILE_ARG(2) },
		{ "connect", IOR_CONF_SOCKADDR_ARG(1) },
		{ "bind", IOR_CONF_SOCKADDR_ARG(1) },
		{ "accept", IOR_CONF_SOCKADDR_ARG(1) | IOR_CONF_SOCKADDR_EXIT },
		{ "accept4", IOR_CONF_SOCKADDR_ARG(1) | IOR_CONF_SOCKADDR_EXIT },
	};

	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (strcmp(name, facts[i].name) == 0)
			return facts[i].conf;
	return 0;
}

void
selection_build(struct selection *sel, const char *list)
{
	memset(sel, 0, sizeof(*sel));
	apply_list(sel, list ? list : "%default");
	/*
	 * Always: a syscall interrupted by a signal and restarted is one
	 * call, and ior-pair joins its attempts by these two.
	 */
	mark(sel, syscall_nr("rt_sigreturn"), true);
	mark(sel, syscall_nr("restart_syscall"), true);
	want_socket_makers(sel);
	for (int nr = 0; nr < IOR_NR_MAX; nr++) {
		const char *name = syscall_name(nr);
		unsigned nargs, strings;

		if (!sel->wanted[nr] || name == NULL)
			continue;
		sel->family[nr] = syscall_family(name);
		if (!read_format(name, &nargs, &strings)) {
			size_t len = strlen(sel->missing_names);

			sel->missing++;
			if (len + strlen(name) + 2 < sizeof(sel->missing_names))
				snprintf(sel->missing_names + len,
					 sizeof(sel->missing_names) - len,
					 "%s%s", len ? " " : "", name);
			continue;
		}
		sel->conf[nr] = IOR_CONF(nargs, strings);
		sel->conf[nr] |= fd_facts_conf(name);
		if (strncmp(name, "execve", 6) == 0)
			sel->conf[nr] |= IOR_CONF_NOREREAD;
		sel->traced++;
	}
	uring_select(sel);
}

void
selection_write(const struct selection *sel, struct stream_writer *w)
{
	for (int nr = 0; nr < IOR_NR_MAX; nr++) {
		const char *name = syscall_name(nr);
		struct ior_syscall_name *s;
		unsigned char buf[128];
		uint32_t off = sizeof(*s);

		if (!sel->wanted[nr] || name == NULL)
			continue;
		s = (void *)buf;
		memset(s, 0, sizeof(*s));
		s->header.type = IOR_SYSCALL_NAME;
		s->nr = nr;
		s->nargs = IOR_CONF_NARGS(sel->conf[nr]);
		s->family = sel->family[nr];
		s->path_args = IOR_CONF_STRINGS(sel->conf[nr]);
		s->flags = sel->conf[nr] ? IOR_SYSNAME_TRACED :
					   IOR_SYSNAME_MISSING;
		s->str_off = sizeof(*s);
		s->nstrings = 1;
		record_add_string(s, &off, name, strlen(name), 0, 0);
		stream_put(w, s, record_finish(s, off));
	}
	/* io_uring operations, as syscalls numbered past the real ones */
	for (unsigned op = 0; op < IOR_URING_OP_MAX; op++) {
		const char *name = uring_op_name(op);
		struct ior_syscall_name *s;
		unsigned char buf[128];
		uint32_t off = sizeof(*s);
		char other[32];

		if (!sel->uring[op])
			continue;
		if (name == NULL) {
			snprintf(other, sizeof(other), "io_uring:op_%u", op);
			name = other;
		}
		s = (void *)buf;
		memset(s, 0, sizeof(*s));
		s->header.type = IOR_SYSCALL_NAME;
		s->nr = IOR_URING_NR_BASE + op;
		s->nargs = IOR_URING_ARGS;
		s->family = uring_op_family(op);
		s->path_args = uring_op_has_path(op) ? 1u << 1 : 0;
		s->flags = IOR_SYSNAME_TRACED;
		s->str_off = sizeof(*s);
		s->nstrings = 1;
		record_add_string(s, &off, name, strlen(name), 0, 0);
		stream_put(w, s, record_finish(s, off));
	}
}
