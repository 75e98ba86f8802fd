/* SPDX-License-Identifier: MIT */
/*
 * privilege.c - what ior-capture gives up once the capture runs.
 *
 * Loading and attaching the BPF programs, mounting tracefs and reading other
 * processes' /proc entries for the snapshot need privilege.  What follows
 * does not: the ring is read through a mapping made before, the loss counts
 * through a map fd already open (since Linux 5.19 privilege is checked when
 * a map or program is created, not on each use of its fd; main checks the
 * first read), the stream is written to a file already open, the launched
 * command is waited for, and detaching closes fds.  So once the capture
 * runs, every capability goes: a bug in the loop that copies what traced
 * programs wrote cannot be used to act as root.
 */
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture.h"

/* The unprivileged ids to become, resolved while NSS may still load. */
static void
nobody_ids(uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = getpwnam("nobody");

	/* 65534 is the kernel's overflow id, nobody on every distribution. */
	*uid = pw != NULL ? pw->pw_uid : 65534;
	*gid = pw != NULL ? pw->pw_gid : 65534;
}

void
privilege_drop(bool drop_root)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = { 0 };
	uid_t uid = 0;
	gid_t gid = 0;

	drop_root = drop_root && geteuid() == 0;
	if (drop_root)
		nobody_ids(&uid, &gid);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(1, "cannot drop privileges: no_new_privs");
	/*
	 * The bounding set limits what any later execve could grant; emptying
	 * it needs CAP_SETPCAP, which a capture given only CAP_BPF and
	 * CAP_PERFMON lacks: then no_new_privs alone keeps execve from
	 * granting anything.
	 */
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EPERM)
			err(1, "cannot drop privileges: bounding set");
	if (drop_root) {
		if (setgroups(0, NULL) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			err(1, "cannot drop privileges: become uid %u", uid);
	}
	/* Leaving root cleared these already; without it, this does. */
	if (syscall(SYS_capset, &hdr, caps) == -1)
		err(1, "cannot drop privileges: capset");
	/*
	 * Not dumpable: the processes of the uid it now runs as can neither
	 * ptrace it nor take its fds (pidfd_getfd, /proc/PID/fd), which
	 * include the BPF programs, maps and the ring of every traced event.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		err(1, "cannot drop privileges: dumpable");

	/* Check rather than trust: nothing may be left to regain. */
	if (syscall(SYS_capget, &hdr, caps) == -1 ||
	    caps[0].effective || caps[0].permitted || caps[0].inheritable ||
	    caps[1].effective || caps[1].permitted || caps[1].inheritable)
		errx(1, "cannot drop privileges: capabilities remain");
	if (drop_root && (getuid() != uid || geteuid() != uid ||
			  setresuid(0, 0, 0) != -1))
		errx(1, "cannot drop privileges: root can be regained");
}
