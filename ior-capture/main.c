/* SPDX-License-Identifier: MIT */
/*
 * ior-capture - trace I/O syscalls with BPF and write them as an ior stream.
 *
 * The BPF program (bpf/ior.bpf.c) filters in the kernel and writes records
 * in the stream's wire format to a ring buffer; this program adds what a
 * stream needs to stand alone (section header, syscall names, a snapshot of
 * the processes and open files in scope, loss records, a trailer) and
 * copies the ring to standard output in large blocks.
 */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "ior.skel.h"
#include "syscalls.h"
#include "version.h"

/* How long the reader sleeps when the ring is quiet. */
#define TICK_NS (5 * 1000000L)
/* Consumed more than this in one pass: go round again without sleeping. */
#define BUSY_BYTES (1u << 20)
#define LOSS_CHECK_NS (100 * 1000000ull)

static volatile sig_atomic_t stop_signal;
static int verbosity = 1;       /* 0 -q, 1 default, 2 -v */

struct options {
	const char *events;
	const char *output;
	const char *comm;
	pid_t *pids;
	size_t npids;
	pid_t tid;
	bool follow;
	double duration;
	unsigned ring_mb;
	char **command;
};

struct capture {
	struct ior_bpf *skel;
	struct stream_writer out;
	struct ring ring;
	uint64_t events;
	uint64_t *lost_seen;    /* per cpu */
	uint64_t lost_total;
	uint64_t missed_seen[16];       /* per program, in bpf_object order */
	uint64_t missed_total;
	int ncpus;
};

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: ior-capture [-fqv] [-p PID[,PID...]] [-t TID] [-n COMM] [-e LIST]\n"
"                   [-d SECONDS] [-b MIB] [-o FILE] [[--] command [arg ...]]\n");
	if (status != 0)
		exit(status);
	fprintf(f,
"\n"
"Trace I/O syscalls with BPF and write an ior stream to standard output.\n"
"\n"
"  -p, --pid PID       trace these processes (comma-separated)\n"
"  -f, --follow        with -p, also trace their descendants, present and\n"
"                      future\n"
"  -t, --tid TID       trace this thread only\n"
"  -n, --comm COMM     trace threads whose comm is COMM\n"
"  -e, --events LIST   syscalls to trace: names, %%families, all,\n"
"                      !exclusions (default %%default: open close read\n"
"                      write transfer fd seek sync stat dir namespace attr\n"
"                      xattr mmap fdnew; more: %%net %%poll %%process)\n"
"  -d, --duration SECS stop after SECS seconds\n"
"  -b, --buffer MIB    ring buffer size in MiB (power of two, default 32)\n"
"  -o, --output FILE   write the stream to FILE instead of standard output\n"
"  -q, --quiet         no summary line\n"
"  -v, --verbose       say more; -vv with libbpf's log\n"
"  -h, --help          this help;  --version  the version\n"
"  command             run it, trace it and its descendants from its first\n"
"                      syscall, stop when it exits; its standard output goes\n"
"                      to standard error when the stream is on standard\n"
"                      output\n"
"\n"
"EXAMPLES\n"
"  sudo ior-capture | ior-pair | ior-flame > io.svg\n"
"  sudo ior-capture -p 42 -d 10 > run.ior\n"
"  sudo ior-capture -e %%read,%%write -- make -j2 | ior-pair | ior-dump\n"
"  sudo ior-capture -e 'all,!ioctl' -n postgres -o pg.ior\n");
	exit(status);
}

static void
note(int level, const char *fmt, ...)
{
	va_list ap;

	if (verbosity < level)
		return;
	fprintf(stderr, "%s: ", getprogname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (verbosity < (level == LIBBPF_WARN ? 2 : 3))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

static pid_t
parse_pid(const char *s, const char *what)
{
	const char *errstr;
	long long v = strtonum(s, 1, INT_MAX, &errstr);

	if (errstr != NULL) {
		fprintf(stderr, "%s: %s '%s' is %s\n", getprogname(), what, s,
			errstr);
		exit(2);
	}
	return v;
}

static void
parse_pids(struct options *o, const char *list)
{
	char *copy = strdup(list), *item, *save = NULL;

	if (copy == NULL)
		err(1, "strdup");
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		o->pids = reallocarray(o->pids, o->npids + 1, sizeof(pid_t));
		if (o->pids == NULL)
			err(1, "reallocarray");
		o->pids[o->npids++] = parse_pid(item, "pid");
	}
	free(copy);
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->ring_mb = 32;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "follow", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "comm", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		VERSION_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "+hfqvp:t:n:e:d:b:o:", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case VERSION_OPT:
			version_exit("ior-capture");
		case 'h':
			usage(stdout, 0);
			break;
		case 'f':
			o->follow = true;
			break;
		case 'q':
			verbosity = 0;
			break;
		case 'v':
			verbosity++;
			break;
		case 'p':
			parse_pids(o, optarg);
			break;
		case 't':
			o->tid = parse_pid(optarg, "tid");
			break;
		case 'n':
			if (strlen(optarg) >= IOR_COMM_LEN) {
				fprintf(stderr, "%s: comm '%s' is longer than "
					"the kernel's %d bytes\n", getprogname(),
					optarg, IOR_COMM_LEN - 1);
				exit(2);
			}
			o->comm = optarg;
			break;
		case 'e':
			o->events = optarg;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end != '\0' || !(o->duration > 0)) {
				fprintf(stderr, "%s: duration '%s' is not a "
					"positive number of seconds\n",
					getprogname(), optarg);
				exit(2);
			}
			break;
		case 'b':
			o->ring_mb = strtoul(optarg, &end, 10);
			if (*end != '\0' || o->ring_mb == 0 || o->ring_mb > 1024 ||
			    (o->ring_mb & (o->ring_mb - 1))) {
				fprintf(stderr, "%s: ring size '%s' is not a "
					"power of two from 1 to 1024 MiB\n",
					getprogname(), optarg);
				exit(2);
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind < argc)
		o->command = argv + optind;
	if (o->command && (o->npids || o->tid)) {
		fprintf(stderr, "%s: a command cannot be combined with -p or "
			"-t\n", getprogname());
		exit(2);
	}
	if (o->follow && o->npids == 0) {
		fprintf(stderr, "%s: -f follows the processes of -p\n",
			getprogname());
		exit(2);
	}
	/* A target that is not there would make a capture of nothing. */
	for (size_t i = 0; i <= o->npids; i++) {
		pid_t pid = i < o->npids ? o->pids[i] : o->tid;

		if (pid && kill(pid, 0) == -1 && errno == ESRCH) {
			fprintf(stderr, "%s: %s %d: no such %s\n", getprogname(),
				i < o->npids ? "-p" : "-t", (int)pid,
				i < o->npids ? "process" : "thread");
			exit(1);
		}
	}
}

/*
 * Start the command stopped at a pipe: it execs only once the programs are
 * attached, so its first syscall after exec is traced.  Returns its pid and
 * the pipe's write end.
 *
 * It is forked before ior-capture opens anything but that close-on-exec
 * pipe, so it runs with exactly the fds ior-capture's caller gave it.
 *
 * It must not run on untraced: when ior-capture exits or dies (even by
 * SIGKILL) the kernel kills it (PR_SET_PDEATHSIG).  The signal comes when
 * the thread that forked exits, here the main thread of a program that
 * starts no other; the kernel sends it with ior-capture's credentials, as
 * kill(2) would, which is why a capture with a command stays uid 0 (see
 * privilege_drop).  A parent that died before the prctl shows in getppid().
 */
static pid_t
launch(char **command, bool stdout_is_stream, int *release_fd)
{
	pid_t parent = getpid(), pid;
	int sync[2];
	char go;

	if (pipe2(sync, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
		    getppid() != parent)
			_exit(127);
		close(sync[1]);
		/* Before the wait, so the snapshot shows the fds it runs with. */
		if (stdout_is_stream && dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
			_exit(127);
		if (read(sync[0], &go, 1) != 1)
			_exit(127);     /* ior-capture gave up */
		execvp(command[0], command);
		fprintf(stderr, "%s: cannot run '%s': %s\n", getprogname(),
			command[0], strerror(errno));
		_exit(127);
	}
	close(sync[0]);
	*release_fd = sync[1];
	return pid;
}

/* Write a loss record for every CPU whose count grew; false if unread. */
static bool
check_loss(struct capture *c)
{
	uint64_t values[c->ncpus];
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.lost), &zero,
				values) != 0)
		return false;
	for (int cpu = 0; cpu < c->ncpus; cpu++) {
		struct ior_loss *l;

		if (values[cpu] <= c->lost_seen[cpu])
			continue;
		l = stream_reserve(&c->out, IOR_LOSS, 0, sizeof(*l));
		l->time_ns = now_ns();
		l->cpu = cpu;
		l->lost = values[cpu] - c->lost_seen[cpu];
		l->lost_total = values[cpu];
		c->lost_total += l->lost;
		c->lost_seen[cpu] = values[cpu];
	}
	return true;
}

/*
 * Write a miss record for every program the kernel skipped more often
 * since the last look: it does not run a tracing program on a CPU where
 * that program is running already, and counts the skip in the program's
 * recursion_misses.  Those events never reached the ring buffer.
 */
static void
check_misses(struct capture *c)
{
	struct bpf_program *prog;
	size_t i = 0;

	bpf_object__for_each_program(prog, c->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		const char *name = bpf_program__name(prog);
		struct ior_miss *m;
		uint32_t off = sizeof(*m);
		unsigned char buf[128];

		if (i >= sizeof(c->missed_seen) / sizeof(c->missed_seen[0]))
			break;
		memset(&info, 0, sizeof(info));
		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
					   &len) != 0 ||
		    info.recursion_misses <= c->missed_seen[i]) {
			i++;
			continue;
		}
		m = (void *)buf;
		memset(m, 0, sizeof(*m));
		m->header.type = IOR_MISS;
		m->time_ns = now_ns();
		m->missed = info.recursion_misses - c->missed_seen[i];
		m->missed_total = info.recursion_misses;
		m->str_off = sizeof(*m);
		m->nstrings = 1;
		record_add_string(m, &off, name, strnlen(name, 64), 0, 0);
		stream_put(&c->out, m, record_finish(m, off));
		c->missed_total += m->missed;
		c->missed_seen[i++] = info.recursion_misses;
	}
}

/*
 * Open the BPF object and set it up for the options; with the io_uring
 * programs when uring is true.  Returns the skeleton, loaded, or NULL and
 * the error in *error.
 */
static struct ior_bpf *
load_bpf(const struct options *o, const struct selection *sel,
	 pid_t command_pid, bool uring, int *error)
{
	struct ior_bpf *skel;

	if ((skel = ior_bpf__open()) == NULL)
		err(1, "cannot open the BPF program");
	memcpy((void *)skel->rodata->syscall_conf, sel->conf,
	       sizeof(sel->conf));
	memcpy((void *)skel->rodata->uring_traced, sel->uring,
	       sizeof(sel->uring));
	/* io_uring_submit_req since 6.4, io_uring_submit_sqe before */
	bpf_program__set_autoload(skel->progs.ior_uring_create, uring);
	bpf_program__set_autoload(skel->progs.ior_uring_submit,
				  uring && !sel->uring_submit_sqe);
	bpf_program__set_autoload(skel->progs.ior_uring_submit_sqe,
				  uring && sel->uring_submit_sqe);
	bpf_program__set_autoload(skel->progs.ior_uring_complete, uring);
	/*
	 * For the tests: aim the completion program at a tracepoint with
	 * fewer arguments, which the verifier refuses it for, as a kernel
	 * with other io_uring arguments would.
	 */
	if (uring && getenv("IOR_TEST_URING_REFUSED"))
		bpf_program__set_attach_target(skel->progs.ior_uring_complete,
					       0, "sys_enter");
	skel->rodata->self_tgid = getpid();
	skel->rodata->filter_tid = o->tid;
	if (o->npids == 1 && !o->follow)
		skel->rodata->filter_pid = o->pids[0];
	{
		int nr = syscall_nr("rt_sigreturn");

		if (nr >= 0 && nr < IOR_NR_MAX &&
		    (sel->conf[nr] & IOR_CONF_TRACED))
			skel->rodata->sigreturn_nr = nr;
	}
	skel->rodata->use_scope_map = command_pid > 0 || o->npids > 1 ||
				      o->follow;
	skel->rodata->follow_forks = command_pid > 0 || o->follow;
	if (o->comm) {
		skel->rodata->filter_comm_len = strlen(o->comm);
		strlcpy((char *)skel->rodata->filter_comm, o->comm,
			IOR_COMM_LEN);
	}
	bpf_map__set_max_entries(skel->maps.events, o->ring_mb << 20);
	if ((*error = ior_bpf__load(skel)) != 0) {
		ior_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/*
 * The io_uring programs read kernel structures that change between
 * releases (CO-RE adapts to those it knows): should this kernel refuse
 * them, the capture goes on without io_uring operations, and says so.
 */
static void
open_bpf(struct capture *c, const struct options *o, struct selection *sel,
	 pid_t command_pid)
{
	struct ior_bpf *skel;
	int error, uring_error;

	libbpf_set_print(libbpf_print);
	skel = load_bpf(o, sel, command_pid, sel->uring_any, &error);
	uring_error = error;
	/* (the verifier's refusal is EACCES too: the retry tells them apart) */
	if (skel == NULL && sel->uring_any &&
	    (skel = load_bpf(o, sel, command_pid, false, &error)) != NULL) {
		note(1, "note: this kernel refused the io_uring programs (%s;"
		     " -v shows why): io_uring operations are not traced",
		     strerror(-uring_error));
		memset(sel->uring, 0, sizeof(sel->uring));
		sel->uring_any = false;
	}
	if (skel == NULL) {
		errno = -error;
		if (errno == EPERM || errno == EACCES)
			errx(1, "cannot load BPF programs: %s (run as root, or "
			     "with CAP_BPF and CAP_PERFMON)", strerror(errno));
		errx(1, "cannot load BPF programs: %s (-v shows libbpf's "
		     "log)", strerror(errno));
	}
	c->skel = skel;
}

static void
seed_scope(struct capture *c, struct scope *sc, pid_t command_pid)
{
	int fd = bpf_map__fd(c->skel->maps.scope);
	uint8_t armed = IOR_SCOPE_ARMED, traced = IOR_SCOPE_TRACED;

	if (command_pid > 0) {
		bpf_map_update_elem(fd, &command_pid, &armed, BPF_ANY);
		return;
	}
	if (!c->skel->rodata->use_scope_map)
		return;
	if (sc->follow)
		scope_add_descendants(sc);
	for (size_t i = 0; i < sc->npids; i++)
		bpf_map_update_elem(fd, &sc->pids[i], &traced, BPF_ANY);
}

static void
exclude_pipeline(struct capture *c, int out_fd, struct scope *sc)
{
	static pid_t readers[IOR_EXCLUDED_MAX];
	size_t n = pipeline_readers(out_fd, getpid(), readers,
				    IOR_EXCLUDED_MAX);

	for (size_t i = 0; i < n; i++) {
		c->skel->bss->excluded_tgids[i] = readers[i];
		note(2, "not tracing pid %d: it reads our output", readers[i]);
	}
	sc->excluded = readers;
	sc->nexcluded = n;
}

static bool
targets_gone(const struct options *o)
{
	for (size_t i = 0; i < o->npids; i++)
		if (kill(o->pids[i], 0) == 0 || errno == EPERM)
			return false;
	return o->npids > 0;
}

int
main(int argc, char **argv)
{
	struct capture c = { 0 };
	struct options o;
	struct selection sel;
	struct scope sc = { 0 };
	struct sigaction sa = { 0 };
	pid_t command_pid = 0;
	int out_fd = STDOUT_FILENO, release_fd = -1, status = 0;
	uint32_t reason = IOR_STOP_SIGNAL;
	uint64_t start, deadline = 0, last_loss_check = 0;

	parse_options(&o, argc, argv);
	if (o.output && strcmp(o.output, "-") == 0)
		o.output = NULL;
	if (o.output == NULL && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write a binary stream to a "
			"terminal (pipe it to ior-pair or ior-dump, or use "
			"-o FILE)\n", getprogname());
		return 2;
	}

	selection_build(&sel, o.events);
	if (sel.traced == 0)
		errx(1, "none of the selected syscalls exist on this kernel");
	if (sel.missing)
		note(1, "note: this kernel lacks %u selected syscalls, "
		     "skipped: %s", sel.missing, sel.missing_names);

	if (o.command)
		command_pid = launch(o.command, o.output == NULL,
				     &release_fd);

	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);       /* a closed pipe is EPIPE: exit quietly */

	open_bpf(&c, &o, &sel, command_pid);
	/* Only now: a capture that cannot start leaves no empty file. */
	if (o.output != NULL)
		out_fd = outfile_open(o.output);
	if (o.npids && (sc.pids = reallocarray(NULL, o.npids,
					       sizeof(pid_t))) == NULL)
		err(1, "reallocarray");
	if (o.npids)
		memcpy(sc.pids, o.pids, o.npids * sizeof(pid_t));
	sc.npids = o.npids;
	sc.follow = o.follow;
	sc.tid = o.tid;
	sc.comm = o.comm;
	sc.self = getpid();
	if (command_pid > 0) {
		if ((sc.pids = malloc(sizeof(pid_t))) == NULL)
			err(1, "malloc");
		sc.pids[0] = command_pid;
		sc.npids = 1;
	}
	seed_scope(&c, &sc, command_pid);
	if (ior_bpf__attach(c.skel) != 0)
		err(1, "cannot attach BPF programs");
	exclude_pipeline(&c, out_fd, &sc);

	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus <= 0 || (c.lost_seen = calloc(c.ncpus, 8)) == NULL)
		err(1, "cpus");
	stream_writer_init(&c.out, out_fd, o.output ? o.output : "<stdout>");
	stream_write_section(&c.out, argc, argv, 0, 0);
	selection_write(&sel, &c.out);
	snapshot_write(&sc, &c.out);
	stream_writer_flush(&c.out);

	ring_open(&c.ring, bpf_map__fd(c.skel->maps.events),
		  (size_t)o.ring_mb << 20);
	/*
	 * All that needed privilege is done.  With a command, stay uid 0 (but
	 * with no capability): the death signal that keeps the command from
	 * running on untraced is refused to a parent of another uid.
	 */
	privilege_drop(command_pid == 0);
	/*
	 * Linux before 5.19 with kernel.unprivileged_bpf_disabled refuses
	 * even this without CAP_BPF; a capture that cannot count its loss
	 * would look complete when it is not.
	 */
	if (!check_loss(&c))
		err(1, "cannot read the loss counts without privilege");
	note(2, "capturing as uid %d, no capabilities", (int)geteuid());
	start = now_ns();
	if (o.duration > 0)
		deadline = start + (uint64_t)(o.duration * 1e9);
	if (release_fd != -1) {
		if (write(release_fd, "g", 1) != 1)
			err(1, "cannot start the command");
		close(release_fd);
	}
	note(2, "tracing %u syscalls", sel.traced);

	for (;;) {
		uint64_t now, drained;

		drained = ring_drain(&c.ring, &c.out, &c.events);
		now = now_ns();
		if (now - last_loss_check >= LOSS_CHECK_NS) {
			check_loss(&c);
			check_misses(&c);
			last_loss_check = now;
		}
		if (c.out.len > 0)
			stream_writer_flush(&c.out);
		if (stop_signal) {
			reason = IOR_STOP_SIGNAL;
			break;
		}
		if (command_pid > 0 &&
		    waitpid(command_pid, &status, WNOHANG) == command_pid) {
			reason = IOR_STOP_COMMAND;
			break;
		}
		if (deadline && now >= deadline) {
			reason = IOR_STOP_DURATION;
			break;
		}
		if (o.npids && targets_gone(&o)) {
			reason = IOR_STOP_TARGET;
			break;
		}
		if (drained < BUSY_BYTES) {
			struct timespec tick = { 0, TICK_NS };

			nanosleep(&tick, NULL);
		}
	}

	/* Stop the events, then take what the ring still holds. */
	ior_bpf__detach(c.skel);
	ring_drain(&c.ring, &c.out, &c.events);
	check_loss(&c);
	check_misses(&c);
	stream_write_trailer(&c.out, c.events, c.lost_total, reason,
			     reason == IOR_STOP_COMMAND ? status : 0)->missed =
		c.missed_total;
	/* "lost" on the summary line is every event that did not arrive. */
	c.lost_total += c.missed_total;
	stream_writer_release(&c.out);
	if (out_fd != STDOUT_FILENO && close(out_fd) == -1)
		err(1, "%s", o.output);

	if (reason == IOR_STOP_COMMAND) {
		if (WIFSIGNALED(status))
			note(1, "%llu events, %llu lost, %.2f s; command killed "
			     "by signal %d", (unsigned long long)c.events,
			     (unsigned long long)c.lost_total,
			     (now_ns() - start) / 1e9, WTERMSIG(status));
		else
			note(1, "%llu events, %llu lost, %.2f s; command exited "
			     "%d", (unsigned long long)c.events,
			     (unsigned long long)c.lost_total,
			     (now_ns() - start) / 1e9, WEXITSTATUS(status));
	} else {
		note(1, "%llu events, %llu lost, %.2f s",
		     (unsigned long long)c.events,
		     (unsigned long long)c.lost_total,
		     (now_ns() - start) / 1e9);
	}
	ring_close(&c.ring);
	ior_bpf__destroy(c.skel);
	free(c.lost_seen);
	free(sc.pids);
	free(o.pids);
	/* The command's status is reported in the trailer, not as ours. */
	return 0;
}
